#ifndef BITCOIN_SCRIPT_SCRIPT_NUM_H
#define BITCOIN_SCRIPT_SCRIPT_NUM_H

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

// A number as script arithmetic sees it. On the stack a number is little-endian
// sign-magnitude (the top bit of the last byte is the sign; the empty vector is 0).
// Operands are limited to 4 bytes (5 for CHECKLOCKTIMEVERIFY/CHECKSEQUENCEVERIFY, whose
// times need 39 bits), but results may be larger: an addition of two 4-byte operands
// can produce a 5-byte value, which is pushed fine and only fails when used as an
// operand again. Holding the value in an int64_t covers every reachable result.
class ScriptNum {
public:
    static constexpr size_t DEFAULT_MAX_SIZE = 4;
    static constexpr size_t LOCKTIME_MAX_SIZE = 5;

    explicit ScriptNum(int64_t value) : m_value{value} {}

    // nullopt when the encoding is longer than max_size, or (with require_minimal, the
    // MINIMALDATA rule) when it carries a superfluous zero or sign byte; negative zero
    // (0x80) is then non-minimal too. The interpreter reports both as UNKNOWN_ERROR.
    static std::optional<ScriptNum> Decode(std::span<const unsigned char> bytes, bool require_minimal,
                                           size_t max_size = DEFAULT_MAX_SIZE);
    // Whether bytes end without a superfluous byte (the minimal-encoding rule on its own).
    static bool IsMinimallyEncoded(std::span<const unsigned char> bytes);

    // Shortest encoding: 0 -> {}, 127 -> {0x7f}, 128 -> {0x80,0x00}, -1 -> {0x81}.
    static std::vector<unsigned char> Encode(int64_t value);
    std::vector<unsigned char> Encode() const { return Encode(m_value); }

    int64_t GetInt64() const { return m_value; }
    // Clamped to the int range: PICK/ROLL/CHECKMULTISIG counts use an int, and a value
    // out of its range must still compare as out of range rather than wrap.
    int GetInt() const;

    ScriptNum operator+(const ScriptNum& other) const { return ScriptNum{m_value + other.m_value}; }
    ScriptNum operator-(const ScriptNum& other) const { return ScriptNum{m_value - other.m_value}; }
    ScriptNum operator-() const { return ScriptNum{-m_value}; }
    ScriptNum operator&(int64_t mask) const { return ScriptNum{m_value & mask}; }
    ScriptNum& operator+=(const ScriptNum& other) { m_value += other.m_value; return *this; }
    ScriptNum& operator-=(const ScriptNum& other) { m_value -= other.m_value; return *this; }

    friend bool operator==(const ScriptNum&, const ScriptNum&) = default;
    friend auto operator<=>(const ScriptNum&, const ScriptNum&) = default;
    friend bool operator==(const ScriptNum& a, int64_t b) { return a.m_value == b; }
    friend auto operator<=>(const ScriptNum& a, int64_t b) { return a.m_value <=> b; }

private:
    int64_t m_value;
};

#endif // BITCOIN_SCRIPT_SCRIPT_NUM_H
