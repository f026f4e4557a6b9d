/**
 * @file
 * @brief A stream layer under Beast's websocket::stream that gathers the frames written while
 *        the server handles what one read brought, and sends them in one socket write ("cork").
 *
 * A PROPOSAL for the steps from 02-echo on, measured by the benchmark (docs/benchmarks.md), not yet
 * part of any step. To use it in a step, copy this file into the step and change one line of
 * websocket_session.hpp:
 *
 *     websocket::stream<beast::tcp_stream> ws_;                        // before
 *     websocket::stream<coalescing_stream<beast::tcp_stream>> ws_;     // after
 *
 * (`coalescing_stream<tcp::socket>` also works and saves the tcp_stream's timer, ~0.6 KiB per
 * connection, since the websocket stream's own timeouts are the ones in use.) Nothing else changes:
 * the session still has exactly one async_write in flight, fed by its bounded queue, and its close
 * still goes through the same path. Why it is needed: with TCP_NODELAY every Beast async_write is one
 * sendmsg() (one TCP segment, one wake-up of the peer), which costs far more than the framing; Beast
 * has no call that writes several messages at once, but it writes through its next layer, so the
 * gathering can happen there, out of the session's sight.
 *
 * When the outbox leaves:
 * - when the websocket stream asks this layer for more input: every whole frame of the last read
 *   has been handled, so every echo those frames caused is in the outbox (the echo case);
 * - for a stream that sits waiting for input (it receives a broadcast, a ping, a close frame at
 *   shutdown): once no stream of the io_context is still handling a read (coalescing_scope), so a
 *   receiver gets every message of the sender's read in one write, and after 100 ms at the latest
 *   (a safety net for a session that stops reading in the middle of a read: 02-06 never do, since a
 *   held write ends the read's turn; it must be longer than a whole read's fan-out, or it fires in
 *   the middle of it and undoes the batching: 1 ms and 10 ms cost 5.2 and 4.5 µs per delivery to
 *   1 000 receivers, 100 ms 0.75 µs);
 * - at once when `limit` bytes have gathered; Beast's write then completes only when the socket has
 *   taken them, so a client that does not read still fills the session's bounded queue.
 * - before a teardown (async_teardown below), so a close frame is never lost.
 *
 * Tested by building 02-echo and 03-broadcast with it (Debug, so Beast's assertions are on) and
 * running their suites against those builds: `SERVER_CMD_SERVER=<that build> build/tests/test-02-echo`.
 */
#pragma once

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <vector>
#include <utility>

/**
 * What the coalescing streams of one io_context share (an Asio service: one per io_context, gone
 * with it): how many of them are handling the frames of a read right now, and the flushes of other
 * streams that wait until none is. A message that one client's read makes the server broadcast is
 * then sent to each receiver together with the others that read brought, in one write per receiver.
 */
class coalescing_scope : public boost::asio::execution_context::service
{
public:
    /** Identifies the service in its execution context. */
    static inline boost::asio::execution_context::id id;

    /** The service of @p context (made by boost::asio::use_service). */
    explicit coalescing_scope(boost::asio::execution_context& context) : service(context) {}

    /** Streams between the completion of a read and their next read. */
    int busy = 0;

    /** Defers @p flush until no stream is busy, and at most 100 ms. */
    template<class Executor>
    void defer(Executor const& ex, std::function<void()> flush)
    {
        deferred_.push_back(std::move(flush));
        if(deferred_.size() > 1)
            return;
        // A session that stopped reading in the middle of a read's frames must not hold the others.
        if(!timer_)
            timer_ = std::make_unique<boost::asio::steady_timer>(ex);
        timer_->expires_after(std::chrono::milliseconds(100));
        timer_->async_wait([this](boost::beast::error_code ec) {
            if(!ec)
                send_deferred();
        });
    }

    /** One stream is done with its read: when none is busy any more, send everything deferred. */
    void leave()
    {
        if(--busy > 0 || deferred_.empty())
            return;
        timer_->cancel();
        send_deferred();
    }

private:
    void send_deferred()
    {
        std::vector<std::function<void()>> ready;
        ready.swap(deferred_);
        for(auto& flush : ready)
            flush();
    }

