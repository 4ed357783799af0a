#include <rpc/server.h>

#include <util/json.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <list>
#include <set>

namespace {

const Json& NullJson()
{
    static const Json null_value;
    return null_value;
}

std::vector<std::string> SplitNames(const std::string& names)
{
    std::vector<std::string> out;
    size_t start = 0;
    while (true) {
        const size_t bar = names.find('|', start);
        out.push_back(names.substr(start, bar - start));
        if (bar == std::string::npos) break;
        start = bar + 1;
    }
    return out;
}

// Commands in flight, for getrpcinfo.
struct ActiveEntry {
    std::string method;
    std::chrono::steady_clock::time_point start;
};
std::mutex g_active_mutex;
std::list<ActiveEntry> g_active;

class ActiveCommandScope {
public:
    explicit ActiveCommandScope(const std::string& method)
    {
        std::lock_guard lock(g_active_mutex);
        m_it = g_active.insert(g_active.end(), ActiveEntry{method, std::chrono::steady_clock::now()});
    }
    ~ActiveCommandScope()
    {
        std::lock_guard lock(g_active_mutex);
        g_active.erase(m_it);
    }
    ActiveCommandScope(const ActiveCommandScope&) = delete;
    ActiveCommandScope& operator=(const ActiveCommandScope&) = delete;

private:
    std::list<ActiveEntry>::iterator m_it;
};

// The JSON type an argument must have, or nullopt when the handler checks
// it itself (amounts take numbers or strings, ranges numbers or arrays).
const char* ExpectedTypeName(RPCArg::Type type)
{
    switch (type) {
    case RPCArg::Type::STR:
    case RPCArg::Type::STR_HEX: return "string";
    case RPCArg::Type::NUM: return "number";
    case RPCArg::Type::BOOL: return "bool";
    case RPCArg::Type::OBJ: return "object";
    case RPCArg::Type::ARR: return "array";
    case RPCArg::Type::AMOUNT:
    case RPCArg::Type::RANGE:
    case RPCArg::Type::ANY: return nullptr;
    }
    return nullptr;
}

const char* HelpTypeName(RPCArg::Type type)
{
    switch (type) {
    case RPCArg::Type::STR:
    case RPCArg::Type::STR_HEX: return "string";
    case RPCArg::Type::NUM: return "numeric";
    case RPCArg::Type::AMOUNT: return "numeric or string";
    case RPCArg::Type::BOOL: return "boolean";
    case RPCArg::Type::OBJ: return "json object";
    case RPCArg::Type::ARR: return "json array";
    case RPCArg::Type::RANGE: return "numeric or array";
    case RPCArg::Type::ANY: return "any";
    }
    return "any";
}

std::string OneLineArg(const RPCArg& arg)
{
    if (!arg.oneline.empty()) return arg.oneline;
    const std::string name = SplitNames(arg.name).front();
    switch (arg.type) {
    case RPCArg::Type::STR:
    case RPCArg::Type::STR_HEX: return "\"" + name + "\"";
    case RPCArg::Type::OBJ: return "{...}";
    case RPCArg::Type::ARR: return "[...]";
    default: return name;
    }
}

size_t RequiredArgCount(const RPCMethod& method)
{
    size_t required = 0;
    for (size_t i = 0; i < method.args.size(); ++i) {
        if (!method.args[i].optional) required = i + 1;
    }
    return required;
}

// Named parameters (an object) to positions, the way Core does it: holes
// before a given parameter become nulls, trailing holes are left out, an
// "args" array supplies leading positional values, anything left over is an
// unknown name.
Json NamedToPositional(const Json& named, const RPCMethod& method)
{
    std::map<std::string, const Json*> remaining;
    for (const auto& [key, value] : named.items()) remaining[key] = &value;

    Json out = Json::array();
    size_t hole = 0;
    size_t initial_hole = 0;
    const std::string* initial_param = nullptr;
    for (const RPCArg& arg : method.args) {
        auto found = remaining.end();
        for (const std::string& alias : SplitNames(arg.name)) {
            found = remaining.find(alias);
            if (found != remaining.end()) break;
        }
        if (found != remaining.end()) {
            for (; hole > 0; --hole) out.push_back(nullptr);
            if (!initial_param) initial_param = &arg.name;
            out.push_back(*found->second);
            remaining.erase(found);
        } else {
            ++hole;
            if (out.empty()) initial_hole = hole;
        }
    }
    auto args_it = remaining.find("args");
    if (args_it != remaining.end() && args_it->second->is_array()) {
        const Json& positional = *args_it->second;
        if (initial_param && initial_hole < positional.size()) {
            throw RPCError(RPC_INVALID_PARAMETER, "Parameter " + *initial_param + " specified twice both as positional and named argument");
        }
        Json merged = positional;
        for (size_t i = merged.size(); i < out.size(); ++i) merged.push_back(out[i]);
        out = std::move(merged);
        remaining.erase(args_it);
    }
    if (!remaining.empty()) {
        throw RPCError(RPC_INVALID_PARAMETER, "Unknown named parameter " + remaining.begin()->first);
    }
    return out;
}

std::string EnsureNewline(std::string text)
{
    if (!text.empty() && text.back() != '\n') text += '\n';
    return text;
}

} // namespace

