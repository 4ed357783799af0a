#!/usr/bin/python3
"""ping/pong with a Python peer that answers pings only when told to:

- the node pings right after the handshake; getpeerinfo shows pingwait while
  the ping is outstanding and no pingtime/minping yet;
- a pong with another nonce leaves the ping outstanding; the right nonce ends
  it and sets pingtime and minping;
- the `ping` RPC makes the node ping again; a pong with nonce 0 or a payload
  shorter than 8 bytes cancels that ping without a latency sample;
- the node answers our pings with the same nonce (0 included);
- a ping left unanswered for 20 minutes (mocktime) disconnects the peer.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.messages import msg_generic, msg_ping, msg_pong  # noqa: E402
from test_framework.p2p import P2PInterface, p2p_lock  # noqa: E402
from test_framework.util import assert_equal  # noqa: E402

LISTEN = ["-listen=1", "-bind=127.0.0.1"]


class NoPong(P2PInterface):
    def on_ping(self, message):
        pass


class PingTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False
        self.extra_args = [LISTEN]

    def info(self):
        peers = self.nodes[0].getpeerinfo()
        assert_equal(len(peers), 1)
        return peers[0]

    def check(self, pingtime, minping, pingwait):
        """True/False: the field is there or not."""
        info = self.info()
        for field, want in (("pingtime", pingtime), ("minping", minping), ("pingwait", pingwait)):
            assert_equal(field in info, want, f"{field} in getpeerinfo {info}")
            if want:
                assert info[field] >= 0, f"{field} = {info[field]}"
        return info

    def new_ping(self, peer, before):
        peer.wait_until(lambda: peer.message_count["ping"] > before, 10, what="a new ping")
        with p2p_lock:
            return peer.last_message["ping"].nonce

    def run_test(self):
        node = self.nodes[0]
        peer = node.add_p2p_connection(NoPong(), wait_for_verack=False)
        peer.wait_for_verack(10)

        self.log.info("The node pings once the handshake is done")
        nonce = self.new_ping(peer, 0)
        assert nonce != 0
        self.wait_until(lambda: "pingwait" in self.info(), 10)
        self.check(pingtime=False, minping=False, pingwait=True)

        self.log.info("A pong with another nonce leaves the ping outstanding")
        peer.send_message(msg_pong(nonce ^ 0xffff))
        peer.sync_with_ping(10)
        self.check(pingtime=False, minping=False, pingwait=True)

        self.log.info("The right nonce ends it: pingtime and minping")
        peer.send_message(msg_pong(nonce))
        peer.sync_with_ping(10)
        first = self.check(pingtime=True, minping=True, pingwait=False)

        self.log.info("The ping RPC pings again; nonce 0 cancels it")
        count = peer.message_count["ping"]
        node.ping()
        nonce = self.new_ping(peer, count)
        self.wait_until(lambda: "pingwait" in self.info(), 10)
        peer.send_message(msg_pong(0))
        peer.sync_with_ping(10)
        info = self.check(pingtime=True, minping=True, pingwait=False)
        assert_equal(info["pingtime"], first["pingtime"])

        self.log.info("A pong shorter than 8 bytes cancels it too")
        count = peer.message_count["ping"]
        node.ping()
        nonce = self.new_ping(peer, count)
        self.wait_until(lambda: "pingwait" in self.info(), 10)
        peer.send_message(msg_generic(b"pong", b"\x01\x02\x03\x04"))
        peer.sync_with_ping(10)
        info = self.check(pingtime=True, minping=True, pingwait=False)
        assert_equal(info["pingtime"], first["pingtime"])

        self.log.info("The node answers our pings, nonce 0 included")
        for n in (0, 1, 2**64 - 1):
            peer.send_message(msg_ping(n))
            peer.wait_for_pong(n, 10)

        self.log.info("An unanswered ping for 20 minutes disconnects the peer")
        count = peer.message_count["ping"]
        node.ping()
        nonce = self.new_ping(peer, count)
        self.wait_until(lambda: "pingwait" in self.info(), 10)
        node.setmocktime(int(time.time()) + 20 * 60 + 1)
        peer.wait_for_disconnect(20)
        self.wait_until(lambda: node.getconnectioncount() == 0, 10)


if __name__ == "__main__":
    PingTest().main()
