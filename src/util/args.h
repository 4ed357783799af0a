#pragma once

// Command-line and bitcoin.conf arguments in Bitcoin Core's syntax:
// -name=value, -noname (negation), -name (true), network sections
// ([main] [test] [testnet4] [signet] [regtest]) and "regtest.name=value",
// -conf, -datadir, -includeconf, -chain / -regtest / -signet / -testnet /
// -testnet4. Precedence: command line, then the selected network's section,
// then the top of the config file. NETWORK_ONLY options given at the top of
// the config file apply to main only.

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

enum ArgFlags : unsigned {
    ALLOW_ANY = 0x01,           // any value (-foo=bar, -foo, -nofoo)
    DISALLOW_NEGATION = 0x20,   // -nofoo is an error
    DISALLOW_ELISION = 0x40,    // -foo without a value is an error
    DEBUG_ONLY = 0x100,         // listed under -help-debug only
    NETWORK_ONLY = 0x200,       // top of the config file: main only
    SENSITIVE = 0x400,          // never logged
    COMMAND = 0x800,            // bitcoin-cli command, not an option
};

enum class OptionsCategory {
    OPTIONS, CONNECTION, ZMQ, DEBUG_TEST, CHAINPARAMS, NODE_RELAY, BLOCK_CREATION, RPC, WALLET,
    COMMANDS, HIDDEN,
    // Added later (help order is Core's, not the order of this enum):
    WALLET_DEBUG_TEST,  // "Wallet debugging/testing options:" (-help-debug only)
    CLI_COMMANDS,       // bitcoin-cli's "CLI Commands:" (-getinfo, -netinfo, ...)
};

inline constexpr const char* BITCOIN_CONF_FILENAME = "bitcoin.conf";

class ArgsManager {
public:
    // name as in help: "-dbcache=<n>" (the part before '=' is the key).
    void AddArg(const std::string& name, const std::string& help, unsigned flags, OptionsCategory category);
    void AddHiddenArgs(const std::vector<std::string>& names);
    void ClearArgs();  // tests

    // Errors name the offending option ("Invalid parameter -foo").
    // Non-option words after the options are kept (bitcoin-cli's method and params).
    bool ParseParameters(int argc, const char* const argv[], std::string& error);
    // Reads -conf (default bitcoin.conf in the base datadir; a missing default
    // file is fine, a missing -conf file is an error) and -includeconf files.
    bool ReadConfigFiles(std::string& error, bool ignore_invalid_keys = false);
    bool ReadConfigString(const std::string& text, std::string& error);  // tests

    // "main", "test", "testnet4", "signet" or "regtest"; throws
    // std::runtime_error on conflicting network options.
    std::string GetChainTypeString() const;
    // Section whose values apply (set after the network is known).
    void SelectConfigNetwork(const std::string& network);

    std::optional<std::string> GetArg(const std::string& name) const;
    std::string GetArg(const std::string& name, const std::string& default_value) const;
    int64_t GetIntArg(const std::string& name, int64_t default_value) const;
    bool GetBoolArg(const std::string& name, bool default_value) const;
    std::vector<std::string> GetArgs(const std::string& name) const;  // every value, in order
    bool IsArgSet(const std::string& name) const;
    bool IsArgNegated(const std::string& name) const;
    bool SoftSetArg(const std::string& name, const std::string& value);
    bool SoftSetBoolArg(const std::string& name, bool value);
    void ForceSetArg(const std::string& name, const std::string& value);

    std::vector<std::string> GetPositionalArgs() const;  // words after the options
    // Options given in the config file in a section that is not a network.
    std::set<std::string> GetUnrecognizedSections() const;
    // NETWORK_ONLY options at the top of the config file ignored on this network.
    std::set<std::string> GetUnsuitableSectionOnlyArgs() const;

    // -datadir (must exist) or ~/.bitcoin; the network's subdirectory
    // ("", "testnet3", "testnet4", "signet", "regtest").
    std::filesystem::path GetDataDirBase() const;
    std::filesystem::path GetDataDirNet() const;
    std::filesystem::path GetConfigFilePath() const;

    bool HelpRequested() const;  // -? -h -help -help-debug
    std::string GetHelpMessage() const;

    // Every registered option, for -help tests and the reference check.
    std::vector<std::string> RegisteredOptionNames() const;

