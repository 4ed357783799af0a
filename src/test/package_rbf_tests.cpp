// Package RBF (1 parent, 1 child): a package whose parent cannot replace its
// conflicts alone may replace them with its child's fees, when the
// conflicted clusters have at most two transactions, the package pays the
// replaced fees plus the incremental relay fee, the child raises the
// package's feerate and the feerate diagram improves. Also the diagram
// comparison and Core's money formatting used in the messages.
#include <kernel/validation.h>
#include <node/mempool_accept.h>
#include <node/package_rbf.h>
#include <node/txmempool.h>
#include <test/util/chain_fixture.h>
#include <util/time.h>

#include <boost/test/unit_test.hpp>

using namespace node;
using test_util::ChainFixture;
using test_util::SpendableOutput;

namespace {

struct RbfPackageSetup {
    ChainFixture fx;
    std::vector<std::shared_ptr<const Block>> blocks;
    TxMempool pool;

    RbfPackageSetup() { blocks = fx.MineBlocks(120); }

    SpendableOutput Coinbase(int i) { return ChainFixture::CoinbaseOutput(*blocks[i]); }
    TransactionRef Make(const std::vector<SpendableOutput>& ins, Amount fee, int outputs = 1, uint32_t version = 2)
    {
        Amount total = 0;
        for (const SpendableOutput& in : ins) total += in.out.value;
        const Amount each = (total - fee) / outputs;
        std::vector<TxOut> outs(static_cast<size_t>(outputs), TxOut{each, fx.PayoutScript()});
        outs[0].value += (total - fee) - each * outputs;
        return fx.Spend(ins, outs, TxIn::SEQUENCE_FINAL, version);
    }
    MempoolAcceptResult Accept(const TransactionRef& tx)
    {
        return AcceptToMemoryPool(fx.Chainman(), pool, tx, GetTime(), false, false);
    }
    PackageMempoolAcceptResult Submit(const std::vector<TransactionRef>& package, bool test_accept = false)
    {
        return ProcessNewPackage(fx.Chainman(), pool, package, test_accept);
    }
    void Check()
    {
        std::string error;
        BOOST_CHECK_MESSAGE(pool.CheckConsistency(error), error);
    }
};

void CheckFailure(const PackageMempoolAcceptResult& res, const std::string& reason, const std::string& debug = {})
{
    BOOST_CHECK(!res.IsValid());
    BOOST_CHECK_EQUAL(res.m_state.GetRejectReason(), reason);
    BOOST_CHECK_EQUAL(res.m_state.GetDebugMessage(), debug);
}

} // namespace

BOOST_AUTO_TEST_SUITE(package_rbf_tests)

BOOST_AUTO_TEST_CASE(format_money)
{
    BOOST_CHECK_EQUAL(FormatMoney(0), "0.00");
    BOOST_CHECK_EQUAL(FormatMoney(1000), "0.00001");
    BOOST_CHECK_EQUAL(FormatMoney(100000000), "1.00");
    BOOST_CHECK_EQUAL(FormatMoney(123456789), "1.23456789");
    BOOST_CHECK_EQUAL(FormatMoney(2100000000000000), "21000000.00");
    BOOST_CHECK_EQUAL(FormatMoney(-50000000), "-0.50");
}

BOOST_AUTO_TEST_CASE(diagram_comparison)
{
    using V = std::vector<FeeChunk>;
    BOOST_CHECK(std::is_eq(CompareFeerateDiagrams(V{{1000, 100}}, V{{1000, 100}})));
    BOOST_CHECK(std::is_eq(CompareFeerateDiagrams(V{{1000, 100}}, V{{500, 50}, {500, 50}})));
    BOOST_CHECK(std::is_gt(CompareFeerateDiagrams(V{{1001, 100}}, V{{1000, 100}})));
    BOOST_CHECK(std::is_lt(CompareFeerateDiagrams(V{{1000, 100}}, V{{1001, 100}})));
    // Same start, a longer tail: the longer one is better past the shorter's end.
    BOOST_CHECK(std::is_gt(CompareFeerateDiagrams(V{{1000, 100}, {10, 100}}, V{{1000, 100}})));
    // More fees in total but a worse start: incomparable.
    const auto crossing = CompareFeerateDiagrams(V{{1010, 200}}, V{{1000, 100}});
    BOOST_CHECK(crossing == std::partial_ordering::unordered);
}

