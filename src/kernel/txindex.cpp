#include <kernel/txindex.h>

#include <serialize.h>
#include <streams.h>

#include <cstdint>

namespace {

constexpr uint8_t KEY_TX = 't';
constexpr uint8_t KEY_BEST = 'B';

struct TxKey {
    uint256 txid;
    template <typename Stream>
    void Serialize(Stream& s) const
    {
        ::Serialize(s, KEY_TX);
        ::Serialize(s, txid);
    }
};

// Block record position plus the transaction's offset inside the block.
struct TxPosition {
    int32_t file = -1;
    uint32_t block_pos = 0;
    uint32_t tx_offset = 0;
    template <typename Stream>
    void Serialize(Stream& s) const
    {
        ::Serialize(s, file);
        ::Serialize(s, block_pos);
        ::Serialize(s, tx_offset);
    }
    template <typename Stream>
    void Unserialize(Stream& s)
    {
        ::Unserialize(s, file);
        ::Unserialize(s, block_pos);
        ::Unserialize(s, tx_offset);
    }
};

uint32_t CompactSizeLength(uint64_t n)
{
    if (n < 253) return 1;
    if (n <= 0xffff) return 3;
    if (n <= 0xffffffff) return 5;
    return 9;
}

} // namespace

TxIndex::TxIndex(const std::filesystem::path& dir, bool wipe) : m_db(dir, size_t{2} << 20, wipe)
{
    m_db.Read(KEY_BEST, m_best_block);
}

void TxIndex::BlockConnected(const Block& block, const BlockIndex& index)
{
    if (index.file < 0) return;
    uint32_t offset = static_cast<uint32_t>(BlockHeader::SERIALIZED_SIZE + CompactSizeLength(block.vtx.size()));
    for (const TransactionRef& tx : block.vtx) {
        m_pending.Write(TxKey{tx->GetHash()}, TxPosition{index.file, index.data_pos, offset});
        offset += static_cast<uint32_t>(tx->GetTotalSize());
    }
    m_pending.Write(KEY_BEST, index.GetBlockHash());
    m_have_pending = true;
    m_best_block = index.GetBlockHash();
}

void TxIndex::Commit()
{
    if (!m_have_pending) return;
    m_db.WriteBatch(m_pending);
    m_pending.Clear();
    m_have_pending = false;
}

std::optional<std::pair<TransactionRef, uint256>> TxIndex::Find(const uint256& txid, const BlockManager& blocks) const
{
    TxPosition pos;
    if (!m_db.Read(TxKey{txid}, pos)) return std::nullopt;
    std::vector<unsigned char> raw;
    if (!blocks.ReadRawBlock(raw, FlatFilePos{pos.file, pos.block_pos})) return std::nullopt;
    try {
        SpanReader header_reader{raw};
        BlockHeader header;
        header_reader >> header;
        if (pos.tx_offset >= raw.size()) return std::nullopt;
        SpanReader tx_reader{std::span<const unsigned char>(raw).subspan(pos.tx_offset)};
        MutableTransaction tx;
        tx_reader >> tx;
        TransactionRef ref = MakeTransactionRef(std::move(tx));
        if (ref->GetHash() != txid) return std::nullopt;
        return std::make_pair(ref, header.GetHash());
    } catch (const std::ios_base::failure&) {
        return std::nullopt;
    }
}
