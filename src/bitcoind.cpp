// bitcoind: the node daemon. main() wires the layers together in the order
// CONTRACT/DESIGN fix: options, configuration, network, datadir lock,
// -daemon, logging, RPC server (in warm-up), chainstate, ZMQ, ready
// (init:started); then a clean shutdown on SIGINT/SIGTERM or the stop RPC.
// The steps themselves live in node/init.cpp.

#include <kernel/chainparams.h>
#include <kernel/validation.h>
#include <net/addrman.h>
#include <net/banman.h>
#include <net/connman.h>
#include <net/peerman.h>
#include <node/context.h>
#include <node/daemon.h>
#include <node/init.h>
#include <node/fees.h>
#include <node/mempool_accept.h>
#include <node/miner.h>
#include <node/mempool_persist.h>
#include <node/txmempool.h>
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
    node::RegisterMempoolOptions(args);
    node::RegisterFeeEstimationOptions(args);
    node::RegisterMiningOptions(args);
    RegisterRpcOptions(args);
    net::RegisterNetOptions(args);
    net::RegisterAddrManOptions(args);
    net::RegisterBanOptions(args);
    net::RegisterPeerOptions(args);
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
    RegisterNetRPCCommands(table);
    RegisterNetTestRPCCommands(table);
    RegisterNetAddrRPCCommands(table);
    RegisterRawTransactionRPCCommands(table);
    RegisterMempoolRPCCommands(table);
    RegisterFeeRPCCommands(table);
}

// The P2P layer (issue 6), owned here; NodeContext holds raw pointers to it.
// Started once the chainstate is loaded, stopped first at shutdown (right
// after the RPC server), peers.dat and banlist.json written on the way out.
struct NetStack {
    std::unique_ptr<net::AddrMan> addrman;
    std::unique_ptr<net::BanMan> banman;
    std::unique_ptr<net::ConnectionManager> connman;
    std::unique_ptr<net::PeerManager> peerman;
    bool started = false;

    bool Start(node::NodeContext& node, std::string& error)
    {
        const ArgsManager& args = *node.args;
        const ChainParams& params = *node.chainparams;
        std::vector<bool> asmap;
        if (args.IsArgSet("-asmap") && !args.IsArgNegated("-asmap")) {
            // -asmap alone (or =1): ip_asn.map in the datadir, as Core.
            std::string file = args.GetArg("-asmap", "");
            if (file.empty() || file == "1") file = "ip_asn.map";
            std::filesystem::path path = file;
            if (path.is_relative()) path = node.datadir / path;
            asmap = net::LoadAsmap(path, error);
            if (asmap.empty()) return false;
        }
        std::string warning;
        addrman = net::LoadAddrMan(node.datadir / "peers.dat", params.MessageStart(), std::move(asmap),
                                   static_cast<int32_t>(args.GetIntArg("-checkaddrman", 0)), warning);
        if (!warning.empty()) node::InitWarning(warning);
        banman = std::make_unique<net::BanMan>(node.datadir / "banlist.json",
                                              args.GetIntArg("-bantime", net::DEFAULT_MISBEHAVING_BANTIME));
        connman = std::make_unique<net::ConnectionManager>(addrman.get(), banman.get());
        net::ConnmanOptions options;
        if (!net::ConnmanOptionsFromArgs(args, params, options, error)) return false;
        options.peers_file = node.datadir / "peers.dat";  // written every 15 minutes too
        // Core's local services: witness and recent blocks always, every
        // block (NODE_NETWORK) unless pruned.
        options.local_services = net::NODE_WITNESS | net::NODE_NETWORK_LIMITED;
        if (args.GetIntArg("-prune", 0) == 0) options.local_services |= net::NODE_NETWORK;
        peerman = net::PeerManager::Create(*connman, *addrman, banman.get(), *node.chainman, node.mempool.get(),
                                           net::PeerOptionsFromArgs(args));
        node.chainman->RegisterObserver(peerman.get());
        node.addrman = addrman.get();
        node.banman = banman.get();
        node.connman = connman.get();
        node.peerman = peerman.get();
        started = true;
        if (!connman->Start(*peerman, options, error)) {
            Stop(node);
            return false;
        }
        return true;
    }

    void Stop(node::NodeContext& node)
    {
        if (connman) {
            connman->Interrupt();
            connman->Stop();
        }
        if (peerman && node.chainman) node.chainman->UnregisterObserver(peerman.get());
        node.peerman = nullptr;
        node.connman = nullptr;
        node.banman = nullptr;
        node.addrman = nullptr;
        if (started && addrman && node.chainparams) {
            if (!net::SaveAddrMan(*addrman, node.datadir / "peers.dat", node.chainparams->MessageStart())) {
                LogError("Could not write {}", (node.datadir / "peers.dat").string());
            }
        }
        if (banman) banman->DumpBanlist();
        started = false;
        peerman.reset();
        connman.reset();
        banman.reset();
        addrman.reset();
    }
};

