// Network addresses: parsing and printing of every network, classification,
// netgroups, v1 and BIP155 encodings, services, subnets, numeric lookup.

#include <net/netaddress.h>
#include <streams.h>
#include <util/strencodings.h>

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace net;

BOOST_AUTO_TEST_SUITE(netaddress_tests)

namespace {
NetAddr A(const std::string& s)
{
    auto a = NetAddr::Parse(s);
    BOOST_REQUIRE_MESSAGE(a, "parse " + s);
    return *a;
}
using Bytes = std::vector<uint8_t>;
} // namespace

BOOST_AUTO_TEST_CASE(parse_and_print)
{
    BOOST_CHECK_EQUAL(A("1.2.3.4").ToStringAddr(), "1.2.3.4");
    BOOST_CHECK(A("1.2.3.4").IsIPv4());
    BOOST_CHECK_EQUAL(A("::ffff:1.2.3.4").ToStringAddr(), "1.2.3.4");
    BOOST_CHECK(A("::ffff:1.2.3.4").IsIPv4());
    BOOST_CHECK_EQUAL(A("::1").ToStringAddr(), "::1");
    BOOST_CHECK_EQUAL(A("::").ToStringAddr(), "::");
    BOOST_CHECK_EQUAL(A("1:2:3:4:5:6:7:8").ToStringAddr(), "1:2:3:4:5:6:7:8");
    BOOST_CHECK_EQUAL(A("2001:0DB8:0:0:1:0:0:1").ToStringAddr(), "2001:db8::1:0:0:1");
    BOOST_CHECK_EQUAL(A("fe80:0:0:0:0:0:0:0").ToStringAddr(), "fe80::");
    BOOST_CHECK_EQUAL(A("1:0:2:3:4:5:6:7").ToStringAddr(), "1:0:2:3:4:5:6:7"); // a single zero word is not compressed
    BOOST_CHECK_EQUAL(A("fe80::1%eth0").ToStringAddr(), "fe80::1");

    // Tor v3 (checksum checked with SHA3-256), case-insensitive.
    const std::string onion = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion";
    BOOST_CHECK(A(onion).IsTor());
    BOOST_CHECK_EQUAL(A(onion).ToStringAddr(), onion);
    const std::string upper_ddg = "DUCKDUCKGOGG42XJOC72X3SJASOWOARFBGCMVFIMAFTT6TWAGSWZCZAD.onion";
    BOOST_CHECK_EQUAL(A(upper_ddg).ToStringAddr(), "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion");
    // A wrong checksum or version is refused.
    BOOST_CHECK(!NetAddr::Parse("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryc.onion"));
    BOOST_CHECK(!NetAddr::Parse("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscrye.onion"));
    BOOST_CHECK(!NetAddr::Parse("abc.onion"));

    const std::string i2p = "ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p";
    BOOST_CHECK(A(i2p).IsI2P());
    BOOST_CHECK_EQUAL(A(i2p).ToStringAddr(), i2p);
    BOOST_CHECK(!NetAddr::Parse("ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkd.b32.i2p"));

    BOOST_CHECK(!NetAddr::Parse(""));
    BOOST_CHECK(!NetAddr::Parse("1.2.3"));
    BOOST_CHECK(!NetAddr::Parse("example.com"));
    BOOST_CHECK(!NetAddr::Parse(std::string("1.2.3.4\0", 8)));

    const NetAddr internal = NetAddr::FromInternal("seed.example.org");
    BOOST_CHECK(internal.IsInternal());
    BOOST_CHECK(internal.ToStringAddr().ends_with(".internal"));
    BOOST_CHECK(internal.GetNetwork() == Network::INTERNAL);
}

