#pragma once

// JSON forms of scripts, transactions, block headers and blocks, in the
// shapes Bitcoin Core's decoderawtransaction, getrawtransaction, getblock and
// getblockheader print (same keys, same order, same number formats).

#include <kernel/block_index.h>
#include <kernel/undo.h>
#include <primitives/block.h>
#include <primitives/transaction.h>
#include <script/address.h>
#include <script/script.h>
#include <uint256.h>
#include <util/json.h>

#include <optional>
#include <span>
#include <string>
#include <vector>

// How much of each transaction a block's JSON shows: the txid only
// (getblock verbosity 1), the decoded transaction (2), and with the spent
// outputs of every input (3).
enum class TxVerbosity { SHOW_TXID, SHOW_DETAILS, SHOW_DETAILS_AND_PREVOUT };

// Kinds of output script, as Bitcoin Core's standard-script solver tells them apart.
enum class ScriptOutputType {
    NONSTANDARD,
    ANCHOR,            // OP_1 <0x4e73> (pay-to-anchor)
    PUBKEY,
    PUBKEYHASH,
    SCRIPTHASH,
    MULTISIG,
    NULL_DATA,         // OP_RETURN followed by pushes only
    WITNESS_V0_SCRIPTHASH,
    WITNESS_V0_KEYHASH,
    WITNESS_V1_TAPROOT,
    WITNESS_UNKNOWN,   // any other witness version
};

struct ScriptSolution {
    ScriptOutputType type = ScriptOutputType::NONSTANDARD;
    // PUBKEY: {key}; PUBKEYHASH / SCRIPTHASH / witness types: {program or
    // hash}; WITNESS_UNKNOWN: {{version}, program}; MULTISIG: {{required},
    // keys..., {count}}; otherwise empty.
    std::vector<std::vector<unsigned char>> data;
};

ScriptSolution SolveScript(const Script& script_pubkey);
// "nonstandard", "anchor", "pubkey", "pubkeyhash", "scripthash", "multisig",
// "nulldata", "witness_v0_scripthash", "witness_v0_keyhash",
// "witness_v1_taproot", "witness_unknown".
std::string ScriptOutputTypeName(ScriptOutputType type);

// Script disassembly as Bitcoin Core's ScriptToAsmStr: pushes of up to four
// bytes as decimal numbers, longer ones as hex, opcodes by name ("0", "1".."16",
// "-1" for the small-number opcodes), "[error]" where a push runs past the end.
// attempt_sighash_decode (scriptSig): a push that is a strict-DER signature
// with a defined hash type loses its last byte and gets "[ALL]", "[NONE]",
// "[SINGLE]" or "[...|ANYONECANPAY]" appended.
std::string ScriptToAsmStr(const Script& script, bool attempt_sighash_decode = false);

// The descriptor Bitcoin Core infers for an output script without any key
// information, with its checksum: pk(), multi(), rawtr(), addr() or raw().
std::string InferDescriptorString(const Script& script_pubkey, const AddressParams& params);

// {asm, desc, hex, address (when the script has one), type}.
Json ScriptPubKeyToJson(const Script& script_pubkey, const AddressParams& params, bool include_hex = true,
                        bool include_address = true);

// Serialized with witness, as hex.
std::string EncodeHexTx(const Transaction& tx);
// A transaction in exactly these bytes (nothing left over), with or without
// the segwit serialization; nullopt otherwise.
std::optional<MutableTransaction> DecodeTx(std::span<const unsigned char> bytes, bool allow_witness);
// As Core reads raw transactions: the witness form first (unless that reading
// has no inputs), then the legacy form.
std::optional<MutableTransaction> DecodeTxBytes(std::span<const unsigned char> bytes);
std::optional<MutableTransaction> DecodeHexTx(const std::string& hex);

// decoderawtransaction's object: txid, hash, version, size, vsize, weight,
// locktime, vin, vout; with undo data (the coins the inputs spent) also
// "fee", and with SHOW_DETAILS_AND_PREVOUT each input's "prevout"; then
// "blockhash" when block_hash is not null and "hex" when include_hex.
Json TxToJson(const Transaction& tx, const AddressParams& params, const uint256& block_hash = uint256{},
              bool include_hex = true, const TxUndo* undo = nullptr,
              TxVerbosity verbosity = TxVerbosity::SHOW_DETAILS);

// Difficulty of a compact target relative to the minimum (0x1d00ffff).
double GetDifficulty(uint32_t bits);
// The target of `bits` as 64 hex digits (pow_limit when bits do not decode).
std::string TargetHex(uint32_t bits, const uint256& pow_limit);

// getblockheader's object for `index`, confirmations and nextblockhash
// counted against the active chain `chain`.
Json BlockHeaderToJson(const Chain& chain, const BlockIndex& index, const uint256& pow_limit);

// getblock's object (verbosity 1 to 3 as tx_verbosity). undo: the block's
// undo data if it could be read (fees and prevouts need it), else null.
Json BlockToJson(const Block& block, const Chain& chain, const BlockIndex& index, const AddressParams& params,
                 const uint256& pow_limit, TxVerbosity tx_verbosity, const BlockUndo* undo);
