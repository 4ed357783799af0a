// BIP325 block solutions: the genesis block is exempt; a block signed for a
// custom challenge (a key of our own) passes, and every tampering with the
// solution, the signed header fields or the transactions fails. An OP_TRUE
// challenge needs no solution but still a witness commitment.

#include <consensus/merkle.h>
#include <crypto/key.h>
#include <kernel/chainparams.h>
#include <kernel/signet.h>
#include <script/sighash.h>
#include <streams.h>

#include <boost/test/unit_test.hpp>

#include <vector>

BOOST_AUTO_TEST_SUITE(signet_tests)

namespace {

using Bytes = std::vector<unsigned char>;

Key TestKey(unsigned char fill)
{
    Key key;
    const Bytes secret(32, fill);
    BOOST_REQUIRE(key.Set(secret, true));
    return key;
}

// OP_RETURN <aa21a9ed || 32 bytes>, then the signet push when given, then
// raw tail bytes.
Script CommitmentScript(const Bytes& signet_push, const Bytes& tail = {})
{
    Bytes commitment{0xaa, 0x21, 0xa9, 0xed};
    commitment.resize(36, 0x11);
    Script script;
    script << OP_RETURN << std::span<const unsigned char>(commitment);
    if (!signet_push.empty()) script << std::span<const unsigned char>(signet_push);
    script.insert(script.end(), tail.begin(), tail.end());
    return script;
}

Bytes SignetPush(const Bytes& solution)
{
    Bytes push(std::begin(SIGNET_HEADER), std::end(SIGNET_HEADER));
    push.insert(push.end(), solution.begin(), solution.end());
    return push;
}

// A block of a coinbase (with the commitment output) and one other transaction.
Block MakeBlock(const Bytes& signet_push, bool with_commitment = true, const Bytes& tail = {})
{
    MutableTransaction coinbase;
    coinbase.vin.resize(1);
    coinbase.vin[0].script_sig << int64_t{1000} << OP_0;
    coinbase.vout.resize(1);
    coinbase.vout[0].value = 50 * 100000000LL;
    coinbase.vout[0].script_pubkey << OP_1;
    if (with_commitment) {
        coinbase.vout.emplace_back();
        coinbase.vout.back().value = 0;
        coinbase.vout.back().script_pubkey = CommitmentScript(signet_push, tail);
    }
    MutableTransaction other;
    other.vin.resize(1);
    other.vin[0].prevout.hash = uint256(uint8_t{7});
    other.vin[0].prevout.n = 0;
    other.vout.resize(1);
    other.vout[0].value = 1000;
    other.vout[0].script_pubkey << OP_2;

    Block block;
    block.version = 0x20000000;
    block.prev_block = uint256(uint8_t{42});
    block.time = 1700000000;
    block.bits = 0x1e0377ae;
    block.nonce = 12345;
    block.vtx.push_back(MakeTransactionRef(std::move(coinbase)));
    block.vtx.push_back(MakeTransactionRef(std::move(other)));
    block.merkle_root = BlockMerkleRoot(block);
    return block;
}

// Signs the block for a "<pubkey> OP_CHECKSIG" challenge and puts the
// solution into its commitment output.
Block SignBlock(const Key& key, const Script& challenge, const Bytes& tail = {})
{
    // Signed form: the signet push holds the header alone.
    const Block unsigned_block = MakeBlock({});
    Block header_only = MakeBlock(Bytes(std::begin(SIGNET_HEADER), std::end(SIGNET_HEADER)));
    const auto txs = CreateSignetTxs(header_only, challenge);
    BOOST_REQUIRE(txs);
    // The header push stays in the signed form: a block without it signs
    // something else.
    const auto txs_plain = CreateSignetTxs(unsigned_block, challenge);
    BOOST_REQUIRE(txs_plain);
    BOOST_CHECK(txs->to_spend.GetHash() != txs_plain->to_spend.GetHash());

    const Transaction to_sign(txs->to_sign);
    const uint256 sighash = SignatureHash(challenge, to_sign, 0, SIGHASH_ALL, 0, SigVersion::BASE);
    Bytes sig;
    BOOST_REQUIRE(key.SignEcdsa(std::span<const unsigned char, 32>(sighash.data(), 32), sig));
    sig.push_back(SIGHASH_ALL);

    Script script_sig;
    script_sig << std::span<const unsigned char>(sig);
    DataStream solution;
    solution << script_sig << std::vector<Bytes>{};
    return MakeBlock(SignetPush(Bytes(solution.begin(), solution.end())), true, tail);
}

Script PubKeyChallenge(const Key& key)
{
    const PubKey pubkey = key.GetPubKey();
    Script challenge;
    challenge << std::span<const unsigned char>(pubkey.data(), pubkey.size()) << OP_CHECKSIG;
    return challenge;
}

} // namespace

BOOST_AUTO_TEST_CASE(default_signet_genesis_is_exempt)
{
    const auto params = CreateChainParams(ChainType::SIGNET);
    BOOST_CHECK(CheckSignetBlockSolution(params->GenesisBlock(), params->GetConsensus()));
    // Any other block without a solution fails the default 1-of-2 challenge.
    BOOST_CHECK(!CheckSignetBlockSolution(MakeBlock({}), params->GetConsensus()));
}

