/**
 * @file
 * @brief The bounded send queue: what it takes, and when it is full. The `[lab:…]`
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
    // [lab:send-queue] Append the message to messages_ and add its size to bytes_;
    //   return true (the echo's queue takes every message: its reader stops at full()).
    bytes_ += message.data->size();
    messages_.push_back(std::move(message));
    return true;
    // [lab:send-queue]
}

bool send_queue::full() const
{
    // [lab:queue-cap] The cap: true once bytes_ reaches max_bytes_, or messages_ holds
    //   max_messages_ messages.
    return bytes_ >= max_bytes_ || messages_.size() >= max_messages_;
    // [lab:queue-cap]
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
