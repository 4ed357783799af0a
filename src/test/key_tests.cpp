// Private keys: validity range, public key derivation, ECDSA signing (DER,
// low S, low R by grinding, determinism), and the tweak helpers.
#include <crypto/hash.h>
#include <crypto/key.h>
#include <crypto/pubkey.h>
#include <util/strencodings.h>

#include <boost/test/unit_test.hpp>

#include <array>
#include <string>

namespace {

std::array<unsigned char, 32> hash_of(const std::string& text)
{
    std::array<unsigned char, 32> out;
    Hash256{}.Write(std::span{reinterpret_cast<const unsigned char*>(text.data()), text.size()}).Finalize(out);
    return out;
}

Key key_from_hex(const char* hex, bool compressed = true)
{
    Key key;
    BOOST_REQUIRE(key.Set(ParseHex(hex), compressed));
    return key;
}

// R of a DER signature starts at byte 4; its length byte is at 3.
size_t der_r_length(const std::vector<unsigned char>& der) { return der.at(3); }

} // namespace

BOOST_AUTO_TEST_SUITE(key_tests)

BOOST_AUTO_TEST_CASE(secret_range)
{
    const std::string order = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
    BOOST_CHECK(!IsValidSecretKey(ParseHex(std::string(64, '0'))));
    BOOST_CHECK(IsValidSecretKey(ParseHex(std::string(63, '0') + "1")));
    BOOST_CHECK(!IsValidSecretKey(ParseHex(order)));
    BOOST_CHECK(IsValidSecretKey(ParseHex(order.substr(0, 63) + "0")));
    BOOST_CHECK(!IsValidSecretKey(ParseHex(std::string(64, 'f'))));
    BOOST_CHECK(!IsValidSecretKey(ParseHex(std::string(60, '0') + "01"))); // 31 bytes
    Key key;
    BOOST_CHECK(!key.IsValid());
    BOOST_CHECK(!key.Set(ParseHex(order), true));
    BOOST_CHECK(!key.IsValid());
    BOOST_CHECK(!key.Set(ParseHex("01"), true)); // wrong length
}

BOOST_AUTO_TEST_CASE(public_keys_of_known_secrets)
{
    // The generator G for secret 1, in both forms.
    const std::string g_x = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
    const std::string g_y = "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8";
    const Key one = key_from_hex("0000000000000000000000000000000000000000000000000000000000000001");
    BOOST_CHECK_EQUAL(HexStr(one.GetPubKey().bytes()), "02" + g_x);
    BOOST_CHECK_EQUAL(HexStr(one.GetXOnlyPubKey().bytes()), g_x);
    const Key one_uncompressed = key_from_hex("0000000000000000000000000000000000000000000000000000000000000001", false);
    BOOST_CHECK_EQUAL(HexStr(one_uncompressed.GetPubKey().bytes()), "04" + g_x + g_y);
    BOOST_CHECK(one.VerifyPubKey(one_uncompressed.GetPubKey()));
    BOOST_CHECK(one.VerifyPubKey(one.GetPubKey()));
    const Key two = key_from_hex("0000000000000000000000000000000000000000000000000000000000000002");
    BOOST_CHECK(!one.VerifyPubKey(two.GetPubKey()));
}

