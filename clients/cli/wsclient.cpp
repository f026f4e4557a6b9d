/**
 * @file
 * @brief wsclient: a WebSocket client for the terminal, like `wscat`.
 *
 * Lines from stdin go out as text messages; messages that arrive are printed
 * on stdout as `< text`; what happens to the connection (connected, closed,
 * refused) goes to stderr, so `wsclient ... > file` keeps only the messages.
 * It sends any Origin and any protocols it is told to, which a browser never
 * would: that is how the step READMEs show what a server's checks can and
 * cannot do.
 */
#include "options.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace websocket = beast::websocket;
/** Asio's TCP types: `tcp::resolver`, `tcp::socket`. */
using tcp = net::ip::tcp;

namespace {

/** How many lines from stdin may wait to be sent before the reader waits too. */
constexpr std::size_t max_queued = 64;

/**
 * Lets the stdin thread wait while max_queued lines are waiting to be sent,
 * so a fast pipe into a slow server cannot fill the memory.
 */
class send_budget
{
public:
    /** Waits until one more line may be queued. */
    void take()
    {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [this] { return used_ < max_queued; });
        ++used_;
    }

    /** One queued line has been written (or dropped): make room for the next. */
    void give_back()
    {
        std::lock_guard<std::mutex> lock(mutex_);
        --used_;
        changed_.notify_one();
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::size_t used_ = 0;
};

/** One connection to the server, from resolve to close. All its work runs on one thread. */
class session : public std::enable_shared_from_this<session>
{
public:
    /** Prepares a connection for @p opts; run() starts it. */
    session(net::io_context& ioc, options opts, send_budget& budget)
        : resolver_(net::make_strand(ioc)), ws_(resolver_.get_executor()), linger_(resolver_.get_executor()),
          opts_(std::move(opts)), budget_(budget)
    {
    }

    /** Starts the connection: resolve, connect, handshake, then read and write. */
    void run()
    {
        resolver_.async_resolve(opts_.host, opts_.port,
                                beast::bind_front_handler(&session::on_resolve, shared_from_this()));
    }

    /** Queues one text message (from any thread). */
    void send(std::string text)
    {
        net::post(ws_.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
            self->queue_.push_back(std::move(text));
            self->do_write();
        });
    }

    /**
     * Closes with 1000 after everything queued so far is sent (from any thread):
     * at once when @p now, else once the server has been quiet for options::wait,
     * so that the answers to the last lines are still printed.
     */
    void finish(bool now = false)
    {
        net::post(ws_.get_executor(), [self = shared_from_this(), now] {
            self->closing_ = true;
            if(now || self->opts_.wait.count() == 0)
                self->quiet_ = true;
            self->do_write();
        });
    }

    /** The exit status the connection has earned so far. */
    int status() const { return status_; }

