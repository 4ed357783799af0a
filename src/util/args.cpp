#include <util/args.h>

#include <util/logging.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>
#include <stdexcept>

ArgsManager g_args;

namespace {

constexpr std::string_view TRIM_CHARS = " \t\r\n";

std::string_view Trim(std::string_view s, std::string_view chars = TRIM_CHARS)
{
    const size_t b = s.find_first_not_of(chars);
    if (b == std::string_view::npos) return {};
    const size_t e = s.find_last_not_of(chars);
    return s.substr(b, e - b + 1);
}

// "-foo" and "foo" name the same setting; settings are stored without '-'.
std::string SettingName(const std::string& name)
{
    return (!name.empty() && name[0] == '-') ? name.substr(1) : name;
}

// "regtest.nofoo" -> section "regtest", name "foo", negated.
struct KeyInfo {
    std::string name;
    std::string section;
    bool negated = false;
};

KeyInfo InterpretKey(std::string key)
{
    KeyInfo info;
    const size_t dot = key.find('.');
    if (dot != std::string::npos) {
        info.section = key.substr(0, dot);
        key.erase(0, dot + 1);
    }
    if (key.starts_with("no")) {
        key.erase(0, 2);
        info.negated = true;
    }
    info.name = std::move(key);
    return info;
}

bool IsNetworkSection(const std::string& name)
{
    return name == "main" || name == "test" || name == "testnet4" || name == "signet" || name == "regtest";
}

// The order Core prints its help sections in, and their titles.
struct CategoryInfo {
    OptionsCategory category;
    const char* title;
    bool debug_only;
};
constexpr CategoryInfo HELP_CATEGORIES[] = {
    {OptionsCategory::OPTIONS, "Options:", false},
    {OptionsCategory::CONNECTION, "Connection options:", false},
    {OptionsCategory::WALLET, "Wallet options:", false},
    {OptionsCategory::WALLET_DEBUG_TEST, "Wallet debugging/testing options:", true},
    {OptionsCategory::ZMQ, "ZeroMQ notification options:", false},
    {OptionsCategory::DEBUG_TEST, "Debugging/Testing options:", false},
    {OptionsCategory::CHAINPARAMS, "Chain selection options:", false},
    {OptionsCategory::NODE_RELAY, "Node relay options:", false},
    {OptionsCategory::BLOCK_CREATION, "Block creation options:", false},
    {OptionsCategory::RPC, "RPC server options:", false},
    {OptionsCategory::COMMANDS, "Commands:", false},
    {OptionsCategory::CLI_COMMANDS, "CLI Commands:", false},
};

// JSON text of a string, as Core shows setting values in logs and errors.
std::string QuoteJson(const std::string& s)
{
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (c < 0x20 || c == 0x7f) {
                out += fmt::format("\\u{:04x}", c);
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    return out + "\"";
}

} // namespace

int64_t LocaleIndependentAtoi64(std::string_view str)
{
    std::string_view s = Trim(str, " \f\n\r\t\v");
    if (!s.empty() && s[0] == '+') {
        if (s.size() >= 2 && s[1] == '-') return 0;
        s.remove_prefix(1);
    }
    int64_t result = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), result);
    if (ec == std::errc::result_out_of_range) {
        return (!s.empty() && s[0] == '-') ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max();
    }
    if (ec != std::errc{}) return 0;
    return result;
}

bool InterpretBool(const std::string& value)
{
    if (value.empty()) return true;
    return LocaleIndependentAtoi64(value) != 0;
}

std::string NetworkDirName(const std::string& chain)
{
    if (chain == "main") return "";
    if (chain == "test") return "testnet3";
    return chain;  // testnet4, signet, regtest
}

// ---------------------------------------------------------------------------
// Registration

