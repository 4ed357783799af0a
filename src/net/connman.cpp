#include <net/connman.h>

#include <crypto/siphash.h>
#include <kernel/chainparams.h>
#include <net/addrman.h>
#include <net/eviction.h>
#include <util/args.h>
#include <util/logging.h>
#include <util/thread.h>
#include <util/time.h>
#include <util/trace.h>

#if __has_include(<net/banman.h>)
#include <net/banman.h>
#define CONNMAN_HAVE_BANMAN 1
#endif

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <random>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

namespace net {

namespace {

uint64_t RandomU64()
{
    uint64_t v = 0;
    if (getrandom(&v, sizeof(v), 0) != sizeof(v)) {
        static std::mt19937_64 fallback{std::random_device{}()};
        v = fallback();
    }
    return v;
}

// epoll tags: the top bits tell listening sockets and the wake fd from peers.
constexpr uint64_t TAG_WAKE = 1ull << 63;
constexpr uint64_t TAG_LISTEN = 1ull << 62;

std::string SocketError(int err)
{
    return std::string(std::strerror(err)) + " (" + std::to_string(err) + ")";
}

// sockaddr for an IPv4/IPv6 service; false for other networks.
bool ToSockAddr(const Service& s, sockaddr_storage& ss, socklen_t& len)
{
    std::memset(&ss, 0, sizeof(ss));
    std::array<uint8_t, 4> v4;
    std::array<uint8_t, 16> v6;
    if (s.GetIPv4Bytes(v4)) {
        auto* a = reinterpret_cast<sockaddr_in*>(&ss);
        a->sin_family = AF_INET;
        std::memcpy(&a->sin_addr, v4.data(), 4);
        a->sin_port = htons(s.GetPort());
        len = sizeof(sockaddr_in);
        return true;
    }
    if (s.GetIPv6Bytes(v6)) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
        a->sin6_family = AF_INET6;
        std::memcpy(&a->sin6_addr, v6.data(), 16);
        a->sin6_port = htons(s.GetPort());
        len = sizeof(sockaddr_in6);
        return true;
    }
    return false;
}

std::optional<Service> FromSockAddr(const sockaddr_storage& ss)
{
    if (ss.ss_family == AF_INET) {
        const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
        std::array<uint8_t, 4> b;
        std::memcpy(b.data(), &a->sin_addr, 4);
        return Service(NetAddr::FromIPv4(b), ntohs(a->sin_port));
    }
    if (ss.ss_family == AF_INET6) {
        const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
        std::array<uint8_t, 16> b;
        std::memcpy(b.data(), &a->sin6_addr, 16);
        return Service(NetAddr::FromIPv6(b), ntohs(a->sin6_port));
    }
    return std::nullopt;
}

Service LocalSide(int fd)
{
    sockaddr_storage ss{};
    socklen_t len = sizeof(ss);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
        if (auto s = FromSockAddr(ss)) return *s;
    }
    return Service();
}

void SetNoDelay(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

bool HasFlag(uint32_t flags, uint32_t f) { return (flags & f) == f; }

uint32_t NetworkArg(const Connection& c)
{
    return static_cast<uint32_t>(c.inbound_onion ? Network::ONION : c.addr.GetNetwork());
}

bool IsAutomaticOutbound(ConnectionType t)
{
    return t == ConnectionType::OUTBOUND_FULL_RELAY || t == ConnectionType::BLOCK_RELAY ||
           t == ConnectionType::FEELER || t == ConnectionType::ADDR_FETCH;
}

// "host[:port]" -> a service (numeric first, then DNS).
std::optional<Service> ResolveDest(const std::string& dest, uint16_t default_port)
{
    if (auto s = LookupNumeric(dest, default_port)) return s;
    auto v = Lookup(dest, default_port, /*allow_lookup=*/true, 1);
    if (v.empty()) return std::nullopt;
    return v.front();
}

} // namespace

// ---------------------------------------------------------------------------
// Permissions

bool ParsePermissionFlags(std::string_view str, uint32_t& flags, std::string& rest, std::string& error)
{
    flags = PF_NONE;
    const auto at = str.find('@');
    if (at == std::string_view::npos) {
        flags = PF_IMPLICIT;
        rest = std::string(str);
        return true;
    }
    std::string_view perms = str.substr(0, at);
    rest = std::string(str.substr(at + 1));
    size_t pos = 0;
    while (pos <= perms.size()) {
        size_t comma = perms.find(',', pos);
        if (comma == std::string_view::npos) comma = perms.size();
        const std::string_view p = perms.substr(pos, comma - pos);
        if (p == "bloomfilter" || p == "bloom") flags |= PF_BLOOMFILTER;
        else if (p == "noban") flags |= PF_NOBAN;
        else if (p == "forcerelay") flags |= PF_FORCERELAY;
        else if (p == "relay") flags |= PF_RELAY;
        else if (p == "mempool") flags |= PF_MEMPOOL;
        else if (p == "download") flags |= PF_DOWNLOAD;
        else if (p == "addr") flags |= PF_ADDR;
        else if (p == "all") flags |= PF_ALL;
        else if (p == "in" || p == "out") {
            // Direction of -whitelist (Core v28+); both directions are treated alike here.
        } else if (!p.empty()) {
            error = "Invalid P2P permission: '" + std::string(p) + "'";
            return false;
        }
        pos = comma + 1;
    }
    return true;
}

std::vector<std::string> PermissionFlagsToStrings(uint32_t flags)
{
    std::vector<std::string> out;
    if (HasFlag(flags, PF_BLOOMFILTER)) out.emplace_back("bloomfilter");
    if (HasFlag(flags, PF_NOBAN)) out.emplace_back("noban");
    if (HasFlag(flags, PF_FORCERELAY)) out.emplace_back("forcerelay");
    if (HasFlag(flags, PF_RELAY)) out.emplace_back("relay");
    if (HasFlag(flags, PF_MEMPOOL)) out.emplace_back("mempool");
    if (HasFlag(flags, PF_DOWNLOAD)) out.emplace_back("download");
    if (HasFlag(flags, PF_ADDR)) out.emplace_back("addr");
    return out;
}

uint32_t ResolveImplicitPermissions(uint32_t flags, bool whitelist_relay, bool whitelist_forcerelay)
{
    if (!(flags & PF_IMPLICIT)) return flags;
    flags &= ~static_cast<uint32_t>(PF_IMPLICIT);
    if (whitelist_forcerelay) flags |= PF_FORCERELAY;
    if (whitelist_relay) flags |= PF_RELAY;
    flags |= PF_MEMPOOL | PF_NOBAN;
    return flags;
}

// ---------------------------------------------------------------------------
// Options

