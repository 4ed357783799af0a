#include <net/netaddress.h>

#include <crypto/sha256.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace net {

namespace {

// Fake IPv6 prefix for INTERNAL names and the obsolete Tor v2 embedding.
constexpr uint8_t INTERNAL_PREFIX[6] = {0xFD, 0x6B, 0x88, 0xC0, 0x87, 0x24};
constexpr uint8_t TORV2_PREFIX[6] = {0xFD, 0x87, 0xD8, 0x7E, 0xEB, 0x43};
constexpr uint8_t IPV4_MAPPED_PREFIX[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};

bool HasPrefix(const std::vector<uint8_t>& v, std::initializer_list<uint8_t> p)
{
    if (v.size() < p.size()) return false;
    return std::equal(p.begin(), p.end(), v.begin());
}

// --- SHA3-256 (Keccak-f[1600]) for the Tor v3 checksum --------------------

uint64_t Rotl(uint64_t x, int n) { return n == 0 ? x : (x << n) | (x >> (64 - n)); }

void KeccakF(uint64_t st[25])
{
    static const uint64_t RC[24] = {
        0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
        0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
        0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
        0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
        0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
        0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL};
    static const int ROT[25] = {0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14};
    for (int round = 0; round < 24; ++round) {
        uint64_t c[5], d[5];
        for (int x = 0; x < 5; ++x) c[x] = st[x] ^ st[x + 5] ^ st[x + 10] ^ st[x + 15] ^ st[x + 20];
        for (int x = 0; x < 5; ++x) d[x] = c[(x + 4) % 5] ^ Rotl(c[(x + 1) % 5], 1);
        for (int i = 0; i < 25; ++i) st[i] ^= d[i % 5];
        uint64_t b[25];
        for (int x = 0; x < 5; ++x) {
            for (int y = 0; y < 5; ++y) {
                b[y + 5 * ((2 * x + 3 * y) % 5)] = Rotl(st[x + 5 * y], ROT[x + 5 * y]);
            }
        }
        for (int x = 0; x < 5; ++x) {
            for (int y = 0; y < 5; ++y) {
                st[x + 5 * y] = b[x + 5 * y] ^ (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
            }
        }
        st[0] ^= RC[round];
    }
}

std::array<uint8_t, 32> Sha3_256(std::span<const uint8_t> data)
{
    constexpr size_t RATE = 136;
    uint64_t st[25] = {};
    std::vector<uint8_t> msg(data.begin(), data.end());
    msg.push_back(0x06);
    while (msg.size() % RATE) msg.push_back(0);
    msg.back() |= 0x80;
    for (size_t off = 0; off < msg.size(); off += RATE) {
        for (size_t i = 0; i < RATE / 8; ++i) {
            uint64_t lane = 0;
            for (int j = 7; j >= 0; --j) lane = (lane << 8) | msg[off + 8 * i + j];
            st[i] ^= lane;
        }
        KeccakF(st);
    }
    std::array<uint8_t, 32> out;
    for (size_t i = 0; i < 32; ++i) out[i] = static_cast<uint8_t>(st[i / 8] >> (8 * (i % 8)));
    return out;
}

constexpr uint8_t TORV3_VERSION = 3;

std::array<uint8_t, 2> TorV3Checksum(std::span<const uint8_t, 32> pubkey)
{
    static constexpr std::string_view PREFIX = ".onion checksum";
    std::array<uint8_t, PREFIX.size() + 32 + 1> buf;
    std::copy(PREFIX.begin(), PREFIX.end(), buf.begin());
    std::copy(pubkey.begin(), pubkey.end(), buf.begin() + PREFIX.size());
    buf.back() = TORV3_VERSION;
    auto h = Sha3_256(buf);
    return {h[0], h[1]};
}

// --- base32 (RFC 4648, lower case, no padding) ------------------------------

constexpr char B32[] = "abcdefghijklmnopqrstuvwxyz234567";

std::string EncodeBase32(std::span<const uint8_t> data)
{
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    for (uint8_t b : data) {
        acc = (acc << 8) | b;
        bits += 8;
        while (bits >= 5) {
            out += B32[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0) out += B32[(acc << (5 - bits)) & 31];
    return out;
}

std::optional<std::vector<uint8_t>> DecodeBase32(std::string_view s)
{
    while (!s.empty() && s.back() == '=') s.remove_suffix(1);
    std::vector<uint8_t> out;
    uint32_t acc = 0;
    int bits = 0;
    for (char c : s) {
        int v;
        if (c >= 'a' && c <= 'z') v = c - 'a';
        else if (c >= 'A' && c <= 'Z') v = c - 'A';
        else if (c >= '2' && c <= '7') v = c - '2' + 26;
        else return std::nullopt;
        acc = (acc << 5) | static_cast<uint32_t>(v);
        bits += 5;
        if (bits >= 8) {
            out.push_back(static_cast<uint8_t>(acc >> (bits - 8)));
            bits -= 8;
        }
        acc &= (1u << bits) - 1;
    }
    // Leftover bits must be zero padding shorter than a byte.
    if (bits >= 5 || acc != 0) return std::nullopt;
    return out;
}

std::string ToLower(std::string_view s)
{
    std::string r(s);
    for (auto& c : r) if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return r;
}

bool EndsWith(std::string_view s, std::string_view suffix)
{
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string IPv6ToString(const std::vector<uint8_t>& a)
{
    uint16_t w[8];
    for (int i = 0; i < 8; ++i) w[i] = static_cast<uint16_t>((a[2 * i] << 8) | a[2 * i + 1]);
    // Longest run of zero words (at least two), first one on ties (RFC 5952).
    int best_start = -1, best_len = 0;
    for (int i = 0; i < 8;) {
        if (w[i] != 0) { ++i; continue; }
        int j = i;
        while (j < 8 && w[j] == 0) ++j;
        if (j - i > best_len && j - i >= 2) { best_start = i; best_len = j - i; }
        i = j;
    }
    std::string out;
    char buf[8];
    for (int i = 0; i < 8; ++i) {
        if (i == best_start) {
            out += "::";
            i += best_len - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':') out += ':';
        snprintf(buf, sizeof(buf), "%x", w[i]);
        out += buf;
    }
    return out;
}

} // namespace

std::string NetworkName(Network net)
{
    switch (net) {
    case Network::UNROUTABLE: return "not_publicly_routable";
    case Network::IPV4: return "ipv4";
    case Network::IPV6: return "ipv6";
    case Network::ONION: return "onion";
    case Network::I2P: return "i2p";
    case Network::CJDNS: return "cjdns";
    case Network::INTERNAL: return "internal";
    }
    return "";
}

std::optional<Network> ParseNetwork(std::string_view name)
{
    std::string n = ToLower(name);
    if (n == "ipv4") return Network::IPV4;
    if (n == "ipv6") return Network::IPV6;
    if (n == "onion") return Network::ONION;
    if (n == "i2p") return Network::I2P;
    if (n == "cjdns") return Network::CJDNS;
    return std::nullopt;
}

NetAddr::NetAddr() : m_net(Network::IPV6), m_addr(16, 0) {}

NetAddr NetAddr::FromIPv4(std::span<const uint8_t, 4> bytes)
{
    NetAddr a;
    a.m_net = Network::IPV4;
    a.m_addr.assign(bytes.begin(), bytes.end());
    return a;
}

NetAddr NetAddr::FromIPv4(uint32_t host_order)
{
    uint8_t b[4] = {static_cast<uint8_t>(host_order >> 24), static_cast<uint8_t>(host_order >> 16),
                    static_cast<uint8_t>(host_order >> 8), static_cast<uint8_t>(host_order)};
    return FromIPv4(std::span<const uint8_t, 4>(b, 4));
}

NetAddr NetAddr::FromIPv6(std::span<const uint8_t, 16> bytes)
{
    NetAddr a;
    if (std::equal(std::begin(IPV4_MAPPED_PREFIX), std::end(IPV4_MAPPED_PREFIX), bytes.begin())) {
        a.m_net = Network::IPV4;
        a.m_addr.assign(bytes.begin() + 12, bytes.end());
    } else if (std::equal(std::begin(INTERNAL_PREFIX), std::end(INTERNAL_PREFIX), bytes.begin())) {
        a.m_net = Network::INTERNAL;
        a.m_addr.assign(bytes.begin() + 6, bytes.end());
    } else if (std::equal(std::begin(TORV2_PREFIX), std::end(TORV2_PREFIX), bytes.begin())) {
        // Tor v2 is gone; such an entry becomes the invalid "::".
    } else {
        a.m_net = Network::IPV6;
        a.m_addr.assign(bytes.begin(), bytes.end());
    }
    return a;
}

NetAddr NetAddr::FromTorV3(std::span<const uint8_t, 32> pubkey)
{
    NetAddr a;
    a.m_net = Network::ONION;
    a.m_addr.assign(pubkey.begin(), pubkey.end());
    return a;
}

NetAddr NetAddr::FromI2P(std::span<const uint8_t, 32> hash)
{
    NetAddr a;
    a.m_net = Network::I2P;
    a.m_addr.assign(hash.begin(), hash.end());
    return a;
}

NetAddr NetAddr::FromCJDNS(std::span<const uint8_t, 16> bytes)
{
    NetAddr a;
    a.m_net = Network::CJDNS;
    a.m_addr.assign(bytes.begin(), bytes.end());
    return a;
}

NetAddr NetAddr::FromInternal(std::string_view name)
{
    unsigned char h[32];
    Sha256().Write(std::span<const unsigned char>(reinterpret_cast<const unsigned char*>(name.data()), name.size())).Finalize(h);
    NetAddr a;
    a.m_net = Network::INTERNAL;
    a.m_addr.assign(h, h + ADDR_INTERNAL_SIZE);
    return a;
}

std::optional<NetAddr> NetAddr::Parse(std::string_view text)
{
    std::string s(text);
    if (s.empty() || s.find('\0') != std::string::npos) return std::nullopt;
    std::string lower = ToLower(s);
    if (EndsWith(lower, ".onion")) {
        auto dec = DecodeBase32(std::string_view(lower).substr(0, lower.size() - 6));
        if (!dec || dec->size() != 35) return std::nullopt;
        std::span<const uint8_t, 32> pub(dec->data(), 32);
        auto ck = TorV3Checksum(pub);
        if ((*dec)[32] != ck[0] || (*dec)[33] != ck[1] || (*dec)[34] != TORV3_VERSION) return std::nullopt;
        return FromTorV3(pub);
    }
    if (EndsWith(lower, ".b32.i2p")) {
        std::string_view b = std::string_view(lower).substr(0, lower.size() - 8);
        if (b.size() != 52) return std::nullopt;
        auto dec = DecodeBase32(b);
        if (!dec || dec->size() != 32) return std::nullopt;
        return FromI2P(std::span<const uint8_t, 32>(dec->data(), 32));
    }
    unsigned char buf[16];
    if (inet_pton(AF_INET, s.c_str(), buf) == 1) {
        return FromIPv4(std::span<const uint8_t, 4>(buf, 4));
    }
    std::string v6 = s;
    // Drop a scope id ("fe80::1%eth0").
    if (auto pct = v6.find('%'); pct != std::string::npos) v6.resize(pct);
    if (inet_pton(AF_INET6, v6.c_str(), buf) == 1) {
        return FromIPv6(std::span<const uint8_t, 16>(buf, 16));
    }
    return std::nullopt;
}

Network NetAddr::GetNetwork() const
{
    if (IsInternal()) return Network::INTERNAL;
    if (!IsRoutable()) return Network::UNROUTABLE;
    return m_net;
}

bool NetAddr::IsBindAny() const
{
    if (!IsIP()) return false;
    return std::all_of(m_addr.begin(), m_addr.end(), [](uint8_t b) { return b == 0; });
}

bool NetAddr::IsLocal() const
{
    if (IsIPv4() && (m_addr[0] == 127 || m_addr[0] == 0)) return true;
    if (IsIPv6()) {
        static const uint8_t LOOPBACK[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        return std::equal(m_addr.begin(), m_addr.end(), LOOPBACK);
    }
    return false;
}

bool NetAddr::IsValid() const
{
    if (IsIPv6()) {
        if (std::all_of(m_addr.begin(), m_addr.end(), [](uint8_t b) { return b == 0; })) return false;
        if (IsRFC3849()) return false;
    }
    if (IsIPv4()) {
        uint32_t v = (uint32_t{m_addr[0]} << 24) | (m_addr[1] << 16) | (m_addr[2] << 8) | m_addr[3];
        if (v == 0 || v == 0xFFFFFFFF) return false;
    }
    return true;
}

bool NetAddr::IsRoutable() const
{
    return IsValid() && !(IsRFC1918() || IsRFC2544() || IsRFC3927() || IsRFC4862() || IsRFC6598() ||
                          IsRFC5737() || IsRFC4193() || IsRFC4843() || IsRFC7343() || IsLocal() || IsInternal());
}

bool NetAddr::IsRFC1918() const
{
    return IsIPv4() && (m_addr[0] == 10 || (m_addr[0] == 192 && m_addr[1] == 168) ||
                        (m_addr[0] == 172 && m_addr[1] >= 16 && m_addr[1] <= 31));
}
bool NetAddr::IsRFC2544() const { return IsIPv4() && m_addr[0] == 198 && (m_addr[1] == 18 || m_addr[1] == 19); }
bool NetAddr::IsRFC3927() const { return IsIPv4() && m_addr[0] == 169 && m_addr[1] == 254; }
bool NetAddr::IsRFC6598() const { return IsIPv4() && m_addr[0] == 100 && m_addr[1] >= 64 && m_addr[1] <= 127; }
bool NetAddr::IsRFC5737() const
{
    return IsIPv4() && ((m_addr[0] == 192 && m_addr[1] == 0 && m_addr[2] == 2) ||
                        (m_addr[0] == 198 && m_addr[1] == 51 && m_addr[2] == 100) ||
                        (m_addr[0] == 203 && m_addr[1] == 0 && m_addr[2] == 113));
}
bool NetAddr::IsRFC3849() const { return IsIPv6() && HasPrefix(m_addr, {0x20, 0x01, 0x0D, 0xB8}); }
bool NetAddr::IsRFC3964() const { return IsIPv6() && HasPrefix(m_addr, {0x20, 0x02}); }
bool NetAddr::IsRFC6052() const
{
    return IsIPv6() && HasPrefix(m_addr, {0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0});
}
bool NetAddr::IsRFC4380() const { return IsIPv6() && HasPrefix(m_addr, {0x20, 0x01, 0x00, 0x00}); }
bool NetAddr::IsRFC4862() const { return IsIPv6() && HasPrefix(m_addr, {0xFE, 0x80, 0, 0, 0, 0, 0, 0}); }
bool NetAddr::IsRFC4193() const { return IsIPv6() && (m_addr[0] & 0xFE) == 0xFC; }
bool NetAddr::IsRFC6145() const
{
    return IsIPv6() && HasPrefix(m_addr, {0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0});
}
bool NetAddr::IsRFC4843() const
{
    return IsIPv6() && HasPrefix(m_addr, {0x20, 0x01, 0x00}) && (m_addr[3] & 0xF0) == 0x10;
}
bool NetAddr::IsRFC7343() const
{
    return IsIPv6() && HasPrefix(m_addr, {0x20, 0x01, 0x00}) && (m_addr[3] & 0xF0) == 0x20;
}
bool NetAddr::IsHeNet() const { return IsIPv6() && HasPrefix(m_addr, {0x20, 0x01, 0x04, 0x70}); }

bool NetAddr::HasLinkedIPv4() const
{
    return IsRoutable() && (IsIPv4() || IsRFC6145() || IsRFC6052() || IsRFC3964() || IsRFC4380());
}

uint32_t NetAddr::GetLinkedIPv4() const
{
    auto rd = [&](size_t off) {
        return (uint32_t{m_addr[off]} << 24) | (uint32_t{m_addr[off + 1]} << 16) | (uint32_t{m_addr[off + 2]} << 8) |
               m_addr[off + 3];
    };
    if (IsIPv4()) return rd(0);
    if (IsRFC6052() || IsRFC6145()) return rd(12);
    if (IsRFC3964()) return rd(2);
    if (IsRFC4380()) return ~rd(12); // Teredo: the client address is stored inverted
    return 0;
}

bool NetAddr::IsAddrV1Compatible() const
{
    return IsIPv4() || IsIPv6() || IsInternal();
}

std::string NetAddr::ToStringAddr() const
{
    switch (m_net) {
    case Network::IPV4: {
        char buf[16];
        snprintf(buf, sizeof(buf), "%u.%u.%u.%u", m_addr[0], m_addr[1], m_addr[2], m_addr[3]);
        return buf;
    }
    case Network::IPV6:
    case Network::CJDNS:
        return IPv6ToString(m_addr);
    case Network::ONION: {
        std::vector<uint8_t> b(m_addr);
        auto ck = TorV3Checksum(std::span<const uint8_t, 32>(m_addr.data(), 32));
        b.push_back(ck[0]);
        b.push_back(ck[1]);
        b.push_back(TORV3_VERSION);
        return EncodeBase32(b) + ".onion";
    }
    case Network::I2P:
        return EncodeBase32(m_addr) + ".b32.i2p";
    case Network::INTERNAL:
        return EncodeBase32(m_addr) + ".internal";
    case Network::UNROUTABLE:
        break;
    }
    return "";
}

std::array<uint8_t, 16> NetAddr::GetV1Bytes() const
{
    std::array<uint8_t, 16> out{};
    switch (m_net) {
    case Network::IPV4:
        std::copy(std::begin(IPV4_MAPPED_PREFIX), std::end(IPV4_MAPPED_PREFIX), out.begin());
        std::copy(m_addr.begin(), m_addr.end(), out.begin() + 12);
        break;
    case Network::IPV6:
        std::copy(m_addr.begin(), m_addr.end(), out.begin());
        break;
    case Network::INTERNAL:
        std::copy(std::begin(INTERNAL_PREFIX), std::end(INTERNAL_PREFIX), out.begin());
        std::copy(m_addr.begin(), m_addr.end(), out.begin() + 6);
        break;
    default:
        break; // cannot be carried: "::"
    }
    return out;
}

bool NetAddr::GetIPv4Bytes(std::array<uint8_t, 4>& out) const
{
    if (!IsIPv4()) return false;
    std::copy(m_addr.begin(), m_addr.end(), out.begin());
    return true;
}

bool NetAddr::GetIPv6Bytes(std::array<uint8_t, 16>& out) const
{
    if (!IsIPv6() && !IsCJDNS()) return false;
    std::copy(m_addr.begin(), m_addr.end(), out.begin());
    return true;
}

uint32_t NetAddr::GetMappedAS(const std::vector<bool>& asmap) const
{
    if (asmap.empty() || !IsIP()) return 0;
    std::vector<bool> ip_bits;
    std::array<uint8_t, 16> bytes{};
    if (HasLinkedIPv4()) {
        uint32_t v4 = GetLinkedIPv4();
        std::copy(std::begin(IPV4_MAPPED_PREFIX), std::end(IPV4_MAPPED_PREFIX), bytes.begin());
        for (int i = 0; i < 4; ++i) bytes[12 + i] = static_cast<uint8_t>(v4 >> (24 - 8 * i));
    } else if (IsIPv6()) {
        std::copy(m_addr.begin(), m_addr.end(), bytes.begin());
    } else {
        return 0;
    }
    for (uint8_t b : bytes) {
        for (int bit = 7; bit >= 0; --bit) ip_bits.push_back((b >> bit) & 1);
    }
    return AsmapLookup(asmap, ip_bits);
}

std::vector<uint8_t> NetAddr::GetGroup(const std::vector<bool>& asmap) const
{
    std::vector<uint8_t> out;
    if (uint32_t asn = GetMappedAS(asmap); asn != 0) {
        out.push_back(static_cast<uint8_t>(Network::IPV6)); // AS groups share one class byte
        for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(asn >> (8 * i)));
        return out;
    }
    uint8_t net_class = static_cast<uint8_t>(m_net);
    int bits = 0;
    if (IsLocal()) {
        net_class = 255;
    } else if (!IsRoutable()) {
        net_class = static_cast<uint8_t>(Network::UNROUTABLE);
    } else if (HasLinkedIPv4()) {
        uint32_t v4 = GetLinkedIPv4();
        out.push_back(static_cast<uint8_t>(Network::IPV4));
        out.push_back(static_cast<uint8_t>(v4 >> 24));
        out.push_back(static_cast<uint8_t>(v4 >> 16));
        return out;
    } else if (IsTor() || IsI2P()) {
        bits = 4;
    } else if (IsCJDNS()) {
        bits = 12; // the first byte is always 0xfc
    } else if (IsHeNet()) {
        bits = 36;
    } else {
        bits = 32;
    }
    out.push_back(net_class);
    size_t i = 0;
    while (bits >= 8 && i < m_addr.size()) {
        out.push_back(m_addr[i++]);
        bits -= 8;
    }
    if (bits > 0 && i < m_addr.size()) {
        out.push_back(static_cast<uint8_t>(m_addr[i] | ((1 << (8 - bits)) - 1)));
    }
    return out;
}

Bip155Id NetAddr::GetBip155Id() const
{
    switch (m_net) {
    case Network::IPV4: return Bip155Id::IPV4;
    case Network::ONION: return Bip155Id::TORV3;
    case Network::I2P: return Bip155Id::I2P;
    case Network::CJDNS: return Bip155Id::CJDNS;
    default: return Bip155Id::IPV6;
    }
}

std::vector<uint8_t> NetAddr::GetKey() const
{
    std::vector<uint8_t> k(1 + m_addr.size());
    k[0] = static_cast<uint8_t>(m_net);
    std::copy(m_addr.begin(), m_addr.end(), k.begin() + 1);
    return k;
}

bool NetAddr::IsKnownBip155Size(uint8_t id)
{
    return id >= static_cast<uint8_t>(Bip155Id::IPV4) && id <= static_cast<uint8_t>(Bip155Id::CJDNS);
}

bool NetAddr::IsKnownBip155SizeOk(uint8_t id, uint64_t size)
{
    switch (static_cast<Bip155Id>(id)) {
    case Bip155Id::IPV4: return size == ADDR_IPV4_SIZE;
    case Bip155Id::IPV6: return size == ADDR_IPV6_SIZE;
    case Bip155Id::TORV2: return size == 10;
    case Bip155Id::TORV3: return size == ADDR_TORV3_SIZE;
    case Bip155Id::I2P: return size == ADDR_I2P_SIZE;
    case Bip155Id::CJDNS: return size == ADDR_CJDNS_SIZE;
    }
    return true;
}

bool NetAddr::SetFromBip155(uint8_t id, std::span<const uint8_t> bytes)
{
    if (!IsKnownBip155Size(id) || !IsKnownBip155SizeOk(id, bytes.size())) return false;
    switch (static_cast<Bip155Id>(id)) {
    case Bip155Id::IPV4:
        *this = FromIPv4(std::span<const uint8_t, 4>(bytes.data(), 4));
        return true;
    case Bip155Id::IPV6: {
        // Embedded IPv4, internal and Tor v2 forms are not allowed in v2:
        // they become the invalid "::" (as Core does).
        NetAddr a = FromIPv6(std::span<const uint8_t, 16>(bytes.data(), 16));
        if (a.m_net != Network::IPV6) a = NetAddr();
        *this = a;
        return true;
    }
    case Bip155Id::TORV2:
        *this = NetAddr(); // obsolete
        return true;
    case Bip155Id::TORV3:
        *this = FromTorV3(std::span<const uint8_t, 32>(bytes.data(), 32));
        return true;
    case Bip155Id::I2P:
        *this = FromI2P(std::span<const uint8_t, 32>(bytes.data(), 32));
        return true;
    case Bip155Id::CJDNS:
        if (bytes[0] != 0xFC) { *this = NetAddr(); return true; }
        *this = FromCJDNS(std::span<const uint8_t, 16>(bytes.data(), 16));
        return true;
    }
    return false;
}

// ---------------------------------------------------------------------------

std::string Service::ToStringAddrPort() const
{
    std::string port = std::to_string(m_port);
    if (IsIPv6() || IsCJDNS()) return "[" + ToStringAddr() + "]:" + port;
    return ToStringAddr() + ":" + port;
}

std::vector<uint8_t> Service::GetKey() const
{
    auto k = NetAddr::GetKey();
    k.push_back(static_cast<uint8_t>(m_port >> 8));
    k.push_back(static_cast<uint8_t>(m_port & 0xff));
    return k;
}

std::optional<Service> Service::Parse(std::string_view text, uint16_t default_port)
{
    return LookupNumeric(text, default_port);
}

// ---------------------------------------------------------------------------

SubNet::SubNet(const NetAddr& addr, uint8_t prefix_bits) : m_network(addr)
{
    if (!addr.IsIP()) {
        m_valid = prefix_bits == 0 || prefix_bits == addr.m_addr.size() * 8;
        m_netmask.fill(0xFF);
        return;
    }
    const size_t n = addr.m_addr.size();
    if (prefix_bits > n * 8) return;
    m_netmask.fill(0);
    int bits = prefix_bits;
    for (size_t i = 0; i < n && bits > 0; ++i) {
        int take = std::min(bits, 8);
        m_netmask[i] = static_cast<uint8_t>(0xFF << (8 - take));
        bits -= take;
    }
    for (size_t i = 0; i < n; ++i) m_network.m_addr[i] &= m_netmask[i];
    m_valid = true;
}

SubNet::SubNet(const NetAddr& addr) : m_network(addr)
{
    m_netmask.fill(0xFF);
    m_valid = addr.IsValid() || addr.IsIP();
}

SubNet SubNet::Parse(std::string_view text)
{
    std::string s(text);
    auto slash = s.find('/');
    std::string host = s.substr(0, slash);
    auto addr = NetAddr::Parse(host);
    if (!addr) return {};
    if (slash == std::string::npos) return SubNet(*addr);
    std::string mask = s.substr(slash + 1);
    if (mask.empty()) return {};
    const size_t nbytes = addr->m_addr.size();
    if (mask.find_first_not_of("0123456789") == std::string::npos) {
        if (mask.size() > 3) return {};
        int bits = std::stoi(mask);
        if (!addr->IsIP() || bits < 0 || static_cast<size_t>(bits) > nbytes * 8) return {};
        return SubNet(*addr, static_cast<uint8_t>(bits));
    }
    // A netmask in address form: must be the same family and contiguous.
    auto m = NetAddr::Parse(mask);
    if (!m || m->m_net != addr->m_net || !addr->IsIP()) return {};
    int bits = 0;
    bool ended = false;
    for (uint8_t b : m->m_addr) {
        for (int i = 7; i >= 0; --i) {
            bool one = (b >> i) & 1;
            if (one && ended) return {};
            if (one) ++bits; else ended = true;
        }
    }
    return SubNet(*addr, static_cast<uint8_t>(bits));
}

bool SubNet::Match(const NetAddr& addr) const
{
    if (!m_valid || addr.m_net != m_network.m_net) return false;
    if (!addr.IsIP()) return addr.m_addr == m_network.m_addr;
    for (size_t i = 0; i < addr.m_addr.size(); ++i) {
        if ((addr.m_addr[i] & m_netmask[i]) != m_network.m_addr[i]) return false;
    }
    return true;
}

bool SubNet::IsSingleIP() const
{
    if (!m_network.IsIP()) return true;
    for (size_t i = 0; i < m_network.m_addr.size(); ++i) {
        if (m_netmask[i] != 0xFF) return false;
    }
    return true;
}

std::string SubNet::ToString() const
{
    if (!m_network.IsIP()) return m_network.ToStringAddr();
    int bits = 0;
    for (size_t i = 0; i < m_network.m_addr.size(); ++i) {
        uint8_t b = m_netmask[i];
        while (b & 0x80) { ++bits; b = static_cast<uint8_t>(b << 1); }
    }
    return m_network.ToStringAddr() + "/" + std::to_string(bits);
}

// ---------------------------------------------------------------------------

std::vector<std::string> ServiceFlagsToStr(uint64_t flags)
{
    std::vector<std::string> out;
    for (int i = 0; i < 64; ++i) {
        uint64_t bit = uint64_t{1} << i;
        if (!(flags & bit)) continue;
        switch (bit) {
        case NODE_NETWORK: out.emplace_back("NETWORK"); break;
        case NODE_BLOOM: out.emplace_back("BLOOM"); break;
        case NODE_WITNESS: out.emplace_back("WITNESS"); break;
        case NODE_COMPACT_FILTERS: out.emplace_back("COMPACT_FILTERS"); break;
        case NODE_NETWORK_LIMITED: out.emplace_back("NETWORK_LIMITED"); break;
        case NODE_P2P_V2: out.emplace_back("P2P_V2"); break;
        default: out.emplace_back("UNKNOWN[2^" + std::to_string(i) + "]"); break;
        }
    }
    return out;
}

// ---------------------------------------------------------------------------

bool SplitHostPort(std::string_view in, uint16_t& port, std::string& host)
{
    bool valid = true;
    size_t colon = in.rfind(':');
    bool have_port = colon != std::string_view::npos;
    bool bracketed = have_port && !in.empty() && in.front() == '[' && colon > 0 && in[colon - 1] == ']';
    // More than one colon without brackets: a bare IPv6 address.
    bool multi_colon = have_port && in.find(':') != colon;
    if (have_port && (colon == 0 || bracketed || !multi_colon)) {
        std::string_view p = in.substr(colon + 1);
        uint16_t n = 0;
        auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), n);
        if (ec == std::errc() && ptr == p.data() + p.size() && !p.empty()) {
            in = in.substr(0, colon);
            port = n;
        } else {
            valid = false;
        }
    }
    if (in.size() >= 2 && in.front() == '[' && in.back() == ']') {
        host = std::string(in.substr(1, in.size() - 2));
    } else {
        host = std::string(in);
    }
    return valid;
}

std::optional<Service> LookupNumeric(std::string_view name, uint16_t default_port)
{
    uint16_t port = default_port;
    std::string host;
    if (!SplitHostPort(name, port, host)) return std::nullopt;
    auto addr = NetAddr::Parse(host);
    if (!addr) return std::nullopt;
    return Service(*addr, port);
}

std::vector<NetAddr> LookupHost(const std::string& name, bool allow_lookup, unsigned max_results)
{
    std::vector<NetAddr> out;
    if (name.empty() || name.find('\0') != std::string::npos) return out;
    std::string host = name;
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (auto a = NetAddr::Parse(host)) {
        out.push_back(*a);
        return out;
    }
    if (!allow_lookup) return out;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = AI_ADDRCONFIG;
    addrinfo* res = nullptr;
    if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || !res) return out;
    for (addrinfo* p = res; p; p = p->ai_next) {
        NetAddr a;
        if (p->ai_family == AF_INET) {
            auto* sa = reinterpret_cast<sockaddr_in*>(p->ai_addr);
            a = NetAddr::FromIPv4(std::span<const uint8_t, 4>(reinterpret_cast<const uint8_t*>(&sa->sin_addr), 4));
        } else if (p->ai_family == AF_INET6) {
            auto* sa = reinterpret_cast<sockaddr_in6*>(p->ai_addr);
            a = NetAddr::FromIPv6(std::span<const uint8_t, 16>(reinterpret_cast<const uint8_t*>(&sa->sin6_addr), 16));
        } else {
            continue;
        }
        if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
        if (max_results && out.size() >= max_results) break;
    }
    freeaddrinfo(res);
    return out;
}

std::vector<Service> Lookup(const std::string& name, uint16_t default_port, bool allow_lookup, unsigned max_results)
{
    std::vector<Service> out;
    uint16_t port = default_port;
    std::string host;
    if (!SplitHostPort(name, port, host)) return out;
    for (const auto& a : LookupHost(host, allow_lookup, max_results)) out.emplace_back(a, port);
    return out;
}

// ---------------------------------------------------------------------------
// asmap: a compact bit-level program mapping IP prefixes to AS numbers (the
// format Core's -asmap files use). Returns 0 for unmapped or malformed input.

namespace {
enum class AsmapOp { RETURN = 0, JUMP = 1, MATCH = 2, DEFAULT = 3 };

bool ReadBits(const std::vector<bool>& bits, size_t& pos, int n, uint32_t& out)
{
    out = 0;
    for (int i = 0; i < n; ++i) {
        if (pos >= bits.size()) return false;
        out = (out << 1) | (bits[pos++] ? 1 : 0);
    }
    return true;
}

// Variable-length integer: class-based encoding with mantissa bit sizes.
bool DecodeVar(const std::vector<bool>& bits, size_t& pos, uint32_t minval, std::initializer_list<int> sizes,
               uint32_t& out)
{
    uint32_t val = minval;
    size_t idx = 0;
    for (int size : sizes) {
        bool last = ++idx == sizes.size();
        bool cont = false;
        if (!last) {
            if (pos >= bits.size()) return false;
            cont = bits[pos++];
        }
        if (cont) {
            val += uint32_t{1} << size;
            continue;
        }
        uint32_t m;
        if (!ReadBits(bits, pos, size, m)) return false;
        out = val + m;
        return true;
    }
    return false;
}
} // namespace

uint32_t AsmapLookup(const std::vector<bool>& asmap, const std::vector<bool>& ip)
{
    size_t pos = 0;
    size_t ipos = 0;
    uint32_t default_asn = 0;
    while (pos < asmap.size()) {
        uint32_t op;
        if (!DecodeVar(asmap, pos, 0, {0, 0, 1}, op)) return 0;
        switch (static_cast<AsmapOp>(op)) {
        case AsmapOp::RETURN: {
            uint32_t asn;
            if (!DecodeVar(asmap, pos, 1, {15, 16, 17, 18, 19, 20, 21, 22, 23, 24}, asn)) return 0;
            return asn;
        }
        case AsmapOp::JUMP: {
            uint32_t jump;
            if (!DecodeVar(asmap, pos, 17, {5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30}, jump)) return 0;
            if (ipos >= ip.size()) return 0;
            if (jump >= asmap.size() - pos) return 0;
            if (ip[ipos++]) pos += jump;
            break;
        }
        case AsmapOp::MATCH: {
            uint32_t match;
            if (!DecodeVar(asmap, pos, 2, {1, 2, 3, 4, 5, 6, 7, 8}, match)) return 0;
            int n = 31;
            while (n > 0 && !((match >> n) & 1)) --n; // bit length - 1
            for (int i = n - 1; i >= 0; --i) {
                if (ipos >= ip.size()) return 0;
                if (ip[ipos++] != (((match >> i) & 1) != 0)) return default_asn;
            }
            break;
        }
        case AsmapOp::DEFAULT:
            if (!DecodeVar(asmap, pos, 1, {15, 16, 17, 18, 19, 20, 21, 22, 23, 24}, default_asn)) return 0;
            break;
        default:
            return 0;
        }
    }
    return 0;
}

} // namespace net
