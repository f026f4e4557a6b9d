/**
 * @file
 * @brief What all connections of one server share: its settings, its HTTP answer,
 *        the browser clients it hosts, and the set of open WebSocket sessions.
 */
#pragma once

#include "config.hpp"
#include "handshake.hpp"
#include "static_files.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/websocket/error.hpp>

#include <functional>
#include <memory>
#include <unordered_set>
#include <vector>

class websocket_session;

/** Answers one plain HTTP request (the part of a server that is not WebSocket). */
using http_handler = std::function<response_type(request_type const&)>;

/**
 * Logs an error of one connection, unless it is one of the normal ways a
 * connection ends (the peer said goodbye, or we cancelled the operation ourselves).
 */
inline void fail(beast::error_code ec, char const* what)
{
    if(ec == boost::asio::error::operation_aborted || ec == beast::websocket::error::closed)
        return;
    log_line(std::string("Server error: ") + what + ": " + ec.message());
}

/**
 * The state every session of one server can reach. Sessions join after their
 * handshake and leave in their destructor, so the set holds only live sessions;
 * it holds raw pointers because ownership stays with the sessions' own handlers.
 */
class shared_state
{
public:
    /** @param config the server's settings; @param handler answers plain HTTP requests. */
    shared_state(server_config config, http_handler handler)
        : config_(std::move(config)), handler_(std::move(handler)),
          clients_("/clients", config_.clients_dir)
    {
    }

    /** The server's settings. */
    server_config const& config() const { return config_; }

    /**
     * Answers a plain HTTP request: the browser clients under `/clients/` first
     * (like `app.use("/clients", express.static(...))` placed before every other
     * route), then the program's own handler for every other path.
     */
    response_type handle(request_type const& req) const
    {
        if(auto file = clients_.answer(req))
            return std::move(*file);
        return handler_(req);
    }

    /** Adds a session whose handshake has completed. */
    void join(websocket_session* session) { sessions_.insert(session); }
    /** Removes a session; called from its destructor. */
    void leave(websocket_session* session) { sessions_.erase(session); }

    /** Weak pointers to every open session: safe to use even if one goes away meanwhile. */
    std::vector<std::weak_ptr<websocket_session>> sessions() const;

private:
    server_config const config_;
    http_handler const handler_;
    static_files const clients_;
    std::unordered_set<websocket_session*> sessions_;
};