BOOST_AUTO_TEST_CASE(replaces_with_child_fees)
{
    RbfPackageSetup s;
    const TransactionRef original = s.Make({s.Coinbase(0)}, 5000);
    BOOST_REQUIRE(s.Accept(original).IsValid());
    // The new parent pays less than the original: alone it cannot replace it.
    const TransactionRef parent = s.Make({s.Coinbase(0)}, 1000, 2);
    const auto alone = s.Accept(parent);
    BOOST_CHECK_EQUAL(alone.m_state.GetRejectReason(), "insufficient fee");
    BOOST_CHECK(alone.m_state.GetTxResult() == TxValidationResult::RECONSIDERABLE);
    const TransactionRef child = s.Make({ChainFixture::Output(parent, 0)}, 20000);

    // A package dry run (testmempoolaccept) allows no replacement at all, as Core.
    auto res = s.Submit({parent, child}, /*test_accept=*/true);
    BOOST_CHECK(!res.IsValid());
    BOOST_CHECK_EQUAL(res.m_tx_results.at(parent->GetWitnessHash()).m_state.GetRejectReason(),
                      "bip125-replacement-disallowed");
    BOOST_CHECK(!res.m_tx_results.count(child->GetWitnessHash()));
    BOOST_CHECK(s.pool.exists(original->GetHash()));

    res = s.Submit({parent, child});
    BOOST_REQUIRE_MESSAGE(res.IsValid(), res.m_state.ToString());
    BOOST_CHECK(!s.pool.exists(original->GetHash()));
    BOOST_CHECK(s.pool.exists(parent->GetHash()));
    BOOST_CHECK(s.pool.exists(child->GetHash()));
    BOOST_CHECK(res.m_tx_results.at(parent->GetWitnessHash()).m_replaced_txids ==
                std::vector<uint256>{original->GetHash()});
    s.Check();
}

BOOST_AUTO_TEST_CASE(truc_zero_fee_parent_replaces)
{
    RbfPackageSetup s;
    // Anchor-style: a zero-fee TRUC parent replacing an earlier version of itself.
    const TransactionRef original = s.Make({s.Coinbase(0)}, 1000, 1, 3);
    BOOST_REQUIRE(s.Accept(original).IsValid());
    const TransactionRef parent = s.Make({s.Coinbase(0)}, 0, 2, 3);
    const TransactionRef child = s.Make({ChainFixture::Output(parent, 0)}, 20000, 1, 3);
    const auto res = s.Submit({parent, child});
    BOOST_REQUIRE_MESSAGE(res.IsValid(), res.m_state.ToString());
    BOOST_CHECK(!s.pool.exists(original->GetHash()));
    BOOST_CHECK_EQUAL(s.pool.size(), 2U);
    s.Check();
}

