#pragma once

// Output script descriptors (BIP380-386), the part a node needs before it
// has a wallet: addr(), raw(), pk(), pkh(), wpkh(), sh(), wsh() and tr()
// with a tree of pk() leaves. Keys are hex public keys (x-only inside tr()),
// WIF private keys, or BIP32 extended keys with a derivation path, hardened
// steps (' or h) and a trailing /* or /*h range, each optionally preceded by
// a key origin [fingerprint/path]. Pure: the chain's address prefixes come in
// as a parameter.

#include <script/address.h>
#include <script/script.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace descriptor {

struct Node;

class Descriptor {
public:
    Descriptor(std::unique_ptr<Node> root, const AddressParams& params);
    ~Descriptor();
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;

    // The normalized form followed by '#' and its checksum: public keys only
    // (private keys shown as their public keys, an xprv as its xpub), hex in
    // lower case, addresses re-encoded. With include_private, private keys
    // keep their WIF / xprv form.
    std::string ToString(bool include_private = false) const;
    // Some key ends in a /* range.
    bool IsRange() const;
    // The scripts can be derived and spent knowing only keys (false for
    // addr() and raw()).
    bool IsSolvable() const;
    // The text carried WIF or xprv keys.
    bool HasPrivateKeys() const;
    // The output scripts at range index `pos` (ignored when not ranged).
    // nullopt when a hardened step must be derived without the private key.
    std::optional<std::vector<Script>> Expand(uint32_t pos) const;

private:
    std::unique_ptr<Node> m_root;
    const AddressParams* m_params;
};

// Parses a descriptor. On failure returns null with Bitcoin Core's message in
// `error` (for example "Missing checksum" when require_checksum is set and
// there is none, "Provided checksum 'x' does not match computed checksum 'y'").
std::unique_ptr<Descriptor> Parse(std::string_view text, const AddressParams& params, std::string& error,
                                  bool require_checksum = false);

// The 8-character BIP380 checksum of `payload` (without any '#'), or "" when
// it holds a character outside the descriptor alphabet.
std::string DescriptorChecksum(std::string_view payload);

// The checksum of the part of `text` before '#', when any given checksum is
// well formed and matches; "" otherwise.
std::string GetDescriptorChecksum(std::string_view text);

} // namespace descriptor
