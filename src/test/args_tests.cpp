#include <util/args.h>

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

// An ArgsManager with a few options of each kind.
struct TestArgs : ArgsManager {
    TestArgs()
    {
        SetupHelpOptions(*this);
        AddArg("-foo=<n>", "A number.", ALLOW_ANY, OptionsCategory::OPTIONS);
        AddArg("-bar=<s>", "A string.", ALLOW_ANY, OptionsCategory::OPTIONS);
        AddArg("-flag", "A flag.", ALLOW_ANY, OptionsCategory::OPTIONS);
        AddArg("-multi=<s>", "Given many times.", ALLOW_ANY, OptionsCategory::OPTIONS);
        AddArg("-port=<port>", "Network only.", ALLOW_ANY | NETWORK_ONLY, OptionsCategory::CONNECTION);
        AddArg("-addnode=<ip>", "Network only list.", ALLOW_ANY | NETWORK_ONLY, OptionsCategory::CONNECTION);
        AddArg("-nonneg", "No negation.", ALLOW_ANY | DISALLOW_NEGATION, OptionsCategory::OPTIONS);
        AddArg("-needval=<v>", "Needs a value.", ALLOW_ANY | DISALLOW_ELISION, OptionsCategory::OPTIONS);
        AddArg("-secret=<pw>", "Sensitive.", ALLOW_ANY | SENSITIVE, OptionsCategory::RPC);
        AddArg("-conf=<file>", "Config file.", ALLOW_ANY, OptionsCategory::OPTIONS);
        AddArg("-datadir=<dir>", "Data dir.", ALLOW_ANY, OptionsCategory::OPTIONS);
        AddArg("-includeconf=<file>", "Include.", ALLOW_ANY, OptionsCategory::OPTIONS);
        AddArg("-chain=<chain>", "Chain.", ALLOW_ANY, OptionsCategory::CHAINPARAMS);
        AddArg("-regtest", "Regtest.", ALLOW_ANY | DEBUG_ONLY, OptionsCategory::CHAINPARAMS);
        AddArg("-signet", "Signet.", ALLOW_ANY, OptionsCategory::CHAINPARAMS);
        AddArg("-testnet", "Testnet3.", ALLOW_ANY, OptionsCategory::CHAINPARAMS);
        AddArg("-testnet4", "Testnet4.", ALLOW_ANY, OptionsCategory::CHAINPARAMS);
        AddArg("-help-debug", "Debug help.", ALLOW_ANY, OptionsCategory::DEBUG_TEST);
    }
    bool Parse(std::vector<std::string> words, std::string& error)
    {
        std::vector<const char*> argv{"bitcoind"};
        for (const auto& w : words) argv.push_back(w.c_str());
        return ParseParameters(static_cast<int>(argv.size()), argv.data(), error);
    }
    void MustParse(std::vector<std::string> words)
    {
        std::string error;
        BOOST_REQUIRE_MESSAGE(Parse(std::move(words), error), error);
    }
    void MustReadConfig(const std::string& text)
    {
        std::string error;
        BOOST_REQUIRE_MESSAGE(ReadConfigString(text, error), error);
    }
};

struct TempDir {
    std::filesystem::path path;
    TempDir()
    {
        path = std::filesystem::temp_directory_path() / ("args_tests_" + std::to_string(getpid()) + "_" + std::to_string(rand()));
        std::filesystem::create_directories(path);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    void Write(const std::string& name, const std::string& text) const { std::ofstream(path / name) << text; }
};

} // namespace

BOOST_AUTO_TEST_SUITE(args_tests)

