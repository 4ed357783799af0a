// Output descriptors: the test vectors of BIP380 (checksums, key
// expressions), BIP381 (pk, pkh, sh), BIP382 (wpkh, wsh) and BIP386 (tr),
// the normalized text getdescriptorinfo shows, and Bitcoin Core's error
// messages.
#include <script/address.h>
#include <script/descriptor.h>
#include <util/strencodings.h>

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace {

const AddressParams& Main() { return GetAddressParams(AddressNetwork::MAIN); }

std::string ScriptHex(const Script& script) { return HexStr(std::span<const unsigned char>(script.data(), script.size())); }

// Parses `desc` on mainnet and checks the scripts at index 0, 1, 2 (only the
// first for an unranged descriptor).
void CheckScripts(const std::string& desc, const std::vector<std::string>& scripts)
{
    BOOST_TEST_CONTEXT(desc)
    {
        std::string error;
        const auto parsed = descriptor::Parse(desc, Main(), error);
        BOOST_REQUIRE_MESSAGE(parsed, error);
        BOOST_CHECK_EQUAL(parsed->IsRange(), scripts.size() > 1);
        for (size_t i = 0; i < scripts.size(); ++i) {
            const auto expanded = parsed->Expand(static_cast<uint32_t>(i));
            BOOST_REQUIRE(expanded.has_value());
            BOOST_REQUIRE_EQUAL(expanded->size(), 1U);
            BOOST_CHECK_EQUAL(ScriptHex(expanded->front()), scripts[i]);
        }
        // The normalized form (public keys, with checksum) parses to the same
        // scripts when no hardened step needs a private key.
        const auto again = descriptor::Parse(parsed->ToString(), Main(), error, /*require_checksum=*/true);
        BOOST_REQUIRE_MESSAGE(again, error);
        const auto first = again->Expand(0);
        if (first) BOOST_CHECK_EQUAL(ScriptHex(first->front()), scripts[0]);
        // And so does the private form.
        const auto priv = descriptor::Parse(parsed->ToString(true), Main(), error, true);
        BOOST_REQUIRE_MESSAGE(priv, error);
        BOOST_CHECK_EQUAL(ScriptHex(priv->Expand(0)->front()), scripts[0]);
    }
}

std::string ParseError(const std::string& desc, bool require_checksum = false)
{
    std::string error;
    const auto parsed = descriptor::Parse(desc, Main(), error, require_checksum);
    BOOST_CHECK_MESSAGE(!parsed, "parsed but should not: " + desc);
    BOOST_CHECK_MESSAGE(!error.empty(), "no error message for " + desc);
    return error;
}

const std::string XPRV_A = "xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HFsTjSyQbLYnMpCqE2VbFWc";
const std::string XPUB_A = "xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL";
const std::string XPRV_ROOT = "xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U";
const std::string PUB = "0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600";

} // namespace

BOOST_AUTO_TEST_SUITE(descriptor_tests)

BOOST_AUTO_TEST_CASE(bip380_checksums)
{
    BOOST_CHECK_EQUAL(descriptor::DescriptorChecksum("raw(deadbeef)"), "89f8spxm");
    std::string error;
    BOOST_CHECK(descriptor::Parse("raw(deadbeef)#89f8spxm", Main(), error, true));
    BOOST_CHECK(descriptor::Parse("raw(deadbeef)", Main(), error, false));
    BOOST_CHECK_EQUAL(ParseError("raw(deadbeef)", true), "Missing checksum");
    BOOST_CHECK_EQUAL(ParseError("raw(deadbeef)#"), "Expected 8 character checksum, not 0 characters");
    BOOST_CHECK_EQUAL(ParseError("raw(deadbeef)#89f8spxmx"), "Expected 8 character checksum, not 9 characters");
    BOOST_CHECK_EQUAL(ParseError("raw(deadbeef)#89f8spx"), "Expected 8 character checksum, not 7 characters");
    BOOST_CHECK_EQUAL(ParseError("raw(deedbeef)#89f8spxm"),
                      "Provided checksum '89f8spxm' does not match computed checksum 'xj8ljs75'");
    BOOST_CHECK_EQUAL(ParseError("raw(deedbeef)##9f8spxm"), "Multiple '#' symbols");
    BOOST_CHECK_EQUAL(ParseError("raw(\xc3\x9c)#00000000"), "Invalid characters in payload");

    BOOST_CHECK_EQUAL(descriptor::GetDescriptorChecksum("raw(deadbeef)"), "89f8spxm");
    BOOST_CHECK_EQUAL(descriptor::GetDescriptorChecksum("raw(deadbeef)#89f8spxm"), "89f8spxm");
    BOOST_CHECK_EQUAL(descriptor::GetDescriptorChecksum("raw(deadbeef)#89f8spxq"), "");
    // A known value computed by Bitcoin Core (its help and functional tests).
    BOOST_CHECK_EQUAL(descriptor::DescriptorChecksum("wpkh([d34db33f/84h/0h/0h]0279be667ef9dcbbac55a06295Ce870b07029Bfcdb2dce28d959f2815b16f81798)"),
                      "qwlqgth7");
}

