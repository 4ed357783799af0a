// Relay policy: feerates, output templates, standardness reasons, dust,
// option parsing (Core v30 defaults).
#include <node/policy.h>
#include <node/txmempool.h>
#include <script/script.h>
#include <util/args.h>

#include <boost/test/unit_test.hpp>

using namespace node;

namespace {

Script P2WPKH() { Script s; s << OP_0 << std::vector<unsigned char>(20, 1); return s; }
Script P2PKH()
{
    Script s;
    s << OP_DUP << OP_HASH160 << std::vector<unsigned char>(20, 2) << OP_EQUALVERIFY << OP_CHECKSIG;
    return s;
}
Script OpReturn(size_t n)
{
    Script s;
    s << OP_RETURN << std::vector<unsigned char>(n, 0x61);
    return s;
}

MutableTransaction BaseTx()
{
    MutableTransaction tx;
    tx.version = 2;
    TxIn in;
    in.prevout = OutPoint{uint256{}, 0};
    in.prevout.hash.data()[0] = 1;
    tx.vin.push_back(in);
    TxOut out;
    out.value = 10000;
    out.script_pubkey = P2WPKH();
    tx.vout.push_back(out);
    return tx;
}

bool Standard(const MutableTransaction& mtx, std::string& reason, const PolicyOptions& opts = {})
{
    return IsStandardTx(Transaction(mtx), opts, reason);
}

} // namespace

BOOST_AUTO_TEST_SUITE(policy_tests)

BOOST_AUTO_TEST_CASE(feerate_rounding)
{
    BOOST_CHECK_EQUAL(FeeRate(100).GetFee(141), 15);  // 14.1 rounds up
    BOOST_CHECK_EQUAL(FeeRate(1000).GetFee(250), 250);
    BOOST_CHECK_EQUAL(FeeRate(1).GetFee(1), 1);
    BOOST_CHECK_EQUAL(FeeRate(0).GetFee(1000), 0);
    BOOST_CHECK_EQUAL(FeeRate(1000, 250).GetFeePerK(), 4000);
    BOOST_CHECK_EQUAL(FeeRate(100).ToString(), "0.00000100 BTC/kvB");
    BOOST_CHECK(FeeRate(5) < FeeRate(6));
}

BOOST_AUTO_TEST_CASE(parse_money_and_options)
{
    Amount a = 0;
    BOOST_CHECK(ParseMoney("0.000001", a));
    BOOST_CHECK_EQUAL(a, 100);
    BOOST_CHECK(ParseMoney("1", a));
    BOOST_CHECK_EQUAL(a, COIN);
    BOOST_CHECK(!ParseMoney("1.000000001", a));
    BOOST_CHECK(!ParseMoney("abc", a));
    BOOST_CHECK(!ParseMoney("", a));

    ArgsManager args;
    RegisterMempoolOptions(args);
    MempoolOptions opts;
    std::string error;
    BOOST_REQUIRE(ReadMempoolOptions(args, true, opts, error));
    BOOST_CHECK_EQUAL(opts.min_relay_feerate.GetFeePerK(), 100);
    BOOST_CHECK_EQUAL(opts.incremental_relay_feerate.GetFeePerK(), 100);
    BOOST_CHECK_EQUAL(opts.policy.dust_relay_feerate.GetFeePerK(), 3000);
    BOOST_CHECK_EQUAL(opts.max_size_bytes, 300000000);
    BOOST_CHECK_EQUAL(opts.expiry_seconds, 336 * 3600);
    BOOST_CHECK_EQUAL(*opts.policy.max_datacarrier_bytes, 100000U);
    BOOST_CHECK_EQUAL(opts.limits.ancestor_count, 25);
    BOOST_CHECK_EQUAL(opts.limits.descendant_size_vbytes, 101000);

    const char* argv[] = {"bitcoind", "-minrelaytxfee=0.00001", "-datacarrier=0", "-maxmempool=4"};
    ArgsManager args2;
    RegisterMempoolOptions(args2);
    BOOST_REQUIRE(args2.ParseParameters(2, argv, error));
    BOOST_REQUIRE(ReadMempoolOptions(args2, true, opts, error));
    BOOST_CHECK_EQUAL(opts.min_relay_feerate.GetFeePerK(), 1000);
    ArgsManager args3;
    RegisterMempoolOptions(args3);
    BOOST_REQUIRE(args3.ParseParameters(3, argv, error));
    BOOST_REQUIRE(ReadMempoolOptions(args3, true, opts, error));
    BOOST_CHECK(!opts.policy.max_datacarrier_bytes);
    ArgsManager args4;
    RegisterMempoolOptions(args4);
    BOOST_REQUIRE(args4.ParseParameters(4, argv, error));
    BOOST_CHECK(!ReadMempoolOptions(args4, true, opts, error));
}

