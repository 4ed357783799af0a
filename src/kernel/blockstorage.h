#pragma once

// Block and undo files, the in-memory block index and its LevelDB copy.
//
// On disk (as Bitcoin Core lays them out): blocks/blk00000.dat, blk00001.dat,
// ... hold records of [4 network magic bytes][4-byte little-endian size]
// [block with witness]; blocks/rev00000.dat, ... hold for the blocks of the
// blk file with the same number [magic][size][undo data][32-byte checksum],
// the checksum being SHA256d(hash of the block's parent || undo data). A file
// is closed for new blocks when the next one would take it past the maximum
// size (128 MiB). Positions (FlatFilePos, BlockIndex::data_pos / undo_pos)
// point at the data right after the 8-byte record header.

#include <kernel/block_index.h>
#include <kernel/block_tree_db.h>
#include <kernel/flatfile.h>
#include <kernel/chainparams.h>
#include <kernel/undo.h>
#include <primitives/block.h>
#include <uint256.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

inline constexpr uint64_t MAX_BLOCKFILE_SIZE = 0x8000000; // 128 MiB
// magic + size in front of every record.
inline constexpr unsigned STORAGE_HEADER_BYTES = 8;
// SHA256d checksum after each undo record.
inline constexpr unsigned UNDO_CHECKSUM_BYTES = 32;
// Automatic pruning keeps at least this many blocks below the tip (two days),
// enough for any plausible reorganization.
inline constexpr int MIN_BLOCKS_TO_KEEP = 288;
// Smallest automatic prune target Core accepts (-prune=550).
inline constexpr uint64_t MIN_DISK_SPACE_FOR_BLOCK_FILES = 550ULL * 1024 * 1024;
// prune_target_bytes meaning "manual pruning only" (-prune=1).
inline constexpr uint64_t PRUNE_TARGET_MANUAL = std::numeric_limits<uint64_t>::max();

// Errors reading the block files or the block index from disk. The message
// names the file and suggests -reindex.
class BlockStorageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct BlockHashHasher {
    size_t operator()(const uint256& hash) const { return static_cast<size_t>(hash.GetUint64(0)); }
};
using BlockMap = std::unordered_map<uint256, BlockIndex, BlockHashHasher>;

struct BlockManagerOptions {
    uint64_t prune_target_bytes = 0; // 0: no pruning; PRUNE_TARGET_MANUAL: manual only
    bool wipe = false;               // start with an empty block index (-reindex)
    uint64_t max_blockfile_size = MAX_BLOCKFILE_SIZE; // smaller in tests to force rollover
    size_t index_cache_bytes = 8 << 20;
};

// Owns the block index map, the blk/rev files and the block tree database.
// Not thread-safe: callers hold the chain lock.
class BlockManager {
public:
    // Opens (creates) blocks_dir and blocks_dir/index. Throws on a database
    // that cannot be opened. Call LoadBlockIndex() afterwards.
    BlockManager(const std::filesystem::path& blocks_dir, const ChainParams& params,
                 uint64_t prune_target_bytes = 0, bool wipe = false);
    BlockManager(const std::filesystem::path& blocks_dir, const ChainParams& params, const BlockManagerOptions& options);
    ~BlockManager();
    BlockManager(const BlockManager&) = delete;
    BlockManager& operator=(const BlockManager&) = delete;

    // ---- block index
    // Adds a header (or returns its existing entry). The parent must already
    // be in the index (except for a genesis block): links it, sets height,
    // chain work, time_max, the skip pointer, raises validity to
    // BLOCK_VALID_TREE and marks the entry dirty. Does no checks.
    BlockIndex* AddToBlockIndex(const BlockHeader& header);
    BlockIndex* LookupBlockIndex(const uint256& hash);
    const BlockIndex* LookupBlockIndex(const uint256& hash) const;
    BlockMap& Index() { return m_index; }
    const BlockMap& Index() const { return m_index; }
    // Header with the most chain work seen (null before any).
    BlockIndex* BestHeader() const { return m_best_header; }
    // Remember that an entry changed (status, file position, ...) so the next flush writes it.
    void SetDirty(BlockIndex* block) { m_dirty_blocks.insert(block); }

    // Reads the block tree DB and rebuilds the map: parent, skip pointers,
    // chain work, time_max, chain_tx (where all parents have data). Each
    // header's proof of work is checked against its bits. Throws
    // BlockStorageError on damaged data; returns true otherwise (an empty
    // database is fine).
    bool LoadBlockIndex();
    // Syncs the block/undo files written since the last flush, then writes
    // the dirty entries and file infos (and `extra_dirty`) to the block tree
    // DB in one synchronous batch. False when a file cannot be synced;
    // DatabaseError (naming the directory) when the database write fails.
    bool FlushIndex();
    bool FlushIndex(const std::set<BlockIndex*>& extra_dirty);
    // Entries sorted by height (for building candidate sets after a load).
    std::vector<BlockIndex*> GetAllBlockIndices();

    // ---- block files
    // Appends the block to the current blk file (rolling over when full) and
    // records it in the file info. Does not touch the index entry: the caller
    // sets file, data_pos and BLOCK_HAVE_DATA (or uses ReceivedBlockData).
    // A null position on a write error.
    FlatFilePos WriteBlock(const Block& block, int height);
    // Sets the entry's file position and HAVE_DATA / tx_count, marks it dirty.
    void ReceivedBlockData(BlockIndex& block, const FlatFilePos& pos, unsigned tx_count);
    // Record a block found in a blk file during reindex in that file's info
    // (height and time ranges for pruning).
    void NoteBlockInFile(const FlatFilePos& pos, int height, uint32_t time);

