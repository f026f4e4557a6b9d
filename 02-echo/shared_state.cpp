/**
 * @file
 * @brief The set of open sessions: join, leave, and closing them all at shutdown.
 */
#include "shared_state.hpp"

#include "websocket_session.hpp"

#include <vector>

void shared_state::join(websocket_session* session) { sessions_.insert(session); }

void shared_state::leave(websocket_session* session) { sessions_.erase(session); }

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
