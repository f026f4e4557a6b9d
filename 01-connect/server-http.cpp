/**
 * @file
 * @brief The article's `server-http.js` (#httpserver), with cpp-httplib:
 *        every request gets `Hello World`. No WebSocket here.
 */
#include "config.hpp"
#include "log.hpp"

#include <httplib.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <thread>

int main()
{
    server_config config;
    try
    {
        config = read_config();
    }
    catch(std::exception const& e)
    {
        std::cerr << "server-http: " << e.what() << std::endl;
        return 1;
    }

    // Block SIGINT and SIGTERM before httplib starts its threads, so that only
    // the waiter thread below receives them and can stop the server safely.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    httplib::Server server;
    // A client that does not finish its request in time is dropped.
    server.set_read_timeout(config.handshake_timeout);
    // An idle connection waits this long for its next request (whole seconds only, rounded up).
    server.set_keep_alive_timeout(
        std::chrono::ceil<std::chrono::seconds>(config.handshake_timeout).count());
    // httplib's default socket options include SO_REUSEPORT, which would let a second
    // server bind the same port silently; ask for SO_REUSEADDR alone, as Beast's listener does.
    server.set_socket_options([](socket_t sock) {
        int yes = 1;
        setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    server.set_payload_max_length(64 * 1024);

    // Answer every request, whatever its method and path, like `http.createServer(...)`.
    server.set_pre_routing_handler([](httplib::Request const& req, httplib::Response& res) {
        log_line("Webserver received: " + req.target);
        res.set_content("Hello World\n", "text/plain");
        return httplib::Server::HandlerResponse::Handled;
    });

    // Port 0 lets the kernel choose; either way we learn the real port before printing it.
    int port = config.port;
    errno = 0;
    bool const bound = config.port == 0 ? (port = server.bind_to_any_port(config.host)) > 0
                                        : server.bind_to_port(config.host, config.port);
    if(!bound)
    {
        std::cerr << "server-http: cannot listen on " << config.host << ":" << config.port << ": "
                  << (errno != 0 ? std::strerror(errno) : "bind failed") << std::endl;
        return 1;
    }
    log_line("Server is listening on " + std::to_string(port));

    std::atomic<bool> signalled{false};
    std::atomic<bool> listen_ended{false};
    std::thread waiter([&] {
        int signal = 0;
        sigwait(&stop_signals, &signal);
        signalled = true;
        // stop() only works once listen_after_bind() has started: wait for that (or its end).
        while(!server.is_running() && !listen_ended)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        server.stop();  // listen_after_bind() below returns
    });

    server.listen_after_bind();
    listen_ended = true;
    if(!signalled)
    {
        // The accept loop failed on its own: wake the waiter so it can be joined, and say so.
        std::cerr << "server-http: the server stopped accepting connections" << std::endl;
        pthread_kill(waiter.native_handle(), SIGTERM);
        waiter.join();
        return 1;
    }
    waiter.join();
    return 0;
}
