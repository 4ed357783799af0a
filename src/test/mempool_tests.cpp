// The mempool on a regtest chain: acceptance and Core's reject reasons,
// ancestor/descendant aggregates and limits, removal for blocks (block,
// conflict), expiry, size limit with the rolling minimum fee, reorg
// re-adding, sequence numbers, persistence; the CPFP and single-conflict RBF
// carve-outs of the limits, "mempool full" (single and package),
// submitpackage's "max feerate exceeded", a package member failing alone
// (the others still tried alone), package dry runs'
// "package-mempool-limits" and "bip125-replacement-disallowed", ephemeral
// dust spends, the 2,500 legacy sigops cap.
#include <crypto/hash.h>
#include <kernel/validation.h>
#include <node/mempool_accept.h>
#include <node/mempool_persist.h>
#include <node/txmempool.h>
#include <test/util/chain_fixture.h>
#include <util/time.h>

#include <array>

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
    // A fresh, empty mempool with other options on the same chain (limits
    // computed from transactions built on this chain).
    void ReplacePool(const MempoolOptions& opts)
    {
        fx.Chainman().UnregisterObserver(sync.get());
        sync.reset();
        pool = std::make_unique<TxMempool>(opts);
        sync = std::make_unique<MempoolChainSync>(fx.Chainman(), *pool);
        fx.Chainman().RegisterObserver(sync.get());
    }
    void Check()
    {
        std::string error;
        BOOST_CHECK_MESSAGE(pool->CheckConsistency(error), error);
    }
};

struct Recorder : MempoolObserver {
    std::vector<std::pair<uint256, uint64_t>> added;
    std::vector<std::tuple<uint256, MemPoolRemovalReason, uint64_t>> removed;
    void TransactionAdded(const TransactionRef& tx, uint64_t seq, const MempoolAddInfo&) override { added.emplace_back(tx->GetHash(), seq); }
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

    // Zero fee: below -minrelaytxfee. Final for a non-TRUC transaction (only
    // a TRUC one may be paid for by a child in a package: truc_tests).
    r = s.Accept(s.fx.SpendTo(s.Coinbase(1), 0));
    BOOST_CHECK_EQUAL(r.m_state.GetRejectReason(), "min relay fee not met");
    BOOST_CHECK(r.m_state.GetTxResult() == TxValidationResult::MEMPOOL_POLICY);

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
    // Version 3 (TRUC): only a TRUC parent may be below the minimum relay feerate.
    TxOut parent_out = s.Coinbase(0).out;
    const TransactionRef parent = s.fx.Spend({s.Coinbase(0)}, {parent_out}, TxIn::SEQUENCE_FINAL, 3);
    TxOut child_out = parent_out;
    child_out.value -= 5000;
    const TransactionRef child = s.fx.Spend({ChainFixture::Output(parent, 0)}, {child_out}, TxIn::SEQUENCE_FINAL, 3);
    BOOST_CHECK_EQUAL(s.Accept(parent).m_state.GetRejectReason(), "min relay fee not met");
    // A dry run (testmempoolaccept) has no CPFP: the parent fails on its own
    // fee and the child is not judged.
    auto tested = ProcessNewPackage(s.fx.Chainman(), *s.pool, {parent, child}, /*test_accept=*/true);
    BOOST_CHECK_EQUAL(tested.m_state.GetRejectReason(), "transaction failed");
    BOOST_CHECK_EQUAL(tested.m_tx_results.size(), 1U);
    BOOST_CHECK_EQUAL(tested.m_tx_results.at(parent->GetWitnessHash()).m_state.GetRejectReason(),
                      "min relay fee not met");
    BOOST_CHECK_EQUAL(s.pool->size(), 0U);
    auto res = ProcessNewPackage(s.fx.Chainman(), *s.pool, {parent, child}, /*test_accept=*/false);
    for (const auto& [w, tr] : res.m_tx_results) BOOST_TEST_MESSAGE(w.GetHex() << " " << tr.m_state.ToString());
    BOOST_REQUIRE_MESSAGE(res.IsValid(), res.m_state.ToString());
    BOOST_CHECK(s.pool->exists(parent->GetHash()));
    BOOST_CHECK(s.pool->exists(child->GetHash()));
    const auto& pr = res.m_tx_results.at(parent->GetWitnessHash());
    BOOST_CHECK_EQUAL(pr.m_wtxids_fee_calculations.size(), 2U);
    // Not child-with-parents: refused for submission, fine for a dry run.
    const TransactionRef x = s.fx.SpendTo(s.Coinbase(1), 1000);
    const TransactionRef y = s.fx.SpendTo(s.Coinbase(2), 1000);
    res = ProcessNewPackage(s.fx.Chainman(), *s.pool, {x, y}, false);
    BOOST_CHECK_EQUAL(res.m_state.GetRejectReason(), "package-not-child-with-parents");
    res = ProcessNewPackage(s.fx.Chainman(), *s.pool, {x, y}, true);
    BOOST_CHECK_MESSAGE(res.IsValid(), res.m_state.ToString());
    BOOST_CHECK_EQUAL(res.m_tx_results.size(), 2U);
    for (const auto& [w, tr] : res.m_tx_results) BOOST_CHECK(tr.m_result_type == MempoolAcceptResult::ResultType::VALID);
    BOOST_CHECK_EQUAL(s.pool->size(), 2U);
    s.Check();
}

