// The ZMQ publisher against a real libzmq subscriber over ipc:// sockets:
// options, frames and bodies of every topic, per-notifier counters, shared
// sockets, bind failures, getzmqnotifications, and the notifier registered
// on a ChainstateManager (what is and is not published during IBD).

#include <boost/test/unit_test.hpp>

#ifdef ENABLE_ZMQ

#include <kernel/block_index.h>
#include <kernel/validation.h>
#include <primitives/block.h>
#include <rpc/server.h>
#include <streams.h>
#include <test/util/chain_fixture.h>
#include <uint256.h>
#include <util/args.h>
#include <zmq/zmq_notifier.h>

#include <zmq.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using Bytes = std::vector<unsigned char>;

struct Message {
    std::string topic;
    Bytes body;
    uint32_t sequence = 0;
};

Bytes DisplayOrder(const uint256& hash)
{
    Bytes b(hash.begin(), hash.end());
    std::reverse(b.begin(), b.end());
    return b;
}

template <typename T>
Bytes Serialized(const T& obj)
{
    DataStream s;
    s << obj;
    return Bytes(s.begin(), s.end());
}

Bytes SequenceBody(const uint256& hash, char label, std::optional<uint64_t> mempool_seq = std::nullopt)
{
    Bytes b = DisplayOrder(hash);
    b.push_back(static_cast<unsigned char>(label));
    if (mempool_seq) {
        for (int i = 0; i < 8; ++i) b.push_back(static_cast<unsigned char>(*mempool_seq >> (8 * i)));
    }
    return b;
}

// A temporary directory for ipc:// endpoints (short path: sun_path is ~100 bytes).
struct TempDir {
    std::filesystem::path path;
    TempDir()
    {
        char tmpl[] = "/tmp/zmqtXXXXXX";
        path = mkdtemp(tmpl);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    std::string Ipc(const std::string& name) const { return "ipc://" + (path / name).string(); }
};

// A SUB socket subscribed to everything on the given endpoints.
class Subscriber {
public:
    explicit Subscriber(const std::vector<std::string>& endpoints)
    {
        m_ctx = zmq_ctx_new();
        m_sock = zmq_socket(m_ctx, ZMQ_SUB);
        zmq_setsockopt(m_sock, ZMQ_SUBSCRIBE, "", 0);
        for (const std::string& e : endpoints) BOOST_REQUIRE_EQUAL(zmq_connect(m_sock, e.c_str()), 0);
        // PUB drops messages until the subscription reaches it.
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    ~Subscriber()
    {
        int linger = 0;
        zmq_setsockopt(m_sock, ZMQ_LINGER, &linger, sizeof(linger));
        zmq_close(m_sock);
        zmq_ctx_term(m_ctx);
    }

    std::optional<Message> Receive(int timeout_ms = 2000)
    {
        zmq_pollitem_t item{m_sock, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, timeout_ms) <= 0) return std::nullopt;
        std::vector<Bytes> frames;
        int more = 1;
        while (more) {
            zmq_msg_t msg;
            zmq_msg_init(&msg);
            BOOST_REQUIRE(zmq_msg_recv(&msg, m_sock, 0) >= 0);
            const auto* data = static_cast<const unsigned char*>(zmq_msg_data(&msg));
            frames.emplace_back(data, data + zmq_msg_size(&msg));
            more = zmq_msg_more(&msg);
            zmq_msg_close(&msg);
        }
        BOOST_REQUIRE_EQUAL(frames.size(), 3U);
        BOOST_REQUIRE_EQUAL(frames[2].size(), 4U);
        Message m;
        m.topic.assign(frames[0].begin(), frames[0].end());
        m.body = frames[1];
        m.sequence = uint32_t{frames[2][0]} | uint32_t{frames[2][1]} << 8 | uint32_t{frames[2][2]} << 16 |
                     uint32_t{frames[2][3]} << 24;
        return m;
    }

