// The transaction memory pool (see txmempool.h).

#include <node/txmempool.h>

#include <consensus/consensus.h>
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

uint64_t ProcessSalt()
{
    static const uint64_t salt = [] {
        std::random_device rd;
        return (uint64_t{rd()} << 32) | rd();
    }();
    return salt;
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

// Estimated bytes of an entry outside the transaction: the entry, its
// hash-table nodes (txid, wtxid) and one spent-outpoint hash-table node per
// input (libstdc++: next pointer and the value; no cached hash, as the hasher
// is noexcept).
size_t EntryOverhead(const Transaction& tx)
{
    return MallocUsage(sizeof(TxMempoolEntry)) + 2 * MallocUsage(sizeof(uint256) * 2 + 2 * sizeof(void*)) +
           MallocUsage(sizeof(int64_t) + sizeof(uint256) + 4 * sizeof(void*)) +
           tx.vin.size() * MallocUsage(sizeof(void*) + sizeof(std::pair<const OutPoint, const Transaction*>));
}

size_t LinkUsage() { return MallocUsage(sizeof(uint256) + 4 * sizeof(void*)); }

} // namespace

size_t TxidHasher::operator()(const uint256& h) const noexcept { return h.GetUint64(0) ^ ProcessSalt(); }

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
    args.AddArg("-maxmempool=<n>", "Keep the transaction memory pool below <n> megabytes (default: 300)", A, C::OPTIONS);
    args.AddArg("-mempoolexpiry=<n>", "Do not keep transactions in the mempool longer than <n> hours (default: 336)", A,
                C::OPTIONS);
    args.AddArg("-persistmempool", "Whether to save the mempool on shutdown and load on restart (default: 1)", A,
                C::OPTIONS);
    args.AddArg("-persistmempoolv1",
                "Whether a mempool.dat file created by -persistmempool or the savemempool RPC will be written in the "
                "legacy format (version 1) or the current format (version 2) (default: 0)",
                A, C::OPTIONS);
    args.AddArg("-limitancestorcount=<n>",
                "Do not accept transactions if number of in-mempool ancestors is <n> or more (default: 25)", D,
                C::DEBUG_TEST);
    args.AddArg("-limitancestorsize=<n>",
                "Do not accept transactions whose size with all in-mempool ancestors exceeds <n> kilobytes (default: 101)",
                D, C::DEBUG_TEST);
    args.AddArg("-limitdescendantcount=<n>",
                "Do not accept transactions if any ancestor would have <n> or more in-mempool descendants (default: 25)",
                D, C::DEBUG_TEST);
    args.AddArg("-limitdescendantsize=<n>",
                "Do not accept transactions if any ancestor would have more than <n> kilobytes of in-mempool "
                "descendants (default: 101).",
                D, C::DEBUG_TEST);
    args.AddArg("-maxtxfee=<amt>",
                "Maximum total fees (in BTC) to use in a single wallet transaction or raw transaction; setting this too "
                "low may abort large transactions (default: 0.10)",
                D, C::DEBUG_TEST);
    args.AddArg("-acceptnonstdtxn",
                "Relay and mine \"non-standard\" transactions (test networks only; default: 0)", D, C::NODE_RELAY);
    args.AddArg("-bytespersigop", "Equivalent bytes per sigop in transactions for relay and mining (default: 20)", A,
                C::NODE_RELAY);
    args.AddArg("-datacarrier", "Relay and mine data carrier transactions (default: 1)", A, C::NODE_RELAY);
    args.AddArg("-datacarriersize",
                "Relay and mine transactions whose data-carrying raw scriptPubKeys in aggregate are of this size or less, "
                "allowing multiple outputs (default: 100000)",
                A, C::NODE_RELAY);
    args.AddArg("-dustrelayfee=<amt>",
                "Fee rate (in BTC/kvB) used to define dust, the value of an output such that it will cost more than its "
                "value in fees at this fee rate to spend it. (default: 0.00003)",
                D, C::NODE_RELAY);
    args.AddArg("-incrementalrelayfee=<amt>",
                "Fee rate (in BTC/kvB) used to define cost of relay, used for mempool limiting and replacement policy. "
                "(default: 0.000001)",
                D, C::NODE_RELAY);
    args.AddArg("-minrelaytxfee=<amt>",
                "Fees (in BTC/kvB) smaller than this are considered zero fee for relaying, mining and transaction "
                "creation (default: 0.000001)",
                A, C::NODE_RELAY);
    args.AddArg("-permitbaremultisig", "Relay transactions creating non-P2SH multisig outputs (default: 1)", A,
                C::NODE_RELAY);
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

