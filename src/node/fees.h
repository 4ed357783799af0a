#pragma once

// Fee estimation from observed confirmation times. Transactions entering the
// mempool (without in-mempool parents) are tracked with their feerate and the
// height they arrived at; when a block confirms one, the blocks it waited are
// recorded in its feerate bucket (buckets 5% apart from 1 sat/vB), in
// exponentially decaying averages over three horizons (short, medium, long).
// Transactions that leave unconfirmed, or wait longer than a target, count as
// failures for it. An estimate for a target is the lowest feerate whose
// buckets, taken from the top down, confirm within the target often enough.
// Saved to and loaded from fee_estimates.dat.

#include <consensus/amount.h>
#include <kernel/notifications.h>
#include <node/txmempool.h>
#include <uint256.h>

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace node {

enum class FeeEstimateHorizon { SHORT, MEDIUM, LONG };

// Decaying statistics of one horizon: per bucket and per period of `scale`
// blocks, how many tracked transactions confirmed within it and how many failed.
class ConfirmationStats {
public:
    ConfirmationStats(const std::vector<double>& bucket_bounds, double decay, unsigned scale, unsigned periods);

    void Decay();
    void RecordConfirmed(size_t bucket, unsigned blocks, double feerate);
    void RecordFailed(size_t bucket, unsigned blocks_waited);
    // Lowest passing feerate (sat/kvB) for target blocks at success_threshold,
    // or nullopt. unconfirmed_old[b]: tracked mempool txs in bucket b waiting
    // longer than target (they count as failures).
    std::optional<double> Estimate(unsigned target, double success_threshold,
                                   const std::vector<double>& unconfirmed_old) const;
    unsigned MaxTarget() const { return m_scale * m_periods; }
    unsigned Scale() const { return m_scale; }

    void Write(std::ostream& out) const;
    bool Read(std::istream& in);

private:
    const std::vector<double>& m_bounds;
    double m_decay;
    unsigned m_scale;
    unsigned m_periods;
    std::vector<double> m_total;                  // confirmed, per bucket
    std::vector<double> m_feesum;                 // their feerates summed
    std::vector<std::vector<double>> m_confirmed; // [period][bucket]: confirmed within (period+1)*scale
    std::vector<std::vector<double>> m_failed;    // [period][bucket]: waited longer, then left unconfirmed
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

    // The underlying feed.
    void ProcessTransaction(const uint256& txid, unsigned height, Amount fee, int64_t vsize);
    void RemoveTransaction(const uint256& txid);  // left the mempool unconfirmed
    void ProcessBlock(unsigned height, const std::vector<uint256>& txids);

    // estimatesmartfee: conf_target >= 1; conservative also asks the long horizon.
    FeeEstimate EstimateSmartFee(unsigned conf_target, bool conservative) const;
    // One horizon at one threshold (tests).
    std::optional<double> EstimateRaw(unsigned target, double threshold, FeeEstimateHorizon horizon) const;
    unsigned HighestTarget() const;
    size_t TrackedCount() const;

    bool Save() const;
    bool Load();

    // MempoolObserver
    void TransactionAdded(const TransactionRef& tx, uint64_t sequence) override;
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
    std::vector<double> UnconfirmedOld(unsigned target) const;
    std::optional<double> EstimateLocked(unsigned target, double threshold, FeeEstimateHorizon horizon) const;
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
    unsigned m_first_height = 0;       // first block recorded (0: none yet)
    unsigned m_historical_span = 0;    // blocks recorded before the last load
};

} // namespace node
