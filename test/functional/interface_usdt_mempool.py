#!/usr/bin/python3
"""Attaches BCC to a running bitcoind (by pid) and checks every argument of
the mempool tracepoints against RPC data:

- mempool:added: txid, vsize and fee equal getmempoolentry's.
- mempool:removed with reason `expiry`: a transaction older than
  -mempoolexpiry (setmocktime) leaves when the next one is accepted; txid,
  vsize, fee and entry time as getmempoolentry said.
- mempool:replaced: all eight arguments for a higher-fee replacement (full
  RBF): the replaced side's txid, vsize, fee and entry time, the
  replacement's txid, vsize and fee, and `true` (argument 5 is a txid).
  The replaced transaction also leaves with mempool:removed reason `replaced`.
- mempool:rejected: a zero-fee transaction sent over P2P (msg_tx) by a
  test peer, reason `min relay fee not met`; the same reason when
  sendrawtransaction submits another zero-fee transaction; and for each
  member of a package (submitpackage) that went in and was trimmed away at
  once as `mempool full` (-maxmempool=5, nearly full), after its
  mempool:added and with its mempool:removed reason `sizelimit`.
"""
import ctypes
import os
import sys
import time
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.messages import TxOut, msg_tx  # noqa: E402
from test_framework.p2p import P2PInterface  # noqa: E402
from test_framework.tracing import tracer_lock  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import assert_equal, assert_raises_rpc_error, to_satoshis  # noqa: E402

MEMPOOL_EXPIRY_SECONDS = 336 * 60 * 60

PROGRAM = r"""
#include <uapi/linux/ptrace.h>
struct added_t { u8 txid[32]; s32 vsize; s64 fee; };
struct removed_t { u8 txid[32]; char reason[10]; s32 vsize; s64 fee; u64 entry_time; };
struct replaced_t { u8 replaced_txid[32]; s32 replaced_vsize; s64 replaced_fee; u64 replaced_entry_time;
                    u8 replacement_txid[32]; s32 replacement_vsize; s64 replacement_fee; bool is_txid; };
struct rejected_t { u8 txid[32]; char reason[119]; };
BPF_PERF_OUTPUT(added_events);
BPF_PERF_OUTPUT(removed_events);
BPF_PERF_OUTPUT(replaced_events);
BPF_PERF_OUTPUT(rejected_events);

int trace_added(struct pt_regs *ctx) {
    struct added_t e = {};
    u64 p = 0;
    bpf_usdt_readarg(1, ctx, &p);
    bpf_probe_read_user(&e.txid, sizeof(e.txid), (void *)p);
    bpf_usdt_readarg(2, ctx, &e.vsize);
    bpf_usdt_readarg(3, ctx, &e.fee);
    added_events.perf_submit(ctx, &e, sizeof(e));
    return 0;
}
int trace_removed(struct pt_regs *ctx) {
    struct removed_t e = {};
    u64 p = 0;
    bpf_usdt_readarg(1, ctx, &p);
    bpf_probe_read_user(&e.txid, sizeof(e.txid), (void *)p);
    bpf_usdt_readarg(2, ctx, &p);
    bpf_probe_read_user_str(&e.reason, sizeof(e.reason), (void *)p);
    bpf_usdt_readarg(3, ctx, &e.vsize);
    bpf_usdt_readarg(4, ctx, &e.fee);
    bpf_usdt_readarg(5, ctx, &e.entry_time);
    removed_events.perf_submit(ctx, &e, sizeof(e));
    return 0;
}
int trace_replaced(struct pt_regs *ctx) {
    struct replaced_t e = {};
    u64 p = 0;
    bpf_usdt_readarg(1, ctx, &p);
    bpf_probe_read_user(&e.replaced_txid, sizeof(e.replaced_txid), (void *)p);
    bpf_usdt_readarg(2, ctx, &e.replaced_vsize);
    bpf_usdt_readarg(3, ctx, &e.replaced_fee);
    bpf_usdt_readarg(4, ctx, &e.replaced_entry_time);
    bpf_usdt_readarg(5, ctx, &p);
    bpf_probe_read_user(&e.replacement_txid, sizeof(e.replacement_txid), (void *)p);
    bpf_usdt_readarg(6, ctx, &e.replacement_vsize);
    bpf_usdt_readarg(7, ctx, &e.replacement_fee);
    bpf_usdt_readarg(8, ctx, &e.is_txid);
    replaced_events.perf_submit(ctx, &e, sizeof(e));
    return 0;
}
int trace_rejected(struct pt_regs *ctx) {
    struct rejected_t e = {};
    u64 p = 0;
    bpf_usdt_readarg(1, ctx, &p);
    bpf_probe_read_user(&e.txid, sizeof(e.txid), (void *)p);
    bpf_usdt_readarg(2, ctx, &p);
    bpf_probe_read_user_str(&e.reason, sizeof(e.reason), (void *)p);
    rejected_events.perf_submit(ctx, &e, sizeof(e));
    return 0;
}
"""