TxMempool::TxMempool(MempoolOptions opts) : m_opts(std::move(opts)) {}

bool TxMempool::EvictionLess::operator()(const EvictionKey& a, const EvictionKey& b) const
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

void TxMempool::EvictIndexErase(const TxMempoolEntry& e)
{
    m_eviction_order.erase(EvictionKey{e.m_evict_fee, e.m_evict_size, e.GetTime(), e.GetTxid()});
}

void TxMempool::EvictIndexInsert(TxMempoolEntry& e)
{
    const EvictionKey key = ScoreOf(e);
    e.m_evict_fee = key.fee;
    e.m_evict_size = key.size;
    m_eviction_order.insert(key);
}

void TxMempool::EvictIndexUpdate(TxMempoolEntry& e)
{
    const EvictionKey key = ScoreOf(e);
    if (key.fee == e.m_evict_fee && key.size == e.m_evict_size) return;
    EvictIndexErase(e);
    e.m_evict_fee = key.fee;
    e.m_evict_size = key.size;
    m_eviction_order.insert(key);
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
    return m_by_wtxid.count(wtxid) > 0;
}

TransactionRef TxMempool::get(const uint256& txid) const
{
    std::lock_guard lock(m_mutex);
    auto it = m_entries.find(txid);
    return it == m_entries.end() ? nullptr : it->second->GetSharedTx();
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
    auto it = m_entries.find(txid);
    if (it == m_entries.end()) return std::nullopt;
    return MakeInfo(*it->second);
}

std::optional<TxMempoolInfo> TxMempool::info_wtxid(const uint256& wtxid) const
{
    std::lock_guard lock(m_mutex);
    auto it = m_by_wtxid.find(wtxid);
    if (it == m_by_wtxid.end()) return std::nullopt;
    return info(it->second);
}

std::vector<const TxMempoolEntry*> TxMempool::GetEntries() const
{
    std::lock_guard lock(m_mutex);
    std::vector<const TxMempoolEntry*> out;
    out.reserve(m_entries.size());
    for (const auto& [txid, e] : m_entries) out.push_back(e.get());
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
    auto it = m_entries.find(txid);
    return it == m_entries.end() ? nullptr : it->second.get();
}

const Transaction* TxMempool::GetConflictTx(const OutPoint& outpoint) const
{
    std::lock_guard lock(m_mutex);
    auto it = m_next_tx.find(outpoint);
    return it == m_next_tx.end() ? nullptr : it->second;
}

