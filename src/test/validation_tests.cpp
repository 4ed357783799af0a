// ConnectBlock through the ChainstateManager: a regtest chain mined in
// process, coinbases spent once mature, and invalid blocks rejected with
// Bitcoin Core's reject reasons, marked failed together with descendants.

#include <consensus/pow.h>
#include <kernel/block_index.h>
#include <kernel/blockstorage.h>
#include <kernel/validation.h>
#include <test/util/chain_fixture.h>

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

using test_util::ChainFixture;
using test_util::SpendableOutput;

namespace {

// A chain of 110 blocks: the coinbases of heights 1..11 can be spent in the next block.
struct MaturedChain : ChainFixture {
    std::vector<std::shared_ptr<const Block>> blocks;  // blocks[i] is at height i + 1
    MaturedChain() { blocks = MineBlocks(110); }
    SpendableOutput Coinbase(int height) const { return CoinbaseOutput(*blocks.at(height - 1)); }
};

// The block is refused with a reason starting with `reason`, the tip stays,
// and the block is marked as failed.
void CheckRejected(ChainFixture& f, const std::shared_ptr<const Block>& block, const std::string& reason)
{
    const BlockIndex* tip = f.Tip();
    BlockValidationState state;
    BOOST_CHECK(!f.Submit(block, &state));
    BOOST_CHECK_MESSAGE(state.GetRejectReason().rfind(reason, 0) == 0,
                        "expected " + reason + ", got " + state.ToString());
    BOOST_CHECK(f.Tip() == tip);
    const BlockIndex* index = f.Chainman().LookupBlockIndex(block->GetHash());
    BOOST_REQUIRE(index);
    BOOST_CHECK(index->status & BLOCK_FAILED_VALID);
}

struct CountingObserver : ValidationObserver {
    int connected = 0;
    int disconnected = 0;
    int tip_updates = 0;
    void BlockConnected(const std::shared_ptr<const Block>&, const BlockIndex&) override { ++connected; }
    void BlockDisconnected(const std::shared_ptr<const Block>&, const BlockIndex&) override { ++disconnected; }
    void UpdatedBlockTip(const BlockIndex&, const BlockIndex*, bool) override { ++tip_updates; }
};

// count coinbase-only blocks on top of prev (at prev_height), each solved;
// salt tells branches apart.
std::vector<std::shared_ptr<const Block>> BuildOn(const ChainFixture& miner, std::shared_ptr<const Block> prev,
                                                  int prev_height, int count, int64_t salt)
{
    std::vector<std::shared_ptr<const Block>> out;
    for (int i = 0; i < count; ++i) {
        auto next = std::make_shared<Block>(*prev);
        next->vtx.resize(1);
        MutableTransaction cb(*next->vtx[0]);
        cb.vin[0].script_sig.clear();
        cb.vin[0].script_sig << int64_t{prev_height + 1 + i} << salt;
        cb.vin[0].witness.SetNull();
        cb.vout.resize(1);
        next->vtx[0] = MakeTransactionRef(cb);
        next->prev_block = prev->GetHash();
        next->time = prev->time + 1;
        miner.Solve(*next);
        out.push_back(next);
        prev = next;
    }
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(validation_tests)

BOOST_FIXTURE_TEST_CASE(connects_blocks_and_spends_matured_coinbases, MaturedChain)
{
    BOOST_CHECK_EQUAL(Height(), 110);
    BOOST_CHECK(Tip()->GetBlockHash() == blocks.back()->GetHash());
    BOOST_CHECK(Tip()->IsValid(BLOCK_VALID_SCRIPTS));
    BOOST_CHECK(Tip()->status & BLOCK_HAVE_UNDO);

    const SpendableOutput cb1 = Coinbase(1);
    BOOST_CHECK(Chainman().CoinsTip().HaveCoin(cb1.outpoint));
    const TransactionRef tx = SpendTo(cb1, 1000, 3);
    const TransactionRef child = SpendTo(Output(tx, 0), 1000, 1);  // spends an output of the same block
    Mine({tx, child});
    BOOST_CHECK_EQUAL(Height(), 111);
    CoinsViewCache& coins = Chainman().CoinsTip();
    BOOST_CHECK(!coins.HaveCoin(cb1.outpoint));
    BOOST_CHECK(!coins.HaveCoin(OutPoint{tx->GetHash(), 0}));
    BOOST_CHECK(coins.HaveCoin(OutPoint{tx->GetHash(), 1}));
    BOOST_CHECK(coins.HaveCoin(OutPoint{tx->GetHash(), 2}));
    BOOST_CHECK(coins.HaveCoin(OutPoint{child->GetHash(), 0}));
    BOOST_CHECK_EQUAL(coins.AccessCoin(OutPoint{child->GetHash(), 0}).height, 111U);
    BOOST_CHECK(Chainman().ScriptChecksRun() >= 2);
}

BOOST_FIXTURE_TEST_CASE(observers_hear_connected_blocks, ChainFixture)
{
    CountingObserver observer;
    Chainman().RegisterObserver(&observer);
    MineBlocks(5);
    Chainman().UnregisterObserver(&observer);
    MineBlocks(1);
    BOOST_CHECK_EQUAL(observer.connected, 5);
    BOOST_CHECK_EQUAL(observer.tip_updates, 5);
    BOOST_CHECK_EQUAL(observer.disconnected, 0);
}

BOOST_FIXTURE_TEST_CASE(rejects_bad_merkle_root, MaturedChain)
{
    auto block = CreateBlock({SpendTo(Coinbase(1), 1000)});
    block->merkle_root = uint256{uint8_t{7}};
    while (!CheckProofOfWork(block->GetHash(), block->bits, Params().GetConsensus().pow_limit)) ++block->nonce;
    const BlockIndex* tip = Tip();
    BlockValidationState state;
    BOOST_CHECK(!Submit(block, &state));
    BOOST_CHECK_EQUAL(state.GetRejectReason(), "bad-txnmrklroot");
    BOOST_CHECK(Tip() == tip);
    // The header may still be fine with the right transactions: not marked failed.
    const BlockIndex* index = Chainman().LookupBlockIndex(block->GetHash());
    BOOST_CHECK(!index || !(index->status & BLOCK_HAVE_DATA));
}

BOOST_FIXTURE_TEST_CASE(rejects_double_spend_within_a_block, MaturedChain)
{
    const SpendableOutput cb = Coinbase(1);
    auto block = CreateBlock({SpendTo(cb, 1000), SpendTo(cb, 2000)});
    CheckRejected(*this, block, "bad-txns-inputs-missingorspent");
}

BOOST_FIXTURE_TEST_CASE(rejects_double_spend_across_blocks, MaturedChain)
{
    const SpendableOutput cb = Coinbase(2);
    Mine({SpendTo(cb, 1000)});
    CheckRejected(*this, CreateBlock({SpendTo(cb, 5000)}), "bad-txns-inputs-missingorspent");
    // A coin that never existed.
    CheckRejected(*this, CreateBlock({Spend({{OutPoint{uint256{uint8_t{9}}, 0}, cb.out}}, {TxOut{1000, PayoutScript()}})}),
                  "bad-txns-inputs-missingorspent");
}

BOOST_FIXTURE_TEST_CASE(rejects_overspend, MaturedChain)
{
    const SpendableOutput cb = Coinbase(3);
    CheckRejected(*this, CreateBlock({Spend({cb}, {TxOut{cb.out.value + 1, PayoutScript()}})}), "bad-txns-in-belowout");
}

BOOST_FIXTURE_TEST_CASE(rejects_coinbase_overpay, MaturedChain)
{
    const Amount subsidy = Coinbase(1).out.value;
    // Fees may be claimed, a satoshi more may not.
    const SpendableOutput cb = Coinbase(4);
    Mine({SpendTo(cb, 700)});
    CheckRejected(*this, CreateBlock({}, nullptr, subsidy + 1), "bad-cb-amount");
    CheckRejected(*this, CreateBlock({SpendTo(Coinbase(5), 700)}, nullptr, subsidy + 701), "bad-cb-amount");
    Mine({});
    BOOST_CHECK(Submit(CreateBlock({SpendTo(Coinbase(6), 700)}, nullptr, subsidy + 700)));
}

BOOST_FIXTURE_TEST_CASE(rejects_premature_coinbase_spend, MaturedChain)
{
    // Height 111 may spend coinbases up to height 11; height 12 is 99 blocks deep.
    CheckRejected(*this, CreateBlock({SpendTo(Coinbase(12), 1000)}), "bad-txns-premature-spend-of-coinbase");
    Mine({SpendTo(Coinbase(11), 1000)});
    Mine({SpendTo(Coinbase(12), 1000)});
    BOOST_CHECK_EQUAL(Height(), 112);
}

BOOST_FIXTURE_TEST_CASE(rejects_unmet_relative_lock, MaturedChain)
{
    const TransactionRef parent = SpendTo(Coinbase(1), 1000);
    Mine({parent});  // height 111
    const SpendableOutput out = Output(parent, 0);
    // BIP68: five blocks after the coin's block; the first allowed height is 116.
    const auto locked = [&] { return Spend({out}, {TxOut{out.out.value - 1000, PayoutScript()}}, 5); };
    CheckRejected(*this, CreateBlock({locked()}), "bad-txns-nonfinal");
    MineBlocks(3);  // tip 114
    CheckRejected(*this, CreateBlock({locked()}), "bad-txns-nonfinal");
    Mine();
    Mine({locked()});
    BOOST_CHECK_EQUAL(Height(), 116);
}

BOOST_FIXTURE_TEST_CASE(rejects_bad_signature, MaturedChain)
{
    const TransactionRef good = SpendTo(Coinbase(1), 1000);
    MutableTransaction bad(*good);
    std::vector<unsigned char>& sig = bad.vin[0].witness.stack[0];
    sig[sig.size() - 3] ^= 0x01;  // inside S: DER stays valid, the signature does not
    CheckRejected(*this, CreateBlock({MakeTransactionRef(bad)}), "block-script-verify-flag-failed (");
    // The good one still goes through.
    Mine({good});
}

// -par: many inputs verified on worker threads; a bad one anywhere is found
// and named.
BOOST_AUTO_TEST_CASE(parallel_script_checks_find_the_bad_input)
{
    for (int threads : {0, 1, 3}) {
        MaturedChain f;
        f.Restart([threads](ChainstateManagerOptions& o) { o.script_threads = threads; });
        const TransactionRef split = f.SpendTo(f.Coinbase(1), 10000, 60);
        f.Mine({split});
        std::vector<SpendableOutput> inputs;
        for (uint32_t n = 0; n < 60; ++n) inputs.push_back(ChainFixture::Output(split, n));
        const TransactionRef good = f.Spend(inputs, {TxOut{inputs[0].out.value * 50, f.PayoutScript()}});
        MutableTransaction bad(*good);
        std::vector<unsigned char>& sig = bad.vin[41].witness.stack[0];
        sig[sig.size() - 3] ^= 0x01;
        const auto block = f.CreateBlock({MakeTransactionRef(bad)});
        BlockValidationState state;
        BOOST_CHECK(!f.Submit(block, &state));
        BOOST_CHECK_MESSAGE(state.GetRejectReason().rfind("block-script-verify-flag-failed (", 0) == 0,
                            state.ToString());
        BOOST_CHECK_MESSAGE(state.GetDebugMessage().find("input 41") != std::string::npos, state.ToString());
        const uint64_t before = f.Chainman().ScriptChecksRun();
        f.Mine({good});
        BOOST_CHECK_EQUAL(f.Chainman().ScriptChecksRun() - before, 60U);
    }
}

// -assumevalid skips the scripts of a block only when all of these hold:
// the block is an ancestor of the assumed-valid block; that block is on the
// best header chain; the best header has the minimum chain work; and the
// best header is more than two weeks of work (at its difficulty) past the
// block. Each case breaks one condition; a block with a bad signature then
// shows whether its scripts ran.
BOOST_AUTO_TEST_CASE(assumevalid_requires_every_condition)
{
    MaturedChain miner;
    const TransactionRef good = miner.SpendTo(miner.Coinbase(1), 1000);
    MutableTransaction bad_tx(*good);
    std::vector<unsigned char>& sig = bad_tx.vin[0].witness.stack[0];
    sig[sig.size() - 3] ^= 0x01;
    // Built by hand on the miner's tip (height 111), never checked.
    const std::shared_ptr<const Block> bad = miner.CreateBlock({MakeTransactionRef(bad_tx)});
    // Regtest: every block is 600 s of work at the tip's difficulty, so two
    // weeks are 2016 blocks; more than that is needed.
    constexpr int TWO_WEEKS_OF_BLOCKS = 2016;
    const auto above_bad = BuildOn(miner, bad, 111, TWO_WEEKS_OF_BLOCKS + 10, 1000);  // heights 112...
    const auto fork = BuildOn(miner, bad, 111, TWO_WEEKS_OF_BLOCKS + 20, 2000);        // heavier, also on bad
    const uint256 av = above_bad[2]->GetHash();                                        // height 114

    struct Case {
        std::string name;
        uint256 assumevalid;
        size_t headers_above;  // how many of above_bad become known headers
        bool fork_known;
        std::optional<uint256> minimum_chain_work;
        bool skips;
    };
    uint256 huge_work;
    huge_work.data()[31] = 0x01;  // 2^248
    const std::vector<Case> cases{
        {"all conditions hold", av, TWO_WEEKS_OF_BLOCKS + 1, false, std::nullopt, true},
        {"assumevalid off", uint256{}, TWO_WEEKS_OF_BLOCKS + 1, false, std::nullopt, false},
        {"block is not an ancestor of the assumed-valid block", miner.blocks.back()->GetHash(),
         TWO_WEEKS_OF_BLOCKS + 1, false, std::nullopt, false},
        {"assumed-valid block not on the best header chain", av, TWO_WEEKS_OF_BLOCKS + 1, true, std::nullopt, false},
        {"best header below the minimum chain work", av, TWO_WEEKS_OF_BLOCKS + 1, false, huge_work, false},
        {"exactly two weeks of work is not enough", av, TWO_WEEKS_OF_BLOCKS, false, std::nullopt, false},
        {"assumed-valid header unknown", av, 0, false, std::nullopt, false},
    };
    for (const Case& c : cases) {
        BOOST_TEST_CONTEXT(c.name)
        {
            ChainFixture node([&](ChainstateManagerOptions& o) {
                o.assumevalid = c.assumevalid;
                o.minimum_chain_work = c.minimum_chain_work;
            });
            for (const auto& b : miner.blocks) BOOST_REQUIRE(node.Submit(b));
            std::vector<BlockHeader> headers{bad->GetHeader()};
            for (size_t i = 0; i < c.headers_above; ++i) headers.push_back(above_bad[i]->GetHeader());
            if (c.fork_known) {
                for (const auto& b : fork) headers.push_back(b->GetHeader());
            }
            BlockValidationState state;
            BOOST_REQUIRE(node.Chainman().ProcessNewBlockHeaders(headers, state));
            const uint64_t before = node.Chainman().ScriptChecksRun();
            const bool accepted = node.Submit(bad, &state);
            BOOST_CHECK_EQUAL(accepted, c.skips);
            if (c.skips) {
                BOOST_CHECK_EQUAL(node.Chainman().ScriptChecksRun(), before);
                BOOST_CHECK(node.Tip()->GetBlockHash() == bad->GetHash());
                // Descendants with data connect on top.
                BOOST_CHECK(node.Submit(above_bad[0]));
                BOOST_CHECK_EQUAL(node.Height(), 112);
            } else {
                BOOST_CHECK_MESSAGE(state.GetRejectReason().rfind("block-script-verify-flag-failed", 0) == 0,
                                    state.ToString());
                BOOST_CHECK_EQUAL(node.Height(), 110);
            }
        }
    }
}

// TestBlockValidity (generateblock, getblocktemplate proposals) on an invalid
// block leaves the tip cache as it found it: coins it pulled in are uncached
// again (firing utxocache:uncache), coins cached before stay. A valid block
// keeps what it loaded: it is about to be connected.
BOOST_FIXTURE_TEST_CASE(test_block_validity_uncaches_what_it_loaded, MaturedChain)
{
    Restart();  // an empty coins cache
    CoinsViewCache& coins = Chainman().CoinsTip();
    const SpendableOutput loaded = Coinbase(1);
    const SpendableOutput cached = Coinbase(2);
    BOOST_REQUIRE(!coins.HaveCoinInCache(loaded.outpoint));
    BOOST_REQUIRE(coins.HaveCoin(cached.outpoint));  // pulls it into the cache
    BOOST_REQUIRE(coins.HaveCoinInCache(cached.outpoint));
    const unsigned cache_size = coins.GetCacheSize();

    const Amount in = loaded.out.value + cached.out.value;
    const auto overspend = CreateBlock({Spend({loaded, cached}, {TxOut{in + 1, PayoutScript()}})});
    BlockValidationState state;
    BOOST_CHECK(!Chainman().TestBlockValidity(state, *overspend, Chainman().ActiveChain().Tip(), true, true));
    BOOST_CHECK_EQUAL(state.GetRejectReason(), "bad-txns-in-belowout");
    BOOST_CHECK(!coins.HaveCoinInCache(loaded.outpoint));
    BOOST_CHECK(coins.HaveCoinInCache(cached.outpoint));
    BOOST_CHECK_EQUAL(coins.GetCacheSize(), cache_size);
    BOOST_CHECK(coins.SanityCheck());
    // Nothing was spent or marked failed: the tip is unchanged and both coins remain.
    BOOST_CHECK_EQUAL(Height(), 110);
    BOOST_CHECK(!Chainman().LookupBlockIndex(overspend->GetHash()));

    const auto valid = CreateBlock({Spend({loaded, cached}, {TxOut{in - 1000, PayoutScript()}})});
    BOOST_CHECK(Chainman().TestBlockValidity(state, *valid, Chainman().ActiveChain().Tip(), true, true));
    BOOST_CHECK(coins.HaveCoinInCache(loaded.outpoint));
    BOOST_CHECK(coins.HaveCoinInCache(cached.outpoint));
    BOOST_CHECK(Submit(valid));
    BOOST_CHECK(!coins.HaveCoin(loaded.outpoint));
}

// -prune=N: once the blk/rev files pass the target, whole files below the
// last 288 blocks are deleted while blocks connect; the recent blocks stay
// readable with their undo data, the node keeps extending, reorganizing and
// restarting.
BOOST_AUTO_TEST_CASE(automatic_pruning_while_connecting)
{
    constexpr uint64_t TARGET = 120000;
    const auto tweak = [](ChainstateManagerOptions& o) {
        o.prune_target_bytes = TARGET;
        o.max_blockfile_size = 16000;
    };
    ChainFixture f(tweak);
    BlockManager& blocks = f.Chainman().Blocks();
    // Not before the network's PruneAfterHeight (1000 on regtest).
    f.MineBlocks(1000);
    BOOST_CHECK_GT(blocks.CalculateCurrentUsage(), TARGET);
    BOOST_CHECK(!blocks.HavePruned());
    BOOST_CHECK(std::filesystem::exists(blocks.BlockFilePath(0)));
    f.MineBlocks(300);
    BOOST_CHECK(blocks.HavePruned());
    // Pruned while connecting, with no explicit flush.
    BOOST_CHECK(!std::filesystem::exists(blocks.BlockFilePath(0)));
    BOOST_CHECK(!std::filesystem::exists(blocks.UndoFilePath(0)));
    BOOST_CHECK_LE(blocks.CalculateCurrentUsage(), TARGET + 16000 * 2);

    const auto check_recent_blocks = [&f] {
        const Chain& chain = f.Chainman().ActiveChain();
        for (int h = chain.Height() - MIN_BLOCKS_TO_KEEP + 1; h <= chain.Height(); ++h) {
            const BlockIndex& index = *chain[h];
            BOOST_REQUIRE_MESSAGE(index.status & BLOCK_HAVE_DATA, "block at " << h << " was pruned");
            Block block;
            BOOST_REQUIRE(f.Chainman().Blocks().ReadBlock(block, index));
            BlockUndo undo;
            BOOST_REQUIRE(f.Chainman().Blocks().ReadUndo(undo, index));
        }
        BOOST_CHECK(!(chain[1]->status & BLOCK_HAVE_DATA));
    };
    check_recent_blocks();

    // A reorganization of a few blocks needs their undo data: still there.
    const BlockIndex* fork_point = f.Tip()->prev->prev;
    const auto side = f.MineBlocks(3, fork_point);
    BOOST_CHECK(f.Tip()->GetBlockHash() == side.back()->GetHash());
    BOOST_CHECK_EQUAL(f.Height(), 1301);

    f.Restart(tweak);
    BlockManager& reopened = f.Chainman().Blocks();
    BOOST_CHECK(reopened.HavePruned());
    BOOST_CHECK_EQUAL(f.Height(), 1301);
    check_recent_blocks();
    const int files_before = reopened.MaxBlockfileNum();
    f.MineBlocks(200);
    BOOST_CHECK_EQUAL(f.Height(), 1501);
    BOOST_CHECK_GT(reopened.MaxBlockfileNum(), files_before);
    check_recent_blocks();
    // Usage stays around the target: everything not among the recent blocks went.
    BOOST_CHECK_LE(reopened.CalculateCurrentUsage(), TARGET + 16000 * 2);
    const uint256 utxos = f.UtxoSetHash();
    f.Restart(tweak);
    BOOST_CHECK(f.UtxoSetHash() == utxos);
}

BOOST_FIXTURE_TEST_CASE(descendants_of_an_invalid_block_are_marked, MaturedChain)
{
    const BlockIndex* tip = Tip();
    auto bad = CreateBlock({}, nullptr, Coinbase(1).out.value + 1);
    // The child's header is known before the parent's transactions are checked.
    auto child = std::make_shared<Block>(*CreateBlock({}, tip));
    child->prev_block = bad->GetHash();
    child->time = bad->time + 1;
    Solve(*child);
    BlockValidationState header_state;
    const std::vector<BlockHeader> headers{bad->GetHeader(), child->GetHeader()};
    BOOST_REQUIRE(Chainman().ProcessNewBlockHeaders(headers, header_state));
    CheckRejected(*this, bad, "bad-cb-amount");
    const BlockIndex* child_index = Chainman().LookupBlockIndex(child->GetHash());
    BOOST_REQUIRE(child_index);
    BOOST_CHECK(child_index->status & BLOCK_FAILED_CHILD);
    BlockValidationState state;
    BOOST_CHECK(!Submit(child, &state));
    BOOST_CHECK_EQUAL(state.GetRejectReason(), "duplicate");
    // A grandchild arriving later is refused as building on an invalid block.
    auto grandchild = std::make_shared<Block>(*child);
    grandchild->prev_block = child->GetHash();
    grandchild->time = child->time + 1;
    Solve(*grandchild);
    BOOST_CHECK(!Submit(grandchild, &state));
    BOOST_CHECK_EQUAL(state.GetRejectReason(), "bad-prevblk");
    BOOST_CHECK(Tip() == tip);
}

BOOST_AUTO_TEST_CASE(blocks_arriving_out_of_order_connect_once_complete)
{
    ChainFixture miner;
    const auto blocks = miner.MineBlocks(4);
    ChainFixture node;
    std::vector<BlockHeader> headers;
    for (const auto& b : blocks) headers.push_back(b->GetHeader());
    BlockValidationState state;
    const BlockIndex* last = nullptr;
    BOOST_REQUIRE(node.Chainman().ProcessNewBlockHeaders(headers, state, &last));
    BOOST_CHECK(last && last->GetBlockHash() == blocks.back()->GetHash());
    BOOST_CHECK(node.Submit(blocks[3]));
    BOOST_CHECK(node.Submit(blocks[2]));
    BOOST_CHECK_EQUAL(node.Height(), 0);
    BOOST_CHECK(node.Submit(blocks[0]));
    BOOST_CHECK_EQUAL(node.Height(), 1);
    BOOST_CHECK(node.Submit(blocks[1]));
    BOOST_CHECK(node.Tip()->GetBlockHash() == blocks[3]->GetHash());
    // Again: nothing new.
    bool new_block = true;
    BOOST_CHECK(node.Chainman().ProcessNewBlock(blocks[2], true, &new_block));
    BOOST_CHECK(!new_block);
}

BOOST_FIXTURE_TEST_CASE(rejects_bad_headers, ChainFixture)
{
    MineBlocks(3);
    auto block = CreateBlock({});
    BlockValidationState state;

    auto old_time = std::make_shared<Block>(*block);
    old_time->time = static_cast<uint32_t>(Tip()->GetMedianTimePast());
    Solve(*old_time);
    BOOST_CHECK(!Submit(old_time, &state));
    BOOST_CHECK_EQUAL(state.GetRejectReason(), "time-too-old");

    auto future = std::make_shared<Block>(*block);
    future->time = static_cast<uint32_t>(std::time(nullptr) + 3 * 60 * 60);
    Solve(*future);
    BOOST_CHECK(!Submit(future, &state));
    BOOST_CHECK_EQUAL(state.GetRejectReason(), "time-too-new");

    auto old_version = std::make_shared<Block>(*block);
    old_version->version = 1;
    Solve(*old_version);
    BOOST_CHECK(!Submit(old_version, &state));
    BOOST_CHECK_EQUAL(state.GetRejectReason(), "bad-version(0x00000001)");

    auto bad_bits = std::make_shared<Block>(*block);
    bad_bits->bits = 0x207ffffe;  // a valid target, but regtest never retargets
    Solve(*bad_bits);
    BOOST_CHECK(!Submit(bad_bits, &state));
    BOOST_CHECK_EQUAL(state.GetRejectReason(), "bad-diffbits");

    auto bad_height = std::make_shared<Block>(*block);
    MutableTransaction coinbase(*bad_height->vtx[0]);
    coinbase.vin[0].script_sig.clear();
    coinbase.vin[0].script_sig << int64_t{Height() + 2} << int64_t{77};
    bad_height->vtx[0] = MakeTransactionRef(coinbase);
    Solve(*bad_height);
    BOOST_CHECK(!Submit(bad_height, &state));
    BOOST_CHECK_EQUAL(state.GetRejectReason(), "bad-cb-height");
    BOOST_CHECK(Chainman().LookupBlockIndex(bad_height->GetHash())->status & BLOCK_FAILED_VALID);

    auto orphan = std::make_shared<Block>(*block);
    orphan->prev_block = uint256{uint8_t{1}};
    Solve(*orphan);
    BOOST_CHECK(!Submit(orphan, &state));
    BOOST_CHECK_EQUAL(state.GetRejectReason(), "prev-blk-not-found");

    BOOST_CHECK(Submit(block));
    BOOST_CHECK_EQUAL(Height(), 4);
}

BOOST_FIXTURE_TEST_CASE(script_flags_follow_buried_deployments, ChainFixture)
{
    const uint32_t flags = GetBlockScriptFlags(*Tip(), Params());
    BOOST_CHECK(flags & SCRIPT_VERIFY_P2SH);
    BOOST_CHECK(flags & SCRIPT_VERIFY_WITNESS);
    BOOST_CHECK(flags & SCRIPT_VERIFY_TAPROOT);
    MineBlocks(2);
    const uint32_t later = GetBlockScriptFlags(*Tip(), Params());
    const ConsensusParams& c = Params().GetConsensus();
    BOOST_CHECK_EQUAL(bool(later & SCRIPT_VERIFY_DERSIG), Tip()->height >= c.bip66_height);
    BOOST_CHECK_EQUAL(bool(later & SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY), Tip()->height >= c.bip65_height);
    BOOST_CHECK_EQUAL(bool(later & SCRIPT_VERIFY_CHECKSEQUENCEVERIFY), Tip()->height >= c.csv_height);
}

BOOST_AUTO_TEST_SUITE_END()
