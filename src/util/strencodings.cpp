#include <util/strencodings.h>

#include <array>
#include <cstdint>
#include <cstring>

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

namespace {
constexpr char BASE64_CHARS[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
} // namespace

std::string EncodeBase64(const std::string& data)
{
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 2 < data.size(); i += 3) {
        const uint32_t v = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8) | uint8_t(data[i + 2]);
        out += BASE64_CHARS[(v >> 18) & 63];
        out += BASE64_CHARS[(v >> 12) & 63];
        out += BASE64_CHARS[(v >> 6) & 63];
        out += BASE64_CHARS[v & 63];
    }
    const size_t left = data.size() - i;
    if (left > 0) {
        uint32_t v = uint8_t(data[i]) << 16;
        if (left == 2) v |= uint8_t(data[i + 1]) << 8;
        out += BASE64_CHARS[(v >> 18) & 63];
        out += BASE64_CHARS[(v >> 12) & 63];
        out += left == 2 ? BASE64_CHARS[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::optional<std::string> DecodeBase64(const std::string& text)
{
    if (text.size() % 4 != 0) return std::nullopt;
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    size_t padding = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '=') {
            // Only at the end, at most two.
            if (i + 2 < text.size()) return std::nullopt;
            ++padding;
            continue;
        }
        if (padding) return std::nullopt;
        const char* pos = std::strchr(BASE64_CHARS, c);
        if (!pos || c == '\0') return std::nullopt;
        acc = (acc << 6) | static_cast<uint32_t>(pos - BASE64_CHARS);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xff);
        }
    }
    return out;
}
