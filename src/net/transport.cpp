#include <net/transport.h>

#include <crypto/byte_order.h>
#include <crypto/hash.h>
#include <util/logging.h>
#include <util/strencodings.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace net {

namespace {
// Printable characters only, for log lines about a peer's bytes.
std::string SanitizeString(const std::string& in)
{
    std::string out;
    for (char c : in) {
        if (c >= 0x20 && c <= 0x7e) out += c;
    }
    return out;
}
} // namespace

const std::vector<std::string>& AllNetMessageTypes()
{
    static const std::vector<std::string> types{
        "version", "verack", "addr", "addrv2", "sendaddrv2", "inv", "getdata", "merkleblock", "getblocks",
        "getheaders", "tx", "headers", "block", "getaddr", "mempool", "ping", "pong", "notfound", "filterload",
        "filteradd", "filterclear", "sendheaders", "feefilter", "sendcmpct", "cmpctblock", "getblocktxn",
        "blocktxn", "getcfilters", "cfilter", "getcfheaders", "cfheaders", "getcfcheckpt", "cfcheckpt",
        "wtxidrelay", "sendtxrcncl"};
    return types;
}

bool IsKnownMessageType(std::string_view type)
{
    const auto& types = AllNetMessageTypes();
    return std::find(types.begin(), types.end(), type) != types.end();
}

MessageChecksum ComputeMessageChecksum(std::span<const unsigned char> payload)
{
    std::array<unsigned char, Hash256::OUTPUT_SIZE> digest;
    Hash256{}.Write(payload).Finalize(digest);
    MessageChecksum out;
    std::copy_n(digest.begin(), CHECKSUM_SIZE, out.begin());
    return out;
}

bool IsValidMessageType(std::span<const unsigned char, MESSAGE_TYPE_SIZE> type_bytes)
{
    size_t i = 0;
    for (; i < MESSAGE_TYPE_SIZE && type_bytes[i] != 0; ++i) {
        if (type_bytes[i] < 0x20 || type_bytes[i] > 0x7e) return false;
    }
    for (; i < MESSAGE_TYPE_SIZE; ++i) {
        if (type_bytes[i] != 0) return false;
    }
    return true;
}

std::string MessageHeader::Type() const
{
    const auto end = std::find(type_bytes.begin(), type_bytes.end(), 0);
    return std::string(type_bytes.begin(), end);
}

MessageHeader MessageHeader::Parse(std::span<const unsigned char, MESSAGE_HEADER_SIZE> bytes)
{
    MessageHeader h;
    std::copy_n(bytes.begin(), MESSAGE_START_SIZE, h.magic.begin());
    std::copy_n(bytes.begin() + 4, MESSAGE_TYPE_SIZE, h.type_bytes.begin());
    h.length = byte_order::ReadLE32(bytes.data() + 16);
    std::copy_n(bytes.begin() + 20, CHECKSUM_SIZE, h.checksum.begin());
    return h;
}

std::array<unsigned char, MESSAGE_HEADER_SIZE> MessageHeader::Serialize() const
{
    std::array<unsigned char, MESSAGE_HEADER_SIZE> out{};
    std::copy(magic.begin(), magic.end(), out.begin());
    std::copy(type_bytes.begin(), type_bytes.end(), out.begin() + 4);
    byte_order::WriteLE32(out.data() + 16, length);
    std::copy(checksum.begin(), checksum.end(), out.begin() + 20);
    return out;
}

std::vector<unsigned char> FrameMessage(const MessageStartBytes& magic, std::string_view type,
                                        std::span<const unsigned char> payload)
{
    if (type.size() > MESSAGE_TYPE_SIZE) throw std::invalid_argument("message type too long: " + std::string(type));
    MessageHeader h;
    h.magic = magic;
    std::copy(type.begin(), type.end(), h.type_bytes.begin());
    h.length = static_cast<uint32_t>(payload.size());
    h.checksum = ComputeMessageChecksum(payload);
    std::vector<unsigned char> out;
    out.reserve(MESSAGE_HEADER_SIZE + payload.size());
    const auto hdr = h.Serialize();
    out.insert(out.end(), hdr.begin(), hdr.end());
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

void V1Transport::Reset()
{
    m_header_pos = 0;
    m_in_payload = false;
    m_header = MessageHeader{};
    m_payload.clear();
    m_payload_pos = 0;
}

bool V1Transport::ReceivedBytes(std::span<const unsigned char>& data)
{
    while (!data.empty() && !Complete()) {
        if (!m_in_payload) {
            const size_t n = std::min(MESSAGE_HEADER_SIZE - m_header_pos, data.size());
            std::memcpy(m_header_buf.data() + m_header_pos, data.data(), n);
            m_header_pos += n;
            data = data.subspan(n);
            if (m_header_pos < MESSAGE_HEADER_SIZE) return true;
            m_header = MessageHeader::Parse(m_header_buf);
            if (m_header.magic != m_magic) {
                LogDebug(LogCategory::NET, "Header error: Wrong MessageStart {} received, peer={}",
                         HexStr(m_header.magic), m_peer_id);
                return false;
            }
            if (m_header.length > MAX_PROTOCOL_MESSAGE_LENGTH) {
                LogDebug(LogCategory::NET, "Header error: Size too large ({}, {} bytes), peer={}",
                         SanitizeString(m_header.Type()), m_header.length, m_peer_id);
                return false;
            }
            m_in_payload = true;
            m_payload_pos = 0;
            m_payload.clear();
            continue;
        }
        // Grow the buffer with the bytes that arrive, not with the claimed
        // length, so a peer cannot make us allocate 4 MB with 24 bytes.
        const size_t n = std::min<size_t>(m_header.length - m_payload_pos, data.size());
        m_payload.insert(m_payload.end(), data.begin(), data.begin() + n);
        m_payload_pos += n;
        data = data.subspan(n);
    }
    return true;
}

ReceivedMessage V1Transport::GetMessage(std::chrono::microseconds time, bool& reject)
{
    ReceivedMessage msg;
    msg.time = time;
    msg.raw_size = MESSAGE_HEADER_SIZE + m_header.length;
    reject = false;
    if (!IsValidMessageType(m_header.type_bytes)) {
        LogDebug(LogCategory::NET, "Header error: Invalid message type ({}, {} bytes), peer={}",
                 SanitizeString(m_header.Type()), m_header.length, m_peer_id);
        reject = true;
    } else if (ComputeMessageChecksum(m_payload) != m_header.checksum) {
        LogDebug(LogCategory::NET, "Header error: Wrong checksum ({}, {} bytes), expected {} was {}, peer={}",
                 SanitizeString(m_header.Type()), m_header.length, HexStr(ComputeMessageChecksum(m_payload)),
                 HexStr(m_header.checksum), m_peer_id);
        reject = true;
    }
    msg.type = m_header.Type();
    msg.payload = std::move(m_payload);
    Reset();
    return msg;
}

} // namespace net