void ArgsManager::AddArg(const std::string& name, const std::string& help, unsigned flags, OptionsCategory category)
{
    const size_t eq = std::min(name.find('='), name.size());
    const std::string key = name.substr(0, eq);
    std::lock_guard lock(m_mutex);
    const auto [it, inserted] = m_available.emplace(key, Arg{name.substr(eq), help, flags, category});
    if (!inserted) throw std::logic_error("option registered twice: " + key);
    if (flags & NETWORK_ONLY) m_network_only_args.insert(key);
}

void ArgsManager::AddHiddenArgs(const std::vector<std::string>& names)
{
    for (const auto& name : names) AddArg(name, "", ALLOW_ANY, OptionsCategory::HIDDEN);
}

void ArgsManager::ClearArgs()
{
    std::lock_guard lock(m_mutex);
    m_available.clear();
    m_network_only_args.clear();
    m_settings = {};
    m_network.clear();
    m_positional.clear();
    m_config_sections.clear();
}

const ArgsManager::Arg* ArgsManager::FindArg(const std::string& name) const
{
    const std::string key = (!name.empty() && name[0] == '-') ? name : "-" + name;
    const auto it = m_available.find(key);
    return it == m_available.end() ? nullptr : &it->second;
}

std::optional<unsigned> ArgsManager::GetArgFlags(const std::string& name) const
{
    std::lock_guard lock(m_mutex);
    const Arg* arg = FindArg(name);
    if (!arg) return std::nullopt;
    return arg->flags;
}

std::vector<std::string> ArgsManager::RegisteredOptionNames() const
{
    std::lock_guard lock(m_mutex);
    std::vector<std::string> names;
    for (const auto& [name, arg] : m_available) names.push_back(name);
    return names;
}

// ---------------------------------------------------------------------------
// Parsing

std::optional<ArgsManager::Value> ArgsManager::InterpretValue(const std::string& name, bool negated, const std::string* value,
                                                              unsigned flags, std::string& error) const
{
    if (negated) {
        if (flags & DISALLOW_NEGATION) {
            error = fmt::format("Negating of -{} is meaningless and therefore forbidden", name);
            return std::nullopt;
        }
        // -nofoo=0 is a (discouraged) double negative: true.
        if (value && !InterpretBool(*value)) {
            LogWarning("parsed potentially confusing double-negative -{}={}", name, *value);
            return Value{Value::BOOL_TRUE, {}};
        }
        return Value{Value::BOOL_FALSE, {}};
    }
    if (!value && (flags & DISALLOW_ELISION)) {
        error = fmt::format("Can not set -{} with no value. Please specify value with -{}=value.", name, name);
        return std::nullopt;
    }
    return Value{Value::STRING, value ? *value : std::string{}};
}

// A value as JSON text (Core's SettingsValue::write): "text", true or false.
static std::string ValueJson(int kind, const std::string& str)
{
    if (kind == 1) return "true";
    if (kind == 2) return "false";
    return QuoteJson(str);
}

bool ArgsManager::ParseParameters(int argc, const char* const argv[], std::string& error)
{
    std::lock_guard lock(m_mutex);
    m_settings.command_line.clear();
    m_positional.clear();
    for (int i = 1; i < argc; ++i) {
        const std::string arg(argv[i]);
        if (arg == "-") break;  // stdin marker
        if (arg.empty() || arg[0] != '-') {
            // The first word that is not an option: it and everything after
            // it are positional (bitcoin-cli's method and parameters).
            for (; i < argc; ++i) m_positional.emplace_back(argv[i]);
            break;
        }
        std::string key = arg;
        std::optional<std::string> value;
        if (const size_t eq = key.find('='); eq != std::string::npos) {
            value = key.substr(eq + 1);
            key.erase(eq);
        }
        if (key.size() > 1 && key[1] == '-') key.erase(0, 1);  // --foo is -foo
        key.erase(0, 1);
        const KeyInfo info = InterpretKey(key);
        const Arg* known = FindArg(info.name);
        // Section prefixes ("regtest.foo") belong in the config file only.
        if (!known || !info.section.empty() || info.name.empty()) {
            error = "Invalid parameter " + arg;
            return false;
        }
        auto v = InterpretValue(info.name, info.negated, value ? &*value : nullptr, known->flags, error);
        if (!v) return false;
        m_settings.command_line[info.name].push_back(std::move(*v));
    }
    // -includeconf is for config files only (-noincludeconf is allowed).
    if (auto it = m_settings.command_line.find("includeconf"); it != m_settings.command_line.end()) {
        const ValueList& values = it->second;
        size_t first = 0;
        for (size_t k = 0; k < values.size(); ++k) {
            if (values[k].IsFalse()) first = k + 1;
        }
        if (first < values.size()) {
            const Value& v = values[first];
            error = "-includeconf cannot be used from commandline; -includeconf=" + ValueJson(v.kind, v.str);
            return false;
        }
    }
    return true;
}

