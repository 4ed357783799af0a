#!/usr/bin/python3
"""Checks the P2P test peer without a node: every message class round-trips,
known wire bytes (the classic version message, verack's empty-payload
checksum, the regtest genesis block), BIP155 addrv2 forms, framing, and two
P2PInterfaces doing the version/wtxidrelay/sendaddrv2/verack handshake and
ping/pong with each other over loopback (one connects, one accepts)."""
import os
import sys
from io import BytesIO

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.messages import (MAGIC_BYTES, MSG_BLOCK, MSG_WTX, NET_CJDNS, NET_I2P, NET_IPV4,  # noqa: E402
                                     NET_IPV6, NET_TORV3, NODE_NETWORK, NODE_WITNESS, P2P_MESSAGE_CLASSES,
                                     Block, BlockHeader, CAddress, CBlockLocator, CInv, OutPoint, Transaction,
                                     TxIn, TxOut, msg_addr, msg_addrv2, msg_block, msg_feefilter, msg_generic,
                                     msg_getaddr, msg_getblocks, msg_getdata, msg_getheaders, msg_headers,
                                     msg_inv, msg_mempool, msg_notfound, msg_ping, msg_pong, msg_sendaddrv2,
                                     msg_sendcmpct, msg_sendheaders, msg_tx, msg_verack, msg_version,
                                     msg_wtxidrelay)
from test_framework.p2p import P2PInterface, frame_message  # noqa: E402
from test_framework.util import assert_equal, assert_raises, assert_true, extra_port, run_test  # noqa: E402

REGTEST_GENESIS = ("0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e"
                   "67768f617fc81bc3888a51323a9fb8aa4b1e5e4adae5494dffff7f20020000000101000000010000000000000000000000"
                   "000000000000000000000000000000000000000000ffffffff4d04ffff001d0104455468652054696d65732030332f4a61"
                   "6e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f72"
                   "2062616e6b73ffffffff0100f2052a01000000434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0"
                   "ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000")
REGTEST_GENESIS_HASH = "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"

# The version message of the protocol documentation (protocol 60002, no relay byte).
CLASSIC_VERSION = bytes.fromhex(
    "f9beb4d976657273696f6e0000000000640000003b648d5a"
    "62ea0000010000000000000011b2d05000000000010000000000000000000000000000000000ffff000000000000"
    "010000000000000000000000000000000000ffff0000000000003b2eb35d8ce617650f2f5361746f7368693a302e372e322f"
    "c03e0300")


def roundtrip(msg):
    payload = msg.serialize()
    again = type(msg)()
    again.deserialize(BytesIO(payload))
    assert_equal(again.serialize(), payload, f"{type(msg).__name__} round trip")
    return again


