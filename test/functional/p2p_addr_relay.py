#!/usr/bin/python3
"""Address relay with Python peers (Core's rules):

- an addr or addrv2 message with more than 1000 addresses: misbehaving
  (addr message size = 1001), disconnected;
- getaddr from an inbound peer is answered once per connection, in addrv2
  after sendaddrv2 and in addr without it, with addresses the node knows
  (at most 23% of them); a second getaddr is ignored;
- rate limiting: a new inbound peer may have 1 address processed at once, the
  rest of a 1000-address message counts as addr_rate_limited in getpeerinfo;
  the bucket refills at 0.1 address a second (mocktime);
- a small addr message (<= 10 fresh routable addresses) is relayed to other
  peers that take part in address relay, never back to its sender.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.messages import (NODE_NETWORK, NODE_WITNESS, CAddress, msg_addr, msg_addrv2,  # noqa: E402
                                     msg_getaddr)
from test_framework.p2p import P2PInterface, p2p_lock  # noqa: E402
from test_framework.util import assert_equal  # noqa: E402

LISTEN = ["-listen=1", "-bind=127.0.0.1"]
SERVICES = NODE_NETWORK | NODE_WITNESS


def routable(i, port=8333):
    """A distinct routable IPv4 address per i, spread over many /16 netgroups."""
    return f"{20 + i % 180}.{(i // 180) % 256}.{(i // 46080) % 256}.{1 + i % 250}", port


class AddrPeer(P2PInterface):
    def addrs_received(self):
        with p2p_lock:
            return [a for t, m in self.messages if t in ("addr", "addrv2") for a in m.addrs]


class AddrRelayTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False
        self.extra_args = [LISTEN]

    def run_test(self):
        self.node = self.nodes[0]
        self.mocktime = int(time.time())
        self.node.setmocktime(self.mocktime)
        self.test_oversized()
        self.test_getaddr()
        self.test_rate_limit()
        self.test_relay()

    def peerinfo(self, peer_index=-1):
        return self.node.getpeerinfo()[peer_index]

    def addresses(self, start, n, time_=None):
        return [CAddress(*routable(start + i), SERVICES, time_ or self.mocktime) for i in range(n)]

    def test_oversized(self):
        for cls in (msg_addr, msg_addrv2):
            self.log.info(f"{cls.msgtype.decode()} with 1001 addresses: misbehaving, disconnected")
            peer = self.node.add_p2p_connection(AddrPeer())
            with self.node.assert_debug_log([f"{cls.msgtype.decode()} message size = 1001"], timeout=10):
                peer.send_message(cls(self.addresses(0, 1001)))
                peer.wait_for_disconnect(10)
        self.wait_until(lambda: self.node.getconnectioncount() == 0, 10)

    def test_getaddr(self):
        self.log.info("getaddr is answered once, with known addresses, in addrv2 after sendaddrv2")
        known = set()
        for i in range(200):
            ip, port = routable(50_000 + i)
            if self.node.addpeeraddress(ip, port)["success"]:
                known.add((ip, port))
        assert len(known) >= 50, f"only {len(known)} addresses added"
        v2 = self.node.add_p2p_connection(AddrPeer())
        v2.send_message(msg_getaddr())
        reply = v2.wait_for_message("addrv2", 30)
        got = {(a.ip, a.port) for a in reply.addrs}
        assert 0 < len(got) <= len(known) * 23 // 100 + 1, f"{len(got)} addresses of {len(known)}"
        assert got <= known, f"unknown addresses {got - known}"
        assert_equal(v2.message_count["addr"], 0)
        v2.send_message(msg_getaddr())
        v2.sync_with_ping(10)
        time.sleep(1)
        assert_equal(v2.message_count["addrv2"], 1)

        self.log.info("Without sendaddrv2 the answer comes as addr")
        v1 = self.node.add_p2p_connection(AddrPeer(sendaddrv2=False))
        v1.send_message(msg_getaddr())
        reply = v1.wait_for_message("addr", 30)
        assert {(a.ip, a.port) for a in reply.addrs} <= known
        assert_equal(v1.message_count["addrv2"], 0)
        self.node.disconnect_p2ps()
        self.wait_until(lambda: self.node.getconnectioncount() == 0, 10)

    def test_rate_limit(self):
        self.log.info("A new inbound peer gets 1 address processed, the rest of 1000 is rate limited")
        peer = self.node.add_p2p_connection(AddrPeer())
        peer.send_message(msg_addrv2(self.addresses(100_000, 1000)))
        peer.sync_with_ping(10)
        info = self.peerinfo()
        processed, limited = info["addr_processed"], info["addr_rate_limited"]
        self.log.info(f"processed {processed}, rate limited {limited}")
        assert 1 <= processed <= 2, f"addr_processed {processed}"
        assert_equal(processed + limited, 1000)

        self.log.info("The bucket refills at 0.1 address a second")
        self.mocktime += 100
        self.node.setmocktime(self.mocktime)
        peer.send_message(msg_addrv2(self.addresses(110_000, 1000)))
        peer.sync_with_ping(10)
        info = self.peerinfo()
        newly = info["addr_processed"] - processed
        self.log.info(f"after 100 s: {newly} more processed")
        assert 10 <= newly <= 12, f"{newly} processed after 100 s"
        assert_equal(info["addr_processed"] + info["addr_rate_limited"], 2000)
        self.node.disconnect_p2ps()
        self.wait_until(lambda: self.node.getconnectioncount() == 0, 10)

    def test_relay(self):
        self.log.info("A small addr message is relayed to address-relaying peers, not back to its sender")
        receivers = [self.node.add_p2p_connection(AddrPeer()) for _ in range(3)]
        for r in receivers:
            r.send_message(msg_getaddr())   # takes part in address relay
            r.sync_with_ping(10)
        source = self.node.add_p2p_connection(AddrPeer())
        fresh = self.addresses(200_000, 1)
        wanted = {(a.ip, a.port) for a in fresh}
        # Let the getaddr replies go out first, then send the addresses.
        time.sleep(1)
        source.send_message(msg_addr(fresh))
        source.sync_with_ping(10)

        def relayed():
            return [r for r in receivers if wanted & {(a.ip, a.port) for a in r.addrs_received()}]
        deadline = time.time() + 120
        while not relayed() and time.time() < deadline:
            self.mocktime += 60
            self.node.setmocktime(self.mocktime)
            for r in receivers:
                r.sync_with_ping(10)
            time.sleep(0.5)
        got = relayed()
        self.log.info(f"relayed to {len(got)} of {len(receivers)} peers")
        assert 1 <= len(got) <= 2, f"relayed to {len(got)} peers (Core: 1 or 2)"
        assert not wanted & {(a.ip, a.port) for a in source.addrs_received()}, "relayed back to its sender"


if __name__ == "__main__":
    AddrRelayTest().main()
