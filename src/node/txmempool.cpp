// The transaction memory pool (see txmempool.h).

#include <node/txmempool.h>

#include <consensus/consensus.h>
#include <crypto/siphash.h>
#include <kernel/coins.h>
#include <util/args.h>
#include <util/logging.h>
#include <util/time.h>
#include <util/trace.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace node {

namespace {
constexpr double ROLLING_FEE_HALFLIFE = 60 * 60 * 12;  // seconds

// Keyed hash of a txid or wtxid for the flat indexes (SipHash with a random
// per-process key: peers cannot grind ids into one probe run).
uint64_t IdHash(const uint256& id)
{
    static const std::pair<uint64_t, uint64_t> key = [] {
        std::random_device rd;
        return std::pair<uint64_t, uint64_t>{(uint64_t{rd()} << 32) | rd(), (uint64_t{rd()} << 32) | rd()};
    }();
    return SipHashUint256(key.first, key.second, std::span<const unsigned char, 32>(id.data(), 32));
}

size_t ScriptUsage(const Script& s) { return MallocUsage(s.heap_bytes()); }

size_t TxUsage(const Transaction& tx)
{
    // make_shared block, input and output arrays, scripts and witnesses.
    size_t usage = MallocUsage(sizeof(Transaction) + 16);
    usage += MallocUsage(sizeof(TxIn) * tx.vin.size()) + MallocUsage(sizeof(TxOut) * tx.vout.size());
    for (const TxIn& in : tx.vin) {
        usage += ScriptUsage(in.script_sig);
        usage += MallocUsage(sizeof(std::vector<unsigned char>) * in.witness.stack.size());
        for (const auto& item : in.witness.stack) usage += MallocUsage(item.capacity());
    }
    for (const TxOut& out : tx.vout) usage += ScriptUsage(out.script_pubkey);
    return usage;
}

// Bytes of an entry outside the transaction and its links: the entry and its
// entry-time and eviction-order tree nodes (colour and three pointers, then
// the value). The txid, wtxid and spent-outpoint indexes are flat slot
// arrays, counted whole in DynamicMemoryUsage().
size_t EntryOverhead(const Transaction&)
{
    constexpr size_t tree_node = 4 * sizeof(void*);
    return MallocUsage(sizeof(TxMempoolEntry)) +
           MallocUsage(tree_node + sizeof(std::pair<const int64_t, TxMempoolEntry*>)) +
           MallocUsage(tree_node + sizeof(mempool_detail::EvictionKey));
}

// Heap bytes of a parent or child list.
size_t LinksUsage(const std::vector<TxMempoolEntry*>& list)
{
    return list.capacity() ? MallocUsage(list.capacity() * sizeof(TxMempoolEntry*)) : 0;
}

std::set<uint256> TxidsOf(const std::vector<TxMempoolEntry*>& list)
{
    std::set<uint256> out;
    for (const TxMempoolEntry* e : list) out.insert(e->GetTxid());
    return out;
}

} // namespace

size_t SpentOutpointHasher::operator()(const OutPoint& outpoint) const noexcept
{
    static const SaltedOutpointHasher hasher;
    return hasher(outpoint);
}

const char* RemovalReasonToString(MemPoolRemovalReason reason)
{
    switch (reason) {
    case MemPoolRemovalReason::EXPIRY: return "expiry";
    case MemPoolRemovalReason::SIZELIMIT: return "sizelimit";
    case MemPoolRemovalReason::REORG: return "reorg";
    case MemPoolRemovalReason::BLOCK: return "block";
    case MemPoolRemovalReason::CONFLICT: return "conflict";
    case MemPoolRemovalReason::REPLACED: return "replaced";
    }
    return "unknown";
}

void RegisterMempoolOptions(ArgsManager& args)
{
    using C = OptionsCategory;
    const unsigned A = ALLOW_ANY;
    const unsigned D = ALLOW_ANY | DEBUG_ONLY;
    args.AddArg("-maxmempool=<n>",
                "Memory limit of the mempool in megabytes; above it the lowest-feerate transactions are evicted "
                "(default: 300)",
                A, C::OPTIONS);
    args.AddArg("-mempoolexpiry=<n>", "Drop transactions that have been in the mempool for more than <n> hours (default: 336)",
                A, C::OPTIONS);
    args.AddArg("-persistmempool", "Write the mempool to mempool.dat at shutdown and load it again at start (default: 1)",
                A, C::OPTIONS);
    args.AddArg("-persistmempoolv1",
                "Write mempool.dat (at shutdown or by the savemempool RPC) in the old version 1 format instead of "
                "version 2 (default: 0)",
                A, C::OPTIONS);
    args.AddArg("-limitancestorcount=<n>",
                "Refuse a transaction that has <n> or more ancestors in the mempool (default: 25)", D,
                C::DEBUG_TEST);
    args.AddArg("-limitancestorsize=<n>",
                "Refuse a transaction whose size plus that of its mempool ancestors is over <n> kvB (default: 101)",
                D, C::DEBUG_TEST);
    args.AddArg("-limitdescendantcount=<n>",
                "Refuse a transaction that would give one of its mempool ancestors <n> or more descendants (default: 25)",
                D, C::DEBUG_TEST);
    args.AddArg("-limitdescendantsize=<n>",
                "Refuse a transaction that would give one of its mempool ancestors more than <n> kvB of descendants "
                "(default: 101)",
                D, C::DEBUG_TEST);
    args.AddArg("-maxtxfee=<amt>",
                "Highest total fee (in BTC) one wallet or raw transaction may pay; a value that is too low makes large "
                "transactions fail (default: 0.10)",
                D, C::DEBUG_TEST);
    args.AddArg("-acceptnonstdtxn",
                "Accept, relay and mine transactions that break the standardness rules (test networks only; "
                "default: 0)",
                D, C::NODE_RELAY);
    args.AddArg("-bytespersigop",
                "Virtual bytes a signature operation counts as when sizing a transaction for relay and mining "
                "(default: 20)",
                A, C::NODE_RELAY);
    args.AddArg("-datacarrier", "Relay and mine transactions that carry data in OP_RETURN outputs (default: 1)", A,
                C::NODE_RELAY);
    args.AddArg("-datacarriersize",
                "Largest total size in bytes of a transaction's OP_RETURN (data carrier) output scripts, summed over "
                "all its outputs, for relay and mining (default: 100000)",
                A, C::NODE_RELAY);
    args.AddArg("-dustrelayfee=<amt>",
                "Fee rate (BTC/kvB) that sets the dust limit: an output is dust when spending it at this rate would "
                "cost more than it holds (default: 0.00003)",
                D, C::NODE_RELAY);
    args.AddArg("-incrementalrelayfee=<amt>",
                "Fee rate (BTC/kvB) taken as the cost of relaying: a replacement must pay at least this rate on top, "
                "and the mempool's minimum fee rises by it after an eviction for size (default: 0.000001)",
                D, C::NODE_RELAY);
    args.AddArg("-minrelaytxfee=<amt>",
                "Lowest fee rate (BTC/kvB) that counts as paying a fee when relaying, mining and creating "
                "transactions; anything lower is treated as no fee (default: 0.000001)",
                A, C::NODE_RELAY);
    args.AddArg("-permitbaremultisig",
                "Relay transactions with bare multisig outputs, that is multisig not wrapped in P2SH (default: 1)",
                A, C::NODE_RELAY);
}

