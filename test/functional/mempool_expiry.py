#!/usr/bin/python3
"""-mempoolexpiry: transactions older than it (mock time) leave the mempool
with their descendants when the next transaction is accepted; younger ones
stay."""
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import assert_equal  # noqa: E402

DEFAULT_EXPIRY_HOURS = 336
CUSTOM_EXPIRY_HOURS = 10


class MempoolExpiryTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False

    def check(self, expiry_hours):
        node = self.nodes[0]
        acs = AnyoneCanSpend(node)
        now = node.getblockheader(node.getbestblockhash())["time"] + 100
        node.setmocktime(now)
        parent = acs.create_self_transfer(fee=Decimal("0.0001"))
        node.sendrawtransaction(parent["hex"])
        node.setmocktime(now + 60)
        child = acs.create_self_transfer(utxo=parent["new_utxo"], fee=Decimal("0.0001"))
        node.sendrawtransaction(child["hex"])
        young_time = now + expiry_hours * 3600 - 10
        node.setmocktime(young_time)
        young = acs.create_self_transfer(fee=Decimal("0.0001"))
        node.sendrawtransaction(young["hex"])
        # One second before the parent's expiry: everything stays.
        node.setmocktime(now + expiry_hours * 3600)
        trigger1 = acs.create_self_transfer(fee=Decimal("0.0001"))
        node.sendrawtransaction(trigger1["hex"])
        assert_equal(len(node.getrawmempool()), 4)
        # Past it: the parent and its child leave, the rest stays.
        node.setmocktime(now + expiry_hours * 3600 + 5)
        trigger2 = acs.create_self_transfer(fee=Decimal("0.0001"))
        node.sendrawtransaction(trigger2["hex"])
        assert_equal(sorted(node.getrawmempool()), sorted([young["txid"], trigger1["txid"], trigger2["txid"]]))
        acs.mine([young, trigger1, trigger2])
        node.setmocktime(0)

    def run_test(self):
        self.log.info(f"default expiry ({DEFAULT_EXPIRY_HOURS} h)")
        self.check(DEFAULT_EXPIRY_HOURS)
        self.log.info(f"-mempoolexpiry={CUSTOM_EXPIRY_HOURS}")
        self.restart_node(0, extra_args=[f"-mempoolexpiry={CUSTOM_EXPIRY_HOURS}"])
        self.check(CUSTOM_EXPIRY_HOURS)


if __name__ == "__main__":
    MempoolExpiryTest().main()
