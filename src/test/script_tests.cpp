// Bitcoin Core's script_tests.json against our interpreter. Each row is run
// as the transaction pair its header describes: a coinbase-shaped crediting
// transaction whose single output holds scriptPubKey and the amount, and a
// spending transaction whose single input spends it with scriptSig (and the
// witness, when the row has one).

#include <crypto/pubkey.h>
#include <primitives/transaction.h>
#include <script/interpreter.h>
#include <script/script.h>
#include <script/script_error.h>
#include <test/util/script_notation.h>
#include <test/util/script_verify.h>
#include <test/util/taproot_tree.h>
#include <test/util/vectors.h>

#include <boost/test/unit_test.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using namespace test_util;

namespace {

// BIP341's example of an internal key with no known private key (the "NUMS"
// point H). The tapscript rows only need some valid key: their spends go
// through the script path.
constexpr std::string_view TAPSCRIPT_INTERNAL_KEY = "50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0";

constexpr std::string_view SCRIPT_PLACEHOLDER = "#SCRIPT#";
constexpr std::string_view CONTROL_BLOCK_PLACEHOLDER = "#CONTROLBLOCK#";
constexpr std::string_view TAPROOT_OUTPUT_PLACEHOLDER = "#TAPROOTOUTPUT#";

struct ScriptCase {
    size_t row = 0;
    std::string comment;
    std::string section; // the last comment row before this one
    ScriptWitness witness;
    Amount amount = 0;
    Script script_sig;
    Script script_pubkey;
    uint32_t flags = 0;
    std::string expected;

