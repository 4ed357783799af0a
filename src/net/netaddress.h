#pragma once

// Network addresses: IPv4, IPv6, Tor v3, I2P, CJDNS (BIP155 "addrv2" forms),
// their classification (routable, local, network), netgroups for bucketing
// and eviction, and the v1 (16-byte IPv6-mapped) and v2 (BIP155) encodings.
// Also Service (address + port), SubNet, Address (an addr/addrv2 entry) and
// name resolution (numeric parsing, getaddrinfo).

#include <serialize.h>

#include <array>
#include <compare>
#include <cstdint>
#include <ios>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace net {

// The numbers are the `network` argument of the connection tracepoints and
// Core's getnetworkinfo/getnodeaddresses naming order.
enum class Network : uint8_t {
    UNROUTABLE = 0,
    IPV4 = 1,
    IPV6 = 2,
    ONION = 3,
    I2P = 4,
    CJDNS = 5,
    INTERNAL = 6,
};

// "ipv4", "ipv6", "onion", "i2p", "cjdns", "not_publicly_routable", "internal"
std::string NetworkName(Network net);
// Parses "ipv4", "ipv6", "onion", "i2p", "cjdns" (case-insensitive).
std::optional<Network> ParseNetwork(std::string_view name);

// BIP155 network ids.
enum class Bip155Id : uint8_t {
    IPV4 = 1,
    IPV6 = 2,
    TORV2 = 3,
    TORV3 = 4,
    I2P = 5,
    CJDNS = 6,
};

inline constexpr size_t ADDR_IPV4_SIZE = 4;
inline constexpr size_t ADDR_IPV6_SIZE = 16;
inline constexpr size_t ADDR_TORV3_SIZE = 32;
inline constexpr size_t ADDR_I2P_SIZE = 32;
inline constexpr size_t ADDR_CJDNS_SIZE = 16;
inline constexpr size_t ADDR_INTERNAL_SIZE = 10;
// Longest address a BIP155 message may carry.
inline constexpr size_t MAX_ADDRV2_SIZE = 512;

class NetAddr {
public:
    // "::" (IPv6, invalid).
    NetAddr();

    static NetAddr FromIPv4(std::span<const uint8_t, 4> bytes);
    static NetAddr FromIPv4(uint32_t host_order);
    // 16 raw bytes; IPv4-mapped (::ffff:a.b.c.d) becomes IPv4, the internal
    // prefix becomes INTERNAL; anything else is IPv6.
    static NetAddr FromIPv6(std::span<const uint8_t, 16> bytes);
    // Tor v3 or I2P from their 32-byte form.
    static NetAddr FromTorV3(std::span<const uint8_t, 32> pubkey);
    static NetAddr FromI2P(std::span<const uint8_t, 32> hash);
    static NetAddr FromCJDNS(std::span<const uint8_t, 16> bytes);
    // A name mapped to a fake address (seed names): INTERNAL network.
    static NetAddr FromInternal(std::string_view name);

    // Numeric IPv4 / IPv6 text, "xxx.onion" (v3), "xxx.b32.i2p". No DNS.
    static std::optional<NetAddr> Parse(std::string_view text);

    // Raw network of the encoding (IPV4, IPV6, ONION, I2P, CJDNS, INTERNAL).
    Network GetNetClass() const { return m_net; }
    // Network for reporting: INTERNAL, UNROUTABLE when not routable, else the class.
    Network GetNetwork() const;

    bool IsIPv4() const { return m_net == Network::IPV4; }
    bool IsIPv6() const { return m_net == Network::IPV6; }
    bool IsTor() const { return m_net == Network::ONION; }
    bool IsI2P() const { return m_net == Network::I2P; }
    bool IsCJDNS() const { return m_net == Network::CJDNS; }
    bool IsInternal() const { return m_net == Network::INTERNAL; }
    // Network addresses that are IP (IPv4 or IPv6).
    bool IsIP() const { return IsIPv4() || IsIPv6(); }

