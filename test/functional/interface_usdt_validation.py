#!/usr/bin/python3
"""Attaches BCC to a running bitcoind (by pid) and checks every argument of
validation:block_connected and validation:block_disconnected against RPC data.

- block_connected for blocks mined with generatetoaddress and with
  generateblock holding transactions: hash, height, transaction count,
  inputs (coinbase input included), sigops (cost, coinbase excluded: the
  coinbase here pays a P2PKH output, whose 4 sigop cost units must not
  count), and 0 < duration < the wall time of the RPC call that connected it.
- block_disconnected for invalidateblock of the two last blocks (tip first):
  hash, height, transaction count, 0 < duration < the invalidateblock call.
- block_connected again for reconsiderblock of them.
"""
import ctypes
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.address import pubkey_to_p2pkh_address, pubkey_to_p2pkh_script  # noqa: E402
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.messages import TxOut  # noqa: E402
from test_framework.tracing import tracer_lock  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import assert_equal, assert_true  # noqa: E402

# The secp256k1 generator point, compressed: any valid public key will do.
PUBKEY_G = bytes.fromhex("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")

PROGRAM = r"""
#include <uapi/linux/ptrace.h>
struct connected_t { u8 hash[32]; s32 height; u64 txs; s32 inputs; u64 sigops; u64 ns; };
struct disconnected_t { u8 hash[32]; s32 height; u64 txs; u64 ns; };
BPF_PERF_OUTPUT(connected);
BPF_PERF_OUTPUT(disconnected);

int trace_connected(struct pt_regs *ctx) {
    struct connected_t e = {};
    u64 ptr = 0;
    bpf_usdt_readarg(1, ctx, &ptr);
    bpf_probe_read_user(&e.hash, sizeof(e.hash), (void *)ptr);
    bpf_usdt_readarg(2, ctx, &e.height);
    bpf_usdt_readarg(3, ctx, &e.txs);
    bpf_usdt_readarg(4, ctx, &e.inputs);
    bpf_usdt_readarg(5, ctx, &e.sigops);
    bpf_usdt_readarg(6, ctx, &e.ns);
    connected.perf_submit(ctx, &e, sizeof(e));
    return 0;
}
int trace_disconnected(struct pt_regs *ctx) {
    struct disconnected_t e = {};
    u64 ptr = 0;
    bpf_usdt_readarg(1, ctx, &ptr);
    bpf_probe_read_user(&e.hash, sizeof(e.hash), (void *)ptr);
    bpf_usdt_readarg(2, ctx, &e.height);
    bpf_usdt_readarg(3, ctx, &e.txs);
    bpf_usdt_readarg(4, ctx, &e.ns);
    disconnected.perf_submit(ctx, &e, sizeof(e));
    return 0;
}
"""


class Connected(ctypes.Structure):
    _fields_ = [("hash", ctypes.c_ubyte * 32), ("height", ctypes.c_int32), ("txs", ctypes.c_uint64),
                ("inputs", ctypes.c_int32), ("sigops", ctypes.c_uint64), ("ns", ctypes.c_uint64)]


class Disconnected(ctypes.Structure):
    _fields_ = [("hash", ctypes.c_ubyte * 32), ("height", ctypes.c_int32), ("txs", ctypes.c_uint64),
                ("ns", ctypes.c_uint64)]


def display_hash(raw):
    return bytes(raw)[::-1].hex()


class ValidationTracepointTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False

    def skip_test_if_missing_module(self):
        self.skip_if_no_tracing(("bcc",))

    def run_test(self):
        from bcc import BPF, USDT
        node = self.nodes[0]
        self.acs = AnyoneCanSpend(node)
        with tracer_lock("bcc"):
            usdt = USDT(pid=node.process.pid)
            usdt.enable_probe(probe="validation:block_connected", fn_name="trace_connected")
            usdt.enable_probe(probe="validation:block_disconnected", fn_name="trace_disconnected")
            self.bpf = BPF(text=PROGRAM, usdt_contexts=[usdt])
            self.connected, self.disconnected = [], []
            self.bpf["connected"].open_perf_buffer(
                lambda _c, data, _s: self.connected.append(self._copy(data, Connected)))
            self.bpf["disconnected"].open_perf_buffer(
                lambda _c, data, _s: self.disconnected.append(self._copy(data, Disconnected)))
            try:
                self.check_generate(node)
                self.check_transactions(node)
                self.check_invalidate_reconsider(node)
            finally:
                self.bpf.cleanup()

    @staticmethod
    def _copy(data, cls):
        event = cls()
        ctypes.memmove(ctypes.addressof(event), data, ctypes.sizeof(cls))
        return event

    def poll(self, predicate, what):
        deadline = time.time() + 30
        while not predicate():
            if time.time() > deadline:
                raise AssertionError(f"tracepoint events never arrived: {what}")
            self.bpf.perf_buffer_poll(timeout=100)

    def timed(self, call, *args):
        start = time.monotonic_ns()
        result = call(*args)
        return result, time.monotonic_ns() - start

    def expect_connected(self, node, hashes, wall_ns):
        """Checks the block_connected events (in order) against getblock for hashes."""
        self.poll(lambda: len(self.connected) >= len(hashes), f"{len(hashes)} block_connected")
        events, self.connected = self.connected[:len(hashes)], self.connected[len(hashes):]
        for event, block_hash in zip(events, hashes):
            block = node.getblock(block_hash, 2)
            what = f"block_connected of {block['height']}"
            assert_equal(display_hash(event.hash), block_hash, f"{what}: hash")
            assert_equal(event.height, block["height"], f"{what}: height")
            assert_equal(event.txs, len(block["tx"]), f"{what}: transactions")
            assert_equal(event.inputs, sum(len(tx["vin"]) for tx in block["tx"]), f"{what}: inputs")
            assert_equal(event.sigops, self.expected_sigops.get(block_hash, 0), f"{what}: sigops")
            assert_true(0 < event.ns < wall_ns, f"{what}: duration {event.ns} ns within the RPC's {wall_ns} ns")
        self.log.info(f"block_connected checked for {len(hashes)} blocks, last at height {events[-1].height}")

    def check_generate(self, node):
        self.expected_sigops = {}
        self.log.info("generatetoaddress: block_connected for each block")
        hashes, wall = self.timed(self.generate, node, 3)
        self.expect_connected(node, hashes, wall)

    def check_transactions(self, node):
        self.log.info("generateblock with transactions: inputs and sigops")
        # A plain self transfer, and one whose outputs carry sigops: P2PKH
        # (1 legacy sigop = 4 cost units) and a bare 1-of-1 multisig (counted
        # as 20 legacy sigops without the accurate count = 80 units).
        p2pkh = pubkey_to_p2pkh_script(PUBKEY_G)
        multisig = b"\x51\x21" + PUBKEY_G + b"\x51\xae"
        tx1 = self.acs.create_self_transfer()
        tx2 = self.acs.create_self_transfer_multi(num_outputs=2, extra_outputs=[TxOut(10_000, p2pkh), TxOut(20_000, multisig)])
        # tx3 spends tx1's output in the same block.
        tx3 = self.acs.create_self_transfer(utxo=tx1["new_utxo"])
        coinbase_to = pubkey_to_p2pkh_address(PUBKEY_G)  # 4 sigop cost units in the coinbase, not counted
        result, wall = self.timed(node.generateblock, coinbase_to, [tx1["hex"], tx2["hex"], tx3["hex"]])
        block_hash = result["hash"]
        self.expected_sigops[block_hash] = 4 + 80
        self.expect_connected(node, [block_hash], wall)
        block = node.getblock(block_hash)
        assert_equal(block["tx"][1:], [tx1["txid"], tx2["txid"], tx3["txid"]], "transactions in the block")
        self.acs.rescan()

        # Another block with two inputs in one transaction.
        utxos = [self.acs.get_utxo(), self.acs.get_utxo()]
        tx4 = self.acs.create_self_transfer_multi(utxos=utxos, num_outputs=3)
        block_hash, wall = self.timed(self.acs.mine, [tx4["hex"]])
        self.expect_connected(node, [block_hash], wall)

    def check_invalidate_reconsider(self, node):
        self.log.info("invalidateblock: block_disconnected for each block, tip first")
        tip_height = node.getblockcount()
        hashes = [node.getblockhash(tip_height - 1), node.getblockhash(tip_height)]
        blocks = [node.getblock(h) for h in hashes]
        _, wall = self.timed(node.invalidateblock, hashes[0])
        assert_equal(node.getblockcount(), tip_height - 2, "height after invalidateblock")
        self.poll(lambda: len(self.disconnected) >= 2, "2 block_disconnected")
        assert_equal(len(self.disconnected), 2, "block_disconnected events")
        for event, block in zip(self.disconnected, reversed(blocks)):
            what = f"block_disconnected of {block['height']}"
            assert_equal(display_hash(event.hash), block["hash"], f"{what}: hash")
            assert_equal(event.height, block["height"], f"{what}: height")
            assert_equal(event.txs, len(block["tx"]), f"{what}: transactions")
            assert_true(0 < event.ns < wall, f"{what}: duration {event.ns} ns within the RPC's {wall} ns")
        assert_equal(self.connected, [], "no block_connected while invalidating")
        self.log.info("block_disconnected checked for both blocks")

        self.log.info("reconsiderblock: block_connected again, in order")
        _, wall = self.timed(node.reconsiderblock, hashes[0])
        assert_equal(node.getbestblockhash(), hashes[1], "tip after reconsiderblock")
        self.expect_connected(node, hashes, wall)
        for _ in range(3):
            self.bpf.perf_buffer_poll(timeout=100)
        assert_equal(len(self.connected), 0, "no extra block_connected")
        assert_equal(len(self.disconnected), 2, "no extra block_disconnected")


if __name__ == "__main__":
    ValidationTracepointTest().main()
