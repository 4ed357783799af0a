#pragma once

// Bech32 (BIP173) and bech32m (BIP350) strings: a human-readable part (HRP),
// the separator '1', and data in 5-bit groups followed by a 6-character BCH
// checksum. The two encodings differ only in the constant the checksum is
// XORed with; the decoder tells which one a string carries.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

enum class Bech32Encoding { INVALID, BECH32, BECH32M };

// Segwit addresses and most other uses stay within 90 characters (BIP173).
inline constexpr size_t BECH32_MAX_LENGTH = 90;
inline constexpr size_t BECH32_CHECKSUM_LENGTH = 6;

// The lower-case string for hrp and the 5-bit values, with the checksum of
// `encoding`. Empty when the input cannot be encoded: encoding INVALID, empty
// HRP, an HRP character outside 33..126, or a value >= 32. Upper-case HRP
// letters are lowered (the checksum covers the lower-case form).
std::string Bech32Encode(Bech32Encoding encoding, const std::string& hrp,
                         const std::vector<uint8_t>& values5);

struct Bech32Decoded {
    Bech32Encoding encoding = Bech32Encoding::INVALID; // INVALID on any error
    std::string hrp;                                   // lower case
    std::vector<uint8_t> data;                         // 5-bit values, checksum removed
};

// Checks everything BIP173 asks of a string: characters in 33..126, not mixed
// case, at most max_length characters, a non-empty HRP, at least 6 checksum
// characters after the last '1', data characters from the bech32 alphabet, and
// a checksum that verifies as bech32 or bech32m (which one is returned).
Bech32Decoded Bech32Decode(std::string_view str, size_t max_length = BECH32_MAX_LENGTH);

// Why a string failed to decode, and where (indices into the string) the
// errors are, when they can be found: a bad character or a separator problem
// points at that character; a checksum failure is searched for up to two
// substituted characters in the data part under either checksum constant.
// positions is empty when the errors cannot be located.
struct Bech32ErrorReport {
    std::string message; // empty when the string is valid
    std::vector<size_t> positions;
};
Bech32ErrorReport Bech32LocateErrors(std::string_view str, size_t max_length = BECH32_MAX_LENGTH);

// Regroups a bit stream from FromBits-bit to ToBits-bit values, most
// significant bit first, appending to `out`. With Pad, a last partial group is
// zero-padded; without it (decoding), the leftover bits must be fewer than
// FromBits and all zero, or the conversion fails (BIP173's rule against
// extra or non-zero padding). Input values must fit in FromBits bits.
template <int FromBits, int ToBits, bool Pad>
bool ConvertBits(std::vector<uint8_t>& out, std::span<const uint8_t> in)
{
    static_assert(FromBits > 0 && FromBits <= 8 && ToBits > 0 && ToBits <= 8);
    constexpr uint32_t to_mask = (uint32_t{1} << ToBits) - 1;
    uint32_t accumulator = 0;
    int bits = 0;
    for (uint8_t value : in) {
        if (value >> FromBits) return false;
        accumulator = ((accumulator << FromBits) | value) & ((uint32_t{1} << (FromBits + ToBits - 1)) - 1);
        bits += FromBits;
        while (bits >= ToBits) {
            bits -= ToBits;
            out.push_back(static_cast<uint8_t>((accumulator >> bits) & to_mask));
        }
    }
    if constexpr (Pad) {
        if (bits > 0) out.push_back(static_cast<uint8_t>((accumulator << (ToBits - bits)) & to_mask));
        return true;
    } else {
        return bits < FromBits && ((accumulator << (ToBits - bits)) & to_mask) == 0;
    }
}
