// Peer manager: headers-first sync, parallel block download with stall
// detection, block announcement, getheaders/getblocks/getdata serving.

#include <net/peerman_impl.h>

#include <kernel/validation.h>
#include <net/connman.h>
#include <util/logging.h>
#include <util/time.h>

#include <algorithm>

namespace net {

namespace {
constexpr size_t MAX_LOCATOR_SZ = 101;
constexpr int64_t HEADERS_RESPONSE_TIME_MICROS = 2 * 60 * 1'000'000LL;
constexpr int64_t BLOCK_DOWNLOAD_TIMEOUT_BASE_MICROS = 10 * 60 * 1'000'000LL;    // one block interval
constexpr int64_t BLOCK_DOWNLOAD_TIMEOUT_PER_PEER_MICROS = 5 * 60 * 1'000'000LL; // half a block interval
constexpr int32_t LOCATOR_DUMMY_VERSION = 70016;
constexpr int64_t HEADERS_DOWNLOAD_TIMEOUT_BASE_MICROS = 15 * 60 * 1'000'000LL;
constexpr int64_t HEADERS_DOWNLOAD_TIMEOUT_PER_HEADER_MICROS = 1'000;
constexpr size_t MAX_SEND_QUEUE_FOR_GETDATA = 5'000'000;

void WriteHeaders(DataStream& s, const std::vector<BlockHeader>& headers)
{
    WriteCompactSize(s, headers.size());
    for (const auto& h : headers) {
        s << h;
        WriteCompactSize(s, 0);
    }
}

void ReadLocator(DataStream& recv, std::vector<uint256>& locator, uint256& stop)
{
    int32_t dummy = 0;
    recv >> dummy;
    const uint64_t n = ReadCompactSize(recv);
    if (n > MAX_LOCATOR_SZ) {
        locator.resize(n);  // signals "too large" to the caller
        return;
    }
    locator.resize(n);
    for (auto& h : locator) recv >> h;
    recv >> stop;
}
} // namespace

bool PeerManagerImpl::CanServeBlocks(const Peer& peer) const
{
    return (peer.services & (NODE_NETWORK | NODE_NETWORK_LIMITED)) != 0;
}

void PeerManagerImpl::ProcessBlockAvailability(Peer& peer)
{
    if (peer.hash_last_unknown_block.IsNull()) return;
    const BlockIndex* index = m_chainman.LookupBlockIndex(peer.hash_last_unknown_block);
    if (index && index->chain_work > 0) {
        if (!peer.best_known_block || index->chain_work >= peer.best_known_block->chain_work) {
            peer.best_known_block = index;
        }
        peer.hash_last_unknown_block.SetNull();
    }
}

void PeerManagerImpl::UpdateBlockAvailability(Peer& peer, const uint256& hash)
{
    ProcessBlockAvailability(peer);
    const BlockIndex* index = m_chainman.LookupBlockIndex(hash);
    if (index && index->chain_work > 0) {
        if (!peer.best_known_block || index->chain_work >= peer.best_known_block->chain_work) {
            peer.best_known_block = index;
        }
    } else {
        peer.hash_last_unknown_block = hash;
    }
}

bool PeerManagerImpl::PeerHasHeader(const Peer& peer, const BlockIndex* index) const
{
    if (!index) return false;
    if (peer.best_known_block && index == peer.best_known_block->GetAncestor(index->height)) return true;
    if (peer.best_header_sent && index == peer.best_header_sent->GetAncestor(index->height)) return true;
    return false;
}

bool PeerManagerImpl::MaybeSendGetHeaders(Connection& conn, Peer& peer, const BlockIndex* from, bool force)
{
    const int64_t now = NowMicros();
    if (!force && peer.last_getheaders_time != 0 && now - peer.last_getheaders_time < HEADERS_RESPONSE_TIME_MICROS) {
        return false;
    }
    DataStream s;
    s << LOCATOR_DUMMY_VERSION << LocatorEntries(from) << uint256{};
    PushRaw(conn, "getheaders", s);
    peer.last_getheaders_time = now;
    LogDebug(LogCategory::NET, "getheaders ({}) to peer={}", from ? from->height : -1, conn.id);
    return true;
}

const BlockIndex* PeerManagerImpl::FindForkInGlobalIndex(const std::vector<uint256>& locator)
{
    const Chain& chain = m_chainman.ActiveChain();
    for (const uint256& hash : locator) {
        const BlockIndex* index = m_chainman.LookupBlockIndex(hash);
        if (index) {
            if (chain.Contains(index)) return index;
            if (chain.Tip() && chain.Tip()->GetAncestor(index->height) == index) return chain.Tip();
        }
    }
    return chain.Genesis();
}

bool PeerManagerImpl::MaybePunishForBlock(int64_t id, const BlockValidationState& state, const std::string& message)
{
    Peer* peer = GetPeer(id);
    switch (state.GetBlockResult()) {
    case BlockValidationResult::UNSET:
    case BlockValidationResult::HEADER_LOW_WORK:
    case BlockValidationResult::TIME_FUTURE:
        break;
    case BlockValidationResult::CONSENSUS:
    case BlockValidationResult::MUTATED:
    case BlockValidationResult::INVALID_HEADER:
    case BlockValidationResult::INVALID_PREV:
    case BlockValidationResult::MISSING_PREV:
        if (peer) MisbehavingLocked(*peer, message);
        return true;
    case BlockValidationResult::CACHED_INVALID:
        if (peer && !peer->IsInbound()) {
            MisbehavingLocked(*peer, message);
            return true;
        }
        break;
    }
    if (!message.empty()) LogDebug(LogCategory::NET, "peer={}: {}", id, message);
    return false;
}

// ---------------------------------------------------------------------------
// headers / getheaders / getblocks

void PeerManagerImpl::ProcessHeadersMessage(Connection& conn, Peer& peer, DataStream& recv)
{
    const uint64_t count = ReadCompactSize(recv);
    if (count > MAX_HEADERS_RESULTS) {
        MisbehavingLocked(peer, "headers message size = " + std::to_string(count));
        return;
    }
    std::vector<BlockHeader> headers(count);
    for (auto& h : headers) {
        recv >> h;
        ReadCompactSize(recv);  // transaction count, always 0
    }
    peer.last_getheaders_time = 0;  // an answer came: a new getheaders may follow at once
    if (headers.empty()) return;

    const BlockIndex* prev = m_chainman.LookupBlockIndex(headers.front().prev_block);
    if (!prev) {
        // Does not connect to anything we know: ask for the chain leading to it.
        UpdateBlockAvailability(peer, headers.back().GetHash());
        if (MaybeSendGetHeaders(conn, peer, m_chainman.BestHeader())) {
            LogDebug(LogCategory::NET, "received header {}: missing prev block {}, sending getheaders to peer={}",
                     headers.front().GetHash().ToString(), headers.front().prev_block.ToString(), conn.id);
        }
        return;
    }
    for (size_t i = 1; i < headers.size(); ++i) {
        if (headers[i].prev_block != headers[i - 1].GetHash()) {
            MisbehavingLocked(peer, "non-continuous headers sequence");
            return;
        }
    }
    BlockValidationState state;
    const BlockIndex* last = nullptr;
    if (!m_chainman.ProcessNewBlockHeaders(headers, state, &last)) {
        if (state.IsInvalid()) {
            MaybePunishForBlock(peer.id, state, "invalid header received");
            return;
        }
    }
    if (!last) return;
    UpdateBlockAvailability(peer, last->GetBlockHash());
    if (count == MAX_HEADERS_RESULTS) {
        // More may follow.
        MaybeSendGetHeaders(conn, peer, last, /*force=*/true);
    }
    LogDebug(LogCategory::NET, "received {} headers up to height {} from peer={}", count, last->height, conn.id);
}

void PeerManagerImpl::ProcessGetHeaders(Connection& conn, Peer& peer, DataStream& recv)
{
    std::vector<uint256> locator;
    uint256 stop;
    ReadLocator(recv, locator, stop);
    if (locator.size() > MAX_LOCATOR_SZ) {
        LogDebug(LogCategory::NET, "getheaders locator size {} > {}, disconnect peer={}", locator.size(),
                 MAX_LOCATOR_SZ, conn.id);
        conn.disconnect = true;
        return;
    }
    const Chain& chain = m_chainman.ActiveChain();
    if (!chain.Tip() || (chain.Tip()->chain_work < m_chainman.MinimumChainWork() && !peer.HasPermission(PF_DOWNLOAD))) {
        // An empty answer: the peer should look elsewhere, but not think us unresponsive.
        LogDebug(LogCategory::NET,
                 "Ignoring getheaders from peer={} because active chain has too little work; sending empty response",
                 conn.id);
        DataStream s;
        WriteHeaders(s, {});
        PushRaw(conn, "headers", s);
        return;
    }
    const BlockIndex* index = nullptr;
    if (locator.empty()) {
        index = m_chainman.LookupBlockIndex(stop);
        if (!index || !chain.Contains(index)) return;
    } else {
        index = FindForkInGlobalIndex(locator);
        if (index) index = chain.Next(index);
    }
    std::vector<BlockHeader> headers;
    const BlockIndex* last = nullptr;
    for (; index; index = chain.Next(index)) {
        headers.push_back(index->GetBlockHeader());
        last = index;
        if (headers.size() >= MAX_HEADERS_RESULTS || index->GetBlockHash() == stop) break;
    }
    peer.best_header_sent = last ? last : chain.Tip();
    DataStream s;
    WriteHeaders(s, headers);
    PushRaw(conn, "headers", s);
}

void PeerManagerImpl::ProcessGetBlocks(Connection& conn, Peer& peer, DataStream& recv)
{
    std::vector<uint256> locator;
    uint256 stop;
    ReadLocator(recv, locator, stop);
    if (locator.size() > MAX_LOCATOR_SZ) {
        LogDebug(LogCategory::NET, "getblocks locator size {} > {}, disconnect peer={}", locator.size(),
                 MAX_LOCATOR_SZ, conn.id);
        conn.disconnect = true;
        return;
    }
    const Chain& chain = m_chainman.ActiveChain();
    const BlockIndex* index = FindForkInGlobalIndex(locator);
    if (index) index = chain.Next(index);
    std::vector<Inv> invs;
    for (; index; index = chain.Next(index)) {
        if (index->GetBlockHash() == stop) break;
        invs.push_back({MSG_BLOCK, index->GetBlockHash()});
        if (invs.size() >= MAX_GETBLOCKS_RESULTS) {
            peer.hash_continue = index->GetBlockHash();
            break;
        }
    }
    if (!invs.empty()) Push(conn, "inv", invs);
}

// ---------------------------------------------------------------------------
// block

void PeerManagerImpl::ProcessBlockMessage(Connection& conn, Peer& peer, DataStream& recv)
{
    auto block = std::make_shared<Block>();
    recv >> *block;
    const uint256 hash = block->GetHash();
    LogDebug(LogCategory::NET, "received block {} peer={}", hash.ToString(), conn.id);

    const bool requested = m_blocks_in_flight.count(hash) > 0;
    RemoveBlockRequest(hash, peer.id);
    m_block_source[hash] = peer.id;

    bool new_block = false;
    BlockValidationState state;
    const bool ok = m_chainman.ProcessNewBlock(block, requested, &new_block, &state);
    auto it = m_block_source.find(hash);
    if (it != m_block_source.end()) {
        // BlockChecked did not see it (or saw it valid): punish here if needed.
        if (!ok && state.IsInvalid()) {
            MaybePunishForBlock(it->second, state, state.GetBlockResult() == BlockValidationResult::MUTATED
                                                       ? "mutated block"
                                                       : "invalid block: " + state.ToString());
        }
        m_block_source.erase(it);
    }
    if (new_block) {
        // A novel block (stored, a tip candidate): Core's m_last_block_time,
        // whole seconds of the (mockable) clock, for eviction protection and
        // getpeerinfo's last_block. Blocks already known, or rejected before
        // being stored, leave it (one failing only when connected counts, as Core).
        conn.last_block_time = std::chrono::seconds{GetTime()};
    }
    // The peer delivered: it is not stalling us, and a raised stalling
    // timeout slowly returns to its initial value.
    peer.stalling_since = 0;
    const int64_t initial = std::chrono::duration_cast<std::chrono::microseconds>(m_opts.block_stalling_timeout).count();
    if (requested && m_stalling_timeout_micros > initial) {
        m_stalling_timeout_micros = std::max<int64_t>(initial, m_stalling_timeout_micros * 85 / 100);
    }
}

void PeerManagerImpl::BlockChecked(const Block& block, const BlockValidationState& state)
{
    std::lock_guard lock(m_mutex);
    auto it = m_block_source.find(block.GetHash());
    if (it == m_block_source.end()) return;
    if (state.IsInvalid()) {
        MaybePunishForBlock(it->second, state, state.GetBlockResult() == BlockValidationResult::MUTATED
                                                   ? "mutated block"
                                                   : "invalid block: " + state.ToString());
        m_block_source.erase(it);
    }
}

void PeerManagerImpl::BlockConnected(const std::shared_ptr<const Block>& block, const BlockIndex&)
{
    std::lock_guard lock(m_mutex);
    if (block) TxBlockConnected(*block);
}

void PeerManagerImpl::UpdatedBlockTip(const BlockIndex& new_tip, const BlockIndex* fork, bool initial_download)
{
    std::lock_guard chain_lock(m_chainman.ChainLock());
    std::lock_guard lock(m_mutex);
    // The flag may predate the new tip: a fresh block ends initial download.
    if (initial_download && m_chainman.IsInitialBlockDownload()) return;
    std::vector<uint256> hashes;
    for (const BlockIndex* i = &new_tip; i && i != fork; i = i->prev) {
        hashes.push_back(i->GetBlockHash());
        if (hashes.size() == MAX_BLOCKS_TO_ANNOUNCE) break;
    }
    std::reverse(hashes.begin(), hashes.end());
    for (auto& [id, peer] : m_peers) {
        for (const auto& h : hashes) peer.blocks_to_announce.push_back(h);
    }
}

// ---------------------------------------------------------------------------
// inv / getdata

void PeerManagerImpl::ProcessInv(Connection& conn, Peer& peer, DataStream& recv)
{
    const uint64_t count = ReadCompactSize(recv);
    if (count > MAX_INV_SZ) {
        MisbehavingLocked(peer, "inv message size = " + std::to_string(count));
        return;
    }
    std::vector<Inv> invs(count);
    for (auto& inv : invs) recv >> inv;

    const uint256* best_block = nullptr;
    std::vector<Inv> tx_invs;
    for (const Inv& inv : invs) {
        const uint32_t base = inv.type & ~static_cast<uint32_t>(MSG_WITNESS_FLAG);
        if (base == MSG_BLOCK) {
            UpdateBlockAvailability(peer, inv.hash);
            const BlockIndex* index = m_chainman.LookupBlockIndex(inv.hash);
            const bool have = index && (index->status & BLOCK_HAVE_DATA);
            if (!have && !m_blocks_in_flight.count(inv.hash)) best_block = &inv.hash;
        } else if (base == MSG_TX || inv.type == MSG_WTX) {
            tx_invs.push_back(inv);
        }
    }
    if (best_block) {
        if (MaybeSendGetHeaders(conn, peer, m_chainman.BestHeader())) {
            LogDebug(LogCategory::NET, "getheaders ({}) {} to peer={}",
                     m_chainman.BestHeader() ? m_chainman.BestHeader()->height : -1, best_block->ToString(), conn.id);
        }
    }
    if (!tx_invs.empty()) ProcessTxInvs(conn, peer, tx_invs);
}

void PeerManagerImpl::ProcessGetData(Connection& conn, Peer& peer, std::atomic<bool>& interrupt)
{
    std::vector<Inv> not_found;
    const Chain& chain = m_chainman.ActiveChain();
    while (!peer.getdata_requests.empty() && !interrupt && !conn.disconnect) {
        {
            std::lock_guard send_lock(conn.send_mutex);
            if (conn.send_queue_bytes > MAX_SEND_QUEUE_FOR_GETDATA) break;
        }
        const Inv inv = peer.getdata_requests.front();
        const uint32_t base = inv.type & ~static_cast<uint32_t>(MSG_WITNESS_FLAG);
        if (base == MSG_TX || inv.type == MSG_WTX) {
            peer.getdata_requests.pop_front();
            if (!ServeTx(conn, peer, inv)) not_found.push_back(inv);
            continue;
        }
        if (base == MSG_BLOCK || inv.type == MSG_CMPCT_BLOCK || inv.type == MSG_FILTERED_BLOCK) {
            peer.getdata_requests.pop_front();
            const BlockIndex* index = m_chainman.LookupBlockIndex(inv.hash);
            if (!index || !(index->status & BLOCK_HAVE_DATA)) continue;
            // Serve the active chain and valid blocks only.
            if (!chain.Contains(index) && !index->IsValid(BLOCK_VALID_SCRIPTS)) continue;
            if (inv.type == MSG_FILTERED_BLOCK) continue;  // no bloom filters
            Block block;
            std::string error;
            if (!m_chainman.Blocks().ReadBlock(block, *index, &error)) {
                LogDebug(LogCategory::NET, "cannot load block {}: {}", inv.hash.ToString(), error);
                conn.disconnect = true;
                break;
            }
            DataStream s;
            if (base == MSG_BLOCK && !(inv.type & MSG_WITNESS_FLAG) && inv.type != MSG_CMPCT_BLOCK) {
                s << TX_NO_WITNESS(block);
            } else {
                s << TX_WITH_WITNESS(block);
            }
            PushRaw(conn, "block", s);
            if (inv.hash == peer.hash_continue) {
                // getblocks continuation: point the peer at our tip.
                Push(conn, "inv", std::vector<Inv>{{MSG_BLOCK, chain.Tip()->GetBlockHash()}});
                peer.hash_continue.SetNull();
            }
            break;  // one block per call, so other peers get their turn
        }
        peer.getdata_requests.pop_front();
    }
    if (!not_found.empty()) Push(conn, "notfound", not_found);
}

// ---------------------------------------------------------------------------
// Block download

void PeerManagerImpl::MarkBlockInFlight(Peer& peer, const BlockIndex& index, int64_t now)
{
    const uint256 hash = index.GetBlockHash();
    m_blocks_in_flight[hash] = {peer.id, now};
    if (peer.blocks_in_flight.empty()) peer.downloading_since = now;
    peer.blocks_in_flight.emplace_back(hash, index.height);
}

bool PeerManagerImpl::RemoveBlockRequest(const uint256& hash, std::optional<int64_t> from_peer)
{
    auto it = m_blocks_in_flight.find(hash);
    if (it == m_blocks_in_flight.end()) return false;
    const int64_t owner = it->second.first;
    if (from_peer && *from_peer != owner) return false;
    if (Peer* p = GetPeer(owner)) {
        const bool was_first = !p->blocks_in_flight.empty() && p->blocks_in_flight.front().first == hash;
        p->blocks_in_flight.remove_if([&](const auto& e) { return e.first == hash; });
        if (was_first) p->downloading_since = NowMicros();
        if (p->blocks_in_flight.empty()) p->stalling_since = 0;
    }
    m_blocks_in_flight.erase(it);
    return true;
}

void PeerManagerImpl::FindNextBlocksToDownload(Peer& peer, unsigned count, std::vector<const BlockIndex*>& out,
                                               int64_t& staller)
{
    if (count == 0) return;
    ProcessBlockAvailability(peer);
    const Chain& chain = m_chainman.ActiveChain();
    const BlockIndex* tip = chain.Tip();
    if (!peer.best_known_block || !tip || peer.best_known_block->chain_work < tip->chain_work ||
        peer.best_known_block->chain_work < m_chainman.MinimumChainWork()) {
        return;
    }
    if (!peer.last_common_block) {
        peer.last_common_block = chain[std::min(peer.best_known_block->height, chain.Height())];
    }
    peer.last_common_block = LastCommonAncestor(peer.last_common_block, peer.best_known_block);
    if (!peer.last_common_block || peer.last_common_block == peer.best_known_block) return;

    const BlockIndex* walk = peer.last_common_block;
    const int window_end = peer.last_common_block->height + static_cast<int>(BLOCK_DOWNLOAD_WINDOW);
    const int max_height = std::min(peer.best_known_block->height, window_end + 1);
    int64_t waiting_for = -1;
    std::vector<const BlockIndex*> to_fetch;
    while (walk->height < max_height) {
        const int n = std::min<int>(max_height - walk->height,
                                    std::max<int>(static_cast<int>(count) - static_cast<int>(out.size()), 128));
        to_fetch.resize(n);
        walk = peer.best_known_block->GetAncestor(walk->height + n);
        to_fetch[n - 1] = walk;
        for (int i = n - 1; i > 0; --i) to_fetch[i - 1] = to_fetch[i]->prev;

        for (const BlockIndex* index : to_fetch) {
            if (!index->IsValid(BLOCK_VALID_TREE)) return;  // an invalid chain: nothing to fetch
            if ((index->status & BLOCK_HAVE_DATA) || chain.Contains(index)) {
                if (index->HaveTxsDownloaded()) peer.last_common_block = index;
                continue;
            }
            auto it = m_blocks_in_flight.find(index->GetBlockHash());
            if (it != m_blocks_in_flight.end()) {
                if (waiting_for == -1) waiting_for = it->second.first;
                continue;
            }
            if (index->height > window_end) {
                if (out.empty() && waiting_for != peer.id) staller = waiting_for;
                return;
            }
            out.push_back(index);
            if (out.size() == count) return;
        }
    }
}

void PeerManagerImpl::ReleasePeerSyncState(Peer& peer)
{
    for (const auto& [hash, height] : std::vector(peer.blocks_in_flight.begin(), peer.blocks_in_flight.end())) {
        m_blocks_in_flight.erase(hash);
    }
    peer.blocks_in_flight.clear();
    if (peer.sync_started) --m_sync_started;
    peer.sync_started = false;
    if (peer.preferred_download) --m_preferred_download_peers;
    peer.preferred_download = false;
    for (auto it = m_block_source.begin(); it != m_block_source.end();) {
        it = it->second == peer.id ? m_block_source.erase(it) : std::next(it);
    }
}

void PeerManagerImpl::SendBlockAnnouncements(Connection& conn, Peer& peer)
{
    if (peer.blocks_to_announce.empty()) return;
    const Chain& chain = m_chainman.ActiveChain();
    std::vector<BlockHeader> headers;
    bool revert_to_inv = !peer.prefer_headers || peer.blocks_to_announce.size() > MAX_BLOCKS_TO_ANNOUNCE;
    const BlockIndex* best_index = nullptr;
    if (!revert_to_inv) {
        bool found_start = false;
        for (const uint256& hash : peer.blocks_to_announce) {
            const BlockIndex* index = m_chainman.LookupBlockIndex(hash);
            if (!index || !chain.Contains(index)) {
                revert_to_inv = true;  // reorged away meanwhile
                break;
            }
            if (best_index && index->prev != best_index) {
                revert_to_inv = true;  // not a chain
                break;
            }
            best_index = index;
            if (found_start) {
                headers.push_back(index->GetBlockHeader());
            } else if (PeerHasHeader(peer, index)) {
                continue;
            } else if (!index->prev || PeerHasHeader(peer, index->prev)) {
                found_start = true;
                headers.push_back(index->GetBlockHeader());
            } else {
                revert_to_inv = true;  // the peer would not be able to connect it
                break;
            }
        }
    }
    if (!revert_to_inv && !headers.empty()) {
        DataStream s;
        WriteHeaders(s, headers);
        PushRaw(conn, "headers", s);
        peer.best_header_sent = best_index;
    } else if (revert_to_inv) {
        // Announce only the tip-most block, by inv, if the peer does not have it.
        const BlockIndex* index = m_chainman.LookupBlockIndex(peer.blocks_to_announce.back());
        if (index && chain.Contains(index) && !PeerHasHeader(peer, index)) {
            Push(conn, "inv", std::vector<Inv>{{MSG_BLOCK, index->GetBlockHash()}});
        }
    }
    peer.blocks_to_announce.clear();
}

void PeerManagerImpl::SyncSendMessages(Connection& conn, Peer& peer, int64_t now)
{
    ProcessBlockAvailability(peer);
    const BlockIndex* best_header = m_chainman.BestHeader();
    if (!best_header) best_header = m_chainman.ActiveChain().Tip();

    const bool sync_from_peer =
        peer.preferred_download ||
        (CanServeBlocks(peer) && conn.conn_type != ConnectionType::ADDR_FETCH &&
         (m_preferred_download_peers == 0 || m_blocks_in_flight.empty()));

    // Start headers sync.
    if (!peer.sync_started && CanServeBlocks(peer) && conn.conn_type != ConnectionType::FEELER &&
        conn.conn_type != ConnectionType::ADDR_FETCH && best_header) {
        if ((m_sync_started == 0 && sync_from_peer) || best_header->GetBlockTime() > GetTime() - 24 * 60 * 60) {
            const BlockIndex* start = best_header->prev ? best_header->prev : best_header;
            if (MaybeSendGetHeaders(conn, peer, start, /*force=*/true)) {
                peer.sync_started = true;
                ++m_sync_started;
                // Time to deliver headers up to today: 15 minutes plus 1 ms per expected header.
                const int64_t behind = std::max<int64_t>(GetTime() - best_header->GetBlockTime(), 0);
                const int64_t spacing = std::max<int64_t>(m_chainman.Params().GetConsensus().pow_target_spacing, 1);
                peer.headers_sync_timeout = now + HEADERS_DOWNLOAD_TIMEOUT_BASE_MICROS +
                                            HEADERS_DOWNLOAD_TIMEOUT_PER_HEADER_MICROS * (behind / spacing);
                LogDebug(LogCategory::NET, "initial getheaders ({}) to peer={} (startheight:{})", start->height,
                         conn.id, peer.starting_height);
            }
        }
    }

    SendBlockAnnouncements(conn, peer);

    // The initial headers sync peer must bring us close to today in time.
    if (peer.sync_started && peer.headers_sync_timeout != 0 && best_header) {
        if (best_header->GetBlockTime() > GetTime() - 24 * 60 * 60) {
            peer.headers_sync_timeout = 0;  // caught up
        } else if (now > peer.headers_sync_timeout && m_sync_started == 1 &&
                   m_preferred_download_peers - (peer.preferred_download ? 1 : 0) >= 1) {
            if (!peer.HasPermission(PF_NOBAN)) {
                LogInfo("Timeout downloading headers from peer={}, disconnecting", conn.id);
                conn.disconnect = true;
                return;
            }
            LogInfo("Timeout downloading headers from noban peer={}, not disconnecting", conn.id);
            peer.sync_started = false;
            --m_sync_started;
            peer.headers_sync_timeout = 0;
        }
    }

    // Stalling and block download timeouts.
    if (peer.stalling_since != 0 && now > peer.stalling_since + m_stalling_timeout_micros) {
        LogInfo("Peer={} is stalling block download, disconnecting", conn.id);
        conn.disconnect = true;
        // Give the next peer longer, in case our own connection is the slow one.
        m_stalling_timeout_micros = std::min<int64_t>(m_stalling_timeout_micros * 2,
                                                      BLOCK_STALLING_TIMEOUT_MAX_SECONDS * 1'000'000);
        return;
    }
    if (!peer.blocks_in_flight.empty()) {
        const int64_t others = static_cast<int64_t>(m_peers.size()) - 1;
        const int64_t timeout = BLOCK_DOWNLOAD_TIMEOUT_BASE_MICROS + BLOCK_DOWNLOAD_TIMEOUT_PER_PEER_MICROS * std::max<int64_t>(others, 0);
        if (now > peer.downloading_since + timeout) {
            LogInfo("Timeout downloading block {}, disconnecting peer={}", peer.blocks_in_flight.front().first.ToString(),
                    conn.id);
            conn.disconnect = true;
            return;
        }
    }

    // Request blocks (with witnesses: only from peers that have them).
    if (CanServeBlocks(peer) && (peer.services & NODE_WITNESS) &&
        ((sync_from_peer && !(peer.services & NODE_NETWORK_LIMITED && !(peer.services & NODE_NETWORK))) ||
         !m_chainman.IsInitialBlockDownload()) &&
        peer.blocks_in_flight.size() < MAX_BLOCKS_IN_TRANSIT_PER_PEER) {
        std::vector<const BlockIndex*> to_download;
        int64_t staller = -1;
        FindNextBlocksToDownload(peer, MAX_BLOCKS_IN_TRANSIT_PER_PEER - static_cast<unsigned>(peer.blocks_in_flight.size()),
                                 to_download, staller);
        std::vector<Inv> getdata;
        for (const BlockIndex* index : to_download) {
            getdata.push_back({MSG_WITNESS_BLOCK, index->GetBlockHash()});
            MarkBlockInFlight(peer, *index, now);
            LogDebug(LogCategory::NET, "Requesting block {} ({}) peer={}", index->GetBlockHash().ToString(),
                     index->height, conn.id);
        }
        if (!getdata.empty()) Push(conn, "getdata", getdata);
        if (to_download.empty() && staller != -1) {
            if (Peer* s = GetPeer(staller); s && s->stalling_since == 0) {
                s->stalling_since = now;
                LogDebug(LogCategory::NET, "Stall started peer={}", staller);
            }
        }
    }
}

} // namespace net
