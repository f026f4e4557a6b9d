/**
 * @file
 * @brief One WebSocket connection: accept the handshake, then send every
 *        message back to its sender through its bounded send queue.
 *
 * A Beast WebSocket stream allows one read and one write at a time (a close
 * frame counts as a write), so every message on its way out waits in this
 * session's send_queue (send_queue.hpp), and exactly one `async_write` takes them
 * out, one after the other. When an echo client sends faster than it reads, the
 * queue fills and the session stops reading until it drains: TCP then slows the
 * client down by itself (backpressure), memory stays bounded, and no message is lost.
 *
 * How a connection ends, one word each: close() starts the closing handshake
 * (the server sends a close frame); end() is the connection being over, logged
 * once as `Closing connection: <code> <reason>`; shared_state::leave() takes it
 * out of the set of open sessions.
 */
#pragma once

#include "send_queue.hpp"
#include "shared_state.hpp"
#include "speedup_coalescing_stream.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <memory>
#include <optional>

namespace net = boost::asio;
namespace websocket = beast::websocket;
/** TCP, as Asio names it (its sockets, endpoints and options). */
using tcp = net::ip::tcp;

/**
 * The WebSocket stream of a session. The layer between it and the socket is a
 * speed-up a reader may skip (speedup_coalescing_stream.hpp): with
 * `websocket::stream<tcp::socket>` here the server behaves the same, only slower.
 */
using stream_type = websocket::stream<coalescing_stream<tcp::socket>>;

/**
 * Logs an error of one connection, unless it is one of the normal ways a
 * connection ends (the peer said goodbye, or we cancelled the operation ourselves).
 */
void fail(beast::error_code ec, char const* what);

/** One client's WebSocket connection. It lives as long as one of its handlers holds it. */
class websocket_session : public std::enable_shared_from_this<websocket_session>
{
public:
    /** Takes over the socket that carried the HTTP upgrade request. */
    websocket_session(tcp::socket&& socket, std::shared_ptr<shared_state> state);

    ~websocket_session();

    /** Answers the upgrade request @p req with 101 Switching Protocols and starts reading. */
    void run(request_type req);

    /** Puts @p message in the send queue; it goes out after everything queued before it. */
    void send(outgoing_message message);

    /** Starts the closing handshake with @p reason, after the write in flight (used at shutdown). */
    void close(websocket::close_reason reason);

private:
    // One do_x()/on_x() pair per asynchronous step.
    void on_accept(beast::error_code ec);
    void do_read();
    void on_read(beast::error_code ec, std::size_t bytes);
    void do_write();
    void on_write(beast::error_code ec, std::size_t bytes);
    void do_close();
    void on_close(beast::error_code ec);
    void release_buffer();
    void end(beast::error_code ec, char const* what);

    // The first read of a message asks for this many bytes: enough for a typical chat message.
    static constexpr std::size_t first_piece = 128;

    stream_type ws_;
    std::shared_ptr<shared_state> state_;
    beast::flat_buffer buffer_;
    send_queue queue_;                    // the front is the message being written
    bool reading_ = false;                // an async_read is in flight
    bool writing_ = false;                // an async_write (or async_close) is in flight
    bool closing_ = false;                // a close frame is queued or sent: send nothing more
    bool ended_ = false;                  // the connection is over and logged
    std::optional<websocket::close_reason> close_reason_;  // the close frame waiting its turn
};