void RegisterNetOptions(ArgsManager& args)
{
    const auto add = [&](const std::string& name, const std::string& help, unsigned flags) {
        const std::string key = name.substr(0, name.find('='));
        if (args.GetArgFlags(key)) return;  // registered elsewhere (node/init.cpp: -listen, -port)
        args.AddArg(name, help, flags, OptionsCategory::CONNECTION);
    };
    add("-addnode=<ip>",
        "Keep a connection to this peer, reconnecting when it drops, as the addnode RPC does (may be given "
        "more than once)",
        ALLOW_ANY | NETWORK_ONLY);
    add("-bind=<addr>[:<port>]",
        "Listen for peers on this local address (default: 0.0.0.0); write IPv6 as [host]:port",
        ALLOW_ANY | NETWORK_ONLY);
    add("-connect=<ip>",
        "Make outbound connections to this peer and to no other (may be given more than once); -noconnect "
        "turns automatic outbound connections off",
        ALLOW_ANY | NETWORK_ONLY);
    add("-dnsseed", "Ask the DNS seeds for peer addresses when few are known (default: 1 unless -connect is given "
                    "or -maxconnections=0)",
        ALLOW_ANY);
    add("-fixedseeds", "Fall back to the built-in seed addresses when the DNS seeds yield no peers (default: 1)",
        ALLOW_ANY);
    add("-forcednsseed", "Ask the DNS seeds for addresses even when enough are known already (default: 0)",
        ALLOW_ANY);
    add("-listen", "Take incoming connections from peers (default: 1 if no -proxy or -connect)", ALLOW_ANY);
    add("-maxconnections=<n>",
        "Upper limit on automatic peer connections (default: 125); peers added with -addnode or the addnode RPC "
        "are not counted",
        ALLOW_ANY);
    add("-maxreceivebuffer=<n>", "Receive buffer limit of each connection, in units of 1000 bytes (default: 5000)",
        ALLOW_ANY);
    add("-maxsendbuffer=<n>", "Send buffer limit of each connection, in units of 1000 bytes (default: 1000)",
        ALLOW_ANY);
    add("-networkactive", "Start with peer-to-peer networking switched on (default: 1); setnetworkactive toggles it later",
        ALLOW_ANY);
    add("-peertimeout=<n>",
        "Seconds a newly connected peer may stay silent before it can be dropped as inactive (minimum: 1, "
        "default: 60)",
        ALLOW_ANY | DEBUG_ONLY);
    add("-port=<port>",
        "Port on which peers may connect (default: 8333, testnet3: 18333, testnet4: 48333, signet: 38333, "
        "regtest: 18444)",
        ALLOW_ANY | NETWORK_ONLY);
    add("-seednode=<ip>",
        "Connect to this peer only to fetch addresses from it, then disconnect (may be given more than once)",
        ALLOW_ANY);
    add("-timeout=<n>", "Milliseconds an outgoing connection attempt may take before it is given up (minimum: 1, "
                        "default: 5000)",
        ALLOW_ANY);
    add("-whitebind=<[permissions@]addr>",
        "Listen on this address (IPv6 as [host]:port) and grant the listed permissions, comma-separated, to peers "
        "arriving through it: bloomfilter, noban, forcerelay, relay, mempool, download, addr (default: "
        "download,noban,mempool,relay). May be given more than once",
        ALLOW_ANY);
    add("-whitelist=<[permissions@]IP address or network>",
        "Grant permissions (those of -whitebind) to peers from this IP address, like 1.2.3.4, or network in CIDR "
        "form, like 1.2.3.0/24. May be given more than once",
        ALLOW_ANY);
}

bool ConnmanOptionsFromArgs(const ArgsManager& args, const ChainParams& params, ConnmanOptions& opts,
                            std::string& error)
{
    opts.magic = params.MessageStart();
    opts.default_port = params.GetDefaultPort();
    opts.port = static_cast<uint16_t>(args.GetIntArg("-port", params.GetDefaultPort()));
    opts.dns_seeds = params.DnsSeeds();

    opts.connect.clear();
    opts.use_connect = args.IsArgSet("-connect");
    if (opts.use_connect) {
        for (const auto& c : args.GetArgs("-connect")) {
            if (!c.empty() && c != "0") opts.connect.push_back(c);
        }
    }
    const bool has_binds = !args.GetArgs("-bind").empty() || !args.GetArgs("-whitebind").empty();
    // -connect=<addr> turns listening and DNS seeding off by default; -noconnect
    // (no address) only turns the automatic connections off.
    opts.listen = args.GetBoolArg("-listen", has_binds || opts.connect.empty());

    opts.max_connections = static_cast<int>(std::max<int64_t>(0, args.GetIntArg("-maxconnections", DEFAULT_MAX_PEER_CONNECTIONS)));
    opts.addnodes = args.GetArgs("-addnode");
    opts.seednodes = args.GetArgs("-seednode");
    opts.dnsseed = args.GetBoolArg("-dnsseed", opts.connect.empty() && opts.max_connections > 0);
    opts.forcednsseed = args.GetBoolArg("-forcednsseed", DEFAULT_FORCEDNSSEED);
    opts.fixedseeds = args.GetBoolArg("-fixedseeds", DEFAULT_FIXEDSEEDS);
    opts.network_active = args.GetBoolArg("-networkactive", DEFAULT_NETWORK_ACTIVE);

    const int64_t recv_kb = args.GetIntArg("-maxreceivebuffer", DEFAULT_MAX_RECEIVE_BUFFER_KB);
    const int64_t send_kb = args.GetIntArg("-maxsendbuffer", DEFAULT_MAX_SEND_BUFFER_KB);
    opts.max_receive_buffer = static_cast<size_t>(std::max<int64_t>(0, recv_kb)) * 1000;
    opts.max_send_buffer = static_cast<size_t>(std::max<int64_t>(0, send_kb)) * 1000;
    int64_t timeout = args.GetIntArg("-timeout", DEFAULT_CONNECT_TIMEOUT_MS);
    if (timeout <= 0) timeout = DEFAULT_CONNECT_TIMEOUT_MS;
    opts.connect_timeout_ms = static_cast<int>(timeout);
    opts.peer_timeout_s = args.GetIntArg("-peertimeout", DEFAULT_PEER_CONNECT_TIMEOUT_S);
    if (opts.peer_timeout_s <= 0) {
        error = "peertimeout must be a positive integer.";
        return false;
    }

    opts.binds.clear();
    for (std::string b : args.GetArgs("-bind")) {
        if (const auto eq = b.rfind('='); eq != std::string::npos) b = b.substr(0, eq);  // "=onion"
        auto s = LookupNumeric(b, opts.port);
        if (!s) {
            error = "Cannot resolve -bind address: '" + b + "'";
            return false;
        }
        opts.binds.push_back(*s);
    }
    opts.whitebinds.clear();
    for (const auto& wb : args.GetArgs("-whitebind")) {
        WhitebindPermission p;
        std::string rest;
        if (!ParsePermissionFlags(wb, p.flags, rest, error)) return false;
        auto s = LookupNumeric(rest, 0);
        if (!s) {
            error = "Cannot resolve -whitebind address: '" + rest + "'";
            return false;
        }
        if (s->GetPort() == 0) {
            error = "Need to specify a port with -whitebind: '" + rest + "'";
            return false;
        }
        p.service = *s;
        opts.whitebinds.push_back(p);
    }
    opts.whitelists.clear();
    for (const auto& wl : args.GetArgs("-whitelist")) {
        WhitelistPermission p;
        std::string rest;
        if (!ParsePermissionFlags(wl, p.flags, rest, error)) return false;
        p.subnet = SubNet::Parse(rest);
        if (!p.subnet.IsValid()) {
            error = "Invalid netmask specified in -whitelist: '" + rest + "'";
            return false;
        }
        opts.whitelists.push_back(p);
    }
    return true;
}

