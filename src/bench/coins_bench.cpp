// The coins cache at 1M coins: AddCoin, AccessCoin (hits and loads from a
// parent cache), SpendCoin operations per second, and memory per cached
// P2WPKH coin at steady state (DynamicMemoryUsage / coins, and what malloc
// really holds: mallinfo2 before and after).
//
//     bench_bitcoin --benchmark_filter=CoinsCache

#include <kernel/coins.h>

#include <benchmark/benchmark.h>

#include <malloc.h>

#include <random>
#include <vector>

namespace {

constexpr size_t CACHE_COINS = 1'000'000;

std::vector<OutPoint> RandomOutPoints(size_t count, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::vector<OutPoint> ops(count);
    for (OutPoint& o : ops) {
        for (int i = 0; i < 32; i += 8) {
            const uint64_t r = rng();
            for (int j = 0; j < 8; ++j) o.hash.data()[i + j] = static_cast<unsigned char>(r >> (8 * j));
        }
        o.n = static_cast<uint32_t>(rng() % 3);
    }
    return ops;
}

Coin P2wpkhCoin(uint32_t i)
{
    TxOut out;
    out.value = 10'000 + i;
    out.script_pubkey = Script(22, static_cast<unsigned char>(i));
    out.script_pubkey[0] = OP_0;
    out.script_pubkey[1] = 20;
    return Coin(std::move(out), 800'000 + i % 1000, false);
}

void Fill(CoinsViewCache& cache, const std::vector<OutPoint>& ops, size_t count)
{
    for (size_t i = 0; i < count; ++i) cache.AddCoin(ops[i], P2wpkhCoin(static_cast<uint32_t>(i)), false);
}

const std::vector<OutPoint>& Outpoints()
{
    static const std::vector<OutPoint> ops = RandomOutPoints(CACHE_COINS + CACHE_COINS / 5, 1);
    return ops;
}

// Adds 200k coins to a cache already holding 1M.
void CoinsCacheAdd(benchmark::State& state)
{
    const auto& ops = Outpoints();
    for (auto _ : state) {
        state.PauseTiming();
        CoinsView empty;
        auto cache = std::make_unique<CoinsViewCache>(&empty);
        Fill(*cache, ops, CACHE_COINS);
        state.ResumeTiming();
        for (size_t i = CACHE_COINS; i < ops.size(); ++i) {
            cache->AddCoin(ops[i], P2wpkhCoin(static_cast<uint32_t>(i)), false);
        }
        benchmark::DoNotOptimize(cache->GetCacheSize());
        state.PauseTiming();
        cache.reset();
        state.ResumeTiming();
    }
    state.counters["ops_per_s"] =
        benchmark::Counter(static_cast<double>(ops.size() - CACHE_COINS) * state.iterations(), benchmark::Counter::kIsRate);
}

// Looks up 1M random coins of a 1M-coin cache (all hits).
void CoinsCacheAccess(benchmark::State& state)
{
    const auto& ops = Outpoints();
    CoinsView empty;
    CoinsViewCache cache(&empty);
    Fill(cache, ops, CACHE_COINS);
    std::vector<uint32_t> order(CACHE_COINS);
    std::mt19937 rng(2);
    for (auto& i : order) i = rng() % CACHE_COINS;
    for (auto _ : state) {
        int64_t sum = 0;
        for (uint32_t i : order) sum += cache.AccessCoin(ops[i]).out.value;
        benchmark::DoNotOptimize(sum);
    }
    state.counters["ops_per_s"] =
        benchmark::Counter(static_cast<double>(CACHE_COINS) * state.iterations(), benchmark::Counter::kIsRate);
}

// Fetches 200k coins into an empty cache from a parent cache of 1M (misses
// that load), then drops them again with Uncache.
void CoinsCacheFetchFromParent(benchmark::State& state)
{
    const auto& ops = Outpoints();
    CoinsView empty;
    CoinsViewCache parent(&empty);
    Fill(parent, ops, CACHE_COINS);
    for (auto _ : state) {
        CoinsViewCache child(&parent);
        int64_t sum = 0;
        for (size_t i = 0; i < CACHE_COINS / 5; ++i) sum += child.AccessCoin(ops[i * 5]).out.value;
        for (size_t i = 0; i < CACHE_COINS / 5; ++i) child.Uncache(ops[i * 5]);
        benchmark::DoNotOptimize(sum);
    }
    state.counters["ops_per_s"] =
        benchmark::Counter(static_cast<double>(CACHE_COINS / 5) * state.iterations(), benchmark::Counter::kIsRate);
}

// Spends 200k coins of a 1M-coin cache whose coins are clean (as after a
// flush), so each spend leaves a DIRTY spent entry.
void CoinsCacheSpend(benchmark::State& state)
{
    const auto& ops = Outpoints();
    CoinsView empty;
    for (auto _ : state) {
        state.PauseTiming();
        auto parent = std::make_unique<CoinsViewCache>(&empty);
        Fill(*parent, ops, CACHE_COINS);
        auto cache = std::make_unique<CoinsViewCache>(parent.get());
        for (size_t i = 0; i < CACHE_COINS; ++i) benchmark::DoNotOptimize(cache->AccessCoin(ops[i]));
        state.ResumeTiming();
        for (size_t i = 0; i < CACHE_COINS / 5; ++i) cache->SpendCoin(ops[i * 5]);
        benchmark::DoNotOptimize(cache->GetCacheSize());
        state.PauseTiming();
        // Destroying two 1M-entry maps is not what is measured.
        cache.reset();
        parent.reset();
        state.ResumeTiming();
    }
    state.counters["ops_per_s"] =
        benchmark::Counter(static_cast<double>(CACHE_COINS / 5) * state.iterations(), benchmark::Counter::kIsRate);
}

// Memory per cached P2WPKH coin at 1M coins.
// Heap bytes in use, mmapped large blocks (the bucket array) included.
size_t MallocInUse()
{
    const struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

void CoinsCacheMemoryPerCoin(benchmark::State& state)
{
    const auto& ops = Outpoints();
    double accounted = 0, real = 0;
    for (auto _ : state) {
        const size_t before = MallocInUse();
        CoinsView empty;
        CoinsViewCache cache(&empty);
        Fill(cache, ops, CACHE_COINS);
        const size_t after = MallocInUse();
        accounted = static_cast<double>(cache.DynamicMemoryUsage()) / cache.GetCacheSize();
        real = static_cast<double>(after - before) / cache.GetCacheSize();
    }
    state.counters["bytes_per_coin"] = accounted;
    state.counters["malloc_bytes_per_coin"] = real;
}

} // namespace

BENCHMARK(CoinsCacheAdd)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(CoinsCacheAccess)->Unit(benchmark::kMillisecond);
BENCHMARK(CoinsCacheFetchFromParent)->Unit(benchmark::kMillisecond);
BENCHMARK(CoinsCacheSpend)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(CoinsCacheMemoryPerCoin)->Unit(benchmark::kMillisecond)->Iterations(1);
