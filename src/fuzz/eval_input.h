#ifndef BITCOIN_FUZZ_EVAL_INPUT_H
#define BITCOIN_FUZZ_EVAL_INPUT_H

// The byte layout of fuzz_script_eval's input, shared with the seed
// generator so seeds are encoded the way the target decodes them.

#include <script/script.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

namespace fuzz {

struct EvalInput {
    uint32_t flags = 0;
    uint8_t sigversion = 0; // EvalScript mode: 0 BASE, 1 WITNESS_V0, 2 TAPROOT, 3 TAPSCRIPT
    bool verify = false;    // VerifyScript mode
    bool real_checker = false; // TransactionSignatureChecker instead of the dummy
    Script script;          // EvalScript mode
    Script script_sig;      // VerifyScript mode
    Script script_pubkey;
    ScriptWitness witness;
};

inline constexpr uint8_t MODE_VERIFY = 4;
inline constexpr uint8_t MODE_REAL_CHECKER = 8;

inline EvalInput ParseEvalInput(std::span<const unsigned char> data)
{
    EvalInput in;
    if (data.size() < 5) return in;
    in.flags = uint32_t{data[0]} | uint32_t{data[1]} << 8 | uint32_t{data[2]} << 16 | uint32_t{data[3]} << 24;
    in.sigversion = data[4] & 3;
    in.verify = (data[4] & MODE_VERIFY) != 0;
    in.real_checker = (data[4] & MODE_REAL_CHECKER) != 0;
    data = data.subspan(5);
    if (!in.verify) {
        in.script.assign(data.begin(), data.end());
        return in;
    }
    std::vector<std::vector<unsigned char>> pieces;
    while (data.size() >= 2) {
        const size_t len = std::min<size_t>(data[0] | size_t{data[1]} << 8, data.size() - 2);
        pieces.emplace_back(data.begin() + 2, data.begin() + 2 + len);
        data = data.subspan(2 + len);
    }
    if (!pieces.empty()) in.script_sig.assign(pieces[0].begin(), pieces[0].end());
    if (pieces.size() > 1) in.script_pubkey.assign(pieces[1].begin(), pieces[1].end());
    for (size_t i = 2; i < pieces.size(); ++i) in.witness.stack.push_back(std::move(pieces[i]));
    return in;
}

inline void AppendPiece(std::vector<unsigned char>& out, std::span<const unsigned char> piece)
{
    const size_t len = std::min<size_t>(piece.size(), 0xffff);
    out.push_back(static_cast<unsigned char>(len & 0xff));
    out.push_back(static_cast<unsigned char>(len >> 8));
    out.insert(out.end(), piece.begin(), piece.begin() + len);
}

inline std::vector<unsigned char> EncodeEvalInput(uint32_t flags, uint8_t mode)
{
    return {static_cast<unsigned char>(flags), static_cast<unsigned char>(flags >> 8),
            static_cast<unsigned char>(flags >> 16), static_cast<unsigned char>(flags >> 24), mode};
}

} // namespace fuzz

#endif
