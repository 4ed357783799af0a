#pragma once

// Helpers shared by RPC methods (implemented in rpc/util.cpp).

#include <rpc/server.h>
#include <uint256.h>
#include <util/json.h>

#include <cstdint>
#include <string>
#include <vector>

class ChainstateManager;

// 5000000000 -> 50.00000000 (a raw number, exact).
Json ValueFromAmount(int64_t satoshis);
// Number or numeric string with at most 8 decimals, in range: else
// RPC_TYPE_ERROR "Amount is not a number or string" / "Invalid amount" /
// "Amount out of range".
int64_t AmountFromValue(const Json& value);

// 64 hex characters, else RPC_INVALID_PARAMETER "<name> must be of length 64
// (not N, for 'xx')" / "<name> must be hexadecimal string (not 'xx')".
uint256 ParseHashV(const Json& value, const std::string& name);
std::vector<unsigned char> ParseHexV(const Json& value, const std::string& name);

// Integer from a number (or null -> default); RPC_TYPE_ERROR otherwise.
int64_t ParamInt(const RPCRequest& request, size_t i, int64_t default_value);
bool ParamBool(const RPCRequest& request, size_t i, bool default_value);
std::string ParamString(const RPCRequest& request, size_t i, const std::string& default_value);

// "> bitcoin-cli name args\n" and the curl form, for help texts.
std::string HelpExampleCli(const std::string& method, const std::string& args);
std::string HelpExampleRpc(const std::string& method, const std::string& args);

// The node's chainstate manager, or RPC_CLIENT_NOT_CONNECTED-like error if absent.
ChainstateManager& EnsureChainman(const RPCRequest& request);
