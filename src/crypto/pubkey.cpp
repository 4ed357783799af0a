#include <crypto/pubkey.h>

#include <crypto/hash.h>
#include <crypto/sha256.h>

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include <cstring>

namespace {

// Verification needs no precomputed signing tables, so the library's static context serves
// every thread without allocation. The self test runs once, the first time a key is used.
const secp256k1_context* VerifyContext()
{
    static const secp256k1_context* const context = [] {
        secp256k1_selftest();
        return secp256k1_context_static;
    }();
    return context;
}

// Expected serialized length for a public key's leading byte; 0 when the byte is not a key type.
size_t PubKeyLengthFor(unsigned char header)
{
    switch (header) {
    case 0x02:
    case 0x03:
        return PubKey::COMPRESSED_SIZE;
    case 0x04:
    case 0x06:
    case 0x07:
        return PubKey::SIZE;
    default:
        return 0;
    }
}

// Reader over a DER-ish byte string that never reads past the end.
class LaxDerReader {
public:
    explicit LaxDerReader(std::span<const unsigned char> input) : m_input{input} {}

    bool ReadByte(unsigned char& out)
    {
        if (m_pos >= m_input.size()) return false;
        out = m_input[m_pos++];
        return true;
    }

    // A length in DER form: one byte below 0x80, else 0x80 + n followed by n big-endian bytes.
    // Leading zero bytes of the long form are tolerated (old encoders wrote them).
    bool ReadLength(size_t& length)
    {
        unsigned char first;
        if (!ReadByte(first)) return false;
        if ((first & 0x80) == 0) {
            length = first;
            return true;
        }
        size_t count = first & 0x7f;
        if (count > Remaining()) return false;
        while (count > 0 && m_input[m_pos] == 0) {
            ++m_pos;
            --count;
        }
        if (count >= sizeof(size_t)) return false;
        length = 0;
        for (; count > 0; --count) length = (length << 8) | m_input[m_pos++];
        return true;
    }

    // The sequence header: its tag must be right, but its length was never checked by the
    // network's original parser, so a long-form length is skipped over unread.
    bool SkipSequenceHeader()
    {
        unsigned char tag, first;
        if (!ReadByte(tag) || tag != 0x30) return false;
        if (!ReadByte(first)) return false;
        if (first & 0x80) {
            const size_t count = first & 0x7f;
            if (count > Remaining()) return false;
            m_pos += count;
        }
        return true;
    }

    // An INTEGER element: tag 0x02, length, value bytes.
    bool ReadInteger(std::span<const unsigned char>& value)
    {
        unsigned char tag;
        size_t length;
        if (!ReadByte(tag) || tag != 0x02) return false;
        if (!ReadLength(length) || length > Remaining()) return false;
        value = m_input.subspan(m_pos, length);
        m_pos += length;
        return true;
    }

private:
    size_t Remaining() const { return m_input.size() - m_pos; }

    std::span<const unsigned char> m_input;
    size_t m_pos{0};
};

// Big-endian integer into 32 bytes, right-aligned; false when it needs more than 32 bytes
// after dropping leading zeros (the padding DER requires, or any amount laxly).
bool ToScalarBytes(std::span<const unsigned char> value, unsigned char* out32)
{
    while (!value.empty() && value.front() == 0) value = value.subspan(1);
    if (value.size() > 32) return false;
    std::memset(out32, 0, 32);
    if (!value.empty()) std::memcpy(out32 + 32 - value.size(), value.data(), value.size());
    return true;
}

// The compact form as a library signature; false if R or S is not below the group order.
bool ToLibrarySignature(const std::array<unsigned char, 64>& compact, secp256k1_ecdsa_signature& sig)
{
    return secp256k1_ecdsa_signature_parse_compact(VerifyContext(), &sig, compact.data()) == 1;
}

bool ParseXOnly(std::span<const unsigned char, 32> bytes, secp256k1_xonly_pubkey& out)
{
    return secp256k1_xonly_pubkey_parse(VerifyContext(), &out, bytes.data()) == 1;
}

} // namespace

std::optional<std::array<unsigned char, 64>> ParseDerSignatureLax(std::span<const unsigned char> der_sig)
{
    LaxDerReader reader{der_sig};
    std::span<const unsigned char> r, s;
    // Bytes after S are ignored: the original parser stopped there too.
    if (!reader.SkipSequenceHeader() || !reader.ReadInteger(r) || !reader.ReadInteger(s)) return std::nullopt;

    std::array<unsigned char, 64> compact{};
    secp256k1_ecdsa_signature unused;
    // An out-of-range R or S still "parses": it stands for a signature that verifies against
    // nothing, which the all-zero compact form expresses (zero is never a valid R or S).
    if (!ToScalarBytes(r, compact.data()) || !ToScalarBytes(s, compact.data() + 32) ||
        !ToLibrarySignature(compact, unused)) {
        compact.fill(0);
    }
    return compact;
}

