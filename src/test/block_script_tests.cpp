// Every script of real mainnet block 866342 under the flags mainnet enforced
// at that height, and the other side: one changed signature byte makes that
// input, and only that input, fail.

#include <primitives/block.h>
#include <primitives/transaction.h>
#include <script/interpreter.h>
#include <script/sigcache.h>
#include <test/util/block_data.h>
#include <test/util/script_verify.h>

#include <boost/test/unit_test.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace test_util;

namespace {

enum class InputKind { P2PKH, P2SH, P2WPKH, P2WSH, TAPROOT_KEY_PATH, TAPROOT_SCRIPT_PATH, OTHER };

const char* KindName(InputKind kind)
{
    switch (kind) {
    case InputKind::P2PKH: return "p2pkh";
    case InputKind::P2SH: return "p2sh";
    case InputKind::P2WPKH: return "p2wpkh";
    case InputKind::P2WSH: return "p2wsh";
    case InputKind::TAPROOT_KEY_PATH: return "taproot key path";
    case InputKind::TAPROOT_SCRIPT_PATH: return "taproot script path";
    case InputKind::OTHER: return "other";
    }
    return "?";
}

InputKind Classify(const TxIn& in, const TxOut& spent)
{
    const Script& spk = spent.script_pubkey;
    if (spk.size() == 25 && spk[0] == 0x76 && spk[1] == 0xa9 && spk[2] == 0x14 && spk[23] == 0x88 && spk[24] == 0xac) {
        return InputKind::P2PKH;
    }
    if (spk.size() == 23 && spk[0] == 0xa9 && spk[1] == 0x14 && spk[22] == 0x87) return InputKind::P2SH;
    if (spk.size() == 22 && spk[0] == 0x00 && spk[1] == 0x14) return InputKind::P2WPKH;
    if (spk.size() == 34 && spk[0] == 0x00 && spk[1] == 0x20) return InputKind::P2WSH;
    if (spk.size() == 34 && spk[0] == 0x51 && spk[1] == 0x20) {
        size_t items = in.witness.stack.size();
        // BIP341: with two or more elements, a last one starting 0x50 is the annex.
        if (items >= 2 && !in.witness.stack.back().empty() && in.witness.stack.back()[0] == 0x50) --items;
        return items == 1 ? InputKind::TAPROOT_KEY_PATH : InputKind::TAPROOT_SCRIPT_PATH;
    }
    return InputKind::OTHER;
}

struct InputRef {
    size_t tx;
    unsigned input;
    friend bool operator==(const InputRef&, const InputRef&) = default;
};

// Verifies every non-coinbase input of the block; returns the failing ones.
std::vector<std::pair<InputRef, ScriptError>> VerifyBlock(const Block& block, const std::vector<std::vector<TxOut>>& spent,
                                                          SignatureCache* cache)
{
    std::vector<std::pair<InputRef, ScriptError>> failures;
    for (size_t t = 0; t < block.vtx.size(); ++t) {
        const Transaction& tx = *block.vtx[t];
        if (tx.IsCoinBase()) continue;
        PrecomputedTransactionData txdata;
        txdata.Init(tx, spent[t]);
        for (unsigned i = 0; i < tx.vin.size(); ++i) {
            const ScriptError error = VerifyInput(tx, i, spent[t], txdata, MainnetConsensusFlags(), cache);
            if (error != ScriptError::OK) failures.push_back({InputRef{t, i}, error});
        }
    }
    return failures;
}

std::string FailuresText(const std::vector<std::pair<InputRef, ScriptError>>& failures)
{
    std::string text;
    for (size_t i = 0; i < failures.size() && i < 10; ++i) {
        text += " tx " + std::to_string(failures[i].first.tx) + " input " + std::to_string(failures[i].first.input) +
                ": " + ScriptErrorName(failures[i].second) + ";";
    }
    return text;
}

MutableTransaction ToMutable(const Transaction& tx)
{
    MutableTransaction m;
    m.version = tx.version;
    m.lock_time = tx.lock_time;
    m.vin = tx.vin;
    m.vout = tx.vout;
    return m;
}

// The byte of the signature to change: well inside R, so DER framing and the
// hash type stay intact and only the signature's value is wrong.
constexpr size_t SIGNATURE_BYTE = 10;

// A copy of the block whose input `where` carries a signature with one byte changed.
Block WithChangedSignatureByte(const Block& block, InputRef where, InputKind kind)
{
    MutableTransaction tx = ToMutable(*block.vtx[where.tx]);
    TxIn& in = tx.vin[where.input];
    if (kind == InputKind::P2PKH) {
        // scriptSig: <push of sig> <push of pubkey>; the sig starts after its one-byte push opcode.
        BOOST_REQUIRE(in.script_sig.size() > 1 + SIGNATURE_BYTE && in.script_sig[0] < 0x4c);
        in.script_sig[1 + SIGNATURE_BYTE] ^= 0x01;
    } else {
        // P2WPKH: witness [sig, pubkey]; taproot key path: [sig] (+ annex).
        BOOST_REQUIRE(!in.witness.stack.empty() && in.witness.stack[0].size() > SIGNATURE_BYTE);
        in.witness.stack[0][SIGNATURE_BYTE] ^= 0x01;
    }
    Block changed = block; // shares the other transactions
    changed.vtx[where.tx] = std::make_shared<const Transaction>(std::move(tx));
    return changed;
}

} // namespace

