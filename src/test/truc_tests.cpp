// TRUC (BIP431) relay policy for version-3 transactions: version
// inheritance, the cluster-of-two topology, the 10,000 / 1,000 vB size
// limits, sibling eviction, sub-minimum-fee TRUC parents paid for by their
// child, and the package forms of the checks; Core's reject strings.
#include <kernel/validation.h>
#include <node/mempool_accept.h>
#include <node/policy.h>
#include <node/truc_policy.h>
#include <node/txmempool.h>
#include <test/util/chain_fixture.h>
#include <util/time.h>

#include <boost/test/unit_test.hpp>

using namespace node;
using test_util::ChainFixture;
using test_util::SpendableOutput;

namespace {

struct TrucSetup {
    ChainFixture fx;
    std::vector<std::shared_ptr<const Block>> blocks;
    std::unique_ptr<TxMempool> pool;
    std::unique_ptr<MempoolChainSync> sync;

    TrucSetup()
    {
        blocks = fx.MineBlocks(120);
        pool = std::make_unique<TxMempool>();
        sync = std::make_unique<MempoolChainSync>(fx.Chainman(), *pool);
        fx.Chainman().RegisterObserver(sync.get());
    }
    ~TrucSetup() { fx.Chainman().UnregisterObserver(sync.get()); }

    SpendableOutput Coinbase(int i) { return ChainFixture::CoinbaseOutput(*blocks[i]); }
    // Spends ins to `outputs` equal outputs (more outputs: bigger tx), leaving fee.
    TransactionRef Make(const std::vector<SpendableOutput>& ins, Amount fee, uint32_t version, int outputs = 1)
    {
        Amount total = 0;
        for (const SpendableOutput& in : ins) total += in.out.value;
        const Amount each = (total - fee) / outputs;
        std::vector<TxOut> outs(static_cast<size_t>(outputs), TxOut{each, fx.PayoutScript()});
        // Put the rounding remainder into the fee-neutral first output.
        outs[0].value += (total - fee) - each * outputs;
        return fx.Spend(ins, outs, TxIn::SEQUENCE_FINAL, version);
    }
    MempoolAcceptResult Accept(const TransactionRef& tx, bool test_accept = false)
    {
        return AcceptToMemoryPool(fx.Chainman(), *pool, tx, GetTime(), false, test_accept);
    }
    void Check()
    {
        std::string error;
        BOOST_CHECK_MESSAGE(pool->CheckConsistency(error), error);
    }
};

std::string Describe(const TransactionRef& tx)
{
    return tx->GetHash().GetHex() + " (wtxid=" + tx->GetWitnessHash().GetHex() + ")";
}

void CheckTruc(const MempoolAcceptResult& r, const std::string& debug)
{
    BOOST_CHECK(!r.IsValid());
    BOOST_CHECK_EQUAL(r.m_state.GetRejectReason(), "TRUC-violation");
    BOOST_CHECK_EQUAL(r.m_state.GetDebugMessage(), debug);
    BOOST_CHECK(r.m_state.GetTxResult() == TxValidationResult::MEMPOOL_POLICY);
}

} // namespace

BOOST_AUTO_TEST_SUITE(truc_tests)

BOOST_AUTO_TEST_CASE(version_inheritance)
{
    TrucSetup s;
    // Unconfirmed non-TRUC parent: a TRUC child is refused, a non-TRUC one is fine.
    const TransactionRef v2_parent = s.Make({s.Coinbase(0)}, 1000, 2, 2);
    BOOST_REQUIRE(s.Accept(v2_parent).IsValid());
    const TransactionRef v3_child = s.Make({ChainFixture::Output(v2_parent, 0)}, 1000, 3);
    CheckTruc(s.Accept(v3_child), "version=3 tx " + Describe(v3_child) + " cannot spend from non-version=3 tx " +
                                      Describe(v2_parent));
    BOOST_CHECK(s.Accept(s.Make({ChainFixture::Output(v2_parent, 1)}, 1000, 2)).IsValid());

    // Unconfirmed TRUC parent: a non-TRUC child is refused (also by testmempoolaccept).
    const TransactionRef v3_parent = s.Make({s.Coinbase(1)}, 1000, 3, 2);
    BOOST_REQUIRE(s.Accept(v3_parent).IsValid());
    const TransactionRef v2_child = s.Make({ChainFixture::Output(v3_parent, 0)}, 1000, 2);
    const std::string expected = "non-version=3 tx " + Describe(v2_child) + " cannot spend from version=3 tx " +
                                 Describe(v3_parent);
    CheckTruc(s.Accept(v2_child, /*test_accept=*/true), expected);
    CheckTruc(s.Accept(v2_child), expected);

    // Confirmed parents impose nothing: both versions spend both.
    s.fx.Mine({v2_parent, v3_parent});
    BOOST_CHECK_EQUAL(s.pool->size(), 1U);  // v2_parent's v2 child stays
    BOOST_CHECK(s.Accept(v3_child).IsValid());
    BOOST_CHECK(s.Accept(v2_child).IsValid());
    s.Check();
}