// CPFP carve-out: with its single in-mempool ancestor at the descendant
// limit, a small transaction still gets in (one extra slot); not a second
// one, not one with two ancestors, not a big one, not a TRUC one, not in a
// package. The carved-out child stays replaceable.
BOOST_AUTO_TEST_CASE(cpfp_carve_out)
{
    MempoolOptions opts;
    opts.limits.descendant_count = 3;
    MempoolSetup s(opts);
    const TransactionRef p = s.fx.SpendTo(s.Coinbase(0), 1000, 4);
    const TransactionRef c1 = s.fx.SpendTo(ChainFixture::Output(p, 0), 1000);
    const TransactionRef c2 = s.fx.SpendTo(ChainFixture::Output(c1, 0), 1000);
    const TransactionRef q = s.fx.SpendTo(s.Coinbase(1), 1000);
    for (const auto& tx : {p, c1, c2, q}) {
        const auto r = s.Accept(tx);
        BOOST_REQUIRE_MESSAGE(r.IsValid(), r.m_state.ToString());
    }
    const std::string too_many = "too many descendants for tx " + p->GetHash().GetHex() + " [limit: 3]";
    auto rejected = [&](const MempoolAcceptResult& r) {
        BOOST_CHECK_EQUAL(r.m_state.GetRejectReason(), "too-long-mempool-chain");
        // The normal limits' error, not the carve-out's.
        BOOST_CHECK_EQUAL(r.m_state.GetDebugMessage(), too_many);
    };

    // Two in-mempool parents (p and q): no carve-out.
    TxOut pay = p->vout[1];
    pay.value += q->vout[0].value - 2000;
    rejected(s.Accept(s.fx.Spend({ChainFixture::Output(p, 1), ChainFixture::Output(q, 0)}, {pay})));
    // A child of c2 has three ancestors: no carve-out either.
    BOOST_CHECK_EQUAL(s.Accept(s.fx.SpendTo(ChainFixture::Output(c2, 0), 1000)).m_state.GetRejectReason(),
                      "too-long-mempool-chain");
    // Above 10,000 vB: no carve-out.
    const TransactionRef big = s.fx.SpendTo(ChainFixture::Output(p, 1), 20000, 330);
    BOOST_REQUIRE_GT(GetVirtualTransactionSize(*big), EXTRA_DESCENDANT_TX_SIZE_LIMIT);
    rejected(s.Accept(big));
    // TRUC (version 3): no carve-out (the limits are checked before the TRUC rules).
    TxOut pay3 = p->vout[1];
    pay3.value -= 1000;
    rejected(s.Accept(s.fx.Spend({ChainFixture::Output(p, 1)}, {pay3}, TxIn::SEQUENCE_FINAL, 3)));

    // The small one with a single ancestor: in through the carve-out, also as a dry run.
    const TransactionRef x = s.fx.SpendTo(ChainFixture::Output(p, 1), 1000);
    BOOST_REQUIRE_LE(GetVirtualTransactionSize(*x), EXTRA_DESCENDANT_TX_SIZE_LIMIT);
    // Not in a package (testmempoolaccept / submitpackage contexts).
    for (bool test_accept : {true, false}) {
        auto pkg = ProcessNewPackage(s.fx.Chainman(), *s.pool, {x}, test_accept);
        BOOST_CHECK(!pkg.IsValid());
        rejected(pkg.m_tx_results.at(x->GetWitnessHash()));
    }
    BOOST_CHECK(!s.pool->exists(x->GetHash()));
    auto r = s.Accept(x, /*test_accept=*/true);
    BOOST_CHECK_MESSAGE(r.IsValid(), r.m_state.ToString());
    r = s.Accept(x);
    BOOST_REQUIRE_MESSAGE(r.IsValid(), r.m_state.ToString());
    {
        std::lock_guard lock(s.pool->Mutex());
        BOOST_CHECK_EQUAL(s.pool->GetEntry(p->GetHash())->GetCountWithDescendants(), 4U);
    }
    s.Check();
    // The extra slot is taken: a second small child is refused.
    rejected(s.Accept(s.fx.SpendTo(ChainFixture::Output(p, 2), 1000)));

    // Replacing the carved-out child (one conflict): its slot is counted as free.
    const TransactionRef x2 = s.fx.SpendTo(ChainFixture::Output(p, 1), 5000);
    r = s.Accept(x2);
    BOOST_REQUIRE_MESSAGE(r.IsValid(), r.m_state.ToString());
    BOOST_CHECK(!s.pool->exists(x->GetHash()));
    BOOST_CHECK(s.pool->exists(x2->GetHash()));
    s.Check();
}

// The carve-out's 10,000 vB of descendant size above the limit.
BOOST_AUTO_TEST_CASE(cpfp_carve_out_size)
{
    MempoolSetup s;
    const TransactionRef p = s.fx.SpendTo(s.Coinbase(0), 1000, 3);
    const TransactionRef c1 = s.fx.SpendTo(ChainFixture::Output(p, 0), 1000);
    MempoolOptions opts;
    opts.limits.descendant_size_vbytes = GetVirtualTransactionSize(*p) + GetVirtualTransactionSize(*c1);
    s.ReplacePool(opts);
    BOOST_REQUIRE(s.Accept(p).IsValid());
    BOOST_REQUIRE(s.Accept(c1).IsValid());
    const TransactionRef x = s.fx.SpendTo(ChainFixture::Output(p, 1), 1000);
    auto r = ProcessNewPackage(s.fx.Chainman(), *s.pool, {x}, /*test_accept=*/true);
    BOOST_CHECK_EQUAL(r.m_tx_results.at(x->GetWitnessHash()).m_state.GetDebugMessage(),
                      "exceeds descendant size limit for tx " + p->GetHash().GetHex() + " [limit: " +
                          std::to_string(opts.limits.descendant_size_vbytes) + "]");
    auto a = s.Accept(x);
    BOOST_CHECK_MESSAGE(a.IsValid(), a.m_state.ToString());
    // Its child has two ancestors: refused.
    a = s.Accept(s.fx.SpendTo(ChainFixture::Output(x, 0), 1000));
    BOOST_CHECK_EQUAL(a.m_state.GetRejectReason(), "too-long-mempool-chain");
    s.Check();
}

