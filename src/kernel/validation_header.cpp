// Header acceptance: proof of work, difficulty, timestamps, version rules.

#include <kernel/validation.h>

#include <consensus/block_check.h>
#include <kernel/pow.h>

#include <chrono>
#include <cstdio>

namespace {

// A header may be at most this far ahead of the adjusted time.
constexpr int64_t MAX_FUTURE_BLOCK_TIME = 2 * 60 * 60;

std::string VersionReason(int32_t version)
{
    char buf[32];
    std::snprintf(buf, sizeof(buf), "bad-version(0x%08x)", static_cast<uint32_t>(version));
    return buf;
}

} // namespace

int64_t ChainstateManager::AdjustedTime() const
{
    if (m_options.adjusted_time) return m_options.adjusted_time();
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

bool ChainstateManager::ContextualCheckBlockHeader(const BlockHeader& header, BlockValidationState& state,
                                                   const BlockIndex& prev) const
{
    const ConsensusParams& consensus = Params().GetConsensus();
    const int height = prev.height + 1;
    if (header.bits != GetNextWorkRequired(&prev, header, consensus)) {
        return state.Invalid(BlockValidationResult::INVALID_HEADER, "bad-diffbits", "incorrect proof of work");
    }
    if (header.GetBlockTime() <= prev.GetMedianTimePast()) {
        return state.Invalid(BlockValidationResult::INVALID_HEADER, "time-too-old",
                             "block's timestamp is too early");
    }
    if (consensus.enforce_bip94 && height % consensus.DifficultyAdjustmentInterval() == 0 &&
        header.GetBlockTime() < prev.GetBlockTime() - MAX_TIMEWARP) {
        return state.Invalid(BlockValidationResult::INVALID_HEADER, "time-timewarp-attack",
                             "block's timestamp is too early on diff adjustment block");
    }
    if (header.GetBlockTime() > AdjustedTime() + MAX_FUTURE_BLOCK_TIME) {
        return state.Invalid(BlockValidationResult::TIME_FUTURE, "time-too-new",
                             "block timestamp too far in the future");
    }
    // Once a deployment is buried, blocks must signal at least its version.
    if ((header.version < 2 && height >= consensus.bip34_height) ||
        (header.version < 3 && height >= consensus.bip66_height) ||
        (header.version < 4 && height >= consensus.bip65_height)) {
        return state.Invalid(BlockValidationResult::INVALID_HEADER, VersionReason(header.version),
                             "rejected nVersion=" + std::to_string(header.version) + " block");
    }
    return true;
}

bool ChainstateManager::AcceptBlockHeader(const BlockHeader& header, BlockValidationState& state, BlockIndex** out)
{
    const uint256 hash = header.GetHash();
    if (BlockIndex* known = m_blockman->LookupBlockIndex(hash)) {
        if (out) *out = known;
        if (known->status & BLOCK_FAILED_MASK) {
            return state.Invalid(BlockValidationResult::CACHED_INVALID, "duplicate", "block is marked invalid");
        }
        return true;
    }
    const ConsensusParams& consensus = Params().GetConsensus();
    if (!CheckBlockHeader(header, state, consensus.pow_limit)) return false;

    BlockIndex* prev = nullptr;
    if (hash != consensus.genesis_hash) {
        prev = m_blockman->LookupBlockIndex(header.prev_block);
        if (!prev) return state.Invalid(BlockValidationResult::MISSING_PREV, "prev-blk-not-found");
        if (prev->status & BLOCK_FAILED_MASK) {
            return state.Invalid(BlockValidationResult::INVALID_PREV, "bad-prevblk");
        }
        if (!ContextualCheckBlockHeader(header, state, *prev)) return false;
    }
    BlockIndex* index = m_blockman->AddToBlockIndex(header);
    if (!m_best_header || index->chain_work > m_best_header->chain_work) m_best_header = index;
    if (out) *out = index;
    return true;
}

bool ChainstateManager::ProcessNewBlockHeaders(std::span<const BlockHeader> headers, BlockValidationState& state,
                                               const BlockIndex** last)
{
    std::lock_guard lock(m_chain_mutex);
    for (const BlockHeader& header : headers) {
        BlockIndex* index = nullptr;
        if (!AcceptBlockHeader(header, state, &index)) return false;
        if (last) *last = index;
    }
    return true;
}