BOOST_AUTO_TEST_CASE(value_syntax)
{
    TestArgs args;
    args.MustParse({"-foo=5", "--bar=x=y", "-flag", "-multi=a", "-multi=b"});
    BOOST_CHECK_EQUAL(args.GetIntArg("-foo", 0), 5);
    BOOST_CHECK_EQUAL(args.GetIntArg("foo", 0), 5);  // with or without '-'
    BOOST_CHECK_EQUAL(args.GetArg("-bar", ""), "x=y");  // split at the first '='
    BOOST_CHECK(args.GetBoolArg("-flag", false));
    BOOST_CHECK_EQUAL(args.GetArg("-flag", "d"), "");
    BOOST_CHECK(args.IsArgSet("-flag"));
    BOOST_CHECK(!args.IsArgSet("-secret"));
    BOOST_CHECK_EQUAL(args.GetArg("-secret", "def"), "def");
    BOOST_CHECK(!args.GetArg("-secret").has_value());
    BOOST_CHECK((args.GetArgs("-multi") == std::vector<std::string>{"a", "b"}));
    // A single-value lookup of a repeated command line option takes the last.
    BOOST_CHECK_EQUAL(args.GetArg("-multi", ""), "b");
}

BOOST_AUTO_TEST_CASE(bool_and_int_interpretation)
{
    TestArgs args;
    args.MustParse({"-foo=0", "-bar=abc", "-flag=1", "-multi=12abc", "-port= +7"});
    BOOST_CHECK(!args.GetBoolArg("-foo", true));
    BOOST_CHECK(!args.GetBoolArg("-bar", true));  // not a number: false
    BOOST_CHECK(args.GetBoolArg("-flag", false));
    BOOST_CHECK_EQUAL(args.GetIntArg("-multi", 0), 12);
    BOOST_CHECK_EQUAL(args.GetIntArg("-bar", 9), 0);
    BOOST_CHECK_EQUAL(args.GetIntArg("-port", 0), 7);
    BOOST_CHECK_EQUAL(LocaleIndependentAtoi64("99999999999999999999"), INT64_MAX);
    BOOST_CHECK_EQUAL(LocaleIndependentAtoi64("-99999999999999999999"), INT64_MIN);
    BOOST_CHECK_EQUAL(LocaleIndependentAtoi64("+-1"), 0);
    BOOST_CHECK(InterpretBool(""));
    BOOST_CHECK(InterpretBool("2"));
    BOOST_CHECK(!InterpretBool("0"));
}

BOOST_AUTO_TEST_CASE(negation)
{
    TestArgs args;
    args.MustParse({"-noflag", "-nofoo=0", "-multi=a", "-nomulti", "-multi=c"});
    BOOST_CHECK(args.IsArgSet("-flag"));
    BOOST_CHECK(args.IsArgNegated("-flag"));
    BOOST_CHECK(!args.GetBoolArg("-flag", true));
    BOOST_CHECK_EQUAL(args.GetArg("-flag", "x"), "0");
    BOOST_CHECK_EQUAL(args.GetIntArg("-flag", 5), 0);
    // Double negative: -nofoo=0 means true.
    BOOST_CHECK(!args.IsArgNegated("-foo"));
    BOOST_CHECK(args.GetBoolArg("-foo", false));
    BOOST_CHECK_EQUAL(args.GetArg("-foo", ""), "1");
    // A negation drops the earlier values.
    BOOST_CHECK((args.GetArgs("-multi") == std::vector<std::string>{"c"}));

    TestArgs args2;
    args2.MustParse({"-multi=a", "-nomulti"});
    BOOST_CHECK(args2.GetArgs("-multi").empty());
    BOOST_CHECK(args2.IsArgNegated("-multi"));

    // -flag=0 is not a negation, but false.
    TestArgs args3;
    args3.MustParse({"-flag=0"});
    BOOST_CHECK(!args3.IsArgNegated("-flag"));
    BOOST_CHECK(!args3.GetBoolArg("-flag", true));
}

