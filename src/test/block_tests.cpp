// Blocks: the real mainnet blocks of ../shared/testvectors/blocks round-trip
// and pass every check; mutations of them (a flipped byte, a duplicated tail,
// a bumped nonce, truncation, stripped or altered witness data) fail with the
// reason Bitcoin Core gives. Also merkle trees and proof of work on their own.

#include <arith_uint256.h>
#include <consensus/block_check.h>
#include <consensus/consensus.h>
#include <consensus/merkle.h>
#include <consensus/pow.h>
#include <consensus/subsidy.h>
#include <consensus/tx_check.h>
#include <consensus/tx_verify.h>
#include <crypto/hash.h>
#include <primitives/block.h>
#include <script/interpreter.h>
#include <streams.h>
#include <test/util/vectors.h>

#include <boost/test/unit_test.hpp>

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(block_tests)

namespace {

using Bytes = std::vector<unsigned char>;

const uint256 MAINNET_POW_LIMIT =
    *uint256::FromHex("00000000ffff0000000000000000000000000000000000000000000000000000");
constexpr int MAINNET_HALVING_INTERVAL = 210000;

struct RealBlock {
    nlohmann::json meta;
    Bytes raw;
    Block block;
};

// Reads a whole serialized block; trailing bytes are an error.
Block ParseBlock(std::span<const unsigned char> bytes)
{
    SpanReader reader(bytes);
    Block block;
    reader >> block;
    if (!reader.empty()) throw std::ios_base::failure("trailing data after block");
    return block;
}

// Loaded once for all cases of this suite.
const std::vector<RealBlock>& RealBlocks()
{
    static const std::vector<RealBlock> blocks = [] {
        std::vector<RealBlock> out;
        const nlohmann::json manifest = test_util::ReadVectorJson("blocks/blocks.json");
        for (const auto& entry : manifest.at("files")) {
            if (!entry.contains("hash")) continue; // the spent-outputs file
            RealBlock b;
            b.meta = entry;
            b.raw = test_util::ReadVectorBytes("blocks/" + entry.at("file").get<std::string>());
            b.block = ParseBlock(b.raw);
            out.push_back(std::move(b));
        }
        return out;
    }();
    return blocks;
}

const RealBlock& RealBlockAt(int height)
{
    for (const RealBlock& b : RealBlocks()) {
        if (b.meta.at("height").get<int>() == height) return b;
    }
    throw std::runtime_error("no block at height " + std::to_string(height));
}

std::string CheckBlockReason(const Block& block, bool check_pow = true)
{
    BlockValidationState state;
    if (CheckBlock(block, state, MAINNET_POW_LIMIT, check_pow)) return "";
    return state.GetRejectReason();
}

std::string WitnessReason(const Block& block, bool segwit_active = true)
{
    BlockValidationState state;
    if (CheckWitnessCommitment(block, state, segwit_active)) return "";
    return state.GetRejectReason();
}

uint32_t ParseHexNumber(const std::string& text)
{
    return static_cast<uint32_t>(std::stoul(text, nullptr, 16));
}

// Replaces transaction i of a block.
void ReplaceTx(Block& block, size_t i, MutableTransaction tx)
{
    block.vtx[i] = MakeTransactionRef(std::move(tx));
}

// A small valid-looking block (no proof of work): coinbase + spends.
Block SyntheticBlock(int spends)
{
    Block block;
    block.version = 4;
    MutableTransaction cb;
    cb.vin.resize(1);
    cb.vin[0].script_sig << int64_t{1000} << OP_0;
    cb.vout.resize(1);
    cb.vout[0].value = 50 * COIN;
    cb.vout[0].script_pubkey << OP_TRUE;
    block.vtx.push_back(MakeTransactionRef(cb));
    for (int i = 0; i < spends; ++i) {
        MutableTransaction tx;
        tx.vin.resize(1);
        tx.vin[0].prevout = {block.vtx[0]->GetHash(), static_cast<uint32_t>(i)};
        tx.vout.resize(1);
        tx.vout[0].value = 1000 + i;
        block.vtx.push_back(MakeTransactionRef(tx));
    }
    block.merkle_root = BlockMerkleRoot(block);
    return block;
}

uint256 ReferenceMerkleRoot(std::vector<uint256> level)
{
    if (level.empty()) return uint256{};
    while (level.size() > 1) {
        std::vector<uint256> next;
        for (size_t i = 0; i < level.size(); i += 2) {
            const uint256& left = level[i];
            const uint256& right = i + 1 < level.size() ? level[i + 1] : level[i];
            uint256 parent;
            Hash256().Write(left).Write(right).Finalize(std::span<unsigned char, 32>(parent.data(), 32));
            next.push_back(parent);
        }
        level = std::move(next);
    }
    return level[0];
}

} // namespace

