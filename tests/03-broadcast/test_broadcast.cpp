/**
 * @file
 * @brief Tests of 03-broadcast: client tracking and broadcast (SPEC.md,
 *        03-broadcast), with a send path that no client can stall.
 *
 * The broadcast itself is tested by the shared BroadcastRules (the later steps
 * keep them); this file adds what is this step's own: its HTTP answer and log lines.
 */
#include "broadcast_rules.hpp"
#include "client_files_rules.hpp"

using namespace harness;

namespace {
constexpr char step[] = "03-broadcast";
}

KIT_SERVER_RULES(Server, step, "server");
KIT_WEBSOCKET_RULES(Server, step, "server");
KIT_CLIENT_FILES_RULES(Server, step, "server", "broadcast");
KIT_BROADCAST_RULES(Server, step, "server");

TEST(Server, article_AnswersJsonHelloOnOtherPaths)
{
    auto s = server::start(step, "server");
    for(std::string path : {"/", "/api/anything"})
    {
        auto res = http_get(s->port(), path);
        EXPECT_EQ(res.status, 200) << path;
        EXPECT_EQ(res.body, R"({"msg":"hello"})") << path;
        EXPECT_EQ(res.headers["content-type"].rfind("application/json", 0), 0u) << path;
    }
}

TEST(Server, spec_LogsEveryHttpRequest)
{
    auto s = server::start(step, "server");
    for(std::string path : {"/", "/api/anything"})
    {
        ASSERT_EQ(http_get(s->port(), path).status, 200) << path;
        EXPECT_TRUE(s->wait_for_output("HTTP request on " + path + "\n")) << path << "\n" << s->printed();
    }
}

TEST(Server, article_LogsEachConnectionInTheArticlesWords)
{
    auto s = server::start(step, "server");
    auto a = ws_client::connect_or_throw(s->port());
    EXPECT_TRUE(s->wait_for_output("Connection received. Adding client.\n"))
        << "expected 'Connection received. Adding client.'; it printed: " << s->printed();
}

TEST(Server, spec_LogsABinaryMessageByItsSizeAndEveryClose)
{
    auto s = server::start(step, "server");
    auto a = ws_client::connect_or_throw(s->port());
    auto b = ws_client::connect_or_throw(s->port());
    ASSERT_TRUE(settled({a.get(), b.get()}));
    ASSERT_TRUE(a->send_binary(std::string(6, 'x')));
    ASSERT_TRUE(b->receive()) << "a's message did not reach b (" << b->state() << ")";
    EXPECT_TRUE(s->wait_for_output("6 bytes")) << s->printed();
    EXPECT_EQ(s->output().find("xxxxxx"), std::string::npos) << s->printed();
    ASSERT_TRUE(b->close(1000, "bye"));
    EXPECT_TRUE(s->wait_for_output("Closing connection: 1000 bye\n")) << s->printed();
}

TEST(Server, kit_LogsABinaryMessageInTheKitsWords)
{
    auto s = server::start(step, "server");
    auto a = ws_client::connect_or_throw(s->port());
    ASSERT_TRUE(a->send_binary(std::string(6, 'x')));
    EXPECT_TRUE(s->wait_for_output("Received: <6 bytes of binary data>\n")) << s->printed();
}

TEST(Server, spec_AClientWhoseQueueHoldsTooManyMessagesIsClosed)
{
    auto s = server::start(step, "server", {{"DBWEBB_LOG", "quiet"}, {"DBWEBB_SEND_QUEUE_MESSAGES", "4"}});
    auto stuck = ws_client::connect_or_throw(s->port());
    auto a = ws_client::connect_or_throw(s->port());
    // 25 MiB for a client that reads nothing: more than the kernel's buffers hold on
    // loopback, so more than four messages wait in its queue.
    for(int i = 0; i < 400; ++i)
        ASSERT_TRUE(a->send_binary(std::string(64 * 1024, 'z'))) << i;
    // Once the server answers a's ping it has read (and passed on) all 400 of a's messages,
    // so it has given up on the stuck client; when that one reads at last, it gets the close.
    a->ping();
    auto closed = stuck->wait_close(10000ms);
    ASSERT_TRUE(closed) << "a client whose queue overflows must be closed: " << stuck->state();
    EXPECT_TRUE(closed->code == 1008 || closed->code == 1013) << "expected 1008 or 1013: " << stuck->state();
}

TEST(Server, kit_SaysWhyItGivesUpOnAClientThatDoesNotKeepUp)
{
    auto s = server::start(step, "server", {{"DBWEBB_LOG", "quiet"}, {"DBWEBB_SEND_QUEUE_MESSAGES", "4"}});
    auto stuck = ws_client::connect_or_throw(s->port());
    auto a = ws_client::connect_or_throw(s->port());
    // Big messages fill the stuck client's TCP buffers, then its four places in the queue.
    for(int i = 0; i < 600 && s->count_output("Send queue full") == 0; ++i)
        ASSERT_TRUE(a->send_binary(std::string(64 * 1024, 'z'))) << i;
    EXPECT_TRUE(s->wait_for_output("Send queue full")) << s->printed();
    auto closed = stuck->wait_close(10000ms);
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->code, 1008);
    EXPECT_EQ(closed->reason, "send queue full");
    EXPECT_TRUE(s->wait_for_output("Closing connection: 1008")) << s->printed();
}