BOOST_AUTO_TEST_CASE(bip380_key_expressions)
{
    const std::vector<std::string> valid = {
        PUB,
        "04a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c7709c02559e3aa73aa03918ba2d492eea75abea235",
        "[deadbeef/0h/0h/0h]" + PUB,
        "[deadbeef/0'/0'/0']" + PUB,
        "[deadbeef/0'/0h/0']" + PUB,
        "5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjss",
        "L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1",
        XPUB_A,
        "[deadbeef/0h/1h/2h]" + XPUB_A,
        "[deadbeef/0h/1h/2h]" + XPUB_A + "/3/4/5",
        "[deadbeef/0h/1h/2h]" + XPUB_A + "/3/4/5/*",
        XPUB_A + "/3h/4h/5h/*",
        XPUB_A + "/3h/4h/5h/*h",
        "[deadbeef/0h/1h/2]" + XPUB_A + "/3h/4h/5h/*h",
        XPRV_A,
        "[deadbeef/0h/1h/2h]" + XPRV_A,
        "[deadbeef/0h/1h/2h]" + XPRV_A + "/3/4/5",
        "[deadbeef/0h/1h/2h]" + XPRV_A + "/3/4/5/*",
        XPRV_A + "/3h/4h/5h/*",
        XPRV_A + "/3h/4h/5h/*h",
        "[deadbeef/0h/1h/2]" + XPRV_A + "/3h/4h/5h/*h",
    };
    for (const auto& key : valid) {
        std::string error;
        BOOST_CHECK_MESSAGE(descriptor::Parse("pk(" + key + ")", Main(), error), key + ": " + error);
    }

    BOOST_CHECK_EQUAL(ParseError("pk([deadbeef/0h/0h/0h/*]" + PUB + ")"), "pk(): Key path value '*' is not a valid uint32");
    BOOST_CHECK_EQUAL(ParseError("pk([deadbeef/0h/0h/0h/]" + PUB + ")"), "pk(): Key path value '' is not a valid uint32");
    BOOST_CHECK_EQUAL(ParseError("pk([deadbef/0h/0h/0h]" + PUB + ")"),
                      "pk(): Fingerprint is not 4 bytes (7 characters instead of 8 characters)");
    BOOST_CHECK_EQUAL(ParseError("pk([deadbeeef/0h/0h/0h]" + PUB + ")"),
                      "pk(): Fingerprint is not 4 bytes (9 characters instead of 8 characters)");
    BOOST_CHECK_EQUAL(ParseError("pk([deadbeef/0f/0f/0f]" + PUB + ")"), "pk(): Key path value '0f' is not a valid uint32");
    BOOST_CHECK_EQUAL(ParseError("pk([deadbeef/0H/0H/0H]" + PUB + ")"), "pk(): Key path value '0H' is not a valid uint32");
    BOOST_CHECK_EQUAL(ParseError("pk([deadbeef/-0/-0/-0]" + PUB + ")"), "pk(): Key path value '-0' is not a valid uint32");
    BOOST_CHECK_EQUAL(ParseError("pk(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1/0)"),
                      "pk(): key 'L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1' is not valid");
    BOOST_CHECK_EQUAL(ParseError("pk(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1/*)"),
                      "pk(): key 'L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1' is not valid");
    BOOST_CHECK_EQUAL(ParseError("pk(" + XPRV_ROOT + "/2147483648)"), "pk(): Key path value 2147483648 is out of range");
    BOOST_CHECK_EQUAL(ParseError("pk(" + XPRV_ROOT + "/1aa)"), "pk(): Key path value '1aa' is not a valid uint32");
    BOOST_CHECK_EQUAL(ParseError("pk([aaaaaaaa][aaaaaaaa]" + XPRV_ROOT + "/2147483647'/0)"),
                      "pk(): Multiple ']' characters found for a single pubkey");
    BOOST_CHECK_EQUAL(ParseError("pk(aaaaaaaa]" + XPRV_ROOT + "/2147483647'/0)"),
                      "pk(): Key origin start '[ character expected but not found, got 'a' instead");
    BOOST_CHECK_EQUAL(ParseError("pk([gaaaaaaa]" + XPRV_ROOT + "/2147483647'/0)"), "pk(): Fingerprint 'gaaaaaaa' is not hex");
    BOOST_CHECK_EQUAL(ParseError("pk([deadbeef])"), "pk(): No key provided");
    BOOST_CHECK_EQUAL(ParseError("pk(02aa)"), "pk(): Pubkey '02aa' is invalid");
    BOOST_CHECK_EQUAL(ParseError("pk( " + PUB + ")"), "pk(): Key ' " + PUB + "' is invalid due to whitespace");
}

