// Fee estimation on a synthetic fee market: miners take everything paying at
// least 20 sat/vB into the next block, 8-20 sat/vB after two blocks,
// and leave cheaper transactions waiting until they expire. The estimator must
// converge on those thresholds, answer nothing before it has data, keep its
// estimates monotone in the target, and survive a save / load round trip.
// fee_estimates.dat is Bitcoin Core's layout: files built here byte by byte
// from the layout description (not with the estimator's writer) must load,
// our output must have that layout, and damaged or garbage files must be
// refused without harm.

#include <kernel/block_index.h>
#include <kernel/validation.h>
#include <node/fees.h>
#include <node/mempool_accept.h>
#include <node/mempool_persist.h>
#include <node/txmempool.h>
#include <primitives/block.h>
#include <test/util/chain_fixture.h>
#include <util/time.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cmath>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <string>
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

// --- fee_estimates.dat built by hand -------------------------------------
// Little-endian writer that knows nothing of the node's serializer, so a
// file built here checks the reader against the layout itself.
struct FileBuilder {
    std::vector<unsigned char> bytes;
    void Int(uint64_t v, int width)
    {
        for (int i = 0; i < width; ++i) bytes.push_back(static_cast<unsigned char>((v >> (8 * i)) & 0xff));
    }
    void I32(int32_t v) { Int(static_cast<uint32_t>(v), 4); }
    void U32(uint32_t v) { Int(v, 4); }
    void Count(uint64_t n)
    {
        if (n < 253) {
            Int(n, 1);
        } else if (n <= 0xffff) {
            Int(253, 1);
            Int(n, 2);
        } else {
            Int(254, 1);
            Int(n, 4);
        }
    }
    void Double(double d)
    {
        uint64_t u;
        std::memcpy(&u, &d, sizeof(u));
        Int(u, 8);
    }
    void Doubles(const std::vector<double>& v)
    {
        Count(v.size());
        for (double d : v) Double(d);
    }
    void Rows(const std::vector<std::vector<double>>& rows)
    {
        Count(rows.size());
        for (const auto& r : rows) Doubles(r);
    }
};

struct HorizonData {
    double decay;
    uint32_t scale;
    std::vector<double> feerate_sum, count;
    std::vector<std::vector<double>> confirmed, failed;
};

HorizonData MakeHorizon(double decay, uint32_t scale, size_t periods, size_t buckets)
{
    return {decay, scale, std::vector<double>(buckets, 0), std::vector<double>(buckets, 0),
            std::vector<std::vector<double>>(periods, std::vector<double>(buckets, 0)),
            std::vector<std::vector<double>>(periods, std::vector<double>(buckets, 0))};
}

// Core's bucket bounds: 1000 sat/kvB times 1.05 while <= 1e7, then 1e99.
std::vector<double> CoreBounds()
{
    std::vector<double> b;
    for (double r = 1000; r <= 1e7; r *= 1.05) b.push_back(r);
    b.push_back(1e99);
    return b;
}

constexpr size_t FAST_BUCKET = 40;  // (6704.8, 7040] sat/kvB
constexpr size_t SLOW_BUCKET = 20;  // (2526.9, 2653.3]

// 100 (decayed) transactions at 7000 sat/kvB confirmed in the next block,
// 100 at 2600 sat/kvB confirmed only after 10 blocks.
void Populate(HorizonData& h)
{
    h.count[FAST_BUCKET] = 100;
    h.feerate_sum[FAST_BUCKET] = 100 * 7000.0;
    h.count[SLOW_BUCKET] = 100;
    h.feerate_sum[SLOW_BUCKET] = 100 * 2600.0;
    for (size_t p = 0; p < h.confirmed.size(); ++p) {
        h.confirmed[p][FAST_BUCKET] = 100;
        if ((p + 1) * h.scale >= 10) h.confirmed[p][SLOW_BUCKET] = 100;
    }
}

struct CoreFile {
    int32_t version = 149900;
    int32_t writer = 0;
    uint32_t best = 500, hist_first = 300, hist_best = 500;
    std::vector<double> bounds = CoreBounds();
    HorizonData med = MakeHorizon(0.9952, 2, 24, bounds.size());
    HorizonData shrt = MakeHorizon(0.962, 1, 12, bounds.size());
    HorizonData lng = MakeHorizon(0.99931, 24, 42, bounds.size());
};

CoreFile SampleFile()
{
    CoreFile f;
    Populate(f.med);
    Populate(f.shrt);
    Populate(f.lng);
    return f;
}

