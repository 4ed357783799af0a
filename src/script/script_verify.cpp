// Verification of a whole input: scriptSig and scriptPubKey, then the P2SH redeem script
// (BIP16) and witness programs (BIP141 v0, BIP341/342 taproot) the scriptPubKey asks for.

#include <script/interpreter.h>

#include <crypto/hash.h>
#include <crypto/pubkey.h>
#include <crypto/sha256.h>
#include <script/hash_fields.h>
#include <script/script_reader.h>

#include <algorithm>

namespace {

const ScriptWitness EMPTY_WITNESS{};

// Keeps the first error: the return value says whether to go on.
bool Fail(ScriptError* error, ScriptError value)
{
    if (error) *error = value;
    return false;
}

bool Succeed(ScriptError* error)
{
    if (error) *error = ScriptError::OK;
    return true;
}

// The tagged-hash prefixes, each computed once.
const Sha256& TapLeafHasher()
{
    static const Sha256 hasher = TaggedHasher("TapLeaf");
    return hasher;
}

const Sha256& TapBranchHasher()
{
    static const Sha256 hasher = TaggedHasher("TapBranch");
    return hasher;
}

// Serialized size of a witness: its item count and each item with its length prefix.
size_t WitnessSerializedSize(const ScriptWitness& witness)
{
    size_t size = hash_fields::CompactSizeLength(witness.stack.size());
    for (const StackElement& item : witness.stack) size += hash_fields::CompactSizeLength(item.size()) + item.size();
    return size;
}

// Script-level rules shared by witness scripts: element size, then evaluation, then exactly
// one true element left (witness scripts always have the CLEANSTACK rule).
bool ExecuteWitnessScript(std::span<const StackElement> initial_stack, const Script& script, uint32_t flags,
                          SigVersion sigversion, const SignatureChecker& checker, ScriptExecutionData& execdata,
                          ScriptError* error)
{
    ScriptStack stack{initial_stack.begin(), initial_stack.end()};

    if (sigversion == SigVersion::TAPSCRIPT) {
        // BIP342: an OP_SUCCESSx anywhere makes the script succeed unexamined (so new opcodes can
        // be given any meaning by a soft fork); the scan itself fails on a malformed push
        // before the first OP_SUCCESSx.
        const unsigned char* pc = ScriptBegin(script);
        const unsigned char* const end = ScriptEnd(script);
        ScriptOp op;
        while (pc < end) {
            if (!ReadScriptOp(pc, end, op)) return Fail(error, ScriptError::BAD_OPCODE);
            if (IsOpSuccess(op.opcode)) {
                if (flags & SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS) return Fail(error, ScriptError::DISCOURAGE_OP_SUCCESS);
                return Succeed(error);
            }
        }
        if (stack.size() > MAX_STACK_SIZE) return Fail(error, ScriptError::STACK_SIZE);
    }

    for (const StackElement& element : stack) {
        if (element.size() > MAX_SCRIPT_ELEMENT_SIZE) return Fail(error, ScriptError::PUSH_SIZE);
    }
    if (!EvalScript(stack, script, flags, checker, sigversion, execdata, error)) return false;
    if (stack.size() != 1) return Fail(error, ScriptError::CLEANSTACK);
    if (!CastToBool(stack.back())) return Fail(error, ScriptError::EVAL_FALSE);
    return Succeed(error);
}

bool VerifyWitnessV0(const ScriptWitness& witness, const std::vector<unsigned char>& program, uint32_t flags,
                     const SignatureChecker& checker, ScriptError* error)
{
    ScriptExecutionData execdata;
    const std::span<const StackElement> items{witness.stack};
    if (program.size() == 32) {
        // P2WSH: the last item is the script, whose SHA256 the program commits to.
        if (items.empty()) return Fail(error, ScriptError::WITNESS_PROGRAM_WITNESS_EMPTY);
        const Script witness_script{std::span<const unsigned char>{items.back()}};
        uint256 hash;
        Sha256{}.Write(witness_script).Finalize(std::span<unsigned char, 32>{hash.data(), 32});
        if (!std::equal(hash.begin(), hash.end(), program.begin())) return Fail(error, ScriptError::WITNESS_PROGRAM_MISMATCH);
        return ExecuteWitnessScript(items.first(items.size() - 1), witness_script, flags, SigVersion::WITNESS_V0,
                                    checker, execdata, error);
    }
    if (program.size() == 20) {
        // P2WPKH: signature and key, checked as P2PKH against the 20-byte key hash.
        if (items.size() != 2) return Fail(error, ScriptError::WITNESS_PROGRAM_MISMATCH);
        Script script;
        script.push_back(OP_DUP);
        script.push_back(OP_HASH160);
        const auto push = PushEncoding(program);
        script.insert(script.end(), push.begin(), push.end());
        script.push_back(OP_EQUALVERIFY);
        script.push_back(OP_CHECKSIG);
        return ExecuteWitnessScript(items, script, flags, SigVersion::WITNESS_V0, checker, execdata, error);
    }
    return Fail(error, ScriptError::WITNESS_PROGRAM_WRONG_LENGTH);
}

bool VerifyTaprootCommitment(std::span<const unsigned char> control, std::span<const unsigned char> program,
                             const uint256& tapleaf_hash)
{
    const XOnlyPubKey internal{control.subspan(1, 32)};
    const XOnlyPubKey output{program};
    const uint256 root = ComputeTaprootMerkleRoot(control, tapleaf_hash);
    return output.CheckTapTweak(internal, std::span<const unsigned char, 32>{root.data(), 32}, (control[0] & 1) != 0);
}

bool VerifyTaprootScriptPath(const ScriptWitness& witness, std::span<const StackElement> items,
                             std::span<const unsigned char> program, uint32_t flags, const SignatureChecker& checker,
                             ScriptExecutionData& execdata, ScriptError* error)
{
    const StackElement& control = items.back();
    const Script script{std::span<const unsigned char>{items[items.size() - 2]}};
    if (control.size() < TAPROOT_CONTROL_BASE_SIZE || control.size() > TAPROOT_CONTROL_MAX_SIZE ||
        (control.size() - TAPROOT_CONTROL_BASE_SIZE) % TAPROOT_CONTROL_NODE_SIZE != 0) {
        return Fail(error, ScriptError::TAPROOT_WRONG_CONTROL_SIZE);
    }
    const uint8_t leaf_version = control[0] & TAPROOT_LEAF_MASK;
    execdata.tapleaf_hash = ComputeTapleafHash(leaf_version, script);
    if (!VerifyTaprootCommitment(control, program, execdata.tapleaf_hash)) {
        return Fail(error, ScriptError::WITNESS_PROGRAM_MISMATCH);
    }
    execdata.tapleaf_hash_init = true;

    if (leaf_version == TAPROOT_LEAF_TAPSCRIPT) {
        // BIP342 budget: the whole witness's size (annex and control block included) plus 50.
        execdata.validation_weight_left = static_cast<int64_t>(WitnessSerializedSize(witness)) + VALIDATION_WEIGHT_OFFSET;
        execdata.validation_weight_left_init = true;
        return ExecuteWitnessScript(items.first(items.size() - 2), script, flags, SigVersion::TAPSCRIPT, checker,
                                    execdata, error);
    }
    // Unknown leaf versions are left for future soft forks: anyone can spend them today.
    if (flags & SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION) {
        return Fail(error, ScriptError::DISCOURAGE_UPGRADABLE_TAPROOT_VERSION);
    }
    return Succeed(error);
}

bool VerifyTaproot(const ScriptWitness& witness, std::span<const unsigned char> program, uint32_t flags,
                   const SignatureChecker& checker, ScriptError* error)
{
    ScriptExecutionData execdata;
    std::span<const StackElement> items{witness.stack};
    if (items.empty()) return Fail(error, ScriptError::WITNESS_PROGRAM_WITNESS_EMPTY);

    // With two or more items, a last item starting with 0x50 is the annex: signed, otherwise
    // ignored, reserved for future use.
    if (items.size() >= 2 && !items.back().empty() && items.back()[0] == ANNEX_TAG) {
        Sha256 hasher;
        hash_fields::WriteVarBytes(hasher, items.back());
        execdata.annex_hash = hash_fields::Finish(hasher);
        execdata.annex_present = true;
        items = items.first(items.size() - 1);
    } else {
        execdata.annex_present = false;
    }
    execdata.annex_init = true;

    if (items.size() == 1) {
        // Key path: one signature for the output key itself. The checker names the failure.
        if (error) *error = ScriptError::UNKNOWN_ERROR;
        if (!checker.CheckSchnorrSignature(items.front(), program, SigVersion::TAPROOT, execdata, error)) return false;
        return Succeed(error);
    }
    return VerifyTaprootScriptPath(witness, items, program, flags, checker, execdata, error);
}

bool VerifyWitnessProgram(const ScriptWitness& witness, int version, const std::vector<unsigned char>& program,
                          uint32_t flags, const SignatureChecker& checker, ScriptError* error, bool is_p2sh)
{
    if (version == 0) return VerifyWitnessV0(witness, program, flags, checker, error);
    // Taproot is version 1 with 32 bytes, and not wrapped in P2SH (BIP341).
    if (version == 1 && program.size() == 32 && !is_p2sh) {
        if (!(flags & SCRIPT_VERIFY_TAPROOT)) return Succeed(error);
        return VerifyTaproot(witness, program, flags, checker, error);
    }
    // Other versions and sizes are reserved for soft forks and spendable by anyone until then.
    if (flags & SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM) {
        return Fail(error, ScriptError::DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM);
    }
    return Succeed(error);
}

// The last push of a push-only script (the P2SH redeem script); empty when there is none.
std::vector<unsigned char> LastPush(const Script& script_sig)
{
    const unsigned char* pc = ScriptBegin(script_sig);
    const unsigned char* const end = ScriptEnd(script_sig);
    ScriptOp op;
    std::span<const unsigned char> last;
    while (ReadScriptOp(pc, end, op)) last = op.push;
    return {last.begin(), last.end()};
}

size_t WitnessSigOps(int version, const std::vector<unsigned char>& program, const ScriptWitness& witness)
{
    if (version != 0) return 0;  // taproot signatures are bounded by the validation weight instead
    if (program.size() == 20) return 1;
    if (program.size() == 32 && !witness.stack.empty()) {
        const Script witness_script{std::span<const unsigned char>{witness.stack.back()}};
        return witness_script.GetSigOpCount(true);
    }
    return 0;
}

bool EvalsTrue(const ScriptStack& stack) { return !stack.empty() && CastToBool(stack.back()); }

} // namespace

