#include <node/init.h>

#include <kernel/blockstorage.h>
#include <kernel/chainparams.h>
#include <kernel/validation.h>
#include <node/context.h>
#include <util/args.h>
#include <util/fs_lock.h>
#include <util/logging.h>
#include <util/shutdown.h>
#include <util/strencodings.h>
#include <util/time.h>
#include <util/trace.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>

#include <unistd.h>

namespace node {
namespace {

std::atomic<bool> g_reopen_log{false};

void HandleShutdownSignal(int) { RequestShutdown(); }
void HandleReopenSignal(int) { g_reopen_log.store(true); }

// "-foo" for "foo" or "-foo".
std::string Dashed(const std::string& name) { return name.starts_with('-') ? name : "-" + name; }

// A path option relative to the network datadir (Core's rule for -pid and -debuglogfile).
std::filesystem::path PathInNetDir(const ArgsManager& args, const std::string& value)
{
    return AbsPathForConfigVal(args, std::filesystem::path{value}, /*net_specific=*/true);
}

std::string DefaultAssumeValid(ChainType chain)
{
    return CreateChainParams(chain)->GetConsensus().default_assume_valid.GetHex();
}

std::string DefaultMinimumChainWork(ChainType chain)
{
    return CreateChainParams(chain)->GetConsensus().minimum_chain_work.GetHex();
}

std::string JoinCategories()
{
    std::string out;
    for (const auto& [name, active] : GetLogger().Categories()) {
        (void)active;
        if (!out.empty()) out += ", ";
        out += name;
    }
    return out;
}

// Up to 64 hex digits (an optional 0x prefix), left-padded, as Core reads
// -assumevalid; "0" is the null hash (verify everything).
std::optional<uint256> ParseUserHash(std::string text)
{
    if (text.starts_with("0x") || text.starts_with("0X")) text = text.substr(2);
    if (text.empty() || text.size() > 64) return std::nullopt;
    if (!std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isxdigit(c) != 0; })) {
        return std::nullopt;
    }
    return uint256::FromHex(std::string(64 - text.size(), '0') + text);
}

bool LockDataDirImpl(const std::filesystem::path& dir, std::string& error, bool probe_only)
{
    switch (LockDirectoryResult(dir, ".lock", probe_only)) {
    case LockResult::SUCCESS:
        return true;
    case LockResult::ERROR_WRITE:
        error = "Cannot write to directory '" + dir.string() + "'; check permissions.";
        return false;
    case LockResult::ERROR_LOCK:
        error = "Cannot obtain a lock on directory " + dir.string() + ". " + CLIENT_NAME +
                " is probably already running.";
        return false;
    }
    return false;
}

bool AnyDebugCategoryEnabled()
{
    const auto categories = GetLogger().Categories();
    return std::any_of(categories.begin(), categories.end(), [](const auto& c) { return c.second; });
}

// -debug / -debugexclude: an unknown category is an error (as Core).
bool SetLoggingCategories(const ArgsManager& args, std::string& error)
{
    const std::vector<std::string> categories = args.GetArgs("-debug");
    // Everything before the last -debug=0 / -debug=none is disregarded.
    auto first = categories.begin();
    for (auto it = categories.begin(); it != categories.end(); ++it) {
        if (*it == "0" || *it == "none") first = std::next(it);
    }
    for (auto it = first; it != categories.end(); ++it) {
        const std::string& category = it->empty() ? std::string{"1"} : *it;
        if (!GetLogger().EnableCategory(category)) {
            error = "Unsupported logging category -debug=" + *it + ".";
            return false;
        }
    }
    for (const std::string& category : args.GetArgs("-debugexclude")) {
        if (!GetLogger().DisableCategory(category)) {
            error = "Unsupported logging category -debugexclude=" + category + ".";
            return false;
        }
    }
    return true;
}

} // namespace

