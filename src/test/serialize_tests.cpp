// Serialization: integer and CompactSize encodings, the canonical-encoding and
// size checks, bounded allocation under absurd lengths, streams and hashing.

#include <serialize.h>
#include <streams.h>
#include <uint256.h>
#include <util/strencodings.h>

#include <boost/test/unit_test.hpp>

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(serialize_tests)

namespace {

using Bytes = std::vector<unsigned char>;

template <typename T>
std::string SerializeHex(const T& value)
{
    DataStream s;
    s << value;
    return HexStr(s.unread());
}

DataStream StreamOf(std::string_view hex)
{
    return DataStream(ParseHex(hex));
}

bool ThrowsWith(const std::ios_base::failure& e, const std::string& text)
{
    return std::string(e.what()).find(text) != std::string::npos;
}

// Allocator that records the largest single allocation.
size_t g_largest_allocation = 0;
template <typename T>
struct RecordingAllocator {
    using value_type = T;
    RecordingAllocator() = default;
    template <typename U>
    RecordingAllocator(const RecordingAllocator<U>&)
    {
    }
    T* allocate(size_t n)
    {
        g_largest_allocation = std::max(g_largest_allocation, n * sizeof(T));
        return std::allocator<T>().allocate(n);
    }
    void deallocate(T* p, size_t n) { std::allocator<T>().deallocate(p, n); }
    friend bool operator==(const RecordingAllocator&, const RecordingAllocator&) { return true; }
};

// An element of 64 bytes, read as 64 single bytes.
struct Wide {
    std::array<unsigned char, 64> bytes{};
    template <typename Stream>
    void Serialize(Stream& s) const { ::Serialize(s, bytes); }
    template <typename Stream>
    void Unserialize(Stream& s) { ::Unserialize(s, bytes); }
};

} // namespace

BOOST_AUTO_TEST_CASE(integers_are_little_endian)
{
    BOOST_CHECK_EQUAL(SerializeHex(uint8_t{0xab}), "ab");
    BOOST_CHECK_EQUAL(SerializeHex(int8_t{-2}), "fe");
    BOOST_CHECK_EQUAL(SerializeHex(uint16_t{0x1234}), "3412");
    BOOST_CHECK_EQUAL(SerializeHex(int16_t{-2}), "feff");
    BOOST_CHECK_EQUAL(SerializeHex(uint32_t{0x12345678}), "78563412");
    BOOST_CHECK_EQUAL(SerializeHex(int32_t{-1}), "ffffffff");
    BOOST_CHECK_EQUAL(SerializeHex(int32_t{std::numeric_limits<int32_t>::min()}), "00000080");
    BOOST_CHECK_EQUAL(SerializeHex(uint64_t{0x0102030405060708}), "0807060504030201");
    BOOST_CHECK_EQUAL(SerializeHex(int64_t{-5000000000}), "000efad5feffffff");
    BOOST_CHECK_EQUAL(SerializeHex(true), "01");
    BOOST_CHECK_EQUAL(SerializeHex(false), "00");

    DataStream s = StreamOf("000efad5feffffff" "feff" "02" "ffffffff");
    int64_t a;
    int16_t b;
    bool c;
    uint32_t d;
    s >> a >> b >> c >> d;
    BOOST_CHECK_EQUAL(a, -5000000000);
    BOOST_CHECK_EQUAL(b, -2);
    BOOST_CHECK_EQUAL(c, true);
    BOOST_CHECK_EQUAL(d, 0xffffffffU);
    BOOST_CHECK(s.empty());
}

