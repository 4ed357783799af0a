#include <rpc/util.h>

#include <consensus/amount.h>
#include <kernel/validation.h>
#include <node/context.h>
#include <util/strencodings.h>

#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <limits>
#include <stdexcept>

namespace {


// Core's getValStr(): the text of a string or number.
std::optional<std::string> NumberOrStringText(const Json& value)
{
    if (value.is_string()) return value.get<std::string>();
    if (auto text = JsonNumberText(value)) return text;
    if (value.is_number_float()) return WriteJson(value);
    return std::nullopt;
}

// Fixed-point decimal with an optional exponent ("1.5", "-0.1", "1e-8") into
// an integer scaled by 10^decimals; false when it has more precision, is
// malformed or is beyond 10^18.
bool ParseFixedPoint(const std::string& text, int decimals, int64_t& out)
{
    constexpr int64_t UPPER = 1000000000000000000LL;  // 10^18
    size_t i = 0;
    const size_t n = text.size();
    bool negative = false;
    if (i < n && text[i] == '-') {
        negative = true;
        ++i;
    }
    const auto is_digit = [&](size_t k) { return k < n && text[k] >= '0' && text[k] <= '9'; };
    if (!is_digit(i)) return false;
    int64_t mantissa = 0;
    int mantissa_digits = 0;
    int point_ofs = 0;
    auto push_digit = [&](char c) {
        if (mantissa > UPPER / 10) return false;
        mantissa = mantissa * 10 + (c - '0');
        if (mantissa != 0) ++mantissa_digits;
        return mantissa_digits <= 18;
    };
    if (text[i] == '0') {
        ++i;
    } else {
        while (is_digit(i)) {
            if (!push_digit(text[i])) return false;
            ++i;
        }
    }
    if (i < n && text[i] == '.') {
        ++i;
        if (!is_digit(i)) return false;
        while (is_digit(i)) {
            if (!push_digit(text[i])) return false;
            ++point_ofs;
            ++i;
        }
    }
    int64_t exponent = 0;
    if (i < n && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        bool exp_negative = false;
        if (i < n && (text[i] == '+' || text[i] == '-')) {
            exp_negative = text[i] == '-';
            ++i;
        }
        if (!is_digit(i)) return false;
        while (is_digit(i)) {
            exponent = exponent * 10 + (text[i] - '0');
            if (exponent > 10000) return false;
            ++i;
        }
        if (exp_negative) exponent = -exponent;
    }
    if (i != n) return false;
    // value = mantissa * 10^(exponent - point_ofs); scaled by 10^decimals.
    int64_t shift = exponent - point_ofs + decimals;
    while (shift < 0) {
        if (mantissa % 10 != 0) return false;  // too precise
        mantissa /= 10;
        ++shift;
    }
    while (shift > 0) {
        if (mantissa > UPPER / 10) return false;
        mantissa *= 10;
        --shift;
    }
    if (mantissa >= UPPER) return false;
    out = negative ? -mantissa : mantissa;
    return true;
}

bool IsHexString(const std::string& text)
{
    if (text.empty() || text.size() % 2 != 0) return false;
    for (char c : text) {
        if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    }
    return true;
}

// Core's getInt<int64_t>() on a parameter: a number that is an integer.
int64_t JsonToInt(const Json& value)
{
    if (value.is_number_integer()) return value.get<int64_t>();
    if (value.is_number_unsigned() || value.is_number_float() || IsJsonRawNumber(value)) {
        const auto text = JsonNumberText(value);
        if (text && text->find_first_of(".eE") == std::string::npos) {
            char* end = nullptr;
            errno = 0;
            const long long parsed = std::strtoll(text->c_str(), &end, 10);
            if (errno == 0 && end && *end == '\0') return parsed;
        }
        throw std::runtime_error("JSON integer out of range");
    }
    throw RPCError(RPC_TYPE_ERROR, "JSON value of type " + JsonTypeName(value) + " is not of expected type number");
}

} // namespace

Json ValueFromAmount(int64_t satoshis)
{
    const bool negative = satoshis < 0;
    // Avoid overflow on INT64_MIN: work with unsigned magnitude.
    const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(satoshis) : static_cast<uint64_t>(satoshis);
    return JsonRawNumber(fmt::format("{}{}.{:08d}", negative ? "-" : "", magnitude / COIN, magnitude % COIN));
}

int64_t AmountFromValue(const Json& value)
{
    const auto text = NumberOrStringText(value);
    if (!text) throw RPCError(RPC_TYPE_ERROR, "Amount is not a number or string");
    int64_t amount = 0;
    if (!ParseFixedPoint(*text, 8, amount)) throw RPCError(RPC_TYPE_ERROR, "Invalid amount");
    if (amount < 0 || amount > MAX_MONEY) throw RPCError(RPC_TYPE_ERROR, "Amount out of range");
    return amount;
}

uint256 ParseHashV(const Json& value, const std::string& name)
{
    if (!value.is_string()) {
        throw std::runtime_error("JSON value of type " + JsonTypeName(value) + " is not of expected type string");
    }
    const std::string hex = value.get<std::string>();
    if (auto hash = uint256::FromHex(hex)) return *hash;
    if (hex.size() != 64) {
        throw RPCError(RPC_INVALID_PARAMETER, fmt::format("{} must be of length {} (not {}, for '{}')", name, 64, hex.size(), hex));
    }
    throw RPCError(RPC_INVALID_PARAMETER, fmt::format("{} must be hexadecimal string (not '{}')", name, hex));
}

std::vector<unsigned char> ParseHexV(const Json& value, const std::string& name)
{
    std::string hex;
    if (value.is_string()) hex = value.get<std::string>();
    if (!IsHexString(hex)) {
        throw RPCError(RPC_INVALID_PARAMETER, fmt::format("{} must be hexadecimal string (not '{}')", name, hex));
    }
    return ParseHex(hex);
}

int64_t ParamInt(const RPCRequest& request, size_t i, int64_t default_value)
{
    const Json& value = request.Param(i);
    if (value.is_null()) return default_value;
    return JsonToInt(value);
}

bool ParamBool(const RPCRequest& request, size_t i, bool default_value)
{
    const Json& value = request.Param(i);
    if (value.is_null()) return default_value;
    if (!value.is_boolean()) {
        throw RPCError(RPC_TYPE_ERROR, "JSON value of type " + JsonTypeName(value) + " is not of expected type bool");
    }
    return value.get<bool>();
}

std::string ParamString(const RPCRequest& request, size_t i, const std::string& default_value)
{
    const Json& value = request.Param(i);
    if (value.is_null()) return default_value;
    if (!value.is_string()) {
        throw RPCError(RPC_TYPE_ERROR, "JSON value of type " + JsonTypeName(value) + " is not of expected type string");
    }
    return value.get<std::string>();
}

std::string HelpExampleCli(const std::string& method, const std::string& args)
{
    return "> bitcoin-cli " + method + " " + args + "\n";
}

std::string HelpExampleRpc(const std::string& method, const std::string& args)
{
    return "> curl --user myusername --data-binary '{\"jsonrpc\": \"2.0\", \"id\": \"curltest\", \"method\": \"" + method +
           "\", \"params\": [" + args + "]}' -H 'content-type: application/json' http://127.0.0.1:8332/\n";
}

ChainstateManager& EnsureChainman(const RPCRequest& request)
{
    if (!request.node) throw RPCError(RPC_INTERNAL_ERROR, "Node context not found!");
    if (!request.node->chainman) throw RPCError(RPC_INTERNAL_ERROR, "Node chainman not found");
    return *request.node->chainman;
}
