#pragma once

// The node's log: debug.log in the network datadir and/or the console,
// optional timestamps and thread names, debug categories switched on with
// -debug=<cat> (and off with -debugexclude=<cat>) or the `logging` RPC.
// Messages are formatted with {fmt}: LogInfo("height={}", h).

#include <fmt/format.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

enum class LogCategory : uint64_t {
    NONE = 0,
    NET = 1ull << 0, TOR = 1ull << 1, MEMPOOL = 1ull << 2, HTTP = 1ull << 3, BENCH = 1ull << 4,
    ZMQ = 1ull << 5, WALLETDB = 1ull << 6, RPC = 1ull << 7, ESTIMATEFEE = 1ull << 8,
    ADDRMAN = 1ull << 9, SELECTCOINS = 1ull << 10, REINDEX = 1ull << 11, CMPCTBLOCK = 1ull << 12,
    RAND = 1ull << 13, PRUNE = 1ull << 14, PROXY = 1ull << 15, MEMPOOLREJ = 1ull << 16,
    LIBEVENT = 1ull << 17, COINDB = 1ull << 18, LEVELDB = 1ull << 20,
    VALIDATION = 1ull << 21, I2P = 1ull << 22, IPC = 1ull << 23, LOCK = 1ull << 24,
    BLOCKSTORAGE = 1ull << 26, TXRECONCILIATION = 1ull << 27, SCAN = 1ull << 28,
    TXPACKAGES = 1ull << 29,
    QT = 1ull << 19,  // added by UTIL (Core's "qt")
    ALL = ~0ull,
};

class Logger {
public:
    struct Options {
        bool print_to_console = false;
        bool print_to_file = true;
        std::filesystem::path file;  // debug.log
        bool timestamps = true;      // -logtimestamps
        bool thread_names = false;   // -logthreadnames
        bool source_locations = false;
        bool shrink_file = true;     // -shrinkdebugfile: keep the last 10 MB of a file over 11 MB at start
        // Added by UTIL:
        bool time_micros = false;                   // -logtimemicros
        bool always_print_category_level = false;   // -loglevelalways: "[net:debug]", "[all:info]"
    };
    Logger();
    ~Logger();
    Logger(const Logger&) = delete;
    Logger& operator=(const Logger&) = delete;
    // Messages logged before Start() are buffered and written at Start().
    bool Start(const Options& options, std::string& error);
    void Stop();
    void Reopen();  // SIGHUP: reopen the file (log rotation)

    bool EnableCategory(std::string_view name);   // "net", "all", "1"; false if unknown
    bool DisableCategory(std::string_view name);
    bool Enabled(LogCategory category) const;
    // name -> active, every category in name order (the `logging` RPC).
    std::vector<std::pair<std::string, bool>> Categories() const;

    // level: "info", "warning", "error", "debug" (debug lines carry "[cat]").
    void Write(std::string_view level, LogCategory category, std::string_view message);

    // Tests: every line written is also passed here.
    void SetTestSink(void (*sink)(std::string_view line));

    // Added by UTIL:
    bool Started() const;
    // Every category name (no "all"), sorted; "1"/"all"/"" also enable all.
    static std::vector<std::string> CategoryNames();
    // "net" for LogCategory::NET; "all" for ALL or NONE.
    static std::string CategoryName(LogCategory category);
    // Core's line layout without the timestamp and thread parts:
    // "" for info, "[warning] ", "[error] ", "[net] " for debug lines.
    std::string Prefix(std::string_view level, LogCategory category) const;

private:
    struct Impl;
    Impl* m_impl;
};

Logger& GetLogger();
void SetThreadName(std::string name);  // shown with -logthreadnames
// Added by UTIL: this thread's name as set above ("" if never set; logs show
// "unknown"). The OS-level name is "b-" + name (truncated to 15 bytes).
const std::string& GetThreadName();

template <typename... Args>
void LogInfo(fmt::format_string<Args...> format, Args&&... args)
{
    GetLogger().Write("info", LogCategory::NONE, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void LogWarning(fmt::format_string<Args...> format, Args&&... args)
{
    GetLogger().Write("warning", LogCategory::NONE, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void LogError(fmt::format_string<Args...> format, Args&&... args)
{
    GetLogger().Write("error", LogCategory::NONE, fmt::format(format, std::forward<Args>(args)...));
}
// Formats only when the category is on.
#define LogDebug(category, ...)                                                  \
    do {                                                                         \
        if (GetLogger().Enabled(category))                                       \
            GetLogger().Write("debug", category, fmt::format(__VA_ARGS__));      \
    } while (0)
