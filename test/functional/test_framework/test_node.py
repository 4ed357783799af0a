"""TestNode: one bitcoind process on its own regtest datadir.

    node = TestNode(0, "/tmp/t/node0", config)
    node.start(["-prune=1"]); node.wait_for_rpc_connection()
    node.getblockcount()                 # any RPC, positional or named args
    node.cli("-named").getblock(blockhash=h)   # the same through bitcoin-cli
    node.stop_node()

The datadir holds a bitcoin.conf with `regtest=1` and a [regtest] section
with this node's ports (unique per test process), printtoconsole=0 and
listen=0; bitcoind gets -datadir, -debug=1 and -logthreadnames=1 on the
command line plus the test's extra arguments. RPC uses the cookie.
"""
import contextlib
import http.client
import json
import os
import re
import subprocess
import tempfile
import time

from .authproxy import AuthServiceProxy, JSONRPCException, decode_json
from .util import assert_equal, binary, p2p_port, rpc_port, wait_until

BITCOIND_PROC_WAIT_TIMEOUT = 60
RPC_WAIT_TIMEOUT = 60


class FailedToStartError(Exception):
    """bitcoind exited before its RPC became usable."""


class ErrorMatch:
    FULL_TEXT = "full"
    FULL_REGEX = "regex"
    PARTIAL_REGEX = "partial"


def write_config(datadir, n, chain="regtest", extra_lines=()):
    """Writes datadir/bitcoin.conf for node n (ports from this process's block)."""
    os.makedirs(datadir, exist_ok=True)
    section = {"regtest": "regtest", "main": "main", "test": "test", "testnet4": "testnet4", "signet": "signet"}[chain]
    lines = [f"{chain}=1" if chain != "main" else "", f"[{section}]", f"port={p2p_port(n)}",
             f"rpcport={rpc_port(n)}", "printtoconsole=0", "listen=0", *extra_lines]
    with open(os.path.join(datadir, "bitcoin.conf"), "w", encoding="utf8") as f:
        f.write("\n".join(line for line in lines if line) + "\n")


def chain_dir_name(chain):
    return {"main": "", "test": "testnet3", "testnet4": "testnet4", "signet": "signet", "regtest": "regtest"}[chain]


