#include <rpc/auth.h>
#include <util/strencodings.h>
#include <rpc/httprpc.h>
#include <rpc/server.h>
#include <rpc/util.h>

#include <boost/test/unit_test.hpp>

#include <string>

namespace {

// A table with one method of each interesting shape.
void FillTable(RPCTable& table)
{
    table.Register(RPCMethod{
        "blockchain", "getblockhash", "Returns hash of block in best-block-chain at height provided.",
        {{"height", RPCArg::Type::NUM, false, "", "The height index"}},
        "\"hex\"    (string) The block hash", "",
        [](const RPCRequest& r) -> Json { return "hash-at-" + std::to_string(ParamInt(r, 0, -1)); }});
    table.Register(RPCMethod{
        "blockchain", "getblock", "Get a block.",
        {{"blockhash", RPCArg::Type::STR_HEX, false, "", "The block hash"},
         {"verbosity|verbose", RPCArg::Type::NUM, true, "default=1", "0, 1, 2 or 3"}},
        "", "",
        [](const RPCRequest& r) -> Json { return Json{{"hash", r.Param(0)}, {"verbosity", ParamInt(r, 1, 1)}}; }});
    table.Register(RPCMethod{
        "util", "echo", "Echoes its arguments.",
        {{"a", RPCArg::Type::ANY, true, "", ""},
         {"b", RPCArg::Type::ANY, true, "", ""},
         {"c", RPCArg::Type::BOOL, true, "", ""}},
        "", "",
        [](const RPCRequest& r) -> Json { return r.params; }});
    table.Register(RPCMethod{
        "util", "fail", "Throws.", {}, "", "",
        [](const RPCRequest&) -> Json { throw std::runtime_error("it broke"); }});
    table.Register(RPCMethod{
        "hidden", "secret", "Not listed.", {}, "", "",
        [](const RPCRequest&) -> Json { return nullptr; }});
    RegisterControlRPCCommands(table);
}

RPCRequest Req(const std::string& method, Json params)
{
    RPCRequest r;
    r.method = method;
    r.params = std::move(params);
    return r;
}

// Runs and returns the RPCError thrown (code 0 when none).
RPCError Fails(const RPCTable& table, RPCRequest request)
{
    try {
        table.Execute(std::move(request));
    } catch (const RPCError& e) {
        return e;
    }
    return RPCError(0, "");
}

} // namespace

BOOST_AUTO_TEST_SUITE(rpc_server_tests)

BOOST_AUTO_TEST_CASE(dispatch_and_unknown_method)
{
    RPCTable table;
    FillTable(table);
    BOOST_CHECK_EQUAL(table.Execute(Req("getblockhash", Json::array({7}))), "hash-at-7");
    const RPCError e = Fails(table, Req("nosuchmethod", Json::array()));
    BOOST_CHECK_EQUAL(e.code, RPC_METHOD_NOT_FOUND);
    BOOST_CHECK_EQUAL(std::string(e.what()), "Method not found");
    BOOST_CHECK(table.Has("help"));
    BOOST_CHECK(!table.Has("nosuchmethod"));
}

BOOST_AUTO_TEST_CASE(warmup)
{
    RPCTable table;
    FillTable(table);
    table.StartWarmup();
    RPCError e = Fails(table, Req("getblockhash", Json::array({1})));
    BOOST_CHECK_EQUAL(e.code, RPC_IN_WARMUP);
    BOOST_CHECK_EQUAL(std::string(e.what()), "RPC server started");
    table.SetWarmupStatus("Loading block index…");
    e = Fails(table, Req("help", Json::array()));
    BOOST_CHECK_EQUAL(e.code, RPC_IN_WARMUP);
    BOOST_CHECK_EQUAL(std::string(e.what()), "Loading block index…");
    table.SetWarmupFinished();
    BOOST_CHECK_EQUAL(table.Execute(Req("getblockhash", Json::array({1}))), "hash-at-1");
    // The process-wide table starts in warm-up, as Core's.
    BOOST_CHECK(GetRPCTable().IsInWarmup());
}

