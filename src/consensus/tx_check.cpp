#include <consensus/tx_check.h>

#include <consensus/consensus.h>
#include <serialize.h>

#include <algorithm>
#include <vector>

namespace {

bool HasDuplicateInputs(const Transaction& tx)
{
    std::vector<const OutPoint*> prevouts;
    prevouts.reserve(tx.vin.size());
    for (const TxIn& in : tx.vin) prevouts.push_back(&in.prevout);
    const auto less = [](const OutPoint* a, const OutPoint* b) { return *a < *b; };
    const auto equal = [](const OutPoint* a, const OutPoint* b) { return *a == *b; };
    std::sort(prevouts.begin(), prevouts.end(), less);
    return std::adjacent_find(prevouts.begin(), prevouts.end(), equal) != prevouts.end();
}

} // namespace

bool CheckTransaction(const Transaction& tx, TxValidationState& state)
{
    if (tx.vin.empty()) return state.Invalid(TxValidationResult::CONSENSUS, "bad-txns-vin-empty");
    if (tx.vout.empty()) return state.Invalid(TxValidationResult::CONSENSUS, "bad-txns-vout-empty");

    // Witness data has its own limit (block weight); this bounds the rest.
    SizeComputer stripped;
    SerializeTransaction(stripped, tx, false);
    if (stripped.size() * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT) {
        return state.Invalid(TxValidationResult::CONSENSUS, "bad-txns-oversize");
    }

    Amount total = 0;
    for (const TxOut& out : tx.vout) {
        if (out.value < 0) return state.Invalid(TxValidationResult::CONSENSUS, "bad-txns-vout-negative");
        if (out.value > MAX_MONEY) return state.Invalid(TxValidationResult::CONSENSUS, "bad-txns-vout-toolarge");
        total += out.value; // both terms are at most MAX_MONEY: no overflow
        if (!MoneyRange(total)) return state.Invalid(TxValidationResult::CONSENSUS, "bad-txns-txouttotal-toolarge");
    }

    // Spending one output twice inside a transaction would create money.
    if (HasDuplicateInputs(tx)) return state.Invalid(TxValidationResult::CONSENSUS, "bad-txns-inputs-duplicate");

    if (tx.IsCoinBase()) {
        const size_t length = tx.vin[0].script_sig.size();
        if (length < 2 || length > 100) return state.Invalid(TxValidationResult::CONSENSUS, "bad-cb-length");
    } else {
        for (const TxIn& in : tx.vin) {
            if (in.prevout.IsNull()) return state.Invalid(TxValidationResult::CONSENSUS, "bad-txns-prevout-null");
        }
    }
    return true;
}