std::vector<std::string> ArgsManager::GetPositionalArgs() const
{
    std::lock_guard lock(m_mutex);
    return m_positional;
}

bool ArgsManager::ReadConfigStream(std::istream& stream, const std::string& file, std::string& error, bool ignore_invalid_keys)
{
    std::vector<std::pair<std::string, std::string>> options;
    std::string line;
    std::string prefix;
    int linenr = 1;
    while (std::getline(stream, line)) {
        bool had_hash = false;
        if (const size_t hash = line.find('#'); hash != std::string::npos) {
            line.erase(hash);
            had_hash = true;
        }
        const std::string text{Trim(line)};
        if (!text.empty()) {
            if (text.front() == '[' && text.back() == ']') {
                const std::string section = text.substr(1, text.size() - 2);
                m_config_sections.push_back({section, file, linenr});
                prefix = section + '.';
            } else if (text.front() == '-') {
                error = fmt::format("parse error on line {}: {}, options in configuration file must be specified without leading hyphen", linenr, text);
                return false;
            } else if (const size_t eq = text.find('='); eq != std::string::npos) {
                const std::string name = prefix + std::string(Trim(std::string_view(text).substr(0, eq)));
                const std::string value{Trim(std::string_view(text).substr(eq + 1))};
                if (had_hash && name.find("rpcpassword") != std::string::npos) {
                    error = fmt::format("parse error on line {}, using # in rpcpassword can be ambiguous and should be avoided", linenr);
                    return false;
                }
                options.emplace_back(name, value);
                if (const size_t dot = name.rfind('.'); dot != std::string::npos && prefix.size() <= dot) {
                    m_config_sections.push_back({name.substr(0, dot), file, linenr});
                }
            } else {
                error = fmt::format("parse error on line {}: {}", linenr, text);
                if (text.starts_with("no")) {
                    error += fmt::format(", if you intended to specify a negated option, use {}=1 instead", text);
                }
                return false;
            }
        }
        ++linenr;
    }

    for (const auto& [key, value] : options) {
        const KeyInfo info = InterpretKey(key);
        if (info.name == "conf") {
            error = "conf cannot be set in the configuration file; use includeconf= if you want to include additional config files";
            return false;
        }
        if (info.name == "reindex") {
            LogWarning("reindex=1 is set in the configuration file, which will significantly slow down startup. "
                       "Consider removing or commenting out this option for better performance, unless there is "
                       "currently a condition which makes rebuilding the indexes necessary");
        }
        const Arg* known = FindArg(info.name);
        if (!known || info.name.empty()) {
            if (ignore_invalid_keys) {
                LogInfo("Ignoring unknown configuration value {}", key);
                continue;
            }
            error = "Invalid configuration value " + key;
            return false;
        }
        auto v = InterpretValue(info.name, info.negated, &value, known->flags, error);
        if (!v) return false;
        m_settings.config[info.section][info.name].push_back(std::move(*v));
    }
    return true;
}

