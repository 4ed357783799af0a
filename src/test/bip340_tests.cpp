// BIP340 Schnorr signatures over bips/bip340_test_vectors.csv (sign with the
// given aux_rand and compare the exact signature; verify all 19), and the
// BIP341 key-path signing vectors of core/bip341_wallet_vectors.json for the
// taproot tweak of the signing key.
#include <crypto/key.h>
#include <crypto/pubkey.h>
#include <test/util/vectors.h>
#include <util/strencodings.h>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Bip340Vector {
    std::string index, secret_key, public_key, aux_rand, message, signature, result, comment;
};

std::vector<std::string> split_csv_line(const std::string& line)
{
    std::vector<std::string> fields;
    std::string field;
    std::istringstream in(line);
    while (std::getline(in, field, ',')) fields.push_back(field);
    if (!line.empty() && line.back() == ',') fields.emplace_back();
    return fields;
}

std::vector<Bip340Vector> load_vectors()
{
    const auto bytes = test_util::ReadVectorBytes("bips/bip340_test_vectors.csv");
    std::istringstream in(std::string(bytes.begin(), bytes.end()));
    std::string line;
    std::getline(in, line); // header
    std::vector<Bip340Vector> out;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        auto f = split_csv_line(line);
        if (f.size() < 8) f.resize(8); // the comment may be absent
        out.push_back({f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]});
    }
    return out;
}

template <size_t N>
std::array<unsigned char, N> fixed(const std::string& hex)
{
    const auto bytes = test_util::HexToBytes(hex);
    BOOST_REQUIRE_EQUAL(bytes.size(), N);
    std::array<unsigned char, N> out;
    std::copy(bytes.begin(), bytes.end(), out.begin());
    return out;
}

std::string upper_hex(std::span<const unsigned char> bytes)
{
    std::string hex = HexStr(bytes);
    std::transform(hex.begin(), hex.end(), hex.begin(), [](char c) { return static_cast<char>(std::toupper(c)); });
    return hex;
}

} // namespace

BOOST_AUTO_TEST_SUITE(bip340_tests)

BOOST_AUTO_TEST_CASE(bip340_vectors)
{
    const auto vectors = load_vectors();
    BOOST_REQUIRE_EQUAL(vectors.size(), 19U);
    size_t signed_count = 0;
    for (const auto& v : vectors) {
        BOOST_TEST_CONTEXT("vector " << v.index << (v.comment.empty() ? "" : " (" + v.comment + ")"))
        {
            const auto message = test_util::HexToBytes(v.message);
            const auto signature = fixed<64>(v.signature);
            const auto pubkey_bytes = fixed<32>(v.public_key);
            const XOnlyPubKey pubkey{std::span<const unsigned char, 32>{pubkey_bytes}};
            const bool expected = v.result == "TRUE";
            BOOST_REQUIRE(expected || v.result == "FALSE");
            BOOST_CHECK_EQUAL(pubkey.VerifySchnorr(message, signature), expected);

            if (v.secret_key.empty()) continue;
            ++signed_count;
            Key key;
            BOOST_REQUIRE(key.Set(test_util::HexToBytes(v.secret_key), true));
            BOOST_CHECK_EQUAL(upper_hex(key.GetXOnlyPubKey().bytes()), v.public_key);
            const auto aux = fixed<32>(v.aux_rand);
            std::array<unsigned char, 64> made{};
            BOOST_REQUIRE(key.SignSchnorr(message, made, nullptr, aux));
            BOOST_CHECK_EQUAL(upper_hex(made), v.signature);
        }
    }
    // Vectors 0-3 and 15-18 carry a secret key.
    BOOST_CHECK_EQUAL(signed_count, 8U);
}

