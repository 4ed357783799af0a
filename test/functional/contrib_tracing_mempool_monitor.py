#!/usr/bin/python3
"""Drives contrib/tracing/mempool_monitor.py (BCC, curses) in a tmux session
against a live bitcoind and reads the screen with `tmux capture-pane` while
the test adds, replaces and rejects transactions (sendrawtransaction) and
mines the rest:

- the counts: added 3, removed 3 (one `replaced`, two `block`), replaced 1,
  rejected 1, all within the last minute, and per minute the same (less
  than a minute up counts as one minute);
- the log of recent events, newest first in the order the probes fired:
  txid, vsize, fee and feerate as
  getmempoolentry said, `by` the replacement with its txid, vsize and fee,
  the removal reasons and the reject reason `min relay fee not met`;
- q quits with exit code 0."""
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.tracing import tracer_lock  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import SkipTest, assert_equal, assert_raises_rpc_error, repo_root, to_satoshis, wait_until  # noqa: E402

SCRIPT = os.path.join(repo_root(), "contrib", "tracing", "mempool_monitor.py")
COUNT = re.compile(r"^(added|removed|replaced|rejected)\s+(\d+)\s+(\d+)\s+(\d+\.\d\d)$")
EVENT = re.compile(r"^(\d\d:\d\d:\d\d)  (added|removed|replaced|rejected)\s+([0-9a-f]{64})\s+(\S+)\s+(\S+)\s+(\S+)"
                   r"(?:  (.*))?$")


class MempoolMonitorTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def skip_test_if_missing_module(self):
        self.skip_if_no_tracing(("bcc",))
        if not shutil.which("tmux"):
            raise SkipTest("tmux is not installed")

    def screen(self):
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.session], capture_output=True, text=True,
                              check=True).stdout.splitlines()

    def counts(self):
        return {m.group(1): tuple(m.groups()[1:]) for m in map(COUNT.match, self.screen()) if m}

    def events(self):
        return [m.groups()[1:] for m in map(EVENT.match, self.screen()) if m]

    def run_test(self):
        node = self.nodes[0]
        acs = AnyoneCanSpend(node)
        self.generate(node, 1)
        acs.rescan()
        self.session = f"mempool_monitor_{os.getpid()}"
        done = os.path.join(self.options.tmpdir, "monitor.exit")
        err = os.path.join(self.options.tmpdir, "monitor.err")
        with tracer_lock("bcc"):
            subprocess.run(["tmux", "new-session", "-d", "-s", self.session, "-x", "250", "-y", "50",
                            f"/usr/bin/python3 {SCRIPT} {node.process.pid} 2>{err}; echo $? > {done}"], check=True)
            try:
                wait_until(lambda: os.path.exists(done) or any("Mempool Monitor" in line for line in self.screen()),
                           120, what="the monitor to start")
                if os.path.exists(done):
                    with open(err) as f:
                        raise AssertionError("the monitor did not start: " + f.read())
                assert_equal(self.counts(), {kind: ("0", "0", "0.00") for kind in
                                             ("added", "removed", "replaced", "rejected")})

                self.log.info("add two transactions, replace one, reject a zero-fee one, mine the rest")
                utxo = acs.get_utxo()
                original = acs.create_self_transfer(utxo=utxo, fee=Decimal("0.0001"))
                other = acs.create_self_transfer(fee=Decimal("0.0002"))
                node.sendrawtransaction(original["hex"])
                node.sendrawtransaction(other["hex"])
                entries = {t["txid"]: node.getmempoolentry(t["txid"]) for t in (original, other)}
                replacement = acs.create_self_transfer(utxo=utxo, fee=Decimal("0.0005"))
                node.sendrawtransaction(replacement["hex"])
                entries[replacement["txid"]] = node.getmempoolentry(replacement["txid"])
                zero = acs.create_self_transfer(fee=Decimal("0"))
                assert_raises_rpc_error(-26, "min relay fee not met", node.sendrawtransaction, zero["hex"])
                acs.mine([other, replacement])
                assert_equal(node.getrawmempool(), [])

                expected = {"added": 3, "removed": 3, "replaced": 1, "rejected": 1}
                want = {kind: (str(n), str(n), f"{n:.2f}") for kind, n in expected.items()}
                try:
                    wait_until(lambda: self.counts() == want and len(self.events()) == 8, 30, what="the counts")
                except AssertionError:
                    self.log.info("screen:\n" + "\n".join(self.screen()))
                    raise
                self.log.info("screen:\n" + "\n".join(line.rstrip() for line in self.screen()[:20]))
                self.check_log(original, other, replacement, zero, entries)

                self.keys("q")
                wait_until(lambda: os.path.exists(done), 30, what="the monitor to quit")
                assert_equal(open(done).read().strip(), "0", "the monitor's exit code")
            finally:
                subprocess.run(["tmux", "kill-session", "-t", self.session], capture_output=True)

    def keys(self, *keys):
        subprocess.run(["tmux", "send-keys", "-t", self.session, *keys], check=True)

    def check_log(self, original, other, replacement, zero, entries):
        def numbers(txid):
            e = entries[txid]
            fee = to_satoshis(e["fees"]["base"])
            return (str(e["vsize"]), str(fee), f"{fee / e['vsize']:.2f}")

        events = self.events()
        got = {(kind, txid, vsize, fee, rate, details or "") for kind, txid, vsize, fee, rate, details in events}
        rep = entries[replacement["txid"]]
        rep_fee = to_satoshis(rep["fees"]["base"])
        by = (f"by {replacement['txid']} vsize {rep['vsize']} fee {rep_fee} "
              f"({rep_fee / rep['vsize']:.2f} sat/vB)")
        want = {
            ("added", original["txid"], *numbers(original["txid"]), ""),
            ("added", other["txid"], *numbers(other["txid"]), ""),
            ("added", replacement["txid"], *numbers(replacement["txid"]), ""),
            ("replaced", original["txid"], *numbers(original["txid"]), by),
            ("removed", original["txid"], *numbers(original["txid"]), "reason replaced"),
            ("rejected", zero["txid"], "-", "-", "-", "reason min relay fee not met"),
            ("removed", other["txid"], *numbers(other["txid"]), "reason block"),
            ("removed", replacement["txid"], *numbers(replacement["txid"]), "reason block"),
        }
        assert_equal(got, want)
        assert_equal(numbers(original["txid"])[1], "10000")
        assert_equal(rep_fee, 50000)
        self.log.info("newest first, in the order the probes fired")
        assert_equal([(kind, txid) for kind, txid, *_ in events[2:]], [
            ("rejected", zero["txid"]),
            ("added", replacement["txid"]),
            ("removed", original["txid"]),
            ("replaced", original["txid"]),
            ("added", other["txid"]),
            ("added", original["txid"]),
        ])
        assert_equal(sorted((kind, txid) for kind, txid, *_ in events[:2]),
                     sorted([("removed", other["txid"]), ("removed", replacement["txid"])]))

if __name__ == "__main__":
    MempoolMonitorTest().main()
