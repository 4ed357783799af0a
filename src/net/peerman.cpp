// Peer manager: the handshake, ping/pong, address relay, feature
// negotiation and misbehaviour. Sync lives in peerman_sync.cpp, transaction
// relay in peerman_tx.cpp.

#include <net/peerman_impl.h>

#include <consensus/amount.h>
#include <kernel/validation.h>
#include <net/addrman.h>
#include <net/banman.h>
#include <net/connman.h>
#include <node/init.h>
#include <util/args.h>
#include <util/logging.h>
#include <util/time.h>
#include <util/trace.h>

#include <algorithm>
#include <exception>

namespace net {

namespace {
constexpr size_t MAX_SUBVERSION_LENGTH = 256;
constexpr size_t MAX_ADDR_KNOWN = 5000;
constexpr int64_t AVG_ADDRESS_BROADCAST_INTERVAL_MICROS = 30'000'000;
constexpr size_t MAX_PCT_ADDR_TO_SEND = 23;
constexpr int BIP0031_VERSION = 60000;
constexpr int CMPCTBLOCKS_VERSION = 2;

std::string SanitizeUserAgent(const std::string& in)
{
    std::string out;
    for (char c : in) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            std::string_view(" .,;-_/:?@()").find(c) != std::string_view::npos) {
            out.push_back(c);
        }
    }
    return out;
}
} // namespace

int64_t NowMicros()
{
    const int64_t mock = GetMockTime();
    if (mock != 0) return mock * 1'000'000;
    return GetTimeMicros();
}

std::string FormatUserAgent(const std::vector<std::string>& comments)
{
    std::string version = node::CLIENT_VERSION;
    if (!version.empty() && version[0] == 'v') version.erase(0, 1);
    std::string ua = std::string("/") + node::CLIENT_NAME + ":" + version;
    if (!comments.empty()) {
        ua += "(";
        for (size_t i = 0; i < comments.size(); ++i) {
            if (i) ua += "; ";
            ua += comments[i];
        }
        ua += ")";
    }
    return ua + "/";
}

void RegisterPeerOptions(ArgsManager& args)
{
    args.AddArg("-blocksonly",
                "Take no transactions from peers and announce none, except those from peers with the 'forcerelay' "
                "permission; transactions submitted over RPC are handled as usual (default: 0)",
                ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-maxorphantx=<n>",
                "Hold at most <n> orphan transactions (whose inputs are still unknown) in memory (default: " +
                    std::to_string(DEFAULT_MAX_ORPHAN_TRANSACTIONS) + ")",
                ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-uacomment=<cmt>", "Add this comment to the user agent announced to peers", ALLOW_ANY,
                OptionsCategory::DEBUG_TEST);
    args.AddArg("-blockstallingtimeout=<n>",
                "Seconds a peer may hold up the block download before it is dropped, as a starting value that adapts "
                "(default: 2)",
                ALLOW_ANY | DEBUG_ONLY, OptionsCategory::DEBUG_TEST);
}

PeerManager::Options PeerOptionsFromArgs(const ArgsManager& args)
{
    PeerManager::Options o;
    o.ignore_incoming_txs = args.GetBoolArg("-blocksonly", false);
    o.max_orphan_txs = static_cast<unsigned>(std::max<int64_t>(0, args.GetIntArg("-maxorphantx", DEFAULT_MAX_ORPHAN_TRANSACTIONS)));
    o.block_stalling_timeout = std::chrono::seconds{
        std::clamp<int64_t>(args.GetIntArg("-blockstallingtimeout", DEFAULT_BLOCK_STALLING_TIMEOUT_SECONDS), 1,
                            BLOCK_STALLING_TIMEOUT_MAX_SECONDS)};
    std::vector<std::string> comments;
    for (const auto& c : args.GetArgs("-uacomment")) comments.push_back(SanitizeUserAgent(c));
    o.user_agent = FormatUserAgent(comments);
    return o;
}

std::unique_ptr<PeerManager> PeerManager::Create(ConnectionManager& connman, AddrMan& addrman, BanMan* banman,
                                                 ChainstateManager& chainman, node::TxMempool* mempool, Options opts)
{
    return std::make_unique<PeerManagerImpl>(connman, addrman, banman, chainman, mempool, std::move(opts));
}

