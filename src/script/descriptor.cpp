#include <script/descriptor.h>

#include <crypto/bip32.h>
#include <crypto/hash.h>
#include <crypto/key.h>
#include <crypto/pubkey.h>
#include <crypto/sha256.h>
#include <util/strencodings.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <span>
#include <utility>

namespace descriptor {

namespace {

// BIP380: characters a descriptor may hold, in the order that gives each its
// symbol value, and the alphabet of the 8-character checksum.
constexpr std::string_view INPUT_CHARSET =
    "0123456789()[],'/*abcdefgh@:$%{}"
    "IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~"
    "ijklmnopqrstuvwxyzABCDEFGH`#\"\\ ";
constexpr std::string_view CHECKSUM_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

// One step of the BCH code over GF(32): multiply by x and reduce by the
// generator polynomial of BIP380.
uint64_t PolyModStep(uint64_t c, unsigned value)
{
    static constexpr uint64_t GENERATOR[5] = {0xf5dee51989, 0xa9fdca3312, 0x1bab10e32d, 0x3706b1677a, 0x644d626ffd};
    const unsigned top = static_cast<unsigned>(c >> 35);
    c = ((c & 0x7ffffffffULL) << 5) ^ value;
    for (int i = 0; i < 5; ++i) {
        if ((top >> i) & 1) c ^= GENERATOR[i];
    }
    return c;
}

constexpr uint8_t TAPSCRIPT_LEAF_VERSION = 0xc0;
constexpr int TAPROOT_MAX_DEPTH = 128;

std::string FormatPath(const std::vector<uint32_t>& path, bool apostrophe)
{
    std::string out;
    for (uint32_t step : path) {
        out += '/';
        out += std::to_string(step & ~BIP32_HARDENED);
        if (step & BIP32_HARDENED) out += apostrophe ? '\'' : 'h';
    }
    return out;
}

bool IsHexString(std::string_view s)
{
    if (s.empty() || s.size() % 2 != 0) return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

std::vector<std::string_view> SplitOn(std::string_view s, char sep)
{
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (true) {
        const size_t pos = s.find(sep, start);
        if (pos == std::string_view::npos) {
            parts.push_back(s.substr(start));
            return parts;
        }
        parts.push_back(s.substr(start, pos - start));
        start = pos + 1;
    }
}

// The next expression of sp: everything up to a ',' , ')' or '}' outside of
// brackets. sp keeps what follows.
std::string_view TakeExpr(std::string_view& sp)
{
    int level = 0;
    size_t i = 0;
    for (; i < sp.size(); ++i) {
        const char c = sp[i];
        if (c == '(' || c == '{') {
            ++level;
        } else if (level > 0 && (c == ')' || c == '}')) {
            --level;
        } else if (level == 0 && (c == ')' || c == '}' || c == ',')) {
            break;
        }
    }
    const std::string_view expr = sp.substr(0, i);
    sp.remove_prefix(i);
    return expr;
}

// expr is name(...): expr becomes the inside.
bool TakeFunc(std::string_view name, std::string_view& expr)
{
    if (expr.size() < name.size() + 2 || expr.substr(0, name.size()) != name || expr[name.size()] != '(' ||
        expr.back() != ')') {
        return false;
    }
    expr = expr.substr(name.size() + 1, expr.size() - name.size() - 2);
    return true;
}

bool TakeChar(char c, std::string_view& sp)
{
    if (sp.empty() || sp.front() != c) return false;
    sp.remove_prefix(1);
    return true;
}

// A path element "12", "12'" or "12h". apostrophe records which hardened
// marker was seen last (the normalized form repeats it).
std::optional<uint32_t> ParsePathElement(std::string_view elem, bool& apostrophe, std::string& error)
{
    bool hardened = false;
    if (!elem.empty() && (elem.back() == '\'' || elem.back() == 'h')) {
        apostrophe = elem.back() == '\'';
        hardened = true;
        elem.remove_suffix(1);
    }
    uint32_t value = 0;
    const auto [end, ec] = std::from_chars(elem.data(), elem.data() + elem.size(), value);
    if (elem.empty() || ec != std::errc{} || end != elem.data() + elem.size()) {
        error = "Key path value '" + std::string(elem) + "' is not a valid uint32";
        return std::nullopt;
    }
    if (value >= BIP32_HARDENED) {
        error = "Key path value " + std::to_string(value) + " is out of range";
        return std::nullopt;
    }
    return hardened ? value | BIP32_HARDENED : value;
}

std::array<unsigned char, 20> Hash160Of(std::span<const unsigned char> data)
{
    std::array<unsigned char, 20> out{};
    Hash160().Write(data).Finalize(out);
    return out;
}

void WriteCompactSizeTo(Sha256& hasher, uint64_t n)
{
    unsigned char buf[9];
    size_t len = 0;
    if (n < 0xfd) {
        buf[len++] = static_cast<unsigned char>(n);
    } else {
        const int width = n <= 0xffff ? 2 : n <= 0xffffffff ? 4 : 8;
        buf[len++] = width == 2 ? 0xfd : width == 4 ? 0xfe : 0xff;
        for (int i = 0; i < width; ++i) buf[len++] = static_cast<unsigned char>(n >> (8 * i));
    }
    hasher.Write(std::span<const unsigned char>{buf, len});
}

using Hash32 = std::array<unsigned char, 32>;

Hash32 TapLeafHash(const Script& script)
{
    Sha256 hasher = TaggedHasher("TapLeaf");
    const unsigned char version[1] = {TAPSCRIPT_LEAF_VERSION};
    hasher.Write(version);
    WriteCompactSizeTo(hasher, script.size());
    hasher.Write(std::span<const unsigned char>{script.data(), script.size()});
    Hash32 out{};
    hasher.Finalize(out);
    return out;
}

Hash32 TapBranchHash(const Hash32& a, const Hash32& b)
{
    Sha256 hasher = TaggedHasher("TapBranch");
    const bool a_first = a < b;
    hasher.Write(a_first ? a : b);
    hasher.Write(a_first ? b : a);
    Hash32 out{};
    hasher.Finalize(out);
    return out;
}

} // namespace

// ---------------------------------------------------------------------------
// Key expressions

struct KeyExpr {
    enum class Range { NONE, UNHARDENED, HARDENED };

