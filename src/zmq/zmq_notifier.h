#pragma once

// ZeroMQ notifications (-zmqpub<topic>=<address>), in Bitcoin Core's wire
// format. Each publish is a three-frame message:
//   frame 1: topic  ("hashblock", "hashtx", "rawblock", "rawtx", "sequence")
//   frame 2: body
//   frame 3: 4-byte little-endian message counter, counted per notifier
//            (one notifier = one topic at one address), starting at 0.
// Bodies: hashblock/hashtx = 32-byte hash in display (reversed) byte order;
// rawblock/rawtx = serialization with witness data; sequence = 32-byte hash
// (display order) + one label byte: 'C' block connected, 'D' block
// disconnected, 'A' mempool acceptance / 'R' mempool removal, the latter two
// followed by the 8-byte little-endian mempool sequence number.
//
// When what is published (as Core):
//   - hashblock/rawblock: the new tip, on UpdatedBlockTip, not during initial
//     block download and not when the tip only went back (invalidateblock).
//   - hashtx/rawtx: every transaction of every connected AND disconnected
//     block (coinbase included), then every transaction accepted into the
//     mempool (mempool hook below).
//   - sequence: 'C'/'D' for every connected/disconnected block (also during
//     IBD), 'A'/'R' from the mempool hooks.
//
// Wiring (bitcoind, under #ifdef ENABLE_ZMQ):
//   RegisterZmqOptions(args);                          // with the other options
//   auto zmq = ZmqNotifier::Create(args, error);       // after the config is read;
//                                                      // nullptr + empty error: ZMQ not asked for
//   RegisterZmqRPCCommands(GetRPCTable(), zmq.get());  // nullptr is fine: getzmqnotifications -> []
//   ... chainstate loaded ...
//   if (zmq && !zmq->Start(error)) LogError(...)       // Core logs and runs on without ZMQ;
//                                                      // a failed Start leaves nothing registered
//                                                      // and getzmqnotifications lists []
//   if (zmq) chainman.RegisterObserver(zmq.get());
//   ... shutdown, after the RPC server stopped:
//   if (zmq) { chainman.UnregisterObserver(zmq.get()); zmq->Shutdown(); zmq.reset(); }
// The object must outlive the RPC server (getzmqnotifications keeps the pointer).

#include <kernel/notifications.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

class ArgsManager;
class RPCTable;
class Transaction;

// -zmqpub{hashblock,hashtx,rawblock,rawtx,sequence}=<address> (may be given
// several times) and -zmqpub<topic>hwm=<n> (default 1000).
void RegisterZmqOptions(ArgsManager& args);

constexpr int DEFAULT_ZMQ_SNDHWM{1000};

// One row of getzmqnotifications.
struct ZmqNotificationInfo {
    std::string type;     // "pubhashblock", "pubhashtx", "pubrawblock", "pubrawtx", "pubsequence"
    std::string address;  // as bound ("unix:" is turned into "ipc://")
    int hwm;
};

class ZmqNotifier : public ValidationObserver {
public:
    // Reads the options. Returns nullptr with an empty error when no
    // -zmqpub* option is set; nullptr with an error for a bad option.
    static std::unique_ptr<ZmqNotifier> Create(const ArgsManager& args, std::string& error);
    ~ZmqNotifier() override;

    // Creates the libzmq context and binds one PUB socket per distinct
    // address (notifiers with the same address share it). On failure
    // everything is closed again and error says which address failed.
    bool Start(std::string& error);
    // Closes the sockets and the context (idempotent; also done by the destructor).
    void Shutdown();

    // Started notifiers, in Core's order (by type, then as given).
    std::vector<ZmqNotificationInfo> GetActiveNotifications() const;

    // ValidationObserver.
    void BlockConnected(const std::shared_ptr<const Block>& block, const BlockIndex& index) override;
    void BlockDisconnected(const std::shared_ptr<const Block>& block, const BlockIndex& index) override;
    void UpdatedBlockTip(const BlockIndex& new_tip, const BlockIndex* fork, bool initial_download) override;

    // Mempool hooks (for the mempool issue; nothing calls them yet).
    // Accepted: hashtx + rawtx + sequence 'A'. Removed for any reason other
    // than inclusion in a block: sequence 'R' only.
    void TransactionAddedToMempool(const Transaction& tx, uint64_t mempool_sequence);
    void TransactionRemovedFromMempool(const Transaction& tx, uint64_t mempool_sequence);

    struct Impl;

private:
    explicit ZmqNotifier(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// getzmqnotifications. notifier may be null (no ZMQ configured).
void RegisterZmqRPCCommands(RPCTable& table, ZmqNotifier* notifier);
