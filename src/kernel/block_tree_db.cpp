#include <kernel/block_tree_db.h>

#include <kernel/block_index.h>
#include <kernel/dbwrapper.h>

#include <stdexcept>

namespace {

// Record types, one prefix byte each (the letters Bitcoin Core uses).
constexpr uint8_t DB_BLOCK_INDEX = 'b';
constexpr uint8_t DB_BLOCK_FILES = 'f';
constexpr uint8_t DB_LAST_BLOCK = 'l';
constexpr uint8_t DB_REINDEX_FLAG = 'R';
constexpr uint8_t DB_FLAG = 'F';

struct BlockKey {
    uint8_t prefix = DB_BLOCK_INDEX;
    uint256 hash;
    template <typename Stream>
    void Serialize(Stream& s) const
    {
        ::Serialize(s, prefix);
        ::Serialize(s, hash);
    }
    template <typename Stream>
    void Unserialize(Stream& s)
    {
        ::Unserialize(s, prefix);
        ::Unserialize(s, hash);
    }
};

struct FileKey {
    int32_t file = 0;
    template <typename Stream>
    void Serialize(Stream& s) const
    {
        ::Serialize(s, DB_BLOCK_FILES);
        ::Serialize(s, file);
    }
};

struct FlagKey {
    std::string name;
    template <typename Stream>
    void Serialize(Stream& s) const
    {
        ::Serialize(s, DB_FLAG);
        ::Serialize(s, name);
    }
};

} // namespace

DiskBlockIndex::DiskBlockIndex(const BlockIndex& index)
    : header{index.GetBlockHeader()}, height{index.height}, status{index.status}, tx_count{index.tx_count},
      file{index.file}, data_pos{index.data_pos}, undo_pos{index.undo_pos}
{
}

BlockTreeDB::BlockTreeDB(const std::filesystem::path& dir, size_t cache_bytes, bool wipe)
    : m_path{dir}, m_db{std::make_unique<Database>(dir, cache_bytes, wipe, "-reindex")}
{
}

BlockTreeDB::~BlockTreeDB() = default;

void BlockTreeDB::WriteBatchSync(const std::vector<std::pair<int, const BlockFileInfo*>>& files, int last_file,
                                 const std::vector<const BlockIndex*>& blocks)
{
    Database::Batch batch;
    for (const auto& [file, info] : files) batch.Write(FileKey{file}, *info);
    batch.Write(DB_LAST_BLOCK, int32_t{last_file});
    for (const BlockIndex* block : blocks) {
        batch.Write(BlockKey{DB_BLOCK_INDEX, block->GetBlockHash()}, DiskBlockIndex{*block});
    }
    m_db->WriteBatch(batch, /*sync=*/true);
}

bool BlockTreeDB::ReadBlockFileInfo(int file, BlockFileInfo& info) const
{
    return m_db->Read(FileKey{file}, info);
}

bool BlockTreeDB::ReadLastBlockFile(int& file) const
{
    int32_t value = 0;
    if (!m_db->Read(DB_LAST_BLOCK, value)) return false;
    file = value;
    return true;
}

void BlockTreeDB::WriteReindexing(bool reindexing)
{
    if (reindexing) {
        m_db->Write(DB_REINDEX_FLAG, uint8_t{'1'}, /*sync=*/true);
    } else {
        m_db->Erase(DB_REINDEX_FLAG, /*sync=*/true);
    }
}

bool BlockTreeDB::IsReindexing() const
{
    return m_db->Exists(DB_REINDEX_FLAG);
}

void BlockTreeDB::WriteFlag(const std::string& name, bool value)
{
    m_db->Write(FlagKey{name}, uint8_t{value ? uint8_t{'1'} : uint8_t{'0'}}, /*sync=*/true);
}

bool BlockTreeDB::ReadFlag(const std::string& name, bool& value) const
{
    uint8_t raw = 0;
    if (!m_db->Read(FlagKey{name}, raw)) return false;
    value = raw == '1';
    return true;
}

void BlockTreeDB::ForEachBlock(const std::function<void(const uint256& hash, const DiskBlockIndex&)>& entry) const
{
    std::unique_ptr<Database::Iterator> it = m_db->NewIterator();
    it->Seek(BlockKey{DB_BLOCK_INDEX, uint256{}});
    for (; it->Valid(); it->Next()) {
        BlockKey key;
        // Keys are ordered bytewise: the first key of another record type ends the range.
        if (!it->GetKey(key) || key.prefix != DB_BLOCK_INDEX) break;
        DiskBlockIndex disk;
        if (!it->GetValue(disk)) {
            m_db->ThrowCorrupt("undecodable block index entry for block " + key.hash.GetHex());
        }
        entry(key.hash, disk);
    }
}
