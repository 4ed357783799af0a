#pragma once

// ChainstateManager: accepts headers and blocks, stores them, keeps the
// active chain on the valid chain with the most work (connecting and
// disconnecting blocks against the coins cache, reorganizing across forks of
// any depth), flushes state to disk in crash-safe order and repairs an
// interrupted flush at start.

#include <consensus/validation.h>
#include <kernel/block_index.h>
#include <kernel/blockstorage.h>
#include <kernel/chainparams.h>
#include <kernel/chainstate.h>
#include <kernel/coins.h>
#include <kernel/notifications.h>
#include <kernel/script_check_queue.h>
#include <primitives/block.h>
#include <script/sigcache.h>
#include <uint256.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <utility>
#include <vector>

class TxIndex;

struct ChainstateManagerOptions {
    const ChainParams& params;
    std::filesystem::path datadir;  // network dir: blocks/, chainstate/, indexes/
    size_t dbcache_bytes = size_t{450} << 20;
    uint64_t prune_target_bytes = 0;  // 0: keep all; PRUNE_TARGET_MANUAL: pruneblockchain only
    uint64_t max_blockfile_size = MAX_BLOCKFILE_SIZE;  // smaller in tests to get several blk files
    bool txindex = false;
    int script_threads = 0;  // worker threads besides the validating one
    std::optional<uint256> assumevalid = std::nullopt;  // nullopt: the network's default; null hash: verify everything
    std::optional<uint256> minimum_chain_work = std::nullopt;  // -minimumchainwork; nullopt: the network's default
    bool reindex = false;
    bool reindex_chainstate = false;
    std::function<int64_t()> adjusted_time = nullptr;  // seconds; null: the system clock
    std::chrono::seconds periodic_flush_interval{60 * 60};
    // Off: every script is verified in full (benchmarks of raw verification).
    bool use_signature_cache = true;
};

// Orders block index entries as candidates for the tip: more work is better,
// equal work goes to the one that arrived first (lower sequence_id).
struct CandidateOrder {
    bool operator()(const BlockIndex* a, const BlockIndex* b) const;
};

class ChainstateManager {
public:
    // Opens or creates blocks/ and chainstate/, loads the block index,
    // repairs an interrupted flush, runs a requested reindex and activates
    // the best chain. Throws std::runtime_error naming the damaged file and
    // suggesting -reindex on corrupt data.
    explicit ChainstateManager(ChainstateManagerOptions options);
    ~ChainstateManager();  // flushes everything
    ChainstateManager(const ChainstateManager&) = delete;
    ChainstateManager& operator=(const ChainstateManager&) = delete;

    std::recursive_mutex& ChainLock() const { return m_chain_mutex; }  // "cs_main"

    bool ProcessNewBlockHeaders(std::span<const BlockHeader> headers, BlockValidationState& state,
                                const BlockIndex** last = nullptr);
    // Checks and stores the block, then activates the best chain. false when
    // the block itself is invalid or could not be stored. state (optional)
    // receives why this block was rejected, also when it was stored but
    // failed to connect.
    bool ProcessNewBlock(const std::shared_ptr<const Block>& block, bool force_processing, bool* new_block,
                         BlockValidationState* state = nullptr);
    bool ActivateBestChain(BlockValidationState& state);

    bool InvalidateBlock(BlockValidationState& state, BlockIndex* index);
    void ReconsiderBlock(BlockIndex* index);
    bool PreciousBlock(BlockValidationState& state, BlockIndex* index);

    void FlushStateToDisk(FlushStateMode mode);
    void PruneBlockFilesManual(int height);

    const Chain& ActiveChain() const { return m_chainstate->ActiveChain(); }
    CoinsViewCache& CoinsTip() { return m_chainstate->CoinsTip(); }
    Chainstate& GetChainstate() { return *m_chainstate; }
    BlockManager& Blocks() { return *m_blockman; }
    const ChainParams& Params() const { return m_options.params; }
    BlockIndex* BestHeader() const { return m_best_header; }
    BlockIndex* LookupBlockIndex(const uint256& hash);

    void RegisterObserver(ValidationObserver* observer) { m_observers.Register(observer); }
    void UnregisterObserver(ValidationObserver* observer) { m_observers.Unregister(observer); }

    // All checks of ConnectBlock on a copy of the coins, nothing stored.
    bool TestBlockValidity(BlockValidationState& state, const Block& block, BlockIndex* prev, bool check_pow,
                           bool check_merkle);
    // -txindex: the transaction and the hash of its block.
    std::optional<std::pair<TransactionRef, uint256>> FindTransaction(const uint256& txid) const;
    bool IsInitialBlockDownload() const;
    // Work a header chain needs before the node trusts it (leaves IBD,
    // skips assumed-valid scripts): -minimumchainwork or the network's.
    arith_uint256 MinimumChainWork() const;