    std::string Describe() const
    {
        std::string text = "script_tests.json row " + std::to_string(row);
        if (!comment.empty()) text += " (\"" + comment + "\")";
        if (!section.empty()) text += " [section \"" + section + "\"]";
        return text;
    }
};

// A tapscript row puts its leaf script in the witness as "#SCRIPT# <notation>";
// the other placeholders stand for what BIP341 derives from that leaf when it
// is the only one of the tree: "#CONTROLBLOCK#" is the control block (leaf
// version with the output key's parity, internal key, empty path) and
// "#TAPROOTOUTPUT#" the 32-byte output key the scriptPubKey commits to.
struct TapscriptLeaf {
    std::vector<unsigned char> control_block;
    std::vector<unsigned char> output_key;
};

TapscriptLeaf DeriveSingleLeafTree(const Script& leaf_script)
{
    const std::vector<unsigned char> internal_bytes = HexToBytes(TAPSCRIPT_INTERNAL_KEY);
    const std::span<const unsigned char, 32> internal_span{internal_bytes.data(), 32};
    const XOnlyPubKey internal_key{internal_span};
    const uint256 merkle_root = TapLeafHash(TAPSCRIPT_LEAF_VERSION, leaf_script);
    const std::span<const unsigned char, 32> root_span{merkle_root.data(), 32};
    const auto tweaked = internal_key.CreateTapTweak(&root_span);
    if (!tweaked) throw std::runtime_error("taproot tweak of the tapscript internal key failed");
    TapscriptLeaf leaf;
    leaf.control_block = MakeControlBlock(TAPSCRIPT_LEAF_VERSION, tweaked->second, internal_span, {});
    leaf.output_key.assign(tweaked->first.begin(), tweaked->first.end());
    return leaf;
}

std::string ReplaceAll(std::string text, std::string_view from, std::string_view to)
{
    for (size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
        text.replace(pos, from.size(), to);
    }
    return text;
}

// Fills in witness, amount and, for tapscript rows, the placeholder
// substitution of the scriptPubKey text (returned).
std::string ParseWitness(const nlohmann::json& witness_json, std::string script_pubkey_text, ScriptCase& test)
{
    if (witness_json.empty() || !witness_json.back().is_number()) {
        throw std::invalid_argument("witness array must end with the amount");
    }
    test.amount = BtcToSatoshis(witness_json.back().get<double>());
    std::optional<TapscriptLeaf> leaf;
    for (size_t i = 0; i + 1 < witness_json.size(); ++i) {
        const std::string element = witness_json[i].get<std::string>();
        if (element.starts_with(SCRIPT_PLACEHOLDER)) {
            const Script leaf_script = AssembleScript(std::string_view{element}.substr(SCRIPT_PLACEHOLDER.size()));
            leaf = DeriveSingleLeafTree(leaf_script);
            test.witness.stack.emplace_back(leaf_script.begin(), leaf_script.end());
        } else if (element == CONTROL_BLOCK_PLACEHOLDER) {
            if (!leaf) throw std::invalid_argument("#CONTROLBLOCK# before #SCRIPT#");
            test.witness.stack.push_back(leaf->control_block);
        } else {
            test.witness.stack.push_back(HexToBytes(element));
        }
    }
    if (script_pubkey_text.find(TAPROOT_OUTPUT_PLACEHOLDER) != std::string::npos) {
        if (!leaf) throw std::invalid_argument("#TAPROOTOUTPUT# without a #SCRIPT# witness element");
        script_pubkey_text = ReplaceAll(script_pubkey_text, TAPROOT_OUTPUT_PLACEHOLDER, "0x" + BytesHex(leaf->output_key));
    }
    return script_pubkey_text;
}

ScriptCase ParseCase(const nlohmann::json& row, size_t index, const std::string& section)
{
    ScriptCase test;
    test.row = index;
    test.section = section;
    size_t pos = 0;
    const bool has_witness = row[0].is_array();
    if (has_witness) pos = 1;
    if (row.size() < pos + 4) throw std::invalid_argument("row too short");
    std::string script_pubkey_text = row[pos + 1].get<std::string>();
    if (has_witness) script_pubkey_text = ParseWitness(row[0], script_pubkey_text, test);
    test.script_sig = AssembleScript(row[pos].get<std::string>());
    test.script_pubkey = AssembleScript(script_pubkey_text);
    test.flags = ParseFlags(row[pos + 2].get<std::string>());
    test.expected = row[pos + 3].get<std::string>();
    if (row.size() > pos + 4) test.comment = row[pos + 4].get<std::string>();
    return test;
}

// The crediting transaction: coinbase-shaped (null prevout, scriptSig of two
// zero pushes), one output with the tested scriptPubKey. Version 1 and
// lock time 0 as the vectors' signatures were made for.
Transaction CreditingTransaction(const Script& script_pubkey, Amount amount)
{
    MutableTransaction tx;
    tx.version = 1;
    tx.lock_time = 0;
    TxIn in;
    in.prevout.SetNull();
    in.script_sig = Script{0x00, 0x00};
    in.sequence = TxIn::SEQUENCE_FINAL;
    tx.vin.push_back(in);
    TxOut out;
    out.value = amount;
    out.script_pubkey = script_pubkey;
    tx.vout.push_back(out);
    return Transaction{tx};
}

// Spends output 0 of `credit`; its one output passes the amount on to an empty script.
Transaction SpendingTransaction(const Transaction& credit, const Script& script_sig, const ScriptWitness& witness)
{
    MutableTransaction tx;
    tx.version = 1;
    tx.lock_time = 0;
    TxIn in;
    in.prevout.hash = credit.GetHash();
    in.prevout.n = 0;
    in.script_sig = script_sig;
    in.witness = witness;
    in.sequence = TxIn::SEQUENCE_FINAL;
    tx.vin.push_back(in);
    TxOut out;
    out.value = credit.vout[0].value;
    tx.vout.push_back(out);
    return Transaction{tx};
}

ScriptError RunCase(const ScriptCase& test, uint32_t flags)
{
    const Transaction credit = CreditingTransaction(test.script_pubkey, test.amount);
    const Transaction spend = SpendingTransaction(credit, test.script_sig, test.witness);
    const std::vector<TxOut> spent{credit.vout[0]};
    PrecomputedTransactionData txdata;
    txdata.Init(spend, spent);
    return VerifyInput(spend, 0, spent, txdata, flags);
}

struct ScriptRows {
    std::vector<ScriptCase> cases;
    size_t comment_rows = 0;
    size_t parse_failures = 0;
};

ScriptRows LoadScriptTests()
{
    ScriptRows rows;
    const nlohmann::json json = ReadVectorJson("core/script_tests.json");
    std::string section;
    for (size_t i = 0; i < json.size(); ++i) {
        const nlohmann::json& row = json[i];
        if (row.size() == 1) {
            ++rows.comment_rows;
            section = row[0].get<std::string>();
            continue;
        }
        try {
            rows.cases.push_back(ParseCase(row, i, section));
        } catch (const std::exception& e) {
            ++rows.parse_failures;
            BOOST_ERROR("script_tests.json row " << i << " cannot be parsed: " << e.what() << "; row: " << row.dump());
        }
    }
    return rows;
}

std::vector<unsigned char> Bytes(std::string_view hex) { return HexToBytes(hex); }

} // namespace

