#!/usr/bin/python3
"""Benchmark: initial block download of a generated regtest chain from one
peer over P2P, in blocks per second (doc/benchmarks.md).

node0 mines --blocks blocks (real clock, so it is out of initial block
download and serves headers); then, --runs times, node1 starts from an empty
datadir, connects to node0 (addnode onetry) and the time from the connect
call until node1's tip equals node0's is measured.

    BUILDDIR=build /usr/bin/python3 test/bench/p2p_initial_sync.py [--blocks 5000] [--runs 3] [--debuglog]
"""
import os
import shutil
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "functional"))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.util import assert_equal, wait_until  # noqa: E402


class P2PInitialSyncBench(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.setup_clean_chain = True
        self.extra_args = [["-listen=1"], ["-listen=1"]]

    def setup_network(self):
        # The framework starts nodes with -debug=1 (every message logged);
        # -debug=0 after it turns that off unless --debuglog is given.
        if not self.options.debuglog:
            self.extra_args = [args + ["-debug=0"] for args in self.extra_args]
        super().setup_network()

    def add_options(self, parser):
        parser.add_argument("--blocks", type=int, default=5000, help="length of the generated chain")
        parser.add_argument("--runs", type=int, default=3, help="number of syncs measured")
        parser.add_argument("--debuglog", action="store_true", help="keep the framework's -debug=1 logging")

    def run_test(self):
        n0, n1 = self.nodes
        blocks = self.options.blocks
        start = time.time()
        while n0.getblockcount() < blocks:
            self.generate(n0, min(500, blocks - n0.getblockcount()))
        self.log.info(f"generated {blocks} blocks in {time.time() - start:.1f} s")
        tip = n0.getbestblockhash()
        rates = []
        for run in range(self.options.runs):
            if run > 0:
                self.stop_node(1)
                chain = os.path.join(n1.datadir, "regtest")
                for entry in ("blocks", "chainstate", "peers.dat", "banlist.json"):
                    path = os.path.join(chain, entry)
                    shutil.rmtree(path, ignore_errors=True) if os.path.isdir(path) else \
                        (os.path.exists(path) and os.unlink(path))
                self.start_node(1)
            assert_equal(n1.getblockcount(), 0)
            t0 = time.time()
            n1.addnode(f"127.0.0.1:{n0.p2p_port}", "onetry")
            wait_until(lambda: n1.getbestblockhash() == tip, timeout=1800, check_interval=0.02)
            elapsed = time.time() - t0
            rates.append(blocks / elapsed)
            self.log.info(f"run {run + 1}: {blocks} blocks in {elapsed:.2f} s = {blocks / elapsed:.0f} blocks/s")
        self.log.info(f"median {statistics.median(rates):.0f} blocks/s over {len(rates)} runs "
                      f"(min {min(rates):.0f}, max {max(rates):.0f})")


if __name__ == "__main__":
    P2PInitialSyncBench().main()
