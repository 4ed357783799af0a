#pragma once

// Fee estimation from observed confirmation times, with Bitcoin Core's model
// and its fee_estimates.dat format, so a file carries over in both directions.
//
// Transactions entering the mempool are tracked with their feerate (sat/kvB,
// rounded down) and the height they arrived at, except (as Core) those with
// in-mempool parents (their feerate says more about the package than about
// them), those added while our chain is not current (the wait until a block
// we have not seen yet cannot be measured), those re-added with limits
// bypassed after a reorg, and members of a package submission (submitpackage,
// package relay). Transactions loaded from mempool.dat count, as in Core.
// When a block confirms one, the blocks it waited are recorded in its feerate
// bucket (1000 sat/kvB up to 1e7, 5% apart, plus one bucket above) in
// exponentially decaying averages over three horizons:
//   short:  decay 0.962,   12 periods of  1 block  (targets up to 12)
//   medium: decay 0.9952,  24 periods of  2 blocks (up to 48)
//   long:   decay 0.99931, 42 periods of 24 blocks (up to 1008)
// A transaction that leaves the mempool unconfirmed counts as a failure for
// every whole period it waited. An estimate for a target walks the buckets
// from the most expensive down, grouping them until they hold enough data,
// and answers with the cheapest group that still confirmed within the target
// often enough (the feerate of its median bucket).
//
// fee_estimates.dat (all integers little-endian; "double" = the IEEE-754
// binary64 bit pattern as a uint64; vector = CompactSize count + items):
//   int32  version required to read     149900
//   int32  unused (Core <= 28 wrote its client version there; we write 0)
//   uint32 best height seen
//   uint32 historical first height, uint32 historical best height
//   vector<double> bucket upper bounds
//   three horizons in the order medium, short, long, each:
//     double decay, uint32 scale (blocks per period),
//     vector<double> feerate sums per bucket, vector<double> tx counts,
//     vector<vector<double>> confirmed within period p, per bucket,
//     vector<vector<double>> failed after period p, per bucket
// Written at shutdown and, on a block, when an hour has passed since the last
// write. A file older than 60 hours is not used (unless
// -acceptstalefeeestimates on regtest); a malformed one is refused with a log
// line.

#include <consensus/amount.h>
#include <kernel/notifications.h>
#include <node/txmempool.h>
#include <uint256.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

class ArgsManager;
class ChainstateManager;
class DataStream;
class SpanReader;

namespace node {

// What fee_estimates.dat is written as and the oldest layout it can read.
inline constexpr int32_t FEE_ESTIMATES_FILE_VERSION = 149900;
// Estimates older than this are not served after a restart.
inline constexpr std::chrono::hours FEE_ESTIMATES_MAX_FILE_AGE{60};

// A tip older than this means we are catching up: what enters the mempool
// then is not tracked.
inline constexpr std::chrono::hours MAX_FEE_ESTIMATION_TIP_AGE{3};

// Whether a transaction arriving now may be tracked: not in initial block
// download, the tip at most MAX_FEE_ESTIMATION_TIP_AGE old and no better
// header known. Caller holds chainman.ChainLock().
bool IsCurrentForFeeEstimation(const ChainstateManager& chainman);

// -acceptstalefeeestimates.
void RegisterFeeEstimationOptions(ArgsManager& args);
// The option is for regtest only; error is Core's message otherwise.
bool CheckFeeEstimationOptions(const ArgsManager& args, const std::string& chain, std::string& error);

enum class FeeEstimateHorizon { SHORT, MEDIUM, LONG };

// A range of buckets an estimate looked at and what it held for the target
// (estimaterawfee's "pass" / "fail"). start -1: no such range.
struct FeeBucketRange {
    double start = -1;            // feerate above which the range begins (the bound below it; 0 for the first)
    double end = -1;              // its highest bucket's bound
    double within_target = 0;     // confirmed within the target
    double total_confirmed = 0;   // confirmed at all
    double in_mempool = 0;        // still in the mempool after waiting the target or longer
    double left_mempool = 0;      // left the mempool unconfirmed after the target
};

// What an estimate was based on. pass: the cheapest bucket range that met
// the threshold (the answer comes from it). fail: the range just below it
// that did not, or, when everything with enough data passed, the cheap
// leftover that had too little data. decay / scale: the horizon's.
struct FeeEstimateDetail {
    FeeBucketRange pass;
    FeeBucketRange fail;
    double decay = 0;
    unsigned scale = 0;
};

// Decaying statistics of one horizon: per bucket and per period of `scale`
// blocks, how many tracked transactions confirmed within it and how many failed.
class ConfirmationStats {
public:
    ConfirmationStats(size_t buckets, double decay, unsigned scale, unsigned periods);

    void Decay();
    // blocks >= 1: the block that confirmed it minus the height it arrived at.
    void RecordConfirmed(size_t bucket, unsigned blocks, double feerate);
    void RecordFailed(size_t bucket, unsigned blocks_waited);
    // Median feerate (sat/kvB) of the cheapest bucket group confirming within
    // target at success_threshold, or nullopt. sufficient: data points per
    // block of the horizon's memory a group needs. unconfirmed_old[b]: tracked
    // mempool txs in bucket b that have waited target blocks or more.
    // detail (optional) receives the ranges the answer rests on.
    std::optional<double> Estimate(unsigned target, double sufficient, double success_threshold,
                                   const std::vector<double>& unconfirmed_old,
                                   FeeEstimateDetail* detail = nullptr) const;
    unsigned MaxTarget() const { return m_scale * static_cast<unsigned>(m_confirmed.size()); }

