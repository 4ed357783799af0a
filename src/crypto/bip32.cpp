#include <crypto/bip32.h>

#include <crypto/hash.h>
#include <crypto/hmac.h>

#include <secp256k1.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace {

// Field offsets in the 78-byte form (the version takes bytes 0..3).
constexpr size_t DEPTH_AT = 4, FINGERPRINT_AT = 5, CHILD_AT = 9, CHAIN_CODE_AT = 13, KEY_AT = 45;

// HMAC-SHA512 output split into the tweak (IL) and the chain code (IR).
struct ChildMaterial {
    std::array<unsigned char, 32> tweak;
    ChainCode chain_code;
    ~ChildMaterial() { explicit_bzero(tweak.data(), tweak.size()); }
};

void append_be32(std::vector<unsigned char>& out, uint32_t value)
{
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<unsigned char>(value >> shift));
}

uint32_t read_be32(const unsigned char* p)
{
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

ChildMaterial hmac_split(std::span<const unsigned char> key, std::span<const unsigned char> data)
{
    std::array<unsigned char, 64> out;
    HmacSha512{key}.Write(data).Finalize(out);
    ChildMaterial material;
    std::copy_n(out.begin(), 32, material.tweak.begin());
    std::copy_n(out.begin() + 32, 32, material.chain_code.begin());
    explicit_bzero(out.data(), out.size());
    return material;
}

// The common 78-byte layout; key_data is the 33-byte key field.
std::array<unsigned char, BIP32_EXTKEY_SIZE> encode_common(const Bip32Version& version, uint8_t depth,
                                                          const KeyFingerprint& parent, uint32_t child,
                                                          const ChainCode& chain_code,
                                                          std::span<const unsigned char, 33> key_data)
{
    std::array<unsigned char, BIP32_EXTKEY_SIZE> out{};
    std::copy(version.begin(), version.end(), out.begin());
    out[DEPTH_AT] = depth;
    std::copy(parent.begin(), parent.end(), out.begin() + FINGERPRINT_AT);
    for (int i = 0; i < 4; ++i) out[CHILD_AT + i] = static_cast<unsigned char>(child >> (24 - 8 * i));
    std::copy(chain_code.begin(), chain_code.end(), out.begin() + CHAIN_CODE_AT);
    std::copy(key_data.begin(), key_data.end(), out.begin() + KEY_AT);
    return out;
}

// Reads the fields every extended key has; false when the length or version
// is wrong or a depth-0 key claims a parent or a child number.
template <typename Extended>
bool decode_common(std::span<const unsigned char> bytes, const Bip32Version& version, Extended& out)
{
    if (bytes.size() != BIP32_EXTKEY_SIZE) return false;
    if (!std::equal(version.begin(), version.end(), bytes.begin())) return false;
    out.depth = bytes[DEPTH_AT];
    std::copy_n(bytes.begin() + FINGERPRINT_AT, 4, out.parent_fingerprint.begin());
    out.child_number = read_be32(bytes.data() + CHILD_AT);
    std::copy_n(bytes.begin() + CHAIN_CODE_AT, 32, out.chain_code.begin());
    if (out.depth == 0) {
        const bool has_parent = std::any_of(out.parent_fingerprint.begin(), out.parent_fingerprint.end(),
                                            [](unsigned char b) { return b != 0; });
        if (has_parent || out.child_number != 0) return false;
    }
    return true;
}

} // namespace

KeyFingerprint Bip32Fingerprint(const PubKey& compressed_pubkey)
{
    std::array<unsigned char, Hash160::OUTPUT_SIZE> hash;
    Hash160{}.Write(compressed_pubkey.bytes()).Finalize(hash);
    KeyFingerprint out;
    std::copy_n(hash.begin(), out.size(), out.begin());
    return out;
}

std::optional<ExtPubKey> ExtPubKey::Derive(uint32_t child) const
{
    if (child >= BIP32_HARDENED || depth == 255 || !pubkey.IsCompressed()) return std::nullopt;
    std::vector<unsigned char> data(pubkey.begin(), pubkey.end());
    append_be32(data, child);
    const ChildMaterial material = hmac_split(chain_code, data);

    secp256k1_pubkey point;
    if (!secp256k1_ec_pubkey_parse(secp256k1_context_static, &point, pubkey.data(), pubkey.size())) return std::nullopt;
    if (!secp256k1_ec_pubkey_tweak_add(secp256k1_context_static, &point, material.tweak.data())) return std::nullopt;
    std::array<unsigned char, PubKey::COMPRESSED_SIZE> serialized;
    size_t size = serialized.size();
    secp256k1_ec_pubkey_serialize(secp256k1_context_static, serialized.data(), &size, &point, SECP256K1_EC_COMPRESSED);

    ExtPubKey out;
    out.depth = static_cast<uint8_t>(depth + 1);
    out.parent_fingerprint = Fingerprint();
    out.child_number = child;
    out.chain_code = material.chain_code;
    out.pubkey = PubKey{serialized};
    return out;
}

