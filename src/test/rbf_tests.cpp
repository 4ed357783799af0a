// Full replace-by-fee: higher absolute fee, higher feerate than each
// replaced transaction, the incremental relay fee for its own size, at
// most 100 evicted, no new unconfirmed inputs; descendants leave too.
#include <kernel/validation.h>
#include <node/mempool_accept.h>
#include <node/txmempool.h>
#include <test/util/chain_fixture.h>
#include <util/time.h>

#include <boost/test/unit_test.hpp>

using namespace node;
using test_util::ChainFixture;

namespace {

struct RbfSetup {
    ChainFixture fx;
    std::vector<std::shared_ptr<const Block>> blocks;
    TxMempool pool;
    RbfSetup() { blocks = fx.MineBlocks(105); }
    MempoolAcceptResult Accept(const TransactionRef& tx)
    {
        return AcceptToMemoryPool(fx.Chainman(), pool, tx, GetTime(), false, false);
    }
    test_util::SpendableOutput Coinbase(int i) { return ChainFixture::CoinbaseOutput(*blocks[i]); }
};

} // namespace

BOOST_AUTO_TEST_SUITE(rbf_tests)

BOOST_AUTO_TEST_CASE(replacement_rules)
{
    RbfSetup s;
    const TransactionRef orig = s.fx.SpendTo(s.Coinbase(0), 1000);
    const TransactionRef child = s.fx.SpendTo(ChainFixture::Output(orig, 0), 1000);
    BOOST_REQUIRE(s.Accept(orig).IsValid());
    BOOST_REQUIRE(s.Accept(child).IsValid());

    // Same fee: feerate not higher.
    auto r = s.Accept(s.fx.SpendTo(s.Coinbase(0), 1000, 1));
    // SpendTo with the same fee produces the same tx: use 2 outputs to differ.
    r = s.Accept(s.fx.SpendTo(s.Coinbase(0), 1001, 2));
    BOOST_CHECK_EQUAL(r.m_state.GetRejectReason(), "insufficient fee");
    // Higher feerate than orig but less than orig + child's fees.
    r = s.Accept(s.fx.SpendTo(s.Coinbase(0), 1500));
    BOOST_CHECK_EQUAL(r.m_state.GetRejectReason(), "insufficient fee");
    BOOST_CHECK(r.m_state.GetDebugMessage().find("less fees than conflicting txs") != std::string::npos);
    // Pays 2000 (equal to both) but not the incremental relay fee on top.
    r = s.Accept(s.fx.SpendTo(s.Coinbase(0), 2005));
    BOOST_CHECK_EQUAL(r.m_state.GetRejectReason(), "insufficient fee");
    BOOST_CHECK(r.m_state.GetDebugMessage().find("not enough additional fees to relay") != std::string::npos);
    // Enough: replaces orig and evicts its child.
    const TransactionRef repl = s.fx.SpendTo(s.Coinbase(0), 3000);
    r = s.Accept(repl);
    BOOST_REQUIRE_MESSAGE(r.IsValid(), r.m_state.ToString());
    BOOST_CHECK_EQUAL(r.m_replaced_txids.size(), 2U);
    BOOST_CHECK(!s.pool.exists(orig->GetHash()));
    BOOST_CHECK(!s.pool.exists(child->GetHash()));
    BOOST_CHECK(s.pool.exists(repl->GetHash()));
    std::string error;
    BOOST_CHECK_MESSAGE(s.pool.CheckConsistency(error), error);
}

BOOST_AUTO_TEST_CASE(no_new_unconfirmed_inputs)
{
    RbfSetup s;
    const TransactionRef orig = s.fx.SpendTo(s.Coinbase(0), 1000);
    const TransactionRef other = s.fx.SpendTo(s.Coinbase(1), 1000);
    BOOST_REQUIRE(s.Accept(orig).IsValid());
    BOOST_REQUIRE(s.Accept(other).IsValid());
    // Replacement spending orig's coin plus an unconfirmed output of `other`.
    TxOut out = s.Coinbase(0).out;
    out.value = s.Coinbase(0).out.value + other->vout[0].value - 100000;
    const TransactionRef repl = s.fx.Spend({s.Coinbase(0), ChainFixture::Output(other, 0)}, {out});
    auto r = s.Accept(repl);
    BOOST_CHECK_EQUAL(r.m_state.GetRejectReason(), "replacement-adds-unconfirmed");
}

BOOST_AUTO_TEST_CASE(too_many_replacements)
{
    RbfSetup s;
    // One parent with many outputs, 101 children spending them (descendant limit raised).
    MempoolOptions opts;
    opts.limits.descendant_count = 200;
    opts.limits.descendant_size_vbytes = 1000000;
    TxMempool pool(opts);
    const TransactionRef parent = s.fx.SpendTo(s.Coinbase(0), 100000, 101);
    BOOST_REQUIRE(AcceptToMemoryPool(s.fx.Chainman(), pool, parent, GetTime(), false, false).IsValid());
    for (uint32_t i = 0; i < 101; ++i) {
        auto r = AcceptToMemoryPool(s.fx.Chainman(), pool, s.fx.SpendTo(ChainFixture::Output(parent, i), 1000),
                                    GetTime(), false, false);
        BOOST_REQUIRE_MESSAGE(r.IsValid(), r.m_state.ToString());
    }
    auto r = AcceptToMemoryPool(s.fx.Chainman(), pool, s.fx.SpendTo(s.Coinbase(0), 10 * COIN), GetTime(), false, false);
    BOOST_CHECK_EQUAL(r.m_state.GetRejectReason(), "too many potential replacements");
}

BOOST_AUTO_TEST_SUITE_END()
