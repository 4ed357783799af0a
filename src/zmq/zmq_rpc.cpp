#include <zmq/zmq_notifier.h>

#include <rpc/server.h>
#include <rpc/util.h>
#include <util/json.h>

void RegisterZmqRPCCommands(RPCTable& table, ZmqNotifier* notifier)
{
    table.Register(RPCMethod{
        .category = "zmq",
        .name = "getzmqnotifications",
        .description = "Lists the ZeroMQ publishers of this node: one entry per notification type and address.",
        .args = {},
        .result = "[                         (json array)\n"
                  "  {                       (json object)\n"
                  "    \"type\" : \"str\",       (string) The notification type, e.g. pubhashblock\n"
                  "    \"address\" : \"str\",    (string) The address the publisher is bound to\n"
                  "    \"hwm\" : n             (numeric) The outbound message high water mark\n"
                  "  },\n"
                  "  ...\n"
                  "]",
        .examples = HelpExampleCli("getzmqnotifications", "") + HelpExampleRpc("getzmqnotifications", ""),
        .handler =
            [notifier](const RPCRequest&) {
                Json result = Json::array();
                if (!notifier) return result;
                for (const ZmqNotificationInfo& info : notifier->GetActiveNotifications()) {
                    Json entry = Json::object();
                    entry["type"] = info.type;
                    entry["address"] = info.address;
                    entry["hwm"] = info.hwm;
                    result.push_back(std::move(entry));
                }
                return result;
            },
    });
}
