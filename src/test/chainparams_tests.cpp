// Chain parameters: every network's genesis block (hash and merkle root from
// the published chains), magic bytes, ports, address prefixes, data
// directories and the consensus facts other parts of the node rely on.

#include <consensus/block_check.h>
#include <consensus/merkle.h>
#include <consensus/pow.h>
#include <kernel/chainparams.h>
#include <script/interpreter.h>
#include <streams.h>
#include <util/strencodings.h>

#include <boost/test/unit_test.hpp>

#include <array>
#include <string>

BOOST_AUTO_TEST_SUITE(chainparams_tests)

namespace {

uint256 H(std::string_view hex) { return *uint256::FromHex(hex); }

struct NetworkFacts {
    ChainType chain;
    std::string name;
    std::string genesis_hash;
    std::string merkle_root;
    std::array<unsigned char, 4> magic;
    uint16_t port;
    std::string hrp;
    std::string datadir;
    unsigned char pubkey_prefix;
};

const NetworkFacts NETWORKS[] = {
    {ChainType::MAIN, "main", "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
     "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b", {0xf9, 0xbe, 0xb4, 0xd9}, 8333, "bc", "", 0},
    {ChainType::TESTNET, "test", "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943",
     "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b", {0x0b, 0x11, 0x09, 0x07}, 18333, "tb",
     "testnet3", 111},
    {ChainType::TESTNET4, "testnet4", "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043",
     "7aa0a7ae1e223414cb807e40cd57e667b718e42aaf9306db9102fe28912b7b4e", {0x1c, 0x16, 0x3f, 0x28}, 48333, "tb",
     "testnet4", 111},
    {ChainType::SIGNET, "signet", "00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6",
     "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b", {0x0a, 0x03, 0xcf, 0x40}, 38333, "tb",
     "signet", 111},
    {ChainType::REGTEST, "regtest", "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206",
     "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b", {0xfa, 0xbf, 0xb5, 0xda}, 18444, "bcrt",
     "regtest", 111},
};

} // namespace

BOOST_AUTO_TEST_CASE(genesis_blocks_and_network_facts)
{
    for (const NetworkFacts& facts : NETWORKS) {
        BOOST_TEST_CONTEXT(facts.name)
        {
            const auto params = CreateChainParams(facts.chain);
            const Block& genesis = params->GenesisBlock();
            BOOST_CHECK(params->GetChainType() == facts.chain);
            BOOST_CHECK_EQUAL(genesis.GetHash().GetHex(), facts.genesis_hash);
            BOOST_CHECK_EQUAL(genesis.merkle_root.GetHex(), facts.merkle_root);
            BOOST_CHECK_EQUAL(BlockMerkleRoot(genesis).GetHex(), facts.merkle_root);
            BOOST_CHECK(genesis.prev_block.IsNull());
            BOOST_CHECK_EQUAL(genesis.version, 1);
            BOOST_CHECK(params->GetConsensus().genesis_hash == genesis.GetHash());
            // The genesis block passes the context-free checks of its own chain.
            BlockValidationState state;
            BOOST_CHECK(CheckBlock(genesis, state, params->GetConsensus().pow_limit));
            BOOST_CHECK(params->MessageStart() == facts.magic);
            BOOST_CHECK_EQUAL(params->GetDefaultPort(), facts.port);
            BOOST_CHECK_EQUAL(params->Address().bech32_hrp, facts.hrp);
            BOOST_CHECK_EQUAL(params->Address().pubkey_prefix.at(0), facts.pubkey_prefix);
            BOOST_CHECK_EQUAL(params->DataDirName(), facts.datadir);
            BOOST_CHECK_EQUAL(ChainTypeToString(facts.chain), facts.name);
            BOOST_CHECK(ChainTypeFromString(facts.name) == facts.chain);
            BOOST_CHECK_EQUAL(params->IsTestChain(), facts.chain != ChainType::MAIN);
            BOOST_CHECK_EQUAL(params->MineBlocksOnDemand(), facts.chain == ChainType::REGTEST);
            BOOST_CHECK_EQUAL(params->GetConsensus().DifficultyAdjustmentInterval(),
                              facts.chain == ChainType::REGTEST ? 144 : 2016);
            const auto& checkpoints = params->Checkpoints();
            for (const auto& [height, hash] : checkpoints) {
                if (height == 0) BOOST_CHECK(hash == genesis.GetHash());
            }
        }
    }
    BOOST_CHECK(!ChainTypeFromString("testnet3"));
    BOOST_CHECK(!ChainTypeFromString(""));
}

