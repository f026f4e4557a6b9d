/**
 * @file
 * @brief The rules of SPEC.md's table "What every step server does", as tests.
 */
#include "rules.hpp"

#include <algorithm>
#include <csignal>
#include <random>
#include <regex>

using namespace harness;

testing::AssertionResult harness::settled(std::vector<ws_client*> const& clients,
                                          std::vector<std::vector<message>>* skipped)
{
    if(skipped != nullptr)
        skipped->assign(clients.size(), {});
    if(clients.size() < 2)
        return testing::AssertionSuccess();
    static std::mt19937 random(std::random_device{}());
    std::string const tag = "settle " + std::to_string(random() % 1000000) + " from client ";
    std::vector<std::size_t> const senders{0, clients.size() - 1};
    for(std::size_t sender : senders)
        if(!clients[sender]->send_text(tag + std::to_string(sender + 1)))
            return testing::AssertionFailure() << "client " << sender + 1 << " could not send ("
                                               << clients[sender]->state() << ")";
    for(std::size_t c = 0; c < clients.size(); ++c)
    {
        // The markers this client waits for arrive in any order (they come from two senders).
        std::vector<std::string> missing;
        for(std::size_t sender : senders)
            if(sender != c)
                missing.push_back(tag + std::to_string(sender + 1));
        while(!missing.empty())
        {
            auto const m = clients[c]->receive();
            if(!m)
                return testing::AssertionFailure()
                       << "client " << c + 1 << " of " << clients.size() << " never got the message '"
                       << missing.front() << "' that another client sent (" << clients[c]->state()
                       << "): a broadcast server passes every message on to the other clients";
            auto const found = std::find_if(missing.begin(), missing.end(), [&](std::string const& marker) {
                return !m->binary && m->data.find(marker) != std::string::npos;
            });
            if(found != missing.end())
                missing.erase(found);
            else if(skipped != nullptr)
                (*skipped)[c].push_back(*m);
        }
    }
    return testing::AssertionSuccess();
}

// --- every server ------------------------------------------------------------

TEST_P(ServerRules, article_PrintsTheReadyLineWithTheGivenPortAndListensOnIt)
{
    // The harness gives a free port in DBWEBB_PORT, as a student types DBWEBB_PORT=8080; the
    // other tests take a server as ready once that port accepts, so only this one reads the line.
    auto s = GetParam().start();
    std::string const line = "Server is listening on " + std::to_string(s->given_port());
    EXPECT_TRUE(s->wait_for_output(line + "\n"))
        << "expected the line '" << line << "' on stdout; it printed: " << s->printed();
    EXPECT_NO_THROW(raw_socket probe(s->given_port()));
}

TEST_P(ServerRules, kit_PortZeroPrintsThePortTheSystemChose)
{
    auto s = GetParam().start({{"DBWEBB_PORT", "0"}});
    EXPECT_NE(s->port(), 0) << "DBWEBB_PORT=0 must print the port the kernel chose";
    EXPECT_NO_THROW(raw_socket probe(s->port()));
}

TEST_P(ServerRules, spec_PortInUseGivesOneClearLineAndNonZeroExit)
{
    auto first = GetParam().start();
    auto second = GetParam().launch({{"DBWEBB_PORT", std::to_string(first->port())}});
    auto ended = second->wait_exit();
    ASSERT_TRUE(ended) << "a server whose port is taken must exit, not hang";
    EXPECT_TRUE(ended->exited) << "it must exit by itself, not by signal " << ended->signal;
    EXPECT_NE(ended->status, 0) << "a bad start ends with a status that is not 0";
    std::string const errors = second->errors();
    EXPECT_NE(errors.find(std::to_string(first->port())), std::string::npos)
        << "stderr should name the port: " << errors;
    EXPECT_LE(std::count(errors.begin(), errors.end(), '\n'), 1) << "one line, not a stack trace: " << errors;
    EXPECT_EQ(second->output().find("Server is listening"), std::string::npos)
        << "a server that could not listen must not say it does: " << second->printed();
    // The first server is unharmed.
    EXPECT_NO_THROW(raw_socket probe(first->port()));
}