bool ReadMempoolOptions(const ArgsManager& args, bool is_test_chain, MempoolOptions& opts, std::string& error)
{
    opts.max_size_bytes = args.GetIntArg("-maxmempool", DEFAULT_MAX_MEMPOOL_SIZE_MB) * 1000000;
    opts.expiry_seconds = args.GetIntArg("-mempoolexpiry", DEFAULT_MEMPOOL_EXPIRY_HOURS) * 3600;
    if (!ParseFeeRateOption(args, "-minrelaytxfee", DEFAULT_MIN_RELAY_TX_FEE, opts.min_relay_feerate, error)) return false;
    if (!ParseFeeRateOption(args, "-incrementalrelayfee", DEFAULT_INCREMENTAL_RELAY_FEE,
                            opts.incremental_relay_feerate, error)) {
        return false;
    }
    if (!ParseFeeRateOption(args, "-dustrelayfee", DUST_RELAY_TX_FEE, opts.policy.dust_relay_feerate, error)) return false;
    if (const auto v = args.GetArg("-maxtxfee")) {
        if (!ParseMoney(*v, opts.max_tx_fee)) {
            error = "Invalid amount for -maxtxfee=<amount>: '" + *v + "'";
            return false;
        }
    }
    opts.limits.ancestor_count = args.GetIntArg("-limitancestorcount", DEFAULT_ANCESTOR_LIMIT);
    opts.limits.ancestor_size_vbytes = args.GetIntArg("-limitancestorsize", DEFAULT_ANCESTOR_SIZE_LIMIT_KVB) * 1000;
    opts.limits.descendant_count = args.GetIntArg("-limitdescendantcount", DEFAULT_DESCENDANT_LIMIT);
    opts.limits.descendant_size_vbytes =
        args.GetIntArg("-limitdescendantsize", DEFAULT_DESCENDANT_SIZE_LIMIT_KVB) * 1000;
    // Room for at least 40 maximal descendant packages.
    const int64_t min_size = opts.limits.descendant_size_vbytes * 40;
    if (opts.max_size_bytes < 0 || opts.max_size_bytes < min_size) {
        error = "-maxmempool must be at least " + std::to_string((min_size + 999999) / 1000000) + " MB";
        return false;
    }
    if (args.GetBoolArg("-datacarrier", DEFAULT_ACCEPT_DATACARRIER)) {
        opts.policy.max_datacarrier_bytes = static_cast<unsigned>(args.GetIntArg("-datacarriersize", MAX_OP_RETURN_RELAY));
    } else {
        opts.policy.max_datacarrier_bytes = std::nullopt;
    }
    opts.policy.permit_bare_multisig = args.GetBoolArg("-permitbaremultisig", DEFAULT_PERMIT_BAREMULTISIG);
    opts.policy.bytes_per_sigop = static_cast<unsigned>(args.GetIntArg("-bytespersigop", DEFAULT_BYTES_PER_SIGOP));
    const bool accept_nonstd = args.GetBoolArg("-acceptnonstdtxn", false);
    if (accept_nonstd && !is_test_chain) {
        error = "acceptnonstdtxn is not currently supported for main chain";
        return false;
    }
    opts.policy.require_standard = !accept_nonstd;
    opts.persist = args.GetBoolArg("-persistmempool", DEFAULT_PERSIST_MEMPOOL);
    opts.persist_v1_dat = args.GetBoolArg("-persistmempoolv1", false);
    return true;
}

TxMempoolEntry::TxMempoolEntry(TransactionRef tx, Amount fee, int64_t time, unsigned entry_height,
                               uint64_t entry_sequence, bool spends_coinbase, int64_t sigop_cost,
                               unsigned bytes_per_sigop)
    : m_tx(std::move(tx)),
      m_fee(fee),
      m_vsize(GetVirtualTransactionSize(GetTransactionWeight(*m_tx), sigop_cost, bytes_per_sigop)),
      m_weight(GetTransactionWeight(*m_tx)),
      m_time(time),
      m_entry_height(entry_height),
      m_sequence(entry_sequence),
      m_spends_coinbase(spends_coinbase),
      m_sigop_cost(sigop_cost),
      m_usage(TxUsage(*m_tx) + EntryOverhead(*m_tx)),
      m_size_with_ancestors(m_vsize),
      m_mod_fees_with_ancestors(fee),
      m_sigops_with_ancestors(sigop_cost),
      m_size_with_descendants(m_vsize),
      m_mod_fees_with_descendants(fee)
{
}

std::set<uint256> TxMempoolEntry::Parents() const { return TxidsOf(m_parents); }
std::set<uint256> TxMempoolEntry::Children() const { return TxidsOf(m_children); }

TxMempool::TxMempool(MempoolOptions opts) : m_opts(std::move(opts)) {}

bool mempool_detail::EvictionLess::operator()(const EvictionKey& a, const EvictionKey& b) const
{
    const __int128 l = static_cast<__int128>(a.fee) * b.size;
    const __int128 r = static_cast<__int128>(b.fee) * a.size;
    if (l != r) return l < r;
    if (a.time != b.time) return a.time > b.time;
    return a.txid < b.txid;
}

