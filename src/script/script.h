#pragma once

// Script as a byte string: opcodes, parsing one operation at a time,
// construction helpers and the template checks consensus needs (P2SH,
// witness programs, sigop counting). Evaluation lives in interpreter.h.

#include <serialize.h>

#include <algorithm>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// Consensus limits on scripts.
static constexpr unsigned MAX_SCRIPT_SIZE = 10000;
static constexpr unsigned MAX_SCRIPT_ELEMENT_SIZE = 520;
static constexpr unsigned MAX_OPS_PER_SCRIPT = 201;
static constexpr unsigned MAX_PUBKEYS_PER_MULTISIG = 20;

// nLockTime (and CHECKLOCKTIMEVERIFY's argument) below this is a block
// height, at or above it a UNIX time.
static constexpr uint32_t LOCKTIME_THRESHOLD = 500000000;

enum opcodetype : uint8_t {
    // push value
    OP_0 = 0x00,
    OP_FALSE = OP_0,
    OP_PUSHDATA1 = 0x4c,
    OP_PUSHDATA2 = 0x4d,
    OP_PUSHDATA4 = 0x4e,
    OP_1NEGATE = 0x4f,
    OP_RESERVED = 0x50,
    OP_1 = 0x51,
    OP_TRUE = OP_1,
    OP_2 = 0x52,
    OP_3 = 0x53,
    OP_4 = 0x54,
    OP_5 = 0x55,
    OP_6 = 0x56,
    OP_7 = 0x57,
    OP_8 = 0x58,
    OP_9 = 0x59,
    OP_10 = 0x5a,
    OP_11 = 0x5b,
    OP_12 = 0x5c,
    OP_13 = 0x5d,
    OP_14 = 0x5e,
    OP_15 = 0x5f,
    OP_16 = 0x60,

    // control
    OP_NOP = 0x61,
    OP_VER = 0x62,
    OP_IF = 0x63,
    OP_NOTIF = 0x64,
    OP_VERIF = 0x65,
    OP_VERNOTIF = 0x66,
    OP_ELSE = 0x67,
    OP_ENDIF = 0x68,
    OP_VERIFY = 0x69,
    OP_RETURN = 0x6a,

    // stack
    OP_TOALTSTACK = 0x6b,
    OP_FROMALTSTACK = 0x6c,
    OP_2DROP = 0x6d,
    OP_2DUP = 0x6e,
    OP_3DUP = 0x6f,
    OP_2OVER = 0x70,
    OP_2ROT = 0x71,
    OP_2SWAP = 0x72,
    OP_IFDUP = 0x73,
    OP_DEPTH = 0x74,
    OP_DROP = 0x75,
    OP_DUP = 0x76,
    OP_NIP = 0x77,
    OP_OVER = 0x78,
    OP_PICK = 0x79,
    OP_ROLL = 0x7a,
    OP_ROT = 0x7b,
    OP_SWAP = 0x7c,
    OP_TUCK = 0x7d,

    // splice
    OP_CAT = 0x7e,
    OP_SUBSTR = 0x7f,
    OP_LEFT = 0x80,
    OP_RIGHT = 0x81,
    OP_SIZE = 0x82,

    // bit logic
    OP_INVERT = 0x83,
    OP_AND = 0x84,
    OP_OR = 0x85,
    OP_XOR = 0x86,
    OP_EQUAL = 0x87,
    OP_EQUALVERIFY = 0x88,
    OP_RESERVED1 = 0x89,
    OP_RESERVED2 = 0x8a,

