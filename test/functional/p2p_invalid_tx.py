#!/usr/bin/python3
"""Invalid transactions from a P2P peer (Core's p2p_invalid_tx.py reaction):

- a transaction invalid for consensus reasons (TX_CONSENSUS: bad-txns-*
  structure errors, coinbase, a script failing the consensus flags,
  bad-txns-in-belowout) makes the sender misbehave: "Misbehaving: peer=N:
  invalid transaction: <reason>", then it is disconnected (discouraged unless
  local; a noban peer is not punished);
- policy failures (non-standard, fee too low, policy-only script flags,
  missing inputs -> orphan, a witness-stripped transaction) leave the
  sender connected;
- undecodable tx bytes are dropped (the exception is logged) without a crash;
- a flood of invalid transactions from one peer costs another peer nothing:
  its valid transaction is still accepted and relayed."""
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.address import witness_script_to_p2wsh_script  # noqa: E402
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.messages import MSG_WTX, OutPoint, Transaction, TxIn, TxInWitness, TxOut, msg_tx  # noqa: E402
from test_framework.p2p import P2PInterface, frame_message  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import assert_equal, to_satoshis, wait_until  # noqa: E402

OP_TRUE = b"\x51"
OP_NOP4 = b"\xb3"


class InvCollector(P2PInterface):
    def __init__(self):
        super().__init__()
        self.wtx_invs = set()

    def on_inv(self, message):
        for inv in message.inv:
            if inv.type == MSG_WTX:
                self.wtx_invs.add(inv.hash)


class InvalidTxRequestTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False
        self.extra_args = [["-listen=1", "-bind=127.0.0.1"]]

    def spend(self, utxo, outputs, witness=None, version=2, extra_inputs=()):
        tx = Transaction(version=version)
        tx.vin.append(TxIn(OutPoint(utxo["txid"], utxo["vout"]), b"", 0xFFFFFFFD))
        tx.wit.append(TxInWitness(witness if witness is not None else [OP_TRUE]))
        for prevout in extra_inputs:
            tx.vin.append(TxIn(prevout, b"", 0xFFFFFFFD))
            tx.wit.append(TxInWitness([OP_TRUE]))
        tx.vout = outputs
        return tx

    def consensus_invalid_txs(self):
        """(reason, tx) pairs, each failing a different consensus rule."""
        acs = self.acs
        spk = acs.script_pubkey
        out = []
        u = acs.get_utxo()
        v = to_satoshis(u["value"])
        out.append(("bad-txns-vout-empty", self.spend(u, [])))
        out.append(("bad-txns-vout-negative", self.spend(u, [TxOut(-1, spk)])))
        out.append(("bad-txns-vout-toolarge", self.spend(u, [TxOut(21_000_001 * 10**8, spk)])))
        out.append(("bad-txns-txouttotal-toolarge",
                    self.spend(u, [TxOut(21_000_000 * 10**8, spk), TxOut(21_000_000 * 10**8, spk)])))
        out.append(("bad-txns-inputs-duplicate",
                    self.spend(u, [TxOut(v - 10000, spk)], extra_inputs=[OutPoint(u["txid"], u["vout"])])))
        out.append(("bad-txns-in-belowout", self.spend(u, [TxOut(v + 1, spk)])))
        bad_script = self.spend(u, [TxOut(v - 10000, spk)], witness=[b"\x01", OP_TRUE])  # cleanstack is mandatory for P2WSH
        out.append(("mempool-script-verify-flag-failed (", bad_script))
        coinbase = Transaction(version=2)
        coinbase.vin.append(TxIn(OutPoint(0, 0xFFFFFFFF), b"\x01\x02", 0xFFFFFFFF))
        coinbase.vout.append(TxOut(10000, spk))
        out.append(("coinbase", coinbase))
        return out

    def run_test(self):
        node = self.nodes[0]
        # Nodes from the cached chain are in IBD and ignore tx relay until a block is mined.
        self.generate(node, 1)
        acs = self.acs = AnyoneCanSpend(node)
        acs.rescan()
        spk = acs.script_pubkey

        # A peer for the whole test: it must be unaffected by the others' invalid transactions.
        bystander = node.add_p2p_connection(InvCollector())

        self.log.info("consensus-invalid transactions: the sender is Misbehaving and disconnected")
        for reason, tx in self.consensus_invalid_txs():
            peer = node.add_p2p_connection(P2PInterface())
            peer_id = max(p["id"] for p in node.getpeerinfo())
            with node.assert_debug_log([f"Misbehaving: peer={peer_id}: invalid transaction: {reason}",
                                        f"disconnecting but not discouraging local peer {peer_id}!"]):
                peer.send_without_ping(msg_tx(tx))
                peer.wait_for_disconnect()
            self.log.info(f"  {reason}: disconnected")
        assert_equal(node.getmempoolinfo()["size"], 0)
        assert bystander.is_connected

        self.log.info("policy-invalid transactions: the sender stays connected")
        policy_peer = node.add_p2p_connection(P2PInterface())
        u = acs.get_utxo()
        v = to_satoshis(u["value"])
        nop_script = OP_NOP4 + OP_TRUE
        funding = acs.send_to(witness_script_to_p2wsh_script(nop_script), Decimal("1"))
        acs.mine([funding])
        vout = next(i for i, o in enumerate(funding["tx"].vout)
                    if o.script_pubkey == witness_script_to_p2wsh_script(nop_script))
        policy_txs = [
            ("version", self.spend(u, [TxOut(v - 10000, spk)], version=4)),
            ("dust", self.spend(u, [TxOut(v - 10000, spk), TxOut(1, spk)])),
            ("min relay fee not met", self.spend(u, [TxOut(v, spk)])),
            ("mempool-script-verify-flag-failed (",
             self.spend({"txid": funding["txid"], "vout": vout}, [TxOut(10**8 - 10000, spk)], witness=[nop_script])),
        ]
        for reason, tx in policy_txs:
            with node.assert_debug_log([f"was not accepted: {reason}"], unexpected_msgs=["Misbehaving"]):
                policy_peer.send_and_ping(msg_tx(tx))
        orphan = self.spend({"txid": "22" * 32, "vout": 0}, [TxOut(10000, spk)])
        with node.assert_debug_log(["stored orphan tx"], unexpected_msgs=["Misbehaving"]):
            policy_peer.send_and_ping(msg_tx(orphan))
        assert policy_peer.is_connected
        assert_equal(node.getmempoolinfo()["size"], 0)

        self.log.info("a witness-stripped transaction (TX_WITNESS_STRIPPED) is not punished; the witnessed one is accepted")
        full = acs.create_self_transfer(fee=Decimal("0.0001"))
        stripped = Transaction(version=full["tx"].version, locktime=full["tx"].locktime)
        stripped.vin = full["tx"].vin
        stripped.vout = full["tx"].vout
        with node.assert_debug_log(["was not accepted: mempool-script-verify-flag-failed ("],
                                   unexpected_msgs=["Misbehaving"]):
            policy_peer.send_and_ping(msg_tx(stripped))
        assert policy_peer.is_connected
        policy_peer.send_and_ping(msg_tx(full["tx"]))
        assert full["txid"] in node.getrawmempool()
        self.generate(node, 1)

        self.log.info("undecodable tx bytes are dropped without a crash; the peer stays connected")
        garbage_peer = node.add_p2p_connection(P2PInterface())
        for payload in [b"", b"\x02\x00\x00\x00", b"\x02\x00\x00\x00\x00\x01", b"\xff" * 40]:
            with node.assert_debug_log(["ProcessMessages(tx, "], unexpected_msgs=["Misbehaving"]):
                garbage_peer.send_raw(frame_message("tx", payload, garbage_peer.magic))
                garbage_peer.sync_with_ping()
        assert garbage_peer.is_connected
        node.getblockcount()  # still alive

        self.log.info("a flood of invalid transactions from one peer: disconnected, the other peer's tx relays")
        flooder = node.add_p2p_connection(P2PInterface())
        honest = node.add_p2p_connection(P2PInterface())
        spender = acs.get_utxo()
        flood = []
        for n in range(50):
            bad = self.spend(spender, [TxOut(to_satoshis(spender["value"]) + 1 + n, spk)])  # bad-txns-in-belowout
            flood.append(bad)
        with node.assert_debug_log(["invalid transaction: bad-txns-in-belowout"]):
            for bad in flood:
                if not flooder.is_connected:
                    break
                try:
                    flooder.send_without_ping(msg_tx(bad))
                except IOError:
                    break
            flooder.wait_for_disconnect()
        good = acs.create_self_transfer(fee=Decimal("0.0001"))
        honest.send_and_ping(msg_tx(good["tx"]))
        assert good["txid"] in node.getrawmempool()
        wait_until(lambda: int(good["wtxid"], 16) in bystander.wtx_invs, timeout=60)
        assert honest.is_connected and bystander.is_connected and policy_peer.is_connected
        assert_equal(len(node.getpeerinfo()), 4)  # bystander, policy_peer, garbage_peer, honest

        self.log.info("a noban peer is not punished for a consensus-invalid transaction")
        self.restart_node(0, extra_args=["-listen=1", "-bind=127.0.0.1", "-whitelist=noban@127.0.0.1"])
        noban = node.add_p2p_connection(P2PInterface())
        u = acs.get_utxo()
        bad = self.spend(u, [TxOut(to_satoshis(u["value"]) + 1, spk)])
        with node.assert_debug_log(["invalid transaction: bad-txns-in-belowout", "not punishing noban peer"]):
            noban.send_and_ping(msg_tx(bad))
        assert noban.is_connected


if __name__ == "__main__":
    InvalidTxRequestTest().main()
