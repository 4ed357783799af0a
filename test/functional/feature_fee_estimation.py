#!/usr/bin/python3
"""Fee estimation from observed confirmation times (estimatesmartfee).

A synthetic fee market on regtest: every block, transactions at 4, 12, 25
and 60 sat/vB arrive; the "miner" (generateblock with chosen transactions)
confirms >= 25 sat/vB at once, 12 sat/vB after three blocks and 4 sat/vB
after twelve. The estimates must converge on those tiers (next blocks: the
fast tier; six blocks: the middle one), conservative never below economical,
errors before there is data and for bad arguments, and the estimates must
survive a restart through fee_estimates.dat.

Before the market, which transactions the estimator tracks (as Core): not
those arriving during initial block download, not package members
(submitpackage), not children of mempool transactions, not transactions a
reorg returns to the mempool. Seen through the
hidden estimaterawfee: with no confirmation data nothing passes, and the
failing range's "inmempool" counts the tracked transactions that have
waited the target or longer. Then estimaterawfee's shape and numbers on the
market's data."""
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import assert_equal, assert_greater_than_or_equal, assert_raises_rpc_error  # noqa: E402

TIERS = [(4, 12), (12, 3), (25, 1), (60, 1)]  # (sat/vB, blocks until mined)
PER_TIER = 2
BLOCKS = 45
NO_DATA = "Insufficient data or no feerate found"
NO_RAW = "Insufficient data or no feerate found which meets threshold"
HORIZONS = {"short": (Decimal("0.962"), 1), "medium": (Decimal("0.9952"), 2), "long": (Decimal("0.99931"), 24)}
RANGE_KEYS = ["startrange", "endrange", "withintarget", "totalconfirmed", "inmempool", "leftmempool"]


class FeeEstimationTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False

    def make_coins(self, count):
        """Splits mature coins into `count` small ones, mined."""
        coins = []
        fanouts = []
        while len(coins) < count:
            fan = self.acs.create_self_transfer_multi(num_outputs=200, fee=Decimal("0.001"))
            fanouts.append(fan)
            coins.extend(fan["new_utxos"])
        self.acs.mine(fanouts)
        return coins

    def tracked_waiting(self, target=1):
        """Tracked mempool transactions that waited >= target blocks (no data yet)."""
        raw = self.nodes[0].estimaterawfee(target)["short"]
        assert "pass" not in raw and "feerate" not in raw, raw
        assert_equal(raw["errors"], [NO_RAW])
        return raw["fail"]["inmempool"]

    def check_tracking(self):
        node = self.nodes[0]
        assert node.getblockchaininfo()["initialblockdownload"]
        self.log.info("not tracked: a transaction arriving during initial block download")
        during_ibd = self.acs.create_self_transfer()
        node.sendrawtransaction(during_ibd["hex"])
        node.generateblock(self.acs.address, [])  # a block of now: out of initial block download
        assert not node.getblockchaininfo()["initialblockdownload"]
        node.generateblock(self.acs.address, [])
        assert_equal(self.tracked_waiting(), 0)

        self.log.info("tracked: an ordinary transaction; not: its child, package members")
        single = self.acs.create_self_transfer()
        node.sendrawtransaction(single["hex"])
        child = self.acs.create_self_transfer(utxo=single["new_utxo"])
        node.sendrawtransaction(child["hex"])
        parent2 = self.acs.create_self_transfer(fee=Decimal("0.00000200"))
        child2 = self.acs.create_self_transfer(utxo=parent2["new_utxo"], fee=Decimal("0.0002"))
        res = node.submitpackage([parent2["hex"], child2["hex"]])
        assert_equal(res["package_msg"], "success")
        parent3 = self.acs.create_self_transfer()
        child3 = self.acs.create_self_transfer(utxo=parent3["new_utxo"])
        res = node.submitpackage([parent3["hex"], child3["hex"]])  # parent enters alone, still a package member
        assert_equal(res["package_msg"], "success")
        pool = set(node.getrawmempool())
        for t in (during_ibd, single, child, parent2, child2, parent3, child3):
            assert t["txid"] in pool
        assert_equal(self.tracked_waiting(), 0)  # nothing has waited a block yet
        node.generateblock(self.acs.address, [])
        assert_equal(self.tracked_waiting(), 1)  # only `single`
        node.generateblock(self.acs.address, [])
        assert_equal(self.tracked_waiting(2), 1)
        # Confirmed: no longer waiting.
        everything = [during_ibd, single, child, parent2, child2, parent3, child3]
        self.acs.mine(everything)
        assert_equal(node.getrawmempool(), [])
        assert_equal(self.tracked_waiting(), 0)

        self.log.info("not tracked: transactions a reorg returns to the mempool")
        node.invalidateblock(node.getbestblockhash())
        assert single["txid"] in node.getrawmempool()
        node.generateblock(self.acs.address, [])
        node.generateblock(self.acs.address, [])
        assert_equal(self.tracked_waiting(), 0)
        self.acs.mine(everything)
        assert_equal(node.getrawmempool(), [])

    def check_raw_arguments(self):
        node = self.nodes[0]
        for bad in (0, 1009):
            assert_raises_rpc_error(-8, "Invalid conf_target, must be between 1 and 1008", node.estimaterawfee, bad)
        for bad in (-0.1, 1.5):
            assert_raises_rpc_error(-8, "Invalid threshold", node.estimaterawfee, 2, bad)
        # Hidden: not listed, but documented.
        assert "estimaterawfee" not in node.help()
        assert "threshold" in node.help("estimaterawfee")
        # Horizons appear only when they track the target.
        assert_equal(list(node.estimaterawfee(12)), ["short", "medium", "long"])
        assert_equal(list(node.estimaterawfee(13)), ["medium", "long"])
        assert_equal(list(node.estimaterawfee(48)), ["medium", "long"])
        assert_equal(list(node.estimaterawfee(49)), ["long"])
        assert_equal(list(node.estimaterawfee(1008)), ["long"])
        for name, h in node.estimaterawfee(1).items():
            assert_equal((h["decay"], h["scale"]), HORIZONS[name])

    def check_raw_estimates(self, smart_two, smart_six):
        node = self.nodes[0]
        self.log.info("estimaterawfee on the market's data")
        raw = node.estimaterawfee(2)
        assert_equal(list(raw), ["short", "medium", "long"])
        for name, h in raw.items():
            assert_equal((h["decay"], h["scale"]), HORIZONS[name])
        short = raw["short"]
        self.log.info(f"estimaterawfee 2, short horizon: {short}")
        assert "errors" not in short, short
        # Within two blocks only the >= 25 sat/vB tiers confirm at 95%.
        assert_greater_than_or_equal(short["feerate"], Decimal("0.00025"))
        assert short["feerate"] <= Decimal("0.00060"), short
        assert_equal(list(short["pass"]), RANGE_KEYS)
        assert short["pass"]["startrange"] < short["feerate"] * 100000000 <= short["pass"]["endrange"], short
        assert_greater_than_or_equal(short["pass"]["withintarget"], Decimal("0.95") * short["pass"]["totalconfirmed"])
        # The range below it failed: the 12 sat/vB tier took three blocks.
        assert_equal(list(short["fail"]), RANGE_KEYS)
        assert_equal(short["fail"]["endrange"], short["pass"]["startrange"])
        assert short["fail"]["withintarget"] < Decimal("0.95") * short["fail"]["totalconfirmed"], short
        # Three blocks are enough for the middle tier; a lower threshold takes cheaper ranges.
        three = node.estimaterawfee(3)["short"]
        assert_greater_than_or_equal(three["feerate"], Decimal("0.00012"))
        assert three["feerate"] < Decimal("0.00025"), three
        loose = node.estimaterawfee(2, 0.01)["short"]
        assert loose["feerate"] <= short["feerate"], loose
        # estimatesmartfee's answers rest on the same data.
        assert_greater_than_or_equal(smart_two, short["feerate"])
        assert_greater_than_or_equal(smart_six, node.estimaterawfee(6, 0.85)["short"]["feerate"])

    def run_test(self):
        node = self.nodes[0]
        self.acs = AnyoneCanSpend(node)

        self.log.info("no data yet, and bad arguments")
        est = node.estimatesmartfee(2)
        assert_equal(est["errors"], [NO_DATA])
        assert "feerate" not in est
        assert_equal(est["blocks"], 0)
        assert_raises_rpc_error(-8, "Invalid conf_target, must be between 1 and 1008", node.estimatesmartfee, 0)
        assert_raises_rpc_error(-8, "Invalid conf_target, must be between 1 and 1008", node.estimatesmartfee, 1009)
        assert_raises_rpc_error(-8, "Invalid estimate_mode parameter, must be one of: \"unset\", \"economical\", "
                                "\"conservative\"", node.estimatesmartfee, 2, "fast")

        self.check_tracking()
        self.check_raw_arguments()

        self.log.info(f"a fee market over {BLOCKS} blocks")
        coins = self.make_coins(BLOCKS * PER_TIER * len(TIERS))
        waiting = []  # (blocks left, hex, txid)
        for _ in range(BLOCKS):
            for rate, delay in TIERS:
                for _ in range(PER_TIER):
                    coin = coins.pop()
                    probe = self.acs.create_self_transfer(utxo=coin, fee=Decimal("0.00001"))
                    vsize = node.decoderawtransaction(probe["hex"])["vsize"]
                    fee = Decimal(rate * vsize) / Decimal(100000000)
                    tx = self.acs.create_self_transfer(utxo=coin, fee=fee)
                    node.sendrawtransaction(tx["hex"])
                    waiting.append([delay, tx["hex"], tx["txid"]])
            for w in waiting:
                w[0] -= 1
            ready = [w for w in waiting if w[0] <= 0]
            waiting = [w for w in waiting if w[0] > 0]
            node.generateblock(self.acs.address, [w[1] for w in ready])
            pool = set(node.getrawmempool())
            assert all(w[2] not in pool for w in ready)
        self.acs.rescan()

        self.log.info("estimates converge on the tiers")
        fast = node.estimatesmartfee(1)
        assert "errors" not in fast, fast
        assert_equal(fast["blocks"], 2)
        assert_greater_than_or_equal(fast["feerate"], Decimal("0.00025"))
        assert fast["feerate"] <= Decimal("0.00060"), fast
        six = node.estimatesmartfee(6)
        assert_equal(six["blocks"], 6)
        assert_greater_than_or_equal(six["feerate"], Decimal("0.00012"))
        assert six["feerate"] < Decimal("0.00025"), six
        economical = node.estimatesmartfee(6, "economical")
        assert_equal(economical, six)
        assert_equal(node.estimatesmartfee(6, "UNSET"), six)
        conservative = node.estimatesmartfee(6, "conservative")
        assert_greater_than_or_equal(conservative["feerate"], six["feerate"])
        slow = node.estimatesmartfee(20)
        assert slow["feerate"] <= six["feerate"], slow
        # Far targets are clamped to what the data covers.
        far = node.estimatesmartfee(1000)
        assert far["blocks"] < 1000, far
        self.log.info(f"estimates: 2 blocks {fast['feerate']}, 6 blocks {six['feerate']}, "
                      f"20 blocks {slow.get('feerate')}, conservative 6 {conservative['feerate']}")

        self.check_raw_estimates(fast["feerate"], six["feerate"])

        self.log.info("fee_estimates.dat carries them across a restart")
        self.restart_node(0)
        node = self.nodes[0]
        again = node.estimatesmartfee(6)
        assert_equal(again["feerate"], six["feerate"])
        assert_equal(node.estimatesmartfee(1)["feerate"], fast["feerate"])
        assert_equal(node.estimaterawfee(2)["short"]["feerate"], self.nodes[0].estimaterawfee(2)["short"]["feerate"])


if __name__ == "__main__":
    FeeEstimationTest().main()
