// Mempool RPCs: getrawmempool, getmempoolinfo, getmempoolentry,
// getmempoolancestors, getmempooldescendants, savemempool,
// prioritisetransaction, getprioritisedtransactions.

#include <node/context.h>
#include <node/mempool_persist.h>
#include <node/policy.h>
#include <node/txmempool.h>
#include <rpc/server.h>
#include <rpc/util.h>

#include <fmt/format.h>

#include <mutex>
#include <set>

namespace {

using T = RPCArg::Type;
using PoolLock = std::lock_guard<std::recursive_mutex>;

node::TxMempool& EnsureMempool(const RPCRequest& request)
{
    if (!request.node || !request.node->mempool) throw RPCError(-33, "Mempool disabled or instance not found");
    return *request.node->mempool;
}

std::string Examples(const std::string& method, const std::string& cli, const std::string& rpc)
{
    return HelpExampleCli(method, cli) + HelpExampleRpc(method, rpc);
}

// BIP125 signalling by the transaction or any in-mempool ancestor. Caller holds the pool lock.
bool SignalsReplaceability(const node::TxMempool& pool, const node::TxMempoolEntry& entry)
{
    auto signals = [](const Transaction& tx) {
        for (const TxIn& in : tx.vin) {
            if (in.sequence <= TxIn::MAX_SEQUENCE_NONFINAL - 1) return true;
        }
        return false;
    };
    if (signals(entry.GetTx())) return true;
    for (const uint256& a : pool.CalculateAncestors(entry.GetTxid())) {
        if (const node::TxMempoolEntry* e = pool.GetEntry(a); e && signals(e->GetTx())) return true;
    }
    return false;
}

// Core's entry object (same keys, same order). Caller holds the pool lock.
Json EntryToJson(const node::TxMempool& pool, const node::TxMempoolEntry& e)
{
    Json o = Json::object();
    o["vsize"] = e.GetTxSize();
    o["weight"] = e.GetTxWeight();
    o["time"] = e.GetTime();
    o["height"] = e.GetHeight();
    o["descendantcount"] = e.GetCountWithDescendants();
    o["descendantsize"] = e.GetSizeWithDescendants();
    o["ancestorcount"] = e.GetCountWithAncestors();
    o["ancestorsize"] = e.GetSizeWithAncestors();
    o["wtxid"] = e.GetTx().GetWitnessHash().GetHex();
    Json fees = Json::object();
    fees["base"] = ValueFromAmount(e.GetFee());
    fees["modified"] = ValueFromAmount(e.GetModifiedFee());
    fees["ancestor"] = ValueFromAmount(e.GetModFeesWithAncestors());
    fees["descendant"] = ValueFromAmount(e.GetModFeesWithDescendants());
    o["fees"] = std::move(fees);
    // depends: in-mempool parents, in input order without duplicates.
    Json depends = Json::array();
    std::set<uint256> listed;
    for (const TxIn& in : e.GetTx().vin) {
        if (pool.GetEntry(in.prevout.hash) && listed.insert(in.prevout.hash).second) {
            depends.push_back(in.prevout.hash.GetHex());
        }
    }
    o["depends"] = std::move(depends);
    Json spentby = Json::array();
    for (const uint256& child : e.Children()) spentby.push_back(child.GetHex());
    o["spentby"] = std::move(spentby);
    o["bip125-replaceable"] = SignalsReplaceability(pool, e);
    o["unbroadcast"] = false;
    return o;
}

const node::TxMempoolEntry& EnsureEntry(const node::TxMempool& pool, const uint256& txid)
{
    const node::TxMempoolEntry* e = pool.GetEntry(txid);
    if (!e) throw RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Transaction not in mempool");
    return *e;
}

Json GetRawMempool(const RPCRequest& request)
{
    node::TxMempool& pool = EnsureMempool(request);
    const bool verbose = ParamBool(request, 0, false);
    const bool with_sequence = ParamBool(request, 1, false);
    if (verbose && with_sequence) {
        throw RPCError(RPC_INVALID_PARAMETER, "Verbose results cannot contain mempool sequence values.");
    }
    PoolLock lock(pool.Mutex());
    const auto entries = pool.GetEntries();
    if (verbose) {
        Json out = Json::object();
        for (const node::TxMempoolEntry* e : entries) out[e->GetTxid().GetHex()] = EntryToJson(pool, *e);
        return out;
    }
    Json txids = Json::array();
    for (const node::TxMempoolEntry* e : entries) txids.push_back(e->GetTxid().GetHex());
    if (!with_sequence) return txids;
    Json out = Json::object();
    out["txids"] = std::move(txids);
    out["mempool_sequence"] = pool.GetSequence();
    return out;
}

Json RelativesJson(const RPCRequest& request, bool ancestors)
{
    node::TxMempool& pool = EnsureMempool(request);
    const uint256 txid = ParseHashV(request.Param(0), "parameter 1");
    const bool verbose = ParamBool(request, 1, false);
    PoolLock lock(pool.Mutex());
    EnsureEntry(pool, txid);
    const std::set<uint256> relatives = ancestors ? pool.CalculateAncestors(txid) : pool.CalculateDescendants(txid);
    if (!verbose) {
        Json out = Json::array();
        for (const uint256& r : relatives) {
            if (r != txid) out.push_back(r.GetHex());
        }
        return out;
    }
    Json out = Json::object();
    for (const uint256& r : relatives) {
        if (r == txid) continue;
        if (const node::TxMempoolEntry* e = pool.GetEntry(r)) out[r.GetHex()] = EntryToJson(pool, *e);
    }
    return out;
}

Json GetMempoolAncestors(const RPCRequest& request) { return RelativesJson(request, true); }
Json GetMempoolDescendants(const RPCRequest& request) { return RelativesJson(request, false); }

Json GetMempoolEntry(const RPCRequest& request)
{
    node::TxMempool& pool = EnsureMempool(request);
    const uint256 txid = ParseHashV(request.Param(0), "parameter 1");
    PoolLock lock(pool.Mutex());
    return EntryToJson(pool, EnsureEntry(pool, txid));
}

Json GetMempoolInfo(const RPCRequest& request)
{
    node::TxMempool& pool = EnsureMempool(request);
    PoolLock lock(pool.Mutex());
    const node::MempoolOptions& opts = pool.Options();
    Json out = Json::object();
    out["loaded"] = pool.IsLoaded();
    out["size"] = pool.size();
    out["bytes"] = pool.GetTotalTxSize();
    out["usage"] = pool.DynamicMemoryUsage();
    out["total_fee"] = ValueFromAmount(pool.GetTotalFee());
    out["maxmempool"] = opts.max_size_bytes;
    out["mempoolminfee"] = ValueFromAmount(std::max(pool.GetMinFee(), opts.min_relay_feerate).GetFeePerK());
    out["minrelaytxfee"] = ValueFromAmount(opts.min_relay_feerate.GetFeePerK());
    out["incrementalrelayfee"] = ValueFromAmount(opts.incremental_relay_feerate.GetFeePerK());
    out["unbroadcastcount"] = 0;
    out["fullrbf"] = true;
    out["permitbaremultisig"] = opts.policy.permit_bare_multisig;
    out["maxdatacarriersize"] = opts.policy.max_datacarrier_bytes.value_or(0);
    return out;
}

Json PrioritiseTransaction(const RPCRequest& request)
{
    node::TxMempool& pool = EnsureMempool(request);
    const uint256 txid = ParseHashV(request.Param(0), "txid");
    const Json& dummy = request.Param(1);
    if (!dummy.is_null() && !(dummy.is_number() && dummy.get<double>() == 0)) {
        throw RPCError(RPC_INVALID_PARAMETER,
                       "Priority is no longer supported, dummy argument to prioritisetransaction must be 0.");
    }
    const Json& delta = request.Param(2);
    if (!delta.is_number_integer()) {
        throw RPCError(RPC_TYPE_ERROR, "JSON value of type " + JsonTypeName(delta) + " is not of expected type number");
    }
    pool.PrioritiseTransaction(txid, delta.get<int64_t>());
    return true;
}

Json GetPrioritisedTransactions(const RPCRequest& request)
{
    node::TxMempool& pool = EnsureMempool(request);
    PoolLock lock(pool.Mutex());
    Json out = Json::object();
    for (const auto& [txid, delta] : pool.GetPrioritisedTransactions()) {
        Json o = Json::object();
        o["fee_delta"] = delta;
        const node::TxMempoolEntry* e = pool.GetEntry(txid);
        o["in_mempool"] = e != nullptr;
        if (e) o["modified_fee"] = e->GetModifiedFee();
        out[txid.GetHex()] = std::move(o);
    }
    return out;
}

Json SaveMempool(const RPCRequest& request)
{
    node::TxMempool& pool = EnsureMempool(request);
    if (!pool.IsLoaded()) throw RPCError(RPC_MISC_ERROR, "The mempool was not loaded yet");
    const std::filesystem::path path = request.node->datadir / "mempool.dat";
    std::string error;
    if (!node::DumpMempool(pool, path, pool.Options().persist_v1_dat, error)) {
        throw RPCError(RPC_MISC_ERROR, "Unable to dump mempool to disk");
    }
    Json out = Json::object();
    out["filename"] = path.string();
    return out;
}

const char* ENTRY_RESULT =
    "{\n"
    "  \"vsize\" : n,                 (numeric) virtual transaction size as defined in BIP 141.\n"
    "  \"weight\" : n,                (numeric) transaction weight as defined in BIP 141.\n"
    "  \"time\" : xxx,                (numeric) local time transaction entered pool in seconds since 1 Jan 1970 GMT\n"
    "  \"height\" : n,                (numeric) block height when transaction entered pool\n"
    "  \"descendantcount\" : n,       (numeric) number of in-mempool descendant transactions (including this one)\n"
    "  \"descendantsize\" : n,        (numeric) virtual transaction size of in-mempool descendants (including this one)\n"
    "  \"ancestorcount\" : n,         (numeric) number of in-mempool ancestor transactions (including this one)\n"
    "  \"ancestorsize\" : n,          (numeric) virtual transaction size of in-mempool ancestors (including this one)\n"
    "  \"wtxid\" : \"hex\",             (string) hash of serialized transaction, including witness data\n"
    "  \"fees\" : {                   (json object)\n"
    "    \"base\" : n,                (numeric) transaction fee, denominated in BTC\n"
    "    \"modified\" : n,            (numeric) transaction fee with fee deltas used for mining priority, denominated in BTC\n"
    "    \"ancestor\" : n,            (numeric) transaction fees of in-mempool ancestors (including this one) with fee deltas used for mining priority, denominated in BTC\n"
    "    \"descendant\" : n           (numeric) transaction fees of in-mempool descendants (including this one) with fee deltas used for mining priority, denominated in BTC\n"
    "  },\n"
    "  \"depends\" : [ \"hex\", ... ],  (json array) unconfirmed transactions used as inputs for this transaction\n"
    "  \"spentby\" : [ \"hex\", ... ],  (json array) unconfirmed transactions spending outputs from this transaction\n"
    "  \"bip125-replaceable\" : true|false,  (boolean) Whether this transaction signals BIP125 replaceability\n"
    "  \"unbroadcast\" : true|false   (boolean) Whether this transaction is currently unbroadcast\n"
    "}\n";

} // namespace

