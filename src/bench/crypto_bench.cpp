// Our hash functions against OpenSSL's libcrypto on the same inputs: the
// issue's target is hashing at least as fast as OpenSSL on this machine.
// Every OpenSSL benchmark first checks that OpenSSL computes the same digest.

#include <crypto/hash.h>
#include <crypto/ripemd160.h>
#include <crypto/sha256.h>
#include <crypto/sha256_backend.h>
#include <crypto/sha512.h>
#include <crypto/siphash.h>

#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/sha.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace {

constexpr int64_t MIB = 1 << 20;

std::vector<unsigned char> Input(size_t size)
{
    std::vector<unsigned char> data(size);
    for (size_t i = 0; i < size; ++i) data[i] = static_cast<unsigned char>(i * 131 + 7);
    return data;
}

template <typename Hasher>
void OneShot(const std::vector<unsigned char>& data, unsigned char* out)
{
    Hasher().Write(data).Finalize(std::span<unsigned char, Hasher::OUTPUT_SIZE>(out, Hasher::OUTPUT_SIZE));
}

// Hashes state.range(0) bytes per iteration with hash(data, out).
template <typename HashFn>
void Throughput(benchmark::State& state, HashFn hash)
{
    const auto data = Input(state.range(0));
    unsigned char out[64];
    for (auto _ : state) {
        hash(data, out);
        benchmark::DoNotOptimize(out);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}

// OpenSSL's EVP interface the fast way: the algorithm fetched once and one
// context reused, so only the hashing itself is timed.
class OpenSslDigest {
public:
    explicit OpenSslDigest(const char* name) : m_md(EVP_MD_fetch(nullptr, name, nullptr)), m_ctx(EVP_MD_CTX_new()) {}
    ~OpenSslDigest()
    {
        EVP_MD_CTX_free(m_ctx);
        EVP_MD_free(m_md);
    }
    OpenSslDigest(const OpenSslDigest&) = delete;
    OpenSslDigest& operator=(const OpenSslDigest&) = delete;

    bool Available() const { return m_md != nullptr && m_ctx != nullptr; }
    void Hash(const unsigned char* data, size_t size, unsigned char* out)
    {
        EVP_DigestInit_ex2(m_ctx, m_md, nullptr);
        EVP_DigestUpdate(m_ctx, data, size);
        EVP_DigestFinal_ex(m_ctx, out, nullptr);
    }

private:
    EVP_MD* m_md;
    EVP_MD_CTX* m_ctx;
};

// RIPEMD-160 may live in OpenSSL 3's legacy provider; load it if the default
// provider lacks it.
void LoadLegacyProviderOnce()
{
    static OSSL_PROVIDER* legacy = [] {
        OSSL_PROVIDER* provider = nullptr;
        if (EVP_MD* md = EVP_MD_fetch(nullptr, "RIPEMD160", nullptr)) {
            EVP_MD_free(md);
        } else {
            OSSL_PROVIDER_load(nullptr, "default");
            provider = OSSL_PROVIDER_load(nullptr, "legacy");
        }
        return provider;
    }();
    (void)legacy;
}

template <typename Hasher>
void CompareWithOpenSsl(benchmark::State& state, OpenSslDigest& digest, const char* name)
{
    if (!digest.Available()) {
        state.SkipWithError((std::string(name) + " not available in this OpenSSL").c_str());
        return;
    }
    const auto probe = Input(1000);
    unsigned char ours[Hasher::OUTPUT_SIZE], theirs[EVP_MAX_MD_SIZE];
    OneShot<Hasher>(probe, ours);
    digest.Hash(probe.data(), probe.size(), theirs);
    if (std::memcmp(ours, theirs, sizeof(ours)) != 0) {
        state.SkipWithError("OpenSSL and we disagree");
        return;
    }
    Throughput(state, [&](const std::vector<unsigned char>& data, unsigned char* out) {
        digest.Hash(data.data(), data.size(), out);
    });
}

// ---- SHA-256 ---------------------------------------------------------------

void Sha256Ours(benchmark::State& state)
{
    state.SetLabel(Sha256Implementation());
    Throughput(state, OneShot<Sha256>);
}

void Sha256Generic(benchmark::State& state)
{
    sha256_backend::ForceGeneric(true);
    state.SetLabel(Sha256Implementation());
    Throughput(state, OneShot<Sha256>);
    sha256_backend::ForceGeneric(false);
}

void Sha256OpenSslEvp(benchmark::State& state)
{
    OpenSslDigest digest("SHA256");
    CompareWithOpenSsl<Sha256>(state, digest, "SHA256");
}

// The one-shot SHA256() function, without EVP's dispatch.
void Sha256OpenSslOneShot(benchmark::State& state)
{
    Throughput(state, [](const std::vector<unsigned char>& data, unsigned char* out) {
        SHA256(data.data(), data.size(), out);
    });
}

// ---- double SHA-256 of 64-byte inputs (merkle inner nodes) -----------------

// state.range(0) inputs of 64 bytes per iteration; reports inputs per second.
template <typename D64Fn>
void DoubleSha64(benchmark::State& state, D64Fn hash_all)
{
    const size_t count = state.range(0);
    const auto in = Input(64 * count);
    std::vector<unsigned char> out(32 * count);
    for (auto _ : state) {
        hash_all(out.data(), in.data(), count);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * count);
    state.SetBytesProcessed(state.iterations() * count * 64);
}

void Sha256D64Batch(benchmark::State& state)
{
    state.SetLabel(Sha256Implementation());
    DoubleSha64(state, Sha256D64);
}

void Sha256D64BatchGeneric(benchmark::State& state)
{
    sha256_backend::ForceGeneric(true);
    DoubleSha64(state, Sha256D64);
    sha256_backend::ForceGeneric(false);
}

// Through the general-purpose Hash256, one input at a time.
void Sha256D64OneAtATime(benchmark::State& state)
{
    state.SetLabel(Sha256Implementation());
    DoubleSha64(state, [](unsigned char* out, const unsigned char* in, size_t count) {
        for (size_t i = 0; i < count; ++i) {
            Hash256().Write({in + 64 * i, 64}).Finalize(std::span<unsigned char, 32>(out + 32 * i, 32));
        }
    });
}

// OpenSSL's fastest way for short inputs: EVP with a reused context.
void Sha256D64OpenSsl(benchmark::State& state)
{
    OpenSslDigest digest("SHA256");
    DoubleSha64(state, [&digest](unsigned char* out, const unsigned char* in, size_t count) {
        for (size_t i = 0; i < count; ++i) {
            unsigned char first[32];
            digest.Hash(in + 64 * i, 64, first);
            digest.Hash(first, 32, out + 32 * i);
        }
    });
}

// Sha256D64 without the AVX-512 path: SHA-NI (or generic) for every input.
// The AVX2 path alone, eight inputs at a time (used on CPUs without SHA-NI
// and AVX-512; measured here to justify that choice).
void Sha256D64Avx2(benchmark::State& state)
{
    const sha256_backend::D64WideFn avx2 = sha256_backend::Avx2D64();
    if (!avx2 || !sha256_backend::CpuHasAvx2()) {
        state.SkipWithError("no AVX2");
        return;
    }
    DoubleSha64(state, [avx2](unsigned char* out, const unsigned char* in, size_t count) { avx2(out, in, count); });
}

void Sha256D64BatchNoAvx512(benchmark::State& state)
{
    const sha256_backend::Backend* shani = sha256_backend::ShaNiBackend();
    const bool use_shani = shani && sha256_backend::CpuHasShaNi();
    state.SetLabel(use_shani ? "sha-ni" : "generic");
    DoubleSha64(state, use_shani ? shani->d64 : sha256_backend::GENERIC.d64);
}

// ---- SHA-512, RIPEMD-160 ---------------------------------------------------

void Sha512Ours(benchmark::State& state) { Throughput(state, OneShot<Sha512>); }

void Sha512OpenSslEvp(benchmark::State& state)
{
    OpenSslDigest digest("SHA512");
    CompareWithOpenSsl<Sha512>(state, digest, "SHA512");
}

void Sha512OpenSslOneShot(benchmark::State& state)
{
    Throughput(state, [](const std::vector<unsigned char>& data, unsigned char* out) {
        SHA512(data.data(), data.size(), out);
    });
}

void Ripemd160Ours(benchmark::State& state) { Throughput(state, OneShot<Ripemd160>); }

void Ripemd160OpenSslEvp(benchmark::State& state)
{
    LoadLegacyProviderOnce();
    OpenSslDigest digest("RIPEMD160");
    CompareWithOpenSsl<Ripemd160>(state, digest, "RIPEMD160");
}

// ---- SipHash-2-4 of 32 bytes (hash-table keys: txids) ----------------------

constexpr uint64_t SIP_K0 = 0x0706050403020100, SIP_K1 = 0x0f0e0d0c0b0a0908;

void SipHashUint256Ours(benchmark::State& state)
{
    auto value = Input(32);
    for (auto _ : state) {
        const uint64_t hash = SipHashUint256(SIP_K0, SIP_K1, std::span<const unsigned char, 32>(value.data(), 32));
        benchmark::DoNotOptimize(hash);
        value[0] = static_cast<unsigned char>(hash); // a dependency, so calls do not overlap unrealistically
    }
    state.SetItemsProcessed(state.iterations());
}

void SipHasherOurs(benchmark::State& state)
{
    auto value = Input(32);
    for (auto _ : state) {
        const uint64_t hash = SipHasher(SIP_K0, SIP_K1).Write(value).Finalize();
        benchmark::DoNotOptimize(hash);
        value[0] = static_cast<unsigned char>(hash);
    }
    state.SetItemsProcessed(state.iterations());
}

// OpenSSL 3 offers SipHash as an EVP_MAC; 8-byte output is SipHash-2-4-64.
void SipHashOpenSsl(benchmark::State& state)
{
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "SIPHASH", nullptr);
    EVP_MAC_CTX* ctx = mac ? EVP_MAC_CTX_new(mac) : nullptr;
    if (!ctx) {
        state.SkipWithError("SIPHASH not available in this OpenSSL");
        EVP_MAC_free(mac);
        return;
    }
    size_t out_size = 8;
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &out_size), OSSL_PARAM_construct_end()};
    unsigned char key[16];
    for (int i = 0; i < 16; ++i) key[i] = static_cast<unsigned char>(i);
    auto value = Input(32);
    auto hash = [&] {
        unsigned char out[8];
        size_t written = 0;
        EVP_MAC_init(ctx, key, sizeof(key), params);
        EVP_MAC_update(ctx, value.data(), value.size());
        EVP_MAC_final(ctx, out, &written, sizeof(out));
        uint64_t result = 0;
        for (int i = 7; i >= 0; --i) result = (result << 8) | out[i];
        return result;
    };
    if (hash() != SipHashUint256(SIP_K0, SIP_K1, std::span<const unsigned char, 32>(value.data(), 32))) {
        state.SkipWithError("OpenSSL and we disagree");
    } else {
        for (auto _ : state) {
            const uint64_t result = hash();
            benchmark::DoNotOptimize(result);
            value[0] = static_cast<unsigned char>(result);
        }
        state.SetItemsProcessed(state.iterations());
    }
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
}

} // namespace

