// HMAC (RFC 2104 section 2): H(K ^ opad || H(K ^ ipad || message)), with K
// the key hashed if longer than a block and zero-padded to a block.

#include <crypto/hmac.h>

#include <algorithm>
#include <cstring>

template <typename Hash>
Hmac<Hash>::Hmac(std::span<const unsigned char> key)
{
    unsigned char block_key[Hash::BLOCK_SIZE] = {};
    if (key.size() > Hash::BLOCK_SIZE) {
        Hash().Write(key).Finalize(std::span<unsigned char, Hash::OUTPUT_SIZE>(block_key, Hash::OUTPUT_SIZE));
    } else {
        std::copy(key.begin(), key.end(), block_key);
    }

    unsigned char pad[Hash::BLOCK_SIZE];
    for (size_t i = 0; i < Hash::BLOCK_SIZE; ++i) pad[i] = block_key[i] ^ 0x36;
    m_inner.Write(pad);
    for (size_t i = 0; i < Hash::BLOCK_SIZE; ++i) pad[i] = block_key[i] ^ 0x5c;
    m_outer.Write(pad);
}

template <typename Hash>
void Hmac<Hash>::Finalize(std::span<unsigned char, OUTPUT_SIZE> out) const
{
    unsigned char inner_digest[OUTPUT_SIZE];
    m_inner.Finalize(inner_digest);
    Hash outer = m_outer;
    outer.Write(inner_digest).Finalize(out);
}

template class Hmac<Sha256>;
template class Hmac<Sha512>;
