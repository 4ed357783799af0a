#include <net/addrman.h>

#include <crypto/sha256.h>
#include <streams.h>
#include <util/args.h>
#include <util/logging.h>
#include <util/time.h>
#include <util/trace.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <unistd.h>

namespace net {

namespace {

uint64_t CheapHash(const HashWriter& hw) { return hw.GetHash().GetUint64(0); }

int64_t NowOr(int64_t t) { return t ? t : GetTime(); }

constexpr int64_t ONE_DAY = 24 * 60 * 60;
constexpr int64_t HORIZON_DAYS = 30;
constexpr int RETRIES = 3;
constexpr int MAX_FAILURES = 10;
constexpr int64_t MIN_FAIL_DAYS = 7;

uint256 AsmapChecksum(const std::vector<bool>& asmap)
{
    if (asmap.empty()) return uint256{};
    HashWriter hw;
    std::vector<unsigned char> bytes((asmap.size() + 7) / 8, 0);
    for (size_t i = 0; i < asmap.size(); ++i) {
        if (asmap[i]) bytes[i / 8] |= static_cast<unsigned char>(1 << (i % 8));
    }
    hw << bytes;
    return hw.GetHash();
}

} // namespace

// ---------------------------------------------------------------------------
// AddrInfo

int AddrInfo::GetTriedBucket(const uint256& key, const std::vector<bool>& asmap) const
{
    HashWriter h1;
    h1 << key << GetKey();
    uint64_t hash1 = CheapHash(h1);
    HashWriter h2;
    h2 << key << GetGroup(asmap) << static_cast<uint64_t>(hash1 % ADDRMAN_TRIED_BUCKETS_PER_GROUP);
    return static_cast<int>(CheapHash(h2) % ADDRMAN_TRIED_BUCKET_COUNT);
}

int AddrInfo::GetNewBucket(const uint256& key, const NetAddr& src, const std::vector<bool>& asmap) const
{
    std::vector<uint8_t> src_group = src.GetGroup(asmap);
    HashWriter h1;
    h1 << key << GetGroup(asmap) << src_group;
    uint64_t hash1 = CheapHash(h1);
    HashWriter h2;
    h2 << key << src_group << static_cast<uint64_t>(hash1 % ADDRMAN_NEW_BUCKETS_PER_SOURCE_GROUP);
    return static_cast<int>(CheapHash(h2) % ADDRMAN_NEW_BUCKET_COUNT);
}

int AddrInfo::GetBucketPosition(const uint256& key, bool is_new, int bucket) const
{
    HashWriter h;
    h << key << static_cast<uint8_t>(is_new ? 'N' : 'K') << static_cast<uint32_t>(bucket) << GetKey();
    return static_cast<int>(CheapHash(h) % ADDRMAN_BUCKET_SIZE);
}

bool AddrInfo::IsTerrible(int64_t now) const
{
    if (last_try && last_try >= now - 60) return false;           // tried in the last minute: keep
    if (time > now + 10 * 60) return true;                        // from the future
    if (now - time > HORIZON_DAYS * ONE_DAY) return true;         // not seen in a month
    if (last_success == 0 && attempts >= RETRIES) return true;    // never worked
    if (now - last_success > MIN_FAIL_DAYS * ONE_DAY && attempts >= MAX_FAILURES) return true;
    return false;
}

double AddrInfo::GetChance(int64_t now) const
{
    double chance = 1.0;
    if (now - last_try < 10 * 60) chance *= 0.01;
    chance *= std::pow(0.66, std::min(attempts, 8));
    return chance;
}

// ---------------------------------------------------------------------------
// AddrMan::Impl

struct AddrMan::Impl {
    Impl(const uint256& key_in, const std::vector<bool>& asmap_in, bool deterministic, int32_t ratio)
        : key(key_in), asmap(asmap_in), check_ratio(ratio)
    {
        if (deterministic) {
            rng.seed(0x5eed);
        } else {
            std::random_device rd;
            rng.seed((uint64_t{rd()} << 32) ^ rd());
        }
        for (auto& b : new_table) b.fill(-1);
        for (auto& b : tried_table) b.fill(-1);
    }

    const uint256& key;
    const std::vector<bool>& asmap;
    const int32_t check_ratio;

