// BIP32 extended keys over bips/bip32_test_vectors.json: derivation chains of
// vectors 1-4 (private derivation, public derivation where the path allows
// it, 78-byte encoding both ways) and the invalid keys of vector 5.
#include <crypto/bip32.h>
#include <script/address.h>
#include <test/util/vectors.h>
#include <util/base58.h>
#include <util/strencodings.h>

#include <boost/test/unit_test.hpp>

#include <string>

namespace {

const AddressParams& main_params() { return GetAddressParams(AddressNetwork::MAIN); }

void check_chain_entry(const ExtKey& key, const std::optional<ExtPubKey>& public_derived, const nlohmann::json& entry)
{
    const std::string xprv = entry.at("xprv").get<std::string>();
    const std::string xpub = entry.at("xpub").get<std::string>();
    BOOST_CHECK_EQUAL(EncodeExtKey(key, main_params()), xprv);
    BOOST_CHECK_EQUAL(EncodeExtPubKey(key.Neuter(), main_params()), xpub);
    if (public_derived) BOOST_CHECK_EQUAL(EncodeExtPubKey(*public_derived, main_params()), xpub);

    const auto decoded_private = DecodeExtKey(xprv, main_params());
    BOOST_REQUIRE(decoded_private.has_value());
    BOOST_CHECK(*decoded_private == key);
    const auto decoded_public = DecodeExtPubKey(xpub, main_params());
    BOOST_REQUIRE(decoded_public.has_value());
    BOOST_CHECK(*decoded_public == key.Neuter());
    // A private string is no public key and the other way round.
    BOOST_CHECK(!DecodeExtPubKey(xprv, main_params()));
    BOOST_CHECK(!DecodeExtKey(xpub, main_params()));
    // Test chains use other version bytes.
    BOOST_CHECK(!DecodeExtKey(xprv, GetAddressParams(AddressNetwork::TEST)));
}

} // namespace

BOOST_AUTO_TEST_SUITE(bip32_tests)

BOOST_AUTO_TEST_CASE(valid_vectors)
{
    const auto json = test_util::ReadVectorJson("bips/bip32_test_vectors.json");
    size_t vector_count = 0;
    for (const auto& vector : json.at("valid")) {
        ++vector_count;
        const int number = vector.at("vector").get<int>();
        const auto seed = test_util::HexToBytes(vector.at("seed").get<std::string>());
        const auto master = ExtKey::FromSeed(seed);
        BOOST_REQUIRE_MESSAGE(master.has_value(), "vector " << number << ": master key");
        for (const auto& entry : vector.at("chains")) {
            const std::string path_text = entry.at("path").get<std::string>();
            BOOST_TEST_CONTEXT("vector " << number << " path " << path_text)
            {
                const auto path = ParseBip32Path(path_text);
                BOOST_REQUIRE(path.has_value());
                // Walk the path privately, and publicly wherever the step is
                // normal (a hardened step restarts from the private key).
                std::optional<ExtKey> key = master;
                std::optional<ExtPubKey> public_derived = master->Neuter();
                for (uint32_t child : *path) {
                    if (child >= BIP32_HARDENED) {
                        BOOST_CHECK(!public_derived->Derive(child)); // needs the private key
                        key = key->Derive(child);
                        BOOST_REQUIRE(key.has_value());
                        public_derived = key->Neuter();
                    } else {
                        key = key->Derive(child);
                        public_derived = public_derived->Derive(child);
                        BOOST_REQUIRE(key.has_value());
                        BOOST_REQUIRE(public_derived.has_value());
                    }
                }
                BOOST_CHECK_EQUAL(key->depth, path->size());
                BOOST_CHECK(*key == *master->DerivePath(*path));
                check_chain_entry(*key, public_derived, entry);
            }
        }
    }
    BOOST_CHECK_EQUAL(vector_count, 4U);
}

