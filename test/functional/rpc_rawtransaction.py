#!/usr/bin/python3
"""Raw transaction RPCs: createrawtransaction, decoderawtransaction,
decodescript, getrawtransaction (mempool, block hash, -txindex; verbosity
0/1/2), combinerawtransaction, sendrawtransaction (maxfeerate, maxburnamount,
errors -25/-26/-27), testmempoolaccept (single and package) and submitpackage."""
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.messages import TxOut, tx_from_hex  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import assert_equal, assert_raises_rpc_error  # noqa: E402

ADDR_P2WPKH = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
GENESIS_COINBASE = "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"


class RawTransactionTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.setup_clean_chain = False
        self.extra_args = [[], ["-txindex"]]

    def run_test(self):
        self.node = self.nodes[0]
        self.acs = AnyoneCanSpend(self.node)
        self.test_create_and_decode()
        self.test_decodescript()
        self.test_send()
        self.test_testmempoolaccept()
        self.test_submitpackage()
        self.test_getrawtransaction()
        self.test_combine()

    def test_create_and_decode(self):
        self.log.info("createrawtransaction / decoderawtransaction")
        node = self.node
        txid = "1d1d4e24ed99057e84c3f80fd8fbec79ed9e1acee37da269356ecea000000000"
        raw = node.createrawtransaction([{"txid": txid, "vout": 3}], [{ADDR_P2WPKH: 1.5}, {"data": "00ff"}])
        dec = node.decoderawtransaction(raw)
        assert_equal(dec["version"], 2)
        assert_equal(dec["locktime"], 0)
        assert_equal(dec["vin"][0]["txid"], txid)
        assert_equal(dec["vin"][0]["vout"], 3)
        assert_equal(dec["vin"][0]["sequence"], 0xfffffffd)  # replaceable by default
        assert_equal(dec["vout"][0]["value"], Decimal("1.5"))
        assert_equal(dec["vout"][0]["scriptPubKey"]["address"], ADDR_P2WPKH)
        assert_equal(dec["vout"][1]["scriptPubKey"]["type"], "nulldata")
        assert "hex" not in dec
        # Object form, locktime, not replaceable, version 3.
        raw = node.createrawtransaction([{"txid": txid, "vout": 0}], {ADDR_P2WPKH: "0.1"}, 100, False, 3)
        dec = node.decoderawtransaction(raw)
        assert_equal(dec["version"], 3)
        assert_equal(dec["locktime"], 100)
        assert_equal(dec["vin"][0]["sequence"], 0xfffffffe)
        raw = node.createrawtransaction([{"txid": txid, "vout": 0, "sequence": 7}], [], 0, False)
        assert_equal(node.decoderawtransaction(raw)["vin"][0]["sequence"], 7)
        # Errors.
        assert_raises_rpc_error(-8, "Invalid parameter, missing vout key", node.createrawtransaction,
                                [{"txid": txid}], {})
        assert_raises_rpc_error(-8, "Invalid parameter, vout cannot be negative", node.createrawtransaction,
                                [{"txid": txid, "vout": -1}], {})
        assert_raises_rpc_error(-8, "txid must be of length 64", node.createrawtransaction,
                                [{"txid": "aa", "vout": 0}], {})
        assert_raises_rpc_error(-5, "Invalid Bitcoin address: notanaddress", node.createrawtransaction, [],
                                {"notanaddress": 1})
        assert_raises_rpc_error(-8, "Invalid parameter, duplicated address: " + ADDR_P2WPKH,
                                node.createrawtransaction, [], [{ADDR_P2WPKH: 1}, {ADDR_P2WPKH: 2}])
        assert_raises_rpc_error(-8, "Invalid parameter, key-value pair must contain exactly one key",
                                node.createrawtransaction, [], [{ADDR_P2WPKH: 1, "data": "00"}])
        assert_raises_rpc_error(-3, "Amount out of range", node.createrawtransaction, [], {ADDR_P2WPKH: -1})
        assert_raises_rpc_error(-22, "TX decode failed", node.decoderawtransaction, "00")
        assert_raises_rpc_error(-22, "TX decode failed", node.decoderawtransaction, "zz")
        # A witness transaction decodes with its witness, and the legacy reading is refused.
        tx = self.acs.create_self_transfer()
        dec = node.decoderawtransaction(tx["hex"])
        assert_equal(dec["txid"], tx["txid"])
        assert_equal(dec["hash"], tx["wtxid"])
        assert_equal(dec["vin"][0]["txinwitness"], ["51"])
        assert_raises_rpc_error(-22, "TX decode failed", node.decoderawtransaction, tx["hex"], False)
        assert_equal(node.decoderawtransaction(tx["hex"], True)["txid"], tx["txid"])
        self.acs._spent_pending.clear()

    def test_decodescript(self):
        self.log.info("decodescript")
        node = self.node
        pubkey = "03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd"
        # P2PK: p2sh, and segwit as P2WPKH.
        r = node.decodescript("21" + pubkey + "ac")
        assert_equal(r["asm"], pubkey + " OP_CHECKSIG")
        assert_equal(r["type"], "pubkey")
        assert r["p2sh"].startswith("2")
        assert_equal(r["segwit"]["type"], "witness_v0_keyhash")
        assert r["segwit"]["p2sh-segwit"].startswith("2")
        assert "address" not in r
        # P2PKH has an address, p2sh and a P2WPKH segwit form.
        keyhash = "5dd1d3a048119c27b28293056724d9522f26d945"
        r = node.decodescript("76a914" + keyhash + "88ac")
        assert_equal(r["type"], "pubkeyhash")
        assert r["address"].startswith(("m", "n"))
        assert_equal(r["segwit"]["hex"], "0014" + keyhash)
        # 1-of-2 multisig: P2WSH segwit form.
        ms = "51" + "21" + pubkey + "21" + pubkey + "52ae"
        r = node.decodescript(ms)
        assert_equal(r["type"], "multisig")
        assert_equal(r["segwit"]["type"], "witness_v0_scripthash")
        # P2SH and taproot outputs are not wrapped; OP_RETURN neither.
        r = node.decodescript("a914" + keyhash + "87")
        assert_equal(r["type"], "scripthash")
        assert "p2sh" not in r and "segwit" not in r
        r = node.decodescript("5120" + "11" * 32)
        assert_equal(r["type"], "witness_v1_taproot")
        assert "p2sh" not in r
        r = node.decodescript("6a0400ff00ff")
        assert_equal(r["type"], "nulldata")
        assert "p2sh" not in r
        # P2WPKH gets p2sh but no segwit form.
        r = node.decodescript("0014" + keyhash)
        assert_equal(r["type"], "witness_v0_keyhash")
        assert "p2sh" in r and "segwit" not in r
        assert_equal(node.decodescript("")["type"], "nonstandard")
        assert_raises_rpc_error(-8, "must be hexadecimal string", node.decodescript, "xx")

    def test_send(self):
        self.log.info("sendrawtransaction")
        node = self.node
        utxo = self.acs.get_utxo()
        tx = self.acs.create_self_transfer(utxo=utxo, fee=Decimal("0.0001"))
        assert_equal(node.sendrawtransaction(tx["hex"]), tx["txid"])
        assert tx["txid"] in node.getrawmempool()
        # Again: already in the mempool is fine.
        assert_equal(node.sendrawtransaction(tx["hex"]), tx["txid"])
        # A conflicting spend of the same coin paying less: -26.
        double = self.acs.create_self_transfer(utxo=utxo, fee=Decimal("0.00005"))
        assert_raises_rpc_error(-26, "insufficient fee", node.sendrawtransaction, double["hex"])
        # Missing inputs: -25.
        orphan = tx_from_hex(tx["hex"])
        orphan.vin[0].prevout.n = 7
        assert_raises_rpc_error(-25, "bad-txns-inputs-missingorspent", node.sendrawtransaction, orphan.serialize().hex())
        # Too high a fee for maxfeerate: -25; maxfeerate 0 allows it.
        rich = self.acs.create_self_transfer(fee=Decimal("1"))
        assert_raises_rpc_error(-25, "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)",
                                node.sendrawtransaction, rich["hex"])
        assert_raises_rpc_error(-8, "Fee rates larger than or equal to 1BTC/kvB are not accepted",
                                node.sendrawtransaction, rich["hex"], 1)
        assert_equal(node.sendrawtransaction(rich["hex"], 0), rich["txid"])
        # A burn above maxburnamount.
        burn = self.acs.send_to(bytes.fromhex("6a0401020304"), Decimal("0.01"))
        assert_raises_rpc_error(-25, "Unspendable output exceeds maximum configured by user (maxburnamount)",
                                node.sendrawtransaction, burn["hex"])
        assert_equal(node.sendrawtransaction(burn["hex"], 0, Decimal("0.01")), burn["txid"])
        # Confirmed: outputs already in the UTXO set, -27.
        self.generate(node, 1)
        assert_raises_rpc_error(-27, "Transaction outputs already in utxo set", node.sendrawtransaction, tx["hex"])
        # A policy rejection: -26 with the reject reason (zero fee).
        zero = self.acs.create_self_transfer(fee=Decimal("0"))
        assert_raises_rpc_error(-26, "min relay fee not met", node.sendrawtransaction, zero["hex"])
        assert_raises_rpc_error(-22, "TX decode failed", node.sendrawtransaction, "0011")
        self.acs._spent_pending.clear()

    def test_testmempoolaccept(self):
        self.log.info("testmempoolaccept")
        node = self.node
        tx = self.acs.create_self_transfer(fee=Decimal("0.0002"))
        [res] = node.testmempoolaccept([tx["hex"]])
        assert_equal(res["txid"], tx["txid"])
        assert_equal(res["wtxid"], tx["wtxid"])
        assert_equal(res["allowed"], True)
        vsize = node.decoderawtransaction(tx["hex"])["vsize"]
        assert_equal(res["vsize"], vsize)
        assert_equal(res["fees"]["base"], Decimal("0.0002"))
        assert_equal(res["fees"]["effective-feerate"], (Decimal("0.0002") * 1000 / vsize).quantize(Decimal("0.00000001")))
        assert_equal(res["fees"]["effective-includes"], [tx["wtxid"]])
        assert tx["txid"] not in node.getrawmempool()
        # maxfeerate
        [res] = node.testmempoolaccept([tx["hex"]], Decimal("0.00001"))
        assert_equal(res["allowed"], False)
        assert_equal(res["reject-reason"], "max-fee-exceeded")
        # Rejections carry the reason.
        zero = self.acs.create_self_transfer(fee=Decimal("0"))
        [res] = node.testmempoolaccept([zero["hex"]])
        assert_equal(res["allowed"], False)
        assert_equal(res["reject-reason"], "min relay fee not met")
        assert "reject-details" in res
        bad = tx_from_hex(tx["hex"])
        bad.vin[0].prevout.n = 9
        [res] = node.testmempoolaccept([bad.serialize().hex()])
        assert_equal(res["reject-reason"], "missing-inputs")
        # A package: parent and child.
        parent = self.acs.create_self_transfer(fee=Decimal("0.0001"))
        child = self.acs.create_self_transfer(utxo=parent["new_utxo"], fee=Decimal("0.0001"))
        res = node.testmempoolaccept([parent["hex"], child["hex"]])
        assert_equal(len(res), 2)
        assert_equal([r["txid"] for r in res], [parent["txid"], child["txid"]])
        assert all(r["allowed"] for r in res), res
        assert_equal(node.getrawmempool().count(parent["txid"]), 0)
        # Unrelated transactions together: each judged alone, on its own fee.
        u = self.acs.get_utxo()
        one = self.acs.create_self_transfer(utxo=u, fee=Decimal("0.0001"))
        two = self.acs.create_self_transfer(fee=Decimal("0.0002"))
        res = node.testmempoolaccept([one["hex"], two["hex"]])
        assert all(r["allowed"] for r in res), res
        assert_equal([r["fees"]["effective-includes"] for r in res], [[one["wtxid"]], [two["wtxid"]]])
        assert all("package-error" not in r for r in res), res
        # No CPFP in a dry run: a zero-fee parent fails on its own fee and its
        # child is not judged (only txid and wtxid); not a package error.
        free_parent = self.acs.create_self_transfer(fee=Decimal("0"))
        rich_child = self.acs.create_self_transfer(utxo=free_parent["new_utxo"], fee=Decimal("0.001"))
        res = node.testmempoolaccept([free_parent["hex"], rich_child["hex"]])
        assert_equal(res[0]["allowed"], False)
        assert_equal(res[0]["reject-reason"], "min relay fee not met")
        assert_equal(res[1], {"txid": rich_child["txid"], "wtxid": rich_child["wtxid"]})
        assert "package-error" not in res[0], res
        # A member already in the mempool fails; the rest are not judged.
        node.sendrawtransaction(one["hex"])
        res = node.testmempoolaccept([one["hex"], two["hex"]])
        assert_equal(res[0]["allowed"], False)
        assert_equal(res[0]["reject-reason"], "txn-already-in-mempool")
        assert_equal(res[1], {"txid": two["txid"], "wtxid": two["wtxid"]})
        # Over maxfeerate: the ones after it get no verdict either.
        three = self.acs.create_self_transfer(fee=Decimal("0.0001"))
        res = node.testmempoolaccept([two["hex"], three["hex"]], Decimal("0.00001"))
        assert_equal(res[0]["reject-reason"], "max-fee-exceeded")
        assert_equal(res[1], {"txid": three["txid"], "wtxid": three["wtxid"]})
        assert_raises_rpc_error(-8, "Array must contain between 1 and 25 transactions.", node.testmempoolaccept, [])
        assert_raises_rpc_error(-22, "TX decode failed", node.testmempoolaccept, ["00"])
        self.acs._spent_pending.clear()
        self.acs._spent_pending.add((u["txid"], u["vout"]))  # `one` stays in the mempool

    def test_submitpackage(self):
        self.log.info("submitpackage: a zero-fee parent paid for by its child")
        node = self.node
        # Version 3 (TRUC): only a TRUC parent may be below the minimum relay
        # feerate (mempool_truc.py has the non-TRUC case).
        parent = self.acs.create_self_transfer(fee=Decimal("0"), version=3)
        child = self.acs.create_self_transfer(utxo=parent["new_utxo"], fee=Decimal("0.0005"), version=3)
        assert_raises_rpc_error(-26, "min relay fee not met", node.sendrawtransaction, parent["hex"])
        res = node.submitpackage([parent["hex"], child["hex"]])
        assert_equal(res["package_msg"], "success")
        assert_equal(set(res["tx-results"].keys()), {parent["wtxid"], child["wtxid"]})
        assert_equal(res["tx-results"][child["wtxid"]]["txid"], child["txid"])
        assert_equal(res["tx-results"][parent["wtxid"]]["fees"]["base"], Decimal("0"))
        assert "vsize" in res["tx-results"][child["wtxid"]]
        assert_equal(res["replaced-transactions"], [])
        pool = node.getrawmempool()
        assert parent["txid"] in pool and child["txid"] in pool
        # Submitting again: both already there.
        res = node.submitpackage([parent["hex"], child["hex"]])
        assert_equal(res["package_msg"], "success")
        # Not child-with-parents.
        a = self.acs.create_self_transfer()
        b = self.acs.create_self_transfer()
        assert_raises_rpc_error(-8, "package topology disallowed", node.submitpackage, [a["hex"], b["hex"]])

        self.log.info("submitpackage: a member failing alone (not on its fee); the others still tried alone")
        good = self.acs.create_self_transfer(fee=Decimal("0.0001"))
        bad = self.acs.create_self_transfer(fee=Decimal("0.0001"), version=4)  # non-standard version
        kid = self.acs.create_self_transfer_multi(utxos=[good["new_utxo"], bad["new_utxo"]], fee=Decimal("0.0002"))
        res = node.submitpackage([good["hex"], bad["hex"], kid["hex"]])
        assert_equal(res["package_msg"], "transaction failed")
        assert_equal(res["replaced-transactions"], [])
        results = res["tx-results"]
        assert_equal(set(results.keys()), {good["wtxid"], bad["wtxid"], kid["wtxid"]})
        assert_equal(set(results[good["wtxid"]].keys()), {"txid", "vsize", "fees"})
        assert_equal(results[good["wtxid"]]["fees"]["effective-includes"], [good["wtxid"]])
        assert_equal(results[bad["wtxid"]], {"txid": bad["txid"], "error": "version"})
        assert_equal(results[kid["wtxid"]], {"txid": kid["txid"], "error": "bad-txns-inputs-missingorspent"})
        pool = node.getrawmempool()
        assert good["txid"] in pool and bad["txid"] not in pool and kid["txid"] not in pool
        self.generate(node, 1)
        self.acs._spent_pending.clear()

    def test_getrawtransaction(self):
        self.log.info("getrawtransaction: mempool, block hash, -txindex, verbosity")
        node, indexed = self.nodes
        tx = self.acs.create_self_transfer(fee=Decimal("0.0001"))
        node.sendrawtransaction(tx["hex"])
        assert_equal(node.getrawtransaction(tx["txid"]), tx["hex"])
        v1 = node.getrawtransaction(tx["txid"], 1)
        assert_equal(v1["txid"], tx["txid"])
        assert_equal(v1["hex"], tx["hex"])
        assert "blockhash" not in v1 and "confirmations" not in v1
        assert_equal(node.getrawtransaction(tx["txid"], True)["txid"], tx["txid"])
        block_hash = self.generate(node, 1)[0]
        # The -txindex node is not connected: hand it the blocks it lacks.
        for height in range(indexed.getblockcount() + 1, node.getblockcount() + 1):
            indexed.submitblock(node.getblock(node.getblockhash(height), 0))
        assert_equal(indexed.getbestblockhash(), block_hash)
        # Confirmed: gone from the mempool; with the block hash it is found.
        assert_raises_rpc_error(-5, "No such mempool transaction. Use -txindex or provide a block hash",
                                node.getrawtransaction, tx["txid"])
        assert_equal(node.getrawtransaction(tx["txid"], 0, block_hash), tx["hex"])
        v1 = node.getrawtransaction(tx["txid"], 1, block_hash)
        assert_equal(v1["in_active_chain"], True)
        assert_equal(v1["blockhash"], block_hash)
        assert_equal(v1["confirmations"], 1)
        assert_equal(v1["time"], node.getblock(block_hash)["time"])
        assert_equal(v1["blocktime"], v1["time"])
        v2 = node.getrawtransaction(tx["txid"], 2, block_hash)
        assert_equal(v2["fee"], Decimal("0.0001"))
        assert_equal(v2["vin"][0]["prevout"]["value"], tx["new_utxo"]["value"] + Decimal("0.0001"))
        assert "generated" in v2["vin"][0]["prevout"]
        # -txindex finds it without the hash.
        v1i = indexed.getrawtransaction(tx["txid"], 1)
        assert_equal(v1i["blockhash"], block_hash)
        assert_equal(indexed.getrawtransaction(tx["txid"]), tx["hex"])
        assert_raises_rpc_error(-5, "No such mempool or blockchain transaction", indexed.getrawtransaction, "00" * 32)
        # Errors.
        assert_raises_rpc_error(-5, "Block hash not found", node.getrawtransaction, tx["txid"], 0, "00" * 32)
        other = node.getblockhash(1)
        assert_raises_rpc_error(-5, "No such transaction found in the provided block", node.getrawtransaction,
                                tx["txid"], 0, other)
        assert_raises_rpc_error(-5, "The genesis block coinbase is not considered an ordinary transaction",
                                node.getrawtransaction, GENESIS_COINBASE)
        assert_raises_rpc_error(-8, "parameter 1 must be of length 64", node.getrawtransaction, "abcd")
        self.acs._spent_pending.clear()

    def test_combine(self):
        self.log.info("combinerawtransaction")
        node = self.node
        tx = self.acs.create_self_transfer()
        unsigned = tx_from_hex(tx["hex"])
        unsigned.wit[0].stack = []
        combined = node.combinerawtransaction([unsigned.serialize().hex(), tx["hex"]])
        assert_equal(combined, tx["hex"])
        assert_raises_rpc_error(-22, "Missing transactions", node.combinerawtransaction, [])
        assert_raises_rpc_error(-22, "TX decode failed for tx 0", node.combinerawtransaction, ["00"])
        self.acs._spent_pending.clear()


if __name__ == "__main__":
    RawTransactionTest().main()
