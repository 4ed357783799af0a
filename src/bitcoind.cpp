// bitcoind: the node daemon. main() wires the layers together in the order
// CONTRACT/DESIGN fix: options, configuration, network, datadir lock,
// -daemon, logging, RPC server (in warm-up), chainstate, ZMQ, ready
// (init:started); then a clean shutdown on SIGINT/SIGTERM or the stop RPC.
// The steps themselves live in node/init.cpp.

#include <kernel/validation.h>
#include <node/context.h>
#include <node/daemon.h>
#include <node/init.h>
#include <node/notify.h>
#include <rpc/httprpc.h>
#include <rpc/httpserver.h>
#include <rpc/rest.h>
#include <rpc/server.h>
#include <util/args.h>
#include <util/logging.h>
#include <util/shutdown.h>
#include <util/time.h>

#ifdef ENABLE_ZMQ
#include <zmq/zmq_notifier.h>
#endif

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace {

void RegisterAllOptions(ArgsManager& args)
{
    node::RegisterNodeOptions(args);
    RegisterRpcOptions(args);
#ifdef ENABLE_ZMQ
    RegisterZmqOptions(args);
#endif
}

void RegisterRpcCommands(RPCTable& table)
{
    RegisterControlRPCCommands(table);
    RegisterBlockchainRPCCommands(table);
    RegisterMiningRPCCommands(table);
    RegisterUtilRPCCommands(table);
}

// Everything between "the configuration is valid" and "shut down": returns
// the process exit code.
int RunNode(ArgsManager& args, const std::string& chain)
{
    std::string error;
    if (!node::PrepareDataDir(args, error)) return node::InitError(error);

    const bool daemon_wait = args.GetBoolArg("-daemonwait", false);
    if (args.GetBoolArg("-daemon", false) || daemon_wait) {
        std::cout << "bitcoind starting" << std::endl;
        if (!node::Daemonize(daemon_wait, error)) return node::InitError(error);
    }
    // From here on a failure must also tell a -daemonwait parent.
    const auto fail = [](const std::string& message) {
        const int code = node::InitError(message);
        node::NotifyDaemonParent(false);
        return code;
    };

    if (!node::LockDataDir(args, error)) return fail(error);
    if (!node::InitLogging(args, error)) return fail(error);
    if (!node::CreatePidFile(args, error)) {
        const int code = fail(error);
        GetLogger().Stop();
        return code;
    }
    node::InstallSignalHandlers();

    node::NodeContext node;
    node.args = &args;
    node.chain_name = chain;
    node.datadir = args.GetDataDirNet();
    node.start_time = GetTime();
    node.request_shutdown = [] { RequestShutdown(); };

    RPCTable& table = GetRPCTable();
    RegisterRpcCommands(table);
#ifdef ENABLE_ZMQ
    std::unique_ptr<ZmqNotifier> zmq = ZmqNotifier::Create(args, error);
    if (!zmq && !error.empty()) {
        const int code = fail(error);
        node::RemovePidFile(args);
        GetLogger().Stop();
        return code;
    }
    RegisterZmqRPCCommands(table, zmq.get());
#endif

    // The RPC server answers from here on, with -28 until loading is done.
    const bool rpc_server = args.GetBoolArg("-server", true);
    table.SetWarmupStatus("Starting RPC server…");
    if (rpc_server && !StartRpcServer(node, error)) {
        const int code = fail(error);
        node::RemovePidFile(args);
        GetLogger().Stop();
        return code;
    }
    const bool rest = rpc_server && args.GetBoolArg("-rest", false);
    const auto stop_rpc = [&] {
        if (!rpc_server) return;
        if (rest) StopREST();
        InterruptRpcServer();
        StopRpcServer();
    };

    table.SetWarmupStatus("Loading block index…");
    if (!node::LoadChainstate(node, error)) {
        const int code = fail(error);
        stop_rpc();
        node::FinishShutdown(node);
        return code;
    }

    node::NodeNotifications notifications(args);
    node.chainman->RegisterObserver(&notifications);

#ifdef ENABLE_ZMQ
    if (zmq) {
        if (zmq->Start(error)) {
            node.chainman->RegisterObserver(zmq.get());
        } else {
            LogError("ZMQ notifications could not start: {}", error);
        }
    }
#endif

    table.SetWarmupFinished();
    if (rest) StartREST(node);
    node::NotifyStarted(node);
    node::NotifyDaemonParent(true);
    notifications.Startup();
    {
        std::lock_guard lock(node.chainman->ChainLock());
        notifications.CheckStopHeight(node.chainman->ActiveChain().Height());
    }

    node::WaitForShutdownOrSignal();

    notifications.Shutdown();
    LogInfo("Shutdown: In progress...");
    stop_rpc();
    node::FlushForShutdown(node);
    node.chainman->UnregisterObserver(&notifications);
#ifdef ENABLE_ZMQ
    if (zmq) {
        node.chainman->UnregisterObserver(zmq.get());
        zmq->Shutdown();
    }
#endif
    node::FinishShutdown(node);
    return EXIT_SUCCESS;
}

} // namespace

int main(int argc, char* argv[])
{
    SetThreadName("main");
    ArgsManager& args = g_args;
    RegisterAllOptions(args);

    std::string error;
    if (!args.ParseParameters(argc, argv, error)) {
        return node::InitError("Error parsing command line arguments: " + error);
    }
    if (args.HelpRequested()) {
        std::cout << node::HelpText(args);
        return EXIT_SUCCESS;
    }
    if (args.IsArgSet("-version")) {
        std::cout << node::VersionText();
        return EXIT_SUCCESS;
    }
    if (const auto words = args.GetPositionalArgs(); !words.empty()) {
        return node::InitError("Command line contains unexpected token '" + words.front() +
                               "', see bitcoind -h for a list of options.");
    }
    if (!node::CheckDataDirOption(args, error)) return node::InitError(error);

    std::string chain;
    std::vector<std::string> warnings;
    if (!node::ReadConfigAndSelectNetwork(args, chain, error, warnings)) return node::InitError(error);
    for (const std::string& warning : warnings) node::InitWarning(warning);
    if (!node::CheckOptions(args, error)) return node::InitError(error);

    try {
        return RunNode(args, chain);
    } catch (const std::exception& e) {
        return node::InitError(std::string("Unexpected error: ") + e.what());
    }
}
