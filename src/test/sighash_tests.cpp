// Bitcoin Core's sighash.json: legacy signature hashes of random
// transactions, rows [raw tx, script (hex), input index, hash type, hash in
// display order]. The hash types are arbitrary 32-bit values (negative ones
// included), which exercises the masking of the type byte, and the scripts
// hold OP_CODESEPARATORs, which the hash must remove.

#include <consensus/tx_check.h>
#include <consensus/validation.h>
#include <primitives/transaction.h>
#include <script/script.h>
#include <script/sighash.h>
#include <test/util/script_verify.h>
#include <test/util/vectors.h>

#include <boost/test/unit_test.hpp>

#include <string>

using namespace test_util;

BOOST_AUTO_TEST_SUITE(sighash_tests)

BOOST_AUTO_TEST_CASE(sighash_json_vectors)
{
    const nlohmann::json json = ReadVectorJson("core/sighash.json");
    size_t cases = 0;
    size_t passed = 0;
    for (size_t i = 0; i < json.size(); ++i) {
        const nlohmann::json& row = json[i];
        if (row.size() == 1) continue; // the format line
        ++cases;
        const std::string where = "sighash.json row " + std::to_string(i) + " " + row.dump().substr(0, 120) + "...";
        try {
            const Transaction tx{DeserializeTransaction(HexToBytes(row[0].get<std::string>()))};
            const Script script{HexToBytes(row[1].get<std::string>())};
            const unsigned input = row[2].get<unsigned>();
            const int hash_type = row[3].get<int>();
            const std::string expected = row[4].get<std::string>();

            TxValidationState state;
            const bool well_formed = CheckTransaction(tx, state);
            BOOST_CHECK_MESSAGE(well_formed, where << ": CheckTransaction fails: " << state.ToString());

            const uint256 hash = SignatureHash(script, tx, input, hash_type, 0, SigVersion::BASE);
            const bool match = hash.GetHex() == expected;
            BOOST_CHECK_MESSAGE(match, where << ": expected " << expected << ", got " << hash.GetHex());
            if (match && well_formed) ++passed;
        } catch (const std::exception& e) {
            BOOST_ERROR(where << ": " << e.what());
        }
    }
    BOOST_TEST_MESSAGE("sighash.json: " << passed << " of " << cases << " cases pass");
    BOOST_CHECK_EQUAL(cases, 500U);
    BOOST_CHECK_EQUAL(passed, cases);
}

BOOST_AUTO_TEST_SUITE_END()
