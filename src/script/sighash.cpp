#include <script/sighash.h>

#include <crypto/hash.h>
#include <crypto/sha256.h>
#include <script/hash_fields.h>
#include <script/script_reader.h>

using namespace hash_fields;

namespace {

// ---- Per-transaction hashes (BIP143 / BIP341) ----

uint256 HashPrevouts(const Transaction& tx)
{
    Sha256 hasher;
    for (const TxIn& in : tx.vin) WriteOutPoint(hasher, in.prevout);
    return Finish(hasher);
}

uint256 HashSequences(const Transaction& tx)
{
    Sha256 hasher;
    for (const TxIn& in : tx.vin) WriteLE32(hasher, in.sequence);
    return Finish(hasher);
}

uint256 HashOutputs(const Transaction& tx)
{
    Sha256 hasher;
    for (const TxOut& out : tx.vout) WriteTxOut(hasher, out);
    return Finish(hasher);
}

uint256 HashSpentAmounts(const std::vector<TxOut>& spent)
{
    Sha256 hasher;
    for (const TxOut& out : spent) WriteLE64(hasher, static_cast<uint64_t>(out.value));
    return Finish(hasher);
}

uint256 HashSpentScripts(const std::vector<TxOut>& spent)
{
    Sha256 hasher;
    for (const TxOut& out : spent) WriteVarBytes(hasher, out.script_pubkey);
    return Finish(hasher);
}

// A witness v1 program of 32 bytes: the only outputs whose spends use BIP341 hashes.
bool SpendsTaproot(const TxOut& spent)
{
    const Script& script = spent.script_pubkey;
    return script.size() == 34 && script[0] == OP_1 && script[1] == 32;
}

uint256 HashOneOutput(const TxOut& out)
{
    Sha256 hasher;
    WriteTxOut(hasher, out);
    return Finish(hasher);
}

// ---- Legacy ----

bool IsNone(int hash_type) { return (hash_type & 0x1f) == SIGHASH_NONE; }
bool IsSingle(int hash_type) { return (hash_type & 0x1f) == SIGHASH_SINGLE; }
bool IsAnyoneCanPay(int hash_type) { return (hash_type & SIGHASH_ANYONECANPAY) != 0; }

// The script code with every OP_CODESEPARATOR cut out. The length prefix counts the
// separators found before a malformed push, while the bytes stop at that push: this is how
// the network has always hashed such scripts, so it is reproduced exactly.
template <typename Hasher>
void WriteLegacyScriptCode(Hasher& hasher, const Script& script_code)
{
    const unsigned char* const begin = ScriptBegin(script_code);
    const unsigned char* const end = ScriptEnd(script_code);
    ScriptOp op;

    size_t separators = 0;
    for (const unsigned char* pc = begin; ReadScriptOp(pc, end, op);) {
        if (op.opcode == OP_CODESEPARATOR) ++separators;
    }
    WriteCompactSize(hasher, script_code.size() - separators);

    const unsigned char* pc = begin;
    const unsigned char* segment = begin;
    while (ReadScriptOp(pc, end, op)) {
        if (op.opcode == OP_CODESEPARATOR) {
            hasher.Write(std::span<const unsigned char>{segment, static_cast<size_t>(pc - 1 - segment)});
            segment = pc;
        }
    }
    if (segment != end) hasher.Write(std::span<const unsigned char>{segment, static_cast<size_t>(pc - segment)});
}

template <typename Hasher>
void WriteLegacyInput(Hasher& hasher, const Transaction& tx, unsigned index, unsigned signing_input,
                      const Script& script_code, int hash_type)
{
    const TxIn& in = tx.vin[index];
    WriteOutPoint(hasher, in.prevout);
    if (index == signing_input) {
        WriteLegacyScriptCode(hasher, script_code);
    } else {
        WriteCompactSize(hasher, 0);
    }
    // NONE and SINGLE let other inputs change their sequence (and so be replaced).
    const bool others_free = IsNone(hash_type) || IsSingle(hash_type);
    WriteLE32(hasher, (index != signing_input && others_free) ? 0 : in.sequence);
}

template <typename Hasher>
void WriteLegacyOutputs(Hasher& hasher, const Transaction& tx, unsigned signing_input, int hash_type)
{
    if (IsNone(hash_type)) {
        WriteCompactSize(hasher, 0);
        return;
    }
    if (IsSingle(hash_type)) {
        // Outputs before the signed one are blanked: value -1, empty script.
        WriteCompactSize(hasher, signing_input + 1);
        for (unsigned i = 0; i < signing_input; ++i) {
            WriteLE64(hasher, ~uint64_t{0});
            WriteCompactSize(hasher, 0);
        }
        WriteTxOut(hasher, tx.vout[signing_input]);
        return;
    }
    WriteCompactSize(hasher, tx.vout.size());
    for (const TxOut& out : tx.vout) WriteTxOut(hasher, out);
}

uint256 LegacySignatureHash(const Script& script_code, const Transaction& tx, unsigned input, int hash_type)
{
    // Out-of-range cases hash to 1 instead of failing (the original SIGHASH_SINGLE bug);
    // a signature over the hash 1 is then valid, and consensus keeps it so.
    if (input >= tx.vin.size()) return uint256::ONE;
    if (IsSingle(hash_type) && input >= tx.vout.size()) return uint256::ONE;

    Hash256 hasher;
    WriteLE32(hasher, tx.version);
    if (IsAnyoneCanPay(hash_type)) {
        WriteCompactSize(hasher, 1);
        WriteLegacyInput(hasher, tx, input, input, script_code, hash_type);
    } else {
        WriteCompactSize(hasher, tx.vin.size());
        for (unsigned i = 0; i < tx.vin.size(); ++i) WriteLegacyInput(hasher, tx, i, input, script_code, hash_type);
    }
    WriteLegacyOutputs(hasher, tx, input, hash_type);
    WriteLE32(hasher, tx.lock_time);
    WriteLE32(hasher, static_cast<uint32_t>(hash_type));

    uint256 out;
    hasher.Finalize(std::span<unsigned char, 32>{out.data(), 32});
    return out;
}

// ---- BIP143 ----

struct Bip143Hashes {
    uint256 prevouts, sequence, outputs;
};

Bip143Hashes ComputeBip143Hashes(const Transaction& tx)
{
    return {Rehash(HashPrevouts(tx)), Rehash(HashSequences(tx)), Rehash(HashOutputs(tx))};
}

uint256 WitnessV0SignatureHash(const Script& script_code, const Transaction& tx, unsigned input, int hash_type,
                               Amount amount, const PrecomputedTransactionData* cache)
{
    if (input >= tx.vin.size()) return uint256::ONE;
    const Bip143Hashes hashes = (cache && cache->bip143_ready)
                                    ? Bip143Hashes{cache->hash_prevouts, cache->hash_sequence, cache->hash_outputs}
                                    : ComputeBip143Hashes(tx);
    const bool anyone_can_pay = IsAnyoneCanPay(hash_type);
    const bool all_outputs = !IsSingle(hash_type) && !IsNone(hash_type);

    uint256 outputs;  // zero unless ALL, or SINGLE with a matching output
    if (all_outputs) {
        outputs = hashes.outputs;
    } else if (IsSingle(hash_type) && input < tx.vout.size()) {
        Hash256 single;
        WriteTxOut(single, tx.vout[input]);
        single.Finalize(std::span<unsigned char, 32>{outputs.data(), 32});
    }

    const uint256 zero;
    const TxIn& in = tx.vin[input];
    Hash256 hasher;
    WriteLE32(hasher, tx.version);
    hasher.Write(anyone_can_pay ? zero : hashes.prevouts);
    hasher.Write((!anyone_can_pay && all_outputs) ? hashes.sequence : zero);
    WriteOutPoint(hasher, in.prevout);
    WriteVarBytes(hasher, script_code);
    WriteLE64(hasher, static_cast<uint64_t>(amount));
    WriteLE32(hasher, in.sequence);
    hasher.Write(outputs);
    WriteLE32(hasher, tx.lock_time);
    WriteLE32(hasher, static_cast<uint32_t>(hash_type));

    uint256 out;
    hasher.Finalize(std::span<unsigned char, 32>{out.data(), 32});
    return out;
}

// ---- BIP341 / BIP342 ----

bool IsDefinedSchnorrHashType(uint8_t hash_type)
{
    return hash_type <= SIGHASH_SINGLE || (hash_type >= (SIGHASH_ANYONECANPAY | SIGHASH_ALL) &&
                                           hash_type <= (SIGHASH_ANYONECANPAY | SIGHASH_SINGLE));
}

// The "TapSighash" prefix midstate, computed once.
const Sha256& TapSighashHasher()
{
    static const Sha256 hasher = TaggedHasher("TapSighash");
    return hasher;
}

void WriteSpentInput(Sha256& hasher, const Transaction& tx, unsigned input, const PrecomputedTransactionData& cache)
{
    const TxIn& in = tx.vin[input];
    WriteOutPoint(hasher, in.prevout);
    WriteTxOut(hasher, cache.spent_outputs[input]);
    WriteLE32(hasher, in.sequence);
}

} // namespace

