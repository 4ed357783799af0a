#include <primitives/block.h>

#include <streams.h>

uint256 BlockHeader::GetHash() const
{
    HashWriter hasher;
    BlockHeader::Serialize(hasher);
    return hasher.GetHash();
}
