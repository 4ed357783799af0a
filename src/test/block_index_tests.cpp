// Block index and active chain: skip pointers, ancestors, locators, forks,
// median time past and chain work on synthetic chains.

#include <kernel/block_index.h>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <vector>

namespace {

// Owns synthetic index entries and their hashes (a BlockIndex only points at its hash).
class SyntheticTree {
public:
    BlockIndex* Add(BlockIndex* prev, uint32_t time = 0, uint32_t bits = 0x207fffff)
    {
        auto& hash = m_hashes.emplace_back();
        const uint64_t n = ++m_counter;
        for (int i = 0; i < 8; ++i) hash.data()[i] = static_cast<unsigned char>(n >> (8 * i));
        auto& block = m_blocks.emplace_back();
        block.phash = &hash;
        block.prev = prev;
        block.height = prev ? prev->height + 1 : 0;
        block.time = time;
        block.bits = bits;
        block.time_max = prev ? std::max(prev->time_max, time) : time;
        block.chain_work = (prev ? prev->chain_work : arith_uint256{}) + GetBlockProof(block);
        block.BuildSkip();
        m_by_hash[hash] = &block;
        return &block;
    }
    // A chain of `length` blocks on top of `prev`; returns them in order.
    std::vector<BlockIndex*> Extend(BlockIndex* prev, int length)
    {
        std::vector<BlockIndex*> out;
        for (int i = 0; i < length; ++i) {
            prev = Add(prev, 1231006505 + 600 * static_cast<uint32_t>(prev ? prev->height + 1 : 0));
            out.push_back(prev);
        }
        return out;
    }
    const BlockIndex* Find(const uint256& hash) const
    {
        auto it = m_by_hash.find(hash);
        return it == m_by_hash.end() ? nullptr : it->second;
    }

private:
    uint64_t m_counter = 0;
    std::deque<uint256> m_hashes; // deque: stable addresses
    std::deque<BlockIndex> m_blocks;
    std::map<uint256, const BlockIndex*> m_by_hash;
};

} // namespace

BOOST_AUTO_TEST_SUITE(block_index_tests)

BOOST_AUTO_TEST_CASE(skip_height_is_lower_and_logarithmic)
{
    BOOST_CHECK_EQUAL(GetSkipHeight(0), 0);
    BOOST_CHECK_EQUAL(GetSkipHeight(1), 0);
    for (int h = 2; h < 1 << 18; ++h) {
        const int s = GetSkipHeight(h);
        BOOST_REQUIRE(s >= 0 && s < h);
    }
    // Even heights drop their lowest set bit.
    BOOST_CHECK_EQUAL(GetSkipHeight(1024), 0);
    BOOST_CHECK_EQUAL(GetSkipHeight(1536), 1024);
    BOOST_CHECK_EQUAL(GetSkipHeight(6), 4);
}

BOOST_AUTO_TEST_CASE(get_ancestor_long_chain)
{
    SyntheticTree tree;
    const int length = 200000;
    const std::vector<BlockIndex*> chain = tree.Extend(nullptr, length);
    for (int h = 0; h < length; ++h) {
        BOOST_REQUIRE_EQUAL(chain[h]->height, h);
        if (h > 0) {
            BOOST_REQUIRE(chain[h]->skip != nullptr);
            BOOST_REQUIRE_EQUAL(chain[h]->skip->height, GetSkipHeight(h));
            BOOST_REQUIRE(chain[h]->skip == chain[GetSkipHeight(h)]);
        }
    }
    std::mt19937_64 rng{42};
    std::uniform_int_distribution<int> pick(0, length - 1);
    for (int i = 0; i < 20000; ++i) {
        const int from = pick(rng);
        const int to = std::uniform_int_distribution<int>(0, from)(rng);
        BOOST_REQUIRE(chain[from]->GetAncestor(to) == chain[to]);
    }
    BOOST_CHECK(chain[100]->GetAncestor(101) == nullptr);
    BOOST_CHECK(chain[100]->GetAncestor(-1) == nullptr);
    BOOST_CHECK(chain[100]->GetAncestor(100) == chain[100]);
    BOOST_CHECK(chain[length - 1]->GetAncestor(0) == chain[0]);
}

