#pragma once

// Transaction rules that need data from the chain, as pure functions of that
// data: lock-time finality, BIP68 sequence locks, sigop counting, input values.

#include <consensus/amount.h>
#include <consensus/validation.h>
#include <primitives/transaction.h>

#include <cstdint>
#include <functional>
#include <span>
#include <utility>
#include <vector>

// nLockTime is satisfied at this height and time (block time, or median time
// past under BIP113), or every input's sequence is final.
bool IsFinalTx(const Transaction& tx, int block_height, int64_t block_time);

// The latest height and time at which a transaction is still locked: it may be
// in a block of height > min_height whose parent's median time past is >
// min_time. -1 means no constraint.
struct SequenceLocks {
    int min_height = -1;
    int64_t min_time = -1;
};

// Median time past of the block at the given height of the chain being checked.
using MedianTimePastAt = std::function<int64_t(int height)>;

// BIP68 lock of `tx` in a block at block_height (only for version >= 2 with
// LOCKTIME_VERIFY_SEQUENCE in flags). prev_heights[i] is the height of the
// block that created input i's coin; entries of inputs without a relative lock
// are set to 0, as ConnectBlock wants them for later re-evaluation. A time lock
// is measured from the median time past of the block before the coin's block.
SequenceLocks CalculateSequenceLocks(const Transaction& tx, unsigned flags, std::vector<int>& prev_heights,
                                     const MedianTimePastAt& median_time_past_at);

// The locks are satisfied by a block at block_height whose parent has median
// time past prev_block_median_time_past.
bool EvaluateSequenceLocks(int block_height, int64_t prev_block_median_time_past, const SequenceLocks& locks);

bool SequenceLocksSatisfied(const Transaction& tx, unsigned flags, std::vector<int>& prev_heights, int block_height,
                            int64_t prev_block_median_time_past, const MedianTimePastAt& median_time_past_at);

// Legacy sigops of scriptSigs and scriptPubKeys (CHECKMULTISIG counts 20).
unsigned GetLegacySigOpCount(const Transaction& tx);

// Sigops of P2SH redeem scripts. spent_outputs[i] is the output input i spends
// (std::invalid_argument when the sizes differ, except for a coinbase).
unsigned GetP2SHSigOpCount(const Transaction& tx, std::span<const TxOut> spent_outputs);

// BIP141 sigop cost: (legacy + P2SH) * WITNESS_SCALE_FACTOR + witness sigops.
// P2SH sigops count only with SCRIPT_VERIFY_P2SH in script_flags, witness ones
// only with SCRIPT_VERIFY_WITNESS.
int64_t GetTransactionSigOpCost(const Transaction& tx, std::span<const TxOut> spent_outputs, uint32_t script_flags);

// The coin an input spends, with what maturity needs to know.
struct SpentCoin {
    TxOut out;
    int height = 0;  // height of the block that created it
    bool is_coinbase = false;
};

// Value rules of a transaction spending `coins` (aligned with tx.vin) in a
// block at spend_height: coinbase maturity ("bad-txns-premature-spend-of-coinbase"),
// input ranges ("bad-txns-inputvalues-outofrange"), inputs cover outputs
// ("bad-txns-in-belowout"), fee range ("bad-txns-fee-outofrange"). Sets fee.
// A size mismatch between coins and inputs is "bad-txns-inputs-missingorspent".
bool CheckTxInputs(const Transaction& tx, TxValidationState& state, std::span<const SpentCoin> coins,
                   int spend_height, Amount& fee);
