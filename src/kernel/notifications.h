#pragma once

// How the kernel tells higher layers (mempool, wallet, ZMQ, RPC) about chain
// changes without knowing them: they implement ValidationObserver and
// register with the ChainstateManager.

#include <consensus/validation.h>
#include <primitives/block.h>

#include <memory>
#include <mutex>
#include <vector>

class BlockIndex;

class ValidationObserver {
public:
    virtual ~ValidationObserver() = default;
    // A block became part of the active chain (in chain order).
    virtual void BlockConnected(const std::shared_ptr<const Block>& /*block*/, const BlockIndex& /*index*/) {}
    // A block left the active chain (tip first, during a reorg or invalidateblock).
    virtual void BlockDisconnected(const std::shared_ptr<const Block>&, const BlockIndex&) {}
    // The tip changed; fork is the last block the old and new chains share (null if none).
    virtual void UpdatedBlockTip(const BlockIndex& /*new_tip*/, const BlockIndex* /*fork*/, bool /*initial_download*/) {}
    // A block was fully checked: state says whether it is valid and, if not, why
    // (for the peer manager to punish the sender).
    virtual void BlockChecked(const Block&, const BlockValidationState&) {}
};

// The registered observers. Calls happen on the validating thread, in
// registration order; an observer must not register or unregister from
// inside a callback.
class ObserverList {
public:
    void Register(ValidationObserver* observer);
    void Unregister(ValidationObserver* observer);

    void BlockConnected(const std::shared_ptr<const Block>& block, const BlockIndex& index) const;
    void BlockDisconnected(const std::shared_ptr<const Block>& block, const BlockIndex& index) const;
    void UpdatedBlockTip(const BlockIndex& new_tip, const BlockIndex* fork, bool initial_download) const;
    void BlockChecked(const Block& block, const BlockValidationState& state) const;

private:
    std::vector<ValidationObserver*> Snapshot() const;

    mutable std::mutex m_mutex;
    std::vector<ValidationObserver*> m_observers;
};
