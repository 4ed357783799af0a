#!/usr/bin/python3
"""peers.dat: written at shutdown and read back (addresses and tables kept);
a corrupt file (flipped byte: checksum mismatch; another network's magic;
truncated; garbage) is renamed to peers.dat.corrupt and the node starts with
an empty address manager and a warning (on stderr and in debug.log)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.util import assert_equal, assert_true  # noqa: E402

REGTEST_MAGIC = bytes.fromhex("fabfb5da")
MAINNET_MAGIC = bytes.fromhex("f9beb4d9")


class AddrmanPersistenceTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        node = self.nodes[0]
        peers = os.path.join(node.chain_path, "peers.dat")
        corrupt = peers + ".corrupt"

        self.log.info("peers.dat round trip: new and tried tables survive a restart")
        assert_equal(node.addpeeraddress("1.2.3.4", 8333), {"success": True})
        assert_equal(node.addpeeraddress("5.6.7.8", 8333, True), {"success": True})
        raw = node.getrawaddrman()
        self.restart_node(0)
        assert_equal(node.getrawaddrman(), raw)
        with open(peers, "rb") as f:
            good = f.read()
        assert_equal(good[:4], REGTEST_MAGIC)

        cases = [
            ("a flipped byte (checksum mismatch)", good[:40] + bytes([good[40] ^ 0xff]) + good[41:], "checksum mismatch"),
            ("another network's magic", MAINNET_MAGIC + good[4:], "invalid network magic number"),
            ("truncated", good[:30], "file too short"),
            ("garbage", b"\x00" * 200, "invalid network magic number"),
        ]
        for name, data, reason in cases:
            self.log.info(f"corrupt peers.dat: {name}")
            self.stop_node(0)
            if os.path.exists(corrupt):
                os.remove(corrupt)
            with open(peers, "wb") as f:
                f.write(data)
            warning = (f"Warning: Invalid or corrupt peers.dat ({reason}); renamed to peers.dat.corrupt "
                       "and starting with an empty address manager")
            with node.assert_debug_log([f"Invalid or corrupt peers.dat ({reason})"], timeout=10):
                self.start_node(0)
            assert_true(os.path.exists(corrupt), "renamed to peers.dat.corrupt")
            with open(corrupt, "rb") as f:
                assert_equal(f.read(), data)
            assert_equal(node.getnodeaddresses(0), [])
            assert_equal(node.getrawaddrman(), {"new": {}, "tried": {}})
            # Works as usual afterwards, and a valid file is written at shutdown.
            assert_equal(node.addpeeraddress("9.9.9.9", 8333), {"success": True})
            self.stop_node(0, expected_stderr=warning)
            with open(peers, "rb") as f:
                assert_equal(f.read(4), REGTEST_MAGIC)
            self.start_node(0)
            assert_equal([a["address"] for a in node.getnodeaddresses(0)], ["9.9.9.9"])


if __name__ == "__main__":
    AddrmanPersistenceTest().main()
