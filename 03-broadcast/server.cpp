/**
 * @file
 * @brief The article's broadcast server (#broadcast): an Express-like app that
 *        answers every HTTP request with JSON, and on the same port a WebSocket
 *        server that tracks its clients and sends every message to all the others.
 *
 * The client tracking is in shared_state.hpp (join(), leave(), broadcast()) and
 * the send path that no client can stall in websocket_session.hpp.
 */
#include "app.hpp"
#include "serve.hpp"

int main()
{
    app http_app;

    // Answer every HTTP request, like `app.use((req, res) => res.send({ msg: "hello" }))`.
    http_app.use([](request_type const& req, reply& res) {
        log_line("HTTP request on " + std::string(req.target()));
        res.json({{"msg", "hello"}});
    });

    // The one line that ties the two together: plain requests go to the app, and
    // upgrade requests become broadcast sessions (see websocket_session.hpp).
    return serve("server", "broadcast",
                 [http_app](request_type const& req) { return http_app.handle(req); });
}
