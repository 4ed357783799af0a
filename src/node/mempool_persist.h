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
};

// Loads the file (a missing file is fine: an empty result). Transactions
// go through AcceptToMemoryPool with their original entry times; older than
// -mempoolexpiry are skipped. Marks the mempool loaded.
bool LoadMempool(TxMempool& pool, ChainstateManager& chainman, const std::filesystem::path& path,
                 LoadMempoolResult& result, std::string& error);

} // namespace node
