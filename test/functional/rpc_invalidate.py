#!/usr/bin/python3
"""invalidateblock, reconsiderblock and preciousblock across forks.

Two nodes start from the cached chain and mine different blocks on it (to
different addresses, so the blocks differ); blocks move between them with
getblock(hash, 0) / submitblock. getchaintips and the UTXO set hash follow
every switch."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.address import witness_script_to_p2wsh_address  # noqa: E402
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.util import assert_equal, assert_raises_rpc_error  # noqa: E402

OTHER_ADDRESS = witness_script_to_p2wsh_address(b"\x52")  # P2WSH(OP_2)
THIRD_ADDRESS = witness_script_to_p2wsh_address(b"\x53")  # P2WSH(OP_3)
UNKNOWN_HASH = "22" * 32


class InvalidateTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.setup_clean_chain = False

    def transfer(self, source, target, hashes):
        for block_hash in hashes:
            result = target.submitblock(source.getblock(block_hash, 0))
            assert result in (None, "inconclusive", "duplicate"), f"submitblock: {result}"

    def tips(self, node):
        return {(t["hash"], t["height"], t["branchlen"], t["status"]) for t in node.getchaintips()}

    def run_test(self):
        node0, node1 = self.nodes
        base = node0.getbestblockhash()
        assert_equal(node1.getbestblockhash(), base)

        self.log.info("A short fork (node0) and a long one (node1) on the cached chain")
        chain_a = self.generate(node0, 6)
        utxo_a = node0.gettxoutsetinfo()
        chain_b = self.generatetoaddress(node1, 20, OTHER_ADDRESS)
        utxo_b = node1.gettxoutsetinfo()
        self.transfer(node1, node0, chain_b)
        assert_equal(node0.getbestblockhash(), chain_b[-1])
        assert_equal(node0.gettxoutsetinfo()["hash_serialized_3"], utxo_b["hash_serialized_3"])
        assert_equal(self.tips(node0), {(chain_b[-1], 220, 0, "active"), (chain_a[-1], 206, 6, "valid-fork")})
        assert_equal(node0.getblockheader(chain_a[0])["confirmations"], -1)
        assert_equal("nextblockhash" in node0.getblockheader(chain_a[0]), False)

        self.log.info("invalidateblock on the first block of the long fork: back to the short one")
        node0.invalidateblock(chain_b[0])
        assert_equal(node0.getbestblockhash(), chain_a[-1])
        assert_equal(node0.getblockcount(), 206)
        assert_equal(node0.gettxoutsetinfo()["hash_serialized_3"], utxo_a["hash_serialized_3"])
        assert_equal(self.tips(node0), {(chain_a[-1], 206, 0, "active"), (chain_b[-1], 220, 20, "invalid")})
        assert_equal(node0.getblockheader(chain_b[5])["confirmations"], -1)

        self.log.info("reconsiderblock on a descendant brings the whole fork back")
        node0.reconsiderblock(chain_b[10])
        assert_equal(node0.getbestblockhash(), chain_b[-1])
        assert_equal(node0.gettxoutsetinfo()["hash_serialized_3"], utxo_b["hash_serialized_3"])

        self.log.info("invalidateblock in the middle: the fork's prefix still has more work")
        node0.invalidateblock(chain_b[10])  # height 211
        assert_equal(node0.getblockcount(), 210)
        assert_equal(node0.getbestblockhash(), chain_b[9])
        assert_equal(self.tips(node0), {(chain_b[9], 210, 0, "active"), (chain_a[-1], 206, 6, "valid-fork"),
                                        (chain_b[-1], 220, 10, "invalid")})
        self.log.info("invalidating an ancestor of the tip down to the fork point, then the other fork too")
        node0.invalidateblock(chain_b[3])
        assert_equal(node0.getbestblockhash(), chain_a[-1])
        node0.invalidateblock(chain_a[2])
        assert_equal(node0.getbestblockhash(), chain_b[2])
        assert_equal(node0.getblockcount(), 203)
        node0.invalidateblock(chain_b[0])
        assert_equal(node0.getbestblockhash(), chain_a[1])
        node0.invalidateblock(chain_a[0])
        assert_equal(node0.getbestblockhash(), base)
        assert_equal(node0.getblockcount(), 200)
        node0.reconsiderblock(chain_a[0])
        assert_equal(node0.getbestblockhash(), chain_a[-1])
        node0.reconsiderblock(chain_b[0])
        assert_equal(node0.getbestblockhash(), chain_b[-1])
        assert_equal(node0.gettxoutsetinfo()["hash_serialized_3"], utxo_b["hash_serialized_3"])
        assert_equal(self.tips(node0), {(chain_b[-1], 220, 0, "active"), (chain_a[-1], 206, 6, "valid-fork")})

        self.log.info("Invalidating a block off the active chain changes nothing active")
        node0.invalidateblock(chain_a[3])
        assert_equal(node0.getbestblockhash(), chain_b[-1])
        assert_equal(self.tips(node0), {(chain_b[-1], 220, 0, "active"), (chain_a[-1], 206, 6, "invalid")})
        node0.reconsiderblock(chain_a[3])

        self.log.info("preciousblock between two forks of equal work")
        chain_c = self.generatetoaddress(node0, 2, THIRD_ADDRESS)
        chain_d = self.generatetoaddress(node1, 2, OTHER_ADDRESS)
        assert chain_c[-1] != chain_d[-1]
        self.transfer(node1, node0, chain_d)
        # Equal work: the first one seen stays.
        assert_equal(node0.getbestblockhash(), chain_c[-1])
        node0.preciousblock(chain_d[-1])
        assert_equal(node0.getbestblockhash(), chain_d[-1])
        node0.preciousblock(chain_c[-1])
        assert_equal(node0.getbestblockhash(), chain_c[-1])
        node0.preciousblock(chain_d[-1])
        assert_equal(node0.getbestblockhash(), chain_d[-1])
        assert_equal(self.tips(node0), {(chain_d[-1], 222, 0, "active"), (chain_c[-1], 222, 2, "valid-fork"),
                                        (chain_a[-1], 206, 6, "valid-fork")})
        # A block with less work is not made the tip.
        node0.preciousblock(chain_c[0])
        assert_equal(node0.getbestblockhash(), chain_d[-1])
        node0.preciousblock(chain_a[-1])
        assert_equal(node0.getbestblockhash(), chain_d[-1])
        # More work wins over any precious mark.
        longer = self.generatetoaddress(node0, 1, THIRD_ADDRESS)[0]
        assert_equal(node0.getblockcount(), 223)
        node0.preciousblock(chain_c[-1])
        assert_equal(node0.getbestblockhash(), longer)

        self.log.info("Errors")
        for method in (node0.invalidateblock, node0.reconsiderblock, node0.preciousblock):
            assert_raises_rpc_error(-5, "Block not found", method, UNKNOWN_HASH)
            assert_raises_rpc_error(-8, "blockhash must be of length 64", method, "00")

        self.log.info("The chain survives a restart after all this")
        tip, utxo = node0.getbestblockhash(), node0.gettxoutsetinfo()
        self.restart_node(0)
        assert_equal(self.nodes[0].getbestblockhash(), tip)
        after = self.nodes[0].gettxoutsetinfo()
        del utxo["disk_size"], after["disk_size"]  # LevelDB's estimate moves with compaction
        assert_equal(after, utxo)
        assert_equal(self.nodes[0].verifychain(4, 0), True)


if __name__ == "__main__":
    InvalidateTest().main()
