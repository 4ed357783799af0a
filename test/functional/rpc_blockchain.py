#!/usr/bin/python3
"""The blockchain RPCs against the cached 200-block chain: getblockchaininfo,
getblockcount, getbestblockhash, getblockhash, getblockheader, getblock
(verbosity 0-3), getchaintips, getdifficulty, gettxout, gettxoutsetinfo,
verifychain, pruneblockchain, getblockstats, waitfornewblock,
waitforblock, waitforblockheight: result fields, values and Core's errors."""
import hashlib
import os
import struct
import sys
import threading
import time
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.authproxy import AuthServiceProxy  # noqa: E402
from test_framework.framework import (  # noqa: E402
    ANYONE_CAN_SPEND_ADDRESS, CACHE_BLOCK_INTERVAL, GENESIS_TIME, BitcoinTestFramework)
from test_framework.messages import hash256, hash_to_hex  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import (  # noqa: E402
    assert_equal, assert_greater_than, assert_raises_rpc_error, assert_true)

REGTEST_GENESIS = "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"
REGTEST_DIFFICULTY = Decimal("4.656542373906925E-10")
REGTEST_TARGET = "7fffff" + "0" * 58
ACS_SCRIPT = "00204ae81572f06e1b88fd5ced7a1a000945432e83e1551e6f721ee9c00b8cc33260"
HEADER_KEYS = ["hash", "confirmations", "height", "version", "versionHex", "merkleroot", "time", "mediantime",
               "nonce", "bits", "target", "difficulty", "chainwork", "nTx"]
UNKNOWN_HASH = "11" * 32


MUHASH_PRIME = 2**3072 - 1103717


def chacha20_block(key, counter):
    """RFC 8439 block function with a zero nonce (what MuHash3072 uses)."""
    def rotl(v, n):
        return ((v << n) & 0xffffffff) | (v >> (32 - n))

    def quarter(x, a, b, c, d):
        x[a] = (x[a] + x[b]) & 0xffffffff; x[d] = rotl(x[d] ^ x[a], 16)  # noqa: E702
        x[c] = (x[c] + x[d]) & 0xffffffff; x[b] = rotl(x[b] ^ x[c], 12)  # noqa: E702
        x[a] = (x[a] + x[b]) & 0xffffffff; x[d] = rotl(x[d] ^ x[a], 8)  # noqa: E702
        x[c] = (x[c] + x[d]) & 0xffffffff; x[b] = rotl(x[b] ^ x[c], 7)  # noqa: E702

    state = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574] + list(struct.unpack("<8I", key)) + [counter, 0, 0, 0]
    x = list(state)
    for _ in range(10):
        for a, b, c, d in ((0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14), (3, 7, 11, 15),
                           (0, 5, 10, 15), (1, 6, 11, 12), (2, 7, 8, 13), (3, 4, 9, 14)):
            quarter(x, a, b, c, d)
    return struct.pack("<16I", *[(x[i] + state[i]) & 0xffffffff for i in range(16)])


def muhash_digest(elements):
    """MuHash3072 of a set of byte strings, display-order hex."""
    acc = 1
    for element in elements:
        key = hashlib.sha256(element).digest()
        acc = acc * int.from_bytes(b"".join(chacha20_block(key, i) for i in range(6)), "little") % MUHASH_PRIME
    return hashlib.sha256(acc.to_bytes(384, "little")).digest()[::-1].hex()


def coin_serialization(txid, n, height, coinbase, value_btc, script_hex):
    """One coin as hash_serialized_3 and muhash see it."""
    script = bytes.fromhex(script_hex)
    return (bytes.fromhex(txid)[::-1] + struct.pack("<I", n) + struct.pack("<I", height * 2 + int(coinbase)) +
            struct.pack("<q", int(value_btc * 100000000)) + bytes([len(script)]) + script)


def utxo_stats(node, *args, **kwargs):
    """gettxoutsetinfo without disk_size (LevelDB's estimate moves with compaction)."""
    info = node.gettxoutsetinfo(*args, **kwargs)
    info.pop("disk_size")
    return info


