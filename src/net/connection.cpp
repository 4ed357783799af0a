#include <net/connection.h>

#include <utility>

namespace net {

const char* ConnectionTypeName(ConnectionType type)
{
    switch (type) {
    case ConnectionType::INBOUND: return "inbound";
    case ConnectionType::OUTBOUND_FULL_RELAY: return "outbound-full-relay";
    case ConnectionType::MANUAL: return "manual";
    case ConnectionType::FEELER: return "feeler";
    case ConnectionType::BLOCK_RELAY: return "block-relay-only";
    case ConnectionType::ADDR_FETCH: return "addr-fetch";
    }
    return "unknown";
}

Connection::Connection(int64_t id_in, ConnectionType type, Service addr_in, std::string addr_name_in,
                       Service addr_bind_in, int64_t connected_time_in, uint32_t permissions_in,
                       uint64_t local_nonce_in, bool inbound_onion_in)
    : id(id_in), conn_type(type), addr(std::move(addr_in)), addr_name(std::move(addr_name_in)),
      addr_bind(std::move(addr_bind_in)), connected_time(connected_time_in), permissions(permissions_in),
      local_nonce(local_nonce_in), inbound_onion(inbound_onion_in)
{
}

bool Connection::PollMessage(ReceivedMessage& out)
{
    std::lock_guard lock(recv_mutex);
    if (recv_queue.empty()) return false;
    out = std::move(recv_queue.front());
    recv_queue.pop_front();
    recv_queue_bytes -= std::min(recv_queue_bytes, out.raw_size);
    return true;
}

bool Connection::HasQueuedMessages() const
{
    std::lock_guard lock(const_cast<std::mutex&>(recv_mutex));
    return !recv_queue.empty();
}

} // namespace net
