#pragma once

// MuHash3072, the rolling multiset hash of gettxoutsetinfo "muhash" (as
// Bitcoin Core defines it): each element is hashed with SHA-256, expanded by
// ChaCha20 (that hash as key, zero nonce) to a 3072-bit number and multiplied
// into a running product modulo the prime 2^3072 - 1103717; removed elements
// multiply a denominator. The digest is SHA-256 of the 384-byte little-endian
// quotient. The order of insertions does not matter.

#include <uint256.h>

#include <array>
#include <cstdint>
#include <span>

class Num3072 {
public:
    static constexpr size_t LIMBS = 48;
    static constexpr size_t BYTE_SIZE = LIMBS * 8;

    Num3072() { m_limbs[0] = 1; }
    // Little-endian bytes (any 3072-bit value, reduced or not).
    explicit Num3072(std::span<const unsigned char, BYTE_SIZE> bytes);

    // this = this * other mod p (fully reduced).
    void Multiply(const Num3072& other);
    // The multiplicative inverse mod p (this must not be 0 mod p).
    Num3072 Inverse() const;
    // Little-endian bytes of the value reduced mod p.
    std::array<unsigned char, BYTE_SIZE> ToBytes() const;

private:
    std::array<uint64_t, LIMBS> m_limbs{};
};

class MuHash3072 {
public:
    MuHash3072& Insert(std::span<const unsigned char> element);
    MuHash3072& Remove(std::span<const unsigned char> element);
    // The digest of the set so far (the object stays usable).
    uint256 Finalize() const;

private:
    Num3072 m_numerator;
    Num3072 m_denominator;
};

// ChaCha20 keystream (RFC 8439 block function) for `key`, a 96-bit nonce of
// zero and block counters from `counter`: fills `out` (a multiple of 64 bytes).
void ChaCha20Keystream(std::span<const unsigned char, 32> key, uint32_t counter, std::span<unsigned char> out,
                       std::span<const unsigned char, 12> nonce = std::array<unsigned char, 12>{});
