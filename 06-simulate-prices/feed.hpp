/**
 * @file
 * @brief The price feed's application protocol: the market, its recent history,
 *        and the two JSON messages a client receives. No networking here either.
 *
 * The article's example sent its prices with socket.io events; this step sends
 * JSON text over a plain WebSocket, in two message types:
 *
 * - `{"type":"history","points":[<point>, …]}`: sent once to a client that has just
 *   connected, the most recent points (up to 1000), oldest first, so that its
 *   chart is never empty;
 * - `{"type":"prices","time":…,"prices":[…]}`: sent to every client at every tick,
 *
 * where a point is `{"time":<ms since 1970 UTC>,"prices":[{"name":"…","price":…},…]}`,
 * the instruments in the order of the configuration. A `prices` message is a
 * point with a `type` in front, so a client handles both with the same code.
 */
#pragma once

#include "market.hpp"
#include "price_settings.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

/** The prices of every instrument at one moment. */
struct price_point
{
    std::int64_t time = 0;        ///< milliseconds since 1970-01-01 UTC, like JavaScript's Date.now()
    std::vector<double> prices;   ///< one price per instrument, in the configuration's order
};

/**
 * The market, the last points it went through, and the messages that describe them.
 *
 * Each message is serialized once and shared (`std::shared_ptr<std::string const>`):
 * a tick goes to every client as the same string, and the history is rebuilt only
 * after a tick, however many clients connect in between.
 */
class price_feed
{
public:
    /** How many points the history keeps: a client's chart starts with at most this many. */
    static constexpr std::size_t history_capacity = 1000;
    /**
     * How many ticks may wait in one client's send queue. A slow client loses the
     * oldest beyond these: eight ticks are 40 s of prices at the default interval.
     */
    static constexpr std::size_t max_unsent_ticks = 8;

    /** Starts the market of @p settings; the start prices at @p start_time are the first point. */
    price_feed(price_settings const& settings, std::int64_t start_time)
        : market_(settings.instruments, settings.seed)
    {
        // A client that connects before the first tick still gets one point to draw.
        remember({start_time, market_.prices()});
    }

    /** The instruments, in the configuration's order. */
    std::vector<instrument> const& instruments() const { return market_.instruments(); }
    /** The points kept for new clients, oldest first. */
    std::deque<price_point> const& history() const { return history_; }

    /** Moves every price one tick at @p time and returns the `prices` message for every client. */
    std::shared_ptr<std::string const> tick(std::int64_t time)
    {
        price_point point{time, market_.step()};
        // nlohmann::ordered_json keeps the keys in the order written, as the docs show them.
        nlohmann::ordered_json message{{"type", "prices"}};
        message.update(point_json(point));
        auto text = std::make_shared<std::string const>(message.dump());
        remember(std::move(point));
        return text;
    }

    /** The `history` message for a client that has just connected. */
    std::shared_ptr<std::string const> history_message()
    {
        // Built on demand and kept until the next tick changes the history.
        if(!history_text_)
        {
            nlohmann::ordered_json message{{"type", "history"}, {"points", nlohmann::ordered_json::array()}};
            for(auto const& point : history_)
                message["points"].push_back(point_json(point));
            history_text_ = std::make_shared<std::string const>(message.dump());
        }
        return history_text_;
    }

private:
    /** A point as JSON: its time and one `{"name","price"}` object per instrument. */
    nlohmann::ordered_json point_json(price_point const& point) const
    {
        nlohmann::ordered_json prices = nlohmann::ordered_json::array();
        for(std::size_t i = 0; i < point.prices.size(); ++i)
            prices.push_back({{"name", market_.instruments()[i].name}, {"price", point.prices[i]}});
        return {{"time", point.time}, {"prices", std::move(prices)}};
    }

    void remember(price_point point);

    market market_;
    std::deque<price_point> history_;
    std::shared_ptr<std::string const> history_text_;
};
