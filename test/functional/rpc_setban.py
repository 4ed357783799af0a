#!/usr/bin/python3
"""Bans: setban / listbanned / clearbanned with Core's fields and errors,
bantime (relative, absolute, -bantime default), expiry (setmocktime),
banlist.json across a restart, a banned peer disconnected and refused, and
getnodeaddresses / addpeeraddress argument handling."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.util import assert_equal, assert_raises_rpc_error, assert_true, wait_until  # noqa: E402


class SetBanTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.extra_args = [["-listen=1", "-bantime=7200"], []]

    def run_test(self):
        self.test_setban_listbanned()
        self.test_persistence_and_expiry()
        self.test_banned_peer_disconnected()
        self.test_nodeaddresses()

    def test_setban_listbanned(self):
        node = self.nodes[0]
        self.log.info("setban add: single IP (as /32), subnet, IPv6; listbanned fields")
        now = int(time.time())
        node.setmocktime(now)
        node.setban("1.2.3.4", "add")
        node.setban("10.0.0.0/255.255.0.0", "add", 1000)
        node.setban("2001:db8::/32", "add", now + 5000, True)
        banned = {b["address"]: b for b in node.listbanned()}
        assert_equal(set(banned), {"1.2.3.4/32", "10.0.0.0/16", "2001:db8::/32"})
        assert_equal(banned["1.2.3.4/32"], {"address": "1.2.3.4/32", "ban_created": now,
                                            "banned_until": now + 7200, "ban_duration": 7200,
                                            "time_remaining": 7200})  # -bantime=7200
        assert_equal(banned["10.0.0.0/16"]["banned_until"], now + 1000)
        assert_equal(banned["2001:db8::/32"]["banned_until"], now + 5000)
        assert_equal(banned["2001:db8::/32"]["ban_duration"], 5000)

        self.log.info("errors")
        assert_raises_rpc_error(-23, "Error: IP/Subnet already banned", node.setban, "1.2.3.4", "add")
        assert_raises_rpc_error(-23, "Error: IP/Subnet already banned", node.setban, "10.0.0.0/16", "add")
        assert_raises_rpc_error(-30, "Error: Invalid IP/Subnet", node.setban, "1.2.3.400", "add")
        assert_raises_rpc_error(-30, "Error: Invalid IP/Subnet", node.setban, "1.2.3.4/33", "add")
        assert_raises_rpc_error(-30, "Error: Invalid IP/Subnet", node.setban, "example.com", "add")
        assert_raises_rpc_error(-8, "Error: Absolute timestamp is in the past", node.setban, "5.5.5.5", "add", 1000, True)
        assert_raises_rpc_error(-30, "Error: Unban failed. Requested address/subnet was not previously manually banned.",
                                node.setban, "5.5.5.5", "remove")
        assert_raises_rpc_error(-1, "setban \"subnet\" \"command\"", node.setban, "5.5.5.5", "ban")
        assert_equal(len(node.listbanned()), 3)

        self.log.info("setban remove, clearbanned")
        node.setban("1.2.3.4", "remove")
        assert_equal({b["address"] for b in node.listbanned()}, {"10.0.0.0/16", "2001:db8::/32"})
        node.setban("10.0.0.0/16", "remove")
        node.clearbanned()
        assert_equal(node.listbanned(), [])
        node.setmocktime(0)

    def test_persistence_and_expiry(self):
        node = self.nodes[0]
        self.log.info("banlist.json survives a restart; expired bans disappear")
        now = int(time.time())
        node.setban("8.8.8.8", "add", 600)
        node.setban("9.9.0.0/16", "add", 86400)
        self.restart_node(0, ["-listen=1"])
        path = os.path.join(node.chain_path, "banlist.json")
        with open(path) as f:
            saved = json.load(f)
        assert_equal({e["address"] for e in saved["banned_nets"]}, {"8.8.8.8/32", "9.9.0.0/16"})
        assert_true(all(e["version"] == 1 for e in saved["banned_nets"]), "version 1 entries")
        assert_equal({b["address"] for b in node.listbanned()}, {"8.8.8.8/32", "9.9.0.0/16"})
        node.setmocktime(now + 700)
        assert_equal({b["address"] for b in node.listbanned()}, {"9.9.0.0/16"})
        node.setmocktime(0)
        node.clearbanned()

    def test_banned_peer_disconnected(self):
        node0, node1 = self.nodes
        self.log.info("a connected peer is disconnected when banned, and refused while banned")
        self.connect_nodes(1, 0)
        assert_equal(len(node0.getpeerinfo()), 1)
        node0.setban("127.0.0.1", "add")
        wait_until(lambda: node0.getpeerinfo() == [] and node1.getpeerinfo() == [])
        node1.addnode(f"127.0.0.1:{node0.p2p_port}", "onetry")
        deadline = time.time() + 2
        while time.time() < deadline:  # never accepted
            assert_true(all(p.get("version", 0) == 0 for p in node0.getpeerinfo()), "no handshake with a banned peer")
            time.sleep(0.1)
        wait_until(lambda: node0.getpeerinfo() == [] and node1.getpeerinfo() == [])
        node0.setban("127.0.0.1", "remove")
        self.connect_nodes(1, 0)
        assert_equal(len(node0.getpeerinfo()), 1)
        self.disconnect_nodes(1, 0)

    def test_nodeaddresses(self):
        node = self.nodes[1]
        self.log.info("getnodeaddresses / addpeeraddress arguments and fields")
        assert_equal(node.getnodeaddresses(), [])
        assert_equal(node.addpeeraddress("1.2.3.4", 8333), {"success": True})
        assert_equal(node.addpeeraddress("1.2.3.4", 8333), {"success": False, "error": "failed-adding-to-new"})
        assert_equal(node.addpeeraddress("2a00:1450::1", 8333, True), {"success": True})
        assert_equal(node.addpeeraddress("192.168.0.1", 8333), {"success": False, "error": "failed-adding-to-new"})
        assert_raises_rpc_error(-30, "Invalid IP address", node.addpeeraddress, "not-an-ip", 8333)
        addrs = node.getnodeaddresses(0)
        assert_equal(len(addrs), 2)
        by_addr = {a["address"]: a for a in addrs}
        a = by_addr["1.2.3.4"]
        assert_equal(set(a), {"time", "services", "address", "port", "network"})
        assert_equal((a["port"], a["network"], a["services"]), (8333, "ipv4", 9))
        assert_true(abs(a["time"] - time.time()) < 600, "time is recent")
        assert_equal(by_addr["2a00:1450::1"]["network"], "ipv6")
        assert_equal(len(node.getnodeaddresses()), 1)  # default count 1
        assert_equal([x["address"] for x in node.getnodeaddresses(0, "ipv6")], ["2a00:1450::1"])
        assert_equal(node.getnodeaddresses(0, "onion"), [])
        assert_raises_rpc_error(-8, "Address count out of range", node.getnodeaddresses, -1)
        assert_raises_rpc_error(-8, "Network not recognized: tor", node.getnodeaddresses, 1, "tor")
        self.log.info("peers.dat keeps them across a restart")
        self.restart_node(1)
        assert_equal({x["address"] for x in node.getnodeaddresses(0)}, {"1.2.3.4", "2a00:1450::1"})


if __name__ == "__main__":
    SetBanTest().main()
