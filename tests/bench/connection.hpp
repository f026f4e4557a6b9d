/**
 * @file
 * @brief One WebSocket client connection of the load generator, on one Asio thread.
 *
 * Beast does the HTTP upgrade; after the 101 the connection frames by itself (wire.hpp) so that
 * every frame due on a connection leaves in one write and every frame of a read is handled at
 * once: the generator must stay far cheaper per message than the server it measures.
 */
#pragma once

#include "wire.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;  ///< the TCP protocol of Asio

class connection;

/** What the generator hears from its connections. */
class connection_events
{
public:
    virtual ~connection_events() = default;
    /** The upgrade succeeded; the connection can send. */
    virtual void on_open(connection& c) = 0;
    /** A whole text or binary message arrived. */
    virtual void on_message(connection& c, bool text, std::string_view payload) = 0;
    /** The connection failed (or the server closed it); @p what says how. */
    virtual void on_failure(connection& c, std::string const& what) = 0;
    /** The closing handshake that close() started has finished. */
    virtual void on_closed(connection& c) = 0;
};

/**
 * What all connections share: the io_context, the listener of events, the masking keys, and the
 * list of connections with frames waiting, written in one go by flush_all() after each handler.
 */
struct connection_hub
{
    net::io_context& ioc;                  ///< the one thread everything runs on
    connection_events& events;             ///< who hears about messages and failures
    wire::mask_source masks;               ///< masking keys for every frame sent
    std::vector<connection*> dirty;        ///< connections with queued frames not yet written
    std::size_t read_size = 16 * 1024;     ///< how much one read asks for

    /** Starts a write on every connection that has frames queued. */
    void flush_all();
};

/** One client connection: connect, upgrade, then send and receive frames. */
class connection
{
public:
    /** A connection numbered @p id, not connected yet. */
    connection(connection_hub& hub, std::size_t id) : hub_(hub), socket_(hub.ioc), id_(id) {}

    connection(connection const&) = delete;
    connection& operator=(connection const&) = delete;

    /** Its number among the generator's connections. */
    std::size_t id() const { return id_; }

    /** True between a successful upgrade and the end of the connection. */
    bool is_open() const { return open_; }

    /** Connects to @p endpoint and asks for a WebSocket upgrade of `/` on @p host. */
    void start(tcp::endpoint endpoint, std::string host)
    {
        host_ = std::move(host);
        socket_.async_connect(endpoint, [this](beast::error_code ec) { on_connect(ec); });
    }

    /** Queues one text message; it leaves with the next flush_all(). */
    void send_text(std::string_view payload) { queue(wire::opcode::text, payload); }

    /** Starts the closing handshake (1000, normal closure). */
    void close()
    {
        if(!open_ || closing_)
            return;
        closing_ = true;
        char const code[2] = {char(1000 >> 8), char(1000 & 0xFF)};
        queue(wire::opcode::close, std::string_view(code, 2));
    }

    /** Writes what is queued, unless a write is already in flight (it writes the rest when done). */
    void flush()
    {
        queued_ = false;
        if(writing_ || out_.empty() || !socket_.is_open())
            return;
        // Exactly one write in flight: frames queued meanwhile wait in out_ and go together.
        writing_ = true;
        std::swap(out_, in_flight_);
        net::async_write(socket_, net::buffer(in_flight_), [this](beast::error_code ec, std::size_t) {
            writing_ = false;
            in_flight_.clear();
            if(ec)
                return fail(ec, "write");
            flush();
        });
    }

private:
    void queue(wire::opcode op, std::string_view payload)
    {
        wire::append_frame(out_, op, payload, hub_.masks.next());
        // Remember the connection once; flush_all() writes all of them after this handler.
        if(!queued_)
        {
            queued_ = true;
            hub_.dirty.push_back(this);
        }
    }

    void on_connect(beast::error_code ec)
    {
        if(ec)
            return fail(ec, "connect");
        // The generator's small messages must leave at once, as the servers' must.
        socket_.set_option(tcp::no_delay(true), ec);
        upgrade_.emplace(http::verb::get, "/", 11);
        upgrade_->set(http::field::host, host_);
        upgrade_->set(http::field::upgrade, "websocket");
        upgrade_->set(http::field::connection, "Upgrade");
        upgrade_->set(http::field::sec_websocket_key, wire::make_key(hub_.masks));
        upgrade_->set(http::field::sec_websocket_version, "13");
        http::async_write(socket_, *upgrade_, [this](beast::error_code ec, std::size_t) {
            if(ec)
                return fail(ec, "handshake write");
            response_.emplace();
            http::async_read(socket_, buffer_, *response_, [this](beast::error_code ec, std::size_t) {
                on_upgrade(ec);
            });
        });
    }