// A replacement of exactly one transaction may use that transaction's
// descendant slot even when it has more than one ancestor (no CPFP carve-out).
BOOST_AUTO_TEST_CASE(rbf_carve_out)
{
    MempoolOptions opts;
    opts.limits.descendant_count = 3;
    MempoolSetup s(opts);
    const TransactionRef g = s.fx.SpendTo(s.Coinbase(0), 1000);
    const TransactionRef p = s.fx.SpendTo(ChainFixture::Output(g, 0), 1000, 2);
    const TransactionRef c = s.fx.SpendTo(ChainFixture::Output(p, 0), 1000);
    for (const auto& tx : {g, p, c}) BOOST_REQUIRE(s.Accept(tx).IsValid());
    // g is at its limit: a new child of p is refused...
    auto r = s.Accept(s.fx.SpendTo(ChainFixture::Output(p, 1), 1000));
    BOOST_CHECK_EQUAL(r.m_state.GetRejectReason(), "too-long-mempool-chain");
    BOOST_CHECK_EQUAL(r.m_state.GetDebugMessage(),
                      "too many descendants for tx " + g->GetHash().GetHex() + " [limit: 3]");
    // ...but a replacement of c takes c's place.
    const TransactionRef c2 = s.fx.SpendTo(ChainFixture::Output(p, 0), 5000);
    r = s.Accept(c2);
    BOOST_REQUIRE_MESSAGE(r.IsValid(), r.m_state.ToString());
    BOOST_REQUIRE_EQUAL(r.m_replaced_txids.size(), 1U);
    BOOST_CHECK(r.m_replaced_txids[0] == c->GetHash());
    BOOST_CHECK(!s.pool->exists(c->GetHash()));
    {
        std::lock_guard lock(s.pool->Mutex());
        BOOST_CHECK_EQUAL(s.pool->GetEntry(g->GetHash())->GetCountWithDescendants(), 3U);
    }
    // Not in a package context (submitpackage; a package dry run refuses
    // any conflict before the limits).
    const TransactionRef c3 = s.fx.SpendTo(ChainFixture::Output(p, 0), 9000);
    auto pkg = ProcessNewPackage(s.fx.Chainman(), *s.pool, {c3}, /*test_accept=*/false);
    BOOST_CHECK_EQUAL(pkg.m_tx_results.at(c3->GetWitnessHash()).m_state.GetRejectReason(), "too-long-mempool-chain");
    BOOST_CHECK(s.pool->exists(c2->GetHash()));
    pkg = ProcessNewPackage(s.fx.Chainman(), *s.pool, {c3}, /*test_accept=*/true);
    BOOST_CHECK_EQUAL(pkg.m_tx_results.at(c3->GetWitnessHash()).m_state.GetRejectReason(),
                      "bip125-replacement-disallowed");
    s.Check();
}

// "mempool full": accepted, then evicted by the size trim of the same acceptance.
BOOST_AUTO_TEST_CASE(mempool_full)
{
    MempoolSetup s;
    std::vector<TransactionRef> rich;
    for (int i = 0; i < 3; ++i) {
        rich.push_back(s.fx.SpendTo(s.Coinbase(i), 50000));
        BOOST_REQUIRE(s.Accept(rich.back()).IsValid());
    }
    // A mempool exactly as large as these three.
    MempoolOptions opts;
    opts.max_size_bytes = static_cast<int64_t>(s.pool->DynamicMemoryUsage());
    s.ReplacePool(opts);
    for (const auto& tx : rich) BOOST_REQUIRE(s.Accept(tx).IsValid());
    BOOST_CHECK_EQUAL(s.pool->GetMinFee().GetFeePerK(), 0);

    // The cheapest: passes every check, goes in, and is the one trimmed.
    const TransactionRef poor = s.fx.SpendTo(s.Coinbase(3), 1000);
    BOOST_CHECK(s.Accept(poor, /*test_accept=*/true).IsValid());
    auto r = s.Accept(poor);
    BOOST_CHECK_EQUAL(r.m_state.GetRejectReason(), "mempool full");
    BOOST_CHECK(r.m_state.GetTxResult() == TxValidationResult::MEMPOOL_POLICY);
    BOOST_CHECK(!s.pool->exists(poor->GetHash()));
    BOOST_CHECK_EQUAL(s.pool->size(), 3U);
    BOOST_CHECK_GT(s.pool->GetMinFee().GetFeePerK(), 0);
    s.Check();
    // Its input was uncached with it: the coin is still spendable (unspent in the chain).
    BOOST_CHECK(s.Accept(s.fx.SpendTo(s.Coinbase(3), 60000)).IsValid());
    s.Check();
}