BOOST_AUTO_TEST_CASE(size_limits)
{
    TrucSetup s;
    // More than 10,000 vB: about 31 vB per P2WPKH output.
    const TransactionRef big = s.Make({s.Coinbase(0)}, 100000, 3, 330);
    const int64_t big_vsize = GetVirtualTransactionSize(*big);
    BOOST_REQUIRE_GT(big_vsize, TRUC_MAX_VSIZE);
    CheckTruc(s.Accept(big), "version=3 tx " + Describe(big) + " is too big: " + std::to_string(big_vsize) +
                                 " > 10000 virtual bytes");
    // The same as version 2 is fine.
    BOOST_CHECK(s.Accept(s.Make({s.Coinbase(0)}, 100000, 2, 330)).IsValid());

    // A parent of up to 10,000 vB is fine; its child may have up to 1,000 vB.
    const TransactionRef parent = s.Make({s.Coinbase(1)}, 100000, 3, 300);
    BOOST_REQUIRE_LE(GetVirtualTransactionSize(*parent), TRUC_MAX_VSIZE);
    BOOST_REQUIRE(s.Accept(parent).IsValid());
    const TransactionRef fat_child = s.Make({ChainFixture::Output(parent, 0)}, 10000, 3, 40);
    const int64_t child_vsize = GetVirtualTransactionSize(*fat_child);
    BOOST_REQUIRE_GT(child_vsize, TRUC_CHILD_MAX_VSIZE);
    CheckTruc(s.Accept(fat_child), "version=3 child tx " + Describe(fat_child) + " is too big: " +
                                       std::to_string(child_vsize) + " > 1000 virtual bytes");
    const TransactionRef child = s.Make({ChainFixture::Output(parent, 0)}, 10000, 3, 25);
    BOOST_REQUIRE_LE(GetVirtualTransactionSize(*child), TRUC_CHILD_MAX_VSIZE);
    BOOST_CHECK(s.Accept(child).IsValid());
    s.Check();
}

BOOST_AUTO_TEST_CASE(ancestor_and_descendant_limits)
{
    TrucSetup s;
    const TransactionRef parent = s.Make({s.Coinbase(0)}, 1000, 3, 3);
    const TransactionRef child = s.Make({ChainFixture::Output(parent, 0)}, 1000, 3, 2);
    BOOST_REQUIRE(s.Accept(parent).IsValid());
    BOOST_REQUIRE(s.Accept(child).IsValid());
    // A grandchild would have two unconfirmed ancestors.
    const TransactionRef grandchild = s.Make({ChainFixture::Output(child, 0)}, 1000, 3);
    CheckTruc(s.Accept(grandchild), "tx " + Describe(grandchild) + " would have too many ancestors");
    // Spending both parent and child: also two ancestors.
    const TransactionRef both = s.Make({ChainFixture::Output(parent, 1), ChainFixture::Output(child, 1)}, 1000, 3);
    CheckTruc(s.Accept(both), "tx " + Describe(both) + " would have too many ancestors");

    // A second child without sibling eviction (a package's dry run): the
    // parent's descendant slot is taken.
    const TransactionRef sibling = s.Make({ChainFixture::Output(parent, 2)}, 5000, 3);
    auto pkg = ProcessNewPackage(s.fx.Chainman(), *s.pool, {sibling}, /*test_accept=*/true);
    BOOST_CHECK(!pkg.IsValid());
    CheckTruc(pkg.m_tx_results.at(sibling->GetWitnessHash()),
              "tx " + Describe(parent) + " would exceed descendant count limit");
    // With its parent, which is in the mempool already: the parent fails
    // ("txn-already-in-mempool") and the sibling is not judged.
    pkg = ProcessNewPackage(s.fx.Chainman(), *s.pool, {parent, sibling}, /*test_accept=*/true);
    BOOST_CHECK_EQUAL(pkg.m_state.GetRejectReason(), "transaction failed");
    BOOST_CHECK_EQUAL(pkg.m_tx_results.at(parent->GetWitnessHash()).m_state.GetRejectReason(),
                      "txn-already-in-mempool");
    BOOST_CHECK(!pkg.m_tx_results.count(sibling->GetWitnessHash()));
    s.Check();
}

