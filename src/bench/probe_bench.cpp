// Cost of a probe site: with nothing attached (one compare, one branch) and
// when hit by an attached tracer, for 1-byte and 5-byte nop probes. The hit
// cases are only meaningful while a tracer is attached; src/bench/probe_cost.sh
// attaches bpftrace and runs them (see doc/benchmarks.md).
#include <bench/probe_sites.h>

#include <benchmark/benchmark.h>

#include <cstdint>

namespace {

template <void (*Site)(uint64_t*)>
void run(benchmark::State& state)
{
    uint64_t counter = 0;
    for (auto _ : state) {
        Site(&counter);
        benchmark::DoNotOptimize(counter);
    }
}

void ProbeNone(benchmark::State& state) { run<probe_cost_baseline>(state); }

void ProbeSiteNop1(benchmark::State& state)
{
    state.SetLabel(probe_cost_active_nop1() ? "traced" : "not traced");
    run<probe_cost_site_nop1>(state);
}

void ProbeSiteNop5(benchmark::State& state)
{
    state.SetLabel(probe_cost_active_nop5() ? "traced" : "not traced");
    run<probe_cost_site_nop5>(state);
}

} // namespace

BENCHMARK(ProbeNone);
BENCHMARK(ProbeSiteNop1);
BENCHMARK(ProbeSiteNop5);
