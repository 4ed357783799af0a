#pragma once

// Blockchain RPC methods (registered by RegisterBlockchainRPCCommands in
// rpc/server.h) and the pieces of them REST shares.

#include <consensus/amount.h>
#include <uint256.h>
#include <util/json.h>

#include <cstdint>

class ChainstateManager;
class CoinsView;

// Which hash of the UTXO set gettxoutsetinfo computes.
enum class UtxoHashType { HASH_SERIALIZED, MUHASH, NONE };

// What gettxoutsetinfo reports about a coins view that can enumerate its coins.
struct UtxoSetStats {
    uint256 best_block;
    int64_t transactions = 0;  // distinct txids with unspent outputs
    int64_t txouts = 0;
    int64_t bogosize = 0;      // 50 bytes + script length per coin, independent of the database
    Amount total_amount = 0;
    // hash_serialized_3: double SHA-256 over, for every coin in key order,
    // outpoint || uint32 (height * 2 + coinbase) || amount || script (with
    // its CompactSize length), as Bitcoin Core computes it (HASH_SERIALIZED);
    // or MuHash3072 (rpc/muhash.h) over the same serialization of each coin
    // (MUHASH); null for NONE.
    uint256 hash;
};

// Walks every coin of `view` (throws std::logic_error when it cannot
// enumerate).
UtxoSetStats ComputeUtxoSetStats(const CoinsView& view, UtxoHashType hash_type = UtxoHashType::HASH_SERIALIZED);

// getblockchaininfo's object (also REST's /rest/chaininfo.json).
Json BlockchainInfoJson(ChainstateManager& chainman);
