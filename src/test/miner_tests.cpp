// Block assembly on a regtest chain: templates connect, pay the subsidy,
// carry a BIP34 height and a witness commitment, take the caller's
// transactions, follow the (mockable) clock, and the nonce grinder mines
// through ProcessNewBlock.
#include <consensus/block_check.h>
#include <consensus/subsidy.h>
#include <node/miner.h>
#include <test/util/chain_fixture.h>
#include <util/time.h>

#include <boost/test/unit_test.hpp>

#include <stdexcept>

namespace {

Amount Subsidy(const test_util::ChainFixture& fx, int height)
{
    return GetBlockSubsidy(height, fx.Params().GetConsensus().subsidy_halving_interval);
}

} // namespace

BOOST_AUTO_TEST_SUITE(miner_tests)

BOOST_AUTO_TEST_CASE(template_connects_and_pays_subsidy)
{
    test_util::ChainFixture fx;
    fx.MineBlocks(10);
    node::BlockAssembler assembler(fx.Chainman());
    node::AssemblerOptions options;
    options.coinbase_script = fx.PayoutScript();
    const auto tmpl = assembler.CreateNewBlock(options);
    BOOST_REQUIRE(tmpl);
    const Block& block = *tmpl->block;
    BOOST_CHECK_EQUAL(tmpl->height, 11);
    BOOST_CHECK(block.prev_block == fx.Tip()->GetBlockHash());
    BOOST_CHECK_EQUAL(block.version, 0x20000000); // testdummy (bit 28) is still DEFINED below height 144
    BOOST_CHECK_EQUAL(block.bits, fx.Tip()->bits);
    BOOST_REQUIRE_EQUAL(block.vtx.size(), 1U);
    const Transaction& coinbase = *block.vtx[0];
    BOOST_CHECK(coinbase.IsCoinBase());
    BOOST_CHECK_EQUAL(coinbase.vout[0].value, Subsidy(fx, 11));
    BOOST_CHECK_EQUAL(tmpl->coinbase_value, Subsidy(fx, 11));
    BOOST_CHECK(coinbase.vout[0].script_pubkey == fx.PayoutScript());
    // Segwit is active from genesis on regtest: the commitment is there.
    BOOST_CHECK(GetWitnessCommitmentIndex(block) != NO_WITNESS_COMMITMENT);
    BOOST_CHECK(!tmpl->witness_commitment.empty());
    BOOST_CHECK_GT(block.GetBlockTime(), fx.Tip()->GetMedianTimePast());
    BOOST_CHECK_EQUAL(node::BlockAssembler::LastBlockTxCount().value_or(-1), 0);

    uint64_t tries = node::DEFAULT_MAX_TRIES;
    std::shared_ptr<const Block> solved;
    BOOST_REQUIRE(node::GenerateBlock(fx.Chainman(), block, tries, solved, /*process=*/true));
    BOOST_REQUIRE(solved);
    BOOST_CHECK_EQUAL(fx.Height(), 11);
    BOOST_CHECK(fx.Tip()->GetBlockHash() == solved->GetHash());
}