    bool has_origin = false;
    KeyFingerprint fingerprint{};
    std::vector<uint32_t> origin_path;
    bool apostrophe = false;

    bool extended = false;
    // A single key.
    PubKey pubkey;
    bool xonly = false; // printed as its 32-byte x coordinate
    std::optional<Key> secret;
    // An extended key and the steps below it.
    ExtPubKey xpub;
    std::optional<ExtKey> xprv;
    std::vector<uint32_t> path;
    Range range = Range::NONE;
    // The key at the end of `path`, derived once at parse time so a range
    // costs one derivation per index (absent when a hardened step needs a
    // private key we do not have).
    std::optional<ExtKey> parent_priv;
    std::optional<ExtPubKey> parent_pub;

    bool IsRange() const { return range != Range::NONE; }

    void DeriveParent()
    {
        if (xprv) {
            parent_priv = xprv->DerivePath(path);
            if (parent_priv) parent_pub = parent_priv->Neuter();
            return;
        }
        ExtPubKey key = xpub;
        for (uint32_t step : path) {
            if (step & BIP32_HARDENED) return;
            auto child = key.Derive(step);
            if (!child) return;
            key = *child;
        }
        parent_pub = key;
    }
    bool HasPrivate() const { return secret.has_value() || xprv.has_value(); }

    std::optional<PubKey> Derive(uint32_t pos) const
    {
        if (!extended) return pubkey;
        switch (range) {
        case Range::NONE:
            if (!parent_pub) return std::nullopt;
            return parent_pub->pubkey;
        case Range::UNHARDENED: {
            if (!parent_pub) return std::nullopt;
            auto child = parent_pub->Derive(pos & ~BIP32_HARDENED);
            if (!child) return std::nullopt;
            return child->pubkey;
        }
        case Range::HARDENED: {
            if (!parent_priv) return std::nullopt;
            auto child = parent_priv->Derive(pos | BIP32_HARDENED);
            if (!child) return std::nullopt;
            return child->key.GetPubKey();
        }
        }
        return std::nullopt;
    }

