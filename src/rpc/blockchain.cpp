// Blockchain RPC methods: the chain, blocks, headers, the UTXO set, chain
// maintenance (invalidate / reconsider / precious / prune) and waiting for
// new blocks. Same names, arguments, result fields and errors as Bitcoin Core.

#include <rpc/blockchain.h>

#include <consensus/amount.h>
#include <consensus/block_check.h>
#include <consensus/consensus.h>
#include <consensus/subsidy.h>
#include <consensus/validation.h>
#include <kernel/block_index.h>
#include <kernel/coins.h>
#include <kernel/coins_db.h>
#include <kernel/notifications.h>
#include <kernel/validation.h>
#include <node/context.h>
#include <rpc/core_json.h>
#include <rpc/muhash.h>
#include <rpc/server.h>
#include <rpc/util.h>
#include <serialize.h>
#include <streams.h>
#include <util/logging.h>
#include <util/shutdown.h>
#include <util/strencodings.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace {

using Lock = std::lock_guard<std::recursive_mutex>;

// ---- lookups and disk reads ------------------------------------------------

BlockIndex& LookupBlockOrThrow(ChainstateManager& chainman, const uint256& hash)
{
    BlockIndex* index = chainman.LookupBlockIndex(hash);
    if (!index) throw RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
    return *index;
}

bool IsBlockPruned(ChainstateManager& chainman, const BlockIndex& index)
{
    return chainman.Blocks().HavePruned() && !(index.status & BLOCK_HAVE_DATA) && index.tx_count > 0;
}

// Caller holds the chain lock.
Block ReadBlockChecked(ChainstateManager& chainman, const BlockIndex& index)
{
    if (IsBlockPruned(chainman, index)) throw RPCError(RPC_MISC_ERROR, "Block not available (pruned data)");
    if (!(index.status & BLOCK_HAVE_DATA)) {
        throw RPCError(RPC_MISC_ERROR, "Block not available (not fully downloaded)");
    }
    Block block;
    if (!chainman.Blocks().ReadBlock(block, index)) throw RPCError(RPC_MISC_ERROR, "Block not found on disk");
    return block;
}

std::vector<unsigned char> ReadRawBlockChecked(ChainstateManager& chainman, const BlockIndex& index)
{
    if (IsBlockPruned(chainman, index)) throw RPCError(RPC_MISC_ERROR, "Block not available (pruned data)");
    if (!(index.status & BLOCK_HAVE_DATA)) {
        throw RPCError(RPC_MISC_ERROR, "Block not available (not fully downloaded)");
    }
    std::vector<unsigned char> raw;
    if (!chainman.Blocks().ReadRawBlock(raw, FlatFilePos{index.file, index.data_pos})) {
        throw RPCError(RPC_MISC_ERROR, "Block not found on disk");
    }
    return raw;
}

// The genesis block has no undo data (it spends nothing).
BlockUndo ReadUndoChecked(ChainstateManager& chainman, const BlockIndex& index)
{
    BlockUndo undo;
    if (index.height == 0) return undo;
    if (IsBlockPruned(chainman, index)) throw RPCError(RPC_MISC_ERROR, "Undo data not available (pruned data)");
    if (!chainman.Blocks().ReadUndo(undo, index)) throw RPCError(RPC_MISC_ERROR, "Can't read undo data from disk");
    return undo;
}

std::optional<BlockUndo> ReadUndoIfAvailable(ChainstateManager& chainman, const BlockIndex& index)
{
    if (index.height == 0 || !(index.status & BLOCK_HAVE_UNDO)) return std::nullopt;
    BlockUndo undo;
    if (!chainman.Blocks().ReadUndo(undo, index)) return std::nullopt;
    return undo;
}

// A block by height (a number) or hash (a string), as getblockstats takes it.
const BlockIndex& ParseHashOrHeight(const Json& param, ChainstateManager& chainman)
{
    const Chain& chain = chainman.ActiveChain();
    if (param.is_number()) {
        RPCRequest tmp;
        tmp.params = Json::array({param});
        const int64_t height = ParamInt(tmp, 0, 0);
        if (height < 0) throw RPCError(RPC_INVALID_PARAMETER, fmt::format("Target block height {} is negative", height));
        if (height > chain.Height()) {
            throw RPCError(RPC_INVALID_PARAMETER,
                           fmt::format("Target block height {} after current tip {}", height, chain.Height()));
        }
        return *chain[static_cast<int>(height)];
    }
    return LookupBlockOrThrow(chainman, ParseHashV(param, "hash_or_height"));
}

Json TipJson(const BlockIndex* tip)
{
    Json out = Json::object();
    out["hash"] = tip ? tip->GetBlockHash().GetHex() : uint256{}.GetHex();
    out["height"] = tip ? tip->height : -1;
    return out;
}

// ---- waiting for the tip ---------------------------------------------------

// Wakes waiting RPC calls when the tip changes. Registered with the chainstate
// manager at the first wait, never freed (a static could be destroyed while a
// chainstate manager still points at it during shutdown).
class TipWatcher : public ValidationObserver {
public:
    void UpdatedBlockTip(const BlockIndex&, const BlockIndex*, bool) override
    {
        {
            std::lock_guard lock(m_mutex);
            ++m_changes;
        }
        m_cv.notify_all();
    }

    // Waits until `done(tip)` holds, the deadline passes or shutdown is
    // requested; returns the tip then. Checks the chain itself every 100 ms
    // too, so a missed notification costs at most that.
    template <typename Pred>
    Json Wait(ChainstateManager& chainman, std::optional<std::chrono::steady_clock::time_point> deadline, Pred done)
    {
        while (true) {
            uint64_t seen;
            {
                std::lock_guard lock(m_mutex);
                seen = m_changes;
            }
            const BlockIndex* tip;
            {
                Lock chain_lock(chainman.ChainLock());
                tip = chainman.ActiveChain().Tip();
                if (done(tip)) return TipJson(tip);
            }
            const auto now = std::chrono::steady_clock::now();
            if (ShutdownRequested() || (deadline && now >= *deadline)) {
                Lock chain_lock(chainman.ChainLock());
                return TipJson(chainman.ActiveChain().Tip());
            }
            auto until = now + std::chrono::milliseconds(100);
            if (deadline && *deadline < until) until = *deadline;
            std::unique_lock lock(m_mutex);
            m_cv.wait_until(lock, until, [&] { return m_changes != seen; });
        }
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    uint64_t m_changes = 0;
};

TipWatcher& GetTipWatcher(ChainstateManager& chainman)
{
    static std::mutex registration_mutex;
    static TipWatcher* watcher = new TipWatcher();
    static ChainstateManager* registered_with = nullptr;
    std::lock_guard lock(registration_mutex);
    if (registered_with != &chainman) {
        chainman.RegisterObserver(watcher);
        registered_with = &chainman;
    }
    return *watcher;
}

std::optional<std::chrono::steady_clock::time_point> TimeoutParam(const RPCRequest& request, size_t i)
{
    const int64_t timeout = ParamInt(request, i, 0);
    if (timeout < 0) throw RPCError(RPC_MISC_ERROR, "Negative timeout");
    if (timeout == 0) return std::nullopt;
    return std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout);
}

// ---- chain information ------------------------------------------------------