    // Reads and checks the block at the entry's position: framing (magic,
    // size), deserialization and that the hash matches the entry. On failure
    // returns false and sets *error (names the file, suggests -reindex).
    bool ReadBlock(Block& block, const BlockIndex& index, std::string* error = nullptr) const;
    bool ReadBlock(Block& block, const FlatFilePos& pos, std::string* error = nullptr) const;
    // The serialized block bytes at pos (checks the framing only).
    bool ReadRawBlock(std::vector<unsigned char>& out, const FlatFilePos& pos, std::string* error = nullptr) const;

    // Appends undo data to rev<file>.dat of the entry's block file, with the
    // checksum over the parent's hash; sets undo_pos and BLOCK_HAVE_UNDO and
    // marks the entry dirty. The block must be stored (file >= 0).
    bool WriteUndo(const BlockUndo& undo, BlockIndex& block);
    // Reads the undo data of a block and verifies framing and checksum.
    bool ReadUndo(BlockUndo& undo, const BlockIndex& block, std::string* error = nullptr) const;

    // Number of the highest blk file in use (the one new blocks go to).
    int MaxBlockfileNum() const { return m_last_file; }
    const BlockFileInfo* GetBlockFileInfo(int file) const;
    std::filesystem::path BlockFilePath(int file) const;
    std::filesystem::path UndoFilePath(int file) const;
    const std::filesystem::path& BlocksDir() const { return m_blocks_dir; }

    // ---- pruning
    bool IsPruneMode() const { return m_prune_target != 0; }
    bool IsManualPruneOnly() const { return m_prune_target == PRUNE_TARGET_MANUAL; }
    uint64_t PruneTarget() const { return m_prune_target; }
    // Whether any block file was ever pruned (persisted).
    bool HavePruned() const { return m_have_pruned; }
    // Bytes of all blk and rev files.
    uint64_t CalculateCurrentUsage() const;
    // Automatic pruning: files to delete so usage drops under the target,
    // keeping the last MIN_BLOCKS_TO_KEEP blocks below tip_height and the
    // file being written. Empty when not in automatic prune mode or the
    // chain is not past the network's PruneAfterHeight.
    std::set<int> FindFilesToPrune(int tip_height) const;
    // Manual pruning: files whose blocks are all at or below prune_height
    // (capped at tip_height - MIN_BLOCKS_TO_KEEP).
    std::set<int> FindFilesToPruneManual(int prune_height, int tip_height) const;
    // Forgets a file's blocks: entries lose HAVE_DATA / HAVE_UNDO and their
    // positions, the file info is cleared. Files stay until UnlinkPrunedFiles.
    void PruneOneBlockFile(int file);
    // Deletes blk/rev files (after the index was flushed).
    void UnlinkPrunedFiles(const std::set<int>& files) const;
    // Prune, flush the index, delete: the automatic policy. Returns the files pruned.
    std::set<int> PruneAuto(int tip_height);
    // Same with the manual policy (pruneblockchain RPC). Returns the files pruned.
    std::set<int> PruneToHeight(int height, int tip_height);

    // ---- reindex
    // Calls `found` for every block in the blk files, in file and position
    // order. Skips anything between records that is not a valid record (it
    // scans for the magic bytes). Rebuilds the file infos' sizes (up to the
    // end of the last good record, where new blocks will go); the caller
    // records each block it accepts, with its height, by NoteBlockInFile.
    // Undo sizes restart at 0 (undo data is rewritten as blocks are connected
    // again), so use it with a wiped index. Stops early when `found` returns false.
    using BlockFoundFn = std::function<bool(const Block& block, const FlatFilePos& pos)>;
    void ImportBlocks(const BlockFoundFn& found);

    // ---- flags in the block tree DB
    BlockTreeDB& TreeDB() { return *m_tree_db; }
    void SetReindexing(bool reindexing);
    bool IsReindexing() const;

private:
    // Where a record of add_size bytes goes: the end of the last file, or
    // the start of the next one when it would pass the maximum size.
    FlatFilePos FindBlockPos(uint64_t add_size) const;
    // Reads the record whose data starts at pos: checks magic and size
    // (at most max_size), returns the data and extra_bytes after it.
    bool ReadRecord(const std::filesystem::path& path, unsigned pos, uint32_t max_size, unsigned extra_bytes,
                    std::vector<unsigned char>& out, std::string* error) const;
    void LoadFileInfo();
    std::set<int> PruneFiles(const std::set<int>& files);
    bool ImportFile(int file, const BlockFoundFn& found);

    std::filesystem::path m_blocks_dir;
    const ChainParams& m_params;
    uint64_t m_prune_target;
    uint64_t m_max_file_size;
    std::unique_ptr<BlockTreeDB> m_tree_db;

    BlockMap m_index;
    BlockIndex* m_best_header = nullptr;
    std::vector<BlockFileInfo> m_file_info;
    int m_last_file = 0;
    bool m_have_pruned = false;
    std::set<BlockIndex*> m_dirty_blocks;
    std::set<int> m_dirty_files;
    // Files written since the last flush: fsynced before the index points at them.
    std::set<std::filesystem::path> m_unsynced_files;
};
