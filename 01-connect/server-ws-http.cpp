/**
 * @file
 * @brief The article's `server-ws-http.js` (#httpws): a plain HTTP server that
 *        answers `Hello World`, with WebSocket accepted on the same port.
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
    // Plain requests get hello_world; upgrade requests become WebSocket sessions.
    return serve("server-ws-http", hello_world, /*log_peer=*/true);
}
