#include <script/sigcache.h>

#include <script/hash_fields.h>

#include <algorithm>
#include <mutex>
#include <random>

namespace {

enum : unsigned char { KIND_ECDSA = 'E', KIND_SCHNORR = 'S' };

} // namespace

SignatureCache::SignatureCache(size_t max_entries)
{
    const size_t buckets = std::max<size_t>(1, (max_entries + WAYS - 1) / WAYS);
    m_slots.resize(buckets * WAYS);
    m_next_victim.resize(buckets, 0);

    // A full block of salt, so every key costs the same compressions as an unsalted hash
    // once this midstate is copied. std::random_device reads the kernel's random source.
    std::random_device random;
    unsigned char salt[Sha256::BLOCK_SIZE];
    for (size_t i = 0; i < sizeof(salt); i += 4) {
        const uint32_t word = random();
        for (size_t j = 0; j < 4; ++j) salt[i + j] = static_cast<unsigned char>(word >> (8 * j));
    }
    m_salted_hasher.Write(salt);
}

uint256 SignatureCache::Entry(unsigned char kind, std::span<const unsigned char> hash, std::span<const unsigned char> sig,
                              std::span<const unsigned char> pubkey) const
{
    // Lengths are written too so that no two (pubkey, signature) splits give the same bytes.
    Sha256 hasher = m_salted_hasher;
    hasher.Write(std::span<const unsigned char>{&kind, 1});
    hasher.Write(hash);
    hash_fields::WriteVarBytes(hasher, pubkey);
    hash_fields::WriteVarBytes(hasher, sig);
    return hash_fields::Finish(hasher);
}

uint256 SignatureCache::EcdsaEntry(std::span<const unsigned char, 32> hash, std::span<const unsigned char> sig,
                                   std::span<const unsigned char> pubkey) const
{
    return Entry(KIND_ECDSA, hash, sig, pubkey);
}

uint256 SignatureCache::SchnorrEntry(std::span<const unsigned char, 32> hash, std::span<const unsigned char> sig,
                                     std::span<const unsigned char> pubkey) const
{
    return Entry(KIND_SCHNORR, hash, sig, pubkey);
}

size_t SignatureCache::BucketOf(const uint256& entry) const
{
    // The key is a salted hash, so its low bits are already uniform.
    return static_cast<size_t>(entry.GetUint64(0) % m_next_victim.size());
}

bool SignatureCache::Contains(const uint256& entry) const
{
    const size_t first = BucketOf(entry) * WAYS;
    m_lookups.fetch_add(1, std::memory_order_relaxed);
    std::shared_lock lock{m_mutex};
    for (size_t i = first; i < first + WAYS; ++i) {
        if (m_slots[i].used && m_slots[i].key == entry) {
            m_hits.fetch_add(1, std::memory_order_relaxed);
            return true;
        }
    }
    return false;
}

void SignatureCache::Insert(const uint256& entry)
{
    const size_t bucket = BucketOf(entry);
    const size_t first = bucket * WAYS;
    std::unique_lock lock{m_mutex};
    Slot* free_slot = nullptr;
    for (size_t i = first; i < first + WAYS; ++i) {
        if (m_slots[i].used && m_slots[i].key == entry) return;
        if (!m_slots[i].used && !free_slot) free_slot = &m_slots[i];
    }
    if (!free_slot) {
        // Full bucket: overwrite its slots in turn, so a new entry lives at least WAYS inserts.
        uint8_t& victim = m_next_victim[bucket];
        free_slot = &m_slots[first + victim];
        victim = static_cast<uint8_t>((victim + 1) % WAYS);
    }
    free_slot->key = entry;
    free_slot->used = true;
}
