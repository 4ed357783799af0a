#pragma once

// The block index: one entry per known header, linked to its parent, with
// the validation status, the accumulated chain work and where the block and
// its undo data sit on disk. Chain is the active chain as a vector indexed by
// height.

#include <arith_uint256.h>
#include <primitives/block.h>
#include <uint256.h>

#include <cstdint>
#include <string>
#include <vector>

enum BlockStatus : uint32_t {
    BLOCK_VALID_UNKNOWN = 0,
    BLOCK_VALID_RESERVED = 1,     // reserved (was "header parsed")
    BLOCK_VALID_TREE = 2,         // header valid, parent known, pow and timestamps ok
    BLOCK_VALID_TRANSACTIONS = 3, // block received and transactions checked; chain_tx set once parents have theirs
    BLOCK_VALID_CHAIN = 4,        // outputs do not overspend, no double spends, coinbase ok, BIP30
    BLOCK_VALID_SCRIPTS = 5,      // scripts and signatures verified
    BLOCK_VALID_MASK = 7,

    BLOCK_HAVE_DATA = 8, // full block in a blk file
    BLOCK_HAVE_UNDO = 16, // undo data in a rev file
    BLOCK_HAVE_MASK = 24,

    BLOCK_FAILED_VALID = 32, // the block itself is invalid
    BLOCK_FAILED_CHILD = 64, // an ancestor is invalid
    BLOCK_FAILED_MASK = 96,

    BLOCK_OPT_WITNESS = 128, // validated with segwit rules
};

// Median time past covers this many blocks (the block itself and its ten parents).
inline constexpr int MEDIAN_TIME_SPAN = 11;

class BlockIndex {
public:
    // Points at the key of the owning map entry: the hash is stored once.
    const uint256* phash = nullptr;
    BlockIndex* prev = nullptr;
    // An ancestor further back (see GetSkipHeight), so ancestor lookups take
    // logarithmically many steps instead of walking every parent.
    BlockIndex* skip = nullptr;
    int height = 0;
    int file = -1;         // blk/rev file number, -1 when the block is not stored
    unsigned data_pos = 0; // offset of the block bytes (after magic and size) in blk<file>.dat
    unsigned undo_pos = 0; // offset of the undo bytes (after magic and size) in rev<file>.dat
    arith_uint256 chain_work; // total work of the chain up to and including this block
    unsigned tx_count = 0;    // transactions in this block, 0 until the block was received
    uint64_t chain_tx = 0;    // transactions up to and including this block; 0 unless all parents' data is known
    uint32_t status = 0;      // BlockStatus bits

    // Header fields.
    int32_t version = 0;
    uint256 merkle_root;
    uint32_t time = 0;
    uint32_t bits = 0;
    uint32_t nonce = 0;

    // Order of arrival of the block data, to break chain-work ties (earlier wins).
    int32_t sequence_id = 0;
    // Highest header time in the chain up to here: monotone, so it can be searched.
    uint32_t time_max = 0;

    BlockIndex() = default;
    explicit BlockIndex(const BlockHeader& header);

    BlockHeader GetBlockHeader() const;
    uint256 GetBlockHash() const { return phash ? *phash : uint256{}; }
    int64_t GetBlockTime() const { return time; }
    int64_t GetBlockTimeMax() const { return time_max; }
    // Median of the times of this block and up to ten parents.
    int64_t GetMedianTimePast() const;

    // The ancestor at `height` (this block at its own height), or null when
    // the height is negative or above this block.
    const BlockIndex* GetAncestor(int height) const;
    BlockIndex* GetAncestor(int height);

    // Sets `skip` from `prev`; call once prev and height are set.
    void BuildSkip();

    // Not failed and validated at least up to `up_to`.
    bool IsValid(BlockStatus up_to = BLOCK_VALID_TRANSACTIONS) const;
    // Raises the validity level to `up_to`; true when it changed. Failed blocks never rise.
    bool RaiseValidity(BlockStatus up_to);
    // This block and all its parents were received (chain_tx is known).
    bool HaveTxsDownloaded() const { return chain_tx != 0; }

    std::string ToString() const;
};

// Height the skip pointer of a block at `height` points to. Always lower than
// height (0 for heights below 2).
int GetSkipHeight(int height);

// Expected number of hashes for a block with these bits (its share of chain work).
arith_uint256 GetBlockProof(const BlockIndex& block);

// Seconds it would take, at target_spacing seconds per block of tip's
// difficulty, to produce the chain work between from and to (negative when
// to has less work than from). Clamped to the int64_t range.
int64_t GetBlockProofEquivalentTime(const BlockIndex& to, const BlockIndex& from, const BlockIndex& tip,
                                    int64_t target_spacing);

// Deepest block that is an ancestor of (or equal to) both; null if either is
// null or they share no ancestor.
const BlockIndex* LastCommonAncestor(const BlockIndex* a, const BlockIndex* b);

// The active chain: block pointers by height, genesis at 0.
class Chain {
public:
    BlockIndex* Genesis() const { return m_chain.empty() ? nullptr : m_chain.front(); }
    BlockIndex* Tip() const { return m_chain.empty() ? nullptr : m_chain.back(); }
    BlockIndex* operator[](int height) const
    {
        if (height < 0 || height >= static_cast<int>(m_chain.size())) return nullptr;
        return m_chain[height];
    }
    bool Contains(const BlockIndex* block) const
    {
        return block != nullptr && (*this)[block->height] == block;
    }
    // The successor of `block` in this chain, or null when block is the tip or not in the chain.
    BlockIndex* Next(const BlockIndex* block) const
    {
        return Contains(block) ? (*this)[block->height + 1] : nullptr;
    }
    // Height of the tip; -1 for an empty chain.
    int Height() const { return static_cast<int>(m_chain.size()) - 1; }

    // Makes `block` the tip, filling in its ancestors; null empties the chain.
    void SetTip(BlockIndex* block);

    // Hashes of `block` (the tip when null) and of ancestors going back
    // one at a time for ten blocks, then in doubling steps, ending at genesis.
    // A peer finds in it the most recent block both sides know.
    std::vector<uint256> GetLocator(const BlockIndex* block = nullptr) const;

    // The highest block of this chain that is an ancestor of `block` (or block itself).
    const BlockIndex* FindFork(const BlockIndex* block) const;

    // The first block with time_max >= time and height >= height, or null.
    BlockIndex* FindEarliestAtLeast(int64_t time, int height) const;

private:
    std::vector<BlockIndex*> m_chain;
};

// Locator hashes for `block` without a Chain (walks ancestors by skip pointers).
std::vector<uint256> LocatorEntries(const BlockIndex* block);
