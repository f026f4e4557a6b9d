/**
 * @file
 * @brief One WebSocket connection: accept the handshake, then send every
 *        message back to its sender through a bounded send queue.
 *
 * The send path is the lesson of this step. A Beast WebSocket stream allows
 * one read and one write at a time (a close frame counts as a write), so every
 * message on its way out waits in this session's queue, and exactly one
 * `async_write` takes them out, one after the other. The queue has a cap in
 * bytes and in messages (config.hpp). When an echo client sends faster than it
 * reads, the queue fills and the session stops reading until it drains: TCP then
 * slows the client down by itself (backpressure), memory stays bounded, and no
 * message is lost. Under the stream, coalescing_stream.hpp gathers the frames
 * these writes make into one socket write per read (see the step's README).
 */
#pragma once

#include "coalescing_stream.hpp"
#include "shared_state.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <utility>

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

/** The close code and reason to log for a connection that ended with error @p ec. */
inline websocket::close_reason close_reason_for(beast::error_code ec)
{
    // Beast has already sent the matching close frame for these two.
    if(ec == websocket::error::bad_frame_payload)
        return {websocket::close_code::bad_payload, "invalid UTF-8"};
    if(ec == websocket::condition::protocol_violation)
        return {websocket::close_code::protocol_error, "protocol error"};
    // 1006 is never sent; it is the name for "the connection just ended, without a close frame".
    return {websocket::close_code::abnormal, ec.message()};
}

/** One client's WebSocket connection. It lives as long as one of its handlers holds it. */
class websocket_session : public std::enable_shared_from_this<websocket_session>
{
public:
    /** Takes over the socket that carried the HTTP upgrade request. */
    websocket_session(tcp::socket&& socket, std::shared_ptr<shared_state> state)
        : ws_(std::move(socket)), state_(std::move(state))
    {
    }

    ~websocket_session() { state_->leave(this); }

    /** Answers the upgrade request @p req with 101 Switching Protocols and starts reading. */
    void run(request_type req)
    {
        // Beast's server defaults: 30 s for the handshakes, and a ping to a
        // peer that has been silent for a while, dropping it if no pong comes.
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        // Bound what one client can make the server hold: larger messages close with 1009.
        // This session checks the size itself (on_read()), so Beast's own check is off: in
        // Boost 1.74 it resets the TCP connection of a client that is still sending, and
        // that client never sees the 1009.
        ws_.read_message_max(0);
        ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
            res.set(http::field::server, "dbwebb-websocket-kit");
        }));
        ws_.async_accept(req, beast::bind_front_handler(&websocket_session::on_accept,
                                                        shared_from_this()));
    }

    /** Puts @p message in the send queue; it goes out after everything queued before it. */
    void send(outgoing_message message)
    {
        // After a close frame nothing may follow (RFC 6455 §5.5.1).
        if(closing_ || ended_)
            return;
        queued_bytes_ += message.data->size();
        queue_.push_back(std::move(message));
        // Only start a write when none is in flight: on_write() takes the next one.
        if(!writing_)
            do_write();
    }

    /** Starts the closing handshake with @p reason, after the write in flight (used at shutdown). */
    void close(websocket::close_reason reason)
    {
        if(closing_ || ended_ || !ws_.is_open())
            return;
        closing_ = true;
        // The client will not get what has not started yet; the write in flight must finish.
        drop_unsent();
        close_reason_ = reason;
        // A close frame is a write too: sent now if the stream is free, else by on_write().
        if(!writing_)
            do_close();
    }

