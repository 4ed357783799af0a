#pragma once

// Hexadecimal encoding of byte strings.

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
