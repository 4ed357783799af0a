"""Bitcoin data structures in Python: transactions and blocks with their wire
serialization (BIP144 witness encoding included), hashes and merkle roots.

Hashes are kept as Python ints (uint256, little-endian on the wire) or as
hex strings in display order (what RPC shows), never mixed silently:
`txid`/`hash` properties return display-order hex. Names follow the usual
ones (`Transaction`, `TxIn`, `TxOut`, `OutPoint`, `Block`, `BlockHeader`),
with the C-prefixed aliases older test code uses (`CTransaction`, ...).
"""
import copy
import hashlib
import struct
from io import BytesIO

COIN = 100_000_000
MAX_MONEY = 21_000_000 * COIN
WITNESS_SCALE_FACTOR = 4
MAX_BLOCK_WEIGHT = 4_000_000
SEQUENCE_FINAL = 0xFFFFFFFF
WITNESS_COMMITMENT_HEADER = b"\xaa\x21\xa9\xed"


# --- hashes -----------------------------------------------------------------

def sha256(data):
    return hashlib.sha256(data).digest()


def hash256(data):
    """Double SHA-256, raw bytes (internal order)."""
    return sha256(sha256(data))


def ripemd160(data):
    return hashlib.new("ripemd160", data).digest()


def hash160(data):
    return ripemd160(sha256(data))


def uint256_from_bytes(b):
    """Internal-order 32 bytes -> int."""
    return int.from_bytes(b[:32], "little")


def uint256_to_bytes(u):
    return u.to_bytes(32, "little")


def uint256_from_hex(h):
    """Display-order hex (as RPC shows) -> int."""
    return int(h, 16)


def uint256_to_hex(u):
    return f"{u:064x}"


def hash_to_hex(b):
    """Internal-order hash bytes -> display-order hex."""
    return b[::-1].hex()


def hex_to_hash(h):
    """Display-order hex -> internal-order bytes."""
    return bytes.fromhex(h)[::-1]


# --- primitive serialization --------------------------------------------------

def ser_compact_size(n):
    if n < 0xFD:
        return struct.pack("<B", n)
    if n <= 0xFFFF:
        return b"\xfd" + struct.pack("<H", n)
    if n <= 0xFFFFFFFF:
        return b"\xfe" + struct.pack("<I", n)
    return b"\xff" + struct.pack("<Q", n)


def _read(f, n):
    data = f.read(n)
    if len(data) != n:
        raise ValueError("unexpected end of data")
    return data


def deser_compact_size(f):
    n = _read(f, 1)[0]
    if n == 0xFD:
        n = struct.unpack("<H", _read(f, 2))[0]
    elif n == 0xFE:
        n = struct.unpack("<I", _read(f, 4))[0]
    elif n == 0xFF:
        n = struct.unpack("<Q", _read(f, 8))[0]
    return n


def ser_string(b):
    return ser_compact_size(len(b)) + bytes(b)


def deser_string(f):
    return _read(f, deser_compact_size(f))


def ser_uint256(u):
    return uint256_to_bytes(u)


def deser_uint256(f):
    return uint256_from_bytes(_read(f, 32))


def ser_vector(items):
    return ser_compact_size(len(items)) + b"".join(item.serialize() for item in items)


def deser_vector(f, cls):
    return [cls.deserialize(f) for _ in range(deser_compact_size(f))]


def ser_string_vector(items):
    return ser_compact_size(len(items)) + b"".join(ser_string(i) for i in items)


def deser_string_vector(f):
    return [deser_string(f) for _ in range(deser_compact_size(f))]


def _stream(data):
    if isinstance(data, str):
        data = bytes.fromhex(data)
    return BytesIO(data) if isinstance(data, (bytes, bytearray)) else data


def from_hex(obj, hex_string):
    """Fills obj (an instance) from hex, checks nothing is left over, returns obj.

    Also accepts a class: from_hex(Transaction, "02000000...")."""
    if isinstance(obj, type):
        obj = obj()
    f = BytesIO(bytes.fromhex(hex_string))
    obj.deserialize_into(f)
    if f.read(1):
        raise ValueError(f"extra data after {type(obj).__name__}")
    return obj