BOOST_AUTO_TEST_CASE(mainnet_genesis_coinbase)
{
    const auto params = CreateChainParams(ChainType::MAIN);
    const Transaction& coinbase = *params->GenesisBlock().vtx.at(0);
    BOOST_CHECK_EQUAL(HexStr(coinbase.vin.at(0).script_sig),
                      "04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272"
                      "696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73");
    BOOST_CHECK_EQUAL(coinbase.vout.at(0).value, 5000000000);
    BOOST_CHECK_EQUAL(coinbase.GetHash().GetHex(), "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b");
    BOOST_CHECK_EQUAL(params->GenesisBlock().time, 1231006505U);
    BOOST_CHECK_EQUAL(params->GenesisBlock().nonce, 2083236893U);
    BOOST_CHECK_EQUAL(params->GenesisBlock().bits, 0x1d00ffffU);
}

BOOST_AUTO_TEST_CASE(consensus_facts)
{
    const auto main = CreateChainParams(ChainType::MAIN);
    const ConsensusParams& m = main->GetConsensus();
    BOOST_CHECK_EQUAL(m.bip34_height, 227931);
    BOOST_CHECK_EQUAL(m.bip34_hash.GetHex(), "000000000000024b89b42a942fe0d9fea3bb44ab7bd1b19115dd6a759c0808b8");
    BOOST_CHECK_EQUAL(m.bip65_height, 388381);
    BOOST_CHECK_EQUAL(m.bip66_height, 363725);
    BOOST_CHECK_EQUAL(m.csv_height, 419328);
    BOOST_CHECK_EQUAL(m.segwit_height, 481824);
    BOOST_CHECK_EQUAL(m.taproot_height, 709632);
    BOOST_REQUIRE_EQUAL(m.bip30_exceptions.size(), 2U);
    BOOST_CHECK_EQUAL(m.bip30_exceptions[0].first, 91842);
    BOOST_CHECK_EQUAL(m.bip30_exceptions[1].first, 91880);
    BOOST_CHECK_EQUAL(m.script_flag_exceptions.size(), 2U);
    BOOST_CHECK_EQUAL(m.script_flag_exceptions.at(H("00000000000002dc756eebf4f49723ed8d30cc28a5f108eb94b1ba88ac4f9c22")),
                      uint32_t{SCRIPT_VERIFY_NONE});
    BOOST_CHECK_EQUAL(m.script_flag_exceptions.at(H("0000000000000000000f14c35b2d841e986ab5441de8c585d5ffe55ea1e395ad")),
                      uint32_t{SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS});
    BOOST_CHECK(!m.pow_allow_min_difficulty_blocks && !m.pow_no_retargeting && !m.enforce_bip94 && !m.signet_blocks);
    BOOST_CHECK_EQUAL(UintToArith256(m.pow_limit).GetCompact(), 0x1d00ffffU);
    BOOST_CHECK_EQUAL(m.subsidy_halving_interval, 210000);
    BOOST_CHECK_EQUAL(main->PruneAfterHeight(), 100000U);
    BOOST_CHECK_EQUAL(main->Checkpoints().at(11111).GetHex(),
                      "0000000069e244f73d78e8fd29ba2fd2ed618bd6fa2ee92559f542fdb26e7c1d");
    BOOST_CHECK(!main->DnsSeeds().empty());
    BOOST_CHECK(!m.minimum_chain_work.IsNull() && !m.default_assume_valid.IsNull());

    const auto test = CreateChainParams(ChainType::TESTNET);
    BOOST_CHECK(test->GetConsensus().pow_allow_min_difficulty_blocks);
    BOOST_CHECK(!test->GetConsensus().enforce_bip94);
    BOOST_CHECK_EQUAL(test->GetConsensus().bip34_height, 21111);
    BOOST_CHECK_EQUAL(test->GetConsensus().segwit_height, 834624);
    BOOST_CHECK_EQUAL(test->GetConsensus().bip65_height, 581885);
    BOOST_CHECK_EQUAL(test->GetConsensus().bip66_height, 330776);
    BOOST_CHECK_EQUAL(test->GetConsensus().csv_height, 770112);
    // A retarget boundary: BIP9 deployments activate at the start of a period.
    BOOST_CHECK_EQUAL(test->GetConsensus().taproot_height, 2011968);
    BOOST_CHECK_EQUAL(test->GetConsensus().taproot_height % test->GetConsensus().DifficultyAdjustmentInterval(), 0);

    const auto test4 = CreateChainParams(ChainType::TESTNET4);
    BOOST_CHECK(test4->GetConsensus().pow_allow_min_difficulty_blocks);
    BOOST_CHECK(test4->GetConsensus().enforce_bip94);
    BOOST_CHECK_EQUAL(test4->GetConsensus().segwit_height, 1);
    BOOST_CHECK_EQUAL(HexStr(test4->GenesisBlock().vtx.at(0)->vout.at(0).script_pubkey),
                      "21000000000000000000000000000000000000000000000000000000000000000000ac");

    const auto signet = CreateChainParams(ChainType::SIGNET);
    BOOST_CHECK(signet->GetConsensus().signet_blocks);
    BOOST_CHECK(signet->GetConsensus().signet_challenge == DefaultSignetChallenge());
    BOOST_CHECK_EQUAL(UintToArith256(signet->GetConsensus().pow_limit).GetCompact(), 0x1e0377aeU);

    const auto regtest = CreateChainParams(ChainType::REGTEST);
    const ConsensusParams& r = regtest->GetConsensus();
    BOOST_CHECK_EQUAL(r.bip34_height, 1);
    BOOST_CHECK_EQUAL(r.bip65_height, 1);
    BOOST_CHECK_EQUAL(r.bip66_height, 1);
    BOOST_CHECK_EQUAL(r.csv_height, 1);
    BOOST_CHECK_EQUAL(r.segwit_height, 0);
    BOOST_CHECK_EQUAL(r.taproot_height, 0);
    BOOST_CHECK_EQUAL(r.subsidy_halving_interval, 150);
    BOOST_CHECK(r.pow_no_retargeting && r.pow_allow_min_difficulty_blocks);
    BOOST_CHECK(r.minimum_chain_work.IsNull());
    BOOST_CHECK_EQUAL(UintToArith256(r.pow_limit).GetCompact(), 0x207fffffU);
}

