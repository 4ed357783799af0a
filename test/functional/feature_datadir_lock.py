#!/usr/bin/python3
"""The network datadir's `.lock`: a second bitcoind on the same datadir
refuses to start with a clear message and leaves the first one alone; the
lock is per network directory and goes away with the process (also after
kill -9)."""
import os
import re
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.test_node import ErrorMatch, TestNode  # noqa: E402
from test_framework.util import assert_equal, assert_true, p2p_port, rpc_port  # noqa: E402


class DatadirLockTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = True

    def run_test(self):
        node0 = self.nodes[0]
        # ports of a node this test never starts
        free_rpc, free_p2p = rpc_port(1), p2p_port(1)
        self.generate(node0, 3)
        tip = node0.getbestblockhash()

        self.log.info("a second bitcoind on the same datadir fails with the lock message")
        # other ports, node0's datadir: only the lock can stop it.
        second = TestNode(1, node0.datadir, self.config, bitcoind=self.bitcoind, logger=self.log)
        second.rpc_port = free_rpc
        # TestNode.start deletes its cookie_path; never node0's live cookie.
        second.cookie_path = os.path.join(self.options.tmpdir, "second.cookie")
        expected = rf"^Error: Cannot obtain a lock on directory {re.escape(node0.chain_path)}\. .* probably already running\.$"
        second.assert_start_raises_init_error([f"-rpcport={free_rpc}", f"-port={free_p2p}"], expected,
                                              match=ErrorMatch.FULL_REGEX)
        self.log.info("... and the first node is unharmed: same chain, RPC answers, cookie kept")
        assert_equal(node0.getbestblockhash(), tip)
        assert_true(os.path.exists(node0.cookie_path), "the first node's cookie is still there")
        assert_true(os.path.exists(os.path.join(node0.chain_path, ".lock")), ".lock in the network datadir")

        self.log.info("-daemon reports the lock error on the terminal before forking")
        second.assert_start_raises_init_error([f"-rpcport={free_rpc}", "-daemon"], expected,
                                              match=ErrorMatch.FULL_REGEX)

        self.log.info("the lock is per network: another network in the same base datadir starts")
        other = TestNode(1, node0.datadir, self.config, chain="signet", bitcoind=self.bitcoind, logger=self.log)
        other.rpc_port = free_rpc
        other.start(["-regtest=0", "-signet", f"-rpcport={free_rpc}", "-listen=0"])
        other.wait_for_rpc_connection()
        assert_equal(other.getblockchaininfo()["chain"], "signet")
        assert_true(os.path.exists(os.path.join(node0.datadir, "signet", ".lock")), "signet/.lock")
        other.stop_node()

        self.log.info("after a clean stop the datadir can be used again")
        self.stop_node(0)
        self.start_node(0)
        assert_equal(node0.getbestblockhash(), tip)

        self.log.info("after kill -9 the kernel drops the lock: the next start works")
        os.kill(node0.process.pid, signal.SIGKILL)
        node0.process.wait()
        node0.process = None
        node0.running = False
        self.start_node(0)
        assert_equal(node0.getblockcount(), 3)


if __name__ == "__main__":
    DatadirLockTest().main()
