#include <rpc/auth.h>

#include <crypto/hmac.h>
#include <util/args.h>
#include <util/strencodings.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <span>
#include <system_error>

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

std::span<const unsigned char> Bytes(const std::string& s)
{
    return {reinterpret_cast<const unsigned char*>(s.data()), s.size()};
}

bool RandomBytes(unsigned char* out, size_t len)
{
    size_t done = 0;
    while (done < len) {
        const ssize_t got = getrandom(out + done, len - done, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        done += static_cast<size_t>(got);
    }
    return true;
}

} // namespace

bool TimingResistantEqual(const std::string& a, const std::string& b)
{
    if (b.empty()) return a.empty();
    // Walks all of a, whatever matches, so the time does not reveal where
    // the first difference is.
    size_t diff = a.size() ^ b.size();
    for (size_t i = 0; i < a.size(); ++i) {
        diff |= static_cast<unsigned char>(a[i] ^ b[i % b.size()]);
    }
    return diff == 0;
}

std::optional<RpcAuthEntry> RpcAuth::ParseRpcAuth(const std::string& value)
{
    const size_t colon = value.find(':');
    if (colon == std::string::npos || value.find(':', colon + 1) != std::string::npos) return std::nullopt;
    const std::string rest = value.substr(colon + 1);
    const size_t dollar = rest.find('$');
    if (dollar == std::string::npos || rest.find('$', dollar + 1) != std::string::npos) return std::nullopt;
    return RpcAuthEntry{value.substr(0, colon), rest.substr(0, dollar), rest.substr(dollar + 1)};
}

std::string RpcAuth::HashPassword(const std::string& salt, const std::string& password)
{
    HmacSha256 hmac(Bytes(salt));
    hmac.Write(Bytes(password));
    std::array<unsigned char, HmacSha256::OUTPUT_SIZE> out;
    hmac.Finalize(out);
    return HexStr(out);
}

void RpcAuth::AddEntry(RpcAuthEntry entry) { m_entries.push_back(std::move(entry)); }

void RpcAuth::AddUserPassword(const std::string& user, const std::string& password)
{
    std::array<unsigned char, 16> salt_bytes{};
    RandomBytes(salt_bytes.data(), salt_bytes.size());
    const std::string salt = HexStr(salt_bytes);
    m_entries.push_back({user, salt, HashPassword(salt, password)});
}

bool RpcAuth::CheckUserPassword(const std::string& user, const std::string& password) const
{
    bool ok = false;
    // Every entry is checked, so the time does not tell which user exists.
    for (const RpcAuthEntry& entry : m_entries) {
        const bool user_ok = TimingResistantEqual(user, entry.user);
        const bool hash_ok = TimingResistantEqual(HashPassword(entry.salt, password), entry.hmac_hex);
        ok |= user_ok && hash_ok;
    }
    return ok;
}

bool RpcAuth::CheckAuthorizationHeader(const std::string& header, std::string& user_out) const
{
    constexpr std::string_view BASIC = "Basic ";
    if (header.compare(0, BASIC.size(), BASIC) != 0) return false;
    std::string encoded = header.substr(BASIC.size());
    while (!encoded.empty() && (encoded.front() == ' ' || encoded.front() == '\t')) encoded.erase(0, 1);
    while (!encoded.empty() && (encoded.back() == ' ' || encoded.back() == '\t' || encoded.back() == '\r' || encoded.back() == '\n')) encoded.pop_back();
    const auto decoded = DecodeBase64(encoded);
    if (!decoded) return false;
    const size_t colon = decoded->find(':');
    if (colon == std::string::npos) return false;
    const std::string user = decoded->substr(0, colon);
    if (!CheckUserPassword(user, decoded->substr(colon + 1))) return false;
    user_out = user;
    return true;
}

std::filesystem::path GetAuthCookieFile(const ArgsManager& args, const std::filesystem::path& datadir_net)
{
    std::filesystem::path file = args.GetArg("-rpccookiefile", ".cookie");
    if (file.empty() || file == "1") file = ".cookie";  // a bare -rpccookiefile
    return file.is_absolute() ? file : datadir_net / file;
}

std::optional<std::string> GenerateAuthCookie(const std::filesystem::path& path, const std::string& perms, std::string& error)
{
    std::array<unsigned char, 32> secret{};
    if (!RandomBytes(secret.data(), secret.size())) {
        error = "Unable to generate a random cookie";
        return std::nullopt;
    }
    const std::string password = HexStr(secret);
    const std::string contents = std::string(COOKIEAUTH_USER) + ":" + password;

    mode_t mode = 0600;
    if (perms == "group") {
        mode = 0640;
    } else if (perms == "all") {
        mode = 0644;
    } else if (!perms.empty() && perms != "owner") {
        error = "Invalid -rpccookieperms=" + perms + "; must be one of 'owner', 'group', or 'all'.";
        return std::nullopt;
    }

    std::filesystem::path tmp = path;
    tmp += ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        error = "Unable to open cookie authentication file " + tmp.string() + " for writing";
        return std::nullopt;
    }
    bool ok = ::fchmod(fd, mode) == 0;
    size_t written = 0;
    while (ok && written < contents.size()) {
        const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ok = false;
            break;
        }
        written += static_cast<size_t>(n);
    }
    ok = (::close(fd) == 0) && ok;
    std::error_code ec;
    if (ok) std::filesystem::rename(tmp, path, ec);
    if (!ok || ec) {
        std::filesystem::remove(tmp, ec);
        error = "Unable to rename cookie authentication file " + tmp.string() + " to " + path.string();
        return std::nullopt;
    }
    return password;
}

void DeleteAuthCookie(const std::filesystem::path& path)
{
    std::error_code ec;
    std::filesystem::remove(path, ec);
}
