/**
 * @file
 * @brief A speed-up, skippable on a first reading: a layer under Beast's websocket::stream
 *        that gathers the frames the server writes and sends them in one socket write.
 *
 * Nothing of the article's lesson is here. The session names it in one line
 * (`stream_type` in websocket_session.hpp); with `websocket::stream<tcp::socket>`
 * there, the server does the same, only several times slower (docs/benchmarks.md).
 * The send queue's cap means the same either way: it counts what waits in the
 * session's queue, and this layer, like the kernel's socket buffer, takes a bounded
 * amount (`limit`) off it.
 *
 * Why one write per message is slow. The listener sets TCP_NODELAY so that a small
 * message leaves at once instead of waiting for more (Nagle's algorithm). The price:
 * every `async_write` of a Beast WebSocket stream then becomes one `sendmsg()` system
 * call, one TCP segment and one wake-up of the peer. For small messages that costs far
 * more than Beast's framing (docs/benchmarks.md measured it: one `sendmsg()` per echo).
 *
 * How this layer gathers them. Beast has no call that writes several messages at once,
 * but a `websocket::stream<NextLayer>` does all its I/O through its next layer's
 * `async_read_some` and `async_write_some`. This class is such a next layer, wrapped
 * around the TCP socket. A frame Beast writes is copied into an outbox and its write
 * completes at once; the session then goes on exactly as before (one `async_write` in
 * flight, its bounded queue, the close after the write in flight).
 *
 * When the outbox leaves, in one socket write:
 * - when Beast asks for more input: it does that only once it has handled every whole
 *   frame of the last read, so every answer those frames caused is in the outbox;
 * - for a stream that waits for input while others write to it (a broadcast receiver,
 *   a ping, a close at shutdown): once no stream of the io_context is still handling
 *   what its read brought (coalescing_scope counts them), so a receiver gets every
 *   message of a sender's read in one write; and after 100 ms at the latest;
 * - at once when `limit` bytes have gathered, and then Beast's write completes only
 *   once the socket has taken them: a client that does not read still fills the
 *   session's bounded queue, so backpressure and the 1008 on overflow still work;
 * - before the connection is torn down (async_teardown below): no close frame is lost.
 *
 * What it costs: one copy of each frame into the outbox, and one more posted handler per
 * write. It adds no waiting at a steady rate: a frame waits only for the handlers of the
 * same read to run, never for a timer.
 *
 * Beast's timeouts still work: they close the lowest layer (`beast::get_lowest_layer`
 * finds the socket through next_layer()).
 */
#pragma once

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

/**
 * What the coalescing streams of one io_context share (an Asio service: one per
 * io_context): how many of them are handling what a read brought, and the flushes
 * of the others that wait until none is.
 */
class coalescing_scope : public boost::asio::execution_context::service
{
public:
    /** Identifies the service in its execution context. */
    static inline boost::asio::execution_context::id id;

    /** The service of @p context (boost::asio::use_service makes it). */
    explicit coalescing_scope(boost::asio::execution_context& context) : service(context) {}

    /** How many streams are between the end of a read and their next read. */
    int busy = 0;

    /** Runs @p flush once no stream is busy, or after 100 ms at the latest. */
    template<class Executor>
    void defer(Executor const& ex, std::function<void()> flush)
    {
        deferred_.push_back(std::move(flush));
        if(deferred_.size() > 1)
            return;
        // A session that stops reading halfway through a read must not hold back the others
        // for long. Not shorter: handing one message to 1000 receivers takes more than 1 ms,
        // and a timer that fires in the middle of that sends each frame on its own again.
        if(!timer_)
            timer_ = std::make_unique<boost::asio::steady_timer>(ex);
        timer_->expires_after(std::chrono::milliseconds(100));
        timer_->async_wait([this](boost::beast::error_code ec) {
            if(!ec)
                run_deferred();
        });
    }

    /** One stream is done with what its read brought; the last one sends what waited. */
    void read_handled()
    {
        if(--busy > 0 || deferred_.empty())
            return;
        timer_->cancel();
        run_deferred();
    }

private:
    void run_deferred()
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
 * The next layer of a websocket::stream: every frame Beast writes goes into an outbox,
 * and the outbox goes to @p NextLayer (a tcp::socket) in one write at the moments the
 * file comment lists. Use it as `websocket::stream<coalescing_stream<tcp::socket>>`.
 */
template<class NextLayer>
class coalescing_stream
{
    // What the socket write in flight needs: it keeps this alive even if the stream is gone.
    struct outbox
    {
        boost::beast::flat_buffer pending;   // frames gathered, not yet handed to the socket
        boost::beast::flat_buffer writing;   // the bytes of the socket write in flight
        bool in_flight = false;
        boost::beast::error_code error;      // a failed socket write fails every later frame
        coalescing_stream* owner = nullptr;  // null once the stream is gone
    };

public:
    using executor_type = typename NextLayer::executor_type;  ///< the socket's executor
    using next_layer_type = NextLayer;                       ///< the socket underneath

    /** Bytes gathered before the outbox leaves without waiting for a read. */
    static constexpr std::size_t limit = 64 * 1024;

