/**
 * @file
 * @brief One client's bounded send queue: the messages on their way out to it, in
 *        order, with a cap in bytes and in messages (the lesson of this step).
 *
 * A Beast WebSocket stream takes one write at a time, so a message to send waits
 * here until the write before it is done. In the chat every message mattered, so a
 * client whose queue was full was closed. In a price feed only the newest price
 * matters: a tick that finds the queue full pushes out the oldest tick still
 * waiting, and the slow client stays connected. No Beast here:
 * tests/06-simulate-prices/test_market.cpp tests this class alone.
 */
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <string>

/**
 * One message on its way out. The bytes are shared and never change, so one
 * copy can wait in many queues at once (every tick does).
 */
struct outgoing_message
{
    std::shared_ptr<std::string const> data;  ///< the payload
    bool binary = false;                      ///< a binary frame, else a text frame
    bool tick = false;                        ///< a price tick: a newer one may push it out
};

/** The messages waiting for one client, oldest first; the front one is being written. */
class send_queue
{
public:
    /**
     * A queue that holds at most @p max_bytes bytes and @p max_messages messages, of
     * which at most @p max_ticks ticks wait (besides the one being written).
     */
    send_queue(std::size_t max_bytes, std::size_t max_messages, std::size_t max_ticks);

    /** What push() did. */
    struct result
    {
        bool accepted = false;  ///< the message is queued
        bool dropped = false;   ///< older ticks were pushed out to make room
    };

    /**
     * Appends @p message after everything queued before it; when it does not fit, the
     * oldest waiting ticks make room (never the front one if @p front_in_flight: its
     * bytes are being written). An empty queue takes any one message.
     */
    result push(outgoing_message message, bool front_in_flight);

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
    std::size_t const max_ticks_;
    // A list holds no memory while it is empty (libstdc++'s std::deque sets aside 576 bytes
    // even then), and most queues are empty.
    std::list<outgoing_message> messages_;
    std::size_t bytes_ = 0;  // the bytes of every message in messages_

    bool has_room_for(outgoing_message const& message, bool front_in_flight) const;
    bool drop_oldest_tick(bool front_in_flight);
};
