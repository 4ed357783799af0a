#!/usr/bin/python3
"""validateaddress on regtest: every kind of valid address with Core's
fields, and invalid ones with Core's error message and (for bech32) the
error locations."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.address import (BECH32_CONST, BECH32M_CONST, REGTEST_HRP, _convertbits,  # noqa: E402
                                    base58_encode, bech32_encode, encode_segwit_address)
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.messages import hash256  # noqa: E402
from test_framework.util import assert_equal, assert_raises_rpc_error  # noqa: E402

HASH20 = "751e76e8199196d454941c45d1b3a323f1433bd6"
HASH32 = "1863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"


def base58check(version, payload):
    data = bytes([version]) + payload
    return base58_encode(data + hash256(data)[:4])


def segwit_with_const(version, program, const, hrp=REGTEST_HRP):
    return bech32_encode(hrp, [version] + _convertbits(program, 8, 5), const)


class ValidateAddressTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = True

    def check_valid(self, address, script_hex, **fields):
        node = self.nodes[0]
        info = node.validateaddress(address)
        expected = {"isvalid": True, "address": address.lower() if address[:4].lower() == "bcrt" else address,
                    "scriptPubKey": script_hex, **fields}
        assert_equal(info, expected)
        assert_equal(list(info.keys()), list(expected.keys()))

    def check_invalid(self, address, error, locations=()):
        info = self.nodes[0].validateaddress(address)
        assert_equal(info, {"isvalid": False, "error_locations": list(locations), "error": error})
        assert_equal(list(info.keys()), ["isvalid", "error_locations", "error"])

    def run_test(self):
        self.log.info("valid addresses of every kind")
        h20, h32 = bytes.fromhex(HASH20), bytes.fromhex(HASH32)
        self.check_valid(base58check(111, h20), f"76a914{HASH20}88ac", isscript=False, iswitness=False)
        self.check_valid(base58check(196, h20), f"a914{HASH20}87", isscript=True, iswitness=False)
        p2wpkh = encode_segwit_address(REGTEST_HRP, 0, h20)
        self.check_valid(p2wpkh, f"0014{HASH20}", isscript=False, iswitness=True, witness_version=0,
                         witness_program=HASH20)
        # Upper case is valid too, and reported in lower case.
        self.check_valid(p2wpkh.upper(), f"0014{HASH20}", isscript=False, iswitness=True, witness_version=0,
                         witness_program=HASH20)
        self.check_valid(encode_segwit_address(REGTEST_HRP, 0, h32), f"0020{HASH32}", isscript=True, iswitness=True,
                         witness_version=0, witness_program=HASH32)
        self.check_valid(encode_segwit_address(REGTEST_HRP, 1, h32), f"5120{HASH32}", isscript=True, iswitness=True,
                         witness_version=1, witness_program=HASH32)
        # Pay-to-anchor.
        self.check_valid(encode_segwit_address(REGTEST_HRP, 1, bytes.fromhex("4e73")), "51024e73",
                         isscript=True, iswitness=True)
        # Future witness versions.
        self.check_valid(encode_segwit_address(REGTEST_HRP, 2, h20), f"5214{HASH20}", iswitness=True,
                         witness_version=2, witness_program=HASH20)
        self.check_valid(encode_segwit_address(REGTEST_HRP, 16, bytes.fromhex("0001")), "60020001", iswitness=True,
                         witness_version=16, witness_program="0001")

        self.log.info("invalid base58 and foreign addresses")
        self.check_invalid(base58check(0, h20), "Invalid or unsupported Base58-encoded address.")
        self.check_invalid(base58check(111, h20[:19]), "Invalid length for Base58 address (P2PKH or P2SH)")
        good = base58check(111, h20)
        self.check_invalid(good[:-1] + ("1" if good[-1] != "1" else "2"),
                           "Invalid checksum or length of Base58 address (P2PKH or P2SH)")
        self.check_invalid("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
                           "Invalid or unsupported Segwit (Bech32) or Base58 encoding.")
        # The empty string is valid (empty) base58 without a checksum.
        self.check_invalid("", "Invalid checksum or length of Base58 address (P2PKH or P2SH)")
        self.check_invalid("0OIl", "Invalid or unsupported Segwit (Bech32) or Base58 encoding.")

        self.log.info("invalid bech32: messages and error locations")
        # One substituted character: found.
        bad = p2wpkh[:10] + ("q" if p2wpkh[10] != "q" else "p") + p2wpkh[11:]
        self.check_invalid(bad, "Invalid Bech32 checksum", [10])
        taproot = encode_segwit_address(REGTEST_HRP, 1, h32)
        bad = taproot[:20] + ("q" if taproot[20] != "q" else "p") + taproot[21:]
        self.check_invalid(bad, "Invalid Bech32m checksum", [20])
        # Two substitutions: both found.
        bad = p2wpkh[:8] + ("q" if p2wpkh[8] != "q" else "p") + p2wpkh[9:30] + ("q" if p2wpkh[30] != "q" else "p") + p2wpkh[31:]
        self.check_invalid(bad, "Invalid Bech32 checksum", [8, 30])
        mixed = p2wpkh[:6] + p2wpkh[6:].upper()
        self.check_invalid(mixed, "Invalid character or mixed case", [i for i in range(6, len(mixed)) if mixed[i].isupper()])
        self.check_invalid(p2wpkh[:12] + "b" + p2wpkh[13:], "Invalid Base 32 character", [12])
        self.check_invalid("bcrt1" + "q" * 3, "Invalid separator position", [4])
        long_addr = encode_segwit_address(REGTEST_HRP, 1, h32) + "q" * 40
        self.check_invalid(long_addr, "Bech32 string too long", list(range(90, len(long_addr))))

        self.log.info("decodable bech32 that is no address")
        self.check_invalid(segwit_with_const(0, h20, BECH32M_CONST), "Version 0 witness address must use Bech32 checksum")
        self.check_invalid(segwit_with_const(1, h32, BECH32_CONST), "Version 1+ witness address must use Bech32m checksum")
        self.check_invalid(encode_segwit_address(REGTEST_HRP, 0, h20 + b"\x00"),
                           "Invalid Bech32 v0 address program size (21 bytes), per BIP141")
        self.check_invalid(encode_segwit_address(REGTEST_HRP, 1, b"\x00"), "Invalid Bech32 address program size (1 byte)")
        self.check_invalid(encode_segwit_address(REGTEST_HRP, 1, bytes(41)),
                           "Invalid Bech32 address program size (41 bytes)")
        self.check_invalid(bech32_encode(REGTEST_HRP, [], BECH32_CONST), "Empty Bech32 data section")
        self.check_invalid(bech32_encode(REGTEST_HRP, [17] + _convertbits(h20, 8, 5), BECH32M_CONST),
                           "Invalid Bech32 address witness version")
        # A HRP that starts with ours but is longer.
        self.check_invalid(bech32_encode("bcrtx", [0] + _convertbits(h20, 8, 5), BECH32_CONST),
                           "Invalid or unsupported prefix for Segwit (Bech32) address (expected bcrt, got bcrtx).")

        self.log.info("argument errors")
        assert_raises_rpc_error(-3, None, self.nodes[0].validateaddress, 1)
        assert_raises_rpc_error(-1, None, self.nodes[0].validateaddress)


if __name__ == "__main__":
    ValidateAddressTest().main()