    mutable std::mutex mutex;
    mutable std::mt19937_64 rng;

    int next_id = 0;
    std::unordered_map<int, AddrInfo> info;
    std::map<std::vector<uint8_t>, int> by_addr;
    int new_count = 0;
    int tried_count = 0;
    int64_t last_good = 1;
    std::array<std::array<int, ADDRMAN_BUCKET_SIZE>, ADDRMAN_NEW_BUCKET_COUNT> new_table;
    std::array<std::array<int, ADDRMAN_BUCKET_SIZE>, ADDRMAN_TRIED_BUCKET_COUNT> tried_table;
    std::set<int> tried_collisions;

    uint64_t Rand(uint64_t n) const { return n ? std::uniform_int_distribution<uint64_t>(0, n - 1)(rng) : 0; }
    double RandDouble() const { return std::uniform_real_distribution<double>(0.0, 1.0)(rng); }

    AddrInfo* Find(const Service& addr, int* id_out = nullptr)
    {
        auto it = by_addr.find(addr.GetKey());
        if (it == by_addr.end()) return nullptr;
        if (id_out) *id_out = it->second;
        return &info.at(it->second);
    }
    const AddrInfo* Find(const Service& addr) const
    {
        auto it = by_addr.find(addr.GetKey());
        if (it == by_addr.end()) return nullptr;
        return &info.at(it->second);
    }

    int Create(const Address& addr, const NetAddr& source)
    {
        int id = next_id++;
        info.emplace(id, AddrInfo(addr, source));
        by_addr[addr.GetKey()] = id;
        ++new_count;
        return id;
    }

    void Delete(int id)
    {
        auto it = info.find(id);
        if (it == info.end()) return;
        by_addr.erase(it->second.GetKey());
        info.erase(it);
        --new_count;
    }

    void ClearNew(int bucket, int pos)
    {
        int id = new_table[bucket][pos];
        if (id == -1) return;
        AddrInfo& e = info.at(id);
        --e.ref_count;
        new_table[bucket][pos] = -1;
        if (e.ref_count == 0) Delete(id);
    }

    void MakeTried(AddrInfo& e, int id)
    {
        // Out of every new bucket.
        for (int b = 0; b < ADDRMAN_NEW_BUCKET_COUNT && e.ref_count > 0; ++b) {
            int pos = e.GetBucketPosition(key, true, b);
            if (new_table[b][pos] == id) {
                new_table[b][pos] = -1;
                --e.ref_count;
            }
        }
        e.ref_count = 0;
        --new_count;

        const int bucket = e.GetTriedBucket(key, asmap);
        const int pos = e.GetBucketPosition(key, false, bucket);
        if (int old_id = tried_table[bucket][pos]; old_id != -1) {
            // Evict the occupant back to the new table.
            AddrInfo& old = info.at(old_id);
            old.in_tried = false;
            tried_table[bucket][pos] = -1;
            --tried_count;
            const int nb = old.GetNewBucket(key, asmap);
            const int np = old.GetBucketPosition(key, true, nb);
            ClearNew(nb, np);
            old.ref_count = 1;
            new_table[nb][np] = old_id;
            ++new_count;
            LogDebug(LogCategory::ADDRMAN, "Moved {} from tried[{}][{}] to new[{}][{}] to make space",
                     old.ToStringAddrPort(), bucket, pos, nb, np);
        }
        tried_table[bucket][pos] = id;
        ++tried_count;
        e.in_tried = true;
    }