    // --- Added by UTIL (beyond the lead's sketch) ---
    // Flags of a registered option ("-foo" or "foo"), nullopt if unknown.
    std::optional<unsigned> GetArgFlags(const std::string& name) const;
    // A path option: empty when negated (-nofoo), default_value when unset or
    // empty; lexically normalized, trailing slash removed (Core's GetPathArg).
    std::filesystem::path GetPathArg(const std::string& name, const std::filesystem::path& default_value = {}) const;
    // Sections of the config files that are not a network, with where they
    // appear, for Core's warning "<file>:<line> Section [<name>] is not recognized."
    struct SectionInfo {
        std::string name;
        std::string file;
        int line;
    };
    std::vector<SectionInfo> GetUnrecognizedSectionInfo() const;
    // Logs every config file and command line value as Core does
    // ("Config file arg: [regtest] port=\"1234\"", "Command-line arg: ...");
    // SENSITIVE values as "****".
    void LogArgs() const;
    // The network selected with SelectConfigNetwork ("" before).
    std::string GetSelectedNetwork() const;

private:
    struct Arg {
        std::string help_param;  // "=<n>" or ""
        std::string help;
        unsigned flags;
        OptionsCategory category;
    };
    // A value as given: a string ("" for a plain -foo), or true/false (-nofoo
    // is false, -nofoo=0 is true), as Core's settings.
    struct Value {
        enum Kind { STRING, BOOL_TRUE, BOOL_FALSE } kind = STRING;
        std::string str;
        bool IsFalse() const { return kind == BOOL_FALSE; }
    };
    using ValueList = std::vector<Value>;
    struct Settings {
        std::map<std::string, ValueList> command_line;
        std::map<std::string, std::map<std::string, ValueList>> config;  // section -> key -> values
        std::map<std::string, Value> forced;
    };
    enum class Source { FORCED, COMMAND_LINE, CONFIG_NETWORK, CONFIG_DEFAULT };
    template <typename Fn> void MergeSettings(const std::string& section, const std::string& name, Fn&& fn) const;
    std::optional<Value> GetSetting(const std::string& name, const std::string& section, bool ignore_default_section, bool chain_type) const;
    std::optional<Value> GetSetting(const std::string& name) const;
    std::vector<Value> GetSettingsList(const std::string& name) const;
    bool UseDefaultSection(const std::string& name) const;
    std::string GetChainArg() const;  // unchecked name, may be unknown
    bool ReadConfigStream(std::istream& stream, const std::string& file, std::string& error, bool ignore_invalid_keys);
    std::optional<Value> InterpretValue(const std::string& name, bool negated, const std::string* value, unsigned flags, std::string& error) const;
    const Arg* FindArg(const std::string& name) const;
    void LogArgsPrefix(const std::string& prefix, const std::string& section, const std::map<std::string, ValueList>& args) const;

    mutable std::recursive_mutex m_mutex;
    std::map<std::string, Arg> m_available;  // "-foo" -> Arg
    std::set<std::string> m_network_only_args;
    Settings m_settings;
    std::string m_network;
    std::vector<std::string> m_positional;
    std::vector<SectionInfo> m_config_sections;
};

extern ArgsManager g_args;

// Network datadir subfolder for a chain name ("test" -> "testnet3", "main" -> "").
std::string NetworkDirName(const std::string& chain);

// --- Added by UTIL ---
// Registers -help (with hidden -h and -?), as every executable needs.
void SetupHelpOptions(ArgsManager& args);
// ~/.bitcoin ($HOME/.bitcoin; /.bitcoin without HOME).
std::filesystem::path GetDefaultDataDir();
// A relative path from an option resolved against the datadir: the network's
// (net_specific) or the base one; absolute and empty paths are kept.
std::filesystem::path AbsPathForConfigVal(const ArgsManager& args, const std::filesystem::path& path, bool net_specific = true);
// False when -datadir is given but is not an existing directory.
bool CheckDataDirOption(const ArgsManager& args);
// Core's help layout: word-wrapped to `width` columns, continuation lines
// indented by `indent` spaces.
std::string FormatParagraph(std::string_view in, size_t width = 79, size_t indent = 0);
// "Options:\n\n" and "  -name=<x>\n       wrapped help\n\n" (Core's -help layout).
std::string HelpMessageGroup(const std::string& title);
std::string HelpMessageOpt(const std::string& option, const std::string& help);
// "" and any integer other than 0 are true (Core's InterpretBool; "abc" is false).
bool InterpretBool(const std::string& value);
// atoi-like: leading whitespace, optional sign, digits; saturates; 0 on garbage.
int64_t LocaleIndependentAtoi64(std::string_view str);
