// Script verification of real mainnet block 866342 (7,972 inputs: P2PKH,
// P2SH, P2WPKH, P2WSH, taproot key and script paths):
//   - the whole block on 1 and 2 threads, with and without the signature cache;
//   - ECDSA and Schnorr checks per second through the signature checker, with
//     a warm cache (every lookup a hit) and without one, next to the bare
//     libsecp256k1 verify call;
//   - the interpreter's overhead on a P2WPKH input: the time of verifying the
//     input minus the time of the secp256k1 verify inside it, as a fraction.

#include <primitives/block.h>
#include <primitives/transaction.h>
#include <script/interpreter.h>
#include <script/sigcache.h>
#include <script/sighash.h>
#include <streams.h>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr uint32_t MAINNET_FLAGS = SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_DERSIG | SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY |
                                   SCRIPT_VERIFY_CHECKSEQUENCEVERIFY | SCRIPT_VERIFY_WITNESS |
                                   SCRIPT_VERIFY_NULLDUMMY | SCRIPT_VERIFY_TAPROOT;

std::vector<unsigned char> ReadFile(const std::string& relative)
{
    const std::string path = std::string{SHARED_TESTVECTORS_DIR} + "/" + relative;
    std::ifstream file{path, std::ios::binary};
    if (!file) throw std::runtime_error("cannot open " + path);
    return {std::istreambuf_iterator<char>{file}, std::istreambuf_iterator<char>{}};
}

std::vector<unsigned char> FromHex(const std::string& hex)
{
    std::vector<unsigned char> out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<unsigned char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return out;
}

struct InputRef {
    const Transaction* tx;
    unsigned index;
    const PrecomputedTransactionData* txdata;
    const TxOut* spent;
};

// The block, what its inputs spend and each transaction's precomputed hashes, loaded once.
struct BlockData {
    Block block;
    std::vector<std::vector<TxOut>> spent; // per transaction, input order
    std::vector<std::unique_ptr<PrecomputedTransactionData>> txdata;
    std::vector<InputRef> inputs;          // every non-coinbase input
    std::vector<InputRef> p2wpkh;          // witness v0 key hash spends
    std::vector<InputRef> taproot_keypath; // one witness element (no annex)
};

const BlockData& Block866342()
{
    static const BlockData data = [] {
        BlockData d;
        const std::vector<unsigned char> raw = ReadFile("blocks/mainnet_block_866342.raw");
        SpanReader reader{raw};
        reader >> TX_WITH_WITNESS(d.block);
        std::ifstream utxo_file{std::string{SHARED_TESTVECTORS_DIR} + "/blocks/mainnet_block_866342_spent_utxos.json"};
        const nlohmann::json utxos = nlohmann::json::parse(utxo_file);
        size_t next = 0;
        d.spent.resize(d.block.vtx.size());
        d.txdata.resize(d.block.vtx.size());
        for (size_t t = 0; t < d.block.vtx.size(); ++t) {
            const Transaction& tx = *d.block.vtx[t];
            if (tx.IsCoinBase()) continue;
            for (size_t i = 0; i < tx.vin.size(); ++i) {
                const auto& txout = utxos.at(next++).at("txout");
                TxOut out;
                out.value = txout.at("value").get<int64_t>();
                const auto script = FromHex(txout.at("script_pubkey").get<std::string>());
                out.script_pubkey.assign(script.begin(), script.end());
                d.spent[t].push_back(out);
            }
            d.txdata[t] = std::make_unique<PrecomputedTransactionData>();
            d.txdata[t]->Init(tx, d.spent[t]);
        }
        if (next != utxos.size()) throw std::runtime_error("spent outputs do not match the block");
        for (size_t t = 1; t < d.block.vtx.size(); ++t) {
            const Transaction& tx = *d.block.vtx[t];
            for (unsigned i = 0; i < tx.vin.size(); ++i) {
                const InputRef ref{&tx, i, d.txdata[t].get(), &d.spent[t][i]};
                d.inputs.push_back(ref);
                const Script& spk = d.spent[t][i].script_pubkey;
                const auto& witness = tx.vin[i].witness.stack;
                if (spk.size() == 22 && spk[0] == 0x00 && spk[1] == 0x14 && witness.size() == 2) d.p2wpkh.push_back(ref);
                if (spk.size() == 34 && spk[0] == 0x51 && spk[1] == 0x20 && witness.size() == 1) d.taproot_keypath.push_back(ref);
            }
        }
        return d;
    }();
    return data;
}

