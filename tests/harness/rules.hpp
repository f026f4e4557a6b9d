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
 * environment to follow the rules (05-origin refuses a handshake without
 * `Origin` unless told otherwise) uses the `_WITH_ENV` forms.
 */
#pragma once

#include "harness.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace harness {

/** A program of a step, as the rules see it. */
struct program_ref
{
    std::string step;     ///< "01-connect"
    std::string program;  ///< "server-express"
    /** Environment for every start of this program, under what a test adds itself
     *  (05-origin runs the rules with `DBWEBB_ALLOW_NO_ORIGIN=1`); none by default. */
    server::environment env = {};

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
};

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

/**
 * As KIT_SERVER_RULES, with environment for every start of the program, e.g.
 * `KIT_SERVER_RULES_WITH_ENV(Server, "05-origin", "server", {{"DBWEBB_ALLOW_NO_ORIGIN", "1"}});`
 */
#define KIT_SERVER_RULES_WITH_ENV(Name, step, program, ...) \
    INSTANTIATE_TEST_SUITE_P(Name, ServerRules,             \
                             testing::Values(harness::program_ref{step, program, __VA_ARGS__}))

/** As KIT_WEBSOCKET_RULES, with environment for every start of the program (see KIT_SERVER_RULES_WITH_ENV). */
#define KIT_WEBSOCKET_RULES_WITH_ENV(Name, step, program, ...) \
    INSTANTIATE_TEST_SUITE_P(Name, WebSocketRules,             \
                             testing::Values(harness::program_ref{step, program, __VA_ARGS__}))
