#pragma once

// Checks of a transaction on its own, without the chain or its inputs.

#include <consensus/validation.h>
#include <primitives/transaction.h>

// Fails with "bad-txns-vin-empty", "bad-txns-vout-empty", "bad-txns-oversize",
// "bad-txns-vout-negative", "bad-txns-vout-toolarge",
// "bad-txns-txouttotal-toolarge", "bad-txns-inputs-duplicate", "bad-cb-length"
// or "bad-txns-prevout-null".
bool CheckTransaction(const Transaction& tx, TxValidationState& state);
