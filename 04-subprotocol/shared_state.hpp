/**
 * @file
 * @brief What all connections of one server share: its settings, its HTTP answer,
 *        the browser clients it hosts, and the set of open WebSocket sessions,
 *        which is the article's `clientTracking`, and its `broadcastExcept()`,
 *        which in this step formats each message for its receiver's subprotocol.
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
struct outgoing_message;

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

    /** Adds a session whose handshake has completed, and tells every other client. */
    void join(websocket_session* session);

    /**
     * Removes a session, from its destructor or as soon as it is given up (its
     * send queue overflowed), and tells every remaining client. A second call for
     * the same session does nothing, so the goodbye goes out once.
     */
    void leave(websocket_session* session);

    /**
     * Queues @p message for every open session except @p sender (nullptr: for all),
     * like the article's `wss.broadcastExcept(ws, data)`, and logs
     * `Broadcasted data to <sent> (<total>) clients.`. Never waits for any client.
     * A text reaches each session in the form of that session's subprotocol
     * (plain, or `{"timestamp", "data"}` for `json`), each form serialized once.
     */
    void broadcast(websocket_session const* sender, outgoing_message const& message);

    /** At shutdown: no more goodbyes, and every open session closes with @p reason. */
    void close_all(beast::websocket::close_reason const& reason);

private:
    server_config const config_;
    http_handler const handler_;
    static_files const clients_;
    std::unordered_set<websocket_session*> sessions_;
    bool stopping_ = false;  // set by close_all(): the server is going away
};
