#!/usr/bin/python3
"""ZeroMQ notifications with a real subscriber (python3-zmq).

One node publishes every topic on a TCP address (A) and sequence plus a
second hashblock on a unix socket given as "unix:<path>" (B). Checks:
- each message has three frames: topic, body, 4-byte little-endian counter
  that goes up by one per message of that notifier (topic at an address);
- hashblock/hashtx bodies are the hashes RPC shows, rawblock is getblock
  verbosity 0, rawtx is each transaction of the block with its witness;
- sequence bodies are hash + 'C' (connected) / 'D' (disconnected);
- generatetoaddress, generateblock with a segwit spend, invalidateblock
  (transactions of the disconnected block republished, 'D', no hashblock),
  reconsiderblock, and a reorg (hashblock/rawblock for the new tip only);
- an address that cannot be bound is logged and the node runs on;
- getzmqnotifications lists every notifier with type, address and hwm, and
  is empty on a node without -zmqpub* options.
"""
import os
import struct
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.address import witness_script_to_p2wsh_address  # noqa: E402
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.messages import Block, from_hex  # noqa: E402
from test_framework.tx import AnyoneCanSpend  # noqa: E402
from test_framework.util import SkipTest, assert_equal, extra_port  # noqa: E402

TOPICS = ["hashblock", "hashtx", "rawblock", "rawtx", "sequence"]


class Subscriber:
    """One SUB socket for one topic at one address: messages of one notifier,
    in order, with their counter checked."""

    def __init__(self, context, address, topic, timeout_ms=5000):
        import zmq
        self.topic = topic.encode()
        self.address = address
        self.socket = context.socket(zmq.SUB)
        self.socket.setsockopt(zmq.RCVTIMEO, timeout_ms)
        self.socket.setsockopt(zmq.LINGER, 0)
        self.socket.setsockopt(zmq.SUBSCRIBE, self.topic)
        self.socket.connect(address)
        self.next_sequence = None

    def receive(self):
        frames = self.socket.recv_multipart()
        assert_equal(len(frames), 3, f"{self.topic} message frames")
        topic, body, seq = frames
        assert_equal(topic, self.topic, "topic frame")
        assert_equal(len(seq), 4, "sequence frame length")
        (number,) = struct.unpack("<I", seq)
        if self.next_sequence is not None:
            assert_equal(number, self.next_sequence, f"{self.topic.decode()} counter at {self.address}")
        self.next_sequence = number + 1
        return body

    def try_receive(self, timeout_ms):
        import zmq
        if not self.socket.poll(timeout_ms):
            return None
        try:
            return self.receive()
        except zmq.error.Again:
            return None


class ZMQTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.setup_clean_chain = False

    def skip_test_if_missing_module(self):
        self.skip_if_no_python_module("zmq", "python3-zmq is not installed (apt-get install python3-zmq)")
        if self.config["components"].get("ENABLE_ZMQ", "OFF").upper() not in ("ON", "TRUE", "1"):
            raise SkipTest("bitcoind was built without ZMQ (-DWITH_ZMQ=OFF)")

    def setup_network(self):
        self.address_a = f"tcp://127.0.0.1:{extra_port(0)}"
        ipc_dir = self.options.tmpdir
        if len(ipc_dir) > 80:  # sun_path holds ~107 bytes
            ipc_dir = tempfile.mkdtemp(prefix="zmq")
        self.ipc_path = os.path.join(ipc_dir, "zmq_b.sock")
        self.address_b = "ipc://" + self.ipc_path
        args = [f"-zmqpub{topic}={self.address_a}" for topic in TOPICS]
        args += [f"-zmqpubsequence=unix:{self.ipc_path}", f"-zmqpubhashblock=unix:{self.ipc_path}",
                 "-zmqpubrawtxhwm=500", "-zmqpubsequencehwm=2000"]
        self.add_nodes(2, [args, []])
        self.start_nodes()

    def run_test(self):
        import zmq
        self.node = self.nodes[0]
        self.context = zmq.Context()
        try:
            self.test_getzmqnotifications()
            self.subscribe()
            self.test_generate()
            self.test_segwit_transaction_block()
            self.test_invalidate_reconsider()
            self.test_bind_failure()
        finally:
            for sub in getattr(self, "subs", {}).values():
                sub.socket.close()
            self.context.term()

    def test_getzmqnotifications(self):
        self.log.info("getzmqnotifications lists every notifier, in type order")
        expected = [
            {"type": "pubhashblock", "address": self.address_a, "hwm": 1000},
            {"type": "pubhashblock", "address": self.address_b, "hwm": 1000},
            {"type": "pubhashtx", "address": self.address_a, "hwm": 1000},
            {"type": "pubrawblock", "address": self.address_a, "hwm": 1000},
            {"type": "pubrawtx", "address": self.address_a, "hwm": 500},
            {"type": "pubsequence", "address": self.address_a, "hwm": 2000},
            {"type": "pubsequence", "address": self.address_b, "hwm": 2000},
        ]
        assert_equal(self.node.getzmqnotifications(), expected)
        assert_equal(self.nodes[1].getzmqnotifications(), [])

    def subscribe(self):
        self.log.info("Subscribe to all topics, and wait until every subscription is live")
        self.subs = {topic: Subscriber(self.context, self.address_a, topic) for topic in TOPICS}
        self.subs["sequence_b"] = Subscriber(self.context, self.address_b, "sequence")
        self.subs["hashblock_b"] = Subscriber(self.context, self.address_b, "hashblock")
        # A PUB socket drops messages until it has seen the subscription: mine
        # until every subscriber hears about a block, then drain what is left.
        time.sleep(0.5)
        for _ in range(30):
            self.generate(self.node, 1)
            pending = [s for s in self.subs.values() if s.try_receive(1000) is None]
            if not pending:
                break
        else:
            raise AssertionError("subscribers never became ready")
        for sub in self.subs.values():
            while sub.try_receive(200) is not None:
                pass
        self.assert_all_quiet()

    def check_connected_block(self, block_hash, tip=True):
        """Messages for one block connected (tip: it became the tip on its own)."""
        raw = self.node.getblock(block_hash, 0)
        block = from_hex(Block(), raw)
        assert_equal(block.hash, block_hash)
        for tx in block.vtx:
            assert_equal(self.subs["hashtx"].receive().hex(), tx.txid)
            assert_equal(self.subs["rawtx"].receive().hex(), tx.serialize().hex())
        for name in ("sequence", "sequence_b"):
            body = self.subs[name].receive()
            assert_equal(len(body), 33)
            assert_equal(body[:32].hex(), block_hash)
            assert_equal(body[32:], b"C")
        if tip:
            for name in ("hashblock", "hashblock_b"):
                assert_equal(self.subs[name].receive().hex(), block_hash)
            assert_equal(self.subs["rawblock"].receive().hex(), raw)
        return block

    def check_disconnected_block(self, block_hash):
        """Messages for one block disconnected: its transactions again, then 'D'."""
        block = from_hex(Block(), self.node.getblock(block_hash, 0))
        for tx in block.vtx:
            assert_equal(self.subs["hashtx"].receive().hex(), tx.txid)
            assert_equal(self.subs["rawtx"].receive().hex(), tx.serialize().hex())
        for name in ("sequence", "sequence_b"):
            body = self.subs[name].receive()
            assert_equal(body.hex(), block_hash + b"D".hex())

    def check_readded_to_mempool(self, block_hash):
        """A disconnected block's transactions re-enter the mempool: hashtx,
        rawtx and sequence 'A' with the 8-byte mempool sequence number."""
        block = from_hex(Block(), self.node.getblock(block_hash, 0))
        for tx in block.vtx[1:]:
            assert_equal(self.subs["hashtx"].receive().hex(), tx.txid)
            assert_equal(self.subs["rawtx"].receive().hex(), tx.serialize().hex())
            for name in ("sequence", "sequence_b"):
                body = self.subs[name].receive()
                assert_equal(len(body), 41)
                assert_equal(body[:33].hex(), tx.txid + b"A".hex())
            assert tx.txid in self.node.getrawmempool()

    def assert_all_quiet(self, timeout_ms=300):
        """No subscriber has anything left (one wait for all of them)."""
        import zmq
        poller = zmq.Poller()
        for sub in self.subs.values():
            poller.register(sub.socket, zmq.POLLIN)
        ready = dict(poller.poll(timeout_ms))
        for name, sub in self.subs.items():
            assert sub.socket not in ready, f"unexpected message for {name}: {sub.receive().hex()}"

    def test_generate(self):
        self.log.info("generatetoaddress: hashblock, rawblock, hashtx, rawtx, sequence 'C' per block")
        hashes = self.generate(self.node, 3)
        for h in hashes:
            block = self.check_connected_block(h)
            assert_equal(len(block.vtx), 1)
        assert_equal(self.node.getbestblockhash(), hashes[-1])
        self.assert_all_quiet()

    def test_segwit_transaction_block(self):
        self.log.info("A block with a segwit spend: rawtx carries the witness, hashtx the txid")
        acs = AnyoneCanSpend(self.node)
        tx = acs.create_self_transfer()
        block_hash = acs.mine([tx["hex"]])
        block = self.check_connected_block(block_hash)
        assert_equal(len(block.vtx), 2)
        assert_equal(block.vtx[1].txid, tx["txid"])
        assert_equal(block.vtx[1].serialize().hex(), tx["hex"])
        assert tx["txid"] != tx["wtxid"]
        self.assert_all_quiet()
        self.spend_block = block_hash

    def test_invalidate_reconsider(self):
        self.log.info("invalidateblock: the block's transactions again, then sequence 'D'; no hashblock")
        tip = self.node.getbestblockhash()
        assert_equal(tip, self.spend_block)
        prev = self.node.getblockheader(tip)["previousblockhash"]
        self.node.invalidateblock(tip)
        assert_equal(self.node.getbestblockhash(), prev)
        self.check_disconnected_block(tip)
        self.check_readded_to_mempool(tip)
        self.assert_all_quiet()

        self.log.info("reconsiderblock: connected again, and it is the tip again")
        self.node.reconsiderblock(tip)
        assert_equal(self.node.getbestblockhash(), tip)
        self.check_connected_block(tip)
        self.assert_all_quiet()

        self.log.info("A reorg: two blocks invalidated ('D' tip first), a one-block branch mined, then the")
        self.log.info("old branch reconsidered: 'D' for the branch, 'C' twice, hashblock/rawblock for the new tip only")
        old_tip = self.node.getbestblockhash()
        old_prev = self.node.getblockheader(old_tip)["previousblockhash"]
        fork = self.node.getblockheader(old_prev)["previousblockhash"]
        self.node.invalidateblock(old_prev)
        assert_equal(self.node.getbestblockhash(), fork)
        for h in (old_tip, old_prev):
            self.check_disconnected_block(h)
        self.check_readded_to_mempool(old_tip)
        self.assert_all_quiet()
        # Paid elsewhere, so the branch block never equals the invalidated one.
        (branch,) = self.node.generatetoaddress(1, witness_script_to_p2wsh_address(b"\x52"))
        self.check_connected_block(branch)
        self.assert_all_quiet()
        self.node.reconsiderblock(old_prev)
        assert_equal(self.node.getbestblockhash(), old_tip)
        self.check_disconnected_block(branch)
        self.check_connected_block(old_prev, tip=False)
        self.check_connected_block(old_tip, tip=True)
        self.assert_all_quiet()

        self.log.info("Counters: every notifier counted each of its messages once")
        for name, sub in self.subs.items():
            assert sub.next_sequence is not None and sub.next_sequence > 0, name

    def test_bind_failure(self):
        self.log.info("An address that cannot be bound: logged, the node runs on without notifications")
        with self.nodes[1].assert_debug_log(["ZMQ notifications could not start", "tcp://256.0.0.1:1"]):
            self.restart_node(1, ["-zmqpubhashblock=tcp://256.0.0.1:1"])
        assert_equal(self.nodes[1].getzmqnotifications(), [])
        self.generate(self.nodes[1], 1)


if __name__ == "__main__":
    ZMQTest().main()