std::vector<unsigned char> Build(const CoreFile& f)
{
    FileBuilder b;
    b.I32(f.version);
    b.I32(f.writer);
    b.U32(f.best);
    b.U32(f.hist_first);
    b.U32(f.hist_best);
    b.Doubles(f.bounds);
    for (const HorizonData* h : {&f.med, &f.shrt, &f.lng}) {  // Core's order: medium, short, long
        b.Double(h->decay);
        b.U32(h->scale);
        b.Doubles(h->feerate_sum);
        b.Doubles(h->count);
        b.Rows(h->confirmed);
        b.Rows(h->failed);
    }
    return b.bytes;
}

std::string Hex(std::span<const unsigned char> bytes)
{
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (unsigned char c : bytes) {
        s += digits[c >> 4];
        s += digits[c & 15];
    }
    return s;
}

// A chain, a mempool following it and an estimator listening to both, as
// bitcoind wires them. The fixture's blocks are one second apart from
// regtest's genesis (2011): with the real clock the node is in initial block
// download until MakeCurrent() moves the mock clock next to the tip.
struct EstimatorSetup {
    // The node's clock follows the mock time, as bitcoind's does.
    test_util::ChainFixture fx{[](ChainstateManagerOptions& o) { o.adjusted_time = [] { return GetTime(); }; }};
    std::vector<std::shared_ptr<const Block>> blocks;
    std::unique_ptr<node::TxMempool> pool;
    std::unique_ptr<node::MempoolChainSync> sync;
    std::unique_ptr<node::FeeEstimator> est;

    EstimatorSetup()
    {
        blocks = fx.MineBlocks(110);
        pool = std::make_unique<node::TxMempool>();
        sync = std::make_unique<node::MempoolChainSync>(fx.Chainman(), *pool);
        fx.Chainman().RegisterObserver(sync.get());
        est = std::make_unique<node::FeeEstimator>(std::filesystem::path{}, pool.get(),
                                                   static_cast<unsigned>(fx.Height()));
        pool->RegisterObserver(est.get());
        fx.Chainman().RegisterObserver(est.get());
    }
    ~EstimatorSetup()
    {
        fx.Chainman().UnregisterObserver(est.get());
        pool->UnregisterObserver(est.get());
        fx.Chainman().UnregisterObserver(sync.get());
        SetMockTime(0);
    }
    void MakeCurrent() { SetMockTime(fx.Tip()->GetBlockTime() + 60); }
    test_util::SpendableOutput Coinbase(int i) { return test_util::ChainFixture::CoinbaseOutput(*blocks[i]); }
    TransactionRef Accept(const TransactionRef& tx)
    {
        const node::MempoolAcceptResult r = node::AcceptToMemoryPool(fx.Chainman(), *pool, tx, GetTime(), false, false);
        BOOST_REQUIRE_MESSAGE(r.IsValid(), r.m_state.ToString());
        return tx;
    }
};

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

    // A target beyond the data is clamped to half the blocks seen since the
    // first one that confirmed a tracked tx (101..400: a span of 299).
    const node::FeeEstimate far = est.EstimateSmartFee(1000, false);
    BOOST_CHECK_EQUAL(far.blocks, 149U);
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

BOOST_AUTO_TEST_CASE(writes_core_layout)
{
    // A fresh estimator's file: Core's header, buckets and three empty horizons.
    node::FeeEstimator est({}, nullptr, 100);
    const std::vector<unsigned char> bytes = est.Serialize();
    CoreFile expected;
    expected.best = 100;
    expected.hist_first = expected.hist_best = 0;
    BOOST_CHECK_EQUAL(expected.bounds.size(), 190U);
    BOOST_CHECK(bytes == Build(expected));
    // 20-byte header, 190 bounds, then medium (24 periods), short (12), long (42).
    BOOST_CHECK_EQUAL(bytes.size(), 247985U);
    BOOST_CHECK_EQUAL(Hex(std::span(bytes).first(21)), "8c490200" "00000000" "64000000" "00000000" "00000000" "be");
    // First bound 1000.0, last 1e99, then the medium horizon's decay 0.9952 and scale 2.
    BOOST_CHECK_EQUAL(Hex(std::span(bytes).subspan(21, 8)), "0000000000408f40");
    BOOST_CHECK_EQUAL(Hex(std::span(bytes).subspan(21 + 189 * 8, 8)), "2e9f87a2ae427d54");
    BOOST_CHECK_EQUAL(Hex(std::span(bytes).subspan(21 + 190 * 8, 12)), "9b559fabadd8ef3f" "02000000");
}

