#pragma once

// Topologically Restricted Until Confirmation (BIP431): the relay policy for
// version-3 transactions, as Core v30 applies it. An unconfirmed TRUC
// transaction lives in a cluster of at most two (one parent, one child), is
// at most 10,000 vB (a child of an unconfirmed TRUC parent at most 1,000 vB),
// and TRUC and non-TRUC transactions never spend each other's unconfirmed
// outputs. A second child of a TRUC parent may take the first one's place
// ("sibling eviction") when it pays as a replacement would.
//
// Failures are reported by the callers as "TRUC-violation" with the debug
// string returned here (Core's exact wording).

#include <primitives/transaction.h>
#include <uint256.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace node {

class TxMempool;

inline constexpr uint32_t TRUC_VERSION = 3;
// Counts include the transaction itself.
inline constexpr unsigned TRUC_ANCESTOR_LIMIT = 2;
inline constexpr unsigned TRUC_DESCENDANT_LIMIT = 2;
inline constexpr int64_t TRUC_MAX_VSIZE = 10000;
inline constexpr int64_t TRUC_CHILD_MAX_VSIZE = 1000;

struct TrucViolation {
    std::string debug;
    // Set when the only problem is that the parent already has a child and
    // that child could be evicted instead (sibling eviction); the caller
    // decides whether to try it as a replacement.
    TransactionRef sibling;
};

// Checks tx (virtual size vsize) against the mempool alone. mempool_ancestors:
// tx's in-mempool ancestors (txids); direct_conflicts: mempool txids tx
// replaces by spending the same inputs (a child being replaced does not count
// toward its parent's descendant limit). Caller holds pool.Mutex().
std::optional<TrucViolation> SingleTrucChecks(const TxMempool& pool, const Transaction& tx,
                                              const std::set<uint256>& mempool_ancestors,
                                              const std::set<uint256>& direct_conflicts, int64_t vsize);

// The same rules for tx as a member of package (topologically sorted, none of
// it in the mempool), counting the package's other members as unconfirmed
// relatives. Caller holds pool.Mutex().
std::optional<std::string> PackageTrucChecks(const TxMempool& pool, const Transaction& tx, int64_t vsize,
                                             const std::vector<TransactionRef>& package,
                                             const std::set<uint256>& mempool_ancestors);

} // namespace node
