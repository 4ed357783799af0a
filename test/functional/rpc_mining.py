#!/usr/bin/python3
"""Mining RPCs: generatetoaddress, generatetodescriptor, generateblock (raw
transactions, submit=false), getblocktemplate (fields, rules, proposal mode,
longpoll) and a block built from it going through submitblock, submitblock's
BIP22 answers, getmininginfo's fields, and the errors of each."""
import os
import sys
import threading
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.authproxy import AuthServiceProxy  # noqa: E402
from test_framework.framework import ANYONE_CAN_SPEND_ADDRESS, BitcoinTestFramework  # noqa: E402
from test_framework.messages import (Block, OutPoint, Transaction, TxIn, TxInWitness, TxOut,  # noqa: E402
                                     block_from_hex, uint256_from_hex)
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import (assert_equal, assert_greater_than, assert_raises_rpc_error,  # noqa: E402
                                 assert_true)

SEGWIT_RULE_ERROR = 'getblocktemplate must be called with the segwit rule set (call with {"rules": ["segwit"]})'
REGTEST_HALVING = 150


def subsidy(height):
    return (50 * 100_000_000) >> (height // REGTEST_HALVING)


def script_number(n):
    """The push of n as BIP34 writes heights."""
    if n == 0:
        return b"\x00"
    if 1 <= n <= 16:
        return bytes([0x50 + n])
    data = n.to_bytes((n.bit_length() + 8) // 8, "little")
    return bytes([len(data)]) + data


def block_from_template(tmpl, script_pubkey, height_override=None):
    """A block from a getblocktemplate result: coinbase paying coinbasevalue,
    BIP34 height, the default witness commitment, the template's transactions."""
    height = tmpl["height"] if height_override is None else height_override
    coinbase = Transaction(vin=[TxIn(OutPoint(0, 0xFFFFFFFF), script_number(height) + b"\x00", 0xFFFFFFFF)],
                           vout=[TxOut(tmpl["coinbasevalue"], script_pubkey)])
    coinbase.vout.append(TxOut(0, bytes.fromhex(tmpl["default_witness_commitment"])))
    coinbase.wit = [TxInWitness([b"\x00" * 32])]
    block = Block()
    block.version = tmpl["version"]
    block.prev = uint256_from_hex(tmpl["previousblockhash"])
    block.time = tmpl["curtime"]
    block.bits = int(tmpl["bits"], 16)
    block.vtx = [coinbase] + [Transaction.deserialize(bytes.fromhex(t["data"])) for t in tmpl["transactions"]]
    block.merkle_root = block.calc_merkle_root()
    return block


class MiningTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False

    def run_test(self):
        node = self.nodes[0]
        self.acs = AnyoneCanSpend(node)
        self.check_getmininginfo_before()
        self.check_generate()
        self.check_generateblock()
        self.check_getblocktemplate()
        self.check_submitblock()
        self.check_longpoll()
        self.check_getmininginfo_after()
        self.check_versionbits()

    def check_getmininginfo_before(self):
        node = self.nodes[0]
        self.log.info("getmininginfo on the cached chain: fields and values")
        info = node.getmininginfo()
        assert_equal(list(info.keys()), ["blocks", "bits", "difficulty", "target", "networkhashps", "pooledtx",
                                         "blockmintxfee", "chain", "next", "warnings"])
        assert_equal(info["blocks"], 200)
        assert_equal(info["bits"], "207fffff")
        assert_equal(info["difficulty"], Decimal("4.656542373906925E-10"))
        assert_equal(info["target"], "7fffff" + "0" * 58)
        assert_equal(info["pooledtx"], 0)
        assert_equal(info["blockmintxfee"], Decimal("0.00000001"))
        assert_equal(info["chain"], "regtest")
        assert_equal(info["next"], {"height": 201, "bits": "207fffff", "difficulty": Decimal("4.656542373906925E-10"),
                                    "target": "7fffff" + "0" * 58})
        assert_equal(info["warnings"], [])
        # The cache's blocks are 10 minutes apart: 120 blocks of work 2 each over 1190 minutes.
        assert_greater_than(info["networkhashps"], 0)
        assert_equal(node.getnetworkhashps(), info["networkhashps"])
        assert_raises_rpc_error(-8, "Invalid nblocks. Must be a positive number or -1.", node.getnetworkhashps, 0)
        assert_raises_rpc_error(-8, "Block does not exist at specified height", node.getnetworkhashps, 100, 1000)

    def check_generate(self):
        node = self.nodes[0]
        self.log.info("generatetoaddress")
        hashes = node.generatetoaddress(2, ANYONE_CAN_SPEND_ADDRESS)
        assert_equal(len(hashes), 2)
        assert_equal(node.getbestblockhash(), hashes[-1])
        assert_equal(node.getblockcount(), 202)
        block = node.getblock(hashes[-1], 2)
        coinbase = block["tx"][0]
        assert_equal(coinbase["vout"][0]["value"], Decimal(subsidy(202)) / 100_000_000)
        assert_equal(coinbase["vout"][0]["scriptPubKey"]["address"], ANYONE_CAN_SPEND_ADDRESS)
        # BIP34 height and OP_0, then the witness commitment output.
        assert_equal(coinbase["vin"][0]["coinbase"], script_number(202).hex() + "00")
        assert_equal(coinbase["vout"][1]["scriptPubKey"]["hex"][:12], "6a24aa21a9ed")
        assert_equal(node.generatetoaddress(1, ANYONE_CAN_SPEND_ADDRESS, 0), [])
        assert_raises_rpc_error(-5, "Error: Invalid address", node.generatetoaddress, 1, "not-an-address")
        # A mainnet address is not a regtest one.
        assert_raises_rpc_error(-5, "Error: Invalid address", node.generatetoaddress, 1,
                                "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")
        assert_raises_rpc_error(-3, None, node.generatetoaddress, "1", ANYONE_CAN_SPEND_ADDRESS)

        self.log.info("generatetodescriptor")
        hashes = node.generatetodescriptor(1, f"addr({ANYONE_CAN_SPEND_ADDRESS})")
        assert_equal(node.getbestblockhash(), hashes[0])
        key = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
        hashes = node.generatetodescriptor(1, f"pkh({key})")
        coinbase = node.getblock(hashes[0], 2)["tx"][0]
        assert_equal(coinbase["vout"][0]["scriptPubKey"]["hex"], "76a914751e76e8199196d454941c45d1b3a323f1433bd688ac")
        hashes = node.generatetodescriptor(1, "raw(51)")
        assert_equal(node.getblock(hashes[0], 2)["tx"][0]["vout"][0]["scriptPubKey"]["hex"], "51")
        tpub = ("tpubD6NzVbkrYhZ4WaWSyoBvQwbpLkojyoTZPRsgXELWz3Popb3qkjcJyJUGLnL4qHHoQvao8ESaAstxYSnhyswJ76uZP"
                "StJRJCTKvosUCJZL5B")
        assert_raises_rpc_error(-8, "Ranged descriptor not accepted. Maybe pass through deriveaddresses first?",
                                node.generatetodescriptor, 1, f"wpkh({tpub}/*)")
        assert_raises_rpc_error(-5, "Cannot derive script without private keys",
                                node.generatetodescriptor, 1, f"wpkh({tpub}/1h)")
        assert_raises_rpc_error(-5, "'foo' is not a valid descriptor function", node.generatetodescriptor, 1, "foo")
        assert_raises_rpc_error(-5, "Provided checksum", node.generatetodescriptor, 1, "raw(51)#aaaaaaaa")

    def check_generateblock(self):
        node = self.nodes[0]
        acs = self.acs
        self.log.info("generateblock with raw transactions")
        tx1 = acs.create_self_transfer(fee=Decimal("0.001"))
        tx2 = acs.create_self_transfer(utxo=tx1["new_utxo"], fee=Decimal("0.001"))
        height = node.getblockcount()
        result = node.generateblock(ANYONE_CAN_SPEND_ADDRESS, [tx1["hex"], tx2["hex"]])
        assert_equal(list(result.keys()), ["hash"])
        assert_equal(node.getbestblockhash(), result["hash"])
        block = node.getblock(result["hash"], 2)
        assert_equal([t["txid"] for t in block["tx"][1:]], [tx1["txid"], tx2["txid"]])
        # The coinbase claims the subsidy only, not the fees.
        assert_equal(block["tx"][0]["vout"][0]["value"], Decimal(subsidy(height + 1)) / 100_000_000)
        acs.rescan()

        self.log.info("generateblock with a descriptor and submit=false, then submitblock")
        tx3 = acs.create_self_transfer()
        tip = node.getbestblockhash()
        result = node.generateblock("raw(51)", [tx3["hex"]], False)
        assert_equal(list(result.keys()), ["hash", "hex"])
        assert_equal(node.getbestblockhash(), tip)
        block = block_from_hex(result["hex"])
        assert_equal(block.hash, result["hash"])
        assert_equal(block.vtx[1].txid, tx3["txid"])
        assert_equal(node.submitblock(result["hex"]), None)
        assert_equal(node.getbestblockhash(), result["hash"])
        assert_equal(node.submitblock(result["hex"]), "duplicate")
        acs.rescan()

        self.log.info("generateblock errors")
        assert_raises_rpc_error(-5, "Error: Invalid address or descriptor", node.generateblock, "nope", [])
        txid = "ab" * 32
        assert_raises_rpc_error(-5, f"Transaction {txid} not in mempool.", node.generateblock,
                                ANYONE_CAN_SPEND_ADDRESS, [txid])
        assert_raises_rpc_error(-22, "Transaction decode failed for 00. Make sure the tx has at least one input.",
                                node.generateblock, ANYONE_CAN_SPEND_ADDRESS, ["00"])
        # Spending a coin twice.
        assert_raises_rpc_error(-25, "TestBlockValidity failed: ", node.generateblock,
                                ANYONE_CAN_SPEND_ADDRESS, [tx3["hex"]])
        assert_raises_rpc_error(-3, None, node.generateblock, ANYONE_CAN_SPEND_ADDRESS, "notanarray")
        assert_equal(node.getbestblockhash(), result["hash"])

    def check_getblocktemplate(self):
        node = self.nodes[0]
        self.log.info("getblocktemplate: rules and modes")
        assert_raises_rpc_error(-8, SEGWIT_RULE_ERROR, node.getblocktemplate, {})
        assert_raises_rpc_error(-8, SEGWIT_RULE_ERROR, node.getblocktemplate, {"rules": []})
        assert_raises_rpc_error(-8, "Invalid mode", node.getblocktemplate, {"mode": "nonsense", "rules": ["segwit"]})
        assert_raises_rpc_error(-8, "Invalid mode", node.getblocktemplate, {"mode": 1, "rules": ["segwit"]})

        self.log.info("getblocktemplate: fields")
        tmpl = node.getblocktemplate({"rules": ["segwit"]})
        assert_equal(list(tmpl.keys()), ["capabilities", "version", "rules", "vbavailable", "vbrequired",
                                         "previousblockhash", "transactions", "coinbaseaux", "coinbasevalue",
                                         "longpollid", "target", "mintime", "mutable", "noncerange", "sigoplimit",
                                         "sizelimit", "weightlimit", "curtime", "bits", "height",
                                         "default_witness_commitment"])
        tip = node.getbestblockhash()
        height = node.getblockcount() + 1
        assert_equal(tmpl["capabilities"], ["proposal"])
        # Regtest's testdummy deployment (bit 28) is signalling from height 144 on.
        assert_equal(tmpl["version"], 0x30000000)
        assert_equal(tmpl["vbavailable"], {"testdummy": 28})
        assert_equal(tmpl["rules"], ["csv", "!segwit"])
        assert_equal(tmpl["vbrequired"], 0)
        assert_equal(tmpl["previousblockhash"], tip)
        assert_equal(tmpl["transactions"], [])
        assert_equal(tmpl["coinbaseaux"], {})
        assert_equal(tmpl["coinbasevalue"], subsidy(height))
        assert_equal(tmpl["longpollid"], tip + "0")
        assert_equal(tmpl["target"], "7fffff" + "0" * 58)
        assert_equal(tmpl["mintime"], node.getblockheader(tip)["mediantime"] + 1)
        assert_equal(tmpl["mutable"], ["time", "transactions", "prevblock"])
        assert_equal(tmpl["noncerange"], "00000000ffffffff")
        assert_equal(tmpl["sigoplimit"], 80000)
        assert_equal(tmpl["sizelimit"], 4000000)
        assert_equal(tmpl["weightlimit"], 4000000)
        assert_equal(tmpl["bits"], "207fffff")
        assert_equal(tmpl["height"], height)
        assert_equal(tmpl["default_witness_commitment"][:12], "6a24aa21a9ed")
        assert_true(tmpl["curtime"] >= tmpl["mintime"], "curtime is at least mintime")

        self.log.info("getblocktemplate: a block built from it, proposed then submitted")
        block = block_from_template(tmpl, bytes.fromhex("51"))
        block.solve()
        assert_equal(node.getblocktemplate({"mode": "proposal", "data": block.serialize().hex()}), None)
        # Proposals are checked without proof of work but with the merkle root.
        bad = block_from_template(tmpl, bytes.fromhex("51"))
        bad.merkle_root ^= 1
        assert_equal(node.getblocktemplate({"mode": "proposal", "data": bad.serialize().hex()}), "bad-txnmrklroot")
        wrong_height = block_from_template(tmpl, bytes.fromhex("51"), height_override=height + 1)
        assert_equal(node.getblocktemplate({"mode": "proposal", "data": wrong_height.serialize().hex()}), "bad-cb-height")
        assert_raises_rpc_error(-22, "Block decode failed", node.getblocktemplate, {"mode": "proposal", "data": "00"})
        assert_raises_rpc_error(-3, "Missing data String key for proposal", node.getblocktemplate, {"mode": "proposal"})
        assert_equal(node.submitblock(block.serialize().hex()), None)
        assert_equal(node.getbestblockhash(), block.hash)
        assert_equal(node.getblocktemplate({"mode": "proposal", "data": block.serialize().hex()}), "duplicate")
        # On a parent that is no longer the tip.
        stale = block_from_template(tmpl, bytes.fromhex("52"))
        assert_equal(node.getblocktemplate({"mode": "proposal", "data": stale.serialize().hex()}),
                     "inconclusive-not-best-prevblk")

        self.log.info("getblocktemplate: the next template builds on the submitted block")
        tmpl = node.getblocktemplate({"rules": ["segwit"]})
        assert_equal(tmpl["previousblockhash"], block.hash)
        assert_equal(tmpl["height"], height + 1)

    def check_submitblock(self):
        node = self.nodes[0]
        self.log.info("submitblock: BIP22 answers")
        assert_raises_rpc_error(-22, "Block decode failed", node.submitblock, "00")
        assert_raises_rpc_error(-22, "Block decode failed", node.submitblock, "zz")
        tmpl = node.getblocktemplate({"rules": ["segwit"]})
        block = block_from_template(tmpl, bytes.fromhex("51"))
        no_coinbase = Block(block.header(), [])
        assert_raises_rpc_error(-22, "Block does not start with a coinbase", node.submitblock,
                                no_coinbase.serialize().hex())

        # A block paying more than subsidy + fees.
        greedy = block_from_template(tmpl, bytes.fromhex("51"))
        greedy.vtx[0].vout[0].value += 1
        greedy.merkle_root = greedy.calc_merkle_root()
        greedy.solve()
        assert_equal(node.submitblock(greedy.serialize().hex()), "bad-cb-amount")
        # Known to be invalid now.
        assert_equal(node.submitblock(greedy.serialize().hex()), "duplicate-invalid")

        # The coinbase witness reserved value is put back when it was stripped.
        stripped = block_from_template(tmpl, bytes.fromhex("51"))
        stripped.vtx[0].wit = []
        stripped.solve()
        assert_equal(node.submitblock(stripped.serialize().hex()), None)
        assert_equal(node.getbestblockhash(), stripped.hash)
        assert_equal(node.submitblock(stripped.serialize().hex()), "duplicate")

        # A side branch with less work is stored without being connected: inconclusive.
        side = block_from_template(tmpl, bytes.fromhex("52"))
        side.solve()
        assert_equal(node.submitblock(side.serialize().hex()), "inconclusive")
        assert_equal(node.getbestblockhash(), stripped.hash)

        # An orphan block (unknown parent).
        orphan = block_from_template(tmpl, bytes.fromhex("51"))
        orphan.prev = 0x1234
        orphan.solve()
        assert_equal(node.submitblock(orphan.serialize().hex()), "prev-blk-not-found")

    def check_longpoll(self):
        node = self.nodes[0]
        self.log.info("getblocktemplate longpoll returns once the tip changes")
        tmpl = node.getblocktemplate({"rules": ["segwit"]})
        result = {}

        def poll():
            rpc = AuthServiceProxy(node.rpc_url, timeout=120)
            result["tmpl"] = rpc.getblocktemplate({"rules": ["segwit"], "longpollid": tmpl["longpollid"]})

        thread = threading.Thread(target=poll)
        thread.start()
        thread.join(1)
        assert_true(thread.is_alive(), "longpoll waits while the tip is unchanged")
        new_tip = self.generate(node, 1)[0]
        thread.join(30)
        assert_true(not thread.is_alive(), "longpoll returned after a new block")
        assert_equal(result["tmpl"]["previousblockhash"], new_tip)
        # A longpollid naming another block returns at once.
        other = node.getblocktemplate({"rules": ["segwit"], "longpollid": "00" * 32 + "0"})
        assert_equal(other["previousblockhash"], new_tip)

    def check_getmininginfo_after(self):
        node = self.nodes[0]
        self.log.info("getmininginfo after block assembly: currentblockweight, currentblocktx")
        info = node.getmininginfo()
        assert_equal(list(info.keys()), ["blocks", "currentblockweight", "currentblocktx", "bits", "difficulty",
                                         "target", "networkhashps", "pooledtx", "blockmintxfee", "chain", "next",
                                         "warnings"])
        assert_equal(info["blocks"], node.getblockcount())
        assert_equal(info["currentblocktx"], 0)
        assert_equal(info["currentblockweight"], 8000)  # the reserved weight: no transactions
        assert_equal(info["next"]["height"], info["blocks"] + 1)

    def check_versionbits(self):
        node = self.nodes[0]
        self.log.info("BIP9 testdummy: started, locked in at 288, active at 432 (our blocks signal)")
        # Every block from 144 on signals bit 28 (the cache's and ours): the
        # period 144..287 locks the deployment in, the next one activates it.
        for height in (287, 288, 289, 431, 432, 433):
            self.generate(node, height - 1 - node.getblockcount())
            tmpl = node.getblocktemplate({"rules": ["segwit"]})
            assert_equal(tmpl["height"], height)
            if height < 432:  # started, then locked in: still signalled
                assert_equal(tmpl["version"], 0x30000000)
                assert_equal(tmpl["vbavailable"], {"testdummy": 28})
                assert_equal(tmpl["rules"], ["csv", "!segwit"])
            else:  # active: no longer signalled, listed among the rules
                assert_equal(tmpl["version"], 0x20000000)
                assert_equal(tmpl["vbavailable"], {})
                assert_equal(tmpl["rules"], ["csv", "!segwit", "testdummy"])
        self.generate(node, 1)
        assert_equal(node.getblockheader(node.getblockhash(431))["version"], 0x30000000)
        assert_equal(node.getblockheader(node.getblockhash(432))["version"], 0x20000000)


if __name__ == "__main__":
    MiningTest().main()