BOOST_AUTO_TEST_CASE(get_ancestor_on_forks)
{
    SyntheticTree tree;
    const std::vector<BlockIndex*> main_chain = tree.Extend(nullptr, 30000);
    std::mt19937_64 rng{7};
    for (int fork_no = 0; fork_no < 40; ++fork_no) {
        const int fork_height = std::uniform_int_distribution<int>(0, 29999)(rng);
        const int branch_len = std::uniform_int_distribution<int>(1, 3000)(rng);
        const std::vector<BlockIndex*> branch = tree.Extend(main_chain[fork_height], branch_len);
        for (int i = 0; i < 300; ++i) {
            const int from = std::uniform_int_distribution<int>(0, branch_len - 1)(rng);
            const BlockIndex* tip = branch[from];
            const int to = std::uniform_int_distribution<int>(0, tip->height)(rng);
            const BlockIndex* expected = to > fork_height ? branch[to - fork_height - 1] : main_chain[to];
            BOOST_REQUIRE(tip->GetAncestor(to) == expected);
        }
        // Branch skip pointers stay on the branch or drop to the right main-chain block.
        for (const BlockIndex* b : branch) {
            BOOST_REQUIRE(b->skip == b->prev->GetAncestor(GetSkipHeight(b->height)));
        }
        const BlockIndex* lca = LastCommonAncestor(branch.back(), main_chain.back());
        BOOST_CHECK(lca == main_chain[fork_height]);
    }
}

BOOST_AUTO_TEST_CASE(last_common_ancestor)
{
    SyntheticTree tree;
    const auto trunk = tree.Extend(nullptr, 100);
    const auto left = tree.Extend(trunk[49], 30);
    const auto right = tree.Extend(trunk[49], 5);
    BOOST_CHECK(LastCommonAncestor(left.back(), right.back()) == trunk[49]);
    BOOST_CHECK(LastCommonAncestor(right.back(), trunk.back()) == trunk[49]);
    BOOST_CHECK(LastCommonAncestor(trunk[10], trunk[90]) == trunk[10]);
    BOOST_CHECK(LastCommonAncestor(trunk[10], trunk[10]) == trunk[10]);
    BOOST_CHECK(LastCommonAncestor(nullptr, trunk[10]) == nullptr);
    // Two unrelated trees share nothing.
    const auto other = tree.Extend(nullptr, 10);
    BOOST_CHECK(LastCommonAncestor(other.back(), trunk.back()) == nullptr);
}

BOOST_AUTO_TEST_CASE(chain_set_tip_contains_next)
{
    SyntheticTree tree;
    const auto trunk = tree.Extend(nullptr, 50);
    const auto branch = tree.Extend(trunk[29], 40);
    Chain chain;
    BOOST_CHECK(chain.Tip() == nullptr);
    BOOST_CHECK(chain.Genesis() == nullptr);
    BOOST_CHECK_EQUAL(chain.Height(), -1);
    chain.SetTip(trunk.back());
    BOOST_CHECK_EQUAL(chain.Height(), 49);
    BOOST_CHECK(chain.Genesis() == trunk[0]);
    BOOST_CHECK(chain.Contains(trunk[30]));
    BOOST_CHECK(!chain.Contains(branch[0]));
    BOOST_CHECK(chain.Next(trunk[10]) == trunk[11]);
    BOOST_CHECK(chain.Next(trunk.back()) == nullptr);
    BOOST_CHECK(chain.Next(branch[0]) == nullptr);
    BOOST_CHECK(chain[50] == nullptr);
    BOOST_CHECK(chain[-1] == nullptr);

    // Reorganize onto the branch: everything above the fork is replaced.
    chain.SetTip(branch.back());
    BOOST_CHECK_EQUAL(chain.Height(), 29 + 40);
    BOOST_CHECK(chain[29] == trunk[29]);
    BOOST_CHECK(chain[30] == branch[0]);
    BOOST_CHECK(!chain.Contains(trunk[30]));
    for (int h = 0; h <= chain.Height(); ++h) BOOST_REQUIRE_EQUAL(chain[h]->height, h);

    chain.SetTip(trunk[5]);
    BOOST_CHECK_EQUAL(chain.Height(), 5);
    chain.SetTip(nullptr);
    BOOST_CHECK_EQUAL(chain.Height(), -1);
}

