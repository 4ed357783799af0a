#!/usr/bin/python3
"""Runs contrib/tracing/log_mempool.bt against a live bitcoind (bpftrace -p
PID, from a folder where ./build is this build) while the test adds,
replaces, rejects and mines transactions, and checks its lines against
getmempoolentry:

- ADDED: txid, vsize, fee;
- REPLACED: the replaced transaction's txid, vsize, fee and entry time, the
  replacement's txid and vsize (bpftrace 0.17 reads only arg0..arg5: the
  replacement's fee and the txid flag are not printed);
- REMOVED: reason `replaced`, then `block` for the mined ones, with vsize,
  fee and entry time;
- REJECTED: `min relay fee not met` for a zero-fee transaction, and a reason
  longer than 63 characters (a wrong witness script) printed whole;
- the per-kind counts printed on Ctrl-C."""
import os
import re
import sys
import tempfile
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.messages import OutPoint, Transaction, TxIn, TxInWitness, TxOut  # noqa: E402
from test_framework.tracing import Bpftrace, tracer_lock  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import (assert_equal, assert_raises_rpc_error, assert_true, repo_root,  # noqa: E402
                                 to_satoshis)

SCRIPT = os.path.join(repo_root(), "contrib", "tracing", "log_mempool.bt")
LINE = re.compile(r"^(ADDED|REMOVED|REPLACED|REJECTED) +([0-9a-f]{64}) (.*)$")
COUNT = re.compile(r"^@events\[(\w+)\]: (\d+)$")
WRONG_WITNESS = "mempool-script-verify-flag-failed (Witness program hash mismatch)"


class LogMempoolTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def skip_test_if_missing_module(self):
        self.skip_if_no_tracing(("bpftrace",))

    def run_test(self):
        node = self.nodes[0]
        acs = AnyoneCanSpend(node)
        with tempfile.TemporaryDirectory() as cwd, tracer_lock("bpftrace"):
            os.symlink(self.config["environment"]["BUILDDIR"], os.path.join(cwd, "build"))
            tracer = Bpftrace(script=SCRIPT, args=["-p", str(node.process.pid)], cwd=cwd)
            try:
                self.log.info("add two transactions, replace one, reject two, mine the rest")
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
                coin = acs.get_utxo()
                bad = Transaction(vin=[TxIn(OutPoint(coin["txid"], coin["vout"]))],
                                  vout=[TxOut(to_satoshis(coin["value"]) - 10_000, acs.script_pubkey)],
                                  witnesses=[TxInWitness([b"\x00"])])  # not the script P2WSH(OP_TRUE) commits to
                assert_raises_rpc_error(-26, WRONG_WITNESS, node.sendrawtransaction, bad.serialize().hex())
                acs.mine([other, replacement])
                tracer.wait_for(lambda lines: len([m for m in map(LINE.match, lines) if m]) == 9)
            finally:
                lines = tracer.stop()
        self.log.info("output:\n" + "\n".join(lines))
        assert_true(lines and any(line.startswith("Logging mempool") for line in lines), "the header")

        def entry(txid):
            e = entries[txid]
            return e["vsize"], to_satoshis(e["fees"]["base"]), e["time"]

        def added(t):
            vsize, fee, _ = entry(t["txid"])
            return ("ADDED", t["txid"], f"vsize={vsize} fee={fee}")

        def removed(t, reason):
            vsize, fee, time = entry(t["txid"])
            return ("REMOVED", t["txid"], f"reason={reason} vsize={vsize} fee={fee} entry_time={time}")

        vsize, fee, time = entry(original["txid"])
        want = [
            added(original),
            added(other),
            ("REPLACED", original["txid"], f"vsize={vsize} fee={fee} entry_time={time} by {replacement['txid']} "
                                           f"vsize={entry(replacement['txid'])[0]}"),
            removed(original, "replaced"),
            added(replacement),
            ("REJECTED", zero["txid"], "reason=min relay fee not met"),
            ("REJECTED", bad.txid, f"reason={WRONG_WITNESS}"),
            removed(other, "block"),
            removed(replacement, "block"),
        ]
        got = [m.groups() for m in map(LINE.match, lines) if m]
        # Per-CPU output buffers: lines of events on different CPUs may come
        # out of order, so compare without it.
        assert_equal(sorted(got), sorted(want))
        assert_equal(fee, 10000)
        counts = {m.group(1): int(m.group(2)) for m in map(COUNT.match, lines) if m}
        assert_equal(counts, {"added": 3, "removed": 3, "replaced": 1, "rejected": 2})


if __name__ == "__main__":
    LogMempoolTest().main()
