/**
 * @file
 * @brief Unit tests of 03-broadcast's bounded send queue (send_queue.hpp): the messages
 *        it refuses (its order and byte count are 02-echo's, tested there). No network here.
 */
#include "../../03-broadcast/send_queue.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace {

outgoing_message text(std::string s) { return {std::make_shared<std::string const>(std::move(s))}; }

}  // namespace

TEST(SendQueueUnit, kit_RefusesAMessageOverTheCapInBytesOrInMessages)
{
    send_queue by_bytes(10, 100);
    EXPECT_TRUE(by_bytes.push(text("12345")));
    EXPECT_TRUE(by_bytes.push(text("67890")));
    EXPECT_FALSE(by_bytes.push(text("x")));
    EXPECT_EQ(by_bytes.size(), 2u);

    send_queue by_count(1000, 2);
    EXPECT_TRUE(by_count.push(text("a")));
    EXPECT_TRUE(by_count.push(text("b")));
    EXPECT_FALSE(by_count.push(text("c")));
}

TEST(SendQueueUnit, kit_AnEmptyQueueTakesAnyOneMessage)
{
    send_queue queue(4, 1);
    EXPECT_TRUE(queue.push(text("larger than the cap")));
    EXPECT_FALSE(queue.push(text("y")));
}