PubKey::PubKey(std::span<const unsigned char> bytes)
{
    if (bytes.empty() || PubKeyLengthFor(bytes[0]) != bytes.size()) return;
    std::memcpy(m_bytes.data(), bytes.data(), bytes.size());
    m_size = bytes.size();
}

bool PubKey::IsFullyValid() const
{
    if (!IsValid()) return false;
    secp256k1_pubkey parsed;
    return secp256k1_ec_pubkey_parse(VerifyContext(), &parsed, m_bytes.data(), m_size) == 1;
}

bool PubKey::VerifyEcdsa(std::span<const unsigned char, 32> hash, std::span<const unsigned char> der_sig) const
{
    if (!IsValid()) return false;
    secp256k1_pubkey key;
    if (secp256k1_ec_pubkey_parse(VerifyContext(), &key, m_bytes.data(), m_size) != 1) return false;

    const auto compact = ParseDerSignatureLax(der_sig);
    if (!compact) return false;
    secp256k1_ecdsa_signature sig;
    if (!ToLibrarySignature(*compact, sig)) return false;
    // The library only accepts low S; consensus accepts both S and n - S, so verify the
    // equivalent low form. Low S as a rule is policy, checked apart (CheckLowS).
    secp256k1_ecdsa_signature_normalize(VerifyContext(), &sig, &sig);
    return secp256k1_ecdsa_verify(VerifyContext(), &sig, hash.data(), &key) == 1;
}

bool PubKey::CheckLowS(std::span<const unsigned char> der_sig)
{
    const auto compact = ParseDerSignatureLax(der_sig);
    if (!compact) return false;
    secp256k1_ecdsa_signature sig;
    if (!ToLibrarySignature(*compact, sig)) return false;
    // normalize reports whether it had to change S, i.e. whether S was high.
    return secp256k1_ecdsa_signature_normalize(VerifyContext(), nullptr, &sig) == 0;
}

XOnlyPubKey::XOnlyPubKey(std::span<const unsigned char, SIZE> bytes)
{
    std::memcpy(m_bytes.data(), bytes.data(), SIZE);
}

XOnlyPubKey::XOnlyPubKey(std::span<const unsigned char> bytes)
{
    if (bytes.size() == SIZE) std::memcpy(m_bytes.data(), bytes.data(), SIZE);
}

bool XOnlyPubKey::IsFullyValid() const
{
    secp256k1_xonly_pubkey parsed;
    return ParseXOnly(bytes(), parsed);
}

bool XOnlyPubKey::VerifySchnorr(std::span<const unsigned char> msg32, std::span<const unsigned char, 64> sig) const
{
    secp256k1_xonly_pubkey key;
    if (!ParseXOnly(bytes(), key)) return false;
    return secp256k1_schnorrsig_verify(VerifyContext(), sig.data(), msg32.data(), msg32.size(), &key) == 1;
}

std::array<unsigned char, 32> XOnlyPubKey::ComputeTapTweakHash(const std::span<const unsigned char, 32>* merkle_root) const
{
    Sha256 hasher = TaggedHasher("TapTweak");
    hasher.Write(bytes());
    if (merkle_root) hasher.Write(*merkle_root);
    std::array<unsigned char, 32> tweak;
    hasher.Finalize(tweak);
    return tweak;
}

bool XOnlyPubKey::CheckTapTweak(const XOnlyPubKey& internal, std::span<const unsigned char, 32> merkle_root, bool parity) const
{
    secp256k1_xonly_pubkey internal_key;
    if (!ParseXOnly(internal.bytes(), internal_key)) return false;
    const auto tweak = internal.ComputeTapTweakHash(&merkle_root);
    return secp256k1_xonly_pubkey_tweak_add_check(VerifyContext(), m_bytes.data(), parity ? 1 : 0, &internal_key,
                                                  tweak.data()) == 1;
}

std::optional<std::pair<XOnlyPubKey, bool>> XOnlyPubKey::CreateTapTweak(const std::span<const unsigned char, 32>* merkle_root) const
{
    secp256k1_xonly_pubkey internal_key;
    if (!ParseXOnly(bytes(), internal_key)) return std::nullopt;
    const auto tweak = ComputeTapTweakHash(merkle_root);

    secp256k1_pubkey tweaked;
    if (secp256k1_xonly_pubkey_tweak_add(VerifyContext(), &tweaked, &internal_key, tweak.data()) != 1) return std::nullopt;
    secp256k1_xonly_pubkey tweaked_xonly;
    int parity = 0;
    if (secp256k1_xonly_pubkey_from_pubkey(VerifyContext(), &tweaked_xonly, &parity, &tweaked) != 1) return std::nullopt;

    std::array<unsigned char, SIZE> out;
    secp256k1_xonly_pubkey_serialize(VerifyContext(), out.data(), &tweaked_xonly);
    return std::make_pair(XOnlyPubKey{std::span<const unsigned char, SIZE>{out}}, parity == 1);
}
