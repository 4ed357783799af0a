#ifndef BITCOIN_CRYPTO_BIP32_H
#define BITCOIN_CRYPTO_BIP32_H

// Hierarchical deterministic keys (BIP32): extended private and public keys,
// child derivation and the 78-byte serialization (4-byte version, depth,
// parent fingerprint, child number, chain code, key data). The version bytes
// are the caller's (they depend on the chain); Base58Check strings are made in
// script/address.h.

#include <crypto/key.h>
#include <crypto/pubkey.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

inline constexpr uint32_t BIP32_HARDENED = 0x80000000;
inline constexpr size_t BIP32_EXTKEY_SIZE = 78;
inline constexpr size_t BIP32_VERSION_SIZE = 4;

using ChainCode = std::array<unsigned char, 32>;
using KeyFingerprint = std::array<unsigned char, 4>;
using Bip32Version = std::array<unsigned char, BIP32_VERSION_SIZE>;

// First four bytes of HASH160 of the compressed public key: how a child names
// its parent.
KeyFingerprint Bip32Fingerprint(const PubKey& compressed_pubkey);

struct ExtPubKey {
    uint8_t depth = 0;
    KeyFingerprint parent_fingerprint{};
    uint32_t child_number = 0;
    ChainCode chain_code{};
    PubKey pubkey; // compressed

    KeyFingerprint Fingerprint() const { return Bip32Fingerprint(pubkey); }
    // Public derivation: non-hardened children only. nullopt for a hardened
    // index, depth 255, or the (negligible) invalid-child case.
    std::optional<ExtPubKey> Derive(uint32_t child) const;

    std::array<unsigned char, BIP32_EXTKEY_SIZE> Encode(const Bip32Version& version) const;
    // nullopt unless bytes are 78 long, carry `version`, have a zero parent
    // fingerprint and child number at depth 0, and hold a valid compressed
    // public key.
    static std::optional<ExtPubKey> Decode(std::span<const unsigned char> bytes, const Bip32Version& version);

    friend bool operator==(const ExtPubKey&, const ExtPubKey&) = default;
};

struct ExtKey {
    uint8_t depth = 0;
    KeyFingerprint parent_fingerprint{};
    uint32_t child_number = 0;
    ChainCode chain_code{};
    Key key; // compressed

    // The master key of a seed (BIP32 recommends 16 to 64 bytes; any length is
    // taken). nullopt in the negligible case that the seed gives an invalid key.
    static std::optional<ExtKey> FromSeed(std::span<const unsigned char> seed);

    // Child `child` (hardened when >= BIP32_HARDENED). nullopt at depth 255 or
    // when BIP32 says the child is invalid (probability below 2^-127).
    std::optional<ExtKey> Derive(uint32_t child) const;
    std::optional<ExtKey> DerivePath(std::span<const uint32_t> path) const;

    ExtPubKey Neuter() const;
    KeyFingerprint Fingerprint() const { return Bip32Fingerprint(key.GetPubKey()); }

    std::array<unsigned char, BIP32_EXTKEY_SIZE> Encode(const Bip32Version& version) const;
    // As ExtPubKey::Decode, with key data 0x00 followed by a secret in 1..n-1.
    static std::optional<ExtKey> Decode(std::span<const unsigned char> bytes, const Bip32Version& version);

    friend bool operator==(const ExtKey&, const ExtKey&) = default;
};

// "m/0'/1/2h/3H" (or without the leading "m/", or just "m") into child
// numbers; ', h and H mark hardened children. nullopt on anything else,
// including an index >= 2^31.
std::optional<std::vector<uint32_t>> ParseBip32Path(std::string_view path);

#endif // BITCOIN_CRYPTO_BIP32_H
