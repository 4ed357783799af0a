#include <consensus/block_check.h>

#include <consensus/consensus.h>
#include <consensus/merkle.h>
#include <consensus/pow.h>
#include <consensus/tx_check.h>
#include <consensus/tx_verify.h>
#include <serialize.h>
#include <streams.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace {

// OP_RETURN, push of 36 bytes, then the 4-byte commitment tag (BIP141).
constexpr std::array<unsigned char, 6> WITNESS_COMMITMENT_PREFIX = {0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed};
constexpr size_t WITNESS_COMMITMENT_SCRIPT_MIN_SIZE = 38;

size_t StrippedBlockSize(const Block& block)
{
    SizeComputer size;
    block.SerializeBlock(size, false);
    return size.size();
}

bool CheckBlockMerkleRoot(const Block& block, BlockValidationState& state)
{
    bool mutated = false;
    const uint256 root = BlockMerkleRoot(block, &mutated);
    if (root != block.merkle_root) {
        return state.Invalid(BlockValidationResult::MUTATED, "bad-txnmrklroot", "hashMerkleRoot mismatch");
    }
    // A transaction list with a duplicated tail has the root of the honest
    // list: reject it without marking the honest block invalid.
    if (mutated) return state.Invalid(BlockValidationResult::MUTATED, "bad-txns-duplicate", "duplicate transaction");
    return true;
}

bool CheckBlockSizeLimits(const Block& block, BlockValidationState& state)
{
    // Cheap bounds before anything scales with the block: every transaction
    // weighs at least WITNESS_SCALE_FACTOR times its stripped size.
    if (block.vtx.empty() || block.vtx.size() * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT ||
        StrippedBlockSize(block) * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT) {
        return state.Invalid(BlockValidationResult::CONSENSUS, "bad-blk-length", "size limits failed");
    }
    return true;
}

bool CheckCoinbasePlacement(const Block& block, BlockValidationState& state)
{
    if (!block.vtx[0]->IsCoinBase()) {
        return state.Invalid(BlockValidationResult::CONSENSUS, "bad-cb-missing", "first tx is not coinbase");
    }
    for (size_t i = 1; i < block.vtx.size(); ++i) {
        if (block.vtx[i]->IsCoinBase()) {
            return state.Invalid(BlockValidationResult::CONSENSUS, "bad-cb-multiple", "more than one coinbase");
        }
    }
    return true;
}

bool CheckBlockTransactions(const Block& block, BlockValidationState& state)
{
    for (const TransactionRef& tx : block.vtx) {
        TxValidationState tx_state;
        if (!CheckTransaction(*tx, tx_state)) {
            return state.Invalid(BlockValidationResult::CONSENSUS, tx_state.GetRejectReason(),
                                 "Transaction check failed (tx hash " + tx->GetHash().GetHex() + ") " +
                                     tx_state.GetDebugMessage());
        }
    }
    return true;
}

bool CheckBlockLegacySigOps(const Block& block, BlockValidationState& state)
{
    int64_t sigops = 0;
    for (const TransactionRef& tx : block.vtx) sigops += GetLegacySigOpCount(*tx);
    if (sigops * WITNESS_SCALE_FACTOR > MAX_BLOCK_SIGOPS_COST) {
        return state.Invalid(BlockValidationResult::CONSENSUS, "bad-blk-sigops", "out-of-bounds SigOpCount");
    }
    return true;
}

} // namespace

bool CheckBlockHeader(const BlockHeader& header, BlockValidationState& state, const uint256& pow_limit,
                      bool check_pow)
{
    if (check_pow && !CheckProofOfWork(header.GetHash(), header.bits, pow_limit)) {
        return state.Invalid(BlockValidationResult::INVALID_HEADER, "high-hash", "proof of work failed");
    }
    return true;
}

bool CheckBlock(const Block& block, BlockValidationState& state, const uint256& pow_limit, bool check_pow,
                bool check_merkle_root)
{
    if (!CheckBlockHeader(block, state, pow_limit, check_pow)) return false;
    if (check_merkle_root && !CheckBlockMerkleRoot(block, state)) return false;
    if (!CheckBlockSizeLimits(block, state)) return false;
    if (!CheckCoinbasePlacement(block, state)) return false;
    if (!CheckBlockTransactions(block, state)) return false;
    return CheckBlockLegacySigOps(block, state);
}

