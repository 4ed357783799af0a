#!/usr/bin/python3
"""RPC authentication: the cookie (format, permissions, -rpccookiefile,
-rpccookieperms, removed at shutdown), -rpcauth (salted HMAC-SHA256 as Core's
rpcauth.py writes it), -rpcuser/-rpcpassword; 401 without credentials or with
wrong ones, after a delay; malformed -rpcauth is an init error; -rpcallowip
decides who may connect (403 otherwise)."""
import base64
import hmac
import http.client
import os
import secrets
import socket
import stat
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.authproxy import AuthServiceProxy, JSONRPCException, wait_for_port  # noqa: E402
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.test_node import ErrorMatch  # noqa: E402
from test_framework.util import assert_equal, assert_greater_than_or_equal, assert_true, wait_until  # noqa: E402


def rpcauth_line(user, password, salt=None):
    """What share/rpcauth/rpcauth.py prints: user:salt$hmac-sha256(salt, password)."""
    salt = salt or secrets.token_hex(16)
    digest = hmac.new(salt.encode(), password.encode(), "sha256").hexdigest()
    return f"{user}:{salt}${digest}"


def post(port, body, auth=None, host="127.0.0.1", path="/", method="POST"):
    """One request on a fresh connection -> (status, headers, body bytes)."""
    conn = http.client.HTTPConnection(host, port, timeout=30)
    headers = {"Content-Type": "application/json"}
    if auth is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
    conn.request(method, path, body, headers)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, resp, data


GETBLOCKCOUNT = '{"method":"getblockcount","params":[],"id":1}'


