/**
 * @file
 * @brief One WebSocket connection: agree on a subprotocol in the handshake, greet
 *        the others, and pass every message on to them; take theirs through a
 *        bounded send queue.
 *
 * New in 04-subprotocol: run() picks the subprotocol (`text`, `json` or none)
 * from the client's offers and names it in the 101 answer, and on_read() reads
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
 */
#pragma once

#include "coalescing_stream.hpp"
#include "shared_state.hpp"
#include "subprotocol.hpp"

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

    /**
     * Picks the subprotocol from the offers in @p req, answers with 101 Switching
     * Protocols (naming the choice) and starts reading.
     */
    void run(request_type req)
    {
        // The article's handleProtocols(): the client's first offer that we know wins.
        // A client may list its offers on one header line or on several.
        std::vector<std::string_view> lines;
        auto const [first, last] = req.equal_range(http::field::sec_websocket_protocol);
        for(auto field = first; field != last; ++field)
            lines.emplace_back(field->value().data(), field->value().size());
        std::vector<std::string> const offers = parse_offers(lines);
        if(!offers.empty())
            log_line("Incoming protocol requests '" + join(offers) + "'.");
        protocol_ = choose_subprotocol(offers);

        // Beast's server defaults (30 s for the handshakes), and the `ws` heartbeat: once per
        // ping interval Beast pings the client, and a client from which nothing at all came
        // (no pong, no message) by the next tick is dropped, so the others learn it is gone.
        auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
        auto const interval = state_->config().ping_interval;
        timeouts.idle_timeout = interval.count() > 0 ? 2 * interval : websocket::stream_base::none();
        timeouts.keep_alive_pings = interval.count() > 0;
        ws_.set_option(timeouts);
        // Bound what one client can make the server hold: larger messages close with 1009.
        // This session checks the size itself (on_read()), so Beast's own check is off: in
        // Boost 1.74 it resets the TCP connection of a client that is still sending, and
        // that client never sees the 1009.
        ws_.read_message_max(0);
        ws_.set_option(websocket::stream_base::decorator([protocol = protocol_](websocket::response_type& res) {
            res.set(http::field::server, "dbwebb-websocket-kit");
            // Knowing none of the offers, the server names none (RFC 6455 §4.2.2): a
            // client that insisted on a protocol then gives up the connection itself.
            if(protocol != subprotocol::none)
                res.set(http::field::sec_websocket_protocol, std::string(name_of(protocol)));
        }));
        ws_.async_accept(req, beast::bind_front_handler(&websocket_session::on_accept,
                                                        shared_from_this()));
    }

    /**
     * Puts @p message in the send queue; it goes out after everything queued before it.
     * @return false when this client takes no more: it is closing, or its queue was full
     *         (then it is closed with 1008 and has left the shared state).
     */
    bool send(outgoing_message message)
    {
        // After a close frame nothing may follow (RFC 6455 §5.5.1).
        if(closing_ || ended_)
            return false;
        // The cap. An empty queue takes any one message, so a message of the largest
        // allowed size always gets through to a client that keeps up.
        auto const& config = state_->config();
        if(!queue_.empty() && (queued_bytes_ + message.data->size() > config.send_queue_bytes ||
                               queue_.size() + 1 > config.send_queue_messages))
        {
            give_up();
            return false;
        }
        queued_bytes_ += message.data->size();
        queue_.push_back(std::move(message));
        // Only start a write when none is in flight: on_write() takes the next one.
        if(!writing_)
            do_write();
        return true;
    }

    /** The subprotocol agreed in the handshake: what form this client receives. */
    subprotocol protocol() const { return protocol_; }

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
        std::size_t const open = state_->join(this);
        log_line("Connection received. Adding client.");
        // Tell the others; the count includes the new client, and the greeting its protocol.
        state_->broadcast(this, "New client connected (" + std::to_string(open) + ") using '" +
                                    std::string(name_of(protocol_)) + "'.");
        do_read();
    }

    void do_read()
    {
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
        // A json client's text may be JSON: take out its data, or tell the client
        // (and it alone) why not. Binary data has no JSON form and passes on as it is.
        if(!message.binary && protocol_ == subprotocol::json)
        {
            incoming_text incoming = read_incoming(protocol_, *message.data);
            if(!incoming.ok())
            {
                // Through the send path like everything else; nothing goes to the others.
                send({std::make_shared<std::string const>(error_message(incoming.error)), false});
                return do_read();
            }
            message.data = std::make_shared<std::string const>(std::move(incoming.text));
        }
        // The broadcast: each other open client gets the form of its own protocol, same
        // frame type. The sender's next message is read only after this one is in every
        // queue, so each client gets each sender's messages in the order they were sent.
        state_->broadcast(this, message);
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

    /**
     * This client does not keep up: its queue would go over the cap. It is counted as
     * gone now (the others get their goodbye at once) and closed with 1008 after the
     * write in flight; what it has not been sent yet is dropped, never half-delivered.
     */
    void give_up()
    {
        log_line("Send queue full (" + std::to_string(queue_.size()) + " messages, " +
                 std::to_string(queued_bytes_) + " bytes): closing a client that does not keep up.");
        close({websocket::close_code::policy_error, "send queue full"});
        state_->leave(this);
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
        // Gone for the others now, even if a handler still holds this session a little longer.
        state_->leave(this);
    }

    /** The offers written back as the article's log shows them: `soap,json`. */
    static std::string join(std::vector<std::string> const& offers)
    {
        std::string text;
        for(auto const& offer : offers)
            text += (text.empty() ? "" : ",") + offer;
        return text;
    }

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

inline void shared_state::leave(websocket_session* session)
{
    if(sessions_.erase(session) == 0)
        return;  // already gone (given up earlier), and the others already know
    // At shutdown everyone is leaving: no goodbyes to clients that are closing anyway.
    if(stopping_)
        return;
    broadcast(nullptr, "Client disconnected (" + std::to_string(sessions_.size()) + ").");
}

inline void shared_state::broadcast(websocket_session const* sender, std::string text)
{
    broadcast(sender, outgoing_message{std::make_shared<std::string const>(std::move(text)), false});
}

inline void shared_state::broadcast(websocket_session const* sender, outgoing_message const& message)
{
    // Each form is made once, for the first receiver that needs it, and shared with the rest.
    outgoing_text forms(message.data);
    // A copy of the set: a send may overflow a queue, and that session leaves the set at once.
    std::vector<websocket_session*> const targets(sessions_.begin(), sessions_.end());
    std::size_t sent = 0;
    for(auto* session : targets)
    {
        // Skip the sender, and anyone who left during this loop (a goodbye can overflow a queue too).
        if(session == sender || sessions_.count(session) == 0)
            continue;
        // A text goes out in the receiver's form; binary data as it is, to everyone.
        auto const form = message.binary ? subprotocol::none : session->protocol();
        // send() only queues: a slow client costs this loop nothing.
        if(session->send({forms.for_receiver(form), message.binary}))
            ++sent;
    }
    if(!config_.quiet)
        log_line("Broadcasted data to " + std::to_string(sent) + " (" +
                 std::to_string(sessions_.size()) + ") clients.");
}

inline void shared_state::close_all(beast::websocket::close_reason const& reason)
{
    stopping_ = true;
    // Weak pointers: a session whose last handler has run is gone, and is skipped.
    std::vector<std::weak_ptr<websocket_session>> sessions;
    for(auto* session : sessions_)
        sessions.push_back(session->weak_from_this());
    for(auto const& weak : sessions)
        if(auto session = weak.lock())
            session->close(reason);
}
