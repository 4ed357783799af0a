// Picks the SHA-256 code for this CPU: CPUID (and XGETBV for AVX-512 register
// state) decide once, on first use.

#include <crypto/sha256_backend.h>

#include <atomic>
#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace sha256_backend {
namespace {

#if defined(__x86_64__) || defined(__i386__)
struct CpuidRegisters {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
};

CpuidRegisters Cpuid(unsigned leaf)
{
    CpuidRegisters r;
    if (!__get_cpuid_count(leaf, 0, &r.eax, &r.ebx, &r.ecx, &r.edx)) return {};
    return r;
}

// XCR0: which register sets the operating system saves on a context switch.
uint64_t EnabledRegisterState()
{
    if (!(Cpuid(1).ecx & bit_OSXSAVE)) return 0;
    uint32_t low, high;
    __asm__("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    return (uint64_t{high} << 32) | low;
}
#endif

// Name and functions of the fastest combination this CPU runs. Measured on a
// Xeon that has all three (Sha256D64 of 1024 inputs): AVX-512 sixteen-way
// 25 M/s, SHA-NI four-way 12 M/s, AVX2 eight-way 8.6 M/s, generic 2.1 M/s.
// So AVX2 only helps where SHA-NI is missing.
Backend Fastest()
{
    const Backend* shani = ShaNiBackend();
    const bool use_shani = shani && CpuHasShaNi();
    Backend best = use_shani ? *shani : GENERIC;
    if (const D64WideFn avx512 = Avx512D64(); avx512 && CpuHasAvx512()) {
        best.d64_wide = avx512;
        best.name = use_shani ? "sha-ni+avx512" : "generic+avx512";
    } else if (const D64WideFn avx2 = Avx2D64(); avx2 && CpuHasAvx2() && !use_shani) {
        best.d64_wide = avx2;
        best.name = "generic+avx2";
    }
    return best;
}

const Backend& FastestOnce()
{
    static const Backend fastest = Fastest();
    return fastest;
}

// Chosen on first use rather than by a static initializer, so hashing from
// another translation unit's static initializer works too. Threads racing
// here all store the same pointer; release/acquire makes the pointed-to
// backend visible to the reader (and costs nothing extra on x86).
std::atomic<const Backend*> g_active{nullptr};

} // namespace

// SHA-NI code also uses SSSE3 (byte shuffles) and SSE4.1; CPUs with SHA have
// both, but asking costs nothing.
bool CpuHasShaNi()
{
#if defined(__x86_64__) || defined(__i386__)
    const CpuidRegisters basic = Cpuid(1);
    if (!(basic.ecx & bit_SSSE3) || !(basic.ecx & bit_SSE4_1)) return false;
    return (Cpuid(7).ebx & bit_SHA) != 0;
#else
    return false;
#endif
}

bool CpuHasAvx2()
{
#if defined(__x86_64__) || defined(__i386__)
    constexpr uint64_t YMM_STATE = 0x6; // XCR0 bits 1, 2: SSE and AVX state
    if ((EnabledRegisterState() & YMM_STATE) != YMM_STATE) return false;
    return (Cpuid(7).ebx & bit_AVX2) != 0;
#else
    return false;
#endif
}

bool CpuHasAvx512()
{
#if defined(__x86_64__) || defined(__i386__)
    // SSE, AVX, opmask, upper halves of ZMM0-15, ZMM16-31 (XCR0 bits 1, 2, 5, 6, 7).
    constexpr uint64_t ZMM_STATE = 0xe6;
    if ((EnabledRegisterState() & ZMM_STATE) != ZMM_STATE) return false;
    const unsigned features = Cpuid(7).ebx;
    return (features & bit_AVX512F) && (features & bit_AVX512BW);
#else
    return false;
#endif
}

const Backend& Active()
{
    const Backend* backend = g_active.load(std::memory_order_acquire);
    if (!backend) {
        backend = &FastestOnce();
        g_active.store(backend, std::memory_order_release);
    }
    return *backend;
}

void ForceGeneric(bool force)
{
    g_active.store(force ? &GENERIC : &FastestOnce(), std::memory_order_release);
}

} // namespace sha256_backend
