/**
 * @file
 * @brief The settings every step server reads from its environment.
 *
 * The article's servers read `process.env.DBWEBB_PORT`; these read the same
 * variable and a few more (SPEC.md, "What every step server does"). 02-echo
 * adds the caps of each client's send queue and the folder of browser clients;
 * 03-broadcast adds the heartbeat's interval; 05-origin adds which pages may
 * connect (origin.hpp).
 */
#pragma once

#include "origin.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
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
    std::size_t send_queue_bytes = 4 * 1024 * 1024;  ///< DBWEBB_SEND_QUEUE_BYTES: what one client's send queue may hold
    std::size_t send_queue_messages = 1024;          ///< DBWEBB_SEND_QUEUE_MESSAGES: how many messages it may hold
    std::filesystem::path clients_dir = KIT_CLIENTS_DIR;  ///< DBWEBB_CLIENTS_DIR: the browser clients served under /clients/
    std::chrono::milliseconds ping_interval{30000};       ///< DBWEBB_PING_INTERVAL_MS: ping every client this often (0: never)
    origin_policy origins = origin_policy::from_environment(nullptr, nullptr);  ///< DBWEBB_ALLOWED_ORIGINS, DBWEBB_ALLOW_NO_ORIGIN: which pages may connect
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
    // A queue must have room for at least one message; the upper bounds only catch typos.
    config.send_queue_bytes = env_number("DBWEBB_SEND_QUEUE_BYTES", config.send_queue_bytes, 1ull << 34);
    config.send_queue_messages =
        env_number("DBWEBB_SEND_QUEUE_MESSAGES", config.send_queue_messages, 1ull << 24);
    if(config.send_queue_bytes == 0 || config.send_queue_messages == 0)
        throw std::runtime_error("DBWEBB_SEND_QUEUE_BYTES and DBWEBB_SEND_QUEUE_MESSAGES must be at least 1");
    // The heartbeat: tests make it short so that they need not wait 30 s for a dead peer.
    config.ping_interval = std::chrono::milliseconds(
        env_number("DBWEBB_PING_INTERVAL_MS", config.ping_interval.count(), 3600000));
    if(char const* dir = std::getenv("DBWEBB_CLIENTS_DIR"); dir != nullptr && *dir != '\0')
        config.clients_dir = dir;
    // Files are later compared with this folder's canonical path (symlinks resolved), so
    // resolve it once here; a folder that is not there is a bad start, not a 404 later.
    std::error_code ec;
    auto const canonical = std::filesystem::canonical(config.clients_dir, ec);
    if(ec || !std::filesystem::is_directory(canonical))
        throw std::runtime_error("DBWEBB_CLIENTS_DIR: '" + config.clients_dir.string() +
                                 "' is not a readable folder of browser clients");
    config.clients_dir = canonical;
    // The allow-list is checked entry by entry now, so that a typo stops the server
    // at start instead of refusing every browser later.
    config.origins = origin_policy::from_environment(std::getenv("DBWEBB_ALLOWED_ORIGINS"),
                                                     std::getenv("DBWEBB_ALLOW_NO_ORIGIN"));
    return config;
}
