// Context-free transaction checks, lock-time finality, BIP68 sequence locks,
// sigop counting and cost, input value checks, block subsidy.

#include <consensus/amount.h>
#include <consensus/consensus.h>
#include <consensus/subsidy.h>
#include <consensus/tx_check.h>
#include <consensus/tx_verify.h>
#include <primitives/transaction.h>
#include <script/interpreter.h>
#include <script/script.h>

#include <boost/test/unit_test.hpp>

#include <limits>
#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(tx_verify_tests)

namespace {

using Bytes = std::vector<unsigned char>;

uint256 HashOf(uint8_t b)
{
    uint256 h;
    h.data()[0] = b;
    h.data()[31] = 0x42;
    return h;
}

MutableTransaction Spend(int inputs = 1)
{
    MutableTransaction tx;
    tx.version = 2;
    for (int i = 0; i < inputs; ++i) {
        TxIn in;
        in.prevout = {HashOf(static_cast<uint8_t>(i + 1)), static_cast<uint32_t>(i)};
        tx.vin.push_back(in);
    }
    TxOut out;
    out.value = 1000;
    out.script_pubkey << OP_TRUE;
    tx.vout.push_back(out);
    return tx;
}

MutableTransaction Coinbase(size_t script_sig_size)
{
    MutableTransaction tx;
    tx.vin.resize(1);
    tx.vin[0].script_sig = Script(script_sig_size, 0x51);
    tx.vout.resize(1);
    tx.vout[0].value = 50 * COIN;
    return tx;
}

std::string RejectReason(const MutableTransaction& tx)
{
    TxValidationState state;
    if (CheckTransaction(Transaction(tx), state)) {
        BOOST_CHECK(state.IsValid());
        return "";
    }
    BOOST_CHECK(state.IsInvalid());
    BOOST_CHECK(state.GetTxResult() == TxValidationResult::CONSENSUS);
    return state.GetRejectReason();
}

} // namespace

BOOST_AUTO_TEST_CASE(check_transaction_reasons)
{
    BOOST_CHECK_EQUAL(RejectReason(Spend()), "");
    BOOST_CHECK_EQUAL(RejectReason(Coinbase(2)), "");
    BOOST_CHECK_EQUAL(RejectReason(Coinbase(100)), "");

    MutableTransaction tx = Spend();
    tx.vin.clear();
    BOOST_CHECK_EQUAL(RejectReason(tx), "bad-txns-vin-empty");

    tx = Spend();
    tx.vout.clear();
    BOOST_CHECK_EQUAL(RejectReason(tx), "bad-txns-vout-empty");

    tx = Spend();
    tx.vout[0].value = -1;
    BOOST_CHECK_EQUAL(RejectReason(tx), "bad-txns-vout-negative");
    tx.vout[0].value = MAX_MONEY + 1;
    BOOST_CHECK_EQUAL(RejectReason(tx), "bad-txns-vout-toolarge");
    tx.vout[0].value = MAX_MONEY;
    BOOST_CHECK_EQUAL(RejectReason(tx), "");
    tx.vout.push_back(tx.vout[0]);
    tx.vout[1].value = 1;
    BOOST_CHECK_EQUAL(RejectReason(tx), "bad-txns-txouttotal-toolarge");

    tx = Spend(3);
    tx.vin[2].prevout = tx.vin[0].prevout;
    BOOST_CHECK_EQUAL(RejectReason(tx), "bad-txns-inputs-duplicate");
    tx.vin[2].prevout.n = 7; // same txid, other output: fine
    BOOST_CHECK_EQUAL(RejectReason(tx), "");

    BOOST_CHECK_EQUAL(RejectReason(Coinbase(1)), "bad-cb-length");
    BOOST_CHECK_EQUAL(RejectReason(Coinbase(101)), "bad-cb-length");

    tx = Spend(2);
    tx.vin[1].prevout.SetNull();
    BOOST_CHECK_EQUAL(RejectReason(tx), "bad-txns-prevout-null");

    // Stripped size above 1 MB (weight 4 MB): an output script of 1 MB.
    tx = Spend();
    tx.vout[0].script_pubkey = Script(MAX_BLOCK_WEIGHT / WITNESS_SCALE_FACTOR, OP_NOP);
    BOOST_CHECK_EQUAL(RejectReason(tx), "bad-txns-oversize");
    // Witness data does not count toward that limit.
    tx = Spend();
    tx.vin[0].witness.stack.push_back(Bytes(MAX_BLOCK_WEIGHT / WITNESS_SCALE_FACTOR + 1000, 0));
    BOOST_CHECK_EQUAL(RejectReason(tx), "");
}

