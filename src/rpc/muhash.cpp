#include <rpc/muhash.h>

#include <crypto/sha256.h>

#include <cstring>

namespace {

// p = 2^3072 - PRIME_DIFF.
constexpr uint64_t PRIME_DIFF = 1103717;
using u128 = unsigned __int128;
using Limbs = std::array<uint64_t, Num3072::LIMBS>;

uint32_t ReadLE32(const unsigned char* p)
{
    return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

void WriteLE32(unsigned char* p, uint32_t v)
{
    for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}

// Adds value * 2^(64*from) into x; returns the carry out of the top limb.
uint64_t AddAt(Limbs& x, size_t from, uint64_t value)
{
    for (size_t i = from; i < x.size() && value != 0; ++i) {
        const u128 sum = u128{x[i]} + value;
        x[i] = static_cast<uint64_t>(sum);
        value = static_cast<uint64_t>(sum >> 64);
    }
    return value;
}

// Brings x + overflow * 2^3072 below 2^3072 (2^3072 = PRIME_DIFF mod p),
// then below p.
void Reduce(Limbs& x, uint64_t overflow)
{
    while (overflow != 0) {
        const u128 fold = u128{overflow} * PRIME_DIFF;
        overflow = AddAt(x, 0, static_cast<uint64_t>(fold));
        overflow += AddAt(x, 1, static_cast<uint64_t>(fold >> 64));
    }
    // x >= p exactly when x + PRIME_DIFF carries out of 2^3072; then that
    // sum (without the carry) is x - p.
    Limbs shifted = x;
    if (AddAt(shifted, 0, PRIME_DIFF) != 0) x = shifted;
}

void QuarterRound(uint32_t& a, uint32_t& b, uint32_t& c, uint32_t& d)
{
    const auto rotl = [](uint32_t v, int n) { return (v << n) | (v >> (32 - n)); };
    a += b; d ^= a; d = rotl(d, 16);
    c += d; b ^= c; b = rotl(b, 12);
    a += b; d ^= a; d = rotl(d, 8);
    c += d; b ^= c; b = rotl(b, 7);
}

} // namespace

void ChaCha20Keystream(std::span<const unsigned char, 32> key, uint32_t counter, std::span<unsigned char> out,
                       std::span<const unsigned char, 12> nonce)
{
    uint32_t input[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
    for (int i = 0; i < 8; ++i) input[4 + i] = ReadLE32(key.data() + 4 * i);
    for (int i = 0; i < 3; ++i) input[13 + i] = ReadLE32(nonce.data() + 4 * i);
    for (size_t pos = 0; pos + 64 <= out.size(); pos += 64, ++counter) {
        input[12] = counter;
        uint32_t x[16];
        std::memcpy(x, input, sizeof(x));
        for (int round = 0; round < 10; ++round) {
            QuarterRound(x[0], x[4], x[8], x[12]);
            QuarterRound(x[1], x[5], x[9], x[13]);
            QuarterRound(x[2], x[6], x[10], x[14]);
            QuarterRound(x[3], x[7], x[11], x[15]);
            QuarterRound(x[0], x[5], x[10], x[15]);
            QuarterRound(x[1], x[6], x[11], x[12]);
            QuarterRound(x[2], x[7], x[8], x[13]);
            QuarterRound(x[3], x[4], x[9], x[14]);
        }
        for (int i = 0; i < 16; ++i) WriteLE32(out.data() + pos + 4 * i, x[i] + input[i]);
    }
}

Num3072::Num3072(std::span<const unsigned char, BYTE_SIZE> bytes)
{
    for (size_t i = 0; i < LIMBS; ++i) {
        uint64_t limb = 0;
        for (int b = 7; b >= 0; --b) limb = (limb << 8) | bytes[8 * i + b];
        m_limbs[i] = limb;
    }
}

void Num3072::Multiply(const Num3072& other)
{
    // Schoolbook product into 96 limbs, then low + high * PRIME_DIFF.
    std::array<uint64_t, 2 * LIMBS> product{};
    for (size_t i = 0; i < LIMBS; ++i) {
        uint64_t carry = 0;
        for (size_t j = 0; j < LIMBS; ++j) {
            const u128 t = u128{m_limbs[i]} * other.m_limbs[j] + product[i + j] + carry;
            product[i + j] = static_cast<uint64_t>(t);
            carry = static_cast<uint64_t>(t >> 64);
        }
        product[i + LIMBS] = carry;
    }
    Limbs low;
    std::memcpy(low.data(), product.data(), sizeof(low));
    uint64_t overflow = 0;
    uint64_t carry = 0;
    for (size_t i = 0; i < LIMBS; ++i) {
        const u128 t = u128{product[LIMBS + i]} * PRIME_DIFF + low[i] + carry;
        low[i] = static_cast<uint64_t>(t);
        carry = static_cast<uint64_t>(t >> 64);
    }
    overflow = carry;
    Reduce(low, overflow);
    m_limbs = low;
}

Num3072 Num3072::Inverse() const
{
    // Fermat: a^(p-2). p - 2 = 2^3072 - PRIME_DIFF - 2: every bit set but
    // in the low limb, which is 2^64 - PRIME_DIFF - 2.
    Limbs exponent;
    exponent.fill(~uint64_t{0});
    exponent[0] = ~uint64_t{0} - PRIME_DIFF - 1;
    Num3072 result;  // 1
    for (size_t limb = LIMBS; limb-- > 0;) {
        for (int bit = 63; bit >= 0; --bit) {
            result.Multiply(result);
            if ((exponent[limb] >> bit) & 1) result.Multiply(*this);
        }
    }
    return result;
}

std::array<unsigned char, Num3072::BYTE_SIZE> Num3072::ToBytes() const
{
    Limbs reduced = m_limbs;
    Reduce(reduced, 0);
    std::array<unsigned char, BYTE_SIZE> out;
    for (size_t i = 0; i < LIMBS; ++i) {
        for (int b = 0; b < 8; ++b) out[8 * i + b] = static_cast<unsigned char>(reduced[i] >> (8 * b));
    }
    return out;
}

namespace {

Num3072 ElementToNum(std::span<const unsigned char> element)
{
    unsigned char key[32];
    Sha256().Write(element).Finalize(std::span<unsigned char, 32>(key, 32));
    std::array<unsigned char, Num3072::BYTE_SIZE> stream;
    ChaCha20Keystream(std::span<const unsigned char, 32>(key, 32), 0, stream);
    return Num3072(stream);
}

} // namespace

MuHash3072& MuHash3072::Insert(std::span<const unsigned char> element)
{
    m_numerator.Multiply(ElementToNum(element));
    return *this;
}

MuHash3072& MuHash3072::Remove(std::span<const unsigned char> element)
{
    m_denominator.Multiply(ElementToNum(element));
    return *this;
}

uint256 MuHash3072::Finalize() const
{
    Num3072 quotient = m_numerator;
    quotient.Multiply(m_denominator.Inverse());
    const auto bytes = quotient.ToBytes();
    uint256 out;
    Sha256().Write(bytes).Finalize(std::span<unsigned char, 32>(out.data(), 32));
    return out;
}
