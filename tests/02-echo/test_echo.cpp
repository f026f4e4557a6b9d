/**
 * @file
 * @brief Tests of 02-echo: every message comes back to its sender, unchanged,
 *        same frame type, in order (SPEC.md, 02-echo), for both programs.
 */
#include "client_files_rules.hpp"

#include <csignal>
#include <regex>

using namespace harness;

namespace {
constexpr char step[] = "02-echo";
}

// The rules every server follows, for both programs.
KIT_SERVER_RULES(Server, step, "server");
KIT_SERVER_RULES(ServerExpress, step, "server-express");
KIT_WEBSOCKET_RULES(Server, step, "server");
KIT_WEBSOCKET_RULES(ServerExpress, step, "server-express");
KIT_CLIENT_FILES_RULES(Server, step, "server", "echo");
KIT_CLIENT_FILES_RULES(ServerExpress, step, "server-express", "echo");

/** The echo, the same for both programs. */
class Echo : public testing::TestWithParam<program_ref>
{
};

INSTANTIATE_TEST_SUITE_P(Server, Echo, testing::Values(program_ref{step, "server"}));
INSTANTIATE_TEST_SUITE_P(ServerExpress, Echo, testing::Values(program_ref{step, "server-express"}));

namespace {

/** @p n bytes that are not all alike, so that a swapped or cut message shows. */
std::string pattern(std::size_t n, char seed)
{
    std::string data(n, '\0');
    for(std::size_t i = 0; i < n; ++i)
        data[i] = static_cast<char>(seed + i * 7 % 251);
    return data;
}

/** A WebSocket opened by hand on a plain socket: it sends what the test says and never reads. */
std::unique_ptr<raw_socket> open_raw_websocket(std::uint16_t port)
{
    auto socket = std::make_unique<raw_socket>(port);
    EXPECT_TRUE(socket->send(handshake_request("/")));
    EXPECT_EQ(status_of(socket->read_until("\r\n\r\n")), 101);
    return socket;
}

/**
 * Sends 8 KiB binary messages on @p socket until the server stops taking them, or @p limit
 * bytes went out. Stopped means nothing went out for three seconds in a row (or the server
 * closed the connection, when every send fails at once): on a busy machine a server that
 * reads everything can still stall for a second.
 * @return the bytes that went out.
 */
std::size_t flood_until_stuck(raw_socket& socket, std::size_t limit)
{
    std::string batch;
    for(int i = 0; i < 64; ++i)
        batch += client_frame(0x2, pattern(8192, static_cast<char>(i)));
    std::size_t sent = 0;
    std::size_t at = 0;  // where in the batch the last send stopped: frames stay whole
    int idle_seconds = 0;
    while(sent < limit && idle_seconds < 3)
    {
        std::size_t const n = socket.send_part(std::string_view(batch).substr(at), 1000ms);
        idle_seconds = n == 0 ? idle_seconds + 1 : 0;
        sent += n;
        at = (at + n) % batch.size();
    }
    return sent;
}

}  // namespace

namespace {

/** Receives the echo of one message on @p c and checks it is @p sent, of the same frame type. */
void expect_echo(ws_client& c, std::string const& sent, bool binary)
{
    auto echo = c.receive();
    ASSERT_TRUE(echo) << "no echo of '" << sent.substr(0, 40) << "' (" << c.state() << ")";
    EXPECT_EQ(echo->binary, binary) << (binary ? "binary must come back as binary" : "text must come back as text");
    EXPECT_EQ(echo->data, sent);
}

}  // namespace

TEST_P(Echo, article_TextComesBackUnchanged)
{
    auto s = GetParam().start();
    auto c = ws_client::connect_or_throw(s->port());
    ASSERT_TRUE(c->send_text(" Hello, echo! åäö  "));
    ASSERT_TRUE(c->send_text(""));
    expect_echo(*c, " Hello, echo! åäö  ", false);
    expect_echo(*c, "", false);
}

