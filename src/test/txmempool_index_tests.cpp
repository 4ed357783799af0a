// The mempool's internal structures: the open-addressing HashIndex (against a
// reference map, with hashes forced into long colliding runs that wrap around
// the end of the slot array), and TxMempool's pointer links, walk marks and
// memory accounting under random additions (children before parents too, as
// after a reorg), removals, eviction, expiry and prioritisation, checked with
// CheckConsistency() after every step.
#include <node/txmempool.h>
#include <primitives/transaction.h>
#include <script/script.h>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <vector>

using namespace node;

BOOST_AUTO_TEST_SUITE(txmempool_index_tests)

BOOST_AUTO_TEST_CASE(hash_index_against_map)
{
    std::mt19937_64 rng(7);
    // Values are keys; the "hash" keeps only a few low bits (plus a high
    // bit so that 0 is not the only colliding value), so runs are long and
    // deletions must shift members back across the array's end.
    for (const uint64_t hash_bits : {uint64_t{3}, uint64_t{6}, uint64_t{20}}) {
        mempool_detail::HashIndex<uint64_t> index;
        std::set<uint64_t> ref;
        const auto hash_of = [&](uint64_t key) { return (key & ((uint64_t{1} << hash_bits) - 1)) | (key & (uint64_t{1} << 63)); };
        const auto is = [](uint64_t key) { return [key](uint64_t v) { return v == key; }; };
        for (int step = 0; step < 20000; ++step) {
            const uint64_t key = rng() % 3000 | (rng() % 2 ? uint64_t{1} << 63 : 0);
            const bool present = ref.count(key) > 0;
            BOOST_REQUIRE_EQUAL(index.Find(hash_of(key), is(key)) != nullptr, present);
            if (rng() % 3 != 0) {
                if (!present) {
                    index.Insert(hash_of(key), key);
                    ref.insert(key);
                }
            } else {
                BOOST_REQUIRE_EQUAL(index.Erase(hash_of(key), is(key)), present);
                ref.erase(key);
            }
            BOOST_REQUIRE_EQUAL(index.size(), ref.size());
            if (step % 1000 == 0) {
                for (const uint64_t k : ref) BOOST_REQUIRE(index.Find(hash_of(k), is(k)));
                std::set<uint64_t> seen;
                index.ForEach([&](uint64_t v) { seen.insert(v); });
                BOOST_REQUIRE(seen == ref);
            }
        }
        for (const uint64_t k : ref) BOOST_REQUIRE(index.Erase(hash_of(k), is(k)));
        BOOST_CHECK_EQUAL(index.size(), 0U);
        index.clear();
        BOOST_CHECK_EQUAL(index.HeapBytes(), 0U);
    }
}

namespace {

// Transactions forming a random DAG: each spends one to three outputs, of
// earlier ones or of "confirmed" outpoints, never one outpoint twice.
std::vector<TransactionRef> RandomDag(std::mt19937_64& rng, int count)
{
    std::vector<TransactionRef> txs;
    std::vector<OutPoint> unspent;
    for (int i = 0; i < count; ++i) {
        MutableTransaction mtx;
        const int inputs = 1 + static_cast<int>(rng() % 3);
        for (int k = 0; k < inputs; ++k) {
            TxIn in;
            if (!unspent.empty() && rng() % 4 != 0) {
                const size_t pick = rng() % unspent.size();
                in.prevout = unspent[pick];
                unspent[pick] = unspent.back();
                unspent.pop_back();
            } else {
                uint256 confirmed;
                for (int b = 0; b < 32; ++b) confirmed.data()[b] = static_cast<unsigned char>(rng());
                in.prevout = OutPoint{confirmed, 0};
            }
            mtx.vin.push_back(in);
        }
        const int outputs = 1 + static_cast<int>(rng() % 3);
        for (int k = 0; k < outputs; ++k) mtx.vout.push_back(TxOut{1000, Script{} << OP_TRUE});
        txs.push_back(MakeTransactionRef(std::move(mtx)));
        for (int k = 0; k < outputs; ++k) unspent.push_back(OutPoint{txs.back()->GetHash(), static_cast<uint32_t>(k)});
    }
    return txs;
}

void Add(TxMempool& pool, const TransactionRef& tx, Amount fee, int64_t time)
{
    std::lock_guard lock(pool.Mutex());
    pool.AddUnchecked(TxMempoolEntry(tx, fee, time, 100, pool.GetSequence(), false, 4, 20));
}

void Check(const TxMempool& pool, const std::string& where = "")
{
    std::string error;
    const bool ok = pool.CheckConsistency(error);
    BOOST_REQUIRE_MESSAGE(ok, where + ": " + error);
}

} // namespace

