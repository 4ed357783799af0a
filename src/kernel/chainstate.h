#pragma once

// One chainstate: the coins database, the in-memory coins cache on top of it
// (the "tip" view every ConnectBlock writes to) and the active chain the
// coins correspond to.

#include <kernel/block_index.h>
#include <kernel/coins.h>
#include <kernel/coins_db.h>

#include <cstddef>
#include <filesystem>
#include <memory>

class Chainstate {
public:
    // Opens (or with wipe, recreates) chainstate/ under datadir. cache_bytes
    // is the whole -dbcache budget: a slice goes to LevelDB, the rest bounds
    // the coins cache.
    Chainstate(const std::filesystem::path& chainstate_dir, size_t cache_bytes, bool wipe);

    CoinsViewDB& CoinsDB() { return *m_db; }
    CoinsViewCache& CoinsTip() { return *m_cache; }
    const CoinsViewCache& CoinsTip() const { return *m_cache; }
    Chain& ActiveChain() { return m_chain; }
    const Chain& ActiveChain() const { return m_chain; }

    // Bytes the coins cache may use before IF_NEEDED flushes it.
    size_t CoinsCacheLimit() const { return m_coins_cache_limit; }

private:
    std::unique_ptr<CoinsViewDB> m_db;
    std::unique_ptr<CoinsViewCache> m_cache;
    Chain m_chain;
    size_t m_coins_cache_limit;
};
