#!/usr/bin/python3
"""Live view of a running bitcoind's mempool events (BCC, curses).

USAGE (as root in a terminal; /usr/bin/python3 has Debian's python3-bpfcc):

    /usr/bin/python3 contrib/tracing/mempool_monitor.py PID

PID is the bitcoind process id (pidof bitcoind). From mempool:added,
mempool:removed, mempool:replaced and mempool:rejected the screen shows,
per event kind, the total since the monitor started, the events in the last
minute and the average per minute over the last ten minutes (over the time
since the start when that is shorter, at least one minute), then the most
recent events, newest first:

    EVENT        TOTAL  LAST 1 MIN  PER MIN (10 MIN)
    added           12          12             12.00
    ...
    TIME      EVENT     TXID                                                               VSIZE         FEE   SAT/VB  DETAILS
    12:00:01  replaced  3c1f...e2                                                            110       10000    90.91  by 8a0b...77 vsize 110 fee 50000 (454.55 sat/vB)
    12:00:01  removed   3c1f...e2                                                            110       10000    90.91  reason replaced
    12:00:02  rejected  5d2e...90                                                              -           -        -  reason min relay fee not met

Fees are in satoshis, vsizes in virtual bytes, txids as RPC shows them;
events are ordered by the kernel's clock at the probe. A
replacement by a package (argument 8 false) reads "by package HASH". Events
the perf buffer could not hold are counted as "lost" in the title line.
Keys: q quits. Layout of the tracepoints: doc/tracing.md.
"""
import bisect
import collections
import ctypes
import curses
import datetime
import os
import sys
import time

PROGRAM = r"""
#include <uapi/linux/ptrace.h>
struct event_t {
    u64 ktime;
    u32 kind;
    s32 vsize;
    s64 fee;
    u64 entry_time;
    u8 txid[32];
    u8 other_txid[32];
    s32 other_vsize;
    s64 other_fee;
    u8 is_txid;
    char reason[119];
};
BPF_PERF_OUTPUT(events);
BPF_PERCPU_ARRAY(scratch, struct event_t, 1);

static struct event_t *start(u32 kind) {
    int zero = 0;
    struct event_t *e = scratch.lookup(&zero);
    if (!e) return 0;
    __builtin_memset(e, 0, sizeof(*e));
    e->kind = kind;
    e->ktime = bpf_ktime_get_ns();
    return e;
}

int trace_added(struct pt_regs *ctx) {
    struct event_t *e = start(0);
    if (!e) return 0;
    u64 p = 0;
    bpf_usdt_readarg(1, ctx, &p);
    bpf_probe_read_user(&e->txid, sizeof(e->txid), (void *)p);
    bpf_usdt_readarg(2, ctx, &e->vsize);
    bpf_usdt_readarg(3, ctx, &e->fee);
    events.perf_submit(ctx, e, sizeof(*e));
    return 0;
}
int trace_removed(struct pt_regs *ctx) {
    struct event_t *e = start(1);
    if (!e) return 0;
    u64 p = 0;
    bpf_usdt_readarg(1, ctx, &p);
    bpf_probe_read_user(&e->txid, sizeof(e->txid), (void *)p);
    bpf_usdt_readarg(2, ctx, &p);
    bpf_probe_read_user_str(&e->reason, sizeof(e->reason), (void *)p);
    bpf_usdt_readarg(3, ctx, &e->vsize);
    bpf_usdt_readarg(4, ctx, &e->fee);
    bpf_usdt_readarg(5, ctx, &e->entry_time);
    events.perf_submit(ctx, e, sizeof(*e));
    return 0;
}
int trace_replaced(struct pt_regs *ctx) {
    struct event_t *e = start(2);
    if (!e) return 0;
    u64 p = 0;
    bpf_usdt_readarg(1, ctx, &p);
    bpf_probe_read_user(&e->txid, sizeof(e->txid), (void *)p);
    bpf_usdt_readarg(2, ctx, &e->vsize);
    bpf_usdt_readarg(3, ctx, &e->fee);
    bpf_usdt_readarg(4, ctx, &e->entry_time);
    bpf_usdt_readarg(5, ctx, &p);
    bpf_probe_read_user(&e->other_txid, sizeof(e->other_txid), (void *)p);
    bpf_usdt_readarg(6, ctx, &e->other_vsize);
    bpf_usdt_readarg(7, ctx, &e->other_fee);
    bpf_usdt_readarg(8, ctx, &e->is_txid);
    events.perf_submit(ctx, e, sizeof(*e));
    return 0;
}
int trace_rejected(struct pt_regs *ctx) {
    struct event_t *e = start(3);
    if (!e) return 0;
    u64 p = 0;
    bpf_usdt_readarg(1, ctx, &p);
    bpf_probe_read_user(&e->txid, sizeof(e->txid), (void *)p);
    bpf_usdt_readarg(2, ctx, &p);
    bpf_probe_read_user_str(&e->reason, sizeof(e->reason), (void *)p);
    events.perf_submit(ctx, e, sizeof(*e));
    return 0;
}
"""

KINDS = ["added", "removed", "replaced", "rejected"]
MAX_LOG = 500


class Event(ctypes.Structure):
    _fields_ = [("ktime", ctypes.c_uint64), ("kind", ctypes.c_uint32), ("vsize", ctypes.c_int32), ("fee", ctypes.c_int64),
                ("entry_time", ctypes.c_uint64), ("txid", ctypes.c_ubyte * 32), ("other_txid", ctypes.c_ubyte * 32),
                ("other_vsize", ctypes.c_int32), ("other_fee", ctypes.c_int64), ("is_txid", ctypes.c_uint8),
                ("reason", ctypes.c_char * 119)]


