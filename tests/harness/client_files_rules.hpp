/**
 * @file
 * @brief Tests of SPEC.md's rule for every step from 02 on: the server hosts the
 *        shared browser clients under `/clients/` (like `express.static`), with
 *        correct content types and no way out of that folder.
 *
 * A step's test file runs them for a program with one line:
 * @code
 * KIT_CLIENT_FILES_RULES(Server, "03-broadcast", "server", "broadcast");
 * @endcode
 * The last argument is the folder of the step's own page, which the line after
 * the ready line names: `Browser client: http://localhost:<port>/clients/broadcast/`.
 */
#pragma once

#include "rules.hpp"

#include <ostream>
#include <string>

namespace harness {

/** A program that hosts the browser clients, and the page it points to. */
struct client_files_ref
{
    program_ref program;  ///< which program of which step
    std::string page;     ///< its page's folder under /clients/, e.g. "echo"
};

/** Prints a client_files_ref in GoogleTest's messages. */
inline void PrintTo(client_files_ref const& p, std::ostream* os)
{
    *os << p.program.step << "/" << p.program.program << " (/clients/" << p.page << "/)";
}

}  // namespace harness

/** The rules of the hosted browser clients (see the file comment). */
class ClientFilesRules : public testing::TestWithParam<harness::client_files_ref>
{
};

/** Runs the client-files rules for @p program of @p step, whose page is /clients/@p page/. */
#define KIT_CLIENT_FILES_RULES(Name, step, program, page)  \
    INSTANTIATE_TEST_SUITE_P(Name, ClientFilesRules,       \
                             testing::Values(harness::client_files_ref{{step, program}, page}))