std::string JsonTypeName(const Json& value)
{
    if (value.is_null()) return "null";
    if (value.is_boolean()) return "bool";
    if (value.is_number() || IsJsonRawNumber(value)) return "number";
    if (value.is_string()) return "string";
    if (value.is_array()) return "array";
    if (value.is_object()) return "object";
    return "null";
}

const Json& RPCRequest::Param(size_t i) const
{
    if (!params.is_array() || i >= params.size()) return NullJson();
    return params[i];
}

void RPCTable::Register(RPCMethod method)
{
    std::string name = method.name;
    m_methods[name] = std::move(method);
}

bool RPCTable::Has(const std::string& name) const { return m_methods.count(name) > 0; }

std::vector<std::string> RPCTable::MethodNames() const
{
    std::vector<std::string> names;
    for (const auto& [name, _] : m_methods) names.push_back(name);
    return names;
}

void RPCTable::SetWarmupStatus(const std::string& status)
{
    std::lock_guard lock(m_warmup_mutex);
    m_warmup_status = status;
}

void RPCTable::SetWarmupFinished()
{
    std::lock_guard lock(m_warmup_mutex);
    m_in_warmup = false;
}

void RPCTable::StartWarmup(const std::string& status)
{
    std::lock_guard lock(m_warmup_mutex);
    m_in_warmup = true;
    m_warmup_status = status;
}

bool RPCTable::IsInWarmup(std::string* status) const
{
    std::lock_guard lock(m_warmup_mutex);
    if (status) *status = m_warmup_status;
    return m_in_warmup;
}

Json RPCTable::Execute(RPCRequest request) const
{
    {
        std::lock_guard lock(m_warmup_mutex);
        if (m_in_warmup) throw RPCError(RPC_IN_WARMUP, m_warmup_status);
    }
    const auto it = m_methods.find(request.method);
    if (it == m_methods.end()) throw RPCError(RPC_METHOD_NOT_FOUND, "Method not found");
    const RPCMethod& method = it->second;

    if (request.params.is_object()) {
        request.params = NamedToPositional(request.params, method);
    } else if (request.params.is_null()) {
        request.params = Json::array();
    } else if (!request.params.is_array()) {
        throw RPCError(RPC_INVALID_REQUEST, "Params must be an array or object");
    }

    ActiveCommandScope active(method.name);
    try {
        const size_t count = request.params.size();
        if (count < RequiredArgCount(method) || count > method.args.size()) {
            throw RPCError(RPC_MISC_ERROR, MethodHelp(method));
        }
        // Every mismatch at once, as Core lists them.
        Json mismatches = Json::object();
        for (size_t i = 0; i < method.args.size(); ++i) {
            const RPCArg& arg = method.args[i];
            const Json& value = request.Param(i);
            if (arg.optional && value.is_null()) continue;
            const char* expected = ExpectedTypeName(arg.type);
            if (!expected) continue;
            const std::string actual = JsonTypeName(value);
            if (actual != expected) {
                mismatches["Position " + std::to_string(i + 1) + " (" + arg.name + ")"] =
                    "JSON value of type " + actual + " is not of expected type " + expected;
            }
        }
        if (!mismatches.empty()) {
            throw RPCError(RPC_TYPE_ERROR, "Wrong type passed:\n" + WriteJson(mismatches, 4));
        }
        return method.handler(request);
    } catch (const RPCError&) {
        throw;
    } catch (const std::exception& e) {
        throw RPCError(RPC_MISC_ERROR, e.what());
    }
}

