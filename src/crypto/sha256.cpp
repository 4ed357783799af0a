// The Sha256 class and Sha256D64 on top of whichever compression functions
// sha256_dispatch.cpp chose for this CPU.

#include <crypto/sha256.h>

#include <crypto/block_buffer.h>
#include <crypto/byte_order.h>
#include <crypto/sha256_backend.h>

#include <cstring>

Sha256::Sha256()
{
    Reset();
}

Sha256& Sha256::Reset()
{
    std::memcpy(m_state, sha256_backend::IV, sizeof(m_state));
    m_bytes = 0;
    return *this;
}

Sha256& Sha256::Write(std::span<const unsigned char> data)
{
    const auto transform = sha256_backend::Active().transform;
    block_buffer::Append(m_buffer, m_bytes, data,
                         [&](const unsigned char* blocks, size_t count) { transform(m_state, blocks, count); });
    return *this;
}

void Sha256::Finalize(std::span<unsigned char, OUTPUT_SIZE> out) const
{
    // FIPS 180-4 5.1.1: the bit length as a 64-bit big-endian number.
    block_buffer::PaddedTail<BLOCK_SIZE, 8> tail(m_buffer, m_bytes);
    byte_order::WriteBE64(tail.Length(), m_bytes << 3);
    uint32_t state[8];
    std::memcpy(state, m_state, sizeof(state));
    sha256_backend::Active().transform(state, tail.bytes, tail.blocks);
    for (int i = 0; i < 8; ++i) byte_order::WriteBE32(out.data() + 4 * i, state[i]);
}

void Sha256D64(unsigned char* out, const unsigned char* in, size_t blocks)
{
    const sha256_backend::Backend& backend = sha256_backend::Active();
    if (backend.d64_wide) {
        const size_t done = backend.d64_wide(out, in, blocks);
        out += 32 * done;
        in += 64 * done;
        blocks -= done;
    }
    backend.d64(out, in, blocks);
}

const char* Sha256Implementation()
{
    return sha256_backend::Active().name;
}