// ---------------------------------------------------------------------------
// Connection manager

struct ConnectionManager::PeerSocket {
    std::shared_ptr<Connection> conn;
    int fd = -1;
    V1Transport transport;
    uint32_t epoll_events = 0;
    size_t send_offset = 0;  // bytes of send_queue.front() already sent (I/O thread only)

    PeerSocket(std::shared_ptr<Connection> c, int f, const MessageStartBytes& magic)
        : conn(std::move(c)), fd(f), transport(magic, conn->id) {}
};

ConnectionManager::ConnectionManager(AddrMan* addrman, BanMan* banman) : m_addrman(addrman), m_banman(banman)
{
    m_netgroup_key = RandomU64();
}

ConnectionManager::~ConnectionManager()
{
    Interrupt();
    Stop();
}

bool ConnectionManager::BindListenPort(const Service& addr, uint32_t permissions, std::string& error)
{
    sockaddr_storage ss;
    socklen_t len;
    if (!ToSockAddr(addr, ss, len)) {
        error = "Bind address family for " + addr.ToStringAddrPort() + " not supported";
        return false;
    }
    const int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
    if (fd < 0) {
        error = "Couldn't open socket for incoming connections (socket returned error " + SocketError(errno) + ")";
        return false;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (ss.ss_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        const int err = errno;
        if (err == EADDRINUSE) {
            error = "Unable to bind to " + addr.ToStringAddrPort() +
                    " on this computer. Bitcoin Core is probably already running.";
        } else {
            error = "Unable to bind to " + addr.ToStringAddrPort() + " on this computer (bind returned error " +
                    SocketError(err) + ")";
        }
        close(fd);
        return false;
    }
    if (listen(fd, SOMAXCONN) != 0) {
        error = "Listening for incoming connections failed (listen returned error " + SocketError(errno) + ")";
        close(fd);
        return false;
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = TAG_LISTEN | m_listen_fds.size();
    epoll_ctl(m_epoll_fd, EPOLL_CTL_ADD, fd, &ev);
    m_listen_fds.emplace_back(fd, permissions);
    m_bound.push_back(LocalSide(fd));
    LogInfo("Bound to {}", addr.ToStringAddrPort());
    return true;
}

bool ConnectionManager::Start(NetEvents& events, const ConnmanOptions& opts, std::string& error)
{
    m_events = &events;
    m_opts = opts;
    m_interrupt = false;
    m_network_active = opts.network_active;

    const int max_full = std::min(opts.max_outbound_full_relay, opts.max_connections);
    const int max_block = std::min(opts.max_block_relay, opts.max_connections - max_full);
    m_opts.max_outbound_full_relay = max_full;
    m_opts.max_block_relay = std::max(0, max_block);
    m_max_inbound = std::max(0, opts.max_connections - (max_full + m_opts.max_block_relay + opts.max_feeler));

    m_epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    m_wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m_epoll_fd < 0 || m_wake_fd < 0) {
        error = "Cannot create the network event loop: " + SocketError(errno);
        return false;
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = TAG_WAKE;
    epoll_ctl(m_epoll_fd, EPOLL_CTL_ADD, m_wake_fd, &ev);

    if (opts.listen) {
        for (const auto& wb : opts.whitebinds) {
            if (!BindListenPort(wb.service, ResolveImplicitPermissions(wb.flags), error)) return false;
        }
        for (const auto& b : opts.binds) {
            if (!BindListenPort(b, PF_NONE, error)) return false;
        }
        if (opts.binds.empty() && opts.whitebinds.empty()) {
            std::string err4, err6;
            const bool ok4 = BindListenPort(Service(*NetAddr::Parse("0.0.0.0"), opts.port), PF_NONE, err4);
            const bool ok6 = BindListenPort(Service(*NetAddr::Parse("::"), opts.port), PF_NONE, err6);
            if (!ok4 && !ok6) {
                error = err4.empty() ? err6 : err4;
                LogError("{}", error);
                error = "Failed to listen on any port. Use -listen=0 if you want this.";
                return false;
            }
        }
    }

    {
        std::lock_guard lock(m_added_mutex);
        m_added_nodes.clear();
        for (const auto& n : opts.addnodes) {
            if (std::find(m_added_nodes.begin(), m_added_nodes.end(), n) == m_added_nodes.end()) m_added_nodes.push_back(n);
        }
        m_addr_fetches = opts.seednodes;
    }
    if (!m_network_active) LogInfo("Network not active.");
    m_next_feeler = std::chrono::steady_clock::now() + FEELER_INTERVAL;

    m_started = true;
    m_thread_socket = std::thread(TraceThread, "net", [this] { ThreadSocketHandler(); });
    m_thread_msghand = std::thread(TraceThread, "msghand", [this] { ThreadMessageHandler(); });
    m_thread_opencon = std::thread(TraceThread, "opencon", [this] { ThreadOpenConnections(); });
    if (m_opts.automatic_outbound && !m_opts.use_connect && (m_opts.dnsseed || m_opts.forcednsseed)) {
        m_thread_dnsseed = std::thread(TraceThread, "dnsseed", [this] { ThreadDNSAddressSeed(); });
    } else if (m_opts.automatic_outbound && !m_opts.use_connect) {
        LogInfo("DNS seeding disabled");
    }
    return true;
}

void ConnectionManager::Interrupt()
{
    m_interrupt = true;
    WakeSocketHandler();
    WakeMessageHandler();
    {
        std::lock_guard lock(m_sleep_mutex);
    }
    m_sleep_cv.notify_all();
}

void ConnectionManager::Stop()
{
    for (auto* t : {&m_thread_dnsseed, &m_thread_opencon, &m_thread_msghand, &m_thread_socket}) {
        if (t->joinable()) t->join();
    }
    if (!m_started && m_epoll_fd < 0) return;
    m_started = false;
    // Close every socket; the peer manager forgets every connection.
    std::vector<std::shared_ptr<PeerSocket>> socks;
    {
        std::lock_guard lock(m_conns_mutex);
        for (auto& [id, ps] : m_sockets) socks.push_back(ps);
    }
    for (auto& ps : socks) CloseConnection(ps);
    std::vector<std::shared_ptr<Connection>> closed;
    {
        std::lock_guard lock(m_conns_mutex);
        closed.swap(m_closed_conns);
        m_new_conns.clear();
        m_conns.clear();
    }
    if (m_events) {
        for (auto& c : closed) {
            if (m_initialized.erase(c->id)) m_events->FinalizeConnection(*c);
        }
    }
    m_initialized.clear();
    for (auto& [fd, perms] : m_listen_fds) close(fd);
    m_listen_fds.clear();
    m_bound.clear();
    if (m_wake_fd >= 0) close(m_wake_fd);
    if (m_epoll_fd >= 0) close(m_epoll_fd);
    m_wake_fd = m_epoll_fd = -1;
}

void ConnectionManager::WakeSocketHandler()
{
    if (m_wake_fd < 0) return;
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t r = write(m_wake_fd, &one, sizeof(one));
}

void ConnectionManager::WakeMessageHandler()
{
    {
        std::lock_guard lock(m_msg_mutex);
        m_msg_wake = true;
    }
    m_msg_cv.notify_one();
}

bool ConnectionManager::InterruptibleSleep(std::chrono::milliseconds d)
{
    std::unique_lock lock(m_sleep_mutex);
    m_sleep_cv.wait_for(lock, d, [this] { return m_interrupt.load(); });
    return !m_interrupt;
}

// ---------------------------------------------------------------------------
// Sending

void ConnectionManager::PushMessage(Connection& conn, std::string type, std::vector<unsigned char> payload)
{
    TRACEPOINT(net, outbound_message, conn.id, conn.addr_name.c_str(), ConnectionTypeName(conn.conn_type),
               type.c_str(), static_cast<uint64_t>(payload.size()), payload.data());
    LogDebug(LogCategory::NET, "sending {} ({} bytes) peer={}", type, payload.size(), conn.id);
    if (conn.disconnect) return;
    std::vector<unsigned char> framed = FrameMessage(m_opts.magic, type, payload);
    const size_t size = framed.size();
    {
        std::lock_guard lock(conn.stats_mutex);
        conn.bytes_sent_per_msg[IsKnownMessageType(type) ? type : NET_MESSAGE_TYPE_OTHER] += size;
    }
    bool was_empty;
    {
        std::lock_guard lock(conn.send_mutex);
        was_empty = conn.send_queue.empty();
        conn.send_queue.push_back(std::move(framed));
        conn.send_queue_bytes += size;
    }
    if (was_empty) {
        {
            std::lock_guard lock(m_pending_mutex);
            m_pending_send.insert(conn.id);
        }
        WakeSocketHandler();
    }
}

bool ConnectionManager::IsSendPaused(const Connection& conn) const
{
    std::lock_guard lock(const_cast<std::mutex&>(conn.send_mutex));
    return conn.send_queue_bytes > m_opts.max_send_buffer;
}

void ConnectionManager::FlushSend(const std::shared_ptr<PeerSocket>& ps)
{
    Connection& conn = *ps->conn;
    bool error = false;
    size_t sent_total = 0;
    {
        std::lock_guard lock(conn.send_mutex);
        while (!conn.send_queue.empty()) {
            const auto& front = conn.send_queue.front();
            const size_t left = front.size() - ps->send_offset;
            const ssize_t n = send(ps->fd, front.data() + ps->send_offset, left, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
                LogDebug(LogCategory::NET, "socket send error for peer={}: {}", conn.id, SocketError(errno));
                error = true;
                break;
            }
            sent_total += static_cast<size_t>(n);
            conn.send_queue_bytes -= std::min(conn.send_queue_bytes, static_cast<size_t>(n));
            if (static_cast<size_t>(n) == left) {
                conn.send_queue.pop_front();
                ps->send_offset = 0;
            } else {
                ps->send_offset += static_cast<size_t>(n);
                break;
            }
        }
    }
    if (sent_total) {
        conn.bytes_sent += sent_total;
        m_total_bytes_sent += sent_total;
        conn.last_send = GetTime();
    }
    if (error) conn.disconnect = true;
}

// ---------------------------------------------------------------------------
// Receiving

void ConnectionManager::ReadFrom(const std::shared_ptr<PeerSocket>& ps)
{
    Connection& conn = *ps->conn;
    unsigned char buf[65536];
    for (int round = 0; round < 8; ++round) {
        {
            std::lock_guard lock(conn.recv_mutex);
            if (conn.recv_queue_bytes >= m_opts.max_receive_buffer) return;  // paused
        }
        const ssize_t n = recv(ps->fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n == 0) {
            if (!conn.disconnect) LogDebug(LogCategory::NET, "socket closed for peer={}", conn.id);
            conn.disconnect = true;
            return;
        }
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
            if (!conn.disconnect) LogDebug(LogCategory::NET, "socket recv error for peer={}: {}", conn.id, SocketError(errno));
            conn.disconnect = true;
            return;
        }
        conn.bytes_recv += static_cast<uint64_t>(n);
        m_total_bytes_recv += static_cast<uint64_t>(n);
        conn.last_recv = GetTime();
        std::span<const unsigned char> data(buf, static_cast<size_t>(n));
        bool got_message = false;
        while (!data.empty()) {
            if (!ps->transport.ReceivedBytes(data)) {
                conn.disconnect = true;
                return;
            }
            if (ps->transport.Complete()) {
                bool reject = false;
                const auto now = std::chrono::microseconds{GetTimeMicros()};
                ReceivedMessage msg = ps->transport.GetMessage(now, reject);
                {
                    std::lock_guard lock(conn.stats_mutex);
                    const bool known = !reject && IsKnownMessageType(msg.type);
                    conn.bytes_recv_per_msg[known ? msg.type : NET_MESSAGE_TYPE_OTHER] += msg.raw_size;
                }
                if (!reject) {
                    std::lock_guard lock(conn.recv_mutex);
                    conn.recv_queue_bytes += msg.raw_size;
                    conn.recv_queue.push_back(std::move(msg));
                    got_message = true;
                }
            }
        }
        if (got_message) WakeMessageHandler();
        if (static_cast<size_t>(n) < sizeof(buf)) return;
    }
}

void ConnectionManager::UpdateEpoll(const std::shared_ptr<PeerSocket>& ps)
{
    Connection& conn = *ps->conn;
    uint32_t want = 0;
    {
        std::lock_guard lock(conn.recv_mutex);
        if (conn.recv_queue_bytes < m_opts.max_receive_buffer) want |= EPOLLIN;
    }
    {
        std::lock_guard lock(conn.send_mutex);
        if (!conn.send_queue.empty()) want |= EPOLLOUT;
    }
    if (want != ps->epoll_events) {
        epoll_event ev{};
        ev.events = want;
        ev.data.u64 = static_cast<uint64_t>(conn.id);
        epoll_ctl(m_epoll_fd, EPOLL_CTL_MOD, ps->fd, &ev);
        ps->epoll_events = want;
    }
}

// ---------------------------------------------------------------------------
// Connections

void ConnectionManager::RegisterConnection(int fd, std::shared_ptr<Connection> conn)
{
    auto ps = std::make_shared<PeerSocket>(conn, fd, m_opts.magic);
    ps->epoll_events = EPOLLIN;
    uint64_t same_direction = 0;  // including this one, counted with it so no close can come between
    {
        std::lock_guard lock(m_conns_mutex);
        m_sockets.emplace(conn->id, ps);
        m_conns.push_back(conn);
        m_new_conns.push_back(conn);
        same_direction = static_cast<uint64_t>(std::count_if(
            m_conns.begin(), m_conns.end(), [&](const auto& c) { return c->IsInbound() == conn->IsInbound(); }));
    }
    // Fired before the socket joins the I/O loop, so it always precedes the connection's closed_connection.
    if (conn->IsInbound()) {
        TRACEPOINT(net, inbound_connection, conn->id, conn->addr_name.c_str(), ConnectionTypeName(conn->conn_type),
                   NetworkArg(*conn), same_direction);
    } else {
        TRACEPOINT(net, outbound_connection, conn->id, conn->addr_name.c_str(), ConnectionTypeName(conn->conn_type),
                   NetworkArg(*conn), same_direction);
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = static_cast<uint64_t>(conn->id);
    epoll_ctl(m_epoll_fd, EPOLL_CTL_ADD, fd, &ev);
    WakeMessageHandler();
}

void ConnectionManager::CloseConnection(const std::shared_ptr<PeerSocket>& ps)
{
    const Connection& conn = *ps->conn;
    LogDebug(LogCategory::NET, "disconnecting peer={}", conn.id);
    TRACEPOINT(net, closed_connection, conn.id, conn.addr_name.c_str(), ConnectionTypeName(conn.conn_type),
               NetworkArg(conn), static_cast<uint64_t>(conn.connected_time));
    if (m_epoll_fd >= 0) epoll_ctl(m_epoll_fd, EPOLL_CTL_DEL, ps->fd, nullptr);
    close(ps->fd);
    ps->fd = -1;
    ps->conn->disconnect = true;
    {
        std::lock_guard lock(m_conns_mutex);
        m_sockets.erase(conn.id);
        std::erase_if(m_conns, [&](const auto& c) { return c.get() == &conn; });
        m_closed_conns.push_back(ps->conn);
    }
    WakeMessageHandler();
}

uint32_t ConnectionManager::WhitelistPermissions(const NetAddr& addr) const
{
    uint32_t flags = PF_NONE;
    for (const auto& wl : m_opts.whitelists) {
        if (wl.subnet.Match(addr)) flags |= ResolveImplicitPermissions(wl.flags);
    }
    return flags;
}

void ConnectionManager::AcceptConnection(int listen_fd, uint32_t listen_permissions)
{
    for (int i = 0; i < 64; ++i) {
        sockaddr_storage ss{};
        socklen_t len = sizeof(ss);
        const int fd = accept4(listen_fd, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                LogInfo("socket error accept failed: {}", SocketError(errno));
            }
            return;
        }
        auto addr = FromSockAddr(ss);
        if (!addr) {
            LogInfo("Unknown socket family");
            close(fd);
            continue;
        }
        const Service bind = LocalSide(fd);
        const uint32_t perms = listen_permissions | WhitelistPermissions(*addr);
        const bool noban = HasFlag(perms, PF_NOBAN);

        if (!m_network_active) {
            LogDebug(LogCategory::NET, "connection from {} dropped: not accepting new connections",
                     addr->ToStringAddrPort());
            close(fd);
            continue;
        }
        bool banned = false, discouraged = false;
#ifdef CONNMAN_HAVE_BANMAN
        if (m_banman) {
            banned = m_banman->IsBanned(*addr);
            discouraged = m_banman->IsDiscouraged(*addr);
        }
#endif
        if (banned && !noban) {
            LogDebug(LogCategory::NET, "connection from {} dropped (banned)", addr->ToStringAddrPort());
            close(fd);
            continue;
        }
        // Every open inbound socket counts, those still closing too (as Core,
        // whose node list holds them until the next disconnect pass).
        int inbound = 0;
        {
            std::lock_guard lock(m_conns_mutex);
            for (const auto& c : m_conns) inbound += c->IsInbound() ? 1 : 0;
        }
        if (discouraged && !noban && inbound + 1 >= m_max_inbound) {
            LogDebug(LogCategory::NET, "connection from {} dropped (discouraged)", addr->ToStringAddrPort());
            close(fd);
            continue;
        }
        if (inbound >= m_max_inbound) {
            if (!AttemptToEvictConnection()) {
                LogDebug(LogCategory::NET, "failed to find an eviction candidate - connection dropped (full)");
                close(fd);
                continue;
            }
        }
        SetNoDelay(fd);
        auto conn = std::make_shared<Connection>(NextId(), ConnectionType::INBOUND, *addr, addr->ToStringAddrPort(),
                                                 bind, GetTime(), perms, RandomU64(), /*inbound_onion=*/false);
        RegisterConnection(fd, conn);
        LogDebug(LogCategory::NET, "connection from {} accepted, peer={}", addr->ToStringAddrPort(), conn->id);
    }
}

bool ConnectionManager::AttemptToEvictConnection()
{
    std::vector<EvictionCandidate> candidates;
    std::shared_ptr<Connection> victim;
    {
        std::lock_guard lock(m_conns_mutex);
        for (const auto& c : m_conns) {
            if (!c->IsInbound() || c->disconnect || HasFlag(c->permissions, PF_NOBAN)) continue;
            EvictionCandidate e;
            e.id = c->id;
            e.connected = std::chrono::seconds{c->connected_time};
            e.min_ping_time = c->min_ping_time.load();
            e.last_block_time = c->last_block_time.load();
            e.last_tx_time = c->last_tx_time.load();
            const uint64_t services = c->services.load();
            e.relevant_services = (services & (NODE_NETWORK | NODE_WITNESS)) == (NODE_NETWORK | NODE_WITNESS);
            e.relay_txs = c->relay_txs.load();
            const auto group = c->addr.GetGroup(m_addrman ? m_addrman->GetAsmap() : std::vector<bool>{});
            e.keyed_netgroup = SipHasher(m_netgroup_key, 0).Write(std::span<const unsigned char>(group)).Finalize();
#ifdef CONNMAN_HAVE_BANMAN
            e.prefer_evict = m_banman && m_banman->IsDiscouraged(c->addr);
#endif
            e.is_local = c->addr.IsLocal();
            e.network = c->inbound_onion ? Network::ONION : c->addr.GetNetwork();
            candidates.push_back(e);
        }
        const auto id = SelectNodeToEvict(std::move(candidates));
        if (!id) return false;
        for (const auto& c : m_conns) {
            if (c->id == *id) victim = c;
        }
    }
    if (!victim) return false;
    LogDebug(LogCategory::NET, "selected {} connection for eviction, peer={}; disconnecting",
             ConnectionTypeName(victim->conn_type), victim->id);
    TRACEPOINT(net, evicted_inbound_connection, victim->id, victim->addr_name.c_str(),
               ConnectionTypeName(victim->conn_type), NetworkArg(*victim), static_cast<uint64_t>(victim->connected_time));
    victim->disconnect = true;
    return true;
}

void ConnectionManager::InactivityCheck(Connection& conn, int64_t now)
{
    if (conn.disconnect) return;
    if (now < conn.connected_time + m_opts.peer_timeout_s) return;
    const int64_t last_send = conn.last_send, last_recv = conn.last_recv;
    if (last_recv == 0 || last_send == 0) {
        LogDebug(LogCategory::NET, "socket no message in first {} seconds, {} {} peer={}", m_opts.peer_timeout_s,
                 last_recv != 0, last_send != 0, conn.id);
        conn.disconnect = true;
        return;
    }
    if (now > last_send + INACTIVITY_TIMEOUT_S) {
        LogDebug(LogCategory::NET, "socket sending timeout: {}s peer={}", now - last_send, conn.id);
        conn.disconnect = true;
        return;
    }
    if (now > last_recv + INACTIVITY_TIMEOUT_S) {
        LogDebug(LogCategory::NET, "socket receive timeout: {}s peer={}", now - last_recv, conn.id);
        conn.disconnect = true;
        return;
    }
    if (!conn.handshake_done) {
        LogDebug(LogCategory::NET, "version handshake timeout peer={}", conn.id);
        conn.disconnect = true;
    }
}

void ConnectionManager::ThreadSocketHandler()
{
    epoll_event events[64];
    auto last_inactivity = std::chrono::steady_clock::now();
    while (!m_interrupt) {
        const int n = epoll_wait(m_epoll_fd, events, 64, 50);
        for (int i = 0; i < n && !m_interrupt; ++i) {
            const uint64_t tag = events[i].data.u64;
            if (tag == TAG_WAKE) {
                uint64_t v;
                [[maybe_unused]] ssize_t r = read(m_wake_fd, &v, sizeof(v));
                continue;
            }
            if (tag & TAG_LISTEN) {
                const size_t idx = tag & ~TAG_LISTEN;
                if (idx < m_listen_fds.size()) AcceptConnection(m_listen_fds[idx].first, m_listen_fds[idx].second);
                continue;
            }
            std::shared_ptr<PeerSocket> ps;
            {
                std::lock_guard lock(m_conns_mutex);
                auto it = m_sockets.find(static_cast<int64_t>(tag));
                if (it != m_sockets.end()) ps = it->second;
            }
            if (!ps || ps->conn->disconnect) continue;
            const uint32_t ev = events[i].events;
            if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) ReadFrom(ps);
            if ((ev & EPOLLOUT) && !ps->conn->disconnect) FlushSend(ps);
        }
        // Messages queued while the send queue was empty: try to send now.
        std::set<int64_t> pending;
        std::vector<std::shared_ptr<PeerSocket>> all;
        {
            std::lock_guard lock(m_pending_mutex);
            pending.swap(m_pending_send);
        }
        {
            std::lock_guard lock(m_conns_mutex);
            all.reserve(m_sockets.size());
            for (auto& [id, ps] : m_sockets) all.push_back(ps);
        }
        for (auto& ps : all) {
            if (!ps->conn->disconnect && pending.count(ps->conn->id)) FlushSend(ps);
        }
        const auto now_steady = std::chrono::steady_clock::now();
        const bool check_inactivity = now_steady - last_inactivity >= std::chrono::seconds{1};
        if (check_inactivity) last_inactivity = now_steady;
        const int64_t now = GetTime();
        for (auto& ps : all) {
            if (check_inactivity) InactivityCheck(*ps->conn, now);
            if (ps->conn->disconnect) {
                CloseConnection(ps);
            } else {
                UpdateEpoll(ps);
            }
        }
    }
}

