#include <kernel/blockstorage.h>

#include <consensus/consensus.h>
#include <consensus/pow.h>
#include <crypto/hash.h>
#include <streams.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace {

constexpr char REINDEX_HINT[] = "Restart with -reindex to rebuild the block index from the block files.";
// Largest undo record we accept before calling the size field garbage.
constexpr uint32_t MAX_UNDO_RECORD_SIZE = MAX_SIZE;

void SetError(std::string* error, const std::string& message)
{
    if (error) *error = message;
}

std::string FileName(const char* prefix, int file)
{
    char name[32];
    std::snprintf(name, sizeof(name), "%s%05d.dat", prefix, file);
    return name;
}

uint32_t ReadLE32(const unsigned char* p)
{
    return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}

void WriteLE32(unsigned char* p, uint32_t v)
{
    for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// Writes `parts` back to back at `offset` of `path` (created if missing).
bool WriteAt(const std::filesystem::path& path, uint64_t offset, std::initializer_list<std::span<const unsigned char>> parts)
{
    FilePtr f{std::fopen(path.c_str(), "r+b")};
    if (!f) f.reset(std::fopen(path.c_str(), "w+b"));
    if (!f) return false;
    if (std::fseek(f.get(), static_cast<long>(offset), SEEK_SET) != 0) return false;
    for (const auto& part : parts) {
        if (!part.empty() && std::fwrite(part.data(), 1, part.size(), f.get()) != part.size()) return false;
    }
    return std::fflush(f.get()) == 0;
}

bool SyncFile(const std::filesystem::path& path)
{
    const int fd = ::open(path.c_str(), O_RDWR);
    if (fd < 0) return errno == ENOENT; // pruned meanwhile: nothing to sync
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

uint256 UndoChecksum(const uint256& prev_hash, std::span<const unsigned char> undo_bytes)
{
    uint256 sum;
    Hash256().Write(prev_hash).Write(undo_bytes).Finalize(std::span<unsigned char, 32>(sum.data(), 32));
    return sum;
}

} // namespace

BlockManager::BlockManager(const std::filesystem::path& blocks_dir, const ChainParams& params,
                           uint64_t prune_target_bytes, bool wipe)
    : BlockManager(blocks_dir, params, BlockManagerOptions{.prune_target_bytes = prune_target_bytes, .wipe = wipe})
{
}

BlockManager::BlockManager(const std::filesystem::path& blocks_dir, const ChainParams& params,
                           const BlockManagerOptions& options)
    : m_blocks_dir{blocks_dir}, m_params{params}, m_prune_target{options.prune_target_bytes},
      m_max_file_size{options.max_blockfile_size}
{
    std::filesystem::create_directories(m_blocks_dir);
    m_tree_db = std::make_unique<BlockTreeDB>(m_blocks_dir / "index", options.index_cache_bytes, options.wipe);
    m_file_info.resize(1);
}

BlockManager::~BlockManager() = default;

std::filesystem::path BlockManager::BlockFilePath(int file) const { return m_blocks_dir / FileName("blk", file); }
std::filesystem::path BlockManager::UndoFilePath(int file) const { return m_blocks_dir / FileName("rev", file); }

const BlockFileInfo* BlockManager::GetBlockFileInfo(int file) const
{
    if (file < 0 || file >= static_cast<int>(m_file_info.size())) return nullptr;
    return &m_file_info[file];
}

// ---------------------------------------------------------------------------
// Block index

BlockIndex* BlockManager::AddToBlockIndex(const BlockHeader& header)
{
    const uint256 hash = header.GetHash();
    auto [it, inserted] = m_index.try_emplace(hash, header);
    BlockIndex* block = &it->second;
    if (!inserted) return block;
    block->phash = &it->first;
    if (auto parent = m_index.find(header.prev_block); parent != m_index.end() && !header.prev_block.IsNull()) {
        block->prev = &parent->second;
        block->height = block->prev->height + 1;
        block->BuildSkip();
    }
    block->chain_work = (block->prev ? block->prev->chain_work : arith_uint256{}) + GetBlockProof(*block);
    block->time_max = block->prev ? std::max(block->prev->time_max, block->time) : block->time;
    block->RaiseValidity(BLOCK_VALID_TREE);
    if (!m_best_header || m_best_header->chain_work < block->chain_work) m_best_header = block;
    m_dirty_blocks.insert(block);
    return block;
}

BlockIndex* BlockManager::LookupBlockIndex(const uint256& hash)
{
    auto it = m_index.find(hash);
    return it == m_index.end() ? nullptr : &it->second;
}

const BlockIndex* BlockManager::LookupBlockIndex(const uint256& hash) const
{
    auto it = m_index.find(hash);
    return it == m_index.end() ? nullptr : &it->second;
}

std::vector<BlockIndex*> BlockManager::GetAllBlockIndices()
{
    std::vector<BlockIndex*> out;
    out.reserve(m_index.size());
    for (auto& [hash, block] : m_index) out.push_back(&block);
    std::sort(out.begin(), out.end(), [](const BlockIndex* a, const BlockIndex* b) { return a->height < b->height; });
    return out;
}

void BlockManager::LoadFileInfo()
{
    m_last_file = 0;
    m_tree_db->ReadLastBlockFile(m_last_file);
    if (m_last_file < 0) throw BlockStorageError("Damaged block index database in " + m_tree_db->Path().string() + ": negative last file number. " + REINDEX_HINT);
    m_file_info.assign(m_last_file + 1, BlockFileInfo{});
    for (int f = 0; f <= m_last_file; ++f) m_tree_db->ReadBlockFileInfo(f, m_file_info[f]);
    bool pruned = false;
    m_have_pruned = m_tree_db->ReadFlag("prunedblockfiles", pruned) && pruned;
}

bool BlockManager::LoadBlockIndex()
{
    LoadFileInfo();
    const std::string db_path = m_tree_db->Path().string();
    auto damaged = [&](const uint256& hash, const std::string& what) {
        return BlockStorageError("Damaged block index database in " + db_path + ": entry for block " + hash.GetHex() +
                                 " " + what + ". " + REINDEX_HINT);
    };
    const uint256& pow_limit = m_params.GetConsensus().pow_limit;
    std::vector<std::pair<BlockIndex*, uint256>> parents;
    m_index.clear();
    m_best_header = nullptr;
    m_tree_db->ForEachBlock([&](const uint256& hash, const DiskBlockIndex& disk) {
        if (disk.header.GetHash() != hash) throw damaged(hash, "does not match its header");
        if (!CheckProofOfWork(hash, disk.header.bits, pow_limit)) throw damaged(hash, "fails its proof of work");
        auto [it, inserted] = m_index.try_emplace(hash, disk.header);
        BlockIndex& block = it->second;
        block.phash = &it->first;
        block.height = disk.height;
        block.status = disk.status;
        block.tx_count = disk.tx_count;
        block.file = disk.file;
        block.data_pos = disk.data_pos;
        block.undo_pos = disk.undo_pos;
        parents.emplace_back(&block, disk.header.prev_block);
    });
    for (auto& [block, prev_hash] : parents) {
        if (prev_hash.IsNull()) continue;
        BlockIndex* prev = LookupBlockIndex(prev_hash);
        if (!prev) throw damaged(block->GetBlockHash(), "has no parent " + prev_hash.GetHex() + " in the index");
        block->prev = prev;
    }
    for (BlockIndex* block : GetAllBlockIndices()) {
        const int expected = block->prev ? block->prev->height + 1 : 0;
        if (block->height != expected) throw damaged(block->GetBlockHash(), "has a wrong height");
        block->BuildSkip();
        block->chain_work = (block->prev ? block->prev->chain_work : arith_uint256{}) + GetBlockProof(*block);
        block->time_max = block->prev ? std::max(block->prev->time_max, block->time) : block->time;
        // chain_tx is only known when every ancestor's transactions are.
        const bool parents_known = !block->prev || block->prev->chain_tx != 0;
        block->chain_tx = (block->tx_count != 0 && parents_known)
                              ? (block->prev ? block->prev->chain_tx : 0) + block->tx_count
                              : 0;
        if (!(block->status & BLOCK_FAILED_MASK) && (!m_best_header || m_best_header->chain_work < block->chain_work)) {
            m_best_header = block;
        }
    }
    m_dirty_blocks.clear();
    m_dirty_files.clear();
    return true;
}

bool BlockManager::FlushIndex()
{
    return FlushIndex({});
}

bool BlockManager::FlushIndex(const std::set<BlockIndex*>& extra_dirty)
{
    // Block and undo data must be on disk before an index entry points at it.
    for (const auto& path : m_unsynced_files) {
        if (!SyncFile(path)) return false;
    }
    m_unsynced_files.clear();
    m_dirty_blocks.insert(extra_dirty.begin(), extra_dirty.end());
    std::vector<std::pair<int, const BlockFileInfo*>> files;
    for (int f : m_dirty_files) files.emplace_back(f, &m_file_info[f]);
    std::vector<const BlockIndex*> blocks(m_dirty_blocks.begin(), m_dirty_blocks.end());
    m_tree_db->WriteBatchSync(files, m_last_file, blocks);
    m_dirty_blocks.clear();
    m_dirty_files.clear();
    return true;
}

// ---------------------------------------------------------------------------
// Block and undo files

FlatFilePos BlockManager::FindBlockPos(uint64_t add_size) const
{
    int file = m_last_file;
    // A file that has data and cannot take the record is closed; an empty
    // file takes any record (a block larger than a tiny test maximum).
    if (m_file_info[file].size != 0 && m_file_info[file].size + add_size > m_max_file_size) ++file;
    const unsigned offset = file < static_cast<int>(m_file_info.size()) ? m_file_info[file].size : 0;
    return FlatFilePos{file, offset};
}

FlatFilePos BlockManager::WriteBlock(const Block& block, int height)
{
    DataStream data;
    data << block;
    const uint64_t record_size = STORAGE_HEADER_BYTES + data.size();
    const FlatFilePos record = FindBlockPos(record_size);
    unsigned char header[STORAGE_HEADER_BYTES];
    std::memcpy(header, m_params.MessageStart().data(), 4);
    WriteLE32(header + 4, static_cast<uint32_t>(data.size()));
    const std::filesystem::path path = BlockFilePath(record.file);
    if (!WriteAt(path, record.pos, {std::span<const unsigned char>(header), data.unread()})) return FlatFilePos{};
    m_unsynced_files.insert(path);

    if (record.file >= static_cast<int>(m_file_info.size())) m_file_info.resize(record.file + 1);
    m_last_file = std::max(m_last_file, record.file);
    BlockFileInfo& info = m_file_info[record.file];
    info.size = static_cast<unsigned>(record.pos + record_size);
    info.AddBlock(static_cast<unsigned>(height), block.time);
    m_dirty_files.insert(record.file);
    return FlatFilePos{record.file, record.pos + STORAGE_HEADER_BYTES};
}

void BlockManager::ReceivedBlockData(BlockIndex& block, const FlatFilePos& pos, unsigned tx_count)
{
    block.file = pos.file;
    block.data_pos = pos.pos;
    block.tx_count = tx_count;
    block.status |= BLOCK_HAVE_DATA;
    m_dirty_blocks.insert(&block);
}

void BlockManager::NoteBlockInFile(const FlatFilePos& pos, int height, uint32_t time)
{
    if (pos.file < 0) return;
    if (pos.file >= static_cast<int>(m_file_info.size())) m_file_info.resize(pos.file + 1);
    m_file_info[pos.file].AddBlock(static_cast<unsigned>(height), time);
    m_dirty_files.insert(pos.file);
}

bool BlockManager::ReadRecord(const std::filesystem::path& path, unsigned pos, uint32_t max_size,
                              unsigned extra_bytes, std::vector<unsigned char>& out, std::string* error) const
{
    const std::string where = path.string() + " at offset " + std::to_string(pos);
    if (pos < STORAGE_HEADER_BYTES) {
        SetError(error, "Invalid position in " + where + ". " + REINDEX_HINT);
        return false;
    }
    FilePtr f{std::fopen(path.c_str(), "rb")};
    if (!f) {
        SetError(error, "Cannot open " + path.string() + ": " + std::strerror(errno) + ". " + REINDEX_HINT);
        return false;
    }
    unsigned char header[STORAGE_HEADER_BYTES];
    if (std::fseek(f.get(), static_cast<long>(pos - STORAGE_HEADER_BYTES), SEEK_SET) != 0 ||
        std::fread(header, 1, sizeof(header), f.get()) != sizeof(header)) {
        SetError(error, "Truncated file " + where + ": record header missing. " + REINDEX_HINT);
        return false;
    }
    if (std::memcmp(header, m_params.MessageStart().data(), 4) != 0) {
        SetError(error, "Corrupt file " + where + ": network magic bytes do not match. " + REINDEX_HINT);
        return false;
    }
    const uint32_t size = ReadLE32(header + 4);
    if (size > max_size) {
        SetError(error, "Corrupt file " + where + ": record size " + std::to_string(size) + " too large. " + REINDEX_HINT);
        return false;
    }
    out.resize(size_t{size} + extra_bytes);
    if (std::fread(out.data(), 1, out.size(), f.get()) != out.size()) {
        SetError(error, "Truncated file " + where + ": record shorter than its size. " + REINDEX_HINT);
        return false;
    }
    return true;
}

bool BlockManager::ReadRawBlock(std::vector<unsigned char>& out, const FlatFilePos& pos, std::string* error) const
{
    if (pos.IsNull()) {
        SetError(error, "Block position is null (block not stored or pruned)");
        return false;
    }
    return ReadRecord(BlockFilePath(pos.file), pos.pos, MAX_BLOCK_SERIALIZED_SIZE, 0, out, error);
}

bool BlockManager::ReadBlock(Block& block, const FlatFilePos& pos, std::string* error) const
{
    std::vector<unsigned char> raw;
    if (!ReadRawBlock(raw, pos, error)) return false;
    try {
        SpanReader reader{raw};
        reader >> block;
        if (!reader.empty()) throw std::ios_base::failure("trailing bytes");
    } catch (const std::exception& e) {
        SetError(error, "Corrupt block in " + BlockFilePath(pos.file).string() + " at offset " + std::to_string(pos.pos) +
                            ": " + e.what() + ". " + REINDEX_HINT);
        return false;
    }
    return true;
}

bool BlockManager::ReadBlock(Block& block, const BlockIndex& index, std::string* error) const
{
    if (!(index.status & BLOCK_HAVE_DATA)) {
        SetError(error, "Block " + index.GetBlockHash().GetHex() + " is not stored (pruned or never received)");
        return false;
    }
    const FlatFilePos pos{index.file, index.data_pos};
    if (!ReadBlock(block, pos, error)) return false;
    if (block.GetHash() != index.GetBlockHash()) {
        SetError(error, "Corrupt block in " + BlockFilePath(pos.file).string() + " at offset " + std::to_string(pos.pos) +
                            ": hash " + block.GetHash().GetHex() + " does not match the index entry " +
                            index.GetBlockHash().GetHex() + ". " + REINDEX_HINT);
        return false;
    }
    return true;
}

bool BlockManager::WriteUndo(const BlockUndo& undo, BlockIndex& block)
{
    if (block.file < 0) return false;
    if (block.file >= static_cast<int>(m_file_info.size())) m_file_info.resize(block.file + 1);
    DataStream data;
    data << undo;
    const uint256 prev_hash = block.prev ? block.prev->GetBlockHash() : uint256{};
    const uint256 checksum = UndoChecksum(prev_hash, data.unread());
    unsigned char header[STORAGE_HEADER_BYTES];
    std::memcpy(header, m_params.MessageStart().data(), 4);
    WriteLE32(header + 4, static_cast<uint32_t>(data.size()));
    BlockFileInfo& info = m_file_info[block.file];
    const unsigned offset = info.undo_size;
    const std::filesystem::path path = UndoFilePath(block.file);
    if (!WriteAt(path, offset, {std::span<const unsigned char>(header), data.unread(),
                                std::span<const unsigned char>(checksum.begin(), checksum.end())})) {
        return false;
    }
    m_unsynced_files.insert(path);
    info.undo_size = static_cast<unsigned>(offset + STORAGE_HEADER_BYTES + data.size() + UNDO_CHECKSUM_BYTES);
    m_dirty_files.insert(block.file);
    block.undo_pos = offset + STORAGE_HEADER_BYTES;
    block.status |= BLOCK_HAVE_UNDO;
    m_dirty_blocks.insert(&block);
    return true;
}

bool BlockManager::ReadUndo(BlockUndo& undo, const BlockIndex& block, std::string* error) const
{
    if (!(block.status & BLOCK_HAVE_UNDO) || block.file < 0) {
        SetError(error, "No undo data for block " + block.GetBlockHash().GetHex() + " (pruned or not connected)");
        return false;
    }
    const std::filesystem::path path = UndoFilePath(block.file);
    std::vector<unsigned char> raw;
    if (!ReadRecord(path, block.undo_pos, MAX_UNDO_RECORD_SIZE, UNDO_CHECKSUM_BYTES, raw, error)) return false;
    const std::string where = path.string() + " at offset " + std::to_string(block.undo_pos);
    const std::span<const unsigned char> body(raw.data(), raw.size() - UNDO_CHECKSUM_BYTES);
    const uint256 prev_hash = block.prev ? block.prev->GetBlockHash() : uint256{};
    const uint256 expected = UndoChecksum(prev_hash, body);
    if (!std::equal(expected.begin(), expected.end(), raw.end() - UNDO_CHECKSUM_BYTES)) {
        SetError(error, "Corrupt undo data in " + where + ": checksum mismatch. " + REINDEX_HINT);
        return false;
    }
    try {
        SpanReader reader{body};
        reader >> undo;
        if (!reader.empty()) throw std::ios_base::failure("trailing bytes");
    } catch (const std::exception& e) {
        SetError(error, "Corrupt undo data in " + where + ": " + e.what() + ". " + REINDEX_HINT);
        return false;
    }
    return true;
}

// ---------------------------------------------------------------------------
// Pruning

uint64_t BlockManager::CalculateCurrentUsage() const
{
    uint64_t total = 0;
    for (const BlockFileInfo& info : m_file_info) total += uint64_t{info.size} + info.undo_size;
    return total;
}

std::set<int> BlockManager::FindFilesToPrune(int tip_height) const
{
    std::set<int> out;
    if (!IsPruneMode() || IsManualPruneOnly()) return out;
    if (tip_height < 0 || static_cast<uint64_t>(tip_height) <= m_params.PruneAfterHeight()) return out;
    const int last_prunable = tip_height - MIN_BLOCKS_TO_KEEP;
    uint64_t usage = CalculateCurrentUsage();
    // The file being written is never pruned: blocks keep arriving there.
    for (int f = 0; f < m_last_file && usage > m_prune_target; ++f) {
        const BlockFileInfo& info = m_file_info[f];
        // An empty file gains nothing; one without known heights might hold recent blocks.
        if (info.size == 0 || info.blocks == 0) continue;
        if (static_cast<int64_t>(info.height_last) > last_prunable) continue;
        usage -= uint64_t{info.size} + info.undo_size;
        out.insert(f);
    }
    return out;
}

std::set<int> BlockManager::FindFilesToPruneManual(int prune_height, int tip_height) const
{
    std::set<int> out;
    if (!IsPruneMode()) return out;
    const int limit = std::min(prune_height, tip_height - MIN_BLOCKS_TO_KEEP);
    if (limit < 0) return out;
    for (int f = 0; f < m_last_file; ++f) {
        const BlockFileInfo& info = m_file_info[f];
        if (info.size == 0 || info.blocks == 0) continue;
        if (static_cast<int64_t>(info.height_last) <= limit) out.insert(f);
    }
    return out;
}

void BlockManager::PruneOneBlockFile(int file)
{
    for (auto& [hash, block] : m_index) {
        if (block.file != file) continue;
        block.status &= ~static_cast<uint32_t>(BLOCK_HAVE_DATA | BLOCK_HAVE_UNDO);
        block.file = -1;
        block.data_pos = 0;
        block.undo_pos = 0;
        m_dirty_blocks.insert(&block);
    }
    if (file >= 0 && file < static_cast<int>(m_file_info.size())) {
        m_file_info[file] = BlockFileInfo{};
        m_dirty_files.insert(file);
    }
    if (!m_have_pruned) {
        m_have_pruned = true;
        m_tree_db->WriteFlag("prunedblockfiles", true);
    }
}

void BlockManager::UnlinkPrunedFiles(const std::set<int>& files) const
{
    for (int f : files) {
        std::error_code ec;
        std::filesystem::remove(BlockFilePath(f), ec);
        std::filesystem::remove(UndoFilePath(f), ec);
    }
}

std::set<int> BlockManager::PruneFiles(const std::set<int>& files)
{
    if (files.empty()) return files;
    for (int f : files) PruneOneBlockFile(f);
    // The index must stop pointing at the files before they disappear.
    FlushIndex();
    UnlinkPrunedFiles(files);
    return files;
}

std::set<int> BlockManager::PruneAuto(int tip_height)
{
    return PruneFiles(FindFilesToPrune(tip_height));
}

std::set<int> BlockManager::PruneToHeight(int height, int tip_height)
{
    return PruneFiles(FindFilesToPruneManual(height, tip_height));
}

// ---------------------------------------------------------------------------
// Reindex

namespace {
// Highest blk?????.dat number in the directory, -1 when there is none.
int HighestBlockFile(const std::filesystem::path& dir)
{
    int highest = -1;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.size() != 12 || name.compare(0, 3, "blk") != 0 || name.compare(8, 4, ".dat") != 0) continue;
        const std::string digits = name.substr(3, 5);
        if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
        highest = std::max(highest, std::stoi(digits));
    }
    return highest;
}

