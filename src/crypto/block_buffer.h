#pragma once

// Input buffering shared by the Merkle-Damgard hashes (SHA-256, SHA-512,
// RIPEMD-160): they differ only in block size, compression function and how
// the final length is encoded.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace block_buffer {

// Appends data to the message: completes the partial block pending in buffer
// (total % BLOCK_SIZE bytes of it), hands whole blocks to compress(pointer,
// count) straight from data without copying, and keeps the rest in buffer.
template <size_t BLOCK_SIZE, typename Compress>
void Append(unsigned char (&buffer)[BLOCK_SIZE], uint64_t& total, std::span<const unsigned char> data,
            Compress compress)
{
    // An empty span's data() may be null, and memcpy from null is undefined
    // even for zero bytes.
    if (data.empty()) return;
    const size_t pending = total % BLOCK_SIZE;
    total += data.size();
    if (pending != 0) {
        const size_t take = std::min(BLOCK_SIZE - pending, data.size());
        std::memcpy(buffer + pending, data.data(), take);
        data = data.subspan(take);
        if (pending + take < BLOCK_SIZE) return;
        compress(buffer, size_t{1});
    }
    const size_t blocks = data.size() / BLOCK_SIZE;
    if (blocks != 0) compress(data.data(), blocks);
    data = data.subspan(blocks * BLOCK_SIZE);
    if (!data.empty()) std::memcpy(buffer, data.data(), data.size());
}

// The padded end of the message: the pending bytes, 0x80, then zeros up to
// LENGTH_SIZE bytes before a block boundary, where the caller writes the
// message length. One block, or two when the length does not fit.
template <size_t BLOCK_SIZE, size_t LENGTH_SIZE>
struct PaddedTail {
    unsigned char bytes[2 * BLOCK_SIZE] = {};
    size_t blocks;

    PaddedTail(const unsigned char (&buffer)[BLOCK_SIZE], uint64_t total)
    {
        const size_t pending = total % BLOCK_SIZE;
        std::memcpy(bytes, buffer, pending);
        bytes[pending] = 0x80;
        blocks = pending < BLOCK_SIZE - LENGTH_SIZE ? 1 : 2;
    }
    unsigned char* Length() { return bytes + blocks * BLOCK_SIZE - LENGTH_SIZE; }
};

} // namespace block_buffer
