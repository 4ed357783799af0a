#pragma once

// The JSON-RPC method table: registration, argument checking by declared
// type, named parameters, help texts, and dispatch. Transport-free: the HTTP
// layer (rpc/httprpc.*) turns requests into RPCRequest and back.

#include <util/json.h>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace node { struct NodeContext; }

// Bitcoin Core's error codes (the ones used here).
enum RPCErrorCode : int {
    RPC_INVALID_REQUEST = -32600,
    RPC_METHOD_NOT_FOUND = -32601,
    RPC_INVALID_PARAMS = -32602,
    RPC_INTERNAL_ERROR = -32603,
    RPC_PARSE_ERROR = -32700,
    RPC_MISC_ERROR = -1,
    RPC_TYPE_ERROR = -3,
    RPC_INVALID_ADDRESS_OR_KEY = -5,
    RPC_OUT_OF_MEMORY = -7,
    RPC_INVALID_PARAMETER = -8,
    RPC_DATABASE_ERROR = -20,
    RPC_DESERIALIZATION_ERROR = -22,
    RPC_VERIFY_ERROR = -25,
    RPC_VERIFY_REJECTED = -26,
    RPC_VERIFY_ALREADY_IN_UTXO_SET = -27,
    RPC_IN_WARMUP = -28,
    RPC_METHOD_DEPRECATED = -32,
    RPC_CLIENT_NOT_CONNECTED = -9,
    RPC_CLIENT_IN_INITIAL_DOWNLOAD = -10,
};

struct RPCError : std::runtime_error {
    RPCError(int code, const std::string& message) : std::runtime_error(message), code(code) {}
    int code;
};

struct RPCArg {
    enum class Type { STR, STR_HEX, NUM, AMOUNT, BOOL, OBJ, ARR, RANGE, ANY };
    std::string name;
    Type type;
    bool optional = false;
    std::string default_hint;   // shown in help: "default=1", "required", "optional"
    std::string description;
    // Usage-line text, e.g. ["include_category",...]; empty: "name", name,
    // [...] or {...} by type.
    std::string oneline = {};
};

struct RPCRequest {
    Json id;                       // null for a notification-less 1.0 call
    std::string method;
    Json params = Json::array();   // always positional here: named ones are mapped by RPCTable
    std::string uri;               // "/" or "/wallet/<name>"
    std::string auth_user;
    node::NodeContext* node = nullptr;
    // The positional parameter i, or null when absent.
    const Json& Param(size_t i) const;
};

using RPCHandler = std::function<Json(const RPCRequest&)>;

struct RPCMethod {
    std::string category;          // "blockchain", "control", "mining", "util", "zmq", ...
    std::string name;
    std::string description;       // first paragraph of `help <name>`
    std::vector<RPCArg> args;
    std::string result;            // "Result:" section text
    std::string examples;          // "Examples:" section text
    RPCHandler handler;
};

class RPCTable {
public:
    void Register(RPCMethod method);  // replaces a method of the same name
    // Maps named params (object) to positions, checks count and declared
    // types (RPC_TYPE_ERROR / RPC_INVALID_PARAMETER with Core's messages),
    // runs the handler. Throws RPCError.
    Json Execute(RPCRequest request) const;
    // `help` without a name: every method by category; with a name: its full text.
    std::string Help(const std::string& name) const;
    std::vector<std::string> MethodNames() const;
    bool Has(const std::string& name) const;

    // Warm-up: until SetWarmupFinished, every call but a few fails with RPC_IN_WARMUP and this status.
    void SetWarmupStatus(const std::string& status);
    void SetWarmupFinished();
    // (Re)enters warm-up. GetRPCTable() starts in warm-up with "RPC server
    // started" (as Core); a table constructed by a test does not.
    void StartWarmup(const std::string& status = "RPC server started");
    bool IsInWarmup(std::string* status = nullptr) const;

    // The full help text of a method (usage line, description, arguments,
    // result, examples); the message of the -1 error for a wrong argument count.
    static std::string MethodHelp(const RPCMethod& method);

private:
    std::map<std::string, RPCMethod> m_methods;
    mutable std::mutex m_warmup_mutex;
    bool m_in_warmup = false;
    std::string m_warmup_status;
};

// "string", "number", "bool", "object", "array", "null": the names Core's
// type errors use ("JSON value of type string is not of expected type number").
std::string JsonTypeName(const Json& value);

// Commands running right now (getrpcinfo): method and microseconds so far.
struct ActiveRPCCommand {
    std::string method;
    int64_t duration_us;
};
std::vector<ActiveRPCCommand> GetActiveRPCCommands();

RPCTable& GetRPCTable();

// Registration functions, one per file, called by bitcoind.
void RegisterControlRPCCommands(RPCTable& table);     // help stop uptime getrpcinfo logging   (rpc/control.cpp)
void RegisterBlockchainRPCCommands(RPCTable& table);  // rpc/blockchain.cpp
void RegisterMiningRPCCommands(RPCTable& table);      // rpc/mining.cpp
void RegisterUtilRPCCommands(RPCTable& table);        // validateaddress getdescriptorinfo deriveaddresses setmocktime (rpc/util_rpc.cpp)
void RegisterNetAddrRPCCommands(RPCTable& table);     // setban listbanned clearbanned getnodeaddresses addpeeraddress (rpc/net_addr.cpp)
void RegisterNetRPCCommands(RPCTable& table);       // getpeerinfo getnetworkinfo getconnectioncount getnettotals addnode disconnectnode getaddednodeinfo ping setnetworkactive (rpc/net.cpp)
void RegisterNetTestRPCCommands(RPCTable& table);   // addconnection (hidden, regtest only) (rpc/net_test.cpp)
void RegisterRawTransactionRPCCommands(RPCTable& table); // createrawtransaction ... sendrawtransaction testmempoolaccept submitpackage (rpc/rawtransaction.cpp)
void RegisterMempoolRPCCommands(RPCTable& table);    // getrawmempool getmempoolinfo ... prioritisetransaction (rpc/mempool.cpp)
void RegisterFeeRPCCommands(RPCTable& table);        // estimatesmartfee (rpc/fees.cpp)