    void shutdown() override
    {
        deferred_.clear();
        timer_.reset();
    }

    std::vector<std::function<void()>> deferred_;
    std::unique_ptr<boost::asio::steady_timer> timer_;
};

/**
 * The layer between websocket::stream and the TCP stream. Every frame Beast writes is copied into
 * an outbox and its write completes at once; the outbox goes to the socket in one write when Beast
 * next asks for input (everything the last read brought has been handled), or, for writes made while
 * the stream waits for input (a broadcast from another client, a ping), in a posted flush. Past
 * `limit` bytes it sends at once and holds Beast's write back until the socket has taken them, so
 * the session's own bounded queue still fills and backpressure still works.
 */
template<class NextLayer>
class coalescing_stream
{
    // What a socket write in flight needs, kept alive by that write even if the stream goes away.
    struct outbox
    {
        boost::beast::flat_buffer pending;   // frames gathered, not yet handed to the socket
        boost::beast::flat_buffer writing;   // the bytes of the socket write in flight
        bool in_flight = false;
        boost::beast::error_code error;      // a failed socket write fails the next frame
        coalescing_stream* owner = nullptr;  // null once the stream is gone
    };

public:
    using executor_type = typename NextLayer::executor_type;  ///< the next layer's executor
    using next_layer_type = NextLayer;                       ///< the TCP stream underneath

    /** Constructs the next layer from @p args (a tcp::socket, say). */
    template<class... Args>
    explicit coalescing_stream(Args&&... args)
        : next_(std::forward<Args>(args)...)
        , scope_(boost::asio::use_service<coalescing_scope>(
              boost::asio::query(next_.get_executor(), boost::asio::execution::context)))
        , held_(next_.get_executor())
        , box_(std::make_shared<outbox>())
    {
        box_->owner = this;
        held_.expires_at(boost::asio::steady_timer::time_point::max());
    }

    ~coalescing_stream()
    {
        box_->owner = nullptr;
        end_chunk();
    }

    coalescing_stream(coalescing_stream&&) = delete;

    /** The executor of the next layer. */
    executor_type get_executor() noexcept { return next_.get_executor(); }
    /** The TCP stream underneath. */
    NextLayer& next_layer() noexcept { return next_; }
    /** The TCP stream underneath. */
    NextLayer const& next_layer() const noexcept { return next_; }

    /** Reads from the next layer; first sends what the frames handled since the last read produced. */
    template<class MutableBufferSequence, class ReadHandler>
    void async_read_some(MutableBufferSequence const& buffers, ReadHandler&& handler)
    {
        // The websocket stream asks for more input only when it has handled every whole frame.
        reading_ = true;
        flush();
        end_chunk();
        auto ex = boost::asio::get_associated_executor(handler, get_executor());
        next_.async_read_some(buffers, boost::asio::bind_executor(ex,
            [this, h = std::move(handler)](boost::beast::error_code ec, std::size_t n) mutable {
                // h keeps the session, and so this stream, alive until here.
                reading_ = false;
                // Until the next read, the frames of this one are being handled.
                if(!ec && !holding_)
                {
                    in_chunk_ = true;
                    ++scope_.busy;
                }
                h(ec, n);
            }));
    }

