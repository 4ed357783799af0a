// Unit tests of the script interpreter's parts: script numbers, flag and error names, each
// opcode family on hand-built scripts, FindAndDelete, signature encodings (lax DER, low S),
// legacy / segwit / taproot spends signed here, and the signature cache. The Core vector
// files run in script_tests, transaction_tests, sighash_tests and taproot_tests.

#include <crypto/hash.h>
#include <crypto/key.h>
#include <crypto/pubkey.h>
#include <crypto/sha256.h>
#include <script/interpreter.h>
#include <script/sigcache.h>
#include <script/signature_encoding.h>
#include <util/strencodings.h>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace {

using Bytes = std::vector<unsigned char>;

Bytes FromHex(std::string_view hex)
{
    auto bytes = TryParseHex(hex);
    BOOST_REQUIRE_MESSAGE(bytes, "bad hex in test: " << hex);
    return *bytes;
}

// Builds a script from opcodes, numbers and data pushes (minimal pushes, as policy wants).
class Builder {
public:
    Builder& Op(opcodetype op)
    {
        m_script.push_back(op);
        return *this;
    }
    Builder& Num(int64_t n)
    {
        if (n == 0) return Op(OP_0);
        if (n == -1) return Op(OP_1NEGATE);
        if (n >= 1 && n <= 16) return Op(static_cast<opcodetype>(OP_1 + n - 1));
        return Push(ScriptNum::Encode(n));
    }
    Builder& Push(std::span<const unsigned char> data)
    {
        const Bytes push = PushEncoding(data);
        m_script.insert(m_script.end(), push.begin(), push.end());
        return *this;
    }
    Builder& Raw(std::string_view hex)
    {
        const Bytes bytes = FromHex(hex);
        m_script.insert(m_script.end(), bytes.begin(), bytes.end());
        return *this;
    }
    Script Get() const { return m_script; }
    operator Script() const { return m_script; }

private:
    Script m_script;
};

struct EvalResult {
    bool ok;
    ScriptError error;
    ScriptStack stack;
};

EvalResult Eval(const Script& script, uint32_t flags = SCRIPT_VERIFY_NONE, ScriptStack stack = {},
                SigVersion sigversion = SigVersion::BASE)
{
    SignatureChecker checker;
    ScriptError error = ScriptError::UNKNOWN_ERROR;
    const bool ok = EvalScript(stack, script, flags, checker, sigversion, &error);
    return {ok, error, stack};
}

// Evaluates and requires one true element on top (like a successful scriptPubKey).
void CheckTrue(const Script& script, uint32_t flags = SCRIPT_VERIFY_NONE)
{
    const EvalResult result = Eval(script, flags);
    BOOST_CHECK_MESSAGE(result.ok, "script " << HexStr(script) << " failed: " << ScriptErrorName(result.error));
    BOOST_CHECK_MESSAGE(!result.stack.empty() && CastToBool(result.stack.back()), "script " << HexStr(script) << " left false");
}

void CheckError(const Script& script, ScriptError expected, uint32_t flags = SCRIPT_VERIFY_NONE,
                SigVersion sigversion = SigVersion::BASE)
{
    const EvalResult result = Eval(script, flags, {}, sigversion);
    BOOST_CHECK_MESSAGE(!result.ok && result.error == expected, "script " << HexStr(script) << ": expected "
                                                                          << ScriptErrorName(expected) << ", got "
                                                                          << ScriptErrorName(result.error));
}

Key MakeKey(unsigned char fill, bool compressed = true)
{
    Bytes secret(32, fill);
    Key key;
    BOOST_REQUIRE(key.Set(secret, compressed));
    return key;
}

// A transaction with one input spending a previous output and one output.
MutableTransaction SpendingTx()
{
    MutableTransaction tx;
    TxIn in;
    in.prevout.hash = uint256{uint8_t{7}};
    in.prevout.n = 0;
    tx.vin.push_back(in);
    TxOut out;
    out.value = 90000;
    out.script_pubkey = Builder{}.Op(OP_TRUE);
    tx.vout.push_back(out);
    return tx;
}

Bytes SignEcdsa(const Key& key, const uint256& hash, int hash_type)
{
    Bytes sig;
    BOOST_REQUIRE(key.SignEcdsa(std::span<const unsigned char, 32>{hash.data(), 32}, sig));
    sig.push_back(static_cast<unsigned char>(hash_type));
    return sig;
}

ScriptError Verify(const Transaction& tx, const TxOut& spent, uint32_t flags, SignatureCache* cache = nullptr)
{
    PrecomputedTransactionData txdata;
    txdata.Init(tx, {spent});
    TransactionSignatureChecker checker{&tx, 0, spent.value, txdata, cache};
    ScriptError error = ScriptError::UNKNOWN_ERROR;
    VerifyScript(tx.vin[0].script_sig, spent.script_pubkey, &tx.vin[0].witness, flags, checker, &error);
    return error;
}

constexpr uint32_t STANDARD_FLAGS = SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_STRICTENC | SCRIPT_VERIFY_DERSIG |
                                    SCRIPT_VERIFY_LOW_S | SCRIPT_VERIFY_NULLDUMMY | SCRIPT_VERIFY_MINIMALDATA |
                                    SCRIPT_VERIFY_CLEANSTACK | SCRIPT_VERIFY_WITNESS | SCRIPT_VERIFY_NULLFAIL |
                                    SCRIPT_VERIFY_TAPROOT | SCRIPT_VERIFY_WITNESS_PUBKEYTYPE;

} // namespace

BOOST_AUTO_TEST_SUITE(interpreter_tests)

BOOST_AUTO_TEST_CASE(script_num_encoding)
{
    const std::vector<std::pair<int64_t, std::string>> cases{
        {0, ""},          {1, "01"},         {-1, "81"},         {127, "7f"},        {128, "8000"},
        {-128, "8080"},   {255, "ff00"},     {256, "0001"},      {-255, "ff80"},     {32767, "ff7f"},
        {32768, "008000"}, {2147483647, "ffffff7f"}, {-2147483647, "ffffffff"}, {2147483648LL, "0000008000"},
        {549755813887LL, "ffffffff7f"},
    };
    for (const auto& [value, hex] : cases) {
        BOOST_TEST_CONTEXT("value " << value)
        {
            BOOST_CHECK_EQUAL(HexStr(ScriptNum::Encode(value)), hex);
            const Bytes bytes = FromHex(hex);
            const auto decoded = ScriptNum::Decode(bytes, true, 5);
            BOOST_REQUIRE(decoded);
            BOOST_CHECK_EQUAL(decoded->GetInt64(), value);
        }
    }
}

