#pragma once

// The peer manager's private state, shared by peerman.cpp (handshake, ping,
// addresses, misbehaviour), peerman_sync.cpp (headers, blocks, getdata) and
// peerman_tx.cpp (transaction relay).

#include <net/peerman.h>

#include <kernel/block_index.h>
#include <primitives/block.h>
#include <streams.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace net {

// Mockable clock in microseconds (follows setmocktime, as Core's NodeClock).
int64_t NowMicros();

struct Peer {
    int64_t id = 0;
    ConnectionType conn_type = ConnectionType::INBOUND;
    Service addr;
    uint32_t permissions = 0;
    bool HasPermission(uint32_t flag) const { return (permissions & flag) == flag; }
    bool IsInbound() const { return conn_type == ConnectionType::INBOUND; }

    // Handshake.
    bool version_received = false;
    bool handshake_done = false;
    int version = 0;
    uint64_t services = 0;
    std::string user_agent;
    int starting_height = -1;
    int64_t time_offset = 0;
    Service addr_local;             // our address as the peer's version message gave it (addrlocal)
    bool relay_txs = false;         // their relay flag (and not block-relay-only)
    bool wtxid_relay = false;
    bool wants_addrv2 = false;
    bool prefer_headers = false;
    bool provides_cmpct = false;
    bool cmpct_hb_to = false;       // they asked us to announce by cmpctblock
    int64_t fee_filter_received = 0;

    // Ping.
    uint64_t ping_nonce_sent = 0;
    int64_t ping_start = 0;         // micros
    bool ping_queued = false;
    int64_t last_ping_time = -1;    // micros
    int64_t min_ping_time = -1;

    // Address relay.
    bool addr_relay_enabled = false;
    bool getaddr_sent = false;
    bool getaddr_recvd = false;
    double addr_token_bucket = 1.0;
    int64_t addr_token_timestamp = 0;  // micros
    uint64_t addr_processed = 0;
    uint64_t addr_rate_limited = 0;
    std::vector<Address> addrs_to_send;
    std::set<std::vector<uint8_t>> addr_known;  // Service keys (bounded)
    int64_t next_addr_send = 0;     // micros

    // Headers and blocks.
    bool sync_started = false;
    bool preferred_download = false;
    const BlockIndex* best_known_block = nullptr;
    const BlockIndex* last_common_block = nullptr;
    const BlockIndex* best_header_sent = nullptr;
    uint256 hash_last_unknown_block;
    int64_t last_getheaders_time = 0;  // micros
    int64_t headers_sync_timeout = 0;  // micros; 0: none (initial headers sync from this peer)
    std::list<std::pair<uint256, int>> blocks_in_flight;  // (hash, height) in request order
    int64_t downloading_since = 0;        // micros: first in-flight block (or the last one delivered)
    int64_t stalling_since = 0;           // micros; 0: not stalling
    std::vector<uint256> blocks_to_announce;
    uint256 hash_continue;                 // getblocks continuation

    // getdata requests waiting to be served.
    std::deque<Inv> getdata_requests;

    // Transactions.
    std::set<uint256> tx_inventory_to_send;  // txid or wtxid (as the peer relays)
    std::set<uint256> tx_known;              // bounded
    bool send_mempool = false;
    int64_t next_inv_send = 0;               // micros
    int64_t next_feefilter_send = 0;
    int64_t fee_filter_sent = -1;
    // The mempool's sequence number at our last inventory round with this
    // peer (Core's m_last_inv_sequence). getdata is answered only for
    // transactions that entered the pool before it: what the peer could have
    // heard of from us. Anything newer is notfound, so the peer cannot probe
    // the pool for transactions we have not announced to it yet.
    uint64_t last_inv_sequence = 0;

    // Misbehaviour.
    bool should_discourage = false;
};

class PeerManagerImpl final : public PeerManager {
public:
    PeerManagerImpl(ConnectionManager& connman, AddrMan& addrman, BanMan* banman, ChainstateManager& chainman,
                    node::TxMempool* mempool, Options opts);
    ~PeerManagerImpl() override;

    // NetEvents
    void InitializeConnection(Connection& conn) override;
    void FinalizeConnection(const Connection& conn) override;
    bool ProcessMessages(Connection& conn, std::atomic<bool>& interrupt) override;
    bool SendMessages(Connection& conn) override;

    // ValidationObserver
    void UpdatedBlockTip(const BlockIndex& new_tip, const BlockIndex* fork, bool initial_download) override;
    void BlockChecked(const Block& block, const BlockValidationState& state) override;
    void BlockConnected(const std::shared_ptr<const Block>& block, const BlockIndex& index) override;

    // PeerManager
    bool GetNodeStateStats(int64_t id, NodeStateStats& stats) const override;
    void SendPings() override;
    void RelayTransaction(const uint256& txid, const uint256& wtxid) override;
    void Misbehaving(int64_t id, const std::string& reason) override;
    std::string UserAgent() const override { return m_user_agent; }
    size_t BlocksInFlight() const override;