TxMempool::EvictionKey TxMempool::ScoreOf(const TxMempoolEntry& e)
{
    // Whichever is higher: the entry's own feerate or its feerate with descendants.
    const __int128 own = static_cast<__int128>(e.GetModifiedFee()) * e.GetSizeWithDescendants();
    const __int128 pkg = static_cast<__int128>(e.GetModFeesWithDescendants()) * e.GetTxSize();
    if (own >= pkg) return {e.GetModifiedFee(), e.GetTxSize(), e.GetTime(), e.GetTxid()};
    return {e.GetModFeesWithDescendants(), e.GetSizeWithDescendants(), e.GetTime(), e.GetTxid()};
}

void TxMempool::EvictIndexInsert(TxMempoolEntry& e)
{
    const EvictionKey key = ScoreOf(e);
    e.m_evict_fee = key.fee;
    e.m_evict_size = key.size;
    e.m_evict_it = m_eviction_order.insert(key).first;
}

void TxMempool::EvictIndexUpdate(TxMempoolEntry& e)
{
    const EvictionKey key = ScoreOf(e);
    if (key.fee == e.m_evict_fee && key.size == e.m_evict_size) return;
    // The node holds its own copy of the old key: erasing by iterator is safe
    // after the entry's aggregates changed.
    m_eviction_order.erase(e.m_evict_it);
    e.m_evict_fee = key.fee;
    e.m_evict_size = key.size;
    e.m_evict_it = m_eviction_order.insert(key).first;
}
TxMempool::~TxMempool() = default;

void TxMempool::RegisterObserver(MempoolObserver* o)
{
    std::lock_guard lock(m_mutex);
    m_observers.push_back(o);
}

void TxMempool::UnregisterObserver(MempoolObserver* o)
{
    std::lock_guard lock(m_mutex);
    std::erase(m_observers, o);
}

bool TxMempool::exists(const uint256& txid) const
{
    std::lock_guard lock(m_mutex);
    return m_entries.count(txid) > 0;
}

bool TxMempool::exists_wtxid(const uint256& wtxid) const
{
    std::lock_guard lock(m_mutex);
    return FindByWtxid(wtxid) != nullptr;
}

TransactionRef TxMempool::get(const uint256& txid) const
{
    std::lock_guard lock(m_mutex);
    const TxMempoolEntry* e = FindEntry(txid);
    return e ? e->GetSharedTx() : nullptr;
}

namespace {
TxMempoolInfo MakeInfo(const TxMempoolEntry& e)
{
    return TxMempoolInfo{e.GetSharedTx(), e.GetTime(), e.GetFee(), e.GetTxSize(), e.GetFeeDelta()};
}
} // namespace

std::optional<TxMempoolInfo> TxMempool::info(const uint256& txid) const
{
    std::lock_guard lock(m_mutex);
    const TxMempoolEntry* e = FindEntry(txid);
    if (!e) return std::nullopt;
    return MakeInfo(*e);
}

std::optional<TxMempoolInfo> TxMempool::info_wtxid(const uint256& wtxid) const
{
    std::lock_guard lock(m_mutex);
    const TxMempoolEntry* e = FindByWtxid(wtxid);
    if (!e) return std::nullopt;
    return MakeInfo(*e);
}

std::vector<const TxMempoolEntry*> TxMempool::GetEntries() const
{
    std::lock_guard lock(m_mutex);
    std::vector<const TxMempoolEntry*> out;
    out.reserve(m_entries.size());
    m_entries.ForEach([&](const TxMempoolEntry* e) { out.push_back(e); });
    // Entry order; entries loaded with sequence 0 (reorg, mempool.dat) by time.
    std::sort(out.begin(), out.end(), [](const TxMempoolEntry* a, const TxMempoolEntry* b) {
        if (a->GetSequence() != b->GetSequence()) return a->GetSequence() < b->GetSequence();
        if (a->GetTime() != b->GetTime()) return a->GetTime() < b->GetTime();
        return a->GetCountWithAncestors() < b->GetCountWithAncestors();
    });
    return out;
}

std::vector<TxMempoolInfo> TxMempool::infoAll() const
{
    std::lock_guard lock(m_mutex);
    std::vector<TxMempoolInfo> out;
    for (const TxMempoolEntry* e : GetEntries()) out.push_back(MakeInfo(*e));
    return out;
}

const TxMempoolEntry* TxMempool::GetEntry(const uint256& txid) const
{
    std::lock_guard lock(m_mutex);
    return FindEntry(txid);
}

TxMempoolEntry* TxMempool::FindEntry(const uint256& txid) const
{
    return m_entries.Find(txid);
}

TxMempoolEntry* TxMempool::EntryTable::Find(const uint256& txid) const
{
    TxMempoolEntry* const* e =
        m_index.Find(IdHash(txid), [&](const TxMempoolEntry* x) { return x->GetTxid() == txid; });
    return e ? *e : nullptr;
}

void TxMempool::EntryTable::Prefetch(const uint256& txid) const { m_index.Prefetch(IdHash(txid)); }

void TxMempool::PrefetchForRemoval(const TxMempoolEntry& e) const
{
    for (const TxIn& in : e.GetTx().vin) m_next_tx.Prefetch(SpentOutpointHasher{}(in.prevout));
    m_by_wtxid.Prefetch(IdHash(e.GetTx().GetWitnessHash()));
    m_entries.Prefetch(e.GetTxid());
}

void TxMempool::EntryTable::Insert(TxMempoolEntry* e) { m_index.Insert(IdHash(e->GetTxid()), e); }

void TxMempool::EntryTable::Erase(TxMempoolEntry* e)
{
    m_index.Erase(IdHash(e->GetTxid()), [&](const TxMempoolEntry* x) { return x == e; });
    delete e;
}

void TxMempool::EntryTable::clear()
{
    m_index.ForEach([](TxMempoolEntry* e) { delete e; });
    m_index.clear();
}

const Transaction* TxMempool::GetConflictTx(const OutPoint& outpoint) const
{
    std::lock_guard lock(m_mutex);
    const mempool_detail::Spender* spender = FindSpender(outpoint);
    return spender ? spender->tx : nullptr;
}