BOOST_AUTO_TEST_CASE(script_num_limits_and_minimality)
{
    // Too long for a 4-byte operand, fine for a 5-byte lock time.
    BOOST_CHECK(!ScriptNum::Decode(FromHex("0000008000"), false));
    BOOST_CHECK(ScriptNum::Decode(FromHex("0000008000"), false, 5));
    // Non-minimal forms decode to the same value without the rule, fail with it.
    for (const char* hex : {"00", "80", "0100", "0180", "ff7f00", "000000"}) {
        BOOST_TEST_CONTEXT(hex)
        {
            BOOST_CHECK(ScriptNum::Decode(FromHex(hex), false));
            BOOST_CHECK(!ScriptNum::Decode(FromHex(hex), true));
            BOOST_CHECK(!ScriptNum::IsMinimallyEncoded(FromHex(hex)));
        }
    }
    // Negative zero is zero.
    BOOST_CHECK_EQUAL(ScriptNum::Decode(FromHex("80"), false)->GetInt64(), 0);
    BOOST_CHECK_EQUAL(ScriptNum::Decode(FromHex("000080"), false)->GetInt64(), 0);
    // A needed sign byte is minimal.
    BOOST_CHECK(ScriptNum::Decode(FromHex("ff00"), true));
    BOOST_CHECK(ScriptNum::Decode(FromHex("ff80"), true));
    // GetInt clamps instead of wrapping.
    BOOST_CHECK_EQUAL(ScriptNum{int64_t{1} << 40}.GetInt(), std::numeric_limits<int>::max());
    BOOST_CHECK_EQUAL(ScriptNum{-(int64_t{1} << 40)}.GetInt(), std::numeric_limits<int>::min());
}

BOOST_AUTO_TEST_CASE(cast_to_bool)
{
    BOOST_CHECK(!CastToBool(Bytes{}));
    BOOST_CHECK(!CastToBool(FromHex("00")));
    BOOST_CHECK(!CastToBool(FromHex("0000")));
    BOOST_CHECK(!CastToBool(FromHex("80")));
    BOOST_CHECK(!CastToBool(FromHex("000080")));
    BOOST_CHECK(CastToBool(FromHex("01")));
    BOOST_CHECK(CastToBool(FromHex("8000")));
    BOOST_CHECK(CastToBool(FromHex("000180")));
}

BOOST_AUTO_TEST_CASE(flag_and_error_names)
{
    BOOST_CHECK_EQUAL(*ParseScriptFlags(""), 0U);
    BOOST_CHECK_EQUAL(*ParseScriptFlags("NONE"), 0U);
    BOOST_CHECK_EQUAL(*ParseScriptFlags("P2SH,STRICTENC"), SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_STRICTENC);
    BOOST_CHECK(!ParseScriptFlags("P2SH,BOGUS"));
    BOOST_CHECK(!ParseScriptFlags("P2SH,"));
    const uint32_t all = (1U << 21) - 1;
    BOOST_CHECK_EQUAL(*ParseScriptFlags(FormatScriptFlags(all)), all);

    for (int i = 0; i < static_cast<int>(ScriptError::ERROR_COUNT); ++i) {
        const auto error = static_cast<ScriptError>(i);
        BOOST_CHECK(ScriptErrorFromName(ScriptErrorName(error)) == error);
        BOOST_CHECK(std::string{ScriptErrorMessage(error)}.size() > 0);
    }
    BOOST_CHECK_EQUAL(ScriptErrorName(ScriptError::SIG_NULLFAIL), std::string{"NULLFAIL"});
    BOOST_CHECK(!ScriptErrorFromName("NOT_AN_ERROR"));
}

BOOST_AUTO_TEST_CASE(push_and_minimaldata)
{
    CheckTrue(Builder{}.Raw("0101"));                        // push of 0x01 (non-minimal) allowed without flag
    CheckError(Builder{}.Raw("0101"), ScriptError::MINIMALDATA, SCRIPT_VERIFY_MINIMALDATA);
    CheckError(Builder{}.Raw("4c0101"), ScriptError::MINIMALDATA, SCRIPT_VERIFY_MINIMALDATA);
    CheckError(Builder{}.Raw("0181"), ScriptError::MINIMALDATA, SCRIPT_VERIFY_MINIMALDATA);
    CheckError(Builder{}.Raw("0102"), ScriptError::MINIMALDATA, SCRIPT_VERIFY_MINIMALDATA);  // OP_2 says it
    CheckTrue(Builder{}.Raw("0111"), SCRIPT_VERIFY_MINIMALDATA);  // 17 has no OP_n
    // Malformed push: BAD_OPCODE.
    CheckError(Builder{}.Raw("4c"), ScriptError::BAD_OPCODE);
    CheckError(Builder{}.Raw("02aa"), ScriptError::BAD_OPCODE);
    // 521-byte push: PUSH_SIZE even unexecuted.
    Bytes big(521, 0x01);
    CheckError(Builder{}.Op(OP_0).Op(OP_IF).Push(big).Op(OP_ENDIF).Op(OP_1), ScriptError::PUSH_SIZE);
}