PeerManagerImpl::PeerManagerImpl(ConnectionManager& connman, AddrMan& addrman, BanMan* banman,
                                 ChainstateManager& chainman, node::TxMempool* mempool, Options opts)
    : m_connman(connman), m_addrman(addrman), m_banman(banman), m_chainman(chainman), m_mempool(mempool),
      m_opts(std::move(opts))
{
    m_user_agent = m_opts.user_agent.empty() ? FormatUserAgent() : m_opts.user_agent;
    std::random_device rd;
    m_rng.seed((uint64_t{rd()} << 32) ^ rd());
    m_stalling_timeout_micros = std::chrono::duration_cast<std::chrono::microseconds>(m_opts.block_stalling_timeout).count();
    ScheduleInitialBroadcastReattempt(NowMicros());
}

PeerManagerImpl::~PeerManagerImpl() = default;

uint64_t PeerManagerImpl::RandU64()
{
    std::lock_guard lock(m_mutex);
    return m_rng();
}

Peer* PeerManagerImpl::GetPeer(int64_t id)
{
    auto it = m_peers.find(id);
    return it == m_peers.end() ? nullptr : &it->second;
}

void PeerManagerImpl::PushRaw(Connection& conn, const std::string& type, DataStream& payload)
{
    m_connman.PushMessage(conn, type, std::vector<unsigned char>(payload.begin(), payload.end()));
}

bool PeerManagerImpl::RejectIncomingTxs(const Peer& peer) const
{
    if (peer.conn_type == ConnectionType::BLOCK_RELAY) return true;
    if (m_opts.ignore_incoming_txs && !peer.HasPermission(PF_RELAY)) return true;
    return false;
}

// ---------------------------------------------------------------------------
// Connections

void PeerManagerImpl::InitializeConnection(Connection& conn)
{
    std::lock_guard chain_lock(m_chainman.ChainLock());
    std::lock_guard lock(m_mutex);
    auto [it, inserted] = m_peers.try_emplace(conn.id);
    Peer& peer = it->second;
    if (inserted) {
        peer.id = conn.id;
        peer.conn_type = conn.conn_type;
        peer.addr = conn.addr;
        peer.permissions = conn.permissions;
        peer.addr_token_timestamp = NowMicros();
    }
    if (conn.IsOutbound() && !peer.version_received && peer.version == 0) {
        PushVersion(conn, peer);
        peer.version = -1;  // version sent, none received yet
    }
}

void PeerManagerImpl::FinalizeConnection(const Connection& conn)
{
    std::lock_guard chain_lock(m_chainman.ChainLock());
    std::lock_guard lock(m_mutex);
    Peer* peer = GetPeer(conn.id);
    if (!peer) return;
    ReleasePeerSyncState(*peer);
    ForgetPeerTxState(*peer);
    if (peer->handshake_done && conn.conn_type != ConnectionType::BLOCK_RELAY && !conn.IsInbound()) {
        m_addrman.Connected(conn.addr);
    }
    m_peers.erase(conn.id);
    LogDebug(LogCategory::NET, "Cleared nodestate for peer={}", conn.id);
}

void PeerManagerImpl::PushVersion(Connection& conn, Peer& peer)
{
    const uint64_t my_services = m_connman.GetLocalServices();
    const int64_t now = GetTime();
    const Service addr_you = conn.addr.IsRoutable() && conn.addr.IsAddrV1Compatible() ? conn.addr : Service{};
    const int start_height = m_chainman.ActiveChain().Height();
    const bool relay = !RejectIncomingTxs(peer);

    DataStream s;
    s << int32_t{PROTOCOL_VERSION} << my_services << now;
    s << uint64_t{0};  // services we believe the peer has
    addr_you.SerializeV1(s);
    s << my_services;
    Service{}.SerializeV1(s);
    s << conn.local_nonce << m_user_agent << int32_t{start_height} << relay;
    PushRaw(conn, "version", s);
    LogDebug(LogCategory::NET, "send version message: version {}, blocks={}, txrelay={}, peer={}", PROTOCOL_VERSION,
             start_height, relay, conn.id);
}

// ---------------------------------------------------------------------------
// Misbehaviour

void PeerManagerImpl::Misbehaving(int64_t id, const std::string& reason)
{
    std::lock_guard lock(m_mutex);
    Peer* peer = GetPeer(id);
    if (!peer) return;
    MisbehavingLocked(*peer, reason);
}

