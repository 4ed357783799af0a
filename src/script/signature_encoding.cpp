#include <script/signature_encoding.h>

#include <crypto/pubkey.h>
#include <script/interpreter.h>

bool IsValidSignatureEncoding(std::span<const unsigned char> sig)
{
    // Layout (BIP66): 0x30 total-length 0x02 R-length R 0x02 S-length S hashtype,
    // lengths in one byte each; R and S positive and without superfluous zero bytes.
    const size_t size = sig.size();
    if (size < 9 || size > 73) return false;
    if (sig[0] != 0x30) return false;
    if (sig[1] != size - 3) return false;  // covers everything but header and hash type

    const size_t r_length = sig[3];
    if (5 + r_length >= size) return false;
    const size_t s_length = sig[5 + r_length];
    if (r_length + s_length + 7 != size) return false;

    if (sig[2] != 0x02 || r_length == 0) return false;
    if (sig[4] & 0x80) return false;                                     // R negative
    if (r_length > 1 && sig[4] == 0x00 && !(sig[5] & 0x80)) return false;  // R padded needlessly

    const size_t s_start = r_length + 6;
    if (sig[r_length + 4] != 0x02 || s_length == 0) return false;
    if (sig[s_start] & 0x80) return false;
    if (s_length > 1 && sig[s_start] == 0x00 && !(sig[s_start + 1] & 0x80)) return false;
    return true;
}

bool IsDefinedHashtypeSignature(std::span<const unsigned char> sig)
{
    if (sig.empty()) return false;
    const int base_type = sig.back() & ~SIGHASH_ANYONECANPAY;
    return base_type >= SIGHASH_ALL && base_type <= SIGHASH_SINGLE;
}

bool IsCompressedOrUncompressedPubKey(std::span<const unsigned char> pubkey)
{
    if (pubkey.size() < 33) return false;
    if (pubkey[0] == 0x04) return pubkey.size() == 65;
    if (pubkey[0] == 0x02 || pubkey[0] == 0x03) return pubkey.size() == 33;
    return false;
}

bool IsCompressedPubKey(std::span<const unsigned char> pubkey)
{
    return pubkey.size() == 33 && (pubkey[0] == 0x02 || pubkey[0] == 0x03);
}

ScriptError CheckSignatureEncoding(std::span<const unsigned char> sig, uint32_t flags)
{
    if (sig.empty()) return ScriptError::OK;
    const bool strict_der = (flags & (SCRIPT_VERIFY_DERSIG | SCRIPT_VERIFY_LOW_S | SCRIPT_VERIFY_STRICTENC)) != 0;
    if (strict_der && !IsValidSignatureEncoding(sig)) return ScriptError::SIG_DER;
    if ((flags & SCRIPT_VERIFY_LOW_S) && !PubKey::CheckLowS(sig.first(sig.size() - 1))) return ScriptError::SIG_HIGH_S;
    if ((flags & SCRIPT_VERIFY_STRICTENC) && !IsDefinedHashtypeSignature(sig)) return ScriptError::SIG_HASHTYPE;
    return ScriptError::OK;
}

ScriptError CheckPubKeyEncoding(std::span<const unsigned char> pubkey, uint32_t flags, SigVersion sigversion)
{
    if ((flags & SCRIPT_VERIFY_STRICTENC) && !IsCompressedOrUncompressedPubKey(pubkey)) return ScriptError::PUBKEYTYPE;
    if ((flags & SCRIPT_VERIFY_WITNESS_PUBKEYTYPE) && sigversion == SigVersion::WITNESS_V0 && !IsCompressedPubKey(pubkey)) {
        return ScriptError::WITNESS_PUBKEYTYPE;
    }
    return ScriptError::OK;
}
