#include <util/json.h>

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>
#include <vector>

namespace {

// Deeper documents are refused: the writer recurses once per level.
constexpr size_t MAX_JSON_DEPTH = 512;

// RFC 8259 number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsValidJsonNumber(std::string_view s)
{
    size_t i = 0;
    const size_t n = s.size();
    auto digit = [&](size_t k) { return k < n && s[k] >= '0' && s[k] <= '9'; };
    if (i < n && s[i] == '-') ++i;
    if (!digit(i)) return false;
    if (s[i] == '0') {
        ++i;
    } else {
        while (digit(i)) ++i;
    }
    if (i < n && s[i] == '.') {
        ++i;
        if (!digit(i)) return false;
        while (digit(i)) ++i;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
        if (!digit(i)) return false;
        while (digit(i)) ++i;
    }
    return i == n;
}

std::string FormatDouble(double d)
{
    if (!std::isfinite(d)) return "null";
    return fmt::format("{:.16g}", d);
}

// Builds the document from nlohmann's SAX events; non-integer numbers (and
// integers beyond 64 bits, which the lexer reports as floats) keep their text.
class RawNumberSax
{
public:
    using number_integer_t = Json::number_integer_t;
    using number_unsigned_t = Json::number_unsigned_t;
    using number_float_t = Json::number_float_t;
    using string_t = Json::string_t;
    using binary_t = Json::binary_t;

    Json result;
    bool too_deep = false;

    bool null() { return Add(Json(nullptr)); }
    bool boolean(bool v) { return Add(Json(v)); }
    bool number_integer(number_integer_t v) { return Add(Json(v)); }
    bool number_unsigned(number_unsigned_t v) { return Add(Json(v)); }
    bool number_float(number_float_t, const string_t& text) { return Add(JsonRawNumber(text)); }
    bool string(string_t& v) { return Add(Json(std::move(v))); }
    bool binary(binary_t& v) { return Add(Json(std::move(v))); }

    bool start_object(std::size_t) { return Open(Json::object()); }
    bool key(string_t& k)
    {
        m_key = std::move(k);
        return true;
    }
    bool end_object() { return Close(); }
    bool start_array(std::size_t) { return Open(Json::array()); }
    bool end_array() { return Close(); }

    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

private:
    std::vector<Json*> m_stack;
    std::string m_key;

    Json* Place(Json&& v)
    {
        if (m_stack.empty()) {
            result = std::move(v);
            return &result;
        }
        Json& parent = *m_stack.back();
        if (parent.is_array()) {
            parent.push_back(std::move(v));
            return &parent.back();
        }
        // Appended without a lookup, as UniValue reads objects: linear time
        // however many keys, and a repeated key is kept twice (operator[]
        // and find() see the first, WriteJson prints both).
        auto& members = static_cast<Json::object_t::Container&>(parent.get_ref<Json::object_t&>());
        members.emplace_back(std::move(m_key), std::move(v));
        return &members.back().second;
    }
    bool Add(Json&& v)
    {
        Place(std::move(v));
        return true;
    }
    bool Open(Json&& v)
    {
        if (m_stack.size() >= MAX_JSON_DEPTH) {
            too_deep = true;
            return false;
        }
        m_stack.push_back(Place(std::move(v)));
        return true;
    }
    bool Close()
    {
        m_stack.pop_back();
        return true;
    }
};

void AppendEscaped(std::string& out, const std::string& s)
{
    out += '"';
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20 || c == 0x7f) {
                out += fmt::format("\\u{:04x}", c);
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    out += '"';
}

void AppendIndent(std::string& out, int indent, unsigned level)
{
    out.append(static_cast<size_t>(indent) * level, ' ');
}

// level: nesting depth of the value's contents (1 for the top container),
// the way UniValue indents: members at level, the closing bracket at level - 1.
void Write(std::string& out, const Json& v, int indent, unsigned level)
{
    switch (v.type()) {
    case Json::value_t::null:
    case Json::value_t::discarded:
        out += "null";
        return;
    case Json::value_t::boolean:
        out += v.get<bool>() ? "true" : "false";
        return;
    case Json::value_t::number_integer:
        out += std::to_string(v.get<Json::number_integer_t>());
        return;
    case Json::value_t::number_unsigned:
        out += std::to_string(v.get<Json::number_unsigned_t>());
        return;
    case Json::value_t::number_float:
        out += FormatDouble(v.get<double>());
        return;
    case Json::value_t::string:
        AppendEscaped(out, v.get_ref<const std::string&>());
        return;
    case Json::value_t::binary:
        if (IsJsonRawNumber(v)) {
            const auto& b = v.get_binary();
            out.append(b.begin(), b.end());
        } else {
            out += "null";
        }
        return;
    case Json::value_t::array: {
        out += '[';
        if (indent > 0) out += '\n';
        size_t i = 0;
        for (const auto& e : v) {
            if (indent > 0) AppendIndent(out, indent, level);
            Write(out, e, indent, level + 1);
            if (++i != v.size()) out += ',';
            if (indent > 0) out += '\n';
        }
        if (indent > 0) AppendIndent(out, indent, level - 1);
        out += ']';
        return;
    }
    case Json::value_t::object: {
        out += '{';
        if (indent > 0) out += '\n';
        size_t i = 0;
        for (const auto& [k, e] : v.items()) {
            if (indent > 0) AppendIndent(out, indent, level);
            AppendEscaped(out, k);
            out += ':';
            if (indent > 0) out += ' ';
            Write(out, e, indent, level + 1);
            if (++i != v.size()) out += ',';
            if (indent > 0) out += '\n';
        }
        if (indent > 0) AppendIndent(out, indent, level - 1);
        out += '}';
        return;
    }
    }
    out += "null";
}

} // namespace

Json JsonRawNumber(std::string_view text)
{
    if (!IsValidJsonNumber(text)) {
        throw std::invalid_argument("not a JSON number: " + std::string(text));
    }
    return Json::binary(Json::binary_t::container_type(text.begin(), text.end()), JSON_RAW_NUMBER_SUBTYPE);
}

bool IsJsonRawNumber(const Json& value)
{
    if (!value.is_binary()) return false;
    const auto& b = value.get_binary();
    return b.has_subtype() && b.subtype() == JSON_RAW_NUMBER_SUBTYPE;
}

std::optional<std::string> JsonNumberText(const Json& value)
{
    if (IsJsonRawNumber(value)) {
        const auto& b = value.get_binary();
        return std::string(b.begin(), b.end());
    }
    if (value.is_number_integer() && !value.is_number_unsigned()) {
        return std::to_string(value.get<Json::number_integer_t>());
    }
    if (value.is_number_unsigned()) return std::to_string(value.get<Json::number_unsigned_t>());
    if (value.is_number_float()) return FormatDouble(value.get<double>());
    return std::nullopt;
}

std::optional<Json> ParseJson(std::string_view text)
{
    RawNumberSax sax;
    bool ok = false;
    try {
        ok = Json::sax_parse(text.begin(), text.end(), &sax, Json::input_format_t::json, /*strict=*/true);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    if (!ok) return std::nullopt;
    return std::move(sax.result);
}

std::string WriteJson(const Json& value, int indent)
{
    std::string out;
    Write(out, value, indent < 0 ? 0 : indent, 1);
    return out;
}