// A package goes in whole before the size trim: a parent below the mempool
// minimum paid for by its child is not evicted before the child arrives. A
// package that is the cheapest after it went in is "mempool full" for each
// member.
BOOST_AUTO_TEST_CASE(package_mempool_full)
{
    MempoolSetup s;
    std::vector<TransactionRef> mid;
    for (int i = 0; i < 3; ++i) {
        mid.push_back(s.fx.SpendTo(s.Coinbase(i), 5000));
        BOOST_REQUIRE(s.Accept(mid.back()).IsValid());
    }
    MempoolOptions opts;
    opts.max_size_bytes = static_cast<int64_t>(s.pool->DynamicMemoryUsage());
    s.ReplacePool(opts);
    for (const auto& tx : mid) BOOST_REQUIRE(s.Accept(tx).IsValid());

    // Cheap package: 20 + 300 sat over two ~110 vB transactions (above the
    // relay minimum, below the others).
    const TransactionRef cheap_parent = s.fx.SpendTo(s.Coinbase(3), 20);
    const TransactionRef cheap_child = s.fx.SpendTo(ChainFixture::Output(cheap_parent, 0), 300);
    auto res = ProcessNewPackage(s.fx.Chainman(), *s.pool, {cheap_parent, cheap_child}, /*test_accept=*/false);
    BOOST_CHECK_EQUAL(res.m_state.GetRejectReason(), "transaction failed");
    for (const auto& tx : {cheap_parent, cheap_child}) {
        BOOST_CHECK_EQUAL(res.m_tx_results.at(tx->GetWitnessHash()).m_state.GetRejectReason(), "mempool full");
        BOOST_CHECK(!s.pool->exists(tx->GetHash()));
    }
    BOOST_CHECK_EQUAL(s.pool->size(), 3U);
    s.Check();

    // Rich package whose parent is below the raised mempool minimum (not
    // below the relay minimum: only TRUC may be): both stay, the cheapest
    // others go.
    BOOST_REQUIRE_GT(s.pool->GetMinFee().GetFeePerK(), 1000);
    const TransactionRef parent = s.fx.SpendTo(s.Coinbase(4), 100);
    const TransactionRef child = s.fx.SpendTo(ChainFixture::Output(parent, 0), 100000);
    res = ProcessNewPackage(s.fx.Chainman(), *s.pool, {parent, child}, /*test_accept=*/false);
    for (const auto& [w, tr] : res.m_tx_results) BOOST_TEST_MESSAGE(w.GetHex() << " " << tr.m_state.ToString());
    BOOST_REQUIRE_MESSAGE(res.IsValid(), res.m_state.ToString());
    BOOST_CHECK(s.pool->exists(parent->GetHash()));
    BOOST_CHECK(s.pool->exists(child->GetHash()));
    BOOST_CHECK_LT(s.pool->size(), 5U);
    BOOST_CHECK_LE(static_cast<int64_t>(s.pool->DynamicMemoryUsage()), opts.max_size_bytes);
    s.Check();
}

