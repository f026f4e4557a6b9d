/**
 * @file
 * @brief A WebSocket session: the handshake, reading a message a piece at a time,
 *        handing it to the shared state, the one write in flight, the close, and the
 *        log of the end.
 *
 * The calls into Beast are here; the broadcast is shared_state.cpp, the send queue
 * send_queue.cpp. This file instantiates Beast's stream templates, so it takes the
 * longest of the step's files to compile; an edit of the others does not recompile it.
 */
#include "websocket_session.hpp"

#include <algorithm>
#include <string_view>
#include <vector>
#include <utility>

namespace {

/** The close code and reason to log for a connection that ended with error @p ec. */
websocket::close_reason close_reason_for(beast::error_code ec)
{
    // Beast has already sent the matching close frame for these two.
    if(ec == websocket::error::bad_frame_payload)
        return {websocket::close_code::bad_payload, "invalid UTF-8"};
    if(ec == websocket::condition::protocol_violation)
        return {websocket::close_code::protocol_error, "protocol error"};
    // 1006 is never sent; it is the name for "the connection just ended, without a close frame".
    return {websocket::close_code::abnormal, ec.message()};
}

}  // namespace

void fail(beast::error_code ec, char const* what)
{
    if(ec == net::error::operation_aborted || ec == websocket::error::closed)
        return;
    log_line(std::string("Server error: ") + what + ": " + ec.message());
}

websocket_session::websocket_session(tcp::socket&& socket, std::shared_ptr<shared_state> state)
    : ws_(std::move(socket)), state_(std::move(state)),
      queue_(state_->config().send_queue_bytes, state_->config().send_queue_messages)
{
}

websocket_session::~websocket_session() { state_->leave(this); }

void websocket_session::run(request_type req)
{
    choose_protocol(req);

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

bool websocket_session::send(outgoing_message message)
{
    // After a close frame nothing may follow (RFC 6455 §5.5.1).
    if(closing_ || ended_)
        return false;
    if(!queue_.push(std::move(message)))
    {
        // A client that does not keep up is counted as gone now (the others get their goodbye
        // at once) and closed with 1008 after the write in flight; what it has not been sent
        // yet is dropped, never half-delivered.
        log_line("Send queue full (" + std::to_string(queue_.size()) + " messages, " +
                 std::to_string(queue_.bytes()) + " bytes): closing a client that does not keep up.");
        close({websocket::close_code::policy_error, "send queue full"});
        state_->leave(this);
        return false;
    }
    // One write at a time: start one only when none is in flight (on_write() takes the next).
    if(!writing_ && !queue_.empty())
        do_write();
    return true;
}

void websocket_session::close(websocket::close_reason reason)
{
    if(closing_ || ended_ || !ws_.is_open())
        return;
    closing_ = true;
    // The client will not get what has not started yet; the write in flight must finish.
    queue_.drop_all_but(writing_ ? 1 : 0);
    close_reason_ = reason;
    // A close frame is a write too: sent now if the stream is free, else by on_write().
    if(!writing_)
        do_close();
}

void websocket_session::choose_protocol(request_type const& req)
{
    // A client may list its offers on one header line or on several.
    std::vector<std::string_view> lines;
    auto const [first, last] = req.equal_range(http::field::sec_websocket_protocol);
    for(auto field = first; field != last; ++field)
        lines.emplace_back(field->value().data(), field->value().size());
    std::vector<std::string> const offers = parse_offers(lines);
    if(!offers.empty())
    {
        // The offers as the article's log shows them: `soap,json`.
        std::string text;
        for(auto const& offer : offers)
            text += (text.empty() ? "" : ",") + offer;
        log_line("Incoming protocol requests '" + text + "'.");
    }
    protocol_ = choose_subprotocol(offers);
}

void websocket_session::on_accept(beast::error_code ec)
{
    if(ec)
        return fail(ec, "accept");
    log_line("Connection received. Adding client.");
    state_->join(this);
    do_read();
}

void websocket_session::do_read()
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

void websocket_session::on_read(beast::error_code ec, std::size_t /*bytes*/)
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
    // [lab:json-in] A json client's text may be JSON: read_incoming() takes out its data, or
    //   says why not; then tell this client alone (send() an error_message()) and pass
    //   nothing on. Binary data has no JSON form and passes on as it is (subprotocol.hpp).
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
    // [lab:json-in]
    // The broadcast: each other open client gets the form of its own protocol, same frame
    // type. The sender's next message is read only after this one is in every queue, so each
    // client gets each sender's messages in the order they were sent.
    state_->broadcast(this, message);
    do_read();
}

void websocket_session::do_write()
{
    writing_ = true;
    // The frame type belongs to the message; the stream keeps it until the next write.
    ws_.binary(queue_.front().binary);
    ws_.async_write(net::buffer(*queue_.front().data),
                    beast::bind_front_handler(&websocket_session::on_write, shared_from_this()));
}

void websocket_session::on_write(beast::error_code ec, std::size_t /*bytes*/)
{
    writing_ = false;
    if(ec)
        return end(ec, "write");
    // The message is out: free its place in the queue.
    queue_.pop();
    if(!queue_.empty())
        return do_write();
    // A close waited for the stream to be free: now it may go.
    if(close_reason_)
        do_close();
}

void websocket_session::do_close()
{
    writing_ = true;
    ws_.async_close(*close_reason_,
                    beast::bind_front_handler(&websocket_session::on_close, shared_from_this()));
}

void websocket_session::on_close(beast::error_code ec)
{
    writing_ = false;
    // Without an error the closing handshake is complete: the peer answered our close.
    end(ec ? ec : beast::error_code(websocket::error::closed), "close");
}

// Empties the read buffer. One no larger than a first read is kept for the next message;
// one that a longer message made grow gives its memory back, so that a connection that
// waits holds little (and one that once carried 1 MiB does not keep it).
void websocket_session::release_buffer()
{
    buffer_.clear();
    if(buffer_.capacity() > first_piece)
        buffer_.shrink_to_fit();
}

// The connection is over (ec says how): log it once, like the article's `close` event.
void websocket_session::end(beast::error_code ec, char const* what)
{
    if(ended_)
        return;
    ended_ = true;
    queue_.drop_all_but(writing_ ? 1 : 0);
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
