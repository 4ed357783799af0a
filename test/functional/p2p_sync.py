#!/usr/bin/python3
"""Block sync between our nodes over P2P: two nodes, three nodes in a line
(relay through the middle one), a reorg across nodes after a partition
heals, and fresh nodes syncing the whole chain from genesis (connect_nodes
and -connect)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.address import encode_segwit_address  # noqa: E402
from test_framework.util import assert_equal  # noqa: E402

# A second payout address (P2WSH of another script), so that blocks mined on
# two partitioned nodes at the same second differ.
OTHER_ADDRESS = encode_segwit_address("bcrt", 0, bytes(range(32)))


class P2PSyncTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 3
        self.setup_clean_chain = False
        self.extra_args = [["-listen=1"]] * 3

    def tip(self, node):
        return node.getbestblockhash()

    def run_test(self):
        n0, n1, n2 = self.nodes
        # The cached chain is from 2011: mine one block at the real time first
        # so node0 leaves initial block download and serves headers.
        self.generate(n0, 1)

        self.log.info("Two nodes: node1 fetches node0's new blocks")
        self.connect_nodes(1, 0)
        self.sync_blocks([n0, n1])
        self.generate(n0, 10)
        self.sync_blocks([n0, n1])
        assert_equal(n1.getblockcount(), 211)
        assert_equal(n1.getbestblockhash(), n0.getbestblockhash())
        peer = [p for p in n1.getpeerinfo() if p["addr"] == f"127.0.0.1:{n0.p2p_port}"][0]
        assert_equal(peer["connection_type"], "manual")
        self.wait_until(lambda: [p for p in n1.getpeerinfo() if p["id"] == peer["id"]][0]["synced_blocks"] == 211)

        self.log.info("Three nodes in a line: node2 <- node1 <- node0, blocks relayed through node1")
        self.connect_nodes(2, 1)
        self.sync_blocks()
        self.generate(n0, 5)
        self.sync_blocks()
        assert_equal(n2.getblockcount(), 216)
        # node2 is not connected to node0 at all.
        assert not self._links(n2, n0)
        # A block mined at the end of the line travels back to node0.
        self.generate(n2, 2)
        self.sync_blocks()
        assert_equal(n0.getblockcount(), 218)

        self.log.info("Reorg across nodes: partition {node0, node1} | {node2}, node2 mines the longer branch")
        self.disconnect_nodes(1, 2)
        assert_equal(n1.getconnectioncount(), 1)
        short_branch = self.generate(n0, 3)
        long_branch = self.generatetoaddress(n2, 6, OTHER_ADDRESS)
        assert not set(short_branch) & set(long_branch)
        self.sync_blocks([n0, n1])
        assert_equal(n1.getblockcount(), 221)
        assert_equal(n2.getblockcount(), 224)
        assert self.tip(n1) != self.tip(n2)
        self.connect_nodes(1, 2)
        self.sync_blocks()
        for node in self.nodes:
            assert_equal(node.getblockcount(), 224)
            assert_equal(node.getbestblockhash(), long_branch[-1])
        for node in (n0, n1):
            # The short branch is still known but no longer in the active chain.
            assert_equal(node.getblockheader(short_branch[0])["confirmations"], -1)
        assert_equal(n0.getblockhash(219), long_branch[0])

        self.log.info("A fresh node syncs the whole chain from genesis (headers first)")
        self.add_nodes(1, [["-listen=1"]])
        n3 = self.nodes[3]
        self.start_node(3)
        assert_equal(n3.getblockcount(), 0)
        self.connect_nodes(3, 0)
        self.sync_blocks(timeout=120)
        assert_equal(n3.getblockcount(), 224)
        assert_equal(n3.getbestblockhash(), long_branch[-1])

        self.log.info("A block mined by the fresh node reaches everyone")
        self.generate(n3, 1)
        self.sync_blocks()
        assert_equal(n2.getblockcount(), 225)

        self.log.info("-connect: a fresh node that connects to node0 only, by itself")
        self.add_nodes(1, [[f"-connect=127.0.0.1:{n0.p2p_port}"]])
        n4 = self.nodes[4]
        self.start_node(4)
        self.sync_blocks(timeout=120)
        assert_equal(n4.getblockcount(), 225)
        peers = n4.getpeerinfo()
        assert_equal([(p["addr"], p["connection_type"]) for p in peers], [(f"127.0.0.1:{n0.p2p_port}", "manual")])


if __name__ == "__main__":
    P2PSyncTest().main()
