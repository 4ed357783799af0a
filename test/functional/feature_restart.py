#!/usr/bin/python3
"""Restarts keep the chain: after the stop RPC, SIGTERM and SIGINT (each a
clean shutdown with exit code 0 and "Shutdown: done"), after -reindex and
-reindex-chainstate, and after kill -9 (the next start repairs). Damaged
chainstate data stops the start with an error naming the damage."""
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.test_node import ErrorMatch  # noqa: E402
from test_framework.util import assert_equal, assert_true  # noqa: E402


class RestartTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False  # the cached 200-block chain

    def chain_state(self):
        node = self.nodes[0]
        return node.getblockcount(), node.getbestblockhash(), node.gettxoutsetinfo()["hash_serialized_3"]

    def signal_and_wait(self, signum):
        node = self.nodes[0]
        with node.assert_debug_log(["Shutdown: done"], timeout=30):
            os.kill(node.process.pid, signum)
            node.wait_until_stopped()  # asserts exit code 0
        assert_equal(node.read_stderr().strip(), "", "stderr after a signal")

    def run_test(self):
        node = self.nodes[0]
        assert_equal(node.getblockcount(), 200, "cached chain")
        self.generate(node, 5)
        state = self.chain_state()

        self.log.info("stop RPC: clean exit 0, chain kept")
        with node.assert_debug_log(["Shutdown: In progress", "Shutdown: done"], timeout=30):
            self.stop_node(0)
        self.start_node(0)
        assert_equal(self.chain_state(), state)

        for signum in (signal.SIGTERM, signal.SIGINT):
            name = signal.Signals(signum).name
            self.log.info(f"{name}: clean exit 0, chain kept (blocks mined just before)")
            self.generate(node, 3)
            state = self.chain_state()
            self.signal_and_wait(signum)
            self.start_node(0)
            assert_equal(self.chain_state(), state, f"chain after {name}")

        self.log.info("-reindex and -reindex-chainstate rebuild the same chain")
        for args in (["-reindex"], ["-reindex-chainstate"], []):
            self.restart_node(0, args)
            assert_equal(self.chain_state(), state, f"chain after {args}")

        self.log.info("kill -9 right after mining: the next start repairs and the chain is intact")
        self.generate(node, 4)
        state = self.chain_state()
        node.process.kill()
        node.process.wait()
        node.process = None
        node.running = False
        self.start_node(0)
        height, tip, _ = self.chain_state()
        assert_true(height <= state[0], "no blocks appear from nowhere")
        self.generate(node, 1)  # still a working node
        self.restart_node(0, ["-reindex"])
        assert_true(node.getblockcount() >= height + 1, "reindex finds every stored block")
        self.stop_node(0)

        self.log.info("damaged chainstate: a clear error that names the damage and suggests -reindex")
        chainstate = os.path.join(node.chain_path, "chainstate")
        current = os.path.join(chainstate, "CURRENT")
        with open(current, "w", encoding="utf8") as f:
            f.write("MANIFEST-999999\n")
        stderr = node.assert_start_raises_init_error([], r"^Error: Failed to load the chainstate: .*",
                                                     match=ErrorMatch.FULL_REGEX)
        assert_true("chainstate" in stderr, f"the error names the chainstate: {stderr!r}")
        assert_true("-reindex" in stderr, f"the error suggests -reindex: {stderr!r}")
        self.log.info("... and -reindex-chainstate rebuilds it from the blocks")
        self.start_node(0, ["-reindex-chainstate"])
        assert_true(node.getblockcount() >= height + 1, "chain rebuilt")


if __name__ == "__main__":
    RestartTest().main()