    std::string ToString(bool include_private, const AddressParams& params) const
    {
        std::string out;
        if (has_origin) {
            out += '[' + HexStr(fingerprint) + FormatPath(origin_path, apostrophe) + ']';
        }
        if (!extended) {
            if (include_private && secret) {
                out += EncodeSecret(*secret, params);
            } else if (xonly) {
                out += HexStr(pubkey.bytes().subspan(1));
            } else {
                out += HexStr(pubkey.bytes());
            }
            return out;
        }
        out += include_private && xprv ? EncodeExtKey(*xprv, params) : EncodeExtPubKey(xpub, params);
        out += FormatPath(path, apostrophe);
        if (range == Range::UNHARDENED) out += "/*";
        if (range == Range::HARDENED) out += apostrophe ? "/*'" : "/*h";
        return out;
    }
};

// ---------------------------------------------------------------------------
// Script expressions

enum class Kind { ADDR, RAW, PK, PKH, WPKH, SH, WSH, TR };

struct TapTree;

struct Node {
    Kind kind = Kind::RAW;
    std::optional<KeyExpr> key;      // pk, pkh, wpkh; tr's internal key
    bool tapscript = false;          // pk/pkh as a tr() leaf: x-only key
    std::unique_ptr<Node> sub;       // sh, wsh
    std::unique_ptr<TapTree> tree;   // tr (optional)
    Script script;                   // addr, raw

    bool IsRange() const;
    bool HasPrivate() const;
    std::optional<Script> Expand(uint32_t pos) const;
    std::string ToString(bool include_private, const AddressParams& params) const;
};

struct TapTree {
    std::unique_ptr<Node> leaf; // set for a leaf
    std::unique_ptr<TapTree> left, right;

    bool IsRange() const { return leaf ? leaf->IsRange() : left->IsRange() || right->IsRange(); }
    bool HasPrivate() const { return leaf ? leaf->HasPrivate() : left->HasPrivate() || right->HasPrivate(); }
    std::optional<Hash32> Hash(uint32_t pos) const
    {
        if (leaf) {
            auto script = leaf->Expand(pos);
            if (!script) return std::nullopt;
            return TapLeafHash(*script);
        }
        auto l = left->Hash(pos);
        auto r = right->Hash(pos);
        if (!l || !r) return std::nullopt;
        return TapBranchHash(*l, *r);
    }
    std::string ToString(bool include_private, const AddressParams& params) const
    {
        if (leaf) return leaf->ToString(include_private, params);
        return '{' + left->ToString(include_private, params) + ',' + right->ToString(include_private, params) + '}';
    }
};

bool Node::IsRange() const
{
    if (key && key->IsRange()) return true;
    if (sub && sub->IsRange()) return true;
    return tree && tree->IsRange();
}

bool Node::HasPrivate() const
{
    if (key && key->HasPrivate()) return true;
    if (sub && sub->HasPrivate()) return true;
    return tree && tree->HasPrivate();
}

std::optional<Script> Node::Expand(uint32_t pos) const
{
    Script out;
    switch (kind) {
    case Kind::ADDR:
    case Kind::RAW:
        return script;
    case Kind::PK: {
        const auto pubkey = key->Derive(pos);
        if (!pubkey) return std::nullopt;
        if (tapscript) {
            out << pubkey->bytes().subspan(1);
        } else {
            out << pubkey->bytes();
        }
        out << OP_CHECKSIG;
        return out;
    }
    case Kind::PKH: {
        const auto pubkey = key->Derive(pos);
        if (!pubkey) return std::nullopt;
        const auto hash = tapscript ? Hash160Of(pubkey->bytes().subspan(1)) : Hash160Of(pubkey->bytes());
        out << OP_DUP << OP_HASH160 << std::span<const unsigned char>(hash) << OP_EQUALVERIFY << OP_CHECKSIG;
        return out;
    }
    case Kind::WPKH: {
        const auto pubkey = key->Derive(pos);
        if (!pubkey) return std::nullopt;
        const auto hash = Hash160Of(pubkey->bytes());
        out << OP_0 << std::span<const unsigned char>(hash);
        return out;
    }
    case Kind::SH: {
        const auto inner = sub->Expand(pos);
        if (!inner) return std::nullopt;
        const auto hash = Hash160Of(std::span<const unsigned char>(inner->data(), inner->size()));
        out << OP_HASH160 << std::span<const unsigned char>(hash) << OP_EQUAL;
        return out;
    }
    case Kind::WSH: {
        const auto inner = sub->Expand(pos);
        if (!inner) return std::nullopt;
        Hash32 hash{};
        Sha256 sha;
        sha.Write(std::span<const unsigned char>(inner->data(), inner->size()));
        sha.Finalize(hash);
        out << OP_0 << std::span<const unsigned char>(hash);
        return out;
    }
    case Kind::TR: {
        const auto pubkey = key->Derive(pos);
        if (!pubkey) return std::nullopt;
        const XOnlyPubKey internal{pubkey->bytes().subspan(1)};
        std::optional<Hash32> root;
        if (tree) {
            root = tree->Hash(pos);
            if (!root) return std::nullopt;
        }
        Hash32 root_bytes = root.value_or(Hash32{});
        const std::span<const unsigned char, 32> root_span{root_bytes};
        const auto tweaked = internal.CreateTapTweak(root ? &root_span : nullptr);
        if (!tweaked) return std::nullopt;
        out << OP_1 << std::span<const unsigned char>(tweaked->first.bytes());
        return out;
    }
    }
    return std::nullopt;
}

std::string Node::ToString(bool include_private, const AddressParams& params) const
{
    switch (kind) {
    case Kind::ADDR: return "addr(" + EncodeAddress(script, params).value_or("") + ")";
    case Kind::RAW: return "raw(" + HexStr(std::span<const unsigned char>(script.data(), script.size())) + ")";
    case Kind::PK: return "pk(" + key->ToString(include_private, params) + ")";
    case Kind::PKH: return "pkh(" + key->ToString(include_private, params) + ")";
    case Kind::WPKH: return "wpkh(" + key->ToString(include_private, params) + ")";
    case Kind::SH: return "sh(" + sub->ToString(include_private, params) + ")";
    case Kind::WSH: return "wsh(" + sub->ToString(include_private, params) + ")";
    case Kind::TR: {
        std::string out = "tr(" + key->ToString(include_private, params);
        if (tree) out += ',' + tree->ToString(include_private, params);
        return out + ")";
    }
    }
    return {};
}

// ---------------------------------------------------------------------------
// Parser

namespace {

// Where an expression sits: it decides which functions and key forms are allowed.
enum class Ctx { TOP, P2SH, P2WPKH, P2WSH, P2TR };

class Parser {
public:
    explicit Parser(const AddressParams& params) : m_params(params) {}

