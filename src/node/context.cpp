#include <node/context.h>

#include <kernel/chainparams.h>
#include <kernel/validation.h>

namespace node {

NodeContext::~NodeContext()
{
    // chainman holds a reference to chainparams: destroy it first.
    chainman.reset();
    chainparams.reset();
}

} // namespace node
