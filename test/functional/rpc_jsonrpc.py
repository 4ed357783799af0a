#!/usr/bin/python3
"""The JSON-RPC endpoint as Core shapes it: 1.0 replies carry result, error
and id with HTTP errors (404 unknown method, 500 others, 400 invalid request);
2.0 replies carry either result or error with HTTP 200, notifications get
204; batches mix both; malformed JSON is -32700; wrong argument types -3
with Core's message; named parameters; GET is 405; other paths 404; bodies
over the limit are refused; /wallet/<name> reaches the same table."""
import base64
import http.client
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.util import assert_equal, assert_raises_rpc_error, assert_true  # noqa: E402


class RawClient:
    def __init__(self, port, cookie):
        self.port = port
        self.auth = "Basic " + base64.b64encode(cookie.encode()).decode()

    def send(self, body, method="POST", path="/"):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request(method, path, body, {"Authorization": self.auth, "Content-Type": "application/json"})
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp.status, resp.getheader("Content-Type"), data

    def call(self, obj, **kw):
        status, ctype, data = self.send(json.dumps(obj), **kw)
        return status, (json.loads(data) if data else None), ctype, data


class JsonRpcTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = True

    def run_test(self):
        node = self.nodes[0]
        with open(node.cookie_path, encoding="utf8") as f:
            client = RawClient(node.rpc_port, f.read())

        self.log.info("JSON-RPC 1.0: result, error and id always; errors are HTTP errors")
        status, reply, ctype, raw = client.call({"method": "getblockcount", "params": [], "id": 7})
        assert_equal((status, ctype), (200, "application/json"))
        assert_equal(raw, b'{"result":0,"error":null,"id":7}\n')
        status, reply, _, _ = client.call({"method": "nosuchmethod", "params": [], "id": 1})
        assert_equal(status, 404)
        assert_equal(reply, {"result": None, "error": {"code": -32601, "message": "Method not found"}, "id": 1})
        status, reply, _, _ = client.call({"method": "getblockhash", "params": ["x"], "id": 2})
        assert_equal(status, 500)
        assert_equal(reply["error"]["code"], -3)
        status, reply, _, _ = client.call({"jsonrpc": "1.0", "method": "getblockhash", "params": [5], "id": "s"})
        assert_equal(status, 500)
        assert_equal(reply["error"]["code"], -8)
        assert_equal(reply["id"], "s")
        # no id in 1.0: still answered, the reply has no id
        status, reply, _, _ = client.call({"method": "getblockcount"})
        assert_equal(status, 200)
        assert_equal(reply, {"result": 0, "error": None})

        self.log.info("JSON-RPC 2.0: either result or error, HTTP 200 even for errors")
        status, reply, _, raw = client.call({"jsonrpc": "2.0", "method": "getblockcount", "id": "a"})
        assert_equal(status, 200)
        assert_equal(raw, b'{"jsonrpc":"2.0","result":0,"id":"a"}\n')
        status, reply, _, _ = client.call({"jsonrpc": "2.0", "method": "nosuchmethod", "id": 3})
        assert_equal(status, 200)
        assert_equal(reply, {"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": 3})
        status, reply, _, _ = client.call({"jsonrpc": "2.0", "method": "getblockhash", "params": ["x"], "id": 4})
        assert_equal(status, 200)
        assert_equal(reply["error"]["code"], -3)

        self.log.info("2.0 notifications (no id) run but get 204 and no body")
        with node.assert_debug_log(["ThreadRPCServer method=getblockcount"]):
            status, reply, _, raw = client.call({"jsonrpc": "2.0", "method": "getblockcount"})
        assert_equal((status, raw), (204, b""))
        status, _, _, raw = client.call({"jsonrpc": "2.0", "method": "nosuchmethod"})
        assert_equal((status, raw), (204, b""))

        self.log.info("invalid requests: 400 with -32600")
        for obj, message in [({"id": 1}, "Missing method"),
                             ({"method": 5, "id": 1}, "Method must be a string"),
                             ({"method": "getblockcount", "params": 1, "id": 1}, "Params must be an array or object"),
                             ({"jsonrpc": "3.0", "method": "getblockcount", "id": 1}, "JSON-RPC version not supported"),
                             ({"jsonrpc": 2, "method": "getblockcount", "id": 1}, "jsonrpc field must be a string")]:
            status, reply, _, _ = client.call(obj)
            assert_equal(status, 400)
            assert_equal(reply["error"], {"code": -32600, "message": message})

        self.log.info("malformed JSON: -32700 Parse error, HTTP 500")
        for body in ['{"method": "getblockcount"', "not json", "", '{"method":"getblockcount"} trailing']:
            status, ctype, data = client.send(body)
            assert_equal((status, ctype), (500, "application/json"))
            assert_equal(json.loads(data), {"result": None, "error": {"code": -32700, "message": "Parse error"}, "id": None})
        status, _, data = client.send("[1")
        assert_equal(status, 500)
        status, _, data = client.send('"a string"')
        assert_equal(status, 500)
        assert_equal(json.loads(data)["error"], {"code": -32700, "message": "Top-level object parse error"})

        self.log.info("batches: HTTP 200, replies in order, one per non-notification")
        status, reply, _, _ = client.call([
            {"method": "getblockcount", "id": 1},
            {"jsonrpc": "2.0", "method": "nosuchmethod", "id": 2},
            {"jsonrpc": "2.0", "method": "getblockcount"},
            "not an object",
            {"method": "getblockhash", "params": ["x"], "id": 3},
            {"jsonrpc": "2.0", "method": "getblockhash", "params": [0], "id": 4},
        ])
        assert_equal(status, 200)
        assert_equal(len(reply), 5)
        assert_equal(reply[0], {"result": 0, "error": None, "id": 1})
        assert_equal(reply[1], {"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": 2})
        assert_equal(reply[2]["error"], {"code": -32600, "message": "Invalid Request object"})
        assert_equal(reply[3]["error"]["code"], -3)
        assert_equal(reply[3]["id"], 3)
        assert_equal(reply[4], {"jsonrpc": "2.0", "result": node.getbestblockhash(), "id": 4})
        status, reply, _, raw = client.call([])
        assert_equal((status, raw), (200, b"[]\n"))
        status, _, _, raw = client.call([{"jsonrpc": "2.0", "method": "getblockcount"}])
        assert_equal((status, raw), (204, b""))
        assert_equal([r["result"] for r in node.batch([node.getblockcount.get_request(), node.getbestblockhash.get_request()])],
                     [0, node.getbestblockhash()])

        self.log.info("wrong types: -3 with Core's message naming the position")
        assert_raises_rpc_error(-3, "JSON value of type string is not of expected type number", node.getblockhash, "0")
        assert_raises_rpc_error(-3, 'Wrong type passed:\n{\n    "Position 1 (height)": "JSON value of type string is not of expected type number"\n}',
                                node.getblockhash, "0")
        assert_raises_rpc_error(-3, "JSON value of type number is not of expected type string", node.getblock, 1)
        assert_raises_rpc_error(-3, "JSON value of type bool is not of expected type array", node.logging, True)

        self.log.info("argument count: -1 with the method's help")
        assert_raises_rpc_error(-1, "getblockhash height", node.getblockhash)
        assert_raises_rpc_error(-1, "getblockcount", node.getblockcount, 1)

        self.log.info("named parameters")
        genesis = node.getblockhash(0)
        assert_equal(node.getblockhash(height=0), genesis)
        assert_equal(node.getblock(blockhash=genesis, verbosity=0), node.getblock(genesis, 0))
        assert_equal(node.getblock(genesis, verbosity=1)["hash"], genesis)  # "args" plus a name
        assert_raises_rpc_error(-8, "Unknown named parameter foo", node.getblockhash, height=0, foo=1)
        assert_raises_rpc_error(-8, "Parameter blockhash specified twice both as positional and named argument",
                                node.getblock, genesis, blockhash=genesis)
        assert_equal(node.help(command="uptime").split("\n")[0], "uptime")

        self.log.info("HTTP level: GET is 405, unknown paths 404, /wallet/ reaches the table")
        status, _, data = client.send("", method="GET")
        assert_equal((status, data), (405, b"JSONRPC server handles only POST requests"))
        status, _, _ = client.send('{"method":"getblockcount","id":1}', path="/nothing")
        assert_equal(status, 404)
        status, reply, _, _ = client.call({"method": "getblockcount", "id": 1}, path="/wallet/somewallet")
        assert_equal((status, reply["result"]), (200, 0))

        self.log.info("a body over the size limit is refused, the server stays up")
        big = '{"method":"getblockcount","params":["' + "a" * (33 * 1024 * 1024) + '"],"id":1}'
        try:
            status, _, _ = client.send(big)
            assert_equal(status, 413)
        except (ConnectionError, http.client.HTTPException):
            pass  # the server may close the connection before reading it all
        assert_equal(node.getblockcount(), 0)

        self.log.info("stop answers \"Bitcoin Core stopping\" before the node exits")
        status, reply, _, _ = client.call({"jsonrpc": "2.0", "method": "stop", "id": 9})
        assert_equal((status, reply), (200, {"jsonrpc": "2.0", "result": "Bitcoin Core stopping", "id": 9}))
        node.wait_until_stopped()
        assert_true(not os.path.exists(node.cookie_path), "cookie removed")
        self.start_node(0)


if __name__ == "__main__":
    JsonRpcTest().main()
