// Compact coin encodings: VARINT, amount and script compression, Coin.
#include <kernel/coins.h>
#include <kernel/compressor.h>
#include <streams.h>
#include <util/strencodings.h>

#include <boost/test/unit_test.hpp>

#include <random>

namespace {
std::vector<unsigned char> VarIntBytes(uint64_t n)
{
    DataStream s;
    WriteVarInt(s, n);
    return {s.begin(), s.end()};
}
std::vector<unsigned char> Bytes(const std::string& hex) { return ParseHex(hex); }

template <typename T>
std::vector<unsigned char> Ser(const T& obj)
{
    DataStream s;
    s << obj;
    return {s.begin(), s.end()};
}

Script ScriptFromHex(const std::string& hex)
{
    const auto b = ParseHex(hex);
    return Script(b.begin(), b.end());
}

Script RoundTripScript(const Script& script, size_t* encoded_size = nullptr)
{
    DataStream s;
    WriteCompressedScript(s, script);
    if (encoded_size) *encoded_size = s.size();
    Script back;
    ReadCompressedScript(s, back);
    BOOST_CHECK(s.empty());
    return back;
}

// The generator point of secp256k1, uncompressed (y even).
const std::string G_UNCOMPRESSED =
    "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
    "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8";
} // namespace

BOOST_AUTO_TEST_SUITE(compressor_tests)

BOOST_AUTO_TEST_CASE(varint_known_encodings)
{
    const std::vector<std::pair<uint64_t, std::string>> cases = {
        {0, "00"}, {1, "01"}, {0x7f, "7f"}, {0x80, "8000"}, {0xff, "807f"}, {0x100, "8100"},
        {0x1234, "a334"}, {16511, "ff7f"}, {16512, "808000"}, {0xffff, "82fe7f"},
        {0x123456, "c7e756"}, {0x80123456, "86ffc7e756"}, {0xffffffff, "8efefefe7f"},
    };
    for (const auto& [n, hex] : cases) {
        BOOST_CHECK_MESSAGE(VarIntBytes(n) == Bytes(hex), "VARINT(" << n << ")");
        DataStream s{Bytes(hex)};
        BOOST_CHECK_EQUAL(ReadVarInt(s), n);
        BOOST_CHECK(s.empty());
    }
}

BOOST_AUTO_TEST_CASE(varint_round_trip_and_limits)
{
    std::mt19937_64 rng(7);
    for (int i = 0; i < 10000; ++i) {
        const uint64_t n = rng() >> (rng() % 64);
        DataStream s;
        WriteVarInt(s, n);
        BOOST_CHECK_EQUAL(ReadVarInt(s), n);
    }
    // Largest 64-bit value round-trips; one more group overflows.
    DataStream s;
    WriteVarInt(s, std::numeric_limits<uint64_t>::max());
    BOOST_CHECK_EQUAL(ReadVarInt(s), std::numeric_limits<uint64_t>::max());
    DataStream big{Bytes("8efefefe7f")};
    BOOST_CHECK_THROW(ReadVarInt(big, 0xfffffffe), std::ios_base::failure);
    DataStream overflow{Bytes("ffffffffffffffffffffff7f")};
    BOOST_CHECK_THROW(ReadVarInt(overflow), std::ios_base::failure);
    DataStream truncated{Bytes("80")};
    BOOST_CHECK_THROW(ReadVarInt(truncated), std::ios_base::failure);
    uint32_t v = 300;
    DataStream w;
    w << AsVarInt(v);
    uint32_t r = 0;
    w >> AsVarInt(r);
    BOOST_CHECK_EQUAL(r, 300u);
}

