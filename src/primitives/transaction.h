#pragma once

// Transactions: outpoints, inputs, outputs, the mutable form used while
// building or parsing, and the immutable form with cached txid and wtxid.
//
// Serialization follows BIP144: with witness data present and allowed, the
// inputs are preceded by a marker byte 0x00 and a flag byte 0x01, and each
// input's witness stack follows the outputs. The txid always hashes the
// serialization without witness data; the wtxid hashes the full one.
//
//     DataStream s{bytes};
//     MutableTransaction m;
//     s >> TX_WITH_WITNESS(m);         // or TX_NO_WITNESS(m)
//     s << TX_NO_WITNESS(tx);
// Plain `s << tx` / `s >> m` mean TX_WITH_WITNESS.

#include <consensus/amount.h>
#include <consensus/consensus.h>
#include <script/script.h>
#include <serialize.h>
#include <uint256.h>

#include <compare>
#include <cstddef>
#include <cstdint>
#include <ios>
#include <memory>
#include <string>
#include <utility>
#include <vector>

// A reference to an output of an earlier transaction.
struct OutPoint {
    static constexpr uint32_t NULL_INDEX = 0xffffffff;

    uint256 hash;
    uint32_t n = NULL_INDEX;

    // The coinbase's input spends this null outpoint.
    bool IsNull() const { return hash.IsNull() && n == NULL_INDEX; }
    void SetNull()
    {
        hash.SetNull();
        n = NULL_INDEX;
    }
    std::string ToString() const;

    friend bool operator==(const OutPoint&, const OutPoint&) = default;
    friend std::strong_ordering operator<=>(const OutPoint&, const OutPoint&) = default;

    template <typename Stream>
    void Serialize(Stream& s) const
    {
        ::Serialize(s, hash);
        ::Serialize(s, n);
    }
    template <typename Stream>
    void Unserialize(Stream& s)
    {
        ::Unserialize(s, hash);
        ::Unserialize(s, n);
    }
};

struct TxIn {
    // nSequence semantics (BIP68, BIP112, BIP125).
    // All inputs at SEQUENCE_FINAL make nLockTime irrelevant.
    static constexpr uint32_t SEQUENCE_FINAL = 0xffffffff;
    // Highest sequence that still leaves nLockTime in force.
    static constexpr uint32_t MAX_SEQUENCE_NONFINAL = SEQUENCE_FINAL - 1;
    // Set: the input has no relative lock time (BIP68).
    static constexpr uint32_t SEQUENCE_LOCKTIME_DISABLE_FLAG = 1U << 31;
    // Set: the relative lock is in units of 512 seconds, else in blocks.
    static constexpr uint32_t SEQUENCE_LOCKTIME_TYPE_FLAG = 1U << 22;
    // The bits that hold the relative lock value.
    static constexpr uint32_t SEQUENCE_LOCKTIME_MASK = 0x0000ffff;
    // Time-based locks count in units of 2^9 = 512 seconds.
    static constexpr int SEQUENCE_LOCKTIME_GRANULARITY = 9;

    OutPoint prevout;
    Script script_sig;
    uint32_t sequence = SEQUENCE_FINAL;
    // Serialized apart from the input (BIP144), so not part of Serialize().
    ScriptWitness witness;

    friend bool operator==(const TxIn&, const TxIn&) = default;

    template <typename Stream>
    void Serialize(Stream& s) const
    {
        ::Serialize(s, prevout);
        ::Serialize(s, script_sig);
        ::Serialize(s, sequence);
    }
    template <typename Stream>
    void Unserialize(Stream& s)
    {
        ::Unserialize(s, prevout);
        ::Unserialize(s, script_sig);
        ::Unserialize(s, sequence);
    }
};

struct TxOut {
    Amount value = -1;
    Script script_pubkey;

    bool IsNull() const { return value == -1; }
    void SetNull()
    {
        value = -1;
        script_pubkey.clear();
    }

