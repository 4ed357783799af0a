// Mempool RPCs: getrawmempool, getmempoolinfo, getmempoolentry,
// getmempoolancestors, getmempooldescendants, savemempool,
// prioritisetransaction, getprioritisedtransactions, gettxspendingprevout,
// importmempool.

#include <kernel/validation.h>
#include <node/context.h>
#include <node/mempool_persist.h>
#include <node/policy.h>
#include <node/txmempool.h>
#include <rpc/server.h>
#include <rpc/util.h>

#include <fmt/format.h>

#include <filesystem>
#include <limits>
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
    o["unbroadcast"] = pool.IsUnbroadcastTx(e.GetTxid());
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

// Loads transactions (and optionally their metadata) from a mempool.dat-format file.
Json ImportMempool(const RPCRequest& request)
{
    node::TxMempool& pool = EnsureMempool(request);
    ChainstateManager& chainman = EnsureChainman(request);
    if (chainman.IsInitialBlockDownload()) {
        throw RPCError(RPC_CLIENT_IN_INITIAL_DOWNLOAD,
                       "Can only import the mempool after the block download and sync is done.");
    }
    const std::filesystem::path path = ParamString(request, 0, "");
    node::LoadMempoolOptions opts;
    opts.use_current_time = true;
    opts.apply_fee_delta_priority = false;
    opts.apply_unbroadcast_set = false;
    const Json& options = request.Param(1);
    if (!options.is_null()) {
        if (!options.is_object()) {
            throw RPCError(RPC_TYPE_ERROR,
                           "JSON value of type " + JsonTypeName(options) + " is not of expected type object");
        }
        for (const auto& [key, value] : options.items()) {
            bool* field = key == "use_current_time"           ? &opts.use_current_time
                          : key == "apply_fee_delta_priority" ? &opts.apply_fee_delta_priority
                          : key == "apply_unbroadcast_set"    ? &opts.apply_unbroadcast_set
                                                              : nullptr;
            if (!field) throw RPCError(RPC_TYPE_ERROR, "Unexpected key " + key);
            if (value.is_null()) continue;
            if (!value.is_boolean()) {
                throw RPCError(RPC_TYPE_ERROR, "JSON value of type " + JsonTypeName(value) + " for field " + key +
                                                   " is not of expected type bool");
            }
            *field = value.get<bool>();
        }
    }
    node::LoadMempoolResult result;
    std::string error;
    if (!node::LoadMempool(pool, chainman, path, result, error, opts) || !result.file_read) {
        throw RPCError(RPC_MISC_ERROR, "Unable to import mempool file, see debug.log for details.");
    }
    return Json::object();
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
    out["unbroadcastcount"] = pool.GetUnbroadcastTxs().size();
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

// Which mempool transaction, if any, spends each of the given outpoints.
Json GetTxSpendingPrevout(const RPCRequest& request)
{
    node::TxMempool& pool = EnsureMempool(request);
    const Json& outputs = request.Param(0);
    if (!outputs.is_array()) {
        throw RPCError(RPC_TYPE_ERROR, "JSON value of type " + JsonTypeName(outputs) + " is not of expected type array");
    }
    if (outputs.empty()) throw RPCError(RPC_INVALID_PARAMETER, "Invalid parameter, outputs are missing");
    std::vector<OutPoint> prevouts;
    for (const Json& o : outputs) {
        if (!o.is_object()) {
            throw RPCError(RPC_TYPE_ERROR, "JSON value of type " + JsonTypeName(o) + " is not of expected type object");
        }
        for (const auto& [key, value] : o.items()) {
            if (key != "txid" && key != "vout") throw RPCError(RPC_TYPE_ERROR, "Unexpected key " + key);
        }
        if (!o.contains("txid")) throw RPCError(RPC_TYPE_ERROR, "Missing txid");
        if (!o.contains("vout")) throw RPCError(RPC_TYPE_ERROR, "Missing vout");
        if (!o["txid"].is_string()) {
            throw RPCError(RPC_TYPE_ERROR, "JSON value of type " + JsonTypeName(o["txid"]) +
                                               " for field txid is not of expected type string");
        }
        if (!o["vout"].is_number()) {
            throw RPCError(RPC_TYPE_ERROR, "JSON value of type " + JsonTypeName(o["vout"]) +
                                               " for field vout is not of expected type number");
        }
        const uint256 txid = ParseHashV(o["txid"], "txid");
        if (!o["vout"].is_number_integer()) throw RPCError(RPC_TYPE_ERROR, "JSON integer out of range");
        const int64_t vout = o["vout"].get<int64_t>();
        if (vout < 0) throw RPCError(RPC_INVALID_PARAMETER, "Invalid parameter, vout cannot be negative");
        if (vout > std::numeric_limits<int32_t>::max()) throw RPCError(RPC_TYPE_ERROR, "JSON integer out of range");
        prevouts.emplace_back(txid, static_cast<uint32_t>(vout));
    }
    PoolLock lock(pool.Mutex());
    Json out = Json::array();
    for (const OutPoint& prevout : prevouts) {
        Json o = Json::object();
        o["txid"] = prevout.hash.GetHex();
        o["vout"] = prevout.n;
        if (const Transaction* spender = pool.GetConflictTx(prevout)) o["spendingtxid"] = spender->GetHash().GetHex();
        out.push_back(std::move(o));
    }
    return out;
}

const char* ENTRY_RESULT =
    "{\n"
    "  \"vsize\" : n,                 (numeric) size of the transaction in virtual bytes (BIP 141 definition).\n"
    "  \"weight\" : n,                (numeric) weight units of the transaction (BIP 141 definition).\n"
    "  \"time\" : xxx,                (numeric) UNIX timestamp (seconds) at which this node added the transaction to its pool\n"
    "  \"height\" : n,                (numeric) chain tip height at the moment the transaction was added\n"
    "  \"descendantcount\" : n,       (numeric) count of descendants present in the mempool, this transaction included\n"
    "  \"descendantsize\" : n,        (numeric) combined vsize of descendants present in the mempool, this transaction included\n"
    "  \"ancestorcount\" : n,         (numeric) count of ancestors present in the mempool, this transaction included\n"
    "  \"ancestorsize\" : n,          (numeric) combined vsize of ancestors present in the mempool, this transaction included\n"
    "  \"wtxid\" : \"hex\",             (string) witness-inclusive transaction hash\n"
    "  \"fees\" : {                   (json object)\n"
    "    \"base\" : n,                (numeric) fee actually paid by the transaction, in BTC\n"
    "    \"modified\" : n,            (numeric) fee after applying any prioritisation delta, in BTC\n"
    "    \"ancestor\" : n,            (numeric) summed prioritisation-adjusted fees of this transaction and its mempool ancestors, in BTC\n"
    "    \"descendant\" : n           (numeric) summed prioritisation-adjusted fees of this transaction and its mempool descendants, in BTC\n"
    "  },\n"
    "  \"depends\" : [ \"hex\", ... ],  (json array) txids of mempool parents whose outputs this transaction spends\n"
    "  \"spentby\" : [ \"hex\", ... ],  (json array) txids of mempool children that spend this transaction's outputs\n"
    "  \"bip125-replaceable\" : true|false,  (boolean) true when the transaction opts in to replacement per BIP125\n"
    "  \"unbroadcast\" : true|false   (boolean) true while the initial broadcast of the transaction is still pending\n"
    "}\n";

} // namespace

