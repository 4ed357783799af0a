// Raw transaction RPCs: building, decoding, signing with given keys,
// combining, looking transactions up (mempool, -txindex, a named block), and
// handing them to the mempool (sendrawtransaction, testmempoolaccept,
// submitpackage).

#include <consensus/amount.h>
#include <crypto/hash.h>
#include <kernel/txindex.h>
#include <kernel/validation.h>
#include <node/context.h>
#include <node/mempool_accept.h>
#include <node/policy.h>
#include <node/txmempool.h>
#include <net/peerman.h>
#include <primitives/transaction.h>
#include <rpc/core_json.h>
#include <rpc/server.h>
#include <rpc/util.h>
#include <script/address.h>
#include <script/interpreter.h>
#include <script/script_error.h>
#include <script/sighash.h>
#include <streams.h>
#include <util/args.h>
#include <util/strencodings.h>
#include <util/time.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

namespace {

using Lock = std::lock_guard<std::recursive_mutex>;
using T = RPCArg::Type;

const AddressParams& Params(const RPCRequest& request)
{
    return EnsureChainman(request).Params().Address();
}

node::TxMempool* MaybeMempool(const RPCRequest& request)
{
    return request.node ? request.node->mempool.get() : nullptr;
}

node::TxMempool& EnsureMempool(const RPCRequest& request)
{
    node::TxMempool* pool = MaybeMempool(request);
    if (!pool) throw RPCError(-33, "Mempool disabled or instance not found");
    return *pool;
}

TransactionRef LookupMempoolTx(const RPCRequest& request, const uint256& txid)
{
    node::TxMempool* pool = MaybeMempool(request);
    return pool ? pool->get(txid) : nullptr;
}

// The output an input spends: from the UTXO set, else created by a mempool transaction.
// Caller holds the chain lock.
std::optional<TxOut> LookupUnspent(const RPCRequest& request, const OutPoint& point)
{
    ChainstateManager& chainman = EnsureChainman(request);
    if (auto coin = chainman.CoinsTip().GetCoin(point); coin && !coin->IsSpent()) return coin->out;
    if (node::TxMempool* pool = MaybeMempool(request)) return pool->GetOutput(point);
    return std::nullopt;
}

std::string Examples(const std::string& method, const std::string& cli, const std::string& rpc)
{
    return HelpExampleCli(method, cli) + HelpExampleRpc(method, rpc);
}

// ---- createrawtransaction ------------------------------------------------------

uint32_t SequenceFor(bool replaceable, uint32_t lock_time)
{
    if (replaceable) return TxIn::MAX_SEQUENCE_NONFINAL - 1;  // 0xfffffffd signals BIP125
    return lock_time ? TxIn::MAX_SEQUENCE_NONFINAL : TxIn::SEQUENCE_FINAL;
}

MutableTransaction BuildTx(const Json& inputs, const Json& outputs_in, const Json& locktime, bool replaceable,
                           uint32_t version, const AddressParams& params)
{
    MutableTransaction tx;
    tx.version = version;
    if (!locktime.is_null()) {
        if (!locktime.is_number_integer() || locktime.get<int64_t>() < 0 || locktime.get<int64_t>() > 0xffffffffLL) {
            throw RPCError(RPC_INVALID_PARAMETER, "Invalid parameter, locktime out of range");
        }
        tx.lock_time = static_cast<uint32_t>(locktime.get<int64_t>());
    }
    if (!inputs.is_null()) {
        if (!inputs.is_array()) throw RPCError(RPC_TYPE_ERROR, "Expected type array for inputs");
        for (const Json& in : inputs) {
            if (!in.is_object()) throw RPCError(RPC_INVALID_PARAMETER, "Invalid parameter, expected object");
            if (!in.contains("txid")) throw RPCError(RPC_INVALID_PARAMETER, "Invalid parameter, missing txid key");
            const uint256 txid = ParseHashV(in["txid"], "txid");
            if (!in.contains("vout") || !in["vout"].is_number()) {
                throw RPCError(RPC_INVALID_PARAMETER, "Invalid parameter, missing vout key");
            }
            const int64_t vout = in["vout"].get<int64_t>();
            if (vout < 0) throw RPCError(RPC_INVALID_PARAMETER, "Invalid parameter, vout cannot be negative");
            TxIn txin;
            txin.prevout = OutPoint{txid, static_cast<uint32_t>(vout)};
            txin.sequence = SequenceFor(replaceable, tx.lock_time);
            if (in.contains("sequence")) {
                const Json& seq = in["sequence"];
                if (!seq.is_number_integer() || seq.get<int64_t>() < 0 || seq.get<int64_t>() > 0xffffffffLL) {
                    throw RPCError(RPC_INVALID_PARAMETER, "Invalid parameter, sequence number is out of range");
                }
                txin.sequence = static_cast<uint32_t>(seq.get<int64_t>());
            }
            tx.vin.push_back(std::move(txin));
        }
    }
    // Outputs: an object {address: amount, "data": hex} or an array of one-key objects.
    std::vector<std::pair<std::string, Json>> pairs;
    if (outputs_in.is_object()) {
        for (auto it = outputs_in.begin(); it != outputs_in.end(); ++it) pairs.emplace_back(it.key(), it.value());
    } else if (outputs_in.is_array()) {
        for (const Json& o : outputs_in) {
            if (!o.is_object() || o.size() != 1) {
                throw RPCError(RPC_INVALID_PARAMETER, "Invalid parameter, key-value pair must contain exactly one key");
            }
            pairs.emplace_back(o.begin().key(), o.begin().value());
        }
    } else if (!outputs_in.is_null()) {
        throw RPCError(RPC_INVALID_PARAMETER, "Invalid parameter, outputs must be an object or array");
    }
    std::set<std::string> seen;
    bool has_data = false;
    for (const auto& [key, value] : pairs) {
        if (key == "data") {
            if (has_data) throw RPCError(RPC_INVALID_PARAMETER, "Invalid parameter, duplicate key: data");
            has_data = true;
            const auto data = ParseHexV(value, "Data");
            Script script;
            script << OP_RETURN << std::span<const unsigned char>(data);
            tx.vout.push_back(TxOut{0, std::move(script)});
            continue;
        }
        std::string error;
        const auto script = DecodeAddress(key, params, &error);
        if (!script) throw RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid Bitcoin address: " + key);
        if (!seen.insert(key).second) {
            throw RPCError(RPC_INVALID_PARAMETER, "Invalid parameter, duplicated address: " + key);
        }
        tx.vout.push_back(TxOut{AmountFromValue(value), *script});
    }
    return tx;
}

Json CreateRawTransaction(const RPCRequest& request)
{
    const bool replaceable = ParamBool(request, 3, true);
    const int64_t version = ParamInt(request, 4, 2);
    if (version < 1 || version > 3) {
        throw RPCError(RPC_INVALID_PARAMETER, fmt::format("Invalid parameter, version out of range(1~3)"));
    }
    const MutableTransaction tx = BuildTx(request.Param(0), request.Param(1), request.Param(2), replaceable,
                                          static_cast<uint32_t>(version), Params(request));
    return EncodeHexTx(Transaction(tx));
}

// ---- decoderawtransaction / decodescript ------------------------------------------

Json DecodeRawTransaction(const RPCRequest& request)
{
    const std::string hex = ParamString(request, 0, "");
    const Json& iswitness = request.Param(1);
    const auto bytes = TryParseHex(hex);
    std::optional<MutableTransaction> tx;
    if (bytes) {
        if (iswitness.is_null()) {
            tx = DecodeTxBytes(*bytes);
        } else {
            tx = DecodeTx(*bytes, iswitness.get<bool>());
        }
    }
    if (!tx) throw RPCError(RPC_DESERIALIZATION_ERROR, "TX decode failed");
    return TxToJson(Transaction(*tx), Params(request), uint256{}, /*include_hex=*/false);
}

Script P2shOf(const Script& script)
{
    std::array<unsigned char, 20> hash;
    Hash160().Write(std::span<const unsigned char>(script.data(), script.size())).Finalize(hash);
    Script out;
    out << OP_HASH160 << std::span<const unsigned char>(hash) << OP_EQUAL;
    return out;
}

Script P2wpkhOf(std::span<const unsigned char> keyhash)
{
    Script out;
    out << OP_0 << keyhash;
    return out;
}

Script P2wshOf(const Script& script)
{
    std::array<unsigned char, 32> hash;
    Sha256().Write(std::span<const unsigned char>(script.data(), script.size())).Finalize(hash);
    Script out;
    out << OP_0 << std::span<const unsigned char>(hash);
    return out;
}

bool HasTapscriptOnlyOps(const Script& script)
{
    for (auto it = script.begin(); it != script.end();) {
        opcodetype op;
        if (!script.GetOp(it, op)) return true;
        if (op == OP_CHECKSIGADD || IsOpSuccess(op)) return true;
    }
    return false;
}

Json DecodeScript(const RPCRequest& request)
{
    const AddressParams& params = Params(request);
    const bool empty = request.Param(0).is_string() && request.Param(0).get<std::string>().empty();
    const auto bytes = empty ? std::vector<unsigned char>{} : ParseHexV(request.Param(0), "argument");
    const Script script{std::span<const unsigned char>(*&bytes)};
    Json out = ScriptPubKeyToJson(script, params, /*include_hex=*/false, /*include_address=*/true);
    const ScriptSolution sol = SolveScript(script);
    bool can_wrap = false;
    switch (sol.type) {
    case ScriptOutputType::MULTISIG:
    case ScriptOutputType::NONSTANDARD:
    case ScriptOutputType::PUBKEY:
    case ScriptOutputType::PUBKEYHASH:
    case ScriptOutputType::WITNESS_V0_KEYHASH:
    case ScriptOutputType::WITNESS_V0_SCRIPTHASH:
        can_wrap = script.HasValidOps() && !script.IsUnspendable() && !HasTapscriptOnlyOps(script);
        break;
    default:
        break;
    }
    if (!can_wrap) return out;
    out["p2sh"] = EncodeAddress(P2shOf(script), params).value_or("");
    bool can_segwit = false;
    switch (sol.type) {
    case ScriptOutputType::MULTISIG:
    case ScriptOutputType::PUBKEY:
        can_segwit = true;
        for (const auto& item : sol.data) {
            if (item.size() != 1 && item.size() != 33) can_segwit = false;  // uncompressed key
        }
        break;
    case ScriptOutputType::NONSTANDARD:
    case ScriptOutputType::PUBKEYHASH:
        can_segwit = true;
        break;
    default:
        break;
    }
    if (!can_segwit) return out;
    Script segwit;
    if (sol.type == ScriptOutputType::PUBKEY) {
        std::array<unsigned char, 20> hash;
        Hash160().Write(sol.data[0]).Finalize(hash);
        segwit = P2wpkhOf(hash);
    } else if (sol.type == ScriptOutputType::PUBKEYHASH) {
        segwit = P2wpkhOf(sol.data[0]);
    } else {
        segwit = P2wshOf(script);
    }
    Json sw = ScriptPubKeyToJson(segwit, params, /*include_hex=*/true, /*include_address=*/true);
    sw["p2sh-segwit"] = EncodeAddress(P2shOf(segwit), params).value_or("");
    out["segwit"] = std::move(sw);
    return out;
}

// ---- signing -----------------------------------------------------------------------

constexpr uint32_t SIGNING_CHECK_FLAGS =
    SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_STRICTENC | SCRIPT_VERIFY_DERSIG | SCRIPT_VERIFY_LOW_S |
    SCRIPT_VERIFY_NULLDUMMY | SCRIPT_VERIFY_MINIMALDATA | SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS |
    SCRIPT_VERIFY_CLEANSTACK | SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY | SCRIPT_VERIFY_CHECKSEQUENCEVERIFY |
    SCRIPT_VERIFY_WITNESS | SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM | SCRIPT_VERIFY_MINIMALIF |
    SCRIPT_VERIFY_NULLFAIL | SCRIPT_VERIFY_WITNESS_PUBKEYTYPE | SCRIPT_VERIFY_CONST_SCRIPTCODE |
    SCRIPT_VERIFY_TAPROOT;

struct SpentOutput {
    TxOut out;
    Script redeem_script;   // P2SH
    Script witness_script;  // P2WSH
};

int ParseSighashType(const Json& value)
{
    if (value.is_null()) return SIGHASH_DEFAULT;
    if (!value.is_string()) throw RPCError(RPC_TYPE_ERROR, "sighashtype must be a string");
    static const std::map<std::string, int> names{
        {"DEFAULT", SIGHASH_DEFAULT},
        {"ALL", SIGHASH_ALL},
        {"ALL|ANYONECANPAY", SIGHASH_ALL | SIGHASH_ANYONECANPAY},
        {"NONE", SIGHASH_NONE},
        {"NONE|ANYONECANPAY", SIGHASH_NONE | SIGHASH_ANYONECANPAY},
        {"SINGLE", SIGHASH_SINGLE},
        {"SINGLE|ANYONECANPAY", SIGHASH_SINGLE | SIGHASH_ANYONECANPAY},
    };
    const auto it = names.find(value.get<std::string>());
    if (it == names.end()) throw RPCError(RPC_INVALID_PARAMETER, value.get<std::string>() + " is not a valid sighash parameter.");
    return it->second;
}

struct KeyStore {
    std::vector<Key> keys;