TEST_P(Echo, spec_BinaryComesBackAsBinary)
{
    // The article sends only text; SPEC.md keeps each message's frame type.
    auto s = GetParam().start();
    auto c = ws_client::connect_or_throw(s->port());
    std::string const bytes("\x00\x01\xfe\xff binary", 11);
    ASSERT_TRUE(c->send_binary(bytes));
    ASSERT_TRUE(c->send_binary(""));
    expect_echo(*c, bytes, true);
    expect_echo(*c, "", true);
}

TEST_P(Echo, article_LogsWhatItReceived)
{
    auto s = GetParam().start();
    auto c = ws_client::connect_or_throw(s->port());
    ASSERT_TRUE(c->send_text("hello there"));
    EXPECT_TRUE(s->wait_for_output("Received: hello there\n"))
        << "expected 'Received: hello there'; it printed: " << s->printed();
}

TEST_P(Echo, article_LogsHowTheConnectionClosed)
{
    auto s = GetParam().start();
    auto c = ws_client::connect_or_throw(s->port());
    ASSERT_TRUE(c->close(1000, "bye")) << "the server must answer the closing handshake: " << c->state();
    EXPECT_TRUE(s->wait_for_output("Closing connection: 1000 bye\n"))
        << "expected 'Closing connection: 1000 bye'; it printed: " << s->printed();
}

TEST_P(Echo, spec_LogsABinaryMessageByItsSize)
{
    auto s = GetParam().start();
    auto c = ws_client::connect_or_throw(s->port());
    ASSERT_TRUE(c->send_binary(std::string(6, 'x')));
    // A binary message is logged by its size, not its bytes.
    EXPECT_TRUE(s->wait_for_output("6 bytes")) << "expected a line with '6 bytes'; it printed: " << s->printed();
    EXPECT_EQ(s->output().find("xxxxxx"), std::string::npos) << "the bytes themselves were logged: " << s->printed();
}

TEST_P(Echo, article_AnswersOnlyTheSender)
{
    auto s = GetParam().start();
    auto a = ws_client::connect_or_throw(s->port());
    auto b = ws_client::connect_or_throw(s->port());
    ASSERT_TRUE(a->send_text("for a only"));
    expect_echo(*a, "for a only", false);
    // a's echo is done; if b had been sent a copy, it would come before b's own echo.
    ASSERT_TRUE(b->send_text("b's own"));
    auto first = b->receive();
    ASSERT_TRUE(first) << "no echo for b (" << b->state() << ")";
    EXPECT_EQ(first->data, "b's own") << "b got a message before its own echo: a's?";
}

namespace {

/** 200 messages sent before the first is read (many in flight at once) come back in order;
 *  with @p mixed, every other one is binary and must stay binary. */
void expect_order_of_200(program_ref const& p, bool mixed)
{
    auto s = p.start({{"DBWEBB_LOG", "quiet"}});
    auto c = ws_client::connect_or_throw(s->port());
    for(int i = 0; i < 200; ++i)
    {
        std::string const body = "message " + std::to_string(i);
        ASSERT_TRUE(mixed && i % 2 == 1 ? c->send_binary(body) : c->send_text(body)) << i;
    }
    for(int i = 0; i < 200; ++i)
    {
        auto m = c->receive();
        ASSERT_TRUE(m) << "message " << i << " did not come back (" << c->state() << ")";
        EXPECT_EQ(m->data, "message " + std::to_string(i)) << "out of order";
        EXPECT_EQ(m->binary, mixed && i % 2 == 1) << i << ": the frame type changed";
    }
}

}  // namespace

TEST_P(Echo, article_KeepsTheOrderOf200Messages)
{
    expect_order_of_200(GetParam(), /*mixed=*/false);
}

TEST_P(Echo, spec_KeepsTheOrderOf200MessagesOfBothTypes)
{
    expect_order_of_200(GetParam(), /*mixed=*/true);
}

