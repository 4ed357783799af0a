#!/usr/bin/python3
"""Package RBF through submitpackage: a 1-parent-1-child package whose parent
cannot replace its mempool conflicts alone replaces them with the child's
fees; every "package RBF failed: ..." reason Core gives (package_msg).
testmempoolaccept of a package allows no replacement, as Core."""
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import assert_equal  # noqa: E402


class MempoolPackageRbfTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False

    def run_test(self):
        self.node = self.nodes[0]
        self.acs = AnyoneCanSpend(self.node)
        self.test_success()
        self.test_anti_dos_fees()
        self.test_child_lowers_feerate()
        self.test_cluster_too_big()
        self.test_mempool_ancestor()
        self.test_not_one_parent()
        self.test_diagram()
        self.test_too_many_replacements()

    def make(self, utxos, fee, num_outputs=1, version=2):
        return self.acs.create_self_transfer_multi(utxos, num_outputs=num_outputs, fee=Decimal(fee),
                                                   version=version)

    def send(self, tx):
        self.node.sendrawtransaction(tx["hex"])

    def submit(self, txs):
        return self.node.submitpackage([t["hex"] for t in txs])

    def check_failure(self, txs, msg, startswith=False):
        mempool_before = sorted(self.node.getrawmempool())
        res = self.submit(txs)
        if startswith:
            assert res["package_msg"].startswith(msg), res
        else:
            assert_equal(res["package_msg"], msg)
        assert_equal(res["replaced-transactions"], [])
        assert_equal(sorted(self.node.getrawmempool()), mempool_before)
        return res

    def clear_mempool(self):
        self.generate(self.node, 1)
        assert_equal(self.node.getmempoolinfo()["size"], 0)
        self.acs._spent_pending.clear()

    def test_success(self):
        self.log.info("the child's fees let the parent replace what it conflicts with")
        node = self.node
        utxo = self.acs.get_utxo()
        original = self.make([utxo], "0.00005")
        self.send(original)
        parent = self.make([utxo], "0.00001", num_outputs=2)
        [alone] = node.testmempoolaccept([parent["hex"]])
        assert_equal(alone["reject-reason"], "insufficient fee")
        child = self.make([parent["new_utxos"][0]], "0.0002")
        res = self.submit([parent, child])
        assert_equal(res["package_msg"], "success")
        assert_equal(res["replaced-transactions"], [original["txid"]])
        assert_equal(sorted(node.getrawmempool()), sorted([parent["txid"], child["txid"]]))
        self.clear_mempool()

    def test_anti_dos_fees(self):
        self.log.info("the package pays the replaced fees and the incremental relay fee")
        utxo = self.acs.get_utxo()
        self.send(self.make([utxo], "0.0005"))
        parent = self.make([utxo], "0.00001", num_outputs=2)
        child = self.make([parent["new_utxos"][0]], "0.00002")
        msg = ("package RBF failed: insufficient anti-DoS fees, rejecting replacement "
               f"{child['txid']}, less fees than conflicting txs; 0.00003 < 0.0005")
        self.check_failure([parent, child], msg)
        # testmempoolaccept of a package allows no replacement (as Core).
        results = self.node.testmempoolaccept([parent["hex"], child["hex"]])
        assert_equal(results[0]["reject-reason"], "bip125-replacement-disallowed")
        # A member's own failure, not a package error; the child is not judged.
        assert "package-error" not in results[0], results
        assert_equal(results[1], {"txid": child["txid"], "wtxid": child["wtxid"]})
        child = self.make([parent["new_utxos"][0]], "0.00049001")
        self.check_failure([parent, child], "package RBF failed: insufficient anti-DoS fees, rejecting replacement "
                           f"{child['txid']}, not enough additional fees to relay; 0.00000001 < 0.", startswith=True)
        self.clear_mempool()

    def test_child_lowers_feerate(self):
        self.log.info("the child must raise the package's feerate above the parent's")
        utxo = self.acs.get_utxo()
        base = self.make([utxo], "0.00001", num_outputs=2)
        self.send(base)
        self.send(self.make([base["new_utxos"][0]], "0.0001"))
        parent = self.make([utxo], "0.000105", num_outputs=2)
        child = self.make([parent["new_utxos"][0]], "0.00001")
        self.check_failure([parent, child], "package RBF failed: package feerate is less than or equal to parent "
                           "feerate, package feerate ", startswith=True)
        self.clear_mempool()

    def test_cluster_too_big(self):
        self.log.info("every conflicted cluster has at most two transactions")
        utxo = self.acs.get_utxo()
        fan = self.make([utxo], "0.00001", num_outputs=2)
        self.send(fan)
        self.send(self.make([fan["new_utxos"][0]], "0.00001"))
        self.send(self.make([fan["new_utxos"][1]], "0.00001"))
        parent = self.make([utxo], "0.00002", num_outputs=2)
        child = self.make([parent["new_utxos"][0]], "0.0005")
        self.check_failure([parent, child], f"package RBF failed: {fan['txid']} has 2 descendants, max 1 allowed")
        self.clear_mempool()

    def test_mempool_ancestor(self):
        self.log.info("the package may not spend mempool transactions")
        utxo = self.acs.get_utxo()
        self.send(self.make([utxo], "0.00005"))
        funding = self.make([self.acs.get_utxo()], "0.00001")
        self.send(funding)
        parent = self.make([utxo, funding["new_utxo"]], "0.00001", num_outputs=2)
        child = self.make([parent["new_utxos"][0]], "0.0005")
        self.check_failure([parent, child], "package RBF failed: new transaction cannot have mempool ancestors")
        self.clear_mempool()

    def test_not_one_parent(self):
        self.log.info("only 1-parent-1-child packages replace")
        utxo, other_utxo = self.acs.get_utxo(), self.acs.get_utxo()
        self.send(self.make([utxo], "0.00005"))
        self.send(self.make([other_utxo], "0.00005"))
        parent = self.make([utxo], "0.00001")
        other_parent = self.make([other_utxo], "0.00001")
        child = self.make([parent["new_utxo"], other_parent["new_utxo"]], "0.0005")
        self.check_failure([parent, other_parent, child], "package RBF failed: package must be 1-parent-1-child")
        self.log.info("a parent that enters alone is a mempool ancestor of the child")
        independent = self.make([self.acs.get_utxo()], "0.00001")
        child = self.make([parent["new_utxo"], independent["new_utxo"]], "0.0005")
        res = self.submit([parent, independent, child])
        assert_equal(res["package_msg"], "package RBF failed: new transaction cannot have mempool ancestors")
        assert_equal(res["tx-results"][child["wtxid"]]["error"], "bad-txns-inputs-missingorspent")
        assert independent["txid"] in self.node.getrawmempool()
        self.clear_mempool()

    def test_diagram(self):
        self.log.info("the replacement improves the feerate diagram")
        utxo = self.acs.get_utxo()
        dense = self.make([utxo], "0.0001")
        self.send(dense)
        parent = self.make([utxo], "0.000001", num_outputs=2)
        child = self.make([parent["new_utxos"][0]], "0.000101")
        self.check_failure([parent, child],
                           "package RBF failed: insufficient feerate: does not improve feerate diagram")
        assert dense["txid"] in self.node.getrawmempool()
        self.clear_mempool()

    def test_too_many_replacements(self):
        self.log.info("at most 100 transactions are replaced")
        fan = self.make([self.acs.get_utxo()], "0.0001", num_outputs=101)
        self.send(fan)
        self.generate(self.node, 1)
        for utxo in fan["new_utxos"]:
            self.send(self.make([utxo], "0.00002"))
        parent = self.make(fan["new_utxos"], "0.00001", num_outputs=2)
        [alone] = self.node.testmempoolaccept([parent["hex"]])
        assert_equal(alone["reject-reason"], "insufficient fee")
        child = self.make([parent["new_utxos"][0]], "0.005")
        self.check_failure([parent, child], "package RBF failed: too many potential replacements, rejecting "
                           f"replacement {child['txid']}; too many potential replacements (101 > 100)")
        self.clear_mempool()


if __name__ == "__main__":
    MempoolPackageRbfTest().main()
