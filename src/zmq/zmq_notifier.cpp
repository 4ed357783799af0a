#include <zmq/zmq_notifier.h>

#include <kernel/block_index.h>
#include <primitives/block.h>
#include <primitives/transaction.h>
#include <streams.h>
#include <uint256.h>
#include <util/args.h>
#include <util/logging.h>

#include <zmq.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <limits>
#include <map>
#include <mutex>
#include <span>

namespace {

// Option suffix after "-zmq" and the topic published, in the order Core lists them.
struct TopicKind {
    const char* type;   // "pubhashblock": the option is "-zmq" + type, getzmqnotifications' "type"
    const char* topic;  // first frame
    const char* what;   // for the help text
};
constexpr std::array<TopicKind, 5> TOPICS{{
    {"pubhashblock", "hashblock", "the hash of each new best block"},
    {"pubhashtx", "hashtx", "the txid of each transaction accepted to the mempool or in a connected or disconnected block"},
    {"pubrawblock", "rawblock", "the serialization of each new best block"},
    {"pubrawtx", "rawtx", "the serialization of each transaction accepted to the mempool or in a connected or disconnected block"},
    {"pubsequence", "sequence", "block connections and disconnections and mempool acceptances and removals, as hash plus label"},
}};

enum class Topic { HASHBLOCK, HASHTX, RAWBLOCK, RAWTX, SEQUENCE };

// "unix:/path" is libzmq's "ipc:///path".
std::string NormalizeAddress(std::string address)
{
    const std::string unix_prefix{"unix:"};
    if (address.starts_with(unix_prefix)) address.replace(0, unix_prefix.size(), "ipc://");
    return address;
}

// tcp://[::1]:28332 or tcp://::1:28332 needs ZMQ_IPV6 on the socket.
bool IsIPv6TcpAddress(const std::string& address)
{
    const std::string tcp{"tcp://"};
    if (!address.starts_with(tcp)) return false;
    const std::string rest = address.substr(tcp.size());
    if (rest.starts_with("[")) return true;
    const auto last_colon = rest.rfind(':');
    return last_colon != std::string::npos && rest.substr(0, last_colon).find(':') != std::string::npos;
}

// The hash as users see it (reversed bytes).
std::vector<unsigned char> Reversed(const uint256& hash)
{
    std::vector<unsigned char> out(hash.begin(), hash.end());
    std::reverse(out.begin(), out.end());
    return out;
}

} // namespace

struct ZmqNotifier::Impl {
    struct Notification {
        Topic topic;
        std::string type;     // "pubhashblock"
        std::string address;  // normalized
        int hwm;
        uint32_t sequence = 0;
        void* socket = nullptr;  // shared with the other notifications on the same address
        bool failed = false;     // a send failed: dropped, as Core drops a failing notifier
    };

    mutable std::mutex mutex;
    void* context = nullptr;
    std::vector<Notification> notifications;
    std::map<std::string, void*> sockets;  // address -> PUB socket
    bool started = false;
    // The last connected block, for rawblock on the following UpdatedBlockTip.
    std::shared_ptr<const Block> last_connected;

    bool Has(Topic t) const
    {
        return std::any_of(notifications.begin(), notifications.end(),
                           [t](const Notification& n) { return n.topic == t && !n.failed; });
    }