std::string RPCTable::MethodHelp(const RPCMethod& method)
{
    std::string text = method.name;
    bool in_optional = false;
    for (const RPCArg& arg : method.args) {
        text += ' ';
        if (arg.optional && !in_optional) {
            text += "( ";
            in_optional = true;
        } else if (!arg.optional && in_optional) {
            text += ") ";
            in_optional = false;
        }
        text += OneLineArg(arg);
    }
    if (in_optional) text += " )";
    text += "\n\n";
    text += EnsureNewline(method.description);

    if (!method.args.empty()) {
        std::vector<std::pair<std::string, std::string>> rows;
        size_t width = 0;
        for (size_t i = 0; i < method.args.size(); ++i) {
            const RPCArg& arg = method.args[i];
            std::string hint = arg.default_hint;
            if (hint.empty()) {
                hint = arg.optional ? "optional" : "required";
            } else if (arg.optional && hint.rfind("optional", 0) != 0) {
                hint = "optional, " + hint;  // "default=1" -> "optional, default=1"
            }
            std::string left = std::to_string(i + 1) + ". " + SplitNames(arg.name).front();
            width = std::max(width, left.size());
            rows.emplace_back(std::move(left), "(" + std::string(HelpTypeName(arg.type)) + ", " + hint + ") " + arg.description);
        }
        const size_t pad = width + 4;
        text += "\nArguments:\n";
        for (auto& [left, right] : rows) {
            left.resize(pad, ' ');
            std::string indented;
            for (char c : right) {
                indented += c;
                if (c == '\n') indented += std::string(pad, ' ');
            }
            text += left + indented + "\n";
        }
    }
    if (!method.result.empty()) text += "\nResult:\n" + EnsureNewline(method.result);
    if (!method.examples.empty()) text += "\nExamples:\n" + EnsureNewline(method.examples);
    return text;
}

std::string RPCTable::Help(const std::string& name) const
{
    std::string out;
    if (name.empty()) {
        std::vector<const RPCMethod*> sorted;
        for (const auto& [_, method] : m_methods) {
            if (method.category != "hidden") sorted.push_back(&method);
        }
        std::sort(sorted.begin(), sorted.end(), [](const RPCMethod* a, const RPCMethod* b) {
            return std::tie(a->category, a->name) < std::tie(b->category, b->name);
        });
        std::string category;
        for (const RPCMethod* method : sorted) {
            if (method->category != category) {
                if (!category.empty()) out += "\n";
                category = method->category;
                std::string title = category;
                if (!title.empty()) title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(title[0])));
                out += "== " + title + " ==\n";
            }
            const std::string full = MethodHelp(*method);
            out += full.substr(0, full.find('\n')) + "\n";
        }
    } else {
        const auto it = m_methods.find(name);
        if (it != m_methods.end()) out = MethodHelp(it->second);
    }
    if (out.empty()) out = "help: unknown command: " + name + "\n";
    out.pop_back();  // no trailing newline, as Core
    return out;
}

RPCTable& GetRPCTable()
{
    static RPCTable* table = [] {
        auto* t = new RPCTable();
        t->StartWarmup();
        return t;
    }();
    return *table;
}

std::vector<ActiveRPCCommand> GetActiveRPCCommands()
{
    std::vector<ActiveRPCCommand> out;
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(g_active_mutex);
    for (const ActiveEntry& entry : g_active) {
        out.push_back({entry.method, std::chrono::duration_cast<std::chrono::microseconds>(now - entry.start).count()});
    }
    return out;
}
