"""A P2P test peer (asyncio) that speaks the v1 transport to a node.

    peer = node.add_p2p_connection(P2PInterface())          # we connect in (node needs -listen=1)
    peer.send_message(msg_ping(7)); peer.sync_with_ping()
    peer.wait_for_message("pong")
    peer.send_raw(peer.build_message(msg_ping(1))[:-2])     # malformed bytes on purpose
    peer.wait_for_disconnect()
    out = node.add_outbound_p2p_connection(P2PInterface())  # the node connects to us (addnode onetry)

One event loop runs in a background thread (NetworkThread) for every peer of
the test process. Received messages are parsed there and handed to
`on_<msgtype>(message)` callbacks while holding `p2p_lock`; test code reads
`last_message`/`message_count` under the same lock (the wait helpers take it).

P2PConnection: framing (magic, 12-byte command, length, checksum), raw
sends, connect/accept/disconnect. P2PInterface: the handshake (version,
wtxidrelay, sendaddrv2, verack), pong replies, counters and wait helpers.
"""
import asyncio
import logging
import random
import struct
import threading
import time
from collections import defaultdict
from io import BytesIO

from .messages import (MAGIC_BYTES, MAX_PROTOCOL_MESSAGE_LENGTH, P2P_MESSAGE_CLASSES,  # noqa: F401
                       CAddress, NODE_NETWORK, NODE_WITNESS, hash256, msg_generic, msg_getaddr,
                       msg_ping, msg_pong, msg_sendaddrv2, msg_verack, msg_version, msg_wtxidrelay)
from .messages import *  # noqa: F401,F403  (message classes for tests importing from p2p)
from .util import wait_until as _wait_until

logger = logging.getLogger("TestFramework.p2p")

HEADER_SIZE = 24
DEFAULT_TIMEOUT = 60

# Held while callbacks run and while test code reads a peer's state.
p2p_lock = threading.RLock()


def message_checksum(payload):
    return hash256(payload)[:4]


def frame_message(msgtype, payload, magic=MAGIC_BYTES["regtest"]):
    """The v1 wire form: magic, command (NUL-padded to 12), length, checksum, payload."""
    if isinstance(msgtype, str):
        msgtype = msgtype.encode()
    if len(msgtype) > 12:
        raise ValueError(f"message type {msgtype!r} longer than 12 bytes")
    return (magic + msgtype.ljust(12, b"\x00") + struct.pack("<I", len(payload))
            + message_checksum(payload) + payload)


class NetworkThread(threading.Thread):
    """The one asyncio loop of this process (daemon thread, started on first use)."""
    _instance = None
    _start_lock = threading.Lock()

    def __init__(self):
        super().__init__(name="p2p-network", daemon=True)
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()

    def run(self):
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self.ready.set)
        self.loop.run_forever()

    @classmethod
    def get(cls):
        with cls._start_lock:
            if cls._instance is None or not cls._instance.is_alive():
                cls._instance = NetworkThread()
                cls._instance.start()
                cls._instance.ready.wait(10)
            return cls._instance

    @classmethod
    def loop_(cls):
        return cls.get().loop

    @classmethod
    def run_coro(cls, coro, timeout=DEFAULT_TIMEOUT):
        """Runs a coroutine on the network loop from the test thread; returns its result."""
        return asyncio.run_coroutine_threadsafe(coro, cls.loop_()).result(timeout)