BOOST_AUTO_TEST_CASE(signed_block_with_custom_challenge)
{
    const Key key = TestKey(0x01);
    const Script challenge = PubKeyChallenge(key);
    const auto params = ChainParams::SigNet(challenge);
    const ConsensusParams& consensus = params->GetConsensus();

    const Block block = SignBlock(key, challenge);
    BOOST_CHECK(CheckSignetBlockSolution(block, consensus));
    // The signet genesis is still exempt on a custom signet.
    BOOST_CHECK(CheckSignetBlockSolution(params->GenesisBlock(), consensus));

    // nBits and nonce are not signed: a miner grinds them after signing.
    Block ground = block;
    ground.nonce += 1;
    ground.bits = 0x1e0fffff;
    BOOST_CHECK(CheckSignetBlockSolution(ground, consensus));

    // The time, version and parent are signed.
    Block later = block;
    later.time += 1;
    BOOST_CHECK(!CheckSignetBlockSolution(later, consensus));
    Block other_parent = block;
    other_parent.prev_block = uint256(uint8_t{43});
    BOOST_CHECK(!CheckSignetBlockSolution(other_parent, consensus));

    // So are the transactions.
    Block more_txs = block;
    MutableTransaction extra;
    extra.vin.resize(1);
    extra.vout.resize(1);
    extra.vout[0].value = 1;
    more_txs.vtx.push_back(MakeTransactionRef(std::move(extra)));
    BOOST_CHECK(!CheckSignetBlockSolution(more_txs, consensus));

    // A signature from another key fails.
    const Block wrong_key = SignBlock(TestKey(0x02), challenge);
    BOOST_CHECK(!CheckSignetBlockSolution(wrong_key, consensus));

    // Tampered solution bytes: every flip fails (bad signature or a solution that no longer parses).
    const Bytes& good_script = block.vtx[0]->vout[1].script_pubkey;
    for (size_t i = good_script.size() - 20; i < good_script.size(); ++i) {
        MutableTransaction coinbase(*block.vtx[0]);
        coinbase.vout[1].script_pubkey[i] ^= 0x01;
        Block tampered = block;
        tampered.vtx[0] = MakeTransactionRef(std::move(coinbase));
        BOOST_CHECK(!CheckSignetBlockSolution(tampered, consensus));
    }

    // Trailing bytes after the witness make the solution invalid.
    const auto txs = CreateSignetTxs(block, challenge);
    BOOST_REQUIRE(txs);
    DataStream padded;
    padded << txs->to_sign.vin[0].script_sig << txs->to_sign.vin[0].witness.stack;
    padded << uint8_t{0};
    BOOST_CHECK(!CreateSignetTxs(MakeBlock(SignetPush(Bytes(padded.begin(), padded.end()))), challenge));
}

BOOST_AUTO_TEST_CASE(malformed_commitment_tail)
{
    // A push running past the end of the commitment script ends the scan;
    // the signed form is rebuilt from the operations before it, so the tail
    // is not signed.
    const Key key = TestKey(0x03);
    const Script challenge = PubKeyChallenge(key);
    const auto params = ChainParams::SigNet(challenge);
    const Bytes truncated_push{OP_PUSHDATA1, 0x05, 0x01};
    BOOST_CHECK(CheckSignetBlockSolution(SignBlock(key, challenge, truncated_push), params->GetConsensus()));
    BOOST_CHECK(CheckSignetBlockSolution(SignBlock(key, challenge), params->GetConsensus()));
}

BOOST_AUTO_TEST_CASE(op_true_challenge)
{
    const auto params = ChainParams::SigNet({0x51});
    const ConsensusParams& consensus = params->GetConsensus();
    // No solution needed...
    BOOST_CHECK(CheckSignetBlockSolution(MakeBlock({}), consensus));
    // ...but the witness commitment output must be there.
    BOOST_CHECK(!CheckSignetBlockSolution(MakeBlock({}, false), consensus));
    // OP_FALSE can never be satisfied.
    const auto never = ChainParams::SigNet({0x00});
    BOOST_CHECK(!CheckSignetBlockSolution(MakeBlock({}), never->GetConsensus()));
}

BOOST_AUTO_TEST_CASE(virtual_transactions_layout)
{
    const Script challenge{0x51};
    const Block block = MakeBlock({});
    const auto txs = CreateSignetTxs(block, challenge);
    BOOST_REQUIRE(txs);
    const MutableTransaction& to_spend = txs->to_spend;
    BOOST_CHECK_EQUAL(to_spend.version, 0U);
    BOOST_CHECK_EQUAL(to_spend.lock_time, 0U);
    BOOST_REQUIRE_EQUAL(to_spend.vin.size(), 1U);
    BOOST_CHECK(to_spend.vin[0].prevout.IsNull());
    BOOST_CHECK_EQUAL(to_spend.vin[0].sequence, 0U);
    // OP_0, push of 72 bytes: version, parent, signed merkle root, time.
    const Script& sig = to_spend.vin[0].script_sig;
    BOOST_REQUIRE_EQUAL(sig.size(), 2U + 72U);
    BOOST_CHECK_EQUAL(sig[0], OP_0);
    BOOST_CHECK_EQUAL(sig[1], 72);
    BOOST_CHECK(std::equal(block.prev_block.begin(), block.prev_block.end(), sig.begin() + 6));
    // Without a solution push the signed root is the block's own.
    BOOST_CHECK(std::equal(block.merkle_root.begin(), block.merkle_root.end(), sig.begin() + 38));
    BOOST_CHECK(to_spend.vout.at(0).script_pubkey == challenge);
    BOOST_CHECK_EQUAL(to_spend.vout.at(0).value, 0);

    const MutableTransaction& to_sign = txs->to_sign;
    BOOST_CHECK_EQUAL(to_sign.version, 0U);
    BOOST_CHECK(to_sign.vin.at(0).prevout.hash == to_spend.GetHash());
    BOOST_CHECK_EQUAL(to_sign.vin.at(0).prevout.n, 0U);
    BOOST_CHECK_EQUAL(to_sign.vin.at(0).sequence, 0U);
    BOOST_CHECK(to_sign.vout.at(0).script_pubkey == Script{OP_RETURN});
}

BOOST_AUTO_TEST_SUITE_END()
