// Mempool acceptance (see mempool_accept.h).

#include <node/mempool_accept.h>

#include <consensus/consensus.h>
#include <consensus/tx_check.h>
#include <consensus/tx_verify.h>
#include <kernel/coins.h>
#include <kernel/script_check_queue.h>
#include <kernel/validation.h>
#include <node/fees.h>
#include <node/package_rbf.h>
#include <node/policy.h>
#include <node/truc_policy.h>
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
    // TRUC sibling eviction: a second child of a TRUC parent may replace the
    // first. Only for a transaction judged alone (also inside a package's
    // first, one-by-one pass), as Core.
    bool allow_sibling_eviction = false;
    // When set, receives the transaction's in-mempool ancestors (package TRUC checks).
    std::set<uint256>* mempool_ancestors_out = nullptr;
    // Package RBF: the replacement rules are judged for the package as a
    // whole (PackageRbfChecks), not for this member; its conflicts go to
    // direct_conflicts_out when set.
    bool package_rbf = false;
    std::set<uint256>* direct_conflicts_out = nullptr;
    // CPFP and single-conflict RBF carve-outs of the ancestor/descendant
    // limits: only for a transaction judged alone, never in a package (as Core).
    bool allow_carveouts = false;
    // Caller's cap on the transaction's own modified feerate, sat/kvB (0:
    // none): submitpackage's maxfeerate ("max feerate exceeded").
    Amount client_max_feerate = 0;
    // Member of a package being submitted: no size trim after adding it (the
    // package is trimmed as a whole once every member is in).
    bool package_submission = false;
    // false: a conflict with the mempool is refused outright
    // ("bip125-replacement-disallowed"): testmempoolaccept of a package.
    bool allow_replacement = true;
    // Stop before the script checks (a valid result means every other check
    // passed): testmempoolaccept of a package runs the scripts only after the
    // package-wide checks, as Core.
    bool skip_scripts = false;
};

std::string Hex(const uint256& h) { return h.GetHex(); }

MempoolAcceptResult Invalid(TxValidationResult r, const std::string& reason, const std::string& debug = {})
{
    MempoolAcceptResult res;
    res.m_result_type = MempoolAcceptResult::ResultType::INVALID;
    res.m_state.Invalid(r, reason, debug);
    return res;
}

// The limits for transactions of a package not yet in the mempool (as
// Core's CheckPackageLimits): each was checked alone without seeing the
// other members, so here they count as one transaction of their total count
// and size under the union of their in-mempool ancestors. Stricter than
// necessary when the members do not depend on each other, never looser.
bool CheckPackageLimits(const TxMempool& pool, const std::vector<TransactionRef>& txs, int64_t total_vsize,
                        std::string& error)
{
    const MempoolLimits& limits = pool.Options().limits;
    const int64_t count = static_cast<int64_t>(txs.size());
    auto limit = [](int64_t n) { return " [limit: " + std::to_string(n) + "]"; };
    // The package alone against each limit, in this order.
    const struct {
        const char* what;
        int64_t value;
        const char* which;
        int64_t max;
    } alone[] = {
        {"count", count, "ancestor count", limits.ancestor_count},
        {"count", count, "descendant count", limits.descendant_count},
        {"size", total_vsize, "ancestor size", limits.ancestor_size_vbytes},
        {"size", total_vsize, "descendant size", limits.descendant_size_vbytes},
    };
    for (const auto& c : alone) {
        if (c.value > c.max) {
            error = std::string("package ") + c.what + " " + std::to_string(c.value) + " exceeds " + c.which +
                    " limit" + limit(c.max);
            return false;
        }
    }
    std::lock_guard lock(pool.Mutex());
    std::set<uint256> parents;
    for (const TransactionRef& tx : txs) {
        for (const TxIn& in : tx->vin) {
            if (!pool.exists(in.prevout.hash)) continue;
            parents.insert(in.prevout.hash);
            if (static_cast<int64_t>(parents.size()) + count > limits.ancestor_count) {
                error = "too many unconfirmed parents" + limit(limits.ancestor_count);
                return false;
            }
        }
    }
    std::set<uint256> ancestors = parents;
    for (const uint256& p : parents) {
        const std::set<uint256> up = pool.CalculateAncestors(p);
        ancestors.insert(up.begin(), up.end());
    }
    // "possibly": an ancestor of only one member is counted for all.
    int64_t total_size = total_vsize;
    for (const uint256& a : ancestors) {
        const TxMempoolEntry* e = pool.GetEntry(a);
        if (e->GetSizeWithDescendants() + total_vsize > limits.descendant_size_vbytes) {
            error = "possibly exceeds descendant size limit for tx " + a.GetHex() +
                    limit(limits.descendant_size_vbytes);
            return false;
        }
        if (static_cast<int64_t>(e->GetCountWithDescendants()) + count > limits.descendant_count) {
            error = "possibly too many descendants for tx " + a.GetHex() + limit(limits.descendant_count);
            return false;
        }
        total_size += e->GetTxSize();
        if (total_size > limits.ancestor_size_vbytes) {
            error = "possibly exceeds ancestor size limit" + limit(limits.ancestor_size_vbytes);
            return false;
        }
    }
    if (static_cast<int64_t>(ancestors.size()) + count > limits.ancestor_count) {
        error = "possibly too many unconfirmed ancestors" + limit(limits.ancestor_count);
        return false;
    }
    return true;
}

