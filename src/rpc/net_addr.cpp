// Network RPCs about addresses and bans: setban, listbanned, clearbanned,
// getnodeaddresses, addpeeraddress and getrawaddrman (hidden, for tests).

#include <net/addrman.h>
#include <net/banman.h>
#include <net/connman.h>
#include <net/netaddress.h>
#include <node/context.h>
#include <rpc/server.h>
#include <rpc/util.h>
#include <util/time.h>

#include <string>
#include <vector>

namespace {

// Core's codes for these methods.
constexpr int RPC_CLIENT_NODE_ALREADY_ADDED = -23;
constexpr int RPC_CLIENT_INVALID_IP_OR_SUBNET = -30;
constexpr int RPC_CLIENT_P2P_DISABLED = -31;

net::AddrMan& EnsureAddrMan(const RPCRequest& request)
{
    if (!request.node || !request.node->addrman) {
        throw RPCError(RPC_CLIENT_P2P_DISABLED, "Error: Address manager functionality missing or disabled");
    }
    return *request.node->addrman;
}

net::BanMan& EnsureBanMan(const RPCRequest& request)
{
    if (!request.node || !request.node->banman) {
        throw RPCError(RPC_DATABASE_ERROR, "Error: Ban database not loaded");
    }
    return *request.node->banman;
}

// Closes connections to peers in a freshly banned subnet (the connection
// manager refuses them from now on).
void DisconnectBanned(const RPCRequest& request, const net::SubNet& subnet)
{
    if (request.node && request.node->connman) request.node->connman->DisconnectNode(subnet);
}

RPCMethod SetBanMethod()
{
    RPCMethod m{
        "network", "setban",
        "Bans an IP address or subnet, or lifts such a ban.",
        {{"subnet", RPCArg::Type::STR, false, "",
          "Single IP (no netmask) or a subnet written as IP/netmask or IP/prefix-length."},
         {"command", RPCArg::Type::STR, false, "", "'add' to ban, 'remove' to lift a ban"},
         {"bantime", RPCArg::Type::NUM, true, "default=0",
          "Seconds the ban lasts (0: -bantime, default 24h); with absolute, a UNIX time"},
         {"absolute", RPCArg::Type::BOOL, true, "default=false", "bantime is a UNIX time rather than an offset"}},
        "null    (json null)",
        HelpExampleCli("setban", "\"192.168.0.6\" \"add\" 86400") +
            HelpExampleCli("setban", "\"192.168.0.0/24\" \"add\"") +
            HelpExampleRpc("setban", "\"192.168.0.6\", \"add\", 86400"),
        nullptr};
    const std::string help = RPCTable::MethodHelp(m);
    m.handler = [help](const RPCRequest& request) -> Json {
        const std::string command = ParamString(request, 1, "");
        if (command != "add" && command != "remove") throw RPCError(RPC_MISC_ERROR, help);
        net::BanMan& banman = EnsureBanMan(request);

        const std::string text = ParamString(request, 0, "");
        const bool is_subnet = text.find('/') != std::string::npos;
        net::SubNet subnet;
        net::NetAddr addr;
        bool valid = false;
        if (is_subnet) {
            subnet = net::SubNet::Parse(text);
            valid = subnet.IsValid();
        } else {
            auto found = net::LookupHost(text, /*allow_lookup=*/false);
            if (!found.empty() && found[0].IsValid()) {
                addr = found[0];
                valid = true;
            }
        }
        if (!valid) throw RPCError(RPC_CLIENT_INVALID_IP_OR_SUBNET, "Error: Invalid IP/Subnet");

        if (command == "add") {
            if (is_subnet ? banman.IsBanned(subnet) : banman.IsBanned(addr)) {
                throw RPCError(RPC_CLIENT_NODE_ALREADY_ADDED, "Error: IP/Subnet already banned");
            }
            const int64_t ban_time = ParamInt(request, 2, 0);
            const bool absolute = ParamBool(request, 3, false);
            if (absolute && ban_time < GetTime()) {
                throw RPCError(RPC_INVALID_PARAMETER, "Error: Absolute timestamp is in the past");
            }
            if (is_subnet) {
                banman.Ban(subnet, ban_time, absolute);
            } else {
                banman.Ban(addr, ban_time, absolute);
            }
            // Disconnect matching peers.
            DisconnectBanned(request, is_subnet ? subnet : net::SubNet(addr));
        } else {
            if (!(is_subnet ? banman.Unban(subnet) : banman.Unban(addr))) {
                throw RPCError(RPC_CLIENT_INVALID_IP_OR_SUBNET,
                               "Error: Unban failed. Requested address/subnet was not previously manually banned.");
            }
        }
        return nullptr;
    };
    return m;
}

RPCMethod ListBannedMethod()
{
    return RPCMethod{
        "network", "listbanned",
        "Shows every IP and subnet currently banned by hand.",
        {},
        "[                              (json array)\n"
        "  {                            (json object)\n"
        "    \"address\" : \"str\",          (string) the IP or subnet\n"
        "    \"ban_created\" : n,          (numeric) UNIX time the ban was set\n"
        "    \"banned_until\" : n,         (numeric) UNIX time the ban ends\n"
        "    \"ban_duration\" : n,         (numeric) length of the ban, seconds\n"
        "    \"time_remaining\" : n        (numeric) seconds left\n"
        "  },\n"
        "  ...\n"
        "]",
        HelpExampleCli("listbanned", "") + HelpExampleRpc("listbanned", ""),
        [](const RPCRequest& request) -> Json {
            net::BanMan& banman = EnsureBanMan(request);
            const int64_t now = GetTime();
            Json out = Json::array();
            for (const auto& [subnet, entry] : banman.GetBanned()) {
                Json j = Json::object();
                j["address"] = subnet.ToString();
                j["ban_created"] = entry.create_time;
                j["banned_until"] = entry.ban_until;
                j["ban_duration"] = entry.ban_until - entry.create_time;
                j["time_remaining"] = entry.ban_until - now;
                out.push_back(std::move(j));
            }
            return out;
        }};
}

RPCMethod ClearBannedMethod()
{
    return RPCMethod{
        "network", "clearbanned",
        "Lifts every manual ban.",
        {},
        "null    (json null)",
        HelpExampleCli("clearbanned", "") + HelpExampleRpc("clearbanned", ""),
        [](const RPCRequest& request) -> Json {
            EnsureBanMan(request).ClearBanned();
            return nullptr;
        }};
}

RPCMethod GetNodeAddressesMethod()
{
    return RPCMethod{
        "network", "getnodeaddresses",
        "Hands out addresses stored in the address manager, e.g. as candidates for new peer connections.",
        {{"count", RPCArg::Type::NUM, true, "default=1", "How many addresses at most; 0 for all of them"},
         {"network", RPCArg::Type::STR, true, "default=all networks",
          "Only addresses of this network (ipv4, ipv6, onion, i2p, cjdns)"}},
        "[                         (json array)\n"
        "  {                       (json object)\n"
        "    \"time\" : xxx,          (numeric) UNIX time the address was last seen\n"
        "    \"services\" : n,        (numeric) service bits of the node\n"
        "    \"address\" : \"str\",     (string) the address\n"
        "    \"port\" : n,            (numeric) the port\n"
        "    \"network\" : \"str\"      (string) ipv4, ipv6, onion, i2p, cjdns\n"
        "  },\n"
        "  ...\n"
        "]",
        HelpExampleCli("getnodeaddresses", "8") + HelpExampleCli("getnodeaddresses", "4 \"i2p\"") +
            HelpExampleRpc("getnodeaddresses", "8"),
        [](const RPCRequest& request) -> Json {
            net::AddrMan& addrman = EnsureAddrMan(request);
            const int64_t count = ParamInt(request, 0, 1);
            if (count < 0) throw RPCError(RPC_INVALID_PARAMETER, "Address count out of range");
            std::optional<net::Network> network;
            if (!request.Param(1).is_null()) {
                const std::string name = ParamString(request, 1, "");
                network = net::ParseNetwork(name);
                if (!network) throw RPCError(RPC_INVALID_PARAMETER, "Network not recognized: " + name);
            }
            Json out = Json::array();
            for (const auto& a : addrman.GetAddr(static_cast<size_t>(count), /*max_pct=*/0, network)) {
                Json j = Json::object();
                j["time"] = static_cast<int64_t>(a.time);
                j["services"] = a.services;
                j["address"] = a.ToStringAddr();
                j["port"] = a.GetPort();
                j["network"] = net::NetworkName(a.GetNetClass());
                out.push_back(std::move(j));
            }
            return out;
        }};
}

RPCMethod AddPeerAddressMethod()
{
    return RPCMethod{
        "hidden", "addpeeraddress",
        "Adds an address to the address manager, as if a peer had announced itself (testing only).",
        {{"address", RPCArg::Type::STR, false, "", "IP to insert into the address manager"},
         {"port", RPCArg::Type::NUM, false, "", "Port belonging to that address"},
         {"tried", RPCArg::Type::BOOL, true, "default=false", "Move the address to the tried table too"}},
        "{                       (json object)\n"
        "  \"success\" : true|false, (boolean) whether the address was added (and moved to tried)\n"
        "  \"error\" : \"str\"         (string, optional) failed-adding-to-new or failed-adding-to-tried\n"
        "}",
        HelpExampleCli("addpeeraddress", "\"1.2.3.4\" 8333 true") +
            HelpExampleRpc("addpeeraddress", "\"1.2.3.4\", 8333, true"),
        [](const RPCRequest& request) -> Json {
            net::AddrMan& addrman = EnsureAddrMan(request);
            const std::string text = ParamString(request, 0, "");
            const int64_t port = ParamInt(request, 1, 0);
            const bool tried = ParamBool(request, 2, false);
            auto found = net::LookupHost(text, /*allow_lookup=*/false);
            if (found.empty()) throw RPCError(RPC_CLIENT_INVALID_IP_OR_SUBNET, "Invalid IP address");
            if (port < 0 || port > 65535) throw RPCError(RPC_INVALID_PARAMETER, "Invalid port");
            net::Address address(net::Service(found[0], static_cast<uint16_t>(port)),
                                 net::NODE_NETWORK | net::NODE_WITNESS, static_cast<uint32_t>(GetTime()));
            Json out = Json::object();
            bool success = false;
            // Source = the address itself: a self-announcement.
            if (addrman.Add({address}, address)) {
                success = true;
                if (tried && !addrman.Good(address)) {
                    success = false;
                    out["error"] = "failed-adding-to-tried";
                }
            } else {
                out["error"] = "failed-adding-to-new";
            }
            out["success"] = success;
            return out;
        }};
}

RPCMethod GetRawAddrManMethod()
{
    return RPCMethod{
        "hidden", "getrawaddrman",
        "Returns every entry of the address manager's new and tried tables by bucket and position (testing only).",
        {},
        "{                                  (json object)\n"
        "  \"new\" : {                       (json object) the new table\n"
        "    \"bucket/position\" : {         (json object) one entry\n"
        "      \"address\" : \"str\",          (string) the address\n"
        "      \"mapped_as\" : n,            (numeric, optional) its AS number (with -asmap)\n"
        "      \"port\" : n,                 (numeric) its port\n"
        "      \"network\" : \"str\",          (string) its network\n"
        "      \"services\" : n,             (numeric) its service bits\n"
        "      \"time\" : xxx,               (numeric) UNIX time it was last seen\n"
        "      \"source\" : \"str\",           (string) who told us about it\n"
        "      \"source_network\" : \"str\",   (string) the source's network\n"
        "      \"source_mapped_as\" : n      (numeric, optional) the source's AS number (with -asmap)\n"
        "    }, ...\n"
        "  },\n"
        "  \"tried\" : { ... }               (json object) the tried table, same fields\n"
        "}",
        HelpExampleCli("getrawaddrman", "") + HelpExampleRpc("getrawaddrman", ""),
        [](const RPCRequest& request) -> Json {
            net::AddrMan& addrman = EnsureAddrMan(request);
            const auto& asmap = addrman.GetAsmap();
            Json out = Json::object();
            for (bool tried : {false, true}) {
                Json table = Json::object();
                for (const auto& [info, pos] : addrman.GetEntries(tried)) {
                    Json j = Json::object();
                    j["address"] = info.ToStringAddr();
                    if (!asmap.empty()) j["mapped_as"] = info.GetMappedAS(asmap);
                    j["port"] = info.GetPort();
                    j["network"] = net::NetworkName(info.GetNetClass());
                    j["services"] = info.services;
                    j["time"] = static_cast<int64_t>(info.time);
                    j["source"] = info.source.ToStringAddr();
                    j["source_network"] = net::NetworkName(info.source.GetNetClass());
                    if (!asmap.empty()) j["source_mapped_as"] = info.source.GetMappedAS(asmap);
                    table[std::to_string(pos.bucket) + "/" + std::to_string(pos.position)] = std::move(j);
                }
                out[tried ? "tried" : "new"] = std::move(table);
            }
            return out;
        }};
}

} // namespace

void RegisterNetAddrRPCCommands(RPCTable& table)
{
    table.Register(SetBanMethod());
    table.Register(ListBannedMethod());
    table.Register(ClearBannedMethod());
    table.Register(GetNodeAddressesMethod());
    table.Register(AddPeerAddressMethod());
    table.Register(GetRawAddrManMethod());
}