BOOST_AUTO_TEST_CASE(finality)
{
    MutableTransaction tx = Spend();
    tx.vin[0].sequence = 0;
    tx.lock_time = 0;
    BOOST_CHECK(IsFinalTx(Transaction(tx), 1, 0)); // lock time 0: always final

    // Height lock: final in blocks strictly above it.
    tx.lock_time = 100;
    BOOST_CHECK(!IsFinalTx(Transaction(tx), 100, 2000000000));
    BOOST_CHECK(IsFinalTx(Transaction(tx), 101, 0));
    // Time lock (>= 500000000): compared with the block time given.
    tx.lock_time = LOCKTIME_THRESHOLD;
    BOOST_CHECK(!IsFinalTx(Transaction(tx), 1000000, LOCKTIME_THRESHOLD));
    BOOST_CHECK(IsFinalTx(Transaction(tx), 0, LOCKTIME_THRESHOLD + 1));
    tx.lock_time = LOCKTIME_THRESHOLD - 1; // the largest height lock
    BOOST_CHECK(!IsFinalTx(Transaction(tx), LOCKTIME_THRESHOLD - 1, 0));
    BOOST_CHECK(IsFinalTx(Transaction(tx), LOCKTIME_THRESHOLD, 0));
    tx.lock_time = 0xffffffff;
    BOOST_CHECK(!IsFinalTx(Transaction(tx), 1000000, 0x7fffffff));

    // All sequences final: the lock time is off.
    tx = Spend(2);
    tx.lock_time = 1000;
    tx.vin[0].sequence = TxIn::SEQUENCE_FINAL;
    tx.vin[1].sequence = TxIn::SEQUENCE_FINAL - 1;
    BOOST_CHECK(!IsFinalTx(Transaction(tx), 10, 0));
    tx.vin[1].sequence = TxIn::SEQUENCE_FINAL;
    BOOST_CHECK(IsFinalTx(Transaction(tx), 10, 0));
}

BOOST_AUTO_TEST_CASE(sequence_locks)
{
    // Median time past of height h: 1e9 + 600 h.
    const MedianTimePastAt mtp = [](int height) { return int64_t{1000000000} + 600 * int64_t{height}; };

    MutableTransaction m = Spend(3);
    // Input 0: 10 blocks after its coin at height 100.
    m.vin[0].sequence = 10;
    // Input 1: 5 * 512 seconds after its coin at height 200.
    m.vin[1].sequence = TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG | 5;
    // Input 2: disabled.
    m.vin[2].sequence = TxIn::SEQUENCE_LOCKTIME_DISABLE_FLAG | 0xffff;
    {
        const Transaction tx(m);
        std::vector<int> heights{100, 200, 300};
        const SequenceLocks locks = CalculateSequenceLocks(tx, LOCKTIME_VERIFY_SEQUENCE, heights, mtp);
        BOOST_CHECK_EQUAL(locks.min_height, 100 + 10 - 1);
        // Measured from the MTP of the block before the coin's block.
        BOOST_CHECK_EQUAL(locks.min_time, mtp(199) + 5 * 512 - 1);
        BOOST_CHECK_EQUAL(heights[2], 0); // disabled input's height is cleared
        BOOST_CHECK_EQUAL(heights[0], 100);

        BOOST_CHECK(!EvaluateSequenceLocks(109, locks.min_time + 1, locks));
        BOOST_CHECK(!EvaluateSequenceLocks(110, locks.min_time, locks));
        BOOST_CHECK(EvaluateSequenceLocks(110, locks.min_time + 1, locks));

        std::vector<int> heights2{100, 200, 300};
        BOOST_CHECK(SequenceLocksSatisfied(tx, LOCKTIME_VERIFY_SEQUENCE, heights2, 110, locks.min_time + 1, mtp));
        std::vector<int> heights3{100, 200, 300};
        BOOST_CHECK(!SequenceLocksSatisfied(tx, LOCKTIME_VERIFY_SEQUENCE, heights3, 109, locks.min_time + 1, mtp));
    }
    {
        // Without the flag, or below version 2, nothing is locked.
        const Transaction tx(m);
        std::vector<int> heights{100, 200, 300};
        const SequenceLocks locks = CalculateSequenceLocks(tx, 0, heights, mtp);
        BOOST_CHECK_EQUAL(locks.min_height, -1);
        BOOST_CHECK_EQUAL(locks.min_time, -1);
        BOOST_CHECK(EvaluateSequenceLocks(0, 0, locks));
        MutableTransaction v1 = m;
        v1.version = 1;
        std::vector<int> heights_v1{100, 200, 300};
        const SequenceLocks v1_locks =
            CalculateSequenceLocks(Transaction(v1), LOCKTIME_VERIFY_SEQUENCE, heights_v1, mtp);
        BOOST_CHECK_EQUAL(v1_locks.min_height, -1);
        // Versions are compared unsigned: 0xffffffff is >= 2.
        MutableTransaction big = m;
        big.version = 0xffffffff;
        std::vector<int> heights_big{100, 200, 300};
        BOOST_CHECK_EQUAL(CalculateSequenceLocks(Transaction(big), LOCKTIME_VERIFY_SEQUENCE, heights_big, mtp).min_height,
                          109);
    }
    {
        // Coin at height 0: time measured from the MTP of height 0 (not -1).
        MutableTransaction g = Spend(1);
        g.vin[0].sequence = TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG | 1;
        std::vector<int> heights{0};
        const SequenceLocks locks = CalculateSequenceLocks(Transaction(g), LOCKTIME_VERIFY_SEQUENCE, heights, mtp);
        BOOST_CHECK_EQUAL(locks.min_time, mtp(0) + 512 - 1);
        // Zero relative lock: min_height = coin height - 1, satisfied in the next block.
        g.vin[0].sequence = 0;
        std::vector<int> h2{50};
        const SequenceLocks zero = CalculateSequenceLocks(Transaction(g), LOCKTIME_VERIFY_SEQUENCE, h2, mtp);
        BOOST_CHECK_EQUAL(zero.min_height, 49);
        BOOST_CHECK(EvaluateSequenceLocks(50, 0, zero));
        // Bits outside the mask and flags are ignored.
        g.vin[0].sequence = 0x003f0000 | 3;
        std::vector<int> h3{50};
        BOOST_CHECK_EQUAL(CalculateSequenceLocks(Transaction(g), LOCKTIME_VERIFY_SEQUENCE, h3, mtp).min_height, 52);
        // One height per input is required.
        std::vector<int> wrong{};
        BOOST_CHECK_THROW(CalculateSequenceLocks(Transaction(g), LOCKTIME_VERIFY_SEQUENCE, wrong, mtp),
                          std::invalid_argument);
    }
}