BENCHMARK(Sha256Ours)->Arg(64)->Arg(MIB);
BENCHMARK(Sha256Generic)->Arg(64)->Arg(MIB);
BENCHMARK(Sha256OpenSslEvp)->Arg(64)->Arg(MIB);
BENCHMARK(Sha256OpenSslOneShot)->Arg(64)->Arg(MIB);

BENCHMARK(Sha256D64Batch)->Arg(1)->Arg(2)->Arg(4)->Arg(16)->Arg(1024);
BENCHMARK(Sha256D64BatchNoAvx512)->Arg(1024);
BENCHMARK(Sha256D64Avx2)->Arg(1024);
BENCHMARK(Sha256D64BatchGeneric)->Arg(1024);
BENCHMARK(Sha256D64OneAtATime)->Arg(1024);
BENCHMARK(Sha256D64OpenSsl)->Arg(1024);

BENCHMARK(Sha512Ours)->Arg(64)->Arg(MIB);
BENCHMARK(Sha512OpenSslEvp)->Arg(64)->Arg(MIB);
BENCHMARK(Sha512OpenSslOneShot)->Arg(64)->Arg(MIB);

BENCHMARK(Ripemd160Ours)->Arg(32)->Arg(MIB);
BENCHMARK(Ripemd160OpenSslEvp)->Arg(32)->Arg(MIB);

BENCHMARK(SipHashUint256Ours);
BENCHMARK(SipHasherOurs);
BENCHMARK(SipHashOpenSsl);
