// Functions whose hot path differs only by one probe site, for the probe-cost
// benchmark and for test/functional/tracing_probe_cost.py, which reads their
// disassembly. probe_sites.cpp is compiled once per probe instruction.
#ifndef BENCH_PROBE_SITES_H
#define BENCH_PROBE_SITES_H

#include <cstdint>

extern "C" {
void probe_cost_baseline(uint64_t* counter);   // ++*counter
void probe_cost_site_nop1(uint64_t* counter);  // ++*counter; probe example:bench_nop1
void probe_cost_site_nop5(uint64_t* counter);  // ++*counter; probe example:bench_nop5
bool probe_cost_active_nop1();
bool probe_cost_active_nop5();
}

#endif
