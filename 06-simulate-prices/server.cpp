/**
 * @file
 * @brief The article's simulated cake prices (#stock-prices): an Express-like app
 *        that answers every HTTP request with JSON, and on the same port a
 *        WebSocket price feed that sends every client the new prices at every tick.
 *
 * The prices are simulated in market.hpp and put into messages in feed.hpp; the
 * clock is ticker.hpp, the broadcast shared_state::tick(), and the send path that
 * lets a slow client lose old ticks instead of holding up the feed is in
 * websocket_session.hpp.
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
    // upgrade requests become sessions of the price feed (see websocket_session.hpp).
    return serve("server", "prices",
                 [http_app](request_type const& req) { return http_app.handle(req); });
}
