#include <script/script.h>

#include <script/script_num.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>

namespace {

struct OpcodeName {
    opcodetype op;
    const char* name;
};

// Names of the defined opcodes other than the pushes of OP_0 and OP_1NEGATE..OP_16.
constexpr OpcodeName OPCODE_NAMES[] = {
    {OP_PUSHDATA1, "OP_PUSHDATA1"}, {OP_PUSHDATA2, "OP_PUSHDATA2"}, {OP_PUSHDATA4, "OP_PUSHDATA4"},
    {OP_RESERVED, "OP_RESERVED"},
    {OP_NOP, "OP_NOP"}, {OP_VER, "OP_VER"}, {OP_IF, "OP_IF"}, {OP_NOTIF, "OP_NOTIF"}, {OP_VERIF, "OP_VERIF"},
    {OP_VERNOTIF, "OP_VERNOTIF"}, {OP_ELSE, "OP_ELSE"}, {OP_ENDIF, "OP_ENDIF"}, {OP_VERIFY, "OP_VERIFY"},
    {OP_RETURN, "OP_RETURN"},
    {OP_TOALTSTACK, "OP_TOALTSTACK"}, {OP_FROMALTSTACK, "OP_FROMALTSTACK"}, {OP_2DROP, "OP_2DROP"},
    {OP_2DUP, "OP_2DUP"}, {OP_3DUP, "OP_3DUP"}, {OP_2OVER, "OP_2OVER"}, {OP_2ROT, "OP_2ROT"},
    {OP_2SWAP, "OP_2SWAP"}, {OP_IFDUP, "OP_IFDUP"}, {OP_DEPTH, "OP_DEPTH"}, {OP_DROP, "OP_DROP"},
    {OP_DUP, "OP_DUP"}, {OP_NIP, "OP_NIP"}, {OP_OVER, "OP_OVER"}, {OP_PICK, "OP_PICK"}, {OP_ROLL, "OP_ROLL"},
    {OP_ROT, "OP_ROT"}, {OP_SWAP, "OP_SWAP"}, {OP_TUCK, "OP_TUCK"},
    {OP_CAT, "OP_CAT"}, {OP_SUBSTR, "OP_SUBSTR"}, {OP_LEFT, "OP_LEFT"}, {OP_RIGHT, "OP_RIGHT"},
    {OP_SIZE, "OP_SIZE"},
    {OP_INVERT, "OP_INVERT"}, {OP_AND, "OP_AND"}, {OP_OR, "OP_OR"}, {OP_XOR, "OP_XOR"}, {OP_EQUAL, "OP_EQUAL"},
    {OP_EQUALVERIFY, "OP_EQUALVERIFY"}, {OP_RESERVED1, "OP_RESERVED1"}, {OP_RESERVED2, "OP_RESERVED2"},
    {OP_1ADD, "OP_1ADD"}, {OP_1SUB, "OP_1SUB"}, {OP_2MUL, "OP_2MUL"}, {OP_2DIV, "OP_2DIV"},
    {OP_NEGATE, "OP_NEGATE"}, {OP_ABS, "OP_ABS"}, {OP_NOT, "OP_NOT"}, {OP_0NOTEQUAL, "OP_0NOTEQUAL"},
    {OP_ADD, "OP_ADD"}, {OP_SUB, "OP_SUB"}, {OP_MUL, "OP_MUL"}, {OP_DIV, "OP_DIV"}, {OP_MOD, "OP_MOD"},
    {OP_LSHIFT, "OP_LSHIFT"}, {OP_RSHIFT, "OP_RSHIFT"}, {OP_BOOLAND, "OP_BOOLAND"}, {OP_BOOLOR, "OP_BOOLOR"},
    {OP_NUMEQUAL, "OP_NUMEQUAL"}, {OP_NUMEQUALVERIFY, "OP_NUMEQUALVERIFY"},
    {OP_NUMNOTEQUAL, "OP_NUMNOTEQUAL"}, {OP_LESSTHAN, "OP_LESSTHAN"}, {OP_GREATERTHAN, "OP_GREATERTHAN"},
    {OP_LESSTHANOREQUAL, "OP_LESSTHANOREQUAL"}, {OP_GREATERTHANOREQUAL, "OP_GREATERTHANOREQUAL"},
    {OP_MIN, "OP_MIN"}, {OP_MAX, "OP_MAX"}, {OP_WITHIN, "OP_WITHIN"},
    {OP_RIPEMD160, "OP_RIPEMD160"}, {OP_SHA1, "OP_SHA1"}, {OP_SHA256, "OP_SHA256"},
    {OP_HASH160, "OP_HASH160"}, {OP_HASH256, "OP_HASH256"}, {OP_CODESEPARATOR, "OP_CODESEPARATOR"},
    {OP_CHECKSIG, "OP_CHECKSIG"}, {OP_CHECKSIGVERIFY, "OP_CHECKSIGVERIFY"},
    {OP_CHECKMULTISIG, "OP_CHECKMULTISIG"}, {OP_CHECKMULTISIGVERIFY, "OP_CHECKMULTISIGVERIFY"},
    {OP_NOP1, "OP_NOP1"}, {OP_CHECKLOCKTIMEVERIFY, "OP_CHECKLOCKTIMEVERIFY"},
    {OP_CHECKSEQUENCEVERIFY, "OP_CHECKSEQUENCEVERIFY"}, {OP_NOP4, "OP_NOP4"}, {OP_NOP5, "OP_NOP5"},
    {OP_NOP6, "OP_NOP6"}, {OP_NOP7, "OP_NOP7"}, {OP_NOP8, "OP_NOP8"}, {OP_NOP9, "OP_NOP9"},
    {OP_NOP10, "OP_NOP10"}, {OP_CHECKSIGADD, "OP_CHECKSIGADD"}, {OP_INVALIDOPCODE, "OP_INVALIDOPCODE"},
};

constexpr const char* SMALL_NUMBER_NAMES[] = {"1", "2", "3", "4", "5", "6", "7", "8",
                                              "9", "10", "11", "12", "13", "14", "15", "16"};

uint32_t ReadLittleEndian(Script::const_iterator p, int bytes)
{
    uint32_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= uint32_t{p[i]} << (8 * i);
    return v;
}

} // namespace