void PeerManagerImpl::MisbehavingLocked(Peer& peer, const std::string& reason)
{
    peer.should_discourage = true;
    LogDebug(LogCategory::NET, "Misbehaving: peer={}{}", peer.id, reason.empty() ? "" : ": " + reason);
    TRACEPOINT(net, misbehaving_connection, peer.id, reason.c_str());
}

bool PeerManagerImpl::MaybeDiscourageAndDisconnect(Connection& conn, Peer& peer)
{
    if (!peer.should_discourage) return false;
    peer.should_discourage = false;
    if (peer.HasPermission(PF_NOBAN)) {
        LogInfo("Warning: not punishing noban peer {}!", peer.id);
        return false;
    }
    if (peer.conn_type == ConnectionType::MANUAL) {
        LogInfo("Warning: not punishing manually connected peer {}!", peer.id);
        return false;
    }
    if (conn.addr.IsLocal() || conn.inbound_onion) {
        LogDebug(LogCategory::NET, "Warning: disconnecting but not discouraging {} peer {}!",
                 conn.inbound_onion ? "inbound onion" : "local", peer.id);
        conn.disconnect = true;
        return true;
    }
    LogDebug(LogCategory::NET, "Disconnecting and discouraging peer {}!", peer.id);
    if (m_banman) m_banman->Discourage(conn.addr);
    conn.disconnect = true;
    return true;
}

// ---------------------------------------------------------------------------
// Message loop

bool PeerManagerImpl::ProcessMessages(Connection& conn, std::atomic<bool>& interrupt)
{
    std::lock_guard chain_lock(m_chainman.ChainLock());
    std::lock_guard lock(m_mutex);
    Peer* peer = GetPeer(conn.id);
    if (!peer) {
        InitializeConnection(conn);
        peer = GetPeer(conn.id);
        if (!peer) return false;
    }
    if (conn.disconnect) return false;

    if (!peer->getdata_requests.empty()) {
        ProcessGetData(conn, *peer, interrupt);
        if (MaybeDiscourageAndDisconnect(conn, *peer) || conn.disconnect) return false;
        if (!peer->getdata_requests.empty()) return true;
    }

    ReceivedMessage msg;
    if (!conn.PollMessage(msg)) return false;

    TRACEPOINT(net, inbound_message, conn.id, conn.addr_name.c_str(), ConnectionTypeName(conn.conn_type),
               msg.type.c_str(), static_cast<uint64_t>(msg.payload.size()), msg.payload.data());

    DataStream recv(std::move(msg.payload));
    const size_t size = recv.size();
    try {
        ProcessMessage(conn, *peer, msg.type, recv, msg.time, interrupt);
    } catch (const std::exception& e) {
        LogDebug(LogCategory::NET, "ProcessMessages({}, {} bytes): Exception '{}' caught, peer={}", msg.type, size,
                 e.what(), conn.id);
    }
    peer = GetPeer(conn.id);
    if (!peer) return false;
    MaybeDiscourageAndDisconnect(conn, *peer);
    if (conn.disconnect) return false;
    return conn.HasQueuedMessages() || !peer->getdata_requests.empty();
}

