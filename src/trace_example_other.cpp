// A second source file with a call site of example:counter: both sites share
// the one semaphore the macro defines (see doc/tracing.md).
#include <util/trace.h>

#include <cstdint>

void fire_counter_elsewhere(uint64_t iteration)
{
    TRACEPOINT(example, counter, iteration);
}
