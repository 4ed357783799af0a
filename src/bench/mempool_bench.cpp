// Mempool acceptance (regtest, in process, one thread):
//   - 10,000 1-input-2-output P2WPKH transactions in 500 chains of 20,
//     accepted with AcceptToMemoryPool into an empty mempool (every
//     signature verified once: the signature cache has not seen them),
//     transactions/s, next to the bare libsecp256k1 verification of the same
//     10,000 signatures (target: acceptance at least 0.7 of it);
//   - the same with the mempool limited to half of what they need, so that
//     from the middle on every chain evicts the cheapest one (-maxmempool at
//     its limit, scaled down: eviction working);
//   - memory per mempool entry (DynamicMemoryUsage / entries).
//
// The in-process miner is the unit tests' chain fixture.

#include <test/util/chain_fixture.h>

#include <crypto/pubkey.h>
#include <kernel/validation.h>
#include <node/mempool_accept.h>
#include <node/txmempool.h>
#include <script/sighash.h>
#include <util/time.h>

#include <benchmark/benchmark.h>

#include <stdexcept>
#include <vector>

namespace {

using test_util::ChainFixture;

constexpr int CHAINS = 500;
constexpr int DEPTH = 20;
constexpr int TXS = CHAINS * DEPTH;

struct MempoolBenchSetup {
    ChainFixture fixture;
    std::vector<TransactionRef> txs;  // chain by chain, parents first
    struct Sig {
        uint256 hash;
        std::vector<unsigned char> der;
        PubKey pubkey;
    };
    std::vector<Sig> sigs;

    MempoolBenchSetup()
    {
        auto blocks = fixture.MineBlocks(101);
        const TransactionRef split = fixture.SpendTo(ChainFixture::CoinbaseOutput(*blocks[0]), 100000, CHAINS);
        fixture.Mine({split});
        for (int c = 0; c < CHAINS; ++c) {
            auto input = ChainFixture::Output(split, static_cast<uint32_t>(c));
            // Later chains pay a little more, so they win under a size limit.
            const Amount fee = 1000 + 20 * c;
            for (int d = 0; d < DEPTH; ++d) {
                // Two outputs: the chain goes on from the first, the second is a small payment.
                const TransactionRef tx = fixture.Spend(
                    {input}, {TxOut{input.out.value - fee - 1000, fixture.PayoutScript()}, TxOut{1000, fixture.PayoutScript()}});
                Script code;
                std::vector<unsigned char> program;
                int version = 0;
                input.out.script_pubkey.IsWitnessProgram(version, program);
                code << OP_DUP << OP_HASH160 << std::span<const unsigned char>(program) << OP_EQUALVERIFY
                     << OP_CHECKSIG;
                Sig sig;
                sig.hash = SignatureHash(code, *tx, 0, SIGHASH_ALL, input.out.value, SigVersion::WITNESS_V0);
                sig.der.assign(tx->vin[0].witness.stack[0].begin(), tx->vin[0].witness.stack[0].end() - 1);
                sig.pubkey = PubKey(tx->vin[0].witness.stack[1]);
                sigs.push_back(std::move(sig));
                txs.push_back(tx);
                input = ChainFixture::Output(tx, 0);
            }
        }
    }
};

MempoolBenchSetup& Setup()
{
    static MempoolBenchSetup setup;
    return setup;
}

// Accepts every transaction; returns how many were accepted.
std::string g_first_reject;

int AcceptAll(MempoolBenchSetup& setup, node::TxMempool& pool)
{
    int accepted = 0;
    g_first_reject.clear();
    for (const TransactionRef& tx : setup.txs) {
        const auto r = node::AcceptToMemoryPool(setup.fixture.Chainman(), pool, tx, GetTime(), false, false);
        accepted += r.IsValid();
        if (!r.IsValid() && g_first_reject.empty()) g_first_reject = r.m_state.ToString();
    }
    return accepted;
}

void MempoolAccept10000Chained(benchmark::State& state)
{
    MempoolBenchSetup& setup = Setup();
    node::TxMempool pool;
    int accepted = 0;
    for (auto _ : state) accepted = AcceptAll(setup, pool);
    if (accepted != TXS) state.SkipWithError(("not every transaction was accepted: " + g_first_reject).c_str());
    state.counters["tx/s"] = benchmark::Counter(TXS, benchmark::Counter::kIsIterationInvariantRate);
    state.counters["bytes/entry"] = static_cast<double>(pool.DynamicMemoryUsage()) / static_cast<double>(pool.size());
}
// Once: a second round would find every signature in the cache.
BENCHMARK(MempoolAccept10000Chained)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void MempoolAccept10000AtSizeLimit(benchmark::State& state)
{
    MempoolBenchSetup& setup = Setup();
    // What the whole set needs, measured without a limit (signatures
    // verified again below: the cache is per chainstate and fresh here only
    // for the first benchmark, so this one runs on a restarted fixture).
    setup.fixture.Restart();
    node::TxMempool unlimited;
    for (const TransactionRef& tx : setup.txs) {
        node::AcceptToMemoryPool(setup.fixture.Chainman(), unlimited, tx, GetTime(), true, false);
    }
    node::MempoolOptions opts;
    opts.max_size_bytes = static_cast<int64_t>(unlimited.DynamicMemoryUsage()) / 2;
    unlimited.clear();
    setup.fixture.Restart();  // a fresh signature cache
    node::TxMempool pool(opts);
    int accepted = 0;
    for (auto _ : state) accepted = AcceptAll(setup, pool);
    if (pool.DynamicMemoryUsage() > static_cast<size_t>(opts.max_size_bytes)) state.SkipWithError("over the limit");
    state.counters["tx/s"] = benchmark::Counter(TXS, benchmark::Counter::kIsIterationInvariantRate);
    state.counters["accepted"] = accepted;
    state.counters["left"] = static_cast<double>(pool.size());
}
BENCHMARK(MempoolAccept10000AtSizeLimit)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void MempoolRawVerify10000Signatures(benchmark::State& state)
{
    MempoolBenchSetup& setup = Setup();
    for (auto _ : state) {
        for (const auto& s : setup.sigs) {
            if (!s.pubkey.VerifyEcdsa(std::span<const unsigned char, 32>(s.hash.data(), 32), s.der)) {
                throw std::runtime_error("signature does not verify");
            }
        }
    }
    state.counters["sig/s"] = benchmark::Counter(TXS, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(MempoolRawVerify10000Signatures)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace
