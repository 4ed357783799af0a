#!/usr/bin/python3
"""Attaches BCC to a running bitcoind and checks every argument of the two
address-manager tracepoints against getrawaddrman (the tables by bucket and
position):

- addrman:attempt_add for addpeeraddress (an address announcing itself: the
  source is the address): inserted, the new-table bucket and position where
  getrawaddrman shows the address, the address with port, its AS number (0
  without -asmap), the source address and its AS number. IPv4 and IPv6.
- addrman:attempt_add with inserted=false: addresses of one /16 announcing
  themselves all go to one new bucket; the first whose position is taken is
  not inserted (addpeeraddress says failed-adding-to-new) and the event
  names the taken bucket/position, whose occupant stays.
- no event for addresses refused before bucketing (unroutable, or known
  already with nothing new).
- addrman:move_to_good for addpeeraddress with tried=true: the tried-table
  bucket and position where getrawaddrman shows it, address, AS, source, AS.
- with -asmap (a small map file: every IPv4 address is AS 64512, the rest
  unmapped): the AS arguments of both tracepoints for IPv4 (64512) and IPv6
  (0) addresses and sources, as getrawaddrman's mapped_as shows them.
"""
import ctypes
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.tracing import tracer_lock  # noqa: E402
from test_framework.util import assert_equal, assert_true  # noqa: E402

MAX_ADDR = 68
PROGRAM = r"""
#include <uapi/linux/ptrace.h>
#define MAX_ADDR 68
struct add_t {
    u8 inserted;
    s32 bucket;
    s32 position;
    char addr[MAX_ADDR];
    u32 as;
    char source[MAX_ADDR];
    u32 source_as;
};
struct good_t {
    s32 bucket;
    s32 position;
    char addr[MAX_ADDR];
    u32 as;
    char source[MAX_ADDR];
    u32 source_as;
};
BPF_PERF_OUTPUT(add_events);
BPF_PERF_OUTPUT(good_events);
int trace_attempt_add(struct pt_regs *ctx) {
    struct add_t e = {};
    u64 p = 0;
    bpf_usdt_readarg(1, ctx, &e.inserted);
    bpf_usdt_readarg(2, ctx, &e.bucket);
    bpf_usdt_readarg(3, ctx, &e.position);
    bpf_usdt_readarg(4, ctx, &p);
    bpf_probe_read_user_str(&e.addr, sizeof(e.addr), (void *)p);
    bpf_usdt_readarg(5, ctx, &e.as);
    bpf_usdt_readarg(6, ctx, &p);
    bpf_probe_read_user_str(&e.source, sizeof(e.source), (void *)p);
    bpf_usdt_readarg(7, ctx, &e.source_as);
    add_events.perf_submit(ctx, &e, sizeof(e));
    return 0;
}
int trace_move_to_good(struct pt_regs *ctx) {
    struct good_t e = {};
    u64 p = 0;
    bpf_usdt_readarg(1, ctx, &e.bucket);
    bpf_usdt_readarg(2, ctx, &e.position);
    bpf_usdt_readarg(3, ctx, &p);
    bpf_probe_read_user_str(&e.addr, sizeof(e.addr), (void *)p);
    bpf_usdt_readarg(4, ctx, &e.as);
    bpf_usdt_readarg(5, ctx, &p);
    bpf_probe_read_user_str(&e.source, sizeof(e.source), (void *)p);
    bpf_usdt_readarg(6, ctx, &e.source_as);
    good_events.perf_submit(ctx, &e, sizeof(e));
    return 0;
}
"""


class AddEvent(ctypes.Structure):
    _fields_ = [("inserted", ctypes.c_bool), ("bucket", ctypes.c_int32), ("position", ctypes.c_int32),
                ("addr", ctypes.c_char * MAX_ADDR), ("as_", ctypes.c_uint32),
                ("source", ctypes.c_char * MAX_ADDR), ("source_as", ctypes.c_uint32)]


class GoodEvent(ctypes.Structure):
    _fields_ = [("bucket", ctypes.c_int32), ("position", ctypes.c_int32),
                ("addr", ctypes.c_char * MAX_ADDR), ("as_", ctypes.c_uint32),
                ("source", ctypes.c_char * MAX_ADDR), ("source_as", ctypes.c_uint32)]