    bool AddSingle(const Address& addr, const NetAddr& source, int64_t time_penalty)
    {
        if (!addr.IsRoutable()) return false;
        // A peer announcing itself gets no penalty.
        if (static_cast<const NetAddr&>(addr) == source) time_penalty = 0;
        const int64_t now = GetTime();

        int id = -1;
        AddrInfo* e = Find(addr, &id);
        if (e) {
            const bool online = now - static_cast<int64_t>(addr.time) < ONE_DAY;
            const int64_t interval = online ? 60 * 60 : ONE_DAY;
            if (static_cast<int64_t>(e->time) < static_cast<int64_t>(addr.time) - interval - time_penalty) {
                e->time = static_cast<uint32_t>(std::max<int64_t>(0, static_cast<int64_t>(addr.time) - time_penalty));
            }
            e->services |= addr.services;
            if (addr.time == 0 || (e->time && addr.time <= e->time)) return false;
            if (e->in_tried) return false;
            if (e->ref_count == ADDRMAN_NEW_BUCKETS_PER_ADDRESS) return false;
            // Each further bucket is half as likely as the previous.
            if (e->ref_count > 0 && Rand(uint64_t{1} << e->ref_count) != 0) return false;
        } else {
            id = Create(addr, source);
            e = &info.at(id);
            e->time = static_cast<uint32_t>(std::max<int64_t>(0, static_cast<int64_t>(e->time) - time_penalty));
        }

        const int bucket = e->GetNewBucket(key, source, asmap);
        const int pos = e->GetBucketPosition(key, true, bucket);
        bool inserted = new_table[bucket][pos] == -1;
        if (new_table[bucket][pos] != id) {
            if (!inserted) {
                const AddrInfo& existing = info.at(new_table[bucket][pos]);
                // Replace a terrible occupant, or one that has other buckets, with an entry that has none.
                if (existing.IsTerrible(now) || (existing.ref_count > 1 && e->ref_count == 0)) inserted = true;
            }
            if (inserted) {
                ClearNew(bucket, pos);
                ++e->ref_count;
                new_table[bucket][pos] = id;
                LogDebug(LogCategory::ADDRMAN, "Added {} from {} to new[{}][{}]", addr.ToStringAddrPort(),
                         source.ToStringAddr(), bucket, pos);
            } else if (e->ref_count == 0) {
                Delete(id);
                e = nullptr;
            }
        }
        TRACEPOINT(addrman, attempt_add, inserted, static_cast<int32_t>(bucket), static_cast<int32_t>(pos),
                   addr.ToStringAddrPort().c_str(), addr.GetMappedAS(asmap), source.ToStringAddr().c_str(),
                   source.GetMappedAS(asmap));
        return inserted;
    }

    bool GoodImpl(const Service& addr, bool test_before_evict, int64_t now)
    {
        last_good = now;
        int id = -1;
        AddrInfo* e = Find(addr, &id);
        if (!e) return false;
        e->last_success = now;
        e->last_try = now;
        e->attempts = 0;
        if (e->in_tried) return false;

        const int bucket = e->GetTriedBucket(key, asmap);
        const int pos = e->GetBucketPosition(key, false, bucket);
        if (test_before_evict && tried_table[bucket][pos] != -1) {
            if (tried_collisions.size() < ADDRMAN_SET_TRIED_COLLISION_SIZE) tried_collisions.insert(id);
            LogDebug(LogCategory::ADDRMAN, "Collision with {} while moving {} to tried (collisions: {})",
                     info.at(tried_table[bucket][pos]).ToStringAddrPort(), addr.ToStringAddrPort(),
                     tried_collisions.size());
            return false;
        }
        MakeTried(*e, id);
        LogDebug(LogCategory::ADDRMAN, "Moved {} to tried[{}][{}]", addr.ToStringAddrPort(), bucket, pos);
        TRACEPOINT(addrman, move_to_good, static_cast<int32_t>(bucket), static_cast<int32_t>(pos),
                   e->ToStringAddrPort().c_str(), e->GetMappedAS(asmap), e->source.ToStringAddr().c_str(),
                   e->source.GetMappedAS(asmap));
        return true;
    }

    void Check() const
    {
        if (check_ratio <= 0) return;
        if (Rand(static_cast<uint64_t>(check_ratio)) != 0) return;
        if (int err = CheckImpl(); err != -1) {
            LogError("ADDRMAN CONSISTENCY CHECK FAILED!!! err={}", err);
        }
    }

