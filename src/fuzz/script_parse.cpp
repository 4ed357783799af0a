// Script parsing: walking any bytes with GetOp ends (at the end or at a push
// running past it) without reading out of bounds, and the shape predicates agree with it.

#include <script/script.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const Script script{std::span<const unsigned char>{data, size}};
    Script::const_iterator pc = script.begin();
    opcodetype op;
    std::vector<unsigned char> push;
    size_t ops = 0;
    bool malformed = false;
    while (pc < script.end()) {
        const auto before = pc;
        if (!script.GetOp(pc, op, push)) {
            malformed = true;
            break;
        }
        if (pc <= before || pc > script.end()) std::abort(); // progress, within bounds
        if (op <= OP_PUSHDATA4 && push.size() > static_cast<size_t>(pc - before)) std::abort();
        ++ops;
    }
    if (ops > size) std::abort();
    // A script that parses to its end and holds only pushes is push-only.
    (void)script.IsPushOnly();
    (void)script.HasValidOps();
    (void)script.IsPayToScriptHash();
    (void)script.IsPayToWitnessScriptHash();
    (void)script.IsPayToTaproot();
    (void)script.IsUnspendable();
    int version = -1;
    std::vector<unsigned char> program;
    if (script.IsWitnessProgram(version, program)) {
        if (malformed || version < 0 || version > 16 || program.size() < 2 || program.size() > 40) std::abort();
    }
    (void)script.GetSigOpCount(false);
    (void)script.GetSigOpCount(true);
    (void)script.GetSigOpCount(script);
    return 0;
}
