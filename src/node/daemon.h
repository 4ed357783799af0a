#pragma once

// -daemon / -daemonwait: fork into the background before any thread starts.
// The parent returns control to the shell at once (-daemon) or waits until
// the child says whether initialization worked (-daemonwait) and exits with
// 0 or 1 accordingly. The child runs on in a new session with stdin, stdout
// and stderr on /dev/null.

#include <string>

namespace node {

// Returns only in the child (true), or false with error when fork() or
// pipe() fail. The parent never returns: it exits.
bool Daemonize(bool wait_for_child, std::string& error);

// Child: tells a waiting parent how initialization went (once; later calls
// and calls without -daemonwait do nothing).
void NotifyDaemonParent(bool success);

} // namespace node