BOOST_AUTO_TEST_CASE(bip381_pk_pkh_sh)
{
    const std::string WIF = "L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1";
    const std::string PK = "03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd";
    const std::string UWIF = "5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjss";
    const std::string UPK = "04a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c7709c02559e3aa73aa03918ba2d492eea75abea235";
    CheckScripts("pk(" + WIF + ")", {"21" + PK + "ac"});
    CheckScripts("pk(" + PK + ")", {"21" + PK + "ac"});
    CheckScripts("pkh([deadbeef/1/2'/3/4']" + WIF + ")", {"76a9149a1c78a507689f6f54b847ad1cef1e614ee23f1e88ac"});
    CheckScripts("pkh([deadbeef/1/2'/3/4']" + PK + ")", {"76a9149a1c78a507689f6f54b847ad1cef1e614ee23f1e88ac"});
    CheckScripts("pkh([deadbeef/1/2h/3/4h]" + PK + ")", {"76a9149a1c78a507689f6f54b847ad1cef1e614ee23f1e88ac"});
    CheckScripts("pk(" + UWIF + ")", {"41" + UPK + "ac"});
    CheckScripts("pk(" + UPK + ")", {"41" + UPK + "ac"});
    CheckScripts("pkh(" + UWIF + ")", {"76a914b5bd079c4d57cc7fc28ecf8213a6b791625b818388ac"});
    CheckScripts("pkh(" + UPK + ")", {"76a914b5bd079c4d57cc7fc28ecf8213a6b791625b818388ac"});
    CheckScripts("sh(pk(" + WIF + "))", {"a9141857af51a5e516552b3086430fd8ce55f7c1a52487"});
    CheckScripts("sh(pk(" + PK + "))", {"a9141857af51a5e516552b3086430fd8ce55f7c1a52487"});
    CheckScripts("sh(pkh(" + WIF + "))", {"a9141a31ad23bf49c247dd531a623c2ef57da3c400c587"});
    CheckScripts("sh(pkh(" + PK + "))", {"a9141a31ad23bf49c247dd531a623c2ef57da3c400c587"});
    CheckScripts("pkh(" + XPRV_ROOT + "/2147483647'/0)", {"76a914ebdc90806a9c4356c1c88e42216611e1cb4c1c1788ac"});
    CheckScripts("pkh([bd16bee5/2147483647h]xpub69H7F5dQzmVd3vPuLKtcXJziMEQByuDidnX3YdwgtNsecY5HRGtAAQC5mXTt4dsv9RzyjgDjAQs9VGVV6ydYCHnprc9vvaA5YtqWyL6hyds/0)",
                 {"76a914ebdc90806a9c4356c1c88e42216611e1cb4c1c1788ac"});
    CheckScripts("pk(xprv9uPDJpEQgRQfDcW7BkF7eTya6RPxXeJCqCJGHuCJ4GiRVLzkTXBAJMu2qaMWPrS7AANYqdq6vcBcBUdJCVVFceUvJFjaPdGZ2y9WACViL4L/0)",
                 {"210379e45b3cf75f9c5f9befd8e9506fb962f6a9d185ac87001ec44a8d3df8d4a9e3ac"});
    CheckScripts("pk(xpub68NZiKmJWnxxS6aaHmn81bvJeTESw724CRDs6HbuccFQN9Ku14VQrADWgqbhhTHBaohPX4CjNLf9fq9MYo6oDaPPLPxSb7gwQN3ih19Zm4Y/0)",
                 {"210379e45b3cf75f9c5f9befd8e9506fb962f6a9d185ac87001ec44a8d3df8d4a9e3ac"});

    ParseError("pk(pk(" + PK + "))");
    ParseError("pkh(pk(" + PK + "))");
    BOOST_CHECK_EQUAL(ParseError("sh(" + PK + ")"), "A function is needed within P2SH");
    BOOST_CHECK_EQUAL(ParseError("sh(sh(pkh(" + PK + ")))"), "Can only have sh() at top level");
}

