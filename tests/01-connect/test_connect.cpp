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
    EXPECT_EQ(res.status, 426) << (res.status == 0 ? "no answer: " + res.error : "body: " + res.body);
}

TEST(ServerStandalone, article_AcceptsTheUpgradeOnAnyPath)
{
    auto s = server::start(step, "server-standalone");
    ws_options options;
    options.path = "/any/path?x=1";
    auto c = ws_client::connect(s->port(), options);
    EXPECT_TRUE(c->result().upgraded) << "the handshake on " << options.path << ": " << describe(c->result());
}

TEST(ServerStandalone, spec_LogsThePeerAddressOfAConnection)
{
    auto s = server::start(step, "server-standalone");
    // The article prints the socket object itself; SPEC.md asks for the peer's address.
    auto c = ws_client::connect_or_throw(s->port());
    EXPECT_TRUE(s->wait_for_output("Connection received: 127.0.0.1"))
        << "expected 'Connection received: 127.0.0.1'; it printed: " << s->printed();
}

TEST(ServerStandalone, article_IgnoresMessagesButKeepsTheConnection)
{
    auto s = server::start(step, "server-standalone");
    auto c = ws_client::connect_or_throw(s->port());
    ASSERT_TRUE(c->send_text("hello"));
    EXPECT_FALSE(c->receive(300ms)) << "a connect-only server sends nothing back";
    EXPECT_TRUE(c->is_open()) << "the connection must stay open: " << c->state();
    EXPECT_TRUE(c->close()) << "the server must answer the closing handshake: " << c->state();
}

// --- server-http: cpp-httplib, HTTP only ----------------------------------------

namespace {

/** GET on a few paths (and a POST): each answered 200 `Hello World\n` as text/plain. */
void expect_hello_world(std::string const& program)
{
    auto s = server::start(step, program);
    for(std::string path : {"/", "/some/where", "/index.html?q=1"})
    {
        auto res = http_get(s->port(), path);
        EXPECT_EQ(res.status, 200) << path << (res.status == 0 ? ": no answer, " + res.error : "");
        EXPECT_EQ(res.body, "Hello World\n") << path;
        EXPECT_EQ(res.headers["content-type"].rfind("text/plain", 0), 0u)
            << path << ": Content-Type '" << res.headers["content-type"] << "'";
    }
    auto post = http_request(s->port(), "POST", "/form", "a=1");
    EXPECT_EQ(post.body, "Hello World\n") << "POST /form";
}

/** Each request logged as `Webserver received: <url>`. */
void expect_requests_logged(std::string const& program)
{
    auto s = server::start(step, program);
    for(std::string path : {"/", "/some/where", "/index.html?q=1"})
    {
        http_get(s->port(), path);
        EXPECT_TRUE(s->wait_for_output("Webserver received: " + path))
            << "expected 'Webserver received: " << path << "'; it printed: " << s->printed();
    }
}

}  // namespace

TEST(ServerHttp, article_AnswersHelloWorldOnAnyPath)
{
    expect_hello_world("server-http");
}

TEST(ServerHttp, article_LogsEachRequest)
{
    expect_requests_logged("server-http");
}

TEST(ServerHttp, article_IsNotAWebSocketServer)
{
    auto s = server::start(step, "server-http");
    auto c = ws_client::connect(s->port());
    EXPECT_FALSE(c->result().upgraded) << "an HTTP-only server must not upgrade";
    EXPECT_NE(c->result().status, 101);
}

// --- server-ws-http: HTTP and WebSocket on one port --------------------------------

TEST(ServerWsHttp, article_AnswersHelloWorldOnAnyPath)
{
    expect_hello_world("server-ws-http");
}

TEST(ServerWsHttp, article_LogsEachRequest)
{
    expect_requests_logged("server-ws-http");
}

TEST(ServerWsHttp, article_AcceptsWebSocketOnTheSamePort)
{
    auto s = server::start(step, "server-ws-http");
    auto c = ws_client::connect(s->port());
    EXPECT_TRUE(c->result().upgraded) << describe(c->result());
}

// --- server-express: JSON on every path, WebSocket on the same port ------------------

TEST(ServerExpress, article_AnswersJsonHelloOnAnyPath)
{
    auto s = server::start(step, "server-express");
    for(std::string path : {"/", "/api/anything"})
    {
        auto res = http_get(s->port(), path);
        EXPECT_EQ(res.status, 200) << path << (res.status == 0 ? ": no answer, " + res.error : "");
        EXPECT_EQ(res.body, R"({"msg":"hello"})") << path;
        EXPECT_EQ(res.headers["content-type"].rfind("application/json", 0), 0u)
            << path << ": Content-Type '" << res.headers["content-type"] << "'";
    }
}

TEST(ServerExpress, article_AcceptsWebSocketOnTheSamePort)
{
    auto s = server::start(step, "server-express");
    auto c = ws_client::connect(s->port());
    EXPECT_TRUE(c->result().upgraded) << describe(c->result());
}
