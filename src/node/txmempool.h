#pragma once

// The transaction memory pool: unconfirmed transactions with their fees,
// sizes, entry times and in-mempool ancestor/descendant relations (with
// aggregate counts, sizes and fees), a sequence number per add/remove,
// removal with reasons (fires mempool:removed), expiry, a size limit with
// eviction by descendant feerate and a rolling minimum fee.
//
// Locking: m_mutex (`cs`) guards everything. Lock order: the chain lock
// (ChainstateManager::ChainLock()) before the mempool lock.

#include <consensus/amount.h>
#include <node/policy.h>
#include <primitives/transaction.h>
#include <uint256.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

class CoinsView;
struct Coin;
class ArgsManager;

namespace node {

// Hash table key hasher for txids (they are already uniformly distributed;
// the salt keeps peers from choosing collisions).
struct TxidHasher {
    size_t operator()(const uint256& h) const noexcept;
};

// Hasher for the spent-outpoint table: SipHash with the process's random key
// (SaltedOutpointHasher), so peers cannot choose colliding outpoints.
struct SpentOutpointHasher {
    size_t operator()(const OutPoint& outpoint) const noexcept;
};

// The numbers are not part of any interface; the strings are (mempool:removed).
enum class MemPoolRemovalReason { EXPIRY, SIZELIMIT, REORG, BLOCK, CONFLICT, REPLACED };
// "expiry", "sizelimit", "reorg", "block", "conflict", "replaced"
const char* RemovalReasonToString(MemPoolRemovalReason reason);

struct MempoolLimits {
    int64_t ancestor_count = DEFAULT_ANCESTOR_LIMIT;
    int64_t ancestor_size_vbytes = DEFAULT_ANCESTOR_SIZE_LIMIT_KVB * 1000;
    int64_t descendant_count = DEFAULT_DESCENDANT_LIMIT;
    int64_t descendant_size_vbytes = DEFAULT_DESCENDANT_SIZE_LIMIT_KVB * 1000;
};

struct MempoolOptions {
    int64_t max_size_bytes = int64_t{DEFAULT_MAX_MEMPOOL_SIZE_MB} * 1000000;
    int64_t expiry_seconds = int64_t{DEFAULT_MEMPOOL_EXPIRY_HOURS} * 3600;
    FeeRate min_relay_feerate{DEFAULT_MIN_RELAY_TX_FEE};
    FeeRate incremental_relay_feerate{DEFAULT_INCREMENTAL_RELAY_FEE};
    Amount max_tx_fee = DEFAULT_MAX_TX_FEE;  // -maxtxfee (RPC submission guard)
    MempoolLimits limits;
    PolicyOptions policy;
    bool persist = DEFAULT_PERSIST_MEMPOOL;
    bool persist_v1_dat = false;  // -persistmempoolv1: no XOR key
};

// -maxmempool -mempoolexpiry -minrelaytxfee -incrementalrelayfee -maxtxfee
// -datacarrier -datacarriersize -dustrelayfee -permitbaremultisig
// -acceptnonstdtxn -bytespersigop -limitancestorcount -limitancestorsize
// -limitdescendantcount -limitdescendantsize -persistmempool -persistmempoolv1
void RegisterMempoolOptions(ArgsManager& args);
// Fills opts from args (is_test_chain: -acceptnonstdtxn allowed). false + error on bad values.
bool ReadMempoolOptions(const ArgsManager& args, bool is_test_chain, MempoolOptions& opts, std::string& error);

class TxMempoolEntry {
public:
    TxMempoolEntry(TransactionRef tx, Amount fee, int64_t time, unsigned entry_height, uint64_t entry_sequence,
                   bool spends_coinbase, int64_t sigop_cost, unsigned bytes_per_sigop);

    const Transaction& GetTx() const { return *m_tx; }
    const TransactionRef& GetSharedTx() const { return m_tx; }
    const uint256& GetTxid() const { return m_tx->GetHash(); }
    Amount GetFee() const { return m_fee; }
    Amount GetModifiedFee() const { return m_fee + m_fee_delta; }
    Amount GetFeeDelta() const { return m_fee_delta; }
    int64_t GetTxSize() const { return m_vsize; }  // virtual size (sigop-adjusted)
    int64_t GetTxWeight() const { return m_weight; }
    int64_t GetTime() const { return m_time; }     // UNIX seconds
    unsigned GetHeight() const { return m_entry_height; }
    uint64_t GetSequence() const { return m_sequence; }
    int64_t GetSigOpCost() const { return m_sigop_cost; }
    bool GetSpendsCoinbase() const { return m_spends_coinbase; }
    size_t DynamicMemoryUsage() const { return m_usage; }

