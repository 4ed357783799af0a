#include <rpc/core_json.h>

#include <consensus/block_check.h>
#include <consensus/pow.h>
#include <crypto/pubkey.h>
#include <rpc/util.h>
#include <script/descriptor.h>
#include <script/interpreter.h>
#include <script/script_num.h>
#include <script/sighash.h>
#include <script/signature_encoding.h>
#include <serialize.h>
#include <streams.h>
#include <util/strencodings.h>

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <string_view>

namespace {

constexpr int MAX_MULTISIG_KEYS = 20;

// A key whose length fits its leading byte (0x02/0x03: 33, 0x04/0x06/0x07: 65).
bool HasKeySize(std::span<const unsigned char> key)
{
    if (key.empty()) return false;
    switch (key[0]) {
    case 2: case 3: return key.size() == PubKey::COMPRESSED_SIZE;
    case 4: case 6: case 7: return key.size() == PubKey::SIZE;
    default: return false;
    }
}

// A compressed or uncompressed (not hybrid) key by its size and prefix.
bool IsNonHybridKey(std::span<const unsigned char> key)
{
    if (key.size() == PubKey::COMPRESSED_SIZE) return key[0] == 2 || key[0] == 3;
    if (key.size() == PubKey::SIZE) return key[0] == 4;
    return false;
}

std::optional<std::vector<unsigned char>> MatchPayToPubkey(const Script& s)
{
    for (size_t len : {PubKey::SIZE, PubKey::COMPRESSED_SIZE}) {
        if (s.size() == len + 2 && s[0] == len && s.back() == OP_CHECKSIG) {
            std::vector<unsigned char> key(s.begin() + 1, s.begin() + 1 + len);
            if (HasKeySize(key)) return key;
            return std::nullopt;
        }
    }
    return std::nullopt;
}

std::optional<std::vector<unsigned char>> MatchPayToPubkeyHash(const Script& s)
{
    if (s.size() == 25 && s[0] == OP_DUP && s[1] == OP_HASH160 && s[2] == 20 && s[23] == OP_EQUALVERIFY &&
        s[24] == OP_CHECKSIG) {
        return std::vector<unsigned char>(s.begin() + 3, s.begin() + 23);
    }
    return std::nullopt;
}

// A number in a multisig template: OP_1..OP_16, or a minimally pushed script
// number, within [min, max].
std::optional<int> MultisigNumber(opcodetype op, const std::vector<unsigned char>& data, int min, int max)
{
    int value;
    if (op >= OP_1 && op <= OP_16) {
        value = Script::DecodeOpN(op);
    } else if (op <= OP_PUSHDATA4) {
        // Minimal push: the opcode is the shortest one for this data.
        Script minimal;
        minimal << std::span<const unsigned char>(data);
        const bool small_number = data.size() == 1 && data[0] >= 1 && data[0] <= 16;
        if (small_number || data.empty() || minimal[0] != op) return std::nullopt;
        if (data.size() == 1 && data[0] == 0x81) return std::nullopt; // would be OP_1NEGATE
        auto num = ScriptNum::Decode(data, /*require_minimal=*/true);
        if (!num) return std::nullopt;
        value = num->GetInt();
    } else {
        return std::nullopt;
    }
    if (value < min || value > max) return std::nullopt;
    return value;
}

bool MatchMultisig(const Script& s, ScriptSolution& out)
{
    if (s.empty() || s.back() != OP_CHECKMULTISIG) return false;
    auto pc = s.begin();
    opcodetype op;
    std::vector<unsigned char> data;
    if (!s.GetOp(pc, op, data)) return false;
    auto required = MultisigNumber(op, data, 1, MAX_MULTISIG_KEYS);
    if (!required) return false;
    std::vector<std::vector<unsigned char>> keys;
    while (s.GetOp(pc, op, data) && HasKeySize(data)) keys.push_back(data);
    auto count = MultisigNumber(op, data, *required, MAX_MULTISIG_KEYS);
    if (!count || keys.size() != static_cast<size_t>(*count)) return false;
    if (pc + 1 != s.end()) return false;
    out.data.clear();
    out.data.push_back({static_cast<unsigned char>(*required)});
    for (auto& key : keys) out.data.push_back(std::move(key));
    out.data.push_back({static_cast<unsigned char>(*count)});
    return true;
}

const char* SighashName(unsigned char type)
{
    switch (type) {
    case SIGHASH_ALL: return "ALL";
    case SIGHASH_ALL | SIGHASH_ANYONECANPAY: return "ALL|ANYONECANPAY";
    case SIGHASH_NONE: return "NONE";
    case SIGHASH_NONE | SIGHASH_ANYONECANPAY: return "NONE|ANYONECANPAY";
    case SIGHASH_SINGLE: return "SINGLE";
    case SIGHASH_SINGLE | SIGHASH_ANYONECANPAY: return "SINGLE|ANYONECANPAY";
    default: return nullptr;
    }
}

// ---- descriptors -----------------------------------------------------------
// script/descriptor.h parses descriptors but does not infer one from a
// script; this is the inference Core applies to an output script without
// any key information (the checksum comes from script/descriptor.h).

std::string InferDescriptorBody(const Script& script, const AddressParams& params)
{
    const ScriptSolution sol = SolveScript(script);
    switch (sol.type) {
    case ScriptOutputType::PUBKEY:
        if (IsNonHybridKey(sol.data[0])) return "pk(" + HexStr(sol.data[0]) + ")";
        break;
    case ScriptOutputType::MULTISIG: {
        bool ok = true;
        std::string keys;
        for (size_t i = 1; i + 1 < sol.data.size(); ++i) {
            if (!IsNonHybridKey(sol.data[i])) ok = false;
            keys += "," + HexStr(sol.data[i]);
        }
        if (ok) return "multi(" + std::to_string(sol.data[0][0]) + keys + ")";
        break;
    }
    case ScriptOutputType::WITNESS_V1_TAPROOT: {
        XOnlyPubKey key{std::span<const unsigned char>(sol.data[0])};
        if (key.IsFullyValid()) return "rawtr(" + HexStr(sol.data[0]) + ")";
        break;
    }
    default:
        break;
    }
    if (auto address = EncodeAddress(script, params)) return "addr(" + *address + ")";
    return "raw(" + HexStr(script) + ")";
}

} // namespace

