#!/usr/bin/python3
"""Checks the test framework's own pieces without a node: block and
transaction serialization round trips and hashes on real mainnet blocks
(../shared/testvectors/blocks), merkle roots and BIP141 witness commitments,
Core's tx_valid vectors, addresses against Core's key_io vectors, the
JSON-RPC client's exact Decimal encoding, the anyone-can-spend spend, and
the per-process port blocks."""
import json
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.address import (address_to_script, decode_segwit_address, encode_segwit_address,  # noqa: E402
                                    witness_script_to_p2wsh_address)
from test_framework.authproxy import decode_json, encode_json  # noqa: E402
from test_framework.framework import ANYONE_CAN_SPEND_ADDRESS  # noqa: E402
from test_framework.messages import (WITNESS_COMMITMENT_HEADER, Block, BlockHeader, Transaction, from_hex,  # noqa: E402
                                     hash256, merkle_root, tx_from_hex)
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import (assert_equal, assert_raises_rpc_error, assert_true, extra_port, p2p_port,  # noqa: E402
                                 repo_root, rpc_port, run_test, satoshi_round, to_btc, to_satoshis)
from test_framework.authproxy import JSONRPCException  # noqa: E402

VECTORS = os.path.join(repo_root(), "..", "shared", "testvectors")


def check_blocks():
    manifest = json.load(open(os.path.join(VECTORS, "blocks", "blocks.json")))
    for entry in manifest["files"]:
        if not entry["file"].endswith(".raw"):
            continue
        raw = open(os.path.join(VECTORS, "blocks", entry["file"]), "rb").read()
        block = from_hex(Block(), raw.hex())
        assert_equal(block.serialize(), raw, f"{entry['file']} re-serializes byte for byte")
        assert_equal(block.hash, entry["hash"], "block hash")
        assert_equal(f"{block.prev:064x}", entry["prev_hash"], "prev hash")
        assert_equal(f"{block.merkle_root:064x}", entry["merkle_root"], "merkle root field")
        assert_equal(block.calc_merkle_root(), block.merkle_root, "computed merkle root")
        assert_equal(len(block.vtx), entry["tx_count"], "transactions")
        assert_equal(sum(tx.has_witness() for tx in block.vtx), entry["segwit_tx_count"], "segwit transactions")
        assert_equal(block.time, entry["time"], "time")
        assert_equal(block.bits, int(entry["bits"], 16), "bits")
        assert_true(block.hash_int <= block.target(), "proof of work meets the target")
        assert_equal(BlockHeader.deserialize(raw[:80]).hash, entry["hash"], "header alone")
        if entry["segwit_tx_count"]:
            commitments = [o.script_pubkey for o in block.vtx[0].vout
                           if o.script_pubkey.startswith(b"\x6a\x24" + WITNESS_COMMITMENT_HEADER)]
            assert_equal(commitments[-1][6:38], block.witness_commitment(), "BIP141 witness commitment")
            # Each transaction round-trips alone; txid and wtxid differ exactly for witness ones.
            for tx in block.vtx[:50]:
                again = tx_from_hex(tx.serialize().hex())
                assert_equal(again.serialize(), tx.serialize(), "transaction round trip")
                assert_equal(tx.txid != tx.wtxid, tx.has_witness(), "txid vs wtxid")
            copy = Block(block.header(), [t.copy() for t in block.vtx])
            copy.add_witness_commitment()
            assert_equal(copy.vtx[0].vout[-1].script_pubkey[6:], block.witness_commitment(),
                         "add_witness_commitment recomputes the same commitment")
        print(f"{entry['file']}: {len(block.vtx)} transactions, hash, merkle root, weight {block.get_weight()} ok")
    assert_equal(merkle_root([b"\x01" * 32]), b"\x01" * 32, "merkle root of one")
    assert_equal(merkle_root([b"\x01" * 32, b"\x02" * 32, b"\x03" * 32]),
                 hash256(hash256(b"\x01" * 32 + b"\x02" * 32) + hash256(b"\x03" * 32 + b"\x03" * 32)),
                 "merkle root duplicates the last")


