#!/usr/bin/python3
"""setmocktime: mined blocks and templates follow the mock clock, 0 goes back
to the system clock, range and type errors, -mocktime at start, and the
refusal on a network other than regtest (a signet node, which also shows the
signet fields of getmininginfo and getblocktemplate's signet rule)."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.test_node import TestNode, write_config  # noqa: E402
from test_framework.util import assert_equal, assert_greater_than, assert_raises_rpc_error  # noqa: E402

REGTEST_GENESIS_TIME = 1296688602


class SetMockTimeTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = True

    def run_test(self):
        node = self.nodes[0]
        self.log.info("blocks and templates take the mock time")
        mock = REGTEST_GENESIS_TIME + 100_000
        assert_equal(node.setmocktime(mock), None)
        assert_equal(node.getblocktemplate({"rules": ["segwit"]})["curtime"], mock)
        block_hash = self.generate(node, 1)[0]
        assert_equal(node.getblockheader(block_hash)["time"], mock)
        # A mock time below the median time past + 1 (but within the two hours a
        # block may be ahead of the clock): the template takes MTP + 1.
        self.generate(node, 10)
        node.setmocktime(mock - 1000)
        tip = node.getblockheader(node.getbestblockhash())
        assert_equal(node.getblocktemplate({"rules": ["segwit"]})["curtime"], tip["mediantime"] + 1)

        # More than two hours below: the template would be too far ahead of the clock.
        node.setmocktime(REGTEST_GENESIS_TIME + 10)
        assert_raises_rpc_error(-1, "CreateNewBlock: TestBlockValidity failed: time-too-new", self.generate, node, 1)

        self.log.info("0 goes back to the system clock")
        node.setmocktime(0)
        before = int(time.time())
        block_hash = self.generate(node, 1)[0]
        block_time = node.getblockheader(block_hash)["time"]
        assert before - 5 <= block_time <= int(time.time()) + 5, block_time

        self.log.info("range and type errors")
        assert_raises_rpc_error(-8, "Mocktime must be in the range [0, 9223372036], not -1.", node.setmocktime, -1)
        assert_raises_rpc_error(-8, "Mocktime must be in the range [0, 9223372036], not 9223372037.",
                                node.setmocktime, 9223372037)
        assert_raises_rpc_error(-3, None, node.setmocktime, "1")
        assert_raises_rpc_error(-1, None, node.setmocktime)

        self.log.info("-mocktime at start")
        later = int(time.time()) + 3600
        self.restart_node(0, ["-mocktime=%d" % later])
        assert_equal(node.getblocktemplate({"rules": ["segwit"]})["curtime"], later)
        node.setmocktime(0)

        self.log.info("signet: setmocktime refused; getmininginfo and getblocktemplate signet fields")
        datadir = os.path.join(self.options.tmpdir, "signet_node")
        write_config(datadir, 1, chain="signet")
        signet = TestNode(1, datadir, self.config, chain="signet", bitcoind=self.bitcoind, logger=self.log,
                          timeout_factor=self.options.timeout_factor)
        self.nodes.append(signet)
        signet.start()
        signet.wait_for_rpc_connection()
        assert_raises_rpc_error(-1, "setmocktime is for regression testing (-regtest mode) only",
                                signet.setmocktime, 1)
        info = signet.getmininginfo()
        assert_equal(info["chain"], "signet")
        assert_greater_than(len(info["signet_challenge"]), 0)
        assert_equal(list(info.keys())[-3:], ["signet_challenge", "next", "warnings"])
        assert_raises_rpc_error(-8, 'getblocktemplate must be called with the signet rule set (call with {"rules": ["segwit", "signet"]})',
                                signet.getblocktemplate, {"rules": ["segwit"]})
        tmpl = signet.getblocktemplate({"rules": ["segwit", "signet"]})
        assert_equal(tmpl["rules"], ["csv", "!segwit", "!signet"])
        assert_equal(tmpl["signet_challenge"], info["signet_challenge"])
        assert_equal(tmpl["height"], 1)
        signet.stop_node()


if __name__ == "__main__":
    SetMockTimeTest().main()