// A member failing for a reason its package cannot change (not its fee, not
// inputs from a parent not yet in) ends the package, but as Core's
// AcceptPackage every member is still tried alone: each has a verdict, an
// unrelated parent valid alone enters, the failed parent's child misses its
// inputs, and a parent below the minimum fee gets no CPFP.
BOOST_AUTO_TEST_CASE(package_member_failure_others_tried)
{
    MempoolSetup s;
    auto spend_v = [&](const test_util::SpendableOutput& in, Amount fee, uint32_t version) {
        TxOut out = in.out;
        out.value -= fee;
        return s.fx.Spend({in}, {out}, TxIn::SEQUENCE_FINAL, version);
    };
    const TransactionRef good_a = s.fx.SpendTo(s.Coinbase(0), 1000);
    const TransactionRef bad = spend_v(s.Coinbase(1), 1000, 4);  // non-standard version
    const TransactionRef good_c = s.fx.SpendTo(s.Coinbase(2), 1000);
    BOOST_CHECK_EQUAL(s.Accept(bad, /*test_accept=*/true).m_state.GetRejectReason(), "version");
    TxOut pay = s.Coinbase(0).out;
    pay.value = 1000000;
    const TransactionRef child = s.fx.Spend(
        {ChainFixture::Output(good_a, 0), ChainFixture::Output(bad, 0), ChainFixture::Output(good_c, 0)}, {pay});
    auto res = ProcessNewPackage(s.fx.Chainman(), *s.pool, {good_a, bad, good_c, child}, /*test_accept=*/false);
    for (const auto& [w, tr] : res.m_tx_results) BOOST_TEST_MESSAGE(w.GetHex() << " " << tr.m_state.ToString());
    BOOST_CHECK_EQUAL(res.m_state.GetRejectReason(), "transaction failed");
    BOOST_REQUIRE_EQUAL(res.m_tx_results.size(), 4U);
    for (const auto& tx : {good_a, good_c}) {
        const auto& r = res.m_tx_results.at(tx->GetWitnessHash());
        BOOST_CHECK(r.m_result_type == MempoolAcceptResult::ResultType::VALID);
        BOOST_CHECK_EQUAL(*r.m_base_fees, 1000);
        BOOST_CHECK(r.m_wtxids_fee_calculations == std::vector<uint256>{tx->GetWitnessHash()});
        BOOST_CHECK(s.pool->exists(tx->GetHash()));
    }
    BOOST_CHECK_EQUAL(res.m_tx_results.at(bad->GetWitnessHash()).m_state.GetRejectReason(), "version");
    const auto& cr = res.m_tx_results.at(child->GetWitnessHash());
    BOOST_CHECK_EQUAL(cr.m_state.GetRejectReason(), "bad-txns-inputs-missingorspent");
    BOOST_CHECK(cr.m_state.GetTxResult() == TxValidationResult::MISSING_INPUTS);
    BOOST_CHECK_EQUAL(s.pool->size(), 2U);
    s.Check();

    // Again: the two are mempool entries now, the others fail as before.
    res = ProcessNewPackage(s.fx.Chainman(), *s.pool, {good_a, bad, good_c, child}, /*test_accept=*/false);
    BOOST_CHECK_EQUAL(res.m_state.GetRejectReason(), "transaction failed");
    BOOST_REQUIRE_EQUAL(res.m_tx_results.size(), 4U);
    BOOST_CHECK(res.m_tx_results.at(good_a->GetWitnessHash()).m_result_type ==
                MempoolAcceptResult::ResultType::MEMPOOL_ENTRY);
    BOOST_CHECK_EQUAL(res.m_tx_results.at(bad->GetWitnessHash()).m_state.GetRejectReason(), "version");
    BOOST_CHECK_EQUAL(s.pool->size(), 2U);

    // A TRUC parent below the relay minimum (would be paid for by its child)
    // next to a failing one: no package pass, its own verdict stays.
    const TransactionRef truc_parent = spend_v(s.Coinbase(3), 0, 3);
    const TransactionRef bad2 = spend_v(s.Coinbase(4), 1000, 4);
    TxOut big_fee = s.Coinbase(3).out;
    big_fee.value -= 100000;
    const TransactionRef truc_child = s.fx.Spend({ChainFixture::Output(truc_parent, 0), ChainFixture::Output(bad2, 0)},
                                                 {big_fee}, TxIn::SEQUENCE_FINAL, 3);
    res = ProcessNewPackage(s.fx.Chainman(), *s.pool, {truc_parent, bad2, truc_child}, /*test_accept=*/false);
    BOOST_CHECK_EQUAL(res.m_state.GetRejectReason(), "transaction failed");
    BOOST_REQUIRE_EQUAL(res.m_tx_results.size(), 3U);
    const auto& tp = res.m_tx_results.at(truc_parent->GetWitnessHash());
    BOOST_CHECK_EQUAL(tp.m_state.GetRejectReason(), "min relay fee not met");
    BOOST_CHECK(tp.m_state.GetTxResult() == TxValidationResult::RECONSIDERABLE);
    BOOST_CHECK_EQUAL(res.m_tx_results.at(bad2->GetWitnessHash()).m_state.GetRejectReason(), "version");
    BOOST_CHECK_EQUAL(res.m_tx_results.at(truc_child->GetWitnessHash()).m_state.GetRejectReason(),
                      "bad-txns-inputs-missingorspent");
    BOOST_CHECK_EQUAL(s.pool->size(), 2U);

    // A package of one: any failure is final, its fee included (no package pass).
    res = ProcessNewPackage(s.fx.Chainman(), *s.pool, {truc_parent}, /*test_accept=*/false);
    BOOST_CHECK_EQUAL(res.m_state.GetRejectReason(), "transaction failed");
    BOOST_CHECK_EQUAL(res.m_tx_results.at(truc_parent->GetWitnessHash()).m_state.ToString(),
                      s.Accept(truc_parent, /*test_accept=*/true).m_state.ToString());

    // Refused as a whole before any member is tried (here two members spend
    // the same coin): no member has a verdict.
    const TransactionRef twin = s.fx.SpendTo(s.Coinbase(5), 2000);
    const TransactionRef twin2 = s.fx.SpendTo(s.Coinbase(5), 3000);
    const TransactionRef twins_child = s.fx.Spend({ChainFixture::Output(twin, 0), ChainFixture::Output(twin2, 0)}, {pay});
    res = ProcessNewPackage(s.fx.Chainman(), *s.pool, {twin, twin2, twins_child}, /*test_accept=*/false);
    BOOST_CHECK_EQUAL(res.m_state.GetRejectReason(), "conflict-in-package");
    BOOST_CHECK(res.m_tx_results.empty());
    BOOST_CHECK_EQUAL(s.pool->size(), 2U);
    s.Check();
}

// submitpackage's maxfeerate: checked on each transaction's own feerate
// before anything is added.
BOOST_AUTO_TEST_CASE(package_max_feerate)
{
    MempoolSetup s;
    const TransactionRef parent = s.fx.SpendTo(s.Coinbase(0), 100000);  // ~900 sat/vB
    const TransactionRef child = s.fx.SpendTo(ChainFixture::Output(parent, 0), 1000);
    const Amount cap = 100000;  // 100 sat/vB, in sat/kvB
    for (bool test_accept : {true, false}) {
        auto res = ProcessNewPackage(s.fx.Chainman(), *s.pool, {parent, child}, test_accept, cap);
        BOOST_CHECK_EQUAL(res.m_state.GetRejectReason(), "transaction failed");
        const auto& pr = res.m_tx_results.at(parent->GetWitnessHash());
        BOOST_CHECK_EQUAL(pr.m_state.GetRejectReason(), "max feerate exceeded");
        BOOST_CHECK(pr.m_state.GetTxResult() == TxValidationResult::MEMPOOL_POLICY);
        BOOST_CHECK_EQUAL(s.pool->size(), 0U);
    }
    // The modified fee counts: prioritised below the cap, it goes in.
    s.pool->PrioritiseTransaction(parent->GetHash(), -95000);
    auto res = ProcessNewPackage(s.fx.Chainman(), *s.pool, {parent, child}, false, cap);
    BOOST_REQUIRE_MESSAGE(res.IsValid(), res.m_state.ToString());
    BOOST_CHECK_EQUAL(s.pool->size(), 2U);
    // The child is judged on its own feerate too: the parent, fine alone,
    // goes in; the child does not.
    const TransactionRef p0 = s.fx.SpendTo(s.Coinbase(1), 1000);
    const TransactionRef c0 = s.fx.SpendTo(ChainFixture::Output(p0, 0), 200000);
    res = ProcessNewPackage(s.fx.Chainman(), *s.pool, {p0, c0}, false, cap);
    BOOST_CHECK_EQUAL(res.m_state.GetRejectReason(), "transaction failed");
    BOOST_CHECK_EQUAL(res.m_tx_results.at(c0->GetWitnessHash()).m_state.GetRejectReason(), "max feerate exceeded");
    BOOST_CHECK(s.pool->exists(p0->GetHash()));
    BOOST_CHECK(!s.pool->exists(c0->GetHash()));
    s.Check();
}

