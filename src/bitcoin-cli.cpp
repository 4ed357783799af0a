// bitcoin-cli: sends one JSON-RPC call (or the -getinfo batch) to a running
// node over HTTP and prints the answer the way Bitcoin Core's client does.

#include <util/args.h>
#include <util/json.h>
#include <util/strencodings.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <termios.h>
#include <unistd.h>

namespace {

constexpr const char* CLIENT_NAME = "bitcoin-observed";
constexpr const char* CLIENT_VERSION = "v0.1.0";
constexpr const char* DEFAULT_RPCCONNECT = "127.0.0.1";
constexpr int DEFAULT_HTTP_CLIENT_TIMEOUT = 900;
constexpr int RPC_IN_WARMUP = -28;
constexpr int RPC_WALLET_NOT_SPECIFIED = -19;

// A transient failure: -rpcwait retries on these.
struct ConnectionFailed : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// No cookie and no password: transient under -rpcwait (a starting node
// writes its cookie a moment later), a plain error otherwise.
struct MissingCredentials : ConnectionFailed {
    using ConnectionFailed::ConnectionFailed;
};

// Parameters sent as JSON values rather than strings, by method and
// position / name (Core's client conversion table, for the methods this
// node has and the common ones that will follow).
struct Conversion {
    const char* method;
    int index;
    const char* name;
};
constexpr Conversion CONVERSIONS[] = {
    {"logging", 0, "include"},
    {"logging", 1, "exclude"},
    {"stop", 0, "wait"},
    {"getblockhash", 0, "height"},
    {"getblock", 1, "verbosity"},
    {"getblock", 1, "verbose"},
    {"getblockheader", 1, "verbose"},
    {"gettxout", 1, "n"},
    {"gettxout", 2, "include_mempool"},
    {"gettxoutsetinfo", 1, "hash_or_height"},
    {"gettxoutsetinfo", 2, "use_index"},
    {"verifychain", 0, "checklevel"},
    {"verifychain", 1, "nblocks"},
    {"pruneblockchain", 0, "height"},
    {"getblockstats", 0, "hash_or_height"},
    {"getblockstats", 1, "stats"},
    {"waitfornewblock", 0, "timeout"},
    {"waitforblock", 1, "timeout"},
    {"waitforblockheight", 0, "height"},
    {"waitforblockheight", 1, "timeout"},
    {"generatetoaddress", 0, "nblocks"},
    {"generatetoaddress", 2, "maxtries"},
    {"generatetodescriptor", 0, "num_blocks"},
    {"generatetodescriptor", 2, "maxtries"},
    {"generateblock", 1, "transactions"},
    {"generateblock", 2, "submit"},
    {"getblocktemplate", 0, "template_request"},
    {"getnetworkhashps", 0, "nblocks"},
    {"getnetworkhashps", 1, "height"},
    {"getchaintxstats", 0, "nblocks"},
    {"deriveaddresses", 1, "range"},
    {"setmocktime", 0, "timestamp"},
    {"getrawtransaction", 1, "verbosity"},
    {"getrawtransaction", 1, "verbose"},
    {"decoderawtransaction", 1, "iswitness"},
    {"createrawtransaction", 0, "inputs"},
    {"createrawtransaction", 1, "outputs"},
    {"createrawtransaction", 2, "locktime"},
    {"createrawtransaction", 3, "replaceable"},
    {"createrawtransaction", 4, "version"},
    {"combinerawtransaction", 0, "txs"},
    {"sendrawtransaction", 1, "maxfeerate"},
    {"sendrawtransaction", 2, "maxburnamount"},
    {"testmempoolaccept", 0, "rawtxs"},
    {"testmempoolaccept", 1, "maxfeerate"},
    {"getrawmempool", 0, "verbose"},
    {"getrawmempool", 1, "mempool_sequence"},
    {"getmempoolancestors", 1, "verbose"},
    {"getmempooldescendants", 1, "verbose"},
    {"gettxspendingprevout", 0, "outputs"},
    {"importmempool", 1, "options"},
    {"prioritisetransaction", 1, "dummy"},
    {"prioritisetransaction", 2, "fee_delta"},
    {"estimatesmartfee", 0, "conf_target"},
    {"estimaterawfee", 0, "conf_target"},
    {"estimaterawfee", 1, "threshold"},
    {"scantxoutset", 1, "scanobjects"},
    {"setnetworkactive", 0, "state"},
    {"addnode", 2, "v2transport"},
    {"disconnectnode", 1, "nodeid"},
    {"getnodeaddresses", 0, "count"},
    {"setban", 2, "bantime"},
    {"setban", 3, "absolute"},
    {"addpeeraddress", 1, "port"},
    {"addpeeraddress", 2, "tried"},
    {"submitpackage", 0, "package"},
    {"submitpackage", 1, "maxfeerate"},
    {"submitpackage", 2, "maxburnamount"},
    {"createmultisig", 0, "nrequired"},
    {"createmultisig", 1, "keys"},
    {"signrawtransactionwithkey", 1, "privkeys"},
    {"signrawtransactionwithkey", 2, "prevtxs"},
    {"sendtoaddress", 1, "amount"},
    {"sendtoaddress", 4, "subtractfeefromamount"},
    {"sendtoaddress", 5, "replaceable"},
    {"sendtoaddress", 6, "conf_target"},
    {"sendtoaddress", 8, "avoid_reuse"},
    {"sendtoaddress", 9, "fee_rate"},
    {"sendtoaddress", 10, "verbose"},
    {"getbalance", 1, "minconf"},
    {"getbalance", 2, "include_watchonly"},
    {"getbalance", 3, "avoid_reuse"},
    {"listunspent", 0, "minconf"},
    {"listunspent", 1, "maxconf"},
    {"listunspent", 2, "addresses"},
    {"listunspent", 3, "include_unsafe"},
    {"listunspent", 4, "query_options"},
    {"createwallet", 1, "disable_private_keys"},
    {"createwallet", 2, "blank"},
    {"createwallet", 4, "avoid_reuse"},
    {"createwallet", 5, "descriptors"},
    {"createwallet", 6, "load_on_startup"},
    {"createwallet", 7, "external_signer"},
    {"loadwallet", 1, "load_on_startup"},
    {"unloadwallet", 1, "load_on_startup"},
    {"importdescriptors", 0, "requests"},
    {"listtransactions", 1, "count"},
    {"listtransactions", 2, "skip"},
    {"listtransactions", 3, "include_watchonly"},
    {"gettransaction", 1, "include_watchonly"},
    {"gettransaction", 2, "verbose"},
    {"sendmany", 1, "amounts"},
    {"sendmany", 2, "minconf"},
    {"sendmany", 4, "subtractfeefrom"},
    {"sendmany", 5, "replaceable"},
    {"sendmany", 6, "conf_target"},
    {"sendmany", 8, "fee_rate"},
    {"sendmany", 9, "verbose"},
};

bool IsConversion(const std::string& method, int index)
{
    return std::any_of(std::begin(CONVERSIONS), std::end(CONVERSIONS), [&](const Conversion& c) {
        return method == c.method && index == c.index;
    });
}

bool IsConversion(const std::string& method, const std::string& name)
{
    return std::any_of(std::begin(CONVERSIONS), std::end(CONVERSIONS), [&](const Conversion& c) {
        return method == c.method && name == c.name;
    });
}

Json ParseJsonArgument(const std::string& text)
{
    const auto value = ParseJson(text);
    if (!value) throw std::runtime_error("Error parsing JSON: " + text);
    return *value;
}

Json ConvertValue(const std::string& text, bool convert)
{
    return convert ? ParseJsonArgument(text) : Json(text);
}

Json ConvertPositional(const std::string& method, const std::vector<std::string>& args)
{
    Json params = Json::array();
    for (size_t i = 0; i < args.size(); ++i) {
        params.push_back(ConvertValue(args[i], IsConversion(method, static_cast<int>(i))));
    }
    return params;
}

// name=value pairs; words without '=' go, in order, into "args".
Json ConvertNamed(const std::string& method, const std::vector<std::string>& args)
{
    Json params = Json::object();
    Json positional = Json::array();
    for (const std::string& arg : args) {
        const size_t eq = arg.find('=');
        if (eq == std::string::npos) {
            positional.push_back(ConvertValue(arg, IsConversion(method, static_cast<int>(positional.size()))));
            continue;
        }
        const std::string name = arg.substr(0, eq);
        params[name] = ConvertValue(arg.substr(eq + 1), IsConversion(method, name));
    }
    if (!positional.empty() && !params.contains("args")) params["args"] = std::move(positional);
    return params;
}

std::string UrlEncode(const std::string& text)
{
    char* encoded = evhttp_uriencode(text.c_str(), static_cast<ev_ssize_t>(text.size()), false);
    std::string out = encoded ? encoded : "";
    free(encoded);
    return out;
}

std::filesystem::path CookiePath(const ArgsManager& args)
{
    std::filesystem::path file = args.GetArg("-rpccookiefile", ".cookie");
    if (file.empty() || file == "1") file = ".cookie";
    return file.is_absolute() ? file : args.GetDataDirNet() / file;
}

std::optional<std::string> ReadCookie(const ArgsManager& args)
{
    if (args.IsArgNegated("-rpccookiefile")) return std::nullopt;
    std::ifstream file(CookiePath(args));
    if (!file) return std::nullopt;
    std::string line;
    std::getline(file, line);
    if (line.empty()) return std::nullopt;
    return line;
}

uint16_t DefaultPort(const std::string& chain)
{
    if (chain == "test") return 18332;
    if (chain == "testnet4") return 48332;
    if (chain == "signet") return 38332;
    if (chain == "regtest") return 18443;
    return 8332;
}

std::optional<uint16_t> ParsePort(const std::string& text)
{
    if (text.empty() || text.size() > 5 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    const int port = std::stoi(text);
    if (port <= 0 || port > 65535) return std::nullopt;
    return static_cast<uint16_t>(port);
}

// "host", "host:port", "[v6]:port" -> host and port (0 when none); false when the port is invalid.
bool SplitHostPort(const std::string& text, std::string& host, uint16_t& port)
{
    port = 0;
    host = text;
    std::string port_text;
    bool has_port = false;
    if (!text.empty() && text.front() == '[') {
        const size_t close = text.find(']');
        if (close == std::string::npos) return false;
        host = text.substr(1, close - 1);
        if (close + 1 < text.size()) {
            if (text[close + 1] != ':') return false;
            port_text = text.substr(close + 2);
            has_port = true;
        }
    } else if (std::count(text.begin(), text.end(), ':') == 1) {
        const size_t colon = text.find(':');
        host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
        has_port = true;
    }
    if (has_port) {
        const auto parsed = ParsePort(port_text);
        if (!parsed) return false;
        port = *parsed;
    }
    return true;
}

struct HttpReply {
    int status = 0;
    int error = -1;
    std::string body;
};

const char* HttpErrorString(int code)
{
    switch (code) {
    case EVREQ_HTTP_TIMEOUT: return "timeout reached";
    case EVREQ_HTTP_EOF: return "EOF reached";
    case EVREQ_HTTP_INVALID_HEADER: return "error while reading header, or invalid header";
    case EVREQ_HTTP_BUFFER_ERROR: return "error encountered while reading or writing";
    case EVREQ_HTTP_REQUEST_CANCEL: return "request was canceled";
    case EVREQ_HTTP_DATA_TOO_LONG: return "response body is larger than allowed";
    default: return "unknown";
    }
}

void OnReplyDone(evhttp_request* req, void* ctx)
{
    auto* reply = static_cast<HttpReply*>(ctx);
    if (!req) {
        reply->status = 0;
        return;
    }
    reply->status = evhttp_request_get_response_code(req);
    evbuffer* buf = evhttp_request_get_input_buffer(req);
    if (buf) {
        const size_t size = evbuffer_get_length(buf);
        reply->body.resize(size);
        if (size) evbuffer_remove(buf, reply->body.data(), size);
    }
}

void OnReplyError(evhttp_request_error error, void* ctx)
{
    static_cast<HttpReply*>(ctx)->error = error;
}

struct Connection {
    std::string host;
    uint16_t port;
    int timeout;
    std::string user_colon_pass;
    bool no_cookie;  // no password and no cookie file found
    std::string endpoint = "/";
};

Json CallRpc(const Connection& conn, const Json& request)
{
    event_base* base = event_base_new();
    if (!base) throw std::runtime_error("cannot create event_base");
    evhttp_connection* evcon = evhttp_connection_base_new(base, nullptr, conn.host.c_str(), conn.port);
    if (!evcon) {
        event_base_free(base);
        throw std::runtime_error("create connection failed");
    }
    evhttp_connection_set_timeout(evcon, conn.timeout > 0 ? conn.timeout : 5 * 31556952);

    HttpReply reply;
    evhttp_request* req = evhttp_request_new(OnReplyDone, &reply);
    evhttp_request_set_error_cb(req, OnReplyError);
    evkeyvalq* headers = evhttp_request_get_output_headers(req);
    evhttp_add_header(headers, "Host", conn.host.c_str());
    evhttp_add_header(headers, "Connection", "close");
    evhttp_add_header(headers, "Content-Type", "application/json");
    evhttp_add_header(headers, "Authorization", ("Basic " + EncodeBase64(conn.user_colon_pass)).c_str());
    const std::string body = WriteJson(request) + "\n";
    evbuffer_add(evhttp_request_get_output_buffer(req), body.data(), body.size());

    const int rc = evhttp_make_request(evcon, req, EVHTTP_REQ_POST, conn.endpoint.c_str());
    if (rc == 0) event_base_dispatch(base);
    evhttp_connection_free(evcon);
    event_base_free(base);
    if (rc != 0) throw ConnectionFailed("send http request failed");

    if (reply.status == 0) {
        std::string detail;
        if (reply.error != -1) {
            detail = " (error code " + std::to_string(reply.error) + " - \"" + HttpErrorString(reply.error) + "\")";
        }
        throw ConnectionFailed("Could not connect to the server " + conn.host + ":" + std::to_string(conn.port) + detail +
                               "\n\nMake sure the bitcoind server is running and that you are connecting to the correct RPC port.\n"
                               "Use \"bitcoin-cli -help\" for more info.");
    }
    if (reply.status == 401) {
        if (conn.no_cookie) {
            throw MissingCredentials("Could not locate RPC credentials. No authentication cookie could be found, and RPC password is not set.  See -rpcpassword and -stdinrpcpass.  Configuration file: (" +
                                     g_args.GetConfigFilePath().string() + ")");
        }
        throw std::runtime_error("Authorization failed: Incorrect rpcuser or rpcpassword");
    }
    if (reply.status == 503) throw std::runtime_error("Server response: " + reply.body);
    if (reply.status >= 400 && reply.status != 400 && reply.status != 404 && reply.status != 500) {
        throw std::runtime_error("server returned HTTP error " + std::to_string(reply.status));
    }
    if (reply.body.empty()) throw std::runtime_error("no response from server");
    const auto parsed = ParseJson(reply.body);
    if (!parsed) throw std::runtime_error("couldn't parse reply from server");
    return *parsed;
}

Json RequestObject(const std::string& method, const Json& params, int id)
{
    Json request = Json::object();
    request["jsonrpc"] = "2.0";
    request["method"] = method;
    request["params"] = params;
    request["id"] = id;
    return request;
}

bool IsWarmupError(const Json& reply)
{
    if (!reply.is_object()) return false;
    const auto it = reply.find("error");
    return it != reply.end() && it->is_object() && it->contains("code") && (*it)["code"] == RPC_IN_WARMUP;
}

// Sends, retrying while -rpcwait allows it on connection failures and warm-up.
Json CallWithWait(Connection conn, const Json& request, bool wait, int wait_timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_timeout);
    while (true) {
        // Credentials are read on every attempt: with -rpcwait the node may
        // write its cookie only after we started.
        conn.no_cookie = false;
        if (g_args.GetArg("-rpcpassword", "").empty()) {
            const auto cookie = ReadCookie(g_args);
            conn.no_cookie = !cookie;
            conn.user_colon_pass = cookie.value_or(":");
        } else {
            conn.user_colon_pass = g_args.GetArg("-rpcuser", "") + ":" + g_args.GetArg("-rpcpassword", "");
        }
        try {
            Json reply = CallRpc(conn, request);
            if (wait) {
                bool warming = IsWarmupError(reply);
                if (reply.is_array()) {
                    for (const Json& r : reply) warming |= IsWarmupError(r);
                }
                if (warming) throw ConnectionFailed("server in warmup");
            }
            return reply;
        } catch (const ConnectionFailed& e) {
            // Without -rpcwait, missing credentials are a plain error.
            if (!wait && dynamic_cast<const MissingCredentials*>(&e)) throw std::runtime_error(e.what());
            if (wait && (wait_timeout <= 0 || std::chrono::steady_clock::now() < deadline)) {
                std::this_thread::sleep_for(std::chrono::seconds(1));
                continue;
            }
            throw ConnectionFailed(std::string("timeout on transient error: ") + e.what());
        }
    }
}

std::string NumberText(const Json& value)
{
    if (auto text = JsonNumberText(value)) return *text;
    if (value.is_string()) return value.get<std::string>();
    if (value.is_null()) return "";
    return WriteJson(value);
}

double NumberValue(const Json& value)
{
    const auto text = JsonNumberText(value);
    return text ? std::strtod(text->c_str(), nullptr) : 0.0;
}

struct Colors {
    std::string reset, green, blue, yellow;
};

// -getinfo: getnetworkinfo, getblockchaininfo, getwalletinfo and getbalances
// in one batch, shown as Core's client shows them. The node's chain data is
// required; network and wallet sections appear when the node has them.
std::string GetInfoText(const Json& batch, const Colors& c, int& exit_code)
{
    std::map<int, Json> by_id;
    if (batch.is_array()) {
        for (const Json& reply : batch) {
            if (reply.is_object() && reply.contains("id") && reply["id"].is_number_integer()) by_id[reply["id"].get<int>()] = reply;
        }
    }
    auto result_of = [&](int id) -> Json {
        auto it = by_id.find(id);
        if (it == by_id.end() || (it->second.contains("error") && !it->second["error"].is_null())) return Json();
        return it->second.value("result", Json());
    };
    const Json chain_reply = by_id.count(1) ? by_id[1] : Json();
    if (chain_reply.is_object() && chain_reply.contains("error") && !chain_reply["error"].is_null()) {
        const Json& err = chain_reply["error"];
        exit_code = err.contains("code") && err["code"].is_number_integer() ? std::abs(err["code"].get<int>()) : 1;
        throw std::runtime_error("error code: " + NumberText(err.value("code", Json())) + "\nerror message:\n" + err.value("message", std::string()));
    }
    const Json net = result_of(0);
    const Json chain = result_of(1);
    const Json wallet = result_of(2);
    const Json balances = result_of(3);

    std::string out;
    out += c.blue + "Chain: " + chain.value("chain", std::string()) + c.reset + "\n";
    out += "Blocks: " + NumberText(chain.value("blocks", Json())) + "\n";
    out += "Headers: " + NumberText(chain.value("headers", Json())) + "\n";
    const double progress = NumberValue(chain.value("verificationprogress", Json()));
    std::string bar;
    if (progress < 0.99) {
        const int filled = static_cast<int>(progress * 25);
        bar = std::string(filled, '#') + std::string(25 - filled, ' ') + " ";
    }
    char pct[64];
    std::snprintf(pct, sizeof(pct), "%.4f%%", progress * 100);
    out += "Verification progress: " + bar + pct + "\n";
    out += "Difficulty: " + NumberText(chain.value("difficulty", Json())) + "\n\n";

    if (net.is_object()) {
        out += c.green + "Network: in " + NumberText(net.value("connections_in", Json())) + ", out " +
               NumberText(net.value("connections_out", Json())) + ", total " + NumberText(net.value("connections", Json())) + c.reset + "\n";
        out += "Version: " + NumberText(net.value("version", Json())) + "\n";
        out += "Time offset (s): " + NumberText(net.value("timeoffset", Json())) + "\n";
        std::vector<std::string> proxies;
        if (net.contains("networks") && net["networks"].is_array()) {
            std::set<std::string> seen;
            for (const Json& n : net["networks"]) {
                const std::string proxy = n.value("proxy", std::string());
                if (!proxy.empty() && seen.insert(proxy).second) proxies.push_back(proxy + " (" + n.value("name", std::string()) + ")");
            }
        }
        std::string proxy_text;
        for (const std::string& p : proxies) proxy_text += (proxy_text.empty() ? "" : ", ") + p;
        out += "Proxies: " + (proxy_text.empty() ? std::string("n/a") : proxy_text) + "\n";
        out += "Min tx relay fee rate (BTC/kvB): " + NumberText(net.value("relayfee", Json())) + "\n\n";
    }
    if (wallet.is_object()) {
        out += c.yellow + "Wallet: " + wallet.value("walletname", std::string()) + c.reset + "\n";
        if (wallet.contains("keypoolsize")) out += "Keypool size: " + NumberText(wallet["keypoolsize"]) + "\n";
        if (wallet.contains("paytxfee")) out += "Transaction fee rate (-paytxfee) (BTC/kvB): " + NumberText(wallet["paytxfee"]) + "\n";
        if (balances.is_object() && balances.contains("mine")) {
            out += "\nBalance: " + NumberText(balances["mine"].value("trusted", Json())) + "\n";
        }
        out += "\n";
    }
    Json warnings = net.is_object() && net.contains("warnings") ? net["warnings"] : chain.value("warnings", Json());
    std::string warning_text;
    if (warnings.is_string()) {
        warning_text = warnings.get<std::string>();
    } else if (warnings.is_array()) {
        for (const Json& w : warnings) warning_text += (warning_text.empty() ? "" : "\n") + (w.is_string() ? w.get<std::string>() : WriteJson(w));
    }
    out += c.yellow + "Warnings:" + c.reset + " " + (warning_text.empty() ? std::string("(none)") : warning_text);
    return out;
}

void SetStdinEcho(bool enable)
{
    termios tty;
    if (tcgetattr(STDIN_FILENO, &tty) != 0) return;
    if (enable) tty.c_lflag |= ECHO; else tty.c_lflag &= ~ECHO;
    tcsetattr(STDIN_FILENO, TCSANOW, &tty);
}

void RegisterCliOptions(ArgsManager& args)
{
    using C = OptionsCategory;
    args.AddArg("-help", "Show this help and exit (also -h or -?)", ALLOW_ANY, C::OPTIONS);
    args.AddArg("-version", "Show the version and exit", ALLOW_ANY, C::OPTIONS);
    args.AddArg("-conf=<file>", "Configuration file, relative to the data directory unless absolute (default: bitcoin.conf)", ALLOW_ANY, C::OPTIONS);
    args.AddArg("-datadir=<dir>", "The node's data directory (the cookie is looked for in its network subdirectory)", ALLOW_ANY, C::OPTIONS);
    args.AddArg("-color=<when>", "Colors in the -getinfo output: always, never, or auto (only when standard output is a terminal) (default: auto)", ALLOW_ANY, C::OPTIONS);
    args.AddArg("-named", "Arguments are name=value pairs; words without '=' are passed in order as \"args\" (default: false)", ALLOW_ANY, C::OPTIONS);
    args.AddArg("-rpcclienttimeout=<n>", "Give up on a call after <n> seconds; 0 waits (almost) forever (default: 900)", ALLOW_ANY, C::OPTIONS);
    args.AddArg("-rpcconnect=<ip>", "Address of the node, optionally with :port (default: 127.0.0.1)", ALLOW_ANY, C::OPTIONS);
    args.AddArg("-rpccookiefile=<loc>", "Cookie file to read the credentials from; relative paths are inside the network's data directory (default: data dir)", ALLOW_ANY, C::OPTIONS);
    args.AddArg("-rpcpassword=<pw>", "Password to log in with (instead of the cookie)", ALLOW_ANY | SENSITIVE, C::OPTIONS);
    args.AddArg("-rpcport=<port>", "Port of the node's JSON-RPC server (default: 8332, testnet3: 18332, testnet4: 48332, signet: 38332, regtest: 18443)", ALLOW_ANY | NETWORK_ONLY, C::OPTIONS);
    args.AddArg("-rpcuser=<user>", "User name to log in with", ALLOW_ANY | SENSITIVE, C::OPTIONS);
    args.AddArg("-rpcwait", "If the node is not up (or still loading), retry every second until it answers", ALLOW_ANY, C::OPTIONS);
    args.AddArg("-rpcwaittimeout=<n>", "Stop waiting for -rpcwait after <n> seconds; 0 waits forever (default: 0)", ALLOW_ANY | DISALLOW_NEGATION, C::OPTIONS);
    args.AddArg("-rpcwallet=<walletname>", "Address the call to this wallet (endpoint /wallet/<walletname>)", ALLOW_ANY, C::OPTIONS);
    args.AddArg("-stdin", "Take more arguments from standard input, one a line, until end of file (keeps secrets off the command line); after the -stdinrpcpass line", ALLOW_ANY, C::OPTIONS);
    args.AddArg("-stdinrpcpass", "Take the RPC password from the first line of standard input", ALLOW_ANY, C::OPTIONS);
    args.AddArg("-getinfo", "Show a summary of the node (chain, network, wallet) gathered with several calls, which need not see the same moment", ALLOW_ANY, C::COMMANDS);
    args.AddArg("-chain=<chain>", "Network whose port and cookie to use: main, test, testnet4, signet or regtest (default: main)", ALLOW_ANY, C::CHAINPARAMS);
    args.AddArg("-regtest", "Same as -chain=regtest", ALLOW_ANY | DEBUG_ONLY, C::CHAINPARAMS);
    args.AddArg("-signet", "Same as -chain=signet", ALLOW_ANY, C::CHAINPARAMS);
    args.AddArg("-testnet", "Same as -chain=test (testnet3)", ALLOW_ANY, C::CHAINPARAMS);
    args.AddArg("-testnet4", "Same as -chain=testnet4", ALLOW_ANY, C::CHAINPARAMS);
}

std::string HelpText(const ArgsManager& args)
{
    return std::string(CLIENT_NAME) + " RPC client version " + CLIENT_VERSION + "\n\n"
           "bitcoin-cli sends commands to a running bitcoind over JSON-RPC and prints the answers.\n"
           "Run \"bitcoin-cli help\" for the node's list of commands, \"bitcoin-cli help <command>\" for one of them.\n"
           "With -named, arguments are given as name=value; other words become positional arguments.\n\n"
           "Usage:  bitcoin-cli [options] <command> [params]     Run a command on the node\n"
           "or:     bitcoin-cli [options] -named <command> [name=value]...\n"
           "or:     bitcoin-cli [options] help                   The node's command list\n"
           "or:     bitcoin-cli [options] help <command>         How to use one command\n\n" +
           args.GetHelpMessage();
}

int CommandLineRpc(const std::vector<std::string>& words_in)
{
    std::string print;
    int exit_code = 0;
    try {
        std::vector<std::string> words = words_in;
        if (g_args.GetBoolArg("-stdinrpcpass", false)) {
            const bool tty = isatty(STDIN_FILENO);
            if (tty) SetStdinEcho(false);
            std::string password;
            const bool ok = static_cast<bool>(std::getline(std::cin, password));
            if (tty) {
                SetStdinEcho(true);
                std::fputc('\n', stdout);
            }
            if (!ok) throw std::runtime_error("-stdinrpcpass specified but failed to read from standard input");
            g_args.ForceSetArg("-rpcpassword", password);
        }
        if (g_args.GetBoolArg("-stdin", false)) {
            std::string line;
            while (std::getline(std::cin, line)) words.push_back(line);
            if (isatty(STDIN_FILENO)) std::fputc('\n', stdout);
        }

        Connection conn;
        const std::string chain = g_args.GetChainTypeString();
        uint16_t port = DefaultPort(chain);
        const std::string connect = g_args.GetArg("-rpcconnect", DEFAULT_RPCCONNECT);
        uint16_t connect_port = 0;
        if (!SplitHostPort(connect, conn.host, connect_port)) {
            throw std::runtime_error("Invalid port provided in -rpcconnect: " + connect);
        }
        if (connect_port != 0) port = connect_port;
        if (const auto rpcport = g_args.GetArg("-rpcport")) {
            const auto parsed = ParsePort(*rpcport);
            if (!parsed) throw std::runtime_error("Invalid port provided in -rpcport: " + *rpcport);
            port = *parsed;
            if (connect_port != 0) std::cerr << "Warning: Port specified in both -rpcconnect and -rpcport. Using -rpcport " << port << "\n";
        }
        conn.port = port;
        conn.timeout = static_cast<int>(g_args.GetIntArg("-rpcclienttimeout", DEFAULT_HTTP_CLIENT_TIMEOUT));
        if (const auto wallet = g_args.GetArg("-rpcwallet")) conn.endpoint = "/wallet/" + UrlEncode(*wallet);

        const bool wait = g_args.GetBoolArg("-rpcwait", false);
        const int64_t wait_timeout = g_args.GetIntArg("-rpcwaittimeout", 0);
        if (wait_timeout < 0) throw std::runtime_error("Argument -rpcwaittimeout " + std::to_string(wait_timeout) + " cannot be negative");

        if (g_args.IsArgSet("-getinfo")) {
            if (!words.empty()) throw std::runtime_error("-getinfo takes no arguments");
            Json batch = Json::array();
            batch.push_back(RequestObject("getnetworkinfo", Json::array(), 0));
            batch.push_back(RequestObject("getblockchaininfo", Json::array(), 1));
            batch.push_back(RequestObject("getwalletinfo", Json::array(), 2));
            batch.push_back(RequestObject("getbalances", Json::array(), 3));
            const Json reply = CallWithWait(conn, batch, wait, static_cast<int>(wait_timeout));
            const std::string when = g_args.GetArg("-color", "auto");
            if (when != "always" && when != "auto" && when != "never") {
                throw std::runtime_error("Invalid value for -color option. Valid values: always, auto, never.");
            }
            Colors colors;
            if (when == "always" || (when == "auto" && isatty(STDOUT_FILENO))) {
                colors = {"\x1B[0m", "\x1B[32m", "\x1B[34m", "\x1B[33m"};
            }
            print = GetInfoText(reply, colors, exit_code);
        } else {
            if (words.empty()) throw std::runtime_error("too few parameters (need at least command)");
            const std::string method = words.front();
            const std::vector<std::string> rest(words.begin() + 1, words.end());
            const Json params = g_args.GetBoolArg("-named", false) ? ConvertNamed(method, rest) : ConvertPositional(method, rest);
            const Json reply = CallWithWait(conn, RequestObject(method, params, 1), wait, static_cast<int>(wait_timeout));
            if (!reply.is_object() || (!reply.contains("result") && !reply.contains("error"))) {
                throw std::runtime_error("expected reply to have result, error and id properties");
            }
            const Json error = reply.value("error", Json());
            if (!error.is_null()) {
                if (error.is_object()) {
                    if (error.contains("code")) print = "error code: " + NumberText(error["code"]) + "\n";
                    if (error.contains("message") && error["message"].is_string()) {
                        print += "error message:\n" + error["message"].get<std::string>();
                    }
                    if (error.contains("code") && error["code"] == RPC_WALLET_NOT_SPECIFIED) {
                        print += " Or for the CLI, specify the \"-rpcwallet=<walletname>\" option before the command";
                        print += " (run \"bitcoin-cli -h\" for help or \"bitcoin-cli listwallets\" to see which wallets are currently loaded).";
                    }
                    exit_code = error.contains("code") && error["code"].is_number_integer() ? std::abs(error["code"].get<int>()) : 1;
                } else {
                    print = "error: " + WriteJson(error);
                    exit_code = 1;
                }
            } else {
                const Json result = reply.value("result", Json());
                if (result.is_null()) {
                    print.clear();
                } else if (result.is_string()) {
                    print = result.get<std::string>();
                } else {
                    print = WriteJson(result, 2);
                }
            }
        }
    } catch (const std::exception& e) {
        const std::string what = e.what();
        // -getinfo passes an RPC error through as already formatted.
        print = what.rfind("error code: ", 0) == 0 ? what : "error: " + what;
        if (exit_code == 0) exit_code = EXIT_FAILURE;
    }
    if (!print.empty()) (exit_code == 0 ? std::cout : std::cerr) << print << "\n";
    return exit_code;
}

} // namespace