BOOST_AUTO_TEST_CASE(classification)
{
    BOOST_CHECK(A("127.0.0.1").IsLocal());
    BOOST_CHECK(A("::1").IsLocal());
    BOOST_CHECK(!A("1.2.3.4").IsLocal());
    BOOST_CHECK(A("1.2.3.4").IsRoutable());
    BOOST_CHECK(A("8.8.8.8").GetNetwork() == Network::IPV4);
    BOOST_CHECK(A("2a00:1450::1").GetNetwork() == Network::IPV6);
    for (const char* s : {"10.0.0.1", "192.168.1.1", "172.16.0.1", "172.31.255.255", "169.254.1.1", "100.64.0.1",
                          "198.18.0.1", "192.0.2.1", "198.51.100.1", "203.0.113.1", "127.0.0.1", "fe80::1",
                          "fc00::1", "2001:10::1", "2001:20::1", "::1"}) {
        BOOST_CHECK_MESSAGE(!A(s).IsRoutable(), s);
        BOOST_CHECK_MESSAGE(A(s).GetNetwork() == Network::UNROUTABLE, s);
    }
    BOOST_CHECK(A("172.32.0.1").IsRoutable());
    BOOST_CHECK(!A("0.0.0.0").IsValid());
    BOOST_CHECK(!A("255.255.255.255").IsValid());
    BOOST_CHECK(!A("::").IsValid());
    BOOST_CHECK(!A("2001:db8::1").IsValid());
    BOOST_CHECK(A("0.0.0.0").IsBindAny());
    BOOST_CHECK(A("::").IsBindAny());
    BOOST_CHECK(A("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion").GetNetwork() == Network::ONION);
    BOOST_CHECK(A("ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p").GetNetwork() == Network::I2P);
    BOOST_CHECK_EQUAL(static_cast<int>(Network::IPV4), 1);
    BOOST_CHECK_EQUAL(static_cast<int>(Network::CJDNS), 5);
    BOOST_CHECK_EQUAL(NetworkName(Network::ONION), "onion");
    BOOST_CHECK(ParseNetwork("IPv6") == Network::IPV6);
    BOOST_CHECK(!ParseNetwork("tor"));
}

