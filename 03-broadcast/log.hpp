/**
 * @file
 * @brief The server's log: one line per event on stdout, in the article's words.
 */
#pragma once

#include <iostream>
#include <string_view>

/**
 * Prints one log line on stdout and flushes it, so that a test (or a pipe to `tee`)
 * sees each event as it happens.
 */
inline void log_line(std::string_view line)
{
    std::cout << line << std::endl;
}
