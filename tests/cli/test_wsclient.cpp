/**
 * @file
 * @brief Tests of the terminal client wsclient (clients/cli/): it runs as a
 *        child process with its stdin and stdout on pipes, against the real
 *        step servers. Tests that need a step that is not built are skipped.
 */
#include "harness.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

using namespace harness;

// The step rules are linked into every test program; this one instantiates none of them.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ServerRules);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(WebSocketRules);

namespace {

/** Starts wsclient with @p args. */
std::unique_ptr<child> wsclient(std::vector<std::string> const& args)
{
    return child::run(build_path("clients/cli/wsclient"), args);
}

/** The URL of a server started by the harness. */
std::string url_of(server const& s, std::string const& path = "/")
{
    return "ws://127.0.0.1:" + std::to_string(s.port()) + path;
}

/**
 * The step's WebSocket server that is built here: `server`, else `server-express`;
 * empty when neither is (tests of later steps skip until one is).
 */
std::string built(std::string const& step)
{
    for(std::string program : {"server", "server-express"})
        if(::access(command_for(step, program).c_str(), X_OK) == 0)
            return program;
    return {};
}

/** Runs wsclient with @p args and no input; returns its exit status (-1 if it did not end in time). */
int status_of_run(child& c)
{
    c.close_input();
    auto info = c.wait_exit();
    return info && info->exited ? info->status : -1;
}

}  // namespace

// --- The command line ---------------------------------------------------------

TEST(Wsclient, kit_WithoutAUrlPrintsTheUsageAndExits2)
{
    auto c = wsclient({});
    EXPECT_EQ(status_of_run(*c), 2);
    EXPECT_NE(c->errors().find("no URL given"), std::string::npos) << c->errors();
    EXPECT_NE(c->errors().find("usage: wsclient ws://"), std::string::npos) << c->errors();
}

TEST(Wsclient, kit_HelpPrintsTheUsageOnStdoutAndExits0)
{
    auto c = wsclient({"--help"});
    EXPECT_EQ(status_of_run(*c), 0);
    EXPECT_NE(c->output().find("--origin"), std::string::npos) << c->output();
}

TEST(Wsclient, kit_RefusesUrlsThatAreNotWs)
{
    for(std::string url : {"http://localhost:1337/", "localhost:1337", "wss://localhost/", "ws://:1337/",
                           "ws://localhost:99999/", "ws://localhost:12ab/"})
    {
        auto c = wsclient({url});
        EXPECT_EQ(status_of_run(*c), 2) << url;
        EXPECT_NE(c->errors().find("usage:"), std::string::npos) << url << ": " << c->errors();
    }
}

TEST(Wsclient, kit_RefusesUnknownOptionsAndMissingValues)
{
    std::vector<std::vector<std::string>> bad = {
        {"ws://localhost/", "--bogus"},
        {"ws://localhost/", "--origin"},
        {"ws://localhost/", "--protocol", "a, b"},
        {"ws://localhost/", "--header", "no-colon"},
        {"ws://localhost/", "--wait", "soon"},
        {"ws://localhost/", "ws://localhost:8080/"},
    };
    for(auto const& args : bad)
    {
        auto c = wsclient(args);
        EXPECT_EQ(status_of_run(*c), 2) << args.back();
        EXPECT_NE(c->errors().find("wsclient: "), std::string::npos) << c->errors();
    }
}

// --- Connecting, and the ways it fails --------------------------------------------

TEST(Wsclient, kit_NoServerThereExits1WithAClearMessage)
{
    // A port that was just free: start a server, note its port, stop it.
    auto s = server::start("01-connect", "server-express");
    std::string const url = url_of(*s);
    s->stop();
    auto c = wsclient({url});
    EXPECT_EQ(status_of_run(*c), 1);
    EXPECT_NE(c->errors().find("cannot connect"), std::string::npos) << c->errors();
}

TEST(Wsclient, kit_ConnectsAndEndOfInputClosesWith1000)
{
    auto s = server::start("01-connect", "server-express");
    auto c = wsclient({url_of(*s)});
    ASSERT_TRUE(c->wait_for_errors("connected to " + url_of(*s))) << c->errors();
    EXPECT_TRUE(s->wait_for_output("Connection received."));
    c->close_input();
    auto info = c->wait_exit();
    ASSERT_TRUE(info && info->exited) << "wsclient should exit after end of input";
    EXPECT_EQ(info->status, 0);
    EXPECT_NE(c->errors().find("closed: 1000"), std::string::npos) << c->errors();
}

TEST(Wsclient, kit_ShowsTheServersCloseCodeWhenItShutsDown)
{
    auto s = server::start("01-connect", "server-express");
    auto c = wsclient({url_of(*s)});
    ASSERT_TRUE(c->wait_for_errors("connected to")) << c->errors();
    s->stop();
    auto info = c->wait_exit();
    ASSERT_TRUE(info && info->exited) << "wsclient should exit when the server closes";
    EXPECT_EQ(info->status, 0) << "1001 going away is a normal ending";
    EXPECT_NE(c->errors().find("closed: 1001"), std::string::npos) << c->errors();
}

