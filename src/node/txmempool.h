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

class TxMempoolEntry;

namespace mempool_detail {
// Eviction order: lowest descendant score (max of own and with-descendants
// feerate) first, newer first among equals. At namespace scope so that an
// entry can keep the iterator of its own node.
struct EvictionKey {
    Amount fee;
    int64_t size;
    int64_t time;
    uint256 txid;
};
struct EvictionLess {
    bool operator()(const EvictionKey& a, const EvictionKey& b) const;
};
using EvictionIndex = std::set<EvictionKey, EvictionLess>;

// Open-addressing hash index (linear probing, deletion by backward shift):
// each slot holds a keyed 64-bit hash and a small value through which the
// caller checks the key (an entry or transaction pointer). A lookup, hit or
// miss, reads one run of adjacent slots and follows a pointer only when the
// full hash matches; std::unordered_map's nodes cost three dependent loads
// per lookup (bucket, the node before the bucket, the node) and erasing
// reads the next node as well, each a cache miss in a 300 MB mempool.
template <typename V>
class HashIndex {
public:
    struct Slot {
        uint64_t hash = 0;  // 0: empty
        V value{};
    };
    size_t size() const { return m_size; }
    size_t HeapBytes() const { return m_slots.capacity() * sizeof(Slot); }
    void clear()
    {
        std::vector<Slot>().swap(m_slots);
        m_mask = 0;
        m_size = 0;
    }
    // The value stored under hash for which match(value) holds, or null.
    template <typename Match>
    V* Find(uint64_t hash, Match&& match) const
    {
        if (m_size == 0) return nullptr;
        hash = Fix(hash);
        for (size_t i = hash & m_mask;; i = (i + 1) & m_mask) {
            const Slot& slot = m_slots[i];
            if (slot.hash == 0) return nullptr;
            if (slot.hash == hash && match(slot.value)) return const_cast<V*>(&slot.value);
        }
    }
    // Starts loading the slot a lookup of hash begins at, so that several
    // lookups' cache misses overlap instead of following one another.
    void Prefetch(uint64_t hash) const
    {
        if (m_size != 0) __builtin_prefetch(&m_slots[Fix(hash) & m_mask]);
    }
    // The caller knows that no stored value matches the key.
    void Insert(uint64_t hash, V value)
    {
        if ((m_size + 1) * 4 > m_slots.size() * 3) Grow();  // load at most 3/4
        hash = Fix(hash);
        size_t i = hash & m_mask;
        while (m_slots[i].hash != 0) i = (i + 1) & m_mask;
        m_slots[i] = Slot{hash, value};
        ++m_size;
    }
    template <typename Match>
    bool Erase(uint64_t hash, Match&& match)
    {
        if (m_size == 0) return false;
        hash = Fix(hash);
        size_t hole = hash & m_mask;
        for (;; hole = (hole + 1) & m_mask) {
            if (m_slots[hole].hash == 0) return false;
            if (m_slots[hole].hash == hash && match(m_slots[hole].value)) break;
        }
        // Close the hole: a later slot of the run moves into it unless its
        // home position lies cyclically after the hole (no tombstones).
        for (size_t j = (hole + 1) & m_mask; m_slots[j].hash != 0; j = (j + 1) & m_mask) {
            const size_t home = m_slots[j].hash & m_mask;
            if (((j - home) & m_mask) >= ((j - hole) & m_mask)) {
                m_slots[hole] = m_slots[j];
                hole = j;
            }
        }
        m_slots[hole] = Slot{};
        --m_size;
        return true;
    }
    template <typename F>
    void ForEach(F&& f) const
    {
        for (const Slot& slot : m_slots) {
            if (slot.hash != 0) f(slot.value);
        }
    }

private:
    static uint64_t Fix(uint64_t h) { return h != 0 ? h : 1; }
    void Grow()
    {
        std::vector<Slot> old;
        old.swap(m_slots);
        const size_t capacity = old.empty() ? 16 : old.size() * 2;
        m_slots.assign(capacity, Slot{});
        m_mask = capacity - 1;
        for (const Slot& slot : old) {
            if (slot.hash == 0) continue;
            size_t i = slot.hash & m_mask;
            while (m_slots[i].hash != 0) i = (i + 1) & m_mask;
            m_slots[i] = slot;
        }
    }
    std::vector<Slot> m_slots;
    size_t m_mask = 0;
    size_t m_size = 0;
};

// A spent outpoint's spender: the transaction and which input.
struct Spender {
    const Transaction* tx = nullptr;
    uint32_t input = 0;
};
} // namespace mempool_detail

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

    // In-mempool parents and children: copies of their txids, in txid order
    // (the entry links them by pointer; see m_parents).
    std::set<uint256> Parents() const;
    std::set<uint256> Children() const;

