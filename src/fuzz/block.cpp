// Block deserialization and the context-free block checks on whatever comes out.

#include <consensus/block_check.h>
#include <consensus/merkle.h>
#include <consensus/validation.h>
#include <primitives/block.h>
#include <streams.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ios>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    SpanReader reader{std::span<const unsigned char>{data, size}};
    Block block;
    try {
        reader >> TX_WITH_WITNESS(block);
    } catch (const std::ios_base::failure&) {
        return 0;
    }
    const size_t consumed = size - reader.size();
    bool every_tx_has_inputs = true;
    for (const auto& tx : block.vtx) every_tx_has_inputs = every_tx_has_inputs && !tx->vin.empty();
    if (every_tx_has_inputs) {
        DataStream out;
        out << TX_WITH_WITNESS(block);
        if (out.size() != consumed || std::memcmp(out.data(), data, consumed) != 0) std::abort();
    }
    (void)block.GetHash();
    bool mutated = false;
    (void)BlockMerkleRoot(block, &mutated);
    (void)BlockWitnessMerkleRoot(block, &mutated);
    (void)GetBlockWeight(block);
    (void)GetWitnessCommitmentIndex(block);
    // Any target will do with proof of work unchecked; the merkle root is
    // checked, so most inputs stop there, and once without it.
    const uint256 pow_limit{};
    for (const bool check_merkle : {true, false}) {
        BlockValidationState state;
        (void)CheckBlock(block, state, pow_limit, /*check_pow=*/false, check_merkle);
    }
    BlockValidationState witness_state;
    (void)CheckWitnessCommitment(block, witness_state);
    return 0;
}