// A package dry run (testmempoolaccept) checks its members' limits together
// ("package-mempool-limits") and may not conflict with the mempool
// ("bip125-replacement-disallowed"); alone, the same transactions pass.
BOOST_AUTO_TEST_CASE(package_limits_and_conflicts)
{
    MempoolOptions opts;
    opts.limits.ancestor_count = 4;
    opts.limits.descendant_count = 4;
    MempoolSetup s(opts);
    const TransactionRef a = s.fx.SpendTo(s.Coinbase(0), 1000);
    const TransactionRef b = s.fx.SpendTo(ChainFixture::Output(a, 0), 1000);
    const TransactionRef d = s.fx.SpendTo(ChainFixture::Output(b, 0), 1000);
    for (const auto& tx : {a, b, d}) BOOST_REQUIRE(s.Accept(tx).IsValid());
    const TransactionRef p = s.fx.SpendTo(ChainFixture::Output(d, 0), 1000);
    const TransactionRef c = s.fx.SpendTo(ChainFixture::Output(p, 0), 1000);
    BOOST_CHECK(s.Accept(p, /*test_accept=*/true).IsValid());  // 3 ancestors + itself
    auto res = ProcessNewPackage(s.fx.Chainman(), *s.pool, {p, c}, /*test_accept=*/true);
    BOOST_CHECK_EQUAL(res.m_state.GetRejectReason(), "package-mempool-limits");
    BOOST_CHECK_EQUAL(res.m_state.GetDebugMessage(),
                      "possibly too many descendants for tx " + a->GetHash().GetHex() + " [limit: 4]");
    BOOST_CHECK(res.m_tx_results.empty());
    // Two members under the limits: fine.
    const TransactionRef p2 = s.fx.SpendTo(s.Coinbase(1), 1000);
    const TransactionRef c2 = s.fx.SpendTo(ChainFixture::Output(p2, 0), 1000);
    res = ProcessNewPackage(s.fx.Chainman(), *s.pool, {p2, c2}, /*test_accept=*/true);
    BOOST_CHECK_MESSAGE(res.IsValid(), res.m_state.ToString());

    const TransactionRef x = s.fx.SpendTo(s.Coinbase(2), 1000);
    BOOST_REQUIRE(s.Accept(x).IsValid());
    const TransactionRef x2 = s.fx.SpendTo(s.Coinbase(2), 5000);
    const TransactionRef x2c = s.fx.SpendTo(ChainFixture::Output(x2, 0), 1000);
    BOOST_CHECK(s.Accept(x2, /*test_accept=*/true).IsValid());
    res = ProcessNewPackage(s.fx.Chainman(), *s.pool, {x2, x2c}, /*test_accept=*/true);
    BOOST_CHECK_EQUAL(res.m_state.GetRejectReason(), "transaction failed");
    BOOST_CHECK_EQUAL(res.m_tx_results.at(x2->GetWitnessHash()).m_state.GetRejectReason(),
                      "bip125-replacement-disallowed");
    BOOST_CHECK(s.pool->exists(x->GetHash()));

    // A package larger than the limits by itself: five in a chain, with no
    // mempool relatives, against a count limit of 4.
    std::vector<TransactionRef> chain{s.fx.SpendTo(s.Coinbase(3), 1000)};
    while (chain.size() < 5) chain.push_back(s.fx.SpendTo(ChainFixture::Output(chain.back(), 0), 1000));
    res = ProcessNewPackage(s.fx.Chainman(), *s.pool, chain, /*test_accept=*/true);
    BOOST_CHECK_EQUAL(res.m_state.GetRejectReason(), "package-mempool-limits");
    BOOST_CHECK_EQUAL(res.m_state.GetDebugMessage(), "package count 5 exceeds ancestor count limit [limit: 4]");

    // More than 25 transactions (the RPCs refuse such arrays before this).
    std::vector<TransactionRef> many;
    for (int i = 0; i < 26; ++i) many.push_back(s.fx.SpendTo(s.Coinbase(i), 1000));
    res = ProcessNewPackage(s.fx.Chainman(), *s.pool, many, /*test_accept=*/true);
    BOOST_CHECK_EQUAL(res.m_state.GetRejectReason(), "package-too-many-transactions");
    s.Check();
}