BOOST_AUTO_TEST_CASE(command_line_errors)
{
    std::string error;
    {
        TestArgs args;
        BOOST_CHECK(!args.Parse({"-unknown"}, error));
        BOOST_CHECK_EQUAL(error, "Invalid parameter -unknown");
    }
    {
        TestArgs args;
        BOOST_CHECK(!args.Parse({"-flag", "-unknown=3"}, error));
        BOOST_CHECK_EQUAL(error, "Invalid parameter -unknown=3");
    }
    {
        TestArgs args;
        BOOST_CHECK(!args.Parse({"-regtest.foo=1"}, error));  // sections: config file only
        BOOST_CHECK_EQUAL(error, "Invalid parameter -regtest.foo=1");
    }
    {
        TestArgs args;
        BOOST_CHECK(!args.Parse({"-nononneg"}, error));
        BOOST_CHECK_EQUAL(error, "Negating of -nonneg is meaningless and therefore forbidden");
    }
    {
        TestArgs args;
        BOOST_CHECK(!args.Parse({"-needval"}, error));
        BOOST_CHECK_EQUAL(error, "Can not set -needval with no value. Please specify value with -needval=value.");
        BOOST_CHECK(args.Parse({"-needval="}, error));  // an explicit empty value is fine
    }
    {
        TestArgs args;
        BOOST_CHECK(!args.Parse({"-includeconf=other.conf"}, error));
        BOOST_CHECK_EQUAL(error, "-includeconf cannot be used from commandline; -includeconf=\"other.conf\"");
        BOOST_CHECK(!args.Parse({"-noincludeconf=0"}, error));
        BOOST_CHECK_EQUAL(error, "-includeconf cannot be used from commandline; -includeconf=true");
        BOOST_CHECK(args.Parse({"-noincludeconf"}, error));
    }
}

BOOST_AUTO_TEST_CASE(positional_words)
{
    TestArgs args;
    args.MustParse({"-flag", "getblock", "-foo=1", "abc"});
    BOOST_CHECK((args.GetPositionalArgs() == std::vector<std::string>{"getblock", "-foo=1", "abc"}));
    BOOST_CHECK(!args.IsArgSet("-foo"));  // after the first word, nothing is an option
    args.MustParse({"-flag"});
    BOOST_CHECK(args.GetPositionalArgs().empty());
}

BOOST_AUTO_TEST_CASE(config_syntax_and_sections)
{
    TestArgs args;
    args.MustReadConfig(
        "# comment\n"
        "  foo = 3  # trailing comment\n"
        "bar=top\n"
        "noflag=1\n"
        "regtest.bar=dotted\n"
        "[regtest]\n"
        "bar=section\n"
        "port=18444\n"
        "[main]\n"
        "multi=m\n");
    // Before a network is selected, only the top of the file applies.
    BOOST_CHECK_EQUAL(args.GetIntArg("-foo", 0), 3);
    BOOST_CHECK_EQUAL(args.GetArg("-bar", ""), "top");
    BOOST_CHECK(args.IsArgNegated("-flag"));
    BOOST_CHECK(!args.IsArgSet("-port"));
    args.SelectConfigNetwork("regtest");
    BOOST_CHECK_EQUAL(args.GetSelectedNetwork(), "regtest");
    // The network's section beats the top; in the config file the first value wins.
    BOOST_CHECK_EQUAL(args.GetArg("-bar", ""), "dotted");
    BOOST_CHECK_EQUAL(args.GetIntArg("-port", 0), 18444);
    BOOST_CHECK(!args.IsArgSet("-multi"));
    BOOST_CHECK((args.GetArgs("-bar") == std::vector<std::string>{"dotted", "section", "top"}));
    args.SelectConfigNetwork("main");
    BOOST_CHECK_EQUAL(args.GetArg("-multi", ""), "m");
    BOOST_CHECK_EQUAL(args.GetArg("-bar", ""), "top");
}

