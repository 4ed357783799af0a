#pragma once

// Fixed-endian loads and stores of integers at unaligned addresses. The hash
// specifications define their words as big-endian (SHA-2) or little-endian
// (RIPEMD-160, SipHash) byte strings; memcpy plus a byte swap compiles to one
// load and one bswap (or movbe).

#include <bit>
#include <cstdint>
#include <cstring>

namespace byte_order {

template <typename T>
inline T Load(const unsigned char* p)
{
    T v;
    std::memcpy(&v, p, sizeof(v));
    return v;
}

template <typename T>
inline void Store(unsigned char* p, T v)
{
    std::memcpy(p, &v, sizeof(v));
}

// std::byteswap is C++23; the builtins are what it would compile to.
inline uint32_t ByteSwap(uint32_t v) { return __builtin_bswap32(v); }
inline uint64_t ByteSwap(uint64_t v) { return __builtin_bswap64(v); }

template <typename T>
inline T ToBig(T v)
{
    if constexpr (std::endian::native == std::endian::little) return ByteSwap(v);
    return v;
}

template <typename T>
inline T ToLittle(T v)
{
    if constexpr (std::endian::native == std::endian::big) return ByteSwap(v);
    return v;
}

inline uint32_t ReadBE32(const unsigned char* p) { return ToBig(Load<uint32_t>(p)); }
inline uint64_t ReadBE64(const unsigned char* p) { return ToBig(Load<uint64_t>(p)); }
inline uint32_t ReadLE32(const unsigned char* p) { return ToLittle(Load<uint32_t>(p)); }
inline uint64_t ReadLE64(const unsigned char* p) { return ToLittle(Load<uint64_t>(p)); }
inline void WriteBE32(unsigned char* p, uint32_t v) { Store(p, ToBig(v)); }
inline void WriteBE64(unsigned char* p, uint64_t v) { Store(p, ToBig(v)); }
inline void WriteLE32(unsigned char* p, uint32_t v) { Store(p, ToLittle(v)); }
inline void WriteLE64(unsigned char* p, uint64_t v) { Store(p, ToLittle(v)); }

} // namespace byte_order