bool VerifyOne(const InputRef& in, SignatureCache* cache)
{
    const TxIn& txin = in.tx->vin[in.index];
    const TransactionSignatureChecker checker{in.tx, in.index, in.spent->value, *in.txdata, cache};
    return VerifyScript(txin.script_sig, in.spent->script_pubkey, &txin.witness, MAINNET_FLAGS, checker);
}

// Verifies inputs [begin, end) and counts failures (there must be none).
size_t VerifyRange(const std::vector<InputRef>& inputs, size_t begin, size_t end, SignatureCache* cache)
{
    size_t failures = 0;
    for (size_t i = begin; i < end; ++i) failures += VerifyOne(inputs[i], cache) ? 0 : 1;
    return failures;
}

// All inputs of the block on `threads` std::threads, each a contiguous share of the inputs.
size_t VerifyBlockInputs(const BlockData& data, unsigned threads, SignatureCache* cache)
{
    const size_t n = data.inputs.size();
    std::vector<size_t> failures(threads, 0);
    std::vector<std::thread> workers;
    for (unsigned t = 1; t < threads; ++t) {
        workers.emplace_back([&, t] { failures[t] = VerifyRange(data.inputs, n * t / threads, n * (t + 1) / threads, cache); });
    }
    failures[0] = VerifyRange(data.inputs, 0, n / threads, cache);
    for (auto& w : workers) w.join();
    size_t total = 0;
    for (size_t f : failures) total += f;
    return total;
}

void VerifyBlock(benchmark::State& state)
{
    const BlockData& data = Block866342();
    const unsigned threads = static_cast<unsigned>(state.range(0));
    const bool with_cache = state.range(1) != 0;
    std::unique_ptr<SignatureCache> cache;
    if (with_cache) {
        cache = std::make_unique<SignatureCache>();
        VerifyBlockInputs(data, 1, cache.get()); // as if every transaction had passed the mempool
    }
    for (auto _ : state) {
        if (VerifyBlockInputs(data, threads, cache.get()) != 0) state.SkipWithError("an input failed");
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * data.inputs.size()));
    state.SetLabel(std::to_string(data.inputs.size()) + " inputs, " + std::to_string(threads) + " thread(s), " +
                   (with_cache ? "warm signature cache" : "no signature cache"));
}

// ---------------------------------------------------------------------------
// Signature checks one at a time.

Script P2pkhScriptCode(const Script& p2wpkh)
{
    // OP_DUP OP_HASH160 <20-byte key hash> OP_EQUALVERIFY OP_CHECKSIG (BIP143)
    Script code(25);
    code[0] = 0x76;
    code[1] = 0xa9;
    code[2] = 0x14;
    std::copy(p2wpkh.begin() + 2, p2wpkh.begin() + 22, code.begin() + 3);
    code[23] = 0x88;
    code[24] = 0xac;
    return code;
}

void EcdsaThroughChecker(benchmark::State& state)
{
    const BlockData& data = Block866342();
    const bool with_cache = state.range(0) != 0;
    SignatureCache cache;
    std::vector<Script> codes;
    for (const InputRef& in : data.p2wpkh) codes.push_back(P2pkhScriptCode(in.spent->script_pubkey));
    auto check = [&](size_t i, SignatureCache* c) {
        const InputRef& in = data.p2wpkh[i];
        const auto& witness = in.tx->vin[in.index].witness.stack;
        const TransactionSignatureChecker checker{in.tx, in.index, in.spent->value, *in.txdata, c};
        return checker.CheckECDSASignature(witness[0], witness[1], codes[i], SigVersion::WITNESS_V0);
    };
    if (with_cache) {
        for (size_t i = 0; i < data.p2wpkh.size(); ++i) check(i, &cache);
    }
    size_t i = 0;
    for (auto _ : state) {
        if (!check(i, with_cache ? &cache : nullptr)) state.SkipWithError("signature failed");
        if (++i == data.p2wpkh.size()) i = 0;
    }
    state.SetItemsProcessed(state.iterations());
    state.SetLabel(std::to_string(data.p2wpkh.size()) + " P2WPKH signatures in turn, BIP143 hash included, " +
                   (with_cache ? "cache hit" : "no cache"));
}

