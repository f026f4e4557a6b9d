/**
 * @file
 * @brief The price feed's settings: the instruments, from a JSON file (PRICES_CONFIG)
 *        or the two cakes, the interval and the seed, read from the environment.
 *
 * Everything here is checked at start, so that a bad file or value stops the server
 * with one line naming the variable, the file and the field. No Boost and no sockets:
 * the unit tests include it directly.
 */
#pragma once

#include "config.hpp"
#include "market.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

/** A configuration that cannot be used. what() is one line naming the file and the field. */
class config_error : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

namespace market_detail {

/** The JSON type of @p value in words, for error messages. */
inline std::string type_of(nlohmann::json const& value)
{
    if(value.is_number())
        return "a number";
    if(value.is_string())
        return "a string";
    if(value.is_boolean())
        return "a boolean";
    if(value.is_null())
        return "null";
    if(value.is_array())
        return "an array";
    return "an object";
}

/** A number for error messages: whole numbers without a decimal point ("0", not "0.0"). */
inline std::string show(double number)
{
    if(std::abs(number) < 1e15 && number == std::floor(number))
        return std::to_string(static_cast<long long>(number));
    return nlohmann::json(number).dump();  // the shortest text that reads back as the same double
}

/** Reads the number field @p key of @p item; @p where is "<file>: [i]". */
inline double number_field(nlohmann::json const& item, char const* key, std::string const& where)
{
    auto const it = item.find(key);
    if(it == item.end())
        throw config_error(where + "." + key + ": missing (every instrument needs name, start, drift, volatility)");
    if(!it->is_number())
        throw config_error(where + "." + key + ": must be a number, got " + type_of(*it));
    return it->get<double>();
}

}  // namespace market_detail

/**
 * Reads instruments from the JSON text @p text, which came from @p source (a file
 * name, used in every error message).
 *
 * The text must be an array of 1 to market_limits::max_instruments objects with
 * exactly the fields `name` (a non-empty string, unique), `start` (> 0), `drift`
 * and `volatility` (>= 0), numbers within market_limits.
 * @throws config_error with one line `<source>: [<index>].<field>: <why>`.
 */
inline std::vector<instrument> parse_instruments(std::string const& text, std::string const& source)
{
    using market_detail::show;
    using market_detail::type_of;
    namespace limits = market_limits;

    nlohmann::json document;
    try
    {
        document = nlohmann::json::parse(text);
    }
    catch(nlohmann::json::exception const& e)
    {
        // nlohmann's messages start with "[json.exception.parse_error.101] "; the rest says where.
        std::string why = e.what();
        if(auto const end = why.find("] "); why.rfind("[json.exception", 0) == 0 && end != std::string::npos)
            why.erase(0, end + 2);
        throw config_error(source + ": not valid JSON: " + why);
    }
    if(!document.is_array())
        throw config_error(source + ": must be a JSON array of instruments, got " + type_of(document));
    if(document.empty())
        throw config_error(source + ": the array is empty; list at least one instrument");
    if(document.size() > limits::max_instruments)
        throw config_error(source + ": " + std::to_string(document.size()) +
                           " instruments; at most " + std::to_string(limits::max_instruments) +
                           " are allowed");

    std::vector<instrument> result;
    std::map<std::string, std::size_t> seen;  // name -> index, to name both places of a duplicate
    for(std::size_t i = 0; i < document.size(); ++i)
    {
        auto const& item = document[i];
        std::string const where = source + ": [" + std::to_string(i) + "]";
        if(!item.is_object())
            throw config_error(where + ": must be an object with name, start, drift, volatility, got " +
                               type_of(item));
        // A misspelt field ("volatilty") would otherwise be ignored without a word.
        for(auto const& field : item.items())
            if(field.key() != "name" && field.key() != "start" && field.key() != "drift" &&
               field.key() != "volatility")
                throw config_error(where + "." + field.key() +
                                   ": unknown field (expected name, start, drift, volatility)");

        instrument next;
        auto const name = item.find("name");
        if(name == item.end())
            throw config_error(where + ".name: missing (every instrument needs name, start, drift, volatility)");
        if(!name->is_string())
            throw config_error(where + ".name: must be a string, got " + type_of(*name));
        next.name = name->get<std::string>();
        if(next.name.empty())
            throw config_error(where + ".name: must not be empty");
        if(next.name.size() > limits::max_name_bytes)
            throw config_error(where + ".name: longer than " + std::to_string(limits::max_name_bytes) +
                               " bytes");
        if(auto const other = seen.find(next.name); other != seen.end())
            throw config_error(where + ".name: \"" + next.name + "\" is already the name of [" +
                               std::to_string(other->second) + "]; names must be unique");
        seen.emplace(next.name, i);

        next.start = market_detail::number_field(item, "start", where);
        if(!(next.start > 0) || next.start > limits::max_start)
            throw config_error(where + ".start: must be greater than 0 and at most " +
                               show(limits::max_start) + ", got " + show(next.start));
        next.drift = market_detail::number_field(item, "drift", where);
        if(std::abs(next.drift) > limits::max_abs_drift)
            throw config_error(where + ".drift: must be between -" + show(limits::max_abs_drift) +
                               " and " + show(limits::max_abs_drift) + " per tick, got " +
                               show(next.drift));
        next.volatility = market_detail::number_field(item, "volatility", where);
        if(next.volatility < 0 || next.volatility > limits::max_volatility)
            throw config_error(where + ".volatility: must be between 0 and " +
                               show(limits::max_volatility) + " per tick, got " +
                               show(next.volatility));
        result.push_back(std::move(next));
    }
    return result;
}

