// Every tracing macro, compiled with tracing off (this target does not link
// `trace`, so ENABLE_TRACING is undefined). Nothing here may be evaluated.
#ifdef ENABLE_TRACING
#error "this file must be compiled with tracing off"
#endif
#include <util/trace.h>

#include <cstdint>

namespace {
int g_evaluated = 0;
int bump() { return ++g_evaluated; }
} // namespace

int trace_off_fire_all()
{
    g_evaluated = 0;
    const char* s = "off";
    TRACE(demo, off0);
    TRACE0(demo, off0);
    TRACE1(demo, off1, bump());
    TRACE2(demo, off2, bump(), s);
    TRACE6(demo, off6, bump(), bump(), bump(), bump(), bump(), bump());
    TRACE12(demo, off12, bump(), bump(), bump(), bump(), bump(), bump(),
            bump(), bump(), bump(), bump(), bump(), bump());
    TRACEPOINT(demo, off0);
    TRACEPOINT(demo, off3, bump(), static_cast<int8_t>(bump()), s);
    if (TRACE_ACTIVE(demo, off1)) bump();
    return g_evaluated;
}

bool trace_off_active() { return TRACE_ACTIVE(demo, off1); }
