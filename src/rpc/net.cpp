// The network methods: getpeerinfo getnetworkinfo getconnectioncount
// getnettotals addnode disconnectnode getaddednodeinfo ping setnetworkactive.
// Result fields, argument names and error codes are Bitcoin Core v30's.
// (setban listbanned clearbanned getnodeaddresses addpeeraddress: rpc/net_addr.cpp.)

#include <rpc/server.h>
#include <rpc/util.h>

#include <net/addrman.h>
#include <net/connection.h>
#include <net/connman.h>
#include <net/netaddress.h>
#include <net/peerman.h>
#include <node/context.h>
#include <node/init.h>
#include <util/args.h>
#include <util/time.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace {

// Core's error codes for the P2P client errors (kept local: rpc/server.h
// lists the codes the other files use).
constexpr int ERR_P2P_DISABLED = -9;            // RPC_CLIENT_P2P_DISABLED
constexpr int ERR_NODE_ALREADY_ADDED = -23;     // RPC_CLIENT_NODE_ALREADY_ADDED
constexpr int ERR_NODE_NOT_ADDED = -24;         // RPC_CLIENT_NODE_NOT_ADDED
constexpr int ERR_NODE_NOT_CONNECTED = -29;     // RPC_CLIENT_NODE_NOT_CONNECTED

net::ConnectionManager& EnsureConnman(const RPCRequest& request)
{
    if (!request.node || !request.node->connman) {
        throw RPCError(ERR_P2P_DISABLED, "Error: Peer-to-peer functionality missing or disabled");
    }
    return *request.node->connman;
}

net::PeerManager& EnsurePeerman(const RPCRequest& request)
{
    if (!request.node || !request.node->peerman) {
        throw RPCError(ERR_P2P_DISABLED, "Error: Peer-to-peer functionality missing or disabled");
    }
    return *request.node->peerman;
}

const ArgsManager& Args(const RPCRequest& request)
{
    return request.node && request.node->args ? *request.node->args : g_args;
}

// "v1.2.3" -> 10203 (Core's CLIENT_VERSION numbering: major*10000 + minor*100 + patch).
int ClientVersionNumber()
{
    int parts[3] = {0, 0, 0};
    const std::string text = node::CLIENT_VERSION;
    size_t pos = text.find_first_of("0123456789");
    for (int k = 0; k < 3 && pos != std::string::npos && pos < text.size(); ++k) {
        int value = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') value = value * 10 + (text[pos++] - '0');
        parts[k] = value;
        if (pos < text.size() && text[pos] == '.') ++pos; else break;
    }
    return parts[0] * 10000 + parts[1] * 100 + parts[2];
}

std::string ServicesHex(uint64_t services)
{
    return fmt::format("{:016x}", services);
}

Json ServicesNames(uint64_t services)
{
    Json names = Json::array();
    for (const std::string& name : net::ServiceFlagsToStr(services)) names.push_back(name);
    return names;
}

Json PermissionNames(uint32_t flags)
{
    Json names = Json::array();
    for (const std::string& name : net::PermissionFlagsToStrings(flags)) names.push_back(name);
    return names;
}

double Seconds(std::chrono::microseconds us)
{
    return static_cast<double>(us.count()) / 1e6;
}

int64_t UnixSeconds(std::chrono::microseconds us)
{
    return std::chrono::duration_cast<std::chrono::seconds>(us).count();
}

