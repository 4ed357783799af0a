#!/usr/bin/python3
"""Runs the README's main job, contrib/tracing/demo.sh, against this build
(BUILDDIR, ports from this test's block) and checks that every part of it
was seen live: the validation:* and utxocache:* tracepoints (block
connected and disconnected, coins added, spent, flushed), the P2P traffic
between the two nodes (handshake, headers and blocks, ping/pong, the
relayed transaction) through log_p2p_traffic.bt, and the mempool events
through log_mempool.bt (added, replaced, removed as replaced and as mined,
rejected for a zero fee); and that it ends cleanly, leaving no process and
no datadir behind."""
import glob
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.util import assert_equal, assert_true, port_base, repo_root  # noqa: E402
from test_framework.tracing import tracer_lock  # noqa: E402

DEMO = os.path.join(repo_root(), "contrib", "tracing", "demo.sh")


class DemoTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 0
        self.setup_clean_chain = True

    def skip_test_if_missing_module(self):
        self.skip_if_no_tracing(("bpftrace",))

    def run_test(self):
        before = set(glob.glob("/tmp/bitcoin-observed-demo*"))
        env = dict(os.environ, BUILDDIR=self.config["environment"]["BUILDDIR"], RPCPORT=str(port_base()))
        with tracer_lock("bpftrace"):
            proc = subprocess.run(["bash", DEMO], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True, timeout=600)
        out = proc.stdout
        self.log.debug(out)
        assert_equal(proc.returncode, 0, f"demo.sh failed:\n{out[-3000:]}")
        lines = out.splitlines()

        # Lines of the tracers and of the demo itself share one pipe and may
        # run into each other, so a pattern may start anywhere in a line.
        def seen(pattern, what):
            assert_true(any(re.search(pattern, line) for line in lines), f"{what} ({pattern!r}) in:\n{out[-3000:]}")

        self.log.info("validation and utxocache tracepoints")
        seen(r"validation:block_connected +height 102, 1 tx", "the first traced block connected")
        seen(r"validation:block_disconnected +height 103, 2 tx", "invalidateblock's disconnection")
        seen(r"utxocache:add ", "a coin added")
        seen(r"utxocache:spent ", "a coin spent")
        seen(r"utxocache:flush +mode 3 \(3 = FORCE_FLUSH\)", "the shutdown flush")

        self.log.info("P2P traffic between the two nodes")
        for msg in ("version", "verack", "headers", "block", "ping", "pong", "inv", "getdata", "tx"):
            seen(rf"p2p: .*\b{msg}\b", f"a {msg} message")

        self.log.info("mempool events")
        txids = re.findall(r"sendrawtransaction ([0-9a-f]{64}) \(fee ([0-9.]+)\)", out)
        assert_equal([fee for _, fee in txids], ["0.0001", "0.0002", "0"])
        first, second, free = (t for t, _ in txids)
        seen(rf"mempool: ADDED +{first} vsize=\d+ fee=10000\b", "the first transaction added")
        seen(r"the second node has it in its mempool too", "relay to the second node")
        seen(rf"mempool: REPLACED +{first} .* by {second} ", "the replacement")
        seen(rf"mempool: REMOVED +{first} reason=replaced ", "the replaced one removed")
        seen(rf"mempool: ADDED +{second} vsize=\d+ fee=20000\b", "the replacement added")
        seen(rf"mempool: REJECTED +{free} reason=min relay fee not met", "the zero-fee one rejected")
        seen(rf"mempool: REMOVED +{second} reason=block ", "the replacement mined")

        self.log.info("a clean end")
        seen(r"== stopped both nodes and bpftrace", "the last line")
        assert_equal(set(glob.glob("/tmp/bitcoin-observed-demo*")), before)
        leftover = subprocess.run(["pgrep", "-f", f"rpcport={port_base()}"], stdout=subprocess.PIPE, text=True)
        assert_equal(leftover.stdout, "")


if __name__ == "__main__":
    DemoTest().main()
