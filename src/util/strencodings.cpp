#include <util/strencodings.h>

#include <array>
#include <cstdint>

namespace {

constexpr char HEX_DIGITS[] = "0123456789abcdef";

// Value of each ASCII character as a hex digit, -1 if it is not one. A table
// keeps parsing free of branches on the character class.
constexpr std::array<int8_t, 256> MakeHexValues()
{
    std::array<int8_t, 256> values{};
    values.fill(-1);
    for (int i = 0; i < 10; ++i) values['0' + i] = int8_t(i);
    for (int i = 0; i < 6; ++i) {
        values['a' + i] = int8_t(10 + i);
        values['A' + i] = int8_t(10 + i);
    }
    return values;
}
constexpr std::array<int8_t, 256> HEX_VALUES = MakeHexValues();

} // namespace

std::string HexStr(std::span<const unsigned char> bytes)
{
    std::string out(bytes.size() * 2, '\0');
    for (size_t i = 0; i < bytes.size(); ++i) {
        out[2 * i] = HEX_DIGITS[bytes[i] >> 4];
        out[2 * i + 1] = HEX_DIGITS[bytes[i] & 0x0f];
    }
    return out;
}

std::optional<std::vector<unsigned char>> TryParseHex(std::string_view hex)
{
    if (hex.size() % 2 != 0) return std::nullopt;
    std::vector<unsigned char> out(hex.size() / 2);
    for (size_t i = 0; i < out.size(); ++i) {
        const int high = HEX_VALUES[static_cast<unsigned char>(hex[2 * i])];
        const int low = HEX_VALUES[static_cast<unsigned char>(hex[2 * i + 1])];
        if (high < 0 || low < 0) return std::nullopt;
        out[i] = static_cast<unsigned char>((high << 4) | low);
    }
    return out;
}

std::vector<unsigned char> ParseHex(std::string_view hex)
{
    return TryParseHex(hex).value_or(std::vector<unsigned char>{});
}
