/**
 * @file
 * @brief The client's side of RFC 6455 framing, small and allocation-free, for the load generator.
 *
 * The generator writes its own frames instead of calling Beast's `websocket::stream::async_write`
 * once per message: it must be much cheaper per message than the servers it measures, so it
 * gathers every frame due on a connection into one write and parses every frame one read brought.
 * Beast still does the HTTP upgrade (connection.hpp).
 */
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace wire {

/** The frame types the generator sends or has to understand (RFC 6455 §5.2). */
enum class opcode : std::uint8_t
{
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA
};

/** A small, fast generator of masking keys (xorshift32); the keys need not be secret here. */
class mask_source
{
public:
    /** The next 32-bit key. */
    std::uint32_t next()
    {
        state_ ^= state_ << 13;
        state_ ^= state_ >> 17;
        state_ ^= state_ << 5;
        return state_;
    }

private:
    std::uint32_t state_ = 0x9E3779B9u;
};

/**
 * Appends one complete, masked client frame to @p out (a client must mask every frame).
 * @param out     the bytes to write next on the connection
 * @param op      the frame type
 * @param payload the message
 * @param key     the masking key
 */
inline void append_frame(std::string& out, opcode op, std::string_view payload, std::uint32_t key)
{
    // FIN set: the generator never fragments what it sends.
    std::size_t const n = payload.size();
    unsigned char header[14];
    std::size_t h = 0;
    header[h++] = static_cast<unsigned char>(0x80 | static_cast<unsigned>(op));
    // The length takes 7 bits, or 16, or 64, with the mask bit on.
    if(n < 126)
        header[h++] = static_cast<unsigned char>(0x80 | n);
    else if(n <= 0xFFFF)
    {
        header[h++] = 0x80 | 126;
        header[h++] = static_cast<unsigned char>(n >> 8);
        header[h++] = static_cast<unsigned char>(n);
    }
    else
    {
        header[h++] = 0x80 | 127;
        for(int shift = 56; shift >= 0; shift -= 8)
            header[h++] = static_cast<unsigned char>(static_cast<std::uint64_t>(n) >> shift);
    }
    unsigned char const mask[4] = {static_cast<unsigned char>(key >> 24), static_cast<unsigned char>(key >> 16),
                                   static_cast<unsigned char>(key >> 8), static_cast<unsigned char>(key)};
    std::memcpy(header + h, mask, 4);
    h += 4;
    out.append(reinterpret_cast<char const*>(header), h);
    // Mask the payload in place at the end of the buffer.
    std::size_t const start = out.size();
    out.append(payload);
    for(std::size_t i = 0; i < n; ++i)
        out[start + i] = static_cast<char>(out[start + i] ^ mask[i & 3]);
}

/** One frame found in received bytes (the payload points into those bytes). */
struct frame
{
    bool fin = false;             ///< the last frame of its message
    opcode op = opcode::text;     ///< its type
    std::string_view payload;     ///< its payload, unmasked (servers never mask)
};

/** What parse_frame found. */
enum class parse_result
{
    complete,  ///< one frame, `used` bytes long
    partial,   ///< the frame is not complete yet: read more
    invalid    ///< not a valid server frame: the connection has failed
};

/**
 * Looks for one server frame at the start of @p data.
 * @param data  received bytes
 * @param out   the frame found, when the result is `complete`
 * @param used  how many bytes of @p data it took
 */
inline parse_result parse_frame(std::string_view data, frame& out, std::size_t& used)
{
    if(data.size() < 2)
        return parse_result::partial;
    auto const* p = reinterpret_cast<unsigned char const*>(data.data());
    // No extensions were negotiated, so the RSV bits must be clear; servers never mask.
    if((p[0] & 0x70) != 0 || (p[1] & 0x80) != 0)
        return parse_result::invalid;
    out.fin = (p[0] & 0x80) != 0;
    out.op = static_cast<opcode>(p[0] & 0x0F);
    std::uint64_t n = p[1] & 0x7F;
    std::size_t h = 2;
    if(n == 126)
    {
        if(data.size() < 4)
            return parse_result::partial;
        n = (std::uint64_t{p[2]} << 8) | p[3];
        h = 4;
    }
    else if(n == 127)
    {
        if(data.size() < 10)
            return parse_result::partial;
        n = 0;
        for(int i = 2; i < 10; ++i)
            n = (n << 8) | p[i];
        h = 10;
    }
    if(n > data.size() - h)
        return parse_result::partial;
    out.payload = data.substr(h, static_cast<std::size_t>(n));
    used = h + static_cast<std::size_t>(n);
    return parse_result::complete;
}

/** A fresh `Sec-WebSocket-Key`: the base64 of 16 bytes from @p masks. */
inline std::string make_key(mask_source& masks)
{
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::array<unsigned char, 18> bytes{};  // 16 bytes, padded to a multiple of 3
    for(std::size_t i = 0; i < 16; i += 4)
    {
        std::uint32_t const r = masks.next();
        std::memcpy(bytes.data() + i, &r, 4);
    }
    std::string key;
    for(std::size_t i = 0; i < 18; i += 3)
    {
        std::uint32_t const v = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
        key += alphabet[(v >> 18) & 63];
        key += alphabet[(v >> 12) & 63];
        key += alphabet[(v >> 6) & 63];
        key += alphabet[v & 63];
    }
    // 16 bytes make 22 characters and two '=' of padding.
    key.resize(22);
    key += "==";
    return key;
}

}  // namespace wire
