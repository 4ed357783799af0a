#include <script/address.h>

#include <util/base58.h>
#include <util/bech32.h>

#include <algorithm>
#include <cstring>

namespace {

constexpr size_t HASH160_SIZE = 20;
constexpr size_t WITNESS_V0_KEYHASH_SIZE = 20;
constexpr size_t WITNESS_V0_SCRIPTHASH_SIZE = 32;
constexpr size_t MIN_WITNESS_PROGRAM_SIZE = 2;
constexpr size_t MAX_WITNESS_PROGRAM_SIZE = 40;

// Wipes secret bytes held in a vector before it is freed.
struct WipeOnExit {
    std::vector<unsigned char>& bytes;
    ~WipeOnExit() { explicit_bzero(bytes.data(), bytes.size()); }
};

bool starts_with(std::span<const unsigned char> bytes, std::span<const unsigned char> prefix)
{
    return bytes.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), bytes.begin());
}

std::string lower_ascii(std::string_view s)
{
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

Script pay_to_pubkey_hash(std::span<const unsigned char> hash)
{
    Script script;
    script << OP_DUP << OP_HASH160 << hash << OP_EQUALVERIFY << OP_CHECKSIG;
    return script;
}

Script pay_to_script_hash(std::span<const unsigned char> hash)
{
    Script script;
    script << OP_HASH160 << hash << OP_EQUAL;
    return script;
}

Script witness_program(int version, std::span<const unsigned char> program)
{
    Script script;
    script << Script::EncodeOpN(version) << program;
    return script;
}

std::optional<Script> fail(std::string* error, const char* message)
{
    if (error) *error = message;
    return std::nullopt;
}

std::optional<Script> decode_base58_address(std::string_view address, const AddressParams& params, std::string* error)
{
    const size_t max_prefix = std::max(params.pubkey_prefix.size(), params.script_prefix.size());
    const auto payload = DecodeBase58Check(address, max_prefix + HASH160_SIZE);
    if (!payload) return fail(error, "Invalid or unsupported Base58-encoded address");
    const auto hash_after = [&](const std::vector<unsigned char>& prefix) {
        return payload->size() == prefix.size() + HASH160_SIZE && starts_with(*payload, prefix);
    };
    if (hash_after(params.pubkey_prefix)) {
        return pay_to_pubkey_hash(std::span{*payload}.subspan(params.pubkey_prefix.size()));
    }
    if (hash_after(params.script_prefix)) {
        return pay_to_script_hash(std::span{*payload}.subspan(params.script_prefix.size()));
    }
    return fail(error, "Invalid or unsupported Base58 address prefix or length");
}

std::optional<Script> decode_segwit_address(std::string_view address, const AddressParams& params, std::string* error)
{
    const Bech32Decoded decoded = Bech32Decode(address);
    if (decoded.encoding == Bech32Encoding::INVALID) {
        if (error) *error = "Invalid Bech32 address: " + Bech32LocateErrors(address).message;
        return std::nullopt;
    }
    if (decoded.hrp != params.bech32_hrp) return fail(error, "Invalid Bech32 human-readable part for this chain");
    if (decoded.data.empty()) return fail(error, "Empty Bech32 data section");
    const int version = decoded.data[0];
    if (version > 16) return fail(error, "Invalid Bech32 address witness version");
    // BIP350: version 0 keeps BIP173's checksum, every later version uses bech32m.
    const Bech32Encoding expected = version == 0 ? Bech32Encoding::BECH32 : Bech32Encoding::BECH32M;
    if (decoded.encoding != expected) {
        return fail(error, version == 0 ? "Version 0 witness address must use Bech32 checksum"
                                        : "Version 1+ witness address must use Bech32m checksum");
    }
    std::vector<unsigned char> program;
    if (!ConvertBits<5, 8, false>(program, std::span{decoded.data}.subspan(1))) {
        return fail(error, "Invalid padding in Bech32 data section");
    }
    if (program.size() < MIN_WITNESS_PROGRAM_SIZE || program.size() > MAX_WITNESS_PROGRAM_SIZE) {
        return fail(error, "Invalid Bech32 address program size");
    }
    if (version == 0 && program.size() != WITNESS_V0_KEYHASH_SIZE && program.size() != WITNESS_V0_SCRIPTHASH_SIZE) {
        return fail(error, "Invalid Bech32 v0 address program size (must be 20 or 32 bytes)");
    }
    return witness_program(version, program);
}

std::string encode_segwit(int version, std::span<const unsigned char> program, const AddressParams& params)
{
    std::vector<uint8_t> values{static_cast<uint8_t>(version)};
    ConvertBits<8, 5, true>(values, program);
    return Bech32Encode(version == 0 ? Bech32Encoding::BECH32 : Bech32Encoding::BECH32M, params.bech32_hrp, values);
}

std::string encode_with_prefix(std::span<const unsigned char> prefix, std::span<const unsigned char> body)
{
    std::vector<unsigned char> payload(prefix.begin(), prefix.end());
    payload.insert(payload.end(), body.begin(), body.end());
    WipeOnExit wipe{payload};
    return EncodeBase58Check(payload);
}

std::optional<std::vector<unsigned char>> decode_with_version(std::string_view str, const Bip32Version& version)
{
    auto payload = DecodeBase58Check(str, BIP32_EXTKEY_SIZE);
    if (!payload || payload->size() != BIP32_EXTKEY_SIZE || !starts_with(*payload, version)) {
        if (payload) explicit_bzero(payload->data(), payload->size());
        return std::nullopt;
    }
    return payload;
}

} // namespace

