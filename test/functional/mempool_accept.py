#!/usr/bin/python3
"""Mempool acceptance checks through testmempoolaccept/sendrawtransaction,
with Core's reject reasons: standardness (version, dust, datacarrier),
finality and BIP68 locks, missing inputs, fees, script checks (mandatory and
policy-only flags), replacement rules and the ancestor limit."""
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.address import witness_script_to_p2wsh_script  # noqa: E402
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.messages import OutPoint, Transaction, TxIn, TxInWitness, TxOut  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import assert_equal, assert_raises_rpc_error, to_satoshis  # noqa: E402

OP_TRUE = b"\x51"
OP_NOP4 = b"\xb3"
OP_RETURN = b"\x6a"


class MempoolAcceptTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False

    def check(self, tx, reason=None, startswith=None):
        hex_ = tx["hex"] if isinstance(tx, dict) else tx.serialize().hex()
        result = self.nodes[0].testmempoolaccept([hex_])[0]
        if reason is None and startswith is None:
            assert_equal(result["allowed"], True, f"{result}")
        else:
            assert_equal(result["allowed"], False, f"{result}")
            if reason is not None:
                assert_equal(result["reject-reason"], reason)
            else:
                assert result["reject-reason"].startswith(startswith), result
        return result

    def spend(self, utxo, outputs, version=2, locktime=0, sequence=0xFFFFFFFD, witness=None):
        tx = Transaction(version=version, locktime=locktime)
        tx.vin.append(TxIn(OutPoint(utxo["txid"], utxo["vout"]), b"", sequence))
        tx.wit.append(TxInWitness(witness if witness is not None else [OP_TRUE]))
        tx.vout = outputs
        return tx

    def run_test(self):
        node = self.nodes[0]
        acs = self.acs = AnyoneCanSpend(node)
        spk = acs.script_pubkey

        self.log.info("a valid transaction: allowed, with vsize and base fee")
        tx = acs.create_self_transfer(fee=Decimal("0.0001"))
        result = self.check(tx)
        assert_equal(result["fees"]["base"], Decimal("0.0001"))
        assert_equal(result["vsize"], tx["tx"].get_vsize() if hasattr(tx["tx"], "get_vsize") else result["vsize"])
        node.sendrawtransaction(tx["hex"])
        self.check(tx, "txn-already-in-mempool")

        self.log.info("missing inputs")
        ghost = self.spend({"txid": "11" * 32, "vout": 0}, [TxOut(10000, spk)])
        self.check(ghost, "missing-inputs")

        utxo = acs.get_utxo()
        value = to_satoshis(utxo["value"])
        self.log.info("standardness: version, dust, datacarrier")
        self.check(self.spend(utxo, [TxOut(value - 10000, spk)], version=4), "version")
        self.check(self.spend(utxo, [TxOut(value - 10000, spk), TxOut(1, spk), TxOut(1, spk)]), "dust")
        self.check(self.spend(utxo, [TxOut(value - 10000, spk), TxOut(1, spk)]), "dust")
        big_data = OP_RETURN + b"\x4d" + (3000).to_bytes(2, "little") + b"\x00" * 3000
        self.check(self.spend(utxo, [TxOut(value - 100000, spk), TxOut(0, big_data), TxOut(0, big_data)]))

        self.log.info("finality and BIP68")
        height = node.getblockcount()
        self.check(self.spend(utxo, [TxOut(value - 10000, spk)], locktime=height + 10), "non-final")
        self.check(self.spend(utxo, [TxOut(value - 10000, spk)], locktime=height))
        self.check(self.spend(tx["new_utxo"], [TxOut(to_satoshis(tx["new_utxo"]["value"]) - 10000, spk)], sequence=1),
                   "non-BIP68-final")

        self.log.info("fees")
        self.check(self.spend(utxo, [TxOut(value, spk)]), "min relay fee not met")
        self.check(self.spend(utxo, [TxOut(value + 1, spk)]), "bad-txns-in-belowout")

        self.log.info("scripts: consensus failure and policy-only failure")
        self.check(self.spend(utxo, [TxOut(value - 10000, spk)], witness=[b"\x01", OP_TRUE]),
                   startswith="mempool-script-verify-flag-failed (")
        nop_script = OP_NOP4 + OP_TRUE
        funding = acs.send_to(witness_script_to_p2wsh_script(nop_script), Decimal("1"))
        acs.mine([funding])
        vout = next(i for i, o in enumerate(funding["tx"].vout) if o.script_pubkey == witness_script_to_p2wsh_script(nop_script))
        nop_spend = self.spend({"txid": funding["txid"], "vout": vout}, [TxOut(to_satoshis(Decimal("1")) - 10000, spk)],
                               witness=[nop_script])
        self.check(nop_spend, startswith="mempool-script-verify-flag-failed (")

        self.log.info("replacement: not enough fee, then enough")
        original = acs.create_self_transfer(fee=Decimal("0.0001"))
        node.sendrawtransaction(original["hex"])
        same = self.spend(original["tx"].vin[0].prevout and {"txid": original["tx"].vin[0].prevout.txid,
                                                              "vout": original["tx"].vin[0].prevout.n},
                          [TxOut(original["tx"].vout[0].value - 1, spk)])
        self.check(same, "insufficient fee")
        better = self.spend({"txid": original["tx"].vin[0].prevout.txid, "vout": original["tx"].vin[0].prevout.n},
                            [TxOut(original["tx"].vout[0].value - 1000, spk)])
        self.check(better)
        node.sendrawtransaction(better.serialize().hex())
        assert original["txid"] not in node.getrawmempool()

        self.log.info("ancestor limit: 25 in a chain, the 26th is too-long-mempool-chain")
        chain_tx = acs.create_self_transfer(fee=Decimal("0.0001"))
        node.sendrawtransaction(chain_tx["hex"])
        for _ in range(24):
            chain_tx = acs.create_self_transfer(utxo=chain_tx["new_utxo"], fee=Decimal("0.0001"))
            node.sendrawtransaction(chain_tx["hex"])
        last = acs.create_self_transfer(utxo=chain_tx["new_utxo"], fee=Decimal("0.0001"))
        self.check(last, "too-long-mempool-chain")
        assert_raises_rpc_error(-26, "too-long-mempool-chain", node.sendrawtransaction, last["hex"])

        self.log.info("-datacarriersize: OP_RETURN data above it is datacarrier")
        self.restart_node(0, extra_args=["-datacarriersize=100"])
        utxo = acs.get_utxo()
        value = to_satoshis(utxo["value"])
        data = OP_RETURN + b"\x4c\x62" + b"\x00" * 98  # 101 bytes of scriptPubKey
        self.check(self.spend(utxo, [TxOut(value - 10000, spk), TxOut(0, data)]), "datacarrier")
        data_ok = OP_RETURN + b"\x4c\x61" + b"\x00" * 97  # 100 bytes
        self.check(self.spend(utxo, [TxOut(value - 10000, spk), TxOut(0, data_ok)]))


if __name__ == "__main__":
    MempoolAcceptTest().main()
