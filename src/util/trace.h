// USDT (user statically-defined tracing) probes for C++ programs.
//
// Header-only; depends on nothing but <sys/sdt.h> (Debian: systemtap-sdt-dev)
// and only when tracing is compiled in. Usable by any C++20 project.
//
//   TRACEPOINT(context, event, args...)   0 to 12 arguments
//   TRACE0(context, event) ... TRACE12(context, event, a1, ..., a12)
//   TRACE(context, event)                 alias of TRACE0
//   TRACE_ACTIVE(context, event)          true while a tracer is attached
//   TRACE_SEMAPHORE(context, event)       the semaphore (tests simulate a tracer)
//
// A call site is one line. Each probe context:event owns one 16-bit semaphore
// named context_event_semaphore that tracers (bpftrace, BCC, libbpf, gdb)
// increment while attached. The macros define that semaphore themselves, in a
// COMDAT group keyed by its name, so every call site of a probe, in one
// translation unit or in many, shares one semaphore and no file-scope
// declaration is needed. When nothing is attached, a probe site costs one
// compare with memory and one not-taken branch; its arguments are not
// evaluated. See doc/tracing.md for the design and the rules for adding one.
//
// Configuration (normally set by the CMake target `trace`):
//   ENABLE_TRACING        defined: probes are compiled in; else every macro
//                         compiles to nothing (arguments still type-checked)
//   TRACE_PROBE_NOP5=1    the probe instruction is a 5-byte nop, which Linux
//                         6.18+ can hit through a call instead of a trap
//                         (optimized uprobes); 0 selects the classic 1-byte nop

#ifndef TRACE_H
#define TRACE_H

#if defined(ENABLE_TRACING)

#if !defined(__x86_64__) && defined(TRACE_PROBE_NOP5) && TRACE_PROBE_NOP5
#error "TRACE_PROBE_NOP5 is implemented for x86_64 only"
#endif

// The probe's note must record the address of its semaphore.
#if !defined(_SDT_HAS_SEMAPHORES)
#define _SDT_HAS_SEMAPHORES 1
#endif

#if defined(TRACE_PROBE_NOP5) && TRACE_PROBE_NOP5
// The kernel hits a 5-byte nop by replacing it with `call trampoline`, and that
// call pushes a return address to the 8 bytes below the stack pointer: the red
// zone, where a leaf function may keep live locals. So the nop is wrapped in
// `lea -128(%rsp),%rsp` ... `lea 128(%rsp),%rsp`, which moves the pushed
// address below the red zone. Arguments must then never be described relative
// to %rsp (their offsets would be off by 128 at the probe), hence registers or
// constants only. Bytes are spelled out: the assembler may shorten a nopl with
// a zero displacement, and the kernel wants exactly 0f 1f 44 00 00. Numeric
// label 990 is defined twice; sdt.h's `990b` refers to the later one, the nop.
#define STAP_SDT_ARG_CONSTRAINT nr
#include <sys/sdt.h>
#undef _SDT_NOP
#define _SDT_NOP .byte 0x48; .byte 0x8d; .byte 0x64; .byte 0x24; .byte 0x80; \
    990: .byte 0x0f; .byte 0x1f; .byte 0x44; .byte 0x00; .byte 0x00; \
    .byte 0x48; .byte 0x8d; .byte 0xa4; .byte 0x24; .byte 0x80; .byte 0x00; .byte 0x00; .byte 0x00
#else
#include <sys/sdt.h>
#endif

#define TRACE_STRINGIFY_(x) #x
#define TRACE_SEMAPHORE_SYMBOL_(context, event) TRACE_STRINGIFY_(context##_##event##_semaphore)

