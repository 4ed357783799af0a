// Fee estimation RPCs: estimatesmartfee and the hidden estimaterawfee.

#include <node/context.h>
#include <node/fees.h>
#include <node/txmempool.h>
#include <rpc/server.h>
#include <rpc/util.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <string>
#include <utility>

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

// Bucket statistics are averages: two decimals say enough.
double Round2(double v) { return std::round(v * 100.0) / 100.0; }

Json RangeJson(const node::FeeBucketRange& r)
{
    Json out = Json::object();
    out["startrange"] = std::round(r.start);
    out["endrange"] = std::round(r.end);
    out["withintarget"] = Round2(r.within_target);
    out["totalconfirmed"] = Round2(r.total_confirmed);
    out["inmempool"] = Round2(r.in_mempool);
    out["leftmempool"] = Round2(r.left_mempool);
    return out;
}

double ParseThreshold(const Json& value)
{
    if (value.is_null()) return 0.95;
    if (value.is_number()) return value.get<double>();
    if (const auto text = JsonNumberText(value)) return std::stod(*text);
    throw RPCError(RPC_TYPE_ERROR, "JSON value of type " + JsonTypeName(value) + " is not of expected type number");
}

Json EstimateRawFee(const RPCRequest& request)
{
    if (!request.node || !request.node->fee_estimator) {
        throw RPCError(RPC_INTERNAL_ERROR, "Fee estimation disabled");
    }
    node::FeeEstimator& estimator = *request.node->fee_estimator;
    const int64_t max_target = estimator.HighestTarget(node::FeeEstimateHorizon::LONG);
    const int64_t target = ParamInt(request, 0, 0);
    if (target < 1 || target > max_target) {
        throw RPCError(RPC_INVALID_PARAMETER, "Invalid conf_target, must be between 1 and " + std::to_string(max_target));
    }
    const double threshold = ParseThreshold(request.Param(1));
    if (!(threshold >= 0 && threshold <= 1)) throw RPCError(RPC_INVALID_PARAMETER, "Invalid threshold");

    Json out = Json::object();
    const std::pair<const char*, node::FeeEstimateHorizon> horizons[] = {
        {"short", node::FeeEstimateHorizon::SHORT},
        {"medium", node::FeeEstimateHorizon::MEDIUM},
        {"long", node::FeeEstimateHorizon::LONG},
    };
    for (const auto& [name, horizon] : horizons) {
        // A horizon that does not track this far is left out.
        if (target > estimator.HighestTarget(horizon)) continue;
        node::FeeEstimateDetail detail;
        const std::optional<double> feerate =
            estimator.EstimateRaw(static_cast<unsigned>(target), threshold, horizon, &detail);
        Json h = Json::object();
        if (feerate) {
            h["feerate"] = ValueFromAmount(static_cast<Amount>(std::llround(*feerate)));
            h["decay"] = detail.decay;
            h["scale"] = detail.scale;
            h["pass"] = RangeJson(detail.pass);
            // No failing range: every bucket with data passed.
            if (detail.fail.start != -1) h["fail"] = RangeJson(detail.fail);
        } else {
            h["decay"] = detail.decay;
            h["scale"] = detail.scale;
            h["fail"] = RangeJson(detail.fail);
            h["errors"] = Json::array({"Insufficient data or no feerate found which meets threshold"});
        }
        out[name] = std::move(h);
    }
    return out;
}

std::string BucketHelp(const std::string& indent)
{
    return indent + "  \"startrange\" : n,     (numeric) lowest feerate of the range (exclusive), sat/kvB\n" +
           indent + "  \"endrange\" : n,       (numeric) highest feerate of the range, sat/kvB\n" +
           indent + "  \"withintarget\" : n,   (numeric) decayed count of transactions in the range confirmed within the target\n" +
           indent + "  \"totalconfirmed\" : n, (numeric) decayed count of transactions in the range confirmed at all\n" +
           indent + "  \"inmempool\" : n,      (numeric) transactions in the range now in the mempool that have waited the target or longer\n" +
           indent + "  \"leftmempool\" : n     (numeric) decayed count of transactions in the range that left the mempool unconfirmed after the target\n";
}

std::string HorizonHelp(const std::string& name, const std::string& what, bool last = false)
{
    return "  \"" + name + "\" : {" + std::string(8 - name.size(), ' ') + "(json object, optional) " + what + "\n"
           "    \"feerate\" : n,       (numeric, optional) the estimate, in BTC/kvB (absent on error)\n"
           "    \"decay\" : n,         (numeric) how much of the history each new block keeps (per-block decay factor)\n"
           "    \"scale\" : n,         (numeric) blocks per tracked period: targets are resolved in steps of this size\n"
           "    \"pass\" : {           (json object, optional) the cheapest range of feerates that met the threshold\n" +
           BucketHelp("    ") +
           "    },\n"
           "    \"fail\" : {           (json object, optional) the most expensive range below it that did not\n" +
           BucketHelp("    ") +
           "    },\n"
           "    \"errors\" : [         (json array, optional) problems hit while computing the estimate\n"
           "      \"str\",             (string) description of one problem\n"
           "      ...\n"
           "    ]\n"
           "  }" + (last ? "\n" : ",\n");
}

} // namespace

void RegisterFeeRPCCommands(RPCTable& table)
{
    table.Register({"hidden", "estimaterawfee",
                    "A look inside the fee estimator, for testing and tuning; its interface may change.\n"
                    "For every time horizon that tracks targets as long as conf_target (short up to 12 blocks,\n"
                    "medium up to 48, long up to 1008), answers the lowest feerate at which at least the\n"
                    "threshold share of the transactions seen confirmed within conf_target blocks, and the\n"
                    "bucket statistics behind that answer. Unlike estimatesmartfee it neither combines the\n"
                    "horizons nor applies the mempool's minimum feerate.",
                    {{"conf_target", T::NUM, false, "required", "Confirmation target, in blocks (1 - 1008)"},
                     {"threshold", T::NUM, true, "default=0.95",
                      "Share (0 to 1) of the transactions in a feerate range that must have confirmed within\n"
                      "conf_target for that range to count as paying enough, so that cheaper ranges are tried next"}},
                    "{                    (json object) one member per horizon tracking conf_target\n" +
                        HorizonHelp("short", "the short horizon's answer") +
                        HorizonHelp("medium", "the medium horizon's answer") +
                        HorizonHelp("long", "the long horizon's answer", /*last=*/true) + "}\n",
                    HelpExampleCli("estimaterawfee", "6 0.9") + HelpExampleRpc("estimaterawfee", "6, 0.9"),
                    EstimateRawFee});

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
