#ifndef BITCOIN_CRYPTO_PUBKEY_H
#define BITCOIN_CRYPTO_PUBKEY_H

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <utility>

// Public keys over libsecp256k1 (basics layer: hashes come in as 32-byte spans, not uint256).

// A serialized ECDSA public key: 33 bytes compressed (0x02/0x03 || x) or 65 bytes
// uncompressed (0x04 || x || y; 0x06/0x07 hybrid are accepted like the network does).
class PubKey {
public:
    static constexpr size_t COMPRESSED_SIZE = 33;
    static constexpr size_t SIZE = 65;

    PubKey() = default;
    // Keeps the bytes when their length fits the leading byte; otherwise the key is invalid
    // (IsValid() false, size() 0). Does not check that the point is on the curve.
    explicit PubKey(std::span<const unsigned char> bytes);

    // Length matches the leading byte.
    bool IsValid() const { return m_size != 0; }
    // The bytes parse as a point on the curve.
    bool IsFullyValid() const;
    bool IsCompressed() const { return m_size == COMPRESSED_SIZE; }

    // der_sig is a signature without the sighash byte, in DER as the network has accepted it
    // since the beginning (lax: odd length bytes, padding, trailing data). A high S is
    // accepted here; policy rejects it separately (CheckLowS).
    bool VerifyEcdsa(std::span<const unsigned char, 32> hash, std::span<const unsigned char> der_sig) const;
    // The signature parses (laxly) and its S is at most half the group order.
    static bool CheckLowS(std::span<const unsigned char> der_sig);

    const unsigned char* data() const { return m_bytes.data(); }
    size_t size() const { return m_size; }
    const unsigned char* begin() const { return m_bytes.data(); }
    const unsigned char* end() const { return m_bytes.data() + m_size; }
    std::span<const unsigned char> bytes() const { return {m_bytes.data(), m_size}; }

    friend bool operator==(const PubKey& a, const PubKey& b)
    {
        return std::ranges::equal(a.bytes(), b.bytes());
    }

private:
    std::array<unsigned char, SIZE> m_bytes{};
    size_t m_size{0};
};

// A BIP340 public key: the 32-byte x coordinate of a point with even y.
class XOnlyPubKey {
public:
    static constexpr size_t SIZE = 32;

    XOnlyPubKey() = default;
    explicit XOnlyPubKey(std::span<const unsigned char, SIZE> bytes);
    // Any other length than 32 gives the all-zero key, which is not fully valid.
    explicit XOnlyPubKey(std::span<const unsigned char> bytes);

    // x is the coordinate of a curve point.
    bool IsFullyValid() const;

    // BIP340 verification of a 64-byte signature over msg32 (32 bytes in every use here;
    // any length is passed to the library as BIP340 allows).
    bool VerifySchnorr(std::span<const unsigned char> msg32, std::span<const unsigned char, 64> sig) const;

    // BIP341: this key is Q = P + tG with P = internal, t = TaggedHash("TapTweak", P || merkle_root)
    // and parity the oddness of Q's y.
    bool CheckTapTweak(const XOnlyPubKey& internal, std::span<const unsigned char, 32> merkle_root, bool parity) const;
    // Treating this key as the internal key: the output key and its y parity. A null merkle_root
    // means a key with no script tree (t = TaggedHash("TapTweak", P)). nullopt if the key or the
    // tweak is invalid.
    std::optional<std::pair<XOnlyPubKey, bool>> CreateTapTweak(const std::span<const unsigned char, 32>* merkle_root) const;

    // TaggedHash("TapTweak", P || merkle_root), or of P alone when merkle_root is null.
    std::array<unsigned char, 32> ComputeTapTweakHash(const std::span<const unsigned char, 32>* merkle_root) const;

    const unsigned char* data() const { return m_bytes.data(); }
    static constexpr size_t size() { return SIZE; }
    const unsigned char* begin() const { return m_bytes.data(); }
    const unsigned char* end() const { return m_bytes.data() + SIZE; }
    std::span<const unsigned char, SIZE> bytes() const { return std::span<const unsigned char, SIZE>{m_bytes}; }

    friend bool operator==(const XOnlyPubKey&, const XOnlyPubKey&) = default;
    friend auto operator<=>(const XOnlyPubKey&, const XOnlyPubKey&) = default;

private:
    std::array<unsigned char, SIZE> m_bytes{};
};

// Lax DER parsing into the 64-byte compact form (R || S, big-endian), exposed for the tests
// and for callers that cache by signature. nullopt when the structure cannot be read;
// an R or S that is not below the group order yields a signature that never verifies
// (the compact form then holds zeros).
std::optional<std::array<unsigned char, 64>> ParseDerSignatureLax(std::span<const unsigned char> der_sig);

#endif // BITCOIN_CRYPTO_PUBKEY_H