TEST_P(Echo, spec_EchoesAMessageOfExactlyTheLimitAndClosesOneByteOver)
{
    auto s = GetParam().start({{"DBWEBB_MAX_MESSAGE", "65536"}, {"DBWEBB_LOG", "quiet"}});
    auto c = ws_client::connect_or_throw(s->port());
    std::string const at_limit = pattern(65536, 'a');
    ASSERT_TRUE(c->send_binary(at_limit));
    expect_echo(*c, at_limit, true);
    // The server may close before the whole message is out, so the send itself may fail.
    c->send_binary(pattern(65537, 'b'));
    auto closed = c->wait_close();
    ASSERT_TRUE(closed) << "one byte over DBWEBB_MAX_MESSAGE must close the connection: " << c->state();
    EXPECT_EQ(closed->code, 1009) << c->state();
    // Others are not affected.
    auto next = ws_client::connect_or_throw(s->port());
    ASSERT_TRUE(next->send_text("still here"));
    expect_echo(*next, "still here", false);
}

TEST_P(Echo, spec_EchoesAOneMebibyteMessageUnderTheDefaultLimit)
{
    auto s = GetParam().start({{"DBWEBB_LOG", "quiet"}});
    auto c = ws_client::connect_or_throw(s->port());
    std::string const big = pattern(1024 * 1024, 'm');
    ASSERT_TRUE(c->send_binary(big));
    auto echo = c->receive();
    ASSERT_TRUE(echo) << "no echo of 1 MiB (" << c->state() << ")";
    EXPECT_EQ(echo->data.size(), big.size());
    EXPECT_TRUE(echo->data == big) << "the echo differs from what was sent";
}

TEST_P(Echo, spec_PutsAFragmentedMessageTogether)
{
    auto s = GetParam().start({{"DBWEBB_LOG", "quiet"}});
    auto c = ws_client::connect_or_throw(s->port());
    std::string const data = pattern(10000, 'f');
    ASSERT_TRUE(c->send_fragmented(data, /*binary=*/true, 999));
    expect_echo(*c, data, true);
    // A two-byte character cut between two fragments is still one valid text message.
    std::string const text = "fragment: \xc3\xa5\xc3\xa4\xc3\xb6";
    ASSERT_TRUE(c->send_fragmented(text, /*binary=*/false, 11));
    expect_echo(*c, text, false);
}

TEST_P(Echo, spec_AFragmentedMessageOverTheLimitClosesWith1009)
{
    auto s = GetParam().start({{"DBWEBB_MAX_MESSAGE", "4096"}});
    auto c = ws_client::connect_or_throw(s->port());
    // Every fragment is small; together they are over the limit.
    c->send_fragmented(std::string(5000, 'x'), /*binary=*/false, 1000);
    auto closed = c->wait_close();
    ASSERT_TRUE(closed) << "fragments over DBWEBB_MAX_MESSAGE together must close the connection: " << c->state();
    EXPECT_EQ(closed->code, 1009) << c->state();
}

TEST_P(Echo, spec_InvalidUtf8ClosesWith1007AndIsNeitherEchoedNorLoggedAsReceived)
{
    auto s = GetParam().start();
    auto c = ws_client::connect_or_throw(s->port());
    ASSERT_TRUE(c->send_raw_text("bad \xff byte"));
    auto closed = c->wait_close();
    ASSERT_TRUE(closed) << "invalid UTF-8 must close the connection: " << c->state();
    EXPECT_EQ(closed->code, 1007) << c->state();
    for(auto const& m : c->drain())
        EXPECT_EQ(m.data.find("bad "), std::string::npos) << "an invalid message is not echoed";
    EXPECT_EQ(s->output().find("Received: bad"), std::string::npos) << "nor logged as received: " << s->printed();
}

