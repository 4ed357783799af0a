#pragma once

// -txindex: txid -> where the transaction sits in the block files, in
// LevelDB at indexes/txindex/. Entries are buffered per connected block and
// committed with the chainstate flush; the index's best block says how far
// it got, so a restart catches up from there.

#include <kernel/block_index.h>
#include <kernel/blockstorage.h>
#include <kernel/dbwrapper.h>
#include <primitives/block.h>
#include <uint256.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <utility>

class TxIndex {
public:
    TxIndex(const std::filesystem::path& dir, bool wipe);

    // Buffers the positions of the block's transactions (the block must be stored).
    void BlockConnected(const Block& block, const BlockIndex& index);
    // Writes the buffered entries and the best block.
    void Commit();
    // The last block whose transactions are committed (null: none).
    uint256 BestBlock() const { return m_best_block; }

    // The transaction and its block's hash, read from the block files.
    std::optional<std::pair<TransactionRef, uint256>> Find(const uint256& txid, const BlockManager& blocks) const;

private:
    Database m_db;
    Database::Batch m_pending;
    bool m_have_pending = false;
    uint256 m_best_block;
};