std::optional<TxOut> TxMempool::GetOutput(const OutPoint& outpoint) const
{
    std::lock_guard lock(m_mutex);
    auto it = m_entries.find(outpoint.hash);
    if (it == m_entries.end() || outpoint.n >= it->second->GetTx().vout.size()) return std::nullopt;
    return it->second->GetTx().vout[outpoint.n];
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
    return m_cached_usage + MallocUsage(m_entries.bucket_count() * sizeof(void*)) +
           MallocUsage(m_by_wtxid.bucket_count() * sizeof(void*)) +
           (m_next_tx.bucket_count() > 1 ? MallocUsage(m_next_tx.bucket_count() * sizeof(void*)) : 0) +
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

std::set<uint256> TxMempool::CalculateAncestors(const uint256& txid) const
{
    std::lock_guard lock(m_mutex);
    std::set<uint256> out;
    auto it = m_entries.find(txid);
    if (it == m_entries.end()) return out;
    std::vector<uint256> todo(it->second->m_parents.begin(), it->second->m_parents.end());
    while (!todo.empty()) {
        const uint256 id = todo.back();
        todo.pop_back();
        if (!out.insert(id).second) continue;
        const auto& e = *m_entries.at(id);
        for (const uint256& p : e.m_parents) {
            if (!out.count(p)) todo.push_back(p);
        }
    }
    return out;
}

std::set<uint256> TxMempool::CalculateDescendants(const uint256& txid) const
{
    std::lock_guard lock(m_mutex);
    std::set<uint256> out;
    auto it = m_entries.find(txid);
    if (it == m_entries.end()) return out;
    std::vector<uint256> todo(it->second->m_children.begin(), it->second->m_children.end());
    while (!todo.empty()) {
        const uint256 id = todo.back();
        todo.pop_back();
        if (!out.insert(id).second) continue;
        const auto& e = *m_entries.at(id);
        for (const uint256& c : e.m_children) {
            if (!out.count(c)) todo.push_back(c);
        }
    }
    return out;
}

bool TxMempool::CalculateAncestorsForNew(const Transaction& tx, int64_t vsize, const MempoolLimits& limits,
                                         std::set<uint256>& ancestors, std::string& error) const
{
    std::lock_guard lock(m_mutex);
    std::set<uint256> parents;
    for (const TxIn& in : tx.vin) {
        if (m_entries.count(in.prevout.hash)) parents.insert(in.prevout.hash);
    }
    if (static_cast<int64_t>(parents.size()) + 1 > limits.ancestor_count) {
        error = "too many unconfirmed parents [limit: " + std::to_string(limits.ancestor_count) + "]";
        return false;
    }
    ancestors.clear();
    int64_t total_size = vsize;
    std::vector<uint256> todo(parents.begin(), parents.end());
    while (!todo.empty()) {
        const uint256 id = todo.back();
        todo.pop_back();
        if (!ancestors.insert(id).second) continue;
        const TxMempoolEntry& e = *m_entries.at(id);
        total_size += e.GetTxSize();
        if (e.GetSizeWithDescendants() + vsize > limits.descendant_size_vbytes) {
            error = "exceeds descendant size limit for tx " + id.GetHex() + " [limit: " +
                    std::to_string(limits.descendant_size_vbytes) + "]";
            return false;
        }
        if (static_cast<int64_t>(e.GetCountWithDescendants()) + 1 > limits.descendant_count) {
            error = "too many descendants for tx " + id.GetHex() + " [limit: " +
                    std::to_string(limits.descendant_count) + "]";
            return false;
        }
        if (total_size > limits.ancestor_size_vbytes) {
            error = "exceeds ancestor size limit [limit: " + std::to_string(limits.ancestor_size_vbytes) + "]";
            return false;
        }
        if (static_cast<int64_t>(ancestors.size()) + 1 > limits.ancestor_count) {
            error = "too many unconfirmed ancestors [limit: " + std::to_string(limits.ancestor_count) + "]";
            return false;
        }
        for (const uint256& p : e.m_parents) {
            if (!ancestors.count(p)) todo.push_back(p);
        }
    }
    return true;
}

void TxMempool::AddUnchecked(TxMempoolEntry entry_in)
{
    std::lock_guard lock(m_mutex);
    auto owned = std::make_unique<TxMempoolEntry>(std::move(entry_in));
    TxMempoolEntry& entry = *owned;
    const uint256 txid = entry.GetTxid();
    if (auto d = m_deltas.find(txid); d != m_deltas.end()) entry.m_fee_delta = d->second;
    const Amount mod_fee = entry.GetModifiedFee();
    entry.m_mod_fees_with_ancestors = mod_fee;
    entry.m_mod_fees_with_descendants = mod_fee;
    for (const TxIn& in : entry.GetTx().vin) {
        if (auto p = m_entries.find(in.prevout.hash); p != m_entries.end()) {
            entry.m_parents.insert(in.prevout.hash);
        }
    }
    m_entries.emplace(txid, std::move(owned));
    // Ancestors, walking up through the new links.
    const std::set<uint256> ancestors = CalculateAncestors(txid);
    for (const uint256& a : ancestors) {
        TxMempoolEntry& anc = *m_entries.at(a);
        anc.m_count_with_descendants += 1;
        anc.m_size_with_descendants += entry.GetTxSize();
        anc.m_mod_fees_with_descendants += mod_fee;
        EvictIndexUpdate(anc);
        entry.m_count_with_ancestors += 1;
        entry.m_size_with_ancestors += anc.GetTxSize();
        entry.m_mod_fees_with_ancestors += anc.GetModifiedFee();
        entry.m_sigops_with_ancestors += anc.GetSigOpCost();
    }
    for (const uint256& p : entry.m_parents) {
        m_entries.at(p)->m_children.insert(txid);
        m_cached_usage += 2 * LinkUsage();
    }
    for (const TxIn& in : entry.GetTx().vin) m_next_tx[in.prevout] = &entry.GetTx();
    // Mempool transactions already spending this one's outputs (a
    // disconnected block's transaction re-added under its children): link
    // them and recompute the aggregates of everything connected to it.
    bool has_children = false;
    for (uint32_t o = 0; o < entry.GetTx().vout.size(); ++o) {
        auto n = m_next_tx.find(OutPoint{txid, o});
        if (n == m_next_tx.end()) continue;
        const uint256 child = n->second->GetHash();
        if (entry.m_children.insert(child).second) {
            m_entries.at(child)->m_parents.insert(txid);
            m_cached_usage += 2 * LinkUsage();
        }
        has_children = true;
    }
    if (has_children) {
        std::set<uint256> affected = CalculateDescendants(txid);
        const std::set<uint256> descendants = affected;
        for (const uint256& d : descendants) {
            const auto a = CalculateAncestors(d);
            affected.insert(a.begin(), a.end());
        }
        affected.insert(txid);
        for (const uint256& id : affected) {
            TxMempoolEntry& e = *m_entries.at(id);
            if (id != txid) EvictIndexErase(e);
            e.m_count_with_ancestors = 1;
            e.m_size_with_ancestors = e.GetTxSize();
            e.m_mod_fees_with_ancestors = e.GetModifiedFee();
            e.m_sigops_with_ancestors = e.GetSigOpCost();
            for (const uint256& a : CalculateAncestors(id)) {
                const TxMempoolEntry& x = *m_entries.at(a);
                e.m_count_with_ancestors += 1;
                e.m_size_with_ancestors += x.GetTxSize();
                e.m_mod_fees_with_ancestors += x.GetModifiedFee();
                e.m_sigops_with_ancestors += x.GetSigOpCost();
            }
            e.m_count_with_descendants = 1;
            e.m_size_with_descendants = e.GetTxSize();
            e.m_mod_fees_with_descendants = e.GetModifiedFee();
            for (const uint256& d : CalculateDescendants(id)) {
                const TxMempoolEntry& x = *m_entries.at(d);
                e.m_count_with_descendants += 1;
                e.m_size_with_descendants += x.GetTxSize();
                e.m_mod_fees_with_descendants += x.GetModifiedFee();
            }
            if (id != txid) EvictIndexInsert(e);
        }
    }
    EvictIndexInsert(entry);
    m_by_wtxid.emplace(entry.GetTx().GetWitnessHash(), txid);
    entry.m_time_it = m_by_time.emplace(entry.GetTime(), txid);
    m_total_vsize += static_cast<uint64_t>(entry.GetTxSize());
    m_total_fee += entry.GetFee();
    m_cached_usage += entry.DynamicMemoryUsage();

    TRACEPOINT(mempool, added, txid.data(), static_cast<int32_t>(entry.GetTxSize()),
               static_cast<int64_t>(entry.GetFee()));
    const uint64_t sequence = m_sequence++;
    for (MempoolObserver* o : m_observers) o->TransactionAdded(entry.GetSharedTx(), sequence);
}

void TxMempool::RemoveUnchecked(const uint256& txid, MemPoolRemovalReason reason)
{
    auto it = m_entries.find(txid);
    if (it == m_entries.end()) return;
    std::unique_ptr<TxMempoolEntry> owned = std::move(it->second);
    const TxMempoolEntry& e = *owned;
    TRACEPOINT(mempool, removed, txid.data(), RemovalReasonToString(reason), static_cast<int32_t>(e.GetTxSize()),
               static_cast<int64_t>(e.GetFee()), static_cast<uint64_t>(e.GetTime()));
    const uint64_t sequence = m_sequence++;
    for (MempoolObserver* o : m_observers) o->TransactionRemoved(e.GetSharedTx(), reason, sequence);

    for (const uint256& p : e.m_parents) {
        if (auto pi = m_entries.find(p); pi != m_entries.end() && pi->second) pi->second->m_children.erase(txid);
        m_cached_usage -= 2 * LinkUsage();
    }
    for (const uint256& c : e.m_children) {
        if (auto ci = m_entries.find(c); ci != m_entries.end() && ci->second) ci->second->m_parents.erase(txid);
        m_cached_usage -= 2 * LinkUsage();
    }
    for (const TxIn& in : e.GetTx().vin) {
        auto n = m_next_tx.find(in.prevout);
        if (n != m_next_tx.end() && n->second == &e.GetTx()) m_next_tx.erase(n);
    }
    m_by_wtxid.erase(e.GetTx().GetWitnessHash());
    EvictIndexErase(e);
    m_by_time.erase(e.m_time_it);
    m_total_vsize -= static_cast<uint64_t>(e.GetTxSize());
    m_total_fee -= e.GetFee();
    m_cached_usage -= e.DynamicMemoryUsage();
    m_entries.erase(it);
}

void TxMempool::RemoveStaged(const std::set<uint256>& txids, MemPoolRemovalReason reason)
{
    std::lock_guard lock(m_mutex);
    // Aggregates first, while every link is still there: each removed entry
    // leaves its ancestors' descendant sums and its descendants' ancestor sums.
    for (const uint256& txid : txids) {
        auto it = m_entries.find(txid);
        if (it == m_entries.end()) continue;
        const TxMempoolEntry& e = *it->second;
        for (const uint256& a : CalculateAncestors(txid)) {
            if (txids.count(a)) continue;
            TxMempoolEntry& anc = *m_entries.at(a);
            anc.m_count_with_descendants -= 1;
            anc.m_size_with_descendants -= e.GetTxSize();
            anc.m_mod_fees_with_descendants -= e.GetModifiedFee();
            EvictIndexUpdate(anc);
        }
        for (const uint256& d : CalculateDescendants(txid)) {
            if (txids.count(d)) continue;
            TxMempoolEntry& desc = *m_entries.at(d);
            desc.m_count_with_ancestors -= 1;
            desc.m_size_with_ancestors -= e.GetTxSize();
            desc.m_mod_fees_with_ancestors -= e.GetModifiedFee();
            desc.m_sigops_with_ancestors -= e.GetSigOpCost();
        }
    }
    // Remove parents before children so the events come in a sensible order.
    std::vector<const TxMempoolEntry*> order;
    for (const uint256& txid : txids) {
        if (auto it = m_entries.find(txid); it != m_entries.end()) order.push_back(it->second.get());
    }
    std::sort(order.begin(), order.end(), [](const TxMempoolEntry* a, const TxMempoolEntry* b) {
        return a->GetCountWithAncestors() < b->GetCountWithAncestors();
    });
    std::vector<uint256> ids;
    for (const TxMempoolEntry* e : order) ids.push_back(e->GetTxid());
    for (const uint256& id : ids) RemoveUnchecked(id, reason);
}

void TxMempool::RemoveRecursive(const uint256& txid, MemPoolRemovalReason reason)
{
    std::lock_guard lock(m_mutex);
    if (!m_entries.count(txid)) return;
    std::set<uint256> stage = CalculateDescendants(txid);
    stage.insert(txid);
    RemoveStaged(stage, reason);
}

void TxMempool::removeForBlock(const std::vector<TransactionRef>& txs, unsigned /*block_height*/)
{
    std::lock_guard lock(m_mutex);
    for (const TransactionRef& tx : txs) {
        const uint256& txid = tx->GetHash();
        if (m_entries.count(txid)) RemoveStaged({txid}, MemPoolRemovalReason::BLOCK);
        // Conflicts: mempool transactions spending what this one spends.
        for (const TxIn& in : tx->vin) {
            auto n = m_next_tx.find(in.prevout);
            if (n == m_next_tx.end()) continue;
            const uint256 other = n->second->GetHash();
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
    std::set<uint256> stage;
    for (const auto& [txid, e] : m_entries) {
        if (check(*e)) {
            stage.insert(txid);
            const auto d = CalculateDescendants(txid);
            stage.insert(d.begin(), d.end());
        }
    }
    RemoveStaged(stage, MemPoolRemovalReason::REORG);
}

int TxMempool::Expire(int64_t time)
{
    std::lock_guard lock(m_mutex);
    std::set<uint256> stage;
    for (auto it = m_by_time.begin(); it != m_by_time.end() && it->first < time; ++it) {
        stage.insert(it->second);
        const auto d = CalculateDescendants(it->second);
        stage.insert(d.begin(), d.end());
    }
    RemoveStaged(stage, MemPoolRemovalReason::EXPIRY);
    return static_cast<int>(stage.size());
}

void TxMempool::TrimToSize(int64_t size_limit, std::vector<OutPoint>* no_spends_remaining)
{
    std::lock_guard lock(m_mutex);
    FeeRate max_removed{0};
    unsigned removed_count = 0;
    while (!m_entries.empty() && static_cast<int64_t>(DynamicMemoryUsage()) > size_limit) {
        // Lowest descendant score: max(own feerate, feerate with descendants);
        // among equals the newest goes first.
        const TxMempoolEntry* worst = m_entries.at(m_eviction_order.begin()->txid).get();
        FeeRate removed(worst->GetModFeesWithDescendants(), worst->GetSizeWithDescendants());
        removed += m_opts.incremental_relay_feerate;
        TrackPackageRemoved(removed);
        max_removed = std::max(max_removed, removed);
        std::set<uint256> stage = CalculateDescendants(worst->GetTxid());
        stage.insert(worst->GetTxid());
        removed_count += stage.size();
        std::vector<TransactionRef> txs;
        if (no_spends_remaining) {
            for (const uint256& id : stage) txs.push_back(m_entries.at(id)->GetSharedTx());
        }
        RemoveStaged(stage, MemPoolRemovalReason::SIZELIMIT);
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
    if (auto it = m_entries.find(txid); it != m_entries.end()) {
        TxMempoolEntry& e = *it->second;
        EvictIndexErase(e);
        e.m_fee_delta += delta;
        e.m_mod_fees_with_ancestors += delta;
        e.m_mod_fees_with_descendants += delta;
        EvictIndexInsert(e);
        for (const uint256& a : CalculateAncestors(txid)) {
            TxMempoolEntry& anc = *m_entries.at(a);
            EvictIndexErase(anc);
            anc.m_mod_fees_with_descendants += delta;
            EvictIndexInsert(anc);
        }
        for (const uint256& c : CalculateDescendants(txid)) m_entries.at(c)->m_mod_fees_with_ancestors += delta;
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

bool TxMempool::CheckConsistency(std::string& error) const
{
    std::lock_guard lock(m_mutex);
    uint64_t total = 0;
    for (const auto& [txid, e] : m_entries) {
        total += static_cast<uint64_t>(e->GetTxSize());
        std::set<uint256> parents;
        for (const TxIn& in : e->GetTx().vin) {
            if (m_entries.count(in.prevout.hash)) parents.insert(in.prevout.hash);
            auto n = m_next_tx.find(in.prevout);
            if (n == m_next_tx.end() || n->second != &e->GetTx()) {
                error = "spent outpoint not indexed for " + txid.GetHex();
                return false;
            }
        }
        if (parents != e->m_parents) {
            error = "parents mismatch for " + txid.GetHex();
            return false;
        }
        for (const uint256& p : parents) {
            if (!m_entries.at(p)->m_children.count(txid)) {
                error = "child link missing for " + txid.GetHex();
                return false;
            }
        }
        const auto anc = CalculateAncestors(txid);
        int64_t size = e->GetTxSize();
        Amount fees = e->GetModifiedFee();
        for (const uint256& a : anc) {
            size += m_entries.at(a)->GetTxSize();
            fees += m_entries.at(a)->GetModifiedFee();
        }
        if (e->GetCountWithAncestors() != anc.size() + 1 || e->GetSizeWithAncestors() != size ||
            e->GetModFeesWithAncestors() != fees) {
            error = "ancestor state wrong for " + txid.GetHex();
            return false;
        }
        const auto desc = CalculateDescendants(txid);
        size = e->GetTxSize();
        fees = e->GetModifiedFee();
        for (const uint256& d : desc) {
            size += m_entries.at(d)->GetTxSize();
            fees += m_entries.at(d)->GetModifiedFee();
        }
        if (e->GetCountWithDescendants() != desc.size() + 1 || e->GetSizeWithDescendants() != size ||
            e->GetModFeesWithDescendants() != fees) {
            error = "descendant state wrong for " + txid.GetHex();
            return false;
        }
    }
    if (m_eviction_order.size() != m_entries.size()) {
        error = "eviction index size wrong";
        return false;
    }
    for (const auto& [txid, e] : m_entries) {
        const EvictionKey key = ScoreOf(*e);
        if (key.fee != e->m_evict_fee || key.size != e->m_evict_size ||
            !m_eviction_order.count(EvictionKey{e->m_evict_fee, e->m_evict_size, e->GetTime(), txid})) {
            error = "eviction index stale for " + txid.GetHex();
            return false;
        }
    }
    if (m_by_time.size() != m_entries.size()) {
        error = "time index size wrong";
        return false;
    }
    if (total != m_total_vsize) {
        error = "total size wrong";
        return false;
    }
    if (m_next_tx.size() != [&] { size_t n = 0; for (const auto& [id, e] : m_entries) n += e->GetTx().vin.size(); return n; }()) {
        error = "spent outpoint index has extra entries";
        return false;
    }
    return true;
}

} // namespace node
