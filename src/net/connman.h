#pragma once

// The connection manager: sockets and threads of the P2P layer.
//
// Threads (all started by Start, stopped by Interrupt + Stop):
//   net       one I/O thread: non-blocking sockets on epoll (accept, recv,
//             send), reassembles messages (net/transport.h), disconnects,
//             inactivity checks
//   msghand   the message-handler thread: calls NetEvents (the peer manager)
//   opencon   outbound connections: -connect, or Core's automatic counts
//             (8 full-relay, 2 block-relay-only, a feeler every 2 minutes,
//             addr-fetch to -seednode), plus -addnode (manual) peers
//   dnsseed   DNS seeds when the address manager has too few addresses
//
// Tracepoints fired here: net:outbound_message (PushMessage),
// net:inbound_connection, net:outbound_connection,
// net:evicted_inbound_connection, net:closed_connection.

#include <net/connection.h>
#include <net/netaddress.h>
#include <net/transport.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

class ArgsManager;
class ChainParams;

namespace net {

class AddrMan;
class BanMan;

// Core's defaults.
inline constexpr int DEFAULT_MAX_PEER_CONNECTIONS = 125;
inline constexpr int MAX_OUTBOUND_FULL_RELAY_CONNECTIONS = 8;
inline constexpr int MAX_BLOCK_RELAY_ONLY_CONNECTIONS = 2;
inline constexpr int MAX_FEELER_CONNECTIONS = 1;
inline constexpr int MAX_ADDNODE_CONNECTIONS = 8;
inline constexpr std::chrono::seconds FEELER_INTERVAL{120};
// Core's DUMP_PEERS_INTERVAL: peers.dat is written this often (and at shutdown).
inline constexpr std::chrono::seconds DUMP_PEERS_INTERVAL{15 * 60};
inline constexpr size_t DEFAULT_MAX_RECEIVE_BUFFER_KB = 5000;
inline constexpr size_t DEFAULT_MAX_SEND_BUFFER_KB = 1000;
inline constexpr int DEFAULT_CONNECT_TIMEOUT_MS = 5000;
inline constexpr int64_t DEFAULT_PEER_CONNECT_TIMEOUT_S = 60;
inline constexpr int64_t INACTIVITY_TIMEOUT_S = 20 * 60;
inline constexpr bool DEFAULT_LISTEN = true;
inline constexpr bool DEFAULT_DNSSEED = true;
inline constexpr bool DEFAULT_FIXEDSEEDS = true;
inline constexpr bool DEFAULT_FORCEDNSSEED = false;
inline constexpr bool DEFAULT_NETWORK_ACTIVE = true;

// -whitelist=[perms@]subnet and -whitebind=[perms@]addr.
struct WhitelistPermission {
    uint32_t flags = PF_NONE;
    SubNet subnet;
};
struct WhitebindPermission {
    uint32_t flags = PF_NONE;
    Service service;
};
// "noban,relay@1.2.3.0/24" -> flags and the rest; no '@' gives PF_IMPLICIT.
// False with an error for an unknown permission ("Invalid P2P permission: 'foo'").
bool ParsePermissionFlags(std::string_view str, uint32_t& flags, std::string& rest, std::string& error);
// Core's names in Core's order: "bloomfilter", "noban", "forcerelay", "relay", "mempool", "download", "addr".
std::vector<std::string> PermissionFlagsToStrings(uint32_t flags);
// PF_IMPLICIT resolved to Core's default (noban, relay, mempool; plus
// forcerelay with -whitelistforcerelay).
uint32_t ResolveImplicitPermissions(uint32_t flags, bool whitelist_relay = true, bool whitelist_forcerelay = false);

struct ConnmanOptions {
    MessageStartBytes magic{};
    uint16_t default_port = 8333;
    uint64_t local_services = NODE_NETWORK | NODE_WITNESS;

    int max_connections = DEFAULT_MAX_PEER_CONNECTIONS;
    int max_outbound_full_relay = MAX_OUTBOUND_FULL_RELAY_CONNECTIONS;
    int max_block_relay = MAX_BLOCK_RELAY_ONLY_CONNECTIONS;
    int max_feeler = MAX_FEELER_CONNECTIONS;

    bool listen = DEFAULT_LISTEN;
    uint16_t port = 8333;                  // -port
    std::vector<Service> binds;            // -bind (empty: 0.0.0.0 and ::)
    std::vector<WhitebindPermission> whitebinds;
    std::vector<WhitelistPermission> whitelists;

