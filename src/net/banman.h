#pragma once

// Bans and discouragement.
//
// - Bans are set by the operator (setban, -bantime): a subnet or single
//   address refused until a time, persisted in banlist.json.
// - Discouragement is what misbehaving peers get: their address is
//   remembered (in memory only, at most DISCOURAGED_MAX of them, the oldest
//   forgotten first); the connection manager prefers to evict them and
//   accepts them only when there are free slots. Peers with the noban
//   permission are never discouraged.

#include <net/netaddress.h>

#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>

class ArgsManager;

namespace net {

inline constexpr int64_t DEFAULT_MISBEHAVING_BANTIME = 60 * 60 * 24; // -bantime default, seconds
inline constexpr size_t DISCOURAGED_MAX = 50000;

struct BanEntry {
    int64_t create_time = 0; // UNIX seconds
    int64_t ban_until = 0;
};
using BanMap = std::map<SubNet, BanEntry>;

class BanMan {
public:
    // path: banlist.json (empty: not persisted). Loads it when present; a
    // missing or invalid file gives an empty list (logged).
    BanMan(std::filesystem::path path, int64_t default_ban_time = DEFAULT_MISBEHAVING_BANTIME);
    ~BanMan(); // writes the list when changed

    // ban_time_offset 0: the default ban time. absolute: ban_time_offset is a UNIX time.
    void Ban(const NetAddr& addr, int64_t ban_time_offset = 0, bool absolute = false);
    void Ban(const SubNet& subnet, int64_t ban_time_offset = 0, bool absolute = false);
    bool Unban(const NetAddr& addr);
    bool Unban(const SubNet& subnet);
    void ClearBanned();

    // Whether an active ban covers addr (any subnet containing it).
    bool IsBanned(const NetAddr& addr);
    // Whether exactly this subnet is banned (actively).
    bool IsBanned(const SubNet& subnet);

    void Discourage(const NetAddr& addr);
    bool IsDiscouraged(const NetAddr& addr) const;
    void ClearDiscouraged();

    // Active bans (expired ones are removed first).
    BanMap GetBanned();

    // Writes banlist.json when the list changed since the last write.
    void DumpBanlist();

    int64_t DefaultBanTime() const { return m_default_ban_time; }

private:
    void SweepBanned(); // under m_mutex
    bool Load();

    const std::filesystem::path m_path;
    const int64_t m_default_ban_time;
    mutable std::mutex m_mutex;
    BanMap m_banned;
    bool m_dirty = false;
    std::set<NetAddr> m_discouraged;
    std::deque<NetAddr> m_discouraged_order;
};

// -bantime.
void RegisterBanOptions(ArgsManager& args);

} // namespace net
