#pragma once

// Bitcoin's consensus serialization: little-endian integers, CompactSize
// lengths, length-prefixed vectors and strings, fixed arrays without a length.
//
// A stream is any object with
//     void write(std::span<const unsigned char>);
//     void read(std::span<unsigned char>);      // throws std::ios_base::failure when short
// A type is serializable when it has members
//     template <typename Stream> void Serialize(Stream&) const;
//     template <typename Stream> void Unserialize(Stream&);
// or when an overload of the free functions below exists for it. Every
// failure while reading (short input, a non-canonical or oversized length)
// throws std::ios_base::failure.

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <ios>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

// Largest length a CompactSize may announce when it counts elements or bytes.
// Anything longer is garbage: no message may exceed it.
inline constexpr uint64_t MAX_SIZE = 0x02000000;

// Vectors grow at most this many bytes at a time while reading, so a length
// prefix can only make us allocate memory after the stream has delivered the
// data that fills it.
inline constexpr size_t MAX_VECTOR_ALLOCATE = 5000000;

// What a stream must offer for writing and for reading.
template <typename Stream>
concept ByteSink = requires(Stream& s, std::span<const unsigned char> bytes) { s.write(bytes); };
template <typename Stream>
concept ByteSource = requires(Stream& s, std::span<unsigned char> bytes) { s.read(bytes); };

// ---------------------------------------------------------------------------
// Integers, little-endian.

template <typename Stream, std::integral T>
void Serialize(Stream& s, T value)
{
    using U = std::make_unsigned_t<T>;
    U u = static_cast<U>(value);
    unsigned char buf[sizeof(T)];
    for (size_t i = 0; i < sizeof(T); ++i) {
        buf[i] = static_cast<unsigned char>(u & 0xff);
        if constexpr (sizeof(T) > 1) u >>= 8;
    }
    s.write(std::span<const unsigned char>(buf, sizeof(T)));
}

template <typename Stream, std::integral T>
void Unserialize(Stream& s, T& value)
{
    using U = std::make_unsigned_t<T>;
    unsigned char buf[sizeof(T)];
    s.read(std::span<unsigned char>(buf, sizeof(T)));
    U u = 0;
    for (size_t i = sizeof(T); i-- > 0;) {
        if constexpr (sizeof(T) > 1) u <<= 8;
        u |= buf[i];
    }
    value = static_cast<T>(u);
}

// bool is one byte; any nonzero byte reads as true.
template <typename Stream>
void Serialize(Stream& s, bool value)
{
    Serialize(s, static_cast<uint8_t>(value ? 1 : 0));
}
template <typename Stream>
void Unserialize(Stream& s, bool& value)
{
    uint8_t b;
    Unserialize(s, b);
    value = b != 0;
}

// ---------------------------------------------------------------------------
// CompactSize: 1, 3, 5 or 9 bytes (< 0xfd; 0xfd + u16; 0xfe + u32; 0xff + u64).

inline constexpr size_t GetCompactSizeLength(uint64_t n)
{
    if (n < 0xfd) return 1;
    if (n <= 0xffff) return 3;
    if (n <= 0xffffffff) return 5;
    return 9;
}

template <ByteSink Stream>
void WriteCompactSize(Stream& s, uint64_t n)
{
    if (n < 0xfd) {
        Serialize(s, static_cast<uint8_t>(n));
    } else if (n <= 0xffff) {
        Serialize(s, uint8_t{0xfd});
        Serialize(s, static_cast<uint16_t>(n));
    } else if (n <= 0xffffffff) {
        Serialize(s, uint8_t{0xfe});
        Serialize(s, static_cast<uint32_t>(n));
    } else {
        Serialize(s, uint8_t{0xff});
        Serialize(s, n);
    }
}

