#include <node/miner.h>

#include <consensus/block_check.h>
#include <consensus/consensus.h>
#include <consensus/merkle.h>
#include <consensus/pow.h>
#include <consensus/subsidy.h>
#include <consensus/tx_verify.h>
#include <kernel/pow.h>
#include <kernel/validation.h>
#include <node/policy.h>
#include <node/txmempool.h>
#include <util/args.h>
#include <script/interpreter.h>
#include <util/shutdown.h>
#include <util/time.h>

#include <algorithm>
#include <atomic>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>

namespace node {

namespace {

// Weight reserved for the block header and the coinbase when filling a block.
constexpr int64_t COINBASE_RESERVED_WEIGHT = 8000;

std::atomic<int64_t> g_last_block_weight{-1};
std::atomic<int64_t> g_last_block_tx_count{-1};
std::atomic<BlockTxSource*> g_default_tx_source{nullptr};

bool SegwitActive(const ChainstateManager& chainman, int height)
{
    return height >= chainman.Params().GetConsensus().segwit_height;
}

// The BIP141 commitment output: OP_RETURN, push of aa21a9ed || commitment.
Script CommitmentScript(const uint256& commitment)
{
    std::vector<unsigned char> payload{0xaa, 0x21, 0xa9, 0xed};
    payload.insert(payload.end(), commitment.begin(), commitment.end());
    Script out;
    out << OP_RETURN << std::span<const unsigned char>(payload);
    return out;
}

// Sigop cost of tx, its inputs looked up in the chain's coins or in the
// transactions before it in the block.
int64_t SigOpCost(ChainstateManager& chainman, const Transaction& tx, const std::map<uint256, TransactionRef>& earlier)
{
    std::vector<TxOut> spent;
    for (const TxIn& in : tx.vin) {
        if (auto it = earlier.find(in.prevout.hash); it != earlier.end() && in.prevout.n < it->second->vout.size()) {
            spent.push_back(it->second->vout[in.prevout.n]);
            continue;
        }
        auto coin = chainman.CoinsTip().GetCoin(in.prevout);
        if (!coin || coin->IsSpent()) return int64_t{GetLegacySigOpCount(tx)} * WITNESS_SCALE_FACTOR;
        spent.push_back(coin->out);
    }
    return GetTransactionSigOpCost(tx, spent, SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS);
}

MutableTransaction MakeCoinbase(int height, uint64_t extra_nonce, Amount value, const Script& script)
{
    MutableTransaction coinbase;
    coinbase.vin.resize(1);
    coinbase.vin[0].prevout.SetNull();
    // BIP34 height, then an extra nonce (OP_0 unless the nonce space ran out).
    coinbase.vin[0].script_sig << int64_t{height} << static_cast<int64_t>(extra_nonce);
    // Lock time height - 1 with a non-final sequence: the coinbase is only
    // valid at this height or above (as Bitcoin Core's miner does).
    coinbase.vin[0].sequence = TxIn::MAX_SEQUENCE_NONFINAL;
    coinbase.lock_time = static_cast<uint32_t>(height - 1);
    coinbase.vout.push_back(TxOut{value, script});
    return coinbase;
}

// Replaces the coinbase's extra nonce (keeps everything else).
void SetExtraNonce(Block& block, int height, uint64_t extra_nonce)
{
    MutableTransaction coinbase(*block.vtx[0]);
    coinbase.vin[0].script_sig.clear();
    coinbase.vin[0].script_sig << int64_t{height} << static_cast<int64_t>(extra_nonce);
    block.vtx[0] = MakeTransactionRef(std::move(coinbase));
    block.merkle_root = BlockMerkleRoot(block);
}

} // namespace

const std::vector<VersionBitsDeployment>& VersionBitsDeployments(const ChainstateManager& chainman)
{
    static const std::vector<VersionBitsDeployment> NONE;
    static const std::vector<VersionBitsDeployment> REGTEST{VersionBitsDeployment{
        .name = "testdummy",
        .bit = 28,
        .start_time = 0,
        .timeout = std::numeric_limits<int64_t>::max(),
        .period = 144,
        .threshold = 108,
        .min_activation_height = 0,
        .gbt_optional_rule = true,
    }};
    return chainman.Params().GetChainType() == ChainType::REGTEST ? REGTEST : NONE;
}

ThresholdState DeploymentState(const BlockIndex* prev, const VersionBitsDeployment& deployment)
{
    // A block's state is that of the first block of its period, decided by
    // the last block of the period before: walk those boundaries from genesis.
    ThresholdState state = ThresholdState::DEFINED;
    if (!prev) return state;
    const int period = deployment.period;
    const int last_boundary = prev->height - ((prev->height + 1) % period);
    for (int height = period - 1; height <= last_boundary; height += period) {
        const BlockIndex* boundary = prev->GetAncestor(height);
        switch (state) {
        case ThresholdState::DEFINED:
            if (boundary->GetMedianTimePast() >= deployment.start_time) state = ThresholdState::STARTED;
            break;
        case ThresholdState::STARTED: {
            int count = 0;
            const BlockIndex* block = boundary;
            for (int i = 0; i < period && block; ++i, block = block->prev) {
                if ((block->version & VERSIONBITS_TOP_MASK) == VERSIONBITS_TOP_BITS &&
                    ((block->version >> deployment.bit) & 1)) {
                    ++count;
                }
            }
            if (count >= deployment.threshold) {
                state = ThresholdState::LOCKED_IN;
            } else if (boundary->GetMedianTimePast() >= deployment.timeout) {
                state = ThresholdState::FAILED;
            }
            break;
        }
        case ThresholdState::LOCKED_IN:
            if (boundary->height + 1 >= deployment.min_activation_height) state = ThresholdState::ACTIVE;
            break;
        case ThresholdState::ACTIVE:
        case ThresholdState::FAILED:
            return state; // final
        }
    }
    return state;
}

int32_t ComputeBlockVersion(const ChainstateManager& chainman, const BlockIndex* prev)
{
    int32_t version = VERSIONBITS_TOP_BITS;
    for (const VersionBitsDeployment& deployment : VersionBitsDeployments(chainman)) {
        const ThresholdState state = DeploymentState(prev, deployment);
        if (state == ThresholdState::STARTED || state == ThresholdState::LOCKED_IN) {
            version |= int32_t{1} << deployment.bit;
        }
    }
    return version;
}

int64_t GetMinimumTime(const BlockIndex& prev, int64_t difficulty_adjustment_interval)
{
    int64_t min_time = prev.GetMedianTimePast() + 1;
    const int height = prev.height + 1;
    // BIP94's timewarp rule at the first block of a period; applied on every
    // network so templates stay valid if it activates elsewhere.
    if (height % difficulty_adjustment_interval == 0) {
        min_time = std::max<int64_t>(min_time, prev.GetBlockTime() - MAX_TIMEWARP);
    }
    return min_time;
}

void UpdateTime(Block& block, const ChainstateManager& chainman, const BlockIndex& prev)
{
    const ConsensusParams& consensus = chainman.Params().GetConsensus();
    const int64_t new_time = std::max(GetMinimumTime(prev, consensus.DifficultyAdjustmentInterval()), GetTime());
    if (new_time > block.GetBlockTime()) block.time = static_cast<uint32_t>(new_time);
    if (consensus.pow_allow_min_difficulty_blocks) block.bits = GetNextWorkRequired(&prev, block, consensus);
}

void RegenerateCommitments(Block& block, ChainstateManager& chainman)
{
    MutableTransaction coinbase(*block.vtx[0]);
    const int index = GetWitnessCommitmentIndex(block);
    if (index != NO_WITNESS_COMMITMENT) coinbase.vout.erase(coinbase.vout.begin() + index);
    coinbase.vin[0].witness.SetNull();
    block.vtx[0] = MakeTransactionRef(coinbase);
    const BlockIndex* prev = chainman.LookupBlockIndex(block.prev_block);
    if (prev && SegwitActive(chainman, prev->height + 1)) {
        coinbase.vin[0].witness.stack.assign(1, std::vector<unsigned char>(32, 0));
        // The coinbase's own wtxid counts as zero, so the root does not
        // depend on the output added below.
        const uint256 root = BlockWitnessMerkleRoot(block);
        coinbase.vout.push_back(TxOut{0, CommitmentScript(ComputeWitnessCommitment(root, uint256{}))});
        block.vtx[0] = MakeTransactionRef(std::move(coinbase));
    }
    block.merkle_root = BlockMerkleRoot(block);
}

std::unique_ptr<BlockTemplate> BlockAssembler::CreateNewBlock(const AssemblerOptions& options)
{
    std::lock_guard lock(m_chainman.ChainLock());
    BlockIndex* prev = m_chainman.ActiveChain().Tip();
    if (!prev) throw std::runtime_error("no active chain");
    const ConsensusParams& consensus = m_chainman.Params().GetConsensus();

    auto tmpl = std::make_unique<BlockTemplate>();
    tmpl->height = prev->height + 1;
    auto block = std::make_shared<Block>();
    block->version = ComputeBlockVersion(m_chainman, prev);
    block->prev_block = prev->GetBlockHash();
    block->time = static_cast<uint32_t>(
        std::max(GetMinimumTime(*prev, consensus.DifficultyAdjustmentInterval()), GetTime()));
    block->bits = GetNextWorkRequired(prev, *block, consensus);

    // Slot 0 is the coinbase, made once the fees are known.
    block->vtx.emplace_back();
    tmpl->fees.push_back(0);
    tmpl->sigops_cost.push_back(0);
    std::map<uint256, TransactionRef> included;
    int64_t weight = COINBASE_RESERVED_WEIGHT;
    int64_t sigops = 400; // Core's reservation for the coinbase
    for (const TransactionRef& tx : options.extra_txs) {
        const int64_t cost = SigOpCost(m_chainman, *tx, included);
        block->vtx.push_back(tx);
        tmpl->fees.push_back(0);
        tmpl->sigops_cost.push_back(cost);
        weight += GetTransactionWeight(*tx);
        sigops += cost;
        included.emplace(tx->GetHash(), tx);
    }
    Amount fees = 0;
    if (options.tx_source) {
        // Hook for the mempool: it picks what fits in the room left.
        for (const BlockCandidate& candidate :
             options.tx_source->SelectForBlock(options.max_weight - weight, MAX_BLOCK_SIGOPS_COST - sigops)) {
            block->vtx.push_back(candidate.tx);
            tmpl->fees.push_back(candidate.fee);
            tmpl->sigops_cost.push_back(candidate.sigops_cost);
            weight += GetTransactionWeight(*candidate.tx);
            sigops += candidate.sigops_cost;
            fees += candidate.fee;
        }
    }

    tmpl->coinbase_value = GetBlockSubsidy(tmpl->height, consensus.subsidy_halving_interval) + fees;
    block->vtx[0] = MakeTransactionRef(MakeCoinbase(tmpl->height, 0, tmpl->coinbase_value, options.coinbase_script));
    tmpl->fees[0] = -fees;
    RegenerateCommitments(*block, m_chainman);
    tmpl->sigops_cost[0] = int64_t{GetLegacySigOpCount(*block->vtx[0])} * WITNESS_SCALE_FACTOR;
    if (const int index = GetWitnessCommitmentIndex(*block); index != NO_WITNESS_COMMITMENT) {
        tmpl->witness_commitment = block->vtx[0]->vout[index].script_pubkey;
    }
    tmpl->weight = GetBlockWeight(*block);
    block->nonce = 0;

    if (options.test_validity) {
        BlockValidationState state;
        if (!m_chainman.TestBlockValidity(state, *block, prev, /*check_pow=*/false, /*check_merkle=*/false)) {
            throw std::runtime_error("CreateNewBlock: TestBlockValidity failed: " + state.ToString());
        }
    }
    // As Core reports it: the reserved weight plus the transactions' weight.
    g_last_block_weight = weight;
    g_last_block_tx_count = static_cast<int64_t>(block->vtx.size()) - 1;
    tmpl->block = std::move(block);
    return tmpl;
}

std::optional<int64_t> BlockAssembler::LastBlockWeight()
{
    const int64_t value = g_last_block_weight;
    return value < 0 ? std::nullopt : std::optional<int64_t>(value);
}

std::optional<int64_t> BlockAssembler::LastBlockTxCount()
{
    const int64_t value = g_last_block_tx_count;
    return value < 0 ? std::nullopt : std::optional<int64_t>(value);
}

bool GenerateBlock(ChainstateManager& chainman, Block block, uint64_t& max_tries,
                   std::shared_ptr<const Block>& block_out, bool process)
{
    block_out.reset();
    block.merkle_root = BlockMerkleRoot(block);
    const uint256& pow_limit = chainman.Params().GetConsensus().pow_limit;
    while (max_tries > 0 && block.nonce < std::numeric_limits<uint32_t>::max() &&
           !CheckProofOfWork(block.GetHash(), block.bits, pow_limit)) {
        ++block.nonce;
        --max_tries;
    }
    if (max_tries == 0) return false;
    if (block.nonce == std::numeric_limits<uint32_t>::max() && !CheckProofOfWork(block.GetHash(), block.bits, pow_limit)) {
        return true; // nonce space exhausted: the caller changes the coinbase
    }
    auto solved = std::make_shared<const Block>(std::move(block));
    block_out = solved;
    if (!process) return true;
    bool new_block = false;
    BlockValidationState state;
    if (!chainman.ProcessNewBlock(solved, /*force_processing=*/true, &new_block, &state)) {
        throw BlockNotAccepted("ProcessNewBlock, block not accepted: " + state.ToString());
    }
    return true;
}

std::vector<uint256> GenerateBlocks(ChainstateManager& chainman, const Script& coinbase_script, int count,
                                    uint64_t max_tries, BlockTxSource* tx_source)
{
    std::vector<uint256> hashes;
    BlockAssembler assembler(chainman);
    AssemblerOptions options;
    options.coinbase_script = coinbase_script;
    options.tx_source = tx_source ? tx_source : DefaultBlockTxSource();
    // A shutdown request ends a long generate call early, with the blocks so far.
    while (static_cast<int>(hashes.size()) < count && !ShutdownRequested()) {
        auto tmpl = assembler.CreateNewBlock(options);
        Block block = *tmpl->block;
        std::shared_ptr<const Block> solved;
        // Nonce space exhausted: a new extra nonce in the coinbase gives a
        // new merkle root to grind on.
        for (uint64_t extra_nonce = 1; !solved; ++extra_nonce) {
            if (!GenerateBlock(chainman, block, max_tries, solved, /*process=*/true)) return hashes;
            if (!solved) {
                SetExtraNonce(block, tmpl->height, extra_nonce);
                RegenerateCommitments(block, chainman);
                block.nonce = 0;
            }
        }
        hashes.push_back(solved->GetHash());
    }
    return hashes;
}

void SetDefaultBlockTxSource(BlockTxSource* source) { g_default_tx_source = source; }
BlockTxSource* DefaultBlockTxSource() { return g_default_tx_source; }

void RegisterMiningOptions(ArgsManager& args)
{
    args.AddArg("-blockmaxweight=<n>", "Largest weight (BIP141 weight units) a block template may reach (default: 4000000)", ALLOW_ANY,
                OptionsCategory::BLOCK_CREATION);
    args.AddArg("-blockmintxfee=<amt>",
                "Leave transactions paying a lower fee rate than this (BTC/kvB) out of block templates (default: 0.00000001)",
                ALLOW_ANY, OptionsCategory::BLOCK_CREATION);
}

std::unique_ptr<MempoolTxSource> MakeMempoolTxSource(const ArgsManager& args, const TxMempool& pool, std::string& error)
{
    const int64_t max_weight = args.GetIntArg("-blockmaxweight", 4000000);
    if (max_weight < 8000 || max_weight > 4000000) {
        error = "Specified -blockmaxweight (" + std::to_string(max_weight) + ") is out of range";
        return nullptr;
    }
    FeeRate min_fee;
    if (!ParseFeeRateOption(args, "-blockmintxfee", DEFAULT_BLOCK_MIN_TX_FEE, min_fee, error)) return nullptr;
    return std::make_unique<MempoolTxSource>(pool, min_fee.GetFeePerK(), max_weight - COINBASE_RESERVED_WEIGHT);
}

std::vector<BlockCandidate> MempoolTxSource::SelectForBlock(int64_t max_weight, int64_t max_sigops_cost)
{
    max_weight = std::min(max_weight, m_max_tx_weight);
    std::lock_guard lock(m_pool.Mutex());
    std::vector<BlockCandidate> selected;
    std::set<uint256> included;
    std::set<uint256> failed;
    const auto entries = m_pool.GetEntries();
    int64_t weight = 0;
    int64_t sigops = 0;
    // Each round takes the best remaining package; small pools make the
    // quadratic scan cheap, and a package that does not fit is not retried.
    while (true) {
        const TxMempoolEntry* best = nullptr;
        std::set<uint256> best_package;
        Amount best_fee = 0;
        int64_t best_vsize = 1;
        for (const TxMempoolEntry* e : entries) {
            const uint256& txid = e->GetTxid();
            if (included.count(txid) || failed.count(txid)) continue;
            std::set<uint256> package = m_pool.CalculateAncestors(txid);
            package.insert(txid);
            Amount fee = 0;
            int64_t vsize = 0;
            bool blocked = false;
            for (const uint256& member : package) {
                if (included.count(member)) continue;
                if (failed.count(member)) blocked = true;
                const TxMempoolEntry* m = m_pool.GetEntry(member);
                if (!m) { blocked = true; break; }
                fee += m->GetModifiedFee();
                vsize += m->GetTxSize();
            }
            if (blocked) continue;
            // fee / vsize > best_fee / best_vsize, in integers.
            if (!best || static_cast<__int128>(fee) * best_vsize > static_cast<__int128>(best_fee) * vsize) {
                best = e;
                best_package = std::move(package);
                best_fee = fee;
                best_vsize = vsize;
            }
        }
        if (!best) break;
        // Below the minimum: this and every worse package stay out.
        if (static_cast<__int128>(best_fee) * 1000 < static_cast<__int128>(m_min_feerate) * best_vsize) break;
        std::vector<const TxMempoolEntry*> members;
        int64_t add_weight = 0;
        int64_t add_sigops = 0;
        for (const uint256& member : best_package) {
            if (included.count(member)) continue;
            const TxMempoolEntry* m = m_pool.GetEntry(member);
            members.push_back(m);
            add_weight += m->GetTxWeight();
            add_sigops += m->GetSigOpCost();
        }
        if (weight + add_weight > max_weight || sigops + add_sigops > max_sigops_cost) {
            failed.insert(best->GetTxid());
            continue;
        }
        // Parents first: fewer in-mempool ancestors sorts earlier.
        std::sort(members.begin(), members.end(), [](const TxMempoolEntry* a, const TxMempoolEntry* b) {
            return a->GetCountWithAncestors() < b->GetCountWithAncestors();
        });
        for (const TxMempoolEntry* m : members) {
            selected.push_back(BlockCandidate{m->GetSharedTx(), m->GetFee(), m->GetSigOpCost()});
            included.insert(m->GetTxid());
        }
        weight += add_weight;
        sigops += add_sigops;
    }
    return selected;
}

} // namespace node
