// ChainstateManager start-up and shut-down: opening the stores, loading the
// block index, -reindex / -reindex-chainstate, repairing an interrupted
// flush, checking the most recent blocks are readable.

#include <kernel/validation.h>

#include <kernel/txindex.h>

#include <algorithm>
#include <map>
#include <stdexcept>

namespace {
// Blocks at the tip whose block and undo data are read back at start.
constexpr int CHECK_BLOCKS_AT_START = 6;
} // namespace

ChainstateManager::ChainstateManager(ChainstateManagerOptions options)
    : m_options(std::move(options)), m_script_queue(std::max(0, m_options.script_threads))
{
    m_last_flush = std::chrono::steady_clock::now();
    m_assumevalid_hash = m_options.assumevalid.value_or(Params().GetConsensus().default_assume_valid);
    std::lock_guard lock(m_chain_mutex);
    LoadChainstate();
}

ChainstateManager::~ChainstateManager()
{
    std::lock_guard lock(m_chain_mutex);
    try {
        FlushStateToDiskInternal(FlushStateMode::FORCE_FLUSH, false);
    } catch (const std::exception&) {
        // Nothing sensible to do while shutting down; the next start repairs.
    }
}

void ChainstateManager::LoadChainstate()
{
    const std::filesystem::path blocks_dir = m_options.datadir / "blocks";
    std::filesystem::create_directories(blocks_dir);
    bool reindex = m_options.reindex;
    const auto open_blocks = [&](bool wipe) {
        m_blockman.reset();
        m_blockman = std::make_unique<BlockManager>(
            blocks_dir, Params(),
            BlockManagerOptions{.prune_target_bytes = m_options.prune_target_bytes,
                                .wipe = wipe,
                                .max_blockfile_size = m_options.max_blockfile_size});
    };
    open_blocks(reindex);
    if (!reindex) {
        m_blockman->LoadBlockIndex();
        // A reindex that was interrupted starts over.
        if (m_blockman->IsReindexing()) {
            reindex = true;
            open_blocks(true);
        }
    }
    const bool wipe_coins = reindex || m_options.reindex_chainstate;
    m_chainstate = std::make_unique<Chainstate>(m_options.datadir / "chainstate", m_options.dbcache_bytes, wipe_coins);
    if (m_options.txindex) {
        m_txindex = std::make_unique<TxIndex>(m_options.datadir / "indexes" / "txindex", wipe_coins);
    }
    if (reindex) {
        Reindex();
    } else {
        SetupLoadedIndex();
    }
    if (m_blockman->Index().empty()) {
        BlockValidationState state;
        auto genesis = std::make_shared<const Block>(Params().GenesisBlock());
        if (!AcceptBlock(genesis, state, nullptr, nullptr)) {
            throw std::runtime_error("cannot store the genesis block: " + state.ToString());
        }
    }
    const std::vector<uint256> heads = m_chainstate->CoinsDB().GetHeadBlocks();
    if (!heads.empty()) RepairInterruptedFlush(heads);

    const uint256 best = CoinsTip().GetBestBlock();
    if (!best.IsNull()) {
        BlockIndex* tip = m_blockman->LookupBlockIndex(best);
        if (!tip) {
            throw std::runtime_error("the chainstate's best block " + best.GetHex() +
                                     " is not in the block index (restart with -reindex)");
        }
        m_chainstate->ActiveChain().SetTip(tip);
    }
    VerifyRecentBlocks();
    RebuildCandidates();
    if (m_txindex) CatchUpTxIndex();
    BlockValidationState state;
    if (!ActivateBestChain(state)) throw std::runtime_error("cannot activate the best chain: " + state.ToString());
    FlushStateToDiskInternal(FlushStateMode::FORCE_FLUSH, false);
}

