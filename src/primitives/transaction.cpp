#include <primitives/transaction.h>

#include <streams.h>

#include <stdexcept>

std::string OutPoint::ToString() const
{
    return hash.GetHex().substr(0, 10) + ":" + std::to_string(n);
}

MutableTransaction::MutableTransaction(const Transaction& tx)
    : version(tx.version), vin(tx.vin), vout(tx.vout), lock_time(tx.lock_time)
{
}

uint256 MutableTransaction::GetHash() const
{
    HashWriter hasher;
    SerializeTransaction(hasher, *this, false);
    return hasher.GetHash();
}

bool MutableTransaction::HasWitness() const
{
    for (const TxIn& in : vin) {
        if (!in.witness.IsNull()) return true;
    }
    return false;
}

Transaction::Transaction(const MutableTransaction& tx)
    : vin(tx.vin), vout(tx.vout), version(tx.version), lock_time(tx.lock_time),
      m_has_witness(ComputeHasWitness()), m_hash(ComputeHash()), m_witness_hash(ComputeWitnessHash())
{
}

Transaction::Transaction(MutableTransaction&& tx)
    : vin(std::move(tx.vin)), vout(std::move(tx.vout)), version(tx.version), lock_time(tx.lock_time),
      m_has_witness(ComputeHasWitness()), m_hash(ComputeHash()), m_witness_hash(ComputeWitnessHash())
{
}

bool Transaction::ComputeHasWitness() const
{
    for (const TxIn& in : vin) {
        if (!in.witness.IsNull()) return true;
    }
    return false;
}

uint256 Transaction::ComputeHash() const
{
    HashWriter hasher;
    SerializeTransaction(hasher, *this, false);
    return hasher.GetHash();
}

uint256 Transaction::ComputeWitnessHash() const
{
    if (!m_has_witness) return m_hash;
    HashWriter hasher;
    SerializeTransaction(hasher, *this, true);
    return hasher.GetHash();
}

Amount Transaction::GetValueOut() const
{
    Amount total = 0;
    for (const TxOut& out : vout) {
        if (!MoneyRange(out.value) || !MoneyRange(total + out.value)) {
            throw std::runtime_error("Transaction::GetValueOut: value out of range");
        }
        total += out.value;
    }
    return total;
}

size_t Transaction::GetTotalSize() const
{
    SizeComputer size;
    SerializeTransaction(size, *this, true);
    return size.size();
}

int64_t GetTransactionWeight(const Transaction& tx)
{
    SizeComputer stripped;
    SerializeTransaction(stripped, tx, false);
    return static_cast<int64_t>(stripped.size()) * (WITNESS_SCALE_FACTOR - 1) +
           static_cast<int64_t>(tx.GetTotalSize());
}

int64_t GetVirtualTransactionSize(const Transaction& tx)
{
    return (GetTransactionWeight(tx) + WITNESS_SCALE_FACTOR - 1) / WITNESS_SCALE_FACTOR;
}

int64_t GetTransactionInputWeight(const TxIn& in)
{
    SizeComputer stripped;
    Serialize(stripped, in);
    SizeComputer witness;
    Serialize(witness, in.witness.stack);
    return static_cast<int64_t>(stripped.size()) * WITNESS_SCALE_FACTOR + static_cast<int64_t>(witness.size());
}
