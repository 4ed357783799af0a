#!/usr/bin/python3
"""Runs contrib/tracing/log_p2p_connections.bt against a live bitcoind
(bpftrace -p PID, from a folder where ./build is this build) and checks its
lines against getpeerinfo: INBOUND for test peers (id, address, type,
network, inbound count), OUTBOUND for a manual connection to a second node,
MISBEHAVING for a peer sending 2001 headers, CLOSED for it, and EVICTED
when, with -maxconnections=32 (21 inbound slots), more test peers connect."""
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.messages import BlockHeader, msg_headers  # noqa: E402
from test_framework.p2p import P2PInterface  # noqa: E402
from test_framework.tracing import Bpftrace, tracer_lock  # noqa: E402
from test_framework.util import assert_equal, assert_true, repo_root  # noqa: E402

SCRIPT = os.path.join(repo_root(), "contrib", "tracing", "log_p2p_connections.bt")
CONN = re.compile(r"^(INBOUND|OUTBOUND) conn (?:from|to) (\S+): id=(-?\d+), type=(\S+), network=(\d+) \((\S+)\), "
                  r"(?:inbound|outbound) total=(\d+)$")
GONE = re.compile(r"^(EVICTED|CLOSED) conn (?:from|with) (\S+): id=(-?\d+), type=(\S+), network=(\d+) \((\S+)\), "
                  r"established (\d+)$")
MISB = re.compile(r"^MISBEHAVING conn id=(-?\d+): (.*)$")


class LogP2PConnectionsTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.extra_args = [["-listen=1", "-maxconnections=32"], ["-listen=1"]]

    def skip_test_if_missing_module(self):
        self.skip_if_no_tracing(("bpftrace",))

    def run_test(self):
        node = self.nodes[0]
        seen = {}

        def remember():
            for p in node.getpeerinfo():
                seen.setdefault(p["id"], p)

        with tempfile.TemporaryDirectory() as cwd, tracer_lock("bpftrace"):
            os.symlink(self.config["environment"]["BUILDDIR"], os.path.join(cwd, "build"))
            tracer = Bpftrace(script=SCRIPT, args=["-p", str(node.process.pid)], cwd=cwd)
            try:
                node.add_p2p_connection(P2PInterface())
                node.add_p2p_connection(P2PInterface())
                remember()
                self.connect_nodes(0, 1)
                remember()
                bad = node.add_p2p_connection(P2PInterface())
                remember()
                bad_id = max(seen)
                bad.send_message(msg_headers([BlockHeader(prev=node.getbestblockhash(), time=int(time.time()))] * 2001))
                bad.wait_for_disconnect()
                node.p2ps.remove(bad)
                tracer.wait_for(lambda lines: any(m and int(m.group(3)) == bad_id for m in map(GONE.match, lines)))
                self.log.info("more inbound peers than slots: evictions")
                for _ in range(30):
                    peer = P2PInterface()
                    node.add_p2p_connection(peer, wait_for_verack=False)
                    try:
                        peer.wait_for_verack(10)
                    except AssertionError:
                        pass
                    remember()
                    if any(line.startswith("EVICTED") for line in tracer.lines):
                        break
                tracer.wait_for(lambda lines: any(line.startswith("EVICTED") for line in lines))
                time.sleep(1)
            finally:
                lines = tracer.stop()
        self.log.info("output:\n" + "\n".join(lines))
        assert_true(any(line.startswith("Logging P2P connections") for line in lines), "the header")
        conns = [m.groups() for m in map(CONN.match, lines) if m]
        gone = [m.groups() for m in map(GONE.match, lines) if m]
        misb = [m.groups() for m in map(MISB.match, lines) if m]
        inbound_total = 0
        for kind, addr, peer_id, conn_type, network, network_name, total in conns:
            info = seen.get(int(peer_id))
            if kind == "INBOUND":
                inbound_total += 1
                if inbound_total <= 3:  # the first three peers, none gone yet
                    assert_equal(total, str(inbound_total), "inbound total")
            if info is None:
                continue  # refused right away: never listed
            assert_equal((addr, conn_type), (info["addr"], info["connection_type"]), f"{kind} line of peer {peer_id}")
            assert_equal((network, network_name), ("0", "unroutable"), "loopback network")
        kinds = {(kind, seen[int(i)]["connection_type"]) for kind, a, i, *_ in conns if int(i) in seen}
        assert_true(("INBOUND", "inbound") in kinds and ("OUTBOUND", "manual") in kinds, "inbound and manual lines")
        outbound = [c for c in conns if c[0] == "OUTBOUND"]
        assert_equal(outbound[0][6], "1", "outbound total of the first outbound connection")
        assert_equal(misb, [(str(bad_id), "headers message size = 2001")], "MISBEHAVING line")
        closed = [g for g in gone if g[0] == "CLOSED" and int(g[2]) == bad_id]
        assert_equal(len(closed), 1, "CLOSED line of the misbehaving peer")
        info = seen[bad_id]
        assert_equal(closed[0][1:], (info["addr"], str(bad_id), "inbound", "0", "unroutable", str(info["conntime"])),
                     "CLOSED line")
        evicted = [g for g in gone if g[0] == "EVICTED"]
        assert_true(evicted, "EVICTED lines")
        for kind, addr, peer_id, conn_type, network, network_name, established in evicted:
            info = seen[int(peer_id)]
            assert_equal((addr, conn_type, network, established),
                         (info["addr"], "inbound", "0", str(info["conntime"])), f"EVICTED line of peer {peer_id}")
            assert_true(any(g[0] == "CLOSED" and g[2] == peer_id for g in gone),
                        f"CLOSED line of evicted peer {peer_id}")


if __name__ == "__main__":
    LogP2PConnectionsTest().main()
