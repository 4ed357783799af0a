#!/usr/bin/python3
"""Logs every P2P message of a running bitcoind with its raw bytes (BCC).

USAGE (as root; /usr/bin/python3 has Debian's python3-bpfcc):

    /usr/bin/python3 contrib/tracing/log_raw_p2p_msgs.py [--pages N] PID

PID is the bitcoind process id (pidof bitcoind). One line per message
(net:inbound_message, net:outbound_message):

    in  ping         peer 3     outbound-full-relay  127.0.0.1:18444 8 bytes: 4c3b0d05a2b1c9e7
    out block        peer 3     outbound-full-relay  127.0.0.1:18444 285034 bytes, first 32000 shown (cut off): 0000...

The eBPF program copies at most MAX_MSG_DATA_LENGTH (32000) bytes of each
message: a per-CPU map value must stay within 32 KiB (the BPF stack is only
512 bytes, so the copy goes through a per-CPU array map). Larger messages
(blocks, headers, big transactions) are shown cut off, marked as such.
Samples the kernel could not put in the perf buffer (the script fell
behind; the buffer has N pages of 4 KiB per CPU, 64 by default, --pages
sets it, a power of two of at least 16) are counted and reported:

    LOST 12 samples (total lost 12)

Ends with Ctrl-C (or SIGTERM), or by itself once the node exits, printing
the totals. Layout: doc/tracing.md.
"""
import argparse
import ctypes
import os
import signal
import sys

MAX_PEER_ADDR_LENGTH = 68
MAX_CONN_TYPE_LENGTH = 20
MAX_MSG_TYPE_LENGTH = 20
MAX_MSG_DATA_LENGTH = 32000

PROGRAM = r"""
#include <uapi/linux/ptrace.h>
#define MAX_PEER_ADDR_LENGTH %d
#define MAX_CONN_TYPE_LENGTH %d
#define MAX_MSG_TYPE_LENGTH %d
#define MAX_MSG_DATA_LENGTH %d
struct p2p_msg_t {
    s64 peer_id;
    u64 size;
    char addr[MAX_PEER_ADDR_LENGTH];
    char conn_type[MAX_CONN_TYPE_LENGTH];
    char msg_type[MAX_MSG_TYPE_LENGTH];
    u8 data[MAX_MSG_DATA_LENGTH];
};
BPF_PERCPU_ARRAY(scratch, struct p2p_msg_t, 1);
BPF_PERF_OUTPUT(inbound_msgs);
BPF_PERF_OUTPUT(outbound_msgs);

// One function per probe: BCC rewrites bpf_usdt_readarg for the function
// attached to the probe, so the reads cannot live in a shared helper.
int trace_DIRECTION(struct pt_regs *ctx) {
    int zero = 0;
    struct p2p_msg_t *m = scratch.lookup(&zero);
    if (!m) return 0;
    u64 ptr = 0;
    m->peer_id = 0;
    m->size = 0;
    bpf_usdt_readarg(1, ctx, &m->peer_id);
    bpf_usdt_readarg(2, ctx, &ptr);
    bpf_probe_read_user_str(m->addr, sizeof(m->addr), (void *)ptr);
    bpf_usdt_readarg(3, ctx, &ptr);
    bpf_probe_read_user_str(m->conn_type, sizeof(m->conn_type), (void *)ptr);
    bpf_usdt_readarg(4, ctx, &ptr);
    bpf_probe_read_user_str(m->msg_type, sizeof(m->msg_type), (void *)ptr);
    bpf_usdt_readarg(5, ctx, &m->size);
    bpf_usdt_readarg(6, ctx, &ptr);
    u32 n = m->size < MAX_MSG_DATA_LENGTH ? m->size : MAX_MSG_DATA_LENGTH;
    if (n > MAX_MSG_DATA_LENGTH) n = MAX_MSG_DATA_LENGTH;  // a bound the verifier sees
    bpf_probe_read_user(m->data, n, (void *)ptr);
    DIRECTION_msgs.perf_submit(ctx, m, sizeof(*m));
    return 0;
}
""" % (MAX_PEER_ADDR_LENGTH, MAX_CONN_TYPE_LENGTH, MAX_MSG_TYPE_LENGTH, MAX_MSG_DATA_LENGTH)
PROGRAM = PROGRAM.split("// One function per probe")[0] + "".join(
    ("// One function per probe" + PROGRAM.split("// One function per probe")[1]).replace("DIRECTION", d)
    for d in ("inbound", "outbound"))


