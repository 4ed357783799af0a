#!/usr/bin/python3
"""bitcoin-cli: cookie discovery from -datadir and the network, results
printed as Core's client prints them (strings bare, JSON with two spaces,
numbers exactly as the server sent them), errors on stderr with Core's exit
codes, the conversion of positional and -named arguments, -stdin,
-stdinrpcpass, -rpcwait/-rpcwaittimeout, -rpcconnect/-rpcport, -getinfo,
-rpcclienttimeout, connection and authentication failures."""
import base64
import http.client
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.authproxy import JSONRPCException  # noqa: E402
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.util import (assert_equal, assert_greater_than_or_equal, assert_raises_rpc_error,  # noqa: E402
                                 assert_true, wait_until)

CONNECT_HINT = ("\n\nMake sure the bitcoind server is running and that you are connecting to the correct RPC port.\n"
                "Use \"bitcoin-cli -help\" for more info.")


class CliTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False  # the cached 200-block chain

    def skip_test_if_missing_module(self):
        self.skip_if_no_cli()

    def raw_result(self, method, params=()):
        """The result with every number as the text the server wrote."""
        node = self.nodes[0]
        auth = "Basic " + base64.b64encode(f"{node.rpc_user}:{node.rpc_password}".encode()).decode()
        conn = http.client.HTTPConnection("127.0.0.1", node.rpc_port, timeout=30)
        conn.request("POST", "/", json.dumps({"method": method, "params": list(params), "id": 1}), {"Authorization": auth})
        data = conn.getresponse().read()
        conn.close()
        return json.loads(data, parse_float=str, parse_int=str)["result"]

    def run_test(self):
        node = self.nodes[0]
        cli = node.cli_raw

        self.log.info("-version and -help exit 0")
        code, out, _ = cli(["-version"])
        assert_equal(code, 0)
        assert_true("RPC client version" in out, out)
        code, out, _ = cli(["-help"])
        assert_equal(code, 0)
        for option in ["-rpcwait", "-named", "-stdin", "-stdinrpcpass", "-getinfo", "-rpcconnect=<ip>", "-rpcport=<port>",
                       "-rpccookiefile=<loc>", "-rpcclienttimeout=<n>", "-rpcwaittimeout=<n>", "-datadir=<dir>", "-conf=<file>"]:
            assert_true(option in out, f"{option} in -help")

        self.log.info("results: the same data as RPC; strings bare, JSON pretty with 2 spaces")
        assert_equal(node.cli.getblockcount(), node.getblockcount())
        code, out, err = cli(["getbestblockhash"])
        assert_equal((code, out, err), (0, node.getbestblockhash() + "\n", ""))
        code, out, _ = cli(["getblockheader", node.getbestblockhash()])
        assert_equal(code, 0)
        assert_true(out.startswith('{\n  "hash": "'), out[:40])
        assert_equal(json.loads(out)["height"], 200)
        # numbers keep the server's text: difficulty and amounts are not reformatted
        raw_chain = self.raw_result("getblockchaininfo")
        code, out, _ = cli(["getblockchaininfo"])
        assert_true(f'"difficulty": {raw_chain["difficulty"]}' in out, out)
        code, out, _ = cli(["getblock", node.getblockhash(1), "2"])
        assert_true('"value": 50.00000000' in out, "amount printed exactly")
        # a null result prints nothing
        code, out, err = cli(["logging", "[]", "[]"])
        assert_equal(code, 0)

        self.log.info("conversion: numbers, booleans and JSON for the parameters that take them")
        assert_equal(node.cli.getblockhash(0), node.getblockhash(0))
        assert_equal(node.cli.getblock(node.getblockhash(0), 0), node.getblock(node.getblockhash(0), 0))
        assert_equal(node.cli.getblockheader(node.getblockhash(0), False), node.getblockheader(node.getblockhash(0), False))
        code, out, err = cli(["getblockhash", "abc"])
        assert_equal((code, out, err), (1, "", "error: Error parsing JSON: abc\n"))

        self.log.info("-named, with leftover positional words as args")
        h = node.getblockhash(5)
        assert_equal(node.cli("-named").getblockhash(height=5), h)
        code, out, _ = cli(["-named", "getblock", f"blockhash={h}", "verbosity=0"])
        assert_equal(out.strip(), node.getblock(h, 0))
        code, out, _ = cli(["-named", "getblock", h, "verbosity=0"])
        assert_equal(out.strip(), node.getblock(h, 0))
        code, _, err = cli(["-named", "getblockhash", "height=5", "foo=1"])
        assert_equal((code, err), (8, "error code: -8\nerror message:\nUnknown named parameter foo\n"))

        self.log.info("RPC errors: 'error code' / 'error message' on stderr, exit code |code|")
        code, out, err = cli(["nosuchmethod"])
        assert_equal((code, out, err), (32601 % 256, "", "error code: -32601\nerror message:\nMethod not found\n"))
        code, _, err = cli(["getblockhash", "1000"])
        assert_equal((code, err), (8, "error code: -8\nerror message:\nBlock height out of range\n"))
        assert_raises_rpc_error(-3, "JSON value of type string is not of expected type number", node.cli.getblockhash, '"1"')
        code, _, err = cli(["getblockcount", "1"])
        assert_equal(code, 1)
        assert_true(err.startswith("error code: -1\nerror message:\ngetblockcount\n"), err)
        code, _, err = cli([])
        assert_equal((code, err), (1, "error: too few parameters (need at least command)\n"))

        self.log.info("-stdin reads the arguments, one a line")
        code, out, _ = cli(["-stdin", "getblockhash"], input="7\n")
        assert_equal(out.strip(), node.getblockhash(7))
        code, out, _ = cli(["-stdin", "-named", "getblockhash"], input="height=8\n")
        assert_equal(out.strip(), node.getblockhash(8))

        self.log.info("-stdinrpcpass reads the password from the first line")
        user, password = node.rpc_user, node.rpc_password
        code, out, _ = cli([f"-rpcuser={user}", "-stdinrpcpass", "getblockcount"], input=password + "\n")
        assert_equal((code, out), (0, "200\n"))
        code, out, _ = cli([f"-rpcuser={user}", "-stdinrpcpass", "-stdin", "getblockhash"], input=password + "\n3\n")
        assert_equal(out.strip(), node.getblockhash(3))
        code, _, err = cli([f"-rpcuser={user}", "-stdinrpcpass", "getblockcount"], input="wrong\n")
        assert_equal((code, err), (1, "error: Authorization failed: Incorrect rpcuser or rpcpassword\n"))
        code, _, err = cli(["-stdinrpcpass", "getblockcount"], input="")
        assert_equal((code, err), (1, "error: -stdinrpcpass specified but failed to read from standard input\n"))

        self.log.info("-rpcport and -rpcconnect")
        code, out, _ = cli([f"-rpcport={node.rpc_port}", "getblockcount"])
        assert_equal(out, "200\n")
        code, out, _ = cli([f"-rpcconnect=127.0.0.1:{node.rpc_port}", "getblockcount"])
        assert_equal(out, "200\n")
        code, _, err = cli(["-rpcport=notaport", "getblockcount"])
        assert_equal((code, err), (1, "error: Invalid port provided in -rpcport: notaport\n"))
        code, _, err = cli(["-rpcconnect=127.0.0.1:99999", "getblockcount"])
        assert_equal((code, err), (1, "error: Invalid port provided in -rpcconnect: 127.0.0.1:99999\n"))

        self.log.info("-getinfo: chain data in Core's layout")
        code, out, err = cli(["-getinfo"])
        assert_equal(code, 0)
        lines = out.split("\n")
        assert_equal(lines[0], "Chain: regtest")
        assert_equal(lines[1], "Blocks: 200")
        assert_equal(lines[2], "Headers: 200")
        assert_equal(lines[3], "Verification progress: 100.0000%")
        assert_equal(lines[4], f"Difficulty: {raw_chain['difficulty']}")
        assert_true(out.rstrip("\n").split("\n")[-1].startswith("Warnings:"), out)
        code, _, err = cli(["-getinfo", "x"])
        assert_equal((code, err), (1, "error: -getinfo takes no arguments\n"))

        self.log.info("-rpcclienttimeout: a call slower than the timeout fails as a transient error")
        start = time.time()
        code, _, err = cli(["-rpcclienttimeout=1", "waitfornewblock", "5000"])
        assert_equal(code, 1)
        assert_equal(err, f"error: timeout on transient error: Could not connect to the server 127.0.0.1:{node.rpc_port}"
                          f" (error code 0 - \"timeout reached\"){CONNECT_HINT}\n")
        assert_true(time.time() - start < 4.5, "gave up after about a second")

        self.log.info("credentials: the cookie of the selected network; a wrong password; none at all")
        code, _, err = cli(["-rpcuser=__cookie__", "-rpcpassword=nope", "getblockcount"])
        assert_equal((code, err), (1, "error: Authorization failed: Incorrect rpcuser or rpcpassword\n"))
        code, _, err = cli(["-rpccookiefile=/nonexistent/cookie", "getblockcount"])
        assert_equal(code, 1)
        assert_true(err.startswith("error: Could not locate RPC credentials. No authentication cookie could be found, "
                                   "and RPC password is not set."), err)

        self.log.info("the node stopped: connection errors, -rpcwait and -rpcwaittimeout")
        self.stop_node(0)
        code, _, err = cli(["getblockcount"])
        assert_equal(code, 1)
        assert_equal(err, f"error: timeout on transient error: Could not connect to the server 127.0.0.1:{node.rpc_port}"
                          f"{CONNECT_HINT}\n")
        start = time.time()
        code, _, err = cli(["-rpcwait", "-rpcwaittimeout=2", "getblockcount"])
        assert_equal(code, 1)
        assert_greater_than_or_equal(time.time() - start, 2)
        assert_true(err.startswith("error: timeout on transient error: Could not connect to the server"), err)
        code, _, err = cli(["-rpcwaittimeout=-1", "getblockcount"])
        assert_equal((code, err), (1, "error: Argument -rpcwaittimeout -1 cannot be negative\n"))

        self.log.info("-rpcwait waits through start-up and warm-up")
        proc = subprocess.Popen([node.cli_binary, f"-datadir={node.datadir}", "-rpcwait", "getblockcount"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1)
        node.start()
        out, err = proc.communicate(timeout=60)
        assert_equal((proc.returncode, out, err), (0, "200\n", ""))
        node.wait_for_rpc_connection()

        self.log.info("cookie discovery: <datadir>/<network dir>/.cookie for the selected network")
        other = os.path.join(self.options.tmpdir, "clionly")
        os.makedirs(os.path.join(other, "regtest"))
        open(os.path.join(other, "bitcoin.conf"), "w").close()
        base = [node.cli_binary, f"-datadir={other}", f"-rpcport={node.rpc_port}"]
        run = lambda *a: subprocess.run([*base, *a], capture_output=True, text=True, timeout=60)  # noqa: E731
        proc = run("-regtest", "getblockcount")
        assert_equal(proc.returncode, 1)
        assert_true("Could not locate RPC credentials" in proc.stderr, proc.stderr)
        shutil.copy(node.cookie_path, os.path.join(other, "regtest", ".cookie"))
        proc = run("-regtest", "getblockcount")
        assert_equal((proc.returncode, proc.stdout), (0, "200\n"))
        proc = run("-chain=regtest", "getblockcount")
        assert_equal((proc.returncode, proc.stdout), (0, "200\n"))
        proc = run("getblockcount")  # main: <datadir>/.cookie, absent
        assert_true("Could not locate RPC credentials" in proc.stderr, proc.stderr)
        proc = run("-testnet4", "getblockcount")
        assert_true("Could not locate RPC credentials" in proc.stderr, proc.stderr)
        code, _, err = cli(["-testnet", "getblockcount"])  # the node's conf says regtest=1 already
        assert_equal((code, err), (1, "Error: Invalid combination of -regtest, -signet, -testnet, -testnet4 and -chain. Can use at most one.\n"))
        proc = subprocess.run([node.cli_binary, "-datadir=/nonexistent/dir", "getblockcount"], capture_output=True, text=True)
        assert_equal((proc.returncode, proc.stderr), (1, 'Error: Specified data directory "/nonexistent/dir" does not exist.\n'))

        self.log.info("stop through the CLI")
        code, out, _ = cli(["stop"])
        assert_equal((code, out), (0, "Bitcoin Core stopping\n"))
        node.wait_until_stopped()
        self.start_node(0)


if __name__ == "__main__":
    CliTest().main()
