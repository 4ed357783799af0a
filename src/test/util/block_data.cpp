#include <test/util/block_data.h>

#include <streams.h>
#include <test/util/vectors.h>

#include <stdexcept>
#include <string>

namespace test_util {

BlockWithSpentOutputs LoadBlock866342()
{
    BlockWithSpentOutputs data;
    const std::vector<unsigned char> raw = ReadVectorBytes("blocks/mainnet_block_866342.raw");
    SpanReader reader{raw};
    reader >> TX_WITH_WITNESS(data.block);
    if (!reader.empty()) throw std::runtime_error("bytes left after block 866342");

    const nlohmann::json utxos = ReadVectorJson("blocks/mainnet_block_866342_spent_utxos.json");
    size_t next = 0;
    data.spent.resize(data.block.vtx.size());
    for (size_t t = 0; t < data.block.vtx.size(); ++t) {
        const Transaction& tx = *data.block.vtx[t];
        if (tx.IsCoinBase()) continue;
        for (size_t i = 0; i < tx.vin.size(); ++i) {
            if (next >= utxos.size()) throw std::runtime_error("fewer spent outputs than block inputs");
            const nlohmann::json& txout = utxos[next++].at("txout");
            TxOut out;
            out.value = txout.at("value").get<int64_t>();
            const std::vector<unsigned char> script = HexToBytes(txout.at("script_pubkey").get<std::string>());
            out.script_pubkey.assign(script.begin(), script.end());
            data.spent[t].push_back(std::move(out));
        }
    }
    if (next != utxos.size()) throw std::runtime_error("more spent outputs than block inputs");
    data.input_count = next;
    return data;
}

} // namespace test_util
