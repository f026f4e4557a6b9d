/**
 * @file
 * @brief The set of open sessions, the article's `clientTracking`: join and leave,
 *        each told to the others with a count, and `broadcastExcept` (the lesson of
 *        this step). The `[lab:…]` comments mark the code that `make lab` leaves for a
 *        student to write (docs/lab.md).
 */
#include "shared_state.hpp"

#include "websocket_session.hpp"

#include <string>
#include <vector>

void shared_state::join(websocket_session* session)
{
    // [lab:join] Add the session to sessions_, and tell every other client
    //   "New client connected (<n>).", n the number of open clients, this one included,
    //   with broadcast() from this session.
    sessions_.insert(session);
    broadcast(session,
              text_message("New client connected (" + std::to_string(sessions_.size()) + ")."));
    // [lab:join]
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
    broadcast(nullptr,
              text_message("Client disconnected (" + std::to_string(sessions_.size()) + ")."));
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

void shared_state::close_all(beast::websocket::close_reason const& reason)
{
    stopping_ = true;
    // Weak pointers: a session whose last handler has run is gone, and is skipped.
    std::vector<std::weak_ptr<websocket_session>> sessions;
    for(auto* session : sessions_)
        sessions.push_back(session->weak_from_this());
    for(auto const& weak : sessions)
        if(auto session = weak.lock())
            session->close(reason);
}