def subsidy(height):
    return Decimal(50) / (2 ** (height // 150))  # regtest halves every 150 blocks


class BlockchainRpcTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.setup_clean_chain = False
        self.extra_args = [[], ["-prune=1"]]

    def run_test(self):
        self.node = self.nodes[0]
        assert_equal(self.node.getblockcount(), 200, "cached chain")
        self.check_blockchaininfo()
        self.check_counts_and_hashes()
        self.check_blockheader()
        self.check_block()
        self.check_chaintips_and_difficulty()
        self.check_txout()
        self.check_txoutsetinfo()
        self.check_verifychain()
        self.check_pruneblockchain()
        self.check_blockstats()
        self.check_waiting()

    def check_blockchaininfo(self):
        self.log.info("getblockchaininfo")
        info = self.node.getblockchaininfo()
        assert_equal(list(info.keys()), ["chain", "blocks", "headers", "bestblockhash", "bits", "target",
                                         "difficulty", "time", "mediantime", "verificationprogress",
                                         "initialblockdownload", "chainwork", "size_on_disk", "pruned", "warnings"])
        assert_equal(info["chain"], "regtest")
        assert_equal(info["blocks"], 200)
        assert_equal(info["headers"], 200)
        assert_equal(info["bestblockhash"], self.node.getblockhash(200))
        assert_equal(info["bits"], "207fffff")
        assert_equal(info["target"], REGTEST_TARGET)
        assert_equal(info["difficulty"], REGTEST_DIFFICULTY)
        assert_equal(info["time"], GENESIS_TIME + 200 * CACHE_BLOCK_INTERVAL)
        # Median of blocks 190..200.
        assert_equal(info["mediantime"], GENESIS_TIME + 195 * CACHE_BLOCK_INTERVAL)
        assert_equal(info["verificationprogress"], 1)
        assert_true(isinstance(info["initialblockdownload"], bool), "initialblockdownload is a boolean")
        # Every regtest block is worth 2 hashes: 201 blocks.
        assert_equal(info["chainwork"], f"{2 * 201:064x}")
        assert_greater_than(info["size_on_disk"], 200 * 250)
        assert_equal(info["pruned"], False)
        assert_equal(info["warnings"], [])

        self.log.info("getblockchaininfo on pruned nodes (-prune=1 manual, -prune=550 automatic)")
        pruned = self.nodes[1].getblockchaininfo()
        assert_equal(pruned["pruned"], True)
        assert_equal(pruned["pruneheight"], 0)
        assert_equal(pruned["automatic_pruning"], False)
        assert_true("prune_target_size" not in pruned, "no target size with manual pruning")
        keys = list(pruned.keys())
        assert_equal(keys[keys.index("pruned"):], ["pruned", "pruneheight", "automatic_pruning", "warnings"])
        self.restart_node(1, ["-prune=550"])
        pruned = self.nodes[1].getblockchaininfo()
        assert_equal(pruned["automatic_pruning"], True)
        assert_equal(pruned["prune_target_size"], 550 * 1024 * 1024)
        self.restart_node(1, ["-prune=1"])

    def check_counts_and_hashes(self):
        self.log.info("getblockcount, getbestblockhash, getblockhash")
        node = self.node
        assert_equal(node.getblockcount(), 200)
        assert_equal(node.getbestblockhash(), node.getblockhash(200))
        assert_equal(node.getblockhash(0), REGTEST_GENESIS)
        assert_equal(node.getblockhash(height=0), REGTEST_GENESIS)
        assert_raises_rpc_error(-8, "Block height out of range", node.getblockhash, -1)
        assert_raises_rpc_error(-8, "Block height out of range", node.getblockhash, 201)
        assert_raises_rpc_error(-3, None, node.getblockhash, "1")
        assert_raises_rpc_error(-1, None, node.getblockhash)  # missing argument: help text

    def check_blockheader(self):
        self.log.info("getblockheader: fields, hex form, errors")
        node = self.node
        tip = node.getbestblockhash()
        header = node.getblockheader(tip)
        assert_equal(list(header.keys()), HEADER_KEYS + ["previousblockhash"])
        assert_equal(header["hash"], tip)
        assert_equal(header["height"], 200)
        assert_equal(header["confirmations"], 1)
        assert_equal(header["nTx"], 1)
        assert_equal(header["bits"], "207fffff")
        assert_equal(header["target"], REGTEST_TARGET)
        assert_equal(header["difficulty"], REGTEST_DIFFICULTY)
        assert_equal(header["versionHex"], f"{header['version']:08x}")
        assert_equal(header["previousblockhash"], node.getblockhash(199))
        genesis = node.getblockheader(REGTEST_GENESIS, True)
        assert_equal(list(genesis.keys()), HEADER_KEYS + ["nextblockhash"])
        assert_equal(genesis["confirmations"], 201)
        assert_equal(genesis["nextblockhash"], node.getblockhash(1))
        assert_equal(genesis["time"], GENESIS_TIME)
        assert_equal(genesis["chainwork"], f"{2:064x}")

        raw = node.getblockheader(tip, False)
        assert_equal(len(raw), 160)
        assert_equal(hash_to_hex(hash256(bytes.fromhex(raw))), tip)
        assert_equal(node.getblockheader(blockhash=tip, verbose=False), raw)

        assert_raises_rpc_error(-5, "Block not found", node.getblockheader, UNKNOWN_HASH)
        assert_raises_rpc_error(-8, "hash must be of length 64 (not 8, for 'nonsense')", node.getblockheader,
                                "nonsense")
        assert_raises_rpc_error(-8, "hash must be hexadecimal string", node.getblockheader, "zz" * 32)

    def check_block(self):
        self.log.info("getblock verbosity 0-3")
        node = self.node
        acs = AnyoneCanSpend(node)
        spend = acs.create_self_transfer(fee=Decimal("0.0001"))
        block_hash = acs.mine([spend["hex"]])

        raw = node.getblock(block_hash, 0)
        assert_equal(hash_to_hex(hash256(bytes.fromhex(raw[:160]))), block_hash)
        assert_equal(node.getblock(block_hash, False), raw)

        block = node.getblock(block_hash)
        assert_equal(list(block.keys()), HEADER_KEYS + ["previousblockhash", "strippedsize", "size", "weight", "tx"])
        assert_equal(block, node.getblock(block_hash, 1))
        assert_equal(block, node.getblock(block_hash, True))
        assert_equal(block["height"], 201)
        assert_equal(block["nTx"], 2)
        assert_equal(block["tx"][1], spend["txid"])
        assert_equal(block["size"], len(raw) // 2)
        assert_equal(block["weight"], 3 * block["strippedsize"] + block["size"])
        assert_equal(block["confirmations"], 1)

        detailed = node.getblock(blockhash=block_hash, verbosity=2)
        coinbase, tx = detailed["tx"]
        assert_equal(list(tx.keys()), ["txid", "hash", "version", "size", "vsize", "weight", "locktime", "vin",
                                       "vout", "fee", "hex"])
        assert_true("fee" not in coinbase, "no fee for the coinbase")
        assert_equal(list(coinbase["vin"][0].keys()), ["coinbase", "txinwitness", "sequence"])
        assert_equal(tx["txid"], spend["txid"])
        assert_equal(tx["hash"], spend["wtxid"])
        assert_equal(tx["hex"], spend["hex"])
        assert_equal(tx["fee"], Decimal("0.0001"))
        assert_equal(tx["vsize"], (tx["weight"] + 3) // 4)
        vin = tx["vin"][0]
        assert_equal(list(vin.keys()), ["txid", "vout", "scriptSig", "txinwitness", "sequence"])
        assert_equal(vin["scriptSig"], {"asm": "", "hex": ""})
        assert_equal(vin["txinwitness"], ["51"])
        assert_equal(vin["sequence"], 0xFFFFFFFD)
        vout = tx["vout"][0]
        assert_equal(list(vout.keys()), ["value", "n", "scriptPubKey"])
        assert_equal(vout["scriptPubKey"]["address"], ANYONE_CAN_SPEND_ADDRESS)
        assert_equal(vout["scriptPubKey"]["type"], "witness_v0_scripthash")
        assert_equal(vout["scriptPubKey"]["hex"], ACS_SCRIPT)
        assert_equal(vout["scriptPubKey"]["asm"], "0 " + ACS_SCRIPT[4:])
        assert_true(vout["scriptPubKey"]["desc"].startswith(f"addr({ANYONE_CAN_SPEND_ADDRESS})#"), "addr() descriptor")
        commitment = coinbase["vout"][1]["scriptPubKey"]
        assert_equal(commitment["type"], "nulldata")
        assert_true(commitment["asm"].startswith("OP_RETURN aa21a9ed"), "witness commitment asm")
        assert_true("address" not in commitment, "OP_RETURN has no address")

        with_prevout = node.getblock(block_hash, 3)
        vin3 = with_prevout["tx"][1]["vin"][0]
        assert_equal(list(vin3.keys()), ["txid", "vout", "scriptSig", "txinwitness", "prevout", "sequence"])
        prevout = vin3["prevout"]
        assert_equal(list(prevout.keys()), ["generated", "height", "value", "scriptPubKey"])
        spent_block = node.getblock(node.getblockhash(prevout["height"]))
        assert_equal(spent_block["tx"][0], vin3["txid"])
        assert_equal(prevout["generated"], True)
        assert_equal(prevout["value"], subsidy(prevout["height"]))
        assert_equal(prevout["scriptPubKey"]["address"], ANYONE_CAN_SPEND_ADDRESS)
        assert_true("prevout" not in with_prevout["tx"][0]["vin"][0], "no prevout for the coinbase")
        # Larger verbosities are 3, negative ones 0.
        assert_equal(node.getblock(block_hash, 9), with_prevout)
        assert_equal(node.getblock(block_hash, -1), raw)

        assert_raises_rpc_error(-5, "Block not found", node.getblock, UNKNOWN_HASH)
        assert_raises_rpc_error(-8, "blockhash must be of length 64 (not 3, for 'abc')", node.getblock, "abc")
        self.spend_block = block_hash
        self.spend = spend
        self.spent_value = prevout["value"]

    def check_chaintips_and_difficulty(self):
        self.log.info("getchaintips, getdifficulty")
        node = self.node
        assert_equal(node.getchaintips(), [{"height": 201, "hash": node.getbestblockhash(), "branchlen": 0,
                                            "status": "active"}])
        assert_equal(node.getdifficulty(), REGTEST_DIFFICULTY)

    def check_txout(self):
        self.log.info("gettxout")
        node = self.node
        coinbase = node.getblock(node.getblockhash(150))["tx"][0]
        out = node.gettxout(coinbase, 0)
        assert_equal(list(out.keys()), ["bestblock", "confirmations", "value", "scriptPubKey", "coinbase"])
        assert_equal(out["bestblock"], node.getbestblockhash())
        assert_equal(out["confirmations"], 201 - 150 + 1)
        assert_equal(out["value"], Decimal("25"))
        assert_equal(out["coinbase"], True)
        assert_equal(list(out["scriptPubKey"].keys()), ["asm", "desc", "hex", "address", "type"])
        assert_equal(out["scriptPubKey"]["address"], ANYONE_CAN_SPEND_ADDRESS)
        assert_equal(node.gettxout(txid=coinbase, n=0, include_mempool=False), out)
        # The witness commitment is unspendable: never in the UTXO set.
        assert_equal(node.gettxout(coinbase, 1), None)
        assert_equal(node.gettxout(coinbase, 7), None)
        assert_equal(node.gettxout(UNKNOWN_HASH, 0), None)
        # Spent by check_block's transaction; its own output is there.
        spent_txid = node.getblock(self.spend_block, 2)["tx"][1]["vin"][0]["txid"]
        assert_equal(node.gettxout(spent_txid, 0), None)
        new = node.gettxout(self.spend["txid"], 0)
        assert_equal(new["coinbase"], False)
        assert_equal(new["confirmations"], 1)
        assert_raises_rpc_error(-8, "txid must be of length 64", node.gettxout, "00", 0)

    def check_txoutsetinfo(self):
        self.log.info("gettxoutsetinfo")
        node = self.node
        info = node.gettxoutsetinfo()
        assert_equal(list(info.keys()), ["height", "bestblock", "txouts", "bogosize", "hash_serialized_3",
                                         "transactions", "disk_size", "total_amount"])
        assert_equal(info["height"], 201)
        assert_equal(info["bestblock"], node.getbestblockhash())
        # One coin per coinbase of blocks 1..201 (the genesis output is not
        # spendable), one coinbase coin spent, one new output.
        assert_equal(info["txouts"], 201)
        assert_equal(info["transactions"], 201)
        assert_equal(info["bogosize"], 201 * (50 + len(ACS_SCRIPT) // 2))
        expected_total = sum(subsidy(h) for h in range(1, 202)) - Decimal("0.0001")
        assert_equal(info["total_amount"], expected_total)
        assert_equal(len(info["hash_serialized_3"]), 64)
        del info["disk_size"]
        assert_equal(utxo_stats(node, "hash_serialized_3"), info)

        none = node.gettxoutsetinfo(hash_type="none")
        assert_true("hash_serialized_3" not in none, "no hash with hash_type none")
        assert_equal(none["txouts"], info["txouts"])

        self.log.info("gettxoutsetinfo: both hashes recomputed here from the coins")
        coins = []
        for height in range(1, 202):
            block = node.getblock(node.getblockhash(height), 2)
            for tx in block["tx"]:
                for out in tx["vout"]:
                    if node.gettxout(tx["txid"], out["n"]) is not None:
                        coins.append((bytes.fromhex(tx["txid"])[::-1], out["n"],
                                      coin_serialization(tx["txid"], out["n"], height, tx is block["tx"][0],
                                                         out["value"], out["scriptPubKey"]["hex"])))
        assert_equal(len(coins), info["txouts"])
        coins.sort()  # the database's key order: txid bytes, then output index
        serialized = b"".join(c[2] for c in coins)
        assert_equal(info["hash_serialized_3"], hashlib.sha256(hashlib.sha256(serialized).digest()).digest()[::-1].hex())
        muhash = utxo_stats(node, "muhash")
        assert_equal(list(muhash.keys()), ["height", "bestblock", "txouts", "bogosize", "muhash", "transactions",
                                           "total_amount"])
        assert_equal(muhash["muhash"], muhash_digest(c[2] for c in coins))

        self.log.info("gettxoutsetinfo: the hash changes with the set and comes back with it")
        tip = node.getbestblockhash()
        muhash_tip = utxo_stats(node, "muhash")["muhash"]
        node.invalidateblock(tip)
        before = node.gettxoutsetinfo()
        assert_true(utxo_stats(node, "muhash")["muhash"] != muhash_tip, "muhash after invalidateblock")
        assert_true(before["hash_serialized_3"] != info["hash_serialized_3"], "hash after invalidateblock")
        assert_equal(before["height"], 200)
        node.reconsiderblock(tip)
        assert_equal(utxo_stats(node), info)
        assert_equal(utxo_stats(node, "muhash")["muhash"], muhash_tip)
        # Survives a restart (the flush writes the same set).
        self.restart_node(0)
        self.node = self.nodes[0]
        assert_equal(utxo_stats(self.node), info)
        node = self.node

        assert_raises_rpc_error(-8, "'foo' is not a valid hash_type", node.gettxoutsetinfo, "foo")
        assert_raises_rpc_error(-8, "Querying specific block heights requires coinstatsindex",
                                node.gettxoutsetinfo, "none", 5)

    def check_verifychain(self):
        self.log.info("verifychain")
        node = self.node
        assert_equal(node.verifychain(), True)
        for level in range(5):
            assert_equal(node.verifychain(level, 0), True)
        assert_equal(node.verifychain(checklevel=4, nblocks=10), True)

    def check_pruneblockchain(self):
        self.log.info("pruneblockchain")
        node = self.node
        assert_raises_rpc_error(-1, "Cannot prune blocks because node is not in prune mode.",
                                node.pruneblockchain, 10)
        pruned = self.nodes[1]
        assert_raises_rpc_error(-8, "Negative block height.", pruned.pruneblockchain, -1)
        assert_raises_rpc_error(-8, "Blockchain is shorter than the attempted prune height.",
                                pruned.pruneblockchain, 500)
        assert_raises_rpc_error(-8, "Could not find block with at least the specified timestamp.",
                                pruned.pruneblockchain, 4000000000)
        # The last 288 blocks are always kept: nothing to prune on 200 blocks.
        assert_equal(pruned.pruneblockchain(150), -1)
        assert_equal(pruned.getblockchaininfo()["pruneheight"], 0)

    def check_blockstats(self):
        self.log.info("getblockstats")
        node = self.node
        block = node.getblock(self.spend_block, 2)
        tx = block["tx"][1]
        stats = node.getblockstats(self.spend_block)
        assert_equal(stats, node.getblockstats(201))
        # Core's order: alphabetical but for the four utxo_* fields.
        assert_equal(list(stats.keys()), [
            "avgfee", "avgfeerate", "avgtxsize", "blockhash", "feerate_percentiles", "height", "ins", "maxfee",
            "maxfeerate", "maxtxsize", "medianfee", "mediantime", "mediantxsize", "minfee", "minfeerate",
            "mintxsize", "outs", "subsidy", "swtotal_size", "swtotal_weight", "swtxs", "time", "total_out",
            "total_size", "total_weight", "totalfee", "txs", "utxo_increase", "utxo_size_inc",
            "utxo_increase_actual", "utxo_size_inc_actual"])
        assert_equal(stats["blockhash"], self.spend_block)
        assert_equal(stats["height"], 201)
        assert_equal(stats["txs"], 2)
        assert_equal(stats["ins"], 1)
        assert_equal(stats["outs"], 3)  # coinbase: payout and commitment; the transaction: one output
        assert_equal(stats["totalfee"], 10000)
        assert_equal(stats["avgfee"], 10000)
        assert_equal(stats["minfee"], 10000)
        assert_equal(stats["maxfee"], 10000)
        assert_equal(stats["medianfee"], 10000)
        assert_equal(stats["subsidy"], 2500000000)
        assert_equal(stats["total_size"], tx["size"])
        assert_equal(stats["total_weight"], tx["weight"])
        assert_equal(stats["swtxs"], 1)
        assert_equal(stats["swtotal_size"], tx["size"])
        assert_equal(stats["avgfeerate"], 10000 * 4 // tx["weight"])
        assert_equal(stats["feerate_percentiles"], [10000 * 4 // tx["weight"]] * 5)
        assert_equal(stats["total_out"], int((self.spent_value - Decimal("0.0001")) * 100000000))
        assert_equal(stats["utxo_increase"], 3 - 1)
        assert_equal(stats["utxo_increase_actual"], 2 - 1)
        assert_equal(stats["time"], block["time"])
        assert_equal(stats["mediantime"], block["mediantime"])

        selected = node.getblockstats(hash_or_height=201, stats=["txs", "minfee"])
        assert_equal(selected, {"minfee": 10000, "txs": 2})
        genesis = node.getblockstats(0)
        assert_equal(genesis["txs"], 1)
        assert_equal(genesis["utxo_increase_actual"], 0)
        assert_equal(node.getblockstats(100)["totalfee"], 0)

        assert_raises_rpc_error(-8, "Invalid selected statistic 'foo'", node.getblockstats, 201, ["foo"])
        assert_raises_rpc_error(-8, "Target block height -1 is negative", node.getblockstats, -1)
        assert_raises_rpc_error(-8, "Target block height 1000 after current tip 201", node.getblockstats, 1000)
        assert_raises_rpc_error(-5, "Block not found", node.getblockstats, UNKNOWN_HASH)

    def check_waiting(self):
        self.log.info("waitfornewblock, waitforblock, waitforblockheight")
        node = self.node
        tip = {"hash": node.getbestblockhash(), "height": node.getblockcount()}
        # Timeouts return the current tip.
        start = time.time()
        assert_equal(node.waitfornewblock(200), tip)
        assert_greater_than(time.time() - start, 0.15)
        assert_equal(node.waitforblockheight(500, 100), tip)
        assert_equal(node.waitforblock(UNKNOWN_HASH, 100), tip)
        # Already satisfied: immediate.
        assert_equal(node.waitforblockheight(10), tip)
        assert_equal(node.waitforblock(tip["hash"]), tip)
        # A current_tip other than the tip returns at once.
        assert_equal(node.waitfornewblock(0, UNKNOWN_HASH), tip)
        assert_raises_rpc_error(-1, "Negative timeout", node.waitfornewblock, -1)
        assert_raises_rpc_error(-1, "Negative timeout", node.waitforblockheight, 1, -1)

        # Waiting calls return when a block arrives (each on its own connection).
        results = {}

        def wait(name, method, *args):
            proxy = AuthServiceProxy(node.rpc_url, timeout=60)
            results[name] = getattr(proxy, method)(*args)

        threads = [threading.Thread(target=wait, args=("new", "waitfornewblock")),
                   threading.Thread(target=wait, args=("height", "waitforblockheight", tip["height"] + 2, 30000))]
        for t in threads:
            t.start()
        time.sleep(0.5)
        first = self.generate(node, 1)[0]
        threads[0].join(10)
        assert_equal(results.get("new"), {"hash": first, "height": tip["height"] + 1})
        assert_true(threads[1].is_alive(), "waitforblockheight still waiting for the second block")
        second = self.generate(node, 1)[0]
        threads[1].join(10)
        assert_equal(results.get("height"), {"hash": second, "height": tip["height"] + 2})

        results.clear()
        # waitfornewblock with current_tip: returns once the tip differs from it.
        waiter = threading.Thread(target=wait, args=("since", "waitfornewblock", 30000, second))
        waiter.start()
        time.sleep(0.3)
        third = self.generate(node, 1)[0]
        waiter.join(10)
        assert_equal(results.get("since"), {"hash": third, "height": tip["height"] + 3})


if __name__ == "__main__":
    BlockchainRpcTest().main()
