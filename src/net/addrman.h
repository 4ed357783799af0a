#pragma once

// The address manager: every peer address we have heard of, in two tables.
//
// - "new": addresses heard of but never connected to successfully. 1024
//   buckets of 64 slots; an address goes to a bucket chosen from a keyed hash
//   of its netgroup and of the netgroup of the peer that told us about it
//   (the source), so one source can fill only a few buckets. One address may
//   sit in up to 4 new buckets (from different sources).
// - "tried": addresses we connected to. 256 buckets of 64 slots chosen from
//   the address's own netgroup; a newcomer whose slot is taken does not evict
//   the occupant at once (test-before-evict): the occupant is tested by a
//   feeler connection first, and only replaced if it does not answer.
//
// The key is a random 256-bit secret, so an attacker cannot predict which
// addresses compete for a slot. Persisted in peers.dat with a checksum.
//
// Tracepoints: addrman:attempt_add (every attempt to place an address in a
// new bucket) and addrman:move_to_good (an address moved to the tried table).

#include <net/netaddress.h>
#include <uint256.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

class ArgsManager;

namespace net {

inline constexpr int ADDRMAN_TRIED_BUCKET_COUNT = 256;
inline constexpr int ADDRMAN_NEW_BUCKET_COUNT = 1024;
inline constexpr int ADDRMAN_BUCKET_SIZE = 64;
inline constexpr int ADDRMAN_NEW_BUCKETS_PER_ADDRESS = 4;
inline constexpr int ADDRMAN_TRIED_BUCKETS_PER_GROUP = 8;
inline constexpr int ADDRMAN_NEW_BUCKETS_PER_SOURCE_GROUP = 64;
inline constexpr size_t ADDRMAN_SET_TRIED_COLLISION_SIZE = 10;
// An occupant that succeeded this recently keeps its tried slot.
inline constexpr int64_t ADDRMAN_REPLACEMENT_SECONDS = 4 * 60 * 60;
// A collision not resolved in this long is resolved in favour of the newcomer.
inline constexpr int64_t ADDRMAN_TEST_WINDOW_SECONDS = 40 * 60;

// One address with its history.
struct AddrInfo : public Address {
    NetAddr source;               // who told us first
    int64_t last_success = 0;     // last successful connection (UNIX s)
    int64_t last_try = 0;         // last connection attempt
    int64_t last_count_attempt = 0; // last attempt counted in `attempts`
    int attempts = 0;             // failed attempts since last success
    int ref_count = 0;            // new buckets holding it (0 when tried)
    bool in_tried = false;

    AddrInfo() = default;
    AddrInfo(const Address& addr, const NetAddr& src) : Address(addr), source(src) {}

    int GetTriedBucket(const uint256& key, const std::vector<bool>& asmap) const;
    int GetNewBucket(const uint256& key, const NetAddr& src, const std::vector<bool>& asmap) const;
    int GetNewBucket(const uint256& key, const std::vector<bool>& asmap) const { return GetNewBucket(key, source, asmap); }
    int GetBucketPosition(const uint256& key, bool is_new, int bucket) const;
    // Not worth keeping: old, from the future, or failed too often.
    bool IsTerrible(int64_t now) const;
    // Relative chance of being selected (recent failures lower it).
    double GetChance(int64_t now) const;
};

// Where an address is stored.
struct AddressPosition {
    bool tried;
    int multiplicity; // 1 for tried, the number of new buckets otherwise
    int bucket;
    int position;
    friend bool operator==(const AddressPosition&, const AddressPosition&) = default;
};

class AddrMan {
public:
    // deterministic: an all-zero key and a fixed random seed (tests).
    // consistency_check_ratio: check internal consistency every 1 in n
    // operations (0: never), -checkaddrman.
    explicit AddrMan(std::vector<bool> asmap = {}, bool deterministic = false, int32_t consistency_check_ratio = 0);
    ~AddrMan();
    AddrMan(const AddrMan&) = delete;
    AddrMan& operator=(const AddrMan&) = delete;

    // Number of addresses, optionally of one network and one table.
    size_t Size(std::optional<Network> net = std::nullopt, std::optional<bool> in_new = std::nullopt) const;

    // Adds addresses heard from source to the new table. Entries older than
    // their time are made older by time_penalty seconds. True if any was added.
    bool Add(const std::vector<Address>& addrs, const NetAddr& source, int64_t time_penalty = 0);

    // A connection to addr succeeded: move it to tried (unless its tried
    // slot is taken: then it waits in the collision set). time 0: now.
    bool Good(const Service& addr, int64_t time = 0);

    // A connection attempt; count_failure counts it against the address.
    void Attempt(const Service& addr, bool count_failure, int64_t time = 0);

    // Settles waiting tried-table collisions whose occupant was tested or timed out.
    void ResolveCollisions();
    // A tried-table occupant in collision to test with a feeler, and its last try.
    std::pair<Address, int64_t> SelectTriedCollision();

    // An address to connect to (weighted by chance); empty Address (port 0,
    // invalid) when none. new_only: from the new table only.
    std::pair<Address, int64_t> Select(bool new_only = false, std::optional<Network> net = std::nullopt) const;

    // Up to max_addresses (0: no limit) and max_pct percent (0: no limit) of
    // the addresses, in random order; filtered drops terrible ones.
    std::vector<Address> GetAddr(size_t max_addresses, size_t max_pct, std::optional<Network> net = std::nullopt,
                                 bool filtered = true) const;

    // Every entry of one table with its position (tests, tooling).
    std::vector<std::pair<AddrInfo, AddressPosition>> GetEntries(bool from_tried) const;

    // We are connected to addr: refresh its time (at most every 20 minutes).
    void Connected(const Service& addr, int64_t time = 0);
    void SetServices(const Service& addr, uint64_t services);

    std::optional<AddressPosition> FindAddressEntry(const Service& addr) const;

    const std::vector<bool>& GetAsmap() const { return m_asmap; }
    const uint256& GetKey() const { return m_key; }

    // The peers.dat body (without magic and checksum).
    std::vector<unsigned char> Serialize() const;
    // Throws std::ios_base::failure on malformed data.
    void Unserialize(std::span<const unsigned char> data);

    // -1 consistent, otherwise a code naming the failed check (tests).
    int CheckConsistency() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
    std::vector<bool> m_asmap;
    uint256 m_key;
};

// peers.dat: message start (4 bytes), body, SHA256d checksum of both.
bool SaveAddrMan(const AddrMan& addrman, const std::filesystem::path& path,
                 const std::array<unsigned char, 4>& message_start);

// Loads peers.dat. A missing file gives an empty address manager. A corrupt
// file (bad checksum, wrong network, truncated) is renamed to
// peers.dat.corrupt, a warning is returned in `warning` and logged, and an
// empty address manager is returned.
std::unique_ptr<AddrMan> LoadAddrMan(const std::filesystem::path& path,
                                     const std::array<unsigned char, 4>& message_start,
                                     std::vector<bool> asmap, int32_t consistency_check_ratio,
                                     std::string& warning);

// Reads an asmap file (-asmap) into bits; empty on error (error set).
std::vector<bool> LoadAsmap(const std::filesystem::path& path, std::string& error);

// -checkaddrman, -asmap.
void RegisterAddrManOptions(ArgsManager& args);

} // namespace net