void ConnectionManager::ThreadMessageHandler()
{
    while (!m_interrupt) {
        std::vector<std::shared_ptr<Connection>> fresh, closed, snapshot;
        {
            std::lock_guard lock(m_conns_mutex);
            fresh.swap(m_new_conns);
            closed.swap(m_closed_conns);
            snapshot = m_conns;
        }
        for (auto& c : fresh) {
            m_initialized.insert(c->id);
            m_events->InitializeConnection(*c);
        }
        for (auto& c : closed) {
            if (m_initialized.erase(c->id)) m_events->FinalizeConnection(*c);
        }
        bool more = false;
        for (auto& c : snapshot) {
            if (m_interrupt) break;
            if (c->disconnect || !m_initialized.count(c->id)) continue;
            if (!IsSendPaused(*c)) more |= m_events->ProcessMessages(*c, m_interrupt);
            if (m_interrupt) break;
            if (!c->disconnect) m_events->SendMessages(*c);
        }
        if (m_interrupt) break;
        std::unique_lock lock(m_msg_mutex);
        if (!more) m_msg_cv.wait_for(lock, std::chrono::milliseconds{100}, [this] { return m_msg_wake || m_interrupt.load(); });
        m_msg_wake = false;
    }
}

// ---------------------------------------------------------------------------
// Outbound