    /** Sets what to do once the connection is over (main stops waiting for signals). */
    void when_done(std::function<void()> f) { on_done_ = std::move(f); }

private:
    void on_resolve(beast::error_code ec, tcp::resolver::results_type results)
    {
        if(ec)
            return fail("cannot resolve " + opts_.host + ": " + ec.message());
        // A server that does not answer at all should not hang the client forever.
        beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(10));
        beast::get_lowest_layer(ws_).async_connect(
            results, beast::bind_front_handler(&session::on_connect, shared_from_this()));
    }

    void on_connect(beast::error_code ec, tcp::resolver::results_type::endpoint_type)
    {
        if(ec)
            return fail("cannot connect to " + opts_.host + ":" + opts_.port + ": " + ec.message());
        // From here on the WebSocket's own timeouts apply, not the TCP stream's.
        beast::get_lowest_layer(ws_).expires_never();
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
        ws_.set_option(websocket::stream_base::decorator([this](websocket::request_type& req) {
            req.set(http::field::user_agent, "wsclient (dbwebb websocket kit)");
            if(opts_.origin)
                req.set(http::field::origin, *opts_.origin);
            // The offers go out as one header, in the order given.
            std::string offers;
            for(auto const& p : opts_.protocols)
                offers += (offers.empty() ? "" : ", ") + p;
            if(!offers.empty())
                req.set(http::field::sec_websocket_protocol, offers);
            for(auto const& [name, value] : opts_.headers)
                req.set(name, value);
        }));
        // The Host header carries the port unless it is the default one.
        std::string host = opts_.host.find(':') != std::string::npos ? "[" + opts_.host + "]" : opts_.host;
        if(opts_.port != "80")
            host += ":" + opts_.port;
        ws_.async_handshake(response_, host, opts_.target,
                            beast::bind_front_handler(&session::on_handshake, shared_from_this()));
    }

    void on_handshake(beast::error_code ec)
    {
        // A refusal is an HTTP answer: show its status, the one thing a browser hides from a page.
        if(ec == websocket::error::upgrade_declined)
        {
            std::string body = response_.body();
            if(body.size() > 200)
                body = body.substr(0, 200) + "...";
            return fail("handshake refused: " + std::to_string(response_.result_int()) + " " +
                        std::string(response_.reason()) + (body.empty() ? "" : "\n" + body));
        }
        if(ec)
            return fail("handshake failed: " + ec.message());

        std::string const chosen(response_[http::field::sec_websocket_protocol]);
        std::cerr << "connected to " << opts_.url;
        if(!chosen.empty())
            std::cerr << " (protocol '" << chosen << "')";
        std::cerr << std::endl;
        // RFC 6455 §4.2.2: a browser fails the connection here; this client says so and goes on.
        if(!opts_.protocols.empty() && chosen.empty())
            std::cerr << "note: the server chose none of the offered protocols "
                         "(a browser would fail the connection)" << std::endl;
        open_ = true;
        do_read();
        do_write();  // lines typed during the handshake are waiting
    }

    void do_read()
    {
        ws_.async_read(buffer_, beast::bind_front_handler(&session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t)
    {
        // The server closed (or answered our close): the handshake is over.
        if(ec == websocket::error::closed)
            return report_close();
        // Our own close ends the pending read this way; on_close() reports it.
        if(ec == net::error::operation_aborted && close_sent_)
            return;
        if(ec)
            return fail("connection lost: " + ec.message() + " (no close frame: 1006)");
        // Text is printed as it came; binary only by its size, since it may not be printable.
        if(ws_.got_text())
            std::cout << "< " << beast::buffers_to_string(buffer_.data()) << std::endl;
        else
            std::cout << "< [binary, " << buffer_.size() << " bytes]" << std::endl;
        buffer_.consume(buffer_.size());
        // While waiting to close, a message means the server is not done yet: wait again.
        if(lingering_ && !quiet_)
            do_linger();
        do_read();
    }

    void do_write()
    {
        // Exactly one write (or close) in flight; the rest waits in the queue.
        if(!open_ || writing_)
            return;
        if(!queue_.empty())
        {
            writing_ = true;
            ws_.text(true);
            ws_.async_write(net::buffer(queue_.front()),
                            beast::bind_front_handler(&session::on_write, shared_from_this()));
        }
        else if(closing_ && !close_sent_)
        {
            // Give the answers to the last lines time to arrive before closing.
            if(!quiet_)
            {
                if(!lingering_)
                    do_linger();
                return;
            }
            // The close goes through the same path, after the last write, never beside it.
            writing_ = true;
            close_sent_ = true;
            ws_.async_close(websocket::close_code::normal,
                            beast::bind_front_handler(&session::on_close, shared_from_this()));
        }
    }

    void do_linger()
    {
        // Setting the expiry again cancels the wait in progress (on_linger sees operation_aborted).
        lingering_ = true;
        linger_.expires_after(opts_.wait);
        linger_.async_wait(beast::bind_front_handler(&session::on_linger, shared_from_this()));
    }

    void on_linger(beast::error_code ec)
    {
        if(ec == net::error::operation_aborted || done_)
            return;  // waited again after a message, or already over
        quiet_ = true;
        do_write();
    }

    void on_write(beast::error_code ec, std::size_t)
    {
        writing_ = false;
        if(done_)
            return;  // done() has emptied the queue already
        queue_.pop_front();
        budget_.give_back();
        if(ec)
            return fail("write failed: " + ec.message());
        do_write();
    }

    void on_close(beast::error_code ec)
    {
        writing_ = false;
        if(ec)
            return fail("close failed: " + ec.message());
        // Beast has read the server's answer to our close frame.
        report_close();
    }

    /** Shows the close code and reason the server sent, and ends the session. */
    void report_close()
    {
        if(done_)
            return;
        auto const& reason = ws_.reason();
        std::cerr << "closed: " << reason.code << (reason.reason.empty() ? "" : " ")
                  << reason.reason << std::endl;
        // 1000 (normal) and 1001 (going away: the server shut down) are the good endings.
        status_ = (reason.code == websocket::close_code::normal ||
                   reason.code == websocket::close_code::going_away) ? 0 : 1;
        done();
    }

    /** Reports an error, and ends the connection (the event loop runs out of work). */
    void fail(std::string const& what)
    {
        if(done_)
            return;
        std::cerr << "wsclient: " << what << std::endl;
        status_ = 1;
        done();
    }

    /** Stops everything still waiting, so that run() returns. */
    void done()
    {
        done_ = true;
        open_ = false;
        // Lines still queued will never go out: let the stdin thread move on.
        for(std::size_t i = 0; i < queue_.size(); ++i)
            budget_.give_back();
        queue_.clear();
        beast::error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
        if(on_done_)
            on_done_();
    }

    tcp::resolver resolver_;
    websocket::stream<beast::tcp_stream> ws_;
    net::steady_timer linger_;
    options opts_;
    send_budget& budget_;
    websocket::response_type response_;
    beast::flat_buffer buffer_;
    std::deque<std::string> queue_;
    bool open_ = false;
    bool writing_ = false;
    bool closing_ = false;
    bool lingering_ = false;
    bool quiet_ = false;
    bool close_sent_ = false;
    bool done_ = false;
    int status_ = 1;
    std::function<void()> on_done_;
};

/** Reads stdin line by line on its own thread (a blocking read works for a terminal, a pipe and a file). */
void read_stdin(std::shared_ptr<session> s, send_budget& budget)
{
    std::string pending;
    char chunk[4096];
    for(;;)
    {
        ssize_t const n = ::read(STDIN_FILENO, chunk, sizeof chunk);
        if(n <= 0)
            break;  // end of input (or an error reading it): time to close
        pending.append(chunk, static_cast<std::size_t>(n));
        // Each complete line is one message, without its line ending.
        for(auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n'))
        {
            std::string line = pending.substr(0, nl);
            pending.erase(0, nl + 1);
            if(!line.empty() && line.back() == '\r')
                line.pop_back();
            budget.take();
            s->send(std::move(line));
        }
    }
    // A last line without a newline is still a message.
    if(!pending.empty())
    {
        budget.take();
        s->send(std::move(pending));
    }
    s->finish();
}

}  // namespace

/** Reads the command line, connects, and runs until the connection is over. */
int main(int argc, char** argv)
{
    options opts;
    try
    {
        opts = parse_options(std::vector<std::string>(argv + 1, argv + argc));
    }
    catch(usage_error const& e)
    {
        std::cerr << "wsclient: " << e.what() << "\n\n" << usage_text;
        return 2;
    }
    if(opts.help)
    {
        std::cout << usage_text;
        return 0;
    }

    net::io_context ioc;
    send_budget budget;
    auto s = std::make_shared<session>(ioc, opts, budget);
    s->run();

    // Ctrl-C (or SIGTERM) closes politely at once.
    net::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([s](beast::error_code ec, int) {
        if(!ec)
            s->finish(true);
    });

    // stdin blocks, so it gets a thread of its own; it is left behind when the connection ends.
    std::thread(read_stdin, s, std::ref(budget)).detach();

    // Once the connection is over, nothing else matters: the signal wait, and the
    // timer Beast may still hold after a refused handshake, end with the loop.
    s->when_done([&ioc] { ioc.stop(); });
    ioc.run();

    // Leave at once: the stdin thread may still be blocked in read(), and must not
    // outlive the objects it uses while static destructors run.
    std::cout.flush();
    std::cerr.flush();
    std::_Exit(s->status());
}