BOOST_AUTO_TEST_CASE(type_errors)
{
    RPCTable table;
    FillTable(table);
    RPCError e = Fails(table, Req("getblockhash", Json::array({"7"})));
    BOOST_CHECK_EQUAL(e.code, RPC_TYPE_ERROR);
    BOOST_CHECK_EQUAL(std::string(e.what()),
                      "Wrong type passed:\n{\n    \"Position 1 (height)\": \"JSON value of type string is not of expected type number\"\n}");
    e = Fails(table, Req("getblock", Json::array({true, "x"})));
    BOOST_CHECK_EQUAL(e.code, RPC_TYPE_ERROR);
    const std::string both = e.what();
    BOOST_CHECK(both.find("\"Position 1 (blockhash)\": \"JSON value of type bool is not of expected type string\"") != std::string::npos);
    BOOST_CHECK(both.find("\"Position 2 (verbosity|verbose)\": \"JSON value of type string is not of expected type number\"") != std::string::npos);
    // An explicit null for a required argument is a type error too.
    e = Fails(table, Req("getblockhash", Json::array({nullptr})));
    BOOST_CHECK(std::string(e.what()).find("JSON value of type null is not of expected type number") != std::string::npos);
    // Optional null is fine; raw numbers are numbers.
    BOOST_CHECK_EQUAL(table.Execute(Req("getblock", Json::array({"ab", nullptr})))["verbosity"], 1);
    BOOST_CHECK_EQUAL(JsonTypeName(JsonRawNumber("1.5")), "number");
    e = Fails(table, Req("echo", Json::array({1, 2, "yes"})));
    BOOST_CHECK(std::string(e.what()).find("JSON value of type string is not of expected type bool") != std::string::npos);
    // A fractional number where an integer is read.
    e = Fails(table, Req("getblockhash", Json::array({JsonRawNumber("1.5")})));
    BOOST_CHECK_EQUAL(e.code, RPC_MISC_ERROR);
    BOOST_CHECK_EQUAL(std::string(e.what()), "JSON integer out of range");
}

BOOST_AUTO_TEST_CASE(argument_count_gives_help)
{
    RPCTable table;
    FillTable(table);
    RPCError e = Fails(table, Req("getblockhash", Json::array()));
    BOOST_CHECK_EQUAL(e.code, RPC_MISC_ERROR);
    BOOST_CHECK(std::string(e.what()).rfind("getblockhash height\n\nReturns hash", 0) == 0);
    e = Fails(table, Req("getblockhash", Json::array({1, 2})));
    BOOST_CHECK_EQUAL(e.code, RPC_MISC_ERROR);
    e = Fails(table, Req("fail", Json::array()));
    BOOST_CHECK_EQUAL(e.code, RPC_MISC_ERROR);
    BOOST_CHECK_EQUAL(std::string(e.what()), "it broke");
}

BOOST_AUTO_TEST_CASE(named_parameters)
{
    RPCTable table;
    FillTable(table);
    BOOST_CHECK_EQUAL(table.Execute(Req("getblockhash", Json{{"height", 5}})), "hash-at-5");
    // Aliases.
    Json r = table.Execute(Req("getblock", Json{{"blockhash", "aa"}, {"verbose", 0}}));
    BOOST_CHECK_EQUAL(r["verbosity"], 0);
    // Holes before a given parameter are nulls; trailing ones are left out.
    BOOST_CHECK_EQUAL(table.Execute(Req("echo", Json{{"b", 2}})), Json::parse("[null,2]"));
    BOOST_CHECK_EQUAL(table.Execute(Req("echo", Json::object())), Json::array());
    // "args" gives leading positional values.
    BOOST_CHECK_EQUAL(table.Execute(Req("echo", Json{{"args", {1}}, {"c", true}})), Json::parse("[1,null,true]"));
    RPCError e = Fails(table, Req("echo", Json{{"args", {1, 2}}, {"b", 3}}));
    BOOST_CHECK_EQUAL(e.code, RPC_INVALID_PARAMETER);
    BOOST_CHECK_EQUAL(std::string(e.what()), "Parameter b specified twice both as positional and named argument");
    e = Fails(table, Req("getblockhash", Json{{"height", 1}, {"foo", 2}}));
    BOOST_CHECK_EQUAL(e.code, RPC_INVALID_PARAMETER);
    BOOST_CHECK_EQUAL(std::string(e.what()), "Unknown named parameter foo");
    // A missing required named parameter: a type error on its null.
    e = Fails(table, Req("getblock", Json{{"verbosity", 2}}));
    BOOST_CHECK_EQUAL(e.code, RPC_TYPE_ERROR);
}

