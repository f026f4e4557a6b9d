/**
 * @file
 * @brief The settings every step server reads from its environment.
 *
 * The article's servers read `process.env.DBWEBB_PORT`; these read the same
 * variable and a few more (SPEC.md, "What every step server does").
 */
#pragma once

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

/** What a step server is told by its environment. */
struct server_config
{
    std::string host = "0.0.0.0";             ///< DBWEBB_HOST: all IPv4 interfaces, so classmates can connect
    unsigned short port = 1337;               ///< DBWEBB_PORT: 0 asks the kernel for any free port
    bool quiet = false;                       ///< DBWEBB_LOG=quiet: no line per message (for benchmarks)
    std::size_t max_message = 1024 * 1024;    ///< DBWEBB_MAX_MESSAGE: larger messages close with 1009
    std::chrono::milliseconds handshake_timeout{30000};  ///< DBWEBB_HANDSHAKE_TIMEOUT_MS: drop slow handshakes
};

/**
 * Reads a whole non-negative number from an environment variable.
 * @throws std::runtime_error naming the variable when the value is not a number or above @p max.
 */
inline unsigned long long env_number(char const* name, unsigned long long fallback,
                                     unsigned long long max)
{
    char const* text = std::getenv(name);
    if(text == nullptr || *text == '\0')
        return fallback;
    // stoull would accept "12abc" and "-1"; insist on digits only.
    std::string const value = text;
    if(value.find_first_not_of("0123456789") != std::string::npos || value.size() > 19)
        throw std::runtime_error(std::string(name) + "='" + value + "' is not a whole number");
    unsigned long long const number = std::stoull(value);
    if(number > max)
        throw std::runtime_error(std::string(name) + "=" + value + " is larger than " +
                                 std::to_string(max));
    return number;
}

/** Reads the server's settings; throws std::runtime_error with a clear message on a bad value. */
inline server_config read_config()
{
    server_config config;
    config.port = static_cast<unsigned short>(env_number("DBWEBB_PORT", config.port, 65535));
    if(char const* host = std::getenv("DBWEBB_HOST"); host != nullptr && *host != '\0')
        config.host = host;
    if(char const* log = std::getenv("DBWEBB_LOG"); log != nullptr)
        config.quiet = std::string_view(log) == "quiet";
    config.max_message = env_number("DBWEBB_MAX_MESSAGE", config.max_message, 1ull << 31);
    // Tests shorten the 30 s handshake limit so that they need not wait that long.
    config.handshake_timeout = std::chrono::milliseconds(
        env_number("DBWEBB_HANDSHAKE_TIMEOUT_MS", config.handshake_timeout.count(), 3600000));
    return config;
}