BOOST_AUTO_TEST_CASE(reads_core_layout)
{
    const std::vector<unsigned char> bytes = Build(SampleFile());
    node::FeeEstimator est({}, nullptr, 0);
    std::string error;
    BOOST_REQUIRE_MESSAGE(est.Parse(bytes, error), error);
    BOOST_CHECK_EQUAL(est.BestHeight(), 500U);
    BOOST_CHECK_EQUAL(est.HighestTarget(), 1008U);
    // Nothing recorded since: written back unchanged, byte for byte.
    BOOST_CHECK(est.Serialize() == bytes);

    // Within 6 blocks only the fast bucket confirms; within 20 the slow one too.
    const node::FeeEstimate six = est.EstimateSmartFee(6, false);
    BOOST_REQUIRE(six.feerate);
    BOOST_CHECK_EQUAL(*six.feerate, 7000);
    BOOST_CHECK_EQUAL(six.blocks, 6U);
    const node::FeeEstimate twenty = est.EstimateSmartFee(20, false);
    BOOST_REQUIRE(twenty.feerate);
    BOOST_CHECK_EQUAL(*twenty.feerate, 2600);
    BOOST_CHECK_EQUAL(est.EstimateSmartFee(6, true).feerate.value_or(0), 7000);
    BOOST_CHECK_EQUAL(*est.EstimateRaw(9, 0.85, node::FeeEstimateHorizon::SHORT), 7000);
    BOOST_CHECK_EQUAL(*est.EstimateRaw(10, 0.85, node::FeeEstimateHorizon::SHORT), 2600);
    BOOST_CHECK_EQUAL(*est.EstimateRaw(8, 0.85, node::FeeEstimateHorizon::MEDIUM), 7000);
    // The historical span (300..500) bounds the usable target: half of 200.
    BOOST_CHECK_EQUAL(est.EstimateSmartFee(1000, false).blocks, 100U);

    // History too far behind the best height no longer counts.
    CoreFile old = SampleFile();
    old.best = 500 + 6 * 1008 + 1;
    node::FeeEstimator stale_history({}, nullptr, 0);
    BOOST_REQUIRE_MESSAGE(stale_history.Parse(Build(old), error), error);
    BOOST_CHECK_EQUAL(stale_history.EstimateSmartFee(6, false).blocks, 0U);
    BOOST_CHECK(!stale_history.EstimateSmartFee(6, false).feerate);

    // Other bucket bounds and horizon shapes are taken as the file has them.
    CoreFile odd;
    odd.bounds = {5000, 1e99};
    odd.med = MakeHorizon(0.5, 3, 5, 2);
    odd.shrt = MakeHorizon(0.5, 1, 4, 2);
    odd.lng = MakeHorizon(0.9, 7, 100, 2);
    node::FeeEstimator other({}, nullptr, 0);
    BOOST_REQUIRE_MESSAGE(other.Parse(Build(odd), error), error);
    BOOST_CHECK_EQUAL(other.HighestTarget(), 700U);
    BOOST_CHECK(other.Serialize() == Build(odd));
}

BOOST_AUTO_TEST_CASE(round_trip_after_market)
{
    node::FeeEstimator est({}, nullptr, 100);
    unsigned height = 100;
    uint64_t counter = 0;
    RunMarket(est, height, counter, 120, /*expire_rest=*/true);
    const std::vector<unsigned char> bytes = est.Serialize();
    BOOST_CHECK_EQUAL(bytes.size(), 247985U);
    node::FeeEstimator loaded({}, nullptr, 0);
    std::string error;
    BOOST_REQUIRE_MESSAGE(loaded.Parse(bytes, error), error);
    BOOST_CHECK(loaded.Serialize() == bytes);
    BOOST_CHECK_EQUAL(loaded.BestHeight(), height);
    for (unsigned target : {2U, 6U, 12U, 30U}) {
        BOOST_CHECK(loaded.EstimateSmartFee(target, false).feerate == est.EstimateSmartFee(target, false).feerate);
        BOOST_CHECK(loaded.EstimateSmartFee(target, true).feerate == est.EstimateSmartFee(target, true).feerate);
    }
    // The span recorded (101..220) went into the historical fields.
    BOOST_CHECK_EQUAL(Hex(std::span(bytes).subspan(8, 12)), "dc000000" "65000000" "dc000000");
}

