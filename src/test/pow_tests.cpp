// Difficulty retargeting: retargets at real mainnet heights (block times are
// facts of the chain, results follow from the formula), clamping, testnet's
// 20-minute rule, testnet4's BIP94 base, regtest, the permitted-transition
// check, and a 2016-header alternative mainnet chain (real proof of work,
// ../shared/testvectors/core/mainnet_alt.json) that must pass end to end.

#include <arith_uint256.h>
#include <consensus/amount.h>
#include <consensus/merkle.h>
#include <consensus/pow.h>
#include <kernel/block_index.h>
#include <kernel/chainparams.h>
#include <kernel/pow.h>
#include <test/util/vectors.h>
#include <util/strencodings.h>

#include <boost/test/unit_test.hpp>

#include <memory>
#include <vector>

BOOST_AUTO_TEST_SUITE(pow_tests)

namespace {

// A header chain in memory: BlockIndex entries linked by prev and skip.
class TestChain {
public:
    // Appends a block on top of the current tip (the first one is at height 0:
    // skip pointers assume a chain down to genesis).
    BlockIndex& Add(uint32_t time, uint32_t bits)
    {
        auto block = std::make_unique<BlockIndex>();
        block->prev = m_blocks.empty() ? nullptr : m_blocks.back().get();
        block->height = block->prev ? block->prev->height + 1 : 0;
        block->time = time;
        block->bits = bits;
        block->BuildSkip();
        m_blocks.push_back(std::move(block));
        return *m_blocks.back();
    }
    BlockIndex* Tip() const { return m_blocks.back().get(); }
    // Blocks up to height `last`, `spacing` seconds apart, ending at `end_time`.
    void FillTo(int last, uint32_t end_time, uint32_t spacing, uint32_t bits)
    {
        for (int h = 0; h <= last; ++h) Add(end_time - (last - h) * spacing, bits);
    }

private:
    std::vector<std::unique_ptr<BlockIndex>> m_blocks;
};

BlockHeader NextHeader(uint32_t time)
{
    BlockHeader header;
    header.time = time;
    return header;
}

// The retarget from `bits` over `actual` seconds, computed independently of
// kernel/pow.cpp: clamp, scale, cap.
uint32_t ExpectedRetarget(uint32_t bits, int64_t actual, const ConsensusParams& params)
{
    const int64_t span = params.pow_target_timespan;
    actual = std::max(std::min(actual, span * 4), span / 4);
    arith_uint256 target;
    target.SetCompact(bits);
    target = target * arith_uint256(static_cast<uint64_t>(actual)) / arith_uint256(static_cast<uint64_t>(span));
    if (target > UintToArith256(params.pow_limit)) target = UintToArith256(params.pow_limit);
    return target.GetCompact();
}

struct RealRetarget {
    int last_height;          // last block of the period
    uint32_t first_time;      // time of the period's first block
    uint32_t last_time;       // time of its last block
    uint32_t bits;            // the period's bits
    uint32_t expected;        // bits of the next period
};

// Mainnet block times (facts of the chain). The expected bits follow from
// the formula; 32256's is the first real difficulty change of mainnet.
const RealRetarget REAL_RETARGETS[] = {
    {32255, 1261130161, 1262152739, 0x1d00ffff, 0x1d00d86a}, // blocks 30240 and 32255
    {2015, 1231006505, 1233061996, 0x1d00ffff, 0x1d00ffff},  // slower than two weeks: capped at the limit
    {68543, 1279008237, 1279297671, 0x1c05a3f4, 0x1c0168fd}, // under a quarter: clamped to 4x harder
    {46367, 1263163443, 1269211443, 0x1c387f6f, 0x1d00e1fd}, // over 4x: clamped to 4x easier
};

} // namespace

