// The unbroadcast set end to end below the RPC layer: which transactions stay
// in it, how mempool.dat carries it across a restart, and the peer manager's
// part (a getdata served from the mempool ends the tracking; the periodic
// re-announcement reaches peers that connected after the first one).

#include <kernel/validation.h>
#include <net/addrman.h>
#include <net/connection.h>
#include <net/connman.h>
#include <net/peerman.h>
#include <net/transport.h>
#include <node/mempool_accept.h>
#include <node/mempool_persist.h>
#include <node/txmempool.h>
#include <serialize.h>
#include <streams.h>
#include <test/util/chain_fixture.h>
#include <util/time.h>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

using namespace node;
using test_util::ChainFixture;

namespace {

struct PoolSetup {
    ChainFixture fx;
    std::vector<std::shared_ptr<const Block>> blocks;
    std::unique_ptr<TxMempool> pool;
    std::unique_ptr<MempoolChainSync> sync;

    PoolSetup()
    {
        blocks = fx.MineBlocks(110);
        pool = std::make_unique<TxMempool>();
        sync = std::make_unique<MempoolChainSync>(fx.Chainman(), *pool);
        fx.Chainman().RegisterObserver(sync.get());
    }
    ~PoolSetup() { fx.Chainman().UnregisterObserver(sync.get()); }

    TransactionRef AcceptSpend(int coinbase, Amount fee)
    {
        const TransactionRef tx = fx.SpendTo(ChainFixture::CoinbaseOutput(*blocks[coinbase]), fee);
        const MempoolAcceptResult r = AcceptToMemoryPool(fx.Chainman(), *pool, tx, GetTime(), false, false);
        BOOST_REQUIRE_MESSAGE(r.IsValid(), r.m_state.ToString());
        return tx;
    }
};

// ---- peer manager helpers: a ConnectionManager never started, fake connections.

struct Msg {
    std::string type;
    std::vector<unsigned char> payload;
};

std::vector<Msg> TakeSent(net::Connection& conn)
{
    std::vector<Msg> out;
    std::lock_guard lock(conn.send_mutex);
    for (const auto& framed : conn.send_queue) {
        BOOST_REQUIRE(framed.size() >= net::MESSAGE_HEADER_SIZE);
        std::string type(reinterpret_cast<const char*>(framed.data() + 4), 12);
        type.resize(type.find('\0') == std::string::npos ? 12 : type.find('\0'));
        out.push_back({type, std::vector<unsigned char>(framed.begin() + net::MESSAGE_HEADER_SIZE, framed.end())});
    }
    conn.send_queue.clear();
    conn.send_queue_bytes = 0;
    return out;
}

void Receive(net::Connection& conn, const std::string& type, const DataStream& payload = DataStream{})
{
    net::ReceivedMessage m;
    m.type = type;
    m.payload.assign(payload.begin(), payload.end());
    m.raw_size = m.payload.size() + net::MESSAGE_HEADER_SIZE;
    std::lock_guard lock(conn.recv_mutex);
    conn.recv_queue.push_back(std::move(m));
}

// Every hash announced by inv in msgs.
std::vector<uint256> Announced(const std::vector<Msg>& msgs)
{
    std::vector<uint256> out;
    for (const Msg& m : msgs) {
        if (m.type != "inv") continue;
        DataStream s(m.payload);
        std::vector<net::Inv> invs;
        s >> invs;
        for (const net::Inv& inv : invs) out.push_back(inv.hash);
    }
    return out;
}

bool Contains(const std::vector<uint256>& v, const uint256& h) { return std::find(v.begin(), v.end(), h) != v.end(); }

struct RelaySetup : PoolSetup {
    net::AddrMan addrman;
    net::ConnectionManager connman{&addrman, nullptr};
    std::unique_ptr<net::PeerManager> peerman;
    std::atomic<bool> interrupt{false};
    std::vector<std::unique_ptr<net::Connection>> conns;

    RelaySetup()
    {
        peerman = net::PeerManager::Create(connman, addrman, nullptr, fx.Chainman(), pool.get());
        fx.Chainman().RegisterObserver(peerman.get());
    }
    ~RelaySetup()
    {
        fx.Chainman().UnregisterObserver(peerman.get());
        for (auto& c : conns) peerman->FinalizeConnection(*c);
        peerman.reset();
    }

    void Process(net::Connection& conn)
    {
        for (int i = 0; i < 1000 && conn.HasQueuedMessages() && !conn.disconnect; ++i) {
            peerman->ProcessMessages(conn, interrupt);
        }
        for (int i = 0; i < 100 && peerman->ProcessMessages(conn, interrupt); ++i) {}
    }

