// Transactions and headers: BIP144 serialization with and without witness,
// txid/wtxid, malformed encodings, weight.

#include <consensus/amount.h>
#include <crypto/hash.h>
#include <primitives/block.h>
#include <primitives/transaction.h>
#include <streams.h>
#include <util/strencodings.h>

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(transaction_primitives_tests)

namespace {

using Bytes = std::vector<unsigned char>;

const std::string PREVOUT_HASH_HEX = std::string(64, '1');
// version 2 | marker, flag | 1 input: prevout 11..11:0, empty scriptSig, sequence fffffffe
// | 1 output: 5000 sat, OP_TRUE | witness: 2 items (aa, empty) | lock time 100.
const std::string INPUT_HEX = PREVOUT_HASH_HEX + "00000000" + "00" + "feffffff";
const std::string OUTPUT_HEX = "8813000000000000" "01" "51";
const std::string STRIPPED_HEX = "02000000" "01" + INPUT_HEX + "01" + OUTPUT_HEX + "64000000";
const std::string WITNESS_HEX = "02000000" "0001" "01" + INPUT_HEX + "01" + OUTPUT_HEX + "02" "01aa" "00" + "64000000";

MutableTransaction SampleTransaction()
{
    MutableTransaction tx;
    tx.version = 2;
    TxIn in;
    in.prevout.hash = *uint256::FromHex(PREVOUT_HASH_HEX);
    in.prevout.n = 0;
    in.sequence = TxIn::MAX_SEQUENCE_NONFINAL;
    in.witness.stack = {{0xaa}, {}};
    tx.vin.push_back(in);
    TxOut out;
    out.value = 5000;
    out.script_pubkey << OP_TRUE;
    tx.vout.push_back(out);
    tx.lock_time = 100;
    return tx;
}

uint256 DoubleSha(const Bytes& bytes)
{
    uint256 out;
    Hash256().Write(bytes).Finalize(std::span<unsigned char, 32>(out.data(), 32));
    return out;
}

MutableTransaction ParseWithWitness(const std::string& hex)
{
    DataStream s(ParseHex(hex));
    MutableTransaction tx;
    s >> TX_WITH_WITNESS(tx);
    if (!s.empty()) throw std::ios_base::failure("trailing data");
    return tx;
}

bool FailsWith(const std::string& hex, const std::string& message)
{
    try {
        ParseWithWitness(hex);
    } catch (const std::ios_base::failure& e) {
        return std::string(e.what()).find(message) != std::string::npos;
    }
    return false;
}

} // namespace

BOOST_AUTO_TEST_CASE(genesis_header_hash)
{
    BlockHeader genesis;
    genesis.version = 1;
    genesis.merkle_root = *uint256::FromHex("4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b");
    genesis.time = 1231006505;
    genesis.bits = 0x1d00ffff;
    genesis.nonce = 2083236893;
    BOOST_CHECK_EQUAL(genesis.GetHash().GetHex(), "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");

    DataStream s;
    s << genesis;
    BOOST_CHECK_EQUAL(s.size(), BlockHeader::SERIALIZED_SIZE);
    BlockHeader read;
    s >> read;
    BOOST_CHECK(read == genesis);
}

BOOST_AUTO_TEST_CASE(serialization_layout)
{
    const MutableTransaction tx = SampleTransaction();
    DataStream with;
    with << TX_WITH_WITNESS(tx);
    BOOST_CHECK_EQUAL(HexStr(with.unread()), WITNESS_HEX);
    DataStream without;
    without << TX_NO_WITNESS(tx);
    BOOST_CHECK_EQUAL(HexStr(without.unread()), STRIPPED_HEX);
    // Plain << means with witness.
    DataStream plain;
    plain << tx;
    BOOST_CHECK_EQUAL(HexStr(plain.unread()), WITNESS_HEX);

    const Transaction frozen(tx);
    BOOST_CHECK(frozen.HasWitness());
    BOOST_CHECK(frozen.GetHash() == DoubleSha(ParseHex(STRIPPED_HEX)));
    BOOST_CHECK(frozen.GetWitnessHash() == DoubleSha(ParseHex(WITNESS_HEX)));
    BOOST_CHECK(frozen.GetHash() == tx.GetHash());
    BOOST_CHECK_EQUAL(frozen.GetTotalSize(), WITNESS_HEX.size() / 2);

    // Weight: stripped bytes count four times, witness bytes once.
    const int64_t stripped = STRIPPED_HEX.size() / 2;
    const int64_t total = WITNESS_HEX.size() / 2;
    BOOST_CHECK_EQUAL(GetTransactionWeight(frozen), stripped * 3 + total);
    BOOST_CHECK_EQUAL(GetVirtualTransactionSize(frozen), (stripped * 3 + total + 3) / 4);

    // Without witness data txid == wtxid and the weight is 4 * size.
    MutableTransaction bare = tx;
    bare.vin[0].witness.SetNull();
    const Transaction bare_tx(std::move(bare));
    BOOST_CHECK(!bare_tx.HasWitness());
    BOOST_CHECK(bare_tx.GetHash() == bare_tx.GetWitnessHash());
    BOOST_CHECK(bare_tx.GetHash() == frozen.GetHash());
    BOOST_CHECK_EQUAL(GetTransactionWeight(bare_tx), stripped * 4);
    BOOST_CHECK_EQUAL(GetVirtualTransactionSize(bare_tx), stripped);
    DataStream bare_stream;
    bare_stream << TX_WITH_WITNESS(bare_tx);
    BOOST_CHECK_EQUAL(HexStr(bare_stream.unread()), STRIPPED_HEX);
}

