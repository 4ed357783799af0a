// JSON forms of scripts, transactions and blocks (rpc/core_json.h) and the
// UTXO set statistics of gettxoutsetinfo (rpc/blockchain.h).

#include <crypto/sha256.h>
#include <kernel/chainparams.h>
#include <kernel/coins.h>
#include <kernel/undo.h>
#include <primitives/block.h>
#include <rpc/blockchain.h>
#include <rpc/core_json.h>
#include <rpc/muhash.h>
#include <script/address.h>
#include <test/util/block_data.h>
#include <util/json.h>
#include <util/strencodings.h>

#include <boost/test/unit_test.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

Script FromHex(std::string_view hex)
{
    const std::vector<unsigned char> bytes = ParseHex(hex);
    return Script(bytes.begin(), bytes.end());
}

const AddressParams& Main() { return GetAddressParams(AddressNetwork::MAIN); }

// A coins view over a map, enumerable in key order.
class MapView : public CoinsView {
public:
    std::map<OutPoint, Coin> coins;
    uint256 best;

    uint256 GetBestBlock() const override { return best; }
    std::unique_ptr<CoinsCursor> Cursor() const override { return std::make_unique<MapCursor>(coins); }

private:
    class MapCursor : public CoinsCursor {
    public:
        explicit MapCursor(const std::map<OutPoint, Coin>& coins) : m_it(coins.begin()), m_end(coins.end()) {}
        bool Valid() const override { return m_it != m_end; }
        void Next() override { ++m_it; }
        bool GetKey(OutPoint& key) const override { key = m_it->first; return true; }
        bool GetValue(Coin& coin) const override { coin = m_it->second; return true; }

    private:
        std::map<OutPoint, Coin>::const_iterator m_it, m_end;
    };
};

void AppendLE(std::vector<unsigned char>& out, uint64_t value, int bytes)
{
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<unsigned char>(value >> (8 * i)));
}

} // namespace

BOOST_AUTO_TEST_SUITE(core_json_tests)

BOOST_AUTO_TEST_CASE(asm_formatting)
{
    // P2PKH: opcodes by name, the hash as hex.
    BOOST_CHECK_EQUAL(ScriptToAsmStr(FromHex("76a91489abcdefabbaabbaabbaabbaabbaabbaabbaabba88ac")),
                      "OP_DUP OP_HASH160 89abcdefabbaabbaabbaabbaabbaabbaabbaabba OP_EQUALVERIFY OP_CHECKSIG");
    // Small-number opcodes print as numbers, OP_1NEGATE as -1.
    BOOST_CHECK_EQUAL(ScriptToAsmStr(FromHex("00515f604f")), "0 1 15 16 -1");
    // Pushes of up to four bytes are numbers, minimal or not; longer ones hex.
    BOOST_CHECK_EQUAL(ScriptToAsmStr(FromHex("0105")), "5");
    BOOST_CHECK_EQUAL(ScriptToAsmStr(FromHex("0181")), "-1");
    BOOST_CHECK_EQUAL(ScriptToAsmStr(FromHex("02ff00")), "255");
    BOOST_CHECK_EQUAL(ScriptToAsmStr(FromHex("04ffffffff")), "-2147483647");
    BOOST_CHECK_EQUAL(ScriptToAsmStr(FromHex("050102030405")), "0102030405");
    BOOST_CHECK_EQUAL(ScriptToAsmStr(FromHex("4c0100")), "0");  // PUSHDATA1 of a zero byte
    // Names of the timelock opcodes and undefined bytes.
    BOOST_CHECK_EQUAL(ScriptToAsmStr(FromHex("b1b2ba")), "OP_CHECKLOCKTIMEVERIFY OP_CHECKSEQUENCEVERIFY OP_CHECKSIGADD");
    BOOST_CHECK_EQUAL(ScriptToAsmStr(FromHex("bbff")), "OP_UNKNOWN OP_INVALIDOPCODE");
    // A push running past the end.
    BOOST_CHECK_EQUAL(ScriptToAsmStr(FromHex("76050102")), "OP_DUP [error]");
    BOOST_CHECK_EQUAL(ScriptToAsmStr(Script{}), "");
    // OP_RETURN data.
    BOOST_CHECK_EQUAL(ScriptToAsmStr(FromHex("6a0b68656c6c6f20776f726c64")), "OP_RETURN 68656c6c6f20776f726c64");
}

