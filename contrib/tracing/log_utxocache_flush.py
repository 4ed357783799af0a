#!/usr/bin/python3
"""Logs every flush of the node's UTXO cache (utxocache:flush) with BCC.

USAGE (as root; /usr/bin/python3 has Debian's python3-bpfcc):

    /usr/bin/python3 contrib/tracing/log_utxocache_flush.py PID

PID is the running bitcoind's process id (pidof bitcoind). One line per
flush:

    DURATION(us) MODE          COINS      MEMORY(bytes) PRUNE
             412 FORCE_FLUSH       5              1464 False

DURATION is how long the flush took, MODE why it ran (NONE, IF_NEEDED,
PERIODIC, FORCE_FLUSH, FORCE_SYNC), COINS and MEMORY the cache's size
before the flush, PRUNE whether pruning caused it. Ends with Ctrl-C (or
SIGTERM), or by itself once the node exits. Layout: doc/tracing.md.
"""
import ctypes
import os
import signal
import sys

PROGRAM = r"""
#include <uapi/linux/ptrace.h>
struct flush_t { s64 duration; u32 mode; u64 coins; u64 memory; bool prune; };
BPF_PERF_OUTPUT(flushes);
int trace_flush(struct pt_regs *ctx) {
    struct flush_t e = {};
    bpf_usdt_readarg(1, ctx, &e.duration);
    bpf_usdt_readarg(2, ctx, &e.mode);
    bpf_usdt_readarg(3, ctx, &e.coins);
    bpf_usdt_readarg(4, ctx, &e.memory);
    bpf_usdt_readarg(5, ctx, &e.prune);
    flushes.perf_submit(ctx, &e, sizeof(e));
    return 0;
}
"""
MODES = ["NONE", "IF_NEEDED", "PERIODIC", "FORCE_FLUSH", "FORCE_SYNC"]


class Flush(ctypes.Structure):
    _fields_ = [("duration", ctypes.c_int64), ("mode", ctypes.c_uint32), ("coins", ctypes.c_uint64),
                ("memory", ctypes.c_uint64), ("prune", ctypes.c_bool)]


def mode_name(mode):
    return MODES[mode] if mode < len(MODES) else f"UNKNOWN({mode})"


def main():
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        print(__doc__.strip().splitlines()[0])
        print(f"usage: {sys.argv[0]} PID (the bitcoind process id)", file=sys.stderr)
        return 2
    pid = int(sys.argv[1])
    from bcc import BPF, USDT

    usdt = USDT(pid=pid)
    usdt.enable_probe(probe="utxocache:flush", fn_name="trace_flush")
    bpf = BPF(text=PROGRAM, usdt_contexts=[usdt])

    def handle(_cpu, data, _size):
        event = ctypes.cast(data, ctypes.POINTER(Flush)).contents
        print(f"{event.duration:12d} {mode_name(event.mode):<12} {event.coins:>6d} {event.memory:>18d} {bool(event.prune)}",
              flush=True)

    bpf["flushes"].open_perf_buffer(handle)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    print(f"Logging utxocache flushes of bitcoind pid {pid}. Ctrl-C to end...", flush=True)
    print(f"{'DURATION(us)':>12} {'MODE':<12} {'COINS':>6} {'MEMORY(bytes)':>18} PRUNE", flush=True)
    try:
        while not stop:
            bpf.perf_buffer_poll(timeout=200)
            if not os.path.exists(f"/proc/{pid}"):
                bpf.perf_buffer_poll(timeout=200)  # what the last moments left in the buffer
                print(f"bitcoind pid {pid} exited", flush=True)
                break
    except KeyboardInterrupt:
        pass
    bpf.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
