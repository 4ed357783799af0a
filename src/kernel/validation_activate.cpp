// Chain selection: keep the active chain on the valid chain with the most
// work, reorganizing through the last common block; invalidateblock,
// reconsiderblock and preciousblock.

#include <kernel/validation.h>

#include <kernel/txindex.h>
#include <util/logging.h>
#include <util/time.h>
#include <util/trace.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

namespace {
// Blocks connected per step before observers hear of the new tip.
constexpr int MAX_CONNECT_PER_STEP = 32;

// Bitcoin Core's "UpdateTip:" line, after every change of the tip.
void LogUpdateTip(const ChainParams& params, const BlockIndex& tip, const CoinsViewCache& coins)
{
    LogInfo("UpdateTip: new best={} height={} version=0x{:08x} log2_work={:.6f} tx={} date='{}' progress={:.6f} "
            "cache={:.1f}MiB({}utxo)",
            tip.GetBlockHash().GetHex(), tip.height, static_cast<uint32_t>(tip.version),
            std::log2(tip.chain_work.getdouble()), tip.chain_tx, FormatISO8601DateTime(tip.GetBlockTime()),
            GuessVerificationProgress(params, &tip), static_cast<double>(coins.DynamicMemoryUsage()) / (1 << 20),
            coins.GetCacheSize());
}
} // namespace

void ChainstateManager::TryAddCandidate(BlockIndex* index)
{
    if (!index->IsValid(BLOCK_VALID_TRANSACTIONS) || !index->HaveTxsDownloaded()) return;
    const BlockIndex* tip = ActiveChain().Tip();
    if (tip && CandidateOrder{}(index, tip)) return;
    m_candidates.insert(index);
}

void ChainstateManager::PruneCandidates()
{
    const BlockIndex* tip = ActiveChain().Tip();
    if (!tip) return;
    // Everything ordered before the tip can never beat it.
    auto it = m_candidates.begin();
    while (it != m_candidates.end() && CandidateOrder{}(*it, tip)) it = m_candidates.erase(it);
}

void ChainstateManager::RebuildCandidates()
{
    m_candidates.clear();
    for (auto& [hash, entry] : m_blockman->Index()) TryAddCandidate(&entry);
}

BlockIndex* ChainstateManager::FindMostWorkChain()
{
    while (!m_candidates.empty()) {
        BlockIndex* best = *m_candidates.rbegin();
        // Every block between the active chain and the candidate must be usable.
        bool usable = true;
        for (BlockIndex* p = best; p && !ActiveChain().Contains(p); p = p->prev) {
            const bool failed = p->status & BLOCK_FAILED_MASK;
            if (failed || !(p->status & BLOCK_HAVE_DATA)) {
                if (failed) {
                    for (BlockIndex* q = best; q != p; q = q->prev) {
                        q->status |= BLOCK_FAILED_CHILD;
                        SetDirty(q);
                    }
                }
                usable = false;
                break;
            }
        }
        if (usable) return best;
        m_candidates.erase(best);
    }
    return nullptr;
}

void ChainstateManager::InvalidBlockFound(BlockIndex* index, const BlockValidationState& state)
{
    if (state.IsInvalid()) MarkBlockFailed(index);
    m_last_connect_failure = {index, state};
}

bool ChainstateManager::DisconnectTip(BlockValidationState& state)
{
    const auto start = std::chrono::steady_clock::now();
    BlockIndex* tip = ActiveChain().Tip();
    auto block = std::make_shared<Block>();
    std::string error;
    if (!m_blockman->ReadBlock(*block, *tip, &error)) FatalDiskError(error);
    {
        CoinsViewCache view(&CoinsTip());
        if (DisconnectBlock(*block, *tip, view) == DisconnectResult::FAILED) {
            std::string undo_error;
            BlockUndo undo;
            m_blockman->ReadUndo(undo, *tip, &undo_error);
            FatalDiskError("failed to disconnect block " + tip->GetBlockHash().GetHex() + ": " +
                           (undo_error.empty() ? std::string("undo data does not match the block") : undo_error));
        }
        view.Flush();
    }
    m_chainstate->ActiveChain().SetTip(tip->prev);
    if (tip->prev) LogUpdateTip(Params(), *tip->prev, CoinsTip());
    const uint256 hash = tip->GetBlockHash();
    const int32_t height = tip->height;
    const uint64_t tx_count = block->vtx.size();
    const uint64_t duration_ns = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count());
    TRACEPOINT(validation, block_disconnected, hash.data(), height, tx_count, duration_ns);
    m_observers.BlockDisconnected(block, *tip);
    (void)state;
    return true;
}

bool ChainstateManager::ConnectTip(BlockValidationState& state, BlockIndex* index,
                                   const std::shared_ptr<const Block>& known_block)
{
    std::shared_ptr<const Block> block = known_block;
    if (!block) {
        auto read = std::make_shared<Block>();
        std::string error;
        if (!m_blockman->ReadBlock(*read, *index, &error)) FatalDiskError(error);
        block = std::move(read);
    }
    {
        CoinsViewCache view(&CoinsTip());
        if (!ConnectBlock(*block, state, index, view)) {
            if (state.IsInvalid()) InvalidBlockFound(index, state);
            m_observers.BlockChecked(*block, state);
            return false;
        }
        view.Flush();
    }
    m_chainstate->ActiveChain().SetTip(index);
    LogUpdateTip(Params(), *index, CoinsTip());
    if (m_txindex) m_txindex->BlockConnected(*block, *index);
    m_observers.BlockChecked(*block, state);
    m_observers.BlockConnected(block, *index);
    FlushStateToDisk(FlushStateMode::IF_NEEDED);
    return true;
}

