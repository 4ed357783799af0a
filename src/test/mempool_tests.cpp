// The mempool on a regtest chain: acceptance and Core's reject reasons,
// ancestor/descendant aggregates and limits, removal for blocks (block,
// conflict), expiry, size limit with the rolling minimum fee, reorg
// re-adding, sequence numbers, persistence.
#include <kernel/validation.h>
#include <node/mempool_accept.h>
#include <node/mempool_persist.h>
#include <node/txmempool.h>
#include <test/util/chain_fixture.h>
#include <util/time.h>

#include <boost/test/unit_test.hpp>

using namespace node;
using test_util::ChainFixture;

namespace {

struct MempoolSetup {
    ChainFixture fx;
    std::vector<std::shared_ptr<const Block>> blocks;
    std::unique_ptr<TxMempool> pool;
    std::unique_ptr<MempoolChainSync> sync;

    explicit MempoolSetup(MempoolOptions opts = {})
    {
        blocks = fx.MineBlocks(110);
        pool = std::make_unique<TxMempool>(opts);
        sync = std::make_unique<MempoolChainSync>(fx.Chainman(), *pool);
        fx.Chainman().RegisterObserver(sync.get());
    }
    ~MempoolSetup() { fx.Chainman().UnregisterObserver(sync.get()); }

