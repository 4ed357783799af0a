#!/usr/bin/python3
"""Runs contrib/tracing/log_utxocache_flush.py (BCC) against a live bitcoind
by pid and checks its lines: on a -prune=1 node, `pruneblockchain` logs a
FORCE_FLUSH for pruning with the coins mined since the restart in the
cache; `stop` logs the shutdown flushes (FORCE_FLUSH, not for pruning) and
the script ends by itself when the node exits."""
import os
import re
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.tracing import tracer_lock  # noqa: E402
from test_framework.util import assert_equal, assert_true, repo_root, wait_until  # noqa: E402

SCRIPT = os.path.join(repo_root(), "contrib", "tracing", "log_utxocache_flush.py")
LINE = re.compile(r"^\s*(-?\d+) (\S+)\s+(\d+)\s+(\d+) (True|False)$")
PRUNE_AFTER_HEIGHT = 1000


class LogUtxocacheFlushTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.extra_args = [["-prune=1"]]

    def skip_test_if_missing_module(self):
        self.skip_if_no_tracing(("bcc",))

    def run_test(self):
        node = self.nodes[0]
        with tracer_lock("bcc"):
            proc = subprocess.Popen(["/usr/bin/python3", SCRIPT, str(node.process.pid)], stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True, bufsize=1)
            lines = []
            reader = threading.Thread(target=lambda: lines.extend(line.rstrip("\n") for line in proc.stdout), daemon=True)
            reader.start()
            try:
                wait_until(lambda: any(line.startswith("Logging utxocache flushes") for line in lines) or proc.poll() is not None,
                           120, what="the script to attach")
                assert_true(proc.poll() is None, "the script runs:\n" + "\n".join(lines))
                mined = 0
                while node.getblockcount() < PRUNE_AFTER_HEIGHT + 10:
                    mined += len(self.generate(node, min(250, PRUNE_AFTER_HEIGHT + 10 - node.getblockcount())))
                node.pruneblockchain(node.getblockcount() - 288)
                wait_until(lambda: len(self.flushes(lines)) >= 1, 30, what="the prune flush line")
                self.stop_node(0)
                proc.wait(30)
                reader.join(10)
            finally:
                if proc.poll() is None:
                    proc.terminate()
                    proc.wait(10)
        self.log.info("output:\n" + "\n".join(lines))
        assert_equal(proc.returncode, 0, "the script's exit code")
        assert_true(any(re.match(r"^DURATION\(us\)\s+MODE\s+COINS\s+MEMORY\(bytes\)\s+PRUNE$", line.strip()) for line in lines),
                    "the header")
        flushes = self.flushes(lines)
        duration, mode, coins, memory, prune = flushes[0]
        assert_equal((mode, coins, prune), ("FORCE_FLUSH", mined, True), "the flush for pruneblockchain")
        assert_true(duration >= 0 and memory > 0, "duration and memory")
        shutdown = flushes[1:]
        assert_true(len(shutdown) >= 1, "shutdown flushes")
        for duration, mode, coins, memory, prune in shutdown:
            assert_equal((mode, prune), ("FORCE_FLUSH", False), "a shutdown flush")
        assert_equal(lines[-1], f"bitcoind pid {self.pid} exited", "the last line")

    def flushes(self, lines):
        out = []
        for line in lines:
            m = LINE.match(line)
            if m:
                out.append((int(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4)), m.group(5) == "True"))
        return out

    def setup_network(self):
        super().setup_network()
        self.pid = self.nodes[0].process.pid


if __name__ == "__main__":
    LogUtxocacheFlushTest().main()