    std::optional<KeyExpr> ParseKey(std::string_view sp, Ctx ctx, std::string& error) const
    {
        const auto origin_split = SplitOn(sp, ']');
        if (origin_split.size() > 2) {
            error = "Multiple ']' characters found for a single pubkey";
            return std::nullopt;
        }
        bool apostrophe = false;
        if (origin_split.size() == 1) return ParseKeyInner(sp, ctx, apostrophe, error);
        const std::string_view origin = origin_split[0];
        if (origin.empty() || origin[0] != '[') {
            error = std::string("Key origin start '[ character expected but not found, got '") +
                    (origin.empty() ? ']' : origin[0]) + "' instead";
            return std::nullopt;
        }
        const auto parts = SplitOn(origin.substr(1), '/');
        if (parts[0].size() != 8) {
            error = "Fingerprint is not 4 bytes (" + std::to_string(parts[0].size()) +
                    " characters instead of 8 characters)";
            return std::nullopt;
        }
        const auto fpr = IsHexString(parts[0]) ? TryParseHex(parts[0]) : std::nullopt;
        if (!fpr) {
            error = "Fingerprint '" + std::string(parts[0]) + "' is not hex";
            return std::nullopt;
        }
        std::vector<uint32_t> origin_path;
        for (size_t i = 1; i < parts.size(); ++i) {
            const auto step = ParsePathElement(parts[i], apostrophe, error);
            if (!step) return std::nullopt;
            origin_path.push_back(*step);
        }
        auto key = ParseKeyInner(origin_split[1], ctx, apostrophe, error);
        if (!key) return std::nullopt;
        key->has_origin = true;
        std::copy(fpr->begin(), fpr->end(), key->fingerprint.begin());
        key->origin_path = std::move(origin_path);
        key->apostrophe = apostrophe;
        return key;
    }