BOOST_AUTO_TEST_SUITE(script_tests)

BOOST_AUTO_TEST_CASE(script_notation_assembler)
{
    BOOST_CHECK(AssembleScriptBytes("") == Bytes(""));
    BOOST_CHECK(AssembleScriptBytes("   ") == Bytes(""));
    BOOST_CHECK(AssembleScriptBytes("0 1 16 -1") == Bytes("0051604f"));
    BOOST_CHECK(AssembleScriptBytes("17") == Bytes("0111"));
    BOOST_CHECK(AssembleScriptBytes("1000") == Bytes("02e803"));
    BOOST_CHECK(AssembleScriptBytes("127 128 255 256") == Bytes("017f" "028000" "02ff00" "020001"));
    BOOST_CHECK(AssembleScriptBytes("-2 -127 -128 -255") == Bytes("0182" "01ff" "028080" "02ff80"));
    BOOST_CHECK(AssembleScriptBytes("2147483647 -2147483648") == Bytes("04ffffff7f" "050000008080"));
    BOOST_CHECK(AssembleScriptBytes("0x4c 0x01 0x07") == Bytes("4c0107"));
    BOOST_CHECK(AssembleScriptBytes("'Az' ''") == Bytes("02417a" "00"));
    BOOST_CHECK(AssembleScriptBytes("'a b'") == Bytes("03612062"));
    BOOST_CHECK(AssembleScriptBytes("DUP OP_DUP HASH160 OP_CHECKSIG NOP2 CHECKLOCKTIMEVERIFY NOP3 CHECKSEQUENCEVERIFY") ==
                Bytes("7676a9acb1b1b2b2"));
    BOOST_CHECK(AssembleScriptBytes("OP_1 TRUE FALSE OP_0 1NEGATE CHECKSIGADD") == Bytes("515100004fba"));
    // A 76-byte string needs PUSHDATA1; 256 bytes PUSHDATA2.
    const std::string s76(76, 'x');
    BOOST_CHECK(AssembleScriptBytes("'" + s76 + "'").size() == 2 + 76);
    BOOST_CHECK(AssembleScriptBytes("'" + s76 + "'")[0] == 0x4c);
    const std::string s256(256, 'x');
    BOOST_CHECK(AssembleScriptBytes("'" + s256 + "'")[0] == 0x4d);
    BOOST_CHECK_THROW(AssembleScriptBytes("NOTANOPCODE"), std::invalid_argument);
    BOOST_CHECK_THROW(AssembleScriptBytes("0x0"), std::invalid_argument);
    BOOST_CHECK_THROW(AssembleScriptBytes("0xzz"), std::invalid_argument);
    BOOST_CHECK_THROW(AssembleScriptBytes("'unterminated"), std::invalid_argument);
    BOOST_CHECK_THROW(AssembleScriptBytes("99999999999999999999"), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(flag_helpers)
{
    BOOST_CHECK_EQUAL(ParseFlags(""), 0U);
    BOOST_CHECK_EQUAL(ParseFlags("NONE"), 0U);
    BOOST_CHECK_EQUAL(ParseFlags("P2SH,WITNESS"), uint32_t{SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS});
    BOOST_CHECK_THROW(ParseFlags("P2SH,NOSUCHFLAG"), std::invalid_argument);
    BOOST_CHECK_EQUAL(FillFlags(SCRIPT_VERIFY_CLEANSTACK),
                      uint32_t{SCRIPT_VERIFY_CLEANSTACK | SCRIPT_VERIFY_WITNESS | SCRIPT_VERIFY_P2SH});
    BOOST_CHECK_EQUAL(TrimFlags(SCRIPT_VERIFY_CLEANSTACK | SCRIPT_VERIFY_WITNESS), 0U);
    BOOST_CHECK_EQUAL(TrimFlags(AllScriptFlags()), AllScriptFlags());
    BOOST_CHECK_EQUAL(ParseFlags(FlagsToString(AllScriptFlags())), AllScriptFlags());
    BOOST_CHECK_EQUAL(SingleFlags(AllScriptFlags()).size(), 21U);
}

// Every row gives the exact error of one verification under its flags.
BOOST_AUTO_TEST_CASE(script_json_vectors)
{
    const ScriptRows rows = LoadScriptTests();
    BOOST_CHECK_EQUAL(rows.comment_rows + rows.cases.size() + rows.parse_failures, 1264U);
    size_t passed = 0;
    for (const ScriptCase& test : rows.cases) {
        const ScriptError got = RunCase(test, test.flags);
        const bool ok = ScriptErrorName(got) == test.expected;
        if (ok) ++passed;
        BOOST_CHECK_MESSAGE(ok, test.Describe() << ": flags " << FlagsToString(test.flags) << ", expected "
                                                << test.expected << ", got " << ScriptErrorName(got));
    }
    BOOST_TEST_MESSAGE("script_tests.json: " << passed << " of " << rows.cases.size() << " cases pass ("
                                             << rows.comment_rows << " comment rows)");
    BOOST_CHECK_EQUAL(passed, rows.cases.size());
}

// Verification flags only ever add restrictions (that is what makes them
// soft forks): a script valid under some flags stays valid with any one of
// them removed, and an invalid one stays invalid under every flag at once.
BOOST_AUTO_TEST_CASE(script_json_flags_are_soft_forks)
{
    const ScriptRows rows = LoadScriptTests();
    size_t checked = 0;
    size_t passed = 0;
    for (const ScriptCase& test : rows.cases) {
        if (test.expected == "OK") {
            for (uint32_t flag : SingleFlags(test.flags)) {
                const uint32_t fewer = TrimFlags(test.flags & ~flag);
                const ScriptError got = RunCase(test, fewer);
                ++checked;
                if (got == ScriptError::OK) ++passed;
                BOOST_CHECK_MESSAGE(got == ScriptError::OK, test.Describe() << ": valid under "
                                        << FlagsToString(test.flags) << " but " << ScriptErrorName(got)
                                        << " under " << FlagsToString(fewer));
            }
        } else {
            const uint32_t all = AllScriptFlags();
            const ScriptError got = RunCase(test, all);
            ++checked;
            if (got != ScriptError::OK) ++passed;
            BOOST_CHECK_MESSAGE(got != ScriptError::OK, test.Describe() << ": invalid under "
                                    << FlagsToString(test.flags) << " but valid under every flag");
        }
    }
    BOOST_TEST_MESSAGE("script_tests.json flag monotonicity: " << passed << " of " << checked << " checks pass");
}

BOOST_AUTO_TEST_SUITE_END()
