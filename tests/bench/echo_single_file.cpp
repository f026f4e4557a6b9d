/**
 * @file
 * @brief The yardstick of tests/bench/rebuild-speed: a WebSocket echo server in one
 *        file, in the shape of Beast's own example/websocket/server/async/websocket_server_async.cpp
 *        (a listener, a session with do_read/on_read/on_write, async accept, read and write).
 *
 * It is never part of the kit's build: rebuild-speed compiles it on its own at -O0 -g, header-only
 * Beast as in the example, to say how long "one Beast WebSocket server" takes to compile on the
 * machine at hand, beside the rebuild of a lab step after an edit.
 */
#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

/** Reports an error. */
static void fail(beast::error_code ec, char const* what)
{
    std::cerr << what << ": " << ec.message() << "\n";
}

/** Echoes every message back to its sender. */
class session : public std::enable_shared_from_this<session>
{
public:
    /** Takes ownership of the accepted socket. */
    explicit session(tcp::socket&& socket) : ws_(std::move(socket)) {}

    /** Starts the session on its strand. */
    void run()
    {
        net::dispatch(ws_.get_executor(),
                      beast::bind_front_handler(&session::on_run, shared_from_this()));
    }

private:
    void on_run()
    {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
            res.set(beast::http::field::server, "echo-single-file");
        }));
        ws_.async_accept(beast::bind_front_handler(&session::on_accept, shared_from_this()));
    }

    void on_accept(beast::error_code ec)
    {
        if(ec)
            return fail(ec, "accept");
        do_read();
    }

    void do_read()
    {
        ws_.async_read(buffer_, beast::bind_front_handler(&session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t /*bytes*/)
    {
        if(ec == websocket::error::closed)
            return;
        if(ec)
            return fail(ec, "read");
        ws_.text(ws_.got_text());
        ws_.async_write(buffer_.data(),
                        beast::bind_front_handler(&session::on_write, shared_from_this()));
    }

    void on_write(beast::error_code ec, std::size_t bytes)
    {
        if(ec)
            return fail(ec, "write");
        buffer_.consume(bytes);
        do_read();
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
};

/** Accepts connections and starts a session for each. */
class listener : public std::enable_shared_from_this<listener>
{
public:
    /** Opens, binds and listens on @p endpoint. */
    listener(net::io_context& ioc, tcp::endpoint endpoint) : ioc_(ioc), acceptor_(ioc)
    {
        acceptor_.open(endpoint.protocol());
        acceptor_.set_option(net::socket_base::reuse_address(true));
        acceptor_.bind(endpoint);
        acceptor_.listen(net::socket_base::max_listen_connections);
    }

    /** Starts accepting. */
    void run() { do_accept(); }

private:
    void do_accept()
    {
        acceptor_.async_accept(net::make_strand(ioc_),
                               beast::bind_front_handler(&listener::on_accept, shared_from_this()));
    }

    void on_accept(beast::error_code ec, tcp::socket socket)
    {
        if(ec)
            return fail(ec, "accept");
        std::make_shared<session>(std::move(socket))->run();
        do_accept();
    }

    net::io_context& ioc_;
    tcp::acceptor acceptor_;
};

int main(int argc, char* argv[])
{
    unsigned short const port = argc > 1 ? static_cast<unsigned short>(std::atoi(argv[1])) : 8080;
    net::io_context ioc{1};
    std::make_shared<listener>(ioc, tcp::endpoint{net::ip::make_address("0.0.0.0"), port})->run();
    ioc.run();
    return 0;
}
