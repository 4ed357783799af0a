#include <kernel/dbwrapper.h>

#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/env.h>
#include <leveldb/filter_policy.h>
#include <leveldb/iterator.h>
#include <leveldb/options.h>
#include <leveldb/write_batch.h>

#include <algorithm>
#include <system_error>

namespace {
leveldb::Slice ToSlice(std::span<const unsigned char> bytes)
{
    return leveldb::Slice(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}
std::span<const unsigned char> ToSpan(const leveldb::Slice& s)
{
    return std::span<const unsigned char>(reinterpret_cast<const unsigned char*>(s.data()), s.size());
}
} // namespace

struct Database::Impl {
    leveldb::Options options;
    std::unique_ptr<leveldb::Cache> block_cache;
    std::unique_ptr<const leveldb::FilterPolicy> filter_policy;
    std::unique_ptr<leveldb::DB> db;
};

struct Database::Batch::Impl {
    leveldb::WriteBatch batch;
};

struct Database::Iterator::Impl {
    std::unique_ptr<leveldb::Iterator> it;
    const Database* owner;
};

[[noreturn]] void Database::ThrowCorrupt(const std::string& what) const
{
    throw DatabaseError("Error reading the database in " + m_path.string() + ": " + what +
                        ". The database may be corrupted; restart with " + m_reindex_option + " to rebuild it.");
}

namespace {
void CheckStatus(const leveldb::Status& status, const Database& db)
{
    if (status.ok()) return;
    db.ThrowCorrupt(status.ToString());
}
} // namespace

Database::Database(const std::filesystem::path& dir, size_t cache_bytes, bool wipe, std::string reindex_option)
    : m_path(dir), m_reindex_option(std::move(reindex_option)), m_impl(std::make_unique<Impl>())
{
    Impl& impl = *m_impl;
    // A quarter of the budget for reads (block cache), the rest to buffer
    // writes: flushes of the coins cache are write-heavy.
    const size_t read_cache = std::max<size_t>(cache_bytes / 4, 1 << 20);
    impl.block_cache.reset(leveldb::NewLRUCache(read_cache));
    impl.filter_policy.reset(leveldb::NewBloomFilterPolicy(10));
    impl.options.block_cache = impl.block_cache.get();
    impl.options.filter_policy = impl.filter_policy.get();
    impl.options.write_buffer_size = std::max<size_t>(cache_bytes / 4, 1 << 20);
    impl.options.compression = leveldb::kNoCompression;
    impl.options.max_open_files = 64;
    impl.options.create_if_missing = true;
    impl.options.paranoid_checks = true;

    std::error_code ec;
    if (wipe) {
        const leveldb::Status st = leveldb::DestroyDB(dir.string(), impl.options);
        if (!st.ok()) {
            throw DatabaseError("Cannot wipe the database in " + dir.string() + ": " + st.ToString());
        }
    }
    std::filesystem::create_directories(dir, ec);
    if (ec) throw DatabaseError("Cannot create the database directory " + dir.string() + ": " + ec.message());

    leveldb::DB* raw = nullptr;
    const leveldb::Status st = leveldb::DB::Open(impl.options, dir.string(), &raw);
    if (!st.ok()) {
        if (st.IsCorruption()) {
            throw DatabaseError("The database in " + dir.string() + " is corrupted (" + st.ToString() +
                                "); restart with " + m_reindex_option + " to rebuild it.");
        }
        throw DatabaseError("Cannot open the database in " + dir.string() + " (" + st.ToString() +
                            "); if it is damaged, restart with " + m_reindex_option + " to rebuild it.");
    }
    impl.db.reset(raw);
}

Database::~Database()
{
    // The DB must close before the cache and filter policy it uses.
    if (m_impl) m_impl->db.reset();
}

bool Database::ReadRaw(std::span<const unsigned char> key, std::string& value) const
{
    leveldb::ReadOptions ro;
    ro.verify_checksums = true;
    const leveldb::Status st = m_impl->db->Get(ro, ToSlice(key), &value);
    if (st.IsNotFound()) return false;
    CheckStatus(st, *this);
    return true;
}

void Database::WriteBatch(Batch& batch, bool sync)
{
    leveldb::WriteOptions wo;
    wo.sync = sync;
    CheckStatus(m_impl->db->Write(wo, &batch.m_impl->batch), *this);
    batch.Clear();
}

size_t Database::EstimateSizeRaw(std::span<const unsigned char> begin, std::span<const unsigned char> end) const
{
    leveldb::Range range(ToSlice(begin), ToSlice(end));
    uint64_t size = 0;
    m_impl->db->GetApproximateSizes(&range, 1, &size);
    return static_cast<size_t>(size);
}

bool Database::IsEmpty() const
{
    auto it = NewIterator();
    it->SeekToFirst();
    return !it->Valid();
}

std::unique_ptr<Database::Iterator> Database::NewIterator() const
{
    leveldb::ReadOptions ro;
    ro.verify_checksums = true;
    ro.fill_cache = false;  // whole-set scans would evict the useful entries
    auto impl = std::make_unique<Iterator::Impl>();
    impl->it.reset(m_impl->db->NewIterator(ro));
    impl->owner = this;
    return std::unique_ptr<Iterator>(new Iterator(std::move(impl)));
}

// ---------------------------------------------------------------------------

Database::Batch::Batch() : m_impl(std::make_unique<Impl>()) {}
Database::Batch::~Batch() = default;

void Database::Batch::WriteRaw(std::span<const unsigned char> key, std::span<const unsigned char> value)
{
    m_impl->batch.Put(ToSlice(key), ToSlice(value));
}
void Database::Batch::EraseRaw(std::span<const unsigned char> key) { m_impl->batch.Delete(ToSlice(key)); }
size_t Database::Batch::ApproximateSize() const { return m_impl->batch.ApproximateSize(); }
void Database::Batch::Clear() { m_impl->batch.Clear(); }

// ---------------------------------------------------------------------------

Database::Iterator::Iterator(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Database::Iterator::~Iterator() = default;

void Database::Iterator::SeekRaw(std::span<const unsigned char> key) { m_impl->it->Seek(ToSlice(key)); }
void Database::Iterator::SeekToFirst() { m_impl->it->SeekToFirst(); }
bool Database::Iterator::Valid() const
{
    if (m_impl->it->Valid()) return true;
    // The end of the data or a read error: tell them apart.
    CheckStatus(m_impl->it->status(), *m_impl->owner);
    return false;
}
void Database::Iterator::Next() { m_impl->it->Next(); }
std::span<const unsigned char> Database::Iterator::KeyBytes() const { return ToSpan(m_impl->it->key()); }
std::span<const unsigned char> Database::Iterator::ValueBytes() const { return ToSpan(m_impl->it->value()); }
