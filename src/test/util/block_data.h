#ifndef BITCOIN_TEST_UTIL_BLOCK_DATA_H
#define BITCOIN_TEST_UTIL_BLOCK_DATA_H

// Real mainnet block 866342 (October 2024, 4864 transactions) and the 7,972
// outputs its inputs spend, from the shared vectors: enough to verify every
// script of the block without a UTXO set.

#include <primitives/block.h>
#include <primitives/transaction.h>

#include <vector>

namespace test_util {

struct BlockWithSpentOutputs {
    Block block;
    // spent[t][i] is the output spent by input i of block.vtx[t]; empty for the coinbase.
    std::vector<std::vector<TxOut>> spent;
    size_t input_count = 0; // non-coinbase inputs
};

constexpr size_t BLOCK_866342_INPUTS = 7972;

// Throws std::runtime_error if the files are missing or do not fit together.
BlockWithSpentOutputs LoadBlock866342();

} // namespace test_util

#endif
