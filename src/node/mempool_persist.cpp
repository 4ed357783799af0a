// mempool.dat (see mempool_persist.h).

#include <node/mempool_persist.h>

#include <kernel/validation.h>
#include <node/mempool_accept.h>
#include <node/txmempool.h>
#include <serialize.h>
#include <streams.h>
#include <util/logging.h>
#include <util/time.h>

#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <vector>

namespace node {

namespace {
constexpr uint64_t MEMPOOL_DUMP_VERSION_NO_XOR_KEY = 1;
constexpr uint64_t MEMPOOL_DUMP_VERSION = 2;

void Xor(std::vector<unsigned char>& data, size_t from, const std::vector<unsigned char>& key)
{
    if (key.empty()) return;
    for (size_t i = from, k = 0; i < data.size(); ++i, ++k) data[i] ^= key[k % key.size()];
}
} // namespace

bool DumpMempool(const TxMempool& pool, const std::filesystem::path& path, bool use_v1, std::string& error)
{
    const auto start = std::chrono::steady_clock::now();
    std::vector<TxMempoolInfo> infos;
    std::map<uint256, Amount> deltas;
    std::set<uint256> unbroadcast;
    {
        // One snapshot: the unbroadcast txids are then a subset of the transactions written.
        std::lock_guard lock(pool.Mutex());
        infos = pool.infoAll();
        deltas = pool.GetPrioritisedTransactions();
        unbroadcast = pool.GetUnbroadcastTxs();
    }
    DataStream header;
    std::vector<unsigned char> key;
    if (use_v1) {
        header << MEMPOOL_DUMP_VERSION_NO_XOR_KEY;
    } else {
        std::random_device rd;
        key.resize(8);
        for (auto& b : key) b = static_cast<unsigned char>(rd());
        header << MEMPOOL_DUMP_VERSION << key;
    }
    DataStream body;
    body << static_cast<uint64_t>(infos.size());
    for (const TxMempoolInfo& i : infos) {
        body << TX_WITH_WITNESS(i.tx) << static_cast<int64_t>(i.time) << static_cast<int64_t>(i.fee_delta);
        deltas.erase(i.tx->GetHash());
    }
    WriteCompactSize(body, deltas.size());
    for (const auto& [txid, delta] : deltas) body << txid << static_cast<int64_t>(delta);
    WriteCompactSize(body, unbroadcast.size());
    for (const uint256& txid : unbroadcast) body << txid;
    std::vector<unsigned char> bytes(header.begin(), header.end());
    const size_t body_start = bytes.size();
    bytes.insert(bytes.end(), body.begin(), body.end());
    Xor(bytes, body_start, key);

    std::filesystem::path tmp = path;
    tmp += ".new";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f) {
            error = "Failed to open " + tmp.string() + " for writing";
            return false;
        }
        f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        f.flush();
        if (!f) {
            error = "Failed to write " + tmp.string();
            return false;
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        error = "Failed to rename " + tmp.string() + ": " + ec.message();
        return false;
    }
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    LogInfo("Dumped mempool: {} transactions, {}ms", infos.size(), ms.count());
    return true;
}

bool LoadMempool(TxMempool& pool, ChainstateManager& chainman, const std::filesystem::path& path,
                 LoadMempoolResult& result, std::string& error, const LoadMempoolOptions& opts)
{
    result = {};
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        LogInfo("Failed to open mempool file. Continuing anyway.");
        pool.SetLoaded(true);
        return true;
    }
    std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const int64_t now = GetTime();
    const int64_t expiry = pool.Options().expiry_seconds;
    try {
        DataStream s(std::move(bytes));
        uint64_t version;
        s >> version;
        std::vector<unsigned char> key;
        if (version == MEMPOOL_DUMP_VERSION) {
            s >> key;
        } else if (version != MEMPOOL_DUMP_VERSION_NO_XOR_KEY) {
            error = "Unknown mempool.dat version " + std::to_string(version);
            return false;
        }
        std::vector<unsigned char> rest(s.begin(), s.end());
        Xor(rest, 0, key);
        DataStream body(std::move(rest));
        uint64_t count;
        body >> count;
        LogInfo("Loading {} mempool transactions from disk...", count);
        for (uint64_t i = 0; i < count; ++i) {
            TransactionRef tx;
            int64_t time;
            int64_t delta;
            body >> TX_WITH_WITNESS(tx) >> time >> delta;
            if (delta != 0 && opts.apply_fee_delta_priority) pool.PrioritiseTransaction(tx->GetHash(), delta);
            if (opts.use_current_time) time = now;
            if (time < now - expiry) {
                ++result.expired;
                continue;
            }
            const MempoolAcceptResult r = AcceptToMemoryPool(chainman, pool, tx, time, false, false);
            if (r.m_result_type == MempoolAcceptResult::ResultType::VALID) {
                ++result.succeeded;
            } else if (r.m_state.GetRejectReason() == "txn-already-in-mempool") {
                ++result.already_there;
            } else {
                ++result.failed;
            }
        }
        const uint64_t ndeltas = ReadCompactSize(body);
        for (uint64_t i = 0; i < ndeltas; ++i) {
            uint256 txid;
            int64_t delta;
            body >> txid >> delta;
            if (opts.apply_fee_delta_priority) pool.PrioritiseTransaction(txid, delta);
        }
        const uint64_t nunbroadcast = ReadCompactSize(body);
        std::vector<uint256> unbroadcast;
        for (uint64_t i = 0; i < nunbroadcast; ++i) {
            uint256 txid;
            body >> txid;
            unbroadcast.push_back(txid);
        }
        if (opts.apply_unbroadcast_set) {
            result.unbroadcast = unbroadcast.size();
            // Only what made it back into the pool (AddUnbroadcastTx ignores the rest).
            for (const uint256& txid : unbroadcast) pool.AddUnbroadcastTx(txid);
        }
        result.file_read = true;
    } catch (const std::exception& e) {
        LogInfo("Failed to deserialize mempool data on file: {}. Continuing anyway.", e.what());
    }
    LogInfo("Imported mempool transactions from file: {} succeeded, {} failed, {} expired, {} already there, {} waiting "
            "for initial broadcast",
            result.succeeded, result.failed, result.expired, result.already_there, result.unbroadcast);
    pool.SetLoaded(true);
    return true;
}

} // namespace node
