#pragma once

// Parallel verification of the scripts of a block (-par): a pool of worker
// threads plus the calling thread share one batch of checks; the first
// failure stops the others early and is reported with the input it concerns.

#include <primitives/transaction.h>
#include <script/interpreter.h>
#include <script/script_error.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

// One input's script verification. The transaction, its precomputed data and
// the cache must outlive the check.
struct ScriptCheck {
    const Transaction* tx = nullptr;
    size_t tx_index = 0;  // position in the block, for the report
    unsigned input = 0;
    TxOut spent;
    uint32_t flags = 0;
    const PrecomputedTransactionData* txdata = nullptr;
    SignatureCache* cache = nullptr;

    // OK, or why the script failed.
    ScriptError Run() const;
};

struct ScriptCheckFailure {
    size_t tx_index = 0;
    unsigned input = 0;
    ScriptError error = ScriptError::UNKNOWN_ERROR;
};

class ScriptCheckQueue {
public:
    // worker_threads besides the caller: 0 verifies on the calling thread only.
    explicit ScriptCheckQueue(int worker_threads);
    ~ScriptCheckQueue();
    ScriptCheckQueue(const ScriptCheckQueue&) = delete;
    ScriptCheckQueue& operator=(const ScriptCheckQueue&) = delete;

    // Runs every check (the caller helps) and returns when all threads are
    // done with the batch. Which failure is reported when several inputs
    // fail is unspecified; one failure is reported whenever any exists.
    // One batch at a time: callers serialize (the chain lock does).
    std::optional<ScriptCheckFailure> Run(std::span<const ScriptCheck> checks);

    int WorkerCount() const { return static_cast<int>(m_workers.size()); }

private:
    void WorkerLoop();
    // Takes chunks of the current batch until it is exhausted or has failed.
    void Drain();

    std::vector<std::thread> m_workers;
    std::mutex m_mutex;
    std::condition_variable m_work_cv;
    std::condition_variable m_done_cv;
    uint64_t m_generation = 0;    // bumped for each batch
    int m_busy_workers = 0;       // workers still inside the current batch
    bool m_stopping = false;

    std::span<const ScriptCheck> m_batch;
    std::atomic<size_t> m_next{0};
    std::atomic<bool> m_failed{false};
    std::optional<ScriptCheckFailure> m_failure;  // guarded by m_mutex
};
