#pragma once

// Streams for serialize.h: an in-memory buffer (DataStream), a reader over
// borrowed bytes (SpanReader) and a hashing sink (HashWriter).

#include <crypto/sha256.h>
#include <serialize.h>
#include <uint256.h>

#include <cstddef>
#include <cstring>
#include <ios>
#include <span>
#include <utility>
#include <vector>

// A byte buffer that is written at the end and read from the front. Reading
// past the end throws std::ios_base::failure and consumes nothing.
class DataStream {
public:
    DataStream() = default;
    explicit DataStream(std::span<const unsigned char> bytes) : m_data(bytes.begin(), bytes.end()) {}
    explicit DataStream(std::vector<unsigned char>&& bytes) : m_data(std::move(bytes)) {}

    void write(std::span<const unsigned char> bytes)
    {
        m_data.insert(m_data.end(), bytes.begin(), bytes.end());
    }

    void read(std::span<unsigned char> out)
    {
        if (out.empty()) return;
        if (out.size() > size()) throw std::ios_base::failure("DataStream::read(): end of data");
        std::memcpy(out.data(), m_data.data() + m_read_pos, out.size());
        Advance(out.size());
    }

    void ignore(size_t count)
    {
        if (count > size()) throw std::ios_base::failure("DataStream::ignore(): end of data");
        Advance(count);
    }

    // Unread bytes.
    size_t size() const { return m_data.size() - m_read_pos; }
    bool empty() const { return size() == 0; }
    const unsigned char* data() const { return m_data.data() + m_read_pos; }
    unsigned char* data() { return m_data.data() + m_read_pos; }
    std::span<const unsigned char> unread() const { return {data(), size()}; }
    const unsigned char* begin() const { return data(); }
    const unsigned char* end() const { return m_data.data() + m_data.size(); }

    void clear()
    {
        m_data.clear();
        m_read_pos = 0;
    }

    template <typename T>
    DataStream& operator<<(const T& obj)
    {
        Serialize(*this, obj);
        return *this;
    }

    // Takes rvalues too, for wrappers such as TX_NO_WITNESS(tx).
    template <typename T>
    DataStream& operator>>(T&& obj)
    {
        Unserialize(*this, obj);
        return *this;
    }

private:
    void Advance(size_t count)
    {
        m_read_pos += count;
        if (m_read_pos == m_data.size()) clear(); // reuse the buffer for later writes
    }

    std::vector<unsigned char> m_data;
    size_t m_read_pos = 0;
};

// Deserializes from bytes owned by someone else, without copying them.
class SpanReader {
public:
    explicit SpanReader(std::span<const unsigned char> bytes) : m_data(bytes) {}

    void read(std::span<unsigned char> out)
    {
        if (out.empty()) return;
        if (out.size() > m_data.size()) throw std::ios_base::failure("SpanReader::read(): end of data");
        std::memcpy(out.data(), m_data.data(), out.size());
        m_data = m_data.subspan(out.size());
    }

    void ignore(size_t count)
    {
        if (count > m_data.size()) throw std::ios_base::failure("SpanReader::ignore(): end of data");
        m_data = m_data.subspan(count);
    }

    size_t size() const { return m_data.size(); }
    bool empty() const { return m_data.empty(); }
    std::span<const unsigned char> unread() const { return m_data; }

    template <typename T>
    SpanReader& operator>>(T&& obj)
    {
        Unserialize(*this, obj);
        return *this;
    }

private:
    std::span<const unsigned char> m_data;
};

// Feeds everything serialized into it to SHA-256. Serialization writes many
// tiny pieces (4-byte integers, 1-byte lengths); they are gathered in a small
// buffer so the hasher sees few, larger writes.
class HashWriter {
public:
    HashWriter() = default;
    // Starts from a prepared hasher, e.g. TaggedHasher("TapSighash").
    explicit HashWriter(const Sha256& start) : m_sha(start) {}

    void write(std::span<const unsigned char> bytes)
    {
        if (bytes.empty()) return; // an empty vector's data() may be null: no memcpy
        if (bytes.size() > BUFFER_SIZE - m_used) {
            Flush();
            if (bytes.size() >= BUFFER_SIZE) {
                m_sha.Write(bytes);
                return;
            }
        }
        std::memcpy(m_buffer + m_used, bytes.data(), bytes.size());
        m_used += bytes.size();
    }

    template <typename T>
    HashWriter& operator<<(const T& obj)
    {
        Serialize(*this, obj);
        return *this;
    }

    // SHA256(SHA256(data)): txids, block hashes, legacy and BIP143 sighashes.
    uint256 GetHash() const
    {
        uint256 first = GetSHA256();
        uint256 result;
        Sha256().Write(first).Finalize(std::span<unsigned char, 32>(result.data(), 32));
        return result;
    }

    // SHA256(data) once: BIP341 midstates and tagged hashes.
    uint256 GetSHA256() const
    {
        Sha256 sha = m_sha;
        sha.Write(std::span<const unsigned char>(m_buffer, m_used));
        uint256 result;
        sha.Finalize(std::span<unsigned char, 32>(result.data(), 32));
        return result;
    }

private:
    static constexpr size_t BUFFER_SIZE = 256;

    void Flush()
    {
        m_sha.Write(std::span<const unsigned char>(m_buffer, m_used));
        m_used = 0;
    }

    Sha256 m_sha;
    size_t m_used = 0;
    unsigned char m_buffer[BUFFER_SIZE];
};
