#ifndef BITCOIN_TEST_UTIL_SCRIPT_NOTATION_H
#define BITCOIN_TEST_UTIL_SCRIPT_NOTATION_H

// The human-readable script notation of Bitcoin Core's JSON vectors
// (script_tests.json, tx_valid.json, tx_invalid.json). Tokens are separated by
// whitespace:
//   - an opcode name, with or without its OP_ prefix ("DUP", "OP_CHECKSIG");
//   - a decimal integer, pushed as a script number (-1 and 0..16 become the
//     small-number opcodes, anything else a minimal data push);
//   - 0x followed by hex digits: the bytes are inserted verbatim (they may
//     hold a push opcode and its data written as two tokens, or a deliberately
//     malformed script);
//   - 'text' in single quotes: the text pushed as data with the smallest push.

#include <script/script.h>

#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace test_util {

// Throws std::invalid_argument naming the token it does not understand.
std::vector<unsigned char> AssembleScriptBytes(std::string_view notation);
Script AssembleScript(std::string_view notation);

// Opcode byte for a name in the notation (with or without OP_), if it is one.
std::optional<unsigned char> NotationOpcode(std::string_view name);

// Appends the push of `data` with the smallest push opcode.
void AppendPush(std::vector<unsigned char>& script, std::span<const unsigned char> data);

} // namespace test_util

#endif
