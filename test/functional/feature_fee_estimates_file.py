#!/usr/bin/python3
"""fee_estimates.dat in Bitcoin Core's file format.

The file is built here with struct from the layout (version 149900, an unused
int, best height, historical first/best heights, the bucket bounds as IEEE
doubles, then the medium, short and long horizons: decay, scale, feerate
sums, tx counts, confirmed and failed averages per period), so it stands for
a file Core v30 wrote. The node must serve estimates from it, write it back
unchanged, refuse it when older than 60 hours (unless
-acceptstalefeeestimates, which is regtest-only) and shrug off a damaged
one with a log line."""
import os
import struct
import sys
import time
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.test_node import TestNode, write_config  # noqa: E402
from test_framework.util import assert_equal  # noqa: E402

NO_DATA = "Insufficient data or no feerate found"
FAST, SLOW = 40, 20  # bucket indices: (6704.8, 7040] and (2526.9, 2653.3] sat/kvB


def core_bounds():
    bounds, rate = [], 1000.0
    while rate <= 1e7:
        bounds.append(rate)
        rate *= 1.05
    return bounds + [1e99]


def compact(n):
    if n < 253:
        return struct.pack("<B", n)
    if n <= 0xffff:
        return b"\xfd" + struct.pack("<H", n)
    return b"\xfe" + struct.pack("<I", n)


def doubles(values):
    return compact(len(values)) + b"".join(struct.pack("<d", v) for v in values)


def horizon(decay, scale, periods, buckets):
    """100 txs at 7000 sat/kvB confirmed in the next block, 100 at 2600 after 10 blocks."""
    count = [0.0] * buckets
    sums = [0.0] * buckets
    count[FAST] = count[SLOW] = 100.0
    sums[FAST], sums[SLOW] = 100 * 7000.0, 100 * 2600.0
    confirmed = [[0.0] * buckets for _ in range(periods)]
    for p in range(periods):
        confirmed[p][FAST] = 100.0
        if (p + 1) * scale >= 10:
            confirmed[p][SLOW] = 100.0
    failed = [[0.0] * buckets for _ in range(periods)]
    return (struct.pack("<d", decay) + struct.pack("<I", scale) + doubles(sums) + doubles(count)
            + compact(periods) + b"".join(doubles(r) for r in confirmed)
            + compact(periods) + b"".join(doubles(r) for r in failed))


def core_file(best, first, last):
    bounds = core_bounds()
    n = len(bounds)
    return (struct.pack("<iiIII", 149900, 0, best, first, last) + doubles(bounds)
            + horizon(0.9952, 2, 24, n) + horizon(0.962, 1, 12, n) + horizon(0.99931, 24, 42, n))


def parse_header(data):
    """What a reader of Core's layout sees at the start of a file."""
    version, unused, best, first, last = struct.unpack_from("<iiIII", data, 0)
    assert_equal(data[20], 190)  # CompactSize bucket count
    bounds = list(struct.unpack_from("<190d", data, 21))
    pos = 21 + 190 * 8
    horizons = []
    for _ in range(3):
        decay, scale = struct.unpack_from("<dI", data, pos)
        pos += 12 + 2 * (1 + 190 * 8)  # two per-bucket vectors
        periods = data[pos]
        pos += 1 + periods * (1 + 190 * 8)
        assert_equal(data[pos], periods)
        pos += 1 + periods * (1 + 190 * 8)
        horizons.append((decay, scale, periods))
    assert_equal(pos, len(data))
    return version, unused, best, first, last, bounds, horizons


class FeeEstimatesFileTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False

    def path(self):
        return os.path.join(self.nodes[0].chain_path, "fee_estimates.dat")

    def put_file(self, data, age_hours=0):
        with open(self.path(), "wb") as f:
            f.write(data)
        stamp = time.time() - age_hours * 3600
        os.utime(self.path(), (stamp, stamp))

    def run_test(self):
        node = self.nodes[0]
        tip = node.getblockcount()
        self.log.info("our own file has Core's layout")
        self.stop_node(0)
        version, unused, best, first, last, bounds, horizons = parse_header(open(self.path(), "rb").read())
        assert_equal((version, unused, best), (149900, 0, tip))
        assert_equal(bounds, core_bounds())
        assert_equal(horizons, [(0.9952, 2, 24), (0.962, 1, 12), (0.99931, 24, 42)])

        self.log.info("a file in Core's format is loaded and served")
        data = core_file(tip, 1, tip)
        self.put_file(data)
        self.start_node(0)
        node = self.nodes[0]
        six = node.estimatesmartfee(6)
        assert_equal(six, {"feerate": Decimal("0.00007000"), "blocks": 6})
        assert_equal(node.estimatesmartfee(20)["feerate"], Decimal("0.00002600"))
        assert_equal(node.estimatesmartfee(6, "conservative")["feerate"], Decimal("0.00007000"))
        # Usable targets: half the historical span (1..tip).
        assert_equal(node.estimatesmartfee(1000)["blocks"], (tip - 1) // 2)

        self.log.info("and written back byte for byte when nothing happened in between")
        self.stop_node(0)
        assert_equal(open(self.path(), "rb").read(), data)

        self.log.info("a file older than 60 hours is not used")
        self.put_file(data, age_hours=61)
        with node.assert_debug_log(["too old (age=61 > 60 hours) and will not be used to avoid serving stale estimates."]):
            self.start_node(0)
        node = self.nodes[0]
        assert_equal(node.estimatesmartfee(6), {"errors": [NO_DATA], "blocks": 0})

        self.log.info("unless -acceptstalefeeestimates")
        self.stop_node(0)
        self.put_file(data, age_hours=61)
        self.start_node(0, ["-acceptstalefeeestimates"])
        node = self.nodes[0]
        assert_equal(node.estimatesmartfee(6)["feerate"], Decimal("0.00007000"))
        self.stop_node(0)

        self.log.info("damaged files are refused with a log line, the node runs on")
        damaged = [
            ("truncated", data[:len(data) // 2], "Unable to read policy estimator data (non-fatal)"),
            ("empty", b"", "Unable to read policy estimator data (non-fatal)"),
            ("newer", struct.pack("<i", 149901) + data[4:], "File version (149901) too high to be read."),
            ("bad decay", data[:21 + 190 * 8] + struct.pack("<d", 1.5) + data[29 + 190 * 8:],
             "Corrupt estimates file. Decay must be between 0 and 1 (non-inclusive)"),
            ("garbage", os.urandom(5000), "Failed to read fee estimates from"),
        ]
        for what, content, message in damaged:
            self.log.info(f"  {what}")
            self.put_file(content)
            with node.assert_debug_log([message, "Failed to read fee estimates from"]):
                self.start_node(0)
            node = self.nodes[0]
            assert_equal(node.estimatesmartfee(6)["errors"], [NO_DATA])
            self.stop_node(0)
        # The damaged file was replaced by a good (empty) one at shutdown.
        assert_equal(parse_header(open(self.path(), "rb").read())[0], 149900)

        self.log.info("-acceptstalefeeestimates is regtest-only")
        datadir = os.path.join(self.options.tmpdir, "signet_node")
        write_config(datadir, 1, chain="signet")
        signet = TestNode(1, datadir, self.config, chain="signet", bitcoind=self.bitcoind, logger=self.log,
                          timeout_factor=self.options.timeout_factor)
        signet.assert_start_raises_init_error(["-acceptstalefeeestimates=1"],
                                              "Error: acceptstalefeeestimates is not supported on signet chain.")
        self.start_node(0)


if __name__ == "__main__":
    FeeEstimatesFileTest().main()