    Message Expect(const std::string& topic, const Bytes& body, uint32_t sequence)
    {
        auto m = Receive();
        BOOST_REQUIRE_MESSAGE(m, "no message, expected " + topic);
        BOOST_CHECK_EQUAL(m->topic, topic);
        BOOST_CHECK(m->body == body);
        BOOST_CHECK_EQUAL(m->sequence, sequence);
        return *m;
    }

    void ExpectNothing() { BOOST_CHECK(!Receive(200)); }

private:
    void* m_ctx;
    void* m_sock;
};

void MakeArgs(ArgsManager& args, const std::vector<std::string>& options)
{
    RegisterZmqOptions(args);
    std::vector<const char*> argv{"bitcoind"};
    for (const std::string& o : options) argv.push_back(o.c_str());
    std::string error;
    BOOST_REQUIRE_MESSAGE(args.ParseParameters(static_cast<int>(argv.size()), argv.data(), error), error);
}

std::unique_ptr<ZmqNotifier> StartedNotifier(const std::vector<std::string>& options)
{
    ArgsManager args;
    MakeArgs(args, options);
    std::string error;
    auto notifier = ZmqNotifier::Create(args, error);
    BOOST_REQUIRE_MESSAGE(notifier, error);
    BOOST_REQUIRE_MESSAGE(notifier->Start(error), error);
    return notifier;
}

} // namespace

BOOST_AUTO_TEST_SUITE(zmq_tests)

BOOST_AUTO_TEST_CASE(options_registered_and_absent)
{
    ArgsManager args;
    MakeArgs(args, {});
    const auto names = args.RegisteredOptionNames();
    for (const char* t : {"hashblock", "hashtx", "rawblock", "rawtx", "sequence"}) {
        for (const std::string& n : {std::string{"-zmqpub"} + t, std::string{"-zmqpub"} + t + "hwm"}) {
            BOOST_CHECK_MESSAGE(std::find(names.begin(), names.end(), n) != names.end(), n);
        }
    }
    std::string error = "stale";
    BOOST_CHECK(!ZmqNotifier::Create(args, error));
    BOOST_CHECK(error.empty());
}