class P2PConnection(asyncio.Protocol):
    """One TCP connection carrying framed messages. Subclasses override on_message."""

    def __init__(self):
        self._transport = None
        self._server = None
        self.recvbuf = b""
        self.magic = MAGIC_BYTES["regtest"]
        self.dstaddr = None
        self.dstport = None
        self.timeout_factor = 1.0
        self.connected = threading.Event()
        self.disconnected = threading.Event()
        self.bytes_sent = 0
        self.bytes_recv = 0
        self.parse_errors = []      # (msgtype, error text): payloads we could not decode

    # --- state ------------------------------------------------------------------
    @property
    def is_connected(self):
        return self._transport is not None and not self.disconnected.is_set()

    # --- connecting -------------------------------------------------------------
    def peer_connect(self, dstaddr, dstport, *, net="regtest", timeout_factor=1.0):
        """We open the connection (an inbound peer for the node). Returns once connected."""
        self.magic = MAGIC_BYTES[net]
        self.dstaddr, self.dstport = dstaddr, dstport
        self.timeout_factor = timeout_factor
        self.connected.clear()
        self.disconnected.clear()
        loop = NetworkThread.loop_()

        async def connect():
            await loop.create_connection(lambda: self, host=dstaddr, port=dstport)
        NetworkThread.run_coro(connect(), timeout=DEFAULT_TIMEOUT * timeout_factor)
        return self

    def peer_accept_connection(self, port, addr="127.0.0.1", *, net="regtest", timeout_factor=1.0):
        """Listens on addr:port for one connection from the node (an outbound peer for the node)."""
        self.magic = MAGIC_BYTES[net]
        self.dstaddr, self.dstport = addr, port
        self.timeout_factor = timeout_factor
        self.connected.clear()
        self.disconnected.clear()
        loop = NetworkThread.loop_()

        async def listen():
            self._server = await loop.create_server(lambda: self._accept_once(), host=addr, port=port,
                                                    reuse_address=True)
        NetworkThread.run_coro(listen(), timeout=DEFAULT_TIMEOUT * timeout_factor)
        return self

    def _accept_once(self):
        # Only the first connection is ours; the listening socket closes right after.
        if self._server is not None:
            server, self._server = self._server, None
            # Closed once this connection is set up (closing inside the factory drops it).
            NetworkThread.loop_().call_later(0.5, server.close)
            return self
        return _Refuse()

    def peer_disconnect(self):
        """Closes the connection (from the test thread); does not wait."""
        loop = NetworkThread.loop_()

        def close():
            if self._server is not None:
                self._server.close()
                self._server = None
            if self._transport is not None:
                self._transport.close()
        loop.call_soon_threadsafe(close)

    # --- asyncio.Protocol ---------------------------------------------------------
    def connection_made(self, transport):
        self._transport = transport
        peer = transport.get_extra_info("peername")
        logger.debug(f"p2p: connected to {peer}")
        self.connected.set()
        with p2p_lock:
            self.on_open()

    def connection_lost(self, exc):
        logger.debug(f"p2p: connection to {self.dstaddr}:{self.dstport} closed ({exc})")
        self.disconnected.set()
        self._transport = None
        self.recvbuf = b""
        with p2p_lock:
            self.on_close()

    def data_received(self, data):
        self.bytes_recv += len(data)
        self.recvbuf += data
        while len(self.recvbuf) >= HEADER_SIZE:
            magic = self.recvbuf[:4]
            if magic != self.magic:
                logger.error(f"p2p: wrong magic {magic.hex()} from the node; closing")
                self._transport.close()
                return
            command = self.recvbuf[4:16].rstrip(b"\x00")
            length = struct.unpack("<I", self.recvbuf[16:20])[0]
            checksum = self.recvbuf[20:24]
            if length > MAX_PROTOCOL_MESSAGE_LENGTH:
                logger.error(f"p2p: oversized {command!r} ({length} bytes) from the node; closing")
                self._transport.close()
                return
            if len(self.recvbuf) < HEADER_SIZE + length:
                return
            payload = self.recvbuf[HEADER_SIZE:HEADER_SIZE + length]
            self.recvbuf = self.recvbuf[HEADER_SIZE + length:]
            if message_checksum(payload) != checksum:
                logger.error(f"p2p: bad checksum on {command!r} from the node")
                self.parse_errors.append((command, "bad checksum"))
                continue
            cls = P2P_MESSAGE_CLASSES.get(command)
            try:
                if cls is None:
                    msg = msg_generic(command, payload)
                else:
                    msg = cls()
                    msg.deserialize(BytesIO(payload))
            except Exception as e:
                logger.error(f"p2p: cannot decode {command!r} ({len(payload)} bytes): {e!r}")
                self.parse_errors.append((command, repr(e)))
                msg = msg_generic(command, payload)
            msg.raw_payload = payload
            with p2p_lock:
                try:
                    self.on_message(msg)
                except Exception:
                    logger.exception(f"p2p: error in the handler of {command!r}")
                    raise

    # --- sending --------------------------------------------------------------------
    def build_message(self, message):
        """The framed bytes of a message object (msgtype + serialize())."""
        return frame_message(message.msgtype, message.serialize(), self.magic)

    def send_raw(self, data):
        """Writes bytes as they are (thread safe); raises if not connected."""
        if not self.is_connected:
            raise IOError("p2p: not connected")
        data = bytes(data)
        self.bytes_sent += len(data)
        loop = NetworkThread.loop_()

        def write():
            if self._transport is not None and not self._transport.is_closing():
                self._transport.write(data)
        if threading.current_thread() is NetworkThread.get():
            write()
        else:
            loop.call_soon_threadsafe(write)

    send_raw_message = send_raw

    def send_message(self, message):
        self.send_raw(self.build_message(message))

    def send_without_ping(self, message):
        self.send_message(message)

    # --- overridden -------------------------------------------------------------------
    def on_open(self):
        pass

    def on_close(self):
        pass

    def on_message(self, message):
        pass