const AddressParams& GetAddressParams(AddressNetwork network)
{
    static const AddressParams MAIN{{0}, {5}, {128}, "bc", {0x04, 0x88, 0xB2, 0x1E}, {0x04, 0x88, 0xAD, 0xE4}};
    static const AddressParams TEST{{111}, {196}, {239}, "tb", {0x04, 0x35, 0x87, 0xCF}, {0x04, 0x35, 0x83, 0x94}};
    static const AddressParams SIGNET{{111}, {196}, {239}, "tb", {0x04, 0x35, 0x87, 0xCF}, {0x04, 0x35, 0x83, 0x94}};
    static const AddressParams REGTEST{{111}, {196}, {239}, "bcrt", {0x04, 0x35, 0x87, 0xCF}, {0x04, 0x35, 0x83, 0x94}};
    switch (network) {
    case AddressNetwork::MAIN: return MAIN;
    case AddressNetwork::TEST: return TEST;
    case AddressNetwork::SIGNET: return SIGNET;
    case AddressNetwork::REGTEST: return REGTEST;
    }
    return MAIN; // unreachable: every enumerator is handled
}

std::optional<AddressNetwork> AddressNetworkFromName(std::string_view chain)
{
    if (chain == "main") return AddressNetwork::MAIN;
    if (chain == "test" || chain == "testnet3" || chain == "testnet4") return AddressNetwork::TEST;
    if (chain == "signet") return AddressNetwork::SIGNET;
    if (chain == "regtest") return AddressNetwork::REGTEST;
    return std::nullopt;
}

std::optional<Script> DecodeAddress(std::string_view address, const AddressParams& params, std::string* error)
{
    // A segwit address announces itself by its HRP and separator; anything
    // else is read as Base58Check. (The two alphabets and checksums make a
    // string valid in both practically impossible.)
    const std::string lower = lower_ascii(address.substr(0, params.bech32_hrp.size() + 1));
    if (!params.bech32_hrp.empty() && lower == params.bech32_hrp + "1") {
        return decode_segwit_address(address, params, error);
    }
    auto script = decode_base58_address(address, params, error);
    if (!script && Bech32Decode(address).encoding != Bech32Encoding::INVALID) {
        return fail(error, "Invalid Bech32 human-readable part for this chain");
    }
    return script;
}

bool IsValidAddress(std::string_view address, const AddressParams& params)
{
    return DecodeAddress(address, params).has_value();
}

std::optional<std::string> EncodeAddress(const Script& script_pubkey, const AddressParams& params)
{
    const std::span<const unsigned char> bytes{script_pubkey};
    if (bytes.size() == 25 && bytes[0] == OP_DUP && bytes[1] == OP_HASH160 && bytes[2] == HASH160_SIZE &&
        bytes[23] == OP_EQUALVERIFY && bytes[24] == OP_CHECKSIG) {
        return encode_with_prefix(params.pubkey_prefix, bytes.subspan(3, HASH160_SIZE));
    }
    if (script_pubkey.IsPayToScriptHash()) {
        return encode_with_prefix(params.script_prefix, bytes.subspan(2, HASH160_SIZE));
    }
    int version = 0;
    std::vector<unsigned char> program;
    if (script_pubkey.IsWitnessProgram(version, program)) {
        if (version == 0 && program.size() != WITNESS_V0_KEYHASH_SIZE && program.size() != WITNESS_V0_SCRIPTHASH_SIZE) {
            return std::nullopt; // unspendable v0 program: no address stands for it
        }
        return encode_segwit(version, program, params);
    }
    return std::nullopt;
}

std::string EncodeSecret(const Key& key, const AddressParams& params)
{
    std::vector<unsigned char> body(key.begin(), key.end());
    WipeOnExit wipe{body};
    if (key.IsCompressed()) body.push_back(0x01);
    return encode_with_prefix(params.secret_prefix, body);
}

std::optional<Key> DecodeSecret(std::string_view wif, const AddressParams& params)
{
    const size_t prefix_size = params.secret_prefix.size();
    auto payload = DecodeBase58Check(wif, prefix_size + Key::SIZE + 1);
    if (!payload) return std::nullopt;
    WipeOnExit wipe{*payload};
    if (!starts_with(*payload, params.secret_prefix)) return std::nullopt;
    const bool compressed = payload->size() == prefix_size + Key::SIZE + 1;
    if (compressed && payload->back() != 0x01) return std::nullopt;
    if (!compressed && payload->size() != prefix_size + Key::SIZE) return std::nullopt;
    Key key;
    if (!key.Set(std::span{*payload}.subspan(prefix_size, Key::SIZE), compressed)) return std::nullopt;
    return key;
}

std::string EncodeExtKey(const ExtKey& key, const AddressParams& params)
{
    auto bytes = key.Encode(params.ext_secret_prefix);
    std::string out = EncodeBase58Check(bytes);
    explicit_bzero(bytes.data(), bytes.size());
    return out;
}

std::optional<ExtKey> DecodeExtKey(std::string_view str, const AddressParams& params)
{
    auto payload = decode_with_version(str, params.ext_secret_prefix);
    if (!payload) return std::nullopt;
    WipeOnExit wipe{*payload};
    return ExtKey::Decode(*payload, params.ext_secret_prefix);
}

std::string EncodeExtPubKey(const ExtPubKey& key, const AddressParams& params)
{
    return EncodeBase58Check(key.Encode(params.ext_public_prefix));
}

std::optional<ExtPubKey> DecodeExtPubKey(std::string_view str, const AddressParams& params)
{
    auto payload = decode_with_version(str, params.ext_public_prefix);
    if (!payload) return std::nullopt;
    return ExtPubKey::Decode(*payload, params.ext_public_prefix);
}
