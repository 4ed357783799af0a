#pragma once

// Shell commands run on node events, as Core's options: -blocknotify (the
// tip changed, outside initial block download; %s -> block hash),
// -startupnotify (init finished), -shutdownnotify (shutdown begins), and
// -stopatheight (request a shutdown once the tip reaches a height).

#include <kernel/notifications.h>

#include <string>
#include <vector>

class ArgsManager;

namespace node {

// Runs `command` with /bin/sh; logs a failure. Blocking.
void RunCommand(const std::string& command);

class NodeNotifications : public ValidationObserver {
public:
    explicit NodeNotifications(const ArgsManager& args);

    // Tip changed: -blocknotify (in a detached thread) and -stopatheight.
    void UpdatedBlockTip(const BlockIndex& new_tip, const BlockIndex* fork, bool initial_download) override;

    // -startupnotify commands, each in a detached thread.
    void Startup() const;
    // -shutdownnotify commands, run in parallel; returns when all finished.
    void Shutdown() const;

    // For the -stopatheight check at start (the tip may already be there).
    void CheckStopHeight(int height) const;

private:
    std::vector<std::string> m_block_commands;
    std::vector<std::string> m_startup_commands;
    std::vector<std::string> m_shutdown_commands;
    int m_stop_at_height = 0;
};

} // namespace node