// A package dry run (testmempoolaccept) takes any sorted, consistent set of
// transactions and judges each alone, in order: the first failure stops it
// with only that member's result, except a script failure (checked last),
// which leaves the results of the members before it.
BOOST_AUTO_TEST_CASE(test_accept_package)
{
    MempoolSetup s;
    auto dry_run = [&](const std::vector<TransactionRef>& txs) {
        return ProcessNewPackage(s.fx.Chainman(), *s.pool, txs, /*test_accept=*/true);
    };
    const TransactionRef a = s.fx.SpendTo(s.Coinbase(0), 1000);
    const TransactionRef b = s.fx.SpendTo(s.Coinbase(1), 1000);
    const TransactionRef b_child = s.fx.SpendTo(ChainFixture::Output(b, 0), 1000);

    // Unrelated transactions and a chain together; each on its own fee.
    auto res = dry_run({a, b, b_child});
    BOOST_CHECK_MESSAGE(res.IsValid(), res.m_state.ToString());
    BOOST_REQUIRE_EQUAL(res.m_tx_results.size(), 3U);
    for (const auto& tx : {a, b, b_child}) {
        const auto& r = res.m_tx_results.at(tx->GetWitnessHash());
        BOOST_CHECK(r.m_result_type == MempoolAcceptResult::ResultType::VALID);
        BOOST_CHECK(r.m_wtxids_fee_calculations == std::vector<uint256>{tx->GetWitnessHash()});
        BOOST_CHECK_EQUAL(*r.m_effective_feerate_sat_per_kvb, FeeRate(1000, *r.m_vsize).GetFeePerK());
    }
    BOOST_CHECK_EQUAL(s.pool->size(), 0U);

    // Missing inputs in the last member: only its result.
    const TransactionRef unknown = s.fx.SpendTo(s.Coinbase(2), 1000);
    const TransactionRef orphan = s.fx.SpendTo(ChainFixture::Output(unknown, 0), 1000);
    res = dry_run({a, b, orphan});
    BOOST_CHECK_EQUAL(res.m_state.GetRejectReason(), "transaction failed");
    BOOST_REQUIRE_EQUAL(res.m_tx_results.size(), 1U);
    BOOST_CHECK(res.m_tx_results.at(orphan->GetWitnessHash()).m_state.GetTxResult() ==
                TxValidationResult::MISSING_INPUTS);

    // A bad signature: the members before it keep their verdicts...
    MutableTransaction m(*s.fx.SpendTo(s.Coinbase(3), 1000));
    m.vin[0].witness.stack[0][10] ^= 1;
    const TransactionRef bad_sig = MakeTransactionRef(std::move(m));
    res = dry_run({a, b, bad_sig});
    BOOST_CHECK_EQUAL(res.m_state.GetRejectReason(), "transaction failed");
    BOOST_REQUIRE_EQUAL(res.m_tx_results.size(), 3U);
    BOOST_CHECK(res.m_tx_results.at(a->GetWitnessHash()).IsValid());
    BOOST_CHECK(res.m_tx_results.at(b->GetWitnessHash()).IsValid());
    BOOST_CHECK(res.m_tx_results.at(bad_sig->GetWitnessHash()).m_state.GetRejectReason().starts_with(
        "mempool-script-verify-flag-failed"));
    // ...and scripts come after every other check of every member.
    res = dry_run({bad_sig, orphan});
    BOOST_REQUIRE_EQUAL(res.m_tx_results.size(), 1U);
    BOOST_CHECK(res.m_tx_results.count(orphan->GetWitnessHash()));

    // A member spending the same outpoint twice: its own consensus failure,
    // not a conflict between members.
    TxOut pay = s.Coinbase(5).out;
    pay.value -= 1000;
    const TransactionRef twice = s.fx.Spend({s.Coinbase(5), s.Coinbase(5)}, {pay});
    res = dry_run({b, twice});
    BOOST_CHECK_EQUAL(res.m_state.GetRejectReason(), "transaction failed");
    BOOST_CHECK_EQUAL(res.m_tx_results.at(twice->GetWitnessHash()).m_state.GetRejectReason(),
                      "bad-txns-inputs-duplicate");

    // Well-formedness: package errors without results.
    const TransactionRef c1 = s.fx.SpendTo(s.Coinbase(4), 1000);
    const TransactionRef c2 = s.fx.SpendTo(s.Coinbase(4), 2000);
    for (const auto& [txs, reason] : std::vector<std::pair<std::vector<TransactionRef>, std::string>>{
             {{c1, c2}, "conflict-in-package"},
             {{b_child, b}, "package-not-sorted"},
             {{b, b}, "package-contains-duplicates"}}) {
        res = dry_run(txs);
        BOOST_CHECK_EQUAL(res.m_state.GetRejectReason(), reason);
        BOOST_CHECK(res.m_tx_results.empty());
    }

    // A member already in the mempool fails, the rest are not judged.
    BOOST_REQUIRE(s.Accept(a).IsValid());
    res = dry_run({a, b});
    BOOST_CHECK_EQUAL(res.m_state.GetRejectReason(), "transaction failed");
    BOOST_REQUIRE_EQUAL(res.m_tx_results.size(), 1U);
    BOOST_CHECK_EQUAL(res.m_tx_results.at(a->GetWitnessHash()).m_state.GetRejectReason(), "txn-already-in-mempool");
    BOOST_CHECK_EQUAL(s.pool->size(), 1U);
    s.Check();
}