BOOST_AUTO_TEST_CASE(sibling_eviction)
{
    TrucSetup s;
    const TransactionRef parent = s.Make({s.Coinbase(0)}, 1000, 3, 2);
    const TransactionRef child = s.Make({ChainFixture::Output(parent, 0)}, 2000, 3);
    BOOST_REQUIRE(s.Accept(parent).IsValid());
    BOOST_REQUIRE(s.Accept(child).IsValid());

    // Not paying more than the sibling: the replacement rules refuse it, with
    // the sibling-eviction note.
    const TransactionRef cheap = s.Make({ChainFixture::Output(parent, 1)}, 1500, 3);
    auto r = s.Accept(cheap);
    BOOST_CHECK_EQUAL(r.m_state.GetRejectReason(), "insufficient fee (including sibling eviction)");
    BOOST_CHECK(r.m_state.GetDebugMessage().find("rejecting replacement " + cheap->GetHash().GetHex()) == 0);
    BOOST_CHECK(r.m_state.GetTxResult() == TxValidationResult::RECONSIDERABLE);
    // Higher feerate but not the incremental relay fee on top of the sibling's fee.
    const TransactionRef close = s.Make({ChainFixture::Output(parent, 1)}, 2001, 3);
    r = s.Accept(close);
    BOOST_CHECK_EQUAL(r.m_state.GetRejectReason(), "insufficient fee (including sibling eviction)");
    BOOST_CHECK(r.m_state.GetDebugMessage().find("not enough additional fees to relay") != std::string::npos);
    BOOST_CHECK(s.pool->exists(child->GetHash()));

    // testmempoolaccept says yes and changes nothing.
    const TransactionRef better = s.Make({ChainFixture::Output(parent, 1)}, 4000, 3);
    r = s.Accept(better, /*test_accept=*/true);
    BOOST_REQUIRE_MESSAGE(r.IsValid(), r.m_state.ToString());
    BOOST_CHECK(r.m_replaced_txids == std::vector<uint256>{child->GetHash()});
    BOOST_CHECK(s.pool->exists(child->GetHash()));
    // Paying enough: the sibling leaves, replaced.
    r = s.Accept(better);
    BOOST_REQUIRE_MESSAGE(r.IsValid(), r.m_state.ToString());
    BOOST_CHECK(r.m_replaced_txids == std::vector<uint256>{child->GetHash()});
    BOOST_CHECK(!s.pool->exists(child->GetHash()));
    BOOST_CHECK(s.pool->exists(better->GetHash()));
    BOOST_CHECK_EQUAL(s.pool->size(), 2U);

    // A child replacing its sibling by spending the same input is ordinary RBF.
    const TransactionRef direct = s.Make({ChainFixture::Output(parent, 1)}, 8000, 3, 2);
    r = s.Accept(direct);
    BOOST_REQUIRE_MESSAGE(r.IsValid(), r.m_state.ToString());
    BOOST_CHECK(r.m_replaced_txids == std::vector<uint256>{better->GetHash()});
    s.Check();
}

