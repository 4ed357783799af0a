#include <util/fs_lock.h>

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace {
struct LockDir {
    std::filesystem::path path;
    LockDir()
    {
        path = std::filesystem::temp_directory_path() / ("fs_lock_tests_" + std::to_string(getpid()) + "_" + std::to_string(rand()));
        std::filesystem::create_directories(path);
    }
    ~LockDir()
    {
        ReleaseDirectoryLocks();
        std::filesystem::remove_all(path);
    }
};

// Runs fn in a child process and returns its exit code (fcntl locks are per
// process, so only another process sees this one's lock).
template <typename Fn>
int InChild(Fn fn)
{
    const pid_t pid = fork();
    if (pid == 0) _exit(fn());
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
} // namespace

BOOST_AUTO_TEST_SUITE(fs_lock_tests)

BOOST_AUTO_TEST_CASE(second_process_cannot_lock)
{
    LockDir dir;
    std::string error;
    BOOST_REQUIRE_MESSAGE(LockDirectory(dir.path, ".lock", error), error);
    BOOST_CHECK(std::filesystem::exists(dir.path / ".lock"));
    // Again from this process: fine.
    BOOST_CHECK(LockDirectory(dir.path, ".lock", error));
    // Another process: refused with Core's message.
    const std::string expected = "Cannot obtain a lock on directory " + dir.path.string() + ". Bitcoin Core is probably already running.";
    BOOST_CHECK_EQUAL(InChild([&] {
        std::string e;
        if (LockDirectory(dir.path, ".lock", e)) return 1;
        return e == expected ? 0 : 2;
    }), 0);
    BOOST_CHECK_EQUAL(InChild([&] { return LockDirectoryResult(dir.path, ".lock", /*probe_only=*/true) == LockResult::ERROR_LOCK ? 0 : 1; }), 0);
    // Released: the other process gets it.
    UnlockDirectory(dir.path, ".lock");
    BOOST_CHECK_EQUAL(InChild([&] { return LockDirectoryResult(dir.path, ".lock") == LockResult::SUCCESS ? 0 : 1; }), 0);
    // ... and its lock died with it.
    BOOST_CHECK(LockDirectory(dir.path, ".lock", error));
}

BOOST_AUTO_TEST_CASE(probe_only_does_not_hold)
{
    LockDir dir;
    std::string error;
    BOOST_CHECK(LockDirectory(dir.path, ".lock", error, /*probe_only=*/true));
    BOOST_CHECK_EQUAL(InChild([&] { return LockDirectoryResult(dir.path, ".lock") == LockResult::SUCCESS ? 0 : 1; }), 0);
}

BOOST_AUTO_TEST_CASE(unwritable_directory)
{
    LockDir dir;
    std::string error;
    const auto missing = dir.path / "missing";
    BOOST_CHECK(LockDirectoryResult(missing, ".lock") == LockResult::ERROR_WRITE);
    BOOST_CHECK(!LockDirectory(missing, ".lock", error));
    BOOST_CHECK_EQUAL(error, "Cannot write to directory '" + missing.string() + "'; check permissions.");
}

BOOST_AUTO_TEST_SUITE_END()