BOOST_AUTO_TEST_CASE(sigops)
{
    Script multisig;
    multisig << OP_1 << Bytes(33, 2) << Bytes(33, 3) << OP_2 << OP_CHECKMULTISIG;

    MutableTransaction m = Spend(3);
    m.vout[0].script_pubkey = Script{OP_DUP, OP_HASH160, OP_CHECKSIG};
    m.vout.push_back(m.vout[0]);
    m.vout[1].script_pubkey = multisig;
    m.vin[1].script_sig << OP_CHECKSIG; // counted even in a scriptSig

    // Spent: P2SH wrapping the multisig, P2WPKH, P2SH-P2WSH wrapping the multisig.
    Script p2sh;
    p2sh << OP_HASH160 << Bytes(20, 1) << OP_EQUAL;
    Script p2wpkh;
    p2wpkh << OP_0 << Bytes(20, 2);
    Script p2wsh;
    p2wsh << OP_0 << Bytes(32, 3);
    std::vector<TxOut> spent(3);
    spent[0].script_pubkey = p2sh;
    spent[1].script_pubkey = p2wpkh;
    spent[2].script_pubkey = p2sh;
    m.vin[0].script_sig << std::span<const unsigned char>(multisig);
    m.vin[1].witness.stack = {Bytes(71, 0x30), Bytes(33, 2)};
    // P2SH-P2WSH: the scriptSig pushes the witness program, the witness ends with the script.
    m.vin[2].script_sig << std::span<const unsigned char>(p2wsh);
    m.vin[2].witness.stack = {{}, Bytes(71, 0x30), Bytes(multisig.begin(), multisig.end())};
    const Transaction tx(m);

    // Legacy: vin[1] scriptSig OP_CHECKSIG (1), the pushed scripts are data (0);
    // outputs: 1 + 20. (The P2SH hashes are not checked: only shapes count.)
    BOOST_CHECK_EQUAL(GetLegacySigOpCount(tx), 22U);
    // P2SH: input 0 redeem script multisig accurate = 2; input 2 redeem script
    // is a witness program (0).
    BOOST_CHECK_EQUAL(GetP2SHSigOpCount(tx, spent), 2U);
    // Witness: P2WPKH 1, P2SH-P2WSH multisig 2.
    const uint32_t flags = SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS;
    BOOST_CHECK_EQUAL(GetTransactionSigOpCost(tx, spent, flags), 22 * 4 + 2 * 4 + 1 + 2);
    BOOST_CHECK_EQUAL(GetTransactionSigOpCost(tx, spent, SCRIPT_VERIFY_P2SH), 22 * 4 + 2 * 4);
    BOOST_CHECK_EQUAL(GetTransactionSigOpCost(tx, spent, 0), 22 * 4);
    // Spent outputs must match the inputs one to one.
    spent.pop_back();
    BOOST_CHECK_THROW(GetTransactionSigOpCost(tx, spent, flags), std::invalid_argument);
    BOOST_CHECK_THROW(GetP2SHSigOpCount(tx, spent), std::invalid_argument);

    // A coinbase counts only its legacy sigops.
    MutableTransaction cb = Coinbase(4);
    cb.vout[0].script_pubkey = multisig;
    BOOST_CHECK_EQUAL(GetTransactionSigOpCost(Transaction(cb), {}, flags), 20 * 4);
    BOOST_CHECK_EQUAL(GetP2SHSigOpCount(Transaction(cb), {}), 0U);
}

