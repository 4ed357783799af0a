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