def serialize(obj):
    return obj.serialize()


def to_hex(obj):
    return obj.serialize().hex()


# --- transactions -------------------------------------------------------------

class _Struct:
    @classmethod
    def deserialize(cls, f):
        obj = cls()
        obj.deserialize_into(_stream(f))
        return obj

    def __eq__(self, other):
        return type(self) is type(other) and self.serialize() == other.serialize()

    def __hash__(self):
        return hash(self.serialize())


class OutPoint(_Struct):
    def __init__(self, hash=0, n=0):
        if isinstance(hash, str):
            hash = uint256_from_hex(hash)
        self.hash = hash  # txid as int
        self.n = n

    def deserialize_into(self, f):
        self.hash = deser_uint256(f)
        self.n = struct.unpack("<I", _read(f, 4))[0]

    def serialize(self):
        return ser_uint256(self.hash) + struct.pack("<I", self.n)

    @property
    def txid(self):
        return uint256_to_hex(self.hash)

    def is_null(self):
        return self.hash == 0 and self.n == 0xFFFFFFFF

    def __repr__(self):
        return f"OutPoint({self.txid}:{self.n})"


class TxIn(_Struct):
    def __init__(self, outpoint=None, script_sig=b"", sequence=SEQUENCE_FINAL):
        self.prevout = outpoint if outpoint is not None else OutPoint()
        self.script_sig = bytes(script_sig)
        self.sequence = sequence

    def deserialize_into(self, f):
        self.prevout = OutPoint.deserialize(f)
        self.script_sig = deser_string(f)
        self.sequence = struct.unpack("<I", _read(f, 4))[0]

    def serialize(self):
        return self.prevout.serialize() + ser_string(self.script_sig) + struct.pack("<I", self.sequence)

    # Older spelling
    scriptSig = property(lambda self: self.script_sig, lambda self, v: setattr(self, "script_sig", bytes(v)))
    nSequence = property(lambda self: self.sequence, lambda self, v: setattr(self, "sequence", v))

    def __repr__(self):
        return f"TxIn({self.prevout!r}, {self.script_sig.hex()}, {self.sequence:#x})"


class TxOut(_Struct):
    def __init__(self, value=0, script_pubkey=b""):
        self.value = value  # satoshis
        self.script_pubkey = bytes(script_pubkey)

    def deserialize_into(self, f):
        self.value = struct.unpack("<q", _read(f, 8))[0]
        self.script_pubkey = deser_string(f)

    def serialize(self):
        return struct.pack("<q", self.value) + ser_string(self.script_pubkey)

    nValue = property(lambda self: self.value, lambda self, v: setattr(self, "value", v))
    scriptPubKey = property(lambda self: self.script_pubkey, lambda self, v: setattr(self, "script_pubkey", bytes(v)))

    def __repr__(self):
        return f"TxOut({self.value}, {self.script_pubkey.hex()})"


class TxInWitness(_Struct):
    """The witness stack of one input: a list of byte strings."""

    def __init__(self, stack=None):
        self.stack = list(stack or [])

    def deserialize_into(self, f):
        self.stack = deser_string_vector(f)

    def serialize(self):
        return ser_string_vector(self.stack)

    def is_null(self):
        return not self.stack

    scriptWitness = property(lambda self: self)


