// A second translation unit with a call site of demo:shared, for the test that
// all call sites of a probe share one semaphore.
#include <util/trace.h>

int trace_other_fire(int& evaluated)
{
    TRACEPOINT(demo, shared, ++evaluated);
    return TRACE_ACTIVE(demo, shared) ? 1 : 0;
}

#ifdef ENABLE_TRACING
const unsigned short* trace_other_shared_semaphore() { return &TRACE_SEMAPHORE(demo, shared); }
#endif
