// Bitcoin Core's tx_valid.json and tx_invalid.json. A row is
//   [[[prevout hash, prevout index, prevout scriptPubKey, amount?], ...], serialized tx, flags]
// and rows of a single string are comments. In tx_valid the flags are the
// ones to EXCLUDE: the transaction is valid under every other flag. In
// tx_invalid they are the flags under which it fails ("BADTX": it already
// fails CheckTransaction).

#include <consensus/tx_check.h>
#include <consensus/validation.h>
#include <primitives/transaction.h>
#include <script/interpreter.h>
#include <test/util/script_notation.h>
#include <test/util/script_verify.h>
#include <test/util/vectors.h>

#include <boost/test/unit_test.hpp>

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using namespace test_util;

namespace {

struct TxCase {
    std::string file;
    size_t row = 0;
    std::string comment; // the comment rows just above this one, joined
    std::map<OutPoint, TxOut> prevouts;
    std::vector<unsigned char> raw_tx;
    std::string flags_text;

    std::string Describe() const
    {
        std::string text = file + " row " + std::to_string(row);
        if (!comment.empty()) text += " (\"" + comment + "\")";
        return text;
    }
};

std::map<OutPoint, TxOut> ParsePrevouts(const nlohmann::json& list)
{
    std::map<OutPoint, TxOut> prevouts;
    for (const nlohmann::json& entry : list) {
        if (entry.size() < 3 || entry.size() > 4) throw std::invalid_argument("prevout entry of " + std::to_string(entry.size()) + " fields");
        const auto hash = uint256::FromHex(entry[0].get<std::string>());
        if (!hash) throw std::invalid_argument("bad prevout hash");
        OutPoint outpoint;
        outpoint.hash = *hash;
        // -1 stands for the null index 0xffffffff.
        outpoint.n = static_cast<uint32_t>(entry[1].get<int64_t>());
        TxOut out;
        out.script_pubkey = AssembleScript(entry[2].get<std::string>());
        out.value = entry.size() == 4 ? entry[3].get<int64_t>() : 0;
        prevouts[outpoint] = out;
    }
    return prevouts;
}

std::vector<TxCase> LoadTxCases(const std::string& file, size_t& comment_rows)
{
    std::vector<TxCase> cases;
    const nlohmann::json json = ReadVectorJson("core/" + file);
    std::string comment;
    bool comment_closed = false; // a test row ends the comment block above it
    comment_rows = 0;
    for (size_t i = 0; i < json.size(); ++i) {
        const nlohmann::json& row = json[i];
        if (!row[0].is_array()) {
            ++comment_rows;
            if (comment_closed) comment.clear();
            comment_closed = false;
            if (!comment.empty()) comment += " ";
            comment += row[0].get<std::string>();
            continue;
        }
        comment_closed = true;
        TxCase test;
        test.file = file;
        test.row = i;
        test.comment = comment;
        try {
            if (row.size() != 3) throw std::invalid_argument("row of " + std::to_string(row.size()) + " fields");
            test.prevouts = ParsePrevouts(row[0]);
            test.raw_tx = HexToBytes(row[1].get<std::string>());
            test.flags_text = row[2].get<std::string>();
        } catch (const std::exception& e) {
            BOOST_ERROR(test.Describe() << " cannot be parsed: " << e.what());
            continue;
        }
        cases.push_back(std::move(test));
    }
    return cases;
}

// The outputs the inputs spend, in input order; nullopt if one is not listed.
std::optional<std::vector<TxOut>> SpentOutputs(const Transaction& tx, const std::map<OutPoint, TxOut>& prevouts)
{
    std::vector<TxOut> spent;
    for (const TxIn& in : tx.vin) {
        const auto it = prevouts.find(in.prevout);
        if (it == prevouts.end()) return std::nullopt;
        spent.push_back(it->second);
    }
    return spent;
}

std::string FailureText(const std::optional<InputFailure>& failure)
{
    if (!failure) return "all inputs valid";
    return std::string{"input "} + std::to_string(failure->index) + " fails with " + ScriptErrorName(failure->error);
}

// The parsed transaction and what it spends; reports and returns nullopt when
// the row cannot even get that far.
struct PreparedTx {
    Transaction tx;
    std::vector<TxOut> spent;
};

std::optional<PreparedTx> Prepare(const TxCase& test)
{
    std::optional<Transaction> tx;
    try {
        tx.emplace(DeserializeTransaction(test.raw_tx));
    } catch (const std::exception& e) {
        BOOST_ERROR(test.Describe() << ": transaction does not deserialize: " << e.what());
        return std::nullopt;
    }
    auto spent = SpentOutputs(*tx, test.prevouts);
    if (!spent) {
        BOOST_ERROR(test.Describe() << ": an input spends an outpoint the row does not list");
        return std::nullopt;
    }
    return PreparedTx{std::move(*tx), std::move(*spent)};
}

bool CheckValidCase(const TxCase& test)
{
    const auto prepared = Prepare(test);
    if (!prepared) return false;
    const Transaction& tx = prepared->tx;
    bool ok = true;
    TxValidationState state;
    if (!CheckTransaction(tx, state)) {
        BOOST_ERROR(test.Describe() << ": CheckTransaction fails: " << state.ToString());
        ok = false;
    }
    const uint32_t excluded = ParseFlags(test.flags_text);
    const uint32_t flags = TrimFlags(AllScriptFlags() & ~excluded);
    const auto failure = VerifyAllInputs(tx, prepared->spent, flags);
    if (failure) {
        BOOST_ERROR(test.Describe() << ": invalid under " << FlagsToString(flags) << ": " << FailureText(failure));
        ok = false;
    }
    // Removing a flag only relaxes the rules: still valid.
    for (uint32_t flag : SingleFlags(flags)) {
        const uint32_t fewer = TrimFlags(flags & ~flag);
        const auto relaxed = VerifyAllInputs(tx, prepared->spent, fewer);
        if (relaxed) {
            BOOST_ERROR(test.Describe() << ": valid under " << FlagsToString(flags) << " but not under "
                                        << FlagsToString(fewer) << ": " << FailureText(relaxed));
            ok = false;
        }
    }
    // The exclusion list is minimal: enabling any excluded flag again (with
    // what it depends on) makes the transaction fail.
    for (uint32_t flag : SingleFlags(excluded)) {
        const uint32_t more = FillFlags(flags | flag);
        if (!VerifyAllInputs(tx, prepared->spent, more)) {
            BOOST_ERROR(test.Describe() << ": excluded flag " << FlagsToString(flag)
                                        << " is not needed: valid under " << FlagsToString(more));
            ok = false;
        }
    }
    return ok;
}

bool CheckInvalidCase(const TxCase& test)
{
    if (test.flags_text == "BADTX") {
        std::optional<Transaction> tx;
        try {
            tx.emplace(DeserializeTransaction(test.raw_tx));
        } catch (const std::exception& e) {
            BOOST_ERROR(test.Describe() << ": BADTX transaction does not even deserialize: " << e.what());
            return false;
        }
        TxValidationState state;
        const bool passes = CheckTransaction(*tx, state);
        BOOST_CHECK_MESSAGE(!passes, test.Describe() << ": BADTX transaction passes CheckTransaction");
        if (!passes) BOOST_TEST_MESSAGE(test.Describe() << ": CheckTransaction: " << state.GetRejectReason());
        return !passes;
    }
    const auto prepared = Prepare(test);
    if (!prepared) return false;
    const Transaction& tx = prepared->tx;
    bool ok = true;
    TxValidationState state;
    if (!CheckTransaction(tx, state)) {
        BOOST_ERROR(test.Describe() << ": fails CheckTransaction (" << state.ToString()
                                    << ") though the row is meant to fail in its scripts");
        ok = false;
    }
    const uint32_t flags = FillFlags(ParseFlags(test.flags_text));
    const auto failure = VerifyAllInputs(tx, prepared->spent, flags);
    if (!failure) {
        BOOST_ERROR(test.Describe() << ": valid under " << FlagsToString(flags) << ", expected to fail");
        ok = false;
    }
    // More flags never make it valid again.
    const uint32_t all = AllScriptFlags();
    if (!VerifyAllInputs(tx, prepared->spent, all)) {
        BOOST_ERROR(test.Describe() << ": invalid under " << FlagsToString(flags) << " but valid under every flag");
        ok = false;
    }
    // The flags are minimal: without any one of them the transaction is valid.
    for (uint32_t flag : SingleFlags(flags)) {
        const uint32_t fewer = TrimFlags(flags & ~flag);
        const auto relaxed = VerifyAllInputs(tx, prepared->spent, fewer);
        if (relaxed) {
            BOOST_ERROR(test.Describe() << ": flag " << FlagsToString(flag) << " is not what makes it fail: "
                                        << FailureText(relaxed) << " under " << FlagsToString(fewer));
            ok = false;
        }
    }
    return ok;
}

// Runs every transaction row of a vector file through check; the file has
// `rows` rows, comments included.
void RunTxFile(const char* file, size_t rows, bool (*check)(const TxCase&))
{
    size_t comment_rows = 0;
    const std::vector<TxCase> cases = LoadTxCases(file, comment_rows);
    BOOST_CHECK_EQUAL(cases.size() + comment_rows, rows);
    size_t passed = 0;
    for (const TxCase& test : cases) {
        if (check(test)) ++passed;
    }
    BOOST_TEST_MESSAGE(file << ": " << passed << " of " << cases.size() << " transactions pass");
    BOOST_CHECK_EQUAL(passed, cases.size());
}

} // namespace

BOOST_AUTO_TEST_SUITE(transaction_tests)

BOOST_AUTO_TEST_CASE(tx_valid) { RunTxFile("tx_valid.json", 250, CheckValidCase); }

BOOST_AUTO_TEST_CASE(tx_invalid) { RunTxFile("tx_invalid.json", 201, CheckInvalidCase); }

BOOST_AUTO_TEST_SUITE_END()
