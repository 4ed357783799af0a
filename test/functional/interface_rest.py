#!/usr/bin/python3
"""The REST interface (-rest): /rest/block/, /rest/block/notxdetails/,
/rest/headers/, /rest/blockhashbyheight/, /rest/tx/ (with -txindex),
/rest/getutxos/ and /rest/chaininfo.json in the bin, hex and json formats, compared with the
matching RPCs, and Core's status codes and messages for bad requests."""
import http.client
import json
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import assert_equal, assert_true  # noqa: E402

UNKNOWN_HASH = "33" * 32
FORMATS_MESSAGE = "output format not found (available: .bin, .hex, .json)"


class RestTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.setup_clean_chain = False
        self.extra_args = [["-rest", "-txindex"], []]

    def get(self, path, node=0, status=200, content_type=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.nodes[node].rpc_port, timeout=30)
        conn.request("GET", path)
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        assert_equal(resp.status, status, f"status of GET {path} ({body[:200]!r})")
        if content_type:
            assert_equal(resp.getheader("Content-Type"), content_type, f"Content-Type of {path}")
        return body

    def get_json(self, path, **kwargs):
        return json.loads(self.get(path, content_type="application/json", **kwargs), parse_float=Decimal)

    def get_error(self, path, status, message, node=0):
        body = self.get(path, node=node, status=status, content_type="text/plain")
        assert_equal(body.decode(), message + "\r\n", f"error of {path}")

    def run_test(self):
        node = self.nodes[0]
        probe = http.client.HTTPConnection("127.0.0.1", node.rpc_port, timeout=30)
        probe.request("GET", "/rest/chaininfo.json")
        if probe.getresponse().status == 404:
            raise AssertionError("bitcoind -rest serves no /rest/ handlers: StartREST (rpc/rest.h) is not called")
        probe.close()

        acs = AnyoneCanSpend(node)
        spend = acs.create_self_transfer()
        block_hash = acs.mine([spend["hex"]])
        tip = node.getbestblockhash()
        assert_equal(tip, block_hash)

        self.log.info("/rest/chaininfo.json")
        assert_equal(self.get_json("/rest/chaininfo.json"), node.getblockchaininfo())
        self.get_error("/rest/chaininfo.bin", 404, "output format not found (available: json)")

        self.log.info("/rest/block/ and /rest/block/notxdetails/")
        raw = node.getblock(tip, 0)
        assert_equal(self.get(f"/rest/block/{tip}.bin", content_type="application/octet-stream"), bytes.fromhex(raw))
        assert_equal(self.get(f"/rest/block/{tip}.hex", content_type="text/plain").decode(), raw + "\n")
        assert_equal(self.get_json(f"/rest/block/{tip}.json"), node.getblock(tip, 3))  # with prevouts
        assert_equal(self.get_json(f"/rest/block/notxdetails/{tip}.json"), node.getblock(tip, 1))
        assert_equal(self.get(f"/rest/block/notxdetails/{tip}.hex").decode(), raw + "\n")
        old = node.getblockhash(10)
        assert_equal(self.get_json(f"/rest/block/{old}.json"), node.getblock(old, 3))
        self.get_error(f"/rest/block/{UNKNOWN_HASH}.json", 404, f"{UNKNOWN_HASH} not found")
        self.get_error("/rest/block/abcd.json", 400, "Invalid hash: abcd")
        self.get_error(f"/rest/block/{tip}.xml", 404, FORMATS_MESSAGE)
        self.get_error(f"/rest/block/{tip}", 404, FORMATS_MESSAGE)

        self.log.info("/rest/headers/")
        start = node.getblockhash(195)
        expected = [node.getblockheader(node.getblockhash(h)) for h in range(195, 200)]
        assert_equal(self.get_json(f"/rest/headers/{start}.json?count=5"), expected)
        assert_equal(self.get_json(f"/rest/headers/{start}.json"), expected)  # default count 5
        assert_equal(self.get_json(f"/rest/headers/5/{start}.json"), expected)  # the older form
        binary = self.get(f"/rest/headers/{start}.bin?count=5", content_type="application/octet-stream")
        assert_equal(binary.hex(), "".join(node.getblockheader(h["hash"], False) for h in expected))
        assert_equal(self.get(f"/rest/headers/{start}.hex?count=2").decode(), binary.hex()[:320] + "\n")
        # Only blocks of the active chain, up to its tip.
        assert_equal(len(self.get_json(f"/rest/headers/{tip}.json?count=10")), 1)
        assert_equal(self.get_json(f"/rest/headers/{UNKNOWN_HASH}.json?count=3"), [])
        for count in ("0", "2001", "abc", "-1"):
            self.get_error(f"/rest/headers/{start}.json?count={count}", 400,
                           f"Header count is invalid or out of acceptable range (1-2000): {count}")
        self.get_error("/rest/headers/nothex.json?count=1", 400, "Invalid hash: nothex")
        self.get_error(f"/rest/headers/1/2/{start}.json", 400,
                       "Invalid URI format. Expected /rest/headers/<hash>.<ext>?count=<count>")

        self.log.info("/rest/blockhashbyheight/")
        h100 = node.getblockhash(100)
        assert_equal(self.get_json("/rest/blockhashbyheight/100.json"), {"blockhash": h100})
        assert_equal(self.get("/rest/blockhashbyheight/100.hex").decode(), h100 + "\n")
        assert_equal(self.get("/rest/blockhashbyheight/100.bin"), bytes.fromhex(h100)[::-1])
        self.get_error("/rest/blockhashbyheight/100000.json", 404, "Block height out of range")
        self.get_error("/rest/blockhashbyheight/abc.json", 400, "Invalid height: abc")
        self.get_error("/rest/blockhashbyheight/-1.json", 400, "Invalid height: -1")

        self.log.info("/rest/tx/ (with -txindex)")
        txid = spend["txid"]
        tx_json = self.get_json(f"/rest/tx/{txid}.json")
        in_block = node.getblock(tip, 2)["tx"][1]
        assert_equal(tx_json["blockhash"], tip)
        assert_equal(tx_json["hex"], spend["hex"])
        assert_equal(list(tx_json.keys()), ["txid", "hash", "version", "size", "vsize", "weight", "locktime", "vin",
                                            "vout", "blockhash", "hex"])
        for key in ("txid", "hash", "size", "vsize", "weight", "vin", "vout"):
            assert_equal(tx_json[key], in_block[key], f"tx field {key}")
        assert_equal(self.get(f"/rest/tx/{txid}.hex").decode(), spend["hex"] + "\n")
        assert_equal(self.get(f"/rest/tx/{txid}.bin"), bytes.fromhex(spend["hex"]))
        coinbase = node.getblock(node.getblockhash(50))["tx"][0]
        assert_equal(self.get_json(f"/rest/tx/{coinbase}.json")["blockhash"], node.getblockhash(50))
        self.get_error(f"/rest/tx/{UNKNOWN_HASH}.json", 404, f"{UNKNOWN_HASH} not found")
        self.get_error("/rest/tx/xyz.hex", 400, "Invalid hash: xyz")

        self.log.info("/rest/getutxos/")
        unspent = f"{txid}-0"
        spent_coinbase = node.getblock(tip, 2)["tx"][1]["vin"][0]["txid"]
        utxos = self.get_json(f"/rest/getutxos/{spent_coinbase}-0/{unspent}.json")
        assert_equal(list(utxos.keys()), ["chainHeight", "chaintipHash", "bitmap", "utxos"])
        assert_equal(utxos["chainHeight"], 201)
        assert_equal(utxos["chaintipHash"], tip)
        assert_equal(utxos["bitmap"], "01")
        rpc_coin = node.gettxout(txid, 0)
        assert_equal(utxos["utxos"], [{"height": 201, "value": rpc_coin["value"],
                                       "scriptPubKey": rpc_coin["scriptPubKey"]}])
        assert_equal(self.get_json(f"/rest/getutxos/checkmempool/{unspent}.json")["bitmap"], "1")
        binary = self.get(f"/rest/getutxos/{unspent}/{spent_coinbase}-0.bin", content_type="application/octet-stream")
        assert_equal(int.from_bytes(binary[0:4], "little"), 201)
        assert_equal(binary[4:36][::-1].hex(), tip)
        assert_equal(binary[36:38], bytes([1, 0b01]))  # one bitmap byte: the first outpoint found
        assert_equal(binary[38], 1)  # one coin
        assert_equal(binary[39:47], bytes(4) + (201).to_bytes(4, "little"))
        assert_equal(self.get(f"/rest/getutxos/{unspent}/{spent_coinbase}-0.hex").decode(), binary.hex() + "\n")
        # The same request as a POST body: checkmempool byte, outpoint vector.
        body = bytes([0, 2]) + bytes.fromhex(txid)[::-1] + bytes(4) + bytes.fromhex(spent_coinbase)[::-1] + bytes(4)
        conn = http.client.HTTPConnection("127.0.0.1", node.rpc_port, timeout=30)
        conn.request("POST", "/rest/getutxos.bin", body)
        assert_equal(conn.getresponse().read(), binary)
        conn.request("POST", "/rest/getutxos.hex", body.hex())
        assert_equal(conn.getresponse().read().decode(), binary.hex() + "\n")
        conn.request("POST", f"/rest/getutxos/{unspent}.bin", body)
        response = conn.getresponse()
        assert_equal((response.status, response.read()),
                     (400, b"Combination of URI scheme inputs and raw post data is not allowed\r\n"))
        conn.close()
        self.get_error("/rest/getutxos/nothex-0.json", 400, "Parse error")
        self.get_error(f"/rest/getutxos/{txid}-x.json", 400, "Parse error")
        self.get_error("/rest/getutxos.json", 400, "Error: empty request")
        self.get_error("/rest/getutxos/checkmempool.json", 400, "Error: empty request")
        many = "/".join(f"{txid}-{i}" for i in range(16))
        self.get_error(f"/rest/getutxos/{many}.json", 400, "Error: max outpoints exceeded (max: 15, tried: 16)")
        self.get_error(f"/rest/getutxos/{unspent}.xml", 404, FORMATS_MESSAGE)

        self.log.info("Without -rest nothing is served; without -txindex transactions are not found")
        self.get(f"/rest/block/{tip}.json", node=1, status=404)
        self.restart_node(1, ["-rest"])
        self.get_error(f"/rest/tx/{coinbase}.json", 404, f"{coinbase} not found", node=1)
        assert_true(self.get_json("/rest/chaininfo.json", node=1)["blocks"] == 200, "node1's chain")


if __name__ == "__main__":
    RestTest().main()
