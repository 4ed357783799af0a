#include <util/shutdown.h>
#include <util/time.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <csignal>
#include <thread>

BOOST_AUTO_TEST_SUITE(util_time_tests)

BOOST_AUTO_TEST_CASE(mock_time)
{
    const int64_t now = GetTime();
    BOOST_CHECK_GT(now, 1700000000);
    BOOST_CHECK_EQUAL(GetMockTime(), 0);
    SetMockTime(1234567890);
    BOOST_CHECK_EQUAL(GetTime(), 1234567890);
    BOOST_CHECK_EQUAL(GetMockTime(), 1234567890);
    // Log timestamps are never mocked.
    BOOST_CHECK_GE(GetTimeMicros() / 1000000, now);
    SetMockTime(0);
    BOOST_CHECK_GE(GetTime(), now);
    BOOST_CHECK_EQUAL(GetMockTime(), 0);
}

BOOST_AUTO_TEST_CASE(iso8601)
{
    BOOST_CHECK_EQUAL(FormatISO8601DateTime(0), "1970-01-01T00:00:00Z");
    BOOST_CHECK_EQUAL(FormatISO8601DateTime(1296688602), "2011-02-02T23:16:42Z");
    BOOST_CHECK_EQUAL(FormatISO8601DateTime(1795311555), "2026-11-22T01:39:15Z");
    BOOST_CHECK_EQUAL(FormatISO8601DateTime(4102444799), "2099-12-31T23:59:59Z");
}

BOOST_AUTO_TEST_CASE(shutdown_request_and_wait)
{
    ResetShutdownForTests();
    BOOST_CHECK(!ShutdownRequested());
    BOOST_CHECK(!WaitForShutdownFor(20));
    // Two waiters both wake on one request.
    std::thread a([] { WaitForShutdown(); });
    std::thread b([] { BOOST_CHECK(WaitForShutdownFor(60000)); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    RequestShutdown();
    a.join();
    b.join();
    BOOST_CHECK(ShutdownRequested());
    BOOST_CHECK(WaitForShutdownFor(0));
    ResetShutdownForTests();
    BOOST_CHECK(!ShutdownRequested());
    BOOST_CHECK(!WaitForShutdownFor(10));
}

BOOST_AUTO_TEST_CASE(shutdown_from_signal_handler)
{
    ResetShutdownForTests();
    struct sigaction sa {};
    struct sigaction old {};
    sa.sa_handler = [](int) { RequestShutdown(); };
    sigemptyset(&sa.sa_mask);
    BOOST_REQUIRE_EQUAL(sigaction(SIGUSR1, &sa, &old), 0);
    std::thread waiter([] { WaitForShutdown(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    raise(SIGUSR1);
    waiter.join();
    BOOST_CHECK(ShutdownRequested());
    sigaction(SIGUSR1, &old, nullptr);
    ResetShutdownForTests();
}

BOOST_AUTO_TEST_SUITE_END()
