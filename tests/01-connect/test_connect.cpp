/**
 * @file
 * @brief Tests of 01-connect: four servers that only connect (SPEC.md, 01-connect).
 */
#include "rules.hpp"

using namespace harness;

namespace {
constexpr char step[] = "01-connect";
}

// The rules every server follows, for each of the four programs.
KIT_SERVER_RULES(ServerStandalone, step, "server-standalone");
KIT_SERVER_RULES(ServerHttp, step, "server-http");
KIT_SERVER_RULES(ServerWsHttp, step, "server-ws-http");
KIT_SERVER_RULES(ServerExpress, step, "server-express");

// The WebSocket rules, for the three that speak WebSocket.
KIT_WEBSOCKET_RULES(ServerStandalone, step, "server-standalone");
KIT_WEBSOCKET_RULES(ServerWsHttp, step, "server-ws-http");
KIT_WEBSOCKET_RULES(ServerExpress, step, "server-express");

// --- server-standalone: WebSocket only ------------------------------------------

TEST(ServerStandalone, article_PlainHttpGets426UpgradeRequired)
{
    auto s = server::start(step, "server-standalone");
    auto res = http_get(s->port(), "/");
    EXPECT_EQ(res.status, 426);
}

TEST(ServerStandalone, article_AcceptsTheUpgradeOnAnyPathAndLogsIt)
{
    auto s = server::start(step, "server-standalone");
    ws_options options;
    options.path = "/any/path?x=1";
    auto c = ws_client::connect(s->port(), options);
    EXPECT_TRUE(c->result().upgraded) << c->result().error;
    // The article prints the socket object itself; SPEC.md asks for the peer's address.
    EXPECT_TRUE(s->wait_for_output("Connection received"));
}

TEST(ServerStandalone, spec_LogsThePeerAddressOfAConnection)
{
    auto s = server::start(step, "server-standalone");
    auto c = ws_client::connect_or_throw(s->port());
    EXPECT_TRUE(s->wait_for_output("Connection received: 127.0.0.1")) << s->output();
}

TEST(ServerStandalone, article_IgnoresMessagesButKeepsTheConnection)
{
    auto s = server::start(step, "server-standalone");
    auto c = ws_client::connect_or_throw(s->port());
    ASSERT_TRUE(c->send_text("hello"));
    EXPECT_FALSE(c->receive(300ms)) << "a connect-only server sends nothing back";
    EXPECT_TRUE(c->is_open());
    EXPECT_TRUE(c->close());
}

// --- server-http: cpp-httplib, HTTP only ----------------------------------------

TEST(ServerHttp, article_AnswersHelloWorldOnAnyPathAndLogsIt)
{
    auto s = server::start(step, "server-http");
    for(std::string path : {"/", "/some/where", "/index.html?q=1"})
    {
        auto res = http_get(s->port(), path);
        EXPECT_EQ(res.status, 200) << path;
        EXPECT_EQ(res.body, "Hello World\n") << path;
        EXPECT_EQ(res.headers["content-type"].rfind("text/plain", 0), 0u) << path;
        EXPECT_TRUE(s->wait_for_output("Webserver received: " + path)) << path;
    }
    auto post = http_request(s->port(), "POST", "/form", "a=1");
    EXPECT_EQ(post.body, "Hello World\n");
}

TEST(ServerHttp, article_IsNotAWebSocketServer)
{
    auto s = server::start(step, "server-http");
    auto c = ws_client::connect(s->port());
    EXPECT_FALSE(c->result().upgraded);
    EXPECT_NE(c->result().status, 101);
}

// --- server-ws-http: HTTP and WebSocket on one port --------------------------------

TEST(ServerWsHttp, article_AnswersHelloWorldAndAcceptsWebSocketOnTheSamePort)
{
    auto s = server::start(step, "server-ws-http");
    auto res = http_get(s->port(), "/hello");
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.body, "Hello World\n");
    EXPECT_EQ(res.headers["content-type"].rfind("text/plain", 0), 0u);
    EXPECT_TRUE(s->wait_for_output("Webserver received: /hello"));
    auto c = ws_client::connect(s->port());
    EXPECT_TRUE(c->result().upgraded) << c->result().error;
}

// --- server-express: JSON on every path, WebSocket on the same port ------------------

TEST(ServerExpress, article_AnswersJsonHelloOnAnyPath)
{
    auto s = server::start(step, "server-express");
    for(std::string path : {"/", "/api/anything"})
    {
        auto res = http_get(s->port(), path);
        EXPECT_EQ(res.status, 200) << path;
        EXPECT_EQ(res.body, R"({"msg":"hello"})") << path;
        EXPECT_EQ(res.headers["content-type"].rfind("application/json", 0), 0u) << path;
    }
}

TEST(ServerExpress, article_AcceptsWebSocketOnTheSamePortAndLogsConnectionReceived)
{
    auto s = server::start(step, "server-express");
    auto c = ws_client::connect(s->port());
    EXPECT_TRUE(c->result().upgraded) << c->result().error;
    EXPECT_TRUE(s->wait_for_output("Connection received.\n"));
}
