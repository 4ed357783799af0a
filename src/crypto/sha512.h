#pragma once

// SHA-512 (FIPS 180-4), portable.

#include <cstddef>
#include <cstdint>
#include <span>

class Sha512 {
public:
    static constexpr size_t OUTPUT_SIZE = 64;
    static constexpr size_t BLOCK_SIZE = 128;

    Sha512();
    Sha512& Write(std::span<const unsigned char> data);
    // Leaves the hasher untouched (see Sha256::Finalize).
    void Finalize(std::span<unsigned char, OUTPUT_SIZE> out) const;
    Sha512& Reset();

private:
    uint64_t m_state[8];
    unsigned char m_buffer[BLOCK_SIZE];
    uint64_t m_bytes; // 2^64 bytes is far beyond anything we hash
};
