#pragma once

// Difficulty retargeting: the compact target a block must meet, given its
// parent. Every 2016 blocks the target scales with the time the last period
// took (clamped to a quarter and four times the target timespan); testnet's
// 20-minute minimum-difficulty rule; testnet4's BIP94 fix; regtest keeps the
// target.

#include <kernel/chainparams.h>
#include <primitives/block.h>

#include <cstdint>

class BlockIndex;

// BIP94 (testnet4): the first block of a period may not be more than this many
// seconds earlier than its parent (closes the timewarp attack).
inline constexpr int64_t MAX_TIMEWARP = 600;

// bits the block `next` on top of `prev` must carry. prev is null only for
// the genesis block (which gets pow_limit's compact form).
uint32_t GetNextWorkRequired(const BlockIndex* prev, const BlockHeader& next, const ConsensusParams& params);

// The retarget at the end of a period: prev is the period's last block,
// first_block_time the time of its first.
uint32_t CalculateNextWorkRequired(const BlockIndex* prev, int64_t first_block_time, const ConsensusParams& params);

// Whether a header chain may go from old_bits to new_bits at `height` (for
// checking header chains without their full ancestry): inside a period the
// bits cannot change, at a period boundary they stay within the clamp.
// Always true on networks with minimum-difficulty blocks.
bool PermittedDifficultyTransition(const ConsensusParams& params, int64_t height, uint32_t old_bits,
                                   uint32_t new_bits);