    const Key* ByKeyHash(std::span<const unsigned char> hash) const
    {
        for (const Key& key : keys) {
            const PubKey pub = key.GetPubKey();
            std::array<unsigned char, 20> h;
            Hash160().Write(pub.bytes()).Finalize(h);
            if (std::equal(h.begin(), h.end(), hash.begin(), hash.end())) return &key;
        }
        return nullptr;
    }
    const Key* ByPubKey(std::span<const unsigned char> pubkey) const
    {
        for (const Key& key : keys) {
            const PubKey pub = key.GetPubKey();
            if (std::ranges::equal(pub.bytes(), pubkey)) return &key;
        }
        return nullptr;
    }
    // The P2WPKH script of a key whose P2SH wrapping is spk (empty if none).
    Script WrappedKeyHashScript(const Script& spk) const
    {
        for (const Key& key : keys) {
            if (!key.IsCompressed()) continue;
            std::array<unsigned char, 20> h;
            Hash160().Write(key.GetPubKey().bytes()).Finalize(h);
            Script inner;
            inner << OP_0 << std::span<const unsigned char>(h);
            Script outer;
            std::array<unsigned char, 20> sh;
            Hash160().Write(std::span<const unsigned char>(inner.data(), inner.size())).Finalize(sh);
            outer << OP_HASH160 << std::span<const unsigned char>(sh) << OP_EQUAL;
            if (outer == spk) return inner;
        }
        return {};
    }
    // The key whose BIP86-style tweak (no script tree) gives this output key.
    std::optional<Key> ByTaprootOutput(std::span<const unsigned char> program) const
    {
        for (const Key& key : keys) {
            const auto tweaked = key.GetXOnlyPubKey().CreateTapTweak(nullptr);
            if (tweaked && std::ranges::equal(tweaked->first.bytes(), program)) return key.TaprootTweaked(nullptr);
        }
        return std::nullopt;
    }
};

class InputSigner {
public:
    InputSigner(const KeyStore& keys, const Transaction& tx, const PrecomputedTransactionData& txdata, int hash_type)
        : m_keys(keys), m_tx(tx), m_txdata(txdata), m_hash_type(hash_type) {}