// Defines the semaphore once per object file (.ifndef), in a COMDAT group of
// its own name so the linker keeps one copy for the whole program. sdt.h uses
// the same pattern for its `_.stapsdt.base` symbol. Hidden visibility keeps the
// access %rip-relative in position-independent code.
#define TRACE_SEMAPHORE_DEFINE_(context, event)                                          \
    __asm__(".ifndef " TRACE_SEMAPHORE_SYMBOL_(context, event) "\n"                      \
            ".pushsection .probes,\"awG\",@progbits,"                                    \
            TRACE_SEMAPHORE_SYMBOL_(context, event) ",comdat\n"                          \
            ".weak " TRACE_SEMAPHORE_SYMBOL_(context, event) "\n"                        \
            ".hidden " TRACE_SEMAPHORE_SYMBOL_(context, event) "\n"                      \
            ".type " TRACE_SEMAPHORE_SYMBOL_(context, event) ",@object\n"                \
            ".size " TRACE_SEMAPHORE_SYMBOL_(context, event) ",2\n"                      \
            ".balign 2\n"                                                                \
            TRACE_SEMAPHORE_SYMBOL_(context, event) ": .zero 2\n"                         \
            ".popsection\n"                                                              \
            ".endif\n")

// A block-scope declaration whose asm label binds it to that symbol whatever
// namespace the call site is in; sdt.h names it in the probe's note.
#define TRACE_SEMAPHORE_DECLARE_(context, event)                                         \
    extern __attribute__((visibility("hidden"))) unsigned short context##_##event##_semaphore \
        __asm__(TRACE_SEMAPHORE_SYMBOL_(context, event))

