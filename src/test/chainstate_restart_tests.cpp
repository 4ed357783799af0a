// State after a restart equals the state before: tip, UTXO set, block index
// statuses; -reindex and -reindex-chainstate rebuild the same state; -txindex
// finds transactions; damaged block or undo files stop the start with an
// error naming the file.

#include <kernel/block_index.h>
#include <kernel/coins_db.h>
#include <kernel/validation.h>
#include <test/util/chain_fixture.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

using test_util::ChainFixture;

namespace {

std::map<uint256, uint32_t> Statuses(ChainstateManager& chainman)
{
    std::map<uint256, uint32_t> out;
    for (const auto& [hash, entry] : chainman.Blocks().Index()) out[hash] = entry.status;
    return out;
}

// 110 blocks, spends, a stale fork and an invalidated block.
struct BusyChain : ChainFixture {
    explicit BusyChain(OptionsTweak tweak = {}) : ChainFixture(std::move(tweak))
    {
        auto blocks = MineBlocks(110);
        const BlockIndex* fork_point = Tip();
        txs.push_back(SpendTo(CoinbaseOutput(*blocks[0]), 1000, 3));
        txs.push_back(SpendTo(Output(txs[0], 1), 1000, 1));
        Mine({txs[0], txs[1]});
        txs.push_back(SpendTo(CoinbaseOutput(*blocks[1]), 5000, 2));
        Mine({txs[2]});
        MineBlocks(1, fork_point);  // stale, less work
        MineBlocks(2);
    }
    std::vector<TransactionRef> txs;
};

void CheckSameState(ChainFixture& f, const uint256& tip, const uint256& utxo, int height)
{
    BOOST_CHECK(f.Tip()->GetBlockHash() == tip);
    BOOST_CHECK_EQUAL(f.Height(), height);
    BOOST_CHECK(f.UtxoSetHash() == utxo);
}

// Runs `start` and returns the error message it throws ("" if none).
template <typename F>
std::string StartError(F&& start)
{
    try {
        start();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

} // namespace

BOOST_AUTO_TEST_SUITE(chainstate_restart_tests)

BOOST_FIXTURE_TEST_CASE(restart_keeps_tip_coins_and_statuses, BusyChain)
{
    const uint256 tip = Tip()->GetBlockHash();
    const int height = Height();
    const uint256 utxo = UtxoSetHash();
    const auto statuses = Statuses(Chainman());
    Restart();
    CheckSameState(*this, tip, utxo, height);
    BOOST_CHECK(Statuses(Chainman()) == statuses);
    // And the chain goes on from there.
    Mine({SpendTo(Output(txs[2], 0), 1000)});
    BOOST_CHECK_EQUAL(Height(), height + 1);
}

BOOST_FIXTURE_TEST_CASE(restart_without_explicit_flush_of_invalid_marks, ChainFixture)
{
    auto blocks = MineBlocks(12);
    BlockValidationState state;
    BOOST_CHECK(Chainman().InvalidateBlock(state, Chainman().LookupBlockIndex(blocks[9]->GetHash())));
    BOOST_CHECK_EQUAL(Height(), 9);
    Restart();
    BOOST_CHECK_EQUAL(Height(), 9);
    BOOST_CHECK(Chainman().LookupBlockIndex(blocks[9]->GetHash())->status & BLOCK_FAILED_VALID);
    BOOST_CHECK(Chainman().LookupBlockIndex(blocks[11]->GetHash())->status & BLOCK_FAILED_CHILD);
}

BOOST_FIXTURE_TEST_CASE(reindex_and_reindex_chainstate_rebuild_the_same_state, BusyChain)
{
    const uint256 tip = Tip()->GetBlockHash();
    const int height = Height();
    const uint256 utxo = UtxoSetHash();
    Restart([](ChainstateManagerOptions& o) { o.reindex_chainstate = true; });
    CheckSameState(*this, tip, utxo, height);
    Restart([](ChainstateManagerOptions& o) { o.reindex = true; });
    CheckSameState(*this, tip, utxo, height);
    Restart();
    CheckSameState(*this, tip, utxo, height);
}

BOOST_AUTO_TEST_CASE(txindex_finds_transactions)
{
    BusyChain f([](ChainstateManagerOptions& o) { o.txindex = true; });
    for (const TransactionRef& tx : f.txs) {
        auto found = f.Chainman().FindTransaction(tx->GetHash());
        BOOST_REQUIRE(found);
        BOOST_CHECK(found->first->GetWitnessHash() == tx->GetWitnessHash());
        const BlockIndex* block = f.Chainman().LookupBlockIndex(found->second);
        BOOST_REQUIRE(block);
        BOOST_CHECK(f.Chainman().ActiveChain().Contains(block));
    }
    BOOST_CHECK(!f.Chainman().FindTransaction(uint256{uint8_t{5}}));
    f.Restart([](ChainstateManagerOptions& o) { o.txindex = true; });
    BOOST_CHECK(f.Chainman().FindTransaction(f.txs[1]->GetHash()));
    // An index turned on later catches up with the chain.
    ChainFixture g;
    g.MineBlocks(3);
    g.Restart([](ChainstateManagerOptions& o) { o.txindex = true; });
    Block tip_block;
    BOOST_REQUIRE(g.Chainman().Blocks().ReadBlock(tip_block, *g.Tip()));
    auto found = g.Chainman().FindTransaction(tip_block.vtx[0]->GetHash());
    BOOST_REQUIRE(found);
    BOOST_CHECK(found->second == g.Tip()->GetBlockHash());
}

BOOST_FIXTURE_TEST_CASE(corrupt_block_file_names_the_file, ChainFixture)
{
    MineBlocks(10);
    const BlockIndex* tip = Tip();
    const std::filesystem::path file = Chainman().Blocks().BlockFilePath(tip->file);
    const unsigned pos = tip->data_pos;
    Shutdown();
    {
        std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(pos + 4);  // inside the header: the hash no longer matches
        const char junk[8] = {1, 2, 3, 4, 5, 6, 7, 8};
        f.write(junk, sizeof(junk));
    }
    const std::string error = StartError([&] { Restart(); });
    BOOST_CHECK_MESSAGE(error.find(file.filename().string()) != std::string::npos, error);
    BOOST_CHECK_MESSAGE(error.find("-reindex") != std::string::npos, error);
}

BOOST_FIXTURE_TEST_CASE(truncated_undo_file_names_the_file, ChainFixture)
{
    MineBlocks(10);
    const std::filesystem::path file = Chainman().Blocks().UndoFilePath(Tip()->file);
    Shutdown();
    std::filesystem::resize_file(file, std::filesystem::file_size(file) - 10);
    const std::string error = StartError([&] { Restart(); });
    BOOST_CHECK_MESSAGE(error.find(file.filename().string()) != std::string::npos, error);
    BOOST_CHECK_MESSAGE(error.find("-reindex") != std::string::npos, error);
}

BOOST_AUTO_TEST_CASE(manual_pruning_deletes_old_block_files)
{
    const auto options = [](ChainstateManagerOptions& o) {
        o.prune_target_bytes = PRUNE_TARGET_MANUAL;
        o.max_blockfile_size = 16 << 10;
    };
    ChainFixture f(options);
    f.MineDeterministicTo(400);
    BlockManager& blocks = f.Chainman().Blocks();
    BOOST_REQUIRE(blocks.MaxBlockfileNum() >= 3);
    const std::filesystem::path first = blocks.BlockFilePath(0);
    BOOST_REQUIRE(std::filesystem::exists(first));
    f.Chainman().PruneBlockFilesManual(150);  // capped at 400 - 288: files ending at or below 112
    BOOST_CHECK(!std::filesystem::exists(first));
    BOOST_CHECK(!std::filesystem::exists(blocks.UndoFilePath(0)));
    BOOST_CHECK(!(f.Chainman().ActiveChain()[1]->status & BLOCK_HAVE_DATA));
    BOOST_CHECK(f.Chainman().ActiveChain().Tip()->status & BLOCK_HAVE_DATA);
    // The node goes on and restarts fine without the old files.
    const uint256 utxo = f.UtxoSetHash();
    f.Restart(options);
    BOOST_CHECK_EQUAL(f.Height(), 400);
    BOOST_CHECK(f.UtxoSetHash() == utxo);
    BOOST_CHECK(!(f.Chainman().ActiveChain()[1]->status & BLOCK_HAVE_DATA));
    f.MineDeterministicTo(401);
}

BOOST_FIXTURE_TEST_CASE(flush_modes, ChainFixture)
{
    CoinsViewDB& db = Chainman().GetChainstate().CoinsDB();
    CoinsViewCache& cache = Chainman().CoinsTip();
    MineBlocks(5);
    // Under the -dbcache limit and before the periodic interval: nothing written.
    const uint256 db_best = db.GetBestBlock();
    Chainman().FlushStateToDisk(FlushStateMode::IF_NEEDED);
    Chainman().FlushStateToDisk(FlushStateMode::PERIODIC);
    BOOST_CHECK(db.GetBestBlock() == db_best);
    BOOST_CHECK(db.GetBestBlock() != Tip()->GetBlockHash());
    // FORCE_SYNC writes and keeps the coins cached, FORCE_FLUSH empties the cache.
    Chainman().FlushStateToDisk(FlushStateMode::FORCE_SYNC);
    BOOST_CHECK(db.GetBestBlock() == Tip()->GetBlockHash());
    BOOST_CHECK(cache.GetCacheSize() > 0);
    MineBlocks(1);
    Chainman().FlushStateToDisk(FlushStateMode::FORCE_FLUSH);
    BOOST_CHECK(db.GetBestBlock() == Tip()->GetBlockHash());
    BOOST_CHECK_EQUAL(cache.GetCacheSize(), 0U);

    // PERIODIC once the interval has passed.
    Restart([](ChainstateManagerOptions& o) { o.periodic_flush_interval = std::chrono::seconds{0}; });
    MineBlocks(1);
    BOOST_CHECK(Chainman().GetChainstate().CoinsDB().GetBestBlock() == Tip()->GetBlockHash());

    // IF_NEEDED once the cache outgrows -dbcache: every block here.
    Restart([](ChainstateManagerOptions& o) { o.dbcache_bytes = 1; });
    MineBlocks(2);
    BOOST_CHECK(Chainman().GetChainstate().CoinsDB().GetBestBlock() == Tip()->GetBlockHash());
    BOOST_CHECK_EQUAL(Chainman().CoinsTip().GetCacheSize(), 0U);
}

BOOST_FIXTURE_TEST_CASE(interrupted_flush_is_repaired_at_start, ChainFixture)
{
    std::vector<std::shared_ptr<const Block>> blocks = MineBlocks(110);
    const BlockIndex* fork_point = Tip();
    // Branch A reaches the database...
    std::vector<std::shared_ptr<const Block>> branch_a;
    branch_a.push_back(Mine({SpendTo(CoinbaseOutput(*blocks[0]), 1000, 5)}));
    branch_a.push_back(Mine({SpendTo(CoinbaseOutput(*blocks[1]), 1000, 5)}));
    Chainman().FlushStateToDisk(FlushStateMode::FORCE_FLUSH);
    // ...then branch B replaces it in memory only.
    std::vector<std::shared_ptr<const Block>> branch_b;
    const BlockIndex* prev = fork_point;
    for (int i = 0; i < 4; ++i) {
        const TransactionRef tx = SpendTo(CoinbaseOutput(*blocks[2 + i]), 2000, 4);
        branch_b.push_back(Mine({tx}, prev));
        prev = Chainman().LookupBlockIndex(branch_b.back()->GetHash());
    }
    BOOST_REQUIRE(Tip()->GetBlockHash() == branch_b.back()->GetHash());

    // What a node that saw only branch B holds.
    ChainFixture reference;
    for (const auto& b : blocks) BOOST_REQUIRE(reference.Submit(b));
    for (const auto& b : branch_b) BOOST_REQUIRE(reference.Submit(b));
    const uint256 expected = reference.UtxoSetHash();

    // The flush dies half way: the database is a mix of branch A and branch B.
    CoinsViewDB& db = Chainman().GetChainstate().CoinsDB();
    db.SetBatchWriteBytes(300);
    db.SimulateCrashAfterBatches(2);
    BOOST_CHECK_THROW(Chainman().FlushStateToDisk(FlushStateMode::FORCE_FLUSH), std::runtime_error);
    BOOST_CHECK(!db.GetHeadBlocks().empty());
    Shutdown();

    Restart();
    BOOST_CHECK(Tip()->GetBlockHash() == branch_b.back()->GetHash());
    BOOST_CHECK(Chainman().GetChainstate().CoinsDB().GetHeadBlocks().empty());
    BOOST_CHECK(UtxoSetHash() == expected);
}

namespace {

constexpr int CRASH_TARGET_HEIGHT = 400;
constexpr const char* CRASH_DIR_ENV = "CHAINSTATE_CRASH_WORKER_DATADIR";

// Small caches and batches: flushes happen every few blocks and are written
// in several batches, so a kill lands inside one often.
void CrashyOptions(ChainstateManagerOptions& o) { o.dbcache_bytes = 16 << 10; }

void OpenCrashy(std::unique_ptr<ChainFixture>& f, const std::filesystem::path& dir)
{
    f = std::make_unique<ChainFixture>(dir, CrashyOptions);
    f->SetDeterministic(true);
    f->Chainman().GetChainstate().CoinsDB().SetBatchWriteBytes(100);
}

// Starts this test binary as a worker mining into dir; returns its pid.
pid_t SpawnWorker(const std::filesystem::path& dir)
{
    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
    env_strings.push_back(std::string(CRASH_DIR_ENV) + "=" + dir.string());
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();
    std::string arg_test = "--run_test=chainstate_restart_tests/crash_worker";
    std::string arg_log = "--log_level=nothing";
    std::string arg_report = "--report_level=no";
    std::vector<char*> argv{exe.data(), arg_test.data(), arg_log.data(), arg_report.data(), nullptr};
    pid_t pid = 0;
    if (posix_spawn(&pid, exe.c_str(), nullptr, nullptr, argv.data(), envp.data()) != 0) return -1;
    return pid;
}

} // namespace

// Only does something as the child of kill_at_random_points_and_recover.
BOOST_AUTO_TEST_CASE(crash_worker)
{
    const char* dir = std::getenv(CRASH_DIR_ENV);
    if (!dir) return;
    std::unique_ptr<ChainFixture> f;
    OpenCrashy(f, dir);
    f->MineDeterministicTo(CRASH_TARGET_HEIGHT);
}

// SIGKILL a mining process at random moments (while connecting blocks and
// while flushing), restart on its data directory each time, and compare tip
// and UTXO set hash with a clean run at the same height.
BOOST_AUTO_TEST_CASE(kill_at_random_points_and_recover)
{
    if (std::getenv(CRASH_DIR_ENV)) return;
    std::map<int, std::pair<uint256, uint256>> clean;  // height -> (block hash, UTXO set hash)
    {
        ChainFixture f(CrashyOptions);
        f.SetDeterministic(true);
        for (int h = 1; h <= CRASH_TARGET_HEIGHT; ++h) {
            f.MineDeterministicTo(h);
            clean[h] = {f.Tip()->GetBlockHash(), f.UtxoSetHash()};
        }
    }
    const std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("chainstate_crash_" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    std::mt19937 rng(12345);
    int kills = 0;
    int completions = 0;
    int mid_flush = 0;  // kills that left a half-written flush behind
    for (int round = 0; round < 200 && kills < 50; ++round) {
        const pid_t pid = SpawnWorker(dir);
        BOOST_REQUIRE(pid > 0);
        std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(5, 200)(rng)));
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        if (WIFSIGNALED(status)) {
            ++kills;
        } else {
            BOOST_REQUIRE_MESSAGE(WIFEXITED(status) && WEXITSTATUS(status) == 0, "worker failed");
            ++completions;
        }
        if (std::filesystem::exists(dir / "chainstate")) {
            CoinsViewDB db(dir / "chainstate", 1 << 20, false);
            if (!db.GetHeadBlocks().empty()) ++mid_flush;
        }
        std::unique_ptr<ChainFixture> f;
        try {
            OpenCrashy(f, dir);
        } catch (const std::exception& e) {
            BOOST_FAIL(std::string("restart after a kill failed: ") + e.what());
        }
        const int height = f->Height();
        BOOST_CHECK(f->Chainman().GetChainstate().CoinsDB().GetHeadBlocks().empty());
        if (height > 0) {
            BOOST_CHECK_MESSAGE(f->Tip()->GetBlockHash() == clean[height].first, "tip differs at " << height);
            BOOST_CHECK_MESSAGE(f->UtxoSetHash() == clean[height].second, "UTXO set differs at " << height);
        }
        f.reset();
        // Finished chains start over, so that every round has something to interrupt.
        if (height >= CRASH_TARGET_HEIGHT) std::filesystem::remove_all(dir);
    }
    BOOST_TEST_MESSAGE("kills: " << kills << " (" << mid_flush << " inside a flush), runs that finished: "
                                  << completions);
    BOOST_CHECK_GE(kills, 50);
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