    MempoolAcceptResult Accept(const TransactionRef& tx, bool test_accept = false)
    {
        return AcceptToMemoryPool(fx.Chainman(), *pool, tx, GetTime(), false, test_accept);
    }
    test_util::SpendableOutput Coinbase(int i) { return ChainFixture::CoinbaseOutput(*blocks[i]); }
    void Check()
    {
        std::string error;
        BOOST_CHECK_MESSAGE(pool->CheckConsistency(error), error);
    }
};

struct Recorder : MempoolObserver {
    std::vector<std::pair<uint256, uint64_t>> added;
    std::vector<std::tuple<uint256, MemPoolRemovalReason, uint64_t>> removed;
    void TransactionAdded(const TransactionRef& tx, uint64_t seq) override { added.emplace_back(tx->GetHash(), seq); }
    void TransactionRemoved(const TransactionRef& tx, MemPoolRemovalReason r, uint64_t seq) override
    {
        removed.emplace_back(tx->GetHash(), r, seq);
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(mempool_tests)

BOOST_AUTO_TEST_CASE(accept_and_reject_reasons)
{
    MempoolSetup s;
    const TransactionRef tx = s.fx.SpendTo(s.Coinbase(0), 1000);
    auto r = s.Accept(tx);
    BOOST_REQUIRE_MESSAGE(r.m_result_type == MempoolAcceptResult::ResultType::VALID, r.m_state.ToString());
    BOOST_CHECK_EQUAL(*r.m_base_fees, 1000);
    BOOST_CHECK_EQUAL(*r.m_vsize, GetVirtualTransactionSize(*tx));
    BOOST_CHECK(s.pool->exists(tx->GetHash()));
    BOOST_CHECK(s.pool->exists_wtxid(tx->GetWitnessHash()));
    BOOST_CHECK_EQUAL(s.pool->size(), 1U);
    BOOST_CHECK_EQUAL(s.pool->GetTotalTxSize(), static_cast<uint64_t>(*r.m_vsize));
    BOOST_CHECK_GT(s.pool->DynamicMemoryUsage(), 0U);

    r = s.Accept(tx);
    BOOST_CHECK_EQUAL(r.m_state.GetRejectReason(), "txn-already-in-mempool");

    // Zero fee: below -minrelaytxfee.
    r = s.Accept(s.fx.SpendTo(s.Coinbase(1), 0));
    BOOST_CHECK_EQUAL(r.m_state.GetRejectReason(), "min relay fee not met");
    BOOST_CHECK(r.m_state.GetTxResult() == TxValidationResult::RECONSIDERABLE);

    // Unknown input.
    test_util::SpendableOutput missing = s.Coinbase(2);
    missing.outpoint.n = 7;
    TxOut pay = s.Coinbase(2).out;
    pay.value = 1000000;
    r = s.Accept(s.fx.Spend({missing}, {pay}));
    BOOST_CHECK_EQUAL(r.m_state.GetRejectReason(), "bad-txns-inputs-missingorspent");

    // Immature coinbase (the tip's).
    r = s.Accept(s.fx.SpendTo(ChainFixture::CoinbaseOutput(*s.blocks.back()), 1000));
    BOOST_CHECK_EQUAL(r.m_state.GetRejectReason(), "bad-txns-premature-spend-of-coinbase");

    // test_accept adds nothing.
    const TransactionRef other = s.fx.SpendTo(s.Coinbase(3), 1000);
    r = s.Accept(other, /*test_accept=*/true);
    BOOST_CHECK(r.m_result_type == MempoolAcceptResult::ResultType::VALID);
    BOOST_CHECK(!s.pool->exists(other->GetHash()));

    // BIP68: a relative lock of one block on a coin created in the next block.
    const TransactionRef parent = s.fx.SpendTo(s.Coinbase(4), 1000);
    BOOST_REQUIRE(s.Accept(parent).IsValid());
    TxOut pay2 = parent->vout[0];
    pay2.value -= 1000;
    r = s.Accept(s.fx.Spend({ChainFixture::Output(parent, 0)}, {pay2}, 1));
    BOOST_CHECK_EQUAL(r.m_state.GetRejectReason(), "non-BIP68-final");
    s.Check();
}

BOOST_AUTO_TEST_CASE(ancestors_descendants_and_limits)
{
    MempoolOptions opts;
    opts.limits.ancestor_count = 3;
    opts.limits.descendant_count = 4;
    MempoolSetup s(opts);
    const TransactionRef a = s.fx.SpendTo(s.Coinbase(0), 1000, 2);
    const TransactionRef b = s.fx.SpendTo(ChainFixture::Output(a, 0), 2000);
    const TransactionRef c = s.fx.SpendTo(ChainFixture::Output(b, 0), 3000);
    for (const auto& tx : {a, b, c}) {
        auto r = s.Accept(tx);
        BOOST_REQUIRE_MESSAGE(r.IsValid(), r.m_state.ToString());
    }
    std::lock_guard lock(s.pool->Mutex());
    const TxMempoolEntry* ea = s.pool->GetEntry(a->GetHash());
    const TxMempoolEntry* ec = s.pool->GetEntry(c->GetHash());
    BOOST_CHECK_EQUAL(ea->GetCountWithDescendants(), 3U);
    BOOST_CHECK_EQUAL(ea->GetModFeesWithDescendants(), 6000);
    BOOST_CHECK_EQUAL(ec->GetCountWithAncestors(), 3U);
    BOOST_CHECK_EQUAL(ec->GetModFeesWithAncestors(), 6000);
    BOOST_CHECK_EQUAL(s.pool->CalculateAncestors(c->GetHash()).size(), 2U);
    BOOST_CHECK_EQUAL(s.pool->CalculateDescendants(a->GetHash()).size(), 2U);
    s.Check();

    // A fourth in the chain breaks the ancestor limit.
    auto r = s.Accept(s.fx.SpendTo(ChainFixture::Output(c, 0), 1000));
    BOOST_CHECK_EQUAL(r.m_state.GetRejectReason(), "too-long-mempool-chain");
    BOOST_CHECK(r.m_state.GetDebugMessage().find("too many unconfirmed ancestors") != std::string::npos);
    // A sibling under a fills a's descendant limit, its child breaks it.
    const TransactionRef sib = s.fx.SpendTo(ChainFixture::Output(a, 1), 1000);
    BOOST_REQUIRE(s.Accept(sib).IsValid());
    r = s.Accept(s.fx.SpendTo(ChainFixture::Output(sib, 0), 1000));
    BOOST_CHECK_EQUAL(r.m_state.GetRejectReason(), "too-long-mempool-chain");
    BOOST_CHECK(r.m_state.GetDebugMessage().find("too many descendants") != std::string::npos);

    // prioritisetransaction moves the aggregates.
    s.pool->PrioritiseTransaction(b->GetHash(), 500);
    BOOST_CHECK_EQUAL(s.pool->GetEntry(a->GetHash())->GetModFeesWithDescendants(), 7500);
    BOOST_CHECK_EQUAL(s.pool->GetEntry(c->GetHash())->GetModFeesWithAncestors(), 6500);
    BOOST_CHECK_EQUAL(s.pool->GetFeeDelta(b->GetHash()), 500);
    s.Check();
}

BOOST_AUTO_TEST_CASE(block_and_conflict_removal)
{
    MempoolSetup s;
    Recorder rec;
    s.pool->RegisterObserver(&rec);
    const TransactionRef a = s.fx.SpendTo(s.Coinbase(0), 1000);
    const TransactionRef b = s.fx.SpendTo(ChainFixture::Output(a, 0), 1000);
    const TransactionRef x = s.fx.SpendTo(s.Coinbase(1), 1000);
    for (const auto& tx : {a, b, x}) BOOST_REQUIRE(s.Accept(tx).IsValid());
    // The block confirms a and a different spend of x's coin.
    const TransactionRef x2 = s.fx.SpendTo(s.Coinbase(1), 5000);
    s.fx.Mine({a, x2});
    BOOST_CHECK(!s.pool->exists(a->GetHash()));
    BOOST_CHECK(!s.pool->exists(x->GetHash()));
    BOOST_CHECK(s.pool->exists(b->GetHash()));
    {
        std::lock_guard lock(s.pool->Mutex());
        BOOST_CHECK_EQUAL(s.pool->GetEntry(b->GetHash())->GetCountWithAncestors(), 1U);
    }
    s.Check();
    BOOST_REQUIRE_EQUAL(rec.removed.size(), 2U);
    BOOST_CHECK(std::get<0>(rec.removed[0]) == a->GetHash());
    BOOST_CHECK(std::get<1>(rec.removed[0]) == MemPoolRemovalReason::BLOCK);
    BOOST_CHECK(std::get<0>(rec.removed[1]) == x->GetHash());
    BOOST_CHECK(std::get<1>(rec.removed[1]) == MemPoolRemovalReason::CONFLICT);
    // Sequence numbers: one per event, increasing.
    BOOST_REQUIRE_EQUAL(rec.added.size(), 3U);
    BOOST_CHECK_EQUAL(rec.added[0].second + 1, rec.added[1].second);
    BOOST_CHECK_LT(rec.added[2].second, std::get<2>(rec.removed[0]));
    BOOST_CHECK_EQUAL(s.pool->GetSequence(), std::get<2>(rec.removed[1]) + 1);
    s.pool->UnregisterObserver(&rec);
}

BOOST_AUTO_TEST_CASE(expiry)
{
    MempoolSetup s;
    const TransactionRef a = s.fx.SpendTo(s.Coinbase(0), 1000);
    const TransactionRef b = s.fx.SpendTo(ChainFixture::Output(a, 0), 1000);
    // (bypass_limits: an ordinary acceptance would expire it at once)
    BOOST_REQUIRE(AcceptToMemoryPool(s.fx.Chainman(), *s.pool, a, 1000, true, false).IsValid());
    BOOST_REQUIRE(AcceptToMemoryPool(s.fx.Chainman(), *s.pool, b, 3000, true, false).IsValid());
    // a is older than the cutoff; b goes with it as a descendant.
    BOOST_CHECK_EQUAL(s.pool->Expire(2000), 2);
    BOOST_CHECK_EQUAL(s.pool->size(), 0U);
    s.Check();
}

BOOST_AUTO_TEST_CASE(size_limit_and_rolling_fee)
{
    MempoolSetup s;
    std::vector<TransactionRef> txs;
    for (int i = 0; i < 5; ++i) {
        txs.push_back(s.fx.SpendTo(s.Coinbase(i), 1000 * (i + 1)));
        BOOST_REQUIRE(s.Accept(txs.back()).IsValid());
    }
    BOOST_CHECK_EQUAL(s.pool->GetMinFee().GetFeePerK(), 0);
    const size_t usage = s.pool->DynamicMemoryUsage();
    std::vector<OutPoint> no_spends;
    s.pool->TrimToSize(static_cast<int64_t>(usage) - 1, &no_spends);
    // The lowest feerate left, with its input reported.
    BOOST_CHECK_EQUAL(s.pool->size(), 4U);
    BOOST_CHECK(!s.pool->exists(txs[0]->GetHash()));
    BOOST_REQUIRE_EQUAL(no_spends.size(), 1U);
    BOOST_CHECK(no_spends[0] == txs[0]->vin[0].prevout);
    // Rolling minimum: the evicted feerate plus the incremental relay fee.
    const int64_t vsize = GetVirtualTransactionSize(*txs[0]);
    const Amount expected = FeeRate(1000, vsize).GetFeePerK() + 100;
    BOOST_CHECK_EQUAL(s.pool->GetMinFee().GetFeePerK(), expected);
    // Below it is "mempool min fee not met".
    auto r = s.Accept(s.fx.SpendTo(s.Coinbase(6), 900));
    BOOST_CHECK_EQUAL(r.m_state.GetRejectReason(), "mempool min fee not met");
    // After a block, the minimum decays with time (halflife 12h, faster when the pool is small).
    s.fx.Mine({});
    SetMockTime(GetTime() + 60 * 60 * 24);
    BOOST_CHECK_EQUAL(s.pool->GetMinFee().GetFeePerK(), 0);
    SetMockTime(0);
    s.Check();
}

BOOST_AUTO_TEST_CASE(eviction_by_descendant_score)
{
    MempoolSetup s;
    // A cheap parent with a well-paying child outranks a lone mid-fee transaction.
    const TransactionRef parent = s.fx.SpendTo(s.Coinbase(0), 100);
    const TransactionRef child = s.fx.SpendTo(ChainFixture::Output(parent, 0), 20000);
    const TransactionRef lone = s.fx.SpendTo(s.Coinbase(1), 2000);
    const TransactionRef rich = s.fx.SpendTo(s.Coinbase(2), 50000);
    BOOST_REQUIRE(s.Accept(parent).IsValid());
    BOOST_REQUIRE(s.Accept(child).IsValid());
    BOOST_REQUIRE(s.Accept(lone).IsValid());
    BOOST_REQUIRE(s.Accept(rich).IsValid());
    s.Check();
    s.pool->TrimToSize(static_cast<int64_t>(s.pool->DynamicMemoryUsage()) - 1);
    BOOST_CHECK(!s.pool->exists(lone->GetHash()));
    BOOST_CHECK_EQUAL(s.pool->size(), 3U);
    s.Check();
    // Prioritising the parent down makes its package the cheapest... still
    // paid for by the child; prioritising the child down makes it go next.
    s.pool->PrioritiseTransaction(child->GetHash(), -19900);
    s.Check();
    s.pool->TrimToSize(static_cast<int64_t>(s.pool->DynamicMemoryUsage()) - 1);
    BOOST_CHECK(!s.pool->exists(parent->GetHash()));
    BOOST_CHECK(!s.pool->exists(child->GetHash()));
    BOOST_CHECK(s.pool->exists(rich->GetHash()));
    s.Check();
}

BOOST_AUTO_TEST_CASE(reorg_readds_transactions)
{
    MempoolSetup s;
    Recorder rec;
    s.pool->RegisterObserver(&rec);
    const TransactionRef a = s.fx.SpendTo(s.Coinbase(0), 1000);
    const TransactionRef b = s.fx.SpendTo(ChainFixture::Output(a, 0), 1000);
    BOOST_REQUIRE(s.Accept(a).IsValid());
    const auto block = s.fx.Mine({a});
    BOOST_REQUIRE(s.Accept(b).IsValid());
    BOOST_CHECK(!s.pool->exists(a->GetHash()));
    // Disconnect the block: a comes back, under its child b.
    BlockValidationState state;
    BOOST_REQUIRE(s.fx.Chainman().InvalidateBlock(state, s.fx.Chainman().LookupBlockIndex(block->GetHash())));
    BOOST_CHECK(s.pool->exists(a->GetHash()));
    BOOST_CHECK(s.pool->exists(b->GetHash()));
    {
        std::lock_guard lock(s.pool->Mutex());
        BOOST_CHECK_EQUAL(s.pool->GetEntry(b->GetHash())->GetCountWithAncestors(), 2U);
        BOOST_CHECK_EQUAL(s.pool->GetEntry(a->GetHash())->GetCountWithDescendants(), 2U);
    }
    s.Check();

    // A spend of a coinbase that becomes immature after a reorg leaves with reason reorg.
    rec.removed.clear();
    const int h = s.fx.Height();
    // blocks[h - 100] is the oldest coinbase mature at the next height.
    const TransactionRef young = s.fx.SpendTo(ChainFixture::CoinbaseOutput(*s.blocks[h - 100]), 1000);
    const auto young_result = s.Accept(young);
    BOOST_REQUIRE_MESSAGE(young_result.IsValid(), young_result.m_state.ToString());
    BOOST_REQUIRE(s.fx.Chainman().InvalidateBlock(state, const_cast<BlockIndex*>(s.fx.Tip())));
    BOOST_CHECK(!s.pool->exists(young->GetHash()));
    bool found = false;
    for (const auto& [txid, reason, seq] : rec.removed) {
        if (txid == young->GetHash()) found = reason == MemPoolRemovalReason::REORG;
    }
    BOOST_CHECK(found);
    s.Check();
    s.pool->UnregisterObserver(&rec);
}

BOOST_AUTO_TEST_CASE(persistence_roundtrip)
{
    MempoolSetup s;
    const TransactionRef a = s.fx.SpendTo(s.Coinbase(0), 1000);
    const TransactionRef b = s.fx.SpendTo(ChainFixture::Output(a, 0), 2000);
    BOOST_REQUIRE(s.Accept(a).IsValid());
    BOOST_REQUIRE(s.Accept(b).IsValid());
    s.pool->PrioritiseTransaction(b->GetHash(), 300);
    uint256 other;
    other.data()[0] = 9;
    s.pool->PrioritiseTransaction(other, 77);
    for (bool v1 : {false, true}) {
        const auto path = s.fx.DataDir() / "mempool.dat";
        std::string error;
        BOOST_REQUIRE_MESSAGE(DumpMempool(*s.pool, path, v1, error), error);
        TxMempool loaded;
        LoadMempoolResult result;
        BOOST_REQUIRE(LoadMempool(loaded, s.fx.Chainman(), path, result, error));
        BOOST_CHECK_EQUAL(result.succeeded, 2U);
        BOOST_CHECK(loaded.exists(a->GetHash()));
        BOOST_CHECK(loaded.exists(b->GetHash()));
        BOOST_CHECK_EQUAL(loaded.GetFeeDelta(b->GetHash()), 300);
        BOOST_CHECK_EQUAL(loaded.GetFeeDelta(other), 77);
        BOOST_CHECK(loaded.IsLoaded());
        BOOST_CHECK_EQUAL(loaded.info(a->GetHash())->time, s.pool->info(a->GetHash())->time);
    }
}

BOOST_AUTO_TEST_CASE(cpfp_package)
{
    MempoolSetup s;
    const TransactionRef parent = s.fx.SpendTo(s.Coinbase(0), 0);
    const TransactionRef child = s.fx.SpendTo(ChainFixture::Output(parent, 0), 5000);
    BOOST_CHECK_EQUAL(s.Accept(parent).m_state.GetRejectReason(), "min relay fee not met");
    auto tested = ProcessNewPackage(s.fx.Chainman(), *s.pool, {parent, child}, /*test_accept=*/true);
    for (const auto& [w, tr] : tested.m_tx_results) BOOST_TEST_MESSAGE(w.GetHex() << " " << tr.m_state.ToString());
    BOOST_CHECK_MESSAGE(tested.IsValid(), tested.m_state.ToString());
    BOOST_CHECK_EQUAL(s.pool->size(), 0U);
    auto res = ProcessNewPackage(s.fx.Chainman(), *s.pool, {parent, child}, /*test_accept=*/false);
    for (const auto& [w, tr] : res.m_tx_results) BOOST_TEST_MESSAGE(w.GetHex() << " " << tr.m_state.ToString());
    BOOST_REQUIRE_MESSAGE(res.IsValid(), res.m_state.ToString());
    BOOST_CHECK(s.pool->exists(parent->GetHash()));
    BOOST_CHECK(s.pool->exists(child->GetHash()));
    const auto& pr = res.m_tx_results.at(parent->GetWitnessHash());
    BOOST_CHECK_EQUAL(pr.m_wtxids_fee_calculations.size(), 2U);
    // Not child-with-parents.
    const TransactionRef x = s.fx.SpendTo(s.Coinbase(1), 1000);
    const TransactionRef y = s.fx.SpendTo(s.Coinbase(2), 1000);
    res = ProcessNewPackage(s.fx.Chainman(), *s.pool, {x, y}, true);
    BOOST_CHECK_EQUAL(res.m_state.GetRejectReason(), "package-not-child-with-parents");
    s.Check();
}

BOOST_AUTO_TEST_SUITE_END()
