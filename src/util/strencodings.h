#pragma once

// Hexadecimal and base64 encoding of byte strings.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// Lower-case hex, two digits a byte, in the order given.
std::string HexStr(std::span<const unsigned char> bytes);

// Even number of hex digits (either case), nothing else: no prefix, no
// spaces. std::nullopt otherwise.
std::optional<std::vector<unsigned char>> TryParseHex(std::string_view hex);

// TryParseHex, with an empty vector for invalid input (for literals in tests).
std::vector<unsigned char> ParseHex(std::string_view hex);

// RFC 4648 base64 with padding (HTTP basic authentication).
std::string EncodeBase64(const std::string& data);
// Strict: padded, no whitespace, only the standard alphabet; nullopt otherwise.
std::optional<std::string> DecodeBase64(const std::string& text);
