// Fee estimation RPC: estimatesmartfee.

#include <node/context.h>
#include <node/fees.h>
#include <node/txmempool.h>
#include <rpc/server.h>
#include <rpc/util.h>

#include <algorithm>
#include <cctype>

namespace {

using T = RPCArg::Type;

bool ParseConservative(const Json& value)
{
    if (value.is_null()) return false;
    if (!value.is_string()) throw RPCError(RPC_TYPE_ERROR, "JSON value of type " + JsonTypeName(value) + " is not of expected type string");
    std::string mode = value.get<std::string>();
    std::transform(mode.begin(), mode.end(), mode.begin(), [](unsigned char c) { return std::toupper(c); });
    if (mode == "UNSET" || mode == "ECONOMICAL") return false;
    if (mode == "CONSERVATIVE") return true;
    throw RPCError(RPC_INVALID_PARAMETER,
                   "Invalid estimate_mode parameter, must be one of: \"unset\", \"economical\", \"conservative\"");
}

Json EstimateSmartFee(const RPCRequest& request)
{
    const int64_t target = ParamInt(request, 0, 0);
    if (!request.node || !request.node->fee_estimator) {
        throw RPCError(RPC_INTERNAL_ERROR, "Fee estimation disabled");
    }
    node::FeeEstimator& estimator = *request.node->fee_estimator;
    const int64_t max_target = estimator.HighestTarget();
    if (target < 1 || target > max_target) {
        throw RPCError(RPC_INVALID_PARAMETER, "Invalid conf_target, must be between 1 and " + std::to_string(max_target));
    }
    const bool conservative = ParseConservative(request.Param(1));
    Amount floor = 0;
    if (node::TxMempool* pool = request.node->mempool.get()) {
        floor = std::max(pool->GetMinFee(), pool->Options().min_relay_feerate).GetFeePerK();
    }
    const node::FeeEstimate estimate = estimator.EstimateSmartFee(static_cast<unsigned>(target), conservative);
    Json out = Json::object();
    if (estimate.feerate) {
        out["feerate"] = ValueFromAmount(std::max(*estimate.feerate, floor));
    } else {
        Json errors = Json::array();
        errors.push_back("Insufficient data or no feerate found");
        out["errors"] = std::move(errors);
    }
    out["blocks"] = estimate.blocks;
    return out;
}

} // namespace

void RegisterFeeRPCCommands(RPCTable& table)
{
    table.Register({"util", "estimatesmartfee",
                    "Guess the fee rate (per 1000 virtual bytes) a transaction should pay so that it is likely\n"
                    "to get its first confirmation within conf_target blocks, and report the block target the\n"
                    "guess actually applies to. Sizes are measured in virtual bytes (BIP 141 weight / 4,\n"
                    "so witness bytes count less).",
                    {{"conf_target", T::NUM, false, "required", "How many blocks you are willing to wait for confirmation (from 1 up to 1008)"},
                     {"estimate_mode", T::STR, true, "default=\"economical\"",
                      "Which estimation strategy to use.\nThe conservative strategy also takes older fee history into\n"
                      "account, so it tends to suggest a higher rate that is safer for\nreaching the target, at the cost "
                      "of reacting more slowly when\nfees fall for a short while. Accepted values (any letter case):\n"
                      "\"unset\"\n\"economical\"\n\"conservative\""}},
                    "{\n"
                    "  \"feerate\" : n,         (numeric, optional) suggested fee rate, in BTC/kvB (omitted when an error is reported)\n"
                    "  \"errors\" : [           (json array, optional) problems hit while computing the estimate (omitted when none)\n"
                    "    \"str\",               (string) description of one problem\n"
                    "    ...\n"
                    "  ],\n"
                    "  \"blocks\" : n           (numeric) confirmation target, in blocks, that the returned estimate applies to\n"
                    "}\n",
                    HelpExampleCli("estimatesmartfee", "6") + HelpExampleRpc("estimatesmartfee", "6"),
                    EstimateSmartFee});
}
