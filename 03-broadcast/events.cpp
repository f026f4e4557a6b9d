/**
 * @file
 * @brief What the broadcast server does when a client comes, speaks and leaves,
 *        and the cap that keeps a slow client from holding up the others: the
 *        lesson of this step (the article's `connection`, `message` and `close` events).
 *
 * The Beast calls under these functions (reading, writing, closing) are in
 * websocket_session.cpp. This file instantiates none of Beast's stream templates,
 * so an edit here rebuilds in a few seconds (docs/lab.md). The `[lab:…]` comments
 * mark the code that `make lab` leaves for a student to write (docs/lab.md).
 */
#include "websocket_session.hpp"

#include <string>
#include <utility>
#include <vector>

void websocket_session::on_open()
{
    log_line("Connection received. Adding client.");
    // [lab:join] Join the set of open clients with state_->join() (it says how many are open
    //   now, this one included), and tell every other client "New client connected (<n>)."
    //   with state_->broadcast(): one outgoing_message (a text frame) that all of them share.
    std::size_t const open = state_->join(this);
    state_->broadcast(this, {std::make_shared<std::string const>(
                                 "New client connected (" + std::to_string(open) + ")."),
                             false});
    // [lab:join]
}

void websocket_session::on_message(outgoing_message message)
{
    if(!state_->config().quiet)
        log_line(message.binary
                     ? "Received: <" + std::to_string(message.data->size()) + " bytes of binary data>"
                     : "Received: " + *message.data);
    // The broadcast: one copy, queued for every other open client, same frame type.
    // The sender's next message is read only after this one is in every queue, so
    // each client gets each sender's messages in the order they were sent.
    state_->broadcast(this, message);
    do_read();
}

bool websocket_session::send(outgoing_message message)
{
    // After a close frame nothing may follow (RFC 6455 §5.5.1).
    if(closing_ || ended_)
        return false;
    // [lab:slow-client] The cap: when the message would take the queue over the config's
    //   send_queue_bytes or send_queue_messages (state_->config()), this client does not keep
    //   up: give_up() on it and return false. An empty queue takes any one message, so that a
    //   message of the largest allowed size still reaches a client that keeps up.
    auto const& config = state_->config();
    if(!queue_.empty() && (queued_bytes_ + message.data->size() > config.send_queue_bytes ||
                           queue_.size() + 1 > config.send_queue_messages))
    {
        give_up();
        return false;
    }
    // [lab:slow-client]
    queued_bytes_ += message.data->size();
    queue_.push_back(std::move(message));
    // Only start a write when none is in flight: on_write() takes the next one.
    if(!writing_)
        do_write();
    return true;
}

// It is counted as gone now (the others get their goodbye at once) and closed with 1008
// after the write in flight; what it has not been sent yet is dropped, never half-delivered.
void websocket_session::give_up()
{
    log_line("Send queue full (" + std::to_string(queue_.size()) + " messages, " +
             std::to_string(queued_bytes_) + " bytes): closing a client that does not keep up.");
    close({websocket::close_code::policy_error, "send queue full"});
    state_->leave(this);
}

void shared_state::leave(websocket_session* session)
{
    if(sessions_.erase(session) == 0)
        return;  // already gone (given up earlier), and the others already know
    // At shutdown everyone is leaving: no goodbyes to clients that are closing anyway.
    if(stopping_)
        return;
    // [lab:leave] Tell every remaining client "Client disconnected (<n>).", n the number of
    //   clients that remain in sessions_, with broadcast() from no sender (nullptr).
    broadcast(nullptr, {std::make_shared<std::string const>(
                            "Client disconnected (" + std::to_string(sessions_.size()) + ")."),
                        false});
    // [lab:leave]
}

void shared_state::broadcast(websocket_session const* sender, outgoing_message const& message)
{
    std::size_t sent = 0;
    // [lab:send-to-others] Queue the message for every open session in sessions_ but the
    //   sender, with websocket_session::send(), and count in sent those that took it. Loop
    //   over a copy of the set: a send() that overflows a queue makes that session leave
    //   the set at once, and one that left during the loop (sessions_.count()) is skipped.
    std::vector<websocket_session*> const targets(sessions_.begin(), sessions_.end());
    for(auto* session : targets)
    {
        if(session == sender || sessions_.count(session) == 0)
            continue;
        // send() only queues: a slow client costs this loop nothing.
        if(session->send(message))
            ++sent;
    }
    // [lab:send-to-others]
    if(!config_.quiet)
        log_line("Broadcasted data to " + std::to_string(sent) + " (" +
                 std::to_string(sessions_.size()) + ") clients.");
}
