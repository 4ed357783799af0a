// Addresses and WIF private keys of every chain, over core/key_io_valid.json
// and core/key_io_invalid.json. Each valid row is [string, hex, metadata]:
// for a private key (isPrivkey) hex is the secret and isCompressed its public
// key form; otherwise hex is the scriptPubKey the address pays to. tryCaseFlip
// says the string stays valid with its case inverted (bech32).
#include <crypto/key.h>
#include <script/address.h>
#include <test/util/vectors.h>
#include <util/base58.h>
#include <util/strencodings.h>

#include <boost/test/unit_test.hpp>

#include <string>

namespace {

constexpr AddressNetwork ALL_NETWORKS[] = {AddressNetwork::MAIN, AddressNetwork::TEST, AddressNetwork::SIGNET,
                                           AddressNetwork::REGTEST};

std::string flip_case(std::string s)
{
    for (char& c : s) {
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        } else if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return s;
}

void check_private_key(const std::string& wif, const std::string& hex, const nlohmann::json& meta,
                       const AddressParams& params)
{
    const bool compressed = meta.at("isCompressed").get<bool>();
    const auto key = DecodeSecret(wif, params);
    BOOST_REQUIRE_MESSAGE(key.has_value(), "DecodeSecret failed");
    BOOST_CHECK(key->IsValid());
    BOOST_CHECK_EQUAL(key->IsCompressed(), compressed);
    BOOST_CHECK_EQUAL(HexStr(key->bytes()), hex);
    BOOST_CHECK_MESSAGE(!IsValidAddress(wif, params), "a private key decodes as an address");

    Key from_hex;
    BOOST_REQUIRE(from_hex.Set(test_util::HexToBytes(hex), compressed));
    BOOST_CHECK_EQUAL(EncodeSecret(from_hex, params), wif);
}

void check_address(const std::string& address, const std::string& hex, const nlohmann::json& meta,
                   const AddressParams& params)
{
    std::string error;
    const auto script = DecodeAddress(address, params, &error);
    BOOST_REQUIRE_MESSAGE(script.has_value(), "DecodeAddress failed: " << error);
    BOOST_CHECK_EQUAL(HexStr(*script), hex);
    BOOST_CHECK_MESSAGE(!DecodeSecret(address, params), "an address decodes as a private key");

    const auto encoded = EncodeAddress(Script(test_util::HexToBytes(hex)), params);
    BOOST_CHECK_EQUAL(encoded.value_or("<no address>"), address);

    const bool case_flip = meta.contains("tryCaseFlip") && meta.at("tryCaseFlip").get<bool>();
    const auto flipped = DecodeAddress(flip_case(address), params);
    if (case_flip) {
        BOOST_CHECK_MESSAGE(flipped && HexStr(*flipped) == hex, "case-flipped address not accepted");
    } else {
        BOOST_CHECK_MESSAGE(!flipped, "case-flipped Base58 address accepted");
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(key_io_tests)

BOOST_AUTO_TEST_CASE(valid_vectors)
{
    const auto vectors = test_util::ReadVectorJson("core/key_io_valid.json");
    BOOST_REQUIRE(!vectors.empty());
    size_t index = 0;
    for (const auto& row : vectors) {
        const std::string str = row.at(0).get<std::string>();
        const std::string hex = row.at(1).get<std::string>();
        const auto& meta = row.at(2);
        const std::string chain = meta.at("chain").get<std::string>();
        BOOST_TEST_CONTEXT("vector " << index++ << " " << str << " (" << chain << ")")
        {
            const auto network = AddressNetworkFromName(chain);
            BOOST_REQUIRE_MESSAGE(network.has_value(), "unknown chain");
            const AddressParams& params = GetAddressParams(*network);
            if (meta.at("isPrivkey").get<bool>()) {
                check_private_key(str, hex, meta, params);
            } else {
                check_address(str, hex, meta, params);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(invalid_vectors)
{
    const auto vectors = test_util::ReadVectorJson("core/key_io_invalid.json");
    BOOST_REQUIRE(!vectors.empty());
    size_t index = 0;
    for (const auto& row : vectors) {
        const std::string str = row.at(0).get<std::string>();
        BOOST_TEST_CONTEXT("vector " << index++ << " \"" << str << "\"")
        {
            for (AddressNetwork network : ALL_NETWORKS) {
                const AddressParams& params = GetAddressParams(network);
                BOOST_CHECK_MESSAGE(!DecodeSecret(str, params), "private key on network " << static_cast<int>(network));
                BOOST_CHECK_MESSAGE(!IsValidAddress(str, params), "address on network " << static_cast<int>(network));
            }
        }
    }
}

// Addresses of one chain are not addresses of another with other prefixes.
BOOST_AUTO_TEST_CASE(addresses_are_chain_specific)
{
    const auto& main = GetAddressParams(AddressNetwork::MAIN);
    const auto& test = GetAddressParams(AddressNetwork::TEST);
    const auto& regtest = GetAddressParams(AddressNetwork::REGTEST);
    BOOST_CHECK(IsValidAddress("1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mo", main));
    BOOST_CHECK(!IsValidAddress("1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mo", test));
    BOOST_CHECK(IsValidAddress("tb1qcrh3yqn4nlleplcez2yndq2ry8h9ncg3qh7n54", test));
    BOOST_CHECK(!IsValidAddress("tb1qcrh3yqn4nlleplcez2yndq2ry8h9ncg3qh7n54", regtest));
    std::string error;
    BOOST_CHECK(!DecodeAddress("tb1qcrh3yqn4nlleplcez2yndq2ry8h9ncg3qh7n54", main, &error));
    BOOST_CHECK_EQUAL(error, "Invalid Bech32 human-readable part for this chain");
}

BOOST_AUTO_TEST_CASE(scripts_without_address)
{
    const auto& main = GetAddressParams(AddressNetwork::MAIN);
    // P2PK, OP_RETURN, a v0 program of an unspendable length, an empty script.
    const char* scripts[] = {
        "2102b4632d08485ff1df2db55b9dafd23347d1c47a457072a1e87be26896549a8737ac",
        "6a0401020304",
        "0018000102030405060708090a0b0c0d0e0f1011121314151617",
        "",
    };
    for (const char* hex : scripts) {
        BOOST_CHECK_MESSAGE(!EncodeAddress(Script(ParseHex(hex)), main), hex);
    }
}

BOOST_AUTO_TEST_CASE(secret_payload_rules)
{
    const auto& main = GetAddressParams(AddressNetwork::MAIN);
    std::vector<unsigned char> payload{128};
    payload.resize(33, 0x11);
    // 33 bytes: uncompressed; 34 with 0x01: compressed; 34 with another byte: invalid.
    BOOST_CHECK(!DecodeSecret(EncodeBase58Check(payload), main)->IsCompressed());
    payload.push_back(0x01);
    BOOST_CHECK(DecodeSecret(EncodeBase58Check(payload), main)->IsCompressed());
    payload.back() = 0x02;
    BOOST_CHECK(!DecodeSecret(EncodeBase58Check(payload), main));
    // A secret of zero or of the group order is not a key.
    std::vector<unsigned char> zero{128};
    zero.resize(33, 0);
    BOOST_CHECK(!DecodeSecret(EncodeBase58Check(zero), main));
    auto order = ParseHex("80fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
    BOOST_CHECK(!DecodeSecret(EncodeBase58Check(order), main));
    order.back() = 0x40; // n - 1
    BOOST_CHECK(DecodeSecret(EncodeBase58Check(order), main));
}

BOOST_AUTO_TEST_SUITE_END()
