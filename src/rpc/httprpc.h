#pragma once

// JSON-RPC over HTTP: authentication (cookie, -rpcuser/-rpcpassword,
// -rpcauth), JSON-RPC 1.0 / 2.0 requests and batches on "/" and
// "/wallet/<name>", Core's HTTP status codes. And the whole RPC server's
// life cycle for bitcoind.

#include <util/json.h>

#include <string>

namespace node { struct NodeContext; }

// bitcoind calls these in this order (see CONTRACT "How bitcoind is wired"):
// StartRpcServer early in init (the table is in warm-up: calls get -28),
// GetRPCTable().SetWarmupStatus(...) while loading, SetWarmupFinished() when
// ready; on shutdown InterruptRpcServer() then StopRpcServer() (the stop
// RPC's reply still goes out; the cookie file is deleted).
// StartRpcServer: sets up authentication (writes the cookie unless
// -rpcpassword is set or -norpccookiefile), binds, starts the threads.
// false with a message for InitError on failure.
bool StartRpcServer(node::NodeContext& node, std::string& error);
void InterruptRpcServer();
void StopRpcServer();

// One JSON-RPC reply object, as Core shapes it: 1.0 has result, error and
// id; 2.0 has "jsonrpc":"2.0" and either result or error.
Json JsonRpcReply(const Json& result, const Json& error, const Json* id, bool v2);
Json JsonRpcError(int code, const std::string& message);

class RPCTable;

// What the JSON-RPC endpoint answers to a POST body from an authenticated
// user: the HTTP status and body (empty for 204 and 403). Single requests,
// batches, 1.0 and 2.0, notifications; -rpcwhitelist applies.
struct JsonRpcHttpReply {
    int status;
    std::string body;
};
JsonRpcHttpReply ProcessJsonRpc(const RPCTable& table, const std::string& body, const std::string& uri,
                                const std::string& user, node::NodeContext* node);
