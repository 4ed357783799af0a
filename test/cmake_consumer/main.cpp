#include <util/trace.h>

int main(int argc, char**)
{
    TRACEPOINT(consumer, started, argc);
    return TRACE_ACTIVE(consumer, started) ? 1 : 0;
}
