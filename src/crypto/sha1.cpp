#include <crypto/sha1.h>

#include <algorithm>
#include <bit>
#include <cstring>

namespace {

uint32_t LoadBig32(const unsigned char* p)
{
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

void StoreBig32(unsigned char* p, uint32_t v)
{
    p[0] = static_cast<unsigned char>(v >> 24);
    p[1] = static_cast<unsigned char>(v >> 16);
    p[2] = static_cast<unsigned char>(v >> 8);
    p[3] = static_cast<unsigned char>(v);
}

// FIPS 180-4 section 4.1.1: the function and constant change every 20 rounds.
uint32_t RoundFunction(int round, uint32_t b, uint32_t c, uint32_t d)
{
    if (round < 20) return (b & c) | (~b & d);
    if (round < 40) return b ^ c ^ d;
    if (round < 60) return (b & c) | (b & d) | (c & d);
    return b ^ c ^ d;
}

constexpr uint32_t ROUND_CONSTANTS[4] = {0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6};

} // namespace

Sha1::Sha1() { Reset(); }

Sha1& Sha1::Reset()
{
    static constexpr uint32_t INITIAL[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
    std::memcpy(m_state, INITIAL, sizeof(m_state));
    m_bytes = 0;
    return *this;
}

void Sha1::Compress(const unsigned char* block)
{
    uint32_t w[80];
    for (int t = 0; t < 16; ++t) w[t] = LoadBig32(block + 4 * t);
    for (int t = 16; t < 80; ++t) w[t] = std::rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);

    uint32_t a = m_state[0], b = m_state[1], c = m_state[2], d = m_state[3], e = m_state[4];
    for (int t = 0; t < 80; ++t) {
        const uint32_t temp = std::rotl(a, 5) + RoundFunction(t, b, c, d) + e + ROUND_CONSTANTS[t / 20] + w[t];
        e = d;
        d = c;
        c = std::rotl(b, 30);
        b = a;
        a = temp;
    }
    m_state[0] += a;
    m_state[1] += b;
    m_state[2] += c;
    m_state[3] += d;
    m_state[4] += e;
}

Sha1& Sha1::Write(std::span<const unsigned char> data)
{
    size_t buffered = m_bytes % BLOCK_SIZE;
    m_bytes += data.size();
    if (buffered != 0) {
        const size_t take = std::min(BLOCK_SIZE - buffered, data.size());
        if (take != 0) std::memcpy(m_buffer + buffered, data.data(), take);  // data() may be null when empty
        data = data.subspan(take);
        if (buffered + take < BLOCK_SIZE) return *this;
        Compress(m_buffer);
    }
    while (data.size() >= BLOCK_SIZE) {
        Compress(data.data());
        data = data.subspan(BLOCK_SIZE);
    }
    if (!data.empty()) std::memcpy(m_buffer, data.data(), data.size());
    return *this;
}

void Sha1::Finalize(std::span<unsigned char, OUTPUT_SIZE> out) const
{
    // Padding: 0x80, zeros up to 56 mod 64, then the bit length big-endian.
    Sha1 copy = *this;
    static constexpr unsigned char PAD[BLOCK_SIZE] = {0x80};
    const uint64_t bit_length = m_bytes * 8;
    const size_t buffered = m_bytes % BLOCK_SIZE;
    const size_t pad_length = buffered < 56 ? 56 - buffered : 120 - buffered;
    copy.Write(std::span<const unsigned char>{PAD, pad_length});
    unsigned char length_bytes[8];
    StoreBig32(length_bytes, static_cast<uint32_t>(bit_length >> 32));
    StoreBig32(length_bytes + 4, static_cast<uint32_t>(bit_length));
    copy.Write(length_bytes);
    for (int i = 0; i < 5; ++i) StoreBig32(out.data() + 4 * i, copy.m_state[i]);
}
