#include <util/time.h>

#include <fmt/format.h>

#include <atomic>
#include <ctime>

namespace {
std::atomic<int64_t> g_mock_time{0};
} // namespace

int64_t GetTime()
{
    const int64_t mock = g_mock_time.load(std::memory_order_relaxed);
    if (mock != 0) return mock;
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void SetMockTime(int64_t seconds) { g_mock_time.store(seconds, std::memory_order_relaxed); }

int64_t GetMockTime() { return g_mock_time.load(std::memory_order_relaxed); }

int64_t GetTimeMicros()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string FormatISO8601DateTime(int64_t seconds)
{
    const std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    if (gmtime_r(&t, &tm) == nullptr) return {};
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}
