#pragma once

// Relay policy: the feerate type, Core v30's standardness rules (version,
// weight, scriptSig, output types, OP_RETURN, dust, witness), the option
// defaults, and the replacement (full RBF) rules.

#include <consensus/amount.h>
#include <consensus/validation.h>
#include <primitives/transaction.h>
#include <script/script.h>

#include <cstdint>
#include <optional>
#include <string>

class ArgsManager;
class CoinsViewCache;

namespace node {

// Satoshis per 1000 virtual bytes.
class FeeRate {
public:
    constexpr FeeRate() = default;
    constexpr explicit FeeRate(Amount sat_per_kvb) : m_sat_per_kvb(sat_per_kvb) {}
    // fee paid by vsize virtual bytes (vsize 0: rate 0).
    FeeRate(Amount fee, int64_t vsize);

    // Fee for vsize virtual bytes, rounded up (at least 1 sat for a positive rate).
    Amount GetFee(int64_t vsize) const;
    Amount GetFeePerK() const { return m_sat_per_kvb; }
    // "0.00001000 BTC/kvB"
    std::string ToString() const;

    friend constexpr auto operator<=>(const FeeRate&, const FeeRate&) = default;
    FeeRate& operator+=(const FeeRate& o) { m_sat_per_kvb += o.m_sat_per_kvb; return *this; }

private:
    Amount m_sat_per_kvb = 0;
};

// Core v30 defaults.
inline constexpr Amount DEFAULT_MIN_RELAY_TX_FEE = 100;       // sat/kvB (-minrelaytxfee 0.000001)
inline constexpr Amount DEFAULT_INCREMENTAL_RELAY_FEE = 100;  // sat/kvB (-incrementalrelayfee)
inline constexpr Amount DEFAULT_BLOCK_MIN_TX_FEE = 1;         // sat/kvB (-blockmintxfee)
inline constexpr Amount DUST_RELAY_TX_FEE = 3000;             // sat/kvB (-dustrelayfee)
inline constexpr Amount DEFAULT_MAX_RAW_TX_FEE_RATE = 10000000; // 0.10 BTC/kvB (RPC maxfeerate)
inline constexpr Amount DEFAULT_MAX_TX_FEE = 10000000;        // -maxtxfee 0.10 BTC
inline constexpr int64_t MAX_STANDARD_TX_WEIGHT = 400000;
inline constexpr int64_t MIN_STANDARD_TX_NONWITNESS_SIZE = 65;
inline constexpr unsigned MAX_STANDARD_SCRIPTSIG_SIZE = 1650;
inline constexpr unsigned MAX_P2SH_SIGOPS = 15;
// Core v30 (BIP54 preparation): at most this many potentially executed
// legacy sigops (input scripts, spent output scripts, P2SH redeem scripts;
// accurate counting) in a standard transaction.
inline constexpr unsigned MAX_TX_LEGACY_SIGOPS = 2500;
inline constexpr unsigned MAX_STANDARD_TX_SIGOPS_COST = 80000 / 5;
inline constexpr unsigned DEFAULT_BYTES_PER_SIGOP = 20;
inline constexpr unsigned MAX_STANDARD_P2WSH_STACK_ITEMS = 100;
inline constexpr unsigned MAX_STANDARD_P2WSH_STACK_ITEM_SIZE = 80;
inline constexpr unsigned MAX_STANDARD_TAPSCRIPT_STACK_ITEM_SIZE = 80;
inline constexpr unsigned MAX_STANDARD_P2WSH_SCRIPT_SIZE = 3600;
inline constexpr unsigned MAX_STANDARD_SCRIPTSIG_STACK_ITEMS_P2SH = 0; // unused marker
inline constexpr bool DEFAULT_ACCEPT_DATACARRIER = true;
inline constexpr unsigned MAX_OP_RETURN_RELAY = 100000;       // -datacarriersize (v30)
inline constexpr bool DEFAULT_PERMIT_BAREMULTISIG = true;
inline constexpr uint32_t TX_MIN_STANDARD_VERSION = 1;
inline constexpr uint32_t TX_MAX_STANDARD_VERSION = 3;
inline constexpr unsigned DEFAULT_ANCESTOR_LIMIT = 25;
inline constexpr unsigned DEFAULT_ANCESTOR_SIZE_LIMIT_KVB = 101;
inline constexpr unsigned DEFAULT_DESCENDANT_LIMIT = 25;
inline constexpr unsigned DEFAULT_DESCENDANT_SIZE_LIMIT_KVB = 101;
// CPFP carve-out: a transaction of at most this many vbytes with a single
// in-mempool ancestor may exceed that ancestor's descendant limits by one
// transaction and by this many vbytes.
inline constexpr int64_t EXTRA_DESCENDANT_TX_SIZE_LIMIT = 10000;
inline constexpr unsigned DEFAULT_MAX_MEMPOOL_SIZE_MB = 300;
inline constexpr unsigned DEFAULT_MEMPOOL_EXPIRY_HOURS = 336;
inline constexpr bool DEFAULT_PERSIST_MEMPOOL = true;
inline constexpr unsigned MAX_REPLACEMENT_CANDIDATES = 100;
// Pay-to-anchor outputs may carry no value (ephemeral dust is not relayed here).
inline constexpr Amount P2A_DUST_EXEMPT = 0;

// Script verification flags for mempool acceptance: every consensus flag plus
// the policy-only ones (Core's STANDARD_SCRIPT_VERIFY_FLAGS).
uint32_t StandardScriptVerifyFlags();
// Only the consensus subset (MANDATORY_SCRIPT_VERIFY_FLAGS).
uint32_t MandatoryScriptVerifyFlags();

// Standard output templates (Core's TxoutType names via GetTxoutTypeName).
enum class TxoutType {
    NONSTANDARD, ANCHOR, PUBKEY, PUBKEYHASH, SCRIPTHASH, MULTISIG, NULL_DATA,
    WITNESS_V0_SCRIPTHASH, WITNESS_V0_KEYHASH, WITNESS_V1_TAPROOT, WITNESS_UNKNOWN,
};
const char* GetTxoutTypeName(TxoutType type);  // "pubkeyhash", "nulldata", ...
// For MULTISIG: *multisig_m / *multisig_n receive the counts.
TxoutType Solver(const Script& script, int* multisig_m = nullptr, int* multisig_n = nullptr);

struct PolicyOptions {
    std::optional<unsigned> max_datacarrier_bytes = MAX_OP_RETURN_RELAY;  // nullopt: -datacarrier=0
    bool permit_bare_multisig = DEFAULT_PERMIT_BAREMULTISIG;
    FeeRate dust_relay_feerate{DUST_RELAY_TX_FEE};
    bool require_standard = true;  // false with -acceptnonstdtxn on test chains
    unsigned bytes_per_sigop = DEFAULT_BYTES_PER_SIGOP;
};

// Dust threshold of an output at dust_relay_feerate (0 for unspendable outputs).
Amount GetDustThreshold(const TxOut& txout, const FeeRate& dust_relay_feerate);
bool IsDust(const TxOut& txout, const FeeRate& dust_relay_feerate);

// The context-free standardness checks; reason receives Core's reject string
// ("version", "tx-size", "scriptsig-size", "scriptsig-not-pushonly",
// "scriptpubkey", "bare-multisig", "dust", "datacarrier", "tx-size-small").
bool IsStandardTx(const Transaction& tx, const PolicyOptions& opts, std::string& reason);
// Inputs: spent scripts standard, P2SH sigops <= 15, legacy sigops of the
// whole transaction <= MAX_TX_LEGACY_SIGOPS ("bad-txns-nonstandard-inputs").
// view must hold every input's coin.
bool AreInputsStandard(const Transaction& tx, const CoinsViewCache& view);
// Witness standardness ("bad-witness-nonstandard").
bool IsWitnessStandard(const Transaction& tx, const CoinsViewCache& view);

// Virtual size with the sigop adjustment: max(weight, sigop_cost * bytes_per_sigop) / 4 rounded up.
int64_t GetVirtualTransactionSize(int64_t weight, int64_t sigop_cost, unsigned bytes_per_sigop);

// "0.00001" style BTC amount to satoshis (false on bad syntax or out of range).
bool ParseMoney(const std::string& text, Amount& out);
// -minrelaytxfee style option (BTC/kvB) with default; false + error on bad value.
bool ParseFeeRateOption(const ArgsManager& args, const std::string& name, Amount default_sat_per_kvb,
                        FeeRate& out, std::string& error);

} // namespace node