// Ephemeral dust: the dust output of a 0-fee parent must be spent by its
// child, alone ("missing-ephemeral-spends") and in a package ("unspent-dust").
BOOST_AUTO_TEST_CASE(ephemeral_dust_spends)
{
    MempoolSetup s;
    auto dusty_parent = [&](int coinbase, uint32_t version) {
        const test_util::SpendableOutput in = s.Coinbase(coinbase);
        TxOut keep = in.out;
        TxOut dust = in.out;
        dust.value = 0;
        return s.fx.Spend({in}, {keep, dust}, TxIn::SEQUENCE_FINAL, version);
    };
    auto child_of = [&](const TransactionRef& parent, bool spend_dust, uint32_t version) {
        std::vector<test_util::SpendableOutput> ins{ChainFixture::Output(parent, 0)};
        if (spend_dust) ins.push_back(ChainFixture::Output(parent, 1));
        TxOut pay = parent->vout[0];
        pay.value -= 5000;
        return s.fx.Spend(ins, {pay}, TxIn::SEQUENCE_FINAL, version);
    };

    // Package (TRUC, so the 0-fee parent may be paid for by its child).
    const TransactionRef parent = dusty_parent(0, 3);
    const TransactionRef lazy = child_of(parent, false, 3);
    auto check_unspent_dust = [&](const PackageMempoolAcceptResult& res, const TransactionRef& child, bool dry) {
        BOOST_CHECK_EQUAL(res.m_state.GetRejectReason(), "unspent-dust");
        // A dry run has the child's result alone.
        if (dry) BOOST_CHECK_EQUAL(res.m_tx_results.size(), 1U);
        const auto& cr = res.m_tx_results.at(child->GetWitnessHash());
        BOOST_CHECK_EQUAL(cr.m_state.GetRejectReason(), "missing-ephemeral-spends");
        BOOST_CHECK_EQUAL(cr.m_state.GetDebugMessage(), "tx " + child->GetHash().GetHex() + " (wtxid=" +
                                                            child->GetWitnessHash().GetHex() +
                                                            ") did not spend parent's ephemeral dust");
        BOOST_CHECK_EQUAL(s.pool->size(), 0U);
    };
    check_unspent_dust(ProcessNewPackage(s.fx.Chainman(), *s.pool, {parent, lazy}, false), lazy, false);
    // A dry run has no CPFP: the 0-fee parent fails alone before the dust rule.
    auto dry = ProcessNewPackage(s.fx.Chainman(), *s.pool, {parent, lazy}, true);
    BOOST_CHECK_EQUAL(dry.m_state.GetRejectReason(), "transaction failed");
    BOOST_CHECK_EQUAL(dry.m_tx_results.at(parent->GetWitnessHash()).m_state.GetRejectReason(), "min relay fee not met");
    BOOST_CHECK(!dry.m_tx_results.count(lazy->GetWitnessHash()));
    const TransactionRef sweeper = child_of(parent, true, 3);
    auto res = ProcessNewPackage(s.fx.Chainman(), *s.pool, {parent, sweeper}, false);
    BOOST_CHECK_MESSAGE(res.IsValid(), res.m_state.ToString());
    BOOST_CHECK_EQUAL(s.pool->size(), 2U);

    // Alone: with -minrelaytxfee=0 a 0-fee parent gets in by itself; its child must spend the dust.
    MempoolOptions opts;
    opts.min_relay_feerate = FeeRate(0);
    s.ReplacePool(opts);
    const TransactionRef parent2 = dusty_parent(1, 2);
    // Now a dry run of the parent with a child that leaves the dust reaches the package rule.
    const TransactionRef lazy2 = child_of(parent2, false, 2);
    check_unspent_dust(ProcessNewPackage(s.fx.Chainman(), *s.pool, {parent2, lazy2}, true), lazy2, true);
    auto r = s.Accept(parent2);
    BOOST_REQUIRE_MESSAGE(r.IsValid(), r.m_state.ToString());
    r = s.Accept(child_of(parent2, false, 2));
    BOOST_CHECK_EQUAL(r.m_state.GetRejectReason(), "missing-ephemeral-spends");
    r = s.Accept(child_of(parent2, true, 2));
    BOOST_CHECK_MESSAGE(r.IsValid(), r.m_state.ToString());
    s.Check();
}

// Core v30: at most 2,500 legacy sigops (input scripts, spent output scripts,
// P2SH redeem scripts) in a standard transaction ("bad-txns-nonstandard-inputs").
BOOST_AUTO_TEST_CASE(legacy_sigops_limit)
{
    MempoolSetup s;
    Script redeem;
    for (int i = 0; i < 15; ++i) redeem << OP_CHECKSIG;  // the most a standard redeem script may count
    std::array<unsigned char, Hash160::OUTPUT_SIZE> h;
    Hash160().Write(std::span<const unsigned char>(redeem.begin(), redeem.end())).Finalize(h);
    Script p2sh;
    p2sh << OP_HASH160 << std::span<const unsigned char>(h) << OP_EQUAL;
    const test_util::SpendableOutput cb = s.Coinbase(0);
    std::vector<TxOut> outs(167, TxOut{10000, p2sh});
    outs.push_back(TxOut{cb.out.value - 167 * 10000 - 100000, s.fx.PayoutScript()});
    const TransactionRef fund = s.fx.Spend({cb}, outs);
    BOOST_REQUIRE(s.Accept(fund).IsValid());
    auto spend_first = [&](uint32_t n) {
        MutableTransaction mtx;
        Script sig;
        sig << std::span<const unsigned char>(redeem.begin(), redeem.end());
        for (uint32_t i = 0; i < n; ++i) {
            TxIn in;
            in.prevout = OutPoint{fund->GetHash(), i};
            in.script_sig = sig;
            mtx.vin.push_back(in);
        }
        mtx.vout.push_back(TxOut{static_cast<Amount>(n) * 10000 - 20000, s.fx.PayoutScript()});
        return MakeTransactionRef(std::move(mtx));
    };
    // 166 x 15 = 2,490: past the input checks (the empty-stack CHECKSIGs then fail).
    auto r = s.Accept(spend_first(166), /*test_accept=*/true);
    BOOST_CHECK_MESSAGE(r.m_state.GetRejectReason().rfind("mempool-script-verify-flag-failed (", 0) == 0,
                        r.m_state.ToString());
    // 167 x 15 = 2,505.
    r = s.Accept(spend_first(167), /*test_accept=*/true);
    BOOST_CHECK_EQUAL(r.m_state.GetRejectReason(), "bad-txns-nonstandard-inputs");
    s.Check();
}

BOOST_AUTO_TEST_SUITE_END()
