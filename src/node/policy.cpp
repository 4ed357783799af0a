// Relay policy (see policy.h): standardness with Core v30's defaults.

#include <node/policy.h>

#include <consensus/consensus.h>
#include <kernel/coins.h>
#include <script/interpreter.h>
#include <util/args.h>

#include <cmath>
#include <cstdio>
#include <limits>

namespace node {

FeeRate::FeeRate(Amount fee, int64_t vsize) : m_sat_per_kvb(vsize > 0 ? fee * 1000 / vsize : 0) {}

Amount FeeRate::GetFee(int64_t vsize) const
{
    if (vsize <= 0) return 0;
    // Rounded up: a rate above zero never buys a size for free.
    const __int128 num = static_cast<__int128>(m_sat_per_kvb) * vsize;
    Amount fee = static_cast<Amount>(num / 1000);
    if (num % 1000 > 0) ++fee;
    if (num % 1000 < 0) --fee;  // negative rates round away from zero too
    return fee;
}

std::string FeeRate::ToString() const
{
    const Amount v = m_sat_per_kvb < 0 ? -m_sat_per_kvb : m_sat_per_kvb;
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%s%lld.%08lld BTC/kvB", m_sat_per_kvb < 0 ? "-" : "",
                  static_cast<long long>(v / COIN), static_cast<long long>(v % COIN));
    return buf;
}

uint32_t MandatoryScriptVerifyFlags()
{
    return SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_DERSIG | SCRIPT_VERIFY_NULLDUMMY | SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY |
           SCRIPT_VERIFY_CHECKSEQUENCEVERIFY | SCRIPT_VERIFY_WITNESS | SCRIPT_VERIFY_TAPROOT;
}

uint32_t StandardScriptVerifyFlags()
{
    return MandatoryScriptVerifyFlags() | SCRIPT_VERIFY_STRICTENC | SCRIPT_VERIFY_MINIMALDATA |
           SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS | SCRIPT_VERIFY_CLEANSTACK | SCRIPT_VERIFY_MINIMALIF |
           SCRIPT_VERIFY_NULLFAIL | SCRIPT_VERIFY_LOW_S | SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM |
           SCRIPT_VERIFY_WITNESS_PUBKEYTYPE | SCRIPT_VERIFY_CONST_SCRIPTCODE |
           SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION | SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS |
           SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE;
}

const char* GetTxoutTypeName(TxoutType type)
{
    switch (type) {
    case TxoutType::NONSTANDARD: return "nonstandard";
    case TxoutType::ANCHOR: return "anchor";
    case TxoutType::PUBKEY: return "pubkey";
    case TxoutType::PUBKEYHASH: return "pubkeyhash";
    case TxoutType::SCRIPTHASH: return "scripthash";
    case TxoutType::MULTISIG: return "multisig";
    case TxoutType::NULL_DATA: return "nulldata";
    case TxoutType::WITNESS_V0_SCRIPTHASH: return "witness_v0_scripthash";
    case TxoutType::WITNESS_V0_KEYHASH: return "witness_v0_keyhash";
    case TxoutType::WITNESS_V1_TAPROOT: return "witness_v1_taproot";
    case TxoutType::WITNESS_UNKNOWN: return "witness_unknown";
    }
    return "nonstandard";
}

namespace {

bool ValidPubKeySize(const std::vector<unsigned char>& k)
{
    if (k.size() == 33) return k[0] == 0x02 || k[0] == 0x03;
    if (k.size() == 65) return k[0] == 0x04 || k[0] == 0x06 || k[0] == 0x07;
    return false;
}

// The operations of a script; false when a push runs past the end.
bool Parse(const Script& script, std::vector<std::pair<opcodetype, std::vector<unsigned char>>>& ops)
{
    auto pc = script.begin();
    while (pc < script.end()) {
        opcodetype op;
        std::vector<unsigned char> push;
        if (!script.GetOp(pc, op, push)) return false;
        ops.emplace_back(op, std::move(push));
    }
    return true;
}

} // namespace