BOOST_AUTO_TEST_CASE(mainnet_real_retargets)
{
    const auto params = CreateChainParams(ChainType::MAIN);
    const ConsensusParams& consensus = params->GetConsensus();
    for (const RealRetarget& r : REAL_RETARGETS) {
        BOOST_TEST_CONTEXT("height " << r.last_height + 1)
        {
            BlockIndex last;
            last.height = r.last_height;
            last.time = r.last_time;
            last.bits = r.bits;
            BOOST_CHECK_EQUAL(CalculateNextWorkRequired(&last, r.first_time, consensus), r.expected);
            BOOST_CHECK_EQUAL(ExpectedRetarget(r.bits, r.last_time - r.first_time, consensus), r.expected);
            BOOST_CHECK(PermittedDifficultyTransition(consensus, r.last_height + 1, r.bits, r.expected));
        }
    }
}

BOOST_AUTO_TEST_CASE(permitted_transitions)
{
    const auto main_params = CreateChainParams(ChainType::MAIN);
    const ConsensusParams& main = main_params->GetConsensus();
    // Inside a period the bits never change.
    BOOST_CHECK(PermittedDifficultyTransition(main, 100, 0x1c05a3f4, 0x1c05a3f4));
    BOOST_CHECK(!PermittedDifficultyTransition(main, 100, 0x1c05a3f4, 0x1c05a3f3));
    // At a boundary: at most 4x either way.
    BOOST_CHECK(PermittedDifficultyTransition(main, 2016, 0x1c05a3f4, 0x1c0168fd));
    BOOST_CHECK(!PermittedDifficultyTransition(main, 2016, 0x1c05a3f4, 0x1c0168fc));
    BOOST_CHECK(PermittedDifficultyTransition(main, 2016, 0x1c05a3f4, 0x1c168fd0));
    BOOST_CHECK(!PermittedDifficultyTransition(main, 2016, 0x1c05a3f4, 0x1c168fd1));
    BOOST_CHECK(PermittedDifficultyTransition(main, 4032, 0x1d00ffff, 0x1d00ffff));
    // Never easier than the limit.
    BOOST_CHECK(!PermittedDifficultyTransition(main, 4032, 0x1d00ffff, 0x1d01fffe));
    // Networks with minimum-difficulty blocks cannot be checked this way.
    const auto test_params = CreateChainParams(ChainType::TESTNET);
    const ConsensusParams& test = test_params->GetConsensus();
    BOOST_CHECK(PermittedDifficultyTransition(test, 100, 0x1c05a3f4, 0x1d00ffff));
}

BOOST_AUTO_TEST_CASE(synthetic_chain_retargets)
{
    const auto params = CreateChainParams(ChainType::MAIN);
    const ConsensusParams& consensus = params->GetConsensus();
    BOOST_CHECK_EQUAL(GetNextWorkRequired(nullptr, NextHeader(0), consensus), 0x1d00ffffU);

    // Three periods at different speeds: 9, 12 and 2 minutes a block.
    const uint32_t spacings[] = {540, 720, 120};
    TestChain chain;
    uint32_t time = 1300000000;
    uint32_t bits = 0x1c05a3f4;
    chain.FillTo(2016 * 10, time, 600, bits);
    for (uint32_t spacing : spacings) {
        const uint32_t period_start = chain.Tip()->time;
        while ((chain.Tip()->height + 1) % 2016 != 0) {
            time += spacing;
            BOOST_CHECK_EQUAL(GetNextWorkRequired(chain.Tip(), NextHeader(time), consensus), bits);
            chain.Add(time, bits);
        }
        const uint32_t next = GetNextWorkRequired(chain.Tip(), NextHeader(time + spacing), consensus);
        // The period spans 2015 intervals (first to last block).
        BOOST_CHECK_EQUAL(next, ExpectedRetarget(bits, int64_t{2015} * spacing, consensus));
        BOOST_CHECK_EQUAL(next, ExpectedRetarget(bits, chain.Tip()->time - period_start, consensus));
        BOOST_CHECK(PermittedDifficultyTransition(consensus, chain.Tip()->height + 1, bits, next));
        bits = next;
        time += spacing;
        chain.Add(time, bits);
    }
    // The fast period was clamped to four times harder.
    uint32_t before = ExpectedRetarget(0x1c05a3f4, 2015 * 540, consensus);
    before = ExpectedRetarget(before, 2015 * 720, consensus);
    BOOST_CHECK_EQUAL(bits, ExpectedRetarget(before, consensus.pow_target_timespan / 4, consensus));
}

