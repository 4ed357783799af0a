#ifndef BITCOIN_SCRIPT_HASH_FIELDS_H
#define BITCOIN_SCRIPT_HASH_FIELDS_H

// Writing the transaction fields that signature hashes commit to straight into a hasher
// (any class with Write(std::span<const unsigned char>)), without building a byte vector
// first: signature hashing runs once per signature and must not allocate.

#include <crypto/sha256.h>
#include <primitives/transaction.h>
#include <uint256.h>

#include <cstdint>
#include <span>

namespace hash_fields {

template <typename Hasher>
void WriteLE32(Hasher& hasher, uint32_t value)
{
    const unsigned char bytes[4] = {static_cast<unsigned char>(value), static_cast<unsigned char>(value >> 8),
                                    static_cast<unsigned char>(value >> 16), static_cast<unsigned char>(value >> 24)};
    hasher.Write(bytes);
}

template <typename Hasher>
void WriteLE64(Hasher& hasher, uint64_t value)
{
    unsigned char bytes[8];
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<unsigned char>(value >> (8 * i));
    hasher.Write(bytes);
}

// Bitcoin's CompactSize length prefix.
template <typename Hasher>
void WriteCompactSize(Hasher& hasher, uint64_t size)
{
    unsigned char bytes[9];
    size_t length;
    if (size < 253) {
        bytes[0] = static_cast<unsigned char>(size);
        length = 1;
    } else if (size <= 0xffff) {
        bytes[0] = 253;
        for (int i = 0; i < 2; ++i) bytes[1 + i] = static_cast<unsigned char>(size >> (8 * i));
        length = 3;
    } else if (size <= 0xffffffff) {
        bytes[0] = 254;
        for (int i = 0; i < 4; ++i) bytes[1 + i] = static_cast<unsigned char>(size >> (8 * i));
        length = 5;
    } else {
        bytes[0] = 255;
        for (int i = 0; i < 8; ++i) bytes[1 + i] = static_cast<unsigned char>(size >> (8 * i));
        length = 9;
    }
    hasher.Write(std::span<const unsigned char>{bytes, length});
}

constexpr size_t CompactSizeLength(uint64_t size)
{
    return size < 253 ? 1 : size <= 0xffff ? 3 : size <= 0xffffffff ? 5 : 9;
}

// A byte string with its CompactSize length, as scripts and witness items are serialized.
template <typename Hasher>
void WriteVarBytes(Hasher& hasher, std::span<const unsigned char> bytes)
{
    WriteCompactSize(hasher, bytes.size());
    hasher.Write(bytes);
}

template <typename Hasher>
void WriteOutPoint(Hasher& hasher, const OutPoint& outpoint)
{
    hasher.Write(std::span<const unsigned char>{outpoint.hash.data(), outpoint.hash.size()});
    WriteLE32(hasher, outpoint.n);
}

template <typename Hasher>
void WriteTxOut(Hasher& hasher, const TxOut& out)
{
    WriteLE64(hasher, static_cast<uint64_t>(out.value));
    WriteVarBytes(hasher, out.script_pubkey);
}

inline uint256 Finish(const Sha256& hasher)
{
    uint256 out;
    hasher.Finalize(std::span<unsigned char, 32>{out.data(), 32});
    return out;
}

// SHA256 of a hash: BIP143's double hashes from BIP341's single ones.
inline uint256 Rehash(const uint256& single)
{
    Sha256 hasher;
    hasher.Write(std::span<const unsigned char>{single.data(), single.size()});
    return Finish(hasher);
}

} // namespace hash_fields

#endif // BITCOIN_SCRIPT_HASH_FIELDS_H