TxoutType Solver(const Script& script, int* multisig_m, int* multisig_n)
{
    if (script.IsPayToScriptHash()) return TxoutType::SCRIPTHASH;
    int version;
    std::vector<unsigned char> program;
    if (script.IsWitnessProgram(version, program)) {
        if (version == 0 && program.size() == 20) return TxoutType::WITNESS_V0_KEYHASH;
        if (version == 0 && program.size() == 32) return TxoutType::WITNESS_V0_SCRIPTHASH;
        if (version == 1 && program.size() == 32) return TxoutType::WITNESS_V1_TAPROOT;
        if (version == 1 && program.size() == 2 && program[0] == 0x4e && program[1] == 0x73) return TxoutType::ANCHOR;
        if (version != 0) return TxoutType::WITNESS_UNKNOWN;
        return TxoutType::NONSTANDARD;
    }
    if (!script.empty() && script[0] == OP_RETURN && script.IsPushOnly(script.begin() + 1)) {
        return TxoutType::NULL_DATA;
    }
    std::vector<std::pair<opcodetype, std::vector<unsigned char>>> ops;
    if (!Parse(script, ops)) return TxoutType::NONSTANDARD;
    if (ops.size() == 2 && ops[1].first == OP_CHECKSIG && ValidPubKeySize(ops[0].second)) return TxoutType::PUBKEY;
    if (ops.size() == 5 && ops[0].first == OP_DUP && ops[1].first == OP_HASH160 && ops[2].second.size() == 20 &&
        ops[2].first == 20 && ops[3].first == OP_EQUALVERIFY && ops[4].first == OP_CHECKSIG) {
        return TxoutType::PUBKEYHASH;
    }
    if (ops.size() >= 4 && ops.back().first == OP_CHECKMULTISIG) {
        const int m = Script::DecodeOpN(ops.front().first);
        const int n = Script::DecodeOpN(ops[ops.size() - 2].first);
        const bool m_ok = ops.front().first >= OP_1 && ops.front().first <= OP_16;
        const bool n_ok = ops[ops.size() - 2].first >= OP_1 && ops[ops.size() - 2].first <= OP_16;
        if (m_ok && n_ok && m <= n && static_cast<size_t>(n) == ops.size() - 3) {
            for (size_t i = 1; i + 2 < ops.size(); ++i) {
                if (!ValidPubKeySize(ops[i].second)) return TxoutType::NONSTANDARD;
            }
            if (multisig_m) *multisig_m = m;
            if (multisig_n) *multisig_n = n;
            return TxoutType::MULTISIG;
        }
    }
    return TxoutType::NONSTANDARD;
}

Amount GetDustThreshold(const TxOut& txout, const FeeRate& dust_relay_feerate)
{
    if (txout.script_pubkey.IsUnspendable()) return 0;
    // Serialized output plus the input that would spend it (a witness
    // input counts its signature at a quarter).
    int64_t size = 8 + static_cast<int64_t>(txout.script_pubkey.size()) +
                   (txout.script_pubkey.size() < 253 ? 1 : 3);
    int version;
    std::vector<unsigned char> program;
    if (txout.script_pubkey.IsWitnessProgram(version, program)) {
        size += 32 + 4 + 1 + (107 / WITNESS_SCALE_FACTOR) + 4;
    } else {
        size += 32 + 4 + 1 + 107 + 4;
    }
    return dust_relay_feerate.GetFee(size);
}

bool IsDust(const TxOut& txout, const FeeRate& dust_relay_feerate)
{
    return txout.value < GetDustThreshold(txout, dust_relay_feerate);
}

bool IsStandardTx(const Transaction& tx, const PolicyOptions& opts, std::string& reason)
{
    if (tx.version < TX_MIN_STANDARD_VERSION || tx.version > TX_MAX_STANDARD_VERSION) {
        reason = "version";
        return false;
    }
    if (GetTransactionWeight(tx) > MAX_STANDARD_TX_WEIGHT) {
        reason = "tx-size";
        return false;
    }
    for (const TxIn& in : tx.vin) {
        if (in.script_sig.size() > MAX_STANDARD_SCRIPTSIG_SIZE) {
            reason = "scriptsig-size";
            return false;
        }
        if (!in.script_sig.IsPushOnly()) {
            reason = "scriptsig-not-pushonly";
            return false;
        }
    }
    uint64_t datacarrier_left = opts.max_datacarrier_bytes.value_or(0);
    for (const TxOut& out : tx.vout) {
        int m = 0, n = 0;
        const TxoutType type = Solver(out.script_pubkey, &m, &n);
        if (type == TxoutType::NONSTANDARD) {
            reason = "scriptpubkey";
            return false;
        }
        if (type == TxoutType::MULTISIG && (n < 1 || n > 3 || m < 1 || m > n)) {
            reason = "scriptpubkey";
            return false;
        }
        if (type == TxoutType::NULL_DATA) {
            if (!opts.max_datacarrier_bytes || out.script_pubkey.size() > datacarrier_left) {
                reason = "datacarrier";
                return false;
            }
            datacarrier_left -= out.script_pubkey.size();
        } else if (type == TxoutType::MULTISIG && !opts.permit_bare_multisig) {
            reason = "bare-multisig";
            return false;
        }
    }
    // One dust output is allowed (ephemeral dust, checked against the fee
    // later); more is not.
    unsigned dust = 0;
    for (const TxOut& out : tx.vout) {
        if (IsDust(out, opts.dust_relay_feerate)) ++dust;
    }
    if (dust > 1) {
        reason = "dust";
        return false;
    }
    return true;
}

namespace {

// The last push of a push-only scriptSig (the P2SH redeem script).
bool LastPush(const Script& script_sig, Script& out)
{
    std::vector<std::pair<opcodetype, std::vector<unsigned char>>> ops;
    if (!Parse(script_sig, ops) || ops.empty() || !script_sig.IsPushOnly()) return false;
    out = Script(std::span<const unsigned char>(ops.back().second));
    return true;
}

} // namespace