BOOST_AUTO_TEST_CASE(real_blocks_round_trip_and_pass_checks)
{
    BOOST_REQUIRE_EQUAL(RealBlocks().size(), 3U);
    for (const RealBlock& b : RealBlocks()) {
        const nlohmann::json& meta = b.meta;
        const int height = meta.at("height").get<int>();
        BOOST_TEST_CONTEXT("block " << meta.at("file").get<std::string>())
        {
            const Block& block = b.block;
            DataStream out;
            out << block;
            BOOST_CHECK(Bytes(out.begin(), out.end()) == b.raw);
            BOOST_CHECK_EQUAL(b.raw.size(), meta.at("size_bytes").get<size_t>());

            BOOST_CHECK_EQUAL(block.GetHash().GetHex(), meta.at("hash").get<std::string>());
            BOOST_CHECK_EQUAL(block.prev_block.GetHex(), meta.at("prev_hash").get<std::string>());
            BOOST_CHECK_EQUAL(block.merkle_root.GetHex(), meta.at("merkle_root").get<std::string>());
            BOOST_CHECK_EQUAL(block.time, meta.at("time").get<uint32_t>());
            BOOST_CHECK_EQUAL(block.bits, ParseHexNumber(meta.at("bits").get<std::string>()));
            BOOST_CHECK_EQUAL(static_cast<uint32_t>(block.version), ParseHexNumber(meta.at("version").get<std::string>()));
            BOOST_CHECK_EQUAL(block.vtx.size(), meta.at("tx_count").get<size_t>());

            size_t segwit = 0;
            size_t p2tr = 0;
            for (const TransactionRef& tx : block.vtx) {
                segwit += tx->HasWitness();
                for (const TxOut& o : tx->vout) p2tr += o.script_pubkey.IsPayToTaproot();
            }
            BOOST_CHECK_EQUAL(segwit, meta.at("segwit_tx_count").get<size_t>());
            BOOST_CHECK_EQUAL(p2tr, meta.at("p2tr_outputs").get<size_t>());

            bool mutated = true;
            BOOST_CHECK(BlockMerkleRoot(block, &mutated) == block.merkle_root);
            BOOST_CHECK(!mutated);

            BOOST_CHECK_EQUAL(CheckBlockReason(block), "");
            BOOST_CHECK_EQUAL(WitnessReason(block), "");
            BOOST_CHECK_EQUAL(GetWitnessCommitmentIndex(block) != NO_WITNESS_COMMITMENT, segwit > 0);

            BlockValidationState state;
            BOOST_CHECK(CheckBlockWeight(block, state));
            BOOST_CHECK(CheckCoinbaseHeight(block, height, state));
            BOOST_CHECK(!CheckCoinbaseHeight(block, height + 1, state));
            BOOST_CHECK_EQUAL(state.GetRejectReason(), "bad-cb-height");
            BlockValidationState final_state;
            BOOST_CHECK(CheckBlockFinality(block, height, block.time, final_state));

            // Weight: the stripped serialization counts 4 times, witness bytes once.
            DataStream stripped;
            stripped << TX_NO_WITNESS(block);
            const int64_t weight = GetBlockWeight(block);
            BOOST_CHECK_EQUAL(weight, static_cast<int64_t>(stripped.size() * 3 + b.raw.size()));
            BOOST_CHECK_LE(weight, int64_t{MAX_BLOCK_WEIGHT});
            int64_t tx_weights = 0;
            for (const TransactionRef& tx : block.vtx) tx_weights += GetTransactionWeight(*tx);
            // The header and the transaction count are the rest.
            BOOST_CHECK_EQUAL(weight - tx_weights, static_cast<int64_t>(80 + GetCompactSizeLength(block.vtx.size())) * 4);
            // The stripped form parses back (without witness) to the same txids.
            Block from_stripped;
            stripped >> TX_NO_WITNESS(from_stripped);
            BOOST_CHECK(stripped.empty());
            BOOST_CHECK(BlockMerkleRoot(from_stripped) == block.merkle_root);
            BOOST_CHECK_EQUAL(WitnessReason(from_stripped), segwit > 0 ? "bad-witness-nonce-size" : "");

            BOOST_CHECK(GetBlockProof(block.bits) > 0);
            BOOST_CHECK_GE(block.vtx[0]->GetValueOut(), GetBlockSubsidy(height, MAINNET_HALVING_INTERVAL));
        }
    }
}

