// Fee estimation on a synthetic fee market: miners take everything paying at
// least 20 sat/vB into the next block, 8-20 sat/vB after two blocks,
// and leave cheaper transactions waiting until they expire. The estimator must
// converge on those thresholds, answer nothing before it has data, keep its
// estimates monotone in the target, and survive a save / load round trip.

#include <node/fees.h>

#include <boost/test/unit_test.hpp>

#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <optional>
#include <vector>

namespace {

uint256 MakeTxid(uint64_t n)
{
    uint256 id;
    std::memcpy(id.data(), &n, sizeof(n));
    id.data()[31] = 0x5a;
    return id;
}

struct Pending {
    uint256 txid;
    Amount feerate;   // sat/kvB
    unsigned entered;
};

// Runs the market for `blocks` blocks starting after `height`; with
// expire_rest, what is still waiting at the end expires.
void RunMarket(node::FeeEstimator& est, unsigned& height, uint64_t& counter, unsigned blocks, bool expire_rest = false)
{
    static const std::vector<Amount> levels{2000, 4000, 6000, 8000, 10000, 14000, 20000, 25000, 40000, 60000};
    std::deque<Pending> waiting;
    for (unsigned b = 0; b < blocks; ++b) {
        // 3 transactions per level arrive, each 250 vbytes.
        for (Amount rate : levels) {
            for (int i = 0; i < 3; ++i) {
                Pending p{MakeTxid(++counter), rate, height};
                est.ProcessTransaction(p.txid, height, rate * 250 / 1000, 250);
                waiting.push_back(p);
            }
        }
        ++height;
        std::vector<uint256> confirmed;
        std::deque<Pending> still;
        for (const Pending& p : waiting) {
            const unsigned waited = height - p.entered;
            const bool mined = p.feerate >= 20000 || (p.feerate >= 8000 && waited >= 2);
            if (mined) {
                confirmed.push_back(p.txid);
            } else if (waited > 30) {
                est.RemoveTransaction(p.txid);  // expired unconfirmed
            } else {
                still.push_back(p);
            }
        }
        waiting.swap(still);
        est.ProcessBlock(height, confirmed);
    }
    if (expire_rest) {
        for (const Pending& p : waiting) est.RemoveTransaction(p.txid);
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(fees_tests)

BOOST_AUTO_TEST_CASE(no_data_no_estimate)
{
    node::FeeEstimator est({}, nullptr, 100);
    const node::FeeEstimate e = est.EstimateSmartFee(6, false);
    BOOST_CHECK(!e.feerate);
    BOOST_CHECK_EQUAL(est.HighestTarget(), 1008U);
}

BOOST_AUTO_TEST_CASE(converges_on_synthetic_market)
{
    node::FeeEstimator est({}, nullptr, 100);
    unsigned height = 100;
    uint64_t counter = 0;
    RunMarket(est, height, counter, 300);

    // Next-block (target 1 becomes 2): only the >= 20 sat/vB buckets pass.
    const node::FeeEstimate fast = est.EstimateSmartFee(1, false);
    BOOST_CHECK_EQUAL(fast.blocks, 2U);
    BOOST_REQUIRE(fast.feerate);
    BOOST_CHECK_GE(*fast.feerate, 20000);
    BOOST_CHECK_LE(*fast.feerate, 60000);

    // Within 6 blocks the 8-20 sat/vB transactions make it too.
    const node::FeeEstimate six = est.EstimateSmartFee(6, false);
    BOOST_CHECK_EQUAL(six.blocks, 6U);
    BOOST_REQUIRE(six.feerate);
    BOOST_CHECK_GE(*six.feerate, 8000);
    BOOST_CHECK_LT(*six.feerate, 20000);

    // Never below what actually confirms, and monotone in the target.
    const node::FeeEstimate slow = est.EstimateSmartFee(48, false);
    BOOST_REQUIRE(slow.feerate);
    BOOST_CHECK_GE(*slow.feerate, 8000);
    BOOST_CHECK_LE(*slow.feerate, *six.feerate);
    BOOST_CHECK_LE(*six.feerate, *fast.feerate);

    // Conservative is never cheaper than economical.
    const node::FeeEstimate cons = est.EstimateSmartFee(6, true);
    BOOST_REQUIRE(cons.feerate);
    BOOST_CHECK_GE(*cons.feerate, *six.feerate);

    // A target beyond the data is clamped to half the blocks seen.
    const node::FeeEstimate far = est.EstimateSmartFee(1000, false);
    BOOST_CHECK_EQUAL(far.blocks, 150U);
}

BOOST_AUTO_TEST_CASE(market_shift_is_followed)
{
    node::FeeEstimator est({}, nullptr, 0);
    unsigned height = 0;
    uint64_t counter = 0;
    RunMarket(est, height, counter, 200, /*expire_rest=*/true);
    const auto before = est.EstimateRaw(2, 0.85, node::FeeEstimateHorizon::SHORT);
    BOOST_REQUIRE(before);
    // Now everything paying 8 sat/vB confirms at once: the short horizon follows.
    for (unsigned b = 0; b < 150; ++b) {
        std::vector<uint256> confirmed;
        for (Amount rate : {2000, 4000, 8000, 10000, 20000, 40000}) {
            for (int i = 0; i < 3; ++i) {
                const uint256 id = MakeTxid(++counter);
                est.ProcessTransaction(id, height, rate * 250 / 1000, 250);
                if (rate >= 8000) {
                    confirmed.push_back(id);
                } else {
                    est.RemoveTransaction(id);
                }
            }
        }
        est.ProcessBlock(++height, confirmed);
    }
    const auto after = est.EstimateRaw(2, 0.85, node::FeeEstimateHorizon::SHORT);
    BOOST_REQUIRE(after);
    BOOST_CHECK_LT(*after, *before);
    BOOST_CHECK_GE(*after, 7999);
    BOOST_CHECK_LT(*after, 20000);
    BOOST_CHECK_EQUAL(est.TrackedCount(), 0U);
}

BOOST_AUTO_TEST_CASE(save_and_load)
{
    const auto path = std::filesystem::temp_directory_path() / "fees_tests_fee_estimates.dat";
    std::filesystem::remove(path);
    node::FeeEstimator est(path, nullptr, 100);
    unsigned height = 100;
    uint64_t counter = 0;
    RunMarket(est, height, counter, 120);
    const node::FeeEstimate e = est.EstimateSmartFee(6, false);
    BOOST_REQUIRE(e.feerate);
    BOOST_REQUIRE(est.Save());

    node::FeeEstimator loaded(path, nullptr, height);
    BOOST_REQUIRE(loaded.Load());
    const node::FeeEstimate l = loaded.EstimateSmartFee(6, false);
    BOOST_REQUIRE(l.feerate);
    BOOST_CHECK_EQUAL(*l.feerate, *e.feerate);
    BOOST_CHECK_EQUAL(l.blocks, e.blocks);

    // A damaged file is refused and changes nothing.
    {
        std::FILE* f = std::fopen(path.string().c_str(), "r+b");
        BOOST_REQUIRE(f);
        std::fputc(0x00, f);
        std::fclose(f);
    }
    node::FeeEstimator fresh(path, nullptr, height);
    BOOST_CHECK(!fresh.Load());
    BOOST_CHECK(!fresh.EstimateSmartFee(6, false).feerate);
    std::filesystem::remove(path);
}

BOOST_AUTO_TEST_SUITE_END()
