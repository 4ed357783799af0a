// The red-zone leaf of redzone_check.cpp with a bare 5-byte nop probe, written
// with sys/sdt.h directly (no semaphore, no stack adjustment): what
// util/trace.h's 5-byte form protects against. Only for that comparison.
#include <sys/sdt.h>

#include <cstdint>

#undef _SDT_NOP
#define _SDT_NOP .byte 0x0f; .byte 0x1f; .byte 0x44; .byte 0x00; .byte 0x00

__attribute__((noinline)) uint64_t redzone_leaf_raw_nop5(uint64_t seed)
{
    volatile uint64_t locals[16];
    for (int i = 0; i < 16; ++i) locals[i] = seed * 0x9e3779b97f4a7c15ULL + i;
    STAP_PROBE1(example, redzone_raw, seed);
    uint64_t damaged = 0;
    for (int i = 0; i < 16; ++i) damaged += locals[i] != seed * 0x9e3779b97f4a7c15ULL + i;
    return damaged;
}