int main(int argc, char* argv[])
{
    RegisterCliOptions(g_args);
    std::string error;
    if (!g_args.ParseParameters(argc, argv, error)) {
        std::cerr << "Error parsing command line arguments: " << error << "\n";
        return EXIT_FAILURE;
    }
    if (g_args.HelpRequested() || g_args.IsArgSet("-version")) {
        if (g_args.IsArgSet("-version")) {
            std::cout << CLIENT_NAME << " RPC client version " << CLIENT_VERSION << "\n";
        } else {
            std::cout << HelpText(g_args);
        }
        return EXIT_SUCCESS;
    }
    if (const auto datadir = g_args.GetArg("-datadir"); datadir && !datadir->empty()) {
        std::error_code ec;
        if (!std::filesystem::is_directory(*datadir, ec)) {
            std::cerr << "Error: Specified data directory \"" << *datadir << "\" does not exist.\n";
            return EXIT_FAILURE;
        }
    }
    try {
        if (!g_args.ReadConfigFiles(error, /*ignore_invalid_keys=*/true)) {
            std::cerr << "Error reading configuration file: " << error << "\n";
            return EXIT_FAILURE;
        }
        g_args.SelectConfigNetwork(g_args.GetChainTypeString());
    } catch (const std::exception& e) {
        std::cerr << "Error: " << e.what() << "\n";
        return EXIT_FAILURE;
    }
    return CommandLineRpc(g_args.GetPositionalArgs());
}
