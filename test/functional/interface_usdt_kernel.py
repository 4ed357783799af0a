#!/usr/bin/python3
"""Attaches BCC to kernel_trace_check, which drives the kernel in-process on
regtest, and checks every argument of every validation:* and utxocache:*
tracepoint against the values the program prints: block_connected (hash,
height, transactions, inputs, sigops, duration), block_disconnected (via
invalidateblock), utxocache add, spent and uncache (txid, index, height,
value, coinbase) and flush (mode FORCE_FLUSH, coins and memory before the
flush, prune flag, duration)."""
import ctypes
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.util import assert_equal, assert_true, binary, load_config, run_test  # noqa: E402
from test_framework.tracing import CommandProcess, require_tracing, tracer_lock  # noqa: E402

KINDS = ["connected", "disconnected", "added", "spent", "uncached", "flush"]
# BCC resolves bpf_usdt_readarg by the probe function it is written in and
# cannot see it inside C macros, so each function's text is generated here.
READ_HASH = """u64 ptr = 0; bpf_usdt_readarg(1, ctx, &ptr);
    bpf_probe_read_user(&e.hash, sizeof(e.hash), (void *)ptr);"""
COIN_FUNCTION = """
int FUNCTION(struct pt_regs *ctx) {
    struct event_t e = {}; u32 n; u32 height; s64 value; bool coinbase;
    e.kind = KIND; READ_HASH
    bpf_usdt_readarg(2, ctx, &n); bpf_usdt_readarg(3, ctx, &height); bpf_usdt_readarg(4, ctx, &value);
    bpf_usdt_readarg(5, ctx, &coinbase);
    e.a = n; e.b = height; e.c = value; e.d = coinbase;
    events.perf_submit(ctx, &e, sizeof(e)); return 0;
}
"""
PROGRAM = r"""
#include <uapi/linux/ptrace.h>
struct event_t { u32 kind; u8 hash[32]; s64 a; s64 b; s64 c; s64 d; s64 e; };
BPF_PERF_OUTPUT(events);

int block_connected(struct pt_regs *ctx) {
    struct event_t e = {}; s32 height; u64 txs; s32 inputs; u64 sigops; u64 ns;
    e.kind = 0; READ_HASH
    bpf_usdt_readarg(2, ctx, &height); bpf_usdt_readarg(3, ctx, &txs); bpf_usdt_readarg(4, ctx, &inputs);
    bpf_usdt_readarg(5, ctx, &sigops); bpf_usdt_readarg(6, ctx, &ns);
    e.a = height; e.b = txs; e.c = inputs; e.d = sigops; e.e = ns;
    events.perf_submit(ctx, &e, sizeof(e)); return 0;
}
int block_disconnected(struct pt_regs *ctx) {
    struct event_t e = {}; s32 height; u64 txs; u64 ns;
    e.kind = 1; READ_HASH
    bpf_usdt_readarg(2, ctx, &height); bpf_usdt_readarg(3, ctx, &txs); bpf_usdt_readarg(4, ctx, &ns);
    e.a = height; e.b = txs; e.e = ns;
    events.perf_submit(ctx, &e, sizeof(e)); return 0;
}
int utxo_flush(struct pt_regs *ctx) {
    struct event_t e = {}; s64 us; u32 mode; u64 coins; u64 memory; bool prune;
    e.kind = 5;
    bpf_usdt_readarg(1, ctx, &us); bpf_usdt_readarg(2, ctx, &mode); bpf_usdt_readarg(3, ctx, &coins);
    bpf_usdt_readarg(4, ctx, &memory); bpf_usdt_readarg(5, ctx, &prune);
    e.a = mode; e.b = coins; e.c = memory; e.d = prune; e.e = us;
    events.perf_submit(ctx, &e, sizeof(e)); return 0;
}
""" + "".join(COIN_FUNCTION.replace("FUNCTION", name).replace("KIND", str(kind))
              for name, kind in (("utxo_add", 2), ("utxo_spent", 3), ("utxo_uncache", 4)))
PROGRAM = PROGRAM.replace("READ_HASH", READ_HASH)
PROBES = [("validation:block_connected", "block_connected"), ("validation:block_disconnected", "block_disconnected"),
          ("utxocache:add", "utxo_add"), ("utxocache:spent", "utxo_spent"), ("utxocache:uncache", "utxo_uncache"),
          ("utxocache:flush", "utxo_flush")]


class Event(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_uint32), ("hash", ctypes.c_ubyte * 32), ("a", ctypes.c_int64),
                ("b", ctypes.c_int64), ("c", ctypes.c_int64), ("d", ctypes.c_int64), ("e", ctypes.c_int64)]


def as_line(event):
    """The event in the program's line format, and its duration."""
    kind = KINDS[event.kind]
    digest = bytes(event.hash).hex()
    if kind == "connected":
        return f"connected {digest} {event.a} {event.b} {event.c} {event.d}", event.e
    if kind == "disconnected":
        return f"disconnected {digest} {event.a} {event.b}", event.e
    if kind == "flush":
        return f"flush {event.a} {event.b} {event.c} {event.d}", event.e
    return f"{kind} {digest} {event.a} {event.b} {event.c} {event.d}", None


def main():
    config = load_config()
    require_tracing(config, tools=("bcc",))
    path = binary(config, "kernel_trace_check")
    with tracer_lock("bcc"):
        expected, observed, wall_ns = trace(path)
    print(f"{len(expected)} expected events, {len(observed)} observed")

    seen = {}
    for line, duration in observed:
        seen.setdefault(line, []).append(duration)
    for line in expected:
        assert_true(line in seen, f"no tracepoint event matches: {line}")
        for duration in seen[line]:
            if duration is not None:
                assert_true(0 < duration < wall_ns, f"duration {duration} of '{line}' within the run ({wall_ns} ns)")
    connected = [line for line, _ in observed if line.startswith("connected ")]
    assert_equal(sorted(connected), sorted(line for line in expected if line.startswith("connected ")),
                 "validation:block_connected events: exactly the blocks connected")
    assert_equal(len([line for line, _ in observed if line.startswith("disconnected ")]), 1,
                 "validation:block_disconnected events")


def trace(path):
    from bcc import BPF, USDT
    program = CommandProcess([path])
    observed = []
    try:
        assert_equal(program.readline(timeout=60), "ready", "kernel_trace_check started")
        usdt = USDT(pid=program.pid)
        for probe, function in PROBES:
            usdt.enable_probe(probe=probe, fn_name=function)
        bpf = BPF(text=PROGRAM, usdt_contexts=[usdt])
        bpf["events"].open_perf_buffer(
            lambda _cpu, data, _size: observed.append(as_line(ctypes.cast(data, ctypes.POINTER(Event)).contents)),
            page_cnt=256)
        start = time.monotonic_ns()
        program.proc.stdin.write("go\n")
        program.proc.stdin.flush()
        expected = []
        while True:
            bpf.perf_buffer_poll(timeout=10)
            line = program.readline(timeout=120)
            if line == "done":
                break
            assert_true(not line.startswith("error"), line)
            expected.append(line)
        wall_ns = time.monotonic_ns() - start
        for _ in range(10):
            bpf.perf_buffer_poll(timeout=100)
        bpf.cleanup()
    finally:
        program.close()
    return expected, observed, wall_ns


if __name__ == "__main__":
    run_test(main)
