#include <util/logging.h>
#include <util/thread.h>
#include <util/time.h>

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

std::vector<std::string> g_lines;
void CollectLine(std::string_view line) { g_lines.emplace_back(line); }

struct LogDir {
    std::filesystem::path path;
    LogDir()
    {
        path = std::filesystem::temp_directory_path() / ("logging_tests_" + std::to_string(getpid()) + "_" + std::to_string(rand()));
        std::filesystem::create_directories(path);
        g_lines.clear();
    }
    ~LogDir() { std::filesystem::remove_all(path); }
    std::filesystem::path File() const { return path / "debug.log"; }
    std::string Read() const
    {
        std::ifstream in(File());
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
};

Logger::Options FileOptions(const std::filesystem::path& file)
{
    Logger::Options o;
    o.print_to_console = false;
    o.print_to_file = true;
    o.file = file;
    o.timestamps = false;
    o.thread_names = false;
    o.shrink_file = false;
    return o;
}

} // namespace

BOOST_AUTO_TEST_SUITE(logging_tests)

BOOST_AUTO_TEST_CASE(line_prefixes_by_level_and_category)
{
    LogDir dir;
    Logger logger;
    logger.SetTestSink(CollectLine);
    std::string error;
    BOOST_REQUIRE(logger.Start(FileOptions(dir.File()), error));
    logger.Write("info", LogCategory::NONE, "plain");
    logger.Write("warning", LogCategory::NONE, "careful");
    logger.Write("error", LogCategory::NONE, "broken");
    logger.Write("debug", LogCategory::NET, "peer 1");
    logger.Write("info", LogCategory::VALIDATION, "connected");
    logger.Write("debug", LogCategory::NONE, "uncategorized");
    logger.Write("info", LogCategory::NONE, "already ends\n");
    const std::vector<std::string> expected{
        "plain\n", "[warning] careful\n", "[error] broken\n", "[net] peer 1\n",
        "[validation:info] connected\n", "[debug] uncategorized\n", "already ends\n"};
    BOOST_CHECK_EQUAL_COLLECTIONS(g_lines.begin(), g_lines.end(), expected.begin(), expected.end());
    // The file got the same lines after the blank lines that mark a start.
    std::string file_text = "\n\n\n\n\n";
    for (const auto& l : expected) file_text += l;
    BOOST_CHECK_EQUAL(dir.Read(), file_text);
    logger.Stop();
}

