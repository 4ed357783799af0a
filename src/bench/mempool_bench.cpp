// Mempool acceptance (regtest, in process, one thread):
//   - 10,000 1-input-2-output P2WPKH transactions in 500 chains of 20,
//     accepted with AcceptToMemoryPool into an empty mempool (every
//     signature verified once: the signature cache has not seen them),
//     transactions/s, next to the bare libsecp256k1 verification of the same
//     10,000 signatures (target: acceptance at least 0.7 of it);
//   - the same with the mempool limited to half of what they need, so that
//     from the middle on every chain evicts the cheapest one (-maxmempool at
//     its limit, scaled down: eviction working);
//   - memory per mempool entry (DynamicMemoryUsage / entries);
//   - MempoolAcceptAt300MB: the same chains at the real default limit
//     (-maxmempool 300, by the mempool's own DynamicMemoryUsage accounting):
//     filled past the limit untimed (about 274,000 entries), then 40,000 more
//     transactions accepted, timed, each evicting (reason sizelimit) the
//     last transaction of the cheapest chain. Opt-in (about a minute,
//     0.4 GB resident): it runs only when --benchmark_filter contains
//     "300MB", otherwise it reports "opt-in" as its error (exit code 0).
//
// The in-process miner is the unit tests' chain fixture.

#include <test/util/chain_fixture.h>

#include <crypto/hash.h>
#include <crypto/key.h>
#include <crypto/pubkey.h>
#include <kernel/validation.h>
#include <node/mempool_accept.h>
#include <node/txmempool.h>
#include <script/sighash.h>
#include <util/time.h>

#include <benchmark/benchmark.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
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

// ---- At the real limit: -maxmempool 300 MB ----

constexpr int FILL_CHAINS = 15'000;  // 300,000 transactions; 300 MB hold about 274,000 of them
constexpr int TIMED_CHAINS = 2'000;  // 40,000 transactions accepted at the limit (timed)
constexpr int FANOUT = 2'000;        // chain roots per fan-out transaction
constexpr int FANOUTS = (FILL_CHAINS + TIMED_CHAINS + FANOUT - 1) / FANOUT;

// 17,000 chains of 20, signed once with one key of their own (public key
// derived once; 340,000 ECDSA signatures, ground to low R as wallets do).
struct Mempool300Setup {
    ChainFixture fixture;
    Key key;
    std::vector<unsigned char> pubkey;
    Script script;  // P2WPKH
    Script code;    // its P2PKH form, for BIP143
    std::vector<TransactionRef> fill;   // chain by chain, parents first
    std::vector<TransactionRef> timed;  // likewise, every chain paying more than any fill chain

    TransactionRef Sign(const test_util::SpendableOutput& in, const Amount fee)
    {
        MutableTransaction mtx;
        TxIn txin;
        txin.prevout = in.outpoint;
        txin.sequence = TxIn::SEQUENCE_FINAL;
        mtx.vin.push_back(txin);
        mtx.vout = {TxOut{in.out.value - fee - 1000, script}, TxOut{1000, script}};
        const Transaction unsigned_tx(mtx);
        const uint256 hash = SignatureHash(code, unsigned_tx, 0, SIGHASH_ALL, in.out.value, SigVersion::WITNESS_V0);
        std::vector<unsigned char> sig;
        if (!key.SignEcdsa(std::span<const unsigned char, 32>(hash.data(), 32), sig)) {
            throw std::runtime_error("signing failed");
        }
        sig.push_back(SIGHASH_ALL);
        mtx.vin[0].witness.stack = {std::move(sig), pubkey};
        return MakeTransactionRef(std::move(mtx));
    }