BOOST_AUTO_TEST_CASE(flow_control)
{
    CheckTrue(Builder{}.Op(OP_1).Op(OP_IF).Op(OP_1).Op(OP_ELSE).Op(OP_0).Op(OP_ENDIF));
    CheckTrue(Builder{}.Op(OP_0).Op(OP_IF).Op(OP_0).Op(OP_ELSE).Op(OP_1).Op(OP_ENDIF));
    CheckTrue(Builder{}.Op(OP_0).Op(OP_NOTIF).Op(OP_1).Op(OP_ENDIF));
    // ELSE may repeat: each one toggles.
    CheckTrue(Builder{}.Op(OP_1).Op(OP_IF).Op(OP_ELSE).Op(OP_RETURN).Op(OP_ELSE).Op(OP_1).Op(OP_ENDIF));
    // Nested inside a false branch nothing runs, not even OP_RETURN.
    CheckTrue(Builder{}.Op(OP_1).Op(OP_0).Op(OP_IF).Op(OP_1).Op(OP_IF).Op(OP_RETURN).Op(OP_ENDIF).Op(OP_ENDIF));
    CheckError(Builder{}.Op(OP_1).Op(OP_IF), ScriptError::UNBALANCED_CONDITIONAL);
    CheckError(Builder{}.Op(OP_ENDIF), ScriptError::UNBALANCED_CONDITIONAL);
    CheckError(Builder{}.Op(OP_ELSE), ScriptError::UNBALANCED_CONDITIONAL);
    CheckError(Builder{}.Op(OP_IF), ScriptError::UNBALANCED_CONDITIONAL);
    CheckError(Builder{}.Op(OP_0).Op(OP_VERIFY), ScriptError::VERIFY);
    CheckError(Builder{}.Op(OP_VERIFY), ScriptError::INVALID_STACK_OPERATION);
    CheckError(Builder{}.Op(OP_RETURN), ScriptError::OP_RETURN);
    // VERIF is bad even in an untaken branch, VER only when executed.
    CheckError(Builder{}.Op(OP_0).Op(OP_IF).Op(OP_VERIF).Op(OP_ENDIF).Op(OP_1), ScriptError::BAD_OPCODE);
    CheckTrue(Builder{}.Op(OP_0).Op(OP_IF).Op(OP_VER).Op(OP_ENDIF).Op(OP_1));
    CheckError(Builder{}.Op(OP_VER), ScriptError::BAD_OPCODE);
    // Disabled opcodes fail anywhere.
    CheckError(Builder{}.Op(OP_0).Op(OP_IF).Op(OP_CAT).Op(OP_ENDIF).Op(OP_1), ScriptError::DISABLED_OPCODE);

    // MINIMALIF applies to witness v0 with the flag, always to tapscript.
    const Script two_if = Builder{}.Raw("0102").Op(OP_IF).Op(OP_1).Op(OP_ENDIF);
    BOOST_CHECK(Eval(two_if, SCRIPT_VERIFY_MINIMALIF).ok);
    BOOST_CHECK(Eval(two_if, 0, {}, SigVersion::WITNESS_V0).ok);
    BOOST_CHECK(Eval(two_if, SCRIPT_VERIFY_MINIMALIF, {}, SigVersion::WITNESS_V0).error == ScriptError::MINIMALIF);
    BOOST_CHECK(Eval(two_if, 0, {}, SigVersion::TAPSCRIPT).error == ScriptError::TAPSCRIPT_MINIMALIF);
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_fast)
{
    // 4000 nested false IFs: each later op must still be skipped in constant time.
    Builder builder;
    builder.Op(OP_0);
    for (int i = 0; i < 4000; ++i) builder.Op(OP_IF);
    for (int i = 0; i < 4000; ++i) builder.Op(OP_ENDIF);
    builder.Op(OP_1);
    const Script script = builder;
    const EvalResult result = Eval(script, 0, {}, SigVersion::TAPSCRIPT);  // tapscript: no size limit
    BOOST_CHECK(result.ok);
}

BOOST_AUTO_TEST_CASE(stack_operations)
{
    CheckTrue(Builder{}.Num(1).Num(2).Num(3).Op(OP_ROT).Num(1).Op(OP_EQUALVERIFY).Num(3).Op(OP_EQUALVERIFY).Num(2).Op(OP_EQUAL));
    CheckTrue(Builder{}.Num(1).Num(2).Op(OP_SWAP).Num(1).Op(OP_EQUALVERIFY).Num(2).Op(OP_EQUAL));
    CheckTrue(Builder{}.Num(5).Num(6).Num(7).Num(2).Op(OP_PICK).Num(5).Op(OP_EQUALVERIFY).Op(OP_DEPTH).Num(3).Op(OP_EQUAL));
    CheckTrue(Builder{}.Num(5).Num(6).Num(7).Num(2).Op(OP_ROLL).Num(5).Op(OP_EQUALVERIFY).Op(OP_DEPTH).Num(2).Op(OP_EQUAL));
    CheckError(Builder{}.Num(5).Num(1).Op(OP_PICK), ScriptError::INVALID_STACK_OPERATION);
    CheckError(Builder{}.Num(5).Num(-1).Op(OP_PICK), ScriptError::INVALID_STACK_OPERATION);
    CheckTrue(Builder{}.Num(1).Num(2).Num(3).Num(4).Num(5).Num(6).Op(OP_2ROT).Num(2).Op(OP_EQUALVERIFY).Num(1).Op(OP_EQUALVERIFY)
                  .Num(6).Op(OP_EQUAL));
    CheckTrue(Builder{}.Num(1).Num(2).Num(3).Num(4).Op(OP_2SWAP).Num(2).Op(OP_EQUALVERIFY).Num(1).Op(OP_EQUALVERIFY).Num(4)
                  .Op(OP_EQUAL));
    CheckTrue(Builder{}.Num(1).Num(2).Op(OP_TUCK).Op(OP_DEPTH).Num(3).Op(OP_EQUALVERIFY).Num(2).Op(OP_EQUALVERIFY).Num(1)
                  .Op(OP_EQUAL));
    CheckTrue(Builder{}.Num(9).Op(OP_TOALTSTACK).Num(1).Op(OP_FROMALTSTACK).Num(9).Op(OP_EQUAL));
    CheckError(Builder{}.Op(OP_FROMALTSTACK), ScriptError::INVALID_ALTSTACK_OPERATION);
    CheckTrue(Builder{}.Push(Bytes(300, 1)).Op(OP_SIZE).Num(300).Op(OP_EQUAL));
    CheckTrue(Builder{}.Num(0).Op(OP_IFDUP).Op(OP_DEPTH).Num(1).Op(OP_EQUALVERIFY).Num(1).Op(OP_IFDUP).Op(OP_EQUAL));

    // 1000 elements is the limit (main and alt stack together).
    Builder many;
    for (int i = 0; i < 999; ++i) many.Num(1);
    many.Op(OP_TOALTSTACK).Num(1);
    BOOST_CHECK(Eval(many).ok);
    many.Num(1);
    BOOST_CHECK(Eval(many).error == ScriptError::STACK_SIZE);
}

BOOST_AUTO_TEST_CASE(arithmetic)
{
    CheckTrue(Builder{}.Num(2).Num(3).Op(OP_ADD).Num(5).Op(OP_EQUAL));
    CheckTrue(Builder{}.Num(2).Num(3).Op(OP_SUB).Num(-1).Op(OP_NUMEQUAL));
    CheckTrue(Builder{}.Num(-5).Op(OP_ABS).Num(5).Op(OP_NUMEQUAL));
    CheckTrue(Builder{}.Num(5).Op(OP_NEGATE).Num(-5).Op(OP_NUMEQUAL));
    CheckTrue(Builder{}.Num(0).Op(OP_NOT));
    CheckTrue(Builder{}.Num(7).Op(OP_0NOTEQUAL));
    CheckTrue(Builder{}.Num(3).Num(1).Num(5).Op(OP_WITHIN));
    CheckError(Builder{}.Num(5).Num(1).Num(5).Op(OP_WITHIN).Op(OP_VERIFY), ScriptError::VERIFY);
    CheckTrue(Builder{}.Num(3).Num(9).Op(OP_MIN).Num(3).Op(OP_NUMEQUAL));
    CheckTrue(Builder{}.Num(3).Num(9).Op(OP_MAX).Num(9).Op(OP_NUMEQUAL));
    CheckTrue(Builder{}.Num(1).Num(0).Op(OP_BOOLOR));
    CheckError(Builder{}.Num(1).Num(0).Op(OP_BOOLAND).Op(OP_VERIFY), ScriptError::VERIFY);
    CheckError(Builder{}.Num(1).Num(2).Op(OP_NUMEQUALVERIFY), ScriptError::NUMEQUALVERIFY);
    // A result may exceed 4 bytes and be compared as bytes, but not used as an operand.
    const int64_t max = 2147483647;
    CheckTrue(Builder{}.Num(max).Num(max).Op(OP_ADD).Push(FromHex("feffffff00")).Op(OP_EQUAL));
    CheckError(Builder{}.Num(max).Num(max).Op(OP_ADD).Num(0).Op(OP_ADD), ScriptError::UNKNOWN_ERROR);
    // Non-minimal operands fail only with MINIMALDATA.
    CheckTrue(Builder{}.Raw("020100").Op(OP_1ADD).Num(2).Op(OP_NUMEQUAL));
    CheckError(Builder{}.Raw("020100").Op(OP_1ADD), ScriptError::UNKNOWN_ERROR, SCRIPT_VERIFY_MINIMALDATA);
    CheckError(Builder{}.Op(OP_ADD), ScriptError::INVALID_STACK_OPERATION);
    CheckError(Builder{}.Num(2).Num(2).Op(OP_MUL), ScriptError::DISABLED_OPCODE);
}

