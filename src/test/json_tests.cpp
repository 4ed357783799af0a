#include <util/json.h>

#include <boost/test/unit_test.hpp>

#include <limits>
#include <string>

BOOST_AUTO_TEST_SUITE(json_tests)

BOOST_AUTO_TEST_CASE(raw_numbers_keep_their_text)
{
    const Json amount = JsonRawNumber("50.00000000");
    BOOST_CHECK(IsJsonRawNumber(amount));
    BOOST_CHECK_EQUAL(*JsonNumberText(amount), "50.00000000");
    BOOST_CHECK_EQUAL(WriteJson(amount), "50.00000000");

    Json obj = Json::object();
    obj["amount"] = JsonRawNumber("0.00010000");
    obj["neg"] = JsonRawNumber("-1.5e-7");
    BOOST_CHECK_EQUAL(WriteJson(obj), R"({"amount":0.00010000,"neg":-1.5e-7})");

    // Not a number: refused.
    for (const char* bad : {"", "-", "01", "1.", ".5", "1e", "1e+", "abc", "1 ", "+1", "NaN", "0x10"}) {
        BOOST_TEST_CONTEXT("text '" << bad << "'") { BOOST_CHECK_THROW(JsonRawNumber(bad), std::invalid_argument); }
    }
    for (const char* good : {"0", "-0", "1.0", "1e5", "1E+5", "-12.340e-10", "123456789012345678901234567890"}) {
        BOOST_TEST_CONTEXT("text '" << good << "'") { BOOST_CHECK_EQUAL(WriteJson(JsonRawNumber(good)), good); }
    }
}

BOOST_AUTO_TEST_CASE(number_text_of_plain_numbers)
{
    BOOST_CHECK_EQUAL(*JsonNumberText(Json(42)), "42");
    BOOST_CHECK_EQUAL(*JsonNumberText(Json(-7)), "-7");
    BOOST_CHECK_EQUAL(*JsonNumberText(Json(std::numeric_limits<uint64_t>::max())), "18446744073709551615");
    BOOST_CHECK_EQUAL(*JsonNumberText(Json(0.5)), "0.5");
    BOOST_CHECK(!JsonNumberText(Json("1")));
    BOOST_CHECK(!JsonNumberText(Json(nullptr)));
    BOOST_CHECK(!IsJsonRawNumber(Json(1.5)));
    BOOST_CHECK(!IsJsonRawNumber(Json::binary({1, 2})));
}

BOOST_AUTO_TEST_CASE(parse_keeps_non_integers_raw)
{
    const auto doc = ParseJson(R"({"a":1.50000000,"b":[1,-2,18446744073709551615,99999999999999999999999,-99999999999999999999],"c":1e3})");
    BOOST_REQUIRE(doc);
    BOOST_CHECK(IsJsonRawNumber((*doc)["a"]));
    BOOST_CHECK_EQUAL(*JsonNumberText((*doc)["a"]), "1.50000000");
    const Json& b = (*doc)["b"];
    BOOST_CHECK(b[0].is_number_integer() && b[0].get<int64_t>() == 1);
    BOOST_CHECK(b[1].get<int64_t>() == -2);
    BOOST_CHECK(b[2].is_number_unsigned());
    BOOST_CHECK(IsJsonRawNumber(b[3]));  // beyond 64 bits
    BOOST_CHECK(IsJsonRawNumber(b[4]));
    BOOST_CHECK(IsJsonRawNumber((*doc)["c"]));
    // Written back exactly as read.
    BOOST_CHECK_EQUAL(WriteJson(*doc), R"({"a":1.50000000,"b":[1,-2,18446744073709551615,99999999999999999999999,-99999999999999999999],"c":1e3})");
}

BOOST_AUTO_TEST_CASE(round_trips)
{
    for (const char* text : {
             R"([])", R"({})", R"(null)", R"(true)", R"("x")", R"(0.1)", R"([1,[2,[3,{}]]])",
             R"({"k":"v","a":[true,false,null],"n":-0.00000001})",
             R"({"z":1,"a":2,"m":3})",  // insertion order kept
         }) {
        BOOST_TEST_CONTEXT("doc " << text)
        {
            const auto doc = ParseJson(text);
            BOOST_REQUIRE(doc);
            BOOST_CHECK_EQUAL(WriteJson(*doc), text);
        }
    }
}

BOOST_AUTO_TEST_CASE(parse_errors)
{
    for (const char* text : {"", " ", "[1,2] x", "{", "[1,]", "{\"a\":}", "{'a':1}", "01", "1.", "[1 2]",
                             "\"\\x\"", "\"\\ud800\"", "nul", "[1]]", "/*c*/1", "\"a\nb\"", "\"\xff\""}) {
        BOOST_TEST_CONTEXT("doc '" << text << "'") { BOOST_CHECK(!ParseJson(text)); }
    }
    // Whitespace around a document is fine.
    BOOST_CHECK(ParseJson(" \t\r\n[ 1 , 2 ]\n"));
    // Nesting is limited (the writer recurses).
    BOOST_CHECK(ParseJson(std::string(512, '[') + std::string(512, ']')));
    BOOST_CHECK(!ParseJson(std::string(513, '[') + std::string(513, ']')));
    BOOST_CHECK(!ParseJson(std::string(100000, '[')));
}