Json PeerInfo(net::Connection& conn, net::PeerManager* peerman, const std::vector<bool>* asmap)
{
    net::NodeStateStats stats;
    const bool have_stats = peerman && peerman->GetNodeStateStats(conn.id, stats);

    Json obj = Json::object();
    obj["id"] = conn.id;
    obj["addr"] = conn.addr_name;
    if (conn.addr_bind.IsValid()) obj["addrbind"] = conn.addr_bind.ToStringAddrPort();
    if (have_stats && !stats.addr_local.empty()) obj["addrlocal"] = stats.addr_local;  // omitted when unknown, as Core
    obj["network"] = net::NetworkName(conn.addr.GetNetwork());
    if (asmap && !asmap->empty()) {
        if (const uint32_t as = conn.addr.GetMappedAS(*asmap); as != 0) obj["mapped_as"] = as;
    }
    const uint64_t services = conn.services.load();
    obj["services"] = ServicesHex(services);
    obj["servicesnames"] = ServicesNames(services);
    obj["relaytxes"] = conn.relay_txs.load();
    obj["lastsend"] = conn.last_send.load();
    obj["lastrecv"] = conn.last_recv.load();
    obj["last_transaction"] = UnixSeconds(conn.last_tx_time.load());
    obj["last_block"] = UnixSeconds(conn.last_block_time.load());
    obj["bytessent"] = conn.bytes_sent.load();
    obj["bytesrecv"] = conn.bytes_recv.load();
    obj["conntime"] = conn.connected_time;
    obj["timeoffset"] = have_stats ? stats.time_offset : 0;
    if (have_stats && stats.last_ping_time.count() >= 0) obj["pingtime"] = Seconds(stats.last_ping_time);
    auto min_ping = conn.min_ping_time.load();
    if (have_stats && stats.min_ping_time.count() >= 0 && stats.min_ping_time < min_ping) min_ping = stats.min_ping_time;
    if (min_ping != std::chrono::microseconds::max()) obj["minping"] = Seconds(min_ping);
    if (have_stats && stats.ping_wait.count() >= 0) obj["pingwait"] = Seconds(stats.ping_wait);
    obj["version"] = have_stats && stats.version ? stats.version : conn.version.load();
    obj["subver"] = have_stats ? stats.user_agent : std::string{};
    obj["inbound"] = conn.IsInbound();
    obj["bip152_hb_to"] = have_stats && stats.bip152_hb_to;
    obj["bip152_hb_from"] = have_stats && stats.bip152_hb_from;
    if (have_stats) {
        obj["startingheight"] = stats.starting_height;
        obj["presynced_headers"] = stats.presync_height;
        obj["synced_headers"] = stats.sync_height;
        obj["synced_blocks"] = stats.common_height;
        Json inflight = Json::array();
        for (int height : stats.heights_in_flight) inflight.push_back(height);
        obj["inflight"] = std::move(inflight);
        obj["addr_relay_enabled"] = stats.addr_relay_enabled;
        obj["addr_processed"] = stats.addr_processed;
        obj["addr_rate_limited"] = stats.addr_rate_limited;
    }
    obj["permissions"] = PermissionNames(conn.permissions);
    obj["minfeefilter"] = ValueFromAmount(have_stats ? stats.fee_filter_received : 0);
    Json sent = Json::object(), recv = Json::object();
    {
        std::lock_guard lock(conn.stats_mutex);
        for (const auto& [type, bytes] : conn.bytes_sent_per_msg) {
            if (bytes) sent[type] = bytes;
        }
        for (const auto& [type, bytes] : conn.bytes_recv_per_msg) {
            if (bytes) recv[type] = bytes;
        }
    }
    obj["bytessent_per_msg"] = std::move(sent);
    obj["bytesrecv_per_msg"] = std::move(recv);
    obj["connection_type"] = net::ConnectionTypeName(conn.conn_type);
    obj["transport_protocol_type"] = "v1";
    obj["session_id"] = "";
    return obj;
}

