/**
 * @file
 * @brief The bounded send queue of the price feed: a full queue loses its oldest
 *        ticks, not its client.
 */
#include "send_queue.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

send_queue::send_queue(std::size_t max_bytes, std::size_t max_messages, std::size_t max_ticks)
    : max_bytes_(max_bytes), max_messages_(max_messages), max_ticks_(max_ticks)
{
}

send_queue::result send_queue::push(outgoing_message message, bool front_in_flight)
{
    result done;
    // The cap: make room by forgetting the oldest waiting ticks, never the history.
    while(!has_room_for(message, front_in_flight) && drop_oldest_tick(front_in_flight))
        done.dropped = true;
    if(!has_room_for(message, front_in_flight))
        return done;
    bytes_ += message.data->size();
    messages_.push_back(std::move(message));
    done.accepted = true;
    return done;
}

// True when message fits: an empty queue takes any one message (so the history always
// goes), and no more than max_ticks_ ticks wait, within the caps in bytes and messages.
bool send_queue::has_room_for(outgoing_message const& message, bool front_in_flight) const
{
    if(messages_.empty())
        return true;
    if(bytes_ + message.data->size() > max_bytes_ || messages_.size() + 1 > max_messages_)
        return false;
    // The message being written is on its way; only the ones behind it wait.
    auto const waiting = std::count_if(std::next(messages_.begin(), front_in_flight ? 1 : 0),
                                       messages_.end(), [](outgoing_message const& m) { return m.tick; });
    return !message.tick || static_cast<std::size_t>(waiting) < max_ticks_;
}

// Forgets the oldest tick that waits; false when no tick waits.
bool send_queue::drop_oldest_tick(bool front_in_flight)
{
    auto const oldest = std::find_if(std::next(messages_.begin(), front_in_flight ? 1 : 0),
                                     messages_.end(), [](outgoing_message const& m) { return m.tick; });
    if(oldest == messages_.end())
        return false;
    bytes_ -= oldest->data->size();
    messages_.erase(oldest);
    return true;
}

void send_queue::pop()
{
    bytes_ -= messages_.front().data->size();
    messages_.pop_front();
}

void send_queue::drop_all_but(std::size_t keep)
{
    while(messages_.size() > keep)
    {
        bytes_ -= messages_.back().data->size();
        messages_.pop_back();
    }
}
