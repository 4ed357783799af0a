#include <util/strencodings.h>

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(strencodings_tests)

BOOST_AUTO_TEST_CASE(hexstr_encodes_lower_case_in_order)
{
    BOOST_CHECK_EQUAL(HexStr({}), "");
    const std::vector<unsigned char> bytes = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
    BOOST_CHECK_EQUAL(HexStr(bytes), "00017f80abff");
}

BOOST_AUTO_TEST_CASE(parse_accepts_both_cases)
{
    const std::vector<unsigned char> expected = {0xde, 0xad, 0xbe, 0xef, 0x09};
    for (const char* hex : {"deadbeef09", "DEADBEEF09", "DeAdBeEf09"}) {
        BOOST_TEST_CONTEXT("input '" << hex << "'")
        {
            const auto parsed = TryParseHex(hex);
            BOOST_REQUIRE(parsed.has_value());
            BOOST_CHECK(*parsed == expected);
            BOOST_CHECK(ParseHex(hex) == expected);
        }
    }
    const auto empty = TryParseHex("");
    BOOST_REQUIRE(empty.has_value());
    BOOST_CHECK(empty->empty());
}

BOOST_AUTO_TEST_CASE(parse_rejects_malformed_input)
{
    const std::vector<std::string> invalid = {
        "0",      "abc",  "0x00",    " 00", "00 ", "0 0", "g0", "0g", "-1", "+1",
        "zz",     "\xff" "0", std::string("00\0" "0", 4), "０1", // full-width digit: UTF-8, not hex
    };
    for (size_t i = 0; i < invalid.size(); ++i) {
        BOOST_TEST_CONTEXT("invalid input #" << i)
        {
            BOOST_CHECK(!TryParseHex(invalid[i]).has_value());
            BOOST_CHECK(ParseHex(invalid[i]).empty());
        }
    }
}

BOOST_AUTO_TEST_CASE(round_trip_every_byte)
{
    std::vector<unsigned char> all(256);
    for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<unsigned char>(i);
    const std::string hex = HexStr(all);
    BOOST_CHECK_EQUAL(hex.size(), 512U);
    BOOST_CHECK(TryParseHex(hex) == all);
    for (size_t i = 0; i < all.size(); ++i) {
        // Every character value that is not a hex digit is rejected in either position.
        const char c = static_cast<char>(i);
        const bool is_hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        BOOST_CHECK_EQUAL(TryParseHex(std::string{c, '0'}).has_value(), is_hex);
        BOOST_CHECK_EQUAL(TryParseHex(std::string{'0', c}).has_value(), is_hex);
    }
}

BOOST_AUTO_TEST_SUITE_END()
