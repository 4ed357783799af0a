#!/usr/bin/python3
"""Attaches BCC to a running bitcoind (by pid) and checks every argument of
the utxocache tracepoints against RPC data (gettxout, getblock).

- utxocache:uncache: `testmempoolaccept` of a transaction spending a real
  coin (P2WSH of <pubkey> OP_CHECKSIG) with a bad signature. The mempool
  check loads the coin from disk into the coins cache (the node was
  restarted, so it was not cached), the script check fails, and the node
  drops the coin again: uncache with its txid, index, height, value and
  coinbase flag.
- utxocache:add and utxocache:spent via invalidateblock (the block's
  outputs are spent, its inputs' coins added back from the undo data) and
  reconsiderblock (the reverse): every (txid, index, height, value,
  coinbase) the block's getblock (verbosity 3, with prevouts) implies, and
  nothing else.
- utxocache:flush at shutdown: FORCE_FLUSH (3), the coins in the cache
  before the flush (the coinbase coins of the blocks mined since the
  restart), memory, not for pruning, 0 <= duration < the stop call.
- utxocache:flush on a pruned node (-prune=1) for `pruneblockchain`: the
  prune flag true, mode and coins as above.
"""
import ctypes
import os
import sys
import time
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.address import witness_script_to_p2wsh_script  # noqa: E402
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.messages import OutPoint, Transaction, TxIn, TxInWitness, TxOut  # noqa: E402
from test_framework.tracing import tracer_lock  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import assert_equal, assert_raises_rpc_error, assert_true, to_satoshis  # noqa: E402

