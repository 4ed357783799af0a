// Reorganizations: a fork with more work replaces the active chain (blocks
// disconnected with their undo data, the other branch connected), deep
// reorgs, and invalidateblock / reconsiderblock / preciousblock.

#include <kernel/block_index.h>
#include <kernel/validation.h>
#include <test/util/chain_fixture.h>

#include <boost/test/unit_test.hpp>

using test_util::ChainFixture;
using test_util::SpendableOutput;

namespace {

struct ReorgObserver : ValidationObserver {
    int connected = 0;
    int disconnected = 0;
    void BlockConnected(const std::shared_ptr<const Block>&, const BlockIndex&) override { ++connected; }
    void BlockDisconnected(const std::shared_ptr<const Block>&, const BlockIndex&) override { ++disconnected; }
};

const BlockIndex* IndexOf(ChainFixture& f, const std::shared_ptr<const Block>& block)
{
    return f.Chainman().LookupBlockIndex(block->GetHash());
}

} // namespace

BOOST_AUTO_TEST_SUITE(reorg_tests)

BOOST_FIXTURE_TEST_CASE(heavier_fork_takes_over_with_its_coins, ChainFixture)
{
    std::vector<std::shared_ptr<const Block>> common = MineBlocks(105);
    const BlockIndex* fork_point = Tip();
    // Branch A spends a coinbase, branch B spends a different one.
    const SpendableOutput cb1 = CoinbaseOutput(*common[0]);
    const SpendableOutput cb2 = CoinbaseOutput(*common[1]);
    const TransactionRef tx_a = SpendTo(cb1, 1000, 2);
    std::vector<std::shared_ptr<const Block>> branch_a{Mine({tx_a})};
    for (auto& b : MineBlocks(3)) branch_a.push_back(b);
    BOOST_CHECK_EQUAL(Height(), 109);
    const uint256 tip_a = Tip()->GetBlockHash();

    ReorgObserver observer;
    Chainman().RegisterObserver(&observer);
    const TransactionRef tx_b = SpendTo(cb2, 2000, 1);
    std::vector<std::shared_ptr<const Block>> branch_b{Mine({tx_b}, fork_point)};
    for (auto& b : MineBlocks(3, IndexOf(*this, branch_b.back()))) branch_b.push_back(b);
    // Equal work: the first branch seen stays.
    BOOST_CHECK(Tip()->GetBlockHash() == tip_a);
    branch_b.push_back(Mine({}, IndexOf(*this, branch_b.back())));
    Chainman().UnregisterObserver(&observer);

    BOOST_CHECK(Tip()->GetBlockHash() == branch_b.back()->GetHash());
    BOOST_CHECK_EQUAL(Height(), 110);
    BOOST_CHECK_EQUAL(observer.disconnected, 4);
    BOOST_CHECK_EQUAL(observer.connected, 5);
    CoinsViewCache& coins = Chainman().CoinsTip();
    BOOST_CHECK(coins.HaveCoin(cb1.outpoint));
    BOOST_CHECK(!coins.HaveCoin(OutPoint{tx_a->GetHash(), 0}));
    BOOST_CHECK(!coins.HaveCoin(cb2.outpoint));
    BOOST_CHECK(coins.HaveCoin(OutPoint{tx_b->GetHash(), 0}));

    // The coins equal those of a node that only ever saw branch B.
    ChainFixture other;
    for (const auto& b : common) BOOST_REQUIRE(other.Submit(b));
    for (const auto& b : branch_b) BOOST_REQUIRE(other.Submit(b));
    BOOST_CHECK(other.Tip()->GetBlockHash() == Tip()->GetBlockHash());
    BOOST_CHECK(other.UtxoSetHash() == UtxoSetHash());
}

BOOST_FIXTURE_TEST_CASE(twenty_block_deep_reorg, ChainFixture)
{
    MineBlocks(10);
    const BlockIndex* fork_point = Tip();
    const uint256 before_fork_hash = UtxoSetHash();
    MineBlocks(20);
    BOOST_CHECK_EQUAL(Height(), 30);
    ReorgObserver observer;
    Chainman().RegisterObserver(&observer);
    auto branch = MineBlocks(21, fork_point);
    Chainman().UnregisterObserver(&observer);
    BOOST_CHECK_EQUAL(Height(), 31);
    BOOST_CHECK(Tip()->GetBlockHash() == branch.back()->GetHash());
    BOOST_CHECK_EQUAL(observer.disconnected, 20);
    BOOST_CHECK_EQUAL(observer.connected, 21);
    // Back to the fork point by invalidating the branch's first block: the
    // old branch has more work now, so it comes back; invalidate that too.
    BlockValidationState state;
    BOOST_CHECK(Chainman().InvalidateBlock(state, Chainman().LookupBlockIndex(branch.front()->GetHash())));
    BOOST_CHECK_EQUAL(Height(), 30);
    BOOST_CHECK(Chainman().InvalidateBlock(state, const_cast<BlockIndex*>(Chainman().ActiveChain()[11])));
    BOOST_CHECK(Tip() == fork_point);
    BOOST_CHECK(UtxoSetHash() == before_fork_hash);
}

BOOST_FIXTURE_TEST_CASE(invalidate_and_reconsider, ChainFixture)
{
    auto blocks = MineBlocks(20);
    BlockIndex* at15 = Chainman().LookupBlockIndex(blocks[14]->GetHash());
    const uint256 tip20 = Tip()->GetBlockHash();
    BlockValidationState state;
    BOOST_CHECK(Chainman().InvalidateBlock(state, at15));
    BOOST_CHECK_EQUAL(Height(), 14);
    BOOST_CHECK(at15->status & BLOCK_FAILED_VALID);
    BOOST_CHECK(Chainman().LookupBlockIndex(tip20)->status & BLOCK_FAILED_CHILD);

    // The chain grows elsewhere.
    Mine();
    BOOST_CHECK_EQUAL(Height(), 15);
    BOOST_CHECK(Tip() != at15);

    Chainman().ReconsiderBlock(at15);
    BOOST_CHECK(!(at15->status & BLOCK_FAILED_MASK));
    BOOST_CHECK(Tip()->GetBlockHash() == tip20);
    BOOST_CHECK_EQUAL(Height(), 20);
}

BOOST_FIXTURE_TEST_CASE(precious_block_wins_ties, ChainFixture)
{
    MineBlocks(10);
    const BlockIndex* fork_point = Tip();
    auto a = Mine();
    auto b = Mine({}, fork_point);
    // Same work: the first one received stays the tip.
    BOOST_CHECK(Tip()->GetBlockHash() == a->GetHash());
    BlockValidationState state;
    BOOST_CHECK(Chainman().PreciousBlock(state, Chainman().LookupBlockIndex(b->GetHash())));
    BOOST_CHECK(Tip()->GetBlockHash() == b->GetHash());
    BOOST_CHECK(Chainman().PreciousBlock(state, Chainman().LookupBlockIndex(a->GetHash())));
    BOOST_CHECK(Tip()->GetBlockHash() == a->GetHash());
    // Less work than the tip: no effect.
    BOOST_CHECK(Chainman().PreciousBlock(state, const_cast<BlockIndex*>(fork_point)));
    BOOST_CHECK(Tip()->GetBlockHash() == a->GetHash());
    // More work always wins over precious.
    auto c = Mine({}, Chainman().LookupBlockIndex(b->GetHash()));
    BOOST_CHECK(Tip()->GetBlockHash() == c->GetHash());
}

BOOST_AUTO_TEST_SUITE_END()
