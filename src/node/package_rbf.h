#pragma once

// Package RBF (Core v28+): a 1-parent-1-child package whose members conflict
// with mempool transactions may replace them when every conflicted cluster
// has at most two transactions, the package pays the replaced fees plus the
// incremental relay fee for its own size, the child raises the package's
// feerate above the parent's, and the replacement strictly improves the
// mempool's feerate diagram. Failures are "package RBF failed: ..." package
// errors with Core's wording.

#include <consensus/amount.h>
#include <node/policy.h>
#include <primitives/transaction.h>
#include <uint256.h>

#include <compare>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace node {

class TxMempool;

// Amount in BTC the way Core prints it in messages: "0.0001", "1.00", "-0.5".
std::string FormatMoney(Amount amount);

// A chunk of a feerate diagram: total fee and virtual size.
struct FeeChunk {
    Amount fee = 0;
    int64_t size = 0;
};

// Compares two feerate diagrams given as chunks in decreasing feerate order
// (each diagram: cumulative fee over cumulative size, flat past its end).
// greater: a is nowhere below b and above it somewhere; unordered: each is
// above the other somewhere.
std::partial_ordering CompareFeerateDiagrams(const std::vector<FeeChunk>& a, const std::vector<FeeChunk>& b);

// One package member as judged by a dry run (not in the mempool).
struct PackageRbfMember {
    const Transaction* tx = nullptr;
    Amount modified_fee = 0;
    int64_t vsize = 0;
    std::set<uint256> mempool_ancestors;
    std::set<uint256> direct_conflicts;  // mempool txids spending the same inputs
};

struct PackageRbfFailure {
    std::string reason;  // "package RBF failed: ..."
    std::string debug;
};

// members: the package members not yet in the mempool, parent(s) first, the
// child last. On success all_conflicts receives every mempool transaction the
// package replaces (direct conflicts and their descendants). Caller holds
// pool.Mutex().
std::optional<PackageRbfFailure> PackageRbfChecks(const TxMempool& pool, const std::vector<PackageRbfMember>& members,
                                                  const FeeRate& incremental_relay_feerate,
                                                  std::set<uint256>& all_conflicts);

} // namespace node