BOOST_AUTO_TEST_CASE(block_866342_inputs_fees_and_sigops)
{
    const RealBlock& b = RealBlockAt(866342);
    const nlohmann::json spent = test_util::ReadVectorJson("blocks/mainnet_block_866342_spent_utxos.json");
    BOOST_REQUIRE_EQUAL(spent.size(), 7972U);
    const int height = 866342;
    const uint32_t flags = SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_DERSIG | SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY |
                           SCRIPT_VERIFY_CHECKSEQUENCEVERIFY | SCRIPT_VERIFY_WITNESS | SCRIPT_VERIFY_NULLDUMMY |
                           SCRIPT_VERIFY_TAPROOT;

    size_t next = 0;
    Amount fees = 0;
    int64_t sigop_cost = 0;
    size_t height_locked = 0;
    size_t time_locked = 0;
    for (size_t t = 0; t < b.block.vtx.size(); ++t) {
        const Transaction& tx = *b.block.vtx[t];
        if (tx.IsCoinBase()) {
            sigop_cost += GetTransactionSigOpCost(tx, {}, flags);
            continue;
        }
        std::vector<SpentCoin> coins;
        std::vector<TxOut> outputs;
        std::vector<int> prev_heights;
        for (size_t i = 0; i < tx.vin.size(); ++i, ++next) {
            const nlohmann::json& entry = spent.at(next);
            SpentCoin coin;
            coin.out.value = entry.at("txout").at("value").get<int64_t>();
            const Bytes script = test_util::HexToBytes(entry.at("txout").at("script_pubkey").get<std::string>());
            coin.out.script_pubkey = Script(script.begin(), script.end());
            coin.height = entry.at("creation_height").get<int>();
            coin.is_coinbase = entry.at("is_coinbase").get<bool>();
            outputs.push_back(coin.out);
            prev_heights.push_back(coin.height);
            coins.push_back(std::move(coin));
            const uint32_t seq = tx.vin[i].sequence;
            if (tx.version >= 2 && !(seq & TxIn::SEQUENCE_LOCKTIME_DISABLE_FLAG)) {
                ((seq & TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG) ? time_locked : height_locked)++;
            }
        }
        BOOST_TEST_CONTEXT("tx " << t << " " << tx.GetHash().GetHex())
        {
            TxValidationState state;
            Amount fee = -1;
            BOOST_CHECK_MESSAGE(CheckTxInputs(tx, state, coins, height, fee), state.ToString());
            fees += fee;
            sigop_cost += GetTransactionSigOpCost(tx, outputs, flags);
            // Height-based relative locks are decidable from the data at hand;
            // time-based ones would need the chain's median times (not in the vectors).
            const SequenceLocks locks = CalculateSequenceLocks(
                tx, LOCKTIME_VERIFY_SEQUENCE, prev_heights, [](int) { return int64_t{0}; });
            BOOST_CHECK_LT(locks.min_height, height);
        }
    }
    BOOST_CHECK_EQUAL(next, spent.size());
    BOOST_CHECK_EQUAL(fees, b.meta.at("total_fees_sat").get<int64_t>());
    BOOST_CHECK_EQUAL(b.block.vtx[0]->GetValueOut(), b.meta.at("coinbase_output_sat").get<int64_t>());
    BOOST_CHECK_EQUAL(b.block.vtx[0]->GetValueOut(), GetBlockSubsidy(height, MAINNET_HALVING_INTERVAL) + fees);
    BOOST_CHECK_GT(sigop_cost, 0);
    BOOST_CHECK_LE(sigop_cost, MAX_BLOCK_SIGOPS_COST);
    BOOST_TEST_MESSAGE("block 866342: sigop cost " << sigop_cost << ", inputs with height locks " << height_locked
                                                   << ", with time locks " << time_locked);
}

