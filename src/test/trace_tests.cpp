// Tests of the USDT macros of util/trace.h without a tracer attached; the
// functional tests interface_usdt_library*.py attach real ones.
#include <util/trace.h>

#include <boost/test/unit_test.hpp>

#include <cstdint>

int trace_other_fire(int& evaluated);                // trace_tests_other.cpp
const unsigned short* trace_other_shared_semaphore(); // trace_tests_other.cpp
int trace_off_fire_all();                           // trace_off_probes.cpp
bool trace_off_active();                            // trace_off_probes.cpp

namespace {

int g_evaluated = 0;
template <typename T>
T eval(T value)
{
    ++g_evaluated;
    return value;
}

// Every macro, 0 to 12 arguments, every scalar width and sign, pointers and C
// strings; each argument counts its evaluation.
void fire_every_macro()
{
    const char* text = "text";
    unsigned char bytes[4] = {1, 2, 3, 4};
    void* ptr = bytes;
    TRACE(demo, zero);
    TRACE0(demo, zero);
    TRACEPOINT(demo, zero);
    TRACE1(demo, one, eval(true));
    TRACE2(demo, two, eval(int8_t{-1}), eval(uint8_t{255}));
    TRACE3(demo, three, eval(int16_t{-2}), eval(uint16_t{65535}), eval(text));
    TRACE4(demo, four, eval(int32_t{-3}), eval(uint32_t{4294967295u}), eval(ptr), eval(bytes + 0));
    TRACE5(demo, five, eval(int64_t{-4}), eval(uint64_t{18446744073709551615ull}), eval(false),
           eval(text), eval(int8_t{5}));
    TRACE6(demo, six, eval(1), eval(2u), eval(3L), eval(4UL), eval(5LL), eval(6ULL));
    TRACE7(demo, seven, eval(1), eval(2), eval(3), eval(4), eval(5), eval(6), eval(7));
    TRACE8(demo, eight, eval(1), eval(2), eval(3), eval(4), eval(5), eval(6), eval(7), eval(8));
    TRACE9(demo, nine, eval(1), eval(2), eval(3), eval(4), eval(5), eval(6), eval(7), eval(8),
           eval(9));
    TRACE10(demo, ten, eval(1), eval(2), eval(3), eval(4), eval(5), eval(6), eval(7), eval(8),
            eval(9), eval(10));
    TRACE11(demo, eleven, eval(1), eval(2), eval(3), eval(4), eval(5), eval(6), eval(7), eval(8),
            eval(9), eval(10), eval(11));
    TRACE12(demo, twelve, eval(true), eval(int8_t{-8}), eval(uint8_t{8}), eval(int16_t{-16}),
            eval(uint16_t{16}), eval(int32_t{-32}), eval(uint32_t{32}), eval(int64_t{-64}),
            eval(uint64_t{64}), eval(text), eval(ptr), eval(bytes + 1));
    TRACEPOINT(demo, twelve, eval(true), eval(int8_t{-8}), eval(uint8_t{8}), eval(int16_t{-16}),
               eval(uint16_t{16}), eval(int32_t{-32}), eval(uint32_t{32}), eval(int64_t{-64}),
               eval(uint64_t{64}), eval(text), eval(ptr), eval(bytes + 1));
    TRACEPOINT(demo, five, eval(int64_t{-4}), eval(uint64_t{1}), eval(false), eval(text),
               eval(int8_t{5}));
}
constexpr int ARGUMENTS_IN_FIRE_EVERY_MACRO = 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11 + 12 + 12 + 5;

} // namespace

BOOST_AUTO_TEST_SUITE(trace_tests)

BOOST_AUTO_TEST_CASE(arguments_not_evaluated_without_tracer)
{
    g_evaluated = 0;
    for (int i = 0; i < 3; ++i) fire_every_macro();
    BOOST_CHECK_EQUAL(g_evaluated, 0);
    BOOST_CHECK(!TRACE_ACTIVE(demo, twelve));
    BOOST_CHECK(!TRACE_ACTIVE(demo, zero));
}

