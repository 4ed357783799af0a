#pragma once

// Unspent transaction outputs: the Coin, the view interface over a set of
// coins, and the in-memory cache layered over another view (the database, or
// another cache for a block being connected or a transaction being tested).
//
// Cache entries carry two flags:
//  - DIRTY: the entry differs from the parent view and is written on flush;
//  - FRESH: the parent view has no unspent version of this coin, so spending
//    it in the cache simply forgets it (nothing to delete below).

#include <consensus/amount.h>
#include <kernel/compressor.h>
#include <primitives/transaction.h>
#include <serialize.h>
#include <uint256.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <type_traits>
#include <unordered_map>
#include <vector>

// One unspent output with the height and kind of the transaction that made it.
struct Coin {
    TxOut out;
    uint32_t height = 0;
    bool coinbase = false;

    Coin() = default;
    Coin(TxOut out_in, uint32_t height_in, bool coinbase_in)
        : out(std::move(out_in)), height(height_in), coinbase(coinbase_in) {}

    // A spent (or never existing) coin is represented by a null output.
    bool IsSpent() const { return out.IsNull(); }
    void Clear()
    {
        // Release the script's heap block too: a spent coin costs no more
        // than its entry.
        out.value = -1;
        Script().swap(out.script_pubkey);
        height = 0;
        coinbase = false;
    }
    // Heap bytes held by the coin (its script), as the allocator counts them.
    size_t DynamicMemoryUsage() const;

    friend bool operator==(const Coin&, const Coin&) = default;

    // VARINT(height * 2 + coinbase), then the compressed output. A spent coin
    // is never serialized.
    template <typename Stream>
    void Serialize(Stream& s) const
    {
        WriteVarInt(s, uint64_t{height} * 2 + (coinbase ? 1 : 0));
        s << CompressedTxOut(out);
    }
    template <typename Stream>
    void Unserialize(Stream& s)
    {
        const uint64_t code = ReadVarInt(s, (uint64_t{std::numeric_limits<uint32_t>::max()} << 1) | 1);
        height = static_cast<uint32_t>(code >> 1);
        coinbase = code & 1;
        TxOut tmp;
        s >> CompressedTxOut(tmp);
        out = std::move(tmp);
    }
};

// Bytes glibc's malloc takes for a request of `bytes` (64-bit): the request
// plus an 8-byte header, rounded up to 16, at least 32. Zero for zero.
size_t MallocUsage(size_t bytes);

// SipHash of an outpoint with a per-process random key, so peers cannot
// choose txids that collide in our tables.
class SaltedOutpointHasher {
public:
    SaltedOutpointHasher();
    size_t operator()(const OutPoint& outpoint) const noexcept;

private:
    uint64_t m_k0;
    uint64_t m_k1;
};

struct CoinsCacheEntry {
    enum Flags : uint8_t { DIRTY = 1, FRESH = 2 };
    // no_unique_address lets flags live in Coin's tail padding: 8 bytes less
    // per entry and per (pooled) map node, 88 bytes with the key.
    [[no_unique_address]] Coin coin;
    uint8_t flags = 0;

    CoinsCacheEntry() = default;
    explicit CoinsCacheEntry(Coin&& c) : coin(std::move(c)) {}
};
#if defined(__GNUC__) && defined(__x86_64__)
static_assert(sizeof(CoinsCacheEntry) == sizeof(Coin), "flags expected in Coin's tail padding");
#endif

// Storage for the coins map's nodes: carved from chunks the pool gets from
// malloc (growing to 256 KiB), reused through a free list, so a node costs
// exactly its size instead of its size plus malloc's header and rounding.
// Memory goes back to malloc when the pool is destroyed (with its map).
class CoinsNodePool {
public:
    CoinsNodePool() = default;
    ~CoinsNodePool();
    CoinsNodePool(const CoinsNodePool&) = delete;
    CoinsNodePool& operator=(const CoinsNodePool&) = delete;

