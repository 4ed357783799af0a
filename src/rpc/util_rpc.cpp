// Utility RPCs: validateaddress, getdescriptorinfo, deriveaddresses,
// setmocktime.

#include <kernel/chainparams.h>
#include <kernel/validation.h>
#include <node/context.h>
#include <rpc/server.h>
#include <rpc/util.h>
#include <script/address.h>
#include <script/descriptor.h>
#include <util/base58.h>
#include <util/bech32.h>
#include <util/strencodings.h>
#include <util/time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace {

const AddressParams& ChainAddressParams(const RPCRequest& request)
{
    if (request.node && request.node->chainman) return request.node->chainman->Params().Address();
    if (request.node) {
        if (auto network = AddressNetworkFromName(request.node->chain_name)) return GetAddressParams(*network);
    }
    return EnsureChainman(request).Params().Address();
}

std::string Lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

struct AddressCheck {
    std::optional<Script> script;
    std::string error;
    std::vector<int> locations;
};

// Where a bech32 string that does not decode is wrong, with Bitcoin Core's
// messages ("Invalid Bech32 checksum" and the like).
AddressCheck LocateBech32Errors(const std::string& str)
{
    AddressCheck out;
    if (str.size() > BECH32_MAX_LENGTH) {
        for (size_t i = BECH32_MAX_LENGTH; i < str.size(); ++i) out.locations.push_back(static_cast<int>(i));
        out.error = "Bech32 string too long";
        return out;
    }
    bool lower = false, upper = false;
    for (size_t i = 0; i < str.size(); ++i) {
        const unsigned char c = str[i];
        if (c >= 'a' && c <= 'z') {
            if (upper) out.locations.push_back(static_cast<int>(i)); else lower = true;
        } else if (c >= 'A' && c <= 'Z') {
            if (lower) out.locations.push_back(static_cast<int>(i)); else upper = true;
        } else if (c < 33 || c > 126) {
            out.locations.push_back(static_cast<int>(i));
        }
    }
    if (!out.locations.empty()) {
        out.error = "Invalid character or mixed case";
        return out;
    }
    const size_t sep = str.rfind('1');
    if (sep == std::string::npos) {
        out.error = "Missing separator";
        return out;
    }
    if (sep == 0 || sep + BECH32_CHECKSUM_LENGTH >= str.size()) {
        out.locations.push_back(static_cast<int>(sep));
        out.error = "Invalid separator position";
        return out;
    }
    static constexpr std::string_view CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    for (size_t i = sep + 1; i < str.size(); ++i) {
        if (CHARSET.find(static_cast<char>(std::tolower(static_cast<unsigned char>(str[i])))) == std::string_view::npos) {
            out.locations.push_back(static_cast<int>(i));
            out.error = "Invalid Base 32 character";
            return out;
        }
    }
    const Bech32ErrorReport report = Bech32LocateErrors(str);
    for (size_t pos : report.positions) out.locations.push_back(static_cast<int>(pos));
    out.error = "Invalid checksum";
    if (out.locations.empty() || out.locations.size() > 2) return out;
    // Which checksum constant the located errors belong to: substitute every
    // character at those positions until the string decodes.
    std::string fixed = Lower(str);
    const auto try_all = [&](auto&& self, size_t k) -> Bech32Encoding {
        if (k == out.locations.size()) return Bech32Decode(fixed).encoding;
        const char original = fixed[out.locations[k]];
        for (char c : CHARSET) {
            if (c == original) continue;
            fixed[out.locations[k]] = c;
            if (const Bech32Encoding e = self(self, k + 1); e != Bech32Encoding::INVALID) return e;
        }
        fixed[out.locations[k]] = original;
        return Bech32Encoding::INVALID;
    };
    const Bech32Encoding encoding = try_all(try_all, 0);
    if (encoding == Bech32Encoding::BECH32) out.error = "Invalid Bech32 checksum";
    if (encoding == Bech32Encoding::BECH32M) out.error = "Invalid Bech32m checksum";
    return out;
}

std::string ByteCount(size_t n) { return std::to_string(n) + (n == 1 ? " byte" : " bytes"); }

