#ifndef BITCOIN_TEST_UTIL_CHAIN_FIXTURE_H
#define BITCOIN_TEST_UTIL_CHAIN_FIXTURE_H

// A regtest ChainstateManager in a temporary data directory and an
// in-process miner: blocks with a BIP34 coinbase (and a witness commitment
// when they carry witness transactions), solved by counting the nonce up.
// Payouts go to one P2WPKH key whose coins the helpers can spend.

#include <consensus/amount.h>
#include <consensus/validation.h>
#include <crypto/key.h>
#include <kernel/chainparams.h>
#include <kernel/validation.h>
#include <primitives/block.h>
#include <primitives/transaction.h>
#include <script/script.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace test_util {

struct SpendableOutput {
    OutPoint outpoint;
    TxOut out;
};

class ChainFixture {
public:
    using OptionsTweak = std::function<void(ChainstateManagerOptions&)>;

    explicit ChainFixture(OptionsTweak tweak = {});
    // On an existing data directory, which is kept afterwards.
    ChainFixture(const std::filesystem::path& datadir, OptionsTweak tweak);
    ~ChainFixture();
    ChainFixture(const ChainFixture&) = delete;
    ChainFixture& operator=(const ChainFixture&) = delete;

    ChainstateManager& Chainman() { return *m_chainman; }
    const ChainParams& Params() const { return *m_params; }
    const std::filesystem::path& DataDir() const { return m_datadir; }
    const BlockIndex* Tip() { return m_chainman->ActiveChain().Tip(); }
    int Height() { return m_chainman->ActiveChain().Height(); }

    // A block on prev (the tip when null) with these transactions, solved.
    // coinbase_value: what the coinbase pays (the subsidy when unset).
    std::shared_ptr<Block> CreateBlock(const std::vector<TransactionRef>& txs, const BlockIndex* prev = nullptr,
                                       std::optional<Amount> coinbase_value = std::nullopt);
    // Recomputes the merkle root (and nothing else) and solves the proof of work.
    void Solve(Block& block) const;
    // ProcessNewBlock; state receives the reason on failure.
    bool Submit(const std::shared_ptr<const Block>& block, BlockValidationState* state = nullptr);
    // CreateBlock + Submit; throws when the block is rejected.
    std::shared_ptr<const Block> Mine(const std::vector<TransactionRef>& txs = {}, const BlockIndex* prev = nullptr);
    // n empty blocks on prev (the tip); returns them in order.
    std::vector<std::shared_ptr<const Block>> MineBlocks(int n, const BlockIndex* prev = nullptr);

    // The first output of the coinbase of block, as something to spend.
    static SpendableOutput CoinbaseOutput(const Block& block);
    // A transaction spending inputs (all paying the fixture's key) to
    // outputs, each input signed (P2WPKH, SIGHASH_ALL).
    // sequence: of every input (BIP68 relative locks); version: nVersion (3: TRUC).
    TransactionRef Spend(const std::vector<SpendableOutput>& inputs, const std::vector<TxOut>& outputs,
                         uint32_t sequence = TxIn::SEQUENCE_FINAL, uint32_t version = 2) const;
    // One input to `count` equal outputs to the fixture's key, leaving fee.
    TransactionRef SpendTo(const SpendableOutput& input, Amount fee, int count = 1) const;
    static SpendableOutput Output(const TransactionRef& tx, uint32_t n) { return {OutPoint{tx->GetHash(), n}, tx->vout[n]}; }

    const Script& PayoutScript() const { return m_payout; }

    // Coinbases carry only the height, so the same blocks come out of every
    // run (and of a run resumed after a crash); forks then repeat coinbases.
    void SetDeterministic(bool on) { m_deterministic = on; }
    // Mines up to `height`, each block above 100 spending the coinbase of the
    // block 100 below into three outputs: the same chain on every call.
    void MineDeterministicTo(int height);

    // Destroys the manager (flushing) and opens it again on the same datadir.
    void Restart(OptionsTweak tweak = {});
    // Destroys the manager only (to damage files in between).
    void Shutdown();
    // Hash of the whole UTXO set (after a full flush).
    uint256 UtxoSetHash();

private:
    ChainstateManagerOptions MakeOptions(const OptionsTweak& tweak) const;

    std::unique_ptr<const ChainParams> m_params;
    std::filesystem::path m_datadir;
    std::unique_ptr<ChainstateManager> m_chainman;
    Key m_key;
    Script m_payout;
    Script m_script_code;  // P2PKH form for BIP143 signing
    uint32_t m_extra_nonce = 0;
    bool m_deterministic = false;
    bool m_keep_datadir = false;
};

} // namespace test_util

#endif