RPCMethod GetPeerInfoMethod()
{
    return RPCMethod{
        "network", "getpeerinfo",
        "One object per connected peer, with its address, services, traffic, ping and sync state.",
        {},
        "[                                  (json array)\n"
        "  {                                (json object)\n"
        "    \"id\" : n,                      (numeric) Peer index\n"
        "    \"addr\" : \"str\",                (string) (host:port) The peer's address\n"
        "    \"addrbind\" : \"str\",            (string, optional) (ip:port) Our side of the connection\n"
        "    \"addrlocal\" : \"str\",           (string, optional) (ip:port) Our address as the peer reported it\n"
        "    \"network\" : \"str\",             (string) ipv4, ipv6, onion, i2p, cjdns, not_publicly_routable\n"
        "    \"mapped_as\" : n,               (numeric, optional) AS number of the peer (with -asmap)\n"
        "    \"services\" : \"hex\",            (string) Service bits the peer offers\n"
        "    \"servicesnames\" : [ \"str\", ... ], (json array) Their names\n"
        "    \"relaytxes\" : true|false,      (boolean) Whether we relay transactions to the peer\n"
        "    \"lastsend\" : xxx,              (numeric) UNIX time of the last send\n"
        "    \"lastrecv\" : xxx,              (numeric) UNIX time of the last receive\n"
        "    \"last_transaction\" : xxx,      (numeric) UNIX time of the last new transaction from the peer\n"
        "    \"last_block\" : xxx,            (numeric) UNIX time of the last new block from the peer\n"
        "    \"bytessent\" : n,               (numeric) Bytes sent\n"
        "    \"bytesrecv\" : n,               (numeric) Bytes received\n"
        "    \"conntime\" : xxx,              (numeric) UNIX time of the connection\n"
        "    \"timeoffset\" : n,              (numeric) The peer's clock minus ours, seconds\n"
        "    \"pingtime\" : n,                (numeric, optional) Last ping round trip, seconds\n"
        "    \"minping\" : n,                 (numeric, optional) Smallest ping round trip, seconds\n"
        "    \"pingwait\" : n,                (numeric, optional) Age of an unanswered ping, seconds\n"
        "    \"version\" : n,                 (numeric) Protocol version the peer announced\n"
        "    \"subver\" : \"str\",              (string) Its user agent\n"
        "    \"inbound\" : true|false,        (boolean) Whether the peer connected to us\n"
        "    \"bip152_hb_to\" : true|false,   (boolean) We asked the peer for high-bandwidth compact blocks\n"
        "    \"bip152_hb_from\" : true|false, (boolean) The peer asked us for high-bandwidth compact blocks\n"
        "    \"startingheight\" : n,          (numeric) Height the peer announced in its version\n"
        "    \"presynced_headers\" : n,       (numeric) Height of the peer's headers in pre-sync (-1: none)\n"
        "    \"synced_headers\" : n,          (numeric) Last header we have in common with the peer\n"
        "    \"synced_blocks\" : n,           (numeric) Last block we have in common with the peer\n"
        "    \"inflight\" : [ n, ... ],       (json array) Heights of the blocks we are downloading from it\n"
        "    \"addr_relay_enabled\" : true|false, (boolean) Whether we exchange addresses with the peer\n"
        "    \"addr_processed\" : n,          (numeric) Addresses from the peer we processed\n"
        "    \"addr_rate_limited\" : n,       (numeric) Addresses from the peer we dropped for the rate limit\n"
        "    \"permissions\" : [ \"str\", ... ], (json array) Its -whitelist / -whitebind permissions\n"
        "    \"minfeefilter\" : n,            (numeric) The peer's feefilter, BTC/kvB\n"
        "    \"bytessent_per_msg\" : { \"msg\" : n, ... }, (json object) Bytes sent by message type\n"
        "    \"bytesrecv_per_msg\" : { \"msg\" : n, ... }, (json object) Bytes received by message type\n"
        "    \"connection_type\" : \"str\",     (string) inbound, outbound-full-relay, manual, feeler, block-relay-only, addr-fetch\n"
        "    \"transport_protocol_type\" : \"str\", (string) detecting, v1 or v2\n"
        "    \"session_id\" : \"str\"           (string) BIP324 session id (empty for v1)\n"
        "  },\n"
        "  ...\n"
        "]",
        HelpExampleCli("getpeerinfo", "") + HelpExampleRpc("getpeerinfo", ""),
        [](const RPCRequest& request) -> Json {
            net::ConnectionManager& connman = EnsureConnman(request);
            net::PeerManager* peerman = request.node->peerman;
            const std::vector<bool>* asmap = request.node->addrman ? &request.node->addrman->GetAsmap() : nullptr;
            std::vector<Json> peers;
            connman.ForEachConnection([&](net::Connection& conn) {
                peers.push_back(PeerInfo(conn, peerman, asmap));
            });
            std::sort(peers.begin(), peers.end(), [](const Json& a, const Json& b) {
                return a["id"].get<int64_t>() < b["id"].get<int64_t>();
            });
            Json result = Json::array();
            for (Json& peer : peers) result.push_back(std::move(peer));
            return result;
        }};
}

