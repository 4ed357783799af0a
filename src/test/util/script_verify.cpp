#include <test/util/script_verify.h>

#include <script/sigcache.h>
#include <streams.h>

#include <stdexcept>
#include <string>

namespace test_util {

uint32_t ParseFlags(std::string_view names)
{
    const std::optional<uint32_t> flags = ParseScriptFlags(names);
    if (!flags) throw std::invalid_argument("unknown verification flag in \"" + std::string{names} + "\"");
    return *flags;
}

std::string FlagsToString(uint32_t flags)
{
    return FormatScriptFlags(flags);
}

uint32_t AllScriptFlags()
{
    return SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_STRICTENC | SCRIPT_VERIFY_DERSIG | SCRIPT_VERIFY_LOW_S |
           SCRIPT_VERIFY_NULLDUMMY | SCRIPT_VERIFY_SIGPUSHONLY | SCRIPT_VERIFY_MINIMALDATA |
           SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS | SCRIPT_VERIFY_CLEANSTACK |
           SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY | SCRIPT_VERIFY_CHECKSEQUENCEVERIFY | SCRIPT_VERIFY_WITNESS |
           SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM | SCRIPT_VERIFY_MINIMALIF |
           SCRIPT_VERIFY_NULLFAIL | SCRIPT_VERIFY_WITNESS_PUBKEYTYPE | SCRIPT_VERIFY_CONST_SCRIPTCODE |
           SCRIPT_VERIFY_TAPROOT | SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION |
           SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS | SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE;
}

uint32_t MainnetConsensusFlags()
{
    return SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_DERSIG | SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY |
           SCRIPT_VERIFY_CHECKSEQUENCEVERIFY | SCRIPT_VERIFY_WITNESS | SCRIPT_VERIFY_NULLDUMMY |
           SCRIPT_VERIFY_TAPROOT;
}

uint32_t FillFlags(uint32_t flags)
{
    if (flags & SCRIPT_VERIFY_CLEANSTACK) flags |= SCRIPT_VERIFY_WITNESS;
    if (flags & SCRIPT_VERIFY_WITNESS) flags |= SCRIPT_VERIFY_P2SH;
    return flags;
}

uint32_t TrimFlags(uint32_t flags)
{
    if (!(flags & SCRIPT_VERIFY_P2SH)) flags &= ~uint32_t{SCRIPT_VERIFY_WITNESS};
    if (!(flags & SCRIPT_VERIFY_WITNESS)) flags &= ~uint32_t{SCRIPT_VERIFY_CLEANSTACK};
    return flags;
}

std::vector<uint32_t> SingleFlags(uint32_t flags)
{
    std::vector<uint32_t> out;
    for (uint32_t bit = 1; bit != 0; bit <<= 1) {
        if (flags & bit) out.push_back(bit);
    }
    return out;
}

ScriptError VerifyInput(const Transaction& tx, unsigned index, const std::vector<TxOut>& spent,
                        const PrecomputedTransactionData& txdata, uint32_t flags, SignatureCache* cache)
{
    const TxIn& input = tx.vin.at(index);
    const TxOut& prevout = spent.at(index);
    const TransactionSignatureChecker checker{&tx, index, prevout.value, txdata, cache};
    ScriptError error = ScriptError::UNKNOWN_ERROR;
    const bool ok = VerifyScript(input.script_sig, prevout.script_pubkey, &input.witness, flags, checker, &error);
    if (ok && error != ScriptError::OK) return ScriptError::UNKNOWN_ERROR; // success must report OK
    if (!ok && error == ScriptError::OK) return ScriptError::UNKNOWN_ERROR;
    return error;
}

std::optional<InputFailure> VerifyAllInputs(const Transaction& tx, const std::vector<TxOut>& spent,
                                            uint32_t flags, SignatureCache* cache)
{
    if (spent.size() != tx.vin.size()) throw std::invalid_argument("one spent output per input is needed");
    PrecomputedTransactionData txdata;
    txdata.Init(tx, spent);
    for (unsigned i = 0; i < tx.vin.size(); ++i) {
        const ScriptError error = VerifyInput(tx, i, spent, txdata, flags, cache);
        if (error != ScriptError::OK) return InputFailure{i, error};
    }
    return std::nullopt;
}

MutableTransaction DeserializeTransaction(std::span<const unsigned char> bytes)
{
    SpanReader reader{bytes};
    MutableTransaction tx;
    reader >> TX_WITH_WITNESS(tx);
    if (!reader.empty()) throw std::invalid_argument("bytes left after the transaction");
    return tx;
}

TxOut DeserializeTxOut(std::span<const unsigned char> bytes)
{
    SpanReader reader{bytes};
    TxOut out;
    reader >> out;
    if (!reader.empty()) throw std::invalid_argument("bytes left after the output");
    return out;
}

} // namespace test_util
