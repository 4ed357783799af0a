// TRUC (BIP431) relay policy (see truc_policy.h).

#include <node/truc_policy.h>

#include <node/txmempool.h>

#include <algorithm>

namespace node {

namespace {

// "<txid> (wtxid=<wtxid>)", the way every TRUC message names a transaction.
std::string Describe(const uint256& txid, const uint256& wtxid)
{
    return txid.GetHex() + " (wtxid=" + wtxid.GetHex() + ")";
}

std::string Describe(const Transaction& tx) { return Describe(tx.GetHash(), tx.GetWitnessHash()); }

std::string SpendsWrongVersion(const Transaction& tx, const Transaction& parent)
{
    if (tx.version == TRUC_VERSION) {
        return "version=3 tx " + Describe(tx) + " cannot spend from non-version=3 tx " + Describe(parent);
    }
    return "non-version=3 tx " + Describe(tx) + " cannot spend from version=3 tx " + Describe(parent);
}

std::string TooBig(const Transaction& tx, int64_t vsize)
{
    return "version=3 tx " + Describe(tx) + " is too big: " + std::to_string(vsize) + " > " +
           std::to_string(TRUC_MAX_VSIZE) + " virtual bytes";
}

std::string ChildTooBig(const Transaction& tx, int64_t vsize)
{
    return "version=3 child tx " + Describe(tx) + " is too big: " + std::to_string(vsize) + " > " +
           std::to_string(TRUC_CHILD_MAX_VSIZE) + " virtual bytes";
}

std::string TooManyAncestors(const Transaction& tx) { return "tx " + Describe(tx) + " would have too many ancestors"; }

// Names the parent whose single descendant slot is taken.
std::string ExceedsDescendants(const uint256& parent_txid, const uint256& parent_wtxid)
{
    return "tx " + Describe(parent_txid, parent_wtxid) + " would exceed descendant count limit";
}

// The in-mempool transactions spending outputs of parent (its direct children).
std::vector<const Transaction*> ChildrenOf(const TxMempool& pool, const Transaction& parent)
{
    std::vector<const Transaction*> children;
    for (uint32_t o = 0; o < parent.vout.size(); ++o) {
        const Transaction* spender = pool.GetConflictTx(OutPoint{parent.GetHash(), o});
        if (spender && std::find(children.begin(), children.end(), spender) == children.end()) {
            children.push_back(spender);
        }
    }
    return children;
}

} // namespace

std::optional<TrucViolation> SingleTrucChecks(const TxMempool& pool, const Transaction& tx,
                                              const std::set<uint256>& mempool_ancestors,
                                              const std::set<uint256>& direct_conflicts, int64_t vsize)
{
    // Inheritance: every unconfirmed parent has the same TRUC-ness as tx
    // (so, by induction, every ancestor). Parents, not the whole ancestor
    // set: one lookup per input instead of one per ancestor.
    for (const TxIn& in : tx.vin) {
        const TxMempoolEntry* e = pool.GetEntry(in.prevout.hash);
        if (!e) continue;
        if ((tx.version == TRUC_VERSION) != (e->GetTx().version == TRUC_VERSION)) {
            return TrucViolation{SpendsWrongVersion(tx, e->GetTx()), nullptr};
        }
    }
    if (tx.version != TRUC_VERSION) return std::nullopt;

    if (vsize > TRUC_MAX_VSIZE) return TrucViolation{TooBig(tx, vsize), nullptr};
    if (mempool_ancestors.size() + 1 > TRUC_ANCESTOR_LIMIT) return TrucViolation{TooManyAncestors(tx), nullptr};
    if (mempool_ancestors.empty()) return std::nullopt;

    if (vsize > TRUC_CHILD_MAX_VSIZE) return TrucViolation{ChildTooBig(tx, vsize), nullptr};

    // Exactly one unconfirmed ancestor: the parent. Its one descendant slot
    // must be free, unless tx replaces the child occupying it.
    const TxMempoolEntry* parent = pool.GetEntry(*mempool_ancestors.begin());
    if (!parent) return std::nullopt;
    if (parent->GetCountWithDescendants() + 1 <= TRUC_DESCENDANT_LIMIT) return std::nullopt;
    const std::vector<const Transaction*> children = ChildrenOf(pool, parent->GetTx());
    const bool child_replaced = std::any_of(children.begin(), children.end(), [&](const Transaction* c) {
        return direct_conflicts.count(c->GetHash()) > 0;
    });
    if (child_replaced) return std::nullopt;

    // Sibling eviction is only considered for the simple shape: the parent
    // has one descendant, which has no other unconfirmed ancestor (a reorg
    // can leave other shapes behind).
    TransactionRef sibling;
    if (parent->GetCountWithDescendants() == 2 && children.size() == 1) {
        const TxMempoolEntry* child = pool.GetEntry(children.front()->GetHash());
        if (child && child->GetCountWithAncestors() == 2) sibling = child->GetSharedTx();
    }
    return TrucViolation{ExceedsDescendants(parent->GetTxid(), parent->GetTx().GetWitnessHash()), sibling};
}

std::optional<std::string> PackageTrucChecks(const TxMempool& pool, const Transaction& tx, int64_t vsize,
                                             const std::vector<TransactionRef>& package,
                                             const std::set<uint256>& mempool_ancestors)
{
    // Members of the package tx spends.
    std::vector<const Transaction*> package_parents;
    for (const TransactionRef& member : package) {
        if (member->GetHash() == tx.GetHash()) continue;
        const bool is_parent = std::any_of(tx.vin.begin(), tx.vin.end(), [&](const TxIn& in) {
            return in.prevout.hash == member->GetHash();
        });
        if (is_parent) package_parents.push_back(member.get());
    }

    if (tx.version != TRUC_VERSION) {
        for (const uint256& a : mempool_ancestors) {
            const TxMempoolEntry* e = pool.GetEntry(a);
            if (e && e->GetTx().version == TRUC_VERSION) return SpendsWrongVersion(tx, e->GetTx());
        }
        for (const Transaction* p : package_parents) {
            if (p->version == TRUC_VERSION) return SpendsWrongVersion(tx, *p);
        }
        return std::nullopt;
    }

    if (vsize > TRUC_MAX_VSIZE) return TooBig(tx, vsize);
    if (mempool_ancestors.size() + package_parents.size() + 1 > TRUC_ANCESTOR_LIMIT) return TooManyAncestors(tx);
    if (mempool_ancestors.empty() && package_parents.empty()) return std::nullopt;

    if (vsize > TRUC_CHILD_MAX_VSIZE) return ChildTooBig(tx, vsize);

    // The one parent, in the mempool or in the package.
    const Transaction* parent = nullptr;
    bool parent_has_mempool_child = false;
    if (!mempool_ancestors.empty()) {
        const TxMempoolEntry* e = pool.GetEntry(*mempool_ancestors.begin());
        if (!e) return std::nullopt;
        parent = &e->GetTx();
        parent_has_mempool_child = e->GetCountWithDescendants() > 1;
    } else {
        parent = package_parents.front();
    }
    if (parent->version != TRUC_VERSION) return SpendsWrongVersion(tx, *parent);

    for (const TransactionRef& member : package) {
        if (member->GetHash() == tx.GetHash()) continue;
        for (const TxIn& in : member->vin) {
            // A sibling in the same package: both cannot be the parent's child.
            if (in.prevout.hash == parent->GetHash()) {
                return ExceedsDescendants(parent->GetHash(), parent->GetWitnessHash());
            }
            // tx has a parent, so it cannot also have a child in the package.
            if (in.prevout.hash == tx.GetHash()) return TooManyAncestors(*member);
        }
    }
    if (parent_has_mempool_child) return ExceedsDescendants(parent->GetHash(), parent->GetWitnessHash());
    return std::nullopt;
}

} // namespace node
