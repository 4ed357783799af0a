#!/usr/bin/python3
"""Runs contrib/tracing/log_p2p_traffic.bt against a live bitcoind (bpftrace
-p PID, from a folder where ./build is this build) and checks its lines:
a test peer's ping and the node's pong (type, peer id, connection type,
address, size), the messages of a manual connection to a second node, and
the summary printed at the end (per-type counts and payload bytes equal to
the sum of the lines)."""
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.messages import msg_ping  # noqa: E402
from test_framework.p2p import P2PInterface  # noqa: E402
from test_framework.tracing import Bpftrace, tracer_lock  # noqa: E402
from test_framework.util import assert_equal, assert_true, repo_root  # noqa: E402

SCRIPT = os.path.join(repo_root(), "contrib", "tracing", "log_p2p_traffic.bt")
LINE = re.compile(r"^(in|out) +(\S+) +peer (\d+) +(\S+) +(\S+) +(\d+) bytes$")
MAP = re.compile(r"^@(in|out)_(msgs|bytes)\[(\S+)\]: (\d+)$")


class LogP2PTrafficTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.extra_args = [["-listen=1"], ["-listen=1"]]

    def skip_test_if_missing_module(self):
        self.skip_if_no_tracing(("bpftrace",))

    def run_test(self):
        node = self.nodes[0]
        with tempfile.TemporaryDirectory() as cwd, tracer_lock("bpftrace"):
            os.symlink(self.config["environment"]["BUILDDIR"], os.path.join(cwd, "build"))
            tracer = Bpftrace(script=SCRIPT, args=["-p", str(node.process.pid)], cwd=cwd)
            try:
                peer = node.add_p2p_connection(P2PInterface())
                info = [p for p in node.getpeerinfo() if p["inbound"]][-1]
                peer.send_message(msg_ping(42))
                peer.wait_for_pong(42)
                self.connect_nodes(0, 1)
                manual = [p for p in node.getpeerinfo() if p["connection_type"] == "manual"][0]
                tracer.wait_for(lambda lines: any(m and m.group(2) == "pong" and int(m.group(3)) == info["id"]
                                                  for m in map(LINE.match, lines)))
                tracer.wait_for(lambda lines: any(m and m.group(1) == "in" and m.group(2) == "verack"
                                                  and int(m.group(3)) == manual["id"] for m in map(LINE.match, lines)))
                # No traffic while bpftrace stops: a message traced then would be
                # counted in the summary but its line could be cut off.
                peer.peer_disconnect()
                peer.wait_for_disconnect()
                node.p2ps = []
                self.disconnect_nodes(0, 1)
                time.sleep(1)
            finally:
                lines = tracer.stop()
        self.log.info("output:\n" + "\n".join(lines))
        assert_true(lines and any(line.startswith("Logging P2P traffic") for line in lines), "the header")
        events = [m.groups() for m in map(LINE.match, lines) if m]
        inbound = {(d, t) for d, t, i, c, a, s in events if int(i) == info["id"]}
        for expected in (("in", "version"), ("in", "verack"), ("in", "ping"), ("out", "version"), ("out", "verack"),
                         ("out", "pong")):
            assert_true(expected in inbound, f"{expected} for the test peer")
        for d, t, i, c, a, s in events:
            if int(i) == info["id"]:
                assert_equal((c, a), ("inbound", info["addr"]), "test peer's connection type and address")
                if t in ("ping", "pong"):
                    assert_equal(s, "8", f"{t} size")
            elif int(i) == manual["id"]:
                assert_equal((c, a), ("manual", manual["addr"]), "node1's connection type and address")
        assert_true(any(d == "out" and t == "version" and int(i) == manual["id"] for d, t, i, c, a, s in events),
                    "version sent to node1")
        self.log.info("the summary matches the lines")
        maps = {}
        for m in map(MAP.match, lines):
            if m:
                maps[(m.group(1), m.group(2), m.group(3))] = int(m.group(4))
        for direction in ("in", "out"):
            for msg_type in {t for d, t, *_ in events if d == direction}:
                count = sum(1 for d, t, *_ in events if (d, t) == (direction, msg_type))
                size = sum(int(s) for d, t, i, c, a, s in events if (d, t) == (direction, msg_type))
                assert_equal(maps.get((direction, "msgs", msg_type)), count, f"{direction} {msg_type} count")
                assert_equal(maps.get((direction, "bytes", msg_type)), size, f"{direction} {msg_type} bytes")


if __name__ == "__main__":
    LogP2PTrafficTest().main()
