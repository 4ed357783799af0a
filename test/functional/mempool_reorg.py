#!/usr/bin/python3
"""The mempool across block connects and reorgs: a mined transaction leaves
(reason block) and a conflicting one with it (conflict); invalidateblock puts
the block's transactions back (under their mempool children);
reconsiderblock takes them out again; a spend of a coinbase that a reorg
makes immature leaves the mempool."""
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import assert_equal  # noqa: E402


class MempoolReorgTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False

    def run_test(self):
        node = self.nodes[0]
        acs = AnyoneCanSpend(node)

        self.log.info("a mined transaction leaves the mempool, its conflict too")
        utxo = acs.get_utxo()
        in_pool = acs.create_self_transfer(utxo=utxo, fee=Decimal("0.0001"))
        node.sendrawtransaction(in_pool["hex"])
        conflicting = acs.create_self_transfer(utxo=utxo, fee=Decimal("0.00005"))
        parent = acs.create_self_transfer(fee=Decimal("0.0001"))
        node.sendrawtransaction(parent["hex"])
        block = acs.mine([conflicting, parent])
        assert_equal(node.getrawmempool(), [])

        self.log.info("a child of the mined parent enters; invalidateblock re-adds the parent under it")
        child = acs.create_self_transfer(utxo=parent["new_utxo"], fee=Decimal("0.0001"))
        node.sendrawtransaction(child["hex"])
        node.invalidateblock(block)
        pool = node.getrawmempool(True)
        assert_equal(sorted(pool), sorted([conflicting["txid"], parent["txid"], child["txid"]]))
        assert_equal(pool[child["txid"]]["ancestorcount"], 2)
        assert_equal(pool[parent["txid"]]["descendantcount"], 2)
        assert_equal(pool[child["txid"]]["depends"], [parent["txid"]])

        self.log.info("reconsiderblock: they are confirmed again and leave")
        node.reconsiderblock(block)
        assert_equal(node.getrawmempool(), [child["txid"]])
        assert_equal(node.getmempoolentry(child["txid"])["ancestorcount"], 1)

        self.log.info("a spend of the youngest mature coinbase leaves when a reorg makes it immature")
        tip = node.getblockcount()
        coinbase_block = node.getblock(node.getblockhash(tip - 99), 2)
        cb = coinbase_block["tx"][0]
        vout = next(o["n"] for o in cb["vout"] if o["scriptPubKey"]["hex"] == acs.script_pubkey.hex())
        spend = acs.create_self_transfer(utxo={"txid": cb["txid"], "vout": vout, "value": cb["vout"][vout]["value"]})
        node.sendrawtransaction(spend["hex"])
        assert spend["txid"] in node.getrawmempool()
        node.invalidateblock(node.getbestblockhash())
        assert spend["txid"] not in node.getrawmempool()
        assert child["txid"] in node.getrawmempool()


if __name__ == "__main__":
    MempoolReorgTest().main()