    // Whether requests of this size come from the pool (the first size asked
    // for becomes the pool's; every node of a map has the same size).
    bool Serves(size_t bytes) noexcept
    {
        if (m_node_bytes == 0 && bytes >= sizeof(void*)) m_node_bytes = bytes;
        return bytes == m_node_bytes;
    }
    void* Allocate()
    {
        if (m_free) {
            void* p = m_free;
            m_free = *static_cast<void**>(p);
            return p;
        }
        if (m_next + m_node_bytes > m_end) NewChunk();
        void* p = m_next;
        m_next += m_node_bytes;
        return p;
    }
    void Deallocate(void* p) noexcept
    {
        *static_cast<void**>(p) = m_free;
        m_free = p;
    }
    // Bytes malloc holds for the pool's chunks.
    size_t MemoryUsage() const noexcept { return m_chunk_bytes; }

private:
    void NewChunk();

    size_t m_node_bytes = 0;
    std::vector<void*> m_chunks;
    size_t m_chunk_bytes = 0;
    void* m_free = nullptr;
    char* m_next = nullptr;
    char* m_end = nullptr;
};

// Allocator of the coins map: nodes from a CoinsNodePool shared by the
// map's rebound copies, everything else (the bucket array) from the heap.
template <typename T>
class CoinsMapAllocator {
public:
    using value_type = T;
    using propagate_on_container_copy_assignment = std::true_type;
    using propagate_on_container_move_assignment = std::true_type;
    using propagate_on_container_swap = std::true_type;

    CoinsMapAllocator() : m_pool(std::make_shared<CoinsNodePool>()) {}
    template <typename U>
    CoinsMapAllocator(const CoinsMapAllocator<U>& other) noexcept : m_pool(other.m_pool) {}
    // A copied map gets its own pool.
    CoinsMapAllocator select_on_container_copy_construction() const { return CoinsMapAllocator(); }

    T* allocate(size_t n)
    {
        if (n == 1 && m_pool->Serves(sizeof(T))) return static_cast<T*>(m_pool->Allocate());
        return std::allocator<T>().allocate(n);
    }
    void deallocate(T* p, size_t n) noexcept
    {
        if (n == 1 && m_pool->Serves(sizeof(T))) {
            m_pool->Deallocate(p);
        } else {
            std::allocator<T>().deallocate(p, n);
        }
    }
    const CoinsNodePool& Pool() const { return *m_pool; }

    template <typename U>
    friend bool operator==(const CoinsMapAllocator& a, const CoinsMapAllocator<U>& b) noexcept
    {
        return a.m_pool == b.m_pool;
    }

private:
    template <typename U>
    friend class CoinsMapAllocator;
    std::shared_ptr<CoinsNodePool> m_pool;
};

using CoinsMap = std::unordered_map<OutPoint, CoinsCacheEntry, SaltedOutpointHasher, std::equal_to<OutPoint>,
                                    CoinsMapAllocator<std::pair<const OutPoint, CoinsCacheEntry>>>;

// Walks every coin of a view in key order.
class CoinsCursor {
public:
    virtual ~CoinsCursor() = default;
    virtual bool Valid() const = 0;
    virtual void Next() = 0;
    virtual bool GetKey(OutPoint& key) const = 0;
    virtual bool GetValue(Coin& coin) const = 0;
};

// A set of coins as of some block.
class CoinsView {
public:
    virtual ~CoinsView() = default;
    // The unspent coin at outpoint, if any.
    virtual std::optional<Coin> GetCoin(const OutPoint& outpoint) const;
    virtual bool HaveCoin(const OutPoint& outpoint) const;
    // The block whose state this view represents (null: empty view).
    virtual uint256 GetBestBlock() const;
    // Non-empty when a flush was interrupted: {new best block, old best
    // block}. The coins are then a mix of the two states until repaired.
    virtual std::vector<uint256> GetHeadBlocks() const;
    // Applies the DIRTY entries of map and moves to best_block. erase: the
    // caller drops map afterwards, so entries may be moved out of it.
    virtual bool BatchWrite(CoinsMap& map, const uint256& best_block, bool erase);
    // Estimated bytes on disk (0 when unknown).
    virtual size_t EstimateSize() const;
    // Every coin in key order; nullptr when the view cannot enumerate.
    virtual std::unique_ptr<CoinsCursor> Cursor() const;
};

// Forwards everything to another view.
class CoinsViewBacked : public CoinsView {
public:
    explicit CoinsViewBacked(CoinsView* base) : m_base(base) {}
    void SetBackend(CoinsView& base) { m_base = &base; }