def check_messages():
    tx = Transaction(2, [TxIn(OutPoint("11" * 32, 1), b"\x51")], [TxOut(5000, b"\x51")])
    genesis = Block.deserialize(bytes.fromhex(REGTEST_GENESIS))
    assert_equal(genesis.hash, REGTEST_GENESIS_HASH, "regtest genesis hash")
    samples = [
        msg_version(), msg_verack(), msg_ping(0x1122334455667788), msg_pong(7),
        msg_addr([CAddress("1.2.3.4", 8333, NODE_NETWORK, 1700000000), CAddress("2001:db8::1", 18444, 9, 5)]),
        msg_addrv2([CAddress("1.2.3.4", 8333, NODE_NETWORK, 1700000000),
                    CAddress(net=NET_TORV3, addr=bytes(range(32)), port=9050, services=1 << 20),
                    CAddress(net=NET_I2P, addr=b"\x07" * 32, port=0), CAddress(net=NET_CJDNS, addr=b"\xfc" + b"\x01" * 15)]),
        msg_sendaddrv2(), msg_getaddr(),
        msg_inv([CInv(MSG_WTX, 5), CInv(MSG_BLOCK, "ab" * 32)]), msg_getdata([CInv(MSG_BLOCK, 1)]),
        msg_notfound([CInv(MSG_WTX, 9)]),
        msg_getheaders(CBlockLocator([REGTEST_GENESIS_HASH]), 0), msg_getblocks(CBlockLocator([1, 2]), 3),
        msg_headers([genesis.header(), BlockHeader(prev=genesis.hash_int)]), msg_block(genesis), msg_tx(tx),
        msg_sendheaders(), msg_sendcmpct(True, 2), msg_feefilter(1000), msg_wtxidrelay(), msg_mempool(),
    ]
    assert_equal(sorted(P2P_MESSAGE_CLASSES), sorted(type(m).msgtype for m in samples), "a sample of every class")
    for m in samples:
        roundtrip(m)
    assert_equal(len(msg_ping(1).serialize()), 8, "ping payload")
    assert_equal(msg_headers([genesis]).serialize()[-1:], b"\x00", "header followed by a zero tx count")
    assert_equal(len(msg_headers([genesis] * 2001).serialize()), 3 + 2001 * 81, "2001 headers")
    assert_equal(msg_block(genesis).serialize().hex(), REGTEST_GENESIS, "block payload")
    assert_equal(msg_inv([CInv(MSG_WTX, 1)]).serialize().hex(), "01" + "05000000" + "01" + "00" * 31, "inv bytes")
    assert_equal(msg_sendcmpct(False, 2).serialize().hex(), "000200000000000000", "sendcmpct bytes")
    # v1 address: IPv4-mapped 16 bytes, big-endian port.
    a = CAddress("10.0.0.1", 8333, NODE_NETWORK | NODE_WITNESS, 0x01020304)
    assert_equal(a.serialize().hex(), "04030201" + "0900000000000000" + "00000000000000000000ffff0a000001" + "208d",
                 "addr v1 bytes")
    assert_equal(a.serialize_v2().hex(), "04030201" + "09" + "01" + "04" + "0a000001" + "208d", "addr v2 bytes")
    assert_equal(CAddress("::ffff:10.0.0.1", 1).net, NET_IPV4, "mapped IPv4 is IPv4")
    assert_equal(CAddress("::1", 1).net, NET_IPV6, "IPv6")
    bad = bytes.fromhex("00000000" + "00" + "01" + "05" + "0a00000102" + "0000")
    assert_raises(ValueError, msg_addrv2.from_payload, b"\x01" + bad)
    # Known wire bytes: the documentation's version message decodes and re-encodes (plus our relay byte).
    assert_equal(CLASSIC_VERSION[:4], MAGIC_BYTES["main"], "mainnet magic")
    v = msg_version.from_payload(CLASSIC_VERSION[24:])
    assert_equal((v.version, v.services, v.timestamp, v.user_agent, v.start_height, v.relay),
                 (60002, 1, 0x50d0b211, "/Satoshi:0.7.2/", 212672, 1), "classic version fields")
    assert_equal(v.nonce, 0x6517e68c5db32e3b, "classic nonce")
    assert_equal(frame_message(b"version", v.serialize()[:-1], MAGIC_BYTES["main"]), CLASSIC_VERSION,
                 "the framed classic version message, byte for byte")
    assert_equal(frame_message("verack", b"").hex(), "fabfb5da" + b"verack".hex() + "00" * 6 + "00000000" + "5df6e0e2",
                 "regtest verack")
    assert_raises(ValueError, frame_message, "x" * 13, b"")
    assert_equal(msg_generic("foo", b"ab").serialize(), b"ab", "generic")
    print(f"{len(samples)} message classes round-trip; known bytes ok")


def check_loopback():
    port = extra_port(8)
    server = P2PInterface()
    server.peer_accept_connection(port, "127.0.0.1")
    client = P2PInterface()
    client.peer_connect("127.0.0.1", port)
    client.wait_for_verack(10)
    server.wait_for_verack(10)
    for peer in (client, server):
        assert_equal(peer.peer_version.version, 70016, "protocol version")
        assert_true(peer.message_count["wtxidrelay"] == 1 and peer.message_count["sendaddrv2"] == 1,
                    "wtxidrelay and sendaddrv2")
        order = [t for t, _ in peer.messages][:4]
        assert_equal(order, ["version", "wtxidrelay", "sendaddrv2", "verack"], "handshake order")
    client.sync_with_ping(10)
    server.sync_with_ping(10)
    # Raw bytes: a message split over two writes arrives once.
    raw = client.build_message(msg_ping(4242))
    client.send_raw(raw[:10])
    client.send_raw(raw[10:])
    client.wait_for_pong(4242, 10)
    # A second connection to the accept-once listener is refused.
    third = P2PInterface()
    try:
        third.peer_connect("127.0.0.1", port)
        third.wait_for_disconnect(10)
    except OSError:
        pass
    client.peer_disconnect()
    client.wait_for_disconnect(10)
    server.wait_for_disconnect(10)
    assert_raises(IOError, client.send_message, msg_ping(1))
    print("loopback handshake, ping/pong, split writes, disconnect ok")


if __name__ == "__main__":
    run_test(lambda: (check_messages(), check_loopback()))