    // ---- shared helpers (peerman.cpp)
    Peer* GetPeer(int64_t id);
    void MisbehavingLocked(Peer& peer, const std::string& reason);
    // Acts on should_discourage; true when the connection is being dropped.
    bool MaybeDiscourageAndDisconnect(Connection& conn, Peer& peer);
    void PushRaw(Connection& conn, const std::string& type, DataStream& payload);
    template <typename... Args>
    void Push(Connection& conn, const std::string& type, const Args&... args)
    {
        DataStream s;
        ((s << args), ...);
        PushRaw(conn, type, s);
    }
    uint64_t RandU64();
    void ProcessMessage(Connection& conn, Peer& peer, const std::string& type, DataStream& recv,
                        std::chrono::microseconds time_received, std::atomic<bool>& interrupt);
    void PushVersion(Connection& conn, Peer& peer);
    void MaybeSendPing(Connection& conn, Peer& peer, int64_t now);
    void MaybeSendAddr(Connection& conn, Peer& peer, int64_t now);
    void ProcessAddrs(Connection& conn, Peer& peer, std::vector<Address>& addrs, const std::string& type,
                      std::atomic<bool>& interrupt);
    void PushAddress(Peer& peer, const Address& addr);
    void RelayAddress(int64_t source, const Address& addr, bool reachable);
    bool SetupAddressRelay(Peer& peer);
    bool RejectIncomingTxs(const Peer& peer) const;

    // ---- sync (peerman_sync.cpp); chain lock and m_mutex held
    void UpdateBlockAvailability(Peer& peer, const uint256& hash);
    void ProcessBlockAvailability(Peer& peer);
    bool PeerHasHeader(const Peer& peer, const BlockIndex* index) const;
    bool CanServeBlocks(const Peer& peer) const;
    bool MaybeSendGetHeaders(Connection& conn, Peer& peer, const BlockIndex* from, bool force = false);
    void ProcessHeadersMessage(Connection& conn, Peer& peer, DataStream& recv);
    void ProcessGetHeaders(Connection& conn, Peer& peer, DataStream& recv);
    void ProcessGetBlocks(Connection& conn, Peer& peer, DataStream& recv);
    void ProcessBlockMessage(Connection& conn, Peer& peer, DataStream& recv);
    void ProcessInv(Connection& conn, Peer& peer, DataStream& recv);
    void ProcessGetData(Connection& conn, Peer& peer, std::atomic<bool>& interrupt);
    bool MaybePunishForBlock(int64_t id, const BlockValidationState& state, const std::string& message);
    void FindNextBlocksToDownload(Peer& peer, unsigned count, std::vector<const BlockIndex*>& out,
                                  int64_t& staller);
    void MarkBlockInFlight(Peer& peer, const BlockIndex& index, int64_t now);
    bool RemoveBlockRequest(const uint256& hash, std::optional<int64_t> from_peer);
    void SendBlockAnnouncements(Connection& conn, Peer& peer);
    void SyncSendMessages(Connection& conn, Peer& peer, int64_t now);
    void ReleasePeerSyncState(Peer& peer);
    const BlockIndex* FindForkInGlobalIndex(const std::vector<uint256>& locator);

    // ---- transactions (peerman_tx.cpp); chain lock and m_mutex held
    void ProcessTx(Connection& conn, Peer& peer, DataStream& recv);
    void ProcessTxInvs(Connection& conn, Peer& peer, const std::vector<Inv>& invs);
    bool ServeTx(Connection& conn, Peer& peer, const Inv& inv);
    void ProcessNotFound(Peer& peer, const std::vector<Inv>& invs);
    void TxSendMessages(Connection& conn, Peer& peer, int64_t now);
    void ForgetPeerTxState(Peer& peer);
    void TxBlockConnected(const Block& block);
    // Re-announces the mempool's unbroadcast transactions to every peer when
    // the (mockable) clock reaches m_next_initial_broadcast; prunes txids no
    // longer in the pool.
    void MaybeReattemptInitialBroadcast(int64_t now);
    void ScheduleInitialBroadcastReattempt(int64_t now);

    ConnectionManager& m_connman;
    AddrMan& m_addrman;
    BanMan* const m_banman;
    ChainstateManager& m_chainman;
    node::TxMempool* const m_mempool;
    const Options m_opts;
    std::string m_user_agent;

    // Lock order: m_chainman.ChainLock() before m_mutex.
    mutable std::recursive_mutex m_mutex;
    std::map<int64_t, Peer> m_peers;
    std::mt19937_64 m_rng;

    // Blocks being downloaded: hash -> (peer, time requested in micros).
    std::map<uint256, std::pair<int64_t, int64_t>> m_blocks_in_flight;
    // Blocks received and handed to validation: hash -> peer (to punish).
    std::map<uint256, int64_t> m_block_source;
    int m_sync_started = 0;
    int m_preferred_download_peers = 0;
    int64_t m_stalling_timeout_micros = 0;

    // Transactions requested: hash (as requested) -> (peer, time).
    std::map<uint256, std::pair<int64_t, int64_t>> m_tx_requested;
    // Orphans: txid -> (tx, from peer, expiry micros).
    struct Orphan {
        TransactionRef tx;
        int64_t from = -1;
        int64_t expire = 0;
    };
    std::map<uint256, Orphan> m_orphans;
    // Transactions to announce, queued by RelayTransaction under its own
    // leaf lock (callers may hold the mempool lock), spread to peers by
    // SendMessages.
    std::mutex m_relay_mutex;
    std::vector<std::pair<uint256, uint256>> m_relay_queue;  // (txid, wtxid)
    void DrainRelayQueue();
    void QueueRelayLocked(const uint256& txid, const uint256& wtxid);
    std::deque<uint256> m_recent_rejects;  // wtxids, bounded
    std::set<uint256> m_recent_rejects_set;
    int64_t m_next_initial_broadcast = 0;  // micros: next unbroadcast re-announcement
    // The transactions of the last connected block: they left the mempool,
    // but a peer that heard of one just before may still ask for it.
    std::vector<TransactionRef> m_most_recent_block_txs;
    // The transaction a getdata may be answered with (mempool or last block).
    TransactionRef FindTxForGetData(const Peer& peer, const Inv& inv);
};

} // namespace net