    // Counters for tests and benchmarks.
    uint64_t ScriptChecksRun() const { return m_script_checks_run; }
    // Shared with the mempool, so signatures it verified are not verified again in a block.
    SignatureCache& SigCache() { return m_sigcache; }

private:
    // Header acceptance (validation_header.cpp).
    bool AcceptBlockHeader(const BlockHeader& header, BlockValidationState& state, BlockIndex** out);
    bool ContextualCheckBlockHeader(const BlockHeader& header, BlockValidationState& state,
                                    const BlockIndex& prev) const;
    int64_t AdjustedTime() const;

    // Block acceptance (validation_block.cpp).
    // known_pos: the block is already in a blk file (-reindex), do not write it again.
    bool AcceptBlock(const std::shared_ptr<const Block>& block, BlockValidationState& state, BlockIndex** out,
                     bool* new_block, const FlatFilePos* known_pos = nullptr);
    bool ContextualCheckBlock(const Block& block, BlockValidationState& state, const BlockIndex* prev) const;
    void ReceivedBlockTransactions(const Block& block, BlockIndex& index, const FlatFilePos& pos);
    void MarkBlockFailed(BlockIndex* index);

    // Connecting and disconnecting (validation_connect.cpp).
    enum class DisconnectResult { OK, UNCLEAN, FAILED };
    bool ConnectBlock(const Block& block, BlockValidationState& state, BlockIndex* index, CoinsViewCache& view,
                      bool just_check = false);
    DisconnectResult DisconnectBlock(const Block& block, const BlockIndex& index, CoinsViewCache& view);
    bool ShouldCheckScripts(const BlockIndex& index) const;

    // Chain selection (validation_activate.cpp).
    BlockIndex* FindMostWorkChain();
    bool ActivateBestChainStep(BlockValidationState& state, BlockIndex* target, bool& invalid_found);
    bool ConnectTip(BlockValidationState& state, BlockIndex* index, const std::shared_ptr<const Block>& block);
    bool DisconnectTip(BlockValidationState& state);
    void InvalidBlockFound(BlockIndex* index, const BlockValidationState& state);
    void PruneCandidates();
    void TryAddCandidate(BlockIndex* index);
    void RebuildCandidates();
    void SetDirty(BlockIndex* index) { m_blockman->SetDirty(index); }

    // Disk state (validation_flush.cpp).
    bool FlushStateToDiskInternal(FlushStateMode mode, bool flush_for_prune);
    void LoadChainstate();
    void RepairInterruptedFlush(const std::vector<uint256>& heads);
    void ApplyBlockIdempotent(const Block& block, const BlockIndex& index, CoinsViewCache& view);
    void RollbackBlockIdempotent(const Block& block, const BlockIndex& index, CoinsViewCache& view);
    void SetupLoadedIndex();
    void VerifyRecentBlocks();
    void CatchUpTxIndex();
    void Reindex();
    [[noreturn]] void FatalDiskError(const std::string& what) const;

    ChainstateManagerOptions m_options;
    mutable std::recursive_mutex m_chain_mutex;
    std::unique_ptr<BlockManager> m_blockman;
    std::unique_ptr<Chainstate> m_chainstate;
    std::unique_ptr<TxIndex> m_txindex;
    ObserverList m_observers;
    SignatureCache m_sigcache;
    ScriptCheckQueue m_script_queue;

    std::set<BlockIndex*, CandidateOrder> m_candidates;
    // Blocks with data whose parent's transactions are not all there yet.
    std::multimap<BlockIndex*, BlockIndex*> m_unlinked;
    BlockIndex* m_best_header = nullptr;
    BlockIndex* m_best_invalid = nullptr;
    int32_t m_next_sequence_id = 1;
    int32_t m_next_precious_id = -1;
    arith_uint256 m_last_precious_work;
    BlockIndex* m_assumevalid_index = nullptr;  // resolved lazily from the header tree
    uint256 m_assumevalid_hash;

    // The last block that failed to connect and why (ProcessNewBlock reports it).
    std::pair<BlockIndex*, BlockValidationState> m_last_connect_failure{nullptr, {}};
    std::chrono::steady_clock::time_point m_last_flush;
    mutable bool m_ibd_latched = false;
    uint64_t m_script_checks_run = 0;
};

// Share of all transactions so far that the chain up to `tip` holds,
// estimated from a rough rate of transactions per second since the tip's time
// (mockable clock); 1 on a synced regtest chain.
double GuessVerificationProgress(const ChainParams& params, const BlockIndex* tip);

// Script verification flags for connecting the block at `index`: every
// deployment active at its height, or the network's exception for it.
uint32_t GetBlockScriptFlags(const BlockIndex& index, const ChainParams& params);