TEST(Wsclient, kit_CtrlCClosesAtOnceWith1000)
{
    auto s = server::start("01-connect", "server-express");
    auto c = wsclient({url_of(*s), "--wait", "60000"});
    ASSERT_TRUE(c->wait_for_errors("connected to")) << c->errors();
    // SIGINT is what the terminal sends on Ctrl-C; the long --wait does not apply to it.
    ASSERT_EQ(::kill(c->pid(), SIGINT), 0);
    auto info = c->wait_exit();
    ASSERT_TRUE(info && info->exited) << "wsclient should close and exit on Ctrl-C";
    EXPECT_EQ(info->status, 0);
    EXPECT_NE(c->errors().find("closed: 1000"), std::string::npos) << c->errors();
}

TEST(Wsclient, kit_AServerThatDoesNotUpgradeShowsItsHttpStatus)
{
    // 01-connect's server-http is no WebSocket server: it answers 200 Hello World.
    auto s = server::start("01-connect", "server-http");
    auto c = wsclient({url_of(*s)});
    EXPECT_EQ(status_of_run(*c), 1);
    EXPECT_NE(c->errors().find("handshake refused: 200"), std::string::npos) << c->errors();
}

// --- Messages, against the steps that answer -----------------------------------------

TEST(Wsclient, kit_SendsEachLineAndPrintsTheEchoes)
{
    std::string const program = built("02-echo");
    if(program.empty())
        GTEST_SKIP() << "02-echo is not built";
    auto s = server::start("02-echo", program);
    auto c = wsclient({url_of(*s)});
    ASSERT_TRUE(c->wait_for_errors("connected to")) << c->errors();
    ASSERT_TRUE(c->write("hello\nsecond line\r\n<b>not html</b>\n"));
    EXPECT_TRUE(c->wait_for_output("< <b>not html</b>\n")) << c->output();
    EXPECT_EQ(c->output(), "< hello\n< second line\n< <b>not html</b>\n");
    // A last line without a newline is sent when the input ends.
    ASSERT_TRUE(c->write("no newline"));
    c->close_input();
    auto info = c->wait_exit();
    ASSERT_TRUE(info && info->exited);
    EXPECT_EQ(info->status, 0);
    EXPECT_NE(c->output().find("< no newline\n"), std::string::npos) << c->output();
    EXPECT_TRUE(s->wait_for_output("Received: no newline"));
}

TEST(Wsclient, kit_TwoClientsOnTheBroadcastServerSeeEachOther)
{
    std::string const program = built("03-broadcast");
    if(program.empty())
        GTEST_SKIP() << "03-broadcast is not built";
    auto s = server::start("03-broadcast", program);
    auto a = wsclient({url_of(*s)});
    ASSERT_TRUE(a->wait_for_errors("connected to")) << a->errors();
    auto b = wsclient({url_of(*s)});
    ASSERT_TRUE(b->wait_for_errors("connected to")) << b->errors();
    EXPECT_TRUE(a->wait_for_output("< New client connected (2).")) << a->output();
    ASSERT_TRUE(b->write("from b\n"));
    EXPECT_TRUE(a->wait_for_output("< from b\n")) << a->output();
}

TEST(Wsclient, kit_OffersAProtocolAndShowsTheChoice)
{
    std::string const program = built("04-subprotocol");
    if(program.empty())
        GTEST_SKIP() << "04-subprotocol is not built";
    auto s = server::start("04-subprotocol", program);
    auto c = wsclient({url_of(*s), "--protocol", "soap", "--protocol", "json"});
    EXPECT_TRUE(c->wait_for_errors("(protocol 'json')")) << c->errors();
    // A text client's line reaches the json client in the json form.
    auto text = wsclient({url_of(*s), "--protocol", "text"});
    ASSERT_TRUE(text->wait_for_errors("(protocol 'text')")) << text->errors();
    ASSERT_TRUE(text->write("hello json\n"));
    EXPECT_TRUE(c->wait_for_output("\"data\":\"hello json\"")) << c->output();
    EXPECT_NE(c->output().find("< {\"timestamp\":"), std::string::npos) << c->output();
    auto unknown = wsclient({url_of(*s), "--protocol", "soap"});
    EXPECT_TRUE(unknown->wait_for_errors("the server chose none of the offered protocols")) << unknown->errors();
}

TEST(Wsclient, kit_ARefusedOriginShows403AndExits1)
{
    std::string const program = built("05-origin");
    if(program.empty())
        GTEST_SKIP() << "05-origin is not built";
    auto s = server::start("05-origin", program);
    auto bad = wsclient({url_of(*s), "--origin", "http://evil.example"});
    EXPECT_EQ(status_of_run(*bad), 1);
    EXPECT_NE(bad->errors().find("handshake refused: 403"), std::string::npos) << bad->errors();
    // Any program may claim an allowed origin: the check stops browsers, not this client.
    auto good = wsclient({url_of(*s), "--origin", "http://localhost"});
    EXPECT_TRUE(good->wait_for_errors("connected to")) << good->errors();
    // --header sets any request header, Origin included.
    auto header = wsclient({url_of(*s), "--header", "Origin: http://evil.example"});
    EXPECT_EQ(status_of_run(*header), 1);
    EXPECT_NE(header->errors().find("handshake refused: 403"), std::string::npos) << header->errors();
    // Without an Origin header (as wsclient sends by default) the server refuses too.
    auto none = wsclient({url_of(*s)});
    EXPECT_EQ(status_of_run(*none), 1);
    EXPECT_NE(none->errors().find("handshake refused: 403"), std::string::npos) << none->errors();
}