// Bitcoin Core's DecodeDestination: the script, or the reason the string is
// not an address of this chain (and where, for bech32).
AddressCheck CheckAddress(const std::string& str, const AddressParams& params)
{
    AddressCheck out;
    const std::string& hrp = params.bech32_hrp;
    const bool is_bech32 = Lower(str.substr(0, hrp.size())) == hrp;
    if (!is_bech32) {
        if (const auto payload = DecodeBase58Check(str, 21)) {
            out.script = DecodeAddress(str, params);
            if (out.script) return out;
            const auto starts_with = [&](const std::vector<unsigned char>& prefix) {
                return payload->size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), payload->begin());
            };
            out.error = starts_with(params.script_prefix) || starts_with(params.pubkey_prefix)
                            ? "Invalid length for Base58 address (P2PKH or P2SH)"
                            : "Invalid or unsupported Base58-encoded address.";
        } else if (!DecodeBase58(str, 100)) {
            out.error = "Invalid or unsupported Segwit (Bech32) or Base58 encoding.";
        } else {
            out.error = "Invalid checksum or length of Base58 address (P2PKH or P2SH)";
        }
        return out;
    }
    const Bech32Decoded dec = Bech32Decode(str);
    if (dec.encoding == Bech32Encoding::INVALID) return LocateBech32Errors(str);
    if (dec.data.empty()) {
        out.error = "Empty Bech32 data section";
        return out;
    }
    if (dec.hrp != hrp) {
        out.error = "Invalid or unsupported prefix for Segwit (Bech32) address (expected " + hrp + ", got " + dec.hrp + ").";
        return out;
    }
    const int version = dec.data[0];
    if (version == 0 && dec.encoding != Bech32Encoding::BECH32) {
        out.error = "Version 0 witness address must use Bech32 checksum";
        return out;
    }
    if (version != 0 && dec.encoding != Bech32Encoding::BECH32M) {
        out.error = "Version 1+ witness address must use Bech32m checksum";
        return out;
    }
    std::vector<uint8_t> program;
    if (!ConvertBits<5, 8, false>(program, std::span<const uint8_t>(dec.data).subspan(1))) {
        out.error = "Invalid padding in Bech32 data section";
        return out;
    }
    if (version == 0 && program.size() != 20 && program.size() != 32) {
        out.error = "Invalid Bech32 v0 address program size (" + ByteCount(program.size()) + "), per BIP141";
        return out;
    }
    if (version > 16) {
        out.error = "Invalid Bech32 address witness version";
        return out;
    }
    if (program.size() < 2 || program.size() > 40) {
        out.error = "Invalid Bech32 address program size (" + ByteCount(program.size()) + ")";
        return out;
    }
    Script script;
    script << Script::EncodeOpN(version) << std::span<const unsigned char>(program);
    out.script = std::move(script);
    return out;
}

// isscript / iswitness / witness_version / witness_program as Core describes
// each kind of destination.
void DescribeScript(const Script& script, Json& out)
{
    int version = 0;
    std::vector<unsigned char> program;
    if (script.IsWitnessProgram(version, program)) {
        const bool anchor = version == 1 && program == std::vector<unsigned char>{0x4e, 0x73};
        if (anchor) {
            out["isscript"] = true;
            out["iswitness"] = true;
            return;
        }
        const bool known = (version == 0 && (program.size() == 20 || program.size() == 32)) ||
                           (version == 1 && program.size() == 32);
        if (known) out["isscript"] = !(version == 0 && program.size() == 20);
        out["iswitness"] = true;
        out["witness_version"] = version;
        out["witness_program"] = HexStr(program);
        return;
    }
    out["isscript"] = script.IsPayToScriptHash();
    out["iswitness"] = false;
}

