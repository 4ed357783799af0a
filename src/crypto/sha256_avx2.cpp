// Sha256D64 eight inputs at a time with AVX2, for CPUs that have AVX2 but
// neither SHA extensions nor AVX-512 (Intel Haswell to Comet Lake): each
// 256-bit register holds the same word of eight independent hashes. Built
// with -mavx2; sha256_dispatch.cpp calls in only after checking that the CPU
// and the OS support it. Like sha256_shani.cpp it includes nothing with
// run-time inline functions besides the intrinsics.

#include <crypto/sha256_backend.h>
#include <crypto/sha256_multiway.h>

#if defined(__AVX2__)

#include <immintrin.h>

namespace sha256_backend {
namespace {

// Eight 32-bit lanes. AVX2 has no rotate or three-input logic instructions,
// so rotations are two shifts and an or.
struct Avx2 {
    using Vec = __m256i;

    static Vec Add(Vec a, Vec b) { return _mm256_add_epi32(a, b); }
    static Vec Broadcast(uint32_t x) { return _mm256_set1_epi32(static_cast<int>(x)); }
    static Vec Xor3(Vec a, Vec b, Vec c) { return _mm256_xor_si256(_mm256_xor_si256(a, b), c); }
    template <int BITS>
    static Vec Rotr(Vec x)
    {
        return _mm256_or_si256(_mm256_srli_epi32(x, BITS), _mm256_slli_epi32(x, 32 - BITS));
    }
    // g ^ (e & (f ^ g)) and (a & b) | (c & (a | b)): Ch and Maj in fewer operations.
    static Vec Choose(Vec e, Vec f, Vec g) { return _mm256_xor_si256(g, _mm256_and_si256(e, _mm256_xor_si256(f, g))); }
    static Vec Majority(Vec a, Vec b, Vec c)
    {
        return _mm256_or_si256(_mm256_and_si256(a, b), _mm256_and_si256(c, _mm256_or_si256(a, b)));
    }
    static Vec BigSigma0(Vec x) { return Xor3(Rotr<2>(x), Rotr<13>(x), Rotr<22>(x)); }
    static Vec BigSigma1(Vec x) { return Xor3(Rotr<6>(x), Rotr<11>(x), Rotr<25>(x)); }
    static Vec SmallSigma0(Vec x) { return Xor3(Rotr<7>(x), Rotr<18>(x), _mm256_srli_epi32(x, 3)); }
    static Vec SmallSigma1(Vec x) { return Xor3(Rotr<17>(x), Rotr<19>(x), _mm256_srli_epi32(x, 10)); }
};
using Vec = Avx2::Vec;

// SHA-256 words are big-endian: reverse the bytes within each 32-bit lane.
Vec ByteSwapWords(Vec v)
{
    const __m256i mask = _mm256_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL, 0x0c0d0e0f08090a0bLL,
                                           0x0405060700010203LL);
    return _mm256_shuffle_epi8(v, mask);
}

// Transposes an 8x8 matrix of 32-bit words: row i becomes column i. Turns
// eight inputs' words into eight words' lanes, and back. (Unlike AVX-512,
// AVX2 has no scatter, and its gathers are slow on some CPUs.)
void Transpose(Vec (&rows)[8])
{
    Vec pairs[8], quads[8];
    for (int i = 0; i < 8; i += 2) {
        pairs[i] = _mm256_unpacklo_epi32(rows[i], rows[i + 1]);
        pairs[i + 1] = _mm256_unpackhi_epi32(rows[i], rows[i + 1]);
    }
    for (int i = 0; i < 8; i += 4) {
        quads[i] = _mm256_unpacklo_epi64(pairs[i], pairs[i + 2]);
        quads[i + 1] = _mm256_unpackhi_epi64(pairs[i], pairs[i + 2]);
        quads[i + 2] = _mm256_unpacklo_epi64(pairs[i + 1], pairs[i + 3]);
        quads[i + 3] = _mm256_unpackhi_epi64(pairs[i + 1], pairs[i + 3]);
    }
    // quads[j] holds columns j and j + 4 of rows 0-3; quads[j + 4] of rows 4-7.
    for (int j = 0; j < 4; ++j) {
        rows[j] = _mm256_permute2x128_si256(quads[j], quads[j + 4], 0x20);
        rows[j + 4] = _mm256_permute2x128_si256(quads[j], quads[j + 4], 0x31);
    }
}

void D64Eight(unsigned char* out, const unsigned char* in)
{
    Vec block[16];
    for (int half = 0; half < 2; ++half) {
        Vec rows[8];
        for (int lane = 0; lane < 8; ++lane) {
            rows[lane] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + 64 * lane + 32 * half));
        }
        Transpose(rows);
        for (int i = 0; i < 8; ++i) block[8 * half + i] = ByteSwapWords(rows[i]);
    }

    multiway::State<Avx2> digest = multiway::DoubleHash<Avx2>(block);

    Transpose(digest.v);
    for (int lane = 0; lane < 8; ++lane) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 32 * lane), ByteSwapWords(digest.v[lane]));
    }
}

size_t D64Avx2(unsigned char* out, const unsigned char* in, size_t blocks)
{
    size_t done = 0;
    for (; blocks - done >= 8; done += 8) D64Eight(out + 32 * done, in + 64 * done);
    return done;
}

} // namespace

D64WideFn Avx2D64() { return D64Avx2; }

} // namespace sha256_backend

#else // built without AVX2

namespace sha256_backend {
D64WideFn Avx2D64() { return nullptr; }
} // namespace sha256_backend

#endif
