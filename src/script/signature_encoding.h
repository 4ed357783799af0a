#ifndef BITCOIN_SCRIPT_SIGNATURE_ENCODING_H
#define BITCOIN_SCRIPT_SIGNATURE_ENCODING_H

// Encoding rules for ECDSA signatures and public keys as they appear on the script stack.
// Which of them apply depends on the verification flags.

#include <script/script_error.h>
#include <script/sighash.h>

#include <cstdint>
#include <span>

// BIP66 strict DER, for a signature with its trailing hash type byte.
bool IsValidSignatureEncoding(std::span<const unsigned char> sig);
// The hash type byte (ANYONECANPAY aside) is ALL, NONE or SINGLE.
bool IsDefinedHashtypeSignature(std::span<const unsigned char> sig);
// 33 bytes with 0x02/0x03, or 65 bytes with 0x04.
bool IsCompressedOrUncompressedPubKey(std::span<const unsigned char> pubkey);
bool IsCompressedPubKey(std::span<const unsigned char> pubkey);

// OK, or the error for the first rule of DERSIG / LOW_S / STRICTENC the signature breaks.
// The empty signature passes: it is the accepted way to fail a CHECKSIG on purpose.
ScriptError CheckSignatureEncoding(std::span<const unsigned char> sig, uint32_t flags);
// OK, PUBKEYTYPE (STRICTENC) or WITNESS_PUBKEYTYPE (segwit v0 with WITNESS_PUBKEYTYPE).
ScriptError CheckPubKeyEncoding(std::span<const unsigned char> pubkey, uint32_t flags, SigVersion sigversion);

#endif // BITCOIN_SCRIPT_SIGNATURE_ENCODING_H