BOOST_AUTO_TEST_CASE(parse_round_trips)
{
    const MutableTransaction parsed = ParseWithWitness(WITNESS_HEX);
    BOOST_REQUIRE_EQUAL(parsed.vin.size(), 1U);
    BOOST_CHECK_EQUAL(parsed.vin[0].witness.stack.size(), 2U);
    BOOST_CHECK_EQUAL(parsed.vout[0].value, 5000);
    BOOST_CHECK_EQUAL(parsed.lock_time, 100U);
    BOOST_CHECK(Transaction(parsed) == Transaction(SampleTransaction()));

    const MutableTransaction stripped = ParseWithWitness(STRIPPED_HEX);
    BOOST_CHECK(!stripped.HasWitness());

    DataStream s(ParseHex(STRIPPED_HEX));
    MutableTransaction no_witness;
    s >> TX_NO_WITNESS(no_witness);
    BOOST_CHECK(s.empty());
    BOOST_CHECK(no_witness.GetHash() == stripped.GetHash());

    // Into an immutable transaction through its shared reference.
    DataStream ref_stream(ParseHex(WITNESS_HEX));
    TransactionRef ref;
    ref_stream >> ref;
    BOOST_CHECK(ref_stream.empty());
    BOOST_CHECK(ref->GetWitnessHash() == Transaction(SampleTransaction()).GetWitnessHash());
    DataStream out;
    out << TX_NO_WITNESS(ref);
    BOOST_CHECK_EQUAL(HexStr(out.unread()), STRIPPED_HEX);
    DataStream ref_stream2(ParseHex(STRIPPED_HEX));
    TransactionRef ref2;
    ref_stream2 >> TX_NO_WITNESS(ref2);
    BOOST_CHECK(ref2->GetHash() == ref->GetHash());
}

BOOST_AUTO_TEST_CASE(witness_flag_without_witness_is_rejected)
{
    // Marker and flag, but the only input's witness is empty.
    const std::string superfluous = "02000000" "0001" "01" + INPUT_HEX + "01" + OUTPUT_HEX + "00" + "64000000";
    BOOST_CHECK(FailsWith(superfluous, "Superfluous witness record"));

    // Flag values other than 1 are unknown, alone or with bit 0.
    const std::string flag2 = "02000000" "0002" "01" + INPUT_HEX + "01" + OUTPUT_HEX + "64000000";
    BOOST_CHECK(FailsWith(flag2, "Unknown transaction optional data"));
    const std::string flag3 = "02000000" "0003" "01" + INPUT_HEX + "01" + OUTPUT_HEX + "02" "01aa" "00" + "64000000";
    BOOST_CHECK(FailsWith(flag3, "Unknown transaction optional data"));
    const std::string flag80 = "02000000" "0080" "01" + INPUT_HEX + "01" + OUTPUT_HEX + "64000000";
    BOOST_CHECK(FailsWith(flag80, "Unknown transaction optional data"));
}

