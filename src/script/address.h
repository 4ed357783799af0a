#pragma once

// Text forms of payment destinations and keys, per chain: Base58Check
// addresses (P2PKH, P2SH), segwit addresses (BIP173 bech32 for version 0,
// BIP350 bech32m for versions 1 to 16), WIF private keys and BIP32 extended
// keys. Pure functions over a constant table of prefixes.

#include <crypto/bip32.h>
#include <crypto/key.h>
#include <script/script.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct AddressParams {
    std::vector<unsigned char> pubkey_prefix; // P2PKH version byte(s)
    std::vector<unsigned char> script_prefix; // P2SH version byte(s)
    std::vector<unsigned char> secret_prefix; // WIF version byte(s)
    std::string bech32_hrp;                   // segwit human-readable part
    Bip32Version ext_public_prefix{};         // xpub / tpub
    Bip32Version ext_secret_prefix{};         // xprv / tprv
};

// testnet3 and testnet4 share their prefixes, and signet uses them too
// (only regtest's bech32 HRP differs from theirs).
enum class AddressNetwork { MAIN, TEST, SIGNET, REGTEST };
const AddressParams& GetAddressParams(AddressNetwork network);
// "main", "test", "testnet3", "testnet4", "signet", "regtest".
std::optional<AddressNetwork> AddressNetworkFromName(std::string_view chain);

// The scriptPubKey an address pays to, or nullopt with a reason in *error.
// Bech32 strings may be all upper or all lower case.
std::optional<Script> DecodeAddress(std::string_view address, const AddressParams& params, std::string* error = nullptr);
bool IsValidAddress(std::string_view address, const AddressParams& params);

// The address of a P2PKH, P2SH or witness program (v0 of 20 or 32 bytes,
// v1..v16 of 2 to 40 bytes) scriptPubKey; nullopt for anything else (P2PK,
// bare multisig, OP_RETURN, nonstandard), which has no address.
std::optional<std::string> EncodeAddress(const Script& script_pubkey, const AddressParams& params);

// WIF: Base58Check of prefix || secret || 0x01 when the public key is
// compressed.
std::string EncodeSecret(const Key& key, const AddressParams& params);
std::optional<Key> DecodeSecret(std::string_view wif, const AddressParams& params);

// BIP32 extended keys as Base58Check strings with the chain's version bytes.
std::string EncodeExtKey(const ExtKey& key, const AddressParams& params);
std::optional<ExtKey> DecodeExtKey(std::string_view str, const AddressParams& params);
std::string EncodeExtPubKey(const ExtPubKey& key, const AddressParams& params);
std::optional<ExtPubKey> DecodeExtPubKey(std::string_view str, const AddressParams& params);