BOOST_AUTO_TEST_CASE(template_with_caller_transactions)
{
    test_util::ChainFixture fx;
    const auto blocks = fx.MineBlocks(101);
    // The first coinbase is mature now.
    const TransactionRef spend = fx.SpendTo(test_util::ChainFixture::CoinbaseOutput(*blocks[0]), 1000);
    const TransactionRef child = fx.SpendTo(test_util::ChainFixture::Output(spend, 0), 1000);
    node::BlockAssembler assembler(fx.Chainman());
    node::AssemblerOptions options;
    options.coinbase_script = fx.PayoutScript();
    options.extra_txs = {spend, child};
    const auto tmpl = assembler.CreateNewBlock(options);
    BOOST_REQUIRE_EQUAL(tmpl->block->vtx.size(), 3U);
    // Fees of caller-given transactions are not claimed (as Core's generateblock).
    BOOST_CHECK_EQUAL(tmpl->block->vtx[0]->vout[0].value, Subsidy(fx, 102));
    BOOST_CHECK_EQUAL(tmpl->sigops_cost.size(), 3U);
    BOOST_CHECK_EQUAL(tmpl->sigops_cost[1], 1); // one P2WPKH input: one witness sigop
    BOOST_CHECK_EQUAL(node::BlockAssembler::LastBlockTxCount().value_or(-1), 2);
    BOOST_CHECK_EQUAL(node::BlockAssembler::LastBlockWeight().value_or(-1),
                      8000 + GetTransactionWeight(*spend) + GetTransactionWeight(*child));

    uint64_t tries = node::DEFAULT_MAX_TRIES;
    std::shared_ptr<const Block> solved;
    BOOST_REQUIRE(node::GenerateBlock(fx.Chainman(), *tmpl->block, tries, solved, true));
    BOOST_CHECK_EQUAL(fx.Height(), 102);
    BOOST_CHECK(fx.Tip()->GetBlockHash() == solved->GetHash());

    // A transaction spending a coin that does not exist makes the template invalid.
    options.extra_txs = {spend};
    BOOST_CHECK_THROW(assembler.CreateNewBlock(options), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(generate_blocks_and_time)
{
    test_util::ChainFixture fx;
    const auto hashes = node::GenerateBlocks(fx.Chainman(), fx.PayoutScript(), 5, node::DEFAULT_MAX_TRIES);
    BOOST_REQUIRE_EQUAL(hashes.size(), 5U);
    BOOST_CHECK_EQUAL(fx.Height(), 5);
    BOOST_CHECK(fx.Tip()->GetBlockHash() == hashes.back());
    for (int h = 1; h <= 5; ++h) {
        Block block;
        BOOST_REQUIRE(fx.Chainman().Blocks().ReadBlock(block, *fx.Chainman().ActiveChain()[h]));
        BlockValidationState state;
        BOOST_CHECK(CheckCoinbaseHeight(block, h, state));
        BOOST_CHECK_EQUAL(block.vtx[0]->vout[0].value, Subsidy(fx, h));
    }

    // A mock time before the median time past: the block takes MTP + 1.
    SetMockTime(1);
    node::BlockAssembler assembler(fx.Chainman());
    node::AssemblerOptions options;
    options.coinbase_script = fx.PayoutScript();
    auto tmpl = assembler.CreateNewBlock(options);
    BOOST_CHECK_EQUAL(tmpl->block->GetBlockTime(), fx.Tip()->GetMedianTimePast() + 1);
    // A mock time past the tip: the block takes it.
    const int64_t later = fx.Tip()->GetBlockTime() + 1000;
    SetMockTime(later);
    tmpl = assembler.CreateNewBlock(options);
    BOOST_CHECK_EQUAL(tmpl->block->GetBlockTime(), later);
    SetMockTime(0);

    // No tries left: nothing is mined.
    BOOST_CHECK(node::GenerateBlocks(fx.Chainman(), fx.PayoutScript(), 1, 0).empty());
    BOOST_CHECK_EQUAL(fx.Height(), 5);

    // process = false leaves the chain alone.
    uint64_t tries = node::DEFAULT_MAX_TRIES;
    std::shared_ptr<const Block> solved;
    BOOST_REQUIRE(node::GenerateBlock(fx.Chainman(), *tmpl->block, tries, solved, false));
    BOOST_REQUIRE(solved);
    BOOST_CHECK_EQUAL(fx.Height(), 5);
}

BOOST_AUTO_TEST_CASE(minimum_time_bip94)
{
    test_util::ChainFixture fx;
    fx.MineBlocks(3);
    const BlockIndex& tip = *fx.Tip();
    BOOST_CHECK_EQUAL(node::GetMinimumTime(tip, 2016), tip.GetMedianTimePast() + 1);
    // At a period boundary (interval 4 divides height 4), prev time - 600 also bounds it.
    BOOST_CHECK_EQUAL(node::GetMinimumTime(tip, 4),
                      std::max<int64_t>(tip.GetMedianTimePast() + 1, tip.GetBlockTime() - 600));
}

BOOST_AUTO_TEST_CASE(versionbits_testdummy_on_regtest)
{
    test_util::ChainFixture fx;
    ChainstateManager& chainman = fx.Chainman();
    const auto& deployments = node::VersionBitsDeployments(chainman);
    BOOST_REQUIRE_EQUAL(deployments.size(), 1U);
    const node::VersionBitsDeployment& testdummy = deployments[0];
    BOOST_CHECK_EQUAL(testdummy.name, "testdummy");
    const auto state_after = [&](int height) {
        return node::DeploymentState(chainman.ActiveChain()[height], testdummy);
    };

    // The fixture's blocks (version 4) do not signal: started, never locked in.
    fx.MineBlocks(330);
    BOOST_CHECK(state_after(142) == node::ThresholdState::DEFINED);
    BOOST_CHECK(state_after(143) == node::ThresholdState::STARTED);
    BOOST_CHECK(state_after(330) == node::ThresholdState::STARTED);
    BOOST_CHECK_EQUAL(node::ComputeBlockVersion(chainman, chainman.ActiveChain()[142]), 0x20000000);
    BOOST_CHECK_EQUAL(node::ComputeBlockVersion(chainman, fx.Tip()), 0x30000000);

    // Our own miner signals. 331..431 are 101 of the period's 144: below the
    // threshold of 108. The next period all signal: locked in, then active.
    node::GenerateBlocks(chainman, fx.PayoutScript(), 431 - 330, node::DEFAULT_MAX_TRIES);
    BOOST_REQUIRE_EQUAL(fx.Height(), 431);
    BOOST_CHECK(state_after(431) == node::ThresholdState::STARTED);
    node::GenerateBlocks(chainman, fx.PayoutScript(), 144, node::DEFAULT_MAX_TRIES);
    BOOST_CHECK(state_after(574) == node::ThresholdState::STARTED);
    BOOST_CHECK(state_after(575) == node::ThresholdState::LOCKED_IN);
    BOOST_CHECK_EQUAL(node::ComputeBlockVersion(chainman, fx.Tip()), 0x30000000);
    node::GenerateBlocks(chainman, fx.PayoutScript(), 144, node::DEFAULT_MAX_TRIES);
    BOOST_CHECK(state_after(718) == node::ThresholdState::LOCKED_IN);
    BOOST_CHECK(state_after(719) == node::ThresholdState::ACTIVE);
    BOOST_CHECK_EQUAL(node::ComputeBlockVersion(chainman, fx.Tip()), 0x20000000);
    BOOST_CHECK(node::DeploymentState(nullptr, testdummy) == node::ThresholdState::DEFINED);
}

BOOST_AUTO_TEST_SUITE_END()
