#include <kernel/script_check_queue.h>

#include <algorithm>

ScriptError ScriptCheck::Run() const
{
    const TxIn& in = tx->vin[input];
    TransactionSignatureChecker checker(tx, input, spent.value, *txdata, cache);
    ScriptError error = ScriptError::OK;
    if (!VerifyScript(in.script_sig, spent.script_pubkey, &in.witness, flags, checker, &error)) {
        return error == ScriptError::OK ? ScriptError::UNKNOWN_ERROR : error;
    }
    return ScriptError::OK;
}

ScriptCheckQueue::ScriptCheckQueue(int worker_threads)
{
    for (int i = 0; i < worker_threads; ++i) m_workers.emplace_back([this] { WorkerLoop(); });
}

ScriptCheckQueue::~ScriptCheckQueue()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_work_cv.notify_all();
    for (std::thread& t : m_workers) t.join();
}

void ScriptCheckQueue::Drain()
{
    // Small chunks keep threads balanced; a few checks each amortize the atomic.
    constexpr size_t CHUNK = 8;
    while (!m_failed.load(std::memory_order_relaxed)) {
        const size_t begin = m_next.fetch_add(CHUNK, std::memory_order_relaxed);
        if (begin >= m_batch.size()) return;
        const size_t end = std::min(begin + CHUNK, m_batch.size());
        for (size_t i = begin; i < end; ++i) {
            const ScriptCheck& check = m_batch[i];
            const ScriptError error = check.Run();
            if (error != ScriptError::OK) {
                std::lock_guard lock(m_mutex);
                if (!m_failure) m_failure = ScriptCheckFailure{check.tx_index, check.input, error};
                m_failed.store(true, std::memory_order_relaxed);
                return;
            }
        }
    }
}

void ScriptCheckQueue::WorkerLoop()
{
    uint64_t seen = 0;
    while (true) {
        {
            std::unique_lock lock(m_mutex);
            m_work_cv.wait(lock, [&] { return m_stopping || m_generation != seen; });
            if (m_stopping) return;
            seen = m_generation;
        }
        Drain();
        {
            std::lock_guard lock(m_mutex);
            if (--m_busy_workers == 0) m_done_cv.notify_all();
        }
    }
}

std::optional<ScriptCheckFailure> ScriptCheckQueue::Run(std::span<const ScriptCheck> checks)
{
    if (checks.empty()) return std::nullopt;
    // Too few checks to be worth waking anybody.
    const bool parallel = !m_workers.empty() && checks.size() > 16;
    {
        std::lock_guard lock(m_mutex);
        m_batch = checks;
        m_next.store(0);
        m_failed.store(false);
        m_failure.reset();
        if (parallel) {
            m_busy_workers = static_cast<int>(m_workers.size());
            ++m_generation;
        }
    }
    if (parallel) m_work_cv.notify_all();
    Drain();
    std::unique_lock lock(m_mutex);
    if (parallel) m_done_cv.wait(lock, [&] { return m_busy_workers == 0; });
    m_batch = {};
    return m_failure;
}
