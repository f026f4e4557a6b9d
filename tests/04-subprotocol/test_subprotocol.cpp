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

/** How the shared rules connect: the article's server takes only a client that offers a
 *  protocol it knows (ws 3 refuses the others with 401), so they offer `text`. */
ws_options text_client()
{
    ws_options options;
    options.protocols = {"text"};
    return options;
}

program_ref const server_ref{step, program, {}, text_client()};
}  // namespace

KIT_RULES(ServerRules, Server, server_ref);
KIT_RULES(WebSocketRules, Server, server_ref);
KIT_RULES(BroadcastRules, Server, server_ref);
KIT_RULES(SubprotocolRules, Server, server_ref);
KIT_CLIENT_FILES_RULES(Server, step, program, "subprotocol");

TEST(Server, article_AcceptsAnyOriginAsTheStepsBeforeDo)
{
    // The Origin check is the next step's lesson; here every page may connect.
    auto s = server::start(step, program);
    for(std::string origin : {"http://evil.com", "null"})
    {
        ws_options options = text_client();
        options.origin = origin;
        auto c = ws_client::connect(s->port(), options);
        EXPECT_TRUE(c->result().upgraded) << origin << ": " << describe(c->result());
    }
}
