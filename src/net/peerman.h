#pragma once

// The peer manager: everything said over a connection once the connection
// manager has framed it. Handshake (version/verack and the feature
// negotiation messages), ping/pong, address relay with Core's rate limits,
// headers-first sync with parallel block download, block announcement,
// getdata/notfound, transaction relay by wtxid once a mempool exists, and
// misbehaviour (net:misbehaving_connection, discouragement, disconnect).
//
// All NetEvents calls come from the connection manager's message-handler
// thread; ValidationObserver calls come from whichever thread validates.

#include <kernel/notifications.h>
#include <net/connection.h>
#include <net/netaddress.h>
#include <uint256.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

class ArgsManager;
class ChainstateManager;
namespace node {
class TxMempool;
}

namespace net {

class AddrMan;
class BanMan;
class ConnectionManager;

// Protocol versions (Core's numbers).
inline constexpr int PROTOCOL_VERSION = 70016;
inline constexpr int INIT_PROTO_VERSION = 209;
inline constexpr int MIN_PEER_PROTO_VERSION = 31800;
inline constexpr int SENDHEADERS_VERSION = 70012;
inline constexpr int FEEFILTER_VERSION = 70013;
inline constexpr int SHORT_IDS_BLOCKS_VERSION = 70014;
inline constexpr int WTXID_RELAY_VERSION = 70016;

// Limits (Core's values).
inline constexpr unsigned MAX_HEADERS_RESULTS = 2000;
inline constexpr unsigned MAX_INV_SZ = 50000;
inline constexpr unsigned MAX_BLOCKS_IN_TRANSIT_PER_PEER = 16;
inline constexpr unsigned BLOCK_DOWNLOAD_WINDOW = 1024;
inline constexpr unsigned MAX_BLOCKS_TO_ANNOUNCE = 8;
inline constexpr unsigned MAX_GETBLOCKS_RESULTS = 500;
inline constexpr double MAX_ADDR_RATE_PER_SECOND = 0.1;
inline constexpr double MAX_ADDR_PROCESSING_TOKEN_BUCKET = MAX_ADDR_TO_SEND;
inline constexpr int64_t PING_INTERVAL_SECONDS = 2 * 60;
inline constexpr int64_t TIMEOUT_INTERVAL_SECONDS = 20 * 60;
inline constexpr unsigned DEFAULT_MAX_ORPHAN_TRANSACTIONS = 100;
inline constexpr int64_t DEFAULT_BLOCK_STALLING_TIMEOUT_SECONDS = 2;
inline constexpr int64_t BLOCK_STALLING_TIMEOUT_MAX_SECONDS = 64;

// Inventory types (getdata, inv, notfound).
enum InvType : uint32_t {
    MSG_TX = 1,
    MSG_BLOCK = 2,
    MSG_FILTERED_BLOCK = 3,
    MSG_CMPCT_BLOCK = 4,
    MSG_WTX = 5,
    MSG_WITNESS_FLAG = 1u << 30,
    MSG_WITNESS_BLOCK = MSG_BLOCK | MSG_WITNESS_FLAG,
    MSG_WITNESS_TX = MSG_TX | MSG_WITNESS_FLAG,
};

struct Inv {
    uint32_t type = 0;
    uint256 hash;

    template <typename Stream>
    void Serialize(Stream& s) const
    {
        ::Serialize(s, type);
        ::Serialize(s, hash);
    }
    template <typename Stream>
    void Unserialize(Stream& s)
    {
        ::Unserialize(s, type);
        ::Unserialize(s, hash);
    }
};

// What getpeerinfo shows about a peer beyond the Connection's own fields.
struct NodeStateStats {
    int version = 0;
    std::string user_agent;              // "subver"
    uint64_t their_services = 0;
    int starting_height = -1;
    int sync_height = -1;                // synced_headers
    int common_height = -1;              // synced_blocks
    int presync_height = -1;
    std::vector<int> heights_in_flight;  // inflight
    bool relay_txs = false;
    int64_t fee_filter_received = 0;     // sat/kvB
    bool addr_relay_enabled = false;
    uint64_t addr_processed = 0;
    uint64_t addr_rate_limited = 0;
    int64_t time_offset = 0;             // seconds
    std::string addr_local;              // addrlocal: "ip:port" from the peer's version, empty when unknown
    std::chrono::microseconds last_ping_time{-1};  // pingtime; negative: none yet
    std::chrono::microseconds min_ping_time{-1};   // minping
    std::chrono::microseconds ping_wait{-1};       // pingwait; negative: no ping outstanding
    bool bip152_hb_to = false;
    bool bip152_hb_from = false;
    bool wtxid_relay = false;
    bool addrv2 = false;
    bool prefer_headers = false;
    bool handshake_done = false;
};

class PeerManager : public NetEvents, public ValidationObserver {
public:
    struct Options {
        // -blocksonly: do not ask for or relay transactions.
        bool ignore_incoming_txs = false;
        unsigned max_orphan_txs = DEFAULT_MAX_ORPHAN_TRANSACTIONS;
        // Initial block-stalling timeout (doubles on each stall up to 64 s).
        std::chrono::seconds block_stalling_timeout{DEFAULT_BLOCK_STALLING_TIMEOUT_SECONDS};
        // The version message's user agent; empty: "/bitcoin-observed:<version>/".
        std::string user_agent;
        // Relay addresses learned from peers (-addrrelay, tests).
        bool relay_addresses = true;
    };

    static std::unique_ptr<PeerManager> Create(ConnectionManager& connman, AddrMan& addrman, BanMan* banman,
                                               ChainstateManager& chainman, node::TxMempool* mempool, Options opts);
    static std::unique_ptr<PeerManager> Create(ConnectionManager& connman, AddrMan& addrman, BanMan* banman,
                                               ChainstateManager& chainman, node::TxMempool* mempool)
    {
        return Create(connman, addrman, banman, chainman, mempool, Options{});
    }
    ~PeerManager() override = default;

    // getpeerinfo: false when the peer is unknown.
    virtual bool GetNodeStateStats(int64_t id, NodeStateStats& stats) const = 0;
    // The `ping` RPC: every peer gets a ping at its next SendMessages.
    virtual void SendPings() = 0;
    // Announce a transaction (accepted into the mempool) to peers.
    virtual void RelayTransaction(const uint256& txid, const uint256& wtxid) = 0;
    // Fires net:misbehaving_connection(id, reason), then discourages the
    // peer's address (unless it has noban, is manual or local) and disconnects.
    virtual void Misbehaving(int64_t id, const std::string& reason) = 0;
    // The user agent sent in our version message (getnetworkinfo "subversion").
    virtual std::string UserAgent() const = 0;
    // Number of blocks in flight, all peers (tests).
    virtual size_t BlocksInFlight() const = 0;
};

// -blocksonly, -maxorphantx, -blockstallingtimeout (hidden), -uacomment.
void RegisterPeerOptions(ArgsManager& args);
// Options from the parsed arguments.
PeerManager::Options PeerOptionsFromArgs(const ArgsManager& args);

// "/bitcoin-observed:0.1.0/" (BIP14), comments in parentheses when given.
std::string FormatUserAgent(const std::vector<std::string>& comments = {});

} // namespace net
