// The coins cache: FRESH/DIRTY truth tables, a randomized simulation over a
// stack of caches checked against a plain map after every step, the
// database's flush markers, and the utxocache probes' semaphore behaviour.
#include <kernel/coins.h>
#include <kernel/coins_db.h>
#include <streams.h>
#include <util/trace.h>

#include <boost/test/unit_test.hpp>

#include <malloc.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

namespace fs = std::filesystem;

namespace {
constexpr uint8_t DIRTY = CoinsCacheEntry::DIRTY;
constexpr uint8_t FRESH = CoinsCacheEntry::FRESH;

struct TempDir {
    fs::path path;
    TempDir()
    {
        std::random_device rd;
        path = fs::temp_directory_path() / ("coins_tests_" + std::to_string(rd()) + std::to_string(rd()));
        fs::create_directories(path);
    }
    ~TempDir()
    {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

// A base view in memory: what the database would hold.
class MemoryCoinsView : public CoinsView {
public:
    std::optional<Coin> GetCoin(const OutPoint& o) const override
    {
        auto it = m_coins.find(o);
        if (it == m_coins.end()) return std::nullopt;
        return it->second;
    }
    uint256 GetBestBlock() const override { return m_best; }
    bool BatchWrite(CoinsMap& map, const uint256& best, bool) override
    {
        for (auto& [o, e] : map) {
            if (!(e.flags & DIRTY)) continue;
            if (e.coin.IsSpent()) {
                m_coins.erase(o);
            } else {
                m_coins[o] = e.coin;
            }
        }
        m_best = best;
        return true;
    }
    std::map<OutPoint, Coin> m_coins;
    uint256 m_best;
};

uint256 RandomHash(std::mt19937_64& rng)
{
    uint256 h;
    for (int i = 0; i < 32; i += 8) {
        const uint64_t r = rng();
        for (int j = 0; j < 8; ++j) h.data()[i + j] = static_cast<unsigned char>(r >> (8 * j));
    }
    return h;
}

Script RandomScript(std::mt19937_64& rng)
{
    switch (rng() % 6) {
    case 0: {  // P2PKH
        Script s{OP_DUP, OP_HASH160, 20};
        for (int i = 0; i < 20; ++i) s.push_back(static_cast<unsigned char>(rng()));
        s.push_back(OP_EQUALVERIFY);
        s.push_back(OP_CHECKSIG);
        return s;
    }
    case 1: {  // P2WPKH
        Script s{OP_0, 20};
        for (int i = 0; i < 20; ++i) s.push_back(static_cast<unsigned char>(rng()));
        return s;
    }
    case 2:  // unspendable: never stored
        return Script{OP_RETURN, 1, 0x2a};
    default: {
        Script s(rng() % 60, 0);
        for (auto& b : s) b = static_cast<unsigned char>(rng() % 0x60);  // no OP_RETURN first byte
        if (!s.empty() && s[0] == OP_RETURN) s[0] = OP_1;
        return s;
    }
    }
}

Coin RandomCoin(std::mt19937_64& rng)
{
    TxOut out;
    out.value = static_cast<Amount>(rng() % (50 * COIN));
    out.script_pubkey = RandomScript(rng);
    return Coin(std::move(out), static_cast<uint32_t>(rng() % 800000), rng() % 5 == 0);
}

Coin SimpleCoin(Amount value)
{
    TxOut out;
    out.value = value;
    out.script_pubkey = Script{OP_1};
    return Coin(std::move(out), 1, false);
}

OutPoint Op(uint8_t b, uint32_t n = 0)
{
    OutPoint o;
    o.hash.data()[0] = b;
    o.n = n;
    return o;
}

// ---------------------------------------------------------------------------
// States an entry can be in, built through the public interface on a cache
// over a base whose coin at Op(1) is `base_has`.
enum class State { ABSENT, CLEAN, DIRTY_UNSPENT, FRESH_UNSPENT, DIRTY_SPENT };

void Prepare(CoinsViewCache& cache, State state, const OutPoint& o)
{
    switch (state) {
    case State::ABSENT: break;
    case State::CLEAN: BOOST_REQUIRE(!cache.AccessCoin(o).IsSpent()); break;
    case State::DIRTY_UNSPENT: cache.AddCoin(o, SimpleCoin(2), true); break;
    case State::FRESH_UNSPENT: cache.AddCoin(o, SimpleCoin(3), false); break;
    case State::DIRTY_SPENT: BOOST_REQUIRE(cache.SpendCoin(o)); break;
    }
}
bool BaseHasCoin(State s) { return s == State::CLEAN || s == State::DIRTY_UNSPENT || s == State::DIRTY_SPENT; }

std::optional<uint8_t> Flags(const CoinsViewCache& c, const OutPoint& o) { return c.GetEntryFlags(o); }
constexpr std::optional<uint8_t> NONE = std::nullopt;

// ---------------------------------------------------------------------------
// The serialized database key of an outpoint, for the hash in key order.
std::vector<unsigned char> DbKey(const OutPoint& o)
{
    DataStream s;
    s << uint8_t{'C'} << o.hash;
    WriteVarInt(s, o.n);
    return {s.begin(), s.end()};
}

uint256 ModelHash(const std::map<OutPoint, Coin>& model)
{
    std::vector<std::pair<std::vector<unsigned char>, const std::pair<const OutPoint, Coin>*>> sorted;
    for (const auto& kv : model) sorted.emplace_back(DbKey(kv.first), &kv);
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    HashWriter hw;
    for (const auto& [key, kv] : sorted) hw << kv->first << kv->second;
    return hw.GetSHA256();
}

// ---------------------------------------------------------------------------
// The simulation: a stack of caches over a base, one model map per layer.
struct Simulation {
    std::mt19937_64 rng;
    CoinsView* base;
    std::vector<std::unique_ptr<CoinsViewCache>> caches;
    std::vector<std::map<OutPoint, Coin>> models;  // [0] base, [i] cache i
    std::vector<OutPoint> universe;
    unsigned adds = 0, spends = 0, uncaches = 0, flushes = 0, syncs = 0, overwrites = 0;

    Simulation(uint64_t seed, CoinsView* base_in) : rng(seed), base(base_in)
    {
        for (int i = 0; i < 400; ++i) universe.push_back(OutPoint{RandomHash(rng), static_cast<uint32_t>(rng() % 4)});
        models.emplace_back();
        while (caches.size() < 3) Push();
    }
    CoinsViewCache& Top() { return *caches.back(); }
    CoinsView* Below(size_t i) { return i == 0 ? base : caches[i - 1].get(); }
    void Push()
    {
        caches.push_back(std::make_unique<CoinsViewCache>(caches.empty() ? base : caches.back().get()));
        models.push_back(models.back());
    }
    const OutPoint& Pick() { return universe[rng() % universe.size()]; }

    void Step()
    {
        const unsigned r = rng() % 100;
        const OutPoint& o = Pick();
        auto& model = models.back();
        if (r < 40) {
            Coin coin = RandomCoin(rng);
            const bool exists = model.count(o) > 0;
            const bool po = exists || rng() % 2;
            const bool unspendable = coin.out.script_pubkey.IsUnspendable();
            if (!unspendable) model[o] = coin;
            overwrites += exists;
            Top().AddCoin(o, std::move(coin), po);
            if (!unspendable) BOOST_REQUIRE(Top().GetEntryFlags(o).value() & DIRTY);
            ++adds;
        } else if (r < 70) {
            Coin moved;
            const bool had = model.count(o) > 0;
            const auto flags = Top().GetEntryFlags(o);
            const unsigned size = Top().GetCacheSize();
            BOOST_REQUIRE_EQUAL(Top().SpendCoin(o, &moved), had);
            if (had && flags && (*flags & FRESH)) {
                // FRESH: forgotten outright.
                BOOST_REQUIRE(!Top().GetEntryFlags(o));
                BOOST_REQUIRE_EQUAL(Top().GetCacheSize(), size - 1);
            } else if (had) {
                // Otherwise a DIRTY spent entry stays (loaded first if needed).
                BOOST_REQUIRE(Top().GetEntryFlags(o) == DIRTY);
                BOOST_REQUIRE_EQUAL(Top().GetCacheSize(), size + (flags ? 0 : 1));
            }
            if (had) {
                BOOST_REQUIRE(moved == model[o]);
                model.erase(o);
                ++spends;
            }
        } else if (r < 82) {
            const bool cached = Top().HaveCoinInCache(o);
            const auto flags = Top().GetEntryFlags(o);
            const unsigned before = Top().GetCacheSize();
            Top().Uncache(o);
            const bool dropped = flags && *flags == 0;
            BOOST_REQUIRE_EQUAL(Top().GetCacheSize(), before - (dropped ? 1 : 0));
            if (dropped) {
                BOOST_REQUIRE(cached);
                ++uncaches;
            }
        } else if (r < 92) {
            const Coin& c = Top().AccessCoin(o);
            auto it = model.find(o);
            BOOST_REQUIRE(it == model.end() ? c.IsSpent() : c == it->second);
        } else if (r < 96) {
            FlushOrSync(rng() % caches.size(), rng() % 2 == 0);
        } else if (r < 98) {
            // Drop the top cache unflushed, or add one.
            if (caches.size() > 1 && rng() % 2) {
                caches.pop_back();
                models.pop_back();
            } else if (caches.size() < 5) {
                Push();
            }
        } else {
            Top().SetBestBlock(RandomHash(rng));
        }
        CheckTouched(o);
    }

    void FlushOrSync(size_t i, bool flush)
    {
        CoinsViewCache& c = *caches[i];
        if (c.GetBestBlock().IsNull()) c.SetBestBlock(RandomHash(rng));
        const uint256 best = c.GetBestBlock();
        if (flush) {
            BOOST_REQUIRE(c.Flush());
            BOOST_REQUIRE_EQUAL(c.GetCacheSize(), 0u);
            ++flushes;
        } else {
            BOOST_REQUIRE(c.Sync());
            // Only unspent, clean entries remain.
            for (const OutPoint& o : universe) {
                const auto flags = c.GetEntryFlags(o);
                if (!flags) continue;
                BOOST_REQUIRE_EQUAL(*flags, 0);
                BOOST_REQUIRE(c.HaveCoinInCache(o));
            }
            ++syncs;
        }
        BOOST_REQUIRE(Below(i)->GetBestBlock() == best);
        models[i] = models[i + 1];
    }

    // After every step: the touched outpoint through every layer, and the
    // invariants of every cache.
    void CheckTouched(const OutPoint& o)
    {
        for (size_t i = 0; i < caches.size(); ++i) {
            const CoinsViewCache& c = *caches[i];
            BOOST_REQUIRE(c.SanityCheck());
            if (c.HaveCoinInCache(o)) {
                auto it = models[i + 1].find(o);
                BOOST_REQUIRE(it != models[i + 1].end());
                BOOST_REQUIRE(c.AccessCoin(o) == it->second);
            }
            const auto flags = c.GetEntryFlags(o);
            // FRESH: the layer below has no unspent coin.
            if (flags && (*flags & FRESH)) BOOST_REQUIRE(!Below(i)->HaveCoin(o) || models[i].count(o) == 0);
        }
        const auto it = models.back().find(o);
        const std::optional<Coin> got = Top().GetCoin(o);
        BOOST_REQUIRE_EQUAL(got.has_value(), it != models.back().end());
        if (got) BOOST_REQUIRE(*got == it->second);
    }

    // Every outpoint through every layer (loads them all into the caches).
    void CheckAll()
    {
        for (size_t i = 0; i <= caches.size(); ++i) {
            const CoinsView& v = i == 0 ? *base : *caches[i - 1];
            for (const OutPoint& o : universe) {
                auto it = models[i].find(o);
                const std::optional<Coin> got = v.GetCoin(o);
                BOOST_REQUIRE_EQUAL(got.has_value(), it != models[i].end());
                if (got) BOOST_REQUIRE(*got == it->second);
                BOOST_REQUIRE_EQUAL(v.HaveCoin(o), got.has_value());
            }
        }
        for (auto& c : caches) {
            BOOST_REQUIRE(c->SanityCheck());
            BOOST_REQUIRE_GE(c->DynamicMemoryUsage(), c->GetCacheSize() * sizeof(CoinsMap::value_type));
        }
    }

    void Run(unsigned steps)
    {
        for (unsigned s = 0; s < steps; ++s) {
            Step();
            if (s % 500 == 499) CheckAll();
        }
        // Everything down to the base, then the base matches the top model.
        for (size_t i = caches.size(); i-- > 0;) FlushOrSync(i, true);
        CheckAll();
    }
};
} // namespace

BOOST_AUTO_TEST_SUITE(coins_tests)

BOOST_AUTO_TEST_CASE(coins_cache_simulation_test)
{
    // Over a database (small write batches: flushes are written in parts).
    {
        TempDir dir;
        CoinsViewDB db(dir.path / "chainstate", 1 << 20, false);
        db.SetBatchWriteBytes(4096);
        Simulation sim(1, &db);
        sim.Run(40000);
        BOOST_CHECK(db.GetHeadBlocks().empty());
        BOOST_CHECK(ComputeUtxoSetHash(db) == ModelHash(sim.models[0]));
        BOOST_TEST_MESSAGE("db: adds " << sim.adds << " spends " << sim.spends << " uncaches " << sim.uncaches
                                       << " flushes " << sim.flushes << " syncs " << sim.syncs);
        BOOST_CHECK_GT(sim.adds, 10000u);
        BOOST_CHECK_GT(sim.spends, 3000u);
        BOOST_CHECK_GT(sim.uncaches, 100u);
        BOOST_CHECK_GT(sim.flushes, 100u);
        BOOST_CHECK_GT(sim.syncs, 100u);
        BOOST_CHECK_GT(sim.overwrites, 1000u);
    }
    // Over an in-memory base, other seeds.
    for (uint64_t seed : {2, 3, 4}) {
        MemoryCoinsView mem;
        Simulation sim(seed, &mem);
        sim.Run(30000);
        BOOST_CHECK(mem.m_coins == sim.models[0]);
    }
}

BOOST_AUTO_TEST_CASE(add_coin_flags)
{
    const OutPoint o = Op(1);
    struct Case {
        State state;
        bool possible_overwrite;
        std::optional<uint8_t> expected;  // nullopt: throws
    };
    const Case cases[] = {
        {State::ABSENT, false, DIRTY | FRESH},
        {State::ABSENT, true, DIRTY},
        {State::CLEAN, false, NONE},
        {State::CLEAN, true, DIRTY},
        {State::DIRTY_UNSPENT, false, NONE},
        {State::DIRTY_UNSPENT, true, DIRTY},
        {State::FRESH_UNSPENT, false, NONE},
        {State::FRESH_UNSPENT, true, DIRTY | FRESH},
        {State::DIRTY_SPENT, false, DIRTY},
        {State::DIRTY_SPENT, true, DIRTY},
    };
    for (const Case& c : cases) {
        MemoryCoinsView base;
        if (BaseHasCoin(c.state)) base.m_coins[o] = SimpleCoin(1);
        CoinsViewCache cache(&base);
        Prepare(cache, c.state, o);
        const size_t usage = cache.DynamicMemoryUsage();
        if (!c.expected) {
            BOOST_CHECK_THROW(cache.AddCoin(o, SimpleCoin(9), c.possible_overwrite), std::logic_error);
            BOOST_CHECK_EQUAL(cache.DynamicMemoryUsage(), usage);
            BOOST_CHECK(cache.SanityCheck());
            continue;
        }
        cache.AddCoin(o, SimpleCoin(9), c.possible_overwrite);
        BOOST_CHECK_MESSAGE(Flags(cache, o) == c.expected,
                            "state " << int(c.state) << " po " << c.possible_overwrite << " flags "
                                     << int(Flags(cache, o).value_or(255)));
        BOOST_CHECK_EQUAL(cache.AccessCoin(o).out.value, 9);
        BOOST_CHECK(cache.SanityCheck());
    }
    // Unspendable outputs are not stored at all.
    MemoryCoinsView base;
    CoinsViewCache cache(&base);
    Coin ret = SimpleCoin(5);
    ret.out.script_pubkey = Script{OP_RETURN};
    cache.AddCoin(o, std::move(ret), false);
    BOOST_CHECK(Flags(cache, o) == NONE);
    BOOST_CHECK_EQUAL(cache.GetCacheSize(), 0u);
}

BOOST_AUTO_TEST_CASE(spend_coin_flags)
{
    const OutPoint o = Op(1);
    struct Case {
        State state;
        bool spent;
        std::optional<uint8_t> expected;  // nullopt: no entry afterwards
    };
    const Case cases[] = {
        {State::ABSENT, false, NONE},
        {State::CLEAN, true, DIRTY},
        {State::DIRTY_UNSPENT, true, DIRTY},
        {State::FRESH_UNSPENT, true, NONE},
        {State::DIRTY_SPENT, false, DIRTY},
    };
    for (const Case& c : cases) {
        MemoryCoinsView base;
        if (BaseHasCoin(c.state)) base.m_coins[o] = SimpleCoin(1);
        CoinsViewCache cache(&base);
        Prepare(cache, c.state, o);
        Coin moved;
        BOOST_CHECK_EQUAL(cache.SpendCoin(o, &moved), c.spent);
        BOOST_CHECK_EQUAL(moved.IsSpent(), !c.spent);
        BOOST_CHECK_MESSAGE(Flags(cache, o) == c.expected, "state " << int(c.state));
        BOOST_CHECK(cache.AccessCoin(o).IsSpent());
        BOOST_CHECK(!cache.HaveCoin(o));
        BOOST_CHECK(cache.SanityCheck());
    }
}

BOOST_AUTO_TEST_CASE(batch_write_flags)
{
    const OutPoint o = Op(1);
    // Child states that are written (non-dirty entries are skipped).
    enum class Child { DIRTY_UNSPENT, FRESH_UNSPENT, DIRTY_SPENT, CLEAN };
    struct Case {
        State parent;
        Child child;
        std::optional<uint8_t> expected;  // parent flags after; nullopt: no entry
        bool throws = false;
        bool parent_spent_after = false;
    };
    const Case cases[] = {
        {State::ABSENT, Child::DIRTY_UNSPENT, DIRTY},
        {State::ABSENT, Child::FRESH_UNSPENT, DIRTY | FRESH},
        {State::ABSENT, Child::DIRTY_SPENT, DIRTY, false, true},
        {State::ABSENT, Child::CLEAN, NONE},
        {State::CLEAN, Child::DIRTY_UNSPENT, DIRTY},
        {State::CLEAN, Child::DIRTY_SPENT, DIRTY, false, true},
        {State::CLEAN, Child::CLEAN, uint8_t{0}},
        {State::DIRTY_UNSPENT, Child::DIRTY_UNSPENT, DIRTY},
        {State::DIRTY_UNSPENT, Child::DIRTY_SPENT, DIRTY, false, true},
        {State::FRESH_UNSPENT, Child::DIRTY_UNSPENT, DIRTY | FRESH},
        {State::FRESH_UNSPENT, Child::DIRTY_SPENT, NONE},
        {State::FRESH_UNSPENT, Child::FRESH_UNSPENT, NONE, true},
        {State::DIRTY_SPENT, Child::FRESH_UNSPENT, DIRTY},
        {State::DIRTY_SPENT, Child::DIRTY_UNSPENT, DIRTY},
    };
    for (const Case& c : cases) {
        MemoryCoinsView base;
        if (BaseHasCoin(c.parent)) base.m_coins[o] = SimpleCoin(1);
        CoinsViewCache parent(&base);
        Prepare(parent, c.parent, o);
        // The child's entry, built by hand as a child cache would hold it.
        CoinsMap map;
        CoinsCacheEntry& e = map[o];
        switch (c.child) {
        case Child::DIRTY_UNSPENT: e.coin = SimpleCoin(7); e.flags = DIRTY; break;
        case Child::FRESH_UNSPENT: e.coin = SimpleCoin(7); e.flags = DIRTY | FRESH; break;
        case Child::DIRTY_SPENT: e.flags = DIRTY; break;
        case Child::CLEAN: e.coin = SimpleCoin(7); e.flags = 0; break;
        }
        uint256 best;
        best.data()[0] = 9;
        if (c.throws) {
            BOOST_CHECK_THROW(parent.BatchWrite(map, best, true), std::logic_error);
            continue;
        }
        BOOST_CHECK(parent.BatchWrite(map, best, true));
        BOOST_CHECK_MESSAGE(Flags(parent, o) == c.expected,
                            "parent " << int(c.parent) << " child " << int(c.child) << " flags "
                                      << int(Flags(parent, o).value_or(255)));
        BOOST_CHECK(parent.GetBestBlock() == best);
        BOOST_CHECK(parent.SanityCheck());
        if (c.expected && c.child != Child::CLEAN) {
            BOOST_CHECK_EQUAL(parent.AccessCoin(o).IsSpent(), c.parent_spent_after);
            if (!c.parent_spent_after) BOOST_CHECK_EQUAL(parent.AccessCoin(o).out.value, 7);
        }
    }
}

BOOST_AUTO_TEST_CASE(flush_and_sync)
{
    MemoryCoinsView base;
    base.m_coins[Op(1)] = SimpleCoin(1);
    CoinsViewCache cache(&base);
    uint256 best;
    best.data()[0] = 1;
    cache.SetBestBlock(best);
    cache.AddCoin(Op(2), SimpleCoin(2), false);
    BOOST_CHECK(cache.SpendCoin(Op(1)));
    BOOST_CHECK(!cache.AccessCoin(Op(3)).IsSpent() == false);
    BOOST_CHECK_EQUAL(cache.GetCacheSize(), 2u);
    // Sync: written below, the spent entry dropped, the rest kept clean.
    BOOST_CHECK(cache.Sync());
    BOOST_CHECK_EQUAL(base.m_coins.size(), 1u);
    BOOST_CHECK(base.m_coins.count(Op(2)));
    BOOST_CHECK(base.m_best == best);
    BOOST_CHECK_EQUAL(cache.GetCacheSize(), 1u);
    BOOST_CHECK(Flags(cache, Op(2)) == uint8_t{0});
    cache.Uncache(Op(2));
    BOOST_CHECK_EQUAL(cache.GetCacheSize(), 0u);
    // Flush: written below and emptied.
    cache.AddCoin(Op(4), SimpleCoin(4), false);
    const size_t usage_with_one = cache.DynamicMemoryUsage();
    BOOST_CHECK_GT(usage_with_one, 0u);
    BOOST_CHECK(cache.Flush());
    BOOST_CHECK_EQUAL(cache.GetCacheSize(), 0u);
    BOOST_CHECK(base.m_coins.count(Op(4)));
    // Uncache leaves modified entries alone.
    cache.AddCoin(Op(5), SimpleCoin(5), false);
    cache.Uncache(Op(5));
    BOOST_CHECK(cache.HaveCoinInCache(Op(5)));

    BOOST_CHECK_EQUAL(static_cast<uint32_t>(FlushStateMode::NONE), 0u);
    BOOST_CHECK_EQUAL(static_cast<uint32_t>(FlushStateMode::IF_NEEDED), 1u);
    BOOST_CHECK_EQUAL(static_cast<uint32_t>(FlushStateMode::PERIODIC), 2u);
    BOOST_CHECK_EQUAL(static_cast<uint32_t>(FlushStateMode::FORCE_FLUSH), 3u);
    BOOST_CHECK_EQUAL(static_cast<uint32_t>(FlushStateMode::FORCE_SYNC), 4u);
}

BOOST_AUTO_TEST_CASE(add_coins_and_have_inputs)
{
    MemoryCoinsView base;
    CoinsViewCache cache(&base);
    MutableTransaction cb;
    cb.vin.resize(1);
    cb.vin[0].script_sig = Script{OP_1, OP_1};
    cb.vout.resize(2);
    cb.vout[0].value = 50 * COIN;
    cb.vout[0].script_pubkey = Script{OP_1};
    cb.vout[1].value = 0;
    cb.vout[1].script_pubkey = Script{OP_RETURN, OP_1};  // witness-commitment-like: not stored
    const Transaction coinbase(cb);
    AddCoins(cache, coinbase, 100);
    BOOST_CHECK(cache.HaveInputs(coinbase));
    const Coin& c = cache.AccessCoin(OutPoint{coinbase.GetHash(), 0});
    BOOST_CHECK(c.coinbase);
    BOOST_CHECK_EQUAL(c.height, 100u);
    BOOST_CHECK(!cache.HaveCoin(OutPoint{coinbase.GetHash(), 1}));
    // Coinbases may overwrite (the BIP30 duplicates): no throw.
    AddCoins(cache, coinbase, 101);
    BOOST_CHECK_EQUAL(cache.AccessCoin(OutPoint{coinbase.GetHash(), 0}).height, 101u);

    MutableTransaction spend;
    spend.vin.resize(1);
    spend.vin[0].prevout = OutPoint{coinbase.GetHash(), 0};
    spend.vout.resize(1);
    spend.vout[0].value = COIN;
    spend.vout[0].script_pubkey = Script{OP_2};
    const Transaction tx(spend);
    BOOST_CHECK(cache.HaveInputs(tx));
    AddCoins(cache, tx, 102);
    BOOST_CHECK_THROW(AddCoins(cache, tx, 102), std::logic_error);
    AddCoins(cache, tx, 102, /*check_for_overwrite=*/true);
    BOOST_CHECK(cache.SpendCoin(spend.vin[0].prevout));
    BOOST_CHECK(!cache.HaveInputs(tx));
}

BOOST_AUTO_TEST_CASE(database_markers_and_interrupted_flush)
{
    TempDir dir;
    const fs::path path = dir.path / "chainstate";
    uint256 b1, b2;
    b1.data()[0] = 1;
    b2.data()[0] = 2;
    std::mt19937_64 rng(11);
    std::map<OutPoint, Coin> model;
    {
        CoinsViewDB db(path, 1 << 20, false);
        BOOST_CHECK(db.GetBestBlock().IsNull());
        BOOST_CHECK(db.GetHeadBlocks().empty());
        CoinsViewCache cache(&db);
        for (int i = 0; i < 500; ++i) {
            const OutPoint o{RandomHash(rng), static_cast<uint32_t>(i % 300)};
            Coin c = RandomCoin(rng);
            if (c.out.script_pubkey.IsUnspendable()) continue;
            model[o] = c;
            cache.AddCoin(o, std::move(c), false);
        }
        cache.SetBestBlock(b1);
        BOOST_CHECK(cache.Flush());
        BOOST_CHECK(db.GetBestBlock() == b1);
        BOOST_CHECK(db.GetHeadBlocks().empty());
        BOOST_CHECK(ComputeUtxoSetHash(db) == ModelHash(model));

        // A flush that dies after its first partial batch leaves 'H' = {new, old}.
        db.SetBatchWriteBytes(512);
        db.SimulateCrashAfterBatches(1);
        for (const auto& [o, c] : model) cache.SpendCoin(o);
        cache.SetBestBlock(b2);
        BOOST_CHECK_THROW(cache.Flush(), std::runtime_error);
    }
    {
        CoinsViewDB db(path, 1 << 20, false);
        const std::vector<uint256> heads = db.GetHeadBlocks();
        BOOST_REQUIRE_EQUAL(heads.size(), 2u);
        BOOST_CHECK(heads[0] == b2);
        BOOST_CHECK(heads[1] == b1);
        BOOST_CHECK(db.GetBestBlock() == b1);
        // Repair by replaying: write the target state again.
        CoinsViewCache cache(&db);
        for (const auto& [o, c] : model) cache.SpendCoin(o);
        cache.SetBestBlock(b2);
        BOOST_CHECK(cache.Flush());
        BOOST_CHECK(db.GetHeadBlocks().empty());
        BOOST_CHECK(db.GetBestBlock() == b2);
        BOOST_CHECK(ComputeUtxoSetHash(db) == ModelHash({}));
        BOOST_CHECK(ComputeUtxoSetHash(db) != ModelHash(model));
    }
    // A view that cannot enumerate refuses to hash.
    MemoryCoinsView mem;
    BOOST_CHECK_THROW(ComputeUtxoSetHash(mem), std::logic_error);
}

// The on-disk layout: 'C' txid VARINT(n) -> compact coin; 'B' -> best block.
BOOST_AUTO_TEST_CASE(database_record_layout)
{
    TempDir dir;
    CoinsViewDB db(dir.path / "chainstate", 1 << 20, false);
    CoinsViewCache cache(&db);
    const OutPoint o = Op(0xab, 300);
    cache.AddCoin(o, SimpleCoin(COIN), false);
    uint256 best;
    best.data()[5] = 5;
    cache.SetBestBlock(best);
    BOOST_REQUIRE(cache.Flush());
    std::vector<unsigned char> key{'C'};
    key.insert(key.end(), o.hash.begin(), o.hash.end());
    key.push_back(0x81);  // VARINT(300) = 81 2c
    key.push_back(0x2c);
    std::string value;
    BOOST_REQUIRE(db.GetDatabase().ReadRaw(key, value));
    // VARINT(1 * 2) height 1 not coinbase, VARINT(9) = 1 BTC, VARINT(1 + 6) then OP_1.
    BOOST_CHECK(value == std::string("\x02\x09\x07\x51"));
    const unsigned char best_key[] = {'B'};
    BOOST_REQUIRE(db.GetDatabase().ReadRaw(best_key, value));
    BOOST_CHECK(value == std::string(reinterpret_cast<const char*>(best.data()), 32));
}

BOOST_AUTO_TEST_CASE(damaged_coin_record_is_a_clear_error)
{
    TempDir dir;
    const fs::path path = dir.path / "chainstate";
    CoinsViewDB db(path, 1 << 20, false);
    const OutPoint o = Op(3, 1);
    // A coin record whose value does not decode.
    DataStream key;
    key << uint8_t{'C'} << o.hash;
    WriteVarInt(key, o.n);
    Database::Batch batch;
    const unsigned char junk[] = {0x80};
    batch.WriteRaw(key.unread(), junk);
    db.GetDatabase().WriteBatch(batch);
    try {
        db.GetCoin(o);
        BOOST_FAIL("no error");
    } catch (const DatabaseError& e) {
        const std::string msg = e.what();
        BOOST_CHECK(msg.find(path.string()) != std::string::npos);
        BOOST_CHECK(msg.find("-reindex-chainstate") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(memory_usage_accounting)
{
    MemoryCoinsView base;
    CoinsViewCache cache(&base);
    const size_t empty = cache.DynamicMemoryUsage();
    std::mt19937_64 rng(5);
    std::vector<OutPoint> ops;
    for (int i = 0; i < 1000; ++i) {
        ops.push_back(OutPoint{RandomHash(rng), 0});
        Coin c = SimpleCoin(1);
        c.out.script_pubkey = Script(22, 0x01);
        cache.AddCoin(ops.back(), std::move(c), false);
    }
    const size_t full = cache.DynamicMemoryUsage();
    // At least the node per coin.
    const size_t node = sizeof(void*) + sizeof(CoinsMap::value_type);
    BOOST_CHECK_GE(full - empty, 1000 * node);
    // The 22-byte scripts are inline; 40-byte ones cost a heap block each.
    {
        CoinsViewCache longer(&base);
        for (const OutPoint& o : ops) {
            Coin c = SimpleCoin(1);
            c.out.script_pubkey = Script(40, 0x01);
            longer.AddCoin(o, std::move(c), false);
        }
        BOOST_CHECK_EQUAL(longer.DynamicMemoryUsage() - full, 1000 * MallocUsage(40));
    }
    // A 40-byte script has a heap block of its own.
    Coin long_script = SimpleCoin(2);
    long_script.out.script_pubkey = Script(40, 0x02);
    BOOST_CHECK_EQUAL(long_script.DynamicMemoryUsage(), MallocUsage(40));
    cache.AddCoin(OutPoint{RandomHash(rng), 1}, std::move(long_script), false);
    BOOST_CHECK_GE(cache.DynamicMemoryUsage(), full + MallocUsage(40));
    for (const OutPoint& o : ops) cache.SpendCoin(o);
    BOOST_CHECK_EQUAL(cache.GetCacheSize(), 1u);  // all FRESH: simply erased
    BOOST_CHECK(cache.SanityCheck());
    // Flushing hands the map's memory back.
    BOOST_CHECK(cache.Flush());
    BOOST_CHECK_LE(cache.DynamicMemoryUsage(), empty);
    BOOST_CHECK_EQUAL(MallocUsage(0), 0u);
    BOOST_CHECK_EQUAL(MallocUsage(1), 32u);
    BOOST_CHECK_EQUAL(MallocUsage(24), 32u);
    BOOST_CHECK_EQUAL(MallocUsage(25), 48u);
}

// What DynamicMemoryUsage reports is what malloc holds for the cache.
BOOST_AUTO_TEST_CASE(memory_usage_matches_malloc)
{
    std::mt19937_64 rng(6);
    std::vector<OutPoint> ops;
    for (int i = 0; i < 50000; ++i) ops.push_back(OutPoint{RandomHash(rng), static_cast<uint32_t>(i % 3)});
    MemoryCoinsView base;
    const auto in_use = [] {
        const struct mallinfo2 mi = mallinfo2();
        return static_cast<double>(mi.uordblks + mi.hblkhd);
    };
    const double before = in_use();
    {
        CoinsViewCache cache(&base);
        for (size_t i = 0; i < ops.size(); ++i) {
            Coin c = SimpleCoin(static_cast<Amount>(i));
            c.out.script_pubkey = Script(i % 10 == 0 ? 34 : 22, 0x01);  // some P2WSH-sized ones on the heap
            cache.AddCoin(ops[i], std::move(c), false);
        }
        const double held = in_use() - before;
        const double accounted = static_cast<double>(cache.DynamicMemoryUsage());
        BOOST_CHECK_CLOSE(accounted, held, 1.0);  // within 1 %
    }
}

#ifdef ENABLE_TRACING
// Raising a probe's semaphore is what a tracer does on attach: only then are
// the utxocache probes' arguments computed, once per probe hit.
BOOST_AUTO_TEST_CASE(utxocache_probe_arguments_only_when_traced)
{
    MemoryCoinsView base;
    base.m_coins[Op(9)] = SimpleCoin(9);
    auto exercise = [&base] {
        CoinsViewCache cache(&base);
        CoinsViewCache temp(&cache);  // temporary caches fire the probes too
        cache.AddCoin(Op(1), SimpleCoin(1), false);          // add
        temp.AddCoin(Op(2), SimpleCoin(2), false);           // add
        BOOST_CHECK(temp.SpendCoin(Op(1)));                  // spent
        BOOST_CHECK(!temp.AccessCoin(Op(9)).IsSpent());      // loaded...
        temp.Uncache(Op(9));                                 // ...uncache
        temp.Uncache(Op(2));                                 // modified: no probe
        BOOST_CHECK(cache.SpendCoin(Op(9)));                 // spent
        cache.Uncache(Op(9));                                // spent, modified: no probe
    };
    const uint64_t before = UtxoCacheTraceArgumentEvaluations();
    exercise();
    BOOST_CHECK_EQUAL(UtxoCacheTraceArgumentEvaluations(), before);
    BOOST_CHECK(!TRACE_ACTIVE(utxocache, add));

    ++TRACE_SEMAPHORE(utxocache, add);
    exercise();
    BOOST_CHECK_EQUAL(UtxoCacheTraceArgumentEvaluations(), before + 2);
    ++TRACE_SEMAPHORE(utxocache, spent);
    ++TRACE_SEMAPHORE(utxocache, uncache);
    exercise();
    BOOST_CHECK_EQUAL(UtxoCacheTraceArgumentEvaluations(), before + 2 + 5);
    --TRACE_SEMAPHORE(utxocache, add);
    --TRACE_SEMAPHORE(utxocache, spent);
    --TRACE_SEMAPHORE(utxocache, uncache);
    exercise();
    BOOST_CHECK_EQUAL(UtxoCacheTraceArgumentEvaluations(), before + 7);
}

// The probes are in the binary: each has a stapsdt note naming provider and event.
BOOST_AUTO_TEST_CASE(utxocache_probes_have_notes)
{
    std::ifstream f("/proc/self/exe", std::ios::binary);
    const std::string exe((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    for (const char* event : {"add", "spent", "uncache"}) {
        const std::string needle = std::string("utxocache") + '\0' + event + '\0';
        BOOST_CHECK_MESSAGE(exe.find(needle) != std::string::npos, "no note for utxocache:" << event);
    }
}
#endif

BOOST_AUTO_TEST_SUITE_END()
