/**
 * @file
 * @brief One TCP connection while it still speaks HTTP: read requests, answer
 *        them, or hand the socket over to a WebSocket session.
 *
 * This is how one port serves both protocols, like the article's
 * `new WebSocket.Server({ server })`: every connection starts as HTTP, and a
 * request with `Upgrade: websocket` turns it into a WebSocket.
 */
#pragma once

#include "websocket_session.hpp"

#include <boost/beast/http.hpp>

#include <memory>
#include <optional>

/** Reads HTTP requests on one connection until it upgrades, closes or times out. */
class http_session : public std::enable_shared_from_this<http_session>
{
public:
    /** Takes over a freshly accepted socket. */
    http_session(tcp::socket&& socket, std::shared_ptr<shared_state> state)
        : stream_(std::move(socket)), state_(std::move(state))
    {
    }

    /** Starts reading the first request. */
    void run() { do_read(); }

private:
    void do_read()
    {
        // A new parser per request, with limits: a client may not make us hold a huge request.
        parser_.emplace();
        parser_->header_limit(16 * 1024);
        parser_->body_limit(64 * 1024);
        // A client that never finishes its request is dropped after the handshake timeout.
        stream_.expires_after(state_->config().handshake_timeout);
        http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&http_session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t /*bytes*/)
    {
        if(ec == http::error::end_of_stream)
            return do_close();  // the client is done and closed its side
        if(ec == http::error::body_limit)
            return send(error_response({}, http::status::payload_too_large, "Request body too large."));
        if(ec == http::error::header_limit)
            return send(error_response({}, http::status::request_header_fields_too_large,
                                       "Request headers too large."));
        if(ec.category() == http::make_error_code(http::error::bad_method).category())
            return send(error_response({}, http::status::bad_request, "Malformed HTTP request."));
        if(ec)
            return fail(ec, "http read");  // timeout or reset: just drop the connection

        request_type req = parser_->release();
        if(wants_websocket(req))
        {
            // Beast 1.74 would accept a malformed key, so check the whole handshake first.
            if(auto refusal = check_handshake(req))
                return send(std::move(*refusal));
            // The WebSocket stream sets its own timeouts from now on.
            stream_.expires_never();
            std::make_shared<websocket_session>(stream_.release_socket(), state_)
                ->run(std::move(req));
            return;
        }
        send(state_->handle(req));
    }

    void send(response_type res)
    {
        // The response must outlive the asynchronous write, so the session keeps it.
        response_ = std::move(res);
        http::async_write(stream_, *response_,
                          beast::bind_front_handler(&http_session::on_write, shared_from_this()));
    }

    void on_write(beast::error_code ec, std::size_t /*bytes*/)
    {
        if(ec)
            return fail(ec, "http write");
        if(response_->need_eof())
            return do_close();
        do_read();  // keep-alive: wait for the next request on the same connection
    }

    void do_close()
    {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::shared_ptr<shared_state> state_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::optional<response_type> response_;
};