def hash_hex(raw):
    """Internal byte order to the hex RPC shows."""
    return bytes(raw)[::-1].hex()


def feerate(fee, vsize):
    return f"{fee / vsize:.2f}" if vsize > 0 else "-"


class Monitor:
    def __init__(self, pid):
        self.pid = pid
        self.started = time.time()
        self.totals = {kind: 0 for kind in KINDS}
        self.times = {kind: collections.deque() for kind in KINDS}  # event times, last 10 minutes
        self.log = []  # (kernel time, formatted line), oldest first
        self.lost = 0

    def on_event(self, _cpu, data, _size):
        e = ctypes.cast(data, ctypes.POINTER(Event)).contents
        if e.kind >= len(KINDS):
            return
        kind = KINDS[e.kind]
        now = time.time()
        self.totals[kind] += 1
        self.times[kind].append(now)
        # bpf_ktime_get_ns() is CLOCK_MONOTONIC: the event's own wall time.
        when = now - (time.monotonic_ns() - e.ktime) / 1e9
        clock = datetime.datetime.fromtimestamp(when).strftime("%H:%M:%S")
        txid = hash_hex(e.txid)
        reason = e.reason.decode(errors="replace")
        if kind == "rejected":
            numbers = f"{'-':>6} {'-':>11} {'-':>8}"
        else:
            numbers = f"{e.vsize:>6} {e.fee:>11} {feerate(e.fee, e.vsize):>8}"
        if kind == "removed":
            details = f"reason {reason}"
        elif kind == "replaced":
            other = hash_hex(e.other_txid)
            details = (f"by {other if e.is_txid else 'package ' + other} vsize {e.other_vsize} fee {e.other_fee} "
                       f"({feerate(e.other_fee, e.other_vsize)} sat/vB)")
        elif kind == "rejected":
            details = f"reason {reason}"
        else:
            details = ""
        line = f"{clock}  {kind:<9} {txid} {numbers}  {details}".rstrip()
        # Each CPU has its own perf buffer: a poll may hand over a later
        # event from one CPU before an earlier one from another. Keep the
        # log in the order the events happened.
        bisect.insort(self.log, (e.ktime, line))
        del self.log[:-MAX_LOG]

    def on_lost(self, count):
        self.lost += count

    def rates(self, kind, now):
        times = self.times[kind]
        while times and times[0] < now - 600:
            times.popleft()
        last_minute = sum(1 for t in times if t >= now - 60)
        minutes = max(1.0, min(10.0, (now - self.started) / 60))
        return last_minute, len(times) / minutes

    def draw(self, screen, note=None):
        screen.erase()
        height, width = screen.getmaxyx()

        def put(y, text, attr=0):
            if 0 <= y < height:
                screen.addnstr(y, 0, text, width - 1, attr)

        now = time.time()
        up = int(now - self.started)
        put(0, f"Mempool Monitor - bitcoind pid {self.pid} - up {up // 60}m{up % 60:02d}s - lost {self.lost}",
            curses.A_BOLD)
        put(1, note or "q quit")
        put(3, f"{'EVENT':<10} {'TOTAL':>8} {'LAST 1 MIN':>11} {'PER MIN (10 MIN)':>17}", curses.A_UNDERLINE)
        for row, kind in enumerate(KINDS):
            last_minute, per_minute = self.rates(kind, now)
            put(4 + row, f"{kind:<10} {self.totals[kind]:>8} {last_minute:>11} {per_minute:>17.2f}")
        put(9, "Recent events (newest first); fees in sat, vsize in vB", curses.A_BOLD)
        put(10, f"{'TIME':<8}  {'EVENT':<9} {'TXID':<64} {'VSIZE':>6} {'FEE':>11} {'SAT/VB':>8}  DETAILS",
            curses.A_UNDERLINE)
        for row, (_, line) in enumerate(reversed(self.log)):
            if 11 + row >= height:
                break
            put(11 + row, line)
        screen.refresh()


def run(screen, pid):
    from bcc import BPF, USDT
    usdt = USDT(pid=pid)  # keep alive while attached (it holds the semaphores up)
    for kind in KINDS:
        usdt.enable_probe(probe=f"mempool:{kind}", fn_name=f"trace_{kind}")
    bpf = BPF(text=PROGRAM, usdt_contexts=[usdt])
    monitor = Monitor(pid)
    bpf["events"].open_perf_buffer(monitor.on_event, page_cnt=64, lost_cb=monitor.on_lost)
    curses.curs_set(0)
    screen.nodelay(True)
    screen.keypad(True)
    try:
        while True:
            bpf.perf_buffer_poll(timeout=100)
            ch = screen.getch()
            if ch in (ord("q"), ord("Q")):
                break
            if not os.path.exists(f"/proc/{pid}"):
                bpf.perf_buffer_poll(timeout=0)
                monitor.draw(screen, f"bitcoind pid {pid} exited; q quits")
                screen.nodelay(False)
                while screen.getch() not in (ord("q"), ord("Q")):
                    pass
                break
            monitor.draw(screen)
    except KeyboardInterrupt:
        pass
    bpf.cleanup()
    del usdt


def main():
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        print(__doc__.strip().splitlines()[0])
        print(f"usage: {sys.argv[0]} PID (the bitcoind process id)", file=sys.stderr)
        return 2
    curses.wrapper(run, int(sys.argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
