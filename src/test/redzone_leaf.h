// The red-zone leaf function of trace_redzone_check, defined once for each
// probe form it is compiled with (redzone_check.cpp, redzone_raw.cpp).
//
// Sixteen 8-byte locals fill the 128-byte red zone: in a leaf function (it
// calls nothing) the compiler keeps them below %rsp without moving it. The
// function returns how many of them changed across the probe.
#ifndef TEST_REDZONE_LEAF_H
#define TEST_REDZONE_LEAF_H

#include <cstdint>

#define DEFINE_REDZONE_LEAF(name, probe)                                             \
    __attribute__((noinline)) uint64_t name(uint64_t seed)                          \
    {                                                                                \
        volatile uint64_t locals[16];                                                \
        for (int i = 0; i < 16; ++i) locals[i] = seed * 0x9e3779b97f4a7c15ULL + i;  \
        probe;                                                                       \
        uint64_t damaged = 0;                                                        \
        for (int i = 0; i < 16; ++i) damaged += locals[i] != seed * 0x9e3779b97f4a7c15ULL + i; \
        return damaged;                                                              \
    }

uint64_t redzone_leaf_safe(uint64_t seed);     // util/trace.h's probe
uint64_t redzone_leaf_raw_nop5(uint64_t seed); // a bare 5-byte nop

#endif