const char* GetOpName(opcodetype op)
{
    if (op == OP_0) return "0";
    if (op == OP_1NEGATE) return "-1";
    if (op >= OP_1 && op <= OP_16) return SMALL_NUMBER_NAMES[op - OP_1];
    for (const OpcodeName& entry : OPCODE_NAMES) {
        if (entry.op == op) return entry.name;
    }
    return "OP_UNKNOWN";
}

std::optional<opcodetype> OpcodeFromName(std::string_view name)
{
    std::string full(name);
    if (!name.starts_with("OP_")) full = "OP_" + full;
    if (full == "OP_0" || full == "OP_FALSE") return OP_0;
    if (full == "OP_1NEGATE" || full == "OP_-1") return OP_1NEGATE;
    if (full == "OP_TRUE") return OP_1;
    if (full == "OP_NOP2") return OP_NOP2;
    if (full == "OP_NOP3") return OP_NOP3;
    for (int n = 1; n <= 16; ++n) {
        if (full == std::string("OP_") + SMALL_NUMBER_NAMES[n - 1]) return Script::EncodeOpN(n);
    }
    for (const OpcodeName& entry : OPCODE_NAMES) {
        if (full == entry.name) return entry.op;
    }
    return std::nullopt;
}

int Script::DecodeOpN(opcodetype op)
{
    if (op == OP_0) return 0;
    return static_cast<int>(op) - static_cast<int>(OP_1 - 1);
}

opcodetype Script::EncodeOpN(int n)
{
    if (n == 0) return OP_0;
    return static_cast<opcodetype>(OP_1 + n - 1);
}

Script& Script::operator<<(opcodetype op)
{
    push_back(static_cast<unsigned char>(op));
    return *this;
}

Script& Script::operator<<(int64_t n)
{
    if (n == -1 || (n >= 1 && n <= 16)) {
        push_back(static_cast<unsigned char>(n + (OP_1 - 1)));
    } else if (n == 0) {
        push_back(OP_0);
    } else {
        *this << std::span<const unsigned char>(ScriptNum::Encode(n));
    }
    return *this;
}