    // Aggregates including this entry.
    uint64_t GetCountWithAncestors() const { return m_count_with_ancestors; }
    int64_t GetSizeWithAncestors() const { return m_size_with_ancestors; }
    Amount GetModFeesWithAncestors() const { return m_mod_fees_with_ancestors; }
    int64_t GetSigOpCostWithAncestors() const { return m_sigops_with_ancestors; }
    uint64_t GetCountWithDescendants() const { return m_count_with_descendants; }
    int64_t GetSizeWithDescendants() const { return m_size_with_descendants; }
    Amount GetModFeesWithDescendants() const { return m_mod_fees_with_descendants; }

    // In-mempool parents and children (txids).
    const std::set<uint256>& Parents() const { return m_parents; }
    const std::set<uint256>& Children() const { return m_children; }

private:
    friend class TxMempool;
    TransactionRef m_tx;
    Amount m_fee;
    Amount m_fee_delta = 0;
    int64_t m_vsize;
    int64_t m_weight;
    int64_t m_time;
    unsigned m_entry_height;
    uint64_t m_sequence;
    bool m_spends_coinbase;
    int64_t m_sigop_cost;
    size_t m_usage;
    uint64_t m_count_with_ancestors = 1;
    int64_t m_size_with_ancestors;
    Amount m_mod_fees_with_ancestors;
    int64_t m_sigops_with_ancestors;
    uint64_t m_count_with_descendants = 1;
    int64_t m_size_with_descendants;
    Amount m_mod_fees_with_descendants;
    std::set<uint256> m_parents;
    std::set<uint256> m_children;
    // The descendant score this entry is filed under in the eviction index.
    Amount m_evict_fee = 0;
    int64_t m_evict_size = 1;
    // This entry's node in TxMempool::m_by_time (removal without scanning equal times).
    std::multimap<int64_t, uint256>::iterator m_time_it;
};

// A copy of what RPCs and relay need about one entry.
struct TxMempoolInfo {
    TransactionRef tx;
    int64_t time = 0;
    Amount fee = 0;
    int64_t vsize = 0;
    Amount fee_delta = 0;
};

// Notified (under the mempool lock) after each addition / removal.
class MempoolObserver {
public:
    virtual ~MempoolObserver() = default;
    virtual void TransactionAdded(const TransactionRef& /*tx*/, uint64_t /*mempool_sequence*/) {}
    virtual void TransactionRemoved(const TransactionRef& /*tx*/, MemPoolRemovalReason /*reason*/,
                                    uint64_t /*mempool_sequence*/) {}
};

class TxMempool {
public:
    explicit TxMempool(MempoolOptions opts = {});
    ~TxMempool();
    TxMempool(const TxMempool&) = delete;
    TxMempool& operator=(const TxMempool&) = delete;

    std::recursive_mutex& Mutex() const { return m_mutex; }  // "cs"
    const MempoolOptions& Options() const { return m_opts; }

    void RegisterObserver(MempoolObserver* o);
    void UnregisterObserver(MempoolObserver* o);

    // Lookups (take the lock themselves).
    bool exists(const uint256& txid) const;
    bool exists_wtxid(const uint256& wtxid) const;
    TransactionRef get(const uint256& txid) const;
    std::optional<TxMempoolInfo> info(const uint256& txid) const;
    std::optional<TxMempoolInfo> info_wtxid(const uint256& wtxid) const;
    std::vector<TxMempoolInfo> infoAll() const;
    // Entry pointer valid while the caller holds Mutex().
    const TxMempoolEntry* GetEntry(const uint256& txid) const;
    // Every entry, ordered by entry sequence (caller holds Mutex()).
    std::vector<const TxMempoolEntry*> GetEntries() const;
    // The mempool transaction spending outpoint, or null.
    const Transaction* GetConflictTx(const OutPoint& outpoint) const;
    bool IsSpent(const OutPoint& outpoint) const { return GetConflictTx(outpoint) != nullptr; }
    // The output if a mempool transaction creates it.
    std::optional<TxOut> GetOutput(const OutPoint& outpoint) const;

    size_t size() const;
    uint64_t GetTotalTxSize() const;  // sum of vsizes
    Amount GetTotalFee() const;
    size_t DynamicMemoryUsage() const;
    uint64_t GetSequence() const;  // the next add/remove gets this number + 1 (getrawmempool mempool_sequence)
    uint64_t GetAndIncrementSequence();
    // Transactions ever added (unbroadcast tracking is not kept: 0 for getmempoolinfo).
    bool IsLoaded() const { return m_loaded; }
    void SetLoaded(bool loaded) { m_loaded = loaded; }

    // Rolling minimum feerate for acceptance (at least... 0 when nothing was evicted recently).
    FeeRate GetMinFee() const { return GetMinFee(m_opts.max_size_bytes); }
    FeeRate GetMinFee(int64_t size_limit) const;