def local_non_loopback_ip():
    """An IPv4 address of this host that is not loopback, or None."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))  # no packet is sent
            ip = s.getsockname()[0]
    except OSError:
        return None
    return None if ip.startswith("127.") or ip == "0.0.0.0" else ip


class RpcAuthTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = True
        self.alice_password = "correct horse battery staple"
        self.extra_args = [[f"-rpcauth={rpcauth_line('alice', self.alice_password)}",
                            f"-rpcauth={rpcauth_line('carol', 'pw2', salt='00ff')}"]]

    def run_test(self):
        node = self.nodes[0]
        port = node.rpc_port

        self.log.info("the cookie: __cookie__:<64 hex>, owner-only, in the network datadir")
        with open(node.cookie_path, encoding="utf8") as f:
            cookie = f.read()
        user, password = cookie.split(":", 1)
        assert_equal(user, "__cookie__")
        assert_equal(len(password), 64)
        int(password, 16)
        assert_equal(stat.S_IMODE(os.stat(node.cookie_path).st_mode), 0o600)
        status, _, body = post(port, GETBLOCKCOUNT, auth=cookie)
        assert_equal(status, 200)
        assert_equal(body, b'{"result":0,"error":null,"id":1}\n')

        self.log.info("no Authorization header: 401 with a Basic challenge, no delay needed")
        status, resp, body = post(port, GETBLOCKCOUNT)
        assert_equal(status, 401)
        assert_equal(resp.getheader("WWW-Authenticate"), 'Basic realm="jsonrpc"')

        self.log.info("wrong password, unknown user, garbage header: 401 after a delay, logged")
        for auth in ["__cookie__:" + "0" * 64, "alice:wrong", "mallory:" + self.alice_password, "alice"]:
            with node.assert_debug_log(["incorrect password attempt from 127.0.0.1"]):
                start = time.time()
                status, resp, _ = post(port, GETBLOCKCOUNT, auth=auth)
                elapsed = time.time() - start
            assert_equal(status, 401)
            assert_equal(resp.getheader("WWW-Authenticate"), 'Basic realm="jsonrpc"')
            assert_greater_than_or_equal(elapsed, 0.25)

        self.log.info("-rpcauth users log in with their password, alongside the cookie")
        for user, pw in [("alice", self.alice_password), ("carol", "pw2")]:
            status, _, body = post(port, GETBLOCKCOUNT, auth=f"{user}:{pw}")
            assert_equal(status, 200)
            proxy = AuthServiceProxy(f"http://{user}:{pw.replace(' ', '%20')}@127.0.0.1:{port}")
            assert_equal(proxy.getblockcount(), 0)
        status, _, _ = post(port, GETBLOCKCOUNT, auth="carol:" + self.alice_password)
        assert_equal(status, 401)

        self.log.info("the cookie is removed at shutdown")
        self.stop_node(0)
        assert_true(not os.path.exists(node.cookie_path), "cookie removed")

        self.log.info("a malformed -rpcauth stops startup")
        node.assert_start_raises_init_error(["-rpcauth=alice"], "Invalid -rpcauth argument", match=ErrorMatch.PARTIAL_REGEX)
        node.assert_start_raises_init_error(["-rpcauth=alice:salt"], "Invalid -rpcauth argument", match=ErrorMatch.PARTIAL_REGEX)

        self.log.info("-rpccookiefile and -rpccookieperms")
        custom = os.path.join(self.options.tmpdir, "custom.cookie")
        node.start(["-rpccookiefile=" + custom, "-rpccookieperms=group"])
        wait_until(lambda: os.path.exists(custom), 30)
        assert_equal(stat.S_IMODE(os.stat(custom).st_mode), 0o640)
        assert_true(not os.path.exists(node.cookie_path), "no default cookie")
        with open(custom, encoding="utf8") as f:
            custom_cookie = f.read()
        self.wait_rpc(port, custom_cookie)
        self.stop_with(port, custom_cookie)
        assert_true(not os.path.exists(custom), "custom cookie removed")

        self.log.info("-rpcuser/-rpcpassword: that pair works, and no cookie is written")
        node.start(["-rpcuser=bob", "-rpcpassword=s3cret"])
        self.wait_rpc(port, "bob:s3cret")
        assert_true(not os.path.exists(node.cookie_path), "no cookie with -rpcpassword")
        status, _, _ = post(port, GETBLOCKCOUNT, auth="bob:s3cre")
        assert_equal(status, 401)
        self.stop_with(port, "bob:s3cret")

        self.log.info("-rpcallowip: other networks get 403")
        ip = local_non_loopback_ip()
        if ip is None:
            self.log.info("no non-loopback IPv4 address here: skipping the 403 check")
        else:
            node.start(["-rpcallowip=10.255.255.254/32", "-rpcbind=0.0.0.0"])
            node.wait_for_rpc_connection()
            status, _, _ = post(port, GETBLOCKCOUNT, auth=self.cookie(node), host=ip)
            assert_equal(status, 403)
            # loopback is always allowed
            status, _, _ = post(port, GETBLOCKCOUNT, auth=self.cookie(node))
            assert_equal(status, 200)
            self.stop_node(0)
            node.start([f"-rpcallowip={ip}/32", "-rpcbind=0.0.0.0"])
            node.wait_for_rpc_connection()
            status, _, _ = post(port, GETBLOCKCOUNT, auth=self.cookie(node), host=ip)
            assert_equal(status, 200)
            self.stop_node(0)

            self.log.info("without -rpcallowip only loopback is bound, -rpcbind is ignored")
            node.start(["-rpcbind=0.0.0.0"])
            node.wait_for_rpc_connection()
            with socket.socket() as s:
                s.settimeout(5)
                assert_true(s.connect_ex((ip, port)) != 0, "not listening on " + ip)
        # restart normally so the framework can stop the node
        if not node.running:
            self.start_node(0)

        self.log.info("-rpcwhitelist: listed methods only (403 otherwise), others unrestricted with -rpcwhitelistdefault=0")
        self.stop_node(0)
        self.start_node(0, [f"-rpcauth={rpcauth_line('alice', 'pw')}", "-rpcwhitelist=alice:getblockcount,getbestblockhash",
                            "-rpcwhitelistdefault=0"])
        status, _, _ = post(port, GETBLOCKCOUNT, auth="alice:pw")
        assert_equal(status, 200)
        with node.assert_debug_log(["RPC User alice not allowed to call method getblockhash"]):
            status, _, body = post(port, '{"method":"getblockhash","params":[0],"id":1}', auth="alice:pw")
        assert_equal((status, body), (403, b""))
        status, _, _ = post(port, '[{"method":"getblockcount","id":1},{"method":"uptime","id":2}]', auth="alice:pw")
        assert_equal(status, 403)
        assert_equal(node.getblockhash(0), node.getbestblockhash())  # the cookie user has no list
        self.stop_node(0)
        self.start_node(0)

        self.log.info("a bad -rpcallowip is an init error")
        self.stop_node(0)
        node.assert_start_raises_init_error(["-rpcallowip=300.1.1.1"], "Invalid -rpcallowip subnet specification: 300.1.1.1",
                                            match=ErrorMatch.PARTIAL_REGEX)
        self.start_node(0)

    @staticmethod
    def cookie(node):
        with open(node.cookie_path, encoding="utf8") as f:
            return f.read()

    def wait_rpc(self, port, auth):
        assert_true(wait_for_port("127.0.0.1", port, 30), "RPC port open")

        def ready():
            try:
                status, _, _ = post(port, GETBLOCKCOUNT, auth=auth)
            except OSError:
                return False
            return status == 200
        wait_until(ready, 60)

    def stop_with(self, port, auth):
        status, _, body = post(port, '{"method":"stop","params":[],"id":1}', auth=auth)
        assert_equal(status, 200)
        assert_equal(body, b'{"result":"Bitcoin Core stopping","error":null,"id":1}\n')
        self.nodes[0].wait_until_stopped()


if __name__ == "__main__":
    RpcAuthTest().main()
