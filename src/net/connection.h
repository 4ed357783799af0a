#pragma once

// The boundary between the connection manager (sockets, transport, the I/O
// and message-handler threads: net/connman.*) and the peer manager (message
// handling, sync, relay: net/peerman.*). The connection manager owns one
// Connection per socket; the peer manager implements NetEvents and is called
// on the single message-handler thread.

#include <net/netaddress.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace net {

enum class ConnectionType {
    INBOUND,
    OUTBOUND_FULL_RELAY,
    MANUAL,
    FEELER,
    BLOCK_RELAY,
    ADDR_FETCH,
};
// "inbound", "outbound-full-relay", "manual", "feeler", "block-relay-only", "addr-fetch"
const char* ConnectionTypeName(ConnectionType type);

// -whitelist / -whitebind permissions (Core's names: bloomfilter, noban,
// forcerelay, relay, mempool, download, addr, in, out, all).
enum NetPermissionFlags : uint32_t {
    PF_NONE = 0,
    PF_BLOOMFILTER = 1u << 1,
    PF_RELAY = 1u << 3,
    PF_FORCERELAY = (1u << 2) | PF_RELAY,
    PF_DOWNLOAD = 1u << 6,
    PF_NOBAN = (1u << 4) | PF_DOWNLOAD,
    PF_MEMPOOL = 1u << 5,
    PF_ADDR = 1u << 7,
    PF_IMPLICIT = 1u << 31,
    PF_ALL = PF_BLOOMFILTER | PF_FORCERELAY | PF_RELAY | PF_NOBAN | PF_MEMPOOL | PF_DOWNLOAD | PF_ADDR,
};

// A complete message received from a peer (checksum verified).
struct ReceivedMessage {
    std::string type;                     // "version", "headers", ...
    std::vector<unsigned char> payload;
    std::chrono::microseconds time{0};    // when the last byte arrived
    size_t raw_size = 0;                  // header + payload bytes on the wire
};

// One peer connection. Fields written by the connection manager; the peer
// manager reads them and sets the ones marked (peerman).
class Connection {
public:
    const int64_t id;
    const ConnectionType conn_type;
    const Service addr;             // the peer's address and port
    const std::string addr_name;    // "1.2.3.4:8333" as in getpeerinfo's "addr"
    const Service addr_bind;        // our side
    const int64_t connected_time;   // UNIX seconds
    const uint32_t permissions;     // NetPermissionFlags
    const uint64_t local_nonce;     // our version nonce (self-connection detection)
    const bool inbound_onion = false;

    std::atomic<bool> disconnect{false};          // set by either side; the I/O thread closes it
    std::atomic<int> version{0};                   // (peerman) peer's protocol version after `version`
    std::atomic<bool> handshake_done{false};       // (peerman) verack received
    std::atomic<uint64_t> services{0};             // (peerman) peer's service bits
    std::atomic<bool> relay_txs{false};            // (peerman)
    std::atomic<std::chrono::microseconds> last_block_time{}; // (peerman) for eviction protection
    std::atomic<std::chrono::microseconds> last_tx_time{};    // (peerman)
    std::atomic<std::chrono::microseconds> min_ping_time{std::chrono::microseconds::max()}; // (peerman)

    // Byte and message counters for getpeerinfo / getnettotals.
    std::atomic<uint64_t> bytes_sent{0}, bytes_recv{0};
    std::atomic<int64_t> last_send{0}, last_recv{0};  // UNIX seconds
    std::mutex stats_mutex;
    std::map<std::string, uint64_t> bytes_sent_per_msg, bytes_recv_per_msg;

    // Called by the message-handler thread: the next received message, if any.
    bool PollMessage(ReceivedMessage& out);
    bool HasQueuedMessages() const;

    Connection(int64_t id, ConnectionType type, Service addr, std::string addr_name, Service addr_bind,
               int64_t connected_time, uint32_t permissions, uint64_t local_nonce, bool inbound_onion);
    bool IsInbound() const { return conn_type == ConnectionType::INBOUND; }
    bool IsOutbound() const { return !IsInbound(); }

    // Connection-manager side (net/connman.cpp).
    std::mutex recv_mutex;
    std::deque<ReceivedMessage> recv_queue;
    size_t recv_queue_bytes = 0;   // pauses reading when over -maxreceivebuffer
    std::mutex send_mutex;
    std::deque<std::vector<unsigned char>> send_queue;  // framed messages
    size_t send_queue_bytes = 0;
};

// Implemented by the peer manager; every call is on the message-handler thread.
class NetEvents {
public:
    virtual ~NetEvents() = default;
    virtual void InitializeConnection(Connection& conn) = 0;  // outbound: send `version` here
    virtual void FinalizeConnection(const Connection& conn) = 0;
    // Handle at most one received message; true if more work is waiting.
    virtual bool ProcessMessages(Connection& conn, std::atomic<bool>& interrupt) = 0;
    // Periodic sends: pings, announcements, getdata, addr.
    virtual bool SendMessages(Connection& conn) = 0;
};

} // namespace net