// Height of the last block (above genesis) whose data or undo data is gone,
// nullopt when nothing was pruned.
std::optional<int> GetPruneHeight(const Chain& chain)
{
    const BlockIndex* first = chain[1];
    const BlockIndex* tip = chain.Tip();
    if (!first || !tip) return std::nullopt;
    const auto complete = [](const BlockIndex* b) { return (b->status & BLOCK_HAVE_MASK) == BLOCK_HAVE_MASK; };
    if (!complete(tip)) return tip->height;
    const BlockIndex* lowest = tip;
    while (lowest != first && complete(lowest->prev)) lowest = lowest->prev;
    if (lowest == first) return std::nullopt;
    return lowest->prev->height;
}

Json GetBlockchainInfo(const RPCRequest& request)
{
    return BlockchainInfoJson(EnsureChainman(request));
}

} // namespace

Json BlockchainInfoJson(ChainstateManager& chainman)
{
    Lock lock(chainman.ChainLock());
    const Chain& chain = chainman.ActiveChain();
    const BlockIndex* tip = chain.Tip();
    const ChainParams& params = chainman.Params();
    const uint256& pow_limit = params.GetConsensus().pow_limit;
    BlockManager& blocks = chainman.Blocks();

    Json out = Json::object();
    out["chain"] = ChainTypeToString(params.GetChainType());
    out["blocks"] = chain.Height();
    out["headers"] = chainman.BestHeader() ? chainman.BestHeader()->height : -1;
    out["bestblockhash"] = tip->GetBlockHash().GetHex();
    out["bits"] = fmt::format("{:08x}", tip->bits);
    out["target"] = TargetHex(tip->bits, pow_limit);
    out["difficulty"] = GetDifficulty(tip->bits);
    out["time"] = tip->GetBlockTime();
    out["mediantime"] = tip->GetMedianTimePast();
    out["verificationprogress"] = GuessVerificationProgress(params, tip);
    out["initialblockdownload"] = chainman.IsInitialBlockDownload();
    out["chainwork"] = tip->chain_work.GetHex();
    out["size_on_disk"] = blocks.CalculateCurrentUsage();
    out["pruned"] = blocks.IsPruneMode();
    if (blocks.IsPruneMode()) {
        const auto prune_height = GetPruneHeight(chain);
        out["pruneheight"] = prune_height ? *prune_height + 1 : 0;
        const bool automatic = !blocks.IsManualPruneOnly();
        out["automatic_pruning"] = automatic;
        if (automatic) out["prune_target_size"] = blocks.PruneTarget();
    }
    if (params.GetChainType() == ChainType::SIGNET) {
        out["signet_challenge"] = HexStr(params.GetConsensus().signet_challenge);
    }
    out["warnings"] = Json::array();
    return out;
}

namespace {

Json GetBlockCount(const RPCRequest& request)
{
    ChainstateManager& chainman = EnsureChainman(request);
    Lock lock(chainman.ChainLock());
    return chainman.ActiveChain().Height();
}

Json GetBestBlockHash(const RPCRequest& request)
{
    ChainstateManager& chainman = EnsureChainman(request);
    Lock lock(chainman.ChainLock());
    return chainman.ActiveChain().Tip()->GetBlockHash().GetHex();
}

Json GetBlockHash(const RPCRequest& request)
{
    ChainstateManager& chainman = EnsureChainman(request);
    const int64_t height = ParamInt(request, 0, 0);
    Lock lock(chainman.ChainLock());
    const Chain& chain = chainman.ActiveChain();
    if (height < 0 || height > chain.Height()) throw RPCError(RPC_INVALID_PARAMETER, "Block height out of range");
    return chain[static_cast<int>(height)]->GetBlockHash().GetHex();
}

Json GetBlockHeader(const RPCRequest& request)
{
    ChainstateManager& chainman = EnsureChainman(request);
    const uint256 hash = ParseHashV(request.Param(0), "hash");
    const bool verbose = ParamBool(request, 1, true);
    Lock lock(chainman.ChainLock());
    const BlockIndex& index = LookupBlockOrThrow(chainman, hash);
    if (!verbose) {
        DataStream s;
        s << index.GetBlockHeader();
        return HexStr(s.unread());
    }
    return BlockHeaderToJson(chainman.ActiveChain(), index, chainman.Params().GetConsensus().pow_limit);
}

// getblock's verbosity: a number, or true/false for 1/0.
int ParseVerbosity(const Json& value, int default_value)
{
    if (value.is_null()) return default_value;
    if (value.is_boolean()) return value.get<bool>() ? 1 : 0;
    RPCRequest tmp;
    tmp.params = Json::array({value});
    return static_cast<int>(std::clamp<int64_t>(ParamInt(tmp, 0, default_value), -1, 1000));
}

Json GetBlock(const RPCRequest& request)
{
    ChainstateManager& chainman = EnsureChainman(request);
    const uint256 hash = ParseHashV(request.Param(0), "blockhash");
    const int verbosity = ParseVerbosity(request.Param(1), 1);
    Lock lock(chainman.ChainLock());
    const BlockIndex& index = LookupBlockOrThrow(chainman, hash);
    if (verbosity <= 0) return HexStr(ReadRawBlockChecked(chainman, index));

    const Block block = ReadBlockChecked(chainman, index);
    TxVerbosity tx_verbosity = TxVerbosity::SHOW_TXID;
    if (verbosity == 2) tx_verbosity = TxVerbosity::SHOW_DETAILS;
    if (verbosity >= 3) tx_verbosity = TxVerbosity::SHOW_DETAILS_AND_PREVOUT;
    std::optional<BlockUndo> undo;
    if (tx_verbosity != TxVerbosity::SHOW_TXID && !IsBlockPruned(chainman, index)) {
        undo = ReadUndoIfAvailable(chainman, index);
    }
    return BlockToJson(block, chainman.ActiveChain(), index, chainman.Params().Address(),
                       chainman.Params().GetConsensus().pow_limit, tx_verbosity, undo ? &*undo : nullptr);
}

Json GetChainTips(const RPCRequest& request)
{
    ChainstateManager& chainman = EnsureChainman(request);
    Lock lock(chainman.ChainLock());
    const Chain& chain = chainman.ActiveChain();

    // Tips: blocks off the active chain that nothing builds on, and the active tip.
    std::set<const BlockIndex*> off_chain;
    std::set<const BlockIndex*> parents;
    for (const auto& [hash, entry] : chainman.Blocks().Index()) {
        if (chain.Contains(&entry)) continue;
        off_chain.insert(&entry);
        if (entry.prev) parents.insert(entry.prev);
    }
    std::vector<const BlockIndex*> tips;
    for (const BlockIndex* block : off_chain) {
        if (!parents.count(block)) tips.push_back(block);
    }
    if (chain.Tip()) tips.push_back(chain.Tip());
    std::sort(tips.begin(), tips.end(), [](const BlockIndex* a, const BlockIndex* b) {
        if (a->height != b->height) return a->height > b->height;
        return a->GetBlockHash() < b->GetBlockHash();
    });

    Json out = Json::array();
    for (const BlockIndex* block : tips) {
        Json tip = Json::object();
        tip["height"] = block->height;
        tip["hash"] = block->GetBlockHash().GetHex();
        const BlockIndex* fork = chain.FindFork(block);
        tip["branchlen"] = block->height - (fork ? fork->height : -1);
        std::string status;
        if (chain.Contains(block)) {
            status = "active";
        } else if (block->status & BLOCK_FAILED_MASK) {
            status = "invalid";
        } else if (!block->HaveTxsDownloaded()) {
            status = "headers-only";
        } else if (block->IsValid(BLOCK_VALID_SCRIPTS)) {
            status = "valid-fork";
        } else if (block->IsValid(BLOCK_VALID_TREE)) {
            status = "valid-headers";
        } else {
            status = "unknown";
        }
        tip["status"] = status;
        out.push_back(std::move(tip));
    }
    return out;
}

Json GetDifficultyRpc(const RPCRequest& request)
{
    ChainstateManager& chainman = EnsureChainman(request);
    Lock lock(chainman.ChainLock());
    return GetDifficulty(chainman.ActiveChain().Tip()->bits);
}

// ---- the UTXO set -------------------------------------------------------------

Json GetTxOut(const RPCRequest& request)
{
    ChainstateManager& chainman = EnsureChainman(request);
    const uint256 txid = ParseHashV(request.Param(0), "txid");
    const int64_t n = ParamInt(request, 1, 0);
    ParamBool(request, 2, true);  // include_mempool: there is no mempool yet
    if (n < 0 || n > 0xffffffffLL) return nullptr;
    Lock lock(chainman.ChainLock());
    const std::optional<Coin> coin = chainman.CoinsTip().GetCoin(OutPoint{txid, static_cast<uint32_t>(n)});
    if (!coin || coin->IsSpent()) return nullptr;
    const BlockIndex* tip = chainman.ActiveChain().Tip();
    Json out = Json::object();
    out["bestblock"] = tip->GetBlockHash().GetHex();
    out["confirmations"] = tip->height - static_cast<int64_t>(coin->height) + 1;
    out["value"] = ValueFromAmount(coin->out.value);
    out["scriptPubKey"] = ScriptPubKeyToJson(coin->out.script_pubkey, chainman.Params().Address());
    out["coinbase"] = coin->coinbase;
    return out;
}

Json GetTxOutSetInfo(const RPCRequest& request)
{
    ChainstateManager& chainman = EnsureChainman(request);
    const std::string hash_name = ParamString(request, 0, "hash_serialized_3");
    UtxoHashType hash_type;
    if (hash_name == "hash_serialized_3") {
        hash_type = UtxoHashType::HASH_SERIALIZED;
    } else if (hash_name == "muhash") {
        hash_type = UtxoHashType::MUHASH;
    } else if (hash_name == "none") {
        hash_type = UtxoHashType::NONE;
    } else {
        throw RPCError(RPC_INVALID_PARAMETER, fmt::format("'{}' is not a valid hash_type", hash_name));
    }
    ParamBool(request, 2, true);
    if (!request.Param(1).is_null()) {
        throw RPCError(RPC_INVALID_PARAMETER, "Querying specific block heights requires coinstatsindex");
    }
    Lock lock(chainman.ChainLock());
    // The statistics come from the database: write the cache out first.
    chainman.FlushStateToDisk(FlushStateMode::FORCE_FLUSH);
    const UtxoSetStats stats = ComputeUtxoSetStats(chainman.GetChainstate().CoinsDB(), hash_type);
    const BlockIndex* best = chainman.LookupBlockIndex(stats.best_block);
    Json out = Json::object();
    out["height"] = best ? best->height : -1;
    out["bestblock"] = stats.best_block.GetHex();
    out["txouts"] = stats.txouts;
    out["bogosize"] = stats.bogosize;
    if (hash_type == UtxoHashType::HASH_SERIALIZED) out["hash_serialized_3"] = stats.hash.GetHex();
    if (hash_type == UtxoHashType::MUHASH) out["muhash"] = stats.hash.GetHex();
    out["transactions"] = stats.transactions;
    out["disk_size"] = chainman.GetChainstate().CoinsDB().EstimateSize();
    out["total_amount"] = ValueFromAmount(stats.total_amount);
    return out;
}

// ---- verifychain ----------------------------------------------------------------

// Coins as they would be with blocks disconnected from the tip, kept apart
// from the node's cache (nothing here may change it).
class DisconnectOverlay {
public:
    explicit DisconnectOverlay(CoinsViewCache& base) : m_base(base) {}