BOOST_AUTO_TEST_CASE(timestamps_and_thread_names)
{
    LogDir dir;
    Logger logger;
    logger.SetTestSink(CollectLine);
    auto options = FileOptions(dir.File());
    options.timestamps = true;
    options.thread_names = true;
    std::string error;
    BOOST_REQUIRE(logger.Start(options, error));
    std::thread([&] {
        SetThreadName("scheduler");
        BOOST_CHECK_EQUAL(GetThreadName(), "scheduler");
        logger.Write("debug", LogCategory::RPC, "named");
    }).join();
    std::thread([&] { logger.Write("info", LogCategory::NONE, "anonymous"); }).join();
    BOOST_REQUIRE_EQUAL(g_lines.size(), 2U);
    const std::regex stamped(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \[scheduler\] \[rpc\] named\n)");
    BOOST_CHECK_MESSAGE(std::regex_match(g_lines[0], stamped), g_lines[0]);
    BOOST_CHECK_MESSAGE(std::regex_match(g_lines[1], std::regex(R"(\S+Z \[unknown\] anonymous\n)")), g_lines[1]);

    // Mock time is shown next to the real one.
    SetMockTime(1700000000);
    logger.Write("info", LogCategory::NONE, "mocked");
    SetMockTime(0);
    BOOST_CHECK_MESSAGE(std::regex_match(g_lines.back(), std::regex(R"(\S+Z \(mocktime: 2023-11-14T22:13:20Z\) \[\S+\] mocked\n)")), g_lines.back());
    logger.Stop();

    // Microseconds.
    g_lines.clear();
    options.thread_names = false;
    options.time_micros = true;
    BOOST_REQUIRE(logger.Start(options, error));
    logger.Write("info", LogCategory::NONE, "micro");
    BOOST_CHECK_MESSAGE(std::regex_match(g_lines.back(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z micro\n)")), g_lines.back());
}

BOOST_AUTO_TEST_CASE(always_print_category_level)
{
    LogDir dir;
    Logger logger;
    logger.SetTestSink(CollectLine);
    auto options = FileOptions(dir.File());
    options.always_print_category_level = true;
    std::string error;
    BOOST_REQUIRE(logger.Start(options, error));
    logger.Write("info", LogCategory::NONE, "a");
    logger.Write("debug", LogCategory::NET, "b");
    logger.Write("warning", LogCategory::NONE, "c");
    const std::vector<std::string> expected{"[all:info] a\n", "[net:debug] b\n", "[all:warning] c\n"};
    BOOST_CHECK_EQUAL_COLLECTIONS(g_lines.begin(), g_lines.end(), expected.begin(), expected.end());
}

BOOST_AUTO_TEST_CASE(control_characters_escaped)
{
    LogDir dir;
    Logger logger;
    logger.SetTestSink(CollectLine);
    std::string error;
    BOOST_REQUIRE(logger.Start(FileOptions(dir.File()), error));
    logger.Write("info", LogCategory::NONE, std::string("a\x01" "b\x7f" "c\td\r\nnext", 13));
    BOOST_REQUIRE_EQUAL(g_lines.size(), 1U);
    BOOST_CHECK_EQUAL(g_lines[0], "a\\x01b\\x7fc\\x09d\\x0d\nnext\n");
}

BOOST_AUTO_TEST_CASE(buffered_until_start)
{
    LogDir dir;
    Logger logger;
    logger.SetTestSink(CollectLine);
    logger.Write("info", LogCategory::NONE, "early one");
    logger.Write("warning", LogCategory::NONE, "early two");
    BOOST_CHECK(g_lines.empty());
    BOOST_CHECK(!logger.Started());
    std::string error;
    BOOST_REQUIRE(logger.Start(FileOptions(dir.File()), error));
    BOOST_CHECK(logger.Started());
    logger.Write("info", LogCategory::NONE, "late");
    const std::vector<std::string> expected{"early one\n", "[warning] early two\n", "late\n"};
    BOOST_CHECK_EQUAL_COLLECTIONS(g_lines.begin(), g_lines.end(), expected.begin(), expected.end());
    BOOST_CHECK_EQUAL(dir.Read(), "\n\n\n\n\nearly one\n[warning] early two\nlate\n");
}

BOOST_AUTO_TEST_CASE(buffer_overflow_is_reported)
{
    LogDir dir;
    Logger logger;
    logger.SetTestSink(CollectLine);
    const std::string big(1000, 'x');
    for (int i = 0; i < 2000; ++i) logger.Write("info", LogCategory::NONE, big);
    std::string error;
    BOOST_REQUIRE(logger.Start(FileOptions(dir.File()), error));
    BOOST_REQUIRE(!g_lines.empty());
    BOOST_CHECK(g_lines[0].starts_with("Early logging buffer overflowed, "));
    BOOST_CHECK(g_lines[0].ends_with(" log lines discarded.\n"));
    BOOST_CHECK_LT(g_lines.size(), 2000U);
}

BOOST_AUTO_TEST_CASE(categories)
{
    Logger logger;
    BOOST_CHECK(!logger.Enabled(LogCategory::NET));
    BOOST_CHECK(logger.EnableCategory("net"));
    BOOST_CHECK(logger.Enabled(LogCategory::NET));
    BOOST_CHECK(!logger.Enabled(LogCategory::RPC));
    BOOST_CHECK(!logger.EnableCategory("bogus"));
    BOOST_CHECK(!logger.EnableCategory("none"));
    BOOST_CHECK(logger.EnableCategory("all"));
    BOOST_CHECK(logger.Enabled(LogCategory::RPC));
    BOOST_CHECK(logger.DisableCategory("rpc"));
    BOOST_CHECK(!logger.Enabled(LogCategory::RPC));
    BOOST_CHECK(logger.Enabled(LogCategory::ZMQ));
    BOOST_CHECK(logger.DisableCategory("1"));
    BOOST_CHECK(!logger.Enabled(LogCategory::ZMQ));
    BOOST_CHECK(logger.EnableCategory(""));
    BOOST_CHECK(logger.Enabled(LogCategory::VALIDATION));
    BOOST_CHECK(logger.DisableCategory("all"));

    // The `logging` RPC's list: Core's names, sorted, no "all".
    const std::vector<std::string> names{
        "addrman", "bench", "blockstorage", "cmpctblock", "coindb", "estimatefee", "http", "i2p", "ipc",
        "leveldb", "libevent", "mempool", "mempoolrej", "net", "proxy", "prune", "qt", "rand",
        "reindex", "rpc", "scan", "selectcoins", "tor", "txpackages", "txreconciliation", "validation",
        "walletdb", "zmq"};
    const auto got = Logger::CategoryNames();
    BOOST_CHECK_EQUAL_COLLECTIONS(got.begin(), got.end(), names.begin(), names.end());
    BOOST_CHECK(logger.EnableCategory("mempool"));
    const auto list = logger.Categories();
    BOOST_REQUIRE_EQUAL(list.size(), names.size());
    for (const auto& [name, active] : list) BOOST_CHECK_EQUAL(active, name == "mempool");
    BOOST_CHECK_EQUAL(Logger::CategoryName(LogCategory::TXRECONCILIATION), "txreconciliation");
    BOOST_CHECK_EQUAL(Logger::CategoryName(LogCategory::NONE), "all");
}

BOOST_AUTO_TEST_CASE(log_debug_macro_formats_only_when_enabled)
{
    // The global logger buffers (never started in unit tests); Enabled gates
    // the formatting.
    Logger& logger = GetLogger();
    logger.DisableCategory("all");
    int formatted = 0;
    auto counted = [&] { ++formatted; return 7; };
    LogDebug(LogCategory::BENCH, "value {}", counted());
    BOOST_CHECK_EQUAL(formatted, 0);
    logger.EnableCategory("bench");
    LogDebug(LogCategory::BENCH, "value {}", counted());
    BOOST_CHECK_EQUAL(formatted, 1);
    logger.DisableCategory("bench");
    LogInfo("info {} {}", 1, "two");  // compiles with fmt arguments
}

BOOST_AUTO_TEST_CASE(console_only_and_open_failure)
{
    Logger logger;
    auto options = FileOptions("/nonexistent-dir/debug.log");
    std::string error;
    BOOST_CHECK(!logger.Start(options, error));
    BOOST_CHECK_EQUAL(error, "Could not open debug log file /nonexistent-dir/debug.log");
    options.print_to_file = false;
    logger.SetTestSink(CollectLine);
    g_lines.clear();
    BOOST_CHECK(logger.Start(options, error));
    logger.Write("info", LogCategory::NONE, "to nowhere but the sink");
    BOOST_CHECK_EQUAL(g_lines.size(), 1U);
}

BOOST_AUTO_TEST_CASE(shrink_debug_file)
{
    LogDir dir;
    {
        // 12 MB: over 110% of 10 MB, so only the last 10 MB stay.
        std::ofstream out(dir.File(), std::ios::binary);
        const std::string chunk(1000000, 'a');
        for (int i = 0; i < 11; ++i) out << chunk;
        out << std::string(1000000 - 4, 'b') << "END\n";
    }
    Logger logger;
    auto options = FileOptions(dir.File());
    options.shrink_file = true;
    std::string error;
    BOOST_REQUIRE(logger.Start(options, error));
    logger.Stop();
    const std::string text = dir.Read();
    BOOST_CHECK_EQUAL(text.size(), 10000000U + 5);
    BOOST_CHECK(text.starts_with("aaaa"));
    BOOST_CHECK(text.ends_with("bEND\n\n\n\n\n\n"));

    // Under 11 MB: left alone.
    {
        std::ofstream out(dir.File(), std::ios::binary | std::ios::trunc);
        out << std::string(10900000, 'c');
    }
    BOOST_REQUIRE(logger.Start(options, error));
    logger.Stop();
    BOOST_CHECK_EQUAL(std::filesystem::file_size(dir.File()), 10900000U + 5);

    // shrink_file false: never shrunk.
    {
        std::ofstream out(dir.File(), std::ios::binary | std::ios::trunc);
        out << std::string(12000000, 'd');
    }
    options.shrink_file = false;
    BOOST_REQUIRE(logger.Start(options, error));
    logger.Stop();
    BOOST_CHECK_EQUAL(std::filesystem::file_size(dir.File()), 12000000U + 5);
}

BOOST_AUTO_TEST_CASE(reopen_after_rotation)
{
    LogDir dir;
    Logger logger;
    std::string error;
    BOOST_REQUIRE(logger.Start(FileOptions(dir.File()), error));
    logger.Write("info", LogCategory::NONE, "before");
    std::filesystem::rename(dir.File(), dir.path / "debug.log.1");
    logger.Write("info", LogCategory::NONE, "still old file");
    logger.Reopen();
    logger.Write("info", LogCategory::NONE, "after");
    logger.Stop();
    BOOST_CHECK_EQUAL(dir.Read(), "after\n");
    std::ifstream old(dir.path / "debug.log.1");
    std::stringstream ss;
    ss << old.rdbuf();
    BOOST_CHECK_EQUAL(ss.str(), "\n\n\n\n\nbefore\nstill old file\n");
}

BOOST_AUTO_TEST_CASE(trace_thread_names_and_logs)
{
    std::string seen;
    std::thread t(TraceThread, "worker", [&] { seen = GetThreadName(); });
    t.join();
    BOOST_CHECK_EQUAL(seen, "worker");
    char os_name[16] = {};
    std::thread([&] {
        SetThreadName("averyveryverylongname");
        pthread_getname_np(pthread_self(), os_name, sizeof(os_name));
    }).join();
    BOOST_CHECK_EQUAL(std::string(os_name), "b-averyveryvery");
}

BOOST_AUTO_TEST_SUITE_END()
