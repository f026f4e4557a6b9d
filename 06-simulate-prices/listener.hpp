/**
 * @file
 * @brief Accepts incoming TCP connections and gives each one an HTTP session.
 */
#pragma once

#include "http_session.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <memory>

/** Owns the listening socket. Binding happens in the constructor, so a port in use fails early. */
class listener : public std::enable_shared_from_this<listener>
{
public:
    /**
     * Opens, binds and listens on @p endpoint.
     * @throws boost::system::system_error when the address cannot be used (a port in use, say).
     */
    listener(net::io_context& ioc, tcp::endpoint endpoint, std::shared_ptr<shared_state> state)
        : ioc_(ioc), acceptor_(ioc), retry_(ioc), state_(std::move(state))
    {
        acceptor_.open(endpoint.protocol());
        // Lets a restarted server bind at once, while old connections are still in TIME_WAIT.
        acceptor_.set_option(net::socket_base::reuse_address(true));
        acceptor_.bind(endpoint);
        acceptor_.listen(net::socket_base::max_listen_connections);
    }

    /** The port actually bound: the one asked for, or the kernel's pick for port 0. */
    unsigned short port() const { return acceptor_.local_endpoint().port(); }

    /** Starts accepting connections. */
    void run() { do_accept(); }

    /** Stops accepting: the pending accept ends with operation_aborted. */
    void stop()
    {
        beast::error_code ec;
        acceptor_.close(ec);
        retry_.cancel();
    }

private:
    void do_accept()
    {
        acceptor_.async_accept(ioc_, beast::bind_front_handler(&listener::on_accept,
                                                               shared_from_this()));
    }

    void on_accept(beast::error_code ec, tcp::socket socket)
    {
        if(ec == net::error::operation_aborted)
            return;  // stop() was called
        if(ec)
        {
            // Out of file descriptors, say: log it and pause before the next try
            // instead of spinning on an error that will not go away at once.
            fail(ec, "accept");
            retry_.expires_after(std::chrono::milliseconds(100));
            retry_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
                if(!wait_ec)
                    self->do_accept();
            });
            return;
        }
        // Small messages go out at once instead of waiting for more (Nagle's algorithm).
        socket.set_option(tcp::no_delay(true), ec);
        std::make_shared<http_session>(std::move(socket), state_)->run();
        do_accept();
    }

    net::io_context& ioc_;
    tcp::acceptor acceptor_;
    net::steady_timer retry_;
    std::shared_ptr<shared_state> state_;
};
