#include <util/thread.h>

#include <util/logging.h>

#include <exception>

void TraceThread(std::string name, std::function<void()> fn)
{
    SetThreadName(name);
    try {
        LogInfo("{} thread start", name);
        fn();
        LogInfo("{} thread exit", name);
    } catch (const std::exception& e) {
        LogError("EXCEPTION: {} in thread {}", e.what(), name);
        throw;
    } catch (...) {
        LogError("EXCEPTION: unknown exception in thread {}", name);
        throw;
    }
}
