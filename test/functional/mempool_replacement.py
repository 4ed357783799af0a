#!/usr/bin/python3
"""Successful replacements (full RBF): a transaction that does not signal
BIP125 is replaced all the same; a replacement evicts the conflicting
transaction with all its descendants, and may conflict with several
transactions at once; fee deltas from prioritisetransaction count on both
sides; once the replacement is mined the original is a double spend.
The rejected cases, one per rule, are in mempool_reject_reasons.py."""
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.messages import OutPoint, Transaction, TxIn  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import assert_equal, assert_raises_rpc_error  # noqa: E402

SEQUENCE_FINAL = 0xFFFFFFFF


class MempoolReplacementTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False

    def final_sequence(self, created):
        """created (a create_self_transfer* result) with every input's
        sequence final: no BIP125 signal, no relative lock time."""
        tx = created["tx"]
        tx.vin = [TxIn(OutPoint(i.prevout.hash, i.prevout.n), i.script_sig, SEQUENCE_FINAL) for i in tx.vin]
        return dict(created, hex=tx.serialize().hex(), txid=tx.txid, wtxid=tx.wtxid)

    def run_test(self):
        node = self.nodes[0]
        acs = AnyoneCanSpend(node)

        self.log.info("a transaction without the BIP125 signal is replaced anyway")
        utxo = acs.get_utxo()
        orig = self.final_sequence(acs.create_self_transfer(utxo=utxo, fee=Decimal("0.0001")))
        node.sendrawtransaction(orig["hex"])
        assert_equal(node.getmempoolentry(orig["txid"])["bip125-replaceable"], False)
        repl = acs.create_self_transfer(utxo=utxo, fee=Decimal("0.0002"))
        assert_equal(node.sendrawtransaction(repl["hex"]), repl["txid"])
        assert_equal(node.getrawmempool(), [repl["txid"]])

        self.log.info("the replaced transaction's descendants leave with it")
        ua = acs.get_utxo()
        a = acs.create_self_transfer(utxo=ua, fee=Decimal("0.0001"))
        b = acs.create_self_transfer(utxo=a["new_utxo"], fee=Decimal("0.0001"))
        c = acs.create_self_transfer(utxo=b["new_utxo"], fee=Decimal("0.0001"))
        for t in (a, b, c):
            node.sendrawtransaction(t["hex"])
        # Must beat a, b and c together (0.0003) plus its own relay fee.
        too_little = acs.create_self_transfer(utxo=ua, fee=Decimal("0.00025"))
        assert_raises_rpc_error(-26, "insufficient fee", node.sendrawtransaction, too_little["hex"])
        a2 = acs.create_self_transfer(utxo=ua, fee=Decimal("0.0005"))
        node.sendrawtransaction(a2["hex"])
        pool = set(node.getrawmempool())
        assert a2["txid"] in pool
        assert not pool & {a["txid"], b["txid"], c["txid"]}

        self.log.info("one replacement for two conflicting transactions")
        u1, u2 = acs.get_utxo(), acs.get_utxo()
        t1 = acs.create_self_transfer(utxo=u1, fee=Decimal("0.0001"))
        t2 = acs.create_self_transfer(utxo=u2, fee=Decimal("0.0001"))
        node.sendrawtransaction(t1["hex"])
        node.sendrawtransaction(t2["hex"])
        both = acs.create_self_transfer_multi([u1, u2], fee=Decimal("0.0004"))
        node.sendrawtransaction(both["hex"])
        pool = set(node.getrawmempool())
        assert both["txid"] in pool
        assert not pool & {t1["txid"], t2["txid"]}

        self.log.info("fee deltas: a prioritised original needs more to be replaced")
        u3 = acs.get_utxo()
        o3 = acs.create_self_transfer(utxo=u3, fee=Decimal("0.0001"))
        node.sendrawtransaction(o3["hex"])
        node.prioritisetransaction(txid=o3["txid"], fee_delta=100000)
        r3 = acs.create_self_transfer(utxo=u3, fee=Decimal("0.0005"))
        assert_raises_rpc_error(-26, "insufficient fee", node.sendrawtransaction, r3["hex"])
        node.prioritisetransaction(txid=r3["txid"], fee_delta=100000)
        node.sendrawtransaction(r3["hex"])
        assert r3["txid"] in node.getrawmempool()
        assert o3["txid"] not in node.getrawmempool()

        self.log.info("once mined, the first original is a double spend")
        self.generate(node, 1)
        assert_equal(node.getrawmempool(), [])
        assert_raises_rpc_error(-25, "bad-txns-inputs-missingorspent", node.sendrawtransaction, orig["hex"])


if __name__ == "__main__":
    MempoolReplacementTest().main()