    // Serialized layout: see the file comment. Read throws std::runtime_error
    // (Core's messages) or std::ios_base::failure (short input).
    void Write(DataStream& out) const;
    static ConfirmationStats Read(SpanReader& in, size_t buckets);

private:
    ConfirmationStats() = default;

    double m_decay = 0;
    unsigned m_scale = 1;
    std::vector<double> m_feerate_sum;            // confirmed feerates summed, per bucket
    std::vector<double> m_count;                  // confirmed, per bucket
    std::vector<std::vector<double>> m_confirmed; // [period][bucket]: confirmed within (period+1)*scale
    std::vector<std::vector<double>> m_failed;    // [period][bucket]: left unconfirmed after it
};

struct FeeEstimate {
    std::optional<Amount> feerate;  // sat/kvB
    unsigned blocks = 0;            // the target the estimate is for
};

class FeeEstimator : public MempoolObserver, public ValidationObserver {
public:
    // pool may be null (tests feed ProcessTransaction directly).
    FeeEstimator(const std::filesystem::path& file, const TxMempool* pool, unsigned best_height);
    ~FeeEstimator() override;

    // The underlying feed. height: the best height when the tx arrived (a
    // transaction arriving at any other height is not tracked, as in Core).
    void ProcessTransaction(const uint256& txid, unsigned height, Amount fee, int64_t vsize);
    void RemoveTransaction(const uint256& txid);  // left the mempool unconfirmed
    void ProcessBlock(unsigned height, const std::vector<uint256>& txids);
    // Shutdown: every transaction still tracked counts as left unconfirmed.
    void FlushUnconfirmed();

    // estimatesmartfee: conf_target >= 1; conservative also asks the long horizon.
    FeeEstimate EstimateSmartFee(unsigned conf_target, bool conservative) const;
    // One horizon at one threshold (estimaterawfee's core, tests); detail as
    // in ConfirmationStats::Estimate. nullopt also when the target is beyond
    // the horizon or the answer rounds to 0 sat/kvB.
    std::optional<double> EstimateRaw(unsigned target, double threshold, FeeEstimateHorizon horizon,
                                      FeeEstimateDetail* detail = nullptr) const;
    unsigned HighestTarget() const;
    // The longest target a horizon tracks (short 12, medium 48, long 1008).
    unsigned HighestTarget(FeeEstimateHorizon horizon) const;
    size_t TrackedCount() const;
    bool IsTracked(const uint256& txid) const;
    unsigned BestHeight() const;

    // fee_estimates.dat: the whole file in memory. Parse replaces the state
    // only when all of it is valid; otherwise error says why.
    std::vector<unsigned char> Serialize() const;
    bool Parse(std::span<const unsigned char> bytes, std::string& error);

    bool Save() const;
    // Reads the file unless missing, older than FEE_ESTIMATES_MAX_FILE_AGE
    // (accept_stale overrides) or malformed; logs why it did not.
    bool Load(bool accept_stale = false);
    // Blocks also save the file when this long has passed since the last
    // save (default: an hour, as Core), so a crash loses little.
    void SetFlushInterval(std::chrono::seconds interval);

    // MempoolObserver
    void TransactionAdded(const TransactionRef& tx, uint64_t sequence, const MempoolAddInfo& info) override;
    void TransactionRemoved(const TransactionRef& tx, MemPoolRemovalReason reason, uint64_t sequence) override;
    // ValidationObserver
    void BlockConnected(const std::shared_ptr<const Block>& block, const BlockIndex& index) override;

private:
    struct Tracked {
        unsigned height;
        size_t bucket;
        double feerate;
        bool in_block_removal = false;
    };
    size_t BucketOf(double feerate) const;
    const ConfirmationStats& Stats(FeeEstimateHorizon h) const;
    void RemoveLocked(std::map<uint256, Tracked>::iterator it);
    std::vector<double> UnconfirmedOld(unsigned target) const;
    std::optional<double> EstimateLocked(unsigned target, double threshold, FeeEstimateHorizon horizon,
                                         FeeEstimateDetail* detail = nullptr) const;
    std::optional<double> EstimateCombined(unsigned target, double threshold, bool check_shorter) const;
    std::optional<double> EstimateConservative(unsigned double_target) const;
    unsigned BlockSpan() const;
    unsigned HistoricalBlockSpan() const;
    unsigned MaxUsableTarget() const;

    std::filesystem::path m_file;
    const TxMempool* m_pool;
    mutable std::mutex m_mutex;
    std::vector<double> m_bounds;
    std::unique_ptr<ConfirmationStats> m_short;
    std::unique_ptr<ConfirmationStats> m_medium;
    std::unique_ptr<ConfirmationStats> m_long;
    std::map<uint256, Tracked> m_tracked;
    unsigned m_best_height;
    unsigned m_first_recorded = 0;   // first block that confirmed a tracked tx (0: none yet)
    unsigned m_historical_first = 0; // the span recorded before the last load
    unsigned m_historical_best = 0;
    std::chrono::seconds m_flush_interval{std::chrono::hours{1}};
    mutable std::chrono::steady_clock::time_point m_last_flush{std::chrono::steady_clock::now()};
};

} // namespace node
