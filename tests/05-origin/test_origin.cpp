/**
 * @file
 * @brief Tests of 05-origin (SPEC.md, 05-origin): everything of 04-subprotocol,
 *        plus the Origin check on the handshake, before any upgrade.
 */
#include "broadcast_rules.hpp"
#include "client_files_rules.hpp"
#include "subprotocol_rules.hpp"

#include <string>
#include <vector>

using namespace harness;

namespace {
constexpr char step[] = "05-origin";
constexpr char program[] = "server";
}

// The shared rules connect without an Origin, as a non-browser client does;
// DBWEBB_ALLOW_NO_ORIGIN=1 lets them through (the Origin rules are tested below).
KIT_SERVER_RULES_WITH_ENV(Server, step, program, {{"DBWEBB_ALLOW_NO_ORIGIN", "1"}});
KIT_WEBSOCKET_RULES_WITH_ENV(Server, step, program, {{"DBWEBB_ALLOW_NO_ORIGIN", "1"}});
KIT_BROADCAST_RULES_WITH_ENV(Server, step, program, {{"DBWEBB_ALLOW_NO_ORIGIN", "1"}});
KIT_SUBPROTOCOL_RULES_WITH_ENV(Server, step, program, {{"DBWEBB_ALLOW_NO_ORIGIN", "1"}});
KIT_CLIENT_FILES_RULES(Server, step, program, "origin");

namespace {

/** Sends a handshake with these extra header lines (each "Name: value") and returns the whole answer. */
std::string handshake_with(server const& s, std::vector<std::string> const& lines)
{
    std::string request = handshake_request("/");
    std::string extra;
    for(auto const& line : lines)
        extra += line + "\r\n";
    // Before the blank line that ends the request.
    request.insert(request.size() - 2, extra);
    raw_socket socket(s.port());
    EXPECT_TRUE(socket.send(request));
    std::string answer = socket.read_until("\r\n\r\n");
    if(status_of(answer) != 101)
    {
        // A refusal ends the connection: read the rest of the answer, and see the server close.
        answer += socket.read_all();
        EXPECT_TRUE(socket.peer_closed()) << "a refused handshake must end the connection";
    }
    return answer;
}

/** Connects a client that says it comes from @p origin. */
std::unique_ptr<ws_client> connect_from(server const& s, std::string const& origin,
                                        std::vector<std::string> protocols = {})
{
    ws_options options;
    options.origin = origin;
    options.protocols = std::move(protocols);
    return ws_client::connect(s.port(), options);
}

}  // namespace

// --- the default allow-list ------------------------------------------------------------

TEST(Server, AllowsLocalPagesAndTheCourseSiteByDefault)
{
    auto s = server::start(step, program);
    for(std::string origin : {"http://localhost", "http://localhost:1337", "http://127.0.0.1:8080",
                              "https://dbwebb.se", "http://dbwebb.se", "HTTP://LocalHost:3000",
                              "https://dbwebb.se:443", "http://localhost:80"})
    {
        auto client = connect_from(*s, origin);
        EXPECT_TRUE(client->result().upgraded) << origin << ": " << client->result().status;
        EXPECT_EQ(client->result().status, 101) << origin;
    }
    EXPECT_EQ(s->count_output("Refused connection"), 0u) << s->output();
}

