#include <test/util/script_notation.h>

#include <script/script_num.h>

#include <test/util/vectors.h>

#include <array>
#include <cctype>
#include <charconv>
#include <stdexcept>
#include <string>
#include <utility>

namespace test_util {

namespace {

struct NamedOpcode {
    std::string_view name; // without the OP_ prefix
    unsigned char value;
};

// Opcode names as the vectors spell them. Numeric opcodes (0, 1..16, 1NEGATE)
// are reachable by name too ("OP_1"), and the aliases FALSE/TRUE and
// NOP2/NOP3 are accepted.
constexpr std::array OPCODES{
    NamedOpcode{"0", 0x00}, NamedOpcode{"FALSE", 0x00},
    NamedOpcode{"PUSHDATA1", 0x4c}, NamedOpcode{"PUSHDATA2", 0x4d}, NamedOpcode{"PUSHDATA4", 0x4e},
    NamedOpcode{"1NEGATE", 0x4f}, NamedOpcode{"RESERVED", 0x50}, NamedOpcode{"TRUE", 0x51},
    NamedOpcode{"1", 0x51}, NamedOpcode{"2", 0x52}, NamedOpcode{"3", 0x53}, NamedOpcode{"4", 0x54},
    NamedOpcode{"5", 0x55}, NamedOpcode{"6", 0x56}, NamedOpcode{"7", 0x57}, NamedOpcode{"8", 0x58},
    NamedOpcode{"9", 0x59}, NamedOpcode{"10", 0x5a}, NamedOpcode{"11", 0x5b}, NamedOpcode{"12", 0x5c},
    NamedOpcode{"13", 0x5d}, NamedOpcode{"14", 0x5e}, NamedOpcode{"15", 0x5f}, NamedOpcode{"16", 0x60},
    // flow control
    NamedOpcode{"NOP", 0x61}, NamedOpcode{"VER", 0x62}, NamedOpcode{"IF", 0x63}, NamedOpcode{"NOTIF", 0x64},
    NamedOpcode{"VERIF", 0x65}, NamedOpcode{"VERNOTIF", 0x66}, NamedOpcode{"ELSE", 0x67},
    NamedOpcode{"ENDIF", 0x68}, NamedOpcode{"VERIFY", 0x69}, NamedOpcode{"RETURN", 0x6a},
    // stack
    NamedOpcode{"TOALTSTACK", 0x6b}, NamedOpcode{"FROMALTSTACK", 0x6c}, NamedOpcode{"2DROP", 0x6d},
    NamedOpcode{"2DUP", 0x6e}, NamedOpcode{"3DUP", 0x6f}, NamedOpcode{"2OVER", 0x70},
    NamedOpcode{"2ROT", 0x71}, NamedOpcode{"2SWAP", 0x72}, NamedOpcode{"IFDUP", 0x73},
    NamedOpcode{"DEPTH", 0x74}, NamedOpcode{"DROP", 0x75}, NamedOpcode{"DUP", 0x76},
    NamedOpcode{"NIP", 0x77}, NamedOpcode{"OVER", 0x78}, NamedOpcode{"PICK", 0x79},
    NamedOpcode{"ROLL", 0x7a}, NamedOpcode{"ROT", 0x7b}, NamedOpcode{"SWAP", 0x7c}, NamedOpcode{"TUCK", 0x7d},
    // splice
    NamedOpcode{"CAT", 0x7e}, NamedOpcode{"SUBSTR", 0x7f}, NamedOpcode{"LEFT", 0x80},
    NamedOpcode{"RIGHT", 0x81}, NamedOpcode{"SIZE", 0x82},
    // bit logic
    NamedOpcode{"INVERT", 0x83}, NamedOpcode{"AND", 0x84}, NamedOpcode{"OR", 0x85}, NamedOpcode{"XOR", 0x86},
    NamedOpcode{"EQUAL", 0x87}, NamedOpcode{"EQUALVERIFY", 0x88}, NamedOpcode{"RESERVED1", 0x89},
    NamedOpcode{"RESERVED2", 0x8a},
    // arithmetic
    NamedOpcode{"1ADD", 0x8b}, NamedOpcode{"1SUB", 0x8c}, NamedOpcode{"2MUL", 0x8d}, NamedOpcode{"2DIV", 0x8e},
    NamedOpcode{"NEGATE", 0x8f}, NamedOpcode{"ABS", 0x90}, NamedOpcode{"NOT", 0x91},
    NamedOpcode{"0NOTEQUAL", 0x92}, NamedOpcode{"ADD", 0x93}, NamedOpcode{"SUB", 0x94},
    NamedOpcode{"MUL", 0x95}, NamedOpcode{"DIV", 0x96}, NamedOpcode{"MOD", 0x97},
    NamedOpcode{"LSHIFT", 0x98}, NamedOpcode{"RSHIFT", 0x99}, NamedOpcode{"BOOLAND", 0x9a},
    NamedOpcode{"BOOLOR", 0x9b}, NamedOpcode{"NUMEQUAL", 0x9c}, NamedOpcode{"NUMEQUALVERIFY", 0x9d},
    NamedOpcode{"NUMNOTEQUAL", 0x9e}, NamedOpcode{"LESSTHAN", 0x9f}, NamedOpcode{"GREATERTHAN", 0xa0},
    NamedOpcode{"LESSTHANOREQUAL", 0xa1}, NamedOpcode{"GREATERTHANOREQUAL", 0xa2},
    NamedOpcode{"MIN", 0xa3}, NamedOpcode{"MAX", 0xa4}, NamedOpcode{"WITHIN", 0xa5},
    // crypto
    NamedOpcode{"RIPEMD160", 0xa6}, NamedOpcode{"SHA1", 0xa7}, NamedOpcode{"SHA256", 0xa8},
    NamedOpcode{"HASH160", 0xa9}, NamedOpcode{"HASH256", 0xaa}, NamedOpcode{"CODESEPARATOR", 0xab},
    NamedOpcode{"CHECKSIG", 0xac}, NamedOpcode{"CHECKSIGVERIFY", 0xad},
    NamedOpcode{"CHECKMULTISIG", 0xae}, NamedOpcode{"CHECKMULTISIGVERIFY", 0xaf},
    // expansion
    NamedOpcode{"NOP1", 0xb0}, NamedOpcode{"CHECKLOCKTIMEVERIFY", 0xb1}, NamedOpcode{"NOP2", 0xb1},
    NamedOpcode{"CHECKSEQUENCEVERIFY", 0xb2}, NamedOpcode{"NOP3", 0xb2}, NamedOpcode{"NOP4", 0xb3},
    NamedOpcode{"NOP5", 0xb4}, NamedOpcode{"NOP6", 0xb5}, NamedOpcode{"NOP7", 0xb6},
    NamedOpcode{"NOP8", 0xb7}, NamedOpcode{"NOP9", 0xb8}, NamedOpcode{"NOP10", 0xb9},
    NamedOpcode{"CHECKSIGADD", 0xba}, NamedOpcode{"INVALIDOPCODE", 0xff},
};

bool IsDecimalInteger(std::string_view token)
{
    if (!token.empty() && token.front() == '-') token.remove_prefix(1);
    if (token.empty()) return false;
    for (char c : token) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    }
    return true;
}

void AppendNumber(std::vector<unsigned char>& script, std::string_view token)
{
    int64_t value = 0;
    const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
    if (ec != std::errc{} || end != token.data() + token.size()) {
        throw std::invalid_argument("number out of range in script notation: " + std::string{token});
    }
    if (value == 0) {
        script.push_back(0x00);
    } else if (value == -1 || (value >= 1 && value <= 16)) {
        script.push_back(static_cast<unsigned char>(0x50 + value)); // OP_1NEGATE, OP_1..OP_16
    } else {
        AppendPush(script, ScriptNum::Encode(value));
    }
}

// Splits on whitespace, keeping a quoted string (which may hold spaces) as one token.
std::vector<std::string_view> Tokenize(std::string_view text)
{
    std::vector<std::string_view> tokens;
    size_t i = 0;
    while (i < text.size()) {
        if (std::isspace(static_cast<unsigned char>(text[i]))) {
            ++i;
            continue;
        }
        size_t end = i;
        if (text[i] == '\'') {
            end = text.find('\'', i + 1);
            if (end == std::string_view::npos) throw std::invalid_argument("unterminated quote in script notation: " + std::string{text});
            ++end;
        } else {
            while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) ++end;
        }
        tokens.push_back(text.substr(i, end - i));
        i = end;
    }
    return tokens;
}

} // namespace