std::vector<unsigned char> ReadWholeFile(const std::filesystem::path& path)
{
    std::vector<unsigned char> data;
    FilePtr f{std::fopen(path.c_str(), "rb")};
    if (!f) return data;
    unsigned char buf[1 << 16];
    size_t got;
    while ((got = std::fread(buf, 1, sizeof(buf), f.get())) > 0) data.insert(data.end(), buf, buf + got);
    return data;
}
} // namespace

bool BlockManager::ImportFile(int file, const BlockFoundFn& found)
{
    const std::vector<unsigned char> data = ReadWholeFile(BlockFilePath(file));
    const auto& magic = m_params.MessageStart();
    if (file >= static_cast<int>(m_file_info.size())) m_file_info.resize(file + 1);
    BlockFileInfo& info = m_file_info[file];
    info = BlockFileInfo{};
    size_t offset = 0;
    while (true) {
        auto hit = std::search(data.begin() + offset, data.end(), magic.begin(), magic.end());
        offset = static_cast<size_t>(hit - data.begin());
        if (data.size() - offset < STORAGE_HEADER_BYTES) break;
        const uint32_t size = ReadLE32(data.data() + offset + 4);
        const size_t start = offset + STORAGE_HEADER_BYTES;
        Block block;
        bool ok = size >= BlockHeader::SERIALIZED_SIZE && size <= MAX_BLOCK_SERIALIZED_SIZE && data.size() - start >= size;
        if (ok) {
            try {
                SpanReader reader{std::span<const unsigned char>(data.data() + start, size)};
                reader >> block;
                ok = reader.empty();
            } catch (const std::exception&) {
                ok = false;
            }
        }
        if (!ok) {
            ++offset; // garbage that happened to contain the magic: look further
            continue;
        }
        const FlatFilePos pos{file, static_cast<unsigned>(start)};
        info.size = static_cast<unsigned>(start + size);
        if (!found(block, pos)) return false;
        offset = start + size;
    }
    return true;
}

void BlockManager::ImportBlocks(const BlockFoundFn& found)
{
    const int highest = HighestBlockFile(m_blocks_dir);
    for (int f = 0; f <= highest; ++f) {
        if (!std::filesystem::exists(BlockFilePath(f))) continue; // pruned
        m_last_file = std::max(m_last_file, f);
        m_dirty_files.insert(f);
        if (!ImportFile(f, found)) break;
    }
    if (m_last_file >= static_cast<int>(m_file_info.size())) m_file_info.resize(m_last_file + 1);
}

void BlockManager::SetReindexing(bool reindexing)
{
    m_tree_db->WriteReindexing(reindexing);
}

bool BlockManager::IsReindexing() const
{
    return m_tree_db->IsReindexing();
}
