#!/usr/bin/python3
"""Interactive per-peer view of a running bitcoind's P2P traffic (BCC, curses).

USAGE (as root in a terminal; /usr/bin/python3 has Debian's python3-bpfcc):

    /usr/bin/python3 contrib/tracing/p2p_monitor.py PID

PID is the bitcoind process id (pidof bitcoind). The screen lists every
peer seen since the start, from net:inbound_message, net:outbound_message,
net:inbound_connection, net:outbound_connection, net:closed_connection and
net:evicted_inbound_connection:

    PEER  CONNECTION           ADDRESS                 IN MSGS  IN BYTES  OUT MSGS OUT BYTES  STATE   LAST
       0  inbound              127.0.0.1:40512              12       482        14      1203  open    in pong

Byte counts are message payloads (the 24-byte header is not counted).
Keys: Up/Down (or k/j) select a peer, Enter shows its messages per type
(Enter or Esc goes back), q quits. Closed or evicted peers stay listed,
marked. Layout of the tracepoints: doc/tracing.md.
"""
import ctypes
import curses
import os
import sys
import time

PROGRAM = r"""
#include <uapi/linux/ptrace.h>
struct msg_t { s64 id; u64 size; char addr[68]; char conn_type[20]; char msg_type[20]; };
struct conn_t { s64 id; u64 extra; u32 network; u32 kind; char addr[68]; char conn_type[20]; };
BPF_PERF_OUTPUT(msgs);
BPF_PERF_OUTPUT(conns);
"""
MSG_FUNCTION = r"""
int trace_NAME(struct pt_regs *ctx) {
    struct msg_t m = {};
    u64 ptr = 0;
    bpf_usdt_readarg(1, ctx, &m.id);
    bpf_usdt_readarg(2, ctx, &ptr);
    bpf_probe_read_user_str(m.addr, sizeof(m.addr), (void *)ptr);
    bpf_usdt_readarg(3, ctx, &ptr);
    bpf_probe_read_user_str(m.conn_type, sizeof(m.conn_type), (void *)ptr);
    bpf_usdt_readarg(4, ctx, &ptr);
    bpf_probe_read_user_str(m.msg_type, sizeof(m.msg_type), (void *)ptr);
    bpf_usdt_readarg(5, ctx, &m.size);
    m.size = (m.size << 1) | DIRECTION;
    msgs.perf_submit(ctx, &m, sizeof(m));
    return 0;
}
"""
CONN_FUNCTION = r"""
int trace_NAME(struct pt_regs *ctx) {
    struct conn_t c = {};
    u64 ptr = 0;
    c.kind = KIND;
    bpf_usdt_readarg(1, ctx, &c.id);
    bpf_usdt_readarg(2, ctx, &ptr);
    bpf_probe_read_user_str(c.addr, sizeof(c.addr), (void *)ptr);
    bpf_usdt_readarg(3, ctx, &ptr);
    bpf_probe_read_user_str(c.conn_type, sizeof(c.conn_type), (void *)ptr);
    bpf_usdt_readarg(4, ctx, &c.network);
    bpf_usdt_readarg(5, ctx, &c.extra);
    conns.perf_submit(ctx, &c, sizeof(c));
    return 0;
}
"""
CONN_KINDS = ["inbound_connection", "outbound_connection", "closed_connection", "evicted_inbound_connection"]


class Msg(ctypes.Structure):
    _fields_ = [("id", ctypes.c_int64), ("size", ctypes.c_uint64), ("addr", ctypes.c_char * 68),
                ("conn_type", ctypes.c_char * 20), ("msg_type", ctypes.c_char * 20)]


class Conn(ctypes.Structure):
    _fields_ = [("id", ctypes.c_int64), ("extra", ctypes.c_uint64), ("network", ctypes.c_uint32),
                ("kind", ctypes.c_uint32), ("addr", ctypes.c_char * 68), ("conn_type", ctypes.c_char * 20)]


def program():
    text = PROGRAM
    for name, direction in (("inbound_message", 0), ("outbound_message", 1)):
        text += MSG_FUNCTION.replace("NAME", name).replace("DIRECTION", str(direction))
    for kind, name in enumerate(CONN_KINDS):
        text += CONN_FUNCTION.replace("NAME", name).replace("KIND", str(kind))
    return text


class Peer:
    def __init__(self, peer_id, addr, conn_type):
        self.id = peer_id
        self.addr = addr
        self.conn_type = conn_type
        self.state = "open"
        self.counts = {"in": {}, "out": {}}  # message type -> [messages, bytes]
        self.last = ""

    def total(self, direction, index):
        return sum(v[index] for v in self.counts[direction].values())