BOOST_AUTO_TEST_CASE(block_and_transaction_messages)
{
    TempDir dir;
    const std::string a = dir.Ipc("a"), b = dir.Ipc("b");
    // Everything on a, hashblock also on b with its own counter; rawblock's hwm set.
    auto notifier = StartedNotifier({"-zmqpubhashblock=" + a, "-zmqpubhashblock=" + b, "-zmqpubhashtx=" + a,
                                     "-zmqpubrawblock=" + a, "-zmqpubrawtx=" + a, "-zmqpubsequence=" + a,
                                     "-zmqpubrawblockhwm=7"});

    const auto infos = notifier->GetActiveNotifications();
    BOOST_REQUIRE_EQUAL(infos.size(), 6U);
    const std::vector<std::pair<std::string, std::string>> expected{
        {"pubhashblock", a}, {"pubhashblock", b}, {"pubhashtx", a}, {"pubrawblock", a}, {"pubrawtx", a}, {"pubsequence", a}};
    for (size_t i = 0; i < infos.size(); ++i) {
        BOOST_CHECK_EQUAL(infos[i].type, expected[i].first);
        BOOST_CHECK_EQUAL(infos[i].address, expected[i].second);
        BOOST_CHECK_EQUAL(infos[i].hwm, infos[i].type == "pubrawblock" ? 7 : DEFAULT_ZMQ_SNDHWM);
    }

    Subscriber sub_a({a});
    Subscriber sub_b({b});

    test_util::ChainFixture chain;
    std::vector<std::shared_ptr<const Block>> blocks;
    std::vector<const BlockIndex*> indexes;
    for (int i = 0; i < 2; ++i) {
        const auto block = chain.Mine();  // not registered: driven by hand below
        blocks.push_back(block);
        indexes.push_back(chain.Tip());
    }
    // A block with a second (segwit) transaction, for rawtx with witness.
    const auto spend = chain.SpendTo(test_util::ChainFixture::CoinbaseOutput(*blocks[0]), 1000);
    BOOST_REQUIRE(spend->HasWitness());

    for (size_t i = 0; i < blocks.size(); ++i) {
        const uint256 hash = indexes[i]->GetBlockHash();
        const TransactionRef& coinbase = blocks[i]->vtx[0];
        notifier->BlockConnected(blocks[i], *indexes[i]);
        notifier->UpdatedBlockTip(*indexes[i], indexes[i]->prev, /*initial_download=*/false);
        const uint32_t n = static_cast<uint32_t>(i);
        sub_a.Expect("hashtx", DisplayOrder(coinbase->GetHash()), n);
        sub_a.Expect("rawtx", Serialized(*coinbase), n);
        sub_a.Expect("sequence", SequenceBody(hash, 'C'), n);
        sub_a.Expect("hashblock", DisplayOrder(hash), n);
        sub_a.Expect("rawblock", Serialized(*blocks[i]), n);
        sub_b.Expect("hashblock", DisplayOrder(hash), n);
    }
    sub_a.ExpectNothing();
    sub_b.ExpectNothing();

    // During initial block download, and when the tip only went back: no block topics.
    notifier->BlockConnected(blocks[1], *indexes[1]);
    notifier->UpdatedBlockTip(*indexes[1], indexes[0], /*initial_download=*/true);
    sub_a.Expect("hashtx", DisplayOrder(blocks[1]->vtx[0]->GetHash()), 2);
    sub_a.Expect("rawtx", Serialized(*blocks[1]->vtx[0]), 2);
    sub_a.Expect("sequence", SequenceBody(indexes[1]->GetBlockHash(), 'C'), 2);
    sub_a.ExpectNothing();

    // Disconnect: every transaction again, then 'D'; the tip update to the fork point publishes nothing.
    notifier->BlockDisconnected(blocks[1], *indexes[1]);
    notifier->UpdatedBlockTip(*indexes[0], indexes[0], false);
    sub_a.Expect("hashtx", DisplayOrder(blocks[1]->vtx[0]->GetHash()), 3);
    sub_a.Expect("rawtx", Serialized(*blocks[1]->vtx[0]), 3);
    sub_a.Expect("sequence", SequenceBody(indexes[1]->GetBlockHash(), 'D'), 3);
    sub_a.ExpectNothing();
    sub_b.ExpectNothing();

    // Mempool hooks: acceptance is hashtx + rawtx (with witness) + 'A' and the
    // mempool sequence; removal is 'R' only.
    notifier->TransactionAddedToMempool(*spend, 0x0102030405060708ULL);
    notifier->TransactionRemovedFromMempool(*spend, 9);
    sub_a.Expect("hashtx", DisplayOrder(spend->GetHash()), 4);
    const Message raw = sub_a.Expect("rawtx", Serialized(*spend), 4);
    BOOST_CHECK_EQUAL(raw.body.size(), spend->GetTotalSize());
    sub_a.Expect("sequence", SequenceBody(spend->GetHash(), 'A', 0x0102030405060708ULL), 4);
    sub_a.Expect("sequence", SequenceBody(spend->GetHash(), 'R', 9), 5);
    sub_a.ExpectNothing();

    // After Shutdown nothing is listed or sent.
    notifier->Shutdown();
    BOOST_CHECK(notifier->GetActiveNotifications().empty());
    notifier->BlockConnected(blocks[0], *indexes[0]);
    notifier->Shutdown();  // twice is fine
}

