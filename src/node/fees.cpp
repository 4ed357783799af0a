#include <node/fees.h>

#include <kernel/block_index.h>
#include <primitives/block.h>

#include <algorithm>
#include <cmath>
#include <fstream>

namespace node {

namespace {

constexpr double MIN_BUCKET_FEERATE = 1000;   // sat/kvB
constexpr double MAX_BUCKET_FEERATE = 1e7;
constexpr double BUCKET_SPACING = 1.05;

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

// A group of buckets needs this many (decayed) data points per block of
// horizon, scaled by the horizon's memory, before its success rate counts.
constexpr double SUFFICIENT_TXS = 0.1;

constexpr double HALF_SUCCESS = 0.6;
constexpr double NORMAL_SUCCESS = 0.85;
constexpr double DOUBLE_SUCCESS = 0.95;

constexpr uint32_t FILE_VERSION = 1;
constexpr uint32_t FILE_MAGIC = 0x66656531;  // "fee1"

void PutU32(std::ostream& out, uint32_t v) { out.write(reinterpret_cast<const char*>(&v), sizeof(v)); }
void PutDouble(std::ostream& out, double v) { out.write(reinterpret_cast<const char*>(&v), sizeof(v)); }
bool GetU32(std::istream& in, uint32_t& v) { return static_cast<bool>(in.read(reinterpret_cast<char*>(&v), sizeof(v))); }
bool GetDouble(std::istream& in, double& v) { return static_cast<bool>(in.read(reinterpret_cast<char*>(&v), sizeof(v))); }

void PutVec(std::ostream& out, const std::vector<double>& v)
{
    PutU32(out, static_cast<uint32_t>(v.size()));
    for (double d : v) PutDouble(out, d);
}
bool GetVec(std::istream& in, std::vector<double>& v, size_t expected)
{
    uint32_t n = 0;
    if (!GetU32(in, n) || n != expected) return false;
    v.assign(n, 0);
    for (double& d : v) {
        if (!GetDouble(in, d) || !std::isfinite(d) || d < 0) return false;
    }
    return true;
}

} // namespace

ConfirmationStats::ConfirmationStats(const std::vector<double>& bucket_bounds, double decay, unsigned scale,
                                     unsigned periods)
    : m_bounds(bucket_bounds), m_decay(decay), m_scale(scale), m_periods(periods),
      m_total(bucket_bounds.size(), 0), m_feesum(bucket_bounds.size(), 0),
      m_confirmed(periods, std::vector<double>(bucket_bounds.size(), 0)),
      m_failed(periods, std::vector<double>(bucket_bounds.size(), 0))
{
}

void ConfirmationStats::Decay()
{
    for (double& v : m_total) v *= m_decay;
    for (double& v : m_feesum) v *= m_decay;
    for (auto& row : m_confirmed) {
        for (double& v : row) v *= m_decay;
    }
    for (auto& row : m_failed) {
        for (double& v : row) v *= m_decay;
    }
}

void ConfirmationStats::RecordConfirmed(size_t bucket, unsigned blocks, double feerate)
{
    if (blocks < 1) blocks = 1;
    const unsigned first_period = (blocks + m_scale - 1) / m_scale - 1;  // periods long enough
    for (unsigned p = first_period; p < m_periods; ++p) m_confirmed[p][bucket] += 1;
    m_total[bucket] += 1;
    m_feesum[bucket] += feerate;
}

void ConfirmationStats::RecordFailed(size_t bucket, unsigned blocks_waited)
{
    // Failed every target shorter than the wait.
    for (unsigned p = 0; p < m_periods && (p + 1) * m_scale < blocks_waited; ++p) m_failed[p][bucket] += 1;
}

std::optional<double> ConfirmationStats::Estimate(unsigned target, double success_threshold,
                                                  const std::vector<double>& unconfirmed_old) const
{
    if (target < 1 || target > MaxTarget()) return std::nullopt;
    const unsigned period = (target + m_scale - 1) / m_scale - 1;
    const double sufficient = SUFFICIENT_TXS / (1 - m_decay);
    double conf = 0, total = 0, fail = 0, fees = 0;
    std::optional<double> passing;
    // From the most expensive bucket down: group buckets until there is
    // enough data, then the group passes or the scan ends.
    for (size_t b = m_bounds.size(); b-- > 0;) {
        conf += m_confirmed[period][b];
        total += m_total[b];
        fail += m_failed[period][b] + (b < unconfirmed_old.size() ? unconfirmed_old[b] : 0);
        fees += m_feesum[b];
        if (total < sufficient) continue;
        const double rate = conf / (total + fail);
        if (rate < success_threshold) break;
        passing = fees / total;
        conf = total = fail = fees = 0;
    }
    return passing;
}

void ConfirmationStats::Write(std::ostream& out) const
{
    PutVec(out, m_total);
    PutVec(out, m_feesum);
    for (const auto& row : m_confirmed) PutVec(out, row);
    for (const auto& row : m_failed) PutVec(out, row);
}

bool ConfirmationStats::Read(std::istream& in)
{
    const size_t n = m_bounds.size();
    if (!GetVec(in, m_total, n) || !GetVec(in, m_feesum, n)) return false;
    for (auto& row : m_confirmed) {
        if (!GetVec(in, row, n)) return false;
    }
    for (auto& row : m_failed) {
        if (!GetVec(in, row, n)) return false;
    }
    return true;
}

FeeEstimator::FeeEstimator(const std::filesystem::path& file, const TxMempool* pool, unsigned best_height)
    : m_file(file), m_pool(pool), m_best_height(best_height)
{
    for (double rate = MIN_BUCKET_FEERATE; rate <= MAX_BUCKET_FEERATE; rate *= BUCKET_SPACING) m_bounds.push_back(rate);
    m_bounds.push_back(1e99);  // everything above the top
    m_short = std::make_unique<ConfirmationStats>(m_bounds, SHORT_DECAY, SHORT_SCALE, SHORT_PERIODS);
    m_medium = std::make_unique<ConfirmationStats>(m_bounds, MED_DECAY, MED_SCALE, MED_PERIODS);
    m_long = std::make_unique<ConfirmationStats>(m_bounds, LONG_DECAY, LONG_SCALE, LONG_PERIODS);
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
    const double feerate = static_cast<double>(fee) * 1000.0 / static_cast<double>(vsize);
    std::lock_guard lock(m_mutex);
    if (m_tracked.count(txid)) return;
    m_tracked.emplace(txid, Tracked{height, BucketOf(feerate), feerate});
}

void FeeEstimator::RemoveTransaction(const uint256& txid)
{
    std::lock_guard lock(m_mutex);
    const auto it = m_tracked.find(txid);
    if (it == m_tracked.end()) return;
    const unsigned waited = m_best_height > it->second.height ? m_best_height - it->second.height : 0;
    for (ConfirmationStats* s : {m_short.get(), m_medium.get(), m_long.get()}) s->RecordFailed(it->second.bucket, waited);
    m_tracked.erase(it);
}

void FeeEstimator::ProcessBlock(unsigned height, const std::vector<uint256>& txids)
{
    std::lock_guard lock(m_mutex);
    m_best_height = height;
    if (m_first_height == 0) m_first_height = height;
    for (ConfirmationStats* s : {m_short.get(), m_medium.get(), m_long.get()}) s->Decay();
    for (const uint256& txid : txids) {
        const auto it = m_tracked.find(txid);
        if (it == m_tracked.end()) continue;
        const unsigned blocks = height > it->second.height ? height - it->second.height : 1;
        for (ConfirmationStats* s : {m_short.get(), m_medium.get(), m_long.get()}) {
            s->RecordConfirmed(it->second.bucket, blocks, it->second.feerate);
        }
        m_tracked.erase(it);
    }
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
    std::vector<double> old(m_bounds.size(), 0);
    for (const auto& [txid, t] : m_tracked) {
        if (!t.in_block_removal && m_best_height > t.height && m_best_height - t.height > target) old[t.bucket] += 1;
    }
    return old;
}

std::optional<double> FeeEstimator::EstimateLocked(unsigned target, double threshold, FeeEstimateHorizon horizon) const
{
    return Stats(horizon).Estimate(target, threshold, UnconfirmedOld(target));
}

std::optional<double> FeeEstimator::EstimateRaw(unsigned target, double threshold, FeeEstimateHorizon horizon) const
{
    std::lock_guard lock(m_mutex);
    return EstimateLocked(target, threshold, horizon);
}

unsigned FeeEstimator::HighestTarget() const { return m_long->MaxTarget(); }

size_t FeeEstimator::TrackedCount() const
{
    std::lock_guard lock(m_mutex);
    return m_tracked.size();
}

unsigned FeeEstimator::MaxUsableTarget() const
{
    const unsigned span = m_first_height == 0 ? 0 : m_best_height - m_first_height + 1;
    return std::min(m_long->MaxTarget(), std::max(span, m_historical_span) / 2);
}

FeeEstimate FeeEstimator::EstimateSmartFee(unsigned conf_target, bool conservative) const
{
    std::lock_guard lock(m_mutex);
    FeeEstimate result;
    unsigned target = std::min(conf_target, MaxUsableTarget());
    if (target == 1) target = 2;  // the next block alone is too noisy
    result.blocks = target;
    if (target <= 1) return result;
    auto horizon_for = [&](unsigned t) {
        if (t <= m_short->MaxTarget()) return FeeEstimateHorizon::SHORT;
        if (t <= m_medium->MaxTarget()) return FeeEstimateHorizon::MEDIUM;
        return FeeEstimateHorizon::LONG;
    };
    std::optional<double> best;
    auto consider = [&](std::optional<double> v) {
        if (v && (!best || *v > *best)) best = v;
    };
    const unsigned half = std::max(1U, target / 2);
    consider(EstimateLocked(half, HALF_SUCCESS, horizon_for(half)));
    consider(EstimateLocked(target, NORMAL_SUCCESS, horizon_for(target)));
    const unsigned twice = std::min(2 * target, m_long->MaxTarget());
    consider(EstimateLocked(twice, DOUBLE_SUCCESS, horizon_for(twice)));
    if (conservative) consider(EstimateLocked(twice, DOUBLE_SUCCESS, FeeEstimateHorizon::LONG));
    if (best) result.feerate = static_cast<Amount>(std::llround(*best));
    return result;
}

void FeeEstimator::TransactionAdded(const TransactionRef& tx, uint64_t)
{
    if (!m_pool) return;
    // Called under the mempool lock: the entry is there.
    const TxMempoolEntry* e = m_pool->GetEntry(tx->GetHash());
    if (!e || !e->Parents().empty()) return;  // a child's feerate says more about its package
    unsigned height;
    {
        std::lock_guard lock(m_mutex);
        height = m_best_height;
    }
    ProcessTransaction(tx->GetHash(), height, e->GetFee(), e->GetTxSize());
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
}

bool FeeEstimator::Save() const
{
    std::lock_guard lock(m_mutex);
    const std::filesystem::path tmp = m_file.string() + ".new";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) return false;
        PutU32(out, FILE_MAGIC);
        PutU32(out, FILE_VERSION);
        PutU32(out, static_cast<uint32_t>(m_bounds.size()));
        PutU32(out, m_best_height);
        const unsigned span = m_first_height == 0 ? 0 : m_best_height - m_first_height + 1;
        PutU32(out, std::max(span, m_historical_span));
        m_short->Write(out);
        m_medium->Write(out);
        m_long->Write(out);
        if (!out.flush()) return false;
    }
    std::error_code ec;
    std::filesystem::rename(tmp, m_file, ec);
    return !ec;
}

bool FeeEstimator::Load()
{
    std::ifstream in(m_file, std::ios::binary);
    if (!in) return false;
    uint32_t magic = 0, version = 0, buckets = 0, best = 0, span = 0;
    if (!GetU32(in, magic) || magic != FILE_MAGIC || !GetU32(in, version) || version != FILE_VERSION ||
        !GetU32(in, buckets) || buckets != m_bounds.size() || !GetU32(in, best) || !GetU32(in, span)) {
        return false;
    }
    auto s = std::make_unique<ConfirmationStats>(m_bounds, SHORT_DECAY, SHORT_SCALE, SHORT_PERIODS);
    auto m = std::make_unique<ConfirmationStats>(m_bounds, MED_DECAY, MED_SCALE, MED_PERIODS);
    auto l = std::make_unique<ConfirmationStats>(m_bounds, LONG_DECAY, LONG_SCALE, LONG_PERIODS);
    if (!s->Read(in) || !m->Read(in) || !l->Read(in)) return false;
    std::lock_guard lock(m_mutex);
    m_short = std::move(s);
    m_medium = std::move(m);
    m_long = std::move(l);
    m_historical_span = span;
    return true;
}

} // namespace node
