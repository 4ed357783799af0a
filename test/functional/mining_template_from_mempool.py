#!/usr/bin/python3
"""Block templates from the mempool: getblocktemplate lists mempool
transactions by ancestor feerate (a cheap parent rides along with its
well-paying child ahead of a middling transaction), parents before children
with their "depends" indexes and real fees; prioritisetransaction moves a
transaction up (and a large negative delta keeps it out) and shows in
getprioritisedtransactions; generatetoaddress mines what the template holds
and the coinbase claims the fees; -blockmaxweight keeps the best-paying
transactions that fit and -blockmintxfee keeps cheaper ones out."""
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import assert_equal, to_satoshis  # noqa: E402

RULES = {"rules": ["segwit"]}


class TemplateFromMempoolTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False

    def template_txids(self):
        return [t["txid"] for t in self.nodes[0].getblocktemplate(RULES)["transactions"]]

    def run_test(self):
        node = self.nodes[0]
        acs = AnyoneCanSpend(node)

        self.log.info("an empty mempool gives an empty template")
        assert_equal(self.template_txids(), [])

        self.log.info("order by ancestor feerate, parents first")
        low = acs.create_self_transfer(fee=Decimal("0.00001"))       # ~1 sat/vB... cheap
        mid = acs.create_self_transfer(fee=Decimal("0.00020"))       # middling
        high = acs.create_self_transfer(fee=Decimal("0.00050"))      # best alone
        parent = acs.create_self_transfer(fee=Decimal("0.00001"))    # cheap parent...
        child = acs.create_self_transfer(utxo=parent["new_utxo"], fee=Decimal("0.00080"))  # ...rich child
        for t in (low, mid, high, parent, child):
            node.sendrawtransaction(t["hex"])
        tmpl = node.getblocktemplate(RULES)
        txids = [t["txid"] for t in tmpl["transactions"]]
        # high (50 sat/vB-ish) > parent+child package (~40) > mid (~20) > low.
        assert_equal(txids, [high["txid"], parent["txid"], child["txid"], mid["txid"], low["txid"]])
        entries = {t["txid"]: t for t in tmpl["transactions"]}
        assert_equal(entries[child["txid"]]["depends"], [2])  # 1-based index of the parent
        assert_equal(entries[parent["txid"]]["depends"], [])
        assert_equal(entries[child["txid"]]["fee"], to_satoshis(Decimal("0.00080")))
        assert_equal(entries[low["txid"]]["fee"], to_satoshis(Decimal("0.00001")))
        total_fees = sum(t["fee"] for t in tmpl["transactions"])
        subsidy = tmpl["coinbasevalue"] - total_fees
        assert_equal(subsidy, 5000000000 >> (tmpl["height"] // 150))

        self.log.info("prioritisetransaction moves the cheapest to the front")
        assert node.prioritisetransaction(low["txid"], 0, 1000000)
        assert_equal(self.template_txids()[0], low["txid"])
        prio = node.getprioritisedtransactions()
        assert_equal(prio[low["txid"]]["fee_delta"], 1000000)
        assert_equal(prio[low["txid"]]["in_mempool"], True)
        assert_equal(prio[low["txid"]]["modified_fee"], 1000000 + to_satoshis(Decimal("0.00001")))
        assert_equal(node.getmempoolentry(low["txid"])["fees"]["modified"],
                     Decimal("0.01") + Decimal("0.00001"))
        # The real fee, not the modified one, is what the template reports.
        assert_equal({t["txid"]: t["fee"] for t in node.getblocktemplate(RULES)["transactions"]}[low["txid"]],
                     to_satoshis(Decimal("0.00001")))

        self.log.info("a negative delta below zero keeps a transaction out")
        assert node.prioritisetransaction(txid=mid["txid"], fee_delta=-100000)
        txids = self.template_txids()
        assert mid["txid"] not in txids
        assert_equal(len(txids), 4)

        self.log.info("a delta for a transaction not in the mempool is kept for later")
        later = acs.create_self_transfer(fee=Decimal("0.00001"))
        node.prioritisetransaction(later["txid"], 0, 5000000)
        assert_equal(node.getprioritisedtransactions()[later["txid"]]["in_mempool"], False)
        assert "modified_fee" not in node.getprioritisedtransactions()[later["txid"]]
        node.sendrawtransaction(later["hex"])
        assert_equal(self.template_txids()[0], later["txid"])

        self.log.info("generatetoaddress mines the template: the excluded one stays in the mempool")
        before = node.getrawmempool()
        block_hash = self.generatetoaddress(node, 1, acs.address)[0]
        block = node.getblock(block_hash, 2)
        mined = [t["txid"] for t in block["tx"][1:]]
        assert_equal(set(mined), set(before) - {mid["txid"]})
        assert_equal(node.getrawmempool(), [mid["txid"]])
        fees = sum(to_satoshis(t["fee"]) for t in node.getblock(block_hash, 3)["tx"][1:])
        coinbase_out = sum(to_satoshis(o["value"]) for o in block["tx"][0]["vout"])
        assert_equal(coinbase_out, 5000000000 // 2 ** (block["height"] // 150) + fees)

        self.log.info("lifting the penalty lets it in")
        node.prioritisetransaction(mid["txid"], 0, 100000)
        assert_equal(self.template_txids(), [mid["txid"]])
        self.generate(node, 1)
        assert_equal(node.getrawmempool(), [])

        self.log.info("-blockmaxweight: only the best-paying transactions that fit")
        txs = [acs.create_self_transfer(fee=Decimal(f"0.000{k}0")) for k in (1, 3, 5, 7)]
        weight = node.decoderawtransaction(txs[0]["hex"])["weight"]
        self.restart_node(0, extra_args=[f"-blockmaxweight={8000 + 2 * weight + weight // 2}"])
        node = self.nodes[0]
        for t in txs:
            node.sendrawtransaction(t["hex"])
        assert_equal(self.template_txids(), [txs[3]["txid"], txs[2]["txid"]])
        block_hash = self.generatetoaddress(node, 1, acs.address)[0]
        assert_equal(len(node.getblock(block_hash)["tx"]), 3)
        assert_equal(sorted(node.getrawmempool()), sorted([txs[0]["txid"], txs[1]["txid"]]))

        self.log.info("-blockmintxfee: cheaper transactions wait")
        vsize = node.decoderawtransaction(txs[0]["hex"])["vsize"]
        # Between the two left: 0.0001 and 0.0003 BTC on the same vsize.
        threshold = (Decimal("0.0002") * 1000 / vsize).quantize(Decimal("0.00000001"))
        self.restart_node(0, extra_args=[f"-blockmintxfee={threshold}"])
        node = self.nodes[0]
        assert_equal(self.template_txids(), [txs[1]["txid"]])


if __name__ == "__main__":
    TemplateFromMempoolTest().main()