    // One script expression taken from the front of sp.
    std::unique_ptr<Node> ParseScript(std::string_view& sp, Ctx ctx, std::string& error) const
    {
        std::string_view expr = TakeExpr(sp);
        auto node = std::make_unique<Node>();
        if (TakeFunc("pk", expr)) {
            node->kind = Kind::PK;
            node->tapscript = ctx == Ctx::P2TR;
            node->key = ParseKey(expr, ctx, error);
            if (!node->key) {
                error = "pk(): " + error;
                return nullptr;
            }
            return node;
        }
        if (TakeFunc("pkh", expr)) {
            node->kind = Kind::PKH;
            node->tapscript = ctx == Ctx::P2TR;
            node->key = ParseKey(expr, ctx, error);
            if (!node->key) {
                error = "pkh(): " + error;
                return nullptr;
            }
            return node;
        }
        if (TakeFunc("wpkh", expr)) {
            if (ctx != Ctx::TOP && ctx != Ctx::P2SH) {
                error = "Can only have wpkh() at top level or inside sh()";
                return nullptr;
            }
            node->kind = Kind::WPKH;
            node->key = ParseKey(expr, Ctx::P2WPKH, error);
            if (!node->key) {
                error = "wpkh(): " + error;
                return nullptr;
            }
            return node;
        }
        if (TakeFunc("sh", expr)) {
            if (ctx != Ctx::TOP) {
                error = "Can only have sh() at top level";
                return nullptr;
            }
            node->kind = Kind::SH;
            node->sub = ParseScript(expr, Ctx::P2SH, error);
            if (!node->sub) return nullptr;
            if (!expr.empty()) {
                error = "sh(): expected ')' after script expression";
                return nullptr;
            }
            return node;
        }
        if (TakeFunc("wsh", expr)) {
            if (ctx != Ctx::TOP && ctx != Ctx::P2SH) {
                error = "Can only have wsh() at top level or inside sh()";
                return nullptr;
            }
            node->kind = Kind::WSH;
            node->sub = ParseScript(expr, Ctx::P2WSH, error);
            if (!node->sub) return nullptr;
            if (!expr.empty()) {
                error = "wsh(): expected ')' after script expression";
                return nullptr;
            }
            return node;
        }
        if (TakeFunc("addr", expr)) {
            if (ctx != Ctx::TOP) {
                error = "Can only have addr() at top level";
                return nullptr;
            }
            auto script = DecodeAddress(expr, m_params);
            if (!script) {
                error = "Address is not valid";
                return nullptr;
            }
            node->kind = Kind::ADDR;
            node->script = std::move(*script);
            return node;
        }
        if (TakeFunc("tr", expr)) {
            if (ctx != Ctx::TOP) {
                error = "Can only have tr at top level";
                return nullptr;
            }
            node->kind = Kind::TR;
            const std::string_view key_text = TakeExpr(expr);
            node->key = ParseKey(key_text, Ctx::P2TR, error);
            if (!node->key) {
                error = "tr(): " + error;
                return nullptr;
            }
            if (!expr.empty()) {
                if (!TakeChar(',', expr)) {
                    error = std::string("tr: expected ',', got '") + expr[0] + "'";
                    return nullptr;
                }
                node->tree = ParseTree(expr, 0, error);
                if (!node->tree) return nullptr;
                if (!expr.empty()) {
                    error = "tr(): expected ')' after script expression";
                    return nullptr;
                }
            }
            return node;
        }
        if (TakeFunc("raw", expr)) {
            if (ctx != Ctx::TOP) {
                error = "Can only have raw() at top level";
                return nullptr;
            }
            const auto bytes = IsHexString(expr) ? TryParseHex(expr) : std::nullopt;
            if (!bytes) {
                error = "Raw script is not hex";
                return nullptr;
            }
            node->kind = Kind::RAW;
            node->script = Script(std::span<const unsigned char>(*bytes));
            return node;
        }
        if (ctx == Ctx::P2SH) {
            error = "A function is needed within P2SH";
        } else if (ctx == Ctx::P2WSH) {
            error = "A function is needed within P2WSH";
        } else {
            error = "'" + std::string(expr) + "' is not a valid descriptor function";
        }
        return nullptr;
    }

private:
    std::optional<KeyExpr> ParseKeyInner(std::string_view sp, Ctx ctx, bool& apostrophe, std::string& error) const
    {
        auto split = SplitOn(sp, '/');
        const std::string str(split[0]);
        if (str.empty()) {
            error = "No key provided";
            return std::nullopt;
        }
        if (std::isspace(static_cast<unsigned char>(str.front())) ||
            std::isspace(static_cast<unsigned char>(str.back()))) {
            error = "Key '" + str + "' is invalid due to whitespace";
            return std::nullopt;
        }
        const bool permit_uncompressed = ctx == Ctx::TOP || ctx == Ctx::P2SH;
        KeyExpr key;
        key.apostrophe = apostrophe;
        if (split.size() == 1) {
            if (IsHexString(str)) {
                const std::vector<unsigned char> data = ParseHex(str);
                const PubKey pubkey{data};
                if (pubkey.IsValid() && (data[0] == 0x06 || data[0] == 0x07)) {
                    error = "Hybrid public keys are not allowed";
                    return std::nullopt;
                }
                if (pubkey.IsFullyValid()) {
                    if (!permit_uncompressed && !pubkey.IsCompressed()) {
                        error = "Uncompressed keys are not allowed";
                        return std::nullopt;
                    }
                    key.pubkey = pubkey;
                    return key;
                }
                if (data.size() == 32 && ctx == Ctx::P2TR) {
                    std::vector<unsigned char> full{0x02};
                    full.insert(full.end(), data.begin(), data.end());
                    const PubKey lifted{full};
                    if (lifted.IsFullyValid()) {
                        key.pubkey = lifted;
                        key.xonly = true;
                        return key;
                    }
                }
                error = "Pubkey '" + str + "' is invalid";
                return std::nullopt;
            }
            if (auto secret = DecodeSecret(str, m_params)) {
                if (!permit_uncompressed && !secret->IsCompressed()) {
                    error = "Uncompressed keys are not allowed";
                    return std::nullopt;
                }
                key.pubkey = secret->GetPubKey();
                key.xonly = ctx == Ctx::P2TR;
                key.secret = std::move(secret);
                return key;
            }
        }
        auto xprv = DecodeExtKey(str, m_params);
        auto xpub = DecodeExtPubKey(str, m_params);
        if (!xprv && !xpub) {
            error = "key '" + str + "' is not valid";
            return std::nullopt;
        }
        key.extended = true;
        if (split.back() == "*") {
            split.pop_back();
            key.range = KeyExpr::Range::UNHARDENED;
        } else if (split.back() == "*'" || split.back() == "*h") {
            apostrophe = split.back() == "*'";
            split.pop_back();
            key.range = KeyExpr::Range::HARDENED;
        }
        for (size_t i = 1; i < split.size(); ++i) {
            const auto step = ParsePathElement(split[i], apostrophe, error);
            if (!step) return std::nullopt;
            key.path.push_back(*step);
        }
        if (xprv) {
            key.xpub = xprv->Neuter();
            key.xprv = std::move(xprv);
        } else {
            key.xpub = *xpub;
        }
        key.apostrophe = apostrophe;
        key.DeriveParent();
        return key;
    }

