#!/usr/bin/python3
"""gettxspendingprevout: for outpoints spent by mempool transactions it names
the spender, for confirmed, unspent or unknown outpoints it leaves
spendingtxid out; the answer follows replacements and blocks; bad arguments
get Core's errors."""
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import assert_equal, assert_raises_rpc_error  # noqa: E402


class GetTxSpendingPrevoutTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False

    def run_test(self):
        node = self.nodes[0]
        acs = AnyoneCanSpend(node)

        self.log.info("a parent with two outputs, a child spending one of them")
        utxo = acs.get_utxo()
        parent = acs.create_self_transfer_multi([utxo], num_outputs=2)
        child = acs.create_self_transfer(utxo=parent["new_utxos"][0])
        node.sendrawtransaction(parent["hex"])
        node.sendrawtransaction(child["hex"])

        confirmed = {"txid": utxo["txid"], "vout": utxo["vout"]}
        p0 = {"txid": parent["txid"], "vout": 0}
        p1 = {"txid": parent["txid"], "vout": 1}
        unknown = {"txid": "11" * 32, "vout": 7}
        result = node.gettxspendingprevout([confirmed, p0, p1, unknown])
        assert_equal(result, [
            dict(confirmed, spendingtxid=parent["txid"]),
            dict(p0, spendingtxid=child["txid"]),
            p1,
            unknown,
        ])

        self.log.info("a replacement of the child becomes the spender")
        replacement = acs.create_self_transfer(utxo=parent["new_utxos"][0], fee=Decimal("0.001"))
        node.sendrawtransaction(replacement["hex"])
        assert_equal(node.gettxspendingprevout([p0]), [dict(p0, spendingtxid=replacement["txid"])])

        self.log.info("once mined, nothing in the mempool spends them")
        self.generate(node, 1)
        assert_equal(node.getrawmempool(), [])
        assert_equal(node.gettxspendingprevout([confirmed, p0]), [confirmed, p0])

        self.log.info("named argument and errors")
        assert_equal(node.gettxspendingprevout(outputs=[p1]), [p1])
        assert_raises_rpc_error(-8, "Invalid parameter, outputs are missing", node.gettxspendingprevout, [])
        assert_raises_rpc_error(-8, "Invalid parameter, vout cannot be negative",
                                node.gettxspendingprevout, [{"txid": parent["txid"], "vout": -1}])
        assert_raises_rpc_error(-3, "Missing vout", node.gettxspendingprevout, [{"txid": parent["txid"]}])
        assert_raises_rpc_error(-3, "Missing txid", node.gettxspendingprevout, [{"vout": 0}])
        assert_raises_rpc_error(-3, "Unexpected key amount", node.gettxspendingprevout,
                                [{"txid": parent["txid"], "vout": 0, "amount": 1}])
        assert_raises_rpc_error(-8, "txid must be of length 64", node.gettxspendingprevout,
                                [{"txid": "abcd", "vout": 0}])
        assert_raises_rpc_error(-3, "is not of expected type array", node.gettxspendingprevout, "x")


if __name__ == "__main__":
    GetTxSpendingPrevoutTest().main()