TxMempoolEntry* TxMempool::FindByWtxid(const uint256& wtxid) const
{
    TxMempoolEntry* const* e = m_by_wtxid.Find(
        IdHash(wtxid), [&](const TxMempoolEntry* x) { return x->GetTx().GetWitnessHash() == wtxid; });
    return e ? *e : nullptr;
}

const mempool_detail::Spender* TxMempool::FindSpender(const OutPoint& outpoint) const
{
    return m_next_tx.Find(SpentOutpointHasher{}(outpoint), [&](const mempool_detail::Spender& s) {
        return s.tx->vin[s.input].prevout == outpoint;
    });
}

std::optional<TxOut> TxMempool::GetOutput(const OutPoint& outpoint) const
{
    std::lock_guard lock(m_mutex);
    const TxMempoolEntry* e = FindEntry(outpoint.hash);
    if (!e || outpoint.n >= e->GetTx().vout.size()) return std::nullopt;
    return e->GetTx().vout[outpoint.n];
}

size_t TxMempool::size() const
{
    std::lock_guard lock(m_mutex);
    return m_entries.size();
}

uint64_t TxMempool::GetTotalTxSize() const
{
    std::lock_guard lock(m_mutex);
    return m_total_vsize;
}

Amount TxMempool::GetTotalFee() const
{
    std::lock_guard lock(m_mutex);
    return m_total_fee;
}

size_t TxMempool::DynamicMemoryUsage() const
{
    std::lock_guard lock(m_mutex);
    // Entries with their links, plus the tables' bucket arrays.
    return m_cached_usage + MallocUsage(m_entries.HeapBytes()) +
           MallocUsage(m_by_wtxid.HeapBytes()) + MallocUsage(m_next_tx.HeapBytes()) +
           m_deltas.size() * MallocUsage(sizeof(uint256) + sizeof(Amount) + 4 * sizeof(void*));
}

uint64_t TxMempool::GetSequence() const
{
    std::lock_guard lock(m_mutex);
    return m_sequence;
}

uint64_t TxMempool::GetAndIncrementSequence()
{
    std::lock_guard lock(m_mutex);
    return m_sequence++;
}

FeeRate TxMempool::GetMinFee(int64_t size_limit) const
{
    std::lock_guard lock(m_mutex);
    if (!m_block_since_last_rolling_fee_bump || m_rolling_minimum_feerate == 0) {
        return FeeRate(std::llround(m_rolling_minimum_feerate));
    }
    const int64_t now = GetTime();
    if (now > m_last_rolling_fee_update + 10) {
        double halflife = ROLLING_FEE_HALFLIFE;
        const int64_t usage = static_cast<int64_t>(DynamicMemoryUsage());
        if (usage < size_limit / 4) {
            halflife /= 4;
        } else if (usage < size_limit / 2) {
            halflife /= 2;
        }
        m_rolling_minimum_feerate /= std::pow(2.0, static_cast<double>(now - m_last_rolling_fee_update) / halflife);
        m_last_rolling_fee_update = now;
        if (m_rolling_minimum_feerate < static_cast<double>(m_opts.incremental_relay_feerate.GetFeePerK()) / 2) {
            m_rolling_minimum_feerate = 0;
            return FeeRate(0);
        }
    }
    return std::max(FeeRate(std::llround(m_rolling_minimum_feerate)), m_opts.incremental_relay_feerate);
}

void TxMempool::TrackPackageRemoved(const FeeRate& rate)
{
    if (static_cast<double>(rate.GetFeePerK()) > m_rolling_minimum_feerate) {
        m_rolling_minimum_feerate = static_cast<double>(rate.GetFeePerK());
        m_block_since_last_rolling_fee_bump = false;
    }
}

uint32_t TxMempool::NextEpoch() const
{
    if (++m_walk_epoch == 0) {
        // Wrapped (after 2^32 walks): forget every old mark.
        m_entries.ForEach([](const TxMempoolEntry* e) { e->m_epoch = 0; });
        m_walk_epoch = 1;
    }
    return m_walk_epoch;
}

void TxMempool::AncestorsOf(const TxMempoolEntry& e, EntryList& out) const
{
    out.clear();
    const uint32_t epoch = NextEpoch();
    for (TxMempoolEntry* p : e.m_parents) {
        if (p->m_epoch != epoch) {
            p->m_epoch = epoch;
            out.push_back(p);
        }
    }
    for (size_t i = 0; i < out.size(); ++i) {
        for (TxMempoolEntry* p : out[i]->m_parents) {
            if (p->m_epoch != epoch) {
                p->m_epoch = epoch;
                out.push_back(p);
            }
        }
    }
}

void TxMempool::DescendantsOf(const TxMempoolEntry& e, EntryList& out) const
{
    out.clear();
    const uint32_t epoch = NextEpoch();
    for (TxMempoolEntry* c : e.m_children) {
        if (c->m_epoch != epoch) {
            c->m_epoch = epoch;
            out.push_back(c);
        }
    }
    for (size_t i = 0; i < out.size(); ++i) {
        for (TxMempoolEntry* c : out[i]->m_children) {
            if (c->m_epoch != epoch) {
                c->m_epoch = epoch;
                out.push_back(c);
            }
        }
    }
}

void TxMempool::AddDescendants(EntryList& entries) const
{
    const uint32_t epoch = NextEpoch();
    size_t kept = 0;
    for (TxMempoolEntry* e : entries) {
        if (e->m_epoch != epoch) {
            e->m_epoch = epoch;
            entries[kept++] = e;
        }
    }
    entries.resize(kept);
    for (size_t i = 0; i < entries.size(); ++i) {
        for (TxMempoolEntry* c : entries[i]->m_children) {
            if (c->m_epoch != epoch) {
                c->m_epoch = epoch;
                entries.push_back(c);
            }
        }
    }
}

std::set<uint256> TxMempool::CalculateAncestors(const uint256& txid) const
{
    std::lock_guard lock(m_mutex);
    const TxMempoolEntry* e = FindEntry(txid);
    if (!e) return {};
    EntryList ancestors;
    AncestorsOf(*e, ancestors);
    return TxidsOf(ancestors);
}

