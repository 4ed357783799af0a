#include <consensus/pow.h>

std::optional<arith_uint256> DeriveTarget(uint32_t bits, const uint256& pow_limit)
{
    bool negative = false;
    bool overflow = false;
    arith_uint256 target;
    target.SetCompact(bits, &negative, &overflow);
    if (negative || overflow || target == 0 || target > UintToArith256(pow_limit)) return std::nullopt;
    return target;
}

bool CheckProofOfWork(const uint256& hash, uint32_t bits, const uint256& pow_limit)
{
    const std::optional<arith_uint256> target = DeriveTarget(bits, pow_limit);
    return target && UintToArith256(hash) <= *target;
}

arith_uint256 GetBlockProof(uint32_t bits)
{
    bool negative = false;
    bool overflow = false;
    arith_uint256 target;
    target.SetCompact(bits, &negative, &overflow);
    if (negative || overflow || target == 0) return 0;
    // 2^256 / (target + 1) does not fit the type; it equals
    // (2^256 - target - 1) / (target + 1) + 1 = ~target / (target + 1) + 1.
    return (~target / (target + 1)) + 1;
}
