#pragma once

// Parameters of each network: genesis block, consensus rules (buried
// deployment heights, proof-of-work limits and retargeting), P2P message
// start bytes and port, address prefixes, DNS seeds, checkpoints. One
// immutable ChainParams per network.

#include <primitives/block.h>
#include <script/address.h>
#include <uint256.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

enum class ChainType { MAIN, TESTNET, TESTNET4, SIGNET, REGTEST };

// "main", "test", "testnet4", "signet", "regtest".
std::string ChainTypeToString(ChainType chain);
// Inverse of ChainTypeToString; nullopt for an unknown name.
std::optional<ChainType> ChainTypeFromString(std::string_view name);

struct ConsensusParams {
    uint256 genesis_hash;
    int subsidy_halving_interval = 210000;

    // Buried deployments: each rule is enforced from this height on.
    int bip34_height = 0;
    uint256 bip34_hash; // block at bip34_height (null where not meaningful)
    int bip65_height = 0;
    int bip66_height = 0;
    int csv_height = 0;
    int segwit_height = 0;
    int taproot_height = 0;

    // Blocks (height, hash) that duplicate an earlier coinbase and are allowed
    // to by BIP30.
    std::vector<std::pair<int, uint256>> bip30_exceptions;
    // Block hash -> script verification flags used for that block instead of
    // the usual ones (the historical BIP16 and taproot violations on main).
    std::map<uint256, uint32_t> script_flag_exceptions;

    uint256 pow_limit;
    bool pow_allow_min_difficulty_blocks = false; // testnet's 20-minute rule
    bool pow_no_retargeting = false;              // regtest
    bool enforce_bip94 = false;                   // testnet4's retarget and timewarp fix
    int64_t pow_target_spacing = 10 * 60;
    int64_t pow_target_timespan = 14 * 24 * 60 * 60;
    int64_t DifficultyAdjustmentInterval() const { return pow_target_timespan / pow_target_spacing; }

    // BIP325: blocks carry a solution to this challenge script.
    bool signet_blocks = false;
    std::vector<unsigned char> signet_challenge;

    uint256 minimum_chain_work;
    uint256 default_assume_valid;
};

class ChainParams {
public:
    ChainType GetChainType() const { return m_chain_type; }
    const ConsensusParams& GetConsensus() const { return m_consensus; }
    const std::array<unsigned char, 4>& MessageStart() const { return m_message_start; }
    uint16_t GetDefaultPort() const { return m_default_port; }
    const Block& GenesisBlock() const { return m_genesis; }
    const AddressParams& Address() const { return *m_address; }
    const std::vector<std::string>& DnsSeeds() const { return m_dns_seeds; }
    const std::map<int, uint256>& Checkpoints() const { return m_checkpoints; }
    // Subdirectory of the data directory: "" (main), "testnet3", "testnet4", "signet", "regtest".
    std::string DataDirName() const;
    uint64_t PruneAfterHeight() const { return m_prune_after_height; }
    bool IsTestChain() const { return m_chain_type != ChainType::MAIN; }
    // regtest: blocks are mined on request (generate RPCs), no retargeting.
    bool MineBlocksOnDemand() const { return m_chain_type == ChainType::REGTEST; }

    static std::unique_ptr<const ChainParams> Main();
    static std::unique_ptr<const ChainParams> TestNet();
    static std::unique_ptr<const ChainParams> TestNet4();
    // The default signet when challenge is empty.
    static std::unique_ptr<const ChainParams> SigNet(const std::vector<unsigned char>& challenge = {});
    static std::unique_ptr<const ChainParams> RegTest();

private:
    ChainParams() = default;

    ChainType m_chain_type = ChainType::MAIN;
    ConsensusParams m_consensus;
    std::array<unsigned char, 4> m_message_start{};
    uint16_t m_default_port = 0;
    Block m_genesis;
    const AddressParams* m_address = nullptr;
    std::vector<std::string> m_dns_seeds;
    std::map<int, uint256> m_checkpoints;
    uint64_t m_prune_after_height = 0;
};

std::unique_ptr<const ChainParams> CreateChainParams(ChainType chain);

// The default signet's challenge script (a 1-of-2 bare multisig).
const std::vector<unsigned char>& DefaultSignetChallenge();
