#pragma once

// Sha256D64's rounds written once for any number of lanes, each SIMD lane
// hashing its own input (word i of every input in one register). `Ops`
// supplies the vector type and its operations for one instruction set.
//
// Include only from a file compiled for that instruction set, with Ops
// declared in an anonymous namespace: every instantiation then has internal
// linkage, so code for one instruction set never replaces another's at link
// time. For the same reason this header holds templates only.

#include <crypto/sha256_backend.h>

namespace sha256_backend::multiway {

template <typename Ops>
struct State {
    typename Ops::Vec v[8]; // v[i] = word i (a..h) of every lane
};

template <typename Ops>
State<Ops> InitialState()
{
    State<Ops> s;
    for (int i = 0; i < 8; ++i) s.v[i] = Ops::Broadcast(IV[i]);
    return s;
}

// One round for all lanes; the caller rotates the roles of a..h.
template <typename Ops, typename Vec = typename Ops::Vec>
inline void Round(Vec a, Vec b, Vec c, Vec& d, Vec e, Vec f, Vec g, Vec& h, Vec wk)
{
    const Vec t1 = Ops::Add(Ops::Add(h, Ops::BigSigma1(e)), Ops::Add(Ops::Choose(e, f, g), wk));
    const Vec t2 = Ops::Add(Ops::BigSigma0(a), Ops::Majority(a, b, c));
    d = Ops::Add(d, t1);
    h = Ops::Add(t1, t2);
}

// 64 rounds plus the feed-forward; wk(t) yields W[t] + K[t] for all lanes.
template <typename Ops, typename WordSource>
inline void Compress(State<Ops>& state, WordSource wk)
{
    using Vec = typename Ops::Vec;
    Vec a = state.v[0], b = state.v[1], c = state.v[2], d = state.v[3];
    Vec e = state.v[4], f = state.v[5], g = state.v[6], h = state.v[7];
#pragma GCC unroll 8
    for (int t = 0; t < 64; t += 8) {
        Round<Ops>(a, b, c, d, e, f, g, h, wk(t + 0));
        Round<Ops>(h, a, b, c, d, e, f, g, wk(t + 1));
        Round<Ops>(g, h, a, b, c, d, e, f, wk(t + 2));
        Round<Ops>(f, g, h, a, b, c, d, e, wk(t + 3));
        Round<Ops>(e, f, g, h, a, b, c, d, wk(t + 4));
        Round<Ops>(d, e, f, g, h, a, b, c, wk(t + 5));
        Round<Ops>(c, d, e, f, g, h, a, b, wk(t + 6));
        Round<Ops>(b, c, d, e, f, g, h, a, wk(t + 7));
    }
    const Vec out[8] = {a, b, c, d, e, f, g, h};
    for (int i = 0; i < 8; ++i) state.v[i] = Ops::Add(state.v[i], out[i]);
}

// The message schedule, W[t] overwriting W[t-16].
template <typename Ops>
class Schedule {
public:
    using Vec = typename Ops::Vec;
    explicit Schedule(const Vec (&block)[16])
    {
        for (int i = 0; i < 16; ++i) m_w[i] = block[i];
    }
    Vec operator()(int t)
    {
        if (t >= 16) {
            m_w[t & 15] = Ops::Add(Ops::Add(m_w[t & 15], Ops::SmallSigma0(m_w[(t - 15) & 15])),
                                   Ops::Add(m_w[(t - 7) & 15], Ops::SmallSigma1(m_w[(t - 2) & 15])));
        }
        return Ops::Add(m_w[t & 15], Ops::Broadcast(K[t]));
    }

private:
    Vec m_w[16];
};

// SHA256(SHA256(block)) in every lane; `block` holds the 16 message words
// (already big-endian decoded) and is overwritten.
template <typename Ops>
State<Ops> DoubleHash(typename Ops::Vec (&block)[16])
{
    State<Ops> inner = InitialState<Ops>();
    Compress(inner, Schedule<Ops>(block));
    // The padding block of a 64-byte message: its W + K are constants.
    Compress(inner, [](int t) { return Ops::Broadcast(PADDING_64_WK[t]); });

    // Second hash: the 32-byte digest, 0x80, zeros, bit length 256.
    for (int i = 0; i < 8; ++i) block[i] = inner.v[i];
    block[8] = Ops::Broadcast(0x80000000);
    for (int i = 9; i < 15; ++i) block[i] = Ops::Broadcast(0);
    block[15] = Ops::Broadcast(256);
    State<Ops> outer = InitialState<Ops>();
    Compress(outer, Schedule<Ops>(block));
    return outer;
}

} // namespace sha256_backend::multiway