    std::optional<Coin> Get(const OutPoint& outpoint) const
    {
        auto it = m_changes.find(outpoint);
        if (it != m_changes.end()) return it->second;
        return m_base.GetCoin(outpoint);
    }
    void Set(const OutPoint& outpoint, std::optional<Coin> coin) { m_changes[outpoint] = std::move(coin); }

    // Undoes the block: its outputs must be unspent and match, its inputs
    // come back from the undo data. False when the coins do not fit.
    bool Disconnect(const Block& block, const BlockIndex& index, const BlockUndo& undo)
    {
        if (undo.vtxundo.size() + 1 != block.vtx.size()) return false;
        bool clean = true;
        for (size_t t = block.vtx.size(); t-- > 0;) {
            const Transaction& tx = *block.vtx[t];
            for (uint32_t n = 0; n < tx.vout.size(); ++n) {
                if (tx.vout[n].script_pubkey.IsUnspendable()) continue;
                const OutPoint outpoint{tx.GetHash(), n};
                const std::optional<Coin> coin = Get(outpoint);
                if (!coin || coin->IsSpent() || coin->out != tx.vout[n] ||
                    coin->height != static_cast<uint32_t>(index.height) || coin->coinbase != tx.IsCoinBase()) {
                    clean = false;
                }
                Set(outpoint, std::nullopt);
            }
            if (t == 0) continue;
            const TxUndo& tx_undo = undo.vtxundo[t - 1];
            if (tx_undo.prevout.size() != tx.vin.size()) return false;
            for (size_t i = tx.vin.size(); i-- > 0;) {
                const std::optional<Coin> existing = Get(tx.vin[i].prevout);
                if (existing && !existing->IsSpent()) clean = false;
                Set(tx.vin[i].prevout, tx_undo.prevout[i]);
            }
        }
        return clean;
    }

private:
    CoinsViewCache& m_base;
    std::map<OutPoint, std::optional<Coin>> m_changes;
};

// Caller holds the chain lock. Level 0 reads the blocks, 1 checks them, 2
// reads their undo data, 3 (and 4) also disconnects them on a scratch copy
// of the coins to check that undo data and coins fit together.
bool VerifyChain(ChainstateManager& chainman, int level, int depth)
{
    const Chain& chain = chainman.ActiveChain();
    const BlockIndex* tip = chain.Tip();
    if (!tip || !tip->prev) return true;
    level = std::clamp(level, 0, 4);
    if (depth <= 0 || depth > chain.Height()) depth = chain.Height();
    LogInfo("Verifying last {} blocks at level {}", depth, level);
    DisconnectOverlay overlay(chainman.CoinsTip());
    const uint256& pow_limit = chainman.Params().GetConsensus().pow_limit;
    for (const BlockIndex* index = tip; index && index->prev; index = index->prev) {
        if (index->height <= tip->height - depth) break;
        if (!(index->status & BLOCK_HAVE_DATA)) {
            LogInfo("Block verification stopping at height {} (no data)", index->height);
            return false;
        }
        Block block;
        std::string error;
        if (!chainman.Blocks().ReadBlock(block, *index, &error)) {
            LogError("Verification error: ReadBlock failed at {}: {}", index->height, error);
            return false;
        }
        BlockValidationState state;
        if (level >= 1 && !CheckBlock(block, state, pow_limit)) {
            LogError("Verification error: found bad block at {}: {}", index->height, state.ToString());
            return false;
        }
        if (level >= 2) {
            BlockUndo undo;
            if (!chainman.Blocks().ReadUndo(undo, *index, &error)) {
                LogError("Verification error: found bad undo data at {}: {}", index->height, error);
                return false;
            }
            if (level >= 3 && !overlay.Disconnect(block, *index, undo)) {
                LogError("Verification error: coins and undo data of block {} do not fit", index->height);
                return false;
            }
        }
        if (ShutdownRequested()) return true;
    }
    LogInfo("Verification: No coin database inconsistencies in last {} blocks", depth);
    return true;
}

Json VerifyChainRpc(const RPCRequest& request)
{
    ChainstateManager& chainman = EnsureChainman(request);
    const int64_t level = ParamInt(request, 0, 3);
    const int64_t depth = ParamInt(request, 1, 6);
    Lock lock(chainman.ChainLock());
    return VerifyChain(chainman, static_cast<int>(std::clamp<int64_t>(level, -1, 5)),
                       static_cast<int>(std::clamp<int64_t>(depth, -1, 1 << 30)));
}

// ---- chain maintenance ------------------------------------------------------------

Json InvalidateBlockRpc(const RPCRequest& request)
{
    ChainstateManager& chainman = EnsureChainman(request);
    const uint256 hash = ParseHashV(request.Param(0), "blockhash");
    BlockIndex& index = LookupBlockOrThrow(chainman, hash);
    BlockValidationState state;
    chainman.InvalidateBlock(state, &index);
    if (state.IsValid()) chainman.ActivateBestChain(state);
    if (!state.IsValid()) throw RPCError(RPC_DATABASE_ERROR, state.ToString());
    return nullptr;
}

Json ReconsiderBlockRpc(const RPCRequest& request)
{
    ChainstateManager& chainman = EnsureChainman(request);
    const uint256 hash = ParseHashV(request.Param(0), "blockhash");
    BlockIndex& index = LookupBlockOrThrow(chainman, hash);
    chainman.ReconsiderBlock(&index);
    BlockValidationState state;
    chainman.ActivateBestChain(state);
    if (!state.IsValid()) throw RPCError(RPC_DATABASE_ERROR, state.ToString());
    return nullptr;
}

Json PreciousBlockRpc(const RPCRequest& request)
{
    ChainstateManager& chainman = EnsureChainman(request);
    const uint256 hash = ParseHashV(request.Param(0), "blockhash");
    BlockIndex& index = LookupBlockOrThrow(chainman, hash);
    BlockValidationState state;
    chainman.PreciousBlock(state, &index);
    if (!state.IsValid()) throw RPCError(RPC_DATABASE_ERROR, state.ToString());
    return nullptr;
}

Json PruneBlockchain(const RPCRequest& request)
{
    ChainstateManager& chainman = EnsureChainman(request);
    int64_t height = ParamInt(request, 0, 0);
    Lock lock(chainman.ChainLock());
    if (!chainman.Blocks().IsPruneMode()) {
        throw RPCError(RPC_MISC_ERROR, "Cannot prune blocks because node is not in prune mode.");
    }
    if (height < 0) throw RPCError(RPC_INVALID_PARAMETER, "Negative block height.");
    const Chain& chain = chainman.ActiveChain();
    // Larger values are UNIX times: prune up to two hours before that time.
    if (height > 1000000000) {
        const BlockIndex* block = chain.FindEarliestAtLeast(height - 7200, 0);
        if (!block) throw RPCError(RPC_INVALID_PARAMETER, "Could not find block with at least the specified timestamp.");
        height = block->height;
    }
    if (height > chain.Height()) {
        throw RPCError(RPC_INVALID_PARAMETER, "Blockchain is shorter than the attempted prune height.");
    }
    if (height > chain.Height() - MIN_BLOCKS_TO_KEEP) {
        LogDebug(LogCategory::RPC, "Attempt to prune blocks close to the tip.  Retaining the minimum number of blocks.");
        height = chain.Height() - MIN_BLOCKS_TO_KEEP;
    }
    chainman.PruneBlockFilesManual(static_cast<int>(height));
    const auto pruned = GetPruneHeight(chain);
    return pruned ? *pruned : -1;
}

// ---- getblockstats ------------------------------------------------------------------

// Memory a coin costs besides its output (outpoint, height and coinbase flag).
constexpr int64_t PER_UTXO_OVERHEAD = 36 + 4 + 1;
constexpr int NUM_PERCENTILES = 5;

template <typename T>
T TruncatedMedian(std::vector<T>& values)
{
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    if (n % 2 == 0) return (values[n / 2 - 1] + values[n / 2]) / 2;
    return values[n / 2];
}

// The fee rates at the 10th, 25th, 50th, 75th and 90th percentile of weight.
std::array<Amount, NUM_PERCENTILES> PercentilesByWeight(std::vector<std::pair<Amount, int64_t>>& rates,
                                                        int64_t total_weight)
{
    std::array<Amount, NUM_PERCENTILES> result{};
    if (rates.empty()) return result;
    std::sort(rates.begin(), rates.end());
    const double marks[NUM_PERCENTILES] = {total_weight / 10.0, total_weight / 4.0, total_weight / 2.0,
                                           (total_weight * 3.0) / 4.0, (total_weight * 9.0) / 10.0};
    int next = 0;
    int64_t cumulative = 0;
    for (const auto& [rate, weight] : rates) {
        cumulative += weight;
        while (next < NUM_PERCENTILES && cumulative >= marks[next]) result[next++] = rate;
    }
    for (int i = next; i < NUM_PERCENTILES; ++i) result[i] = rates.back().first;
    return result;
}

bool IsBip30Repeat(const ChainParams& params, const BlockIndex& index)
{
    for (const auto& [height, hash] : params.GetConsensus().bip30_exceptions) {
        if (height == index.height && hash == index.GetBlockHash()) return true;
    }
    return false;
}

Json GetBlockStats(const RPCRequest& request)
{
    ChainstateManager& chainman = EnsureChainman(request);
    std::set<std::string> selected;
    const Json& stats_param = request.Param(1);
    if (!stats_param.is_null()) {
        if (!stats_param.is_array()) throw RPCError(RPC_TYPE_ERROR, "stats must be an array");
        for (const Json& name : stats_param) {
            if (!name.is_string()) {
                throw RPCError(RPC_TYPE_ERROR, "JSON value of type " + std::string(name.type_name()) +
                                                   " is not of expected type string");
            }
            selected.insert(name.get<std::string>());
        }
    }

    Lock lock(chainman.ChainLock());
    const BlockIndex& index = ParseHashOrHeight(request.Param(0), chainman);
    const Block block = ReadBlockChecked(chainman, index);
    const BlockUndo undo = ReadUndoChecked(chainman, index);
    if (index.height > 0 && undo.vtxundo.size() + 1 != block.vtx.size()) {
        throw RPCError(RPC_MISC_ERROR, "Can't read undo data from disk");
    }
    const bool bip30_repeat = IsBip30Repeat(chainman.Params(), index);

    Amount max_fee = 0, min_fee = MAX_MONEY, total_fee = 0;
    Amount max_feerate = 0, min_feerate = MAX_MONEY;
    Amount total_out = 0;
    int64_t inputs = 0, outputs = 0, utxos = 0;
    int64_t max_size = 0, min_size = MAX_BLOCK_SERIALIZED_SIZE, total_size = 0, total_weight = 0;
    int64_t sw_size = 0, sw_weight = 0, sw_txs = 0;
    int64_t utxo_size_inc = 0, utxo_size_inc_actual = 0;
    std::vector<Amount> fees;
    std::vector<int64_t> sizes;
    std::vector<std::pair<Amount, int64_t>> feerates;

    for (size_t t = 0; t < block.vtx.size(); ++t) {
        const Transaction& tx = *block.vtx[t];
        outputs += static_cast<int64_t>(tx.vout.size());
        Amount tx_out = 0;
        for (const TxOut& out : tx.vout) {
            tx_out += out.value;
            const int64_t out_size = static_cast<int64_t>(GetSerializeSize(out)) + PER_UTXO_OVERHEAD;
            utxo_size_inc += out_size;
            // Outputs that never enter the UTXO set: the genesis block's, the
            // overwritten BIP30 coinbases, provably unspendable scripts.
            if (index.height == 0 || (bip30_repeat && tx.IsCoinBase())) continue;
            if (out.script_pubkey.IsUnspendable()) continue;
            ++utxos;
            utxo_size_inc_actual += out_size;
        }
        if (tx.IsCoinBase()) continue;

        inputs += static_cast<int64_t>(tx.vin.size());
        total_out += tx_out;
        const int64_t size = static_cast<int64_t>(tx.GetTotalSize());
        sizes.push_back(size);
        max_size = std::max(max_size, size);
        min_size = std::min(min_size, size);
        total_size += size;
        const int64_t weight = GetTransactionWeight(tx);
        total_weight += weight;
        if (tx.HasWitness()) {
            ++sw_txs;
            sw_size += size;
            sw_weight += weight;
        }

        Amount tx_in = 0;
        for (const Coin& coin : undo.vtxundo[t - 1].prevout) {
            tx_in += coin.out.value;
            const int64_t prev_size = static_cast<int64_t>(GetSerializeSize(coin.out)) + PER_UTXO_OVERHEAD;
            utxo_size_inc -= prev_size;
            utxo_size_inc_actual -= prev_size;
        }
        const Amount fee = tx_in - tx_out;
        fees.push_back(fee);
        max_fee = std::max(max_fee, fee);
        min_fee = std::min(min_fee, fee);
        total_fee += fee;
        // sat per virtual byte
        const Amount feerate = weight ? (fee * WITNESS_SCALE_FACTOR) / weight : 0;
        feerates.emplace_back(feerate, weight);
        max_feerate = std::max(max_feerate, feerate);
        min_feerate = std::min(min_feerate, feerate);
    }

    const int64_t non_coinbase = static_cast<int64_t>(block.vtx.size()) - 1;
    Json percentiles = Json::array();
    for (Amount rate : PercentilesByWeight(feerates, total_weight)) percentiles.push_back(rate);

    Json all = Json::object();
    all["avgfee"] = non_coinbase > 0 ? total_fee / non_coinbase : 0;
    all["avgfeerate"] = total_weight ? (total_fee * WITNESS_SCALE_FACTOR) / total_weight : 0;
    all["avgtxsize"] = non_coinbase > 0 ? total_size / non_coinbase : 0;
    all["blockhash"] = index.GetBlockHash().GetHex();
    all["feerate_percentiles"] = std::move(percentiles);
    all["height"] = index.height;
    all["ins"] = inputs;
    all["maxfee"] = max_fee;
    all["maxfeerate"] = max_feerate;
    all["maxtxsize"] = max_size;
    all["medianfee"] = TruncatedMedian(fees);
    all["mediantime"] = index.GetMedianTimePast();
    all["mediantxsize"] = TruncatedMedian(sizes);
    all["minfee"] = min_fee == MAX_MONEY ? 0 : min_fee;
    all["minfeerate"] = min_feerate == MAX_MONEY ? 0 : min_feerate;
    all["mintxsize"] = min_size == MAX_BLOCK_SERIALIZED_SIZE ? 0 : min_size;
    all["outs"] = outputs;
    all["subsidy"] = GetBlockSubsidy(index.height, chainman.Params().GetConsensus().subsidy_halving_interval);
    all["swtotal_size"] = sw_size;
    all["swtotal_weight"] = sw_weight;
    all["swtxs"] = sw_txs;
    all["time"] = index.GetBlockTime();
    all["total_out"] = total_out;
    all["total_size"] = total_size;
    all["total_weight"] = total_weight;
    all["totalfee"] = total_fee;
    all["txs"] = block.vtx.size();
    all["utxo_increase"] = outputs - inputs;
    all["utxo_size_inc"] = utxo_size_inc;
    all["utxo_increase_actual"] = utxos - inputs;
    all["utxo_size_inc_actual"] = utxo_size_inc_actual;

    if (selected.empty()) return all;
    Json out = Json::object();
    for (const std::string& name : selected) {
        if (!all.contains(name)) {
            throw RPCError(RPC_INVALID_PARAMETER, fmt::format("Invalid selected statistic '{}'", name));
        }
        out[name] = all[name];
    }
    return out;
}

// ---- waiting ----------------------------------------------------------------------

Json WaitForNewBlock(const RPCRequest& request)
{
    ChainstateManager& chainman = EnsureChainman(request);
    const auto deadline = TimeoutParam(request, 0);
    uint256 current;
    if (!request.Param(1).is_null()) {
        current = ParseHashV(request.Param(1), "current_tip");
    } else {
        Lock lock(chainman.ChainLock());
        current = chainman.ActiveChain().Tip()->GetBlockHash();
    }
    return GetTipWatcher(chainman).Wait(chainman, deadline, [&](const BlockIndex* tip) {
        return tip && tip->GetBlockHash() != current;
    });
}

Json WaitForBlock(const RPCRequest& request)
{
    ChainstateManager& chainman = EnsureChainman(request);
    const uint256 hash = ParseHashV(request.Param(0), "blockhash");
    const auto deadline = TimeoutParam(request, 1);
    return GetTipWatcher(chainman).Wait(chainman, deadline, [&](const BlockIndex* tip) {
        return tip && tip->GetBlockHash() == hash;
    });
}

Json WaitForBlockHeight(const RPCRequest& request)
{
    ChainstateManager& chainman = EnsureChainman(request);
    const int64_t height = ParamInt(request, 0, 0);
    const auto deadline = TimeoutParam(request, 1);
    return GetTipWatcher(chainman).Wait(chainman, deadline, [&](const BlockIndex* tip) {
        return tip && tip->height >= height;
    });
}

// ---- help texts ---------------------------------------------------------------------

using T = RPCArg::Type;

std::string Examples(const std::string& method, const std::string& cli_args, const std::string& rpc_args)
{
    return HelpExampleCli(method, cli_args) + HelpExampleRpc(method, rpc_args);
}

const std::string EXAMPLE_HASH = "\"00000000c937983704a73af28acdec37b049d214adbda81d7e2a3dd146f6ed09\"";

const char* HEADER_FIELDS =
    "  \"hash\" : \"hex\",              (string) hash of the block (echoes the request)\n"
    "  \"confirmations\" : n,         (numeric) confirmation count, or -1 when off the active chain\n"
    "  \"height\" : n,                (numeric) height of the block\n"
    "  \"version\" : n,               (numeric) the block version\n"
    "  \"versionHex\" : \"hex\",        (string) version field shown as hex\n"
    "  \"merkleroot\" : \"hex\",        (string) the merkle root\n"
    "  \"time\" : xxx,                (numeric) header timestamp, UNIX seconds\n"
    "  \"mediantime\" : xxx,          (numeric) median time past, UNIX seconds\n"
    "  \"nonce\" : n,                 (numeric) the nonce\n"
    "  \"bits\" : \"hex\",              (string) nBits, the target in compact encoding\n"
    "  \"target\" : \"hex\",            (string) the difficulty target\n"
    "  \"difficulty\" : n,            (numeric) the difficulty\n"
    "  \"chainwork\" : \"hex\",         (string) expected hash count needed to build the chain through this block\n"
    "  \"nTx\" : n,                   (numeric) transaction count of the block\n"
    "  \"previousblockhash\" : \"hex\", (string, optional) parent block hash (omitted for genesis)\n"
    "  \"nextblockhash\" : \"hex\",     (string, optional) hash of the following active-chain block\n";

const char* TIP_RESULT =
    "{\n"
    "  \"hash\" : \"hex\",   (string) the tip's block hash\n"
    "  \"height\" : n      (numeric) the tip's height\n"
    "}\n";

} // namespace

