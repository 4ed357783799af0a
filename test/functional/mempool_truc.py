#!/usr/bin/python3
"""TRUC (BIP431) relay policy for version-3 transactions, through
sendrawtransaction, testmempoolaccept (single and package) and submitpackage:
version inheritance, the 10,000 vB / 1,000 vB size limits, one unconfirmed
ancestor and one descendant, sibling eviction, zero-fee TRUC parents paid for
by their child (and non-TRUC ones refused), each with Core's reject reason
"TRUC-violation" and debug string."""
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import assert_equal, assert_raises_rpc_error  # noqa: E402


def describe(tx):
    return f"{tx['txid']} (wtxid={tx['wtxid']})"


class MempoolTrucTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False

    def run_test(self):
        self.node = self.nodes[0]
        self.acs = AnyoneCanSpend(self.node)
        self.test_inheritance()
        self.test_sizes()
        self.test_topology()
        self.test_sibling_eviction()
        self.test_zero_fee_parents()
        self.test_package_forms()

    def spend(self, utxo, version=3, fee=Decimal("0.0001"), num_outputs=1, utxos=None):
        return self.acs.create_self_transfer_multi(utxos or [utxo], num_outputs=num_outputs, fee=fee,
                                                   version=version)

    def send(self, tx):
        return self.node.sendrawtransaction(tx["hex"])

    def vsize(self, tx):
        return self.node.decoderawtransaction(tx["hex"])["vsize"]

    def check_rejected(self, tx, debug):
        """Refused by testmempoolaccept and sendrawtransaction with TRUC-violation."""
        [res] = self.node.testmempoolaccept([tx["hex"]])
        assert_equal(res["allowed"], False)
        assert_equal(res["reject-reason"], "TRUC-violation")
        assert_equal(res["reject-details"], f"TRUC-violation, {debug}")
        assert_raises_rpc_error(-26, f"TRUC-violation, {debug}", self.send, tx)
        assert tx["txid"] not in self.node.getrawmempool()

    def clear_mempool(self):
        self.generate(self.node, 1)
        assert_equal(self.node.getmempoolinfo()["size"], 0)
        self.acs._spent_pending.clear()

    def test_inheritance(self):
        self.log.info("TRUC and non-TRUC do not spend each other's unconfirmed outputs")
        v2_parent = self.spend(self.acs.get_utxo(), version=2, num_outputs=2)
        self.send(v2_parent)
        v3_child = self.spend(v2_parent["new_utxos"][0], version=3)
        self.check_rejected(v3_child, f"version=3 tx {describe(v3_child)} cannot spend from non-version=3 tx "
                                      f"{describe(v2_parent)}")
        v3_parent = self.spend(self.acs.get_utxo(), version=3, num_outputs=2)
        self.send(v3_parent)
        v2_child = self.spend(v3_parent["new_utxos"][0], version=2)
        self.check_rejected(v2_child, f"non-version=3 tx {describe(v2_child)} cannot spend from version=3 tx "
                                      f"{describe(v3_parent)}")
        self.log.info("...but may once they are confirmed")
        self.generate(self.node, 1)
        self.send(v3_child)
        self.send(v2_child)
        self.clear_mempool()

    def test_sizes(self):
        self.log.info("a TRUC transaction is at most 10,000 vB")
        big = self.spend(self.acs.get_utxo(), num_outputs=240)
        assert self.vsize(big) > 10000
        self.check_rejected(big, f"version=3 tx {describe(big)} is too big: {self.vsize(big)} > 10000 virtual bytes")
        self.acs._spent_pending.clear()
        parent = self.spend(self.acs.get_utxo(), num_outputs=200)
        assert self.vsize(parent) <= 10000
        self.send(parent)
        self.log.info("a TRUC child of an unconfirmed TRUC parent is at most 1,000 vB")
        fat = self.spend(parent["new_utxos"][0], num_outputs=25)
        assert self.vsize(fat) > 1000
        self.check_rejected(fat, f"version=3 child tx {describe(fat)} is too big: {self.vsize(fat)} > 1000 virtual bytes")
        child = self.spend(parent["new_utxos"][0], num_outputs=20)
        assert self.vsize(child) <= 1000
        self.send(child)
        self.clear_mempool()

    def test_topology(self):
        self.log.info("one unconfirmed ancestor, one unconfirmed descendant")
        parent = self.spend(self.acs.get_utxo(), num_outputs=3)
        self.send(parent)
        child = self.spend(parent["new_utxos"][0], num_outputs=2)
        self.send(child)
        grandchild = self.spend(child["new_utxos"][0])
        self.check_rejected(grandchild, f"tx {describe(grandchild)} would have too many ancestors")
        both = self.spend(None, utxos=[parent["new_utxos"][1], child["new_utxos"][1]])
        self.check_rejected(both, f"tx {describe(both)} would have too many ancestors")
        self.clear_mempool()

    def test_sibling_eviction(self):
        self.log.info("a second child replaces the first if it pays as a replacement would")
        node = self.node
        parent = self.spend(self.acs.get_utxo(), num_outputs=2)
        self.send(parent)
        child = self.spend(parent["new_utxos"][0], fee=Decimal("0.0002"))
        self.send(child)
        cheap = self.spend(parent["new_utxos"][1], fee=Decimal("0.00015"))
        [res] = node.testmempoolaccept([cheap["hex"]])
        assert_equal(res["reject-reason"], "insufficient fee (including sibling eviction)")
        assert res["reject-details"].startswith(
            f"insufficient fee (including sibling eviction), rejecting replacement {cheap['txid']}; new feerate"), res
        assert_raises_rpc_error(-26, "insufficient fee (including sibling eviction)", self.send, cheap)
        better = self.spend(parent["new_utxos"][1], fee=Decimal("0.0005"))
        [res] = node.testmempoolaccept([better["hex"]])
        assert_equal(res["allowed"], True)
        assert child["txid"] in node.getrawmempool()
        self.send(better)
        pool = node.getrawmempool()
        assert child["txid"] not in pool
        assert better["txid"] in pool and parent["txid"] in pool
        assert_equal(len(pool), 2)
        self.log.info("...also as a submitpackage member tried alone")
        again = self.spend(parent["new_utxos"][0], fee=Decimal("0.001"))
        res = node.submitpackage([parent["hex"], again["hex"]])
        assert_equal(res["package_msg"], "success")
        assert_equal(res["replaced-transactions"], [better["txid"]])
        assert_equal(sorted(node.getrawmempool()), sorted([parent["txid"], again["txid"]]))
        self.clear_mempool()

    def test_zero_fee_parents(self):
        self.log.info("only a TRUC parent may be below the minimum relay feerate, paid for by its child")
        node = self.node
        v2_parent = self.spend(self.acs.get_utxo(), version=2, fee=Decimal("0"))
        v2_child = self.spend(v2_parent["new_utxo"], version=2, fee=Decimal("0.001"))
        res = node.submitpackage([v2_parent["hex"], v2_child["hex"]])
        assert_equal(res["package_msg"], "transaction failed")
        assert res["tx-results"][v2_parent["wtxid"]]["error"].startswith("min relay fee not met, 0 < "), res
        assert_equal(node.getrawmempool(), [])
        self.acs._spent_pending.clear()

        v3_parent = self.spend(self.acs.get_utxo(), fee=Decimal("0"))
        v3_child = self.spend(v3_parent["new_utxo"], fee=Decimal("0.001"))
        assert_raises_rpc_error(-26, "min relay fee not met", self.send, v3_parent)
        res = node.submitpackage([v3_parent["hex"], v3_child["hex"]])
        assert_equal(res["package_msg"], "success")
        assert_equal(res["tx-results"][v3_parent["wtxid"]]["fees"]["base"], Decimal("0"))
        assert_equal(sorted(node.getrawmempool()), sorted([v3_parent["txid"], v3_child["txid"]]))
        self.clear_mempool()

    def test_package_forms(self):
        self.log.info("package checks: testmempoolaccept reports a package error")
        node = self.node

        def check_tma(txs, debug):
            results = node.testmempoolaccept([t["hex"] for t in txs])
            assert_equal(len(results), len(txs))
            for r, t in zip(results, txs):
                assert_equal(r["txid"], t["txid"])
                assert_equal(r["package-error"], f"TRUC-violation, {debug}")
                assert "allowed" not in r, r

        v3_parent = self.spend(self.acs.get_utxo(), num_outputs=2)
        v2_child = self.spend(v3_parent["new_utxos"][0], version=2)
        check_tma([v3_parent, v2_child],
                  f"non-version=3 tx {describe(v2_child)} cannot spend from version=3 tx {describe(v3_parent)}")
        v2_parent = self.spend(self.acs.get_utxo(), version=2, num_outputs=2)
        v3_child = self.spend(v2_parent["new_utxos"][0])
        check_tma([v2_parent, v3_child],
                  f"version=3 tx {describe(v3_child)} cannot spend from non-version=3 tx {describe(v2_parent)}")
        a = self.spend(self.acs.get_utxo(), num_outputs=2)
        b = self.spend(a["new_utxos"][0])
        c = self.spend(None, utxos=[a["new_utxos"][1], b["new_utxo"]])
        check_tma([a, b, c], f"tx {describe(a)} would exceed descendant count limit")
        big_child = self.spend(v3_parent["new_utxos"][1], num_outputs=25)
        check_tma([v3_parent, big_child], f"version=3 child tx {describe(big_child)} is too big: "
                                          f"{self.vsize(big_child)} > 1000 virtual bytes")

        self.log.info("package checks: submitpackage reports them in package_msg")
        free_parent = self.spend(self.acs.get_utxo(), fee=Decimal("0"), num_outputs=2)
        fat_child = self.spend(free_parent["new_utxos"][0], fee=Decimal("0.001"), num_outputs=25)
        res = node.submitpackage([free_parent["hex"], fat_child["hex"]])
        assert_equal(res["package_msg"], f"TRUC-violation, version=3 child tx {describe(fat_child)} is too big: "
                                         f"{self.vsize(fat_child)} > 1000 virtual bytes")
        assert_equal(node.getrawmempool(), [])
        v2_grandchild_parent = self.spend(free_parent["new_utxos"][1], version=2, fee=Decimal("0.001"))
        res = node.submitpackage([free_parent["hex"], v2_grandchild_parent["hex"]])
        assert_equal(res["package_msg"], f"TRUC-violation, non-version=3 tx {describe(v2_grandchild_parent)} "
                                         f"cannot spend from version=3 tx {describe(free_parent)}")
        assert_equal(node.getrawmempool(), [])
        self.clear_mempool()


if __name__ == "__main__":
    MempoolTrucTest().main()
