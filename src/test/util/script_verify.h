#ifndef BITCOIN_TEST_UTIL_SCRIPT_VERIFY_H
#define BITCOIN_TEST_UTIL_SCRIPT_VERIFY_H

// Flag handling and whole-transaction script verification shared by the
// vector suites (script, transaction, taproot and block tests).

#include <primitives/transaction.h>
#include <script/interpreter.h>
#include <script/script_error.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

class SignatureCache;

namespace test_util {

// Flag names as the vectors write them ("P2SH,WITNESS", "NONE", ""); throws
// std::invalid_argument on a name the interpreter does not know.
uint32_t ParseFlags(std::string_view names);
std::string FlagsToString(uint32_t flags);

// Every verification flag the vectors use (the consensus flags and the policy ones).
uint32_t AllScriptFlags();
// The flags mainnet enforces in blocks since taproot activated.
uint32_t MainnetConsensusFlags();

// Some flags only mean something on top of others: CLEANSTACK needs WITNESS,
// which needs P2SH. FillFlags adds what is missing, TrimFlags drops the flags
// whose prerequisites are absent; both yield a combination the interpreter accepts.
uint32_t FillFlags(uint32_t flags);
uint32_t TrimFlags(uint32_t flags);

// The set bits of `flags`, one value each (for "remove one flag" sweeps).
std::vector<uint32_t> SingleFlags(uint32_t flags);

// Verifies input `index` of `tx`, which spends `spent` (one output per input).
ScriptError VerifyInput(const Transaction& tx, unsigned index, const std::vector<TxOut>& spent,
                        const PrecomputedTransactionData& txdata, uint32_t flags,
                        SignatureCache* cache = nullptr);

struct InputFailure {
    unsigned index;
    ScriptError error;
};
// Verifies every input; the first failing one, nullopt when all pass.
std::optional<InputFailure> VerifyAllInputs(const Transaction& tx, const std::vector<TxOut>& spent,
                                            uint32_t flags, SignatureCache* cache = nullptr);

// Consensus deserialization (BIP144 witness format accepted); throws
// std::ios_base::failure on a malformed encoding, std::invalid_argument on bytes left over.
MutableTransaction DeserializeTransaction(std::span<const unsigned char> bytes);
// A TxOut as a script_assets prevout serializes it: 8-byte value, compact-size script.
TxOut DeserializeTxOut(std::span<const unsigned char> bytes);

} // namespace test_util

#endif
