#pragma once

// JSON values for RPC, REST, the CLI and config: nlohmann's ordered_json
// (keys keep insertion order, as Bitcoin Core prints them), plus numbers kept
// as their exact decimal text. Amounts print as "50.00000000" and a CLI
// re-printing a server's reply keeps every digit, which doubles cannot.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

using Json = nlohmann::ordered_json;

// A number written exactly as `text` (which must be a valid JSON number).
// Stored as a binary value with subtype JSON_RAW_NUMBER_SUBTYPE; only
// WriteJson knows to print it bare.
inline constexpr std::uint8_t JSON_RAW_NUMBER_SUBTYPE = 0x4e;
Json JsonRawNumber(std::string_view text);
bool IsJsonRawNumber(const Json& value);
// The text of a raw number, or of any other number value; nullopt otherwise.
std::optional<std::string> JsonNumberText(const Json& value);

// Parses a whole document. Non-integer numbers (and integers that do not fit
// 64 bits) are kept as raw numbers. nullopt on any syntax error or trailing
// garbage.
std::optional<Json> ParseJson(std::string_view text);

// Serializes like Bitcoin Core's UniValue: indent 0 is one line without
// spaces; indent > 0 pretty-prints with that many spaces. Raw numbers print
// as their text; doubles with up to 16 significant digits.
std::string WriteJson(const Json& value, int indent = 0);
