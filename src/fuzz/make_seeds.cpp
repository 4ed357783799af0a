// Writes seed corpora for the fuzz targets from the shared test vectors, at
// run time (the vectors are never copied into the repository):
//   fuzz_make_seeds OUTDIR   ->  OUTDIR/{transaction,block,script_parse,script_eval}/
// Transactions come from tx_valid/tx_invalid/sighash.json and the taproot
// sample, blocks are small blocks cut from real blocks 277647 and 866342, scripts are
// the script_tests.json rows assembled from their notation.

#include <fuzz/eval_input.h>
#include <primitives/block.h>
#include <primitives/transaction.h>
#include <script/interpreter.h>
#include <streams.h>
#include <test/util/script_notation.h>
#include <test/util/vectors.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace {

using test_util::AssembleScriptBytes;
using test_util::HexToBytes;
using test_util::ReadVectorBytes;
using test_util::ReadVectorJson;

class CorpusWriter {
public:
    CorpusWriter(std::filesystem::path dir) : m_dir(std::move(dir)) { std::filesystem::create_directories(m_dir); }
    void Add(std::span<const unsigned char> bytes)
    {
        std::ofstream file{m_dir / ("seed-" + std::to_string(m_count++)), std::ios::binary};
        file.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
    size_t Count() const { return m_count; }

private:
    std::filesystem::path m_dir;
    size_t m_count = 0;
};

void AddTransactions(CorpusWriter& out)
{
    for (const char* file : {"core/tx_valid.json", "core/tx_invalid.json"}) {
        for (const auto& row : ReadVectorJson(file)) {
            if (row.size() == 3 && row[0].is_array()) out.Add(HexToBytes(row[1].get<std::string>()));
        }
    }
    for (const auto& row : ReadVectorJson("core/sighash.json")) {
        if (row.size() == 5) out.Add(HexToBytes(row[0].get<std::string>()));
    }
    const auto assets = ReadVectorJson("core/script_assets_test_taproot_sample.json");
    for (size_t i = 0; i < assets.size(); i += 20) out.Add(HexToBytes(assets[i].at("tx").get<std::string>()));
}

void AddBlocks(CorpusWriter& out)
{
    // A 2013 block and a segwit/taproot one (2024), each cut to its header and
    // first n transactions: small, well-formed blocks (the merkle root no longer matches).
    for (const char* file : {"blocks/mainnet_block_277647.raw", "blocks/mainnet_block_866342.raw"}) {
        const std::vector<unsigned char> raw = ReadVectorBytes(file);
        SpanReader reader{raw};
        Block block;
        reader >> TX_WITH_WITNESS(block);
        for (size_t n : {0, 1, 2, 3, 8}) {
            Block part = block;
            part.vtx.resize(std::min(n, block.vtx.size()));
            DataStream stream;
            stream << TX_WITH_WITNESS(part);
            out.Add(stream.unread());
        }
    }
}

void AddScripts(CorpusWriter& parse, CorpusWriter& eval)
{
    const auto rows = ReadVectorJson("core/script_tests.json");
    for (const auto& row : rows) {
        if (row.size() < 4) continue;
        const size_t pos = row[0].is_array() ? 1 : 0;
        const std::string pubkey_text = row[pos + 1].get<std::string>();
        if (pubkey_text.find('#') != std::string::npos) continue; // tapscript placeholders
        std::vector<unsigned char> script_sig, script_pubkey;
        try {
            script_sig = AssembleScriptBytes(row[pos].get<std::string>());
            script_pubkey = AssembleScriptBytes(pubkey_text);
        } catch (const std::exception&) {
            continue;
        }
        const uint32_t flags = ParseScriptFlags(row[pos + 2].get<std::string>()).value_or(0);
        parse.Add(script_sig);
        parse.Add(script_pubkey);
        // EvalScript of the scriptPubKey as legacy and as tapscript.
        for (uint8_t sigversion : {0, 3}) {
            std::vector<unsigned char> seed = fuzz::EncodeEvalInput(flags, sigversion);
            seed.insert(seed.end(), script_pubkey.begin(), script_pubkey.end());
            eval.Add(seed);
        }
        // The whole row through VerifyScript, with the dummy and with the real checker.
        for (uint8_t mode : {fuzz::MODE_VERIFY, static_cast<uint8_t>(fuzz::MODE_VERIFY | fuzz::MODE_REAL_CHECKER)}) {
            std::vector<unsigned char> seed = fuzz::EncodeEvalInput(flags, mode);
            fuzz::AppendPiece(seed, script_sig);
            fuzz::AppendPiece(seed, script_pubkey);
            if (pos == 1) {
                for (size_t i = 0; i + 1 < row[0].size(); ++i) fuzz::AppendPiece(seed, HexToBytes(row[0][i].get<std::string>()));
            }
            eval.Add(seed);
        }
    }
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::cerr << "usage: " << argv[0] << " OUTDIR\n";
        return 1;
    }
    try {
        const std::filesystem::path dir{argv[1]};
        CorpusWriter transactions{dir / "transaction"};
        CorpusWriter blocks{dir / "block"};
        CorpusWriter parse{dir / "script_parse"};
        CorpusWriter eval{dir / "script_eval"};
        AddTransactions(transactions);
        AddBlocks(blocks);
        AddScripts(parse, eval);
        std::cout << "seeds: transaction " << transactions.Count() << ", block " << blocks.Count() << ", script_parse "
                  << parse.Count() << ", script_eval " << eval.Count() << "\n";
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