class _Refuse(asyncio.Protocol):
    """Closes any further connection to an accept-once listener."""

    def connection_made(self, transport):
        transport.close()


class P2PInterface(P2PConnection):
    """A well-behaved peer: handshake, pong replies, counters and wait helpers.

    send_version=False connects without ever sending `version` (a silent peer).
    Callbacks: on_<msgtype>(message), e.g. on_inv, on_headers, on_addrv2."""

    def __init__(self, *, send_version=True, services=NODE_NETWORK | NODE_WITNESS, wtxidrelay=True,
                 sendaddrv2=True, relay=True, user_agent=None, start_height=-1):
        super().__init__()
        self.send_version = send_version
        self.services = services
        self.wtxidrelay = wtxidrelay
        self.sendaddrv2 = sendaddrv2
        self.relay = relay
        self.user_agent = user_agent
        self.start_height = start_height
        self.nonce = random.getrandbits(64)
        self.message_count = defaultdict(int)
        self.last_message = {}
        self.messages = []          # every message received, in order (msgtype, message)
        self.peer_version = None    # the node's msg_version
        self.ping_counter = 1
        self.version_sent = False

    def peer_connect(self, *args, **kwargs):
        self._reset()
        return super().peer_connect(*args, **kwargs)

    def peer_accept_connection(self, *args, **kwargs):
        self._reset()
        return super().peer_accept_connection(*args, **kwargs)

    def _reset(self):
        with p2p_lock:
            self.message_count.clear()
            self.last_message.clear()
            self.messages.clear()
            self.peer_version = None
            self.version_sent = False

    def version_message(self):
        v = msg_version()
        v.services = self.services
        v.timestamp = int(time.time())
        v.addr_recv = CAddress(self.dstaddr if self.dstaddr and self.dstaddr[0].isdigit() else "127.0.0.1",
                               self.dstport or 0, NODE_NETWORK | NODE_WITNESS)
        v.addr_from = CAddress("0.0.0.0", 0, self.services)
        v.nonce = self.nonce
        if self.user_agent is not None:
            v.user_agent = self.user_agent
        v.start_height = self.start_height
        v.relay = 1 if self.relay else 0
        return v

    def on_open(self):
        if self.send_version:
            self.send_message(self.version_message())
            self.version_sent = True

    def on_message(self, message):
        command = message.msgtype.decode("ascii", "replace")
        self.message_count[command] += 1
        self.last_message[command] = message
        self.messages.append((command, message))
        handler = getattr(self, "on_" + command, None)
        if handler is not None:
            handler(message)

    # --- default handlers -----------------------------------------------------------
    def on_version(self, message):
        self.peer_version = message
        if not self.send_version:
            return  # silent peer: never answers
        if message.version >= 70016 and self.wtxidrelay:
            self.send_message(msg_wtxidrelay())
        if self.sendaddrv2:
            self.send_message(msg_sendaddrv2())
        self.send_message(msg_verack())

    def on_ping(self, message):
        if self.send_version:
            self.send_message(msg_pong(message.nonce))

    # --- waiting ------------------------------------------------------------------
    def wait_until(self, predicate, timeout=DEFAULT_TIMEOUT, check_connected=True, what=None):
        """Polls predicate() under p2p_lock; fails if the connection drops first (check_connected)."""
        def test():
            if check_connected and not self.is_connected:
                raise AssertionError(f"p2p: disconnected while waiting for {what or predicate}")
            return predicate()
        return _wait_until(test, timeout * self.timeout_factor, what=what, lock=p2p_lock)

    def wait_for_connect(self, timeout=DEFAULT_TIMEOUT):
        if not self.connected.wait(timeout * self.timeout_factor):
            raise AssertionError("p2p: no connection")

    def wait_for_disconnect(self, timeout=DEFAULT_TIMEOUT):
        if not self.disconnected.wait(timeout * self.timeout_factor):
            raise AssertionError(f"p2p: still connected after {timeout * self.timeout_factor} s")

    def wait_for_verack(self, timeout=DEFAULT_TIMEOUT):
        self.wait_until(lambda: self.message_count["verack"] > 0, timeout, what="verack")

    def wait_for_message(self, msgtype, timeout=DEFAULT_TIMEOUT, count=1):
        """Waits until `count` messages of msgtype arrived (counted since connecting); returns the last."""
        if isinstance(msgtype, bytes):
            msgtype = msgtype.decode()
        self.wait_until(lambda: self.message_count[msgtype] >= count, timeout, what=f"{count} x {msgtype}")
        with p2p_lock:
            return self.last_message[msgtype]

    def wait_for_new_message(self, msgtype, send=None, timeout=DEFAULT_TIMEOUT):
        """Sends `send` (if given) and waits for one more msgtype message than before."""
        with p2p_lock:
            before = self.message_count[msgtype]
        if send is not None:
            self.send_message(send)
        return self.wait_for_message(msgtype, timeout, before + 1)

    def wait_for_pong(self, nonce, timeout=DEFAULT_TIMEOUT):
        self.wait_until(lambda: any(t == "pong" and m.nonce == nonce for t, m in self.messages), timeout,
                        what=f"pong {nonce}")

    def sync_with_ping(self, timeout=DEFAULT_TIMEOUT):
        """Sends a ping and waits for its pong: the node handled everything sent before."""
        with p2p_lock:
            self.ping_counter += 1
            nonce = self.ping_counter
        self.send_message(msg_ping(nonce))
        self.wait_for_pong(nonce, timeout)

    def sync_send_with_ping(self, timeout=DEFAULT_TIMEOUT):
        self.sync_with_ping(timeout)

    def received(self, msgtype):
        with p2p_lock:
            return [m for t, m in self.messages if t == msgtype]

    def send_and_ping(self, message, timeout=DEFAULT_TIMEOUT):
        self.send_message(message)
        self.sync_with_ping(timeout)

    def send_getaddr(self):
        self.send_message(msg_getaddr())


