#include <util/fs_lock.h>

#include <fmt/format.h>

#include <cerrno>
#include <fcntl.h>
#include <map>
#include <mutex>
#include <unistd.h>

namespace {

std::mutex g_locks_mutex;
// Lock file path -> descriptor holding the lock. fcntl locks belong to the
// process and close() on any descriptor of the file drops them, so each file
// is opened once and kept open.
std::map<std::string, int> g_locks;
// The process the map belongs to: a forked child (-daemon) holds none of its
// parent's fcntl locks, so it starts over.
pid_t g_locks_pid = 0;

void ForgetInheritedLocks()
{
    if (g_locks_pid == getpid()) return;
    for (const auto& [path, fd] : g_locks) close(fd);  // the child's copies; the parent keeps its locks
    g_locks.clear();
    g_locks_pid = getpid();
}

std::string LockPath(const std::filesystem::path& dir, const std::string& name)
{
    return (dir / name).string();
}

} // namespace

LockResult LockDirectoryResult(const std::filesystem::path& dir, const std::string& lockfile_name, bool probe_only)
{
    const std::string path = LockPath(dir, lockfile_name);
    std::lock_guard lock(g_locks_mutex);
    ForgetInheritedLocks();
    if (g_locks.count(path)) return LockResult::SUCCESS;
    const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return LockResult::ERROR_WRITE;
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = 0;
    fl.l_len = 0;
    if (fcntl(fd, F_SETLK, &fl) == -1) {
        close(fd);
        return LockResult::ERROR_LOCK;
    }
    if (probe_only) {
        close(fd);  // releases the lock
    } else {
        g_locks.emplace(path, fd);
    }
    return LockResult::SUCCESS;
}

bool LockDirectory(const std::filesystem::path& dir, const std::string& lockfile_name, std::string& error, bool probe_only)
{
    switch (LockDirectoryResult(dir, lockfile_name, probe_only)) {
    case LockResult::SUCCESS:
        return true;
    case LockResult::ERROR_WRITE:
        error = fmt::format("Cannot write to directory '{}'; check permissions.", dir.string());
        return false;
    case LockResult::ERROR_LOCK:
        error = fmt::format("Cannot obtain a lock on directory {}. Bitcoin Core is probably already running.", dir.string());
        return false;
    }
    return false;
}

void UnlockDirectory(const std::filesystem::path& dir, const std::string& lockfile_name)
{
    std::lock_guard lock(g_locks_mutex);
    ForgetInheritedLocks();
    const auto it = g_locks.find(LockPath(dir, lockfile_name));
    if (it == g_locks.end()) return;
    close(it->second);
    g_locks.erase(it);
}

void ReleaseDirectoryLocks()
{
    std::lock_guard lock(g_locks_mutex);
    ForgetInheritedLocks();
    for (const auto& [path, fd] : g_locks) close(fd);
    g_locks.clear();
}