RPCMethod ValidateAddressMethod()
{
    return RPCMethod{
        "util", "validateaddress",
        "Checks whether a string is an address of this network and describes what it pays to.",
        {{"address", RPCArg::Type::STR, false, "", "The string to check"}},
        "{                               (json object)\n"
        "  \"isvalid\" : true|false,        (boolean) whether it is an address of this network\n"
        "  \"address\" : \"str\",             (string, optional) the address, normalized (bech32 in lower case)\n"
        "  \"scriptPubKey\" : \"hex\",        (string, optional) the output script it pays to\n"
        "  \"isscript\" : true|false,       (boolean, optional) whether it pays to a script (P2SH, P2WSH, P2TR)\n"
        "  \"iswitness\" : true|false,      (boolean, optional) whether it is a segwit address\n"
        "  \"witness_version\" : n,         (numeric, optional) segwit version\n"
        "  \"witness_program\" : \"hex\",     (string, optional) segwit program\n"
        "  \"error\" : \"str\",               (string, optional) why it is not valid\n"
        "  \"error_locations\" : [ n, ... ] (json array, optional) positions of the likely wrong characters (bech32), when they can be found\n"
        "}",
        HelpExampleCli("validateaddress", "\"bcrt1qft5p2uhsdcdc3l2ua4ap5qqfg4pjaqlp250x7us7a8qqhrxrxfsqseac85\"") +
            HelpExampleRpc("validateaddress", "\"bcrt1qft5p2uhsdcdc3l2ua4ap5qqfg4pjaqlp250x7us7a8qqhrxrxfsqseac85\""),
        [](const RPCRequest& request) -> Json {
            const AddressParams& params = ChainAddressParams(request);
            const AddressCheck check = CheckAddress(ParamString(request, 0, ""), params);
            Json result = Json::object();
            result["isvalid"] = check.script.has_value();
            if (check.script) {
                result["address"] = EncodeAddress(*check.script, params).value_or("");
                result["scriptPubKey"] = HexStr(std::span<const unsigned char>(check.script->data(), check.script->size()));
                DescribeScript(*check.script, result);
            } else {
                Json locations = Json::array();
                for (int i : check.locations) locations.push_back(i);
                result["error_locations"] = std::move(locations);
                result["error"] = check.error;
            }
            return result;
        }};
}

RPCMethod GetDescriptorInfoMethod()
{
    return RPCMethod{
        "util", "getdescriptorinfo",
        "Parses an output descriptor and reports its normalized form and properties.",
        {{"descriptor", RPCArg::Type::STR, false, "", "The descriptor (checksum optional)."}},
        "{                                   (json object)\n"
        "  \"descriptor\" : \"str\",              (string) normalized form with its checksum; private keys shown as public ones\n"
        "  \"checksum\" : \"str\",                (string) checksum of the text as given\n"
        "  \"isrange\" : true|false,            (boolean) whether a key ends in a /* range\n"
        "  \"issolvable\" : true|false,         (boolean) whether the scripts are known from keys (not addr() or raw())\n"
        "  \"hasprivatekeys\" : true|false      (boolean) whether the text held a private key\n"
        "}",
        HelpExampleCli("getdescriptorinfo", "\"pkh([0badc0de/44h/1h/0h]03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)\""),
        [](const RPCRequest& request) -> Json {
            const std::string text = ParamString(request, 0, "");
            std::string error;
            const auto desc = descriptor::Parse(text, ChainAddressParams(request), error, /*require_checksum=*/false);
            if (!desc) throw RPCError(RPC_INVALID_ADDRESS_OR_KEY, error);
            Json result = Json::object();
            result["descriptor"] = desc->ToString();
            result["checksum"] = descriptor::GetDescriptorChecksum(text);
            result["isrange"] = desc->IsRange();
            result["issolvable"] = desc->IsSolvable();
            result["hasprivatekeys"] = desc->HasPrivateKeys();
            return result;
        }};
}

int64_t JsonInt(const Json& value)
{
    if (value.is_number_integer()) return value.get<int64_t>();
    if (auto text = JsonNumberText(value)) {
        try {
            size_t used = 0;
            const long long n = std::stoll(*text, &used);
            if (used == text->size()) return n;
        } catch (const std::exception&) {
        }
    }
    throw RPCError(RPC_INVALID_PARAMETER, "Range must be specified as end or as [begin,end]");
}

// Core's ParseDescriptorRange: "end" or [begin, end], within bounds.
std::pair<int64_t, int64_t> ParseRange(const Json& value)
{
    int64_t low = 0, high = 0;
    if (value.is_number() || IsJsonRawNumber(value)) {
        high = JsonInt(value);
    } else if (value.is_array() && value.size() == 2 && (value[0].is_number() || IsJsonRawNumber(value[0])) &&
               (value[1].is_number() || IsJsonRawNumber(value[1]))) {
        low = JsonInt(value[0]);
        high = JsonInt(value[1]);
        if (low > high) throw RPCError(RPC_INVALID_PARAMETER, "Range specified as [begin,end] must not have begin after end");
    } else {
        throw RPCError(RPC_INVALID_PARAMETER, "Range must be specified as end or as [begin,end]");
    }
    if (low < 0) throw RPCError(RPC_INVALID_PARAMETER, "Range should be greater or equal than 0");
    if ((high >> 31) != 0) throw RPCError(RPC_INVALID_PARAMETER, "End of range is too high");
    if (high >= low + 1000000) throw RPCError(RPC_INVALID_PARAMETER, "Range is too large");
    return {low, high};
}

