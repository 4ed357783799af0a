#pragma once

// Wall-clock time with a mock override (setmocktime, -mocktime), and
// monotonic time for durations.

#include <chrono>
#include <cstdint>
#include <string>

// UNIX seconds: the mock time when one is set, else the system clock.
int64_t GetTime();
// 0 turns mocking off.
void SetMockTime(int64_t seconds);
int64_t GetMockTime();
// UNIX microseconds of the system clock, never mocked (log timestamps).
int64_t GetTimeMicros();
// ISO 8601 UTC, "2026-11-22T01:39:15Z".
std::string FormatISO8601DateTime(int64_t seconds);
