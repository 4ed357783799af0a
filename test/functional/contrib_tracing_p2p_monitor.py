#!/usr/bin/python3
"""Drives contrib/tracing/p2p_monitor.py (BCC, curses) in a tmux session
against a live bitcoind and reads the screen with `tmux capture-pane`:

- the list: a row for a test peer (inbound, its address) and one for a
  manual connection to a second node; for each, the messages and payload
  bytes in, with 24 bytes of header per message, add up to getpeerinfo's
  bytesrecv; the same for bytes out and bytessent;
- Enter on the test peer: its messages per type, with the pings it sent;
- a peer that disconnects is marked closed; q quits."""
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.messages import msg_ping  # noqa: E402
from test_framework.p2p import P2PInterface  # noqa: E402
from test_framework.tracing import tracer_lock  # noqa: E402
from test_framework.util import SkipTest, assert_equal, assert_true, repo_root, wait_until  # noqa: E402

SCRIPT = os.path.join(repo_root(), "contrib", "tracing", "p2p_monitor.py")
ROW = re.compile(r"^\s*(\d+)  (\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)  (open|closed|evicted)\b")
DETAIL = re.compile(r"^(in|out)\s+(\S+)\s+(\d+)\s+(\d+)$")
PINGS = 5


class P2PMonitorTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.extra_args = [["-listen=1"], ["-listen=1"]]

    def skip_test_if_missing_module(self):
        self.skip_if_no_tracing(("bcc",))
        if not shutil.which("tmux"):
            raise SkipTest("tmux is not installed")

    def screen(self):
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.session], capture_output=True, text=True,
                              check=True).stdout.splitlines()

    def rows(self):
        return {int(m.group(1)): m.groups() for m in map(ROW.match, self.screen()) if m}

    def keys(self, *keys):
        subprocess.run(["tmux", "send-keys", "-t", self.session, *keys], check=True)

    def run_test(self):
        node = self.nodes[0]
        self.session = f"p2p_monitor_{os.getpid()}"
        done = os.path.join(self.options.tmpdir, "monitor.exit")
        with tracer_lock("bcc"):
            subprocess.run(["tmux", "new-session", "-d", "-s", self.session, "-x", "200", "-y", "50",
                            f"/usr/bin/python3 {SCRIPT} {node.process.pid} 2>{self.options.tmpdir}/monitor.err; "
                            f"echo $? > {done}"], check=True)
            try:
                wait_until(lambda: os.path.exists(done) or any("P2P Message Monitor" in line for line in self.screen()),
                           120, what="the monitor to start")
                if os.path.exists(done):
                    with open(f"{self.options.tmpdir}/monitor.err") as f:
                        raise AssertionError("the monitor did not start: " + f.read())
                peer = node.add_p2p_connection(P2PInterface())
                for n in range(PINGS):
                    peer.send_message(msg_ping(1000 + n))
                    peer.wait_for_pong(1000 + n)
                self.connect_nodes(0, 1)
                self.nodes[1].ping()  # a ping and pong on the manual connection too
                time.sleep(1)
                self.check_rows(node)
                self.log.info("details of the test peer")
                info = [p for p in node.getpeerinfo() if p["inbound"]][0]
                ids = sorted(self.rows())
                for _ in range(ids.index(info["id"])):
                    self.keys("Down")
                self.keys("Enter")
                wait_until(lambda: any(f"Peer {info['id']} (inbound" in line for line in self.screen()), 10,
                           what="the detail view")
                detail = {(m.group(1), m.group(2)): (int(m.group(3)), int(m.group(4)))
                          for m in map(DETAIL.match, self.screen()) if m}
                self.log.info(f"detail: {detail}")
                assert_true(detail[("in", "ping")][0] >= PINGS + 1, "pings counted (ours, and sync_with_ping's)")
                assert_equal(detail[("in", "ping")][1], detail[("in", "ping")][0] * 8, "ping bytes")
                assert_equal(detail[("in", "version")][0], 1, "one version")
                self.keys("Enter")
                self.log.info("a peer that disconnects is marked closed")
                peer.peer_disconnect()
                peer.wait_for_disconnect()
                node.p2ps = []
                wait_until(lambda: self.rows().get(info["id"], [None] * 8)[7] == "closed", 30, what="the closed mark")
                self.keys("q")
                wait_until(lambda: os.path.exists(done), 30, what="the monitor to quit")
                assert_equal(open(done).read().strip(), "0", "the monitor's exit code")
            finally:
                subprocess.run(["tmux", "kill-session", "-t", self.session], capture_output=True)

    def check_rows(self, node):
        self.log.info("rows of the list against getpeerinfo")
        for attempt in range(20):
            peers = node.getpeerinfo()
            rows = self.rows()
            try:
                for p in peers:
                    assert_true(p["id"] in rows, f"a row for peer {p['id']}")
                    pid, conn_type, addr, in_msgs, in_bytes, out_msgs, out_bytes, state = rows[p["id"]]
                    assert_equal((conn_type, addr, state), (p["connection_type"], p["addr"], "open"), f"peer {pid}")
                    assert_equal(int(in_bytes) + 24 * int(in_msgs), p["bytesrecv"], f"peer {pid}: bytes in")
                    assert_equal(int(out_bytes) + 24 * int(out_msgs), p["bytessent"], f"peer {pid}: bytes out")
                assert_equal({p["connection_type"] for p in peers}, {"inbound", "manual"}, "both kinds of peer")
                self.log.info("\n".join(self.screen()[:8]))
                return
            except AssertionError:
                if attempt == 19:
                    self.log.info("screen:\n" + "\n".join(self.screen()))
                    raise
                time.sleep(0.5)  # messages in flight between the trace and getpeerinfo


if __name__ == "__main__":
    P2PMonitorTest().main()