    // TREE: a script expression or {TREE,TREE}.
    std::unique_ptr<TapTree> ParseTree(std::string_view& sp, int depth, std::string& error) const
    {
        auto tree = std::make_unique<TapTree>();
        if (TakeChar('{', sp)) {
            if (depth + 1 > TAPROOT_MAX_DEPTH) {
                error = "tr() supports at most " + std::to_string(TAPROOT_MAX_DEPTH) + " nesting levels";
                return nullptr;
            }
            tree->left = ParseTree(sp, depth + 1, error);
            if (!tree->left) return nullptr;
            if (!TakeChar(',', sp)) {
                error = "tr(): expected ',' after script expression";
                return nullptr;
            }
            tree->right = ParseTree(sp, depth + 1, error);
            if (!tree->right) return nullptr;
            if (!TakeChar('}', sp)) {
                error = "tr(): expected '}' after script expression";
                return nullptr;
            }
            return tree;
        }
        std::string_view leaf = TakeExpr(sp);
        tree->leaf = ParseScript(leaf, Ctx::P2TR, error);
        if (!tree->leaf) return nullptr;
        if (tree->leaf->kind != Kind::PK && tree->leaf->kind != Kind::PKH) {
            error = "tr(): only pk() and pkh() leaves are supported";
            return nullptr;
        }
        return tree;
    }

