/**
 * @file
 * @brief What the price feed does when a client comes and at every tick, and what a
 *        full send queue means here: the lesson of this step, beside market.hpp (the
 *        prices) and feed.hpp (the history and the messages).
 *
 * The Beast calls under these functions (reading, writing, closing) are in
 * websocket_session.cpp. This file instantiates none of Beast's stream templates,
 * so an edit here rebuilds in a few seconds (docs/lab.md). The `[lab:…]` comments
 * mark the code that `make lab` leaves for a student to write (docs/lab.md).
 */
#include "websocket_session.hpp"

#include <algorithm>
#include <iterator>
#include <string>
#include <utility>

void websocket_session::on_open()
{
    state_->join(this);
    log_line("Connection received. Adding client.");
    // [lab:history-first] The history first, so that the client's chart is never empty:
    //   send() it the feed's history_message() (state_->feed()), a text frame and not a tick
    //   (a tick may be pushed out by a newer one, the history never is).
    // Joining and queueing happen in one handler, so no tick can come between the two.
    send({state_->feed().history_message(), false, false});
    // [lab:history-first]
}

bool websocket_session::send(outgoing_message message)
{
    // After a close frame nothing may follow (RFC 6455 §5.5.1).
    if(closing_ || ended_)
        return false;
    // The cap: make room by forgetting the oldest waiting ticks, never the history.
    while(!has_room_for(message) && drop_oldest_tick())
    {
    }
    if(!has_room_for(message))
    {
        lagging();
        return false;
    }
    queued_bytes_ += message.data->size();
    queue_.push_back(std::move(message));
    // Only start a write when none is in flight: on_write() takes the next one.
    if(!writing_)
        do_write();
    return true;
}

// True when message fits in the queue: an empty queue takes any one message (so
// the history always goes), and no more than price_feed::max_unsent_ticks ticks wait,
// within the step's caps in bytes and messages.
bool websocket_session::has_room_for(outgoing_message const& message) const
{
    if(queue_.empty())
        return true;
    auto const& config = state_->config();
    if(queued_bytes_ + message.data->size() > config.send_queue_bytes ||
       queue_.size() + 1 > config.send_queue_messages)
        return false;
    // The message being written is on its way; only the ones behind it wait.
    auto const waiting = std::count_if(std::next(queue_.begin(), writing_ ? 1 : 0), queue_.end(),
                                       [](outgoing_message const& m) { return m.tick; });
    return !message.tick || static_cast<std::size_t>(waiting) < price_feed::max_unsent_ticks;
}

// Forgets the oldest tick that waits (not the one being written: its bytes must live
// until on_write()). Returns false when no tick waits.
bool websocket_session::drop_oldest_tick()
{
    auto const oldest = std::find_if(std::next(queue_.begin(), writing_ ? 1 : 0), queue_.end(),
                                     [](outgoing_message const& m) { return m.tick; });
    if(oldest == queue_.end())
        return false;
    queued_bytes_ -= oldest->data->size();
    queue_.erase(oldest);
    lagging();
    return true;
}

// Notes that this client lost ticks: one log line when it starts to lag, not one per tick.
void websocket_session::lagging()
{
    if(!lagging_)
        log_line("Dropping the oldest unsent ticks of a slow client.");
    lagging_ = true;
}

void shared_state::tick()
{
    // One serialized message for everyone, shared by every queue it goes into.
    outgoing_message const message{feed_.tick(now_ms()), false, true};
    std::size_t sent = 0;
    // [lab:tick-to-all] Queue the tick for every open session in sessions_ with
    //   websocket_session::send(), and count in sent those that took it. send() never
    //   removes a session (a full queue loses ticks, not its client), so walk the set itself.
    for(auto* session : sessions_)
    {
        // send() only queues: a slow client costs this loop nothing.
        if(session->send(message))
            ++sent;
    }
    // [lab:tick-to-all]
    if(!config_.quiet)
        log_line("Broadcasted data to " + std::to_string(sent) + " (" +
                 std::to_string(sessions_.size()) + ") clients.");
}
