#pragma once

// The block index on disk: LevelDB at blocks/index/ holding one entry per
// block (keyed by hash), the info of each blk file, the number of the last
// file and a few flags (reindexing, txindex, pruned).

#include <kernel/flatfile.h>
#include <primitives/block.h>
#include <uint256.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

class BlockIndex;
class Database;

// What is stored for each block: the header, height, status, transaction
// count and file positions. Chain work, skip and parent pointers are
// recomputed on load.
struct DiskBlockIndex {
    BlockHeader header;
    int height = 0;
    uint32_t status = 0;
    unsigned tx_count = 0;
    int file = -1;
    unsigned data_pos = 0;
    unsigned undo_pos = 0;

    DiskBlockIndex() = default;
    explicit DiskBlockIndex(const BlockIndex& index);

    template <typename Stream>
    void Serialize(Stream& s) const
    {
        ::Serialize(s, height);
        ::Serialize(s, status);
        ::Serialize(s, tx_count);
        ::Serialize(s, file);
        ::Serialize(s, data_pos);
        ::Serialize(s, undo_pos);
        ::Serialize(s, header);
    }
    template <typename Stream>
    void Unserialize(Stream& s)
    {
        ::Unserialize(s, height);
        ::Unserialize(s, status);
        ::Unserialize(s, tx_count);
        ::Unserialize(s, file);
        ::Unserialize(s, data_pos);
        ::Unserialize(s, undo_pos);
        ::Unserialize(s, header);
    }
};

class BlockTreeDB {
public:
    // Opens (creates) the database in `dir`; wipe erases it first. Throws on failure.
    BlockTreeDB(const std::filesystem::path& dir, size_t cache_bytes, bool wipe);
    ~BlockTreeDB();

    // Writes file infos, the last file number and block entries in one synchronous batch.
    void WriteBatchSync(const std::vector<std::pair<int, const BlockFileInfo*>>& files, int last_file,
                        const std::vector<const BlockIndex*>& blocks);
    bool ReadBlockFileInfo(int file, BlockFileInfo& info) const;
    bool ReadLastBlockFile(int& file) const;

    void WriteReindexing(bool reindexing);
    bool IsReindexing() const;
    void WriteFlag(const std::string& name, bool value);
    bool ReadFlag(const std::string& name, bool& value) const;

    // Calls `entry` for every stored block with its key hash. Throws
    // BlockStorageError-compatible std::runtime_error on an unreadable entry.
    void ForEachBlock(const std::function<void(const uint256& hash, const DiskBlockIndex&)>& entry) const;

    const std::filesystem::path& Path() const { return m_path; }

private:
    std::filesystem::path m_path;
    std::unique_ptr<Database> m_db;
};
