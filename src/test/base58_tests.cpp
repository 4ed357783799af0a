// Base58 and Base58Check over core/base58_encode_decode.json.
#include <test/util/vectors.h>
#include <util/base58.h>
#include <util/strencodings.h>

#include <boost/test/unit_test.hpp>

#include <random>
#include <string>

BOOST_AUTO_TEST_SUITE(base58_tests)

BOOST_AUTO_TEST_CASE(encode_decode_vectors)
{
    const auto vectors = test_util::ReadVectorJson("core/base58_encode_decode.json");
    BOOST_REQUIRE(!vectors.empty());
    size_t index = 0;
    for (const auto& row : vectors) {
        const std::string hex = row.at(0).get<std::string>();
        const std::string base58 = row.at(1).get<std::string>();
        BOOST_TEST_CONTEXT("vector " << index++ << " [\"" << hex << "\", \"" << base58 << "\"]")
        {
            const auto bytes = test_util::HexToBytes(hex);
            BOOST_CHECK_EQUAL(EncodeBase58(bytes), base58);
            const auto decoded = DecodeBase58(base58, 256);
            BOOST_REQUIRE(decoded.has_value());
            BOOST_CHECK_EQUAL(HexStr(*decoded), HexStr(bytes));
            // The length limit is exact: one byte less is refused.
            BOOST_CHECK(DecodeBase58(base58, bytes.size()).has_value());
            if (!bytes.empty()) BOOST_CHECK(!DecodeBase58(base58, bytes.size() - 1).has_value());
        }
    }
}

BOOST_AUTO_TEST_CASE(decode_rejects)
{
    BOOST_CHECK(!DecodeBase58("invalid", 100));   // 'l' is not in the alphabet
    BOOST_CHECK(!DecodeBase58("0OIl", 100));
    const std::string digits = EncodeBase58(ParseHex("0001020304fffe"));
    BOOST_CHECK(!DecodeBase58(std::string("\0", 1) + digits, 100));
    BOOST_CHECK(!DecodeBase58(digits.substr(0, 3) + " " + digits.substr(3), 100)); // whitespace inside
    BOOST_CHECK(!DecodeBase58(digits + "\xc3\xa9", 100));                       // non-ASCII
    // Surrounding ASCII whitespace is ignored.
    const auto trimmed = DecodeBase58(" \t\n" + digits + "\r\f\v ", 100);
    BOOST_REQUIRE(trimmed.has_value());
    BOOST_CHECK_EQUAL(HexStr(*trimmed), "0001020304fffe");
    BOOST_CHECK(DecodeBase58("   ", 0).value_or(std::vector<unsigned char>{1}).empty());
}

BOOST_AUTO_TEST_CASE(max_length_bounds_work)
{
    // A million leading '1's or digits must not make a million-byte result
    // when the caller allows 21 bytes.
    BOOST_CHECK(!DecodeBase58(std::string(1000000, '1'), 21));
    BOOST_CHECK(!DecodeBase58(std::string(1000000, 'z'), 21));
    BOOST_CHECK(DecodeBase58(std::string(21, '1'), 21).has_value());
    BOOST_CHECK(!DecodeBase58(std::string(22, '1'), 21).has_value());
}

BOOST_AUTO_TEST_CASE(check_round_trip_and_corruption)
{
    // The vector file's 25-byte "00eb15..." row is not checksummed; this is
    // its first 21 bytes with their real checksum (72c3534b, checked with
    // Python's hashlib).
    const auto payload = ParseHex("00eb15231dfceb60925886b67d065299925915aeb1");
    const std::string encoded = EncodeBase58Check(payload);
    BOOST_CHECK_EQUAL(encoded, "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJED9L");
    const auto decoded = DecodeBase58Check(encoded, 21);
    BOOST_REQUIRE(decoded.has_value());
    BOOST_CHECK_EQUAL(HexStr(*decoded), HexStr(payload));
    BOOST_CHECK(!DecodeBase58Check(encoded, 20));   // payload longer than allowed
    // Any changed character breaks the checksum.
    for (size_t i = 0; i < encoded.size(); ++i) {
        std::string changed = encoded;
        changed[i] = changed[i] == 'z' ? 'y' : 'z';
        BOOST_CHECK_MESSAGE(!DecodeBase58Check(changed, 21), "change at " << i << " accepted");
    }
    // Too short to hold a checksum.
    BOOST_CHECK(!DecodeBase58Check("", 21));
    BOOST_CHECK(!DecodeBase58Check("111", 21)); // three bytes
    // An empty payload has a checksum too.
    const std::string empty = EncodeBase58Check({});
    BOOST_CHECK(DecodeBase58Check(empty, 0).value_or(std::vector<unsigned char>{1}).empty());
}

// Random byte strings round-trip; random text never crashes the decoders.
BOOST_AUTO_TEST_CASE(random_round_trip)
{
    std::mt19937 rng{58};
    for (int i = 0; i < 2000; ++i) {
        std::vector<unsigned char> bytes(rng() % 80);
        for (auto& b : bytes) b = static_cast<unsigned char>(rng() % 4 == 0 ? 0 : rng());
        const std::string text = EncodeBase58(bytes);
        BOOST_CHECK(DecodeBase58(text, bytes.size()) == bytes);
        BOOST_CHECK(DecodeBase58Check(EncodeBase58Check(bytes), bytes.size()) == bytes);
        std::string noise(rng() % 60, ' ');
        for (auto& c : noise) c = static_cast<char>(rng());
        if (const auto decoded = DecodeBase58(noise, 100)) {
            BOOST_CHECK_LE(decoded->size(), 100U);
        }
        DecodeBase58Check(noise, 100);
    }
}

BOOST_AUTO_TEST_SUITE_END()
