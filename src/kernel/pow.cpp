#include <kernel/pow.h>

#include <arith_uint256.h>
#include <kernel/block_index.h>

#include <algorithm>

namespace {

uint32_t PowLimitBits(const ConsensusParams& params) { return UintToArith256(params.pow_limit).GetCompact(); }

// Testnet: the last block that was not mined under the 20-minute exception
// (or the first block of the period), whose bits are the real difficulty.
const BlockIndex* LastRegularBlock(const BlockIndex* block, const ConsensusParams& params)
{
    const uint32_t limit_bits = PowLimitBits(params);
    const int64_t interval = params.DifficultyAdjustmentInterval();
    while (block->prev != nullptr && block->height % interval != 0 && block->bits == limit_bits) {
        block = block->prev;
    }
    return block;
}

// target * timespan_ratio, capped at the pow limit.
arith_uint256 ScaleTarget(const arith_uint256& target, int64_t actual_timespan, const ConsensusParams& params)
{
    arith_uint256 scaled = target;
    scaled *= arith_uint256(static_cast<uint64_t>(actual_timespan));
    scaled /= arith_uint256(static_cast<uint64_t>(params.pow_target_timespan));
    const arith_uint256 limit = UintToArith256(params.pow_limit);
    return scaled > limit ? limit : scaled;
}

} // namespace

uint32_t GetNextWorkRequired(const BlockIndex* prev, const BlockHeader& next, const ConsensusParams& params)
{
    if (prev == nullptr) return PowLimitBits(params);

    const int64_t interval = params.DifficultyAdjustmentInterval();
    if ((prev->height + 1) % interval != 0) {
        if (!params.pow_allow_min_difficulty_blocks) return prev->bits;
        // Testnet: a block more than twice the spacing after its parent may
        // be mined at the minimum difficulty; otherwise the difficulty is that
        // of the last block not mined that way.
        if (next.GetBlockTime() > prev->GetBlockTime() + 2 * params.pow_target_spacing) {
            return PowLimitBits(params);
        }
        return LastRegularBlock(prev, params)->bits;
    }

    const BlockIndex* first = prev->GetAncestor(prev->height - static_cast<int>(interval - 1));
    return CalculateNextWorkRequired(prev, first->GetBlockTime(), params);
}

uint32_t CalculateNextWorkRequired(const BlockIndex* prev, int64_t first_block_time, const ConsensusParams& params)
{
    if (params.pow_no_retargeting) return prev->bits;

    const int64_t timespan = params.pow_target_timespan;
    const int64_t actual = std::clamp(prev->GetBlockTime() - first_block_time, timespan / 4, timespan * 4);

    // The period's difficulty: its last block's bits, except under BIP94,
    // where a minimum-difficulty last block must not drag the retarget down,
    // so the period's first block (never a 20-minute exception) sets it.
    uint32_t base_bits = prev->bits;
    if (params.enforce_bip94) {
        const int64_t interval = params.DifficultyAdjustmentInterval();
        base_bits = prev->GetAncestor(prev->height - static_cast<int>(interval - 1))->bits;
    }
    arith_uint256 target;
    target.SetCompact(base_bits);
    return ScaleTarget(target, actual, params).GetCompact();
}

bool PermittedDifficultyTransition(const ConsensusParams& params, int64_t height, uint32_t old_bits,
                                   uint32_t new_bits)
{
    if (params.pow_allow_min_difficulty_blocks) return true;

    if (height % params.DifficultyAdjustmentInterval() != 0) return old_bits == new_bits;

    // Bounds of a retarget from old_bits, rounded the way the compact form
    // of a real retarget is.
    const int64_t timespan = params.pow_target_timespan;
    arith_uint256 old_target;
    old_target.SetCompact(old_bits);
    arith_uint256 largest;
    largest.SetCompact(ScaleTarget(old_target, timespan * 4, params).GetCompact());
    arith_uint256 smallest;
    smallest.SetCompact(ScaleTarget(old_target, timespan / 4, params).GetCompact());

    arith_uint256 observed;
    observed.SetCompact(new_bits);
    return observed <= largest && observed >= smallest;
}
