/**
 * @file
 * @brief The bounded send queue: what it takes, and what it refuses. The `[lab:…]`
 *        comments mark the code that `make lab` leaves for a student to write (docs/lab.md).
 */
#include "send_queue.hpp"

#include <utility>

send_queue::send_queue(std::size_t max_bytes, std::size_t max_messages)
    : max_bytes_(max_bytes), max_messages_(max_messages)
{
}

bool send_queue::push(outgoing_message message)
{
    // [lab:slow-client] The cap: when the message would take the queue over max_bytes_ or
    //   max_messages_, return false and queue nothing. An empty queue takes any one
    //   message, so that one of the largest allowed size still reaches a client that keeps up.
    if(!messages_.empty() && (bytes_ + message.data->size() > max_bytes_ ||
                              messages_.size() + 1 > max_messages_))
        return false;
    // [lab:slow-client]
    bytes_ += message.data->size();
    messages_.push_back(std::move(message));
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
