#include <script/interpreter.h>

#include <crypto/hash.h>
#include <crypto/ripemd160.h>
#include <crypto/sha1.h>
#include <crypto/sha256.h>
#include <script/script_reader.h>
#include <script/signature_encoding.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <cstring>
#include <limits>

namespace {

const StackElement TRUE_ELEMENT{1};
const StackElement FALSE_ELEMENT{};

// The stack of OP_IF branches. Only whether every entry is true matters for execution, so it
// is kept as a depth and the position of the lowest false entry: constant time per operation
// however deeply the branches nest (a script can open thousands).
class ConditionStack {
public:
    bool Empty() const { return m_size == 0; }
    bool AllTrue() const { return m_first_false == NONE; }
    void Push(bool value)
    {
        if (!value && m_first_false == NONE) m_first_false = m_size;
        ++m_size;
    }
    void Pop()
    {
        --m_size;
        if (m_first_false == m_size) m_first_false = NONE;
    }
    // OP_ELSE. With a false entry below the top, the top's value cannot matter before that
    // entry is popped, and the top is popped first, so nothing needs recording.
    void ToggleTop()
    {
        if (m_first_false == NONE) {
            m_first_false = m_size - 1;
        } else if (m_first_false == m_size - 1) {
            m_first_false = NONE;
        }
    }

private:
    static constexpr size_t NONE = std::numeric_limits<size_t>::max();
    size_t m_size{0};
    size_t m_first_false{NONE};
};

bool IsDisabledOpcode(opcodetype opcode)
{
    switch (opcode) {
    case OP_CAT: case OP_SUBSTR: case OP_LEFT: case OP_RIGHT:
    case OP_INVERT: case OP_AND: case OP_OR: case OP_XOR:
    case OP_2MUL: case OP_2DIV: case OP_MUL: case OP_DIV: case OP_MOD: case OP_LSHIFT: case OP_RSHIFT:
        return true;
    default:
        return false;
    }
}

// BIP62 rule 3: each push uses the shortest form for its data.
bool IsMinimalPush(std::span<const unsigned char> data, opcodetype opcode)
{
    const size_t size = data.size();
    if (size == 0) return opcode == OP_0;
    if (size == 1 && data[0] >= 1 && data[0] <= 16) return false;  // OP_1..OP_16 say it in one byte
    if (size == 1 && data[0] == 0x81) return false;                 // OP_1NEGATE
    if (size <= 75) return opcode == size;
    if (size <= 255) return opcode == OP_PUSHDATA1;
    if (size <= 65535) return opcode == OP_PUSHDATA2;
    return true;
}

template <typename Hasher, size_t N>
StackElement HashElement(std::span<const unsigned char> data)
{
    Hasher hasher;
    hasher.Write(data);
    StackElement out(N);
    hasher.Finalize(std::span<unsigned char, N>{out.data(), N});
    return out;
}

// One run of EvalScript. Each opcode family has its own member function returning OK or the
// error that ends the script.
class Interpreter {
public:
    Interpreter(ScriptStack& stack, const Script& script, uint32_t flags, const SignatureChecker& checker,
                SigVersion sigversion, ScriptExecutionData& execdata)
        : m_stack{stack}, m_script{script}, m_flags{flags}, m_checker{checker}, m_sigversion{sigversion},
          m_execdata{execdata}, m_require_minimal{(flags & SCRIPT_VERIFY_MINIMALDATA) != 0}
    {
    }

    ScriptError Run();

private:
    bool IsLegacyOrV0() const { return m_sigversion == SigVersion::BASE || m_sigversion == SigVersion::WITNESS_V0; }

    ScriptError Step(const ScriptOp& op, const unsigned char* next_pc);
    ScriptError Execute(const ScriptOp& op, const unsigned char* next_pc);

    ScriptError ExecuteFlowControl(opcodetype opcode);
    ScriptError ExecuteUpgradableNop(opcodetype opcode);
    ScriptError ExecuteLockTime(opcodetype opcode);
    ScriptError ExecuteStack(opcodetype opcode);
    ScriptError ExecuteStackCopy(opcodetype opcode);
    ScriptError ExecuteStackShuffle(opcodetype opcode);
    ScriptError ExecutePickRoll(opcodetype opcode);
    ScriptError ExecuteEquality(opcodetype opcode);
    ScriptError ExecuteUnaryArithmetic(opcodetype opcode);
    ScriptError ExecuteBinaryArithmetic(opcodetype opcode);
    ScriptError ExecuteWithin();
    ScriptError ExecuteHash(opcodetype opcode);
    ScriptError ExecuteCheckSig(opcodetype opcode);
    ScriptError ExecuteCheckSigAdd();
    ScriptError ExecuteCheckMultiSig(opcodetype opcode);

