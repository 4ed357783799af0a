#!/usr/bin/python3
"""signrawtransactionwithkey: legacy P2PKH, P2SH-wrapped P2WPKH, native P2WPKH
and taproot key-path spends signed with WIF keys, 2-of-3 multisig (P2WSH
and P2SH) signed in parts and combined, coins found in the UTXO
set or given as prevtxs (also for an unconfirmed parent), sighash types,
incomplete signing with its error entries, and bad arguments. Every signed
transaction must pass testmempoolaccept and enter the mempool."""
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.address import (address_to_script, base58check_encode, script_to_p2sh_address,  # noqa: E402
                                    witness_script_to_p2wsh_address)
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import assert_equal, assert_raises_rpc_error  # noqa: E402

KEYS = [bytes([k]) * 32 for k in (0x11, 0x22, 0x33, 0x44, 0x55)]


def wif(secret):
    return base58check_encode(0xef, secret + b"\x01")


class SignRawTransactionTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False

    def address(self, desc):
        node = self.nodes[0]
        checksum = node.getdescriptorinfo(desc)["checksum"]
        return node.deriveaddresses(desc + "#" + checksum)[0]

    def fund(self, address, amount=Decimal("1")):
        spk = address_to_script(address)
        funding = self.acs.send_to(spk, amount)
        vout = next(i for i, out in enumerate(funding["tx"].vout) if out.script_pubkey == spk)
        return funding, vout, spk

    def spend(self, funding, vout, amount=Decimal("0.999")):
        return self.nodes[0].createrawtransaction([{"txid": funding["txid"], "vout": vout}],
                                                  [{self.acs.address: amount}])

    def run_test(self):
        node = self.nodes[0]
        self.acs = AnyoneCanSpend(node)
        kinds = [
            ("legacy P2PKH", "pkh({})", KEYS[0]),
            ("P2SH-P2WPKH", "sh(wpkh({}))", KEYS[1]),
            ("P2WPKH", "wpkh({})", KEYS[2]),
            ("taproot key path", "tr({})", KEYS[3]),
        ]
        coins = []
        for name, template, secret in kinds:
            address = self.address(template.format(wif(secret)))
            funding, vout, spk = self.fund(address)
            coins.append((name, secret, funding, vout, spk))
        self.acs.mine([c[2] for c in coins])

        for name, secret, funding, vout, spk in coins:
            self.log.info(f"{name}: coin from the UTXO set")
            raw = self.spend(funding, vout)
            signed = node.signrawtransactionwithkey(raw, [wif(secret)])
            assert_equal(signed["complete"], True, name)
            assert "errors" not in signed
            [accept] = node.testmempoolaccept([signed["hex"]])
            assert_equal(accept["allowed"], True, f"{name}: {accept}")
            txid = node.sendrawtransaction(signed["hex"])
            assert txid in node.getrawmempool()
            if name == "taproot key path":
                witness = node.decoderawtransaction(signed["hex"])["vin"][0]["txinwitness"]
                assert_equal(len(witness), 1)
                assert_equal(len(bytes.fromhex(witness[0])), 64)  # SIGHASH_DEFAULT: no hash type byte
        self.generate(node, 1)

        self.log.info("prevtxs for an unconfirmed parent (P2WPKH), then the child in the mempool")
        address = self.address("wpkh({})".format(wif(KEYS[4])))
        funding, vout, spk = self.fund(address)
        raw = self.spend(funding, vout)
        # Not known to the node yet: incomplete with an error entry.
        unknown = node.signrawtransactionwithkey(raw, [wif(KEYS[4])])
        assert_equal(unknown["complete"], False)
        assert_equal(unknown["errors"][0]["error"], "Input not found or already spent")
        assert_equal(unknown["errors"][0]["txid"], funding["txid"])
        assert_equal(unknown["errors"][0]["vout"], vout)
        prevtx = {"txid": funding["txid"], "vout": vout, "scriptPubKey": spk.hex(), "amount": Decimal("1")}
        signed = node.signrawtransactionwithkey(raw, [wif(KEYS[4])], [prevtx])
        assert_equal(signed["complete"], True)
        assert_raises_rpc_error(-8, "Missing amount", node.signrawtransactionwithkey, raw, [wif(KEYS[4])],
                                [{"txid": funding["txid"], "vout": vout, "scriptPubKey": spk.hex()}])
        res = node.submitpackage([funding["hex"], signed["hex"]])
        assert_equal(res["package_msg"], "success")
        # The parent now in the mempool: signing finds the coin there without prevtxs.
        again = node.signrawtransactionwithkey(raw, [wif(KEYS[4])])
        assert_equal(again["complete"], True)
        self.generate(node, 1)

        self.log.info("sighash types")
        address = self.address("wpkh({})".format(wif(KEYS[2])))
        funding, vout, spk = self.fund(address)
        self.acs.mine([funding])
        raw = self.spend(funding, vout)
        for sighash, byte in (("ALL|ANYONECANPAY", 0x81), ("SINGLE", 0x03), ("NONE", 0x02), ("ALL", 0x01)):
            signed = node.signrawtransactionwithkey(raw, [wif(KEYS[2])], None, sighash)
            assert_equal(signed["complete"], True, sighash)
            sig = bytes.fromhex(node.decoderawtransaction(signed["hex"])["vin"][0]["txinwitness"][0])
            assert_equal(sig[-1], byte, sighash)
            assert_equal(node.testmempoolaccept([signed["hex"]])[0]["allowed"], True)
        assert_raises_rpc_error(-8, "ALL|SOME is not a valid sighash parameter.", node.signrawtransactionwithkey,
                                raw, [wif(KEYS[2])], None, "ALL|SOME")

        self.log.info("the wrong key: incomplete, the input left unsigned")
        wrong = node.signrawtransactionwithkey(raw, [wif(KEYS[0])])
        assert_equal(wrong["complete"], False)
        assert_equal(len(wrong["errors"]), 1)
        assert_equal(wrong["errors"][0]["txid"], funding["txid"])
        assert_equal(wrong["errors"][0]["witness"], [])
        assert_equal(wrong["errors"][0]["scriptSig"], "")
        assert "sequence" in wrong["errors"][0] and wrong["errors"][0]["error"]

        self.log.info("2-of-3 multisig (P2WSH and P2SH): partial signatures, then combined or signed on")
        pubs = []
        for secret in KEYS[:3]:
            desc = node.getdescriptorinfo("wpkh({})".format(wif(secret)))["descriptor"]
            pubs.append(bytes.fromhex(desc[len("wpkh("):desc.index(")")]))
        script = bytes([0x52]) + b"".join(bytes([33]) + p for p in pubs) + bytes([0x53, 0xae])
        for kind, address in (("P2WSH", witness_script_to_p2wsh_address(script)), ("P2SH", script_to_p2sh_address(script))):
            ms_funding, ms_vout, ms_spk = self.fund(address)
            self.acs.mine([ms_funding])
            ms_raw = self.spend(ms_funding, ms_vout)
            prev = {"txid": ms_funding["txid"], "vout": ms_vout, "scriptPubKey": ms_spk.hex(), "amount": Decimal("1")}
            prev["witnessScript" if kind == "P2WSH" else "redeemScript"] = script.hex()
            first = node.signrawtransactionwithkey(ms_raw, [wif(KEYS[0])], [prev])
            assert_equal(first["complete"], False, kind)
            second = node.signrawtransactionwithkey(ms_raw, [wif(KEYS[2])], [prev])
            assert_equal(second["complete"], False, kind)
            combined = node.combinerawtransaction([first["hex"], second["hex"]])
            assert_equal(node.testmempoolaccept([combined])[0]["allowed"], True, kind)
            onward = node.signrawtransactionwithkey(first["hex"], [wif(KEYS[1])], [prev])
            assert_equal(onward["complete"], True, kind)
            assert_equal(node.testmempoolaccept([onward["hex"]])[0]["allowed"], True, kind)
            node.sendrawtransaction(combined)
        self.generate(node, 1)

        self.log.info("bad arguments")
        assert_raises_rpc_error(-5, "Invalid private key", node.signrawtransactionwithkey, raw, ["notakey"])
        assert_raises_rpc_error(-22, "TX decode failed", node.signrawtransactionwithkey, "00", [wif(KEYS[0])])
        assert_raises_rpc_error(-22, "Previous output scriptPubKey mismatch", node.signrawtransactionwithkey, raw,
                                [wif(KEYS[2])], [{"txid": funding["txid"], "vout": vout, "scriptPubKey": "51",
                                                  "amount": 1}])


if __name__ == "__main__":
    SignRawTransactionTest().main()
