// The peer manager driven directly: a real ConnectionManager that is never
// started (PushMessage only queues framed bytes on the Connection), fake
// Connections, messages put on their receive queues by hand.

#include <net/addrman.h>
#include <net/banman.h>
#include <net/connection.h>
#include <net/connman.h>
#include <net/peerman.h>
#include <net/transport.h>
#include <node/mempool_accept.h>
#include <node/txmempool.h>
#include <streams.h>
#include <test/util/chain_fixture.h>
#include <util/time.h>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

using namespace net;

namespace {

struct Msg {
    std::string type;
    std::vector<unsigned char> payload;
};

// Everything the peer manager queued for this connection, unframed.
std::vector<Msg> TakeSent(Connection& conn)
{
    std::vector<Msg> out;
    std::lock_guard lock(conn.send_mutex);
    for (const auto& framed : conn.send_queue) {
        BOOST_REQUIRE(framed.size() >= MESSAGE_HEADER_SIZE);
        std::string type(reinterpret_cast<const char*>(framed.data() + 4), 12);
        type.resize(type.find('\0') == std::string::npos ? 12 : type.find('\0'));
        out.push_back({type, std::vector<unsigned char>(framed.begin() + MESSAGE_HEADER_SIZE, framed.end())});
    }
    conn.send_queue.clear();
    conn.send_queue_bytes = 0;
    return out;
}

std::vector<std::string> Types(const std::vector<Msg>& msgs)
{
    std::vector<std::string> t;
    for (const auto& m : msgs) t.push_back(m.type);
    return t;
}

const Msg* Find(const std::vector<Msg>& msgs, const std::string& type)
{
    for (const auto& m : msgs) {
        if (m.type == type) return &m;
    }
    return nullptr;
}

void Receive(Connection& conn, const std::string& type, DataStream& payload)
{
    ReceivedMessage m;
    m.type = type;
    m.payload.assign(payload.begin(), payload.end());
    m.raw_size = m.payload.size() + MESSAGE_HEADER_SIZE;
    std::lock_guard lock(conn.recv_mutex);
    conn.recv_queue.push_back(std::move(m));
}

void Receive(Connection& conn, const std::string& type)
{
    DataStream empty;
    Receive(conn, type, empty);
}

DataStream VersionPayload(uint64_t services, int32_t height, uint64_t nonce, int32_t version = PROTOCOL_VERSION,
                          const Service& addr_me = Service{})
{
    DataStream s;
    s << version << services << GetTime() << uint64_t{0};
    addr_me.SerializeV1(s);
    s << services;
    Service{}.SerializeV1(s);
    s << nonce << std::string("/test:1.0/") << height << true;
    return s;
}

struct PeerSetup {
    std::filesystem::path dir;
    test_util::ChainFixture chain;
    AddrMan addrman;
    std::unique_ptr<BanMan> banman;
    ConnectionManager connman{&addrman, nullptr};
    std::unique_ptr<PeerManager> peerman;
    std::atomic<bool> interrupt{false};
    std::vector<std::unique_ptr<Connection>> conns;

