// The address manager: adding, moving to tried, bucketing limits per
// netgroup and source group, test-before-evict collisions, selection,
// GetAddr, serialization and peers.dat (checksum, corrupt file handling).

#include <net/addrman.h>
#include <util/time.h>

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

using namespace net;

BOOST_AUTO_TEST_SUITE(addrman_tests)

namespace {

constexpr int64_t T0 = 1700000000;

struct MockTime {
    explicit MockTime(int64_t t) { SetMockTime(t); }
    ~MockTime() { SetMockTime(0); }
};

NetAddr IP(const std::string& s)
{
    auto a = NetAddr::Parse(s);
    BOOST_REQUIRE_MESSAGE(a, s);
    return *a;
}

Address Addr(const std::string& ip, uint16_t port = 8333, int64_t time = 0)
{
    return Address(Service(IP(ip), port), NODE_NETWORK, static_cast<uint32_t>(time ? time : GetTime()));
}

std::filesystem::path TempDir(const std::string& name)
{
    auto p = std::filesystem::temp_directory_path() / ("addrman_tests_" + name + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(p);
    std::filesystem::create_directories(p);
    return p;
}

const std::array<unsigned char, 4> MAGIC{0xfa, 0xbf, 0xb5, 0xda};

} // namespace

BOOST_AUTO_TEST_CASE(add_and_size)
{
    MockTime mt(T0);
    AddrMan am({}, /*deterministic=*/true, /*consistency_check_ratio=*/1);
    const NetAddr source = IP("252.2.2.2");
    BOOST_CHECK_EQUAL(am.Size(), 0u);
    BOOST_CHECK(am.Add({Addr("250.1.1.1")}, source));
    BOOST_CHECK_EQUAL(am.Size(), 1u);
    BOOST_CHECK_EQUAL(am.Size(std::nullopt, true), 1u);
    BOOST_CHECK_EQUAL(am.Size(Network::IPV4), 1u);
    BOOST_CHECK_EQUAL(am.Size(Network::IPV6), 0u);
    // The same address again brings nothing new.
    BOOST_CHECK(!am.Add({Addr("250.1.1.1")}, source));
    BOOST_CHECK_EQUAL(am.Size(), 1u);
    // Same IP, another port: a different entry.
    BOOST_CHECK(am.Add({Addr("250.1.1.1", 8334)}, source));
    BOOST_CHECK_EQUAL(am.Size(), 2u);
    // Unroutable addresses are refused.
    BOOST_CHECK(!am.Add({Addr("10.0.0.1"), Addr("127.0.0.1"), Addr("192.168.1.1")}, source));
    BOOST_CHECK_EQUAL(am.Size(), 2u);
    // Tor and I2P are fine.
    Address onion(Service(IP("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion"), 8333), NODE_NETWORK,
                  static_cast<uint32_t>(T0));
    BOOST_CHECK(am.Add({onion}, source));
    BOOST_CHECK_EQUAL(am.Size(Network::ONION), 1u);
    BOOST_CHECK_EQUAL(am.CheckConsistency(), -1);

    auto pos = am.FindAddressEntry(Addr("250.1.1.1"));
    BOOST_REQUIRE(pos);
    BOOST_CHECK(!pos->tried);
    BOOST_CHECK_EQUAL(pos->multiplicity, 1);
    BOOST_CHECK(pos->bucket >= 0 && pos->bucket < ADDRMAN_NEW_BUCKET_COUNT);
    BOOST_CHECK(pos->position >= 0 && pos->position < ADDRMAN_BUCKET_SIZE);
    BOOST_CHECK(!am.FindAddressEntry(Addr("250.9.9.9")));
}

BOOST_AUTO_TEST_CASE(good_moves_to_tried)
{
    MockTime mt(T0);
    AddrMan am({}, true, 1);
    const Address a = Addr("250.1.1.1");
    BOOST_CHECK(!am.Good(a)); // unknown
    BOOST_REQUIRE(am.Add({a}, IP("252.2.2.2")));
    BOOST_CHECK(am.Good(a));
    BOOST_CHECK_EQUAL(am.Size(std::nullopt, false), 1u);
    BOOST_CHECK_EQUAL(am.Size(std::nullopt, true), 0u);
    auto pos = am.FindAddressEntry(a);
    BOOST_REQUIRE(pos);
    BOOST_CHECK(pos->tried);
    BOOST_CHECK(pos->bucket < ADDRMAN_TRIED_BUCKET_COUNT);
    BOOST_CHECK(!am.Good(a)); // already tried
    // Adding a tried address again does nothing.
    BOOST_CHECK(!am.Add({Addr("250.1.1.1", 8333, T0 + 100)}, IP("252.2.2.2")));
    auto tried = am.GetEntries(true);
    BOOST_REQUIRE_EQUAL(tried.size(), 1u);
    BOOST_CHECK(tried[0].second == *pos);
    BOOST_CHECK_EQUAL(tried[0].first.last_success, T0);
    BOOST_CHECK_EQUAL(am.CheckConsistency(), -1);

    // Select finds it (from tried, or nothing else exists).
    auto [sel, last_try] = am.Select();
    BOOST_CHECK(static_cast<const Service&>(sel) == a);
    BOOST_CHECK_EQUAL(last_try, T0);
    BOOST_CHECK(!am.Select(/*new_only=*/true).first.IsValid() || am.Select(true).first.GetPort() == 0);
}

BOOST_AUTO_TEST_CASE(select_and_getaddr)
{
    MockTime mt(T0);
    AddrMan am({}, true, 0);
    BOOST_CHECK_EQUAL(am.Select().first.GetPort(), 0);
    std::vector<Address> addrs;
    for (int i = 1; i <= 200; ++i) addrs.push_back(Addr("250." + std::to_string(i) + ".1.1"));
    BOOST_REQUIRE(am.Add(addrs, IP("252.2.2.2")));
    const size_t n = am.Size();
    BOOST_CHECK(n > 150 && n <= 200); // a few collide in the new table
    std::set<std::string> seen;
    for (int i = 0; i < 50; ++i) seen.insert(am.Select().first.ToStringAddrPort());
    BOOST_CHECK(seen.size() > 10);
    BOOST_CHECK_EQUAL(am.GetAddr(0, 0).size(), n);
    BOOST_CHECK_EQUAL(am.GetAddr(10, 0).size(), 10u);
    BOOST_CHECK_EQUAL(am.GetAddr(0, 23).size(), n * 23 / 100);
    BOOST_CHECK_EQUAL(am.GetAddr(0, 0, Network::IPV6).size(), 0u);
    BOOST_CHECK(am.Select(false, Network::IPV6).first.GetPort() == 0);
    // Terrible entries (a month old) are filtered out by default.
    AddrMan old({}, true, 0);
    BOOST_REQUIRE(old.Add({Addr("250.1.1.1", 8333, T0 - 40 * 24 * 3600)}, IP("252.2.2.2")));
    BOOST_CHECK_EQUAL(old.GetAddr(0, 0).size(), 0u);
    BOOST_CHECK_EQUAL(old.GetAddr(0, 0, std::nullopt, /*filtered=*/false).size(), 1u);
}

BOOST_AUTO_TEST_CASE(bucketing_limits)
{
    MockTime mt(T0);
    AddrMan am({}, true, 0);
    const uint256 key = am.GetKey();
    // Many groups from one source: at most 64 new buckets.
    std::set<int> buckets;
    const NetAddr source = IP("251.4.1.1");
    for (int i = 0; i < 255; ++i) {
        for (int j = 0; j < 4; ++j) {
            AddrInfo info(Addr("250." + std::to_string(i) + "." + std::to_string(j) + ".1"), source);
            buckets.insert(info.GetNewBucket(key, {}));
        }
    }
    BOOST_CHECK(buckets.size() <= ADDRMAN_NEW_BUCKETS_PER_SOURCE_GROUP);
    BOOST_CHECK(buckets.size() > 32);
    // One address group from many sources: still limited by the hash (one
    // bucket per source group though), many buckets overall.
    buckets.clear();
    for (int i = 0; i < 255; ++i) {
        AddrInfo info(Addr("250.1.1.1"), IP("251." + std::to_string(i) + ".1.1"));
        buckets.insert(info.GetNewBucket(key, {}));
    }
    BOOST_CHECK(buckets.size() > 64);
    // One /16 in tried: at most 8 buckets.
    buckets.clear();
    for (int i = 0; i < 255; ++i) {
        AddrInfo info(Addr("250.1.1." + std::to_string(i)), source);
        buckets.insert(info.GetTriedBucket(key, {}));
    }
    BOOST_CHECK(buckets.size() <= ADDRMAN_TRIED_BUCKETS_PER_GROUP);
    // Many /16s: many tried buckets.
    buckets.clear();
    for (int i = 0; i < 255; ++i) {
        AddrInfo info(Addr("250." + std::to_string(i) + ".1.1"), source);
        buckets.insert(info.GetTriedBucket(key, {}));
    }
    BOOST_CHECK(buckets.size() > 100);
    // The position depends on the table.
    AddrInfo info(Addr("250.1.1.1"), source);
    const int p_new = info.GetBucketPosition(key, true, 5);
    BOOST_CHECK(p_new >= 0 && p_new < ADDRMAN_BUCKET_SIZE);
    // A different key gives different buckets.
    AddrMan other({}, false, 0);
    int differ = 0;
    for (int i = 0; i < 20; ++i) {
        AddrInfo x(Addr("250." + std::to_string(i) + ".1.1"), source);
        differ += x.GetNewBucket(key, {}) != x.GetNewBucket(other.GetKey(), {});
    }
    BOOST_CHECK(differ > 10);
}

BOOST_AUTO_TEST_CASE(test_before_evict)
{
    MockTime mt(T0);
    AddrMan am({}, true, 1);
    const NetAddr source = IP("252.2.2.2");
    // Fill tried until a newcomer collides with an occupant.
    std::optional<Address> collider;
    for (int i = 1; i < 5000 && !collider; ++i) {
        Address a = Addr("250." + std::to_string(i % 250) + "." + std::to_string(i / 250) + ".1");
        if (!am.Add({a}, source)) continue;
        if (!am.Good(a)) collider = a;
    }
    BOOST_REQUIRE(collider);
    BOOST_CHECK(!am.FindAddressEntry(*collider)->tried);
    const size_t tried_before = am.Size(std::nullopt, false);
    // The occupant is offered for testing.
    auto [occupant, occ_try] = am.SelectTriedCollision();
    BOOST_REQUIRE(occupant.IsValid());
    BOOST_CHECK(am.FindAddressEntry(occupant)->tried);
    BOOST_CHECK(am.FindAddressEntry(occupant)->bucket != -1);
    // The occupant just worked (last success T0): resolving keeps it.
    am.ResolveCollisions();
    BOOST_CHECK(am.FindAddressEntry(occupant)->tried);
    BOOST_CHECK(!am.FindAddressEntry(*collider)->tried);
    BOOST_CHECK_EQUAL(am.SelectTriedCollision().first.GetPort(), 0); // collision dropped

    // Again, but now the occupant's success is old and a test of it failed.
    SetMockTime(T0 + 5 * 3600);
    BOOST_CHECK(!am.Good(*collider));
    BOOST_CHECK(am.SelectTriedCollision().first == occupant);
    am.Attempt(occupant, /*count_failure=*/true); // the feeler did not connect
    SetMockTime(T0 + 5 * 3600 + 120);
    am.ResolveCollisions();
    BOOST_CHECK(am.FindAddressEntry(*collider)->tried);
    BOOST_CHECK(!am.FindAddressEntry(occupant)->tried); // back to new
    BOOST_CHECK_EQUAL(am.Size(std::nullopt, false), tried_before);
    BOOST_CHECK_EQUAL(am.CheckConsistency(), -1);
}

BOOST_AUTO_TEST_CASE(collision_times_out)
{
    MockTime mt(T0);
    AddrMan am({}, true, 1);
    const NetAddr source = IP("252.2.2.2");
    std::optional<Address> collider;
    for (int i = 1; i < 5000 && !collider; ++i) {
        Address a = Addr("250." + std::to_string(i % 250) + "." + std::to_string(i / 250) + ".1");
        if (!am.Add({a}, source)) continue;
        if (!am.Good(a)) collider = a;
    }
    BOOST_REQUIRE(collider);
    SetMockTime(T0 + 5 * 3600); // occupant not successful recently, not tried recently
    BOOST_CHECK(!am.Good(*collider));
    am.ResolveCollisions(); // newcomer's success is fresh: wait for a test
    BOOST_CHECK(!am.FindAddressEntry(*collider)->tried);
    SetMockTime(T0 + 5 * 3600 + 41 * 60); // the test window passed
    am.ResolveCollisions();
    BOOST_CHECK(am.FindAddressEntry(*collider)->tried);
    BOOST_CHECK_EQUAL(am.CheckConsistency(), -1);
}

BOOST_AUTO_TEST_CASE(attempts_and_chance)
{
    MockTime mt(T0);
    AddrInfo info(Addr("250.1.1.1"), IP("252.2.2.2"));
    BOOST_CHECK(!info.IsTerrible(T0));
    BOOST_CHECK_CLOSE(info.GetChance(T0), 1.0, 1e-9);
    info.last_try = T0 - 60;
    BOOST_CHECK_CLOSE(info.GetChance(T0), 0.01, 1e-9);
    info.attempts = 3;
    info.last_try = T0 - 3600;
    BOOST_CHECK(info.IsTerrible(T0)); // never succeeded, 3 failures
    info.last_try = T0;
    BOOST_CHECK(!info.IsTerrible(T0)); // tried this minute: kept
    AddrInfo future(Addr("250.1.1.1", 8333, T0 + 3600), IP("252.2.2.2"));
    BOOST_CHECK(future.IsTerrible(T0));

    AddrMan am({}, true, 1);
    const Address a = Addr("250.1.1.1");
    am.Add({a}, IP("252.2.2.2"));
    am.Attempt(a, true);
    am.Attempt(a, true); // counted once until a Good happens somewhere
    auto entries = am.GetEntries(false);
    BOOST_REQUIRE_EQUAL(entries.size(), 1u);
    BOOST_CHECK_EQUAL(entries[0].first.attempts, 1);
    BOOST_CHECK_EQUAL(entries[0].first.last_try, T0);
    am.SetServices(a, NODE_NETWORK | NODE_WITNESS);
    SetMockTime(T0 + 3600);
    am.Connected(a);
    entries = am.GetEntries(false);
    BOOST_CHECK_EQUAL(entries[0].first.services, NODE_NETWORK | NODE_WITNESS);
    BOOST_CHECK_EQUAL(entries[0].first.time, static_cast<uint32_t>(T0 + 3600));
}

BOOST_AUTO_TEST_CASE(serialize_roundtrip)
{
    MockTime mt(T0);
    AddrMan am({}, false, 1);
    std::vector<Address> addrs;
    for (int i = 1; i <= 100; ++i) addrs.push_back(Addr("250." + std::to_string(i) + ".1.1"));
    am.Add(addrs, IP("252.2.2.2"));
    am.Add(addrs, IP("253.3.3.3")); // some get a second bucket
    for (int i = 1; i <= 10; ++i) am.Good(addrs[i]);
    Address onion(Service(IP("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion"), 9050), NODE_NETWORK,
                  static_cast<uint32_t>(T0));
    am.Add({onion}, IP("252.2.2.2"));
    const auto bytes = am.Serialize();

    AddrMan back({}, false, 1);
    back.Unserialize(bytes);
    BOOST_CHECK(back.GetKey() == am.GetKey());
    BOOST_CHECK_EQUAL(back.Size(), am.Size());
    BOOST_CHECK_EQUAL(back.Size(std::nullopt, false), am.Size(std::nullopt, false));
    BOOST_CHECK_EQUAL(back.CheckConsistency(), -1);
    for (bool tried : {false, true}) {
        auto e1 = am.GetEntries(tried);
        auto e2 = back.GetEntries(tried);
        BOOST_REQUIRE_EQUAL(e1.size(), e2.size());
        for (size_t i = 0; i < e1.size(); ++i) {
            BOOST_CHECK(static_cast<const Service&>(e1[i].first) == static_cast<const Service&>(e2[i].first));
            BOOST_CHECK(e1[i].second == e2[i].second);
            BOOST_CHECK(e1[i].first.source == e2[i].first.source);
            BOOST_CHECK_EQUAL(e1[i].first.last_success, e2[i].first.last_success);
        }
    }
    // Malformed input throws.
    AddrMan bad({}, false, 0);
    std::vector<unsigned char> truncated(bytes.begin(), bytes.begin() + bytes.size() / 2);
    BOOST_CHECK_THROW(bad.Unserialize(truncated), std::ios_base::failure);
}

BOOST_AUTO_TEST_CASE(peers_dat)
{
    MockTime mt(T0);
    const auto dir = TempDir("peers");
    const auto path = dir / "peers.dat";
    std::string warning;
    // Missing: empty, no warning.
    auto am = LoadAddrMan(path, MAGIC, {}, 1, warning);
    BOOST_CHECK(warning.empty());
    BOOST_CHECK_EQUAL(am->Size(), 0u);
    am->Add({Addr("250.1.1.1"), Addr("250.2.1.1")}, IP("252.2.2.2"));
    am->Good(Addr("250.2.1.1"));
    BOOST_REQUIRE(SaveAddrMan(*am, path, MAGIC));
    BOOST_CHECK(!std::filesystem::exists(dir / "peers.dat.new"));

    auto loaded = LoadAddrMan(path, MAGIC, {}, 1, warning);
    BOOST_CHECK(warning.empty());
    BOOST_CHECK_EQUAL(loaded->Size(), 2u);
    BOOST_CHECK_EQUAL(loaded->Size(std::nullopt, false), 1u);
    BOOST_CHECK(loaded->GetKey() == am->GetKey());

    // Another network's magic: treated as corrupt.
    const std::array<unsigned char, 4> other{0x0b, 0x11, 0x09, 0x07};
    auto wrong = LoadAddrMan(path, other, {}, 1, warning);
    BOOST_CHECK(!warning.empty());
    BOOST_CHECK_EQUAL(wrong->Size(), 0u);
    BOOST_CHECK(std::filesystem::exists(dir / "peers.dat.corrupt"));
    BOOST_CHECK(!std::filesystem::exists(path));

    // A flipped byte: checksum mismatch, renamed, fresh start with a warning.
    BOOST_REQUIRE(SaveAddrMan(*am, path, MAGIC));
    {
        std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(10);
        f.put(static_cast<char>(0x5a ^ 0xff));
    }
    std::filesystem::remove(dir / "peers.dat.corrupt");
    auto corrupt = LoadAddrMan(path, MAGIC, {}, 1, warning);
    BOOST_CHECK_MESSAGE(warning.find("peers.dat") != std::string::npos, warning);
    BOOST_CHECK_MESSAGE(warning.find("checksum") != std::string::npos, warning);
    BOOST_CHECK_EQUAL(corrupt->Size(), 0u);
    BOOST_CHECK(std::filesystem::exists(dir / "peers.dat.corrupt"));
    BOOST_CHECK(corrupt->GetKey() != am->GetKey());

    // Garbage.
    {
        std::ofstream f(path, std::ios::binary);
        f << "not a peers file";
    }
    auto garbage = LoadAddrMan(path, MAGIC, {}, 1, warning);
    BOOST_CHECK(!warning.empty());
    BOOST_CHECK_EQUAL(garbage->Size(), 0u);
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