    // numeric
    OP_1ADD = 0x8b,
    OP_1SUB = 0x8c,
    OP_2MUL = 0x8d,
    OP_2DIV = 0x8e,
    OP_NEGATE = 0x8f,
    OP_ABS = 0x90,
    OP_NOT = 0x91,
    OP_0NOTEQUAL = 0x92,
    OP_ADD = 0x93,
    OP_SUB = 0x94,
    OP_MUL = 0x95,
    OP_DIV = 0x96,
    OP_MOD = 0x97,
    OP_LSHIFT = 0x98,
    OP_RSHIFT = 0x99,
    OP_BOOLAND = 0x9a,
    OP_BOOLOR = 0x9b,
    OP_NUMEQUAL = 0x9c,
    OP_NUMEQUALVERIFY = 0x9d,
    OP_NUMNOTEQUAL = 0x9e,
    OP_LESSTHAN = 0x9f,
    OP_GREATERTHAN = 0xa0,
    OP_LESSTHANOREQUAL = 0xa1,
    OP_GREATERTHANOREQUAL = 0xa2,
    OP_MIN = 0xa3,
    OP_MAX = 0xa4,
    OP_WITHIN = 0xa5,

    // crypto
    OP_RIPEMD160 = 0xa6,
    OP_SHA1 = 0xa7,
    OP_SHA256 = 0xa8,
    OP_HASH160 = 0xa9,
    OP_HASH256 = 0xaa,
    OP_CODESEPARATOR = 0xab,
    OP_CHECKSIG = 0xac,
    OP_CHECKSIGVERIFY = 0xad,
    OP_CHECKMULTISIG = 0xae,
    OP_CHECKMULTISIGVERIFY = 0xaf,

    // expansion
    OP_NOP1 = 0xb0,
    OP_CHECKLOCKTIMEVERIFY = 0xb1,
    OP_NOP2 = OP_CHECKLOCKTIMEVERIFY,
    OP_CHECKSEQUENCEVERIFY = 0xb2,
    OP_NOP3 = OP_CHECKSEQUENCEVERIFY,
    OP_NOP4 = 0xb3,
    OP_NOP5 = 0xb4,
    OP_NOP6 = 0xb5,
    OP_NOP7 = 0xb6,
    OP_NOP8 = 0xb7,
    OP_NOP9 = 0xb8,
    OP_NOP10 = 0xb9,

    // tapscript (BIP342)
    OP_CHECKSIGADD = 0xba,

    OP_INVALIDOPCODE = 0xff,
};

// Highest opcode with a defined meaning outside tapscript.
static constexpr opcodetype MAX_OPCODE = OP_NOP10;

// Standard name: "OP_DUP", "OP_CHECKLOCKTIMEVERIFY", and "0", "-1", "1".."16"
// for the small-number pushes; "OP_UNKNOWN" for undefined bytes.
const char* GetOpName(opcodetype op);
// Inverse of GetOpName for defined opcodes; also accepts the name without
// "OP_" ("DUP") and the aliases OP_FALSE, OP_TRUE, OP_NOP2, OP_NOP3.
std::optional<opcodetype> OpcodeFromName(std::string_view name);

// The bytes of a script with the interface of std::vector<unsigned char>
// (iterators are pointers), kept inside the object up to INLINE_CAPACITY
// bytes: P2WPKH (22) and P2SH (23) output scripts need no heap block, which
// is what keeps a coin in the coins cache small. Longer scripts live on the
// heap. 24 bytes, like the vector it replaces.
class ScriptBytes {
public:
    using value_type = unsigned char;
    using size_type = size_t;
    using difference_type = std::ptrdiff_t;
    using reference = unsigned char&;
    using const_reference = const unsigned char&;
    using pointer = unsigned char*;
    using const_pointer = const unsigned char*;
    using iterator = unsigned char*;
    using const_iterator = const unsigned char*;
    using reverse_iterator = std::reverse_iterator<iterator>;
    using const_reverse_iterator = std::reverse_iterator<const_iterator>;

    static constexpr size_t INLINE_CAPACITY = 23;

