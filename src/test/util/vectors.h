#ifndef BITCOIN_TEST_UTIL_VECTORS_H
#define BITCOIN_TEST_UTIL_VECTORS_H

// Access to the shared test vectors (../shared/testvectors), read at run time
// so the project never carries a copy of them.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace test_util {

// Absolute path of a file below SHARED_TESTVECTORS_DIR, e.g. "core/script_tests.json".
std::string VectorPath(std::string_view relative);

// Whole file as bytes or parsed JSON; throws std::runtime_error naming the file.
std::vector<unsigned char> ReadVectorBytes(std::string_view relative);
nlohmann::json ReadVectorJson(std::string_view relative);

// Hex text of a vector to bytes; throws std::invalid_argument on odd length or a non-hex digit.
std::vector<unsigned char> HexToBytes(std::string_view hex);

// Amounts in the JSON files are written in BTC (0.00000001); rounded to satoshis.
int64_t BtcToSatoshis(double btc);

} // namespace test_util

#endif
