#include <script/script_num.h>

#include <climits>

bool ScriptNum::IsMinimallyEncoded(std::span<const unsigned char> bytes)
{
    if (bytes.empty()) return true;
    // The last byte carries the sign bit. If its other bits are zero it is only needed when
    // the byte before it has its top bit set (which would otherwise read as the sign); a lone
    // 0x00 or 0x80 is zero, whose minimal encoding is empty.
    if ((bytes.back() & 0x7f) != 0) return true;
    return bytes.size() > 1 && (bytes[bytes.size() - 2] & 0x80) != 0;
}

std::optional<ScriptNum> ScriptNum::Decode(std::span<const unsigned char> bytes, bool require_minimal, size_t max_size)
{
    if (bytes.size() > max_size) return std::nullopt;
    if (require_minimal && !IsMinimallyEncoded(bytes)) return std::nullopt;
    if (bytes.empty()) return ScriptNum{0};

    // max_size is at most 5 in every use, but an int64_t holds up to 8 bytes of magnitude.
    if (bytes.size() > 8) return std::nullopt;
    uint64_t magnitude = 0;
    for (size_t i = 0; i < bytes.size(); ++i) {
        magnitude |= uint64_t{bytes[i]} << (8 * i);
    }
    const uint64_t sign_bit = uint64_t{0x80} << (8 * (bytes.size() - 1));
    if (magnitude & sign_bit) {
        return ScriptNum{-static_cast<int64_t>(magnitude & ~sign_bit)};
    }
    return ScriptNum{static_cast<int64_t>(magnitude)};
}

std::vector<unsigned char> ScriptNum::Encode(int64_t value)
{
    std::vector<unsigned char> out;
    if (value == 0) return out;

    const bool negative = value < 0;
    // Through uint64_t so that INT64_MIN has a magnitude too.
    uint64_t magnitude = negative ? uint64_t{0} - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
    while (magnitude != 0) {
        out.push_back(static_cast<unsigned char>(magnitude & 0xff));
        magnitude >>= 8;
    }
    // The top bit of the last byte is the sign: add a byte when the magnitude already uses it.
    if (out.back() & 0x80) {
        out.push_back(negative ? 0x80 : 0x00);
    } else if (negative) {
        out.back() |= 0x80;
    }
    return out;
}

int ScriptNum::GetInt() const
{
    if (m_value > INT_MAX) return INT_MAX;
    if (m_value < INT_MIN) return INT_MIN;
    return static_cast<int>(m_value);
}
