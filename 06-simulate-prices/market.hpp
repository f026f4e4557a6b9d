/**
 * @file
 * @brief The price model of this step: instruments whose prices follow geometric
 *        Brownian motion, and nothing of files or the network (price_settings.hpp
 *        reads the instruments from a file and the environment).
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

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
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
