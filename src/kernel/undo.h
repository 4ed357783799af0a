#pragma once

// Undo data: the coins a block spent, so the block can be disconnected and
// the coins put back. Stored per block in rev?????.dat (see blockstorage.h).
//
// Layout (as Bitcoin Core writes it): BlockUndo = CompactSize(number of
// non-coinbase transactions) then each TxUndo; TxUndo = CompactSize(number of
// inputs) then, per spent coin, VARINT(height * 2 + coinbase), for height > 0
// a VARINT(0) left over from the old per-transaction version field, then the
// output in the compressed form of the chainstate (kernel/compressor.h).

#include <consensus/consensus.h>
#include <kernel/coins.h>
#include <kernel/compressor.h>
#include <serialize.h>

#include <cstdint>
#include <ios>
#include <limits>
#include <vector>

// One spent coin in undo format.
template <typename Stream>
void SerializeUndoCoin(Stream& s, const Coin& coin)
{
    WriteVarInt(s, uint64_t{coin.height} * 2 + (coin.coinbase ? 1 : 0));
    if (coin.height > 0) WriteVarInt(s, 0); // the old transaction-version slot
    ::Serialize(s, CompressedTxOut(coin.out));
}

// Throws std::ios_base::failure on malformed data.
template <typename Stream>
void UnserializeUndoCoin(Stream& s, Coin& coin)
{
    const uint64_t code = ReadVarInt(s, (uint64_t{std::numeric_limits<uint32_t>::max()} << 1) | 1);
    coin.height = static_cast<uint32_t>(code >> 1);
    coin.coinbase = (code & 1) != 0;
    if (coin.height > 0) ReadVarInt(s); // old version slot, ignored
    TxOut out;
    auto compressed = CompressedTxOut(out);
    ::Unserialize(s, compressed);
    coin.out = std::move(out);
}

// A block cannot spend more coins than inputs fit in its weight (41-byte
// minimal inputs): a larger count in undo data is corruption.
inline constexpr uint64_t MAX_UNDO_INPUTS = MAX_BLOCK_WEIGHT / (41 * 4);

// Coins spent by one transaction, in input order.
struct TxUndo {
    std::vector<Coin> prevout;

    template <typename Stream>
    void Serialize(Stream& s) const
    {
        WriteCompactSize(s, prevout.size());
        for (const Coin& coin : prevout) SerializeUndoCoin(s, coin);
    }
    template <typename Stream>
    void Unserialize(Stream& s)
    {
        const uint64_t count = ReadCompactSize(s);
        if (count > MAX_UNDO_INPUTS) throw std::ios_base::failure("TxUndo: too many inputs");
        prevout.clear();
        prevout.resize(static_cast<size_t>(count));
        for (Coin& coin : prevout) UnserializeUndoCoin(s, coin);
    }

    friend bool operator==(const TxUndo&, const TxUndo&) = default;
};

// One TxUndo per transaction of the block except the coinbase.
struct BlockUndo {
    std::vector<TxUndo> vtxundo;

    template <typename Stream>
    void Serialize(Stream& s) const
    {
        ::Serialize(s, vtxundo);
    }
    template <typename Stream>
    void Unserialize(Stream& s)
    {
        ::Unserialize(s, vtxundo);
    }

    friend bool operator==(const BlockUndo&, const BlockUndo&) = default;
};