BOOST_AUTO_TEST_CASE(find_fork)
{
    SyntheticTree tree;
    const auto trunk = tree.Extend(nullptr, 1000);
    const auto branch = tree.Extend(trunk[599], 1000); // longer than the chain
    Chain chain;
    chain.SetTip(trunk.back());
    BOOST_CHECK(chain.FindFork(branch.back()) == trunk[599]);
    BOOST_CHECK(chain.FindFork(branch[0]) == trunk[599]);
    BOOST_CHECK(chain.FindFork(trunk[300]) == trunk[300]);
    BOOST_CHECK(chain.FindFork(nullptr) == nullptr);
    // A block above the tip on the same chain forks at the tip.
    const auto ahead = tree.Extend(trunk.back(), 10);
    BOOST_CHECK(chain.FindFork(ahead.back()) == trunk.back());
}

BOOST_AUTO_TEST_CASE(locator_spacing)
{
    SyntheticTree tree;
    const auto trunk = tree.Extend(nullptr, 100000);
    Chain chain;
    chain.SetTip(trunk.back());
    const std::vector<uint256> locator = chain.GetLocator();
    std::vector<int> heights;
    for (const uint256& hash : locator) {
        const BlockIndex* b = tree.Find(hash);
        BOOST_REQUIRE(b != nullptr);
        heights.push_back(b->height);
    }
    BOOST_REQUIRE_GE(heights.size(), 12u);
    BOOST_CHECK_EQUAL(heights.front(), 99999);
    BOOST_CHECK_EQUAL(heights.back(), 0);
    // Eleven consecutive heights, then each gap twice the one before (until genesis clamps it).
    for (size_t i = 1; i <= 10; ++i) BOOST_CHECK_EQUAL(heights[i - 1] - heights[i], 1);
    int gap = 1;
    for (size_t i = 10; i + 1 < heights.size(); ++i) {
        gap *= 2;
        BOOST_CHECK_EQUAL(heights[i] - heights[i + 1] <= gap, true);
        if (i + 2 < heights.size()) BOOST_CHECK_EQUAL(heights[i] - heights[i + 1], gap);
    }
    BOOST_CHECK_LE(locator.size(), 10u + 20u); // logarithmic in the height

    // The locator of a block off the active chain follows its own ancestry.
    const auto branch = tree.Extend(trunk[49999], 20);
    const std::vector<uint256> side = chain.GetLocator(branch.back());
    BOOST_CHECK(side.front() == branch.back()->GetBlockHash());
    for (const uint256& hash : side) {
        const BlockIndex* b = tree.Find(hash);
        BOOST_REQUIRE(b != nullptr);
        BOOST_CHECK(branch.back()->GetAncestor(b->height) == b);
    }
    BOOST_CHECK(side.back() == trunk[0]->GetBlockHash());

    // Short chains list every block.
    Chain short_chain;
    short_chain.SetTip(trunk[5]);
    BOOST_CHECK_EQUAL(short_chain.GetLocator().size(), 6u);
}

BOOST_AUTO_TEST_CASE(median_time_past)
{
    SyntheticTree tree;
    std::mt19937 rng{3};
    std::vector<uint32_t> times;
    BlockIndex* tip = nullptr;
    for (int h = 0; h < 200; ++h) {
        const uint32_t t = 1600000000 + std::uniform_int_distribution<uint32_t>(0, 100000)(rng);
        times.push_back(t);
        tip = tree.Add(tip, t);
        std::vector<uint32_t> window(times.end() - std::min<size_t>(times.size(), 11), times.end());
        std::sort(window.begin(), window.end());
        BOOST_REQUIRE_EQUAL(tip->GetMedianTimePast(), window[window.size() / 2]);
    }
    // Genesis alone: its own time.
    BlockIndex* lone = tree.Add(nullptr, 12345);
    BOOST_CHECK_EQUAL(lone->GetMedianTimePast(), 12345);
}

