// The connection manager over loopback sockets: accepting, framing in both
// directions, a bad checksum dropped, a wrong magic disconnected, outbound
// connections between two managers, self-connection nonces, inbound eviction
// when the slots are full, permissions and option parsing.

#include <kernel/chainparams.h>
#include <net/connman.h>
#include <util/args.h>
#include <util/time.h>

#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <chrono>
#include <cstring>
#include <mutex>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

BOOST_AUTO_TEST_SUITE(connman_tests)

namespace {

using Bytes = std::vector<unsigned char>;
const net::MessageStartBytes MAGIC{0xfa, 0xbf, 0xb5, 0xda};

// Records what the message-handler thread is told.
class RecordingEvents : public net::NetEvents {
public:
    std::mutex m;
    std::vector<int64_t> initialized, finalized;
    std::vector<std::pair<int64_t, net::ReceivedMessage>> received;

    void InitializeConnection(net::Connection& conn) override
    {
        std::lock_guard l(m);
        initialized.push_back(conn.id);
    }
    void FinalizeConnection(const net::Connection& conn) override
    {
        std::lock_guard l(m);
        finalized.push_back(conn.id);
    }
    bool ProcessMessages(net::Connection& conn, std::atomic<bool>&) override
    {
        net::ReceivedMessage msg;
        if (!conn.PollMessage(msg)) return false;
        std::lock_guard l(m);
        received.emplace_back(conn.id, std::move(msg));
        return conn.HasQueuedMessages();
    }
    bool SendMessages(net::Connection&) override { return false; }

    size_t Received()
    {
        std::lock_guard l(m);
        return received.size();
    }
    size_t Finalized()
    {
        std::lock_guard l(m);
        return finalized.size();
    }
};

template <typename F>
bool WaitFor(F f, std::chrono::milliseconds timeout = std::chrono::milliseconds{5000})
{
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
        if (f()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
    return f();
}

net::ConnmanOptions LoopbackOptions()
{
    net::ConnmanOptions o;
    o.magic = MAGIC;
    o.default_port = 18444;
    o.listen = true;
    o.binds = {net::Service(*net::NetAddr::Parse("127.0.0.1"), 0)};
    o.automatic_outbound = false;
    o.dnsseed = false;
    return o;
}

int ConnectTo(uint16_t port)
{
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

void SendAll(int fd, const Bytes& b)
{
    size_t off = 0;
    while (off < b.size()) {
        const ssize_t n = send(fd, b.data() + off, b.size() - off, MSG_NOSIGNAL);
        if (n <= 0) return;
        off += static_cast<size_t>(n);
    }
}

// Reads until `n` bytes arrived or the peer closed; returns what arrived.
Bytes ReadBytes(int fd, size_t n, int timeout_ms = 5000)
{
    Bytes out;
    while (out.size() < n) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, timeout_ms) <= 0) break;
        unsigned char buf[4096];
        const ssize_t r = recv(fd, buf, std::min(sizeof(buf), n - out.size()), 0);
        if (r <= 0) break;
        out.insert(out.end(), buf, buf + r);
    }
    return out;
}

bool PeerClosed(int fd, int timeout_ms = 5000)
{
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return false;
    unsigned char b;
    return recv(fd, &b, 1, 0) == 0;
}

} // namespace

