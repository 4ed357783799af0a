#include <kernel/coins.h>

#include <crypto/siphash.h>
#include <util/trace.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>
#include <random>
#include <stdexcept>

size_t MallocUsage(size_t bytes)
{
    if (bytes == 0) return 0;
    return std::max<size_t>(32, (bytes + 8 + 15) & ~size_t{15});
}

size_t Coin::DynamicMemoryUsage() const
{
    return MallocUsage(out.script_pubkey.heap_bytes());
}

namespace {
struct SipKeys {
    uint64_t k0;
    uint64_t k1;
};
// One random key pair per process.
const SipKeys& ProcessSipKeys()
{
    static const SipKeys keys = [] {
        std::random_device rd;
        auto draw = [&rd] { return (uint64_t{rd()} << 32) | rd(); };
        return SipKeys{draw(), draw()};
    }();
    return keys;
}
std::atomic<uint64_t> g_trace_argument_evaluations{0};

// The value argument of the utxocache probes. Counting its evaluations lets
// the tests prove that probe arguments are computed only while traced.
int64_t TraceValue(const Coin& coin)
{
    g_trace_argument_evaluations.fetch_add(1, std::memory_order_relaxed);
    return static_cast<int64_t>(coin.out.value);
}
} // namespace

uint64_t UtxoCacheTraceArgumentEvaluations() { return g_trace_argument_evaluations.load(std::memory_order_relaxed); }

SaltedOutpointHasher::SaltedOutpointHasher() : m_k0(ProcessSipKeys().k0), m_k1(ProcessSipKeys().k1) {}

size_t SaltedOutpointHasher::operator()(const OutPoint& outpoint) const noexcept
{
    return static_cast<size_t>(SipHashUint256Extra(
        m_k0, m_k1, std::span<const unsigned char, 32>(outpoint.hash.data(), 32), outpoint.n));
}

// ---------------------------------------------------------------------------
// CoinsNodePool

namespace {
// Chunks double from 4 KiB to 256 KiB: a small cache (a block's view) stays
// small, a big one makes few malloc calls. Each request is 8 bytes short of
// a power of two so that with malloc's header it fills its chunk exactly,
// whether malloc serves it from the heap or maps it.
constexpr size_t FIRST_CHUNK = size_t{4} << 10;
constexpr size_t MAX_CHUNK = size_t{256} << 10;
constexpr size_t MALLOC_HEADER = 8;
} // namespace

CoinsNodePool::~CoinsNodePool()
{
    for (void* chunk : m_chunks) std::free(chunk);
}

void CoinsNodePool::NewChunk()
{
    const size_t chunk = std::min(MAX_CHUNK, FIRST_CHUNK << std::min<size_t>(m_chunks.size(), 6));
    const size_t request = std::max(chunk - MALLOC_HEADER, m_node_bytes);
    void* p = std::malloc(request);
    if (!p) throw std::bad_alloc();
    m_chunks.push_back(p);
    m_chunk_bytes += MallocUsage(request);
    m_next = static_cast<char*>(p);
    m_end = m_next + request;
}

// ---------------------------------------------------------------------------
// CoinsView: an empty view.

std::optional<Coin> CoinsView::GetCoin(const OutPoint&) const { return std::nullopt; }
bool CoinsView::HaveCoin(const OutPoint& outpoint) const { return GetCoin(outpoint).has_value(); }
uint256 CoinsView::GetBestBlock() const { return uint256(); }
std::vector<uint256> CoinsView::GetHeadBlocks() const { return {}; }
bool CoinsView::BatchWrite(CoinsMap&, const uint256&, bool) { return false; }
size_t CoinsView::EstimateSize() const { return 0; }
std::unique_ptr<CoinsCursor> CoinsView::Cursor() const { return nullptr; }

std::optional<Coin> CoinsViewBacked::GetCoin(const OutPoint& o) const { return m_base->GetCoin(o); }
bool CoinsViewBacked::HaveCoin(const OutPoint& o) const { return m_base->HaveCoin(o); }
uint256 CoinsViewBacked::GetBestBlock() const { return m_base->GetBestBlock(); }
std::vector<uint256> CoinsViewBacked::GetHeadBlocks() const { return m_base->GetHeadBlocks(); }
bool CoinsViewBacked::BatchWrite(CoinsMap& map, const uint256& best, bool erase)
{
    return m_base->BatchWrite(map, best, erase);
}
size_t CoinsViewBacked::EstimateSize() const { return m_base->EstimateSize(); }
std::unique_ptr<CoinsCursor> CoinsViewBacked::Cursor() const { return m_base->Cursor(); }

// ---------------------------------------------------------------------------
// CoinsViewCache