BOOST_AUTO_TEST_CASE(failures)
{
    RbfPackageSetup s;

    // Not paying the replaced fees.
    const TransactionRef rich = s.Make({s.Coinbase(0)}, 50000);
    BOOST_REQUIRE(s.Accept(rich).IsValid());
    const TransactionRef p1 = s.Make({s.Coinbase(0)}, 1000, 2);
    const TransactionRef c1 = s.Make({ChainFixture::Output(p1, 0)}, 2000);
    CheckFailure(s.Submit({p1, c1}), "package RBF failed: insufficient anti-DoS fees",
                 "rejecting replacement " + c1->GetHash().GetHex() + ", less fees than conflicting txs; 0.00003 < 0.0005");
    BOOST_CHECK(s.pool.exists(rich->GetHash()));
    // Paying them, but not the incremental relay fee on top.
    const TransactionRef c1b = s.Make({ChainFixture::Output(p1, 0)}, 49001);
    const auto r = s.Submit({p1, c1b});
    BOOST_CHECK_EQUAL(r.m_state.GetRejectReason(), "package RBF failed: insufficient anti-DoS fees");
    BOOST_CHECK(r.m_state.GetDebugMessage().find(", not enough additional fees to relay; 0.00000001 < 0.") !=
                std::string::npos);

    // The child lowers the package feerate below the parent's.
    const TransactionRef base = s.Make({s.Coinbase(1)}, 1000, 2);
    BOOST_REQUIRE(s.Accept(base).IsValid());
    BOOST_REQUIRE(s.Accept(s.Make({ChainFixture::Output(base, 0)}, 10000)).IsValid());
    const TransactionRef p2 = s.Make({s.Coinbase(1)}, 10500, 2);
    const TransactionRef c2 = s.Make({ChainFixture::Output(p2, 0)}, 1000);
    const auto low = s.Submit({p2, c2});
    BOOST_CHECK_EQUAL(low.m_state.GetRejectReason(),
                      "package RBF failed: package feerate is less than or equal to parent feerate");
    BOOST_CHECK(low.m_state.GetDebugMessage().find("package feerate ") == 0);
    BOOST_CHECK(low.m_state.GetDebugMessage().find(" <= parent feerate is ") != std::string::npos);

    // A conflicted cluster of three.
    const TransactionRef fan = s.Make({s.Coinbase(2)}, 1000, 2);
    BOOST_REQUIRE(s.Accept(fan).IsValid());
    BOOST_REQUIRE(s.Accept(s.Make({ChainFixture::Output(fan, 0)}, 1000)).IsValid());
    BOOST_REQUIRE(s.Accept(s.Make({ChainFixture::Output(fan, 1)}, 1000)).IsValid());
    const TransactionRef p3 = s.Make({s.Coinbase(2)}, 2000);
    const TransactionRef c3 = s.Make({ChainFixture::Output(p3, 0)}, 50000);
    CheckFailure(s.Submit({p3, c3}),
                 "package RBF failed: " + fan->GetHash().GetHex() + " has 2 descendants, max 1 allowed");

    // The new parent spends a mempool transaction.
    const TransactionRef lone = s.Make({s.Coinbase(3)}, 5000);
    const TransactionRef funding = s.Make({s.Coinbase(4)}, 1000);
    BOOST_REQUIRE(s.Accept(lone).IsValid());
    BOOST_REQUIRE(s.Accept(funding).IsValid());
    const TransactionRef p4 = s.Make({s.Coinbase(3), ChainFixture::Output(funding, 0)}, 1000);
    const TransactionRef c4 = s.Make({ChainFixture::Output(p4, 0)}, 50000);
    CheckFailure(s.Submit({p4, c4}), "package RBF failed: new transaction cannot have mempool ancestors");

    // More than one parent waiting for the child.
    const TransactionRef lone2 = s.Make({s.Coinbase(5)}, 5000);
    const TransactionRef lone3 = s.Make({s.Coinbase(6)}, 5000);
    BOOST_REQUIRE(s.Accept(lone2).IsValid());
    BOOST_REQUIRE(s.Accept(lone3).IsValid());
    const TransactionRef p5 = s.Make({s.Coinbase(5)}, 1000);
    const TransactionRef q5 = s.Make({s.Coinbase(6)}, 1000);
    const TransactionRef c5 = s.Make({ChainFixture::Output(p5, 0), ChainFixture::Output(q5, 0)}, 50000);
    CheckFailure(s.Submit({p5, q5, c5}), "package RBF failed: package must be 1-parent-1-child");
    // A second parent that enters alone becomes a mempool ancestor of the
    // child, as in Core: then the package cannot replace either.
    const TransactionRef q5b = s.Make({s.Coinbase(8)}, 1000);
    const TransactionRef c5b = s.Make({ChainFixture::Output(p5, 0), ChainFixture::Output(q5b, 0)}, 50000);
    const auto with_ancestor = s.Submit({p5, q5b, c5b});
    CheckFailure(with_ancestor, "package RBF failed: new transaction cannot have mempool ancestors");
    BOOST_CHECK(with_ancestor.m_tx_results.at(q5b->GetWitnessHash()).IsValid());
    BOOST_CHECK(s.pool.exists(q5b->GetHash()));
    BOOST_CHECK_EQUAL(with_ancestor.m_tx_results.at(c5b->GetWitnessHash()).m_state.GetRejectReason(),
                      "bad-txns-inputs-missingorspent");

    // Pays more in total but at a worse feerate than the small, rich original.
    const TransactionRef dense = s.Make({s.Coinbase(7)}, 10000);
    BOOST_REQUIRE(s.Accept(dense).IsValid());
    const TransactionRef p6 = s.Make({s.Coinbase(7)}, 100, 2);
    const TransactionRef c6 = s.Make({ChainFixture::Output(p6, 0)}, 10100);
    CheckFailure(s.Submit({p6, c6}), "package RBF failed: insufficient feerate: does not improve feerate diagram");
    BOOST_CHECK(s.pool.exists(dense->GetHash()));
    s.Check();
}

BOOST_AUTO_TEST_SUITE_END()