BOOST_AUTO_TEST_CASE(bip382_wpkh_wsh)
{
    const std::string WIF = "L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1";
    const std::string PK = "03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd";
    const std::string UWIF = "5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjss";
    const std::string UPK = "04a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c7709c02559e3aa73aa03918ba2d492eea75abea235";
    CheckScripts("wpkh(" + WIF + ")", {"00149a1c78a507689f6f54b847ad1cef1e614ee23f1e"});
    CheckScripts("wpkh(" + PK + ")", {"00149a1c78a507689f6f54b847ad1cef1e614ee23f1e"});
    CheckScripts("wpkh([ffffffff/13']xprv9vHkqa6EV4sPZHYqZznhT2NPtPCjKuDKGY38FBWLvgaDx45zo9WQRUT3dKYnjwih2yJD9mkrocEZXo1ex8G81dwSM1fwqWpWkeS3v86pgKt/1/2/0)",
                 {"0014326b2249e3a25d5dc60935f044ee835d090ba859"});
    CheckScripts("wpkh([ffffffff/13']xpub69H7F5d8KSRgmmdJg2KhpAK8SR3DjMwAdkxj3ZuxV27CprR9LgpeyGmXUbC6wb7ERfvrnKZjXoUmmDznezpbZb7ap6r1D3tgFxHmwMkQTPH/1/2/*)",
                 {"0014326b2249e3a25d5dc60935f044ee835d090ba859", "0014af0bd98abc2f2cae66e36896a39ffe2d32984fb7",
                  "00141fa798efd1cbf95cebf912c031b8a4a6e9fb9f27"});
    const std::vector<std::string> sh_wpkh = {"a9149a4d9901d6af519b2a23d4a2f51650fcba87ce7b87",
                                              "a914bed59fc0024fae941d6e20a3b44a109ae740129287",
                                              "a9148483aa1116eb9c05c482a72bada4b1db24af654387"};
    const std::string ROOT = "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi";
    CheckScripts("sh(wpkh(" + ROOT + "/10/20/30/40/*'))", sh_wpkh);
    CheckScripts("sh(wpkh(" + ROOT + "/10/20/30/40/*h))", sh_wpkh);
    CheckScripts("wsh(pkh(" + WIF + "))", {"0020338e023079b91c58571b20e602d7805fb808c22473cbc391a41b1bd3a192e75b"});
    CheckScripts("wsh(pkh(" + PK + "))", {"0020338e023079b91c58571b20e602d7805fb808c22473cbc391a41b1bd3a192e75b"});
    CheckScripts("wsh(pk(" + WIF + "))", {"00202e271faa2325c199d25d22e1ead982e45b64eeb4f31e73dbdf41bd4b5fec23fa"});
    CheckScripts("wsh(pk(" + PK + "))", {"00202e271faa2325c199d25d22e1ead982e45b64eeb4f31e73dbdf41bd4b5fec23fa"});
    CheckScripts("sh(wsh(pkh(" + WIF + ")))", {"a914b61b92e2ca21bac1e72a3ab859a742982bea960a87"});
    CheckScripts("sh(wsh(pkh(" + PK + ")))", {"a914b61b92e2ca21bac1e72a3ab859a742982bea960a87"});

    BOOST_CHECK_EQUAL(ParseError("wpkh(" + UWIF + ")"), "wpkh(): Uncompressed keys are not allowed");
    BOOST_CHECK_EQUAL(ParseError("sh(wpkh(" + UWIF + "))"), "wpkh(): Uncompressed keys are not allowed");
    BOOST_CHECK_EQUAL(ParseError("wpkh(" + UPK + ")"), "wpkh(): Uncompressed keys are not allowed");
    BOOST_CHECK_EQUAL(ParseError("sh(wpkh(" + UPK + "))"), "wpkh(): Uncompressed keys are not allowed");
    BOOST_CHECK_EQUAL(ParseError("wsh(pk(" + UWIF + "))"), "pk(): Uncompressed keys are not allowed");
    BOOST_CHECK_EQUAL(ParseError("wsh(pk(" + UPK + "))"), "pk(): Uncompressed keys are not allowed");
    BOOST_CHECK_EQUAL(ParseError("wsh(wpkh(" + PK + "))"), "Can only have wpkh() at top level or inside sh()");
    BOOST_CHECK_EQUAL(ParseError("wsh(wsh(pkh(" + PK + ")))"), "Can only have wsh() at top level or inside sh()");
    BOOST_CHECK_EQUAL(ParseError("sh(wsh(wsh(pkh(" + PK + "))))"), "Can only have wsh() at top level or inside sh()");
    ParseError("wpkh(wsh(pkh(" + PK + ")))");
    BOOST_CHECK_EQUAL(ParseError("wsh(" + PK + ")"), "A function is needed within P2WSH");
}