namespace {
// Elements per bucket before the map rehashes (it then doubles the buckets):
// 5.3 to 10.7 bytes of bucket array per coin instead of 8 to 16 at 1.0, for
// a slightly longer walk along a bucket on a lookup.
constexpr float COINS_MAP_LOAD_FACTOR = 1.5f;
} // namespace

CoinsViewCache::CoinsViewCache(CoinsView* base) : CoinsViewBacked(base)
{
    m_cache.max_load_factor(COINS_MAP_LOAD_FACTOR);
}

CoinsMap::iterator CoinsViewCache::FetchCoin(const OutPoint& outpoint) const
{
    auto it = m_cache.find(outpoint);
    if (it != m_cache.end()) return it;
    std::optional<Coin> coin = m_base->GetCoin(outpoint);
    if (!coin || coin->IsSpent()) return m_cache.end();
    it = m_cache.emplace(outpoint, CoinsCacheEntry(std::move(*coin))).first;
    m_cached_coins_usage += it->second.coin.DynamicMemoryUsage();
    return it;
}

std::optional<Coin> CoinsViewCache::GetCoin(const OutPoint& outpoint) const
{
    auto it = FetchCoin(outpoint);
    if (it == m_cache.end() || it->second.coin.IsSpent()) return std::nullopt;
    return it->second.coin;
}

const Coin& CoinsViewCache::AccessCoin(const OutPoint& outpoint) const
{
    static const Coin spent;
    auto it = FetchCoin(outpoint);
    return it == m_cache.end() ? spent : it->second.coin;
}

bool CoinsViewCache::HaveCoin(const OutPoint& outpoint) const
{
    auto it = FetchCoin(outpoint);
    return it != m_cache.end() && !it->second.coin.IsSpent();
}

bool CoinsViewCache::HaveCoinInCache(const OutPoint& outpoint) const
{
    auto it = m_cache.find(outpoint);
    return it != m_cache.end() && !it->second.coin.IsSpent();
}

uint256 CoinsViewCache::GetBestBlock() const
{
    if (m_best_block.IsNull()) m_best_block = m_base->GetBestBlock();
    return m_best_block;
}

void CoinsViewCache::AddCoin(const OutPoint& outpoint, Coin&& coin, bool possible_overwrite)
{
    if (coin.out.script_pubkey.IsUnspendable()) return;  // can never be spent: not worth a byte
    auto [it, inserted] = m_cache.try_emplace(outpoint);
    CoinsCacheEntry& entry = it->second;
    bool fresh = false;
    if (!possible_overwrite) {
        if (!entry.coin.IsSpent()) {
            throw std::logic_error("Attempted to overwrite an unspent coin (when possible_overwrite is false)");
        }
        // A spent entry that is DIRTY must reach the parent to delete the
        // parent's unspent version: it cannot become FRESH.
        fresh = !(entry.flags & CoinsCacheEntry::DIRTY);
    }
    if (!inserted) m_cached_coins_usage -= entry.coin.DynamicMemoryUsage();
    entry.coin = std::move(coin);
    entry.flags |= CoinsCacheEntry::DIRTY | (fresh ? CoinsCacheEntry::FRESH : 0);
    m_cached_coins_usage += entry.coin.DynamicMemoryUsage();
    TRACEPOINT(utxocache, add, outpoint.hash.data(), outpoint.n, entry.coin.height, TraceValue(entry.coin),
               entry.coin.coinbase);
}

bool CoinsViewCache::SpendCoin(const OutPoint& outpoint, Coin* moveto)
{
    auto it = FetchCoin(outpoint);
    if (it == m_cache.end() || it->second.coin.IsSpent()) return false;
    CoinsCacheEntry& entry = it->second;
    m_cached_coins_usage -= entry.coin.DynamicMemoryUsage();
    TRACEPOINT(utxocache, spent, outpoint.hash.data(), outpoint.n, entry.coin.height,
               TraceValue(entry.coin), entry.coin.coinbase);
    if (moveto) *moveto = std::move(entry.coin);
    if (entry.flags & CoinsCacheEntry::FRESH) {
        m_cache.erase(it);
    } else {
        entry.flags |= CoinsCacheEntry::DIRTY;
        entry.coin.Clear();
    }
    return true;
}

void CoinsViewCache::Uncache(const OutPoint& outpoint)
{
    auto it = m_cache.find(outpoint);
    if (it == m_cache.end() || it->second.flags != 0) return;
    const Coin& coin = it->second.coin;
    TRACEPOINT(utxocache, uncache, outpoint.hash.data(), outpoint.n, coin.height, TraceValue(coin), coin.coinbase);
    m_cached_coins_usage -= coin.DynamicMemoryUsage();
    m_cache.erase(it);
}