// Ephemeral dust: the one dust output a 0-fee transaction may have must be
// spent by its child, which joins it in the mempool (or the same package);
// otherwise the dust would stay in the UTXO set. Returns the first of txs
// that leaves a dust output of a parent (in txs or in the mempool) unspent,
// with Core's debug string.
std::optional<std::pair<TransactionRef, std::string>> FindUnspentEphemeralDust(
    const TxMempool& pool, const std::vector<TransactionRef>& txs, const FeeRate& dust_relay_feerate)
{
    std::map<uint256, TransactionRef> in_package;
    for (const TransactionRef& tx : txs) in_package.emplace(tx->GetHash(), tx);
    for (const TransactionRef& tx : txs) {
        std::set<uint256> parents;
        for (const TxIn& in : tx->vin) parents.insert(in.prevout.hash);
        std::set<OutPoint> dust;
        for (const uint256& parent_txid : parents) {
            TransactionRef parent;
            if (auto it = in_package.find(parent_txid); it != in_package.end()) {
                parent = it->second;
            } else {
                parent = pool.get(parent_txid);
            }
            if (!parent) continue;
            for (uint32_t n = 0; n < parent->vout.size(); ++n) {
                if (IsDust(parent->vout[n], dust_relay_feerate)) dust.insert(OutPoint{parent_txid, n});
            }
        }
        for (const TxIn& in : tx->vin) dust.erase(in.prevout);
        if (!dust.empty()) {
            return std::make_pair(tx, "tx " + tx->GetHash().GetHex() + " (wtxid=" + tx->GetWitnessHash().GetHex() +
                                          ") did not spend parent's ephemeral dust");
        }
    }
    return std::nullopt;
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
    if (!direct_conflicts.empty() && !args.allow_replacement) {
        return Invalid(TxValidationResult::MEMPOOL_POLICY, "bip125-replacement-disallowed");
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
    // Below the minimum relay feerate only a TRUC transaction may be paid
    // for by its child: a non-TRUC one fails for good (not reconsiderable in
    // a package), since nothing would keep a bump by a child in place.
    if (!args.bypass_limits && tx.version != TRUC_VERSION &&
        modified_fee < opts.min_relay_feerate.GetFee(vsize)) {
        return Invalid(TxValidationResult::MEMPOOL_POLICY, "min relay fee not met",
                       std::to_string(modified_fee) + " < " + std::to_string(opts.min_relay_feerate.GetFee(vsize)));
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
    MempoolLimits limits = opts.limits;
    if (args.allow_carveouts && direct_conflicts.size() == 1) {
        // The limits are computed as if nothing were replaced. A replacement
        // of exactly one transaction (and its descendants) that adds no new
        // unconfirmed input (checked below) merges no clusters, so the
        // conflict's own slot and size may be counted as free: this keeps a
        // transaction admitted through the CPFP carve-out replaceable.
        std::lock_guard lock(pool.Mutex());
        limits.descendant_count += 1;
        limits.descendant_size_vbytes += pool.GetEntry(*direct_conflicts.begin())->GetSizeWithDescendants();
    }
    if (!pool.CalculateAncestorsForNew(tx, vsize, limits, ancestors, limit_error)) {
        // CPFP carve-out: a small transaction with a single in-mempool
        // ancestor may take one descendant slot (and 10 kvB) beyond that
        // ancestor's limits, so that each party of a two-party contract can
        // always attach a fee-bumping child to the shared transaction. TRUC
        // (version 3) transactions have their own topology rules and no
        // carve-out. The error reported is the one of the normal limits.
        bool carved_out = false;
        if (args.allow_carveouts && vsize <= EXTRA_DESCENDANT_TX_SIZE_LIMIT && tx.version != TRUC_VERSION) {
            MempoolLimits carve_out = limits;
            carve_out.ancestor_count = 2;
            carve_out.descendant_count += 1;
            carve_out.descendant_size_vbytes += EXTRA_DESCENDANT_TX_SIZE_LIMIT;
            std::string ignored;
            carved_out = pool.CalculateAncestorsForNew(tx, vsize, carve_out, ancestors, ignored);
        }
        if (!carved_out) return Invalid(TxValidationResult::MEMPOOL_POLICY, "too-long-mempool-chain", limit_error);
    }

    // TRUC (BIP431) topology and size rules.
    bool sibling_eviction = false;
    {
        std::lock_guard lock(pool.Mutex());
        if (auto violation = SingleTrucChecks(pool, tx, ancestors, direct_conflicts, vsize)) {
            if (!args.allow_sibling_eviction || !violation->sibling) {
                return Invalid(TxValidationResult::MEMPOOL_POLICY, "TRUC-violation", violation->debug);
            }
            // The parent's other child is treated as a conflict: tx replaces
            // it if it pays as a replacement would.
            direct_conflicts.insert(violation->sibling->GetHash());
            sibling_eviction = true;
        }
    }
    if (args.mempool_ancestors_out) *args.mempool_ancestors_out = ancestors;
    if (!args.bypass_limits) {
        if (const auto unspent = FindUnspentEphemeralDust(pool, {ptx}, opts.policy.dust_relay_feerate)) {
            return Invalid(TxValidationResult::MEMPOOL_POLICY, "missing-ephemeral-spends", unspent->second);
        }
    }
    const std::string sibling_note = sibling_eviction ? " (including sibling eviction)" : "";

    // Replacement. Fee failures are reconsiderable: the package may pay.
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
            if (new_rate <= old_rate && !args.package_rbf) {
                return Invalid(TxValidationResult::RECONSIDERABLE, "insufficient fee" + sibling_note,
                               "rejecting replacement " + Hex(txid) + "; new feerate " + new_rate.ToString() +
                                   " <= old feerate " + old_rate.ToString());
            }
            for (const TxIn& in : e->GetTx().vin) parents_of_conflicts.insert(in.prevout.hash);
        }
        size_t potential = 0;
        for (const uint256& c : direct_conflicts) potential += pool.GetEntry(c)->GetCountWithDescendants();
        if (potential > MAX_REPLACEMENT_CANDIDATES && !args.package_rbf) {
            return Invalid(TxValidationResult::MEMPOOL_POLICY, "too many potential replacements" + sibling_note,
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
            if (!args.package_rbf && !parents_of_conflicts.count(prev) && pool.exists(prev)) {
                return Invalid(TxValidationResult::MEMPOOL_POLICY, "replacement-adds-unconfirmed" + sibling_note,
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
        if (modified_fee < conflicting_fees && !args.package_rbf) {
            return Invalid(TxValidationResult::RECONSIDERABLE, "insufficient fee" + sibling_note,
                           "rejecting replacement " + Hex(txid) + ", less fees than conflicting txs; " +
                               FormatMoney(modified_fee) + " < " + FormatMoney(conflicting_fees));
        }
        const Amount additional = modified_fee - conflicting_fees;
        const Amount relay = opts.incremental_relay_feerate.GetFee(vsize);
        if (additional < relay && !args.package_rbf) {
            return Invalid(TxValidationResult::RECONSIDERABLE, "insufficient fee" + sibling_note,
                           "rejecting replacement " + Hex(txid) + ", not enough additional fees to relay; " +
                               FormatMoney(additional) + " < " + FormatMoney(relay));
        }
    }
    if (args.direct_conflicts_out) *args.direct_conflicts_out = direct_conflicts;

    // The caller's cap (submitpackage maxfeerate) on this transaction's own
    // modified feerate; checked before the costly script checks, and before
    // anything is added.
    if (args.client_max_feerate > 0 && FeeRate(modified_fee, vsize).GetFeePerK() > args.client_max_feerate) {
        return Invalid(TxValidationResult::MEMPOOL_POLICY, "max feerate exceeded");
    }

    auto valid_result = [&] {
        MempoolAcceptResult res;
        res.m_result_type = MempoolAcceptResult::ResultType::VALID;
        res.m_vsize = vsize;
        res.m_base_fees = fee;
        res.m_effective_feerate_sat_per_kvb = FeeRate(modified_fee, vsize).GetFeePerK();
        res.m_wtxids_fee_calculations = {tx.GetWitnessHash()};
        res.m_replaced_txids.assign(all_conflicts.begin(), all_conflicts.end());
        return res;
    };
    if (args.skip_scripts) return valid_result();

    // Scripts, through the signature cache shared with block validation.
    {
        PrecomputedTransactionData txdata;
        txdata.Init(tx, spent_outputs);
        SignatureCache* cache = &chainman.SigCache();
        for (unsigned i = 0; i < tx.vin.size(); ++i) {
            ScriptCheck check{&tx, 0, i, spent_outputs[i], flags, &txdata, cache};
            const ScriptError err = check.Run();
            if (err == ScriptError::OK) continue;
            // Core v30 reports every mempool script failure with one reason
            // (the error of the run with the standard flags). The run with only
            // the consensus flags still decides the result kind, which the peer
            // manager uses to decide whether the sender misbehaved.
            ScriptCheck mandatory{&tx, 0, i, spent_outputs[i], MandatoryScriptVerifyFlags(), &txdata, cache};
            const ScriptError merr = mandatory.Run();
            const std::string reason =
                std::string("mempool-script-verify-flag-failed (") + ScriptErrorMessage(err) + ")";
            const std::string where = "input " + std::to_string(i) + " of " + txid.GetHex() + " (wtxid " +
                                      tx.GetWitnessHash().GetHex() + "), spending " +
                                      tx.vin[i].prevout.hash.GetHex() + ":" + std::to_string(tx.vin[i].prevout.n);
            const TxValidationResult kind =
                merr == ScriptError::OK ? TxValidationResult::NOT_STANDARD : TxValidationResult::CONSENSUS;
            MempoolAcceptResult failed = Invalid(kind, reason, where);
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

    MempoolAcceptResult res = valid_result();
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
        // What the fee estimator needs to know to skip the addition, as Core.
        pool.AddUnchecked(std::move(entry), MempoolAddInfo{.limits_bypassed = args.bypass_limits,
                                                           .in_package = args.package_submission,
                                                           .chainstate_current = IsCurrentForFeeEstimation(chainman)});
        if (!args.bypass_limits && !args.package_submission) {
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
    args.allow_carveouts = true;
    args.allow_sibling_eviction = true;
    return AcceptLocked(chainman, pool, tx, args);
}

// ProcessNewPackage without the final size trim (callers hold both locks).
static PackageMempoolAcceptResult AcceptPackage(ChainstateManager& chainman, TxMempool& pool,
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
    // Context-free package checks, in Core's order (IsWellFormedPackage).
    if (package.size() > 25) {
        out.m_state.Invalid(TxValidationResult::CONSENSUS, "package-too-many-transactions");
        return out;
    }
    int64_t total_weight = 0;
    for (const TransactionRef& tx : package) total_weight += GetTransactionWeight(*tx);
    if (package.size() > 1 && total_weight > 404000) {
        out.m_state.Invalid(TxValidationResult::CONSENSUS, "package-too-large");
        return out;
    }
    std::set<uint256> txids;
    for (const TransactionRef& tx : package) {
        if (!txids.insert(tx->GetHash()).second) {
            out.m_state.Invalid(TxValidationResult::CONSENSUS, "package-contains-duplicates");
            return out;
        }
    }
    // Topology: no member spends a later one.
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
        // Conflicts between members. A transaction's inputs are added all at
        // once: one spending the same outpoint twice is left to
        // CheckTransaction ("bad-txns-inputs-duplicate").
        std::set<OutPoint> inputs;
        for (const TransactionRef& tx : package) {
            for (const TxIn& in : tx->vin) {
                if (inputs.count(in.prevout)) {
                    out.m_state.Invalid(TxValidationResult::CONSENSUS, "conflict-in-package");
                    return out;
                }
            }
            for (const TxIn& in : tx->vin) inputs.insert(in.prevout);
        }
    }
    // Submitting: the last member spends every other (child-with-parents).
    // A dry run (testmempoolaccept) takes any sorted set of transactions.
    if (package.size() > 1 && !test_accept) {
        const Transaction& child = *package.back();
        std::set<uint256> spent;
        for (const TxIn& in : child.vin) spent.insert(in.prevout.hash);
        for (size_t i = 0; i + 1 < package.size(); ++i) {
            if (!spent.count(package[i]->GetHash())) {
                out.m_state.Invalid(TxValidationResult::CONSENSUS, "package-not-child-with-parents");
                return out;
            }
        }
    }

    const int64_t now = GetTime();
    auto add_outputs = [](std::map<OutPoint, TxOut>& extra, const Transaction& tx) {
        for (uint32_t o = 0; o < tx.vout.size(); ++o) extra.emplace(OutPoint{tx.GetHash(), o}, tx.vout[o]);
    };

    // TRUC rules across the package: each member not yet in the mempool
    // against the others (a dry run leaves earlier members out of the pool,
    // so the single-transaction checks cannot see them). Core reports a
    // failure as a package error; testmempoolaccept then has no per-tx result.
    std::map<uint256, std::set<uint256>> member_ancestors;  // by wtxid
    auto package_truc_ok = [&](const std::vector<TransactionRef>& txs, const std::map<uint256, int64_t>& vsizes) {
        for (const TransactionRef& tx : txs) {
            const auto err = PackageTrucChecks(pool, *tx, vsizes.at(tx->GetWitnessHash()), txs,
                                               member_ancestors[tx->GetWitnessHash()]);
            if (!err) continue;
            out.m_state.Invalid(TxValidationResult::MEMPOOL_POLICY, "TRUC-violation", *err);
            if (test_accept) out.m_tx_results.clear();
            return false;
        }
        return true;
    };
    // Ancestor/descendant limits for the members judged together (more
    // than one): a package error, as the TRUC rules above.
    auto package_limits_ok = [&](const std::vector<TransactionRef>& txs, const std::map<uint256, int64_t>& vsizes) {
        if (txs.size() < 2) return true;
        int64_t total_vsize = 0;
        for (const auto& [w, size] : vsizes) total_vsize += size;
        std::string err;
        if (CheckPackageLimits(pool, txs, total_vsize, err)) return true;
        out.m_state.Invalid(TxValidationResult::MEMPOOL_POLICY, "package-mempool-limits", err);
        if (test_accept) out.m_tx_results.clear();
        return false;
    };
    // Ephemeral dust of a member (or of a mempool parent) must be spent by
    // the members: the package fails with "unspent-dust", the child that
    // leaves it with "missing-ephemeral-spends" (its result alone on a dry run).
    auto package_dust_ok = [&](const std::vector<TransactionRef>& txs) {
        const auto unspent = FindUnspentEphemeralDust(pool, txs, pool.Options().policy.dust_relay_feerate);
        if (!unspent) return true;
        out.m_state.Invalid(TxValidationResult::CONSENSUS, "unspent-dust");
        if (test_accept) out.m_tx_results.clear();
        out.m_tx_results[unspent->first->GetWitnessHash()] =
            Invalid(TxValidationResult::MEMPOOL_POLICY, "missing-ephemeral-spends", unspent->second);
        return false;
    };

    if (test_accept) {
        // testmempoolaccept of several transactions (Core's
        // AcceptMultipleTransactions): no CPFP and no replacement. Each
        // member in order, with the earlier members' outputs visible, must
        // pass every single-transaction check on its own fee; one already in
        // the mempool fails ("txn-already-in-mempool"). The first failure
        // ends the run with only that member's verdict: the others were not
        // fully validated.
        std::map<OutPoint, TxOut> extra;
        std::map<uint256, int64_t> vsizes;
        auto dry_run_args = [&](bool skip_scripts) {
            AcceptArgs args;
            args.accept_time = now;
            args.test_accept = true;
            args.extra_coins = extra;
            args.client_max_feerate = max_sane_feerate;
            args.allow_replacement = false;
            args.skip_scripts = skip_scripts;
            return args;
        };
        for (const TransactionRef& tx : package) {
            AcceptArgs args = dry_run_args(/*skip_scripts=*/true);
            args.mempool_ancestors_out = &member_ancestors[tx->GetWitnessHash()];
            MempoolAcceptResult r = AcceptLocked(chainman, pool, tx, args);
            if (r.m_result_type != MempoolAcceptResult::ResultType::VALID) {
                out.m_state.Invalid(TxValidationResult::CONSENSUS, "transaction failed");
                out.m_tx_results.clear();
                out.m_tx_results.emplace(tx->GetWitnessHash(), std::move(r));
                return out;
            }
            vsizes[tx->GetWitnessHash()] = *r.m_vsize;
            add_outputs(extra, *tx);
        }
        // Every member passed alone: the package-wide rules (package errors).
        if (!package_truc_ok(package, vsizes) || !package_limits_ok(package, vsizes) || !package_dust_ok(package)) {
            return out;
        }
        // The scripts last, as Core: a failure there leaves the verdicts of
        // the members before it.
        extra.clear();
        for (const TransactionRef& tx : package) {
            AcceptArgs args = dry_run_args(/*skip_scripts=*/false);
            MempoolAcceptResult r = AcceptLocked(chainman, pool, tx, args);
            const bool valid = r.m_result_type == MempoolAcceptResult::ResultType::VALID;
            out.m_tx_results.emplace(tx->GetWitnessHash(), std::move(r));
            if (!valid) {
                out.m_state.Invalid(TxValidationResult::CONSENSUS, "transaction failed");
                return out;
            }
            add_outputs(extra, *tx);
        }
        return out;
    }

    // Submitting. Pass 1: each transaction alone.
    std::vector<size_t> reconsider;
    // A member that failed for a reason the package cannot change (anything
    // but a fee below the minimum, or inputs missing because a parent is not
    // in yet) means the package as a whole cannot succeed: no package pass.
    // As Core, the members after it are still tried alone (an unrelated
    // parent valid on its own is accepted), so every member has a verdict.
    bool quit_early = false;
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
        // Every member is tried alone as in Core, also after an earlier one
        // had to wait: an independent parent enters on its own
        // (then it is a mempool ancestor in the package pass, which matters
        // for package RBF), a child of a waiting parent misses its inputs
        // and waits too.
        AcceptArgs args;
        args.accept_time = now;
        args.client_max_feerate = max_sane_feerate;
        args.package_submission = true;
        // Alone, a member may evict its TRUC sibling; not in the package pass.
        args.allow_sibling_eviction = true;
        args.mempool_ancestors_out = &member_ancestors[wtxid];
        MempoolAcceptResult r = AcceptLocked(chainman, pool, tx, args);
        const bool invalid = r.m_result_type != MempoolAcceptResult::ResultType::VALID;
        // A lone transaction has nothing to be judged with: any failure is final.
        const bool waits = invalid && package.size() > 1 &&
                           (r.m_state.GetTxResult() == TxValidationResult::RECONSIDERABLE ||
                            r.m_state.GetTxResult() == TxValidationResult::MISSING_INPUTS);
        if (waits) {
            reconsider.push_back(i);
        } else if (invalid) {
            quit_early = true;
        }
        // Kept unless the package pass below gives a later verdict.
        out.m_tx_results[wtxid] = r;
    }
    if (quit_early) {
        out.m_state.Invalid(TxValidationResult::CONSENSUS, "transaction failed");
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
    // Replacements by more than one member are judged for the package as a
    // whole (package RBF); a lone member keeps the single-transaction rules.
    const bool package_rbf = members.size() > 1;
    std::vector<std::set<uint256>> member_conflicts(members.size());
    for (size_t idx : members) {
        AcceptArgs args;
        args.accept_time = now;
        args.test_accept = true;
        args.skip_fee_checks = true;
        args.extra_coins = extra2;
        args.client_max_feerate = max_sane_feerate;
        args.mempool_ancestors_out = &member_ancestors[package[idx]->GetWitnessHash()];
        args.package_rbf = package_rbf;
        args.direct_conflicts_out = &member_conflicts[dry.size()];
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
    {
        // Not yet in the pool: the members judged here.
        std::vector<TransactionRef> fresh;
        std::map<uint256, int64_t> vsizes;
        for (size_t i = 0; i < package.size(); ++i) {
            const uint256& wtxid = package[i]->GetWitnessHash();
            const auto pos = std::find(members.begin(), members.end(), i);
            if (pos == members.end()) continue;
            vsizes[wtxid] = *dry[pos - members.begin()].m_vsize;
            fresh.push_back(package[i]);
        }
        if (!package_truc_ok(fresh, vsizes)) return out;
        if (!package_limits_ok(fresh, vsizes)) return out;
        if (!package_dust_ok(fresh)) return out;
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
    if (package_rbf && std::any_of(member_conflicts.begin(), member_conflicts.end(),
                                   [](const std::set<uint256>& c) { return !c.empty(); })) {
        std::vector<PackageRbfMember> rbf_members;
        for (size_t k = 0; k < members.size(); ++k) {
            const TransactionRef& tx = package[members[k]];
            rbf_members.push_back({tx.get(), *dry[k].m_base_fees + pool.GetFeeDelta(tx->GetHash()), *dry[k].m_vsize,
                                   member_ancestors[tx->GetWitnessHash()], member_conflicts[k]});
        }
        std::set<uint256> replaced;
        if (auto failure = PackageRbfChecks(pool, rbf_members, pool.Options().incremental_relay_feerate, replaced)) {
            out.m_state.Invalid(TxValidationResult::MEMPOOL_POLICY, failure->reason, failure->debug);
            return out;
        }
    }
    const Amount package_rate = FeeRate(fees, vsize).GetFeePerK();
    for (size_t k = 0; k < members.size(); ++k) {
        const size_t idx = members[k];
        AcceptArgs args;
        args.accept_time = now;
        args.skip_fee_checks = true;
        args.client_max_feerate = max_sane_feerate;
        args.package_submission = true;
        args.package_rbf = package_rbf;  // checked above
        MempoolAcceptResult r = AcceptLocked(chainman, pool, package[idx], args);
        if (!r.IsValid()) {
            out.m_tx_results[package[idx]->GetWitnessHash()] = r;
            out.m_state.Invalid(TxValidationResult::CONSENSUS, "transaction failed");
            return out;
        }
        r.m_effective_feerate_sat_per_kvb = package_rate;
        r.m_wtxids_fee_calculations = wtxids;
        out.m_tx_results[package[idx]->GetWitnessHash()] = r;
    }
    return out;
}

PackageMempoolAcceptResult ProcessNewPackage(ChainstateManager& chainman, TxMempool& pool,
                                             const std::vector<TransactionRef>& package, bool test_accept,
                                             Amount max_sane_feerate)
{
    std::lock_guard chain_lock(chainman.ChainLock());
    std::lock_guard pool_lock(pool.Mutex());
    PackageMempoolAcceptResult out = AcceptPackage(chainman, pool, package, test_accept, max_sane_feerate);
    if (test_accept) return out;
    // The members were added without trimming, so that a parent paid for by
    // its child is not evicted before the child arrives; now the package is
    // in (or partly in), trim once. A member that did not survive, even one
    // that was in the mempool before, is "mempool full".
    const MempoolOptions& opts = pool.Options();
    pool.Expire(GetTime() - opts.expiry_seconds);
    std::vector<OutPoint> no_spends;
    pool.TrimToSize(opts.max_size_bytes, &no_spends);
    for (const OutPoint& o : no_spends) chainman.CoinsTip().Uncache(o);
    for (const TransactionRef& tx : package) {
        const auto it = out.m_tx_results.find(tx->GetWitnessHash());
        if (it == out.m_tx_results.end() ||
            it->second.m_result_type == MempoolAcceptResult::ResultType::INVALID || pool.exists(tx->GetHash())) {
            continue;
        }
        it->second = Invalid(TxValidationResult::MEMPOOL_POLICY, "mempool full");
        out.m_state = TxValidationState{};
        out.m_state.Invalid(TxValidationResult::CONSENSUS, "transaction failed");
        // A rejection like any other (AcceptLocked fires for the rest).
        TRACEPOINT(mempool, rejected, tx->GetHash().data(), "mempool full");
        LogDebug(LogCategory::MEMPOOLREJ, "{} (wtxid={}) was not accepted: mempool full", tx->GetHash().GetHex(),
                 tx->GetWitnessHash().GetHex());
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
        args.allow_carveouts = true;  // judged alone, as from sendrawtransaction
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
