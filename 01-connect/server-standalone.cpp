/**
 * @file
 * @brief The article's standalone server (#standalone): WebSocket only.
 *
 * Like a standalone `ws` server, it accepts an upgrade on any path and answers
 * any other HTTP request with 426 Upgrade Required.
 */
#include "serve.hpp"

/** The only HTTP answer a WebSocket-only server has: "use WebSocket instead". */
static response_type upgrade_required(request_type const& req)
{
    response_type res{http::status::upgrade_required, req.version()};
    res.set(http::field::content_type, "text/plain");
    res.set(http::field::upgrade, "websocket");
    res.keep_alive(false);
    res.body() = "Upgrade Required";
    res.prepare_payload();
    return res;
}

int main()
{
    return serve("server-standalone", upgrade_required, /*log_peer=*/true);
}
