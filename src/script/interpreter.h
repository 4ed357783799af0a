#ifndef BITCOIN_SCRIPT_INTERPRETER_H
#define BITCOIN_SCRIPT_INTERPRETER_H

#include <primitives/transaction.h>
#include <script/script.h>
#include <script/script_error.h>
#include <script/script_num.h>
#include <script/sigcache.h>
#include <script/sighash.h>
#include <uint256.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// Script verification flags. Each one turns on a rule; consensus rules are switched on by the
// deployment that introduced them, the rest are policy (standardness) rules.
enum : uint32_t {
    SCRIPT_VERIFY_NONE = 0,
    SCRIPT_VERIFY_P2SH = 1U << 0,                  // BIP16
    SCRIPT_VERIFY_STRICTENC = 1U << 1,             // defined hash types, well-formed signatures and keys
    SCRIPT_VERIFY_DERSIG = 1U << 2,                // BIP66 strict DER
    SCRIPT_VERIFY_LOW_S = 1U << 3,                 // S at most half the order
    SCRIPT_VERIFY_NULLDUMMY = 1U << 4,             // BIP147 empty CHECKMULTISIG dummy
    SCRIPT_VERIFY_SIGPUSHONLY = 1U << 5,           // scriptSig only pushes
    SCRIPT_VERIFY_MINIMALDATA = 1U << 6,           // BIP62 minimal pushes and numbers
    SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS = 1U << 7,
    SCRIPT_VERIFY_CLEANSTACK = 1U << 8,            // exactly one stack element left
    SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY = 1U << 9,   // BIP65
    SCRIPT_VERIFY_CHECKSEQUENCEVERIFY = 1U << 10,  // BIP112
    SCRIPT_VERIFY_WITNESS = 1U << 11,              // BIP141
    SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM = 1U << 12,
    SCRIPT_VERIFY_MINIMALIF = 1U << 13,            // segwit v0 IF argument empty or 1
    SCRIPT_VERIFY_NULLFAIL = 1U << 14,             // a failing signature must be empty
    SCRIPT_VERIFY_WITNESS_PUBKEYTYPE = 1U << 15,   // segwit v0 keys compressed
    SCRIPT_VERIFY_CONST_SCRIPTCODE = 1U << 16,     // no OP_CODESEPARATOR / FindAndDelete hit in legacy
    SCRIPT_VERIFY_TAPROOT = 1U << 17,              // BIP341/342
    SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION = 1U << 18,
    SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS = 1U << 19,
    SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE = 1U << 20,
};

// "P2SH,STRICTENC" -> bits; "" and "NONE" -> 0; nullopt when a name is unknown.
std::optional<uint32_t> ParseScriptFlags(std::string_view comma_separated);
// Bits -> "P2SH,STRICTENC" in bit order ("" for 0).
std::string FormatScriptFlags(uint32_t flags);

// Limits that belong to evaluation (the script size and element limits live in script.h).
static constexpr size_t MAX_STACK_SIZE = 1000;                   // main + alt stack
static constexpr int64_t VALIDATION_WEIGHT_PER_SIGOP_PASSED = 50; // BIP342
static constexpr int64_t VALIDATION_WEIGHT_OFFSET = 50;           // BIP342

// Taproot (BIP341) constants.
static constexpr uint8_t TAPROOT_LEAF_MASK = 0xfe;
static constexpr uint8_t TAPROOT_LEAF_TAPSCRIPT = 0xc0;
static constexpr size_t TAPROOT_CONTROL_BASE_SIZE = 33;
static constexpr size_t TAPROOT_CONTROL_NODE_SIZE = 32;
static constexpr size_t TAPROOT_CONTROL_MAX_NODE_COUNT = 128;
static constexpr size_t TAPROOT_CONTROL_MAX_SIZE =
    TAPROOT_CONTROL_BASE_SIZE + TAPROOT_CONTROL_NODE_SIZE * TAPROOT_CONTROL_MAX_NODE_COUNT;
static constexpr uint8_t ANNEX_TAG = 0x50;

using StackElement = std::vector<unsigned char>;
using ScriptStack = std::vector<StackElement>;

// What the interpreter asks about the transaction. The base implementation knows no
// transaction: every signature and lock check fails (enough for scripts without them).
class SignatureChecker {
public:
    virtual ~SignatureChecker() = default;

