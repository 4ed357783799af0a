// Script as a container: opcode values and names, push encodings, parsing
// with GetOp, template checks and legacy/P2SH sigop counting.

#include <script/script.h>
#include <streams.h>
#include <util/strencodings.h>

#include <boost/test/unit_test.hpp>

#include <random>
#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(script_container_tests)

namespace {

using Bytes = std::vector<unsigned char>;

Script FromHex(std::string_view hex)
{
    const Bytes bytes = ParseHex(hex);
    return Script(bytes.begin(), bytes.end());
}

std::string ToHex(const Script& s)
{
    return HexStr(s);
}

} // namespace

BOOST_AUTO_TEST_CASE(opcode_values_and_names)
{
    BOOST_CHECK_EQUAL(OP_CHECKSIGADD, 0xba);
    BOOST_CHECK_EQUAL(OP_CHECKLOCKTIMEVERIFY, OP_NOP2);
    BOOST_CHECK_EQUAL(OP_CHECKSEQUENCEVERIFY, OP_NOP3);
    BOOST_CHECK_EQUAL(OP_NOP10, 0xb9);
    BOOST_CHECK_EQUAL(OP_16, 0x60);
    BOOST_CHECK_EQUAL(OP_TRUE, OP_1);
    BOOST_CHECK_EQUAL(OP_FALSE, OP_0);
    BOOST_CHECK_EQUAL(MAX_OPCODE, OP_NOP10);

    BOOST_CHECK_EQUAL(GetOpName(OP_0), "0");
    BOOST_CHECK_EQUAL(GetOpName(OP_1NEGATE), "-1");
    BOOST_CHECK_EQUAL(GetOpName(OP_16), "16");
    BOOST_CHECK_EQUAL(GetOpName(OP_DUP), "OP_DUP");
    BOOST_CHECK_EQUAL(GetOpName(OP_NOP2), "OP_CHECKLOCKTIMEVERIFY");
    BOOST_CHECK_EQUAL(GetOpName(OP_CHECKSIGADD), "OP_CHECKSIGADD");
    BOOST_CHECK_EQUAL(GetOpName(static_cast<opcodetype>(0xbb)), "OP_UNKNOWN");

    // Every defined byte's name maps back to it.
    for (int b = 0x4c; b <= 0xba; ++b) {
        const opcodetype op = static_cast<opcodetype>(b);
        BOOST_TEST_CONTEXT("opcode " << b)
        {
            const auto back = OpcodeFromName(GetOpName(op));
            BOOST_REQUIRE(back);
            BOOST_CHECK_EQUAL(*back, op);
        }
    }
    BOOST_CHECK_EQUAL(*OpcodeFromName("DUP"), OP_DUP);
    BOOST_CHECK_EQUAL(*OpcodeFromName("OP_NOP3"), OP_CHECKSEQUENCEVERIFY);
    BOOST_CHECK_EQUAL(*OpcodeFromName("NOP2"), OP_CHECKLOCKTIMEVERIFY);
    BOOST_CHECK_EQUAL(*OpcodeFromName("OP_TRUE"), OP_1);
    BOOST_CHECK_EQUAL(*OpcodeFromName("FALSE"), OP_0);
    BOOST_CHECK_EQUAL(*OpcodeFromName("OP_16"), OP_16);
    BOOST_CHECK(!OpcodeFromName("OP_FOO"));
    BOOST_CHECK(!OpcodeFromName("OP_17"));
}

BOOST_AUTO_TEST_CASE(small_numbers)
{
    for (int n = 0; n <= 16; ++n) {
        BOOST_CHECK_EQUAL(Script::DecodeOpN(Script::EncodeOpN(n)), n);
    }
    BOOST_CHECK_EQUAL(Script::EncodeOpN(0), OP_0);
    BOOST_CHECK_EQUAL(Script::EncodeOpN(16), OP_16);
    BOOST_CHECK_EQUAL(Script::DecodeOpN(OP_5), 5);
}

