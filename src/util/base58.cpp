#include <util/base58.h>

#include <crypto/hash.h>

#include <algorithm>
#include <array>
#include <cstdint>

namespace {

constexpr char ALPHABET[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
constexpr size_t CHECKSUM_SIZE = 4;

constexpr std::array<int8_t, 256> make_digit_values()
{
    std::array<int8_t, 256> table{};
    table.fill(-1);
    for (int i = 0; i < 58; ++i) table[static_cast<unsigned char>(ALPHABET[i])] = static_cast<int8_t>(i);
    return table;
}
constexpr std::array<int8_t, 256> DIGIT_VALUES = make_digit_values();

bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

std::array<unsigned char, CHECKSUM_SIZE> checksum(std::span<const unsigned char> payload)
{
    std::array<unsigned char, Hash256::OUTPUT_SIZE> hash;
    Hash256{}.Write(payload).Finalize(hash);
    std::array<unsigned char, CHECKSUM_SIZE> out;
    std::copy_n(hash.begin(), CHECKSUM_SIZE, out.begin());
    return out;
}

} // namespace

std::string EncodeBase58(std::span<const unsigned char> bytes)
{
    const size_t zeros = std::find_if(bytes.begin(), bytes.end(), [](unsigned char b) { return b != 0; }) - bytes.begin();
    // The number in base 58, least significant digit first.
    std::vector<uint8_t> digits;
    digits.reserve((bytes.size() - zeros) * 138 / 100 + 1); // log(256)/log(58) < 1.38
    for (size_t i = zeros; i < bytes.size(); ++i) {
        uint32_t carry = bytes[i];
        for (uint8_t& digit : digits) {
            carry += uint32_t{digit} << 8;
            digit = static_cast<uint8_t>(carry % 58);
            carry /= 58;
        }
        while (carry > 0) {
            digits.push_back(static_cast<uint8_t>(carry % 58));
            carry /= 58;
        }
    }
    std::string out(zeros, '1');
    out.reserve(zeros + digits.size());
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) out.push_back(ALPHABET[*it]);
    return out;
}

std::optional<std::vector<unsigned char>> DecodeBase58(std::string_view str, size_t max_len)
{
    while (!str.empty() && is_space(str.front())) str.remove_prefix(1);
    while (!str.empty() && is_space(str.back())) str.remove_suffix(1);

    size_t zeros = 0;
    while (zeros < str.size() && str[zeros] == '1') ++zeros;
    if (zeros > max_len) return std::nullopt;
    // The number in base 256, least significant byte first; never longer
    // than what max_len still allows, so the work stays bounded.
    const size_t number_limit = max_len - zeros;
    std::vector<unsigned char> number;
    for (size_t i = zeros; i < str.size(); ++i) {
        const int value = DIGIT_VALUES[static_cast<unsigned char>(str[i])];
        if (value < 0) return std::nullopt;
        uint32_t carry = static_cast<uint32_t>(value);
        for (unsigned char& byte : number) {
            carry += uint32_t{byte} * 58;
            byte = static_cast<unsigned char>(carry & 0xff);
            carry >>= 8;
        }
        while (carry > 0) {
            if (number.size() == number_limit) return std::nullopt;
            number.push_back(static_cast<unsigned char>(carry & 0xff));
            carry >>= 8;
        }
    }
    std::vector<unsigned char> out(zeros, 0);
    out.insert(out.end(), number.rbegin(), number.rend());
    return out;
}

std::string EncodeBase58Check(std::span<const unsigned char> payload)
{
    std::vector<unsigned char> bytes(payload.begin(), payload.end());
    const auto check = checksum(payload);
    bytes.insert(bytes.end(), check.begin(), check.end());
    return EncodeBase58(bytes);
}

std::optional<std::vector<unsigned char>> DecodeBase58Check(std::string_view str, size_t max_len)
{
    const size_t limit = max_len > SIZE_MAX - CHECKSUM_SIZE ? SIZE_MAX : max_len + CHECKSUM_SIZE;
    auto bytes = DecodeBase58(str, limit);
    if (!bytes || bytes->size() < CHECKSUM_SIZE) return std::nullopt;
    const size_t payload_size = bytes->size() - CHECKSUM_SIZE;
    const auto expected = checksum(std::span{*bytes}.first(payload_size));
    if (!std::equal(expected.begin(), expected.end(), bytes->begin() + payload_size)) return std::nullopt;
    bytes->resize(payload_size);
    return bytes;
}
