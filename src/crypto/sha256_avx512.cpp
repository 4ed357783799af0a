// Sha256D64 sixteen inputs at a time with AVX-512: each 512-bit register holds
// the same word of sixteen independent hashes. Merkle trees hash thousands of
// independent 64-byte nodes, and with vprord and vpternlogd one round costs
// about a dozen instructions for all sixteen lanes, which outruns sha256rnds2
// (one execution unit, two rounds per instruction) on CPUs that have both.
// Built with -mavx512f -mavx512bw; sha256_dispatch.cpp calls in only after
// checking that the CPU and the OS support it. Like sha256_shani.cpp it
// includes nothing with run-time inline functions besides the intrinsics.

#include <crypto/sha256_backend.h>
#include <crypto/sha256_multiway.h>

#if defined(__AVX512F__) && defined(__AVX512BW__)

// GCC 12's AVX-512 intrinsics start results from _mm512_undefined_epi32(),
// which -Wuninitialized reports at each use (GCC bug 105593, fixed in 13).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

namespace sha256_backend {
namespace {

// Sixteen 32-bit lanes; vprord rotates and vpternlogd computes any function of
// three inputs (its immediate is the truth table, bit a << 2 | b << 1 | c).
struct Avx512 {
    using Vec = __m512i;

    static Vec Add(Vec a, Vec b) { return _mm512_add_epi32(a, b); }
    static Vec Broadcast(uint32_t x) { return _mm512_set1_epi32(static_cast<int>(x)); }
    static Vec Xor3(Vec a, Vec b, Vec c) { return _mm512_ternarylogic_epi32(a, b, c, 0x96); }
    static Vec Choose(Vec e, Vec f, Vec g) { return _mm512_ternarylogic_epi32(e, f, g, 0xca); }
    static Vec Majority(Vec a, Vec b, Vec c) { return _mm512_ternarylogic_epi32(a, b, c, 0xe8); }
    static Vec BigSigma0(Vec x) { return Xor3(_mm512_ror_epi32(x, 2), _mm512_ror_epi32(x, 13), _mm512_ror_epi32(x, 22)); }
    static Vec BigSigma1(Vec x) { return Xor3(_mm512_ror_epi32(x, 6), _mm512_ror_epi32(x, 11), _mm512_ror_epi32(x, 25)); }
    static Vec SmallSigma0(Vec x) { return Xor3(_mm512_ror_epi32(x, 7), _mm512_ror_epi32(x, 18), _mm512_srli_epi32(x, 3)); }
    static Vec SmallSigma1(Vec x) { return Xor3(_mm512_ror_epi32(x, 17), _mm512_ror_epi32(x, 19), _mm512_srli_epi32(x, 10)); }
};
using Vec = Avx512::Vec;

// Lane i at byte offset i * stride, for gathers and scatters.
Vec LaneOffsets(int stride)
{
    return _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                              Avx512::Broadcast(stride));
}

// SHA-256 words are big-endian: reverse the bytes within each 32-bit lane.
Vec ByteSwapWords(Vec v)
{
    return _mm512_shuffle_epi8(v, _mm512_broadcast_i32x4(_mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL)));
}

void D64Sixteen(unsigned char* out, const unsigned char* in)
{
    // Word i of the sixteen consecutive inputs: a gather with a 64-byte stride.
    Vec block[16];
    const Vec in_offsets = LaneOffsets(64);
    for (int i = 0; i < 16; ++i) block[i] = ByteSwapWords(_mm512_i32gather_epi32(in_offsets, in + 4 * i, 1));

    const multiway::State<Avx512> digest = multiway::DoubleHash<Avx512>(block);

    const Vec out_offsets = LaneOffsets(32);
    for (int i = 0; i < 8; ++i) _mm512_i32scatter_epi32(out + 4 * i, out_offsets, ByteSwapWords(digest.v[i]), 1);
}

size_t D64Avx512(unsigned char* out, const unsigned char* in, size_t blocks)
{
    size_t done = 0;
    for (; blocks - done >= 16; done += 16) D64Sixteen(out + 32 * done, in + 64 * done);
    return done;
}

} // namespace

D64WideFn Avx512D64() { return D64Avx512; }

} // namespace sha256_backend

#else // built without AVX-512

namespace sha256_backend {
D64WideFn Avx512D64() { return nullptr; }
} // namespace sha256_backend

#endif