bool ConnectionManager::AlreadyConnected(const Service& addr, const std::string& name) const
{
    std::lock_guard lock(m_conns_mutex);
    for (const auto& c : m_conns) {
        if (c->disconnect) continue;
        if ((!name.empty() && c->addr_name == name) || (addr.IsValid() && c->addr == addr)) return true;
    }
    return false;
}

bool ConnectionManager::OpenNetworkConnection(const std::string& dest, ConnectionType type)
{
    if (m_interrupt || !m_network_active) return false;
    if (AlreadyConnected(Service(), dest)) return false;
    auto addr = ResolveDest(dest, m_opts.default_port);
    if (!addr) {
        LogDebug(LogCategory::NET, "cannot resolve {}", dest);
        return false;
    }
    if (AlreadyConnected(*addr, "")) return false;
    sockaddr_storage ss;
    socklen_t len;
    if (!ToSockAddr(*addr, ss, len)) return false;

    LogDebug(LogCategory::NET, "trying v1 connection {} lastseen=0.0hrs", dest);
    const int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
    if (fd < 0) return false;
    if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        if (errno != EINPROGRESS) {
            LogDebug(LogCategory::NET, "connect() to {} failed: {}", addr->ToStringAddrPort(), SocketError(errno));
            close(fd);
            return false;
        }
        // Wait up to -timeout, in slices so an interrupt is noticed.
        int waited = 0;
        bool ready = false;
        while (waited < m_opts.connect_timeout_ms && !m_interrupt) {
            pollfd p{fd, POLLOUT, 0};
            const int slice = std::min(100, m_opts.connect_timeout_ms - waited);
            const int r = poll(&p, 1, slice);
            if (r > 0) {
                ready = true;
                break;
            }
            if (r < 0 && errno != EINTR) break;
            waited += slice;
        }
        int err = 0;
        socklen_t errlen = sizeof(err);
        if (!ready) {
            LogDebug(LogCategory::NET, "connection attempt to {} timed out", addr->ToStringAddrPort());
            close(fd);
            return false;
        }
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) != 0 || err != 0) {
            LogDebug(LogCategory::NET, "connect() to {} failed after wait: {}", addr->ToStringAddrPort(), SocketError(err));
            close(fd);
            return false;
        }
    }
    if (m_interrupt || !m_network_active) {
        close(fd);
        return false;
    }
    SetNoDelay(fd);
    // -whitelist applies to incoming connections only (Core's default direction).
    const uint32_t perms = PF_NONE;
    auto conn = std::make_shared<Connection>(NextId(), type, *addr, dest, LocalSide(fd), GetTime(), perms, RandomU64(),
                                             /*inbound_onion=*/false);
    RegisterConnection(fd, conn);
    LogDebug(LogCategory::NET, "Added connection peer={}", conn->id);
    return true;
}

