#pragma once

// Transport v1: Bitcoin's plaintext message framing. Every message is a
// 24-byte header (4-byte network magic, 12-byte NUL-padded message type,
// 4-byte little-endian payload length, 4-byte checksum = the first 4 bytes of
// SHA256(SHA256(payload))) followed by the payload.
//
// Reactions (as Bitcoin Core v30): a wrong magic or a payload length over
// MAX_PROTOCOL_MESSAGE_LENGTH closes the connection; a wrong checksum or an
// invalid message type drops that message only.

#include <net/connection.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace net {

inline constexpr size_t MESSAGE_START_SIZE = 4;
inline constexpr size_t MESSAGE_TYPE_SIZE = 12;
inline constexpr size_t CHECKSUM_SIZE = 4;
inline constexpr size_t MESSAGE_HEADER_SIZE = MESSAGE_START_SIZE + MESSAGE_TYPE_SIZE + 4 + CHECKSUM_SIZE;  // 24
// Largest payload accepted from or sent to a peer.
inline constexpr uint32_t MAX_PROTOCOL_MESSAGE_LENGTH = 4'000'000;

using MessageStartBytes = std::array<unsigned char, MESSAGE_START_SIZE>;
using MessageChecksum = std::array<unsigned char, CHECKSUM_SIZE>;

// Core's message types; getpeerinfo's per-message byte maps use these names,
// every other type (unknown or rejected messages) is counted as "*other*".
inline constexpr const char* NET_MESSAGE_TYPE_OTHER = "*other*";
const std::vector<std::string>& AllNetMessageTypes();
bool IsKnownMessageType(std::string_view type);

// First 4 bytes of double SHA-256 of the payload.
MessageChecksum ComputeMessageChecksum(std::span<const unsigned char> payload);

// Printable ASCII (0x20..0x7e), then only NULs; at most 12 characters.
bool IsValidMessageType(std::span<const unsigned char, MESSAGE_TYPE_SIZE> type_bytes);

struct MessageHeader {
    MessageStartBytes magic{};
    std::array<unsigned char, MESSAGE_TYPE_SIZE> type_bytes{};
    uint32_t length = 0;
    MessageChecksum checksum{};

    // The type without its NUL padding.
    std::string Type() const;
    static MessageHeader Parse(std::span<const unsigned char, MESSAGE_HEADER_SIZE> bytes);
    std::array<unsigned char, MESSAGE_HEADER_SIZE> Serialize() const;
};

// Header + payload, ready for the socket. `type` longer than 12 characters
// throws std::invalid_argument.
std::vector<unsigned char> FrameMessage(const MessageStartBytes& magic, std::string_view type,
                                        std::span<const unsigned char> payload);

// Reassembles messages from a byte stream (one per connection; not thread safe).
class V1Transport {
public:
    V1Transport(const MessageStartBytes& magic, int64_t peer_id) : m_magic(magic), m_peer_id(peer_id) {}

    // Consumes bytes from `data` (advancing it) until a message is complete or
    // the bytes run out. False: the peer broke the protocol (wrong magic,
    // oversized payload) and must be disconnected.
    bool ReceivedBytes(std::span<const unsigned char>& data);
    // A whole message waits to be taken with GetMessage.
    bool Complete() const { return m_in_payload && m_payload_pos == m_header.length; }
    // Takes the complete message and resets for the next one. `reject` is set
    // when the message must be dropped (checksum mismatch, invalid type); the
    // returned message still carries its raw size for the byte counters.
    ReceivedMessage GetMessage(std::chrono::microseconds time, bool& reject);

    // Bytes of the message being assembled (for receive-buffer accounting).
    size_t PendingBytes() const { return m_header_pos + m_payload.size(); }

private:
    void Reset();

    const MessageStartBytes m_magic;
    const int64_t m_peer_id;
    std::array<unsigned char, MESSAGE_HEADER_SIZE> m_header_buf{};
    size_t m_header_pos = 0;
    bool m_in_payload = false;
    MessageHeader m_header;
    std::vector<unsigned char> m_payload;
    size_t m_payload_pos = 0;
};

} // namespace net
