// Script evaluation with fuzzed flags and a fuzzed signature version. The
// checker is either a dummy whose answers come from the signature bytes, so
// both outcomes of every signature and lock-time check are reachable, or
// (mode bit 3) a real TransactionSignatureChecker over a fixed transaction,
// so signature hashing (FindAndDelete, OP_CODESEPARATOR positions, BIP143,
// BIP341/342) runs on fuzzed scripts and signatures. Input layout (also used
// by the seed generator): 4 bytes flags (little-endian), 1 mode byte, then
//   mode bit 2 clear: the script for EvalScript, sigversion = mode & 3;
//   mode bit 2 set:   VerifyScript over length-prefixed pieces (2-byte
//                     little-endian length each): scriptSig, scriptPubKey,
//                     then the witness stack elements.

#include <fuzz/eval_input.h>
#include <script/interpreter.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace {

// Signatures are "valid" when their first byte is odd; lock times when even.
class ParityChecker : public SignatureChecker {
public:
    bool CheckECDSASignature(std::span<const unsigned char> sig, std::span<const unsigned char>, const Script&,
                             SigVersion) const override
    {
        return !sig.empty() && (sig[0] & 1);
    }
    bool CheckSchnorrSignature(std::span<const unsigned char> sig, std::span<const unsigned char>, SigVersion,
                               const ScriptExecutionData&, ScriptError* error) const override
    {
        const bool ok = !sig.empty() && (sig[0] & 1);
        if (!ok && error) *error = ScriptError::SCHNORR_SIG;
        return ok;
    }
    bool CheckLockTime(const ScriptNum& lock_time) const override { return (lock_time.GetInt64() & 1) == 0; }
    bool CheckSequence(const ScriptNum& sequence) const override { return (sequence.GetInt64() & 1) == 0; }
};

// One input spending a taproot-shaped output, one output; both precomputed
// hash sets ready, so every signature version can hash.
struct FixedSpend {
    Transaction tx;
    PrecomputedTransactionData txdata;

    static MutableTransaction Build()
    {
        MutableTransaction m;
        m.version = 2;
        TxIn in;
        in.prevout.hash = uint256{uint8_t{1}};
        in.prevout.n = 0;
        m.vin.push_back(in);
        TxOut out;
        out.value = 1000;
        m.vout.push_back(out);
        return m;
    }
    FixedSpend() : tx{Build()}
    {
        TxOut spent;
        spent.value = 2000;
        spent.script_pubkey = Script(34, 0);
        spent.script_pubkey[0] = 0x51;
        spent.script_pubkey[1] = 0x20;
        txdata.Init(tx, {spent}, /*force=*/true);
    }
};

// The interpreter requires CLEANSTACK only with WITNESS and WITNESS only with P2SH.
uint32_t ConsistentFlags(uint32_t flags)
{
    flags &= (1U << 21) - 1;
    if (!(flags & SCRIPT_VERIFY_P2SH)) flags &= ~uint32_t{SCRIPT_VERIFY_WITNESS};
    if (!(flags & SCRIPT_VERIFY_WITNESS)) flags &= ~uint32_t{SCRIPT_VERIFY_CLEANSTACK};
    return flags;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const fuzz::EvalInput input = fuzz::ParseEvalInput({data, size});
    const uint32_t flags = ConsistentFlags(input.flags);
    static const FixedSpend spend;
    const ParityChecker parity_checker;
    const TransactionSignatureChecker tx_checker{&spend.tx, 0, 2000, spend.txdata};
    const SignatureChecker& checker = input.real_checker ? static_cast<const SignatureChecker&>(tx_checker)
                                                         : static_cast<const SignatureChecker&>(parity_checker);
    ScriptError error = ScriptError::UNKNOWN_ERROR;
    if (!input.verify) {
        static constexpr SigVersion VERSIONS[] = {SigVersion::BASE, SigVersion::WITNESS_V0, SigVersion::TAPROOT,
                                                  SigVersion::TAPSCRIPT};
        const SigVersion sigversion = VERSIONS[input.sigversion & 3];
        if (sigversion == SigVersion::TAPROOT) return 0; // never evaluated as a script
        ScriptStack stack;
        ScriptExecutionData execdata;
        execdata.codeseparator_pos_init = true;
        execdata.tapleaf_hash_init = true;
        execdata.annex_init = true;
        execdata.validation_weight_left_init = true;
        execdata.validation_weight_left = 50 + static_cast<int64_t>(input.script.size());
        const bool ok = EvalScript(stack, input.script, flags, checker, sigversion, execdata, &error);
        if (ok != (error == ScriptError::OK)) std::abort();
        return 0;
    }
    const bool ok = VerifyScript(input.script_sig, input.script_pubkey, &input.witness, flags, checker, &error);
    if (ok != (error == ScriptError::OK)) std::abort();
    return 0;
}
