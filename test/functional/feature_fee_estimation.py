#!/usr/bin/python3
"""Fee estimation from observed confirmation times (estimatesmartfee).

A synthetic fee market on regtest: every block, transactions at 4, 12, 25
and 60 sat/vB arrive; the "miner" (generateblock with chosen transactions)
confirms >= 25 sat/vB at once, 12 sat/vB after three blocks and 4 sat/vB
after twelve. The estimates must converge on those tiers (next blocks: the
fast tier; six blocks: the middle one), conservative never below economical,
errors before there is data and for bad arguments, and the estimates must
survive a restart through fee_estimates.dat."""
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

        self.log.info("fee_estimates.dat carries them across a restart")
        self.restart_node(0)
        node = self.nodes[0]
        again = node.estimatesmartfee(6)
        assert_equal(again["feerate"], six["feerate"])
        assert_equal(node.estimatesmartfee(1)["feerate"], fast["feerate"])


if __name__ == "__main__":
    FeeEstimationTest().main()
