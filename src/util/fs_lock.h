#pragma once

// A lock file in a directory (".lock" in the network datadir) so a second
// process on the same datadir fails cleanly. POSIX fcntl() record locks: the
// kernel drops them when the process exits, however it exits.

#include <filesystem>
#include <string>

enum class LockResult { SUCCESS, ERROR_WRITE, ERROR_LOCK };

// Creates dir/lockfile_name if needed and locks it until UnlockDirectory or
// process exit. Locking a directory this process already holds succeeds.
// probe_only: take the lock and release it at once (is the directory free?).
LockResult LockDirectoryResult(const std::filesystem::path& dir, const std::string& lockfile_name, bool probe_only = false);

// The same, with Core's messages on failure:
//   "Cannot write to directory '<dir>'; check permissions."
//   "Cannot obtain a lock on directory <dir>. Bitcoin Core is probably already running."
bool LockDirectory(const std::filesystem::path& dir, const std::string& lockfile_name, std::string& error, bool probe_only = false);

void UnlockDirectory(const std::filesystem::path& dir, const std::string& lockfile_name);
// Tests: drop every lock this process holds.
void ReleaseDirectoryLocks();
