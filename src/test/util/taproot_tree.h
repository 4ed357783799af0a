#ifndef BITCOIN_TEST_UTIL_TAPROOT_TREE_H
#define BITCOIN_TEST_UTIL_TAPROOT_TREE_H

// BIP341 script-tree hashing for the tests: leaf and branch hashes and the
// merkle path a control block carries. Written from BIP341 so the tests can
// build taproot outputs independently of the interpreter under test.

#include <uint256.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace test_util {

// The BIP341 leaf version of tapscript.
constexpr uint8_t TAPSCRIPT_LEAF_VERSION = 0xc0;

// tagged_hash("TapLeaf", leaf_version || compact_size(len) || script)
uint256 TapLeafHash(uint8_t leaf_version, std::span<const unsigned char> script);
// tagged_hash("TapBranch", min(a, b) || max(a, b)), ordered bytewise
uint256 TapBranchHash(const uint256& a, const uint256& b);
// tagged_hash("TapTweak", internal_key || merkle_root), merkle_root omitted when null
uint256 TapTweakHash(std::span<const unsigned char, 32> internal_key, const uint256* merkle_root);

// Control block: (leaf_version | output key parity) || internal key || path.
std::vector<unsigned char> MakeControlBlock(uint8_t leaf_version, bool output_key_parity,
                                            std::span<const unsigned char, 32> internal_key,
                                            const std::vector<uint256>& path);

// Hex of the bytes in storage order (BIP341 vectors print hashes that way).
std::string BytesHex(std::span<const unsigned char> bytes);

} // namespace test_util

#endif
