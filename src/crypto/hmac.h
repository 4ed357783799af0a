#pragma once

// HMAC (RFC 2104) over SHA-256 and SHA-512.

#include <crypto/sha256.h>
#include <crypto/sha512.h>

#include <cstddef>
#include <span>

// One template, two names: the construction is identical for both hashes and
// only the block and output sizes differ.
template <typename Hash>
class Hmac {
public:
    static constexpr size_t OUTPUT_SIZE = Hash::OUTPUT_SIZE;

    explicit Hmac(std::span<const unsigned char> key);
    Hmac& Write(std::span<const unsigned char> data)
    {
        m_inner.Write(data);
        return *this;
    }
    // Leaves the object untouched, like the hashers.
    void Finalize(std::span<unsigned char, OUTPUT_SIZE> out) const;

private:
    Hash m_inner; // already fed (key ^ ipad)
    Hash m_outer; // already fed (key ^ opad)
};

using HmacSha256 = Hmac<Sha256>;
using HmacSha512 = Hmac<Sha512>;

extern template class Hmac<Sha256>;
extern template class Hmac<Sha512>;
