#pragma once

// Checks of a block header and a block on their own (no chain needed), and the
// BIP141 witness commitment and weight checks, which depend on the chain only
// through "is segwit active".

#include <consensus/validation.h>
#include <primitives/block.h>
#include <uint256.h>

#include <cstdint>

// Proof of work of the header: "high-hash".
bool CheckBlockHeader(const BlockHeader& header, BlockValidationState& state, const uint256& pow_limit,
                      bool check_pow = true);

// Context-free block checks, in this order: header ("high-hash"), merkle root
// ("bad-txnmrklroot", duplicate-transaction mutation "bad-txns-duplicate"),
// transaction count and stripped size ("bad-blk-length"), coinbase first and
// only there ("bad-cb-missing", "bad-cb-multiple"), CheckTransaction of each
// transaction (its "bad-txns-..." / "bad-cb-length" reason), legacy sigops
// ("bad-blk-sigops"). Witness data is not checked here: see
// CheckWitnessCommitment.
bool CheckBlock(const Block& block, BlockValidationState& state, const uint256& pow_limit, bool check_pow = true,
                bool check_merkle_root = true);

// Index of the coinbase output holding the witness commitment (the last
// output whose script starts with OP_RETURN, push 36, aa21a9ed), or -1.
inline constexpr int NO_WITNESS_COMMITMENT = -1;
int GetWitnessCommitmentIndex(const Block& block);

// SHA256d(witness merkle root || witness reserved value) as stored after the
// 6-byte prefix of the commitment output.
uint256 ComputeWitnessCommitment(const uint256& witness_root, const uint256& reserved_value);

// BIP141 witness rules: with segwit active and a commitment present, the
// coinbase witness must be one 32-byte item ("bad-witness-nonce-size") and the
// commitment must match ("bad-witness-merkle-match"). Without a commitment (or
// before activation) no transaction may carry witness data ("unexpected-witness").
bool CheckWitnessCommitment(const Block& block, BlockValidationState& state, bool segwit_active = true);

// Weight of the whole block (BIP141): stripped size * 3 + total size.
int64_t GetBlockWeight(const Block& block);
// "bad-blk-weight" above MAX_BLOCK_WEIGHT.
bool CheckBlockWeight(const Block& block, BlockValidationState& state);

// BIP34: the coinbase's scriptSig starts with the push of the height ("bad-cb-height").
bool CheckCoinbaseHeight(const Block& block, int height, BlockValidationState& state);

// Every transaction is final at this height and lock-time cutoff (the block's
// time, or the median time past of its parent once BIP113 is active):
// "bad-txns-nonfinal".
bool CheckBlockFinality(const Block& block, int height, int64_t lock_time_cutoff, BlockValidationState& state);