BOOST_AUTO_TEST_CASE(precedence_command_line_first)
{
    TestArgs args;
    args.MustParse({"-bar=cli", "-foo=1", "-foo=2"});
    args.MustReadConfig("bar=top\nfoo=9\nflag=1\n[regtest]\nbar=net\nflag=0\n");
    args.SelectConfigNetwork("regtest");
    BOOST_CHECK_EQUAL(args.GetArg("-bar", ""), "cli");
    BOOST_CHECK_EQUAL(args.GetIntArg("-foo", 0), 2);
    BOOST_CHECK(!args.GetBoolArg("-flag", true));  // section over top
    // Lists: command line values, then the section, then the top.
    BOOST_CHECK((args.GetArgs("-bar") == std::vector<std::string>{"cli", "net", "top"}));
    // Forced values beat everything; SoftSet only fills unset options.
    BOOST_CHECK(!args.SoftSetArg("-bar", "soft"));
    BOOST_CHECK(args.SoftSetArg("-secret", "soft"));
    BOOST_CHECK_EQUAL(args.GetArg("-secret", ""), "soft");
    BOOST_CHECK(args.SoftSetBoolArg("-nonneg", true));
    BOOST_CHECK_EQUAL(args.GetArg("-nonneg", ""), "1");
    args.ForceSetArg("-bar", "forced");
    BOOST_CHECK_EQUAL(args.GetArg("-bar", ""), "forced");
    // Core's quirk: lists keep the config file's values behind a forced one.
    BOOST_CHECK((args.GetArgs("-bar") == std::vector<std::string>{"forced", "net", "top"}));
}

BOOST_AUTO_TEST_CASE(command_line_negation_and_config_lists)
{
    // Core's rule: a negation on the command line hides config values only
    // when nothing follows it on the command line.
    TestArgs a;
    a.MustParse({"-nomulti"});
    a.MustReadConfig("multi=conf\n");
    BOOST_CHECK(a.GetArgs("-multi").empty());
    BOOST_CHECK(a.IsArgNegated("-multi"));

    TestArgs b;
    b.MustParse({"-nomulti", "-multi=cli"});
    b.MustReadConfig("multi=conf\n");
    BOOST_CHECK((b.GetArgs("-multi") == std::vector<std::string>{"cli", "conf"}));

    // A negation in the config file stops the list there.
    TestArgs c;
    c.MustReadConfig("multi=a\nnomulti=1\nmulti=b\n");
    BOOST_CHECK((c.GetArgs("-multi") == std::vector<std::string>{"b"}));
}

BOOST_AUTO_TEST_CASE(network_only_options)
{
    TestArgs args;
    args.MustReadConfig("port=1\naddnode=a\nnoflag=1\n[regtest]\naddnode=b\n");
    args.SelectConfigNetwork("regtest");
    // Top-of-file NETWORK_ONLY values apply to main only.
    BOOST_CHECK(!args.IsArgSet("-port"));
    BOOST_CHECK((args.GetArgs("-addnode") == std::vector<std::string>{"b"}));
    BOOST_CHECK((args.GetUnsuitableSectionOnlyArgs() == std::set<std::string>{"-port"}));
    args.SelectConfigNetwork("main");
    BOOST_CHECK_EQUAL(args.GetIntArg("-port", 0), 1);
    BOOST_CHECK((args.GetArgs("-addnode") == std::vector<std::string>{"a"}));
    BOOST_CHECK(args.GetUnsuitableSectionOnlyArgs().empty());

    // A negation at the top still applies on other networks.
    TestArgs neg;
    neg.MustReadConfig("noport=1\n");
    neg.SelectConfigNetwork("regtest");
    BOOST_CHECK(neg.IsArgNegated("-port"));
    BOOST_CHECK(neg.GetUnsuitableSectionOnlyArgs().empty());

    // Given on the command line: fine everywhere.
    TestArgs cli;
    cli.MustParse({"-port=5"});
    cli.MustReadConfig("port=1\n");
    cli.SelectConfigNetwork("regtest");
    BOOST_CHECK_EQUAL(cli.GetIntArg("-port", 0), 5);
    BOOST_CHECK(cli.GetUnsuitableSectionOnlyArgs().empty());
}