    // Fills script_sig / witness of `in`; false when a key or script is missing.
    bool Sign(unsigned index, const SpentOutput& spent, Script& script_sig, ScriptWitness& witness) const
    {
        const Script& spk = spent.out.script_pubkey;
        const ScriptSolution sol = SolveScript(spk);
        switch (sol.type) {
        case ScriptOutputType::PUBKEY:
        case ScriptOutputType::PUBKEYHASH:
        case ScriptOutputType::MULTISIG: {
            std::vector<std::vector<unsigned char>> stack;
            const bool complete = SignSingle(index, spent.out.value, spk, sol, SigVersion::BASE, stack);
            if (!complete && !IsPartialMultisig(sol, stack)) return false;
            script_sig = PushAll(stack);
            witness.SetNull();
            return complete;
        }
        case ScriptOutputType::WITNESS_V0_KEYHASH: {
            std::vector<std::vector<unsigned char>> stack;
            if (!SignWitnessKeyHash(index, spent.out.value, sol.data[0], stack)) return false;
            script_sig.clear();
            witness.stack = std::move(stack);
            return true;
        }
        case ScriptOutputType::WITNESS_V1_TAPROOT:
            script_sig.clear();
            return SignTaproot(index, sol.data[0], witness);
        case ScriptOutputType::SCRIPTHASH: {
            // Without a redeem script, a P2SH-wrapped P2WPKH of one of the keys.
            const Script redeem = spent.redeem_script.empty() ? m_keys.WrappedKeyHashScript(spk) : spent.redeem_script;
            if (redeem.empty() || P2shOf(redeem) != spk) return false;
            const ScriptSolution inner = SolveScript(redeem);
            std::vector<std::vector<unsigned char>> stack;
            if (inner.type == ScriptOutputType::WITNESS_V0_KEYHASH) {
                if (!SignWitnessKeyHash(index, spent.out.value, inner.data[0], stack)) return false;
                witness.stack = std::move(stack);
                script_sig.clear();
                script_sig << std::span<const unsigned char>(redeem.data(), redeem.size());
                return true;
            }
            if (inner.type == ScriptOutputType::WITNESS_V0_SCRIPTHASH) {
                if (!SignWitnessScript(index, spent, witness)) return false;
                script_sig.clear();
                script_sig << std::span<const unsigned char>(redeem.data(), redeem.size());
                return true;
            }
            const bool complete = SignSingle(index, spent.out.value, redeem, inner, SigVersion::BASE, stack);
            if (!complete && !IsPartialMultisig(inner, stack)) return false;
            stack.emplace_back(redeem.begin(), redeem.end());
            script_sig = PushAll(stack);
            witness.SetNull();
            return complete;
        }
        case ScriptOutputType::WITNESS_V0_SCRIPTHASH:
            script_sig.clear();
            return SignWitnessScript(index, spent, witness);
        default:
            return false;
        }
    }

private:
    static Script PushAll(const std::vector<std::vector<unsigned char>>& stack)
    {
        Script s;
        for (const auto& item : stack) {
            if (item.empty()) {
                s << OP_0;
            } else {
                s << std::span<const unsigned char>(item);
            }
        }
        return s;
    }

    int EcdsaHashType() const { return m_hash_type == SIGHASH_DEFAULT ? SIGHASH_ALL : m_hash_type; }

    bool EcdsaSig(const Key& key, unsigned index, Amount amount, const Script& code, SigVersion version,
                  std::vector<unsigned char>& sig) const
    {
        const uint256 hash = SignatureHash(code, m_tx, index, EcdsaHashType(), amount, version, &m_txdata);
        if (!key.SignEcdsa(std::span<const unsigned char, 32>(hash.data(), 32), sig)) return false;
        sig.push_back(static_cast<unsigned char>(EcdsaHashType()));
        return true;
    }

    // P2PK, P2PKH and bare/P2SH multisig (as many keys as are known).
    bool SignSingle(unsigned index, Amount amount, const Script& code, const ScriptSolution& sol, SigVersion version,
                    std::vector<std::vector<unsigned char>>& stack) const
    {
        std::vector<unsigned char> sig;
        if (sol.type == ScriptOutputType::PUBKEY) {
            const Key* key = m_keys.ByPubKey(sol.data[0]);
            if (!key || !EcdsaSig(*key, index, amount, code, version, sig)) return false;
            stack = {sig};
            return true;
        }
        if (sol.type == ScriptOutputType::PUBKEYHASH) {
            const Key* key = m_keys.ByKeyHash(sol.data[0]);
            if (!key || !EcdsaSig(*key, index, amount, code, version, sig)) return false;
            const PubKey pub = key->GetPubKey();
            stack = {sig, std::vector<unsigned char>(pub.begin(), pub.end())};
            return true;
        }
        if (sol.type == ScriptOutputType::MULTISIG) {
            const size_t required = sol.data.front().empty() ? 0 : sol.data.front()[0];
            stack = {{}};
            size_t have = 0;
            for (size_t i = 1; i + 1 < sol.data.size() && have < required; ++i) {
                const Key* key = m_keys.ByPubKey(sol.data[i]);
                if (!key || !EcdsaSig(*key, index, amount, code, version, sig)) continue;
                stack.push_back(sig);
                ++have;
            }
            return have == required;
        }
        return false;
    }

    bool SignWitnessKeyHash(unsigned index, Amount amount, std::span<const unsigned char> keyhash,
                            std::vector<std::vector<unsigned char>>& stack) const
    {
        const Key* key = m_keys.ByKeyHash(keyhash);
        if (!key) return false;
        Script code;
        code << OP_DUP << OP_HASH160 << keyhash << OP_EQUALVERIFY << OP_CHECKSIG;
        std::vector<unsigned char> sig;
        if (!EcdsaSig(*key, index, amount, code, SigVersion::WITNESS_V0, sig)) return false;
        const PubKey pub = key->GetPubKey();
        stack = {sig, std::vector<unsigned char>(pub.begin(), pub.end())};
        return true;
    }

    bool SignWitnessScript(unsigned index, const SpentOutput& spent, ScriptWitness& witness) const
    {
        const Script& ws = spent.witness_script;
        if (ws.empty()) return false;
        const ScriptSolution sol = SolveScript(ws);
        std::vector<std::vector<unsigned char>> stack;
        const bool complete = SignSingle(index, spent.out.value, ws, sol, SigVersion::WITNESS_V0, stack);
        if (!complete && !IsPartialMultisig(sol, stack)) return false;
        stack.emplace_back(ws.begin(), ws.end());
        witness.stack = std::move(stack);
        return complete;
    }

    // Some but not all signatures of a multisig (worth keeping for a merge).
    static bool IsPartialMultisig(const ScriptSolution& sol, const std::vector<std::vector<unsigned char>>& stack)
    {
        return sol.type == ScriptOutputType::MULTISIG && stack.size() > 1;
    }

    bool SignTaproot(unsigned index, std::span<const unsigned char> program, ScriptWitness& witness) const
    {
        const auto key = m_keys.ByTaprootOutput(program);
        if (!key || !m_txdata.bip341_ready) return false;
        ScriptExecutionData execdata;
        execdata.annex_init = true;
        execdata.annex_present = false;
        uint256 hash;
        if (!SignatureHashSchnorr(hash, execdata, m_tx, index, static_cast<uint8_t>(m_hash_type), SigVersion::TAPROOT,
                                  m_txdata)) {
            return false;
        }
        std::array<unsigned char, 64> sig;
        std::array<unsigned char, 32> aux{};
        if (!key->SignSchnorr(std::span<const unsigned char>(hash.data(), 32), sig, nullptr, aux)) return false;
        std::vector<unsigned char> item(sig.begin(), sig.end());
        if (m_hash_type != SIGHASH_DEFAULT) item.push_back(static_cast<unsigned char>(m_hash_type));
        witness.stack = {item};
        return true;
    }

