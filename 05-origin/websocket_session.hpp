/**
 * @file
 * @brief One WebSocket connection: agree on a subprotocol in the handshake, greet
 *        the others, and pass every message on to them; take theirs through a
 *        bounded send queue.
 *
 * New in 04-subprotocol: run() picks the subprotocol (`text`, `json` or none)
 * from the client's offers and names it in the 101 answer, and on_message() reads
 * what a `json` client sends (subprotocol.hpp). What each client receives is put
 * in its own protocol's form by shared_state::broadcast().
 *
 * The send path is the one of 02-echo: every message on its way out waits in
 * this session's queue, and exactly one `async_write` takes them out, one after
 * the other (a close frame counts as a write). What changes is who fills the
 * queue. In the echo it was the client itself, so the session could simply stop
 * reading it; here every other client fills it, and none of them may wait for a
 * slow one. So a queue that would go over its cap is not waited for: its client
 * is closed with 1008 (policy violation) and counted as gone at once.
 *
 * The class is declared here and defined in two files: events.cpp holds what the
 * server does when a client comes, speaks and leaves, and the send queue (the
 * lesson, small and quick to compile), websocket_session.cpp the calls into Beast
 * that read, write and close.
 */
#pragma once

#include "coalescing_stream.hpp"
#include "shared_state.hpp"
#include "subprotocol.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace websocket = beast::websocket;
/** TCP, as Asio names it (its sockets, endpoints and options). */
using tcp = net::ip::tcp;

/**
 * One message on its way out. The bytes are shared and never change, so one
 * copy can wait in many queues at once (the next step broadcasts it).
 */
struct outgoing_message
{
    std::shared_ptr<std::string const> data;  ///< the payload
    bool binary = false;                      ///< a binary frame, else a text frame
};

/** One client's WebSocket connection. It lives as long as one of its handlers holds it. */
class websocket_session : public std::enable_shared_from_this<websocket_session>
{
public:
    /** Takes over the socket that carried the HTTP upgrade request. */
    websocket_session(tcp::socket&& socket, std::shared_ptr<shared_state> state);

    ~websocket_session();

    /**
     * Picks the subprotocol from the offers in @p req, answers with 101 Switching
     * Protocols (naming the choice) and starts reading.
     */
    void run(request_type req);

    /**
     * Puts @p message in the send queue; it goes out after everything queued before it.
     * @return false when this client takes no more: it is closing, or its queue was full
     *         (then it is closed with 1008 and has left the shared state).
     */
    bool send(outgoing_message message);

    /** The subprotocol agreed in the handshake: what form this client receives. */
    subprotocol protocol() const { return protocol_; }

    /** Starts the closing handshake with @p reason, after the write in flight (used at shutdown). */
    void close(websocket::close_reason reason);

private:
    // events.cpp: the article's handleProtocols(), the client's first offer that we know wins.
    void choose_protocol(request_type const& req);
    // events.cpp: what this server does when the handshake is done (the `connection` event).
    void on_open();
    // events.cpp: what this server does with a whole message (the article's `message` event).
    void on_message(outgoing_message message);
    // events.cpp: this client does not keep up; it is closed with 1008 and counted as gone.
    void give_up();

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

    // The offers written back as the article's log shows them: `soap,json`.
    static std::string join(std::vector<std::string> const& offers);

    // The first read of a message asks for this many bytes: enough for a typical chat message.
    static constexpr std::size_t first_piece = 128;

    websocket::stream<coalescing_stream<tcp::socket>> ws_;  // frames gathered per read (coalescing_stream.hpp)
    std::shared_ptr<shared_state> state_;
    subprotocol protocol_ = subprotocol::none;  // agreed in run(), fixed for the connection
    beast::flat_buffer buffer_;
    // The front is the message being written. A list holds no memory while it is empty
    // (libstdc++'s std::deque sets aside 576 bytes even then), and most queues are empty.
    std::list<outgoing_message> queue_;
    std::size_t queued_bytes_ = 0;        // the bytes of every message in queue_
    bool writing_ = false;                // an async_write (or async_close) is in flight
    bool closing_ = false;                // a close frame is queued or sent: send nothing more
    bool ended_ = false;                  // the connection is over and logged
    std::optional<websocket::close_reason> close_reason_;  // the close frame waiting its turn
};
