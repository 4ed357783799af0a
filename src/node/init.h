#pragma once

// The node's start-up and shutdown steps, called in order by bitcoind's
// main() (src/bitcoind.cpp), which adds the RPC server and ZMQ between them:
//
//   RegisterNodeOptions -> parse -> -help/-version -> ReadConfigAndSelectNetwork
//   -> CheckOptions -> PrepareDataDir (probe lock) -> [Daemonize] -> LockDataDir
//   -> CreatePidFile -> InitLogging -> InstallSignalHandlers -> (RPC start)
//   -> LoadChainstate -> (ZMQ start) -> NotifyStarted (init:started)
//   -> WaitForShutdownOrSignal -> (RPC stop) -> FlushForShutdown
//   (utxocache:flush FORCE_FLUSH, then init:shutdown) -> (ZMQ stop)
//   -> FinishShutdown ("Shutdown: done", pid file removed).
//
// Every step that can fail returns false with a message for InitError.

#include <filesystem>
#include <string>
#include <vector>

class ArgsManager;

namespace node {

struct NodeContext;

inline constexpr const char* CLIENT_NAME = "bitcoin-observed";
inline constexpr const char* CLIENT_VERSION = "v0.1.0";

// Core's defaults for the options registered here.
inline constexpr int64_t DEFAULT_DB_CACHE_MIB = 450;
inline constexpr int64_t MIN_DB_CACHE_MIB = 4;
inline constexpr int MAX_SCRIPTCHECK_THREADS = 15;
inline constexpr const char* DEFAULT_PID_FILE = "bitcoind.pid";
inline constexpr const char* DEFAULT_DEBUG_LOG_FILE = "debug.log";

// Every option of the node layer (general, chain selection, logging and
// debugging), with Core's names, defaults and help categories.
void RegisterNodeOptions(ArgsManager& args);

// "Error: <message>" on stderr and in the log. Returns EXIT_FAILURE for `return InitError(...)`.
int InitError(const std::string& message);
// "Warning: <message>" on stderr and in the log.
void InitWarning(const std::string& message);

std::string VersionText();
std::string HelpText(const ArgsManager& args);

// -datadir given (command line or config) but missing is an error.
bool CheckDataDirOption(const ArgsManager& args, std::string& error);

// Reads bitcoin.conf (and -includeconf files), picks the network (conflicting
// network options are an error), selects its config section and rejects
// network-only options given at the top of the file for another network.
// chain receives "main", "test", "testnet4", "signet" or "regtest".
bool ReadConfigAndSelectNetwork(ArgsManager& args, std::string& chain, std::string& error,
                                std::vector<std::string>& warnings);

// Option values that make no sense (negative -prune, -prune with -txindex,
// bad -assumevalid, -mocktime < 0, unknown -debug categories ...).
bool CheckOptions(const ArgsManager& args, std::string& error);

// Creates the network datadir and checks that nobody holds its lock (a probe
// only: the lock itself is taken after -daemon forks).
bool PrepareDataDir(const ArgsManager& args, std::string& error);
// Takes `.lock` in the network datadir for the life of the process.
bool LockDataDir(const ArgsManager& args, std::string& error);

// -pid (default bitcoind.pid in the network datadir; -nopid: none).
bool CreatePidFile(const ArgsManager& args, std::string& error);
void RemovePidFile(const ArgsManager& args);

// Debug categories, then the log file / console from -debuglogfile,
// -printtoconsole, -logtimestamps, -logthreadnames, -logsourcelocations,
// -shrinkdebugfile; logs the start-up header.
bool InitLogging(const ArgsManager& args, std::string& error);

// SIGINT/SIGTERM -> RequestShutdown(); SIGHUP -> the log file is reopened by
// WaitForShutdownOrSignal; SIGPIPE ignored.
void InstallSignalHandlers();
// Blocks until a shutdown is requested, reopening the log after each SIGHUP.
void WaitForShutdownOrSignal();

// Builds the chain parameters and the ChainstateManager from -dbcache,
// -prune, -txindex, -par, -assumevalid, -reindex, -reindex-chainstate
// (and applies -mocktime). false with the kernel's message on damaged data.
bool LoadChainstate(NodeContext& node, std::string& error);

// Fires init:started (chain name, tip height) and logs "Done loading".
void NotifyStarted(const NodeContext& node);

// First part of a clean shutdown, after the RPC server stopped: the coins
// cache is flushed (utxocache:flush, FORCE_FLUSH), then init:shutdown fires.
void FlushForShutdown(NodeContext& node);

// Last part: the chainstate is closed, "Shutdown: done" logged, the pid file
// removed and the log closed.
void FinishShutdown(NodeContext& node);

} // namespace node