bool VerifyScript(const Script& script_sig, const Script& script_pubkey, const ScriptWitness* witness, uint32_t flags,
                  const SignatureChecker& checker, ScriptError* error)
{
    if (!witness) witness = &EMPTY_WITNESS;
    bool had_witness = false;
    if ((flags & SCRIPT_VERIFY_SIGPUSHONLY) && !script_sig.IsPushOnly()) return Fail(error, ScriptError::SIG_PUSHONLY);

    ScriptStack stack;
    if (!EvalScript(stack, script_sig, flags, checker, SigVersion::BASE, error)) return false;
    // P2SH evaluates the redeem script on the stack the scriptSig left.
    const bool is_p2sh = (flags & SCRIPT_VERIFY_P2SH) && script_pubkey.IsPayToScriptHash();
    const ScriptStack stack_after_sig = is_p2sh ? stack : ScriptStack{};
    if (!EvalScript(stack, script_pubkey, flags, checker, SigVersion::BASE, error)) return false;
    if (!EvalsTrue(stack)) return Fail(error, ScriptError::EVAL_FALSE);

    int version;
    std::vector<unsigned char> program;
    if ((flags & SCRIPT_VERIFY_WITNESS) && script_pubkey.IsWitnessProgram(version, program)) {
        had_witness = true;
        // Native witness spends carry everything in the witness: a scriptSig would be malleable.
        if (!script_sig.empty()) return Fail(error, ScriptError::WITNESS_MALLEATED);
        if (!VerifyWitnessProgram(*witness, version, program, flags, checker, error, false)) return false;
        stack.resize(1);  // the witness rules replaced the stack check; keep CLEANSTACK satisfied
    }

    if (is_p2sh) {
        if (!script_sig.IsPushOnly()) return Fail(error, ScriptError::SIG_PUSHONLY);
        stack = stack_after_sig;
        // Not reachable with a true scriptPubKey result, since HASH160 needed an element.
        if (stack.empty()) return Fail(error, ScriptError::INVALID_STACK_OPERATION);
        const Script redeem_script{std::span<const unsigned char>{stack.back()}};
        stack.pop_back();
        if (!EvalScript(stack, redeem_script, flags, checker, SigVersion::BASE, error)) return false;
        if (!EvalsTrue(stack)) return Fail(error, ScriptError::EVAL_FALSE);

        if ((flags & SCRIPT_VERIFY_WITNESS) && redeem_script.IsWitnessProgram(version, program)) {
            had_witness = true;
            // P2SH-wrapped witness: the scriptSig must be exactly the push of the program.
            const std::vector<unsigned char> expected = PushEncoding(redeem_script);
            if (!std::equal(script_sig.begin(), script_sig.end(), expected.begin(), expected.end())) {
                return Fail(error, ScriptError::WITNESS_MALLEATED_P2SH);
            }
            if (!VerifyWitnessProgram(*witness, version, program, flags, checker, error, true)) return false;
            stack.resize(1);
        }
    }

    // CLEANSTACK is only meaningful together with P2SH and WITNESS (callers pass them along);
    // it makes extra scriptSig pushes, which nothing signs, non-standard.
    if ((flags & SCRIPT_VERIFY_CLEANSTACK) && stack.size() != 1) return Fail(error, ScriptError::CLEANSTACK);

    // A witness on an input that does not use it would be unsigned, malleable data.
    if ((flags & SCRIPT_VERIFY_WITNESS) && !had_witness && !witness->IsNull()) {
        return Fail(error, ScriptError::WITNESS_UNEXPECTED);
    }
    return Succeed(error);
}

