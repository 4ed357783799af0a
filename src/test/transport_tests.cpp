// Transport v1: framing, checksums, message-type validation, the payload
// limit and the reactions to a wrong magic, an oversized payload and a bad
// checksum.

#include <net/transport.h>
#include <util/strencodings.h>

#include <boost/test/unit_test.hpp>

#include <span>
#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(transport_tests)

namespace {

using Bytes = std::vector<unsigned char>;
const net::MessageStartBytes MAIN_MAGIC{0xf9, 0xbe, 0xb4, 0xd9};
const net::MessageStartBytes REGTEST_MAGIC{0xfa, 0xbf, 0xb5, 0xda};

// Feeds all of `bytes`, collecting complete messages. False on a disconnect.
bool FeedAll(net::V1Transport& t, const Bytes& bytes, std::vector<net::ReceivedMessage>& out,
             std::vector<bool>& rejected, size_t chunk = 0)
{
    std::span<const unsigned char> rest(bytes);
    while (!rest.empty()) {
        std::span<const unsigned char> piece = chunk ? rest.first(std::min(chunk, rest.size())) : rest;
        const size_t before = piece.size();
        if (!t.ReceivedBytes(piece)) return false;
        rest = rest.subspan(before - piece.size());
        if (t.Complete()) {
            bool reject;
            out.push_back(t.GetMessage(std::chrono::microseconds{1}, reject));
            rejected.push_back(reject);
        }
    }
    return true;
}

} // namespace

BOOST_AUTO_TEST_CASE(checksum_and_framing)
{
    // The empty payload's checksum is the well-known 5df6e0e2.
    BOOST_CHECK_EQUAL(HexStr(net::ComputeMessageChecksum({})), "5df6e0e2");
    const Bytes verack = net::FrameMessage(MAIN_MAGIC, "verack", {});
    BOOST_CHECK_EQUAL(HexStr(verack), "f9beb4d976657261636b000000000000000000005df6e0e2");
    BOOST_CHECK_EQUAL(verack.size(), net::MESSAGE_HEADER_SIZE);

    const Bytes payload{1, 2, 3, 4, 5};
    const Bytes framed = net::FrameMessage(REGTEST_MAGIC, "ping", payload);
    BOOST_REQUIRE_EQUAL(framed.size(), 24u + 5);
    BOOST_CHECK_EQUAL(HexStr(std::span(framed).first(16)), "fabfb5da70696e670000000000000000");
    BOOST_CHECK_EQUAL(HexStr(std::span(framed).subspan(16, 4)), "05000000");
    const auto sum = net::ComputeMessageChecksum(payload);
    BOOST_CHECK(std::equal(sum.begin(), sum.end(), framed.begin() + 20));

    BOOST_CHECK_THROW(net::FrameMessage(MAIN_MAGIC, "thirteenchars", {}), std::invalid_argument);
    BOOST_CHECK_NO_THROW(net::FrameMessage(MAIN_MAGIC, "twelve_chars", {}));
}

BOOST_AUTO_TEST_CASE(roundtrip_any_split)
{
    Bytes stream;
    for (const auto& [type, size] : std::vector<std::pair<std::string, size_t>>{{"version", 102}, {"verack", 0}, {"headers", 1000}}) {
        Bytes payload(size);
        for (size_t i = 0; i < size; ++i) payload[i] = static_cast<unsigned char>(i * 7);
        const Bytes f = net::FrameMessage(REGTEST_MAGIC, type, payload);
        stream.insert(stream.end(), f.begin(), f.end());
    }
    for (size_t chunk : {size_t{0}, size_t{1}, size_t{7}, size_t{24}, size_t{25}, size_t{500}}) {
        net::V1Transport t(REGTEST_MAGIC, 0);
        std::vector<net::ReceivedMessage> msgs;
        std::vector<bool> rejected;
        BOOST_REQUIRE(FeedAll(t, stream, msgs, rejected, chunk));
        BOOST_REQUIRE_EQUAL(msgs.size(), 3u);
        BOOST_CHECK_EQUAL(msgs[0].type, "version");
        BOOST_CHECK_EQUAL(msgs[0].payload.size(), 102u);
        BOOST_CHECK_EQUAL(msgs[0].raw_size, 126u);
        BOOST_CHECK_EQUAL(msgs[1].type, "verack");
        BOOST_CHECK_EQUAL(msgs[1].raw_size, 24u);
        BOOST_CHECK_EQUAL(msgs[2].type, "headers");
        BOOST_CHECK_EQUAL(msgs[2].payload[999], static_cast<unsigned char>(999 * 7));
        for (bool r : rejected) BOOST_CHECK(!r);
        BOOST_CHECK_EQUAL(t.PendingBytes(), 0u);
    }
}