bool ConnectionManager::OpenNetworkConnection(const Service& addr, ConnectionType type)
{
    if (m_interrupt || !m_network_active) return false;
    if (AlreadyConnected(addr, "")) return false;
    if (m_addrman && IsAutomaticOutbound(type) && type != ConnectionType::ADDR_FETCH) {
        m_addrman->Attempt(addr, /*count_failure=*/type != ConnectionType::FEELER);
    }
    return OpenNetworkConnection(addr.ToStringAddrPort(), type);
}

int ConnectionManager::GetOutboundCount(ConnectionType type) const
{
    std::lock_guard lock(m_conns_mutex);
    return static_cast<int>(std::count_if(m_conns.begin(), m_conns.end(), [&](const auto& c) {
        return c->conn_type == type && !c->disconnect;
    }));
}

bool ConnectionManager::AddConnection(const std::string& dest, ConnectionType type)
{
    int max = 0;
    switch (type) {
    case ConnectionType::OUTBOUND_FULL_RELAY: max = m_opts.max_outbound_full_relay; break;
    case ConnectionType::BLOCK_RELAY: max = m_opts.max_block_relay; break;
    // No limit for feelers (short-lived) and addr-fetch (-seednode has none either), as in Core.
    case ConnectionType::FEELER:
    case ConnectionType::ADDR_FETCH: max = 1 << 20; break;
    default: return false;
    }
    if (GetOutboundCount(type) >= max) return false;
    OpenNetworkConnection(dest, type);
    return true;
}