void RegisterMempoolRPCCommands(RPCTable& table)
{
    table.Register({"blockchain", "getrawmempool",
                    "Lists the txids of every transaction currently held in the mempool.\n\n"
                    "To inspect a single transaction in detail, call getmempoolentry.",
                    {{"verbose", T::BOOL, true, "default=false", "When true, produce an object keyed by txid; when false, a plain txid list"},
                     {"mempool_sequence", T::BOOL, true, "default=false",
                      "Only with verbose=false: wrap the txid list in an object that also carries the mempool sequence number."}},
                    "(for verbose = false)\n[ \"hex\", ... ]\n\n(for verbose = true)\n{ \"transactionid\" : " +
                        std::string(ENTRY_RESULT) +
                        "}\n\n(for verbose = false and mempool_sequence = true)\n{ \"txids\" : [ \"hex\", ... ], "
                        "\"mempool_sequence\" : n }\n",
                    Examples("getrawmempool", "true", "true"), GetRawMempool});
    table.Register({"blockchain", "getmempoolancestors",
                    "Lists the mempool ancestors of a transaction that is itself in the mempool.",
                    {{"txid", T::STR_HEX, false, "required", "Txid of a transaction currently in the mempool"},
                     {"verbose", T::BOOL, true, "default=false", "When true, produce an object keyed by txid; when false, a plain txid list"}},
                    "(for verbose = false)\n[ \"hex\", ... ]\n\n(for verbose = true)\n{ \"transactionid\" : " +
                        std::string(ENTRY_RESULT) + "}\n",
                    Examples("getmempoolancestors", "\"mytxid\"", "\"mytxid\""), GetMempoolAncestors});
    table.Register({"blockchain", "getmempooldescendants",
                    "Lists the mempool descendants of a transaction that is itself in the mempool.",
                    {{"txid", T::STR_HEX, false, "required", "Txid of a transaction currently in the mempool"},
                     {"verbose", T::BOOL, true, "default=false", "When true, produce an object keyed by txid; when false, a plain txid list"}},
                    "(for verbose = false)\n[ \"hex\", ... ]\n\n(for verbose = true)\n{ \"transactionid\" : " +
                        std::string(ENTRY_RESULT) + "}\n",
                    Examples("getmempooldescendants", "\"mytxid\"", "\"mytxid\""), GetMempoolDescendants});
    table.Register({"blockchain", "getmempoolentry", "Shows the mempool record of one transaction",
                    {{"txid", T::STR_HEX, false, "required", "Txid of a transaction currently in the mempool"}},
                    ENTRY_RESULT, Examples("getmempoolentry", "\"mytxid\"", "\"mytxid\""), GetMempoolEntry});
    table.Register({"blockchain", "getmempoolinfo", "Reports statistics and policy settings of the transaction mempool.", {},
                    "{\n"
                    "  \"loaded\" : true|false,         (boolean) whether loading mempool.dat at startup has completed\n"
                    "  \"size\" : n,                    (numeric) number of transactions in the pool\n"
                    "  \"bytes\" : n,                   (numeric) total vsize (BIP 141) of the pooled transactions\n"
                    "  \"usage\" : n,                   (numeric) memory the mempool currently occupies\n"
                    "  \"total_fee\" : n,               (numeric) sum of actually paid fees in BTC, prioritisation deltas not applied\n"
                    "  \"maxmempool\" : n,              (numeric) configured memory cap of the mempool\n"
                    "  \"mempoolminfee\" : n,           (numeric) lowest feerate (BTC/kvB) a transaction needs to get in right now\n"
                    "  \"minrelaytxfee\" : n,           (numeric) configured minimum relay feerate\n"
                    "  \"incrementalrelayfee\" : n,     (numeric) feerate step in BTC/kvB used for eviction and replacement rules\n"
                    "  \"unbroadcastcount\" : n,        (numeric) how many transactions still await their first broadcast\n"
                    "  \"fullrbf\" : true|false,        (boolean) whether replacements are allowed regardless of BIP125 signalling (DEPRECATED)\n"
                    "  \"permitbaremultisig\" : true|false, (boolean) whether transactions with bare multisig outputs are accepted\n"
                    "  \"maxdatacarriersize\" : n       (numeric) byte limit applied to OP_RETURN (data carrier) outputs\n"
                    "}\n",
                    Examples("getmempoolinfo", "", ""), GetMempoolInfo});
    table.Register({"blockchain", "savemempool",
                    "Writes the current mempool to disk; refused until the mempool loaded at startup has finished loading.", {},
                    "{\n  \"filename\" : \"str\"    (string) full path of the written mempool file\n}\n",
                    Examples("savemempool", "", ""), SaveMempool});
    table.Register({"mining", "prioritisetransaction",
                    "Raises (or lowers) how favourably a transaction is treated when selecting transactions for a block",
                    {{"txid", T::STR_HEX, false, "required", "Txid of the transaction to adjust."},
                     {"dummy", T::NUM, true, "optional", "Placeholder kept for old callers; only zero or null is allowed.\n"
                                                          "DEPRECATED. Prefer named arguments and leave this out."},
                     {"fee_delta", T::NUM, false, "required",
                      "Amount in satoshis added to the fee (negative values subtract).\n"
                      "This is an absolute fee adjustment, not a feerate.\n"
                      "Nothing extra is really paid; block template selection simply\n"
                      "treats the transaction as though its fee were this much higher (or lower)."}},
                    "true|false    (boolean) always true\n",
                    Examples("prioritisetransaction", "\"txid\" 0.0 10000", "\"txid\", 0.0, 10000"), PrioritiseTransaction});
    table.Register({"mining", "getprioritisedtransactions",
                    "Lists, per txid, every fee delta set through prioritisetransaction, together with "
                    "whether that transaction is currently in the mempool.",
                    {},
                    "{\n  \"<transactionid>\" : {   (json object)\n"
                    "    \"fee_delta\" : n,        (numeric) the fee adjustment, in satoshis\n"
                    "    \"in_mempool\" : true|false, (boolean) true if the transaction is present in the mempool\n"
                    "    \"modified_fee\" : n      (numeric, optional) fee including the delta, in satoshis; present only when in_mempool=true\n"
                    "  },\n  ...\n}\n",
                    Examples("getprioritisedtransactions", "", ""), GetPrioritisedTransactions});
    table.Register({"blockchain", "gettxspendingprevout",
                    "For each given outpoint, tells which mempool transaction (if any) spends it.",
                    {{"outputs", T::ARR, false, "required",
                      "The outpoints to look up: [{\"txid\": \"hex\", \"vout\": n}, ...]"}},
                    "[\n  {\n"
                    "    \"txid\" : \"hex\",          (string) the txid of the outpoint asked about\n"
                    "    \"vout\" : n,              (numeric) its output index\n"
                    "    \"spendingtxid\" : \"hex\"   (string, optional) txid of the mempool transaction spending it; "
                    "absent when no mempool transaction does\n"
                    "  },\n  ...\n]\n",
                    Examples("gettxspendingprevout", "\"[{\\\"txid\\\":\\\"mytxid\\\",\\\"vout\\\":0}]\"",
                             "\"[{\\\"txid\\\":\\\"mytxid\\\",\\\"vout\\\":0}]\""),
                    GetTxSpendingPrevout});
    table.Register({"blockchain", "importmempool",
                    "Adds the transactions of a mempool file (as written by savemempool or at shutdown) to the "
                    "mempool, checking each one like a new transaction.\n"
                    "Metadata from the file (entry times, fee deltas, the unbroadcast set) is only used when asked "
                    "for: trust the file before asking.",
                    {{"filepath", T::STR, false, "required", "Path of the mempool file"},
                     {"options", T::OBJ, true, "optional",
                      "{\n"
                      "  \"use_current_time\" : bool,          (default true) give every transaction the current "
                      "time as entry time instead of the file's\n"
                      "  \"apply_fee_delta_priority\" : bool,  (default false) add the file's fee deltas (see "
                      "prioritisetransaction) to the ones already set\n"
                      "  \"apply_unbroadcast_set\" : bool      (default false) put the file's unbroadcast txids in "
                      "this node's unbroadcast set, so they are announced again until a peer asks for them\n"
                      "}"}},
                    "{}    (json object) empty\n",
                    Examples("importmempool", "/path/to/mempool.dat", "\"/path/to/mempool.dat\""), ImportMempool});
}
