#!/usr/bin/python3
"""Malformed and hostile P2P input, each with Core's reaction, while the node
stays up and a well-behaved bystander peer is never disturbed:

- wrong checksum, invalid message type: that message is dropped, the peer stays;
- payload length over 4,000,000, wrong network magic, garbage bytes after a
  valid message: the peer is disconnected;
- unknown message type: ignored;
- payload split over writes (truncated on the wire): buffered until complete;
- payload shorter than the message needs, undecodable tx and block bytes:
  the message fails to decode, is dropped, the peer stays;
- trailing bytes inside a payload: ignored, the message is handled;
- a block with a wrong merkle root (mutated), 2001 headers, inv or getdata
  with 50001 entries: misbehaving, disconnected;
- a peer that sends nothing after connecting: disconnected after -peertimeout.
"""
import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.messages import (MSG_WTX, Block, BlockHeader, CInv, OutPoint, Transaction, TxIn, TxOut,  # noqa: E402
                                     hash256, msg_block, msg_generic, msg_getdata, msg_headers, msg_inv, msg_ping)
from test_framework.p2p import P2PInterface, p2p_lock  # noqa: E402
from test_framework.util import assert_equal  # noqa: E402

LISTEN = ["-listen=1", "-bind=127.0.0.1"]


class InvalidMessagesTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False
        self.extra_args = [LISTEN]

    def run_test(self):
        self.node = self.nodes[0]
        self.bystander = self.node.add_p2p_connection(P2PInterface())
        self.test_checksum()
        self.test_invalid_msgtype()
        self.test_unknown_msgtype()
        self.test_oversized()
        self.test_magic()
        self.test_split_payload()
        self.test_short_payload()
        self.test_trailing_bytes()
        self.test_garbage_after_valid_message()
        self.test_invalid_tx_bytes()
        self.test_invalid_block_bytes()
        self.test_mutated_block()
        self.test_too_many_headers()
        self.test_oversized_inv()
        self.test_silent_peer()

    # --- helpers -------------------------------------------------------------------
    def fresh_peer(self):
        return self.node.add_p2p_connection(P2PInterface())

    def check_unaffected(self):
        """The node answers RPC and the bystander still gets its pongs."""
        assert_equal(self.node.getblockcount(), 200)
        assert self.bystander.is_connected, "the bystander was disconnected"
        self.bystander.sync_with_ping(10)

    def last_peerinfo(self):
        """getpeerinfo of the newest peer."""
        return max(self.node.getpeerinfo(), key=lambda p: p["id"])

    def no_pong(self, peer, nonce):
        with p2p_lock:
            return not any(t == "pong" and m.nonce == nonce for t, m in peer.messages)

    def expect_stays(self, peer):
        peer.sync_with_ping(10)
        assert peer.is_connected
        self.check_unaffected()

    def expect_disconnect(self, peer):
        peer.wait_for_disconnect(10)
        self.check_unaffected()

    # --- cases ---------------------------------------------------------------------
    def test_checksum(self):
        self.log.info("Wrong checksum: the message is dropped, the peer stays")
        peer = self.fresh_peer()
        raw = peer.build_message(msg_ping(0xbad))
        raw = raw[:20] + b"\xff\xff\xff\xff" + raw[24:]
        with self.node.assert_debug_log(["Header error: Wrong checksum (ping, 8 bytes)"]):
            peer.send_raw(raw)
            self.expect_stays(peer)
        assert self.no_pong(peer, 0xbad), "a ping with a bad checksum was answered"
        # Its 32 bytes are counted, under "*other*" (as Core does for dropped messages).
        assert_equal(self.last_peerinfo()["bytesrecv_per_msg"].get("*other*"), 32)
        peer.peer_disconnect()

    def test_invalid_msgtype(self):
        self.log.info("Invalid message type (non-printable): dropped, the peer stays")
        peer = self.fresh_peer()
        payload = b"\x00" * 8
        raw = peer.magic + b"pi\x01g".ljust(12, b"\x00") + struct.pack("<I", 8) + hash256(payload)[:4] + payload
        with self.node.assert_debug_log(["Header error: Invalid message type"]):
            peer.send_raw(raw)
            self.expect_stays(peer)
        peer.peer_disconnect()

    def test_unknown_msgtype(self):
        self.log.info("Unknown message type: ignored, the peer stays")
        peer = self.fresh_peer()
        peer.send_message(msg_generic(b"badmsg", b"\x01\x02\x03"))
        self.expect_stays(peer)
        assert_equal(self.last_peerinfo()["bytesrecv_per_msg"].get("*other*"), 27)
        peer.peer_disconnect()

    def test_oversized(self):
        self.log.info("Payload length 4,000,001 in the header: disconnected")
        peer = self.fresh_peer()
        raw = peer.magic + b"badmsg".ljust(12, b"\x00") + struct.pack("<I", 4_000_001) + b"\x00" * 4 + b"\x00" * 100
        with self.node.assert_debug_log(["Header error: Size too large (badmsg, 4000001 bytes)"], timeout=10):
            peer.send_raw(raw)
            self.expect_disconnect(peer)

    def test_magic(self):
        self.log.info("Wrong network magic: disconnected")
        peer = self.fresh_peer()
        raw = peer.build_message(msg_ping(1))
        with self.node.assert_debug_log(["Header error: Wrong MessageStart"], timeout=10):
            peer.send_raw(b"\xf9\xbe\xb4\xd9" + raw[4:])
            self.expect_disconnect(peer)

    def test_split_payload(self):
        self.log.info("A message truncated on the wire is buffered until the rest arrives")
        peer = self.fresh_peer()
        raw = peer.build_message(msg_ping(0x5151))
        peer.send_raw(raw[:12])
        time.sleep(0.3)
        peer.send_raw(raw[12:28])
        time.sleep(0.5)
        assert peer.is_connected and self.no_pong(peer, 0x5151), "handled before its payload was complete"
        self.check_unaffected()
        peer.send_raw(raw[28:])
        peer.wait_for_pong(0x5151, 10)
        self.expect_stays(peer)
        peer.peer_disconnect()

    def test_short_payload(self):
        self.log.info("A payload too short for its message (ping with 4 bytes): dropped, the peer stays")
        peer = self.fresh_peer()
        peer.send_message(msg_generic(b"ping", b"\x01\x02\x03\x04"))
        self.expect_stays(peer)
        assert self.no_pong(peer, 0x04030201), "a 4-byte ping was answered"
        peer.peer_disconnect()

    def test_trailing_bytes(self):
        self.log.info("Extra bytes after a complete ping payload: ignored, the ping is answered")
        peer = self.fresh_peer()
        peer.send_message(msg_generic(b"ping", struct.pack("<Q", 0x7777) + b"junk"))
        peer.wait_for_pong(0x7777, 10)
        self.expect_stays(peer)
        peer.peer_disconnect()

    def test_garbage_after_valid_message(self):
        self.log.info("Garbage on the wire after a valid message: disconnected (wrong magic)")
        peer = self.fresh_peer()
        peer.send_message(msg_ping(0x6060))
        peer.wait_for_pong(0x6060, 10)
        # A valid ping and garbage in one write: the garbage is read as a header with a wrong
        # magic and the connection closes (as in Core, whether the ping is answered first is a race).
        with self.node.assert_debug_log(["Header error: Wrong MessageStart"], timeout=10):
            peer.send_raw(peer.build_message(msg_ping(0x6161)) + bytes(range(7, 7 + 40)))
            self.expect_disconnect(peer)

    def test_invalid_tx_bytes(self):
        self.log.info("Undecodable tx bytes: dropped, the peer stays")
        peer = self.fresh_peer()
        peer.send_message(msg_generic(b"tx", b"\x02\x00\x00\x00\x05\xff\xff"))
        self.expect_stays(peer)
        peer.peer_disconnect()

    def test_invalid_block_bytes(self):
        self.log.info("Undecodable block bytes: dropped, the peer stays")
        peer = self.fresh_peer()
        tip = self.node.getblockheader(self.node.getbestblockhash())
        header = BlockHeader(prev=tip["hash"], time=tip["time"] + 1).serialize()
        peer.send_message(msg_generic(b"block", header + b"\xfd\x10"))  # a cut-off transaction count
        self.expect_stays(peer)
        assert_equal(self.node.getblockcount(), 200)
        peer.peer_disconnect()

    def test_mutated_block(self):
        self.log.info("A block whose merkle root does not match its transactions: misbehaving, disconnected")
        peer = self.fresh_peer()
        tip = self.node.getblockheader(self.node.getbestblockhash())
        coinbase = Transaction(2, [TxIn(OutPoint(0, 0xFFFFFFFF), bytes([2, 201, 0]) + b"\x51", 0xFFFFFFFF)],
                               [TxOut(50 * 100_000_000, b"\x51")])
        block = Block(BlockHeader(prev=tip["hash"], time=tip["time"] + 1), [coinbase])
        block.merkle_root = block.calc_merkle_root() ^ 1
        block.solve()
        with self.node.assert_debug_log(["mutated block"], timeout=10):
            peer.send_message(msg_block(block))
            self.expect_disconnect(peer)
        assert_equal(self.node.getblockcount(), 200)

    def test_too_many_headers(self):
        self.log.info("2001 headers in one message: misbehaving (headers message size = 2001), disconnected")
        peer = self.fresh_peer()
        tip = self.node.getblockheader(self.node.getbestblockhash())
        headers, prev, t = [], tip["hash"], tip["time"]
        for _ in range(2001):
            t += 1
            h = BlockHeader(prev=prev, time=t)
            h.solve()
            headers.append(h)
            prev = h.hash_int
        with self.node.assert_debug_log(["headers message size = 2001"], timeout=10):
            peer.send_message(msg_headers(headers))
            self.expect_disconnect(peer)
        assert_equal(self.node.getblockcount(), 200)
        self.log.info("2000 headers are fine")
        peer = self.fresh_peer()
        peer.send_message(msg_headers(headers[:2000]))
        self.expect_stays(peer)
        peer.peer_disconnect()

    def test_oversized_inv(self):
        for cls in (msg_inv, msg_getdata):
            name = cls.msgtype.decode()
            self.log.info(f"{name} with 50001 entries: misbehaving ({name} message size = 50001), disconnected")
            peer = self.fresh_peer()
            with self.node.assert_debug_log([f"{name} message size = 50001"], timeout=10):
                peer.send_message(cls([CInv(MSG_WTX, i + 1) for i in range(50001)]))
                self.expect_disconnect(peer)

    def test_silent_peer(self):
        self.log.info("A peer that never sends anything is disconnected after -peertimeout")
        self.node.disconnect_p2ps()
        self.restart_node(0, LISTEN + ["-peertimeout=2"])
        self.bystander = self.node.add_p2p_connection(P2PInterface())
        silent = self.node.add_p2p_connection(P2PInterface(send_version=False), wait_for_verack=False)
        self.wait_until(lambda: len(self.node.getpeerinfo()) == 2, 10)
        start = time.time()
        silent.wait_for_disconnect(30)
        elapsed = time.time() - start
        self.log.info(f"silent peer dropped after {elapsed:.1f} s")
        assert elapsed >= 1, "dropped before -peertimeout"
        self.bystander.sync_with_ping(10)
        assert_equal(len(self.node.getpeerinfo()), 1)
        self.check_unaffected()


if __name__ == "__main__":
    InvalidMessagesTest().main()