class TestNode:
    def __init__(self, i, datadir, config, *, chain="regtest", extra_args=None, timeout_factor=1.0,
                 bitcoind=None, bitcoin_cli=None, logger=None, extra_conf=()):
        self.index = i
        self.datadir = datadir
        self.config = config
        self.chain = chain
        self.extra_args = list(extra_args or [])
        self.timeout_factor = timeout_factor
        self.binary = bitcoind or binary(config, "bitcoind")
        self._cli_binary = bitcoin_cli
        self.log = logger
        self.chain_path = os.path.join(datadir, chain_dir_name(chain))
        self.debug_log_path = os.path.join(self.chain_path, "debug.log")
        self.cookie_path = os.path.join(self.chain_path, ".cookie")
        self.rpc_port = rpc_port(i)
        self.p2p_port = p2p_port(i)
        self.process = None
        self.rpc = None
        self.rpc_url = None
        self.running = False
        self.stdout = self.stderr = None
        self.cli = TestNodeCLI(self)
        self.p2ps = []                  # test peers (add_p2p_connection)
        if not os.path.exists(os.path.join(datadir, "bitcoin.conf")):
            write_config(datadir, i, chain, extra_conf)

    # --- RPC ------------------------------------------------------------------
    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        rpc = self.__dict__.get("rpc")
        if rpc is None:
            raise AssertionError(f"node {self.index}: no RPC connection (is it started?), calling {name}")
        return getattr(rpc, name)

    def __repr__(self):
        return f"TestNode({self.index}, {self.datadir})"

    @property
    def cli_binary(self):
        if self._cli_binary is None:
            self._cli_binary = binary(self.config, "bitcoin-cli")
        return self._cli_binary

    # --- process --------------------------------------------------------------
    def args(self, extra_args=None):
        extra = self.extra_args if extra_args is None else list(extra_args)
        return [self.binary, f"-datadir={self.datadir}", "-debug=1", "-logthreadnames=1", *extra]

    def start(self, extra_args=None, *, stdout=None, stderr=None, env=None, **kwargs):
        """Starts bitcoind (does not wait for RPC). stdout/stderr go to files
        in the datadir unless file objects are given."""
        if self.process is not None and self.process.poll() is None:
            raise AssertionError(f"node {self.index} is already running")
        os.makedirs(self.datadir, exist_ok=True)
        self.stdout = stdout or tempfile.NamedTemporaryFile(dir=self.datadir, prefix="stdout", delete=False)
        self.stderr = stderr or tempfile.NamedTemporaryFile(dir=self.datadir, prefix="stderr", delete=False)
        # Drop a stale cookie so we never connect with the last run's password.
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.cookie_path)
        args = self.args(extra_args)
        if self.log:
            self.log.debug(f"node {self.index}: starting {' '.join(args)}")
        self.process = subprocess.Popen(args, stdout=self.stdout, stderr=self.stderr,
                                        env=env if env is not None else dict(os.environ, LC_ALL="C"), **kwargs)
        self.running = True
        self.rpc = None
        return self.process

    def _read_output(self, f):
        if f is None or not hasattr(f, "name"):
            return ""
        try:
            with open(f.name, encoding="utf8", errors="replace") as r:
                return r.read()
        except OSError:
            return ""

    def read_stderr(self):
        return self._read_output(self.stderr)

    def read_stdout(self):
        return self._read_output(self.stdout)

    def wait_for_rpc_connection(self, timeout=RPC_WAIT_TIMEOUT):
        """Waits until RPC answers (past warm-up); raises FailedToStartError if bitcoind exits."""
        deadline = time.time() + timeout * self.timeout_factor
        last_error = None
        while time.time() < deadline:
            code = self.process.poll()
            if code is not None:
                self.running = False
                self.process = None
                raise FailedToStartError(
                    f"node {self.index}: bitcoind exited with code {code} during startup; stderr: {self.read_stderr().strip()!r}")
            try:
                with open(self.cookie_path, encoding="utf8") as f:
                    user, password = f.read().strip().split(":", 1)
            except (OSError, ValueError):
                time.sleep(0.05)
                continue
            url = f"http://{user}:{password}@127.0.0.1:{self.rpc_port}"
            rpc = AuthServiceProxy(url, timeout=30 * self.timeout_factor)
            try:
                rpc.getblockcount()
            except JSONRPCException as e:
                last_error = e.error
                # -28 warming up, -342 not yet serving JSON (or the 401 of a cookie being replaced)
                if e.error.get("code") in (-28, -342):
                    time.sleep(0.05)
                    continue
                raise
            except (ConnectionError, OSError) as e:
                last_error = e
                time.sleep(0.05)
                continue
            self.rpc, self.rpc_url = rpc, url
            self.rpc_user, self.rpc_password = user, password
            return
        self.kill_process()
        raise AssertionError(f"node {self.index}: no RPC within {timeout} s (last error: {last_error})")

    def wait_for_cookie_credentials(self, timeout=RPC_WAIT_TIMEOUT):
        wait_until(lambda: os.path.exists(self.cookie_path), timeout * self.timeout_factor)
        with open(self.cookie_path, encoding="utf8") as f:
            return f.read().strip().split(":", 1)

    def stop_node(self, expected_stderr="", wait=0, timeout=BITCOIND_PROC_WAIT_TIMEOUT):
        """`stop` over RPC, then waits for exit code 0 and checks stderr."""
        if not self.running or self.process is None:
            return
        try:
            self.rpc.stop()
        except (JSONRPCException, ConnectionError, OSError, http.client.HTTPException) as e:
            if self.log:
                self.log.debug(f"node {self.index}: stop RPC: {e}")
        self.wait_until_stopped(timeout=timeout)
        stderr = self.read_stderr().strip()
        if stderr != expected_stderr:
            raise AssertionError(f"node {self.index}: unexpected stderr {stderr!r} (expected {expected_stderr!r})")
        self._truncate_output()

    def _truncate_output(self):
        for f in (self.stdout, self.stderr):
            if f is not None and hasattr(f, "name"):
                with contextlib.suppress(OSError):
                    open(f.name, "w").close()

    def is_node_stopped(self, expected_ret_code=0):
        if self.process is None:
            return True
        code = self.process.poll()
        if code is None:
            return False
        if expected_ret_code is not None:
            assert_equal(code, expected_ret_code, f"node {self.index} exit code (stderr: {self.read_stderr().strip()!r})")
        self.process = None
        self.running = False
        self.rpc = None
        return True

    def wait_until_stopped(self, timeout=BITCOIND_PROC_WAIT_TIMEOUT, expected_ret_code=0):
        wait_until(lambda: self.is_node_stopped(expected_ret_code), timeout * self.timeout_factor,
                   what=f"node {self.index} to stop")

    def kill_process(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None
        self.running = False
        self.rpc = None

    # --- logs -------------------------------------------------------------------
    @contextlib.contextmanager
    def assert_debug_log(self, expected_msgs, unexpected_msgs=None, timeout=2):
        """Checks the lines debug.log gets while the block runs: each expected
        message appears (waits up to timeout s after the block), no unexpected one."""
        unexpected_msgs = unexpected_msgs or []
        try:
            start = os.path.getsize(self.debug_log_path)
        except OSError:
            start = 0
        yield
        deadline = time.time() + timeout * self.timeout_factor
        while True:
            try:
                with open(self.debug_log_path, "rb") as f:
                    f.seek(start)
                    log = f.read().decode("utf8", errors="replace")
            except OSError:
                log = ""
            for msg in unexpected_msgs:
                if msg in log:
                    raise AssertionError(f"unexpected message {msg!r} found in debug.log:\n{log[-4000:]}")
            missing = [msg for msg in expected_msgs if msg not in log]
            if not missing:
                return
            if time.time() > deadline:
                raise AssertionError(f"expected messages {missing!r} not found in debug.log:\n{log[-4000:]}")
            time.sleep(0.05)

    @contextlib.contextmanager
    def busy_wait_for_debug_log(self, expected_msgs, timeout=60):
        with self.assert_debug_log(expected_msgs, timeout=timeout):
            yield

    def wait_for_debug_log(self, expected_msgs, timeout=60):
        """Waits until debug.log (the whole file) contains every message."""
        def found():
            try:
                with open(self.debug_log_path, encoding="utf8", errors="replace") as f:
                    log = f.read()
            except OSError:
                return False
            return all(msg in log for msg in expected_msgs)
        wait_until(found, timeout * self.timeout_factor, what=f"debug.log to contain {expected_msgs}")

    def debug_log_tail(self, lines=40):
        try:
            with open(self.debug_log_path, encoding="utf8", errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no debug.log)"

    def assert_start_raises_init_error(self, extra_args=None, expected_msg=None, match=ErrorMatch.FULL_TEXT,
                                       timeout=BITCOIND_PROC_WAIT_TIMEOUT):
        """Starts bitcoind expecting it to fail: non-zero exit, and stderr
        (stripped) matches expected_msg: "full" text, "regex" (full match) or
        "partial" (regex search)."""
        self.start(extra_args)
        try:
            code = self.process.wait(timeout * self.timeout_factor)
        except subprocess.TimeoutExpired:
            self.kill_process()
            raise AssertionError(f"node {self.index}: bitcoind did not exit (expected an init error {expected_msg!r})")
        self.process = None
        self.running = False
        stderr = self.read_stderr().strip()
        self._truncate_output()
        if code == 0:
            raise AssertionError(f"node {self.index}: bitcoind exited with 0, expected an init error; stderr {stderr!r}")
        if expected_msg is None:
            return stderr
        if match in (ErrorMatch.PARTIAL_REGEX, "partial"):
            ok = re.search(expected_msg, stderr, flags=re.MULTILINE) is not None
        elif match in (ErrorMatch.FULL_REGEX, "regex"):
            ok = re.fullmatch(expected_msg, stderr, flags=re.DOTALL) is not None
        elif match in (ErrorMatch.FULL_TEXT, "full"):
            ok = expected_msg == stderr
        else:
            raise ValueError(f"unknown match {match!r}")
        if not ok:
            raise AssertionError(f"node {self.index}: expected init error {expected_msg!r} ({match}), got {stderr!r}")
        return stderr

    # --- P2P test peers (test_framework/p2p.py) --------------------------------------
    def add_p2p_connection(self, p2p=None, **kwargs):
        """Connects a P2PInterface to this node (needs -listen=1); waits for the handshake."""
        from .p2p import add_p2p_connection
        return add_p2p_connection(self, p2p, **kwargs)

    def add_outbound_p2p_connection(self, p2p=None, port=None, **kwargs):
        """Has this node connect to a P2PInterface listening on port (addnode onetry)."""
        from .p2p import add_outbound_p2p_connection
        return add_outbound_p2p_connection(self, p2p, port, **kwargs)

    def disconnect_p2ps(self, **kwargs):
        from .p2p import disconnect_p2ps
        disconnect_p2ps(self, **kwargs)

    @property
    def p2p(self):
        """The first test peer."""
        return self.p2ps[0]

    # --- bitcoin-cli -------------------------------------------------------------
    def cli_raw(self, args, input=None, timeout=60):
        """Runs bitcoin-cli -datadir=<node datadir> *args -> (returncode, stdout, stderr)."""
        proc = subprocess.run([self.cli_binary, f"-datadir={self.datadir}", *args], input=input,
                              capture_output=True, text=True, timeout=timeout * self.timeout_factor)
        return proc.returncode, proc.stdout, proc.stderr

    def wait_until(self, predicate, timeout=60):
        return wait_until(predicate, timeout * self.timeout_factor)


def cli_arg(value):
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "null"
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, default=str)
    return str(value)


