#pragma once

// Block header (80 bytes, what proof of work commits to) and block.

#include <primitives/transaction.h>
#include <serialize.h>
#include <uint256.h>

#include <cstdint>
#include <vector>

struct BlockHeader {
    static constexpr size_t SERIALIZED_SIZE = 80;

    int32_t version = 0;
    uint256 prev_block;
    uint256 merkle_root;
    uint32_t time = 0;
    uint32_t bits = 0;
    uint32_t nonce = 0;

    // Double SHA-256 of the 80 serialized bytes.
    uint256 GetHash() const;
    bool IsNull() const { return bits == 0; }
    int64_t GetBlockTime() const { return time; }

    friend bool operator==(const BlockHeader&, const BlockHeader&) = default;

    template <typename Stream>
    void Serialize(Stream& s) const
    {
        ::Serialize(s, version);
        ::Serialize(s, prev_block);
        ::Serialize(s, merkle_root);
        ::Serialize(s, time);
        ::Serialize(s, bits);
        ::Serialize(s, nonce);
    }
    template <typename Stream>
    void Unserialize(Stream& s)
    {
        ::Unserialize(s, version);
        ::Unserialize(s, prev_block);
        ::Unserialize(s, merkle_root);
        ::Unserialize(s, time);
        ::Unserialize(s, bits);
        ::Unserialize(s, nonce);
    }
};

// Plain `s << block` / `s >> block` include witness data (the network and
// disk format); TX_NO_WITNESS(block) gives the stripped form.
struct Block : BlockHeader {
    std::vector<TransactionRef> vtx;

    const BlockHeader& GetHeader() const { return *this; }

    template <typename Stream>
    void Serialize(Stream& s) const
    {
        SerializeBlock(s, true);
    }
    template <typename Stream>
    void Unserialize(Stream& s)
    {
        UnserializeBlock(s, true);
    }

    template <typename Stream>
    void SerializeBlock(Stream& s, bool allow_witness) const
    {
        BlockHeader::Serialize(s);
        WriteCompactSize(s, vtx.size());
        for (const TransactionRef& tx : vtx) SerializeTransaction(s, *tx, allow_witness);
    }
    template <typename Stream>
    void UnserializeBlock(Stream& s, bool allow_witness)
    {
        BlockHeader::Unserialize(s);
        vtx.clear();
        const uint64_t count = ReadCompactSize(s);
        // Grows as transactions arrive: a bogus count costs nothing.
        for (uint64_t i = 0; i < count; ++i) {
            MutableTransaction m;
            UnserializeTransaction(s, m, allow_witness);
            vtx.push_back(std::make_shared<const Transaction>(std::move(m)));
        }
    }
};

template <typename Stream>
void SerializeWithWitnessMode(Stream& s, const Block& block, bool allow_witness)
{
    block.SerializeBlock(s, allow_witness);
}
template <typename Stream>
void UnserializeWithWitnessMode(Stream& s, Block& block, bool allow_witness)
{
    block.UnserializeBlock(s, allow_witness);
}
