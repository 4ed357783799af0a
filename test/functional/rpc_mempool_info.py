#!/usr/bin/python3
"""Mempool RPCs with Core's fields: getmempoolinfo, getrawmempool (plain,
verbose, mempool_sequence), getmempoolentry, getmempoolancestors and
getmempooldescendants (plain and verbose) on a chain A -> B -> C plus an
unrelated D, savemempool and the mempool surviving a restart, and errors."""
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import assert_equal, assert_raises_rpc_error  # noqa: E402

ENTRY_KEYS = ["vsize", "weight", "time", "height", "descendantcount", "descendantsize", "ancestorcount",
              "ancestorsize", "wtxid", "fees", "depends", "spentby", "bip125-replaceable", "unbroadcast"]


class MempoolInfoTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False

    def run_test(self):
        node = self.nodes[0]
        acs = AnyoneCanSpend(node)

        self.log.info("getmempoolinfo of an empty mempool")
        info = node.getmempoolinfo()
        assert_equal(list(info.keys()), ["loaded", "size", "bytes", "usage", "total_fee", "maxmempool",
                                         "mempoolminfee", "minrelaytxfee", "incrementalrelayfee", "unbroadcastcount",
                                         "fullrbf", "permitbaremultisig", "maxdatacarriersize"])
        assert_equal(info["loaded"], True)
        assert_equal(info["size"], 0)
        assert_equal(info["bytes"], 0)
        assert_equal(info["total_fee"], Decimal("0"))
        assert_equal(info["maxmempool"], 300000000)
        assert_equal(info["minrelaytxfee"], Decimal("0.00000100"))
        assert_equal(info["mempoolminfee"], Decimal("0.00000100"))
        assert_equal(info["incrementalrelayfee"], Decimal("0.00000100"))
        assert_equal(info["fullrbf"], True)
        assert_equal(info["maxdatacarriersize"], 100000)
        seq0 = node.getrawmempool(False, True)["mempool_sequence"]

        self.log.info("a chain A -> B -> C and an unrelated D")
        a = acs.create_self_transfer(fee=Decimal("0.0001"))
        b = acs.create_self_transfer(utxo=a["new_utxo"], fee=Decimal("0.0002"))
        c = acs.create_self_transfer(utxo=b["new_utxo"], fee=Decimal("0.0003"))
        d = acs.create_self_transfer(fee=Decimal("0.0004"))
        for t in (a, b, c, d):
            node.sendrawtransaction(t["hex"])
        height = node.getblockcount()

        info = node.getmempoolinfo()
        assert_equal(info["size"], 4)
        vsizes = {t["txid"]: node.decoderawtransaction(t["hex"])["vsize"] for t in (a, b, c, d)}
        assert_equal(info["bytes"], sum(vsizes.values()))
        assert_equal(info["total_fee"], Decimal("0.0010"))
        assert_equal(info["unbroadcastcount"], 4)
        assert info["usage"] > 0

        assert_equal(sorted(node.getrawmempool()), sorted(t["txid"] for t in (a, b, c, d)))
        seq = node.getrawmempool(False, True)
        assert_equal(sorted(seq["txids"]), sorted(t["txid"] for t in (a, b, c, d)))
        assert_equal(seq["mempool_sequence"], seq0 + 4)
        assert_raises_rpc_error(-8, "Verbose results cannot contain mempool sequence values.",
                                node.getrawmempool, True, True)

        self.log.info("getmempoolentry fields")
        entry = node.getmempoolentry(b["txid"])
        assert_equal(list(entry.keys()), ENTRY_KEYS)
        assert_equal(entry["vsize"], vsizes[b["txid"]])
        assert_equal(entry["weight"], node.decoderawtransaction(b["hex"])["weight"])
        assert_equal(entry["height"], height)
        assert_equal(entry["wtxid"], b["wtxid"])
        assert_equal(entry["ancestorcount"], 2)
        assert_equal(entry["ancestorsize"], vsizes[a["txid"]] + vsizes[b["txid"]])
        assert_equal(entry["descendantcount"], 2)
        assert_equal(entry["descendantsize"], vsizes[b["txid"]] + vsizes[c["txid"]])
        assert_equal(entry["fees"], {"base": Decimal("0.0002"), "modified": Decimal("0.0002"),
                                     "ancestor": Decimal("0.0003"), "descendant": Decimal("0.0005")})
        assert_equal(entry["depends"], [a["txid"]])
        assert_equal(entry["spentby"], [c["txid"]])
        assert_equal(entry["bip125-replaceable"], True)  # the framework's inputs signal
        assert_equal(entry["unbroadcast"], True)  # sent by RPC, no peer has asked for it (mempool_unbroadcast.py)
        verbose = node.getrawmempool(True)
        assert_equal(verbose[b["txid"]], entry)
        assert_equal(verbose[d["txid"]]["ancestorcount"], 1)

        self.log.info("ancestors and descendants")
        assert_equal(sorted(node.getmempoolancestors(c["txid"])), sorted([a["txid"], b["txid"]]))
        assert_equal(node.getmempoolancestors(a["txid"]), [])
        assert_equal(sorted(node.getmempooldescendants(a["txid"])), sorted([b["txid"], c["txid"]]))
        assert_equal(node.getmempooldescendants(c["txid"]), [])
        anc = node.getmempoolancestors(c["txid"], True)
        assert_equal(sorted(anc.keys()), sorted([a["txid"], b["txid"]]))
        assert_equal(anc[b["txid"]], entry)
        desc = node.getmempooldescendants(a["txid"], True)
        assert_equal(desc[c["txid"]]["ancestorcount"], 3)
        assert_equal(node.getmempooldescendants(d["txid"], True), {})

        self.log.info("errors")
        missing = "00" * 32
        assert_raises_rpc_error(-5, "Transaction not in mempool", node.getmempoolentry, missing)
        assert_raises_rpc_error(-5, "Transaction not in mempool", node.getmempoolancestors, missing)
        assert_raises_rpc_error(-5, "Transaction not in mempool", node.getmempooldescendants, missing)
        assert_raises_rpc_error(-8, "parameter 1 must be of length 64", node.getmempoolentry, "00")
        assert_raises_rpc_error(-8, "Priority is no longer supported", node.prioritisetransaction, a["txid"], 1, 100)

        self.log.info("savemempool, restart: the same mempool")
        node.prioritisetransaction(d["txid"], 0, 1234)
        result = node.savemempool()
        assert result["filename"].endswith("mempool.dat")
        assert os.path.exists(result["filename"])
        before = node.getrawmempool(True)
        self.restart_node(0)
        node = self.nodes[0]
        assert_equal(node.getmempoolinfo()["loaded"], True)
        after = node.getrawmempool(True)
        assert_equal(sorted(after.keys()), sorted(before.keys()))
        for txid in before:
            assert_equal(after[txid]["fees"], before[txid]["fees"])
            assert_equal(after[txid]["time"], before[txid]["time"])
        assert_equal(after[d["txid"]]["fees"]["modified"], Decimal("0.0004") + Decimal("0.00001234"))

        self.log.info("mined: the mempool empties")
        self.generate(node, 1)
        assert_equal(node.getmempoolinfo()["size"], 0)
        assert_equal(node.getrawmempool(), [])


if __name__ == "__main__":
    MempoolInfoTest().main()