std::array<unsigned char, BIP32_EXTKEY_SIZE> ExtPubKey::Encode(const Bip32Version& version) const
{
    std::array<unsigned char, 33> key_data{};
    if (pubkey.IsCompressed()) std::copy(pubkey.begin(), pubkey.end(), key_data.begin());
    return encode_common(version, depth, parent_fingerprint, child_number, chain_code, key_data);
}

std::optional<ExtPubKey> ExtPubKey::Decode(std::span<const unsigned char> bytes, const Bip32Version& version)
{
    ExtPubKey out;
    if (!decode_common(bytes, version, out)) return std::nullopt;
    const auto key_data = bytes.subspan(KEY_AT, PubKey::COMPRESSED_SIZE);
    if (key_data[0] != 0x02 && key_data[0] != 0x03) return std::nullopt;
    out.pubkey = PubKey{key_data};
    if (!out.pubkey.IsFullyValid()) return std::nullopt;
    return out;
}

std::optional<ExtKey> ExtKey::FromSeed(std::span<const unsigned char> seed)
{
    static constexpr char HMAC_KEY[] = "Bitcoin seed";
    const ChildMaterial material =
        hmac_split(std::span{reinterpret_cast<const unsigned char*>(HMAC_KEY), sizeof(HMAC_KEY) - 1}, seed);
    ExtKey out;
    if (!out.key.Set(material.tweak, true)) return std::nullopt;
    out.chain_code = material.chain_code;
    return out;
}

std::optional<ExtKey> ExtKey::Derive(uint32_t child) const
{
    if (depth == 255 || !key.IsValid()) return std::nullopt;
    std::vector<unsigned char> data;
    data.reserve(37);
    if (child >= BIP32_HARDENED) {
        data.push_back(0x00);
        data.insert(data.end(), key.begin(), key.end());
    } else {
        const PubKey pubkey = key.GetPubKey();
        data.insert(data.end(), pubkey.begin(), pubkey.end());
    }
    append_be32(data, child);
    const ChildMaterial material = hmac_split(chain_code, data);
    explicit_bzero(data.data(), data.size());

    std::optional<Key> child_key = key.TweakAdd(material.tweak);
    if (!child_key) return std::nullopt;
    ExtKey out;
    out.depth = static_cast<uint8_t>(depth + 1);
    out.parent_fingerprint = Fingerprint();
    out.child_number = child;
    out.chain_code = material.chain_code;
    out.key = *child_key;
    return out;
}

std::optional<ExtKey> ExtKey::DerivePath(std::span<const uint32_t> path) const
{
    std::optional<ExtKey> current = *this;
    for (uint32_t child : path) {
        current = current->Derive(child);
        if (!current) break;
    }
    return current;
}

ExtPubKey ExtKey::Neuter() const
{
    ExtPubKey out;
    out.depth = depth;
    out.parent_fingerprint = parent_fingerprint;
    out.child_number = child_number;
    out.chain_code = chain_code;
    out.pubkey = key.GetPubKey();
    return out;
}

std::array<unsigned char, BIP32_EXTKEY_SIZE> ExtKey::Encode(const Bip32Version& version) const
{
    std::array<unsigned char, 33> key_data{};
    std::copy(key.begin(), key.end(), key_data.begin() + 1);
    auto out = encode_common(version, depth, parent_fingerprint, child_number, chain_code, key_data);
    explicit_bzero(key_data.data(), key_data.size());
    return out;
}

std::optional<ExtKey> ExtKey::Decode(std::span<const unsigned char> bytes, const Bip32Version& version)
{
    ExtKey out;
    if (!decode_common(bytes, version, out)) return std::nullopt;
    if (bytes[KEY_AT] != 0x00) return std::nullopt;
    if (!out.key.Set(bytes.subspan(KEY_AT + 1, Key::SIZE), true)) return std::nullopt;
    return out;
}

std::optional<std::vector<uint32_t>> ParseBip32Path(std::string_view path)
{
    std::vector<uint32_t> out;
    if (path == "m") return out;
    if (path.starts_with("m/")) path.remove_prefix(2);
    if (path.empty()) return std::nullopt;
    while (true) {
        const size_t slash = path.find('/');
        std::string_view step = path.substr(0, slash);
        bool hardened = false;
        if (!step.empty() && (step.back() == '\'' || step.back() == 'h' || step.back() == 'H')) {
            hardened = true;
            step.remove_suffix(1);
        }
        uint32_t index = 0;
        if (step.empty() || step.front() == '+') return std::nullopt;
        const auto [end, error] = std::from_chars(step.data(), step.data() + step.size(), index);
        if (error != std::errc{} || end != step.data() + step.size() || index >= BIP32_HARDENED) return std::nullopt;
        out.push_back(hardened ? index | BIP32_HARDENED : index);
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return out;
}