RPCMethod GetConnectionCountMethod()
{
    return RPCMethod{
        "network", "getconnectioncount",
        "Counts this node's open peer connections, inbound plus outbound.",
        {},
        "n    (numeric) number of open peer connections",
        HelpExampleCli("getconnectioncount", "") + HelpExampleRpc("getconnectioncount", ""),
        [](const RPCRequest& request) -> Json {
            return EnsureConnman(request).GetNodeCount(net::ConnectionDirection::Both);
        }};
}

RPCMethod GetNetTotalsMethod()
{
    return RPCMethod{
        "network", "getnettotals",
        "Bytes sent and received over all connections since start, and the upload target (-maxuploadtarget).",
        {},
        "{                                  (json object)\n"
        "  \"totalbytesrecv\" : n,            (numeric) Bytes received\n"
        "  \"totalbytessent\" : n,            (numeric) Bytes sent\n"
        "  \"timemillis\" : xxx,              (numeric) Current UNIX time in milliseconds\n"
        "  \"uploadtarget\" : {               (json object)\n"
        "    \"timeframe\" : n,               (numeric) Length of the measuring window in seconds\n"
        "    \"target\" : n,                  (numeric) Target in bytes\n"
        "    \"target_reached\" : true|false, (boolean) Whether the target is reached\n"
        "    \"serve_historical_blocks\" : true|false, (boolean) Whether old blocks are still served\n"
        "    \"bytes_left_in_cycle\" : n,     (numeric) Bytes left in the current window\n"
        "    \"time_left_in_cycle\" : n       (numeric) Seconds left in the current window\n"
        "  }\n"
        "}",
        HelpExampleCli("getnettotals", "") + HelpExampleRpc("getnettotals", ""),
        [](const RPCRequest& request) -> Json {
            net::ConnectionManager& connman = EnsureConnman(request);
            Json result = Json::object();
            result["totalbytesrecv"] = connman.GetTotalBytesRecv();
            result["totalbytessent"] = connman.GetTotalBytesSent();
            result["timemillis"] = GetTimeMicros() / 1000;
            Json target = Json::object();
            target["timeframe"] = 86400;
            target["target"] = 0;
            target["target_reached"] = false;
            target["serve_historical_blocks"] = true;
            target["bytes_left_in_cycle"] = 0;
            target["time_left_in_cycle"] = 0;
            result["uploadtarget"] = std::move(target);
            return result;
        }};
}

// The clock offset getnetworkinfo reports: the median of the outbound peers'
// offsets (their version time minus ours), 0 with fewer than 5 such peers,
// as Core (which keeps the last 199 samples rather than the current peers).
int64_t MedianOutboundTimeOffset(net::ConnectionManager& connman, net::PeerManager* peerman)
{
    if (!peerman) return 0;
    std::vector<int64_t> offsets;
    connman.ForEachConnection([&](net::Connection& conn) {
        net::NodeStateStats stats;
        if (conn.IsOutbound() && peerman->GetNodeStateStats(conn.id, stats) && stats.handshake_done) {
            offsets.push_back(stats.time_offset);
        }
    });
    if (offsets.size() < 5) return 0;
    std::sort(offsets.begin(), offsets.end());
    return offsets[offsets.size() / 2];
}

Json NetworksInfo()
{
    Json networks = Json::array();
    for (const char* name : {"ipv4", "ipv6", "onion", "i2p", "cjdns"}) {
        const bool reachable = std::string(name) == "ipv4" || std::string(name) == "ipv6";
        Json entry = Json::object();
        entry["name"] = name;
        entry["limited"] = !reachable;
        entry["reachable"] = reachable;
        entry["proxy"] = "";
        entry["proxy_randomize_credentials"] = false;
        networks.push_back(std::move(entry));
    }
    return networks;
}

Json FeeArg(const ArgsManager& args, const std::string& name, const std::string& fallback)
{
    try {
        return ValueFromAmount(AmountFromValue(Json(args.GetArg(name, fallback))));
    } catch (const std::exception&) {
        return ValueFromAmount(AmountFromValue(Json(fallback)));
    }
}