// Reads a CompactSize. The shortest encoding is the only valid one (otherwise
// one transaction would have several serializations and txids). With
// range_check, values above MAX_SIZE are rejected.
template <ByteSource Stream>
uint64_t ReadCompactSize(Stream& s, bool range_check = true)
{
    uint8_t first;
    Unserialize(s, first);
    uint64_t n;
    if (first < 0xfd) {
        n = first;
    } else if (first == 0xfd) {
        uint16_t v;
        Unserialize(s, v);
        n = v;
        if (n < 0xfd) throw std::ios_base::failure("non-canonical ReadCompactSize()");
    } else if (first == 0xfe) {
        uint32_t v;
        Unserialize(s, v);
        n = v;
        if (n <= 0xffff) throw std::ios_base::failure("non-canonical ReadCompactSize()");
    } else {
        uint64_t v;
        Unserialize(s, v);
        n = v;
        if (n <= 0xffffffff) throw std::ios_base::failure("non-canonical ReadCompactSize()");
    }
    if (range_check && n > MAX_SIZE) throw std::ios_base::failure("ReadCompactSize(): size too large");
    return n;
}

// ---------------------------------------------------------------------------
// Types with Serialize / Unserialize members (uint256, transactions, ...).

template <typename T, typename Stream>
concept HasSerializeMember = requires(const T& t, Stream& s) { t.Serialize(s); };
template <typename T, typename Stream>
concept HasUnserializeMember = requires(T& t, Stream& s) { t.Unserialize(s); };

template <typename Stream, typename T>
    requires HasSerializeMember<T, Stream>
void Serialize(Stream& s, const T& obj)
{
    obj.Serialize(s);
}
template <typename Stream, typename T>
    requires HasUnserializeMember<T, Stream>
void Unserialize(Stream& s, T& obj)
{
    obj.Unserialize(s);
}

// ---------------------------------------------------------------------------
// Containers. Declared first so that nested containers find each other.

template <typename Stream, typename T, typename A>
void Serialize(Stream& s, const std::vector<T, A>& v);
template <typename Stream, typename T, typename A>
void Unserialize(Stream& s, std::vector<T, A>& v);
template <typename Stream, typename T, size_t N>
void Serialize(Stream& s, const std::array<T, N>& a);
template <typename Stream, typename T, size_t N>
void Unserialize(Stream& s, std::array<T, N>& a);
template <typename Stream, typename C>
void Serialize(Stream& s, const std::basic_string<C>& str);
template <typename Stream, typename C>
void Unserialize(Stream& s, std::basic_string<C>& str);
template <typename Stream, typename T>
void Serialize(Stream& s, const std::shared_ptr<const T>& p);
template <typename Stream, typename T>
void Unserialize(Stream& s, std::shared_ptr<const T>& p);

// Raw bytes without a length prefix (for example a 4-byte magic or checksum).
template <typename Stream, size_t N>
void Serialize(Stream& s, std::span<const unsigned char, N> bytes)
{
    s.write(bytes);
}
template <typename Stream, size_t N>
void Unserialize(Stream& s, std::span<unsigned char, N> bytes)
{
    s.read(bytes);
}

namespace serialize_detail {
template <typename T>
inline constexpr bool IS_BYTE = std::is_same_v<T, unsigned char> || std::is_same_v<T, char> ||
                                std::is_same_v<T, signed char> || std::is_same_v<T, std::byte>;

// Reads `count` bytes into `out`, growing it in bounded chunks.
template <typename Stream, typename Container>
void ReadBytesChunked(Stream& s, Container& out, uint64_t count)
{
    out.clear();
    while (out.size() < count) {
        const size_t old_size = out.size();
        const size_t step = static_cast<size_t>(std::min<uint64_t>(count - old_size, MAX_VECTOR_ALLOCATE));
        out.resize(old_size + step);
        s.read(std::span<unsigned char>(reinterpret_cast<unsigned char*>(out.data()) + old_size, step));
    }
}
} // namespace serialize_detail

