#include <util/logging.h>

#include <util/time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <pthread.h>
#include <vector>

namespace {

// Names as the `logging` RPC and -debug spell them: Core v30's set (no "lock",
// which Core lists only in lock-contention builds; "kernel" came after v30).
const std::map<std::string, LogCategory, std::less<>>& CategoryMap()
{
    static const std::map<std::string, LogCategory, std::less<>> map{
        {"addrman", LogCategory::ADDRMAN},
        {"bench", LogCategory::BENCH},
        {"blockstorage", LogCategory::BLOCKSTORAGE},
        {"cmpctblock", LogCategory::CMPCTBLOCK},
        {"coindb", LogCategory::COINDB},
        {"estimatefee", LogCategory::ESTIMATEFEE},
        {"http", LogCategory::HTTP},
        {"i2p", LogCategory::I2P},
        {"ipc", LogCategory::IPC},
        {"leveldb", LogCategory::LEVELDB},
        {"libevent", LogCategory::LIBEVENT},
        {"mempool", LogCategory::MEMPOOL},
        {"mempoolrej", LogCategory::MEMPOOLREJ},
        {"net", LogCategory::NET},
        {"prune", LogCategory::PRUNE},
        {"proxy", LogCategory::PROXY},
        {"qt", LogCategory::QT},
        {"rand", LogCategory::RAND},
        {"reindex", LogCategory::REINDEX},
        {"rpc", LogCategory::RPC},
        {"scan", LogCategory::SCAN},
        {"selectcoins", LogCategory::SELECTCOINS},
        {"tor", LogCategory::TOR},
        {"txpackages", LogCategory::TXPACKAGES},
        {"txreconciliation", LogCategory::TXRECONCILIATION},
        {"validation", LogCategory::VALIDATION},
        {"walletdb", LogCategory::WALLETDB},
        {"zmq", LogCategory::ZMQ},
    };
    return map;
}

std::optional<uint64_t> CategoryMask(std::string_view name)
{
    if (name.empty() || name == "1" || name == "all") return static_cast<uint64_t>(LogCategory::ALL);
    const auto& map = CategoryMap();
    const auto it = map.find(name);
    if (it == map.end()) return std::nullopt;
    return static_cast<uint64_t>(it->second);
}

// Control characters other than newline become \xNN so one message cannot
// forge the look of another line's fields.
std::string EscapeMessage(std::string_view message)
{
    std::string out;
    out.reserve(message.size());
    for (unsigned char c : message) {
        if ((c < 0x20 && c != '\n') || c == 0x7f) {
            out += fmt::format("\\x{:02x}", c);
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

thread_local std::string t_thread_name;

// "[warning] ", "[net] " (debug), "[net:info] ", "" for plain info lines.
std::string LinePrefix(std::string_view level, LogCategory category, bool always)
{
    const bool has_category = always || (category != LogCategory::NONE && category != LogCategory::ALL);
    if (!has_category && level == "info") return {};
    std::string s = "[";
    if (has_category) s += Logger::CategoryName(category);
    // A category implies debug; without one, info is implied.
    if (always || !has_category || level != "debug") {
        if (has_category) s += ':';
        s += level;
    }
    return s + "] ";
}

// Messages held until Start(): at most this many bytes, then counted only.
constexpr size_t MAX_BUFFER_BYTES = 1000000;
// -shrinkdebugfile keeps this much of the end of a file over 110% of it.
constexpr size_t RECENT_DEBUG_HISTORY_SIZE = 10 * 1000000;

} // namespace

struct Logger::Impl {
    struct Pending {
        int64_t micros;
        int64_t mocktime;
        std::string thread;
        std::string level;
        LogCategory category;
        std::string message;
    };

    mutable std::mutex mutex;
    Options options;
    bool started = false;
    std::FILE* file = nullptr;
    std::list<Pending> buffer;
    size_t buffer_bytes = 0;
    size_t dropped = 0;
    std::atomic<uint64_t> categories{0};
    std::atomic<bool> reopen{false};
    std::atomic<void (*)(std::string_view)> sink{nullptr};

    std::string Format(const Pending& p) const
    {
        std::string line;
        if (options.timestamps) {
            const int64_t secs = p.micros >= 0 ? p.micros / 1000000 : (p.micros - 999999) / 1000000;
            line = FormatISO8601DateTime(secs);
            if (options.time_micros && !line.empty()) {
                line.pop_back();
                line += fmt::format(".{:06}Z", p.micros - secs * 1000000);
            }
            if (p.mocktime > 0) line += " (mocktime: " + FormatISO8601DateTime(p.mocktime) + ")";
            line += ' ';
        }
        if (options.thread_names) line += "[" + (p.thread.empty() ? std::string("unknown") : p.thread) + "] ";
        line += LinePrefix(p.level, p.category, options.always_print_category_level);
        line += EscapeMessage(p.message);
        if (line.empty() || line.back() != '\n') line += '\n';
        return line;
    }

    void Emit(const std::string& line)
    {
        if (reopen.exchange(false) && file && !options.file.empty()) {
            if (std::FILE* f = std::fopen(options.file.c_str(), "a")) {
                std::setbuf(f, nullptr);
                std::fclose(file);
                file = f;
            }
        }
        if (options.print_to_console) {
            std::fwrite(line.data(), 1, line.size(), stdout);
            std::fflush(stdout);
        }
        if (file) std::fwrite(line.data(), 1, line.size(), file);
        if (auto s = sink.load()) s(line);
    }

    void ShrinkFile()
    {
        std::error_code ec;
        const auto size = std::filesystem::file_size(options.file, ec);
        if (ec || size <= RECENT_DEBUG_HISTORY_SIZE / 10 * 11) return;
        std::FILE* f = std::fopen(options.file.c_str(), "r");
        if (!f) return;
        std::vector<char> tail(RECENT_DEBUG_HISTORY_SIZE);
        if (std::fseek(f, -static_cast<long>(tail.size()), SEEK_END) != 0) {
            std::fclose(f);
            return;
        }
        const size_t n = std::fread(tail.data(), 1, tail.size(), f);
        std::fclose(f);
        if (std::FILE* out = std::fopen(options.file.c_str(), "w")) {
            std::fwrite(tail.data(), 1, n, out);
            std::fclose(out);
        }
    }
};

Logger::Logger() : m_impl(new Impl) {}

Logger::~Logger()
{
    Stop();
    delete m_impl;
}

bool Logger::Start(const Options& options, std::string& error)
{
    std::lock_guard lock(m_impl->mutex);
    if (m_impl->file) {
        std::fclose(m_impl->file);
        m_impl->file = nullptr;
    }
    m_impl->options = options;
    if (options.print_to_file) {
        if (options.shrink_file) m_impl->ShrinkFile();
        m_impl->file = std::fopen(options.file.c_str(), "a");
        if (!m_impl->file) {
            error = "Could not open debug log file " + options.file.string();
            return false;
        }
        std::setbuf(m_impl->file, nullptr);  // unbuffered: readers see every line at once
        // A few blank lines mark a new start in an existing file.
        std::fwrite("\n\n\n\n\n", 1, 5, m_impl->file);
    }
    m_impl->started = true;
    if (m_impl->dropped > 0) {
        Impl::Pending note{GetTimeMicros(), GetMockTime(), t_thread_name, "info", LogCategory::NONE,
                           fmt::format("Early logging buffer overflowed, {} log lines discarded.", m_impl->dropped)};
        m_impl->buffer.push_front(std::move(note));
    }
    for (const auto& p : m_impl->buffer) m_impl->Emit(m_impl->Format(p));
    m_impl->buffer.clear();
    m_impl->buffer_bytes = 0;
    m_impl->dropped = 0;
    return true;
}

void Logger::Stop()
{
    std::lock_guard lock(m_impl->mutex);
    if (m_impl->file) {
        std::fclose(m_impl->file);
        m_impl->file = nullptr;
    }
    m_impl->started = false;
}

bool Logger::Started() const
{
    std::lock_guard lock(m_impl->mutex);
    return m_impl->started;
}

void Logger::Reopen()
{
    // Only an atomic store: this runs in the SIGHUP handler. The next line
    // logged reopens the file.
    m_impl->reopen.store(true);
}

bool Logger::EnableCategory(std::string_view name)
{
    const auto mask = CategoryMask(name);
    if (!mask) return false;
    m_impl->categories.fetch_or(*mask);
    return true;
}

bool Logger::DisableCategory(std::string_view name)
{
    const auto mask = CategoryMask(name);
    if (!mask) return false;
    m_impl->categories.fetch_and(~*mask);
    return true;
}

bool Logger::Enabled(LogCategory category) const
{
    return (m_impl->categories.load(std::memory_order_relaxed) & static_cast<uint64_t>(category)) != 0;
}

std::vector<std::pair<std::string, bool>> Logger::Categories() const
{
    std::vector<std::pair<std::string, bool>> out;
    for (const auto& [name, category] : CategoryMap()) out.emplace_back(name, Enabled(category));
    return out;
}

std::vector<std::string> Logger::CategoryNames()
{
    std::vector<std::string> out;
    for (const auto& [name, category] : CategoryMap()) out.push_back(name);
    return out;
}

std::string Logger::CategoryName(LogCategory category)
{
    if (category == LogCategory::NONE || category == LogCategory::ALL) return "all";
    for (const auto& [name, c] : CategoryMap()) {
        if (c == category) return name;
    }
    if (category == LogCategory::LOCK) return "lock";
    return "unknown";
}

std::string Logger::Prefix(std::string_view level, LogCategory category) const
{
    std::lock_guard lock(m_impl->mutex);
    return LinePrefix(level, category, m_impl->options.always_print_category_level);
}

void Logger::Write(std::string_view level, LogCategory category, std::string_view message)
{
    Impl::Pending p{GetTimeMicros(), GetMockTime(), t_thread_name, std::string(level), category, std::string(message)};
    std::unique_lock lock(m_impl->mutex);
    if (!m_impl->started) {
        const size_t size = p.message.size() + p.thread.size() + 64;
        if (m_impl->buffer_bytes + size > MAX_BUFFER_BYTES) {
            ++m_impl->dropped;
            return;
        }
        m_impl->buffer_bytes += size;
        m_impl->buffer.push_back(std::move(p));
        return;
    }
    m_impl->Emit(m_impl->Format(p));
}

void Logger::SetTestSink(void (*sink)(std::string_view line)) { m_impl->sink.store(sink); }

Logger& GetLogger()
{
    // Never destroyed: threads may still log while static objects go away.
    static Logger* logger = new Logger();
    return *logger;
}

void SetThreadName(std::string name)
{
    t_thread_name = std::move(name);
    std::string os_name = "b-" + t_thread_name;
    if (os_name.size() > 15) os_name.resize(15);
    pthread_setname_np(pthread_self(), os_name.c_str());
}

const std::string& GetThreadName() { return t_thread_name; }