BOOST_AUTO_TEST_CASE(links_and_accounting_random)
{
    std::mt19937_64 rng(11);
    for (int round = 0; round < 4; ++round) {
        TxMempool pool;
        const std::vector<TransactionRef> txs = RandomDag(rng, 250);
        // Shuffled: about half of the additions find children already in the pool.
        std::vector<size_t> order(txs.size());
        for (size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::shuffle(order.begin(), order.end(), rng);
        for (size_t i : order) {
            Add(pool, txs[i], 200 + static_cast<Amount>(rng() % 5000), 1000 + static_cast<int64_t>(i));
            Check(pool, "add " + std::to_string(i));
        }
        Check(pool);
        BOOST_CHECK_EQUAL(pool.size(), txs.size());
        // Parents()/Children() match the inputs.
        for (const TransactionRef& tx : txs) {
            const TxMempoolEntry* e = pool.GetEntry(tx->GetHash());
            BOOST_REQUIRE(e);
            std::set<uint256> parents;
            for (const TxIn& in : tx->vin) {
                if (pool.exists(in.prevout.hash)) parents.insert(in.prevout.hash);
            }
            BOOST_CHECK(e->Parents() == parents);
            for (const uint256& c : e->Children()) BOOST_CHECK(pool.GetEntry(c)->Parents().count(tx->GetHash()));
            BOOST_CHECK_EQUAL(pool.CalculateAncestors(tx->GetHash()).size() + 1, e->GetCountWithAncestors());
            BOOST_CHECK_EQUAL(pool.CalculateDescendants(tx->GetHash()).size() + 1, e->GetCountWithDescendants());
        }
        // Random removals of every kind, consistency after each.
        const size_t full_usage = pool.DynamicMemoryUsage();
        for (int step = 0; step < 60 && pool.size() > 0; ++step) {
            const TransactionRef& tx = txs[rng() % txs.size()];
            const int op = static_cast<int>(rng() % 5);
            switch (op) {
            case 0: pool.RemoveRecursive(tx->GetHash(), MemPoolRemovalReason::CONFLICT); break;
            case 1: pool.PrioritiseTransaction(tx->GetHash(), static_cast<Amount>(rng() % 20000) - 10000); break;
            case 2: {
                // Mined: only possible without unconfirmed parents; its children
                // stay, now spending a confirmed output.
                const TxMempoolEntry* e = pool.GetEntry(tx->GetHash());
                if (!e || e->GetCountWithAncestors() == 1) pool.removeForBlock({tx}, 101);
                break;
            }
            case 3: pool.TrimToSize(static_cast<int64_t>(pool.DynamicMemoryUsage()) - 3000); break;
            case 4: pool.Expire(1000 + static_cast<int64_t>(rng() % 40)); break;
            }
            Check(pool, "step " + std::to_string(step) + " op " + std::to_string(op));
        }
        BOOST_CHECK_LT(pool.DynamicMemoryUsage(), full_usage);
        // Re-adding what left (a reorg's order: anything, children may be in the pool).
        for (size_t i : order) {
            if (!pool.exists(txs[i]->GetHash())) Add(pool, txs[i], 300, 5000);
        }
        Check(pool);
        BOOST_CHECK_EQUAL(pool.size(), txs.size());
        pool.TrimToSize(0);
        Check(pool);
        BOOST_CHECK_EQUAL(pool.size(), 0U);
        BOOST_CHECK_EQUAL(pool.GetTotalTxSize(), 0U);
    }
}

BOOST_AUTO_TEST_CASE(memory_per_entry_chain)
{
    // A chain of 1-input transactions: usage per entry includes the entry,
    // its two tree nodes, a parent and a child link (one pointer each, as
    // their own allocations) and the index slots; it must shrink back to the
    // bare tables when the chain leaves.
    TxMempool pool;
    MutableTransaction root;
    root.vin.push_back(TxIn{});
    root.vin[0].prevout = OutPoint{uint256::ONE, 0};
    root.vout.push_back(TxOut{1000, Script{} << OP_TRUE});
    TransactionRef prev = MakeTransactionRef(std::move(root));
    Add(pool, prev, 500, 1);
    const uint256 first = prev->GetHash();
    for (int i = 0; i < 24; ++i) {
        MutableTransaction mtx;
        mtx.vin.push_back(TxIn{});
        mtx.vin[0].prevout = OutPoint{prev->GetHash(), 0};
        mtx.vout.push_back(TxOut{1000, Script{} << OP_TRUE});
        prev = MakeTransactionRef(std::move(mtx));
        Add(pool, prev, 500, 1);
    }
    Check(pool);
    const TxMempoolEntry* head = pool.GetEntry(first);
    BOOST_CHECK_EQUAL(head->GetCountWithDescendants(), 25U);
    BOOST_CHECK_EQUAL(pool.GetEntry(prev->GetHash())->GetCountWithAncestors(), 25U);
    pool.RemoveRecursive(first, MemPoolRemovalReason::CONFLICT);
    Check(pool);
    BOOST_CHECK_EQUAL(pool.size(), 0U);
    const size_t empty_usage = pool.DynamicMemoryUsage();
    // Only the (kept) slot arrays remain: no entry or link is still counted.
    TxMempool fresh;
    BOOST_CHECK_GE(empty_usage, fresh.DynamicMemoryUsage());
    BOOST_CHECK_LT(empty_usage, 4096U);
}

BOOST_AUTO_TEST_SUITE_END()