BOOST_AUTO_TEST_CASE(flipped_bytes_are_rejected)
{
    std::mt19937 rng(2459);
    for (const RealBlock& b : RealBlocks()) {
        BOOST_TEST_CONTEXT("block " << b.meta.at("file").get<std::string>())
        {
            const size_t tx_start = 80 + GetCompactSizeLength(b.block.vtx.size());
            std::map<std::string, int> outcomes;
            // About 150 positions spread over the transactions, each flipped by a random bit.
            const size_t positions = 150;
            for (size_t k = 0; k < positions; ++k) {
                const size_t pos = tx_start + (b.raw.size() - tx_start) * k / positions + rng() % 97;
                if (pos >= b.raw.size()) continue;
                Bytes mutated = b.raw;
                mutated[pos] ^= static_cast<unsigned char>(1U << (rng() % 8));
                BOOST_TEST_CONTEXT("byte " << pos)
                {
                    Block block;
                    try {
                        block = ParseBlock(mutated);
                    } catch (const std::ios_base::failure&) {
                        ++outcomes["parse error"];
                        continue;
                    }
                    bool txid_changed = block.vtx.size() != b.block.vtx.size();
                    for (size_t i = 0; !txid_changed && i < block.vtx.size(); ++i) {
                        txid_changed = block.vtx[i]->GetHash() != b.block.vtx[i]->GetHash();
                    }
                    const std::string reason = CheckBlockReason(block);
                    if (txid_changed) {
                        BOOST_CHECK_EQUAL(reason, "bad-txnmrklroot");
                        ++outcomes[reason];
                    } else {
                        // Only witness data changed: the commitment catches it.
                        BOOST_CHECK_EQUAL(reason, "");
                        const std::string witness_reason = WitnessReason(block);
                        BOOST_CHECK_EQUAL(witness_reason, "bad-witness-merkle-match");
                        ++outcomes[witness_reason];
                    }
                }
            }
            std::string summary;
            for (const auto& [what, count] : outcomes) summary += " " + what + ": " + std::to_string(count);
            BOOST_TEST_MESSAGE(b.meta.at("file").get<std::string>() << summary);
        }
    }
}

