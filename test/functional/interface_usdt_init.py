#!/usr/bin/python3
"""init:started and init:shutdown, checked with BCC attached to a live
bitcoind by pid: chain name ("regtest") and tip height on both; init:started
fires once, when the node is ready; on a clean shutdown (stop RPC and
SIGTERM) the FORCE_FLUSH utxocache:flush comes first, then init:shutdown.

To catch init:started the node is started and frozen with SIGSTOP before it
got anywhere (checked in debug.log; the start is retried otherwise), BCC
attaches, then SIGCONT lets it run."""
import ctypes
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.tracing import tracer_lock  # noqa: E402
from test_framework.util import assert_equal, assert_true  # noqa: E402

PROGRAM = r"""
#include <uapi/linux/ptrace.h>
#define MAX_CHAIN 32
struct init_event { u32 kind; s32 height; u64 ns; u32 flush_mode; char chain[MAX_CHAIN]; };
BPF_PERF_OUTPUT(events);

int trace_started(struct pt_regs *ctx) {
    struct init_event e = {}; u64 chain = 0;
    e.kind = 0; e.ns = bpf_ktime_get_ns();
    bpf_usdt_readarg(1, ctx, &chain); bpf_usdt_readarg(2, ctx, &e.height);
    bpf_probe_read_user_str(&e.chain, sizeof(e.chain), (void *)chain);
    events.perf_submit(ctx, &e, sizeof(e)); return 0;
}
int trace_shutdown(struct pt_regs *ctx) {
    struct init_event e = {}; u64 chain = 0;
    e.kind = 1; e.ns = bpf_ktime_get_ns();
    bpf_usdt_readarg(1, ctx, &chain); bpf_usdt_readarg(2, ctx, &e.height);
    bpf_probe_read_user_str(&e.chain, sizeof(e.chain), (void *)chain);
    events.perf_submit(ctx, &e, sizeof(e)); return 0;
}
int trace_flush(struct pt_regs *ctx) {
    struct init_event e = {};
    e.kind = 2; e.ns = bpf_ktime_get_ns();
    bpf_usdt_readarg(2, ctx, &e.flush_mode);
    events.perf_submit(ctx, &e, sizeof(e)); return 0;
}
"""
KINDS = ("started", "shutdown", "flush")


class InitEvent(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_uint32), ("height", ctypes.c_int32), ("ns", ctypes.c_uint64),
                ("flush_mode", ctypes.c_uint32), ("chain", ctypes.c_char * 32)]


class Tracer:
    """BCC attached to one bitcoind process; events in time order."""

    def __init__(self, pid):
        from bcc import BPF, USDT
        # Keep the USDT context alive: when it is collected, BCC lowers the
        # probes' semaphores again and the probes stop firing.
        self.usdt = USDT(pid=pid)
        self.usdt.enable_probe(probe="init:started", fn_name="trace_started")
        self.usdt.enable_probe(probe="init:shutdown", fn_name="trace_shutdown")
        self.usdt.enable_probe(probe="utxocache:flush", fn_name="trace_flush")
        self.bpf = BPF(text=PROGRAM, usdt_contexts=[self.usdt])
        self.raw = []

        def handle(_cpu, data, _size):
            e = ctypes.cast(data, ctypes.POINTER(InitEvent)).contents
            self.raw.append((e.ns, KINDS[e.kind], e.chain.decode(), e.height, e.flush_mode))
        self.bpf["events"].open_perf_buffer(handle)

    def poll(self, rounds=5):
        for _ in range(rounds):
            self.bpf.perf_buffer_poll(timeout=50)

    def events(self):
        return [event[1:] for event in sorted(self.raw)]

    def close(self):
        self.poll()
        self.bpf.cleanup()
        # Free the USDT context right away: its destructor closes a file
        # descriptor number that cleanup() already closed, which must not
        # have been handed out again in between (say, to a node's log file).
        self.usdt = None


class InitTracepointsTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False  # the cached 200-block chain

    def skip_test_if_missing_module(self):
        self.skip_if_no_tracing(("bcc",))

    def start_frozen(self, extra_args=None):
        """Starts bitcoind and stops it with SIGSTOP before it wrote its first
        log line; returns the pid. Retries when the process was too quick."""
        node = self.nodes[0]
        for attempt in range(10):
            size = os.path.getsize(node.debug_log_path) if os.path.exists(node.debug_log_path) else 0
            node.start(extra_args)
            os.kill(node.process.pid, signal.SIGSTOP)
            time.sleep(0.2)  # anything in flight reaches the file
            with open(node.debug_log_path, "rb") if os.path.exists(node.debug_log_path) else open(os.devnull, "rb") as f:
                f.seek(size)
                fresh = f.read().decode("utf8", errors="replace")
            if "Loading block index" not in fresh:
                return node.process.pid
            self.log.info(f"attempt {attempt}: the node got too far before SIGSTOP; starting again")
            os.kill(node.process.pid, signal.SIGCONT)
            node.wait_for_rpc_connection()
            node.stop_node()
        raise AssertionError("could not freeze bitcoind before it loaded the chainstate")

    def run_test(self):
        node = self.nodes[0]
        self.generate(node, 7)
        height = node.getblockcount()
        self.stop_node(0)

        with tracer_lock("bcc"):
            self.log.info("init:started: once, with chain regtest and the tip height, once the node is ready")
            pid = self.start_frozen()
            tracer = Tracer(pid)
            try:
                os.kill(pid, signal.SIGCONT)
                node.wait_for_rpc_connection()
                tracer.poll()
                started = [e for e in tracer.events() if e[0] == "started"]
                assert_equal(started, [("started", "regtest", height, 0)], "init:started events")
                with open(node.debug_log_path, encoding="utf8") as f:
                    assert_true("init message: Done loading" in f.read(), "Done loading logged with init:started")

                self.log.info("init:shutdown on the stop RPC: after the FORCE_FLUSH, with the tip height")
                self.generate(node, 2)
                height += 2
                tracer.raw.clear()
                node.stop_node()
                tracer.poll()
                self.check_shutdown(tracer.events(), height)
            finally:
                tracer.close()

            self.log.info("init:shutdown on SIGTERM")
            self.start_node(0)
            tracer = Tracer(node.process.pid)
            try:
                self.generate(node, 1)
                height += 1
                os.kill(node.process.pid, signal.SIGTERM)
                node.wait_until_stopped()
                tracer.poll()
                self.check_shutdown(tracer.events(), height)
            finally:
                tracer.close()
        self.start_node(0)

    def check_shutdown(self, events, height):
        shutdown = [e for e in events if e[0] == "shutdown"]
        assert_equal(shutdown, [("shutdown", "regtest", height, 0)], "init:shutdown events")
        position = events.index(shutdown[0])
        flushes_before = [e for e in events[:position] if e[0] == "flush"]
        assert_true(flushes_before and flushes_before[-1][3] == 3,
                    f"a FORCE_FLUSH (mode 3) utxocache:flush precedes init:shutdown: {events}")
        assert_true(not [e for e in events if e[0] == "started"], "no init:started at shutdown")


if __name__ == "__main__":
    InitTracepointsTest().main()
