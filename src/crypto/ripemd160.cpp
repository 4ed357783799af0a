// RIPEMD-160 as defined in "RIPEMD-160: A Strengthened Version of RIPEMD"
// (Dobbertin, Bosselaers, Preneel, 1996): two parallel lines of five rounds of
// sixteen steps over little-endian 32-bit words.

#include <crypto/ripemd160.h>

#include <crypto/block_buffer.h>
#include <crypto/byte_order.h>

#include <array>
#include <bit>
#include <cstring>

namespace {

using byte_order::ReadLE32;
using byte_order::WriteLE32;

constexpr uint32_t IV[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};

// Added constants per round: left line, right line.
constexpr uint32_t LEFT_K[5] = {0x00000000, 0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xa953fd4e};
constexpr uint32_t RIGHT_K[5] = {0x50a28be6, 0x5c4dd124, 0x6d703ef3, 0x7a6d76e9, 0x00000000};

// The paper defines the word order of round j as rho^j (left line) and
// rho^j after pi (right line), and the rotation per (round, word).
constexpr int RHO[16] = {7, 4, 13, 1, 10, 6, 15, 3, 12, 0, 9, 5, 2, 14, 11, 8};
constexpr int SHIFT_BY_WORD[5][16] = {
    {11, 14, 15, 12, 5, 8, 7, 9, 11, 13, 14, 15, 6, 7, 9, 8},
    {12, 13, 11, 15, 6, 9, 9, 7, 12, 15, 11, 13, 7, 8, 7, 7},
    {13, 15, 14, 11, 7, 7, 6, 8, 13, 14, 13, 12, 5, 5, 6, 9},
    {14, 11, 12, 14, 8, 6, 5, 5, 15, 12, 15, 14, 9, 9, 8, 6},
    {15, 12, 13, 13, 9, 5, 8, 6, 14, 11, 12, 11, 8, 6, 5, 5},
};

struct StepTable {
    std::array<int, 80> word;  // index of the message word used at each step
    std::array<int, 80> shift; // left rotation at each step
};

constexpr StepTable MakeStepTable(bool right_line)
{
    StepTable table{};
    for (int i = 0; i < 16; ++i) {
        int word = right_line ? (9 * i + 5) % 16 : i; // pi(i) = 9i + 5 mod 16
        for (int round = 0; round < 5; ++round) {
            table.word[16 * round + i] = word;
            table.shift[16 * round + i] = SHIFT_BY_WORD[round][word];
            word = RHO[word];
        }
    }
    return table;
}
constexpr StepTable LEFT_STEPS = MakeStepTable(false);
constexpr StepTable RIGHT_STEPS = MakeStepTable(true);

// The five bitwise functions, f1..f5; the right line uses them in reverse order.
template <int F>
inline uint32_t Boolean(uint32_t x, uint32_t y, uint32_t z)
{
    if constexpr (F == 0) return x ^ y ^ z;
    if constexpr (F == 1) return (x & y) | (~x & z);
    if constexpr (F == 2) return (x | ~y) ^ z;
    if constexpr (F == 3) return (x & z) | (y & ~z);
    if constexpr (F == 4) return x ^ (y | ~z);
}

struct Line {
    uint32_t a, b, c, d, e;
};

// Sixteen steps of one line. Unrolled, so the table lookups become constants
// and the register moves disappear.
template <int ROUND, bool RIGHT>
inline void SixteenSteps(Line& v, const uint32_t* x)
{
    constexpr const StepTable& steps = RIGHT ? RIGHT_STEPS : LEFT_STEPS;
    constexpr uint32_t k = RIGHT ? RIGHT_K[ROUND] : LEFT_K[ROUND];
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i) {
        const int j = 16 * ROUND + i;
        const uint32_t f = Boolean<RIGHT ? 4 - ROUND : ROUND>(v.b, v.c, v.d);
        const uint32_t t = std::rotl(v.a + f + x[steps.word[j]] + k, steps.shift[j]) + v.e;
        v = {v.e, t, v.b, std::rotl(v.c, 10), v.d};
    }
}

template <int ROUND>
inline void BothLines(Line& left, Line& right, const uint32_t* x)
{
    SixteenSteps<ROUND, false>(left, x);
    SixteenSteps<ROUND, true>(right, x);
}

void Compress(uint32_t* h, const unsigned char* block)
{
    uint32_t x[16];
    for (int i = 0; i < 16; ++i) x[i] = ReadLE32(block + 4 * i);
    Line left{h[0], h[1], h[2], h[3], h[4]};
    Line right = left;
    BothLines<0>(left, right, x);
    BothLines<1>(left, right, x);
    BothLines<2>(left, right, x);
    BothLines<3>(left, right, x);
    BothLines<4>(left, right, x);
    // Combination of the two lines as the paper gives it.
    const uint32_t t = h[1] + left.c + right.d;
    h[1] = h[2] + left.d + right.e;
    h[2] = h[3] + left.e + right.a;
    h[3] = h[4] + left.a + right.b;
    h[4] = h[0] + left.b + right.c;
    h[0] = t;
}

} // namespace

Ripemd160::Ripemd160()
{
    Reset();
}

Ripemd160& Ripemd160::Reset()
{
    std::memcpy(m_state, IV, sizeof(m_state));
    m_bytes = 0;
    return *this;
}

Ripemd160& Ripemd160::Write(std::span<const unsigned char> data)
{
    block_buffer::Append(m_buffer, m_bytes, data, [this](const unsigned char* blocks, size_t count) {
        for (size_t i = 0; i < count; ++i) Compress(m_state, blocks + BLOCK_SIZE * i);
    });
    return *this;
}

void Ripemd160::Finalize(std::span<unsigned char, OUTPUT_SIZE> out) const
{
    // As in MD4: the bit length as a 64-bit little-endian number.
    block_buffer::PaddedTail<BLOCK_SIZE, 8> tail(m_buffer, m_bytes);
    byte_order::WriteLE64(tail.Length(), m_bytes << 3);
    uint32_t state[5];
    std::memcpy(state, m_state, sizeof(state));
    for (size_t i = 0; i < tail.blocks; ++i) Compress(state, tail.bytes + BLOCK_SIZE * i);
    for (int i = 0; i < 5; ++i) WriteLE32(out.data() + 4 * i, state[i]);
}