class Transaction(_Struct):
    def __init__(self, version=2, vin=None, vout=None, locktime=0, witnesses=None):
        self.version = version
        self.vin = list(vin or [])
        self.vout = list(vout or [])
        self.locktime = locktime
        # One TxInWitness per input (filled with empty stacks as needed).
        self.wit = list(witnesses or [])

    def deserialize_into(self, f):
        self.version = struct.unpack("<i", _read(f, 4))[0]
        self.vin = deser_vector(f, TxIn)
        flags = 0
        if not self.vin:
            flags = _read(f, 1)[0]
            if flags != 0:
                self.vin = deser_vector(f, TxIn)
                self.vout = deser_vector(f, TxOut)
            else:
                self.vout = []
        else:
            self.vout = deser_vector(f, TxOut)
        self.wit = []
        if flags & 1:
            self.wit = [TxInWitness.deserialize(f) for _ in self.vin]
            flags ^= 1
            if all(w.is_null() for w in self.wit):
                raise ValueError("superfluous witness record")
        if flags:
            raise ValueError("unknown transaction optional data")
        self.locktime = struct.unpack("<I", _read(f, 4))[0]

    def has_witness(self):
        return any(not w.is_null() for w in self.wit)

    def serialize_without_witness(self):
        return (struct.pack("<i", self.version) + ser_vector(self.vin) + ser_vector(self.vout)
                + struct.pack("<I", self.locktime))

    def serialize_with_witness(self):
        if not self.has_witness():
            return self.serialize_without_witness()
        wit = list(self.wit) + [TxInWitness() for _ in range(len(self.vin) - len(self.wit))]
        return (struct.pack("<i", self.version) + b"\x00\x01" + ser_vector(self.vin) + ser_vector(self.vout)
                + b"".join(w.serialize() for w in wit[:len(self.vin)]) + struct.pack("<I", self.locktime))

    def serialize(self):
        return self.serialize_with_witness()

    @property
    def txid(self):
        return hash_to_hex(hash256(self.serialize_without_witness()))

    @property
    def wtxid(self):
        return hash_to_hex(hash256(self.serialize_with_witness()))

    # int forms, as block code needs them
    @property
    def txid_int(self):
        return uint256_from_bytes(hash256(self.serialize_without_witness()))

    @property
    def wtxid_int(self):
        return uint256_from_bytes(hash256(self.serialize_with_witness()))

    def rehash(self):
        """Compatibility: hashes are computed on demand; returns the txid."""
        return self.txid

    @property
    def hash(self):
        return self.txid

    def is_coinbase(self):
        return len(self.vin) == 1 and self.vin[0].prevout.is_null()

    def get_weight(self):
        base = len(self.serialize_without_witness())
        total = len(self.serialize_with_witness())
        return base * (WITNESS_SCALE_FACTOR - 1) + total

    def get_vsize(self):
        return (self.get_weight() + WITNESS_SCALE_FACTOR - 1) // WITNESS_SCALE_FACTOR

    nVersion = property(lambda self: self.version, lambda self, v: setattr(self, "version", v))
    nLockTime = property(lambda self: self.locktime, lambda self, v: setattr(self, "locktime", v))

    def copy(self):
        return copy.deepcopy(self)

    def __repr__(self):
        return f"Transaction(version={self.version}, vin={self.vin!r}, vout={self.vout!r}, locktime={self.locktime})"


# --- blocks -------------------------------------------------------------------

class BlockHeader(_Struct):
    def __init__(self, version=4, prev=0, merkle_root=0, time=0, bits=0x207FFFFF, nonce=0):
        self.version = version
        self.prev = prev if not isinstance(prev, str) else uint256_from_hex(prev)
        self.merkle_root = merkle_root
        self.time = time
        self.bits = bits
        self.nonce = nonce

    def deserialize_into(self, f):
        self.version = struct.unpack("<i", _read(f, 4))[0]
        self.prev = deser_uint256(f)
        self.merkle_root = deser_uint256(f)
        self.time, self.bits, self.nonce = struct.unpack("<III", _read(f, 12))

    def serialize_header(self):
        return (struct.pack("<i", self.version) + ser_uint256(self.prev) + ser_uint256(self.merkle_root)
                + struct.pack("<III", self.time, self.bits, self.nonce))

    def serialize(self):
        return self.serialize_header()

    @property
    def hash(self):
        """Display-order hex of the block hash."""
        return hash_to_hex(hash256(self.serialize_header()))

    @property
    def hash_int(self):
        return uint256_from_bytes(hash256(self.serialize_header()))

    sha256 = hash_int

    def target(self):
        exponent = self.bits >> 24
        mantissa = self.bits & 0x007FFFFF
        return mantissa << (8 * (exponent - 3)) if exponent >= 3 else mantissa >> (8 * (3 - exponent))

    def solve(self):
        """Grinds the nonce until the hash meets the target (fast on regtest)."""
        target = self.target()
        while self.hash_int > target:
            self.nonce += 1

    hashPrevBlock = property(lambda self: self.prev, lambda self, v: setattr(self, "prev", v))
    hashMerkleRoot = property(lambda self: self.merkle_root, lambda self, v: setattr(self, "merkle_root", v))
    nTime = property(lambda self: self.time, lambda self, v: setattr(self, "time", v))
    nBits = property(lambda self: self.bits, lambda self, v: setattr(self, "bits", v))
    nNonce = property(lambda self: self.nonce, lambda self, v: setattr(self, "nonce", v))
    nVersion = property(lambda self: self.version, lambda self, v: setattr(self, "version", v))


