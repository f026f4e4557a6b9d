/**
 * @file
 * @brief The article's echo `server.js` (#echo-server): a plain HTTP server that
 *        answers `Hello World`, and on the same port a WebSocket server that
 *        sends every message back to the client that sent it.
 *
 * The echo itself lives in websocket_session.cpp (on_read() and send()), its
 * bounded queue in send_queue.cpp; this file only says what a plain HTTP request gets.
 */
#include "serve.hpp"

/** The HTTP part: the same answer to every request, like Node's `http.createServer`. */
static response_type hello_world(request_type const& req)
{
    log_line("Webserver received: " + std::string(req.target()));
    response_type res{http::status::ok, req.version()};
    res.set(http::field::content_type, "text/plain");
    res.keep_alive(req.keep_alive());
    res.body() = "Hello World\n";
    res.prepare_payload();
    return res;
}

int main()
{
    // Plain requests get hello_world (or a browser client file); upgrades become echo sessions.
    return serve("server", "echo", hello_world);
}