BOOST_AUTO_TEST_CASE(compact_size_encodings)
{
    struct Case {
        uint64_t value;
        const char* hex;
    };
    const Case cases[] = {
        {0, "00"},
        {1, "01"},
        {0xfc, "fc"},
        {0xfd, "fdfd00"},
        {0xfe, "fdfe00"},
        {0xffff, "fdffff"},
        {0x10000, "fe00000100"},
        {0xffffffff, "feffffffff"},
        {0x100000000, "ff0000000001000000"},
        {0xffffffffffffffff, "ffffffffffffffffff"},
    };
    for (const Case& c : cases) {
        BOOST_TEST_CONTEXT("value " << c.value)
        {
            DataStream s;
            WriteCompactSize(s, c.value);
            BOOST_CHECK_EQUAL(HexStr(s.unread()), c.hex);
            BOOST_CHECK_EQUAL(GetCompactSizeLength(c.value), s.size());
            BOOST_CHECK_EQUAL(ReadCompactSize(s, false), c.value);
            BOOST_CHECK(s.empty());
        }
    }
    // Every value around the boundaries round-trips.
    for (uint64_t v : std::vector<uint64_t>{0, 0xfc, 0xfd, 0xffff, 0x10000, MAX_SIZE - 1, MAX_SIZE}) {
        DataStream s;
        WriteCompactSize(s, v);
        BOOST_CHECK_EQUAL(ReadCompactSize(s), v);
    }
}

BOOST_AUTO_TEST_CASE(compact_size_rejects_non_canonical)
{
    // Each value encoded in more bytes than needed.
    const char* non_canonical[] = {
        "fd0000", "fdfc00",                 // < 0xfd in 3 bytes
        "fe00000000", "feffff0000",         // <= 0xffff in 5 bytes
        "ff0000000000000000", "ffffffffff00000000", // <= 0xffffffff in 9 bytes
    };
    for (const char* hex : non_canonical) {
        BOOST_TEST_CONTEXT("encoding " << hex)
        {
            DataStream s = StreamOf(hex);
            BOOST_CHECK_EXCEPTION(ReadCompactSize(s), std::ios_base::failure,
                                  [](const auto& e) { return ThrowsWith(e, "non-canonical ReadCompactSize()"); });
            DataStream s2 = StreamOf(hex);
            BOOST_CHECK_THROW(ReadCompactSize(s2, false), std::ios_base::failure);
        }
    }
}

BOOST_AUTO_TEST_CASE(compact_size_limit)
{
    {
        DataStream s;
        WriteCompactSize(s, MAX_SIZE);
        BOOST_CHECK_EQUAL(ReadCompactSize(s), MAX_SIZE);
    }
    for (uint64_t v : std::vector<uint64_t>{MAX_SIZE + 1, 0xffffffff, 0xffffffffffffffff}) {
        BOOST_TEST_CONTEXT("value " << v)
        {
            DataStream s;
            WriteCompactSize(s, v);
            DataStream unchecked = s;
            BOOST_CHECK_EXCEPTION(ReadCompactSize(s), std::ios_base::failure,
                                  [](const auto& e) { return ThrowsWith(e, "size too large"); });
            BOOST_CHECK_EQUAL(ReadCompactSize(unchecked, false), v);
        }
    }
    // A vector, string or nested vector announcing more than MAX_SIZE fails
    // before reading anything else.
    DataStream s = StreamOf("fe01000002" "00");
    Bytes bytes;
    BOOST_CHECK_THROW(s >> bytes, std::ios_base::failure);
}

BOOST_AUTO_TEST_CASE(compact_size_truncated)
{
    for (const char* hex : {"", "fd", "fdff", "fe", "feffffff", "ff", "ffffffffffffffff"}) {
        BOOST_TEST_CONTEXT("encoding '" << hex << "'")
        {
            DataStream s = StreamOf(hex);
            BOOST_CHECK_THROW(ReadCompactSize(s), std::ios_base::failure);
        }
    }
}