bool AreInputsStandard(const Transaction& tx, const CoinsViewCache& view)
{
    if (tx.IsCoinBase()) return true;
    // Legacy sigops of the whole transaction (Core v30): bounds the cost of a
    // transaction packed with them, in step with the proposed BIP54 rule.
    unsigned legacy_sigops = 0;
    for (const TxIn& in : tx.vin) {
        const Script& spent = view.AccessCoin(in.prevout).out.script_pubkey;
        legacy_sigops += in.script_sig.GetSigOpCount(true) + spent.GetSigOpCount(in.script_sig);
        if (legacy_sigops > MAX_TX_LEGACY_SIGOPS) return false;
    }
    for (const TxIn& in : tx.vin) {
        const TxOut& prev = view.AccessCoin(in.prevout).out;
        const TxoutType type = Solver(prev.script_pubkey);
        if (type == TxoutType::NONSTANDARD || type == TxoutType::WITNESS_UNKNOWN) return false;
        if (type == TxoutType::SCRIPTHASH) {
            Script redeem;
            if (!LastPush(in.script_sig, redeem)) return false;
            if (redeem.GetSigOpCount(true) > MAX_P2SH_SIGOPS) return false;
        }
    }
    return true;
}

bool IsWitnessStandard(const Transaction& tx, const CoinsViewCache& view)
{
    if (tx.IsCoinBase()) return true;
    for (const TxIn& in : tx.vin) {
        if (in.witness.IsNull()) continue;
        Script prev = view.AccessCoin(in.prevout).out.script_pubkey;
        bool p2sh = false;
        if (prev.IsPayToScriptHash()) {
            Script redeem;
            if (!LastPush(in.script_sig, redeem)) return false;
            prev = redeem;
            p2sh = true;
        }
        int version;
        std::vector<unsigned char> program;
        if (!prev.IsWitnessProgram(version, program)) return false;  // witness stuffing
        const auto& stack = in.witness.stack;
        if (version == 1 && program.size() == 2 && program[0] == 0x4e && program[1] == 0x73) return false;
        if (version == 0 && program.size() == 32) {
            if (stack.back().size() > MAX_STANDARD_P2WSH_SCRIPT_SIZE) return false;
            if (stack.size() - 1 > MAX_STANDARD_P2WSH_STACK_ITEMS) return false;
            for (size_t j = 0; j + 1 < stack.size(); ++j) {
                if (stack[j].size() > MAX_STANDARD_P2WSH_STACK_ITEM_SIZE) return false;
            }
        }
        if (version == 1 && program.size() == 32 && !p2sh) {
            size_t items = stack.size();
            if (items >= 2 && !stack.back().empty() && stack.back()[0] == 0x50) return false;  // annex
            if (items >= 2) {
                const auto& control = stack[items - 1];
                if (!control.empty() && (control[0] & 0xfe) == 0xc0) {
                    for (size_t j = 0; j + 2 < items; ++j) {
                        if (stack[j].size() > MAX_STANDARD_TAPSCRIPT_STACK_ITEM_SIZE) return false;
                    }
                }
            } else if (items == 0) {
                return false;
            }
        }
    }
    return true;
}

int64_t GetVirtualTransactionSize(int64_t weight, int64_t sigop_cost, unsigned bytes_per_sigop)
{
    const int64_t w = std::max(weight, sigop_cost * static_cast<int64_t>(bytes_per_sigop));
    return (w + WITNESS_SCALE_FACTOR - 1) / WITNESS_SCALE_FACTOR;
}

bool ParseMoney(const std::string& text, Amount& out)
{
    if (text.empty()) return false;
    size_t i = 0;
    Amount whole = 0;
    bool digits = false;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        whole = whole * 10 + (text[i] - '0');
        if (whole > MAX_MONEY / COIN) return false;
        ++i;
        digits = true;
    }
    Amount frac = 0;
    int frac_digits = 0;
    if (i < text.size() && text[i] == '.') {
        ++i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            if (frac_digits == 8) return false;
            frac = frac * 10 + (text[i] - '0');
            ++frac_digits;
            ++i;
            digits = true;
        }
    }
    if (!digits || i != text.size()) return false;
    for (; frac_digits < 8; ++frac_digits) frac *= 10;
    out = whole * COIN + frac;
    return MoneyRange(out);
}

bool ParseFeeRateOption(const ArgsManager& args, const std::string& name, Amount default_sat_per_kvb, FeeRate& out,
                        std::string& error)
{
    const auto value = args.GetArg(name);
    if (!value) {
        out = FeeRate(default_sat_per_kvb);
        return true;
    }
    Amount sats;
    if (!ParseMoney(*value, sats)) {
        error = "Invalid amount for " + name + "=<amount>: '" + *value + "'";
        return false;
    }
    out = FeeRate(sats);
    return true;
}

} // namespace node
