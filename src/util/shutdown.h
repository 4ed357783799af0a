#pragma once

#include <cstdint>

// The process-wide shutdown request: set from a signal handler (async-signal
// safe), the stop RPC or a fatal error; waited for by bitcoind's main thread.

void RequestShutdown();        // async-signal safe
bool ShutdownRequested();
void WaitForShutdown();        // blocks until RequestShutdown()
// Waits at most `milliseconds` (negative: forever); true once shutdown is
// requested. For loops that sleep but must stop promptly.
bool WaitForShutdownFor(int64_t milliseconds);
void ResetShutdownForTests();
