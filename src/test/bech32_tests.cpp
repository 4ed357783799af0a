// Bech32 and bech32m strings (BIP173, BIP350) and segwit addresses, over the
// vectors of both BIPs in bips/bech32_bip173_bip350_test_vectors.json.
#include <script/address.h>
#include <test/util/vectors.h>
#include <util/bech32.h>
#include <util/strencodings.h>

#include <boost/test/unit_test.hpp>

#include <map>
#include <random>
#include <string>

namespace {

const nlohmann::json& vectors()
{
    static const nlohmann::json json = test_util::ReadVectorJson("bips/bech32_bip173_bip350_test_vectors.json");
    return json;
}

// The exact bytes of a test string (some hold 0x7F..0xFF, which the JSON
// strings carry as Latin-1 code points).
std::string exact_string(const nlohmann::json& entry)
{
    const auto bytes = test_util::HexToBytes(entry.at("hex").get<std::string>());
    return std::string(bytes.begin(), bytes.end());
}

std::string lower(std::string s)
{
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string upper(std::string s)
{
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

void check_valid_strings(const nlohmann::json& list, Bech32Encoding expected)
{
    size_t index = 0;
    for (const auto& entry : list) {
        const std::string str = exact_string(entry);
        BOOST_TEST_CONTEXT("vector " << index++ << " \"" << str << "\"")
        {
            const Bech32Decoded decoded = Bech32Decode(str);
            BOOST_CHECK(decoded.encoding == expected);
            // Re-encoding gives the lower-case form of the string back.
            BOOST_CHECK_EQUAL(Bech32Encode(expected, decoded.hrp, decoded.data), lower(str));
            BOOST_CHECK(Bech32LocateErrors(str).message.empty());
            // Every single substituted data character is detected and located.
            const size_t separator = str.rfind('1');
            for (size_t pos = separator + 1; pos < str.size(); ++pos) {
                std::string damaged = lower(str);
                damaged[pos] = damaged[pos] == 'q' ? 'p' : 'q';
                BOOST_TEST_CONTEXT("substitution at " << pos)
                {
                    BOOST_CHECK(Bech32Decode(damaged).encoding == Bech32Encoding::INVALID);
                    const auto report = Bech32LocateErrors(damaged);
                    BOOST_CHECK_EQUAL(report.message, "Invalid checksum");
                    BOOST_CHECK(report.positions == std::vector<size_t>{pos});
                }
            }
        }
    }
}

// Our error message for each reason the BIPs give.
const std::map<std::string, std::string>& expected_messages()
{
    static const std::map<std::string, std::string> messages{
        {"HRP character out of range", "Invalid character"},
        {"overall max length exceeded", "Bech32 string too long"},
        {"No separator character", "Missing separator"},
        {"Empty HRP", "Empty human-readable part"},
        {"empty HRP", "Empty human-readable part"},
        {"Invalid data character", "Invalid data character"},
        {"Too short checksum", "Invalid separator position"},
        {"checksum calculated with uppercase form of HRP", "Invalid checksum"},
    };
    return messages;
}

void check_invalid_strings(const nlohmann::json& list)
{
    size_t index = 0;
    for (const auto& entry : list) {
        const std::string str = exact_string(entry);
        const std::string reason = entry.at("reason").get<std::string>();
        BOOST_TEST_CONTEXT("vector " << index++ << " hex " << entry.at("hex").get<std::string>() << " (" << reason << ")")
        {
            BOOST_CHECK(Bech32Decode(str).encoding == Bech32Encoding::INVALID);
            const auto report = Bech32LocateErrors(str);
            BOOST_CHECK(!report.message.empty());
            if (reason == "Invalid character in checksum") {
                // 0xFF is outside the printable range; 'i', 'o' are not in the alphabet.
                BOOST_CHECK(report.message == "Invalid character" || report.message == "Invalid data character");
                BOOST_CHECK(report.positions == std::vector<size_t>{str.size() - 1} ||
                            report.positions.size() == 1);
            } else {
                BOOST_CHECK_EQUAL(report.message, expected_messages().at(reason));
            }
        }
    }
}

const AddressParams* params_for_hrp(const std::string& hrp)
{
    for (auto network : {AddressNetwork::MAIN, AddressNetwork::TEST, AddressNetwork::REGTEST}) {
        if (GetAddressParams(network).bech32_hrp == hrp) return &GetAddressParams(network);
    }
    return nullptr;
}

void check_valid_address(const std::string& address, const std::string& script_hex)
{
    const std::string hrp = lower(address.substr(0, address.rfind('1')));
    const AddressParams* params = params_for_hrp(hrp);
    BOOST_REQUIRE(params != nullptr);
    std::string error;
    const auto script = DecodeAddress(address, *params, &error);
    BOOST_REQUIRE_MESSAGE(script.has_value(), "decode failed: " << error);
    BOOST_CHECK_EQUAL(HexStr(*script), script_hex);
    BOOST_CHECK_EQUAL(EncodeAddress(*script, *params).value_or("<none>"), lower(address));
}

void check_invalid_address(const std::string& address)
{
    for (auto network : {AddressNetwork::MAIN, AddressNetwork::TEST, AddressNetwork::SIGNET, AddressNetwork::REGTEST}) {
        std::string error;
        const auto script = DecodeAddress(address, GetAddressParams(network), &error);
        BOOST_CHECK_MESSAGE(!script.has_value(), "accepted on network " << static_cast<int>(network));
        BOOST_CHECK(!error.empty());
    }
}

// Our DecodeAddress error for each reason BIP350 gives for an invalid address.
std::string address_error_for(const std::string& reason)
{
    static const std::map<std::string, std::string> errors{
        {"Invalid human-readable part", "Invalid Bech32 human-readable part for this chain"},
        {"Invalid checksum (Bech32 instead of Bech32m)", "Version 1+ witness address must use Bech32m checksum"},
        {"Invalid checksum (Bech32m instead of Bech32)", "Version 0 witness address must use Bech32 checksum"},
        {"Invalid character in checksum", "Invalid Bech32 address: Invalid data character"},
        {"Invalid witness version", "Invalid Bech32 address witness version"},
        {"Invalid program length (1 byte)", "Invalid Bech32 address program size"},
        {"Invalid program length (41 bytes)", "Invalid Bech32 address program size"},
        {"Invalid program length for witness version 0 (per BIP141)",
         "Invalid Bech32 v0 address program size (must be 20 or 32 bytes)"},
        {"Mixed case", "Invalid Bech32 address: Mixed case"},
        {"zero padding of more than 4 bits", "Invalid padding in Bech32 data section"},
        {"Non-zero padding in 8-to-5 conversion", "Invalid padding in Bech32 data section"},
        {"Empty data section", "Empty Bech32 data section"},
    };
    const auto it = errors.find(reason);
    return it == errors.end() ? "<reason not mapped: " + reason + ">" : it->second;
}

} // namespace

BOOST_AUTO_TEST_SUITE(bech32_tests)

BOOST_AUTO_TEST_CASE(bip173_valid_strings)
{
    check_valid_strings(vectors().at("bip173").at("bech32_valid"), Bech32Encoding::BECH32);
}

BOOST_AUTO_TEST_CASE(bip350_valid_strings)
{
    check_valid_strings(vectors().at("bip350").at("bech32m_valid"), Bech32Encoding::BECH32M);
}

BOOST_AUTO_TEST_CASE(bip173_invalid_strings) { check_invalid_strings(vectors().at("bip173").at("bech32_invalid")); }

BOOST_AUTO_TEST_CASE(bip350_invalid_strings) { check_invalid_strings(vectors().at("bip350").at("bech32m_invalid")); }

BOOST_AUTO_TEST_CASE(bip350_valid_segwit_addresses)
{
    size_t index = 0;
    for (const auto& entry : vectors().at("bip350").at("segwit_valid")) {
        const std::string address = entry.at("address").get<std::string>();
        BOOST_TEST_CONTEXT("vector " << index++ << " " << address)
        {
            check_valid_address(address, entry.at("scriptPubKey").get<std::string>());
        }
    }
}

BOOST_AUTO_TEST_CASE(bip350_invalid_segwit_addresses)
{
    size_t index = 0;
    for (const auto& entry : vectors().at("bip350").at("segwit_invalid")) {
        const std::string address = entry.at("address").get<std::string>();
        const std::string reason = entry.at("reason").get<std::string>();
        BOOST_TEST_CONTEXT("vector " << index++ << " " << address << " (" << reason << ")")
        {
            check_invalid_address(address);
            // The error names the BIP's reason, read with the chain of the HRP.
            const AddressParams* params = params_for_hrp(lower(address.substr(0, 2)));
            std::string error;
            DecodeAddress(address, params ? *params : GetAddressParams(AddressNetwork::MAIN), &error);
            BOOST_CHECK_EQUAL(error, address_error_for(reason));
        }
    }
}

// BIP173's address list predates BIP350: its version 0 addresses stay valid,
// its v1+ examples (bech32 checksums) are invalid now.
BOOST_AUTO_TEST_CASE(bip173_segwit_addresses_under_bip350)
{
    size_t index = 0;
    for (const auto& entry : vectors().at("bip173").at("segwit_valid_bip173")) {
        const std::string address = entry.at("address").get<std::string>();
        const std::string script_hex = entry.at("scriptPubKey").get<std::string>();
        BOOST_TEST_CONTEXT("vector " << index++ << " " << address)
        {
            if (script_hex.starts_with("00")) {
                check_valid_address(address, script_hex);
            } else {
                check_invalid_address(address);
            }
        }
    }
    index = 0;
    for (const auto& entry : vectors().at("bip173").at("segwit_invalid_bip173")) {
        const std::string address = entry.at("address").get<std::string>();
        BOOST_TEST_CONTEXT("invalid vector " << index++ << " " << address) { check_invalid_address(address); }
    }
}

BOOST_AUTO_TEST_CASE(witness_version_needs_matching_checksum)
{
    const auto& main = GetAddressParams(AddressNetwork::MAIN);
    std::string error;
    // A v1 program under bech32 (not bech32m) and a v0 program under bech32m.
    std::vector<uint8_t> values{1};
    const std::vector<uint8_t> program(32, 0x42);
    ConvertBits<8, 5, true>(values, program);
    BOOST_CHECK(!DecodeAddress(Bech32Encode(Bech32Encoding::BECH32, "bc", values), main, &error));
    BOOST_CHECK_EQUAL(error, "Version 1+ witness address must use Bech32m checksum");
    BOOST_CHECK(DecodeAddress(Bech32Encode(Bech32Encoding::BECH32M, "bc", values), main));
    values[0] = 0;
    BOOST_CHECK(!DecodeAddress(Bech32Encode(Bech32Encoding::BECH32M, "bc", values), main, &error));
    BOOST_CHECK_EQUAL(error, "Version 0 witness address must use Bech32 checksum");
    BOOST_CHECK(DecodeAddress(Bech32Encode(Bech32Encoding::BECH32, "bc", values), main));
}

BOOST_AUTO_TEST_CASE(case_rules)
{
    const std::string valid = "a12uel5l";
    BOOST_CHECK(Bech32Decode(upper(valid)).encoding == Bech32Encoding::BECH32);
    BOOST_CHECK(Bech32Decode("A12uel5l").encoding == Bech32Encoding::INVALID);
    BOOST_CHECK_EQUAL(Bech32LocateErrors("A12uel5l").message, "Mixed case");
    // The encoder lowers the HRP and refuses what it cannot encode.
    BOOST_CHECK_EQUAL(Bech32Encode(Bech32Encoding::BECH32, "A", {}), valid);
    BOOST_CHECK(Bech32Encode(Bech32Encoding::BECH32, "", {}).empty());
    BOOST_CHECK(Bech32Encode(Bech32Encoding::BECH32, "a", {32}).empty());
    BOOST_CHECK(Bech32Encode(Bech32Encoding::BECH32, "a b", {}).empty());
    BOOST_CHECK(Bech32Encode(Bech32Encoding::INVALID, "a", {}).empty());
}

BOOST_AUTO_TEST_CASE(length_limit)
{
    // 90 characters is the most BIP173 allows; a caller may allow more.
    const std::string at_limit = exact_string(vectors().at("bip173").at("bech32_valid").at(2));
    BOOST_REQUIRE_EQUAL(at_limit.size(), 90U);
    BOOST_CHECK(Bech32Decode(at_limit).encoding == Bech32Encoding::BECH32);
    const std::string longer = Bech32Encode(Bech32Encoding::BECH32M, "hrp", std::vector<uint8_t>(100, 7));
    BOOST_CHECK(Bech32Decode(longer).encoding == Bech32Encoding::INVALID);
    BOOST_CHECK(Bech32Decode(longer, 1000).encoding == Bech32Encoding::BECH32M);
}

BOOST_AUTO_TEST_CASE(two_substitutions_located)
{
    const std::string address = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
    std::string damaged = address;
    damaged[10] = damaged[10] == 'x' ? 'y' : 'x';
    damaged[30] = damaged[30] == 'x' ? 'y' : 'x';
    const auto report = Bech32LocateErrors(damaged);
    BOOST_CHECK_EQUAL(report.message, "Invalid checksum");
    BOOST_CHECK((report.positions == std::vector<size_t>{10, 30}));
}

BOOST_AUTO_TEST_CASE(convert_bits)
{
    std::vector<uint8_t> five;
    const std::vector<uint8_t> bytes{0xff, 0x00, 0x81};
    BOOST_CHECK((ConvertBits<8, 5, true>(five, bytes)));
    BOOST_CHECK((five == std::vector<uint8_t>{31, 28, 0, 8, 2}));
    std::vector<uint8_t> back;
    BOOST_CHECK((ConvertBits<5, 8, false>(back, five)));
    BOOST_CHECK(back == bytes);
    // Non-zero padding, too much padding, and out-of-range input values fail.
    back.clear();
    BOOST_CHECK(!(ConvertBits<5, 8, false>(back, std::vector<uint8_t>{31, 28, 0, 8, 3})));
    back.clear();
    BOOST_CHECK(!(ConvertBits<5, 8, false>(back, std::vector<uint8_t>{31, 28, 0, 8, 2, 0})));
    back.clear();
    BOOST_CHECK(!(ConvertBits<5, 8, false>(back, std::vector<uint8_t>{32})));
}

// Arbitrary strings never crash the decoders, and whatever decodes encodes
// back to the lower-case input.
BOOST_AUTO_TEST_CASE(random_strings_round_trip)
{
    std::mt19937 rng{173350};
    const std::string alphabet = "qpzry9x8gf2tvdw0s3jn54khce6mua7lQPZRYXbiIoO1bc tb\x7f\x80";
    size_t decoded_count = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string str;
        const size_t length = rng() % 100;
        // Half the strings start like an address so that some pass the checks.
        if (i % 2 == 0) str = "bc1";
        while (str.size() < length) str.push_back(alphabet[rng() % alphabet.size()]);
        const Bech32Decoded decoded = Bech32Decode(str);
        const auto report = Bech32LocateErrors(str);
        BOOST_CHECK_EQUAL(decoded.encoding == Bech32Encoding::INVALID, !report.message.empty());
        if (decoded.encoding != Bech32Encoding::INVALID) {
            ++decoded_count;
            BOOST_CHECK_EQUAL(Bech32Encode(decoded.encoding, decoded.hrp, decoded.data), lower(str));
        }
        for (size_t position : report.positions) BOOST_CHECK_LT(position, std::max<size_t>(str.size(), 1));
        DecodeAddress(str, GetAddressParams(AddressNetwork::MAIN));
    }
    // Random data with a correct checksum is rare; make some on purpose.
    for (int i = 0; i < 2000; ++i) {
        std::vector<uint8_t> values(rng() % 60);
        for (auto& v : values) v = static_cast<uint8_t>(rng() % 32);
        const auto encoding = i % 2 ? Bech32Encoding::BECH32 : Bech32Encoding::BECH32M;
        const std::string str = Bech32Encode(encoding, "bc", values);
        const Bech32Decoded decoded = Bech32Decode(str);
        BOOST_CHECK(decoded.encoding == encoding);
        BOOST_CHECK(decoded.data == values);
        // Whatever DecodeAddress accepts, EncodeAddress gives back.
        if (const auto script = DecodeAddress(str, GetAddressParams(AddressNetwork::MAIN))) {
            ++decoded_count;
            BOOST_CHECK_EQUAL(EncodeAddress(*script, GetAddressParams(AddressNetwork::MAIN)).value_or(""), str);
        }
    }
    BOOST_CHECK_GT(decoded_count, 0U);
}

BOOST_AUTO_TEST_SUITE_END()