BOOST_AUTO_TEST_CASE(no_sibling_eviction_after_reorg)
{
    TrucSetup s;
    // Two TRUC children of a confirmed TRUC parent are fine...
    const TransactionRef parent = s.Make({s.Coinbase(0)}, 1000, 3, 3);
    const auto block = s.fx.Mine({parent});
    const TransactionRef c1 = s.Make({ChainFixture::Output(parent, 0)}, 1000, 3);
    const TransactionRef c2 = s.Make({ChainFixture::Output(parent, 1)}, 1000, 3);
    BOOST_REQUIRE(s.Accept(c1).IsValid());
    BOOST_REQUIRE(s.Accept(c2).IsValid());
    // ...until a reorg brings the parent back: then it has two descendants,
    // and a third child has no single sibling to evict.
    BlockValidationState state;
    BOOST_REQUIRE(s.fx.Chainman().InvalidateBlock(state, s.fx.Chainman().LookupBlockIndex(block->GetHash())));
    BOOST_REQUIRE(s.pool->exists(parent->GetHash()));
    BOOST_REQUIRE_EQUAL(s.pool->size(), 3U);
    const TransactionRef c3 = s.Make({ChainFixture::Output(parent, 2)}, 50000, 3);
    CheckTruc(s.Accept(c3), "tx " + Describe(parent) + " would exceed descendant count limit");
    // Replacing one of them directly is still possible.
    const TransactionRef c1b = s.Make({ChainFixture::Output(parent, 0)}, 50000, 3, 2);
    const auto r = s.Accept(c1b);
    BOOST_CHECK_MESSAGE(r.IsValid(), r.m_state.ToString());
    s.Check();
}

BOOST_AUTO_TEST_CASE(min_relay_fee_only_for_truc_parents)
{
    TrucSetup s;
    // A zero-fee non-TRUC transaction fails for good: no package can pay for it.
    const TransactionRef v2_parent = s.Make({s.Coinbase(0)}, 0, 2);
    auto r = s.Accept(v2_parent);
    BOOST_CHECK_EQUAL(r.m_state.GetRejectReason(), "min relay fee not met");
    BOOST_CHECK(r.m_state.GetTxResult() == TxValidationResult::MEMPOOL_POLICY);
    const TransactionRef v2_child = s.Make({ChainFixture::Output(v2_parent, 0)}, 20000, 2);
    auto pkg = ProcessNewPackage(s.fx.Chainman(), *s.pool, {v2_parent, v2_child}, /*test_accept=*/false);
    BOOST_CHECK(!pkg.IsValid());
    BOOST_CHECK_EQUAL(pkg.m_tx_results.at(v2_parent->GetWitnessHash()).m_state.GetRejectReason(),
                      "min relay fee not met");
    BOOST_CHECK_EQUAL(s.pool->size(), 0U);

    // A zero-fee TRUC parent may wait for its child: alone it is reconsiderable...
    const TransactionRef v3_parent = s.Make({s.Coinbase(1)}, 0, 3);
    r = s.Accept(v3_parent);
    BOOST_CHECK_EQUAL(r.m_state.GetRejectReason(), "min relay fee not met");
    BOOST_CHECK(r.m_state.GetTxResult() == TxValidationResult::RECONSIDERABLE);
    // ...and the package with its child enters.
    const TransactionRef v3_child = s.Make({ChainFixture::Output(v3_parent, 0)}, 20000, 3);
    pkg = ProcessNewPackage(s.fx.Chainman(), *s.pool, {v3_parent, v3_child}, /*test_accept=*/false);
    BOOST_REQUIRE_MESSAGE(pkg.IsValid(), pkg.m_state.ToString());
    BOOST_CHECK(s.pool->exists(v3_parent->GetHash()));
    BOOST_CHECK(s.pool->exists(v3_child->GetHash()));
    BOOST_CHECK_EQUAL(pkg.m_tx_results.at(v3_parent->GetWitnessHash()).m_wtxids_fee_calculations.size(), 2U);
    s.Check();
}