TEST(Server, RefusesEveryOtherOriginWith403WithoutUpgradeAndLogsIt)
{
    auto s = server::start(step, program);
    struct
    {
        std::string origin;  // as sent
        std::string logged;  // as the log line shows it
    } const cases[] = {
        {"http://evil.com", "http://evil.com"},
        {"http://localhost.evil.com", "http://localhost.evil.com"},
        {"http://evil-localhost:1337", "http://evil-localhost:1337"},
        {"https://dbwebb.se.evil.com", "https://dbwebb.se.evil.com"},
        {"https://evildbwebb.se", "https://evildbwebb.se"},
        {"http://localhost@evil.com", "http://localhost@evil.com"},
        {"http://evil.com@localhost", "http://evil.com@localhost"},
        {"http://localhost8080", "http://localhost8080"},
        {"http://localhost:", "http://localhost:"},
        {"http://localhost:99999", "http://localhost:99999"},
        {"http://localhost:1337/", "http://localhost:1337/"},
        {"http://localhost/path?q#f", "http://localhost/path?q#f"},
        {"https://localhost", "https://localhost"},
        {"https://dbwebb.se:8443", "https://dbwebb.se:8443"},
        {"null", "null"},
        {"file://", "file://"},
        {"ws://localhost", "ws://localhost"},
        {"chrome-extension://abcdefghijklmnop", "chrome-extension://abcdefghijklmnop"},
        {"http://127.0.0.2", "http://127.0.0.2"},
        {"http://[::1]:1337", "http://[::1]:1337"},
        {"http://2130706433", "http://2130706433"},
        {"http://localhost.", "http://localhost."},
        {"http://xn--lcalhost-9wa", "http://xn--lcalhost-9wa"},
        {"http://l\xd0\xbe" "calhost", "http://l\\xd0\\xbecalhost"},  // a Cyrillic o, logged as bytes
        {"http://localhost, http://evil.com", "http://localhost, http://evil.com"},
        {"localhost", "localhost"},
    };
    for(auto const& c : cases)
    {
        std::string const answer = handshake_with(*s, {"Origin: " + c.origin});
        EXPECT_EQ(status_of(answer), 403) << c.origin << ":\n" << answer;
        EXPECT_EQ(answer.find("Sec-WebSocket-Accept"), std::string::npos) << c.origin;
        EXPECT_EQ(answer.find("\r\nUpgrade:"), std::string::npos) << c.origin;
        EXPECT_TRUE(s->wait_for_output("Refused connection from origin '" + c.logged + "'.\n"))
            << c.origin << "\n" << s->output();
    }
    EXPECT_EQ(s->count_output("Connection received"), 0u) << "no refused handshake may connect";
}

TEST(Server, RefusalIsNotAnUpgradeForAWebSocketClientEither)
{
    auto s = server::start(step, program);
    auto client = connect_from(*s, "http://evil.example");
    EXPECT_FALSE(client->result().upgraded);
    EXPECT_EQ(client->result().status, 403);
    EXPECT_TRUE(s->wait_for_output("Refused connection from origin 'http://evil.example'.\n"));
}

TEST(Server, ARefusedClientNeverJoinsTheBroadcast)
{
    auto s = server::start(step, program);
    auto first = connect_from(*s, "http://localhost:1337");
    ASSERT_TRUE(first->result().upgraded);
    auto refused = connect_from(*s, "http://evil.com");
    ASSERT_FALSE(refused->result().upgraded);
    auto second = connect_from(*s, "http://127.0.0.1:1337", {"text"});
    ASSERT_TRUE(second->result().upgraded);
    // The count says 2: the refused one was never a client.
    auto const greeting = first->receive();
    ASSERT_TRUE(greeting);
    EXPECT_EQ(greeting->data, "New client connected (2) using 'text'.");
    ASSERT_TRUE(second->send_text("hello"));
    auto const got = first->receive();
    ASSERT_TRUE(got);
    EXPECT_EQ(got->data, "hello");
}

// --- no Origin, several Origins -------------------------------------------------------

TEST(Server, HandshakeWithoutOriginIsRefusedByDefault)
{
    auto s = server::start(step, program);
    std::string const answer = handshake_with(*s, {});
    EXPECT_EQ(status_of(answer), 403) << answer;
    EXPECT_NE(answer.find("DBWEBB_ALLOW_NO_ORIGIN"), std::string::npos)
        << "the answer should say how to allow it:\n" << answer;
    EXPECT_TRUE(s->wait_for_output("Refused connection from origin ''.\n")) << s->output();
}

TEST(Server, AllowNoOriginLetsAMissingOriginThroughButNoBadOne)
{
    auto s = server::start(step, program, {{"DBWEBB_ALLOW_NO_ORIGIN", "1"}});
    EXPECT_EQ(status_of(handshake_with(*s, {})), 101);
    EXPECT_EQ(status_of(handshake_with(*s, {"Origin: http://localhost:8080"})), 101);
    EXPECT_EQ(status_of(handshake_with(*s, {"Origin: http://evil.com"})), 403);
    EXPECT_EQ(status_of(handshake_with(*s, {"Origin: null"})), 403);
}

