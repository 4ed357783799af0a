#pragma once

// BIP325: on a signet every block carries a solution (scriptSig and witness)
// to the network's challenge script in its coinbase witness commitment
// output, signing the block minus that solution.

#include <kernel/chainparams.h>
#include <primitives/block.h>
#include <primitives/transaction.h>
#include <script/script.h>

#include <optional>

// Start of the push in the coinbase witness commitment output that carries
// the solution (the rest of the push is the serialized solution).
inline constexpr unsigned char SIGNET_HEADER[4] = {0xec, 0xc7, 0xda, 0xa2};

// The two virtual transactions of BIP325: to_spend pays to the challenge and
// commits to the block (version, parent, merkle root without the solution,
// time); to_sign spends it with the block's solution.
struct SignetTxs {
    MutableTransaction to_spend;
    MutableTransaction to_sign;
};

// Builds them from the block; nullopt when the block has no coinbase, no
// witness commitment output or a solution that does not parse exactly.
// A block without a solution push gets an empty solution.
std::optional<SignetTxs> CreateSignetTxs(const Block& block, const Script& challenge);

// True for the genesis block, or when the block's signet solution satisfies
// params.signet_challenge. Only meaningful with params.signet_blocks.
bool CheckSignetBlockSolution(const Block& block, const ConsensusParams& params);
