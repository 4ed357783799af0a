#include <crypto/key.h>

#include <crypto/hash.h>

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sys/random.h>

namespace {

void os_random_bytes(std::span<unsigned char> out)
{
    size_t done = 0;
    while (done < out.size()) {
        const ssize_t got = getrandom(out.data() + done, out.size() - done, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            std::abort();
        }
        done += static_cast<size_t>(got);
    }
}

// Wipes secrets from memory in a way the optimizer may not drop.
template <typename T>
void wipe(T& object)
{
    explicit_bzero(&object, sizeof(object));
}

// One context for the whole process, created on first use and randomized with
// a fresh seed so that timing or power side channels of the signing code see
// blinded values. Const use from many threads is safe.
const secp256k1_context* signing_context()
{
    static const secp256k1_context* const context = [] {
        secp256k1_context* created = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
        std::array<unsigned char, 32> seed;
        os_random_bytes(seed);
        if (created == nullptr || !secp256k1_context_randomize(created, seed.data())) std::abort();
        wipe(seed);
        return created;
    }();
    return context;
}

// The keypair of a valid key, wiped when it goes out of scope.
struct ScopedKeypair {
    secp256k1_keypair keypair;
    bool ok;
    explicit ScopedKeypair(const unsigned char* secret)
        : ok(secp256k1_keypair_create(signing_context(), &keypair, secret) == 1) {}
    ~ScopedKeypair() { wipe(keypair); }
    ScopedKeypair(const ScopedKeypair&) = delete;
    ScopedKeypair& operator=(const ScopedKeypair&) = delete;
};

bool compute_pubkey(const unsigned char* secret, secp256k1_pubkey& pubkey)
{
    return secp256k1_ec_pubkey_create(signing_context(), &pubkey, secret) == 1;
}

// BIP340 TapTweak of an x-only key, over an optional merkle root.
std::array<unsigned char, 32> tap_tweak_hash(std::span<const unsigned char, 32> internal_x,
                                             const std::span<const unsigned char, 32>* merkle_root)
{
    Sha256 hasher = TaggedHasher("TapTweak");
    hasher.Write(internal_x);
    if (merkle_root != nullptr) hasher.Write(*merkle_root);
    std::array<unsigned char, 32> out;
    hasher.Finalize(out);
    return out;
}

// Adds the BIP341 tweak to a keypair in place; false if it is invalid.
bool tweak_keypair(secp256k1_keypair& keypair, const std::span<const unsigned char, 32>* merkle_root)
{
    const secp256k1_context* context = signing_context();
    secp256k1_xonly_pubkey internal;
    std::array<unsigned char, 32> internal_x;
    if (!secp256k1_keypair_xonly_pub(context, &internal, nullptr, &keypair)) return false;
    secp256k1_xonly_pubkey_serialize(context, internal_x.data(), &internal);
    const auto tweak = tap_tweak_hash(internal_x, merkle_root);
    return secp256k1_keypair_xonly_tweak_add(context, &keypair, tweak.data()) == 1;
}

} // namespace

Key::~Key() { wipe(m_secret); }

bool IsValidSecretKey(std::span<const unsigned char> bytes)
{
    return bytes.size() == Key::SIZE && secp256k1_ec_seckey_verify(secp256k1_context_static, bytes.data()) == 1;
}

Key Key::MakeNew(bool compressed)
{
    Key key;
    std::array<unsigned char, SIZE> candidate;
    do {
        os_random_bytes(candidate);
    } while (!key.Set(candidate, compressed));
    wipe(candidate);
    return key;
}

bool Key::Set(std::span<const unsigned char> bytes, bool compressed)
{
    if (!IsValidSecretKey(bytes)) {
        wipe(m_secret);
        m_valid = false;
        return false;
    }
    std::copy(bytes.begin(), bytes.end(), m_secret.begin());
    m_compressed = compressed;
    m_valid = true;
    return true;
}

PubKey Key::GetPubKey() const
{
    secp256k1_pubkey point;
    if (!m_valid || !compute_pubkey(m_secret.data(), point)) return PubKey{};
    std::array<unsigned char, PubKey::SIZE> out;
    size_t out_size = out.size();
    secp256k1_ec_pubkey_serialize(secp256k1_context_static, out.data(), &out_size, &point,
                                  m_compressed ? SECP256K1_EC_COMPRESSED : SECP256K1_EC_UNCOMPRESSED);
    return PubKey{std::span{out.data(), out_size}};
}

XOnlyPubKey Key::GetXOnlyPubKey() const
{
    if (!m_valid) return XOnlyPubKey{};
    ScopedKeypair keypair{m_secret.data()};
    secp256k1_xonly_pubkey xonly;
    if (!keypair.ok || !secp256k1_keypair_xonly_pub(signing_context(), &xonly, nullptr, &keypair.keypair)) {
        return XOnlyPubKey{};
    }
    std::array<unsigned char, XOnlyPubKey::SIZE> out;
    secp256k1_xonly_pubkey_serialize(secp256k1_context_static, out.data(), &xonly);
    return XOnlyPubKey{std::span<const unsigned char, XOnlyPubKey::SIZE>{out}};
}