    void on_upgrade(beast::error_code ec)
    {
        if(ec)
            return fail(ec, "handshake read");
        if(response_->result() != http::status::switching_protocols)
            return fail({}, "handshake answered " + std::to_string(response_->result_int()));
        upgrade_.reset();
        response_.reset();
        open_ = true;
        hub_.events.on_open(*this);
        // Bytes after the 101 (a first message) are already in buffer_.
        if(!consume())
            return;
        hub_.flush_all();
        do_read();
    }

    void do_read()
    {
        socket_.async_read_some(buffer_.prepare(hub_.read_size), [this](beast::error_code ec, std::size_t n) {
            if(ec)
                return fail(ec, "read");
            buffer_.commit(n);
            if(!consume())
                return;
            // Everything the frames of this read made the generator send goes out now, batched.
            hub_.flush_all();
            do_read();
        });
    }

    /** Handles every complete frame in buffer_; false when the connection has ended. */
    bool consume()
    {
        std::string_view data(static_cast<char const*>(buffer_.data().data()), buffer_.size());
        std::size_t used_total = 0;
        for(;;)
        {
            wire::frame f;
            std::size_t used = 0;
            auto const result = wire::parse_frame(data.substr(used_total), f, used);
            if(result == wire::parse_result::partial)
                break;
            if(result == wire::parse_result::invalid)
                return fail({}, "invalid frame from the server"), false;
            used_total += used;
            if(!on_frame(f))
                return false;
        }
        buffer_.consume(used_total);
        return true;
    }

    /** Handles one frame; false when the connection has ended. */
    bool on_frame(wire::frame const& f)
    {
        switch(f.op)
        {
        case wire::opcode::ping:
            // Answer pings, as every WebSocket client must, or the server drops us.
            queue(wire::opcode::pong, f.payload);
            return true;
        case wire::opcode::pong:
            return true;
        case wire::opcode::close:
            return on_close_frame(f.payload);
        case wire::opcode::continuation:
            if(!in_message_)
                return fail({}, "continuation without a message"), false;
            message_.append(f.payload);
            break;
        case wire::opcode::text:
        case wire::opcode::binary:
            if(in_message_)
                return fail({}, "new message inside a fragmented one"), false;
            if(f.fin)
            {
                // The usual case: a whole message in one frame, handed over without a copy.
                hub_.events.on_message(*this, f.op == wire::opcode::text, f.payload);
                return open_;
            }
            in_message_ = true;
            message_text_ = f.op == wire::opcode::text;
            message_.assign(f.payload);
            break;
        default:
            return fail({}, "unknown opcode"), false;
        }
        if(f.fin)
        {
            in_message_ = false;
            hub_.events.on_message(*this, message_text_, message_);
            message_.clear();
        }
        return open_;
    }

    bool on_close_frame(std::string_view payload)
    {
        if(!closing_)
        {
            // The server closed first: that ends a measurement, so it is a failure.
            unsigned code = payload.size() >= 2
                                ? (unsigned(static_cast<unsigned char>(payload[0])) << 8) |
                                      static_cast<unsigned char>(payload[1])
                                : 1005;
            fail({}, "server closed the connection with " + std::to_string(code) + " " +
                         std::string(payload.size() > 2 ? payload.substr(2) : std::string_view()));
            return false;
        }
        // Our close was answered: the closing handshake is done.
        open_ = false;
        beast::error_code ec;
        socket_.shutdown(tcp::socket::shutdown_both, ec);
        socket_.close(ec);
        hub_.events.on_closed(*this);
        return false;
    }

    void fail(beast::error_code ec, std::string const& what)
    {
        if(!socket_.is_open())
            return;
        bool const was_closing = closing_;
        open_ = false;
        beast::error_code ignored;
        socket_.close(ignored);
        // A connection we were closing that ends abruptly has still ended.
        if(was_closing)
            return hub_.events.on_closed(*this);
        hub_.events.on_failure(*this, ec ? what + ": " + ec.message() : what);
    }

    connection_hub& hub_;
    tcp::socket socket_;
    std::size_t id_;
    std::string host_;
    std::optional<http::request<http::empty_body>> upgrade_;
    std::optional<http::response<http::empty_body>> response_;
    beast::flat_buffer buffer_;          // received bytes not yet parsed into frames
    std::string out_;                    // frames queued while a write is in flight
    std::string in_flight_;              // the frames being written
    std::string message_;                // a fragmented message being put together
    bool message_text_ = false;
    bool in_message_ = false;
    bool open_ = false;
    bool closing_ = false;
    bool writing_ = false;
    bool queued_ = false;
};

inline void connection_hub::flush_all()
{
    // Swap first: a flush may fail and a failure handler may queue more.
    std::vector<connection*> ready;
    ready.swap(dirty);
    for(auto* c : ready)
        c->flush();
    if(dirty.empty())
        dirty.swap(ready), dirty.clear();  // keep the capacity for the next round
}