UtxoSetStats ComputeUtxoSetStats(const CoinsView& view, UtxoHashType hash_type)
{
    UtxoSetStats stats;
    stats.best_block = view.GetBestBlock();
    std::unique_ptr<CoinsCursor> cursor = view.Cursor();
    if (!cursor) throw std::logic_error("ComputeUtxoSetStats: the view cannot enumerate its coins");
    HashWriter hasher;
    MuHash3072 muhash;
    DataStream element;
    uint256 last_txid;
    bool first = true;
    for (; cursor->Valid(); cursor->Next()) {
        OutPoint outpoint;
        Coin coin;
        if (!cursor->GetKey(outpoint) || !cursor->GetValue(coin)) {
            throw std::runtime_error("Unable to read UTXO set");
        }
        if (first || outpoint.hash != last_txid) {
            ++stats.transactions;
            last_txid = outpoint.hash;
            first = false;
        }
        ++stats.txouts;
        stats.total_amount += coin.out.value;
        // txid, vout index, height and coinbase flag, amount, script length, script
        stats.bogosize += 32 + 4 + 4 + 8 + 2 + static_cast<int64_t>(coin.out.script_pubkey.size());
        // Each coin as: outpoint, (height << 1 | coinbase) as 4 bytes, the full output.
        const uint32_t code = (coin.height << 1) | (coin.coinbase ? 1 : 0);
        if (hash_type == UtxoHashType::HASH_SERIALIZED) {
            hasher << outpoint << code << coin.out;
        } else if (hash_type == UtxoHashType::MUHASH) {
            element.clear();
            element << outpoint << code << coin.out;
            muhash.Insert(element.unread());
        }
    }
    if (hash_type == UtxoHashType::HASH_SERIALIZED) stats.hash = hasher.GetHash();
    if (hash_type == UtxoHashType::MUHASH) stats.hash = muhash.Finalize();
    return stats;
}

