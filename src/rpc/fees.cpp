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
                    "Estimates the approximate fee per kilobyte needed for a transaction to begin\n"
                    "confirmation within conf_target blocks if possible and return the number of blocks\n"
                    "for which the estimate is valid. Uses virtual transaction size as defined\n"
                    "in BIP 141 (witness data is discounted).",
                    {{"conf_target", T::NUM, false, "required", "Confirmation target in blocks (1 - 1008)"},
                     {"estimate_mode", T::STR, true, "default=\"economical\"",
                      "The fee estimate mode.\nWhether to return a more conservative estimate which also satisfies\n"
                      "a longer history. A conservative estimate potentially returns a\nhigher feerate and is more "
                      "likely to be sufficient for the desired\ntarget, but is not as responsive to short term drops "
                      "in the\nprevailing fee market. Must be one of (case insensitive):\n"
                      "\"unset\"\n\"economical\"\n\"conservative\""}},
                    "{\n"
                    "  \"feerate\" : n,         (numeric, optional) estimate fee rate in BTC/kvB (only present if no errors were encountered)\n"
                    "  \"errors\" : [           (json array, optional) Errors encountered during processing (if there are any)\n"
                    "    \"str\",               (string) error\n"
                    "    ...\n"
                    "  ],\n"
                    "  \"blocks\" : n           (numeric) block number where estimate was found\n"
                    "}\n",
                    HelpExampleCli("estimatesmartfee", "6") + HelpExampleRpc("estimatesmartfee", "6"),
                    EstimateSmartFee});
}