void PeerManagerImpl::ProcessMessage(Connection& conn, Peer& peer, const std::string& type, DataStream& recv,
                                     std::chrono::microseconds time_received, std::atomic<bool>& interrupt)
{
    LogDebug(LogCategory::NET, "received: {} ({} bytes) peer={}", type, recv.size(), conn.id);

    if (type == "version") {
        if (peer.version_received) {
            LogDebug(LogCategory::NET, "redundant version message from peer={}", conn.id);
            return;
        }
        int32_t version = 0;
        uint64_t services = 0;
        int64_t their_time = 0;
        uint64_t services_you = 0;
        Service addr_me, addr_from;
        uint64_t nonce = 1;
        std::string user_agent;
        int32_t starting_height = -1;
        bool relay = true;
        recv >> version >> services >> their_time >> services_you;
        addr_me.UnserializeV1(recv);
        if (version < MIN_PEER_PROTO_VERSION) {
            LogDebug(LogCategory::NET, "peer={} using obsolete version {}; disconnecting", conn.id, version);
            conn.disconnect = true;
            return;
        }
        if (!recv.empty()) {
            uint64_t services_from = 0;
            recv >> services_from;
            addr_from.UnserializeV1(recv);
            recv >> nonce;
        }
        if (!recv.empty()) {
            const uint64_t len = ReadCompactSize(recv);
            if (len > MAX_SUBVERSION_LENGTH) throw std::ios_base::failure("String length limit exceeded");
            user_agent.resize(len);
            if (len) recv.read(std::span<unsigned char>(reinterpret_cast<unsigned char*>(user_agent.data()), len));
        }
        if (!recv.empty()) recv >> starting_height;
        if (!recv.empty()) recv >> relay;

        if (conn.IsInbound() && !m_connman.CheckIncomingNonce(nonce)) {
            LogInfo("connected to self at {}, disconnecting", conn.addr_name);
            conn.disconnect = true;
            return;
        }
        // Outbound peers must serve the chain with witnesses.
        const bool expect_services = conn.conn_type == ConnectionType::OUTBOUND_FULL_RELAY ||
                                     conn.conn_type == ConnectionType::BLOCK_RELAY ||
                                     conn.conn_type == ConnectionType::ADDR_FETCH;
        if (expect_services && (!(services & NODE_WITNESS) || !(services & (NODE_NETWORK | NODE_NETWORK_LIMITED)))) {
            LogDebug(LogCategory::NET, "peer={} does not offer the expected services ({:016x} offered); disconnecting",
                     conn.id, services);
            conn.disconnect = true;
            return;
        }

        if (conn.IsInbound()) PushVersion(conn, peer);
        if (version >= WTXID_RELAY_VERSION) Push(conn, "wtxidrelay");
        Push(conn, "sendaddrv2");
        Push(conn, "verack");

        peer.version_received = true;
        peer.version = version;
        peer.services = services;
        peer.user_agent = SanitizeUserAgent(user_agent);
        peer.starting_height = starting_height;
        peer.time_offset = their_time - GetTime();
        peer.addr_local = addr_me;  // Core's SetAddrLocal
        peer.relay_txs = relay && conn.conn_type != ConnectionType::BLOCK_RELAY;
        peer.preferred_download = (!conn.IsInbound() || peer.HasPermission(PF_NOBAN)) &&
                                  conn.conn_type != ConnectionType::ADDR_FETCH && CanServeBlocks(peer);
        if (peer.preferred_download) ++m_preferred_download_peers;
        conn.version = version;
        conn.services = services;
        conn.relay_txs = peer.relay_txs;

        if (!conn.IsInbound() && SetupAddressRelay(peer)) {
            Push(conn, "getaddr");
            peer.getaddr_sent = true;
            peer.addr_token_bucket += static_cast<double>(MAX_ADDR_TO_SEND);
        }
        if (!conn.IsInbound()) {
            m_addrman.SetServices(conn.addr, services);
            m_addrman.Good(conn.addr);
        }
        LogDebug(LogCategory::NET, "receive version message: {}: version {}, blocks={}, us={}, txrelay={}, peer={}",
                 peer.user_agent, version, starting_height, addr_me.ToStringAddrPort(), relay, conn.id);
        if (conn.conn_type == ConnectionType::FEELER) {
            LogDebug(LogCategory::NET, "feeler connection completed, peer={}; disconnecting", conn.id);
            conn.disconnect = true;
        }
        return;
    }

    if (!peer.version_received) {
        LogDebug(LogCategory::NET, "non-version message before version handshake. Message \"{}\" from peer={}", type,
                 conn.id);
        return;
    }

    if (type == "verack") {
        if (peer.handshake_done) {
            LogDebug(LogCategory::NET, "ignoring redundant verack message from peer={}", conn.id);
            return;
        }
        if (!conn.IsInbound()) {
            LogInfo("New {} peer connected: version: {}, blocks={}, peer={}", ConnectionTypeName(conn.conn_type),
                    peer.version, peer.starting_height, conn.id);
        }
        if (peer.version >= SENDHEADERS_VERSION) Push(conn, "sendheaders");
        if (peer.version >= SHORT_IDS_BLOCKS_VERSION) Push(conn, "sendcmpct", false, uint64_t{CMPCTBLOCKS_VERSION});
        peer.handshake_done = true;
        conn.handshake_done = true;
        return;
    }

    if (type == "sendheaders") {
        peer.prefer_headers = true;
        return;
    }

    if (type == "sendcmpct") {
        bool announce = false;
        uint64_t version = 0;
        recv >> announce >> version;
        if (version == CMPCTBLOCKS_VERSION) {
            peer.provides_cmpct = true;
            peer.cmpct_hb_to = announce;
        }
        return;
    }

    if (type == "wtxidrelay") {
        if (peer.handshake_done) {
            LogDebug(LogCategory::NET, "wtxidrelay received after verack from peer={}; disconnecting", conn.id);
            conn.disconnect = true;
            return;
        }
        if (peer.version >= WTXID_RELAY_VERSION) peer.wtxid_relay = true;
        return;
    }

    if (type == "sendaddrv2") {
        if (peer.handshake_done) {
            LogDebug(LogCategory::NET, "sendaddrv2 received after verack from peer={}; disconnecting", conn.id);
            conn.disconnect = true;
            return;
        }
        peer.wants_addrv2 = true;
        return;
    }

    if (type == "sendtxrcncl") return;  // Erlay is not supported

    if (!peer.handshake_done) {
        LogDebug(LogCategory::NET, "unsupported message \"{}\" prior to verack from peer={}", type, conn.id);
        return;
    }

    if (type == "ping") {
        if (peer.version > BIP0031_VERSION) {
            uint64_t nonce = 0;
            recv >> nonce;
            Push(conn, "pong", nonce);
        }
        return;
    }

    if (type == "pong") {
        const int64_t now = time_received.count() > 0 && GetMockTime() == 0 ? time_received.count() : NowMicros();
        bool finished = false;
        std::string problem;
        if (recv.size() >= sizeof(uint64_t)) {
            uint64_t nonce = 0;
            recv >> nonce;
            if (peer.ping_nonce_sent != 0) {
                if (nonce == peer.ping_nonce_sent) {
                    finished = true;
                    const int64_t ping_time = now - peer.ping_start;
                    if (ping_time >= 0) {
                        peer.last_ping_time = ping_time;
                        if (peer.min_ping_time < 0 || ping_time < peer.min_ping_time) peer.min_ping_time = ping_time;
                        const auto cur = conn.min_ping_time.load();
                        if (std::chrono::microseconds{ping_time} < cur) conn.min_ping_time = std::chrono::microseconds{ping_time};
                    } else {
                        problem = "Timing mishap";
                    }
                } else {
                    problem = "Nonce mismatch";
                    if (nonce == 0) {
                        finished = true;
                        problem = "Nonce zero";
                    }
                }
            } else {
                problem = "Unsolicited pong without ping";
            }
        } else {
            finished = true;
            problem = "Short payload";
        }
        if (!problem.empty()) {
            LogDebug(LogCategory::NET, "pong peer={}: {}, {:x} expected", conn.id, problem, peer.ping_nonce_sent);
        }
        if (finished) peer.ping_nonce_sent = 0;
        return;
    }

    if (type == "feefilter") {
        int64_t fee = 0;
        recv >> fee;
        if (MoneyRange(fee)) {
            peer.fee_filter_received = fee;
            LogDebug(LogCategory::NET, "received: feefilter of {} sat/kvB from peer={}", fee, conn.id);
        }
        return;
    }

    if (type == "getaddr") {
        if (!conn.IsInbound()) {
            LogDebug(LogCategory::NET, "Ignoring \"getaddr\" from {} connection. peer={}",
                     ConnectionTypeName(conn.conn_type), conn.id);
            return;
        }
        if (!SetupAddressRelay(peer)) {
            LogDebug(LogCategory::NET, "Ignoring getaddr message from {} peer={}", ConnectionTypeName(conn.conn_type),
                     conn.id);
            return;
        }
        if (peer.getaddr_recvd) {
            LogDebug(LogCategory::NET, "Ignoring repeated \"getaddr\". peer={}", conn.id);
            return;
        }
        peer.getaddr_recvd = true;
        peer.addrs_to_send.clear();
        const bool all = peer.HasPermission(PF_ADDR);
        for (const Address& a : m_addrman.GetAddr(MAX_ADDR_TO_SEND, all ? 100 : MAX_PCT_ADDR_TO_SEND, std::nullopt, !all)) {
            PushAddress(peer, a);
        }
        return;
    }

    if (type == "addr" || type == "addrv2") {
        const bool v2 = type == "addrv2";
        if (!SetupAddressRelay(peer)) {
            LogDebug(LogCategory::NET, "ignoring {} message from {} peer={}", type, ConnectionTypeName(conn.conn_type),
                     conn.id);
            return;
        }
        // Read the count first: an oversized message is misbehaviour, not a parse error.
        const uint64_t count = ReadCompactSize(recv);
        if (count > MAX_ADDR_TO_SEND) {
            MisbehavingLocked(peer, type + " message size = " + std::to_string(count));
            return;
        }
        std::vector<Address> addrs;
        addrs.reserve(count);
        for (uint64_t i = 0; i < count; ++i) {
            Address a;
            if (v2) a.UnserializeV2(recv); else a.UnserializeV1(recv);
            addrs.push_back(std::move(a));
        }
        ProcessAddrs(conn, peer, addrs, type, interrupt);
        return;
    }

    if (type == "mempool") {
        if (!peer.HasPermission(PF_MEMPOOL)) {
            if (!peer.HasPermission(PF_NOBAN)) {
                LogDebug(LogCategory::NET, "mempool request with bloom filters disabled, disconnecting peer={}", conn.id);
                conn.disconnect = true;
            }
            return;
        }
        peer.send_mempool = true;
        return;
    }

    if (type == "headers") {
        ProcessHeadersMessage(conn, peer, recv);
        return;
    }
    if (type == "getheaders") {
        ProcessGetHeaders(conn, peer, recv);
        return;
    }
    if (type == "getblocks") {
        ProcessGetBlocks(conn, peer, recv);
        return;
    }
    if (type == "block") {
        ProcessBlockMessage(conn, peer, recv);
        return;
    }
    if (type == "inv") {
        ProcessInv(conn, peer, recv);
        return;
    }
    if (type == "getdata") {
        const uint64_t count = ReadCompactSize(recv);
        if (count > MAX_INV_SZ) {
            MisbehavingLocked(peer, "getdata message size = " + std::to_string(count));
            return;
        }
        for (uint64_t i = 0; i < count; ++i) {
            Inv inv;
            recv >> inv;
            peer.getdata_requests.push_back(inv);
        }
        ProcessGetData(conn, peer, interrupt);
        return;
    }
    if (type == "notfound") {
        const uint64_t count = ReadCompactSize(recv);
        if (count > MAX_INV_SZ) return;
        std::vector<Inv> invs(count);
        for (auto& inv : invs) recv >> inv;
        ProcessNotFound(peer, invs);
        return;
    }
    if (type == "tx") {
        ProcessTx(conn, peer, recv);
        return;
    }
    if (type == "cmpctblock" || type == "getblocktxn" || type == "blocktxn") {
        LogDebug(LogCategory::NET, "ignoring {} from peer={} (compact blocks are announced, not served)", type,
                 conn.id);
        return;
    }
    LogDebug(LogCategory::NET, "Unknown command \"{}\" from peer={}", type, conn.id);
}