void ConnectionManager::AddAddrFetch(const std::string& dest)
{
    std::lock_guard lock(m_added_mutex);
    m_addr_fetches.push_back(dest);
}

void ConnectionManager::ProcessAddrFetch()
{
    std::string dest;
    {
        std::lock_guard lock(m_added_mutex);
        if (m_addr_fetches.empty()) return;
        dest = m_addr_fetches.front();
        m_addr_fetches.erase(m_addr_fetches.begin());
    }
    OpenNetworkConnection(dest, ConnectionType::ADDR_FETCH);
}

void ConnectionManager::ConnectAddedNodes()
{
    std::vector<AddedNodeInfo> infos = GetAddedNodeInfo(/*include_connected=*/false);
    int manual = GetOutboundCount(ConnectionType::MANUAL);
    for (const auto& info : infos) {
        if (m_interrupt || manual >= MAX_ADDNODE_CONNECTIONS) break;
        if (OpenNetworkConnection(info.added_node, ConnectionType::MANUAL)) ++manual;
    }
}

std::optional<Service> ConnectionManager::SelectOutboundAddress(ConnectionType type)
{
    if (!m_addrman || m_addrman->Size() == 0) return std::nullopt;
    std::set<std::vector<uint8_t>> groups;
    {
        std::lock_guard lock(m_conns_mutex);
        for (const auto& c : m_conns) {
            if (c->IsOutbound() && c->conn_type != ConnectionType::MANUAL) groups.insert(c->addr.GetGroup(m_addrman->GetAsmap()));
        }
    }
    const int64_t now = GetTime();
    const bool feeler = type == ConnectionType::FEELER;
    if (feeler) {
        m_addrman->ResolveCollisions();
        auto [addr, last_try] = m_addrman->SelectTriedCollision();
        if (addr.IsValid() && addr.GetPort() != 0 && !AlreadyConnected(addr, "")) return Service(addr);
    }
    for (int tries = 0; tries < 100 && !m_interrupt; ++tries) {
        auto [addr, last_try] = feeler ? m_addrman->Select(/*new_only=*/true) : m_addrman->Select();
        if (!addr.IsValid() || addr.GetPort() == 0) break;
        if (addr.IsLocal()) continue;
        if (groups.count(addr.GetGroup(m_addrman->GetAsmap()))) continue;
        if (AlreadyConnected(addr, "")) continue;
#ifdef CONNMAN_HAVE_BANMAN
        if (m_banman && (m_banman->IsBanned(addr) || m_banman->IsDiscouraged(addr))) continue;
#endif
        if (now - last_try < 600 && tries < 30) continue;
        if (addr.GetPort() != m_opts.default_port && tries < 50) continue;
        return Service(addr);
    }
    return std::nullopt;
}

void ConnectionManager::ThreadOpenConnections()
{
    const auto start = std::chrono::steady_clock::now();
    auto next_added = start;
    bool fixed_seeds_done = false;
    int64_t next_dump = GetTime() + DUMP_PEERS_INTERVAL.count();
    while (!m_interrupt) {
        if (const int64_t now = GetTime(); now >= next_dump) {
            DumpAddresses();
            next_dump = now + DUMP_PEERS_INTERVAL.count();
        }
        if (m_opts.use_connect) {
            for (const auto& dest : m_opts.connect) {
                if (m_interrupt) break;
                if (!AlreadyConnected(Service(), dest)) OpenNetworkConnection(dest, ConnectionType::MANUAL);
            }
            if (!InterruptibleSleep(std::chrono::milliseconds{500})) break;
            continue;
        }
        const auto now_steady = std::chrono::steady_clock::now();
        if (now_steady >= next_added) {
            bool any = false;
            {
                std::lock_guard lock(m_added_mutex);
                any = !m_added_nodes.empty();
            }
            ConnectAddedNodes();
            next_added = now_steady + std::chrono::seconds{any ? 2 : 1};
        }
        if (m_network_active) ProcessAddrFetch();

        if (m_opts.automatic_outbound && m_network_active && m_addrman) {
            if (!fixed_seeds_done && m_opts.fixedseeds && !m_opts.fixed_seeds.empty() && m_addrman->Size() == 0 &&
                (!m_opts.dnsseed || now_steady - start > std::chrono::seconds{60})) {
                LogInfo("Adding fixed seeds as {}", m_opts.dnsseed ? "60 seconds have passed and addrman is empty"
                                                                   : "-dnsseed is disabled");
                m_addrman->Add(m_opts.fixed_seeds, *NetAddr::Parse("127.0.0.1"));
                fixed_seeds_done = true;
            }
            std::optional<ConnectionType> type;
            if (GetOutboundCount(ConnectionType::OUTBOUND_FULL_RELAY) < m_opts.max_outbound_full_relay) {
                type = ConnectionType::OUTBOUND_FULL_RELAY;
            } else if (GetOutboundCount(ConnectionType::BLOCK_RELAY) < m_opts.max_block_relay) {
                type = ConnectionType::BLOCK_RELAY;
            } else if (m_opts.max_feeler > 0 && now_steady >= m_next_feeler) {
                // Exponentially distributed around FEELER_INTERVAL, as Core spaces its feelers.
                std::exponential_distribution<double> dist(1.0);
                std::mt19937_64 rng(RandomU64());
                m_next_feeler = now_steady + std::chrono::milliseconds{static_cast<int64_t>(
                                                 dist(rng) * std::chrono::duration_cast<std::chrono::milliseconds>(FEELER_INTERVAL).count())};
                type = ConnectionType::FEELER;
            }
            if (type) {
                if (auto addr = SelectOutboundAddress(*type)) OpenNetworkConnection(*addr, *type);
            }
        }
        if (!InterruptibleSleep(std::chrono::milliseconds{500})) break;
    }
}

void ConnectionManager::DumpAddresses()
{
    if (!m_addrman || m_opts.peers_file.empty()) return;
    const auto start = std::chrono::steady_clock::now();
    if (!SaveAddrMan(*m_addrman, m_opts.peers_file, m_opts.magic)) {
        LogError("Could not write {}", m_opts.peers_file.string());
        return;
    }
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    LogDebug(LogCategory::NET, "Flushed {} addresses to peers.dat  {}ms", m_addrman->Size(), ms.count());
}

