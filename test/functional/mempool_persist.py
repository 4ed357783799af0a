#!/usr/bin/python3
"""mempool.dat: written at shutdown and loaded at start (-persistmempool,
default on), with entry times and prioritisetransaction deltas kept;
-persistmempool=0 neither loads nor writes; savemempool writes it on demand;
-persistmempoolv1 writes the version-1 (no XOR key) format, still loadable."""
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import assert_equal  # noqa: E402


class MempoolPersistTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False

    def run_test(self):
        node = self.nodes[0]
        acs = AnyoneCanSpend(node)
        mempool_dat = os.path.join(node.datadir, "regtest", "mempool.dat")

        self.log.info("three transactions (a parent and child among them), one prioritised")
        parent = acs.create_self_transfer(fee=Decimal("0.0001"))
        child = acs.create_self_transfer(utxo=parent["new_utxo"], fee=Decimal("0.0002"))
        other = acs.create_self_transfer(fee=Decimal("0.0003"))
        for tx in (parent, child, other):
            node.sendrawtransaction(tx["hex"])
        node.prioritisetransaction(other["txid"], 0, 1234)
        before = node.getrawmempool(True)
        assert_equal(len(before), 3)
        assert_equal(node.getmempoolinfo()["loaded"], True)

        self.log.info("restart: the same mempool, entry times and fee deltas")
        self.restart_node(0)
        assert os.path.isfile(mempool_dat)
        self.wait_until(lambda: node.getmempoolinfo()["loaded"])
        after = node.getrawmempool(True)
        assert_equal(sorted(after), sorted(before))
        for txid in before:
            assert_equal(after[txid]["time"], before[txid]["time"])
            assert_equal(after[txid]["fees"], before[txid]["fees"])
        assert_equal(after[other["txid"]]["fees"]["modified"], Decimal("0.00031234"))

        self.log.info("-persistmempool=0: nothing loaded, nothing written")
        self.restart_node(0, extra_args=["-persistmempool=0"])
        assert_equal(node.getrawmempool(), [])
        self.restart_node(0)
        assert_equal(sorted(node.getrawmempool()), sorted(before))

        self.log.info("savemempool writes the file on demand")
        os.remove(mempool_dat)
        result = node.savemempool()
        assert_equal(os.path.realpath(result["filename"]), os.path.realpath(mempool_dat))
        assert os.path.isfile(mempool_dat)

        self.log.info("-persistmempoolv1: version 1 on disk, loaded again")
        self.restart_node(0, extra_args=["-persistmempoolv1=1"])
        self.stop_node(0)
        with open(mempool_dat, "rb") as f:
            assert_equal(int.from_bytes(f.read(8), "little"), 1)
        self.start_node(0)
        assert_equal(sorted(node.getrawmempool()), sorted(before))
        with open(mempool_dat, "rb") as f:
            pass
        self.stop_node(0)
        with open(mempool_dat, "rb") as f:
            assert_equal(int.from_bytes(f.read(8), "little"), 2)
        self.start_node(0)
        assert_equal(len(node.getrawmempool()), 3)


if __name__ == "__main__":
    MempoolPersistTest().main()
