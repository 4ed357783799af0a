#include <consensus/merkle.h>

#include <crypto/sha256.h>

uint256 ComputeMerkleRoot(std::vector<uint256> leaves, bool* mutated)
{
    bool equal_pair = false;
    if (leaves.empty()) {
        if (mutated) *mutated = false;
        return uint256{};
    }
    // Each level is computed in place: node i of the next level overwrites
    // leaves[i]. uint256 is 32 plain bytes, so the level is one contiguous
    // array of 64-byte pairs that Sha256D64 hashes in one batch. Output i
    // lands on bytes of input pairs <= i/2, which every backend has read by
    // then (each loads its inputs before storing): in place is safe.
    static_assert(sizeof(uint256) == 32);
    while (leaves.size() > 1) {
        for (size_t i = 0; i + 1 < leaves.size(); i += 2) {
            if (leaves[i] == leaves[i + 1]) equal_pair = true;
        }
        if (leaves.size() % 2 != 0) leaves.push_back(leaves.back());
        const size_t pairs = leaves.size() / 2;
        Sha256D64(leaves[0].data(), leaves[0].data(), pairs);
        leaves.resize(pairs);
    }
    if (mutated) *mutated = equal_pair;
    return leaves[0];
}

uint256 BlockMerkleRoot(const Block& block, bool* mutated)
{
    std::vector<uint256> leaves;
    leaves.reserve(block.vtx.size());
    for (const TransactionRef& tx : block.vtx) leaves.push_back(tx->GetHash());
    return ComputeMerkleRoot(std::move(leaves), mutated);
}

uint256 BlockWitnessMerkleRoot(const Block& block, bool* mutated)
{
    std::vector<uint256> leaves;
    leaves.reserve(block.vtx.size());
    for (const TransactionRef& tx : block.vtx) leaves.push_back(tx->GetWitnessHash());
    // The coinbase cannot commit to its own wtxid.
    if (!leaves.empty()) leaves[0].SetNull();
    return ComputeMerkleRoot(std::move(leaves), mutated);
}