BOOST_AUTO_TEST_CASE(push_numbers)
{
    struct Case {
        int64_t n;
        const char* hex;
    };
    const Case cases[] = {
        {0, "00"},          {-1, "4f"},         {1, "51"},           {16, "60"},
        {17, "0111"},       {-2, "0182"},       {127, "017f"},       {128, "028000"},
        {-128, "028080"},   {255, "02ff00"},    {256, "020001"},     {-255, "02ff80"},
        {0x7fffffff, "04ffffff7f"}, {-0x7fffffff, "04ffffffff"},   {0x80000000LL, "050000008000"},
        {INT64_MAX, "08ffffffffffffff7f"}, {INT64_MIN + 1, "08ffffffffffffffff"},
        {INT64_MIN, "09000000000000008080"},
    };
    for (const Case& c : cases) {
        BOOST_TEST_CONTEXT("number " << c.n)
        {
            Script s;
            s << c.n;
            BOOST_CHECK_EQUAL(ToHex(s), c.hex);
        }
    }
}

BOOST_AUTO_TEST_CASE(push_data_uses_smallest_opcode)
{
    struct Case {
        size_t size;
        const char* prefix;
    };
    const Case cases[] = {
        {0, "00"}, {1, "01"}, {75, "4b"}, {76, "4c4c"}, {255, "4cff"}, {256, "4d0001"}, {65535, "4dffff"},
        {65536, "4e00000100"},
    };
    for (const Case& c : cases) {
        BOOST_TEST_CONTEXT("push of " << c.size << " bytes")
        {
            Script s;
            s << Bytes(c.size, 0xab);
            const std::string prefix = c.prefix;
            BOOST_CHECK_EQUAL(ToHex(s).substr(0, prefix.size()), prefix);
            BOOST_CHECK_EQUAL(s.size(), prefix.size() / 2 + c.size);
            // GetOp reads it back.
            Script::const_iterator pc = s.begin();
            opcodetype op;
            Bytes data;
            BOOST_CHECK(s.GetOp(pc, op, data));
            BOOST_CHECK(pc == s.end());
            BOOST_CHECK(data == Bytes(c.size, 0xab));
        }
    }
}

BOOST_AUTO_TEST_CASE(get_op_on_malformed_pushes)
{
    // Pushes that claim more bytes than remain, and truncated length fields.
    for (const char* hex : {"01", "0201", "4c", "4c01", "4d", "4d01", "4d0100", "4e", "4e010000", "4e01000000",
                            "4b" "00"}) {
        BOOST_TEST_CONTEXT("script " << hex)
        {
            const Script s = FromHex(hex);
            Script::const_iterator pc = s.begin();
            opcodetype op;
            Bytes data;
            BOOST_CHECK(!s.GetOp(pc, op, data));
            BOOST_CHECK_EQUAL(op, OP_INVALIDOPCODE);
        }
    }
    // A well-formed script parses to the end, then GetOp returns false.
    const Script s = FromHex("76a914" + std::string(40, '0') + "88ac");
    Script::const_iterator pc = s.begin();
    opcodetype op;
    std::vector<opcodetype> ops;
    while (s.GetOp(pc, op)) ops.push_back(op);
    BOOST_CHECK(pc == s.end());
    BOOST_CHECK((ops == std::vector<opcodetype>{OP_DUP, OP_HASH160, static_cast<opcodetype>(20), OP_EQUALVERIFY,
                                                 OP_CHECKSIG}));
    // Non-minimal pushes are still well-formed here (MINIMALDATA is the interpreter's).
    const Script nonminimal = FromHex("4c0101");
    pc = nonminimal.begin();
    Bytes data;
    BOOST_CHECK(nonminimal.GetOp(pc, op, data));
    BOOST_CHECK_EQUAL(op, OP_PUSHDATA1);
    BOOST_CHECK(data == Bytes{1});
}