def as_dict(ev):
    d = {}
    for name, _ in ev._fields_:
        v = getattr(ev, name)
        d[name.rstrip("_")] = v.decode() if isinstance(v, bytes) else v
    return d


class Tracer:
    def __init__(self, pid):
        from bcc import BPF, USDT
        # Keep the USDT object referenced: when collected, BCC lowers the
        # semaphores and the probes go silent.
        self.usdt = USDT(pid=pid)
        self.usdt.enable_probe(probe="addrman:attempt_add", fn_name="trace_attempt_add")
        self.usdt.enable_probe(probe="addrman:move_to_good", fn_name="trace_move_to_good")
        self.bpf = BPF(text=PROGRAM, usdt_contexts=[self.usdt])
        self.events = {"add": [], "good": []}
        self.bpf["add_events"].open_perf_buffer(self._handler("add", AddEvent), page_cnt=64)
        self.bpf["good_events"].open_perf_buffer(self._handler("good", GoodEvent), page_cnt=64)

    def _handler(self, kind, cls):
        def handle(_cpu, data, _size):
            self.events[kind].append(as_dict(ctypes.cast(data, ctypes.POINTER(cls)).contents))
        return handle

    def wait(self, kind, count, timeout=30):
        deadline = time.time() + timeout
        while len(self.events[kind]) < count and time.time() < deadline:
            self.bpf.perf_buffer_poll(timeout=100)
        assert_true(len(self.events[kind]) >= count,
                    f"{count} {kind} events expected, got {len(self.events[kind])}: {self.events[kind]}")

    def drain(self, rounds=5):
        for _ in range(rounds):
            self.bpf.perf_buffer_poll(timeout=100)

    def take(self):
        out = self.events
        self.events = {"add": [], "good": []}
        return out

    def close(self):
        self.bpf.cleanup()


def put_var(bits, value, minval, sizes):
    """Appends value in the asmap variable-length code."""
    value -= minval
    for i, size in enumerate(sizes):
        last = i + 1 == len(sizes)
        if not last and value >= (1 << size):
            bits.append(1)
            value -= 1 << size
            continue
        if not last:
            bits.append(0)
        bits.extend((value >> b) & 1 for b in range(size - 1, -1, -1))
        return


