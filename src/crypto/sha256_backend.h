#pragma once

// Internal to SHA-256 and its tests: the compression functions behind Sha256
// and Sha256D64, and the switch between them. Not for other callers.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace sha256_backend {

// FIPS 180-4 section 4.2.2: the first 32 bits of the fractional parts of the
// cube roots of the first 64 primes. Aligned for 16-byte vector loads.
alignas(64) inline constexpr uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

// FIPS 180-4 section 5.3.3: the initial hash value H(0), words a..h.
alignas(32) inline constexpr uint32_t IV[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

constexpr uint32_t SmallSigma0(uint32_t x) { return std::rotr(x, 7) ^ std::rotr(x, 18) ^ (x >> 3); }
constexpr uint32_t SmallSigma1(uint32_t x) { return std::rotr(x, 17) ^ std::rotr(x, 19) ^ (x >> 10); }

// W[t] + K[t] for all 64 rounds of a block whose 16 words are known in
// advance. Sha256D64 uses it for the padding block that follows every 64-byte
// input: a fixed block, so its message schedule is computed by the compiler.
constexpr std::array<uint32_t, 64> ScheduleWithConstants(const std::array<uint32_t, 16>& block)
{
    std::array<uint32_t, 64> w{};
    for (int t = 0; t < 64; ++t) {
        w[t] = t < 16 ? block[t] : SmallSigma1(w[t - 2]) + w[t - 7] + SmallSigma0(w[t - 15]) + w[t - 16];
    }
    for (int t = 0; t < 64; ++t) w[t] += K[t];
    return w;
}

// The padding block of a 64-byte message: 0x80, zeros, bit length 512.
alignas(64) inline constexpr std::array<uint32_t, 64> PADDING_64_WK =
    ScheduleWithConstants({0x80000000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 512});

// Compresses `blocks` consecutive 64-byte blocks of data into state (words a..h).
using TransformFn = void (*)(uint32_t* state, const unsigned char* data, size_t blocks);
// Same contract as Sha256D64.
using D64Fn = void (*)(unsigned char* out, const unsigned char* in, size_t blocks);
// Sha256D64 for as many inputs as fill its lanes (a multiple of its width,
// at most blocks); returns how many it did.
using D64WideFn = size_t (*)(unsigned char* out, const unsigned char* in, size_t blocks);

struct Backend {
    const char* name;
    TransformFn transform;
    D64Fn d64;
    D64WideFn d64_wide; // nullptr, or a faster path for groups of eight or sixteen inputs
};

// Portable C++ (sha256_generic.cpp); runs everywhere.
extern const Backend GENERIC;

// x86 SHA extensions (sha256_shani.cpp, built with -msse4.1 -msha), or
// nullptr when this build does not contain them. Call only if CpuHasShaNi().
const Backend* ShaNiBackend();

// Sixteen inputs at a time with AVX-512 (sha256_avx512.cpp, built with
// -mavx512f -mavx512bw), or nullptr when this build does not contain it. Call
// only if CpuHasAvx512().
D64WideFn Avx512D64();

// Eight inputs at a time with AVX2 (sha256_avx2.cpp, built with -mavx2), or
// nullptr when this build does not contain it. Call only if CpuHasAvx2().
D64WideFn Avx2D64();

bool CpuHasShaNi();
bool CpuHasAvx2();   // and the OS saves the YMM registers
bool CpuHasAvx512(); // AVX512F and AVX512BW, and the OS saves the ZMM registers

// The backend Sha256 and Sha256D64 use now.
const Backend& Active();

// Test hook: true makes Active() the generic backend, false restores the
// fastest one this CPU supports. A hash in flight on another thread may mix
// backends, which is harmless (they share the state layout and agree).
void ForceGeneric(bool force);

} // namespace sha256_backend
