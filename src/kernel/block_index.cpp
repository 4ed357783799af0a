#include <kernel/block_index.h>

#include <consensus/pow.h>

#include <algorithm>
#include <array>
#include <limits>

BlockIndex::BlockIndex(const BlockHeader& header)
    : version{header.version}, merkle_root{header.merkle_root}, time{header.time}, bits{header.bits},
      nonce{header.nonce}
{
}

BlockHeader BlockIndex::GetBlockHeader() const
{
    BlockHeader header;
    header.version = version;
    if (prev) header.prev_block = prev->GetBlockHash();
    header.merkle_root = merkle_root;
    header.time = time;
    header.bits = bits;
    header.nonce = nonce;
    return header;
}

int64_t BlockIndex::GetMedianTimePast() const
{
    std::array<int64_t, MEDIAN_TIME_SPAN> times;
    int count = 0;
    for (const BlockIndex* b = this; b && count < MEDIAN_TIME_SPAN; b = b->prev) times[count++] = b->GetBlockTime();
    std::sort(times.begin(), times.begin() + count);
    return times[count / 2];
}

namespace {
// height with its lowest set bit cleared.
int ClearLowestBit(int height) { return height & (height - 1); }
} // namespace

int GetSkipHeight(int height)
{
    if (height < 2) return 0;
    // Even heights jump to the height with their lowest set bit cleared: a
    // walk down from any block meets heights with ever fewer low bits, so it
    // crosses the chain in about log2(height) jumps. Odd heights would then
    // point at their parent's target; instead they go one level further
    // (clear another bit of the even neighbour) and add one, so neighbouring
    // blocks offer different jump lengths and GetAncestor can pick the better.
    if (height % 2 == 0) return ClearLowestBit(height);
    return ClearLowestBit(ClearLowestBit(height - 1)) + 1;
}

const BlockIndex* BlockIndex::GetAncestor(int target) const
{
    if (target < 0 || target > height) return nullptr;
    const BlockIndex* walk = this;
    while (walk->height > target) {
        const BlockIndex* skip_to = walk->skip;
        // Take the skip pointer when it does not overshoot, unless the parent's
        // skip reaches much further back while still not overshooting: then
        // one step to the parent pays for itself.
        if (skip_to && skip_to->height >= target) {
            const BlockIndex* via_prev = walk->prev ? walk->prev->skip : nullptr;
            const bool parent_better = via_prev && via_prev->height >= target &&
                                       via_prev->height + 2 < skip_to->height && skip_to->height != target;
            walk = parent_better ? walk->prev : skip_to;
        } else {
            walk = walk->prev;
        }
    }
    return walk;
}

BlockIndex* BlockIndex::GetAncestor(int target)
{
    return const_cast<BlockIndex*>(static_cast<const BlockIndex*>(this)->GetAncestor(target));
}

void BlockIndex::BuildSkip()
{
    skip = prev ? prev->GetAncestor(GetSkipHeight(height)) : nullptr;
}

bool BlockIndex::IsValid(BlockStatus up_to) const
{
    if (status & BLOCK_FAILED_MASK) return false;
    return (status & BLOCK_VALID_MASK) >= static_cast<uint32_t>(up_to);
}

bool BlockIndex::RaiseValidity(BlockStatus up_to)
{
    if (status & BLOCK_FAILED_MASK) return false;
    if ((status & BLOCK_VALID_MASK) >= static_cast<uint32_t>(up_to)) return false;
    status = (status & ~static_cast<uint32_t>(BLOCK_VALID_MASK)) | up_to;
    return true;
}

std::string BlockIndex::ToString() const
{
    return "BlockIndex(height=" + std::to_string(height) + ", hash=" + GetBlockHash().GetHex() +
           ", merkle=" + merkle_root.GetHex() + ")";
}

arith_uint256 GetBlockProof(const BlockIndex& block)
{
    return GetBlockProof(block.bits);
}

int64_t GetBlockProofEquivalentTime(const BlockIndex& to, const BlockIndex& from, const BlockIndex& tip,
                                    int64_t target_spacing)
{
    const bool ahead = to.chain_work > from.chain_work;
    arith_uint256 work = ahead ? to.chain_work - from.chain_work : from.chain_work - to.chain_work;
    const arith_uint256 tip_proof = GetBlockProof(tip);
    if (tip_proof == 0) return ahead ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
    work *= arith_uint256(static_cast<uint64_t>(target_spacing));
    work /= tip_proof;
    const int64_t seconds = work.bits() > 63 ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(work.GetLow64());
    return ahead ? seconds : -seconds;
}

const BlockIndex* LastCommonAncestor(const BlockIndex* a, const BlockIndex* b)
{
    if (!a || !b) return nullptr;
    if (a->height > b->height) a = a->GetAncestor(b->height);
    if (b->height > a->height) b = b->GetAncestor(a->height);
    while (a != b && a && b) {
        a = a->prev;
        b = b->prev;
    }
    return a == b ? a : nullptr;
}

void Chain::SetTip(BlockIndex* block)
{
    if (!block) {
        m_chain.clear();
        return;
    }
    m_chain.resize(block->height + 1);
    // Walk back until the chain already agrees with block's ancestry.
    while (block && m_chain[block->height] != block) {
        m_chain[block->height] = block;
        block = block->prev;
    }
}

std::vector<uint256> LocatorEntries(const BlockIndex* block)
{
    std::vector<uint256> hashes;
    if (!block) return hashes;
    int step = 1;
    hashes.reserve(32);
    int height = block->height;
    while (block) {
        hashes.push_back(block->GetBlockHash());
        if (height == 0) break;
        // Ten single steps back, then double the distance each time.
        if (hashes.size() > 10) step *= 2;
        height = std::max(height - step, 0);
        block = block->GetAncestor(height);
    }
    return hashes;
}

std::vector<uint256> Chain::GetLocator(const BlockIndex* block) const
{
    if (!block) block = Tip();
    return LocatorEntries(block);
}

const BlockIndex* Chain::FindFork(const BlockIndex* block) const
{
    if (!block) return nullptr;
    if (block->height > Height()) block = block->GetAncestor(Height());
    while (block && !Contains(block)) block = block->prev;
    return block;
}

BlockIndex* Chain::FindEarliestAtLeast(int64_t time, int height) const
{
    // time_max never decreases along a chain (and height increases), so the
    // blocks satisfying both conditions form a suffix of the vector.
    auto it = std::lower_bound(m_chain.begin(), m_chain.end(), std::pair<int64_t, int>{time, height},
                               [](const BlockIndex* b, const std::pair<int64_t, int>& want) {
                                   return b->GetBlockTimeMax() < want.first || b->height < want.second;
                               });
    return it == m_chain.end() ? nullptr : *it;
}
