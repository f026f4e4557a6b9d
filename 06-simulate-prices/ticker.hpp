/**
 * @file
 * @brief The feed's clock: a timer that moves the market every PRICES_INTERVAL_MS.
 *
 * In Node a server would call `setInterval()`; Asio's equivalent is a
 * steady_timer that, each time it fires, does the work and sets itself again.
 * A steady clock, not the wall clock: a clock change (summer time, NTP) must not
 * make the feed skip or repeat ticks.
 */
#pragma once

#include "shared_state.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include <chrono>
#include <memory>

/** Calls shared_state::tick() once per interval until stop(). */
class ticker : public std::enable_shared_from_this<ticker>
{
public:
    /** A ticker on @p ioc for the feed of @p state, every @p interval. */
    ticker(boost::asio::io_context& ioc, std::shared_ptr<shared_state> state,
           std::chrono::milliseconds interval)
        : timer_(ioc), state_(std::move(state)), interval_(interval)
    {
    }

    /** Starts the clock: the first tick comes one interval from now. */
    void run() { do_wait(); }

    /** Stops the clock (at shutdown): the pending wait ends with operation_aborted. */
    void stop()
    {
        stopped_ = true;
        timer_.cancel();
    }

private:
    void do_wait()
    {
        // One interval after the previous tick ran: a late tick never causes a burst of catch-up ticks.
        timer_.expires_after(interval_);
        timer_.async_wait(beast::bind_front_handler(&ticker::on_wait, shared_from_this()));
    }

    void on_wait(beast::error_code ec)
    {
        // cancel() ends the wait with operation_aborted, unless the timer had already fired
        // and this handler was waiting to run: stopped_ covers that case.
        if(ec || stopped_)
            return;
        state_->tick();
        do_wait();
    }

    boost::asio::steady_timer timer_;
    std::shared_ptr<shared_state> state_;
    std::chrono::milliseconds const interval_;
    bool stopped_ = false;
};
