#pragma once

// The coins database (chainstate/) in LevelDB. Records:
//   'C' txid VARINT(n)  -> Coin (compact serialization)
//   'B'                 -> uint256 best block: the state the coins describe
//   'H'                 -> std::vector<uint256> {new best, old best}: present
//                          only while a flush is being written
// A flush writes 'H' in its first batch and erases it with the new 'B' in
// its last ('B' keeps naming the old block until then), so a crash in
// between leaves 'H' behind (GetHeadBlocks() non-empty) and the next start
// replays blocks to repair the mixed state.

#include <kernel/coins.h>
#include <kernel/dbwrapper.h>

#include <filesystem>
#include <memory>

class CoinsViewDB : public CoinsView {
public:
    // Throws DatabaseError (suggesting -reindex-chainstate) when the store
    // cannot be opened.
    CoinsViewDB(const std::filesystem::path& chainstate_dir, size_t cache_bytes, bool wipe);

    std::optional<Coin> GetCoin(const OutPoint& outpoint) const override;
    bool HaveCoin(const OutPoint& outpoint) const override;
    uint256 GetBestBlock() const override;
    std::vector<uint256> GetHeadBlocks() const override;
    bool BatchWrite(CoinsMap& map, const uint256& best_block, bool erase) override;
    size_t EstimateSize() const override;
    std::unique_ptr<CoinsCursor> Cursor() const override;

    // Batches larger than this are written in parts (for tests; default 16 MiB).
    void SetBatchWriteBytes(size_t bytes) { m_batch_write_bytes = bytes; }
    // For crash tests: stop a flush after this many partial batches, as if
    // the process had died (throws std::runtime_error). 0: never.
    void SimulateCrashAfterBatches(unsigned batches) { m_crash_after_batches = batches; }

    Database& GetDatabase() { return m_db; }

private:
    Database m_db;
    size_t m_batch_write_bytes = 16 << 20;
    unsigned m_crash_after_batches = 0;
};

// SHA256 over every (outpoint, coin) of the view, serialized (coin in its
// compact form) in database key order. Throws std::logic_error when the view
// cannot enumerate its coins.
uint256 ComputeUtxoSetHash(const CoinsView& view);