size_t CountWitnessSigOps(const Script& script_sig, const Script& script_pubkey, const ScriptWitness* witness,
                          uint32_t flags)
{
    if (!(flags & SCRIPT_VERIFY_WITNESS)) return 0;
    if (!witness) witness = &EMPTY_WITNESS;
    int version;
    std::vector<unsigned char> program;
    if (script_pubkey.IsWitnessProgram(version, program)) return WitnessSigOps(version, program, *witness);
    if (script_pubkey.IsPayToScriptHash() && script_sig.IsPushOnly()) {
        const Script redeem_script{std::span<const unsigned char>{LastPush(script_sig)}};
        if (redeem_script.IsWitnessProgram(version, program)) return WitnessSigOps(version, program, *witness);
    }
    return 0;
}

uint256 ComputeTapleafHash(uint8_t leaf_version, std::span<const unsigned char> script)
{
    Sha256 hasher = TapLeafHasher();
    hasher.Write(std::span<const unsigned char>{&leaf_version, 1});
    hash_fields::WriteVarBytes(hasher, script);
    return hash_fields::Finish(hasher);
}

uint256 ComputeTapbranchHash(std::span<const unsigned char, 32> a, std::span<const unsigned char, 32> b)
{
    // Children are sorted, so a proof needs no left/right flags.
    Sha256 hasher = TapBranchHasher();
    if (std::lexicographical_compare(b.begin(), b.end(), a.begin(), a.end())) std::swap(a, b);
    hasher.Write(a).Write(b);
    return hash_fields::Finish(hasher);
}

uint256 ComputeTaprootMerkleRoot(std::span<const unsigned char> control, const uint256& tapleaf_hash)
{
    uint256 node = tapleaf_hash;
    for (size_t pos = TAPROOT_CONTROL_BASE_SIZE; pos + TAPROOT_CONTROL_NODE_SIZE <= control.size();
         pos += TAPROOT_CONTROL_NODE_SIZE) {
        node = ComputeTapbranchHash(std::span<const unsigned char, 32>{node.data(), 32},
                                    std::span<const unsigned char, 32>{control.data() + pos, 32});
    }
    return node;
}
