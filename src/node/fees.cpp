#include <node/fees.h>

#include <kernel/block_index.h>
#include <kernel/validation.h>
#include <primitives/block.h>
#include <serialize.h>
#include <streams.h>
#include <util/args.h>
#include <util/logging.h>
#include <util/time.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <fstream>
#include <ios>
#include <iterator>
#include <stdexcept>

namespace node {

namespace {

// Core's model parameters: a file written by either node must mean the same
// thing to the other.
constexpr double MIN_BUCKET_FEERATE = 1000;   // sat/kvB
constexpr double MAX_BUCKET_FEERATE = 1e7;
constexpr double BUCKET_SPACING = 1.05;
constexpr double INF_FEERATE = 1e99;          // the bound of the bucket above all others

// Horizons: decay per block, blocks per period, periods.
constexpr double SHORT_DECAY = 0.962;
constexpr unsigned SHORT_SCALE = 1;
constexpr unsigned SHORT_PERIODS = 12;
constexpr double MED_DECAY = 0.9952;
constexpr unsigned MED_SCALE = 2;
constexpr unsigned MED_PERIODS = 24;
constexpr double LONG_DECAY = 0.99931;
constexpr unsigned LONG_SCALE = 24;
constexpr unsigned LONG_PERIODS = 42;

// A bucket group needs this many confirmed data points per block of the
// horizon's memory (1 / (1 - decay) blocks) before its success rate counts.
constexpr double SUFFICIENT_TXS_SHORT = 0.5;
constexpr double SUFFICIENT_TXS = 0.1;

constexpr double HALF_SUCCESS = 0.6;
constexpr double NORMAL_SUCCESS = 0.85;
constexpr double DOUBLE_SUCCESS = 0.95;

// History older than this (blocks behind the best seen) does not widen the
// usable target range after a restart.
constexpr unsigned OLDEST_ESTIMATE_HISTORY = 6 * 1008;

// Limits a file must respect (Core's): they also bound what a hostile file
// can make us allocate.
constexpr size_t MAX_FILE_BUCKETS = 1000;
constexpr unsigned MAX_FILE_CONFIRMS = 1008;
// The largest valid file is 3 horizons x (2 + 2 x 1008 periods) x 1000
// buckets x 8 bytes, about 48 MB.
constexpr std::uintmax_t MAX_FILE_BYTES = 64 << 20;

void WriteDouble(DataStream& out, double v) { ::Serialize(out, std::bit_cast<uint64_t>(v)); }

double ReadDouble(SpanReader& in)
{
    uint64_t bits;
    ::Unserialize(in, bits);
    return std::bit_cast<double>(bits);
}

void WriteDoubles(DataStream& out, const std::vector<double>& v)
{
    WriteCompactSize(out, v.size());
    for (double d : v) WriteDouble(out, d);
}

void WriteDoubleRows(DataStream& out, const std::vector<std::vector<double>>& rows)
{
    WriteCompactSize(out, rows.size());
    for (const auto& row : rows) WriteDoubles(out, row);
}

// A count is checked against the bytes left before anything is allocated,
// so a garbage length fails as a short read.
std::vector<double> ReadDoubles(SpanReader& in)
{
    const uint64_t n = ReadCompactSize(in);
    if (n > in.size() / sizeof(uint64_t)) throw std::ios_base::failure("vector longer than the data left");
    std::vector<double> v(n);
    for (double& d : v) d = ReadDouble(in);
    return v;
}

std::vector<std::vector<double>> ReadDoubleRows(SpanReader& in)
{
    const uint64_t n = ReadCompactSize(in);
    if (n > in.size()) throw std::ios_base::failure("vector longer than the data left");
    std::vector<std::vector<double>> rows(n);
    for (auto& row : rows) row = ReadDoubles(in);
    return rows;
}

// Core does not check the values themselves, and its writer never produces
// these; refusing them keeps every later division and comparison sane.
void CheckAverages(const std::vector<double>& v)
{
    for (double d : v) {
        if (!std::isfinite(d) || d < 0) throw std::runtime_error("Corrupt estimates file. Averages must be finite and non-negative");
    }
}

std::vector<double> DefaultBounds()
{
    // Repeated multiplication, as Core builds them, so the doubles are equal bit for bit.
    std::vector<double> bounds;
    for (double rate = MIN_BUCKET_FEERATE; rate <= MAX_BUCKET_FEERATE; rate *= BUCKET_SPACING) bounds.push_back(rate);
    bounds.push_back(INF_FEERATE);
    return bounds;
}

} // namespace

void RegisterFeeEstimationOptions(ArgsManager& args)
{
    args.AddArg("-acceptstalefeeestimates",
                "Load fee_estimates.dat even when it is older than " +
                    std::to_string(FEE_ESTIMATES_MAX_FILE_AGE.count()) + " hours, the age at which it counts as "
                    "stale (regtest only; default: 0)",
                ALLOW_ANY | DEBUG_ONLY, OptionsCategory::DEBUG_TEST);
}

bool CheckFeeEstimationOptions(const ArgsManager& args, const std::string& chain, std::string& error)
{
    if (chain != "regtest" && args.GetBoolArg("-acceptstalefeeestimates", false)) {
        error = "acceptstalefeeestimates is not supported on " + chain + " chain.";
        return false;
    }
    return true;
}

ConfirmationStats::ConfirmationStats(size_t buckets, double decay, unsigned scale, unsigned periods)
    : m_decay(decay), m_scale(scale), m_feerate_sum(buckets, 0), m_count(buckets, 0),
      m_confirmed(periods, std::vector<double>(buckets, 0)), m_failed(periods, std::vector<double>(buckets, 0))
{
}

void ConfirmationStats::Decay()
{
    for (double& v : m_feerate_sum) v *= m_decay;
    for (double& v : m_count) v *= m_decay;
    for (auto& row : m_confirmed) {
        for (double& v : row) v *= m_decay;
    }
    for (auto& row : m_failed) {
        for (double& v : row) v *= m_decay;
    }
}

void ConfirmationStats::RecordConfirmed(size_t bucket, unsigned blocks, double feerate)
{
    if (blocks < 1) return;
    // Confirmed within every period at least as long as the wait.
    const size_t first_period = (blocks + m_scale - 1) / m_scale - 1;
    for (size_t p = first_period; p < m_confirmed.size(); ++p) m_confirmed[p][bucket] += 1;
    m_count[bucket] += 1;
    m_feerate_sum[bucket] += feerate;
}

void ConfirmationStats::RecordFailed(size_t bucket, unsigned blocks_waited)
{
    // Failed every target it waited out in full.
    const size_t periods = blocks_waited / m_scale;
    for (size_t p = 0; p < periods && p < m_failed.size(); ++p) m_failed[p][bucket] += 1;
}

std::optional<double> ConfirmationStats::Estimate(unsigned target, double sufficient, double success_threshold,
                                                  const std::vector<double>& unconfirmed_old,
                                                  FeeEstimateDetail* detail) const
{
    if (detail) {
        *detail = FeeEstimateDetail{};
        detail->decay = m_decay;
        detail->scale = m_scale;
    }
    if (target < 1 || target > MaxTarget()) return std::nullopt;
    const size_t period = (target + m_scale - 1) / m_scale - 1;
    const double needed = sufficient / (1 - m_decay);
    const size_t buckets = m_count.size();
    double conf = 0, total = 0, left = 0, waiting = 0, partial = 0;
    bool found = false;
    size_t group_top = buckets - 1, best_top = buckets - 1, best_bottom = buckets - 1;
    bool new_group = true;
    bool passing = true;  // no failing range since the last passing one
    FeeBucketRange pass, fail;
    // From the most expensive bucket down: a group grows until it holds enough
    // confirmed data, then it passes (and the next group starts) or it fails
    // and keeps growing, its data pooled with the cheaper buckets below.
    for (size_t b = buckets; b-- > 0;) {
        if (new_group) {
            group_top = b;
            new_group = false;
        }
        conf += m_confirmed[period][b];
        total += m_count[b];
        partial += m_count[b];
        left += m_failed[period][b];
        waiting += b < unconfirmed_old.size() ? unconfirmed_old[b] : 0;
        if (partial < needed) continue;
        partial = 0;
        if (conf / (total + left + waiting) < success_threshold) {
            if (passing) {
                // The first range to fail below the last pass is reported.
                // (start / end hold bucket indexes here, see below)
                fail = FeeBucketRange{static_cast<double>(b), static_cast<double>(group_top), conf, total, waiting, left};
                passing = false;
            }
            continue;
        }
        found = true;
        passing = true;
        fail = FeeBucketRange{};
        pass = FeeBucketRange{static_cast<double>(b), static_cast<double>(group_top), conf, total, waiting, left};
        best_top = group_top;
        best_bottom = b;
        conf = total = left = waiting = 0;
        new_group = true;
    }
    // Everything with enough data passed: the cheap rest without enough data
    // is what failed.
    if (passing && !new_group) {
        fail = FeeBucketRange{0, static_cast<double>(group_top), conf, total, waiting, left};
    }
    std::optional<double> median;
    if (found) {
        // The median transaction's bucket stands for the group: its average feerate.
        double half = 0;
        for (size_t b = best_bottom; b <= best_top; ++b) half += m_count[b];
        if (half > 0) {
            half /= 2;
            for (size_t b = best_bottom; b <= best_top; ++b) {
                if (m_count[b] < half) {
                    half -= m_count[b];
                } else {
                    median = m_feerate_sum[b] / m_count[b];
                    break;
                }
            }
        } else {
            pass = FeeBucketRange{};  // nothing to report a range for
        }
    }
    if (detail) {
        // Bucket indexes to feerate bounds happen in the estimator, which
        // knows them; here start/end hold the bottom and top index.
        detail->pass = pass;
        detail->fail = fail;
    }
    return median;
}

void ConfirmationStats::Write(DataStream& out) const
{
    WriteDouble(out, m_decay);
    ::Serialize(out, static_cast<uint32_t>(m_scale));
    WriteDoubles(out, m_feerate_sum);
    WriteDoubles(out, m_count);
    WriteDoubleRows(out, m_confirmed);
    WriteDoubleRows(out, m_failed);
}

ConfirmationStats ConfirmationStats::Read(SpanReader& in, size_t buckets)
{
    ConfirmationStats s;
    s.m_decay = ReadDouble(in);
    // Written this way round so that NaN fails too.
    if (!(s.m_decay > 0 && s.m_decay < 1)) {
        throw std::runtime_error("Corrupt estimates file. Decay must be between 0 and 1 (non-inclusive)");
    }
    uint32_t scale;
    ::Unserialize(in, scale);
    if (scale == 0) throw std::runtime_error("Corrupt estimates file. Scale must be non-zero");
    s.m_scale = scale;
    s.m_feerate_sum = ReadDoubles(in);
    if (s.m_feerate_sum.size() != buckets) {
        throw std::runtime_error("Corrupt estimates file. Mismatch in feerate average bucket count");
    }
    s.m_count = ReadDoubles(in);
    if (s.m_count.size() != buckets) throw std::runtime_error("Corrupt estimates file. Mismatch in tx count bucket count");
    s.m_confirmed = ReadDoubleRows(in);
    const uint64_t confirms = uint64_t{scale} * s.m_confirmed.size();
    if (confirms == 0 || confirms > MAX_FILE_CONFIRMS) {
        throw std::runtime_error(
            "Corrupt estimates file.  Must maintain estimates for between 1 and 1008 (one week) confirms");
    }
    for (const auto& row : s.m_confirmed) {
        if (row.size() != buckets) {
            throw std::runtime_error("Corrupt estimates file. Mismatch in feerate conf average bucket count");
        }
    }
    s.m_failed = ReadDoubleRows(in);
    if (s.m_failed.size() != s.m_confirmed.size()) {
        throw std::runtime_error("Corrupt estimates file. Mismatch in confirms tracked for failures");
    }
    for (const auto& row : s.m_failed) {
        if (row.size() != buckets) {
            throw std::runtime_error("Corrupt estimates file. Mismatch in one of failure average bucket counts");
        }
    }
    CheckAverages(s.m_feerate_sum);
    CheckAverages(s.m_count);
    for (const auto& row : s.m_confirmed) CheckAverages(row);
    for (const auto& row : s.m_failed) CheckAverages(row);
    LogDebug(LogCategory::ESTIMATEFEE, "Reading estimates: {} buckets counting confirms up to {} blocks", buckets,
             confirms);
    return s;
}

FeeEstimator::FeeEstimator(const std::filesystem::path& file, const TxMempool* pool, unsigned best_height)
    : m_file(file), m_pool(pool), m_bounds(DefaultBounds()), m_best_height(best_height)
{
    m_short = std::make_unique<ConfirmationStats>(m_bounds.size(), SHORT_DECAY, SHORT_SCALE, SHORT_PERIODS);
    m_medium = std::make_unique<ConfirmationStats>(m_bounds.size(), MED_DECAY, MED_SCALE, MED_PERIODS);
    m_long = std::make_unique<ConfirmationStats>(m_bounds.size(), LONG_DECAY, LONG_SCALE, LONG_PERIODS);
}

FeeEstimator::~FeeEstimator() = default;

size_t FeeEstimator::BucketOf(double feerate) const
{
    // The bucket holds feerates up to its bound.
    const auto it = std::lower_bound(m_bounds.begin(), m_bounds.end(), feerate);
    return it == m_bounds.end() ? m_bounds.size() - 1 : static_cast<size_t>(it - m_bounds.begin());
}

void FeeEstimator::ProcessTransaction(const uint256& txid, unsigned height, Amount fee, int64_t vsize)
{
    if (vsize <= 0) return;
    // Whole sat/kvB, rounded down, as Core records it.
    const double feerate = static_cast<double>(fee * 1000 / vsize);
    std::lock_guard lock(m_mutex);
    // Arriving at another height than the chain we follow: a reorg or a
    // lagging estimator; its wait could not be measured.
    if (height != m_best_height || m_tracked.count(txid)) return;
    m_tracked.emplace(txid, Tracked{height, BucketOf(feerate), feerate});
}

void FeeEstimator::RemoveLocked(std::map<uint256, Tracked>::iterator it)
{
    const unsigned waited = m_best_height > it->second.height ? m_best_height - it->second.height : 0;
    for (ConfirmationStats* s : {m_short.get(), m_medium.get(), m_long.get()}) s->RecordFailed(it->second.bucket, waited);
    m_tracked.erase(it);
}

void FeeEstimator::RemoveTransaction(const uint256& txid)
{
    std::lock_guard lock(m_mutex);
    if (const auto it = m_tracked.find(txid); it != m_tracked.end()) RemoveLocked(it);
}

void FeeEstimator::FlushUnconfirmed()
{
    std::lock_guard lock(m_mutex);
    const size_t count = m_tracked.size();
    while (!m_tracked.empty()) RemoveLocked(m_tracked.begin());
    LogDebug(LogCategory::ESTIMATEFEE, "Recorded {} unconfirmed txs from mempool", count);
}

void FeeEstimator::ProcessBlock(unsigned height, const std::vector<uint256>& txids)
{
    std::lock_guard lock(m_mutex);
    // Side chains, reorgs and blocks already counted (also those before the
    // best height a loaded file had seen) teach nothing new.
    if (height <= m_best_height) return;
    m_best_height = height;
    for (ConfirmationStats* s : {m_short.get(), m_medium.get(), m_long.get()}) s->Decay();
    unsigned counted = 0;
    for (const uint256& txid : txids) {
        const auto it = m_tracked.find(txid);
        if (it == m_tracked.end()) continue;
        const Tracked t = it->second;
        m_tracked.erase(it);
        if (height <= t.height) continue;
        for (ConfirmationStats* s : {m_short.get(), m_medium.get(), m_long.get()}) {
            s->RecordConfirmed(t.bucket, height - t.height, t.feerate);
        }
        ++counted;
    }
    if (m_first_recorded == 0 && counted > 0) m_first_recorded = height;
}

void FeeEstimator::SetFlushInterval(std::chrono::seconds interval)
{
    std::lock_guard lock(m_mutex);
    m_flush_interval = interval;
}

const ConfirmationStats& FeeEstimator::Stats(FeeEstimateHorizon h) const
{
    switch (h) {
    case FeeEstimateHorizon::SHORT: return *m_short;
    case FeeEstimateHorizon::MEDIUM: return *m_medium;
    case FeeEstimateHorizon::LONG: break;
    }
    return *m_long;
}

std::vector<double> FeeEstimator::UnconfirmedOld(unsigned target) const
{
    // Waiting target blocks already: it can no longer confirm within target.
    std::vector<double> old(m_bounds.size(), 0);
    for (const auto& [txid, t] : m_tracked) {
        if (!t.in_block_removal && m_best_height >= t.height + target) old[t.bucket] += 1;
    }
    return old;
}

std::optional<double> FeeEstimator::EstimateLocked(unsigned target, double threshold, FeeEstimateHorizon horizon,
                                                   FeeEstimateDetail* detail) const
{
    const double sufficient = horizon == FeeEstimateHorizon::SHORT ? SUFFICIENT_TXS_SHORT : SUFFICIENT_TXS;
    const std::optional<double> estimate =
        Stats(horizon).Estimate(target, sufficient, threshold, UnconfirmedOld(target), detail);
    if (detail) {
        // Bucket indexes to feerates: a range starts at the bound of the
        // bucket below its cheapest one and ends at its top bucket's bound.
        for (FeeBucketRange* r : {&detail->pass, &detail->fail}) {
            if (r->start < 0) continue;
            const size_t bottom = static_cast<size_t>(r->start), top = static_cast<size_t>(r->end);
            r->start = bottom > 0 ? m_bounds[bottom - 1] : 0;
            r->end = m_bounds[top];
        }
    }
    return estimate;
}

std::optional<double> FeeEstimator::EstimateRaw(unsigned target, double threshold, FeeEstimateHorizon horizon,
                                                FeeEstimateDetail* detail) const
{
    std::lock_guard lock(m_mutex);
    if (threshold > 1) {
        if (detail) *detail = FeeEstimateDetail{};
        return std::nullopt;
    }
    const std::optional<double> estimate = EstimateLocked(target, threshold, horizon, detail);
    // Whole sat/kvB; 0 is no answer (as Core).
    if (!estimate || std::llround(*estimate) <= 0) return std::nullopt;
    return estimate;
}

unsigned FeeEstimator::HighestTarget(FeeEstimateHorizon horizon) const
{
    std::lock_guard lock(m_mutex);
    return Stats(horizon).MaxTarget();
}

unsigned FeeEstimator::HighestTarget() const
{
    std::lock_guard lock(m_mutex);
    return m_long->MaxTarget();
}

size_t FeeEstimator::TrackedCount() const
{
    std::lock_guard lock(m_mutex);
    return m_tracked.size();
}

bool FeeEstimator::IsTracked(const uint256& txid) const
{
    std::lock_guard lock(m_mutex);
    return m_tracked.count(txid) > 0;
}

unsigned FeeEstimator::BestHeight() const
{
    std::lock_guard lock(m_mutex);
    return m_best_height;
}

unsigned FeeEstimator::BlockSpan() const
{
    return m_first_recorded == 0 || m_best_height < m_first_recorded ? 0 : m_best_height - m_first_recorded;
}

unsigned FeeEstimator::HistoricalBlockSpan() const
{
    if (m_historical_first == 0 || m_historical_best < m_historical_first) return 0;
    if (m_best_height > m_historical_best && m_best_height - m_historical_best > OLDEST_ESTIMATE_HISTORY) return 0;
    return m_historical_best - m_historical_first;
}

unsigned FeeEstimator::MaxUsableTarget() const
{
    // Half the blocks seen, so that there were enough blocks for a target's
    // failures to show up too.
    return std::min(m_long->MaxTarget(), std::max(BlockSpan(), HistoricalBlockSpan()) / 2);
}

std::optional<double> FeeEstimator::EstimateCombined(unsigned target, double threshold, bool check_shorter) const
{
    if (target < 1 || target > m_long->MaxTarget()) return std::nullopt;
    // The shortest horizon that tracks the target reacts fastest.
    FeeEstimateHorizon horizon = FeeEstimateHorizon::LONG;
    if (target <= m_short->MaxTarget()) {
        horizon = FeeEstimateHorizon::SHORT;
    } else if (target <= m_medium->MaxTarget()) {
        horizon = FeeEstimateHorizon::MEDIUM;
    }
    std::optional<double> estimate = EstimateLocked(target, threshold, horizon);
    if (check_shorter) {
        // What confirms within a shorter horizon's longest target also
        // confirms within this one: keeps estimates monotone in the target.
        auto lower = [&](FeeEstimateHorizon h) {
            const auto v = EstimateLocked(Stats(h).MaxTarget(), threshold, h);
            if (v && *v > 0 && (!estimate || *v < *estimate)) estimate = v;
        };
        if (target > m_medium->MaxTarget()) lower(FeeEstimateHorizon::MEDIUM);
        if (target > m_short->MaxTarget()) lower(FeeEstimateHorizon::SHORT);
    }
    return estimate;
}

std::optional<double> FeeEstimator::EstimateConservative(unsigned double_target) const
{
    std::optional<double> estimate;
    if (double_target <= m_short->MaxTarget()) {
        estimate = EstimateLocked(double_target, DOUBLE_SUCCESS, FeeEstimateHorizon::MEDIUM);
    }
    if (double_target <= m_medium->MaxTarget()) {
        const auto v = EstimateLocked(double_target, DOUBLE_SUCCESS, FeeEstimateHorizon::LONG);
        if (v && (!estimate || *v > *estimate)) estimate = v;
    }
    return estimate;
}

FeeEstimate FeeEstimator::EstimateSmartFee(unsigned conf_target, bool conservative) const
{
    std::lock_guard lock(m_mutex);
    FeeEstimate result;
    result.blocks = conf_target;
    if (conf_target < 1 || conf_target > m_long->MaxTarget()) return result;
    unsigned target = conf_target == 1 ? 2 : conf_target;  // the next block alone is too noisy
    target = std::min(target, MaxUsableTarget());
    result.blocks = target;
    if (target <= 1) return result;

    std::optional<double> best;
    auto consider = [&](std::optional<double> v) {
        if (v && (!best || *v > *best)) best = v;
    };
    consider(EstimateCombined(target / 2, HALF_SUCCESS, true));
    consider(EstimateCombined(target, NORMAL_SUCCESS, true));
    // Conservative skips the shorter horizons at twice the target: short
    // dips must not pull it down.
    consider(EstimateCombined(2 * target, DOUBLE_SUCCESS, !conservative));
    if (conservative || !best) consider(EstimateConservative(2 * target));
    if (best && *best >= 0) result.feerate = static_cast<Amount>(std::llround(*best));
    return result;
}

bool IsCurrentForFeeEstimation(const ChainstateManager& chainman)
{
    if (chainman.IsInitialBlockDownload()) return false;
    const BlockIndex* tip = chainman.ActiveChain().Tip();
    if (!tip) return false;
    if (tip->GetBlockTime() < GetTime() - std::chrono::seconds{MAX_FEE_ESTIMATION_TIP_AGE}.count()) return false;
    // Headers ahead of the tip: blocks are still to come.
    const BlockIndex* best_header = chainman.BestHeader();
    return !best_header || best_header->height <= tip->height;
}

void FeeEstimator::TransactionAdded(const TransactionRef& tx, uint64_t, const MempoolAddInfo& info)
{
    if (!m_pool) return;
    if (info.limits_bypassed || info.in_package || !info.chainstate_current) return;
    // Called under the mempool lock: the entry is there.
    const TxMempoolEntry* e = m_pool->GetEntry(tx->GetHash());
    if (!e || !e->Parents().empty()) return;  // a child's feerate says more about its package
    // The height the pool saw it at: a re-add below the best height we
    // counted (a reorg) is not tracked.
    ProcessTransaction(tx->GetHash(), e->GetHeight(), e->GetFee(), e->GetTxSize());
}

void FeeEstimator::TransactionRemoved(const TransactionRef& tx, MemPoolRemovalReason reason, uint64_t)
{
    if (reason == MemPoolRemovalReason::BLOCK) {
        // The block itself records the confirmation (BlockConnected).
        std::lock_guard lock(m_mutex);
        if (auto it = m_tracked.find(tx->GetHash()); it != m_tracked.end()) it->second.in_block_removal = true;
        return;
    }
    RemoveTransaction(tx->GetHash());
}

void FeeEstimator::BlockConnected(const std::shared_ptr<const Block>& block, const BlockIndex& index)
{
    std::vector<uint256> txids;
    txids.reserve(block->vtx.size());
    for (const TransactionRef& tx : block->vtx) txids.push_back(tx->GetHash());
    ProcessBlock(static_cast<unsigned>(index.height), txids);
    bool due;
    {
        std::lock_guard lock(m_mutex);
        due = !m_file.empty() && std::chrono::steady_clock::now() - m_last_flush >= m_flush_interval;
    }
    if (due && !Save()) LogWarning("Failed to write fee estimates to {}. Continue anyway.", m_file.string());
}

std::vector<unsigned char> FeeEstimator::Serialize() const
{
    std::lock_guard lock(m_mutex);
    DataStream out;
    ::Serialize(out, FEE_ESTIMATES_FILE_VERSION);
    ::Serialize(out, int32_t{0});  // Core wrote its client version here up to v28; nobody reads it
    ::Serialize(out, static_cast<uint32_t>(m_best_height));
    // The span this run recorded replaces the loaded one once it is long enough to say more.
    if (BlockSpan() > HistoricalBlockSpan() / 2) {
        ::Serialize(out, static_cast<uint32_t>(m_first_recorded));
        ::Serialize(out, static_cast<uint32_t>(m_best_height));
    } else {
        ::Serialize(out, static_cast<uint32_t>(m_historical_first));
        ::Serialize(out, static_cast<uint32_t>(m_historical_best));
    }
    WriteDoubles(out, m_bounds);
    m_medium->Write(out);
    m_short->Write(out);
    m_long->Write(out);
    return {out.begin(), out.end()};
}

bool FeeEstimator::Parse(std::span<const unsigned char> bytes, std::string& error)
{
    try {
        SpanReader in{bytes};
        int32_t version_required, writer_version;
        uint32_t file_best;
        ::Unserialize(in, version_required);
        ::Unserialize(in, writer_version);
        if (version_required > FEE_ESTIMATES_FILE_VERSION) {
            throw std::runtime_error("File version (" + std::to_string(version_required) + ") too high to be read.");
        }
        ::Unserialize(in, file_best);
        if (version_required < FEE_ESTIMATES_FILE_VERSION) {
            error = "Incompatible old fee estimation data (non-fatal). Version: " + std::to_string(version_required);
            return false;
        }
        uint32_t historical_first, historical_best;
        ::Unserialize(in, historical_first);
        ::Unserialize(in, historical_best);
        if (historical_first > historical_best || historical_best > file_best) {
            throw std::runtime_error("Corrupt estimates file. Historical block range for estimates is invalid");
        }
        std::vector<double> bounds = ReadDoubles(in);
        if (bounds.size() <= 1 || bounds.size() > MAX_FILE_BUCKETS) {
            throw std::runtime_error("Corrupt estimates file. Must have between 2 and 1000 feerate buckets");
        }
        // Core keys its buckets by bound in a sorted map; we search the vector,
        // which needs them in order.
        for (size_t i = 0; i < bounds.size(); ++i) {
            if (!(bounds[i] > 0) || (i > 0 && !(bounds[i] > bounds[i - 1]))) {
                throw std::runtime_error("Corrupt estimates file. Bucket bounds must be positive and increasing");
            }
        }
        auto medium = std::make_unique<ConfirmationStats>(ConfirmationStats::Read(in, bounds.size()));
        auto shrt = std::make_unique<ConfirmationStats>(ConfirmationStats::Read(in, bounds.size()));
        auto lng = std::make_unique<ConfirmationStats>(ConfirmationStats::Read(in, bounds.size()));

        std::lock_guard lock(m_mutex);
        m_bounds = std::move(bounds);
        m_medium = std::move(medium);
        m_short = std::move(shrt);
        m_long = std::move(lng);
        for (auto& [txid, t] : m_tracked) t.bucket = BucketOf(t.feerate);
        // Core takes the file's best height; never going back below the tip
        // we were started at keeps the wait of new arrivals right after a
        // crash that left an older file behind.
        m_best_height = std::max(m_best_height, static_cast<unsigned>(file_best));
        m_historical_first = historical_first;
        m_historical_best = historical_best;
        return true;
    } catch (const std::exception& e) {
        error = std::string("Unable to read policy estimator data (non-fatal): ") + e.what();
        return false;
    }
}

bool FeeEstimator::Save() const
{
    const std::vector<unsigned char> bytes = Serialize();
    // Written beside and renamed over: a crash leaves the old file or the new one.
    const std::filesystem::path tmp = m_file.string() + ".new";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) return false;
        out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        if (!out.flush()) return false;
    }
    std::error_code ec;
    std::filesystem::rename(tmp, m_file, ec);
    if (ec) return false;
    {
        std::lock_guard lock(m_mutex);
        m_last_flush = std::chrono::steady_clock::now();
    }
    LogInfo("Flushed fee estimates to {}.", m_file.filename().string());
    return true;
}