TEST(Server, AllowNoOriginZeroStillRefuses)
{
    auto s = server::start(step, program, {{"DBWEBB_ALLOW_NO_ORIGIN", "0"}});
    EXPECT_EQ(status_of(handshake_with(*s, {})), 403);
}

TEST(Server, TwoOriginHeaderLinesAreRefused)
{
    auto s = server::start(step, program);
    for(auto const& lines : std::vector<std::vector<std::string>>{
            {"Origin: http://localhost", "Origin: http://localhost"},
            {"Origin: http://evil.com", "Origin: http://localhost"},
            {"Origin: http://localhost", "Origin: http://evil.com"}})
    {
        std::string const answer = handshake_with(*s, lines);
        EXPECT_EQ(status_of(answer), 403) << lines[0] << " / " << lines[1] << "\n" << answer;
    }
    EXPECT_TRUE(s->wait_for_output("Refused connection from origin 'http://evil.com, http://localhost'.\n"))
        << s->output();
}

// --- the allow-list from the environment ------------------------------------------------

TEST(Server, AllowedOriginsFromTheEnvironmentReplaceTheDefaults)
{
    auto s = server::start(step, program,
                           {{"DBWEBB_ALLOWED_ORIGINS", "https://chat.example.org, http://localhost:*"}});
    struct
    {
        char const* origin;
        int status;
    } const cases[] = {
        {"https://chat.example.org", 101},
        {"https://chat.example.org:443", 101},
        {"http://chat.example.org", 403},
        {"https://chat.example.org:8443", 403},
        {"http://localhost:5000", 101},
        {"https://dbwebb.se", 403},
        {"http://127.0.0.1:5000", 403},
    };
    for(auto const& c : cases)
        EXPECT_EQ(status_of(handshake_with(*s, {std::string("Origin: ") + c.origin})), c.status) << c.origin;
}

TEST(Server, ABadAllowListOrAllowNoOriginValueIsABadStart)
{
    struct
    {
        char const* name;
        char const* value;
    } const cases[] = {
        {"DBWEBB_ALLOWED_ORIGINS", "localhost"},
        {"DBWEBB_ALLOWED_ORIGINS", "http://localhost/"},
        {"DBWEBB_ALLOWED_ORIGINS", "http://*.dbwebb.se"},
        {"DBWEBB_ALLOWED_ORIGINS", ","},
        {"DBWEBB_ALLOW_NO_ORIGIN", "yes"},
    };
    for(auto const& c : cases)
    {
        auto s = server::launch(step, program, {{c.name, c.value}});
        auto const ended = s->wait_exit();
        ASSERT_TRUE(ended) << c.name << "=" << c.value << ": the server must stop";
        EXPECT_NE(ended->status, 0) << c.name << "=" << c.value;
        EXPECT_NE(s->errors().find(c.name), std::string::npos) << s->errors();
        EXPECT_EQ(s->output().find("Server is listening"), std::string::npos) << s->output();
    }
}

// --- what the check does not cover -----------------------------------------------------

TEST(Server, PlainHttpRequestsAreNotCheckedSoThePagesLoad)
{
    auto s = server::start(step, program);
    auto const page = http_get(s->port(), "/clients/origin/", {{"Origin", "http://evil.com"}});
    EXPECT_EQ(page.status, 200) << page.error;
    EXPECT_EQ(s->count_output("Refused connection"), 0u);
}

TEST(Server, ABrokenHandshakeIsStillA4xxWhateverItsOrigin)
{
    auto s = server::start(step, program);
    raw_socket socket(s->port());
    ASSERT_TRUE(socket.send(handshake_request("/", {{"Sec-WebSocket-Version", "12"}, {"Origin", "http://localhost"}})));
    EXPECT_EQ(status_of(socket.read_until("\r\n\r\n")), 426);
}

TEST(Server, SubprotocolsStillWorkBehindTheCheck)
{
    auto s = server::start(step, program);
    auto json = connect_from(*s, "http://localhost:1337", {"soap", "json"});
    ASSERT_TRUE(json->result().upgraded);
    EXPECT_EQ(json->protocol(), "json");
    EXPECT_TRUE(s->wait_for_output("Connection received"));
}