BOOST_AUTO_TEST_CASE(amount_known_values)
{
    BOOST_CHECK_EQUAL(CompressAmount(0), 0u);
    BOOST_CHECK_EQUAL(CompressAmount(1), 1u);
    BOOST_CHECK_EQUAL(CompressAmount(1000000), 7u);            // 0.01 BTC
    BOOST_CHECK_EQUAL(CompressAmount(COIN), 9u);               // 1 BTC
    BOOST_CHECK_EQUAL(CompressAmount(50 * COIN), 50u);         // 5 * 10^9
    BOOST_CHECK_EQUAL(CompressAmount(MAX_MONEY), 21000000u);   // 21 * 10^14
    for (uint64_t x : {uint64_t{0}, uint64_t{1}, uint64_t{7}, uint64_t{9}, uint64_t{50}, uint64_t{21000000}}) {
        BOOST_CHECK_EQUAL(CompressAmount(DecompressAmount(x)), x);
    }
}

BOOST_AUTO_TEST_CASE(amount_round_trips)
{
    for (uint64_t i = 0; i <= 100000; ++i) BOOST_CHECK_EQUAL(DecompressAmount(CompressAmount(i)), i);
    for (uint64_t i = 1; i <= 100000; ++i) BOOST_CHECK_EQUAL(CompressAmount(DecompressAmount(i)), i);
    for (uint64_t base = 1; base <= 100; ++base) {
        uint64_t v = base;
        for (int e = 0; e < 16; ++e, v *= 10) BOOST_CHECK_EQUAL(DecompressAmount(CompressAmount(v)), v);
    }
    std::mt19937_64 rng(3);
    for (int i = 0; i < 100000; ++i) {
        const uint64_t v = rng() % (uint64_t(MAX_MONEY) + 1);
        BOOST_CHECK_EQUAL(DecompressAmount(CompressAmount(v)), v);
    }
}

BOOST_AUTO_TEST_CASE(script_special_forms)
{
    const std::string h160 = "00112233445566778899aabbccddeeff00112233";
    size_t size = 0;

    const Script p2pkh = ScriptFromHex("76a914" + h160 + "88ac");
    BOOST_CHECK(RoundTripScript(p2pkh, &size) == p2pkh);
    BOOST_CHECK_EQUAL(size, 21u);
    BOOST_CHECK(CompressScriptSpecial(p2pkh) == Bytes("00" + h160));

    const Script p2sh = ScriptFromHex("a914" + h160 + "87");
    BOOST_CHECK(RoundTripScript(p2sh, &size) == p2sh);
    BOOST_CHECK_EQUAL(size, 21u);
    BOOST_CHECK(CompressScriptSpecial(p2sh) == Bytes("01" + h160));

    const std::string x = G_UNCOMPRESSED.substr(2, 64);
    for (const char* prefix : {"02", "03"}) {
        const Script p2pk = ScriptFromHex(std::string("21") + prefix + x + "ac");
        BOOST_CHECK(RoundTripScript(p2pk, &size) == p2pk);
        BOOST_CHECK_EQUAL(size, 33u);
        BOOST_CHECK(CompressScriptSpecial(p2pk) == Bytes(prefix + x));
    }

    // Uncompressed P2PK: type 0x04 | parity of y, y recomputed from x.
    const Script p2pk_u = ScriptFromHex("41" + G_UNCOMPRESSED + "ac");
    BOOST_CHECK(CompressScriptSpecial(p2pk_u) == Bytes("04" + x));
    BOOST_CHECK(RoundTripScript(p2pk_u, &size) == p2pk_u);
    BOOST_CHECK_EQUAL(size, 33u);
    // -G has the same x and the odd y.
    const Script neg_g = ScriptFromHex(
        "41" "04" + x + "b7c52588d95c3b9aa25b0403f1eef75702e84bb7597aabe663b82f6f04ef2777" "ac");
    BOOST_CHECK(CompressScriptSpecial(neg_g) == Bytes("05" + x));
    BOOST_CHECK(RoundTripScript(neg_g) == neg_g);

    // An uncompressed key off the curve is kept verbatim.
    Script off_curve = p2pk_u;
    off_curve[66] ^= 1;
    BOOST_CHECK(CompressScriptSpecial(off_curve).empty());
    BOOST_CHECK(RoundTripScript(off_curve, &size) == off_curve);
    BOOST_CHECK_EQUAL(size, 1u + 67u);
    // A compressed P2PK prefix byte that is not 02/03 is not special.
    const Script bad_prefix = ScriptFromHex("2104" + x + "ac");
    BOOST_CHECK(CompressScriptSpecial(bad_prefix).empty());
}

