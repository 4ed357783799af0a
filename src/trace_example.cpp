// trace_example: an example program for the USDT library, not a node.
//
// It fires probes with known values so that bpftrace, BCC, gdb and the
// functional tests have something to attach to:
//
//   example:twelve   12 arguments, one of each width and sign, a C string,
//                    a pointer to 32 bytes and the iteration number
//   example:counter  1 argument (iteration); it has call sites in two source
//                    files, which share one semaphore
//   example:message  a C string, a pointer to bytes and their count (32), the
//                    shape of net:inbound_message's last arguments, within
//                    reach of bpftrace 0.17, which reads arg0..arg5 only
//
// Without arguments it fires once a second until interrupted (a demo). With
// --commands it reads commands from standard input, one a line:
//   status        prints "example:twelve=S example:counter=S example:message=S" with each
//                 semaphore's value as the program sees it (0: not traced)
//   fire N        fires every probe N times and prints "fired N"
//   quit          exits
#include <util/trace.h>

#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>

void fire_counter_elsewhere(uint64_t iteration); // trace_example_other.cpp

namespace {

// Read at run time so that the compiler cannot fold the probe arguments into
// constants: they land in registers and stack slots as real values do.
volatile int64_t g_zero = 0;

const char* const TEXT = "hello, tracer";

unsigned char g_bytes[32];

void fire_all(uint64_t iteration)
{
    const int64_t z = g_zero;
    TRACEPOINT(example, twelve,
               static_cast<bool>(z == 0),
               static_cast<int8_t>(-100 + z),
               static_cast<uint8_t>(200 + z),
               static_cast<int16_t>(-30000 + z),
               static_cast<uint16_t>(60000 + z),
               static_cast<int32_t>(-2000000000 + z),
               static_cast<uint32_t>(4000000000u + z),
               static_cast<int64_t>(-9000000000000000000LL + z),
               static_cast<uint64_t>(18000000000000000000ULL + z),
               TEXT + z,
               g_bytes + z,
               iteration);
    TRACEPOINT(example, counter, iteration);
    TRACEPOINT(example, message, TEXT + z, g_bytes + z, static_cast<uint64_t>(sizeof(g_bytes) + z));
    fire_counter_elsewhere(iteration);
}

void print_status()
{
#ifdef ENABLE_TRACING
    std::printf("example:twelve=%d example:counter=%d example:message=%d\n",
                TRACE_SEMAPHORE(example, twelve), TRACE_SEMAPHORE(example, counter),
                TRACE_SEMAPHORE(example, message));
#else
    std::printf("example:twelve=0 example:counter=0 example:message=0 (tracing compiled out)\n");
#endif
}

int run_commands()
{
    uint64_t iteration = 0;
    std::string command;
    while (std::cin >> command) {
        if (command == "status") {
            print_status();
        } else if (command == "fire") {
            uint64_t n = 0;
            if (!(std::cin >> n)) {
                std::printf("error: fire needs a count\n");
                return 1;
            }
            for (uint64_t i = 0; i < n; ++i) fire_all(++iteration);
            std::printf("fired %" PRIu64 "\n", n);
        } else if (command == "quit") {
            return 0;
        } else {
            std::printf("error: unknown command %s\n", command.c_str());
            return 1;
        }
        std::fflush(stdout);
    }
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    for (int i = 0; i < 32; ++i) g_bytes[i] = static_cast<unsigned char>(i);
    if (argc > 1 && std::strcmp(argv[1], "--commands") == 0) return run_commands();
    if (argc > 1) {
        std::fprintf(stderr, "usage: %s [--commands]\n", argv[0]);
        return 1;
    }
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    std::printf("trace_example: firing example:twelve, example:counter and example:message once a second; Ctrl-C stops\n");
    for (uint64_t iteration = 1;; ++iteration) {
        fire_all(iteration);
        std::printf("iteration %" PRIu64 ": ", iteration);
        print_status();
        std::this_thread::sleep_for(std::chrono::seconds(1));
    }
}