BOOST_AUTO_TEST_CASE(chain_work_accumulates)
{
    SyntheticTree tree;
    // Regtest's easiest target: each block is worth 2 hashes.
    const auto easy = tree.Extend(nullptr, 100);
    BOOST_CHECK(GetBlockProof(*easy[0]) == arith_uint256{2});
    BOOST_CHECK(easy.back()->chain_work == arith_uint256{200});
    // Mainnet's minimum difficulty: 2^256 / (0xffff * 2^208 + 1) = 0x100010001.
    BlockIndex* hard = tree.Add(easy.back(), 0, 0x1d00ffff);
    BOOST_CHECK(GetBlockProof(*hard) == arith_uint256{0x100010001ULL});
    BOOST_CHECK(hard->chain_work == arith_uint256{200 + 0x100010001ULL});
    // Harder blocks are worth more.
    BlockIndex* harder = tree.Add(hard, 0, 0x1c00ffff);
    BOOST_CHECK(GetBlockProof(*harder) > GetBlockProof(*hard));
    BOOST_CHECK(harder->chain_work == hard->chain_work + GetBlockProof(*harder));
}

BOOST_AUTO_TEST_CASE(find_earliest_at_least)
{
    SyntheticTree tree;
    // Times wobble but time_max is monotone.
    BlockIndex* tip = nullptr;
    const uint32_t times[] = {100, 90, 150, 140, 200, 210, 205, 300};
    std::vector<BlockIndex*> blocks;
    for (uint32_t t : times) blocks.push_back(tip = tree.Add(tip, t));
    Chain chain;
    chain.SetTip(tip);
    BOOST_CHECK(chain.FindEarliestAtLeast(0, 0) == blocks[0]);
    BOOST_CHECK(chain.FindEarliestAtLeast(95, 0) == blocks[0]);
    BOOST_CHECK(chain.FindEarliestAtLeast(101, 0) == blocks[2]);
    BOOST_CHECK(chain.FindEarliestAtLeast(150, 0) == blocks[2]);
    BOOST_CHECK(chain.FindEarliestAtLeast(150, 4) == blocks[4]);
    BOOST_CHECK(chain.FindEarliestAtLeast(206, 0) == blocks[5]);
    BOOST_CHECK(chain.FindEarliestAtLeast(300, 0) == blocks[7]);
    BOOST_CHECK(chain.FindEarliestAtLeast(301, 0) == nullptr);
    BOOST_CHECK(chain.FindEarliestAtLeast(0, 8) == nullptr);
}

BOOST_AUTO_TEST_CASE(validity_levels)
{
    BlockIndex b;
    BOOST_CHECK(!b.IsValid(BLOCK_VALID_TREE));
    BOOST_CHECK(b.RaiseValidity(BLOCK_VALID_TREE));
    BOOST_CHECK(!b.RaiseValidity(BLOCK_VALID_TREE));
    BOOST_CHECK(b.IsValid(BLOCK_VALID_TREE));
    BOOST_CHECK(!b.IsValid(BLOCK_VALID_TRANSACTIONS));
    b.status |= BLOCK_HAVE_DATA;
    BOOST_CHECK(b.RaiseValidity(BLOCK_VALID_SCRIPTS));
    BOOST_CHECK(b.IsValid(BLOCK_VALID_SCRIPTS));
    BOOST_CHECK(b.status & BLOCK_HAVE_DATA);
    b.status |= BLOCK_FAILED_CHILD;
    BOOST_CHECK(!b.IsValid(BLOCK_VALID_TREE));
    BOOST_CHECK(!b.RaiseValidity(BLOCK_VALID_SCRIPTS));
    BOOST_CHECK(!b.HaveTxsDownloaded());
    b.chain_tx = 5;
    BOOST_CHECK(b.HaveTxsDownloaded());
}

BOOST_AUTO_TEST_CASE(header_round_trip)
{
    BlockHeader header;
    header.version = 0x20000000;
    header.merkle_root = uint256{uint8_t{9}};
    header.time = 1700000000;
    header.bits = 0x207fffff;
    header.nonce = 77;
    BlockIndex parent;
    const uint256 parent_hash{uint8_t{3}};
    parent.phash = &parent_hash;
    header.prev_block = parent_hash;
    BlockIndex index{header};
    index.prev = &parent;
    const uint256 hash = header.GetHash();
    index.phash = &hash;
    BOOST_CHECK(index.GetBlockHeader() == header);
    BOOST_CHECK(index.GetBlockHeader().GetHash() == index.GetBlockHash());
}

BOOST_AUTO_TEST_SUITE_END()
