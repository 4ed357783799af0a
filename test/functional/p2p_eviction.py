#!/usr/bin/python3
"""Inbound eviction with a low -maxconnections and many inbound Python peers.

-maxconnections=32 leaves 21 inbound slots (Core: 32 - 8 full-relay - 2
block-relay-only - 1 feeler). 8 "fast" peers answer pings, 13 "slow" ones
never do. When all slots are taken, each new inbound connection is accepted
and one existing inbound peer is evicted: never one of the 8 fast peers
(protected by lowest ping time), never more than the 21 inbound peers at once,
and the node stays up. A peer that sent a new block (last_block) and one
whose transaction entered the mempool (last_transaction) are protected too.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import ANYONE_CAN_SPEND_ADDRESS, BitcoinTestFramework  # noqa: E402
from test_framework.messages import Block, from_hex, msg_block, msg_tx  # noqa: E402
from test_framework.p2p import P2PInterface  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import assert_equal  # noqa: E402

MAX_CONNECTIONS = 32
INBOUND_SLOTS = MAX_CONNECTIONS - 8 - 2 - 1
FAST = 8


class SlowPeer(P2PInterface):
    def on_ping(self, message):
        pass  # never answers: no ping time, not protected by ping


class EvictionTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False
        self.extra_args = [["-listen=1", "-bind=127.0.0.1", f"-maxconnections={MAX_CONNECTIONS}"]]

    def inbound(self):
        return [p for p in self.nodes[0].getpeerinfo() if p["inbound"]]

    def run_test(self):
        node = self.nodes[0]
        self.log.info(f"Fill the {INBOUND_SLOTS} inbound slots: {FAST} fast peers, {INBOUND_SLOTS - FAST} slow ones")
        fast = [node.add_p2p_connection(P2PInterface()) for _ in range(FAST)]
        for p in fast:   # the node's first ping is answered: a minimum ping time
            p.wait_for_message("ping", 10)
        self.wait_until(lambda: sum("minping" in p for p in self.inbound()) == FAST, 20)
        slow = [node.add_p2p_connection(SlowPeer()) for _ in range(INBOUND_SLOTS - FAST)]
        self.wait_until(lambda: len(self.inbound()) == INBOUND_SLOTS, 10)
        assert all(p.is_connected for p in fast + slow), "a peer was dropped before the slots were full"

        self.log.info("Each further inbound connection evicts one slow peer")
        for round_ in range(4):
            newcomer = node.add_p2p_connection(SlowPeer())
            self.wait_until(lambda: sum(not p.is_connected for p in slow) == round_ + 1, 20)
            slow.append(newcomer)
            self.wait_until(lambda: len(self.inbound()) == INBOUND_SLOTS, 10)
            assert newcomer.is_connected, "the new peer was dropped instead of an existing one"
            assert all(p.is_connected for p in fast), "a fast (ping-protected) peer was evicted"
            assert len(self.inbound()) <= INBOUND_SLOTS
        evicted = [p for p in slow if not p.is_connected]
        assert_equal(len(evicted), 4)
        for p in fast:
            p.sync_with_ping(10)
        assert_equal(node.getblockcount(), 200)

        self.log.info("Peers that gave us a new block or a mempool transaction are protected from eviction")
        self.generate(node, 1)  # out of initial block download: transactions are taken from peers
        wallet = AnyoneCanSpend(node)
        wallet.rescan()
        connected = [p for p in slow if p.is_connected]
        # The two youngest slow peers: next in line for eviction without that protection.
        tx_peer, block_peer, next_victim = connected[-1], connected[-2], connected[-3]
        t = wallet.create_self_transfer()
        tx_peer.send_and_ping(msg_tx(t["tx"]))
        assert t["txid"] in node.getrawmempool()
        block = from_hex(Block, node.generateblock(ANYONE_CAN_SPEND_ADDRESS, [], False)["hex"])
        block_peer.send_and_ping(msg_block(block))
        assert_equal(node.getblockcount(), 202)
        info = self.inbound()
        assert_equal(sum(p["last_transaction"] > 0 for p in info), 1)
        assert_equal(sum(p["last_block"] > 0 for p in info), 1)
        newcomer = node.add_p2p_connection(SlowPeer())
        self.wait_until(lambda: sum(not p.is_connected for p in slow) == 5, 20)
        assert newcomer.is_connected
        assert tx_peer.is_connected, "the peer that relayed a mempool transaction was evicted"
        assert block_peer.is_connected, "the peer that relayed a new block was evicted"
        assert not next_victim.is_connected
        self.wait_until(lambda: len(self.inbound()) == INBOUND_SLOTS, 10)


if __name__ == "__main__":
    EvictionTest().main()