    // sig is DER plus the hash type byte; pubkey is the serialized key as pushed.
    virtual bool CheckECDSASignature(std::span<const unsigned char> sig, std::span<const unsigned char> pubkey,
                                     const Script& script_code, SigVersion sigversion) const;
    // sig is 64 or 65 bytes (with hash type), pubkey 32 bytes. On failure sets error to
    // SCHNORR_SIG_SIZE, SCHNORR_SIG_HASHTYPE or SCHNORR_SIG.
    virtual bool CheckSchnorrSignature(std::span<const unsigned char> sig, std::span<const unsigned char> pubkey,
                                       SigVersion sigversion, const ScriptExecutionData& execdata,
                                       ScriptError* error = nullptr) const;
    virtual bool CheckLockTime(const ScriptNum& lock_time) const;
    virtual bool CheckSequence(const ScriptNum& sequence) const;
};

// Checks signatures against input `input` of tx, which spends `amount`.
// txdata (and cache) must outlive the checker.
class TransactionSignatureChecker : public SignatureChecker {
public:
    TransactionSignatureChecker(const Transaction* tx, unsigned input, Amount amount,
                                const PrecomputedTransactionData& txdata, SignatureCache* cache = nullptr);
    // Without precomputed data: legacy and BIP143 hashes are computed per signature, taproot
    // signatures fail.
    TransactionSignatureChecker(const Transaction* tx, unsigned input, Amount amount, SignatureCache* cache = nullptr);

    bool CheckECDSASignature(std::span<const unsigned char> sig, std::span<const unsigned char> pubkey,
                             const Script& script_code, SigVersion sigversion) const override;
    bool CheckSchnorrSignature(std::span<const unsigned char> sig, std::span<const unsigned char> pubkey,
                               SigVersion sigversion, const ScriptExecutionData& execdata,
                               ScriptError* error = nullptr) const override;
    bool CheckLockTime(const ScriptNum& lock_time) const override;
    bool CheckSequence(const ScriptNum& sequence) const override;

private:
    bool VerifyEcdsaCached(std::span<const unsigned char, 32> hash, std::span<const unsigned char> der_sig,
                           std::span<const unsigned char> pubkey) const;
    bool VerifySchnorrCached(std::span<const unsigned char, 32> hash, std::span<const unsigned char, 64> sig,
                             std::span<const unsigned char> pubkey) const;

    const Transaction* m_tx;
    unsigned m_input;
    Amount m_amount;
    const PrecomputedTransactionData* m_txdata;
    SignatureCache* m_cache;
};

// Runs one script on stack. execdata carries taproot state (tapscript only); the overload without
// it is for BASE and WITNESS_V0. error receives OK or the reason for failure.
bool EvalScript(ScriptStack& stack, const Script& script, uint32_t flags, const SignatureChecker& checker,
                SigVersion sigversion, ScriptExecutionData& execdata, ScriptError* error = nullptr);
bool EvalScript(ScriptStack& stack, const Script& script, uint32_t flags, const SignatureChecker& checker,
                SigVersion sigversion, ScriptError* error = nullptr);

// Full verification of an input: scriptSig, scriptPubKey, P2SH redeem script and witness
// programs (v0, taproot) as the flags enable them. witness may be null (no witness).
bool VerifyScript(const Script& script_sig, const Script& script_pubkey, const ScriptWitness* witness, uint32_t flags,
                  const SignatureChecker& checker, ScriptError* error = nullptr);

// Signature operations of an input's witness program (BIP141 sigop cost: P2WPKH counts 1,
// P2WSH the accurate count of its witness script; taproot 0).
size_t CountWitnessSigOps(const Script& script_sig, const Script& script_pubkey, const ScriptWitness* witness,
                          uint32_t flags);

// A stack element as a boolean: false for any encoding of zero, negative zero included.
bool CastToBool(std::span<const unsigned char> element);

// Removes every occurrence of pattern that starts at an opcode boundary of script (legacy
// signature hashing removes the signature this way); returns how many were removed.
int FindAndDelete(Script& script, std::span<const unsigned char> pattern);
// The push of data as the original script builder encodes it: direct push below 76 bytes,
// else PUSHDATA1/2/4 (never OP_n). FindAndDelete patterns and the P2SH-witness scriptSig use it.
std::vector<unsigned char> PushEncoding(std::span<const unsigned char> data);

// BIP342 OP_SUCCESSx opcodes.
bool IsOpSuccess(opcodetype opcode);

// BIP341 tree hashes.
uint256 ComputeTapleafHash(uint8_t leaf_version, std::span<const unsigned char> script);
uint256 ComputeTapbranchHash(std::span<const unsigned char, 32> a, std::span<const unsigned char, 32> b);
// Merkle root reached from tapleaf_hash along the path of control (33 + 32k bytes).
uint256 ComputeTaprootMerkleRoot(std::span<const unsigned char> control, const uint256& tapleaf_hash);

#endif // BITCOIN_SCRIPT_INTERPRETER_H