BOOST_AUTO_TEST_CASE(help_text)
{
    RPCTable table;
    FillTable(table);
    table.SetWarmupFinished();
    const std::string all = table.Help("");
    BOOST_CHECK(all.rfind("== Blockchain ==\ngetblock \"blockhash\" ( verbosity )\ngetblockhash height\n\n== Control ==\n", 0) == 0);
    BOOST_CHECK(all.find("secret") == std::string::npos);
    BOOST_CHECK(all.find("logging ( [\"include_category\",...] [\"exclude_category\",...] )") != std::string::npos);
    BOOST_CHECK(all.back() != '\n');
    const std::string one = table.Help("getblock");
    BOOST_CHECK(one.find("Arguments:\n1. blockhash    (string, required) The block hash\n"
                         "2. verbosity    (numeric, optional, default=1) 0, 1, 2 or 3") != std::string::npos);
    BOOST_CHECK_EQUAL(table.Help("nope"), "help: unknown command: nope");
    BOOST_CHECK_EQUAL(table.Execute(Req("help", Json::array({"nope"}))), "help: unknown command: nope");
    BOOST_CHECK(table.Execute(Req("help", Json::array({"stop"}))).get<std::string>().rfind("stop\n\n", 0) == 0);
}

BOOST_AUTO_TEST_CASE(control_methods)
{
    RPCTable table;
    FillTable(table);
    const Json info = table.Execute(Req("getrpcinfo", Json::array()));
    BOOST_REQUIRE_EQUAL(info["active_commands"].size(), 1U);
    BOOST_CHECK_EQUAL(info["active_commands"][0]["method"], "getrpcinfo");
    BOOST_CHECK(info["logpath"].get<std::string>().find("debug.log") != std::string::npos);
    BOOST_CHECK(table.Execute(Req("uptime", Json::array())).get<int64_t>() >= 0);
    const RPCError e = Fails(table, Req("logging", Json::array({Json::array({"nosuchcategory"})})));
    BOOST_CHECK_EQUAL(e.code, RPC_INVALID_PARAMETER);
    BOOST_CHECK_EQUAL(std::string(e.what()), "unknown logging category nosuchcategory");
    const Json cats = table.Execute(Req("logging", Json::array({Json::array({"rpc"}), Json::array({"net"})})));
    BOOST_CHECK_EQUAL(cats["rpc"], true);
    BOOST_CHECK_EQUAL(cats["net"], false);
}