#ifdef ENABLE_ZMQ
// Forwards mempool additions/removals to the ZMQ publishers (hashtx, rawtx,
// sequence 'A'/'R'; removals for a block publish nothing, as Core).
class ZmqMempoolObserver : public node::MempoolObserver {
public:
    explicit ZmqMempoolObserver(ZmqNotifier& zmq) : m_zmq(zmq) {}
    void TransactionAdded(const TransactionRef& tx, uint64_t sequence, const node::MempoolAddInfo&) override
    {
        m_zmq.TransactionAddedToMempool(*tx, sequence);
    }
    void TransactionRemoved(const TransactionRef& tx, node::MemPoolRemovalReason reason, uint64_t sequence) override
    {
        if (reason != node::MemPoolRemovalReason::BLOCK) m_zmq.TransactionRemovedFromMempool(*tx, sequence);
    }

private:
    ZmqNotifier& m_zmq;
};
#endif

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

    // The mempool (options were checked in main), kept in step with the chain.
    node::MempoolOptions mempool_opts;
    node::ReadMempoolOptions(args, chain != "main", mempool_opts, error);
    node.mempool = std::make_unique<node::TxMempool>(mempool_opts);
    node::MempoolChainSync mempool_sync(*node.chainman, *node.mempool);
    node.chainman->RegisterObserver(&mempool_sync);

    // Block templates from the mempool, and fee estimation from what it sees
    // confirm (fee_estimates.dat).
    std::unique_ptr<node::MempoolTxSource> block_source = node::MakeMempoolTxSource(args, *node.mempool, error);
    if (!block_source) {
        LogError("{}; block templates use the defaults", error);
        block_source = std::make_unique<node::MempoolTxSource>(*node.mempool);
    }
    node::SetDefaultBlockTxSource(block_source.get());
    unsigned tip_height = 0;
    {
        std::lock_guard lock(node.chainman->ChainLock());
        tip_height = static_cast<unsigned>(std::max(0, node.chainman->ActiveChain().Height()));
    }
    node::FeeEstimator fee_estimator(node.datadir / "fee_estimates.dat", node.mempool.get(), tip_height);
    fee_estimator.Load(args.GetBoolArg("-acceptstalefeeestimates", false));
    node.mempool->RegisterObserver(&fee_estimator);
    node.chainman->RegisterObserver(&fee_estimator);
    node.fee_estimator = &fee_estimator;

#ifdef ENABLE_ZMQ
    std::unique_ptr<ZmqMempoolObserver> zmq_mempool;
    if (zmq) {
        if (zmq->Start(error)) {
            node.chainman->RegisterObserver(zmq.get());
            zmq_mempool = std::make_unique<ZmqMempoolObserver>(*zmq);
            node.mempool->RegisterObserver(zmq_mempool.get());
        } else {
            LogError("ZMQ notifications could not start: {}", error);
        }
    }
#endif

    if (mempool_opts.persist) {
        table.SetWarmupStatus("Loading mempool…");
        node::LoadMempoolResult loaded;
        if (!node::LoadMempool(*node.mempool, *node.chainman, node.datadir / node::MEMPOOL_DAT_FILENAME, loaded, error)) {
            LogInfo("Failed to load mempool.dat: {}", error);
        }
    }
    node.mempool->SetLoaded(true);

    table.SetWarmupStatus("Starting network threads…");
    NetStack net_stack;
    if (!net_stack.Start(node, error)) {
        const int code = fail(error);
        stop_rpc();
        node::FinishShutdown(node);
        return code;
    }

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
    net_stack.Stop(node);
    if (mempool_opts.persist && node.mempool->IsLoaded()) {
        if (!node::DumpMempool(*node.mempool, node.datadir / node::MEMPOOL_DAT_FILENAME,
                               mempool_opts.persist_v1_dat, error)) {
            LogError("Failed to dump mempool: {}. Continuing anyway.", error);
        }
    }
    node::FlushForShutdown(node);
    node.chainman->UnregisterObserver(&mempool_sync);
    node::SetDefaultBlockTxSource(nullptr);
    node.chainman->UnregisterObserver(&fee_estimator);
    node.mempool->UnregisterObserver(&fee_estimator);
    node.fee_estimator = nullptr;
    // As Core: what is still waiting counts as unconfirmed for as long as it waited.
    fee_estimator.FlushUnconfirmed();
    if (!fee_estimator.Save()) LogError("Failed to write fee_estimates.dat");
    node.chainman->UnregisterObserver(&notifications);
#ifdef ENABLE_ZMQ
    if (zmq) {
        if (zmq_mempool) node.mempool->UnregisterObserver(zmq_mempool.get());
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
    {
        node::MempoolOptions mempool_opts;
        if (!node::ReadMempoolOptions(args, chain != "main", mempool_opts, error)) return node::InitError(error);
    }
    if (!node::CheckFeeEstimationOptions(args, chain, error)) return node::InitError(error);

    try {
        return RunNode(args, chain);
    } catch (const std::exception& e) {
        return node::InitError(std::string("Unexpected error: ") + e.what());
    }
}
