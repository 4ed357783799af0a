#include <script/interpreter.h>

#include <array>
#include <utility>

namespace {

// Names as Bitcoin Core's test vectors write them, in bit order.
constexpr std::array<std::pair<const char*, uint32_t>, 21> FLAG_NAMES{{
    {"P2SH", SCRIPT_VERIFY_P2SH},
    {"STRICTENC", SCRIPT_VERIFY_STRICTENC},
    {"DERSIG", SCRIPT_VERIFY_DERSIG},
    {"LOW_S", SCRIPT_VERIFY_LOW_S},
    {"NULLDUMMY", SCRIPT_VERIFY_NULLDUMMY},
    {"SIGPUSHONLY", SCRIPT_VERIFY_SIGPUSHONLY},
    {"MINIMALDATA", SCRIPT_VERIFY_MINIMALDATA},
    {"DISCOURAGE_UPGRADABLE_NOPS", SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS},
    {"CLEANSTACK", SCRIPT_VERIFY_CLEANSTACK},
    {"CHECKLOCKTIMEVERIFY", SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY},
    {"CHECKSEQUENCEVERIFY", SCRIPT_VERIFY_CHECKSEQUENCEVERIFY},
    {"WITNESS", SCRIPT_VERIFY_WITNESS},
    {"DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM", SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM},
    {"MINIMALIF", SCRIPT_VERIFY_MINIMALIF},
    {"NULLFAIL", SCRIPT_VERIFY_NULLFAIL},
    {"WITNESS_PUBKEYTYPE", SCRIPT_VERIFY_WITNESS_PUBKEYTYPE},
    {"CONST_SCRIPTCODE", SCRIPT_VERIFY_CONST_SCRIPTCODE},
    {"TAPROOT", SCRIPT_VERIFY_TAPROOT},
    {"DISCOURAGE_UPGRADABLE_TAPROOT_VERSION", SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION},
    {"DISCOURAGE_OP_SUCCESS", SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS},
    {"DISCOURAGE_UPGRADABLE_PUBKEYTYPE", SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE},
}};

std::optional<uint32_t> FlagFromName(std::string_view name)
{
    if (name == "NONE") return SCRIPT_VERIFY_NONE;
    for (const auto& [flag_name, bit] : FLAG_NAMES) {
        if (name == flag_name) return bit;
    }
    return std::nullopt;
}

} // namespace

std::optional<uint32_t> ParseScriptFlags(std::string_view comma_separated)
{
    uint32_t flags = 0;
    if (comma_separated.empty()) return flags;
    while (true) {
        const size_t comma = comma_separated.find(',');
        const auto bit = FlagFromName(comma_separated.substr(0, comma));
        if (!bit) return std::nullopt;
        flags |= *bit;
        if (comma == std::string_view::npos) return flags;
        comma_separated.remove_prefix(comma + 1);
    }
}

std::string FormatScriptFlags(uint32_t flags)
{
    std::string out;
    for (const auto& [name, bit] : FLAG_NAMES) {
        if (!(flags & bit)) continue;
        if (!out.empty()) out += ',';
        out += name;
    }
    return out;
}
