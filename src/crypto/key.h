#ifndef BITCOIN_CRYPTO_KEY_H
#define BITCOIN_CRYPTO_KEY_H

// Private keys over libsecp256k1: ECDSA (DER, low R) and BIP340 Schnorr
// signing, public key derivation, tweaks. Basics layer: hashes and messages
// come in as byte spans, not uint256.

#include <crypto/pubkey.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

class Key {
public:
    static constexpr size_t SIZE = 32;
    // DER sizes: 6 bytes of structure plus R and S, each 32 bytes at most
    // when below 2^255 (no sign-padding byte). Signatures here always have a
    // low S; a ground one also a low R.
    static constexpr size_t MAX_GROUND_DER_SIZE = 70;
    static constexpr size_t MAX_DER_SIZE = 72;

    Key() = default; // invalid until Set or MakeNew
    Key(const Key&) = default;
    Key& operator=(const Key&) = default;
    ~Key();

    // A fresh key from the operating system's random source (aborts if that
    // fails: no key may come from weak randomness).
    static Key MakeNew(bool compressed = true);

    // Takes 32 big-endian bytes; false (and the key stays invalid) unless they
    // are a number in 1..n-1. `compressed` selects the public key form.
    bool Set(std::span<const unsigned char> bytes, bool compressed);

    bool IsValid() const { return m_valid; }
    bool IsCompressed() const { return m_compressed; }

    // The secret as 32 big-endian bytes (meaningful only when valid).
    std::span<const unsigned char, SIZE> bytes() const { return std::span<const unsigned char, SIZE>{m_secret}; }
    const unsigned char* data() const { return m_secret.data(); }
    static constexpr size_t size() { return SIZE; }
    const unsigned char* begin() const { return m_secret.data(); }
    const unsigned char* end() const { return m_secret.data() + SIZE; }

    // Requires a valid key.
    PubKey GetPubKey() const;
    XOnlyPubKey GetXOnlyPubKey() const;

    // ECDSA signature of a 32-byte hash, DER encoded, with low S (BIP62/146)
    // and a deterministic nonce (RFC6979). With grind, the nonce is re-derived
    // with a counter until R < 2^255, so the signature is at most 70 bytes
    // instead of 71 (smaller transactions, about two tries on average).
    // extra_entropy != 0 is mixed into the nonce: another valid signature of
    // the same hash. Every signature is verified before it is returned.
    bool SignEcdsa(std::span<const unsigned char, 32> hash, std::vector<unsigned char>& der_sig, bool grind = true,
                   uint32_t extra_entropy = 0) const;

    // BIP340 Schnorr signature of msg (32 bytes in Bitcoin, any length allowed
    // by BIP340) with auxiliary randomness aux. merkle_root null: sign with this
    // key as is. Non-null: sign for the taproot output key whose internal key is
    // this key and whose script tree has root *merkle_root (BIP341). For an
    // output without a script tree use TaprootTweaked(nullptr)->SignSchnorr(...).
    // Every signature is verified before it is returned.
    bool SignSchnorr(std::span<const unsigned char> msg, std::span<unsigned char, 64> sig,
                     const std::span<const unsigned char, 32>* merkle_root, std::span<const unsigned char, 32> aux) const;

    // The private key of the taproot output key Q = P + tG whose internal key P
    // is this key's point (BIP341): t = TaggedHash("TapTweak", P || merkle_root),
    // or of P alone when merkle_root is null (an output without a script tree).
    // The secret is negated first when P has odd y, as BIP340 keys require.
    // nullopt if the tweak is invalid (probability about 2^-128).
    std::optional<Key> TaprootTweaked(const std::span<const unsigned char, 32>* merkle_root) const;

    // (this + tweak) mod n, for BIP32 derivation; nullopt if tweak >= n or the
    // sum is zero.
    std::optional<Key> TweakAdd(std::span<const unsigned char, 32> tweak) const;

    // pubkey (in whichever form it is serialized) is this key's public key.
    bool VerifyPubKey(const PubKey& pubkey) const;

    friend bool operator==(const Key& a, const Key& b)
    {
        return a.m_valid == b.m_valid && a.m_compressed == b.m_compressed && a.m_secret == b.m_secret;
    }

private:
    std::array<unsigned char, SIZE> m_secret{};
    bool m_valid{false};
    bool m_compressed{true};
};

// 32 bytes that, read big-endian, are a number in 1..n-1 (n the group order).
bool IsValidSecretKey(std::span<const unsigned char> bytes);

#endif // BITCOIN_CRYPTO_KEY_H