BOOST_AUTO_TEST_CASE(config_errors)
{
    const std::vector<std::pair<std::string, std::string>> cases{
        {"unknown=1\n", "Invalid configuration value unknown"},
        {"[regtest]\nunknown=1\n", "Invalid configuration value regtest.unknown"},
        {"flag=1\n-foo=1\n", "parse error on line 2: -foo=1, options in configuration file must be specified without leading hyphen"},
        {"foo\n", "parse error on line 1: foo"},
        {"noflag\n", "parse error on line 1: noflag, if you intended to specify a negated option, use noflag=1 instead"},
        {"conf=x\n", "conf cannot be set in the configuration file; use includeconf= if you want to include additional config files"},
        {"secret=abc#def\n", ""},  // no "rpcpassword" in the name: a comment
        {"nononneg=1\n", "Negating of -nonneg is meaningless and therefore forbidden"},
    };
    for (const auto& [text, expected] : cases) {
        BOOST_TEST_CONTEXT("config '" << text << "'")
        {
            TestArgs args;
            std::string error;
            BOOST_CHECK_EQUAL(args.ReadConfigString(text, error), expected.empty());
            BOOST_CHECK_EQUAL(error, expected);
        }
    }
    TestArgs args;
    args.AddArg("-rpcpassword=<pw>", "pw", ALLOW_ANY | SENSITIVE, OptionsCategory::RPC);
    std::string error;
    BOOST_CHECK(!args.ReadConfigString("rpcpassword=ab#c\n", error));
    BOOST_CHECK_EQUAL(error, "parse error on line 1, using # in rpcpassword can be ambiguous and should be avoided");
}

BOOST_AUTO_TEST_CASE(unrecognized_sections)
{
    TestArgs args;
    args.MustReadConfig("test.foo=1\n[regtest]\nfoo=1\n[bogus]\n[main]\n");
    BOOST_CHECK((args.GetUnrecognizedSections() == std::set<std::string>{"bogus"}));
    const auto info = args.GetUnrecognizedSectionInfo();
    BOOST_REQUIRE_EQUAL(info.size(), 1U);
    BOOST_CHECK_EQUAL(info[0].name, "bogus");
    BOOST_CHECK_EQUAL(info[0].line, 4);
}

BOOST_AUTO_TEST_CASE(chain_selection)
{
    auto chain_of = [](std::vector<std::string> words, const std::string& conf = "") {
        TestArgs args;
        args.MustParse(std::move(words));
        if (!conf.empty()) args.MustReadConfig(conf);
        return args.GetChainTypeString();
    };
    BOOST_CHECK_EQUAL(chain_of({}), "main");
    BOOST_CHECK_EQUAL(chain_of({"-regtest"}), "regtest");
    BOOST_CHECK_EQUAL(chain_of({"-testnet"}), "test");
    BOOST_CHECK_EQUAL(chain_of({"-testnet4"}), "testnet4");
    BOOST_CHECK_EQUAL(chain_of({"-signet"}), "signet");
    BOOST_CHECK_EQUAL(chain_of({"-chain=regtest"}), "regtest");
    BOOST_CHECK_EQUAL(chain_of({"-chain=main"}), "main");
    BOOST_CHECK_EQUAL(chain_of({"-regtest=0"}), "main");
    BOOST_CHECK_EQUAL(chain_of({}, "regtest=1\n"), "regtest");
    BOOST_CHECK_EQUAL(chain_of({}, "chain=signet\n"), "signet");
    // Negated network flags on the command line are ignored (Core's quirk).
    BOOST_CHECK_EQUAL(chain_of({"-noregtest"}, "regtest=1\n"), "regtest");
    // For network flags in the config file the last value wins.
    BOOST_CHECK_EQUAL(chain_of({}, "regtest=1\nregtest=0\n"), "main");

    const std::string conflict = "Invalid combination of -regtest, -signet, -testnet, -testnet4 and -chain. Can use at most one.";
    for (const auto& words : std::vector<std::vector<std::string>>{
             {"-regtest", "-testnet"}, {"-chain=main", "-regtest"}, {"-signet", "-testnet4"}}) {
        TestArgs args;
        args.MustParse(words);
        BOOST_CHECK_EXCEPTION(args.GetChainTypeString(), std::runtime_error,
                              [&](const std::runtime_error& e) { return e.what() == conflict; });
    }
    TestArgs mixed;
    mixed.MustParse({"-testnet"});
    mixed.MustReadConfig("regtest=1\n");
    BOOST_CHECK_THROW(mixed.GetChainTypeString(), std::runtime_error);

    TestArgs unknown;
    unknown.MustParse({"-chain=foo"});
    BOOST_CHECK_EXCEPTION(unknown.GetChainTypeString(), std::runtime_error,
                          [](const std::runtime_error& e) { return std::string(e.what()) == "Unknown chain foo."; });
}