PrecomputedTransactionData::PrecomputedTransactionData(const Transaction& tx) { Init(tx, {}); }

void PrecomputedTransactionData::Init(const Transaction& tx, std::vector<TxOut> spent, bool force)
{
    spent_outputs_ready = !spent.empty() && spent.size() == tx.vin.size();
    spent_outputs = std::move(spent);
    if (!spent_outputs_ready) spent_outputs.clear();

    bool uses_bip143 = force;
    bool uses_bip341 = force && spent_outputs_ready;
    for (size_t i = 0; i < tx.vin.size() && !(uses_bip143 && uses_bip341); ++i) {
        if (tx.vin[i].witness.IsNull()) continue;
        if (spent_outputs_ready && SpendsTaproot(spent_outputs[i])) {
            uses_bip341 = true;
        } else {
            uses_bip143 = true;
        }
    }

    if (uses_bip143 || uses_bip341) {
        prevouts_single_hash = HashPrevouts(tx);
        sequences_single_hash = HashSequences(tx);
        outputs_single_hash = HashOutputs(tx);
    }
    if (uses_bip143) {
        hash_prevouts = Rehash(prevouts_single_hash);
        hash_sequence = Rehash(sequences_single_hash);
        hash_outputs = Rehash(outputs_single_hash);
        bip143_ready = true;
    }
    if (uses_bip341) {
        spent_amounts_single_hash = HashSpentAmounts(spent_outputs);
        spent_scripts_single_hash = HashSpentScripts(spent_outputs);
        bip341_ready = true;
    }
}