    friend bool operator==(const TxOut&, const TxOut&) = default;

    template <typename Stream>
    void Serialize(Stream& s) const
    {
        ::Serialize(s, value);
        ::Serialize(s, script_pubkey);
    }
    template <typename Stream>
    void Unserialize(Stream& s)
    {
        ::Unserialize(s, value);
        ::Unserialize(s, script_pubkey);
    }
};

// ---------------------------------------------------------------------------
// Serialization of anything shaped like a transaction (members vin, vout,
// version, lock_time).

template <typename Stream, typename Tx>
void SerializeTransaction(Stream& s, const Tx& tx, bool allow_witness)
{
    const bool with_witness = allow_witness && tx.HasWitness();
    ::Serialize(s, tx.version);
    if (with_witness) {
        // Marker (what an empty input vector would look like) and flag.
        ::Serialize(s, uint8_t{0x00});
        ::Serialize(s, uint8_t{0x01});
    }
    ::Serialize(s, tx.vin);
    ::Serialize(s, tx.vout);
    if (with_witness) {
        for (const TxIn& in : tx.vin) ::Serialize(s, in.witness.stack);
    }
    ::Serialize(s, tx.lock_time);
}

struct MutableTransaction;
class Transaction;
template <typename Stream>
void UnserializeTransaction(Stream& s, MutableTransaction& tx, bool allow_witness);

struct MutableTransaction {
    uint32_t version = 2;
    std::vector<TxIn> vin;
    std::vector<TxOut> vout;
    uint32_t lock_time = 0;

    MutableTransaction() = default;
    // A copy to modify.
    explicit MutableTransaction(const Transaction& tx);
    template <typename Stream>
    MutableTransaction(DeserializeTag, Stream& s)
    {
        UnserializeTransaction(s, *this, true);
    }

    // txid: computed on each call.
    uint256 GetHash() const;
    bool HasWitness() const;

    template <typename Stream>
    void Serialize(Stream& s) const { SerializeTransaction(s, *this, true); }
    template <typename Stream>
    void Unserialize(Stream& s) { UnserializeTransaction(s, *this, true); }
};

template <typename Stream>
void UnserializeTransaction(Stream& s, MutableTransaction& tx, bool allow_witness)
{
    tx.vin.clear();
    tx.vout.clear();
    ::Unserialize(s, tx.version);
    uint8_t flags = 0;
    ::Unserialize(s, tx.vin);
    if (tx.vin.empty() && allow_witness) {
        // Either a transaction without inputs, or the BIP144 marker: then
        // the next byte is the flag and the real inputs follow.
        ::Unserialize(s, flags);
        if (flags != 0) {
            ::Unserialize(s, tx.vin);
            ::Unserialize(s, tx.vout);
        }
    } else {
        ::Unserialize(s, tx.vout);
    }
    if ((flags & 1) && allow_witness) {
        flags &= ~uint8_t{1};
        for (TxIn& in : tx.vin) ::Unserialize(s, in.witness.stack);
        // The flag must not be set without witness data: otherwise the same
        // transaction would have two serializations.
        if (!tx.HasWitness()) throw std::ios_base::failure("Superfluous witness record");
    }
    if (flags != 0) throw std::ios_base::failure("Unknown transaction optional data");
    ::Unserialize(s, tx.lock_time);
}

// An immutable transaction. txid and wtxid are computed once, here.
class Transaction {
public:
    explicit Transaction(const MutableTransaction& tx);
    explicit Transaction(MutableTransaction&& tx);
    template <typename Stream>
    Transaction(DeserializeTag tag, Stream& s) : Transaction(MutableTransaction(tag, s))
    {
    }

    const std::vector<TxIn> vin;
    const std::vector<TxOut> vout;
    const uint32_t version;
    const uint32_t lock_time;