ScriptSolution SolveScript(const Script& s)
{
    ScriptSolution out;
    if (s.IsPayToScriptHash()) {
        out.type = ScriptOutputType::SCRIPTHASH;
        out.data.emplace_back(s.begin() + 2, s.begin() + 22);
        return out;
    }
    int version;
    std::vector<unsigned char> program;
    if (s.IsWitnessProgram(version, program)) {
        if (version == 0 && program.size() == 20) {
            out.type = ScriptOutputType::WITNESS_V0_KEYHASH;
        } else if (version == 0 && program.size() == 32) {
            out.type = ScriptOutputType::WITNESS_V0_SCRIPTHASH;
        } else if (version == 1 && program.size() == 32) {
            out.type = ScriptOutputType::WITNESS_V1_TAPROOT;
        } else if (version == 1 && program == std::vector<unsigned char>{0x4e, 0x73}) {
            out.type = ScriptOutputType::ANCHOR;
            return out;
        } else if (version != 0) {
            out.type = ScriptOutputType::WITNESS_UNKNOWN;
            out.data.push_back({static_cast<unsigned char>(version)});
        } else {
            return out; // v0 of another length: nonstandard
        }
        out.data.push_back(std::move(program));
        return out;
    }
    if (!s.empty() && s[0] == OP_RETURN && s.IsPushOnly(s.begin() + 1)) {
        out.type = ScriptOutputType::NULL_DATA;
        return out;
    }
    if (auto key = MatchPayToPubkey(s)) {
        out.type = ScriptOutputType::PUBKEY;
        out.data.push_back(std::move(*key));
        return out;
    }
    if (auto hash = MatchPayToPubkeyHash(s)) {
        out.type = ScriptOutputType::PUBKEYHASH;
        out.data.push_back(std::move(*hash));
        return out;
    }
    if (MatchMultisig(s, out)) {
        out.type = ScriptOutputType::MULTISIG;
        return out;
    }
    out.data.clear();
    return out;
}

std::string ScriptOutputTypeName(ScriptOutputType type)
{
    switch (type) {
    case ScriptOutputType::NONSTANDARD: return "nonstandard";
    case ScriptOutputType::ANCHOR: return "anchor";
    case ScriptOutputType::PUBKEY: return "pubkey";
    case ScriptOutputType::PUBKEYHASH: return "pubkeyhash";
    case ScriptOutputType::SCRIPTHASH: return "scripthash";
    case ScriptOutputType::MULTISIG: return "multisig";
    case ScriptOutputType::NULL_DATA: return "nulldata";
    case ScriptOutputType::WITNESS_V0_SCRIPTHASH: return "witness_v0_scripthash";
    case ScriptOutputType::WITNESS_V0_KEYHASH: return "witness_v0_keyhash";
    case ScriptOutputType::WITNESS_V1_TAPROOT: return "witness_v1_taproot";
    case ScriptOutputType::WITNESS_UNKNOWN: return "witness_unknown";
    }
    return "nonstandard";
}

