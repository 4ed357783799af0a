// Mempool acceptance (see mempool_accept.h).

#include <node/mempool_accept.h>

#include <consensus/consensus.h>
#include <consensus/tx_check.h>
#include <consensus/tx_verify.h>
#include <kernel/coins.h>
#include <kernel/script_check_queue.h>
#include <kernel/validation.h>
#include <node/policy.h>
#include <node/txmempool.h>
#include <script/interpreter.h>
#include <script/script_error.h>
#include <script/sighash.h>
#include <util/logging.h>
#include <util/time.h>
#include <util/trace.h>

#include <algorithm>
#include <unordered_map>

namespace node {

namespace {

// Height of coins created by mempool transactions.
constexpr uint32_t MEMPOOL_HEIGHT = 0x7FFFFFFF;

// The tip's coins plus the outputs of mempool transactions (and of earlier
// members of a package being checked).
class CoinsViewMempool : public CoinsViewBacked {
public:
    CoinsViewMempool(CoinsView* base, const TxMempool& pool, const std::map<OutPoint, TxOut>& extra)
        : CoinsViewBacked(base), m_pool(pool), m_extra(extra)
    {
    }
    std::optional<Coin> GetCoin(const OutPoint& outpoint) const override
    {
        if (auto it = m_extra.find(outpoint); it != m_extra.end()) return Coin(it->second, MEMPOOL_HEIGHT, false);
        if (auto out = m_pool.GetOutput(outpoint)) return Coin(std::move(*out), MEMPOOL_HEIGHT, false);
        return m_base->GetCoin(outpoint);
    }
    bool HaveCoin(const OutPoint& outpoint) const override { return GetCoin(outpoint).has_value(); }

private:
    const TxMempool& m_pool;
    const std::map<OutPoint, TxOut>& m_extra;
};

struct AcceptArgs {
    int64_t accept_time = 0;
    bool bypass_limits = false;
    bool test_accept = false;
    bool skip_fee_checks = false;             // package member judged by the package feerate
    std::map<OutPoint, TxOut> extra_coins;    // outputs of earlier package members
    std::vector<OutPoint>* coins_to_uncache = nullptr;
};

std::string Hex(const uint256& h) { return h.GetHex(); }

MempoolAcceptResult Invalid(TxValidationResult r, const std::string& reason, const std::string& debug = {})
{
    MempoolAcceptResult res;
    res.m_result_type = MempoolAcceptResult::ResultType::INVALID;
    res.m_state.Invalid(r, reason, debug);
    return res;
}

MempoolAcceptResult AcceptSingle(ChainstateManager& chainman, TxMempool& pool, const TransactionRef& ptx,
                                 AcceptArgs& args)
{
    const Transaction& tx = *ptx;
    const uint256& txid = tx.GetHash();
    const MempoolOptions& opts = pool.Options();
    TxValidationState state;

    if (!CheckTransaction(tx, state)) {
        MempoolAcceptResult res;
        res.m_state = state;
        return res;
    }
    if (tx.IsCoinBase()) return Invalid(TxValidationResult::CONSENSUS, "coinbase");
    std::string reason;
    if (opts.policy.require_standard && !IsStandardTx(tx, opts.policy, reason)) {
        return Invalid(TxValidationResult::NOT_STANDARD, reason);
    }
    // Transactions smaller than 65 non-witness bytes could be confused with
    // merkle tree nodes (CVE-2017-12842). weight = 3 * stripped + total.
    const int64_t stripped_size =
        (GetTransactionWeight(tx) - static_cast<int64_t>(tx.GetTotalSize())) / (WITNESS_SCALE_FACTOR - 1);
    if (stripped_size < MIN_STANDARD_TX_NONWITNESS_SIZE) {
        return Invalid(TxValidationResult::NOT_STANDARD, "tx-size-small");
    }

    const BlockIndex* tip = chainman.ActiveChain().Tip();
    const int spend_height = tip->height + 1;
    const Chain& chain = chainman.ActiveChain();
    if (!IsFinalTx(tx, spend_height, tip->GetMedianTimePast())) {
        return Invalid(TxValidationResult::PREMATURE_SPEND, "non-final");
    }
    if (pool.exists_wtxid(tx.GetWitnessHash())) {
        return Invalid(TxValidationResult::CONFLICT, "txn-already-in-mempool");
    }
    if (pool.exists(txid)) {
        return Invalid(TxValidationResult::CONFLICT, "txn-same-nonwitness-data-in-mempool");
    }

    // Direct conflicts (full RBF: every one is replaceable).
    std::set<uint256> direct_conflicts;
    for (const TxIn& in : tx.vin) {
        if (const Transaction* other = pool.GetConflictTx(in.prevout)) direct_conflicts.insert(other->GetHash());
    }

    CoinsViewCache& tip_coins = chainman.CoinsTip();
    CoinsViewMempool mempool_view(&tip_coins, pool, args.extra_coins);
    CoinsViewCache view(&mempool_view);
    std::vector<SpentCoin> coins;
    std::vector<TxOut> spent_outputs;
    std::vector<int> prev_heights;
    bool spends_coinbase = false;
    for (const TxIn& in : tx.vin) {
        if (args.coins_to_uncache && !tip_coins.HaveCoinInCache(in.prevout)) {
            args.coins_to_uncache->push_back(in.prevout);
        }
        const Coin& coin = view.AccessCoin(in.prevout);
        if (coin.IsSpent()) {
            for (uint32_t o = 0; o < tx.vout.size(); ++o) {
                if (tip_coins.HaveCoinInCache(OutPoint{txid, o})) {
                    return Invalid(TxValidationResult::CONFLICT, "txn-already-known");
                }
            }
            return Invalid(TxValidationResult::MISSING_INPUTS, "bad-txns-inputs-missingorspent");
        }
        const int h = coin.height == MEMPOOL_HEIGHT ? spend_height : static_cast<int>(coin.height);
        coins.push_back(SpentCoin{coin.out, static_cast<int>(coin.height == MEMPOOL_HEIGHT ? spend_height : coin.height),
                                  coin.coinbase});
        spent_outputs.push_back(coin.out);
        prev_heights.push_back(h);
        spends_coinbase |= coin.coinbase;
    }
    {
        std::vector<int> heights = prev_heights;
        if (!SequenceLocksSatisfied(tx, LOCKTIME_VERIFY_SEQUENCE, heights, spend_height, tip->GetMedianTimePast(),
                                    [&chain](int h) { return chain[h] ? chain[h]->GetMedianTimePast() : 0; })) {
            return Invalid(TxValidationResult::PREMATURE_SPEND, "non-BIP68-final");
        }
    }
    Amount fee = 0;
    if (!CheckTxInputs(tx, state, coins, spend_height, fee)) {
        MempoolAcceptResult res;
        res.m_state = state;
        return res;
    }
    if (opts.policy.require_standard && !AreInputsStandard(tx, view)) {
        return Invalid(TxValidationResult::INPUTS_NOT_STANDARD, "bad-txns-nonstandard-inputs");
    }
    if (tx.HasWitness() && opts.policy.require_standard && !IsWitnessStandard(tx, view)) {
        return Invalid(TxValidationResult::NOT_STANDARD, "bad-witness-nonstandard");
    }
    const uint32_t flags = StandardScriptVerifyFlags();
    const int64_t sigop_cost = GetTransactionSigOpCost(tx, spent_outputs, flags);
    const uint64_t entry_sequence = args.bypass_limits ? 0 : pool.GetSequence();
    TxMempoolEntry entry(ptx, fee, args.accept_time, static_cast<unsigned>(tip->height), entry_sequence,
                         spends_coinbase, sigop_cost, opts.policy.bytes_per_sigop);
    const int64_t vsize = entry.GetTxSize();
    const Amount modified_fee = fee + pool.GetFeeDelta(txid);
    if (sigop_cost > MAX_STANDARD_TX_SIGOPS_COST) {
        return Invalid(TxValidationResult::NOT_STANDARD, "bad-txns-too-many-sigops", std::to_string(sigop_cost));
    }
    // Ephemeral dust: a dust output is only allowed in a 0-fee transaction.
    if (opts.policy.require_standard) {
        for (const TxOut& out : tx.vout) {
            if (IsDust(out, opts.policy.dust_relay_feerate) && (fee != 0 || modified_fee != 0)) {
                return Invalid(TxValidationResult::NOT_STANDARD, "dust", "tx with dust output must be 0-fee");
            }
        }
    }
    if (!args.bypass_limits && !args.skip_fee_checks) {
        const Amount pool_min = pool.GetMinFee().GetFee(vsize);
        if (pool_min > 0 && modified_fee < pool_min) {
            return Invalid(TxValidationResult::RECONSIDERABLE, "mempool min fee not met",
                           std::to_string(modified_fee) + " < " + std::to_string(pool_min));
        }
        const Amount relay_min = opts.min_relay_feerate.GetFee(vsize);
        if (modified_fee < relay_min) {
            return Invalid(TxValidationResult::RECONSIDERABLE, "min relay fee not met",
                           std::to_string(modified_fee) + " < " + std::to_string(relay_min));
        }
    }

    // Ancestors and limits.
    std::set<uint256> ancestors;
    std::string limit_error;
    if (!pool.CalculateAncestorsForNew(tx, vsize, opts.limits, ancestors, limit_error)) {
        return Invalid(TxValidationResult::MEMPOOL_POLICY, "too-long-mempool-chain", limit_error);
    }

    // Replacement.
    std::set<uint256> all_conflicts;
    if (!direct_conflicts.empty()) {
        for (const uint256& a : ancestors) {
            if (direct_conflicts.count(a)) {
                return Invalid(TxValidationResult::CONSENSUS, "bad-txns-spends-conflicting-tx",
                               Hex(txid) + " spends conflicting transaction " + Hex(a));
            }
        }
        const FeeRate new_rate(modified_fee, vsize);
        std::set<uint256> parents_of_conflicts;
        std::lock_guard lock(pool.Mutex());
        for (const uint256& c : direct_conflicts) {
            const TxMempoolEntry* e = pool.GetEntry(c);
            const FeeRate old_rate(e->GetModifiedFee(), e->GetTxSize());
            if (new_rate <= old_rate) {
                return Invalid(TxValidationResult::MEMPOOL_POLICY, "insufficient fee",
                               "rejecting replacement " + Hex(txid) + "; new feerate " + new_rate.ToString() +
                                   " <= old feerate " + old_rate.ToString());
            }
            for (const TxIn& in : e->GetTx().vin) parents_of_conflicts.insert(in.prevout.hash);
        }
        size_t potential = 0;
        for (const uint256& c : direct_conflicts) potential += pool.GetEntry(c)->GetCountWithDescendants();
        if (potential > MAX_REPLACEMENT_CANDIDATES) {
            return Invalid(TxValidationResult::MEMPOOL_POLICY, "too many potential replacements",
                           "rejecting replacement " + Hex(txid) + "; too many potential replacements (" +
                               std::to_string(potential) + " > " + std::to_string(MAX_REPLACEMENT_CANDIDATES) + ")");
        }
        for (const uint256& c : direct_conflicts) {
            all_conflicts.insert(c);
            const auto d = pool.CalculateDescendants(c);
            all_conflicts.insert(d.begin(), d.end());
        }
        for (size_t j = 0; j < tx.vin.size(); ++j) {
            const uint256& prev = tx.vin[j].prevout.hash;
            if (!parents_of_conflicts.count(prev) && pool.exists(prev)) {
                return Invalid(TxValidationResult::MEMPOOL_POLICY, "replacement-adds-unconfirmed",
                               "replacement " + Hex(txid) + " adds unconfirmed input, idx " + std::to_string(j));
            }
        }
        for (const uint256& a : ancestors) {
            if (all_conflicts.count(a)) {
                return Invalid(TxValidationResult::CONSENSUS, "bad-txns-spends-conflicting-tx",
                               Hex(txid) + " spends conflicting transaction " + Hex(a));
            }
        }
        Amount conflicting_fees = 0;
        for (const uint256& c : all_conflicts) conflicting_fees += pool.GetEntry(c)->GetModifiedFee();
        if (modified_fee < conflicting_fees) {
            return Invalid(TxValidationResult::MEMPOOL_POLICY, "insufficient fee",
                           "rejecting replacement " + Hex(txid) + ", less fees than conflicting txs; " +
                               std::to_string(modified_fee) + " < " + std::to_string(conflicting_fees));
        }
        const Amount additional = modified_fee - conflicting_fees;
        const Amount relay = opts.incremental_relay_feerate.GetFee(vsize);
        if (additional < relay) {
            return Invalid(TxValidationResult::MEMPOOL_POLICY, "insufficient fee",
                           "rejecting replacement " + Hex(txid) + ", not enough additional fees to relay; " +
                               std::to_string(additional) + " < " + std::to_string(relay));
        }
    }

    // Scripts, through the signature cache shared with block validation.
    {
        PrecomputedTransactionData txdata;
        txdata.Init(tx, spent_outputs);
        SignatureCache* cache = &chainman.SigCache();
        for (unsigned i = 0; i < tx.vin.size(); ++i) {
            ScriptCheck check{&tx, 0, i, spent_outputs[i], flags, &txdata, cache};
            const ScriptError err = check.Run();
            if (err == ScriptError::OK) continue;
            ScriptCheck mandatory{&tx, 0, i, spent_outputs[i], MandatoryScriptVerifyFlags(), &txdata, cache};
            const ScriptError merr = mandatory.Run();
            MempoolAcceptResult failed =
                merr == ScriptError::OK
                    ? Invalid(TxValidationResult::NOT_STANDARD,
                              std::string("non-mandatory-script-verify-flag (") + ScriptErrorMessage(err) + ")")
                    : Invalid(TxValidationResult::CONSENSUS,
                              std::string("mandatory-script-verify-flag-failed (") + ScriptErrorMessage(merr) + ")");
            // As Core: a transaction without witness that passes without the
            // witness rules but fails with them may only have lost its witness
            // in relay (TX_WITNESS_STRIPPED): its sender is not punished.
            if (!tx.HasWitness()) {
                auto all_pass = [&](uint32_t f) {
                    for (unsigned k = 0; k < tx.vin.size(); ++k) {
                        ScriptCheck c{&tx, 0, k, spent_outputs[k], f, &txdata, cache};
                        if (c.Run() != ScriptError::OK) return false;
                    }
                    return true;
                };
                if (all_pass(flags & ~(SCRIPT_VERIFY_WITNESS | SCRIPT_VERIFY_CLEANSTACK)) &&
                    !all_pass(flags & ~SCRIPT_VERIFY_CLEANSTACK)) {
                    const TxValidationState s = failed.m_state;
                    failed.m_state = TxValidationState{};
                    failed.m_state.Invalid(TxValidationResult::WITNESS_STRIPPED, s.GetRejectReason(),
                                           s.GetDebugMessage());
                }
            }
            return failed;
        }
    }

    MempoolAcceptResult res;
    res.m_result_type = MempoolAcceptResult::ResultType::VALID;
    res.m_vsize = vsize;
    res.m_base_fees = fee;
    res.m_effective_feerate_sat_per_kvb = FeeRate(modified_fee, vsize).GetFeePerK();
    res.m_wtxids_fee_calculations = {tx.GetWitnessHash()};
    res.m_replaced_txids.assign(all_conflicts.begin(), all_conflicts.end());
    if (args.test_accept) return res;

    // Finalize: replaced transactions leave, the new one enters.
    {
        std::lock_guard lock(pool.Mutex());
        for (const uint256& c : all_conflicts) {
            const TxMempoolEntry* e = pool.GetEntry(c);
            TRACEPOINT(mempool, replaced, c.data(), static_cast<int32_t>(e->GetTxSize()),
                       static_cast<int64_t>(e->GetFee()), static_cast<uint64_t>(e->GetTime()), txid.data(),
                       static_cast<int32_t>(vsize), static_cast<int64_t>(fee), true);
            LogDebug(LogCategory::MEMPOOL, "replacing mempool tx {} ({} sat) with {} ({} sat)", c.GetHex(),
                     e->GetFee(), txid.GetHex(), fee);
        }
        if (!all_conflicts.empty()) pool.RemoveStaged(all_conflicts, MemPoolRemovalReason::REPLACED);
        pool.AddUnchecked(std::move(entry));
        if (!args.bypass_limits) {
            pool.Expire(GetTime() - opts.expiry_seconds);
            std::vector<OutPoint> no_spends;
            pool.TrimToSize(opts.max_size_bytes, &no_spends);
            for (const OutPoint& o : no_spends) tip_coins.Uncache(o);
            if (!pool.exists(txid)) return Invalid(TxValidationResult::MEMPOOL_POLICY, "mempool full");
        }
    }
    return res;
}

MempoolAcceptResult AcceptLocked(ChainstateManager& chainman, TxMempool& pool, const TransactionRef& tx,
                                 AcceptArgs& args)
{
    std::vector<OutPoint> coins_to_uncache;
    args.coins_to_uncache = &coins_to_uncache;
    MempoolAcceptResult res = AcceptSingle(chainman, pool, tx, args);
    args.coins_to_uncache = nullptr;
    if (res.m_result_type != MempoolAcceptResult::ResultType::VALID) {
        // Coins loaded only for this check must not stay in the cache
        // (a flood of invalid transactions would otherwise fill it).
        for (const OutPoint& o : coins_to_uncache) chainman.CoinsTip().Uncache(o);
        TRACEPOINT(mempool, rejected, tx->GetHash().data(), res.m_state.GetRejectReason().c_str());
        LogDebug(LogCategory::MEMPOOLREJ, "{} (wtxid={}) was not accepted: {}", tx->GetHash().GetHex(),
                 tx->GetWitnessHash().GetHex(), res.m_state.ToString());
    } else if (!args.test_accept) {
        LogDebug(LogCategory::MEMPOOL, "AcceptToMemoryPool: accepted {} (poolsz {} txn, {} kB)", tx->GetHash().GetHex(),
                 pool.size(), pool.DynamicMemoryUsage() / 1000);
    }
    return res;
}

} // namespace

MempoolAcceptResult AcceptToMemoryPool(ChainstateManager& chainman, TxMempool& pool, const TransactionRef& tx,
                                       int64_t accept_time, bool bypass_limits, bool test_accept)
{
    std::lock_guard chain_lock(chainman.ChainLock());
    std::lock_guard pool_lock(pool.Mutex());
    AcceptArgs args;
    args.accept_time = accept_time;
    args.bypass_limits = bypass_limits;
    args.test_accept = test_accept;
    return AcceptLocked(chainman, pool, tx, args);
}

PackageMempoolAcceptResult ProcessNewPackage(ChainstateManager& chainman, TxMempool& pool,
                                             const std::vector<TransactionRef>& package, bool test_accept,
                                             Amount max_sane_feerate)
{
    std::lock_guard chain_lock(chainman.ChainLock());
    std::lock_guard pool_lock(pool.Mutex());
    PackageMempoolAcceptResult out;
    if (package.empty()) {
        out.m_state.Invalid(TxValidationResult::CONSENSUS, "package-not-sorted");  // nothing to do
        return out;
    }
    // Context-free package checks.
    if (package.size() > 25) {
        out.m_state.Invalid(TxValidationResult::CONSENSUS, "package-too-many-transactions");
        return out;
    }
    int64_t total_weight = 0;
    std::set<uint256> txids;
    for (const TransactionRef& tx : package) {
        total_weight += GetTransactionWeight(*tx);
        if (!txids.insert(tx->GetHash()).second) {
            out.m_state.Invalid(TxValidationResult::CONSENSUS, "package-contains-duplicates");
            return out;
        }
    }
    if (package.size() > 1 && total_weight > 404000) {
        out.m_state.Invalid(TxValidationResult::CONSENSUS, "package-too-large");
        return out;
    }
    // Topology: no member spends a later one; the last spends every other (child-with-parents).
    for (size_t i = 0; i < package.size(); ++i) {
        for (const TxIn& in : package[i]->vin) {
            for (size_t j = i + 1; j < package.size(); ++j) {
                if (in.prevout.hash == package[j]->GetHash()) {
                    out.m_state.Invalid(TxValidationResult::CONSENSUS, "package-not-sorted");
                    return out;
                }
            }
        }
    }
    if (package.size() > 1) {
        const Transaction& child = *package.back();
        std::set<uint256> spent;
        for (const TxIn& in : child.vin) spent.insert(in.prevout.hash);
        for (size_t i = 0; i + 1 < package.size(); ++i) {
            if (!spent.count(package[i]->GetHash())) {
                out.m_state.Invalid(TxValidationResult::CONSENSUS, "package-not-child-with-parents");
                return out;
            }
        }
        // Conflicts inside the package.
        std::set<OutPoint> inputs;
        for (const TransactionRef& tx : package) {
            for (const TxIn& in : tx->vin) {
                if (!inputs.insert(in.prevout).second) {
                    out.m_state.Invalid(TxValidationResult::CONSENSUS, "conflict-in-package");
                    return out;
                }
            }
        }
    }

    const int64_t now = GetTime();
    auto add_outputs = [](std::map<OutPoint, TxOut>& extra, const Transaction& tx) {
        for (uint32_t o = 0; o < tx.vout.size(); ++o) extra.emplace(OutPoint{tx.GetHash(), o}, tx.vout[o]);
    };
    auto check_sane = [&](const MempoolAcceptResult& r) {
        return max_sane_feerate <= 0 || !r.m_vsize || !r.m_base_fees ||
               FeeRate(*r.m_base_fees, *r.m_vsize).GetFeePerK() <= max_sane_feerate;
    };

    // Pass 1: each transaction alone (dry run when test_accept, with earlier
    // members' outputs visible).
    std::map<OutPoint, TxOut> extra;
    std::vector<size_t> reconsider;
    bool failed = false;
    for (size_t i = 0; i < package.size(); ++i) {
        const TransactionRef& tx = package[i];
        const uint256& wtxid = tx->GetWitnessHash();
        if (pool.exists_wtxid(wtxid)) {
            MempoolAcceptResult r;
            r.m_result_type = MempoolAcceptResult::ResultType::MEMPOOL_ENTRY;
            const TxMempoolEntry* e = pool.GetEntry(tx->GetHash());
            r.m_vsize = e->GetTxSize();
            r.m_base_fees = e->GetFee();
            r.m_effective_feerate_sat_per_kvb = FeeRate(e->GetModifiedFee(), e->GetTxSize()).GetFeePerK();
            r.m_wtxids_fee_calculations = {wtxid};
            out.m_tx_results.emplace(wtxid, r);
            continue;
        }
        if (const TransactionRef same = pool.get(tx->GetHash())) {
            MempoolAcceptResult r;
            r.m_result_type = MempoolAcceptResult::ResultType::DIFFERENT_WITNESS;
            r.m_other_wtxid = same->GetWitnessHash();
            const TxMempoolEntry* e = pool.GetEntry(tx->GetHash());
            r.m_vsize = e->GetTxSize();
            r.m_base_fees = e->GetFee();
            out.m_tx_results.emplace(wtxid, r);
            continue;
        }
        if (!reconsider.empty()) {
            // An earlier member waits for the child's fees: judge the rest
            // together with it below.
            reconsider.push_back(i);
            continue;
        }
        AcceptArgs args;
        args.accept_time = now;
        args.test_accept = test_accept;
        args.extra_coins = extra;
        MempoolAcceptResult r = AcceptLocked(chainman, pool, tx, args);
        if (r.m_result_type == MempoolAcceptResult::ResultType::VALID && !check_sane(r)) {
            r = Invalid(TxValidationResult::NOT_STANDARD, "max feerate exceeded");
        }
        if (r.m_result_type != MempoolAcceptResult::ResultType::VALID &&
            r.m_state.GetTxResult() == TxValidationResult::RECONSIDERABLE) {
            reconsider.push_back(i);
        } else if (r.m_result_type != MempoolAcceptResult::ResultType::VALID) {
            failed = true;
        }
        if (test_accept) add_outputs(extra, *tx);
        out.m_tx_results[wtxid] = r;
        if (r.m_result_type != MempoolAcceptResult::ResultType::VALID && i + 1 < package.size() &&
            r.m_state.GetTxResult() != TxValidationResult::RECONSIDERABLE) {
            break;
        }
        if (r.m_result_type != MempoolAcceptResult::ResultType::VALID && !test_accept) {
            // The child can still pay for this parent: let it see the outputs.
            add_outputs(extra, *tx);
        }
    }
    if (failed) {
        out.m_state.Invalid(TxValidationResult::CONSENSUS, "transaction failed");
        for (const TransactionRef& tx : package) {
            if (!out.m_tx_results.count(tx->GetWitnessHash())) {
                out.m_tx_results[tx->GetWitnessHash()] = Invalid(TxValidationResult::UNKNOWN, "package-not-validated");
            }
        }
        return out;
    }
    if (reconsider.empty()) return out;

    // Pass 2 (CPFP): the members below the minimum fee together with the
    // child, judged by their combined feerate.
    std::vector<size_t> members = reconsider;
    Amount fees = 0;
    int64_t vsize = 0;
    std::vector<uint256> wtxids;
    std::map<OutPoint, TxOut> extra2;
    std::vector<MempoolAcceptResult> dry;
    for (size_t idx : members) {
        AcceptArgs args;
        args.accept_time = now;
        args.test_accept = true;
        args.skip_fee_checks = true;
        args.extra_coins = extra2;
        MempoolAcceptResult r = AcceptLocked(chainman, pool, package[idx], args);
        if (!r.IsValid()) {
            out.m_tx_results[package[idx]->GetWitnessHash()] = r;
            out.m_state.Invalid(TxValidationResult::CONSENSUS, "transaction failed");
            return out;
        }
        add_outputs(extra2, *package[idx]);
        fees += *r.m_base_fees + pool.GetFeeDelta(package[idx]->GetHash());
        vsize += *r.m_vsize;
        wtxids.push_back(package[idx]->GetWitnessHash());
        dry.push_back(r);
    }
    const Amount min_fee = std::max(pool.GetMinFee().GetFee(vsize), pool.Options().min_relay_feerate.GetFee(vsize));
    if (fees < min_fee) {
        const std::string reason = pool.GetMinFee().GetFee(vsize) > 0 && fees < pool.GetMinFee().GetFee(vsize)
                                       ? "mempool min fee not met" : "min relay fee not met";
        for (size_t idx : members) {
            out.m_tx_results[package[idx]->GetWitnessHash()] =
                Invalid(TxValidationResult::RECONSIDERABLE, reason, std::to_string(fees) + " < " + std::to_string(min_fee));
        }
        out.m_state.Invalid(TxValidationResult::CONSENSUS, "transaction failed");
        return out;
    }
    const Amount package_rate = FeeRate(fees, vsize).GetFeePerK();
    for (size_t k = 0; k < members.size(); ++k) {
        const size_t idx = members[k];
        MempoolAcceptResult r = dry[k];
        if (!test_accept) {
            AcceptArgs args;
            args.accept_time = now;
            args.skip_fee_checks = true;
            r = AcceptLocked(chainman, pool, package[idx], args);
            if (!r.IsValid()) {
                out.m_tx_results[package[idx]->GetWitnessHash()] = r;
                out.m_state.Invalid(TxValidationResult::CONSENSUS, "transaction failed");
                return out;
            }
        }
        r.m_effective_feerate_sat_per_kvb = package_rate;
        r.m_wtxids_fee_calculations = wtxids;
        out.m_tx_results[package[idx]->GetWitnessHash()] = r;
    }
    return out;
}

MempoolChainSync::MempoolChainSync(ChainstateManager& chainman, TxMempool& pool) : m_chainman(chainman), m_pool(pool) {}

void MempoolChainSync::BlockConnected(const std::shared_ptr<const Block>& block, const BlockIndex& index)
{
    m_pool.removeForBlock(block->vtx, static_cast<unsigned>(index.height));
    // A transaction waiting to be re-added that the new block confirmed (or
    // conflicted) is simply dropped on re-adding.
}

void MempoolChainSync::BlockDisconnected(const std::shared_ptr<const Block>& block, const BlockIndex& /*index*/)
{
    // Tip first: put this block's transactions before those queued from its descendants.
    std::vector<TransactionRef> txs;
    for (const TransactionRef& tx : block->vtx) {
        if (!tx->IsCoinBase()) txs.push_back(tx);
    }
    m_disconnected.insert(m_disconnected.begin(), txs.begin(), txs.end());
    m_blocks_disconnected = true;
}

void MempoolChainSync::UpdatedBlockTip(const BlockIndex& /*new_tip*/, const BlockIndex* /*fork*/, bool /*ibd*/)
{
    MaybeUpdateMempoolForReorg(m_chainman, m_pool, m_disconnected, m_blocks_disconnected);
    m_blocks_disconnected = false;
}

void MaybeUpdateMempoolForReorg(ChainstateManager& chainman, TxMempool& pool, std::vector<TransactionRef>& disconnected,
                                bool check_tip)
{
    std::lock_guard chain_lock(chainman.ChainLock());
    std::lock_guard pool_lock(pool.Mutex());
    const bool reorg = check_tip || !disconnected.empty();
    const int64_t now = GetTime();
    for (const TransactionRef& tx : disconnected) {
        // Confirmed again in the new chain: nothing to do.
        bool confirmed = false;
        for (uint32_t o = 0; o < tx->vout.size() && !confirmed; ++o) {
            confirmed = chainman.CoinsTip().HaveCoinInCache(OutPoint{tx->GetHash(), o});
        }
        if (confirmed) continue;
        AcceptArgs args;
        args.accept_time = now;
        args.bypass_limits = true;
        std::vector<OutPoint> uncache;
        args.coins_to_uncache = &uncache;
        const MempoolAcceptResult r = AcceptSingle(chainman, pool, tx, args);
        if (!r.IsValid()) {
            // A mempool transaction spending its outputs cannot stay either.
            for (uint32_t o = 0; o < tx->vout.size(); ++o) {
                if (const Transaction* spender = pool.GetConflictTx(OutPoint{tx->GetHash(), o})) {
                    pool.RemoveRecursive(spender->GetHash(), MemPoolRemovalReason::REORG);
                }
            }
        }
    }
    disconnected.clear();
    if (!reorg) return;
    // What no longer fits the new tip: non-final, broken sequence locks,
    // immature coinbase spends, missing inputs.
    const BlockIndex* tip = chainman.ActiveChain().Tip();
    const int spend_height = tip->height + 1;
    const Chain& chain = chainman.ActiveChain();
    CoinsViewCache& coins = chainman.CoinsTip();
    pool.removeForReorg([&](const TxMempoolEntry& e) {
        const Transaction& tx = e.GetTx();
        if (!IsFinalTx(tx, spend_height, tip->GetMedianTimePast())) return true;
        std::vector<int> heights;
        for (const TxIn& in : tx.vin) {
            if (pool.exists(in.prevout.hash)) {
                heights.push_back(spend_height);
                continue;
            }
            const Coin& coin = coins.AccessCoin(in.prevout);
            if (coin.IsSpent()) return true;
            if (coin.coinbase && spend_height - static_cast<int>(coin.height) < COINBASE_MATURITY) return true;
            heights.push_back(static_cast<int>(coin.height));
        }
        return !SequenceLocksSatisfied(tx, LOCKTIME_VERIFY_SEQUENCE, heights, spend_height, tip->GetMedianTimePast(),
                                       [&chain](int h) { return chain[h] ? chain[h]->GetMedianTimePast() : 0; });
    });
    pool.TrimToSize(pool.Options().max_size_bytes);
}

} // namespace node