BOOST_AUTO_TEST_CASE(script_generic_forms)
{
    // P2WPKH: VARINT(22 + 6) then the 22 bytes.
    const Script p2wpkh = ScriptFromHex("0014" + std::string(40, 'a'));
    DataStream s;
    WriteCompressedScript(s, p2wpkh);
    BOOST_CHECK_EQUAL(s.size(), 23u);
    BOOST_CHECK_EQUAL(*s.begin(), 28);
    BOOST_CHECK(RoundTripScript(p2wpkh) == p2wpkh);
    BOOST_CHECK(RoundTripScript(Script{}) == Script{});

    // Above MAX_COMPRESSED_SCRIPT_SIZE: read back as a lone OP_RETURN, and
    // the stream is positioned after the script.
    Script huge(MAX_COMPRESSED_SCRIPT_SIZE + 1, 0x51);
    DataStream h;
    WriteCompressedScript(h, huge);
    h << uint8_t{0x42};
    Script back;
    ReadCompressedScript(h, back);
    BOOST_CHECK(back == Script(1, OP_RETURN));
    uint8_t tail = 0;
    h >> tail;
    BOOST_CHECK_EQUAL(tail, 0x42);
    Script limit(MAX_COMPRESSED_SCRIPT_SIZE, 0x51);
    BOOST_CHECK(RoundTripScript(limit) == limit);

    // Invalid uncompressed-key payload (x not on the curve) fails to read.
    DataStream bad{Bytes("05" + std::string(64, '0'))};
    Script out;
    BOOST_CHECK_THROW(ReadCompressedScript(bad, out), std::ios_base::failure);
}

BOOST_AUTO_TEST_CASE(coin_serialization)
{
    const std::string h160 = "00112233445566778899aabbccddeeff00112233";
    TxOut out;
    out.value = 50 * COIN;
    out.script_pubkey = ScriptFromHex("76a914" + h160 + "88ac");
    const Coin coin(out, 1, true);
    // VARINT(1 * 2 + 1), VARINT(CompressAmount(50 BTC) = 50), type 0 + hash.
    BOOST_CHECK(Ser(coin) == Bytes("03" "32" "00" + h160));
    Coin back;
    DataStream s{Ser(coin)};
    s >> back;
    BOOST_CHECK(back == coin);

    const Coin tall(out, 500000, false);
    DataStream t;
    t << tall;
    Coin back2;
    t >> back2;
    BOOST_CHECK(back2 == tall);
    BOOST_CHECK_EQUAL(back2.height, 500000u);
    BOOST_CHECK(!back2.coinbase);
    // The largest height round-trips.
    const Coin top(out, std::numeric_limits<uint32_t>::max(), true);
    DataStream u;
    u << top;
    Coin back3;
    u >> back3;
    BOOST_CHECK(back3 == top);
}

// Damaged records from disk: reading random bytes as a Coin either succeeds
// or throws std::ios_base::failure, never anything worse.
BOOST_AUTO_TEST_CASE(coin_from_random_bytes)
{
    std::mt19937_64 rng(9);
    unsigned ok = 0, failed = 0;
    for (int i = 0; i < 20000; ++i) {
        std::vector<unsigned char> bytes(rng() % 40);
        for (auto& b : bytes) b = static_cast<unsigned char>(rng());
        // Big size prefixes now and then.
        if (!bytes.empty() && rng() % 4 == 0) bytes[0] = 0xff;
        DataStream s{bytes};
        Coin c;
        try {
            s >> c;
            ++ok;
        } catch (const std::ios_base::failure&) {
            ++failed;
        }
    }
    BOOST_CHECK_GT(ok, 0u);
    BOOST_CHECK_GT(failed, 0u);
}

BOOST_AUTO_TEST_SUITE_END()
