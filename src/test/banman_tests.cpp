// Bans (subnets, expiry, banlist.json persistence and recovery from a bad
// file) and discouragement.

#include <net/banman.h>
#include <util/json.h>
#include <util/time.h>

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

using namespace net;

BOOST_AUTO_TEST_SUITE(banman_tests)

namespace {
constexpr int64_t T0 = 1700000000;
struct MockTime {
    explicit MockTime(int64_t t) { SetMockTime(t); }
    ~MockTime() { SetMockTime(0); }
};
NetAddr IP(const std::string& s) { return *NetAddr::Parse(s); }
std::filesystem::path TempDir()
{
    auto p = std::filesystem::temp_directory_path() / ("banman_tests_" + std::to_string(::getpid()));
    std::filesystem::remove_all(p);
    std::filesystem::create_directories(p);
    return p;
}
std::string ReadAll(const std::filesystem::path& p)
{
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
} // namespace

BOOST_AUTO_TEST_CASE(ban_unban_expire)
{
    MockTime mt(T0);
    BanMan bm("", 3600);
    bm.Ban(IP("1.2.3.4"));
    BOOST_CHECK(bm.IsBanned(IP("1.2.3.4")));
    BOOST_CHECK(!bm.IsBanned(IP("1.2.3.5")));
    BOOST_CHECK(bm.IsBanned(SubNet(IP("1.2.3.4"))));
    bm.Ban(SubNet::Parse("10.0.0.0/8"), 100);
    BOOST_CHECK(bm.IsBanned(IP("10.200.1.1")));
    BOOST_CHECK(!bm.IsBanned(SubNet::Parse("10.0.0.0/16"))); // not that exact entry
    auto banned = bm.GetBanned();
    BOOST_REQUIRE_EQUAL(banned.size(), 2u);
    const auto& e = banned.at(SubNet(IP("1.2.3.4")));
    BOOST_CHECK_EQUAL(e.create_time, T0);
    BOOST_CHECK_EQUAL(e.ban_until, T0 + 3600); // default ban time
    BOOST_CHECK_EQUAL(banned.at(SubNet::Parse("10.0.0.0/8")).ban_until, T0 + 100);

    // A shorter ban does not shorten an existing one; a longer one extends it.
    bm.Ban(IP("1.2.3.4"), 10);
    BOOST_CHECK_EQUAL(bm.GetBanned().at(SubNet(IP("1.2.3.4"))).ban_until, T0 + 3600);
    bm.Ban(IP("1.2.3.4"), T0 + 7200, /*absolute=*/true);
    BOOST_CHECK_EQUAL(bm.GetBanned().at(SubNet(IP("1.2.3.4"))).ban_until, T0 + 7200);

    // Expiry.
    SetMockTime(T0 + 101);
    BOOST_CHECK(!bm.IsBanned(IP("10.200.1.1")));
    BOOST_CHECK_EQUAL(bm.GetBanned().size(), 1u);

    BOOST_CHECK(bm.Unban(IP("1.2.3.4")));
    BOOST_CHECK(!bm.Unban(IP("1.2.3.4")));
    BOOST_CHECK(!bm.IsBanned(IP("1.2.3.4")));
    bm.Ban(SubNet::Parse("2001:db8::/32"));
    BOOST_CHECK(bm.IsBanned(IP("2001:db8::1")));
    bm.ClearBanned();
    BOOST_CHECK(bm.GetBanned().empty());
}

BOOST_AUTO_TEST_CASE(discouragement)
{
    BanMan bm("");
    BOOST_CHECK(!bm.IsDiscouraged(IP("1.2.3.4")));
    bm.Discourage(IP("1.2.3.4"));
    BOOST_CHECK(bm.IsDiscouraged(IP("1.2.3.4")));
    BOOST_CHECK(!bm.IsDiscouraged(IP("1.2.3.5")));
    BOOST_CHECK(!bm.IsBanned(IP("1.2.3.4"))); // discouraged is not banned
    BOOST_CHECK(bm.GetBanned().empty());
    bm.ClearDiscouraged();
    BOOST_CHECK(!bm.IsDiscouraged(IP("1.2.3.4")));
    // Bounded: the oldest are forgotten.
    for (uint32_t i = 0; i < DISCOURAGED_MAX + 10; ++i) bm.Discourage(NetAddr::FromIPv4(0x01000000 + i));
    BOOST_CHECK(!bm.IsDiscouraged(NetAddr::FromIPv4(0x01000000)));
    BOOST_CHECK(bm.IsDiscouraged(NetAddr::FromIPv4(0x01000000 + DISCOURAGED_MAX + 9)));
}

BOOST_AUTO_TEST_CASE(banlist_json)
{
    MockTime mt(T0);
    const auto dir = TempDir();
    const auto path = dir / "banlist.json";
    {
        BanMan bm(path);
        BOOST_CHECK(std::filesystem::exists(path)); // created when missing
        bm.Ban(IP("1.2.3.4"), 1000);
        bm.Ban(SubNet::Parse("5.6.0.0/16"), 2000);
    }
    auto json = ParseJson(ReadAll(path));
    BOOST_REQUIRE(json);
    BOOST_REQUIRE((*json)["banned_nets"].is_array());
    BOOST_REQUIRE_EQUAL((*json)["banned_nets"].size(), 2u);
    bool found = false;
    for (const auto& e : (*json)["banned_nets"]) {
        if (e["address"] == "5.6.0.0/16") {
            found = true;
            BOOST_CHECK_EQUAL(e["version"].get<int>(), 1);
            BOOST_CHECK_EQUAL(e["ban_created"].get<int64_t>(), T0);
            BOOST_CHECK_EQUAL(e["banned_until"].get<int64_t>(), T0 + 2000);
        }
    }
    BOOST_CHECK(found);
    {
        BanMan bm(path);
        BOOST_CHECK(bm.IsBanned(IP("1.2.3.4")));
        BOOST_CHECK(bm.IsBanned(IP("5.6.7.8")));
        BOOST_CHECK_EQUAL(bm.GetBanned().size(), 2u);
    }
    // Expired entries are dropped on load.
    SetMockTime(T0 + 1500);
    {
        BanMan bm(path);
        BOOST_CHECK_EQUAL(bm.GetBanned().size(), 1u);
    }
    // A corrupt file: recreated empty.
    {
        std::ofstream f(path);
        f << "{not json";
    }
    {
        BanMan bm(path);
        BOOST_CHECK(bm.GetBanned().empty());
    }
    auto fresh = ParseJson(ReadAll(path));
    BOOST_REQUIRE(fresh);
    BOOST_CHECK((*fresh)["banned_nets"].empty());
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
