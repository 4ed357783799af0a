#include <node/daemon.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

namespace node {
namespace {

int g_notify_fd = -1;  // write end of the pipe to a waiting parent

[[noreturn]] void WaitForChildAndExit(int read_fd)
{
    char token = 0;
    ssize_t got;
    do {
        got = ::read(read_fd, &token, 1);
    } while (got < 0 && errno == EINTR);
    if (got == 1 && token == '1') std::_Exit(EXIT_SUCCESS);
    // The child reported failure, or died before saying anything.
    std::fputs("Error during initialization - check debug.log for details\n", stderr);
    std::fflush(stderr);
    std::_Exit(EXIT_FAILURE);
}

void RedirectStdioToDevNull()
{
    const int null_fd = ::open("/dev/null", O_RDWR);
    if (null_fd < 0) return;
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(null_fd, STDOUT_FILENO);
    ::dup2(null_fd, STDERR_FILENO);
    if (null_fd > STDERR_FILENO) ::close(null_fd);
}

} // namespace

bool Daemonize(bool wait_for_child, std::string& error)
{
    int fds[2] = {-1, -1};
    if (wait_for_child && ::pipe2(fds, O_CLOEXEC) != 0) {
        error = std::string("Cannot create a pipe for -daemonwait: ") + std::strerror(errno);
        return false;
    }
    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t pid = ::fork();
    if (pid < 0) {
        error = std::string("fork() failed: ") + std::strerror(errno);
        if (wait_for_child) {
            ::close(fds[0]);
            ::close(fds[1]);
        }
        return false;
    }
    if (pid > 0) {  // parent
        if (!wait_for_child) std::_Exit(EXIT_SUCCESS);
        ::close(fds[1]);
        WaitForChildAndExit(fds[0]);
    }
    // child
    if (wait_for_child) {
        ::close(fds[0]);
        g_notify_fd = fds[1];
    }
    ::setsid();
    RedirectStdioToDevNull();
    return true;
}

void NotifyDaemonParent(bool success)
{
    if (g_notify_fd < 0) return;
    const char token = success ? '1' : '0';
    ssize_t put;
    do {
        put = ::write(g_notify_fd, &token, 1);
    } while (put < 0 && errno == EINTR);
    ::close(g_notify_fd);
    g_notify_fd = -1;
}

} // namespace node
