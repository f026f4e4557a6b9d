/**
 * @file
 * @brief One WebSocket connection of the price feed: accept the handshake, send
 *        the history, then every tick through a bounded send queue; what the
 *        client sends is logged and goes to no one.
 *
 * The send path is the one of 03-broadcast: every message on its way out waits
 * in this session's queue, and exactly one `async_write` takes them out, one
 * after the other (a close frame counts as a write). What changes is what a full
 * queue means. In the chat every message mattered, so a client that could not
 * keep up was closed. In a price feed only the newest price matters: a tick that
 * finds the queue full pushes out the oldest tick still waiting, and the slow
 * client stays connected and sees fresh prices once it catches up.
 *
 * The class is declared here and defined in two files: events.cpp holds what the
 * server does when a client comes and each tick, and the send queue (the lesson,
 * small and quick to compile), websocket_session.cpp the calls into Beast that
 * read, write and close.
 */
#pragma once

#include "coalescing_stream.hpp"
#include "shared_state.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <list>
#include <memory>
#include <optional>
#include <string>

namespace net = boost::asio;
namespace websocket = beast::websocket;
/** TCP, as Asio names it (its sockets, endpoints and options). */
using tcp = net::ip::tcp;

/**
 * One message on its way out. The bytes are shared and never change, so one
 * copy can wait in many queues at once (every tick does).
 */
struct outgoing_message
{
    std::shared_ptr<std::string const> data;  ///< the payload
    bool binary = false;                      ///< a binary frame, else a text frame
    bool tick = false;                        ///< a price tick: a newer one may push it out
};

/** One client's WebSocket connection. It lives as long as one of its handlers holds it. */
class websocket_session : public std::enable_shared_from_this<websocket_session>
{
public:
    /** Takes over the socket that carried the HTTP upgrade request. */
    websocket_session(tcp::socket&& socket, std::shared_ptr<shared_state> state);

    ~websocket_session();

    /** Answers the upgrade request @p req with 101 Switching Protocols and starts reading. */
    void run(request_type req);

    /**
     * Puts @p message in the send queue; it goes out after everything queued before it.
     * A tick that finds the queue full first pushes out the oldest tick still waiting.
     * @return false when this client takes no more (it is closing), or when @p message
     *         was a tick with no room even so (then it is dropped).
     */
    bool send(outgoing_message message);

    /** Starts the closing handshake with @p reason, after the write in flight (used at shutdown). */
    void close(websocket::close_reason reason);

private:
    // events.cpp: what this server does when the handshake is done (the `connection` event).
    void on_open();
    // events.cpp: true when message fits in the queue (see the definition).
    bool has_room_for(outgoing_message const& message) const;
    // events.cpp: forgets the oldest tick that waits; false when no tick waits.
    bool drop_oldest_tick();
    // events.cpp: notes that this client lost ticks (one log line when it starts to lag).
    void lagging();

    // websocket_session.cpp: the Beast side, one do_x()/on_x() pair per asynchronous step.
    void on_accept(beast::error_code ec);
    void do_read();
    void on_read(beast::error_code ec, std::size_t bytes);
    void do_write();
    void on_write(beast::error_code ec, std::size_t bytes);
    void do_close();
    void on_close(beast::error_code ec);
    void release_buffer();
    void drop_unsent();
    void end(beast::error_code ec, char const* what);

    // The first read of a message asks for this many bytes: enough for a typical chat message.
    static constexpr std::size_t first_piece = 128;

    websocket::stream<coalescing_stream<tcp::socket>> ws_;  // frames gathered per read (coalescing_stream.hpp)
    std::shared_ptr<shared_state> state_;
    beast::flat_buffer buffer_;
    // The front is the message being written. A list holds no memory while it is empty
    // (libstdc++'s std::deque sets aside 576 bytes even then), and most queues are empty.
    std::list<outgoing_message> queue_;
    std::size_t queued_bytes_ = 0;        // the bytes of every message in queue_
    bool writing_ = false;                // an async_write (or async_close) is in flight
    bool closing_ = false;                // a close frame is queued or sent: send nothing more
    bool ended_ = false;                  // the connection is over and logged
    bool lagging_ = false;                // ticks were dropped since the queue was last empty
    std::optional<websocket::close_reason> close_reason_;  // the close frame waiting its turn
};