BOOST_AUTO_TEST_CASE(refuses_malformed_files)
{
    struct Case {
        const char* what;
        void (*mutate)(CoreFile&);
        const char* error;
    };
    const std::vector<Case> cases{
        {"newer version", [](CoreFile& f) { f.version = 149901; }, "File version (149901) too high to be read."},
        {"older version", [](CoreFile& f) { f.version = 149899; }, "Incompatible old fee estimation data (non-fatal). Version: 149899"},
        {"first > best", [](CoreFile& f) { f.hist_first = 501; f.hist_best = 500; }, "Historical block range for estimates is invalid"},
        {"best > seen", [](CoreFile& f) { f.hist_best = 501; }, "Historical block range for estimates is invalid"},
        {"one bucket", [](CoreFile& f) { f.bounds = {1e99}; }, "Must have between 2 and 1000 feerate buckets"},
        {"1001 buckets", [](CoreFile& f) { f.bounds.resize(1001, 1e99); }, "Must have between 2 and 1000 feerate buckets"},
        {"unsorted", [](CoreFile& f) { std::swap(f.bounds[3], f.bounds[4]); }, "Bucket bounds must be positive and increasing"},
        {"decay 1", [](CoreFile& f) { f.med.decay = 1.0; }, "Decay must be between 0 and 1 (non-inclusive)"},
        {"decay NaN", [](CoreFile& f) { f.lng.decay = std::nan(""); }, "Decay must be between 0 and 1 (non-inclusive)"},
        {"scale 0", [](CoreFile& f) { f.shrt.scale = 0; }, "Scale must be non-zero"},
        {"feerates", [](CoreFile& f) { f.lng.feerate_sum.pop_back(); }, "Mismatch in feerate average bucket count"},
        {"counts", [](CoreFile& f) { f.med.count.push_back(0); }, "Mismatch in tx count bucket count"},
        {"too many confirms", [](CoreFile& f) { f.lng = MakeHorizon(0.99931, 24, 43, f.bounds.size()); }, "between 1 and 1008 (one week) confirms"},
        {"no periods", [](CoreFile& f) { f.shrt.confirmed.clear(); f.shrt.failed.clear(); }, "between 1 and 1008 (one week) confirms"},
        {"conf row", [](CoreFile& f) { f.med.confirmed[3].pop_back(); }, "Mismatch in feerate conf average bucket count"},
        {"fail periods", [](CoreFile& f) { f.med.failed.pop_back(); }, "Mismatch in confirms tracked for failures"},
        {"fail row", [](CoreFile& f) { f.shrt.failed[2].push_back(1); }, "Mismatch in one of failure average bucket counts"},
        {"NaN average", [](CoreFile& f) { f.med.count[7] = std::nan(""); }, "Averages must be finite and non-negative"},
        {"negative", [](CoreFile& f) { f.lng.failed[1][7] = -1; }, "Averages must be finite and non-negative"},
    };
    node::FeeEstimator est({}, nullptr, 7);
    const std::vector<unsigned char> before = est.Serialize();
    for (const Case& c : cases) {
        CoreFile f = SampleFile();
        c.mutate(f);
        std::string error;
        BOOST_CHECK_MESSAGE(!est.Parse(Build(f), error), c.what);
        BOOST_CHECK_MESSAGE(error.find(c.error) != std::string::npos, c.what << ": " << error);
    }
    // A length prefix far beyond the data, and our own earlier format.
    std::vector<unsigned char> huge = Build(SampleFile());
    huge.resize(20);
    for (unsigned char c : {0xfe, 0xff, 0xff, 0xff, 0x01}) huge.push_back(c);
    std::string error;
    BOOST_CHECK(!est.Parse(huge, error));
    BOOST_CHECK(error.find("Unable to read policy estimator data (non-fatal)") != std::string::npos);
    const std::vector<unsigned char> ours_v1{0x31, 0x65, 0x65, 0x66, 1, 0, 0, 0, 190, 0, 0, 0};
    BOOST_CHECK(!est.Parse(ours_v1, error));
    BOOST_CHECK(est.Serialize() == before);
    BOOST_CHECK_EQUAL(est.BestHeight(), 7U);
}