def merkle_root(hashes):
    """Merkle root of internal-order 32-byte hashes (Bitcoin's duplicate-last rule)."""
    if not hashes:
        return b"\x00" * 32
    level = list(hashes)
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [hash256(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


class Block(BlockHeader):
    def __init__(self, header=None, vtx=None):
        super().__init__()
        if header is not None:
            self.version, self.prev, self.merkle_root = header.version, header.prev, header.merkle_root
            self.time, self.bits, self.nonce = header.time, header.bits, header.nonce
        self.vtx = list(vtx or [])

    def deserialize_into(self, f):
        super().deserialize_into(f)
        self.vtx = deser_vector(f, Transaction)

    def serialize(self, with_witness=True):
        txs = b"".join(tx.serialize_with_witness() if with_witness else tx.serialize_without_witness()
                       for tx in self.vtx)
        return self.serialize_header() + ser_compact_size(len(self.vtx)) + txs

    def serialize_without_witness(self):
        return self.serialize(with_witness=False)

    def header(self):
        return BlockHeader(self.version, self.prev, self.merkle_root, self.time, self.bits, self.nonce)

    def calc_merkle_root(self):
        return uint256_from_bytes(merkle_root([hash256(tx.serialize_without_witness()) for tx in self.vtx]))

    def calc_witness_merkle_root(self):
        # The coinbase's wtxid counts as zero.
        leaves = [b"\x00" * 32] + [hash256(tx.serialize_with_witness()) for tx in self.vtx[1:]]
        return merkle_root(leaves)

    def get_weight(self):
        return len(self.serialize(False)) * (WITNESS_SCALE_FACTOR - 1) + len(self.serialize(True))

    def witness_commitment(self):
        """The commitment bytes the coinbase output must carry (BIP141), with a zero reserved value."""
        return hash256(self.calc_witness_merkle_root() + b"\x00" * 32)

    def add_witness_commitment(self):
        """Adds (or replaces) the coinbase's witness commitment output and reserved value."""
        coinbase = self.vtx[0]
        coinbase.vout = [o for o in coinbase.vout if not o.script_pubkey.startswith(b"\x6a\x24" + WITNESS_COMMITMENT_HEADER)]
        coinbase.wit = [TxInWitness([b"\x00" * 32])]
        coinbase.vout.append(TxOut(0, b"\x6a\x24" + WITNESS_COMMITMENT_HEADER + self.witness_commitment()))
        self.merkle_root = self.calc_merkle_root()

    def is_valid_merkle(self):
        return self.merkle_root == self.calc_merkle_root()


# Older names
COutPoint = OutPoint
CTxIn = TxIn
CTxOut = TxOut
CTxInWitness = TxInWitness
CTransaction = Transaction
CBlockHeader = BlockHeader
CBlock = Block


def tx_from_hex(hex_string):
    return from_hex(Transaction(), hex_string)


def block_from_hex(hex_string):
    return from_hex(Block(), hex_string)


# --- P2P messages ---------------------------------------------------------------
# One class per message type: `msgtype` (bytes, the header's command),
# serialize() -> payload bytes, deserialize(f) fills the object from a stream.
# msg_generic carries any type and payload untouched (unknown commands,
# malformed payloads on purpose). The framing (magic, checksum) is p2p.py's.

MAGIC_BYTES = {
    "main": b"\xf9\xbe\xb4\xd9",
    "test": b"\x0b\x11\x09\x07",
    "testnet4": b"\x1c\x16\x3f\x28",
    "signet": b"\x0a\x03\xcf\x40",
    "regtest": b"\xfa\xbf\xb5\xda",
}
P2P_PROTOCOL_VERSION = 70016
MIN_PEER_PROTO_VERSION = 31800
MAX_PROTOCOL_MESSAGE_LENGTH = 4_000_000
MAX_HEADERS_RESULTS = 2000
MAX_INV_SZ = 50000
MAX_ADDR_TO_SEND = 1000
MAX_LOCATOR_SZ = 101
MAX_SUBVERSION_LENGTH = 256
P2P_USER_AGENT = "/python-p2p-peer:0.1/"

NODE_NONE = 0
NODE_NETWORK = 1 << 0
NODE_BLOOM = 1 << 2
NODE_WITNESS = 1 << 3
NODE_COMPACT_FILTERS = 1 << 6
NODE_NETWORK_LIMITED = 1 << 10
NODE_P2P_V2 = 1 << 11

MSG_TX = 1
MSG_BLOCK = 2
MSG_FILTERED_BLOCK = 3
MSG_CMPCT_BLOCK = 4
MSG_WTX = 5
MSG_WITNESS_FLAG = 1 << 30
MSG_WITNESS_TX = MSG_TX | MSG_WITNESS_FLAG
MSG_WITNESS_BLOCK = MSG_BLOCK | MSG_WITNESS_FLAG

# BIP155 network ids and address lengths
NET_IPV4, NET_IPV6, NET_TORV2, NET_TORV3, NET_I2P, NET_CJDNS = 1, 2, 3, 4, 5, 6
ADDRV2_LENGTHS = {NET_IPV4: 4, NET_IPV6: 16, NET_TORV2: 10, NET_TORV3: 32, NET_I2P: 32, NET_CJDNS: 16}
IPV4_MAPPED_PREFIX = b"\x00" * 10 + b"\xff\xff"


def _u8(f):
    return _read(f, 1)[0]


def _unpack(fmt, f):
    return struct.unpack(fmt, _read(f, struct.calcsize(fmt)))[0]


class CAddress(_Struct):
    """A network address: v1 (addr, version) or v2 (addrv2, BIP155) form.

    `net` is a BIP155 network id and `addr` its raw bytes; `ip` is the text
    form for IPv4/IPv6. `time` is omitted inside `version` messages."""

    def __init__(self, ip="0.0.0.0", port=0, services=NODE_NONE, time=0, net=None, addr=None):
        self.time = time
        self.services = services
        self.port = port
        if addr is not None:
            self.net, self.addr = net, bytes(addr)
        else:
            self.ip = ip

    @property
    def ip(self):
        import ipaddress
        if self.net == NET_IPV4:
            return str(ipaddress.IPv4Address(self.addr))
        if self.net in (NET_IPV6, NET_CJDNS):
            return str(ipaddress.IPv6Address(self.addr))
        return self.addr.hex()

    @ip.setter
    def ip(self, text):
        import ipaddress
        a = ipaddress.ip_address(text)
        if a.version == 4:
            self.net, self.addr = NET_IPV4, a.packed
        elif a.packed.startswith(IPV4_MAPPED_PREFIX):
            self.net, self.addr = NET_IPV4, a.packed[12:]
        else:
            self.net, self.addr = NET_IPV6, a.packed

    def _ip16(self):
        if self.net == NET_IPV4:
            return IPV4_MAPPED_PREFIX + self.addr
        if self.net == NET_IPV6:
            return self.addr
        raise ValueError(f"network {self.net} has no v1 (16-byte) form")

    def serialize(self, with_time=True):
        return ((struct.pack("<I", self.time) if with_time else b"") + struct.pack("<Q", self.services)
                + self._ip16() + struct.pack(">H", self.port))

    def deserialize_into(self, f, with_time=True):
        self.time = _unpack("<I", f) if with_time else 0
        self.services = _unpack("<Q", f)
        raw = _read(f, 16)
        if raw.startswith(IPV4_MAPPED_PREFIX):
            self.net, self.addr = NET_IPV4, raw[12:]
        else:
            self.net, self.addr = NET_IPV6, raw
        self.port = _unpack(">H", f)

    def serialize_v2(self):
        return (struct.pack("<I", self.time) + ser_compact_size(self.services) + bytes([self.net])
                + ser_string(self.addr) + struct.pack(">H", self.port))

    def deserialize_v2_into(self, f):
        self.time = _unpack("<I", f)
        self.services = deser_compact_size(f)
        self.net = _u8(f)
        self.addr = deser_string(f)
        if self.net in ADDRV2_LENGTHS and len(self.addr) != ADDRV2_LENGTHS[self.net]:
            raise ValueError(f"BIP155 network {self.net} with {len(self.addr)}-byte address")
        self.port = _unpack(">H", f)

    @classmethod
    def deserialize_v2(cls, f):
        obj = cls()
        obj.deserialize_v2_into(_stream(f))
        return obj

    def __eq__(self, other):
        return (isinstance(other, CAddress) and (self.time, self.services, self.net, self.addr, self.port)
                == (other.time, other.services, other.net, other.addr, other.port))

    def __hash__(self):
        return hash((self.time, self.services, self.net, self.addr, self.port))

    def __repr__(self):
        return f"CAddress({self.ip}:{self.port}, net={self.net}, services={self.services:#x}, time={self.time})"


class CInv(_Struct):
    TYPE_NAMES = {0: "Error", MSG_TX: "TX", MSG_BLOCK: "Block", MSG_FILTERED_BLOCK: "FilteredBlock",
                  MSG_CMPCT_BLOCK: "CompactBlock", MSG_WTX: "WTX", MSG_WITNESS_TX: "WitnessTx",
                  MSG_WITNESS_BLOCK: "WitnessBlock"}

    def __init__(self, t=0, h=0):
        self.type = t
        self.hash = uint256_from_hex(h) if isinstance(h, str) else h

    def serialize(self):
        return struct.pack("<I", self.type) + ser_uint256(self.hash)

    def deserialize_into(self, f):
        self.type = _unpack("<I", f)
        self.hash = deser_uint256(f)

    def __repr__(self):
        return f"CInv({self.TYPE_NAMES.get(self.type, self.type)}, {self.hash:064x})"


class CBlockLocator(_Struct):
    def __init__(self, have=None, version=0):
        self.version = version  # ignored by nodes
        self.have = [uint256_from_hex(h) if isinstance(h, str) else h for h in (have or [])]

    vHave = property(lambda self: self.have, lambda self, v: setattr(self, "have", v))

    def serialize(self):
        return (struct.pack("<i", self.version) + ser_compact_size(len(self.have))
                + b"".join(ser_uint256(h) for h in self.have))

    def deserialize_into(self, f):
        self.version = _unpack("<i", f)
        self.have = [deser_uint256(f) for _ in range(deser_compact_size(f))]


class _Message:
    msgtype = b""

    def serialize(self):
        return b""

    def deserialize(self, f):
        pass

    @classmethod
    def from_payload(cls, payload):
        obj = cls()
        obj.deserialize(BytesIO(payload))
        return obj

    def __repr__(self):
        return f"{type(self).__name__}()"


class msg_version(_Message):
    msgtype = b"version"

    def __init__(self):
        self.version = P2P_PROTOCOL_VERSION
        self.services = NODE_NETWORK | NODE_WITNESS
        self.timestamp = 0
        self.addr_recv = CAddress()
        self.addr_from = CAddress()
        self.nonce = 0
        self.user_agent = P2P_USER_AGENT
        self.start_height = -1
        self.relay = 1

    nVersion = property(lambda self: self.version, lambda self, v: setattr(self, "version", v))
    nServices = property(lambda self: self.services, lambda self, v: setattr(self, "services", v))
    strSubVer = property(lambda self: self.user_agent, lambda self, v: setattr(self, "user_agent", v))
    nStartingHeight = property(lambda self: self.start_height, lambda self, v: setattr(self, "start_height", v))

    def serialize(self):
        ua = self.user_agent.encode() if isinstance(self.user_agent, str) else self.user_agent
        return (struct.pack("<iQq", self.version, self.services, self.timestamp)
                + self.addr_recv.serialize(with_time=False) + self.addr_from.serialize(with_time=False)
                + struct.pack("<Q", self.nonce) + ser_string(ua) + struct.pack("<i", self.start_height)
                + struct.pack("<?", bool(self.relay)))

    def deserialize(self, f):
        self.version, self.services, self.timestamp = struct.unpack("<iQq", _read(f, 20))
        self.addr_recv = CAddress()
        self.addr_recv.deserialize_into(f, with_time=False)
        self.addr_from = CAddress()
        self.addr_from.deserialize_into(f, with_time=False)
        self.nonce = _unpack("<Q", f)
        self.user_agent = deser_string(f).decode("utf8", "replace")
        self.start_height = _unpack("<i", f)
        rest = f.read(1)
        self.relay = rest[0] if rest else 1

    def __repr__(self):
        return (f"msg_version(version={self.version}, services={self.services:#x}, time={self.timestamp}, "
                f"nonce={self.nonce:#x}, ua={self.user_agent!r}, height={self.start_height}, relay={self.relay})")


class _Empty(_Message):
    pass


class msg_verack(_Empty):
    msgtype = b"verack"


class msg_sendaddrv2(_Empty):
    msgtype = b"sendaddrv2"


class msg_getaddr(_Empty):
    msgtype = b"getaddr"


class msg_sendheaders(_Empty):
    msgtype = b"sendheaders"


class msg_wtxidrelay(_Empty):
    msgtype = b"wtxidrelay"


class msg_mempool(_Empty):
    msgtype = b"mempool"


class _Nonce(_Message):
    def __init__(self, nonce=0):
        self.nonce = nonce

    def serialize(self):
        return struct.pack("<Q", self.nonce)

    def deserialize(self, f):
        self.nonce = _unpack("<Q", f)

    def __repr__(self):
        return f"{type(self).__name__}(nonce={self.nonce:#x})"


class msg_ping(_Nonce):
    msgtype = b"ping"


class msg_pong(_Nonce):
    msgtype = b"pong"


class msg_addr(_Message):
    msgtype = b"addr"

    def __init__(self, addrs=None):
        self.addrs = list(addrs or [])

    def serialize(self):
        return ser_vector(self.addrs)

    def deserialize(self, f):
        self.addrs = deser_vector(f, CAddress)

    def __repr__(self):
        return f"msg_addr({len(self.addrs)} addresses)"


class msg_addrv2(msg_addr):
    msgtype = b"addrv2"

    def serialize(self):
        return ser_compact_size(len(self.addrs)) + b"".join(a.serialize_v2() for a in self.addrs)

    def deserialize(self, f):
        self.addrs = [CAddress.deserialize_v2(f) for _ in range(deser_compact_size(f))]

    def __repr__(self):
        return f"msg_addrv2({len(self.addrs)} addresses)"


class msg_inv(_Message):
    msgtype = b"inv"

    def __init__(self, inv=None):
        self.inv = list(inv or [])

    def serialize(self):
        return ser_vector(self.inv)

    def deserialize(self, f):
        self.inv = deser_vector(f, CInv)

    def __repr__(self):
        return f"{type(self).__name__}({self.inv!r})"


class msg_getdata(msg_inv):
    msgtype = b"getdata"


class msg_notfound(msg_inv):
    msgtype = b"notfound"

    vec = property(lambda self: self.inv, lambda self, v: setattr(self, "inv", v))


class msg_getheaders(_Message):
    msgtype = b"getheaders"

    def __init__(self, locator=None, hashstop=0):
        self.locator = locator if locator is not None else CBlockLocator()
        self.hashstop = hashstop

    def serialize(self):
        return self.locator.serialize() + ser_uint256(self.hashstop)

    def deserialize(self, f):
        self.locator = CBlockLocator.deserialize(f)
        self.hashstop = deser_uint256(f)

    def __repr__(self):
        return f"{type(self).__name__}({len(self.locator.have)} locator hashes, stop={self.hashstop:064x})"


class msg_getblocks(msg_getheaders):
    msgtype = b"getblocks"


class msg_headers(_Message):
    """Headers, each followed by a zero transaction count on the wire."""
    msgtype = b"headers"

    def __init__(self, headers=None):
        self.headers = list(headers or [])

    def serialize(self):
        return ser_compact_size(len(self.headers)) + b"".join(
            BlockHeader.serialize_header(h) + b"\x00" for h in self.headers)

    def deserialize(self, f):
        self.headers = []
        for _ in range(deser_compact_size(f)):
            h = BlockHeader.deserialize(f)
            deser_compact_size(f)  # transaction count, 0
            self.headers.append(h)

    def __repr__(self):
        return f"msg_headers({len(self.headers)} headers)"


class msg_block(_Message):
    msgtype = b"block"

    def __init__(self, block=None):
        self.block = block if block is not None else Block()

    def serialize(self):
        return self.block.serialize()

    def deserialize(self, f):
        self.block = Block.deserialize(f)

    def __repr__(self):
        return f"msg_block({self.block.hash})"


class msg_tx(_Message):
    msgtype = b"tx"

    def __init__(self, tx=None):
        self.tx = tx if tx is not None else Transaction()

    def serialize(self):
        return self.tx.serialize()

    def deserialize(self, f):
        self.tx = Transaction.deserialize(f)

    def __repr__(self):
        return f"msg_tx({self.tx.txid})"


class msg_sendcmpct(_Message):
    msgtype = b"sendcmpct"

    def __init__(self, announce=False, version=2):
        self.announce = announce
        self.version = version

    def serialize(self):
        return struct.pack("<?Q", bool(self.announce), self.version)

    def deserialize(self, f):
        self.announce = bool(_u8(f))
        self.version = _unpack("<Q", f)

    def __repr__(self):
        return f"msg_sendcmpct(announce={self.announce}, version={self.version})"


class msg_feefilter(_Message):
    msgtype = b"feefilter"

    def __init__(self, feerate=0):
        self.feerate = feerate  # sat/kvB

    def serialize(self):
        return struct.pack("<q", self.feerate)

    def deserialize(self, f):
        self.feerate = _unpack("<q", f)

    def __repr__(self):
        return f"msg_feefilter({self.feerate})"


class msg_generic(_Message):
    """Any message type with a raw payload (unknown commands, malformed payloads)."""

    def __init__(self, msgtype=b"", data=b""):
        self.msgtype = msgtype.encode() if isinstance(msgtype, str) else msgtype
        self.data = bytes(data)

    def serialize(self):
        return self.data

    def deserialize(self, f):
        self.data = f.read()

    def __repr__(self):
        return f"msg_generic({self.msgtype!r}, {len(self.data)} bytes)"


P2P_MESSAGE_CLASSES = {cls.msgtype: cls for cls in (
    msg_version, msg_verack, msg_ping, msg_pong, msg_addr, msg_addrv2, msg_sendaddrv2, msg_getaddr,
    msg_inv, msg_getdata, msg_notfound, msg_getheaders, msg_headers, msg_getblocks, msg_block, msg_tx,
    msg_sendheaders, msg_sendcmpct, msg_feefilter, msg_wtxidrelay, msg_mempool)}
