#pragma once

// Everything a running node owns, handed to RPC methods, ZMQ and (later) the
// mempool, peer manager and wallet. bitcoind fills it during init.

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

class ArgsManager;
class ChainParams;
class ChainstateManager;

namespace net {
class AddrMan;
class BanMan;
class ConnectionManager;
class PeerManager;
} // namespace net

namespace node {

class TxMempool;
class FeeEstimator;

struct NodeContext {
    ArgsManager* args = nullptr;
    std::unique_ptr<ChainstateManager> chainman;
    std::string chain_name;               // "main", "test", "testnet4", "signet", "regtest"
    std::filesystem::path datadir;        // network datadir (…/regtest)
    int64_t start_time = 0;               // UNIX seconds (uptime)
    // Set to false by the next issues' mempool/connman etc. as they arrive.
    std::function<void()> request_shutdown;  // the stop RPC

    // Added by NODE: the parameters chainman refers to (must outlive it), and
    // a destructor that tears chainman down first (node/context.cpp).
    std::unique_ptr<const ChainParams> chainparams;

    // The P2P layer (issue 6): raw, non-owning pointers; bitcoind.cpp owns
    // the objects and clears these before destroying them. Null while the
    // node has no P2P layer (before start, after shutdown, in unit tests).
    net::AddrMan* addrman = nullptr;
    net::BanMan* banman = nullptr;
    net::ConnectionManager* connman = nullptr;
    net::PeerManager* peerman = nullptr;

    // The mempool (issue 7, node layer; null in unit tests that need none).
    std::unique_ptr<TxMempool> mempool;
    // Fee estimation (estimatesmartfee): owned by bitcoind.cpp, null when absent.
    FeeEstimator* fee_estimator = nullptr;

    // Defined in context.cpp, where TxMempool is a complete type.
    NodeContext();
    ~NodeContext();
};

} // namespace node