    /** Constructs the socket underneath from @p args (the accepted tcp::socket). */
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

    /** A socket write in flight finishes without it; a busy count it holds is given back. */
    ~coalescing_stream()
    {
        box_->owner = nullptr;
        end_chunk();
    }

    /** Not movable: the outbox and the posted flushes know this stream by its address. */
    coalescing_stream(coalescing_stream&&) = delete;

    /** The socket's executor. */
    executor_type get_executor() noexcept { return next_.get_executor(); }
    /** The socket underneath (beast::get_lowest_layer() finds it here). */
    NextLayer& next_layer() noexcept { return next_; }
    /** The socket underneath. */
    NextLayer const& next_layer() const noexcept { return next_; }

    /** Sends the outbox, then reads from the socket into @p buffers. */
    template<class MutableBufferSequence, class ReadHandler>
    void async_read_some(MutableBufferSequence const& buffers, ReadHandler&& handler)
    {
        // Beast asks for input only when it has handled every whole frame: send their answers.
        reading_ = true;
        flush();
        end_chunk();
        auto ex = boost::asio::get_associated_executor(handler, get_executor());
        next_.async_read_some(buffers, boost::asio::bind_executor(ex,
            [box = box_, h = std::move(handler)](boost::beast::error_code ec, std::size_t n) mutable {
                if(auto* self = box->owner)
                {
                    self->reading_ = false;
                    // Until the next read, this stream handles what this one brought.
                    if(!ec && !self->holding_)
                    {
                        self->in_chunk_ = true;
                        ++self->scope_.busy;
                    }
                }
                h(ec, n);
            }));
    }

    /** Copies @p buffers into the outbox; completes at once, or past the limit once the socket has them. */
    template<class ConstBufferSequence, class WriteHandler>
    void async_write_some(ConstBufferSequence const& buffers, WriteHandler&& handler)
    {
        auto& box = *box_;
        std::size_t const n = boost::asio::buffer_size(buffers);
        if(box.error)
            return boost::asio::post(get_executor(),
                boost::beast::bind_front_handler(std::move(handler), box.error, std::size_t(0)));
        box.pending.commit(boost::asio::buffer_copy(box.pending.prepare(n), buffers));
        if(box.pending.size() >= limit)
        {
            // Enough gathered: send it, and finish Beast's write only when the socket has it.
            flush();
            // A stream that waits for a slow client must not hold back the others' flushes.
            end_chunk();
            holding_ = true;
            auto ex = boost::asio::get_associated_executor(handler, get_executor());
            held_.async_wait(boost::asio::bind_executor(ex,
                [box = box_, h = std::move(handler), n](boost::beast::error_code) mutable {
                    if(box->owner)
                        box->owner->holding_ = false;
                    h(box->error, n);
                }));
            return;
        }
        // A stream waiting for input has no read coming to send this: flush it soon.
        if(reading_ && !flush_posted_)
        {
            flush_posted_ = true;
            auto later = [box = box_] {
                if(auto* self = box->owner)
                {
                    self->flush_posted_ = false;
                    self->flush();
                }
            };
            // While another stream handles a read, more frames may come for this one: wait.
            if(scope_.busy > 0)
                scope_.defer(get_executor(), std::move(later));
            else
                boost::asio::post(get_executor(), std::move(later));
        }
        boost::asio::post(get_executor(),
            boost::beast::bind_front_handler(std::move(handler), boost::beast::error_code{}, n));
    }

    /** Sends what is gathered, then calls @p handler(ec) once the socket has taken all of it. */
    template<class Handler>
    void async_flush(Handler&& handler)
    {
        flush();
        if(!box_->in_flight || box_->error)
            return boost::asio::post(get_executor(),
                boost::beast::bind_front_handler(std::move(handler), box_->error));
        auto ex = boost::asio::get_associated_executor(handler, get_executor());
        held_.async_wait(boost::asio::bind_executor(ex,
            [box = box_, h = std::move(handler)](boost::beast::error_code) mutable {
                h(box->error);
            }));
    }

private:
    // Hands the outbox to the socket, unless a write is in flight (its end sends the rest).
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
                // An idle connection keeps no buffer.
                box->writing.clear();
                box->writing.shrink_to_fit();
                if(ec)
                    box->error = ec;
                if(!box->owner)
                    return;
                // A write (or a teardown) held back for this may finish; send what gathered meanwhile.
                box->owner->held_.cancel();
                box->owner->flush();
            });
    }

    // This stream is done with what its read brought.
    void end_chunk()
    {
        if(!in_chunk_)
            return;
        in_chunk_ = false;
        scope_.read_handled();
    }

    NextLayer next_;
    coalescing_scope& scope_;
    boost::asio::steady_timer held_;  // holds Beast's write (past the limit) or a teardown
    std::shared_ptr<outbox> box_;
    bool reading_ = false;            // a read of the socket is in flight
    bool flush_posted_ = false;       // a flush is posted or deferred
    bool in_chunk_ = false;           // counted busy in scope_
    bool holding_ = false;            // Beast's write waits for the socket
};

/** Sends what is gathered (the close frame), then tears the TCP connection down as Beast does. */
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
