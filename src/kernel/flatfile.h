#pragma once

// Where a record sits in the numbered blk/rev files, and what each blk file
// holds (for rollover and pruning).

#include <serialize.h>

#include <algorithm>
#include <cstdint>
#include <string>

struct FlatFilePos {
    int file = -1;
    unsigned pos = 0; // offset of the record's data, after magic and size

    bool IsNull() const { return file == -1; }
    friend bool operator==(const FlatFilePos&, const FlatFilePos&) = default;
    std::string ToString() const { return "file " + std::to_string(file) + " pos " + std::to_string(pos); }

    template <typename Stream>
    void Serialize(Stream& s) const
    {
        ::Serialize(s, file);
        ::Serialize(s, pos);
    }
    template <typename Stream>
    void Unserialize(Stream& s)
    {
        ::Unserialize(s, file);
        ::Unserialize(s, pos);
    }
};

struct BlockFileInfo {
    unsigned blocks = 0;    // records in the blk file
    unsigned size = 0;      // bytes used in the blk file
    unsigned undo_size = 0; // bytes used in the rev file
    unsigned height_first = 0;
    unsigned height_last = 0;
    uint64_t time_first = 0;
    uint64_t time_last = 0;

    void AddBlock(unsigned height, uint64_t time)
    {
        if (blocks == 0 || height < height_first) height_first = height;
        if (blocks == 0 || time < time_first) time_first = time;
        ++blocks;
        height_last = std::max(height_last, height);
        time_last = std::max(time_last, time);
    }
    friend bool operator==(const BlockFileInfo&, const BlockFileInfo&) = default;

    template <typename Stream>
    void Serialize(Stream& s) const
    {
        ::Serialize(s, blocks);
        ::Serialize(s, size);
        ::Serialize(s, undo_size);
        ::Serialize(s, height_first);
        ::Serialize(s, height_last);
        ::Serialize(s, time_first);
        ::Serialize(s, time_last);
    }
    template <typename Stream>
    void Unserialize(Stream& s)
    {
        ::Unserialize(s, blocks);
        ::Unserialize(s, size);
        ::Unserialize(s, undo_size);
        ::Unserialize(s, height_first);
        ::Unserialize(s, height_last);
        ::Unserialize(s, time_first);
        ::Unserialize(s, time_last);
    }
};
