#include <kernel/chainstate.h>

#include <algorithm>

namespace {
// LevelDB's own block cache gets an eighth of the budget (at most 8 MiB: the
// coins cache above it is far more useful), the coins cache the rest.
size_t DatabaseCacheBytes(size_t total) { return std::min<size_t>(total / 8, size_t{8} << 20); }
// (The node's option parsing enforces a sensible minimum -dbcache; tests use tiny ones.)
} // namespace

Chainstate::Chainstate(const std::filesystem::path& chainstate_dir, size_t cache_bytes, bool wipe)
    : m_db(std::make_unique<CoinsViewDB>(chainstate_dir, DatabaseCacheBytes(cache_bytes), wipe)),
      m_cache(std::make_unique<CoinsViewCache>(m_db.get())),
      m_coins_cache_limit(cache_bytes - DatabaseCacheBytes(cache_bytes))
{
}
