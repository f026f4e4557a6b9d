/**
 * @file
 * @brief One WebSocket connection: accept the handshake, then keep reading.
 *
 * In this first step the server only connects: it reads (so that Beast answers
 * pings and the closing handshake) and ignores what it receives.
 */
#pragma once

#include "shared_state.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <memory>
#include <string>

namespace net = boost::asio;
namespace websocket = beast::websocket;
/** Asio's TCP types: `tcp::socket`, `tcp::endpoint`, `tcp::acceptor`. */
using tcp = net::ip::tcp;

/**
 * Logs an error of one connection, unless it is one of the normal ways a
 * connection ends (the peer said goodbye, or we cancelled the operation ourselves).
 */
inline void fail(beast::error_code ec, char const* what)
{
    if(ec == net::error::operation_aborted || ec == websocket::error::closed)
        return;
    log_line(std::string("Server error: ") + what + ": " + ec.message());
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
        ws_.read_message_max(state_->config().max_message);
        ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
            res.set(http::field::server, "dbwebb-websocket-kit");
        }));
        ws_.async_accept(req, beast::bind_front_handler(&websocket_session::on_accept,
                                                        shared_from_this()));
    }

    /** Starts the closing handshake with @p reason (used at shutdown). */
    void close(websocket::close_reason reason)
    {
        // Nothing else writes in this step, so the close frame can go out at once.
        if(!ws_.is_open())
            return;
        ws_.async_close(reason, beast::bind_front_handler(&websocket_session::on_close,
                                                          shared_from_this()));
    }

private:
    void on_accept(beast::error_code ec)
    {
        if(ec)
            return fail(ec, "accept");
        state_->join(this);
        if(state_->log_peer())
            log_line("Connection received: " +
                     beast::get_lowest_layer(ws_).socket().remote_endpoint(ec).address().to_string());
        else
            log_line("Connection received.");
        do_read();
    }

    void do_read()
    {
        ws_.async_read(buffer_, beast::bind_front_handler(&websocket_session::on_read,
                                                          shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t bytes)
    {
        if(ec)
            return fail(ec, "read");
        // This server only connects: throw the message away and wait for the next.
        buffer_.consume(bytes);
        do_read();
    }

    void on_close(beast::error_code ec)
    {
        if(ec)
            return fail(ec, "close");
    }

    websocket::stream<beast::tcp_stream> ws_;
    std::shared_ptr<shared_state> state_;
    beast::flat_buffer buffer_;
};

inline std::vector<std::weak_ptr<websocket_session>> shared_state::sessions() const
{
    std::vector<std::weak_ptr<websocket_session>> result;
    result.reserve(sessions_.size());
    for(auto* session : sessions_)
        result.push_back(session->weak_from_this());
    return result;
}
