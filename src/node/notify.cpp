#include <node/notify.h>

#include <kernel/block_index.h>
#include <util/args.h>
#include <util/logging.h>
#include <util/shutdown.h>

#include <cstdlib>
#include <thread>

namespace node {

void RunCommand(const std::string& command)
{
    if (command.empty()) return;
    const int status = std::system(command.c_str());
    if (status != 0) LogWarning("runCommand error: system({}) returned {}", command, status);
}

NodeNotifications::NodeNotifications(const ArgsManager& args)
    : m_block_commands(args.GetArgs("-blocknotify")),
      m_startup_commands(args.GetArgs("-startupnotify")),
      m_shutdown_commands(args.GetArgs("-shutdownnotify")),
      m_stop_at_height(static_cast<int>(args.GetIntArg("-stopatheight", 0)))
{
}

void NodeNotifications::UpdatedBlockTip(const BlockIndex& new_tip, const BlockIndex*, bool initial_download)
{
    if (!initial_download) {
        const std::string hash = new_tip.GetBlockHash().GetHex();
        for (std::string command : m_block_commands) {
            for (size_t pos = command.find("%s"); pos != std::string::npos; pos = command.find("%s", pos + hash.size())) {
                command.replace(pos, 2, hash);
            }
            std::thread(RunCommand, command).detach();
        }
    }
    CheckStopHeight(new_tip.height);
}

void NodeNotifications::CheckStopHeight(int height) const
{
    if (m_stop_at_height > 0 && height >= m_stop_at_height && !ShutdownRequested()) {
        LogInfo("Reached -stopatheight={} (tip height {}): shutting down", m_stop_at_height, height);
        RequestShutdown();
    }
}

void NodeNotifications::Startup() const
{
    for (const std::string& command : m_startup_commands) std::thread(RunCommand, command).detach();
}

void NodeNotifications::Shutdown() const
{
    std::vector<std::thread> threads;
    for (const std::string& command : m_shutdown_commands) threads.emplace_back(RunCommand, command);
    for (std::thread& thread : threads) thread.join();
}

} // namespace node