std::set<uint256> TxMempool::CalculateDescendants(const uint256& txid) const
{
    std::lock_guard lock(m_mutex);
    const TxMempoolEntry* e = FindEntry(txid);
    if (!e) return {};
    EntryList descendants;
    DescendantsOf(*e, descendants);
    return TxidsOf(descendants);
}

bool TxMempool::CalculateAncestorsForNew(const Transaction& tx, int64_t vsize, const MempoolLimits& limits,
                                         std::set<uint256>& ancestors, std::string& error) const
{
    std::lock_guard lock(m_mutex);
    ancestors.clear();
    // Parents, without duplicates, in txid order (the walk below visits
    // relatives in the order the limit errors have always reported them).
    EntryList todo;
    const uint32_t parent_epoch = NextEpoch();
    for (const TxIn& in : tx.vin) {
        TxMempoolEntry* p = FindEntry(in.prevout.hash);
        if (p && p->m_epoch != parent_epoch) {
            p->m_epoch = parent_epoch;
            todo.push_back(p);
        }
    }
    if (static_cast<int64_t>(todo.size()) + 1 > limits.ancestor_count) {
        error = "too many unconfirmed parents [limit: " + std::to_string(limits.ancestor_count) + "]";
        return false;
    }
    const auto by_txid = [](const TxMempoolEntry* a, const TxMempoolEntry* b) { return a->GetTxid() < b->GetTxid(); };
    std::sort(todo.begin(), todo.end(), by_txid);
    // Depth first, highest txid first; an entry counts when it is taken off the stack.
    const uint32_t epoch = NextEpoch();
    int64_t total_size = vsize;
    int64_t count = 0;
    while (!todo.empty()) {
        TxMempoolEntry* e = todo.back();
        todo.pop_back();
        if (e->m_epoch == epoch) continue;
        e->m_epoch = epoch;
        ++count;
        ancestors.insert(e->GetTxid());
        total_size += e->GetTxSize();
        if (e->GetSizeWithDescendants() + vsize > limits.descendant_size_vbytes) {
            error = "exceeds descendant size limit for tx " + e->GetTxid().GetHex() + " [limit: " +
                    std::to_string(limits.descendant_size_vbytes) + "]";
            return false;
        }
        if (static_cast<int64_t>(e->GetCountWithDescendants()) + 1 > limits.descendant_count) {
            error = "too many descendants for tx " + e->GetTxid().GetHex() + " [limit: " +
                    std::to_string(limits.descendant_count) + "]";
            return false;
        }
        if (total_size > limits.ancestor_size_vbytes) {
            error = "exceeds ancestor size limit [limit: " + std::to_string(limits.ancestor_size_vbytes) + "]";
            return false;
        }
        if (count + 1 > limits.ancestor_count) {
            error = "too many unconfirmed ancestors [limit: " + std::to_string(limits.ancestor_count) + "]";
            return false;
        }
        const size_t first = todo.size();
        for (TxMempoolEntry* p : e->m_parents) {
            if (p->m_epoch != epoch) todo.push_back(p);
        }
        if (todo.size() - first > 1) std::sort(todo.begin() + static_cast<std::ptrdiff_t>(first), todo.end(), by_txid);
    }
    return true;
}

void TxMempool::Link(TxMempoolEntry& parent, TxMempoolEntry& child)
{
    m_cached_usage -= LinksUsage(parent.m_children) + LinksUsage(child.m_parents);
    parent.m_children.push_back(&child);
    child.m_parents.push_back(&parent);
    m_cached_usage += LinksUsage(parent.m_children) + LinksUsage(child.m_parents);
}

void TxMempool::Unlink(EntryList& list, const TxMempoolEntry* which)
{
    auto it = std::find(list.begin(), list.end(), which);
    if (it == list.end()) return;
    m_cached_usage -= LinksUsage(list);
    *it = list.back();
    list.pop_back();
    if (list.empty()) EntryList().swap(list);  // chains lose their last child often: free the storage
    m_cached_usage += LinksUsage(list);
}