TEST_P(ServerRules, spec_BadPortValueIsRefusedAtStart)
{
    auto s = GetParam().launch({{"DBWEBB_PORT", "http"}});
    auto ended = s->wait_exit();
    ASSERT_TRUE(ended) << "DBWEBB_PORT=http must stop the server at start; it still runs. Its output: " << s->printed();
    EXPECT_NE(ended->status, 0) << "a bad start ends with a status that is not 0";
    EXPECT_NE(s->errors().find("DBWEBB_PORT"), std::string::npos)
        << "stderr should name the setting DBWEBB_PORT; it printed: " << s->printed_errors();
}

TEST_P(ServerRules, spec_SigtermExitsWithStatusZeroWithinTwoSeconds)
{
    auto s = GetParam().start();
    auto ended = s->stop();
    EXPECT_TRUE(ended.exited) << (ended.signal != 0 ? "it was ended by signal " + std::to_string(ended.signal)
                                                    : std::string("it did not exit within 5 s of SIGTERM"));
    EXPECT_EQ(ended.status, 0) << "SIGTERM is a normal stop: exit status 0";
    EXPECT_LT(ended.took, 2000ms) << "it took " << ended.took.count() << " ms to exit";
}

TEST_P(ServerRules, spec_SigintExitsWithStatusZero)
{
    auto s = GetParam().start();
    s->send_signal(SIGINT);
    auto ended = s->wait_exit(2000ms);
    ASSERT_TRUE(ended) << "Ctrl-C must stop the server within 2 s";
    EXPECT_TRUE(ended->exited) << "it was ended by signal " << ended->signal << ", it did not exit";
    EXPECT_EQ(ended->status, 0) << "Ctrl-C is a normal stop: exit status 0";
}