    ScriptBytes() noexcept = default;
    explicit ScriptBytes(size_t n) { resize(n); }
    ScriptBytes(size_t n, unsigned char value) { assign(n, value); }
    template <std::input_iterator It>
    ScriptBytes(It first, It last) { assign(first, last); }
    ScriptBytes(std::initializer_list<unsigned char> bytes) { assign(bytes.begin(), bytes.end()); }
    ScriptBytes(const ScriptBytes& other) { assign(other.begin(), other.end()); }
    ScriptBytes(ScriptBytes&& other) noexcept { TakeFrom(other); }
    ~ScriptBytes() { ReleaseHeap(); }
    ScriptBytes& operator=(const ScriptBytes& other)
    {
        if (this != &other) assign(other.begin(), other.end());
        return *this;
    }
    ScriptBytes& operator=(ScriptBytes&& other) noexcept
    {
        if (this != &other) {
            ReleaseHeap();
            TakeFrom(other);
        }
        return *this;
    }
    ScriptBytes& operator=(std::initializer_list<unsigned char> bytes)
    {
        assign(bytes.begin(), bytes.end());
        return *this;
    }

    // Size and storage.
    size_t size() const noexcept { return IsHeap() ? HeapSize() : m_tag; }
    bool empty() const noexcept { return size() == 0; }
    size_t capacity() const noexcept { return IsHeap() ? HeapCapacity() : INLINE_CAPACITY; }
    size_t max_size() const noexcept { return UINT32_MAX; }
    // Bytes of the heap block (0 while the contents are inline).
    size_t heap_bytes() const noexcept { return IsHeap() ? HeapCapacity() : 0; }
    void reserve(size_t n)
    {
        if (n > capacity()) Reallocate(n);
    }
    void shrink_to_fit()
    {
        if (IsHeap() && HeapCapacity() > size()) Reallocate(size());
    }
    void clear() noexcept { SetSize(0); }
    void resize(size_t n) { resize(n, 0); }
    void resize(size_t n, unsigned char value)
    {
        const size_t old = size();
        if (n > old) {
            reserve(n);
            std::fill(data() + old, data() + n, value);
        }
        SetSize(n);
    }

    // Access.
    unsigned char* data() noexcept { return IsHeap() ? HeapPointer() : m_buf; }
    const unsigned char* data() const noexcept { return IsHeap() ? HeapPointer() : m_buf; }
    iterator begin() noexcept { return data(); }
    iterator end() noexcept { return data() + size(); }
    const_iterator begin() const noexcept { return data(); }
    const_iterator end() const noexcept { return data() + size(); }
    const_iterator cbegin() const noexcept { return begin(); }
    const_iterator cend() const noexcept { return end(); }
    reverse_iterator rbegin() noexcept { return reverse_iterator(end()); }
    reverse_iterator rend() noexcept { return reverse_iterator(begin()); }
    const_reverse_iterator rbegin() const noexcept { return const_reverse_iterator(end()); }
    const_reverse_iterator rend() const noexcept { return const_reverse_iterator(begin()); }
    unsigned char& operator[](size_t i) noexcept { return data()[i]; }
    const unsigned char& operator[](size_t i) const noexcept { return data()[i]; }
    unsigned char& at(size_t i);
    const unsigned char& at(size_t i) const;
    unsigned char& front() noexcept { return *data(); }
    const unsigned char& front() const noexcept { return *data(); }
    unsigned char& back() noexcept { return data()[size() - 1]; }
    const unsigned char& back() const noexcept { return data()[size() - 1]; }

