#!/usr/bin/python3
"""The version/verack handshake with a Python peer, in both directions:

- inbound (we connect): the node answers our version with its own (protocol
  70016, NODE_NETWORK|NODE_WITNESS, start height, relay flag, a nonce), then
  wtxidrelay and sendaddrv2 before its verack, and pings once the handshake is
  done; getpeerinfo shows our user agent, version and services;
- outbound (the node connects to us with addnode onetry): the node speaks first;
- messages before version are ignored, a second version is ignored;
- a peer below the minimum protocol version (31800) is disconnected;
- a version carrying the nonce of one of the node's outbound connections still in
  its handshake (a connection to itself) is disconnected.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.messages import NODE_NETWORK, NODE_WITNESS, msg_ping  # noqa: E402
from test_framework.p2p import P2PInterface, p2p_lock  # noqa: E402
from test_framework.util import assert_equal, extra_port  # noqa: E402

LISTEN = ["-listen=1", "-bind=127.0.0.1"]


class HandshakeTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False
        self.extra_args = [LISTEN]

    def run_test(self):
        self.node = self.nodes[0]
        self.test_inbound()
        self.test_outbound()
        self.test_before_version()
        self.test_duplicate_version()
        self.test_obsolete_version()
        self.test_self_connection()

    def our_peerinfo(self, peer_count=1):
        self.wait_until(lambda: len(self.node.getpeerinfo()) == peer_count, 10)
        return self.node.getpeerinfo()

    def test_inbound(self):
        self.log.info("Inbound handshake: version, wtxidrelay, sendaddrv2, verack, then a ping")
        peer = self.node.add_p2p_connection(P2PInterface())
        v = peer.peer_version
        assert_equal(v.version, 70016)
        assert v.services & (NODE_NETWORK | NODE_WITNESS) == NODE_NETWORK | NODE_WITNESS, f"services {v.services:#x}"
        assert_equal(v.start_height, 200)
        assert_equal(v.relay, 1)
        assert v.nonce != 0, "zero nonce"
        assert v.user_agent.startswith("/") and v.user_agent.endswith("/"), f"user agent {v.user_agent!r}"
        assert_equal(v.user_agent, self.node.getnetworkinfo()["subversion"])
        with p2p_lock:
            order = [t for t, _ in peer.messages]
        assert_equal(order[0], "version")
        verack = order.index("verack")
        assert order.index("wtxidrelay") < verack, f"wtxidrelay after verack: {order}"
        assert order.index("sendaddrv2") < verack, f"sendaddrv2 after verack: {order}"
        ping = peer.wait_for_message("ping", 10)
        assert ping.nonce != 0
        info = self.our_peerinfo()[0]
        assert_equal(info["inbound"], True)
        assert_equal(info["connection_type"], "inbound")
        assert_equal(info["version"], 70016)
        assert_equal(info["subver"], peer.version_message().user_agent)
        assert_equal(int(info["services"], 16), NODE_NETWORK | NODE_WITNESS)
        assert_equal(info["startingheight"], -1)
        assert_equal(info["relaytxes"], True)
        assert info["addr"].startswith("127.0.0.1:")
        self.node.disconnect_p2ps()
        self.wait_until(lambda: self.node.getconnectioncount() == 0, 10)

    def test_outbound(self):
        self.log.info("Outbound handshake (addnode onetry): the node sends version first and asks for addresses")
        port = extra_port(5)
        peer = self.node.add_outbound_p2p_connection(P2PInterface(), port)
        v = peer.peer_version
        assert_equal(v.version, 70016)
        # Core leaves addr_you empty for a non-routable peer address such as 127.0.0.1.
        assert_equal((v.addr_recv.ip, v.addr_recv.port), ("::", 0))
        assert_equal(v.start_height, 200)
        info = self.our_peerinfo()[0]
        assert_equal(info["inbound"], False)
        assert_equal(info["connection_type"], "manual")
        assert_equal(info["addr"], f"127.0.0.1:{port}")
        peer.wait_for_message("getaddr", 10)
        self.outbound_nonce = v.nonce
        self.outbound = peer

    def test_before_version(self):
        self.log.info("A message before version is ignored; the handshake still works afterwards")
        peer = self.node.add_p2p_connection(P2PInterface(send_version=False), wait_for_verack=False)
        peer.send_message(msg_ping(0x99))
        peer.send_version = True
        peer.send_message(peer.version_message())
        peer.wait_for_verack(10)
        peer.sync_with_ping(10)
        with p2p_lock:
            assert not any(t == "pong" and m.nonce == 0x99 for t, m in peer.messages), "ping before version answered"
        peer.peer_disconnect()
        peer.wait_for_disconnect(10)

    def test_duplicate_version(self):
        self.log.info("A second version message is ignored")
        peer = self.node.add_p2p_connection(P2PInterface())
        peer.send_message(peer.version_message())
        peer.sync_with_ping(10)
        assert_equal(peer.message_count["version"], 1)
        assert peer.is_connected
        peer.peer_disconnect()
        peer.wait_for_disconnect(10)

    def test_obsolete_version(self):
        self.log.info("Protocol version 31799 (below the minimum 31800): disconnected")

        class Old(P2PInterface):
            def version_message(self):
                v = super().version_message()
                v.version = 31799
                return v
        peer = self.node.add_p2p_connection(Old(), wait_for_verack=False)
        peer.wait_for_disconnect(10)
        assert_equal(peer.message_count["verack"], 0)

    def test_self_connection(self):
        self.log.info("A version carrying the nonce of the node's own unfinished outbound connection: "
                      "connection to self, disconnected")
        # An outbound connection held before its handshake ends (we never answer its version).
        held = self.node.add_outbound_p2p_connection(P2PInterface(send_version=False), extra_port(7),
                                                     wait_for_verack=False)
        held.wait_until(lambda: held.peer_version is not None, 10)
        nonce = held.peer_version.nonce

        class Mirror(P2PInterface):
            def version_message(inner):
                v = super().version_message()
                v.nonce = nonce
                return v
        with self.node.assert_debug_log(["connected to self at"], timeout=10):
            peer = self.node.add_p2p_connection(Mirror(), wait_for_verack=False)
            peer.wait_for_disconnect(10)
        assert_equal(peer.message_count["verack"], 0)
        self.log.info("The nonce of a finished outbound handshake does not count")

        class Late(P2PInterface):
            def version_message(inner):
                v = super().version_message()
                v.nonce = self.outbound_nonce
                return v
        peer = self.node.add_p2p_connection(Late())
        peer.sync_with_ping(10)
        self.outbound.sync_with_ping(10)
        assert self.outbound.is_connected


if __name__ == "__main__":
    HandshakeTest().main()
