// Writing state to disk: block index first, then the coins (whose own
// head-blocks marker makes an interrupted write detectable), and repairing
// an interrupted write at start by replaying blocks.

#include <kernel/validation.h>

#include <kernel/txindex.h>
#include <util/logging.h>
#include <util/trace.h>

#include <chrono>
#include <stdexcept>
#include <vector>

void ChainstateManager::FatalDiskError(const std::string& what) const
{
    throw std::runtime_error(what + " (restart with -reindex to rebuild from the block files)");
}

namespace {
const char* FlushModeName(FlushStateMode mode)
{
    switch (mode) {
    case FlushStateMode::NONE: return "NONE";
    case FlushStateMode::IF_NEEDED: return "IF_NEEDED";
    case FlushStateMode::PERIODIC: return "PERIODIC";
    case FlushStateMode::FORCE_FLUSH: return "FORCE_FLUSH";
    case FlushStateMode::FORCE_SYNC: return "FORCE_SYNC";
    }
    return "?";
}
} // namespace

void ChainstateManager::FlushStateToDisk(FlushStateMode mode)
{
    std::lock_guard lock(m_chain_mutex);
    if (!FlushStateToDiskInternal(mode, false)) FatalDiskError("failed to write the block index or chainstate");
}

bool ChainstateManager::FlushStateToDiskInternal(FlushStateMode mode, bool flush_for_prune)
{
    if (mode == FlushStateMode::NONE) return true;
    CoinsViewCache& coins = CoinsTip();
    const size_t memory = coins.DynamicMemoryUsage();
    const bool over_limit = memory > m_chainstate->CoinsCacheLimit();
    const auto now = std::chrono::steady_clock::now();
    const bool periodic_due = now - m_last_flush >= m_options.periodic_flush_interval;
    const bool forced = mode == FlushStateMode::FORCE_FLUSH || mode == FlushStateMode::FORCE_SYNC;

    // Automatic pruning (-prune=N): checked on every call, so block files go
    // as soon as the blk/rev files pass the target and a file lies wholly
    // below the last MIN_BLOCKS_TO_KEEP blocks. The coins are written first:
    // a crash must never need to replay a block whose file is gone.
    std::set<int> pruned;
    if (m_blockman->IsPruneMode() && !m_blockman->IsManualPruneOnly() && ActiveChain().Tip()) {
        pruned = m_blockman->FindFilesToPrune(ActiveChain().Height());
        flush_for_prune = flush_for_prune || !pruned.empty();
    }
    const bool do_flush = forced || flush_for_prune || over_limit ||
                          (mode == FlushStateMode::PERIODIC && periodic_due);
    if (!do_flush) return true;

    LogDebug(LogCategory::COINDB, "Writing chainstate to disk: flush mode={}, prune={:d}, large={:d}, critical={:d}, periodic={:d}",
             FlushModeName(mode), flush_for_prune, over_limit, over_limit && mode == FlushStateMode::IF_NEEDED,
             mode == FlushStateMode::PERIODIC && periodic_due);
    const auto start = std::chrono::steady_clock::now();
    const uint64_t coins_before = coins.GetCacheSize();
    // The index first: coins that reference a block the index does not know
    // could not be repaired after a crash.
    if (!m_blockman->FlushIndex()) return false;
    // Keep the cache warm unless it is too big or we were asked to empty it.
    // A flush only for pruning keeps it warm too.
    const bool keep = mode == FlushStateMode::FORCE_SYNC ||
                      (!over_limit && (mode == FlushStateMode::PERIODIC ||
                                       (flush_for_prune && mode == FlushStateMode::IF_NEEDED)));
    const bool ok = keep ? coins.Sync() : coins.Flush();
    if (!ok) return false;
    if (m_txindex) m_txindex->Commit();
    if (!pruned.empty()) m_blockman->PruneAuto(ActiveChain().Height());
    m_last_flush = std::chrono::steady_clock::now();

    const int64_t duration_us =
        std::chrono::duration_cast<std::chrono::microseconds>(m_last_flush - start).count();
    const uint32_t mode_number = static_cast<uint32_t>(mode);
    const uint64_t memory_bytes = memory;
    const bool for_prune = flush_for_prune;
    TRACEPOINT(utxocache, flush, duration_us, mode_number, coins_before, memory_bytes, for_prune);
    return true;
}

void ChainstateManager::PruneBlockFilesManual(int height)
{
    std::lock_guard lock(m_chain_mutex);
    if (!m_blockman->IsPruneMode()) return;
    // Coins must not reference undo data about to disappear: flush first.
    FlushStateToDiskInternal(FlushStateMode::FORCE_FLUSH, true);
    m_blockman->PruneToHeight(height, ActiveChain().Height());
}

void ChainstateManager::RollbackBlockIdempotent(const Block& block, const BlockIndex& index, CoinsViewCache& view)
{
    // An unclean result is expected here: part of the block's effect may
    // never have reached the database.
    if (DisconnectBlock(block, index, view) == DisconnectResult::FAILED) {
        std::string error;
        BlockUndo undo;
        m_blockman->ReadUndo(undo, index, &error);
        FatalDiskError("cannot roll back block " + index.GetBlockHash().GetHex() + " while repairing the chainstate" +
                       (error.empty() ? std::string() : ": " + error));
    }
}

void ChainstateManager::RepairInterruptedFlush(const std::vector<uint256>& heads)
{
    BlockIndex* target = m_blockman->LookupBlockIndex(heads[0]);
    if (!target) FatalDiskError("chainstate names unknown block " + heads[0].GetHex() + " after an interrupted flush");
    BlockIndex* old = nullptr;
    if (heads.size() > 1 && !heads[1].IsNull()) {
        old = m_blockman->LookupBlockIndex(heads[1]);
        if (!old) FatalDiskError("chainstate names unknown block " + heads[1].GetHex() + " after an interrupted flush");
    }
    const BlockIndex* fork = old ? LastCommonAncestor(old, target) : nullptr;
    CoinsViewCache cache(&m_chainstate->CoinsDB());
    Block block;
    std::string error;
    for (BlockIndex* p = old; p && p != fork; p = p->prev) {
        if (!m_blockman->ReadBlock(block, *p, &error)) FatalDiskError(error);
        RollbackBlockIdempotent(block, *p, cache);
    }
    std::vector<BlockIndex*> forward;
    for (BlockIndex* p = target; p && p != fork; p = p->prev) forward.push_back(p);
    for (auto it = forward.rbegin(); it != forward.rend(); ++it) {
        if (!m_blockman->ReadBlock(block, **it, &error)) FatalDiskError(error);
        ApplyBlockIdempotent(block, **it, cache);
    }
    cache.SetBestBlock(target->GetBlockHash());
    if (!cache.Flush()) FatalDiskError("failed to write the repaired chainstate");
}
