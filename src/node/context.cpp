#include <node/context.h>

#include <kernel/chainparams.h>
#include <kernel/validation.h>
#include <node/txmempool.h>

namespace node {

NodeContext::NodeContext() = default;

NodeContext::~NodeContext()
{
    // The mempool first (nothing refers to it any more), then chainman,
    // which holds a reference to chainparams.
    mempool.reset();
    chainman.reset();
    chainparams.reset();
}

} // namespace node