    /** Gathers @p buffers in the outbox and completes at once (or when the socket takes them, past the limit). */
    template<class ConstBufferSequence, class WriteHandler>
    void async_write_some(ConstBufferSequence const& buffers, WriteHandler&& handler)
    {
        std::size_t const n = boost::asio::buffer_size(buffers);
        if(box_->error)
            return (void)boost::asio::post(get_executor(),
                boost::beast::bind_front_handler(std::move(handler), box_->error, std::size_t(0)));
        box_->pending.commit(boost::asio::buffer_copy(box_->pending.prepare(n), buffers));
        if(box_->pending.size() >= limit)
        {
            // Too much gathered: send now, and let Beast's write finish only when the socket has it.
            flush();
            // A stream held back must not hold back the others' deferred frames.
            end_chunk();
            holding_ = true;
            auto ex = boost::asio::get_associated_executor(handler, get_executor());
            held_.async_wait(boost::asio::bind_executor(ex,
                [this, h = std::move(handler), n](boost::beast::error_code) mutable {
                    holding_ = false;
                    h(box_->error, n);
                }));
            return;
        }
        // While waiting for input no read will come to flush: flush after this turn of the loop.
        if(reading_ && !flush_posted_)
        {
            flush_posted_ = true;
            auto later = [box = box_] {
                if(box->owner)
                {
                    box->owner->flush_posted_ = false;
                    box->owner->flush();
                }
            };
            // Another stream is handling a read: wait for it (and any others) to finish.
            if(scope_.busy > 0)
                scope_.defer(get_executor(), later);
            else
                boost::asio::post(get_executor(), later);
        }
        boost::asio::post(get_executor(),
            boost::beast::bind_front_handler(std::move(handler), boost::beast::error_code{}, n));
    }

    /** Sends the outbox now, unless a socket write is in flight (its end sends the rest). */
    void flush()
    {
        auto& box = *box_;
        if(box.in_flight || box.pending.size() == 0 || box.error)
            return;
        box.in_flight = true;
        std::swap(box.pending, box.writing);
        boost::asio::async_write(next_, box.writing.data(),
            [box = box_](boost::beast::error_code ec, std::size_t) {
                box->in_flight = false;
                box->writing.clear();
                if(ec)
                    box->error = ec;
                if(!box->owner)
                    return;
                // A write Beast was held back for may finish now; more may have gathered meanwhile.
                box->owner->held_.cancel();
                box->owner->flush();
            });
    }

    /** True when nothing waits to be sent. */
    bool idle() const { return !box_->in_flight && box_->pending.size() == 0; }

    /** Bytes gathered before the outbox is sent without waiting for a read. */
    std::size_t limit = 64 * 1024;

    /** Sends what is gathered and calls @p handler(ec) once the socket has taken it. */
    template<class Handler>
    void async_flush(Handler&& handler)
    {
        flush();
        if(idle() || box_->error)
            return (void)boost::asio::post(get_executor(),
                boost::beast::bind_front_handler(std::move(handler), box_->error));
        auto ex = boost::asio::get_associated_executor(handler, get_executor());
        held_.async_wait(boost::asio::bind_executor(ex,
            [this, h = std::move(handler)](boost::beast::error_code) mutable { h(box_->error); }));
    }

private:
    void end_chunk()
    {
        if(!in_chunk_)
            return;
        in_chunk_ = false;
        scope_.leave();
    }

    NextLayer next_;
    coalescing_scope& scope_;
    boost::asio::steady_timer held_;  // holds a write back (past the limit) or a teardown
    std::shared_ptr<outbox> box_;
    bool reading_ = false;
    bool flush_posted_ = false;
    bool in_chunk_ = false;
    bool holding_ = false;
};

/** Sends what is gathered (a close frame, say), then tears the connection down. */
template<class NextLayer, class Handler>
void async_teardown(boost::beast::role_type role, coalescing_stream<NextLayer>& stream, Handler&& handler)
{
    auto ex = boost::asio::get_associated_executor(handler, stream.get_executor());
    stream.async_flush(boost::asio::bind_executor(ex,
        [role, &stream, h = std::move(handler)](boost::beast::error_code) mutable {
            using boost::beast::websocket::async_teardown;
            async_teardown(role, stream.next_layer(), std::move(h));
        }));
}

/** The synchronous teardown: whatever is still gathered is lost. */
template<class NextLayer>
void teardown(boost::beast::role_type role, coalescing_stream<NextLayer>& stream, boost::beast::error_code& ec)
{
    using boost::beast::websocket::teardown;
    teardown(role, stream.next_layer(), ec);
}