BOOST_AUTO_TEST_CASE(network_dir_names)
{
    BOOST_CHECK_EQUAL(NetworkDirName("main"), "");
    BOOST_CHECK_EQUAL(NetworkDirName("test"), "testnet3");
    BOOST_CHECK_EQUAL(NetworkDirName("testnet4"), "testnet4");
    BOOST_CHECK_EQUAL(NetworkDirName("signet"), "signet");
    BOOST_CHECK_EQUAL(NetworkDirName("regtest"), "regtest");
}

BOOST_AUTO_TEST_CASE(datadir_and_config_files)
{
    TempDir dir;
    const std::string datadir = "-datadir=" + dir.path.string();
    dir.Write("bitcoin.conf", "foo=1\nincludeconf=inc.conf\n[regtest]\nincludeconf=net.conf\n");
    dir.Write("inc.conf", "bar=included\nincludeconf=nested.conf\n");
    dir.Write("net.conf", "multi=fromnet\n");
    dir.Write("nested.conf", "flag=1\n");
    {
        TestArgs args;
        args.MustParse({datadir, "-regtest"});
        std::string error;
        BOOST_REQUIRE_MESSAGE(args.ReadConfigFiles(error), error);
        BOOST_CHECK_EQUAL(args.GetConfigFilePath(), dir.path / "bitcoin.conf");
        BOOST_CHECK_EQUAL(args.GetIntArg("-foo", 0), 1);
        BOOST_CHECK_EQUAL(args.GetArg("-bar", ""), "included");
        BOOST_CHECK(!args.IsArgSet("-flag"));  // includes do not nest
        args.SelectConfigNetwork(args.GetChainTypeString());
        BOOST_CHECK_EQUAL(args.GetArg("-multi", ""), "fromnet");
        BOOST_CHECK_EQUAL(args.GetDataDirBase(), dir.path);
        BOOST_CHECK_EQUAL(args.GetDataDirNet(), dir.path / "regtest");
        BOOST_CHECK_EQUAL(AbsPathForConfigVal(args, "debug.log"), dir.path / "regtest" / "debug.log");
        BOOST_CHECK_EQUAL(AbsPathForConfigVal(args, "x.pid", false), dir.path / "x.pid");
        BOOST_CHECK_EQUAL(AbsPathForConfigVal(args, "/abs/x"), "/abs/x");
    }
    {
        // Main network: no includes from [regtest]; -noincludeconf turns them off.
        TestArgs args;
        args.MustParse({datadir, "-noincludeconf"});
        std::string error;
        BOOST_REQUIRE_MESSAGE(args.ReadConfigFiles(error), error);
        BOOST_CHECK(!args.IsArgSet("-bar"));
        BOOST_CHECK_EQUAL(args.GetDataDirNet(), dir.path);
    }
    {
        TestArgs args;
        args.MustParse({datadir, "-testnet"});
        std::string error;
        BOOST_REQUIRE(args.ReadConfigFiles(error));
        args.SelectConfigNetwork("test");
        BOOST_CHECK_EQUAL(args.GetDataDirNet(), dir.path / "testnet3");
    }
    {
        // An explicit -conf must exist; relative -conf is under the datadir.
        TestArgs args;
        args.MustParse({datadir, "-conf=missing.conf"});
        std::string error;
        BOOST_CHECK(!args.ReadConfigFiles(error));
        BOOST_CHECK_EQUAL(error, "specified config file \"" + (dir.path / "missing.conf").string() + "\" could not be opened.");
    }
    {
        // The default file may be missing; -noconf reads nothing.
        TempDir empty;
        TestArgs args;
        args.MustParse({"-datadir=" + empty.path.string()});
        std::string error;
        BOOST_CHECK(args.ReadConfigFiles(error));
        TestArgs noconf;
        noconf.MustParse({datadir, "-noconf"});
        BOOST_CHECK(noconf.GetConfigFilePath().empty());
        BOOST_CHECK(noconf.ReadConfigFiles(error));
        BOOST_CHECK(!noconf.IsArgSet("-foo"));
    }
    {
        dir.Write("bad.conf", "includeconf=absent.conf\n");
        TestArgs args;
        args.MustParse({datadir, "-conf=bad.conf"});
        std::string error;
        BOOST_CHECK(!args.ReadConfigFiles(error));
        BOOST_CHECK_EQUAL(error, "Failed to include configuration file absent.conf");
    }
    {
        dir.Write("unknown.conf", "bogus=1\nfoo=4\n");
        TestArgs args;
        args.MustParse({datadir, "-conf=unknown.conf"});
        std::string error;
        BOOST_CHECK(!args.ReadConfigFiles(error));
        BOOST_CHECK_EQUAL(error, "Invalid configuration value bogus");
        BOOST_CHECK(args.ReadConfigFiles(error, /*ignore_invalid_keys=*/true));
        BOOST_CHECK_EQUAL(args.GetIntArg("-foo", 0), 4);
    }
    {
        TestArgs args;
        args.MustParse({"-datadir=" + (dir.path / "nope").string()});
        std::string error;
        BOOST_CHECK(!CheckDataDirOption(args));
        BOOST_CHECK(args.GetDataDirBase().empty());
        BOOST_CHECK(!args.ReadConfigFiles(error));
        BOOST_CHECK_EQUAL(error, "specified data directory \"" + (dir.path / "nope").string() + "\" does not exist.");
    }
    {
        // A datadir from the config file applies after reading it.
        TempDir other;
        dir.Write("dd.conf", "datadir=" + other.path.string() + "\n");
        TestArgs args;
        args.MustParse({datadir, "-conf=dd.conf", "-regtest"});
        std::string error;
        BOOST_REQUIRE(args.ReadConfigFiles(error));
        args.SelectConfigNetwork("regtest");
        BOOST_CHECK_EQUAL(args.GetDataDirBase(), dir.path);  // command line wins
    }
}

