#pragma once

// SipHash-2-4 (Aumasson, Bernstein 2012): a keyed 64-bit hash for hash tables
// whose keys an attacker chooses (txids, addresses).

#include <cstddef>
#include <cstdint>
#include <span>

class SipHasher {
public:
    SipHasher(uint64_t k0, uint64_t k1);
    // Appends the 8 little-endian bytes of data.
    SipHasher& Write(uint64_t data);
    SipHasher& Write(std::span<const unsigned char> data);
    // Does not change the hasher; more data may follow.
    uint64_t Finalize() const;

private:
    void AppendByte(unsigned char byte);

    uint64_t m_v[4];
    uint64_t m_tail;   // the last (m_count % 8) bytes, not yet compressed
    uint64_t m_count;  // total bytes written (only the low byte enters the hash)
};

// SipHash-2-4 of the 32 bytes of val; equal to SipHasher(k0,k1).Write(val).Finalize()
// but unrolled, because hash tables keyed by txid call it constantly.
uint64_t SipHashUint256(uint64_t k0, uint64_t k1, std::span<const unsigned char, 32> val);

// SipHash-2-4 of val followed by the 4 little-endian bytes of extra (an
// outpoint: txid and output index), 36 bytes in all.
uint64_t SipHashUint256Extra(uint64_t k0, uint64_t k1, std::span<const unsigned char, 32> val, uint32_t extra);
