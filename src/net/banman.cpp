#include <net/banman.h>

#include <util/args.h>
#include <util/json.h>
#include <util/logging.h>
#include <util/time.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <unistd.h>

namespace net {

BanMan::BanMan(std::filesystem::path path, int64_t default_ban_time)
    : m_path(std::move(path)), m_default_ban_time(default_ban_time)
{
    if (m_path.empty()) return;
    std::error_code ec;
    if (!std::filesystem::exists(m_path, ec)) {
        LogInfo("Recreating {}, because the file was not found", m_path.filename().string());
        m_dirty = true;
        DumpBanlist();
        return;
    }
    const int64_t start = GetTimeMicros();
    if (Load()) {
        LogDebug(LogCategory::NET, "Loaded {} banned node addresses/subnets  {}ms", m_banned.size(),
                 (GetTimeMicros() - start) / 1000);
    } else {
        LogWarning("Recreating {}, because the file is invalid or corrupt", m_path.filename().string());
        m_banned.clear();
        m_dirty = true;
        DumpBanlist();
    }
}

BanMan::~BanMan()
{
    DumpBanlist();
}

bool BanMan::Load()
{
    std::ifstream in(m_path);
    if (!in) return false;
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto json = ParseJson(text);
    if (!json || !json->is_object() || !json->contains("banned_nets") || !(*json)["banned_nets"].is_array()) {
        return false;
    }
    std::lock_guard lock(m_mutex);
    for (const auto& e : (*json)["banned_nets"]) {
        if (!e.is_object() || !e.contains("address") || !e["address"].is_string() || !e.contains("ban_created") ||
            !e["ban_created"].is_number_integer() || !e.contains("banned_until") ||
            !e["banned_until"].is_number_integer()) {
            LogWarning("Dropping an unreadable entry of {}", m_path.filename().string());
            continue;
        }
        SubNet sn = SubNet::Parse(e["address"].get<std::string>());
        if (!sn.IsValid()) {
            LogWarning("Dropping entry with unparseable address or subnet ({}) from {}",
                       e["address"].get<std::string>(), m_path.filename().string());
            continue;
        }
        m_banned[sn] = BanEntry{e["ban_created"].get<int64_t>(), e["banned_until"].get<int64_t>()};
    }
    SweepBanned();
    m_dirty = false;
    return true;
}

void BanMan::DumpBanlist()
{
    if (m_path.empty()) return;
    Json out = Json::object();
    {
        std::lock_guard lock(m_mutex);
        SweepBanned();
        if (!m_dirty) return;
        Json arr = Json::array();
        for (const auto& [sn, e] : m_banned) {
            Json j = Json::object();
            j["version"] = 1;
            j["ban_created"] = e.create_time;
            j["banned_until"] = e.ban_until;
            j["address"] = sn.ToString();
            arr.push_back(std::move(j));
        }
        out["banned_nets"] = std::move(arr);
        m_dirty = false;
    }
    const std::filesystem::path tmp = m_path.string() + ".new";
    const std::string text = WriteJson(out, 4) + "\n";
    FILE* f = std::fopen(tmp.c_str(), "w");
    bool ok = f && std::fwrite(text.data(), 1, text.size(), f) == text.size();
    if (f) {
        ok = ok && std::fflush(f) == 0 && fsync(fileno(f)) == 0;
        ok = (std::fclose(f) == 0) && ok;
    }
    std::error_code ec;
    if (ok) std::filesystem::rename(tmp, m_path, ec);
    if (!ok || ec) {
        LogError("Failed to write {}", m_path.string());
        std::lock_guard lock(m_mutex);
        m_dirty = true;
    }
}

void BanMan::Ban(const NetAddr& addr, int64_t ban_time_offset, bool absolute)
{
    Ban(SubNet(addr), ban_time_offset, absolute);
}

void BanMan::Ban(const SubNet& subnet, int64_t ban_time_offset, bool absolute)
{
    if (!subnet.IsValid()) return;
    const int64_t now = GetTime();
    BanEntry e;
    e.create_time = now;
    if (absolute) {
        e.ban_until = ban_time_offset;
    } else {
        e.ban_until = now + (ban_time_offset > 0 ? ban_time_offset : m_default_ban_time);
    }
    {
        std::lock_guard lock(m_mutex);
        auto it = m_banned.find(subnet);
        if (it != m_banned.end() && it->second.ban_until >= e.ban_until) return;
        m_banned[subnet] = e;
        m_dirty = true;
    }
    LogDebug(LogCategory::NET, "Banned {} until {}", subnet.ToString(), e.ban_until);
    DumpBanlist();
}

bool BanMan::Unban(const NetAddr& addr)
{
    return Unban(SubNet(addr));
}

bool BanMan::Unban(const SubNet& subnet)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_banned.erase(subnet) == 0) return false;
        m_dirty = true;
    }
    DumpBanlist();
    return true;
}

void BanMan::ClearBanned()
{
    {
        std::lock_guard lock(m_mutex);
        m_banned.clear();
        m_dirty = true;
    }
    DumpBanlist();
}

bool BanMan::IsBanned(const NetAddr& addr)
{
    const int64_t now = GetTime();
    std::lock_guard lock(m_mutex);
    for (const auto& [sn, e] : m_banned) {
        if (now < e.ban_until && sn.Match(addr)) return true;
    }
    return false;
}

bool BanMan::IsBanned(const SubNet& subnet)
{
    const int64_t now = GetTime();
    std::lock_guard lock(m_mutex);
    auto it = m_banned.find(subnet);
    return it != m_banned.end() && now < it->second.ban_until;
}

void BanMan::Discourage(const NetAddr& addr)
{
    std::lock_guard lock(m_mutex);
    if (!m_discouraged.insert(addr).second) return;
    m_discouraged_order.push_back(addr);
    while (m_discouraged_order.size() > DISCOURAGED_MAX) {
        m_discouraged.erase(m_discouraged_order.front());
        m_discouraged_order.pop_front();
    }
}

bool BanMan::IsDiscouraged(const NetAddr& addr) const
{
    std::lock_guard lock(m_mutex);
    return m_discouraged.count(addr) > 0;
}

void BanMan::ClearDiscouraged()
{
    std::lock_guard lock(m_mutex);
    m_discouraged.clear();
    m_discouraged_order.clear();
}

BanMap BanMan::GetBanned()
{
    std::lock_guard lock(m_mutex);
    SweepBanned();
    return m_banned;
}

void BanMan::SweepBanned()
{
    const int64_t now = GetTime();
    for (auto it = m_banned.begin(); it != m_banned.end();) {
        if (now >= it->second.ban_until) {
            LogDebug(LogCategory::NET, "Removed banned node address/subnet: {}", it->first.ToString());
            it = m_banned.erase(it);
            m_dirty = true;
        } else {
            ++it;
        }
    }
}

void RegisterBanOptions(ArgsManager& args)
{
    args.AddArg("-bantime=<n>",
                "How many seconds a ban made with setban lasts when no bantime is given (default: " +
                    std::to_string(DEFAULT_MISBEHAVING_BANTIME) + ")",
                ALLOW_ANY, OptionsCategory::CONNECTION);
}

} // namespace net
