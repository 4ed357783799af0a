#pragma once

// Merkle trees of transaction ids (block header) and witness ids (BIP141).

#include <primitives/block.h>
#include <uint256.h>

#include <vector>

// Root of the tree over `leaves`: each level pairs neighbours, SHA256d of the
// 64-byte concatenation, the last hash paired with itself when a level is odd.
// That duplication lets two different transaction lists have the same root
// (CVE-2012-2459): *mutated is set when a level holds two equal neighbours,
// which is how such a list is recognised. The root of no leaves is zero.
uint256 ComputeMerkleRoot(std::vector<uint256> leaves, bool* mutated = nullptr);

// Tree of the block's txids.
uint256 BlockMerkleRoot(const Block& block, bool* mutated = nullptr);

// Tree of the block's wtxids, with the coinbase's taken as zero (BIP141).
uint256 BlockWitnessMerkleRoot(const Block& block, bool* mutated = nullptr);
