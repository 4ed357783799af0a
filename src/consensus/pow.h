#pragma once

// Proof of work against the compact target in a block header.

#include <arith_uint256.h>
#include <uint256.h>

#include <cstdint>
#include <optional>

// The target encoded by `bits`, or nothing when it is negative, zero,
// overflows 256 bits or is easier than pow_limit.
std::optional<arith_uint256> DeriveTarget(uint32_t bits, const uint256& pow_limit);

// The header hash, read as a 256-bit little-endian number, is at most the
// target and the target is valid.
bool CheckProofOfWork(const uint256& hash, uint32_t bits, const uint256& pow_limit);

// Expected number of hashes to find a block at this target: 2^256 / (target + 1).
// Zero for an invalid target.
arith_uint256 GetBlockProof(uint32_t bits);
