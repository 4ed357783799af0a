// Block acceptance: context-free and contextual checks, storage in the blk
// files, bookkeeping of which blocks can become the tip.

#include <kernel/validation.h>

#include <consensus/block_check.h>
#include <consensus/tx_verify.h>
#include <kernel/txindex.h>
#include <script/interpreter.h>

#include <deque>
#include <vector>

bool CandidateOrder::operator()(const BlockIndex* a, const BlockIndex* b) const
{
    if (a->chain_work != b->chain_work) return a->chain_work < b->chain_work;
    // Equal work: the earlier arrival (lower id) sorts last, i.e. is preferred.
    if (a->sequence_id != b->sequence_id) return a->sequence_id > b->sequence_id;
    return a > b;
}

uint32_t GetBlockScriptFlags(const BlockIndex& index, const ChainParams& params)
{
    const ConsensusParams& consensus = params.GetConsensus();
    // P2SH, segwit and taproot rules hold for every historical block except
    // the network's listed exceptions, so they apply from genesis.
    uint32_t flags = SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS | SCRIPT_VERIFY_TAPROOT;
    if (auto it = consensus.script_flag_exceptions.find(index.GetBlockHash());
        it != consensus.script_flag_exceptions.end()) {
        flags = it->second;
    }
    if (index.height >= consensus.bip66_height) flags |= SCRIPT_VERIFY_DERSIG;
    if (index.height >= consensus.bip65_height) flags |= SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY;
    if (index.height >= consensus.csv_height) flags |= SCRIPT_VERIFY_CHECKSEQUENCEVERIFY;
    if (index.height >= consensus.segwit_height) flags |= SCRIPT_VERIFY_NULLDUMMY;
    return flags;
}

BlockIndex* ChainstateManager::LookupBlockIndex(const uint256& hash)
{
    std::lock_guard lock(m_chain_mutex);
    return m_blockman->LookupBlockIndex(hash);
}

bool ChainstateManager::ContextualCheckBlock(const Block& block, BlockValidationState& state,
                                             const BlockIndex* prev) const
{
    const ConsensusParams& consensus = Params().GetConsensus();
    const int height = prev ? prev->height + 1 : 0;
    // BIP113: lock times compare against the parent's median time past once CSV is active.
    const int64_t cutoff =
        (height >= consensus.csv_height && prev) ? prev->GetMedianTimePast() : block.GetBlockTime();
    if (!CheckBlockFinality(block, height, cutoff, state)) return false;
    if (height >= consensus.bip34_height && height > 0 && !CheckCoinbaseHeight(block, height, state)) return false;
    if (!CheckWitnessCommitment(block, state, height >= consensus.segwit_height)) return false;
    return CheckBlockWeight(block, state);
}

void ChainstateManager::MarkBlockFailed(BlockIndex* index)
{
    index->status |= BLOCK_FAILED_VALID;
    SetDirty(index);
    m_candidates.erase(index);
    if (!m_best_invalid || index->chain_work > m_best_invalid->chain_work) m_best_invalid = index;
    // Descendants: a failed ancestor makes them unusable.
    for (auto& [hash, entry] : m_blockman->Index()) {
        if (entry.height > index->height && entry.GetAncestor(index->height) == index &&
            !(entry.status & BLOCK_FAILED_MASK)) {
            entry.status |= BLOCK_FAILED_CHILD;
            SetDirty(&entry);
            m_candidates.erase(&entry);
        }
    }
}

void ChainstateManager::ReceivedBlockTransactions(const Block& block, BlockIndex& index, const FlatFilePos& pos)
{
    m_blockman->ReceivedBlockData(index, pos, static_cast<unsigned>(block.vtx.size()));
    if (index.height >= Params().GetConsensus().segwit_height) index.status |= BLOCK_OPT_WITNESS;
    index.RaiseValidity(BLOCK_VALID_TRANSACTIONS);
    SetDirty(&index);
    if (index.prev && !index.prev->HaveTxsDownloaded()) {
        m_unlinked.emplace(index.prev, &index);
        return;
    }
    // This block and every waiting descendant now have all their ancestors' data.
    std::deque<BlockIndex*> queue{&index};
    while (!queue.empty()) {
        BlockIndex* b = queue.front();
        queue.pop_front();
        b->chain_tx = (b->prev ? b->prev->chain_tx : 0) + b->tx_count;
        b->sequence_id = m_next_sequence_id++;
        TryAddCandidate(b);
        auto [begin, end] = m_unlinked.equal_range(b);
        for (auto it = begin; it != end; ++it) queue.push_back(it->second);
        m_unlinked.erase(begin, end);
    }
}