BOOST_AUTO_TEST_CASE(every_byte_of_one_transaction)
{
    // All bytes of a segwit transaction (tx 1 of block 702861): each bit-7 flip
    // is caught, by the parser, the merkle root or the witness commitment.
    const RealBlock& b = RealBlockAt(702861);
    size_t offset = 80 + GetCompactSizeLength(b.block.vtx.size()) + b.block.vtx[0]->GetTotalSize();
    const size_t length = b.block.vtx[1]->GetTotalSize();
    BOOST_REQUIRE(b.block.vtx[1]->HasWitness());
    for (size_t pos = offset; pos < offset + length; ++pos) {
        Bytes tx_bytes(b.raw.begin() + offset, b.raw.begin() + offset + length);
        tx_bytes[pos - offset] ^= 0x80;
        BOOST_TEST_CONTEXT("byte " << pos - offset << " of tx 1")
        {
            // Parse only the transaction (the rest of the block is unchanged),
            // then put it in the block.
            SpanReader reader(tx_bytes);
            MutableTransaction tx;
            try {
                reader >> TX_WITH_WITNESS(tx);
            } catch (const std::ios_base::failure&) {
                continue;
            }
            if (!reader.empty()) continue; // the block's parse would go astray: rejected there
            Block block = b.block;
            const Transaction frozen(tx);
            const bool txid_changed = frozen.GetHash() != b.block.vtx[1]->GetHash();
            ReplaceTx(block, 1, tx);
            if (txid_changed) {
                BOOST_CHECK_EQUAL(CheckBlockReason(block), "bad-txnmrklroot");
            } else {
                BOOST_CHECK_EQUAL(CheckBlockReason(block), "");
                BOOST_CHECK_EQUAL(WitnessReason(block), "bad-witness-merkle-match");
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(random_edits_of_transactions)
{
    // Random edits of real transactions (flip, delete, insert, truncate, a
    // length byte made large): parsing either fails with ios_base::failure or
    // yields a transaction whose serialization is exactly the input, since
    // every encoding the parser accepts is the canonical one.
    const RealBlock& b = RealBlockAt(866342);
    std::mt19937 rng(144);
    size_t parsed = 0;
    size_t rejected = 0;
    for (size_t t = 0; t < 40; ++t) {
        DataStream original;
        original << TX_WITH_WITNESS(b.block.vtx[t]);
        const Bytes bytes(original.begin(), original.end());
        for (int round = 0; round < 100; ++round) {
            Bytes edited = bytes;
            const size_t pos = rng() % edited.size();
            switch (rng() % 5) {
            case 0: edited[pos] ^= static_cast<unsigned char>(1 + rng() % 255); break;
            case 1: edited.erase(edited.begin() + pos); break;
            case 2: edited.insert(edited.begin() + pos, static_cast<unsigned char>(rng())); break;
            case 3: edited.resize(pos); break;
            default: edited[pos] = static_cast<unsigned char>(0xfd + rng() % 3); break;
            }
            BOOST_TEST_CONTEXT("tx " << t << " round " << round)
            {
                SpanReader reader(edited);
                MutableTransaction tx;
                try {
                    reader >> TX_WITH_WITNESS(tx);
                } catch (const std::ios_base::failure&) {
                    ++rejected;
                    continue;
                }
                ++parsed;
                const size_t consumed = edited.size() - reader.size();
                DataStream again;
                again << TX_WITH_WITNESS(tx);
                BOOST_CHECK(Bytes(again.begin(), again.end()) == Bytes(edited.begin(), edited.begin() + consumed));
            }
        }
    }
    BOOST_TEST_MESSAGE("random edits: " << parsed << " parsed, " << rejected << " rejected");
    BOOST_CHECK_GT(rejected, 0U);
}

BOOST_AUTO_TEST_CASE(header_mutations)
{
    for (const RealBlock& b : RealBlocks()) {
        BOOST_TEST_CONTEXT("block " << b.meta.at("file").get<std::string>())
        {
            Block block = b.block;
            ++block.nonce;
            BOOST_CHECK_EQUAL(CheckBlockReason(block), "high-hash");
            BlockValidationState state;
            BOOST_CHECK(!CheckBlockHeader(block, state, MAINNET_POW_LIMIT));
            BOOST_CHECK(state.GetBlockResult() == BlockValidationResult::INVALID_HEADER);
            BOOST_CHECK_EQUAL(CheckBlockReason(block, false), ""); // only the PoW is wrong

            // A changed merkle root breaks the PoW first, the root without PoW checks.
            block = b.block;
            block.merkle_root.data()[0] ^= 1;
            BOOST_CHECK_EQUAL(CheckBlockReason(block), "high-hash");
            BOOST_CHECK_EQUAL(CheckBlockReason(block, false), "bad-txnmrklroot");

            // The target encoded as negative, overflowing, or above the limit.
            BOOST_CHECK(CheckProofOfWork(b.block.GetHash(), b.block.bits, MAINNET_POW_LIMIT));
            BOOST_CHECK(!CheckProofOfWork(b.block.GetHash(), b.block.bits | 0x00800000, MAINNET_POW_LIMIT));
            BOOST_CHECK(!CheckProofOfWork(b.block.GetHash(), 0xff00ffff, MAINNET_POW_LIMIT));
            BOOST_CHECK(!CheckProofOfWork(b.block.GetHash(), 0x1d01ffff, MAINNET_POW_LIMIT));
            BOOST_CHECK(!CheckProofOfWork(b.block.GetHash(), 0, MAINNET_POW_LIMIT));
        }
    }
    // The limit itself is a valid target; anything easier is not.
    BOOST_CHECK(CheckProofOfWork(uint256{}, 0x1d00ffff, MAINNET_POW_LIMIT));
    BOOST_CHECK(!DeriveTarget(0x1d010000, MAINNET_POW_LIMIT));
    const uint256 at_limit = MAINNET_POW_LIMIT;
    BOOST_CHECK(CheckProofOfWork(at_limit, 0x1d00ffff, MAINNET_POW_LIMIT));
    arith_uint256 above = UintToArith256(MAINNET_POW_LIMIT) + 1;
    BOOST_CHECK(!CheckProofOfWork(ArithToUint256(above), 0x1d00ffff, MAINNET_POW_LIMIT));
    // Work of the genesis target: 2^256 / (target + 1) = 0x100010001.
    BOOST_CHECK(GetBlockProof(0x1d00ffff) == arith_uint256(0x100010001ULL));
    BOOST_CHECK(GetBlockProof(0x01800000) == 0); // negative zero mantissa decodes to 0
    BOOST_CHECK(GetBlockProof(0x04923456) == 0); // negative
}

BOOST_AUTO_TEST_CASE(duplicated_tail_is_a_mutation)
{
    for (const RealBlock& b : RealBlocks()) {
        BOOST_TEST_CONTEXT("block " << b.meta.at("file").get<std::string>())
        {
            // Repeating the last k transactions, k the lowest set bit of the
            // count, reproduces the merkle root (CVE-2012-2459).
            const size_t n = b.block.vtx.size();
            const size_t k = n & (~n + 1);
            Block block = b.block;
            for (size_t i = n - k; i < n; ++i) block.vtx.push_back(block.vtx[i]);
            bool mutated = false;
            BOOST_CHECK(BlockMerkleRoot(block, &mutated) == b.block.merkle_root);
            BOOST_CHECK(mutated);
            BOOST_CHECK_EQUAL(CheckBlockReason(block), "bad-txns-duplicate");
            BlockValidationState state;
            CheckBlock(block, state, MAINNET_POW_LIMIT);
            BOOST_CHECK(state.GetBlockResult() == BlockValidationResult::MUTATED);

            // Repeating just the last transaction of an even-sized list changes the root.
            if (k > 1) {
                Block other = b.block;
                other.vtx.push_back(other.vtx.back());
                BOOST_CHECK_EQUAL(CheckBlockReason(other), "bad-txnmrklroot");
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(truncated_and_padded_blocks)
{
    for (const RealBlock& b : RealBlocks()) {
        BOOST_TEST_CONTEXT("block " << b.meta.at("file").get<std::string>())
        {
            const size_t n = b.raw.size();
            std::vector<size_t> lengths{0, 1, 79, 80, 81, 82, n / 2, n - 2, n - 1};
            for (size_t i = 1; i < 40; ++i) lengths.push_back(n * i / 40);
            for (size_t len : lengths) {
                BOOST_TEST_CONTEXT("first " << len << " bytes")
                {
                    BOOST_CHECK_THROW(ParseBlock(std::span<const unsigned char>(b.raw.data(), len)),
                                      std::ios_base::failure);
                }
            }
            Bytes padded = b.raw;
            padded.push_back(0);
            BOOST_CHECK_THROW(ParseBlock(padded), std::ios_base::failure);
            SpanReader reader(padded);
            Block block;
            reader >> block;
            BOOST_CHECK_EQUAL(reader.size(), 1U);
        }
    }
    // A header announcing 2^25 transactions with none behind it.
    DataStream s;
    s << BlockHeader{};
    WriteCompactSize(s, MAX_SIZE);
    Block block;
    BOOST_CHECK_THROW(s >> block, std::ios_base::failure);
}

BOOST_AUTO_TEST_CASE(witness_commitment_rules)
{
    const RealBlock& b = RealBlockAt(866342);
    BOOST_REQUIRE_NE(GetWitnessCommitmentIndex(b.block), NO_WITNESS_COMMITMENT);

    // No reserved value in the coinbase witness.
    Block block = b.block;
    MutableTransaction cb(*block.vtx[0]);
    cb.vin[0].witness.SetNull();
    ReplaceTx(block, 0, cb);
    BOOST_CHECK_EQUAL(CheckBlockReason(block), ""); // the txid does not cover the witness
    BOOST_CHECK_EQUAL(WitnessReason(block), "bad-witness-nonce-size");
    // Two items, or one of 31 bytes.
    cb = MutableTransaction(*b.block.vtx[0]);
    cb.vin[0].witness.stack.push_back({});
    ReplaceTx(block, 0, cb);
    BOOST_CHECK_EQUAL(WitnessReason(block), "bad-witness-nonce-size");
    cb = MutableTransaction(*b.block.vtx[0]);
    cb.vin[0].witness.stack[0].pop_back();
    ReplaceTx(block, 0, cb);
    BOOST_CHECK_EQUAL(WitnessReason(block), "bad-witness-nonce-size");
    // Another reserved value.
    cb = MutableTransaction(*b.block.vtx[0]);
    cb.vin[0].witness.stack[0][0] ^= 1;
    ReplaceTx(block, 0, cb);
    BOOST_CHECK_EQUAL(WitnessReason(block), "bad-witness-merkle-match");
    // A transaction's witness altered.
    block = b.block;
    size_t witness_tx = 1;
    while (!block.vtx[witness_tx]->HasWitness()) ++witness_tx;
    MutableTransaction tx(*block.vtx[witness_tx]);
    tx.vin[0].witness.stack.back().push_back(0);
    ReplaceTx(block, witness_tx, tx);
    BOOST_CHECK_EQUAL(CheckBlockReason(block), "");
    BOOST_CHECK_EQUAL(WitnessReason(block), "bad-witness-merkle-match");

    // Without the commitment output, witness data is unexpected.
    block = b.block;
    cb = MutableTransaction(*b.block.vtx[0]);
    cb.vout.erase(cb.vout.begin() + GetWitnessCommitmentIndex(b.block));
    ReplaceTx(block, 0, cb);
    BOOST_CHECK_EQUAL(GetWitnessCommitmentIndex(block), NO_WITNESS_COMMITMENT);
    BOOST_CHECK_EQUAL(WitnessReason(block), "unexpected-witness");
    // Before segwit activation any witness is unexpected.
    BOOST_CHECK_EQUAL(WitnessReason(b.block, false), "unexpected-witness");
    BOOST_CHECK_EQUAL(WitnessReason(RealBlockAt(277647).block, false), "");

    // The commitment is SHA256d(witness root || reserved value).
    const Script& commitment = b.block.vtx[0]->vout[GetWitnessCommitmentIndex(b.block)].script_pubkey;
    const uint256 reserved{std::span<const unsigned char, 32>(b.block.vtx[0]->vin[0].witness.stack[0].data(), 32)};
    const uint256 expected = ComputeWitnessCommitment(BlockWitnessMerkleRoot(b.block), reserved);
    BOOST_CHECK(std::equal(expected.begin(), expected.end(), commitment.begin() + 6));

    // The last matching output is the commitment.
    block = b.block;
    cb = MutableTransaction(*b.block.vtx[0]);
    TxOut decoy = cb.vout[GetWitnessCommitmentIndex(b.block)];
    decoy.script_pubkey[10] ^= 1;
    cb.vout.push_back(decoy);
    ReplaceTx(block, 0, cb);
    BOOST_CHECK_EQUAL(GetWitnessCommitmentIndex(block), static_cast<int>(cb.vout.size() - 1));
    BOOST_CHECK_EQUAL(WitnessReason(block), "bad-witness-merkle-match");
    cb.vout.insert(cb.vout.begin(), decoy); // an earlier decoy does not matter
    cb.vout.pop_back();
    ReplaceTx(block, 0, cb);
    BOOST_CHECK_EQUAL(WitnessReason(block), "");
}

BOOST_AUTO_TEST_CASE(synthetic_block_failures)
{
    Block block = SyntheticBlock(3);
    BOOST_CHECK_EQUAL(CheckBlockReason(block, false), "");

    Block empty = block;
    empty.vtx.clear();
    empty.merkle_root = BlockMerkleRoot(empty);
    BOOST_CHECK_EQUAL(CheckBlockReason(empty, false), "bad-blk-length");

    Block no_coinbase = block;
    no_coinbase.vtx.erase(no_coinbase.vtx.begin());
    no_coinbase.merkle_root = BlockMerkleRoot(no_coinbase);
    BOOST_CHECK_EQUAL(CheckBlockReason(no_coinbase, false), "bad-cb-missing");

    Block two_coinbases = block;
    MutableTransaction cb2(*block.vtx[0]);
    cb2.vin[0].script_sig << OP_1;
    two_coinbases.vtx.push_back(MakeTransactionRef(cb2));
    two_coinbases.merkle_root = BlockMerkleRoot(two_coinbases);
    BOOST_CHECK_EQUAL(CheckBlockReason(two_coinbases, false), "bad-cb-multiple");

    Block bad_tx = block;
    MutableTransaction negative(*block.vtx[2]);
    negative.vout[0].value = -5;
    ReplaceTx(bad_tx, 2, negative);
    bad_tx.merkle_root = BlockMerkleRoot(bad_tx);
    BlockValidationState state;
    BOOST_CHECK(!CheckBlock(bad_tx, state, MAINNET_POW_LIMIT, false));
    BOOST_CHECK_EQUAL(state.GetRejectReason(), "bad-txns-vout-negative");
    BOOST_CHECK(state.GetBlockResult() == BlockValidationResult::CONSENSUS);
    BOOST_CHECK(state.GetDebugMessage().find("Transaction check failed") != std::string::npos);

    Block short_cb = block;
    MutableTransaction cb_short(*block.vtx[0]);
    cb_short.vin[0].script_sig = Script{OP_0};
    ReplaceTx(short_cb, 0, cb_short);
    short_cb.merkle_root = BlockMerkleRoot(short_cb);
    BOOST_CHECK_EQUAL(CheckBlockReason(short_cb, false), "bad-cb-length");

    // 1001 CHECKMULTISIGs count 20 each: 20020 legacy sigops > 80000 / 4.
    Block sigops = block;
    MutableTransaction heavy(*block.vtx[1]);
    heavy.vout[0].script_pubkey = Script(1001, OP_CHECKMULTISIG);
    ReplaceTx(sigops, 1, heavy);
    sigops.merkle_root = BlockMerkleRoot(sigops);
    BOOST_CHECK_EQUAL(CheckBlockReason(sigops, false), "bad-blk-sigops");
    heavy.vout[0].script_pubkey = Script(1000, OP_CHECKMULTISIG); // exactly 20000
    ReplaceTx(sigops, 1, heavy);
    sigops.merkle_root = BlockMerkleRoot(sigops);
    BOOST_CHECK_EQUAL(CheckBlockReason(sigops, false), "");

    // Stripped size above 1 MB: too long, even though each transaction is fine.
    Block big = block;
    for (int i = 0; i < 3; ++i) {
        MutableTransaction t(*block.vtx[1 + i]);
        t.vout[0].script_pubkey = Script(350000, OP_NOP);
        ReplaceTx(big, 1 + i, t);
    }
    big.merkle_root = BlockMerkleRoot(big);
    BOOST_CHECK_EQUAL(CheckBlockReason(big, false), "bad-blk-length");

    // Weight above 4M through witness data: CheckBlock passes, the weight check fails.
    Block heavy_witness = block;
    MutableTransaction w(*block.vtx[1]);
    w.vin[0].witness.stack.push_back(Bytes(MAX_BLOCK_WEIGHT, 0));
    ReplaceTx(heavy_witness, 1, w);
    BOOST_CHECK_EQUAL(CheckBlockReason(heavy_witness, false), "");
    BlockValidationState weight_state;
    BOOST_CHECK(!CheckBlockWeight(heavy_witness, weight_state));
    BOOST_CHECK_EQUAL(weight_state.GetRejectReason(), "bad-blk-weight");

    // Non-final transaction at this height.
    Block locked = block;
    MutableTransaction lt(*block.vtx[1]);
    lt.lock_time = 2000;
    lt.vin[0].sequence = 0;
    ReplaceTx(locked, 1, lt);
    BlockValidationState final_state;
    BOOST_CHECK(!CheckBlockFinality(locked, 2000, 0, final_state));
    BOOST_CHECK_EQUAL(final_state.GetRejectReason(), "bad-txns-nonfinal");
    BlockValidationState final_ok;
    BOOST_CHECK(CheckBlockFinality(locked, 2001, 0, final_ok));

    // BIP34 heights 1..16 are OP_n pushes.
    Block small_height = block;
    MutableTransaction h(*block.vtx[0]);
    h.vin[0].script_sig = Script{} << int64_t{5} << OP_0;
    ReplaceTx(small_height, 0, h);
    BlockValidationState height_state;
    BOOST_CHECK(CheckCoinbaseHeight(small_height, 5, height_state));
    BOOST_CHECK(CheckCoinbaseHeight(block, 1000, height_state));
}

BOOST_AUTO_TEST_CASE(merkle_trees)
{
    std::mt19937 rng(1);
    const auto random_hash = [&] {
        uint256 h;
        for (unsigned char& c : h) c = static_cast<unsigned char>(rng());
        return h;
    };
    bool mutated = true;
    BOOST_CHECK(ComputeMerkleRoot({}, &mutated) == uint256{});
    BOOST_CHECK(!mutated);
    const uint256 a = random_hash();
    BOOST_CHECK(ComputeMerkleRoot({a}, &mutated) == a);
    BOOST_CHECK(!mutated);

    for (size_t n = 1; n <= 70; ++n) {
        std::vector<uint256> leaves;
        for (size_t i = 0; i < n; ++i) leaves.push_back(random_hash());
        BOOST_TEST_CONTEXT(n << " leaves")
        {
            BOOST_CHECK(ComputeMerkleRoot(leaves, &mutated) == ReferenceMerkleRoot(leaves));
            BOOST_CHECK(!mutated);
        }
    }
    const uint256 b = random_hash();
    const uint256 c = random_hash();
    ComputeMerkleRoot({a, a}, &mutated);
    BOOST_CHECK(mutated);
    BOOST_CHECK(ComputeMerkleRoot({a, b, c, c}, &mutated) == ComputeMerkleRoot({a, b, c}));
    BOOST_CHECK(mutated);
    ComputeMerkleRoot({a, b, a}, &mutated); // equal but not neighbours
    BOOST_CHECK(!mutated);
    ComputeMerkleRoot({a, b, c, a, b, c}, &mutated); // repeats, but no equal neighbours at any level
    BOOST_CHECK(!mutated);
    ComputeMerkleRoot({a, b, a, b}, &mutated);
    BOOST_CHECK(mutated);
    BOOST_CHECK(ComputeMerkleRoot({a, b}, nullptr) == ReferenceMerkleRoot({a, b}));
}

BOOST_AUTO_TEST_SUITE_END()