    bool IsBindAny() const;       // 0.0.0.0 or ::
    bool IsLocal() const;         // 127/8, 0/8, ::1
    bool IsValid() const;
    bool IsRoutable() const;
    bool IsRFC1918() const;       // 10/8, 192.168/16, 172.16/12
    bool IsRFC2544() const;       // 198.18/15
    bool IsRFC3927() const;       // 169.254/16
    bool IsRFC6598() const;       // 100.64/10
    bool IsRFC5737() const;       // documentation v4
    bool IsRFC3849() const;       // 2001:db8::/32
    bool IsRFC3964() const;       // 6to4 2002::/16
    bool IsRFC6052() const;       // 64:ff9b::/96
    bool IsRFC4380() const;       // Teredo 2001::/32
    bool IsRFC4862() const;       // fe80::/64
    bool IsRFC4193() const;       // fc00::/7
    bool IsRFC6145() const;       // ::ffff:0:0:0/96
    bool IsRFC4843() const;       // ORCHID 2001:10::/28
    bool IsRFC7343() const;       // ORCHIDv2 2001:20::/28
    bool IsHeNet() const;         // 2001:470::/32
    // An IPv4 address embedded in IPv6 (6to4, Teredo, NAT64, SIIT).
    bool HasLinkedIPv4() const;
    uint32_t GetLinkedIPv4() const; // host order
    // Whether our v1 (addr) messages can carry it.
    bool IsAddrV1Compatible() const;

    // "1.2.3.4", "2001:db8::1", "xxx.onion", "xxx.b32.i2p", "fc00::1", "xxx.internal"
    std::string ToStringAddr() const;
    std::string ToString() const { return ToStringAddr(); }

    // The raw bytes (4 for IPv4, 16 for IPv6/CJDNS, 32 for Tor v3/I2P, 10 internal).
    const std::vector<uint8_t>& GetAddrBytes() const { return m_addr; }
    // 16 bytes as a v1 message carries them (IPv4-mapped; zeros for networks v1 cannot carry).
    std::array<uint8_t, 16> GetV1Bytes() const;
    // For IPv4 and IPv6: fills a sockaddr-friendly buffer.
    bool GetIPv4Bytes(std::array<uint8_t, 4>& out) const;
    bool GetIPv6Bytes(std::array<uint8_t, 16>& out) const;

    // The netgroup: a byte string naming the group of addresses one operator
    // is likely to control (/16 for IPv4, /32 for IPv6, 4 bits of Tor/I2P...).
    // With a non-empty asmap, the AS number for IP addresses that map.
    std::vector<uint8_t> GetGroup(const std::vector<bool>& asmap = {}) const;
    // AS number from an asmap; 0 without one or when unmapped.
    uint32_t GetMappedAS(const std::vector<bool>& asmap) const;

    // A key that identifies the address (network id + bytes), for hashing.
    std::vector<uint8_t> GetKey() const;

    Bip155Id GetBip155Id() const;
    // Sets from a BIP155 id and bytes; false for an unknown id or a bad size
    // (unknown ids are skipped by the caller, as BIP155 asks).
    bool SetFromBip155(uint8_t id, std::span<const uint8_t> bytes);

    // v1: 16 bytes.
    template <typename Stream>
    void SerializeV1(Stream& s) const
    {
        auto b = GetV1Bytes();
        s.write(std::span<const unsigned char>(b.data(), b.size()));
    }
    template <typename Stream>
    void UnserializeV1(Stream& s)
    {
        std::array<uint8_t, 16> b;
        s.read(std::span<unsigned char>(b.data(), b.size()));
        *this = FromIPv6(b);
    }
    // v2 (BIP155): network id, CompactSize length, bytes.
    template <typename Stream>
    void SerializeV2(Stream& s) const
    {
        if (IsInternal()) {
            // Never sent; encoded as an invalid IPv6 "::".
            Serialize(s, static_cast<uint8_t>(Bip155Id::IPV6));
            WriteCompactSize(s, 16);
            std::array<uint8_t, 16> z{};
            s.write(std::span<const unsigned char>(z.data(), z.size()));
            return;
        }
        Serialize(s, static_cast<uint8_t>(GetBip155Id()));
        WriteCompactSize(s, m_addr.size());
        s.write(std::span<const unsigned char>(m_addr.data(), m_addr.size()));
    }
    // Throws std::ios_base::failure on an oversized address or a known id
    // with the wrong size; an unknown id leaves an invalid "::" address.
    template <typename Stream>
    void UnserializeV2(Stream& s)
    {
        uint8_t id;
        Unserialize(s, id);
        uint64_t size = ReadCompactSize(s);
        if (size > MAX_ADDRV2_SIZE) throw std::ios_base::failure("Address too long");
        std::vector<uint8_t> bytes(size);
        if (size) s.read(std::span<unsigned char>(bytes.data(), bytes.size()));
        if (!SetFromBip155(id, bytes)) {
            if (IsKnownBip155Size(id) && !IsKnownBip155SizeOk(id, size)) {
                throw std::ios_base::failure("BIP155 address with an invalid length");
            }
            *this = NetAddr();
        }
    }