void AppendPush(std::vector<unsigned char>& script, std::span<const unsigned char> data)
{
    const size_t n = data.size();
    if (n < 0x4c) {
        script.push_back(static_cast<unsigned char>(n));
    } else if (n <= 0xff) {
        script.push_back(0x4c);
        script.push_back(static_cast<unsigned char>(n));
    } else if (n <= 0xffff) {
        script.push_back(0x4d);
        script.push_back(static_cast<unsigned char>(n & 0xff));
        script.push_back(static_cast<unsigned char>(n >> 8));
    } else {
        script.push_back(0x4e);
        for (int shift = 0; shift < 32; shift += 8) script.push_back(static_cast<unsigned char>(n >> shift));
    }
    script.insert(script.end(), data.begin(), data.end());
}

std::optional<unsigned char> NotationOpcode(std::string_view name)
{
    if (name.starts_with("OP_")) name.remove_prefix(3);
    for (const NamedOpcode& op : OPCODES) {
        if (op.name == name) return op.value;
    }
    return std::nullopt;
}

std::vector<unsigned char> AssembleScriptBytes(std::string_view notation)
{
    std::vector<unsigned char> script;
    for (std::string_view token : Tokenize(notation)) {
        if (IsDecimalInteger(token)) {
            AppendNumber(script, token);
        } else if (token.starts_with("0x") && token.size() > 2) {
            const std::vector<unsigned char> raw = HexToBytes(token.substr(2));
            script.insert(script.end(), raw.begin(), raw.end());
        } else if (token.size() >= 2 && token.front() == '\'' && token.back() == '\'') {
            const std::string_view text = token.substr(1, token.size() - 2);
            AppendPush(script, std::span{reinterpret_cast<const unsigned char*>(text.data()), text.size()});
        } else if (const auto opcode = NotationOpcode(token)) {
            script.push_back(*opcode);
        } else {
            throw std::invalid_argument("unknown token in script notation: " + std::string{token});
        }
    }
    return script;
}

Script AssembleScript(std::string_view notation)
{
    const std::vector<unsigned char> bytes = AssembleScriptBytes(notation);
    Script script;
    script.insert(script.end(), bytes.begin(), bytes.end());
    return script;
}

} // namespace test_util
