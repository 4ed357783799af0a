// Block and undo files, file rollover, pruning, reindex scanning and the
// block index database, on real mainnet blocks and synthetic regtest chains.

#include <kernel/block_tree_db.h>
#include <kernel/blockstorage.h>
#include <kernel/chainparams.h>
#include <kernel/dbwrapper.h>
#include <kernel/undo.h>

#include <consensus/merkle.h>
#include <consensus/pow.h>
#include <crypto/hash.h>
#include <streams.h>
#include <test/util/vectors.h>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace {

// A fresh directory removed when the test ends.
class TempDir {
public:
    TempDir()
    {
        static std::atomic<int> counter{0};
        m_path = fs::temp_directory_path() /
                 ("blockstorage_tests_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
        fs::remove_all(m_path);
        fs::create_directories(m_path);
    }
    ~TempDir()
    {
        std::error_code ec;
        fs::remove_all(m_path, ec);
    }
    const fs::path& Path() const { return m_path; }

private:
    fs::path m_path;
};

std::vector<unsigned char> ReadFile(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void WriteFile(const fs::path& path, const std::vector<unsigned char>& bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<unsigned char> Serialized(const Block& block)
{
    DataStream s;
    s << block;
    return {s.begin(), s.end()};
}

// A block with one coinbase-like transaction carrying `filler` bytes, on top
// of `prev`, with a regtest proof of work (the nonce is ground until the hash
// meets the easiest target, which takes two tries on average).
Block MakeBlock(const uint256& prev, int height, size_t filler = 100, uint32_t time = 1700000000)
{
    MutableTransaction tx;
    TxIn in;
    in.prevout.SetNull();
    in.script_sig.assign(4 + filler, 0x51);
    for (int i = 0; i < 4; ++i) in.script_sig[i] = static_cast<unsigned char>(height >> (8 * i));
    tx.vin.push_back(in);
    TxOut out;
    out.value = 50 * 100000000LL;
    out.script_pubkey.assign(1, 0x51);
    tx.vout.push_back(out);
    Block block;
    block.version = 0x20000000;
    block.prev_block = prev;
    block.time = time + static_cast<uint32_t>(height);
    block.bits = 0x207fffff;
    block.vtx.push_back(std::make_shared<const Transaction>(std::move(tx)));
    block.merkle_root = BlockMerkleRoot(block);
    const uint256 limit = CreateChainParams(ChainType::REGTEST)->GetConsensus().pow_limit;
    while (!CheckProofOfWork(block.GetHash(), block.bits, limit)) ++block.nonce;
    return block;
}

// Builds a chain of `count` blocks, writes each block and registers it.
std::vector<BlockIndex*> BuildStoredChain(BlockManager& bm, int count, size_t filler = 100, BlockIndex* tip = nullptr)
{
    std::vector<BlockIndex*> out;
    for (int i = 0; i < count; ++i) {
        const int height = tip ? tip->height + 1 : 0;
        const Block block = MakeBlock(tip ? tip->GetBlockHash() : uint256{}, height, filler);
        BlockIndex* index = bm.AddToBlockIndex(block);
        const FlatFilePos pos = bm.WriteBlock(block, height);
        BOOST_REQUIRE(!pos.IsNull());
        bm.ReceivedBlockData(*index, pos, static_cast<unsigned>(block.vtx.size()));
        index->chain_tx = (tip ? tip->chain_tx : 0) + block.vtx.size();
        out.push_back(tip = index);
    }
    return out;
}

BlockUndo MakeUndo(int seed)
{
    BlockUndo undo;
    std::mt19937 rng(seed);
    for (int t = 0; t < 3; ++t) {
        TxUndo tx;
        for (int i = 0; i < 1 + t; ++i) {
            TxOut out;
            out.value = std::uniform_int_distribution<int64_t>(0, 21000000LL * 100000000LL)(rng);
            if (i % 3 == 0) {
                out.script_pubkey = {0x76, 0xa9, 0x14}; // P2PKH: stored compressed
                for (int b = 0; b < 20; ++b) out.script_pubkey.push_back(static_cast<unsigned char>(rng()));
                out.script_pubkey.push_back(0x88);
                out.script_pubkey.push_back(0xac);
            } else {
                out.script_pubkey = {0x00, 0x14}; // P2WPKH: stored raw
                for (int b = 0; b < 20; ++b) out.script_pubkey.push_back(static_cast<unsigned char>(rng()));
            }
            tx.prevout.emplace_back(out, static_cast<uint32_t>(i == 0 ? 0 : 1000 + i), i == 1);
        }
        undo.vtxundo.push_back(tx);
    }
    return undo;
}

std::string RealBlockFile(int height)
{
    return "blocks/mainnet_block_" + std::to_string(height) + ".raw";
}

bool Mentions(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

} // namespace

BOOST_AUTO_TEST_SUITE(blockstorage_tests)

BOOST_AUTO_TEST_CASE(real_blocks_framing_on_disk)
{
    TempDir dir;
    const auto params = CreateChainParams(ChainType::MAIN);
    BlockManager bm(dir.Path(), *params);
    std::vector<unsigned char> expected_file;
    std::vector<std::pair<BlockIndex*, std::vector<unsigned char>>> written;
    for (int height : {277647, 702861, 866342}) {
        const std::vector<unsigned char> raw = test_util::ReadVectorBytes(RealBlockFile(height));
        Block block;
        SpanReader(raw) >> block;
        BlockIndex* index = bm.AddToBlockIndex(block);
        const FlatFilePos pos = bm.WriteBlock(block, height);
        BOOST_REQUIRE(!pos.IsNull());
        BOOST_CHECK_EQUAL(pos.file, 0);
        BOOST_CHECK_EQUAL(pos.pos, expected_file.size() + STORAGE_HEADER_BYTES);
        bm.ReceivedBlockData(*index, pos, static_cast<unsigned>(block.vtx.size()));
        // magic f9beb4d9, little-endian size, the block with witness data.
        expected_file.insert(expected_file.end(), {0xf9, 0xbe, 0xb4, 0xd9});
        for (int i = 0; i < 4; ++i) expected_file.push_back(static_cast<unsigned char>(raw.size() >> (8 * i)));
        expected_file.insert(expected_file.end(), raw.begin(), raw.end());
        written.emplace_back(index, raw);
    }
    BOOST_CHECK(ReadFile(dir.Path() / "blk00000.dat") == expected_file);
    for (const auto& [index, raw] : written) {
        Block read;
        std::string error;
        BOOST_REQUIRE_MESSAGE(bm.ReadBlock(read, *index, &error), error);
        BOOST_CHECK(Serialized(read) == raw);
        BOOST_CHECK(read.GetHash() == index->GetBlockHash());
        std::vector<unsigned char> bytes;
        BOOST_REQUIRE(bm.ReadRawBlock(bytes, FlatFilePos{index->file, index->data_pos}));
        BOOST_CHECK(bytes == raw);
    }
    const BlockFileInfo* info = bm.GetBlockFileInfo(0);
    BOOST_REQUIRE(info != nullptr);
    BOOST_CHECK_EQUAL(info->blocks, 3u);
    BOOST_CHECK_EQUAL(info->size, expected_file.size());
    BOOST_CHECK_EQUAL(info->height_first, 277647u);
    BOOST_CHECK_EQUAL(info->height_last, 866342u);
    BOOST_CHECK_EQUAL(bm.CalculateCurrentUsage(), expected_file.size());
}

BOOST_AUTO_TEST_CASE(undo_round_trip_with_checksum)
{
    TempDir dir;
    const auto params = CreateChainParams(ChainType::REGTEST);
    BlockManager bm(dir.Path(), *params);
    const auto chain = BuildStoredChain(bm, 3);
    const BlockUndo undo1 = MakeUndo(1);
    const BlockUndo undo2 = MakeUndo(2);
    BOOST_REQUIRE(bm.WriteUndo(undo1, *chain[1]));
    BOOST_REQUIRE(bm.WriteUndo(undo2, *chain[2]));
    BOOST_CHECK(chain[1]->status & BLOCK_HAVE_UNDO);
    BOOST_CHECK_EQUAL(chain[1]->undo_pos, STORAGE_HEADER_BYTES);

    BlockUndo read;
    std::string error;
    BOOST_REQUIRE_MESSAGE(bm.ReadUndo(read, *chain[1], &error), error);
    BOOST_CHECK(read == undo1);
    BOOST_REQUIRE(bm.ReadUndo(read, *chain[2], &error));
    BOOST_CHECK(read == undo2);

    // On disk: regtest magic, size, undo bytes, SHA256d(parent hash || undo bytes).
    DataStream s;
    s << undo1;
    const std::vector<unsigned char> body(s.begin(), s.end());
    std::vector<unsigned char> expected{0xfa, 0xbf, 0xb5, 0xda};
    for (int i = 0; i < 4; ++i) expected.push_back(static_cast<unsigned char>(body.size() >> (8 * i)));
    expected.insert(expected.end(), body.begin(), body.end());
    uint256 sum;
    const uint256 parent = chain[0]->GetBlockHash();
    Hash256().Write(parent).Write(body).Finalize(std::span<unsigned char, 32>(sum.data(), 32));
    expected.insert(expected.end(), sum.begin(), sum.end());
    const std::vector<unsigned char> on_disk = ReadFile(dir.Path() / "rev00000.dat");
    BOOST_REQUIRE_GE(on_disk.size(), expected.size());
    BOOST_CHECK(std::vector<unsigned char>(on_disk.begin(), on_disk.begin() + expected.size()) == expected);
    BOOST_CHECK_EQUAL(bm.GetBlockFileInfo(0)->undo_size, on_disk.size());

    // The checksum binds the undo data to the parent: under another parent it fails.
    BlockIndex moved = *chain[2];
    moved.prev = chain[0];
    BOOST_CHECK(!bm.ReadUndo(read, moved, &error));
    BOOST_CHECK(Mentions(error, "rev00000.dat"));
    BOOST_CHECK(Mentions(error, "checksum"));

    // A flipped byte in the data fails the checksum.
    std::vector<unsigned char> damaged = on_disk;
    damaged[STORAGE_HEADER_BYTES + 3] ^= 0x01;
    WriteFile(dir.Path() / "rev00000.dat", damaged);
    BOOST_CHECK(!bm.ReadUndo(read, *chain[1], &error));
    BOOST_CHECK(Mentions(error, "rev00000.dat") && Mentions(error, "-reindex"));

    // A truncated undo file names the file too.
    damaged.resize(on_disk.size() - 10);
    WriteFile(dir.Path() / "rev00000.dat", damaged);
    BOOST_CHECK(!bm.ReadUndo(read, *chain[2], &error));
    BOOST_CHECK(Mentions(error, "rev00000.dat") && Mentions(error, "-reindex"));
}

BOOST_AUTO_TEST_CASE(undo_coin_format)
{
    // Undo coins carry a zero version byte after the code for height > 0.
    Coin coin{TxOut{}, 5, true};
    coin.out.value = 0;
    coin.out.script_pubkey = {0x6a};
    DataStream s;
    SerializeUndoCoin(s, coin);
    const std::vector<unsigned char> bytes(s.begin(), s.end());
    // code 5*2+1 = 11, version 0, amount 0, script size 1+6 = 7, 0x6a
    BOOST_CHECK((bytes == std::vector<unsigned char>{11, 0, 0, 7, 0x6a}));
    Coin back;
    UnserializeUndoCoin(s, back);
    BOOST_CHECK(back == coin);

    Coin genesis_era{TxOut{}, 0, false};
    genesis_era.out.value = 1;
    genesis_era.out.script_pubkey = {0x51};
    DataStream s2;
    SerializeUndoCoin(s2, genesis_era);
    BOOST_CHECK_EQUAL(s2.size(), 4u); // no version byte at height 0
}

BOOST_AUTO_TEST_CASE(corrupt_and_truncated_block_files_name_the_file)
{
    TempDir dir;
    const auto params = CreateChainParams(ChainType::REGTEST);
    BlockManager bm(dir.Path(), *params);
    const auto chain = BuildStoredChain(bm, 3);
    const fs::path blk = dir.Path() / "blk00000.dat";
    const std::vector<unsigned char> good = ReadFile(blk);
    Block block;
    std::string error;

    // Bad magic in front of the second block.
    std::vector<unsigned char> bad = good;
    bad[chain[1]->data_pos - STORAGE_HEADER_BYTES] ^= 0xff;
    WriteFile(blk, bad);
    BOOST_CHECK(!bm.ReadBlock(block, *chain[1], &error));
    BOOST_CHECK(Mentions(error, "blk00000.dat") && Mentions(error, "magic") && Mentions(error, "-reindex"));

    // A changed byte inside the header: the hash no longer matches the index.
    bad = good;
    bad[chain[1]->data_pos + 4 + 10] ^= 0x01; // inside prev_block
    WriteFile(blk, bad);
    BOOST_CHECK(!bm.ReadBlock(block, *chain[1], &error));
    BOOST_CHECK(Mentions(error, "blk00000.dat") && Mentions(error, "does not match"));

    // An absurd size field.
    bad = good;
    bad[chain[1]->data_pos - 1] = 0x7f;
    WriteFile(blk, bad);
    BOOST_CHECK(!bm.ReadBlock(block, *chain[1], &error));
    BOOST_CHECK(Mentions(error, "blk00000.dat") && Mentions(error, "too large"));

    // Truncated in the middle of the last block.
    bad = good;
    bad.resize(chain[2]->data_pos + 20);
    WriteFile(blk, bad);
    BOOST_CHECK(!bm.ReadBlock(block, *chain[2], &error));
    BOOST_CHECK(Mentions(error, "blk00000.dat") && Mentions(error, "Truncated"));
    BOOST_CHECK(bm.ReadBlock(block, *chain[0], &error)); // earlier blocks still fine

    // Garbage that deserializes badly within a correct frame.
    bad = good;
    std::fill(bad.begin() + chain[0]->data_pos + 80, bad.begin() + chain[0]->data_pos + 90, 0xff);
    WriteFile(blk, bad);
    BOOST_CHECK(!bm.ReadBlock(block, *chain[0], &error));
    BOOST_CHECK(Mentions(error, "blk00000.dat"));

    // Missing file.
    fs::remove(blk);
    BOOST_CHECK(!bm.ReadBlock(block, *chain[0], &error));
    BOOST_CHECK(Mentions(error, "blk00000.dat"));

    // A block that is not stored at all.
    BlockIndex header_only = *chain[0];
    header_only.status = BLOCK_VALID_TREE;
    BOOST_CHECK(!bm.ReadBlock(block, header_only, &error));
}

BOOST_AUTO_TEST_CASE(file_rollover)
{
    TempDir dir;
    const auto params = CreateChainParams(ChainType::REGTEST);
    BlockManagerOptions options;
    options.max_blockfile_size = 2000;
    BlockManager bm(dir.Path(), *params, options);
    const auto chain = BuildStoredChain(bm, 40, 150);
    BOOST_CHECK_GT(bm.MaxBlockfileNum(), 2);
    unsigned total_blocks = 0;
    for (int f = 0; f <= bm.MaxBlockfileNum(); ++f) {
        const BlockFileInfo* info = bm.GetBlockFileInfo(f);
        BOOST_REQUIRE(info != nullptr);
        BOOST_CHECK_LE(info->size, 2000u);
        BOOST_CHECK_EQUAL(fs::file_size(bm.BlockFilePath(f)), info->size);
        total_blocks += info->blocks;
        if (f > 0) BOOST_CHECK_GT(info->height_first, bm.GetBlockFileInfo(f - 1)->height_last);
    }
    BOOST_CHECK_EQUAL(total_blocks, 40u);
    for (const BlockIndex* index : chain) {
        Block block;
        BOOST_REQUIRE(bm.ReadBlock(block, *index));
    }
    // The default maximum is Core's 128 MiB.
    BOOST_CHECK_EQUAL(MAX_BLOCKFILE_SIZE, 128u * 1024 * 1024);
}

BOOST_AUTO_TEST_CASE(undo_follows_block_file_across_rollover)
{
    TempDir dir;
    const auto params = CreateChainParams(ChainType::REGTEST);
    BlockManagerOptions options;
    options.max_blockfile_size = 1500;
    BlockManager bm(dir.Path(), *params, options);
    // A block larger than the maximum still gets written, alone in a fresh file.
    auto chain = BuildStoredChain(bm, 6, 150);
    const auto big = BuildStoredChain(bm, 1, 4000, chain.back());
    BOOST_CHECK_EQUAL(big[0]->data_pos, STORAGE_HEADER_BYTES);
    BOOST_CHECK_GT(bm.GetBlockFileInfo(big[0]->file)->size, 1500u);
    const auto after = BuildStoredChain(bm, 2, 150, big[0]);
    BOOST_CHECK_EQUAL(after[0]->file, big[0]->file + 1);
    chain.insert(chain.end(), big.begin(), big.end());
    chain.insert(chain.end(), after.begin(), after.end());
    for (size_t i = 1; i < chain.size(); ++i) BOOST_REQUIRE(bm.WriteUndo(MakeUndo(static_cast<int>(i)), *chain[i]));
    uint64_t undo_total = 0;
    for (int f = 0; f <= bm.MaxBlockfileNum(); ++f) {
        const BlockFileInfo* info = bm.GetBlockFileInfo(f);
        if (info->undo_size == 0) continue;
        BOOST_CHECK_EQUAL(fs::file_size(bm.UndoFilePath(f)), info->undo_size);
        undo_total += info->undo_size;
    }
    BOOST_CHECK_GT(undo_total, 0u);
    for (size_t i = 1; i < chain.size(); ++i) {
        BlockUndo undo;
        std::string error;
        BOOST_REQUIRE_MESSAGE(bm.ReadUndo(undo, *chain[i], &error), error);
        BOOST_CHECK(undo == MakeUndo(static_cast<int>(i)));
        // Each block's undo record sits in the rev file numbered like its blk file.
        BOOST_CHECK(fs::exists(bm.UndoFilePath(chain[i]->file)));
    }
    // Undo needs a stored block.
    BlockIndex unstored = *chain[1];
    unstored.file = -1;
    BOOST_CHECK(!bm.WriteUndo(MakeUndo(0), unstored));
}

BOOST_AUTO_TEST_CASE(prune_manual_by_height)
{
    TempDir dir;
    const auto params = CreateChainParams(ChainType::REGTEST);
    BlockManagerOptions options;
    options.max_blockfile_size = 20000;
    options.prune_target_bytes = PRUNE_TARGET_MANUAL;
    BlockManager bm(dir.Path(), *params, options);
    BOOST_CHECK(bm.IsPruneMode() && bm.IsManualPruneOnly());
    const auto chain = BuildStoredChain(bm, 1000, 100);
    for (BlockIndex* index : chain) BOOST_REQUIRE(bm.WriteUndo(MakeUndo(index->height), *index));
    const int tip = 999;
    // Automatic pruning never runs in manual mode.
    BOOST_CHECK(bm.FindFilesToPrune(tip).empty());

    const uint64_t before = bm.CalculateCurrentUsage();
    const std::set<int> pruned = bm.PruneToHeight(400, tip);
    BOOST_REQUIRE(!pruned.empty());
    BOOST_CHECK(bm.HavePruned());
    BOOST_CHECK_LT(bm.CalculateCurrentUsage(), before);
    for (int f : pruned) {
        BOOST_CHECK(!fs::exists(bm.BlockFilePath(f)));
        BOOST_CHECK(!fs::exists(bm.UndoFilePath(f)));
    }
    for (const BlockIndex* index : chain) {
        Block block;
        if (index->height <= 400 && index->file == -1) {
            BOOST_CHECK(!(index->status & (BLOCK_HAVE_DATA | BLOCK_HAVE_UNDO)));
            BOOST_CHECK(!bm.ReadBlock(block, *index));
        } else {
            // Everything above the prune height is kept (files are pruned whole).
            BOOST_REQUIRE(index->status & BLOCK_HAVE_DATA);
            BOOST_REQUIRE(bm.ReadBlock(block, *index));
            BlockUndo undo;
            BOOST_REQUIRE(bm.ReadUndo(undo, *index));
        }
    }
    BOOST_CHECK(chain[0]->file == -1);
    BOOST_CHECK(chain[400]->file != -1 || !(chain[400]->status & BLOCK_HAVE_DATA));

    // Even a request for everything keeps the last MIN_BLOCKS_TO_KEEP blocks.
    bm.PruneToHeight(tip, tip);
    for (int h = tip - MIN_BLOCKS_TO_KEEP + 1; h <= tip; ++h) BOOST_REQUIRE(chain[h]->status & BLOCK_HAVE_DATA);
    BOOST_CHECK(!(chain[600]->status & BLOCK_HAVE_DATA));
}

BOOST_AUTO_TEST_CASE(prune_automatic_by_target)
{
    TempDir dir;
    const auto params = CreateChainParams(ChainType::REGTEST);
    BlockManagerOptions options;
    options.max_blockfile_size = 20000;
    options.prune_target_bytes = 100000;
    const int tip = 1399;
    uint256 first, kept;
    {
        BlockManager bm(dir.Path(), *params, options);
        BOOST_CHECK(bm.IsPruneMode() && !bm.IsManualPruneOnly());
        auto chain = BuildStoredChain(bm, 900, 100);
        // Not before the network's PruneAfterHeight (1000 on regtest).
        BOOST_CHECK_GT(bm.CalculateCurrentUsage(), options.prune_target_bytes);
        BOOST_CHECK(bm.FindFilesToPrune(899).empty());
        const auto more = BuildStoredChain(bm, 500, 100, chain.back());
        chain.insert(chain.end(), more.begin(), more.end());
        const std::set<int> pruned = bm.PruneAuto(tip);
        BOOST_REQUIRE(!pruned.empty());
        BOOST_CHECK(!pruned.contains(bm.MaxBlockfileNum()));
        // Either the target is met or nothing more may go.
        if (bm.CalculateCurrentUsage() > options.prune_target_bytes) BOOST_CHECK(bm.FindFilesToPrune(tip).empty());
        BOOST_CHECK_LE(bm.CalculateCurrentUsage(), options.prune_target_bytes);
        for (int h = tip - MIN_BLOCKS_TO_KEEP + 1; h <= tip; ++h) BOOST_REQUIRE(chain[h]->status & BLOCK_HAVE_DATA);
        for (int f : pruned) {
            BOOST_CHECK(!fs::exists(bm.BlockFilePath(f)));
            BOOST_CHECK_EQUAL(bm.GetBlockFileInfo(f)->size, 0u);
        }
        BOOST_CHECK(!(chain[0]->status & BLOCK_HAVE_DATA));
        first = chain[0]->GetBlockHash();
        kept = chain[tip]->GetBlockHash();
        BOOST_REQUIRE(bm.FlushIndex());
    }
    // After a restart the index and file infos remember what was pruned.
    BlockManager bm(dir.Path(), *params, options);
    BOOST_REQUIRE(bm.LoadBlockIndex());
    BOOST_CHECK(bm.HavePruned());
    BOOST_CHECK(!(bm.LookupBlockIndex(first)->status & BLOCK_HAVE_DATA));
    BOOST_CHECK_EQUAL(bm.LookupBlockIndex(first)->file, -1);
    Block block;
    BOOST_CHECK(bm.ReadBlock(block, *bm.LookupBlockIndex(kept)));
    BOOST_CHECK_LE(bm.CalculateCurrentUsage(), options.prune_target_bytes);
    BOOST_CHECK(bm.FindFilesToPrune(tip).empty());
}

BOOST_AUTO_TEST_CASE(reindex_scan_skips_garbage)
{
    TempDir dir;
    const auto params = CreateChainParams(ChainType::REGTEST);
    const auto& magic = params->MessageStart();
    std::vector<Block> blocks;
    uint256 prev;
    for (int h = 0; h < 6; ++h) {
        blocks.push_back(MakeBlock(prev, h, 50 + 30 * h));
        prev = blocks.back().GetHash();
    }
    auto record = [&](const Block& b) {
        const std::vector<unsigned char> raw = Serialized(b);
        std::vector<unsigned char> r(magic.begin(), magic.end());
        for (int i = 0; i < 4; ++i) r.push_back(static_cast<unsigned char>(raw.size() >> (8 * i)));
        r.insert(r.end(), raw.begin(), raw.end());
        return r;
    };
    std::vector<unsigned char> file0, file1;
    file0 = record(blocks[0]);
    file0.insert(file0.end(), 37, 0x00); // zero padding (as preallocation leaves)
    auto r1 = record(blocks[1]);
    file0.insert(file0.end(), r1.begin(), r1.end());
    file0.insert(file0.end(), {0x13, 0x37, magic[0], magic[1]}); // half a magic
    file0.insert(file0.end(), magic.begin(), magic.end()); // magic with an absurd size
    file0.insert(file0.end(), {0xff, 0xff, 0xff, 0x7f});
    file0.insert(file0.end(), magic.begin(), magic.end()); // magic with a size but junk data
    file0.insert(file0.end(), {0x60, 0x00, 0x00, 0x00});
    file0.insert(file0.end(), 0x60, 0xee);
    auto r2 = record(blocks[2]);
    file0.insert(file0.end(), r2.begin(), r2.end());
    for (int i : {3, 4}) {
        auto r = record(blocks[i]);
        file1.insert(file1.end(), r.begin(), r.end());
    }
    auto r5 = record(blocks[5]);
    file1.insert(file1.end(), r5.begin(), r5.begin() + 60); // truncated last record
    WriteFile(dir.Path() / "blk00000.dat", file0);
    WriteFile(dir.Path() / "blk00001.dat", file1);

    BlockManager bm(dir.Path(), *params, 0, /*wipe=*/true);
    bm.LoadBlockIndex();
    std::vector<uint256> seen;
    std::vector<FlatFilePos> positions;
    bm.ImportBlocks([&](const Block& block, const FlatFilePos& pos) {
        seen.push_back(block.GetHash());
        positions.push_back(pos);
        BlockIndex* index = bm.AddToBlockIndex(block);
        bm.ReceivedBlockData(*index, pos, static_cast<unsigned>(block.vtx.size()));
        bm.NoteBlockInFile(pos, index->height, block.time);
        return true;
    });
    BOOST_REQUIRE_EQUAL(seen.size(), 5u);
    for (int i = 0; i < 5; ++i) BOOST_CHECK(seen[i] == blocks[i].GetHash());
    BOOST_CHECK_EQUAL(positions[0].file, 0);
    BOOST_CHECK_EQUAL(positions[0].pos, STORAGE_HEADER_BYTES);
    BOOST_CHECK_EQUAL(positions[3].file, 1);
    BOOST_CHECK_EQUAL(positions[3].pos, STORAGE_HEADER_BYTES);
    for (int i = 0; i < 5; ++i) {
        Block read;
        std::string error;
        BOOST_REQUIRE_MESSAGE(bm.ReadBlock(read, *bm.LookupBlockIndex(blocks[i].GetHash()), &error), error);
    }
    // File infos rebuilt: sizes up to the last good record, heights as noted.
    BOOST_CHECK_EQUAL(bm.MaxBlockfileNum(), 1);
    BOOST_CHECK_EQUAL(bm.GetBlockFileInfo(0)->blocks, 3u);
    BOOST_CHECK_EQUAL(bm.GetBlockFileInfo(0)->height_last, 2u);
    BOOST_CHECK_EQUAL(bm.GetBlockFileInfo(0)->size, file0.size());
    BOOST_CHECK_EQUAL(bm.GetBlockFileInfo(1)->blocks, 2u);
    BOOST_CHECK_EQUAL(bm.GetBlockFileInfo(1)->size, file1.size() - 60);

    // New blocks go after the last good record, overwriting the torn one.
    const Block next = MakeBlock(blocks[4].GetHash(), 5, 20);
    const FlatFilePos pos = bm.WriteBlock(next, 5);
    BOOST_CHECK_EQUAL(pos.file, 1);
    BOOST_CHECK_EQUAL(pos.pos, file1.size() - 60 + STORAGE_HEADER_BYTES);

    // The callback can stop the scan.
    int calls = 0;
    bm.ImportBlocks([&](const Block&, const FlatFilePos&) { return ++calls < 2; });
    BOOST_CHECK_EQUAL(calls, 2);
}

BOOST_AUTO_TEST_CASE(index_persists_through_leveldb)
{
    TempDir dir;
    const auto params = CreateChainParams(ChainType::REGTEST);
    std::vector<uint256> hashes;
    uint256 fork_tip;
    {
        BlockManagerOptions options;
        options.max_blockfile_size = 5000;
        BlockManager bm(dir.Path(), *params, options);
        BOOST_CHECK(bm.LoadBlockIndex());
        BOOST_CHECK(bm.Index().empty());
        const auto chain = BuildStoredChain(bm, 60, 120);
        for (int h = 1; h < 50; ++h) BOOST_REQUIRE(bm.WriteUndo(MakeUndo(h), *chain[h]));
        for (int h = 0; h < 40; ++h) chain[h]->RaiseValidity(BLOCK_VALID_SCRIPTS);
        chain[55]->status |= BLOCK_FAILED_VALID;
        for (const BlockIndex* b : chain) hashes.push_back(b->GetBlockHash());
        // A header-only fork.
        BlockIndex* tip = chain[30];
        for (int h = 31; h < 40; ++h) tip = bm.AddToBlockIndex(MakeBlock(tip->GetBlockHash(), h, 7));
        fork_tip = tip->GetBlockHash();
        bm.TreeDB().WriteFlag("txindex", true);
        bm.SetReindexing(true);
        BOOST_REQUIRE(bm.FlushIndex());
    }
    // Snapshot of what the first manager knew, rebuilt from scratch for comparison.
    BlockManager bm(dir.Path(), *params);
    BOOST_REQUIRE(bm.LoadBlockIndex());
    BOOST_CHECK_EQUAL(bm.Index().size(), 60u + 9u);
    BOOST_CHECK(bm.IsReindexing());
    bool txindex = false;
    BOOST_CHECK(bm.TreeDB().ReadFlag("txindex", txindex) && txindex);
    bm.SetReindexing(false);
    BOOST_CHECK(!bm.IsReindexing());
    BOOST_CHECK_GT(bm.MaxBlockfileNum(), 0);

    for (int h = 0; h < 60; ++h) {
        const BlockIndex* b = bm.LookupBlockIndex(hashes[h]);
        BOOST_REQUIRE(b != nullptr);
        BOOST_CHECK_EQUAL(b->height, h);
        BOOST_CHECK(b->prev == (h ? bm.LookupBlockIndex(hashes[h - 1]) : nullptr));
        if (h >= 2) BOOST_CHECK(b->skip == b->GetAncestor(GetSkipHeight(h)) && b->skip->height == GetSkipHeight(h));
        BOOST_CHECK(b->chain_work == arith_uint256{static_cast<uint64_t>(2 * (h + 1))});
        BOOST_CHECK_EQUAL(b->chain_tx, static_cast<uint64_t>(h + 1));
        BOOST_CHECK(b->status & BLOCK_HAVE_DATA);
        BOOST_CHECK_EQUAL(bool(b->status & BLOCK_HAVE_UNDO), h >= 1 && h < 50);
        BOOST_CHECK_EQUAL(b->IsValid(BLOCK_VALID_SCRIPTS), h < 40);
        Block block;
        std::string error;
        BOOST_REQUIRE_MESSAGE(bm.ReadBlock(block, *b, &error), error);
        if (b->status & BLOCK_HAVE_UNDO) {
            BlockUndo undo;
            BOOST_REQUIRE_MESSAGE(bm.ReadUndo(undo, *b, &error), error);
            BOOST_CHECK(undo == MakeUndo(h));
        }
    }
    BOOST_CHECK(bm.LookupBlockIndex(hashes[55])->status & BLOCK_FAILED_VALID);
    const BlockIndex* fork = bm.LookupBlockIndex(fork_tip);
    BOOST_REQUIRE(fork != nullptr);
    BOOST_CHECK_EQUAL(fork->height, 39);
    BOOST_CHECK(!(fork->status & BLOCK_HAVE_DATA));
    BOOST_CHECK_EQUAL(fork->chain_tx, 0u);
    BOOST_CHECK(fork->GetAncestor(30) == bm.LookupBlockIndex(hashes[30]));
    // Best header: the highest valid one (59; 55 failed but 59 was not marked).
    BOOST_CHECK(bm.BestHeader() == bm.LookupBlockIndex(hashes[59]));
    // Appending continues where the files left off.
    const int last = bm.MaxBlockfileNum();
    const FlatFilePos pos = bm.WriteBlock(MakeBlock(hashes[59], 60), 60);
    BOOST_CHECK_GE(pos.file, last);
}

BOOST_AUTO_TEST_CASE(damaged_index_is_a_clear_error)
{
    TempDir dir;
    const auto params = CreateChainParams(ChainType::REGTEST);
    uint256 victim;
    {
        BlockManager bm(dir.Path(), *params);
        const auto chain = BuildStoredChain(bm, 5);
        victim = chain[2]->GetBlockHash();
        bm.FlushIndex();
    }
    {
        // Overwrite one entry with bytes that do not decode.
        Database db(dir.Path() / "index", 1 << 20);
        std::vector<unsigned char> key{'b'};
        key.insert(key.end(), victim.begin(), victim.end());
        const std::vector<unsigned char> garbage{1, 2, 3};
        Database::Batch batch;
        batch.WriteRaw(key, garbage);
        db.WriteBatch(batch, true);
    }
    {
        BlockManager bm(dir.Path(), *params);
        try {
            bm.LoadBlockIndex();
            BOOST_FAIL("damaged entry accepted");
        } catch (const std::runtime_error& e) {
            BOOST_CHECK(Mentions(e.what(), "index"));
            BOOST_CHECK(Mentions(e.what(), "-reindex"));
        }
    }
}

BOOST_AUTO_TEST_CASE(index_entry_failing_pow_is_rejected)
{
    TempDir dir;
    const auto params = CreateChainParams(ChainType::REGTEST);
    {
        BlockManager bm(dir.Path(), *params);
        Block block = MakeBlock(uint256{}, 0);
        // Find a nonce whose hash misses the regtest target.
        const uint256 limit = params->GetConsensus().pow_limit;
        while (CheckProofOfWork(block.GetHash(), block.bits, limit)) ++block.nonce;
        bm.AddToBlockIndex(block);
        bm.FlushIndex();
    }
    BlockManager bm(dir.Path(), *params);
    try {
        bm.LoadBlockIndex();
        BOOST_FAIL("entry without proof of work accepted");
    } catch (const BlockStorageError& e) {
        BOOST_CHECK(Mentions(e.what(), "proof of work"));
        BOOST_CHECK(Mentions(e.what(), "-reindex"));
        BOOST_CHECK(Mentions(e.what(), "index"));
    }
}

BOOST_AUTO_TEST_SUITE_END()