    friend bool operator==(const NetAddr& a, const NetAddr& b) { return a.m_net == b.m_net && a.m_addr == b.m_addr; }
    friend bool operator!=(const NetAddr& a, const NetAddr& b) { return !(a == b); }
    friend bool operator<(const NetAddr& a, const NetAddr& b)
    {
        if (a.m_net != b.m_net) return a.m_net < b.m_net;
        return a.m_addr < b.m_addr;
    }

protected:
    static bool IsKnownBip155Size(uint8_t id);
    static bool IsKnownBip155SizeOk(uint8_t id, uint64_t size);

    Network m_net{Network::IPV6};
    std::vector<uint8_t> m_addr; // network-specific bytes

    friend class SubNet;
};

// An address and a port.
class Service : public NetAddr {
public:
    Service() = default;
    Service(const NetAddr& addr, uint16_t port) : NetAddr(addr), m_port(port) {}

    uint16_t GetPort() const { return m_port; }
    void SetPort(uint16_t port) { m_port = port; }

    // "1.2.3.4:8333", "[::1]:8333", "xxx.onion:8333"
    std::string ToStringAddrPort() const;
    std::string ToString() const { return ToStringAddrPort(); }
    // Address key plus the port.
    std::vector<uint8_t> GetKey() const;

    // Parses "1.2.3.4:8333", "[::1]:8333", "::1" (numeric only; no DNS).
    static std::optional<Service> Parse(std::string_view text, uint16_t default_port);

    // v1: 16 address bytes and the port big-endian (version message, addr).
    template <typename Stream>
    void SerializeV1(Stream& s) const
    {
        NetAddr::SerializeV1(s);
        SerializePort(s);
    }
    template <typename Stream>
    void UnserializeV1(Stream& s)
    {
        NetAddr::UnserializeV1(s);
        UnserializePort(s);
    }
    template <typename Stream>
    void SerializeV2(Stream& s) const
    {
        NetAddr::SerializeV2(s);
        SerializePort(s);
    }
    template <typename Stream>
    void UnserializeV2(Stream& s)
    {
        NetAddr::UnserializeV2(s);
        UnserializePort(s);
    }

    friend bool operator==(const Service& a, const Service& b)
    {
        return static_cast<const NetAddr&>(a) == static_cast<const NetAddr&>(b) && a.m_port == b.m_port;
    }
    friend bool operator!=(const Service& a, const Service& b) { return !(a == b); }
    friend bool operator<(const Service& a, const Service& b)
    {
        if (static_cast<const NetAddr&>(a) == static_cast<const NetAddr&>(b)) return a.m_port < b.m_port;
        return static_cast<const NetAddr&>(a) < static_cast<const NetAddr&>(b);
    }

protected:
    template <typename Stream>
    void SerializePort(Stream& s) const
    {
        unsigned char p[2] = {static_cast<unsigned char>(m_port >> 8), static_cast<unsigned char>(m_port & 0xff)};
        s.write(std::span<const unsigned char>(p, 2));
    }
    template <typename Stream>
    void UnserializePort(Stream& s)
    {
        unsigned char p[2];
        s.read(std::span<unsigned char>(p, 2));
        m_port = static_cast<uint16_t>((p[0] << 8) | p[1]);
    }

    uint16_t m_port{0};
};

// A network and a mask: "1.2.3.0/24", "2001:db8::/32", a single address, or
// a Tor/I2P/CJDNS single address.
class SubNet {
public:
    SubNet() = default;
    // Prefix length in bits.
    SubNet(const NetAddr& addr, uint8_t prefix_bits);
    // Single address.
    explicit SubNet(const NetAddr& addr);

    // "1.2.3.4", "1.2.3.0/24", "1.2.3.0/255.255.255.0", "::1/128"; invalid on error.
    static SubNet Parse(std::string_view text);

    bool IsValid() const { return m_valid; }
    bool Match(const NetAddr& addr) const;
    // "1.2.3.0/24", "::1/128", "xxx.onion"
    std::string ToString() const;
    // Whether it is one address (a /32 or /128 or a non-IP address).
    bool IsSingleIP() const;
    const NetAddr& GetNetwork() const { return m_network; }