BOOST_AUTO_TEST_CASE(tampered_signatures_fail)
{
    Key key;
    BOOST_REQUIRE(key.Set(ParseHex("b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfef"), true));
    const auto msg = ParseHex("243f6a8885a308d313198a2e03707344a4093822299f31d0082efa98ec4e6c89");
    std::array<unsigned char, 32> aux{};
    std::array<unsigned char, 64> sig{};
    BOOST_REQUIRE(key.SignSchnorr(msg, sig, nullptr, aux));
    const XOnlyPubKey pubkey = key.GetXOnlyPubKey();
    BOOST_CHECK(pubkey.VerifySchnorr(msg, sig));
    for (size_t i = 0; i < sig.size(); i += 7) {
        auto changed = sig;
        changed[i] ^= 0x01;
        BOOST_CHECK_MESSAGE(!pubkey.VerifySchnorr(msg, changed), "bit flip in byte " << i << " accepted");
    }
    // Different aux randomness: a different, equally valid signature.
    aux[0] = 1;
    std::array<unsigned char, 64> other{};
    BOOST_REQUIRE(key.SignSchnorr(msg, other, nullptr, aux));
    BOOST_CHECK(other != sig);
    BOOST_CHECK(pubkey.VerifySchnorr(msg, other));
}

// BIP341 wallet vectors: the tweaked secret of each key-path input, and its
// signature of the given sighash (aux_rand all zero) as the expected witness.
BOOST_AUTO_TEST_CASE(bip341_key_path_signing)
{
    const auto json = test_util::ReadVectorJson("core/bip341_wallet_vectors.json");
    size_t count = 0;
    for (const auto& spend : json.at("keyPathSpending")) {
        for (const auto& input : spend.at("inputSpending")) {
            const auto& given = input.at("given");
            const auto& intermediary = input.at("intermediary");
            BOOST_TEST_CONTEXT("key-path input " << count++ << " (txin " << given.at("txinIndex") << ")")
            {
                Key internal;
                BOOST_REQUIRE(internal.Set(test_util::HexToBytes(given.at("internalPrivkey").get<std::string>()), true));
                BOOST_CHECK_EQUAL(HexStr(internal.GetXOnlyPubKey().bytes()),
                                  intermediary.at("internalPubkey").get<std::string>());
                std::array<unsigned char, 32> root{};
                const std::span<const unsigned char, 32> root_span{root};
                const std::span<const unsigned char, 32>* merkle_root = nullptr;
                if (!given.at("merkleRoot").is_null()) {
                    root = fixed<32>(given.at("merkleRoot").get<std::string>());
                    merkle_root = &root_span;
                }
                const auto tweaked = internal.TaprootTweaked(merkle_root);
                BOOST_REQUIRE(tweaked.has_value());
                BOOST_CHECK_EQUAL(HexStr(tweaked->bytes()), intermediary.at("tweakedPrivkey").get<std::string>());

                const auto sighash = fixed<32>(intermediary.at("sigHash").get<std::string>());
                const std::array<unsigned char, 32> aux{};
                std::array<unsigned char, 64> sig{};
                BOOST_REQUIRE(tweaked->SignSchnorr(sighash, sig, nullptr, aux));
                std::vector<unsigned char> witness_sig(sig.begin(), sig.end());
                const int hash_type = given.at("hashType").get<int>();
                if (hash_type != 0) witness_sig.push_back(static_cast<unsigned char>(hash_type));
                const std::string expected = input.at("expected").at("witness").at(0).get<std::string>();
                BOOST_CHECK_EQUAL(HexStr(witness_sig), expected);

                // Signing through the internal key with the merkle root gives the
                // same signature as the tweaked key (when there is a tree).
                if (merkle_root != nullptr) {
                    std::array<unsigned char, 64> via_internal{};
                    BOOST_REQUIRE(internal.SignSchnorr(sighash, via_internal, merkle_root, aux));
                    BOOST_CHECK(via_internal == sig);
                }
                // The output key H3 computes from the internal public key signs it.
                const auto output = internal.GetXOnlyPubKey().CreateTapTweak(merkle_root);
                BOOST_REQUIRE(output.has_value());
                BOOST_CHECK(output->first == tweaked->GetXOnlyPubKey());
                BOOST_CHECK(output->first.VerifySchnorr(sighash, sig));
            }
        }
    }
    BOOST_CHECK_GT(count, 0U);
}

BOOST_AUTO_TEST_SUITE_END()
