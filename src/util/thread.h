#pragma once

// Named threads: the name shows in logs with -logthreadnames and, as
// "b-<name>", in ps/top/gdb (as Bitcoin Core names its threads).

#include <functional>
#include <string>

// Runs fn in the calling thread under `name`, logging "<name> thread start"
// and "<name> thread exit"; an exception is logged and rethrown.
// Use: std::thread t(TraceThread, "http", [&] { ... });
void TraceThread(std::string name, std::function<void()> fn);
