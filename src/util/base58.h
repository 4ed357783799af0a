#pragma once

// Base58 (the alphabet without 0, O, I and l) and Base58Check (payload plus
// the first four bytes of its double SHA-256), as used by legacy addresses,
// WIF private keys and BIP32 extended keys.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// Each leading zero byte becomes a '1'; the rest is the big-endian number in
// base 58.
std::string EncodeBase58(std::span<const unsigned char> bytes);

// The bytes of a Base58 string, or nullopt when it holds a character outside
// the alphabet or decodes to more than max_len bytes. Leading and trailing
// ASCII whitespace is ignored (as Bitcoin Core does); whitespace inside is an
// error. Work is bounded by str.size() * max_len whatever the input.
std::optional<std::vector<unsigned char>> DecodeBase58(std::string_view str, size_t max_len);

// payload followed by its 4-byte checksum, in Base58.
std::string EncodeBase58Check(std::span<const unsigned char> payload);

// The payload (at most max_len bytes, checksum removed), or nullopt when the
// string is not Base58, is too long, is shorter than a checksum, or its
// checksum does not match.
std::optional<std::vector<unsigned char>> DecodeBase58Check(std::string_view str, size_t max_len);
