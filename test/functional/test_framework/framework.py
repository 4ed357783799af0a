"""BitcoinTestFramework: the base class of node functional tests.

    class ExampleTest(BitcoinTestFramework):
        def set_test_params(self):
            self.num_nodes = 1
            self.setup_clean_chain = False      # start from the cached 200-block chain
            self.extra_args = [["-prune=1"]]
        def skip_test_if_missing_module(self):
            self.skip_if_no_tracing()           # raises SkipTest where impossible
        def run_test(self):
            self.generate(self.nodes[0], 1)

    if __name__ == "__main__":
        ExampleTest().main()

Exit code 0 pass, 77 skip (last line says why), 1 failure (after the tail of
each node's debug.log). The build comes from BUILDDIR (test_runner sets it)
or --builddir, default <repo>/build.

The cached chain: 200 regtest blocks, block i with time GENESIS_TIME + 600*i
(set through setmocktime), every coinbase paying the anyone-can-spend
address P2WSH(OP_TRUE), built once under <builddir>/test/cache (file lock,
rebuilt when bitcoind changes) and copied into each node's datadir.
"""
import argparse
import contextlib
import fcntl
import logging
import os
import shutil
import sys
import tempfile
import time

from .authproxy import JSONRPCException
from .test_node import TestNode
from .util import SKIP_EXIT_CODE, SkipTest, binary, load_config, usdt_enabled, wait_until

TEST_EXIT_PASSED = 0
TEST_EXIT_FAILED = 1
TEST_EXIT_SKIPPED = SKIP_EXIT_CODE

GENESIS_TIME = 1296688602        # regtest genesis block time
CACHE_BLOCKS = 200
CACHE_BLOCK_INTERVAL = 600
# The fixed mocktime the cache ends at (time of block 200).
CACHE_MOCKTIME = GENESIS_TIME + CACHE_BLOCKS * CACHE_BLOCK_INTERVAL
CACHE_VERSION = "1"

# The framework's anyone-can-spend address: P2WSH(OP_TRUE) on regtest.
ANYONE_CAN_SPEND_ADDRESS = "bcrt1qft5p2uhsdcdc3l2ua4ap5qqfg4pjaqlp250x7us7a8qqhrxrxfsqseac85"


