/**
 * @file
 * @brief The set of open sessions, the article's `clientTracking`: join (with the
 *        history first), leave, and each tick to everyone (the lesson of this step,
 *        beside market.cpp and feed.cpp). The `[lab:…]` comments mark the code that
 *        `make lab` leaves for a student to write (docs/lab.md).
 */
#include "shared_state.hpp"

#include "websocket_session.hpp"

#include <string>
#include <vector>

void shared_state::join(websocket_session* session)
{
    sessions_.insert(session);
    // [lab:history-first] The history first, so that the client's chart is never empty:
    //   send() it the feed's history_message(), a text frame and not a tick (a tick may be
    //   pushed out by a newer one, the history never is).
    // Joining and queueing happen in one handler, so no tick can come between the two.
    session->send({feed_.history_message(), false, false});
    // [lab:history-first]
}

void shared_state::leave(websocket_session* session) { sessions_.erase(session); }

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

void shared_state::close_all(beast::websocket::close_reason const& reason)
{
    // Weak pointers: a session whose last handler has run is gone, and is skipped.
    std::vector<std::weak_ptr<websocket_session>> sessions;
    for(auto* session : sessions_)
        sessions.push_back(session->weak_from_this());
    for(auto const& weak : sessions)
        if(auto session = weak.lock())
            session->close(reason);
}