BOOST_AUTO_TEST_CASE(batch_and_versions)
{
    RPCTable table;
    FillTable(table);
    auto run = [&](const std::string& body) { return ProcessJsonRpc(table, body, "/", "user", nullptr); };

    JsonRpcHttpReply r = run(R"({"method":"getblockhash","params":[3],"id":1})");
    BOOST_CHECK_EQUAL(r.status, 200);
    BOOST_CHECK_EQUAL(r.body, "{\"result\":\"hash-at-3\",\"error\":null,\"id\":1}\n");

    r = run(R"({"jsonrpc":"2.0","method":"getblockhash","params":[3],"id":"x"})");
    BOOST_CHECK_EQUAL(r.status, 200);
    BOOST_CHECK_EQUAL(r.body, "{\"jsonrpc\":\"2.0\",\"result\":\"hash-at-3\",\"id\":\"x\"}\n");

    // 1.0 errors are HTTP errors: 404 for an unknown method, 500 otherwise.
    r = run(R"({"method":"nope","id":1})");
    BOOST_CHECK_EQUAL(r.status, 404);
    BOOST_CHECK_EQUAL(r.body, "{\"result\":null,\"error\":{\"code\":-32601,\"message\":\"Method not found\"},\"id\":1}\n");
    r = run(R"({"method":"getblockhash","params":["a"],"id":1})");
    BOOST_CHECK_EQUAL(r.status, 500);
    // 2.0 errors ride in a 200.
    r = run(R"({"jsonrpc":"2.0","method":"nope","id":1})");
    BOOST_CHECK_EQUAL(r.status, 200);
    BOOST_CHECK_EQUAL(r.body, "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"Method not found\"},\"id\":1}\n");
    // 2.0 notification: executed, no content.
    r = run(R"({"jsonrpc":"2.0","method":"getblockhash","params":[1]})");
    BOOST_CHECK_EQUAL(r.status, 204);
    BOOST_CHECK(r.body.empty());

    // Malformed.
    r = run("{\"method\":");
    BOOST_CHECK_EQUAL(r.status, 500);
    BOOST_CHECK_EQUAL(r.body, "{\"result\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"},\"id\":null}\n");
    r = run("42");
    BOOST_CHECK_EQUAL(r.status, 500);
    BOOST_CHECK(r.body.find("Top-level object parse error") != std::string::npos);
    r = run(R"({"id":1})");
    BOOST_CHECK_EQUAL(r.status, 400);
    BOOST_CHECK(r.body.find("\"code\":-32600,\"message\":\"Missing method\"") != std::string::npos);
    r = run(R"({"jsonrpc":"3.0","method":"help","id":1})");
    BOOST_CHECK_EQUAL(r.status, 400);
    BOOST_CHECK(r.body.find("JSON-RPC version not supported") != std::string::npos);
    r = run(R"({"method":"help","params":3,"id":1})");
    BOOST_CHECK_EQUAL(r.status, 400);
    BOOST_CHECK(r.body.find("Params must be an array or object") != std::string::npos);

    // Batches: always 200, one reply per non-notification, in order.
    r = run(R"([{"method":"getblockhash","params":[1],"id":1},
               {"jsonrpc":"2.0","method":"nope","id":2},
               {"jsonrpc":"2.0","method":"getblockhash","params":[2]},
               17,
               {"method":"getblockhash","params":["x"],"id":3}])");
    BOOST_CHECK_EQUAL(r.status, 200);
    const Json batch = Json::parse(r.body);
    BOOST_REQUIRE_EQUAL(batch.size(), 4U);
    BOOST_CHECK_EQUAL(batch[0]["result"], "hash-at-1");
    BOOST_CHECK_EQUAL(batch[1]["error"]["code"], -32601);
    BOOST_CHECK(!batch[1].contains("result"));
    BOOST_CHECK_EQUAL(batch[2]["error"]["code"], -32600);
    BOOST_CHECK_EQUAL(batch[2]["error"]["message"], "Invalid Request object");
    BOOST_CHECK_EQUAL(batch[3]["error"]["code"], -3);
    BOOST_CHECK_EQUAL(batch[3]["id"], 3);
    r = run("[]");
    BOOST_CHECK_EQUAL(r.status, 200);
    BOOST_CHECK_EQUAL(r.body, "[]\n");
    r = run(R"([{"jsonrpc":"2.0","method":"getblockhash","params":[2]}])");
    BOOST_CHECK_EQUAL(r.status, 204);
}

