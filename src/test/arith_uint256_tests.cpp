// arith_uint256: arithmetic checked against unsigned __int128 where values
// fit, and the compact target encoding with its sign and overflow cases.

#include <arith_uint256.h>
#include <uint256.h>

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <random>
#include <string>

BOOST_AUTO_TEST_SUITE(arith_uint256_tests)

namespace {

using u128 = unsigned __int128;

arith_uint256 From128(u128 v)
{
    return (arith_uint256(static_cast<uint64_t>(v >> 64)) << 64) | arith_uint256(static_cast<uint64_t>(v));
}

u128 To128(const arith_uint256& a)
{
    return (u128{(a >> 64).GetLow64()} << 64) | a.GetLow64();
}

arith_uint256 FromHex(const std::string& hex)
{
    return UintToArith256(*uint256::FromHex(hex));
}

struct CompactCase {
    uint32_t compact;
    const char* value_hex; // 64 digits, big-endian
    bool negative;
    bool overflow;
    uint32_t recompact; // GetCompact(negative) of the decoded value
};

} // namespace

BOOST_AUTO_TEST_CASE(arithmetic_matches_128_bit)
{
    std::mt19937_64 rng(42);
    for (int i = 0; i < 2000; ++i) {
        BOOST_TEST_CONTEXT("iteration " << i)
        {
            const uint64_t x = rng() >> (rng() % 64);
            const uint64_t y = (rng() >> (rng() % 64)) | 1;
            const u128 big = (u128{rng()} << 64) | rng();
            BOOST_CHECK(To128(From128(big)) == big);
            BOOST_CHECK(To128(arith_uint256(x) * arith_uint256(y)) == u128{x} * y);
            BOOST_CHECK(To128(arith_uint256(x) + arith_uint256(y)) == u128{x} + y);
            BOOST_CHECK(To128(From128(big) / arith_uint256(y)) == big / y);
            BOOST_CHECK(To128(From128(big) * static_cast<uint32_t>(y)) == big * static_cast<uint32_t>(y));
            if (x >= y) BOOST_CHECK(To128(arith_uint256(x) - arith_uint256(y)) == u128{x - y});
            const unsigned shift = rng() % 64;
            BOOST_CHECK(To128(arith_uint256(x) << shift) == u128{x} << shift);
            BOOST_CHECK(To128(From128(big) >> shift) == big >> shift);
            BOOST_CHECK((From128(big) < arith_uint256(x)) == (big < u128{x}));
            BOOST_CHECK_EQUAL(arith_uint256(x).bits(), x == 0 ? 0U : 64U - __builtin_clzll(x));
        }
    }
}

BOOST_AUTO_TEST_CASE(wraps_modulo_2_256)
{
    const arith_uint256 max = ~arith_uint256(0);
    BOOST_CHECK_EQUAL(max.GetHex(), std::string(64, 'f'));
    BOOST_CHECK(max + 1 == 0);
    BOOST_CHECK(arith_uint256(0) - 1 == max);
    BOOST_CHECK(-arith_uint256(1) == max);
    BOOST_CHECK_EQUAL(max.bits(), 256U);
    BOOST_CHECK((arith_uint256(1) << 255).bits() == 256U);
    BOOST_CHECK((arith_uint256(1) << 256) == 0);
    BOOST_CHECK((max >> 256) == 0);
    BOOST_CHECK((max >> 255) == 1);
    BOOST_CHECK((arith_uint256(3) << 254) >> 254 == 3); // the top bit stays
    BOOST_CHECK((arith_uint256(1) << 128) * (arith_uint256(1) << 128) == 0);
    BOOST_CHECK(max * max == 1); // (-1)^2

    arith_uint256 counter = max;
    ++counter;
    BOOST_CHECK(counter == 0);
    --counter;
    BOOST_CHECK(counter == max);

    BOOST_CHECK_THROW(max / arith_uint256(0), std::domain_error);
    BOOST_CHECK(max / max == 1);
    BOOST_CHECK(arith_uint256(5) / max == 0);
    BOOST_CHECK(max / (arith_uint256(1) << 255) == 1);
    BOOST_CHECK((max / 3).GetHex() == std::string(64, '5'));
}

