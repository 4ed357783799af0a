#!/usr/bin/python3
"""-whitelist / -whitebind permissions seen by Python peers (Core's rules):

- no whitelist: getpeerinfo permissions [], a `mempool` message disconnects;
- -whitelist=127.0.0.1 (no flags): noban, relay, mempool, download;
- noban: 2001 headers are misbehaviour but the peer is not disconnected, and
  `mempool` is ignored without a disconnect;
- mempool: `mempool` is accepted;
- addr: no address rate limit (1000 of 1000 processed);
- relay with -blocksonly: the node announces relay=0 and disconnects a peer
  sending `tx`, unless it has the relay permission;
- -whitebind gives the permission only to connections on that address;
- an unknown permission or a netmask with a port is an init error.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.messages import (NODE_NETWORK, NODE_WITNESS, BlockHeader, CAddress, OutPoint,  # noqa: E402
                                     Transaction, TxIn, TxOut, msg_addrv2, msg_headers, msg_mempool, msg_tx)
from test_framework.p2p import P2PInterface  # noqa: E402
from test_framework.test_node import ErrorMatch  # noqa: E402
from test_framework.util import assert_equal, extra_port  # noqa: E402

LISTEN = ["-listen=1", "-bind=127.0.0.1"]


class PermissionsTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False
        self.extra_args = [LISTEN]

    def restart(self, *args):
        self.node.disconnect_p2ps()
        self.restart_node(0, LISTEN + list(args))

    def permissions(self, peer_count=1):
        self.wait_until(lambda: len(self.node.getpeerinfo()) == peer_count, 10)
        return sorted(self.node.getpeerinfo()[-1]["permissions"])

    def run_test(self):
        self.node = self.nodes[0]
        self.test_none()
        self.test_implicit()
        self.test_noban()
        self.test_mempool()
        self.test_addr()
        self.test_relay_blocksonly()
        self.test_whitebind()
        self.test_init_errors()

    def test_none(self):
        self.log.info("No whitelist: no permissions; `mempool` disconnects")
        peer = self.node.add_p2p_connection(P2PInterface())
        assert_equal(self.permissions(), [])
        peer.send_message(msg_mempool())
        peer.wait_for_disconnect(10)

    def test_implicit(self):
        self.log.info("-whitelist=127.0.0.1: noban, relay, mempool, download")
        self.restart("-whitelist=127.0.0.1")
        self.node.add_p2p_connection(P2PInterface())
        assert_equal(self.permissions(), sorted(["noban", "relay", "mempool", "download"]))

    def headers_2001(self):
        tip = self.node.getblockheader(self.node.getbestblockhash())
        headers, prev = [], tip["hash"]
        for i in range(2001):
            h = BlockHeader(prev=prev, time=tip["time"] + 1 + i)
            h.solve()
            headers.append(h)
            prev = h.hash_int
        return headers

    def test_noban(self):
        self.log.info("noban: misbehaviour does not disconnect, `mempool` is ignored")
        self.restart("-whitelist=noban@127.0.0.1")
        peer = self.node.add_p2p_connection(P2PInterface())
        assert_equal(self.permissions(), ["download", "noban"])
        with self.node.assert_debug_log(["headers message size = 2001"], timeout=10):
            peer.send_message(msg_headers(self.headers_2001()))
            peer.sync_with_ping(10)
        peer.send_message(msg_mempool())
        peer.sync_with_ping(10)
        time.sleep(0.5)
        assert peer.is_connected
        peer.sync_with_ping(10)

    def test_mempool(self):
        self.log.info("mempool: the `mempool` message is accepted")
        self.restart("-whitelist=mempool@127.0.0.1")
        peer = self.node.add_p2p_connection(P2PInterface())
        assert_equal(self.permissions(), ["mempool"])
        peer.send_message(msg_mempool())
        peer.sync_with_ping(10)
        time.sleep(0.5)
        assert peer.is_connected
        peer.sync_with_ping(10)

    def test_addr(self):
        self.log.info("addr: no address rate limit")
        self.restart("-whitelist=addr@127.0.0.1")
        peer = self.node.add_p2p_connection(P2PInterface())
        assert_equal(self.permissions(), ["addr"])
        now = int(time.time())
        addrs = [CAddress(f"30.{i >> 8}.{i & 255}.7", 8333, NODE_NETWORK | NODE_WITNESS, now) for i in range(1000)]
        peer.send_message(msg_addrv2(addrs))
        peer.sync_with_ping(10)
        info = self.node.getpeerinfo()[0]
        assert_equal((info["addr_processed"], info["addr_rate_limited"]), (1000, 0))

    def test_relay_blocksonly(self):
        tx = Transaction(2, [TxIn(OutPoint("22" * 32, 0))], [TxOut(1000, b"\x51")])
        self.log.info("-blocksonly: relay=0 in our version; `tx` from a peer without relay permission disconnects")
        self.restart("-blocksonly")
        peer = self.node.add_p2p_connection(P2PInterface())
        assert_equal(peer.peer_version.relay, 0)
        peer.send_message(msg_tx(tx))
        peer.wait_for_disconnect(10)
        self.log.info("... but not with the relay permission")
        self.restart("-blocksonly", "-whitelist=relay@127.0.0.1")
        peer = self.node.add_p2p_connection(P2PInterface())
        assert_equal(self.permissions(), ["relay"])
        peer.send_message(msg_tx(tx))
        peer.sync_with_ping(10)
        time.sleep(0.5)
        assert peer.is_connected

    def test_whitebind(self):
        self.log.info("-whitebind=noban@127.0.0.1:<port>: only connections there get noban")
        port = extra_port(6)
        self.restart(f"-whitebind=noban@127.0.0.1:{port}")
        self.node.add_p2p_connection(P2PInterface(), dstport=port)
        assert_equal(self.permissions(1), ["download", "noban"])
        self.node.add_p2p_connection(P2PInterface())
        assert_equal(self.permissions(2), [])

    def test_init_errors(self):
        self.log.info("Invalid -whitelist values are init errors")
        self.node.disconnect_p2ps()
        self.stop_node(0)
        self.node.assert_start_raises_init_error(LISTEN + ["-whitelist=oopsie@127.0.0.1"],
                                                 "Invalid P2P permission", match=ErrorMatch.PARTIAL_REGEX)
        self.node.assert_start_raises_init_error(LISTEN + ["-whitelist=noban@127.0.0.1:230"],
                                                 "Invalid netmask specified in", match=ErrorMatch.PARTIAL_REGEX)
        self.start_node(0, LISTEN)


if __name__ == "__main__":
    PermissionsTest().main()
