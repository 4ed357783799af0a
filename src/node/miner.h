#pragma once

// Block assembly and in-process mining: a block template on the active tip
// (BIP34 coinbase, witness commitment, the network's bits, a time past the
// median time past) and a nonce grinder that hands solved blocks to
// ChainstateManager::ProcessNewBlock. Used by the mining RPCs.

#include <consensus/amount.h>
#include <primitives/block.h>
#include <primitives/transaction.h>
#include <script/script.h>
#include <uint256.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

class ArgsManager;
class BlockIndex;
class ChainstateManager;

namespace node {

// A transaction offered for a block, with what the template reports of it.
struct BlockCandidate {
    TransactionRef tx;
    Amount fee = 0;
    int64_t sigops_cost = 0;
};

// Where templates get their transactions from. The mempool (next issue)
// implements it: ordered by ancestor fee rate, parents before children, and
// within the limits given. Nothing implements it yet, so templates carry only
// what the caller passes explicitly.
class BlockTxSource {
public:
    virtual ~BlockTxSource() = default;
    virtual std::vector<BlockCandidate> SelectForBlock(int64_t max_weight, int64_t max_sigops_cost) = 0;
};

class TxMempool;

// Fills templates from the mempool: packages (a transaction with its
// not-yet-included in-mempool ancestors) in order of ancestor feerate by
// modified fee (prioritisetransaction counts), parents before children,
// within the weight and sigop room given; packages below min_feerate
// (sat/kvB, -blockmintxfee) stay out. The fees reported are the real ones.
class MempoolTxSource : public BlockTxSource {
public:
    // max_tx_weight: at most this much weight of transactions (-blockmaxweight
    // minus the coinbase's reserved 8000).
    explicit MempoolTxSource(const TxMempool& pool, Amount min_feerate_sat_per_kvb = 1,
                             int64_t max_tx_weight = 4000000 - 8000)
        : m_pool(pool), m_min_feerate(min_feerate_sat_per_kvb), m_max_tx_weight(max_tx_weight) {}
    std::vector<BlockCandidate> SelectForBlock(int64_t max_weight, int64_t max_sigops_cost) override;

private:
    const TxMempool& m_pool;
    Amount m_min_feerate;
    int64_t m_max_tx_weight;
};

// -blockmaxweight and -blockmintxfee (Core's defaults: 4000000, 0.00000001).
void RegisterMiningOptions(ArgsManager& args);
// A source over pool configured from those options; nullptr + error on a bad value.
std::unique_ptr<MempoolTxSource> MakeMempoolTxSource(const ArgsManager& args, const TxMempool& pool,
                                                     std::string& error);

// The source generate* and getblocktemplate use when none is given (the
// node's mempool; set by bitcoind after creating it, cleared before
// destroying it). Null: templates carry no mempool transactions.
void SetDefaultBlockTxSource(BlockTxSource* source);
BlockTxSource* DefaultBlockTxSource();

struct BlockTemplate {
    std::shared_ptr<Block> block;            // merkle root and nonce not yet final
    std::vector<Amount> fees;                // per transaction; the coinbase's is minus the total
    std::vector<int64_t> sigops_cost;        // per transaction, coinbase included
    Script witness_commitment;               // the coinbase's commitment output script, empty without segwit
    int height = 0;
    int64_t weight = 0;                      // of the whole block
    Amount coinbase_value = 0;               // subsidy plus fees
};

struct AssemblerOptions {
    Script coinbase_script;                   // what the coinbase pays to
    // Transactions to include after the coinbase, in this order, as given:
    // their fees are not claimed (as Bitcoin Core's generateblock).
    std::vector<TransactionRef> extra_txs;
    BlockTxSource* tx_source = nullptr;       // the mempool, when there is one
    int64_t max_weight = 4000000 - 8000;      // -blockmaxweight minus -blockreservedweight (Core defaults)
    bool test_validity = true;                // TestBlockValidity on the result (throws on failure)
};

// BIP9 version bits: the deployments this node signals and reports in
// getblocktemplate. Of Bitcoin Core's v30 networks only regtest has one that
// can start (testdummy, bit 28, 144-block periods, threshold 108).
enum class ThresholdState { DEFINED, STARTED, LOCKED_IN, ACTIVE, FAILED };

struct VersionBitsDeployment {
    std::string name;
    int bit = 0;
    int64_t start_time = 0;   // median time past at which signalling may start
    int64_t timeout = 0;      // median time past after which a started deployment fails
    int period = 2016;
    int threshold = 1916;
    int min_activation_height = 0;
    bool gbt_optional_rule = true; // miners need not understand it (no '!' in getblocktemplate)
};

inline constexpr int32_t VERSIONBITS_TOP_BITS = 0x20000000;
inline constexpr int32_t VERSIONBITS_TOP_MASK = static_cast<int32_t>(0xE0000000U);

const std::vector<VersionBitsDeployment>& VersionBitsDeployments(const ChainstateManager& chainman);
// State of the deployment for the block after prev (null: the genesis block).
ThresholdState DeploymentState(const BlockIndex* prev, const VersionBitsDeployment& deployment);
// The version a new block on prev carries: top bits 001 and the bit of every
// deployment that is started or locked in.
int32_t ComputeBlockVersion(const ChainstateManager& chainman, const BlockIndex* prev);

// The header's time for a block on prev: never below the median time past + 1
// (and, at a retarget boundary, prev's time - 600 as BIP94 requires), else
// the (mockable) clock.
int64_t GetMinimumTime(const BlockIndex& prev, int64_t difficulty_adjustment_interval);

class BlockAssembler {
public:
    explicit BlockAssembler(ChainstateManager& chainman) : m_chainman(chainman) {}

    // A template on the active tip. Throws std::runtime_error (with the
    // validation state) when test_validity is set and the block is invalid.
    std::unique_ptr<BlockTemplate> CreateNewBlock(const AssemblerOptions& options);

    // Of the last template made by any assembler, for getmininginfo:
    // currentblockweight (reserved weight plus the transactions' weight, as
    // Core counts it) and currentblocktx (coinbase excluded).
    static std::optional<int64_t> LastBlockWeight();
    static std::optional<int64_t> LastBlockTxCount();

private:
    ChainstateManager& m_chainman;
};

// Sets the block's time to max(minimum time, clock) if that is later, and on
// networks with minimum-difficulty blocks recomputes bits.
void UpdateTime(Block& block, const ChainstateManager& chainman, const BlockIndex& prev);

// Recomputes the coinbase's witness commitment (and witness reserved value)
// and the merkle root after the transaction list changed.
void RegenerateCommitments(Block& block, ChainstateManager& chainman);

// ProcessNewBlock refused a block the miner solved.
struct BlockNotAccepted : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Grinds the nonce of `block` (merkle root recomputed first) until its hash
// meets its bits or `max_tries` (decremented) runs out. On success
// `block_out` holds the solved block and, with process, it went through
// ProcessNewBlock (BlockNotAccepted if it was not accepted). Returns false
// when max_tries ran out; true with block_out null when the nonce space was
// exhausted (the caller makes a new template).
bool GenerateBlock(ChainstateManager& chainman, Block block, uint64_t& max_tries,
                   std::shared_ptr<const Block>& block_out, bool process);

// Mines `count` blocks paying coinbase_script on the active tip; returns
// their hashes (fewer when max_tries runs out).
std::vector<uint256> GenerateBlocks(ChainstateManager& chainman, const Script& coinbase_script, int count,
                                    uint64_t max_tries, BlockTxSource* tx_source = nullptr);

inline constexpr uint64_t DEFAULT_MAX_TRIES = 1000000;

} // namespace node