bool ArgsManager::ReadConfigString(const std::string& text, std::string& error)
{
    std::lock_guard lock(m_mutex);
    std::istringstream stream(text);
    return ReadConfigStream(stream, "<string>", error, /*ignore_invalid_keys=*/false);
}

bool ArgsManager::ReadConfigFiles(std::string& error, bool ignore_invalid_keys)
{
    std::lock_guard lock(m_mutex);
    m_settings.config.clear();
    m_config_sections.clear();
    m_network.clear();

    const std::filesystem::path conf_path = GetConfigFilePath();
    std::ifstream stream;
    if (!conf_path.empty()) {  // empty with -noconf
        std::error_code ec;
        if (std::filesystem::is_directory(conf_path, ec)) {
            error = fmt::format("Config file \"{}\" is a directory.", conf_path.string());
            return false;
        }
        stream.open(conf_path);
        if (IsArgSet("-conf") && !stream.good()) {
            error = fmt::format("specified config file \"{}\" could not be opened.", conf_path.string());
            return false;
        }
    }
    if (stream.good()) {
        if (!ReadConfigStream(stream, conf_path.string(), error, ignore_invalid_keys)) return false;
        // -noincludeconf on the command line turns includes off.
        const bool use_includes = m_settings.command_line.find("includeconf") == m_settings.command_line.end();
        if (use_includes) {
            std::vector<std::string> names;
            // Includes of a section, after its last negation, skipping the
            // first `skip` (already read).
            auto add_includes = [&](const std::string& section, size_t skip) -> size_t {
                const auto sec = m_settings.config.find(section);
                if (sec == m_settings.config.end()) return 0;
                const auto values = sec->second.find("includeconf");
                if (values == sec->second.end()) return 0;
                size_t negated = 0;
                for (size_t k = 0; k < values->second.size(); ++k) {
                    if (values->second[k].IsFalse()) negated = k + 1;
                }
                for (size_t k = std::max(skip, negated); k < values->second.size(); ++k) {
                    const Value& v = values->second[k];
                    names.push_back(v.kind == Value::STRING ? v.str : (v.kind == Value::BOOL_TRUE ? "1" : "0"));
                }
                return values->second.size();
            };
            const std::string chain = GetChainArg();
            const size_t chain_includes = add_includes(chain, 0);
            const size_t default_includes = add_includes("", 0);
            for (const std::string& name : names) {
                const std::filesystem::path path = AbsPathForConfigVal(*this, name, /*net_specific=*/false);
                std::error_code ec;
                if (std::filesystem::is_directory(path, ec)) {
                    error = fmt::format("Included config file \"{}\" is a directory.", path.string());
                    return false;
                }
                std::ifstream included(path);
                if (!included.good()) {
                    error = "Failed to include configuration file " + name;
                    return false;
                }
                if (!ReadConfigStream(included, name, error, ignore_invalid_keys)) return false;
                LogInfo("Included configuration file {}", name);
            }
            // Included files may not include further files: warn about any.
            names.clear();
            add_includes(chain, chain_includes);
            add_includes("", default_includes);
            const std::string chain_final = GetChainArg();
            if (chain_final != chain) add_includes(chain_final, 0);
            for (const std::string& name : names) {
                std::cerr << "warning: -includeconf cannot be used from included files; ignoring -includeconf=" << name << "\n";
            }
        }
    }

    if (!CheckDataDirOption(*this)) {
        error = fmt::format("specified data directory \"{}\" does not exist.", GetArg("-datadir", ""));
        return false;
    }
    return true;
}

// ---------------------------------------------------------------------------
// Lookup, following Core's precedence rules