void ChainstateManager::SetupLoadedIndex()
{
    for (BlockIndex* index : m_blockman->GetAllBlockIndices()) {
        if (index->status & BLOCK_FAILED_MASK) {
            if (!m_best_invalid || index->chain_work > m_best_invalid->chain_work) m_best_invalid = index;
            continue;
        }
        if (!m_best_header || index->chain_work > m_best_header->chain_work) m_best_header = index;
        if ((index->status & BLOCK_HAVE_DATA) && !index->HaveTxsDownloaded() && index->prev) {
            m_unlinked.emplace(index->prev, index);
        }
    }
}

void ChainstateManager::VerifyRecentBlocks()
{
    const Chain& chain = ActiveChain();
    for (int h = chain.Height(); h >= 0 && h > chain.Height() - CHECK_BLOCKS_AT_START; --h) {
        const BlockIndex& index = *chain[h];
        if (!(index.status & BLOCK_HAVE_DATA)) break;  // pruned
        Block block;
        std::string error;
        if (!m_blockman->ReadBlock(block, index, &error)) throw std::runtime_error(error);
        if (index.status & BLOCK_HAVE_UNDO) {
            BlockUndo undo;
            if (!m_blockman->ReadUndo(undo, index, &error)) throw std::runtime_error(error);
            if (undo.vtxundo.size() + 1 != block.vtx.size()) {
                throw std::runtime_error("undo data of block " + index.GetBlockHash().GetHex() + " in " +
                                         m_blockman->UndoFilePath(index.file).string() +
                                         " does not match the block (restart with -reindex)");
            }
        }
    }
}

void ChainstateManager::CatchUpTxIndex()
{
    const Chain& chain = ActiveChain();
    const BlockIndex* from = nullptr;
    if (!m_txindex->BestBlock().IsNull()) {
        if (const BlockIndex* known = m_blockman->LookupBlockIndex(m_txindex->BestBlock())) {
            from = chain.FindFork(known);
        }
    }
    for (int h = from ? from->height + 1 : 0; h <= chain.Height(); ++h) {
        Block block;
        std::string error;
        if (!m_blockman->ReadBlock(block, *chain[h], &error)) throw std::runtime_error(error);
        m_txindex->BlockConnected(block, *chain[h]);
    }
    m_txindex->Commit();
}

void ChainstateManager::Reindex()
{
    m_blockman->SetReindexing(true);
    // Blocks found before their parent wait here, keyed by the parent's hash.
    std::multimap<uint256, std::pair<std::shared_ptr<const Block>, FlatFilePos>> waiting;
    const uint256& genesis_hash = Params().GetConsensus().genesis_hash;
    m_blockman->ImportBlocks([&](const Block& found, const FlatFilePos& pos) {
        std::vector<std::pair<std::shared_ptr<const Block>, FlatFilePos>> ready{
            {std::make_shared<const Block>(found), pos}};
        while (!ready.empty()) {
            auto [block, block_pos] = std::move(ready.back());
            ready.pop_back();
            const uint256 hash = block->GetHash();
            if (hash != genesis_hash && !m_blockman->LookupBlockIndex(block->prev_block)) {
                waiting.emplace(block->prev_block, std::make_pair(block, block_pos));
                continue;
            }
            BlockValidationState state;
            AcceptBlock(block, state, nullptr, nullptr, &block_pos);
            auto [begin, end] = waiting.equal_range(hash);
            for (auto it = begin; it != end; ++it) ready.push_back(it->second);
            waiting.erase(begin, end);
        }
        return true;
    });
    if (!m_blockman->FlushIndex()) throw std::runtime_error("failed to write the block index after reindexing");
    m_blockman->SetReindexing(false);
}

std::optional<std::pair<TransactionRef, uint256>> ChainstateManager::FindTransaction(const uint256& txid) const
{
    std::lock_guard lock(m_chain_mutex);
    if (!m_txindex) return std::nullopt;
    m_txindex->Commit();
    return m_txindex->Find(txid, *m_blockman);
}