BOOST_AUTO_TEST_CASE(path_args)
{
    TestArgs args;
    args.MustParse({"-bar=/a/b/../c/", "-noflag"});
    BOOST_CHECK_EQUAL(args.GetPathArg("-bar"), "/a/c");
    BOOST_CHECK(args.GetPathArg("-flag", "d").empty());
    BOOST_CHECK_EQUAL(args.GetPathArg("-foo", "def"), "def");
}

BOOST_AUTO_TEST_CASE(help_requested)
{
    for (const char* word : {"-help", "-h", "-?", "-help-debug"}) {
        TestArgs args;
        args.MustParse({word});
        BOOST_CHECK(args.HelpRequested());
    }
    TestArgs none;
    none.MustParse({"-flag"});
    BOOST_CHECK(!none.HelpRequested());
}

BOOST_AUTO_TEST_CASE(help_formatting)
{
    ArgsManager args;
    SetupHelpOptions(args);
    args.AddArg("-zzz=<n>", "Last option in its section (default: 5)", ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-aaa", "First option", ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-rpcport=<port>", "RPC port", ALLOW_ANY, OptionsCategory::RPC);
    args.AddArg("-connect=<ip>", "Connect", ALLOW_ANY, OptionsCategory::CONNECTION);
    args.AddArg("-zmqpubrawtx=<address>", "ZMQ", ALLOW_ANY, OptionsCategory::ZMQ);
    args.AddArg("-hidden-debug", "Debug only", ALLOW_ANY | DEBUG_ONLY, OptionsCategory::DEBUG_TEST);
    args.AddArg("-long", std::string(10, 'x') + " " + std::string(70, 'y') + " short words here and there to fill up a line of text nicely ok",
                ALLOW_ANY, OptionsCategory::BLOCK_CREATION);
    args.AddArg("-help-debug", "Debug help", ALLOW_ANY, OptionsCategory::DEBUG_TEST);
    args.AddHiddenArgs({"-secret"});
    const std::string help = args.GetHelpMessage();
    const std::string expected =
        "Options:\n\n"
        "  -aaa\n       First option\n\n"
        "  -help\n       Show this help and exit (also -h or -?)\n\n"
        "  -zzz=<n>\n       Last option in its section (default: 5)\n\n"
        "Connection options:\n\n"
        "  -connect=<ip>\n       Connect\n\n"
        "ZeroMQ notification options:\n\n"
        "  -zmqpubrawtx=<address>\n       ZMQ\n\n"
        "Debugging/Testing options:\n\n"
        "  -help-debug\n       Debug help\n\n"
        "Block creation options:\n\n"
        "  -long\n"
        "       xxxxxxxxxx\n"
        "       yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\n"
        "       short words here and there to fill up a line of text nicely ok\n\n"
        "RPC server options:\n\n"
        "  -rpcport=<port>\n       RPC port\n\n";
    BOOST_CHECK_EQUAL(help, expected);
    BOOST_CHECK(help.find("-secret") == std::string::npos);
    BOOST_CHECK(help.find("-hidden-debug") == std::string::npos);

    std::string error;
    std::vector<const char*> argv{"bitcoind", "-help-debug"};
    BOOST_REQUIRE(args.ParseParameters(2, argv.data(), error));
    BOOST_CHECK(args.GetHelpMessage().find("  -hidden-debug\n       Debug only\n\n") != std::string::npos);

    const auto names = args.RegisteredOptionNames();
    BOOST_CHECK(std::find(names.begin(), names.end(), "-rpcport") != names.end());
    BOOST_CHECK_THROW(args.AddArg("-aaa=<x>", "again", ALLOW_ANY, OptionsCategory::RPC), std::logic_error);
}

