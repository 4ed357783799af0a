#include <kernel/chainparams.h>

#include <consensus/amount.h>
#include <consensus/merkle.h>
#include <script/interpreter.h>
#include <script/script.h>
#include <streams.h>
#include <util/strencodings.h>

#include <stdexcept>
#include <string>

namespace {

// Hex literals below are facts of the networks; a typo must fail loudly at
// start-up rather than give a different chain.
uint256 Hash(std::string_view hex)
{
    const std::optional<uint256> parsed = uint256::FromHex(hex);
    if (!parsed) throw std::logic_error("bad uint256 literal: " + std::string(hex));
    return *parsed;
}

std::vector<unsigned char> Bytes(std::string_view hex)
{
    std::optional<std::vector<unsigned char>> parsed = TryParseHex(hex);
    if (!parsed) throw std::logic_error("bad hex literal: " + std::string(hex));
    return std::move(*parsed);
}

// Every genesis block has one coinbase paying 50 BTC to output_script. Its
// scriptSig pushes the number 486604799 (0x1d00ffff), the one-byte data 0x04
// and the message.
Block MakeGenesis(std::string_view message, const Script& output_script, uint32_t time, uint32_t nonce,
                  uint32_t bits, int32_t version)
{
    MutableTransaction coinbase;
    coinbase.version = 1;
    coinbase.vin.resize(1);
    const unsigned char four[] = {0x04};
    coinbase.vin[0].script_sig << int64_t{486604799} << std::span<const unsigned char>(four)
                               << std::span<const unsigned char>(
                                      reinterpret_cast<const unsigned char*>(message.data()), message.size());
    coinbase.vout.resize(1);
    coinbase.vout[0].value = 50 * COIN;
    coinbase.vout[0].script_pubkey = output_script;

    Block genesis;
    genesis.version = version;
    genesis.time = time;
    genesis.bits = bits;
    genesis.nonce = nonce;
    genesis.vtx.push_back(MakeTransactionRef(std::move(coinbase)));
    genesis.merkle_root = BlockMerkleRoot(genesis);
    return genesis;
}

Script PayToPubKey(std::string_view pubkey_hex)
{
    Script script;
    script << std::span<const unsigned char>(Bytes(pubkey_hex)) << OP_CHECKSIG;
    return script;
}

// The genesis block shared by main, testnet3, signet and regtest (they differ
// only in header fields).
Block SatoshiGenesis(uint32_t time, uint32_t nonce, uint32_t bits)
{
    return MakeGenesis("The Times 03/Jan/2009 Chancellor on brink of second bailout for banks",
                       PayToPubKey("04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef3"
                                   "8c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5f"),
                       time, nonce, bits, 1);
}

void CheckGenesis(const Block& genesis, std::string_view expected_hash)
{
    if (genesis.GetHash() != Hash(expected_hash)) {
        throw std::logic_error("genesis block hash mismatch: " + genesis.GetHash().GetHex());
    }
}

} // namespace

std::string ChainTypeToString(ChainType chain)
{
    switch (chain) {
    case ChainType::MAIN: return "main";
    case ChainType::TESTNET: return "test";
    case ChainType::TESTNET4: return "testnet4";
    case ChainType::SIGNET: return "signet";
    case ChainType::REGTEST: return "regtest";
    }
    return "";
}

std::optional<ChainType> ChainTypeFromString(std::string_view name)
{
    for (ChainType chain : {ChainType::MAIN, ChainType::TESTNET, ChainType::TESTNET4, ChainType::SIGNET,
                            ChainType::REGTEST}) {
        if (name == ChainTypeToString(chain)) return chain;
    }
    return std::nullopt;
}

const std::vector<unsigned char>& DefaultSignetChallenge()
{
    static const std::vector<unsigned char> challenge =
        Bytes("512103ad5e0edad18cb1f0fc0d28a3d4f1f3e445640337489abb10404f2d1e086be430210359ef5021964fe22d6f8e05b24"
              "63c9540ce96883fe3b278760f048f5189f2e6c452ae");
    return challenge;
}