template <typename Fn>
void ArgsManager::MergeSettings(const std::string& section, const std::string& name, Fn&& fn) const
{
    if (auto it = m_settings.forced.find(name); it != m_settings.forced.end()) {
        const ValueList one{it->second};
        fn(one, Source::FORCED);
    }
    if (auto it = m_settings.command_line.find(name); it != m_settings.command_line.end()) {
        fn(it->second, Source::COMMAND_LINE);
    }
    if (!section.empty()) {
        if (auto sec = m_settings.config.find(section); sec != m_settings.config.end()) {
            if (auto it = sec->second.find(name); it != sec->second.end()) fn(it->second, Source::CONFIG_NETWORK);
        }
    }
    if (auto sec = m_settings.config.find(""); sec != m_settings.config.end()) {
        if (auto it = sec->second.find(name); it != sec->second.end()) fn(it->second, Source::CONFIG_DEFAULT);
    }
}

namespace {
// Index of the first value after the last negation.
template <typename List>
size_t FirstActive(const List& values)
{
    size_t first = 0;
    for (size_t k = 0; k < values.size(); ++k) {
        if (values[k].IsFalse()) first = k + 1;
    }
    return first;
}
} // namespace

std::optional<ArgsManager::Value> ArgsManager::GetSetting(const std::string& name, const std::string& section,
                                                          bool ignore_default_section, bool chain_type) const
{
    std::optional<Value> result;
    bool done = false;
    MergeSettings(section, name, [&](const ValueList& values, Source source) {
        if (done) return;
        const bool last_negated = !values.empty() && values.back().IsFalse();
        // A negation in the top section still applies to NETWORK_ONLY options.
        if (ignore_default_section && source == Source::CONFIG_DEFAULT && !last_negated) return;
        // Negated network flags are ignored (as Core does): -noregtest does
        // not override regtest=1 in the config file.
        if (chain_type && last_negated) return;
        const size_t first = FirstActive(values);
        if (first < values.size()) {
            // The config file keeps the first value of a key (except for the
            // network flags); the command line keeps the last.
            const bool first_wins = (source == Source::CONFIG_NETWORK || source == Source::CONFIG_DEFAULT) && !chain_type;
            result = first_wins ? values[first] : values.back();
            done = true;
        } else if (last_negated) {
            result = Value{Value::BOOL_FALSE, {}};
            done = true;
        }
    });
    return result;
}

bool ArgsManager::UseDefaultSection(const std::string& name) const
{
    return m_network == "main" || m_network_only_args.count("-" + name) == 0;
}

std::optional<ArgsManager::Value> ArgsManager::GetSetting(const std::string& name) const
{
    const std::string key = SettingName(name);
    return GetSetting(key, m_network, !UseDefaultSection(key), false);
}

std::vector<ArgsManager::Value> ArgsManager::GetSettingsList(const std::string& name) const
{
    const std::string key = SettingName(name);
    const bool ignore_default_section = !UseDefaultSection(key);
    std::vector<Value> result;
    bool done = false;
    bool prev_negated_empty = false;
    MergeSettings(m_network, key, [&](const ValueList& values, Source source) {
        // Core's quirk: config values come back after a command line negation
        // unless that negation left the list empty.
        const bool zombie = (source == Source::CONFIG_NETWORK || source == Source::CONFIG_DEFAULT) && !prev_negated_empty;
        if (ignore_default_section && source == Source::CONFIG_DEFAULT) return;
        const size_t first = FirstActive(values);
        if (!done || zombie) {
            for (size_t k = first; k < values.size(); ++k) result.push_back(values[k]);
        }
        done |= first > 0 || source == Source::FORCED;
        const bool last_negated = !values.empty() && values.back().IsFalse();
        prev_negated_empty |= last_negated && result.empty();
    });
    return result;
}

namespace {
std::string ToStr(bool is_false, bool is_true, const std::string& s)
{
    return is_false ? "0" : is_true ? "1" : s;
}
} // namespace

