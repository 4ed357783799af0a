// SipHash-2-4 as specified in "SipHash: a fast short-input PRF" (Aumasson,
// Bernstein 2012): 2 rounds per 8-byte word, 4 finalization rounds.

#include <crypto/siphash.h>

#include <crypto/byte_order.h>

#include <bit>

namespace {

using byte_order::ReadLE64;
using Lanes = uint64_t[4]; // v0..v3

void Init(Lanes& v, uint64_t k0, uint64_t k1)
{
    // "somepseudorandomlygeneratedbytes" in ASCII.
    v[0] = k0 ^ 0x736f6d6570736575;
    v[1] = k1 ^ 0x646f72616e646f6d;
    v[2] = k0 ^ 0x6c7967656e657261;
    v[3] = k1 ^ 0x7465646279746573;
}

inline void SipRound(Lanes& v)
{
    v[0] += v[1]; v[1] = std::rotl(v[1], 13); v[1] ^= v[0]; v[0] = std::rotl(v[0], 32);
    v[2] += v[3]; v[3] = std::rotl(v[3], 16); v[3] ^= v[2];
    v[0] += v[3]; v[3] = std::rotl(v[3], 21); v[3] ^= v[0];
    v[2] += v[1]; v[1] = std::rotl(v[1], 17); v[1] ^= v[2]; v[2] = std::rotl(v[2], 32);
}

inline void Compress(Lanes& v, uint64_t word)
{
    v[3] ^= word;
    SipRound(v);
    SipRound(v);
    v[0] ^= word;
}

// `last` is the final word: the leftover bytes, with the low byte of the
// message length in its top byte.
inline uint64_t Finish(Lanes& v, uint64_t last)
{
    Compress(v, last);
    v[2] ^= 0xff;
    for (int i = 0; i < 4; ++i) SipRound(v);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}

} // namespace

SipHasher::SipHasher(uint64_t k0, uint64_t k1) : m_tail(0), m_count(0)
{
    Init(m_v, k0, k1);
}

SipHasher& SipHasher::Write(uint64_t data)
{
    if (m_count % 8 != 0) {
        // Not word-aligned: go through bytes, so the result stays that of the
        // concatenated byte string.
        unsigned char bytes[8];
        byte_order::WriteLE64(bytes, data);
        return Write(std::span<const unsigned char>(bytes));
    }
    Compress(m_v, data);
    m_count += 8;
    return *this;
}

SipHasher& SipHasher::Write(std::span<const unsigned char> data)
{
    // Complete a partly filled word, then take whole words straight from data.
    for (; !data.empty() && m_count % 8 != 0; data = data.subspan(1)) AppendByte(data.front());
    for (; data.size() >= 8; data = data.subspan(8)) {
        Compress(m_v, ReadLE64(data.data()));
        m_count += 8;
    }
    for (unsigned char byte : data) AppendByte(byte);
    return *this;
}

void SipHasher::AppendByte(unsigned char byte)
{
    m_tail |= uint64_t{byte} << (8 * (m_count % 8));
    if (++m_count % 8 == 0) {
        Compress(m_v, m_tail);
        m_tail = 0;
    }
}

uint64_t SipHasher::Finalize() const
{
    Lanes v = {m_v[0], m_v[1], m_v[2], m_v[3]};
    return Finish(v, m_tail | (m_count << 56));
}

uint64_t SipHashUint256(uint64_t k0, uint64_t k1, std::span<const unsigned char, 32> val)
{
    Lanes v;
    Init(v, k0, k1);
    for (int i = 0; i < 4; ++i) Compress(v, ReadLE64(val.data() + 8 * i));
    return Finish(v, uint64_t{32} << 56);
}

uint64_t SipHashUint256Extra(uint64_t k0, uint64_t k1, std::span<const unsigned char, 32> val, uint32_t extra)
{
    Lanes v;
    Init(v, k0, k1);
    for (int i = 0; i < 4; ++i) Compress(v, ReadLE64(val.data() + 8 * i));
    return Finish(v, uint64_t{extra} | (uint64_t{36} << 56));
}
