/**
 * @file
 * @brief The article's subprotocol server (#sub): the broadcast server of
 *        03-broadcast, whose clients choose `text` or `json` in the handshake.
 *
 * The negotiation is in websocket_session.cpp (run()), the two protocols'
 * forms in subprotocol.cpp, and the per-receiver formatting in shared_state.cpp
 * (broadcast()).
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
    // upgrade requests become sessions that speak a subprotocol (see websocket_session.hpp).
    return serve("server", "subprotocol",
                 [http_app](request_type const& req) { return http_app.handle(req); });
}
