#pragma once

// Consensus constants of blocks and transactions.

#include <cstdint>

// Block weight limit (BIP141).
inline constexpr unsigned MAX_BLOCK_WEIGHT = 4000000;
// No serialized block can be larger than its weight limit.
inline constexpr unsigned MAX_BLOCK_SERIALIZED_SIZE = 4000000;
// Sigop cost limit of a block (BIP141): legacy sigops count 4, witness sigops 1.
inline constexpr int64_t MAX_BLOCK_SIGOPS_COST = 80000;
// Blocks a coinbase output must wait before it can be spent.
inline constexpr int COINBASE_MATURITY = 100;
// Non-witness bytes weigh this much, witness bytes 1 (BIP141).
inline constexpr int WITNESS_SCALE_FACTOR = 4;

// Smallest transaction that can be valid: 60 bytes without witness (one
// input with an empty script, one output with an empty script).
inline constexpr int64_t MIN_TRANSACTION_WEIGHT = WITNESS_SCALE_FACTOR * 60;
inline constexpr int64_t MIN_SERIALIZABLE_TRANSACTION_WEIGHT = WITNESS_SCALE_FACTOR * 10;

// Flags for sequence-lock evaluation: enforce BIP68 relative lock-times.
inline constexpr unsigned LOCKTIME_VERIFY_SEQUENCE = 1U << 0;
