#pragma once

// Acceptance of transactions and 1-parent-1-child packages into the mempool,
// with Core's checks and reject strings; fires mempool:rejected on every
// rejection (not for test_accept... see below), mempool:replaced per
// replaced transaction (and, through the mempool, mempool:added/removed).
//
// Also the ValidationObserver that keeps the mempool in step with the chain
// (MempoolChainSync): BLOCK/CONFLICT removal on connect, re-adding the
// transactions of disconnected blocks and REORG removal after a reorg.

#include <consensus/amount.h>
#include <consensus/validation.h>
#include <kernel/notifications.h>
#include <primitives/transaction.h>
#include <uint256.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

class ChainstateManager;
class BlockIndex;

namespace node {

class TxMempool;
class FeeRate;

struct MempoolAcceptResult {
    enum class ResultType { VALID, INVALID, MEMPOOL_ENTRY, DIFFERENT_WITNESS };
    ResultType m_result_type = ResultType::INVALID;
    TxValidationState m_state;  // reject reason / debug message when INVALID

    // VALID (and MEMPOOL_ENTRY: the entry's values).
    std::vector<uint256> m_replaced_txids;  // txids this one replaced
    std::optional<int64_t> m_vsize;
    std::optional<Amount> m_base_fees;
    // Feerate used for the checks (package feerate in a package), sat/kvB,
    // and the wtxids it was computed over (testmempoolaccept's "effective-*").
    std::optional<Amount> m_effective_feerate_sat_per_kvb;
    std::vector<uint256> m_wtxids_fee_calculations;
    // DIFFERENT_WITNESS: the wtxid of the mempool transaction with the same txid.
    std::optional<uint256> m_other_wtxid;

    bool IsValid() const { return m_result_type == ResultType::VALID || m_result_type == ResultType::MEMPOOL_ENTRY; }
};

// Accepts tx into mempool (or only checks it with test_accept). accept_time:
// entry time, UNIX seconds. bypass_limits: no fee / size-limit checks
// (reorg re-adding, mempool.dat loading). The chain lock is taken inside.
// Rejections fire mempool:rejected(txid, reason) — also with test_accept,
// as a rejection seen by the node either way. Coins loaded into the tip's
// cache only for this check are uncached again when tx is rejected. The
// ancestor/descendant limits have Core's CPFP and single-conflict RBF
// carve-outs here. Accepted and then trimmed away at once: "mempool full".
MempoolAcceptResult AcceptToMemoryPool(ChainstateManager& chainman, TxMempool& pool, const TransactionRef& tx,
                                       int64_t accept_time, bool bypass_limits, bool test_accept);

struct PackageMempoolAcceptResult {
    TxValidationState m_state;  // package-level failure ("package-not-child-with-parents", ...); valid otherwise
    std::map<uint256, MempoolAcceptResult> m_tx_results;  // by wtxid
    bool IsValid() const { return m_state.IsValid(); }
};

// Package of topologically sorted transactions (at most 25, 404,000 weight
// units, no duplicates, no two members spending the same outpoint).
// Package-wide failures ("TRUC-violation", "package-mempool-limits",
// "unspent-dust", "package RBF failed: ...", the well-formedness reasons)
// are in m_state with Core's debug strings; "transaction failed" there means
// a member failed on its own (its reason is in m_tx_results).
// test_accept (testmempoolaccept, as Core's AcceptMultipleTransactions): any
// set of transactions; nothing is added. Each member in order, with the
// earlier members' outputs visible, must pass every single-transaction check
// on its own fee (no CPFP), may not conflict with the mempool
// ("bip125-replacement-disallowed") nor be in it ("txn-already-in-mempool").
// The first failure stops the run and only that member has a result (except
// for a script failure, which comes after the package-wide checks and leaves
// the results of the members before it). When every member passes alone, the
// package-wide TRUC, limit ("package-mempool-limits") and ephemeral dust
// rules apply.
// Otherwise (submitpackage) the package is a child with its parents (child
// last, spending every other member). Each transaction alone first, every
// member (also after one failed); parents below the minimum fee (below
// -minrelaytxfee: TRUC parents only) and members missing a parent's outputs
// are retried together with the child's fee (CPFP) unless some member failed
// for another reason ("transaction failed": then each keeps its own verdict,
// a valid member stays in the mempool); a parent that cannot pay for its
// replacements alone may replace them with its child (package RBF,
// 1-parent-1-child only). The members go in untrimmed and the mempool is
// trimmed once at the end (a member that did not survive: "mempool full",
// firing mempool:rejected). Every member has a result unless the package was
// refused as a whole before any was tried (the well-formedness reasons).
// max_sane_feerate (sat/kvB, 0: none) caps each member's own modified feerate
// before anything is added ("max feerate exceeded").
// No CPFP / RBF carve-out of the limits for package members (as Core).
PackageMempoolAcceptResult ProcessNewPackage(ChainstateManager& chainman, TxMempool& pool,
                                             const std::vector<TransactionRef>& package, bool test_accept,
                                             Amount max_sane_feerate = 0);

// Keeps the mempool in step with the active chain; register on the
// ChainstateManager after creating the mempool, unregister before deleting it.
class MempoolChainSync : public ValidationObserver {
public:
    MempoolChainSync(ChainstateManager& chainman, TxMempool& pool);
    void BlockConnected(const std::shared_ptr<const Block>& block, const BlockIndex& index) override;
    void BlockDisconnected(const std::shared_ptr<const Block>& block, const BlockIndex& index) override;
    void UpdatedBlockTip(const BlockIndex& new_tip, const BlockIndex* fork, bool initial_download) override;

private:
    ChainstateManager& m_chainman;
    TxMempool& m_pool;
    // Transactions of disconnected blocks waiting to be re-added (oldest block first).
    std::vector<TransactionRef> m_disconnected;
    bool m_blocks_disconnected = false;
};

// Re-adds the queued transactions (bypassing fee limits) and removes what no
// longer fits the tip with reason REORG. Called by MempoolChainSync.
// check_tip: blocks were disconnected (even without transactions to re-add).
void MaybeUpdateMempoolForReorg(ChainstateManager& chainman, TxMempool& pool,
                                std::vector<TransactionRef>& disconnected, bool check_tip);

} // namespace node
