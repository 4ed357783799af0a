#include <script/script_error.h>

#include <array>
#include <cstddef>

namespace {

struct ErrorText {
    ScriptError error;
    const char* name;     // as the test vectors spell it
    const char* message;  // for people
};

// Indexed by the enum value; the static_assert below keeps the two in step.
constexpr std::array<ErrorText, static_cast<size_t>(ScriptError::ERROR_COUNT)> ERROR_TEXTS{{
    {ScriptError::OK, "OK", "No error"},
    {ScriptError::UNKNOWN_ERROR, "UNKNOWN_ERROR", "Unknown error"},
    {ScriptError::EVAL_FALSE, "EVAL_FALSE", "Script evaluated without error but finished with a false/empty top stack element"},
    {ScriptError::OP_RETURN, "OP_RETURN", "OP_RETURN was encountered"},
    {ScriptError::SCRIPT_SIZE, "SCRIPT_SIZE", "Script is too big"},
    {ScriptError::PUSH_SIZE, "PUSH_SIZE", "Push value size limit exceeded"},
    {ScriptError::OP_COUNT, "OP_COUNT", "Operation limit exceeded"},
    {ScriptError::STACK_SIZE, "STACK_SIZE", "Stack size limit exceeded"},
    {ScriptError::SIG_COUNT, "SIG_COUNT", "Signature count negative or greater than pubkey count"},
    {ScriptError::PUBKEY_COUNT, "PUBKEY_COUNT", "Pubkey count negative or limit exceeded"},
    {ScriptError::VERIFY, "VERIFY", "Script failed an OP_VERIFY operation"},
    {ScriptError::EQUALVERIFY, "EQUALVERIFY", "Script failed an OP_EQUALVERIFY operation"},
    {ScriptError::CHECKMULTISIGVERIFY, "CHECKMULTISIGVERIFY", "Script failed an OP_CHECKMULTISIGVERIFY operation"},
    {ScriptError::CHECKSIGVERIFY, "CHECKSIGVERIFY", "Script failed an OP_CHECKSIGVERIFY operation"},
    {ScriptError::NUMEQUALVERIFY, "NUMEQUALVERIFY", "Script failed an OP_NUMEQUALVERIFY operation"},
    {ScriptError::BAD_OPCODE, "BAD_OPCODE", "Opcode missing or not understood"},
    {ScriptError::DISABLED_OPCODE, "DISABLED_OPCODE", "Attempted to use a disabled opcode"},
    {ScriptError::INVALID_STACK_OPERATION, "INVALID_STACK_OPERATION", "Operation not valid with the current stack size"},
    {ScriptError::INVALID_ALTSTACK_OPERATION, "INVALID_ALTSTACK_OPERATION", "Operation not valid with the current altstack size"},
    {ScriptError::UNBALANCED_CONDITIONAL, "UNBALANCED_CONDITIONAL", "Invalid OP_IF construction"},
    {ScriptError::NEGATIVE_LOCKTIME, "NEGATIVE_LOCKTIME", "Negative locktime"},
    {ScriptError::UNSATISFIED_LOCKTIME, "UNSATISFIED_LOCKTIME", "Locktime requirement not satisfied"},
    {ScriptError::SIG_HASHTYPE, "SIG_HASHTYPE", "Signature hash type missing or not understood"},
    {ScriptError::SIG_DER, "SIG_DER", "Non-canonical DER signature"},
    {ScriptError::MINIMALDATA, "MINIMALDATA", "Data push larger than necessary"},
    {ScriptError::SIG_PUSHONLY, "SIG_PUSHONLY", "Only push operators allowed in signatures"},
    {ScriptError::SIG_HIGH_S, "SIG_HIGH_S", "Non-canonical signature: S value is unnecessarily high"},
    {ScriptError::SIG_NULLDUMMY, "SIG_NULLDUMMY", "Dummy CHECKMULTISIG argument must be zero"},
    {ScriptError::PUBKEYTYPE, "PUBKEYTYPE", "Public key is neither compressed or uncompressed"},
    {ScriptError::CLEANSTACK, "CLEANSTACK", "Stack size must be exactly one after execution"},
    {ScriptError::MINIMALIF, "MINIMALIF", "OP_IF/NOTIF argument must be minimal"},
    {ScriptError::SIG_NULLFAIL, "NULLFAIL", "Signature must be zero for failed CHECK(MULTI)SIG operation"},
    {ScriptError::DISCOURAGE_UPGRADABLE_NOPS, "DISCOURAGE_UPGRADABLE_NOPS", "NOPx reserved for soft-fork upgrades"},
    {ScriptError::DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM, "DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM", "Witness version reserved for soft-fork upgrades"},
    {ScriptError::DISCOURAGE_UPGRADABLE_TAPROOT_VERSION, "DISCOURAGE_UPGRADABLE_TAPROOT_VERSION", "Taproot version reserved for soft-fork upgrades"},
    {ScriptError::DISCOURAGE_OP_SUCCESS, "DISCOURAGE_OP_SUCCESS", "OP_SUCCESSx reserved for soft-fork upgrades"},
    {ScriptError::DISCOURAGE_UPGRADABLE_PUBKEYTYPE, "DISCOURAGE_UPGRADABLE_PUBKEYTYPE", "Public key version reserved for soft-fork upgrades"},
    {ScriptError::WITNESS_PROGRAM_WRONG_LENGTH, "WITNESS_PROGRAM_WRONG_LENGTH", "Witness program has incorrect length"},
    {ScriptError::WITNESS_PROGRAM_WITNESS_EMPTY, "WITNESS_PROGRAM_WITNESS_EMPTY", "Witness program was passed an empty witness"},
    {ScriptError::WITNESS_PROGRAM_MISMATCH, "WITNESS_PROGRAM_MISMATCH", "Witness program hash mismatch"},
    {ScriptError::WITNESS_MALLEATED, "WITNESS_MALLEATED", "Witness requires empty scriptSig"},
    {ScriptError::WITNESS_MALLEATED_P2SH, "WITNESS_MALLEATED_P2SH", "Witness requires only-redeemscript scriptSig"},
    {ScriptError::WITNESS_UNEXPECTED, "WITNESS_UNEXPECTED", "Witness provided for non-witness script"},
    {ScriptError::WITNESS_PUBKEYTYPE, "WITNESS_PUBKEYTYPE", "Using non-compressed keys in segwit"},
    {ScriptError::SCHNORR_SIG_SIZE, "SCHNORR_SIG_SIZE", "Invalid Schnorr signature size"},
    {ScriptError::SCHNORR_SIG_HASHTYPE, "SCHNORR_SIG_HASHTYPE", "Invalid Schnorr signature hash type"},
    {ScriptError::SCHNORR_SIG, "SCHNORR_SIG", "Invalid Schnorr signature"},
    {ScriptError::TAPROOT_WRONG_CONTROL_SIZE, "TAPROOT_WRONG_CONTROL_SIZE", "Invalid Taproot control block size"},
    {ScriptError::TAPSCRIPT_VALIDATION_WEIGHT, "TAPSCRIPT_VALIDATION_WEIGHT", "Too much signature validation relative to witness weight"},
    {ScriptError::TAPSCRIPT_CHECKMULTISIG, "TAPSCRIPT_CHECKMULTISIG", "OP_CHECKMULTISIG(VERIFY) is not available in tapscript"},
    {ScriptError::TAPSCRIPT_MINIMALIF, "TAPSCRIPT_MINIMALIF", "OP_IF/NOTIF argument must be minimal in tapscript"},
    {ScriptError::TAPSCRIPT_EMPTY_PUBKEY, "TAPSCRIPT_EMPTY_PUBKEY", "Empty public key in tapscript"},
    {ScriptError::OP_CODESEPARATOR, "OP_CODESEPARATOR", "Using OP_CODESEPARATOR in non-witness script"},
    {ScriptError::SIG_FINDANDDELETE, "SIG_FINDANDDELETE", "Signature is found in scriptCode"},
}};

constexpr bool TableInEnumOrder()
{
    for (size_t i = 0; i < ERROR_TEXTS.size(); ++i) {
        if (static_cast<size_t>(ERROR_TEXTS[i].error) != i) return false;
    }
    return true;
}
static_assert(TableInEnumOrder());

const ErrorText* Find(ScriptError error)
{
    const auto index = static_cast<size_t>(error);
    return index < ERROR_TEXTS.size() ? &ERROR_TEXTS[index] : nullptr;
}

} // namespace

const char* ScriptErrorName(ScriptError error)
{
    const ErrorText* text = Find(error);
    return text ? text->name : "UNKNOWN_ERROR";
}

std::optional<ScriptError> ScriptErrorFromName(std::string_view name)
{
    for (const ErrorText& text : ERROR_TEXTS) {
        if (name == text.name) return text.error;
    }
    return std::nullopt;
}

const char* ScriptErrorMessage(ScriptError error)
{
    const ErrorText* text = Find(error);
    return text ? text->message : "Unknown error";
}