private:
    friend class TxMempool;
    TransactionRef m_tx;
    Amount m_fee;
    Amount m_fee_delta = 0;
    int64_t m_vsize;
    int64_t m_weight;
    int64_t m_time;
    unsigned m_entry_height;
    // Walk mark (TxMempool::NextEpoch): an ancestor/descendant walk visits an
    // entry once without a set of visited txids. Fills padding after m_entry_height.
    mutable uint32_t m_epoch = 0;
    uint64_t m_sequence;
    bool m_spends_coinbase;
    // Set while TxMempool::RemoveStagedEntries is removing this entry (padding).
    bool m_staged = false;
    int64_t m_sigop_cost;
    size_t m_usage;
    uint64_t m_count_with_ancestors = 1;
    int64_t m_size_with_ancestors;
    Amount m_mod_fees_with_ancestors;
    int64_t m_sigops_with_ancestors;
    uint64_t m_count_with_descendants = 1;
    int64_t m_size_with_descendants;
    Amount m_mod_fees_with_descendants;
    // In-mempool parents and children by pointer (each entry is its own
    // allocation and never moves while in the pool): walks follow pointers
    // instead of looking every relative up by txid. Unordered, no duplicates; the
    // storage is released when a list becomes empty.
    std::vector<TxMempoolEntry*> m_parents;
    std::vector<TxMempoolEntry*> m_children;
    // The descendant score this entry is filed under in the eviction index
    // (kept here too, so an unchanged score is seen without touching the node).
    Amount m_evict_fee = 0;
    int64_t m_evict_size = 1;
    // This entry's nodes in TxMempool::m_eviction_order and m_by_time (removal
    // without a search).
    mempool_detail::EvictionIndex::iterator m_evict_it;
    std::multimap<int64_t, TxMempoolEntry*>::iterator m_time_it;
};

// A copy of what RPCs and relay need about one entry.
struct TxMempoolInfo {
    TransactionRef tx;
    int64_t time = 0;
    Amount fee = 0;
    int64_t vsize = 0;
    Amount fee_delta = 0;
};

// How an addition came about, as far as the pool itself cannot tell: the fee
// estimator learns only from transactions that arrived the ordinary way.
struct MempoolAddInfo {
    bool limits_bypassed = false;    // fee and size limits not applied (reorg re-add)
    bool in_package = false;         // part of a package submission (submitpackage, package relay)
    bool chainstate_current = true;  // our chain was synced when it arrived (see IsCurrentForFeeEstimation)
};

// Notified (under the mempool lock) after each addition / removal.
class MempoolObserver {
public:
    virtual ~MempoolObserver() = default;
    virtual void TransactionAdded(const TransactionRef& /*tx*/, uint64_t /*mempool_sequence*/,
                                  const MempoolAddInfo& /*info*/) {}
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
    // has checked everything). Fires mempool:added, notifies observers
    // (info: passed on to them).
    void AddUnchecked(TxMempoolEntry entry, const MempoolAddInfo& info = {});

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

    // Unbroadcast set: txids submitted locally (sendrawtransaction,
    // submitpackage, mempool.dat) whose first announcement no peer has yet
    // answered with a getdata. Entries leave when a peer requests the
    // transaction or when it leaves the mempool.
    void AddUnbroadcastTx(const uint256& txid);
    void RemoveUnbroadcastTx(const uint256& txid);
    std::set<uint256> GetUnbroadcastTxs() const;
    bool IsUnbroadcastTx(const uint256& txid) const;

