// The red-zone leaf of redzone_check.cpp with a bare 5-byte nop probe, written
// with sys/sdt.h directly (no semaphore, no stack adjustment): what
// util/trace.h's 5-byte form protects against. Only for that comparison.
#include <test/redzone_leaf.h>

#include <sys/sdt.h>

#undef _SDT_NOP
#define _SDT_NOP .byte 0x0f; .byte 0x1f; .byte 0x44; .byte 0x00; .byte 0x00

DEFINE_REDZONE_LEAF(redzone_leaf_raw_nop5, STAP_PROBE1(example, redzone_raw, seed))
