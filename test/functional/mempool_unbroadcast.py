#!/usr/bin/python3
"""The unbroadcast set: a transaction submitted with sendrawtransaction is
tracked (getmempoolinfo "unbroadcastcount", "unbroadcast" in the mempool
entry RPCs) until a peer asks for it with getdata or it leaves the mempool;
the set survives a restart in mempool.dat; every 10-15 minutes (mock time)
the node announces the tracked transactions again, so a peer connected later
still hears of them. Transactions from peers, resubmitted ones and
submitpackage members are not tracked (as in Bitcoin Core)."""
import os
import sys
import time
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.messages import MSG_WTX, CInv, msg_getdata, msg_tx  # noqa: E402
from test_framework.p2p import P2PInterface  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import assert_equal  # noqa: E402

# Past the longest re-announcement interval (10 minutes + up to 5).
REANNOUNCE_STEP = 16 * 60


class InvRecorder(P2PInterface):
    """Counts the wtxid invs it hears; asks for nothing by itself."""

    def __init__(self):
        super().__init__()
        self.wtx_invs = {}

    def on_inv(self, message):
        for inv in message.inv:
            if inv.type == MSG_WTX:
                self.wtx_invs[inv.hash] = self.wtx_invs.get(inv.hash, 0) + 1


class MempoolUnbroadcastTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.setup_clean_chain = False
        self.extra_args = [["-listen=1"], ["-listen=1"]]

    def unbroadcast(self, txid):
        return self.nodes[0].getmempoolentry(txid)["unbroadcast"]

    def count(self):
        return self.nodes[0].getmempoolinfo()["unbroadcastcount"]

    def advance(self):
        """Moves node0's clock past the next re-announcement."""
        self.mocktime += REANNOUNCE_STEP
        self.nodes[0].setmocktime(self.mocktime)

    def run_test(self):
        node = self.nodes[0]
        # A fresh block takes both nodes out of initial block download (node1
        # must ask for announced transactions later); then node0 is alone.
        self.connect_nodes(0, 1)
        self.generate(node, 1)
        self.sync_blocks()
        self.disconnect_nodes(0, 1)
        acs = AnyoneCanSpend(node)
        acs.rescan()

        self.log.info("sendrawtransaction on a node without peers: tracked, shown by every mempool RPC")
        assert_equal(node.getconnectioncount(), 0)
        assert_equal(self.count(), 0)
        parent = acs.create_self_transfer(fee=Decimal("0.0001"))
        child = acs.create_self_transfer(utxo=parent["new_utxo"], fee=Decimal("0.0002"))
        for t in (parent, child):
            assert_equal(node.sendrawtransaction(t["hex"]), t["txid"])
        assert_equal(self.count(), 2)
        assert self.unbroadcast(parent["txid"])
        verbose = node.getrawmempool(True)
        assert_equal([verbose[t["txid"]]["unbroadcast"] for t in (parent, child)], [True, True])
        assert_equal(node.getmempoolancestors(child["txid"], True)[parent["txid"]]["unbroadcast"], True)
        assert_equal(node.getmempooldescendants(parent["txid"], True)[child["txid"]]["unbroadcast"], True)

        self.log.info("restart: the set comes back from mempool.dat")
        self.restart_node(0)
        self.wait_until(lambda: node.getmempoolinfo()["loaded"])
        node.wait_for_debug_log(["0 already there, 2 waiting for initial broadcast"])
        assert_equal(self.count(), 2)
        assert self.unbroadcast(parent["txid"]) and self.unbroadcast(child["txid"])

        self.log.info("a peer connected later hears of them only at the re-announcement")
        self.mocktime = int(time.time())
        node.setmocktime(self.mocktime)
        peer = node.add_p2p_connection(InvRecorder())
        peer.sync_with_ping()
        time.sleep(1)
        peer.sync_with_ping()
        assert_equal(peer.wtx_invs, {})
        self.advance()
        wanted = {int(t["wtxid"], 16) for t in (parent, child)}
        peer.wait_until(lambda: set(peer.wtx_invs) >= wanted)
        assert_equal(self.count(), 2)  # an announcement alone does not end the tracking

        self.log.info("getdata served from the mempool ends the tracking of that transaction")
        peer.send_and_ping(msg_getdata([CInv(MSG_WTX, int(parent["wtxid"], 16))]))
        peer.wait_until(lambda: peer.message_count["tx"] == 1)
        assert_equal(self.count(), 1)
        assert not self.unbroadcast(parent["txid"])
        assert self.unbroadcast(child["txid"])

        self.log.info("the next round reaches a second node connected meanwhile; it fetches both")
        self.connect_nodes(0, 1)
        self.advance()
        self.wait_until(lambda: set(self.nodes[1].getrawmempool()) == {parent["txid"], child["txid"]})
        self.wait_until(lambda: self.count() == 0)
        peer.sync_with_ping()
        # The first peer knew the child already: not told twice.
        assert_equal(peer.wtx_invs[int(child["wtxid"], 16)], 1)

        self.log.info("with the set empty, a later peer hears nothing")
        late = node.add_p2p_connection(InvRecorder())
        self.advance()
        time.sleep(1)
        late.sync_with_ping()
        assert_equal(late.wtx_invs, {})
        self.disconnect_nodes(0, 1)
        node.disconnect_p2ps()

        self.log.info("not tracked: a resubmitted transaction, one from a peer, submitpackage members")
        assert_equal(node.sendrawtransaction(parent["hex"]), parent["txid"])
        assert not self.unbroadcast(parent["txid"])
        sender = node.add_p2p_connection(P2PInterface())
        from_peer = acs.create_self_transfer()
        sender.send_and_ping(msg_tx(from_peer["tx"]))
        assert from_peer["txid"] in node.getrawmempool()
        assert not self.unbroadcast(from_peer["txid"])
        node.disconnect_p2ps()
        pkg_parent = acs.create_self_transfer(fee=Decimal("0.0001"))
        pkg_child = acs.create_self_transfer(utxo=pkg_parent["new_utxo"], fee=Decimal("0.0002"))
        result = node.submitpackage([pkg_parent["hex"], pkg_child["hex"]])
        assert_equal(result["package_msg"], "success")
        assert not self.unbroadcast(pkg_parent["txid"]) and not self.unbroadcast(pkg_child["txid"])
        assert_equal(self.count(), 0)

        self.log.info("leaving the mempool (mined) ends the tracking too")
        mined = acs.create_self_transfer()
        node.sendrawtransaction(mined["hex"])
        assert_equal(self.count(), 1)
        acs.mine([mined])
        assert mined["txid"] not in node.getrawmempool()
        assert_equal(self.count(), 0)

        self.log.info("restart: exactly the tracked transaction is tracked again")
        other = acs.create_self_transfer()
        node.sendrawtransaction(other["hex"])
        self.restart_node(0)
        self.wait_until(lambda: node.getmempoolinfo()["loaded"])
        assert_equal(self.count(), 1)
        assert self.unbroadcast(other["txid"])


if __name__ == "__main__":
    MempoolUnbroadcastTest().main()