TEST_P(Echo, kit_LogsTheCloseCodeItSentForInvalidUtf8)
{
    auto s = GetParam().start();
    auto c = ws_client::connect_or_throw(s->port());
    ASSERT_TRUE(c->send_raw_text("bad \xff byte"));
    ASSERT_TRUE(c->wait_close()) << c->state();
    EXPECT_TRUE(s->wait_for_output("Closing connection: 1007")) << s->printed();
}

namespace {

/** A client that echoes once and then vanishes without a close frame, as a closed laptop does. */
void vanish(server const& s)
{
    auto gone = ws_client::connect_or_throw(s.port());
    ASSERT_TRUE(gone->send_text("about to vanish"));
    gone->receive();
    gone->drop();
}

}  // namespace

TEST_P(Echo, article_GoesOnAfterAClientVanishes)
{
    auto s = GetParam().start();
    vanish(*s);
    auto next = ws_client::connect_or_throw(s->port());
    ASSERT_TRUE(next->send_text("next"));
    expect_echo(*next, "next", false);
}

TEST_P(Echo, article_LogsAVanishedClientAs1006)
{
    auto s = GetParam().start();
    vanish(*s);
    EXPECT_TRUE(s->wait_for_output("Closing connection: 1006"))
        << "expected 'Closing connection: 1006'; it printed: " << s->printed();
}

TEST_P(Echo, spec_QuietModeDropsTheReceivedLinesOnly)
{
    auto s = GetParam().start({{"DBWEBB_LOG", "quiet"}});
    auto c = ws_client::connect_or_throw(s->port());
    ASSERT_TRUE(c->send_text("not logged"));
    expect_echo(*c, "not logged", false);
    ASSERT_TRUE(c->close(1000, "done"));
    EXPECT_TRUE(s->wait_for_output("Closing connection: 1000 done"));
    EXPECT_TRUE(s->wait_for_output("Connection received"));
    // Whatever words a log line would use, the message itself must not be in the output.
    EXPECT_EQ(s->output().find("not logged"), std::string::npos) << s->printed();
    EXPECT_EQ(s->output().find("Received:"), std::string::npos) << s->printed();
}

TEST_P(Echo, spec_AFloodingClientThatNeverReadsIsHeldBackAndTheOthersAreAnswered)
{
    // A small send queue; the client sends 8 KiB messages and never reads its echoes.
    auto s = GetParam().start({{"DBWEBB_LOG", "quiet"}, {"DBWEBB_SEND_QUEUE_BYTES", "65536"}});
    auto other = ws_client::connect_or_throw(s->port());
    auto flood = open_raw_websocket(s->port());
    // Once its queue is full, the server stops reading this client (or closes it), so the
    // client's sends stop going out. Without a bound the server would take all 64 MiB.
    std::size_t const sent = flood_until_stuck(*flood, 64u * 1024 * 1024);
    EXPECT_LT(sent, 64u * 1024 * 1024) << "the server kept reading a client that never reads";
    // Meanwhile every other client is answered at once.
    for(int i = 0; i < 20; ++i)
    {
        ASSERT_TRUE(other->send_text("ping " + std::to_string(i)));
        expect_echo(*other, "ping " + std::to_string(i), false);
    }
}

TEST_P(Echo, kit_AFloodingClientThatNeverReadsCostsBoundedMemory)
{
    auto s = GetParam().start({{"DBWEBB_LOG", "quiet"}, {"DBWEBB_SEND_QUEUE_BYTES", "65536"}});
    long const before = s->resident_kib();
    auto flood = open_raw_websocket(s->port());
    // Backpressure: the kit stops reading a client whose queue is full, so what it holds
    // stays near the queue's cap and the kernel's buffers.
    flood_until_stuck(*flood, 64u * 1024 * 1024);
    long const after = s->resident_kib();
    EXPECT_LT(after - before, 32 * 1024) << "resident memory grew from " << before << " to "
                                         << after << " KiB";
}

