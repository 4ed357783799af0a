#!/usr/bin/python3
"""Runs contrib/tracing/log_raw_p2p_msgs.py (BCC) against a live bitcoind by
pid and checks its lines: a test peer's ping and the node's pong with their
bytes (the nonce); a 40,000-byte message (an unknown type, which the node
ignores) shown cut off at the eBPF buffer's 32,000 bytes, those bytes
exact; and, with the smallest perf buffer (--pages 16: room for one
sample) and a burst of such messages, LOST lines whose counts, with the
printed messages, account for every message of the burst. The script
prints its totals and ends by itself when the node stops."""
import os
import random
import re
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.messages import msg_generic, msg_ping  # noqa: E402
from test_framework.p2p import P2PInterface  # noqa: E402
from test_framework.tracing import tracer_lock  # noqa: E402
from test_framework.util import assert_equal, assert_true, repo_root, wait_until  # noqa: E402

SCRIPT = os.path.join(repo_root(), "contrib", "tracing", "log_raw_p2p_msgs.py")
LINE = re.compile(r"^(in|out) +(\S+) +peer (\d+) +(\S+) +(\S+) (\d+) bytes"
                  r"(, first (\d+) shown \(cut off\))?: ([0-9a-f]*)$")
LOST = re.compile(r"^LOST (\d+) samples \(total lost (\d+)\)$")
TOTALS = re.compile(r"^Totals: (\d+) inbound, (\d+) outbound, (\d+) cut off, (\d+) lost$")
BUFFER = 32000
BIG = 40000
BURST = 100


class LogRawP2PMsgsTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.extra_args = [["-listen=1"]]

    def burst_seen(self, lines, peer):
        """Messages of the burst printed plus samples reported lost so far (sends a ping)."""
        time.sleep(0.3)
        peer.sync_with_ping()
        lines = list(lines)
        printed = len([m for m in map(LINE.match, lines) if m and m.group(2) == "nettrace"]) - 1
        return printed + sum(int(m.group(1)) for m in map(LOST.match, lines) if m)

    def skip_test_if_missing_module(self):
        self.skip_if_no_tracing(("bcc",))

    def run_test(self):
        node = self.nodes[0]
        pid = node.process.pid
        big = random.randbytes(BIG)
        with tracer_lock("bcc"):
            proc = subprocess.Popen(["/usr/bin/python3", SCRIPT, "--pages", "16", str(pid)], stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True, bufsize=1)
            lines = []
            reader = threading.Thread(target=lambda: lines.extend(line.rstrip("\n") for line in proc.stdout),
                                      daemon=True)
            reader.start()
            try:
                wait_until(lambda: any(line.startswith("Logging raw P2P messages") for line in lines)
                           or proc.poll() is not None, 120, what="the script to attach")
                assert_true(proc.poll() is None, "the script runs:\n" + "\n".join(lines))
                peer = node.add_p2p_connection(P2PInterface())
                info = [p for p in node.getpeerinfo() if p["inbound"]][-1]
                peer.send_message(msg_ping(0x1122334455667788))
                peer.wait_for_pong(0x1122334455667788)
                self.log.info("a message larger than the buffer")
                peer.send_message(msg_generic(b"nettrace", big))
                peer.sync_with_ping()
                wait_until(lambda: any(m and m.group(2) == "nettrace" for m in map(LINE.match, list(lines))), 30,
                           what="the big message's line")
                self.log.info(f"a burst of {BURST} of them: samples lost")
                for _ in range(BURST):
                    peer.send_message(msg_generic(b"nettrace", big))
                peer.sync_with_ping(120)
                # The kernel reports lost samples with the next sample that
                # fits: a few pings, once the script has drained the buffer.
                wait_until(lambda: self.burst_seen(lines, peer) >= BURST, 60, what="the burst accounted for")
                self.stop_node(0)
                proc.wait(60)
                reader.join(10)
            finally:
                if proc.poll() is None:
                    proc.terminate()
                    proc.wait(10)
        self.log.info("output (hex cut at 120 characters):\n" + "\n".join(line[:120] for line in lines))
        assert_equal(proc.returncode, 0, "the script's exit code")
        events = [m for m in map(LINE.match, lines) if m]
        ping = [m for m in events if m.group(1) == "in" and m.group(2) == "ping" and m.group(9) == "8877665544332211"]
        assert_equal(ping[0].groups()[3:], ("inbound", info["addr"], "8", None, None, "8877665544332211"),
                     "the ping line")
        pong = [m for m in events if m.group(1) == "out" and m.group(2) == "pong" and m.group(9) == "8877665544332211"]
        assert_equal(len(pong), 1, "the pong line")
        assert_equal(int(pong[0].group(3)), info["id"], "pong's peer")
        first = [m for m in events if m.group(2) == "nettrace"][0]
        assert_equal((first.group(6), first.group(8)), (str(BIG), str(BUFFER)), "size and the cut-off")
        assert_equal(first.group(9), big[:BUFFER].hex(), "the first 32000 bytes")
        printed = len([m for m in events if m.group(2) == "nettrace"]) - 1
        lost = sum(int(m.group(1)) for m in map(LOST.match, lines) if m)
        self.log.info(f"burst: {printed} printed, {lost} lost")
        assert_true(lost > 0, "samples were lost with a one-sample buffer")
        assert_true(printed + lost >= BURST, "every message of the burst printed or counted lost")
        totals = [m for m in map(TOTALS.match, lines) if m]
        assert_equal(len(totals), 1, "the totals line")
        t_in, t_out, t_cut, t_lost = map(int, totals[0].groups())
        assert_equal(t_lost, lost, "total lost")
        assert_equal(t_cut, printed + 1, "cut off messages")
        assert_equal((t_in, t_out), (len([m for m in events if m.group(1) == "in"]),
                                     len([m for m in events if m.group(1) == "out"])), "totals of the lines")
        assert_equal(lines[-2], f"bitcoind pid {pid} exited", "the node's exit noticed")


if __name__ == "__main__":
    LogRawP2PMsgsTest().main()