    // Full consistency check (tests): aggregates and links.
    bool CheckConsistency(std::string& error) const;

private:
    using EvictionKey = mempool_detail::EvictionKey;
    using EntryList = std::vector<TxMempoolEntry*>;
    static EvictionKey ScoreOf(const TxMempoolEntry& e);
    void EvictIndexInsert(TxMempoolEntry& e);
    // Re-files an indexed entry after its aggregates changed (no-op when its key is unchanged).
    void EvictIndexUpdate(TxMempoolEntry& e);

    TxMempoolEntry* FindEntry(const uint256& txid) const;
    // A fresh walk mark (m_epoch values older than it count as unvisited).
    uint32_t NextEpoch() const;
    // Every in-mempool ancestor (descendant) of e, not e itself, each once, into out.
    void AncestorsOf(const TxMempoolEntry& e, EntryList& out) const;
    void DescendantsOf(const TxMempoolEntry& e, EntryList& out) const;
    // Drops duplicates from entries and adds every descendant of them.
    void AddDescendants(EntryList& entries) const;
    // Removes exactly these entries (duplicate-free), fixing the aggregates of
    // the relatives that stay; parents go before their children.
    void RemoveStagedEntries(EntryList& stage, MemPoolRemovalReason reason);
    void RemoveUnchecked(TxMempoolEntry& e, MemPoolRemovalReason reason);
    // Adds child to parent's children and parent to child's parents (accounting their storage).
    void Link(TxMempoolEntry& parent, TxMempoolEntry& child);
    void Unlink(EntryList& list, const TxMempoolEntry* which);
    void TrackPackageRemoved(const FeeRate& rate);

    MempoolOptions m_opts;
    mutable std::recursive_mutex m_mutex;
    // txid -> entry: a flat index of owned entry pointers (keyed hash of the
    // txid; each entry is its own allocation, so its address never changes).
    class EntryTable
    {
    public:
        TxMempoolEntry* Find(const uint256& txid) const;
        size_t count(const uint256& txid) const { return Find(txid) ? 1 : 0; }
        bool empty() const { return m_index.size() == 0; }
        size_t size() const { return m_index.size(); }
        size_t HeapBytes() const { return m_index.HeapBytes(); }
        void Prefetch(const uint256& txid) const;
        void Insert(TxMempoolEntry* e);  // takes ownership; the txid must be absent
        void Erase(TxMempoolEntry* e);   // deletes e
        void clear();                    // deletes every entry
        template <typename F>
        void ForEach(F&& f) const { m_index.ForEach(f); }
        ~EntryTable() { clear(); }

    private:
        mempool_detail::HashIndex<TxMempoolEntry*> m_index;
    };
    EntryTable m_entries;
    // wtxid -> entry (keyed hash of the wtxid; the entry's transaction confirms the key)
    mempool_detail::HashIndex<TxMempoolEntry*> m_by_wtxid;
    // outpoint -> spending mempool transaction and input (lookups only: no ordered iteration needed)
    mempool_detail::HashIndex<mempool_detail::Spender> m_next_tx;
    TxMempoolEntry* FindByWtxid(const uint256& wtxid) const;
    const mempool_detail::Spender* FindSpender(const OutPoint& outpoint) const;
    // Prefetches the index slots that removing e will touch.
    void PrefetchForRemoval(const TxMempoolEntry& e) const;
    std::map<uint256, Amount> m_deltas;
    std::set<uint256> m_unbroadcast;  // subset of m_entries' txids
    std::multimap<int64_t, TxMempoolEntry*> m_by_time;  // entry time -> entry (expiry without a full scan)
    mempool_detail::EvictionIndex m_eviction_order;  // descendant score order (eviction without a scan)
    mutable uint32_t m_walk_epoch = 0;  // the last mark handed out by NextEpoch
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
