// Merkle root of a 2000-transaction block, and deserialization plus the
// context-free checks of the largest real block in the test vectors (866342,
// 1.58 MB, 4864 transactions).

#include <consensus/block_check.h>
#include <consensus/merkle.h>
#include <primitives/block.h>
#include <streams.h>

#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

const uint256 MAINNET_POW_LIMIT =
    *uint256::FromHex("00000000ffff0000000000000000000000000000000000000000000000000000");

const std::vector<unsigned char>& Block866342Bytes()
{
    static const std::vector<unsigned char> bytes = [] {
        const std::string path = std::string(SHARED_TESTVECTORS_DIR) + "/blocks/mainnet_block_866342.raw";
        std::ifstream file(path, std::ios::binary);
        if (!file) throw std::runtime_error("cannot open " + path);
        return std::vector<unsigned char>(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
    }();
    return bytes;
}

Block ParseBlock(const std::vector<unsigned char>& bytes)
{
    SpanReader reader(bytes);
    Block block;
    reader >> block;
    if (!reader.empty()) throw std::runtime_error("trailing data");
    return block;
}

// txids of the first 2000 transactions of block 866342.
std::vector<uint256> FirstTxids(size_t count)
{
    const Block block = ParseBlock(Block866342Bytes());
    std::vector<uint256> txids;
    for (size_t i = 0; i < count && i < block.vtx.size(); ++i) txids.push_back(block.vtx[i]->GetHash());
    return txids;
}

void MerkleRoot2000(benchmark::State& state)
{
    const std::vector<uint256> leaves = FirstTxids(2000);
    for (auto _ : state) {
        bool mutated = false;
        uint256 root = ComputeMerkleRoot(leaves, &mutated);
        benchmark::DoNotOptimize(root);
    }
    state.SetItemsProcessed(state.iterations() * leaves.size());
}

void DeserializeBlock866342(benchmark::State& state)
{
    const std::vector<unsigned char>& bytes = Block866342Bytes();
    for (auto _ : state) {
        Block block = ParseBlock(bytes);
        benchmark::DoNotOptimize(block);
    }
    state.SetBytesProcessed(state.iterations() * bytes.size());
}

void CheckBlock866342(benchmark::State& state)
{
    const Block block = ParseBlock(Block866342Bytes());
    for (auto _ : state) {
        BlockValidationState validation;
        bool ok = CheckBlock(block, validation, MAINNET_POW_LIMIT) && CheckWitnessCommitment(block, validation) &&
                  CheckBlockWeight(block, validation);
        if (!ok) state.SkipWithError(validation.ToString().c_str());
        benchmark::DoNotOptimize(ok);
    }
}

void DeserializeAndCheckBlock866342(benchmark::State& state)
{
    const std::vector<unsigned char>& bytes = Block866342Bytes();
    for (auto _ : state) {
        const Block block = ParseBlock(bytes);
        BlockValidationState validation;
        bool ok = CheckBlock(block, validation, MAINNET_POW_LIMIT) && CheckWitnessCommitment(block, validation) &&
                  CheckBlockWeight(block, validation);
        if (!ok) state.SkipWithError(validation.ToString().c_str());
        benchmark::DoNotOptimize(ok);
    }
    state.SetBytesProcessed(state.iterations() * bytes.size());
}

} // namespace

BENCHMARK(MerkleRoot2000)->Unit(benchmark::kMicrosecond);
BENCHMARK(DeserializeBlock866342)->Unit(benchmark::kMillisecond);
BENCHMARK(CheckBlock866342)->Unit(benchmark::kMillisecond);
BENCHMARK(DeserializeAndCheckBlock866342)->Unit(benchmark::kMillisecond);
