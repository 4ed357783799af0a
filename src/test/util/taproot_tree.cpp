#include <test/util/taproot_tree.h>

#include <crypto/hash.h>

#include <algorithm>
#include <string>

namespace test_util {

namespace {

void WriteCompactSize(Sha256& hasher, uint64_t n)
{
    unsigned char buf[9];
    size_t len = 0;
    if (n < 0xfd) {
        buf[len++] = static_cast<unsigned char>(n);
    } else {
        const int width = n <= 0xffff ? 2 : n <= 0xffffffff ? 4 : 8;
        buf[len++] = width == 2 ? 0xfd : width == 4 ? 0xfe : 0xff;
        for (int i = 0; i < width; ++i) buf[len++] = static_cast<unsigned char>(n >> (8 * i));
    }
    hasher.Write(std::span<const unsigned char>{buf, len});
}

uint256 Finish(const Sha256& hasher)
{
    uint256 out;
    hasher.Finalize(std::span<unsigned char, 32>{out.data(), 32});
    return out;
}

} // namespace

uint256 TapLeafHash(uint8_t leaf_version, std::span<const unsigned char> script)
{
    Sha256 hasher = TaggedHasher("TapLeaf");
    const unsigned char version[1] = {leaf_version};
    hasher.Write(version);
    WriteCompactSize(hasher, script.size());
    hasher.Write(script);
    return Finish(hasher);
}

uint256 TapBranchHash(const uint256& a, const uint256& b)
{
    Sha256 hasher = TaggedHasher("TapBranch");
    const bool a_first = std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
    const uint256& first = a_first ? a : b;
    const uint256& second = a_first ? b : a;
    hasher.Write(std::span<const unsigned char>{first.begin(), 32});
    hasher.Write(std::span<const unsigned char>{second.begin(), 32});
    return Finish(hasher);
}

uint256 TapTweakHash(std::span<const unsigned char, 32> internal_key, const uint256* merkle_root)
{
    Sha256 hasher = TaggedHasher("TapTweak");
    hasher.Write(internal_key);
    if (merkle_root != nullptr) hasher.Write(std::span<const unsigned char>{merkle_root->begin(), 32});
    return Finish(hasher);
}

std::vector<unsigned char> MakeControlBlock(uint8_t leaf_version, bool output_key_parity,
                                            std::span<const unsigned char, 32> internal_key,
                                            const std::vector<uint256>& path)
{
    // Sized up front (rather than grown) so each part is a plain copy to its offset.
    std::vector<unsigned char> block(1 + 32 + 32 * path.size());
    block[0] = static_cast<unsigned char>(leaf_version | (output_key_parity ? 1 : 0));
    std::copy(internal_key.begin(), internal_key.end(), block.begin() + 1);
    for (size_t i = 0; i < path.size(); ++i) std::copy(path[i].begin(), path[i].end(), block.begin() + 33 + 32 * i);
    return block;
}

std::string BytesHex(std::span<const unsigned char> bytes)
{
    static constexpr char DIGITS[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char b : bytes) {
        out.push_back(DIGITS[b >> 4]);
        out.push_back(DIGITS[b & 15]);
    }
    return out;
}

} // namespace test_util
