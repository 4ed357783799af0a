"""Addresses: bech32/bech32m segwit addresses (BIP173/BIP350) and base58check
(P2PKH/P2SH), with the regtest prefixes by default."""
from .messages import hash160, hash256, sha256

REGTEST_HRP = "bcrt"
REGTEST_P2PKH_VERSION = 111
REGTEST_P2SH_VERSION = 196

BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
BECH32_CONST = 1
BECH32M_CONST = 0x2BC830A3


def _polymod(values):
    generator = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            chk ^= generator[i] if ((top >> i) & 1) else 0
    return chk


def _hrp_expand(hrp):
    return [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]


def _convertbits(data, frombits, tobits, pad=True):
    acc = bits = 0
    out = []
    maxv = (1 << tobits) - 1
    for value in data:
        if value < 0 or value >> frombits:
            return None
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if pad:
        if bits:
            out.append((acc << (tobits - bits)) & maxv)
    elif bits >= frombits or ((acc << (tobits - bits)) & maxv):
        return None
    return out


def bech32_encode(hrp, data, const):
    values = _hrp_expand(hrp) + data
    polymod = _polymod(values + [0] * 6) ^ const
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH32_CHARSET[d] for d in data + checksum)


def bech32_decode(s):
    """-> (hrp, data, const) or (None, None, None)."""
    if any(ord(c) < 33 or ord(c) > 126 for c in s) or (s.lower() != s and s.upper() != s):
        return None, None, None
    s = s.lower()
    pos = s.rfind("1")
    if pos < 1 or pos + 7 > len(s) or len(s) > 90:
        return None, None, None
    if not all(c in BECH32_CHARSET for c in s[pos + 1:]):
        return None, None, None
    hrp = s[:pos]
    data = [BECH32_CHARSET.find(c) for c in s[pos + 1:]]
    const = _polymod(_hrp_expand(hrp) + data)
    if const not in (BECH32_CONST, BECH32M_CONST):
        return None, None, None
    return hrp, data[:-6], const


def encode_segwit_address(hrp, version, program):
    const = BECH32_CONST if version == 0 else BECH32M_CONST
    return bech32_encode(hrp, [version] + _convertbits(program, 8, 5), const)


def decode_segwit_address(hrp, address):
    """-> (version, program bytes) or (None, None)."""
    got_hrp, data, const = bech32_decode(address)
    if got_hrp != hrp or not data:
        return None, None
    program = _convertbits(data[1:], 5, 8, False)
    if program is None or len(program) < 2 or len(program) > 40 or data[0] > 16:
        return None, None
    if data[0] == 0 and len(program) not in (20, 32):
        return None, None
    if (data[0] == 0) != (const == BECH32_CONST):
        return None, None
    return data[0], bytes(program)


B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58_encode(b):
    n = int.from_bytes(b, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58_ALPHABET[r] + out
    return "1" * (len(b) - len(b.lstrip(b"\x00"))) + out


def base58check_encode(version, payload):
    data = bytes([version]) + payload
    return base58_encode(data + hash256(data)[:4])


def base58check_decode(s):
    n = 0
    for c in s:
        n = n * 58 + B58_ALPHABET.index(c)
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    raw = b"\x00" * (len(s) - len(s.lstrip("1"))) + raw
    data, check = raw[:-4], raw[-4:]
    if hash256(data)[:4] != check:
        raise ValueError("bad base58 checksum")
    return data[0], data[1:]


# --- scripts and addresses ------------------------------------------------------

def witness_script_to_p2wsh_script(witness_script):
    return b"\x00\x20" + sha256(witness_script)


def witness_script_to_p2wsh_address(witness_script, hrp=REGTEST_HRP):
    return encode_segwit_address(hrp, 0, sha256(witness_script))


def pubkey_to_p2wpkh_script(pubkey):
    return b"\x00\x14" + hash160(pubkey)


def pubkey_to_p2wpkh_address(pubkey, hrp=REGTEST_HRP):
    return encode_segwit_address(hrp, 0, hash160(pubkey))


def pubkey_to_p2pkh_script(pubkey):
    return b"\x76\xa9\x14" + hash160(pubkey) + b"\x88\xac"


def pubkey_to_p2pkh_address(pubkey, version=REGTEST_P2PKH_VERSION):
    return base58check_encode(version, hash160(pubkey))


def script_to_p2sh_script(script):
    return b"\xa9\x14" + hash160(script) + b"\x87"


def script_to_p2sh_address(script, version=REGTEST_P2SH_VERSION):
    return base58check_encode(version, hash160(script))


def address_to_script(address, hrp=REGTEST_HRP, p2pkh=REGTEST_P2PKH_VERSION, p2sh=REGTEST_P2SH_VERSION):
    """scriptPubKey bytes of an address."""
    version, program = decode_segwit_address(hrp, address)
    if version is not None:
        return bytes([0x50 + version if version else 0, len(program)]) + program
    ver, payload = base58check_decode(address)
    if ver == p2pkh:
        return b"\x76\xa9\x14" + payload + b"\x88\xac"
    if ver == p2sh:
        return b"\xa9\x14" + payload + b"\x87"
    raise ValueError(f"unknown address {address}")