void RegisterNodeOptions(ArgsManager& args)
{
    using C = OptionsCategory;
    const std::string av_main = DefaultAssumeValid(ChainType::MAIN);
    const std::string av_test = DefaultAssumeValid(ChainType::TESTNET);
    const std::string av_test4 = DefaultAssumeValid(ChainType::TESTNET4);
    const std::string av_signet = DefaultAssumeValid(ChainType::SIGNET);

    // General options.
    SetupHelpOptions(args);
    args.AddArg("-version", "Show the version and exit", ALLOW_ANY, C::OPTIONS);
    args.AddArg("-assumevalid=<hex>",
                "Skip script verification for this block and its ancestors when it is in the best header chain "
                "(0 = check every script; default: " + av_main + ", testnet3: " + av_test + ", testnet4: " +
                    av_test4 + ", signet: " + av_signet + ")",
                ALLOW_ANY, C::OPTIONS);
    args.AddArg("-minimumchainwork=<hex>",
                "Stay in initial block download until the best chain has at least this much work, and never "
                "skip scripts (-assumevalid) on a header chain with less (default: " +
                    DefaultMinimumChainWork(ChainType::MAIN) + ", testnet3: " +
                    DefaultMinimumChainWork(ChainType::TESTNET) + ", testnet4: " +
                    DefaultMinimumChainWork(ChainType::TESTNET4) + ", signet: " +
                    DefaultMinimumChainWork(ChainType::SIGNET) + ")",
                ALLOW_ANY | DEBUG_ONLY, C::OPTIONS);
    args.AddArg("-blocknotify=<cmd>",
                "Run this command whenever the best block changes, outside initial block download (a %s in the "
                "command becomes the block hash)",
                ALLOW_ANY, C::OPTIONS);
    args.AddArg("-conf=<file>",
                "Read options from this configuration file; a relative path is relative to the data directory "
                "(default: bitcoin.conf). Only usable on the command line",
                ALLOW_ANY, C::OPTIONS);
    args.AddArg("-daemon",
                "Run in the background: fork, detach from the terminal and return to the shell (default: 0)",
                ALLOW_ANY, C::OPTIONS);
    args.AddArg("-daemonwait",
                "Like -daemon, but the command returns only when initialization is finished, with exit code 0 "
                "on success and 1 on failure (default: 0)",
                ALLOW_ANY, C::OPTIONS);
    args.AddArg("-datadir=<dir>", "Data directory (must exist; default: ~/.bitcoin)", ALLOW_ANY, C::OPTIONS);
    args.AddArg("-dbcache=<n>",
                "Memory for the database caches, mostly the coins cache, in MiB (minimum " +
                    std::to_string(MIN_DB_CACHE_MIB) + ", default: " + std::to_string(DEFAULT_DB_CACHE_MIB) + ")",
                ALLOW_ANY, C::OPTIONS);
    args.AddArg("-debuglogfile=<file>",
                std::string("Where the debug log goes; a relative path is relative to the network data directory "
                            "(-nodebuglogfile: no log file; default: ") +
                    DEFAULT_DEBUG_LOG_FILE + ")",
                ALLOW_ANY, C::OPTIONS);
    args.AddArg("-includeconf=<file>",
                "Also read options from this file, relative to the data directory (configuration file only, "
                "may be given several times)",
                ALLOW_ANY, C::OPTIONS);
    args.AddArg("-par=<n>",
                "Script verification threads (0 = one per core, up to " + std::to_string(MAX_SCRIPTCHECK_THREADS) +
                    " helper threads; a negative number keeps that many cores unused; default: 0)",
                ALLOW_ANY, C::OPTIONS);
    args.AddArg("-pid=<file>",
                std::string("Write the process id to this file, relative to the network data directory "
                            "(-nopid: no file; default: ") +
                    DEFAULT_PID_FILE + ")",
                ALLOW_ANY, C::OPTIONS);
    args.AddArg("-prune=<n>",
                "Delete old block and undo files to stay under <n> MiB on disk (default: 0 = keep every block, "
                "1 = delete only through the pruneblockchain RPC, >=" +
                    std::to_string(MIN_DISK_SPACE_FOR_BLOCK_FILES / 1024 / 1024) +
                    " = target size in MiB). The last " + std::to_string(MIN_BLOCKS_TO_KEEP) +
                    " blocks are always kept. Incompatible with -txindex",
                ALLOW_ANY, C::OPTIONS);
    args.AddArg("-reindex",
                "Rebuild the block index and the chainstate from the blk*.dat files in blocks/",
                ALLOW_ANY, C::OPTIONS);
    args.AddArg("-reindex-chainstate",
                "Rebuild the chainstate from the blocks already indexed (block index kept)",
                ALLOW_ANY, C::OPTIONS);
    args.AddArg("-shutdownnotify=<cmd>",
                "Run this command when shutdown begins; the shutdown waits for it, so keep it short (or let it fork)",
                ALLOW_ANY, C::OPTIONS);
    args.AddArg("-startupnotify=<cmd>", "Run this command once the node has started", ALLOW_ANY, C::OPTIONS);
    args.AddArg("-txindex", "Keep an index of every transaction, for getrawtransaction-style lookups (default: 0)",
                ALLOW_ANY, C::OPTIONS);

    // Connection options the test framework and common configs pass; the
    // peer-to-peer layer (a later issue) is what acts on them.
    args.AddArg("-listen", "Take incoming connections from peers (default: 1 if no -proxy or -connect)", ALLOW_ANY,
                C::CONNECTION);
    args.AddArg("-port=<port>",
                "Port on which peers may connect (default: 8333, testnet3: 18333, testnet4: 48333, signet: 38333, "
                "regtest: 18444)",
                ALLOW_ANY | NETWORK_ONLY, C::CONNECTION);

    // Debugging / testing.
    args.AddArg("-debug=<category>",
                "Log debug messages of <category> (default: -nodebug). No <category>, 1 or all: every category; "
                "0 or none: ignore the -debug categories given before it. Categories: " +
                    JoinCategories() + ". May be given several times",
                ALLOW_ANY, C::DEBUG_TEST);
    args.AddArg("-debugexclude=<category>",
                "Leave out the debug messages of <category> even when -debug enables it (may be given several "
                "times)",
                ALLOW_ANY, C::DEBUG_TEST);
    args.AddArg("-help-debug", "Also list the debugging and testing options, then exit", ALLOW_ANY, C::DEBUG_TEST);
    args.AddArg("-logsourcelocations", "Prefix log lines with the source file, line and function (default: 0)",
                ALLOW_ANY | DEBUG_ONLY, C::DEBUG_TEST);
    args.AddArg("-logthreadnames", "Prefix log lines with the thread name (default: 0)", ALLOW_ANY | DEBUG_ONLY,
                C::DEBUG_TEST);
    args.AddArg("-logtimestamps", "Prefix log lines with a timestamp (default: 1)", ALLOW_ANY, C::DEBUG_TEST);
    args.AddArg("-mocktime=<n>",
                "Start with the clock set to <n> UNIX seconds, as setmocktime does (default: 0 = real time)",
                ALLOW_ANY | DISALLOW_NEGATION | DEBUG_ONLY, C::DEBUG_TEST);
    args.AddArg("-printtoconsole",
                "Also write the log to the console (default: 1 when no -daemon). To log to the console only, add "
                "-nodebuglogfile",
                ALLOW_ANY, C::DEBUG_TEST);
    args.AddArg("-stopatheight", "Shut down once the active chain reaches this height (default: 0 = never)",
                ALLOW_ANY | DEBUG_ONLY, C::DEBUG_TEST);
    args.AddArg("-shrinkdebugfile", "Trim a large debug.log at start (default: 1 when no -debug)", ALLOW_ANY,
                C::DEBUG_TEST);

    // Chain selection.
    args.AddArg("-chain=<chain>", "Network to use: main, test, testnet4, signet or regtest (default: main)",
                ALLOW_ANY, C::CHAINPARAMS);
    args.AddArg("-regtest",
                "Use the regression test network: private, blocks mined on demand (same as -chain=regtest)",
                ALLOW_ANY, C::CHAINPARAMS);
    args.AddArg("-signet", "Use the signet network (same as -chain=signet)", ALLOW_ANY, C::CHAINPARAMS);
    args.AddArg("-signetchallenge=<hex>",
                "Signet only: the script (hex) whose solution a block must carry to be valid (default: that of the "
                "public signet)",
                ALLOW_ANY | DISALLOW_NEGATION, C::CHAINPARAMS);
    args.AddArg("-testnet", "Use testnet3 (same as -chain=test; testnet4 is its successor)", ALLOW_ANY,
                C::CHAINPARAMS);
    args.AddArg("-testnet4", "Use testnet4 (same as -chain=testnet4)", ALLOW_ANY, C::CHAINPARAMS);
}

int InitError(const std::string& message)
{
    LogError("{}", message);
    std::cerr << "Error: " << message << std::endl;
    return EXIT_FAILURE;
}

void InitWarning(const std::string& message)
{
    LogWarning("{}", message);
    std::cerr << "Warning: " << message << std::endl;
}

std::string VersionText()
{
    return std::string(CLIENT_NAME) + " daemon version " + CLIENT_VERSION + "\n";
}

std::string HelpText(const ArgsManager& args)
{
    return VersionText() +
           "\nA Bitcoin full node with Bitcoin Core's interfaces and USDT tracepoints.\n"
           "\nUsage: bitcoind [options]                     Start the node\n\n" +
           args.GetHelpMessage();
}

bool CheckDataDirOption(const ArgsManager& args, std::string& error)
{
    if (::CheckDataDirOption(args)) return true;
    error = "Specified data directory \"" + args.GetArg("-datadir", "") + "\" does not exist.";
    return false;
}

bool ReadConfigAndSelectNetwork(ArgsManager& args, std::string& chain, std::string& error,
                                std::vector<std::string>& warnings)
{
    std::string config_error;
    // Unknown keys in the file are logged and skipped, as Core's bitcoind
    // does: one bitcoin.conf serves bitcoin-cli and other tools too.
    try {
        if (!args.ReadConfigFiles(config_error, /*ignore_invalid_keys=*/true)) {
            error = "Error reading configuration file: " + config_error;
            return false;
        }
    } catch (const std::exception& e) {  // conflicting network options
        error = e.what();
        return false;
    }
    if (!CheckDataDirOption(args, error)) return false;
    try {
        chain = args.GetChainTypeString();
    } catch (const std::exception& e) {
        error = e.what();
        return false;
    }
    if (!ChainTypeFromString(chain)) {
        error = "Unknown chain " + chain + ".";
        return false;
    }
    args.SelectConfigNetwork(chain);

    std::string misplaced;
    for (const std::string& name : args.GetUnsuitableSectionOnlyArgs()) {
        if (!misplaced.empty()) misplaced += "\n";
        misplaced += "Config setting for " + Dashed(name) + " only applied on " + chain + " network when in [" +
                     chain + "] section.";
    }
    if (!misplaced.empty()) {
        error = misplaced;
        return false;
    }
    for (const std::string& section : args.GetUnrecognizedSections()) {
        warnings.push_back("Section [" + section + "] is not recognized.");
    }
    return true;
}