BOOST_AUTO_TEST_CASE(inbound_messages_both_directions)
{
    RecordingEvents ev;
    net::ConnectionManager cm(nullptr, nullptr);
    std::string error;
    BOOST_REQUIRE_MESSAGE(cm.Start(ev, LoopbackOptions(), error), error);
    BOOST_REQUIRE_EQUAL(cm.GetBoundAddresses().size(), 1u);
    const uint16_t port = cm.GetBoundAddresses()[0].GetPort();
    BOOST_REQUIRE(port != 0);

    const int fd = ConnectTo(port);
    BOOST_REQUIRE(fd >= 0);
    BOOST_REQUIRE(WaitFor([&] { return cm.GetNodeCount(net::ConnectionDirection::In) == 1; }));
    BOOST_CHECK_EQUAL(cm.GetNodeCount(net::ConnectionDirection::Out), 0u);

    // A valid ping arrives at the handler with its payload.
    const Bytes nonce{1, 2, 3, 4, 5, 6, 7, 8};
    SendAll(fd, net::FrameMessage(MAGIC, "ping", nonce));
    BOOST_REQUIRE(WaitFor([&] { return ev.Received() == 1; }));
    int64_t id;
    {
        std::lock_guard l(ev.m);
        id = ev.received[0].first;
        BOOST_CHECK_EQUAL(ev.received[0].second.type, "ping");
        BOOST_CHECK(ev.received[0].second.payload == nonce);
        BOOST_CHECK_EQUAL(ev.received[0].second.raw_size, 32u);
        BOOST_CHECK_EQUAL(ev.initialized.size(), 1u);
    }

    // A bad checksum is dropped, the connection stays, the next message arrives.
    Bytes bad = net::FrameMessage(MAGIC, "ping", nonce);
    bad[21] ^= 0x55;
    SendAll(fd, bad);
    SendAll(fd, net::FrameMessage(MAGIC, "pong", nonce));
    BOOST_REQUIRE(WaitFor([&] { return ev.Received() == 2; }));
    {
        std::lock_guard l(ev.m);
        BOOST_CHECK_EQUAL(ev.received[1].second.type, "pong");
    }
    BOOST_CHECK_EQUAL(cm.GetNodeCount(), 1u);

    // Counters: 3 messages of 32 bytes received; the bad one counted as *other*.
    BOOST_CHECK(cm.ForConnection(id, [&](net::Connection& c) {
        std::lock_guard l(c.stats_mutex);
        BOOST_CHECK_EQUAL(c.bytes_recv.load(), 96u);
        BOOST_CHECK_EQUAL(c.bytes_recv_per_msg["ping"], 32u);
        BOOST_CHECK_EQUAL(c.bytes_recv_per_msg["pong"], 32u);
        BOOST_CHECK_EQUAL(c.bytes_recv_per_msg["*other*"], 32u);
        BOOST_CHECK(c.IsInbound());
        BOOST_CHECK_EQUAL(c.addr_name.rfind("127.0.0.1:", 0), 0u);
        return true;
    }));
    BOOST_CHECK_EQUAL(cm.GetTotalBytesRecv(), 96u);

    // PushMessage frames with magic and checksum.
    BOOST_CHECK(cm.ForConnection(id, [&](net::Connection& c) {
        cm.PushMessage(c, "pong", nonce);
        return true;
    }));
    const Bytes got = ReadBytes(fd, 32);
    BOOST_CHECK(got == net::FrameMessage(MAGIC, "pong", nonce));
    BOOST_REQUIRE(WaitFor([&] { return cm.GetTotalBytesSent() == 32; }));

    // A wrong magic disconnects.
    SendAll(fd, net::FrameMessage({0xf9, 0xbe, 0xb4, 0xd9}, "ping", nonce));
    BOOST_CHECK(PeerClosed(fd));
    BOOST_REQUIRE(WaitFor([&] { return cm.GetNodeCount() == 0 && ev.Finalized() == 1; }));
    close(fd);

    // An oversized payload length disconnects too.
    const int fd2 = ConnectTo(port);
    BOOST_REQUIRE(WaitFor([&] { return cm.GetNodeCount() == 1; }));
    net::MessageHeader h;
    h.magic = MAGIC;
    h.type_bytes[0] = 'x';
    h.length = net::MAX_PROTOCOL_MESSAGE_LENGTH + 1;
    const auto hdr = h.Serialize();
    SendAll(fd2, Bytes(hdr.begin(), hdr.end()));
    BOOST_CHECK(PeerClosed(fd2));
    close(fd2);

    cm.Interrupt();
    cm.Stop();
}