std::optional<std::string> ArgsManager::GetArg(const std::string& name) const
{
    std::lock_guard lock(m_mutex);
    const auto v = GetSetting(name);
    if (!v) return std::nullopt;
    return ToStr(v->kind == Value::BOOL_FALSE, v->kind == Value::BOOL_TRUE, v->str);
}

std::string ArgsManager::GetArg(const std::string& name, const std::string& default_value) const
{
    return GetArg(name).value_or(default_value);
}

int64_t ArgsManager::GetIntArg(const std::string& name, int64_t default_value) const
{
    std::lock_guard lock(m_mutex);
    const auto v = GetSetting(name);
    if (!v) return default_value;
    if (v->kind == Value::BOOL_FALSE) return 0;
    if (v->kind == Value::BOOL_TRUE) return 1;
    return LocaleIndependentAtoi64(v->str);
}

bool ArgsManager::GetBoolArg(const std::string& name, bool default_value) const
{
    std::lock_guard lock(m_mutex);
    const auto v = GetSetting(name);
    if (!v) return default_value;
    if (v->kind != Value::STRING) return v->kind == Value::BOOL_TRUE;
    return InterpretBool(v->str);
}

std::vector<std::string> ArgsManager::GetArgs(const std::string& name) const
{
    std::lock_guard lock(m_mutex);
    std::vector<std::string> out;
    for (const Value& v : GetSettingsList(name)) {
        out.push_back(ToStr(v.kind == Value::BOOL_FALSE, v.kind == Value::BOOL_TRUE, v.str));
    }
    return out;
}

bool ArgsManager::IsArgSet(const std::string& name) const
{
    std::lock_guard lock(m_mutex);
    return GetSetting(name).has_value();
}

bool ArgsManager::IsArgNegated(const std::string& name) const
{
    std::lock_guard lock(m_mutex);
    const auto v = GetSetting(name);
    return v && v->kind == Value::BOOL_FALSE;
}

bool ArgsManager::SoftSetArg(const std::string& name, const std::string& value)
{
    std::lock_guard lock(m_mutex);
    if (IsArgSet(name)) return false;
    ForceSetArg(name, value);
    return true;
}

bool ArgsManager::SoftSetBoolArg(const std::string& name, bool value)
{
    return SoftSetArg(name, value ? "1" : "0");
}

void ArgsManager::ForceSetArg(const std::string& name, const std::string& value)
{
    std::lock_guard lock(m_mutex);
    m_settings.forced[SettingName(name)] = Value{Value::STRING, value};
}

std::filesystem::path ArgsManager::GetPathArg(const std::string& name, const std::filesystem::path& default_value) const
{
    if (IsArgNegated(name)) return {};
    const std::string text = GetArg(name, "");
    if (text.empty()) return default_value;
    std::filesystem::path result = std::filesystem::path(text).lexically_normal();
    return result.has_filename() ? result : result.parent_path();
}

// ---------------------------------------------------------------------------
// Networks and sections

std::string ArgsManager::GetChainArg() const
{
    std::lock_guard lock(m_mutex);
    auto flag = [&](const std::string& name) {
        const auto v = GetSetting(name, "", false, /*chain_type=*/true);
        if (!v) return false;
        if (v->kind != Value::STRING) return v->kind == Value::BOOL_TRUE;
        return InterpretBool(v->str);
    };
    const bool regtest = flag("regtest");
    const bool signet = flag("signet");
    const bool testnet = flag("testnet");
    const bool testnet4 = flag("testnet4");
    const auto chain = GetArg("-chain");
    if (int{chain.has_value()} + regtest + signet + testnet + testnet4 > 1) {
        throw std::runtime_error("Invalid combination of -regtest, -signet, -testnet, -testnet4 and -chain. Can use at most one.");
    }
    if (chain) return *chain;
    if (regtest) return "regtest";
    if (signet) return "signet";
    if (testnet) return "test";
    if (testnet4) return "testnet4";
    return "main";
}