void ConnectionManager::ThreadDNSAddressSeed()
{
    if (!m_addrman) return;
    if (!m_opts.forcednsseed && m_addrman->Size() > 0) {
        // Known addresses: give them a chance first.
        LogInfo("Waiting 11 seconds before querying DNS seeds.");
        if (!InterruptibleSleep(std::chrono::seconds{11})) return;
        if (GetOutboundCount(ConnectionType::OUTBOUND_FULL_RELAY) >= 2) {
            LogInfo("P2P peers available. Skipped DNS seeding.");
            return;
        }
    }
    int found = 0;
    for (const auto& seed : m_opts.dns_seeds) {
        if (m_interrupt) return;
        if (!m_network_active) {
            LogInfo("Waiting for network to be reactivated before querying DNS seeds.");
            while (!m_network_active && !m_interrupt) InterruptibleSleep(std::chrono::seconds{1});
            if (m_interrupt) return;
        }
        LogInfo("Loading addresses from DNS seed {}", seed);
        const auto ips = LookupHost(seed, /*allow_lookup=*/true, 256);
        if (ips.empty()) {
            LogInfo("DNS seed {} returned no addresses (resolution failed or empty)", seed);
            continue;
        }
        std::vector<Address> addrs;
        const int64_t now = GetTime();
        for (const auto& ip : ips) {
            // Seen 3 to 7 days ago, as Core ages seed results.
            const int64_t age = 3 * 24 * 3600 + static_cast<int64_t>(RandomU64() % (4 * 24 * 3600));
            addrs.emplace_back(Service(ip, m_opts.default_port), NODE_NETWORK | NODE_WITNESS,
                               static_cast<uint32_t>(now - age));
        }
        m_addrman->Add(addrs, NetAddr::FromInternal(seed));
        found += static_cast<int>(addrs.size());
    }
    LogInfo("{} addresses found from DNS seeds", found);
}

// ---------------------------------------------------------------------------
// Queries and control

bool ConnectionManager::ForConnection(int64_t id, const std::function<bool(Connection&)>& fn)
{
    std::shared_ptr<Connection> found;
    {
        std::lock_guard lock(m_conns_mutex);
        for (const auto& c : m_conns) {
            if (c->id == id) found = c;
        }
    }
    // Called without the list lock, so fn may call back into the manager.
    return found && fn(*found);
}

void ConnectionManager::ForEachConnection(const std::function<void(Connection&)>& fn)
{
    std::vector<std::shared_ptr<Connection>> snapshot;
    {
        std::lock_guard lock(m_conns_mutex);
        snapshot = m_conns;
    }
    for (auto& c : snapshot) {
        if (!c->disconnect) fn(*c);
    }
}

bool ConnectionManager::DisconnectNode(int64_t id)
{
    return ForConnection(id, [](Connection& c) {
        LogDebug(LogCategory::NET, "disconnect by id peer={}; disconnecting", c.id);
        c.disconnect = true;
        return true;
    });
}

bool ConnectionManager::DisconnectNode(const std::string& addr_name)
{
    const auto parsed = LookupNumeric(addr_name, 0);
    bool found = false;
    std::lock_guard lock(m_conns_mutex);
    for (const auto& c : m_conns) {
        if (c->addr_name == addr_name ||
            (parsed && (parsed->GetPort() == 0 ? static_cast<const NetAddr&>(c->addr) == *parsed : c->addr == *parsed))) {
            LogDebug(LogCategory::NET, "disconnect by address peer={}; disconnecting", c->id);
            c->disconnect = true;
            found = true;
        }
    }
    return found;
}

bool ConnectionManager::DisconnectNode(const SubNet& subnet)
{
    bool found = false;
    std::lock_guard lock(m_conns_mutex);
    for (const auto& c : m_conns) {
        if (subnet.Match(c->addr)) {
            LogDebug(LogCategory::NET, "disconnect by subnet peer={}; disconnecting", c->id);
            c->disconnect = true;
            found = true;
        }
    }
    return found;
}

bool ConnectionManager::DisconnectNode(const NetAddr& addr) { return DisconnectNode(SubNet(addr)); }

size_t ConnectionManager::GetNodeCount(ConnectionDirection dir) const
{
    // Connections marked for disconnection are not counted: getpeerinfo
    // (ForEachConnection) does not show them either, and Core drops them from
    // its node list on the next socket-handler pass, so its count agrees.
    std::lock_guard lock(m_conns_mutex);
    return static_cast<size_t>(std::count_if(m_conns.begin(), m_conns.end(), [&](const auto& c) {
        if (c->disconnect) return false;
        return dir == ConnectionDirection::Both || (dir == ConnectionDirection::In ? c->IsInbound() : c->IsOutbound());
    }));
}

bool ConnectionManager::AddNode(const std::string& node)
{
    std::lock_guard lock(m_added_mutex);
    const auto parsed = LookupNumeric(node, m_opts.default_port);
    for (const auto& n : m_added_nodes) {
        if (n == node) return false;
        if (parsed) {
            const auto other = LookupNumeric(n, m_opts.default_port);
            if (other && *other == *parsed) return false;
        }
    }
    m_added_nodes.push_back(node);
    return true;
}

bool ConnectionManager::RemoveAddedNode(const std::string& node)
{
    std::lock_guard lock(m_added_mutex);
    auto it = std::find(m_added_nodes.begin(), m_added_nodes.end(), node);
    if (it == m_added_nodes.end()) return false;
    m_added_nodes.erase(it);
    return true;
}

std::vector<AddedNodeInfo> ConnectionManager::GetAddedNodeInfo(bool include_connected) const
{
    std::vector<std::string> nodes;
    {
        std::lock_guard lock(m_added_mutex);
        nodes = m_added_nodes;
    }
    std::vector<AddedNodeInfo> out;
    std::lock_guard lock(m_conns_mutex);
    for (const auto& n : nodes) {
        AddedNodeInfo info;
        info.added_node = n;
        const auto parsed = LookupNumeric(n, m_opts.default_port);
        for (const auto& c : m_conns) {
            if (c->disconnect) continue;
            if (c->addr_name == n || (parsed && c->addr == *parsed)) {
                info.connected = true;
                info.inbound = c->IsInbound();
                info.resolved = c->addr;
                break;
            }
        }
        if (include_connected || !info.connected) out.push_back(std::move(info));
    }
    return out;
}

bool ConnectionManager::CheckIncomingNonce(uint64_t nonce) const
{
    std::lock_guard lock(m_conns_mutex);
    for (const auto& c : m_conns) {
        if (!c->handshake_done && c->IsOutbound() && c->local_nonce == nonce) return false;
    }
    return true;
}

void ConnectionManager::SetNetworkActive(bool active)
{
    LogInfo("SetNetworkActive: {}", active);
    if (m_network_active == active) return;
    m_network_active = active;
    if (!active) {
        std::lock_guard lock(m_conns_mutex);
        for (const auto& c : m_conns) c->disconnect = true;
    }
    WakeSocketHandler();
}

std::vector<Service> ConnectionManager::GetLocalAddresses() const
{
    std::vector<Service> out;
    for (const auto& s : m_bound) {
        if (s.IsRoutable()) out.push_back(s);
    }
    return out;
}

std::vector<Service> ConnectionManager::GetBoundAddresses() const { return m_bound; }

} // namespace net