TEST_P(ServerRules, spec_DropsAClientThatNeverFinishesItsRequest)
{
    auto s = GetParam().start({{"DBWEBB_HANDSHAKE_TIMEOUT_MS", "300"}});
    raw_socket silent(s->port());
    raw_socket partial(s->port());
    ASSERT_TRUE(partial.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"));  // no blank line: unfinished
    EXPECT_TRUE(silent.wait_peer_close()) << "a silent connection must be dropped";
    EXPECT_TRUE(partial.wait_peer_close()) << "an unfinished request must be dropped";
    // The server still serves others.
    EXPECT_NO_THROW(raw_socket probe(s->port()));
}

TEST_P(ServerRules, spec_MalformedHttpGetsA4xxAndTheServerGoesOn)
{
    auto s = GetParam().start();
    {
        raw_socket garbage(s->port());
        ASSERT_TRUE(garbage.send("HELLO THERE\r\n\r\n"));
        std::string const answer = garbage.read_until("\r\n\r\n");
        int const status = status_of(answer);
        EXPECT_TRUE(status >= 400 && status < 500) << "a 4xx (400 Bad Request) is the answer: " << answer;
    }
    auto res = http_get(s->port(), "/");
    EXPECT_NE(res.status, 0) << "the server must still answer after a malformed request: " << res.error;
}

// --- every WebSocket server ----------------------------------------------------

TEST_P(WebSocketRules, article_AcceptsTheUpgradeWith101)
{
    auto s = GetParam().start();
    auto c = GetParam().connect(*s);
    ASSERT_TRUE(c->result().upgraded) << "the handshake failed: " << describe(c->result());
    EXPECT_EQ(c->result().status, 101);
}

TEST_P(WebSocketRules, article_LogsEachConnection)
{
    auto s = GetParam().start();
    auto c = GetParam().connect_or_throw(*s);
    EXPECT_TRUE(s->wait_for_output("Connection received"))
        << "expected a line 'Connection received…' on stdout; it printed: " << s->printed();
}

TEST_P(WebSocketRules, article_ClosesCleanlyWhenTheClientCloses)
{
    auto s = GetParam().start();
    auto c = GetParam().connect_or_throw(*s);
    EXPECT_TRUE(c->close(1000, "bye")) << "the server must answer the closing handshake";
}

/** One bad handshake: what is wrong, and the request that carries it. */
struct bad_handshake
{
    char const* what;
    std::string request;
};

TEST_P(WebSocketRules, spec_RefusesEveryBadHandshakeWithA4xx)
{
    auto s = GetParam().start();
    bad_handshake const cases[] = {
        {"missing key", handshake_request("/", {{"Sec-WebSocket-Key", ""}})},
        {"key not base64", handshake_request("/", {{"Sec-WebSocket-Key", "not*a*key*at*all*here=="}})},
        {"key of 15 bytes", handshake_request("/", {{"Sec-WebSocket-Key", "AAAAAAAAAAAAAAAAAAAA"}})},
        {"key of 17 bytes", handshake_request("/", {{"Sec-WebSocket-Key", "AAAAAAAAAAAAAAAAAAAAAAA="}})},
        {"key with padding inside", handshake_request("/", {{"Sec-WebSocket-Key", "AAAAAAAAAAAAAAAAAAAA=A=="}})},
        {"version 12", handshake_request("/", {{"Sec-WebSocket-Version", "12"}})},
        {"no version", handshake_request("/", {{"Sec-WebSocket-Version", ""}})},
        {"POST", handshake_request("/", {}, "POST")},
    };
    for(auto const& bad : cases)
    {
        raw_socket socket(s->port());
        ASSERT_TRUE(socket.send(bad.request));
        std::string const answer = socket.read_until("\r\n\r\n");
        int const status = status_of(answer);
        EXPECT_GE(status, 400) << bad.what << ": " << answer;
        EXPECT_LT(status, 500) << bad.what << ": " << answer;
    }
    // And a good one still works afterwards.
    raw_socket good(s->port());
    ASSERT_TRUE(good.send(handshake_request("/")));
    std::string const answer = good.read_until("\r\n\r\n");
    EXPECT_EQ(status_of(answer), 101) << answer;
    // RFC 6455's example key has a known answer.
    EXPECT_NE(answer.find("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), std::string::npos) << answer;
}

TEST_P(WebSocketRules, spec_NeverUpgradesARequestWithoutUpgradeHeaders)
{
    // Without `Connection: Upgrade` or `Upgrade: websocket` a request is no handshake at all:
    // a server with an HTTP side may answer it as plain HTTP, but must never upgrade it.
    auto s = GetParam().start();
    for(auto const& [what, request] : {
            std::pair<char const*, std::string>{"no Connection: Upgrade", handshake_request("/", {{"Connection", "keep-alive"}})},
            {"no Upgrade: websocket", handshake_request("/", {{"Upgrade", ""}})},
        })
    {
        raw_socket socket(s->port());
        ASSERT_TRUE(socket.send(request));
        std::string const answer = socket.read_until("\r\n\r\n");
        EXPECT_NE(status_of(answer), 101) << what << ": " << answer;
        EXPECT_EQ(answer.find("Sec-WebSocket-Accept"), std::string::npos) << what << ": " << answer;
    }
}

TEST_P(WebSocketRules, spec_SigtermSendsGoingAwayToOpenClientsAndExitsZero)
{
    auto s = GetParam().start();
    auto a = GetParam().connect_or_throw(*s);
    auto b = GetParam().connect_or_throw(*s);
    // A pong says the server reads these connections, so it has taken both in: a wait that
    // needs no log line (and a server that does not answer pings is judged by what follows).
    a->ping();
    b->ping();
    s->send_signal(SIGTERM);
    auto closed_a = a->wait_close(2000ms);
    auto closed_b = b->wait_close(2000ms);
    ASSERT_TRUE(closed_a && closed_b) << "every open client must be closed within 2 s of SIGTERM";
    EXPECT_EQ(closed_a->code, 1001) << "expected 1001 (going away): " << a->state();
    EXPECT_EQ(closed_b->code, 1001) << "expected 1001 (going away): " << b->state();
    auto ended = s->wait_exit(2000ms);
    ASSERT_TRUE(ended) << "the server must exit within 2 s of SIGTERM";
    EXPECT_TRUE(ended->exited) << "it was ended by signal " << ended->signal << ", it did not exit";
    EXPECT_EQ(ended->status, 0) << "SIGTERM is a normal stop: exit status 0";
}

TEST_P(WebSocketRules, spec_MessageOverTheLimitClosesWith1009AndTheServerGoesOn)
{
    auto s = GetParam().start({{"DBWEBB_MAX_MESSAGE", "1000"}});
    auto c = GetParam().connect_or_throw(*s);
    ASSERT_TRUE(c->send_text(std::string(1001, 'x')));
    auto closed = c->wait_close();
    ASSERT_TRUE(closed) << "a message over DBWEBB_MAX_MESSAGE must close the connection: " << c->state();
    EXPECT_EQ(closed->code, 1009) << c->state();
    auto next = GetParam().connect(*s);
    EXPECT_TRUE(next->result().upgraded) << "the server must go on after one client's big message: "
                                         << describe(next->result());
}

TEST_P(WebSocketRules, spec_InvalidUtf8ClosesWith1007)
{
    auto s = GetParam().start();
    auto c = GetParam().connect_or_throw(*s);
    ASSERT_TRUE(c->send_raw_text("caf\xc3"));  // a cut-off two-byte sequence
    auto closed = c->wait_close();
    ASSERT_TRUE(closed) << "invalid UTF-8 in a text message must close the connection: " << c->state();
    EXPECT_EQ(closed->code, 1007) << c->state();
    auto next = GetParam().connect(*s);
    EXPECT_TRUE(next->result().upgraded) << "the server must go on: " << describe(next->result());
}

TEST_P(WebSocketRules, spec_UnmaskedClientFrameIsAProtocolErrorClosedWith1002)
{
    auto s = GetParam().start();
    raw_socket socket(s->port());
    ASSERT_TRUE(socket.send(handshake_request("/")));
    std::string const head = socket.read_until("\r\n\r\n");
    ASSERT_EQ(status_of(head), 101) << "the handshake: " << (head.empty() ? "no answer" : head);
    // RFC 6455 §5.1: a client must mask every frame; this one does not.
    ASSERT_TRUE(socket.send(client_frame(0x1, "hello", true, /*masked=*/false)));
    std::string const answer = socket.read_all(3000ms);
    std::size_t at = answer.find("\r\n\r\n") + 4;
    // Skip the data frames a server may send on its own first (06 greets each client with
    // its price history): their length is in the second byte, or in the next 2 or 8 bytes.
    auto byte = [&](std::size_t i) { return static_cast<std::size_t>(static_cast<unsigned char>(answer[i])); };
    while(answer.size() >= at + 2 && (byte(at) & 0x0f) != 0x8)
    {
        std::size_t length = byte(at + 1) & 0x7f;
        std::size_t header = 2;
        if(length == 126 && answer.size() >= at + 4)
        {
            length = (byte(at + 2) << 8) | byte(at + 3);
            header = 4;
        }
        else if(length == 127 && answer.size() >= at + 10)
        {
            length = 0;
            for(std::size_t i = 0; i < 8; ++i)
                length = (length << 8) | byte(at + 2 + i);
            header = 10;
        }
        at += header + length;
    }
    ASSERT_GE(answer.size(), at + 4) << "expected a close frame after the handshake";
    EXPECT_EQ(static_cast<unsigned char>(answer[at]), 0x88) << "expected a close frame";
    int const code = (static_cast<unsigned char>(answer[at + 2]) << 8) |
                     static_cast<unsigned char>(answer[at + 3]);
    EXPECT_EQ(code, 1002) << "a protocol error closes with 1002";
}