private:
    void on_accept(beast::error_code ec)
    {
        if(ec)
            return fail(ec, "accept");
        state_->join(this);
        log_line("Connection received.");
        do_read();
    }

    void do_read()
    {
        reading_ = true;
        // Read a piece at a time, never more than one byte past the limit, so that a
        // message over the limit is noticed before the server holds all of it.
        std::size_t const room = state_->config().max_message + 1 - buffer_.size();
        // Beast sets aside room in buffer_ before any byte arrives. Between messages ask for
        // little: most connections wait far longer than they talk, and each would hold that
        // room while it waits (the next pieces of a longer message come in larger reads).
        std::size_t const piece = buffer_.size() == 0 ? first_piece : 64 * 1024;
        ws_.async_read_some(buffer_, std::min(room, piece),
                            beast::bind_front_handler(&websocket_session::on_read,
                                                      shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t /*bytes*/)
    {
        reading_ = false;
        if(ec)
            return end(ec, "read");
        if(buffer_.size() > state_->config().max_message && !closing_)
        {
            // Too big: say so with 1009 through the send path. Beast's close then reads
            // (and throws away) the rest of the message until the client answers the close.
            release_buffer();
            return close({websocket::close_code::too_big, "message too big"});
        }
        // The rest of the message is still on its way.
        if(!ws_.is_message_done() && !closing_)
            return do_read();
        // One copy of the message, owned jointly by the queue and the write that sends it.
        outgoing_message message{std::make_shared<std::string const>(
                                     beast::buffers_to_string(buffer_.data())),
                                 ws_.got_binary()};
        // Done with this message: the buffer is free for the next one.
        release_buffer();
        // Once we have said goodbye, what still arrives is not answered; Beast's close reads on.
        if(closing_)
            return;
        if(!state_->config().quiet)
            log_line(message.binary
                         ? "Received: <" + std::to_string(message.data->size()) + " bytes of binary data>"
                         : "Received: " + *message.data);
        // The echo: back to the sender, same frame type, after every earlier answer.
        send(std::move(message));
        // Backpressure: while the queue is full, read nothing more; on_write() resumes.
        if(!queue_full())
            do_read();
    }

    void do_write()
    {
        writing_ = true;
        // The frame type belongs to the message; the stream keeps it until the next write.
        ws_.binary(queue_.front().binary);
        ws_.async_write(net::buffer(*queue_.front().data),
                        beast::bind_front_handler(&websocket_session::on_write, shared_from_this()));
    }

    void on_write(beast::error_code ec, std::size_t /*bytes*/)
    {
        writing_ = false;
        if(ec)
            return end(ec, "write");
        // The message is out: free its place in the queue.
        queued_bytes_ -= queue_.front().data->size();
        queue_.pop_front();
        // A reader that waited for room may go on now.
        if(!reading_ && !closing_ && !ended_ && !queue_full())
            do_read();
        if(!queue_.empty())
            return do_write();
        // A close waited for the stream to be free: now it may go.
        if(close_reason_)
            do_close();
    }

    void do_close()
    {
        writing_ = true;
        ws_.async_close(*close_reason_,
                        beast::bind_front_handler(&websocket_session::on_close, shared_from_this()));
    }

    void on_close(beast::error_code ec)
    {
        writing_ = false;
        // Without an error the closing handshake is complete: the peer answered our close.
        end(ec ? ec : beast::error_code(websocket::error::closed), "close");
    }

    /** True when the queue holds as much as one client may make the server hold. */
    bool queue_full() const
    {
        return queued_bytes_ >= state_->config().send_queue_bytes ||
               queue_.size() >= state_->config().send_queue_messages;
    }

    /**
     * Empties the read buffer. One no larger than a first read is kept for the next message;
     * one that a longer message made grow gives its memory back, so that a connection that
     * waits holds little (and one that once carried 1 MiB does not keep it).
     */
    void release_buffer()
    {
        buffer_.clear();
        if(buffer_.capacity() > first_piece)
            buffer_.shrink_to_fit();
    }

    /** Forgets every queued message except the one being written (its bytes must live until on_write). */
    void drop_unsent()
    {
        while(queue_.size() > (writing_ ? 1u : 0u))
        {
            queued_bytes_ -= queue_.back().data->size();
            queue_.pop_back();
        }
    }

    /** The connection is over (@p ec says how): log it once, like the article's `close` event. */
    void end(beast::error_code ec, char const* what)
    {
        if(ended_)
            return;
        ended_ = true;
        drop_unsent();
        // A close frame from the peer carries its code; anything else is an error we log.
        websocket::close_reason reason = ws_.reason();
        if(ec == websocket::error::closed)
        {
            if(reason.code == websocket::close_code::none)
                reason.code = websocket::close_code::no_status;  // 1005: a close frame without a code
        }
        else
        {
            fail(ec, what);
            reason = close_reason_for(ec);
        }
        log_line("Closing connection: " + std::to_string(reason.code) + " " +
                 std::string(reason.reason.c_str()));
    }

    // The first read of a message asks for this many bytes: enough for a typical chat message.
    static constexpr std::size_t first_piece = 128;

    websocket::stream<coalescing_stream<tcp::socket>> ws_;  // frames gathered per read (coalescing_stream.hpp)
    std::shared_ptr<shared_state> state_;
    beast::flat_buffer buffer_;
    // The front is the message being written. A list holds no memory while it is empty
    // (libstdc++'s std::deque sets aside 576 bytes even then), and most queues are empty.
    std::list<outgoing_message> queue_;
    std::size_t queued_bytes_ = 0;        // the bytes of every message in queue_
    bool reading_ = false;                // an async_read is in flight
    bool writing_ = false;                // an async_write (or async_close) is in flight
    bool closing_ = false;                // a close frame is queued or sent: send nothing more
    bool ended_ = false;                  // the connection is over and logged
    std::optional<websocket::close_reason> close_reason_;  // the close frame waiting its turn
};

inline std::vector<std::weak_ptr<websocket_session>> shared_state::sessions() const
{
    std::vector<std::weak_ptr<websocket_session>> result;
    result.reserve(sessions_.size());
    for(auto* session : sessions_)
        result.push_back(session->weak_from_this());
    return result;
}