BOOST_AUTO_TEST_CASE(outbound_between_two_managers)
{
    RecordingEvents ev_a, ev_b;
    net::ConnectionManager a(nullptr, nullptr), b(nullptr, nullptr);
    std::string error;
    BOOST_REQUIRE_MESSAGE(a.Start(ev_a, LoopbackOptions(), error), error);
    auto ob = LoopbackOptions();
    ob.listen = false;
    BOOST_REQUIRE_MESSAGE(b.Start(ev_b, ob, error), error);
    const uint16_t port = a.GetBoundAddresses()[0].GetPort();
    const std::string dest = "127.0.0.1:" + std::to_string(port);

    BOOST_REQUIRE(b.OpenNetworkConnection(dest, net::ConnectionType::MANUAL));
    BOOST_CHECK_EQUAL(b.GetNodeCount(net::ConnectionDirection::Out), 1u);
    // Already connected: not opened twice.
    BOOST_CHECK(!b.OpenNetworkConnection(dest, net::ConnectionType::MANUAL));
    BOOST_REQUIRE(WaitFor([&] { return a.GetNodeCount(net::ConnectionDirection::In) == 1; }));

    uint64_t nonce = 0;
    int64_t id = -1;
    b.ForEachConnection([&](net::Connection& c) {
        nonce = c.local_nonce;
        id = c.id;
        BOOST_CHECK_EQUAL(c.addr_name, dest);
        BOOST_CHECK(c.conn_type == net::ConnectionType::MANUAL);
    });
    // Self-connection detection: our own outbound nonce is refused until the handshake is done.
    BOOST_CHECK(!b.CheckIncomingNonce(nonce));
    BOOST_CHECK(b.CheckIncomingNonce(nonce + 1));
    b.ForConnection(id, [](net::Connection& c) {
        c.handshake_done = true;
        return true;
    });
    BOOST_CHECK(b.CheckIncomingNonce(nonce));

    b.ForConnection(id, [&](net::Connection& c) {
        b.PushMessage(c, "verack", {});
        return true;
    });
    BOOST_REQUIRE(WaitFor([&] { return ev_a.Received() == 1; }));

    // Added nodes.
    BOOST_CHECK(b.AddNode(dest));
    BOOST_CHECK(!b.AddNode(dest));
    auto info = b.GetAddedNodeInfo();
    BOOST_REQUIRE_EQUAL(info.size(), 1u);
    BOOST_CHECK(info[0].connected);
    BOOST_CHECK(b.RemoveAddedNode(dest));
    BOOST_CHECK(!b.RemoveAddedNode(dest));

    // Disconnect by address; the other side sees the close.
    BOOST_CHECK(b.DisconnectNode(dest));
    BOOST_REQUIRE(WaitFor([&] { return b.GetNodeCount() == 0 && a.GetNodeCount() == 0; }));
    BOOST_CHECK(!b.DisconnectNode(dest));

    // Network inactive: no new connections.
    b.SetNetworkActive(false);
    BOOST_CHECK(!b.OpenNetworkConnection(dest, net::ConnectionType::MANUAL));
    b.SetNetworkActive(true);
    BOOST_CHECK(b.OpenNetworkConnection(dest, net::ConnectionType::MANUAL));
    BOOST_REQUIRE(WaitFor([&] { return a.GetNodeCount() == 1; }));
    a.SetNetworkActive(false);
    BOOST_REQUIRE(WaitFor([&] { return a.GetNodeCount() == 0 && b.GetNodeCount() == 0; }));

    b.Interrupt();
    a.Interrupt();
    b.Stop();
    a.Stop();
}