BOOST_AUTO_TEST_CASE(hashes)
{
    const Bytes abc{'a', 'b', 'c'};
    CheckTrue(Builder{}.Push(abc).Op(OP_SHA1).Push(FromHex("a9993e364706816aba3e25717850c26c9cd0d89d")).Op(OP_EQUAL));
    CheckTrue(Builder{}.Push(abc).Op(OP_SHA256)
                  .Push(FromHex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")).Op(OP_EQUAL));
    CheckTrue(Builder{}.Op(OP_0).Op(OP_RIPEMD160).Push(FromHex("9c1185a5c5e9fc54612808977ee8f548b2258d31")).Op(OP_EQUAL));
    CheckTrue(Builder{}.Op(OP_0).Op(OP_HASH160).Push(FromHex("b472a266d0bd89c13706a4132ccfb16f7c3b9fcb")).Op(OP_EQUAL));
    CheckTrue(Builder{}.Op(OP_0).Op(OP_HASH256)
                  .Push(FromHex("5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456")).Op(OP_EQUAL));
    // SHA1 over several blocks.
    CheckTrue(Builder{}.Push(Bytes(200, 'a')).Op(OP_SHA1).Push(FromHex("e61cfffe0d9195a525fc6cf06ca2d77119c24a40")).Op(OP_EQUAL));
    CheckError(Builder{}.Op(OP_SHA256), ScriptError::INVALID_STACK_OPERATION);
}

BOOST_AUTO_TEST_CASE(nops_and_locktime_opcodes)
{
    CheckTrue(Builder{}.Op(OP_NOP1).Op(OP_NOP10).Op(OP_1));
    CheckError(Builder{}.Op(OP_NOP1).Op(OP_1), ScriptError::DISCOURAGE_UPGRADABLE_NOPS, SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS);
    // Without their flags CLTV/CSV are NOPs even on an empty stack.
    CheckTrue(Builder{}.Op(OP_CHECKLOCKTIMEVERIFY).Op(OP_CHECKSEQUENCEVERIFY).Op(OP_1));
    CheckError(Builder{}.Op(OP_CHECKLOCKTIMEVERIFY), ScriptError::INVALID_STACK_OPERATION, SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY);
    CheckError(Builder{}.Num(-1).Op(OP_CHECKLOCKTIMEVERIFY), ScriptError::NEGATIVE_LOCKTIME, SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY);
    CheckError(Builder{}.Num(1).Op(OP_CHECKLOCKTIMEVERIFY), ScriptError::UNSATISFIED_LOCKTIME, SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY);
    // 5-byte argument accepted, 6 bytes is an invalid number.
    CheckError(Builder{}.Push(FromHex("0000000001")).Op(OP_CHECKSEQUENCEVERIFY), ScriptError::UNSATISFIED_LOCKTIME,
               SCRIPT_VERIFY_CHECKSEQUENCEVERIFY);
    CheckError(Builder{}.Push(FromHex("ffffffffff00")).Op(OP_CHECKSEQUENCEVERIFY), ScriptError::UNKNOWN_ERROR,
               SCRIPT_VERIFY_CHECKSEQUENCEVERIFY);
    // Disable bit set: CSV is a NOP.
    CheckTrue(Builder{}.Push(FromHex("0000008000")).Op(OP_CHECKSEQUENCEVERIFY), SCRIPT_VERIFY_CHECKSEQUENCEVERIFY);

    // Against a transaction.
    MutableTransaction mtx = SpendingTx();
    mtx.lock_time = 500;
    mtx.vin[0].sequence = 10;
    const Transaction tx{mtx};
    const TransactionSignatureChecker checker{&tx, 0, 0};
    BOOST_CHECK(checker.CheckLockTime(ScriptNum{500}));
    BOOST_CHECK(!checker.CheckLockTime(ScriptNum{501}));
    BOOST_CHECK(!checker.CheckLockTime(ScriptNum{LOCKTIME_THRESHOLD}));  // time vs height
    BOOST_CHECK(checker.CheckSequence(ScriptNum{10}));
    BOOST_CHECK(!checker.CheckSequence(ScriptNum{11}));
    BOOST_CHECK(!checker.CheckSequence(ScriptNum{int64_t{1} << 22}));  // time vs blocks
}

BOOST_AUTO_TEST_CASE(op_count_limit)
{
    Builder ok;
    for (int i = 0; i < 201; ++i) ok.Op(OP_NOP);
    ok.Op(OP_1);
    CheckTrue(ok);
    Builder too_many = ok;
    too_many.Op(OP_NOP);
    CheckError(too_many, ScriptError::OP_COUNT);
    // Pushes do not count; in tapscript nothing counts.
    BOOST_CHECK(Eval(too_many, 0, {}, SigVersion::TAPSCRIPT).ok);
    // CHECKMULTISIG counts its keys: 190 NOPs + 1 + 20 keys > 201, 170 + 1 + 20 is fine.
    for (const auto& [nops, expected] : {std::pair{190, ScriptError::OP_COUNT}, std::pair{170, ScriptError::INVALID_STACK_OPERATION}}) {
        Builder multisig;
        for (int i = 0; i < nops; ++i) multisig.Op(OP_NOP);
        multisig.Op(OP_0).Op(OP_0).Num(20).Op(OP_CHECKMULTISIG);
        CheckError(multisig, expected);
    }
}

BOOST_AUTO_TEST_CASE(find_and_delete)
{
    const auto run = [](std::string_view script_hex, std::string_view pattern_hex, std::string_view expect_hex, int expect_found) {
        Script script{FromHex(script_hex)};
        const int found = FindAndDelete(script, FromHex(pattern_hex));
        BOOST_CHECK_MESSAGE(found == expect_found && HexStr(script) == expect_hex,
                            "FindAndDelete(" << script_hex << ", " << pattern_hex << ") = " << HexStr(script) << " ("
                                             << found << ")");
    };
    run("02aabb02aabb", "02aabb", "", 2);
    run("0302aabb", "02aabb", "0302aabb", 0);            // inside a push: not at a boundary
    run("ac02aabbac", "02aabb", "acac", 1);
    run("0000ac00", "00", "ac", 3);                       // empty signature pattern removes OP_0s
    run("02aabb02aa", "02aabb", "02aa", 1);               // malformed tail is kept
    run("51", "", "51", 0);
    // Back-to-back matches at one boundary, then the op after them.
    run("0151015101510151", "0151", "", 4);
}

BOOST_AUTO_TEST_CASE(push_encoding)
{
    BOOST_CHECK_EQUAL(HexStr(PushEncoding(Bytes{})), "00");
    BOOST_CHECK_EQUAL(HexStr(PushEncoding(FromHex("05"))), "0105");  // never OP_5
    BOOST_CHECK_EQUAL(HexStr(PushEncoding(Bytes(75, 0))).substr(0, 2), "4b");
    BOOST_CHECK_EQUAL(HexStr(PushEncoding(Bytes(76, 0))).substr(0, 4), "4c4c");
    BOOST_CHECK_EQUAL(HexStr(PushEncoding(Bytes(256, 0))).substr(0, 6), "4d0001");
    BOOST_CHECK_EQUAL(HexStr(PushEncoding(Bytes(65536, 0))).substr(0, 10), "4e00000100");
}

BOOST_AUTO_TEST_CASE(signature_encodings)
{
    const Key key = MakeKey(0x11);
    const uint256 hash{uint8_t{42}};
    const Bytes sig = SignEcdsa(key, hash, SIGHASH_ALL);
    BOOST_CHECK(IsValidSignatureEncoding(sig));
    BOOST_CHECK(IsDefinedHashtypeSignature(sig));
    const std::span<const unsigned char> der{sig.data(), sig.size() - 1};
    const PubKey pubkey = key.GetPubKey();
    const std::span<const unsigned char, 32> hash_span{hash.data(), 32};
    BOOST_CHECK(pubkey.VerifyEcdsa(hash_span, der));
    BOOST_CHECK(PubKey::CheckLowS(der));

    // Lax forms the network accepted before BIP66: R with a superfluous zero byte, a long-form
    // length, trailing garbage after S. All verify; none is valid strict DER.
    const size_t r_length = sig[3];
    Bytes padded;
    padded.push_back(0x30);
    padded.push_back(static_cast<unsigned char>(sig[1] + 1));
    padded.push_back(0x02);
    padded.push_back(static_cast<unsigned char>(r_length + 1));
    padded.push_back(0x00);
    padded.insert(padded.end(), sig.begin() + 4, sig.end());
    BOOST_CHECK(!IsValidSignatureEncoding(padded));
    BOOST_CHECK(pubkey.VerifyEcdsa(hash_span, std::span{padded}.first(padded.size() - 1)));

    Bytes long_length{0x30, 0x81, sig[1], 0x02, 0x81};
    long_length.insert(long_length.end(), sig.begin() + 3, sig.end() - 1);
    BOOST_CHECK(pubkey.VerifyEcdsa(hash_span, long_length));

    Bytes trailing(sig.begin(), sig.end() - 1);
    trailing.push_back(0xee);
    BOOST_CHECK(pubkey.VerifyEcdsa(hash_span, trailing));

    // High S: valid for consensus, refused by LOW_S.
    const auto compact = ParseDerSignatureLax(der);
    BOOST_REQUIRE(compact);
    static const Bytes ORDER = FromHex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
    Bytes high_s(32);
    int borrow = 0;
    for (int i = 31; i >= 0; --i) {
        int value = ORDER[i] - (*compact)[32 + i] - borrow;
        borrow = value < 0;
        high_s[i] = static_cast<unsigned char>(value + (borrow ? 256 : 0));
    }
    Bytes high_der{0x30, 0x00, 0x02};
    high_der.insert(high_der.end(), sig.begin() + 3, sig.begin() + 4 + r_length);
    high_der.push_back(0x02);
    high_der.push_back(33);
    high_der.push_back(0x00);
    high_der.insert(high_der.end(), high_s.begin(), high_s.end());
    high_der[1] = static_cast<unsigned char>(high_der.size() - 2);
    BOOST_CHECK(pubkey.VerifyEcdsa(hash_span, high_der));
    BOOST_CHECK(!PubKey::CheckLowS(high_der));
    Bytes high_sig = high_der;
    high_sig.push_back(SIGHASH_ALL);
    BOOST_CHECK(CheckSignatureEncoding(high_sig, SCRIPT_VERIFY_DERSIG) == ScriptError::OK);
    BOOST_CHECK(CheckSignatureEncoding(high_sig, SCRIPT_VERIFY_LOW_S) == ScriptError::SIG_HIGH_S);
    BOOST_CHECK(CheckSignatureEncoding(padded, SCRIPT_VERIFY_DERSIG) == ScriptError::SIG_DER);
    Bytes bad_type = sig;
    bad_type.back() = 0x04;
    BOOST_CHECK(CheckSignatureEncoding(bad_type, SCRIPT_VERIFY_STRICTENC) == ScriptError::SIG_HASHTYPE);
    BOOST_CHECK(CheckSignatureEncoding(Bytes{}, SCRIPT_VERIFY_STRICTENC) == ScriptError::OK);

    // Garbage never parses into something that verifies.
    BOOST_CHECK(!pubkey.VerifyEcdsa(hash_span, FromHex("300602010102")));
    BOOST_CHECK(!ParseDerSignatureLax(FromHex("31")));
    BOOST_CHECK(!ParseDerSignatureLax(FromHex("3006020101")));

    BOOST_CHECK(CheckPubKeyEncoding(pubkey.bytes(), SCRIPT_VERIFY_STRICTENC, SigVersion::BASE) == ScriptError::OK);
    const PubKey uncompressed = MakeKey(0x11, false).GetPubKey();
    BOOST_CHECK(CheckPubKeyEncoding(uncompressed.bytes(), SCRIPT_VERIFY_WITNESS_PUBKEYTYPE, SigVersion::WITNESS_V0) ==
                ScriptError::WITNESS_PUBKEYTYPE);
    BOOST_CHECK(CheckPubKeyEncoding(FromHex("0500"), SCRIPT_VERIFY_STRICTENC, SigVersion::BASE) == ScriptError::PUBKEYTYPE);
}

BOOST_AUTO_TEST_CASE(legacy_p2pkh_spend_and_sighash_single_bug)
{
    const Key key = MakeKey(0x22);
    const PubKey pubkey = key.GetPubKey();
    Bytes key_hash(20);
    Hash160{}.Write(pubkey.bytes()).Finalize(std::span<unsigned char, 20>{key_hash.data(), 20});
    TxOut spent;
    spent.value = 100000;
    spent.script_pubkey = Builder{}.Op(OP_DUP).Op(OP_HASH160).Push(key_hash).Op(OP_EQUALVERIFY).Op(OP_CHECKSIG);

    MutableTransaction mtx = SpendingTx();
    const uint256 sighash = SignatureHash(spent.script_pubkey, Transaction{mtx}, 0, SIGHASH_ALL, 0, SigVersion::BASE);
    mtx.vin[0].script_sig = Builder{}.Push(SignEcdsa(key, sighash, SIGHASH_ALL)).Push(pubkey.bytes());
    BOOST_CHECK(Verify(Transaction{mtx}, spent, STANDARD_FLAGS) == ScriptError::OK);

    // Another output value: the signature no longer matches. NULLFAIL names that.
    MutableTransaction changed = mtx;
    changed.vout[0].value = 1;
    BOOST_CHECK(Verify(Transaction{changed}, spent, STANDARD_FLAGS) == ScriptError::SIG_NULLFAIL);
    BOOST_CHECK(Verify(Transaction{changed}, spent, SCRIPT_VERIFY_P2SH) == ScriptError::EVAL_FALSE);

    // SIGHASH_SINGLE for an input without an output hashes to 1.
    MutableTransaction two_inputs = SpendingTx();
    two_inputs.vin.push_back(two_inputs.vin[0]);
    BOOST_CHECK(SignatureHash(spent.script_pubkey, Transaction{two_inputs}, 1, SIGHASH_SINGLE, 0, SigVersion::BASE) ==
                uint256::ONE);
    BOOST_CHECK(SignatureHash(spent.script_pubkey, Transaction{two_inputs}, 5, SIGHASH_ALL, 0, SigVersion::BASE) ==
                uint256::ONE);
    // OP_CODESEPARATOR is cut out of the legacy script code.
    Script with_separator = Builder{}.Op(OP_CODESEPARATOR).Op(OP_1);
    BOOST_CHECK(SignatureHash(with_separator, Transaction{mtx}, 0, SIGHASH_ALL, 0, SigVersion::BASE) ==
                SignatureHash(Builder{}.Op(OP_1), Transaction{mtx}, 0, SIGHASH_ALL, 0, SigVersion::BASE));
}

BOOST_AUTO_TEST_CASE(segwit_v0_spends_and_cache)
{
    const Key key = MakeKey(0x33);
    const PubKey pubkey = key.GetPubKey();
    Bytes key_hash(20);
    Hash160{}.Write(pubkey.bytes()).Finalize(std::span<unsigned char, 20>{key_hash.data(), 20});
    TxOut spent;
    spent.value = 123456;
    spent.script_pubkey = Builder{}.Op(OP_0).Push(key_hash);

    MutableTransaction mtx = SpendingTx();
    const Script script_code = Builder{}.Op(OP_DUP).Op(OP_HASH160).Push(key_hash).Op(OP_EQUALVERIFY).Op(OP_CHECKSIG);
    const uint256 sighash = SignatureHash(script_code, Transaction{mtx}, 0, SIGHASH_ALL, spent.value, SigVersion::WITNESS_V0);
    mtx.vin[0].witness.stack = {SignEcdsa(key, sighash, SIGHASH_ALL), Bytes(pubkey.begin(), pubkey.end())};
    const Transaction tx{mtx};

    // Precomputed and on-the-spot BIP143 hashes agree.
    PrecomputedTransactionData txdata;
    txdata.Init(tx, {spent});
    BOOST_CHECK(txdata.bip143_ready);
    BOOST_CHECK(SignatureHash(script_code, tx, 0, SIGHASH_ALL, spent.value, SigVersion::WITNESS_V0, &txdata) == sighash);

    SignatureCache cache{1024};
    BOOST_CHECK(Verify(tx, spent, STANDARD_FLAGS, &cache) == ScriptError::OK);
    BOOST_CHECK_EQUAL(cache.Hits(), 0U);
    BOOST_CHECK(Verify(tx, spent, STANDARD_FLAGS, &cache) == ScriptError::OK);
    BOOST_CHECK_EQUAL(cache.Hits(), 1U);

    // Wrong amount: another BIP143 hash.
    TxOut other = spent;
    other.value += 1;
    BOOST_CHECK(Verify(tx, other, STANDARD_FLAGS, &cache) == ScriptError::SIG_NULLFAIL);

    // A scriptSig on a native witness spend is malleation; a witness on a legacy spend too.
    MutableTransaction malleated = mtx;
    malleated.vin[0].script_sig = Builder{}.Op(OP_0);
    BOOST_CHECK(Verify(Transaction{malleated}, spent, STANDARD_FLAGS) == ScriptError::WITNESS_MALLEATED);
    TxOut anyone;
    anyone.value = 1;
    anyone.script_pubkey = Builder{}.Op(OP_1);
    BOOST_CHECK(Verify(tx, anyone, STANDARD_FLAGS) == ScriptError::WITNESS_UNEXPECTED);

    // P2WSH of a 1-of-1 CHECKMULTISIG; P2SH-wrapped.
    const Script witness_script = Builder{}.Op(OP_1).Push(pubkey.bytes()).Op(OP_1).Op(OP_CHECKMULTISIG);
    Bytes script_hash(32);
    Sha256{}.Write(witness_script).Finalize(std::span<unsigned char, 32>{script_hash.data(), 32});
    const Script p2wsh = Builder{}.Op(OP_0).Push(script_hash);
    Bytes p2wsh_hash(20);
    Hash160{}.Write(p2wsh).Finalize(std::span<unsigned char, 20>{p2wsh_hash.data(), 20});
    TxOut wrapped;
    wrapped.value = 5000;
    wrapped.script_pubkey = Builder{}.Op(OP_HASH160).Push(p2wsh_hash).Op(OP_EQUAL);

    MutableTransaction msig = SpendingTx();
    msig.vin[0].script_sig = Builder{}.Push(p2wsh);
    const uint256 msig_hash = SignatureHash(witness_script, Transaction{msig}, 0, SIGHASH_ALL, wrapped.value, SigVersion::WITNESS_V0);
    msig.vin[0].witness.stack = {Bytes{}, SignEcdsa(key, msig_hash, SIGHASH_ALL),
                                 Bytes(witness_script.begin(), witness_script.end())};
    BOOST_CHECK(Verify(Transaction{msig}, wrapped, STANDARD_FLAGS) == ScriptError::OK);
    BOOST_CHECK_EQUAL(CountWitnessSigOps(msig.vin[0].script_sig, wrapped.script_pubkey, &msig.vin[0].witness, STANDARD_FLAGS), 1U);
    BOOST_CHECK_EQUAL(CountWitnessSigOps(mtx.vin[0].script_sig, spent.script_pubkey, &mtx.vin[0].witness, STANDARD_FLAGS), 1U);

    // A non-empty dummy violates NULLDUMMY.
    msig.vin[0].witness.stack[0] = Bytes{1};
    BOOST_CHECK(Verify(Transaction{msig}, wrapped, STANDARD_FLAGS) == ScriptError::SIG_NULLDUMMY);
    // The scriptSig must be exactly the push of the witness program.
    msig.vin[0].witness.stack[0] = Bytes{};
    msig.vin[0].script_sig = Builder{}.Op(OP_0).Push(p2wsh);
    BOOST_CHECK(Verify(Transaction{msig}, wrapped, SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS) ==
                ScriptError::WITNESS_MALLEATED_P2SH);
}

BOOST_AUTO_TEST_CASE(taproot_key_and_script_paths)
{
    const Key key = MakeKey(0x44);
    const XOnlyPubKey internal = key.GetXOnlyPubKey();
    const Bytes aux_bytes(32, 0);
    const std::span<const unsigned char, 32> aux{aux_bytes.data(), 32};

    // A tree of one leaf: <key> CHECKSIG with the same key, and CHECKSIGADD 1-of-1.
    const XOnlyPubKey leaf_key = MakeKey(0x55).GetXOnlyPubKey();
    const Script leaf_script = Builder{}.Op(OP_0).Push(leaf_key.bytes()).Op(OP_CHECKSIGADD).Op(OP_1).Op(OP_NUMEQUAL);
    const uint256 leaf_hash = ComputeTapleafHash(TAPROOT_LEAF_TAPSCRIPT, leaf_script);
    const std::span<const unsigned char, 32> root{leaf_hash.data(), 32};
    const auto tweaked = internal.CreateTapTweak(&root);
    BOOST_REQUIRE(tweaked);
    BOOST_CHECK(tweaked->first.CheckTapTweak(internal, root, tweaked->second));
    BOOST_CHECK(!tweaked->first.CheckTapTweak(internal, root, !tweaked->second));

    TxOut spent;
    spent.value = 777777;
    spent.script_pubkey = Builder{}.Op(OP_1).Push(tweaked->first.bytes());

    // Key path.
    MutableTransaction mtx = SpendingTx();
    mtx.vin[0].witness.stack = {Bytes(64, 0)};  // placeholder so Init sees a taproot spend
    {
        const Transaction unsigned_tx{mtx};
        PrecomputedTransactionData txdata;
        txdata.Init(unsigned_tx, {spent});
        BOOST_REQUIRE(txdata.bip341_ready);
        ScriptExecutionData execdata;
        execdata.annex_init = true;
        uint256 sighash;
        BOOST_REQUIRE(SignatureHashSchnorr(sighash, execdata, unsigned_tx, 0, SIGHASH_DEFAULT, SigVersion::TAPROOT, txdata));
        Bytes sig(64);
        BOOST_REQUIRE(key.SignSchnorr(sighash, std::span<unsigned char, 64>{sig.data(), 64}, &root, aux));
        mtx.vin[0].witness.stack = {sig};
    }
    SignatureCache cache{1024};
    BOOST_CHECK(Verify(Transaction{mtx}, spent, STANDARD_FLAGS, &cache) == ScriptError::OK);
    BOOST_CHECK(Verify(Transaction{mtx}, spent, STANDARD_FLAGS, &cache) == ScriptError::OK);
    BOOST_CHECK_EQUAL(cache.Hits(), 1U);
    // Without TAPROOT the output is anyone-can-spend.
    MutableTransaction garbage = mtx;
    garbage.vin[0].witness.stack[0][5] ^= 1;
    BOOST_CHECK(Verify(Transaction{garbage}, spent, STANDARD_FLAGS) == ScriptError::SCHNORR_SIG);
    BOOST_CHECK(Verify(Transaction{garbage}, spent, SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS) == ScriptError::OK);
    // 65 bytes with explicit hash type 0 is not allowed; 63 bytes is the wrong size.
    garbage.vin[0].witness.stack[0] = Bytes(65, 0);
    BOOST_CHECK(Verify(Transaction{garbage}, spent, STANDARD_FLAGS) == ScriptError::SCHNORR_SIG_HASHTYPE);
    garbage.vin[0].witness.stack[0] = Bytes(63, 0);
    BOOST_CHECK(Verify(Transaction{garbage}, spent, STANDARD_FLAGS) == ScriptError::SCHNORR_SIG_SIZE);

    // Script path: control block = leaf version | parity, internal key, no path.
    Bytes control{static_cast<unsigned char>(TAPROOT_LEAF_TAPSCRIPT | (tweaked->second ? 1 : 0))};
    control.insert(control.end(), internal.begin(), internal.end());
    MutableTransaction script_spend = SpendingTx();
    script_spend.vin[0].witness.stack = {Bytes(64, 0), Bytes(leaf_script.begin(), leaf_script.end()), control};
    {
        const Transaction unsigned_tx{script_spend};
        PrecomputedTransactionData txdata;
        txdata.Init(unsigned_tx, {spent});
        ScriptExecutionData execdata;
        execdata.annex_init = true;
        execdata.tapleaf_hash_init = true;
        execdata.tapleaf_hash = leaf_hash;
        execdata.codeseparator_pos_init = true;
        uint256 sighash;
        BOOST_REQUIRE(SignatureHashSchnorr(sighash, execdata, unsigned_tx, 0, SIGHASH_DEFAULT, SigVersion::TAPSCRIPT, txdata));
        Bytes sig(64);
        BOOST_REQUIRE(MakeKey(0x55).SignSchnorr(sighash, std::span<unsigned char, 64>{sig.data(), 64}, nullptr, aux));
        script_spend.vin[0].witness.stack[0] = sig;
    }
    BOOST_CHECK(Verify(Transaction{script_spend}, spent, STANDARD_FLAGS) == ScriptError::OK);

    // Empty signature: CHECKSIGADD adds 0, the NUMEQUAL fails.
    MutableTransaction empty_sig = script_spend;
    empty_sig.vin[0].witness.stack[0] = Bytes{};
    BOOST_CHECK(Verify(Transaction{empty_sig}, spent, STANDARD_FLAGS) == ScriptError::EVAL_FALSE);
    // Wrong parity bit, short control block, unknown leaf version.
    MutableTransaction bad_control = script_spend;
    bad_control.vin[0].witness.stack[2][0] ^= 1;
    BOOST_CHECK(Verify(Transaction{bad_control}, spent, STANDARD_FLAGS) == ScriptError::WITNESS_PROGRAM_MISMATCH);
    bad_control.vin[0].witness.stack[2].resize(32);
    BOOST_CHECK(Verify(Transaction{bad_control}, spent, STANDARD_FLAGS) == ScriptError::TAPROOT_WRONG_CONTROL_SIZE);

    // OP_SUCCESS makes any tapscript succeed (policy discourages it).
    const Script success_script = Builder{}.Op(OP_RETURN).Raw("50");
    const uint256 success_leaf = ComputeTapleafHash(TAPROOT_LEAF_TAPSCRIPT, success_script);
    const std::span<const unsigned char, 32> success_root{success_leaf.data(), 32};
    const auto success_output = internal.CreateTapTweak(&success_root);
    BOOST_REQUIRE(success_output);
    TxOut success_spent;
    success_spent.value = 1;
    success_spent.script_pubkey = Builder{}.Op(OP_1).Push(success_output->first.bytes());
    Bytes success_control{static_cast<unsigned char>(TAPROOT_LEAF_TAPSCRIPT | (success_output->second ? 1 : 0))};
    success_control.insert(success_control.end(), internal.begin(), internal.end());
    MutableTransaction success_spend = SpendingTx();
    success_spend.vin[0].witness.stack = {Bytes(success_script.begin(), success_script.end()), success_control};
    BOOST_CHECK(Verify(Transaction{success_spend}, success_spent, STANDARD_FLAGS) == ScriptError::OK);
    BOOST_CHECK(Verify(Transaction{success_spend}, success_spent, STANDARD_FLAGS | SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS) ==
                ScriptError::DISCOURAGE_OP_SUCCESS);
}

BOOST_AUTO_TEST_CASE(tapscript_rules)
{
    // CHECKMULTISIG is gone, CHECKSIGADD is tapscript-only.
    CheckError(Builder{}.Op(OP_0).Op(OP_0).Op(OP_0).Op(OP_CHECKMULTISIG), ScriptError::TAPSCRIPT_CHECKMULTISIG, 0,
               SigVersion::TAPSCRIPT);
    CheckError(Builder{}.Op(OP_0).Op(OP_0).Op(OP_0).Op(OP_CHECKSIGADD), ScriptError::BAD_OPCODE);
    // Empty public key fails, unknown key types succeed (unless discouraged).
    ScriptStack stack;
    ScriptExecutionData execdata;
    execdata.validation_weight_left_init = true;
    execdata.validation_weight_left = 1000;
    SignatureChecker checker;
    ScriptError error;
    const Script empty_key = Builder{}.Op(OP_1).Op(OP_0).Op(OP_CHECKSIG);
    BOOST_CHECK(!EvalScript(stack, empty_key, 0, checker, SigVersion::TAPSCRIPT, execdata, &error));
    BOOST_CHECK(error == ScriptError::TAPSCRIPT_EMPTY_PUBKEY);
    stack.clear();
    const Script unknown_key = Builder{}.Op(OP_1).Op(OP_1).Op(OP_CHECKSIG);
    BOOST_CHECK(EvalScript(stack, unknown_key, 0, checker, SigVersion::TAPSCRIPT, execdata, &error));
    BOOST_CHECK_EQUAL(execdata.validation_weight_left, 900);
    stack.clear();
    BOOST_CHECK(!EvalScript(stack, unknown_key, SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE, checker,
                            SigVersion::TAPSCRIPT, execdata, &error));
    BOOST_CHECK(error == ScriptError::DISCOURAGE_UPGRADABLE_PUBKEYTYPE);
    // The budget runs out.
    stack.clear();
    execdata.validation_weight_left = 49;
    BOOST_CHECK(!EvalScript(stack, unknown_key, 0, checker, SigVersion::TAPSCRIPT, execdata, &error));
    BOOST_CHECK(error == ScriptError::TAPSCRIPT_VALIDATION_WEIGHT);
    BOOST_CHECK(IsOpSuccess(static_cast<opcodetype>(0x50)));
    BOOST_CHECK(IsOpSuccess(OP_CAT));
    BOOST_CHECK(!IsOpSuccess(OP_CHECKSIGADD));
    BOOST_CHECK(IsOpSuccess(static_cast<opcodetype>(0xbb)));
    BOOST_CHECK(!IsOpSuccess(OP_INVALIDOPCODE));
}

BOOST_AUTO_TEST_CASE(signature_cache_bounds)
{
    SignatureCache cache{8};
    BOOST_CHECK_EQUAL(cache.Capacity(), 8U);
    const Bytes hash(32, 1);
    const std::span<const unsigned char, 32> hash_span{hash.data(), 32};
    std::vector<uint256> entries;
    for (unsigned char i = 0; i < 100; ++i) {
        entries.push_back(cache.EcdsaEntry(hash_span, Bytes{i}, Bytes{2}));
        cache.Insert(entries.back());
        BOOST_CHECK(cache.Contains(entries.back()));  // the newest entry is always present
    }
    size_t present = 0;
    for (const uint256& entry : entries) present += cache.Contains(entry);
    BOOST_CHECK_LE(present, 8U);
    // Kinds and fields are separated.
    BOOST_CHECK(cache.EcdsaEntry(hash_span, Bytes{1}, Bytes{2}) != cache.SchnorrEntry(hash_span, Bytes{1}, Bytes{2}));
    BOOST_CHECK(cache.EcdsaEntry(hash_span, Bytes{1, 2}, Bytes{}) != cache.EcdsaEntry(hash_span, Bytes{1}, Bytes{2}));
    // Two caches use different salts.
    SignatureCache other{8};
    BOOST_CHECK(cache.EcdsaEntry(hash_span, Bytes{1}, Bytes{2}) != other.EcdsaEntry(hash_span, Bytes{1}, Bytes{2}));
}

BOOST_AUTO_TEST_CASE(signature_cache_threads)
{
    // Readers and writers at once (run under TSan/ASan to see races); every key inserted by a
    // thread is found by it afterwards unless evicted, and the table never grows.
    SignatureCache cache{4096};
    const Bytes hash(32, 3);
    const std::span<const unsigned char, 32> hash_span{hash.data(), 32};
    std::vector<std::thread> threads;
    std::atomic<int> found{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 500; ++i) {
                const uint256 entry = cache.SchnorrEntry(hash_span, Bytes{static_cast<unsigned char>(t), static_cast<unsigned char>(i & 0xff),
                                                                           static_cast<unsigned char>(i >> 8)},
                                                         Bytes(32, 1));
                cache.Insert(entry);
                found += cache.Contains(entry);
            }
        });
    }
    for (std::thread& thread : threads) thread.join();
    BOOST_CHECK_GT(found.load(), 1900);  // almost all: another thread may evict in between
    BOOST_CHECK_EQUAL(cache.Capacity(), 4096U);
    BOOST_CHECK_EQUAL(cache.Lookups(), 2000U);
}

BOOST_AUTO_TEST_SUITE_END()
