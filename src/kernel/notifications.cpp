#include <kernel/notifications.h>

#include <algorithm>

void ObserverList::Register(ValidationObserver* observer)
{
    std::lock_guard lock(m_mutex);
    if (std::find(m_observers.begin(), m_observers.end(), observer) == m_observers.end()) {
        m_observers.push_back(observer);
    }
}

void ObserverList::Unregister(ValidationObserver* observer)
{
    std::lock_guard lock(m_mutex);
    std::erase(m_observers, observer);
}

// Callbacks run without the list's lock so that a slow observer never blocks
// a registration on another thread.
std::vector<ValidationObserver*> ObserverList::Snapshot() const
{
    std::lock_guard lock(m_mutex);
    return m_observers;
}

void ObserverList::BlockConnected(const std::shared_ptr<const Block>& block, const BlockIndex& index) const
{
    for (ValidationObserver* o : Snapshot()) o->BlockConnected(block, index);
}

void ObserverList::BlockDisconnected(const std::shared_ptr<const Block>& block, const BlockIndex& index) const
{
    for (ValidationObserver* o : Snapshot()) o->BlockDisconnected(block, index);
}

void ObserverList::UpdatedBlockTip(const BlockIndex& new_tip, const BlockIndex* fork, bool initial_download) const
{
    for (ValidationObserver* o : Snapshot()) o->UpdatedBlockTip(new_tip, fork, initial_download);
}

void ObserverList::BlockChecked(const Block& block, const BlockValidationState& state) const
{
    for (ValidationObserver* o : Snapshot()) o->BlockChecked(block, state);
}