    // An inbound peer that relays transactions by wtxid (BIP339), handshake done.
    net::Connection& Connect()
    {
        const int64_t id = static_cast<int64_t>(conns.size());
        net::Service addr(*net::NetAddr::Parse("127.0.0." + std::to_string(id + 1)), 18444);
        conns.push_back(std::make_unique<net::Connection>(id, net::ConnectionType::INBOUND, addr,
                                                          addr.ToStringAddrPort(), net::Service{}, GetTime(),
                                                          net::PF_NONE, 1000 + id, false));
        net::Connection& conn = *conns.back();
        peerman->InitializeConnection(conn);
        DataStream v;
        v << int32_t{net::PROTOCOL_VERSION} << uint64_t{net::NODE_NETWORK | net::NODE_WITNESS} << GetTime()
          << uint64_t{0};
        net::Service{}.SerializeV1(v);
        v << uint64_t{net::NODE_NETWORK | net::NODE_WITNESS};
        net::Service{}.SerializeV1(v);
        v << static_cast<uint64_t>(0x5678 + id) << std::string("/test:1.0/") << int32_t{0} << true;
        Receive(conn, "version", v);
        Receive(conn, "wtxidrelay");
        Receive(conn, "verack");
        Process(conn);
        BOOST_REQUIRE(conn.handshake_done);
        TakeSent(conn);
        return conn;
    }

    // What one round of periodic sends queues for conn. Pings are answered,
    // so the peer survives the clock jumps of these tests.
    std::vector<Msg> Send(net::Connection& conn)
    {
        peerman->SendMessages(conn);
        std::vector<Msg> sent = TakeSent(conn);
        for (const Msg& m : sent) {
            if (m.type != "ping") continue;
            DataStream ping(m.payload);
            uint64_t nonce;
            ping >> nonce;
            DataStream pong;
            pong << nonce;
            Receive(conn, "pong", pong);
            Process(conn);
        }
        BOOST_CHECK(!conn.disconnect);
        return sent;
    }

    std::vector<Msg> GetData(net::Connection& conn, uint32_t type, const uint256& hash)
    {
        DataStream s;
        s << std::vector<net::Inv>{{type, hash}};
        Receive(conn, "getdata", s);
        Process(conn);
        return TakeSent(conn);
    }
};

// Restores real time at the end of a test that mocked it.
struct MockTimeGuard {
    ~MockTimeGuard() { SetMockTime(0); }
};

} // namespace

BOOST_AUTO_TEST_SUITE(unbroadcast_tests)

BOOST_AUTO_TEST_CASE(set_follows_the_pool)
{
    PoolSetup s;
    const TransactionRef a = s.AcceptSpend(0, 1000);
    const TransactionRef b = s.AcceptSpend(1, 1000);
    uint256 absent;
    absent.data()[0] = 1;

    s.pool->AddUnbroadcastTx(absent);  // not in the pool: ignored
    BOOST_CHECK(s.pool->GetUnbroadcastTxs().empty());
    s.pool->AddUnbroadcastTx(a->GetHash());
    s.pool->AddUnbroadcastTx(b->GetHash());
    s.pool->AddUnbroadcastTx(b->GetHash());  // a set: once
    BOOST_CHECK_EQUAL(s.pool->GetUnbroadcastTxs().size(), 2U);
    BOOST_CHECK(s.pool->IsUnbroadcastTx(a->GetHash()));

    // Leaving the mempool (here: mined) ends the tracking.
    s.fx.Mine({a});
    BOOST_CHECK(!s.pool->exists(a->GetHash()));
    BOOST_CHECK(!s.pool->IsUnbroadcastTx(a->GetHash()));
    BOOST_CHECK(s.pool->IsUnbroadcastTx(b->GetHash()));

    s.pool->RemoveUnbroadcastTx(b->GetHash());
    BOOST_CHECK(s.pool->exists(b->GetHash()));  // only the tracking ends
    BOOST_CHECK(s.pool->GetUnbroadcastTxs().empty());
}

