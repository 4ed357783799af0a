#ifndef BITCOIN_CRYPTO_SHA1_H
#define BITCOIN_CRYPTO_SHA1_H

// SHA-1 (FIPS 180-4). Broken as a collision-resistant hash; here only because the script
// opcode OP_SHA1 is consensus and must compute it.

#include <cstddef>
#include <cstdint>
#include <span>

class Sha1 {
public:
    static constexpr size_t OUTPUT_SIZE = 20;
    static constexpr size_t BLOCK_SIZE = 64;

    Sha1();
    Sha1& Write(std::span<const unsigned char> data);
    // Leaves the hasher untouched.
    void Finalize(std::span<unsigned char, OUTPUT_SIZE> out) const;
    Sha1& Reset();

private:
    void Compress(const unsigned char* block);

    uint32_t m_state[5];
    unsigned char m_buffer[BLOCK_SIZE];
    uint64_t m_bytes;  // total bytes written; m_bytes % 64 of them wait in m_buffer
};

#endif // BITCOIN_CRYPTO_SHA1_H