BOOST_AUTO_TEST_CASE(containers)
{
    BOOST_CHECK_EQUAL(SerializeHex(Bytes{}), "00");
    BOOST_CHECK_EQUAL(SerializeHex(Bytes{1, 2, 3}), "03010203");
    BOOST_CHECK_EQUAL(SerializeHex(std::string("abc")), "03616263");
    BOOST_CHECK_EQUAL(SerializeHex(std::vector<uint16_t>{1, 0x203}), "0201000302");
    BOOST_CHECK_EQUAL(SerializeHex(std::array<unsigned char, 3>{7, 8, 9}), "070809"); // no length
    BOOST_CHECK_EQUAL(SerializeHex(std::array<uint32_t, 2>{1, 2}), "0100000002000000");
    BOOST_CHECK_EQUAL(SerializeHex(std::vector<Bytes>{{}, {0xaa}}), "020001aa");
    BOOST_CHECK_EQUAL(SerializeHex(Bytes(0xfd, 0x11)).substr(0, 10), "fdfd001111");

    DataStream s;
    const std::vector<Bytes> nested{{1}, {}, Bytes(300, 0x55)};
    const std::string text(1000, 'x');
    const std::array<unsigned char, 4> magic{0xf9, 0xbe, 0xb4, 0xd9};
    s << nested << text << magic << std::span<const unsigned char>(magic);
    std::vector<Bytes> nested_read;
    std::string text_read;
    std::array<unsigned char, 4> magic_read{};
    std::array<unsigned char, 4> raw{};
    s >> nested_read >> text_read >> magic_read >> std::span<unsigned char>(raw);
    BOOST_CHECK(nested_read == nested);
    BOOST_CHECK(text_read == text);
    BOOST_CHECK(magic_read == magic);
    BOOST_CHECK(raw == magic);
    BOOST_CHECK(s.empty());

    BOOST_CHECK_EQUAL(GetSerializeSize(nested), 1 + 2 + 1 + 3 + 300);
    BOOST_CHECK_EQUAL(GetSerializeSize(uint256{}), 32U);
}

BOOST_AUTO_TEST_CASE(truncated_containers_fail)
{
    DataStream full;
    full << std::vector<Bytes>{{1, 2, 3}, Bytes(300, 7)} << std::string("hello");
    const Bytes bytes(full.begin(), full.end());
    for (size_t len = 0; len < bytes.size(); ++len) {
        BOOST_TEST_CONTEXT("prefix of " << len << " bytes")
        {
            DataStream s(std::span<const unsigned char>(bytes.data(), len));
            std::vector<Bytes> v;
            std::string str;
            BOOST_CHECK_THROW(s >> v >> str, std::ios_base::failure);
        }
    }
}

BOOST_AUTO_TEST_CASE(absurd_lengths_allocate_little)
{
    // A length of MAX_SIZE with ten bytes behind it: the read fails, and no
    // allocation came close to the announced size.
    for (const char* prefix : {"fe00000002", "fdffff"}) {
        BOOST_TEST_CONTEXT("length " << prefix)
        {
            g_largest_allocation = 0;
            DataStream s = StreamOf(std::string(prefix) + "00112233445566778899");
            std::vector<unsigned char, RecordingAllocator<unsigned char>> bytes;
            BOOST_CHECK_THROW(s >> bytes, std::ios_base::failure);
            BOOST_CHECK_LE(g_largest_allocation, MAX_VECTOR_ALLOCATE);
        }
    }
    {
        g_largest_allocation = 0;
        DataStream s = StreamOf("fe00000002" "00112233");
        std::vector<Wide, RecordingAllocator<Wide>> wides;
        BOOST_CHECK_THROW(s >> wides, std::ios_base::failure);
        BOOST_CHECK_LE(g_largest_allocation, MAX_VECTOR_ALLOCATE);
    }
    {
        // Nested: 2^25 inner vectors announced, each costs at least one byte.
        g_largest_allocation = 0;
        DataStream s = StreamOf("fe00000002" "0000");
        std::vector<std::vector<unsigned char>, RecordingAllocator<std::vector<unsigned char>>> nested;
        BOOST_CHECK_THROW(s >> nested, std::ios_base::failure);
        BOOST_CHECK_LE(g_largest_allocation, MAX_VECTOR_ALLOCATE);
    }
    {
        // A large honest vector still reads completely (grown in chunks).
        Bytes big(MAX_VECTOR_ALLOCATE * 2 + 12345);
        for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<unsigned char>(i * 7);
        DataStream s;
        s << big;
        Bytes read;
        s >> read;
        BOOST_CHECK(read == big);
        std::vector<Wide> wides(MAX_VECTOR_ALLOCATE / 64 + 3);
        wides.back().bytes[5] = 9;
        s << wides;
        std::vector<Wide> wides_read;
        s >> wides_read;
        BOOST_CHECK_EQUAL(wides_read.size(), wides.size());
        BOOST_CHECK_EQUAL(wides_read.back().bytes[5], 9);
    }
}

