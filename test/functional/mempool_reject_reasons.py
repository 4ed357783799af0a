#!/usr/bin/python3
"""Every reject reason the mempool produces (src/consensus/tx_check.cpp,
tx_verify.cpp, src/node/policy.cpp IsStandardTx, src/node/mempool_accept.cpp)
hit once through testmempoolaccept and checked by its exact string; package
reasons through a multi-transaction testmempoolaccept ("package-error" for the
package rules; as Core, a package dry run judges each member alone on its own
fee, may not conflict with the mempool, stops at the first failing member and
checks its members' ancestor/descendant limits together).
Through submitpackage: "max feerate exceeded" (its maxfeerate argument, on
each transaction's own feerate), "transaction failed" (every member still
tried alone, each with its own verdict) and "package-not-validated" (a
package refused as a whole before any member was tried). Through
sendrawtransaction on a node with -maxmempool=5: "mempool full" (accepted,
then evicted by the size trim of the same acceptance; a dry run never trims),
and through submitpackage for both members of a package trimmed away once
it went in.

Not reachable: "bad-txns-inputvalues-outofrange" / "bad-txns-fee-outofrange"
(the coins spent would have to be worth more than MAX_MONEY, and no such coin
can be created: every output is checked against it), and
"package-too-many-transactions" and the empty package's "package-not-sorted"
(the RPCs refuse 0 or more than 25 transactions first; the former is in the
unit test mempool_tests/package_limits_and_conflicts), and
"package-not-child-with-parents" (testmempoolaccept takes any set of
transactions, and submitpackage refuses another topology with an RPC error
before validation, as Core; in the unit test mempool_tests/cpfp_package)."""
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.address import script_to_p2sh_script, witness_script_to_p2wsh_script  # noqa: E402
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.messages import OutPoint, Transaction, TxIn, TxInWitness, TxOut  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import assert_equal, assert_raises_rpc_error, to_satoshis  # noqa: E402

OP_TRUE = b"\x51"
OP_DROP = b"\x75"
OP_NOP4 = b"\xb3"
OP_RETURN = b"\x6a"
OP_CHECKMULTISIG = b"\xae"
NULL_OUTPOINT = OutPoint(0, 0xFFFFFFFF)


def bare_multisig_1of3():
    key = b"\x21\x02" + b"\x11" * 32
    return b"\x51" + key * 3 + b"\x53" + OP_CHECKMULTISIG


class MempoolRejectReasonsTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False

    def tma(self, txs):
        hexes = [t if isinstance(t, str) else t.serialize().hex() for t in txs]
        return self.nodes[0].testmempoolaccept(hexes)

    def check(self, tx, reason, startswith=False):
        result = self.tma([tx])[0]
        assert_equal(result["allowed"], False, f"{result}")
        if startswith:
            assert result["reject-reason"].startswith(reason), result
        else:
            assert_equal(result["reject-reason"], reason)
        self.hit.add(reason)
        return result

    def check_package(self, txs, error, reasons=None):
        results = self.tma(txs)
        assert_equal(len(results), len(txs))
        for r in results:
            assert r["package-error"].startswith(error), results
            assert "allowed" not in r or r["allowed"] is False, results
        if reasons is not None:
            assert_equal([r.get("reject-reason") for r in results], reasons)
            self.hit.update(x for x in reasons if x)
        self.hit.add(error)
        return results

    def spend(self, utxos, outputs, version=2, locktime=0, sequence=0xFFFFFFFD, witness=None, script_sig=b""):
        if isinstance(utxos, (dict, OutPoint)):
            utxos = [utxos]
        tx = Transaction(version=version, locktime=locktime)
        for u in utxos:
            prevout = u if isinstance(u, OutPoint) else OutPoint(u["txid"], u["vout"])
            tx.vin.append(TxIn(prevout, script_sig, sequence))
            tx.wit.append(TxInWitness(witness if witness is not None else [OP_TRUE]))
        tx.vout = outputs
        return tx

    def run_test(self):
        node = self.nodes[0]
        self.hit = set()
        acs = self.acs = AnyoneCanSpend(node)
        spk = self.spk = acs.script_pubkey
        sat = to_satoshis

        self.log.info("funding: special outputs in one block")
        drop_script = OP_DROP + OP_TRUE
        nop_script = OP_NOP4 + OP_TRUE
        drop_spk = witness_script_to_p2wsh_script(drop_script)
        nop_spk = witness_script_to_p2wsh_script(nop_script)
        funding = acs.create_self_transfer_multi(
            extra_outputs=[TxOut(10**8, drop_spk), TxOut(10**8, drop_spk), TxOut(10**8, nop_spk),
                           TxOut(10**8, OP_TRUE)])
        many = acs.create_self_transfer_multi(num_outputs=101, fee=Decimal("0.001"))
        acs.mine([funding, many])
        ftx = funding["tx"]
        fid = funding["txid"]
        idx = {}
        for i, o in enumerate(ftx.vout):
            idx.setdefault(o.script_pubkey, []).append(i)
        drop_a = {"txid": fid, "vout": idx[drop_spk][0], "value": Decimal(1)}
        drop_b = {"txid": fid, "vout": idx[drop_spk][1], "value": Decimal(1)}
        nop_u = {"txid": fid, "vout": idx[nop_spk][0], "value": Decimal(1)}
        bare_u = {"txid": fid, "vout": idx[OP_TRUE][0], "value": Decimal(1)}

        u = acs.get_utxo()
        v = sat(u["value"])
        ok_out = [TxOut(v - 10000, spk)]
        height = node.getblockcount()

        self.log.info("CheckTransaction (consensus structure)")
        no_vin = Transaction(version=2)
        no_vin.vout = [TxOut(1000, spk)]
        self.check(no_vin.serialize_without_witness().hex(), "bad-txns-vin-empty")
        self.check(self.spend(u, []), "bad-txns-vout-empty")
        self.check(self.spend(u, [TxOut(v - 10000, b"\x6a" + b"\x4e" + (1_000_000).to_bytes(4, "little")
                                        + b"\x00" * 1_000_000)]), "bad-txns-oversize")
        self.check(self.spend(u, [TxOut(-1, spk)]), "bad-txns-vout-negative")
        self.check(self.spend(u, [TxOut(21_000_000 * 10**8 + 1, spk)]), "bad-txns-vout-toolarge")
        self.check(self.spend(u, [TxOut(21_000_000 * 10**8, spk)] * 2), "bad-txns-txouttotal-toolarge")
        self.check(self.spend([u, u], ok_out), "bad-txns-inputs-duplicate")
        cb = Transaction(version=2)
        cb.vin.append(TxIn(NULL_OUTPOINT, b"\x01", 0xFFFFFFFF))
        cb.vout = [TxOut(1000, spk)]
        self.check(cb, "bad-cb-length")
        self.check(self.spend([u, NULL_OUTPOINT], ok_out), "bad-txns-prevout-null")
        cb.vin[0].script_sig = b"\x01\x02"
        self.check(cb, "coinbase")

        self.log.info("IsStandardTx")
        self.check(self.spend(u, ok_out, version=4), "version")
        self.check(self.spend(u, ok_out, witness=[b"\x00" * 400_001, OP_TRUE]), "tx-size")
        self.check(self.spend(u, ok_out, script_sig=b"\x4d" + (1700).to_bytes(2, "little") + b"\x00" * 1700),
                   "scriptsig-size")
        self.check(self.spend(u, ok_out, script_sig=b"\x61"), "scriptsig-not-pushonly")
        self.check(self.spend(u, [TxOut(v - 10000, OP_TRUE + OP_TRUE)]), "scriptpubkey")
        self.check(self.spend(u, [TxOut(v - 10000, spk), TxOut(1, spk), TxOut(1, spk)]), "dust")
        self.log.info("ephemeral dust: one dust output only in a 0-fee transaction")
        r = self.check(self.spend(u, [TxOut(v - 10000, spk), TxOut(1, spk)]), "dust")
        assert "tx with dust output must be 0-fee" in r["reject-details"], r
        self.check(self.spend(u, [TxOut(v - 10000, OP_RETURN)]), "tx-size-small")

        self.log.info("finality, duplicates, inputs")
        self.check(self.spend(u, ok_out, locktime=height + 10), "non-final")
        in_pool = acs.create_self_transfer(fee=Decimal("0.0001"))
        node.sendrawtransaction(in_pool["hex"])
        self.check(in_pool["tx"], "txn-already-in-mempool")
        drop_1 = self.spend(drop_a, [TxOut(10**8 - 10000, spk)], witness=[b"\x01", drop_script])
        node.sendrawtransaction(drop_1.serialize().hex())
        drop_2 = self.spend(drop_a, [TxOut(10**8 - 10000, spk)], witness=[b"\x02", drop_script])
        self.check(drop_2, "txn-same-nonwitness-data-in-mempool")
        self.check(many["tx"], "txn-already-known")
        self.check(self.spend({"txid": "11" * 32, "vout": 0}, ok_out), "missing-inputs")
        new = in_pool["new_utxo"]
        self.check(self.spend(new, [TxOut(sat(new["value"]) - 10000, spk)], sequence=1), "non-BIP68-final")
        immature = [c for c in acs.utxos(include_immature=True) if c["coinbase"] and c["confirmations"] < 100][0]
        self.check(self.spend(immature, [TxOut(sat(immature["value"]) - 10000, spk)]),
                   "bad-txns-premature-spend-of-coinbase")
        self.check(self.spend(u, [TxOut(v + 1, spk)]), "bad-txns-in-belowout")
        self.check(self.spend(bare_u, [TxOut(10**8 - 10000, spk)], witness=[]), "bad-txns-nonstandard-inputs")
        self.check(self.spend(drop_b, [TxOut(10**8 - 10000, spk)], witness=[b"\x00" * 81, drop_script]),
                   "bad-witness-nonstandard")
        sigops = self.spend(u, [TxOut(1000, bare_multisig_1of3()) for _ in range(201)]
                            + [TxOut(v - 201 * 1000 - 100000, spk)])
        self.check(sigops, "bad-txns-too-many-sigops")

        self.log.info("legacy sigops of the whole transaction above 2500 (Core v30): bad-txns-nonstandard-inputs")
        redeem = b"\xac" * 15  # 15 OP_CHECKSIG: the most a standard P2SH redeem script may count
        p2sh_spk = script_to_p2sh_script(redeem)
        p2sh_fund = acs.create_self_transfer_multi(extra_outputs=[TxOut(10000, p2sh_spk)] * 167,
                                                   fee=Decimal("0.001"))
        node.sendrawtransaction(p2sh_fund["hex"])
        p2sh_outs = [OutPoint(p2sh_fund["txid"], i) for i, o in enumerate(p2sh_fund["tx"].vout)
                     if o.script_pubkey == p2sh_spk]
        assert_equal(len(p2sh_outs), 167)
        push_redeem = bytes([len(redeem)]) + redeem
        # 166 x 15 = 2490: past input standardness (then the empty-stack CHECKSIGs fail).
        r = self.tma([self.spend(p2sh_outs[:166], [TxOut(166 * 10000 - 20000, spk)], witness=[],
                                 script_sig=push_redeem)])[0]
        assert r["reject-reason"].startswith("mempool-script-verify-flag-failed ("), r
        # 167 x 15 = 2505 > 2500.
        self.check(self.spend(p2sh_outs, [TxOut(167 * 10000 - 20000, spk)], witness=[], script_sig=push_redeem),
                   "bad-txns-nonstandard-inputs")

        self.log.info("fees")
        self.check(self.spend(u, [TxOut(v, spk)]), "min relay fee not met")
        res = self.tma([self.spend(u, [TxOut(v - 10**8, spk)])])[0]
        assert_equal(res["reject-reason"], "max-fee-exceeded")
        self.hit.add("max-fee-exceeded")

        self.log.info("scripts")
        self.check(self.spend(u, ok_out, witness=[b"\x01", OP_TRUE]), "mempool-script-verify-flag-failed (",
                   startswith=True)
        # Witness stripped (TX_WITNESS_STRIPPED inside, same reason string).
        stripped = self.spend(u, ok_out)
        stripped.wit = []
        self.check(stripped, "mempool-script-verify-flag-failed (Witness program was passed an empty witness)")
        self.check(self.spend(nop_u, [TxOut(10**8 - 10000, spk)], witness=[nop_script]),
                   "mempool-script-verify-flag-failed (", startswith=True)

        self.log.info("replacement rules")
        orig_in = in_pool["tx"].vin[0].prevout
        orig_fee = 10000
        orig_value = in_pool["tx"].vout[0].value + orig_fee
        same_rate = self.spend(orig_in, [TxOut(orig_value - orig_fee, drop_spk)])  # same size and fee
        r = self.check(same_rate, "insufficient fee")
        assert "<= old feerate" in r["reject-details"], r
        # Higher feerate, smaller absolute fee: the original is large.
        big = acs.create_self_transfer_multi(num_outputs=20, fee=Decimal("0.0002"))
        node.sendrawtransaction(big["hex"])
        big_in = big["tx"].vin[0].prevout
        big_total = sum(o.value for o in big["tx"].vout) + 20000
        r = self.check(self.spend(big_in, [TxOut(big_total - 19000, spk)]), "insufficient fee")
        assert "less fees than conflicting txs" in r["reject-details"], r
        r = self.check(self.spend(orig_in, [TxOut(orig_value - orig_fee - 1, spk)]), "insufficient fee")
        assert "not enough additional fees to relay" in r["reject-details"], r
        self.check(self.spend([orig_in, in_pool["new_utxo"]], [TxOut(orig_value - 100000, spk)]),
                   "bad-txns-spends-conflicting-tx")
        self.check(self.spend([orig_in, OutPoint(big["txid"], 1)], [TxOut(orig_value - 100000, spk)]),
                   "replacement-adds-unconfirmed")
        many_utxos = [{"txid": many["txid"], "vout": i, "value": many["tx"].vout[i].value} for i in range(101)]
        for mu in many_utxos:
            node.sendrawtransaction(self.spend(mu, [TxOut(mu["value"] - 10000, spk)]).serialize().hex())
        total = sum(mu["value"] for mu in many_utxos)
        self.check(self.spend(many_utxos, [TxOut(total - 10**7, spk)]), "too many potential replacements")

        self.log.info("ancestor limit")
        chain_tx = acs.create_self_transfer(fee=Decimal("0.0001"))
        node.sendrawtransaction(chain_tx["hex"])
        for _ in range(24):
            chain_tx = acs.create_self_transfer(utxo=chain_tx["new_utxo"], fee=Decimal("0.0001"))
            node.sendrawtransaction(chain_tx["hex"])
        self.check(acs.create_self_transfer(utxo=chain_tx["new_utxo"], fee=Decimal("0.0001"))["tx"],
                   "too-long-mempool-chain")

        self.log.info("packages")
        p1 = acs.create_self_transfer(fee=Decimal("0.0001"))
        p2 = acs.create_self_transfer(fee=Decimal("0.0001"))
        child = self.spend([p1["new_utxo"], p2["new_utxo"]],
                           [TxOut(sat(p1["new_utxo"]["value"]) + sat(p2["new_utxo"]["value"]) - 10000, spk)])
        assert all(r["allowed"] for r in self.tma([p1["tx"], p2["tx"], child]))
        self.check_package([p1["tx"], p1["tx"]], "package-contains-duplicates")
        self.check_package([child, p1["tx"], p2["tx"]], "package-not-sorted")
        # Unrelated transactions: fine for a dry run; submitpackage wants a child with its parents.
        assert all(r["allowed"] for r in self.tma([p1["tx"], p2["tx"]]))
        assert_raises_rpc_error(-8, "package topology disallowed. not child-with-parents",
                                node.submitpackage, [p1["hex"], p2["hex"]])
        conflicting = self.spend(p1["tx"].vin[0].prevout, [TxOut(10000, spk)])
        child2 = self.spend([p1["new_utxo"], OutPoint(self._txid(conflicting), 0)], [TxOut(10000, spk)])
        self.check_package([p1["tx"], conflicting, child2], "conflict-in-package")
        heavy = [self.spend(u, [TxOut(v - 10000 - i, spk)], witness=[bytes([i]) * 210_000, OP_TRUE]) for i in range(2)]
        self.check_package(heavy, "package-too-large")
        many_pkg = [acs.create_self_transfer(fee=Decimal("0.0001"))["tx"] for _ in range(26)]
        # The RPC refuses more than 25 (and 0) before the mempool's
        # package-too-many-transactions check (as in Core).
        assert_raises_rpc_error(-8, "Array must contain between 1 and 25 transactions.",
                                self.tma, many_pkg)
        assert_raises_rpc_error(-8, "Array must contain between 1 and 25 transactions.", self.tma, [])
        bad_parent = self.spend(p1["tx"].vin[0].prevout, [p1["tx"].vout[0]], version=4)
        child3 = self.spend([OutPoint(self._txid(bad_parent), 0)], [TxOut(10000, spk)])
        # A member's own failure is not a package error: it has its verdict,
        # the members after it none.
        results = self.tma([bad_parent, child3])
        assert_equal(results[0]["reject-reason"], "version")
        assert_equal(results[1], {"txid": self._txid(child3), "wtxid": child3.wtxid})
        assert all("package-error" not in r for r in results), results
        # submitpackage (as Core's AcceptPackage): a member failing for a
        # reason other than its fee ends the package ("transaction failed"),
        # but every member is still tried alone, so each has its own verdict:
        # the child misses its parent's outputs.
        res = node.submitpackage([bad_parent.serialize().hex(), child3.serialize().hex()])
        assert_equal(res["package_msg"], "transaction failed")
        assert_equal(res["tx-results"][bad_parent.wtxid], {"txid": self._txid(bad_parent), "error": "version"})
        assert_equal(res["tx-results"][child3.wtxid],
                     {"txid": self._txid(child3), "error": "bad-txns-inputs-missingorspent"})
        assert_equal(res["replaced-transactions"], [])
        assert not {self._txid(bad_parent), self._txid(child3)} & set(node.getrawmempool())
        # An unrelated parent valid on its own still goes in, before and
        # after the failing member; the child misses the failed parent.
        good_a = acs.create_self_transfer(fee=Decimal("0.0001"))
        coin_b = acs.get_utxo()
        bad_b = self.spend(coin_b, [TxOut(to_satoshis(coin_b["value"]) - 10000, spk)], version=4)
        good_c = acs.create_self_transfer(fee=Decimal("0.0001"))
        child4 = self.spend([good_a["new_utxo"], OutPoint(self._txid(bad_b), 0), good_c["new_utxo"]],
                            [TxOut(10**6, spk)])
        res = node.submitpackage([good_a["hex"], bad_b.serialize().hex(), good_c["hex"], child4.serialize().hex()])
        assert_equal(res["package_msg"], "transaction failed")
        assert_equal(len(res["tx-results"]), 4)
        for good in (good_a, good_c):
            entry = res["tx-results"][good["wtxid"]]
            assert_equal(entry["txid"], good["txid"])
            assert "error" not in entry, entry
            assert_equal(entry["fees"]["base"], Decimal("0.0001"))
            assert_equal(entry["fees"]["effective-includes"], [good["wtxid"]])
        assert_equal(res["tx-results"][bad_b.wtxid]["error"], "version")
        assert_equal(res["tx-results"][child4.wtxid]["error"], "bad-txns-inputs-missingorspent")
        in_pool = set(node.getrawmempool())
        assert {good_a["txid"], good_c["txid"]} <= in_pool
        assert not {self._txid(bad_b), self._txid(child4)} & in_pool
        # Submitted again: the two are mempool entries (no effective feerate).
        res = node.submitpackage([good_a["hex"], bad_b.serialize().hex(), good_c["hex"], child4.serialize().hex()])
        assert_equal(res["package_msg"], "transaction failed")
        assert_equal(res["tx-results"][good_a["wtxid"]]["fees"], {"base": Decimal("0.0001")})
        assert_equal(res["tx-results"][bad_b.wtxid]["error"], "version")
        acs.mine([good_a, good_c])
        # "package-not-validated" only when the package is refused as a whole
        # before any member is tried: no member has a verdict.
        res = node.submitpackage([p1["hex"], conflicting.serialize().hex(), child2.serialize().hex()])
        assert_equal(res["package_msg"], "conflict-in-package")
        assert_equal(res["tx-results"], {
            t.wtxid: {"txid": self._txid(t), "error": "package-not-validated"}
            for t in (p1["tx"], conflicting, child2)})
        assert not {self._txid(t) for t in (p1["tx"], conflicting, child2)} & set(node.getrawmempool())
        self.hit.update(["transaction failed", "package-not-validated"])

        self.log.info("package dry run: no conflict with the mempool")
        base = acs.create_self_transfer(fee=Decimal("0.0001"))
        node.sendrawtransaction(base["hex"])
        base_value = sum(o.value for o in base["tx"].vout) + 10000
        double = self.spend(base["tx"].vin[0].prevout, [TxOut(base_value - 50000, spk)])
        double_child = self.spend(OutPoint(self._txid(double), 0), [TxOut(base_value - 60000, spk)])
        assert_equal(self.tma([double])[0]["allowed"], True)  # alone: a valid replacement
        results = self.tma([double, double_child])
        assert_equal(results[0]["reject-reason"], "bip125-replacement-disallowed")
        assert_equal(results[1], {"txid": self._txid(double_child), "wtxid": double_child.wtxid})
        self.hit.add("bip125-replacement-disallowed")

        self.log.info("package dry run: the members' limits together (package-mempool-limits)")
        tip = acs.create_self_transfer(fee=Decimal("0.0001"))
        node.sendrawtransaction(tip["hex"])
        for _ in range(23):  # 24 in the chain
            tip = acs.create_self_transfer(utxo=tip["new_utxo"], fee=Decimal("0.0001"))
            node.sendrawtransaction(tip["hex"])
        lim_parent = acs.create_self_transfer(utxo=tip["new_utxo"], fee=Decimal("0.0001"))
        lim_child = acs.create_self_transfer(utxo=lim_parent["new_utxo"], fee=Decimal("0.0001"))
        assert_equal(self.tma([lim_parent["tx"]])[0]["allowed"], True)  # 24 ancestors + itself
        results = self.check_package([lim_parent["tx"], lim_child["tx"]], "package-mempool-limits")
        assert all("allowed" not in r for r in results), results

        self.log.info("ephemeral dust must be spent by the child: unspent-dust / missing-ephemeral-spends")
        du = acs.get_utxo()
        dust_parent = self.spend(du, [TxOut(sat(du["value"]), spk), TxOut(0, spk)], version=3)  # 0-fee TRUC
        dust_pid = self._txid(dust_parent)
        lazy = self.spend(OutPoint(dust_pid, 0), [TxOut(sat(du["value"]) - 10000, spk)], version=3)
        # A dry run has no CPFP: the 0-fee parent fails on its own fee (the
        # package form is checked below at -minrelaytxfee=0).
        results = self.tma([dust_parent, lazy])
        assert_equal(results[0]["reject-reason"], "min relay fee not met")
        assert "allowed" not in results[1], results
        res = node.submitpackage([dust_parent.serialize().hex(), lazy.serialize().hex()])
        assert_equal(res["package_msg"], "unspent-dust")
        assert res["tx-results"][lazy.wtxid]["error"].startswith("missing-ephemeral-spends"), res
        sweep = self.spend([OutPoint(dust_pid, 0), OutPoint(dust_pid, 1)], [TxOut(sat(du["value"]) - 10000, spk)],
                           version=3)
        res = node.submitpackage([dust_parent.serialize().hex(), sweep.serialize().hex()])
        assert_equal(res["package_msg"], "success")

        self.log.info("submitpackage maxfeerate: max feerate exceeded, nothing added")
        rich = acs.create_self_transfer(fee=Decimal("0.001"))  # ~900 sat/vB; the cap below is 10 sat/vB
        rich_child = acs.create_self_transfer(utxo=rich["new_utxo"], fee=Decimal("0.0001"))
        res = node.submitpackage([rich["hex"], rich_child["hex"]], maxfeerate=Decimal("0.0001"))
        assert_equal(res["package_msg"], "transaction failed")
        assert_equal(res["tx-results"][rich["wtxid"]]["error"], "max feerate exceeded")
        pool = node.getrawmempool()
        assert rich["txid"] not in pool and rich_child["txid"] not in pool, res
        self.hit.add("max feerate exceeded")
        assert_raises_rpc_error(-8, "Fee rates larger than or equal to 1BTC/kvB are not accepted",
                                node.submitpackage, [rich["hex"], rich_child["hex"]], 1)
        # maxfeerate=0: no cap; the same package goes in.
        res = node.submitpackage([rich["hex"], rich_child["hex"]], maxfeerate=0)
        assert_equal(res["package_msg"], "success")
        assert rich["txid"] in node.getrawmempool()

        self.log.info("-permitbaremultisig=0 and -datacarrier=0 (and -minrelaytxfee=0)")
        self.restart_node(0, extra_args=["-permitbaremultisig=0", "-datacarrier=0", "-minrelaytxfee=0"])
        node = self.nodes[0]
        u = acs.get_utxo()
        v = sat(u["value"])
        # A 0-fee parent with a dust output (relayable at -minrelaytxfee=0)
        # needs its child to spend the dust: in a package dry run...
        du = acs.get_utxo()
        dust_parent = self.spend(du, [TxOut(sat(du["value"]), spk), TxOut(0, spk)])
        dust_pid = self._txid(dust_parent)
        lazy = self.spend(OutPoint(dust_pid, 0), [TxOut(sat(du["value"]) - 10000, spk)])
        self.check_package([dust_parent, lazy], "unspent-dust", [None, "missing-ephemeral-spends"])
        # ...and alone.
        node.sendrawtransaction(dust_parent.serialize().hex())
        r = self.check(self.spend(OutPoint(dust_pid, 0), [TxOut(sat(du["value"]) - 10000, spk)]),
                       "missing-ephemeral-spends")
        assert r["reject-details"].endswith("did not spend parent's ephemeral dust"), r
        node.sendrawtransaction(self.spend([OutPoint(dust_pid, 0), OutPoint(dust_pid, 1)],
                                           [TxOut(sat(du["value"]) - 10000, spk)]).serialize().hex())
        self.check(self.spend(u, [TxOut(v - 10000, spk), TxOut(1000, bare_multisig_1of3())]), "bare-multisig")
        self.check(self.spend(u, [TxOut(v - 10000, spk), TxOut(0, OP_RETURN + b"\x01\x00")]), "datacarrier")

        self.mempool_full()

        expected = {
            "bad-txns-vin-empty", "bad-txns-vout-empty", "bad-txns-oversize", "bad-txns-vout-negative",
            "bad-txns-vout-toolarge", "bad-txns-txouttotal-toolarge", "bad-txns-inputs-duplicate", "bad-cb-length",
            "bad-txns-prevout-null", "coinbase", "version", "tx-size", "scriptsig-size", "scriptsig-not-pushonly",
            "scriptpubkey", "datacarrier", "bare-multisig", "dust", "tx-size-small", "non-final",
            "txn-already-in-mempool", "txn-same-nonwitness-data-in-mempool", "txn-already-known", "missing-inputs",
            "non-BIP68-final", "bad-txns-premature-spend-of-coinbase", "bad-txns-in-belowout",
            "bad-txns-nonstandard-inputs", "bad-witness-nonstandard", "bad-txns-too-many-sigops",
            "min relay fee not met", "max-fee-exceeded", "mempool-script-verify-flag-failed (", "insufficient fee",
            "bad-txns-spends-conflicting-tx",
            "replacement-adds-unconfirmed", "too many potential replacements", "too-long-mempool-chain",
            "package-contains-duplicates", "package-not-sorted",
            "conflict-in-package", "package-too-large", "transaction failed", "package-not-validated",
            "max feerate exceeded", "mempool full", "bip125-replacement-disallowed", "package-mempool-limits",
            "unspent-dust", "missing-ephemeral-spends"}
        assert_equal(sorted(expected - self.hit), [])
        self.log.info(f"{len(self.hit)} reject reasons hit")

    def mempool_full(self):
        """-maxmempool=5 filled (without evicting anything yet) by ~96 kvB
        transactions at ~0.21 sat/vB, then big ones at ~0.125 sat/vB (above
        -minrelaytxfee, below everything else): the one that makes the pool
        overflow is accepted, is the lowest-scoring entry, and is trimmed in
        the same acceptance."""
        self.log.info("mempool full (-maxmempool=5)")
        self.restart_node(0, extra_args=["-maxmempool=5"])
        node = self.nodes[0]
        acs = self.acs
        self.generate(node, 1)  # empty the mempool
        fan = acs.create_self_transfer_multi(num_outputs=80, fee=Decimal("0.001"))
        acs.mine([fan])
        assert_equal(node.getmempoolinfo()["size"], 0)
        data = OP_RETURN + b"\x4e" + (48000).to_bytes(4, "little") + b"\x00" * 48000  # OP_PUSHDATA4
        limit = node.getmempoolinfo()["maxmempool"]
        assert_equal(limit, 5_000_000)

        def big_tx(fee):
            return acs.create_self_transfer_multi(extra_outputs=[TxOut(0, data), TxOut(0, data)], fee=fee)

        fill = []
        per_tx = 0
        while True:
            before = node.getmempoolinfo()["usage"]
            tx = big_tx(Decimal("0.00020000"))
            node.sendrawtransaction(tx["hex"])
            fill.append(tx["txid"])
            info = node.getmempoolinfo()
            per_tx = max(per_tx, info["usage"] - before)
            if info["usage"] + 2 * per_tx > limit:
                break
        assert_equal(node.getmempoolinfo()["size"], len(fill))
        assert_equal(node.getmempoolinfo()["mempoolminfee"], Decimal("0.00000100"))
        for _ in range(5):
            low = big_tx(Decimal("0.00012000"))
            assert_equal(node.testmempoolaccept([low["hex"]])[0]["allowed"], True)
            try:
                node.sendrawtransaction(low["hex"])
            except Exception as e:
                assert_equal(getattr(e, "error", {}).get("code"), -26)
                assert_equal(e.error["message"], "mempool full")
                break
        else:
            raise AssertionError("the mempool never overflowed")
        self.hit.add("mempool full")
        info = node.getmempoolinfo()
        assert low["txid"] not in node.getrawmempool()
        assert info["usage"] <= limit, info
        # Nothing better was evicted, and the rolling minimum rose above the low feerate.
        assert set(fill) <= set(node.getrawmempool())
        assert info["mempoolminfee"] > Decimal("0.00000125"), info

        self.log.info("mempool full for package members (trimmed once the package is in)")
        # A restart resets the rolling minimum; the pool is reloaded as it
        # was (full to within one big transaction, the cheapest at ~0.125
        # sat/vB). A parent and child of ~49 kvB each (together within the
        # package's 404,000 weight units, more than the room left) paying
        # ~0.10 and ~0.12 sat/vB: both go in alone (above -minrelaytxfee),
        # and the trim at the end evicts them together as the lowest-scoring
        # package.
        self.restart_node(0, extra_args=["-maxmempool=5"])
        node = self.nodes[0]
        assert_equal(node.getmempoolinfo()["mempoolminfee"], Decimal("0.00000100"))
        assert set(fill) <= set(node.getrawmempool())
        pdata = OP_RETURN + b"\x4e" + (49000).to_bytes(4, "little") + b"\x00" * 49000
        parent = acs.create_self_transfer_multi(extra_outputs=[TxOut(0, pdata)], fee=Decimal("0.00005000"))
        # The child pays a little more: the parent's descendant score (the
        # package's feerate) is then the lowest, and the two go together.
        child = acs.create_self_transfer_multi(utxos=[parent["new_utxo"]], extra_outputs=[TxOut(0, pdata)],
                                               fee=Decimal("0.00006000"))
        # Each member's rejection is logged (and fires mempool:rejected).
        with node.assert_debug_log([f"{t['txid']} (wtxid={t['wtxid']}) was not accepted: mempool full"
                                    for t in (parent, child)]):
            res = node.submitpackage([parent["hex"], child["hex"]])
        assert_equal(res["package_msg"], "transaction failed")
        for t in (parent, child):
            assert_equal(res["tx-results"][t["wtxid"]], {"txid": t["txid"], "error": "mempool full"})
            assert t["txid"] not in node.getrawmempool()
        assert set(fill) <= set(node.getrawmempool())
        assert node.getmempoolinfo()["usage"] <= limit

    def _txid(self, tx):
        from test_framework.messages import hash256
        return hash256(tx.serialize_without_witness())[::-1].hex()


if __name__ == "__main__":
    MempoolRejectReasonsTest().main()
