#!/usr/bin/python3
"""Runs contrib/tracing/connectblock_benchmark.bt against a live bitcoind
(bpftrace -p PID, from a folder where ./build is this build) and checks its
output against getblock: one line per block at or over the threshold (hash,
transactions, inputs, sigops, duration), the summary with the totals at the
end height, the histogram, and that the script exits by itself there. A
second run with a one-minute threshold logs no block but still sums up."""
import os
import re
import sys
import tempfile
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.address import pubkey_to_p2pkh_script  # noqa: E402
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.tracing import Bpftrace, tracer_lock  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import assert_equal, assert_true, repo_root, wait_until  # noqa: E402

PUBKEY_G = bytes.fromhex("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
SCRIPT = os.path.join(repo_root(), "contrib", "tracing", "connectblock_benchmark.bt")
BLOCK_LINE = re.compile(r"^Block (\d+) \(([0-9a-f]{64})\) (\d+) tx (\d+) inputs (\d+) sigops took (\d+) ms \((\d+) us\)$")
SUMMARY = re.compile(r"^Connected (\d+) blocks, heights (\d+) to (\d+): (\d+) tx, (\d+) inputs, (\d+) sigops, "
                     r"(\d+) ms connecting, (\d+) ms wall$")


class ConnectBlockBenchmarkTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def skip_test_if_missing_module(self):
        self.skip_if_no_tracing(("bpftrace",))

    def run_test(self):
        node = self.nodes[0]
        acs = AnyoneCanSpend(node)
        with tempfile.TemporaryDirectory() as cwd, tracer_lock("bpftrace"):
            os.symlink(self.config["environment"]["BUILDDIR"], os.path.join(cwd, "build"))
            start = node.getblockcount() + 1
            end = start + 5
            self.log.info(f"threshold 0 ms: every block from {start} to {end}")
            tracer = Bpftrace(script=SCRIPT, args=["-p", str(node.process.pid)], cwd=cwd,
                              script_args=[start, end, 0])
            try:
                hashes = self.generate(node, 2)
                # One P2PKH output: 1 legacy sigop, a cost of 4.
                hashes.append(acs.mine([acs.create_self_transfer(),
                                        acs.send_to(pubkey_to_p2pkh_script(PUBKEY_G), Decimal("0.001"))]))
                self.sigops = {hashes[-1]: 4}
                hashes += self.generate(node, 3)
                wait_until(lambda: tracer.proc.poll() is not None, 30, what="the script to exit at the end height")
            finally:
                lines = tracer.stop()
            self.log.info("output:\n" + "\n".join(lines))
            self.check_run(node, lines, start, end, hashes, logged=hashes)

            start = node.getblockcount() + 1
            end = start + 1
            self.log.info(f"threshold 60000 ms: no block logged, summary at {end}")
            tracer = Bpftrace(script=SCRIPT, args=["-p", str(node.process.pid)], cwd=cwd,
                              script_args=[start, end, 60000])
            try:
                hashes = self.generate(node, 2)
                wait_until(lambda: tracer.proc.poll() is not None, 30, what="the script to exit at the end height")
            finally:
                lines = tracer.stop()
            self.log.info("output:\n" + "\n".join(lines))
            self.sigops = {}
            self.check_run(node, lines, start, end, hashes, logged=[])

    def check_run(self, node, lines, start, end, hashes, logged):
        assert_true(any(line.startswith(f"Connect block benchmark: heights {start} to {end},") for line in lines),
                    "the header line")
        assert_true(f"Started at height {start}" in lines, "the start line")
        blocks = [node.getblock(h, 2) for h in hashes]
        seen = [BLOCK_LINE.match(line).groups() for line in lines if BLOCK_LINE.match(line)]
        assert_equal(len(seen), len(logged), "block lines")
        for groups, block in zip(seen, [b for b in blocks if b["hash"] in logged]):
            height, block_hash, txs, inputs, sigops, ms, us = groups
            assert_equal((int(height), block_hash, int(txs), int(inputs), int(sigops)),
                         (block["height"], block["hash"], len(block["tx"]), sum(len(tx["vin"]) for tx in block["tx"]),
                          self.sigops.get(block["hash"], 0)),
                         "block line")
            assert_equal(int(ms), int(us) // 1000, "ms and us agree")
        summary = [SUMMARY.match(line).groups() for line in lines if SUMMARY.match(line)]
        assert_equal(len(summary), 1, "one summary line")
        count, first, last, txs, inputs, sigops, connect_ms, wall_ms = map(int, summary[0])
        assert_equal((count, first, last, txs, inputs, sigops),
                     (len(blocks), start, end, sum(len(b["tx"]) for b in blocks),
                      sum(len(tx["vin"]) for b in blocks for tx in b["tx"]), sum(self.sigops.values())), "summary totals")
        assert_true(connect_ms <= wall_ms, "connect time within the wall time")
        index = next(i for i, line in enumerate(lines) if line.startswith("@connect_us:"))
        buckets = [int(m.group(1)) for m in (re.match(r"^\[.*\)\s+(\d+) \|", line) for line in lines[index + 1:]) if m]
        assert_equal(sum(buckets), len(blocks), "histogram counts every block")


if __name__ == "__main__":
    ConnectBlockBenchmarkTest().main()
