#ifndef BITCOIN_SCRIPT_SCRIPT_READER_H
#define BITCOIN_SCRIPT_SCRIPT_READER_H

// Walking a script one operation at a time without copying pushed data. The interpreter and
// signature hashing use this rather than Script::GetOp because consensus depends on exactly
// where a malformed push stops the walk (legacy signature hashing hashes the script code
// only up to that point), so that position is defined here.

#include <script/script.h>

#include <cstdint>
#include <span>

struct ScriptOp {
    opcodetype opcode = OP_INVALIDOPCODE;
    std::span<const unsigned char> push;  // data of a push opcode, empty otherwise
};

// Reads the operation at pc and advances pc past it. On a push that runs past end it returns
// false with pc left after the opcode and whatever length bytes were present.
inline bool ReadScriptOp(const unsigned char*& pc, const unsigned char* end, ScriptOp& op)
{
    op.push = {};
    op.opcode = OP_INVALIDOPCODE;
    if (pc >= end) return false;
    const unsigned char opcode = *pc++;
    op.opcode = static_cast<opcodetype>(opcode);
    if (opcode > OP_PUSHDATA4) return true;

    uint32_t size = opcode;
    if (opcode == OP_PUSHDATA1) {
        if (end - pc < 1) return false;
        size = pc[0];
        pc += 1;
    } else if (opcode == OP_PUSHDATA2) {
        if (end - pc < 2) return false;
        size = uint32_t{pc[0]} | (uint32_t{pc[1]} << 8);
        pc += 2;
    } else if (opcode == OP_PUSHDATA4) {
        if (end - pc < 4) return false;
        size = uint32_t{pc[0]} | (uint32_t{pc[1]} << 8) | (uint32_t{pc[2]} << 16) | (uint32_t{pc[3]} << 24);
        pc += 4;
    }
    if (static_cast<uint64_t>(end - pc) < size) return false;
    op.push = std::span<const unsigned char>{pc, size};
    pc += size;
    return true;
}

inline const unsigned char* ScriptBegin(const Script& script) { return script.data(); }
inline const unsigned char* ScriptEnd(const Script& script) { return script.data() + script.size(); }

#endif // BITCOIN_SCRIPT_SCRIPT_READER_H
