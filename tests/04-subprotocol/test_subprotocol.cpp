/**
 * @file
 * @brief Tests of 04-subprotocol (SPEC.md, 04-subprotocol): everything of
 *        03-broadcast, plus subprotocol negotiation and per-receiver formatting.
 *
 * The subprotocol rules themselves live in the harness (subprotocol_rules.cpp),
 * because 05-origin must keep them too.
 */
#include "broadcast_rules.hpp"
#include "client_files_rules.hpp"
#include "subprotocol_rules.hpp"

using namespace harness;

namespace {
constexpr char step[] = "04-subprotocol";
constexpr char program[] = "server";
}

KIT_SERVER_RULES(Server, step, program);
KIT_WEBSOCKET_RULES(Server, step, program);
KIT_BROADCAST_RULES(Server, step, program);
KIT_SUBPROTOCOL_RULES(Server, step, program);
KIT_CLIENT_FILES_RULES(Server, step, program, "subprotocol");

TEST(Server, AcceptsAnyOriginAsTheStepsBeforeDo)
{
    // The Origin check is the next step's lesson; here every page may connect.
    auto s = server::start(step, program);
    for(std::string origin : {"http://evil.com", "null"})
    {
        ws_options options;
        options.origin = origin;
        EXPECT_TRUE(ws_client::connect(s->port(), options)->result().upgraded) << origin;
    }
}

TEST(Server, LogsWhatEachClientSentAndEachBroadcast)
{
    auto s = server::start(step, program);
    ws_options json;
    json.protocols = {"json"};
    auto a = ws_client::connect_or_throw(s->port(), json);
    auto b = ws_client::connect_or_throw(s->port());
    ASSERT_TRUE(a->receive());  // b's greeting
    ASSERT_TRUE(a->send_text(R"({"data": "hi"})"));
    auto const got = b->receive();
    ASSERT_TRUE(got);
    EXPECT_EQ(got->data, "hi");
    EXPECT_TRUE(s->wait_for_output("Received: {\"data\": \"hi\"}\n")) << s->output();
    EXPECT_TRUE(s->wait_for_output("Broadcasted data to 1 (2) clients.\n")) << s->output();
}
