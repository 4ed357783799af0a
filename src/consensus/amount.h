#pragma once

// Amounts of bitcoin in satoshis.

#include <cstdint>

using Amount = int64_t;

inline constexpr Amount COIN = 100000000;

// No amount larger than this is valid. It is the total supply rounded up and
// is a consensus rule (outputs, their sum and the fee are checked against it),
// not a statement about how many coins exist.
inline constexpr Amount MAX_MONEY = 21000000 * COIN;

inline constexpr bool MoneyRange(Amount value) { return value >= 0 && value <= MAX_MONEY; }