    friend bool operator==(const SubNet& a, const SubNet& b)
    {
        return a.m_valid == b.m_valid && a.m_network == b.m_network && a.m_netmask == b.m_netmask;
    }
    friend bool operator<(const SubNet& a, const SubNet& b)
    {
        if (a.m_network != b.m_network) return a.m_network < b.m_network;
        return a.m_netmask < b.m_netmask;
    }

private:
    NetAddr m_network;                // masked address
    std::array<uint8_t, 16> m_netmask{}; // only the first m_network bytes count (IP)
    bool m_valid = false;
};

// Service bits (version message, addr entries).
enum ServiceFlags : uint64_t {
    NODE_NONE = 0,
    NODE_NETWORK = 1 << 0,
    NODE_BLOOM = 1 << 2,
    NODE_WITNESS = 1 << 3,
    NODE_COMPACT_FILTERS = 1 << 6,
    NODE_NETWORK_LIMITED = 1 << 10,
    NODE_P2P_V2 = 1 << 11,
};
// Core's names: "NETWORK", "BLOOM", "WITNESS", "COMPACT_FILTERS", "NETWORK_LIMITED", "P2P_V2", "UNKNOWN[2^n]".
std::vector<std::string> ServiceFlagsToStr(uint64_t flags);

// An entry of an addr / addrv2 message and of the address manager:
// a service with its service bits and the time it was last seen.
struct Address : public Service {
    uint64_t services{NODE_NONE};
    uint32_t time{0}; // UNIX seconds

    Address() = default;
    Address(const Service& service, uint64_t services_in, uint32_t time_in = 0)
        : Service(service), services(services_in), time(time_in) {}

    // addr: time u32, services u64, 16 bytes, port (BE).
    template <typename Stream>
    void SerializeV1(Stream& s) const
    {
        Serialize(s, time);
        Serialize(s, services);
        Service::SerializeV1(s);
    }
    template <typename Stream>
    void UnserializeV1(Stream& s)
    {
        Unserialize(s, time);
        Unserialize(s, services);
        Service::UnserializeV1(s);
    }
    // addrv2: time u32, services CompactSize, BIP155 address, port (BE).
    template <typename Stream>
    void SerializeV2(Stream& s) const
    {
        Serialize(s, time);
        WriteCompactSize(s, services);
        Service::SerializeV2(s);
    }
    template <typename Stream>
    void UnserializeV2(Stream& s)
    {
        Unserialize(s, time);
        services = ReadCompactSize(s, /*range_check=*/false);
        Service::UnserializeV2(s);
    }
};

// Most entries an addr / addrv2 message may carry.
inline constexpr size_t MAX_ADDR_TO_SEND = 1000;

// A whole addr (v2=false) or addrv2 (v2=true) payload.
template <typename Stream>
void WriteAddresses(Stream& s, const std::vector<Address>& addrs, bool v2)
{
    WriteCompactSize(s, addrs.size());
    for (const auto& a : addrs) {
        if (v2) a.SerializeV2(s); else a.SerializeV1(s);
    }
}
// Throws std::ios_base::failure on malformed input or more than max entries.
template <typename Stream>
std::vector<Address> ReadAddresses(Stream& s, bool v2, size_t max = MAX_ADDR_TO_SEND)
{
    uint64_t n = ReadCompactSize(s);
    if (n > max) throw std::ios_base::failure("too many addresses");
    std::vector<Address> out;
    out.reserve(n);
    for (uint64_t i = 0; i < n; ++i) {
        Address a;
        if (v2) a.UnserializeV2(s); else a.UnserializeV1(s);
        out.push_back(std::move(a));
    }
    return out;
}

// ---------------------------------------------------------------------------
// Resolution (implemented in netaddress.cpp).

// Numeric "host[:port]" without DNS; nullopt when not numeric.
std::optional<Service> LookupNumeric(std::string_view name, uint16_t default_port = 0);
// Resolves a host name with getaddrinfo (numeric names without it); at most
// max_results (0: all). allow_lookup=false: numeric only.
std::vector<NetAddr> LookupHost(const std::string& name, bool allow_lookup = true, unsigned max_results = 0);
// "host[:port]" resolved to services; empty on failure.
std::vector<Service> Lookup(const std::string& name, uint16_t default_port, bool allow_lookup = true,
                            unsigned max_results = 0);
// Core's asmap interpreter: ip is 128 bits (IPv4 mapped into IPv6). 0 when unmapped.
uint32_t AsmapLookup(const std::vector<bool>& asmap, const std::vector<bool>& ip);

// Splits "host:port", "[v6]:port", "host" (port left alone when absent).
// False when a port is present but invalid.
bool SplitHostPort(std::string_view in, uint16_t& port, std::string& host);

} // namespace net
