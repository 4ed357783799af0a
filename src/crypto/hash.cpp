#include <crypto/hash.h>

void Hash256::Finalize(std::span<unsigned char, OUTPUT_SIZE> out) const
{
    unsigned char first[Sha256::OUTPUT_SIZE];
    m_sha.Finalize(first);
    Sha256().Write(first).Finalize(out);
}

void Hash160::Finalize(std::span<unsigned char, OUTPUT_SIZE> out) const
{
    unsigned char sha[Sha256::OUTPUT_SIZE];
    m_sha.Finalize(sha);
    Ripemd160().Write(sha).Finalize(out);
}

Sha256 TaggedHasher(std::string_view tag)
{
    unsigned char tag_hash[Sha256::OUTPUT_SIZE];
    Sha256().Write({reinterpret_cast<const unsigned char*>(tag.data()), tag.size()}).Finalize(tag_hash);
    Sha256 hasher;
    hasher.Write(tag_hash).Write(tag_hash);
    return hasher;
}