BOOST_AUTO_TEST_CASE(ecdsa_sign_verify)
{
    for (bool compressed : {true, false}) {
        const Key key = Key::MakeNew(compressed);
        BOOST_REQUIRE(key.IsValid());
        const PubKey pubkey = key.GetPubKey();
        BOOST_CHECK(pubkey.IsFullyValid());
        BOOST_CHECK_EQUAL(pubkey.IsCompressed(), compressed);
        for (int i = 0; i < 50; ++i) {
            const auto hash = hash_of("message " + std::to_string(i));
            BOOST_TEST_CONTEXT("compressed " << compressed << " message " << i)
            {
                std::vector<unsigned char> ground, plain;
                BOOST_REQUIRE(key.SignEcdsa(hash, ground, true));
                BOOST_REQUIRE(key.SignEcdsa(hash, plain, false));
                BOOST_CHECK(pubkey.VerifyEcdsa(hash, ground));
                BOOST_CHECK(pubkey.VerifyEcdsa(hash, plain));
                BOOST_CHECK(PubKey::CheckLowS(ground));
                BOOST_CHECK(PubKey::CheckLowS(plain));
                BOOST_CHECK_LE(ground.size(), Key::MAX_GROUND_DER_SIZE);
                BOOST_CHECK_LE(der_r_length(ground), 32U);
                BOOST_CHECK_LE(plain.size(), Key::MAX_GROUND_DER_SIZE + 1);
                // A signature of another hash does not verify.
                const auto other = hash_of("other " + std::to_string(i));
                BOOST_CHECK(!pubkey.VerifyEcdsa(other, ground));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(ecdsa_is_deterministic)
{
    const Key key = key_from_hex("c90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74020bbea63b14e5c9");
    size_t ground_differs = 0;
    for (int i = 0; i < 40; ++i) {
        const auto hash = hash_of(std::to_string(i));
        std::vector<unsigned char> a, b, plain, entropy;
        BOOST_REQUIRE(key.SignEcdsa(hash, a));
        BOOST_REQUIRE(key.SignEcdsa(hash, b));
        BOOST_CHECK(a == b);
        BOOST_REQUIRE(key.SignEcdsa(hash, plain, false));
        // Without grinding R is high about half the time; grinding then
        // picks another nonce, otherwise it keeps the first one.
        if (der_r_length(plain) == 33) {
            ++ground_differs;
            BOOST_CHECK(plain != a);
        } else {
            BOOST_CHECK(plain == a);
        }
        BOOST_REQUIRE(key.SignEcdsa(hash, entropy, true, 7));
        BOOST_CHECK(entropy != a);
        BOOST_CHECK(key.GetPubKey().VerifyEcdsa(hash, entropy));
    }
    BOOST_CHECK_GT(ground_differs, 0U);
}

BOOST_AUTO_TEST_CASE(invalid_key_does_not_sign)
{
    const Key key;
    const auto hash = hash_of("x");
    std::vector<unsigned char> der;
    BOOST_CHECK(!key.SignEcdsa(hash, der));
    std::array<unsigned char, 64> sig{};
    const std::array<unsigned char, 32> aux{};
    BOOST_CHECK(!key.SignSchnorr(hash, sig, nullptr, aux));
    BOOST_CHECK(!key.TweakAdd(hash));
    BOOST_CHECK(!key.TaprootTweaked(nullptr));
}

BOOST_AUTO_TEST_CASE(tweak_add)
{
    const Key one = key_from_hex("0000000000000000000000000000000000000000000000000000000000000001");
    const auto three = one.TweakAdd(std::span<const unsigned char, 32>{ParseHex(std::string(63, '0') + "2").data(), 32});
    BOOST_REQUIRE(three);
    BOOST_CHECK_EQUAL(HexStr(three->bytes()), std::string(63, '0') + "3");
    // n - 1 + 1 = 0: no key.
    const auto minus_one = ParseHex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140");
    BOOST_CHECK(!one.TweakAdd(std::span<const unsigned char, 32>{minus_one.data(), 32}));
    // A tweak of n or more is refused.
    const auto order = ParseHex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
    BOOST_CHECK(!one.TweakAdd(std::span<const unsigned char, 32>{order.data(), 32}));
}

BOOST_AUTO_TEST_CASE(taproot_tweak_matches_public_side)
{
    const Key internal = Key::MakeNew();
    const std::array<unsigned char, 32> root = hash_of("tree");
    const std::span<const unsigned char, 32> root_span{root};
    for (const std::span<const unsigned char, 32>* merkle_root : {static_cast<decltype(&root_span)>(nullptr), &root_span}) {
        const auto tweaked = internal.TaprootTweaked(merkle_root);
        BOOST_REQUIRE(tweaked);
        const auto output = internal.GetXOnlyPubKey().CreateTapTweak(merkle_root);
        BOOST_REQUIRE(output);
        BOOST_CHECK(output->first == tweaked->GetXOnlyPubKey());
        if (merkle_root != nullptr) {
            BOOST_CHECK(output->first.CheckTapTweak(internal.GetXOnlyPubKey(), root, output->second));
        }
        const auto msg = hash_of("spend");
        const std::array<unsigned char, 32> aux{};
        std::array<unsigned char, 64> sig{};
        BOOST_REQUIRE(tweaked->SignSchnorr(msg, sig, nullptr, aux));
        BOOST_CHECK(output->first.VerifySchnorr(msg, sig));
        BOOST_CHECK(!internal.GetXOnlyPubKey().VerifySchnorr(msg, sig));
    }
}

BOOST_AUTO_TEST_CASE(fresh_keys_differ)
{
    const Key a = Key::MakeNew();
    const Key b = Key::MakeNew();
    BOOST_CHECK(a.IsValid() && b.IsValid());
    BOOST_CHECK(!(a == b));
}

BOOST_AUTO_TEST_SUITE_END()
