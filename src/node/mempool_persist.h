#pragma once

// mempool.dat: the mempool written at shutdown (and by savemempool) and
// loaded at start (-persistmempool). Core's format: version (uint64; 1, or 2
// with an 8-byte XOR key, as a byte vector, that obfuscates the rest), the
// number of transactions, then per transaction the transaction (with
// witness), its entry time (int64) and fee delta (int64); then the map of
// prioritisetransaction deltas and the set of unbroadcast txids.

#include <cstdint>
#include <filesystem>
#include <string>

class ChainstateManager;

namespace node {

class TxMempool;

inline constexpr const char* MEMPOOL_DAT_FILENAME = "mempool.dat";

// Writes atomically (mempool.dat.new, then rename). false + error on failure.
bool DumpMempool(const TxMempool& pool, const std::filesystem::path& path, bool use_v1, std::string& error);

struct LoadMempoolResult {
    uint64_t succeeded = 0;
    uint64_t failed = 0;
    uint64_t expired = 0;
    uint64_t already_there = 0;
    uint64_t unbroadcast = 0;  // txids in the file's unbroadcast set (Core counts the file's, not the re-added ones)
    bool file_read = false;    // the file was opened and read to its end without a format error
};

// What to take from the file besides the transactions (importmempool's
// options; startup uses the defaults, which take everything as written).
struct LoadMempoolOptions {
    bool use_current_time = false;          // entry time now instead of the file's (nothing expires)
    bool apply_fee_delta_priority = true;   // the fee deltas (per transaction and the delta map)
    bool apply_unbroadcast_set = true;      // the unbroadcast set
};

// Loads the file (a missing or damaged file is logged, not an error: see
// result.file_read). Transactions go through AcceptToMemoryPool with their
// original entry times; older than -mempoolexpiry are skipped. Txids of the
// file's unbroadcast set that are in the pool afterwards join its unbroadcast
// set. Marks the mempool loaded. false + error only for an unknown version.
bool LoadMempool(TxMempool& pool, ChainstateManager& chainman, const std::filesystem::path& path,
                 LoadMempoolResult& result, std::string& error, const LoadMempoolOptions& opts = {});

} // namespace node