    const AddressParams& m_params;
};

// Splits off and checks a checksum; payload receives the part before '#'.
bool CheckChecksum(std::string_view text, bool require_checksum, std::string_view& payload, std::string& error,
                   std::string* out_checksum = nullptr)
{
    const auto parts = SplitOn(text, '#');
    if (parts.size() > 2) {
        error = "Multiple '#' symbols";
        return false;
    }
    if (parts.size() == 1 && require_checksum) {
        error = "Missing checksum";
        return false;
    }
    if (parts.size() == 2 && parts[1].size() != 8) {
        error = "Expected 8 character checksum, not " + std::to_string(parts[1].size()) + " characters";
        return false;
    }
    const std::string checksum = DescriptorChecksum(parts[0]);
    if (checksum.empty()) {
        error = "Invalid characters in payload";
        return false;
    }
    if (parts.size() == 2 && parts[1] != checksum) {
        error = "Provided checksum '" + std::string(parts[1]) + "' does not match computed checksum '" + checksum + "'";
        return false;
    }
    if (out_checksum) *out_checksum = checksum;
    payload = parts[0];
    return true;
}

} // namespace

// ---------------------------------------------------------------------------

Descriptor::Descriptor(std::unique_ptr<Node> root, const AddressParams& params)
    : m_root(std::move(root)), m_params(&params)
{
}

Descriptor::~Descriptor() = default;

std::string Descriptor::ToString(bool include_private) const
{
    const std::string body = m_root->ToString(include_private, *m_params);
    return body + '#' + DescriptorChecksum(body);
}

bool Descriptor::IsRange() const { return m_root->IsRange(); }

bool Descriptor::IsSolvable() const { return m_root->kind != Kind::ADDR && m_root->kind != Kind::RAW; }

bool Descriptor::HasPrivateKeys() const { return m_root->HasPrivate(); }

std::optional<std::vector<Script>> Descriptor::Expand(uint32_t pos) const
{
    auto script = m_root->Expand(pos);
    if (!script) return std::nullopt;
    return std::vector<Script>{std::move(*script)};
}

std::unique_ptr<Descriptor> Parse(std::string_view text, const AddressParams& params, std::string& error,
                                  bool require_checksum)
{
    std::string_view payload;
    if (!CheckChecksum(text, require_checksum, payload, error)) return nullptr;
    const Parser parser{params};
    auto root = parser.ParseScript(payload, Ctx::TOP, error);
    if (!root) return nullptr;
    if (!payload.empty()) {
        error = "Unexpected text after the descriptor: '" + std::string(payload) + "'";
        return nullptr;
    }
    return std::make_unique<Descriptor>(std::move(root), params);
}

std::string DescriptorChecksum(std::string_view payload)
{
    uint64_t c = 1;
    unsigned group = 0;
    int group_count = 0;
    for (const char ch : payload) {
        const size_t pos = INPUT_CHARSET.find(ch);
        if (pos == std::string_view::npos) return {};
        // The low 5 bits are a symbol of their own; the group numbers (0-2)
        // of every 3 characters are packed into one more symbol.
        c = PolyModStep(c, pos & 31);
        group = group * 3 + static_cast<unsigned>(pos >> 5);
        if (++group_count == 3) {
            c = PolyModStep(c, group);
            group = 0;
            group_count = 0;
        }
    }
    if (group_count > 0) c = PolyModStep(c, group);
    for (int i = 0; i < 8; ++i) c = PolyModStep(c, 0);
    c ^= 1;
    std::string out(8, ' ');
    for (int i = 0; i < 8; ++i) out[i] = CHECKSUM_CHARSET[(c >> (5 * (7 - i))) & 31];
    return out;
}

std::string GetDescriptorChecksum(std::string_view text)
{
    std::string_view payload;
    std::string error;
    std::string checksum;
    if (!CheckChecksum(text, false, payload, error, &checksum)) return {};
    return checksum;
}

} // namespace descriptor