RPCMethod GetNetworkInfoMethod()
{
    return RPCMethod{
        "network", "getnetworkinfo",
        "The node's P2P state: version, services, connections, networks, relay fees and local addresses.",
        {},
        "{                                  (json object)\n"
        "  \"version\" : n,                   (numeric) The node's version number\n"
        "  \"subversion\" : \"str\",            (string) Its user agent\n"
        "  \"protocolversion\" : n,           (numeric) P2P protocol version\n"
        "  \"localservices\" : \"hex\",         (string) Service bits we offer\n"
        "  \"localservicesnames\" : [ \"str\", ... ], (json array) Their names\n"
        "  \"localrelay\" : true|false,       (boolean) Whether we ask peers to relay transactions\n"
        "  \"timeoffset\" : n,                (numeric) Median clock offset of the outbound peers, seconds\n"
        "  \"connections\" : n,               (numeric) Connections in total\n"
        "  \"connections_in\" : n,            (numeric) Inbound connections\n"
        "  \"connections_out\" : n,           (numeric) Outbound connections\n"
        "  \"networkactive\" : true|false,    (boolean) Whether P2P networking is on (setnetworkactive)\n"
        "  \"networks\" : [                   (json array) One entry per network\n"
        "    {                              (json object)\n"
        "      \"name\" : \"str\",              (string) ipv4, ipv6, onion, i2p, cjdns\n"
        "      \"limited\" : true|false,      (boolean) Whether it is left out (-onlynet)\n"
        "      \"reachable\" : true|false,    (boolean) Whether we connect through it\n"
        "      \"proxy\" : \"str\",             (string) Its proxy (host:port), or empty\n"
        "      \"proxy_randomize_credentials\" : true|false (boolean) true if each connection gets fresh random proxy credentials\n"
        "    },\n"
        "    ...\n"
        "  ],\n"
        "  \"relayfee\" : n,                  (numeric) Minimum relay fee rate, BTC/kvB\n"
        "  \"incrementalfee\" : n,            (numeric) Minimum fee rate increment for replacement and trimming, BTC/kvB\n"
        "  \"localaddresses\" : [             (json array) Addresses we advertise\n"
        "    {                              (json object)\n"
        "      \"address\" : \"str\",           (string) The address\n"
        "      \"port\" : n,                  (numeric) Its port\n"
        "      \"score\" : n                  (numeric) Its score\n"
        "    },\n"
        "    ...\n"
        "  ],\n"
        "  \"warnings\" : [ \"str\", ... ]      (json array) Network and blockchain warnings\n"
        "}",
        HelpExampleCli("getnetworkinfo", "") + HelpExampleRpc("getnetworkinfo", ""),
        [](const RPCRequest& request) -> Json {
            const ArgsManager& args = Args(request);
            net::ConnectionManager* connman = request.node ? request.node->connman : nullptr;
            Json result = Json::object();
            result["version"] = ClientVersionNumber();
            result["subversion"] = request.node && request.node->peerman ? request.node->peerman->UserAgent()
                                                                           : net::FormatUserAgent(args.GetArgs("-uacomment"));
            result["protocolversion"] = net::PROTOCOL_VERSION;
            const uint64_t services = connman ? connman->GetLocalServices() : 0;
            result["localservices"] = ServicesHex(services);
            result["localservicesnames"] = ServicesNames(services);
            result["localrelay"] = !args.GetBoolArg("-blocksonly", false);
            result["timeoffset"] = connman ? MedianOutboundTimeOffset(*connman, request.node->peerman) : 0;
            if (connman) {
                result["connections"] = connman->GetNodeCount(net::ConnectionDirection::Both);
                result["connections_in"] = connman->GetNodeCount(net::ConnectionDirection::In);
                result["connections_out"] = connman->GetNodeCount(net::ConnectionDirection::Out);
                result["networkactive"] = connman->GetNetworkActive();
            }
            result["networks"] = NetworksInfo();
            result["relayfee"] = FeeArg(args, "-minrelaytxfee", "0.000001");
            result["incrementalfee"] = FeeArg(args, "-incrementalrelayfee", "0.000001");
            Json local = Json::array();
            if (connman) {
                for (const net::Service& address : connman->GetLocalAddresses()) {
                    Json entry = Json::object();
                    entry["address"] = address.ToStringAddr();
                    entry["port"] = address.GetPort();
                    entry["score"] = 1;  // a bound interface address (Core's LOCAL_IF)
                    local.push_back(std::move(entry));
                }
            }
            result["localaddresses"] = std::move(local);
            result["warnings"] = Json::array();
            return result;
        }};
}

