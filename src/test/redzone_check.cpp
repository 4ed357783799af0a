// trace_redzone_check: a stress test of probe sites inside red-zone leaf
// functions, run by test/functional/interface_usdt_redzone.py with a tracer
// attached.
//
// A leaf function (it calls nothing) may keep locals in the 128 bytes below
// %rsp without moving the stack pointer. Linux 6.18+ hits a 5-byte nop probe
// by rewriting it into a call to a trampoline, and that call pushes its return
// address into those 128 bytes. The header wraps its 5-byte nop so the push
// lands below the red zone (util/trace.h); this program checks that, and runs
// the same leaf with an unwrapped 5-byte nop for comparison.
//
// Usage: trace_redzone_check N   reads one line from standard input (so the
// test can attach first), runs N iterations of each leaf and prints
// "safe_damaged=A raw_damaged=B": how many iterations saw a changed local.
#include <test/redzone_leaf.h>
#include <util/trace.h>

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <iostream>

DEFINE_REDZONE_LEAF(redzone_leaf_safe, TRACEPOINT(example, redzone_safe, seed))

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s ITERATIONS\n", argv[0]);
        return 1;
    }
    const uint64_t n = std::strtoull(argv[1], nullptr, 10);
    std::printf("ready\n");
    std::fflush(stdout);
    std::string line;
    std::getline(std::cin, line);
    uint64_t safe = 0, raw = 0;
    for (uint64_t i = 1; i <= n; ++i) {
        safe += redzone_leaf_safe(i) != 0;
        raw += redzone_leaf_raw_nop5(i) != 0;
    }
    std::printf("safe_damaged=%" PRIu64 " raw_damaged=%" PRIu64 "\n", safe, raw);
    return 0;
}
