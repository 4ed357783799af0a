// SHA-256 compression with the x86 SHA extensions (sha256rnds2, sha256msg1,
// sha256msg2). Built with -msse4.1 -msha; sha256_dispatch.cpp calls into it
// only after CPUID reports SHA, so the program still runs on CPUs without
// them. This file includes nothing with run-time inline functions besides the
// intrinsics (sha256_backend.h only adds compile-time tables), so no
// SHA-encoded copy of a shared inline function can end up linked into code
// that runs on other CPUs.

#include <crypto/sha256_backend.h>

#if defined(__SHA__) && defined(__SSE4_1__) && defined(__SSSE3__)

#include <immintrin.h>

namespace sha256_backend {
namespace {

// The eight working variables in the lane order sha256rnds2 takes them,
// lane 0 first: abef = {F, E, B, A}, cdgh = {H, G, D, C}.
struct State {
    __m128i abef;
    __m128i cdgh;
};

constexpr int REVERSE_LANES = 0x1B; // pshufd immediate: lanes 3,2,1,0

// SHA-256 words are big-endian: reverse the bytes within each 32-bit lane.
inline __m128i ByteSwapWords(__m128i v)
{
    const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    return _mm_shuffle_epi8(v, mask);
}

inline __m128i Load(const void* p) { return _mm_loadu_si128(static_cast<const __m128i*>(p)); }

inline State ToState(__m128i abcd, __m128i efgh)
{
    const __m128i dcba = _mm_shuffle_epi32(abcd, REVERSE_LANES);
    const __m128i hgfe = _mm_shuffle_epi32(efgh, REVERSE_LANES);
    return {_mm_unpackhi_epi64(hgfe, dcba), _mm_unpacklo_epi64(hgfe, dcba)};
}

inline __m128i WordsABCD(const State& s) { return _mm_shuffle_epi32(_mm_unpackhi_epi64(s.cdgh, s.abef), REVERSE_LANES); }
inline __m128i WordsEFGH(const State& s) { return _mm_shuffle_epi32(_mm_unpacklo_epi64(s.cdgh, s.abef), REVERSE_LANES); }

inline State InitialState() { return ToState(Load(IV), Load(IV + 4)); }

// Rounds t..t+3, wk = W[t..t+3] + K[t..t+3]. Each sha256rnds2 does two rounds
// with the low two words of its third operand; after two rounds the old
// {A,B,E,F} have become {C,D,G,H}.
inline void FourRounds(State& s, __m128i wk)
{
    const __m128i after_two = _mm_sha256rnds2_epu32(s.cdgh, s.abef, wk);
    s.abef = _mm_sha256rnds2_epu32(s.abef, after_two, _mm_shuffle_epi32(wk, 0x0E));
    s.cdgh = after_two;
}

// W[t..t+3] from W[t-16..t-13], W[t-12..t-9], W[t-8..t-5], W[t-4..t-1]
// (FIPS 180-4 6.2.2 step 1): msg1 adds sigma0, msg2 adds sigma1; the W[t-7]
// term sits across two vectors, hence the alignr.
inline __m128i NextWords(__m128i w16, __m128i w12, __m128i w8, __m128i w4)
{
    const __m128i partial = _mm_add_epi32(_mm_sha256msg1_epu32(w16, w12), _mm_alignr_epi8(w4, w8, 4));
    return _mm_sha256msg2_epu32(partial, w4);
}

// Compresses one block into each of N independent states. Running N hashes
// side by side hides the latency of sha256rnds2, whose result the next round
// needs. w[lane] holds the block's 16 words and is consumed.
template <int N>
inline void CompressLanes(State (&state)[N], __m128i (&w)[N][4])
{
    State saved[N];
    for (int l = 0; l < N; ++l) saved[l] = state[l];
#pragma GCC unroll 16
    for (int g = 0; g < 16; ++g) {
        const __m128i k = Load(K + 4 * g);
#pragma GCC unroll 4
        for (int l = 0; l < N; ++l) {
            __m128i(&m)[4] = w[l];
            if (g >= 4) m[g & 3] = NextWords(m[g & 3], m[(g + 1) & 3], m[(g + 2) & 3], m[(g + 3) & 3]);
            FourRounds(state[l], _mm_add_epi32(m[g & 3], k));
        }
    }
    for (int l = 0; l < N; ++l) {
        state[l].abef = _mm_add_epi32(state[l].abef, saved[l].abef);
        state[l].cdgh = _mm_add_epi32(state[l].cdgh, saved[l].cdgh);
    }
}

// The padding block after a 64-byte message: its W+K are precomputed.
template <int N>
inline void CompressPaddingLanes(State (&state)[N])
{
    State saved[N];
    for (int l = 0; l < N; ++l) saved[l] = state[l];
#pragma GCC unroll 16
    for (int g = 0; g < 16; ++g) {
        const __m128i wk = Load(PADDING_64_WK.data() + 4 * g);
#pragma GCC unroll 4
        for (int l = 0; l < N; ++l) FourRounds(state[l], wk);
    }
    for (int l = 0; l < N; ++l) {
        state[l].abef = _mm_add_epi32(state[l].abef, saved[l].abef);
        state[l].cdgh = _mm_add_epi32(state[l].cdgh, saved[l].cdgh);
    }
}

inline void LoadBlock(__m128i (&w)[4], const unsigned char* p)
{
    for (int i = 0; i < 4; ++i) w[i] = ByteSwapWords(Load(p + 16 * i));
}

void TransformShaNi(uint32_t* state_words, const unsigned char* data, size_t blocks)
{
    State state[1] = {ToState(Load(state_words), Load(state_words + 4))};
    for (size_t i = 0; i < blocks; ++i) {
        __m128i w[1][4];
        LoadBlock(w[0], data + 64 * i);
        CompressLanes(state, w);
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(state_words), WordsABCD(state[0]));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(state_words + 4), WordsEFGH(state[0]));
}

// Sha256D64 on N consecutive inputs at once.
template <int N>
void D64Lanes(unsigned char* out, const unsigned char* in)
{
    State state[N];
    __m128i w[N][4];
    for (int l = 0; l < N; ++l) {
        state[l] = InitialState();
        LoadBlock(w[l], in + 64 * l);
    }
    CompressLanes(state, w);
    CompressPaddingLanes(state);

    // Second hash: the 32-byte digest, 0x80, zeros, bit length 256.
    for (int l = 0; l < N; ++l) {
        w[l][0] = WordsABCD(state[l]);
        w[l][1] = WordsEFGH(state[l]);
        w[l][2] = _mm_set_epi32(0, 0, 0, int(0x80000000));
        w[l][3] = _mm_set_epi32(256, 0, 0, 0);
        state[l] = InitialState();
    }
    CompressLanes(state, w);
    for (int l = 0; l < N; ++l) {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 32 * l), ByteSwapWords(WordsABCD(state[l])));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 32 * l + 16), ByteSwapWords(WordsEFGH(state[l])));
    }
}

// Four lanes measured 6% faster than two on this machine (Xeon with SHA-NI),
// two 20% faster than one: sha256rnds2 limits throughput as well as latency.
void D64ShaNi(unsigned char* out, const unsigned char* in, size_t blocks)
{
    for (; blocks >= 4; blocks -= 4, in += 256, out += 128) D64Lanes<4>(out, in);
    for (; blocks >= 2; blocks -= 2, in += 128, out += 64) D64Lanes<2>(out, in);
    if (blocks != 0) D64Lanes<1>(out, in);
}

const Backend SHA_NI{"sha-ni", TransformShaNi, D64ShaNi, nullptr};

} // namespace

const Backend* ShaNiBackend() { return &SHA_NI; }

} // namespace sha256_backend

#else // built without SHA extensions (other CPU architecture or compiler)

namespace sha256_backend {
const Backend* ShaNiBackend() { return nullptr; }
} // namespace sha256_backend

#endif