class Added(ctypes.Structure):
    _fields_ = [("txid", ctypes.c_ubyte * 32), ("vsize", ctypes.c_int32), ("fee", ctypes.c_int64)]


class Removed(ctypes.Structure):
    _fields_ = [("txid", ctypes.c_ubyte * 32), ("reason", ctypes.c_char * 10), ("vsize", ctypes.c_int32),
                ("fee", ctypes.c_int64), ("entry_time", ctypes.c_uint64)]


class Replaced(ctypes.Structure):
    _fields_ = [("replaced_txid", ctypes.c_ubyte * 32), ("replaced_vsize", ctypes.c_int32),
                ("replaced_fee", ctypes.c_int64), ("replaced_entry_time", ctypes.c_uint64),
                ("replacement_txid", ctypes.c_ubyte * 32), ("replacement_vsize", ctypes.c_int32),
                ("replacement_fee", ctypes.c_int64), ("is_txid", ctypes.c_bool)]


class Rejected(ctypes.Structure):
    _fields_ = [("txid", ctypes.c_ubyte * 32), ("reason", ctypes.c_char * 119)]


def txid_hex(raw):
    return bytes(raw)[::-1].hex()


class Tracer:
    KINDS = {"added": Added, "removed": Removed, "replaced": Replaced, "rejected": Rejected}

    def __init__(self, pid):
        from bcc import BPF, USDT
        self.usdt = USDT(pid=pid)  # kept referenced: collecting it would silence the probes
        for kind in self.KINDS:
            self.usdt.enable_probe(probe=f"mempool:{kind}", fn_name=f"trace_{kind}")
        self.bpf = BPF(text=PROGRAM, usdt_contexts=[self.usdt])
        self.events = {kind: [] for kind in self.KINDS}
        for kind, cls in self.KINDS.items():
            self.bpf[f"{kind}_events"].open_perf_buffer(self._handler(kind, cls), page_cnt=64)

    def _handler(self, kind, cls):
        def handle(_cpu, data, _size):
            e = cls()
            ctypes.memmove(ctypes.addressof(e), data, ctypes.sizeof(cls))
            if kind == "added":
                out = {"txid": txid_hex(e.txid), "vsize": e.vsize, "fee": e.fee}
            elif kind == "removed":
                out = {"txid": txid_hex(e.txid), "reason": e.reason.decode(), "vsize": e.vsize, "fee": e.fee,
                       "entry_time": e.entry_time}
            elif kind == "replaced":
                out = {"replaced_txid": txid_hex(e.replaced_txid), "replaced_vsize": e.replaced_vsize,
                       "replaced_fee": e.replaced_fee, "replaced_entry_time": e.replaced_entry_time,
                       "replacement_txid": txid_hex(e.replacement_txid), "replacement_vsize": e.replacement_vsize,
                       "replacement_fee": e.replacement_fee, "is_txid": bool(e.is_txid)}
            else:
                out = {"txid": txid_hex(e.txid), "reason": e.reason.decode()}
            self.events[kind].append(out)
        return handle

    def wait(self, kind, count, timeout=30):
        deadline = time.time() + timeout
        while len(self.events[kind]) < count:
            if time.time() > deadline:
                raise AssertionError(f"expected {count} mempool:{kind} events, got {self.events[kind]}")
            self.bpf.perf_buffer_poll(timeout=100)

    def take(self):
        for _ in range(5):
            self.bpf.perf_buffer_poll(timeout=100)
        events = self.events
        self.events = {kind: [] for kind in self.KINDS}
        return events

    def close(self):
        self.bpf.cleanup()


class MempoolTracepointTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False
        self.extra_args = [["-listen=1", "-bind=127.0.0.1"]]  # inbound for the test peer

    def skip_test_if_missing_module(self):
        self.skip_if_no_tracing(("bcc",))

    def run_test(self):
        node = self.nodes[0]
        self.acs = AnyoneCanSpend(node)
        # The cached chain is old: the node is in initial block download and
        # ignores relayed transactions until a block at the real clock.
        self.generate(node, 1)
        self.acs.rescan()
        with tracer_lock("bcc"):
            self.tracer = Tracer(node.process.pid)
            try:
                self.test_added(node)
                self.test_removed_expiry(node)
                self.test_replaced(node)
                self.test_rejected(node)
            finally:
                self.tracer.close()
            self.test_rejected_package_mempool_full()

    def test_added(self, node):
        self.log.info("mempool:added: txid, vsize and fee as getmempoolentry")
        tx = self.acs.create_self_transfer(fee=Decimal("0.0002"))
        node.sendrawtransaction(tx["hex"])
        self.tracer.wait("added", 1)
        events = self.tracer.take()
        entry = node.getmempoolentry(tx["txid"])
        assert_equal(events["added"], [{"txid": tx["txid"], "vsize": entry["vsize"],
                                        "fee": to_satoshis(entry["fees"]["base"])}])
        assert_equal(events["added"][0]["fee"], 20000)
        self.acs.mine([tx])
        self.tracer.take()

    def test_removed_expiry(self, node):
        self.log.info("mempool:removed with reason expiry (setmocktime past -mempoolexpiry)")
        old = self.acs.create_self_transfer()
        node.sendrawtransaction(old["hex"])
        entry = node.getmempoolentry(old["txid"])
        node.setmocktime(entry["time"] + MEMPOOL_EXPIRY_SECONDS + 5)
        trigger = self.acs.create_self_transfer()
        node.sendrawtransaction(trigger["hex"])
        self.tracer.wait("removed", 1)
        events = self.tracer.take()
        assert_equal(events["removed"], [{"txid": old["txid"], "reason": "expiry", "vsize": entry["vsize"],
                                          "fee": to_satoshis(entry["fees"]["base"]), "entry_time": entry["time"]}])
        assert old["txid"] not in node.getrawmempool()
        node.setmocktime(0)
        self.acs.mine([trigger])
        self.tracer.take()

    def test_replaced(self, node):
        self.log.info("mempool:replaced: all eight arguments for a higher-fee replacement")
        utxo = self.acs.get_utxo()
        original = self.acs.create_self_transfer(utxo=utxo, fee=Decimal("0.0001"))
        node.sendrawtransaction(original["hex"])
        original_entry = node.getmempoolentry(original["txid"])
        replacement = self.acs.create_self_transfer(utxo=utxo, fee=Decimal("0.0005"))
        node.sendrawtransaction(replacement["hex"])
        replacement_entry = node.getmempoolentry(replacement["txid"])
        self.tracer.wait("replaced", 1)
        self.tracer.wait("removed", 1)
        events = self.tracer.take()
        assert_equal(events["replaced"], [{
            "replaced_txid": original["txid"],
            "replaced_vsize": original_entry["vsize"],
            "replaced_fee": to_satoshis(original_entry["fees"]["base"]),
            "replaced_entry_time": original_entry["time"],
            "replacement_txid": replacement["txid"],
            "replacement_vsize": replacement_entry["vsize"],
            "replacement_fee": to_satoshis(replacement_entry["fees"]["base"]),
            "is_txid": True,
        }])
        assert_equal(events["replaced"][0]["replacement_fee"], 50000)
        assert_equal([(e["txid"], e["reason"]) for e in events["removed"]], [(original["txid"], "replaced")])
        # Per-CPU perf buffers: events from different CPUs may come in any order.
        assert_equal(sorted(e["txid"] for e in events["added"]), sorted([original["txid"], replacement["txid"]]))
        self.acs.mine([replacement])
        self.tracer.take()

    def test_rejected(self, node):
        self.log.info("mempool:rejected: a zero-fee transaction from a P2P peer, reason 'min relay fee not met'")
        assert not node.getblockchaininfo()["initialblockdownload"]
        peer = node.add_p2p_connection(P2PInterface())
        tx = self.acs.create_self_transfer(fee=Decimal("0"))
        # The node's P2P layer logs the rejection with the peer's id.
        with node.assert_debug_log([f"{tx['txid']} (wtxid={tx['wtxid']}) from peer=",
                                    "was not accepted: min relay fee not met"]):
            peer.send_and_ping(msg_tx(tx["tx"]))
        self.tracer.wait("rejected", 1)
        events = self.tracer.take()
        assert_equal(events["rejected"], [{"txid": tx["txid"], "reason": "min relay fee not met"}])
        assert_equal(events["added"], [])
        assert tx["txid"] not in node.getrawmempool()
        node.disconnect_p2ps()

        self.log.info("mempool:rejected: the same reason for sendrawtransaction")
        tx = self.acs.create_self_transfer(fee=Decimal("0"))
        assert_raises_rpc_error(-26, "min relay fee not met", node.sendrawtransaction, tx["hex"])
        self.tracer.wait("rejected", 1)
        events = self.tracer.take()
        assert_equal(events["rejected"], [{"txid": tx["txid"], "reason": "min relay fee not met"}])

    def test_rejected_package_mempool_full(self):
        self.log.info("mempool:rejected: package members trimmed away as 'mempool full' after the package went in")
        self.restart_node(0, extra_args=["-listen=1", "-bind=127.0.0.1", "-maxmempool=5"])
        node = self.nodes[0]
        acs = self.acs
        self.generate(node, 1)  # an empty mempool
        fan = acs.create_self_transfer_multi(num_outputs=60, fee=Decimal("0.001"))
        acs.mine([fan])
        data = b"\x6a\x4e" + (48000).to_bytes(4, "little") + b"\x00" * 48000  # OP_RETURN OP_PUSHDATA4

        def big_tx(fee):
            return acs.create_self_transfer_multi(extra_outputs=[TxOut(0, data), TxOut(0, data)], fee=fee)

        # Nearly full at ~0.21 sat/vB: less room left than one more such transaction.
        limit = node.getmempoolinfo()["maxmempool"]
        per_tx = 0
        while True:
            before = node.getmempoolinfo()["usage"]
            node.sendrawtransaction(big_tx(Decimal("0.00020000"))["hex"])
            info = node.getmempoolinfo()
            per_tx = max(per_tx, info["usage"] - before)
            if info["usage"] + per_tx > limit:
                break
        # Parent and child of ~49 kvB each (a package is at most 404,000
        # weight units; together more than the room left), ~0.10 and ~0.12 sat/vB:
        # both enter alone, then the trim at the end evicts them as the
        # cheapest package.
        pdata = b"\x6a\x4e" + (49000).to_bytes(4, "little") + b"\x00" * 49000
        parent = acs.create_self_transfer_multi(extra_outputs=[TxOut(0, pdata)], fee=Decimal("0.00005000"))
        # The child pays a little more: the parent's descendant score (the
        # package's feerate) is then the lowest, and the two go together.
        child = acs.create_self_transfer_multi(utxos=[parent["new_utxo"]], extra_outputs=[TxOut(0, pdata)],
                                               fee=Decimal("0.00006000"))
        with tracer_lock("bcc"):
            # A second tracer: the first stays referenced (collecting a closed
            # BPF object would close descriptor numbers reused since).
            self.package_tracer = tracer = Tracer(node.process.pid)
            try:
                res = node.submitpackage([parent["hex"], child["hex"]])
                assert_equal(res["package_msg"], "transaction failed")
                for t in (parent, child):
                    assert_equal(res["tx-results"][t["wtxid"]]["error"], "mempool full")
                tracer.wait("rejected", 2)
                events = tracer.take()
            finally:
                tracer.close()
        assert_equal(sorted((e["txid"], e["reason"]) for e in events["rejected"]),
                     sorted((t["txid"], "mempool full") for t in (parent, child)))
        # They did enter, and left with reason sizelimit.
        assert_equal(sorted(e["txid"] for e in events["added"]), sorted([parent["txid"], child["txid"]]))
        assert_equal(sorted((e["txid"], e["reason"]) for e in events["removed"]),
                     sorted((t["txid"], "sizelimit") for t in (parent, child)))


if __name__ == "__main__":
    MempoolTracepointTest().main()
