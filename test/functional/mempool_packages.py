#!/usr/bin/python3
"""Ancestor/descendant limits with the CPFP carve-out and the single-conflict
RBF carve-out (default limits: 25 transactions, 101 kvB).

A transaction whose single in-mempool ancestor is at the descendant limit is
still accepted when it is at most 10,000 vB (one extra descendant slot and
10 kvB of descendant size), so that each party of a shared transaction can
attach a fee-bumping child; only once, not with two in-mempool ancestors, not
above 10,000 vB, not in a package (testmempoolaccept of several transactions).
A replacement of that child (one conflict) may take its place."""
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.messages import TxOut  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import assert_equal, assert_raises_rpc_error  # noqa: E402

OP_RETURN = b"\x6a"
LIMIT = 25


class MempoolPackagesTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False

    def run_test(self):
        node = self.nodes[0]
        acs = AnyoneCanSpend(node)

        self.log.info("a root with three outputs and a chain of 24 under output 0: 25 descendants")
        root = acs.create_self_transfer_multi(num_outputs=3, fee=Decimal("0.0001"))
        node.sendrawtransaction(root["hex"])
        tip = root["new_utxos"][0]
        for _ in range(LIMIT - 1):
            tx = acs.create_self_transfer(utxo=tip, fee=Decimal("0.0001"))
            node.sendrawtransaction(tx["hex"])
            tip = tx["new_utxo"]
        assert_equal(node.getmempoolentry(root["txid"])["descendantcount"], LIMIT)
        too_many = f"too-long-mempool-chain, too many descendants for tx {root['txid']} [limit: {LIMIT}]"

        self.log.info("no carve-out with a second in-mempool ancestor")
        other = acs.create_self_transfer(fee=Decimal("0.0001"))
        node.sendrawtransaction(other["hex"])
        two_parents = acs.create_self_transfer_multi(utxos=[root["new_utxos"][1], other["new_utxo"]],
                                                     fee=Decimal("0.0001"))
        assert_raises_rpc_error(-26, too_many, node.sendrawtransaction, two_parents["hex"])

        self.log.info("no carve-out above 10,000 vB")
        data = OP_RETURN + b"\x4d" + (10100).to_bytes(2, "little") + b"\x00" * 10100  # OP_PUSHDATA2
        big = acs.create_self_transfer_multi(utxos=[root["new_utxos"][1]], extra_outputs=[TxOut(0, data)],
                                             fee=Decimal("0.001"))
        assert big["tx"].get_vsize() > 10000, big["tx"].get_vsize()
        res = node.testmempoolaccept([big["hex"]])[0]
        assert_equal(res["allowed"], False)
        assert_equal(res["reject-reason"], "too-long-mempool-chain")
        assert_raises_rpc_error(-26, too_many, node.sendrawtransaction, big["hex"])

        self.log.info("no carve-out in a package")
        bump = acs.create_self_transfer(utxo=root["new_utxos"][1], fee=Decimal("0.0002"))
        bump_child = acs.create_self_transfer(utxo=bump["new_utxo"], fee=Decimal("0.0001"))
        res = node.testmempoolaccept([bump["hex"], bump_child["hex"]])
        assert_equal(res[0]["allowed"], False)
        assert_equal(res[0]["reject-reason"], "too-long-mempool-chain")
        assert "allowed" not in res[1], res  # not judged after the parent failed

        self.log.info("the carve-out: one small child with a single ancestor")
        res = node.testmempoolaccept([bump["hex"]])[0]
        assert_equal(res["allowed"], True)
        node.sendrawtransaction(bump["hex"])
        assert_equal(node.getmempoolentry(root["txid"])["descendantcount"], LIMIT + 1)
        assert_equal(node.getmempoolentry(bump["txid"])["ancestorcount"], 2)

        self.log.info("the slot is taken: a second one is refused, as is a child of the carved-out one")
        second = acs.create_self_transfer(utxo=root["new_utxos"][2], fee=Decimal("0.0002"))
        assert_raises_rpc_error(-26, too_many, node.sendrawtransaction, second["hex"])
        assert_raises_rpc_error(-26, too_many, node.sendrawtransaction, bump_child["hex"])

        self.log.info("RBF carve-out: a replacement of the carved-out child takes its place")
        bump2 = acs.create_self_transfer(utxo=root["new_utxos"][1], fee=Decimal("0.0005"))
        assert bump2["txid"] != bump["txid"]
        node.sendrawtransaction(bump2["hex"])
        pool = node.getrawmempool()
        assert bump2["txid"] in pool
        assert bump["txid"] not in pool
        assert_equal(node.getmempoolentry(root["txid"])["descendantcount"], LIMIT + 1)

        self.log.info("after a block the limits are free again")
        self.generate(node, 1)
        assert_equal(node.getmempoolinfo()["size"], 0)
        node.sendrawtransaction(second["hex"])
        node.sendrawtransaction(acs.create_self_transfer(utxo=second["new_utxo"], fee=Decimal("0.0001"))["hex"])


if __name__ == "__main__":
    MempoolPackagesTest().main()