    bool use_connect = false;              // -connect given: only these (manual) peers
    std::vector<std::string> connect;
    std::vector<std::string> addnodes;
    std::vector<std::string> seednodes;
    bool dnsseed = DEFAULT_DNSSEED;
    bool forcednsseed = DEFAULT_FORCEDNSSEED;
    std::vector<std::string> dns_seeds;    // from the chain parameters
    bool fixedseeds = DEFAULT_FIXEDSEEDS;
    std::vector<Address> fixed_seeds;

    size_t max_receive_buffer = DEFAULT_MAX_RECEIVE_BUFFER_KB * 1000;  // bytes
    size_t max_send_buffer = DEFAULT_MAX_SEND_BUFFER_KB * 1000;        // bytes
    int connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
    int64_t peer_timeout_s = DEFAULT_PEER_CONNECT_TIMEOUT_S;
    bool network_active = DEFAULT_NETWORK_ACTIVE;
    // Automatic outbound connections (addrman, feelers, DNS seeds). Tests may turn them off.
    bool automatic_outbound = true;
    // peers.dat: the address manager is written there every
    // DUMP_PEERS_INTERVAL (mockable clock) by the opencon thread; empty: never.
    std::filesystem::path peers_file;
};

// Registers -listen -bind -port -connect -addnode -seednode -maxconnections
// -whitelist -whitebind -dnsseed -forcednsseed -fixedseeds -maxreceivebuffer
// -maxsendbuffer -timeout -peertimeout -networkactive (skipping any that is
// already registered).
void RegisterNetOptions(ArgsManager& args);
// Fills options from the arguments and the chain (magic, port, DNS seeds).
// False with a message (Core's wording) on an invalid value.
bool ConnmanOptionsFromArgs(const ArgsManager& args, const ChainParams& params, ConnmanOptions& opts,
                            std::string& error);

enum class ConnectionDirection { In, Out, Both };

struct AddedNodeInfo {
    std::string added_node;            // as given to -addnode / addnode
    std::optional<Service> resolved;   // the address we are connected through
    bool connected = false;
    bool inbound = false;
};

class ConnectionManager {
public:
    ConnectionManager(AddrMan* addrman, BanMan* banman);
    ~ConnectionManager();
    ConnectionManager(const ConnectionManager&) = delete;
    ConnectionManager& operator=(const ConnectionManager&) = delete;

    // Binds the listening sockets and starts the threads. False with a
    // message when an explicit -bind / -whitebind fails or nothing could be bound.
    bool Start(NetEvents& events, const ConnmanOptions& opts, std::string& error);
    void Interrupt();  // wakes and stops every thread's loop
    void Stop();       // joins the threads, closes every socket (FinalizeConnection for each)

    // Frames the payload, queues it for the peer, fires net:outbound_message.
    void PushMessage(Connection& conn, std::string type, std::vector<unsigned char> payload);

    // fn on the connection with that id (the connection is kept alive during
    // the call; the list is not locked, so fn may call PushMessage etc.);
    // false when none (or fn returned false). ForEachConnection skips
    // connections marked for disconnection.
    bool ForConnection(int64_t id, const std::function<bool(Connection&)>& fn);
    void ForEachConnection(const std::function<void(Connection&)>& fn);

    bool DisconnectNode(int64_t id);
    bool DisconnectNode(const std::string& addr_name);  // "1.2.3.4:8333" or a numeric address
    bool DisconnectNode(const SubNet& subnet);
    bool DisconnectNode(const NetAddr& addr);

    size_t GetNodeCount(ConnectionDirection dir = ConnectionDirection::Both) const;

    // -addnode list; false when already present / not found.
    bool AddNode(const std::string& node);
    bool RemoveAddedNode(const std::string& node);
    std::vector<AddedNodeInfo> GetAddedNodeInfo(bool include_connected = true) const;

    // Opens a connection now (blocking this thread up to -timeout). For
    // manual and "onetry" connections, addr-fetch and tests; false when it
    // was not attempted or failed. `dest` is "host[:port]" (resolved, not
    // through the address manager).
    bool OpenNetworkConnection(const std::string& dest, ConnectionType type);
    bool OpenNetworkConnection(const Service& addr, ConnectionType type);
    // As Core's addconnection (regtest): false when the type is at capacity.
    bool AddConnection(const std::string& dest, ConnectionType type);
    // -seednode style: one addr-fetch connection to `dest` soon.
    void AddAddrFetch(const std::string& dest);

    // Self-connection check: false when `nonce` is the local nonce of one of
    // our outbound connections that has not finished its handshake.
    bool CheckIncomingNonce(uint64_t nonce) const;