BOOST_AUTO_TEST_CASE(templates)
{
    const std::string h20(40, '1');
    const std::string h32(64, '2');
    BOOST_CHECK(FromHex("a914" + h20 + "87").IsPayToScriptHash());
    BOOST_CHECK(!FromHex("a914" + h20 + "88").IsPayToScriptHash());
    BOOST_CHECK(!FromHex("a94c14" + h20 + "87").IsPayToScriptHash()); // PUSHDATA1 form is not P2SH
    BOOST_CHECK(FromHex("0020" + h32).IsPayToWitnessScriptHash());
    BOOST_CHECK(!FromHex("0014" + h20).IsPayToWitnessScriptHash());
    BOOST_CHECK(FromHex("5120" + h32).IsPayToTaproot());
    BOOST_CHECK(!FromHex("5220" + h32).IsPayToTaproot());

    int version = -1;
    Bytes program;
    BOOST_CHECK(FromHex("0014" + h20).IsWitnessProgram(version, program));
    BOOST_CHECK_EQUAL(version, 0);
    BOOST_CHECK_EQUAL(program.size(), 20U);
    BOOST_CHECK(FromHex("5120" + h32).IsWitnessProgram(version, program));
    BOOST_CHECK_EQUAL(version, 1);
    BOOST_CHECK(FromHex("6002abcd").IsWitnessProgram(version, program)); // v16, 2 bytes: shortest
    BOOST_CHECK_EQUAL(version, 16);
    BOOST_CHECK(FromHex("5128" + std::string(80, 'a')).IsWitnessProgram(version, program)); // 40 bytes: longest
    BOOST_CHECK(!FromHex("5129" + std::string(82, 'a')).IsWitnessProgram(version, program)); // 41 bytes
    BOOST_CHECK(!FromHex("0001ab").IsWitnessProgram(version, program));                      // 1 byte
    BOOST_CHECK(!FromHex("4f02abcd").IsWitnessProgram(version, program));                    // OP_1NEGATE
    BOOST_CHECK(!FromHex("5002abcd").IsWitnessProgram(version, program));                    // OP_RESERVED
    BOOST_CHECK(!FromHex("0014" + h20 + "00").IsWitnessProgram(version, program));           // trailing byte
    BOOST_CHECK(!FromHex("004c14" + h20).IsWitnessProgram(version, program));                // PUSHDATA1
}

BOOST_AUTO_TEST_CASE(push_only_and_unspendable)
{
    BOOST_CHECK(Script().IsPushOnly());
    BOOST_CHECK(FromHex("00514f60" "02abcd" "4c01aa").IsPushOnly());
    BOOST_CHECK(FromHex("50").IsPushOnly()); // OP_RESERVED counts as a push here
    BOOST_CHECK(!FromHex("61").IsPushOnly()); // OP_NOP
    BOOST_CHECK(!FromHex("0201").IsPushOnly()); // malformed
    const Script s = FromHex("76" "01aa");
    BOOST_CHECK(!s.IsPushOnly());
    BOOST_CHECK(s.IsPushOnly(s.begin() + 1));

    BOOST_CHECK(FromHex("6a").IsUnspendable());
    BOOST_CHECK(FromHex("6a04deadbeef").IsUnspendable());
    BOOST_CHECK(!FromHex("516a").IsUnspendable());
    BOOST_CHECK(!Script().IsUnspendable());
    BOOST_CHECK(Script(MAX_SCRIPT_SIZE + 1, OP_NOP).IsUnspendable());
    BOOST_CHECK(!Script(MAX_SCRIPT_SIZE, OP_NOP).IsUnspendable());

    BOOST_CHECK(FromHex("76a988ac").HasValidOps());
    BOOST_CHECK(FromHex("ba").HasValidOps() == false); // OP_CHECKSIGADD is tapscript-only
    BOOST_CHECK(!FromHex("0201").HasValidOps());
}

