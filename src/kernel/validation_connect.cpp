// Connecting a block to the coins (all consensus rules that need the UTXO
// set, scripts in parallel) and disconnecting it with its undo data.

#include <kernel/validation.h>

#include <consensus/amount.h>
#include <consensus/consensus.h>
#include <consensus/subsidy.h>
#include <consensus/tx_verify.h>
#include <kernel/undo.h>
#include <script/interpreter.h>
#include <script/script_error.h>
#include <util/trace.h>

#include <chrono>
#include <string>

namespace {

// Below this height a BIP34 coinbase cannot repeat an earlier coinbase's
// txid (the first pre-BIP34 scriptSig that decodes as a later height is
// 1,983,702), so BIP30 lookups are skipped between BIP34 and it.
constexpr int BIP34_IMPLIES_BIP30_LIMIT = 1983702;

bool IsBip30Exception(const BlockIndex& index, const ConsensusParams& consensus)
{
    for (const auto& [height, hash] : consensus.bip30_exceptions) {
        if (index.height == height && index.GetBlockHash() == hash) return true;
    }
    return false;
}

bool EnforceBip30(const BlockIndex& index, const ConsensusParams& consensus)
{
    if (IsBip30Exception(index, consensus)) return false;
    if (consensus.bip34_hash.IsNull() || index.height >= BIP34_IMPLIES_BIP30_LIMIT) return true;
    const BlockIndex* bip34 = index.prev ? index.prev->GetAncestor(consensus.bip34_height) : nullptr;
    return !(bip34 && bip34->GetBlockHash() == consensus.bip34_hash);
}

// "bad-txns-BIP30": a transaction of the block would overwrite an unspent output.
bool CheckNoOverwrite(const Block& block, const CoinsViewCache& view, BlockValidationState& state)
{
    for (const TransactionRef& tx : block.vtx) {
        for (uint32_t o = 0; o < tx->vout.size(); ++o) {
            if (view.HaveCoin(OutPoint{tx->GetHash(), o})) {
                return state.Invalid(BlockValidationResult::CONSENSUS, "bad-txns-BIP30",
                                     "tried to overwrite transaction " + tx->GetHash().GetHex());
            }
        }
    }
    return true;
}

// What the input checks of a transaction need to know about its block.
struct SpendContext {
    int height = 0;
    unsigned lock_flags = 0;
    int64_t prev_median_time_past = 0;
    MedianTimePastAt median_time_past_at;
};

// The inputs exist unspent, their values and maturity allow the spend
// (CheckTxInputs) and the BIP68 sequence locks are met. Fills the outputs
// the inputs spend and the fee.
bool CheckSpends(const Transaction& tx, const CoinsViewCache& view, const SpendContext& ctx,
                 std::vector<TxOut>& spent_outputs, Amount& fee, BlockValidationState& state)
{
    std::vector<SpentCoin> coins;
    std::vector<int> prev_heights;
    coins.reserve(tx.vin.size());
    for (const TxIn& in : tx.vin) {
        const Coin& coin = view.AccessCoin(in.prevout);
        if (coin.IsSpent()) {
            return state.Invalid(BlockValidationResult::CONSENSUS, "bad-txns-inputs-missingorspent",
                                 "tx " + tx.GetHash().GetHex() + " input " + in.prevout.ToString());
        }
        coins.push_back(SpentCoin{coin.out, static_cast<int>(coin.height), coin.coinbase});
        spent_outputs.push_back(coin.out);
        prev_heights.push_back(static_cast<int>(coin.height));
    }
    TxValidationState tx_state;
    if (!CheckTxInputs(tx, tx_state, coins, ctx.height, fee)) {
        return state.Invalid(BlockValidationResult::CONSENSUS, tx_state.GetRejectReason(),
                             tx_state.GetDebugMessage() + " in tx " + tx.GetHash().GetHex());
    }
    if (!SequenceLocksSatisfied(tx, ctx.lock_flags, prev_heights, ctx.height, ctx.prev_median_time_past,
                                ctx.median_time_past_at)) {
        return state.Invalid(BlockValidationResult::CONSENSUS, "bad-txns-nonfinal",
                             "contains a non-BIP68-final transaction " + tx.GetHash().GetHex());
    }
    return true;
}

} // namespace