BOOST_AUTO_TEST_CASE(netgroups)
{
    BOOST_CHECK(A("127.0.0.1").GetGroup() == Bytes({255}));
    BOOST_CHECK(A("10.0.0.1").GetGroup() == Bytes({0}));
    BOOST_CHECK(A("1.2.3.4").GetGroup() == Bytes({1, 1, 2}));
    BOOST_CHECK(A("1.2.200.200").GetGroup() == A("1.2.3.4").GetGroup());
    BOOST_CHECK(A("1.3.3.4").GetGroup() != A("1.2.3.4").GetGroup());
    BOOST_CHECK(A("::ffff:1.2.3.4").GetGroup() == Bytes({1, 1, 2}));        // mapped
    BOOST_CHECK(A("2002:102:304:9999::").GetGroup() == Bytes({1, 1, 2}));   // 6to4
    BOOST_CHECK(A("64:ff9b::102:304").GetGroup() == Bytes({1, 1, 2}));      // NAT64
    BOOST_CHECK(A("2001:0:9999:9999:9999:9999:fefd:fcfb").GetGroup() == Bytes({1, 1, 2})); // Teredo (inverted)
    BOOST_CHECK(A("2001:470:abcd:9999:9999:9999:9999:9999").GetGroup() == Bytes({2, 0x20, 0x01, 0x04, 0x70, 0xaf})); // HE /36
    BOOST_CHECK(A("2001:2001:9999:9999:9999:9999:9999:9999").GetGroup() == Bytes({2, 0x20, 0x01, 0x20, 0x01}));    // /32
    BOOST_CHECK(A("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion").GetGroup() == Bytes({3, 0x79 | 0x0f}));
    BOOST_CHECK(A("ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p").GetGroup() == Bytes({4, 0xa2 | 0x0f}));
    uint8_t cj[16] = {0xfc, 0x12, 0x34, 0x56, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    BOOST_CHECK(NetAddr::FromCJDNS(std::span<const uint8_t, 16>(cj, 16)).GetGroup() == Bytes({5, 0xfc, 0x1f}));
    BOOST_CHECK_EQUAL(A("1.2.3.4").GetMappedAS({}), 0u);
}

BOOST_AUTO_TEST_CASE(encodings)
{
    // v1: 16 bytes IPv6-mapped.
    DataStream s;
    A("1.2.3.4").SerializeV1(s);
    BOOST_CHECK_EQUAL(HexStr(s.unread()), "00000000000000000000ffff01020304");
    s.clear();
    Service(A("1.2.3.4"), 8333).SerializeV1(s);
    BOOST_CHECK_EQUAL(HexStr(s.unread()), "00000000000000000000ffff01020304208d");
    Service back;
    back.UnserializeV1(s);
    BOOST_CHECK(back == Service(A("1.2.3.4"), 8333));

    // v2 (BIP155): id, length, bytes.
    s.clear();
    A("1.2.3.4").SerializeV2(s);
    BOOST_CHECK_EQUAL(HexStr(s.unread()), "010401020304");
    s.clear();
    A("1:2:3:4:5:6:7:8").SerializeV2(s);
    BOOST_CHECK_EQUAL(HexStr(s.unread()), "021000010002000300040005000600070008");
    s.clear();
    const NetAddr onion = A("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion");
    onion.SerializeV2(s);
    BOOST_CHECK_EQUAL(HexStr(s.unread()).substr(0, 4), "0420");
    NetAddr got;
    got.UnserializeV2(s);
    BOOST_CHECK(got == onion);
    // Tor/I2P cannot go into v1: zeros.
    s.clear();
    onion.SerializeV1(s);
    BOOST_CHECK_EQUAL(HexStr(s.unread()), "00000000000000000000000000000000");

    // Known id with the wrong size: error. Unknown id: skipped (invalid address).
    DataStream bad(ParseHex("010501020304ff"));
    BOOST_CHECK_THROW(got.UnserializeV2(bad), std::ios_base::failure);
    DataStream unknown(ParseHex("aa03010203"));
    got.UnserializeV2(unknown);
    BOOST_CHECK(!got.IsValid());
    BOOST_CHECK(unknown.empty());
    // Too long.
    DataStream huge(ParseHex("aafd0102"));
    BOOST_CHECK_THROW(got.UnserializeV2(huge), std::ios_base::failure);
    // IPv4-mapped inside a v2 IPv6 entry is not allowed: invalid.
    DataStream mapped(ParseHex("021000000000000000000000ffff01020304"));
    got.UnserializeV2(mapped);
    BOOST_CHECK(!got.IsValid());

    // An addr entry and whole messages.
    Address a(Service(A("1.2.3.4"), 8333), NODE_NETWORK | NODE_WITNESS, 0x5f5e1000);
    s.clear();
    a.SerializeV1(s);
    BOOST_CHECK_EQUAL(HexStr(s.unread()), "00105e5f" "0900000000000000" "00000000000000000000ffff01020304208d");
    s.clear();
    a.SerializeV2(s);
    BOOST_CHECK_EQUAL(HexStr(s.unread()), "00105e5f" "09" "010401020304" "208d");
    s.clear();
    WriteAddresses(s, {a, a}, /*v2=*/true);
    auto list = ReadAddresses(s, /*v2=*/true);
    BOOST_REQUIRE_EQUAL(list.size(), 2u);
    BOOST_CHECK(list[1] == a);
    BOOST_CHECK_EQUAL(list[1].services, a.services);
    BOOST_CHECK_EQUAL(list[1].time, a.time);
    s.clear();
    WriteCompactSize(s, 1001);
    BOOST_CHECK_THROW(ReadAddresses(s, false), std::ios_base::failure);
}

BOOST_AUTO_TEST_CASE(services_and_ports)
{
    BOOST_CHECK_EQUAL(Service(A("1.2.3.4"), 8333).ToStringAddrPort(), "1.2.3.4:8333");
    BOOST_CHECK_EQUAL(Service(A("::1"), 18444).ToStringAddrPort(), "[::1]:18444");
    auto s = LookupNumeric("[2001:db8::1]:8333");
    BOOST_REQUIRE(s);
    BOOST_CHECK_EQUAL(s->GetPort(), 8333);
    BOOST_CHECK_EQUAL(s->ToStringAddr(), "2001:db8::1");
    s = LookupNumeric("1.2.3.4", 18444);
    BOOST_REQUIRE(s);
    BOOST_CHECK_EQUAL(s->ToStringAddrPort(), "1.2.3.4:18444");
    s = LookupNumeric("::1", 5);
    BOOST_REQUIRE(s);
    BOOST_CHECK_EQUAL(s->ToStringAddrPort(), "[::1]:5");
    BOOST_CHECK(!LookupNumeric("1.2.3.4:99999"));
    BOOST_CHECK(!LookupNumeric("1.2.3.4:x"));
    BOOST_CHECK(!LookupNumeric("localhost:8333"));
    auto hosts = LookupHost("127.0.0.1");
    BOOST_REQUIRE_EQUAL(hosts.size(), 1u);
    BOOST_CHECK(hosts[0] == A("127.0.0.1"));
    BOOST_CHECK(LookupHost("localhost", /*allow_lookup=*/false).empty());
    BOOST_CHECK(Service(A("1.2.3.4"), 1) < Service(A("1.2.3.4"), 2));
    BOOST_CHECK(Service(A("1.2.3.4"), 1) != Service(A("1.2.3.4"), 2));

    auto names = ServiceFlagsToStr(NODE_NETWORK | NODE_WITNESS | (uint64_t{1} << 20));
    BOOST_REQUIRE_EQUAL(names.size(), 3u);
    BOOST_CHECK_EQUAL(names[0], "NETWORK");
    BOOST_CHECK_EQUAL(names[1], "WITNESS");
    BOOST_CHECK_EQUAL(names[2], "UNKNOWN[2^20]");
}

BOOST_AUTO_TEST_CASE(subnets)
{
    SubNet sn = SubNet::Parse("1.2.3.0/24");
    BOOST_REQUIRE(sn.IsValid());
    BOOST_CHECK(sn.Match(A("1.2.3.4")));
    BOOST_CHECK(!sn.Match(A("1.2.4.4")));
    BOOST_CHECK(!sn.Match(A("::1")));
    BOOST_CHECK_EQUAL(sn.ToString(), "1.2.3.0/24");
    BOOST_CHECK_EQUAL(SubNet::Parse("1.2.3.4/255.255.255.0").ToString(), "1.2.3.0/24");
    BOOST_CHECK_EQUAL(SubNet::Parse("1.2.3.4").ToString(), "1.2.3.4/32");
    BOOST_CHECK(SubNet::Parse("1.2.3.4").IsSingleIP());
    BOOST_CHECK_EQUAL(SubNet::Parse("::1/128").ToString(), "::1/128");
    BOOST_CHECK_EQUAL(SubNet::Parse("2001:db8::/32").ToString(), "2001:db8::/32");
    BOOST_CHECK(SubNet::Parse("2001:db8::/32").Match(A("2001:db8:1::5")));
    BOOST_CHECK(SubNet::Parse("0.0.0.0/0").Match(A("8.8.8.8")));
    BOOST_CHECK(!SubNet::Parse("1.2.3.4/33").IsValid());
    BOOST_CHECK(!SubNet::Parse("1.2.3.4/255.0.255.0").IsValid());
    BOOST_CHECK(!SubNet::Parse("1.2.3.4/").IsValid());
    BOOST_CHECK(!SubNet::Parse("nonsense/8").IsValid());
    const std::string onion = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion";
    SubNet o = SubNet::Parse(onion);
    BOOST_CHECK(o.IsValid());
    BOOST_CHECK(o.Match(A(onion)));
    BOOST_CHECK_EQUAL(o.ToString(), onion);
}

namespace {
// Appends value with the asmap variable-length code (minval, mantissa sizes).
void PutVar(std::vector<bool>& out, uint32_t value, uint32_t minval, std::vector<int> sizes)
{
    value -= minval;
    for (size_t i = 0; i < sizes.size(); ++i) {
        const bool last = i + 1 == sizes.size();
        if (!last && value >= (uint32_t{1} << sizes[i])) {
            out.push_back(true);
            value -= uint32_t{1} << sizes[i];
            continue;
        }
        if (!last) out.push_back(false);
        for (int b = sizes[i] - 1; b >= 0; --b) out.push_back((value >> b) & 1);
        return;
    }
}
} // namespace

BOOST_AUTO_TEST_CASE(asmap)
{
    const std::vector<int> TYPE{0, 0, 1}, ASN{15, 16, 17, 18, 19, 20, 21, 22, 23, 24}, MATCH{1, 2, 3, 4, 5, 6, 7, 8};
    // "Everything is AS 1234".
    std::vector<bool> all;
    PutVar(all, 0, 0, TYPE); // RETURN
    PutVar(all, 1234, 1, ASN);
    BOOST_CHECK_EQUAL(A("1.2.3.4").GetMappedAS(all), 1234u);
    BOOST_CHECK_EQUAL(A("2a00:1450::1").GetMappedAS(all), 1234u);
    BOOST_CHECK_EQUAL(A("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion").GetMappedAS(all), 0u);
    // "First byte of the IPv6 form is 0 (every IPv4): AS 64512; else 0".
    std::vector<bool> v4;
    PutVar(v4, 2, 0, TYPE); // MATCH
    PutVar(v4, 0x100, 2, MATCH); // 8 bits, all zero
    PutVar(v4, 0, 0, TYPE); // RETURN
    PutVar(v4, 64512, 1, ASN);
    BOOST_CHECK_EQUAL(A("1.2.3.4").GetMappedAS(v4), 64512u);
    BOOST_CHECK_EQUAL(A("2a00:1450::1").GetMappedAS(v4), 0u);
    // Groups by AS: one group for every address of the AS.
    BOOST_CHECK(A("1.2.3.4").GetGroup(v4) == Bytes({2, 0x00, 0xfc, 0x00, 0x00}));
    BOOST_CHECK(A("9.9.9.9").GetGroup(v4) == A("1.2.3.4").GetGroup(v4));
    BOOST_CHECK(A("2a00:1450::1").GetGroup(v4) == Bytes({2, 0x2a, 0x00, 0x14, 0x50}));
    // "Bit 1 set: jump to RETURN 7; else RETURN 9" (a JUMP over the first RETURN).
    std::vector<bool> ret9;
    PutVar(ret9, 0, 0, TYPE);
    PutVar(ret9, 9, 1, ASN);
    std::vector<bool> jmp;
    PutVar(jmp, 1, 0, TYPE); // JUMP
    PutVar(jmp, static_cast<uint32_t>(ret9.size()), 17, {5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30});
    jmp.insert(jmp.end(), ret9.begin(), ret9.end());
    PutVar(jmp, 0, 0, TYPE);
    PutVar(jmp, 7, 1, ASN);
    BOOST_CHECK_EQUAL(A("1.2.3.4").GetMappedAS(jmp), 9u);                // first bit of ::ffff:... is 0
    BOOST_CHECK_EQUAL(A("8000::1").GetMappedAS(jmp), 7u);                // first bit 1
    // Truncated programs give 0.
    std::vector<bool> cut(all.begin(), all.begin() + 5);
    BOOST_CHECK_EQUAL(A("1.2.3.4").GetMappedAS(cut), 0u);
}

BOOST_AUTO_TEST_SUITE_END()
