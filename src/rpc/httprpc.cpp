#include <rpc/httprpc.h>

#include <node/context.h>
#include <rpc/auth.h>
#include <rpc/httpserver.h>
#include <rpc/server.h>
#include <util/args.h>
#include <util/logging.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <thread>

namespace {

constexpr const char* WWW_AUTH_HEADER = "Basic realm=\"jsonrpc\"";

node::NodeContext* g_node = nullptr;
RpcAuth g_auth;
std::optional<std::filesystem::path> g_cookie_path;  // set when we wrote one
std::map<std::string, std::set<std::string>> g_whitelist;
bool g_whitelist_default = false;

// A request object, parsed as Core parses it.
struct ParsedRequest {
    std::optional<Json> id = Json();  // absent "id" -> nullopt (after parsing)
    bool v2 = false;
    std::string method;
    Json params = Json::array();

    bool IsNotification() const { return !id.has_value() && v2; }
};

void ParseRequest(const Json& value, ParsedRequest& out)
{
    if (!value.is_object()) throw RPCError(RPC_INVALID_REQUEST, "Invalid Request object");
    if (value.contains("id")) {
        out.id = value["id"];
    } else {
        out.id.reset();
    }
    out.v2 = false;
    if (value.contains("jsonrpc") && !value["jsonrpc"].is_null()) {
        const Json& version = value["jsonrpc"];
        if (!version.is_string()) throw RPCError(RPC_INVALID_REQUEST, "jsonrpc field must be a string");
        if (version == "2.0") {
            out.v2 = true;
        } else if (version != "1.0") {
            throw RPCError(RPC_INVALID_REQUEST, "JSON-RPC version not supported");
        }
    }
    if (!value.contains("method") || value["method"].is_null()) throw RPCError(RPC_INVALID_REQUEST, "Missing method");
    if (!value["method"].is_string()) throw RPCError(RPC_INVALID_REQUEST, "Method must be a string");
    out.method = value["method"].get<std::string>();
    const Json params = value.contains("params") ? value["params"] : Json();
    if (params.is_array() || params.is_object()) {
        out.params = params;
    } else if (params.is_null()) {
        out.params = Json::array();
    } else {
        throw RPCError(RPC_INVALID_REQUEST, "Params must be an array or object");
    }
}

struct CallContext {
    const RPCTable& table;
    const std::string& uri;
    const std::string& user;
    node::NodeContext* node;
};

Json Execute(const ParsedRequest& parsed, const CallContext& ctx)
{
    LogDebug(LogCategory::RPC, "ThreadRPCServer method={} user={}", parsed.method, ctx.user);
    RPCRequest request;
    request.id = parsed.id.value_or(Json());
    request.method = parsed.method;
    request.params = parsed.params;
    request.uri = ctx.uri;
    request.auth_user = ctx.user;
    request.node = ctx.node;
    return ctx.table.Execute(std::move(request));
}

// One request of a call: errors become the reply's error when catch_errors.
Json ExecuteOne(const ParsedRequest& parsed, const CallContext& ctx, bool catch_errors)
{
    const Json* id = parsed.id ? &*parsed.id : nullptr;
    if (!catch_errors) return JsonRpcReply(Execute(parsed, ctx), Json(), id, parsed.v2);
    try {
        return JsonRpcReply(Execute(parsed, ctx), Json(), id, parsed.v2);
    } catch (const RPCError& e) {
        return JsonRpcReply(Json(), JsonRpcError(e.code, e.what()), id, parsed.v2);
    } catch (const std::exception& e) {
        return JsonRpcReply(Json(), JsonRpcError(RPC_MISC_ERROR, e.what()), id, parsed.v2);
    }
}

bool MethodAllowed(const std::string& user, const std::string& method)
{
    const auto it = g_whitelist.find(user);
    if (it == g_whitelist.end()) return !g_whitelist_default;
    return it->second.count(method) > 0;
}

JsonRpcHttpReply ErrorReply(const RPCError& error, const ParsedRequest& parsed)
{
    int status = HTTP_INTERNAL_SERVER_ERROR;
    if (error.code == RPC_INVALID_REQUEST) status = HTTP_BAD_REQUEST;
    if (error.code == RPC_METHOD_NOT_FOUND) status = HTTP_NOT_FOUND;
    const Json* id = parsed.id ? &*parsed.id : nullptr;
    return {status, WriteJson(JsonRpcReply(Json(), JsonRpcError(error.code, error.what()), id, parsed.v2)) + "\n"};
}

void HandleJsonRpc(HttpRequest& req, const std::string&)
{
    if (req.GetMethod() != HttpRequest::Method::POST) {
        req.WriteReply(HTTP_BAD_METHOD, "JSONRPC server handles only POST requests");
        return;
    }
    const auto auth_header = req.GetHeader("authorization");
    if (!auth_header) {
        req.WriteHeader("WWW-Authenticate", WWW_AUTH_HEADER);
        req.WriteReply(HTTP_UNAUTHORIZED);
        return;
    }
    std::string user;
    if (!g_auth.CheckAuthorizationHeader(*auth_header, user)) {
        LogWarning("ThreadRPCServer incorrect password attempt from {}", req.GetPeer());
        // Makes guessing slow; an RPC port open to attackers is a
        // misconfiguration anyway.
        std::this_thread::sleep_for(std::chrono::milliseconds{250});
        req.WriteHeader("WWW-Authenticate", WWW_AUTH_HEADER);
        req.WriteReply(HTTP_UNAUTHORIZED);
        return;
    }
    const JsonRpcHttpReply reply = ProcessJsonRpc(GetRPCTable(), req.ReadBody(), req.GetUri(), user, g_node);
    if (!reply.body.empty()) req.WriteHeader("Content-Type", "application/json");
    req.WriteReply(reply.status, reply.body);
}

bool InitAuthentication(const ArgsManager& args, const std::filesystem::path& datadir, std::string& error)
{
    g_auth.Clear();
    g_cookie_path.reset();
    std::string user;
    std::string password;
    if (args.GetArg("-rpcpassword", "").empty()) {
        if (args.IsArgNegated("-rpccookiefile")) {
            LogInfo("RPC authentication cookie file generation is disabled.");
        } else {
            const auto path = GetAuthCookieFile(args, datadir);
            const auto cookie = GenerateAuthCookie(path, args.GetArg("-rpccookieperms", ""), error);
            if (!cookie) return false;
            g_cookie_path = path;
            user = COOKIEAUTH_USER;
            password = *cookie;
            LogInfo("Using random cookie authentication.");
            LogDebug(LogCategory::RPC, "Generated RPC authentication cookie {}", path.string());
        }
    } else {
        LogInfo("Using rpcuser/rpcpassword authentication.");
        LogWarning("-rpcpassword keeps the password in plain text; the cookie or a hashed -rpcauth login is safer.");
        user = args.GetArg("-rpcuser", "");
        password = args.GetArg("-rpcpassword", "");
    }
    if (!user.empty() || !password.empty()) {
        if (user.find(':') != std::string::npos) {
            error = "Unable to start HTTP server: -rpcuser '" + user + "' contains a colon";
            return false;
        }
        g_auth.AddUserPassword(user, password);
    }
    const auto rpcauths = args.GetArgs("-rpcauth");
    if (!rpcauths.empty()) LogInfo("Using rpcauth authentication.");
    for (const std::string& value : rpcauths) {
        const auto entry = RpcAuth::ParseRpcAuth(value);
        if (!entry) {
            error = "Invalid -rpcauth argument.";
            return false;
        }
        g_auth.AddEntry(*entry);
    }

    g_whitelist.clear();
    g_whitelist_default = args.GetBoolArg("-rpcwhitelistdefault", args.IsArgSet("-rpcwhitelist"));
    for (const std::string& entry : args.GetArgs("-rpcwhitelist")) {
        const size_t colon = entry.find(':');
        const std::string wl_user = entry.substr(0, colon);
        const bool intersect = g_whitelist.count(wl_user) > 0;
        std::set<std::string>& current = g_whitelist[wl_user];
        if (colon == std::string::npos) continue;
        std::set<std::string> methods;
        std::string item;
        for (char c : entry.substr(colon + 1) + ",") {
            if (c == ',' || c == ' ') {
                if (!item.empty()) methods.insert(item);
                item.clear();
            } else {
                item += c;
            }
        }
        if (intersect) {
            std::set<std::string> both;
            std::set_intersection(methods.begin(), methods.end(), current.begin(), current.end(), std::inserter(both, both.end()));
            methods = std::move(both);
        }
        current = std::move(methods);
    }
    return true;
}

} // namespace