std::string ArgsManager::GetChainTypeString() const
{
    const std::string chain = GetChainArg();
    if (!IsNetworkSection(chain)) throw std::runtime_error(fmt::format("Unknown chain {}.", chain));
    return chain;
}

void ArgsManager::SelectConfigNetwork(const std::string& network)
{
    std::lock_guard lock(m_mutex);
    m_network = network;
}

std::string ArgsManager::GetSelectedNetwork() const
{
    std::lock_guard lock(m_mutex);
    return m_network;
}

std::vector<ArgsManager::SectionInfo> ArgsManager::GetUnrecognizedSectionInfo() const
{
    std::lock_guard lock(m_mutex);
    std::vector<SectionInfo> out;
    for (const auto& s : m_config_sections) {
        if (!IsNetworkSection(s.name)) out.push_back(s);
    }
    return out;
}

std::set<std::string> ArgsManager::GetUnrecognizedSections() const
{
    std::set<std::string> out;
    for (const auto& s : GetUnrecognizedSectionInfo()) out.insert(s.name);
    return out;
}

std::set<std::string> ArgsManager::GetUnsuitableSectionOnlyArgs() const
{
    std::lock_guard lock(m_mutex);
    std::set<std::string> out;
    if (m_network.empty() || m_network == "main") return out;
    for (const std::string& arg : m_network_only_args) {
        // Set only at the top of the config file, not overridden elsewhere.
        bool in_default = false;
        bool elsewhere = false;
        MergeSettings(m_network, SettingName(arg), [&](const ValueList& values, Source source) {
            if (FirstActive(values) >= values.size()) return;
            if (source == Source::CONFIG_DEFAULT) {
                in_default = true;
            } else {
                elsewhere = true;
            }
        });
        if (in_default && !elsewhere) out.insert(arg);
    }
    return out;
}

// ---------------------------------------------------------------------------
// Data directory

std::filesystem::path GetDefaultDataDir()
{
    const char* home = std::getenv("HOME");
    std::filesystem::path base = (home && *home) ? std::filesystem::path(home) : std::filesystem::path("/");
    return base / ".bitcoin";
}

bool CheckDataDirOption(const ArgsManager& args)
{
    const std::filesystem::path datadir = args.GetPathArg("-datadir");
    std::error_code ec;
    return datadir.empty() || std::filesystem::is_directory(std::filesystem::absolute(datadir, ec), ec);
}

std::filesystem::path ArgsManager::GetDataDirBase() const
{
    const std::filesystem::path datadir = GetPathArg("-datadir");
    if (datadir.empty()) return GetDefaultDataDir();
    std::error_code ec;
    std::filesystem::path path = std::filesystem::absolute(datadir, ec);
    if (ec || !std::filesystem::is_directory(path, ec)) return {};
    return path;
}

std::filesystem::path ArgsManager::GetDataDirNet() const
{
    std::filesystem::path base = GetDataDirBase();
    if (base.empty()) return base;
    std::string network = GetSelectedNetwork();
    if (network.empty()) {
        try {
            network = GetChainArg();
        } catch (const std::exception&) {
            network = "main";
        }
    }
    const std::string sub = NetworkDirName(network);
    return sub.empty() ? base : base / sub;
}

std::filesystem::path AbsPathForConfigVal(const ArgsManager& args, const std::filesystem::path& path, bool net_specific)
{
    if (path.is_absolute() || path.empty()) return path;
    return (net_specific ? args.GetDataDirNet() : args.GetDataDirBase()) / path;
}

std::filesystem::path ArgsManager::GetConfigFilePath() const
{
    return AbsPathForConfigVal(*this, GetPathArg("-conf", BITCOIN_CONF_FILENAME), /*net_specific=*/false);
}

// ---------------------------------------------------------------------------
// Help

