#include <consensus/tx_verify.h>

#include <consensus/consensus.h>
#include <script/interpreter.h>
#include <script/script.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace {

// Counting fewer sigops than there are would let an over-limit block through:
// a caller that lost track of the spent outputs must not get a number.
void RequireOneOutputPerInput(const Transaction& tx, std::span<const TxOut> spent_outputs)
{
    if (spent_outputs.size() != tx.vin.size()) {
        throw std::invalid_argument("sigop counting: one spent output per input expected");
    }
}

} // namespace

bool IsFinalTx(const Transaction& tx, int block_height, int64_t block_time)
{
    if (tx.lock_time == 0) return true;
    // Below the threshold nLockTime is a height, else a time; either way the
    // transaction may be in a block strictly after it.
    const int64_t lock_time = tx.lock_time;
    const int64_t now = lock_time < static_cast<int64_t>(LOCKTIME_THRESHOLD) ? int64_t{block_height} : block_time;
    if (lock_time < now) return true;
    // Final sequences on every input switch nLockTime off.
    return std::all_of(tx.vin.begin(), tx.vin.end(),
                       [](const TxIn& in) { return in.sequence == TxIn::SEQUENCE_FINAL; });
}

SequenceLocks CalculateSequenceLocks(const Transaction& tx, unsigned flags, std::vector<int>& prev_heights,
                                     const MedianTimePastAt& median_time_past_at)
{
    if (prev_heights.size() != tx.vin.size()) {
        throw std::invalid_argument("CalculateSequenceLocks: one prev height per input expected");
    }
    SequenceLocks locks;
    // BIP68 applies to version 2 and up, compared unsigned.
    const bool enforce = tx.version >= 2 && (flags & LOCKTIME_VERIFY_SEQUENCE) != 0;
    if (!enforce || tx.IsCoinBase()) return locks;

    for (size_t i = 0; i < tx.vin.size(); ++i) {
        const uint32_t sequence = tx.vin[i].sequence;
        if (sequence & TxIn::SEQUENCE_LOCKTIME_DISABLE_FLAG) {
            prev_heights[i] = 0;
            continue;
        }
        const int coin_height = prev_heights[i];
        const int64_t value = sequence & TxIn::SEQUENCE_LOCKTIME_MASK;
        if (sequence & TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG) {
            // Measured from the median time past of the block before the
            // coin's block: the coin's own block may have a time in the future.
            const int64_t coin_time = median_time_past_at(std::max(coin_height - 1, 0));
            // Minus one: the lock names the last time still locked.
            locks.min_time = std::max(locks.min_time,
                                      coin_time + (value << TxIn::SEQUENCE_LOCKTIME_GRANULARITY) - 1);
        } else {
            locks.min_height = std::max(locks.min_height, coin_height + static_cast<int>(value) - 1);
        }
    }
    return locks;
}

bool EvaluateSequenceLocks(int block_height, int64_t prev_block_median_time_past, const SequenceLocks& locks)
{
    return locks.min_height < block_height && locks.min_time < prev_block_median_time_past;
}

bool SequenceLocksSatisfied(const Transaction& tx, unsigned flags, std::vector<int>& prev_heights, int block_height,
                            int64_t prev_block_median_time_past, const MedianTimePastAt& median_time_past_at)
{
    const SequenceLocks locks = CalculateSequenceLocks(tx, flags, prev_heights, median_time_past_at);
    return EvaluateSequenceLocks(block_height, prev_block_median_time_past, locks);
}

unsigned GetLegacySigOpCount(const Transaction& tx)
{
    unsigned count = 0;
    for (const TxIn& in : tx.vin) count += in.script_sig.GetSigOpCount(false);
    for (const TxOut& out : tx.vout) count += out.script_pubkey.GetSigOpCount(false);
    return count;
}

unsigned GetP2SHSigOpCount(const Transaction& tx, std::span<const TxOut> spent_outputs)
{
    if (tx.IsCoinBase()) return 0;
    RequireOneOutputPerInput(tx, spent_outputs);
    unsigned count = 0;
    for (size_t i = 0; i < tx.vin.size(); ++i) {
        const Script& prev_script = spent_outputs[i].script_pubkey;
        if (prev_script.IsPayToScriptHash()) count += prev_script.GetSigOpCount(tx.vin[i].script_sig);
    }
    return count;
}

int64_t GetTransactionSigOpCost(const Transaction& tx, std::span<const TxOut> spent_outputs, uint32_t script_flags)
{
    int64_t cost = int64_t{GetLegacySigOpCount(tx)} * WITNESS_SCALE_FACTOR;
    if (tx.IsCoinBase()) return cost;
    if (script_flags & SCRIPT_VERIFY_P2SH) {
        cost += int64_t{GetP2SHSigOpCount(tx, spent_outputs)} * WITNESS_SCALE_FACTOR;
    }
    RequireOneOutputPerInput(tx, spent_outputs);
    for (size_t i = 0; i < tx.vin.size(); ++i) {
        const TxIn& in = tx.vin[i];
        cost += static_cast<int64_t>(
            CountWitnessSigOps(in.script_sig, spent_outputs[i].script_pubkey, &in.witness, script_flags));
    }
    return cost;
}

bool CheckTxInputs(const Transaction& tx, TxValidationState& state, std::span<const SpentCoin> coins,
                   int spend_height, Amount& fee)
{
    if (coins.size() != tx.vin.size()) {
        return state.Invalid(TxValidationResult::MISSING_INPUTS, "bad-txns-inputs-missingorspent",
                             "inputs missing/spent");
    }
    Amount value_in = 0;
    for (const SpentCoin& coin : coins) {
        if (coin.is_coinbase && spend_height - coin.height < COINBASE_MATURITY) {
            return state.Invalid(TxValidationResult::PREMATURE_SPEND, "bad-txns-premature-spend-of-coinbase",
                                 "tried to spend coinbase at depth " + std::to_string(spend_height - coin.height));
        }
        value_in += coin.out.value;
        if (!MoneyRange(coin.out.value) || !MoneyRange(value_in)) {
            return state.Invalid(TxValidationResult::CONSENSUS, "bad-txns-inputvalues-outofrange");
        }
    }
    // CheckTransaction has bounded the outputs already, but this function
    // must not rely on having been called after it.
    Amount value_out = 0;
    for (const TxOut& out : tx.vout) {
        if (!MoneyRange(out.value) || !MoneyRange(value_out + out.value)) {
            return state.Invalid(TxValidationResult::CONSENSUS, "bad-txns-txouttotal-toolarge");
        }
        value_out += out.value;
    }
    if (value_in < value_out) {
        return state.Invalid(TxValidationResult::CONSENSUS, "bad-txns-in-belowout",
                             "value in (" + std::to_string(value_in) + ") < value out (" +
                                 std::to_string(value_out) + ")");
    }
    const Amount tx_fee = value_in - value_out;
    if (!MoneyRange(tx_fee)) return state.Invalid(TxValidationResult::CONSENSUS, "bad-txns-fee-outofrange");
    fee = tx_fee;
    return true;
}