Json JsonRpcError(int code, const std::string& message)
{
    Json error = Json::object();
    error["code"] = code;
    error["message"] = message;
    return error;
}

Json JsonRpcReply(const Json& result, const Json& error, const Json* id, bool v2)
{
    Json reply = Json::object();
    if (v2) reply["jsonrpc"] = "2.0";
    if (!v2) {
        reply["result"] = result;
        reply["error"] = error;
    } else if (!error.is_null()) {
        reply["error"] = error;
    } else {
        reply["result"] = result;
    }
    if (id) reply["id"] = *id;
    return reply;
}

JsonRpcHttpReply ProcessJsonRpc(const RPCTable& table, const std::string& body_text, const std::string& uri,
                                const std::string& user, node::NodeContext* node)
{
    const CallContext ctx{table, uri, user, node};
    ParsedRequest parsed;
    try {
        const auto body = ParseJson(body_text);
        if (!body) throw RPCError(RPC_PARSE_ERROR, "Parse error");

        if (!g_whitelist.count(user) && g_whitelist_default) {
            LogWarning("RPC User {} not allowed to call any methods", user);
            return {HTTP_FORBIDDEN, ""};
        }
        Json reply;
        if (body->is_object()) {
            ParseRequest(*body, parsed);
            if (!MethodAllowed(user, parsed.method)) {
                LogWarning("RPC User {} not allowed to call method {}", user, parsed.method);
                return {HTTP_FORBIDDEN, ""};
            }
            // 1.0: errors are HTTP errors too; 2.0: HTTP 200 with the error inside.
            reply = ExecuteOne(parsed, ctx, /*catch_errors=*/parsed.v2);
            if (parsed.IsNotification()) return {HTTP_NO_CONTENT, ""};
        } else if (body->is_array()) {
            for (const Json& element : *body) {
                if (!element.is_object() || !element.contains("method") || !element["method"].is_string()) continue;
                const std::string method = element["method"].get<std::string>();
                if (!MethodAllowed(user, method)) {
                    LogWarning("RPC User {} not allowed to call method {}", user, method);
                    return {HTTP_FORBIDDEN, ""};
                }
            }
            reply = Json::array();
            for (const Json& element : *body) {
                ParsedRequest one;
                Json response;
                try {
                    ParseRequest(element, one);
                    response = ExecuteOne(one, ctx, /*catch_errors=*/true);
                } catch (const RPCError& e) {
                    const Json* id = one.id ? &*one.id : nullptr;
                    response = JsonRpcReply(Json(), JsonRpcError(e.code, e.what()), id, one.v2);
                }
                if (!one.IsNotification()) reply.push_back(std::move(response));
            }
            // Only notifications: nothing to say (an empty batch still gets
            // "[]", as old clients expect).
            if (reply.empty() && !body->empty()) return {HTTP_NO_CONTENT, ""};
        } else {
            throw RPCError(RPC_PARSE_ERROR, "Top-level object parse error");
        }
        return {HTTP_OK, WriteJson(reply) + "\n"};
    } catch (const RPCError& e) {
        return ErrorReply(e, parsed);
    } catch (const std::exception& e) {
        return ErrorReply(RPCError(RPC_PARSE_ERROR, e.what()), parsed);
    }
}

bool StartRpcServer(node::NodeContext& node, std::string& error)
{
    g_node = &node;
    const ArgsManager& args = node.args ? *node.args : g_args;
    const std::filesystem::path datadir = node.datadir.empty() ? args.GetDataDirNet() : node.datadir;
    if (!InitAuthentication(args, datadir, error)) return false;
    if (!InitHttpServer(args, node.chain_name, error)) {
        if (g_cookie_path) DeleteAuthCookie(*g_cookie_path);
        g_cookie_path.reset();
        return false;
    }
    RegisterHttpHandler("/", true, HandleJsonRpc);
    RegisterHttpHandler("/wallet/", false, HandleJsonRpc);
    StartHttpServer();
    return true;
}

void InterruptRpcServer()
{
    InterruptHttpServer();
}

void StopRpcServer()
{
    UnregisterHttpHandler("/", true);
    UnregisterHttpHandler("/wallet/", false);
    StopHttpServer();
    if (g_cookie_path) {
        DeleteAuthCookie(*g_cookie_path);
        g_cookie_path.reset();
    }
    g_node = nullptr;
}
