// Test-only network methods (category "hidden", as in Bitcoin Core):
// addconnection opens an outbound connection of a chosen type on regtest, so
// functional tests can make feeler, block-relay-only, addr-fetch and
// outbound-full-relay connections to their own test peers.

#include <rpc/server.h>
#include <rpc/util.h>

#include <net/connection.h>
#include <net/connman.h>
#include <node/context.h>

#include <string>

namespace {

constexpr int ERR_P2P_DISABLED = -9;            // RPC_CLIENT_P2P_DISABLED
constexpr int ERR_NODE_CAPACITY_REACHED = -34;  // RPC_CLIENT_NODE_CAPACITY_REACHED

RPCMethod AddConnectionMethod()
{
    return RPCMethod{
        "hidden", "addconnection",
        "Open an outbound connection to a specified node. This RPC is for testing only.",
        {
            {"address", RPCArg::Type::STR, false, "required", "The IP address and port to attempt connecting to."},
            {"connection_type", RPCArg::Type::STR, false, "required", "Type of connection to open (\"outbound-full-relay\", \"block-relay-only\", \"addr-fetch\" or \"feeler\")."},
            {"v2transport", RPCArg::Type::BOOL, false, "required", "Attempt to connect using BIP324 v2 transport protocol"},
        },
        "{                            (json object)\n"
        "  \"address\" : \"str\",         (string) Address of newly added connection.\n"
        "  \"connection_type\" : \"str\"  (string) Type of connection opened.\n"
        "}",
        HelpExampleCli("addconnection", "\"192.168.0.6:8333\" \"outbound-full-relay\" false") +
            HelpExampleRpc("addconnection", "\"192.168.0.6:8333\" \"outbound-full-relay\" false"),
        [](const RPCRequest& request) -> Json {
            if (!request.node || request.node->chain_name != "regtest") {
                throw RPCError(RPC_MISC_ERROR, "addconnection is for regression testing (-regtest mode) only.");
            }
            const std::string address = request.Param(0).get<std::string>();
            const std::string type_name = request.Param(1).get<std::string>();
            net::ConnectionType type;
            if (type_name == "outbound-full-relay") {
                type = net::ConnectionType::OUTBOUND_FULL_RELAY;
            } else if (type_name == "block-relay-only") {
                type = net::ConnectionType::BLOCK_RELAY;
            } else if (type_name == "addr-fetch") {
                type = net::ConnectionType::ADDR_FETCH;
            } else if (type_name == "feeler") {
                type = net::ConnectionType::FEELER;
            } else {
                throw RPCError(RPC_INVALID_PARAMETER, "Error: invalid connection type");
            }
            if (ParamBool(request, 2, false)) {
                throw RPCError(RPC_INVALID_PARAMETER, "Error: Adding v2transport connections requires -v2transport init flag to be set.");
            }
            if (!request.node->connman) {
                throw RPCError(ERR_P2P_DISABLED, "Error: Peer-to-peer functionality missing or disabled");
            }
            if (!request.node->connman->AddConnection(address, type)) {
                throw RPCError(ERR_NODE_CAPACITY_REACHED, "Error: Already at capacity for specified connection type.");
            }
            Json result = Json::object();
            result["address"] = address;
            result["connection_type"] = type_name;
            return result;
        }};
}

} // namespace

void RegisterNetTestRPCCommands(RPCTable& table)
{
    table.Register(AddConnectionMethod());
}
