#pragma once

// RPC authentication: the cookie file ("__cookie__:<64 hex>" in the network
// datadir, or -rpccookiefile), -rpcuser/-rpcpassword and -rpcauth entries
// ("user:salt$hmac", hmac = HMAC-SHA256(key=salt, msg=password) in hex, as
// written by Core's share/rpcauth/rpcauth.py). Comparisons are constant-time.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

class ArgsManager;

struct RpcAuthEntry {
    std::string user;
    std::string salt;
    std::string hmac_hex;
};

class RpcAuth {
public:
    // Parses "user:salt$hmac"; nullopt when malformed.
    static std::optional<RpcAuthEntry> ParseRpcAuth(const std::string& value);
    // Lower-case hex HMAC-SHA256 of password keyed by salt.
    static std::string HashPassword(const std::string& salt, const std::string& password);

    void AddEntry(RpcAuthEntry entry);
    // A plain user/password (stored salted and hashed like -rpcauth).
    void AddUserPassword(const std::string& user, const std::string& password);
    // "Basic <base64(user:password)>" -> true and the user when it matches an entry.
    bool CheckAuthorizationHeader(const std::string& header, std::string& user_out) const;
    bool CheckUserPassword(const std::string& user, const std::string& password) const;
    bool Empty() const { return m_entries.empty(); }
    void Clear() { m_entries.clear(); }

private:
    std::vector<RpcAuthEntry> m_entries;
};

// Constant-time equality (time depends only on the lengths).
bool TimingResistantEqual(const std::string& a, const std::string& b);

inline constexpr const char* COOKIEAUTH_USER = "__cookie__";

// Path of the cookie: -rpccookiefile (relative to the network datadir) or
// <datadir_net>/.cookie.
std::filesystem::path GetAuthCookieFile(const ArgsManager& args, const std::filesystem::path& datadir_net);
// Writes "__cookie__:<hex of 32 random bytes>" via a temporary file and a
// rename, mode 0600 (or -rpccookieperms: owner, group, all). Returns the
// password, nullopt on failure (error set).
std::optional<std::string> GenerateAuthCookie(const std::filesystem::path& path, const std::string& perms, std::string& error);
void DeleteAuthCookie(const std::filesystem::path& path);