BOOST_AUTO_TEST_CASE(tracing_off_evaluates_nothing)
{
    BOOST_CHECK_EQUAL(trace_off_fire_all(), 0);
    BOOST_CHECK(!trace_off_active());
}

#ifdef ENABLE_TRACING

// Raising the semaphores is what bpftrace or BCC does on attach (the kernel
// increments them): the arguments are then evaluated exactly once each.
BOOST_AUTO_TEST_CASE(arguments_evaluated_while_semaphore_raised)
{
    unsigned short* semaphores[] = {
        &TRACE_SEMAPHORE(demo, zero), &TRACE_SEMAPHORE(demo, one), &TRACE_SEMAPHORE(demo, two),
        &TRACE_SEMAPHORE(demo, three), &TRACE_SEMAPHORE(demo, four), &TRACE_SEMAPHORE(demo, five),
        &TRACE_SEMAPHORE(demo, six), &TRACE_SEMAPHORE(demo, seven), &TRACE_SEMAPHORE(demo, eight),
        &TRACE_SEMAPHORE(demo, nine), &TRACE_SEMAPHORE(demo, ten), &TRACE_SEMAPHORE(demo, eleven),
        &TRACE_SEMAPHORE(demo, twelve)};
    for (auto* s : semaphores) ++*s;
    BOOST_CHECK(TRACE_ACTIVE(demo, twelve));
    g_evaluated = 0;
    fire_every_macro();
    BOOST_CHECK_EQUAL(g_evaluated, ARGUMENTS_IN_FIRE_EVERY_MACRO);
    for (auto* s : semaphores) --*s;
    BOOST_CHECK(!TRACE_ACTIVE(demo, twelve));
    g_evaluated = 0;
    fire_every_macro();
    BOOST_CHECK_EQUAL(g_evaluated, 0);
}

// Each probe's semaphore is a distinct object.
BOOST_AUTO_TEST_CASE(one_semaphore_per_probe)
{
    ++TRACE_SEMAPHORE(demo, one);
    BOOST_CHECK(TRACE_ACTIVE(demo, one));
    BOOST_CHECK(!TRACE_ACTIVE(demo, two));
    --TRACE_SEMAPHORE(demo, one);
    BOOST_CHECK(&TRACE_SEMAPHORE(demo, one) != &TRACE_SEMAPHORE(demo, two));
}

// Call sites in two translation units share one semaphore, defined by the
// macros alone.
BOOST_AUTO_TEST_CASE(call_sites_in_two_files_share_a_semaphore)
{
    BOOST_CHECK_EQUAL(&TRACE_SEMAPHORE(demo, shared), trace_other_shared_semaphore());
    int evaluated = 0;
    BOOST_CHECK_EQUAL(trace_other_fire(evaluated), 0);
    BOOST_CHECK_EQUAL(evaluated, 0);
    ++TRACE_SEMAPHORE(demo, shared);
    BOOST_CHECK_EQUAL(trace_other_fire(evaluated), 1);
    BOOST_CHECK_EQUAL(evaluated, 1);
    TRACEPOINT(demo, shared, ++evaluated);
    BOOST_CHECK_EQUAL(evaluated, 2);
    --TRACE_SEMAPHORE(demo, shared);
}

// The semaphore is re-read at every probe site execution: attaching while a
// loop runs takes effect within the loop.
BOOST_AUTO_TEST_CASE(semaphore_read_every_time)
{
    int evaluated = 0;
    for (int i = 0; i < 10; ++i) {
        if (i == 5) ++TRACE_SEMAPHORE(demo, loop);
        TRACEPOINT(demo, loop, ++evaluated);
    }
    --TRACE_SEMAPHORE(demo, loop);
    BOOST_CHECK_EQUAL(evaluated, 5);
}

#endif // ENABLE_TRACING

BOOST_AUTO_TEST_SUITE_END()
