#pragma once

// SHA-256 (FIPS 180-4). The code is chosen once at run time: x86 SHA
// extensions, AVX-512 or AVX2 when the CPU has them, portable C++ otherwise.

#include <cstddef>
#include <cstdint>
#include <span>

class Sha256 {
public:
    static constexpr size_t OUTPUT_SIZE = 32;
    static constexpr size_t BLOCK_SIZE = 64;

    Sha256();
    Sha256& Write(std::span<const unsigned char> data);
    // Leaves the hasher untouched, so more data may be written afterwards and
    // a midstate (e.g. a tagged-hash prefix) can be finalized many times.
    void Finalize(std::span<unsigned char, OUTPUT_SIZE> out) const;
    Sha256& Reset();

private:
    uint32_t m_state[8];
    unsigned char m_buffer[BLOCK_SIZE];
    uint64_t m_bytes; // total bytes written; m_bytes % 64 of them wait in m_buffer
};

// out[32*i .. 32*i+31] = SHA256(SHA256(in[64*i .. 64*i+63])) for i < blocks
// (merkle inner nodes). Faster than Sha256 twice: the padding is precomputed,
// and many inputs are hashed side by side. out may equal in (a merkle level
// computed in place); other overlaps are not allowed.
void Sha256D64(unsigned char* out, const unsigned char* in, size_t blocks);

// What runs: the compression function, "sha-ni" or "generic", followed by
// "+avx512" or "+avx2" when Sha256D64 hashes groups of sixteen or eight
// inputs side by side in vector registers.
const char* Sha256Implementation();