BOOST_AUTO_TEST_CASE(object_keys)
{
    // A repeated key is kept twice, as UniValue reads it; lookups see the first.
    const auto doc = ParseJson(R"({"a":1,"b":2,"a":3})");
    BOOST_REQUIRE(doc);
    BOOST_CHECK_EQUAL(doc->size(), 3U);
    BOOST_CHECK_EQUAL((*doc)["a"].get<int>(), 1);
    BOOST_CHECK_EQUAL(doc->find("a")->get<int>(), 1);
    BOOST_CHECK_EQUAL(WriteJson(*doc), R"({"a":1,"b":2,"a":3})");
    // Many keys parse in linear time.
    std::string big = "{";
    for (int i = 0; i < 200000; ++i) big += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + std::to_string(i);
    big += "}";
    const auto parsed = ParseJson(big);
    BOOST_REQUIRE(parsed);
    BOOST_CHECK_EQUAL(parsed->size(), 200000U);
    BOOST_CHECK_EQUAL(WriteJson(*parsed), big);
}

BOOST_AUTO_TEST_CASE(compact_output_has_no_spaces)
{
    Json j = Json::object();
    j["name"] = "a b";
    j["list"] = Json::array({1, 2, Json::array()});
    j["obj"] = Json::object({{"x", nullptr}});
    j["t"] = true;
    BOOST_CHECK_EQUAL(WriteJson(j), R"({"name":"a b","list":[1,2,[]],"obj":{"x":null},"t":true})");
    BOOST_CHECK_EQUAL(WriteJson(j, 0), WriteJson(j));
}

BOOST_AUTO_TEST_CASE(pretty_output_like_univalue)
{
    Json j = Json::object();
    j["chain"] = "regtest";
    j["blocks"] = 200;
    j["warnings"] = Json::array();
    j["softforks"] = Json::object();
    j["list"] = Json::array({1, Json::object({{"a", JsonRawNumber("0.10000000")}})});
    const std::string expected =
        "{\n"
        "  \"chain\": \"regtest\",\n"
        "  \"blocks\": 200,\n"
        "  \"warnings\": [\n"
        "  ],\n"
        "  \"softforks\": {\n"
        "  },\n"
        "  \"list\": [\n"
        "    1,\n"
        "    {\n"
        "      \"a\": 0.10000000\n"
        "    }\n"
        "  ]\n"
        "}";
    BOOST_CHECK_EQUAL(WriteJson(j, 2), expected);

    BOOST_CHECK_EQUAL(WriteJson(Json::array({1, 2}), 4), "[\n    1,\n    2\n]");
    BOOST_CHECK_EQUAL(WriteJson(Json::array(), 4), "[\n]");
    BOOST_CHECK_EQUAL(WriteJson(Json::object(), 1), "{\n}");
    BOOST_CHECK_EQUAL(WriteJson(Json("x"), 4), "\"x\"");
}

BOOST_AUTO_TEST_CASE(string_escaping)
{
    BOOST_CHECK_EQUAL(WriteJson(Json("quote\" back\\ slash/")), R"("quote\" back\\ slash/")");
    BOOST_CHECK_EQUAL(WriteJson(Json("\b\f\n\r\t")), R"("\b\f\n\r\t")");
    BOOST_CHECK_EQUAL(WriteJson(Json(std::string("\x01\x1f\x7f", 3))), R"("\u0001\u001f\u007f")");
    BOOST_CHECK_EQUAL(WriteJson(Json(std::string("nul\0x", 5))), R"("nul\u0000x")");
    BOOST_CHECK_EQUAL(WriteJson(Json("é€😀")), "\"é€😀\"");  // UTF-8 passes through
    // Keys are escaped the same way.
    BOOST_CHECK_EQUAL(WriteJson(Json::object({{"a\"b", 1}})), R"({"a\"b":1})");
    // Escapes read back to the same string.
    const auto doc = ParseJson(R"("\u00e9\n\"\\\/\u0001")");
    BOOST_REQUIRE(doc);
    BOOST_CHECK_EQUAL(doc->get<std::string>(), "é\n\"\\/\x01");
    BOOST_CHECK_EQUAL(WriteJson(*doc), R"("é\n\"\\/\u0001")");
}

BOOST_AUTO_TEST_CASE(doubles_with_16_significant_digits)
{
    BOOST_CHECK_EQUAL(WriteJson(Json(0.1)), "0.1");
    BOOST_CHECK_EQUAL(WriteJson(Json(1.0 / 3)), "0.3333333333333333");
    BOOST_CHECK_EQUAL(WriteJson(Json(2.0 / 3)), "0.6666666666666666");
    BOOST_CHECK_EQUAL(WriteJson(Json(100.0)), "100");
    BOOST_CHECK_EQUAL(WriteJson(Json(4.656542373906925e-10)), "4.656542373906925e-10");
    BOOST_CHECK_EQUAL(WriteJson(Json(1e21)), "1e+21");
    BOOST_CHECK_EQUAL(WriteJson(Json(1.5e-7)), "1.5e-07");
    BOOST_CHECK_EQUAL(WriteJson(Json(-2.5)), "-2.5");
    BOOST_CHECK_EQUAL(WriteJson(Json(std::numeric_limits<double>::quiet_NaN())), "null");
    BOOST_CHECK_EQUAL(WriteJson(Json(std::numeric_limits<double>::infinity())), "null");
}

BOOST_AUTO_TEST_CASE(integers)
{
    BOOST_CHECK_EQUAL(WriteJson(Json(std::numeric_limits<int64_t>::min())), "-9223372036854775808");
    BOOST_CHECK_EQUAL(WriteJson(Json(std::numeric_limits<uint64_t>::max())), "18446744073709551615");
    BOOST_CHECK_EQUAL(WriteJson(Json(0)), "0");
}

BOOST_AUTO_TEST_SUITE_END()