void TxMempool::AddUnchecked(TxMempoolEntry entry_in, const MempoolAddInfo& info)
{
    std::lock_guard lock(m_mutex);
    const uint256 txid = entry_in.GetTxid();
    if (FindEntry(txid)) return;  // callers check first; never file a txid twice
    TxMempoolEntry& entry = *new TxMempoolEntry(std::move(entry_in));
    m_entries.Insert(&entry);
    // The index slots this addition will probe, loaded in parallel while the
    // ancestors are walked: the spent outpoints, the outputs (children already
    // in the pool after a reorg) and the wtxid.
    for (const TxIn& in : entry.GetTx().vin) m_next_tx.Prefetch(SpentOutpointHasher{}(in.prevout));
    for (uint32_t o = 0; o < entry.GetTx().vout.size(); ++o) m_next_tx.Prefetch(SpentOutpointHasher{}(OutPoint{txid, o}));
    m_by_wtxid.Prefetch(IdHash(entry.GetTx().GetWitnessHash()));
    if (auto d = m_deltas.find(txid); d != m_deltas.end()) entry.m_fee_delta = d->second;
    const Amount mod_fee = entry.GetModifiedFee();
    entry.m_mod_fees_with_ancestors = mod_fee;
    entry.m_mod_fees_with_descendants = mod_fee;
    // Links and marks are the mempool's own: start clean whatever the caller passed.
    EntryList().swap(entry.m_parents);
    EntryList().swap(entry.m_children);
    entry.m_epoch = 0;
    entry.m_staged = false;
    for (const TxIn& in : entry.GetTx().vin) {
        TxMempoolEntry* p = FindEntry(in.prevout.hash);
        if (p && std::find(entry.m_parents.begin(), entry.m_parents.end(), p) == entry.m_parents.end()) Link(*p, entry);
    }
    // Ancestors, walking up through the new links.
    EntryList ancestors;
    AncestorsOf(entry, ancestors);
    for (TxMempoolEntry* anc : ancestors) {
        anc->m_count_with_descendants += 1;
        anc->m_size_with_descendants += entry.GetTxSize();
        anc->m_mod_fees_with_descendants += mod_fee;
        EvictIndexUpdate(*anc);
        entry.m_count_with_ancestors += 1;
        entry.m_size_with_ancestors += anc->GetTxSize();
        entry.m_mod_fees_with_ancestors += anc->GetModifiedFee();
        entry.m_sigops_with_ancestors += anc->GetSigOpCost();
    }
    for (uint32_t i = 0; i < entry.GetTx().vin.size(); ++i) {
        const OutPoint& prevout = entry.GetTx().vin[i].prevout;
        const uint64_t hash = SpentOutpointHasher{}(prevout);
        const mempool_detail::Spender spender{&entry.GetTx(), i};
        auto match = [&](const mempool_detail::Spender& s) { return s.tx->vin[s.input].prevout == prevout; };
        // Callers removed any conflict first; should one remain, the newest spender is the one filed.
        if (mempool_detail::Spender* old = m_next_tx.Find(hash, match)) {
            *old = spender;
        } else {
            m_next_tx.Insert(hash, spender);
        }
    }
    // Mempool transactions already spending this one's outputs (a
    // disconnected block's transaction re-added under its children): link
    // them and recompute the aggregates of everything connected to it.
    bool has_children = false;
    for (uint32_t o = 0; o < entry.GetTx().vout.size(); ++o) {
        const mempool_detail::Spender* spender = FindSpender(OutPoint{txid, o});
        if (!spender) continue;
        TxMempoolEntry* child = FindEntry(spender->tx->GetHash());
        if (child && std::find(entry.m_children.begin(), entry.m_children.end(), child) == entry.m_children.end()) {
            Link(entry, *child);
        }
        has_children = true;
    }
    if (has_children) {
        // Rare (reorgs): plain sets are fine here.
        EntryList walk;
        DescendantsOf(entry, walk);
        std::set<TxMempoolEntry*> affected(walk.begin(), walk.end());
        const std::vector<TxMempoolEntry*> descendants(walk.begin(), walk.end());
        for (TxMempoolEntry* d : descendants) {
            AncestorsOf(*d, walk);
            affected.insert(walk.begin(), walk.end());
        }
        affected.insert(&entry);
        for (TxMempoolEntry* e : affected) {
            e->m_count_with_ancestors = 1;
            e->m_size_with_ancestors = e->GetTxSize();
            e->m_mod_fees_with_ancestors = e->GetModifiedFee();
            e->m_sigops_with_ancestors = e->GetSigOpCost();
            AncestorsOf(*e, walk);
            for (const TxMempoolEntry* x : walk) {
                e->m_count_with_ancestors += 1;
                e->m_size_with_ancestors += x->GetTxSize();
                e->m_mod_fees_with_ancestors += x->GetModifiedFee();
                e->m_sigops_with_ancestors += x->GetSigOpCost();
            }
            e->m_count_with_descendants = 1;
            e->m_size_with_descendants = e->GetTxSize();
            e->m_mod_fees_with_descendants = e->GetModifiedFee();
            DescendantsOf(*e, walk);
            for (const TxMempoolEntry* x : walk) {
                e->m_count_with_descendants += 1;
                e->m_size_with_descendants += x->GetTxSize();
                e->m_mod_fees_with_descendants += x->GetModifiedFee();
            }
            if (e != &entry) EvictIndexUpdate(*e);
        }
    }
    EvictIndexInsert(entry);
    m_by_wtxid.Insert(IdHash(entry.GetTx().GetWitnessHash()), &entry);
    entry.m_time_it = m_by_time.emplace(entry.GetTime(), &entry);
    m_total_vsize += static_cast<uint64_t>(entry.GetTxSize());
    m_total_fee += entry.GetFee();
    m_cached_usage += entry.DynamicMemoryUsage();

    TRACEPOINT(mempool, added, txid.data(), static_cast<int32_t>(entry.GetTxSize()),
               static_cast<int64_t>(entry.GetFee()));
    const uint64_t sequence = m_sequence++;
    for (MempoolObserver* o : m_observers) o->TransactionAdded(entry.GetSharedTx(), sequence, info);
}

void TxMempool::RemoveUnchecked(TxMempoolEntry& e, MemPoolRemovalReason reason)
{
    const uint256& txid = e.GetTxid();
    TRACEPOINT(mempool, removed, txid.data(), RemovalReasonToString(reason), static_cast<int32_t>(e.GetTxSize()),
               static_cast<int64_t>(e.GetFee()), static_cast<uint64_t>(e.GetTime()));
    const uint64_t sequence = m_sequence++;
    for (MempoolObserver* o : m_observers) o->TransactionRemoved(e.GetSharedTx(), reason, sequence);

    for (TxMempoolEntry* p : e.m_parents) Unlink(p->m_children, &e);
    for (TxMempoolEntry* c : e.m_children) Unlink(c->m_parents, &e);
    m_cached_usage -= LinksUsage(e.m_parents) + LinksUsage(e.m_children);
    for (const TxIn& in : e.GetTx().vin) {
        m_next_tx.Erase(SpentOutpointHasher{}(in.prevout), [&](const mempool_detail::Spender& s) {
            return s.tx == &e.GetTx() && s.tx->vin[s.input].prevout == in.prevout;
        });
    }
    m_by_wtxid.Erase(IdHash(e.GetTx().GetWitnessHash()), [&](const TxMempoolEntry* x) { return x == &e; });
    m_unbroadcast.erase(txid);
    m_eviction_order.erase(e.m_evict_it);
    m_by_time.erase(e.m_time_it);
    m_total_vsize -= static_cast<uint64_t>(e.GetTxSize());
    m_total_fee -= e.GetFee();
    m_cached_usage -= e.DynamicMemoryUsage();
    m_entries.Erase(&e);  // deletes e
}

