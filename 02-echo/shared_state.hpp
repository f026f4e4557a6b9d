/**
 * @file
 * @brief What all connections of one server share: its settings, its HTTP answer,
 *        the browser clients it hosts, and the set of open WebSocket sessions.
 */
#pragma once

#include "config.hpp"
#include "log.hpp"
#include "handshake.hpp"
#include "static_files.hpp"

#include <boost/beast/websocket/rfc6455.hpp>

#include <functional>
#include <memory>
#include <unordered_set>

class websocket_session;

/** Answers one plain HTTP request (the part of a server that is not WebSocket). */
using http_handler = std::function<response_type(request_type const&)>;

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
    void join(websocket_session* session);
    /** Removes a session; called from its destructor. */
    void leave(websocket_session* session);

    /** At shutdown: every open session closes with @p reason. */
    void close_all(beast::websocket::close_reason const& reason);

private:
    server_config const config_;
    http_handler const handler_;
    static_files const clients_;
    std::unordered_set<websocket_session*> sessions_;
};