BOOST_AUTO_TEST_CASE(sigop_counting)
{
    // OP_CHECKSIG, OP_CHECKSIGVERIFY: one each.
    BOOST_CHECK_EQUAL(FromHex("acad").GetSigOpCount(false), 2U);
    // 2-of-3 multisig: 20 when inaccurate, 3 when accurate.
    Script multisig;
    multisig << OP_2;
    for (int i = 0; i < 3; ++i) multisig << Bytes(33, 0x02);
    multisig << OP_3 << OP_CHECKMULTISIG;
    BOOST_CHECK_EQUAL(multisig.GetSigOpCount(false), 20U);
    BOOST_CHECK_EQUAL(multisig.GetSigOpCount(true), 3U);
    // Without a preceding OP_n the accurate count is 20 too.
    BOOST_CHECK_EQUAL(FromHex("00af").GetSigOpCount(true), 20U);
    BOOST_CHECK_EQUAL(FromHex("60ae").GetSigOpCount(true), 16U);
    BOOST_CHECK_EQUAL(FromHex("0110ae").GetSigOpCount(true), 20U); // a data push is not OP_n
    // Counting stops at a malformed push.
    BOOST_CHECK_EQUAL(FromHex("ac" "4c05ac").GetSigOpCount(false), 1U);
    // OP_CHECKSIGADD is not a legacy sigop.
    BOOST_CHECK_EQUAL(FromHex("ba").GetSigOpCount(true), 0U);

    // P2SH: the redeem script's accurate count.
    Script p2sh;
    p2sh << OP_HASH160 << Bytes(20, 0x11) << OP_EQUAL;
    BOOST_REQUIRE(p2sh.IsPayToScriptHash());
    Script script_sig;
    script_sig << OP_0 << Bytes(72, 0x30) << Bytes(72, 0x30) << std::span<const unsigned char>(multisig);
    BOOST_CHECK_EQUAL(p2sh.GetSigOpCount(script_sig), 3U);
    // A scriptSig that is not push-only counts nothing.
    Script bad_sig = script_sig;
    bad_sig << OP_NOP;
    BOOST_CHECK_EQUAL(p2sh.GetSigOpCount(bad_sig), 0U);
    // Last operation OP_n: the "redeem script" is empty.
    Script small_sig;
    small_sig << std::span<const unsigned char>(multisig) << OP_1;
    BOOST_CHECK_EQUAL(p2sh.GetSigOpCount(small_sig), 0U);
    // Not P2SH: the scriptPubKey's own accurate count.
    BOOST_CHECK_EQUAL(multisig.GetSigOpCount(script_sig), 3U);
}

BOOST_AUTO_TEST_CASE(witness_container)
{
    ScriptWitness w;
    BOOST_CHECK(w.IsNull());
    w.stack.push_back({});
    BOOST_CHECK(!w.IsNull()); // one empty item is still a witness
    w.SetNull();
    BOOST_CHECK(w.IsNull());
}

// Script's storage: inline up to ScriptBytes::INLINE_CAPACITY bytes, on the
// heap beyond, behaving like std::vector<unsigned char> either way.
BOOST_AUTO_TEST_CASE(small_buffer_storage)
{
    static_assert(sizeof(Script) == 24);
    Script s;
    BOOST_CHECK(s.empty());
    BOOST_CHECK_EQUAL(s.heap_bytes(), 0U);
    Bytes model;
    // Grow one byte at a time through the inline limit, then shrink back.
    for (int i = 0; i < 40; ++i) {
        s.push_back(static_cast<unsigned char>(i));
        model.push_back(static_cast<unsigned char>(i));
        BOOST_REQUIRE(Bytes(s.begin(), s.end()) == model);
        BOOST_REQUIRE_EQUAL(s.heap_bytes() == 0, s.size() <= ScriptBytes::INLINE_CAPACITY);
    }
    s.resize(10);
    model.resize(10);
    BOOST_CHECK(Bytes(s.begin(), s.end()) == model);
    s.shrink_to_fit();
    BOOST_CHECK_EQUAL(s.heap_bytes(), 0U);
    BOOST_CHECK(Bytes(s.begin(), s.end()) == model);

    // A P2WPKH script is kept inline; a P2WSH one is not.
    const Script p2wpkh = FromHex("0014751e76e8199196d454941c45d1b3a323f1433bd6");
    BOOST_CHECK_EQUAL(p2wpkh.size(), 22U);
    BOOST_CHECK_EQUAL(p2wpkh.heap_bytes(), 0U);
    const Script p2wsh = FromHex("00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262");
    BOOST_CHECK_EQUAL(p2wsh.heap_bytes(), 34U);

    // Copies and moves, inline and heap, into inline and heap targets.
    for (const Script* source : {&p2wpkh, &p2wsh}) {
        Script copy(*source);
        BOOST_CHECK(copy == *source);
        Script target = p2wsh;
        target = copy;
        BOOST_CHECK(target == *source);
        Script moved(std::move(copy));
        BOOST_CHECK(moved == *source);
        BOOST_CHECK(copy.empty());
        Script small = p2wpkh;
        small = std::move(moved);
        BOOST_CHECK(small == *source);
        Script other = FromHex("51");
        other.swap(small);
        BOOST_CHECK(other == *source);
        BOOST_CHECK(small == FromHex("51"));
    }
}

