#!/usr/bin/python3
"""Transaction relay between nodes and from test peers: wtxid inv (BIP339),
getdata/tx, orphans resolved when the parent arrives, `mempool` with the
mempool permission, getdata answered only for transactions that were in the
mempool at our last inventory round with the peer (notfound before that),
mined transactions leave every mempool."""
import os
import sys
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.messages import (  # noqa: E402
    MSG_WITNESS_TX, MSG_WTX, CInv, msg_getdata, msg_mempool, msg_tx)
from test_framework.p2p import P2PInterface  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import assert_equal, wait_until  # noqa: E402


class InvCollector(P2PInterface):
    def __init__(self):
        super().__init__()
        self.wtx_invs = set()

    def on_inv(self, message):
        for inv in message.inv:
            if inv.type == MSG_WTX:
                self.wtx_invs.add(inv.hash)


class TxRelayTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 3
        self.setup_clean_chain = False
        self.extra_args = [["-listen=1", "-whitelist=mempool@127.0.0.1"], ["-listen=1"], ["-listen=1"]]

    def check_last_block(self):
        """node0 mined the block: node1 got it from node0 and node2 from node1
        (last_block, UNIX seconds); no one sent node0 a new block."""
        n0, n1, n2 = self.nodes
        now = time.time()
        for p in n0.getpeerinfo():
            assert_equal(p["last_block"], 0)
        from_n0 = [p for p in n1.getpeerinfo() if p["inbound"]]  # node0 connected to node1
        assert_equal(len(from_n0), 1)
        assert abs(from_n0[0]["last_block"] - now) < 120, from_n0[0]["last_block"]
        from_n2 = [p for p in n1.getpeerinfo() if not p["inbound"]]
        assert_equal(len(from_n2), 1)
        assert_equal(from_n2[0]["last_block"], 0)
        from_n1 = n2.getpeerinfo()
        assert_equal(len(from_n1), 1)
        assert abs(from_n1[0]["last_block"] - now) < 120, from_n1[0]["last_block"]
        for n in self.nodes:
            for p in n.getpeerinfo():
                assert_equal(p["last_transaction"], 0)

    def run_test(self):
        n0, n1, n2 = self.nodes
        self.connect_nodes(0, 1)
        self.connect_nodes(1, 2)
        # A fresh block takes the nodes out of initial block download (no tx relay before).
        self.generate(n0, 1)
        self.sync_blocks()
        self.check_last_block()
        wallet = AnyoneCanSpend(n0)
        wallet.rescan()

        self.log.info("A transaction sent to node0 reaches node2 through node1")
        t = wallet.create_self_transfer()
        n0.sendrawtransaction(t["hex"])
        wait_until(lambda: t["txid"] in n2.getrawmempool(), timeout=60)
        assert t["txid"] in n1.getrawmempool()

        self.log.info("A test peer's transaction is accepted and announced to other peers by wtxid")
        watcher = n2.add_p2p_connection(InvCollector())
        sender = n0.add_p2p_connection(P2PInterface())
        t2 = wallet.create_self_transfer()
        sender.send_and_ping(msg_tx(t2["tx"]))
        assert t2["txid"] in n0.getrawmempool()
        wtxid = int(t2["wtxid"], 16)
        wait_until(lambda: wtxid in watcher.wtx_invs, timeout=60)

        self.log.info("getpeerinfo: last_transaction of the peer whose transaction was accepted; addrlocal")
        test_peers = [p for p in n0.getpeerinfo() if not p["subver"].startswith("/bitcoin-observed:")]
        assert_equal(len(test_peers), 1)
        assert abs(test_peers[0]["last_transaction"] - time.time()) < 120, test_peers[0]["last_transaction"]
        assert_equal(test_peers[0]["last_block"], 0)
        # The test peer's version names 127.0.0.1:<port of node0> as our address.
        assert_equal(test_peers[0]["addrlocal"], f"127.0.0.1:{n0.p2p_port}")
        for p in n2.getpeerinfo():  # the watcher sent nothing
            if not p["subver"].startswith("/bitcoin-observed:"):
                assert_equal(p["last_transaction"], 0)

        self.log.info("An orphan waits for its parent, then both are accepted and relayed")
        parent = wallet.create_self_transfer()
        child = wallet.create_self_transfer(utxo=parent["new_utxo"])
        sender.send_and_ping(msg_tx(child["tx"]))
        assert child["txid"] not in n0.getrawmempool()
        sender.send_and_ping(msg_tx(parent["tx"]))
        mempool = n0.getrawmempool()
        assert parent["txid"] in mempool and child["txid"] in mempool
        wait_until(lambda: child["txid"] in n2.getrawmempool(), timeout=60)

        self.log.info("`mempool` from a peer with the mempool permission: every transaction announced")
        asker = n0.add_p2p_connection(InvCollector())
        asker.send_and_ping(msg_mempool())
        want = {int(n0.getmempoolentry(txid)["wtxid"], 16) for txid in n0.getrawmempool()}
        wait_until(lambda: want <= asker.wtx_invs, timeout=30)

        self.test_getdata_privacy(wallet)

        self.log.info("A mined block empties every mempool")
        self.generate(n0, 1)
        self.sync_blocks()
        for n in self.nodes:
            wait_until(lambda: n.getrawmempool() == [], timeout=30)
        assert_equal(len(n2.getrawmempool()), 0)

    def test_getdata_privacy(self, wallet):
        """A peer cannot fetch a transaction that entered the mempool after our
        last inventory round with it: it gets notfound until a later round
        (which announces it) has happened. node1's clock is frozen with
        setmocktime so that no round happens in between."""
        self.log.info("getdata for a transaction not yet announced to the peer: notfound")
        n0, n1, n2 = self.nodes
        start = int(time.time()) - 200  # in the past: the clock only moves forward when released
        n1.setmocktime(start)
        prober = n1.add_p2p_connection(InvCollector())
        prober.sync_with_ping()  # the first inventory round for this peer has happened
        t = wallet.create_self_transfer()
        n1.sendrawtransaction(t["hex"])
        assert_equal(n1.getmempoolinfo()["unbroadcastcount"], 1)
        wtxid = int(t["wtxid"], 16)
        txid = int(t["txid"], 16)
        for inv in (CInv(MSG_WTX, wtxid), CInv(MSG_WITNESS_TX, txid)):
            notfound = prober.wait_for_new_message("notfound", send=msg_getdata([inv]))
            assert_equal([(i.type, i.hash) for i in notfound.inv], [(inv.type, inv.hash)])
        assert not prober.received("tx")
        assert wtxid not in prober.wtx_invs
        # Refusing the request does not end the initial broadcast.
        assert_equal(n1.getmempoolinfo()["unbroadcastcount"], 1)

        self.log.info("After the next inventory round announced it: served")
        n1.setmocktime(start + 3 * 60)
        prober.wait_until(lambda: wtxid in prober.wtx_invs, timeout=60)
        got = prober.wait_for_new_message("tx", send=msg_getdata([CInv(MSG_WTX, wtxid)]))
        assert_equal(got.tx.wtxid, t["wtxid"])
        got = prober.wait_for_new_message("tx", send=msg_getdata([CInv(MSG_WITNESS_TX, txid)]))
        assert_equal(got.tx.txid, t["txid"])
        assert_equal(n1.getmempoolinfo()["unbroadcastcount"], 0)
        n1.setmocktime(0)
        # The other nodes got it through the same round.
        for n in (n0, n2):
            wait_until(lambda: t["txid"] in n.getrawmempool(), timeout=60)
        prober.peer_disconnect()
        prober.wait_for_disconnect()


if __name__ == "__main__":
    TxRelayTest().main()