bool CheckOptions(const ArgsManager& args, std::string& error)
{
    const int64_t prune = args.GetIntArg("-prune", 0);
    if (prune < 0) {
        error = "Prune cannot be configured with a negative value.";
        return false;
    }
    if (prune != 0) {
        if (args.GetBoolArg("-txindex", false)) {
            error = "Prune mode is incompatible with -txindex.";
            return false;
        }
        if (args.GetBoolArg("-reindex-chainstate", false)) {
            error = "Prune mode is incompatible with -reindex-chainstate. Use full -reindex instead.";
            return false;
        }
        if (prune != 1 && static_cast<uint64_t>(prune) * 1024 * 1024 < MIN_DISK_SPACE_FOR_BLOCK_FILES) {
            error = "Prune configured below the minimum of " +
                    std::to_string(MIN_DISK_SPACE_FOR_BLOCK_FILES / 1024 / 1024) + " MiB.  Please use a higher number.";
            return false;
        }
    }
    if (const auto value = args.GetArg("-assumevalid"); value && args.IsArgSet("-assumevalid") &&
                                                         !args.IsArgNegated("-assumevalid") && *value != "0") {
        if (!ParseUserHash(*value)) {
            error = "Invalid assumevalid block hash specified (" + *value +
                    "), must be up to 64 hex digits (or 0 to disable)";
            return false;
        }
    }
    if (const auto value = args.GetArg("-minimumchainwork"); value && !ParseUserHash(*value)) {
        error = "Invalid minimum work specified (" + *value + "), must be up to 64 hex digits";
        return false;
    }
    if (args.GetIntArg("-mocktime", 0) < 0) {
        error = "-mocktime cannot be negative";
        return false;
    }
    if (const auto challenge = args.GetArg("-signetchallenge"); challenge && args.IsArgSet("-signetchallenge")) {
        if (!TryParseHex(*challenge) || challenge->empty()) {
            error = "-signetchallenge must be hex, not '" + *challenge + "'";
            return false;
        }
    }
    return SetLoggingCategories(args, error);
}

