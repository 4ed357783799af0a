// Transaction deserialization: any bytes either fail with an exception or give
// a transaction that serializes back to exactly the bytes it was read from.

#include <consensus/tx_check.h>
#include <consensus/validation.h>
#include <primitives/transaction.h>
#include <streams.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ios>
#include <vector>

namespace {

std::vector<unsigned char> Serialized(const MutableTransaction& tx, bool with_witness)
{
    DataStream out;
    if (with_witness) {
        out << TX_WITH_WITNESS(tx);
    } else {
        out << TX_NO_WITNESS(tx);
    }
    return {out.begin(), out.end()};
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::span<const unsigned char> input{data, size};
    for (const bool with_witness : {true, false}) {
        SpanReader reader{input};
        MutableTransaction tx;
        try {
            if (with_witness) {
                reader >> TX_WITH_WITNESS(tx);
            } else {
                reader >> TX_NO_WITNESS(tx);
            }
        } catch (const std::ios_base::failure&) {
            continue;
        }
        const size_t consumed = size - reader.size();
        // Without inputs the encoding is ambiguous with the BIP144 marker, so
        // such a transaction need not read back from its own bytes.
        if (!tx.vin.empty()) {
            const std::vector<unsigned char> again = Serialized(tx, with_witness);
            if (again.size() != consumed || std::memcmp(again.data(), data, consumed) != 0) std::abort();
        }
        const Transaction frozen{tx};
        if (frozen.GetHash() != tx.GetHash()) std::abort();
        if (!frozen.HasWitness() && frozen.GetWitnessHash() != frozen.GetHash()) std::abort();
        (void)GetTransactionWeight(frozen);
        (void)frozen.GetTotalSize();
        TxValidationState state;
        if (CheckTransaction(frozen, state)) {
            (void)frozen.GetValueOut(); // in money range after CheckTransaction: must not throw
        }
    }
    return 0;
}