class P2PMessage(ctypes.Structure):
    _fields_ = [("peer_id", ctypes.c_int64), ("size", ctypes.c_uint64),
                ("addr", ctypes.c_char * MAX_PEER_ADDR_LENGTH),
                ("conn_type", ctypes.c_char * MAX_CONN_TYPE_LENGTH),
                ("msg_type", ctypes.c_char * MAX_MSG_TYPE_LENGTH),
                ("data", ctypes.c_ubyte * MAX_MSG_DATA_LENGTH)]


def format_message(direction, m):
    shown = min(m.size, MAX_MSG_DATA_LENGTH)
    data = bytes(m.data[:shown]).hex()
    head = (f"{direction:<3} {m.msg_type.decode(errors='replace'):<12} peer {m.peer_id:<5d} "
            f"{m.conn_type.decode(errors='replace'):<20} {m.addr.decode(errors='replace')} {m.size} bytes")
    if m.size > MAX_MSG_DATA_LENGTH:
        return f"{head}, first {shown} shown (cut off): {data}"
    return f"{head}: {data}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("pid", type=int, help="the bitcoind process id")
    parser.add_argument("--pages", type=int, default=64,
                        help="perf buffer pages (4 KiB each) per CPU, a power of two >= 16 (default 64)")
    args = parser.parse_args()
    if args.pages < 16 or args.pages & (args.pages - 1):
        parser.error("--pages must be a power of two of at least 16 (one sample is about 33 KB)")
    from bcc import BPF, USDT

    # Keep the USDT object alive while attached: collecting it lowers the
    # probes' semaphores and the node stops firing them.
    usdt = USDT(pid=args.pid)
    usdt.enable_probe(probe="net:inbound_message", fn_name="trace_inbound")
    usdt.enable_probe(probe="net:outbound_message", fn_name="trace_outbound")
    bpf = BPF(text=PROGRAM, usdt_contexts=[usdt])

    totals = {"in": 0, "out": 0, "cut": 0, "lost": 0}

    def handler(direction):
        def handle(_cpu, data, _size):
            m = ctypes.cast(data, ctypes.POINTER(P2PMessage)).contents
            totals[direction] += 1
            if m.size > MAX_MSG_DATA_LENGTH:
                totals["cut"] += 1
            print(format_message(direction, m), flush=True)
        return handle

    def lost(count):
        totals["lost"] += count
        print(f"LOST {count} samples (total lost {totals['lost']})", flush=True)

    bpf["inbound_msgs"].open_perf_buffer(handler("in"), page_cnt=args.pages, lost_cb=lost)
    bpf["outbound_msgs"].open_perf_buffer(handler("out"), page_cnt=args.pages, lost_cb=lost)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    print(f"Logging raw P2P messages of bitcoind pid {args.pid} (at most {MAX_MSG_DATA_LENGTH} bytes each). "
          "Ctrl-C to end...", flush=True)
    try:
        while not stop:
            bpf.perf_buffer_poll(timeout=200)
            if not os.path.exists(f"/proc/{args.pid}"):
                bpf.perf_buffer_poll(timeout=200)
                print(f"bitcoind pid {args.pid} exited", flush=True)
                break
    except KeyboardInterrupt:
        pass
    print(f"Totals: {totals['in']} inbound, {totals['out']} outbound, {totals['cut']} cut off, "
          f"{totals['lost']} lost", flush=True)
    bpf.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