BOOST_AUTO_TEST_CASE(small_buffer_edits_like_a_vector)
{
    std::mt19937 rng(7);
    Script s;
    Bytes model;
    for (int step = 0; step < 3000; ++step) {
        const unsigned pos = model.empty() ? 0 : rng() % (model.size() + 1);
        const unsigned char value = static_cast<unsigned char>(rng());
        switch (rng() % 8) {
        case 0: s.insert(s.begin() + pos, value); model.insert(model.begin() + pos, value); break;
        case 1: {
            const unsigned n = rng() % 30;
            s.insert(s.begin() + pos, n, value);
            model.insert(model.begin() + pos, n, value);
            break;
        }
        case 2: {
            // Inserting a piece of itself (the storage may move meanwhile).
            const unsigned from = model.empty() ? 0 : rng() % model.size();
            const unsigned to = from + (model.empty() ? 0 : rng() % (model.size() - from + 1));
            s.insert(s.begin() + pos, s.begin() + from, s.begin() + to);
            const Bytes piece(model.begin() + from, model.begin() + to);
            model.insert(model.begin() + pos, piece.begin(), piece.end());
            break;
        }
        case 3:
            if (pos < model.size()) {
                const unsigned last = pos + rng() % (model.size() - pos + 1);
                s.erase(s.begin() + pos, s.begin() + last);
                model.erase(model.begin() + pos, model.begin() + last);
            }
            break;
        case 4: {
            const unsigned n = rng() % 50;
            s.resize(n, value);
            model.resize(n, value);
            break;
        }
        case 5: s.push_back(value); model.push_back(value); break;
        case 6:
            if (!model.empty()) {
                s.pop_back();
                model.pop_back();
            }
            break;
        case 7:
            if (rng() % 4 == 0) {
                s.shrink_to_fit();
            } else {
                s.reserve(rng() % 60);
            }
            break;
        }
        BOOST_REQUIRE(Bytes(s.begin(), s.end()) == model);
        BOOST_REQUIRE_EQUAL(s.size(), model.size());
        BOOST_REQUIRE_GE(s.capacity(), s.size());
        if (model.size() > 100) {
            s.clear();
            model.clear();
        }
    }
}

BOOST_AUTO_TEST_CASE(small_buffer_compares_and_serializes_like_a_vector)
{
    const Bytes a = ParseHex("0014751e76e8199196d454941c45d1b3a323f1433bd6");
    const Bytes b = ParseHex("00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262");
    const Script sa(a.begin(), a.end()), sb(b.begin(), b.end());
    BOOST_CHECK((sa < sb) == (a < b));
    BOOST_CHECK((sb < sa) == (b < a));
    BOOST_CHECK(sa == a);
    BOOST_CHECK(!(sa == sb));
    const Bytes back = sb;  // converts to a plain vector
    BOOST_CHECK(back == b);
    for (const Bytes* bytes : {&a, &b}) {
        const Script script(bytes->begin(), bytes->end());
        DataStream as_script, as_vector;
        as_script << script;
        as_vector << *bytes;
        BOOST_CHECK(Bytes(as_script.begin(), as_script.end()) == Bytes(as_vector.begin(), as_vector.end()));
        Script read;
        as_script >> read;
        BOOST_CHECK(read == script);
    }
}

BOOST_AUTO_TEST_SUITE_END()
