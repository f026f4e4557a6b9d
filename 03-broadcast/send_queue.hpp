/**
 * @file
 * @brief One client's bounded send queue: the messages on their way out to it, in
 *        order, with a cap in bytes and in messages (the lesson of this step).
 *
 * A Beast WebSocket stream takes one write at a time, so a message to send waits
 * here until the write before it is done. In the echo a full queue stopped the
 * reader; here every other client fills it, and none of them may wait for a slow
 * one: a message that would take the queue over its cap is refused, and the session
 * closes that client (websocket_session.cpp). No Beast here:
 * tests/03-broadcast/test_send_queue_unit.cpp tests this class alone.
 */
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <string>
#include <utility>

/**
 * One message on its way out. The bytes are shared and never change, so one
 * copy can wait in many queues at once (the next step broadcasts it).
 */
struct outgoing_message
{
    std::shared_ptr<std::string const> data;  ///< the payload
    bool binary = false;                      ///< a binary frame, else a text frame
};

/** A text message of the server's own (a greeting, a goodbye), one copy for every receiver. */
inline outgoing_message text_message(std::string text)
{
    return {std::make_shared<std::string const>(std::move(text)), false};
}

/** The messages waiting for one client, oldest first; the front one is being written. */
class send_queue
{
public:
    /** A queue that holds at most @p max_bytes bytes and @p max_messages messages. */
    send_queue(std::size_t max_bytes, std::size_t max_messages);

    /**
     * Appends @p message after everything queued before it.
     * @return false, queueing nothing, when it would take the queue over a cap (full).
     *         An empty queue takes any one message.
     */
    bool push(outgoing_message message);

    /** True when nothing waits. */
    bool empty() const { return messages_.empty(); }
    /** The oldest message: the one to write next (or being written). */
    outgoing_message const& front() const { return messages_.front(); }
    /** Forgets the front message once its write is done. */
    void pop();
    /** Forgets every message but the first @p keep (the one being written must stay: its bytes are in use). */
    void drop_all_but(std::size_t keep);

    /** How many messages wait. */
    std::size_t size() const { return messages_.size(); }
    /** How many bytes they hold. */
    std::size_t bytes() const { return bytes_; }

private:
    std::size_t const max_bytes_;
    std::size_t const max_messages_;
    // A list holds no memory while it is empty (libstdc++'s std::deque sets aside 576 bytes
    // even then), and most queues are empty.
    std::list<outgoing_message> messages_;
    std::size_t bytes_ = 0;  // the bytes of every message in messages_
};
