// Mining RPCs: generatetoaddress, generatetodescriptor, generateblock,
// getblocktemplate (BIP22/23), submitblock, getmininginfo, getnetworkhashps.

#include <arith_uint256.h>
#include <consensus/block_check.h>
#include <consensus/consensus.h>
#include <consensus/pow.h>
#include <kernel/pow.h>
#include <kernel/validation.h>
#include <node/context.h>
#include <node/miner.h>
#include <primitives/block.h>
#include <rpc/core_json.h>
#include <rpc/server.h>
#include <rpc/util.h>
#include <script/address.h>
#include <script/descriptor.h>
#include <streams.h>
#include <util/shutdown.h>
#include <util/strencodings.h>
#include <util/time.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <thread>

namespace {

const AddressParams& ChainAddressParams(const RPCRequest& request)
{
    return EnsureChainman(request).Params().Address();
}

// Core's getScriptFromDescriptor: false (with the parser's message) when the
// text is not a descriptor; RPC errors for ranged ones and missing keys.
bool ScriptFromDescriptor(const std::string& text, const AddressParams& params, Script& script, std::string& error)
{
    const auto desc = descriptor::Parse(text, params, error, /*require_checksum=*/false);
    if (!desc) return false;
    if (desc->IsRange()) {
        throw RPCError(RPC_INVALID_PARAMETER, "Ranged descriptor not accepted. Maybe pass through deriveaddresses first?");
    }
    const auto scripts = desc->Expand(0);
    if (!scripts || scripts->empty()) {
        throw RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Cannot derive script without private keys");
    }
    script = scripts->front();
    return true;
}

uint64_t MaxTries(const RPCRequest& request, size_t i)
{
    const int64_t tries = ParamInt(request, i, static_cast<int64_t>(node::DEFAULT_MAX_TRIES));
    return tries < 0 ? 0 : static_cast<uint64_t>(tries);
}

Json HashesJson(const std::vector<uint256>& hashes)
{
    Json out = Json::array();
    for (const uint256& hash : hashes) out.push_back(hash.GetHex());
    return out;
}

Json Generate(const RPCRequest& request, const Script& script, int count, uint64_t max_tries)
{
    ChainstateManager& chainman = EnsureChainman(request);
    try {
        return HashesJson(node::GenerateBlocks(chainman, script, count, max_tries));
    } catch (const node::BlockNotAccepted& e) {
        throw RPCError(RPC_INTERNAL_ERROR, e.what());
    }
}

std::optional<Block> DecodeHexBlock(const std::string& hex)
{
    const auto bytes = TryParseHex(hex);
    if (!bytes) return std::nullopt;
    try {
        DataStream stream{std::span<const unsigned char>(*bytes)};
        Block block;
        stream >> block;
        return block;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

template <typename T>
std::string SerializeHex(const T& obj)
{
    DataStream stream;
    stream << obj;
    return HexStr(stream.unread());
}


std::string TargetHex(uint32_t bits)
{
    arith_uint256 target;
    target.SetCompact(bits);
    return target.GetHex();
}

// BIP22's answer for a checked block: null when valid, else the reason.
Json Bip22Result(const BlockValidationState& state)
{
    if (state.IsValid()) return nullptr;
    if (state.IsError()) throw RPCError(RPC_VERIFY_ERROR, state.ToString());
    if (state.GetRejectReason().empty()) return "rejected";
    return state.GetRejectReason();
}

// Hashes per second over the last `lookup` blocks up to `height` (-1: tip).
Json NetworkHashPs(ChainstateManager& chainman, int64_t lookup, int64_t height)
{
    std::lock_guard lock(chainman.ChainLock());
    const Chain& chain = chainman.ActiveChain();
    if (lookup < -1 || lookup == 0) {
        throw RPCError(RPC_INVALID_PARAMETER, "Invalid nblocks. Must be a positive number or -1.");
    }
    if (height < -1 || height > chain.Height()) {
        throw RPCError(RPC_INVALID_PARAMETER, "Block does not exist at specified height");
    }
    const BlockIndex* block = height >= 0 ? chain[static_cast<int>(height)] : chain.Tip();
    if (!block || block->height == 0) return 0;
    if (lookup == -1) lookup = block->height % chainman.Params().GetConsensus().DifficultyAdjustmentInterval() + 1;
    lookup = std::min<int64_t>(lookup, block->height);
    const BlockIndex* first = block;
    int64_t min_time = first->GetBlockTime();
    int64_t max_time = min_time;
    for (int64_t i = 0; i < lookup; ++i) {
        first = first->prev;
        min_time = std::min(min_time, first->GetBlockTime());
        max_time = std::max(max_time, first->GetBlockTime());
    }
    if (min_time == max_time) return 0;
    const arith_uint256 work = block->chain_work - first->chain_work;
    return work.getdouble() / static_cast<double>(max_time - min_time);
}

// ---------------------------------------------------------------------------

RPCMethod GenerateToAddressMethod()
{
    return RPCMethod{
        "generating", "generatetoaddress",
        "Mines blocks on the active tip right away, each coinbase paying the given address, and answers once they are connected.",
        {
            {"nblocks", RPCArg::Type::NUM, false, "", "Number of blocks to mine."},
            {"address", RPCArg::Type::STR, false, "", "Address the coinbases pay to."},
            {"maxtries", RPCArg::Type::NUM, true, "default=1000000", "Nonces to try in all before giving up."},
        },
        "[                    (json array) the mined blocks, in order\n"
        "  \"hex\",             (string) block hash\n"
        "  ...\n"
        "]",
        HelpExampleCli("generatetoaddress", "11 \"myaddress\""),
        [](const RPCRequest& request) -> Json {
            const int64_t count = ParamInt(request, 0, 0);
            const uint64_t max_tries = MaxTries(request, 2);
            const auto script = DecodeAddress(ParamString(request, 1, ""), ChainAddressParams(request));
            if (!script) throw RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Error: Invalid address");
            return Generate(request, *script, static_cast<int>(count), max_tries);
        }};
}

RPCMethod GenerateToDescriptorMethod()
{
    return RPCMethod{
        "generating", "generatetodescriptor",
        "Mines blocks on the active tip right away, each coinbase paying the script of an unranged descriptor.",
        {
            {"num_blocks", RPCArg::Type::NUM, false, "", "Number of blocks to mine."},
            {"descriptor", RPCArg::Type::STR, false, "", "Descriptor whose script the coinbases pay to (checksum optional)."},
            {"maxtries", RPCArg::Type::NUM, true, "default=1000000", "Nonces to try in all before giving up."},
        },
        "[                    (json array) the mined blocks, in order\n"
        "  \"hex\",             (string) block hash\n"
        "  ...\n"
        "]",
        HelpExampleCli("generatetodescriptor", "11 \"mydesc\""),
        [](const RPCRequest& request) -> Json {
            const int64_t count = ParamInt(request, 0, 0);
            const uint64_t max_tries = MaxTries(request, 2);
            Script script;
            std::string error;
            if (!ScriptFromDescriptor(ParamString(request, 1, ""), ChainAddressParams(request), script, error)) {
                throw RPCError(RPC_INVALID_ADDRESS_OR_KEY, error);
            }
            return Generate(request, script, static_cast<int>(count), max_tries);
        }};
}

RPCMethod GenerateBlockMethod()
{
    return RPCMethod{
        "generating", "generateblock",
        "Mines one block holding exactly the given transactions, in the given order, after a coinbase paying\n"
        "the given address or descriptor. Raw transactions need not have been seen before but must be valid\n"
        "on the tip; a txid names a mempool transaction. The coinbase takes the subsidy only, not the fees.",
        {
            {"output", RPCArg::Type::STR, false, "", "Address or unranged descriptor the coinbase pays to."},
            {"transactions", RPCArg::Type::ARR, false, "",
             "Hex strings: raw transactions, or txids of mempool transactions.\n"
             "Parents must come before children; one invalid transaction fails the call."},
            {"submit", RPCArg::Type::BOOL, true, "default=true",
             "true: connect the block before answering; false: only return it, serialized."},
        },
        "{                    (json object)\n"
        "  \"hash\" : \"hex\",    (string) the block's hash\n"
        "  \"hex\" : \"hex\"      (string, optional) the serialized block (with witness data), with submit=false only\n"
        "}",
        HelpExampleCli("generateblock", "\"myaddress\" '[\"rawtx\", \"mempool_txid\"]'"),
        [](const RPCRequest& request) -> Json {
            ChainstateManager& chainman = EnsureChainman(request);
            const AddressParams& params = chainman.Params().Address();
            const std::string output = ParamString(request, 0, "");
            Script script;
            std::string error;
            if (!ScriptFromDescriptor(output, params, script, error)) {
                auto decoded = DecodeAddress(output, params);
                if (!decoded) throw RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Error: Invalid address or descriptor");
                script = std::move(*decoded);
            }

            std::vector<TransactionRef> txs;
            for (const Json& item : request.Param(1)) {
                const std::string text = item.is_string() ? item.get<std::string>() : WriteJson(item);
                if (text.size() == 64 && TryParseHex(text)) {
                    // A txid: only the mempool (next issue) could supply it.
                    throw RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Transaction " + text + " not in mempool.");
                }
                auto tx = DecodeHexTx(text);
                if (!tx) {
                    throw RPCError(RPC_DESERIALIZATION_ERROR,
                                   "Transaction decode failed for " + text + ". Make sure the tx has at least one input.");
                }
                txs.push_back(MakeTransactionRef(std::move(*tx)));
            }
            const bool submit = ParamBool(request, 2, true);

            Block block;
            {
                std::lock_guard lock(chainman.ChainLock());
                node::AssemblerOptions options;
                options.coinbase_script = script;
                options.test_validity = false;
                auto tmpl = node::BlockAssembler(chainman).CreateNewBlock(options);
                block = *tmpl->block;
                block.vtx.insert(block.vtx.end(), txs.begin(), txs.end());
                node::RegenerateCommitments(block, chainman);
                BlockValidationState state;
                BlockIndex* prev = chainman.LookupBlockIndex(block.prev_block);
                if (!chainman.TestBlockValidity(state, block, prev, /*check_pow=*/false, /*check_merkle=*/false)) {
                    throw RPCError(RPC_VERIFY_ERROR, "TestBlockValidity failed: " + state.ToString());
                }
            }
            std::shared_ptr<const Block> solved;
            uint64_t max_tries = node::DEFAULT_MAX_TRIES;
            try {
                if (!node::GenerateBlock(chainman, std::move(block), max_tries, solved, submit) || !solved) {
                    throw RPCError(RPC_MISC_ERROR, "Failed to make block.");
                }
            } catch (const node::BlockNotAccepted& e) {
                throw RPCError(RPC_INTERNAL_ERROR, e.what());
            }
            Json result = Json::object();
            result["hash"] = solved->GetHash().GetHex();
            if (!submit) result["hex"] = SerializeHex(*solved);
            return result;
        }};
}

// Waits (without the chain lock) until the tip is no longer `watched`, or
// shutdown. Without a mempool there are no transaction updates to wake on.
void WaitForTipChange(ChainstateManager& chainman, const uint256& watched)
{
    while (!ShutdownRequested()) {
        {
            std::lock_guard lock(chainman.ChainLock());
            const BlockIndex* tip = chainman.ActiveChain().Tip();
            if (!tip || tip->GetBlockHash() != watched) return;
        }
        if (WaitForShutdownFor(100)) return;
    }
}

Json ProposalResult(ChainstateManager& chainman, const Json& request_obj)
{
    const auto it = request_obj.find("data");
    if (it == request_obj.end() || !it->is_string()) {
        throw RPCError(RPC_TYPE_ERROR, "Missing data String key for proposal");
    }
    const auto block = DecodeHexBlock(it->get<std::string>());
    if (!block) throw RPCError(RPC_DESERIALIZATION_ERROR, "Block decode failed");
    std::lock_guard lock(chainman.ChainLock());
    if (const BlockIndex* index = chainman.LookupBlockIndex(block->GetHash())) {
        if (index->IsValid(BLOCK_VALID_SCRIPTS)) return "duplicate";
        if (index->status & BLOCK_FAILED_MASK) return "duplicate-invalid";
        return "duplicate-inconclusive";
    }
    BlockIndex* tip = chainman.ActiveChain().Tip();
    if (block->prev_block != tip->GetBlockHash()) return "inconclusive-not-best-prevblk";
    BlockValidationState state;
    chainman.TestBlockValidity(state, *block, tip, /*check_pow=*/false, /*check_merkle=*/true);
    return Bip22Result(state);
}

RPCMethod GetBlockTemplateMethod()
{
    return RPCMethod{
        "mining", "getblocktemplate",
        "Returns what a miner needs to build a block on the active tip (BIP22), or, with mode \"proposal\",\n"
        "checks a complete block without its proof of work (BIP23). Clients must list the rules they\n"
        "understand: \"segwit\" always (BIP145), \"signet\" on signet. Version bits as in BIP9.",
        {
            {"template_request", RPCArg::Type::OBJ, false, "",
             "The request:\n"
             "{\n"
             "  \"mode\": \"str\",            (string, optional) \"template\" (the default) or \"proposal\"\n"
             "  \"capabilities\": [\"str\",...], (json array, optional) what the client supports, e.g. \"longpoll\", \"proposal\"\n"
             "  \"rules\": [\"segwit\",...],  (json array, required) rules the client understands: \"segwit\" (and \"signet\" on signet)\n"
             "  \"longpollid\": \"str\",      (string, optional) answer only once the template would differ from the one with this id\n"
             "  \"data\": \"hex\",            (string, optional) mode \"proposal\": the serialized block to check\n"
             "}"},
        },
        "mode \"proposal\", block valid: null\n"
        "mode \"proposal\", otherwise: \"str\" (string) the BIP22 reason it is not\n"
        "mode \"template\": {\n"
        "  \"capabilities\" : [ \"str\", ... ], (json array) server features: \"proposal\"\n"
        "  \"version\" : n,                    (numeric) block version to use (version bits of deployments being signalled)\n"
        "  \"rules\" : [ \"str\", ... ],        (json array) rules in force; a leading '!' means a miner must understand it\n"
        "  \"vbavailable\" : { \"rulename\" : bitnumber, ... }, (json object) deployments being signalled and their bits\n"
        "  \"vbrequired\" : n,                 (numeric) bits the server requires in the version (always 0)\n"
        "  \"previousblockhash\" : \"str\",     (string) the tip the block builds on\n"
        "  \"transactions\" : [ {              (json array) the transactions to include after the coinbase, in order\n"
        "      \"data\" : \"hex\",                (string) serialized transaction\n"
        "      \"txid\" : \"hex\",                (string) its txid\n"
        "      \"hash\" : \"hex\",                (string) its wtxid\n"
        "      \"depends\" : [ n, ... ],        (json array) positions (1 = first after the coinbase) of its parents in this list\n"
        "      \"fee\" : n,                     (numeric) fee in satoshis\n"
        "      \"sigops\" : n,                  (numeric) sigop cost (BIP141)\n"
        "      \"weight\" : n                   (numeric) weight (BIP141)\n"
        "  }, ... ],\n"
        "  \"coinbaseaux\" : { \"key\" : \"hex\" }, (json object) data for the coinbase's scriptSig (none)\n"
        "  \"coinbasevalue\" : n,              (numeric) what the coinbase may pay in all: subsidy plus fees, in satoshis\n"
        "  \"longpollid\" : \"str\",            (string) id to pass back to wait for the next different template\n"
        "  \"target\" : \"str\",                (string) the block hash must not exceed this\n"
        "  \"mintime\" : xxx,                  (numeric) earliest block time allowed, UNIX seconds\n"
        "  \"mutable\" : [ \"str\", ... ],      (json array) what the miner may change: time, transactions, prevblock\n"
        "  \"noncerange\" : \"hex\",            (string) the nonces to try\n"
        "  \"sigoplimit\" : n,                 (numeric) sigop cost limit of a block\n"
        "  \"sizelimit\" : n,                  (numeric) size limit of a block, in bytes\n"
        "  \"weightlimit\" : n,                (numeric, optional) weight limit of a block (once segwit is active)\n"
        "  \"curtime\" : xxx,                  (numeric) the node's (possibly mocked) time, UNIX seconds\n"
        "  \"bits\" : \"str\",                  (string) the block's compact target\n"
        "  \"height\" : n,                     (numeric) the block's height\n"
        "  \"signet_challenge\" : \"hex\",      (string, optional) signet only: the script block signatures must satisfy\n"
        "  \"default_witness_commitment\" : \"hex\" (string, optional) the witness commitment output script for exactly these transactions\n"
        "}",
        HelpExampleCli("getblocktemplate", "'{\"rules\": [\"segwit\"]}'") +
            HelpExampleRpc("getblocktemplate", "{\"rules\": [\"segwit\"]}"),
        [](const RPCRequest& request) -> Json {
            ChainstateManager& chainman = EnsureChainman(request);
            const Json& req = request.Param(0);
            std::string mode = "template";
            Json longpoll = nullptr;
            std::set<std::string> client_rules;
            if (req.is_object()) {
                const auto mode_it = req.find("mode");
                if (mode_it != req.end() && mode_it->is_string()) {
                    mode = mode_it->get<std::string>();
                } else if (mode_it != req.end() && !mode_it->is_null()) {
                    throw RPCError(RPC_INVALID_PARAMETER, "Invalid mode");
                }
                if (auto lp = req.find("longpollid"); lp != req.end()) longpoll = *lp;
                if (mode == "proposal") return ProposalResult(chainman, req);
                if (auto rules = req.find("rules"); rules != req.end() && rules->is_array()) {
                    for (const Json& rule : *rules) {
                        if (!rule.is_string()) {
                            throw RPCError(RPC_TYPE_ERROR, "JSON value of type " + std::string(rule.type_name()) +
                                                               " is not of expected type string");
                        }
                        client_rules.insert(rule.get<std::string>());
                    }
                }
            }
            if (mode != "template") throw RPCError(RPC_INVALID_PARAMETER, "Invalid mode");

            const ChainParams& chain_params = chainman.Params();
            if (!chain_params.IsTestChain()) {
                // No peer connections exist yet in this node.
                throw RPCError(RPC_CLIENT_NOT_CONNECTED, "Bitcoin Core is not connected!");
            }

            if (!longpoll.is_null()) {
                uint256 watched;
                if (longpoll.is_string()) {
                    const std::string text = longpoll.get<std::string>();
                    watched = ParseHashV(Json(text.substr(0, 64)), "longpollid");
                } else {
                    std::lock_guard lock(chainman.ChainLock());
                    watched = chainman.ActiveChain().Tip()->GetBlockHash();
                }
                WaitForTipChange(chainman, watched);
                if (ShutdownRequested()) throw RPCError(RPC_CLIENT_NOT_CONNECTED, "Shutting down");
            }

            const ConsensusParams& consensus = chain_params.GetConsensus();
            if (consensus.signet_blocks && client_rules.count("signet") != 1) {
                throw RPCError(RPC_INVALID_PARAMETER,
                               "getblocktemplate must be called with the signet rule set (call with {\"rules\": [\"segwit\", \"signet\"]})");
            }
            if (client_rules.count("segwit") != 1) {
                throw RPCError(RPC_INVALID_PARAMETER,
                               "getblocktemplate must be called with the segwit rule set (call with {\"rules\": [\"segwit\"]})");
            }

            std::lock_guard lock(chainman.ChainLock());
            const BlockIndex* prev = chainman.ActiveChain().Tip();
            node::AssemblerOptions options;
            // The miner replaces the coinbase; its output script does not matter.
            options.coinbase_script << OP_TRUE;
            options.tx_source = node::DefaultBlockTxSource();  // the mempool
            // A template that fails its own check is a std::runtime_error: RPC_MISC_ERROR, as in Core.
            std::unique_ptr<node::BlockTemplate> tmpl = node::BlockAssembler(chainman).CreateNewBlock(options);
            Block& block = *tmpl->block;
            node::UpdateTime(block, chainman, *prev);
            block.nonce = 0;
            const bool pre_segwit = tmpl->height < consensus.segwit_height;

            Json transactions = Json::array();
            std::map<uint256, int64_t> index_of;
            for (size_t i = 0; i < block.vtx.size(); ++i) {
                const Transaction& tx = *block.vtx[i];
                index_of[tx.GetHash()] = static_cast<int64_t>(i);
                if (tx.IsCoinBase()) continue;
                Json entry = Json::object();
                entry["data"] = SerializeHex(tx);
                entry["txid"] = tx.GetHash().GetHex();
                entry["hash"] = tx.GetWitnessHash().GetHex();
                Json depends = Json::array();
                for (const TxIn& in : tx.vin) {
                    if (auto it = index_of.find(in.prevout.hash); it != index_of.end()) depends.push_back(it->second);
                }
                entry["depends"] = std::move(depends);
                entry["fee"] = tmpl->fees[i];
                entry["sigops"] = pre_segwit ? tmpl->sigops_cost[i] / WITNESS_SCALE_FACTOR : tmpl->sigops_cost[i];
                entry["weight"] = GetTransactionWeight(tx);
                transactions.push_back(std::move(entry));
            }

            Json rules = Json::array({"csv"});
            if (!pre_segwit) rules.push_back("!segwit");
            if (consensus.signet_blocks) rules.push_back("!signet");

            // BIP9 deployments (BIP9's getblocktemplate changes).
            Json vbavailable = Json::object();
            for (const node::VersionBitsDeployment& deployment : node::VersionBitsDeployments(chainman)) {
                const std::string rule = deployment.gbt_optional_rule ? deployment.name : "!" + deployment.name;
                const int32_t mask = int32_t{1} << deployment.bit;
                const bool client_knows = client_rules.count(deployment.name) > 0;
                switch (node::DeploymentState(prev, deployment)) {
                case node::ThresholdState::LOCKED_IN:
                    block.version |= mask;
                    [[fallthrough]];
                case node::ThresholdState::STARTED:
                    vbavailable[rule] = deployment.bit;
                    // A client that does not know the rule gets a version without its bit.
                    if (!deployment.gbt_optional_rule && !client_knows) block.version &= ~mask;
                    break;
                case node::ThresholdState::ACTIVE:
                    rules.push_back(rule);
                    if (!deployment.gbt_optional_rule && !client_knows) {
                        throw RPCError(RPC_INVALID_PARAMETER,
                                       "Support for '" + deployment.name + "' rule requires explicit client support");
                    }
                    break;
                case node::ThresholdState::DEFINED:
                case node::ThresholdState::FAILED:
                    break;
                }
            }

            Json result = Json::object();
            result["capabilities"] = Json::array({"proposal"});
            result["version"] = block.version;
            result["rules"] = std::move(rules);
            result["vbavailable"] = std::move(vbavailable);
            result["vbrequired"] = 0;
            result["previousblockhash"] = block.prev_block.GetHex();
            result["transactions"] = std::move(transactions);
            result["coinbaseaux"] = Json::object();
            result["coinbasevalue"] = block.vtx[0]->vout[0].value;
            // Tip hash and the mempool's transaction update counter (none yet).
            result["longpollid"] = prev->GetBlockHash().GetHex() + "0";
            result["target"] = TargetHex(block.bits);
            result["mintime"] = node::GetMinimumTime(*prev, consensus.DifficultyAdjustmentInterval());
            result["mutable"] = Json::array({"time", "transactions", "prevblock"});
            result["noncerange"] = "00000000ffffffff";
            int64_t sigop_limit = MAX_BLOCK_SIGOPS_COST;
            int64_t size_limit = MAX_BLOCK_SERIALIZED_SIZE;
            if (pre_segwit) {
                sigop_limit /= WITNESS_SCALE_FACTOR;
                size_limit /= WITNESS_SCALE_FACTOR;
            }
            result["sigoplimit"] = sigop_limit;
            result["sizelimit"] = size_limit;
            if (!pre_segwit) result["weightlimit"] = static_cast<int64_t>(MAX_BLOCK_WEIGHT);
            result["curtime"] = block.GetBlockTime();
            result["bits"] = fmt::format("{:08x}", block.bits);
            result["height"] = tmpl->height;
            if (consensus.signet_blocks) result["signet_challenge"] = HexStr(consensus.signet_challenge);
            if (!tmpl->witness_commitment.empty()) {
                result["default_witness_commitment"] = HexStr(std::span<const unsigned char>(
                    tmpl->witness_commitment.data(), tmpl->witness_commitment.size()));
            }
            return result;
        }};
}

RPCMethod SubmitBlockMethod()
{
    return RPCMethod{
        "mining", "submitblock",
        "Hands a serialized block to validation, as if a peer had sent it (BIP22 answers).",
        {
            {"hexdata", RPCArg::Type::STR_HEX, false, "", "the serialized block, in hex"},
            {"dummy", RPCArg::Type::STR, true, "default=ignored", "unused; BIP22 has this parameter"},
        },
        "null    (json null) the block is valid and now part of the active chain\n"
        "or\n"
        "\"str\"    (string) \"duplicate\" (known and valid), \"duplicate-invalid\" (known to be invalid),\n"
        "         \"inconclusive\" (stored, not on the active chain) or why it was rejected",
        HelpExampleCli("submitblock", "\"mydata\"") + HelpExampleRpc("submitblock", "\"mydata\""),
        [](const RPCRequest& request) -> Json {
            auto decoded = DecodeHexBlock(ParamString(request, 0, ""));
            if (!decoded) throw RPCError(RPC_DESERIALIZATION_ERROR, "Block decode failed");
            if (decoded->vtx.empty() || !decoded->vtx[0]->IsCoinBase()) {
                throw RPCError(RPC_DESERIALIZATION_ERROR, "Block does not start with a coinbase");
            }
            auto block = std::make_shared<Block>(std::move(*decoded));
            ChainstateManager& chainman = EnsureChainman(request);
            const uint256 hash = block->GetHash();
            {
                std::lock_guard lock(chainman.ChainLock());
                if (const BlockIndex* index = chainman.LookupBlockIndex(hash)) {
                    if (index->status & BLOCK_FAILED_MASK) return "duplicate-invalid";
                    if (index->IsValid(BLOCK_VALID_SCRIPTS)) return "duplicate";
                }
                // A committed block whose coinbase lost its witness reserved
                // value gets the default (zero) one back, as Core does.
                const BlockIndex* prev = chainman.LookupBlockIndex(block->prev_block);
                const int commitment = GetWitnessCommitmentIndex(*block);
                if (prev && prev->height + 1 >= chainman.Params().GetConsensus().segwit_height &&
                    commitment != NO_WITNESS_COMMITMENT && block->vtx[0]->vin[0].witness.IsNull()) {
                    MutableTransaction coinbase(*block->vtx[0]);
                    coinbase.vin[0].witness.stack.assign(1, std::vector<unsigned char>(32, 0));
                    block->vtx[0] = MakeTransactionRef(std::move(coinbase));
                }
            }
            bool new_block = false;
            BlockValidationState state;
            const bool accepted = chainman.ProcessNewBlock(block, /*force_processing=*/true, &new_block, &state);
            if (accepted && !new_block) return "duplicate";
            if (!state.IsValid()) return Bip22Result(state);
            if (!accepted) return "rejected";
            std::lock_guard lock(chainman.ChainLock());
            const BlockIndex* index = chainman.LookupBlockIndex(hash);
            if (index && chainman.ActiveChain().Contains(index)) return nullptr;
            // Stored but not (yet) on the active chain: nothing was decided.
            return "inconclusive";
        }};
}

RPCMethod GetNetworkHashPsMethod()
{
    return RPCMethod{
        "mining", "getnetworkhashps",
        "Estimates the hash rate of the network from the work and the time span of recent blocks.",
        {
            {"nblocks", RPCArg::Type::NUM, true, "default=120", "How many blocks back to look; -1: back to the last retarget."},
            {"height", RPCArg::Type::NUM, true, "default=-1", "The block to estimate at; -1: the tip."},
        },
        "x    (numeric) hashes per second",
        HelpExampleCli("getnetworkhashps", "") + HelpExampleRpc("getnetworkhashps", ""),
        [](const RPCRequest& request) -> Json {
            return NetworkHashPs(EnsureChainman(request), ParamInt(request, 0, 120), ParamInt(request, 1, -1));
        }};
}

RPCMethod GetMiningInfoMethod()
{
    return RPCMethod{
        "mining", "getmininginfo",
        "Summarizes the state of the chain as a miner sees it.",
        {},
        "{                                (json object)\n"
        "  \"blocks\" : n,                  (numeric) height of the tip\n"
        "  \"currentblockweight\" : n,      (numeric, optional) weight counted for the last template (reserved weight included); absent before the first\n"
        "  \"currentblocktx\" : n,          (numeric, optional) transactions in the last template, coinbase not counted; absent before the first\n"
        "  \"bits\" : \"hex\",                (string) compact target of the tip\n"
        "  \"difficulty\" : n,              (numeric) difficulty of the tip\n"
        "  \"target\" : \"hex\",              (string) target of the tip\n"
        "  \"networkhashps\" : n,           (numeric) estimated hashes per second (as getnetworkhashps)\n"
        "  \"pooledtx\" : n,                (numeric) transactions in the mempool\n"
        "  \"blockmintxfee\" : n,           (numeric) lowest fee rate a transaction needs to enter a template, BTC/kvB\n"
        "  \"chain\" : \"str\",               (string) the network: main, test, testnet4, signet or regtest\n"
        "  \"signet_challenge\" : \"hex\",    (string, optional) signet only: the script block signatures must satisfy\n"
        "  \"next\" : {                     (json object) the block after the tip\n"
        "    \"height\" : n,                (numeric) its height\n"
        "    \"bits\" : \"hex\",              (string) its compact target\n"
        "    \"difficulty\" : n,            (numeric) its difficulty\n"
        "    \"target\" : \"hex\"             (string) its target\n"
        "  },\n"
        "  \"warnings\" : [ \"str\", ... ]    (json array) warnings about the node or the chain\n"
        "}",
        HelpExampleCli("getmininginfo", "") + HelpExampleRpc("getmininginfo", ""),
        [](const RPCRequest& request) -> Json {
            ChainstateManager& chainman = EnsureChainman(request);
            const Json hashps = NetworkHashPs(chainman, 120, -1);
            std::lock_guard lock(chainman.ChainLock());
            const BlockIndex& tip = *chainman.ActiveChain().Tip();
            const ChainParams& params = chainman.Params();
            Json result = Json::object();
            result["blocks"] = tip.height;
            if (auto weight = node::BlockAssembler::LastBlockWeight()) result["currentblockweight"] = *weight;
            if (auto count = node::BlockAssembler::LastBlockTxCount()) result["currentblocktx"] = *count;
            result["bits"] = fmt::format("{:08x}", tip.bits);
            result["difficulty"] = GetDifficulty(tip.bits);
            result["target"] = TargetHex(tip.bits);
            result["networkhashps"] = hashps;
            result["pooledtx"] = 0; // no mempool yet
            result["blockmintxfee"] = ValueFromAmount(1); // -blockmintxfee default: 1 sat/kvB
            result["chain"] = ChainTypeToString(params.GetChainType());
            if (params.GetConsensus().signet_blocks) {
                result["signet_challenge"] = HexStr(params.GetConsensus().signet_challenge);
            }
            // The next block as an empty block on the tip would have it.
            BlockHeader next_header;
            next_header.time = static_cast<uint32_t>(
                std::max(node::GetMinimumTime(tip, params.GetConsensus().DifficultyAdjustmentInterval()), GetTime()));
            const uint32_t next_bits = GetNextWorkRequired(&tip, next_header, params.GetConsensus());
            Json next = Json::object();
            next["height"] = tip.height + 1;
            next["bits"] = fmt::format("{:08x}", next_bits);
            next["difficulty"] = GetDifficulty(next_bits);
            next["target"] = TargetHex(next_bits);
            result["next"] = std::move(next);
            result["warnings"] = Json::array();
            return result;
        }};
}

} // namespace

void RegisterMiningRPCCommands(RPCTable& table)
{
    table.Register(GetNetworkHashPsMethod());
    table.Register(GetMiningInfoMethod());
    table.Register(GetBlockTemplateMethod());
    table.Register(SubmitBlockMethod());
    table.Register(GenerateToAddressMethod());
    table.Register(GenerateToDescriptorMethod());
    table.Register(GenerateBlockMethod());
}