BOOST_AUTO_TEST_CASE(testnet_min_difficulty_rule)
{
    const auto params = CreateChainParams(ChainType::TESTNET);
    const ConsensusParams& consensus = params->GetConsensus();
    const uint32_t limit = 0x1d00ffff;
    const uint32_t real = 0x1c00ffff;

    TestChain chain;
    uint32_t time = 1400000000;
    chain.FillTo(2016 * 5, time, 600, real);
    for (int i = 0; i < 10; ++i) chain.Add(time += 600, real);

    // On time: the real difficulty. More than 20 minutes late: the minimum.
    BOOST_CHECK_EQUAL(GetNextWorkRequired(chain.Tip(), NextHeader(time + 1200), consensus), real);
    BOOST_CHECK_EQUAL(GetNextWorkRequired(chain.Tip(), NextHeader(time + 1201), consensus), limit);
    // Mainnet has no such rule.
    const auto main_params = CreateChainParams(ChainType::MAIN);
    const ConsensusParams& main = main_params->GetConsensus();
    BOOST_CHECK_EQUAL(GetNextWorkRequired(chain.Tip(), NextHeader(time + 100000), main), real);

    // After minimum-difficulty blocks, an on-time block goes back to the
    // difficulty of the last regular block.
    for (int i = 0; i < 3; ++i) chain.Add(time += 1300, limit);
    BOOST_CHECK_EQUAL(GetNextWorkRequired(chain.Tip(), NextHeader(time + 600), consensus), real);
    BOOST_CHECK_EQUAL(GetNextWorkRequired(chain.Tip(), NextHeader(time + 1300), consensus), limit);

    // The walk back stops at the first block of the period, whatever its bits.
    TestChain easy;
    easy.FillTo(2016 * 7 - 1, time - 600, 600, real);
    easy.Add(time, limit);
    for (int i = 0; i < 5; ++i) easy.Add(time += 1300, limit);
    BOOST_CHECK_EQUAL(GetNextWorkRequired(easy.Tip(), NextHeader(time + 60), consensus), limit);
}

BOOST_AUTO_TEST_CASE(bip94_retarget_base)
{
    // A period whose last block was mined at minimum difficulty: testnet3
    // retargets from those bits (the limit), testnet4 from the period's first.
    const auto test3_params = CreateChainParams(ChainType::TESTNET);
    const ConsensusParams& test3 = test3_params->GetConsensus();
    const auto test4_params = CreateChainParams(ChainType::TESTNET4);
    const ConsensusParams& test4 = test4_params->GetConsensus();
    const uint32_t limit = 0x1d00ffff;
    const uint32_t real = 0x1c0fffff;

    TestChain chain;
    uint32_t time = 1714777860;
    const uint32_t first_time = time;
    chain.FillTo(2016 * 3, time, 600, real);
    while (chain.Tip()->height % 2016 != 2014) chain.Add(time += 600, real);
    chain.Add(time += 1300, limit); // last block of the period, 20-minute rule

    const int64_t actual = chain.Tip()->time - first_time;
    BOOST_CHECK_EQUAL(GetNextWorkRequired(chain.Tip(), NextHeader(time + 600), test3),
                      ExpectedRetarget(limit, actual, test3));
    BOOST_CHECK_EQUAL(GetNextWorkRequired(chain.Tip(), NextHeader(time + 600), test4),
                      ExpectedRetarget(real, actual, test4));
    BOOST_CHECK(ExpectedRetarget(real, actual, test4) != ExpectedRetarget(limit, actual, test3));
    BOOST_CHECK_EQUAL(MAX_TIMEWARP, 600);
}