    Mempool300Setup()
    {
        std::array<unsigned char, 32> secret{};
        secret.fill(0x22);
        key.Set(secret, true);
        const PubKey pub = key.GetPubKey();
        pubkey.assign(pub.bytes().begin(), pub.bytes().end());
        std::array<unsigned char, 20> pkh{};
        Hash160().Write(pub.bytes()).Finalize(pkh);
        script << OP_0 << std::span<const unsigned char>(pkh);
        code << OP_DUP << OP_HASH160 << std::span<const unsigned char>(pkh) << OP_EQUALVERIFY << OP_CHECKSIG;

        // FANOUTS mature coinbases, each split into FANOUT roots paying our key, in one block.
        auto blocks = fixture.MineBlocks(100 + FANOUTS);
        std::vector<TransactionRef> fanouts;
        for (int f = 0; f < FANOUTS; ++f) {
            const auto coinbase = ChainFixture::CoinbaseOutput(*blocks[f]);
            const Amount each = (coinbase.out.value - 1'000'000) / FANOUT;
            fanouts.push_back(fixture.Spend({coinbase}, std::vector<TxOut>(FANOUT, TxOut{each, script})));
        }
        fixture.Mine(fanouts);
        for (int c = 0; c < FILL_CHAINS + TIMED_CHAINS; ++c) {
            auto input = ChainFixture::Output(fanouts[c / FANOUT], static_cast<uint32_t>(c % FANOUT));
            // 1.4 sat/vB for the first chain, 0.007 sat/vB more for each
            // next one: the timed chains outbid every fill chain by far more
            // than the incremental relay fee the rolling minimum adds.
            const Amount fee = 200 + c;
            auto& out = c < FILL_CHAINS ? fill : timed;
            for (int d = 0; d < DEPTH; ++d) {
                const TransactionRef tx = Sign(input, fee);
                out.push_back(tx);
                input = ChainFixture::Output(tx, 0);
            }
        }
    }
};

Mempool300Setup& Setup300()
{
    static Mempool300Setup setup;
    return setup;
}

class SizeLimitCounter : public node::MempoolObserver {
public:
    uint64_t evicted = 0;
    void TransactionRemoved(const TransactionRef&, node::MemPoolRemovalReason reason, uint64_t) override
    {
        evicted += reason == node::MemPoolRemovalReason::SIZELIMIT;
    }
};

void MempoolAcceptAt300MB(benchmark::State& state)
{
    if (benchmark::GetBenchmarkFilter().find("300MB") == std::string::npos) {
        state.SkipWithError("opt-in (about a minute, 0.4 GB): --benchmark_filter=MempoolAcceptAt300MB");
        return;
    }
    Mempool300Setup& setup = Setup300();
    node::TxMempool pool;  // default options: -maxmempool 300
    const auto limit = static_cast<size_t>(pool.Options().max_size_bytes);
    SizeLimitCounter counter;
    pool.RegisterObserver(&counter);

    // Untimed: past the limit from empty (the lowest chains already evicted).
    const auto fill_start = std::chrono::steady_clock::now();
    int fill_accepted = 0;
    for (const TransactionRef& tx : setup.fill) {
        fill_accepted += node::AcceptToMemoryPool(setup.fixture.Chainman(), pool, tx, GetTime(), false, false).IsValid();
    }
    const std::chrono::duration<double> fill_time = std::chrono::steady_clock::now() - fill_start;
    const uint64_t fill_evicted = counter.evicted;
    const double full_entries = static_cast<double>(pool.size());

    int accepted = 0;
    std::string first_reject;
    for (auto _ : state) {
        for (const TransactionRef& tx : setup.timed) {
            const auto r = node::AcceptToMemoryPool(setup.fixture.Chainman(), pool, tx, GetTime(), false, false);
            accepted += r.IsValid();
            if (!r.IsValid() && first_reject.empty()) first_reject = r.m_state.ToString();
        }
    }
    pool.UnregisterObserver(&counter);
    const uint64_t evicted = counter.evicted - fill_evicted;
    const size_t usage = pool.DynamicMemoryUsage();
    if (fill_evicted == 0) {
        state.SkipWithError("the fill did not reach the limit");
    } else if (accepted != static_cast<int>(setup.timed.size())) {
        state.SkipWithError(("not every transaction was accepted: " + first_reject).c_str());
    } else if (usage > limit) {
        state.SkipWithError("over the limit");
    } else if (evicted == 0) {
        state.SkipWithError("nothing evicted at the limit");
    }
    state.counters["tx/s"] = benchmark::Counter(static_cast<double>(setup.timed.size()),
                                                benchmark::Counter::kIsIterationInvariantRate);
    state.counters["fill_tx/s"] = fill_accepted / fill_time.count();
    state.counters["entries_full"] = full_entries;
    state.counters["entries"] = static_cast<double>(pool.size());
    state.counters["evicted"] = static_cast<double>(evicted);
    state.counters["MB"] = static_cast<double>(usage) / 1e6;
    state.counters["bytes/entry"] = static_cast<double>(usage) / static_cast<double>(pool.size());
}
// Once: a second round would find the transactions already in the mempool.
BENCHMARK(MempoolAcceptAt300MB)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace
