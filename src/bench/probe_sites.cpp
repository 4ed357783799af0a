// Compiled twice (see CMakeLists.txt) with PROBE_NOP=1 and PROBE_NOP=5.
#if !defined(PROBE_NOP)
#error "define PROBE_NOP as 1 or 5"
#endif
#undef TRACE_PROBE_NOP5
#if PROBE_NOP == 5
#define TRACE_PROBE_NOP5 1
#else
#define TRACE_PROBE_NOP5 0
#endif
#include <bench/probe_sites.h>
#include <util/trace.h>

#if PROBE_NOP == 5
extern "C" __attribute__((noinline)) void probe_cost_site_nop5(uint64_t* counter)
{
    ++*counter;
    TRACEPOINT(example, bench_nop5, *counter);
}
extern "C" bool probe_cost_active_nop5() { return TRACE_ACTIVE(example, bench_nop5); }
#else
extern "C" __attribute__((noinline)) void probe_cost_site_nop1(uint64_t* counter)
{
    ++*counter;
    TRACEPOINT(example, bench_nop1, *counter);
}
extern "C" bool probe_cost_active_nop1() { return TRACE_ACTIVE(example, bench_nop1); }

extern "C" __attribute__((noinline)) void probe_cost_baseline(uint64_t* counter)
{
    ++*counter;
}
#endif