BOOST_AUTO_TEST_CASE(invalid_vector_5)
{
    const auto json = test_util::ReadVectorJson("bips/bip32_test_vectors.json");
    size_t index = 0;
    for (const auto& entry : json.at("invalid")) {
        const std::string key = entry.at("key").get<std::string>();
        BOOST_TEST_CONTEXT("invalid key " << index++ << " " << key << " (" << entry.at("reason").get<std::string>() << ")")
        {
            for (auto network : {AddressNetwork::MAIN, AddressNetwork::TEST}) {
                BOOST_CHECK(!DecodeExtKey(key, GetAddressParams(network)));
                BOOST_CHECK(!DecodeExtPubKey(key, GetAddressParams(network)));
            }
            // The depth-0 rule is what rejects these: at depth 1 the same
            // fields are a valid key.
            if (entry.at("reason").get<std::string>().starts_with("zero depth")) {
                auto payload = DecodeBase58Check(key, BIP32_EXTKEY_SIZE);
                BOOST_REQUIRE(payload.has_value());
                (*payload)[4] = 1;
                const std::string deeper = EncodeBase58Check(*payload);
                BOOST_CHECK(DecodeExtKey(deeper, main_params()) || DecodeExtPubKey(deeper, main_params()));
            }
        }
    }
    BOOST_CHECK_EQUAL(index, 16U);
}

BOOST_AUTO_TEST_CASE(fingerprints_link_parent_and_child)
{
    const auto master = ExtKey::FromSeed(ParseHex("000102030405060708090a0b0c0d0e0f"));
    BOOST_REQUIRE(master);
    // BIP32 vector 1: the master's identifier starts 3442193e.
    BOOST_CHECK_EQUAL(HexStr(master->Fingerprint()), "3442193e");
    const auto child = master->Derive(BIP32_HARDENED);
    BOOST_REQUIRE(child);
    BOOST_CHECK(child->parent_fingerprint == master->Fingerprint());
    BOOST_CHECK(child->Neuter().parent_fingerprint == master->Neuter().Fingerprint());
    BOOST_CHECK_EQUAL(child->child_number, BIP32_HARDENED);
}

BOOST_AUTO_TEST_CASE(depth_limit)
{
    auto key = ExtKey::FromSeed(ParseHex("000102030405060708090a0b0c0d0e0f"));
    BOOST_REQUIRE(key);
    key->depth = 255;
    BOOST_CHECK(!key->Derive(0));
    BOOST_CHECK(!key->Neuter().Derive(0));
    key->depth = 254;
    BOOST_CHECK(key->Derive(0));
}

BOOST_AUTO_TEST_CASE(path_parsing)
{
    BOOST_CHECK(ParseBip32Path("m") == std::vector<uint32_t>{});
    BOOST_CHECK((ParseBip32Path("m/0'/1/2h/3H") ==
                 std::vector<uint32_t>{BIP32_HARDENED, 1, BIP32_HARDENED | 2, BIP32_HARDENED | 3}));
    BOOST_CHECK((ParseBip32Path("44'/0") == std::vector<uint32_t>{BIP32_HARDENED | 44, 0}));
    BOOST_CHECK(ParseBip32Path("m/2147483647") == std::vector<uint32_t>{0x7fffffff});
    for (const char* bad : {"", "m/", "m//1", "m/1/", "m/2147483648", "m/-1", "m/+1", "m/1''", "m/x", "n/1", "m/1 "}) {
        BOOST_CHECK_MESSAGE(!ParseBip32Path(bad), "accepted \"" << bad << "\"");
    }
}

BOOST_AUTO_TEST_CASE(encoding_layout)
{
    const auto master = ExtKey::FromSeed(ParseHex("000102030405060708090a0b0c0d0e0f"));
    BOOST_REQUIRE(master);
    const Bip32Version version{0x04, 0x88, 0xAD, 0xE4};
    const auto bytes = master->Encode(version);
    BOOST_CHECK_EQUAL(bytes.size(), 78U);
    BOOST_CHECK_EQUAL(bytes[45], 0x00); // private key marker
    BOOST_CHECK(ExtKey::Decode(bytes, version) == master);
    BOOST_CHECK(!ExtKey::Decode(std::span{bytes}.first(77), version));
    auto wrong_marker = bytes;
    wrong_marker[45] = 0x01;
    BOOST_CHECK(!ExtKey::Decode(wrong_marker, version));
}

BOOST_AUTO_TEST_SUITE_END()