    // Ancestors (not including txid itself) of a mempool entry; descendants likewise.
    std::set<uint256> CalculateAncestors(const uint256& txid) const;
    std::set<uint256> CalculateDescendants(const uint256& txid) const;
    // Ancestors a new tx would have (from its inputs). false + error string
    // ("too-long-mempool-chain" detail) when a limit would be broken.
    bool CalculateAncestorsForNew(const Transaction& tx, int64_t vsize, const MempoolLimits& limits,
                                  std::set<uint256>& ancestors, std::string& error) const;

    // Adds an entry whose ancestors were computed (caller holds Mutex() and
    // has checked everything). Fires mempool:added, notifies observers.
    void AddUnchecked(TxMempoolEntry entry);

    // Removes txid and all its descendants with reason (fires mempool:removed per tx).
    void RemoveRecursive(const uint256& txid, MemPoolRemovalReason reason);
    // Removes exactly these (a closed-under-descendants set).
    void RemoveStaged(const std::set<uint256>& txids, MemPoolRemovalReason reason);

    // A block connected: its transactions leave with reason BLOCK (in block
    // order), mempool transactions spending the same inputs with CONFLICT.
    void removeForBlock(const std::vector<TransactionRef>& txs, unsigned block_height);
    // After a reorg: removes what no longer fits the new tip (immature coinbase
    // spends, non-final, broken sequence locks) with reason REORG. check(entry)
    // returns true for entries to remove (with their descendants).
    void removeForReorg(const std::function<bool(const TxMempoolEntry&)>& check);
    // Removes entries older than time (and descendants) with reason EXPIRY; returns the count.
    int Expire(int64_t time);
    // Evicts lowest-descendant-feerate packages until the usage is <= limit
    // (reason SIZELIMIT); raises the rolling minimum fee. no_spends_remaining
    // (optional) receives outpoints of evicted txs' inputs no longer spent in the mempool.
    void TrimToSize(int64_t size_limit, std::vector<OutPoint>* no_spends_remaining = nullptr);
    // Empties the mempool without firing tracepoints (tests, shutdown).
    void clear();

    // prioritisetransaction: adds delta to txid's modified fee (kept when not in the pool).
    void PrioritiseTransaction(const uint256& txid, Amount delta);
    Amount GetFeeDelta(const uint256& txid) const;
    std::map<uint256, Amount> GetPrioritisedTransactions() const;  // every delta ever set
    void ClearPrioritisation(const uint256& txid);

    // Full consistency check (tests): aggregates and links.
    bool CheckConsistency(std::string& error) const;

private:
    // Eviction order: lowest descendant score (max of own and
    // with-descendants feerate) first, newer first among equals.
    struct EvictionKey {
        Amount fee;
        int64_t size;
        int64_t time;
        uint256 txid;
    };
    struct EvictionLess {
        bool operator()(const EvictionKey& a, const EvictionKey& b) const;
    };
    static EvictionKey ScoreOf(const TxMempoolEntry& e);
    void EvictIndexErase(const TxMempoolEntry& e);
    void EvictIndexInsert(TxMempoolEntry& e);
    // Re-files an indexed entry after its aggregates changed (no-op when its key is unchanged).
    void EvictIndexUpdate(TxMempoolEntry& e);

    void UpdateForRemove(const uint256& txid);
    void RemoveUnchecked(const uint256& txid, MemPoolRemovalReason reason);
    void TrackPackageRemoved(const FeeRate& rate);

    MempoolOptions m_opts;
    mutable std::recursive_mutex m_mutex;
    std::unordered_map<uint256, std::unique_ptr<TxMempoolEntry>, TxidHasher> m_entries;
    std::unordered_map<uint256, uint256, TxidHasher> m_by_wtxid;  // wtxid -> txid
    // outpoint -> spending mempool tx (lookups only: no ordered iteration needed)
    std::unordered_map<OutPoint, const Transaction*, SpentOutpointHasher> m_next_tx;
    std::map<uint256, Amount> m_deltas;
    std::multimap<int64_t, uint256> m_by_time;  // entry time -> txid (expiry without a full scan)
    std::set<EvictionKey, EvictionLess> m_eviction_order;  // descendant score order (eviction without a scan)
    std::vector<MempoolObserver*> m_observers;
    uint64_t m_total_vsize = 0;
    Amount m_total_fee = 0;
    size_t m_cached_usage = 0;
    uint64_t m_sequence = 1;
    bool m_loaded = false;

    mutable double m_rolling_minimum_feerate = 0;  // sat/kvB
    mutable int64_t m_last_rolling_fee_update = 0;
    mutable bool m_block_since_last_rolling_fee_bump = false;
};

} // namespace node