BOOST_AUTO_TEST_CASE(asm_sighash_decoding)
{
    // A minimal strict-DER signature (r = s = 1) with each hash type byte.
    const std::string der = "3006020101020101";
    BOOST_CHECK_EQUAL(ScriptToAsmStr(FromHex("09" + der + "01"), true), der + "[ALL]");
    BOOST_CHECK_EQUAL(ScriptToAsmStr(FromHex("09" + der + "02"), true), der + "[NONE]");
    BOOST_CHECK_EQUAL(ScriptToAsmStr(FromHex("09" + der + "03"), true), der + "[SINGLE]");
    BOOST_CHECK_EQUAL(ScriptToAsmStr(FromHex("09" + der + "81"), true), der + "[ALL|ANYONECANPAY]");
    BOOST_CHECK_EQUAL(ScriptToAsmStr(FromHex("09" + der + "82"), true), der + "[NONE|ANYONECANPAY]");
    BOOST_CHECK_EQUAL(ScriptToAsmStr(FromHex("09" + der + "83"), true), der + "[SINGLE|ANYONECANPAY]");
    // Undefined hash type: left as it is.
    BOOST_CHECK_EQUAL(ScriptToAsmStr(FromHex("09" + der + "05"), true), der + "05");
    // Without decoding (outputs), or in an unspendable script, the byte stays.
    BOOST_CHECK_EQUAL(ScriptToAsmStr(FromHex("09" + der + "01"), false), der + "01");
    BOOST_CHECK_EQUAL(ScriptToAsmStr(FromHex("6a09" + der + "01"), true), "OP_RETURN " + der + "01");
    // Not DER: no decoding.
    BOOST_CHECK_EQUAL(ScriptToAsmStr(FromHex("09310602010102010101"), true), "310602010102010101");
}

BOOST_AUTO_TEST_CASE(script_types)
{
    const std::string key33 = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
    const std::string key65 =
        "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8";
    const std::string h20(40, 'a');
    const std::string h32(64, 'b');
    const struct {
        std::string hex;
        std::string type;
    } cases[] = {
        {"76a914" + h20 + "88ac", "pubkeyhash"},
        {"a914" + h20 + "87", "scripthash"},
        {"0014" + h20, "witness_v0_keyhash"},
        {"0020" + h32, "witness_v0_scripthash"},
        {"5120" + h32, "witness_v1_taproot"},
        {"51024e73", "anchor"},
        {"5202abcd", "witness_unknown"},
        {"0015" + h20 + "00", "nonstandard"},   // v0 of 21 bytes
        {"6a", "nulldata"},
        {"6a0568656c6c6f", "nulldata"},
        {"6a76", "nonstandard"},                // OP_RETURN then a non-push
        {"21" + key33 + "ac", "pubkey"},
        {"41" + key65 + "ac", "pubkey"},
        {"5121" + key33 + "21" + key33 + "52ae", "multisig"},
        {"5221" + key33 + "51ae", "nonstandard"}, // 2 of 1
        {"51", "nonstandard"},
        {"", "nonstandard"},
    };
    for (const auto& c : cases) {
        BOOST_CHECK_MESSAGE(ScriptOutputTypeName(SolveScript(FromHex(c.hex)).type) == c.type, c.hex + " is " + c.type);
    }
}

