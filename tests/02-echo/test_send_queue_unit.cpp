/**
 * @file
 * @brief Unit tests of 02-echo's bounded send queue (send_queue.hpp): order, the
 *        byte count, and when it is full. No network here.
 */
#include "../../02-echo/send_queue.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace {

outgoing_message text(std::string s) { return {std::make_shared<std::string const>(std::move(s))}; }

}  // namespace

TEST(SendQueueUnit, kit_KeepsTheOrderAndCountsTheBytes)
{
    send_queue queue(100, 10);
    EXPECT_TRUE(queue.empty());
    EXPECT_TRUE(queue.push(text("one")));
    EXPECT_TRUE(queue.push(text("three")));
    EXPECT_EQ(queue.size(), 2u);
    EXPECT_EQ(queue.bytes(), 8u);
    EXPECT_EQ(*queue.front().data, "one");
    queue.pop();
    EXPECT_EQ(*queue.front().data, "three");
    EXPECT_EQ(queue.bytes(), 5u);
}

TEST(SendQueueUnit, kit_IsFullAtTheCapInBytesOrInMessages)
{
    send_queue by_bytes(10, 100);
    by_bytes.push(text("12345"));
    EXPECT_FALSE(by_bytes.full());
    by_bytes.push(text("67890"));
    EXPECT_TRUE(by_bytes.full());
    by_bytes.pop();
    EXPECT_FALSE(by_bytes.full());

    send_queue by_count(1000, 2);
    by_count.push(text("a"));
    EXPECT_FALSE(by_count.full());
    by_count.push(text("b"));
    EXPECT_TRUE(by_count.full());
}

TEST(SendQueueUnit, kit_DropsAllButTheMessageBeingWritten)
{
    send_queue queue(100, 10);
    queue.push(text("written"));
    queue.push(text("later"));
    queue.push(text("last"));
    queue.drop_all_but(1);
    EXPECT_EQ(queue.size(), 1u);
    EXPECT_EQ(queue.bytes(), 7u);
    EXPECT_EQ(*queue.front().data, "written");
}