TEST_P(Echo, spec_SigtermWhileAWriteIsStuckStillClosesTheOthersAndExitsZero)
{
    auto s = GetParam().start({{"DBWEBB_LOG", "quiet"}, {"DBWEBB_SEND_QUEUE_BYTES", "65536"}});
    auto other = ws_client::connect_or_throw(s->port());
    auto stuck = open_raw_websocket(s->port());
    flood_until_stuck(*stuck, 64u * 1024 * 1024);
    // The server's write to `stuck` cannot finish now. Its close frame must wait behind
    // that write, and the server must neither wait for it nor crash (a second write on
    // the stream would trip Beast's assertion in a Debug build: SIGABRT).
    s->send_signal(SIGTERM);
    auto closed = other->wait_close(2000ms);
    ASSERT_TRUE(closed) << "the other client must be closed within 2 s of SIGTERM";
    EXPECT_EQ(closed->code, 1001) << "expected 1001 (going away): " << other->state();
    auto ended = s->wait_exit(2000ms);
    ASSERT_TRUE(ended) << "the server must exit within 2 s of SIGTERM";
    EXPECT_TRUE(ended->exited) << "ended by signal " << ended->signal;
    EXPECT_EQ(ended->status, 0) << "SIGTERM is a normal stop: exit status 0";
}

// --- what each program answers on plain HTTP ----------------------------------

TEST(Server, article_AnswersHelloWorldOnOtherPaths)
{
    auto s = server::start(step, "server");
    for(std::string path : {"/", "/echo", "/clientsX"})
    {
        auto res = http_get(s->port(), path);
        EXPECT_EQ(res.status, 200) << path << (res.status == 0 ? ": no answer, " + res.error : "");
        EXPECT_EQ(res.body, "Hello World\n") << path;
        EXPECT_EQ(res.headers["content-type"].rfind("text/plain", 0), 0u)
            << path << ": Content-Type '" << res.headers["content-type"] << "'";
    }
}

TEST(Server, article_LogsEachHttpRequest)
{
    auto s = server::start(step, "server");
    for(std::string path : {"/", "/echo"})
    {
        http_get(s->port(), path);
        EXPECT_TRUE(s->wait_for_output("Webserver received: " + path + "\n"))
            << "expected 'Webserver received: " << path << "'; it printed: " << s->printed();
    }
}

TEST(Server, spec_APostUnderClientsGoesToTheApp)
{
    // Only GET and HEAD read files: a POST to /clients/ gets the server's own answer.
    auto s = server::start(step, "server");
    auto post = http_request(s->port(), "POST", "/clients/index.html", "x=1");
    EXPECT_EQ(post.body, "Hello World\n");
}

TEST(ServerExpress, article_AnswersJsonHelloOnOtherPaths)
{
    auto s = server::start(step, "server-express");
    for(std::string path : {"/", "/api/anything", "/clientsX"})
    {
        auto res = http_get(s->port(), path);
        EXPECT_EQ(res.status, 200) << path << (res.status == 0 ? ": no answer, " + res.error : "");
        EXPECT_EQ(res.body, R"({"msg":"hello"})") << path;
        EXPECT_EQ(res.headers["content-type"].rfind("application/json", 0), 0u)
            << path << ": Content-Type '" << res.headers["content-type"] << "'";
    }
}

TEST(ServerExpress, spec_LogsEveryHttpRequest)
{
    auto s = server::start(step, "server-express");
    for(std::string path : {"/", "/api/anything"})
    {
        ASSERT_EQ(http_get(s->port(), path).status, 200) << path;
        EXPECT_TRUE(s->wait_for_output("HTTP request on " + path + "\n")) << path << "\n" << s->printed();
    }
}

TEST(ServerExpress, spec_APostUnderClientsGoesToTheApp)
{
    auto s = server::start(step, "server-express");
    auto post = http_request(s->port(), "POST", "/clients/index.html", "x=1");
    EXPECT_EQ(post.body, R"({"msg":"hello"})");
}
