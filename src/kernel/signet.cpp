#include <kernel/signet.h>

#include <consensus/block_check.h>
#include <consensus/merkle.h>
#include <script/interpreter.h>
#include <script/sighash.h>
#include <streams.h>

#include <algorithm>
#include <exception>

namespace {

// Script flags the solution is checked with (BIP325).
constexpr uint32_t SIGNET_SCRIPT_FLAGS =
    SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS | SCRIPT_VERIFY_DERSIG | SCRIPT_VERIFY_NULLDUMMY;

bool StartsWithHeader(const std::vector<unsigned char>& push)
{
    return push.size() > sizeof(SIGNET_HEADER) &&
           std::equal(std::begin(SIGNET_HEADER), std::end(SIGNET_HEADER), push.begin());
}

// Takes the solution out of the commitment script: the first push that starts
// with the signet header and has data after it is cut back to the header, and
// the script is rewritten from its operations with that change (pushes in
// their length-based encoding). A malformed tail ends the scan and is left
// out of the rewritten script, as the network's nodes do. Returns the data,
// empty when there is no such push (the script is then left alone).
std::vector<unsigned char> ExtractSolution(Script& commitment_script)
{
    Script rewritten;
    std::vector<unsigned char> solution;
    bool found = false;
    auto pc = commitment_script.cbegin();
    opcodetype op;
    std::vector<unsigned char> push;
    while (commitment_script.GetOp(pc, op, push)) {
        if (push.empty()) {
            rewritten << op;
            continue;
        }
        if (!found && StartsWithHeader(push)) {
            solution.assign(push.begin() + sizeof(SIGNET_HEADER), push.end());
            push.resize(sizeof(SIGNET_HEADER));
            found = true;
        }
        rewritten << std::span<const unsigned char>(push);
    }
    if (found) commitment_script = std::move(rewritten);
    return solution;
}

// scriptSig then witness stack, nothing after them.
bool ParseSolution(const std::vector<unsigned char>& bytes, TxIn& input)
{
    if (bytes.empty()) return true;
    try {
        SpanReader reader{bytes};
        reader >> input.script_sig;
        reader >> input.witness.stack;
        return reader.empty();
    } catch (const std::exception&) {
        return false;
    }
}

} // namespace

std::optional<SignetTxs> CreateSignetTxs(const Block& block, const Script& challenge)
{
    if (block.vtx.empty()) return std::nullopt;
    const int commitment_index = GetWitnessCommitmentIndex(block);
    if (commitment_index == NO_WITNESS_COMMITMENT) return std::nullopt;

    MutableTransaction coinbase(*block.vtx[0]);
    const std::vector<unsigned char> solution = ExtractSolution(coinbase.vout[commitment_index].script_pubkey);

    SignetTxs txs;
    TxIn signing_input;
    signing_input.sequence = 0;
    if (!ParseSolution(solution, signing_input)) return std::nullopt;

    // The block as signed: its merkle root with the solution taken out.
    std::vector<uint256> leaves;
    leaves.reserve(block.vtx.size());
    leaves.push_back(Transaction(coinbase).GetHash());
    for (size_t i = 1; i < block.vtx.size(); ++i) leaves.push_back(block.vtx[i]->GetHash());
    const uint256 signed_root = ComputeMerkleRoot(std::move(leaves));

    DataStream block_data;
    block_data << block.version << block.prev_block << signed_root << block.time;

    txs.to_spend.version = 0;
    txs.to_spend.lock_time = 0;
    txs.to_spend.vin.resize(1);
    txs.to_spend.vin[0].prevout = OutPoint{}; // null hash, index 0xffffffff
    txs.to_spend.vin[0].sequence = 0;
    txs.to_spend.vin[0].script_sig << OP_0 << std::span<const unsigned char>(block_data.data(), block_data.size());
    txs.to_spend.vout.resize(1);
    txs.to_spend.vout[0].value = 0;
    txs.to_spend.vout[0].script_pubkey = challenge;

    txs.to_sign.version = 0;
    txs.to_sign.lock_time = 0;
    signing_input.prevout.hash = txs.to_spend.GetHash();
    signing_input.prevout.n = 0;
    txs.to_sign.vin.push_back(std::move(signing_input));
    txs.to_sign.vout.resize(1);
    txs.to_sign.vout[0].value = 0;
    txs.to_sign.vout[0].script_pubkey << OP_RETURN;
    return txs;
}

bool CheckSignetBlockSolution(const Block& block, const ConsensusParams& params)
{
    // The genesis block carries no solution.
    if (block.GetHash() == params.genesis_hash) return true;

    const Script challenge(params.signet_challenge);
    const std::optional<SignetTxs> txs = CreateSignetTxs(block, challenge);
    if (!txs) return false;

    const Transaction to_sign(txs->to_sign);
    PrecomputedTransactionData txdata;
    txdata.Init(to_sign, {txs->to_spend.vout[0]}, true);
    const TransactionSignatureChecker checker(&to_sign, 0, txs->to_spend.vout[0].value, txdata);
    const TxIn& input = to_sign.vin[0];
    return VerifyScript(input.script_sig, challenge, &input.witness, SIGNET_SCRIPT_FLAGS, checker);
}