BOOST_AUTO_TEST_CASE(inbound_eviction_when_full)
{
    RecordingEvents ev;
    net::ConnectionManager cm(nullptr, nullptr);
    auto o = LoopbackOptions();
    // 8 full-relay + 2 block-relay + 1 feeler reserved: 14 leaves 3 inbound slots.
    o.max_connections = 14;
    std::string error;
    BOOST_REQUIRE_MESSAGE(cm.Start(ev, o, error), error);
    BOOST_CHECK_EQUAL(cm.GetMaxInbound(), 3);
    const uint16_t port = cm.GetBoundAddresses()[0].GetPort();

    std::vector<int> fds;
    for (int i = 0; i < 3; ++i) {
        fds.push_back(ConnectTo(port));
        BOOST_REQUIRE(WaitFor([&] { return cm.GetNodeCount() == static_cast<size_t>(i + 1); }));
    }
    // All from 127.0.0.1 (one netgroup): the netgroup step protects one, the
    // ping step protects the rest, so nobody can be evicted and the 4th is dropped.
    fds.push_back(ConnectTo(port));
    BOOST_CHECK(PeerClosed(fds.back()));
    BOOST_CHECK_EQUAL(cm.GetNodeCount(), 3u);
    for (int fd : fds) close(fd);
    BOOST_REQUIRE(WaitFor([&] { return cm.GetNodeCount() == 0; }));

    // With 30 inbound slots and 30 peers, a 31st evicts the youngest unprotected one.
    cm.Interrupt();
    cm.Stop();
    net::ConnectionManager cm2(nullptr, nullptr);
    o.max_connections = 41;  // 30 inbound
    BOOST_REQUIRE_MESSAGE(cm2.Start(ev, o, error), error);
    const uint16_t port2 = cm2.GetBoundAddresses()[0].GetPort();
    fds.clear();
    for (int i = 0; i < 30; ++i) {
        fds.push_back(ConnectTo(port2));
        BOOST_REQUIRE(WaitFor([&] { return cm2.GetNodeCount() == static_cast<size_t>(i + 1); }));
    }
    fds.push_back(ConnectTo(port2));
    BOOST_REQUIRE(fds.back() >= 0);
    // Someone other than the newcomer was closed.
    bool one_closed = false;
    for (size_t i = 0; i + 1 < fds.size(); ++i) {
        pollfd p{fds[i], POLLIN, 0};
        if (poll(&p, 1, i == 0 ? 2000 : 0) > 0) one_closed = true;
    }
    if (!one_closed) {
        for (size_t i = 0; i + 1 < fds.size() && !one_closed; ++i) one_closed = PeerClosed(fds[i], 100);
    }
    BOOST_CHECK(one_closed);
    BOOST_REQUIRE(WaitFor([&] { return cm2.GetNodeCount() == 30; }));
    for (int fd : fds) close(fd);
    cm2.Interrupt();
    cm2.Stop();
}

BOOST_AUTO_TEST_CASE(silent_peer_times_out)
{
    RecordingEvents ev;
    net::ConnectionManager cm(nullptr, nullptr);
    auto o = LoopbackOptions();
    o.peer_timeout_s = 5;
    std::string error;
    BOOST_REQUIRE_MESSAGE(cm.Start(ev, o, error), error);
    const int fd = ConnectTo(cm.GetBoundAddresses()[0].GetPort());
    BOOST_REQUIRE(WaitFor([&] { return cm.GetNodeCount() == 1; }));
    // Within -peertimeout nothing happens.
    std::this_thread::sleep_for(std::chrono::milliseconds{1200});
    BOOST_CHECK_EQUAL(cm.GetNodeCount(), 1u);
    // Past it (mock time), a peer that never sent anything is dropped.
    SetMockTime(GetTime() + 10);
    BOOST_CHECK(PeerClosed(fd));
    BOOST_CHECK(WaitFor([&] { return cm.GetNodeCount() == 0; }));
    SetMockTime(0);
    close(fd);
    cm.Interrupt();
    cm.Stop();
}

BOOST_AUTO_TEST_CASE(node_count_skips_disconnecting)
{
    RecordingEvents ev;
    net::ConnectionManager cm(nullptr, nullptr);
    std::string error;
    BOOST_REQUIRE_MESSAGE(cm.Start(ev, LoopbackOptions(), error), error);
    const int fd = ConnectTo(cm.GetBoundAddresses()[0].GetPort());
    BOOST_REQUIRE(WaitFor([&] { return cm.GetNodeCount() == 1; }));
    BOOST_CHECK_EQUAL(cm.GetNodeCount(net::ConnectionDirection::In), 1u);
    int listed = 0;
    cm.ForEachConnection([&](net::Connection& c) {
        ++listed;
        c.disconnect = true;
    });
    BOOST_CHECK_EQUAL(listed, 1);
    // Marked for disconnection: getconnectioncount agrees with getpeerinfo
    // (ForEachConnection) at once, before the I/O thread closes the socket.
    listed = 0;
    cm.ForEachConnection([&](net::Connection&) { ++listed; });
    BOOST_CHECK_EQUAL(listed, 0);
    BOOST_CHECK_EQUAL(cm.GetNodeCount(), 0u);
    BOOST_CHECK_EQUAL(cm.GetNodeCount(net::ConnectionDirection::In), 0u);
    BOOST_CHECK_EQUAL(cm.GetNodeCount(net::ConnectionDirection::Out), 0u);
    BOOST_CHECK(PeerClosed(fd));
    BOOST_CHECK(WaitFor([&] { return ev.Finalized() == 1; }));
    close(fd);
    cm.Interrupt();
    cm.Stop();
}