template <typename Stream, typename T, typename A>
void Serialize(Stream& s, const std::vector<T, A>& v)
{
    WriteCompactSize(s, v.size());
    if constexpr (serialize_detail::IS_BYTE<T>) {
        s.write(std::span<const unsigned char>(reinterpret_cast<const unsigned char*>(v.data()), v.size()));
    } else if constexpr (std::is_same_v<T, bool>) {
        for (bool b : v) Serialize(s, b);
    } else {
        for (const T& elem : v) Serialize(s, elem);
    }
}

template <typename Stream, typename T, typename A>
void Unserialize(Stream& s, std::vector<T, A>& v)
{
    const uint64_t count = ReadCompactSize(s);
    if constexpr (serialize_detail::IS_BYTE<T>) {
        serialize_detail::ReadBytesChunked(s, v, count);
    } else {
        v.clear();
        // Reserve at most MAX_VECTOR_ALLOCATE bytes ahead of what was read.
        constexpr size_t chunk = std::max<size_t>(1, MAX_VECTOR_ALLOCATE / sizeof(T));
        while (v.size() < count) {
            const size_t target = static_cast<size_t>(std::min<uint64_t>(count, v.size() + chunk));
            v.reserve(target);
            while (v.size() < target) {
                if constexpr (std::is_same_v<T, bool>) {
                    bool b;
                    Unserialize(s, b);
                    v.push_back(b);
                } else {
                    v.emplace_back();
                    Unserialize(s, v.back());
                }
            }
        }
    }
}

template <typename Stream, typename T, size_t N>
void Serialize(Stream& s, const std::array<T, N>& a)
{
    if constexpr (serialize_detail::IS_BYTE<T>) {
        s.write(std::span<const unsigned char>(reinterpret_cast<const unsigned char*>(a.data()), N));
    } else {
        for (const T& elem : a) Serialize(s, elem);
    }
}

template <typename Stream, typename T, size_t N>
void Unserialize(Stream& s, std::array<T, N>& a)
{
    if constexpr (serialize_detail::IS_BYTE<T>) {
        s.read(std::span<unsigned char>(reinterpret_cast<unsigned char*>(a.data()), N));
    } else {
        for (T& elem : a) Unserialize(s, elem);
    }
}

template <typename Stream, typename C>
void Serialize(Stream& s, const std::basic_string<C>& str)
{
    static_assert(sizeof(C) == 1, "only byte strings are serializable");
    WriteCompactSize(s, str.size());
    s.write(std::span<const unsigned char>(reinterpret_cast<const unsigned char*>(str.data()), str.size()));
}

template <typename Stream, typename C>
void Unserialize(Stream& s, std::basic_string<C>& str)
{
    static_assert(sizeof(C) == 1, "only byte strings are serializable");
    serialize_detail::ReadBytesChunked(s, str, ReadCompactSize(s));
}

// Shared immutable objects (TransactionRef) are serialized as the object.
template <typename Stream, typename T>
void Serialize(Stream& s, const std::shared_ptr<const T>& p)
{
    Serialize(s, *p);
}

// Needs a constructor T(DeserializeTag, Stream&): immutable types are built
// directly from the stream.
struct DeserializeTag {
    explicit DeserializeTag() = default;
};
inline constexpr DeserializeTag DESERIALIZE{};

template <typename Stream, typename T>
void Unserialize(Stream& s, std::shared_ptr<const T>& p)
{
    p = std::make_shared<const T>(DESERIALIZE, s);
}

// ---------------------------------------------------------------------------
// Size of a serialization without producing it.

class SizeComputer {
public:
    void write(std::span<const unsigned char> bytes) { m_size += bytes.size(); }
    size_t size() const { return m_size; }

    template <typename T>
    SizeComputer& operator<<(const T& obj)
    {
        Serialize(*this, obj);
        return *this;
    }

private:
    size_t m_size = 0;
};

template <typename T>
size_t GetSerializeSize(const T& obj)
{
    SizeComputer sc;
    sc << obj;
    return sc.size();
}