    const KeyStore& m_keys;
    const Transaction& m_tx;
    const PrecomputedTransactionData& m_txdata;
    int m_hash_type;
};

Json InputError(const TxIn& in, const std::string& error)
{
    Json e = Json::object();
    e["txid"] = in.prevout.hash.GetHex();
    e["vout"] = in.prevout.n;
    Json witness = Json::array();
    for (const auto& item : in.witness.stack) witness.push_back(HexStr(item));
    e["witness"] = std::move(witness);
    e["scriptSig"] = HexStr(std::span<const unsigned char>(in.script_sig.data(), in.script_sig.size()));
    e["sequence"] = in.sequence;
    e["error"] = error;
    return e;
}

// Spent outputs of tx's inputs: from prevtxs first, then the UTXO set (and the mempool, via lookup).
std::map<OutPoint, SpentOutput> CollectSpent(const RPCRequest& request, const MutableTransaction& tx,
                                             const Json& prevtxs)
{
    std::map<OutPoint, SpentOutput> spent;
    ChainstateManager& chainman = EnsureChainman(request);
    {
        Lock lock(chainman.ChainLock());
        for (const TxIn& in : tx.vin) {
            if (auto out = LookupUnspent(request, in.prevout)) spent[in.prevout] = SpentOutput{*out, {}, {}};
        }
    }
    if (prevtxs.is_null()) return spent;
    if (!prevtxs.is_array()) throw RPCError(RPC_TYPE_ERROR, "Expected type array for prevtxs");
    for (const Json& p : prevtxs) {
        if (!p.is_object()) throw RPCError(RPC_DESERIALIZATION_ERROR, "expected object with {\"txid'\",\"vout\",\"scriptPubKey\"}");
        if (!p.contains("txid") || !p.contains("vout") || !p.contains("scriptPubKey")) {
            throw RPCError(RPC_DESERIALIZATION_ERROR, "expected object with {\"txid'\",\"vout\",\"scriptPubKey\"}");
        }
        const uint256 txid = ParseHashV(p["txid"], "txid");
        if (!p["vout"].is_number_integer()) throw RPCError(RPC_DESERIALIZATION_ERROR, "vout must be a number");
        const int64_t vout = p["vout"].get<int64_t>();
        if (vout < 0) throw RPCError(RPC_DESERIALIZATION_ERROR, "vout cannot be negative");
        const auto spk_bytes = ParseHexV(p["scriptPubKey"], "scriptPubKey");
        SpentOutput out;
        out.out.script_pubkey = Script(std::span<const unsigned char>(spk_bytes));
        out.out.value = MAX_MONEY;
        if (p.contains("amount")) out.out.value = AmountFromValue(p["amount"]);
        const OutPoint point{txid, static_cast<uint32_t>(vout)};
        const auto existing = spent.find(point);
        if (existing != spent.end() && existing->second.out.script_pubkey != out.out.script_pubkey) {
            throw RPCError(RPC_DESERIALIZATION_ERROR,
                           "Previous output scriptPubKey mismatch:\n" + ScriptToAsmStr(existing->second.out.script_pubkey) +
                               "\nvs:\n" + ScriptToAsmStr(out.out.script_pubkey));
        }
        int version = 0;
        std::vector<unsigned char> program;
        const bool is_segwit = out.out.script_pubkey.IsWitnessProgram(version, program) ||
                               (p.contains("witnessScript") && !p["witnessScript"].is_null());
        if (is_segwit && !p.contains("amount")) throw RPCError(RPC_INVALID_PARAMETER, "Missing amount");
        if (p.contains("redeemScript") && !p["redeemScript"].is_null()) {
            const auto rs = ParseHexV(p["redeemScript"], "redeemScript");
            out.redeem_script = Script(std::span<const unsigned char>(rs));
        }
        if (p.contains("witnessScript") && !p["witnessScript"].is_null()) {
            const auto ws = ParseHexV(p["witnessScript"], "witnessScript");
            out.witness_script = Script(std::span<const unsigned char>(ws));
            if (out.redeem_script.empty() && out.out.script_pubkey.IsPayToScriptHash()) {
                out.redeem_script = P2wshOf(out.witness_script);
            }
        }
        if (existing != spent.end() && existing->second.out.value != MAX_MONEY && !p.contains("amount")) {
            out.out.value = existing->second.out.value;
        }
        spent[point] = std::move(out);
    }
    return spent;
}

// ---- multisig signatures from several partial versions ------------------------------

std::vector<std::vector<unsigned char>> Pushes(const Script& script)
{
    std::vector<std::vector<unsigned char>> out;
    auto pc = script.begin();
    opcodetype op;
    std::vector<unsigned char> data;
    while (pc != script.end() && script.GetOp(pc, op, data)) {
        if (op > OP_16) return {};
        out.push_back(data);
    }
    return out;
}

// For a multisig input (bare, P2SH, P2WSH or P2SH-P2WSH): the signatures any
// of the variants carries, checked against each key, in key order. nullopt
// when the input is not multisig or no variant names its script.
std::optional<TxIn> MergeMultisig(const std::vector<TxIn>& variants, const TxOut& prev, const Transaction& tx,
                                  unsigned index, const PrecomputedTransactionData& txdata)
{
    Script redeem;        // P2SH
    Script witness_script; // P2WSH
    for (const TxIn& v : variants) {
        if (prev.script_pubkey.IsPayToScriptHash() && redeem.empty()) {
            const auto pushes = Pushes(v.script_sig);
            if (!pushes.empty()) redeem = Script(std::span<const unsigned char>(pushes.back()));
        }
        if (witness_script.empty() && !v.witness.stack.empty()) {
            witness_script = Script(std::span<const unsigned char>(v.witness.stack.back()));
        }
    }
    const Script& outer = redeem.empty() ? prev.script_pubkey : redeem;
    const bool segwit = outer.IsPayToWitnessScriptHash();
    if (segwit && (witness_script.empty() || P2wshOf(witness_script) != outer)) return std::nullopt;
    if (!redeem.empty() && P2shOf(redeem) != prev.script_pubkey) return std::nullopt;
    const Script& code = segwit ? witness_script : outer;
    const SigVersion version = segwit ? SigVersion::WITNESS_V0 : SigVersion::BASE;
    const ScriptSolution sol = SolveScript(code);
    if (sol.type != ScriptOutputType::MULTISIG) return std::nullopt;
    std::vector<std::vector<unsigned char>> candidates;
    for (const TxIn& v : variants) {
        if (segwit) {
            for (const auto& item : v.witness.stack) candidates.push_back(item);
        } else {
            for (const auto& item : Pushes(v.script_sig)) candidates.push_back(item);
        }
    }
    const size_t required = sol.data.front().empty() ? 0 : sol.data.front()[0];
    TransactionSignatureChecker checker(&tx, index, prev.value, txdata);
    std::vector<std::vector<unsigned char>> stack{{}};
    for (size_t k = 1; k + 1 < sol.data.size() && stack.size() - 1 < required; ++k) {
        for (const auto& sig : candidates) {
            if (!sig.empty() && checker.CheckECDSASignature(sig, sol.data[k], code, version)) {
                stack.push_back(sig);
                break;
            }
        }
    }
    TxIn out = variants.front();
    out.script_sig.clear();
    out.witness.SetNull();
    if (segwit) {
        stack.emplace_back(witness_script.begin(), witness_script.end());
        out.witness.stack = std::move(stack);
        if (!redeem.empty()) out.script_sig << std::span<const unsigned char>(redeem.data(), redeem.size());
    } else {
        for (const auto& item : stack) {
            if (item.empty()) {
                out.script_sig << OP_0;
            } else {
                out.script_sig << std::span<const unsigned char>(item);
            }
        }
        if (!redeem.empty()) out.script_sig << std::span<const unsigned char>(redeem.data(), redeem.size());
    }
    return out;
}

// Signs what it can, checks every input. Returns Core's {hex, complete, errors?}.
Json SignTransaction(MutableTransaction& mtx, const KeyStore& keys, const std::map<OutPoint, SpentOutput>& spent,
                     int hash_type)
{
    std::vector<TxOut> spent_outputs;
    bool all_known = true;
    for (const TxIn& in : mtx.vin) {
        const auto it = spent.find(in.prevout);
        if (it == spent.end()) {
            all_known = false;
            spent_outputs.push_back(TxOut{});
        } else {
            spent_outputs.push_back(it->second.out);
        }
    }
    Json errors = Json::array();
    {
        const Transaction frozen(mtx);
        PrecomputedTransactionData txdata;
        txdata.Init(frozen, all_known ? spent_outputs : std::vector<TxOut>{}, /*force=*/true);
        InputSigner signer(keys, frozen, txdata, hash_type);
        for (unsigned i = 0; i < mtx.vin.size(); ++i) {
            const auto it = spent.find(mtx.vin[i].prevout);
            if (it == spent.end()) continue;
            // SIGHASH_SINGLE without a matching output signs nothing useful.
            if ((hash_type & SIGHASH_OUTPUT_MASK) == SIGHASH_SINGLE && i >= mtx.vout.size()) continue;
            Script script_sig = mtx.vin[i].script_sig;
            ScriptWitness witness = mtx.vin[i].witness;
            const bool complete = signer.Sign(i, it->second, script_sig, witness);
            const bool changed = script_sig != mtx.vin[i].script_sig || witness != mtx.vin[i].witness;
            if (complete) {
                mtx.vin[i].script_sig = std::move(script_sig);
                mtx.vin[i].witness = std::move(witness);
            } else if (changed && SolveScript(it->second.witness_script.empty() ? it->second.redeem_script.empty()
                                                                          ? it->second.out.script_pubkey
                                                                          : it->second.redeem_script
                                                                    : it->second.witness_script)
                           .type == ScriptOutputType::MULTISIG) {
                // Not enough keys for the whole multisig: add what we have to
                // the signatures already there.
                TxIn partial = mtx.vin[i];
                partial.script_sig = script_sig;
                partial.witness = witness;
                if (const auto merged = MergeMultisig({mtx.vin[i], partial}, it->second.out, frozen, i, txdata)) {
                    mtx.vin[i] = *merged;
                }
            }
        }
    }
    const Transaction signed_tx(mtx);
    PrecomputedTransactionData txdata;
    txdata.Init(signed_tx, all_known ? spent_outputs : std::vector<TxOut>{}, /*force=*/true);
    for (unsigned i = 0; i < mtx.vin.size(); ++i) {
        const TxIn& in = mtx.vin[i];
        const auto it = spent.find(in.prevout);
        if (it == spent.end()) {
            errors.push_back(InputError(in, "Input not found or already spent"));
            continue;
        }
        if ((hash_type & SIGHASH_OUTPUT_MASK) == SIGHASH_SINGLE && i >= mtx.vout.size()) {
            errors.push_back(InputError(in, "Signature must use SIGHASH_SINGLE with a matching output"));
            continue;
        }
        ScriptError serror = ScriptError::OK;
        TransactionSignatureChecker checker(&signed_tx, i, it->second.out.value, txdata);
        if (!VerifyScript(in.script_sig, it->second.out.script_pubkey, &in.witness, SIGNING_CHECK_FLAGS, checker,
                          &serror)) {
            std::string message = ScriptErrorMessage(serror);
            if (serror == ScriptError::INVALID_STACK_OPERATION) {
                message = "Unable to sign input, invalid stack size (possibly missing key)";
            }
            errors.push_back(InputError(in, message));
        }
    }
    Json out = Json::object();
    out["hex"] = EncodeHexTx(signed_tx);
    out["complete"] = errors.empty();
    if (!errors.empty()) out["errors"] = std::move(errors);
    return out;
}

MutableTransaction ParseTxParam(const Json& value)
{
    if (!value.is_string()) throw RPCError(RPC_DESERIALIZATION_ERROR, "TX decode failed");
    const auto bytes = TryParseHex(value.get<std::string>());
    std::optional<MutableTransaction> tx;
    if (bytes) tx = DecodeTxBytes(*bytes);
    if (!tx) throw RPCError(RPC_DESERIALIZATION_ERROR, "TX decode failed. Make sure the tx has at least one input.");
    return *tx;
}

Json SignRawTransactionWithKey(const RPCRequest& request)
{
    MutableTransaction mtx = ParseTxParam(request.Param(0));
    const AddressParams& params = Params(request);
    KeyStore keys;
    const Json& privkeys = request.Param(1);
    if (!privkeys.is_array()) throw RPCError(RPC_TYPE_ERROR, "Expected type array for privkeys");
    for (const Json& k : privkeys) {
        if (!k.is_string()) throw RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid private key");
        auto key = DecodeSecret(k.get<std::string>(), params);
        if (!key || !key->IsValid()) throw RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid private key");
        keys.keys.push_back(*key);
    }
    const auto spent = CollectSpent(request, mtx, request.Param(2));
    const int hash_type = ParseSighashType(request.Param(3));
    return SignTransaction(mtx, keys, spent, hash_type);
}

// Picks, per input, the first version whose input verifies; otherwise the first non-empty one.
Json CombineRawTransaction(const RPCRequest& request)
{
    const Json& txs = request.Param(0);
    if (!txs.is_array()) throw RPCError(RPC_TYPE_ERROR, "Expected type array for txs");
    std::vector<MutableTransaction> versions;
    for (size_t i = 0; i < txs.size(); ++i) {
        const auto bytes = txs[i].is_string() ? TryParseHex(txs[i].get<std::string>()) : std::nullopt;
        std::optional<MutableTransaction> tx;
        if (bytes) tx = DecodeTxBytes(*bytes);
        if (!tx) throw RPCError(RPC_DESERIALIZATION_ERROR, fmt::format("TX decode failed for tx {}. Make sure the tx has at least one input.", i));
        versions.push_back(std::move(*tx));
    }
    if (versions.empty()) throw RPCError(RPC_DESERIALIZATION_ERROR, "Missing transactions");
    MutableTransaction merged = versions.front();
    const auto spent = CollectSpent(request, merged, nullptr);
    std::vector<TxOut> spent_outputs;
    for (const TxIn& in : merged.vin) {
        const auto it = spent.find(in.prevout);
        if (it == spent.end()) throw RPCError(RPC_VERIFY_ERROR, "Input not found or already spent");
        spent_outputs.push_back(it->second.out);
    }
    for (unsigned i = 0; i < merged.vin.size(); ++i) {
        const TxOut& prev = spent_outputs[i];
        bool chosen = false;
        for (const MutableTransaction& v : versions) {
            if (v.vin.size() != merged.vin.size()) continue;
            MutableTransaction trial = merged;
            trial.vin[i].script_sig = v.vin[i].script_sig;
            trial.vin[i].witness = v.vin[i].witness;
            const Transaction frozen(trial);
            PrecomputedTransactionData txdata;
            txdata.Init(frozen, spent_outputs, true);
            TransactionSignatureChecker checker(&frozen, i, prev.value, txdata);
            if (VerifyScript(trial.vin[i].script_sig, prev.script_pubkey, &trial.vin[i].witness, SIGNING_CHECK_FLAGS,
                             checker)) {
                merged.vin[i] = trial.vin[i];
                chosen = true;
                break;
            }
        }
        if (chosen) continue;
        std::vector<TxIn> variants;
        for (const MutableTransaction& v : versions) {
            if (v.vin.size() == merged.vin.size()) variants.push_back(v.vin[i]);
        }
        {
            const Transaction frozen(merged);
            PrecomputedTransactionData txdata;
            txdata.Init(frozen, spent_outputs, true);
            if (const auto multisig = MergeMultisig(variants, prev, frozen, i, txdata)) {
                merged.vin[i] = *multisig;
                continue;
            }
        }
        for (const MutableTransaction& v : versions) {
            if (v.vin.size() == merged.vin.size() && (!v.vin[i].script_sig.empty() || !v.vin[i].witness.IsNull())) {
                merged.vin[i].script_sig = v.vin[i].script_sig;
                merged.vin[i].witness = v.vin[i].witness;
                break;
            }
        }
    }
    return EncodeHexTx(Transaction(merged));
}

// ---- getrawtransaction -----------------------------------------------------------

int VerbosityParam(const Json& value)
{
    if (value.is_null()) return 0;
    if (value.is_boolean()) return value.get<bool>() ? 1 : 0;
    if (value.is_number_integer()) return static_cast<int>(value.get<int64_t>());
    throw RPCError(RPC_TYPE_ERROR, "JSON value of type " + JsonTypeName(value) + " is not of expected type number");
}

Json GetRawTransaction(const RPCRequest& request)
{
    ChainstateManager& chainman = EnsureChainman(request);
    const uint256 txid = ParseHashV(request.Param(0), "parameter 1");
    const int verbosity = VerbosityParam(request.Param(1));
    const AddressParams& params = chainman.Params().Address();

    Lock lock(chainman.ChainLock());
    const BlockIndex* genesis = chainman.ActiveChain().Genesis();
    if (genesis) {
        Block block;
        if (chainman.Blocks().ReadBlock(block, *genesis) && !block.vtx.empty() && block.vtx[0]->GetHash() == txid) {
            throw RPCError(RPC_INVALID_ADDRESS_OR_KEY,
                           "The genesis block coinbase is not considered an ordinary transaction and cannot be retrieved");
        }
    }
    BlockIndex* index = nullptr;
    if (!request.Param(2).is_null()) {
        const uint256 block_hash = ParseHashV(request.Param(2), "parameter 3");
        index = chainman.LookupBlockIndex(block_hash);
        if (!index) throw RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Block hash not found");
    }
    TransactionRef tx;
    uint256 block_hash;
    int position = -1;
    Block block;
    bool have_block = false;
    if (index) {
        if ((index->status & BLOCK_HAVE_DATA) && chainman.Blocks().ReadBlock(block, *index)) {
            have_block = true;
            for (size_t i = 0; i < block.vtx.size(); ++i) {
                if (block.vtx[i]->GetHash() == txid) {
                    tx = block.vtx[i];
                    position = static_cast<int>(i);
                    block_hash = index->GetBlockHash();
                    break;
                }
            }
        }
        if (!tx) {
            if (!have_block) throw RPCError(RPC_MISC_ERROR, "Block not available");
            throw RPCError(RPC_INVALID_ADDRESS_OR_KEY,
                           "No such transaction found in the provided block. Use gettransaction for wallet transactions.");
        }
    } else {
        tx = LookupMempoolTx(request, txid);
        if (!tx) {
            if (auto found = chainman.FindTransaction(txid)) {
                tx = found->first;
                block_hash = found->second;
                index = chainman.LookupBlockIndex(block_hash);
            }
        }
        if (!tx) {
            const bool txindex = request.node && request.node->args && request.node->args->GetBoolArg("-txindex", false);
            throw RPCError(RPC_INVALID_ADDRESS_OR_KEY,
                           txindex ? "No such mempool or blockchain transaction. Use gettransaction for wallet transactions."
                                   : "No such mempool transaction. Use -txindex or provide a block hash to enable "
                                     "blockchain transaction queries. Use gettransaction for wallet transactions.");
        }
    }
    if (verbosity <= 0) return EncodeHexTx(*tx);

    std::optional<TxUndo> undo;
    if (verbosity >= 2 && index && !tx->IsCoinBase()) {
        if (!have_block && (index->status & BLOCK_HAVE_DATA) && chainman.Blocks().ReadBlock(block, *index)) have_block = true;
        if (have_block && position < 0) {
            for (size_t i = 0; i < block.vtx.size(); ++i) {
                if (block.vtx[i]->GetHash() == txid) position = static_cast<int>(i);
            }
        }
        BlockUndo block_undo;
        if (position > 0 && chainman.Blocks().ReadUndo(block_undo, *index) &&
            block_undo.vtxundo.size() >= static_cast<size_t>(position)) {
            undo = block_undo.vtxundo[position - 1];
        }
    }
    Json out = Json::object();
    const bool named_block = !request.Param(2).is_null();
    if (named_block) out["in_active_chain"] = chainman.ActiveChain().Contains(index);
    Json body = TxToJson(*tx, params, block_hash, /*include_hex=*/true, undo ? &*undo : nullptr,
                         undo ? TxVerbosity::SHOW_DETAILS_AND_PREVOUT : TxVerbosity::SHOW_DETAILS);
    for (auto it = body.begin(); it != body.end(); ++it) out[it.key()] = it.value();
    if (index && !block_hash.IsNull()) {
        if (chainman.ActiveChain().Contains(index)) {
            out["confirmations"] = chainman.ActiveChain().Height() - index->height + 1;
            out["time"] = index->time;
            out["blocktime"] = index->time;
        } else {
            out["confirmations"] = 0;
        }
    }
    return out;
}

// ---- sendrawtransaction / testmempoolaccept / submitpackage --------------------------

// BTC/kvB -> sat/kvB, as Core's ParseFeeRate.
Amount FeeRateParam(const Json& value, Amount default_sat_per_kvb)
{
    if (value.is_null()) return default_sat_per_kvb;
    const Amount rate = AmountFromValue(value);
    if (rate >= COIN) throw RPCError(RPC_INVALID_PARAMETER, "Fee rates larger than or equal to 1BTC/kvB are not accepted");
    return rate;
}

Amount FeeForVsize(Amount sat_per_kvb, int64_t vsize)
{
    return node::FeeRate(sat_per_kvb).GetFee(vsize);
}

TransactionRef DecodeParamTx(const Json& value, const std::string& what = "TX decode failed")
{
    std::optional<MutableTransaction> tx;
    if (value.is_string()) {
        if (const auto bytes = TryParseHex(value.get<std::string>())) tx = DecodeTxBytes(*bytes);
    }
    if (!tx) throw RPCError(RPC_DESERIALIZATION_ERROR, what + ". Make sure the tx has at least one input.");
    return MakeTransactionRef(std::move(*tx));
}

void CheckBurn(const Transaction& tx, Amount max_burn)
{
    for (const TxOut& out : tx.vout) {
        if (out.value > max_burn && (out.script_pubkey.IsUnspendable() ||
                                     SolveScript(out.script_pubkey).type == ScriptOutputType::NULL_DATA)) {
            throw RPCError(RPC_VERIFY_ERROR, "Unspendable output exceeds maximum configured by user (maxburnamount)");
        }
    }
}

void Relay(const RPCRequest& request, const uint256& txid, const uint256& wtxid)
{
    if (request.node && request.node->peerman) request.node->peerman->RelayTransaction(txid, wtxid);
}

[[noreturn]] void ThrowAcceptError(const TxValidationState& state)
{
    if (state.IsInvalid()) {
        if (state.GetTxResult() == TxValidationResult::MISSING_INPUTS) throw RPCError(RPC_VERIFY_ERROR, "bad-txns-inputs-missingorspent");
        throw RPCError(RPC_VERIFY_REJECTED, state.ToString());
    }
    throw RPCError(RPC_VERIFY_ERROR, state.ToString());
}

Json SendRawTransaction(const RPCRequest& request)
{
    const TransactionRef tx = DecodeParamTx(request.Param(0));
    const Amount max_feerate = FeeRateParam(request.Param(1), node::DEFAULT_MAX_RAW_TX_FEE_RATE);
    const Amount max_burn = request.Param(2).is_null() ? 0 : AmountFromValue(request.Param(2));
    CheckBurn(*tx, max_burn);
    ChainstateManager& chainman = EnsureChainman(request);
    node::TxMempool& pool = EnsureMempool(request);
    const uint256 txid = tx->GetHash();
    if (const TransactionRef in_pool = pool.get(txid)) {
        // Announce the pool's version (its witness may differ) once more; not
        // accepted by this call, so it does not join the unbroadcast set (as Core).
        Relay(request, txid, in_pool->GetWitnessHash());
        return txid.GetHex();
    }
    {
        Lock lock(chainman.ChainLock());
        for (uint32_t n = 0; n < tx->vout.size(); ++n) {
            if (chainman.CoinsTip().HaveCoin(OutPoint{txid, n})) {
                throw RPCError(RPC_VERIFY_ALREADY_IN_UTXO_SET, "Transaction outputs already in utxo set");
            }
        }
    }
    const int64_t now = GetTime();
    if (max_feerate > 0) {
        const node::MempoolAcceptResult check = node::AcceptToMemoryPool(chainman, pool, tx, now, false, /*test_accept=*/true);
        if (!check.IsValid()) ThrowAcceptError(check.m_state);
        if (check.m_base_fees && check.m_vsize && *check.m_base_fees > FeeForVsize(max_feerate, *check.m_vsize)) {
            throw RPCError(RPC_VERIFY_ERROR, "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)");
        }
    }
    const node::MempoolAcceptResult result = node::AcceptToMemoryPool(chainman, pool, tx, now, false, /*test_accept=*/false);
    if (!result.IsValid()) ThrowAcceptError(result.m_state);
    // Tracked until a peer asks for it; re-announced every 10-15 minutes until then.
    pool.AddUnbroadcastTx(txid);
    Relay(request, txid, tx->GetWitnessHash());
    return txid.GetHex();
}

Json FeesJson(const node::MempoolAcceptResult& r, bool with_effective)
{
    Json fees = Json::object();
    fees["base"] = ValueFromAmount(r.m_base_fees.value_or(0));
    if (with_effective) {
        if (r.m_effective_feerate_sat_per_kvb) fees["effective-feerate"] = ValueFromAmount(*r.m_effective_feerate_sat_per_kvb);
        Json includes = Json::array();
        for (const uint256& w : r.m_wtxids_fee_calculations) includes.push_back(w.GetHex());
        fees["effective-includes"] = std::move(includes);
    }
    return fees;
}

std::vector<TransactionRef> DecodeTxArray(const Json& value)
{
    if (!value.is_array()) throw RPCError(RPC_TYPE_ERROR, "Expected type array");
    if (value.empty() || value.size() > 25) {
        throw RPCError(RPC_INVALID_PARAMETER, "Array must contain between 1 and 25 transactions.");
    }
    std::vector<TransactionRef> txs;
    for (const Json& v : value) txs.push_back(DecodeParamTx(v, "TX decode failed"));
    return txs;
}

Json TestMempoolAccept(const RPCRequest& request)
{
    const std::vector<TransactionRef> txs = DecodeTxArray(request.Param(0));
    const Amount max_feerate = FeeRateParam(request.Param(1), node::DEFAULT_MAX_RAW_TX_FEE_RATE);
    ChainstateManager& chainman = EnsureChainman(request);
    node::TxMempool& pool = EnsureMempool(request);

    std::map<uint256, node::MempoolAcceptResult> results;
    std::string package_error;
    if (txs.size() == 1) {
        results.emplace(txs[0]->GetWitnessHash(),
                        node::AcceptToMemoryPool(chainman, pool, txs[0], GetTime(), false, /*test_accept=*/true));
    } else {
        node::PackageMempoolAcceptResult pr = node::ProcessNewPackage(chainman, pool, txs, /*test_accept=*/true);
        // As Core, "package-error" is for package policy failures; "transaction
        // failed" only says that a member failed, which its own result shows.
        if (!pr.m_state.IsValid() && pr.m_state.GetRejectReason() != "transaction failed") {
            package_error = pr.m_state.ToString();
        }
        results = std::move(pr.m_tx_results);
    }
    Json out = Json::array();
    // After a transaction over maxfeerate the rest get no verdict, as Core.
    bool exit_early = false;
    for (const TransactionRef& tx : txs) {
        Json r = Json::object();
        r["txid"] = tx->GetHash().GetHex();
        r["wtxid"] = tx->GetWitnessHash().GetHex();
        if (!package_error.empty()) r["package-error"] = package_error;
        const auto it = results.find(tx->GetWitnessHash());
        if (exit_early || it == results.end()) {
            out.push_back(std::move(r));
            continue;
        }
        const node::MempoolAcceptResult& res = it->second;
        if (res.m_result_type == node::MempoolAcceptResult::ResultType::VALID) {
            const int64_t vsize = res.m_vsize.value_or(0);
            const Amount fee = res.m_base_fees.value_or(0);
            const Amount max_fee = FeeForVsize(max_feerate, vsize);
            if (max_fee && fee > max_fee) {
                r["allowed"] = false;
                r["reject-reason"] = "max-fee-exceeded";
                exit_early = true;
            } else {
                r["allowed"] = true;
                r["vsize"] = vsize;
                r["fees"] = FeesJson(res, true);
            }
        } else {
            r["allowed"] = false;
            if (res.m_state.GetTxResult() == TxValidationResult::MISSING_INPUTS) {
                r["reject-reason"] = "missing-inputs";
            } else {
                r["reject-reason"] = res.m_state.GetRejectReason();
                r["reject-details"] = res.m_state.ToString();
            }
        }
        out.push_back(std::move(r));
    }
    return out;
}

Json SubmitPackage(const RPCRequest& request)
{
    const Json& raw = request.Param(0);
    if (!raw.is_array()) throw RPCError(RPC_TYPE_ERROR, "Expected type array");
    if (raw.empty() || raw.size() > 25) {
        throw RPCError(RPC_INVALID_PARAMETER, "Array must contain between 1 and 25 transactions.");
    }
    std::vector<TransactionRef> txs;
    for (const Json& v : raw) txs.push_back(DecodeParamTx(v, "TX decode failed: "));
    const Amount max_feerate = FeeRateParam(request.Param(1), node::DEFAULT_MAX_RAW_TX_FEE_RATE);
    const Amount max_burn = request.Param(2).is_null() ? 0 : AmountFromValue(request.Param(2));
    for (const TransactionRef& tx : txs) CheckBurn(*tx, max_burn);
    // The package must be a child with its parents: every other member is spent by the last one.
    if (txs.size() > 1) {
        std::set<uint256> spent_by_child;
        for (const TxIn& in : txs.back()->vin) spent_by_child.insert(in.prevout.hash);
        for (size_t i = 0; i + 1 < txs.size(); ++i) {
            if (!spent_by_child.count(txs[i]->GetHash())) {
                throw RPCError(RPC_INVALID_PARAMETER, "package topology disallowed. not child-with-parents or parents depend on each other.");
            }
        }
    }
    ChainstateManager& chainman = EnsureChainman(request);
    node::TxMempool& pool = EnsureMempool(request);
    node::PackageMempoolAcceptResult pr = node::ProcessNewPackage(chainman, pool, txs, /*test_accept=*/false, max_feerate);
    // Announce every member now in the pool, also those that were there
    // before (by the pool's wtxid). As in Core, package members do not join
    // the unbroadcast set: Core's broadcast step finds them already in the
    // pool and only relays them.
    for (const TransactionRef& tx : txs) {
        if (const TransactionRef in_pool = pool.get(tx->GetHash())) Relay(request, in_pool->GetHash(), in_pool->GetWitnessHash());
    }

    Json out = Json::object();
    // Core: "success", or the package state ("transaction failed", "TRUC-violation, ...", ...).
    out["package_msg"] = pr.m_state.IsValid() ? "success" : pr.m_state.ToString();
    Json tx_results = Json::object();
    Json replaced = Json::array();
    for (const TransactionRef& tx : txs) {
        const uint256 wtxid = tx->GetWitnessHash();
        Json r = Json::object();
        r["txid"] = tx->GetHash().GetHex();
        const auto it = pr.m_tx_results.find(wtxid);
        if (it == pr.m_tx_results.end()) {
            // Only when the package was refused as a whole before any member
            // was tried (then no member has a verdict): Core's string.
            r["error"] = "package-not-validated";
            tx_results[wtxid.GetHex()] = std::move(r);
            continue;
        }
        const node::MempoolAcceptResult& res = it->second;
        switch (res.m_result_type) {
        case node::MempoolAcceptResult::ResultType::DIFFERENT_WITNESS:
            if (res.m_other_wtxid) r["other-wtxid"] = res.m_other_wtxid->GetHex();
            break;
        case node::MempoolAcceptResult::ResultType::INVALID:
            r["error"] = res.m_state.ToString();
            break;
        case node::MempoolAcceptResult::ResultType::VALID:
        case node::MempoolAcceptResult::ResultType::MEMPOOL_ENTRY: {
            r["vsize"] = res.m_vsize.value_or(0);
            const bool fresh = res.m_result_type == node::MempoolAcceptResult::ResultType::VALID;
            r["fees"] = FeesJson(res, fresh);
            for (const uint256& t : res.m_replaced_txids) replaced.push_back(t.GetHex());
            break;
        }
        }
        tx_results[wtxid.GetHex()] = std::move(r);
    }
    out["tx-results"] = std::move(tx_results);
    out["replaced-transactions"] = std::move(replaced);
    return out;
}

void RegisterMempoolSubmitRPCCommands(RPCTable& table)
{
    table.Register({"rawtransactions", "sendrawtransaction",
                    "Hand a hex-encoded serialized transaction to this node, which validates it and relays it to the network.\n"
                    "Every peer is sent the transaction regardless of what it already knows, so re-announcing\n"
                    "a transaction by hand with this call can reveal that it originated from this node.",
                    {{"hexstring", T::STR_HEX, false, "required", "Serialized transaction, hex-encoded"},
                     {"maxfeerate", T::AMOUNT, true, "default=\"0.10\"",
                      "Upper bound on the transaction's fee rate in BTC/kvB; anything paying more is refused.\n"
                      "The limit itself must be below 1 BTC/kvB.\nUse 0 to disable the check."},
                     {"maxburnamount", T::AMOUNT, true, "default=\"0.00\"",
                      "Upper bound, in BTC, on the value a transaction may put into outputs that can never be spent "
                      "(for example OP_RETURN data-carrier outputs); transactions over it are refused."}},
                    "\"hex\"    (string) txid of the submitted transaction, hex-encoded\n",
                    Examples("sendrawtransaction", "\"signedhex\"", "\"signedhex\""), SendRawTransaction});
    table.Register({"rawtransactions", "testmempoolaccept",
                    "Dry-run mempool admission for one or more hex-encoded serialized transactions and report, per "
                    "transaction, whether it would get in. Nothing is added to the mempool.\n\nWhen several transactions are "
                    "given (related or not), list each parent ahead of its children; package rules then apply: none may "
                    "conflict with another or with the mempool, or already be in the mempool, and each must pay for "
                    "itself (a child's fee does not count for its parents).\nValidation stops at the first failing "
                    "transaction, so the others may come back without an \"allowed\" verdict.\n\nAt most 25 "
                    "transactions per call.\n\n"
                    "Both consensus rules and local policy rules are checked.",
                    {{"rawtxs", T::ARR, false, "required", "List of serialized transactions, each hex-encoded."},
                     {"maxfeerate", T::AMOUNT, true, "default=\"0.10\"",
                      "Upper bound on each transaction's fee rate in BTC/kvB; anything paying more is refused"}},
                    "[ { \"txid\" : \"hex\", \"wtxid\" : \"hex\", \"package-error\" : \"str\", \"allowed\" : true|false, "
                    "\"vsize\" : n, \"fees\" : { \"base\" : n, \"effective-feerate\" : n, \"effective-includes\" : [...] }, "
                    "\"reject-reason\" : \"str\", \"reject-details\" : \"str\" }, ... ]\n",
                    Examples("testmempoolaccept", "'[\"signedhex\"]'", "[\"signedhex\"]"), TestMempoolAccept});
    table.Register({"rawtransactions", "submitpackage",
                    "Hand a group of related hex-encoded serialized transactions to this node as one package.\n"
                    "Each transaction is checked against consensus and mempool policy, and every one that passes "
                    "enters the mempool.\nThis call is experimental; its interface can still change. "
                    "Package policy details are described in doc/mempool.md.\n"
                    "Note: being accepted here gives no guarantee that the rest of the network will relay the transactions.",
                    {{"package", T::ARR, false, "required",
                      "List of serialized transactions.\nIt must be one child transaction together with any subset "
                      "of its unconfirmed parents (possibly none); a lone transaction is fine too."},
                     {"maxfeerate", T::AMOUNT, true, "default=\"0.10\"",
                      "Upper bound on each transaction's fee rate in BTC/kvB; anything paying more is refused."},
                     {"maxburnamount", T::AMOUNT, true, "default=\"0.00\"",
                      "Upper bound, in BTC, on the value a transaction may put into outputs that can never be spent."}},
                    "{ \"package_msg\" : \"str\", \"tx-results\" : { \"wtxid\" : { \"txid\" : \"hex\", \"other-wtxid\" : "
                    "\"hex\", \"vsize\" : n, \"fees\" : {...}, \"error\" : \"str\" } }, \"replaced-transactions\" : [...] }\n",
                    Examples("submitpackage", "'[\"raw-parent-tx-1\", \"raw-child-tx\"]'", "[\"raw-parent-tx-1\", \"raw-child-tx\"]"),
                    SubmitPackage});
}

} // namespace