bool ChainstateManager::ShouldCheckScripts(const BlockIndex& index) const
{
    if (m_assumevalid_hash.IsNull()) return true;
    const BlockIndex* av = m_blockman->LookupBlockIndex(m_assumevalid_hash);
    if (!av || av->GetAncestor(index.height) != &index) return true;
    // The assumed-valid block must be on the best header chain, and that
    // chain must carry at least the network's minimum work.
    if (!m_best_header || m_best_header->GetAncestor(av->height) != av) return true;
    if (m_best_header->chain_work < MinimumChainWork()) return true;
    // And the block must be buried under at least two weeks' worth of work
    // (at the best header's difficulty): a fake header chain that long costs
    // too much to feed a node a bad block that way.
    constexpr int64_t TWO_WEEKS = 60 * 60 * 24 * 7 * 2;
    const int64_t buried = GetBlockProofEquivalentTime(*m_best_header, index, *m_best_header,
                                                       Params().GetConsensus().pow_target_spacing);
    return buried <= TWO_WEEKS;
}

bool ChainstateManager::ConnectBlock(const Block& block, BlockValidationState& state, BlockIndex* index,
                                     CoinsViewCache& view, bool just_check)
{
    const auto start = std::chrono::steady_clock::now();
    const ConsensusParams& consensus = Params().GetConsensus();
    const uint256 hash = index->GetBlockHash();
    // The genesis coinbase is not spendable: nothing to add.
    if (hash == consensus.genesis_hash) {
        if (!just_check) view.SetBestBlock(hash);
        return true;
    }
    const int height = index->height;
    const bool check_scripts = ShouldCheckScripts(*index);
    if (EnforceBip30(*index, consensus) && !CheckNoOverwrite(block, view, state)) return false;
    const uint32_t flags = GetBlockScriptFlags(*index, Params());
    const SpendContext spend_context{
        .height = height,
        .lock_flags = height >= consensus.csv_height ? LOCKTIME_VERIFY_SEQUENCE : 0U,
        .prev_median_time_past = index->prev->GetMedianTimePast(),
        .median_time_past_at = [index](int h) { return index->GetAncestor(h)->GetMedianTimePast(); },
    };

    BlockUndo undo;
    undo.vtxundo.reserve(block.vtx.size() - 1);
    std::vector<PrecomputedTransactionData> txdata(block.vtx.size());
    std::vector<ScriptCheck> checks;
    SignatureCache* const sigcache = m_options.use_signature_cache ? &m_sigcache : nullptr;
    Amount fees = 0;
    int64_t sigop_cost = 0;
    uint64_t sigops_non_coinbase = 0;
    int32_t inputs = 0;
    for (size_t i = 0; i < block.vtx.size(); ++i) {
        const Transaction& tx = *block.vtx[i];
        inputs += static_cast<int32_t>(tx.vin.size());
        std::vector<TxOut> spent_outputs;
        if (!tx.IsCoinBase()) {
            Amount fee = 0;
            if (!CheckSpends(tx, view, spend_context, spent_outputs, fee, state)) return false;
            fees += fee;
            if (!MoneyRange(fees)) {
                return state.Invalid(BlockValidationResult::CONSENSUS, "bad-txns-accumulated-fee-outofrange");
            }
        }
        const int64_t tx_cost = GetTransactionSigOpCost(tx, spent_outputs, flags);
        sigop_cost += tx_cost;
        if (!tx.IsCoinBase()) sigops_non_coinbase += static_cast<uint64_t>(tx_cost);
        if (sigop_cost > MAX_BLOCK_SIGOPS_COST) {
            return state.Invalid(BlockValidationResult::CONSENSUS, "bad-blk-sigops", "too many sigops");
        }
        if (!tx.IsCoinBase()) {
            txdata[i].Init(tx, spent_outputs);
            if (check_scripts) {
                for (unsigned n = 0; n < tx.vin.size(); ++n) {
                    checks.push_back(ScriptCheck{&tx, i, n, spent_outputs[n], flags, &txdata[i], sigcache});
                }
            }
            TxUndo& tx_undo = undo.vtxundo.emplace_back();
            tx_undo.prevout.resize(tx.vin.size());
            for (size_t n = 0; n < tx.vin.size(); ++n) view.SpendCoin(tx.vin[n].prevout, &tx_undo.prevout[n]);
        }
        AddCoins(view, tx, height);
    }
    const Amount allowed = fees + GetBlockSubsidy(height, consensus.subsidy_halving_interval);
    if (block.vtx[0]->GetValueOut() > allowed) {
        return state.Invalid(BlockValidationResult::CONSENSUS, "bad-cb-amount",
                             "coinbase pays too much (actual=" + std::to_string(block.vtx[0]->GetValueOut()) +
                                 " vs limit=" + std::to_string(allowed) + ")");
    }
    m_script_checks_run += checks.size();
    if (auto failure = m_script_queue.Run(checks)) {
        return state.Invalid(BlockValidationResult::CONSENSUS,
                             std::string("block-script-verify-flag-failed (") +
                                 ScriptErrorMessage(failure->error) + ")",
                             "tx " + block.vtx[failure->tx_index]->GetHash().GetHex() + " input " +
                                 std::to_string(failure->input));
    }
    if (just_check) return true;

    if (!(index->status & BLOCK_HAVE_UNDO)) {
        if (!m_blockman->WriteUndo(undo, *index)) return state.Error("failed to write undo data");
    }
    index->RaiseValidity(BLOCK_VALID_SCRIPTS);
    SetDirty(index);
    view.SetBestBlock(hash);

    const uint64_t duration_ns = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count());
    const int32_t trace_height = height;
    const uint64_t tx_count = block.vtx.size();
    TRACEPOINT(validation, block_connected, hash.data(), trace_height, tx_count, inputs, sigops_non_coinbase,
               duration_ns);
    return true;
}

