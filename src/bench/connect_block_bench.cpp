// Connecting blocks through the ChainstateManager (regtest, mined in process):
//   - a block of 2000 P2WPKH spends connected on 1 and 2 script threads
//     (signature cache off: every signature verified), transactions/s;
//   - the bare libsecp256k1 verification of the same 2000 signatures on the
//     same number of threads, for the ratio connect rate / raw verify rate;
//   - -reindex-chainstate of a generated 5,000-block chain, blocks/s.
//
// The in-process miner is the unit tests' chain fixture.

#include <test/util/chain_fixture.h>

#include <crypto/pubkey.h>
#include <kernel/validation.h>
#include <script/sighash.h>

#include <benchmark/benchmark.h>

#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

using test_util::ChainFixture;

constexpr int SPENDS = 2000;

void NoSigCache(ChainstateManagerOptions& o) { o.use_signature_cache = false; }

struct ConnectSetup {
    ChainFixture fixture{NoSigCache};
    uint256 block_hash;
    // (sighash, DER signature, public key) of every input, for the raw rate.
    struct Sig {
        uint256 hash;
        std::vector<unsigned char> der;
        PubKey pubkey;
    };
    std::vector<Sig> sigs;

    ConnectSetup()
    {
        auto blocks = fixture.MineBlocks(101);
        const TransactionRef split = fixture.SpendTo(ChainFixture::CoinbaseOutput(*blocks[0]), 100000, SPENDS);
        fixture.Mine({split});
        std::vector<TransactionRef> spends;
        for (uint32_t n = 0; n < SPENDS; ++n) {
            const auto input = ChainFixture::Output(split, n);
            spends.push_back(fixture.Spend({input}, {TxOut{input.out.value - 1000, fixture.PayoutScript()}}));
            Script code;
            std::vector<unsigned char> program;
            int version = 0;
            input.out.script_pubkey.IsWitnessProgram(version, program);
            code << OP_DUP << OP_HASH160 << std::span<const unsigned char>(program) << OP_EQUALVERIFY << OP_CHECKSIG;
            const Transaction& tx = *spends.back();
            Sig sig;
            sig.hash = SignatureHash(code, tx, 0, SIGHASH_ALL, input.out.value, SigVersion::WITNESS_V0);
            sig.der.assign(tx.vin[0].witness.stack[0].begin(), tx.vin[0].witness.stack[0].end() - 1);
            sig.pubkey = PubKey(tx.vin[0].witness.stack[1]);
            sigs.push_back(std::move(sig));
        }
        auto block = fixture.CreateBlock(spends);
        block_hash = block->GetHash();
        if (!fixture.Submit(block)) throw std::runtime_error("benchmark block rejected");
    }
};

ConnectSetup& Connect()
{
    static ConnectSetup setup;
    return setup;
}

void ConnectBlock2000Spends(benchmark::State& state)
{
    ConnectSetup& setup = Connect();
    const int threads = static_cast<int>(state.range(0));
    setup.fixture.Restart([threads](ChainstateManagerOptions& o) {
        NoSigCache(o);
        o.script_threads = threads - 1;
    });
    ChainstateManager& chainman = setup.fixture.Chainman();
    BlockIndex* index = chainman.LookupBlockIndex(setup.block_hash);
    for (auto _ : state) {
        state.PauseTiming();
        BlockValidationState vs;
        chainman.InvalidateBlock(vs, index);
        state.ResumeTiming();
        chainman.ReconsiderBlock(index);  // connects it again
    }
    if (chainman.ActiveChain().Tip() != index) state.SkipWithError("block did not connect");
    state.counters["tx/s"] = benchmark::Counter(SPENDS, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(ConnectBlock2000Spends)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void RawVerify2000Signatures(benchmark::State& state)
{
    ConnectSetup& setup = Connect();
    const int threads = static_cast<int>(state.range(0));
    auto verify_range = [&](size_t begin, size_t end) {
        for (size_t i = begin; i < end; ++i) {
            const auto& s = setup.sigs[i];
            if (!s.pubkey.VerifyEcdsa(std::span<const unsigned char, 32>(s.hash.data(), 32), s.der)) {
                throw std::runtime_error("signature does not verify");
            }
        }
    };
    for (auto _ : state) {
        std::vector<std::thread> workers;
        const size_t per = setup.sigs.size() / threads;
        for (int t = 1; t < threads; ++t) workers.emplace_back(verify_range, per * t, t + 1 == threads ? setup.sigs.size() : per * (t + 1));
        verify_range(0, per);
        for (auto& w : workers) w.join();
    }
    state.counters["sig/s"] = benchmark::Counter(SPENDS, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(RawVerify2000Signatures)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

constexpr int REINDEX_BLOCKS = 5000;

struct ReindexSetup {
    ChainFixture fixture;
    ReindexSetup()
    {
        // Each block after the first hundred spends a matured coinbase into two outputs.
        std::vector<std::shared_ptr<const Block>> blocks = fixture.MineBlocks(100);
        for (int h = 101; h <= REINDEX_BLOCKS; ++h) {
            // Regtest halves the subsidy every 150 blocks: the fee shrinks with it.
            const auto coinbase = ChainFixture::CoinbaseOutput(*blocks[static_cast<size_t>(h - 101)]);
            blocks.push_back(fixture.Mine({fixture.SpendTo(coinbase, coinbase.out.value / 4, 2)}));
        }
        fixture.Chainman().FlushStateToDisk(FlushStateMode::FORCE_FLUSH);
    }
};

void ReindexChainstate5000Blocks(benchmark::State& state)
{
    static ReindexSetup setup;
    const uint256 tip = setup.fixture.Tip()->GetBlockHash();
    for (auto _ : state) {
        setup.fixture.Restart([](ChainstateManagerOptions& o) { o.reindex_chainstate = true; });
    }
    if (setup.fixture.Tip()->GetBlockHash() != tip) state.SkipWithError("reindex ended on another tip");
    state.counters["blocks/s"] = benchmark::Counter(REINDEX_BLOCKS, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(ReindexChainstate5000Blocks)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);

} // namespace