/**
 * Reads instruments from the JSON file @p path (see parse_instruments()).
 * @throws config_error naming the file when it cannot be read or is not a valid configuration.
 */
inline std::vector<instrument> load_instruments(std::string const& path)
{
    // A directory opens like a file on Linux and then reads as nothing: say what it is.
    std::error_code ignored;
    if(std::filesystem::is_directory(path, ignored))
        throw config_error(path + ": is a directory, not a file");
    std::ifstream file(path, std::ios::binary);
    if(!file)
        throw config_error(path + ": cannot open: " + std::strerror(errno));
    // Read at most one byte more than allowed, so that a huge file is refused without reading it all.
    std::string text(market_limits::max_file_bytes + 1, '\0');
    file.read(text.data(), static_cast<std::streamsize>(text.size()));
    if(file.bad())
        throw config_error(path + ": cannot read: " + std::strerror(errno));
    text.resize(static_cast<std::size_t>(file.gcount()));
    if(text.size() > market_limits::max_file_bytes)
        throw config_error(path + ": larger than " + std::to_string(market_limits::max_file_bytes) +
                           " bytes; a configuration file is small");
    return parse_instruments(text, path);
}

/** Everything the environment tells the price feed. */
struct price_settings
{
    std::vector<instrument> instruments = default_instruments();  ///< PRICES_CONFIG, or the two cakes
    std::string source = "the built-in defaults";                 ///< where the instruments came from
    std::chrono::milliseconds interval{5000};                     ///< PRICES_INTERVAL_MS: time between ticks
    std::uint64_t seed = 0;                                       ///< PRICES_SEED, or a random one
    bool seed_given = false;                                      ///< true when PRICES_SEED set the seed
};

/**
 * Reads PRICES_CONFIG, PRICES_INTERVAL_MS and PRICES_SEED through @p env.
 *
 * - PRICES_CONFIG: a JSON file of instruments (load_instruments()); unset or
 *   empty: the two cakes of default_instruments().
 * - PRICES_INTERVAL_MS: milliseconds between ticks, 1 to 86400000 (a day); default 5000.
 * - PRICES_SEED: a whole number 0 to 2^64-1; unset or empty: a random seed, which
 *   the server prints so that the run can be repeated.
 *
 * @throws std::runtime_error with one line naming the variable (and the file and field).
 */
inline price_settings read_price_settings(env_lookup const& env)
{
    price_settings settings;
    auto const value = [&](char const* name) -> std::string {
        char const* text = env(name);
        return text == nullptr ? std::string() : std::string(text);
    };

    if(std::string const path = value("PRICES_CONFIG"); !path.empty())
    {
        // The error already names the file and the field; add the variable that named the file.
        try
        {
            settings.instruments = load_instruments(path);
        }
        catch(config_error const& e)
        {
            throw config_error(std::string("PRICES_CONFIG: ") + e.what());
        }
        settings.source = path;
    }
    settings.interval = std::chrono::milliseconds(
        env_number("PRICES_INTERVAL_MS", settings.interval.count(), 86400000, 1, env));
    if(!value("PRICES_SEED").empty())
    {
        settings.seed = env_number("PRICES_SEED", 0, std::numeric_limits<std::uint64_t>::max(), 0, env);
        settings.seed_given = true;
    }
    else
    {
        // No seed asked for: take one from the system, so that runs differ.
        std::random_device device;
        settings.seed = (static_cast<std::uint64_t>(device()) << 32) ^ device();
    }
    return settings;
}

/** Reads the settings from the process environment (see the overload with env_lookup). */
inline price_settings read_price_settings()
{
    return read_price_settings([](char const* name) { return std::getenv(name); });
}
