// The node's init steps (node/init.*, node/notify.*): options registered with
// Core's names, option checks with Core's messages, config file network
// checks, chainstate load / flush / shutdown on a fresh regtest datadir, a
// clear error on a damaged chainstate, and -blocknotify / -stopatheight.

#include <kernel/validation.h>
#include <node/context.h>
#include <node/init.h>
#include <node/notify.h>
#include <util/args.h>
#include <util/logging.h>
#include <util/shutdown.h>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

namespace {

struct TempDir {
    std::filesystem::path path;
    TempDir()
    {
        path = std::filesystem::temp_directory_path() /
               ("node_init_tests_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    static inline int counter = 0;
};

// Fresh options registered by the node layer, parsed from `words`.
struct NodeArgs : ArgsManager {
    explicit NodeArgs(std::vector<std::string> words)
    {
        node::RegisterNodeOptions(*this);
        std::vector<const char*> argv{"bitcoind"};
        for (const std::string& w : words) argv.push_back(w.c_str());
        std::string error;
        BOOST_REQUIRE_MESSAGE(ParseParameters(static_cast<int>(argv.size()), argv.data(), error), error);
    }
};

std::string CheckError(std::vector<std::string> words)
{
    NodeArgs args(std::move(words));
    std::string error;
    BOOST_CHECK(!node::CheckOptions(args, error));
    return error;
}

void WriteFile(const std::filesystem::path& path, const std::string& text)
{
    std::ofstream(path) << text;
}

} // namespace

BOOST_AUTO_TEST_SUITE(node_init_tests)

BOOST_AUTO_TEST_CASE(options_have_core_names)
{
    NodeArgs args({});
    const std::vector<std::string> names = args.RegisteredOptionNames();
    const auto has = [&](const std::string& name) {
        return std::find(names.begin(), names.end(), name) != names.end();
    };
    for (const char* name : {"-assumevalid", "-blocknotify", "-conf", "-daemon", "-daemonwait", "-datadir",
                             "-dbcache", "-debuglogfile", "-help", "-includeconf", "-par", "-pid", "-prune",
                             "-reindex", "-reindex-chainstate", "-shutdownnotify", "-startupnotify", "-txindex",
                             "-version", "-debug", "-debugexclude", "-help-debug", "-logsourcelocations",
                             "-logthreadnames", "-logtimestamps", "-mocktime", "-printtoconsole",
                             "-shrinkdebugfile", "-stopatheight", "-chain", "-regtest", "-signet",
                             "-signetchallenge", "-testnet", "-testnet4", "-port", "-listen"}) {
        BOOST_CHECK_MESSAGE(has(name), name);
    }
    const std::string help = args.GetHelpMessage();
    BOOST_CHECK(help.find("default: 450") != std::string::npos);
    BOOST_CHECK(help.find("default: bitcoind.pid") != std::string::npos);
    BOOST_CHECK(help.find("default: debug.log") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(option_checks_use_cores_messages)
{
    BOOST_CHECK_EQUAL(CheckError({"-prune=-1"}), "Prune cannot be configured with a negative value.");
    BOOST_CHECK_EQUAL(CheckError({"-prune=549"}), "Prune configured below the minimum of 550 MiB.  Please use a higher number.");
    BOOST_CHECK_EQUAL(CheckError({"-prune=1", "-txindex"}), "Prune mode is incompatible with -txindex.");
    BOOST_CHECK_EQUAL(CheckError({"-prune=600", "-reindex-chainstate"}),
                      "Prune mode is incompatible with -reindex-chainstate. Use full -reindex instead.");
    BOOST_CHECK_EQUAL(CheckError({"-assumevalid=0x12g4"}),
                      "Invalid assumevalid block hash specified (0x12g4), must be up to 64 hex digits (or 0 to disable)");
    BOOST_CHECK_EQUAL(CheckError({"-assumevalid=" + std::string(65, '1')}).substr(0, 35),
                      "Invalid assumevalid block hash spec");
    BOOST_CHECK_EQUAL(CheckError({"-mocktime=-1"}), "-mocktime cannot be negative");
    BOOST_CHECK_EQUAL(CheckError({"-debug=nosuch"}), "Unsupported logging category -debug=nosuch.");
    BOOST_CHECK_EQUAL(CheckError({"-debugexclude=nosuch"}), "Unsupported logging category -debugexclude=nosuch.");

    for (const std::vector<std::string>& ok :
         {std::vector<std::string>{"-prune=1"}, {"-prune=550"}, {"-txindex"}, {"-assumevalid=0"},
          {"-assumevalid=0xabc"}, {"-assumevalid=" + std::string(64, 'f')}, {"-debug=net", "-debugexclude=net"},
          {"-debug=nosuch", "-debug=none"}}) {
        NodeArgs args(ok);
        std::string error;
        const bool passed = node::CheckOptions(args, error);
        // "-debug=nosuch -debug=none": the unknown category comes before none and is disregarded.
        BOOST_CHECK_MESSAGE(passed, ok.front() + ": " + error);
    }
    GetLogger().DisableCategory("all");  // CheckOptions switched categories on in the global logger
}

BOOST_AUTO_TEST_CASE(config_file_network_checks)
{
    TempDir dir;
    WriteFile(dir.path / "bitcoin.conf", "regtest=1\nport=1234\n[regtest]\n[nosuchnet]\nx=1\n");
    NodeArgs args({"-datadir=" + dir.path.string()});
    std::string chain, error;
    std::vector<std::string> warnings;
    BOOST_CHECK(!node::ReadConfigAndSelectNetwork(args, chain, error, warnings));
    BOOST_CHECK_EQUAL(error, "Config setting for -port only applied on regtest network when in [regtest] section.");

    WriteFile(dir.path / "bitcoin.conf", "regtest=1\n[regtest]\nport=1234\n[nosuchnet]\nx=1\n");
    NodeArgs args2({"-datadir=" + dir.path.string()});
    BOOST_CHECK_MESSAGE(node::ReadConfigAndSelectNetwork(args2, chain, error, warnings), error);
    BOOST_CHECK_EQUAL(chain, "regtest");
    BOOST_REQUIRE_EQUAL(warnings.size(), 1U);
    BOOST_CHECK_EQUAL(warnings[0], "Section [nosuchnet] is not recognized.");

    NodeArgs conflict({"-datadir=" + dir.path.string(), "-testnet4"});
    BOOST_CHECK(!node::ReadConfigAndSelectNetwork(conflict, chain, error, warnings));
    BOOST_CHECK(error.find("Invalid combination") != std::string::npos);

    NodeArgs missing({"-datadir=" + (dir.path / "nope").string()});
    BOOST_CHECK(!node::CheckDataDirOption(missing, error));
    BOOST_CHECK_EQUAL(error, "Specified data directory \"" + (dir.path / "nope").string() + "\" does not exist.");
}

BOOST_AUTO_TEST_CASE(chainstate_load_flush_shutdown)
{
    TempDir dir;
    NodeArgs args({"-datadir=" + dir.path.string(), "-regtest", "-dbcache=8", "-par=1", "-nopid"});
    std::string chain, error;
    std::vector<std::string> warnings;
    BOOST_REQUIRE_MESSAGE(node::ReadConfigAndSelectNetwork(args, chain, error, warnings), error);
    BOOST_REQUIRE(node::PrepareDataDir(args, error));
    {
        node::NodeContext node;
        node.args = &args;
        node.chain_name = chain;
        node.datadir = args.GetDataDirNet();
        BOOST_REQUIRE_MESSAGE(node::LoadChainstate(node, error), error);
        BOOST_REQUIRE(node.chainman);
        BOOST_CHECK_EQUAL(node.chainman->ActiveChain().Height(), 0);
        BOOST_CHECK(std::filesystem::exists(node.datadir / "chainstate"));
        BOOST_CHECK(std::filesystem::exists(node.datadir / "blocks"));
        node::NotifyStarted(node);
        node::FlushForShutdown(node);
        node.chainman.reset();
    }

    // A damaged chainstate: the error names it and says how to recover.
    WriteFile(args.GetDataDirNet() / "chainstate" / "CURRENT", "MANIFEST-999999\n");
    {
        node::NodeContext node;
        node.args = &args;
        node.chain_name = chain;
        node.datadir = args.GetDataDirNet();
        BOOST_CHECK(!node::LoadChainstate(node, error));
        BOOST_CHECK_MESSAGE(error.starts_with("Failed to load the chainstate: "), error);
        BOOST_CHECK_MESSAGE(error.find("chainstate") != std::string::npos, error);
        BOOST_CHECK_MESSAGE(error.find("-reindex") != std::string::npos, error);
        BOOST_CHECK(!node.chainman);
    }
}

BOOST_AUTO_TEST_CASE(blocknotify_and_stopatheight)
{
    TempDir dir;
    NodeArgs args({"-datadir=" + dir.path.string(), "-regtest", "-nopid",
                   "-blocknotify=touch " + (dir.path / "%s").string(), "-stopatheight=1"});
    std::string chain, error;
    std::vector<std::string> warnings;
    BOOST_REQUIRE(node::ReadConfigAndSelectNetwork(args, chain, error, warnings));
    BOOST_REQUIRE(node::PrepareDataDir(args, error));
    node::NodeContext node;
    node.args = &args;
    node.chain_name = chain;
    node.datadir = args.GetDataDirNet();
    BOOST_REQUIRE_MESSAGE(node::LoadChainstate(node, error), error);
    const BlockIndex& genesis = *node.chainman->ActiveChain().Tip();

    ResetShutdownForTests();
    node::NodeNotifications notifications(args);
    // During initial block download -blocknotify stays quiet.
    notifications.UpdatedBlockTip(genesis, nullptr, /*initial_download=*/true);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const std::filesystem::path marker = dir.path / genesis.GetBlockHash().GetHex();
    BOOST_CHECK(!std::filesystem::exists(marker));
    BOOST_CHECK(!ShutdownRequested());  // height 0 < 1

    notifications.UpdatedBlockTip(genesis, nullptr, /*initial_download=*/false);
    for (int i = 0; i < 100 && !std::filesystem::exists(marker); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    BOOST_CHECK(std::filesystem::exists(marker));

    notifications.CheckStopHeight(1);
    BOOST_CHECK(ShutdownRequested());
    ResetShutdownForTests();
}

BOOST_AUTO_TEST_SUITE_END()
