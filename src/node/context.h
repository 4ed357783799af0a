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

namespace node {

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
    ~NodeContext();
};

} // namespace node
