#pragma once

// A small LevelDB wrapper: keys and values are anything serialize.h can
// write. Used by the chainstate (chainstate/) and the block tree (blocks/index/).
//
//     Database db{dir, 8 << 20};
//     db.Write(uint8_t{'B'}, best_hash, /*sync=*/true);
//     Database::Batch batch;  batch.Write(key, value);  batch.Erase(other);
//     db.WriteBatch(batch, true);
//
// Every failure of the store (cannot open, corruption, I/O error) throws
// DatabaseError; its message names the directory and the start option that
// rebuilds it (-reindex, or -reindex-chainstate for the chainstate).

#include <serialize.h>
#include <streams.h>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

class DatabaseError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

namespace dbwrapper_detail {
template <typename T>
DataStream SerializeToStream(const T& obj)
{
    DataStream s;
    s << obj;
    return s;
}
// Deserializes the whole of bytes into obj; false on short or trailing data.
template <typename T>
bool DeserializeAll(std::span<const unsigned char> bytes, T& obj)
{
    try {
        SpanReader r{bytes};
        r >> obj;
        return r.empty();
    } catch (const std::ios_base::failure&) {
        return false;
    }
}
} // namespace dbwrapper_detail

class Database {
public:
    // Opens (creating if missing) the LevelDB store in dir. cache_bytes is
    // split between LevelDB's block cache and write buffer. wipe: destroy the
    // existing contents first. reindex_option names the start option printed
    // in error messages.
    Database(const std::filesystem::path& dir, size_t cache_bytes, bool wipe = false,
             std::string reindex_option = "-reindex");
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    class Batch {
    public:
        Batch();
        ~Batch();
        template <typename K, typename V>
        void Write(const K& key, const V& value)
        {
            const DataStream k = dbwrapper_detail::SerializeToStream(key);
            const DataStream v = dbwrapper_detail::SerializeToStream(value);
            WriteRaw(k.unread(), v.unread());
        }
        template <typename K>
        void Erase(const K& key)
        {
            const DataStream k = dbwrapper_detail::SerializeToStream(key);
            EraseRaw(k.unread());
        }
        // Bytes the batch will take in the log: grows with each operation.
        size_t ApproximateSize() const;
        void Clear();

        void WriteRaw(std::span<const unsigned char> key, std::span<const unsigned char> value);
        void EraseRaw(std::span<const unsigned char> key);

    private:
        friend class Database;
        struct Impl;
        std::unique_ptr<Impl> m_impl;
    };

    class Iterator {
    public:
        ~Iterator();
        template <typename K>
        void Seek(const K& key)
        {
            const DataStream k = dbwrapper_detail::SerializeToStream(key);
            SeekRaw(k.unread());
        }
        void SeekToFirst();
        bool Valid() const;
        void Next();
        // False when the key/value at the position does not deserialize as K/V
        // (a key of another record type, or damaged data).
        template <typename K>
        bool GetKey(K& key) const { return dbwrapper_detail::DeserializeAll(KeyBytes(), key); }
        template <typename V>
        bool GetValue(V& value) const { return dbwrapper_detail::DeserializeAll(ValueBytes(), value); }

        void SeekRaw(std::span<const unsigned char> key);
        std::span<const unsigned char> KeyBytes() const;
        std::span<const unsigned char> ValueBytes() const;

    private:
        friend class Database;
        struct Impl;
        explicit Iterator(std::unique_ptr<Impl> impl);
        std::unique_ptr<Impl> m_impl;
    };

    template <typename K, typename V>
    bool Read(const K& key, V& value) const
    {
        const DataStream k = dbwrapper_detail::SerializeToStream(key);
        std::string raw;
        if (!ReadRaw(k.unread(), raw)) return false;
        const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
        if (!dbwrapper_detail::DeserializeAll(std::span<const unsigned char>(p, raw.size()), value)) {
            ThrowCorrupt("undecodable value");
        }
        return true;
    }
    template <typename K, typename V>
    void Write(const K& key, const V& value, bool sync = false)
    {
        Batch b;
        b.Write(key, value);
        WriteBatch(b, sync);
    }
    template <typename K>
    bool Exists(const K& key) const
    {
        const DataStream k = dbwrapper_detail::SerializeToStream(key);
        std::string raw;
        return ReadRaw(k.unread(), raw);
    }
    template <typename K>
    void Erase(const K& key, bool sync = false)
    {
        Batch b;
        b.Erase(key);
        WriteBatch(b, sync);
    }
    // sync: the write is on stable storage when this returns.
    void WriteBatch(Batch& batch, bool sync = false);

    std::unique_ptr<Iterator> NewIterator() const;

    // Approximate bytes on disk between two keys.
    template <typename K>
    size_t EstimateSize(const K& begin, const K& end) const
    {
        const DataStream b = dbwrapper_detail::SerializeToStream(begin);
        const DataStream e = dbwrapper_detail::SerializeToStream(end);
        return EstimateSizeRaw(b.unread(), e.unread());
    }

    // True when the store holds no key at all.
    bool IsEmpty() const;
    const std::filesystem::path& Path() const { return m_path; }

    bool ReadRaw(std::span<const unsigned char> key, std::string& value) const;
    size_t EstimateSizeRaw(std::span<const unsigned char> begin, std::span<const unsigned char> end) const;
    // Throws DatabaseError naming the directory and the rebuild option.
    [[noreturn]] void ThrowCorrupt(const std::string& what) const;

private:
    struct Impl;
    std::filesystem::path m_path;
    std::string m_reindex_option;
    std::unique_ptr<Impl> m_impl;
};
