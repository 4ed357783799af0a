#include <util/bech32.h>

#include <algorithm>
#include <array>
#include <optional>
#include <unordered_map>
#include <utility>

namespace {

constexpr char CHARSET[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

// What the checksum residue must equal for each encoding (BIP173, BIP350).
constexpr uint32_t BECH32_CONSTANT = 1;
constexpr uint32_t BECH32M_CONSTANT = 0x2bc830a3;

// Alphabet position of each ASCII character, -1 outside the alphabet. Both
// cases map, since the decoder lowers only after the mixed-case check.
constexpr std::array<int8_t, 128> make_reverse_charset()
{
    std::array<int8_t, 128> table{};
    table.fill(-1);
    for (int i = 0; i < 32; ++i) {
        const char c = CHARSET[i];
        table[static_cast<unsigned char>(c)] = static_cast<int8_t>(i);
        if (c >= 'a' && c <= 'z') table[static_cast<unsigned char>(c - 'a' + 'A')] = static_cast<int8_t>(i);
    }
    return table;
}
constexpr std::array<int8_t, 128> REVERSE_CHARSET = make_reverse_charset();

// One step of the BCH code's remainder computation: multiply the running
// remainder by x and add `value`, reducing modulo the generator (BIP173).
constexpr uint32_t polymod_step(uint32_t checksum, uint8_t value)
{
    constexpr uint32_t GENERATOR[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    const uint32_t top = checksum >> 25;
    checksum = ((checksum & 0x1ffffff) << 5) ^ value;
    for (int i = 0; i < 5; ++i) {
        if ((top >> i) & 1) checksum ^= GENERATOR[i];
    }
    return checksum;
}

// The HRP enters the checksum as the high bits of each character, a zero,
// then the low five bits of each character.
std::vector<uint8_t> expand_hrp(std::string_view hrp)
{
    std::vector<uint8_t> out;
    out.reserve(hrp.size() * 2 + 1);
    for (char c : hrp) out.push_back(static_cast<uint8_t>(static_cast<unsigned char>(c) >> 5));
    out.push_back(0);
    for (char c : hrp) out.push_back(static_cast<uint8_t>(c & 31));
    return out;
}

uint32_t polymod(std::span<const uint8_t> values, uint32_t checksum = 1)
{
    for (uint8_t v : values) checksum = polymod_step(checksum, v);
    return checksum;
}

uint32_t encoding_constant(Bech32Encoding encoding)
{
    return encoding == Bech32Encoding::BECH32M ? BECH32M_CONSTANT : BECH32_CONSTANT;
}

bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
char to_lower(char c) { return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }
bool in_printable_range(char c) { return c >= 33 && c <= 126; }

// The checksum residue of hrp + data (data including its 6 checksum values).
uint32_t residue(std::string_view lower_hrp, std::span<const uint8_t> data)
{
    return polymod(data, polymod(expand_hrp(lower_hrp)));
}

// The structural checks of BIP173, in the order a reader would notice them.
// Returns the error message and position, or nullopt when the string is well
// formed (its checksum is not looked at here).
struct StructureError {
    std::string message;
    std::optional<size_t> position;
};
std::optional<StructureError> check_structure(std::string_view str, size_t max_length)
{
    bool lower = false, upper = false;
    for (size_t i = 0; i < str.size(); ++i) {
        const char c = str[i];
        if (!in_printable_range(c)) return StructureError{"Invalid character", i};
        lower |= is_lower(c);
        upper |= is_upper(c);
    }
    if (lower && upper) return StructureError{"Mixed case", std::nullopt};
    if (str.size() > max_length) return StructureError{"Bech32 string too long", max_length};
    const size_t separator = str.rfind('1');
    if (separator == std::string_view::npos) return StructureError{"Missing separator", std::nullopt};
    if (separator == 0) return StructureError{"Empty human-readable part", 0};
    if (str.size() - separator - 1 < BECH32_CHECKSUM_LENGTH) {
        return StructureError{"Invalid separator position", separator};
    }
    for (size_t i = separator + 1; i < str.size(); ++i) {
        if (REVERSE_CHARSET[static_cast<unsigned char>(str[i])] < 0) {
            return StructureError{"Invalid data character", i};
        }
    }
    return std::nullopt;
}

// Up to two substituted data characters explaining `syndrome` (the residue
// XOR the expected constant). Indices are into the data values. The code is
// linear, residue(v xor e) = residue(v) xor effect(e), and an error e at a
// value followed by k more values has effect step^k(e). The code's distance
// (at least 5 within 90 characters, BIP173) makes a solution of weight <= 2
// unique.
std::optional<std::vector<size_t>> find_substitutions(uint32_t syndrome, size_t data_size)
{
    if (syndrome == 0) return std::vector<size_t>{};
    std::vector<std::array<uint32_t, 32>> effects(data_size);
    for (size_t i = data_size; i-- > 0;) {
        for (uint8_t e = 0; e < 32; ++e) {
            effects[i][e] = i + 1 == data_size ? e : polymod_step(effects[i + 1][e], 0);
        }
    }
    std::unordered_map<uint32_t, size_t> single; // effect -> index
    for (size_t i = 0; i < data_size; ++i) {
        for (uint8_t e = 1; e < 32; ++e) {
            if (effects[i][e] == syndrome) return std::vector<size_t>{i};
            single.emplace(effects[i][e], i);
        }
    }
    for (size_t i = 0; i < data_size; ++i) {
        for (uint8_t e = 1; e < 32; ++e) {
            auto other = single.find(syndrome ^ effects[i][e]);
            if (other != single.end() && other->second != i) {
                return std::vector<size_t>{std::min(i, other->second), std::max(i, other->second)};
            }
        }
    }
    return std::nullopt;
}

// The lower-cased HRP and the data values (checksum included) of a string
// that passed check_structure.
std::pair<std::string, std::vector<uint8_t>> split(std::string_view str)
{
    const size_t separator = str.rfind('1');
    std::string hrp;
    hrp.reserve(separator);
    for (char c : str.substr(0, separator)) hrp.push_back(to_lower(c));
    std::vector<uint8_t> data;
    data.reserve(str.size() - separator - 1);
    for (char c : str.substr(separator + 1)) {
        data.push_back(static_cast<uint8_t>(REVERSE_CHARSET[static_cast<unsigned char>(c)]));
    }
    return {std::move(hrp), std::move(data)};
}

} // namespace

std::string Bech32Encode(Bech32Encoding encoding, const std::string& hrp, const std::vector<uint8_t>& values5)
{
    if (encoding == Bech32Encoding::INVALID || hrp.empty()) return {};
    std::string lower_hrp;
    lower_hrp.reserve(hrp.size());
    for (char c : hrp) {
        if (!in_printable_range(c)) return {};
        lower_hrp.push_back(to_lower(c));
    }
    if (std::any_of(values5.begin(), values5.end(), [](uint8_t v) { return v >= 32; })) return {};

    std::vector<uint8_t> checksummed = values5;
    checksummed.resize(values5.size() + BECH32_CHECKSUM_LENGTH, 0);
    const uint32_t mod = residue(lower_hrp, checksummed) ^ encoding_constant(encoding);

    std::string out = lower_hrp;
    out.reserve(lower_hrp.size() + 1 + checksummed.size());
    out.push_back('1');
    for (uint8_t v : values5) out.push_back(CHARSET[v]);
    for (size_t i = 0; i < BECH32_CHECKSUM_LENGTH; ++i) {
        out.push_back(CHARSET[(mod >> (5 * (BECH32_CHECKSUM_LENGTH - 1 - i))) & 31]);
    }
    return out;
}

Bech32Decoded Bech32Decode(std::string_view str, size_t max_length)
{
    if (check_structure(str, max_length)) return {};
    auto [hrp, data] = split(str);
    const uint32_t mod = residue(hrp, data);
    Bech32Encoding encoding;
    if (mod == BECH32_CONSTANT) {
        encoding = Bech32Encoding::BECH32;
    } else if (mod == BECH32M_CONSTANT) {
        encoding = Bech32Encoding::BECH32M;
    } else {
        return {};
    }
    data.resize(data.size() - BECH32_CHECKSUM_LENGTH);
    return Bech32Decoded{encoding, std::move(hrp), std::move(data)};
}

Bech32ErrorReport Bech32LocateErrors(std::string_view str, size_t max_length)
{
    if (auto error = check_structure(str, max_length)) {
        Bech32ErrorReport report{std::move(error->message), {}};
        if (error->position) report.positions.push_back(*error->position);
        return report;
    }
    const auto [hrp, data] = split(str);
    const uint32_t mod = residue(hrp, data);
    if (mod == BECH32_CONSTANT || mod == BECH32M_CONSTANT) return {};

    // Whichever encoding explains the damage with fewer substitutions wins;
    // an equal tie between different positions cannot be resolved.
    auto as_bech32 = find_substitutions(mod ^ BECH32_CONSTANT, data.size());
    auto as_bech32m = find_substitutions(mod ^ BECH32M_CONSTANT, data.size());
    std::optional<std::vector<size_t>> best;
    if (as_bech32 && (!as_bech32m || as_bech32->size() < as_bech32m->size())) {
        best = as_bech32;
    } else if (as_bech32m && (!as_bech32 || as_bech32m->size() < as_bech32->size())) {
        best = as_bech32m;
    } else if (as_bech32 && as_bech32 == as_bech32m) {
        best = as_bech32;
    }
    Bech32ErrorReport report{"Invalid checksum", {}};
    if (best) {
        const size_t data_start = str.size() - data.size();
        for (size_t index : *best) report.positions.push_back(data_start + index);
    }
    return report;
}