PUBKEY_G = bytes.fromhex("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
CHECKSIG_SCRIPT = b"\x21" + PUBKEY_G + b"\xac"  # <G> OP_CHECKSIG
# A strict-DER, low-S signature (r = s = 1) with SIGHASH_ALL: well formed, wrong.
BAD_SIGNATURE = bytes.fromhex("300602010102010101")
FORCE_FLUSH = 3
PRUNE_AFTER_HEIGHT = 1000  # regtest: pruneblockchain refuses shorter chains
MIN_BLOCKS_TO_KEEP = 288

COIN_FUNCTION = """
int trace_NAME(struct pt_regs *ctx) {
    struct coin_t e = {};
    u64 ptr = 0;
    bpf_usdt_readarg(1, ctx, &ptr);
    bpf_probe_read_user(&e.txid, sizeof(e.txid), (void *)ptr);
    bpf_usdt_readarg(2, ctx, &e.index);
    bpf_usdt_readarg(3, ctx, &e.height);
    bpf_usdt_readarg(4, ctx, &e.value);
    bpf_usdt_readarg(5, ctx, &e.coinbase);
    NAME_events.perf_submit(ctx, &e, sizeof(e));
    return 0;
}
"""
PROGRAM = r"""
#include <uapi/linux/ptrace.h>
struct coin_t { u8 txid[32]; u32 index; u32 height; s64 value; bool coinbase; };
struct flush_t { s64 duration; u32 mode; u64 coins; u64 memory; bool prune; };
BPF_PERF_OUTPUT(add_events);
BPF_PERF_OUTPUT(spent_events);
BPF_PERF_OUTPUT(uncache_events);
BPF_PERF_OUTPUT(flush_events);
int trace_flush(struct pt_regs *ctx) {
    struct flush_t e = {};
    bpf_usdt_readarg(1, ctx, &e.duration);
    bpf_usdt_readarg(2, ctx, &e.mode);
    bpf_usdt_readarg(3, ctx, &e.coins);
    bpf_usdt_readarg(4, ctx, &e.memory);
    bpf_usdt_readarg(5, ctx, &e.prune);
    flush_events.perf_submit(ctx, &e, sizeof(e));
    return 0;
}
""" + "".join(COIN_FUNCTION.replace("NAME", name) for name in ("add", "spent", "uncache"))


class CoinEvent(ctypes.Structure):
    _fields_ = [("txid", ctypes.c_ubyte * 32), ("index", ctypes.c_uint32), ("height", ctypes.c_uint32),
                ("value", ctypes.c_int64), ("coinbase", ctypes.c_bool)]


class FlushEvent(ctypes.Structure):
    _fields_ = [("duration", ctypes.c_int64), ("mode", ctypes.c_uint32), ("coins", ctypes.c_uint64),
                ("memory", ctypes.c_uint64), ("prune", ctypes.c_bool)]


class Tracer:
    """BCC attached to one bitcoind process; events collected per kind."""

    def __init__(self, pid, kinds):
        from bcc import BPF, USDT
        # Keep the USDT object: when it is collected, BCC lowers the
        # semaphores again and the probes stay attached but silent.
        self.usdt = USDT(pid=pid)
        for kind in kinds:
            self.usdt.enable_probe(probe=f"utxocache:{kind}", fn_name=f"trace_{kind}")
        self.bpf = BPF(text=PROGRAM, usdt_contexts=[self.usdt])
        self.events = {kind: [] for kind in kinds}
        for kind in kinds:
            cls = FlushEvent if kind == "flush" else CoinEvent
            self.bpf[f"{kind}_events"].open_perf_buffer(self._handler(kind, cls), page_cnt=256)

    def _handler(self, kind, cls):
        def handle(_cpu, data, _size):
            event = cls()
            ctypes.memmove(ctypes.addressof(event), data, ctypes.sizeof(cls))
            if cls is CoinEvent:
                event = (bytes(event.txid)[::-1].hex(), event.index, event.height, event.value, bool(event.coinbase))
            else:
                event = {"duration": event.duration, "mode": event.mode, "coins": event.coins,
                         "memory": event.memory, "prune": bool(event.prune)}
            self.events[kind].append(event)
        return handle

    def drain(self, rounds=5):
        for _ in range(rounds):
            self.bpf.perf_buffer_poll(timeout=100)

    def wait(self, kind, count, timeout=30):
        deadline = time.time() + timeout
        while len(self.events[kind]) < count:
            if time.time() > deadline:
                raise AssertionError(f"expected {count} utxocache:{kind} events, got {self.events[kind]}")
            self.bpf.perf_buffer_poll(timeout=100)

    def take(self):
        self.drain()
        events = self.events
        self.events = {kind: [] for kind in events}
        return events

    def close(self):
        self.bpf.cleanup()


class UtxocacheTracepointTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False

    def skip_test_if_missing_module(self):
        self.skip_if_no_tracing(("bcc",))

    def run_test(self):
        node = self.nodes[0]
        self.acs = AnyoneCanSpend(node)
        with tracer_lock("bcc"):
            self.test_uncache_add_spent(node)
            self.test_flush_at_shutdown(node)
            self.test_flush_for_prune(node)

    # --- uncache, add, spent ---------------------------------------------------------
    def test_uncache_add_spent(self, node):
        self.log.info("mine a coin locked to <pubkey> OP_CHECKSIG (P2WSH)")
        lock_script = witness_script_to_p2wsh_script(CHECKSIG_SCRIPT)
        funding = self.acs.send_to(lock_script, Decimal("1.5"))
        block_hash = self.acs.mine([funding])
        vout = next(i for i, out in enumerate(funding["tx"].vout) if out.script_pubkey == lock_script)
        coin = node.gettxout(funding["txid"], vout)
        coin_height = node.getblockcount() - coin["confirmations"] + 1
        expected_coin = (funding["txid"], vout, coin_height, to_satoshis(coin["value"]), coin["coinbase"])
        assert_equal(expected_coin[2:], (node.getblock(block_hash)["height"], 150_000_000, False), "the coin per gettxout")

        self.log.info("restart, so the coin lives only on disk, and attach BCC")
        self.restart_node(0)
        tracer = Tracer(node.process.pid, ("add", "spent", "uncache"))
        try:
            self.log.info("uncache: testmempoolaccept of a transaction spending the coin with a bad signature")
            tx = Transaction(vin=[TxIn(OutPoint(funding["txid"], vout))],
                             vout=[TxOut(149_990_000, self.acs.script_pubkey)],
                             witnesses=[TxInWitness([BAD_SIGNATURE, CHECKSIG_SCRIPT])])
            height = node.getblockcount()
            [result] = node.testmempoolaccept([tx.serialize().hex()])
            assert_equal(result["allowed"], False, "testmempoolaccept of a bad signature")
            assert "script-verify-flag" in result["reject-reason"], result
            self.log.info(f"testmempoolaccept rejected it as expected: {result['reject-reason']}")
            assert_equal(node.getblockcount(), height, "no block connected")
            assert_equal(node.getrawmempool(), [], "nothing entered the mempool")
            tracer.wait("uncache", 1)
            events = tracer.take()
            assert_equal(events["uncache"], [expected_coin], "utxocache:uncache events")
            self.log.info(f"uncache: {expected_coin}")

            self.log.info("invalidateblock of the coin's block: its outputs spent, its inputs added back")
            block = node.getblock(block_hash, 3)
            outputs, inputs = self.block_coins(block)
            node.invalidateblock(block_hash)
            tracer.wait("spent", len(outputs))
            tracer.wait("add", len(inputs))
            events = tracer.take()
            assert_equal(sorted(set(events["spent"])), sorted(outputs), "utxocache:spent when disconnecting")
            assert_equal(sorted(set(events["add"])), sorted(inputs), "utxocache:add when disconnecting")
            assert_equal(events["uncache"], [], "no uncache when disconnecting")
            assert_equal(node.gettxout(funding["txid"], vout), None, "coin gone after invalidateblock")

            self.log.info("reconsiderblock: its inputs spent, its outputs added")
            node.reconsiderblock(block_hash)
            assert_equal(node.getbestblockhash(), block_hash, "tip after reconsiderblock")
            tracer.wait("spent", len(inputs))
            tracer.wait("add", len(outputs))
            events = tracer.take()
            assert_equal(sorted(set(events["spent"])), sorted(inputs), "utxocache:spent when connecting")
            assert_equal(sorted(set(events["add"])), sorted(outputs), "utxocache:add when connecting")
            assert_equal(events["uncache"], [], "no uncache when connecting")
            self.log.info(f"add/spent: {len(outputs)} outputs and {len(inputs)} inputs checked both ways")
        finally:
            tracer.close()

    @staticmethod
    def block_coins(block):
        """(outputs, inputs) of a block as coin tuples (txid, n, height, sat, coinbase)."""
        outputs, inputs = [], []
        for index, tx in enumerate(block["tx"]):
            for vin in tx["vin"]:
                if "coinbase" in vin:
                    continue
                prevout = vin["prevout"]
                inputs.append((vin["txid"], vin["vout"], prevout["height"], to_satoshis(prevout["value"]),
                               prevout["generated"]))
            for vout in tx["vout"]:
                if vout["scriptPubKey"]["hex"].startswith("6a"):
                    continue  # OP_RETURN: never a coin
                outputs.append((tx["txid"], vout["n"], block["height"], to_satoshis(vout["value"]), index == 0))
        return outputs, inputs

    # --- flush -----------------------------------------------------------------
    def check_flush(self, event, what, coins, prune, wall_us):
        assert_equal(event["mode"], FORCE_FLUSH, f"{what}: mode")
        assert_equal(event["coins"], coins, f"{what}: coins in the cache before")
        assert_equal(event["prune"], prune, f"{what}: for pruning")
        assert_true(event["memory"] > 0, f"{what}: memory {event['memory']}")
        assert_true(0 <= event["duration"] < wall_us, f"{what}: duration {event['duration']} us within {wall_us} us")

    def test_flush_at_shutdown(self, node):
        self.log.info("flush at shutdown: restart with an empty cache, mine, stop")
        self.restart_node(0)
        tracer = Tracer(node.process.pid, ("flush",))
        try:
            mined = 5
            self.generate(node, mined)
            start = time.monotonic_ns()
            self.stop_node(0)
            wall_us = (time.monotonic_ns() - start) // 1000
            tracer.wait("flush", 1)
            flushes = tracer.take()["flush"]
        finally:
            tracer.close()
        self.log.info(f"flushes at shutdown: {flushes}")
        full = [f for f in flushes if f["coins"]]
        assert_equal(len(full), 1, "one flush that writes the coins")
        self.check_flush(full[0], "shutdown flush", mined, False, wall_us)
        for f in flushes:
            assert_equal((f["mode"], f["prune"]), (FORCE_FLUSH, False), "every shutdown flush: FORCE_FLUSH, not for pruning")
        self.start_node(0)

    def test_flush_for_prune(self, node):
        self.log.info("flush for pruning: -prune=1 (manual), pruneblockchain")
        self.restart_node(0, ["-prune=1"])
        tracer = Tracer(node.process.pid, ("flush",))
        try:
            mined = 0
            while node.getblockcount() < PRUNE_AFTER_HEIGHT + 10:
                mined += len(self.generate(node, min(200, PRUNE_AFTER_HEIGHT + 10 - node.getblockcount())))
            assert_equal(tracer.take()["flush"], [], "no flush while mining")
            height = node.getblockcount() - MIN_BLOCKS_TO_KEEP
            start = time.monotonic_ns()
            node.pruneblockchain(height)
            wall_us = (time.monotonic_ns() - start) // 1000
            tracer.wait("flush", 1)
            flushes = tracer.take()["flush"]
        finally:
            tracer.close()
        self.log.info(f"flushes for pruneblockchain: {flushes}")
        assert_equal(len(flushes), 1, "one flush for pruneblockchain")
        self.check_flush(flushes[0], "prune flush", mined, True, wall_us)
        assert_true(node.getblockchaininfo()["pruned"], "node is pruned")


if __name__ == "__main__":
    UtxocacheTracepointTest().main()
