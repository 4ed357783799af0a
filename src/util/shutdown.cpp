#include <util/shutdown.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace {

std::atomic<bool> g_shutdown_requested{false};

// Self-pipe: RequestShutdown() (possibly from a signal handler) writes a byte,
// waiters poll the read end. The byte is left in the pipe so every waiter
// wakes; ResetShutdownForTests() drains it.
struct ShutdownPipe {
    int fds[2]{-1, -1};
    ShutdownPipe()
    {
        if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) fds[0] = fds[1] = -1;
    }
};
ShutdownPipe g_pipe;

} // namespace

void RequestShutdown()
{
    const int saved_errno = errno;
    g_shutdown_requested.store(true);
    if (g_pipe.fds[1] >= 0) {
        const char byte = 1;
        // Nonblocking: a full pipe already wakes every waiter.
        [[maybe_unused]] ssize_t r = write(g_pipe.fds[1], &byte, 1);
    }
    errno = saved_errno;
}

bool ShutdownRequested() { return g_shutdown_requested.load(); }

bool WaitForShutdownFor(int64_t milliseconds)
{
    using Clock = std::chrono::steady_clock;
    const bool forever = milliseconds < 0;
    const auto deadline = Clock::now() + std::chrono::milliseconds(forever ? 0 : milliseconds);
    while (!g_shutdown_requested.load()) {
        int timeout = -1;
        if (!forever) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
            if (left <= 0) return false;
            timeout = static_cast<int>(std::min<int64_t>(left, 1000 * 60));
        }
        if (g_pipe.fds[0] < 0) {
            // No pipe (should not happen): fall back to polling the flag.
            usleep(10000);
            continue;
        }
        pollfd pfd{g_pipe.fds[0], POLLIN, 0};
        const int r = poll(&pfd, 1, timeout);
        if (r > 0 && !g_shutdown_requested.load()) {
            // A byte left from before a reset: drain it.
            char buf[64];
            while (read(g_pipe.fds[0], buf, sizeof(buf)) > 0) {
            }
        }
    }
    return true;
}

void WaitForShutdown() { WaitForShutdownFor(-1); }

void ResetShutdownForTests()
{
    g_shutdown_requested.store(false);
    if (g_pipe.fds[0] >= 0) {
        char buf[64];
        while (read(g_pipe.fds[0], buf, sizeof(buf)) > 0) {
        }
    }
}