bool PrepareDataDir(const ArgsManager& args, std::string& error)
{
    const std::filesystem::path base = args.GetDataDirBase();
    const std::filesystem::path net = args.GetDataDirNet();
    std::error_code ec;
    std::filesystem::create_directories(net, ec);
    if (ec || !std::filesystem::is_directory(net)) {
        error = "Cannot create the data directory " + net.string() + ": " + ec.message();
        return false;
    }
    (void)base;
    // Probe: take and drop the lock, so a second instance fails here, before
    // -daemon forks, with its message on the terminal.
    return LockDataDirImpl(net, error, /*probe_only=*/true);
}

bool LockDataDir(const ArgsManager& args, std::string& error)
{
    return LockDataDirImpl(args.GetDataDirNet(), error, /*probe_only=*/false);
}

bool CreatePidFile(const ArgsManager& args, std::string& error)
{
    if (args.IsArgNegated("-pid")) return true;
    const std::filesystem::path path = PathInNetDir(args, args.GetArg("-pid", DEFAULT_PID_FILE));
    std::ofstream file(path, std::ios::trunc);
    if (!file) {
        error = "Unable to create the PID file '" + path.string() + "'";
        return false;
    }
    file << ::getpid() << "\n";
    return static_cast<bool>(file);
}

void RemovePidFile(const ArgsManager& args)
{
    if (args.IsArgNegated("-pid")) return;
    std::error_code ec;
    std::filesystem::remove(PathInNetDir(args, args.GetArg("-pid", DEFAULT_PID_FILE)), ec);
}

bool InitLogging(const ArgsManager& args, std::string& error)
{
    const bool daemon = args.GetBoolArg("-daemon", false) || args.GetBoolArg("-daemonwait", false);
    Logger::Options options;
    options.print_to_console = args.GetBoolArg("-printtoconsole", !daemon);
    options.print_to_file = !args.IsArgNegated("-debuglogfile");
    options.file = PathInNetDir(args, args.GetArg("-debuglogfile", DEFAULT_DEBUG_LOG_FILE));
    options.timestamps = args.GetBoolArg("-logtimestamps", true);
    options.thread_names = args.GetBoolArg("-logthreadnames", false);
    options.source_locations = args.GetBoolArg("-logsourcelocations", false);
    options.shrink_file = options.print_to_file && args.GetBoolArg("-shrinkdebugfile", !AnyDebugCategoryEnabled());
    std::string start_error;
    if (!GetLogger().Start(options, start_error)) {
        error = "Could not open debug log file " + options.file.string();
        return false;
    }
    LogInfo("{} version {}", CLIENT_NAME, CLIENT_VERSION);
    LogInfo("Using data directory {}", args.GetDataDirNet().string());
    LogInfo("Config file: {}", args.GetConfigFilePath().string());
    return true;
}

void InstallSignalHandlers()
{
    struct sigaction shutdown_action {};
    shutdown_action.sa_handler = HandleShutdownSignal;
    sigemptyset(&shutdown_action.sa_mask);
    sigaction(SIGINT, &shutdown_action, nullptr);
    sigaction(SIGTERM, &shutdown_action, nullptr);

    struct sigaction reopen_action {};
    reopen_action.sa_handler = HandleReopenSignal;
    sigemptyset(&reopen_action.sa_mask);
    sigaction(SIGHUP, &reopen_action, nullptr);

    // A client that hangs up must not kill the node.
    std::signal(SIGPIPE, SIG_IGN);
}

void WaitForShutdownOrSignal()
{
    while (!ShutdownRequested()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (g_reopen_log.exchange(false)) {
            GetLogger().Reopen();
            LogInfo("Reopened the log file after SIGHUP");
        }
    }
}