Script& Script::operator<<(std::span<const unsigned char> data)
{
    const size_t n = data.size();
    if (n < OP_PUSHDATA1) {
        push_back(static_cast<unsigned char>(n));
    } else if (n <= 0xff) {
        push_back(OP_PUSHDATA1);
        push_back(static_cast<unsigned char>(n));
    } else if (n <= 0xffff) {
        push_back(OP_PUSHDATA2);
        for (int i = 0; i < 2; ++i) push_back(static_cast<unsigned char>(n >> (8 * i)));
    } else {
        push_back(OP_PUSHDATA4);
        for (int i = 0; i < 4; ++i) push_back(static_cast<unsigned char>(n >> (8 * i)));
    }
    insert(end(), data.begin(), data.end());
    return *this;
}

namespace {

// Shared by both GetOp overloads; push may be null when the caller does not
// want the data.
bool ReadOp(const Script& script, Script::const_iterator& pc, opcodetype& op, std::vector<unsigned char>* push)
{
    op = OP_INVALIDOPCODE;
    if (push) push->clear();
    const auto end = script.end();
    if (pc >= end) return false;
    const unsigned char opcode = *pc++;
    if (opcode <= OP_PUSHDATA4) {
        size_t size;
        if (opcode < OP_PUSHDATA1) {
            size = opcode;
        } else {
            const int length_bytes = opcode == OP_PUSHDATA1 ? 1 : opcode == OP_PUSHDATA2 ? 2 : 4;
            if (end - pc < length_bytes) return false;
            size = ReadLittleEndian(pc, length_bytes);
            pc += length_bytes;
        }
        if (static_cast<size_t>(end - pc) < size) return false;
        if (push) push->assign(pc, pc + size);
        pc += size;
    }
    op = static_cast<opcodetype>(opcode);
    return true;
}

} // namespace

bool Script::GetOp(const_iterator& pc, opcodetype& op, std::vector<unsigned char>& push) const
{
    return ReadOp(*this, pc, op, &push);
}

bool Script::GetOp(const_iterator& pc, opcodetype& op) const
{
    return ReadOp(*this, pc, op, nullptr);
}

bool Script::IsPayToScriptHash() const
{
    return size() == 23 && (*this)[0] == OP_HASH160 && (*this)[1] == 20 && (*this)[22] == OP_EQUAL;
}

bool Script::IsPayToWitnessScriptHash() const
{
    return size() == 34 && (*this)[0] == OP_0 && (*this)[1] == 32;
}

bool Script::IsPayToTaproot() const
{
    return size() == 34 && (*this)[0] == OP_1 && (*this)[1] == 32;
}

bool Script::IsWitnessProgram(int& version, std::vector<unsigned char>& program) const
{
    if (size() < 4 || size() > 42) return false;
    const unsigned char v = (*this)[0];
    if (v != OP_0 && (v < OP_1 || v > OP_16)) return false;
    if (static_cast<size_t>((*this)[1]) + 2 != size()) return false;
    version = DecodeOpN(static_cast<opcodetype>(v));
    program.assign(begin() + 2, end());
    return true;
}

bool Script::IsPushOnly(const_iterator pc) const
{
    opcodetype op;
    while (pc < end()) {
        if (!GetOp(pc, op)) return false;
        if (op > OP_16) return false;
    }
    return true;
}

bool Script::IsPushOnly() const
{
    return IsPushOnly(begin());
}

bool Script::HasValidOps() const
{
    const_iterator pc = begin();
    opcodetype op;
    while (pc < end()) {
        if (!GetOp(pc, op) || op > MAX_OPCODE) return false;
    }
    return true;
}

bool Script::IsUnspendable() const
{
    return (!empty() && (*this)[0] == OP_RETURN) || size() > MAX_SCRIPT_SIZE;
}

unsigned Script::GetSigOpCount(bool accurate) const
{
    unsigned count = 0;
    const_iterator pc = begin();
    opcodetype previous = OP_INVALIDOPCODE;
    opcodetype op;
    while (pc < end()) {
        if (!GetOp(pc, op)) break;
        if (op == OP_CHECKSIG || op == OP_CHECKSIGVERIFY) {
            ++count;
        } else if (op == OP_CHECKMULTISIG || op == OP_CHECKMULTISIGVERIFY) {
            if (accurate && previous >= OP_1 && previous <= OP_16) {
                count += DecodeOpN(previous);
            } else {
                count += MAX_PUBKEYS_PER_MULTISIG;
            }
        }
        previous = op;
    }
    return count;
}