    int CheckImpl() const
    {
        int n_new = 0, n_tried = 0;
        std::unordered_map<int, int> refs;
        for (const auto& [id, e] : info) {
            if (e.in_tried) {
                if (e.ref_count != 0) return -2;
                if (!e.last_success) return -3;
                ++n_tried;
            } else {
                if (e.ref_count <= 0 || e.ref_count > ADDRMAN_NEW_BUCKETS_PER_ADDRESS) return -4;
                ++n_new;
            }
            auto it = by_addr.find(e.GetKey());
            if (it == by_addr.end() || it->second != id) return -5;
        }
        if (n_new != new_count || n_tried != tried_count) return -6;
        if (by_addr.size() != info.size()) return -7;
        for (int b = 0; b < ADDRMAN_TRIED_BUCKET_COUNT; ++b) {
            for (int p = 0; p < ADDRMAN_BUCKET_SIZE; ++p) {
                int id = tried_table[b][p];
                if (id == -1) continue;
                auto it = info.find(id);
                if (it == info.end() || !it->second.in_tried) return -8;
                if (it->second.GetTriedBucket(key, asmap) != b) return -9;
                if (it->second.GetBucketPosition(key, false, b) != p) return -10;
            }
        }
        for (int b = 0; b < ADDRMAN_NEW_BUCKET_COUNT; ++b) {
            for (int p = 0; p < ADDRMAN_BUCKET_SIZE; ++p) {
                int id = new_table[b][p];
                if (id == -1) continue;
                auto it = info.find(id);
                if (it == info.end() || it->second.in_tried) return -11;
                if (it->second.GetBucketPosition(key, true, b) != p) return -12;
                ++refs[id];
            }
        }
        for (const auto& [id, e] : info) {
            if (!e.in_tried && refs[id] != e.ref_count) return -13;
        }
        return -1;
    }