BOOST_AUTO_TEST_CASE(regtest_never_retargets)
{
    const auto regtest_params = CreateChainParams(ChainType::REGTEST);
    const ConsensusParams& regtest = regtest_params->GetConsensus();
    const uint32_t limit = 0x207fffff;
    TestChain chain;
    uint32_t time = 1296688602;
    chain.Add(time, limit);
    for (int i = 1; i < 144 * 2 + 5; ++i) {
        BOOST_CHECK_EQUAL(GetNextWorkRequired(chain.Tip(), NextHeader(time + 1), regtest), limit);
        chain.Add(time += 1, limit);
    }
    BlockIndex fast;
    fast.height = 143;
    fast.time = 1000;
    fast.bits = 0x200fffff;
    BOOST_CHECK_EQUAL(CalculateNextWorkRequired(&fast, 999, regtest), 0x200fffffU);
}

// The alternative mainnet chain of Core's functional tests: 2016 blocks on
// mainnet's genesis, each with version 0x20000000, bits from retargeting and
// a coinbase (BIP34 height, OP_0 padding below 17, 50 BTC to a fixed P2PKH)
// that fixes the merkle root. Every header must meet its own target, and the
// last one is the first retarget (blocks two minutes apart: clamped 4x).
BOOST_AUTO_TEST_CASE(mainnet_alt_header_chain)
{
    const nlohmann::json vectors = test_util::ReadVectorJson("core/mainnet_alt.json");
    const auto& timestamps = vectors.at("timestamps");
    const auto& nonces = vectors.at("nonces");
    BOOST_REQUIRE_EQUAL(timestamps.size(), 2016U);
    BOOST_REQUIRE_EQUAL(nonces.size(), 2016U);

    const auto params = CreateChainParams(ChainType::MAIN);
    const ConsensusParams& consensus = params->GetConsensus();
    const std::vector<unsigned char> payee = ParseHex("76a914eadbac7f36c37e39361168b7aaee3cb24a25312d88ac");

    std::vector<uint256> hashes;
    hashes.reserve(2017);
    hashes.push_back(params->GenesisBlock().GetHash());
    TestChain chain;
    BlockIndex& genesis = chain.Add(params->GenesisBlock().time, params->GenesisBlock().bits);
    genesis.phash = &hashes.back();

    int valid = 0;
    for (int height = 1; height <= 2016; ++height) {
        MutableTransaction coinbase;
        coinbase.version = 2;
        coinbase.vin.resize(1);
        coinbase.vin[0].script_sig << int64_t{height};
        if (height <= 16) coinbase.vin[0].script_sig << OP_0; // scriptSig of at least 2 bytes
        coinbase.vout.resize(1);
        coinbase.vout[0].value = 50 * COIN;
        coinbase.vout[0].script_pubkey = Script(payee);

        BlockHeader header;
        header.version = 0x20000000;
        header.prev_block = hashes.back();
        header.merkle_root = ComputeMerkleRoot({Transaction(coinbase).GetHash()});
        header.time = timestamps[height - 1].get<uint32_t>();
        header.nonce = nonces[height - 1].get<uint32_t>();
        header.bits = GetNextWorkRequired(chain.Tip(), header, consensus);
        if (CheckProofOfWork(header.GetHash(), header.bits, consensus.pow_limit)) ++valid;
        if (height == 2016) BOOST_CHECK_EQUAL(header.bits, 0x1c3fffc0U);

        hashes.push_back(header.GetHash());
        BlockIndex& block = chain.Add(header.time, header.bits);
        block.phash = &hashes.back();
    }
    BOOST_CHECK_EQUAL(valid, 2016);
    BOOST_CHECK_EQUAL(hashes.back().GetHex(), "000000000c806553811fd3e6c40bc9c279db53643da7d3b401a9882c074c24b2");
}

BOOST_AUTO_TEST_SUITE_END()
