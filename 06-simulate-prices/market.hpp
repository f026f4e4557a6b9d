/**
 * @file
 * @brief The price model of this step: instruments whose prices follow geometric
 *        Brownian motion, the settings that describe them, and nothing of the network.
 *
 * The article's example (#stock-prices) simulates cake prices with a Wiener
 * process. A Wiener process W(t) moves by independent Gaussian steps; a price
 * cannot simply follow it (it could go negative), so finance uses *geometric*
 * Brownian motion: the logarithm of the price follows a Wiener process with drift.
 * With one tick as the unit of time (dt = 1), one step is
 *
 *     S <- S * exp((drift - volatility^2 / 2) + volatility * Z),   Z ~ N(0, 1)
 *
 * so the log-return of a tick, ln(S'/S), is normal with mean drift - volatility^2/2
 * and standard deviation volatility, the price stays positive, and the expected
 * growth per tick is E[S'/S] = exp(drift). (The -volatility^2/2 is Itô's correction:
 * without it the *average* price would grow faster than `drift` says.)
 *
 * This header has no Boost and no sockets, so that the unit tests can include it
 * directly and check the process itself.
 */
#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

/** One thing whose price moves: a cake, in the article's example. */
struct instrument
{
    std::string name;         ///< shown above its chart; unique
    double start = 0;         ///< the price before the first tick, greater than 0
    double drift = 0;         ///< expected growth per tick: E[S'/S] = exp(drift)
    double volatility = 0;    ///< standard deviation of the log-return per tick, 0 or more
};

/** The limits a configuration must keep (README: "Decisions"). */
namespace market_limits {
inline constexpr std::size_t max_instruments = 20;       ///< one chart each: more would not fit a page
inline constexpr std::size_t max_name_bytes = 64;        ///< a chart title, not an essay
inline constexpr double max_start = 1e6;                 ///< a start price of at most a million
inline constexpr double max_abs_drift = 0.5;             ///< |drift| per tick
inline constexpr double max_volatility = 0.5;            ///< volatility per tick
inline constexpr std::size_t max_file_bytes = 64 * 1024; ///< a configuration file is small
inline constexpr double price_floor = 1e-300;            ///< prices never fall below this …
inline constexpr double price_ceiling = 1e300;           ///< … nor rise above this (see gbm_step())
}  // namespace market_limits

/**
 * The two cakes of the article's example, each starting at 20.
 * Princesstårta is the fancy, nervous one (2 % per tick, drifting up);
 * Mandel kubb the everyday, calm one (1 % per tick, drifting up more slowly).
 */
inline std::vector<instrument> default_instruments()
{
    return {{"Princesstårta", 20.0, 0.0005, 0.02}, {"Mandel kubb", 20.0, 0.0002, 0.01}};
}

/**
 * One tick of geometric Brownian motion for a price @p price with the standard
 * normal draw @p z.
 *
 * The result is kept between market_limits::price_floor and price_ceiling: a
 * double would overflow to infinity (or underflow to 0) after enough ticks with
 * an extreme drift, and neither is a price JSON can carry. The bounds are far
 * enough out (a factor of about e^690 from 1) that they change nothing a chart
 * shows: the default cakes would need thousands of years of ticks to get there,
 * and even the widest drift the configuration allows needs over a thousand.
 */
double gbm_step(double price, double drift, double volatility, double z);

/**
 * Prices of a set of instruments, moved one tick at a time by one random generator.
 *
 * The generator is std::mt19937_64, whose sequence the C++ standard fixes for a
 * given seed. The normal draws come from std::normal_distribution, whose
 * algorithm the standard leaves to the library: the same seed gives the same
 * prices with the same standard library (libstdc++ here), not necessarily with
 * another one (libc++, MSVC).
 */
class market
{
public:
    /** Starts every instrument at its start price; @p seed fixes every later tick. */
    market(std::vector<instrument> instruments, std::uint64_t seed)
        : instruments_(std::move(instruments)), engine_(seed)
    {
        for(auto const& item : instruments_)
            prices_.push_back(item.start);
    }

    /** The instruments, in the order of the configuration. */
    std::vector<instrument> const& instruments() const { return instruments_; }
    /** The current price of each instrument, in the same order. */
    std::vector<double> const& prices() const { return prices_; }

    /** Moves every price by one tick and returns the new prices. */
    std::vector<double> const& step()
    {
        // One independent draw per instrument, always in the same order, so that a
        // seed fixes the whole path of every instrument.
        for(std::size_t i = 0; i < prices_.size(); ++i)
            prices_[i] = gbm_step(prices_[i], instruments_[i].drift, instruments_[i].volatility,
                                  normal_(engine_));
        return prices_;
    }

private:
    std::vector<instrument> instruments_;
    std::vector<double> prices_;
    std::mt19937_64 engine_;
    std::normal_distribution<double> normal_{0.0, 1.0};
};

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

/** Looks up an environment variable: std::getenv in the server, a map in the unit tests. */
using env_lookup = std::function<char const*(char const*)>;

namespace market_detail {

/** Reads a whole number from @p text for the variable @p name, within [@p min, @p max]. */
inline std::uint64_t whole_number(char const* name, std::string const& text, std::uint64_t min,
                                  std::uint64_t max, char const* unit)
{
    // strtoull would take "12abc", " 12" and "-1"; insist on digits only.
    if(text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
        throw config_error(std::string(name) + "='" + text + "': must be a whole number" + unit);
    errno = 0;
    unsigned long long const number = std::strtoull(text.c_str(), nullptr, 10);
    if(errno == ERANGE || number < min || number > max)
        throw config_error(std::string(name) + "=" + text + ": must be between " + std::to_string(min) +
                           " and " + std::to_string(max) + unit);
    return number;
}

}  // namespace market_detail

/**
 * Reads PRICES_CONFIG, PRICES_INTERVAL_MS and PRICES_SEED through @p env.
 *
 * - PRICES_CONFIG: a JSON file of instruments (load_instruments()); unset or
 *   empty: the two cakes of default_instruments().
 * - PRICES_INTERVAL_MS: milliseconds between ticks, 1 to 86400000 (a day); default 5000.
 * - PRICES_SEED: a whole number 0 to 2^64-1; unset or empty: a random seed, which
 *   the server prints so that the run can be repeated.
 *
 * @throws config_error with one line naming the variable (and the file and field).
 */
inline price_settings read_price_settings(env_lookup env)
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
    if(std::string const text = value("PRICES_INTERVAL_MS"); !text.empty())
        settings.interval = std::chrono::milliseconds(
            market_detail::whole_number("PRICES_INTERVAL_MS", text, 1, 86400000, " of milliseconds"));
    if(std::string const text = value("PRICES_SEED"); !text.empty())
    {
        settings.seed = market_detail::whole_number("PRICES_SEED", text, 0,
                                                    std::numeric_limits<std::uint64_t>::max(), "");
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
