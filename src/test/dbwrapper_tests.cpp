// The LevelDB wrapper: typed reads and writes, batches, iterators, reopening,
// wiping, and a clear error on a damaged store.
#include <kernel/dbwrapper.h>
#include <uint256.h>

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <random>

namespace fs = std::filesystem;

namespace {
// A fresh directory under the system temp dir, removed at the end.
struct TempDir {
    fs::path path;
    TempDir()
    {
        std::random_device rd;
        path = fs::temp_directory_path() / ("dbwrapper_tests_" + std::to_string(rd()) + std::to_string(rd()));
        fs::create_directories(path);
    }
    ~TempDir()
    {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

uint256 HashOf(uint8_t b)
{
    uint256 h;
    h.data()[0] = b;
    h.data()[31] = static_cast<uint8_t>(~b);
    return h;
}

// A prefixed key like the chainstate's.
struct PrefixKey {
    uint8_t prefix;
    uint32_t n;
    template <typename S>
    void Serialize(S& s) const
    {
        ::Serialize(s, prefix);
        // Big-endian so that keys sort numerically.
        ::Serialize(s, static_cast<uint8_t>(n >> 24));
        ::Serialize(s, static_cast<uint8_t>(n >> 16));
        ::Serialize(s, static_cast<uint8_t>(n >> 8));
        ::Serialize(s, static_cast<uint8_t>(n));
    }
    template <typename S>
    void Unserialize(S& s)
    {
        ::Unserialize(s, prefix);
        n = 0;
        for (int i = 0; i < 4; ++i) {
            uint8_t b;
            ::Unserialize(s, b);
            n = (n << 8) | b;
        }
    }
};
} // namespace

BOOST_AUTO_TEST_SUITE(dbwrapper_tests)

BOOST_AUTO_TEST_CASE(read_write_erase)
{
    TempDir dir;
    Database db(dir.path / "db", 1 << 20);
    BOOST_CHECK(db.IsEmpty());
    const uint256 v = HashOf(7);
    db.Write(uint8_t{'k'}, v);
    uint256 r;
    BOOST_CHECK(db.Read(uint8_t{'k'}, r));
    BOOST_CHECK(r == v);
    BOOST_CHECK(db.Exists(uint8_t{'k'}));
    BOOST_CHECK(!db.Exists(uint8_t{'j'}));
    BOOST_CHECK(!db.Read(uint8_t{'j'}, r));
    db.Write(std::string("name"), std::vector<uint256>{HashOf(1), HashOf(2)}, /*sync=*/true);
    std::vector<uint256> list;
    BOOST_CHECK(db.Read(std::string("name"), list));
    BOOST_CHECK_EQUAL(list.size(), 2u);
    BOOST_CHECK(list[1] == HashOf(2));
    db.Erase(uint8_t{'k'});
    BOOST_CHECK(!db.Exists(uint8_t{'k'}));
    BOOST_CHECK(!db.IsEmpty());
    // A value of the wrong type is reported, not silently misread.
    uint32_t wrong;
    BOOST_CHECK_THROW(db.Read(std::string("name"), wrong), DatabaseError);
}

BOOST_AUTO_TEST_CASE(batch_applies_in_order)
{
    TempDir dir;
    Database db(dir.path, 1 << 20);
    db.Write(uint8_t{'a'}, uint32_t{1});
    Database::Batch batch;
    BOOST_CHECK_EQUAL(batch.ApproximateSize(), 12u);  // LevelDB's empty-batch header
    batch.Write(uint8_t{'b'}, uint32_t{2});
    batch.Erase(uint8_t{'a'});
    batch.Write(uint8_t{'c'}, uint32_t{3});
    batch.Erase(uint8_t{'c'});
    batch.Write(uint8_t{'c'}, uint32_t{4});
    const size_t before = batch.ApproximateSize();
    BOOST_CHECK_GT(before, 12u);
    // Nothing is visible before the batch is written.
    BOOST_CHECK(!db.Exists(uint8_t{'b'}));
    db.WriteBatch(batch, true);
    BOOST_CHECK_EQUAL(batch.ApproximateSize(), 12u);  // cleared for reuse
    uint32_t v = 0;
    BOOST_CHECK(!db.Exists(uint8_t{'a'}));
    BOOST_CHECK(db.Read(uint8_t{'b'}, v) && v == 2);
    BOOST_CHECK(db.Read(uint8_t{'c'}, v) && v == 4);
}

BOOST_AUTO_TEST_CASE(iterator_seek_and_order)
{
    TempDir dir;
    Database db(dir.path, 1 << 20);
    Database::Batch batch;
    for (uint32_t i = 0; i < 1000; i += 3) batch.Write(PrefixKey{'x', i}, i * 2);
    for (uint32_t i = 0; i < 10; ++i) batch.Write(PrefixKey{'y', i}, i);
    db.WriteBatch(batch);

    auto it = db.NewIterator();
    it->Seek(PrefixKey{'x', 500});  // not present: lands on the next key, 501
    uint32_t expected = 501;
    unsigned seen = 0;
    for (; it->Valid(); it->Next()) {
        PrefixKey k{};
        BOOST_REQUIRE(it->GetKey(k));
        if (k.prefix != 'x') break;
        uint32_t v = 0;
        BOOST_REQUIRE(it->GetValue(v));
        BOOST_CHECK_EQUAL(k.n, expected);
        BOOST_CHECK_EQUAL(v, expected * 2);
        expected += 3;
        ++seen;
    }
    BOOST_CHECK_EQUAL(seen, (999u - 501u) / 3 + 1);
    // Key of another shape: GetKey refuses it.
    it->Seek(PrefixKey{'x', 0});
    uint8_t just_a_byte;
    BOOST_CHECK(!it->GetKey(just_a_byte));
    it->SeekToFirst();
    BOOST_CHECK(it->Valid());
    BOOST_CHECK_GE(db.EstimateSize(PrefixKey{'x', 0}, PrefixKey{'y', 0}), 0u);
}

BOOST_AUTO_TEST_CASE(reopen_keeps_data_and_wipe_clears_it)
{
    TempDir dir;
    {
        Database db(dir.path / "store", 1 << 20);
        for (uint32_t i = 0; i < 2000; ++i) db.Write(PrefixKey{'p', i}, HashOf(static_cast<uint8_t>(i)));
    }
    {
        Database db(dir.path / "store", 1 << 20);
        uint256 v;
        BOOST_CHECK(db.Read(PrefixKey{'p', 1234}, v));
        BOOST_CHECK(v == HashOf(static_cast<uint8_t>(1234)));
    }
    {
        Database db(dir.path / "store", 1 << 20, /*wipe=*/true);
        BOOST_CHECK(db.IsEmpty());
    }
}

BOOST_AUTO_TEST_CASE(corruption_names_the_directory)
{
    TempDir dir;
    const fs::path path = dir.path / "chainstate";
    {
        Database db(path, 1 << 20);
        for (uint32_t i = 0; i < 5000; ++i) db.Write(PrefixKey{'p', i}, HashOf(static_cast<uint8_t>(i)));
    }
    // Reopening moves the log into a table file (.ldb).
    { Database db(path, 1 << 20); }
    bool damaged = false;
    for (const auto& entry : fs::directory_iterator(path)) {
        if (entry.path().extension() != ".ldb" || entry.file_size() < 4096) continue;
        std::fstream f(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(entry.file_size() / 4));
        const std::string garbage(512, '\x5a');
        f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
        damaged = true;
    }
    BOOST_REQUIRE(damaged);
    try {
        Database db(path, 1 << 20, false, "-reindex-chainstate");
        for (uint32_t i = 0; i < 5000; ++i) {
            uint256 v;
            db.Read(PrefixKey{'p', i}, v);
        }
        auto it = db.NewIterator();
        for (it->SeekToFirst(); it->Valid(); it->Next()) {
        }
        BOOST_FAIL("damage not detected");
    } catch (const DatabaseError& e) {
        const std::string msg = e.what();
        BOOST_TEST_MESSAGE(msg);
        BOOST_CHECK(msg.find(path.string()) != std::string::npos);
        BOOST_CHECK(msg.find("-reindex-chainstate") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(unopenable_directory_is_a_clear_error)
{
    TempDir dir;
    const fs::path file = dir.path / "not_a_dir";
    std::ofstream(file) << "x";
    try {
        Database db(file, 1 << 20);
        BOOST_FAIL("opened a file as a database");
    } catch (const DatabaseError& e) {
        BOOST_CHECK(std::string(e.what()).find(file.string()) != std::string::npos);
    }
}

BOOST_AUTO_TEST_SUITE_END()
