// Signing and verification speed of the key wrappers: ECDSA (with and without
// low-R grinding) and BIP340 Schnorr signatures per second, and verifications
// per second straight through PubKey / XOnlyPubKey, without the signature
// cache (verify_bench measures through it). The raw libsecp256k1 calls on
// pre-parsed inputs are the floor the wrappers are compared against.
#include <crypto/bip32.h>
#include <crypto/hash.h>
#include <crypto/key.h>
#include <crypto/pubkey.h>

#include <benchmark/benchmark.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include <array>
#include <vector>

namespace {

constexpr size_t MESSAGES = 256;

struct Fixture {
    Key key;
    std::vector<std::array<unsigned char, 32>> hashes;
    std::vector<std::vector<unsigned char>> ecdsa_sigs;
    std::vector<std::array<unsigned char, 64>> schnorr_sigs;

    Fixture()
    {
        std::array<unsigned char, 32> secret{};
        secret[31] = 0x2a;
        secret[0] = 0x5c;
        key.Set(secret, true);
        const std::array<unsigned char, 32> aux{};
        for (size_t i = 0; i < MESSAGES; ++i) {
            std::array<unsigned char, 32> hash;
            const unsigned char index[2] = {static_cast<unsigned char>(i), static_cast<unsigned char>(i >> 8)};
            Hash256{}.Write(index).Finalize(hash);
            hashes.push_back(hash);
            std::vector<unsigned char> der;
            key.SignEcdsa(hash, der);
            ecdsa_sigs.push_back(der);
            std::array<unsigned char, 64> sig;
            key.SignSchnorr(hash, sig, nullptr, aux);
            schnorr_sigs.push_back(sig);
        }
    }
};

const Fixture& fixture()
{
    static const Fixture f;
    return f;
}

void EcdsaSign(benchmark::State& state, bool grind)
{
    const Fixture& f = fixture();
    std::vector<unsigned char> der;
    size_t i = 0;
    for (auto _ : state) {
        f.key.SignEcdsa(f.hashes[i++ % MESSAGES], der, grind);
        benchmark::DoNotOptimize(der.data());
    }
    state.SetItemsProcessed(state.iterations());
}

void EcdsaSignGrind(benchmark::State& state) { EcdsaSign(state, true); }
void EcdsaSignNoGrind(benchmark::State& state) { EcdsaSign(state, false); }

void SchnorrSign(benchmark::State& state)
{
    const Fixture& f = fixture();
    const std::array<unsigned char, 32> aux{};
    std::array<unsigned char, 64> sig;
    size_t i = 0;
    for (auto _ : state) {
        f.key.SignSchnorr(f.hashes[i++ % MESSAGES], sig, nullptr, aux);
        benchmark::DoNotOptimize(sig.data());
    }
    state.SetItemsProcessed(state.iterations());
}

void EcdsaVerify(benchmark::State& state)
{
    const Fixture& f = fixture();
    const PubKey pubkey = f.key.GetPubKey();
    size_t i = 0;
    for (auto _ : state) {
        const size_t n = i++ % MESSAGES;
        if (!pubkey.VerifyEcdsa(f.hashes[n], f.ecdsa_sigs[n])) state.SkipWithError("signature did not verify");
    }
    state.SetItemsProcessed(state.iterations());
}

void SchnorrVerify(benchmark::State& state)
{
    const Fixture& f = fixture();
    const XOnlyPubKey pubkey = f.key.GetXOnlyPubKey();
    size_t i = 0;
    for (auto _ : state) {
        const size_t n = i++ % MESSAGES;
        if (!pubkey.VerifySchnorr(f.hashes[n], f.schnorr_sigs[n])) state.SkipWithError("signature did not verify");
    }
    state.SetItemsProcessed(state.iterations());
}

// The library alone, inputs parsed once outside the loop: what the wrappers
// (parsing the key and the DER signature on every call) add on top.
void RawSecpEcdsaVerify(benchmark::State& state)
{
    const Fixture& f = fixture();
    const secp256k1_context* ctx = secp256k1_context_static;
    const PubKey pubkey = f.key.GetPubKey();
    secp256k1_pubkey point;
    if (!secp256k1_ec_pubkey_parse(ctx, &point, pubkey.data(), pubkey.size())) state.SkipWithError("bad key");
    std::vector<secp256k1_ecdsa_signature> sigs(MESSAGES);
    for (size_t n = 0; n < MESSAGES; ++n) {
        if (!secp256k1_ecdsa_signature_parse_der(ctx, &sigs[n], f.ecdsa_sigs[n].data(), f.ecdsa_sigs[n].size())) {
            state.SkipWithError("bad signature");
        }
    }
    size_t i = 0;
    for (auto _ : state) {
        const size_t n = i++ % MESSAGES;
        benchmark::DoNotOptimize(secp256k1_ecdsa_verify(ctx, &sigs[n], f.hashes[n].data(), &point));
    }
    state.SetItemsProcessed(state.iterations());
}

void RawSecpSchnorrVerify(benchmark::State& state)
{
    const Fixture& f = fixture();
    const secp256k1_context* ctx = secp256k1_context_static;
    secp256k1_xonly_pubkey xonly;
    if (!secp256k1_xonly_pubkey_parse(ctx, &xonly, f.key.GetXOnlyPubKey().data())) state.SkipWithError("bad key");
    size_t i = 0;
    for (auto _ : state) {
        const size_t n = i++ % MESSAGES;
        benchmark::DoNotOptimize(
            secp256k1_schnorrsig_verify(ctx, f.schnorr_sigs[n].data(), f.hashes[n].data(), 32, &xonly));
    }
    state.SetItemsProcessed(state.iterations());
}

void Bip32DeriveHardened(benchmark::State& state)
{
    const std::array<unsigned char, 16> seed{1, 2, 3};
    const auto master = ExtKey::FromSeed(seed);
    uint32_t child = BIP32_HARDENED;
    for (auto _ : state) benchmark::DoNotOptimize(master->Derive(child++));
    state.SetItemsProcessed(state.iterations());
}

void Bip32DerivePublic(benchmark::State& state)
{
    const std::array<unsigned char, 16> seed{1, 2, 3};
    const ExtPubKey master = ExtKey::FromSeed(seed)->Neuter();
    uint32_t child = 0;
    for (auto _ : state) benchmark::DoNotOptimize(master.Derive(child++ & 0x7fffffff));
    state.SetItemsProcessed(state.iterations());
}

} // namespace

BENCHMARK(EcdsaSignGrind);
BENCHMARK(EcdsaSignNoGrind);
BENCHMARK(SchnorrSign);
BENCHMARK(EcdsaVerify);
BENCHMARK(SchnorrVerify);
BENCHMARK(RawSecpEcdsaVerify);
BENCHMARK(RawSecpSchnorrVerify);
BENCHMARK(Bip32DeriveHardened);
BENCHMARK(Bip32DerivePublic);