BOOST_AUTO_TEST_CASE(package_checks)
{
    TrucSetup s;
    auto check_package = [&](const std::vector<TransactionRef>& package, bool test_accept, const std::string& debug) {
        const size_t before = s.pool->size();
        const auto res = ProcessNewPackage(s.fx.Chainman(), *s.pool, package, test_accept);
        BOOST_CHECK_EQUAL(res.m_state.GetRejectReason(), "TRUC-violation");
        BOOST_CHECK_EQUAL(res.m_state.GetDebugMessage(), debug);
        BOOST_CHECK_EQUAL(s.pool->size(), before);
        // testmempoolaccept: a package error, no per-transaction verdict.
        if (test_accept) BOOST_CHECK(res.m_tx_results.empty());
    };

    // Version mixing inside a package (parents pay for themselves: checked by
    // testmempoolaccept's dry run, where the parent is not in the pool).
    const TransactionRef v3_parent = s.Make({s.Coinbase(0)}, 1000, 3, 2);
    const TransactionRef v2_child = s.Make({ChainFixture::Output(v3_parent, 0)}, 1000, 2);
    check_package({v3_parent, v2_child}, true,
                  "non-version=3 tx " + Describe(v2_child) + " cannot spend from version=3 tx " + Describe(v3_parent));
    const TransactionRef v2_parent = s.Make({s.Coinbase(1)}, 1000, 2, 2);
    const TransactionRef v3_child = s.Make({ChainFixture::Output(v2_parent, 0)}, 1000, 3);
    check_package({v2_parent, v3_child}, true,
                  "version=3 tx " + Describe(v3_child) + " cannot spend from non-version=3 tx " + Describe(v2_parent));

    // A zero-fee TRUC parent and a child over 1,000 vB: refused as a package.
    const TransactionRef free_parent = s.Make({s.Coinbase(2)}, 0, 3, 2);
    const TransactionRef fat_child = s.Make({ChainFixture::Output(free_parent, 0)}, 30000, 3, 40);
    const std::string fat = "version=3 child tx " + Describe(fat_child) + " is too big: " +
                            std::to_string(GetVirtualTransactionSize(*fat_child)) + " > 1000 virtual bytes";
    check_package({free_parent, fat_child}, false, fat);
    // A dry run has no CPFP: the parent fails on its own fee first...
    const auto dry = ProcessNewPackage(s.fx.Chainman(), *s.pool, {free_parent, fat_child}, /*test_accept=*/true);
    BOOST_CHECK_EQUAL(dry.m_state.GetRejectReason(), "transaction failed");
    BOOST_CHECK_EQUAL(dry.m_tx_results.at(free_parent->GetWitnessHash()).m_state.GetRejectReason(),
                      "min relay fee not met");
    BOOST_CHECK(!dry.m_tx_results.count(fat_child->GetWitnessHash()));
    // ...one that pays for itself reaches the package rule.
    const TransactionRef paying_parent = s.Make({s.Coinbase(5)}, 1000, 3, 2);
    const TransactionRef fat_child2 = s.Make({ChainFixture::Output(paying_parent, 0)}, 30000, 3, 40);
    check_package({paying_parent, fat_child2}, true,
                  "version=3 child tx " + Describe(fat_child2) + " is too big: " +
                      std::to_string(GetVirtualTransactionSize(*fat_child2)) + " > 1000 virtual bytes");

    // Three generations: the middle one has a parent and a child in the package.
    const TransactionRef a = s.Make({s.Coinbase(3)}, 1000, 3, 2);
    const TransactionRef b = s.Make({ChainFixture::Output(a, 0)}, 1000, 3);
    const TransactionRef c = s.Make({ChainFixture::Output(a, 1), ChainFixture::Output(b, 0)}, 1000, 3);
    check_package({a, b, c}, true, "tx " + Describe(a) + " would exceed descendant count limit");

    // A zero-fee TRUC parent whose mempool parent already has a child cannot be
    // helped by a package either: two unconfirmed ancestors for the child.
    const TransactionRef mp = s.Make({s.Coinbase(4)}, 1000, 3, 2);
    BOOST_REQUIRE(s.Accept(mp).IsValid());
    const TransactionRef free_mid = s.Make({ChainFixture::Output(mp, 0)}, 0, 3);
    const TransactionRef leaf = s.Make({ChainFixture::Output(free_mid, 0)}, 20000, 3);
    check_package({free_mid, leaf}, false, "tx " + Describe(leaf) + " would have too many ancestors");
    s.Check();
}

BOOST_AUTO_TEST_SUITE_END()
