#pragma once

// Opaque fixed-size byte strings: hashes (txid, block hash) and HASH160s.
// The bytes are kept in the order they are serialized on the wire, which is
// the reverse of the hexadecimal form users see (the "display order").

#include <algorithm>
#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>

template <size_t WIDTH>
class FixedBytes {
public:
    static constexpr size_t WIDTH_BYTES = WIDTH;

    constexpr FixedBytes() = default;
    constexpr explicit FixedBytes(std::span<const unsigned char, WIDTH> bytes)
    {
        std::copy(bytes.begin(), bytes.end(), m_data.begin());
    }

    constexpr bool IsNull() const
    {
        return std::all_of(m_data.begin(), m_data.end(), [](unsigned char b) { return b == 0; });
    }
    constexpr void SetNull() { m_data.fill(0); }

    constexpr unsigned char* data() { return m_data.data(); }
    constexpr const unsigned char* data() const { return m_data.data(); }
    static constexpr size_t size() { return WIDTH; }
    constexpr unsigned char* begin() { return m_data.data(); }
    constexpr unsigned char* end() { return m_data.data() + WIDTH; }
    constexpr const unsigned char* begin() const { return m_data.data(); }
    constexpr const unsigned char* end() const { return m_data.data() + WIDTH; }

    // Little-endian 64-bit word at byte offset 8*index: cheap keys for hash tables.
    uint64_t GetUint64(size_t index) const
    {
        uint64_t v = 0;
        for (size_t i = 0; i < 8; ++i) v |= uint64_t{m_data[index * 8 + i]} << (8 * i);
        return v;
    }

    // Byte-wise comparison in storage order (what std::set / std::map order by).
    friend constexpr bool operator==(const FixedBytes&, const FixedBytes&) = default;
    friend constexpr std::strong_ordering operator<=>(const FixedBytes&, const FixedBytes&) = default;

    // Hexadecimal in display order (bytes reversed).
    std::string GetHex() const;
    std::string ToString() const { return GetHex(); }

    template <typename Stream>
    void Serialize(Stream& s) const { s.write(std::span<const unsigned char>(m_data)); }
    template <typename Stream>
    void Unserialize(Stream& s) { s.read(std::span<unsigned char>(m_data)); }

protected:
    // Parses exactly 2*WIDTH hex digits in display order.
    bool SetHexExact(std::string_view hex);

    std::array<unsigned char, WIDTH> m_data{};
};

class uint160 : public FixedBytes<20> {
public:
    using FixedBytes<20>::FixedBytes;
    constexpr uint160() = default;
    static std::optional<uint160> FromHex(std::string_view hex);
};

class uint256 : public FixedBytes<32> {
public:
    using FixedBytes<32>::FixedBytes;
    constexpr uint256() = default;
    // A small value stored in the first (least significant) byte.
    constexpr explicit uint256(uint8_t low_byte) { m_data[0] = low_byte; }

    static std::optional<uint256> FromHex(std::string_view hex);

    static const uint256 ZERO;
    static const uint256 ONE;
};

inline const uint256 uint256::ZERO{};
inline const uint256 uint256::ONE{uint8_t{1}};

extern template class FixedBytes<20>;
extern template class FixedBytes<32>;
