#!/usr/bin/python3
"""-maxmempool: once the mempool's memory passes the limit, the lowest
descendant-feerate transactions are evicted (the newest, best-paying stay),
the usage stays under the limit, the rolling minimum fee (mempoolminfee)
rises above -minrelaytxfee, and a transaction paying less than it is
rejected with `mempool min fee not met`. -maxmempool below 40 maximal
descendant packages is an init error."""
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.messages import TxOut  # noqa: E402
from test_framework.test_node import ErrorMatch  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import assert_equal, assert_raises_rpc_error  # noqa: E402

OP_RETURN = b"\x6a"
DATA = OP_RETURN + b"\x4e" + (48000).to_bytes(4, "little") + b"\x00" * 48000  # OP_PUSHDATA4


class MempoolLimitTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False
        self.extra_args = [["-maxmempool=5"]]

    def run_test(self):
        node = self.nodes[0]
        acs = AnyoneCanSpend(node)
        info = node.getmempoolinfo()
        assert_equal(info["maxmempool"], 5_000_000)
        assert_equal(info["mempoolminfee"], Decimal("0.00000100"))

        self.log.info("fill the mempool with ~97 kvB transactions at rising feerates")
        sent = []
        for k in range(60):
            fee = Decimal("0.00020000") + Decimal("0.00001000") * k
            tx = acs.create_self_transfer_multi(extra_outputs=[TxOut(0, DATA), TxOut(0, DATA)], fee=fee)
            node.sendrawtransaction(tx["hex"])
            sent.append(tx)
        info = node.getmempoolinfo()
        self.log.info(f"mempool: {info['size']} txs, usage {info['usage']}, minfee {info['mempoolminfee']}")
        assert info["usage"] <= 5_000_000, info
        assert info["size"] < 60, info
        pool = set(node.getrawmempool())
        # The evicted ones are the cheapest: a prefix of what was sent.
        kept = [tx["txid"] in pool for tx in sent]
        first_kept = kept.index(True)
        assert first_kept > 0
        assert all(kept[first_kept:]), kept
        assert info["mempoolminfee"] > Decimal("0.00000100"), info

        self.log.info("below the rolling minimum: mempool min fee not met")
        low = acs.create_self_transfer(fee=Decimal("0.00000020"))  # ~180 sat/kvB: above the relay fee, below the minimum
        assert_raises_rpc_error(-26, "mempool min fee not met", node.sendrawtransaction, low["hex"])
        high = acs.create_self_transfer(fee=Decimal("0.001"))
        node.sendrawtransaction(high["hex"])
        assert high["txid"] in node.getrawmempool()

        self.log.info("-maxmempool=4 is below the minimum (40 x 101 kvB)")
        self.stop_node(0)
        self.nodes[0].assert_start_raises_init_error(["-maxmempool=4"], "-maxmempool must be at least 5 MB",
                                                      match=ErrorMatch.PARTIAL_REGEX)


if __name__ == "__main__":
    MempoolLimitTest().main()
