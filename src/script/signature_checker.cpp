#include <script/interpreter.h>

#include <crypto/pubkey.h>

// ---- SignatureChecker: no transaction, nothing verifies ----

bool SignatureChecker::CheckECDSASignature(std::span<const unsigned char>, std::span<const unsigned char>, const Script&,
                                           SigVersion) const
{
    return false;
}

bool SignatureChecker::CheckSchnorrSignature(std::span<const unsigned char>, std::span<const unsigned char>, SigVersion,
                                             const ScriptExecutionData&, ScriptError*) const
{
    return false;
}

bool SignatureChecker::CheckLockTime(const ScriptNum&) const { return false; }

bool SignatureChecker::CheckSequence(const ScriptNum&) const { return false; }

// ---- TransactionSignatureChecker ----

namespace {

constexpr uint32_t SEQUENCE_FINAL = 0xffffffff;
// BIP68 fields of nSequence.
constexpr uint32_t SEQUENCE_LOCKTIME_DISABLE_FLAG = uint32_t{1} << 31;
constexpr uint32_t SEQUENCE_LOCKTIME_TYPE_FLAG = uint32_t{1} << 22;
constexpr uint32_t SEQUENCE_LOCKTIME_MASK = 0x0000ffff;

// Records why a check failed; returns false for a one-line "fail with reason".
bool Fail(ScriptError* error, ScriptError value)
{
    if (error) *error = value;
    return false;
}

} // namespace

TransactionSignatureChecker::TransactionSignatureChecker(const Transaction* tx, unsigned input, Amount amount,
                                                         const PrecomputedTransactionData& txdata, SignatureCache* cache)
    : m_tx{tx}, m_input{input}, m_amount{amount}, m_txdata{&txdata}, m_cache{cache}
{
}

TransactionSignatureChecker::TransactionSignatureChecker(const Transaction* tx, unsigned input, Amount amount,
                                                         SignatureCache* cache)
    : m_tx{tx}, m_input{input}, m_amount{amount}, m_txdata{nullptr}, m_cache{cache}
{
}

bool TransactionSignatureChecker::VerifyEcdsaCached(std::span<const unsigned char, 32> hash,
                                                    std::span<const unsigned char> der_sig,
                                                    std::span<const unsigned char> pubkey) const
{
    uint256 entry;
    if (m_cache) {
        entry = m_cache->EcdsaEntry(hash, der_sig, pubkey);
        if (m_cache->Contains(entry)) return true;
    }
    if (!PubKey{pubkey}.VerifyEcdsa(hash, der_sig)) return false;
    if (m_cache) m_cache->Insert(entry);
    return true;
}

bool TransactionSignatureChecker::VerifySchnorrCached(std::span<const unsigned char, 32> hash,
                                                      std::span<const unsigned char, 64> sig,
                                                      std::span<const unsigned char> pubkey) const
{
    uint256 entry;
    if (m_cache) {
        entry = m_cache->SchnorrEntry(hash, sig, pubkey);
        if (m_cache->Contains(entry)) return true;
    }
    if (!XOnlyPubKey{pubkey}.VerifySchnorr(hash, sig)) return false;
    if (m_cache) m_cache->Insert(entry);
    return true;
}

bool TransactionSignatureChecker::CheckECDSASignature(std::span<const unsigned char> sig,
                                                      std::span<const unsigned char> pubkey, const Script& script_code,
                                                      SigVersion sigversion) const
{
    if (!PubKey{pubkey}.IsValid() || sig.empty()) return false;
    // The last byte is the hash type, not part of the DER signature.
    const int hash_type = sig.back();
    const uint256 sighash = SignatureHash(script_code, *m_tx, m_input, hash_type, m_amount, sigversion, m_txdata);
    return VerifyEcdsaCached(std::span<const unsigned char, 32>{sighash.data(), 32}, sig.first(sig.size() - 1), pubkey);
}

bool TransactionSignatureChecker::CheckSchnorrSignature(std::span<const unsigned char> sig,
                                                        std::span<const unsigned char> pubkey, SigVersion sigversion,
                                                        const ScriptExecutionData& execdata, ScriptError* error) const
{
    // BIP341: 64 bytes means SIGHASH_DEFAULT; a 65th byte is an explicit hash type, which
    // must then not be 0 (else one signature would have two encodings).
    uint8_t hash_type = SIGHASH_DEFAULT;
    if (sig.size() == 65) {
        hash_type = sig[64];
        if (hash_type == SIGHASH_DEFAULT) return Fail(error, ScriptError::SCHNORR_SIG_HASHTYPE);
        sig = sig.first(64);
    } else if (sig.size() != 64) {
        return Fail(error, ScriptError::SCHNORR_SIG_SIZE);
    }
    uint256 sighash;
    if (!m_txdata || !SignatureHashSchnorr(sighash, execdata, *m_tx, m_input, hash_type, sigversion, *m_txdata)) {
        return Fail(error, ScriptError::SCHNORR_SIG_HASHTYPE);
    }
    if (!VerifySchnorrCached(std::span<const unsigned char, 32>{sighash.data(), 32},
                             std::span<const unsigned char, 64>{sig.data(), 64}, pubkey)) {
        return Fail(error, ScriptError::SCHNORR_SIG);
    }
    return true;
}

bool TransactionSignatureChecker::CheckLockTime(const ScriptNum& lock_time) const
{
    // Heights and times are not comparable: the script and the transaction must use the same kind.
    if (m_input >= m_tx->vin.size()) return false;
    const int64_t tx_lock_time = m_tx->lock_time;
    const bool script_is_height = lock_time < LOCKTIME_THRESHOLD;
    const bool tx_is_height = tx_lock_time < LOCKTIME_THRESHOLD;
    if (script_is_height != tx_is_height) return false;
    if (lock_time > tx_lock_time) return false;
    // A final input disables nLockTime for the whole transaction, which would let the
    // transaction in before the time the script demands.
    if (m_tx->vin[m_input].sequence == SEQUENCE_FINAL) return false;
    return true;
}

bool TransactionSignatureChecker::CheckSequence(const ScriptNum& sequence) const
{
    if (m_input >= m_tx->vin.size()) return false;
    const uint32_t tx_sequence = m_tx->vin[m_input].sequence;
    // BIP68 relative locks exist from version 2 on (the version compared as unsigned).
    if (static_cast<uint32_t>(m_tx->version) < 2) return false;
    if (tx_sequence & SEQUENCE_LOCKTIME_DISABLE_FLAG) return false;

    constexpr uint32_t mask = SEQUENCE_LOCKTIME_TYPE_FLAG | SEQUENCE_LOCKTIME_MASK;
    const int64_t tx_masked = tx_sequence & mask;
    const int64_t script_masked = sequence.GetInt64() & mask;
    // Blocks and 512-second units are not comparable.
    const bool script_is_blocks = script_masked < SEQUENCE_LOCKTIME_TYPE_FLAG;
    const bool tx_is_blocks = tx_masked < SEQUENCE_LOCKTIME_TYPE_FLAG;
    if (script_is_blocks != tx_is_blocks) return false;
    return script_masked <= tx_masked;
}