std::string ScriptToAsmStr(const Script& script, bool attempt_sighash_decode)
{
    std::string str;
    auto pc = script.begin();
    opcodetype op;
    std::vector<unsigned char> push;
    while (pc < script.end()) {
        if (!str.empty()) str += ' ';
        if (!script.GetOp(pc, op, push)) {
            str += "[error]";
            return str;
        }
        if (op > OP_PUSHDATA4) {
            str += GetOpName(op);
            continue;
        }
        if (push.size() <= 4) {
            // Small pushes read as numbers (non-minimal encodings allowed).
            str += std::to_string(ScriptNum::Decode(push, /*require_minimal=*/false)->GetInt());
            continue;
        }
        std::string suffix;
        if (attempt_sighash_decode && !script.IsUnspendable() &&
            CheckSignatureEncoding(push, SCRIPT_VERIFY_STRICTENC) == ScriptError::OK) {
            if (const char* name = SighashName(push.back())) {
                suffix = std::string("[") + name + "]";
                push.pop_back();
            }
        }
        str += HexStr(push) + suffix;
    }
    return str;
}

std::string InferDescriptorString(const Script& script_pubkey, const AddressParams& params)
{
    const std::string body = InferDescriptorBody(script_pubkey, params);
    return body + "#" + descriptor::DescriptorChecksum(body);
}

Json ScriptPubKeyToJson(const Script& script, const AddressParams& params, bool include_hex, bool include_address)
{
    Json out = Json::object();
    out["asm"] = ScriptToAsmStr(script);
    if (include_address) out["desc"] = InferDescriptorString(script, params);
    if (include_hex) out["hex"] = HexStr(script);
    const ScriptSolution sol = SolveScript(script);
    if (include_address && sol.type != ScriptOutputType::PUBKEY) {
        if (auto address = EncodeAddress(script, params)) out["address"] = *address;
    }
    out["type"] = ScriptOutputTypeName(sol.type);
    return out;
}

std::string EncodeHexTx(const Transaction& tx)
{
    DataStream s;
    s << TX_WITH_WITNESS(tx);
    return HexStr(s.unread());
}

Json TxToJson(const Transaction& tx, const AddressParams& params, const uint256& block_hash, bool include_hex,
              const TxUndo* undo, TxVerbosity verbosity)
{
    Json entry = Json::object();
    entry["txid"] = tx.GetHash().GetHex();
    entry["hash"] = tx.GetWitnessHash().GetHex();
    entry["version"] = tx.version;
    entry["size"] = tx.GetTotalSize();
    entry["vsize"] = GetVirtualTransactionSize(tx);
    entry["weight"] = GetTransactionWeight(tx);
    entry["locktime"] = tx.lock_time;

    // Undo data that does not fit the transaction is ignored rather than misread.
    const bool have_undo = undo != nullptr && !tx.IsCoinBase() && undo->prevout.size() == tx.vin.size();
    Amount amount_in = 0;
    Json vin = Json::array();
    for (size_t i = 0; i < tx.vin.size(); ++i) {
        const TxIn& txin = tx.vin[i];
        Json in = Json::object();
        if (tx.IsCoinBase()) {
            in["coinbase"] = HexStr(txin.script_sig);
        } else {
            in["txid"] = txin.prevout.hash.GetHex();
            in["vout"] = txin.prevout.n;
            in["scriptSig"] = Json{{"asm", ScriptToAsmStr(txin.script_sig, true)}, {"hex", HexStr(txin.script_sig)}};
        }
        if (!txin.witness.IsNull()) {
            Json witness = Json::array();
            for (const auto& item : txin.witness.stack) witness.push_back(HexStr(item));
            in["txinwitness"] = std::move(witness);
        }
        if (have_undo) {
            const Coin& coin = undo->prevout[i];
            amount_in += coin.out.value;
            if (verbosity == TxVerbosity::SHOW_DETAILS_AND_PREVOUT) {
                Json prevout = Json::object();
                prevout["generated"] = coin.coinbase;
                prevout["height"] = coin.height;
                prevout["value"] = ValueFromAmount(coin.out.value);
                prevout["scriptPubKey"] = ScriptPubKeyToJson(coin.out.script_pubkey, params);
                in["prevout"] = std::move(prevout);
            }
        }
        in["sequence"] = txin.sequence;
        vin.push_back(std::move(in));
    }
    entry["vin"] = std::move(vin);

    Amount amount_out = 0;
    Json vout = Json::array();
    for (size_t i = 0; i < tx.vout.size(); ++i) {
        const TxOut& txout = tx.vout[i];
        Json out = Json::object();
        out["value"] = ValueFromAmount(txout.value);
        out["n"] = i;
        out["scriptPubKey"] = ScriptPubKeyToJson(txout.script_pubkey, params);
        vout.push_back(std::move(out));
        amount_out += txout.value;
    }
    entry["vout"] = std::move(vout);

    if (have_undo) entry["fee"] = ValueFromAmount(amount_in - amount_out);
    if (!block_hash.IsNull()) entry["blockhash"] = block_hash.GetHex();
    if (include_hex) entry["hex"] = EncodeHexTx(tx);
    return entry;
}