    // Where CHECKMULTISIG's arguments sit, as depths from the top of the stack.
    struct MultisigLayout {
        int key_count = 0;
        size_t key_depth = 0;  // topmost key
        int sig_count = 0;
        size_t sig_depth = 0;  // topmost signature
        size_t dummy_depth = 0;
    };
    ScriptError ReadMultisigLayout(MultisigLayout& layout);
    ScriptError MatchMultisigSignatures(MultisigLayout layout, const Script& script_code, bool& success);
    ScriptError PopMultisigArguments(const MultisigLayout& layout, bool success);

    ScriptError EvalCheckSig(std::span<const unsigned char> sig, std::span<const unsigned char> pubkey, bool& success);
    ScriptError EvalCheckSigEcdsa(std::span<const unsigned char> sig, std::span<const unsigned char> pubkey, bool& success);
    ScriptError EvalCheckSigTapscript(std::span<const unsigned char> sig, std::span<const unsigned char> pubkey, bool& success);
    // The script code signatures commit to: from the last OP_CODESEPARATOR to the end, and in
    // legacy scripts without the signatures at stack depths sig_depth .. sig_depth+count-1
    // (FindAndDelete, topmost first).
    ScriptError MakeScriptCode(size_t sig_depth, size_t count, Script& script_code);

    // Stack element at depth from the top (1 = top); callers check the size first.
    StackElement& Top(size_t depth) { return m_stack[m_stack.size() - depth]; }
    bool Has(size_t count) const { return m_stack.size() >= count; }
    void Pop() { m_stack.pop_back(); }
    void PushBool(bool value) { m_stack.push_back(value ? TRUE_ELEMENT : FALSE_ELEMENT); }
    void PushNum(int64_t value) { m_stack.push_back(ScriptNum::Encode(value)); }
    // The element at depth as a number operand; nullopt means UNKNOWN_ERROR (too long or not minimal).
    std::optional<ScriptNum> Num(size_t depth, size_t max_size = ScriptNum::DEFAULT_MAX_SIZE)
    {
        return ScriptNum::Decode(Top(depth), m_require_minimal, max_size);
    }

    ScriptStack& m_stack;
    ScriptStack m_altstack;
    const Script& m_script;
    const uint32_t m_flags;
    const SignatureChecker& m_checker;
    const SigVersion m_sigversion;
    ScriptExecutionData& m_execdata;
    const bool m_require_minimal;

