/**
 * @file
 * @brief One tick of geometric Brownian motion: the price model of market.hpp.
 *
 * Defined here rather than in market.hpp, which every file of the step includes, so
 * that an edit of it (it holds a lab gap, docs/lab.md) recompiles this one small file.
 */
#include "market.hpp"

#include <algorithm>
#include <cmath>

double gbm_step(double price, double drift, double volatility, double z)
{
    // [lab:gbm] One step of geometric Brownian motion with dt = 1 tick: the log-return is
    //   normal, mean drift - volatility^2/2 and standard deviation volatility (z is the draw);
    //   the next price is the price times exp(log-return), so it stays positive.
    // The log-return is normal: mean drift - volatility^2/2, standard deviation volatility.
    double const log_return = (drift - volatility * volatility / 2) + volatility * z;
    double const next = price * std::exp(log_return);
    // [lab:gbm]
    // exp() is never negative, so only the floating-point ends need a guard.
    return std::clamp(next, market_limits::price_floor, market_limits::price_ceiling);
}
