#ifndef BITCOIN_SCRIPT_SIGCACHE_H
#define BITCOIN_SCRIPT_SIGCACHE_H

#include <crypto/sha256.h>
#include <uint256.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <shared_mutex>
#include <span>
#include <vector>

// Remembers signatures already found valid, so a transaction verified when it entered the
// mempool is not verified again when its block arrives. Keys are
// SHA256(salt || kind || pubkey || signature || hash) with a random per-instance salt: an
// attacker who cannot predict the keys cannot aim collisions at the bounded table to evict
// chosen entries. Only successes are stored (a failure is never retried by a node anyway).
//
// The table is set-associative: a key picks a bucket of WAYS slots from its first bytes
// (uniform, since the key is a hash) and an insert into a full bucket replaces a slot in
// turn. Memory is fixed at construction; lookups take a shared lock, inserts an exclusive one.
// One instance is shared by all script-check threads and passed to the checkers.
class SignatureCache {
public:
    static constexpr size_t WAYS = 4;
    static constexpr size_t DEFAULT_MAX_ENTRIES = size_t{1} << 19;  // 16 MiB of 32-byte keys

    // max_entries is rounded up to a multiple of WAYS (at least one bucket).
    explicit SignatureCache(size_t max_entries = DEFAULT_MAX_ENTRIES);

    SignatureCache(const SignatureCache&) = delete;
    SignatureCache& operator=(const SignatureCache&) = delete;

    // Key of an ECDSA check: the 32-byte message hash, the signature as given (DER without
    // the hash type byte) and the serialized public key.
    uint256 EcdsaEntry(std::span<const unsigned char, 32> hash, std::span<const unsigned char> sig,
                       std::span<const unsigned char> pubkey) const;
    // Key of a BIP340 check: message hash, 64-byte signature, 32-byte x-only key.
    uint256 SchnorrEntry(std::span<const unsigned char, 32> hash, std::span<const unsigned char> sig,
                         std::span<const unsigned char> pubkey) const;

    bool Contains(const uint256& entry) const;
    void Insert(const uint256& entry);

    size_t Capacity() const { return m_slots.size(); }
    // Lookups that found their key, and lookups in total (for benchmarks and tests).
    uint64_t Hits() const { return m_hits.load(std::memory_order_relaxed); }
    uint64_t Lookups() const { return m_lookups.load(std::memory_order_relaxed); }

private:
    struct Slot {
        uint256 key;
        bool used = false;
    };

    uint256 Entry(unsigned char kind, std::span<const unsigned char> hash, std::span<const unsigned char> sig,
                  std::span<const unsigned char> pubkey) const;
    size_t BucketOf(const uint256& entry) const;

    Sha256 m_salted_hasher;  // already fed one block of random salt
    std::vector<Slot> m_slots;
    std::vector<uint8_t> m_next_victim;  // per bucket: the slot a full bucket overwrites next
    mutable std::shared_mutex m_mutex;
    mutable std::atomic<uint64_t> m_hits{0};
    mutable std::atomic<uint64_t> m_lookups{0};
};

#endif // BITCOIN_SCRIPT_SIGCACHE_H