BOOST_AUTO_TEST_CASE(data_stream_behaviour)
{
    DataStream s = StreamOf("0102030405");
    unsigned char two[2];
    s.read(two);
    BOOST_CHECK_EQUAL(two[0], 1);
    BOOST_CHECK_EQUAL(s.size(), 3U);
    // A failed read consumes nothing.
    unsigned char four[4];
    BOOST_CHECK_THROW(s.read(four), std::ios_base::failure);
    BOOST_CHECK_EQUAL(s.size(), 3U);
    BOOST_CHECK_THROW(s.ignore(4), std::ios_base::failure);
    s.ignore(1);
    BOOST_CHECK_EQUAL(HexStr(s.unread()), "0405");
    s << uint8_t{6};
    BOOST_CHECK_EQUAL(HexStr(s.unread()), "040506");
    uint32_t too_big;
    BOOST_CHECK_THROW(s >> too_big, std::ios_base::failure);
    s.clear();
    BOOST_CHECK(s.empty());

    // Trailing data is left for the caller to notice.
    DataStream t = StreamOf("0301020399");
    Bytes v;
    t >> v;
    BOOST_CHECK_EQUAL(t.size(), 1U);
}

BOOST_AUTO_TEST_CASE(span_reader_behaviour)
{
    const Bytes bytes = ParseHex("02aabb0700000001");
    SpanReader r(bytes);
    Bytes v;
    uint32_t n;
    r >> v >> n;
    BOOST_CHECK_EQUAL(HexStr(v), "aabb");
    BOOST_CHECK_EQUAL(n, 7U);
    BOOST_CHECK_EQUAL(r.size(), 1U);
    BOOST_CHECK_THROW(r >> n, std::ios_base::failure);
    BOOST_CHECK_EQUAL(r.size(), 1U);
    r.ignore(1);
    BOOST_CHECK(r.empty());
    BOOST_CHECK_THROW(r.ignore(1), std::ios_base::failure);
}

BOOST_AUTO_TEST_CASE(hash_writer)
{
    // SHA256("abc") (FIPS 180-4 example), shown in uint256's reversed hex.
    HashWriter abc;
    abc << std::span<const unsigned char>(reinterpret_cast<const unsigned char*>("abc"), 3);
    BOOST_CHECK_EQUAL(HexStr(abc.GetSHA256()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // SHA256d of nothing.
    BOOST_CHECK_EQUAL(HexStr(HashWriter().GetHash()),
                      "5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456");
    // Serializing into it equals hashing the serialization.
    DataStream s;
    s << uint32_t{1} << std::string("xyz") << uint256::ONE;
    HashWriter h1;
    h1 << uint32_t{1} << std::string("xyz") << uint256::ONE;
    HashWriter h2;
    h2.write(s.unread());
    BOOST_CHECK(h1.GetHash() == h2.GetHash());
    // GetHash does not disturb the state.
    BOOST_CHECK(h1.GetHash() == h2.GetHash());
}

BOOST_AUTO_TEST_SUITE_END()