BOOST_AUTO_TEST_CASE(persisted_in_mempool_dat)
{
    PoolSetup s;
    const TransactionRef a = s.AcceptSpend(0, 1000);
    const TransactionRef b = s.AcceptSpend(1, 2000);
    const TransactionRef c = s.AcceptSpend(2, 3000);
    s.pool->AddUnbroadcastTx(a->GetHash());
    s.pool->AddUnbroadcastTx(c->GetHash());
    const auto path = s.fx.DataDir() / "mempool.dat";
    std::string error;

    for (bool v1 : {false, true}) {
        BOOST_REQUIRE_MESSAGE(DumpMempool(*s.pool, path, v1, error), error);
        TxMempool loaded;
        LoadMempoolResult result;
        BOOST_REQUIRE(LoadMempool(loaded, s.fx.Chainman(), path, result, error));
        BOOST_CHECK_EQUAL(result.succeeded, 3U);
        BOOST_CHECK_EQUAL(result.unbroadcast, 2U);
        BOOST_CHECK(loaded.IsUnbroadcastTx(a->GetHash()));
        BOOST_CHECK(!loaded.IsUnbroadcastTx(b->GetHash()));
        BOOST_CHECK(loaded.IsUnbroadcastTx(c->GetHash()));
    }

    // importmempool's apply_unbroadcast_set=false: the transactions only.
    {
        BOOST_REQUIRE(DumpMempool(*s.pool, path, false, error));
        TxMempool loaded;
        LoadMempoolResult result;
        LoadMempoolOptions opts;
        opts.apply_unbroadcast_set = false;
        BOOST_REQUIRE(LoadMempool(loaded, s.fx.Chainman(), path, result, error, opts));
        BOOST_CHECK_EQUAL(result.succeeded, 3U);
        BOOST_CHECK_EQUAL(result.unbroadcast, 0U);
        BOOST_CHECK(loaded.GetUnbroadcastTxs().empty());
    }

    // The file's last field is the set: compact size, then the txids in order.
    {
        TxMempool one;
        BOOST_REQUIRE(AcceptToMemoryPool(s.fx.Chainman(), one, a, GetTime(), false, false).IsValid());
        one.AddUnbroadcastTx(a->GetHash());
        BOOST_REQUIRE(DumpMempool(one, path, /*use_v1=*/true, error));
        std::ifstream f(path, std::ios::binary);
        std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        BOOST_REQUIRE(bytes.size() > 33);
        BOOST_CHECK_EQUAL(bytes[bytes.size() - 33], 1);
        BOOST_CHECK(std::equal(a->GetHash().begin(), a->GetHash().end(), bytes.end() - 32));
    }

    // A transaction that does not come back (mined meanwhile) does not
    // rejoin the set; Core's log still counts the file's entries.
    BOOST_REQUIRE(DumpMempool(*s.pool, path, false, error));
    s.fx.Mine({c});
    TxMempool loaded;
    LoadMempoolResult result;
    BOOST_REQUIRE(LoadMempool(loaded, s.fx.Chainman(), path, result, error));
    BOOST_CHECK_EQUAL(result.succeeded, 2U);
    BOOST_CHECK_EQUAL(result.unbroadcast, 2U);
    BOOST_CHECK(loaded.IsUnbroadcastTx(a->GetHash()));
    BOOST_CHECK(!loaded.exists(c->GetHash()));
    BOOST_CHECK_EQUAL(loaded.GetUnbroadcastTxs().size(), 1U);
}

BOOST_AUTO_TEST_CASE(damaged_unbroadcast_section)
{
    PoolSetup s;
    const TransactionRef a = s.AcceptSpend(0, 1000);
    s.pool->AddUnbroadcastTx(a->GetHash());
    const auto path = s.fx.DataDir() / "mempool.dat";
    std::string error;
    BOOST_REQUIRE(DumpMempool(*s.pool, path, /*use_v1=*/true, error));
    // Cut into the last txid: the transactions load, the set is abandoned
    // half way (logged, not fatal), as any other truncation.
    std::filesystem::resize_file(path, std::filesystem::file_size(path) - 5);
    TxMempool loaded;
    LoadMempoolResult result;
    BOOST_REQUIRE(LoadMempool(loaded, s.fx.Chainman(), path, result, error));
    BOOST_CHECK_EQUAL(result.succeeded, 1U);
    BOOST_CHECK(loaded.exists(a->GetHash()));
    BOOST_CHECK(loaded.GetUnbroadcastTxs().empty());
    BOOST_CHECK(loaded.IsLoaded());

    // A file written before the set was kept (count 0) loads with an empty set.
    TxMempool plain;
    BOOST_REQUIRE(AcceptToMemoryPool(s.fx.Chainman(), plain, a, GetTime(), false, false).IsValid());
    BOOST_REQUIRE(DumpMempool(plain, path, true, error));
    TxMempool again;
    BOOST_REQUIRE(LoadMempool(again, s.fx.Chainman(), path, result, error));
    BOOST_CHECK_EQUAL(result.unbroadcast, 0U);
    BOOST_CHECK(again.exists(a->GetHash()));
    BOOST_CHECK(again.GetUnbroadcastTxs().empty());
}