BOOST_AUTO_TEST_CASE(custom_signet_magic)
{
    // A signet's magic is the start of SHA256d(serialized challenge): a
    // different challenge is a different network, with the same genesis.
    const std::vector<unsigned char> op_true{0x51};
    const auto custom = ChainParams::SigNet(op_true);
    const auto standard = ChainParams::SigNet();
    BOOST_CHECK(custom->GetConsensus().signet_challenge == op_true);
    BOOST_CHECK(custom->MessageStart() != standard->MessageStart());
    BOOST_CHECK(custom->GenesisBlock().GetHash() == standard->GenesisBlock().GetHash());
    BOOST_CHECK(custom->DnsSeeds().empty());
    BOOST_CHECK(custom->GetConsensus().minimum_chain_work.IsNull());
    HashWriter hasher;
    hasher << op_true;
    const uint256 digest = hasher.GetHash();
    BOOST_CHECK(std::equal(digest.begin(), digest.begin() + 4, custom->MessageStart().begin()));
}

BOOST_AUTO_TEST_CASE(bip325_examples)
{
    // BIP325's message start example (a 1-of-1 challenge).
    const auto example = ChainParams::SigNet(
        ParseHex("512103ad5e0edad18cb1f0fc0d28a3d4f1f3e445640337489abb10404f2d1e086be43051ae"));
    BOOST_CHECK_EQUAL(HexStr(example->MessageStart()), "7ec653a5");

    // BIP325's serialized signet genesis block.
    DataStream stream;
    stream << ChainParams::SigNet()->GenesisBlock();
    BOOST_CHECK_EQUAL(
        HexStr(stream.unread()),
        "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81b"
        "c3888a51323a9fb8aa4b1e5e4a008f4d5fae77031e8ad222030101000000010000000000000000000000000000000000000000000000000"
        "000000000000000ffffffff4d04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e"
        "206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0fe"
        "5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b"
        "6bf11d5fac00000000");
}

BOOST_AUTO_TEST_SUITE_END()