    // Changing the contents.
    void push_back(unsigned char value)
    {
        const size_t n = size();
        if (n == capacity()) Reallocate(Grown(n + 1));
        data()[n] = value;
        SetSize(n + 1);
    }
    unsigned char& emplace_back(unsigned char value = 0)
    {
        push_back(value);
        return back();
    }
    void pop_back() noexcept { SetSize(size() - 1); }
    void assign(size_t n, unsigned char value)
    {
        clear();
        resize(n, value);
    }
    template <std::input_iterator It>
    void assign(It first, It last)
    {
        if constexpr (std::forward_iterator<It>) {
            if (Aliases(first)) {
                const std::vector<unsigned char> copy(first, last);
                assign(copy.begin(), copy.end());
                return;
            }
            const size_t n = static_cast<size_t>(std::distance(first, last));
            clear();
            reserve(n);
            std::copy(first, last, data());
            SetSize(n);
        } else {
            clear();
            for (; first != last; ++first) push_back(static_cast<unsigned char>(*first));
        }
    }
    void assign(std::initializer_list<unsigned char> bytes) { assign(bytes.begin(), bytes.end()); }
    iterator insert(const_iterator pos, unsigned char value) { return insert(pos, size_t{1}, value); }
    iterator insert(const_iterator pos, size_t n, unsigned char value)
    {
        unsigned char* at = MakeGap(static_cast<size_t>(pos - begin()), n);
        std::fill(at, at + n, value);
        return at;
    }
    template <std::input_iterator It>
    iterator insert(const_iterator pos, It first, It last)
    {
        const size_t offset = static_cast<size_t>(pos - begin());
        if constexpr (std::forward_iterator<It>) {
            if (Aliases(first)) {
                const std::vector<unsigned char> copy(first, last);
                return insert(begin() + offset, copy.begin(), copy.end());
            }
            const size_t n = static_cast<size_t>(std::distance(first, last));
            unsigned char* at = MakeGap(offset, n);
            std::copy(first, last, at);
            return at;
        } else {
            const std::vector<unsigned char> copy(first, last);
            return insert(begin() + offset, copy.begin(), copy.end());
        }
    }
    iterator insert(const_iterator pos, std::initializer_list<unsigned char> bytes)
    {
        return insert(pos, bytes.begin(), bytes.end());
    }
    iterator erase(const_iterator pos) { return erase(pos, pos + 1); }
    iterator erase(const_iterator first, const_iterator last)
    {
        unsigned char* const base = data();
        const size_t from = static_cast<size_t>(first - base);
        const size_t count = static_cast<size_t>(last - first);
        const size_t n = size();
        std::copy(base + from + count, base + n, base + from);
        SetSize(n - count);
        return base + from;
    }
    void swap(ScriptBytes& other) noexcept
    {
        ScriptBytes tmp(std::move(other));
        other = std::move(*this);
        *this = std::move(tmp);
    }
    friend void swap(ScriptBytes& a, ScriptBytes& b) noexcept { a.swap(b); }

    // A copy as a plain byte vector (for interfaces that take one).
    operator std::vector<unsigned char>() const { return std::vector<unsigned char>(begin(), end()); }

    friend bool operator==(const ScriptBytes& a, const ScriptBytes& b) noexcept
    {
        return std::equal(a.begin(), a.end(), b.begin(), b.end());
    }
    friend std::strong_ordering operator<=>(const ScriptBytes& a, const ScriptBytes& b) noexcept
    {
        return std::lexicographical_compare_three_way(a.begin(), a.end(), b.begin(), b.end());
    }
    friend bool operator==(const ScriptBytes& a, const std::vector<unsigned char>& b) noexcept
    {
        return std::equal(a.begin(), a.end(), b.begin(), b.end());
    }

    // Serialized as a byte vector: CompactSize length, then the bytes.
    template <typename Stream>
    void Serialize(Stream& s) const
    {
        WriteCompactSize(s, size());
        s.write(std::span<const unsigned char>(data(), size()));
    }
    template <typename Stream>
    void Unserialize(Stream& s)
    {
        serialize_detail::ReadBytesChunked(s, *this, ReadCompactSize(s));
    }

private:
    // m_tag up to INLINE_CAPACITY: the contents are inline, m_tag is their
    // size. HEAP: m_buf holds the heap pointer, the size and the capacity
    // (copied in and out, as m_buf has no alignment).
    static constexpr uint8_t HEAP = 0xff;
    static constexpr size_t SIZE_AT = sizeof(unsigned char*);
    static constexpr size_t CAPACITY_AT = SIZE_AT + sizeof(uint32_t);

