// uint256 / uint160: byte order of the hex form, parsing, comparison,
// serialization.

#include <streams.h>
#include <uint256.h>
#include <util/strencodings.h>

#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

BOOST_AUTO_TEST_SUITE(uint256_tests)

// Mainnet genesis block hash, as block explorers show it.
static const std::string GENESIS_HEX = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f";

BOOST_AUTO_TEST_CASE(hex_is_display_order)
{
    const auto genesis = uint256::FromHex(GENESIS_HEX);
    BOOST_REQUIRE(genesis);
    // Stored in wire order: the hash's last displayed byte comes first.
    BOOST_CHECK_EQUAL(genesis->data()[0], 0x6f);
    BOOST_CHECK_EQUAL(genesis->data()[31], 0x00);
    BOOST_CHECK_EQUAL(genesis->GetHex(), GENESIS_HEX);
    BOOST_CHECK_EQUAL(genesis->ToString(), GENESIS_HEX);

    const auto one = uint256::FromHex("0000000000000000000000000000000000000000000000000000000000000001");
    BOOST_REQUIRE(one);
    BOOST_CHECK(*one == uint256::ONE);
    BOOST_CHECK_EQUAL(uint256::ONE.data()[0], 1);
    BOOST_CHECK(uint256::ZERO.IsNull());
    BOOST_CHECK(!uint256::ONE.IsNull());

    // Upper case is accepted, output is lower case.
    const auto upper = uint256::FromHex("000000000019D6689C085AE165831E934FF763AE46A2A6C172B3F1B60A8CE26F");
    BOOST_REQUIRE(upper);
    BOOST_CHECK(*upper == *genesis);
}

BOOST_AUTO_TEST_CASE(from_hex_rejects_malformed)
{
    const std::string good(64, 'a');
    BOOST_CHECK(uint256::FromHex(good));
    BOOST_CHECK(!uint256::FromHex(""));
    BOOST_CHECK(!uint256::FromHex(good.substr(1)));                     // 63 digits
    BOOST_CHECK(!uint256::FromHex(good + "a"));                         // 65 digits
    BOOST_CHECK(!uint256::FromHex("0x" + good.substr(2)));              // prefix
    BOOST_CHECK(!uint256::FromHex(good.substr(1) + "g"));               // not hex
    BOOST_CHECK(!uint256::FromHex(" " + good.substr(1)));               // space
    BOOST_CHECK(!uint256::FromHex(good.substr(0, 63) + std::string(1, '\0')));

    BOOST_CHECK(uint160::FromHex(std::string(40, '0')));
    BOOST_CHECK(!uint160::FromHex(std::string(64, '0')));
    BOOST_CHECK(!uint160::FromHex(std::string(39, '0')));
}

BOOST_AUTO_TEST_CASE(construction_and_spans)
{
    std::array<unsigned char, 32> bytes{};
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<unsigned char>(i);
    const uint256 u{std::span<const unsigned char, 32>(bytes)};
    BOOST_CHECK(std::equal(u.begin(), u.end(), bytes.begin()));
    BOOST_CHECK_EQUAL(u.size(), 32U);

    // Converts to a byte span for hashing and hex.
    std::span<const unsigned char> view(u);
    BOOST_CHECK_EQUAL(view.size(), 32U);
    BOOST_CHECK_EQUAL(HexStr(u), "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    BOOST_CHECK_EQUAL(u.GetHex(), "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100");
    BOOST_CHECK_EQUAL(u.GetUint64(0), 0x0706050403020100ULL);
    BOOST_CHECK_EQUAL(u.GetUint64(3), 0x1f1e1d1c1b1a1918ULL);

    uint256 copy = u;
    BOOST_CHECK(copy == u);
    copy.SetNull();
    BOOST_CHECK(copy.IsNull());
    BOOST_CHECK(copy == uint256{});
    BOOST_CHECK(copy != u);

    std::array<unsigned char, 20> short_bytes{};
    short_bytes[19] = 0xab;
    const uint160 h{std::span<const unsigned char, 20>(short_bytes)};
    BOOST_CHECK_EQUAL(h.GetHex(), "ab" + std::string(38, '0'));
    BOOST_CHECK_EQUAL(h.size(), 20U);
}

BOOST_AUTO_TEST_CASE(ordering_is_bytewise_in_storage_order)
{
    uint256 a;
    uint256 b;
    a.data()[0] = 1;   // least significant in display, first in storage
    b.data()[31] = 1;
    // std::set and std::map order by the stored bytes, lexicographically.
    BOOST_CHECK(a > b);
    BOOST_CHECK(b < a);
    BOOST_CHECK(uint256::ZERO < b);
    BOOST_CHECK((a <=> a) == std::strong_ordering::equal);
    std::set<uint256> set{a, b, uint256::ZERO, a};
    BOOST_CHECK_EQUAL(set.size(), 3U);
    BOOST_CHECK(*set.begin() == uint256::ZERO);
}

BOOST_AUTO_TEST_CASE(serialization_is_raw_bytes)
{
    const uint256 genesis = *uint256::FromHex(GENESIS_HEX);
    DataStream stream;
    stream << genesis;
    BOOST_CHECK_EQUAL(stream.size(), 32U);
    BOOST_CHECK_EQUAL(HexStr(stream.unread()), HexStr(genesis));

    uint256 read;
    stream >> read;
    BOOST_CHECK(read == genesis);
    BOOST_CHECK(stream.empty());

    // 31 bytes are not a uint256.
    DataStream short_stream(std::span<const unsigned char>(genesis.data(), 31));
    BOOST_CHECK_THROW(short_stream >> read, std::ios_base::failure);
}

BOOST_AUTO_TEST_SUITE_END()
