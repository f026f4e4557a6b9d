/**
 * @file
 * @brief The article's `verifyClient` (#sameorigin): the subprotocol server of
 *        04-subprotocol, which lets only pages from allowed origins connect.
 *
 * The check is in http_session.hpp (on_read(), before any upgrade), the
 * parsing and matching of origins in origin.hpp, and the allow-list is read
 * from the environment in config.hpp (read_config()).
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
    // upgrade requests from allowed origins become sessions (see http_session.hpp).
    return serve("server", "origin",
                 [http_app](request_type const& req) { return http_app.handle(req); });
}