class BitcoinTestFramework:
    def __init__(self):
        self.num_nodes = 1
        self.setup_clean_chain = False
        self.extra_args = None
        self.extra_conf = None
        self.nodes = []
        self.config = None
        self.options = None
        self.log = logging.getLogger("TestFramework")
        self.rpc_timeout = 60
        self.mocktime = 0
        self.success = None

    # --- to override ---------------------------------------------------------------
    def set_test_params(self):
        raise NotImplementedError

    def skip_test_if_missing_module(self):
        pass

    def add_options(self, parser):
        pass

    def setup_chain(self):
        if self.setup_clean_chain:
            self._initialize_chain_clean()
        else:
            self._initialize_chain()

    def setup_network(self):
        self.setup_nodes()

    def setup_nodes(self):
        self.add_nodes(self.num_nodes, self.extra_args)
        self.start_nodes()

    def run_test(self):
        raise NotImplementedError

    # --- main --------------------------------------------------------------------------
    def main(self):
        sys.exit(self.run())

    def run(self):
        """Runs the test; returns the exit code."""
        parser = argparse.ArgumentParser(description=self.__class__.__doc__)
        parser.add_argument("--builddir", default=None, help="build directory (default: $BUILDDIR or <repo>/build)")
        parser.add_argument("--tmpdir", default=None, help="root folder for the nodes' datadirs (kept)")
        parser.add_argument("--nocleanup", action="store_true", help="keep the datadirs after a pass")
        parser.add_argument("--noshutdown", action="store_true", help="leave the nodes running")
        parser.add_argument("--loglevel", "-l", default="INFO", help="console log level (DEBUG shows RPC calls)")
        parser.add_argument("--tracerpc", action="store_true", help="log every RPC call and reply")
        parser.add_argument("--timeout-factor", type=float, default=1.0, help="scale every timeout")
        self.add_options(parser)
        self.options = parser.parse_args()
        self.options.timeout_factor = self.options.timeout_factor or 99999
        self.set_test_params()
        if self.extra_args is None:
            self.extra_args = [[] for _ in range(self.num_nodes)]
        if self.extra_conf is None:
            self.extra_conf = [[] for _ in range(self.num_nodes)]

        if self.options.tmpdir:
            self.options.tmpdir = os.path.abspath(self.options.tmpdir)
            os.makedirs(self.options.tmpdir, exist_ok=False)
        else:
            self.options.tmpdir = tempfile.mkdtemp(prefix=f"test_{type(self).__name__}_")
        self._start_logging()

        code = TEST_EXIT_FAILED
        try:
            self.config = load_config(self.options.builddir)
            self.options.builddir = self.config["environment"]["BUILDDIR"]
            self.skip_test_if_missing_module()
            self.bitcoind = binary(self.config, "bitcoind")
            self.setup_chain()
            self.setup_network()
            self.run_test()
            code = TEST_EXIT_PASSED
        except SkipTest as e:
            self.log.warning(f"Test skipped: {e}")
            self._skip_reason = str(e)
            code = TEST_EXIT_SKIPPED
        except (AssertionError, JSONRPCException) as e:
            self.log.exception(f"Assertion failed: {e}")
        except KeyboardInterrupt:
            self.log.warning("Exiting after keyboard interrupt")
        except Exception as e:
            self.log.exception(f"Unexpected exception: {type(e).__name__}: {e}")

        if code == TEST_EXIT_FAILED:
            self._print_node_logs()
        if not self.options.noshutdown:
            self._shutdown_nodes(code == TEST_EXIT_PASSED)
        if code != TEST_EXIT_FAILED and not self.options.nocleanup and not self.options.noshutdown:
            self._cleanup()
        elif code == TEST_EXIT_FAILED:
            self.log.error(f"Test failed; datadirs kept in {self.options.tmpdir}")
        self.success = code == TEST_EXIT_PASSED
        if code == TEST_EXIT_SKIPPED:
            print(f"SKIP: {self._skip_reason}")
        else:
            print("PASS" if code == TEST_EXIT_PASSED else "FAIL")
        logging.shutdown()
        return code

    def _start_logging(self):
        self.log.setLevel(logging.DEBUG)
        self.log.propagate = False
        self.log.handlers.clear()
        fmt = logging.Formatter("%(asctime)s.%(msecs)03dZ %(name)s (%(levelname)s): %(message)s", "%Y-%m-%dT%H:%M:%S")
        fmt.converter = time.gmtime
        console = logging.StreamHandler(sys.stdout)
        console.setLevel(self.options.loglevel.upper())
        console.setFormatter(fmt)
        self.log.addHandler(console)
        logfile = logging.FileHandler(os.path.join(self.options.tmpdir, "test_framework.log"), encoding="utf8")
        logfile.setLevel(logging.DEBUG)
        logfile.setFormatter(fmt)
        self.log.addHandler(logfile)

    def _print_node_logs(self):
        for node in self.nodes:
            print(f"\n--- last lines of node{node.index}'s debug.log ({node.debug_log_path}):")
            print(node.debug_log_tail(40))
            stderr = node.read_stderr().strip()
            if stderr:
                print(f"--- node{node.index} stderr:\n{stderr}")

    def _shutdown_nodes(self, check):
        for node in self.nodes:
            if node.process is None:
                continue
            try:
                node.stop_node()
            except Exception as e:
                if check:
                    self.log.exception(f"node {node.index} did not stop cleanly: {e}")
                    self.success = False
                else:
                    self.log.debug(f"node {node.index} did not stop cleanly: {e}")
                node.kill_process()

    def _cleanup(self):
        shutil.rmtree(self.options.tmpdir, ignore_errors=True)

    # --- skips ----------------------------------------------------------------------
    def skip_if_no_tracing(self, tools=("bcc",)):
        from .tracing import require_tracing
        require_tracing(self.config, tools)

    def skip_if_no_usdt(self):
        if not usdt_enabled(self.config):
            raise SkipTest("this build has tracepoints compiled out (WITH_USDT=OFF)")

    def skip_if_no_cli(self):
        binary(self.config, "bitcoin-cli")

    def skip_if_no_python_module(self, module, why=None):
        try:
            __import__(module)
        except ImportError:
            raise SkipTest(why or f"python3 module {module} is not installed")

    # --- nodes ----------------------------------------------------------------------
    def node_datadir(self, i):
        return os.path.join(self.options.tmpdir, f"node{i}")

    def add_nodes(self, num_nodes, extra_args=None):
        extra_args = extra_args or [[] for _ in range(num_nodes)]
        for k in range(num_nodes):
            i = len(self.nodes)
            node = TestNode(i, self.node_datadir(i), self.config, extra_args=extra_args[k],
                            timeout_factor=self.options.timeout_factor, bitcoind=self.bitcoind,
                            logger=self.log, extra_conf=self.extra_conf[i] if i < len(self.extra_conf) else ())
            self.nodes.append(node)

    def _rpc_logger(self):
        return self.log if self.options.tracerpc else None

    def start_node(self, i, extra_args=None, *args, **kwargs):
        node = self.nodes[i]
        node.start(extra_args, *args, **kwargs)
        node.wait_for_rpc_connection()
        if self.options.tracerpc:
            node.rpc._logger = self.log

    def start_nodes(self, extra_args=None):
        for i, node in enumerate(self.nodes):
            node.start(extra_args[i] if extra_args else None)
        for node in self.nodes:
            node.wait_for_rpc_connection()
            if self.options.tracerpc:
                node.rpc._logger = self.log

    def stop_node(self, i, expected_stderr="", wait=0):
        self.nodes[i].stop_node(expected_stderr=expected_stderr, wait=wait)

    def stop_nodes(self):
        for node in self.nodes:
            node.stop_node()

    def restart_node(self, i, extra_args=None):
        self.stop_node(i)
        self.start_node(i, extra_args)

    # --- mining ----------------------------------------------------------------------
    def generate(self, node, nblocks, **kwargs):
        """Mines nblocks to the anyone-can-spend address; returns their hashes."""
        return node.generatetoaddress(nblocks, ANYONE_CAN_SPEND_ADDRESS, **kwargs)

    def generatetoaddress(self, node, nblocks, address, **kwargs):
        return node.generatetoaddress(nblocks, address, **kwargs)

    def generateblock(self, node, output, transactions, **kwargs):
        return node.generateblock(output, transactions, **kwargs)

    def setmocktime(self, timestamp, nodes=None):
        """setmocktime on every running node (0 = back to the real clock)."""
        self.mocktime = timestamp
        for node in nodes or self.nodes:
            if node.running:
                node.setmocktime(timestamp)

    def sync_blocks(self, nodes=None, timeout=60):
        """Waits until every node (default: all) has the same best block."""
        nodes = [self._node(n) for n in (nodes or self.nodes)]
        try:
            wait_until(lambda: len({n.getbestblockhash() for n in nodes}) == 1, timeout * self.options.timeout_factor)
        except AssertionError:
            tips = ", ".join(f"node{n.index}: {n.getblockcount()} {n.getbestblockhash()}" for n in nodes)
            raise AssertionError(f"sync_blocks timed out: {tips}")

    # --- P2P (test/functional/README.md "Connecting nodes") ------------------------------
    def _node(self, n):
        return self.nodes[n] if isinstance(n, int) else n

    @staticmethod
    def _p2p_address(node):
        return f"127.0.0.1:{node.p2p_port}"

    def _links(self, a, b):
        """Ids of a's peers that are connections with b (either direction):
        a's outbound ones to b's P2P port, and a's inbound ones coming from
        the local end (addrbind) of b's outbound connections to a."""
        peers_a = a.getpeerinfo()
        b_binds = {p.get("addrbind") for p in b.getpeerinfo() if p["addr"] == self._p2p_address(a)}
        return [p["id"] for p in peers_a if p["addr"] == self._p2p_address(b) or p["addr"] in b_binds]

    def connect_nodes(self, a, b, timeout=60):
        """Node a opens a manual connection (addnode onetry) to node b and
        waits for the version/verack handshake on both sides. b must accept
        inbound connections: start it with -listen=1."""
        from_node, to_node = self._node(a), self._node(b)
        target = self._p2p_address(to_node)
        from_node.addnode(target, "onetry")

        def handshaken():
            outs = [p for p in from_node.getpeerinfo() if p["addr"] == target and p["version"] != 0
                    and "verack" in p["bytesrecv_per_msg"]]
            if not outs:
                return False
            binds = {p.get("addrbind") for p in outs}
            return any(p["addr"] in binds and p["version"] != 0 and "verack" in p["bytesrecv_per_msg"]
                       for p in to_node.getpeerinfo())
        try:
            wait_until(handshaken, timeout * self.options.timeout_factor)
        except AssertionError:
            raise AssertionError(f"node{from_node.index} could not connect to node{to_node.index} at {target} "
                                 f"(does node{to_node.index} run with -listen=1?)")

    def disconnect_nodes(self, a, b, timeout=60):
        """Closes every connection between nodes a and b (both directions)
        and waits until neither lists the other."""
        node_a, node_b = self._node(a), self._node(b)
        for node, other in ((node_a, node_b), (node_b, node_a)):
            for peer_id in self._links(node, other):
                try:
                    node.disconnectnode(nodeid=peer_id)
                except JSONRPCException as e:
                    if e.error["code"] != -29:  # already gone
                        raise
        # Gone from getpeerinfo, and closed: getconnectioncount still counts a
        # connection marked for disconnection until its socket is closed.
        wait_until(lambda: not self._links(node_a, node_b) and not self._links(node_b, node_a)
                   and all(n.getconnectioncount() == len(n.getpeerinfo()) for n in (node_a, node_b)),
                   timeout * self.options.timeout_factor)

    def wait_until(self, predicate, timeout=60):
        return wait_until(predicate, timeout * self.options.timeout_factor)

    # --- chain setup -------------------------------------------------------------------
    def _initialize_chain_clean(self):
        for i in range(self.num_nodes):
            os.makedirs(self.node_datadir(i), exist_ok=True)

    def _initialize_chain(self):
        with cache_lock(self.config):
            cache = build_cache(self.config, self.log, self.options.timeout_factor, locked=True)
            for i in range(self.num_nodes):
                datadir = self.node_datadir(i)
                os.makedirs(datadir, exist_ok=True)
                shutil.copytree(os.path.join(cache, "regtest"), os.path.join(datadir, "regtest"))