    // txid: double SHA-256 of the serialization without witness data.
    const uint256& GetHash() const { return m_hash; }
    // wtxid: double SHA-256 of the full serialization (== txid without witness).
    const uint256& GetWitnessHash() const { return m_witness_hash; }

    bool HasWitness() const { return m_has_witness; }
    bool IsNull() const { return vin.empty() && vout.empty(); }
    // One input spending the null outpoint.
    bool IsCoinBase() const { return vin.size() == 1 && vin[0].prevout.IsNull(); }

    // Sum of the outputs. Throws std::runtime_error if an output or the sum
    // is outside MoneyRange (CheckTransaction rejects such transactions).
    Amount GetValueOut() const;
    // Serialized size with witness data.
    size_t GetTotalSize() const;

    friend bool operator==(const Transaction& a, const Transaction& b)
    {
        return a.GetWitnessHash() == b.GetWitnessHash();
    }

    template <typename Stream>
    void Serialize(Stream& s) const { SerializeTransaction(s, *this, true); }

private:
    bool ComputeHasWitness() const;
    uint256 ComputeHash() const;
    uint256 ComputeWitnessHash() const;

    const bool m_has_witness;
    const uint256 m_hash;
    const uint256 m_witness_hash;
};

using TransactionRef = std::shared_ptr<const Transaction>;

template <typename Tx>
TransactionRef MakeTransactionRef(Tx&& tx)
{
    return std::make_shared<const Transaction>(std::forward<Tx>(tx));
}

// ---------------------------------------------------------------------------
// TX_WITH_WITNESS(obj) / TX_NO_WITNESS(obj): serialize or read a transaction
// (mutable, immutable, reference) or a block with the witness mode chosen.

template <typename Stream>
void SerializeWithWitnessMode(Stream& s, const MutableTransaction& tx, bool allow_witness)
{
    SerializeTransaction(s, tx, allow_witness);
}
template <typename Stream>
void SerializeWithWitnessMode(Stream& s, const Transaction& tx, bool allow_witness)
{
    SerializeTransaction(s, tx, allow_witness);
}
template <typename Stream>
void SerializeWithWitnessMode(Stream& s, const TransactionRef& tx, bool allow_witness)
{
    SerializeTransaction(s, *tx, allow_witness);
}
template <typename Stream>
void UnserializeWithWitnessMode(Stream& s, MutableTransaction& tx, bool allow_witness)
{
    UnserializeTransaction(s, tx, allow_witness);
}
template <typename Stream>
void UnserializeWithWitnessMode(Stream& s, TransactionRef& tx, bool allow_witness)
{
    MutableTransaction m;
    UnserializeTransaction(s, m, allow_witness);
    tx = std::make_shared<const Transaction>(std::move(m));
}

template <typename T>
class WitnessModeWrapper {
public:
    WitnessModeWrapper(T& obj, bool allow_witness) : m_obj(obj), m_allow_witness(allow_witness) {}

    template <typename Stream>
    void Serialize(Stream& s) const { SerializeWithWitnessMode(s, m_obj, m_allow_witness); }
    template <typename Stream>
    void Unserialize(Stream& s) { UnserializeWithWitnessMode(s, m_obj, m_allow_witness); }

private:
    T& m_obj;
    bool m_allow_witness;
};

struct WitnessMode {
    bool allow_witness;

    template <typename T>
    WitnessModeWrapper<T> operator()(T& obj) const { return WitnessModeWrapper<T>(obj, allow_witness); }
};

inline constexpr WitnessMode TX_WITH_WITNESS{true};
inline constexpr WitnessMode TX_NO_WITNESS{false};

// ---------------------------------------------------------------------------
// Weight (BIP141): the serialization without witness counts
// WITNESS_SCALE_FACTOR times, the witness part once.

int64_t GetTransactionWeight(const Transaction& tx);
// Weight / WITNESS_SCALE_FACTOR rounded up.
int64_t GetVirtualTransactionSize(const Transaction& tx);
int64_t GetTransactionInputWeight(const TxIn& in);