    uint64_t GetTotalBytesRecv() const { return m_total_bytes_recv; }
    uint64_t GetTotalBytesSent() const { return m_total_bytes_sent; }
    void SetNetworkActive(bool active);
    bool GetNetworkActive() const { return m_network_active; }
    uint64_t GetLocalServices() const { return m_opts.local_services; }
    void SetLocalServices(uint64_t services) { m_opts.local_services = services; }
    // Routable addresses we listen on (getnetworkinfo "localaddresses").
    std::vector<Service> GetLocalAddresses() const;
    // Listening sockets actually bound.
    std::vector<Service> GetBoundAddresses() const;
    int GetMaxConnections() const { return m_opts.max_connections; }
    int GetMaxInbound() const { return m_max_inbound; }
    // Counted outbound connections by type.
    int GetOutboundCount(ConnectionType type) const;
    // Peers whose send queue is over -maxsendbuffer are paused (message handling skipped).
    bool IsSendPaused(const Connection& conn) const;
    const ConnmanOptions& GetOptions() const { return m_opts; }
    // Wakes the message-handler thread (e.g. after a block was connected).
    void WakeMessageHandler();

    // Inbound eviction (exposed for tests): picks and disconnects one
    // evictable inbound peer; true if one was found.
    bool AttemptToEvictConnection();

private:
    struct PeerSocket;

    void ThreadSocketHandler();
    void ThreadMessageHandler();
    void ThreadOpenConnections();
    void ThreadDNSAddressSeed();
    void DumpAddresses();  // peers.dat now (Core's CConnman::DumpAddresses)

    bool BindListenPort(const Service& addr, uint32_t permissions, std::string& error);
    void AcceptConnection(int listen_fd, uint32_t listen_permissions);
    void RegisterConnection(int fd, std::shared_ptr<Connection> conn);
    void CloseConnection(const std::shared_ptr<PeerSocket>& ps);
    void ReadFrom(const std::shared_ptr<PeerSocket>& ps);
    void FlushSend(const std::shared_ptr<PeerSocket>& ps);
    void UpdateEpoll(const std::shared_ptr<PeerSocket>& ps);
    void InactivityCheck(Connection& conn, int64_t now);
    void WakeSocketHandler();
    uint32_t WhitelistPermissions(const NetAddr& addr) const;
    bool AlreadyConnected(const Service& addr, const std::string& name) const;
    std::optional<Service> SelectOutboundAddress(ConnectionType type);
    void ProcessAddrFetch();
    void ConnectAddedNodes();
    int64_t NextId() { return m_next_id++; }
    bool InterruptibleSleep(std::chrono::milliseconds d);

    AddrMan* const m_addrman;
    BanMan* const m_banman;
    NetEvents* m_events = nullptr;
    ConnmanOptions m_opts;
    int m_max_inbound = 0;
    uint64_t m_netgroup_key = 0;

    std::atomic<bool> m_interrupt{false};
    std::atomic<bool> m_network_active{true};
    std::atomic<int64_t> m_next_id{0};
    std::atomic<uint64_t> m_total_bytes_recv{0}, m_total_bytes_sent{0};

    int m_epoll_fd = -1;
    int m_wake_fd = -1;  // eventfd
    std::vector<std::pair<int, uint32_t>> m_listen_fds;  // fd, whitebind permissions
    std::vector<Service> m_bound;

    mutable std::mutex m_conns_mutex;
    std::vector<std::shared_ptr<Connection>> m_conns;
    std::unordered_map<int64_t, std::shared_ptr<PeerSocket>> m_sockets;  // I/O state by id
    std::vector<std::shared_ptr<Connection>> m_new_conns;           // to InitializeConnection
    std::vector<std::shared_ptr<Connection>> m_closed_conns;        // to FinalizeConnection
    std::mutex m_pending_mutex;
    std::set<int64_t> m_pending_send;                               // queued while the queue was empty
    std::set<int64_t> m_initialized;                                // message-handler thread only

    mutable std::mutex m_added_mutex;
    std::vector<std::string> m_added_nodes;
    std::vector<std::string> m_addr_fetches;

    std::mutex m_msg_mutex;
    std::condition_variable m_msg_cv;
    bool m_msg_wake = false;
    std::mutex m_sleep_mutex;
    std::condition_variable m_sleep_cv;

    std::chrono::steady_clock::time_point m_next_feeler{};

    std::thread m_thread_socket, m_thread_msghand, m_thread_opencon, m_thread_dnsseed;
    bool m_started = false;
};

} // namespace net