BOOST_AUTO_TEST_CASE(empty_input_vector_ambiguity)
{
    // An empty input vector followed by a zero byte reads as a transaction
    // with neither inputs nor outputs (the zero is the flag, not the outputs).
    const MutableTransaction empty = ParseWithWitness("02000000" "00" "00" "00000000");
    BOOST_CHECK(empty.vin.empty());
    BOOST_CHECK(empty.vout.empty());
    // Without witness parsing the same bytes are inputs and outputs, both empty.
    DataStream s(ParseHex("02000000" "00" "00" "00000000"));
    MutableTransaction read;
    s >> TX_NO_WITNESS(read);
    BOOST_CHECK(s.empty());
    BOOST_CHECK(read.vin.empty() && read.vout.empty());

    // A witness transaction parsed as non-witness is something else or fails.
    DataStream w(ParseHex(WITNESS_HEX));
    MutableTransaction misread;
    bool different = true;
    try {
        w >> TX_NO_WITNESS(misread);
        different = !w.empty() || misread.GetHash() != SampleTransaction().GetHash();
    } catch (const std::ios_base::failure&) {
    }
    BOOST_CHECK(different);
}

BOOST_AUTO_TEST_CASE(truncated_and_trailing)
{
    const Bytes bytes = ParseHex(WITNESS_HEX);
    for (size_t len = 0; len < bytes.size(); ++len) {
        BOOST_TEST_CONTEXT("prefix of " << len << " bytes")
        {
            SpanReader r(std::span<const unsigned char>(bytes.data(), len));
            MutableTransaction tx;
            BOOST_CHECK_THROW(r >> TX_WITH_WITNESS(tx), std::ios_base::failure);
        }
    }
    // Trailing garbage: the transaction reads, the extra byte stays for the
    // caller to reject.
    Bytes extended = bytes;
    extended.push_back(0x00);
    SpanReader r(extended);
    MutableTransaction tx;
    r >> TX_WITH_WITNESS(tx);
    BOOST_CHECK_EQUAL(r.size(), 1U);
    BOOST_CHECK_THROW(ParseWithWitness(WITNESS_HEX + "00"), std::ios_base::failure);
}

BOOST_AUTO_TEST_CASE(non_canonical_lengths_inside_a_transaction)
{
    // The input count 1 written as fd0100.
    const std::string hex = "02000000" "fd0100" + INPUT_HEX + "01" + OUTPUT_HEX + "64000000";
    BOOST_CHECK(FailsWith(hex, "non-canonical ReadCompactSize()"));
    // An absurd output count.
    const std::string absurd = "02000000" "01" + INPUT_HEX + "feffffffff" + OUTPUT_HEX + "64000000";
    BOOST_CHECK(FailsWith(absurd, "size too large"));
}

BOOST_AUTO_TEST_CASE(outpoint_and_coinbase)
{
    OutPoint null_point;
    BOOST_CHECK(null_point.IsNull());
    OutPoint p{*uint256::FromHex(PREVOUT_HASH_HEX), 1};
    BOOST_CHECK(!p.IsNull());
    OutPoint zero_index{uint256{}, 0};
    BOOST_CHECK(!zero_index.IsNull()); // null needs index 0xffffffff too
    OutPoint q = p;
    q.n = 2;
    BOOST_CHECK(p < q);
    BOOST_CHECK(p != q);
    p.SetNull();
    BOOST_CHECK(p.IsNull());

    MutableTransaction coinbase;
    coinbase.vin.resize(1);
    coinbase.vin[0].script_sig << int64_t{500000} << OP_0;
    coinbase.vout.resize(1);
    coinbase.vout[0].value = 50 * COIN;
    const Transaction cb(coinbase);
    BOOST_CHECK(cb.IsCoinBase());
    BOOST_CHECK_EQUAL(cb.GetValueOut(), 50 * COIN);

    MutableTransaction two_outputs = coinbase;
    two_outputs.vout.push_back(two_outputs.vout[0]);
    two_outputs.vout[1].value = MAX_MONEY;
    BOOST_CHECK_THROW(Transaction(two_outputs).GetValueOut(), std::runtime_error);
    two_outputs.vout[1].value = -1;
    BOOST_CHECK_THROW(Transaction(two_outputs).GetValueOut(), std::runtime_error);

    BOOST_CHECK(MoneyRange(0));
    BOOST_CHECK(MoneyRange(MAX_MONEY));
    BOOST_CHECK(!MoneyRange(MAX_MONEY + 1));
    BOOST_CHECK(!MoneyRange(-1));
}

BOOST_AUTO_TEST_CASE(input_weight)
{
    const MutableTransaction tx = SampleTransaction();
    // 41 stripped bytes * 4 + witness: count 02, item 01 aa, item 00 = 4 bytes.
    BOOST_CHECK_EQUAL(GetTransactionInputWeight(tx.vin[0]), 41 * 4 + 4);
}

BOOST_AUTO_TEST_SUITE_END()
