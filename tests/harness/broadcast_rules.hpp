/**
 * @file
 * @brief Tests of the broadcast rules that 03-broadcast sets and the steps after
 *        it keep (SPEC.md, 03-broadcast): client tracking, greetings and goodbyes,
 *        every message to every other client in order, a send path that no
 *        client can stall, and dead peers dropped.
 *
 * A step's test file runs them for a program with one line:
 * @code
 * KIT_BROADCAST_RULES(Server, "03-broadcast", "server");
 * @endcode
 * (KIT_RULES in rules.hpp runs them for a program with its own environment
 * or client.) The greeting and goodbye are checked by their
 * start, `New client connected (<n>)` and `Client disconnected (<n>)`, so a step
 * may add to them (04-subprotocol adds the protocol's name).
 */
#pragma once

#include "rules.hpp"

/** The broadcast rules (see the file comment). */
class BroadcastRules : public testing::TestWithParam<harness::program_ref>
{
};

/** Runs the broadcast rules for @p program of @p step, under the name @p Name. */
#define KIT_BROADCAST_RULES(Name, step, program) \
    INSTANTIATE_TEST_SUITE_P(Name, BroadcastRules, testing::Values(harness::program_ref{step, program}))