# --- node helpers (TestNode.add_p2p_connection and friends call these) -----------------

def add_p2p_connection(node, p2p=None, *, wait_for_verack=True, dstaddr="127.0.0.1", dstport=None,
                       net="regtest"):
    """Connects p2p (default P2PInterface()) to node's P2P port; waits for the handshake."""
    p2p = p2p if p2p is not None else P2PInterface()
    p2p.peer_connect(dstaddr, dstport or node.p2p_port, net=net,
                     timeout_factor=getattr(node, "timeout_factor", 1.0))
    node.p2ps.append(p2p)
    if wait_for_verack and getattr(p2p, "send_version", False):
        p2p.wait_for_verack()
        p2p.sync_with_ping()
    return p2p


def add_outbound_p2p_connection(node, p2p=None, port=None, *, wait_for_verack=True, addr="127.0.0.1",
                                net="regtest"):
    """Listens on addr:port and has the node connect to it (`addnode ... onetry`)."""
    from .util import extra_port
    p2p = p2p if p2p is not None else P2PInterface()
    port = port or extra_port(9)
    p2p.peer_accept_connection(port, addr, net=net, timeout_factor=getattr(node, "timeout_factor", 1.0))
    node.addnode(f"{addr}:{port}", "onetry")
    p2p.wait_for_connect()
    node.p2ps.append(p2p)
    if wait_for_verack and getattr(p2p, "send_version", False):
        p2p.wait_for_verack()
        p2p.sync_with_ping()
    return p2p


def disconnect_p2ps(node, wait=True, timeout=DEFAULT_TIMEOUT):
    """Closes every test peer of node and (wait) until the node no longer lists them."""
    peers = list(node.p2ps)
    for p in peers:
        p.peer_disconnect()
    if wait:
        for p in peers:
            p.wait_for_disconnect(timeout)
    node.p2ps = []