BOOST_AUTO_TEST_CASE(input_values)
{
    MutableTransaction m = Spend(2);
    m.vout[0].value = 1500;
    const Transaction tx(m);
    std::vector<SpentCoin> coins(2);
    coins[0].out.value = 1000;
    coins[0].height = 10;
    coins[1].out.value = 600;
    coins[1].height = 20;
    coins[1].is_coinbase = true;

    Amount fee = -1;
    TxValidationState state;
    BOOST_CHECK(CheckTxInputs(tx, state, coins, 120, fee));
    BOOST_CHECK_EQUAL(fee, 100);

    // Coinbase maturity: 100 blocks.
    TxValidationState immature;
    BOOST_CHECK(!CheckTxInputs(tx, immature, coins, 119, fee));
    BOOST_CHECK_EQUAL(immature.GetRejectReason(), "bad-txns-premature-spend-of-coinbase");
    BOOST_CHECK(immature.GetTxResult() == TxValidationResult::PREMATURE_SPEND);

    coins[1].out.value = 400;
    TxValidationState below;
    BOOST_CHECK(!CheckTxInputs(tx, below, coins, 200, fee));
    BOOST_CHECK_EQUAL(below.GetRejectReason(), "bad-txns-in-belowout");

    coins[1].out.value = MAX_MONEY;
    TxValidationState range;
    BOOST_CHECK(!CheckTxInputs(tx, range, coins, 200, fee));
    BOOST_CHECK_EQUAL(range.GetRejectReason(), "bad-txns-inputvalues-outofrange");

    coins.pop_back();
    TxValidationState missing;
    BOOST_CHECK(!CheckTxInputs(tx, missing, coins, 200, fee));
    BOOST_CHECK_EQUAL(missing.GetRejectReason(), "bad-txns-inputs-missingorspent");
}

BOOST_AUTO_TEST_CASE(subsidy_halvings)
{
    const int interval = 210000;
    BOOST_CHECK_EQUAL(GetBlockSubsidy(0, interval), 50 * COIN);
    BOOST_CHECK_EQUAL(GetBlockSubsidy(209999, interval), 50 * COIN);
    BOOST_CHECK_EQUAL(GetBlockSubsidy(210000, interval), 25 * COIN);
    BOOST_CHECK_EQUAL(GetBlockSubsidy(420000, interval), 1250000000);
    BOOST_CHECK_EQUAL(GetBlockSubsidy(630000, interval), 625000000);
    BOOST_CHECK_EQUAL(GetBlockSubsidy(840000, interval), 312500000);
    BOOST_CHECK_EQUAL(GetBlockSubsidy(866342, interval), 312500000);
    // Integer halving reaches 0 after 33 halvings (50 BTC < 2^33 sat) ...
    BOOST_CHECK_EQUAL(GetBlockSubsidy(32 * interval, interval), 1);
    BOOST_CHECK_EQUAL(GetBlockSubsidy(33 * interval, interval), 0);
    // ... and from 64 halvings on the shift is not even attempted.
    BOOST_CHECK_EQUAL(GetBlockSubsidy(63 * interval, interval), 0);
    BOOST_CHECK_EQUAL(GetBlockSubsidy(64 * interval, interval), 0);
    BOOST_CHECK_EQUAL(GetBlockSubsidy(std::numeric_limits<int>::max(), 150), 0); // regtest interval

    // The total issued never exceeds MAX_MONEY.
    Amount total = 0;
    for (int halving = 0; halving < 70; ++halving) total += GetBlockSubsidy(halving * interval, interval) * interval;
    BOOST_CHECK(MoneyRange(total));
    BOOST_CHECK_EQUAL(total, 2099999997690000);
}

BOOST_AUTO_TEST_SUITE_END()