    size_t CountNet(std::optional<Network> net, std::optional<bool> in_new) const
    {
        if (!net && !in_new) return info.size();
        if (!net) return *in_new ? new_count : tried_count;
        size_t n = 0;
        for (const auto& [id, e] : info) {
            if (e.GetNetClass() != *net) continue;
            if (in_new && *in_new == e.in_tried) continue;
            ++n;
        }
        return n;
    }
};

// ---------------------------------------------------------------------------
// AddrMan

AddrMan::AddrMan(std::vector<bool> asmap, bool deterministic, int32_t consistency_check_ratio)
    : m_asmap(std::move(asmap))
{
    if (!deterministic) {
        std::random_device rd;
        for (size_t i = 0; i < m_key.size(); i += 4) {
            uint32_t v = rd();
            for (int j = 0; j < 4; ++j) m_key.data()[i + j] = static_cast<unsigned char>(v >> (8 * j));
        }
    } else {
        m_key = uint256(1);
    }
    m_impl = std::make_unique<Impl>(m_key, m_asmap, deterministic, consistency_check_ratio);
}

AddrMan::~AddrMan() = default;

size_t AddrMan::Size(std::optional<Network> net, std::optional<bool> in_new) const
{
    std::lock_guard lock(m_impl->mutex);
    return m_impl->CountNet(net, in_new);
}

bool AddrMan::Add(const std::vector<Address>& addrs, const NetAddr& source, int64_t time_penalty)
{
    std::lock_guard lock(m_impl->mutex);
    m_impl->Check();
    int added = 0;
    for (const auto& a : addrs) added += m_impl->AddSingle(a, source, time_penalty) ? 1 : 0;
    if (added > 0) {
        LogDebug(LogCategory::ADDRMAN, "Added {} addresses (of {}) from {}: {} tried, {} new", added, addrs.size(),
                 source.ToStringAddr(), m_impl->tried_count, m_impl->new_count);
    }
    m_impl->Check();
    return added > 0;
}

bool AddrMan::Good(const Service& addr, int64_t time)
{
    std::lock_guard lock(m_impl->mutex);
    m_impl->Check();
    bool r = m_impl->GoodImpl(addr, /*test_before_evict=*/true, NowOr(time));
    m_impl->Check();
    return r;
}

void AddrMan::Attempt(const Service& addr, bool count_failure, int64_t time)
{
    std::lock_guard lock(m_impl->mutex);
    const int64_t now = NowOr(time);
    AddrInfo* e = m_impl->Find(addr);
    if (!e) return;
    e->last_try = now;
    if (count_failure && e->last_count_attempt < m_impl->last_good) {
        e->last_count_attempt = now;
        ++e->attempts;
    }
}

void AddrMan::ResolveCollisions()
{
    std::lock_guard lock(m_impl->mutex);
    Impl& m = *m_impl;
    m.Check();
    const int64_t now = GetTime();
    for (auto it = m.tried_collisions.begin(); it != m.tried_collisions.end();) {
        const int id_new = *it;
        bool erase = false;
        auto found = m.info.find(id_new);
        if (found == m.info.end()) {
            erase = true;
        } else {
            AddrInfo& e_new = found->second;
            const int bucket = e_new.GetTriedBucket(m.key, m.asmap);
            const int pos = e_new.GetBucketPosition(m.key, false, bucket);
            if (!e_new.IsValid()) {
                erase = true;
            } else if (m.tried_table[bucket][pos] != -1) {
                const AddrInfo& e_old = m.info.at(m.tried_table[bucket][pos]);
                if (now - e_old.last_success < ADDRMAN_REPLACEMENT_SECONDS) {
                    erase = true; // the occupant works: keep it
                } else if (now - e_old.last_try < ADDRMAN_REPLACEMENT_SECONDS) {
                    // Tried recently and not connected (at least a minute ago): replace it.
                    if (now - e_old.last_try > 60) {
                        LogDebug(LogCategory::ADDRMAN, "Replacing {} with {} in tried table",
                                 e_old.ToStringAddrPort(), e_new.ToStringAddrPort());
                        m.GoodImpl(e_new, false, now);
                        erase = true;
                    }
                } else if (now - e_new.last_success > ADDRMAN_TEST_WINDOW_SECONDS) {
                    // The occupant was never tested in time: the newcomer wins.
                    LogDebug(LogCategory::ADDRMAN, "Unable to test; replacing {} with {} in tried table anyway",
                             e_old.ToStringAddrPort(), e_new.ToStringAddrPort());
                    m.GoodImpl(e_new, false, now);
                    erase = true;
                }
            } else {
                m.GoodImpl(e_new, false, now);
                erase = true;
            }
        }
        it = erase ? m.tried_collisions.erase(it) : std::next(it);
    }
    m.Check();
}

std::pair<Address, int64_t> AddrMan::SelectTriedCollision()
{
    std::lock_guard lock(m_impl->mutex);
    Impl& m = *m_impl;
    if (m.tried_collisions.empty()) return {};
    auto it = m.tried_collisions.begin();
    std::advance(it, m.Rand(m.tried_collisions.size()));
    const int id_new = *it;
    auto found = m.info.find(id_new);
    if (found == m.info.end()) {
        m.tried_collisions.erase(it);
        return {};
    }
    const AddrInfo& e_new = found->second;
    const int bucket = e_new.GetTriedBucket(m.key, m.asmap);
    const int pos = e_new.GetBucketPosition(m.key, false, bucket);
    const int id_old = m.tried_table[bucket][pos];
    if (id_old == -1) return {};
    const AddrInfo& e_old = m.info.at(id_old);
    return {static_cast<const Address&>(e_old), e_old.last_try};
}

std::pair<Address, int64_t> AddrMan::Select(bool new_only, std::optional<Network> net) const
{
    std::lock_guard lock(m_impl->mutex);
    const Impl& m = *m_impl;
    if (m.info.empty()) return {};
    const size_t n_new = m.CountNet(net, true);
    const size_t n_tried = new_only ? 0 : m.CountNet(net, false);
    if (n_new == 0 && n_tried == 0) return {};
    const bool use_tried = n_tried > 0 && (n_new == 0 || m.Rand(2) == 0);
    const int64_t now = GetTime();
    const int bucket_count = use_tried ? ADDRMAN_TRIED_BUCKET_COUNT : ADDRMAN_NEW_BUCKET_COUNT;
    double factor = 1.0;
    while (true) {
        const int bucket = static_cast<int>(m.Rand(bucket_count));
        const int start = static_cast<int>(m.Rand(ADDRMAN_BUCKET_SIZE));
        int found = -1;
        for (int i = 0; i < ADDRMAN_BUCKET_SIZE; ++i) {
            const int pos = (start + i) % ADDRMAN_BUCKET_SIZE;
            const int id = use_tried ? m.tried_table[bucket][pos] : m.new_table[bucket][pos];
            if (id == -1) continue;
            if (net && m.info.at(id).GetNetClass() != *net) continue;
            found = id;
            break;
        }
        if (found == -1) continue;
        const AddrInfo& e = m.info.at(found);
        if (m.RandDouble() < factor * e.GetChance(now)) {
            LogDebug(LogCategory::ADDRMAN, "Selected {} from {}", e.ToStringAddrPort(), use_tried ? "tried" : "new");
            return {static_cast<const Address&>(e), e.last_try};
        }
        factor *= 1.2;
    }
}

std::vector<Address> AddrMan::GetAddr(size_t max_addresses, size_t max_pct, std::optional<Network> net,
                                      bool filtered) const
{
    std::lock_guard lock(m_impl->mutex);
    const Impl& m = *m_impl;
    size_t n = m.info.size();
    if (max_pct != 0) n = max_pct * n / 100;
    if (max_addresses != 0) n = std::min(n, max_addresses);
    std::vector<int> ids;
    ids.reserve(m.info.size());
    for (const auto& [id, e] : m.info) ids.push_back(id);
    std::sort(ids.begin(), ids.end()); // deterministic base order before the shuffle
    std::shuffle(ids.begin(), ids.end(), m.rng);
    const int64_t now = GetTime();
    std::vector<Address> out;
    for (int id : ids) {
        if (out.size() >= n) break;
        const AddrInfo& e = m.info.at(id);
        if (net && e.GetNetClass() != *net) continue;
        if (filtered && e.IsTerrible(now)) continue;
        out.push_back(static_cast<const Address&>(e));
    }
    LogDebug(LogCategory::ADDRMAN, "GetAddr returned {} random addresses", out.size());
    return out;
}

std::vector<std::pair<AddrInfo, AddressPosition>> AddrMan::GetEntries(bool from_tried) const
{
    std::lock_guard lock(m_impl->mutex);
    const Impl& m = *m_impl;
    std::vector<std::pair<AddrInfo, AddressPosition>> out;
    const int buckets = from_tried ? ADDRMAN_TRIED_BUCKET_COUNT : ADDRMAN_NEW_BUCKET_COUNT;
    for (int b = 0; b < buckets; ++b) {
        for (int p = 0; p < ADDRMAN_BUCKET_SIZE; ++p) {
            const int id = from_tried ? m.tried_table[b][p] : m.new_table[b][p];
            if (id == -1) continue;
            const AddrInfo& e = m.info.at(id);
            out.emplace_back(e, AddressPosition{from_tried, from_tried ? 1 : e.ref_count, b, p});
        }
    }
    return out;
}

void AddrMan::Connected(const Service& addr, int64_t time)
{
    std::lock_guard lock(m_impl->mutex);
    const int64_t now = NowOr(time);
    AddrInfo* e = m_impl->Find(addr);
    if (!e) return;
    if (now - static_cast<int64_t>(e->time) > 20 * 60) e->time = static_cast<uint32_t>(now);
}

void AddrMan::SetServices(const Service& addr, uint64_t services)
{
    std::lock_guard lock(m_impl->mutex);
    if (AddrInfo* e = m_impl->Find(addr)) e->services = services;
}

std::optional<AddressPosition> AddrMan::FindAddressEntry(const Service& addr) const
{
    std::lock_guard lock(m_impl->mutex);
    const Impl& m = *m_impl;
    const AddrInfo* e = m.Find(addr);
    if (!e) return std::nullopt;
    if (e->in_tried) {
        const int b = e->GetTriedBucket(m.key, m.asmap);
        return AddressPosition{true, 1, b, e->GetBucketPosition(m.key, false, b)};
    }
    const int b = e->GetNewBucket(m.key, m.asmap);
    return AddressPosition{false, e->ref_count, b, e->GetBucketPosition(m.key, true, b)};
}

int AddrMan::CheckConsistency() const
{
    std::lock_guard lock(m_impl->mutex);
    return m_impl->CheckImpl();
}

// ---------------------------------------------------------------------------
// Serialization (the body of peers.dat)
//
//   u8 format (1) | key (32) | asmap checksum (32, zeros without asmap)
//   u32 entry count | entries
//   entry: Address (addrv2 form) | source (BIP155) | i64 last_success
//          | i32 attempts | u8 in_tried | if new: u8 n, n x u16 new buckets

namespace {
constexpr uint8_t PEERS_FORMAT = 1;
}

std::vector<unsigned char> AddrMan::Serialize() const
{
    std::lock_guard lock(m_impl->mutex);
    const Impl& m = *m_impl;
    std::unordered_map<int, std::vector<uint16_t>> buckets_of;
    for (int b = 0; b < ADDRMAN_NEW_BUCKET_COUNT; ++b) {
        for (int p = 0; p < ADDRMAN_BUCKET_SIZE; ++p) {
            if (int id = m.new_table[b][p]; id != -1) buckets_of[id].push_back(static_cast<uint16_t>(b));
        }
    }
    std::vector<int> ids;
    for (const auto& [id, e] : m.info) ids.push_back(id);
    std::sort(ids.begin(), ids.end());

    DataStream s;
    s << PEERS_FORMAT << m.key << AsmapChecksum(m.asmap) << static_cast<uint32_t>(ids.size());
    for (int id : ids) {
        const AddrInfo& e = m.info.at(id);
        e.Address::SerializeV2(s);
        e.source.SerializeV2(s);
        s << e.last_success << static_cast<int32_t>(e.attempts) << static_cast<uint8_t>(e.in_tried ? 1 : 0);
        if (!e.in_tried) {
            const auto& bl = buckets_of[id];
            s << static_cast<uint8_t>(bl.size());
            for (uint16_t b : bl) s << b;
        }
    }
    return std::vector<unsigned char>(s.begin(), s.end());
}

void AddrMan::Unserialize(std::span<const unsigned char> data)
{
    std::lock_guard lock(m_impl->mutex);
    Impl& m = *m_impl;
    if (!m.info.empty()) throw std::ios_base::failure("address manager is not empty");
    DataStream s(data);
    uint8_t format;
    uint256 key, asmap_sum;
    uint32_t count;
    s >> format;
    if (format != PEERS_FORMAT) throw std::ios_base::failure("unsupported peers.dat format " + std::to_string(format));
    s >> key >> asmap_sum >> count;
    m_key = key; // Impl refers to m_key
    const bool same_asmap = asmap_sum == AsmapChecksum(m_asmap);
    for (uint32_t i = 0; i < count; ++i) {
        AddrInfo e;
        e.Address::UnserializeV2(s);
        e.source.UnserializeV2(s);
        int32_t attempts;
        uint8_t in_tried;
        s >> e.last_success >> attempts >> in_tried;
        e.attempts = attempts;
        std::vector<uint16_t> buckets;
        if (!in_tried) {
            uint8_t n;
            s >> n;
            if (n > ADDRMAN_NEW_BUCKETS_PER_ADDRESS) throw std::ios_base::failure("too many buckets");
            for (uint8_t j = 0; j < n; ++j) {
                uint16_t b;
                s >> b;
                if (b >= ADDRMAN_NEW_BUCKET_COUNT) throw std::ios_base::failure("bucket out of range");
                buckets.push_back(b);
            }
        }
        if (m.by_addr.count(e.GetKey())) continue; // duplicate: skip
        if (in_tried) {
            const int b = e.GetTriedBucket(m.key, m.asmap);
            const int p = e.GetBucketPosition(m.key, false, b);
            if (m.tried_table[b][p] == -1) {
                const int id = m.next_id++;
                e.in_tried = true;
                e.ref_count = 0;
                m.by_addr[e.GetKey()] = id;
                m.info.emplace(id, e);
                m.tried_table[b][p] = id;
                ++m.tried_count;
                continue;
            }
            // Its slot is taken (a different asmap): keep it as a new entry.
            buckets.clear();
        }
        if (!same_asmap || buckets.empty()) buckets = {static_cast<uint16_t>(e.GetNewBucket(m.key, m.asmap))};
        const int id = m.next_id;
        e.in_tried = false;
        e.ref_count = 0;
        std::vector<std::pair<int, int>> slots;
        for (uint16_t b : buckets) {
            const int p = e.GetBucketPosition(m.key, true, b);
            if (m.new_table[b][p] == -1) slots.emplace_back(b, p);
        }
        if (slots.empty()) continue;
        ++m.next_id;
        e.ref_count = static_cast<int>(slots.size());
        m.by_addr[e.GetKey()] = id;
        m.info.emplace(id, e);
        for (auto [b, p] : slots) m.new_table[b][p] = id;
        ++m.new_count;
    }
    if (!s.empty()) throw std::ios_base::failure("trailing data in peers.dat");
    if (int err = m.CheckImpl(); err != -1) {
        throw std::ios_base::failure("peers.dat consistency check failed (" + std::to_string(err) + ")");
    }
}

// ---------------------------------------------------------------------------
// peers.dat

bool SaveAddrMan(const AddrMan& addrman, const std::filesystem::path& path,
                 const std::array<unsigned char, 4>& message_start)
{
    std::vector<unsigned char> data(message_start.begin(), message_start.end());
    auto body = addrman.Serialize();
    data.insert(data.end(), body.begin(), body.end());
    HashWriter hw;
    hw.write(data);
    uint256 sum = hw.GetHash();
    data.insert(data.end(), sum.begin(), sum.end());

    const std::filesystem::path tmp = path.string() + ".new";
    FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) {
        LogError("Failed to open {} for writing", tmp.string());
        return false;
    }
    bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
    ok = ok && std::fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = (std::fclose(f) == 0) && ok;
    if (!ok) {
        LogError("Failed to write {}", tmp.string());
        std::error_code ec;
        std::filesystem::remove(tmp, ec);
        return false;
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        LogError("Failed to rename {} to {}: {}", tmp.string(), path.string(), ec.message());
        return false;
    }
    LogDebug(LogCategory::ADDRMAN, "Wrote {} addresses to {}", addrman.Size(), path.string());
    return true;
}