bool ChainstateManager::ActivateBestChainStep(BlockValidationState& state, BlockIndex* target, bool& invalid_found)
{
    const BlockIndex* fork = ActiveChain().FindFork(target);
    bool disconnected = false;
    while (ActiveChain().Tip() && ActiveChain().Tip() != fork) {
        BlockIndex* old_tip = ActiveChain().Tip();
        if (!DisconnectTip(state)) return false;
        disconnected = true;
        // It may win again if the other branch turns out invalid.
        TryAddCandidate(old_tip);
    }
    std::vector<BlockIndex*> path;
    for (BlockIndex* p = target; p != fork; p = p->prev) path.push_back(p);
    int connected = 0;
    for (auto it = path.rbegin(); it != path.rend() && connected < MAX_CONNECT_PER_STEP; ++it, ++connected) {
        BlockValidationState block_state;
        if (!ConnectTip(block_state, *it, nullptr)) {
            if (block_state.IsInvalid()) {
                invalid_found = true;
                break;
            }
            state = block_state;
            return false;
        }
    }
    if (disconnected || invalid_found) RebuildCandidates();
    PruneCandidates();
    return true;
}

bool ChainstateManager::ActivateBestChain(BlockValidationState& state)
{
    std::lock_guard lock(m_chain_mutex);
    while (true) {
        BlockIndex* target = FindMostWorkChain();
        BlockIndex* old_tip = ActiveChain().Tip();
        if (!target || target == old_tip) break;
        bool invalid_found = false;
        if (!ActivateBestChainStep(state, target, invalid_found)) return false;
        BlockIndex* new_tip = ActiveChain().Tip();
        if (new_tip != old_tip && new_tip) {
            m_observers.UpdatedBlockTip(*new_tip, LastCommonAncestor(old_tip, new_tip), IsInitialBlockDownload());
        }
    }
    FlushStateToDisk(FlushStateMode::PERIODIC);
    return true;
}

bool ChainstateManager::InvalidateBlock(BlockValidationState& state, BlockIndex* index)
{
    std::lock_guard lock(m_chain_mutex);
    if (!index->prev) return state.Error("the genesis block cannot be invalidated");
    BlockIndex* old_tip = ActiveChain().Tip();
    while (ActiveChain().Contains(index)) {
        BlockIndex* tip = ActiveChain().Tip();
        if (!DisconnectTip(state)) return false;
        if (tip != index) {
            tip->status |= BLOCK_FAILED_CHILD;
            SetDirty(tip);
        }
    }
    MarkBlockFailed(index);
    RebuildCandidates();
    if (ActiveChain().Tip() != old_tip && ActiveChain().Tip()) {
        m_observers.UpdatedBlockTip(*ActiveChain().Tip(), LastCommonAncestor(old_tip, ActiveChain().Tip()),
                                    IsInitialBlockDownload());
    }
    return ActivateBestChain(state);
}

void ChainstateManager::ReconsiderBlock(BlockIndex* index)
{
    std::lock_guard lock(m_chain_mutex);
    for (auto& [hash, entry] : m_blockman->Index()) {
        // The block, its descendants and its ancestors lose their failure marks.
        const bool related = entry.GetAncestor(index->height) == index || index->GetAncestor(entry.height) == &entry;
        if (related && (entry.status & BLOCK_FAILED_MASK)) {
            entry.status &= ~BLOCK_FAILED_MASK;
            SetDirty(&entry);
        }
    }
    m_best_invalid = nullptr;
    RebuildCandidates();
    BlockValidationState state;
    ActivateBestChain(state);
}

bool ChainstateManager::PreciousBlock(BlockValidationState& state, BlockIndex* index)
{
    {
        std::lock_guard lock(m_chain_mutex);
        const BlockIndex* tip = ActiveChain().Tip();
        if (!tip || index->chain_work < tip->chain_work) return true;
        // A new best chain since the last call: precious ids start over.
        if (tip->chain_work > m_last_precious_work) m_next_precious_id = -1;
        m_last_precious_work = tip->chain_work;
        m_candidates.erase(index);
        index->sequence_id = m_next_precious_id--;
        TryAddCandidate(index);
    }
    return ActivateBestChain(state);
}

double GuessVerificationProgress(const ChainParams& params, const BlockIndex* tip)
{
    if (!tip || tip->chain_tx == 0) return 0.0;
    double tx_rate = 0.0;  // regtest: no estimate, a synced chain is complete
    switch (params.GetChainType()) {
    case ChainType::MAIN: tx_rate = 5.0; break;
    case ChainType::TESTNET:
    case ChainType::TESTNET4: tx_rate = 0.5; break;
    case ChainType::SIGNET: tx_rate = 0.1; break;
    case ChainType::REGTEST: break;
    }
    const double behind = std::max<double>(0.0, static_cast<double>(GetTime() - tip->GetBlockTime()));
    const double done = static_cast<double>(tip->chain_tx);
    return std::min(1.0, done / (done + behind * tx_rate));
}