def check_tx_vectors():
    count = 0
    for row in json.load(open(os.path.join(VECTORS, "core", "tx_valid.json"))):
        if isinstance(row[0], str):
            continue
        tx = tx_from_hex(row[1])
        assert_equal(tx.serialize().hex(), row[1].lower(), "tx_valid round trip")
        count += 1
    print(f"tx_valid.json: {count} transactions round-trip")
    # A superfluous witness flag is rejected, as the node does.
    bad = tx.serialize_without_witness()
    bad = bad[:4] + b"\x00\x01" + bad[4:-4] + b"\x00" * len(tx.vin) + bad[-4:]
    try:
        tx_from_hex(bad.hex())
        raise AssertionError("superfluous witness accepted")
    except ValueError:
        pass


def check_addresses():
    count = 0
    for row in json.load(open(os.path.join(VECTORS, "core", "key_io_valid.json"))):
        address, script, meta = row
        if meta.get("isPrivkey") or meta["chain"] != "regtest":
            continue
        assert_equal(address_to_script(address).hex(), script, f"scriptPubKey of {address}")
        version, program = decode_segwit_address("bcrt", address)
        if version is not None:
            assert_equal(encode_segwit_address("bcrt", version, program), address.lower(), "bech32 round trip")
        count += 1
    print(f"key_io_valid.json: {count} regtest addresses")
    assert_equal(witness_script_to_p2wsh_address(b"\x51"), ANYONE_CAN_SPEND_ADDRESS, "P2WSH(OP_TRUE)")


def check_json():
    assert_equal(encode_json({"a": Decimal("0.00000001"), "b": [1, True, None, "x"], "c": Decimal("21000000")}),
                 '{"a":0.00000001,"b":[1,true,null,"x"],"c":21000000}', "Decimal encoding")
    assert_equal(decode_json('{"v": 0.1, "n": 5}'), {"v": Decimal("0.1"), "n": 5}, "Decimal decoding")
    assert_equal(satoshi_round("0.123456789"), Decimal("0.12345678"), "satoshi_round")
    assert_equal(to_satoshis(Decimal("50")), 5_000_000_000, "to_satoshis")
    assert_equal(to_btc(1), Decimal("0.00000001"), "to_btc")

    def raiser():
        raise JSONRPCException({"code": -8, "message": "Block height out of range"})
    assert_raises_rpc_error(-8, "out of range", raiser)


class FakeNode:
    """Just enough RPC for AnyoneCanSpend: one block with one mature coinbase coin."""

    def __init__(self, acs_script):
        self.script = acs_script.hex()

    def getblockcount(self):
        return 100

    def getblockhash(self, height):
        return f"{height:064x}"

    def getblock(self, blockhash, verbosity):
        height = int(blockhash, 16)
        txs = []
        if height == 1:
            txs = [{"txid": "aa" * 32, "vin": [{"coinbase": "51"}],
                    "vout": [{"n": 0, "value": Decimal("50.00000000"), "scriptPubKey": {"hex": self.script}}]}]
        return {"hash": blockhash, "height": height, "tx": txs}


def check_anyone_can_spend():
    acs = AnyoneCanSpend(None)
    acs.node = FakeNode(acs.script_pubkey)
    utxo = acs.get_utxo()
    assert_equal((utxo["txid"], utxo["vout"], utxo["value"], utxo["coinbase"], utxo["confirmations"]),
                 ("aa" * 32, 0, Decimal("50"), True, 100), "the mature coinbase coin")
    result = acs.create_self_transfer(utxo=utxo)
    tx = result["tx"]
    assert_equal(tx_from_hex(result["hex"]).serialize(), tx.serialize(), "self transfer round trip")
    assert_equal(tx.wit[0].stack, [b"\x51"], "witness: the OP_TRUE script")
    assert_equal(tx.vout[0].value, 50 * 10**8 - 10_000, "value minus the default fee")
    assert_equal(tx.vout[0].script_pubkey.hex(), "0020" + "4ae81572f06e1b88fd5ced7a1a000945432e83e1551e6f721ee9c00b8cc33260",
                 "pays P2WSH(OP_TRUE)")
    assert_equal(result["txid"], Transaction.deserialize(bytes.fromhex(result["hex"])).txid, "txid")
    assert_equal(result["new_utxo"]["value"], Decimal("49.9999"), "new coin value")


def check_ports():
    ports = [p2p_port(i) for i in range(10)] + [rpc_port(i) for i in range(10)] + [extra_port(k) for k in range(10)]
    assert_equal(len(set(ports)), 30, "distinct ports")
    assert_true(max(ports) < 32768, "below the ephemeral range")


def main():
    check_blocks()
    check_tx_vectors()
    check_addresses()
    check_json()
    check_anyone_can_spend()
    check_ports()


if __name__ == "__main__":
    run_test(main)