BOOST_AUTO_TEST_CASE(survives_truncated_and_garbage_files)
{
    const std::vector<unsigned char> good = Build(SampleFile());
    node::FeeEstimator est({}, nullptr, 3);
    const std::vector<unsigned char> fresh = est.Serialize();
    std::string error;
    size_t checked = 0;
    auto refused_unchanged = [&](std::span<const unsigned char> bytes) {
        error.clear();
        const bool ok = est.Parse(bytes, error);
        BOOST_CHECK(!ok);
        BOOST_CHECK(!error.empty());
        if (++checked % 16 == 0) BOOST_CHECK(est.Serialize() == fresh);
    };
    // Every cut through the header and the first vectors, then every 1009th.
    for (size_t len = 0; len < 3000; ++len) refused_unchanged(std::span(good).first(len));
    for (size_t len = 3000; len < good.size(); len += 1009) refused_unchanged(std::span(good).first(len));
    for (size_t cut = 1; cut <= 16; ++cut) refused_unchanged(std::span(good).first(good.size() - cut));

    // Random bytes, alone and after a valid header.
    std::mt19937_64 rng(20261122);
    for (int i = 0; i < 300; ++i) {
        std::vector<unsigned char> junk(rng() % 5000);
        for (auto& b : junk) b = static_cast<unsigned char>(rng());
        if (i % 2) std::copy(good.begin(), good.begin() + std::min<size_t>(20, junk.size()), junk.begin());
        refused_unchanged(junk);
    }

    // Flipped bytes: refused, or accepted as some other valid file; never harm.
    unsigned accepted = 0;
    for (int i = 0; i < 200; ++i) {
        std::vector<unsigned char> bad = good;
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int f = 0; f < flips; ++f) {
            // Half of them in the header and the bounds, where most structure is.
            const size_t pos = (i % 2) ? rng() % 1600 : rng() % bad.size();
            bad[pos] ^= static_cast<unsigned char>(1 + rng() % 255);
        }
        node::FeeEstimator target({}, nullptr, 3);
        if (target.Parse(bad, error)) {
            ++accepted;
            (void)target.EstimateSmartFee(6, false);
            (void)target.EstimateSmartFee(1000, true);
        } else {
            BOOST_CHECK(target.Serialize() == fresh);
        }
    }
    BOOST_TEST_MESSAGE("flipped files accepted as valid: " << accepted);
    BOOST_CHECK(est.Parse(good, error));
}