RPCMethod DeriveAddressesMethod()
{
    return RPCMethod{
        "util", "deriveaddresses",
        "Returns the addresses an output descriptor stands for, at each index of a range for a ranged one.\n"
        "Supported here: addr(), raw(), pk(), pkh(), wpkh(), sh(), wsh() and tr() with pk()/pkh() leaves; keys\n"
        "as hex, WIF, or extended keys with a path (h or ' for hardened steps, /* for the range).\n"
        "The descriptor must end in its checksum (getdescriptorinfo computes it).",
        {
            {"descriptor", RPCArg::Type::STR, false, "", "The descriptor, with checksum."},
            {"range", RPCArg::Type::RANGE, true, "", "Ranged descriptors only: the last index, or [first, last]."},
        },
        "[           (json array)\n"
        "  \"str\",    (string) an address, in index order\n"
        "  ...\n"
        "]",
        HelpExampleCli("deriveaddresses", "\"wpkh(tpubD6NzVbkrYhZ4WaWSyoBvQwbpLkojyoTZPRsgXELWz3Popb3qkjcJyJUGLnL4qHHoQvao8ESaAstxYSnhyswJ76uZPStJRJCTKvosUCJZL5B/0/*)#efr7m7hr\" \"[0,2]\""),
        [](const RPCRequest& request) -> Json {
            const std::string text = ParamString(request, 0, "");
            const bool has_range = !request.Param(1).is_null();
            int64_t begin = 0, end = 0;
            if (has_range) std::tie(begin, end) = ParseRange(request.Param(1));

            const AddressParams& params = ChainAddressParams(request);
            std::string error;
            const auto desc = descriptor::Parse(text, params, error, /*require_checksum=*/true);
            if (!desc) throw RPCError(RPC_INVALID_ADDRESS_OR_KEY, error);
            if (!desc->IsRange() && has_range) {
                throw RPCError(RPC_INVALID_PARAMETER, "Range should not be specified for an un-ranged descriptor");
            }
            if (desc->IsRange() && !has_range) {
                throw RPCError(RPC_INVALID_PARAMETER, "Range must be specified for a ranged descriptor");
            }
            Json addresses = Json::array();
            for (int64_t i = begin; i <= end; ++i) {
                const auto scripts = desc->Expand(static_cast<uint32_t>(i));
                if (!scripts) throw RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Cannot derive script without private keys");
                for (const Script& script : *scripts) {
                    const auto address = EncodeAddress(script, params);
                    if (!address) {
                        throw RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Descriptor does not have a corresponding address");
                    }
                    addresses.push_back(*address);
                }
            }
            if (addresses.empty()) throw RPCError(RPC_MISC_ERROR, "Unexpected empty result");
            return addresses;
        }};
}

RPCMethod SetMockTimeMethod()
{
    return RPCMethod{
        "hidden", "setmocktime",
        "Makes the node's clock read the given time from now on (regtest only).",
        {{"timestamp", RPCArg::Type::NUM, false, "",
          "UNIX seconds; 0 returns to the system clock."}},
        "null    (json null)",
        "",
        [](const RPCRequest& request) -> Json {
            ChainstateManager& chainman = EnsureChainman(request);
            if (chainman.Params().GetChainType() != ChainType::REGTEST) {
                throw std::runtime_error("setmocktime is for regression testing (-regtest mode) only");
            }
            const int64_t time = ParamInt(request, 0, 0);
            constexpr int64_t max_time =
                std::chrono::duration_cast<std::chrono::seconds>(std::chrono::nanoseconds::max()).count();
            if (time < 0 || time > max_time) {
                throw RPCError(RPC_INVALID_PARAMETER, "Mocktime must be in the range [0, " + std::to_string(max_time) +
                                                          "], not " + std::to_string(time) + ".");
            }
            // Not in the middle of validating a block.
            std::lock_guard lock(chainman.ChainLock());
            SetMockTime(time);
            return nullptr;
        }};
}

} // namespace

void RegisterUtilRPCCommands(RPCTable& table)
{
    table.Register(ValidateAddressMethod());
    table.Register(GetDescriptorInfoMethod());
    table.Register(DeriveAddressesMethod());
    table.Register(SetMockTimeMethod());
}
