/**
 * @file
 * @brief Tests of the rules every step server follows (SPEC.md, "What every
 *        step server does"), written once and run for each program of each step.
 *
 * A step's test file runs them for its programs with one line each:
 * @code
 * KIT_SERVER_RULES(ServerExpress, "01-connect", "server-express");
 * KIT_WEBSOCKET_RULES(ServerExpress, "01-connect", "server-express");
 * @endcode
 * The first name is the program's name in CamelCase, so that
 * `make test PROGRAM=server-express` can pick its tests. A program that needs
 * environment or a kind of client to follow the rules (05-origin refuses a
 * handshake without `Origin`) gives a whole program_ref to KIT_RULES.
 *
 * Each test's name starts with its grading level (SPEC.md, "Grading levels"):
 * `article_` for what the article's own code does, `spec_` for what SPEC.md adds,
 * `kit_` for the kit's own choices.
 */
#pragma once

#include "harness.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

namespace harness {

/** A program of a step, as the rules see it. */
struct program_ref
{
    std::string step;     ///< "01-connect"
    std::string program;  ///< "server-express"
    /** Environment for every start of this program, under what a test adds itself
     *  (05-origin runs the rules with `DBWEBB_ALLOW_NO_ORIGIN=1`); none by default. */
    server::environment env = {};
    /** How the rules' WebSocket clients connect: the article's 04 and 05 servers take only a
     *  client that offers a protocol they know, 05's only one with an allowed `Origin`. */
    ws_options client = {};

    /** This program's environment with @p extra on top (a test's own values win). */
    server::environment with(server::environment extra) const
    {
        extra.insert(env.begin(), env.end());  // insert keeps the keys already in extra
        return extra;
    }

    /** Starts the program (DBWEBB_PORT=0) and waits for its ready line. */
    std::unique_ptr<server> start(server::environment extra = {}) const
    {
        return server::start(step, program, with(std::move(extra)));
    }

    /** Starts the program without waiting for its ready line (for tests of a bad start). */
    std::unique_ptr<server> launch(server::environment extra = {}) const
    {
        return server::launch(step, program, with(std::move(extra)));
    }

    /** The client options of this program with @p protocols offered instead. */
    ws_options offering(std::vector<std::string> protocols) const
    {
        ws_options options = client;
        options.protocols = std::move(protocols);
        return options;
    }

    /** Opens a WebSocket to @p s as this program's clients do; check result().upgraded. */
    std::unique_ptr<ws_client> connect(server const& s) const { return ws_client::connect(s.port(), client); }

    /** As connect(), but throws when the handshake fails. */
    std::unique_ptr<ws_client> connect_or_throw(server const& s) const
    {
        return ws_client::connect_or_throw(s.port(), client);
    }
};

/**
 * Takes whatever a server sends its clients when they connect (greetings, a welcome of its own,
 * a price history), whatever its words, so that a test starts from quiet clients and depends on
 * no text it does not check (SPEC.md: one difference costs one test). The first and the last of
 * @p clients each send a marker, and every client reads until it has the markers of the others.
 * @param clients the clients, in the order they connected
 * @param skipped when given, receives what each client read before its markers, in order
 * @return a failure that says which client missed which marker, when a server does not pass
 *         messages on between its clients (for the steps that broadcast, from 03 on)
 */
testing::AssertionResult settled(std::vector<ws_client*> const& clients,
                                 std::vector<std::vector<message>>* skipped = nullptr);

/** Prints a program_ref in GoogleTest's messages. */
inline void PrintTo(program_ref const& p, std::ostream* os) { *os << p.step << "/" << p.program; }

}  // namespace harness

/** Rules for every server: ready line, port, shutdown, bad start. */
class ServerRules : public testing::TestWithParam<harness::program_ref>
{
};

/** Rules for every server that speaks WebSocket: handshake checks, limits, bad frames, shutdown. */
class WebSocketRules : public testing::TestWithParam<harness::program_ref>
{
};

/** Runs the server rules for @p program of @p step, under the name @p Name. */
#define KIT_SERVER_RULES(Name, step, program) \
    INSTANTIATE_TEST_SUITE_P(Name, ServerRules, testing::Values(harness::program_ref{step, program}))

/** Runs the WebSocket rules for @p program of @p step, under the name @p Name. */
#define KIT_WEBSOCKET_RULES(Name, step, program) \
    INSTANTIATE_TEST_SUITE_P(Name, WebSocketRules, testing::Values(harness::program_ref{step, program}))

/** In a step's test file: this step has no `article` level, its `article_` rules count as `spec`. */
#define KIT_NO_ARTICLE_LEVEL() \
    static bool const kit_no_article_level = (harness::no_article_level() = true)

/**
 * Runs the tests of @p Rules (ServerRules, WebSocketRules, BroadcastRules, …) for the
 * program_ref @p ref, under the name @p Name: for a program that needs its own environment
 * or client, e.g. `KIT_RULES(ServerRules, Server, origin_server)`.
 */
#define KIT_RULES(Rules, Name, ref) INSTANTIATE_TEST_SUITE_P(Name, Rules, testing::Values(ref))