class Monitor:
    def __init__(self, pid):
        self.pid = pid
        self.peers = {}
        self.selected = 0
        self.detail = False
        self.started = time.time()

    def peer(self, peer_id, addr, conn_type):
        p = self.peers.get(peer_id)
        if p is None:
            p = self.peers[peer_id] = Peer(peer_id, addr, conn_type)
        return p

    def on_msg(self, _cpu, data, _size):
        m = ctypes.cast(data, ctypes.POINTER(Msg)).contents
        direction = "out" if m.size & 1 else "in"
        size = m.size >> 1
        p = self.peer(m.id, m.addr.decode(errors="replace"), m.conn_type.decode(errors="replace"))
        msg_type = m.msg_type.decode(errors="replace")
        entry = p.counts[direction].setdefault(msg_type, [0, 0])
        entry[0] += 1
        entry[1] += size
        p.last = f"{direction} {msg_type}"

    def on_conn(self, _cpu, data, _size):
        c = ctypes.cast(data, ctypes.POINTER(Conn)).contents
        p = self.peer(c.id, c.addr.decode(errors="replace"), c.conn_type.decode(errors="replace"))
        if c.kind == 2:
            p.state = "closed"
        elif c.kind == 3:
            p.state = "evicted"

    def draw(self, screen):
        screen.erase()
        height, width = screen.getmaxyx()

        def put(y, text, attr=0):
            if 0 <= y < height:
                screen.addnstr(y, 0, text, width - 1, attr)

        ids = sorted(self.peers)
        self.selected = max(0, min(self.selected, len(ids) - 1))
        put(0, f"P2P Message Monitor - bitcoind pid {self.pid} - {len(ids)} peers, "
               f"{sum(p.state == 'open' for p in self.peers.values())} open", curses.A_BOLD)
        put(1, "Up/Down select, Enter details, q quit")
        if self.detail and ids:
            p = self.peers[ids[self.selected]]
            put(3, f"Peer {p.id} ({p.conn_type}, {p.addr}, {p.state}): messages per type", curses.A_BOLD)
            put(4, f"{'DIRECTION':<10} {'TYPE':<14} {'MSGS':>8} {'BYTES':>10}", curses.A_UNDERLINE)
            y = 5
            for direction in ("in", "out"):
                for msg_type, (count, size) in sorted(p.counts[direction].items()):
                    put(y, f"{direction:<10} {msg_type:<14} {count:>8} {size:>10}")
                    y += 1
            put(y + 1, "Enter or Esc: back")
        else:
            put(3, f"{'PEER':>4}  {'CONNECTION':<20} {'ADDRESS':<22} {'IN MSGS':>8} {'IN BYTES':>9} "
                   f"{'OUT MSGS':>8} {'OUT BYTES':>9}  {'STATE':<7} LAST", curses.A_UNDERLINE)
            for row, peer_id in enumerate(ids):
                p = self.peers[peer_id]
                put(4 + row, f"{p.id:>4}  {p.conn_type:<20} {p.addr:<22} {p.total('in', 0):>8} {p.total('in', 1):>9} "
                             f"{p.total('out', 0):>8} {p.total('out', 1):>9}  {p.state:<7} {p.last}",
                    curses.A_REVERSE if row == self.selected else 0)
        screen.refresh()

    def key(self, ch):
        """Returns False to quit."""
        if ch in (ord("q"), ord("Q")):
            return False
        if ch in (curses.KEY_UP, ord("k")):
            self.selected -= 1
        elif ch in (curses.KEY_DOWN, ord("j")):
            self.selected += 1
        elif ch in (curses.KEY_ENTER, 10, 13):
            self.detail = not self.detail
        elif ch == 27:
            self.detail = False
        return True


def run(screen, pid):
    from bcc import BPF, USDT
    usdt = USDT(pid=pid)  # keep alive while attached (it holds the semaphores up)
    for name in ("inbound_message", "outbound_message", *CONN_KINDS):
        usdt.enable_probe(probe=f"net:{name}", fn_name=f"trace_{name}")
    bpf = BPF(text=program(), usdt_contexts=[usdt])
    monitor = Monitor(pid)
    bpf["msgs"].open_perf_buffer(monitor.on_msg, page_cnt=64)
    bpf["conns"].open_perf_buffer(monitor.on_conn, page_cnt=16)
    curses.curs_set(0)
    screen.nodelay(True)
    screen.keypad(True)
    try:
        while True:
            bpf.perf_buffer_poll(timeout=100)
            ch = screen.getch()
            if ch != -1 and not monitor.key(ch):
                break
            if not os.path.exists(f"/proc/{pid}"):
                monitor.detail = False
                monitor.draw(screen)
                screen.addnstr(2, 0, f"bitcoind pid {pid} exited; q quits", screen.getmaxyx()[1] - 1, curses.A_BOLD)
                screen.refresh()
                screen.nodelay(False)
                while screen.getch() not in (ord("q"), ord("Q")):
                    pass
                break
            monitor.draw(screen)
    except KeyboardInterrupt:
        pass
    bpf.cleanup()


def main():
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        print(__doc__.strip().splitlines()[0])
        print(f"usage: {sys.argv[0]} PID (the bitcoind process id)", file=sys.stderr)
        return 2
    curses.wrapper(run, int(sys.argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