bool ChainstateManager::AcceptBlock(const std::shared_ptr<const Block>& block, BlockValidationState& state,
                                    BlockIndex** out, bool* new_block, const FlatFilePos* known_pos)
{
    if (new_block) *new_block = false;
    BlockIndex* index = nullptr;
    if (!AcceptBlockHeader(block->GetHeader(), state, &index)) return false;
    if (out) *out = index;
    if (index->status & BLOCK_HAVE_DATA) return true;

    if (!CheckBlock(*block, state, Params().GetConsensus().pow_limit) ||
        !ContextualCheckBlock(*block, state, index->prev)) {
        // A mutated block says nothing about the header: the right
        // transactions may still come.
        if (state.IsInvalid() && state.GetBlockResult() != BlockValidationResult::MUTATED) MarkBlockFailed(index);
        return false;
    }
    FlatFilePos pos;
    if (known_pos) {
        pos = *known_pos;
        m_blockman->NoteBlockInFile(pos, index->height, block->time);
    } else {
        pos = m_blockman->WriteBlock(*block, index->height);
        if (pos.IsNull()) return state.Error("failed to write block to disk");
    }
    ReceivedBlockTransactions(*block, *index, pos);
    if (new_block) *new_block = true;
    return true;
}

bool ChainstateManager::ProcessNewBlock(const std::shared_ptr<const Block>& block, bool force_processing,
                                        bool* new_block, BlockValidationState* out_state)
{
    (void)force_processing;  // every valid block is stored (no anti-DoS policy at this layer)
    std::lock_guard lock(m_chain_mutex);
    BlockValidationState state;
    BlockIndex* index = nullptr;
    if (!AcceptBlock(block, state, &index, new_block)) {
        if (out_state) *out_state = state;
        BlockValidationState checked = state;
        m_observers.BlockChecked(*block, checked);
        return false;
    }
    m_last_connect_failure = {nullptr, {}};
    BlockValidationState activate_state;
    const bool ok = ActivateBestChain(activate_state);
    if (m_last_connect_failure.first == index) {
        if (out_state) *out_state = m_last_connect_failure.second;
        return false;
    }
    if (!ok) {
        if (out_state) *out_state = activate_state;
        return false;
    }
    return true;
}

bool ChainstateManager::TestBlockValidity(BlockValidationState& state, const Block& block, BlockIndex* prev,
                                          bool check_pow, bool check_merkle)
{
    std::lock_guard lock(m_chain_mutex);
    if (prev != ActiveChain().Tip()) return state.Invalid(BlockValidationResult::INVALID_PREV, "bad-prevblk");
    if (!ContextualCheckBlockHeader(block, state, *prev)) return false;
    if (!CheckBlock(block, state, Params().GetConsensus().pow_limit, check_pow, check_merkle)) return false;
    if (!ContextualCheckBlock(block, state, prev)) return false;
    const uint256 hash = block.GetHash();
    BlockIndex scratch(block.GetHeader());
    scratch.phash = &hash;
    scratch.prev = prev;
    scratch.height = prev->height + 1;
    // Coins the check pulls into the tip cache are dropped again when the
    // block is invalid (as a mempool test does with a rejected transaction),
    // so a stream of bad proposals cannot fill the cache.
    CoinsViewCache& tip = CoinsTip();
    std::vector<OutPoint> pulled;
    for (const TransactionRef& tx : block.vtx) {
        if (tx->IsCoinBase()) continue;
        for (const TxIn& in : tx->vin) {
            if (!tip.HaveCoinInCache(in.prevout)) pulled.push_back(in.prevout);
        }
    }
    CoinsViewCache view(&tip);
    if (ConnectBlock(block, state, &scratch, view, /*just_check=*/true)) return true;
    for (const OutPoint& outpoint : pulled) tip.Uncache(outpoint);
    return false;
}

arith_uint256 ChainstateManager::MinimumChainWork() const
{
    return UintToArith256(m_options.minimum_chain_work.value_or(Params().GetConsensus().minimum_chain_work));
}

bool ChainstateManager::IsInitialBlockDownload() const
{
    std::lock_guard lock(m_chain_mutex);
    if (m_ibd_latched) return false;
    const BlockIndex* tip = ActiveChain().Tip();
    if (!tip) return true;
    if (tip->chain_work < MinimumChainWork()) return true;
    const int64_t now = AdjustedTime();
    if (tip->GetBlockTime() < now - 24 * 60 * 60) return true;
    m_ibd_latched = true;
    return false;
}