bool LoadChainstate(NodeContext& node, std::string& error)
{
    const ArgsManager& args = *node.args;
    const auto chain = ChainTypeFromString(node.chain_name);
    if (!chain) {
        error = "Unknown chain " + node.chain_name + ".";
        return false;
    }
    if (*chain == ChainType::SIGNET && args.IsArgSet("-signetchallenge")) {
        node.chainparams = ChainParams::SigNet(*TryParseHex(args.GetArg("-signetchallenge", "")));
    } else {
        node.chainparams = CreateChainParams(*chain);
    }

    if (const int64_t mocktime = args.GetIntArg("-mocktime", 0); mocktime > 0) SetMockTime(mocktime);

    const int64_t dbcache_mib = std::max(args.GetIntArg("-dbcache", DEFAULT_DB_CACHE_MIB), MIN_DB_CACHE_MIB);
    const int64_t prune = args.GetIntArg("-prune", 0);
    uint64_t prune_target = 0;
    if (prune == 1) {
        prune_target = PRUNE_TARGET_MANUAL;
        LogInfo("Block pruning enabled.  Use RPC call pruneblockchain(height) to manually prune block and undo files.");
    } else if (prune > 1) {
        prune_target = static_cast<uint64_t>(prune) * 1024 * 1024;
        LogInfo("Prune configured to target {} MiB on disk for block and undo files.", prune);
    }
    int par = static_cast<int>(args.GetIntArg("-par", 0));
    if (par <= 0) par += static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const int script_threads = std::clamp(par - 1, 0, MAX_SCRIPTCHECK_THREADS);

    std::optional<uint256> assumevalid;
    if (args.IsArgSet("-assumevalid")) {
        const std::string value = args.GetArg("-assumevalid", "0");
        if (args.IsArgNegated("-assumevalid") || value == "0") {
            assumevalid = uint256{};
        } else {
            assumevalid = ParseUserHash(value);
        }
    }
    const bool reindex = args.GetBoolArg("-reindex", false);
    const bool reindex_chainstate = args.GetBoolArg("-reindex-chainstate", false);
    const bool txindex = args.GetBoolArg("-txindex", false);

    LogInfo("Cache configuration: {} MiB for the coins cache and databases", dbcache_mib);
    LogInfo("Script verification uses {} additional threads", script_threads);
    if (assumevalid && !assumevalid->IsNull()) {
        LogInfo("Assuming ancestors of block {} have valid signatures.", assumevalid->GetHex());
    } else if (assumevalid) {
        LogInfo("Validating signatures for all blocks.");
    }
    if (reindex) LogInfo("Reindexing: the block index and chainstate are rebuilt from the block files");
    if (reindex_chainstate) LogInfo("Reindexing the chainstate from the block index");
    LogInfo("init message: Loading block index…");

    try {
        node.chainman = std::make_unique<ChainstateManager>(ChainstateManagerOptions{
            .params = *node.chainparams,
            .datadir = node.datadir,
            .dbcache_bytes = static_cast<size_t>(dbcache_mib) << 20,
            .prune_target_bytes = prune_target,
            .txindex = txindex,
            .script_threads = script_threads,
            .assumevalid = assumevalid,
            .minimum_chain_work = args.IsArgSet("-minimumchainwork")
                                      ? ParseUserHash(args.GetArg("-minimumchainwork", "0"))
                                      : std::nullopt,
            .reindex = reindex,
            .reindex_chainstate = reindex_chainstate,
            .adjusted_time = [] { return GetTime(); },
        });
    } catch (const std::exception& e) {
        error = std::string("Failed to load the chainstate: ") + e.what();
        return false;
    }
    std::lock_guard lock(node.chainman->ChainLock());
    const BlockIndex* tip = node.chainman->ActiveChain().Tip();
    if (tip) {
        LogInfo("Loaded best chain: hash={} height={} date={}", tip->GetBlockHash().GetHex(), tip->height,
                FormatISO8601DateTime(tip->GetBlockTime()));
    }
    return true;
}

void NotifyStarted(const NodeContext& node)
{
    int32_t height = -1;
    if (node.chainman) {
        std::lock_guard lock(node.chainman->ChainLock());
        height = node.chainman->ActiveChain().Height();
    }
    const char* chain = node.chain_name.c_str();
    TRACEPOINT(init, started, chain, height);
    LogInfo("init message: Done loading");
}

void FlushForShutdown(NodeContext& node)
{
    int32_t height = -1;
    if (node.chainman) {
        try {
            node.chainman->FlushStateToDisk(FlushStateMode::FORCE_FLUSH);
        } catch (const std::exception& e) {
            LogError("Flushing the chainstate at shutdown failed: {}", e.what());
        }
        std::lock_guard lock(node.chainman->ChainLock());
        height = node.chainman->ActiveChain().Height();
    }
    const char* chain = node.chain_name.c_str();
    TRACEPOINT(init, shutdown, chain, height);
}

void FinishShutdown(NodeContext& node)
{
    node.chainman.reset();
    if (node.args) RemovePidFile(*node.args);
    LogInfo("Shutdown: done");
    GetLogger().Stop();
}

} // namespace node
