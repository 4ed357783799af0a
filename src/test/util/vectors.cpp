#include <test/util/vectors.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <stdexcept>

#ifndef SHARED_TESTVECTORS_DIR
#error "SHARED_TESTVECTORS_DIR must be defined by the build"
#endif

namespace test_util {

std::string VectorPath(std::string_view relative)
{
    return std::string{SHARED_TESTVECTORS_DIR} + "/" + std::string{relative};
}

std::vector<unsigned char> ReadVectorBytes(std::string_view relative)
{
    const std::string path = VectorPath(relative);
    std::ifstream file{path, std::ios::binary};
    if (!file) throw std::runtime_error("cannot open test vector file " + path);
    return {std::istreambuf_iterator<char>{file}, std::istreambuf_iterator<char>{}};
}

nlohmann::json ReadVectorJson(std::string_view relative)
{
    const std::string path = VectorPath(relative);
    std::ifstream file{path};
    if (!file) throw std::runtime_error("cannot open test vector file " + path);
    try {
        return nlohmann::json::parse(file);
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error("bad JSON in " + path + ": " + e.what());
    }
}

static int HexDigitValue(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::vector<unsigned char> HexToBytes(std::string_view hex)
{
    if (hex.size() % 2 != 0) throw std::invalid_argument("odd-length hex: " + std::string{hex});
    std::vector<unsigned char> out;
    out.reserve(hex.size() / 2);
    for (size_t i = 0; i < hex.size(); i += 2) {
        const int hi = HexDigitValue(hex[i]);
        const int lo = HexDigitValue(hex[i + 1]);
        if (hi < 0 || lo < 0) throw std::invalid_argument("bad hex digit in: " + std::string{hex});
        out.push_back(static_cast<unsigned char>(hi << 4 | lo));
    }
    return out;
}

int64_t BtcToSatoshis(double btc)
{
    return static_cast<int64_t>(std::llround(btc * 100'000'000.0));
}

} // namespace test_util
