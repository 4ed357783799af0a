// kernel_trace_check: drives the kernel through every validation:* and
// utxocache:* tracepoint once, in-process on regtest, and prints the values
// each event must carry, for test/functional/interface_usdt_kernel.py, which
// attaches BCC first (the node itself comes with the daemon).
//
// Prints "ready", waits for a line on standard input (the tracer attaches
// meanwhile), then one line per expected event and "done":
//   connected HASH HEIGHT TXS INPUTS SIGOPS       validation:block_connected
//   disconnected HASH HEIGHT TXS                  validation:block_disconnected
//   spent|added|uncached TXID N HEIGHT VALUE COINBASE   utxocache:spent/add/uncache
//                                                 (uncache twice: Uncache, and a
//                                                 block proposal that fails)
//   flush MODE COINS_BEFORE MEMORY PRUNE          utxocache:flush
// Hashes are hex in internal byte order, as the probes hand them out.
#include <kernel/coins.h>
#include <kernel/validation.h>
#include <test/util/chain_fixture.h>
#include <util/strencodings.h>

#include <cstdio>
#include <iostream>
#include <mutex>
#include <string>

namespace {

std::string Hex(const uint256& hash) { return HexStr(std::span<const unsigned char>(hash.data(), 32)); }

void PrintCoin(const char* event, const OutPoint& outpoint, uint32_t height, Amount value, bool coinbase)
{
    std::printf("%s %s %u %u %lld %d\n", event, Hex(outpoint.hash).c_str(), outpoint.n, height,
                static_cast<long long>(value), coinbase ? 1 : 0);
}

void PrintConnected(const Block& block, int height, int sigops)
{
    size_t inputs = 0;
    for (const auto& tx : block.vtx) inputs += tx->vin.size();
    std::printf("connected %s %d %zu %zu %d\n", Hex(block.GetHash()).c_str(), height, block.vtx.size(), inputs, sigops);
}

} // namespace

int main()
{
    test_util::ChainFixture fixture;
    std::printf("ready\n");
    std::fflush(stdout);
    std::string line;
    std::getline(std::cin, line);

    // 101 empty blocks: each connects with its coinbase input only and adds
    // its coinbase output; the first becomes spendable.
    const auto blocks = fixture.MineBlocks(101);
    for (size_t i = 0; i < blocks.size(); ++i) {
        PrintConnected(*blocks[i], static_cast<int>(i) + 1, 0);
        const auto coinbase = test_util::ChainFixture::CoinbaseOutput(*blocks[i]);
        PrintCoin("added", coinbase.outpoint, static_cast<uint32_t>(i) + 1, coinbase.out.value, true);
    }

    // A block spending block 1's coinbase (P2WPKH: one witness sigop) into
    // two outputs.
    const auto spent = test_util::ChainFixture::CoinbaseOutput(*blocks[0]);
    const auto tx = fixture.SpendTo(spent, /*fee=*/1000, /*count=*/2);
    const auto block = fixture.Mine({tx});
    PrintConnected(*block, 102, 1);
    PrintCoin("spent", spent.outpoint, 1, spent.out.value, true);
    for (uint32_t n = 0; n < tx->vout.size(); ++n) PrintCoin("added", OutPoint{tx->GetHash(), n}, 102, tx->vout[n].value, false);

    auto& chainman = fixture.Chainman();
    {
        std::lock_guard lock(chainman.ChainLock());
        auto& coins = chainman.CoinsTip();
        std::printf("flush %u %u %zu 0\n", static_cast<unsigned>(FlushStateMode::FORCE_FLUSH), coins.GetCacheSize(),
                    coins.DynamicMemoryUsage());
        chainman.FlushStateToDisk(FlushStateMode::FORCE_FLUSH);

        // Loaded for a look and dropped again, unmodified: uncache.
        const OutPoint looked_at{tx->GetHash(), 0};
        coins.AccessCoin(looked_at);
        coins.Uncache(looked_at);
        PrintCoin("uncached", looked_at, 102, tx->vout[0].value, false);

        // A block proposal that turns out invalid (TestBlockValidity, as
        // generateblock and getblocktemplate proposals use it): the coin it
        // pulled into the tip cache is dropped again.
        const auto input = test_util::ChainFixture::Output(tx, 1);
        const auto overspend =
            fixture.CreateBlock({fixture.Spend({input}, {TxOut{input.out.value + 1, fixture.PayoutScript()}})});
        BlockValidationState proposal_state;
        if (chainman.TestBlockValidity(proposal_state, *overspend, chainman.ActiveChain().Tip(), true, true)) {
            std::printf("error: an overspending block proposal passed\n");
            return 1;
        }
        PrintCoin("uncached", input.outpoint, 102, input.out.value, false);
    }

    BlockValidationState state;
    {
        std::lock_guard lock(chainman.ChainLock());
        BlockIndex* tip = chainman.LookupBlockIndex(block->GetHash());
        if (!chainman.InvalidateBlock(state, tip)) {
            std::printf("error: invalidateblock failed: %s\n", state.GetRejectReason().c_str());
            return 1;
        }
    }
    std::printf("disconnected %s 102 %zu\n", Hex(block->GetHash()).c_str(), block->vtx.size());
    std::printf("done\n");
    std::fflush(stdout);
    return 0;
}
