#!/usr/bin/python3
"""getdescriptorinfo and deriveaddresses on regtest: normalized descriptors,
BIP380 checksums (computed here from the BIP's definition), ranges, private
keys, tr() trees, and Bitcoin Core's error messages. Expected scripts are
the BIP381/382/386 test vectors, their keys moved to testnet version bytes."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.address import B58_ALPHABET, REGTEST_HRP, base58_encode, encode_segwit_address  # noqa: E402
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.messages import hash256  # noqa: E402
from test_framework.util import assert_equal, assert_raises_rpc_error  # noqa: E402

# --- BIP380 checksum, from the BIP's definition ---------------------------------------
INPUT_CHARSET = "0123456789()[],'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`#\"\\ "
CHECKSUM_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
GENERATOR = [0xF5DEE51989, 0xA9FDCA3312, 0x1BAB10E32D, 0x3706B1677A, 0x644D626FFD]


def descsum_polymod(symbols):
    chk = 1
    for value in symbols:
        top = chk >> 35
        chk = (chk & 0x7FFFFFFFF) << 5 ^ value
        for i in range(5):
            chk ^= GENERATOR[i] if ((top >> i) & 1) else 0
    return chk


def descsum_expand(s):
    groups, symbols = [], []
    for c in s:
        v = INPUT_CHARSET.find(c)
        symbols.append(v & 31)
        groups.append(v >> 5)
        if len(groups) == 3:
            symbols.append(groups[0] * 9 + groups[1] * 3 + groups[2])
            groups = []
    if len(groups) == 1:
        symbols.append(groups[0])
    elif len(groups) == 2:
        symbols.append(groups[0] * 3 + groups[1])
    return symbols


def checksum(s):
    c = descsum_polymod(descsum_expand(s) + [0] * 8) ^ 1
    return "".join(CHECKSUM_CHARSET[(c >> (5 * (7 - i))) & 31] for i in range(8))


def descsum_create(s):
    return s + "#" + checksum(s)


# --- mainnet BIP32 keys as testnet ones -------------------------------------------------
def b58decode_check(s):
    n = 0
    for c in s:
        n = n * 58 + B58_ALPHABET.index(c)
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    data, check = raw[:-4], raw[-4:]
    assert hash256(data)[:4] == check
    return data


def to_testnet(ext_key):
    """xpub -> tpub, xprv -> tprv (same key, testnet version bytes)."""
    data = b58decode_check(ext_key)
    version = bytes.fromhex("043587cf") if ext_key.startswith("xpub") else bytes.fromhex("04358394")
    payload = version + data[4:]
    return base58_encode(payload + hash256(payload)[:4])


def p2wpkh(program_hex):
    return encode_segwit_address(REGTEST_HRP, 0, bytes.fromhex(program_hex))


def p2tr(program_hex):
    return encode_segwit_address(REGTEST_HRP, 1, bytes.fromhex(program_hex))


XPUB_13 = to_testnet("xpub69H7F5d8KSRgmmdJg2KhpAK8SR3DjMwAdkxj3ZuxV27CprR9LgpeyGmXUbC6wb7ERfvrnKZjXoUmmDznezpbZb7ap6r1D3tgFxHmwMkQTPH")
XPRV_ROOT = to_testnet("xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi")
XPRV_A = to_testnet("xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HFsTjSyQbLYnMpCqE2VbFWc")
XPUB_A = to_testnet("xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL")
PUBKEY = "03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd"
XONLY = "a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd"


class DescriptorsTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = True

    def run_test(self):
        node = self.nodes[0]
        self.log.info("BIP380 checksum vectors")
        assert_equal(checksum("raw(deadbeef)"), "89f8spxm")

        self.log.info("getdescriptorinfo: normalized form, checksum of the input, flags")
        desc = f"wpkh([d34db33f/84h/0h/0h]{PUBKEY.upper()})"
        info = node.getdescriptorinfo(desc)
        assert_equal(list(info.keys()), ["descriptor", "checksum", "isrange", "issolvable", "hasprivatekeys"])
        assert_equal(info["descriptor"], descsum_create(f"wpkh([d34db33f/84h/0h/0h]{PUBKEY})"))
        assert_equal(info["checksum"], checksum(desc))
        assert_equal((info["isrange"], info["issolvable"], info["hasprivatekeys"]), (False, True, False))
        # With a (correct) checksum the same answer.
        assert_equal(node.getdescriptorinfo(descsum_create(desc)), info)

        ranged = f"wpkh([ffffffff/13']{XPUB_13}/1/2/*)"
        info = node.getdescriptorinfo(ranged)
        assert_equal(info["descriptor"], descsum_create(ranged))
        assert_equal((info["isrange"], info["issolvable"], info["hasprivatekeys"]), (True, True, False))
        # h and ' are kept as written (the last one seen).
        info = node.getdescriptorinfo(f"wpkh([ffffffff/13h]{XPUB_13}/1/2/*)")
        assert_equal(info["descriptor"], descsum_create(f"wpkh([ffffffff/13h]{XPUB_13}/1/2/*)"))

        # Private keys: shown as public ones.
        info = node.getdescriptorinfo(f"sh(wpkh({XPRV_ROOT}/10/20/30/40/*h))")
        assert_equal((info["isrange"], info["hasprivatekeys"]), (True, True))
        assert info["descriptor"].startswith("sh(wpkh(tpub"), info["descriptor"]
        assert info["descriptor"].split("#")[0].endswith("/10/20/30/40/*h))"), info["descriptor"]
        wif = base58_encode(bytes([0xEF]) + bytes([0x11] * 32) + b"\x01" + hash256(bytes([0xEF]) + bytes([0x11] * 32) + b"\x01")[:4])
        info = node.getdescriptorinfo(f"tr({wif})")
        assert_equal(info["hasprivatekeys"], True)
        assert_equal(len(info["descriptor"].split("#")[0]), len("tr()") + 64)

        # addr() and raw(): not solvable; re-encoded / lowered.
        addr = p2wpkh("751e76e8199196d454941c45d1b3a323f1433bd6")
        info = node.getdescriptorinfo(f"addr({addr.upper()})")
        assert_equal(info["descriptor"], descsum_create(f"addr({addr})"))
        assert_equal(info["issolvable"], False)
        info = node.getdescriptorinfo("raw(DEADBEEF)")
        assert_equal(info["descriptor"], "raw(deadbeef)#89f8spxm")
        assert_equal(info["checksum"], checksum("raw(DEADBEEF)"))

        self.log.info("getdescriptorinfo: errors")
        assert_raises_rpc_error(-5, "Provided checksum 'aaaaaaaa' does not match computed checksum '89f8spxm'",
                                node.getdescriptorinfo, "raw(deadbeef)#aaaaaaaa")
        assert_raises_rpc_error(-5, "Expected 8 character checksum, not 7 characters", node.getdescriptorinfo,
                                "raw(deadbeef)#89f8spx")
        assert_raises_rpc_error(-5, "Multiple '#' symbols", node.getdescriptorinfo, "raw(deedbeef)##9f8spxm")
        assert_raises_rpc_error(-5, "Invalid characters in payload", node.getdescriptorinfo, "raw(\u00dc)#00000000")
        assert_raises_rpc_error(-5, "'foo(1)' is not a valid descriptor function", node.getdescriptorinfo, "foo(1)")
        assert_raises_rpc_error(-5, "Can only have sh() at top level", node.getdescriptorinfo, f"sh(sh(pkh({PUBKEY})))")
        assert_raises_rpc_error(-5, "wpkh(): Uncompressed keys are not allowed", node.getdescriptorinfo,
                                "wpkh(04a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c7709c02559e3aa73aa03918ba2d492eea75abea235)")
        assert_raises_rpc_error(-5, "pk(): Key path value '0H' is not a valid uint32", node.getdescriptorinfo,
                                f"pk([deadbeef/0H]{PUBKEY})")
        assert_raises_rpc_error(-5, "Address is not valid", node.getdescriptorinfo,
                                "addr(bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4)")
        # A mainnet xpub is not a key on regtest.
        assert_raises_rpc_error(-5, "is not valid", node.getdescriptorinfo,
                                "pk(xpub69H7F5d8KSRgmmdJg2KhpAK8SR3DjMwAdkxj3ZuxV27CprR9LgpeyGmXUbC6wb7ERfvrnKZjXoUmmDznezpbZb7ap6r1D3tgFxHmwMkQTPH)")
        assert_raises_rpc_error(-3, None, node.getdescriptorinfo, 1)

        self.log.info("deriveaddresses: BIP382 wpkh() and sh(wpkh()) vectors over ranges")
        expected = [p2wpkh("326b2249e3a25d5dc60935f044ee835d090ba859"),
                    p2wpkh("af0bd98abc2f2cae66e36896a39ffe2d32984fb7"),
                    p2wpkh("1fa798efd1cbf95cebf912c031b8a4a6e9fb9f27")]
        assert_equal(node.deriveaddresses(descsum_create(ranged), 2), expected)
        assert_equal(node.deriveaddresses(descsum_create(ranged), [1, 2]), expected[1:])
        assert_equal(node.deriveaddresses(descsum_create(ranged), [2, 2]), expected[2:])
        assert_equal(node.deriveaddresses(descriptor=descsum_create(ranged), range=[0, 0]), expected[:1])
        sh_expected = [script_to_p2sh_address_from_hash("9a4d9901d6af519b2a23d4a2f51650fcba87ce7b"),
                       script_to_p2sh_address_from_hash("bed59fc0024fae941d6e20a3b44a109ae7401292"),
                       script_to_p2sh_address_from_hash("8483aa1116eb9c05c482a72bada4b1db24af6543")]
        assert_equal(node.deriveaddresses(descsum_create(f"sh(wpkh({XPRV_ROOT}/10/20/30/40/*'))"), [0, 2]), sh_expected)
        assert_equal(node.deriveaddresses(descsum_create(f"wpkh({PUBKEY})")),
                     [p2wpkh("9a1c78a507689f6f54b847ad1cef1e614ee23f1e")])
        assert_equal(node.deriveaddresses(descsum_create(f"pkh({PUBKEY})")),
                     [base58_check(111, "9a1c78a507689f6f54b847ad1cef1e614ee23f1e")])

        self.log.info("deriveaddresses: BIP386 tr() vectors")
        assert_equal(node.deriveaddresses(descsum_create(f"tr({XONLY})")),
                     [p2tr("77aab6e066f8a7419c5ab714c12c67d25007ed55a43cadcacb4d7a970a093f11")])
        assert_equal(node.deriveaddresses(descsum_create(f"tr({XPRV_A}/0/*,pk({XPRV_A}/1/*))"), 2),
                     [p2tr("78bc707124daa551b65af74de2ec128b7525e10f374dc67b64e00ce0ab8b3e12"),
                      p2tr("01f0a02a17808c20134b78faab80ef93ffba82261ccef0a2314f5d62b6438f11"),
                      p2tr("21024954fcec88237a9386fce80ef2ced5f1e91b422b26c59ccfc174c8d1ad25")])
        tree = (f"tr({XONLY},{{pk({to_testnet('xprvA2JDeKCSNNZky6uBCviVfJSKyQ1mDYahRjijr5idH2WwLsEd4Hsb2Tyh8RfQMuPh7f7RtyzTtdrbdqqsunu5Mm3wDvUAKRHSC34sJ7in334')}/0),"
                f"{{{{pk({XPUB_A}),pk(02df12b7035bdac8e3bab862a3a83d06ea6b17b6753d52edecba9be46f5d09e076)}},pk({wif_of_L4r()})}}}})")
        assert_equal(node.deriveaddresses(descsum_create(tree)),
                     [p2tr("71fff39599a7b78bc02623cbe814efebf1a404f5d8ad34ea80f213bd8943f574")])
        info = node.getdescriptorinfo(tree)
        assert_equal(info["hasprivatekeys"], True)
        assert "xprv" not in info["descriptor"] and "tprv" not in info["descriptor"]
        # The normalized form derives the same address.
        assert_equal(node.deriveaddresses(info["descriptor"]),
                     [p2tr("71fff39599a7b78bc02623cbe814efebf1a404f5d8ad34ea80f213bd8943f574")])

        self.log.info("deriveaddresses: errors")
        assert_raises_rpc_error(-5, "Missing checksum", node.deriveaddresses, f"wpkh({PUBKEY})")
        assert_raises_rpc_error(-5, "does not match computed checksum", node.deriveaddresses,
                                f"wpkh({PUBKEY})#qqqqqqqq")
        assert_raises_rpc_error(-8, "Range must be specified for a ranged descriptor", node.deriveaddresses,
                                descsum_create(ranged))
        assert_raises_rpc_error(-8, "Range should not be specified for an un-ranged descriptor",
                                node.deriveaddresses, descsum_create(f"wpkh({PUBKEY})"), [0, 2])
        assert_raises_rpc_error(-8, "Range should be greater or equal than 0", node.deriveaddresses,
                                descsum_create(ranged), [-1, 0])
        assert_raises_rpc_error(-8, "End of range is too high", node.deriveaddresses, descsum_create(ranged),
                                [0, 2**31])
        assert_raises_rpc_error(-8, "Range is too large", node.deriveaddresses, descsum_create(ranged), [0, 1000000])
        assert_raises_rpc_error(-8, "Range specified as [begin,end] must not have begin after end",
                                node.deriveaddresses, descsum_create(ranged), [2, 0])
        assert_raises_rpc_error(-8, "Range must be specified as end or as [begin,end]", node.deriveaddresses,
                                descsum_create(ranged), [0, 1, 2])
        assert_raises_rpc_error(-5, "Cannot derive script without private keys", node.deriveaddresses,
                                descsum_create(f"wpkh({XPUB_13}/1h/*)"), 1)
        assert_raises_rpc_error(-5, "Descriptor does not have a corresponding address", node.deriveaddresses,
                                descsum_create(f"pk({PUBKEY})"))
        assert_raises_rpc_error(-5, "Descriptor does not have a corresponding address", node.deriveaddresses,
                                descsum_create("raw(51)"))


def script_to_p2sh_address_from_hash(hash_hex):
    return base58_check(196, hash_hex)


def base58_check(version, payload_hex):
    data = bytes([version]) + bytes.fromhex(payload_hex)
    return base58_encode(data + hash256(data)[:4])


def wif_of_L4r():
    """BIP381's L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1 as a testnet WIF."""
    data = b58decode_check("L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1")
    payload = bytes([0xEF]) + data[1:]
    return base58_encode(payload + hash256(payload)[:4])


if __name__ == "__main__":
    DescriptorsTest().main()
