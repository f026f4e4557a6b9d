/**
 * @file
 * @brief The main loop every Beast server of this step shares: read the settings,
 *        listen, print the ready line, and shut down cleanly on SIGINT/SIGTERM.
 */
#pragma once

#include "listener.hpp"

#include <boost/asio/signal_set.hpp>

#include <chrono>
#include <exception>
#include <iostream>
#include <optional>

/**
 * Runs a server until SIGINT or SIGTERM.
 * @param program     the program's name, for error messages
 * @param client_page the folder of this step's browser client under `/clients/`
 * @param handler     the answer to plain HTTP requests (other than `/clients/`)
 * @return the process exit status: 0 after a clean shutdown, 1 when the server cannot start
 */
inline int serve(char const* program, char const* client_page, http_handler handler)
{
    server_config config;
    try
    {
        config = read_config();
    }
    catch(std::exception const& e)
    {
        std::cerr << program << ": " << e.what() << std::endl;
        return 1;
    }

    net::io_context ioc;  // one thread runs everything, as Node's event loop does
    auto state = std::make_shared<shared_state>(config, std::move(handler));
    std::shared_ptr<listener> server;
    try
    {
        tcp::endpoint endpoint{net::ip::make_address(config.host), config.port};
        server = std::make_shared<listener>(ioc, endpoint, state);
    }
    catch(std::exception const& e)
    {
        std::cerr << program << ": cannot listen on " << config.host << ":" << config.port
                  << ": " << e.what() << std::endl;
        return 1;
    }
    // On SIGINT (Ctrl-C) or SIGTERM: stop accepting and say "going away" to every client.
    // The handler is in place before the ready line, so a signal right after it is not lost.
    std::optional<std::chrono::steady_clock::time_point> deadline;
    net::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](beast::error_code ec, int /*signal*/) {
        if(ec)
            return;
        server->stop();
        state->close_all(websocket::close_code::going_away);  // each after its write in flight
        // Clients get one second to answer the close frame; then the server exits anyway.
        deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    });

    server->run();
    log_line("Server is listening on " + std::to_string(server->port()));
    // One click away: the browser client of this step, served by this very server.
    log_line("Browser client: http://localhost:" + std::to_string(server->port()) + "/clients/" +
             client_page + "/");

    // Run until the signal arrives, then until every connection is done or the deadline passes.
    while(!deadline && ioc.run_one() > 0)
    {
    }
    if(deadline)
        ioc.run_until(*deadline);
    return 0;
}
