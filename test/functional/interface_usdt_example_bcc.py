#!/usr/bin/python3
"""Attaches BCC to trace_example and checks every argument of example:twelve
(each width and sign, a C string, 32 bytes behind a pointer, the iteration),
both call sites of example:counter, and the semaphore going 0 -> 1 -> 0."""
import ctypes
import gc
import sys
import os

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.util import assert_equal, binary, load_config, run_test  # noqa: E402
from test_framework.tracing import CommandProcess, require_tracing, tracer_lock  # noqa: E402

# BCC reads an argument only into a variable of exactly its width (else
# bpf_usdt_readarg fails), so each is read at its own width and sign and then
# widened; interface_usdt_listing.py checks the sign and width the note states.
PROGRAM = r"""
#include <uapi/linux/ptrace.h>
struct twelve_t {
    u64 a1_bool; s64 a2_int8; u64 a3_uint8; s64 a4_int16; u64 a5_uint16; s64 a6_int32;
    u64 a7_uint32; s64 a8_int64; u64 a9_uint64; char a10_text[32]; u8 a11_bytes[32]; u64 a12_iteration;
};
struct counter_t { u64 iteration; u64 ip; };
BPF_PERF_OUTPUT(twelve_events);
BPF_PERF_OUTPUT(counter_events);

int trace_twelve(struct pt_regs *ctx) {
    struct twelve_t e = {};
    u64 text = 0, bytes = 0;
    u8 a1; s8 a2; u8 a3; s16 a4; u16 a5; s32 a6; u32 a7;
    if (bpf_usdt_readarg(1, ctx, &a1) || bpf_usdt_readarg(2, ctx, &a2) || bpf_usdt_readarg(3, ctx, &a3) ||
        bpf_usdt_readarg(4, ctx, &a4) || bpf_usdt_readarg(5, ctx, &a5) || bpf_usdt_readarg(6, ctx, &a6) ||
        bpf_usdt_readarg(7, ctx, &a7) || bpf_usdt_readarg(8, ctx, &e.a8_int64) ||
        bpf_usdt_readarg(9, ctx, &e.a9_uint64))
        return 0;
    e.a1_bool = a1; e.a2_int8 = a2; e.a3_uint8 = a3; e.a4_int16 = a4; e.a5_uint16 = a5;
    e.a6_int32 = a6; e.a7_uint32 = a7;
    bpf_usdt_readarg(10, ctx, &text);
    bpf_usdt_readarg(11, ctx, &bytes);
    bpf_usdt_readarg(12, ctx, &e.a12_iteration);
    bpf_probe_read_user_str(&e.a10_text, sizeof(e.a10_text), (void *)text);
    bpf_probe_read_user(&e.a11_bytes, sizeof(e.a11_bytes), (void *)bytes);
    twelve_events.perf_submit(ctx, &e, sizeof(e));
    return 0;
}

int trace_counter(struct pt_regs *ctx) {
    struct counter_t e = {};
    bpf_usdt_readarg(1, ctx, &e.iteration);
    e.ip = PT_REGS_IP(ctx);
    counter_events.perf_submit(ctx, &e, sizeof(e));
    return 0;
}
"""

EXPECTED = {
    "a1_bool": 1, "a2_int8": -100, "a3_uint8": 200, "a4_int16": -30000, "a5_uint16": 60000,
    "a6_int32": -2000000000, "a7_uint32": 4000000000, "a8_int64": -9000000000000000000,
    "a9_uint64": 18000000000000000000,
}
FIRED = 5


class Twelve(ctypes.Structure):
    _fields_ = [("a1_bool", ctypes.c_uint64), ("a2_int8", ctypes.c_int64), ("a3_uint8", ctypes.c_uint64),
                ("a4_int16", ctypes.c_int64), ("a5_uint16", ctypes.c_uint64), ("a6_int32", ctypes.c_int64),
                ("a7_uint32", ctypes.c_uint64), ("a8_int64", ctypes.c_int64), ("a9_uint64", ctypes.c_uint64),
                ("a10_text", ctypes.c_char * 32), ("a11_bytes", ctypes.c_ubyte * 32),
                ("a12_iteration", ctypes.c_uint64)]


class Counter(ctypes.Structure):
    _fields_ = [("iteration", ctypes.c_uint64), ("ip", ctypes.c_uint64)]


def main():
    config = load_config()
    require_tracing(config, tools=("bcc",))

    with tracer_lock("bcc"):
        check_probes(binary(config, "trace_example"))


def check_probes(path):
    from bcc import BPF, USDT
    example = CommandProcess([path, "--commands"])
    try:
        assert_equal(example.command("status"), "example:twelve=0 example:counter=0 example:message=0", "semaphores before attaching")

        usdt = USDT(pid=example.pid)
        usdt.enable_probe(probe="example:twelve", fn_name="trace_twelve")
        usdt.enable_probe(probe="example:counter", fn_name="trace_counter")
        bpf = BPF(text=PROGRAM, usdt_contexts=[usdt])
        status = example.command("status")
        print("attached:", status)
        assert_equal(status.split()[0], "example:twelve=1", "example:twelve semaphore while attached")
        assert_equal(status.split()[1], "example:counter=1", "example:counter semaphore while attached (shared by both sites)")

        twelve, counter = [], []
        bpf["twelve_events"].open_perf_buffer(
            lambda _cpu, data, _size: twelve.append(ctypes.cast(data, ctypes.POINTER(Twelve)).contents))
        bpf["counter_events"].open_perf_buffer(
            lambda _cpu, data, _size: counter.append(ctypes.cast(data, ctypes.POINTER(Counter)).contents))
        assert_equal(example.command(f"fire {FIRED}"), f"fired {FIRED}")
        for _ in range(20):
            bpf.perf_buffer_poll(timeout=200)
            if len(twelve) >= FIRED and len(counter) >= 2 * FIRED:
                break

        assert_equal(len(twelve), FIRED, "example:twelve events")
        for i, event in enumerate(twelve, start=1):
            for field, value in EXPECTED.items():
                assert_equal(getattr(event, field), value, f"event {i} {field}")
            assert_equal(event.a10_text, b"hello, tracer", f"event {i} string")
            assert_equal(list(event.a11_bytes), list(range(32)), f"event {i} bytes")
            assert_equal(event.a12_iteration, i, f"event {i} iteration")

        # Two call sites in two source files, one semaphore: each iteration
        # is seen twice, from two distinct instruction addresses.
        assert_equal(len(counter), 2 * FIRED, "example:counter events")
        assert_equal(sorted(e.iteration for e in counter), sorted(list(range(1, FIRED + 1)) * 2), "counter iterations")
        assert_equal(len({e.ip for e in counter}), 2, "distinct example:counter call sites hit")

        # BCC raised the semaphores through /proc/PID/mem and lowers them when
        # the USDT context is closed.
        bpf.cleanup()
        del bpf, usdt
        gc.collect()
        assert_equal(example.command("status"), "example:twelve=0 example:counter=0 example:message=0", "semaphores after detaching")
    finally:
        example.close()


if __name__ == "__main__":
    run_test(main)
