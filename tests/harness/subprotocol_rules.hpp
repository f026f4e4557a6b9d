/**
 * @file
 * @brief Tests of the subprotocol rules that 04-subprotocol sets and the steps
 *        after it keep (SPEC.md, 04-subprotocol): the server picks the client's
 *        first known offer, names it in the 101 (or names nothing), greets with
 *        the protocol, and formats what each client receives by that client's
 *        own protocol.
 *
 * A step's test file runs them for a program with one line:
 * @code
 * KIT_SUBPROTOCOL_RULES(Server, "04-subprotocol", "server");
 * @endcode
 * (KIT_RULES in rules.hpp runs them for a program with its own environment
 * or client.) A client with no protocol is named `none`
 * in the greeting.
 */
#pragma once

#include "rules.hpp"

/** The subprotocol rules (see the file comment). */
class SubprotocolRules : public testing::TestWithParam<harness::program_ref>
{
};

/** Runs the subprotocol rules for @p program of @p step, under the name @p Name. */
#define KIT_SUBPROTOCOL_RULES(Name, step, program) \
    INSTANTIATE_TEST_SUITE_P(Name, SubprotocolRules, testing::Values(harness::program_ref{step, program}))