// ---------------------------------------------------------------------------
// Periodic sends

bool PeerManagerImpl::SendMessages(Connection& conn)
{
    std::lock_guard chain_lock(m_chainman.ChainLock());
    std::lock_guard lock(m_mutex);
    Peer* peer = GetPeer(conn.id);
    if (!peer) return false;
    if (MaybeDiscourageAndDisconnect(conn, *peer)) return false;
    if (!peer->handshake_done || conn.disconnect) return false;

    const int64_t now = NowMicros();
    MaybeSendPing(conn, *peer, now);
    if (conn.disconnect) return false;
    MaybeSendAddr(conn, *peer, now);
    SyncSendMessages(conn, *peer, now);
    if (conn.disconnect) return false;
    TxSendMessages(conn, *peer, now);
    return false;
}

void PeerManagerImpl::SendPings()
{
    std::lock_guard lock(m_mutex);
    for (auto& [id, peer] : m_peers) peer.ping_queued = true;
}

void PeerManagerImpl::MaybeSendPing(Connection& conn, Peer& peer, int64_t now)
{
    if (peer.ping_nonce_sent != 0 && now > peer.ping_start + TIMEOUT_INTERVAL_SECONDS * 1'000'000) {
        LogInfo("ping timeout: {:.6f}s peer={}", (now - peer.ping_start) / 1e6, conn.id);
        conn.disconnect = true;
        return;
    }
    bool send = peer.ping_queued;
    if (peer.ping_nonce_sent == 0 && now > peer.ping_start + PING_INTERVAL_SECONDS * 1'000'000) send = true;
    if (!send) return;
    uint64_t nonce = 0;
    while (nonce == 0) nonce = m_rng();
    peer.ping_queued = false;
    peer.ping_start = now;
    if (peer.version > BIP0031_VERSION) {
        peer.ping_nonce_sent = nonce;
        Push(conn, "ping", nonce);
    } else {
        peer.ping_nonce_sent = 0;
        Push(conn, "ping");
    }
}

