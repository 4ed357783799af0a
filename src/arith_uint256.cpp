#include <arith_uint256.h>

#include <cmath>

arith_uint256& arith_uint256::operator+=(const arith_uint256& b)
{
    uint64_t carry = 0;
    for (int i = 0; i < LIMBS; ++i) {
        const uint64_t sum = carry + m_limb[i] + b.m_limb[i];
        m_limb[i] = static_cast<uint32_t>(sum);
        carry = sum >> 32;
    }
    return *this;
}

arith_uint256& arith_uint256::operator-=(const arith_uint256& b)
{
    return *this += -b;
}

arith_uint256& arith_uint256::operator*=(uint32_t b)
{
    uint64_t carry = 0;
    for (int i = 0; i < LIMBS; ++i) {
        const uint64_t product = carry + uint64_t{m_limb[i]} * b;
        m_limb[i] = static_cast<uint32_t>(product);
        carry = product >> 32;
    }
    return *this;
}

arith_uint256& arith_uint256::operator*=(const arith_uint256& b)
{
    // Schoolbook multiplication keeping the low 256 bits.
    arith_uint256 result;
    for (int i = 0; i < LIMBS; ++i) {
        uint64_t carry = 0;
        for (int j = 0; i + j < LIMBS; ++j) {
            const uint64_t t = carry + result.m_limb[i + j] + uint64_t{m_limb[i]} * b.m_limb[j];
            result.m_limb[i + j] = static_cast<uint32_t>(t);
            carry = t >> 32;
        }
    }
    *this = result;
    return *this;
}

arith_uint256& arith_uint256::operator/=(const arith_uint256& b)
{
    const unsigned divisor_bits = b.bits();
    if (divisor_bits == 0) throw std::domain_error("arith_uint256: division by zero");
    const unsigned dividend_bits = bits();
    arith_uint256 remainder = *this;
    arith_uint256 quotient;
    if (dividend_bits >= divisor_bits) {
        // Long division, one quotient bit per step from the top.
        int shift = static_cast<int>(dividend_bits - divisor_bits);
        arith_uint256 divisor = b << static_cast<unsigned>(shift);
        for (; shift >= 0; --shift) {
            if (remainder >= divisor) {
                remainder -= divisor;
                quotient.m_limb[shift / 32] |= 1U << (shift % 32);
            }
            divisor >>= 1;
        }
    }
    *this = quotient;
    return *this;
}

arith_uint256& arith_uint256::operator<<=(unsigned shift)
{
    if (shift >= 256) return *this = arith_uint256();
    const unsigned limbs = shift / 32;
    const unsigned bits_in_limb = shift % 32;
    std::array<uint32_t, LIMBS> out{};
    for (int i = LIMBS - 1; i >= static_cast<int>(limbs); --i) {
        uint64_t v = uint64_t{m_limb[i - limbs]} << bits_in_limb;
        if (bits_in_limb != 0 && i - static_cast<int>(limbs) - 1 >= 0)
            v |= m_limb[i - limbs - 1] >> (32 - bits_in_limb);
        out[i] = static_cast<uint32_t>(v);
    }
    m_limb = out;
    return *this;
}

arith_uint256& arith_uint256::operator>>=(unsigned shift)
{
    if (shift >= 256) return *this = arith_uint256();
    const unsigned limbs = shift / 32;
    const unsigned bits_in_limb = shift % 32;
    std::array<uint32_t, LIMBS> out{};
    for (int i = 0; i + static_cast<int>(limbs) < LIMBS; ++i) {
        uint64_t v = m_limb[i + limbs] >> bits_in_limb;
        if (bits_in_limb != 0 && i + limbs + 1 < LIMBS)
            v |= uint64_t{m_limb[i + limbs + 1]} << (32 - bits_in_limb);
        out[i] = static_cast<uint32_t>(v);
    }
    m_limb = out;
    return *this;
}

arith_uint256& arith_uint256::operator&=(const arith_uint256& b)
{
    for (int i = 0; i < LIMBS; ++i) m_limb[i] &= b.m_limb[i];
    return *this;
}