BOOST_AUTO_TEST_CASE(bip386_tr)
{
    const std::string X = "a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd";
    CheckScripts("tr(" + X + ")", {"512077aab6e066f8a7419c5ab714c12c67d25007ed55a43cadcacb4d7a970a093f11"});
    CheckScripts("tr(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1)",
                 {"512077aab6e066f8a7419c5ab714c12c67d25007ed55a43cadcacb4d7a970a093f11"});
    CheckScripts("tr(" + XPRV_A + "/0/*,pk(" + XPRV_A + "/1/*))",
                 {"512078bc707124daa551b65af74de2ec128b7525e10f374dc67b64e00ce0ab8b3e12",
                  "512001f0a02a17808c20134b78faab80ef93ffba82261ccef0a2314f5d62b6438f11",
                  "512021024954fcec88237a9386fce80ef2ced5f1e91b422b26c59ccfc174c8d1ad25"});
    CheckScripts("tr(" + X + ",pk(669b8afcec803a0d323e9a17f3ea8e68e8abe5a278020a929adbec52421adbd0))",
                 {"512017cf18db381d836d8923b1bdb246cfcd818da1a9f0e6e7907f187f0b2f937754"});
    CheckScripts("tr(" + X + ",{pk(xprvA2JDeKCSNNZky6uBCviVfJSKyQ1mDYahRjijr5idH2WwLsEd4Hsb2Tyh8RfQMuPh7f7RtyzTtdrbdqqsunu5Mm3wDvUAKRHSC34sJ7in334/0),{{pk(" +
                     XPUB_A + "),pk(02df12b7035bdac8e3bab862a3a83d06ea6b17b6753d52edecba9be46f5d09e076)},pk(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1)}})",
                 {"512071fff39599a7b78bc02623cbe814efebf1a404f5d8ad34ea80f213bd8943f574"});

    BOOST_CHECK_EQUAL(ParseError("tr(5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjss)"),
                      "tr(): Uncompressed keys are not allowed");
    BOOST_CHECK_EQUAL(ParseError("tr(04a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c7709c02559e3aa73aa03918ba2d492eea75abea235)"),
                      "tr(): Uncompressed keys are not allowed");
    BOOST_CHECK_EQUAL(ParseError("wsh(tr(" + X + "))"), "Can only have tr at top level");
    BOOST_CHECK_EQUAL(ParseError("sh(tr(" + X + "))"), "Can only have tr at top level");
    ParseError("tr(" + X + ", pkh(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1))");
    BOOST_CHECK_EQUAL(ParseError("tr(" + X + ",{pk(" + X + "))"), "tr(): expected ',' after script expression");
    BOOST_CHECK_EQUAL(ParseError("tr(" + X + ",{pk(" + X + "),pk(" + X + "))"), "tr(): expected '}' after script expression");
}

