#include <net/eviction.h>

#include <algorithm>
#include <functional>
#include <map>

namespace net {

namespace {

using Compare = std::function<bool(const EvictionCandidate&, const EvictionCandidate&)>;

// Sorts so that the most deserving come last, then drops up to k of them
// (those satisfying `pred`).
void ProtectLast(std::vector<EvictionCandidate>& c, const Compare& less, size_t k,
                 const std::function<bool(const EvictionCandidate&)>& pred = nullptr)
{
    std::sort(c.begin(), c.end(), less);
    size_t removed = 0;
    for (auto it = c.end(); it != c.begin() && removed < k;) {
        --it;
        if (!pred || pred(*it)) {
            it = c.erase(it);
            ++removed;
        }
    }
}

bool ByUptime(const EvictionCandidate& a, const EvictionCandidate& b)
{
    // Later connection = less deserving; ties by id (younger id less deserving).
    if (a.connected != b.connected) return a.connected > b.connected;
    return a.id > b.id;
}

// Ties in every ordering below fall back to uptime, so the choice is deterministic.
bool ByNetgroup(const EvictionCandidate& a, const EvictionCandidate& b)
{
    if (a.keyed_netgroup != b.keyed_netgroup) return a.keyed_netgroup < b.keyed_netgroup;
    return ByUptime(a, b);
}

// Higher ping is "less" deserving.
bool ByPing(const EvictionCandidate& a, const EvictionCandidate& b)
{
    if (a.min_ping_time != b.min_ping_time) return a.min_ping_time > b.min_ping_time;
    return ByUptime(a, b);
}

bool ByTxTime(const EvictionCandidate& a, const EvictionCandidate& b)
{
    if (a.last_tx_time != b.last_tx_time) return a.last_tx_time < b.last_tx_time;
    if (a.relay_txs != b.relay_txs) return b.relay_txs;
    if (a.bloom_filter != b.bloom_filter) return a.bloom_filter;
    return ByUptime(a, b);
}

bool ByBlockRelayOnlyTime(const EvictionCandidate& a, const EvictionCandidate& b)
{
    if (a.relay_txs != b.relay_txs) return a.relay_txs;
    if (a.last_block_time != b.last_block_time) return a.last_block_time < b.last_block_time;
    if (a.relevant_services != b.relevant_services) return b.relevant_services;
    return ByUptime(a, b);
}

bool ByBlockTime(const EvictionCandidate& a, const EvictionCandidate& b)
{
    if (a.last_block_time != b.last_block_time) return a.last_block_time < b.last_block_time;
    if (a.relevant_services != b.relevant_services) return b.relevant_services;
    return ByUptime(a, b);
}

bool IsDisadvantaged(const EvictionCandidate& c)
{
    return c.is_local || c.network == Network::ONION || c.network == Network::I2P || c.network == Network::CJDNS;
}

} // namespace

void ProtectEvictionCandidatesByRatio(std::vector<EvictionCandidate>& candidates)
{
    const size_t initial = candidates.size();
    const size_t total_protect = initial / 2;
    size_t protected_count = 0;

    // A quarter of the candidates, spread over the disadvantaged networks
    // present (localhost, onion, I2P, CJDNS), the longest connected first.
    const size_t reserved = total_protect / 2;
    if (reserved > 0) {
        struct Group {
            bool local;
            Network net;
        };
        const Group groups[] = {{false, Network::CJDNS}, {false, Network::I2P}, {true, Network::IPV4},
                                {false, Network::ONION}};
        auto in_group = [](const Group& g, const EvictionCandidate& c) {
            return g.local ? c.is_local : (!c.is_local && c.network == g.net);
        };
        // Round robin: one per group that still has candidates, until the reserve is used.
        std::sort(candidates.begin(), candidates.end(), ByUptime);  // most deserving last
        bool progress = true;
        while (protected_count < reserved && progress) {
            progress = false;
            for (const auto& g : groups) {
                if (protected_count >= reserved) break;
                for (auto it = candidates.end(); it != candidates.begin();) {
                    --it;
                    if (in_group(g, *it)) {
                        candidates.erase(it);
                        ++protected_count;
                        progress = true;
                        break;
                    }
                }
            }
        }
    }
    // The rest of the half by uptime, whatever the network.
    if (total_protect > protected_count) ProtectLast(candidates, ByUptime, total_protect - protected_count);
}

std::optional<int64_t> SelectNodeToEvict(std::vector<EvictionCandidate> candidates)
{
    std::erase_if(candidates, [](const EvictionCandidate& c) { return c.noban; });

    // Peers an attacker cannot easily imitate: distinct netgroups, low latency,
    // useful transactions and blocks.
    ProtectLast(candidates, ByNetgroup, 4);
    ProtectLast(candidates, ByPing, 8);
    ProtectLast(candidates, ByTxTime, 4);
    ProtectLast(candidates, ByBlockRelayOnlyTime, 8, [](const EvictionCandidate& c) { return !c.relay_txs; });
    ProtectLast(candidates, ByBlockTime, 4);
    ProtectEvictionCandidatesByRatio(candidates);

    if (candidates.empty()) return std::nullopt;

    // Discouraged peers first, when there are any.
    if (std::any_of(candidates.begin(), candidates.end(), [](const auto& c) { return c.prefer_evict; })) {
        std::erase_if(candidates, [](const EvictionCandidate& c) { return !c.prefer_evict; });
    }

    // The netgroup with the most connections; on a tie the one whose youngest
    // member connected most recently. Its youngest member is evicted.
    std::map<uint64_t, std::vector<const EvictionCandidate*>> by_group;
    for (const auto& c : candidates) by_group[c.keyed_netgroup].push_back(&c);
    const EvictionCandidate* youngest_of_best = nullptr;
    size_t best_size = 0;
    for (auto& [group, members] : by_group) {
        const EvictionCandidate* youngest = *std::max_element(
            members.begin(), members.end(),
            [](const EvictionCandidate* a, const EvictionCandidate* b) { return ByUptime(*b, *a); });
        if (members.size() > best_size ||
            (members.size() == best_size && ByUptime(*youngest, *youngest_of_best))) {
            best_size = members.size();
            youngest_of_best = youngest;
        }
    }
    return youngest_of_best->id;
}

} // namespace net
