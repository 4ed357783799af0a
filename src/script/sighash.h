#ifndef BITCOIN_SCRIPT_SIGHASH_H
#define BITCOIN_SCRIPT_SIGHASH_H

#include <primitives/transaction.h>
#include <script/script.h>
#include <uint256.h>

#include <cstdint>
#include <vector>

// Signature hash types. SIGHASH_DEFAULT exists only in taproot, where it means ALL without
// the extra byte on the signature.
enum : int {
    SIGHASH_DEFAULT = 0,
    SIGHASH_ALL = 1,
    SIGHASH_NONE = 2,
    SIGHASH_SINGLE = 3,
    SIGHASH_ANYONECANPAY = 0x80,
    SIGHASH_OUTPUT_MASK = 3,
    SIGHASH_INPUT_MASK = 0x80,
};

// Which rules a script runs under; the signature hash and several opcodes depend on it.
enum class SigVersion {
    BASE,        // legacy scripts and P2SH redeem scripts
    WITNESS_V0,  // BIP141/143
    TAPROOT,     // BIP341 key path
    TAPSCRIPT,   // BIP342 leaf version 0xc0
};

// State of one taproot spend that signature hashing and tapscript evaluation share.
// Each value has an "init" flag so that hashing can refuse to use one never set.
struct ScriptExecutionData {
    bool tapleaf_hash_init = false;
    uint256 tapleaf_hash;  // BIP341 tapleaf hash of the executing script

    bool codeseparator_pos_init = false;
    uint32_t codeseparator_pos = 0xFFFFFFFF;  // opcode index of the last executed OP_CODESEPARATOR

    bool annex_init = false;
    bool annex_present = false;
    uint256 annex_hash;  // SHA256(compact size || annex) when present

    bool validation_weight_left_init = false;
    int64_t validation_weight_left = 0;  // BIP342 signature budget
};

// Per-transaction hashes that every input's signature hash reuses, so that hashing all inputs
// of a transaction costs time linear in its size (BIP143, BIP341). Init once per transaction.
struct PrecomputedTransactionData {
    // BIP341: single SHA256 of the serialized lists.
    uint256 prevouts_single_hash;
    uint256 sequences_single_hash;
    uint256 outputs_single_hash;
    uint256 spent_amounts_single_hash;
    uint256 spent_scripts_single_hash;
    bool bip341_ready = false;

    // BIP143: double SHA256 of the same lists (SHA256 of the single hashes above).
    uint256 hash_prevouts;
    uint256 hash_sequence;
    uint256 hash_outputs;
    bool bip143_ready = false;

    // The outputs the inputs spend, in input order; BIP341 commits to all of them.
    std::vector<TxOut> spent_outputs;
    bool spent_outputs_ready = false;

    PrecomputedTransactionData() = default;
    // Init(tx, {}): BIP143 hashes only (spent outputs unknown).
    explicit PrecomputedTransactionData(const Transaction& tx);

    // spent_outputs: one per input, or empty when unknown (taproot signatures then fail).
    // Without force, only the hashes some input can use are computed: BIP143 when an input
    // has a witness, BIP341 when an input spends a witness v1 output. force computes both.
    void Init(const Transaction& tx, std::vector<TxOut> spent_outputs, bool force = false);
};

// Legacy (SigVersion::BASE, with the OP_CODESEPARATOR removal and the SIGHASH_SINGLE bug: an input
// without a matching output, or an input index out of range, hashes to uint256::ONE) and BIP143
// (SigVersion::WITNESS_V0). script_code is the script from the last executed OP_CODESEPARATOR on,
// with FindAndDelete already applied by the interpreter for BASE. cache is used when it has
// the BIP143 hashes; without it they are computed on the spot.
uint256 SignatureHash(const Script& script_code, const Transaction& tx, unsigned input, int hash_type, Amount amount,
                      SigVersion sigversion, const PrecomputedTransactionData* cache = nullptr);

// BIP341 (SigVersion::TAPROOT) and BIP342 (SigVersion::TAPSCRIPT) signature message hash.
// false for an undefined hash_type, SIGHASH_SINGLE without a matching output, missing
// precomputed data (spent outputs) or execdata fields not initialised.
bool SignatureHashSchnorr(uint256& out, const ScriptExecutionData& execdata, const Transaction& tx, unsigned input,
                          uint8_t hash_type, SigVersion sigversion, const PrecomputedTransactionData& cache);

#endif // BITCOIN_SCRIPT_SIGHASH_H
