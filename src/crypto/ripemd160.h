#pragma once

// RIPEMD-160 (Dobbertin, Bosselaers, Preneel 1996), portable.

#include <cstddef>
#include <cstdint>
#include <span>

class Ripemd160 {
public:
    static constexpr size_t OUTPUT_SIZE = 20;
    static constexpr size_t BLOCK_SIZE = 64;

    Ripemd160();
    Ripemd160& Write(std::span<const unsigned char> data);
    // Leaves the hasher untouched (see Sha256::Finalize).
    void Finalize(std::span<unsigned char, OUTPUT_SIZE> out) const;
    Ripemd160& Reset();

private:
    uint32_t m_state[5];
    unsigned char m_buffer[BLOCK_SIZE];
    uint64_t m_bytes;
};