// One DIRTY entry of a child cache applied to this (parent) cache.
void CoinsViewCache::ApplyChildEntry(const OutPoint& outpoint, CoinsCacheEntry& child, bool move)
{
    const bool child_fresh = child.flags & CoinsCacheEntry::FRESH;
    auto it = m_cache.find(outpoint);
    if (it == m_cache.end()) {
        // Spent and FRESH: neither we nor our base have it; nothing to do.
        if (child_fresh && child.coin.IsSpent()) return;
        CoinsCacheEntry& entry = m_cache[outpoint];
        entry.coin = move ? std::move(child.coin) : child.coin;
        // FRESH carries over: what the child knew about its parent (us) and
        // our base holds for us, since we had no entry.
        entry.flags = CoinsCacheEntry::DIRTY | (child_fresh ? CoinsCacheEntry::FRESH : 0);
        m_cached_coins_usage += entry.coin.DynamicMemoryUsage();
        return;
    }
    CoinsCacheEntry& entry = it->second;
    if (child_fresh && !entry.coin.IsSpent()) {
        throw std::logic_error("FRESH flag misapplied to coin that exists in parent cache");
    }
    m_cached_coins_usage -= entry.coin.DynamicMemoryUsage();
    if ((entry.flags & CoinsCacheEntry::FRESH) && child.coin.IsSpent()) {
        // Our base never saw it: forget it.
        m_cache.erase(it);
        return;
    }
    entry.coin = move ? std::move(child.coin) : child.coin;
    entry.flags |= CoinsCacheEntry::DIRTY;
    m_cached_coins_usage += entry.coin.DynamicMemoryUsage();
}

bool CoinsViewCache::BatchWrite(CoinsMap& map, const uint256& best_block, bool erase)
{
    for (auto& [outpoint, child] : map) {
        if (child.flags & CoinsCacheEntry::DIRTY) ApplyChildEntry(outpoint, child, erase);
    }
    m_best_block = best_block;
    return true;
}

bool CoinsViewCache::Flush()
{
    const bool ok = m_base->BatchWrite(m_cache, GetBestBlock(), /*erase=*/true);
    // A fresh map: the old one's node pool and bucket array go back to malloc.
    CoinsMap().swap(m_cache);
    m_cache.max_load_factor(COINS_MAP_LOAD_FACTOR);
    m_cached_coins_usage = 0;
    return ok;
}

bool CoinsViewCache::Sync()
{
    const bool ok = m_base->BatchWrite(m_cache, GetBestBlock(), /*erase=*/false);
    for (auto it = m_cache.begin(); it != m_cache.end();) {
        if (it->second.coin.IsSpent()) {
            m_cached_coins_usage -= it->second.coin.DynamicMemoryUsage();
            it = m_cache.erase(it);
        } else {
            it->second.flags = 0;
            ++it;
        }
    }
    return ok;
}

size_t CoinsViewCache::DynamicMemoryUsage() const
{
    // The node pool's chunks (libstdc++ nodes: the next pointer and the
    // value, no cached hash as the hasher is noexcept), the bucket array of
    // pointers, and the scripts too long to be kept inline.
    const size_t buckets = m_cache.bucket_count() > 1 ? MallocUsage(sizeof(void*) * m_cache.bucket_count()) : 0;
    return m_cache.get_allocator().Pool().MemoryUsage() + buckets + m_cached_coins_usage;
}

bool CoinsViewCache::HaveInputs(const Transaction& tx) const
{
    if (tx.IsCoinBase()) return true;
    for (const TxIn& in : tx.vin) {
        if (!HaveCoin(in.prevout)) return false;
    }
    return true;
}

std::optional<uint8_t> CoinsViewCache::GetEntryFlags(const OutPoint& outpoint) const
{
    auto it = m_cache.find(outpoint);
    if (it == m_cache.end()) return std::nullopt;
    return it->second.flags;
}

bool CoinsViewCache::SanityCheck() const
{
    size_t usage = 0;
    for (const auto& [outpoint, entry] : m_cache) {
        usage += entry.coin.DynamicMemoryUsage();
        if ((entry.flags & CoinsCacheEntry::FRESH) && entry.coin.IsSpent()) return false;
        // Every entry is either clean and unspent (a loaded copy), or DIRTY.
        if (!(entry.flags & CoinsCacheEntry::DIRTY) && entry.coin.IsSpent()) return false;
        if (entry.flags == CoinsCacheEntry::FRESH) return false;
    }
    return usage == m_cached_coins_usage;
}

void AddCoins(CoinsViewCache& cache, const Transaction& tx, int height, bool check_for_overwrite)
{
    const bool coinbase = tx.IsCoinBase();
    const uint256& txid = tx.GetHash();
    for (uint32_t i = 0; i < tx.vout.size(); ++i) {
        const OutPoint outpoint{txid, i};
        const bool overwrite = check_for_overwrite ? cache.HaveCoin(outpoint) : coinbase;
        cache.AddCoin(outpoint, Coin(tx.vout[i], static_cast<uint32_t>(height), coinbase), overwrite);
    }
}