BOOST_AUTO_TEST_CASE(script_pubkey_json)
{
    // The descriptor checksum of a raw() descriptor (BIP380's example form).
    Json raw = ScriptPubKeyToJson(FromHex("deadbeef"), Main());
    BOOST_CHECK_EQUAL(raw["desc"].get<std::string>(), "raw(deadbeef)#89f8spxm");
    BOOST_CHECK_EQUAL(raw["type"].get<std::string>(), "nonstandard");
    BOOST_CHECK(!raw.contains("address"));

    // Key order: asm, desc, hex, address, type.
    Json p2wpkh = ScriptPubKeyToJson(FromHex("0014751e76e8199196d454941c45d1b3a323f1433bd6"), Main());
    std::vector<std::string> keys;
    for (const auto& [key, value] : p2wpkh.items()) keys.push_back(key);
    BOOST_CHECK((keys == std::vector<std::string>{"asm", "desc", "hex", "address", "type"}));
    BOOST_CHECK_EQUAL(p2wpkh["asm"].get<std::string>(), "0 751e76e8199196d454941c45d1b3a323f1433bd6");
    BOOST_CHECK_EQUAL(p2wpkh["address"].get<std::string>(), "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
    BOOST_CHECK(p2wpkh["desc"].get<std::string>().starts_with("addr(bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4)#"));
    BOOST_CHECK_EQUAL(p2wpkh["type"].get<std::string>(), "witness_v0_keyhash");

    // P2PK: a pk() descriptor and no address.
    const std::string key = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
    Json p2pk = ScriptPubKeyToJson(FromHex("21" + key + "ac"), Main());
    BOOST_CHECK(!p2pk.contains("address"));
    BOOST_CHECK(p2pk["desc"].get<std::string>().starts_with("pk(" + key + ")#"));

    // Taproot with a valid x-only key: rawtr().
    const std::string xonly = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
    Json p2tr = ScriptPubKeyToJson(FromHex("5120" + xonly), Main());
    BOOST_CHECK(p2tr["desc"].get<std::string>().starts_with("rawtr(" + xonly + ")#"));
    BOOST_CHECK(p2tr["address"].get<std::string>().starts_with("bc1p"));

    // Bare multisig: multi() and no address.
    Json multi = ScriptPubKeyToJson(FromHex("5121" + key + "21" + key + "52ae"), Main());
    BOOST_CHECK(multi["desc"].get<std::string>().starts_with("multi(1," + key + "," + key + ")#"));
    BOOST_CHECK_EQUAL(multi["asm"].get<std::string>(), "1 " + key + " " + key + " 2 OP_CHECKMULTISIG");

    // Without hex and address (as some callers want).
    Json bare = ScriptPubKeyToJson(FromHex("0014751e76e8199196d454941c45d1b3a323f1433bd6"), Main(), false, false);
    BOOST_CHECK(!bare.contains("hex") && !bare.contains("desc") && !bare.contains("address"));
}

BOOST_AUTO_TEST_CASE(difficulty_and_target)
{
    BOOST_CHECK_EQUAL(GetDifficulty(0x1d00ffff), 1.0);
    BOOST_CHECK_EQUAL(WriteJson(Json(GetDifficulty(0x207fffff))), "4.656542373906925e-10");
    BOOST_CHECK_CLOSE(GetDifficulty(0x1b0404cb), 16307.420938523983, 1e-9);
    const auto regtest = ChainParams::RegTest();
    BOOST_CHECK_EQUAL(TargetHex(0x207fffff, regtest->GetConsensus().pow_limit),
                      "7fffff0000000000000000000000000000000000000000000000000000000000");
}

BOOST_AUTO_TEST_CASE(genesis_transaction_json)
{
    const auto main = ChainParams::Main();
    const Transaction& tx = *main->GenesisBlock().vtx[0];
    const Json j = TxToJson(tx, main->Address());
    std::vector<std::string> keys;
    for (const auto& [key, value] : j.items()) keys.push_back(key);
    BOOST_CHECK((keys == std::vector<std::string>{"txid", "hash", "version", "size", "vsize", "weight", "locktime",
                                                  "vin", "vout", "hex"}));
    BOOST_CHECK_EQUAL(j["txid"].get<std::string>(), "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b");
    BOOST_CHECK_EQUAL(j["hash"].get<std::string>(), j["txid"].get<std::string>());
    BOOST_CHECK_EQUAL(j["size"].get<int>(), 204);
    BOOST_CHECK_EQUAL(j["vsize"].get<int>(), 204);
    BOOST_CHECK_EQUAL(j["weight"].get<int>(), 816);
    const Json& in = j["vin"][0];
    BOOST_CHECK(in.contains("coinbase") && !in.contains("txid") && !in.contains("scriptSig"));
    BOOST_CHECK(in["coinbase"].get<std::string>().starts_with("04ffff001d0104455468652054696d6573"));
    BOOST_CHECK_EQUAL(in["sequence"].get<uint64_t>(), 4294967295u);
    const Json& out = j["vout"][0];
    BOOST_CHECK_EQUAL(WriteJson(out["value"]), "50.00000000");
    BOOST_CHECK_EQUAL(out["n"].get<int>(), 0);
    BOOST_CHECK_EQUAL(out["scriptPubKey"]["type"].get<std::string>(), "pubkey");
    BOOST_CHECK(out["scriptPubKey"]["asm"].get<std::string>().ends_with(" OP_CHECKSIG"));
    BOOST_CHECK(!out["scriptPubKey"].contains("address"));
    BOOST_CHECK_EQUAL(j["hex"].get<std::string>(), EncodeHexTx(tx));
}

BOOST_AUTO_TEST_CASE(real_block_transactions)
{
    const test_util::BlockWithSpentOutputs data = test_util::LoadBlock866342();
    const Block& block = data.block;
    // Undo data as the node would store it: the spent coins per transaction.
    BlockUndo undo;
    for (size_t t = 1; t < block.vtx.size(); ++t) {
        TxUndo tx_undo;
        for (const TxOut& out : data.spent[t]) tx_undo.prevout.emplace_back(out, 866000, false);
        undo.vtxundo.push_back(std::move(tx_undo));
    }

    Amount fees = 0;
    size_t taproot_outputs = 0;
    for (size_t t = 0; t < block.vtx.size(); ++t) {
        const Transaction& tx = *block.vtx[t];
        const TxUndo* tx_undo = t > 0 ? &undo.vtxundo[t - 1] : nullptr;
        const Json j = TxToJson(tx, Main(), uint256{}, true, tx_undo, TxVerbosity::SHOW_DETAILS_AND_PREVOUT);
        BOOST_REQUIRE_EQUAL(j["txid"].get<std::string>(), tx.GetHash().GetHex());
        BOOST_REQUIRE_EQUAL(j["hash"].get<std::string>(), tx.GetWitnessHash().GetHex());
        const int64_t size = j["size"].get<int64_t>();
        const int64_t weight = j["weight"].get<int64_t>();
        BOOST_REQUIRE_EQUAL(j["vsize"].get<int64_t>(), (weight + 3) / 4);
        BOOST_REQUIRE_EQUAL(weight, 3 * static_cast<int64_t>(GetSerializeSize(TX_NO_WITNESS(tx))) + size);
        BOOST_REQUIRE_EQUAL(j["vin"].size(), tx.vin.size());
        BOOST_REQUIRE_EQUAL(j["vout"].size(), tx.vout.size());
        if (t == 0) {
            BOOST_CHECK(!j.contains("fee"));
            BOOST_CHECK(j["vin"][0].contains("coinbase"));
            // The witness reserved value of a segwit block's coinbase.
            BOOST_CHECK_EQUAL(j["vin"][0]["txinwitness"][0].get<std::string>(), std::string(64, '0'));
        } else {
            const std::string fee = WriteJson(j["fee"]);
            // Back from "0.00001234" to satoshis.
            const std::string digits = fee.substr(0, fee.find('.')) + fee.substr(fee.find('.') + 1);
            fees += std::stoll(digits);
            for (size_t i = 0; i < tx.vin.size(); ++i) {
                const Json& in = j["vin"][i];
                BOOST_REQUIRE_EQUAL(in["txid"].get<std::string>(), tx.vin[i].prevout.hash.GetHex());
                BOOST_REQUIRE_EQUAL(in["scriptSig"]["hex"].get<std::string>(), HexStr(tx.vin[i].script_sig));
                BOOST_REQUIRE_EQUAL(in.contains("txinwitness"), !tx.vin[i].witness.IsNull());
                BOOST_REQUIRE_EQUAL(in["prevout"]["scriptPubKey"]["hex"].get<std::string>(),
                                    HexStr(data.spent[t][i].script_pubkey));
                // "sequence" comes last.
                BOOST_REQUIRE_EQUAL(in.items().begin().key(), "txid");
                BOOST_REQUIRE_EQUAL((--in.end()).key(), "sequence");
            }
        }
        for (const Json& out : j["vout"]) {
            const Json& spk = out["scriptPubKey"];
            if (spk["type"] == "witness_v1_taproot") {
                ++taproot_outputs;
                BOOST_REQUIRE(spk["address"].get<std::string>().starts_with("bc1p"));
                BOOST_REQUIRE(spk["asm"].get<std::string>().starts_with("1 "));
            }
            if (spk["type"] == "witness_v0_keyhash") {
                BOOST_REQUIRE(spk["address"].get<std::string>().starts_with("bc1q"));
                BOOST_REQUIRE(spk["desc"].get<std::string>().starts_with("addr(bc1q"));
            }
        }
    }
    // Known facts of this block (see testvectors/SOURCES.md and blocks.json).
    BOOST_CHECK_EQUAL(fees, 5026183);
    BOOST_CHECK_EQUAL(taproot_outputs, 2757u);
}

BOOST_AUTO_TEST_CASE(block_header_json)
{
    const auto regtest = ChainParams::RegTest();
    const Block& genesis = regtest->GenesisBlock();
    const uint256 hash = genesis.GetHash();
    BlockIndex index(genesis.GetHeader());
    index.phash = &hash;
    index.tx_count = 1;
    Chain chain;
    chain.SetTip(&index);
    const Json j = BlockHeaderToJson(chain, index, regtest->GetConsensus().pow_limit);
    BOOST_CHECK_EQUAL(j["hash"].get<std::string>(), hash.GetHex());
    BOOST_CHECK_EQUAL(j["confirmations"].get<int>(), 1);
    BOOST_CHECK_EQUAL(j["versionHex"].get<std::string>(), "00000001");
    BOOST_CHECK_EQUAL(j["bits"].get<std::string>(), "207fffff");
    BOOST_CHECK(!j.contains("previousblockhash") && !j.contains("nextblockhash"));

    const Json b = BlockToJson(genesis, chain, index, regtest->Address(), regtest->GetConsensus().pow_limit,
                               TxVerbosity::SHOW_TXID, nullptr);
    BOOST_CHECK_EQUAL(b["tx"][0].get<std::string>(), genesis.vtx[0]->GetHash().GetHex());
    BOOST_CHECK_EQUAL(b["size"].get<int>(), 285);
    BOOST_CHECK_EQUAL(b["strippedsize"].get<int>(), 285);
    BOOST_CHECK_EQUAL(b["weight"].get<int>(), 1140);
    std::vector<std::string> keys;
    for (const auto& [key, value] : b.items()) keys.push_back(key);
    BOOST_CHECK((keys == std::vector<std::string>{"hash", "confirmations", "height", "version", "versionHex",
                                                  "merkleroot", "time", "mediantime", "nonce", "bits", "target",
                                                  "difficulty", "chainwork", "nTx", "strippedsize", "size", "weight",
                                                  "tx"}));
}

BOOST_AUTO_TEST_CASE(utxo_set_stats)
{
    MapView view;
    view.best = uint256::FromHex(std::string(63, '0') + "1").value();
    const uint256 txid_a = uint256::FromHex(std::string(64, 'a')).value();
    const uint256 txid_b = uint256::FromHex(std::string(64, 'b')).value();
    view.coins[OutPoint{txid_a, 0}] = Coin(TxOut{5000000000, FromHex("51")}, 1, true);
    view.coins[OutPoint{txid_a, 3}] = Coin(TxOut{1234, FromHex("0014" + std::string(40, 'c'))}, 7, false);
    view.coins[OutPoint{txid_b, 1}] = Coin(TxOut{1, Script{}}, 300, false);

    const UtxoSetStats stats = ComputeUtxoSetStats(view);
    BOOST_CHECK_EQUAL(stats.best_block.GetHex(), view.best.GetHex());
    BOOST_CHECK_EQUAL(stats.transactions, 2);
    BOOST_CHECK_EQUAL(stats.txouts, 3);
    BOOST_CHECK_EQUAL(stats.total_amount, 5000000000 + 1234 + 1);
    BOOST_CHECK_EQUAL(stats.bogosize, 3 * 50 + 1 + 22 + 0);

    // hash_serialized_3 byte by byte: outpoint, height * 2 + coinbase (4
    // bytes), amount (8 bytes), script length and script; double SHA-256.
    std::vector<unsigned char> ser;
    for (const auto& [outpoint, coin] : view.coins) {
        ser.insert(ser.end(), outpoint.hash.begin(), outpoint.hash.end());
        AppendLE(ser, outpoint.n, 4);
        AppendLE(ser, coin.height * 2 + (coin.coinbase ? 1 : 0), 4);
        AppendLE(ser, static_cast<uint64_t>(coin.out.value), 8);
        ser.push_back(static_cast<unsigned char>(coin.out.script_pubkey.size()));
        ser.insert(ser.end(), coin.out.script_pubkey.begin(), coin.out.script_pubkey.end());
    }
    uint256 once, twice;
    Sha256().Write(ser).Finalize(std::span<unsigned char, 32>(once.data(), 32));
    Sha256().Write(once).Finalize(std::span<unsigned char, 32>(twice.data(), 32));
    BOOST_CHECK_EQUAL(stats.hash.GetHex(), twice.GetHex());

    // muhash: MuHash3072 over the same per-coin serialization, in any order.
    MuHash3072 muhash;
    size_t pos = 0;
    std::vector<std::vector<unsigned char>> elements;
    for (const auto& [outpoint, coin] : view.coins) {
        const size_t size = 36 + 4 + 8 + 1 + coin.out.script_pubkey.size();
        elements.emplace_back(ser.begin() + pos, ser.begin() + pos + size);
        pos += size;
    }
    for (auto it = elements.rbegin(); it != elements.rend(); ++it) muhash.Insert(*it);
    BOOST_CHECK_EQUAL(ComputeUtxoSetStats(view, UtxoHashType::MUHASH).hash.GetHex(), muhash.Finalize().GetHex());

    BOOST_CHECK(ComputeUtxoSetStats(view, UtxoHashType::NONE).hash.IsNull());
    MapView empty;
    BOOST_CHECK_EQUAL(ComputeUtxoSetStats(empty).txouts, 0);
}

BOOST_AUTO_TEST_CASE(muhash3072)
{
    // Bitcoin Core's MuHash3072 vector: insert {0,0..}, insert {1,0..}, remove {2,0..}.
    unsigned char zero[32] = {0}, one[32] = {1}, two[32] = {2};
    MuHash3072 acc;
    acc.Insert(zero).Insert(one).Remove(two);
    BOOST_CHECK_EQUAL(acc.Finalize().GetHex(), "10d312b100cbd32ada024a6646e40d3482fcff103668d2625f10002a607d5863");

    // A multiset: order does not matter, a removal undoes an insertion.
    MuHash3072 a, b, c;
    a.Insert(zero).Insert(one);
    b.Insert(one).Insert(zero);
    c.Insert(zero).Insert(two).Insert(one).Remove(two);
    BOOST_CHECK_EQUAL(a.Finalize().GetHex(), b.Finalize().GetHex());
    BOOST_CHECK_EQUAL(a.Finalize().GetHex(), c.Finalize().GetHex());
    BOOST_CHECK(a.Finalize() != MuHash3072().Finalize());

    // RFC 8439 section 2.3.2: the ChaCha20 block function.
    std::array<unsigned char, 32> key;
    for (int i = 0; i < 32; ++i) key[i] = static_cast<unsigned char>(i);
    const std::array<unsigned char, 12> nonce{0, 0, 0, 9, 0, 0, 0, 0x4a, 0, 0, 0, 0};
    std::array<unsigned char, 64> block;
    ChaCha20Keystream(key, 1, block, nonce);
    BOOST_CHECK_EQUAL(HexStr(block),
                      "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
                      "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e");

    // Inverse: x * x^-1 = 1.
    std::array<unsigned char, Num3072::BYTE_SIZE> bytes;
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<unsigned char>(i * 7 + 3);
    Num3072 x(bytes);
    Num3072 product = x;
    product.Multiply(x.Inverse());
    std::array<unsigned char, Num3072::BYTE_SIZE> unit{};
    unit[0] = 1;
    BOOST_CHECK(product.ToBytes() == unit);
}

BOOST_AUTO_TEST_SUITE_END()
