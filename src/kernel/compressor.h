#pragma once

// Compact encodings of the chainstate and undo data (the on-disk formats
// Bitcoin Core uses for coins):
//  - VARINT: base-128, most significant group first, high bit set on every
//    byte but the last; each continuation subtracts one, so every number has
//    exactly one encoding (0..127: 1 byte, 128..16511: 2 bytes, ...).
//  - amounts: trailing decimal zeros folded into an exponent, so round
//    values (1 BTC, 0.5 BTC) take one or two bytes;
//  - scripts: P2PKH, P2SH and P2PK as a type byte and 20 or 32 bytes, any
//    other script as VARINT(size + 6) and the bytes.
//  - TxOut: VARINT(compressed amount) then the compressed script.

#include <primitives/transaction.h>
#include <serialize.h>

#include <cstdint>
#include <ios>
#include <limits>
#include <type_traits>

// ---------------------------------------------------------------------------
// VARINT

template <typename Stream>
void WriteVarInt(Stream& s, uint64_t n)
{
    unsigned char buf[10];
    int len = 0;
    while (true) {
        buf[len] = static_cast<unsigned char>((n & 0x7f) | (len ? 0x80 : 0x00));
        if (n <= 0x7f) break;
        n = (n >> 7) - 1;
        ++len;
    }
    // buf holds the groups least significant first: write them reversed.
    unsigned char out[10];
    for (int i = 0; i <= len; ++i) out[i] = buf[len - i];
    s.write(std::span<const unsigned char>(out, static_cast<size_t>(len + 1)));
}

// Reads a VARINT no larger than max; throws std::ios_base::failure otherwise.
template <typename Stream>
uint64_t ReadVarInt(Stream& s, uint64_t max = std::numeric_limits<uint64_t>::max())
{
    uint64_t n = 0;
    while (true) {
        uint8_t b;
        ::Unserialize(s, b);
        if (n > (max >> 7)) throw std::ios_base::failure("ReadVarInt(): size too large");
        n = (n << 7) | (b & 0x7f);
        if (n > max) throw std::ios_base::failure("ReadVarInt(): size too large");
        if (!(b & 0x80)) return n;
        if (n == max) throw std::ios_base::failure("ReadVarInt(): size too large");
        ++n;
    }
}

// `s << AsVarInt(x)` / `s >> AsVarInt(x)` for an unsigned integer x.
template <typename I>
struct VarIntRef {
    static_assert(std::is_unsigned_v<std::remove_const_t<I>>);
    I& value;
    template <typename Stream>
    void Serialize(Stream& s) const { WriteVarInt(s, value); }
    template <typename Stream>
    void Unserialize(Stream& s) { value = static_cast<I>(ReadVarInt(s, std::numeric_limits<I>::max())); }
};
template <typename I>
VarIntRef<I> AsVarInt(I& value) { return VarIntRef<I>{value}; }

// ---------------------------------------------------------------------------
// Amounts

uint64_t CompressAmount(uint64_t amount);
uint64_t DecompressAmount(uint64_t compressed);

// ---------------------------------------------------------------------------
// Scripts

// Special script types 0..5; a larger first VARINT is size + SPECIAL_SCRIPTS.
inline constexpr unsigned SPECIAL_SCRIPTS = 6;
// Scripts read back longer than this are replaced by a one-byte unspendable
// script (OP_RETURN): they can never be spent, and we need not keep them.
inline constexpr unsigned MAX_COMPRESSED_SCRIPT_SIZE = 10000;

// The special form of a script (type byte then 20 or 32 bytes), or empty
// when the script has none.
std::vector<unsigned char> CompressScriptSpecial(const Script& script);
// Bytes that follow a special type byte: 20 for types 0 and 1, 32 for 2..5.
unsigned SpecialScriptPayloadSize(unsigned type);
// Rebuilds a script from its special form; false when the payload is invalid
// (an uncompressed public key whose x is not on the curve).
bool DecompressScriptSpecial(unsigned type, std::span<const unsigned char> payload, Script& script);

template <typename Stream>
void WriteCompressedScript(Stream& s, const Script& script)
{
    const std::vector<unsigned char> special = CompressScriptSpecial(script);
    if (!special.empty()) {
        s.write(special);
        return;
    }
    WriteVarInt(s, script.size() + SPECIAL_SCRIPTS);
    s.write(std::span<const unsigned char>(script.data(), script.size()));
}

template <typename Stream>
void ReadCompressedScript(Stream& s, Script& script)
{
    const uint64_t tag = ReadVarInt(s);
    if (tag < SPECIAL_SCRIPTS) {
        unsigned char payload[32];
        const unsigned size = SpecialScriptPayloadSize(static_cast<unsigned>(tag));
        s.read(std::span<unsigned char>(payload, size));
        if (!DecompressScriptSpecial(static_cast<unsigned>(tag), std::span<const unsigned char>(payload, size), script)) {
            throw std::ios_base::failure("ReadCompressedScript(): invalid public key");
        }
        return;
    }
    const uint64_t size = tag - SPECIAL_SCRIPTS;
    if (size > MAX_COMPRESSED_SCRIPT_SIZE) {
        script.assign(1, static_cast<unsigned char>(OP_RETURN));
        // Skip the bytes in bounded steps.
        unsigned char skip[256];
        for (uint64_t left = size; left > 0;) {
            const size_t step = static_cast<size_t>(std::min<uint64_t>(left, sizeof(skip)));
            s.read(std::span<unsigned char>(skip, step));
            left -= step;
        }
        return;
    }
    script.resize(static_cast<size_t>(size));
    s.read(std::span<unsigned char>(script.data(), script.size()));
}

// `s << CompressedTxOut(out)` / `s >> CompressedTxOut(out)`.
template <typename T>
struct TxOutCompression {
    T& out;
    template <typename Stream>
    void Serialize(Stream& s) const
    {
        WriteVarInt(s, CompressAmount(static_cast<uint64_t>(out.value)));
        WriteCompressedScript(s, out.script_pubkey);
    }
    template <typename Stream>
    void Unserialize(Stream& s)
    {
        out.value = static_cast<Amount>(DecompressAmount(ReadVarInt(s)));
        ReadCompressedScript(s, out.script_pubkey);
    }
};
template <typename T>
TxOutCompression<T> CompressedTxOut(T& out) { return TxOutCompression<T>{out}; }