void RegisterBlockchainRPCCommands(RPCTable& table)
{
    table.Register({"blockchain", "getblockchaininfo",
                    "Summarises the current state of chain processing on this node.",
                    {},
                    "{\n"
                    "  \"chain\" : \"str\",                 (string) active network: main, test, testnet4, signet or regtest\n"
                    "  \"blocks\" : n,                    (numeric) height of the fully validated chain with the most work\n"
                    "  \"headers\" : n,                   (numeric) number of headers validated so far\n"
                    "  \"bestblockhash\" : \"str\",         (string) hash of the current tip block\n"
                    "  \"bits\" : \"hex\",                  (string) nBits of the tip\n"
                    "  \"target\" : \"hex\",                (string) the difficulty target of the tip\n"
                    "  \"difficulty\" : n,                (numeric) the current difficulty\n"
                    "  \"time\" : xxx,                    (numeric) timestamp of the tip block (UNIX time)\n"
                    "  \"mediantime\" : xxx,              (numeric) median time past of the tip\n"
                    "  \"verificationprogress\" : n,      (numeric) rough fraction of the chain verified so far, between 0 and 1\n"
                    "  \"initialblockdownload\" : true|false, (boolean) true while the node is still in initial block download\n"
                    "  \"chainwork\" : \"hex\",             (string) cumulative work of the active chain, as hex\n"
                    "  \"size_on_disk\" : n,              (numeric) approximate disk space used by block and undo files\n"
                    "  \"pruned\" : true|false,           (boolean) whether block pruning is enabled\n"
                    "  \"pruneheight\" : n,               (numeric, optional) lowest height still stored; everything below was pruned (pruning only)\n"
                    "  \"automatic_pruning\" : true|false, (boolean, optional) true if pruning runs automatically (pruning only)\n"
                    "  \"prune_target_size\" : n,         (numeric, optional) size target for automatic pruning (automatic pruning only)\n"
                    "  \"signet_challenge\" : \"hex\",      (string, optional) signet block script as hex (signet only)\n"
                    "  \"warnings\" : [ \"str\", ... ]      (json array) currently active network or chain warnings\n"
                    "}\n",
                    Examples("getblockchaininfo", "", ""), GetBlockchainInfo});

    table.Register({"blockchain", "getblockcount",
                    "Gives the height of the fully validated chain with the most work.\nHeight 0 is the genesis block.",
                    {}, "n    (numeric) height of the current tip\n", Examples("getblockcount", "", ""),
                    GetBlockCount});

    table.Register({"blockchain", "getbestblockhash",
                    "Gives the hash of the tip of the fully validated chain with the most work.", {},
                    "\"hex\"    (string) the block hash, hex-encoded\n", Examples("getbestblockhash", "", ""),
                    GetBestBlockHash});

    table.Register({"blockchain", "getblockhash", "Looks up the hash of the active-chain block at the given height.",
                    {{"height", T::NUM, false, "required", "Height in the active chain"}},
                    "\"hex\"    (string) The block hash\n", Examples("getblockhash", "1000", "1000"), GetBlockHash});

    table.Register({"blockchain", "getblockheader",
                    "Fetches a block header by hash.\n"
                    "With verbose=true the header is decoded into a JSON object; with verbose=false the raw 80-byte header is returned as hex.",
                    {{"blockhash", T::STR_HEX, false, "required", "The block hash"},
                     {"verbose", T::BOOL, true, "default=true", "true: decoded JSON object, false: raw header as hex"}},
                    "(for verbose = true)\n{\n" + std::string(HEADER_FIELDS) +
                        "}\n\nResult (for verbose=false):\n\"hex\"    (string) hex encoding of the serialized header\n",
                    Examples("getblockheader", EXAMPLE_HASH, EXAMPLE_HASH), GetBlockHeader});

    table.Register({"blockchain", "getblock",
                    "Fetches a block by hash at the requested level of detail.\n"
                    "verbosity 0: the raw serialized block as hex.\n"
                    "verbosity 1: a JSON summary of the block listing its txids.\n"
                    "verbosity 2: like 1, but every transaction is fully decoded.\n"
                    "verbosity 3: like 2, plus the spent output (prevout) of each input; needs unpruned blocks on the active chain.",
                    {{"blockhash", T::STR_HEX, false, "required", "The block hash"},
                     {"verbosity|verbose", T::ANY, true, "default=1",
                      "0 = raw hex, 1 = JSON with txids, 2 = JSON with decoded transactions, 3 = as 2 plus input prevouts"}},
                    "(for verbosity = 0)\n\"hex\"    (string) hex encoding of the serialized block\n\n"
                    "Result (for verbosity = 1):\n{\n" + std::string(HEADER_FIELDS) +
                        "  \"strippedsize\" : n,          (numeric) serialized size in bytes with witness data stripped\n"
                        "  \"size\" : n,                  (numeric) The block size\n"
                        "  \"weight\" : n,                (numeric) block weight (BIP 141 definition)\n"
                        "  \"tx\" : [ \"hex\", ... ]        (json array) The transaction ids\n"
                        "}\n\n"
                        "Result (for verbosity = 2):\n"
                        "{ ...,   Same output as verbosity = 1, with each element of \"tx\" a decoded transaction\n"
                        "         (as decoderawtransaction) with \"fee\" (numeric, in BTC) when undo data is available\n"
                        "}\n\n"
                        "Result (for verbosity = 3):\n"
                        "{ ...,   Same output as verbosity = 2, each input also has \"prevout\":\n"
                        "  {\"generated\" : true|false, \"height\" : n, \"value\" : n, \"scriptPubKey\" : {\"asm\", \"desc\", \"hex\", \"address\", \"type\"}}\n"
                        "}\n",
                    Examples("getblock", EXAMPLE_HASH, EXAMPLE_HASH), GetBlock});

    table.Register({"blockchain", "getchaintips",
                    "Lists every chain tip known in the block tree: the active tip and the tips of any side branches.",
                    {},
                    "[\n  {\n"
                    "    \"height\" : n,      (numeric) height of the chain tip\n"
                    "    \"hash\" : \"hex\",    (string) block hash of the tip\n"
                    "    \"branchlen\" : n,   (numeric) 0 for the active chain, else how many blocks the branch extends past its fork point\n"
                    "    \"status\" : \"str\"   (string) status of the chain, \"active\" for the main chain\n"
                    "                       Possible values for status:\n"
                    "                       1.  \"invalid\"               some block on this branch failed validation\n"
                    "                       2.  \"headers-only\"          headers are valid, but some block data is missing\n"
                    "                       3.  \"valid-headers\"         block data is all present, yet full validation never ran\n"
                    "                       4.  \"valid-fork\"            fully validated side branch, not on the active chain\n"
                    "                       5.  \"active\"                the tip of the active chain, known valid\n"
                    "  },\n  ...\n]\n",
                    Examples("getchaintips", "", ""), GetChainTips});

    table.Register({"blockchain", "getdifficulty",
                    "Gives the current proof-of-work difficulty, relative to the lowest possible difficulty.", {},
                    "n    (numeric) difficulty relative to the minimum difficulty.\n",
                    Examples("getdifficulty", "", ""), GetDifficultyRpc});

    table.Register({"blockchain", "gettxout", "Looks up one unspent transaction output (UTXO).",
                    {{"txid", T::STR_HEX, false, "required", "The transaction id"},
                     {"n", T::NUM, false, "required", "vout number"},
                     {"include_mempool", T::BOOL, true, "default=true",
                      "Also consult the mempool; an output already spent by a mempool transaction is then reported as not found."}},
                    "(if the UTXO was not found)\nnull    (json null)\n\n"
                    "Result (Otherwise):\n{\n"
                    "  \"bestblock\" : \"hex\",    (string) hash of the current tip\n"
                    "  \"confirmations\" : n,    (numeric) The number of confirmations\n"
                    "  \"value\" : n,            (numeric) amount held by the output, in BTC\n"
                    "  \"scriptPubKey\" : {      (json object)\n"
                    "    \"asm\" : \"str\",        (string) output script in asm form\n"
                    "    \"desc\" : \"str\",       (string) descriptor inferred for the output\n"
                    "    \"hex\" : \"hex\",        (string) output script as hex\n"
                    "    \"type\" : \"str\",       (string) script type, e.g. pubkeyhash\n"
                    "    \"address\" : \"str\"     (string, optional) address for the script, when one is defined\n"
                    "  },\n"
                    "  \"coinbase\" : true|false (boolean) whether the output belongs to a coinbase transaction\n"
                    "}\n",
                    Examples("gettxout", "\"txid\" 1", "\"txid\", 1"), GetTxOut});

    table.Register({"blockchain", "gettxoutsetinfo",
                    "Computes statistics over the UTXO set.\nThis can be slow.",
                    {{"hash_type", T::STR, true, "default=\"hash_serialized_3\"",
                      "Kind of UTXO set hash to compute: 'hash_serialized_3' (legacy), 'muhash' or 'none'."},
                     {"hash_or_height", T::ANY, true, "default=the current best block",
                      "Hash or height of the block to report on (needs coinstatsindex, which this node lacks)."},
                     {"use_index", T::BOOL, true, "default=true", "Read from coinstatsindex when it exists."}},
                    "{\n"
                    "  \"height\" : n,                 (numeric) height the statistics refer to\n"
                    "  \"bestblock\" : \"hex\",          (string) hash of the block the statistics refer to\n"
                    "  \"txouts\" : n,                 (numeric) count of unspent outputs\n"
                    "  \"bogosize\" : n,               (numeric) storage-independent size indicator for the UTXO set, not meaningful as bytes\n"
                    "  \"hash_serialized_3\" : \"hex\",  (string, optional) UTXO set hash, present when hash_type is 'hash_serialized_3'\n"
                    "  \"muhash\" : \"hex\",             (string, optional) UTXO set hash, present when hash_type is 'muhash'\n"
                    "  \"transactions\" : n,           (numeric, optional) count of transactions that still have unspent outputs\n"
                    "  \"disk_size\" : n,              (numeric, optional) approximate on-disk size of the chainstate\n"
                    "  \"total_amount\" : n            (numeric) sum of all UTXO values\n"
                    "}\n",
                    Examples("gettxoutsetinfo", "", "") + HelpExampleCli("gettxoutsetinfo", "\"none\""),
                    GetTxOutSetInfo});

    table.Register({"blockchain", "verifychain", "Checks the integrity of the block and chainstate databases.",
                    {{"checklevel", T::NUM, true, "default=3, range=0-4",
                      "Depth of checking (each level includes the lower ones):\n"
                      "- 0: read each block from disk\n"
                      "- 1: check each block is valid\n"
                      "- 2: check the undo data\n"
                      "- 3: test disconnecting the most recent blocks\n"
                      "- 4: handled the same as 3 on this node"},
                     {"nblocks", T::NUM, true, "default=6, 0=all", "How many recent blocks to check."}},
                    "true|false    (boolean) true when every check passed; on false, debug.log explains the failure.\n",
                    Examples("verifychain", "", ""), VerifyChainRpc});

    table.Register({"hidden", "invalidateblock",
                    "Flags a block as invalid for good, just as if it broke a consensus rule.",
                    {{"blockhash", T::STR_HEX, false, "required", "the hash of the block to mark as invalid"}},
                    "null    (json null)\n", Examples("invalidateblock", "\"blockhash\"", "\"blockhash\""),
                    InvalidateBlockRpc});

    table.Register({"hidden", "reconsiderblock",
                    "Clears the invalid flag from a block and from its ancestors and descendants so they can be activated again.\n"
                    "Use it to reverse invalidateblock.",
                    {{"blockhash", T::STR_HEX, false, "required", "the hash of the block to reconsider"}},
                    "null    (json null)\n", Examples("reconsiderblock", "\"blockhash\"", "\"blockhash\""),
                    ReconsiderBlockRpc});

    table.Register({"blockchain", "preciousblock",
                    "Prefers a block over competitors of equal work, as though it had arrived first.\n\n"
                    "Each new preciousblock call supersedes the previous one.\n\n"
                    "The preference is lost when the node restarts.",
                    {{"blockhash", T::STR_HEX, false, "required", "hash of the block to prefer"}},
                    "null    (json null)\n", Examples("preciousblock", "\"blockhash\"", "\"blockhash\""),
                    PreciousBlockRpc});

    table.Register({"blockchain", "pruneblockchain",
                    "Removes prunable block and undo files up to the given height or time.\n"
                    "Only works when the node was started with `-prune`. Deleted local data cannot be restored, though it can sometimes be downloaded again (e.g. with `getblockfrompeer`).",
                    {{"height", T::NUM, false, "required",
                      "Prune target: either a block height, or a UNIX timestamp, in which case blocks whose time\n"
                      "is at least 2 hours before that timestamp are pruned."}},
                    "n    (numeric) height of the highest pruned block\n",
                    Examples("pruneblockchain", "1000", "1000"), PruneBlockchain});

    table.Register({"blockchain", "getblockstats",
                    "Calculates statistics for one block. Amounts are given in satoshis.\n"
                    "Pruned heights may be unavailable.",
                    {{"hash_or_height", T::ANY, false, "required", "Hash or height identifying the block"},
                     {"stats", T::ARR, true, "default=all values", "Subset of the result fields to compute"}},
                    "{\n"
                    "  \"avgfee\" : n,              (numeric, optional) mean fee per transaction\n"
                    "  \"avgfeerate\" : n,          (numeric, optional) mean feerate in sat/vB\n"
                    "  \"avgtxsize\" : n,           (numeric, optional) mean transaction size\n"
                    "  \"blockhash\" : \"hex\",       (string, optional) hash of the block, useful for spotting reorgs\n"
                    "  \"feerate_percentiles\" : [  (json array, optional) feerates in sat/vB at the 10/25/50/75/90th percentiles, weighted by weight unit\n"
                    "    n, n, n, n, n\n"
                    "  ],\n"
                    "  \"height\" : n,              (numeric, optional) height of the block\n"
                    "  \"ins\" : n,                 (numeric, optional) count of inputs, coinbase not included\n"
                    "  \"maxfee\" : n,              (numeric, optional) largest single-transaction fee\n"
                    "  \"maxfeerate\" : n,          (numeric, optional) highest feerate in sat/vB\n"
                    "  \"maxtxsize\" : n,           (numeric, optional) largest transaction size\n"
                    "  \"medianfee\" : n,           (numeric, optional) median fee (truncated)\n"
                    "  \"mediantime\" : n,          (numeric, optional) median time past of the block\n"
                    "  \"mediantxsize\" : n,        (numeric, optional) median transaction size (truncated)\n"
                    "  \"minfee\" : n,              (numeric, optional) smallest single-transaction fee\n"
                    "  \"minfeerate\" : n,          (numeric, optional) lowest feerate in sat/vB\n"
                    "  \"mintxsize\" : n,           (numeric, optional) smallest transaction size\n"
                    "  \"outs\" : n,                (numeric, optional) count of outputs\n"
                    "  \"subsidy\" : n,             (numeric, optional) newly minted subsidy of the block\n"
                    "  \"swtotal_size\" : n,        (numeric, optional) combined size of segwit transactions\n"
                    "  \"swtotal_weight\" : n,      (numeric, optional) combined weight of segwit transactions\n"
                    "  \"swtxs\" : n,               (numeric, optional) count of segwit transactions\n"
                    "  \"time\" : n,                (numeric, optional) timestamp of the block\n"
                    "  \"total_out\" : n,           (numeric, optional) value of all non-coinbase outputs (so subsidy and fees are not included)\n"
                    "  \"total_size\" : n,          (numeric, optional) combined size of non-coinbase transactions\n"
                    "  \"total_weight\" : n,        (numeric, optional) combined weight of non-coinbase transactions\n"
                    "  \"totalfee\" : n,            (numeric, optional) sum of all fees\n"
                    "  \"txs\" : n,                 (numeric, optional) count of transactions, coinbase included\n"
                    "  \"utxo_increase\" : n,       (numeric, optional) net change in UTXO count, unspendable outputs such as OP_RETURN included\n"
                    "  \"utxo_size_inc\" : n,       (numeric, optional) net change in UTXO set size, unspendable outputs such as OP_RETURN included\n"
                    "  \"utxo_increase_actual\" : n, (numeric, optional) net change in UTXO count, unspendable outputs excluded\n"
                    "  \"utxo_size_inc_actual\" : n (numeric, optional) net change in UTXO set size, unspendable outputs excluded\n"
                    "}\n",
                    Examples("getblockstats", "'" + EXAMPLE_HASH + "' '[\"minfeerate\",\"avgfeerate\"]'",
                             EXAMPLE_HASH + ", [\"minfeerate\",\"avgfeerate\"]") +
                        HelpExampleCli("getblockstats", "1000 '[\"minfeerate\",\"avgfeerate\"]'"),
                    GetBlockStats});

    table.Register({"blockchain", "waitfornewblock",
                    "Blocks until the tip changes, then reports the new tip.\n\n"
                    "On timeout or shutdown the current tip is reported instead.\n\n"
                    "Disable the client-side RPC timeout (bitcoin-cli -rpcclienttimeout=0) when calling this.",
                    {{"timeout", T::NUM, true, "default=0", "Maximum wait in milliseconds; 0 waits indefinitely."},
                     {"current_tip", T::STR_HEX, true, "optional",
                      "Return once the tip is different from this hash."}},
                    TIP_RESULT, Examples("waitfornewblock", "1000", "1000"), WaitForNewBlock});

    table.Register({"blockchain", "waitforblock",
                    "Blocks until the given block becomes the tip, then reports the tip.\n\n"
                    "On timeout or shutdown the current tip is reported instead.\n\n"
                    "Disable the client-side RPC timeout (bitcoin-cli -rpcclienttimeout=0) when calling this.",
                    {{"blockhash", T::STR_HEX, false, "required", "Block hash to wait for."},
                     {"timeout", T::NUM, true, "default=0", "Maximum wait in milliseconds; 0 waits indefinitely."}},
                    TIP_RESULT, Examples("waitforblock", EXAMPLE_HASH + " 1000", EXAMPLE_HASH + ", 1000"),
                    WaitForBlock});

    table.Register({"blockchain", "waitforblockheight",
                    "Blocks until the chain reaches at least the given height, then reports\n"
                    "the height and hash of the tip.\n\n"
                    "On timeout or shutdown the current tip is reported instead.\n\n"
                    "Disable the client-side RPC timeout (bitcoin-cli -rpcclienttimeout=0) when calling this.",
                    {{"height", T::NUM, false, "required", "Block height to wait for."},
                     {"timeout", T::NUM, true, "default=0", "Maximum wait in milliseconds; 0 waits indefinitely."}},
                    TIP_RESULT, Examples("waitforblockheight", "100 1000", "100, 1000"), WaitForBlockHeight});
}