// ---------------------------------------------------------------------------
// Addresses

bool PeerManagerImpl::SetupAddressRelay(Peer& peer)
{
    if (peer.conn_type == ConnectionType::BLOCK_RELAY) return false;
    if (!peer.addr_relay_enabled) {
        peer.addr_relay_enabled = true;
    }
    return true;
}

void PeerManagerImpl::PushAddress(Peer& peer, const Address& addr)
{
    if (!peer.wants_addrv2 && !addr.IsAddrV1Compatible()) return;
    if (peer.addr_known.count(addr.Service::GetKey())) return;
    if (peer.addrs_to_send.size() < MAX_ADDR_TO_SEND) {
        peer.addrs_to_send.push_back(addr);
    } else {
        peer.addrs_to_send[m_rng() % peer.addrs_to_send.size()] = addr;
    }
}

void PeerManagerImpl::RelayAddress(int64_t source, const Address& addr, bool reachable)
{
    // Two peers (one when we cannot reach the network ourselves) chosen by a
    // keyed hash of the address and the day, so a resent address goes to the
    // same peers and does not flood.
    const unsigned want = reachable ? 2 : 1;
    const uint64_t day = static_cast<uint64_t>(GetTime()) / (24 * 60 * 60);
    static const uint64_t salt = std::random_device{}();
    std::vector<std::pair<uint64_t, Peer*>> best;
    const auto key = addr.Service::GetKey();
    for (auto& [id, peer] : m_peers) {
        if (id == source || !peer.addr_relay_enabled || !peer.handshake_done) continue;
        uint64_t h = salt ^ (day * 0x9e3779b97f4a7c15ull) ^ (static_cast<uint64_t>(id) * 0xbf58476d1ce4e5b9ull);
        for (uint8_t b : key) h = (h ^ b) * 0x100000001b3ull;
        best.emplace_back(h, &peer);
    }
    std::sort(best.begin(), best.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (size_t i = 0; i < best.size() && i < want; ++i) PushAddress(*best[i].second, addr);
}

void PeerManagerImpl::ProcessAddrs(Connection& conn, Peer& peer, std::vector<Address>& addrs,
                                   const std::string& type, std::atomic<bool>& interrupt)
{
    const int64_t now_micros = NowMicros();
    if (peer.addr_token_bucket < MAX_ADDR_PROCESSING_TOKEN_BUCKET) {
        const int64_t diff = std::max<int64_t>(now_micros - peer.addr_token_timestamp, 0);
        const double increment = (diff / 1e6) * MAX_ADDR_RATE_PER_SECOND;
        peer.addr_token_bucket = std::min(peer.addr_token_bucket + increment, MAX_ADDR_PROCESSING_TOKEN_BUCKET);
    }
    peer.addr_token_timestamp = now_micros;
    const bool rate_limited = !peer.HasPermission(PF_ADDR);
    uint64_t processed = 0, limited = 0;
    std::shuffle(addrs.begin(), addrs.end(), m_rng);
    const int64_t now = GetTime();
    std::vector<Address> ok;
    for (Address& addr : addrs) {
        if (interrupt) return;
        if (peer.addr_token_bucket < 1.0) {
            if (rate_limited) {
                ++limited;
                continue;
            }
        } else {
            peer.addr_token_bucket -= 1.0;
        }
        if (!(addr.services & (NODE_NETWORK | NODE_NETWORK_LIMITED))) continue;
        if (addr.time <= 100000000 || addr.time > now + 10 * 60) addr.time = static_cast<uint32_t>(now - 5 * 24 * 60 * 60);
        if (peer.addr_known.size() >= MAX_ADDR_KNOWN) peer.addr_known.erase(peer.addr_known.begin());
        peer.addr_known.insert(addr.Service::GetKey());
        if (m_banman && (m_banman->IsDiscouraged(addr) || m_banman->IsBanned(addr))) continue;
        ++processed;
        const bool reachable = addr.IsValid() && !addr.IsInternal();
        if (m_opts.relay_addresses && addr.time > now - 10 * 60 && !peer.getaddr_sent && addrs.size() <= 10 &&
            addr.IsRoutable()) {
            RelayAddress(peer.id, addr, reachable);
        }
        if (reachable) ok.push_back(addr);
    }
    peer.addr_processed += processed;
    peer.addr_rate_limited += limited;
    LogDebug(LogCategory::NET, "Received {}: {} addresses ({} processed, {} rate-limited) from peer={}", type,
             addrs.size(), processed, limited, conn.id);
    m_addrman.Add(ok, conn.addr, int64_t{2 * 60 * 60});
    if (addrs.size() < MAX_ADDR_TO_SEND) peer.getaddr_sent = false;
    if (conn.conn_type == ConnectionType::ADDR_FETCH) {
        LogDebug(LogCategory::NET, "addrfetch connection completed, peer={}; disconnecting", conn.id);
        conn.disconnect = true;
    }
}

void PeerManagerImpl::MaybeSendAddr(Connection& conn, Peer& peer, int64_t now)
{
    if (!peer.addr_relay_enabled) return;
    if (now <= peer.next_addr_send) return;
    std::exponential_distribution<double> dist(1.0 / AVG_ADDRESS_BROADCAST_INTERVAL_MICROS);
    peer.next_addr_send = now + static_cast<int64_t>(dist(m_rng));
    if (peer.addrs_to_send.empty()) return;
    std::vector<Address> out;
    for (const Address& a : peer.addrs_to_send) {
        auto key = a.Service::GetKey();
        if (peer.addr_known.count(key)) continue;
        if (peer.addr_known.size() >= MAX_ADDR_KNOWN) peer.addr_known.erase(peer.addr_known.begin());
        peer.addr_known.insert(std::move(key));
        out.push_back(a);
        if (out.size() == MAX_ADDR_TO_SEND) break;
    }
    peer.addrs_to_send.clear();
    if (out.empty()) return;
    DataStream s;
    WriteAddresses(s, out, peer.wants_addrv2);
    PushRaw(conn, peer.wants_addrv2 ? "addrv2" : "addr", s);
}

// ---------------------------------------------------------------------------
// Stats

bool PeerManagerImpl::GetNodeStateStats(int64_t id, NodeStateStats& stats) const
{
    std::lock_guard lock(m_mutex);
    auto it = m_peers.find(id);
    if (it == m_peers.end()) return false;
    const Peer& p = it->second;
    stats.version = p.version_received ? p.version : 0;
    stats.user_agent = p.user_agent;
    stats.their_services = p.services;
    stats.starting_height = p.starting_height;
    stats.sync_height = p.best_known_block ? p.best_known_block->height : -1;
    stats.common_height = p.last_common_block ? p.last_common_block->height : -1;
    stats.heights_in_flight.clear();
    for (const auto& [hash, height] : p.blocks_in_flight) stats.heights_in_flight.push_back(height);
    stats.relay_txs = p.relay_txs;
    stats.fee_filter_received = p.fee_filter_received;
    stats.addr_relay_enabled = p.addr_relay_enabled;
    stats.addr_processed = p.addr_processed;
    stats.addr_rate_limited = p.addr_rate_limited;
    stats.time_offset = p.time_offset;
    stats.addr_local = p.addr_local.IsValid() ? p.addr_local.ToStringAddrPort() : std::string{};
    stats.last_ping_time = std::chrono::microseconds{p.last_ping_time};
    stats.min_ping_time = std::chrono::microseconds{p.min_ping_time};
    stats.ping_wait = p.ping_nonce_sent != 0 ? std::chrono::microseconds{NowMicros() - p.ping_start}
                                             : std::chrono::microseconds{-1};
    stats.bip152_hb_to = false;
    stats.bip152_hb_from = false;
    stats.wtxid_relay = p.wtxid_relay;
    stats.addrv2 = p.wants_addrv2;
    stats.prefer_headers = p.prefer_headers;
    stats.handshake_done = p.handshake_done;
    return true;
}

size_t PeerManagerImpl::BlocksInFlight() const
{
    std::lock_guard lock(m_mutex);
    return m_blocks_in_flight.size();
}

} // namespace net
