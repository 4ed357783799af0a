#!/usr/bin/env python3
"""P2P benchmarks against a live regtest bitcoind (results: doc/benchmarks.md).

    BUILDDIR=build /usr/bin/python3 test/bench/p2p_msgs_bench.py [--messages N] [--rounds R]

1. Messages per second the node receives and processes from 1 and from 8
   loopback peers: each peer (a plain socket, after the version/verack
   handshake) sends N messages as fast as the socket takes them, half
   `ping` (8-byte payload, answered with `pong`) and half `inv` with one
   block hash the node already has (37 bytes, no answer), then a last ping.
   The time runs from the first byte sent to the last peer's pong for that
   last ping: every message before it was read, checked and handled.
2. A 125-connection soak: -maxconnections=136 (125 inbound slots), then R
   rounds of 125 peers connecting, each completing the handshake and a
   ping/pong, then all disconnecting. Resident memory (VmRSS) and open file
   descriptors of the node before the first round, with 125 peers connected,
   and after every round once the node has dropped all of them.

The node runs with -debug=0 (no per-message log lines).
"""
import os
import random
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "functional"))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.messages import CAddress, CInv, hash256, msg_inv, msg_version  # noqa: E402
from test_framework.util import wait_until  # noqa: E402

MAGIC = bytes.fromhex("fabfb5da")  # regtest


def frame(msgtype, payload):
    return (MAGIC + msgtype.ljust(12, b"\x00") + struct.pack("<I", len(payload)) + hash256(payload)[:4] + payload)


class RawPeer:
    """A blocking socket peer: handshake, bulk send, a reader thread counting pongs."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.pongs = set()
        self.done = threading.Event()
        self.closed = False
        self.reader = None

    def read_message(self):
        while True:
            if len(self.buf) >= 24:
                length = struct.unpack_from("<I", self.buf, 16)[0]
                if len(self.buf) >= 24 + length:
                    msgtype = bytes(self.buf[4:16]).rstrip(b"\x00")
                    payload = bytes(self.buf[24:24 + length])
                    del self.buf[:24 + length]
                    return msgtype, payload
            data = self.sock.recv(1 << 16)
            if not data:
                raise ConnectionError("closed by the node")
            self.buf += data

    def handshake(self):
        v = msg_version()
        v.timestamp = int(time.time())
        v.addr_recv = CAddress("127.0.0.1", 0)
        v.addr_from = CAddress("0.0.0.0", 0)
        v.nonce = random.getrandbits(64)
        v.relay = 0
        self.sock.sendall(frame(b"version", v.serialize()))
        got_version = got_verack = False
        while not (got_version and got_verack):
            msgtype, _ = self.read_message()
            if msgtype == b"version":
                got_version = True
                self.sock.sendall(frame(b"verack", b""))
            elif msgtype == b"verack":
                got_verack = True

    def ping(self, nonce):
        self.sock.sendall(frame(b"ping", struct.pack("<Q", nonce)))
        while True:
            msgtype, payload = self.read_message()
            if msgtype == b"pong" and struct.unpack("<Q", payload)[0] == nonce:
                return
            if msgtype == b"ping":
                self.sock.sendall(frame(b"pong", payload))

    def start_reader(self, final_nonce):
        def run():
            try:
                while True:
                    msgtype, payload = self.read_message()
                    if msgtype == b"pong" and struct.unpack("<Q", payload)[0] == final_nonce:
                        self.done.set()
                        return
            except (OSError, ConnectionError):
                self.done.set()
        self.reader = threading.Thread(target=run, daemon=True)
        self.reader.start()

    def close(self):
        self.sock.close()


def node_resources(pid):
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


class P2PBench(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        # -debug=0: no per-message debug log lines (the framework starts nodes with -debug=1).
        self.extra_args = [["-listen=1", "-maxconnections=136", "-debug=0"]]

    def add_options(self, parser):
        parser.add_argument("--messages", type=int, default=100_000, help="messages per peer (default 100000)")
        parser.add_argument("--rounds", type=int, default=10, help="soak rounds of 125 connections (default 10)")

    def run_test(self):
        node = self.nodes[0]
        inv = frame(b"inv", msg_inv([CInv(2, node.getblockhash(1))]).serialize())  # MSG_BLOCK, a block it has
        n = self.options.messages
        for peers in (1, 8):
            conns = [RawPeer(node.p2p_port) for _ in range(peers)]
            for c in conns:
                c.handshake()
                c.ping(1)
            final = 0xFFFFFFFF
            blobs = []
            for _ in conns:
                parts = []
                for i in range(n // 2):
                    parts.append(frame(b"ping", struct.pack("<Q", 1000 + i)))
                    parts.append(inv)
                parts.append(frame(b"ping", struct.pack("<Q", final)))
                blobs.append(b"".join(parts))
            for c in conns:
                c.start_reader(final)
            senders = [threading.Thread(target=c.sock.sendall, args=(blob,)) for c, blob in zip(conns, blobs)]
            start = time.perf_counter()
            for s in senders:
                s.start()
            for c in conns:
                if not c.done.wait(600):
                    raise AssertionError("no final pong")
            elapsed = time.perf_counter() - start
            total = peers * (n + 1)
            self.log.info(f"{peers} peer(s): {total} messages in {elapsed:.2f} s: {total / elapsed:,.0f} messages/s "
                          f"({len(blobs[0]) * peers / elapsed / 1e6:.1f} MB/s)")
            for s in senders:
                s.join()
            for c in conns:
                c.close()
            wait_until(lambda: not node.getpeerinfo(), 60)

        pid = node.process.pid
        rss0, fds0 = node_resources(pid)
        self.log.info(f"soak: before: VmRSS {rss0} kB, {fds0} descriptors")
        for r in range(self.options.rounds):
            conns = []
            for _ in range(125):
                c = RawPeer(node.p2p_port)
                c.handshake()
                conns.append(c)
            for i, c in enumerate(conns):
                c.ping(i + 1)
            assert len(node.getpeerinfo()) == 125, len(node.getpeerinfo())
            rss1, fds1 = node_resources(pid)
            for c in conns:
                c.close()
            wait_until(lambda: not node.getpeerinfo(), 60)
            time.sleep(0.5)
            rss2, fds2 = node_resources(pid)
            self.log.info(f"soak round {r + 1}: 125 connected: VmRSS {rss1} kB, {fds1} descriptors; "
                          f"all closed: VmRSS {rss2} kB, {fds2} descriptors")
        self.log.info(f"soak: after {self.options.rounds} rounds ({125 * self.options.rounds} connections): "
                      f"VmRSS {rss2} kB ({rss2 - rss0:+d} kB), {fds2} descriptors ({fds2 - fds0:+d})")


if __name__ == "__main__":
    P2PBench().main()
