#include <rpc/rest.h>

#include <kernel/block_index.h>
#include <kernel/validation.h>
#include <node/context.h>
#include <primitives/block.h>
#include <rpc/blockchain.h>
#include <rpc/core_json.h>
#include <rpc/httpserver.h>
#include <rpc/util.h>
#include <streams.h>
#include <uint256.h>
#include <util/json.h>
#include <util/strencodings.h>

#include <atomic>
#include <cctype>
#include <charconv>
#include <ios>
#include <optional>
#include <string>
#include <vector>

namespace {

constexpr unsigned MAX_REST_HEADERS_RESULTS = 2000;
constexpr size_t MAX_GETUTXOS_OUTPOINTS = 15;

std::atomic<node::NodeContext*> g_rest_node{nullptr};

enum class RestFormat { UNDEF, BINARY, HEX, JSON };

struct FormatName {
    RestFormat format;
    const char* name;
};
constexpr FormatName FORMATS[] = {
    {RestFormat::BINARY, "bin"},
    {RestFormat::HEX, "hex"},
    {RestFormat::JSON, "json"},
};

// ".bin, .hex, .json"
std::string AvailableFormats()
{
    std::string out;
    for (const auto& f : FORMATS) {
        if (!out.empty()) out += ", ";
        out += std::string(".") + f.name;
    }
    return out;
}

// Splits "<param>.<ext>" (query already removed) into the parameter and the format.
RestFormat ParseFormat(std::string& param, const std::string& path)
{
    const size_t dot = path.rfind('.');
    if (dot == std::string::npos) {
        param = path;
        return RestFormat::UNDEF;
    }
    param = path.substr(0, dot);
    const std::string ext = path.substr(dot + 1);
    for (const auto& f : FORMATS) {
        if (ext == f.name) return f.format;
    }
    return RestFormat::UNDEF;
}

bool RestError(HttpRequest& req, int status, const std::string& message)
{
    req.WriteHeader("Content-Type", "text/plain");
    req.WriteReply(status, message + "\r\n");
    return false;
}

ChainstateManager* GetChainman(HttpRequest& req)
{
    node::NodeContext* node = g_rest_node.load();
    if (!node || !node->chainman) {
        RestError(req, HTTP_SERVICE_UNAVAILABLE, "Service temporarily unavailable: Loading block index…");
        return nullptr;
    }
    return node->chainman.get();
}

std::optional<uint256> ParseHash(const std::string& text)
{
    if (text.size() != 64) return std::nullopt;
    return uint256::FromHex(text);
}

void Reply(HttpRequest& req, RestFormat format, std::span<const unsigned char> binary, const Json* json)
{
    switch (format) {
    case RestFormat::BINARY:
        req.WriteHeader("Content-Type", "application/octet-stream");
        req.WriteReply(HTTP_OK, std::string(binary.begin(), binary.end()));
        return;
    case RestFormat::HEX:
        req.WriteHeader("Content-Type", "text/plain");
        req.WriteReply(HTTP_OK, HexStr(binary) + "\n");
        return;
    case RestFormat::JSON:
        req.WriteHeader("Content-Type", "application/json");
        req.WriteReply(HTTP_OK, WriteJson(*json) + "\n");
        return;
    case RestFormat::UNDEF:
        break;
    }
    RestError(req, HTTP_NOT_FOUND, "output format not found (available: " + AvailableFormats() + ")");
}

void HandleBlock(HttpRequest& req, const std::string& path, TxVerbosity verbosity)
{
    std::string hash_text;
    const RestFormat format = ParseFormat(hash_text, path);
    const auto hash = ParseHash(hash_text);
    if (!hash) {
        RestError(req, HTTP_BAD_REQUEST, "Invalid hash: " + hash_text);
        return;
    }
    ChainstateManager* chainman = GetChainman(req);
    if (!chainman) return;

    std::lock_guard lock(chainman->ChainLock());
    const BlockIndex* index = chainman->LookupBlockIndex(*hash);
    if (!index) {
        RestError(req, HTTP_NOT_FOUND, hash_text + " not found");
        return;
    }
    if (!(index->status & BLOCK_HAVE_DATA)) {
        const bool pruned = chainman->Blocks().HavePruned() && index->tx_count > 0;
        RestError(req, HTTP_NOT_FOUND, hash_text + (pruned ? " not available (pruned data)" : " not found"));
        return;
    }
    if (format == RestFormat::UNDEF) {
        Reply(req, format, {}, nullptr);
        return;
    }
    std::vector<unsigned char> raw;
    if (!chainman->Blocks().ReadRawBlock(raw, FlatFilePos{index->file, index->data_pos})) {
        RestError(req, HTTP_NOT_FOUND, hash_text + " not found");
        return;
    }
    if (format != RestFormat::JSON) {
        Reply(req, format, raw, nullptr);
        return;
    }
    Block block;
    SpanReader reader{raw};
    reader >> TX_WITH_WITNESS(block);
    std::optional<BlockUndo> undo;
    if (verbosity != TxVerbosity::SHOW_TXID && index->height > 0 && (index->status & BLOCK_HAVE_UNDO)) {
        BlockUndo read;
        if (chainman->Blocks().ReadUndo(read, *index)) undo = std::move(read);
    }
    const Json json = BlockToJson(block, chainman->ActiveChain(), *index, chainman->Params().Address(),
                                  chainman->Params().GetConsensus().pow_limit, verbosity, undo ? &*undo : nullptr);
    Reply(req, format, {}, &json);
}

void HandleHeaders(HttpRequest& req, const std::string& path)
{
    std::string param;
    const RestFormat format = ParseFormat(param, path);
    // "<hash>" with ?count=N, or the older "<count>/<hash>".
    std::string hash_text;
    std::string count_text;
    const size_t slash = param.find('/');
    if (slash == std::string::npos) {
        hash_text = param;
        count_text = req.GetQueryParameter("count").value_or("5");
    } else if (param.find('/', slash + 1) == std::string::npos) {
        count_text = param.substr(0, slash);
        hash_text = param.substr(slash + 1);
    } else {
        RestError(req, HTTP_BAD_REQUEST, "Invalid URI format. Expected /rest/headers/<hash>.<ext>?count=<count>");
        return;
    }
    unsigned count = 0;
    const auto [end, ec] = std::from_chars(count_text.data(), count_text.data() + count_text.size(), count);
    if (ec != std::errc{} || end != count_text.data() + count_text.size() || count < 1 ||
        count > MAX_REST_HEADERS_RESULTS) {
        RestError(req, HTTP_BAD_REQUEST,
                  "Header count is invalid or out of acceptable range (1-" + std::to_string(MAX_REST_HEADERS_RESULTS) +
                      "): " + count_text);
        return;
    }
    const auto hash = ParseHash(hash_text);
    if (!hash) {
        RestError(req, HTTP_BAD_REQUEST, "Invalid hash: " + hash_text);
        return;
    }
    ChainstateManager* chainman = GetChainman(req);
    if (!chainman) return;

    std::lock_guard lock(chainman->ChainLock());
    const Chain& chain = chainman->ActiveChain();
    std::vector<const BlockIndex*> headers;
    for (const BlockIndex* index = chainman->LookupBlockIndex(*hash); index && chain.Contains(index);
         index = chain.Next(index)) {
        headers.push_back(index);
        if (headers.size() == count) break;
    }
    DataStream s;
    Json json = Json::array();
    for (const BlockIndex* index : headers) {
        if (format == RestFormat::JSON) {
            json.push_back(BlockHeaderToJson(chain, *index, chainman->Params().GetConsensus().pow_limit));
        } else {
            s << index->GetBlockHeader();
        }
    }
    Reply(req, format, s.unread(), &json);
}

void HandleBlockHashByHeight(HttpRequest& req, const std::string& path)
{
    std::string height_text;
    const RestFormat format = ParseFormat(height_text, path);
    int height = -1;
    const auto [end, ec] = std::from_chars(height_text.data(), height_text.data() + height_text.size(), height);
    if (ec != std::errc{} || end != height_text.data() + height_text.size() || height < 0) {
        RestError(req, HTTP_BAD_REQUEST, "Invalid height: " + height_text);
        return;
    }
    ChainstateManager* chainman = GetChainman(req);
    if (!chainman) return;
    uint256 hash;
    {
        std::lock_guard lock(chainman->ChainLock());
        const BlockIndex* index = chainman->ActiveChain()[height];
        if (!index) {
            RestError(req, HTTP_NOT_FOUND, "Block height out of range");
            return;
        }
        hash = index->GetBlockHash();
    }
    if (format == RestFormat::HEX) {
        // The hash as it is displayed, not its bytes in hex.
        req.WriteHeader("Content-Type", "text/plain");
        req.WriteReply(HTTP_OK, hash.GetHex() + "\n");
        return;
    }
    const Json json = {{"blockhash", hash.GetHex()}};
    Reply(req, format, std::span<const unsigned char>(hash.begin(), hash.end()), &json);
}

void HandleTx(HttpRequest& req, const std::string& path)
{
    std::string hash_text;
    const RestFormat format = ParseFormat(hash_text, path);
    const auto txid = ParseHash(hash_text);
    if (!txid) {
        RestError(req, HTTP_BAD_REQUEST, "Invalid hash: " + hash_text);
        return;
    }
    ChainstateManager* chainman = GetChainman(req);
    if (!chainman) return;
    const auto found = chainman->FindTransaction(*txid);
    if (!found) {
        RestError(req, HTTP_NOT_FOUND, hash_text + " not found");
        return;
    }
    const auto& [tx, block_hash] = *found;
    DataStream s;
    s << TX_WITH_WITNESS(*tx);
    Json json;
    if (format == RestFormat::JSON) json = TxToJson(*tx, chainman->Params().Address(), block_hash);
    Reply(req, format, s.unread(), &json);
}

// "<txid>-<n>"
std::optional<OutPoint> ParseOutPoint(const std::string& text)
{
    const size_t dash = text.find('-');
    if (dash == std::string::npos || text.find('-', dash + 1) != std::string::npos) return std::nullopt;
    const auto txid = ParseHash(text.substr(0, dash));
    uint32_t n = 0;
    const std::string index = text.substr(dash + 1);
    const auto [end, ec] = std::from_chars(index.data(), index.data() + index.size(), n);
    if (!txid || index.empty() || ec != std::errc{} || end != index.data() + index.size()) return std::nullopt;
    return OutPoint{*txid, n};
}

// /rest/getutxos[/checkmempool]/<txid>-<n>/...<ext>, or for bin and hex the
// outpoints in the body: a checkmempool byte then a vector of outpoints.
// There is no mempool yet: checkmempool looks at the chain only.
void HandleGetUtxos(HttpRequest& req, const std::string& path)
{
    std::string param;
    const RestFormat format = ParseFormat(param, path);
    std::vector<std::string> parts;
    for (size_t start = 0; start < param.size();) {
        size_t slash = param.find('/', start);
        if (slash == std::string::npos) slash = param.size();
        if (slash > start) parts.push_back(param.substr(start, slash - start));
        start = slash + 1;
    }
    std::string body = req.ReadBody();
    if (body.empty() && parts.empty()) {
        RestError(req, HTTP_BAD_REQUEST, "Error: empty request");
        return;
    }
    std::vector<OutPoint> outpoints;
    const bool from_uri = !parts.empty();
    if (from_uri) {
        for (size_t i = parts[0] == "checkmempool" ? 1 : 0; i < parts.size(); ++i) {
            const auto outpoint = ParseOutPoint(parts[i]);
            if (!outpoint) {
                RestError(req, HTTP_BAD_REQUEST, "Parse error");
                return;
            }
            outpoints.push_back(*outpoint);
        }
        if (outpoints.empty()) {
            RestError(req, HTTP_BAD_REQUEST, "Error: empty request");
            return;
        }
    }
    switch (format) {
    case RestFormat::HEX:
    case RestFormat::BINARY:
        if (!body.empty()) {
            if (from_uri) {
                RestError(req, HTTP_BAD_REQUEST, "Combination of URI scheme inputs and raw post data is not allowed");
                return;
            }
            std::vector<unsigned char> raw(body.begin(), body.end());
            if (format == RestFormat::HEX) {
                while (!body.empty() && std::isspace(static_cast<unsigned char>(body.back()))) body.pop_back();
                raw = TryParseHex(body).value_or(std::vector<unsigned char>{});
            }
            try {
                SpanReader reader{raw};
                bool check_mempool = false;
                reader >> check_mempool >> outpoints;
            } catch (const std::ios_base::failure&) {
                RestError(req, HTTP_BAD_REQUEST, "Parse error");
                return;
            }
        }
        break;
    case RestFormat::JSON:
        if (!from_uri) {
            RestError(req, HTTP_BAD_REQUEST, "Error: empty request");
            return;
        }
        break;
    case RestFormat::UNDEF:
        Reply(req, format, {}, nullptr);
        return;
    }
    if (outpoints.size() > MAX_GETUTXOS_OUTPOINTS) {
        RestError(req, HTTP_BAD_REQUEST,
                  "Error: max outpoints exceeded (max: " + std::to_string(MAX_GETUTXOS_OUTPOINTS) +
                      ", tried: " + std::to_string(outpoints.size()) + ")");
        return;
    }
    ChainstateManager* chainman = GetChainman(req);
    if (!chainman) return;

    std::vector<Coin> found;
    std::vector<bool> hits;
    int height;
    uint256 tip_hash;
    {
        std::lock_guard lock(chainman->ChainLock());
        for (const OutPoint& outpoint : outpoints) {
            std::optional<Coin> coin = chainman->CoinsTip().GetCoin(outpoint);
            const bool hit = coin && !coin->IsSpent();
            hits.push_back(hit);
            if (hit) found.push_back(std::move(*coin));
        }
        height = chainman->ActiveChain().Height();
        tip_hash = chainman->ActiveChain().Tip()->GetBlockHash();
    }
    if (format == RestFormat::JSON) {
        std::string bitmap;
        for (bool hit : hits) bitmap += hit ? '1' : '0';
        Json utxos = Json::array();
        for (const Coin& coin : found) {
            Json utxo = Json::object();
            utxo["height"] = coin.height;
            utxo["value"] = ValueFromAmount(coin.out.value);
            utxo["scriptPubKey"] = ScriptPubKeyToJson(coin.out.script_pubkey, chainman->Params().Address());
            utxos.push_back(std::move(utxo));
        }
        const Json json = {{"chainHeight", height}, {"chaintipHash", tip_hash.GetHex()}, {"bitmap", bitmap},
                           {"utxos", std::move(utxos)}};
        Reply(req, format, {}, &json);
        return;
    }
    // Binary: height, tip hash, the hit bits packed (LSB first) as a byte
    // vector, then each coin as {uint32 0 (old version slot), uint32 height, output}.
    std::vector<unsigned char> bitmap((hits.size() + 7) / 8);
    for (size_t i = 0; i < hits.size(); ++i) bitmap[i / 8] |= static_cast<unsigned char>(hits[i]) << (i % 8);
    DataStream s;
    s << static_cast<int32_t>(height) << tip_hash << bitmap;
    WriteCompactSize(s, found.size());
    for (const Coin& coin : found) s << uint32_t{0} << coin.height << coin.out;
    Reply(req, format, s.unread(), nullptr);
}

void HandleChainInfo(HttpRequest& req, const std::string& path)
{
    std::string param;
    const RestFormat format = ParseFormat(param, path);
    if (format != RestFormat::JSON) {
        RestError(req, HTTP_NOT_FOUND, "output format not found (available: json)");
        return;
    }
    ChainstateManager* chainman = GetChainman(req);
    if (!chainman) return;
    const Json json = BlockchainInfoJson(*chainman);
    Reply(req, format, {}, &json);
}

struct Endpoint {
    const char* prefix;
    void (*handler)(HttpRequest&, const std::string&);
};

const Endpoint ENDPOINTS[] = {
    {"/rest/tx/", HandleTx},
    {"/rest/block/notxdetails/", [](HttpRequest& r, const std::string& p) { HandleBlock(r, p, TxVerbosity::SHOW_TXID); }},
    {"/rest/block/", [](HttpRequest& r, const std::string& p) { HandleBlock(r, p, TxVerbosity::SHOW_DETAILS_AND_PREVOUT); }},
    {"/rest/chaininfo", HandleChainInfo},
    {"/rest/headers/", HandleHeaders},
    {"/rest/blockhashbyheight/", HandleBlockHashByHeight},
    {"/rest/getutxos", HandleGetUtxos},
};

} // namespace

void StartREST(node::NodeContext& node)
{
    g_rest_node = &node;
    // Registered in this order, so that the longer /rest/block/notxdetails/
    // is registered after /rest/block/ and wins (later registrations are
    // tried first).
    for (auto it = std::rbegin(ENDPOINTS); it != std::rend(ENDPOINTS); ++it) {
        RegisterHttpHandler(it->prefix, false, [handler = it->handler](HttpRequest& req, const std::string& rest) {
            try {
                handler(req, rest);
            } catch (const std::exception& e) {
                RestError(req, HTTP_INTERNAL_SERVER_ERROR, std::string("Error: ") + e.what());
            }
        });
    }
}

void StopREST()
{
    for (const Endpoint& endpoint : ENDPOINTS) UnregisterHttpHandler(endpoint.prefix, false);
    g_rest_node = nullptr;
}