    ConditionStack m_conditions;
    const unsigned char* m_code_begin{nullptr};  // after the last executed OP_CODESEPARATOR
    int m_op_count{0};
    uint32_t m_opcode_pos{0};
};

ScriptError Interpreter::Run()
{
    // Tapscript has no size or opcode-count limit (BIP342): the witness weight bounds it.
    if (IsLegacyOrV0() && m_script.size() > MAX_SCRIPT_SIZE) return ScriptError::SCRIPT_SIZE;
    m_execdata.codeseparator_pos_init = true;
    m_execdata.codeseparator_pos = 0xFFFFFFFF;

    const unsigned char* pc = ScriptBegin(m_script);
    const unsigned char* const end = ScriptEnd(m_script);
    m_code_begin = pc;
    ScriptOp op;
    for (; pc < end; ++m_opcode_pos) {
        if (!ReadScriptOp(pc, end, op)) return ScriptError::BAD_OPCODE;
        if (const ScriptError error = Step(op, pc); error != ScriptError::OK) return error;
        if (m_stack.size() + m_altstack.size() > MAX_STACK_SIZE) return ScriptError::STACK_SIZE;
    }
    if (!m_conditions.Empty()) return ScriptError::UNBALANCED_CONDITIONAL;
    return ScriptError::OK;
}

// The checks every operation passes, executed or not, then its execution.
ScriptError Interpreter::Step(const ScriptOp& op, const unsigned char* next_pc)
{
    const opcodetype opcode = op.opcode;
    if (op.push.size() > MAX_SCRIPT_ELEMENT_SIZE) return ScriptError::PUSH_SIZE;
    if (IsLegacyOrV0() && opcode > OP_16 && ++m_op_count > static_cast<int>(MAX_OPS_PER_SCRIPT)) {
        return ScriptError::OP_COUNT;
    }
    // Disabled opcodes fail even in a branch not taken.
    if (IsDisabledOpcode(opcode)) return ScriptError::DISABLED_OPCODE;
    if (opcode == OP_CODESEPARATOR && m_sigversion == SigVersion::BASE && (m_flags & SCRIPT_VERIFY_CONST_SCRIPTCODE)) {
        return ScriptError::OP_CODESEPARATOR;
    }

    const bool executing = m_conditions.AllTrue();
    if (executing && opcode <= OP_PUSHDATA4) {
        if (m_require_minimal && !IsMinimalPush(op.push, opcode)) return ScriptError::MINIMALDATA;
        m_stack.emplace_back(op.push.begin(), op.push.end());
        return ScriptError::OK;
    }
    // Conditionals run in untaken branches too, to keep the nesting count; so do the
    // OP_VERIF/OP_VERNOTIF bytes that sit in their opcode range, which therefore always fail.
    if (executing || (opcode >= OP_IF && opcode <= OP_ENDIF)) return Execute(op, next_pc);
    return ScriptError::OK;
}

ScriptError Interpreter::Execute(const ScriptOp& op, const unsigned char* next_pc)
{
    const opcodetype opcode = op.opcode;
    switch (opcode) {
    case OP_1NEGATE:
    case OP_1: case OP_2: case OP_3: case OP_4: case OP_5: case OP_6: case OP_7: case OP_8:
    case OP_9: case OP_10: case OP_11: case OP_12: case OP_13: case OP_14: case OP_15: case OP_16:
        PushNum(static_cast<int>(opcode) - static_cast<int>(OP_1 - 1));
        return ScriptError::OK;

    case OP_NOP: case OP_IF: case OP_NOTIF: case OP_ELSE: case OP_ENDIF: case OP_VERIFY: case OP_RETURN:
        return ExecuteFlowControl(opcode);

    case OP_NOP1: case OP_NOP4: case OP_NOP5: case OP_NOP6: case OP_NOP7: case OP_NOP8: case OP_NOP9: case OP_NOP10:
        return ExecuteUpgradableNop(opcode);
    case OP_CHECKLOCKTIMEVERIFY: case OP_CHECKSEQUENCEVERIFY:
        return ExecuteLockTime(opcode);

    case OP_TOALTSTACK: case OP_FROMALTSTACK: case OP_2DROP: case OP_2DUP: case OP_3DUP: case OP_2OVER:
    case OP_2ROT: case OP_2SWAP: case OP_IFDUP: case OP_DEPTH: case OP_DROP: case OP_DUP: case OP_NIP:
    case OP_OVER: case OP_ROT: case OP_SWAP: case OP_TUCK: case OP_SIZE:
        return ExecuteStack(opcode);
    case OP_PICK: case OP_ROLL:
        return ExecutePickRoll(opcode);

    case OP_EQUAL: case OP_EQUALVERIFY:
        return ExecuteEquality(opcode);

    case OP_1ADD: case OP_1SUB: case OP_NEGATE: case OP_ABS: case OP_NOT: case OP_0NOTEQUAL:
        return ExecuteUnaryArithmetic(opcode);
    case OP_ADD: case OP_SUB: case OP_BOOLAND: case OP_BOOLOR: case OP_NUMEQUAL: case OP_NUMEQUALVERIFY:
    case OP_NUMNOTEQUAL: case OP_LESSTHAN: case OP_GREATERTHAN: case OP_LESSTHANOREQUAL:
    case OP_GREATERTHANOREQUAL: case OP_MIN: case OP_MAX:
        return ExecuteBinaryArithmetic(opcode);
    case OP_WITHIN:
        return ExecuteWithin();

    case OP_RIPEMD160: case OP_SHA1: case OP_SHA256: case OP_HASH160: case OP_HASH256:
        return ExecuteHash(opcode);
    case OP_CODESEPARATOR:
        m_code_begin = next_pc;
        m_execdata.codeseparator_pos = m_opcode_pos;
        return ScriptError::OK;
    case OP_CHECKSIG: case OP_CHECKSIGVERIFY:
        return ExecuteCheckSig(opcode);
    case OP_CHECKSIGADD:
        return ExecuteCheckSigAdd();
    case OP_CHECKMULTISIG: case OP_CHECKMULTISIGVERIFY:
        return ExecuteCheckMultiSig(opcode);

    default:
        // OP_RESERVED, OP_VER, OP_VERIF, OP_VERNOTIF, OP_RESERVED1/2 and undefined bytes.
        return ScriptError::BAD_OPCODE;
    }
}

ScriptError Interpreter::ExecuteFlowControl(opcodetype opcode)
{
    switch (opcode) {
    case OP_NOP:
        return ScriptError::OK;
    case OP_IF:
    case OP_NOTIF: {
        bool value = false;
        if (m_conditions.AllTrue()) {
            if (!Has(1)) return ScriptError::UNBALANCED_CONDITIONAL;
            const StackElement& condition = Top(1);
            // The argument must be exactly empty or 0x01: otherwise a third party could
            // change it to another true/false encoding and change the transaction's wtxid.
            const bool minimal = condition.empty() || (condition.size() == 1 && condition[0] == 1);
            if (m_sigversion == SigVersion::TAPSCRIPT && !minimal) return ScriptError::TAPSCRIPT_MINIMALIF;
            if (m_sigversion == SigVersion::WITNESS_V0 && (m_flags & SCRIPT_VERIFY_MINIMALIF) && !minimal) {
                return ScriptError::MINIMALIF;
            }
            value = CastToBool(condition);
            if (opcode == OP_NOTIF) value = !value;
            Pop();
        }
        m_conditions.Push(value);
        return ScriptError::OK;
    }
    case OP_ELSE:
        if (m_conditions.Empty()) return ScriptError::UNBALANCED_CONDITIONAL;
        m_conditions.ToggleTop();
        return ScriptError::OK;
    case OP_ENDIF:
        if (m_conditions.Empty()) return ScriptError::UNBALANCED_CONDITIONAL;
        m_conditions.Pop();
        return ScriptError::OK;
    case OP_VERIFY:
        if (!Has(1)) return ScriptError::INVALID_STACK_OPERATION;
        if (!CastToBool(Top(1))) return ScriptError::VERIFY;
        Pop();
        return ScriptError::OK;
    case OP_RETURN:
        return ScriptError::OP_RETURN;
    default:
        return ScriptError::BAD_OPCODE;
    }
}

ScriptError Interpreter::ExecuteUpgradableNop(opcodetype)
{
    // Reserved for soft forks: policy refuses them so that a future meaning cannot make a
    // transaction this node relayed invalid.
    if (m_flags & SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS) return ScriptError::DISCOURAGE_UPGRADABLE_NOPS;
    return ScriptError::OK;
}

ScriptError Interpreter::ExecuteLockTime(opcodetype opcode)
{
    const bool is_cltv = opcode == OP_CHECKLOCKTIMEVERIFY;
    const uint32_t enabling_flag = is_cltv ? SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY : SCRIPT_VERIFY_CHECKSEQUENCEVERIFY;
    // Before its soft fork the opcode was NOP2/NOP3, and stays one without the flag.
    if (!(m_flags & enabling_flag)) return ScriptError::OK;

    if (!Has(1)) return ScriptError::INVALID_STACK_OPERATION;
    // 5 bytes: lock times and sequences go up to 2^32 - 1, beyond the 4-byte operand limit.
    const auto value = Num(1, ScriptNum::LOCKTIME_MAX_SIZE);
    if (!value) return ScriptError::UNKNOWN_ERROR;
    if (*value < 0) return ScriptError::NEGATIVE_LOCKTIME;

    if (is_cltv) {
        if (!m_checker.CheckLockTime(*value)) return ScriptError::UNSATISFIED_LOCKTIME;
        return ScriptError::OK;
    }
    // BIP112: with the disable bit set the sequence carries no lock; the opcode is a NOP.
    constexpr int64_t SEQUENCE_DISABLE_FLAG = int64_t{1} << 31;
    if ((*value & SEQUENCE_DISABLE_FLAG) != 0) return ScriptError::OK;
    if (!m_checker.CheckSequence(*value)) return ScriptError::UNSATISFIED_LOCKTIME;
    return ScriptError::OK;
}

// Minimum stack depth each plain stack opcode needs, checked before it touches anything.
size_t StackDepthNeeded(opcodetype opcode)
{
    switch (opcode) {
    case OP_TOALTSTACK: case OP_IFDUP: case OP_DROP: case OP_DUP: case OP_SIZE: return 1;
    case OP_2DROP: case OP_2DUP: case OP_NIP: case OP_OVER: case OP_SWAP: case OP_TUCK: return 2;
    case OP_3DUP: case OP_ROT: return 3;
    case OP_2OVER: case OP_2SWAP: return 4;
    case OP_2ROT: return 6;
    default: return 0;  // OP_DEPTH, OP_FROMALTSTACK
    }
}

ScriptError Interpreter::ExecuteStack(opcodetype opcode)
{
    if (!Has(StackDepthNeeded(opcode))) return ScriptError::INVALID_STACK_OPERATION;
    switch (opcode) {
    case OP_2DUP: case OP_3DUP: case OP_2OVER: case OP_IFDUP: case OP_DUP: case OP_OVER: case OP_DEPTH: case OP_SIZE:
        return ExecuteStackCopy(opcode);
    default:
        return ExecuteStackShuffle(opcode);
    }
}

// Opcodes that push copies of elements, or facts about them.
ScriptError Interpreter::ExecuteStackCopy(opcodetype opcode)
{
    // Copies of the elements at these depths, deepest first; copied before pushing because
    // a push may reallocate the stack.
    const auto push_copies = [this](std::initializer_list<size_t> depths) {
        std::array<StackElement, 3> copies;
        size_t count = 0;
        for (size_t depth : depths) copies[count++] = Top(depth);
        for (size_t i = 0; i < count; ++i) m_stack.push_back(std::move(copies[i]));
    };
    switch (opcode) {
    case OP_2DUP: push_copies({2, 1}); break;
    case OP_3DUP: push_copies({3, 2, 1}); break;
    case OP_2OVER: push_copies({4, 3}); break;
    case OP_DUP: push_copies({1}); break;
    case OP_OVER: push_copies({2}); break;
    case OP_IFDUP:
        if (CastToBool(Top(1))) push_copies({1});
        break;
    case OP_DEPTH: PushNum(static_cast<int64_t>(m_stack.size())); break;
    case OP_SIZE: PushNum(static_cast<int64_t>(Top(1).size())); break;
    default: return ScriptError::BAD_OPCODE;
    }
    return ScriptError::OK;
}

// Opcodes that drop, move or reorder elements.
ScriptError Interpreter::ExecuteStackShuffle(opcodetype opcode)
{
    switch (opcode) {
    case OP_TOALTSTACK:
        m_altstack.push_back(std::move(Top(1)));
        Pop();
        break;
    case OP_FROMALTSTACK:
        if (m_altstack.empty()) return ScriptError::INVALID_ALTSTACK_OPERATION;
        m_stack.push_back(std::move(m_altstack.back()));
        m_altstack.pop_back();
        break;
    case OP_2DROP: Pop(); Pop(); break;
    case OP_DROP: Pop(); break;
    case OP_NIP: m_stack.erase(m_stack.end() - 2); break;
    case OP_2ROT: std::rotate(m_stack.end() - 6, m_stack.end() - 4, m_stack.end()); break;  // 5th and 6th to the top
    case OP_2SWAP:
        std::swap(Top(4), Top(2));
        std::swap(Top(3), Top(1));
        break;
    case OP_ROT:
        std::swap(Top(3), Top(2));
        std::swap(Top(2), Top(1));
        break;
    case OP_SWAP: std::swap(Top(2), Top(1)); break;
    case OP_TUCK: {
        StackElement top = Top(1);
        m_stack.insert(m_stack.end() - 2, std::move(top));
        break;
    }
    default: return ScriptError::BAD_OPCODE;
    }
    return ScriptError::OK;
}

ScriptError Interpreter::ExecutePickRoll(opcodetype opcode)
{
    if (!Has(2)) return ScriptError::INVALID_STACK_OPERATION;
    const auto n = Num(1);
    if (!n) return ScriptError::UNKNOWN_ERROR;
    Pop();
    const int index = n->GetInt();
    if (index < 0 || static_cast<size_t>(index) >= m_stack.size()) return ScriptError::INVALID_STACK_OPERATION;
    const auto position = m_stack.end() - index - 1;
    StackElement value = *position;
    if (opcode == OP_ROLL) m_stack.erase(position);
    m_stack.push_back(std::move(value));
    return ScriptError::OK;
}

ScriptError Interpreter::ExecuteEquality(opcodetype opcode)
{
    if (!Has(2)) return ScriptError::INVALID_STACK_OPERATION;
    const bool equal = Top(2) == Top(1);
    Pop();
    Pop();
    if (opcode == OP_EQUALVERIFY) return equal ? ScriptError::OK : ScriptError::EQUALVERIFY;
    PushBool(equal);
    return ScriptError::OK;
}

ScriptError Interpreter::ExecuteUnaryArithmetic(opcodetype opcode)
{
    if (!Has(1)) return ScriptError::INVALID_STACK_OPERATION;
    const auto operand = Num(1);
    if (!operand) return ScriptError::UNKNOWN_ERROR;
    const int64_t x = operand->GetInt64();
    int64_t result = 0;
    switch (opcode) {
    case OP_1ADD: result = x + 1; break;
    case OP_1SUB: result = x - 1; break;
    case OP_NEGATE: result = -x; break;
    case OP_ABS: result = x < 0 ? -x : x; break;
    case OP_NOT: result = x == 0; break;
    case OP_0NOTEQUAL: result = x != 0; break;
    default: return ScriptError::BAD_OPCODE;
    }
    Pop();
    PushNum(result);
    return ScriptError::OK;
}

ScriptError Interpreter::ExecuteBinaryArithmetic(opcodetype opcode)
{
    if (!Has(2)) return ScriptError::INVALID_STACK_OPERATION;
    const auto left = Num(2);
    const auto right = Num(1);
    if (!left || !right) return ScriptError::UNKNOWN_ERROR;
    // Operands are at most 4 bytes (|x| < 2^31), so no result overflows an int64_t.
    const int64_t a = left->GetInt64(), b = right->GetInt64();
    int64_t result = 0;
    switch (opcode) {
    case OP_ADD: result = a + b; break;
    case OP_SUB: result = a - b; break;
    case OP_BOOLAND: result = a != 0 && b != 0; break;
    case OP_BOOLOR: result = a != 0 || b != 0; break;
    case OP_NUMEQUAL: case OP_NUMEQUALVERIFY: result = a == b; break;
    case OP_NUMNOTEQUAL: result = a != b; break;
    case OP_LESSTHAN: result = a < b; break;
    case OP_GREATERTHAN: result = a > b; break;
    case OP_LESSTHANOREQUAL: result = a <= b; break;
    case OP_GREATERTHANOREQUAL: result = a >= b; break;
    case OP_MIN: result = std::min(a, b); break;
    case OP_MAX: result = std::max(a, b); break;
    default: return ScriptError::BAD_OPCODE;
    }
    Pop();
    Pop();
    if (opcode == OP_NUMEQUALVERIFY) return result ? ScriptError::OK : ScriptError::NUMEQUALVERIFY;
    PushNum(result);
    return ScriptError::OK;
}

ScriptError Interpreter::ExecuteWithin()
{
    if (!Has(3)) return ScriptError::INVALID_STACK_OPERATION;
    const auto x = Num(3), low = Num(2), high = Num(1);
    if (!x || !low || !high) return ScriptError::UNKNOWN_ERROR;
    const bool within = *low <= *x && *x < *high;
    Pop();
    Pop();
    Pop();
    PushBool(within);
    return ScriptError::OK;
}

ScriptError Interpreter::ExecuteHash(opcodetype opcode)
{
    if (!Has(1)) return ScriptError::INVALID_STACK_OPERATION;
    const StackElement& data = Top(1);
    StackElement digest;
    switch (opcode) {
    case OP_RIPEMD160: digest = HashElement<Ripemd160, 20>(data); break;
    case OP_SHA1: digest = HashElement<Sha1, 20>(data); break;
    case OP_SHA256: digest = HashElement<Sha256, 32>(data); break;
    case OP_HASH160: digest = HashElement<Hash160, 20>(data); break;
    case OP_HASH256: digest = HashElement<Hash256, 32>(data); break;
    default: return ScriptError::BAD_OPCODE;
    }
    Top(1) = std::move(digest);
    return ScriptError::OK;
}

ScriptError Interpreter::MakeScriptCode(size_t sig_depth, size_t count, Script& script_code)
{
    script_code.assign(m_code_begin, ScriptEnd(m_script));
    // Only legacy scripts remove the signature: a signature cannot sign itself, and before
    // segwit the script code held it when it was part of the scriptPubKey.
    if (m_sigversion != SigVersion::BASE) return ScriptError::OK;
    for (size_t k = 0; k < count; ++k) {
        const int found = FindAndDelete(script_code, PushEncoding(Top(sig_depth + k)));
        if (found > 0 && (m_flags & SCRIPT_VERIFY_CONST_SCRIPTCODE)) return ScriptError::SIG_FINDANDDELETE;
    }
    return ScriptError::OK;
}

ScriptError Interpreter::EvalCheckSigEcdsa(std::span<const unsigned char> sig, std::span<const unsigned char> pubkey,
                                           bool& success)
{
    Script script_code;
    // The signature is the second element from the top for CHECKSIG and CHECKSIGVERIFY.
    if (const ScriptError error = MakeScriptCode(2, 1, script_code); error != ScriptError::OK) return error;
    if (const ScriptError error = CheckSignatureEncoding(sig, m_flags); error != ScriptError::OK) return error;
    if (const ScriptError error = CheckPubKeyEncoding(pubkey, m_flags, m_sigversion); error != ScriptError::OK) return error;

    success = m_checker.CheckECDSASignature(sig, pubkey, script_code, m_sigversion);
    // NULLFAIL: the only accepted failing signature is the empty one, so a failed check
    // cannot be malleated into another failed check with different bytes.
    if (!success && (m_flags & SCRIPT_VERIFY_NULLFAIL) && !sig.empty()) return ScriptError::SIG_NULLFAIL;
    return ScriptError::OK;
}

ScriptError Interpreter::EvalCheckSigTapscript(std::span<const unsigned char> sig, std::span<const unsigned char> pubkey,
                                               bool& success)
{
    // An empty signature is the one way to fail a check; any other signature must be valid.
    success = !sig.empty();
    if (success) {
        // BIP342: each signature checked spends budget granted by the witness size, which
        // bounds the verification cost per byte of a block.
        m_execdata.validation_weight_left -= VALIDATION_WEIGHT_PER_SIGOP_PASSED;
        if (m_execdata.validation_weight_left < 0) return ScriptError::TAPSCRIPT_VALIDATION_WEIGHT;
    }
    if (pubkey.empty()) return ScriptError::TAPSCRIPT_EMPTY_PUBKEY;
    if (pubkey.size() == 32) {
        if (success) {
            ScriptError error = ScriptError::UNKNOWN_ERROR;
            if (!m_checker.CheckSchnorrSignature(sig, pubkey, m_sigversion, m_execdata, &error)) return error;
        }
        return ScriptError::OK;
    }
    // Other key sizes are reserved for new key types and succeed unchecked.
    if (m_flags & SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE) return ScriptError::DISCOURAGE_UPGRADABLE_PUBKEYTYPE;
    return ScriptError::OK;
}

ScriptError Interpreter::EvalCheckSig(std::span<const unsigned char> sig, std::span<const unsigned char> pubkey, bool& success)
{
    switch (m_sigversion) {
    case SigVersion::BASE:
    case SigVersion::WITNESS_V0:
        return EvalCheckSigEcdsa(sig, pubkey, success);
    case SigVersion::TAPSCRIPT:
        return EvalCheckSigTapscript(sig, pubkey, success);
    case SigVersion::TAPROOT:
        break;  // key path spends run no script
    }
    return ScriptError::UNKNOWN_ERROR;
}

ScriptError Interpreter::ExecuteCheckSig(opcodetype opcode)
{
    if (!Has(2)) return ScriptError::INVALID_STACK_OPERATION;
    bool success = false;
    if (const ScriptError error = EvalCheckSig(Top(2), Top(1), success); error != ScriptError::OK) return error;
    Pop();
    Pop();
    if (opcode == OP_CHECKSIGVERIFY) return success ? ScriptError::OK : ScriptError::CHECKSIGVERIFY;
    PushBool(success);
    return ScriptError::OK;
}

ScriptError Interpreter::ExecuteCheckSigAdd()
{
    if (IsLegacyOrV0()) return ScriptError::BAD_OPCODE;  // 0xba is undefined outside tapscript
    if (!Has(3)) return ScriptError::INVALID_STACK_OPERATION;
    const auto n = Num(2);
    if (!n) return ScriptError::UNKNOWN_ERROR;
    bool success = false;
    if (const ScriptError error = EvalCheckSig(Top(3), Top(1), success); error != ScriptError::OK) return error;
    Pop();
    Pop();
    Pop();
    PushNum(n->GetInt64() + (success ? 1 : 0));
    return ScriptError::OK;
}

ScriptError Interpreter::ReadMultisigLayout(MultisigLayout& layout)
{
    // From the top: key count, keys, signature count, signatures, dummy.
    size_t depth = 1;
    if (!Has(depth)) return ScriptError::INVALID_STACK_OPERATION;
    const auto key_count = Num(depth);
    if (!key_count) return ScriptError::UNKNOWN_ERROR;
    layout.key_count = key_count->GetInt();
    if (layout.key_count < 0 || layout.key_count > static_cast<int>(MAX_PUBKEYS_PER_MULTISIG)) {
        return ScriptError::PUBKEY_COUNT;
    }
    m_op_count += layout.key_count;  // each key counts as an operation
    if (m_op_count > static_cast<int>(MAX_OPS_PER_SCRIPT)) return ScriptError::OP_COUNT;
    layout.key_depth = ++depth;
    depth += layout.key_count;
    if (!Has(depth)) return ScriptError::INVALID_STACK_OPERATION;

    const auto sig_count = Num(depth);
    if (!sig_count) return ScriptError::UNKNOWN_ERROR;
    layout.sig_count = sig_count->GetInt();
    if (layout.sig_count < 0 || layout.sig_count > layout.key_count) return ScriptError::SIG_COUNT;
    layout.sig_depth = ++depth;
    depth += layout.sig_count;
    if (!Has(depth)) return ScriptError::INVALID_STACK_OPERATION;  // the dummy included
    layout.dummy_depth = depth;
    return ScriptError::OK;
}

ScriptError Interpreter::MatchMultisigSignatures(MultisigLayout layout, const Script& script_code, bool& success)
{
    // Signatures must match keys in the same order; a key that fails is skipped, a signature
    // never, so the check fails as soon as fewer keys than signatures remain.
    success = true;
    size_t sig_depth = layout.sig_depth, key_depth = layout.key_depth;
    int sigs_left = layout.sig_count, keys_left = layout.key_count;
    while (success && sigs_left > 0) {
        const StackElement& sig = Top(sig_depth);
        const StackElement& pubkey = Top(key_depth);
        if (const ScriptError error = CheckSignatureEncoding(sig, m_flags); error != ScriptError::OK) return error;
        if (const ScriptError error = CheckPubKeyEncoding(pubkey, m_flags, m_sigversion); error != ScriptError::OK) {
            return error;
        }
        if (m_checker.CheckECDSASignature(sig, pubkey, script_code, m_sigversion)) {
            ++sig_depth;
            --sigs_left;
        }
        ++key_depth;
        --keys_left;
        if (sigs_left > keys_left) success = false;
    }
    return ScriptError::OK;
}

ScriptError Interpreter::PopMultisigArguments(const MultisigLayout& layout, bool success)
{
    // With NULLFAIL every signature of a failed check must be empty. The first key_count + 2
    // elements popped are the key count, the keys and the signature count.
    size_t non_signatures_left = static_cast<size_t>(layout.key_count) + 2;
    for (size_t i = 1; i < layout.dummy_depth; ++i) {
        if (!success && (m_flags & SCRIPT_VERIFY_NULLFAIL) && non_signatures_left == 0 && !Top(1).empty()) {
            return ScriptError::SIG_NULLFAIL;
        }
        if (non_signatures_left > 0) --non_signatures_left;
        Pop();
    }
    // The original implementation popped one element too many; the extra "dummy" element
    // is now required, and NULLDUMMY (BIP147) requires it empty so it cannot be malleated.
    if (!Has(1)) return ScriptError::INVALID_STACK_OPERATION;
    if ((m_flags & SCRIPT_VERIFY_NULLDUMMY) && !Top(1).empty()) return ScriptError::SIG_NULLDUMMY;
    Pop();
    return ScriptError::OK;
}

ScriptError Interpreter::ExecuteCheckMultiSig(opcodetype opcode)
{
    // Tapscript replaces CHECKMULTISIG with CHECKSIGADD, which allows batch verification.
    if (m_sigversion == SigVersion::TAPSCRIPT) return ScriptError::TAPSCRIPT_CHECKMULTISIG;

    MultisigLayout layout;
    if (const ScriptError error = ReadMultisigLayout(layout); error != ScriptError::OK) return error;
    Script script_code;
    if (const ScriptError error = MakeScriptCode(layout.sig_depth, static_cast<size_t>(layout.sig_count), script_code);
        error != ScriptError::OK) {
        return error;
    }
    bool success = false;
    if (const ScriptError error = MatchMultisigSignatures(layout, script_code, success); error != ScriptError::OK) {
        return error;
    }
    if (const ScriptError error = PopMultisigArguments(layout, success); error != ScriptError::OK) return error;

    if (opcode == OP_CHECKMULTISIGVERIFY) return success ? ScriptError::OK : ScriptError::CHECKMULTISIGVERIFY;
    PushBool(success);
    return ScriptError::OK;
}

} // namespace

