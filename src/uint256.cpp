#include <uint256.h>

namespace {

constexpr char HEX_DIGITS[] = "0123456789abcdef";

int HexValue(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

} // namespace

template <size_t WIDTH>
std::string FixedBytes<WIDTH>::GetHex() const
{
    std::string hex(WIDTH * 2, '0');
    for (size_t i = 0; i < WIDTH; ++i) {
        const unsigned char b = m_data[WIDTH - 1 - i];
        hex[2 * i] = HEX_DIGITS[b >> 4];
        hex[2 * i + 1] = HEX_DIGITS[b & 0x0f];
    }
    return hex;
}

template <size_t WIDTH>
bool FixedBytes<WIDTH>::SetHexExact(std::string_view hex)
{
    if (hex.size() != WIDTH * 2) return false;
    std::array<unsigned char, WIDTH> parsed{};
    for (size_t i = 0; i < WIDTH; ++i) {
        const int hi = HexValue(hex[2 * i]);
        const int lo = HexValue(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        parsed[WIDTH - 1 - i] = static_cast<unsigned char>((hi << 4) | lo);
    }
    m_data = parsed;
    return true;
}

template class FixedBytes<20>;
template class FixedBytes<32>;

std::optional<uint160> uint160::FromHex(std::string_view hex)
{
    uint160 result;
    if (!result.SetHexExact(hex)) return std::nullopt;
    return result;
}

std::optional<uint256> uint256::FromHex(std::string_view hex)
{
    uint256 result;
    if (!result.SetHexExact(hex)) return std::nullopt;
    return result;
}
