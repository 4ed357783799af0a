#include <kernel/coins_db.h>

#include <streams.h>
#include <util/logging.h>

#include <stdexcept>

namespace {
constexpr uint8_t DB_COIN = 'C';
constexpr uint8_t DB_BEST_BLOCK = 'B';
constexpr uint8_t DB_HEAD_BLOCKS = 'H';

// 'C' txid VARINT(n): all outputs of a transaction are neighbours on disk.
struct CoinKey {
    OutPoint* outpoint;
    template <typename Stream>
    void Serialize(Stream& s) const
    {
        ::Serialize(s, DB_COIN);
        ::Serialize(s, outpoint->hash);
        WriteVarInt(s, outpoint->n);
    }
    template <typename Stream>
    void Unserialize(Stream& s)
    {
        uint8_t prefix;
        ::Unserialize(s, prefix);
        if (prefix != DB_COIN) throw std::ios_base::failure("not a coin key");
        ::Unserialize(s, outpoint->hash);
        outpoint->n = static_cast<uint32_t>(ReadVarInt(s, std::numeric_limits<uint32_t>::max()));
    }
};
CoinKey KeyOf(const OutPoint& o) { return CoinKey{const_cast<OutPoint*>(&o)}; }

class DBCoinsCursor : public CoinsCursor {
public:
    explicit DBCoinsCursor(std::unique_ptr<Database::Iterator> it) : m_it(std::move(it))
    {
        m_it->Seek(DB_COIN);
        Load();
    }
    bool Valid() const override { return m_valid; }
    void Next() override
    {
        m_it->Next();
        Load();
    }
    bool GetKey(OutPoint& key) const override
    {
        if (!m_valid) return false;
        key = m_key;
        return true;
    }
    bool GetValue(Coin& coin) const override { return m_valid && m_it->GetValue(coin); }

private:
    // Positions on a coin record or marks the end (a key of another prefix).
    void Load()
    {
        m_valid = false;
        if (!m_it->Valid()) return;
        OutPoint key;
        CoinKey ck{&key};
        if (!m_it->GetKey(ck)) return;
        m_key = key;
        m_valid = true;
    }

    std::unique_ptr<Database::Iterator> m_it;
    OutPoint m_key;
    bool m_valid = false;
};
} // namespace

CoinsViewDB::CoinsViewDB(const std::filesystem::path& chainstate_dir, size_t cache_bytes, bool wipe)
    : m_db(chainstate_dir, cache_bytes, wipe, "-reindex-chainstate")
{
}

std::optional<Coin> CoinsViewDB::GetCoin(const OutPoint& outpoint) const
{
    Coin coin;
    if (!m_db.Read(KeyOf(outpoint), coin)) return std::nullopt;
    return coin;
}

bool CoinsViewDB::HaveCoin(const OutPoint& outpoint) const { return m_db.Exists(KeyOf(outpoint)); }

uint256 CoinsViewDB::GetBestBlock() const
{
    uint256 best;
    if (!m_db.Read(DB_BEST_BLOCK, best)) return uint256();
    return best;
}

std::vector<uint256> CoinsViewDB::GetHeadBlocks() const
{
    std::vector<uint256> heads;
    if (!m_db.Read(DB_HEAD_BLOCKS, heads)) return {};
    return heads;
}

bool CoinsViewDB::BatchWrite(CoinsMap& map, const uint256& best_block, bool /*erase*/)
{
    if (best_block.IsNull()) throw std::logic_error("CoinsViewDB::BatchWrite: null best block");
    // The state the coins on disk are consistent with before this flush: the
    // old marker, or, when an earlier flush was interrupted, its old block.
    const std::vector<uint256> heads = GetHeadBlocks();
    const uint256 old_best = heads.size() == 2 ? heads[1] : GetBestBlock();

    // 'B' keeps naming the old state until the last batch replaces it.
    Database::Batch batch;
    batch.Write(DB_HEAD_BLOCKS, std::vector<uint256>{best_block, old_best});
    unsigned batches_written = 0;
    size_t changed = 0;
    for (auto& [outpoint, entry] : map) {
        if (!(entry.flags & CoinsCacheEntry::DIRTY)) continue;
        ++changed;
        if (entry.coin.IsSpent()) {
            batch.Erase(KeyOf(outpoint));
        } else {
            batch.Write(KeyOf(outpoint), entry.coin);
        }
        if (batch.ApproximateSize() > m_batch_write_bytes) {
            m_db.WriteBatch(batch);
            if (m_crash_after_batches && ++batches_written >= m_crash_after_batches) {
                throw std::runtime_error("CoinsViewDB: simulated crash during flush");
            }
        }
    }
    batch.Erase(DB_HEAD_BLOCKS);
    batch.Write(DB_BEST_BLOCK, best_block);
    m_db.WriteBatch(batch, /*sync=*/true);
    LogDebug(LogCategory::COINDB, "Committed {} changed transaction outputs (out of {}) to coin database...", changed,
             map.size());
    return true;
}

size_t CoinsViewDB::EstimateSize() const
{
    return m_db.EstimateSize(DB_COIN, static_cast<uint8_t>(DB_COIN + 1));
}

std::unique_ptr<CoinsCursor> CoinsViewDB::Cursor() const
{
    return std::make_unique<DBCoinsCursor>(m_db.NewIterator());
}

uint256 ComputeUtxoSetHash(const CoinsView& view)
{
    std::unique_ptr<CoinsCursor> cursor = view.Cursor();
    if (!cursor) throw std::logic_error("ComputeUtxoSetHash: the view cannot enumerate its coins");
    HashWriter hw;
    for (; cursor->Valid(); cursor->Next()) {
        OutPoint key;
        Coin coin;
        if (!cursor->GetKey(key) || !cursor->GetValue(coin)) {
            throw DatabaseError("ComputeUtxoSetHash: undecodable coin record");
        }
        hw << key << coin;
    }
    return hw.GetSHA256();
}