BOOST_AUTO_TEST_CASE(permissions)
{
    uint32_t flags;
    std::string rest, error;
    BOOST_REQUIRE(net::ParsePermissionFlags("noban,relay@127.0.0.1", flags, rest, error));
    BOOST_CHECK_EQUAL(rest, "127.0.0.1");
    BOOST_CHECK((flags & net::PF_NOBAN) == net::PF_NOBAN);
    BOOST_CHECK(flags & net::PF_RELAY);
    const auto strs = net::PermissionFlagsToStrings(flags);
    BOOST_CHECK((strs == std::vector<std::string>{"noban", "relay", "download"}));

    BOOST_REQUIRE(net::ParsePermissionFlags("1.2.3.0/24", flags, rest, error));
    BOOST_CHECK_EQUAL(flags, static_cast<uint32_t>(net::PF_IMPLICIT));
    BOOST_CHECK((net::PermissionFlagsToStrings(net::ResolveImplicitPermissions(flags)) ==
                 std::vector<std::string>{"noban", "relay", "mempool", "download"}));

    BOOST_CHECK(!net::ParsePermissionFlags("bogus@1.2.3.4", flags, rest, error));
    BOOST_CHECK_EQUAL(error, "Invalid P2P permission: 'bogus'");

    BOOST_REQUIRE(net::ParsePermissionFlags("all@::1", flags, rest, error));
    BOOST_CHECK_EQUAL(net::PermissionFlagsToStrings(flags).size(), 7u);
}

BOOST_AUTO_TEST_CASE(options_from_args)
{
    ArgsManager args;
    net::RegisterNetOptions(args);
    // Registering twice skips what exists (node/init.cpp registers -listen and -port).
    BOOST_CHECK_NO_THROW(net::RegisterNetOptions(args));
    const char* argv[] = {"bitcoind", "-maxconnections=20", "-whitelist=noban@10.0.0.0/8", "-whitebind=relay@127.0.0.1:1234",
                          "-maxreceivebuffer=10", "-timeout=100", "-connect=127.0.0.1:1"};
    std::string error;
    BOOST_REQUIRE_MESSAGE(args.ParseParameters(7, argv, error), error);
    const auto params = ChainParams::RegTest();
    net::ConnmanOptions o;
    BOOST_REQUIRE_MESSAGE(net::ConnmanOptionsFromArgs(args, *params, o, error), error);
    BOOST_CHECK_EQUAL(o.max_connections, 20);
    BOOST_CHECK_EQUAL(o.port, 18444);
    BOOST_CHECK_EQUAL(o.max_receive_buffer, 10000u);
    BOOST_CHECK_EQUAL(o.connect_timeout_ms, 100);
    BOOST_CHECK(o.use_connect);
    BOOST_CHECK(!o.dnsseed);   // off with -connect
    BOOST_CHECK(o.listen);     // -whitebind implies listening
    BOOST_REQUIRE_EQUAL(o.whitelists.size(), 1u);
    BOOST_CHECK(o.whitelists[0].subnet.Match(*net::NetAddr::Parse("10.1.2.3")));
    BOOST_REQUIRE_EQUAL(o.whitebinds.size(), 1u);
    BOOST_CHECK_EQUAL(o.whitebinds[0].service.GetPort(), 1234);

    ArgsManager bad;
    net::RegisterNetOptions(bad);
    const char* argv2[] = {"bitcoind", "-whitebind=127.0.0.1"};
    BOOST_REQUIRE(bad.ParseParameters(2, argv2, error));
    BOOST_CHECK(!net::ConnmanOptionsFromArgs(bad, *params, o, error));
    BOOST_CHECK_EQUAL(error, "Need to specify a port with -whitebind: '127.0.0.1'");
}

BOOST_AUTO_TEST_SUITE_END()