bool CastToBool(std::span<const unsigned char> element)
{
    for (size_t i = 0; i < element.size(); ++i) {
        if (element[i] != 0) {
            // 0x80 in the last byte is the sign bit alone: negative zero is false.
            return !(i == element.size() - 1 && element[i] == 0x80);
        }
    }
    return false;
}

std::vector<unsigned char> PushEncoding(std::span<const unsigned char> data)
{
    std::vector<unsigned char> out;
    const size_t size = data.size();
    out.reserve(size + 5);
    if (size < OP_PUSHDATA1) {
        out.push_back(static_cast<unsigned char>(size));
    } else if (size <= 0xff) {
        out.push_back(OP_PUSHDATA1);
        out.push_back(static_cast<unsigned char>(size));
    } else if (size <= 0xffff) {
        out.push_back(OP_PUSHDATA2);
        out.push_back(static_cast<unsigned char>(size));
        out.push_back(static_cast<unsigned char>(size >> 8));
    } else {
        out.push_back(OP_PUSHDATA4);
        for (int i = 0; i < 4; ++i) out.push_back(static_cast<unsigned char>(size >> (8 * i)));
    }
    out.insert(out.end(), data.begin(), data.end());
    return out;
}

int FindAndDelete(Script& script, std::span<const unsigned char> pattern)
{
    if (pattern.empty()) return 0;
    const unsigned char* const begin = ScriptBegin(script);
    const unsigned char* const end = ScriptEnd(script);
    Script result;
    int found = 0;
    const unsigned char* pc = begin;
    const unsigned char* copied_to = begin;  // bytes before this are already in result (or dropped)
    ScriptOp op;
    // At every opcode boundary drop as many back-to-back copies of the pattern as start there.
    do {
        result.insert(result.end(), copied_to, pc);
        while (static_cast<size_t>(end - pc) >= pattern.size() && std::equal(pattern.begin(), pattern.end(), pc)) {
            pc += pattern.size();
            ++found;
        }
        copied_to = pc;
    } while (ReadScriptOp(pc, end, op));

    if (found > 0) {
        result.insert(result.end(), copied_to, end);
        script = std::move(result);
    }
    return found;
}

bool IsOpSuccess(opcodetype opcode)
{
    const unsigned op = opcode;
    return op == 80 || op == 98 || (op >= 126 && op <= 129) || (op >= 131 && op <= 134) || (op >= 137 && op <= 138) ||
           (op >= 141 && op <= 142) || (op >= 149 && op <= 153) || (op >= 187 && op <= 254);
}

bool EvalScript(ScriptStack& stack, const Script& script, uint32_t flags, const SignatureChecker& checker,
                SigVersion sigversion, ScriptExecutionData& execdata, ScriptError* error)
{
    Interpreter interpreter{stack, script, flags, checker, sigversion, execdata};
    const ScriptError result = interpreter.Run();
    if (error) *error = result;
    return result == ScriptError::OK;
}

bool EvalScript(ScriptStack& stack, const Script& script, uint32_t flags, const SignatureChecker& checker,
                SigVersion sigversion, ScriptError* error)
{
    ScriptExecutionData execdata;
    return EvalScript(stack, script, flags, checker, sigversion, execdata, error);
}
