// Inbound eviction selection: every protection step and the final choice
// (the youngest peer of the largest netgroup).

#include <net/eviction.h>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <vector>

BOOST_AUTO_TEST_SUITE(eviction_tests)

using namespace std::chrono_literals;

namespace {

// n candidates: id i connected at time 1000+i (so higher id = younger), each
// in its own netgroup, 100 ms ping, nothing useful relayed.
std::vector<net::EvictionCandidate> Make(int n)
{
    std::vector<net::EvictionCandidate> v;
    for (int i = 0; i < n; ++i) {
        net::EvictionCandidate c;
        c.id = i;
        c.connected = std::chrono::seconds{1000 + i};
        c.min_ping_time = 100ms;
        c.keyed_netgroup = 1000 + i;
        c.relay_txs = true;
        c.relevant_services = true;
        v.push_back(c);
    }
    return v;
}

// With Make(40) and ties broken by uptime: ids 36..39 are protected by
// netgroup, 0..7 by ping, 8..11 by tx time, 12..15 by block time, 16..25 by
// uptime; 35, the youngest of the rest, is evicted.
constexpr int64_t VICTIM = 35;

} // namespace

BOOST_AUTO_TEST_CASE(too_few_candidates)
{
    BOOST_CHECK(!net::SelectNodeToEvict({}));
    // 4 netgroup + 8 ping + 4 tx + 4 block protect up to 20 peers; uptime protects half of what remains.
    // With one candidate: protected by netgroup.
    BOOST_CHECK(!net::SelectNodeToEvict(Make(1)));
    BOOST_CHECK(!net::SelectNodeToEvict(Make(12)));
    BOOST_CHECK(net::SelectNodeToEvict(Make(40)).has_value());
}

BOOST_AUTO_TEST_CASE(largest_netgroup_youngest_evicted)
{
    auto v = Make(40);
    BOOST_CHECK_EQUAL(*net::SelectNodeToEvict(v), VICTIM);
    // Put ids 28..33 in one netgroup: the largest group loses its youngest, 33.
    for (auto& c : v) {
        if (c.id >= 28 && c.id <= 33) c.keyed_netgroup = 7;
    }
    auto r = net::SelectNodeToEvict(v);
    BOOST_REQUIRE(r);
    BOOST_CHECK_EQUAL(*r, 33);
}

BOOST_AUTO_TEST_CASE(noban_never_evicted)
{
    auto v = Make(40);
    for (auto& c : v) c.noban = true;
    BOOST_CHECK(!net::SelectNodeToEvict(v));
}

BOOST_AUTO_TEST_CASE(protect_low_ping)
{
    auto v = Make(40);
    BOOST_CHECK_EQUAL(*net::SelectNodeToEvict(v), VICTIM);
    v[VICTIM].min_ping_time = 1ms;
    auto r = net::SelectNodeToEvict(v);
    BOOST_REQUIRE(r);
    BOOST_CHECK(*r != VICTIM);
}

BOOST_AUTO_TEST_CASE(protect_recent_tx_and_block)
{
    {
        auto v = Make(40);
        v[VICTIM].last_tx_time = 5s;
        auto r = net::SelectNodeToEvict(v);
        BOOST_REQUIRE(r);
        BOOST_CHECK(*r != VICTIM);
    }
    {
        auto v = Make(40);
        v[VICTIM].last_block_time = 5s;
        auto r = net::SelectNodeToEvict(v);
        BOOST_REQUIRE(r);
        BOOST_CHECK(*r != VICTIM);
    }
    {
        // Block-relay-only peers that gave blocks are protected on top of the others.
        auto v = Make(40);
        v[VICTIM].relay_txs = false;
        v[VICTIM].last_block_time = 5s;
        auto r = net::SelectNodeToEvict(v);
        BOOST_REQUIRE(r);
        BOOST_CHECK(*r != VICTIM);
    }
}

BOOST_AUTO_TEST_CASE(protect_netgroup_diversity)
{
    auto v = Make(40);
    // Everyone shares netgroup 1 except the youngest, alone in the highest-sorted group.
    for (auto& c : v) c.keyed_netgroup = 1;
    v[VICTIM].keyed_netgroup = 99;
    auto r = net::SelectNodeToEvict(v);
    BOOST_REQUIRE(r);
    BOOST_CHECK(*r != VICTIM);
}

BOOST_AUTO_TEST_CASE(prefer_evict_first)
{
    auto v = Make(40);
    v[0].prefer_evict = true;  // oldest, yet chosen (if not protected otherwise)
    v[0].keyed_netgroup = 0;   // lowest netgroup: not protected by netgroup
    v[0].min_ping_time = 10s;  // nor by ping
    // uptime would protect it (oldest): make it young instead.
    v[0].connected = 5000s;
    auto r = net::SelectNodeToEvict(v);
    BOOST_REQUIRE(r);
    BOOST_CHECK_EQUAL(*r, 0);
}

BOOST_AUTO_TEST_CASE(uptime_ratio_with_disadvantaged_networks)
{
    // 16 candidates: half (8) protected, 4 of them reserved for the
    // disadvantaged networks even though those are the youngest.
    auto v = Make(16);
    for (int i = 12; i < 16; ++i) v[i].network = net::Network::ONION;
    net::ProtectEvictionCandidatesByRatio(v);
    BOOST_REQUIRE_EQUAL(v.size(), 8u);
    for (const auto& c : v) {
        BOOST_CHECK(c.network != net::Network::ONION);
        // The oldest 4 clearnet peers (ids 0..3) are protected by uptime.
        BOOST_CHECK(c.id >= 4);
    }

    // No disadvantaged peers: the oldest half.
    auto w = Make(10);
    net::ProtectEvictionCandidatesByRatio(w);
    BOOST_REQUIRE_EQUAL(w.size(), 5u);
    for (const auto& c : w) BOOST_CHECK(c.id >= 5);

    // Localhost peers count as disadvantaged.
    auto x = Make(8);
    x[7].is_local = true;
    net::ProtectEvictionCandidatesByRatio(x);
    BOOST_CHECK(std::none_of(x.begin(), x.end(), [](const auto& c) { return c.id == 7; }));
}

BOOST_AUTO_TEST_SUITE_END()