[[noreturn]] void ThrowUsage(const std::string& method)
{
    throw RPCError(RPC_MISC_ERROR, GetRPCTable().Help(method));
}

RPCMethod AddNodeMethod()
{
    return RPCMethod{
        "network", "addnode",
        "Adds a node to the list of peers to keep connected to (\"add\"), removes it (\"remove\"), or connects to it once (\"onetry\").\n"
        "Such connections do not count against the outbound limits.",
        {
            {"node", RPCArg::Type::STR, false, "required", "Peer address, in the form getpeerinfo shows it"},
            {"command", RPCArg::Type::STR, false, "required", "One of 'add' (remember the peer), 'remove' (forget it) or 'onetry' (make a single connection attempt)"},
            {"v2transport", RPCArg::Type::BOOL, true, "default=set by -v2transport", "Try the BIP324 v2 encrypted transport first (has no effect with 'remove')"},
        },
        "null    (json null)",
        HelpExampleCli("addnode", "\"192.168.0.6:8333\" \"onetry\" true") + HelpExampleRpc("addnode", "\"192.168.0.6:8333\", \"onetry\" true"),
        [](const RPCRequest& request) -> Json {
            const std::string command = request.Param(1).is_string() ? request.Param(1).get<std::string>() : "";
            if (command != "onetry" && command != "add" && command != "remove") ThrowUsage("addnode");
            net::ConnectionManager& connman = EnsureConnman(request);
            const std::string node_arg = request.Param(0).get<std::string>();
            const bool v2 = ParamBool(request, 2, false);
            if (v2 && command != "remove") {
                throw RPCError(RPC_INVALID_PARAMETER, "Error: v2transport requested but not enabled (see -v2transport)");
            }
            if (command == "onetry") {
                connman.OpenNetworkConnection(node_arg, net::ConnectionType::MANUAL);
                return nullptr;
            }
            if (command == "add") {
                if (!connman.AddNode(node_arg)) throw RPCError(ERR_NODE_ALREADY_ADDED, "Error: Node already added");
            } else {
                if (!connman.RemoveAddedNode(node_arg)) {
                    throw RPCError(ERR_NODE_NOT_ADDED, "Error: Node could not be removed. It has not been added previously.");
                }
            }
            return nullptr;
        }};
}

RPCMethod DisconnectNodeMethod()
{
    return RPCMethod{
        "network", "disconnectnode",
        "Disconnects a peer, given by its address or by its id (getpeerinfo), not both.",
        {
            {"address", RPCArg::Type::STR, true, "default=fallback to nodeid", "IP:port of the peer to drop"},
            {"nodeid", RPCArg::Type::NUM, true, "default=fallback to address", "Numeric peer id, as listed by getpeerinfo"},
        },
        "null    (json null)",
        HelpExampleCli("disconnectnode", "\"192.168.0.6:8333\"") + HelpExampleCli("disconnectnode", "\"\" 1") +
            HelpExampleRpc("disconnectnode", "\"192.168.0.6:8333\"") + HelpExampleRpc("disconnectnode", "\"\", 1"),
        [](const RPCRequest& request) -> Json {
            net::ConnectionManager& connman = EnsureConnman(request);
            const Json& address = request.Param(0);
            const Json& id = request.Param(1);
            bool success = false;
            if (!address.is_null() && id.is_null()) {
                success = connman.DisconnectNode(address.get<std::string>());
            } else if (!id.is_null() && (address.is_null() || (address.is_string() && address.get<std::string>().empty()))) {
                success = connman.DisconnectNode(ParamInt(request, 1, -1));
            } else {
                throw RPCError(RPC_INVALID_PARAMS, "Only one of address and nodeid should be provided.");
            }
            if (!success) throw RPCError(ERR_NODE_NOT_CONNECTED, "Node not found in connected nodes");
            return nullptr;
        }};
}