    std::optional<Coin> GetCoin(const OutPoint& outpoint) const override;
    bool HaveCoin(const OutPoint& outpoint) const override;
    uint256 GetBestBlock() const override;
    std::vector<uint256> GetHeadBlocks() const override;
    bool BatchWrite(CoinsMap& map, const uint256& best_block, bool erase) override;
    size_t EstimateSize() const override;
    std::unique_ptr<CoinsCursor> Cursor() const override;

protected:
    CoinsView* m_base;
};

// Coins held in memory over a base view. Not thread-safe: callers hold the
// chain lock. References returned by AccessCoin stay valid until the entry
// is spent, uncached, or the cache is flushed.
class CoinsViewCache : public CoinsViewBacked {
public:
    explicit CoinsViewCache(CoinsView* base);
    CoinsViewCache(const CoinsViewCache&) = delete;
    CoinsViewCache& operator=(const CoinsViewCache&) = delete;

    std::optional<Coin> GetCoin(const OutPoint& outpoint) const override;
    bool HaveCoin(const OutPoint& outpoint) const override;
    uint256 GetBestBlock() const override;
    bool BatchWrite(CoinsMap& map, const uint256& best_block, bool erase) override;
    // The cache holds unflushed state: enumerating only the base would lie.
    std::unique_ptr<CoinsCursor> Cursor() const override { return nullptr; }

    // The coin, loaded from the base if needed; a spent coin if none.
    const Coin& AccessCoin(const OutPoint& outpoint) const;
    // Whether an unspent coin is in the cache, without loading it.
    bool HaveCoinInCache(const OutPoint& outpoint) const;

    // Adds a coin. possible_overwrite false promises that no unspent coin
    // exists at outpoint in this or any base view (throws std::logic_error
    // if this cache holds one). Unspendable outputs are not stored.
    void AddCoin(const OutPoint& outpoint, Coin&& coin, bool possible_overwrite);
    // Spends the coin (moved into *moveto if given); false when there is none.
    bool SpendCoin(const OutPoint& outpoint, Coin* moveto = nullptr);
    // Drops an unmodified cached coin (loaded only to be looked at).
    void Uncache(const OutPoint& outpoint);

    // Writes the modified entries to the base and empties the cache.
    bool Flush();
    // Writes the modified entries to the base and keeps the unspent ones,
    // now clean.
    bool Sync();

    void SetBestBlock(const uint256& block) { m_best_block = block; }

    // Entries in the cache (spent ones not yet flushed included).
    unsigned GetCacheSize() const { return static_cast<unsigned>(m_cache.size()); }
    // Bytes of memory: map nodes, bucket array and script heap.
    size_t DynamicMemoryUsage() const;
    // Every input's coin exists unspent (false for a coinbase's null input).
    bool HaveInputs(const Transaction& tx) const;

    // For tests: the flags of a cached entry, or nullopt when not cached.
    std::optional<uint8_t> GetEntryFlags(const OutPoint& outpoint) const;
    // For tests: recomputes the script heap bytes and compares with the
    // running count; also checks that no FRESH entry is spent.
    bool SanityCheck() const;

private:
    CoinsMap::iterator FetchCoin(const OutPoint& outpoint) const;
    void ApplyChildEntry(const OutPoint& outpoint, CoinsCacheEntry& child, bool move);

    mutable CoinsMap m_cache;
    mutable uint256 m_best_block;
    // Heap bytes of the cached coins' scripts.
    mutable size_t m_cached_coins_usage = 0;
};

// Adds every output of tx at height. check_for_overwrite: look the outputs
// up first (BIP30 duplicate-txid situations) instead of assuming they are new;
// coinbases always allow overwriting (the two historical duplicates).
void AddCoins(CoinsViewCache& cache, const Transaction& tx, int height, bool check_for_overwrite = false);

// For tests: how many times a utxocache probe computed its arguments (only
// while a tracer is attached, i.e. its semaphore is raised).
uint64_t UtxoCacheTraceArgumentEvaluations();

// The numbers are part of the utxocache:flush tracepoint's layout.
enum class FlushStateMode : uint32_t { NONE = 0, IF_NEEDED = 1, PERIODIC = 2, FORCE_FLUSH = 3, FORCE_SYNC = 4 };