    explicit PeerSetup(test_util::ChainFixture::OptionsTweak tweak = {}) : chain(std::move(tweak))
    {
        dir = std::filesystem::temp_directory_path() / ("peerman_tests_" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(dir);
        banman = std::make_unique<BanMan>(dir / "banlist.json");
        peerman = PeerManager::Create(connman, addrman, banman.get(), chain.Chainman(), nullptr);
        chain.Chainman().RegisterObserver(peerman.get());
    }
    ~PeerSetup()
    {
        chain.Chainman().UnregisterObserver(peerman.get());
        for (auto& c : conns) peerman->FinalizeConnection(*c);
        peerman.reset();
        banman.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }

    Connection& Add(ConnectionType type, const std::string& ip = "127.0.0.1", uint32_t perms = PF_NONE)
    {
        const int64_t id = static_cast<int64_t>(conns.size());
        Service addr(*NetAddr::Parse(ip), 18444);
        conns.push_back(std::make_unique<Connection>(id, type, addr, addr.ToStringAddrPort(), Service{}, GetTime(),
                                                     perms, 1000 + id, false));
        peerman->InitializeConnection(*conns.back());
        return *conns.back();
    }

    void Process(Connection& conn)
    {
        for (int i = 0; i < 1000 && conn.HasQueuedMessages() && !conn.disconnect; ++i) {
            peerman->ProcessMessages(conn, interrupt);
        }
        // Queued getdata work.
        for (int i = 0; i < 100 && peerman->ProcessMessages(conn, interrupt); ++i) {}
    }

    // Version / verack from the peer side; returns what the node sent.
    std::vector<Msg> Handshake(Connection& conn, uint64_t services = NODE_NETWORK | NODE_WITNESS, int32_t height = 0)
    {
        auto v = VersionPayload(services, height, 0x1234 + conn.id);
        Receive(conn, "version", v);
        Receive(conn, "wtxidrelay");
        Receive(conn, "sendaddrv2");
        Receive(conn, "verack");
        Process(conn);
        return TakeSent(conn);
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(peerman_tests)

BOOST_AUTO_TEST_CASE(inbound_handshake)
{
    PeerSetup s;
    Connection& conn = s.Add(ConnectionType::INBOUND);
    BOOST_CHECK(TakeSent(conn).empty());  // inbound: we answer, we do not start

    auto v = VersionPayload(NODE_NETWORK | NODE_WITNESS, 7, 42);
    Receive(conn, "version", v);
    s.Process(conn);
    auto sent = TakeSent(conn);
    BOOST_CHECK((Types(sent) == std::vector<std::string>{"version", "wtxidrelay", "sendaddrv2", "verack"}));
    // Our version: protocol 70016, start height, relay flag, user agent.
    DataStream ours(sent[0].payload);
    int32_t version;
    uint64_t services;
    int64_t time;
    ours >> version >> services >> time;
    BOOST_CHECK_EQUAL(version, PROTOCOL_VERSION);
    BOOST_CHECK_EQUAL(services, s.connman.GetLocalServices());
    BOOST_CHECK(!conn.handshake_done);

    Receive(conn, "verack");
    s.Process(conn);
    sent = TakeSent(conn);
    BOOST_CHECK((Types(sent) == std::vector<std::string>{"sendheaders", "sendcmpct"}));
    DataStream cmpct(sent[1].payload);
    bool announce = true;
    uint64_t cmpct_version = 0;
    cmpct >> announce >> cmpct_version;
    BOOST_CHECK(!announce);
    BOOST_CHECK_EQUAL(cmpct_version, 2u);
    BOOST_CHECK(conn.handshake_done);
    BOOST_CHECK_EQUAL(conn.version.load(), PROTOCOL_VERSION);

    NodeStateStats stats;
    BOOST_REQUIRE(s.peerman->GetNodeStateStats(conn.id, stats));
    BOOST_CHECK_EQUAL(stats.starting_height, 7);
    BOOST_CHECK_EQUAL(stats.user_agent, "/test:1.0/");
    BOOST_CHECK(stats.relay_txs);
    BOOST_CHECK(!stats.wtxid_relay);  // the peer did not send wtxidrelay

    // A redundant version and messages after the handshake are harmless.
    auto v2 = VersionPayload(NODE_NETWORK | NODE_WITNESS, 7, 43);
    Receive(conn, "version", v2);
    s.Process(conn);
    BOOST_CHECK(!conn.disconnect);
    // wtxidrelay after verack: disconnect.
    Receive(conn, "wtxidrelay");
    s.Process(conn);
    BOOST_CHECK(conn.disconnect);
}

BOOST_AUTO_TEST_CASE(outbound_handshake_and_services)
{
    PeerSetup s;
    Connection& conn = s.Add(ConnectionType::OUTBOUND_FULL_RELAY, "1.2.3.4");
    auto sent = TakeSent(conn);
    BOOST_REQUIRE_EQUAL(sent.size(), 1u);
    BOOST_CHECK_EQUAL(sent[0].type, "version");
    sent = s.Handshake(conn);
    BOOST_CHECK(Find(sent, "getaddr"));
    BOOST_CHECK(Find(sent, "verack"));
    BOOST_CHECK(conn.handshake_done);

    // An outbound peer without witness support is dropped.
    Connection& bad = s.Add(ConnectionType::OUTBOUND_FULL_RELAY, "1.2.3.5");
    TakeSent(bad);
    auto v = VersionPayload(NODE_NETWORK, 0, 99);
    Receive(bad, "version", v);
    s.Process(bad);
    BOOST_CHECK(bad.disconnect);

    // A feeler is closed once its version arrived.
    Connection& feeler = s.Add(ConnectionType::FEELER, "1.2.3.6");
    TakeSent(feeler);
    auto fv = VersionPayload(NODE_NETWORK | NODE_WITNESS, 0, 98);
    Receive(feeler, "version", fv);
    s.Process(feeler);
    BOOST_CHECK(feeler.disconnect);
}

BOOST_AUTO_TEST_CASE(ping_pong)
{
    PeerSetup s;
    Connection& conn = s.Add(ConnectionType::INBOUND);
    s.Handshake(conn);
    s.peerman->SendMessages(conn);
    auto sent = TakeSent(conn);
    const Msg* ping = Find(sent, "ping");
    BOOST_REQUIRE(ping);
    NodeStateStats stats;
    BOOST_REQUIRE(s.peerman->GetNodeStateStats(conn.id, stats));
    BOOST_CHECK(stats.ping_wait.count() >= 0);
    DataStream p(ping->payload);
    uint64_t nonce;
    p >> nonce;

    // A wrong nonce leaves the ping outstanding; the right one finishes it.
    DataStream wrong;
    wrong << (nonce + 1);
    Receive(conn, "pong", wrong);
    s.Process(conn);
    BOOST_REQUIRE(s.peerman->GetNodeStateStats(conn.id, stats));
    BOOST_CHECK(stats.ping_wait.count() >= 0);
    DataStream right;
    right << nonce;
    Receive(conn, "pong", right);
    s.Process(conn);
    BOOST_REQUIRE(s.peerman->GetNodeStateStats(conn.id, stats));
    BOOST_CHECK(stats.ping_wait.count() < 0);
    BOOST_CHECK(stats.last_ping_time.count() >= 0);
    BOOST_CHECK(conn.min_ping_time.load() != std::chrono::microseconds::max());

    // We answer pings.
    DataStream their;
    their << uint64_t{77};
    Receive(conn, "ping", their);
    s.Process(conn);
    sent = TakeSent(conn);
    const Msg* pong = Find(sent, "pong");
    BOOST_REQUIRE(pong);
    DataStream pp(pong->payload);
    uint64_t echoed;
    pp >> echoed;
    BOOST_CHECK_EQUAL(echoed, 77u);

    // The ping RPC queues a ping for every peer; a ping unanswered for 20
    // minutes ends the connection.
    s.peerman->SendPings();
    s.peerman->SendMessages(conn);
    BOOST_CHECK(Find(TakeSent(conn), "ping"));
    SetMockTime(GetTime() + 21 * 60);
    s.peerman->SendMessages(conn);
    SetMockTime(0);
    BOOST_CHECK(conn.disconnect);
}

BOOST_AUTO_TEST_CASE(too_many_headers_misbehaving)
{
    PeerSetup s;
    // A routable peer is discouraged; a local one only disconnected.
    Connection& remote = s.Add(ConnectionType::INBOUND, "5.6.7.8");
    Connection& local = s.Add(ConnectionType::INBOUND, "127.0.0.1");
    for (Connection* c : {&remote, &local}) {
        s.Handshake(*c);
        DataStream h;
        WriteCompactSize(h, 2001);
        BlockHeader header;
        for (int i = 0; i < 2001; ++i) {
            h << header;
            WriteCompactSize(h, 0);
        }
        Receive(*c, "headers", h);
        s.Process(*c);
        BOOST_CHECK(c->disconnect);
    }
    BOOST_CHECK(s.banman->IsDiscouraged(remote.addr));
    BOOST_CHECK(!s.banman->IsDiscouraged(local.addr));

    // noban peers are not punished.
    Connection& noban = s.Add(ConnectionType::INBOUND, "5.6.7.9", PF_NOBAN);
    s.Handshake(noban);
    s.peerman->Misbehaving(noban.id, "test");
    s.peerman->SendMessages(noban);
    BOOST_CHECK(!noban.disconnect);
    BOOST_CHECK(!s.banman->IsDiscouraged(noban.addr));
}

BOOST_AUTO_TEST_CASE(oversized_addr_inv_getdata)
{
    PeerSetup s;
    for (const std::string type : {"addr", "inv", "getdata"}) {
        Connection& c = s.Add(ConnectionType::INBOUND);
        s.Handshake(c);
        DataStream d;
        WriteCompactSize(d, type == "addr" ? 1001 : 50001);
        Receive(c, type, d);
        s.Process(c);
        BOOST_CHECK_MESSAGE(c.disconnect, type);
    }
}

BOOST_AUTO_TEST_CASE(mempool_message_needs_permission)
{
    PeerSetup s;
    Connection& plain = s.Add(ConnectionType::INBOUND);
    s.Handshake(plain);
    Receive(plain, "mempool");
    s.Process(plain);
    BOOST_CHECK(plain.disconnect);

    Connection& allowed = s.Add(ConnectionType::INBOUND, "127.0.0.1", PF_MEMPOOL);
    s.Handshake(allowed);
    Receive(allowed, "mempool");
    s.Process(allowed);
    BOOST_CHECK(!allowed.disconnect);
}

BOOST_AUTO_TEST_CASE(addr_rate_limit)
{
    PeerSetup s;
    Connection& c = s.Add(ConnectionType::INBOUND);
    s.Handshake(c);
    // 1000 addresses at once: the bucket holds one token.
    std::vector<Address> addrs;
    for (int i = 0; i < 1000; ++i) {
        uint32_t ip = (20u << 24) | (static_cast<uint32_t>(i) + 1);
        addrs.emplace_back(Service(NetAddr::FromIPv4(ip), 8333), NODE_NETWORK | NODE_WITNESS, static_cast<uint32_t>(GetTime()));
    }
    DataStream d;
    WriteAddresses(d, addrs, false);
    Receive(c, "addr", d);
    s.Process(c);
    NodeStateStats stats;
    BOOST_REQUIRE(s.peerman->GetNodeStateStats(c.id, stats));
    BOOST_CHECK_EQUAL(stats.addr_processed, 1u);
    BOOST_CHECK_EQUAL(stats.addr_rate_limited, 999u);
    BOOST_CHECK(stats.addr_relay_enabled);
    BOOST_CHECK(!c.disconnect);
}

BOOST_AUTO_TEST_CASE(headers_sync_and_block_download)
{
    // The source chain.
    test_util::ChainFixture source;
    source.MineBlocks(40);

    PeerSetup s;
    Connection& c = s.Add(ConnectionType::OUTBOUND_FULL_RELAY, "1.2.3.4");
    TakeSent(c);
    s.Handshake(c, NODE_NETWORK | NODE_WITNESS, 40);

    // Headers sync starts with a getheaders.
    s.peerman->SendMessages(c);
    auto sent = TakeSent(c);
    BOOST_REQUIRE(Find(sent, "getheaders"));

    // Answer with all 40 headers.
    DataStream h;
    WriteCompactSize(h, 40);
    for (int i = 1; i <= 40; ++i) {
        h << source.Chainman().ActiveChain()[i]->GetBlockHeader();
        WriteCompactSize(h, 0);
    }
    Receive(c, "headers", h);
    s.Process(c);
    BOOST_CHECK_EQUAL(s.chain.Chainman().BestHeader()->height, 40);

    // Blocks are requested 16 at a time and connect as they arrive.
    int rounds = 0;
    while (s.chain.Height() < 40 && rounds++ < 10) {
        s.peerman->SendMessages(c);
        sent = TakeSent(c);
        const Msg* gd = Find(sent, "getdata");
        BOOST_REQUIRE(gd);
        DataStream g(gd->payload);
        const uint64_t n = ReadCompactSize(g);
        BOOST_CHECK(n <= MAX_BLOCKS_IN_TRANSIT_PER_PEER);
        BOOST_CHECK_EQUAL(s.peerman->BlocksInFlight(), n);
        for (uint64_t i = 0; i < n; ++i) {
            Inv inv;
            g >> inv;
            BOOST_CHECK_EQUAL(inv.type, static_cast<uint32_t>(MSG_WITNESS_BLOCK));
            const BlockIndex* idx = source.Chainman().LookupBlockIndex(inv.hash);
            BOOST_REQUIRE(idx);
            Block block;
            BOOST_REQUIRE(source.Chainman().Blocks().ReadBlock(block, *idx));
            DataStream b;
            b << TX_WITH_WITNESS(block);
            Receive(c, "block", b);
        }
        s.Process(c);
    }
    BOOST_CHECK_EQUAL(s.chain.Height(), 40);
    BOOST_CHECK(s.chain.Tip()->GetBlockHash() == source.Tip()->GetBlockHash());
    BOOST_CHECK_EQUAL(s.peerman->BlocksInFlight(), 0u);
    NodeStateStats stats;
    BOOST_REQUIRE(s.peerman->GetNodeStateStats(c.id, stats));
    BOOST_CHECK_EQUAL(stats.sync_height, 40);
    BOOST_CHECK(!c.disconnect);

    // A second peer (download permission, so served during IBD) asks for headers and blocks.
    Connection& c2 = s.Add(ConnectionType::INBOUND, "127.0.0.1", PF_DOWNLOAD);
    s.Handshake(c2);
    DataStream gh;
    gh << int32_t{PROTOCOL_VERSION} << std::vector<uint256>{s.chain.Chainman().ActiveChain()[10]->GetBlockHash()}
       << uint256{};
    Receive(c2, "getheaders", gh);
    s.Process(c2);
    sent = TakeSent(c2);
    const Msg* hm = Find(sent, "headers");
    BOOST_REQUIRE(hm);
    DataStream hr(hm->payload);
    BOOST_CHECK_EQUAL(ReadCompactSize(hr), 30u);
    BlockHeader first;
    hr >> first;
    BOOST_CHECK(first.GetHash() == s.chain.Chainman().ActiveChain()[11]->GetBlockHash());

    DataStream gd;
    gd << std::vector<Inv>{{MSG_WITNESS_BLOCK, s.chain.Tip()->GetBlockHash()}, {MSG_WTX, uint256{}}};
    Receive(c2, "getdata", gd);
    s.Process(c2);
    sent = TakeSent(c2);
    const Msg* bm = Find(sent, "block");
    BOOST_REQUIRE(bm);
    DataStream br(bm->payload);
    Block got;
    br >> TX_WITH_WITNESS(got);
    BOOST_CHECK(got.GetHash() == s.chain.Tip()->GetBlockHash());
    BOOST_CHECK(Find(sent, "notfound"));  // no mempool: the transaction is not found
}

BOOST_AUTO_TEST_CASE(block_download_timeout)
{
    test_util::ChainFixture source;
    source.MineBlocks(5);
    PeerSetup s;
    Connection& c = s.Add(ConnectionType::OUTBOUND_FULL_RELAY, "1.2.3.4");
    TakeSent(c);
    s.Handshake(c, NODE_NETWORK | NODE_WITNESS, 5);
    s.peerman->SendMessages(c);
    TakeSent(c);
    DataStream h;
    WriteCompactSize(h, 5);
    for (int i = 1; i <= 5; ++i) {
        h << source.Chainman().ActiveChain()[i]->GetBlockHeader();
        WriteCompactSize(h, 0);
    }
    Receive(c, "headers", h);
    s.Process(c);
    s.peerman->SendMessages(c);
    BOOST_CHECK(Find(TakeSent(c), "getdata"));
    BOOST_CHECK_EQUAL(s.peerman->BlocksInFlight(), 5u);
    // The blocks never come: after 10 minutes (one peer) the peer is dropped.
    SetMockTime(GetTime() + 9 * 60);
    s.peerman->SendMessages(c);
    BOOST_CHECK(!c.disconnect);
    SetMockTime(GetTime() + 2 * 60);
    s.peerman->SendMessages(c);
    SetMockTime(0);
    BOOST_CHECK(c.disconnect);
    // Its requests are released when it goes.
    s.peerman->FinalizeConnection(c);
    BOOST_CHECK_EQUAL(s.peerman->BlocksInFlight(), 0u);
}

BOOST_AUTO_TEST_CASE(block_announcement)
{
    // A clock near the fixture's block times: out of initial block download (no announcements in it).
    PeerSetup s([](ChainstateManagerOptions& o) { o.adjusted_time = [] { return int64_t{1296688602 + 3600}; }; });
    s.chain.MineBlocks(3);
    BOOST_REQUIRE(!s.chain.Chainman().IsInitialBlockDownload());
    // A peer that asked for our headers and prefers headers announcements.
    Connection& c = s.Add(ConnectionType::INBOUND, "127.0.0.1", PF_DOWNLOAD);
    s.Handshake(c);
    Receive(c, "sendheaders");
    DataStream gh;
    gh << int32_t{PROTOCOL_VERSION} << std::vector<uint256>{s.chain.Chainman().ActiveChain()[0]->GetBlockHash()} << uint256{};
    Receive(c, "getheaders", gh);
    s.Process(c);
    TakeSent(c);
    // A new block is announced by its header.
    s.chain.Mine();
    s.peerman->SendMessages(c);
    auto sent = TakeSent(c);
    const Msg* hm = Find(sent, "headers");
    BOOST_REQUIRE(hm);
    DataStream hr(hm->payload);
    BOOST_CHECK_EQUAL(ReadCompactSize(hr), 1u);
    BlockHeader header;
    hr >> header;
    BOOST_CHECK(header.GetHash() == s.chain.Tip()->GetBlockHash());

    // A peer without sendheaders gets an inv.
    Connection& d = s.Add(ConnectionType::INBOUND);
    s.Handshake(d);
    s.chain.Mine();
    s.peerman->SendMessages(d);
    sent = TakeSent(d);
    const Msg* im = Find(sent, "inv");
    BOOST_REQUIRE(im);
    DataStream ir(im->payload);
    std::vector<Inv> invs;
    ir >> invs;
    BOOST_REQUIRE_EQUAL(invs.size(), 1u);
    BOOST_CHECK_EQUAL(invs[0].type, static_cast<uint32_t>(MSG_BLOCK));
    BOOST_CHECK(invs[0].hash == s.chain.Tip()->GetBlockHash());
}

BOOST_AUTO_TEST_CASE(invalid_block_punished)
{
    PeerSetup s;
    s.chain.MineBlocks(2);
    Connection& c = s.Add(ConnectionType::INBOUND, "9.9.9.9");
    s.Handshake(c);
    auto block = s.chain.CreateBlock({});
    // Break the coinbase value: consensus-invalid.
    auto cb = MutableTransaction(*block->vtx[0]);
    cb.vout[0].value = 100 * COIN;
    block->vtx[0] = std::make_shared<const Transaction>(cb);
    s.chain.Solve(*block);
    DataStream b;
    b << TX_WITH_WITNESS(*block);
    Receive(c, "block", b);
    s.Process(c);
    BOOST_CHECK(c.disconnect);
    BOOST_CHECK(s.banman->IsDiscouraged(c.addr));
    BOOST_CHECK_EQUAL(s.chain.Height(), 2);
}

BOOST_AUTO_TEST_CASE(last_block_time_and_addr_local)
{
    PeerSetup s;
    s.chain.MineBlocks(2);
    // addrlocal: our address as the peer's version message gives it.
    Connection& c = s.Add(ConnectionType::INBOUND, "9.9.9.8");
    auto v = VersionPayload(NODE_NETWORK | NODE_WITNESS, 0, 0x9999, PROTOCOL_VERSION,
                            Service(*NetAddr::Parse("203.0.113.7"), 8333));
    Receive(c, "version", v);
    Receive(c, "verack");
    s.Process(c);
    TakeSent(c);
    NodeStateStats stats;
    BOOST_REQUIRE(s.peerman->GetNodeStateStats(c.id, stats));
    BOOST_CHECK_EQUAL(stats.addr_local, "203.0.113.7:8333");
    // A peer that leaves it unset (0.0.0.0 / ::): unknown, getpeerinfo omits addrlocal.
    Connection& d = s.Add(ConnectionType::INBOUND, "9.9.9.9");
    s.Handshake(d);
    BOOST_REQUIRE(s.peerman->GetNodeStateStats(d.id, stats));
    BOOST_CHECK_EQUAL(stats.addr_local, "");

    // last_block_time: set (whole seconds, mockable clock) by a novel block only.
    BOOST_CHECK(c.last_block_time.load() == std::chrono::microseconds{0});
    BOOST_CHECK(c.last_tx_time.load() == std::chrono::microseconds{0});
    const int64_t t0 = 1'700'000'000;
    SetMockTime(t0);
    auto block = s.chain.CreateBlock({});
    DataStream b;
    b << TX_WITH_WITNESS(*block);
    DataStream b2 = b;
    Receive(c, "block", b);
    s.Process(c);
    BOOST_CHECK(s.chain.Tip()->GetBlockHash() == block->GetHash());
    BOOST_CHECK(c.last_block_time.load() == std::chrono::seconds{t0});
    // The same block again, later, from the other peer: not novel, nothing set.
    SetMockTime(t0 + 100);
    Receive(d, "block", b2);
    s.Process(d);
    BOOST_CHECK(!d.disconnect);
    BOOST_CHECK(d.last_block_time.load() == std::chrono::microseconds{0});
    BOOST_CHECK(c.last_block_time.load() == std::chrono::seconds{t0});
    // A block that fails its checks (merkle root no longer matches): never
    // stored, not a tip candidate, nothing set either. (As Core, a block that
    // is stored and only fails when connected does count as novel.)
    auto bad = s.chain.CreateBlock({});
    auto cb = MutableTransaction(*bad->vtx[0]);
    cb.vout[0].value -= 1;
    bad->vtx[0] = std::make_shared<const Transaction>(cb);
    DataStream bb;
    bb << TX_WITH_WITNESS(*bad);
    Receive(d, "block", bb);
    s.Process(d);
    SetMockTime(0);
    BOOST_CHECK(s.chain.Tip()->GetBlockHash() == block->GetHash());
    BOOST_CHECK(d.last_block_time.load() == std::chrono::microseconds{0});
    BOOST_CHECK(c.last_tx_time.load() == std::chrono::microseconds{0});
}

// getdata for a transaction is answered only when it entered the mempool
// before our last inventory round with the peer (Core's mempool-sequence
// rule), or when it is in the last block; anything else is notfound, so a
// peer cannot learn of transactions we have not announced to it yet.
BOOST_AUTO_TEST_CASE(getdata_tx_only_after_inventory_round)
{
    struct ClockReset {
        ~ClockReset() { SetMockTime(0); }
    } clock_reset;
    int64_t now = 1'700'000'000;
    SetMockTime(now);
    test_util::ChainFixture chain;
    const auto blocks = chain.MineBlocks(110);
    node::TxMempool pool;
    node::MempoolChainSync sync(chain.Chainman(), pool);
    chain.Chainman().RegisterObserver(&sync);
    AddrMan addrman;
    ConnectionManager connman{&addrman, nullptr};
    std::unique_ptr<PeerManager> peerman = PeerManager::Create(connman, addrman, nullptr, chain.Chainman(), &pool);
    chain.Chainman().RegisterObserver(peerman.get());
    std::atomic<bool> interrupt{false};

    const Service addr(*NetAddr::Parse("127.0.0.1"), 18444);
    Connection conn(0, ConnectionType::INBOUND, addr, addr.ToStringAddrPort(), Service{}, GetTime(), PF_NONE, 1000,
                    false);
    peerman->InitializeConnection(conn);
    auto process = [&] {
        for (int i = 0; i < 1000 && conn.HasQueuedMessages() && !conn.disconnect; ++i) {
            peerman->ProcessMessages(conn, interrupt);
        }
        for (int i = 0; i < 100 && peerman->ProcessMessages(conn, interrupt); ++i) {}
    };
    auto v = VersionPayload(NODE_NETWORK | NODE_WITNESS, 0, 0x4321);
    Receive(conn, "version", v);
    Receive(conn, "wtxidrelay");
    Receive(conn, "verack");
    process();
    BOOST_REQUIRE(conn.handshake_done);
    TakeSent(conn);

    // One reply to a getdata for a single hash: "tx" or "notfound".
    auto getdata = [&](uint32_t type, const uint256& hash) {
        DataStream gd;
        gd << std::vector<Inv>{{type, hash}};
        Receive(conn, "getdata", gd);
        process();
        const auto sent = TakeSent(conn);
        BOOST_REQUIRE_EQUAL(sent.size(), 1U);
        return sent[0].type;
    };
    // Inventory rounds until one happens (a second of mock time each);
    // returns the hashes announced.
    auto inventory_round = [&] {
        std::vector<uint256> announced;
        for (int i = 0; i < 600; ++i) {
            now += 1;
            SetMockTime(now);
            peerman->SendMessages(conn);
            bool round = false;
            for (const Msg& m : TakeSent(conn)) {
                if (m.type != "inv") continue;
                round = true;
                DataStream r(m.payload);
                std::vector<Inv> invs;
                r >> invs;
                for (const Inv& inv : invs) announced.push_back(inv.hash);
            }
            if (round) break;
        }
        return announced;
    };
    auto accept = [&](int coinbase) {
        const TransactionRef tx = chain.SpendTo(test_util::ChainFixture::CoinbaseOutput(*blocks[coinbase]), 1000);
        BOOST_REQUIRE(node::AcceptToMemoryPool(chain.Chainman(), pool, tx, GetTime(), false, false).IsValid());
        return tx;
    };

    // The first round (nothing to announce yet) happens on the first send.
    peerman->SendMessages(conn);
    TakeSent(conn);

    // a entered after that round, was never announced: notfound by wtxid and
    // by txid, and the unbroadcast tracking is untouched.
    const TransactionRef a = accept(0);
    pool.AddUnbroadcastTx(a->GetHash());
    BOOST_CHECK_EQUAL(getdata(MSG_WTX, a->GetWitnessHash()), "notfound");
    BOOST_CHECK_EQUAL(getdata(MSG_WITNESS_TX, a->GetHash()), "notfound");
    BOOST_CHECK(pool.IsUnbroadcastTx(a->GetHash()));

    // Announced to the peer: served (wtxid and txid), the initial broadcast
    // is over.
    peerman->RelayTransaction(a->GetHash(), a->GetWitnessHash());
    const auto announced = inventory_round();
    BOOST_CHECK(std::find(announced.begin(), announced.end(), a->GetWitnessHash()) != announced.end());
    BOOST_CHECK_EQUAL(getdata(MSG_WTX, a->GetWitnessHash()), "tx");
    BOOST_CHECK(!pool.IsUnbroadcastTx(a->GetHash()));
    BOOST_CHECK_EQUAL(getdata(MSG_WITNESS_TX, a->GetHash()), "tx");
    BOOST_CHECK_EQUAL(getdata(MSG_TX, a->GetHash()), "tx");
    // The wrong kind of hash finds nothing (a txid asked as a wtxid differs
    // for a segwit spend; an unknown hash never matches).
    uint256 unknown;
    unknown.data()[0] = 9;
    BOOST_CHECK_EQUAL(getdata(MSG_WTX, unknown), "notfound");

    // b is never announced (not relayed), but once it is older than the
    // peer's next inventory round (minutes later here) it is served: the
    // peer could have learnt of it from a mempool-wide round.
    const TransactionRef b = accept(1);
    BOOST_CHECK_EQUAL(getdata(MSG_WTX, b->GetWitnessHash()), "notfound");
    now += 3 * 60;
    SetMockTime(now);
    BOOST_CHECK_EQUAL(getdata(MSG_WTX, b->GetWitnessHash()), "notfound");  // time alone does not do it
    const auto second = inventory_round();
    BOOST_CHECK(std::find(second.begin(), second.end(), b->GetWitnessHash()) == second.end());
    BOOST_CHECK_EQUAL(getdata(MSG_WTX, b->GetWitnessHash()), "tx");

    // c is young and unannounced, then mined: out of the pool but in the
    // last block, which is public, so it is served.
    const TransactionRef c = accept(2);
    BOOST_CHECK_EQUAL(getdata(MSG_WTX, c->GetWitnessHash()), "notfound");
    chain.Mine({c});
    BOOST_CHECK(!pool.exists(c->GetHash()));
    BOOST_CHECK_EQUAL(getdata(MSG_WTX, c->GetWitnessHash()), "tx");
    BOOST_CHECK_EQUAL(getdata(MSG_WITNESS_TX, c->GetHash()), "tx");

    BOOST_CHECK(!conn.disconnect);
    chain.Chainman().UnregisterObserver(peerman.get());
    peerman->FinalizeConnection(conn);
    peerman.reset();
    chain.Chainman().UnregisterObserver(&sync);
}

BOOST_AUTO_TEST_SUITE_END()