BOOST_AUTO_TEST_CASE(stale_and_missing_files)
{
    const auto path = std::filesystem::temp_directory_path() / "fees_tests_stale_fee_estimates.dat";
    std::filesystem::remove(path);
    node::FeeEstimator missing(path, nullptr, 0);
    BOOST_CHECK(!missing.Load());

    {
        std::ofstream out(path, std::ios::binary);
        const std::vector<unsigned char> bytes = Build(SampleFile());
        out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
    const auto now = std::filesystem::file_time_type::clock::now();
    std::filesystem::last_write_time(path, now - std::chrono::hours{59});
    node::FeeEstimator recent(path, nullptr, 0);
    BOOST_CHECK(recent.Load());
    BOOST_CHECK_EQUAL(recent.EstimateSmartFee(6, false).feerate.value_or(0), 7000);

    // Older than 60 hours: not served, unless asked for.
    std::filesystem::last_write_time(path, now - std::chrono::hours{61});
    node::FeeEstimator stale(path, nullptr, 0);
    BOOST_CHECK(!stale.Load());
    BOOST_CHECK(!stale.EstimateSmartFee(6, false).feerate);
    BOOST_CHECK(stale.Load(/*accept_stale=*/true));
    BOOST_CHECK_EQUAL(stale.EstimateSmartFee(6, false).feerate.value_or(0), 7000);
    std::filesystem::remove(path);
}

BOOST_AUTO_TEST_CASE(failures_and_flush)
{
    // A tx that waited 5 blocks and left counts as failed for targets 1..5:
    // with only such data nothing passes at those targets.
    node::FeeEstimator est({}, nullptr, 0);
    unsigned height = 0;
    uint64_t counter = 0;
    for (int round = 0; round < 200; ++round) {
        std::vector<uint256> ids;
        for (int i = 0; i < 30; ++i) {
            ids.push_back(MakeTxid(++counter));
            est.ProcessTransaction(ids.back(), height, 2500, 250);  // 10 sat/vB
        }
        // A third confirm in the next block, the rest wait 5 blocks and leave.
        est.ProcessBlock(++height, std::vector<uint256>(ids.begin(), ids.begin() + 10));
        for (int b = 0; b < 4; ++b) est.ProcessBlock(++height, {});
        for (int i = 10; i < 30; ++i) est.RemoveTransaction(ids[i]);
    }
    BOOST_CHECK_EQUAL(est.TrackedCount(), 0U);
    // 1 of 3 within 5 blocks: fails; the failures do not count from target 6 on.
    BOOST_CHECK(!est.EstimateRaw(5, 0.85, node::FeeEstimateHorizon::SHORT));
    const auto six = est.EstimateRaw(6, 0.85, node::FeeEstimateHorizon::SHORT);
    BOOST_REQUIRE(six);
    BOOST_CHECK_EQUAL(std::llround(*six), 10000);

    // A tx arriving at another height than the best seen is not tracked.
    est.ProcessTransaction(MakeTxid(++counter), height - 1, 2500, 250);
    BOOST_CHECK_EQUAL(est.TrackedCount(), 0U);
    // Flushing at shutdown turns what is still waiting into failures.
    est.ProcessTransaction(MakeTxid(++counter), height, 2500, 250);
    BOOST_CHECK_EQUAL(est.TrackedCount(), 1U);
    est.FlushUnconfirmed();
    BOOST_CHECK_EQUAL(est.TrackedCount(), 0U);
}

BOOST_AUTO_TEST_CASE(blocks_flush_periodically)
{
    const auto path = std::filesystem::temp_directory_path() / "fees_tests_periodic_fee_estimates.dat";
    std::filesystem::remove(path);
    node::FeeEstimator est(path, nullptr, 10);
    const auto block = std::make_shared<const Block>();
    BlockIndex index;
    index.height = 11;
    est.BlockConnected(block, index);  // less than an hour since start: no write
    BOOST_CHECK(!std::filesystem::exists(path));
    est.SetFlushInterval(std::chrono::seconds{0});
    index.height = 12;
    est.BlockConnected(block, index);
    BOOST_REQUIRE(std::filesystem::exists(path));
    node::FeeEstimator loaded(path, nullptr, 0);
    BOOST_CHECK(loaded.Load());
    BOOST_CHECK_EQUAL(loaded.BestHeight(), 12U);
    std::filesystem::remove(path);
}

BOOST_AUTO_TEST_CASE(raw_estimate_detail)
{
    // The sample file: 100 txs at 7000 sat/kvB confirm at once, 100 at 2600
    // only after 10 blocks.
    node::FeeEstimator est({}, nullptr, 0);
    std::string error;
    BOOST_REQUIRE_MESSAGE(est.Parse(Build(SampleFile()), error), error);
    const std::vector<double> bounds = CoreBounds();

    // Target 9: the fast bucket passes alone; the range below it down to the
    // slow bucket is the failing one (nothing of it confirmed in time).
    node::FeeEstimateDetail d;
    const auto nine = est.EstimateRaw(9, 0.85, node::FeeEstimateHorizon::SHORT, &d);
    BOOST_REQUIRE(nine);
    BOOST_CHECK_EQUAL(*nine, 7000);
    BOOST_CHECK_EQUAL(d.decay, 0.962);
    BOOST_CHECK_EQUAL(d.scale, 1U);
    BOOST_CHECK_EQUAL(d.pass.start, bounds[FAST_BUCKET - 1]);
    // The first range starts at the top: it holds the empty buckets above too.
    BOOST_CHECK_EQUAL(d.pass.end, 1e99);
    BOOST_CHECK_EQUAL(d.pass.within_target, 100);
    BOOST_CHECK_EQUAL(d.pass.total_confirmed, 100);
    BOOST_CHECK_EQUAL(d.pass.in_mempool, 0);
    BOOST_CHECK_EQUAL(d.pass.left_mempool, 0);
    BOOST_CHECK_EQUAL(d.fail.start, bounds[SLOW_BUCKET - 1]);
    BOOST_CHECK_EQUAL(d.fail.end, bounds[FAST_BUCKET - 1]);
    BOOST_CHECK_EQUAL(d.fail.within_target, 0);
    BOOST_CHECK_EQUAL(d.fail.total_confirmed, 100);

    // Target 10: both pass; the cheap rest has no data and is the fail range.
    const auto ten = est.EstimateRaw(10, 0.85, node::FeeEstimateHorizon::SHORT, &d);
    BOOST_REQUIRE(ten);
    BOOST_CHECK_EQUAL(*ten, 2600);
    BOOST_CHECK_EQUAL(d.pass.start, bounds[SLOW_BUCKET - 1]);
    BOOST_CHECK_EQUAL(d.pass.end, bounds[FAST_BUCKET - 1]);
    BOOST_CHECK_EQUAL(d.pass.within_target, 100);
    BOOST_CHECK_EQUAL(d.fail.start, 0);
    BOOST_CHECK_EQUAL(d.fail.end, bounds[SLOW_BUCKET - 1]);
    BOOST_CHECK_EQUAL(d.fail.total_confirmed, 0);

    // The medium horizon reports its own decay and scale.
    BOOST_REQUIRE(est.EstimateRaw(8, 0.85, node::FeeEstimateHorizon::MEDIUM, &d));
    BOOST_CHECK_EQUAL(d.decay, 0.9952);
    BOOST_CHECK_EQUAL(d.scale, 2U);

    // Every fast transaction confirmed in time: even a threshold of 1 is met.
    BOOST_CHECK_EQUAL(est.EstimateRaw(9, 1.0, node::FeeEstimateHorizon::SHORT).value_or(0), 7000);
    BOOST_CHECK(!est.EstimateRaw(9, 1.01, node::FeeEstimateHorizon::SHORT));
    // Beyond a horizon: no answer; every horizon's reach.
    BOOST_CHECK(!est.EstimateRaw(13, 0.85, node::FeeEstimateHorizon::SHORT));
    BOOST_CHECK_EQUAL(est.HighestTarget(node::FeeEstimateHorizon::SHORT), 12U);
    BOOST_CHECK_EQUAL(est.HighestTarget(node::FeeEstimateHorizon::MEDIUM), 48U);
    BOOST_CHECK_EQUAL(est.HighestTarget(node::FeeEstimateHorizon::LONG), 1008U);

    // No data at all: nothing passes, the whole range is the failing one.
    node::FeeEstimator empty({}, nullptr, 0);
    BOOST_CHECK(!empty.EstimateRaw(2, 0.95, node::FeeEstimateHorizon::SHORT, &d));
    BOOST_CHECK_EQUAL(d.pass.start, -1);
    BOOST_CHECK_EQUAL(d.fail.start, 0);
    BOOST_CHECK_EQUAL(d.fail.end, 1e99);
    BOOST_CHECK_EQUAL(d.decay, 0.962);
}

// Which additions the estimator learns from, through the real acceptance
// code: not in initial block download, not with a stale tip, not a package
// member, not a child of an in-mempool parent; an ordinary one is.
BOOST_AUTO_TEST_CASE(skips_ibd_and_stale_tip)
{
    EstimatorSetup s;
    // Real clock, tip in 2011: initial block download.
    const TransactionRef during_ibd = s.Accept(s.fx.SpendTo(s.Coinbase(0), 1000));
    BOOST_CHECK(s.pool->exists(during_ibd->GetHash()));
    BOOST_CHECK(!s.est->IsTracked(during_ibd->GetHash()));

    s.MakeCurrent();
    const TransactionRef current = s.Accept(s.fx.SpendTo(s.Coinbase(1), 1000));
    BOOST_CHECK(s.est->IsTracked(current->GetHash()));
    {
        std::lock_guard lock(s.fx.Chainman().ChainLock());
        BOOST_CHECK(node::IsCurrentForFeeEstimation(s.fx.Chainman()));
    }

    // Out of initial block download for good, but the tip is now over three
    // hours old: we may be missing blocks.
    SetMockTime(s.fx.Tip()->GetBlockTime() + 3 * 60 * 60 + 1);
    const TransactionRef stale = s.Accept(s.fx.SpendTo(s.Coinbase(2), 1000));
    BOOST_CHECK(!s.est->IsTracked(stale->GetHash()));
    SetMockTime(s.fx.Tip()->GetBlockTime() + 3 * 60 * 60);
    const TransactionRef edge = s.Accept(s.fx.SpendTo(s.Coinbase(3), 1000));
    BOOST_CHECK(s.est->IsTracked(edge->GetHash()));
}

BOOST_AUTO_TEST_CASE(skips_package_members_and_children)
{
    EstimatorSetup s;
    s.MakeCurrent();
    // A child of an in-mempool parent: the parent counts, the child not.
    const TransactionRef parent = s.Accept(s.fx.SpendTo(s.Coinbase(0), 1000));
    const TransactionRef child = s.Accept(s.fx.SpendTo(test_util::ChainFixture::Output(parent, 0), 1000));
    BOOST_CHECK(s.est->IsTracked(parent->GetHash()));
    BOOST_CHECK(!s.est->IsTracked(child->GetHash()));

    // A package submission (submitpackage, package relay): neither member,
    // also not the parent that entered on its own in the first pass.
    const TransactionRef p2 = s.fx.SpendTo(s.Coinbase(1), 1000);
    const TransactionRef c2 = s.fx.SpendTo(test_util::ChainFixture::Output(p2, 0), 5000);
    const node::PackageMempoolAcceptResult r = node::ProcessNewPackage(s.fx.Chainman(), *s.pool, {p2, c2}, false);
    BOOST_REQUIRE_MESSAGE(r.m_state.IsValid(), r.m_state.ToString());
    BOOST_CHECK(s.pool->exists(p2->GetHash()));
    BOOST_CHECK(s.pool->exists(c2->GetHash()));
    BOOST_CHECK(!s.est->IsTracked(p2->GetHash()));
    BOOST_CHECK(!s.est->IsTracked(c2->GetHash()));
    // A test-accept touches nothing.
    const TransactionRef p3 = s.fx.SpendTo(s.Coinbase(2), 1000);
    node::ProcessNewPackage(s.fx.Chainman(), *s.pool, {p3}, true);
    BOOST_CHECK(!s.est->IsTracked(p3->GetHash()));
    BOOST_CHECK_EQUAL(s.est->TrackedCount(), 1U);
}

BOOST_AUTO_TEST_CASE(skips_reorg_readds)
{
    EstimatorSetup s;
    s.MakeCurrent();
    const TransactionRef tx = s.Accept(s.fx.SpendTo(s.Coinbase(0), 1000));
    BOOST_CHECK(s.est->IsTracked(tx->GetHash()));
    // Mined: recorded as confirmed and no longer tracked.
    s.fx.Mine({tx});
    BOOST_CHECK(!s.pool->exists(tx->GetHash()));
    BOOST_CHECK_EQUAL(s.est->TrackedCount(), 0U);
    s.MakeCurrent();
    // The block goes away: the transaction returns with the limits bypassed,
    // and is not tracked again.
    BlockValidationState state;
    {
        std::lock_guard lock(s.fx.Chainman().ChainLock());
        BOOST_REQUIRE(s.fx.Chainman().InvalidateBlock(state, const_cast<BlockIndex*>(s.fx.Tip())));
    }
    BOOST_CHECK(s.pool->exists(tx->GetHash()));
    BOOST_CHECK(!s.est->IsTracked(tx->GetHash()));
}

// Each flag of the notification on its own, through the pool itself.
BOOST_AUTO_TEST_CASE(add_info_flags)
{
    EstimatorSetup s;
    const unsigned height = static_cast<unsigned>(s.fx.Height());
    auto add = [&](int coin, const node::MempoolAddInfo& info) {
        const TransactionRef tx = s.fx.SpendTo(s.Coinbase(coin), 1000);
        node::TxMempoolEntry entry(tx, 1000, GetTime(), height, s.pool->GetSequence(), true, 4, 20);
        std::lock_guard lock(s.pool->Mutex());
        s.pool->AddUnchecked(std::move(entry), info);
        return s.est->IsTracked(tx->GetHash());
    };
    BOOST_CHECK(add(0, {}));
    BOOST_CHECK(!add(1, {.limits_bypassed = true}));
    BOOST_CHECK(!add(2, {.in_package = true}));
    BOOST_CHECK(!add(3, {.chainstate_current = false}));
    BOOST_CHECK(add(4, {.limits_bypassed = false, .in_package = false, .chainstate_current = true}));
    BOOST_CHECK_EQUAL(s.est->TrackedCount(), 2U);
}

// As Core: transactions loaded from mempool.dat go through the ordinary
// acceptance (limits applied), so they are tracked when the chain is current.
BOOST_AUTO_TEST_CASE(mempool_dat_loads_are_tracked)
{
    EstimatorSetup s;
    s.MakeCurrent();
    const TransactionRef a = s.Accept(s.fx.SpendTo(s.Coinbase(0), 1000));
    const TransactionRef b = s.Accept(s.fx.SpendTo(s.Coinbase(1), 2000));
    const auto path = s.fx.DataDir() / "fees_tests_mempool.dat";
    std::string error;
    BOOST_REQUIRE_MESSAGE(node::DumpMempool(*s.pool, path, false, error), error);

    node::TxMempool fresh;
    node::FeeEstimator est({}, &fresh, static_cast<unsigned>(s.fx.Height()));
    fresh.RegisterObserver(&est);
    node::LoadMempoolResult result;
    BOOST_REQUIRE_MESSAGE(node::LoadMempool(fresh, s.fx.Chainman(), path, result, error), error);
    BOOST_CHECK_EQUAL(result.succeeded, 2U);
    BOOST_CHECK(est.IsTracked(a->GetHash()));
    BOOST_CHECK(est.IsTracked(b->GetHash()));
    fresh.UnregisterObserver(&est);
}

BOOST_AUTO_TEST_SUITE_END()