int GetWitnessCommitmentIndex(const Block& block)
{
    if (block.vtx.empty()) return NO_WITNESS_COMMITMENT;
    int index = NO_WITNESS_COMMITMENT;
    const std::vector<TxOut>& outputs = block.vtx[0]->vout;
    for (size_t i = 0; i < outputs.size(); ++i) {
        const Script& script = outputs[i].script_pubkey;
        if (script.size() >= WITNESS_COMMITMENT_SCRIPT_MIN_SIZE &&
            std::equal(WITNESS_COMMITMENT_PREFIX.begin(), WITNESS_COMMITMENT_PREFIX.end(), script.begin())) {
            index = static_cast<int>(i); // the last one counts
        }
    }
    return index;
}

uint256 ComputeWitnessCommitment(const uint256& witness_root, const uint256& reserved_value)
{
    HashWriter hasher;
    hasher << witness_root << reserved_value;
    return hasher.GetHash();
}

bool CheckWitnessCommitment(const Block& block, BlockValidationState& state, bool segwit_active)
{
    const int index = segwit_active ? GetWitnessCommitmentIndex(block) : NO_WITNESS_COMMITMENT;
    if (index != NO_WITNESS_COMMITMENT) {
        const Transaction& coinbase = *block.vtx[0];
        if (coinbase.vin.empty() || coinbase.vin[0].witness.stack.size() != 1 ||
            coinbase.vin[0].witness.stack[0].size() != 32) {
            return state.Invalid(BlockValidationResult::MUTATED, "bad-witness-nonce-size",
                                 "invalid witness reserved value size");
        }
        const std::vector<unsigned char>& reserved = coinbase.vin[0].witness.stack[0];
        const uint256 reserved_value{std::span<const unsigned char, 32>(reserved.data(), 32)};
        const uint256 commitment = ComputeWitnessCommitment(BlockWitnessMerkleRoot(block), reserved_value);
        const Script& script = coinbase.vout[index].script_pubkey;
        if (!std::equal(commitment.begin(), commitment.end(), script.begin() + WITNESS_COMMITMENT_PREFIX.size())) {
            return state.Invalid(BlockValidationResult::MUTATED, "bad-witness-merkle-match",
                                 "witness merkle commitment mismatch");
        }
        return true;
    }
    // Without a commitment nothing commits to witness data, so there must be none.
    for (const TransactionRef& tx : block.vtx) {
        if (tx->HasWitness()) {
            return state.Invalid(BlockValidationResult::MUTATED, "unexpected-witness",
                                 "unexpected witness data found");
        }
    }
    return true;
}

int64_t GetBlockWeight(const Block& block)
{
    SizeComputer total;
    block.SerializeBlock(total, true);
    return static_cast<int64_t>(StrippedBlockSize(block)) * (WITNESS_SCALE_FACTOR - 1) +
           static_cast<int64_t>(total.size());
}

bool CheckBlockWeight(const Block& block, BlockValidationState& state)
{
    if (GetBlockWeight(block) > MAX_BLOCK_WEIGHT) {
        return state.Invalid(BlockValidationResult::CONSENSUS, "bad-blk-weight", "weight limit failed");
    }
    return true;
}

bool CheckCoinbaseHeight(const Block& block, int height, BlockValidationState& state)
{
    Script expected;
    expected << int64_t{height};
    const bool ok = !block.vtx.empty() && !block.vtx[0]->vin.empty() &&
                    block.vtx[0]->vin[0].script_sig.size() >= expected.size() &&
                    std::equal(expected.begin(), expected.end(), block.vtx[0]->vin[0].script_sig.begin());
    if (!ok) return state.Invalid(BlockValidationResult::CONSENSUS, "bad-cb-height", "block height mismatch in coinbase");
    return true;
}

bool CheckBlockFinality(const Block& block, int height, int64_t lock_time_cutoff, BlockValidationState& state)
{
    for (const TransactionRef& tx : block.vtx) {
        if (!IsFinalTx(*tx, height, lock_time_cutoff)) {
            return state.Invalid(BlockValidationResult::CONSENSUS, "bad-txns-nonfinal", "non-final transaction");
        }
    }
    return true;
}
