// Peer manager: transaction relay by wtxid (BIP339), getdata for
// transactions, the orphan pool and feefilter. Everything here is a no-op
// while the node has no mempool.

#include <net/peerman_impl.h>

#include <consensus/amount.h>
#include <kernel/validation.h>
#include <net/connman.h>
#include <node/mempool_accept.h>
#include <node/policy.h>
#include <node/txmempool.h>
#include <util/logging.h>
#include <util/time.h>

#include <algorithm>

namespace net {

namespace {
constexpr int64_t INBOUND_INVENTORY_BROADCAST_INTERVAL_MICROS = 5'000'000;
constexpr int64_t OUTBOUND_INVENTORY_BROADCAST_INTERVAL_MICROS = 2'000'000;
constexpr int64_t AVG_FEEFILTER_BROADCAST_INTERVAL_MICROS = 10 * 60 * 1'000'000LL;
constexpr int64_t TX_REQUEST_TIMEOUT_MICROS = 60 * 1'000'000LL;
constexpr int64_t ORPHAN_TX_EXPIRE_TIME_MICROS = 20 * 60 * 1'000'000LL;
constexpr int64_t MAX_STANDARD_TX_WEIGHT_FOR_ORPHAN = 400000;
constexpr size_t MAX_INV_PER_MESSAGE = 1000;
constexpr size_t MAX_TX_KNOWN = 50000;
constexpr size_t MAX_RECENT_REJECTS = 120000;
// Unbroadcast transactions are re-announced every 10 to 15 minutes; the
// random part keeps the timing from identifying the node (Core's interval).
constexpr int64_t INITIAL_BROADCAST_REATTEMPT_MIN_MICROS = 10 * 60 * 1'000'000LL;
constexpr int64_t INITIAL_BROADCAST_REATTEMPT_SPREAD_MICROS = 5 * 60 * 1'000'000LL;

void AddKnown(Peer& peer, const uint256& hash)
{
    if (peer.tx_known.size() >= MAX_TX_KNOWN) peer.tx_known.erase(peer.tx_known.begin());
    peer.tx_known.insert(hash);
}
} // namespace

void PeerManagerImpl::ProcessTxInvs(Connection& conn, Peer& peer, const std::vector<Inv>& invs)
{
    const int64_t now = NowMicros();
    std::vector<Inv> to_request;
    for (const Inv& inv : invs) {
        const bool is_wtx = inv.type == MSG_WTX;
        if (peer.wtxid_relay != is_wtx) continue;  // the wrong kind for what was negotiated
        AddKnown(peer, inv.hash);
        if (RejectIncomingTxs(peer)) {
            LogDebug(LogCategory::NET, "transaction ({}) inv sent in violation of protocol, disconnecting peer={}",
                     inv.hash.ToString(), conn.id);
            conn.disconnect = true;
            return;
        }
        if (!m_mempool || m_chainman.IsInitialBlockDownload()) continue;
        const bool have = is_wtx ? m_mempool->exists_wtxid(inv.hash) : m_mempool->exists(inv.hash);
        if (have || m_orphans.count(inv.hash) || m_recent_rejects_set.count(inv.hash)) continue;
        auto it = m_tx_requested.find(inv.hash);
        if (it != m_tx_requested.end() && now - it->second.second < TX_REQUEST_TIMEOUT_MICROS) continue;
        m_tx_requested[inv.hash] = {peer.id, now};
        to_request.push_back({is_wtx ? static_cast<uint32_t>(MSG_WTX) : static_cast<uint32_t>(MSG_WITNESS_TX), inv.hash});
        if (to_request.size() == MAX_INV_SZ) break;
    }
    if (!to_request.empty()) Push(conn, "getdata", to_request);
}

void PeerManagerImpl::ProcessTx(Connection& conn, Peer& peer, DataStream& recv)
{
    if (RejectIncomingTxs(peer)) {
        LogDebug(LogCategory::NET, "transaction sent in violation of protocol, disconnecting peer={}", conn.id);
        conn.disconnect = true;
        return;
    }
    MutableTransaction mtx;
    recv >> TX_WITH_WITNESS(mtx);
    if (!m_mempool) {
        LogDebug(LogCategory::NET, "ignoring tx from peer={}: no mempool", conn.id);
        return;
    }
    const TransactionRef tx = std::make_shared<const Transaction>(std::move(mtx));
    const uint256& txid = tx->GetHash();
    const uint256& wtxid = tx->GetWitnessHash();
    AddKnown(peer, txid);
    AddKnown(peer, wtxid);
    m_tx_requested.erase(txid);
    m_tx_requested.erase(wtxid);

    if (m_mempool->exists_wtxid(wtxid)) {
        if (peer.HasPermission(PF_FORCERELAY)) QueueRelayLocked(txid, wtxid);
        return;
    }
    if (m_recent_rejects_set.count(wtxid)) return;

    const node::MempoolAcceptResult result =
        node::AcceptToMemoryPool(m_chainman, *m_mempool, tx, GetTime(), /*bypass_limits=*/false, /*test_accept=*/false);
    if (result.m_result_type == node::MempoolAcceptResult::ResultType::VALID) {
        LogDebug(LogCategory::MEMPOOL, "AcceptToMemoryPool: peer={}: accepted {} (wtxid={})", conn.id,
                 txid.ToString(), wtxid.ToString());
        QueueRelayLocked(txid, wtxid);
        conn.last_tx_time = std::chrono::seconds{GetTime()};  // Core's m_last_tx_time: accepted to the mempool
        // Orphans waiting for this one.
        std::vector<uint256> work{txid};
        while (!work.empty()) {
            const uint256 parent = work.back();
            work.pop_back();
            std::vector<uint256> children;
            for (const auto& [otxid, orphan] : m_orphans) {
                for (const TxIn& in : orphan.tx->vin) {
                    if (in.prevout.hash == parent) {
                        children.push_back(otxid);
                        break;
                    }
                }
            }
            for (const uint256& c : children) {
                auto it = m_orphans.find(c);
                if (it == m_orphans.end()) continue;
                const TransactionRef otx = it->second.tx;
                const auto r = node::AcceptToMemoryPool(m_chainman, *m_mempool, otx, GetTime(), false, false);
                if (r.m_result_type == node::MempoolAcceptResult::ResultType::VALID) {
                    QueueRelayLocked(otx->GetHash(), otx->GetWitnessHash());
                    work.push_back(otx->GetHash());
                    m_orphans.erase(it);
                } else if (r.m_state.GetTxResult() != TxValidationResult::MISSING_INPUTS) {
                    m_orphans.erase(it);
                }
            }
        }
        return;
    }
    if (result.m_state.GetTxResult() == TxValidationResult::MISSING_INPUTS) {
        // Keep it (bounded) and ask this peer for the parents.
        if (GetTransactionWeight(*tx) > MAX_STANDARD_TX_WEIGHT_FOR_ORPHAN || m_opts.max_orphan_txs == 0) return;
        std::vector<Inv> parents;
        for (const TxIn& in : tx->vin) {
            const uint256& ph = in.prevout.hash;
            if (m_mempool->exists(ph) || m_orphans.count(ph)) continue;
            if (std::any_of(parents.begin(), parents.end(), [&](const Inv& i) { return i.hash == ph; })) continue;
            parents.push_back({MSG_WITNESS_TX, ph});
            m_tx_requested[ph] = {peer.id, NowMicros()};
        }
        const int64_t now = NowMicros();
        for (auto it = m_orphans.begin(); it != m_orphans.end();) {
            it = it->second.expire < now ? m_orphans.erase(it) : std::next(it);
        }
        while (m_orphans.size() >= m_opts.max_orphan_txs && !m_orphans.empty()) {
            auto victim = m_orphans.begin();
            std::advance(victim, m_rng() % m_orphans.size());
            m_orphans.erase(victim);
        }
        m_orphans[txid] = Orphan{tx, peer.id, now + ORPHAN_TX_EXPIRE_TIME_MICROS};
        LogDebug(LogCategory::MEMPOOL, "stored orphan tx {} (mapsz {}) from peer={}", txid.ToString(),
                 m_orphans.size(), conn.id);
        if (!parents.empty()) Push(conn, "getdata", parents);
        return;
    }
    // Rejected. A witness-stripped transaction is not remembered (as in
    // Core): the same txid may still arrive with its witness.
    if (result.m_state.GetTxResult() != TxValidationResult::WITNESS_STRIPPED) {
        if (m_recent_rejects.size() >= MAX_RECENT_REJECTS) {
            m_recent_rejects_set.erase(m_recent_rejects.front());
            m_recent_rejects.pop_front();
        }
        if (m_recent_rejects_set.insert(wtxid).second) m_recent_rejects.push_back(wtxid);
    }
    LogDebug(LogCategory::MEMPOOLREJ, "{} (wtxid={}) from peer={} was not accepted: {}", txid.ToString(),
             wtxid.ToString(), conn.id, result.m_state.ToString());
    // Only consensus failures punish the sender (Core's MaybePunishNodeForTx);
    // policy failures, witness-stripped and missing inputs do not.
    if (result.m_state.GetTxResult() == TxValidationResult::CONSENSUS) {
        MisbehavingLocked(peer, "invalid transaction: " + result.m_state.GetRejectReason());
    }
}

void PeerManagerImpl::RelayTransaction(const uint256& txid, const uint256& wtxid)
{
    std::lock_guard lock(m_relay_mutex);
    m_relay_queue.emplace_back(txid, wtxid);
}

void PeerManagerImpl::DrainRelayQueue()
{
    std::vector<std::pair<uint256, uint256>> queue;
    {
        std::lock_guard lock(m_relay_mutex);
        queue.swap(m_relay_queue);
    }
    for (const auto& [txid, wtxid] : queue) QueueRelayLocked(txid, wtxid);
}

void PeerManagerImpl::QueueRelayLocked(const uint256& txid, const uint256& wtxid)
{
    for (auto& [id, peer] : m_peers) {
        if (!peer.handshake_done || !peer.relay_txs || peer.conn_type == ConnectionType::BLOCK_RELAY) continue;
        const uint256& h = peer.wtxid_relay ? wtxid : txid;
        if (peer.tx_known.count(h)) continue;
        peer.tx_inventory_to_send.insert(h);
    }
}

TransactionRef PeerManagerImpl::FindTxForGetData(const Peer& peer, const Inv& inv)
{
    // MSG_WTX asks by wtxid; MSG_TX and MSG_WITNESS_TX by txid.
    const bool by_wtxid = inv.type == MSG_WTX;
    {
        std::lock_guard pool_lock(m_mempool->Mutex());
        uint256 txid = inv.hash;
        if (by_wtxid) {
            const std::optional<node::TxMempoolInfo> info = m_mempool->info_wtxid(inv.hash);
            txid = info && info->tx ? info->tx->GetHash() : uint256{};
        }
        const node::TxMempoolEntry* entry = txid.IsNull() ? nullptr : m_mempool->GetEntry(txid);
        // Served only when it entered the pool before our last inventory
        // round with this peer. Sequence 0 (re-added after a reorg) always
        // qualifies: those were public in a block.
        if (entry && entry->GetSequence() < peer.last_inv_sequence) return entry->GetSharedTx();
    }
    // Transactions of the last block are public anyway.
    for (const TransactionRef& tx : m_most_recent_block_txs) {
        if ((by_wtxid ? tx->GetWitnessHash() : tx->GetHash()) == inv.hash) return tx;
    }
    return nullptr;
}

bool PeerManagerImpl::ServeTx(Connection& conn, Peer& peer, const Inv& inv)
{
    if (!m_mempool) return false;
    const TransactionRef tx = FindTxForGetData(peer, inv);
    if (!tx) return false;
    DataStream s;
    if (inv.type == MSG_TX) {
        s << TX_NO_WITNESS(*tx);
    } else {
        s << TX_WITH_WITNESS(*tx);
    }
    PushRaw(conn, "tx", s);
    // A peer asked for it: the initial broadcast has done its job.
    m_mempool->RemoveUnbroadcastTx(tx->GetHash());
    return true;
}

void PeerManagerImpl::ProcessNotFound(Peer& peer, const std::vector<Inv>& invs)
{
    for (const Inv& inv : invs) {
        auto it = m_tx_requested.find(inv.hash);
        if (it != m_tx_requested.end() && it->second.first == peer.id) m_tx_requested.erase(it);
    }
}

void PeerManagerImpl::ForgetPeerTxState(Peer& peer)
{
    for (auto it = m_tx_requested.begin(); it != m_tx_requested.end();) {
        it = it->second.first == peer.id ? m_tx_requested.erase(it) : std::next(it);
    }
    for (auto it = m_orphans.begin(); it != m_orphans.end();) {
        it = it->second.from == peer.id ? m_orphans.erase(it) : std::next(it);
    }
}

void PeerManagerImpl::TxBlockConnected(const Block& block)
{
    // Orphans included in the block or spending what the block spent are gone.
    std::set<OutPoint> spent;
    for (const auto& tx : block.vtx) {
        m_orphans.erase(tx->GetHash());
        m_tx_requested.erase(tx->GetHash());
        m_tx_requested.erase(tx->GetWitnessHash());
        for (const TxIn& in : tx->vin) spent.insert(in.prevout);
    }
    for (auto it = m_orphans.begin(); it != m_orphans.end();) {
        bool conflict = false;
        for (const TxIn& in : it->second.tx->vin) {
            if (spent.count(in.prevout)) {
                conflict = true;
                break;
            }
        }
        it = conflict ? m_orphans.erase(it) : std::next(it);
    }
    if (m_mempool) m_most_recent_block_txs = block.vtx;  // served to getdata (FindTxForGetData)
    // A new tip may make rejected transactions valid.
    m_recent_rejects.clear();
    m_recent_rejects_set.clear();
}

void PeerManagerImpl::ScheduleInitialBroadcastReattempt(int64_t now)
{
    std::uniform_int_distribution<int64_t> spread(0, INITIAL_BROADCAST_REATTEMPT_SPREAD_MICROS - 1);
    m_next_initial_broadcast = now + INITIAL_BROADCAST_REATTEMPT_MIN_MICROS + spread(m_rng);
}

void PeerManagerImpl::MaybeReattemptInitialBroadcast(int64_t now)
{
    // A clock moved back (mock time cleared) would otherwise hold the next
    // attempt far beyond the interval.
    if (m_next_initial_broadcast - now > INITIAL_BROADCAST_REATTEMPT_MIN_MICROS + INITIAL_BROADCAST_REATTEMPT_SPREAD_MICROS) {
        ScheduleInitialBroadcastReattempt(now);
        return;
    }
    if (now < m_next_initial_broadcast) return;
    ScheduleInitialBroadcastReattempt(now);
    for (const uint256& txid : m_mempool->GetUnbroadcastTxs()) {
        const std::optional<node::TxMempoolInfo> info = m_mempool->info(txid);
        if (info && info->tx) {
            QueueRelayLocked(txid, info->tx->GetWitnessHash());
        } else {
            m_mempool->RemoveUnbroadcastTx(txid);
        }
    }
}

void PeerManagerImpl::TxSendMessages(Connection& conn, Peer& peer, int64_t now)
{
    DrainRelayQueue();
    if (!m_mempool) return;
    MaybeReattemptInitialBroadcast(now);
    if (peer.conn_type == ConnectionType::BLOCK_RELAY) return;

    // feefilter: our minimum, so the peer does not send what we would drop.
    if (!m_opts.ignore_incoming_txs && peer.version >= FEEFILTER_VERSION && !peer.HasPermission(PF_FORCERELAY)) {
        Amount filter = m_mempool->GetMinFee().GetFeePerK();
        filter = std::max(filter, m_mempool->Options().min_relay_feerate.GetFeePerK());
        if (m_chainman.IsInitialBlockDownload()) filter = MAX_MONEY;
        if (now > peer.next_feefilter_send || (peer.fee_filter_sent >= 0 && filter != peer.fee_filter_sent &&
                                               (filter < peer.fee_filter_sent * 3 / 4 || filter > peer.fee_filter_sent * 4 / 3))) {
            if (filter != peer.fee_filter_sent) {
                Push(conn, "feefilter", int64_t{filter});
                peer.fee_filter_sent = filter;
            }
            std::exponential_distribution<double> dist(1.0 / AVG_FEEFILTER_BROADCAST_INTERVAL_MICROS);
            peer.next_feefilter_send = now + static_cast<int64_t>(dist(m_rng));
        }
    }

    if (!peer.relay_txs && !peer.send_mempool) return;
    if (now <= peer.next_inv_send) return;
    std::exponential_distribution<double> dist(
        1.0 / (peer.IsInbound() ? INBOUND_INVENTORY_BROADCAST_INTERVAL_MICROS : OUTBOUND_INVENTORY_BROADCAST_INTERVAL_MICROS));
    peer.next_inv_send = now + static_cast<int64_t>(dist(m_rng));

    // Under the mempool lock, so the sequence read below is exactly "after
    // everything this round announced".
    std::lock_guard pool_lock(m_mempool->Mutex());
    const uint32_t inv_type = peer.wtxid_relay ? static_cast<uint32_t>(MSG_WTX) : static_cast<uint32_t>(MSG_TX);
    std::vector<Inv> invs;
    auto flush = [&] {
        if (invs.empty()) return;
        Push(conn, "inv", invs);
        invs.clear();
    };
    auto passes_filter = [&](const node::TxMempoolInfo& info) {
        if (peer.fee_filter_received <= 0) return true;
        return node::FeeRate(info.fee, info.vsize).GetFeePerK() >= peer.fee_filter_received;
    };
    if (peer.send_mempool) {
        peer.send_mempool = false;
        for (const node::TxMempoolInfo& info : m_mempool->infoAll()) {
            if (!info.tx || !passes_filter(info)) continue;
            const uint256& h = peer.wtxid_relay ? info.tx->GetWitnessHash() : info.tx->GetHash();
            peer.tx_inventory_to_send.erase(h);
            AddKnown(peer, h);
            invs.push_back({inv_type, h});
            if (invs.size() == MAX_INV_PER_MESSAGE) flush();
        }
    }
    if (peer.relay_txs) {
        for (const uint256& h : peer.tx_inventory_to_send) {
            if (peer.tx_known.count(h)) continue;
            auto info = peer.wtxid_relay ? m_mempool->info_wtxid(h) : m_mempool->info(h);
            if (!info || !passes_filter(*info)) continue;
            AddKnown(peer, h);
            invs.push_back({inv_type, h});
            if (invs.size() == MAX_INV_PER_MESSAGE) flush();
        }
    }
    peer.tx_inventory_to_send.clear();
    flush();
    // From now on the peer may fetch whatever is in the pool (announced this
    // round, or left out by its feefilter, or announced before).
    peer.last_inv_sequence = m_mempool->GetSequence();
}

} // namespace net