bool FeeEstimator::Load(bool accept_stale)
{
    std::error_code ec;
    if (!std::filesystem::exists(m_file, ec)) {
        LogInfo("{} is not found. Continue anyway.", m_file.string());
        return false;
    }
    const auto written = std::filesystem::last_write_time(m_file, ec);
    if (!ec && !accept_stale) {
        const auto age = std::chrono::duration_cast<std::chrono::hours>(std::filesystem::file_time_type::clock::now() - written);
        if (age > FEE_ESTIMATES_MAX_FILE_AGE) {
            LogWarning("Fee estimation file {} too old (age={} > {} hours) and will not be used to avoid serving stale "
                       "estimates.", m_file.string(), age.count(), FEE_ESTIMATES_MAX_FILE_AGE.count());
            return false;
        }
    }
    std::string error;
    const std::uintmax_t size = std::filesystem::file_size(m_file, ec);
    if (ec || size > MAX_FILE_BYTES) {
        error = "Unable to read policy estimator data (non-fatal): " + (ec ? ec.message() : std::string("file too large"));
    } else {
        std::ifstream in(m_file, std::ios::binary);
        std::vector<unsigned char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        if (!in.eof() && in.fail()) {
            error = "Unable to read policy estimator data (non-fatal): read error";
        } else if (Parse(bytes, error)) {
            return true;
        }
    }
    LogWarning("{}", error);
    LogWarning("Failed to read fee estimates from {}. Continue anyway.", m_file.string());
    return false;
}

} // namespace node