void TxMempool::RemoveStagedEntries(EntryList& stage, MemPoolRemovalReason reason)
{
    for (TxMempoolEntry* e : stage) {
        e->m_staged = true;
        PrefetchForRemoval(*e);
    }
    // Aggregates first, while every link is still there: each removed entry
    // leaves its ancestors' descendant sums and its descendants' ancestor sums.
    EntryList relatives;
    for (const TxMempoolEntry* e : stage) {
        AncestorsOf(*e, relatives);
        for (TxMempoolEntry* anc : relatives) {
            if (anc->m_staged) continue;
            anc->m_count_with_descendants -= 1;
            anc->m_size_with_descendants -= e->GetTxSize();
            anc->m_mod_fees_with_descendants -= e->GetModifiedFee();
            EvictIndexUpdate(*anc);
        }
        DescendantsOf(*e, relatives);
        for (TxMempoolEntry* desc : relatives) {
            if (desc->m_staged) continue;
            desc->m_count_with_ancestors -= 1;
            desc->m_size_with_ancestors -= e->GetTxSize();
            desc->m_mod_fees_with_ancestors -= e->GetModifiedFee();
            desc->m_sigops_with_ancestors -= e->GetSigOpCost();
        }
    }
    // Remove parents before children so the events come in a sensible order.
    std::sort(stage.begin(), stage.end(), [](const TxMempoolEntry* a, const TxMempoolEntry* b) {
        return a->GetCountWithAncestors() < b->GetCountWithAncestors();
    });
    for (TxMempoolEntry* e : stage) RemoveUnchecked(*e, reason);
}

void TxMempool::RemoveStaged(const std::set<uint256>& txids, MemPoolRemovalReason reason)
{
    std::lock_guard lock(m_mutex);
    EntryList stage;
    for (const uint256& txid : txids) {
        if (TxMempoolEntry* e = FindEntry(txid)) stage.push_back(e);
    }
    RemoveStagedEntries(stage, reason);
}

void TxMempool::RemoveRecursive(const uint256& txid, MemPoolRemovalReason reason)
{
    std::lock_guard lock(m_mutex);
    TxMempoolEntry* e = FindEntry(txid);
    if (!e) return;
    EntryList stage{e};
    AddDescendants(stage);
    RemoveStagedEntries(stage, reason);
}

void TxMempool::removeForBlock(const std::vector<TransactionRef>& txs, unsigned /*block_height*/)
{
    std::lock_guard lock(m_mutex);
    for (const TransactionRef& tx : txs) {
        const uint256& txid = tx->GetHash();
        if (TxMempoolEntry* e = FindEntry(txid)) {
            EntryList stage{e};
            RemoveStagedEntries(stage, MemPoolRemovalReason::BLOCK);
        }
        // Conflicts: mempool transactions spending what this one spends.
        for (const TxIn& in : tx->vin) {
            const mempool_detail::Spender* spender = FindSpender(in.prevout);
            if (!spender) continue;
            const uint256 other = spender->tx->GetHash();
            if (other != txid) RemoveRecursive(other, MemPoolRemovalReason::CONFLICT);
        }
        ClearPrioritisation(txid);
    }
    m_last_rolling_fee_update = GetTime();
    m_block_since_last_rolling_fee_bump = true;
}

void TxMempool::removeForReorg(const std::function<bool(const TxMempoolEntry&)>& check)
{
    std::lock_guard lock(m_mutex);
    EntryList stage;
    m_entries.ForEach([&](TxMempoolEntry* e) {
        if (check(*e)) stage.push_back(e);
    });
    AddDescendants(stage);
    RemoveStagedEntries(stage, MemPoolRemovalReason::REORG);
}

int TxMempool::Expire(int64_t time)
{
    std::lock_guard lock(m_mutex);
    EntryList stage;
    for (auto it = m_by_time.begin(); it != m_by_time.end() && it->first < time; ++it) stage.push_back(it->second);
    if (stage.empty()) return 0;
    AddDescendants(stage);
    const int count = static_cast<int>(stage.size());
    RemoveStagedEntries(stage, MemPoolRemovalReason::EXPIRY);
    return count;
}

void TxMempool::TrimToSize(int64_t size_limit, std::vector<OutPoint>* no_spends_remaining)
{
    std::lock_guard lock(m_mutex);
    FeeRate max_removed{0};
    unsigned removed_count = 0;
    EntryList stage;
    std::vector<TransactionRef> txs;
    while (!m_entries.empty() && static_cast<int64_t>(DynamicMemoryUsage()) > size_limit) {
        // Lowest descendant score: max(own feerate, feerate with descendants);
        // among equals the newest goes first.
        TxMempoolEntry* worst = FindEntry(m_eviction_order.begin()->txid);
        FeeRate removed(worst->GetModFeesWithDescendants(), worst->GetSizeWithDescendants());
        removed += m_opts.incremental_relay_feerate;
        TrackPackageRemoved(removed);
        max_removed = std::max(max_removed, removed);
        stage.assign(1, worst);
        AddDescendants(stage);
        removed_count += stage.size();
        txs.clear();
        if (no_spends_remaining) {
            for (const TxMempoolEntry* e : stage) txs.push_back(e->GetSharedTx());
        }
        RemoveStagedEntries(stage, MemPoolRemovalReason::SIZELIMIT);
        if (no_spends_remaining) {
            for (const TransactionRef& tx : txs) {
                for (const TxIn& in : tx->vin) {
                    if (m_entries.count(in.prevout.hash)) continue;
                    no_spends_remaining->push_back(in.prevout);
                }
            }
        }
    }
    if (max_removed > FeeRate(0)) {
        LogDebug(LogCategory::MEMPOOL, "Removed {} txn, rolling minimum fee bumped to {}", removed_count,
                 max_removed.ToString());
    }
}

void TxMempool::clear()
{
    std::lock_guard lock(m_mutex);
    m_entries.clear();
    m_by_wtxid.clear();
    m_by_time.clear();
    m_eviction_order.clear();
    m_next_tx.clear();
    m_unbroadcast.clear();
    m_total_vsize = 0;
    m_total_fee = 0;
    m_cached_usage = 0;
    m_rolling_minimum_feerate = 0;
    m_last_rolling_fee_update = GetTime();
    m_block_since_last_rolling_fee_bump = false;
    ++m_sequence;
}

void TxMempool::PrioritiseTransaction(const uint256& txid, Amount delta)
{
    std::lock_guard lock(m_mutex);
    Amount& d = m_deltas[txid];
    d += delta;
    if (TxMempoolEntry* e = FindEntry(txid)) {
        e->m_fee_delta += delta;
        e->m_mod_fees_with_ancestors += delta;
        e->m_mod_fees_with_descendants += delta;
        EvictIndexUpdate(*e);
        EntryList relatives;
        AncestorsOf(*e, relatives);
        for (TxMempoolEntry* anc : relatives) {
            anc->m_mod_fees_with_descendants += delta;
            EvictIndexUpdate(*anc);
        }
        DescendantsOf(*e, relatives);
        for (TxMempoolEntry* desc : relatives) desc->m_mod_fees_with_ancestors += delta;
    }
    if (d == 0) m_deltas.erase(txid);
}