class TestNodeCLI:
    """bitcoin-cli against a node: node.cli("-named", ...).method(args)."""

    def __init__(self, node, options=(), input=None):
        self._node = node
        self._options = list(options)
        self._input = input

    def __call__(self, *options, input=None):
        return TestNodeCLI(self._node, [*self._options, *options], input)

    def __getattr__(self, command):
        if command.startswith("_"):
            raise AttributeError(command)

        def call(*args, **kwargs):
            return self.send_cli(command, *args, **kwargs)
        return call

    def send_cli(self, command=None, *args, **kwargs):
        """Runs bitcoin-cli; JSON output is parsed, other text returned stripped.
        Errors: JSONRPCException for "error code: N" output, else CalledProcessError."""
        argv = [*self._options]
        positional = [cli_arg(a) for a in args]
        named = [f"{k}={cli_arg(v)}" for k, v in kwargs.items()]
        if named and "-named" not in argv:
            argv.append("-named")
        if command is not None:
            argv.append(command)
        argv += positional + named
        code, out, err = self._node.cli_raw(argv, input=self._input)
        if code != 0:
            m = re.match(r"error code: (-?\d+)\nerror message:\n(.*)", err, re.DOTALL)
            if m:
                raise JSONRPCException({"code": int(m.group(1)), "message": m.group(2).rstrip("\n")})
            raise subprocess.CalledProcessError(code, [self._node.cli_binary, *argv], output=err, stderr=err)
        try:
            return decode_json(out)
        except ValueError:
            return out.rstrip("\n")