BOOST_AUTO_TEST_CASE(normalized_form)
{
    std::string error;
    // Private keys become public ones; hex is lowered; the checksum follows.
    auto d = descriptor::Parse("wpkh([d34db33f/84h/0h/0h]0279BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798)", Main(), error);
    BOOST_REQUIRE(d);
    BOOST_CHECK_EQUAL(d->ToString(),
                      "wpkh([d34db33f/84h/0h/0h]0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798)#" +
                          descriptor::DescriptorChecksum("wpkh([d34db33f/84h/0h/0h]0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798)"));
    BOOST_CHECK(!d->HasPrivateKeys());
    BOOST_CHECK(d->IsSolvable());
    BOOST_CHECK(!d->IsRange());

    d = descriptor::Parse("pkh(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1)", Main(), error);
    BOOST_REQUIRE(d);
    BOOST_CHECK(d->HasPrivateKeys());
    BOOST_CHECK(d->ToString().starts_with("pkh(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)#"));
    BOOST_CHECK(d->ToString(true).starts_with("pkh(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1)#"));

    // A WIF key inside tr() prints as an x-only key; an xprv as its xpub;
    // the hardened marker of the input (last one seen) is kept.
    d = descriptor::Parse("tr(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1)", Main(), error);
    BOOST_REQUIRE(d);
    BOOST_CHECK(d->ToString().starts_with("tr(a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)#"));
    d = descriptor::Parse("pk(" + XPRV_A + "/1'/2/*')", Main(), error);
    BOOST_REQUIRE(d);
    BOOST_CHECK(d->IsRange());
    BOOST_CHECK(d->ToString().starts_with("pk(" + XPUB_A + "/1'/2/*')#"));
    d = descriptor::Parse("pk(" + XPUB_A + "/1h/2/*)", Main(), error);
    BOOST_REQUIRE(d);
    BOOST_CHECK(d->ToString().starts_with("pk(" + XPUB_A + "/1h/2/*)#"));
    // Hardened steps below an xpub cannot be derived.
    BOOST_CHECK(!d->Expand(0).has_value());

    // addr() re-encodes, raw() lowers.
    d = descriptor::Parse("addr(BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4)", Main(), error);
    BOOST_REQUIRE(d);
    BOOST_CHECK(d->ToString().starts_with("addr(bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4)#"));
    BOOST_CHECK(!d->IsSolvable());
    BOOST_CHECK_EQUAL(ScriptHex(d->Expand(0)->front()), "0014751e76e8199196d454941c45d1b3a323f1433bd6");
    d = descriptor::Parse("raw(DEADBEEF)", Main(), error);
    BOOST_REQUIRE(d);
    BOOST_CHECK_EQUAL(d->ToString(), "raw(deadbeef)#89f8spxm");

    BOOST_CHECK_EQUAL(ParseError("addr(bc1qinvalid)"), "Address is not valid");
    BOOST_CHECK_EQUAL(ParseError("raw(xyz)"), "Raw script is not hex");
    BOOST_CHECK_EQUAL(ParseError("sh(addr(bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4))"), "Can only have addr() at top level");
    BOOST_CHECK_EQUAL(ParseError("sh(raw(00))"), "Can only have raw() at top level");
    BOOST_CHECK_EQUAL(ParseError("foo(00)"), "'foo(00)' is not a valid descriptor function");
    // Testnet keys on mainnet are not keys at all.
    BOOST_CHECK_EQUAL(ParseError("pk(tpubD6NzVbkrYhZ4WaWSyoBvQwbpLkojyoTZPRsgXELWz3Popb3qkjcJyJUGLnL4qHHoQvao8ESaAstxYSnhyswJ76uZPStJRJCTKvosUCJZL5B)"),
                      "pk(): key 'tpubD6NzVbkrYhZ4WaWSyoBvQwbpLkojyoTZPRsgXELWz3Popb3qkjcJyJUGLnL4qHHoQvao8ESaAstxYSnhyswJ76uZPStJRJCTKvosUCJZL5B' is not valid");
}

BOOST_AUTO_TEST_CASE(regtest_addresses)
{
    // The same key pays to regtest addresses when parsed with regtest's prefixes.
    std::string error;
    const auto& regtest = GetAddressParams(AddressNetwork::REGTEST);
    const auto d = descriptor::Parse("wpkh(cN9spWsvaxA8taS7DFMxnk1yJD2gaF2PX1npuTpy3vuZFJdwavaw)", regtest, error);
    BOOST_REQUIRE_MESSAGE(d, error);
    const auto scripts = d->Expand(0);
    BOOST_REQUIRE(scripts);
    const auto address = EncodeAddress(scripts->front(), regtest);
    BOOST_REQUIRE(address);
    BOOST_CHECK(address->starts_with("bcrt1q"));
    BOOST_CHECK_EQUAL(ScriptHex(descriptor::Parse("addr(" + *address + ")", regtest, error)->Expand(0)->front()), ScriptHex(scripts->front()));
}

BOOST_AUTO_TEST_SUITE_END()
