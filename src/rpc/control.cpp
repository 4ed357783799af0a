// The control methods: help, stop, uptime, getrpcinfo, logging.

#include <rpc/server.h>
#include <rpc/util.h>

#include <node/context.h>
#include <util/args.h>
#include <util/logging.h>
#include <util/shutdown.h>
#include <util/time.h>

#include <filesystem>

namespace {

const int64_t g_process_start_time = GetTime();

RPCMethod HelpMethod(RPCTable& table)
{
    return RPCMethod{
        "control", "help",
        "Without an argument: every method, grouped by category. With a method name: its full help.",
        {{"command", RPCArg::Type::STR, true, "default=all commands", "The method to explain"}},
        "\"text\"    (string) The help",
        "",
        [&table](const RPCRequest& request) -> Json {
            return table.Help(ParamString(request, 0, ""));
        }};
}

RPCMethod StopMethod()
{
    return RPCMethod{
        "control", "stop",
        "Shuts the node down cleanly (the reply is sent first).",
        {},
        "\"str\"    (string) \"Bitcoin Core stopping\"",
        HelpExampleCli("stop", "") + HelpExampleRpc("stop", ""),
        [](const RPCRequest& request) -> Json {
            // The reply still goes out: the HTTP server drains in-flight
            // requests before it stops.
            if (request.node && request.node->request_shutdown) {
                request.node->request_shutdown();
            } else {
                RequestShutdown();
            }
            return "Bitcoin Core stopping";
        }};
}

RPCMethod UptimeMethod()
{
    return RPCMethod{
        "control", "uptime",
        "Seconds since the node started.",
        {},
        "n    (numeric) Seconds since start",
        HelpExampleCli("uptime", "") + HelpExampleRpc("uptime", ""),
        [](const RPCRequest& request) -> Json {
            const int64_t start = request.node && request.node->start_time ? request.node->start_time : g_process_start_time;
            return GetTime() - start;
        }};
}

std::string DebugLogPath(const RPCRequest& request)
{
    const ArgsManager* args = request.node && request.node->args ? request.node->args : &g_args;
    std::filesystem::path file = args->GetArg("-debuglogfile", "debug.log");
    if (file.is_relative()) {
        const std::filesystem::path datadir = request.node && !request.node->datadir.empty() ? request.node->datadir : args->GetDataDirNet();
        file = datadir / file;
    }
    std::error_code ec;
    const auto absolute = std::filesystem::absolute(file, ec);
    return (ec ? file : absolute).lexically_normal().string();
}

RPCMethod GetRpcInfoMethod()
{
    return RPCMethod{
        "control", "getrpcinfo",
        "The calls being executed right now, and where the log is written.",
        {},
        "{                          (json object)\n"
        "  \"active_commands\" : [    (json array) The calls in progress\n"
        "    {                      (json object) One call\n"
        "      \"method\" : \"str\",    (string) Its method\n"
        "      \"duration\" : n       (numeric) Microseconds since it started\n"
        "    },\n"
        "    ...\n"
        "  ],\n"
        "  \"logpath\" : \"str\"       (string) Absolute path of debug.log\n"
        "}",
        HelpExampleCli("getrpcinfo", "") + HelpExampleRpc("getrpcinfo", ""),
        [](const RPCRequest& request) -> Json {
            Json commands = Json::array();
            for (const ActiveRPCCommand& command : GetActiveRPCCommands()) {
                commands.push_back(Json{{"method", command.method}, {"duration", command.duration_us}});
            }
            Json result = Json::object();
            result["active_commands"] = std::move(commands);
            result["logpath"] = DebugLogPath(request);
            return result;
        }};
}

void SwitchCategories(const Json& names, bool enable)
{
    for (const Json& name : names) {
        if (!name.is_string()) {
            throw RPCError(RPC_TYPE_ERROR, "JSON value of type " + JsonTypeName(name) + " is not of expected type string");
        }
        const std::string category = name.get<std::string>();
        const bool known = enable ? GetLogger().EnableCategory(category) : GetLogger().DisableCategory(category);
        if (!known) throw RPCError(RPC_INVALID_PARAMETER, "unknown logging category " + category);
    }
}

RPCMethod LoggingMethod()
{
    return RPCMethod{
        "control", "logging",
        "Switches debug log categories on and off, and lists every category with its state.\n"
        "\"include\" is applied first, then \"exclude\": a category in both ends up off.\n"
        "\"all\" (or \"1\") stands for every category.",
        {
            {"include", RPCArg::Type::ARR, true, "optional", "Debug categories to switch on", "[\"include_category\",...]"},
            {"exclude", RPCArg::Type::ARR, true, "optional", "Debug categories to switch off (applied after include)", "[\"exclude_category\",...]"},
        },
        "{                   (json object) every category\n"
        "  \"category\" : true|false,  (boolean) whether its debug messages are logged\n"
        "  ...\n"
        "}",
        HelpExampleCli("logging", "\"[\\\"all\\\"]\" \"[\\\"http\\\"]\"") + HelpExampleRpc("logging", "[\"all\"], [\"libevent\"]"),
        [](const RPCRequest& request) -> Json {
            if (request.Param(0).is_array()) SwitchCategories(request.Param(0), true);
            if (request.Param(1).is_array()) SwitchCategories(request.Param(1), false);
            Json result = Json::object();
            for (const auto& [name, active] : GetLogger().Categories()) result[name] = active;
            return result;
        }};
}

} // namespace

void RegisterControlRPCCommands(RPCTable& table)
{
    table.Register(HelpMethod(table));
    table.Register(StopMethod());
    table.Register(UptimeMethod());
    table.Register(GetRpcInfoMethod());
    table.Register(LoggingMethod());
}