Amount TxMempool::GetFeeDelta(const uint256& txid) const
{
    std::lock_guard lock(m_mutex);
    auto it = m_deltas.find(txid);
    return it == m_deltas.end() ? 0 : it->second;
}

std::map<uint256, Amount> TxMempool::GetPrioritisedTransactions() const
{
    std::lock_guard lock(m_mutex);
    return m_deltas;
}

void TxMempool::ClearPrioritisation(const uint256& txid)
{
    std::lock_guard lock(m_mutex);
    m_deltas.erase(txid);
}

void TxMempool::AddUnbroadcastTx(const uint256& txid)
{
    std::lock_guard lock(m_mutex);
    if (m_entries.count(txid)) m_unbroadcast.insert(txid);
}

void TxMempool::RemoveUnbroadcastTx(const uint256& txid)
{
    std::lock_guard lock(m_mutex);
    if (m_unbroadcast.erase(txid)) {
        LogDebug(LogCategory::MEMPOOL, "Removed {} from set of unbroadcast txns", txid.GetHex());
    }
}

std::set<uint256> TxMempool::GetUnbroadcastTxs() const
{
    std::lock_guard lock(m_mutex);
    return m_unbroadcast;
}

bool TxMempool::IsUnbroadcastTx(const uint256& txid) const
{
    std::lock_guard lock(m_mutex);
    return m_unbroadcast.count(txid) != 0;
}

bool TxMempool::CheckConsistency(std::string& error) const
{
    std::lock_guard lock(m_mutex);
    uint64_t total = 0;
    size_t usage = 0;
    EntryList walk;
    std::vector<const TxMempoolEntry*> all;
    m_entries.ForEach([&](const TxMempoolEntry* e) { all.push_back(e); });
    for (const TxMempoolEntry* entry : all) {
        const TxMempoolEntry& e = *entry;
        const uint256& txid = e.GetTxid();
        if (FindEntry(txid) != entry) {
            error = "txid index wrong for " + txid.GetHex();
            return false;
        }
        total += static_cast<uint64_t>(e.GetTxSize());
        usage += e.DynamicMemoryUsage() + LinksUsage(e.m_parents) + LinksUsage(e.m_children);
        std::set<uint256> parents;
        for (const TxIn& in : e.GetTx().vin) {
            if (m_entries.count(in.prevout.hash)) parents.insert(in.prevout.hash);
            const mempool_detail::Spender* spender = FindSpender(in.prevout);
            if (!spender || spender->tx != &e.GetTx()) {
                error = "spent outpoint not indexed for " + txid.GetHex();
                return false;
            }
        }
        if (parents != e.Parents() || parents.size() != e.m_parents.size()) {
            error = "parents mismatch for " + txid.GetHex();
            return false;
        }
        for (const TxMempoolEntry* p : e.m_parents) {
            if (FindEntry(p->GetTxid()) != p ||
                std::count(p->m_children.begin(), p->m_children.end(), &e) != 1) {
                error = "child link missing for " + txid.GetHex();
                return false;
            }
        }
        for (const TxMempoolEntry* c : e.m_children) {
            if (FindEntry(c->GetTxid()) != c || std::count(c->m_parents.begin(), c->m_parents.end(), &e) != 1) {
                error = "parent link missing for " + txid.GetHex();
                return false;
            }
        }
        AncestorsOf(e, walk);
        int64_t size = e.GetTxSize();
        Amount fees = e.GetModifiedFee();
        for (const TxMempoolEntry* a : walk) {
            size += a->GetTxSize();
            fees += a->GetModifiedFee();
        }
        if (e.GetCountWithAncestors() != walk.size() + 1 || e.GetSizeWithAncestors() != size ||
            e.GetModFeesWithAncestors() != fees) {
            error = "ancestor state wrong for " + txid.GetHex();
            return false;
        }
        DescendantsOf(e, walk);
        size = e.GetTxSize();
        fees = e.GetModifiedFee();
        for (const TxMempoolEntry* d : walk) {
            size += d->GetTxSize();
            fees += d->GetModifiedFee();
        }
        if (e.GetCountWithDescendants() != walk.size() + 1 || e.GetSizeWithDescendants() != size ||
            e.GetModFeesWithDescendants() != fees) {
            error = "descendant state wrong for " + txid.GetHex();
            return false;
        }
        if (e.m_staged) {
            error = "stale removal mark on " + txid.GetHex();
            return false;
        }
    }
    if (m_eviction_order.size() != m_entries.size()) {
        error = "eviction index size wrong";
        return false;
    }
    for (const TxMempoolEntry* entry : all) {
        const TxMempoolEntry& e = *entry;
        const uint256& txid = e.GetTxid();
        const EvictionKey key = ScoreOf(e);
        const EvictionKey& filed = *e.m_evict_it;
        if (key.fee != e.m_evict_fee || key.size != e.m_evict_size || filed.fee != key.fee ||
            filed.size != key.size || filed.time != e.GetTime() || filed.txid != txid) {
            error = "eviction index stale for " + txid.GetHex();
            return false;
        }
        if (e.m_time_it->second != &e) {
            error = "time index stale for " + txid.GetHex();
            return false;
        }
        if (FindByWtxid(e.GetTx().GetWitnessHash()) != &e) {
            error = "wtxid index stale for " + txid.GetHex();
            return false;
        }
    }
    if (m_by_time.size() != m_entries.size() || m_by_wtxid.size() != m_entries.size()) {
        error = "time or wtxid index size wrong";
        return false;
    }
    if (total != m_total_vsize) {
        error = "total size wrong";
        return false;
    }
    if (usage != m_cached_usage) {
        error = "memory usage accounting wrong";
        return false;
    }
    if (m_next_tx.size() != [&] { size_t n = 0; for (const TxMempoolEntry* e : all) n += e->GetTx().vin.size(); return n; }()) {
        error = "spent outpoint index has extra entries";
        return false;
    }
    return true;
}

} // namespace node
