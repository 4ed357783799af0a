#!/usr/bin/python3
"""The network RPCs with Bitcoin Core v30's fields and errors: getpeerinfo,
getnetworkinfo, getconnectioncount, getnettotals, addnode, disconnectnode,
getaddednodeinfo, ping, setnetworkactive."""
import os
import sys
import time
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.p2p import P2PInterface  # noqa: E402
from test_framework.util import SkipTest, assert_equal, assert_raises_rpc_error  # noqa: E402

# Core v30's getpeerinfo keys, in order; OPTIONAL ones may be absent.
PEER_KEYS = ["id", "addr", "addrbind", "addrlocal", "network", "mapped_as", "services", "servicesnames",
             "relaytxes", "lastsend", "lastrecv", "last_transaction", "last_block", "bytessent", "bytesrecv",
             "conntime", "timeoffset", "pingtime", "minping", "pingwait", "version", "subver", "inbound",
             "bip152_hb_to", "bip152_hb_from", "startingheight", "presynced_headers", "synced_headers",
             "synced_blocks", "inflight", "addr_relay_enabled", "addr_processed", "addr_rate_limited",
             "permissions", "minfeefilter", "bytessent_per_msg", "bytesrecv_per_msg", "connection_type",
             "transport_protocol_type", "session_id"]
PEER_OPTIONAL = {"addrbind", "addrlocal", "mapped_as", "pingtime", "minping", "pingwait"}
NETWORKINFO_KEYS = ["version", "subversion", "protocolversion", "localservices", "localservicesnames",
                    "localrelay", "timeoffset", "connections", "connections_in", "connections_out",
                    "networkactive", "networks", "relayfee", "incrementalfee", "localaddresses", "warnings"]
NETWORK_KEYS = ["name", "limited", "reachable", "proxy", "proxy_randomize_credentials"]
UPLOADTARGET_KEYS = ["timeframe", "target", "target_reached", "serve_historical_blocks",
                     "bytes_left_in_cycle", "time_left_in_cycle"]


def assert_ordered_keys(obj, keys, optional=()):
    present = list(obj.keys())
    assert_equal(present, [k for k in keys if k in obj])
    missing = [k for k in keys if k not in obj and k not in optional]
    assert not missing, f"missing keys {missing}"
    extra = [k for k in present if k not in keys]
    assert not extra, f"unexpected keys {extra}"


class RpcNetTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.setup_clean_chain = False
        self.extra_args = [["-listen=1"], ["-listen=1"]]

    def addr(self, node):
        return f"127.0.0.1:{node.p2p_port}"

    def run_test(self):
        n0, n1 = self.nodes
        try:
            self.skip_if_no_cli()
            self.have_cli = True
        except SkipTest:
            self.have_cli = False
        self.log.info("No peers yet")
        assert_equal(n0.getconnectioncount(), 0)
        assert_equal(n0.getpeerinfo(), [])
        self.connect_nodes(0, 1)
        self.test_getconnectioncount()
        self.test_getpeerinfo()
        self.test_ping()
        self.test_getnettotals()
        self.test_getnetworkinfo()
        self.test_setnetworkactive()
        self.test_addnode_getaddednodeinfo()
        self.test_disconnectnode()
        self.test_periodic_peers_dat()
        self.test_persistence()

    def test_getconnectioncount(self):
        self.log.info("getconnectioncount")
        assert_equal(self.nodes[0].getconnectioncount(), 1)
        assert_equal(self.nodes[1].getconnectioncount(), 1)

    def check_peer(self, peer, *, inbound, conn_type):
        assert_ordered_keys(peer, PEER_KEYS, PEER_OPTIONAL)
        assert isinstance(peer["id"], int)
        assert_equal(peer["network"], "not_publicly_routable")  # 127.0.0.1
        assert_equal(len(peer["services"]), 16)
        services = int(peer["services"], 16)
        assert services & 1 and services & 8, peer["services"]  # NETWORK, WITNESS
        assert "NETWORK" in peer["servicesnames"] and "WITNESS" in peer["servicesnames"]
        assert_equal(peer["relaytxes"], True)
        now = time.time()
        for key in ("lastsend", "lastrecv", "conntime"):
            assert abs(peer[key] - now) < 600, (key, peer[key])
        assert_equal(peer["last_transaction"], 0)
        assert_equal(peer["last_block"], 0)
        assert peer["bytessent"] > 0 and peer["bytesrecv"] > 0
        assert isinstance(peer["timeoffset"], int)
        assert_equal(peer["version"], 70016)
        assert peer["subver"].startswith("/bitcoin-observed:"), peer["subver"]
        assert_equal(peer["inbound"], inbound)
        assert_equal(peer["bip152_hb_to"], False)
        assert_equal(peer["bip152_hb_from"], False)
        assert_equal(peer["startingheight"], 200)
        for key in ("presynced_headers", "synced_headers", "synced_blocks"):
            assert isinstance(peer[key], int) and peer[key] >= -1
        assert_equal(peer["inflight"], [])
        assert isinstance(peer["addr_relay_enabled"], bool)
        assert isinstance(peer["addr_processed"], int) and isinstance(peer["addr_rate_limited"], int)
        assert_equal(peer["permissions"], [])
        assert isinstance(peer["minfeefilter"], Decimal)
        for msg in ("version", "verack"):
            assert peer["bytessent_per_msg"][msg] > 0 and peer["bytesrecv_per_msg"][msg] > 0
        assert_equal(peer["bytessent_per_msg"]["version"] >= 24 + 85, True)
        assert_equal(peer["bytessent_per_msg"]["verack"], 24)
        assert_equal(sum(peer["bytessent_per_msg"].values()) <= peer["bytessent"], True)
        assert_equal(peer["connection_type"], conn_type)
        assert_equal(peer["transport_protocol_type"], "v1")
        assert_equal(peer["session_id"], "")

    def test_getpeerinfo(self):
        self.log.info("getpeerinfo: every field, both ends of a manual connection")
        n0, n1 = self.nodes
        out = n0.getpeerinfo()
        assert_equal(len(out), 1)
        out = out[0]
        self.check_peer(out, inbound=False, conn_type="manual")
        assert_equal(out["addr"], self.addr(n1))
        assert out["addrbind"].startswith("127.0.0.1:")
        inb = n1.getpeerinfo()
        assert_equal(len(inb), 1)
        inb = inb[0]
        self.check_peer(inb, inbound=True, conn_type="inbound")
        # The inbound side sees node0's local end as the peer's address.
        assert_equal(inb["addr"], out["addrbind"])
        assert_equal(inb["addrbind"], self.addr(n1))
        # Nodes leave addr_recv empty for a non-routable peer (127.0.0.1): addrlocal omitted.
        assert "addrlocal" not in out and "addrlocal" not in inb

        self.log.info("getpeerinfo: addrlocal is our address as the peer's version message gave it")
        peer = n1.add_p2p_connection(P2PInterface())
        info = [p for p in n1.getpeerinfo() if p["connection_type"] == "inbound" and p["subver"] != inb["subver"]]
        assert_equal(len(info), 1)
        assert_ordered_keys(info[0], PEER_KEYS, PEER_OPTIONAL)
        assert_equal(info[0]["addrlocal"], self.addr(n1))
        assert_equal(info[0]["last_transaction"], 0)
        assert_equal(info[0]["last_block"], 0)
        assert_equal(n1.getconnectioncount(), len(n1.getpeerinfo()))
        peer.peer_disconnect()
        self.wait_until(lambda: len(n1.getpeerinfo()) == 1)
        assert_equal(n1.getconnectioncount(), 1)

    def test_ping(self):
        self.log.info("ping: pingtime and minping appear, pong counted")
        n0 = self.nodes[0]
        assert_equal(n0.ping(), None)
        self.wait_until(lambda: all("pingtime" in p and "pong" in p["bytesrecv_per_msg"] for p in n0.getpeerinfo()))
        peer = n0.getpeerinfo()[0]
        assert isinstance(peer["pingtime"], Decimal) and peer["pingtime"] >= 0
        assert peer["minping"] <= peer["pingtime"]
        assert "pingwait" not in peer or peer["pingwait"] >= 0

    def test_getnettotals(self):
        self.log.info("getnettotals")
        n0 = self.nodes[0]
        peers = n0.getpeerinfo()
        totals = n0.getnettotals()
        assert_equal(list(totals.keys()), ["totalbytesrecv", "totalbytessent", "timemillis", "uploadtarget"])
        assert_equal(list(totals["uploadtarget"].keys()), UPLOADTARGET_KEYS)
        assert totals["totalbytesrecv"] >= sum(p["bytesrecv"] for p in peers)
        assert totals["totalbytessent"] >= sum(p["bytessent"] for p in peers)
        assert abs(totals["timemillis"] / 1000 - time.time()) < 60
        target = totals["uploadtarget"]
        assert_equal(target["timeframe"], 86400)
        assert_equal(target["target"], 0)
        assert_equal(target["target_reached"], False)
        assert_equal(target["serve_historical_blocks"], True)
        assert_equal(target["bytes_left_in_cycle"], 0)
        assert_equal(target["time_left_in_cycle"], 0)
        # Traffic makes the totals grow.
        n0.ping()
        self.wait_until(lambda: n0.getnettotals()["totalbytessent"] > totals["totalbytessent"])

    def test_getnetworkinfo(self):
        self.log.info("getnetworkinfo")
        n0 = self.nodes[0]
        info = n0.getnetworkinfo()
        assert_ordered_keys(info, NETWORKINFO_KEYS)
        assert isinstance(info["version"], int)
        assert info["subversion"].startswith("/bitcoin-observed:") and info["subversion"].endswith("/")
        assert_equal(info["subversion"], self.nodes[1].getpeerinfo()[0]["subver"])
        assert_equal(info["protocolversion"], 70016)
        assert_equal(len(info["localservices"]), 16)
        # Core's defaults without pruning or v2 transport: NETWORK, WITNESS, NETWORK_LIMITED.
        assert_equal(info["localservicesnames"], ["NETWORK", "WITNESS", "NETWORK_LIMITED"])
        assert_equal(info["localservices"], "0000000000000409")
        assert_equal(info["localservices"], n0.getnetworkinfo()["localservices"])
        assert_equal(int(info["localservices"], 16), int(self.nodes[1].getpeerinfo()[0]["services"], 16))
        assert_equal(info["localrelay"], True)
        assert isinstance(info["timeoffset"], int)
        assert_equal(info["connections"], 1)
        assert_equal(info["connections_in"], 0)
        assert_equal(info["connections_out"], 1)
        assert_equal(self.nodes[1].getnetworkinfo()["connections_in"], 1)
        assert_equal(info["networkactive"], True)
        assert_equal([n["name"] for n in info["networks"]], ["ipv4", "ipv6", "onion", "i2p", "cjdns"])
        for network in info["networks"]:
            assert_equal(list(network.keys()), NETWORK_KEYS)
            assert isinstance(network["limited"], bool) and isinstance(network["reachable"], bool)
            assert_equal(network["proxy"], "")
        assert_equal(info["relayfee"], Decimal("0.00000100"))
        assert_equal(info["incrementalfee"], Decimal("0.00000100"))
        assert isinstance(info["localaddresses"], list)
        for local in info["localaddresses"]:
            assert_equal(list(local.keys()), ["address", "port", "score"])
        assert isinstance(info["warnings"], list)

    def test_setnetworkactive(self):
        self.log.info("setnetworkactive")
        n0, n1 = self.nodes
        assert_equal(n0.setnetworkactive(False), False)
        assert_equal(n0.getnetworkinfo()["networkactive"], False)
        self.wait_until(lambda: n0.getconnectioncount() == 0 and n1.getconnectioncount() == 0)
        # While inactive, connection attempts do nothing.
        n0.addnode(self.addr(n1), "onetry")
        time.sleep(0.5)
        assert_equal(n0.getconnectioncount(), 0)
        assert_equal(n0.setnetworkactive(True), True)
        assert_equal(n0.getnetworkinfo()["networkactive"], True)
        self.connect_nodes(0, 1)
        assert_equal(n0.getconnectioncount(), 1)
        assert_raises_rpc_error(-3, None, n0.setnetworkactive, "yes")
        if self.have_cli:
            assert_equal(n0.cli.setnetworkactive("true"), True)

    def test_addnode_getaddednodeinfo(self):
        self.log.info("addnode add/remove/onetry and getaddednodeinfo")
        n0, n1 = self.nodes
        self.disconnect_nodes(0, 1)
        assert_equal(n0.getaddednodeinfo(), [])
        target = self.addr(n1)
        assert_equal(n0.addnode(node=target, command="add"), None)
        assert_raises_rpc_error(-23, "Error: Node already added", n0.addnode, target, "add")
        # The added node gets connected by the node itself.
        self.wait_until(lambda: n0.getaddednodeinfo()[0]["connected"], timeout=90)
        info = n0.getaddednodeinfo()
        assert_equal(len(info), 1)
        assert_equal(list(info[0].keys()), ["addednode", "connected", "addresses"])
        assert_equal(info[0]["addednode"], target)
        assert_equal(info[0]["addresses"], [{"address": target, "connected": "outbound"}])
        assert_equal(n0.getaddednodeinfo(target), info)
        assert_raises_rpc_error(-24, "Error: Node has not been added.", n0.getaddednodeinfo, "127.0.0.2:1")
        peer = [p for p in n0.getpeerinfo() if p["addr"] == target][0]
        assert_equal(peer["connection_type"], "manual")
        assert_equal(n0.addnode(target, "remove"), None)
        assert_equal(n0.getaddednodeinfo(), [])
        assert_raises_rpc_error(-24, "Error: Node could not be removed. It has not been added previously.",
                                n0.addnode, target, "remove")
        # A wrong command answers with the method's help.
        assert_raises_rpc_error(-1, "addnode \"node\" \"command\"", n0.addnode, target, "bogus")
        assert_raises_rpc_error(-8, "Error: v2transport requested but not enabled (see -v2transport)",
                                n0.addnode, target, "onetry", True)
        assert_raises_rpc_error(-1, None, n0.addnode, target)

    def test_disconnectnode(self):
        self.log.info("disconnectnode by id and by address")
        n0, n1 = self.nodes
        if not self._links(n0, n1):
            self.connect_nodes(0, 1)
        assert_raises_rpc_error(-32602, "Only one of address and nodeid should be provided.",
                                n0.disconnectnode, self.addr(n1), 0)
        assert_raises_rpc_error(-32602, "Only one of address and nodeid should be provided.", n0.disconnectnode)
        assert_raises_rpc_error(-29, "Node not found in connected nodes", n0.disconnectnode, nodeid=999999)
        assert_raises_rpc_error(-29, "Node not found in connected nodes", n0.disconnectnode, "127.0.0.2:1")
        peer_id = self._links(n0, n1)[0]
        assert_equal(n0.disconnectnode(nodeid=peer_id), None)
        self.wait_until(lambda: not self._links(n0, n1) and not self._links(n1, n0))
        self.connect_nodes(0, 1)
        peer_id = self._links(n0, n1)[0]
        # Through bitcoin-cli when built: the nodeid argument is converted to a number.
        if self.have_cli:
            assert_equal(n0.cli.disconnectnode("", peer_id), "")
        else:
            assert_equal(n0.disconnectnode("", peer_id), None)
        self.wait_until(lambda: not self._links(n0, n1))
        self.connect_nodes(0, 1)
        assert_equal(n0.disconnectnode(address=self.addr(n1)), None)
        self.wait_until(lambda: not self._links(n0, n1) and not self._links(n1, n0))
        self.wait_until(lambda: n0.getconnectioncount() == 0 and n1.getconnectioncount() == 0)
        assert_equal(n0.getpeerinfo(), [])

    def test_periodic_peers_dat(self):
        self.log.info("peers.dat is also written every 15 minutes (DUMP_PEERS_INTERVAL), not only at shutdown")
        n1 = self.nodes[1]
        peers_dat = os.path.join(n1.datadir, "regtest", "peers.dat")
        assert not os.path.exists(peers_dat)  # node1 has not been stopped yet
        n1.setmocktime(int(time.time()) + 14 * 60)
        time.sleep(1.5)
        assert not os.path.exists(peers_dat)
        n1.setmocktime(int(time.time()) + 15 * 60 + 30)
        n1.wait_for_debug_log(["addresses to peers.dat"])
        self.wait_until(lambda: os.path.isfile(peers_dat))
        n1.setmocktime(0)

    def test_persistence(self):
        self.log.info("Shutdown writes peers.dat and banlist.json; a restart reads them")
        n0 = self.nodes[0]
        n0.setban("192.0.2.0/24", "add")
        self.restart_node(0)
        chain_dir = os.path.join(n0.datadir, "regtest")
        assert os.path.isfile(os.path.join(chain_dir, "peers.dat"))
        assert os.path.isfile(os.path.join(chain_dir, "banlist.json"))
        assert_equal([b["address"] for b in n0.listbanned()], ["192.0.2.0/24"])
        n0.clearbanned()
        assert_equal(n0.getnetworkinfo()["networkactive"], True)
        self.connect_nodes(0, 1)

        self.log.info("A P2P port that cannot be bound is an init error")
        self.add_nodes(1)
        taken = f"127.0.0.1:{self.nodes[1].p2p_port}"
        self.nodes[2].assert_start_raises_init_error(
            ["-listen=1", f"-bind={taken}"],
            f"Error: Unable to bind to {taken} on this computer. Bitcoin Core is probably already running.")


if __name__ == "__main__":
    RpcNetTest().main()