void RegisterRawTransactionRPCCommands(RPCTable& table)
{
    table.Register({"rawtransactions", "createrawtransaction",
                    "Build an unsigned transaction from the listed inputs and outputs.\n"
                    "An output is either an address with an amount or a data entry.\n"
                    "The result is the serialized transaction in hex.\n"
                    "No input gets signed, the wallet does not keep a copy,\n"
                    "and nothing is broadcast.",
                    {{"inputs", T::ARR, false, "required", "Coins to spend: [{\"txid\":\"hex\",\"vout\":n,\"sequence\":n},...]"},
                     {"outputs", T::ANY, false, "required", "Destinations: [{\"address\":amount},{\"data\":\"hex\"},...]"},
                     {"locktime", T::NUM, true, "default=0", "nLockTime value; a nonzero value also makes the inputs' sequence numbers enable the lock"},
                     {"replaceable", T::BOOL, true, "default=true", "Signal opt-in replace-by-fee (BIP125) on the inputs."},
                     {"version", T::NUM, true, "default=2", "nVersion field of the new transaction"}},
                    "\"hex\"    (string) serialized transaction, hex-encoded\n",
                    Examples("createrawtransaction", "\"[{\\\"txid\\\":\\\"myid\\\",\\\"vout\\\":0}]\" \"[{\\\"address\\\":0.01}]\"",
                             "[{\"txid\":\"myid\",\"vout\":0}], [{\"address\":0.01}]"),
                    CreateRawTransaction});
    table.Register({"rawtransactions", "decoderawtransaction",
                    "Parse a hex-encoded serialized transaction and show its fields as JSON.",
                    {{"hexstring", T::STR_HEX, false, "required", "Serialized transaction, hex-encoded"},
                     {"iswitness", T::BOOL, true, "default=depends on heuristic tests",
                      "Treat the input as using the witness serialization (true) or the legacy one (false)."}},
                    "{ \"txid\" : \"hex\", \"hash\" : \"hex\", \"size\" : n, \"vsize\" : n, \"weight\" : n, \"version\" : n, "
                    "\"locktime\" : xxx, \"vin\" : [...], \"vout\" : [...] }\n",
                    Examples("decoderawtransaction", "\"hexstring\"", "\"hexstring\""), DecodeRawTransaction});
    table.Register({"rawtransactions", "decodescript", "Parse a hex-encoded script and describe it.",
                    {{"hexstring", T::STR_HEX, false, "required", "Script bytes, hex-encoded"}},
                    "{ \"asm\" : \"str\", \"desc\" : \"str\", \"type\" : \"str\", \"address\" : \"str\", \"p2sh\" : \"str\", "
                    "\"segwit\" : {...} }\n",
                    Examples("decodescript", "\"hexstring\"", "\"hexstring\""), DecodeScript});
    table.Register({"rawtransactions", "signrawtransactionwithkey",
                    "Add signatures to the inputs of a hex-encoded serialized transaction.\n"
                    "Signing uses exclusively the base58-encoded private keys given as the second argument.\n"
                    "The optional third argument (null allowed) lists outputs being spent that the node may not "
                    "know about yet, e.g. because they are still unconfirmed.",
                    {{"hexstring", T::STR, false, "required", "Serialized transaction, hex-encoded"},
                     {"privkeys", T::ARR, false, "required", "Private keys to sign with, base58-encoded"},
                     {"prevtxs", T::ARR, true, "optional", "Outputs being spent that may be unknown to the node"},
                     {"sighashtype", T::STR, true, "default=\"DEFAULT for Taproot, ALL otherwise\"",
                      "Sighash flag to sign with; allowed values: \"DEFAULT\", \"ALL\", \"NONE\", \"SINGLE\", "
                      "\"ALL|ANYONECANPAY\", \"NONE|ANYONECANPAY\", \"SINGLE|ANYONECANPAY\""}},
                    "{ \"hex\" : \"hex\", \"complete\" : true|false, \"errors\" : [...] }\n",
                    Examples("signrawtransactionwithkey", "\"myhex\" \"[\\\"key1\\\",\\\"key2\\\"]\"",
                             "\"myhex\", \"[\\\"key1\\\",\\\"key2\\\"]\""),
                    SignRawTransactionWithKey});
    table.Register({"rawtransactions", "combinerawtransaction",
                    "Merge the signatures from several copies of the same partially signed transaction.\n"
                    "The merged result can still be missing signatures, or it can be\n"
                    "complete.",
                    {{"txs", T::ARR, false, "required", "Partially signed copies of the transaction, each hex-encoded"}},
                    "\"str\"    (string) merged transaction with all gathered signatures, hex-encoded\n",
                    Examples("combinerawtransaction", "'[\"myhex1\", \"myhex2\", \"myhex3\"]'", "[\"myhex1\", \"myhex2\"]"),
                    CombineRawTransaction});
    table.Register({"rawtransactions", "getrawtransaction",
                    "Look up a transaction by txid. Without extra help only mempool transactions can be found.\n"
                    "When -txindex is on and no blockhash is given, transactions from any block are found as well.\n"
                    "When a blockhash is given, the lookup is limited to that block, which must be\n"
                    "present on disk.",
                    {{"txid", T::STR_HEX, false, "required", "txid to look up"},
                     {"verbosity", T::ANY, true, "default=0",
                      "0 gives hex, 1 gives decoded JSON, 2 gives decoded JSON plus fee and spent-output details"},
                     {"blockhash", T::STR_HEX, true, "optional", "Restrict the lookup to this block"}},
                    "\"data\"    (string) with verbosity 0, the hex-encoded serialized transaction for 'txid';\n"
                    "with verbosity 1 or 2, a JSON object instead\n",
                    Examples("getrawtransaction", "\"mytxid\" 1", "\"mytxid\", 1"), GetRawTransaction});
    RegisterMempoolSubmitRPCCommands(table);
}