def cache_dir(config):
    return os.path.join(config["environment"]["BUILDDIR"], "test", "cache")


@contextlib.contextmanager
def cache_lock(config):
    os.makedirs(os.path.join(config["environment"]["BUILDDIR"], "test"), exist_ok=True)
    with open(os.path.join(config["environment"]["BUILDDIR"], "test", "cache.lock"), "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _cache_stamp(bitcoind):
    st = os.stat(bitcoind)
    return f"{CACHE_VERSION} {st.st_size} {st.st_mtime_ns}"


def clear_cache(config):
    """Removes the cached chain (test_runner does this once per run)."""
    with cache_lock(config):
        shutil.rmtree(cache_dir(config), ignore_errors=True)


def build_cache(config, log, timeout_factor=1.0, locked=False):
    """The cached 200-block chain's datadir, built if missing or stale.
    locked: the caller already holds cache_lock."""
    bitcoind = binary(config, "bitcoind")
    path = cache_dir(config)
    stamp_path = os.path.join(path, "STAMP")
    with (contextlib.nullcontext() if locked else cache_lock(config)):
        try:
            with open(stamp_path) as f:
                if f.read().strip() == _cache_stamp(bitcoind):
                    return path
        except OSError:
            pass
        log.info(f"Building the {CACHE_BLOCKS}-block chain cache in {path}")
        shutil.rmtree(path, ignore_errors=True)
        building = path + ".building"
        shutil.rmtree(building, ignore_errors=True)
        os.makedirs(building)
        node = TestNode(0, building, config, bitcoind=bitcoind, timeout_factor=timeout_factor, logger=log)
        node.start([])
        try:
            node.wait_for_rpc_connection()
            for height in range(1, CACHE_BLOCKS + 1):
                node.setmocktime(GENESIS_TIME + CACHE_BLOCK_INTERVAL * height)
                node.generatetoaddress(1, ANYONE_CAN_SPEND_ADDRESS)
            if node.getblockcount() != CACHE_BLOCKS:
                raise AssertionError(f"cache chain has {node.getblockcount()} blocks")
            node.stop_node()
        except BaseException:
            print(node.debug_log_tail(40))
            node.kill_process()
            raise
        # Keep only what a node needs: blocks and chainstate.
        regtest = os.path.join(building, "regtest")
        for entry in os.listdir(regtest):
            if entry not in ("blocks", "chainstate"):
                full = os.path.join(regtest, entry)
                shutil.rmtree(full) if os.path.isdir(full) else os.unlink(full)
        os.rename(building, path)
        for entry in os.listdir(path):
            if entry != "regtest":
                full = os.path.join(path, entry)
                shutil.rmtree(full) if os.path.isdir(full) else os.unlink(full)
        with open(stamp_path, "w") as f:
            f.write(_cache_stamp(bitcoind) + "\n")
        log.info("Chain cache ready")
    return path
