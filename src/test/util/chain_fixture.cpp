#include <test/util/chain_fixture.h>

#include <consensus/block_check.h>
#include <consensus/merkle.h>
#include <consensus/pow.h>
#include <consensus/subsidy.h>
#include <crypto/hash.h>
#include <kernel/coins_db.h>
#include <kernel/pow.h>
#include <script/sighash.h>

#include <array>
#include <random>
#include <stdexcept>
#include <string>

namespace test_util {

namespace {

std::filesystem::path MakeTempDir()
{
    std::random_device rd;
    const auto name = "chain_fixture_" + std::to_string(rd()) + "_" + std::to_string(rd());
    std::filesystem::path dir = std::filesystem::temp_directory_path() / name;
    std::filesystem::create_directories(dir);
    return dir;
}

std::array<unsigned char, 20> KeyHash(const PubKey& pubkey)
{
    std::array<unsigned char, 20> out{};
    Hash160().Write(pubkey.bytes()).Finalize(out);
    return out;
}

// Fixed test key: deterministic blocks from run to run.
Key FixtureKey()
{
    std::array<unsigned char, 32> secret{};
    secret.fill(0x11);
    Key key;
    key.Set(secret, true);
    return key;
}

} // namespace

ChainFixture::ChainFixture(OptionsTweak tweak)
    : m_params(CreateChainParams(ChainType::REGTEST)), m_datadir(MakeTempDir()), m_key(FixtureKey())
{
    const auto pkh = KeyHash(m_key.GetPubKey());
    m_payout << OP_0 << std::span<const unsigned char>(pkh);
    m_script_code << OP_DUP << OP_HASH160 << std::span<const unsigned char>(pkh) << OP_EQUALVERIFY << OP_CHECKSIG;
    m_chainman = std::make_unique<ChainstateManager>(MakeOptions(tweak));
}

ChainFixture::ChainFixture(const std::filesystem::path& datadir, OptionsTweak tweak)
    : m_params(CreateChainParams(ChainType::REGTEST)), m_datadir(datadir), m_key(FixtureKey()), m_keep_datadir(true)
{
    const auto pkh = KeyHash(m_key.GetPubKey());
    m_payout << OP_0 << std::span<const unsigned char>(pkh);
    m_script_code << OP_DUP << OP_HASH160 << std::span<const unsigned char>(pkh) << OP_EQUALVERIFY << OP_CHECKSIG;
    std::filesystem::create_directories(m_datadir);
    m_chainman = std::make_unique<ChainstateManager>(MakeOptions(tweak));
}

ChainFixture::~ChainFixture()
{
    m_chainman.reset();
    if (m_keep_datadir) return;
    std::error_code ec;
    std::filesystem::remove_all(m_datadir, ec);
}

void ChainFixture::MineDeterministicTo(int height)
{
    m_deterministic = true;
    while (Height() < height) {
        const int next = Height() + 1;
        std::vector<TransactionRef> txs;
        if (next > 100) {
            Block old;
            if (!m_chainman->Blocks().ReadBlock(old, *m_chainman->ActiveChain()[next - 100])) {
                throw std::runtime_error("cannot read block " + std::to_string(next - 100));
            }
            txs.push_back(SpendTo(CoinbaseOutput(old), 1000, 3));
        }
        Mine(txs);
    }
}

ChainstateManagerOptions ChainFixture::MakeOptions(const OptionsTweak& tweak) const
{
    ChainstateManagerOptions options{.params = *m_params, .datadir = m_datadir};
    options.dbcache_bytes = size_t{16} << 20;
    if (tweak) tweak(options);
    return options;
}

void ChainFixture::Shutdown() { m_chainman.reset(); }

void ChainFixture::Restart(OptionsTweak tweak)
{
    m_chainman.reset();
    m_chainman = std::make_unique<ChainstateManager>(MakeOptions(tweak));
}

uint256 ChainFixture::UtxoSetHash()
{
    m_chainman->FlushStateToDisk(FlushStateMode::FORCE_FLUSH);
    return ComputeUtxoSetHash(m_chainman->GetChainstate().CoinsDB());
}

void ChainFixture::Solve(Block& block) const
{
    block.merkle_root = BlockMerkleRoot(block);
    while (!CheckProofOfWork(block.GetHash(), block.bits, m_params->GetConsensus().pow_limit)) ++block.nonce;
}

std::shared_ptr<Block> ChainFixture::CreateBlock(const std::vector<TransactionRef>& txs, const BlockIndex* prev,
                                                 std::optional<Amount> coinbase_value)
{
    if (!prev) prev = Tip();
    const int height = prev->height + 1;
    const ConsensusParams& consensus = m_params->GetConsensus();
    auto block = std::make_shared<Block>();
    block->version = 4;
    block->prev_block = prev->GetBlockHash();
    block->time = static_cast<uint32_t>(prev->GetBlockTime() + 1);
    block->bits = GetNextWorkRequired(prev, *block, consensus);

    MutableTransaction coinbase;
    coinbase.vin.resize(1);
    // Height (BIP34) then a counter so that every block's coinbase is unique.
    coinbase.vin[0].script_sig << int64_t{height} << int64_t{m_deterministic ? 0 : ++m_extra_nonce};
    coinbase.vout.push_back(TxOut{coinbase_value.value_or(GetBlockSubsidy(height, consensus.subsidy_halving_interval)),
                                  m_payout});
    block->vtx.push_back(MakeTransactionRef(coinbase));
    bool has_witness = false;
    for (const TransactionRef& tx : txs) {
        block->vtx.push_back(tx);
        has_witness = has_witness || tx->HasWitness();
    }
    if (has_witness) {
        const uint256 reserved{};
        coinbase.vin[0].witness.stack.assign(1, std::vector<unsigned char>(32, 0));
        const uint256 commitment = ComputeWitnessCommitment(BlockWitnessMerkleRoot(*block), reserved);
        Script out;
        out << OP_RETURN;
        std::vector<unsigned char> payload{0xaa, 0x21, 0xa9, 0xed};
        payload.insert(payload.end(), commitment.begin(), commitment.end());
        out << std::span<const unsigned char>(payload);
        coinbase.vout.push_back(TxOut{0, out});
        block->vtx[0] = MakeTransactionRef(coinbase);
    }
    Solve(*block);
    return block;
}

bool ChainFixture::Submit(const std::shared_ptr<const Block>& block, BlockValidationState* state)
{
    bool new_block = false;
    return m_chainman->ProcessNewBlock(block, true, &new_block, state);
}

std::shared_ptr<const Block> ChainFixture::Mine(const std::vector<TransactionRef>& txs, const BlockIndex* prev)
{
    std::shared_ptr<const Block> block = CreateBlock(txs, prev);
    BlockValidationState state;
    if (!Submit(block, &state)) throw std::runtime_error("mined block rejected: " + state.ToString());
    return block;
}

std::vector<std::shared_ptr<const Block>> ChainFixture::MineBlocks(int n, const BlockIndex* prev)
{
    std::vector<std::shared_ptr<const Block>> blocks;
    for (int i = 0; i < n; ++i) {
        blocks.push_back(Mine({}, prev));
        if (prev) prev = m_chainman->LookupBlockIndex(blocks.back()->GetHash());
    }
    return blocks;
}

SpendableOutput ChainFixture::CoinbaseOutput(const Block& block)
{
    return {OutPoint{block.vtx[0]->GetHash(), 0}, block.vtx[0]->vout[0]};
}

TransactionRef ChainFixture::Spend(const std::vector<SpendableOutput>& inputs, const std::vector<TxOut>& outputs,
                                   uint32_t sequence, uint32_t version) const
{
    MutableTransaction mtx;
    mtx.version = version;
    for (const SpendableOutput& in : inputs) {
        TxIn txin;
        txin.prevout = in.outpoint;
        txin.sequence = sequence;
        mtx.vin.push_back(txin);
    }
    mtx.vout = outputs;
    const Transaction unsigned_tx(mtx);
    for (size_t i = 0; i < inputs.size(); ++i) {
        const uint256 hash = SignatureHash(m_script_code, unsigned_tx, static_cast<unsigned>(i), SIGHASH_ALL,
                                           inputs[i].out.value, SigVersion::WITNESS_V0);
        std::vector<unsigned char> sig;
        if (!m_key.SignEcdsa(std::span<const unsigned char, 32>(hash.data(), 32), sig)) {
            throw std::runtime_error("signing failed");
        }
        sig.push_back(SIGHASH_ALL);
        const PubKey pubkey = m_key.GetPubKey();
        mtx.vin[i].witness.stack = {sig, std::vector<unsigned char>(pubkey.begin(), pubkey.end())};
    }
    return MakeTransactionRef(std::move(mtx));
}

TransactionRef ChainFixture::SpendTo(const SpendableOutput& input, Amount fee, int count) const
{
    const Amount each = (input.out.value - fee) / count;
    std::vector<TxOut> outputs(static_cast<size_t>(count), TxOut{each, m_payout});
    return Spend({input}, outputs);
}

} // namespace test_util
