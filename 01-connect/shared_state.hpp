/**
 * @file
 * @brief What all connections of one server share: its settings, its HTTP answer
 *        and the set of open WebSocket sessions.
 */
#pragma once

#include "config.hpp"
#include "log.hpp"
#include "handshake.hpp"

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
 * The state every session of one server can reach. Sessions join after their
 * handshake and leave in their destructor, so the set holds only live sessions;
 * it holds raw pointers because ownership stays with the sessions' own handlers.
 */
class shared_state
{
public:
    /** @param config the server's settings; @param handler answers plain HTTP requests;
     *  @param log_peer log `Connection received: <peer>` instead of `Connection received.` */
    shared_state(server_config config, http_handler handler, bool log_peer = false)
        : config_(std::move(config)), handler_(std::move(handler)), log_peer_(log_peer)
    {
    }

    /** The server's settings. */
    server_config const& config() const { return config_; }
    /** True when the connection log names the peer's address (the standalone server does). */
    bool log_peer() const { return log_peer_; }
    /** Answers a plain HTTP request. */
    response_type handle(request_type const& req) const { return handler_(req); }

    /** Adds a session whose handshake has completed. */
    void join(websocket_session* session) { sessions_.insert(session); }
    /** Removes a session; called from its destructor. */
    void leave(websocket_session* session) { sessions_.erase(session); }

    /** Weak pointers to every open session: safe to use even if one goes away meanwhile. */
    std::vector<std::weak_ptr<websocket_session>> sessions() const;

private:
    server_config const config_;
    http_handler const handler_;
    bool const log_peer_;
    std::unordered_set<websocket_session*> sessions_;
};
