#!/usr/bin/python3
"""importmempool: transactions from a savemempool file come back into an
empty mempool; by default with the current time as entry time and without
the file's fee deltas or unbroadcast set, each of which an option brings
in; refused during initial block download, for a missing or damaged file
and for bad options, with Core's errors."""
import os
import shutil
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import assert_equal, assert_raises_rpc_error  # noqa: E402


class MempoolImportTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False

    def run_test(self):
        node = self.nodes[0]
        acs = AnyoneCanSpend(node)

        self.log.info("refused during initial block download")
        assert_equal(node.getblockchaininfo()["initialblockdownload"], True)
        assert_raises_rpc_error(-10, "Can only import the mempool after the block download and sync is done.",
                                node.importmempool, "/nonexistent")
        self.generate(node, 1)

        self.log.info("a mempool of two transactions, one prioritised, saved to a file")
        a = acs.create_self_transfer(fee=Decimal("0.0001"))
        b = acs.create_self_transfer(utxo=a["new_utxo"], fee=Decimal("0.0001"))
        node.sendrawtransaction(a["hex"])  # unbroadcast: no peers
        node.sendrawtransaction(b["hex"])
        node.prioritisetransaction(txid=a["txid"], fee_delta=5000)
        old_time = node.getmempoolentry(a["txid"])["time"]
        assert_equal(node.getmempoolinfo()["unbroadcastcount"], 2)
        saved = os.path.join(self.options.tmpdir, "saved-mempool.dat")
        shutil.copyfile(node.savemempool()["filename"], saved)

        self.log.info("a restart without the mempool, an hour later")
        self.restart_node(0, extra_args=["-persistmempool=0"])
        node.setmocktime(old_time + 3600)
        self.generate(node, 1)  # leave initial block download after the restart
        assert_equal(node.getrawmempool(), [])
        assert_equal(node.getprioritisedtransactions(), {})

        self.log.info("default options: current time, no fee deltas, no unbroadcast set")
        assert_equal(node.importmempool(saved), {})
        assert_equal(sorted(node.getrawmempool()), sorted([a["txid"], b["txid"]]))
        entry = node.getmempoolentry(a["txid"])
        assert_equal(entry["time"], old_time + 3600)
        assert_equal(entry["fees"]["modified"], entry["fees"]["base"])
        assert_equal(node.getprioritisedtransactions(), {})
        assert_equal(node.getmempoolinfo()["unbroadcastcount"], 0)

        self.log.info("importing again changes nothing; the options bring in the metadata")
        assert_equal(node.importmempool(saved, {"apply_fee_delta_priority": True, "apply_unbroadcast_set": True,
                                                "use_current_time": False}), {})
        assert_equal(node.getprioritisedtransactions()[a["txid"]]["fee_delta"], 5000)
        entry = node.getmempoolentry(a["txid"])
        assert_equal(entry["fees"]["modified"], entry["fees"]["base"] + Decimal("0.00005"))
        assert_equal(node.getmempoolinfo()["unbroadcastcount"], 2)
        assert_equal(entry["unbroadcast"], True)

        self.log.info("the file's entry times with use_current_time=false")
        self.restart_node(0, extra_args=["-persistmempool=0"])
        node.setmocktime(old_time + 3600)
        self.generate(node, 1)
        node.importmempool(filepath=saved, options={"use_current_time": False})
        assert_equal(node.getmempoolentry(a["txid"])["time"], old_time)
        assert_equal(node.getmempoolinfo()["unbroadcastcount"], 0)

        self.log.info("errors")
        missing = os.path.join(self.options.tmpdir, "missing.dat")
        assert_raises_rpc_error(-1, "Unable to import mempool file, see debug.log for details.",
                                node.importmempool, missing)
        damaged = os.path.join(self.options.tmpdir, "damaged.dat")
        with open(saved, "rb") as f:
            data = f.read()
        with open(damaged, "wb") as f:
            f.write(data[:len(data) // 2])
        assert_raises_rpc_error(-1, "Unable to import mempool file, see debug.log for details.",
                                node.importmempool, damaged)
        assert_raises_rpc_error(-3, "JSON value of type string for field use_current_time is not of expected type bool",
                                node.importmempool, saved, {"use_current_time": "yes"})
        assert_raises_rpc_error(-3, "Unexpected key apply_everything", node.importmempool, saved,
                                {"apply_everything": True})
        assert node.process.poll() is None


if __name__ == "__main__":
    MempoolImportTest().main()