BOOST_AUTO_TEST_CASE(getdata_ends_tracking)
{
    RelaySetup s;
    const TransactionRef a = s.AcceptSpend(0, 1000);
    const TransactionRef b = s.AcceptSpend(1, 1000);
    s.pool->AddUnbroadcastTx(a->GetHash());
    s.pool->AddUnbroadcastTx(b->GetHash());
    net::Connection& peer = s.Connect();
    // Only what was in the pool at our last inventory round with the peer is
    // served (peerman_tests covers that rule); one round here.
    s.Send(peer);

    // Served by wtxid: a leaves the set.
    auto sent = s.GetData(peer, net::MSG_WTX, a->GetWitnessHash());
    BOOST_REQUIRE_EQUAL(sent.size(), 1U);
    BOOST_CHECK_EQUAL(sent[0].type, "tx");
    BOOST_CHECK(!s.pool->IsUnbroadcastTx(a->GetHash()));
    BOOST_CHECK(s.pool->IsUnbroadcastTx(b->GetHash()));

    // Unknown: notfound, nothing changes.
    uint256 unknown;
    unknown.data()[0] = 7;
    sent = s.GetData(peer, net::MSG_WTX, unknown);
    BOOST_REQUIRE_EQUAL(sent.size(), 1U);
    BOOST_CHECK_EQUAL(sent[0].type, "notfound");
    BOOST_CHECK(s.pool->IsUnbroadcastTx(b->GetHash()));

    // Served by txid (a peer without wtxid relay asks this way): b leaves.
    sent = s.GetData(peer, net::MSG_WITNESS_TX, b->GetHash());
    BOOST_REQUIRE_EQUAL(sent.size(), 1U);
    BOOST_CHECK_EQUAL(sent[0].type, "tx");
    BOOST_CHECK(s.pool->GetUnbroadcastTxs().empty());
    BOOST_CHECK_EQUAL(s.pool->size(), 2U);
}

BOOST_AUTO_TEST_CASE(periodic_reannouncement)
{
    MockTimeGuard guard;
    RelaySetup s;
    int64_t now = GetTime();
    SetMockTime(now);
    const TransactionRef tracked = s.AcceptSpend(0, 1000);
    const TransactionRef untracked = s.AcceptSpend(1, 1000);
    s.pool->AddUnbroadcastTx(tracked->GetHash());

    // A peer that connects later hears nothing of the pool by itself...
    net::Connection& first = s.Connect();
    BOOST_CHECK(Announced(s.Send(first)).empty());
    now += 9 * 60;
    SetMockTime(now);
    BOOST_CHECK(Announced(s.Send(first)).empty());  // before the 10 minute minimum

    // ...until the re-announcement (10-15 minutes after start): only the
    // unbroadcast transaction, by wtxid.
    now += 7 * 60;
    SetMockTime(now);
    auto invs = Announced(s.Send(first));
    BOOST_CHECK_EQUAL(invs.size(), 1U);
    BOOST_CHECK(Contains(invs, tracked->GetWitnessHash()));
    BOOST_CHECK(!Contains(invs, untracked->GetWitnessHash()));
    BOOST_CHECK(s.pool->IsUnbroadcastTx(tracked->GetHash()));  // announcing alone is not enough

    // The next round announces it again, to a peer that did not have it
    // yet; the first peer already knows it and is not told twice.
    net::Connection& second = s.Connect();
    now += 16 * 60;
    SetMockTime(now);
    BOOST_CHECK(Announced(s.Send(first)).empty());
    invs = Announced(s.Send(second));
    BOOST_CHECK_EQUAL(invs.size(), 1U);
    BOOST_CHECK(Contains(invs, tracked->GetWitnessHash()));

    // The second peer asks for it: the tracking ends, later rounds are silent.
    BOOST_CHECK_EQUAL(s.GetData(second, net::MSG_WTX, tracked->GetWitnessHash()).at(0).type, "tx");
    BOOST_CHECK(s.pool->GetUnbroadcastTxs().empty());
    net::Connection& third = s.Connect();
    now += 16 * 60;
    SetMockTime(now);
    BOOST_CHECK(Announced(s.Send(third)).empty());
}

BOOST_AUTO_TEST_CASE(clock_moved_back_reschedules)
{
    MockTimeGuard guard;
    RelaySetup s;
    const int64_t start = GetTime();
    const TransactionRef tx = s.AcceptSpend(0, 1000);
    s.pool->AddUnbroadcastTx(tx->GetHash());
    net::Connection& peer = s.Connect();

    // Mock time far ahead re-announces and schedules the next round from
    // there; back at the real clock, the round must not wait days.
    SetMockTime(start + 3 * 24 * 3600);
    BOOST_CHECK(Contains(Announced(s.Send(peer)), tx->GetWitnessHash()));
    net::Connection& late = s.Connect();
    SetMockTime(start);
    BOOST_CHECK(Announced(s.Send(late)).empty());  // rescheduled 10-15 minutes from now
    SetMockTime(start + 16 * 60);
    BOOST_CHECK(Contains(Announced(s.Send(late)), tx->GetWitnessHash()));
}

BOOST_AUTO_TEST_SUITE_END()
