// Package RBF (see package_rbf.h).

#include <node/package_rbf.h>

#include <node/txmempool.h>

#include <algorithm>

namespace node {

namespace {

using Wide = __int128;

// a's feerate above b's (exact; sizes positive).
bool HigherFeerate(const FeeChunk& a, const FeeChunk& b)
{
    return Wide{a.fee} * b.size > Wide{b.fee} * a.size;
}

void SortByFeerate(std::vector<FeeChunk>& chunks)
{
    std::stable_sort(chunks.begin(), chunks.end(), HigherFeerate);
}

// Cumulative (size, fee) breakpoints of a diagram, starting at (0, 0).
std::vector<FeeChunk> Breakpoints(const std::vector<FeeChunk>& chunks)
{
    std::vector<FeeChunk> points{FeeChunk{}};
    for (const FeeChunk& c : chunks) points.push_back({points.back().fee + c.fee, points.back().size + c.size});
    return points;
}

// The diagram's fee at size x as num / den (den > 0); flat past the end.
std::pair<Wide, Wide> FeeAt(const std::vector<FeeChunk>& points, int64_t x)
{
    for (size_t i = 1; i < points.size(); ++i) {
        if (x <= points[i].size) {
            const FeeChunk& lo = points[i - 1];
            const int64_t seg_size = points[i].size - lo.size;
            if (seg_size == 0) continue;
            const Wide seg_fee = Wide{points[i].fee} - lo.fee;
            return {Wide{lo.fee} * seg_size + seg_fee * (x - lo.size), Wide{seg_size}};
        }
    }
    return {Wide{points.back().fee}, Wide{1}};
}

// The only other member of a cluster of two (its one ancestor or descendant).
uint256 OnlyRelative(const std::set<uint256>& relatives) { return *relatives.begin(); }

// Conflicted clusters must be of a shape whose diagram is easy to compute:
// at most two transactions, a parent and its only child.
std::optional<std::string> CheckConflictTopology(const TxMempool& pool, const std::set<uint256>& direct_conflicts)
{
    for (const uint256& txid : direct_conflicts) {
        const TxMempoolEntry* e = pool.GetEntry(txid);
        if (!e) continue;
        const uint64_t ancestors = e->GetCountWithAncestors();
        const uint64_t descendants = e->GetCountWithDescendants();
        const std::string name = txid.GetHex();
        if (ancestors > 2) return name + " has " + std::to_string(ancestors - 1) + " ancestors, max 1 allowed";
        if (descendants > 2) return name + " has " + std::to_string(descendants - 1) + " descendants, max 1 allowed";
        if (ancestors > 1 && descendants > 1) {
            return name + " has both ancestor and descendant, exceeding cluster limit of 2";
        }
        if (descendants > 1) {
            const uint256 child = OnlyRelative(pool.CalculateDescendants(txid));
            const TxMempoolEntry* c = pool.GetEntry(child);
            if (c && c->GetCountWithAncestors() > 2) {
                return name + " is not the only parent of child " + child.GetHex();
            }
        } else if (ancestors > 1) {
            const uint256 parent = OnlyRelative(pool.CalculateAncestors(txid));
            const TxMempoolEntry* p = pool.GetEntry(parent);
            if (p && p->GetCountWithDescendants() > 2) {
                return name + " is not the only child of parent " + parent.GetHex();
            }
        }
    }
    return std::nullopt;
}

// The chunks of the conflicted clusters now (old) and after the replacement
// (new: the parents left behind, each alone, and the package as one chunk).
void BuildDiagrams(const TxMempool& pool, const std::set<uint256>& direct_conflicts,
                   const std::set<uint256>& all_conflicts, const FeeChunk& replacement, std::vector<FeeChunk>& old_chunks,
                   std::vector<FeeChunk>& new_chunks)
{
    for (const uint256& txid : all_conflicts) {
        const TxMempoolEntry* e = pool.GetEntry(txid);
        if (!e || e->GetCountWithDescendants() > 1) continue;  // counted with its child
        const FeeChunk own{e->GetModifiedFee(), e->GetTxSize()};
        if (e->GetCountWithAncestors() == 1) {
            old_chunks.push_back(own);
            continue;
        }
        // A child and its parent: one chunk if the child pays the higher
        // feerate (it lifts its parent), else two.
        const FeeChunk with_parent{e->GetModFeesWithAncestors(), e->GetSizeWithAncestors()};
        if (HigherFeerate(own, with_parent)) {
            old_chunks.push_back(with_parent);
        } else {
            old_chunks.push_back({with_parent.fee - own.fee, with_parent.size - own.size});
            old_chunks.push_back(own);
        }
    }
    for (const uint256& txid : direct_conflicts) {
        const TxMempoolEntry* e = pool.GetEntry(txid);
        if (!e || e->GetCountWithAncestors() == 1) continue;
        const uint256 parent = OnlyRelative(pool.CalculateAncestors(txid));
        if (all_conflicts.count(parent)) continue;
        const TxMempoolEntry* p = pool.GetEntry(parent);
        new_chunks.push_back({p->GetModifiedFee(), p->GetTxSize()});
    }
    new_chunks.push_back(replacement);
    SortByFeerate(old_chunks);
    SortByFeerate(new_chunks);
}

} // namespace

std::string FormatMoney(Amount amount)
{
    const bool negative = amount < 0;
    const uint64_t abs = negative ? 0 - static_cast<uint64_t>(amount) : static_cast<uint64_t>(amount);
    std::string fraction = std::to_string(abs % 100000000);
    fraction.insert(0, 8 - fraction.size(), '0');
    // Trailing zeros go, but two decimals always stay.
    while (fraction.size() > 2 && fraction.back() == '0') fraction.pop_back();
    return (negative ? "-" : "") + std::to_string(abs / 100000000) + "." + fraction;
}

std::partial_ordering CompareFeerateDiagrams(const std::vector<FeeChunk>& a, const std::vector<FeeChunk>& b)
{
    const std::vector<FeeChunk> pa = Breakpoints(a);
    const std::vector<FeeChunk> pb = Breakpoints(b);
    // Both diagrams are piecewise linear: comparing them at every breakpoint
    // of either decides everywhere.
    std::vector<int64_t> sizes;
    for (const FeeChunk& p : pa) sizes.push_back(p.size);
    for (const FeeChunk& p : pb) sizes.push_back(p.size);
    bool a_above = false;
    bool b_above = false;
    for (const int64_t x : sizes) {
        const auto [na, da] = FeeAt(pa, x);
        const auto [nb, db] = FeeAt(pb, x);
        const Wide lhs = na * db;
        const Wide rhs = nb * da;
        if (lhs > rhs) a_above = true;
        if (lhs < rhs) b_above = true;
    }
    if (a_above && b_above) return std::partial_ordering::unordered;
    if (a_above) return std::partial_ordering::greater;
    if (b_above) return std::partial_ordering::less;
    return std::partial_ordering::equivalent;
}

std::optional<PackageRbfFailure> PackageRbfChecks(const TxMempool& pool, const std::vector<PackageRbfMember>& members,
                                                  const FeeRate& incremental_relay_feerate,
                                                  std::set<uint256>& all_conflicts)
{
    const std::string prefix = "package RBF failed: ";
    if (members.size() != 2) return PackageRbfFailure{prefix + "package must be 1-parent-1-child", ""};
    // A mempool ancestor would make the resulting cluster bigger than two.
    for (const PackageRbfMember& m : members) {
        if (!m.mempool_ancestors.empty()) {
            return PackageRbfFailure{prefix + "new transaction cannot have mempool ancestors", ""};
        }
    }
    const PackageRbfMember& parent = members[0];
    const PackageRbfMember& child = members[1];
    const std::string child_txid = child.tx->GetHash().GetHex();

    std::set<uint256> direct;
    for (const PackageRbfMember& m : members) direct.insert(m.direct_conflicts.begin(), m.direct_conflicts.end());
    uint64_t potential = 0;
    for (const uint256& c : direct) potential += pool.GetEntry(c)->GetCountWithDescendants();
    if (potential > MAX_REPLACEMENT_CANDIDATES) {
        return PackageRbfFailure{prefix + "too many potential replacements",
                                 "rejecting replacement " + child_txid + "; too many potential replacements (" +
                                     std::to_string(potential) + " > " + std::to_string(MAX_REPLACEMENT_CANDIDATES) +
                                     ")"};
    }
    all_conflicts.clear();
    for (const uint256& c : direct) {
        all_conflicts.insert(c);
        const std::set<uint256> d = pool.CalculateDescendants(c);
        all_conflicts.insert(d.begin(), d.end());
    }

    // The package pays for what it replaces and for its own relay.
    Amount conflicting_fees = 0;
    for (const uint256& c : all_conflicts) conflicting_fees += pool.GetEntry(c)->GetModifiedFee();
    const Amount fees = parent.modified_fee + child.modified_fee;
    const int64_t vsize = parent.vsize + child.vsize;
    if (fees < conflicting_fees) {
        return PackageRbfFailure{prefix + "insufficient anti-DoS fees",
                                 "rejecting replacement " + child_txid + ", less fees than conflicting txs; " +
                                     FormatMoney(fees) + " < " + FormatMoney(conflicting_fees)};
    }
    const Amount additional = fees - conflicting_fees;
    if (additional < incremental_relay_feerate.GetFee(vsize)) {
        return PackageRbfFailure{prefix + "insufficient anti-DoS fees",
                                 "rejecting replacement " + child_txid + ", not enough additional fees to relay; " +
                                     FormatMoney(additional) + " < " +
                                     FormatMoney(incremental_relay_feerate.GetFee(vsize))};
    }

    // The package must be one chunk: a child that only pays the anti-DoS
    // fees and lowers the parent's feerate does not make a better block.
    const FeeRate parent_rate(parent.modified_fee, parent.vsize);
    const FeeRate package_rate(fees, vsize);
    if (package_rate <= parent_rate) {
        return PackageRbfFailure{prefix + "package feerate is less than or equal to parent feerate",
                                 "package feerate " + package_rate.ToString() + " <= parent feerate is " +
                                     parent_rate.ToString()};
    }

    // Miners should prefer the result: the feerate diagram strictly improves.
    if (const auto err = CheckConflictTopology(pool, direct)) return PackageRbfFailure{prefix + *err, ""};
    std::vector<FeeChunk> old_chunks;
    std::vector<FeeChunk> new_chunks;
    BuildDiagrams(pool, direct, all_conflicts, FeeChunk{fees, vsize}, old_chunks, new_chunks);
    if (!std::is_gt(CompareFeerateDiagrams(new_chunks, old_chunks))) {
        return PackageRbfFailure{prefix + "insufficient feerate: does not improve feerate diagram", ""};
    }
    return std::nullopt;
}

} // namespace node