BOOST_AUTO_TEST_CASE(bad_checksum_dropped_not_disconnected)
{
    Bytes bad = net::FrameMessage(REGTEST_MAGIC, "ping", Bytes{9, 9, 9, 9, 9, 9, 9, 9});
    bad[20] ^= 0xff;
    const Bytes good = net::FrameMessage(REGTEST_MAGIC, "pong", Bytes{1, 1, 1, 1, 1, 1, 1, 1});
    Bytes stream = bad;
    stream.insert(stream.end(), good.begin(), good.end());
    net::V1Transport t(REGTEST_MAGIC, 0);
    std::vector<net::ReceivedMessage> msgs;
    std::vector<bool> rejected;
    BOOST_REQUIRE(FeedAll(t, stream, msgs, rejected));
    BOOST_REQUIRE_EQUAL(msgs.size(), 2u);
    BOOST_CHECK(rejected[0]);
    BOOST_CHECK_EQUAL(msgs[0].raw_size, 32u);  // still counted
    BOOST_CHECK(!rejected[1]);
    BOOST_CHECK_EQUAL(msgs[1].type, "pong");
}

BOOST_AUTO_TEST_CASE(wrong_magic_disconnects)
{
    const Bytes other = net::FrameMessage(MAIN_MAGIC, "verack", {});
    net::V1Transport t(REGTEST_MAGIC, 0);
    std::vector<net::ReceivedMessage> msgs;
    std::vector<bool> rejected;
    BOOST_CHECK(!FeedAll(t, other, msgs, rejected));
    BOOST_CHECK(msgs.empty());
}

BOOST_AUTO_TEST_CASE(payload_limit)
{
    BOOST_CHECK_EQUAL(net::MAX_PROTOCOL_MESSAGE_LENGTH, 4'000'000u);
    // A header claiming one byte over the limit disconnects at once, before any payload.
    net::MessageHeader h;
    h.magic = REGTEST_MAGIC;
    const std::string type = "block";
    std::copy(type.begin(), type.end(), h.type_bytes.begin());
    h.length = net::MAX_PROTOCOL_MESSAGE_LENGTH + 1;
    const auto hdr = h.Serialize();
    {
        net::V1Transport t(REGTEST_MAGIC, 0);
        std::span<const unsigned char> s(hdr);
        BOOST_CHECK(!t.ReceivedBytes(s));
    }
    // Exactly at the limit is accepted.
    Bytes payload(net::MAX_PROTOCOL_MESSAGE_LENGTH, 0x42);
    const Bytes framed = net::FrameMessage(REGTEST_MAGIC, "block", payload);
    net::V1Transport t(REGTEST_MAGIC, 0);
    std::vector<net::ReceivedMessage> msgs;
    std::vector<bool> rejected;
    BOOST_REQUIRE(FeedAll(t, framed, msgs, rejected, 65536));
    BOOST_REQUIRE_EQUAL(msgs.size(), 1u);
    BOOST_CHECK(!rejected[0]);
    BOOST_CHECK_EQUAL(msgs[0].payload.size(), net::MAX_PROTOCOL_MESSAGE_LENGTH);
}

BOOST_AUTO_TEST_CASE(partial_payload_does_not_preallocate)
{
    net::MessageHeader h;
    h.magic = REGTEST_MAGIC;
    h.type_bytes[0] = 'b';
    h.length = 3'000'000;
    const auto hdr = h.Serialize();
    net::V1Transport t(REGTEST_MAGIC, 0);
    std::span<const unsigned char> s(hdr);
    BOOST_REQUIRE(t.ReceivedBytes(s));
    BOOST_CHECK(!t.Complete());
    BOOST_CHECK_EQUAL(t.PendingBytes(), 24u);
    const Bytes some(100, 1);
    std::span<const unsigned char> s2(some);
    BOOST_REQUIRE(t.ReceivedBytes(s2));
    BOOST_CHECK_EQUAL(t.PendingBytes(), 124u);
}

BOOST_AUTO_TEST_CASE(message_type_validation)
{
    auto check = [](const Bytes& b) {
        std::array<unsigned char, 12> a{};
        std::copy(b.begin(), b.end(), a.begin());
        return net::IsValidMessageType(a);
    };
    BOOST_CHECK(check({'p', 'i', 'n', 'g'}));
    BOOST_CHECK(check({}));  // empty: all NULs
    BOOST_CHECK(!check({'p', 0, 'n', 'g'}));       // data after the padding
    BOOST_CHECK(!check({'p', 'i', 0x07, 'g'}));    // control character
    BOOST_CHECK(!check({'p', 'i', 0x80, 'g'}));    // not ASCII
    BOOST_CHECK(check({'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'}));

    // An invalid type is dropped, the next message still arrives.
    Bytes bad = net::FrameMessage(REGTEST_MAGIC, "ping", {});
    bad[6] = 0x01;
    const Bytes good = net::FrameMessage(REGTEST_MAGIC, "verack", {});
    bad.insert(bad.end(), good.begin(), good.end());
    net::V1Transport t(REGTEST_MAGIC, 0);
    std::vector<net::ReceivedMessage> msgs;
    std::vector<bool> rejected;
    BOOST_REQUIRE(FeedAll(t, bad, msgs, rejected));
    BOOST_REQUIRE_EQUAL(msgs.size(), 2u);
    BOOST_CHECK(rejected[0]);
    BOOST_CHECK(!rejected[1]);

    BOOST_CHECK(net::IsKnownMessageType("wtxidrelay"));
    BOOST_CHECK(!net::IsKnownMessageType("foobar"));
}

BOOST_AUTO_TEST_SUITE_END()