ChainstateManager::DisconnectResult ChainstateManager::DisconnectBlock(const Block& block, const BlockIndex& index,
                                                                      CoinsViewCache& view)
{
    BlockUndo undo;
    std::string error;
    if (!m_blockman->ReadUndo(undo, index, &error)) return DisconnectResult::FAILED;
    if (undo.vtxundo.size() + 1 != block.vtx.size()) return DisconnectResult::FAILED;
    bool clean = true;
    for (size_t i = block.vtx.size(); i-- > 0;) {
        const Transaction& tx = *block.vtx[i];
        for (uint32_t o = 0; o < tx.vout.size(); ++o) {
            if (tx.vout[o].script_pubkey.IsUnspendable()) continue;
            Coin coin;
            if (!view.SpendCoin(OutPoint{tx.GetHash(), o}, &coin)) {
                clean = false;
                continue;
            }
            if (coin.out != tx.vout[o] || coin.height != static_cast<uint32_t>(index.height) ||
                coin.coinbase != tx.IsCoinBase()) {
                clean = false;
            }
        }
        if (i == 0) break;
        TxUndo& tx_undo = undo.vtxundo[i - 1];
        if (tx_undo.prevout.size() != tx.vin.size()) return DisconnectResult::FAILED;
        for (size_t n = tx.vin.size(); n-- > 0;) {
            const OutPoint& prevout = tx.vin[n].prevout;
            if (view.HaveCoin(prevout)) clean = false;
            view.AddCoin(prevout, std::move(tx_undo.prevout[n]), /*possible_overwrite=*/true);
        }
    }
    view.SetBestBlock(index.prev ? index.prev->GetBlockHash() : uint256{});
    return clean ? DisconnectResult::OK : DisconnectResult::UNCLEAN;
}

void ChainstateManager::ApplyBlockIdempotent(const Block& block, const BlockIndex& index, CoinsViewCache& view)
{
    if (index.GetBlockHash() == Params().GetConsensus().genesis_hash) return;
    for (const TransactionRef& tx : block.vtx) {
        if (!tx->IsCoinBase()) {
            for (const TxIn& in : tx->vin) view.SpendCoin(in.prevout);
        }
        for (uint32_t o = 0; o < tx->vout.size(); ++o) {
            if (tx->vout[o].script_pubkey.IsUnspendable()) continue;
            view.AddCoin(OutPoint{tx->GetHash(), o}, Coin{tx->vout[o], static_cast<uint32_t>(index.height),
                                                            tx->IsCoinBase()},
                         /*possible_overwrite=*/true);
        }
    }
}
