#pragma once

// 256-bit unsigned integers with arithmetic, for targets and chain work, and
// the compact "nBits" encoding of targets in block headers.

#include <uint256.h>

#include <array>
#include <compare>
#include <cstdint>
#include <stdexcept>
#include <string>

class arith_uint256 {
public:
    static constexpr int LIMBS = 8; // 32-bit limbs, least significant first

    constexpr arith_uint256() = default;
    constexpr arith_uint256(uint64_t v)
    {
        m_limb[0] = static_cast<uint32_t>(v);
        m_limb[1] = static_cast<uint32_t>(v >> 32);
    }

    // Arithmetic is modulo 2^256, like unsigned integers.
    arith_uint256& operator+=(const arith_uint256& b);
    arith_uint256& operator-=(const arith_uint256& b);
    arith_uint256& operator*=(const arith_uint256& b);
    arith_uint256& operator*=(uint32_t b);
    // Throws std::domain_error on division by zero.
    arith_uint256& operator/=(const arith_uint256& b);
    arith_uint256& operator<<=(unsigned shift);
    arith_uint256& operator>>=(unsigned shift);
    arith_uint256& operator&=(const arith_uint256& b);
    arith_uint256& operator|=(const arith_uint256& b);
    arith_uint256& operator^=(const arith_uint256& b);

    arith_uint256 operator~() const;
    arith_uint256 operator-() const;
    arith_uint256& operator++();
    arith_uint256& operator--();

    friend arith_uint256 operator+(arith_uint256 a, const arith_uint256& b) { return a += b; }
    friend arith_uint256 operator-(arith_uint256 a, const arith_uint256& b) { return a -= b; }
    friend arith_uint256 operator*(arith_uint256 a, const arith_uint256& b) { return a *= b; }
    friend arith_uint256 operator*(arith_uint256 a, uint32_t b) { return a *= b; }
    friend arith_uint256 operator/(arith_uint256 a, const arith_uint256& b) { return a /= b; }
    friend arith_uint256 operator<<(arith_uint256 a, unsigned shift) { return a <<= shift; }
    friend arith_uint256 operator>>(arith_uint256 a, unsigned shift) { return a >>= shift; }
    friend arith_uint256 operator&(arith_uint256 a, const arith_uint256& b) { return a &= b; }
    friend arith_uint256 operator|(arith_uint256 a, const arith_uint256& b) { return a |= b; }
    friend arith_uint256 operator^(arith_uint256 a, const arith_uint256& b) { return a ^= b; }

    friend bool operator==(const arith_uint256&, const arith_uint256&) = default;
    friend std::strong_ordering operator<=>(const arith_uint256& a, const arith_uint256& b);

    // Position of the highest set bit plus one; 0 for zero.
    unsigned bits() const;
    uint64_t GetLow64() const { return m_limb[0] | (uint64_t{m_limb[1]} << 32); }
    uint32_t GetLimb(int i) const { return m_limb[i]; }
    double getdouble() const;
    // Big-endian hexadecimal, 64 digits.
    std::string GetHex() const;

    // Compact encoding: exponent byte E and 23-bit mantissa M (bit 23 is a
    // sign): value = M * 256^(E-3). Sets *negative for a nonzero mantissa with
    // the sign bit, *overflow when the value does not fit in 256 bits.
    arith_uint256& SetCompact(uint32_t compact, bool* negative = nullptr, bool* overflow = nullptr);
    // Shortest compact form, rounding down (low bytes are dropped).
    uint32_t GetCompact(bool negative = false) const;

    friend uint256 ArithToUint256(const arith_uint256& a);
    friend arith_uint256 UintToArith256(const uint256& u);

private:
    std::array<uint32_t, LIMBS> m_limb{};
};

uint256 ArithToUint256(const arith_uint256& a);
arith_uint256 UintToArith256(const uint256& u);