BOOST_AUTO_TEST_CASE(rpcauth)
{
    // Checked against Python's hmac.new(salt, password, sha256).
    BOOST_CHECK_EQUAL(RpcAuth::HashPassword("0123456789abcdef", "secret pass"),
                      "3f243b04fad9837425e5745dae4b589f579c2a8d2414503dd6539c95306881f2");
    const auto entry = RpcAuth::ParseRpcAuth("alice:0123456789abcdef$3f243b04fad9837425e5745dae4b589f579c2a8d2414503dd6539c95306881f2");
    BOOST_REQUIRE(entry);
    BOOST_CHECK_EQUAL(entry->user, "alice");
    BOOST_CHECK(!RpcAuth::ParseRpcAuth("alice"));
    BOOST_CHECK(!RpcAuth::ParseRpcAuth("alice:salt"));
    BOOST_CHECK(!RpcAuth::ParseRpcAuth("alice:a$b$c"));

    RpcAuth auth;
    auth.AddEntry(*entry);
    auth.AddUserPassword("bob", "hunter2");
    BOOST_CHECK(auth.CheckUserPassword("alice", "secret pass"));
    BOOST_CHECK(!auth.CheckUserPassword("alice", "secret pas"));
    BOOST_CHECK(!auth.CheckUserPassword("bob", "secret pass"));
    BOOST_CHECK(auth.CheckUserPassword("bob", "hunter2"));
    std::string user;
    BOOST_CHECK(auth.CheckAuthorizationHeader("Basic YWxpY2U6c2VjcmV0IHBhc3M=", user));
    BOOST_CHECK_EQUAL(user, "alice");
    BOOST_CHECK(!auth.CheckAuthorizationHeader("Basic YWxpY2U6c2VjcmV0IHBhc3", user));
    BOOST_CHECK(!auth.CheckAuthorizationHeader("Bearer YWxpY2U6c2VjcmV0IHBhc3M=", user));
    BOOST_CHECK(auth.CheckAuthorizationHeader("Basic " + EncodeBase64("bob:hunter2"), user));
    BOOST_CHECK_EQUAL(user, "bob");

    BOOST_CHECK_EQUAL(EncodeBase64("alice:secret pass"), "YWxpY2U6c2VjcmV0IHBhc3M=");
    BOOST_CHECK_EQUAL(*DecodeBase64("YQ=="), "a");
    BOOST_CHECK_EQUAL(*DecodeBase64("YWI="), "ab");
    BOOST_CHECK(!DecodeBase64("Y=Q="));
    BOOST_CHECK(TimingResistantEqual("abc", "abc"));
    BOOST_CHECK(!TimingResistantEqual("abc", "abd"));
    BOOST_CHECK(!TimingResistantEqual("abc", "abcabc"));
    BOOST_CHECK(!TimingResistantEqual(std::string(256, 'a'), "a"));
    BOOST_CHECK(TimingResistantEqual("", ""));
}

BOOST_AUTO_TEST_CASE(amounts_and_hashes)
{
    BOOST_CHECK_EQUAL(WriteJson(ValueFromAmount(5000000000)), "50.00000000");
    BOOST_CHECK_EQUAL(WriteJson(ValueFromAmount(1)), "0.00000001");
    BOOST_CHECK_EQUAL(WriteJson(ValueFromAmount(-150000000)), "-1.50000000");
    BOOST_CHECK_EQUAL(AmountFromValue(JsonRawNumber("0.00000001")), 1);
    BOOST_CHECK_EQUAL(AmountFromValue(Json("1.5")), 150000000);
    BOOST_CHECK_EQUAL(AmountFromValue(Json(21)), 2100000000);
    BOOST_CHECK_EQUAL(AmountFromValue(JsonRawNumber("1e-8")), 1);
    BOOST_CHECK_EQUAL(AmountFromValue(JsonRawNumber("0.100000000")), 10000000);
    auto code_of = [](auto&& fn) {
        try {
            fn();
        } catch (const RPCError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    BOOST_CHECK_EQUAL(code_of([] { AmountFromValue(JsonRawNumber("0.000000001")); }), "Invalid amount");
    BOOST_CHECK_EQUAL(code_of([] { AmountFromValue(Json(true)); }), "Amount is not a number or string");
    BOOST_CHECK_EQUAL(code_of([] { AmountFromValue(Json(-1)); }), "Amount out of range");
    BOOST_CHECK_EQUAL(code_of([] { AmountFromValue(Json(21000001)); }), "Amount out of range");
    BOOST_CHECK_EQUAL(code_of([] { ParseHashV(Json("abc"), "blockhash"); }), "blockhash must be of length 64 (not 3, for 'abc')");
    BOOST_CHECK_EQUAL(code_of([] { ParseHashV(Json(std::string(64, 'z')), "blockhash"); }),
                      "blockhash must be hexadecimal string (not '" + std::string(64, 'z') + "')");
    BOOST_CHECK_EQUAL(ParseHashV(Json(std::string(63, '0') + "1"), "h").GetHex(), std::string(63, '0') + "1");
    BOOST_CHECK_EQUAL(code_of([] { ParseHexV(Json("abc"), "hexstring"); }), "hexstring must be hexadecimal string (not 'abc')");
    BOOST_CHECK(HelpExampleCli("getblockcount", "").rfind("> bitcoin-cli getblockcount ", 0) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