unsigned Script::GetSigOpCount(const Script& script_sig) const
{
    if (!IsPayToScriptHash()) return GetSigOpCount(true);
    // The redeem script is the last push of a push-only scriptSig; anything
    // else cannot satisfy P2SH and counts nothing.
    const_iterator pc = script_sig.begin();
    std::vector<unsigned char> last_push;
    opcodetype op;
    while (pc < script_sig.end()) {
        if (!script_sig.GetOp(pc, op, last_push)) return 0;
        if (op > OP_16) return 0;
    }
    return Script(last_push.begin(), last_push.end()).GetSigOpCount(true);
}

// ---------------------------------------------------------------------------
// ScriptBytes storage

unsigned char* ScriptBytes::HeapPointer() const noexcept
{
    unsigned char* p;
    std::memcpy(&p, m_buf, sizeof(p));
    return p;
}

uint32_t ScriptBytes::HeapSize() const noexcept
{
    uint32_t n;
    std::memcpy(&n, m_buf + SIZE_AT, sizeof(n));
    return n;
}

uint32_t ScriptBytes::HeapCapacity() const noexcept
{
    uint32_t n;
    std::memcpy(&n, m_buf + CAPACITY_AT, sizeof(n));
    return n;
}

void ScriptBytes::SetHeap(unsigned char* p, size_t size, size_t capacity) noexcept
{
    const uint32_t size32 = static_cast<uint32_t>(size);
    const uint32_t capacity32 = static_cast<uint32_t>(capacity);
    std::memcpy(m_buf, &p, sizeof(p));
    std::memcpy(m_buf + SIZE_AT, &size32, sizeof(size32));
    std::memcpy(m_buf + CAPACITY_AT, &capacity32, sizeof(capacity32));
    m_tag = HEAP;
}

void ScriptBytes::SetSize(size_t n) noexcept
{
    if (IsHeap()) {
        const uint32_t n32 = static_cast<uint32_t>(n);
        std::memcpy(m_buf + SIZE_AT, &n32, sizeof(n32));
    } else {
        m_tag = static_cast<uint8_t>(n);
    }
}

void ScriptBytes::Reallocate(size_t capacity)
{
    const size_t n = size();
    if (capacity < n) capacity = n;
    if (capacity <= INLINE_CAPACITY) {
        if (!IsHeap()) return;
        unsigned char* old = HeapPointer();
        std::memcpy(m_buf, old, n);
        std::free(old);
        m_tag = static_cast<uint8_t>(n);
        return;
    }
    if (capacity > max_size()) throw std::length_error("script too large");
    unsigned char* p = static_cast<unsigned char*>(std::malloc(capacity));
    if (!p) throw std::bad_alloc();
    std::memcpy(p, data(), n);
    ReleaseHeap();
    SetHeap(p, n, capacity);
}

void ScriptBytes::ReleaseHeap() noexcept
{
    if (IsHeap()) std::free(HeapPointer());
    m_tag = 0;
}

void ScriptBytes::TakeFrom(ScriptBytes& other) noexcept
{
    std::memcpy(m_buf, other.m_buf, sizeof(m_buf));
    m_tag = other.m_tag;
    other.m_tag = 0;
}

size_t ScriptBytes::Grown(size_t needed) noexcept
{
    return std::max(needed, std::max<size_t>(2 * INLINE_CAPACITY + 2, needed + needed / 2));
}

unsigned char* ScriptBytes::MakeGap(size_t offset, size_t n)
{
    const size_t old = size();
    if (old + n > capacity()) Reallocate(Grown(old + n));
    unsigned char* base = data();
    std::copy_backward(base + offset, base + old, base + old + n);
    SetSize(old + n);
    return base + offset;
}

unsigned char& ScriptBytes::at(size_t i)
{
    if (i >= size()) throw std::out_of_range("ScriptBytes::at");
    return data()[i];
}

const unsigned char& ScriptBytes::at(size_t i) const
{
    if (i >= size()) throw std::out_of_range("ScriptBytes::at");
    return data()[i];
}