double GetDifficulty(uint32_t bits)
{
    int shift = (bits >> 24) & 0xff;
    const uint32_t mantissa = bits & 0x00ffffff;
    if (mantissa == 0) return 0.0;
    double diff = static_cast<double>(0x0000ffff) / static_cast<double>(mantissa);
    while (shift < 29) {
        diff *= 256.0;
        ++shift;
    }
    while (shift > 29) {
        diff /= 256.0;
        --shift;
    }
    return diff;
}

std::string TargetHex(uint32_t bits, const uint256& pow_limit)
{
    if (auto target = DeriveTarget(bits, pow_limit)) return target->GetHex();
    return pow_limit.GetHex();
}

Json BlockHeaderToJson(const Chain& chain, const BlockIndex& index, const uint256& pow_limit)
{
    const bool in_chain = chain.Contains(&index);
    Json out = Json::object();
    out["hash"] = index.GetBlockHash().GetHex();
    out["confirmations"] = in_chain ? chain.Height() - index.height + 1 : -1;
    out["height"] = index.height;
    out["version"] = index.version;
    out["versionHex"] = fmt::format("{:08x}", static_cast<uint32_t>(index.version));
    out["merkleroot"] = index.merkle_root.GetHex();
    out["time"] = index.time;
    out["mediantime"] = index.GetMedianTimePast();
    out["nonce"] = index.nonce;
    out["bits"] = fmt::format("{:08x}", index.bits);
    out["target"] = TargetHex(index.bits, pow_limit);
    out["difficulty"] = GetDifficulty(index.bits);
    out["chainwork"] = index.chain_work.GetHex();
    out["nTx"] = index.tx_count;
    if (index.prev) out["previousblockhash"] = index.prev->GetBlockHash().GetHex();
    if (const BlockIndex* next = chain.Next(&index)) out["nextblockhash"] = next->GetBlockHash().GetHex();
    return out;
}

Json BlockToJson(const Block& block, const Chain& chain, const BlockIndex& index, const AddressParams& params,
                 const uint256& pow_limit, TxVerbosity tx_verbosity, const BlockUndo* undo)
{
    Json out = BlockHeaderToJson(chain, index, pow_limit);
    out["strippedsize"] = GetSerializeSize(TX_NO_WITNESS(block));
    out["size"] = GetSerializeSize(TX_WITH_WITNESS(block));
    out["weight"] = GetBlockWeight(block);
    Json txs = Json::array();
    if (undo && undo->vtxundo.size() + 1 != block.vtx.size()) undo = nullptr;
    for (size_t i = 0; i < block.vtx.size(); ++i) {
        const Transaction& tx = *block.vtx[i];
        if (tx_verbosity == TxVerbosity::SHOW_TXID) {
            txs.push_back(tx.GetHash().GetHex());
            continue;
        }
        const TxUndo* tx_undo = (undo && i > 0) ? &undo->vtxundo[i - 1] : nullptr;
        txs.push_back(TxToJson(tx, params, uint256{}, /*include_hex=*/true, tx_undo, tx_verbosity));
    }
    out["tx"] = std::move(txs);
    return out;
}

std::optional<MutableTransaction> DecodeTx(std::span<const unsigned char> bytes, bool allow_witness)
{
    try {
        DataStream stream{bytes};
        MutableTransaction tx;
        UnserializeTransaction(stream, tx, allow_witness);
        if (!stream.empty()) return std::nullopt;
        return tx;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::optional<MutableTransaction> DecodeTxBytes(std::span<const unsigned char> bytes)
{
    auto with_witness = DecodeTx(bytes, true);
    if (with_witness && !with_witness->vin.empty()) return with_witness;
    if (auto legacy = DecodeTx(bytes, false)) return legacy;
    return with_witness;
}

std::optional<MutableTransaction> DecodeHexTx(const std::string& hex)
{
    const auto bytes = TryParseHex(hex);
    if (!bytes) return std::nullopt;
    return DecodeTxBytes(*bytes);
}