BOOST_AUTO_TEST_CASE(bitwise_and_hex)
{
    const arith_uint256 a = FromHex("f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0");
    const arith_uint256 b = FromHex("ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00");
    BOOST_CHECK_EQUAL((a & b).GetHex(), "f000f000f000f000f000f000f000f000f000f000f000f000f000f000f000f000");
    BOOST_CHECK_EQUAL((a | b).GetHex(), "fff0fff0fff0fff0fff0fff0fff0fff0fff0fff0fff0fff0fff0fff0fff0fff0");
    BOOST_CHECK_EQUAL((a ^ b).GetHex(), "0ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff0");
    BOOST_CHECK_EQUAL((~a).GetHex(), "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f");
    // Shifts across limb boundaries.
    BOOST_CHECK_EQUAL((arith_uint256(0x123456789abcdef0ULL) << 100).GetHex(),
                      "00000000000000000000000123456789abcdef00000000000000000000000000");
    BOOST_CHECK_EQUAL((FromHex("00000000000000000000000123456789abcdef00000000000000000000000000") >> 100).GetLow64(),
                      0x123456789abcdef0ULL);
    BOOST_CHECK((a >> 4 << 4) == (a & ~arith_uint256(0xf)));
    BOOST_CHECK_EQUAL(arith_uint256(1).getdouble(), 1.0);
    BOOST_CHECK_EQUAL((arith_uint256(1) << 200).getdouble(), 1.6069380442589903e60);
}

BOOST_AUTO_TEST_CASE(uint256_round_trip)
{
    const std::string hex = "00000000000000000002a7c4c1e48d76c5a37902165a270156b7a8d72728a054";
    const uint256 u = *uint256::FromHex(hex);
    const arith_uint256 a = UintToArith256(u);
    BOOST_CHECK_EQUAL(a.GetHex(), hex);
    BOOST_CHECK(ArithToUint256(a) == u);
    BOOST_CHECK_EQUAL(a.GetLow64(), 0x56b7a8d72728a054ULL);
    BOOST_CHECK_EQUAL(a.GetLimb(0), 0x2728a054U);
}