BOOST_AUTO_TEST_SUITE(block_script_tests)

BOOST_AUTO_TEST_CASE(block_866342_all_inputs_valid)
{
    const BlockWithSpentOutputs data = LoadBlock866342();
    BOOST_REQUIRE_EQUAL(data.block.vtx.size(), 4864U);
    BOOST_REQUIRE_EQUAL(data.input_count, BLOCK_866342_INPUTS);

    std::map<InputKind, size_t> kinds;
    for (size_t t = 1; t < data.block.vtx.size(); ++t) {
        const Transaction& tx = *data.block.vtx[t];
        for (size_t i = 0; i < tx.vin.size(); ++i) ++kinds[Classify(tx.vin[i], data.spent[t][i])];
    }
    std::string summary;
    for (const auto& [kind, count] : kinds) summary += std::string{" "} + KindName(kind) + "=" + std::to_string(count);
    BOOST_TEST_MESSAGE("block 866342 inputs:" << summary);
    BOOST_CHECK(kinds[InputKind::TAPROOT_KEY_PATH] > 0 && kinds[InputKind::TAPROOT_SCRIPT_PATH] > 0);

    const auto failures = VerifyBlock(data.block, data.spent, nullptr);
    BOOST_CHECK_MESSAGE(failures.empty(), failures.size() << " inputs fail:" << FailuresText(failures));
    BOOST_TEST_MESSAGE("block 866342: " << (BLOCK_866342_INPUTS - failures.size()) << " of " << BLOCK_866342_INPUTS
                                        << " inputs valid");

    // Through a signature cache: first filling it, then answering from it.
    SignatureCache cache;
    BOOST_CHECK(VerifyBlock(data.block, data.spent, &cache).empty());
    const uint64_t hits_before = cache.Hits();
    BOOST_CHECK(VerifyBlock(data.block, data.spent, &cache).empty());
    BOOST_CHECK_MESSAGE(cache.Hits() > hits_before, "second pass found nothing in the signature cache");
}

BOOST_AUTO_TEST_CASE(block_866342_changed_signature_fails_exactly_that_input)
{
    const BlockWithSpentOutputs data = LoadBlock866342();
    std::map<InputKind, InputRef> chosen;
    for (size_t t = 1; t < data.block.vtx.size(); ++t) {
        const Transaction& tx = *data.block.vtx[t];
        for (unsigned i = 0; i < tx.vin.size(); ++i) {
            const InputKind kind = Classify(tx.vin[i], data.spent[t][i]);
            if (kind == InputKind::P2PKH || kind == InputKind::P2WPKH || kind == InputKind::TAPROOT_KEY_PATH) {
                chosen.try_emplace(kind, InputRef{t, i});
            }
        }
    }
    BOOST_REQUIRE_EQUAL(chosen.size(), 3U);

    // A warm cache must not hide the change: the changed signature was never verified.
    SignatureCache cache;
    BOOST_REQUIRE(VerifyBlock(data.block, data.spent, &cache).empty());

    const std::map<InputKind, ScriptError> expected_error{
        {InputKind::P2PKH, ScriptError::EVAL_FALSE},             // CHECKSIG false, no NULLFAIL in consensus
        {InputKind::P2WPKH, ScriptError::EVAL_FALSE},
        {InputKind::TAPROOT_KEY_PATH, ScriptError::SCHNORR_SIG}, // a failed key-path signature is an error
    };
    for (const auto& [kind, where] : chosen) {
        BOOST_TEST_CONTEXT(KindName(kind) << " input " << where.input << " of tx " << where.tx << " ("
                                          << data.block.vtx[where.tx]->GetHash().GetHex() << ")")
        {
            const Block changed = WithChangedSignatureByte(data.block, where, kind);
            for (SignatureCache* c : {static_cast<SignatureCache*>(nullptr), &cache}) {
                const auto failures = VerifyBlock(changed, data.spent, c);
                BOOST_CHECK_MESSAGE(failures.size() == 1 && failures[0].first == where,
                                    (c ? "with" : "without") << " cache, failing inputs:" << FailuresText(failures));
                if (failures.size() == 1) {
                    BOOST_CHECK_MESSAGE(failures[0].second == expected_error.at(kind),
                                        "error " << ScriptErrorName(failures[0].second) << ", expected "
                                                 << ScriptErrorName(expected_error.at(kind)));
                }
            }
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