std::string ChainParams::DataDirName() const
{
    switch (m_chain_type) {
    case ChainType::MAIN: return "";
    case ChainType::TESTNET: return "testnet3";
    case ChainType::TESTNET4: return "testnet4";
    case ChainType::SIGNET: return "signet";
    case ChainType::REGTEST: return "regtest";
    }
    return "";
}

std::unique_ptr<const ChainParams> ChainParams::Main()
{
    std::unique_ptr<ChainParams> p(new ChainParams());
    p->m_chain_type = ChainType::MAIN;
    ConsensusParams& c = p->m_consensus;
    c.subsidy_halving_interval = 210000;
    c.bip34_height = 227931;
    c.bip34_hash = Hash("000000000000024b89b42a942fe0d9fea3bb44ab7bd1b19115dd6a759c0808b8");
    c.bip65_height = 388381;
    c.bip66_height = 363725;
    c.csv_height = 419328;
    c.segwit_height = 481824;
    c.taproot_height = 709632;
    c.bip30_exceptions = {
        {91842, Hash("00000000000a4d0a398161ffc163c503763b1f4360639393e0e4c8e300e0caec")},
        {91880, Hash("00000000000743f190a18c5577a3c2d2a1f610ae9601ac046a38084ccb7cd721")},
    };
    // A block before BIP16's activation spends a P2SH output invalidly; one
    // after taproot's has an invalid taproot spend that is buried for good.
    c.script_flag_exceptions[Hash("00000000000002dc756eebf4f49723ed8d30cc28a5f108eb94b1ba88ac4f9c22")] =
        SCRIPT_VERIFY_NONE;
    c.script_flag_exceptions[Hash("0000000000000000000f14c35b2d841e986ab5441de8c585d5ffe55ea1e395ad")] =
        SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS;
    c.pow_limit = Hash("00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    c.minimum_chain_work = Hash("0000000000000000000000000000000000000000dee8e2a309ad8a9820433c68");
    c.default_assume_valid = Hash("00000000000000000000611fd22f2df7c8fbd0688745c3a6c3bb5109cc2a12cb"); // 912683

    p->m_message_start = {0xf9, 0xbe, 0xb4, 0xd9};
    p->m_default_port = 8333;
    p->m_prune_after_height = 100000;
    p->m_genesis = SatoshiGenesis(1231006505, 2083236893, 0x1d00ffff);
    CheckGenesis(p->m_genesis, "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
    c.genesis_hash = p->m_genesis.GetHash();
    p->m_address = &GetAddressParams(AddressNetwork::MAIN);
    p->m_dns_seeds = {"seed.bitcoin.sipa.be",       "dnsseed.bluematt.me",   "seed.bitcoin.jonasschnelli.ch",
                      "seed.btc.petertodd.net",     "seed.bitcoin.sprovoost.nl", "dnsseed.emzy.de",
                      "seed.bitcoin.wiz.biz",       "seed.mainnet.achownodes.xyz"};
    p->m_checkpoints = {
        {11111, Hash("0000000069e244f73d78e8fd29ba2fd2ed618bd6fa2ee92559f542fdb26e7c1d")},
        {33333, Hash("000000002dd5588a74784eaa7ab0507a18ad16a236e7b1ce69f00d7ddfb5d0a6")},
        {74000, Hash("0000000000573993a3c9e41ce34471c079dcf5f52a0e824a81e7f953b8661a20")},
        {105000, Hash("00000000000291ce28027faea320c8d2b054b2e0fe44a773f3eefb151d6bdc97")},
        {134444, Hash("00000000000005b12ffd4cd315cd34ffd4a594f430ac814c91184a0d42d2b0fe")},
        {168000, Hash("000000000000099e61ea72015e79632f216fe6cb33d7899acb35b75c8303b763")},
        {193000, Hash("000000000000059f452a5f7340de6682a977387c17010ff6e6c3bd83ca8b1317")},
        {210000, Hash("000000000000048b95347e83192f69cf0366076336c639f9b7228e9ba171342e")},
        {216116, Hash("00000000000001b4f4b433e81ee46494af945cf96014816a4e2370f11b23df4e")},
        {225430, Hash("00000000000001c108384350f74090433e7fcf79a606b8e797f065b130575932")},
        {250000, Hash("000000000000003887df1f29024b06fc2200b55f8af8f35453d7be294df2d214")},
        {279000, Hash("0000000000000001ae8c72a0b0c301f67e3afca10e819efa9041e458e9bd7e40")},
        {295000, Hash("00000000000000004d9b4ef50f0f9d686fd69db2e03af35a100370c64632a983")},
    };
    return p;
}

std::unique_ptr<const ChainParams> ChainParams::TestNet()
{
    std::unique_ptr<ChainParams> p(new ChainParams());
    p->m_chain_type = ChainType::TESTNET;
    ConsensusParams& c = p->m_consensus;
    c.subsidy_halving_interval = 210000;
    c.bip34_height = 21111;
    c.bip34_hash = Hash("0000000023b3a96d3484e5abb3755c413e7d41500f8e2a5c3f0dd01299cd8ef8");
    c.bip65_height = 581885;
    c.bip66_height = 330776;
    c.csv_height = 770112;
    c.segwit_height = 834624;
    // Taproot came to testnet3 by a BIP9 deployment without a minimum
    // height; it is active from the first block of retarget period 998,
    // 000000000000eb906ab072652b86b05a1afeb95df53ed5c5a63aa3574e1f1b33.
    c.taproot_height = 2011968;
    c.script_flag_exceptions[Hash("00000000dd30457c001f4095d208cc1296b0eed002427aa599874af7a432b105")] =
        SCRIPT_VERIFY_NONE;
    c.pow_limit = Hash("00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    c.pow_allow_min_difficulty_blocks = true;
    c.minimum_chain_work = Hash("0000000000000000000000000000000000000000000016dd270dd94fac1d7632");
    c.default_assume_valid = Hash("0000000000000065c6c38258e201971a3fdfcc2ceee0dd6e85a6c022d45dee34"); // 4550000

    p->m_message_start = {0x0b, 0x11, 0x09, 0x07};
    p->m_default_port = 18333;
    p->m_prune_after_height = 1000;
    p->m_genesis = SatoshiGenesis(1296688602, 414098458, 0x1d00ffff);
    CheckGenesis(p->m_genesis, "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943");
    c.genesis_hash = p->m_genesis.GetHash();
    p->m_address = &GetAddressParams(AddressNetwork::TEST);
    p->m_dns_seeds = {"testnet-seed.bitcoin.jonasschnelli.ch", "seed.tbtc.petertodd.net",
                      "seed.testnet.bitcoin.sprovoost.nl", "testnet-seed.bluematt.me", "seed.testnet.achownodes.xyz"};
    p->m_checkpoints = {{546, Hash("000000002a936ca763904c3c35fce2f3556c559c0214345d31b1bcebf76acb70")}};
    return p;
}

std::unique_ptr<const ChainParams> ChainParams::TestNet4()
{
    std::unique_ptr<ChainParams> p(new ChainParams());
    p->m_chain_type = ChainType::TESTNET4;
    ConsensusParams& c = p->m_consensus;
    c.subsidy_halving_interval = 210000;
    c.bip34_height = 1;
    c.bip65_height = 1;
    c.bip66_height = 1;
    c.csv_height = 1;
    c.segwit_height = 1;
    c.taproot_height = 0; // always active
    c.pow_limit = Hash("00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    c.pow_allow_min_difficulty_blocks = true;
    c.enforce_bip94 = true;
    c.minimum_chain_work = Hash("00000000000000000000000000000000000000000000034a4690fe592dc49c7c");
    c.default_assume_valid = Hash("000000000000000180a58e7fa3b0db84b5ea76377524894f53660d93ac839d9b"); // 91000

    p->m_message_start = {0x1c, 0x16, 0x3f, 0x28};
    p->m_default_port = 48333;
    p->m_prune_after_height = 1000;
    p->m_genesis = MakeGenesis("03/May/2024 000000000000000000001ebd58c244970b3aa9d783bb001011fbe8ea8e98e00e",
                               PayToPubKey("000000000000000000000000000000000000000000000000000000000000000000"),
                               1714777860, 393743547, 0x1d00ffff, 1);
    CheckGenesis(p->m_genesis, "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043");
    c.genesis_hash = p->m_genesis.GetHash();
    p->m_address = &GetAddressParams(AddressNetwork::TEST);
    p->m_dns_seeds = {"seed.testnet4.bitcoin.sprovoost.nl", "seed.testnet4.wiz.biz"};
    return p;
}

std::unique_ptr<const ChainParams> ChainParams::SigNet(const std::vector<unsigned char>& challenge)
{
    std::unique_ptr<ChainParams> p(new ChainParams());
    p->m_chain_type = ChainType::SIGNET;
    ConsensusParams& c = p->m_consensus;
    const bool default_signet = challenge.empty();
    c.signet_blocks = true;
    c.signet_challenge = default_signet ? DefaultSignetChallenge() : challenge;
    c.subsidy_halving_interval = 210000;
    c.bip34_height = 1;
    c.bip65_height = 1;
    c.bip66_height = 1;
    c.csv_height = 1;
    c.segwit_height = 1;
    c.taproot_height = 0; // always active
    c.pow_limit = Hash("00000377ae000000000000000000000000000000000000000000000000000000");
    if (default_signet) {
        c.minimum_chain_work = Hash("0000000000000000000000000000000000000000000000000000067d328e681a");
        c.default_assume_valid = Hash("000000128586e26813922680309f04e1de713c7542fee86ed908f56368aefe2e"); // 267665
        p->m_dns_seeds = {"seed.signet.bitcoin.sprovoost.nl", "seed.signet.achownodes.xyz"};
    }

    // Each signet has its own magic: the first four bytes of SHA256d of the
    // serialized challenge, so nodes of different signets do not talk.
    HashWriter hasher;
    hasher << c.signet_challenge;
    const uint256 magic = hasher.GetHash();
    std::copy_n(magic.begin(), 4, p->m_message_start.begin());
    p->m_default_port = 38333;
    p->m_prune_after_height = 1000;
    p->m_genesis = SatoshiGenesis(1598918400, 52613770, 0x1e0377ae);
    CheckGenesis(p->m_genesis, "00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6");
    c.genesis_hash = p->m_genesis.GetHash();
    p->m_address = &GetAddressParams(AddressNetwork::SIGNET);
    return p;
}

std::unique_ptr<const ChainParams> ChainParams::RegTest()
{
    std::unique_ptr<ChainParams> p(new ChainParams());
    p->m_chain_type = ChainType::REGTEST;
    ConsensusParams& c = p->m_consensus;
    c.subsidy_halving_interval = 150;
    c.bip34_height = 1;
    c.bip65_height = 1;
    c.bip66_height = 1;
    c.csv_height = 1;
    c.segwit_height = 0;
    c.taproot_height = 0; // always active
    c.pow_limit = Hash("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    c.pow_allow_min_difficulty_blocks = true;
    c.pow_no_retargeting = true;
    c.pow_target_timespan = 24 * 60 * 60; // one day: 144-block periods

    p->m_message_start = {0xfa, 0xbf, 0xb5, 0xda};
    p->m_default_port = 18444;
    p->m_prune_after_height = 1000;
    p->m_genesis = SatoshiGenesis(1296688602, 2, 0x207fffff);
    CheckGenesis(p->m_genesis, "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206");
    c.genesis_hash = p->m_genesis.GetHash();
    p->m_address = &GetAddressParams(AddressNetwork::REGTEST);
    p->m_checkpoints = {{0, c.genesis_hash}};
    return p;
}

std::unique_ptr<const ChainParams> CreateChainParams(ChainType chain)
{
    switch (chain) {
    case ChainType::MAIN: return ChainParams::Main();
    case ChainType::TESTNET: return ChainParams::TestNet();
    case ChainType::TESTNET4: return ChainParams::TestNet4();
    case ChainType::SIGNET: return ChainParams::SigNet();
    case ChainType::REGTEST: return ChainParams::RegTest();
    }
    throw std::invalid_argument("unknown chain type");
}