uint256 SignatureHash(const Script& script_code, const Transaction& tx, unsigned input, int hash_type, Amount amount,
                      SigVersion sigversion, const PrecomputedTransactionData* cache)
{
    if (sigversion == SigVersion::WITNESS_V0) {
        return WitnessV0SignatureHash(script_code, tx, input, hash_type, amount, cache);
    }
    return LegacySignatureHash(script_code, tx, input, hash_type);
}

bool SignatureHashSchnorr(uint256& out, const ScriptExecutionData& execdata, const Transaction& tx, unsigned input,
                          uint8_t hash_type, SigVersion sigversion, const PrecomputedTransactionData& cache)
{
    if (sigversion != SigVersion::TAPROOT && sigversion != SigVersion::TAPSCRIPT) return false;
    if (!cache.bip341_ready || !cache.spent_outputs_ready || input >= tx.vin.size()) return false;
    if (!IsDefinedSchnorrHashType(hash_type) || !execdata.annex_init) return false;
    const bool tapscript = sigversion == SigVersion::TAPSCRIPT;
    if (tapscript && (!execdata.tapleaf_hash_init || !execdata.codeseparator_pos_init)) return false;

    const int output_type = hash_type == SIGHASH_DEFAULT ? SIGHASH_ALL : (hash_type & SIGHASH_OUTPUT_MASK);
    const bool anyone_can_pay = (hash_type & SIGHASH_INPUT_MASK) == SIGHASH_ANYONECANPAY;
    if (output_type == SIGHASH_SINGLE && input >= tx.vout.size()) return false;

    Sha256 hasher = TapSighashHasher();
    const unsigned char header[2] = {0x00 /* epoch */, hash_type};
    hasher.Write(header);
    WriteLE32(hasher, tx.version);
    WriteLE32(hasher, tx.lock_time);
    if (!anyone_can_pay) {
        hasher.Write(cache.prevouts_single_hash);
        hasher.Write(cache.spent_amounts_single_hash);
        hasher.Write(cache.spent_scripts_single_hash);
        hasher.Write(cache.sequences_single_hash);
    }
    if (output_type == SIGHASH_ALL) hasher.Write(cache.outputs_single_hash);

    const unsigned char spend_type = static_cast<unsigned char>((tapscript ? 2 : 0) + (execdata.annex_present ? 1 : 0));
    hasher.Write(std::span<const unsigned char>{&spend_type, 1});
    if (anyone_can_pay) {
        WriteSpentInput(hasher, tx, input, cache);
    } else {
        WriteLE32(hasher, input);
    }
    if (execdata.annex_present) hasher.Write(execdata.annex_hash);
    if (output_type == SIGHASH_SINGLE) hasher.Write(HashOneOutput(tx.vout[input]));

    if (tapscript) {
        hasher.Write(execdata.tapleaf_hash);
        const unsigned char key_version = 0x00;  // BIP342: the only key type defined so far
        hasher.Write(std::span<const unsigned char>{&key_version, 1});
        WriteLE32(hasher, execdata.codeseparator_pos);
    }
    out = Finish(hasher);
    return true;
}