RPCMethod GetAddedNodeInfoMethod()
{
    return RPCMethod{
        "network", "getaddednodeinfo",
        "The nodes added with addnode or -addnode (not the onetry ones), and whether we are connected to them.",
        {{"node", RPCArg::Type::STR, true, "default=all nodes", "Restrict the output to this one added node; omit to list them all."}},
        "[                                  (json array)\n"
        "  {                                (json object)\n"
        "    \"addednode\" : \"str\",           (string) The node as it was added\n"
        "    \"connected\" : true|false,      (boolean) Whether we are connected to it\n"
        "    \"addresses\" : [                (json array) Only when connected\n"
        "      {                            (json object)\n"
        "        \"address\" : \"str\",         (string) The address we are connected to\n"
        "        \"connected\" : \"str\"        (string) inbound or outbound\n"
        "      },\n"
        "      ...\n"
        "    ]\n"
        "  },\n"
        "  ...\n"
        "]",
        HelpExampleCli("getaddednodeinfo", "\"192.168.0.201\"") + HelpExampleRpc("getaddednodeinfo", "\"192.168.0.201\""),
        [](const RPCRequest& request) -> Json {
            net::ConnectionManager& connman = EnsureConnman(request);
            auto infos = connman.GetAddedNodeInfo();
            if (request.Param(0).is_string()) {
                const std::string wanted = request.Param(0).get<std::string>();
                std::erase_if(infos, [&](const auto& info) { return info.added_node != wanted; });
                if (infos.empty()) throw RPCError(ERR_NODE_NOT_ADDED, "Error: Node has not been added.");
            }
            Json result = Json::array();
            for (const auto& info : infos) {
                Json entry = Json::object();
                entry["addednode"] = info.added_node;
                entry["connected"] = info.connected;
                Json addresses = Json::array();
                if (info.connected && info.resolved) {
                    Json address = Json::object();
                    address["address"] = info.resolved->ToStringAddrPort();
                    address["connected"] = info.inbound ? "inbound" : "outbound";
                    addresses.push_back(std::move(address));
                }
                entry["addresses"] = std::move(addresses);
                result.push_back(std::move(entry));
            }
            return result;
        }};
}

RPCMethod PingMethod()
{
    return RPCMethod{
        "network", "ping",
        "Queues a ping to every peer; the round trip shows up in getpeerinfo's pingtime and pingwait.\n"
        "Pings are answered after the messages queued before them.",
        {},
        "null    (json null)",
        HelpExampleCli("ping", "") + HelpExampleRpc("ping", ""),
        [](const RPCRequest& request) -> Json {
            EnsurePeerman(request).SendPings();
            return nullptr;
        }};
}

RPCMethod SetNetworkActiveMethod()
{
    return RPCMethod{
        "network", "setnetworkactive",
        "Turns all P2P network activity off (disconnecting every peer) or back on.",
        {{"state", RPCArg::Type::BOOL, false, "required", "true turns P2P networking on, false turns it off"}},
        "true|false    (boolean) echoes the requested state",
        HelpExampleCli("setnetworkactive", "false") + HelpExampleRpc("setnetworkactive", "false"),
        [](const RPCRequest& request) -> Json {
            net::ConnectionManager& connman = EnsureConnman(request);
            connman.SetNetworkActive(ParamBool(request, 0, true));
            return connman.GetNetworkActive();
        }};
}

} // namespace

void RegisterNetRPCCommands(RPCTable& table)
{
    table.Register(GetConnectionCountMethod());
    table.Register(PingMethod());
    table.Register(GetPeerInfoMethod());
    table.Register(AddNodeMethod());
    table.Register(DisconnectNodeMethod());
    table.Register(GetAddedNodeInfoMethod());
    table.Register(GetNetTotalsMethod());
    table.Register(GetNetworkInfoMethod());
    table.Register(SetNetworkActiveMethod());
}