void SchnorrThroughChecker(benchmark::State& state)
{
    const BlockData& data = Block866342();
    const bool with_cache = state.range(0) != 0;
    SignatureCache cache;
    ScriptExecutionData execdata;
    execdata.annex_init = true;
    execdata.annex_present = false;
    auto check = [&](size_t i, SignatureCache* c) {
        const InputRef& in = data.taproot_keypath[i];
        const auto& sig = in.tx->vin[in.index].witness.stack[0];
        const std::span<const unsigned char> key{in.spent->script_pubkey.data() + 2, 32};
        const TransactionSignatureChecker checker{in.tx, in.index, in.spent->value, *in.txdata, c};
        return checker.CheckSchnorrSignature(sig, key, SigVersion::TAPROOT, execdata);
    };
    if (with_cache) {
        for (size_t i = 0; i < data.taproot_keypath.size(); ++i) check(i, &cache);
    }
    size_t i = 0;
    for (auto _ : state) {
        if (!check(i, with_cache ? &cache : nullptr)) state.SkipWithError("signature failed");
        if (++i == data.taproot_keypath.size()) i = 0;
    }
    state.SetItemsProcessed(state.iterations());
    state.SetLabel(std::to_string(data.taproot_keypath.size()) + " taproot key-path signatures in turn, BIP341 hash included, " +
                   (with_cache ? "cache hit" : "no cache"));
}

// Parsed once, verified many times: the bare library cost.
struct ParsedEcdsa {
    secp256k1_pubkey pubkey;
    secp256k1_ecdsa_signature sig;
    std::array<unsigned char, 32> hash;
};

secp256k1_context* VerifyContext()
{
    static secp256k1_context* const ctx = secp256k1_context_create(SECP256K1_CONTEXT_VERIFY);
    return ctx;
}

const std::vector<ParsedEcdsa>& ParsedP2wpkhSignatures()
{
    static const std::vector<ParsedEcdsa> parsed = [] {
        const BlockData& data = Block866342();
        std::vector<ParsedEcdsa> out;
        for (const InputRef& in : data.p2wpkh) {
            const auto& witness = in.tx->vin[in.index].witness.stack;
            ParsedEcdsa p;
            const uint256 hash = SignatureHash(P2pkhScriptCode(in.spent->script_pubkey), *in.tx, in.index,
                                               witness[0].back(), in.spent->value, SigVersion::WITNESS_V0, in.txdata);
            std::copy(hash.begin(), hash.end(), p.hash.begin());
            if (!secp256k1_ec_pubkey_parse(VerifyContext(), &p.pubkey, witness[1].data(), witness[1].size()) ||
                !secp256k1_ecdsa_signature_parse_der(VerifyContext(), &p.sig, witness[0].data(), witness[0].size() - 1)) {
                continue; // not strict DER: left out of the bare measurement
            }
            secp256k1_ecdsa_signature_normalize(VerifyContext(), &p.sig, &p.sig);
            out.push_back(p);
        }
        return out;
    }();
    return parsed;
}

void EcdsaBareSecp256k1(benchmark::State& state)
{
    const auto& parsed = ParsedP2wpkhSignatures();
    size_t i = 0;
    for (auto _ : state) {
        const ParsedEcdsa& p = parsed[i];
        if (!secp256k1_ecdsa_verify(VerifyContext(), &p.sig, p.hash.data(), &p.pubkey)) state.SkipWithError("signature failed");
        if (++i == parsed.size()) i = 0;
    }
    state.SetItemsProcessed(state.iterations());
    state.SetLabel("secp256k1_ecdsa_verify on pre-parsed key and signature");
}

void SchnorrBareSecp256k1(benchmark::State& state)
{
    const BlockData& data = Block866342();
    struct Parsed {
        secp256k1_xonly_pubkey key;
        std::array<unsigned char, 64> sig;
        std::array<unsigned char, 32> msg;
    };
    std::vector<Parsed> parsed;
    ScriptExecutionData execdata;
    execdata.annex_init = true;
    execdata.annex_present = false;
    for (const InputRef& in : data.taproot_keypath) {
        const auto& sig = in.tx->vin[in.index].witness.stack[0];
        Parsed p;
        uint256 msg;
        const uint8_t hash_type = sig.size() == 65 ? sig[64] : 0;
        if (!SignatureHashSchnorr(msg, execdata, *in.tx, in.index, hash_type, SigVersion::TAPROOT, *in.txdata)) continue;
        if (!secp256k1_xonly_pubkey_parse(VerifyContext(), &p.key, in.spent->script_pubkey.data() + 2)) continue;
        std::copy(sig.begin(), sig.begin() + 64, p.sig.begin());
        std::copy(msg.begin(), msg.end(), p.msg.begin());
        parsed.push_back(p);
    }
    size_t i = 0;
    for (auto _ : state) {
        const Parsed& p = parsed[i];
        if (!secp256k1_schnorrsig_verify(VerifyContext(), p.sig.data(), p.msg.data(), 32, &p.key)) {
            state.SkipWithError("signature failed");
        }
        if (++i == parsed.size()) i = 0;
    }
    state.SetItemsProcessed(state.iterations());
    state.SetLabel("secp256k1_schnorrsig_verify on pre-parsed key");
}