BOOST_AUTO_TEST_CASE(solver_types)
{
    BOOST_CHECK(Solver(P2WPKH()) == TxoutType::WITNESS_V0_KEYHASH);
    BOOST_CHECK(Solver(P2PKH()) == TxoutType::PUBKEYHASH);
    BOOST_CHECK(Solver(OpReturn(10)) == TxoutType::NULL_DATA);
    Script p2sh;
    p2sh << OP_HASH160 << std::vector<unsigned char>(20, 3) << OP_EQUAL;
    BOOST_CHECK(Solver(p2sh) == TxoutType::SCRIPTHASH);
    Script tr;
    tr << OP_1 << std::vector<unsigned char>(32, 4);
    BOOST_CHECK(Solver(tr) == TxoutType::WITNESS_V1_TAPROOT);
    Script anchor;
    anchor << OP_1 << std::vector<unsigned char>{0x4e, 0x73};
    BOOST_CHECK(Solver(anchor) == TxoutType::ANCHOR);
    Script future;
    future << OP_2 << std::vector<unsigned char>(32, 4);
    BOOST_CHECK(Solver(future) == TxoutType::WITNESS_UNKNOWN);
    Script ms;
    std::vector<unsigned char> key(33, 5);
    key[0] = 0x02;
    ms << OP_1 << key << key << OP_2 << OP_CHECKMULTISIG;
    int m = 0, n = 0;
    BOOST_CHECK(Solver(ms, &m, &n) == TxoutType::MULTISIG);
    BOOST_CHECK_EQUAL(m, 1);
    BOOST_CHECK_EQUAL(n, 2);
    Script junk;
    junk << OP_DUP << OP_DROP;
    BOOST_CHECK(Solver(junk) == TxoutType::NONSTANDARD);
    BOOST_CHECK_EQUAL(GetTxoutTypeName(TxoutType::NULL_DATA), "nulldata");
}

BOOST_AUTO_TEST_CASE(standardness_reasons)
{
    std::string reason;
    MutableTransaction tx = BaseTx();
    BOOST_CHECK(Standard(tx, reason));

    tx.version = 4;
    BOOST_CHECK(!Standard(tx, reason));
    BOOST_CHECK_EQUAL(reason, "version");
    tx.version = 0;
    BOOST_CHECK(!Standard(tx, reason));
    tx.version = 3;
    BOOST_CHECK(Standard(tx, reason));

    tx = BaseTx();
    tx.vin[0].script_sig = Script(std::vector<unsigned char>(1651, OP_1));
    BOOST_CHECK(!Standard(tx, reason));
    BOOST_CHECK_EQUAL(reason, "scriptsig-size");
    tx.vin[0].script_sig = Script();
    tx.vin[0].script_sig << OP_DUP;
    BOOST_CHECK(!Standard(tx, reason));
    BOOST_CHECK_EQUAL(reason, "scriptsig-not-pushonly");

    tx = BaseTx();
    Script junk;
    junk << OP_DUP << OP_DROP;
    tx.vout[0].script_pubkey = junk;
    BOOST_CHECK(!Standard(tx, reason));
    BOOST_CHECK_EQUAL(reason, "scriptpubkey");

    // Weight above 400000.
    tx = BaseTx();
    tx.vout[0].script_pubkey = OpReturn(100001);
    tx.vout[0].value = 0;
    BOOST_CHECK(!Standard(tx, reason));
    BOOST_CHECK_EQUAL(reason, "tx-size");

    // OP_RETURN: several allowed, in total up to -datacarriersize.
    tx = BaseTx();
    TxOut data;
    data.value = 0;
    data.script_pubkey = OpReturn(80);
    tx.vout.push_back(data);
    tx.vout.push_back(data);
    BOOST_CHECK(Standard(tx, reason));
    PolicyOptions small;
    small.max_datacarrier_bytes = 100;
    BOOST_CHECK(!Standard(tx, reason, small));
    BOOST_CHECK_EQUAL(reason, "datacarrier");
    PolicyOptions none;
    none.max_datacarrier_bytes = std::nullopt;
    BOOST_CHECK(!Standard(tx, reason, none));
    BOOST_CHECK_EQUAL(reason, "datacarrier");

    // Bare multisig.
    tx = BaseTx();
    Script ms;
    std::vector<unsigned char> key(33, 5);
    key[0] = 0x02;
    ms << OP_1 << key << OP_1 << OP_CHECKMULTISIG;
    tx.vout[0].script_pubkey = ms;
    BOOST_CHECK(Standard(tx, reason));
    PolicyOptions no_bare;
    no_bare.permit_bare_multisig = false;
    BOOST_CHECK(!Standard(tx, reason, no_bare));
    BOOST_CHECK_EQUAL(reason, "bare-multisig");

    // Dust: one output may be dust (ephemeral), two may not.
    tx = BaseTx();
    tx.vout[0].value = 1;
    BOOST_CHECK(Standard(tx, reason));
    tx.vout.push_back(tx.vout[0]);
    BOOST_CHECK(!Standard(tx, reason));
    BOOST_CHECK_EQUAL(reason, "dust");
}

BOOST_AUTO_TEST_CASE(dust_thresholds)
{
    const FeeRate rate(DUST_RELAY_TX_FEE);
    TxOut out;
    out.script_pubkey = P2PKH();
    BOOST_CHECK_EQUAL(GetDustThreshold(out, rate), 546);
    out.script_pubkey = P2WPKH();
    BOOST_CHECK_EQUAL(GetDustThreshold(out, rate), 294);
    out.value = 293;
    BOOST_CHECK(IsDust(out, rate));
    out.value = 294;
    BOOST_CHECK(!IsDust(out, rate));
    out.script_pubkey = OpReturn(4);
    out.value = 0;
    BOOST_CHECK(!IsDust(out, rate));
}

BOOST_AUTO_TEST_CASE(sigop_adjusted_vsize)
{
    BOOST_CHECK_EQUAL(GetVirtualTransactionSize(400, 0, 20), 100);
    BOOST_CHECK_EQUAL(GetVirtualTransactionSize(401, 0, 20), 101);
    BOOST_CHECK_EQUAL(GetVirtualTransactionSize(400, 80, 20), 400);
}

BOOST_AUTO_TEST_SUITE_END()