def ipv4_asmap(asn):
    """An asmap program: MATCH the first 8 bits of the 128-bit form being 0
    (every IPv4 address, ::ffff:a.b.c.d), RETURN asn; anything else gets the
    default, 0. Bits are stored least significant first in each byte."""
    type_sizes, asn_sizes, match_sizes = [0, 0, 1], list(range(15, 25)), list(range(1, 9))
    bits = []
    put_var(bits, 2, 0, type_sizes)        # MATCH
    put_var(bits, 0x100, 2, match_sizes)   # 8 bits, all zero
    put_var(bits, 0, 0, type_sizes)        # RETURN
    put_var(bits, asn, 1, asn_sizes)
    data = bytearray((len(bits) + 7) // 8)
    for i, bit in enumerate(bits):
        data[i // 8] |= bit << (i % 8)
    return bytes(data)


def table_key(raw, table, addr, port):
    """bucket, position of addr:port in getrawaddrman's table, or None."""
    for key, e in raw[table].items():
        if e["address"] == addr and e["port"] == port:
            b, p = key.split("/")
            return int(b), int(p)
    return None


class AddrmanTracepointTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def skip_test_if_missing_module(self):
        self.skip_if_no_tracing(("bcc",))

    def run_test(self):
        node = self.nodes[0]
        with tracer_lock("bcc"):
            tracer = Tracer(node.process.pid)
            try:
                self.test_attempt_add(node, tracer)
                self.test_not_inserted(node, tracer)
                self.test_no_event(node, tracer)
                self.test_move_to_good(node, tracer)
            finally:
                tracer.close()

        self.log.info("restart with -asmap")
        asmap = os.path.join(self.options.tmpdir, "asmap.raw")
        with open(asmap, "wb") as f:
            f.write(ipv4_asmap(64512))
        # Start from an empty address manager: with the map every IPv4
        # address is in one group, so they would compete for one bucket.
        self.stop_node(0)
        os.remove(os.path.join(node.chain_path, "peers.dat"))
        self.start_node(0, [f"-asmap={asmap}"])
        with tracer_lock("bcc"):
            tracer = Tracer(node.process.pid)
            try:
                self.test_asmap(node, tracer)
            finally:
                tracer.close()

    def test_asmap(self, node, tracer):
        self.log.info("AS numbers with -asmap: IPv4 maps to 64512, IPv6 to 0")
        # First to tried (its new slot is freed again), then two into new.
        assert_equal(node.addpeeraddress("6.6.6.6", 8333, True), {"success": True})
        tracer.wait("good", 1)
        tracer.drain(2)
        ev = tracer.take()
        assert_equal([e["addr"] for e in ev["add"]], ["6.6.6.6:8333"])
        assert_equal((ev["add"][0]["as"], ev["add"][0]["source_as"]), (64512, 64512))
        good = ev["good"][0]
        raw = node.getrawaddrman()
        where = table_key(raw, "tried", "6.6.6.6", 8333)
        assert_equal((good["bucket"], good["position"]), where)
        assert_equal((good["addr"], good["as"], good["source"], good["source_as"]),
                     ("6.6.6.6:8333", 64512, "6.6.6.6", 64512))
        entry = raw["tried"][f"{where[0]}/{where[1]}"]
        assert_equal((entry["mapped_as"], entry["source_mapped_as"]), (64512, 64512))

        assert_equal(node.addpeeraddress("7.7.7.7", 8333), {"success": True})
        assert_equal(node.addpeeraddress("2a02:6b8::7", 8333), {"success": True})
        tracer.wait("add", 2)
        adds = {e["addr"]: e for e in tracer.take()["add"]}
        raw = node.getrawaddrman()
        for addr, port, shown, asn in (("7.7.7.7", 8333, "7.7.7.7:8333", 64512),
                                       ("2a02:6b8::7", 8333, "[2a02:6b8::7]:8333", 0)):
            ev = adds[shown]
            assert_equal(ev["inserted"], True)
            assert_equal((ev["as"], ev["source_as"]), (asn, asn))
            assert_equal(ev["source"], addr)
            where = table_key(raw, "new", addr, port)
            assert_equal((ev["bucket"], ev["position"]), where)
            entry = raw["new"][f"{where[0]}/{where[1]}"]
            assert_equal((entry["mapped_as"], entry["source_mapped_as"]), (asn, asn))

    def check_add(self, node, ev, addr, port, addr_port):
        raw = node.getrawaddrman()
        where = table_key(raw, "new", addr, port)
        assert_true(where is not None, f"{addr} in the new table")
        assert_equal(ev["inserted"], True)
        assert_equal((ev["bucket"], ev["position"]), where)
        assert_equal(ev["addr"], addr_port)
        assert_equal(ev["as"], 0)
        assert_equal(ev["source"], addr)  # self-announcement: the source is the address
        assert_equal(ev["source_as"], 0)

    def test_attempt_add(self, node, tracer):
        self.log.info("attempt_add: an IPv4 address inserted into the new table")
        assert_equal(node.addpeeraddress("1.2.3.4", 8333), {"success": True})
        tracer.wait("add", 1)
        tracer.drain(2)
        ev = tracer.take()
        assert_equal(len(ev["add"]), 1)
        assert_equal(ev["good"], [])
        self.check_add(node, ev["add"][0], "1.2.3.4", 8333, "1.2.3.4:8333")

        self.log.info("attempt_add: an IPv6 address, printed in brackets with its port")
        assert_equal(node.addpeeraddress("2a00:1450:4001::5", 18444), {"success": True})
        tracer.wait("add", 1)
        ev = tracer.take()
        self.check_add(node, ev["add"][0], "2a00:1450:4001::5", 18444, "[2a00:1450:4001::5]:18444")

    def test_not_inserted(self, node, tracer):
        self.log.info("attempt_add with inserted=false: one /16 shares a bucket until a position is taken")
        raw_before = node.getrawaddrman()
        home = table_key(raw_before, "new", "1.2.3.4", 8333)
        for i in range(1, 200):
            ip = f"1.2.{i // 250}.{i % 250 + 1}"
            res = node.addpeeraddress(ip, 8333)
            tracer.wait("add", 1)
            ev = tracer.take()["add"]
            assert_equal(len(ev), 1)
            ev = ev[0]
            assert_equal(ev["bucket"], home[0])  # same group, same source group: same bucket
            assert_equal(ev["addr"], f"{ip}:8333")
            assert_equal(ev["source"], ip)
            assert_equal((ev["as"], ev["source_as"]), (0, 0))
            if res["success"]:
                self.check_add(node, ev, ip, 8333, f"{ip}:8333")
                continue
            assert_equal(res, {"success": False, "error": "failed-adding-to-new"})
            assert_equal(ev["inserted"], False)
            raw = node.getrawaddrman()
            occupant = raw["new"].get(f"{ev['bucket']}/{ev['position']}")
            assert_true(occupant is not None, "the position is taken")
            assert_true(occupant["address"] != ip, "by another address")
            assert_equal(table_key(raw, "new", ip, 8333), None)
            self.log.info(f"  {ip} collided with {occupant['address']} at {ev['bucket']}/{ev['position']}")
            return
        raise AssertionError("no collision within one bucket of 64 positions")

    def test_no_event(self, node, tracer):
        self.log.info("no attempt_add for an unroutable address or a known one with nothing new")
        assert_equal(node.addpeeraddress("10.0.0.1", 8333), {"success": False, "error": "failed-adding-to-new"})
        assert_equal(node.addpeeraddress("127.0.0.1", 8333), {"success": False, "error": "failed-adding-to-new"})
        node.setmocktime(int(time.time()) + 100)
        assert_equal(node.addpeeraddress("8.8.4.4", 8333), {"success": True})
        tracer.wait("add", 1)
        tracer.take()
        # The same address in the same second: nothing new.
        assert_equal(node.addpeeraddress("8.8.4.4", 8333), {"success": False, "error": "failed-adding-to-new"})
        node.setmocktime(0)
        tracer.drain()
        assert_equal(tracer.take(), {"add": [], "good": []})

    def test_move_to_good(self, node, tracer):
        self.log.info("move_to_good: addpeeraddress with tried=true")
        assert_equal(node.addpeeraddress("5.6.7.8", 8333, True), {"success": True})
        tracer.wait("add", 1)
        tracer.wait("good", 1)
        tracer.drain(2)
        ev = tracer.take()
        assert_equal(len(ev["add"]), 1)
        assert_equal(len(ev["good"]), 1)
        add = ev["add"][0]
        assert_equal(add["inserted"], True)
        assert_true(0 <= add["bucket"] < 1024 and 0 <= add["position"] < 64, "a new-table slot")
        assert_equal(add["addr"], "5.6.7.8:8333")
        good = ev["good"][0]
        raw = node.getrawaddrman()
        assert_equal(table_key(raw, "new", "5.6.7.8", 8333), None)
        where = table_key(raw, "tried", "5.6.7.8", 8333)
        assert_true(where is not None, "5.6.7.8 in the tried table")
        assert_equal((good["bucket"], good["position"]), where)
        assert_true(0 <= good["bucket"] < 256, "a tried bucket")
        assert_equal(good["addr"], "5.6.7.8:8333")
        assert_equal(good["as"], 0)
        assert_equal(good["source"], "5.6.7.8")
        assert_equal(good["source_as"], 0)
        assert_equal(raw["tried"][f"{where[0]}/{where[1]}"]["source"], "5.6.7.8")

        self.log.info("an IPv6 address moved to tried")
        assert_equal(node.addpeeraddress("2a01:4f8::1", 8333, True), {"success": True})
        tracer.wait("good", 1)
        good = tracer.take()["good"][0]
        where = table_key(node.getrawaddrman(), "tried", "2a01:4f8::1", 8333)
        assert_equal((good["bucket"], good["position"]), where)
        assert_equal(good["addr"], "[2a01:4f8::1]:8333")
        assert_equal(good["source"], "2a01:4f8::1")
        assert_equal((good["as"], good["source_as"]), (0, 0))


if __name__ == "__main__":
    AddrmanTracepointTest().main()
