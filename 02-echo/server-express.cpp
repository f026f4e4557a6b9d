/**
 * @file
 * @brief The article's echo `server-express.js` (#echo-server): an Express-like
 *        app that answers every HTTP request with JSON, and a WebSocket echo on
 *        the same port.
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
    // upgrade requests become echo sessions (see websocket_session.hpp).
    return serve("server-express", "echo",
                 [http_app](request_type const& req) { return http_app.handle(req); });
}
