/**
 * @file
 * @brief What the echo server does with a message, and the bounded send queue
 *        it goes through: the lesson of this step (the article's `message` event).
 *
 * The Beast calls under these functions (reading, writing, closing) are in
 * websocket_session.cpp. This file instantiates none of Beast's stream templates,
 * so an edit here rebuilds in a few seconds (docs/lab.md). The `[lab:…]` comments
 * mark the code that `make lab` leaves for a student to write (docs/lab.md).
 */
#include "websocket_session.hpp"

#include <string>
#include <utility>

void websocket_session::on_open()
{
    state_->join(this);
    log_line("Connection received.");
}

void websocket_session::on_message(outgoing_message message)
{
    if(!state_->config().quiet)
        log_line(message.binary
                     ? "Received: <" + std::to_string(message.data->size()) + " bytes of binary data>"
                     : "Received: " + *message.data);
    // [lab:echo] The echo: the message goes back to its sender through send(), same frame
    //   type, after every earlier answer. Then read the next message with do_read(), but
    //   not while queue_full(): that is the backpressure, on_write() reads again later.
    send(std::move(message));
    if(!queue_full())
        do_read();
    // [lab:echo]
}

void websocket_session::send(outgoing_message message)
{
    // After a close frame nothing may follow (RFC 6455 §5.5.1).
    if(closing_ || ended_)
        return;
    // [lab:send-queue] Queue the message: append it to queue_ and add its size to
    //   queued_bytes_. One write at a time: start one with do_write() only when writing_
    //   says none is in flight (on_write() then takes the next one from the queue).
    queued_bytes_ += message.data->size();
    queue_.push_back(std::move(message));
    if(!writing_)
        do_write();
    // [lab:send-queue]
}

bool websocket_session::queue_full() const
{
    // [lab:queue-cap] The cap: true once queued_bytes_ reaches the config's send_queue_bytes,
    //   or the queue holds send_queue_messages messages (state_->config(), config.hpp).
    return queued_bytes_ >= state_->config().send_queue_bytes ||
           queue_.size() >= state_->config().send_queue_messages;
    // [lab:queue-cap]
}