    bool IsHeap() const noexcept { return m_tag == HEAP; }
    unsigned char* HeapPointer() const noexcept;
    uint32_t HeapSize() const noexcept;
    uint32_t HeapCapacity() const noexcept;
    void SetHeap(unsigned char* p, size_t size, size_t capacity) noexcept;
    void SetSize(size_t n) noexcept;
    // Moves the contents to storage for `capacity` bytes (inline when they fit).
    void Reallocate(size_t capacity);
    void ReleaseHeap() noexcept;
    void TakeFrom(ScriptBytes& other) noexcept;
    static size_t Grown(size_t needed) noexcept;
    // Opens n bytes at offset; returns where they start.
    unsigned char* MakeGap(size_t offset, size_t n);
    template <typename It>
    bool Aliases(It it) const noexcept
    {
        if constexpr (std::is_pointer_v<It>) {
            const unsigned char* p = reinterpret_cast<const unsigned char*>(it);
            return std::less_equal<>()(data(), p) && std::less<>()(p, data() + capacity());
        } else {
            return false;
        }
    }

    unsigned char m_buf[INLINE_CAPACITY]{};
    uint8_t m_tag = 0;
};
static_assert(sizeof(ScriptBytes) == 24);

class Script : public ScriptBytes {
public:
    using ScriptBytes::ScriptBytes;
    Script() = default;
    explicit Script(std::span<const unsigned char> bytes) : ScriptBytes(bytes.begin(), bytes.end()) {}

    // Appends an opcode byte.
    Script& operator<<(opcodetype op);
    // Appends a number the way scripts push numbers: OP_0, OP_1NEGATE,
    // OP_1..OP_16, or the minimal script-number encoding as data.
    Script& operator<<(int64_t n);
    // Appends data with the smallest push opcode for its length.
    Script& operator<<(std::span<const unsigned char> data);
    // Concatenating scripts with << would push the second one as data.
    Script& operator<<(const Script&) = delete;

    // Reads the operation at pc and advances pc past it. Returns false (with
    // op = OP_INVALIDOPCODE) at the end or at a push running past the end.
    bool GetOp(const_iterator& pc, opcodetype& op, std::vector<unsigned char>& push) const;
    bool GetOp(const_iterator& pc, opcodetype& op) const;

    // OP_HASH160 <20 bytes> OP_EQUAL (BIP16).
    bool IsPayToScriptHash() const;
    // OP_0 <32 bytes> (BIP141).
    bool IsPayToWitnessScriptHash() const;
    // OP_1 <32 bytes> (BIP341).
    bool IsPayToTaproot() const;
    // A version byte (OP_0, OP_1..OP_16) followed by one direct push of 2 to
    // 40 bytes and nothing else (BIP141).
    bool IsWitnessProgram(int& version, std::vector<unsigned char>& program) const;

    // Only pushes (opcodes up to OP_16, OP_RESERVED included) from pc on.
    bool IsPushOnly(const_iterator pc) const;
    bool IsPushOnly() const;
    // Every operation parses and is a defined opcode (<= MAX_OPCODE).
    bool HasValidOps() const;

    // Provably unspendable: starts with OP_RETURN or exceeds MAX_SCRIPT_SIZE.
    bool IsUnspendable() const;

    // Legacy sigop count. CHECKMULTISIG counts 20, or with `accurate` the
    // preceding OP_1..OP_16 when there is one. Counting stops at a malformed push.
    unsigned GetSigOpCount(bool accurate) const;
    // For a P2SH scriptPubKey: the accurate count of the redeem script (the
    // last push of script_sig). For anything else GetSigOpCount(true).
    unsigned GetSigOpCount(const Script& script_sig) const;

    static int DecodeOpN(opcodetype op);
    static opcodetype EncodeOpN(int n);
};

// The witness stack of one input (BIP141).
struct ScriptWitness {
    std::vector<std::vector<unsigned char>> stack;

    bool IsNull() const { return stack.empty(); }
    void SetNull() { stack.clear(); }

    friend bool operator==(const ScriptWitness&, const ScriptWitness&) = default;
};