void SetupHelpOptions(ArgsManager& args)
{
    args.AddArg("-help", "Show this help and exit (also -h or -?)", ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddHiddenArgs({"-h", "-?"});
}

bool ArgsManager::HelpRequested() const
{
    return IsArgSet("-?") || IsArgSet("-h") || IsArgSet("-help") || IsArgSet("-help-debug");
}

std::string FormatParagraph(std::string_view in, size_t width, size_t indent)
{
    // Each output line holds at most `width` characters counting the indent
    // of continuation lines; words longer than that get a line of their own.
    // An explicit newline in the text ends a line and the next one is not
    // indented.
    std::string out;
    size_t pos = 0;
    size_t used = 0;  // columns already taken on the current line by indent
    while (pos < in.size()) {
        size_t end = in.find('\n', pos);
        if (end == std::string_view::npos) end = in.size();
        const size_t room = width - used;
        if (end - pos <= room) {
            out.append(in.substr(pos, end - pos));
            if (end < in.size()) out += '\n';
            pos = end + 1;
            used = 0;
            continue;
        }
        // Break at the last space (or newline) that leaves at most `room`
        // characters; without one, after the whole first word.
        size_t brk = in.find_last_of(" \n", pos + room);
        if (brk == std::string_view::npos || brk < pos) {
            brk = in.find_first_of(" \n", pos);
            if (brk == std::string_view::npos) {
                out.append(in.substr(pos));
                break;
            }
        }
        out.append(in.substr(pos, brk - pos));
        out += '\n';
        if (in[brk] == '\n') {
            used = 0;
        } else if (indent > 0) {
            out.append(indent, ' ');
            used = indent;
        }
        pos = brk + 1;
    }
    return out;
}

namespace {
constexpr size_t HELP_SCREEN_WIDTH = 79;
constexpr size_t HELP_OPT_INDENT = 2;
constexpr size_t HELP_MSG_INDENT = 7;
} // namespace

std::string HelpMessageGroup(const std::string& title) { return title + "\n\n"; }

std::string HelpMessageOpt(const std::string& option, const std::string& help)
{
    return std::string(HELP_OPT_INDENT, ' ') + option + "\n" + std::string(HELP_MSG_INDENT, ' ') +
           FormatParagraph(help, HELP_SCREEN_WIDTH - HELP_MSG_INDENT, HELP_MSG_INDENT) + "\n\n";
}

std::string ArgsManager::GetHelpMessage() const
{
    const bool show_debug = GetBoolArg("-help-debug", false);
    std::lock_guard lock(m_mutex);
    std::string usage;
    for (const CategoryInfo& cat : HELP_CATEGORIES) {
        std::string body;
        bool any = false;
        for (const auto& [name, arg] : m_available) {
            if (arg.category != cat.category) continue;
            any = true;
            if (!show_debug && (arg.flags & DEBUG_ONLY)) continue;
            body += HelpMessageOpt(name + arg.help_param, arg.help);
        }
        if (!any) continue;
        if (cat.debug_only && !show_debug) continue;
        usage += HelpMessageGroup(cat.title) + body;
    }
    return usage;
}

// ---------------------------------------------------------------------------
// Logging the settings

void ArgsManager::LogArgsPrefix(const std::string& prefix, const std::string& section,
                                const std::map<std::string, ValueList>& args) const
{
    const std::string section_text = section.empty() ? "" : "[" + section + "] ";
    for (const auto& [name, values] : args) {
        const Arg* known = FindArg(name);
        if (!known) continue;
        for (const Value& v : values) {
            const std::string text = (known->flags & SENSITIVE) ? "****" : ValueJson(v.kind, v.str);
            LogInfo("{} {}{}={}", prefix, section_text, name, text);
        }
    }
}

void ArgsManager::LogArgs() const
{
    std::lock_guard lock(m_mutex);
    for (const auto& [section, args] : m_settings.config) LogArgsPrefix("Config file arg:", section, args);
    LogArgsPrefix("Command-line arg:", "", m_settings.command_line);
}