void RegisterMempoolRPCCommands(RPCTable& table)
{
    table.Register({"blockchain", "getrawmempool",
                    "Returns all transaction ids in memory pool as a json array of string transaction ids.\n\n"
                    "Hint: use getmempoolentry to fetch a specific transaction from the mempool.",
                    {{"verbose", T::BOOL, true, "default=false", "True for a json object, false for array of transaction ids"},
                     {"mempool_sequence", T::BOOL, true, "default=false",
                      "If verbose=false, returns a json object with transaction list and mempool sequence number attached."}},
                    "(for verbose = false)\n[ \"hex\", ... ]\n\n(for verbose = true)\n{ \"transactionid\" : " +
                        std::string(ENTRY_RESULT) +
                        "}\n\n(for verbose = false and mempool_sequence = true)\n{ \"txids\" : [ \"hex\", ... ], "
                        "\"mempool_sequence\" : n }\n",
                    Examples("getrawmempool", "true", "true"), GetRawMempool});
    table.Register({"blockchain", "getmempoolancestors",
                    "If txid is in the mempool, returns all in-mempool ancestors.",
                    {{"txid", T::STR_HEX, false, "required", "The transaction id (must be in mempool)"},
                     {"verbose", T::BOOL, true, "default=false", "True for a json object, false for array of transaction ids"}},
                    "(for verbose = false)\n[ \"hex\", ... ]\n\n(for verbose = true)\n{ \"transactionid\" : " +
                        std::string(ENTRY_RESULT) + "}\n",
                    Examples("getmempoolancestors", "\"mytxid\"", "\"mytxid\""), GetMempoolAncestors});
    table.Register({"blockchain", "getmempooldescendants",
                    "If txid is in the mempool, returns all in-mempool descendants.",
                    {{"txid", T::STR_HEX, false, "required", "The transaction id (must be in mempool)"},
                     {"verbose", T::BOOL, true, "default=false", "True for a json object, false for array of transaction ids"}},
                    "(for verbose = false)\n[ \"hex\", ... ]\n\n(for verbose = true)\n{ \"transactionid\" : " +
                        std::string(ENTRY_RESULT) + "}\n",
                    Examples("getmempooldescendants", "\"mytxid\"", "\"mytxid\""), GetMempoolDescendants});
    table.Register({"blockchain", "getmempoolentry", "Returns mempool data for given transaction",
                    {{"txid", T::STR_HEX, false, "required", "The transaction id (must be in mempool)"}},
                    ENTRY_RESULT, Examples("getmempoolentry", "\"mytxid\"", "\"mytxid\""), GetMempoolEntry});
    table.Register({"blockchain", "getmempoolinfo", "Returns details on the active state of the TX memory pool.", {},
                    "{\n"
                    "  \"loaded\" : true|false,         (boolean) True if the initial load attempt of the persisted mempool finished\n"
                    "  \"size\" : n,                    (numeric) Current tx count\n"
                    "  \"bytes\" : n,                   (numeric) Sum of all virtual transaction sizes as defined in BIP 141.\n"
                    "  \"usage\" : n,                   (numeric) Total memory usage for the mempool\n"
                    "  \"total_fee\" : n,               (numeric) Total fees for the mempool in BTC, ignoring modified fees through prioritisetransaction\n"
                    "  \"maxmempool\" : n,              (numeric) Maximum memory usage for the mempool\n"
                    "  \"mempoolminfee\" : n,           (numeric) Minimum fee rate in BTC/kvB for tx to be accepted.\n"
                    "  \"minrelaytxfee\" : n,           (numeric) Current minimum relay fee for transactions\n"
                    "  \"incrementalrelayfee\" : n,     (numeric) minimum fee rate increment for mempool limiting or replacement in BTC/kvB\n"
                    "  \"unbroadcastcount\" : n,        (numeric) Current number of transactions that haven't passed initial broadcast yet\n"
                    "  \"fullrbf\" : true|false,        (boolean) True if the mempool accepts RBF without replaceability signaling inspection (DEPRECATED)\n"
                    "  \"permitbaremultisig\" : true|false, (boolean) True if the mempool accepts transactions with bare multisig outputs\n"
                    "  \"maxdatacarriersize\" : n       (numeric) Maximum number of bytes that can be used by OP_RETURN outputs in the mempool\n"
                    "}\n",
                    Examples("getmempoolinfo", "", ""), GetMempoolInfo});
    table.Register({"blockchain", "savemempool",
                    "Dumps the mempool to disk. It will fail until the previous dump is fully loaded.", {},
                    "{\n  \"filename\" : \"str\"    (string) the directory and file where the mempool was saved\n}\n",
                    Examples("savemempool", "", ""), SaveMempool});
    table.Register({"mining", "prioritisetransaction",
                    "Accepts the transaction into mined blocks at a higher (or lower) priority",
                    {{"txid", T::STR_HEX, false, "required", "The transaction id."},
                     {"dummy", T::NUM, true, "optional", "API-Compatibility for previous API. Must be zero or null.\n"
                                                          "DEPRECATED. For forward compatibility use named arguments and omit this parameter."},
                     {"fee_delta", T::NUM, false, "required",
                      "The fee value (in satoshis) to add (or subtract, if negative).\n"
                      "Note, that this value is not a fee rate. It is a value to modify absolute fee of the TX.\n"
                      "The fee is not actually paid, only the algorithm for selecting transactions into a block\n"
                      "considers the transaction as it would have paid a higher (or lower) fee."}},
                    "true|false    (boolean) Returns true\n",
                    Examples("prioritisetransaction", "\"txid\" 0.0 10000", "\"txid\", 0.0, 10000"), PrioritiseTransaction});
    table.Register({"mining", "getprioritisedtransactions",
                    "Returns a map of all user-created (see prioritisetransaction) fee deltas by txid, and whether "
                    "the tx is present in mempool.",
                    {},
                    "{\n  \"<transactionid>\" : {   (json object)\n"
                    "    \"fee_delta\" : n,        (numeric) transaction fee delta in satoshis\n"
                    "    \"in_mempool\" : true|false, (boolean) whether this transaction is currently in mempool\n"
                    "    \"modified_fee\" : n      (numeric, optional) modified fee in satoshis. Only returned if in_mempool=true\n"
                    "  },\n  ...\n}\n",
                    Examples("getprioritisedtransactions", "", ""), GetPrioritisedTransactions});
}
