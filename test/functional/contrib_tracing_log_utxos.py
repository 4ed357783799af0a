#!/usr/bin/python3
"""Runs contrib/tracing/log_utxos.bt against a live bitcoind (bpftrace -p
PID, from a folder where ./build is this build) and checks its lines
against RPC data:

- Uncached: after a restart (the coin is only on disk), generateblock with
  a transaction spending a coinbase coin with a wrong witness fails its block
  check and the coin is dropped from the cache again.
- Spent and Added: a block with a valid spend of that coin: the coin spent,
  the transaction's output and the coinbase's output added.

Every line shows txid:index, height, value in satoshis, coinbase Yes/No."""
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.messages import OutPoint, Transaction, TxIn, TxInWitness, TxOut  # noqa: E402
from test_framework.tracing import Bpftrace, tracer_lock  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import assert_raises_rpc_error, assert_true, repo_root, to_satoshis  # noqa: E402

SCRIPT = os.path.join(repo_root(), "contrib", "tracing", "log_utxos.bt")
LINE = re.compile(r"^(Added|Spent|Uncached)\s+([0-9a-f]{64}):(\d+)\s+(\d+)\s+(-?\d+) (Yes|No)$")


class LogUtxosTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def skip_test_if_missing_module(self):
        self.skip_if_no_tracing(("bpftrace",))

    def run_test(self):
        node = self.nodes[0]
        acs = AnyoneCanSpend(node)
        utxo = acs.get_utxo()
        coin = (utxo["txid"], utxo["vout"], utxo["height"], to_satoshis(utxo["value"]), True)
        self.restart_node(0)
        with tempfile.TemporaryDirectory() as cwd, tracer_lock("bpftrace"):
            os.symlink(self.config["environment"]["BUILDDIR"], os.path.join(cwd, "build"))
            tracer = Bpftrace(script=SCRIPT, args=["-p", str(node.process.pid)], cwd=cwd)
            try:
                self.log.info("a block check that fails: the coin is uncached")
                bad = Transaction(vin=[TxIn(OutPoint(utxo["txid"], utxo["vout"]))],
                                  vout=[TxOut(to_satoshis(utxo["value"]) - 10_000, acs.script_pubkey)],
                                  witnesses=[TxInWitness([b"\x00"])])  # not the script P2WSH(OP_TRUE) commits to
                assert_raises_rpc_error(-25, "TestBlockValidity failed", node.generateblock, acs.address,
                                        [bad.serialize().hex()])
                tracer.wait_for(lambda lines: any(line.startswith("Uncached") for line in lines))
                self.log.info("a valid spend: the coin spent, the new outputs added")
                spend = acs.create_self_transfer(utxo=utxo)
                block_hash = acs.mine([spend])
                block = node.getblock(block_hash, 2)
                added = {(tx["txid"], out["n"], block["height"], to_satoshis(out["value"]), index == 0)
                         for index, tx in enumerate(block["tx"]) for out in tx["vout"]
                         if not out["scriptPubKey"]["hex"].startswith("6a")}
                tracer.wait_for(lambda lines: len(self.parse(lines)["Added"] & added) == len(added))
            finally:
                lines = tracer.stop()
        self.log.info("output:\n" + "\n".join(lines))
        events = self.parse(lines)
        assert_true(any(line.startswith("Logging utxocache add, spent and uncache events") for line in lines), "the header")
        assert_true(coin in events["Uncached"], f"Uncached line for {coin}")
        assert_true(events["Uncached"] == {coin}, "nothing else uncached")
        assert_true(coin in events["Spent"], f"Spent line for {coin}")
        assert_true(added <= events["Added"], f"Added lines for {added}")

    @staticmethod
    def parse(lines):
        events = {"Added": set(), "Spent": set(), "Uncached": set()}
        for line in lines:
            m = LINE.match(line)
            if m:
                op, txid, n, height, value, coinbase = m.groups()
                events[op].add((txid, int(n), int(height), int(value), coinbase == "Yes"))
        return events


if __name__ == "__main__":
    LogUtxosTest().main()