BOOST_AUTO_TEST_CASE(compact_encoding)
{
    const std::string zero(64, '0');
    // Values shifted into nothing, the sign bit, the overflow boundaries and
    // mainnet's targets.
    const CompactCase cases[] = {
        {0x00000000, "0", false, false, 0x00000000},
        {0x00123456, "0", false, false, 0x00000000},
        {0x01003456, "0", false, false, 0x00000000},
        {0x02000056, "0", false, false, 0x00000000},
        {0x03000000, "0", false, false, 0x00000000},
        {0x04000000, "0", false, false, 0x00000000},
        {0x00923456, "0", false, false, 0x00000000}, // sign bit on a zero mantissa: not negative
        {0x01803456, "0", false, false, 0x00000000},
        {0x02800056, "0", false, false, 0x00000000},
        {0x03800000, "0", false, false, 0x00000000},
        {0x04800000, "0", false, false, 0x00000000},
        {0x01123456, "12", false, false, 0x01120000},
        {0x01fedcba, "7e", true, false, 0x01fe0000},
        {0x02123456, "1234", false, false, 0x02123400},
        {0x03123456, "123456", false, false, 0x03123456},
        {0x04123456, "12345600", false, false, 0x04123456},
        {0x04923456, "12345600", true, false, 0x04923456},
        {0x05009234, "92340000", false, false, 0x05009234},
        {0x20123456, "1234560000000000000000000000000000000000000000000000000000000000", false, false, 0x20123456},
        // 34 bytes of exponent, one-byte mantissa: 2^248 still fits.
        {0x22000001, "0100000000000000000000000000000000000000000000000000000000000000", false, false, 0x20010000},
        {0x21000100, "0100000000000000000000000000000000000000000000000000000000000000", false, false, 0x20010000},
        {0x20010000, "0100000000000000000000000000000000000000000000000000000000000000", false, false, 0x20010000},
        {0x1d00ffff, "00000000ffff0000000000000000000000000000000000000000000000000000", false, false, 0x1d00ffff},
        {0x17030ecd, "000000000000000000030ecd0000000000000000000000000000000000000000", false, false, 0x17030ecd},
        // Non-minimal encodings decode to the same value and re-encode minimally.
        {0x04000080, "8000", false, false, 0x03008000},
        {0x05000012, "120000", false, false, 0x03120000},
    };
    for (const CompactCase& c : cases) {
        BOOST_TEST_CONTEXT("compact 0x" << std::hex << c.compact)
        {
            bool negative = !c.negative;
            bool overflow = true;
            arith_uint256 value;
            value.SetCompact(c.compact, &negative, &overflow);
            std::string expected = c.value_hex;
            expected = std::string(64 - expected.size(), '0') + expected;
            BOOST_CHECK_EQUAL(value.GetHex(), expected);
            BOOST_CHECK_EQUAL(negative, c.negative);
            BOOST_CHECK_EQUAL(overflow, c.overflow);
            BOOST_CHECK_EQUAL(value.GetCompact(negative), c.recompact);
        }
    }

    // Overflow: the value would need more than 256 bits.
    const uint32_t overflowing[] = {0x23000001, 0x22000100, 0x21010000, 0xff123456, 0x25000001, 0x2200ffff};
    for (uint32_t compact : overflowing) {
        BOOST_TEST_CONTEXT("overflow 0x" << std::hex << compact)
        {
            bool negative = true;
            bool overflow = false;
            arith_uint256().SetCompact(compact, &negative, &overflow);
            BOOST_CHECK(overflow);
            BOOST_CHECK(!negative);
        }
    }
    // The flags are ignored when no pointer is given.
    BOOST_CHECK(arith_uint256().SetCompact(0x01123456) == 0x12);

    // Small numbers whose top byte has the sign bit set move one byte up.
    BOOST_CHECK_EQUAL(arith_uint256(0x80).GetCompact(), 0x02008000U);
    BOOST_CHECK_EQUAL(arith_uint256(0x800000).GetCompact(), 0x04008000U);
    BOOST_CHECK_EQUAL(arith_uint256(0x7fffff).GetCompact(), 0x037fffffU);
    BOOST_CHECK_EQUAL(arith_uint256(0).GetCompact(true), 0U); // no negative zero
    BOOST_CHECK_EQUAL(arith_uint256(1).GetCompact(true), 0x01810000U);
    // Rounds down: the bytes below the mantissa are dropped.
    BOOST_CHECK_EQUAL(arith_uint256(0x12345678).GetCompact(), 0x04123456U);
    BOOST_CHECK_EQUAL((~arith_uint256(0)).GetCompact(), 0x2100ffffU);
}

BOOST_AUTO_TEST_CASE(compact_round_trip_keeps_top_bits)
{
    std::mt19937_64 rng(7);
    for (int i = 0; i < 1000; ++i) {
        arith_uint256 value = (From128((u128{rng()} << 64) | rng()) << 128) | From128((u128{rng()} << 64) | rng());
        value >>= rng() % 256;
        const uint32_t compact = value.GetCompact();
        bool negative = true;
        bool overflow = true;
        arith_uint256 decoded;
        decoded.SetCompact(compact, &negative, &overflow);
        BOOST_TEST_CONTEXT("value " << value.GetHex())
        {
            BOOST_CHECK(!negative);
            BOOST_CHECK(!overflow);
            BOOST_CHECK(decoded <= value);
            // At most the bits below the mantissa (16 to 24 significant bits) are lost;
            // below 2^23 the mantissa holds the whole value.
            if (value.bits() >= 24) BOOST_CHECK((value - decoded) < (arith_uint256(1) << (value.bits() - 15)));
            else BOOST_CHECK(decoded == value);
            BOOST_CHECK_EQUAL(decoded.GetCompact(), compact); // canonical
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
