#pragma once

// Inbound eviction: when every inbound slot is taken and a new peer connects,
// pick one inbound peer to disconnect. Peers that are hard for an attacker to
// imitate are protected first (as Bitcoin Core does): 4 by distinct netgroup,
// 8 by lowest ping, 4 that most recently gave us new transactions, up to 8
// block-relay-only peers and 4 others that most recently gave us new blocks,
// then half of the rest by uptime (a quarter of it kept for onion, I2P, CJDNS
// and localhost peers, which look young and slow). Among those left, the
// netgroup with the most connections loses its youngest peer.

#include <net/netaddress.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace net {

struct EvictionCandidate {
    int64_t id = 0;
    std::chrono::seconds connected{0};                                   // when it connected
    std::chrono::microseconds min_ping_time{std::chrono::microseconds::max()};
    std::chrono::microseconds last_block_time{0};                        // last novel block, 0 never
    std::chrono::microseconds last_tx_time{0};                           // last novel transaction, 0 never
    bool relevant_services = false;   // NODE_NETWORK (and witness): a useful block source
    bool relay_txs = false;           // not block-relay-only
    bool bloom_filter = false;
    uint64_t keyed_netgroup = 0;      // netgroup hashed with a per-node secret
    bool prefer_evict = false;        // discouraged peers go first
    bool is_local = false;            // connected from localhost
    Network network = Network::IPV4;
    bool noban = false;               // never evicted (filtered out by the caller or here)
};

// The peer to disconnect, or nullopt when every candidate is protected.
std::optional<int64_t> SelectNodeToEvict(std::vector<EvictionCandidate> candidates);

// The uptime step alone (exposed for tests): removes from `candidates` up to
// half of them by longest uptime, a quarter of it reserved for
// disadvantaged networks.
void ProtectEvictionCandidatesByRatio(std::vector<EvictionCandidate>& candidates);

} // namespace net