arith_uint256& arith_uint256::operator|=(const arith_uint256& b)
{
    for (int i = 0; i < LIMBS; ++i) m_limb[i] |= b.m_limb[i];
    return *this;
}

arith_uint256& arith_uint256::operator^=(const arith_uint256& b)
{
    for (int i = 0; i < LIMBS; ++i) m_limb[i] ^= b.m_limb[i];
    return *this;
}

arith_uint256 arith_uint256::operator~() const
{
    arith_uint256 r;
    for (int i = 0; i < LIMBS; ++i) r.m_limb[i] = ~m_limb[i];
    return r;
}

arith_uint256 arith_uint256::operator-() const
{
    arith_uint256 r = ~*this;
    ++r;
    return r;
}

arith_uint256& arith_uint256::operator++()
{
    for (int i = 0; i < LIMBS; ++i) {
        if (++m_limb[i] != 0) break;
    }
    return *this;
}

arith_uint256& arith_uint256::operator--()
{
    for (int i = 0; i < LIMBS; ++i) {
        if (m_limb[i]-- != 0) break;
    }
    return *this;
}

std::strong_ordering operator<=>(const arith_uint256& a, const arith_uint256& b)
{
    for (int i = arith_uint256::LIMBS - 1; i >= 0; --i) {
        if (a.m_limb[i] != b.m_limb[i]) return a.m_limb[i] <=> b.m_limb[i];
    }
    return std::strong_ordering::equal;
}

unsigned arith_uint256::bits() const
{
    for (int i = LIMBS - 1; i >= 0; --i) {
        if (m_limb[i] != 0) return 32 * i + (32 - __builtin_clz(m_limb[i]));
    }
    return 0;
}

double arith_uint256::getdouble() const
{
    double result = 0.0;
    for (int i = LIMBS - 1; i >= 0; --i) result = result * 4294967296.0 + m_limb[i];
    return result;
}

std::string arith_uint256::GetHex() const
{
    return ArithToUint256(*this).GetHex();
}

arith_uint256& arith_uint256::SetCompact(uint32_t compact, bool* negative, bool* overflow)
{
    const unsigned exponent = compact >> 24;
    uint32_t mantissa = compact & 0x007fffff;
    if (exponent <= 3) {
        mantissa >>= 8 * (3 - exponent);
        *this = mantissa;
    } else {
        *this = mantissa;
        *this <<= 8 * (exponent - 3);
    }
    if (negative) *negative = mantissa != 0 && (compact & 0x00800000) != 0;
    // The value needs 8*(exponent-3) bits plus those of the mantissa.
    if (overflow) {
        *overflow = mantissa != 0 && (exponent > 34 || (mantissa > 0xff && exponent > 33) ||
                                      (mantissa > 0xffff && exponent > 32));
    }
    return *this;
}

uint32_t arith_uint256::GetCompact(bool negative) const
{
    unsigned exponent = (bits() + 7) / 8;
    uint32_t mantissa;
    if (exponent <= 3) {
        mantissa = static_cast<uint32_t>(GetLow64() << (8 * (3 - exponent)));
    } else {
        mantissa = static_cast<uint32_t>((*this >> (8 * (exponent - 3))).GetLow64());
    }
    // Bit 23 is the sign: a mantissa reaching it moves one byte down.
    if (mantissa & 0x00800000) {
        mantissa >>= 8;
        ++exponent;
    }
    uint32_t compact = mantissa | (exponent << 24);
    if (negative && (mantissa & 0x007fffff) != 0) compact |= 0x00800000;
    return compact;
}

uint256 ArithToUint256(const arith_uint256& a)
{
    uint256 u;
    for (int i = 0; i < arith_uint256::LIMBS; ++i) {
        for (int j = 0; j < 4; ++j) u.data()[4 * i + j] = static_cast<unsigned char>(a.m_limb[i] >> (8 * j));
    }
    return u;
}

arith_uint256 UintToArith256(const uint256& u)
{
    arith_uint256 a;
    for (int i = 0; i < arith_uint256::LIMBS; ++i) {
        uint32_t limb = 0;
        for (int j = 0; j < 4; ++j) limb |= uint32_t{u.data()[4 * i + j]} << (8 * j);
        a.m_limb[i] = limb;
    }
    return a;
}