std::unique_ptr<AddrMan> LoadAddrMan(const std::filesystem::path& path,
                                     const std::array<unsigned char, 4>& message_start,
                                     std::vector<bool> asmap, int32_t consistency_check_ratio,
                                     std::string& warning)
{
    warning.clear();
    auto addrman = std::make_unique<AddrMan>(asmap, /*deterministic=*/false, consistency_check_ratio);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        LogInfo("Creating {} because the file was not found ({})", path.filename().string(), path.string());
        return addrman;
    }
    std::string error;
    {
        std::ifstream in(path, std::ios::binary);
        std::vector<unsigned char> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (!in.good() && !in.eof()) {
            error = "read error";
        } else if (data.size() < 4 + 32) {
            error = "file too short";
        } else if (!std::equal(message_start.begin(), message_start.end(), data.begin())) {
            error = "invalid network magic number";
        } else {
            HashWriter hw;
            hw.write(std::span<const unsigned char>(data.data(), data.size() - 32));
            uint256 sum = hw.GetHash();
            if (!std::equal(sum.begin(), sum.end(), data.end() - 32)) {
                error = "checksum mismatch";
            } else {
                try {
                    addrman->Unserialize(std::span<const unsigned char>(data.data() + 4, data.size() - 4 - 32));
                } catch (const std::exception& e) {
                    error = e.what();
                }
            }
        }
    }
    if (error.empty()) {
        LogInfo("Loaded {} addresses from {}", addrman->Size(), path.filename().string());
        return addrman;
    }
    const std::filesystem::path corrupt = path.string() + ".corrupt";
    std::filesystem::rename(path, corrupt, ec);
    warning = "Invalid or corrupt " + path.filename().string() + " (" + error + "); renamed to " +
              corrupt.filename().string() + " and starting with an empty address manager";
    LogWarning("{}", warning);
    return std::make_unique<AddrMan>(std::move(asmap), /*deterministic=*/false, consistency_check_ratio);
}

std::vector<bool> LoadAsmap(const std::filesystem::path& path, std::string& error)
{
    std::vector<bool> bits;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = "Could not find asmap file " + path.string();
        return bits;
    }
    std::vector<unsigned char> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (data.empty()) {
        error = "Could not parse asmap file " + path.string();
        return bits;
    }
    bits.reserve(data.size() * 8);
    for (unsigned char c : data) {
        for (int i = 0; i < 8; ++i) bits.push_back((c >> i) & 1);
    }
    return bits;
}

void RegisterAddrManOptions(ArgsManager& args)
{
    args.AddArg("-asmap=<file>",
                "File mapping IP prefixes to AS numbers, used to group peers by AS when bucketing (a relative path is taken from the network's data directory; default: ip_asn.map)",
                ALLOW_ANY, OptionsCategory::CONNECTION);
    args.AddArg("-checkaddrman=<n>",
                "Check the address manager's internal consistency on one in <n> operations, 0 never (default: 0)",
                ALLOW_ANY | DEBUG_ONLY, OptionsCategory::DEBUG_TEST);
}

} // namespace net