BOOST_AUTO_TEST_CASE(paragraph_wrapping)
{
    // First line: up to 72 characters after the 7-space indent (79 columns);
    // continuation lines carry the indent within the 72.
    const std::string words = "aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp qqqq rrrr";
    const std::string wrapped = FormatParagraph(words, 72, 7);
    BOOST_CHECK_EQUAL(wrapped,
                      "aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn\n"
                      "       oooo pppp qqqq rrrr");
    BOOST_CHECK_EQUAL(FormatParagraph("exactly ten", 11, 2), "exactly ten");
    BOOST_CHECK_EQUAL(FormatParagraph("exactly ten", 10, 2), "exactly\n  ten");
    BOOST_CHECK_EQUAL(FormatParagraph("line one\nline two", 79, 7), "line one\nline two");
    BOOST_CHECK_EQUAL(FormatParagraph("averyveryverylongword x", 10, 2), "averyveryverylongword\n  x");
    BOOST_CHECK_EQUAL(FormatParagraph("", 79, 7), "");
    for (const std::string& line : {wrapped.substr(0, wrapped.find('\n')), wrapped.substr(wrapped.find('\n') + 1)}) {
        BOOST_CHECK_LE(line.size(), 72U);
    }
}

BOOST_AUTO_TEST_CASE(clear_args)
{
    TestArgs args;
    args.MustParse({"-foo=1"});
    args.ClearArgs();
    BOOST_CHECK(!args.IsArgSet("-foo"));
    BOOST_CHECK(args.RegisteredOptionNames().empty());
    std::string error;
    std::vector<const char*> argv{"bitcoind", "-foo=1"};
    BOOST_CHECK(!args.ParseParameters(2, argv.data(), error));
}

BOOST_AUTO_TEST_SUITE_END()
