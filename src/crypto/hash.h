#pragma once

// The composite hashes Bitcoin uses: double SHA-256 (txids, block hashes,
// checksums), HASH160 (addresses) and BIP340 tagged hashes.

#include <crypto/ripemd160.h>
#include <crypto/sha256.h>

#include <cstddef>
#include <span>
#include <string_view>

// SHA256(SHA256(data)).
class Hash256 {
public:
    static constexpr size_t OUTPUT_SIZE = Sha256::OUTPUT_SIZE;

    Hash256& Write(std::span<const unsigned char> data)
    {
        m_sha.Write(data);
        return *this;
    }
    void Finalize(std::span<unsigned char, OUTPUT_SIZE> out) const;
    Hash256& Reset()
    {
        m_sha.Reset();
        return *this;
    }

private:
    Sha256 m_sha;
};

// RIPEMD160(SHA256(data)).
class Hash160 {
public:
    static constexpr size_t OUTPUT_SIZE = Ripemd160::OUTPUT_SIZE;

    Hash160& Write(std::span<const unsigned char> data)
    {
        m_sha.Write(data);
        return *this;
    }
    void Finalize(std::span<unsigned char, OUTPUT_SIZE> out) const;
    Hash160& Reset()
    {
        m_sha.Reset();
        return *this;
    }

private:
    Sha256 m_sha;
};

// A SHA-256 hasher already fed SHA256(tag) || SHA256(tag) (BIP340): write the
// message, then Finalize to get the tagged hash.
Sha256 TaggedHasher(std::string_view tag);