BOOST_AUTO_TEST_CASE(registered_on_chainstate_manager)
{
    TempDir dir;
    const std::string a = dir.Ipc("a");
    auto notifier = StartedNotifier({"-zmqpubhashblock=" + a, "-zmqpubsequence=" + a, "-zmqpubhashtx=" + a});
    Subscriber sub({a});

    test_util::ChainFixture chain;
    chain.Chainman().RegisterObserver(notifier.get());
    const bool ibd = chain.Chainman().IsInitialBlockDownload();
    const auto block = chain.Mine();
    const uint256 hash = chain.Tip()->GetBlockHash();
    sub.Expect("hashtx", DisplayOrder(block->vtx[0]->GetHash()), 0);
    sub.Expect("sequence", SequenceBody(hash, 'C'), 0);
    if (!chain.Chainman().IsInitialBlockDownload()) {
        sub.Expect("hashblock", DisplayOrder(hash), 0);
    } else {
        BOOST_TEST_MESSAGE("fixture chain is in IBD (old block times): no hashblock " << ibd);
    }
    sub.ExpectNothing();

    BlockValidationState state;
    BOOST_REQUIRE(chain.Chainman().InvalidateBlock(state, chain.Chainman().LookupBlockIndex(hash)));
    sub.Expect("hashtx", DisplayOrder(block->vtx[0]->GetHash()), 1);
    sub.Expect("sequence", SequenceBody(hash, 'D'), 1);
    sub.ExpectNothing();
    chain.Chainman().UnregisterObserver(notifier.get());
}

BOOST_AUTO_TEST_CASE(bind_failure_and_unix_prefix)
{
    TempDir dir;
    {
        ArgsManager args;
        MakeArgs(args, {"-zmqpubhashtx=tcp://256.1.1.1:1"});
        std::string error;
        auto notifier = ZmqNotifier::Create(args, error);
        BOOST_REQUIRE(notifier);
        BOOST_CHECK(!notifier->Start(error));
        BOOST_CHECK_MESSAGE(error.find("tcp://256.1.1.1:1") != std::string::npos, error);
        BOOST_CHECK(notifier->GetActiveNotifications().empty());
    }
    {
        const std::string path = (dir.path / "u").string();
        auto notifier = StartedNotifier({"-zmqpubhashtx=unix:" + path, "-zmqpubhashtxhwm=-5"});
        const auto infos = notifier->GetActiveNotifications();
        BOOST_REQUIRE_EQUAL(infos.size(), 1U);
        BOOST_CHECK_EQUAL(infos[0].address, "ipc://" + path);
        BOOST_CHECK_EQUAL(infos[0].hwm, DEFAULT_ZMQ_SNDHWM);  // negative: the default, as Core
    }
}

BOOST_AUTO_TEST_CASE(getzmqnotifications_rpc)
{
    TempDir dir;
    const std::string a = dir.Ipc("a");
    auto notifier = StartedNotifier({"-zmqpubrawtx=" + a, "-zmqpubrawtxhwm=5", "-zmqpubhashblock=" + a});

    RPCTable table;
    RegisterZmqRPCCommands(table, notifier.get());
    table.SetWarmupFinished();
    RPCRequest request;
    request.method = "getzmqnotifications";
    const Json result = table.Execute(request);
    BOOST_REQUIRE(result.is_array());
    BOOST_REQUIRE_EQUAL(result.size(), 2U);
    BOOST_CHECK_EQUAL(result[0]["type"].get<std::string>(), "pubhashblock");
    BOOST_CHECK_EQUAL(result[0]["address"].get<std::string>(), a);
    BOOST_CHECK_EQUAL(result[0]["hwm"].get<int>(), 1000);
    BOOST_CHECK_EQUAL(result[1]["type"].get<std::string>(), "pubrawtx");
    BOOST_CHECK_EQUAL(result[1]["hwm"].get<int>(), 5);

    const std::string help = table.Help("getzmqnotifications");
    BOOST_CHECK_MESSAGE(help.find("getzmqnotifications") != std::string::npos &&
                            help.find("\"hwm\"") != std::string::npos,
                        help);

    RPCTable empty_table;
    RegisterZmqRPCCommands(empty_table, nullptr);
    empty_table.SetWarmupFinished();
    const Json none = empty_table.Execute(request);
    BOOST_CHECK(none.is_array() && none.empty());
}

BOOST_AUTO_TEST_SUITE_END()

#else

BOOST_AUTO_TEST_SUITE(zmq_tests)
BOOST_AUTO_TEST_CASE(zmq_not_built) { BOOST_TEST_MESSAGE("built without ZMQ"); }
BOOST_AUTO_TEST_SUITE_END()

#endif