    void CloseAll()
    {
        for (auto& [address, socket] : sockets) {
            int linger = 0;
            zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof(linger));
            zmq_close(socket);
        }
        sockets.clear();
        for (Notification& n : notifications) n.socket = nullptr;
        if (context) {
            zmq_ctx_term(context);
            context = nullptr;
        }
        started = false;
        last_connected.reset();
    }

    // Sends topic, body and the notification's 4-byte counter as one message.
    bool SendMessage(Notification& n, std::span<const unsigned char> body)
    {
        const char* topic = TOPICS[static_cast<size_t>(n.topic)].topic;
        const uint32_t seq = n.sequence;
        const std::array<unsigned char, 4> seq_le{static_cast<unsigned char>(seq), static_cast<unsigned char>(seq >> 8),
                                                  static_cast<unsigned char>(seq >> 16),
                                                  static_cast<unsigned char>(seq >> 24)};
        // A PUB socket never blocks (it drops at the high water mark);
        // ZMQ_DONTWAIT keeps validation safe should that ever change.
        if (zmq_send(n.socket, topic, std::char_traits<char>::length(topic), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
            zmq_send(n.socket, body.data(), body.size(), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
            zmq_send(n.socket, seq_le.data(), seq_le.size(), ZMQ_DONTWAIT) < 0) {
            LogError("zmq: Unable to publish {} to {}: {}; this notification is switched off", topic, n.address,
                     zmq_strerror(zmq_errno()));
            n.failed = true;
            return false;
        }
        ++n.sequence;
        return true;
    }

    void Publish(Topic topic, std::span<const unsigned char> body, const uint256& hash)
    {
        for (Notification& n : notifications) {
            if (n.topic != topic || n.failed || !n.socket) continue;
            LogDebug(LogCategory::ZMQ, "zmq: Publish {} {} to {}", TOPICS[static_cast<size_t>(topic)].topic,
                     hash.GetHex(), n.address);
            SendMessage(n, body);
        }
    }

    void PublishTransaction(const Transaction& tx)
    {
        const uint256& txid = tx.GetHash();
        if (Has(Topic::HASHTX)) Publish(Topic::HASHTX, Reversed(txid), txid);
        if (Has(Topic::RAWTX)) {
            DataStream s;
            s << tx;
            Publish(Topic::RAWTX, s.unread(), txid);
        }
    }

    void PublishSequence(const uint256& hash, char label, const uint64_t* mempool_sequence)
    {
        if (!Has(Topic::SEQUENCE)) return;
        std::vector<unsigned char> body = Reversed(hash);
        body.push_back(static_cast<unsigned char>(label));
        if (mempool_sequence) {
            for (int i = 0; i < 8; ++i) body.push_back(static_cast<unsigned char>(*mempool_sequence >> (8 * i)));
        }
        Publish(Topic::SEQUENCE, body, hash);
    }
};

void RegisterZmqOptions(ArgsManager& args)
{
    for (const TopicKind& kind : TOPICS) {
        args.AddArg(std::string{"-zmq"} + kind.type + "=<address>",
                    std::string{"Publish "} + kind.what + " on the ZeroMQ <address> (may be given more than once)",
                    ALLOW_ANY, OptionsCategory::ZMQ);
        args.AddArg(std::string{"-zmq"} + kind.type + "hwm=<n>",
                    std::string{"Send queue limit, in messages (ZeroMQ high water mark), of the "} + kind.topic +
                        " publisher (default: " + std::to_string(DEFAULT_ZMQ_SNDHWM) + ")",
                    ALLOW_ANY, OptionsCategory::ZMQ);
    }
}

ZmqNotifier::ZmqNotifier(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

ZmqNotifier::~ZmqNotifier() { Shutdown(); }

std::unique_ptr<ZmqNotifier> ZmqNotifier::Create(const ArgsManager& args, std::string& error)
{
    error.clear();
    auto impl = std::make_unique<Impl>();
    for (size_t i = 0; i < TOPICS.size(); ++i) {
        const std::string option = std::string{"-zmq"} + TOPICS[i].type;
        const std::vector<std::string> addresses = args.GetArgs(option);
        if (addresses.empty()) continue;
        int64_t hwm = args.GetIntArg(option + "hwm", DEFAULT_ZMQ_SNDHWM);
        // Core keeps the default for a negative value; the socket option is an int.
        if (hwm < 0) hwm = DEFAULT_ZMQ_SNDHWM;
        if (hwm > std::numeric_limits<int>::max()) hwm = std::numeric_limits<int>::max();
        for (const std::string& address : addresses) {
            impl->notifications.push_back(Impl::Notification{
                .topic = static_cast<Topic>(i),
                .type = TOPICS[i].type,
                .address = NormalizeAddress(address),
                .hwm = static_cast<int>(hwm),
            });
        }
    }
    if (impl->notifications.empty()) return nullptr;
    return std::unique_ptr<ZmqNotifier>(new ZmqNotifier(std::move(impl)));
}

bool ZmqNotifier::Start(std::string& error)
{
    std::lock_guard lock(m_impl->mutex);
    if (m_impl->started) return true;
    int major = 0, minor = 0, patch = 0;
    zmq_version(&major, &minor, &patch);
    LogDebug(LogCategory::ZMQ, "zmq: version {}.{}.{}", major, minor, patch);

    m_impl->context = zmq_ctx_new();
    if (!m_impl->context) {
        error = fmt::format("Unable to create the ZeroMQ context: {}", zmq_strerror(zmq_errno()));
        return false;
    }
    for (Impl::Notification& n : m_impl->notifications) {
        n.sequence = 0;
        n.failed = false;
        if (auto it = m_impl->sockets.find(n.address); it != m_impl->sockets.end()) {
            // Same address: one socket carries every topic; its high water mark
            // is the one of the first notification bound there.
            n.socket = it->second;
            LogDebug(LogCategory::ZMQ, "zmq: Reusing socket for {} at {}", TOPICS[static_cast<size_t>(n.topic)].topic,
                     n.address);
            continue;
        }
        void* socket = zmq_socket(m_impl->context, ZMQ_PUB);
        if (!socket) {
            error = fmt::format("Unable to create a ZeroMQ socket for {}: {}", n.address, zmq_strerror(zmq_errno()));
            m_impl->CloseAll();
            return false;
        }
        m_impl->sockets.emplace(n.address, socket);  // closed by CloseAll on any later failure
        n.socket = socket;
        LogDebug(LogCategory::ZMQ, "zmq: Outbound message high water mark for {} at {} is {}",
                 TOPICS[static_cast<size_t>(n.topic)].topic, n.address, n.hwm);
        const int keepalive = 1;
        const int ipv6 = 1;
        if (zmq_setsockopt(socket, ZMQ_SNDHWM, &n.hwm, sizeof(n.hwm)) != 0 ||
            zmq_setsockopt(socket, ZMQ_TCP_KEEPALIVE, &keepalive, sizeof(keepalive)) != 0 ||
            (IsIPv6TcpAddress(n.address) && zmq_setsockopt(socket, ZMQ_IPV6, &ipv6, sizeof(ipv6)) != 0)) {
            error = fmt::format("Unable to set ZeroMQ socket options for {}: {}", n.address, zmq_strerror(zmq_errno()));
            m_impl->CloseAll();
            return false;
        }
        if (zmq_bind(socket, n.address.c_str()) != 0) {
            error = fmt::format("Unable to bind ZeroMQ -zmq{} to {}: {}", n.type, n.address, zmq_strerror(zmq_errno()));
            m_impl->CloseAll();
            return false;
        }
    }
    m_impl->started = true;
    LogInfo("zmq: Publishing {} notification(s) on {} socket(s)", m_impl->notifications.size(), m_impl->sockets.size());
    return true;
}

void ZmqNotifier::Shutdown()
{
    if (!m_impl) return;
    std::lock_guard lock(m_impl->mutex);
    if (!m_impl->context && m_impl->sockets.empty()) return;
    LogDebug(LogCategory::ZMQ, "zmq: Shutting down the notifications");
    m_impl->CloseAll();
}

std::vector<ZmqNotificationInfo> ZmqNotifier::GetActiveNotifications() const
{
    std::lock_guard lock(m_impl->mutex);
    std::vector<ZmqNotificationInfo> out;
    if (!m_impl->started) return out;
    for (const Impl::Notification& n : m_impl->notifications) {
        if (n.failed) continue;
        out.push_back(ZmqNotificationInfo{n.type, n.address, n.hwm});
    }
    return out;
}

void ZmqNotifier::BlockConnected(const std::shared_ptr<const Block>& block, const BlockIndex& index)
{
    if (!block) return;
    std::lock_guard lock(m_impl->mutex);
    if (!m_impl->started) return;
    for (const TransactionRef& tx : block->vtx) m_impl->PublishTransaction(*tx);
    m_impl->PublishSequence(index.GetBlockHash(), 'C', nullptr);
    if (m_impl->Has(Topic::RAWBLOCK)) m_impl->last_connected = block;
}

void ZmqNotifier::BlockDisconnected(const std::shared_ptr<const Block>& block, const BlockIndex& index)
{
    if (!block) return;
    std::lock_guard lock(m_impl->mutex);
    if (!m_impl->started) return;
    for (const TransactionRef& tx : block->vtx) m_impl->PublishTransaction(*tx);
    m_impl->PublishSequence(index.GetBlockHash(), 'D', nullptr);
}

void ZmqNotifier::UpdatedBlockTip(const BlockIndex& new_tip, const BlockIndex* fork, bool initial_download)
{
    std::lock_guard lock(m_impl->mutex);
    std::shared_ptr<const Block> block = std::move(m_impl->last_connected);
    m_impl->last_connected.reset();
    if (!m_impl->started) return;
    // As Core: nothing while catching up, nor when the chain only got shorter.
    if (initial_download || fork == &new_tip) return;
    const uint256 hash = new_tip.GetBlockHash();
    if (m_impl->Has(Topic::HASHBLOCK)) m_impl->Publish(Topic::HASHBLOCK, Reversed(hash), hash);
    if (m_impl->Has(Topic::RAWBLOCK)) {
        if (block && block->GetHash() == hash) {
            DataStream s;
            s << *block;
            m_impl->Publish(Topic::RAWBLOCK, s.unread(), hash);
        } else {
            // Cannot happen with the kernel's order (connect, then tip update).
            LogError("zmq: rawblock for {} skipped: block data not at hand", hash.GetHex());
        }
    }
}

void ZmqNotifier::TransactionAddedToMempool(const Transaction& tx, uint64_t mempool_sequence)
{
    std::lock_guard lock(m_impl->mutex);
    if (!m_impl->started) return;
    m_impl->PublishTransaction(tx);
    m_impl->PublishSequence(tx.GetHash(), 'A', &mempool_sequence);
}

void ZmqNotifier::TransactionRemovedFromMempool(const Transaction& tx, uint64_t mempool_sequence)
{
    std::lock_guard lock(m_impl->mutex);
    if (!m_impl->started) return;
    m_impl->PublishSequence(tx.GetHash(), 'R', &mempool_sequence);
}