// Reads the semaphore in an asm statement: the compiler cannot hoist it out of
// a loop or cache it, and x86 compares memory with zero in one instruction
// whose flag feeds the branch directly (flag output operand).
#if defined(__x86_64__)
#define TRACE_SEMAPHORE_TEST_(context, event)                                            \
    (__extension__({                                                                     \
        TRACE_SEMAPHORE_DEFINE_(context, event);                                         \
        TRACE_SEMAPHORE_DECLARE_(context, event);                                        \
        bool trace_active_;                                                              \
        __asm__ volatile("cmpw $0, " TRACE_SEMAPHORE_SYMBOL_(context, event) "(%%rip)"  \
                         : "=@ccne"(trace_active_)                                       \
                         : "m"(context##_##event##_semaphore));                          \
        trace_active_;                                                                   \
    }))
#else
#define TRACE_SEMAPHORE_TEST_(context, event)                                            \
    (__extension__({                                                                     \
        TRACE_SEMAPHORE_DEFINE_(context, event);                                         \
        TRACE_SEMAPHORE_DECLARE_(context, event);                                        \
        __atomic_load_n(&context##_##event##_semaphore, __ATOMIC_RELAXED) != 0;         \
    }))
#endif

#define TRACE_ACTIVE(context, event) __builtin_expect(TRACE_SEMAPHORE_TEST_(context, event), 0)

// The semaphore itself, as an lvalue. For tests: writing it is what a tracer
// does when it attaches; production code only needs TRACE_ACTIVE.
#define TRACE_SEMAPHORE(context, event)                                                  \
    (*__extension__({                                                                    \
        TRACE_SEMAPHORE_DEFINE_(context, event);                                         \
        TRACE_SEMAPHORE_DECLARE_(context, event);                                        \
        &context##_##event##_semaphore;                                                  \
    }))

#define TRACE_PROBE_(context, event, probe)                                              \
    do {                                                                                 \
        if (TRACE_ACTIVE(context, event)) {                                              \
            TRACE_SEMAPHORE_DECLARE_(context, event);                                    \
            probe;                                                                       \
        }                                                                                \
    } while (0)

#define TRACE0(c, e) TRACE_PROBE_(c, e, STAP_PROBE(c, e))
#define TRACE1(c, e, a) TRACE_PROBE_(c, e, STAP_PROBE1(c, e, a))
#define TRACE2(c, e, a, b) TRACE_PROBE_(c, e, STAP_PROBE2(c, e, a, b))
#define TRACE3(c, e, a, b, d) TRACE_PROBE_(c, e, STAP_PROBE3(c, e, a, b, d))
#define TRACE4(c, e, a, b, d, f) TRACE_PROBE_(c, e, STAP_PROBE4(c, e, a, b, d, f))
#define TRACE5(c, e, a, b, d, f, g) TRACE_PROBE_(c, e, STAP_PROBE5(c, e, a, b, d, f, g))
#define TRACE6(c, e, a, b, d, f, g, h) TRACE_PROBE_(c, e, STAP_PROBE6(c, e, a, b, d, f, g, h))
#define TRACE7(c, e, a, b, d, f, g, h, i) \
    TRACE_PROBE_(c, e, STAP_PROBE7(c, e, a, b, d, f, g, h, i))
#define TRACE8(c, e, a, b, d, f, g, h, i, j) \
    TRACE_PROBE_(c, e, STAP_PROBE8(c, e, a, b, d, f, g, h, i, j))
#define TRACE9(c, e, a, b, d, f, g, h, i, j, k) \
    TRACE_PROBE_(c, e, STAP_PROBE9(c, e, a, b, d, f, g, h, i, j, k))
#define TRACE10(c, e, a, b, d, f, g, h, i, j, k, l) \
    TRACE_PROBE_(c, e, STAP_PROBE10(c, e, a, b, d, f, g, h, i, j, k, l))
#define TRACE11(c, e, a, b, d, f, g, h, i, j, k, l, m) \
    TRACE_PROBE_(c, e, STAP_PROBE11(c, e, a, b, d, f, g, h, i, j, k, l, m))
#define TRACE12(c, e, a, b, d, f, g, h, i, j, k, l, m, n) \
    TRACE_PROBE_(c, e, STAP_PROBE12(c, e, a, b, d, f, g, h, i, j, k, l, m, n))

#else // ENABLE_TRACING

// Compiled out: nothing is emitted and nothing evaluated, but every argument is
// still type-checked inside a branch the compiler discards.
#define TRACE_ACTIVE(context, event) false
#define TRACE_UNUSED_(...)                        \
    do {                                          \
        if (false) {                              \
            [](const auto&...) {}(__VA_ARGS__);   \
        }                                         \
    } while (0)
#define TRACE0(c, e) do {} while (0)
#define TRACE1(c, e, a) TRACE_UNUSED_(a)
#define TRACE2(c, e, a, b) TRACE_UNUSED_(a, b)
#define TRACE3(c, e, a, b, d) TRACE_UNUSED_(a, b, d)
#define TRACE4(c, e, a, b, d, f) TRACE_UNUSED_(a, b, d, f)
#define TRACE5(c, e, a, b, d, f, g) TRACE_UNUSED_(a, b, d, f, g)
#define TRACE6(c, e, a, b, d, f, g, h) TRACE_UNUSED_(a, b, d, f, g, h)
#define TRACE7(c, e, a, b, d, f, g, h, i) TRACE_UNUSED_(a, b, d, f, g, h, i)
#define TRACE8(c, e, a, b, d, f, g, h, i, j) TRACE_UNUSED_(a, b, d, f, g, h, i, j)
#define TRACE9(c, e, a, b, d, f, g, h, i, j, k) TRACE_UNUSED_(a, b, d, f, g, h, i, j, k)
#define TRACE10(c, e, a, b, d, f, g, h, i, j, k, l) TRACE_UNUSED_(a, b, d, f, g, h, i, j, k, l)
#define TRACE11(c, e, a, b, d, f, g, h, i, j, k, l, m) \
    TRACE_UNUSED_(a, b, d, f, g, h, i, j, k, l, m)
#define TRACE12(c, e, a, b, d, f, g, h, i, j, k, l, m, n) \
    TRACE_UNUSED_(a, b, d, f, g, h, i, j, k, l, m, n)

#endif // ENABLE_TRACING

#define TRACE(context, event) TRACE0(context, event)

// TRACEPOINT(context, event, ...) picks TRACEn by the number of arguments.
#define TRACE_PICK_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, N, ...) N
#define TRACE_SELECT_(...) \
    TRACE_PICK_(__VA_ARGS__ __VA_OPT__(,) TRACE12, TRACE11, TRACE10, TRACE9, TRACE8, \
                TRACE7, TRACE6, TRACE5, TRACE4, TRACE3, TRACE2, TRACE1, TRACE0, )
#define TRACEPOINT(context, event, ...) \
    TRACE_SELECT_(__VA_ARGS__)(context, event __VA_OPT__(,) __VA_ARGS__)

#endif // TRACE_H
