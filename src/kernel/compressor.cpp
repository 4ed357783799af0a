#include <kernel/compressor.h>

#include <crypto/pubkey.h>

#include <secp256k1.h>

#include <algorithm>

// ---------------------------------------------------------------------------
// Amounts. A nonzero amount is written as n * 10^e with e in 0..9 as large as
// possible. For e < 9 the last digit d of n is nonzero (1..9) and is stored
// apart, which makes the mapping one-to-one:
//     x = 1 + 10 * (9 * (n / 10) + d - 1) + e        (e < 9)
//     x = 1 + 10 * (n - 1) + 9                       (e = 9)

uint64_t CompressAmount(uint64_t amount)
{
    if (amount == 0) return 0;
    unsigned e = 0;
    while (amount % 10 == 0 && e < 9) {
        amount /= 10;
        ++e;
    }
    if (e < 9) {
        const uint64_t d = amount % 10;
        const uint64_t n = amount / 10;
        return 1 + (n * 9 + d - 1) * 10 + e;
    }
    return 1 + (amount - 1) * 10 + 9;
}

uint64_t DecompressAmount(uint64_t x)
{
    if (x == 0) return 0;
    --x;
    unsigned e = x % 10;
    x /= 10;
    uint64_t n;
    if (e < 9) {
        const uint64_t d = x % 9 + 1;
        x /= 9;
        n = x * 10 + d;
    } else {
        n = x + 1;
    }
    while (e > 0) {
        n *= 10;
        --e;
    }
    return n;
}

// ---------------------------------------------------------------------------
// Scripts.
//   0x00 h160   OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG
//   0x01 h160   OP_HASH160 <20> OP_EQUAL
//   0x02/0x03 x <33-byte compressed key> OP_CHECKSIG (the type is the key's prefix)
//   0x04/0x05 x <65-byte uncompressed key> OP_CHECKSIG (0x04 | parity of y);
//               only for keys on the curve, since y is recomputed from x

namespace {
constexpr unsigned char PUSH20 = 20;
constexpr unsigned char PUSH33 = 33;
constexpr unsigned char PUSH65 = 65;

bool IsP2PKH(const Script& s)
{
    return s.size() == 25 && s[0] == OP_DUP && s[1] == OP_HASH160 && s[2] == PUSH20 &&
           s[23] == OP_EQUALVERIFY && s[24] == OP_CHECKSIG;
}
bool IsP2SH(const Script& s)
{
    return s.size() == 23 && s[0] == OP_HASH160 && s[1] == PUSH20 && s[22] == OP_EQUAL;
}
bool IsCompressedP2PK(const Script& s)
{
    return s.size() == 35 && s[0] == PUSH33 && s[34] == OP_CHECKSIG && (s[1] == 0x02 || s[1] == 0x03);
}
bool IsUncompressedP2PK(const Script& s)
{
    if (s.size() != 67 || s[0] != PUSH65 || s[66] != OP_CHECKSIG || s[1] != 0x04) return false;
    return PubKey(std::span<const unsigned char>(s.data() + 1, 65)).IsFullyValid();
}
} // namespace

std::vector<unsigned char> CompressScriptSpecial(const Script& s)
{
    std::vector<unsigned char> out;
    if (IsP2PKH(s)) {
        out.push_back(0x00);
        out.insert(out.end(), s.begin() + 3, s.begin() + 23);
    } else if (IsP2SH(s)) {
        out.push_back(0x01);
        out.insert(out.end(), s.begin() + 2, s.begin() + 22);
    } else if (IsCompressedP2PK(s)) {
        out.push_back(s[1]);
        out.insert(out.end(), s.begin() + 2, s.begin() + 34);
    } else if (IsUncompressedP2PK(s)) {
        out.push_back(static_cast<unsigned char>(0x04 | (s[65] & 0x01)));
        out.insert(out.end(), s.begin() + 2, s.begin() + 34);
    }
    return out;
}

unsigned SpecialScriptPayloadSize(unsigned type)
{
    return type <= 1 ? 20 : 32;
}

bool DecompressScriptSpecial(unsigned type, std::span<const unsigned char> payload, Script& script)
{
    script.clear();
    switch (type) {
    case 0x00:
        script = {OP_DUP, OP_HASH160, PUSH20};
        script.insert(script.end(), payload.begin(), payload.begin() + 20);
        script.push_back(OP_EQUALVERIFY);
        script.push_back(OP_CHECKSIG);
        return true;
    case 0x01:
        script = {OP_HASH160, PUSH20};
        script.insert(script.end(), payload.begin(), payload.begin() + 20);
        script.push_back(OP_EQUAL);
        return true;
    case 0x02:
    case 0x03:
        script = {PUSH33, static_cast<unsigned char>(type)};
        script.insert(script.end(), payload.begin(), payload.begin() + 32);
        script.push_back(OP_CHECKSIG);
        return true;
    case 0x04:
    case 0x05: {
        unsigned char compressed[33];
        compressed[0] = static_cast<unsigned char>(type - 2);  // 0x02 even y, 0x03 odd y
        std::copy(payload.begin(), payload.begin() + 32, compressed + 1);
        secp256k1_pubkey key;
        if (!secp256k1_ec_pubkey_parse(secp256k1_context_static, &key, compressed, sizeof(compressed))) return false;
        unsigned char full[65];
        size_t len = sizeof(full);
        secp256k1_ec_pubkey_serialize(secp256k1_context_static, full, &len, &key, SECP256K1_EC_UNCOMPRESSED);
        script.push_back(PUSH65);
        script.insert(script.end(), full, full + 65);
        script.push_back(OP_CHECKSIG);
        return true;
    }
    }
    return false;
}