bool Key::SignEcdsa(std::span<const unsigned char, 32> hash, std::vector<unsigned char>& der_sig, bool grind,
                    uint32_t extra_entropy) const
{
    if (!m_valid) return false;
    const secp256k1_context* context = signing_context();
    // RFC6979 extra data: bytes 0..3 the grinding counter, 4..7 the caller's
    // entropy, both little-endian. All zero means plain RFC6979 (no extra data).
    std::array<unsigned char, 32> extra{};
    for (int i = 0; i < 4; ++i) extra[4 + i] = static_cast<unsigned char>(extra_entropy >> (8 * i));
    secp256k1_ecdsa_signature signature;
    for (uint32_t counter = 0;; ++counter) {
        for (int i = 0; i < 4; ++i) extra[i] = static_cast<unsigned char>(counter >> (8 * i));
        const bool plain = extra_entropy == 0 && counter == 0;
        if (!secp256k1_ecdsa_sign(context, &signature, hash.data(), m_secret.data(), secp256k1_nonce_function_rfc6979,
                                  plain ? nullptr : extra.data())) {
            return false;
        }
        if (!grind) break;
        std::array<unsigned char, 64> compact;
        secp256k1_ecdsa_signature_serialize_compact(secp256k1_context_static, compact.data(), &signature);
        if (compact[0] < 0x80) break; // R < 2^255: no sign-padding byte in DER
    }
    der_sig.resize(MAX_DER_SIZE);
    size_t der_size = der_sig.size();
    secp256k1_ecdsa_signature_serialize_der(secp256k1_context_static, der_sig.data(), &der_size, &signature);
    der_sig.resize(der_size);
    // A signature that does not verify (a fault or a bug) would leak the key
    // to whoever sees it; never hand one out.
    secp256k1_pubkey point;
    return compute_pubkey(m_secret.data(), point) && secp256k1_ecdsa_verify(context, &signature, hash.data(), &point) == 1;
}

bool Key::SignSchnorr(std::span<const unsigned char> msg, std::span<unsigned char, 64> sig,
                      const std::span<const unsigned char, 32>* merkle_root,
                      std::span<const unsigned char, 32> aux) const
{
    if (!m_valid) return false;
    const secp256k1_context* context = signing_context();
    ScopedKeypair keypair{m_secret.data()};
    if (!keypair.ok) return false;
    if (merkle_root != nullptr && !tweak_keypair(keypair.keypair, merkle_root)) return false;

    secp256k1_schnorrsig_extraparams params = SECP256K1_SCHNORRSIG_EXTRAPARAMS_INIT;
    // The library only reads the aux bytes.
    params.ndata = const_cast<unsigned char*>(aux.data());
    if (!secp256k1_schnorrsig_sign_custom(context, sig.data(), msg.data(), msg.size(), &keypair.keypair, &params)) {
        return false;
    }
    secp256k1_xonly_pubkey signer;
    return secp256k1_keypair_xonly_pub(context, &signer, nullptr, &keypair.keypair) &&
           secp256k1_schnorrsig_verify(context, sig.data(), msg.data(), msg.size(), &signer) == 1;
}

std::optional<Key> Key::TaprootTweaked(const std::span<const unsigned char, 32>* merkle_root) const
{
    if (!m_valid) return std::nullopt;
    ScopedKeypair keypair{m_secret.data()};
    if (!keypair.ok || !tweak_keypair(keypair.keypair, merkle_root)) return std::nullopt;
    std::array<unsigned char, SIZE> secret;
    std::optional<Key> out;
    if (secp256k1_keypair_sec(signing_context(), secret.data(), &keypair.keypair)) {
        out.emplace();
        if (!out->Set(secret, true)) out.reset();
    }
    wipe(secret);
    return out;
}

std::optional<Key> Key::TweakAdd(std::span<const unsigned char, 32> tweak) const
{
    if (!m_valid) return std::nullopt;
    std::array<unsigned char, SIZE> secret = m_secret;
    std::optional<Key> out;
    if (secp256k1_ec_seckey_tweak_add(secp256k1_context_static, secret.data(), tweak.data())) {
        out.emplace();
        out->Set(secret, m_compressed);
    }
    wipe(secret);
    return out;
}

bool Key::VerifyPubKey(const PubKey& pubkey) const
{
    if (!m_valid || !pubkey.IsValid()) return false;
    Key same_form = *this;
    same_form.m_compressed = pubkey.IsCompressed();
    return same_form.GetPubKey() == pubkey;
}