// One P2WPKH input through VerifyScript (no cache) against the bare
// secp256k1 work for its signature, over the same inputs: the difference is
// everything the interpreter adds (witness program dispatch, script
// evaluation, signature encoding checks, BIP143 hashing with precomputed
// midstates, the wrappers). Two baselines: the verify call alone, and the
// verify plus parsing the key and the DER signature (also secp256k1 calls).
// Timed in thread CPU time, so other processes on the machine do not count.
double ThreadCpuNanoseconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

bool ParseAndVerify(const InputRef& in, const ParsedEcdsa& p)
{
    const auto& witness = in.tx->vin[in.index].witness.stack;
    secp256k1_pubkey key;
    secp256k1_ecdsa_signature sig;
    if (!secp256k1_ec_pubkey_parse(VerifyContext(), &key, witness[1].data(), witness[1].size())) return false;
    if (!secp256k1_ecdsa_signature_parse_der(VerifyContext(), &sig, witness[0].data(), witness[0].size() - 1)) return false;
    secp256k1_ecdsa_signature_normalize(VerifyContext(), &sig, &sig);
    return secp256k1_ecdsa_verify(VerifyContext(), &sig, p.hash.data(), &key);
}

void P2wpkhOverhead(benchmark::State& state)
{
    const BlockData& data = Block866342();
    const auto& parsed = ParsedP2wpkhSignatures();
    if (parsed.size() != data.p2wpkh.size()) {
        state.SkipWithError("some P2WPKH signature is not strict DER");
        return;
    }
    double full = 0, verify_only = 0, parse_and_verify = 0;
    size_t rounds = 0;
    for (auto _ : state) {
        const double t0 = ThreadCpuNanoseconds();
        for (const InputRef& in : data.p2wpkh) {
            if (!VerifyOne(in, nullptr)) state.SkipWithError("input failed");
        }
        const double t1 = ThreadCpuNanoseconds();
        for (const ParsedEcdsa& p : parsed) {
            if (!secp256k1_ecdsa_verify(VerifyContext(), &p.sig, p.hash.data(), &p.pubkey)) state.SkipWithError("signature failed");
        }
        const double t2 = ThreadCpuNanoseconds();
        for (size_t i = 0; i < parsed.size(); ++i) {
            if (!ParseAndVerify(data.p2wpkh[i], parsed[i])) state.SkipWithError("signature failed");
        }
        const double t3 = ThreadCpuNanoseconds();
        full += t1 - t0;
        verify_only += t2 - t1;
        parse_and_verify += t3 - t2;
        ++rounds;
    }
    const double n = static_cast<double>(rounds * data.p2wpkh.size());
    const double per_input = full / n;
    state.counters["input_ns"] = per_input;
    state.counters["verify_ns"] = verify_only / n;
    state.counters["parse_verify_ns"] = parse_and_verify / n;
    state.counters["overhead_vs_verify"] = (per_input - verify_only / n) / per_input;
    state.counters["overhead_vs_parse_verify"] = (per_input - parse_and_verify / n) / per_input;
    state.SetLabel(std::to_string(data.p2wpkh.size()) + " P2WPKH inputs, thread CPU time");
}

} // namespace

BENCHMARK(VerifyBlock)
    ->ArgNames({"threads", "cache"})
    ->Args({1, 0})
    ->Args({2, 0})
    ->Args({1, 1})
    ->Args({2, 1})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5)
    ->UseRealTime();
BENCHMARK(EcdsaThroughChecker)->ArgName("cache")->Arg(0)->Arg(1);
BENCHMARK(SchnorrThroughChecker)->ArgName("cache")->Arg(0)->Arg(1);
BENCHMARK(EcdsaBareSecp256k1);
BENCHMARK(SchnorrBareSecp256k1);
BENCHMARK(P2wpkhOverhead)->Unit(benchmark::kMillisecond)->Iterations(5);
