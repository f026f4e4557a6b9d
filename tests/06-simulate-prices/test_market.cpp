/**
 * @file
 * @brief Unit tests of 06-simulate-prices' model (market.hpp) and protocol (feed.hpp):
 *        pure logic, no server, no Beast.
 *
 * The statistical tests use fixed seeds, so they give the same answer on every
 * run with the same standard library; their bounds are a few standard errors
 * wide, so that another library's normal_distribution passes them too.
 */
#include "../../06-simulate-prices/feed.hpp"
#include "../../06-simulate-prices/send_queue.hpp"
#include "scratch.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace {

/** The statistics of a sample that the tests compare with the model. */
struct sample_stats
{
    double mean = 0;
    double sd = 0;        ///< sample standard deviation
    double skewness = 0;
    double kurtosis = 0;  ///< 3 for a normal distribution (not the "excess" kurtosis)
};

sample_stats stats_of(std::vector<double> const& x)
{
    sample_stats s;
    double const n = static_cast<double>(x.size());
    for(double v : x)
        s.mean += v / n;
    double m2 = 0, m3 = 0, m4 = 0;
    for(double v : x)
    {
        double const d = v - s.mean;
        m2 += d * d / n;
        m3 += d * d * d / n;
        m4 += d * d * d * d / n;
    }
    s.sd = std::sqrt(m2 * n / (n - 1));
    s.skewness = m3 / std::pow(m2, 1.5);
    s.kurtosis = m4 / (m2 * m2);
    return s;
}

/** The standard normal distribution function. */
double phi(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

/** Kolmogorov–Smirnov distance between the sample @p z and N(0,1). */
double ks_distance(std::vector<double> z)
{
    std::sort(z.begin(), z.end());
    double const n = static_cast<double>(z.size());
    double d = 0;
    for(std::size_t i = 0; i < z.size(); ++i)
    {
        double const f = phi(z[i]);
        d = std::max({d, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
    }
    return d;
}

/** The log-returns ln(S'/S) of instrument @p index over @p steps ticks. */
std::vector<double> log_returns(market& m, std::size_t index, std::size_t steps)
{
    std::vector<double> result;
    result.reserve(steps);
    for(std::size_t t = 0; t < steps; ++t)
    {
        double const before = m.prices()[index];
        double const after = m.step()[index];
        result.push_back(std::log(after / before));
    }
    return result;
}

/** Log-returns standardized with the model's own mean and volatility: N(0,1) if the model is right. */
std::vector<double> standardized(std::vector<double> r, instrument const& item)
{
    for(double& v : r)
        v = (v - (item.drift - item.volatility * item.volatility / 2)) / item.volatility;
    return r;
}

constexpr std::size_t steps = 20000;
// 1 % critical value of the KS distance is 1.63/sqrt(n); 1.95/sqrt(n) is 0.1 %.
double const ks_bound = 1.95 / std::sqrt(static_cast<double>(steps));
std::uint64_t const seeds[] = {1, 2, 42, 1337, 20261127};

/** Instruments from calm to wild, including one where Itô's correction is large. */
std::vector<instrument> const cases = {
    {"calm", 20, 0.0002, 0.01},
    {"cake", 20, 0.002, 0.03},
    {"wild", 20, 0.05, 0.3},
};

}  // namespace

namespace {

/** The model's unit tests, with a scratch folder for configuration files. */
class MarketUnit : public testing::Test
{
protected:
    scratch_dir dir_;

    /** Writes @p text to the file @p name in the scratch folder and returns its path. */
    std::string write(std::string const& name, std::string const& text) { return dir_.write(name, text); }

    /** The error read_price_settings() gives for @p env, or "" when it accepts. */
    static std::string error_of(std::map<std::string, std::string> const& env)
    {
        try
        {
            read_price_settings([&](char const* name) -> char const* {
                auto const it = env.find(name);
                return it == env.end() ? nullptr : it->second.c_str();
            });
            return "";
        }
        catch(std::runtime_error const& e)
        {
            return e.what();
        }
    }
};

}  // namespace

// --- the process ---------------------------------------------------------------

TEST_F(MarketUnit, kit_OneStepIsTheGeometricBrownianMotionFormula)
{
    // With Z = 0 the price moves by exactly exp(drift - volatility^2/2).
    EXPECT_DOUBLE_EQ(gbm_step(20, 0.002, 0.03, 0), 20 * std::exp(0.002 - 0.00045));
    // With Z = 1 one volatility is added to the log-return.
    EXPECT_DOUBLE_EQ(gbm_step(20, 0.002, 0.03, 1), 20 * std::exp(0.002 - 0.00045 + 0.03));
    // Without volatility the price grows by exactly exp(drift) whatever Z is.
    EXPECT_DOUBLE_EQ(gbm_step(10, 0.01, 0, 2.5), 10 * std::exp(0.01));
}

TEST_F(MarketUnit, kit_LogReturnsHaveTheModelsMeanAndStandardDeviation)
{
    for(auto const& item : cases)
        for(auto seed : seeds)
        {
            market m({item}, seed);
            auto const s = stats_of(log_returns(m, 0, steps));
            double const n = static_cast<double>(steps);
            double const expected_mean = item.drift - item.volatility * item.volatility / 2;
            // Standard errors of a normal sample's mean and standard deviation.
            double const se_mean = item.volatility / std::sqrt(n);
            double const se_sd = item.volatility / std::sqrt(2 * n);
            EXPECT_NEAR(s.mean, expected_mean, 4 * se_mean) << item.name << " seed " << seed;
            EXPECT_NEAR(s.sd, item.volatility, 4 * se_sd) << item.name << " seed " << seed;
        }
}

TEST_F(MarketUnit, kit_ItosCorrectionIsThere)
{
    // For the wild instrument, drift and drift - volatility^2/2 lie 20 standard errors
    // apart: a model that forgot the correction would fail here.
    instrument const wild = cases[2];
    market m({wild}, 7);
    auto const s = stats_of(log_returns(m, 0, steps));
    double const se_mean = wild.volatility / std::sqrt(static_cast<double>(steps));
    EXPECT_GT(std::abs(s.mean - wild.drift), 10 * se_mean);
}

TEST_F(MarketUnit, kit_ExpectedGrowthPerTickIsExpOfTheDrift)
{
    // E[S'/S] = exp(drift): that is what "drift" means to a reader of the config.
    instrument const wild = cases[2];
    market m({wild}, 11);
    std::vector<double> ratios;
    for(double r : log_returns(m, 0, steps))
        ratios.push_back(std::exp(r));
    auto const s = stats_of(ratios);
    double const se = s.sd / std::sqrt(static_cast<double>(steps));
    EXPECT_NEAR(s.mean, std::exp(wild.drift), 4 * se);
}

TEST_F(MarketUnit, kit_StepsAreGaussianNotCoinFlips)
{
    for(auto const& item : cases)
        for(auto seed : seeds)
        {
            market m({item}, seed);
            auto const z = standardized(log_returns(m, 0, steps), item);
            auto const s = stats_of(z);
            double const n = static_cast<double>(steps);
            // A normal sample: skewness 0 (SE sqrt(6/n)), kurtosis 3 (SE sqrt(24/n)).
            EXPECT_NEAR(s.skewness, 0, 4 * std::sqrt(6 / n)) << item.name << " seed " << seed;
            EXPECT_NEAR(s.kurtosis, 3, 4 * std::sqrt(24 / n)) << item.name << " seed " << seed;
            // About 68.27 % of the steps lie within one volatility of the mean.
            double const within = static_cast<double>(std::count_if(z.begin(), z.end(), [](double v) {
                                      return std::abs(v) < 1;
                                  })) / n;
            EXPECT_NEAR(within, 0.6827, 4 * std::sqrt(0.6827 * 0.3173 / n)) << item.name;
            EXPECT_LT(ks_distance(z), ks_bound) << item.name << " seed " << seed;
        }
}

TEST_F(MarketUnit, kit_TheGaussianChecksWouldCatchTheArticlesCoinFlipWalk)
{
    // The article's example moves each price up or down by a fixed amount: every
    // standardized step is +1 or -1. The checks above must reject such a walk.
    std::mt19937_64 engine(3);
    std::vector<double> z;
    for(std::size_t i = 0; i < steps; ++i)
        z.push_back(engine() % 2 ? 1.0 : -1.0);
    auto const s = stats_of(z);
    EXPECT_GT(std::abs(s.kurtosis - 3), 1.5);  // a coin flip has kurtosis 1
    EXPECT_GT(ks_distance(z), 10 * ks_bound);  // about 0.34
}

TEST_F(MarketUnit, kit_InstrumentsMoveIndependently)
{
    // Each instrument draws its own Z: the same draw for all would correlate them fully.
    market m({cases[1], cases[1], cases[0]}, 5);
    std::vector<std::vector<double>> r(3);
    for(std::size_t t = 0; t < steps; ++t)
    {
        auto const before = m.prices();
        auto const& after = m.step();
        for(std::size_t i = 0; i < 3; ++i)
            r[i].push_back(std::log(after[i] / before[i]));
    }
    auto correlation = [](std::vector<double> const& a, std::vector<double> const& b) {
        auto const sa = stats_of(a);
        auto const sb = stats_of(b);
        double sum = 0;
        for(std::size_t i = 0; i < a.size(); ++i)
            sum += (a[i] - sa.mean) * (b[i] - sb.mean);
        return sum / static_cast<double>(a.size() - 1) / (sa.sd * sb.sd);
    };
    double const bound = 4 / std::sqrt(static_cast<double>(steps));
    EXPECT_LT(std::abs(correlation(r[0], r[1])), bound);
    EXPECT_LT(std::abs(correlation(r[0], r[2])), bound);
    EXPECT_LT(std::abs(correlation(r[1], r[2])), bound);
}

TEST_F(MarketUnit, kit_PricesStayPositiveAndFinite)
{
    // The widest drift and volatility the config allows, in both directions, for long runs.
    for(double drift : {-market_limits::max_abs_drift, 0.0, market_limits::max_abs_drift})
    {
        market m({{"x", 20, drift, market_limits::max_volatility}}, 9);
        for(std::size_t t = 0; t < steps; ++t)
        {
            double const price = m.step()[0];
            ASSERT_TRUE(std::isfinite(price)) << "drift " << drift << " tick " << t;
            ASSERT_GE(price, market_limits::price_floor) << "drift " << drift << " tick " << t;
            ASSERT_LE(price, market_limits::price_ceiling) << "drift " << drift << " tick " << t;
        }
    }
}

TEST_F(MarketUnit, kit_TheSameSeedGivesTheSamePathAndAnotherSeedAnother)
{
    auto path = [](std::uint64_t seed) {
        market m(default_instruments(), seed);
        std::vector<double> all;
        for(int t = 0; t < 1000; ++t)
            for(double p : m.step())
                all.push_back(p);
        return all;
    };
    EXPECT_EQ(path(123), path(123));
    EXPECT_NE(path(123), path(124));
}

TEST_F(MarketUnit, kit_DefaultsAreTheTwoCakesAtTwenty)
{
    auto const items = default_instruments();
    ASSERT_EQ(items.size(), 2u);
    EXPECT_EQ(items[0].name, "Princesstårta");
    EXPECT_EQ(items[1].name, "Mandel kubb");
    for(auto const& item : items)
    {
        EXPECT_EQ(item.start, 20);
        EXPECT_GT(item.volatility, 0);
    }
    market m(items, 1);
    EXPECT_EQ(m.prices(), (std::vector<double>{20, 20}));
}

// --- the configuration ------------------------------------------------------------

TEST_F(MarketUnit, kit_ParsesAGoodConfiguration)
{
    auto const items = parse_instruments(
        R"([{"name": "Princesstårta", "start": 20, "drift": 0.002, "volatility": 0.03},
            {"name": "Semla", "start": 35.5, "drift": -0.001, "volatility": 0}])",
        "cakes.json");
    ASSERT_EQ(items.size(), 2u);
    EXPECT_EQ(items[0].name, "Princesstårta");
    EXPECT_EQ(items[0].start, 20);
    EXPECT_EQ(items[0].drift, 0.002);
    EXPECT_EQ(items[0].volatility, 0.03);
    EXPECT_EQ(items[1].name, "Semla");
    EXPECT_EQ(items[1].start, 35.5);
    EXPECT_EQ(items[1].drift, -0.001);
    EXPECT_EQ(items[1].volatility, 0);
}

namespace {

/** A configuration text and what its error message must say. */
struct bad_config
{
    char const* what;
    std::string text;
    std::string expected;  ///< the message after "cakes.json: "
};

std::string const good = R"({"name": "A", "start": 20, "drift": 0.001, "volatility": 0.02})";

}  // namespace

TEST_F(MarketUnit, kit_EveryBadConfigurationNamesTheFileAndTheField)
{
    bad_config const cases[] = {
        {"not JSON", "[{", "not valid JSON: "},
        {"empty file", "", "not valid JSON: "},
        {"invalid UTF-8", "[{\"name\": \"caf\xc3\"}]", "not valid JSON: "},
        {"an object", R"({"name": "A"})", "must be a JSON array of instruments, got an object"},
        {"empty array", "[]", "the array is empty"},
        {"too many", "[" + [] {
             std::string all;
             for(int i = 0; i < 21; ++i)
                 all += (i ? "," : "") + std::string(R"({"name":"c)") + std::to_string(i) +
                        R"(","start":1,"drift":0,"volatility":0})";
             return all;
         }() + "]",
         "21 instruments; at most 20"},
        {"not an object", "[" + good + ", 5]", "[1]: must be an object"},
        {"unknown field", R"([{"name": "A", "start": 20, "drift": 0, "volatilty": 0.02}])",
         "[0].volatilty: unknown field"},
        {"no name", R"([{"start": 20, "drift": 0, "volatility": 0.02}])", "[0].name: missing"},
        {"name a number", R"([{"name": 5, "start": 20, "drift": 0, "volatility": 0.02}])",
         "[0].name: must be a string, got a number"},
        {"empty name", R"([{"name": "", "start": 20, "drift": 0, "volatility": 0.02}])",
         "[0].name: must not be empty"},
        {"long name", R"([{"name": ")" + std::string(65, 'x') + R"(", "start": 20, "drift": 0, "volatility": 0.02}])",
         "[0].name: longer than 64 bytes"},
        {"duplicate", "[" + good + "," + good + "]", "[1].name: \"A\" is already the name of [0]"},
        {"no start", R"([{"name": "A", "drift": 0, "volatility": 0.02}])", "[0].start: missing"},
        {"start a string", R"([{"name": "A", "start": "20", "drift": 0, "volatility": 0.02}])",
         "[0].start: must be a number, got a string"},
        {"start 0", R"([{"name": "A", "start": 0, "drift": 0, "volatility": 0.02}])",
         "[0].start: must be greater than 0 and at most 1000000, got 0"},
        {"start negative", R"([{"name": "A", "start": -3, "drift": 0, "volatility": 0.02}])",
         "[0].start: must be greater than 0"},
        {"start huge", R"([{"name": "A", "start": 1e7, "drift": 0, "volatility": 0.02}])",
         "[0].start: must be greater than 0 and at most 1000000"},
        {"no drift", R"([{"name": "A", "start": 20, "volatility": 0.02}])", "[0].drift: missing"},
        {"drift a boolean", R"([{"name": "A", "start": 20, "drift": true, "volatility": 0.02}])",
         "[0].drift: must be a number, got a boolean"},
        {"drift too large", R"([{"name": "A", "start": 20, "drift": 0.6, "volatility": 0.02}])",
         "[0].drift: must be between -0.5 and 0.5 per tick, got 0.6"},
        {"no volatility", R"([{"name": "A", "start": 20, "drift": 0}])", "[0].volatility: missing"},
        {"volatility null", R"([{"name": "A", "start": 20, "drift": 0, "volatility": null}])",
         "[0].volatility: must be a number, got null"},
        {"volatility negative", R"([{"name": "A", "start": 20, "drift": 0, "volatility": -0.01}])",
         "[0].volatility: must be between 0 and 0.5 per tick, got -0.01"},
        {"volatility too large", R"([{"name": "A", "start": 20, "drift": 0, "volatility": 2}])",
         "[0].volatility: must be between 0 and 0.5 per tick, got 2"},
    };
    for(auto const& bad : cases)
    {
        try
        {
            parse_instruments(bad.text, "cakes.json");
            ADD_FAILURE() << bad.what << ": accepted";
        }
        catch(config_error const& e)
        {
            std::string const message = e.what();
            EXPECT_EQ(message.rfind("cakes.json: " + bad.expected, 0), 0u)
                << bad.what << ": " << message;
            EXPECT_EQ(message.find('\n'), std::string::npos) << bad.what << ": one line, please";
        }
    }
}

TEST_F(MarketUnit, kit_LoadsAFileAndRefusesMissingDirectoryAndHugeFiles)
{
    auto const path = write("cakes.json", "[" + good + "]");
    auto const items = load_instruments(path);
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items[0].name, "A");

    auto error_of_load = [](std::string const& file) -> std::string {
        try
        {
            load_instruments(file);
            return "";
        }
        catch(config_error const& e)
        {
            return e.what();
        }
    };
    std::string const missing = (dir_.path() / "nope.json").string();
    EXPECT_EQ(error_of_load(missing), missing + ": cannot open: No such file or directory");
    EXPECT_EQ(error_of_load(dir_.path().string()), dir_.path().string() + ": is a directory, not a file");
    auto const huge = write("huge.json", std::string(market_limits::max_file_bytes + 1, ' '));
    EXPECT_EQ(error_of_load(huge).rfind(huge + ": larger than 65536 bytes", 0), 0u) << error_of_load(huge);
    auto const bad = write("bad.json", R"([{"name": "A", "start": -1, "drift": 0, "volatility": 0}])");
    EXPECT_EQ(error_of_load(bad).rfind(bad + ": [0].start: must be greater than 0", 0), 0u);
}

TEST_F(MarketUnit, kit_SettingsHaveDefaultsAndReadTheEnvironment)
{
    auto const defaults = read_price_settings([](char const*) -> char const* { return nullptr; });
    EXPECT_EQ(defaults.instruments.size(), 2u);
    EXPECT_EQ(defaults.interval, std::chrono::milliseconds(5000));
    EXPECT_FALSE(defaults.seed_given);

    auto const path = write("cakes.json", "[" + good + "]");
    std::map<std::string, std::string> const env = {
        {"PRICES_CONFIG", path}, {"PRICES_INTERVAL_MS", "50"}, {"PRICES_SEED", "18446744073709551615"}};
    auto const settings = read_price_settings([&](char const* name) -> char const* {
        auto const it = env.find(name);
        return it == env.end() ? nullptr : it->second.c_str();
    });
    ASSERT_EQ(settings.instruments.size(), 1u);
    EXPECT_EQ(settings.source, path);
    EXPECT_EQ(settings.interval, std::chrono::milliseconds(50));
    EXPECT_TRUE(settings.seed_given);
    EXPECT_EQ(settings.seed, 18446744073709551615ull);
}

TEST_F(MarketUnit, kit_BadSettingsNameTheVariable)
{
    auto const bad = write("bad.json", "[]");
    std::map<std::string, std::string> const cases[] = {
        {{"PRICES_CONFIG", bad}},
        {{"PRICES_INTERVAL_MS", "fast"}},
        {{"PRICES_INTERVAL_MS", "-5"}},
        {{"PRICES_INTERVAL_MS", "0"}},
        {{"PRICES_INTERVAL_MS", "86400001"}},
        {{"PRICES_INTERVAL_MS", "99999999999999999999999"}},
        {{"PRICES_SEED", "abc"}},
        {{"PRICES_SEED", "-1"}},
        {{"PRICES_SEED", "1.5"}},
        {{"PRICES_SEED", "18446744073709551616"}},
    };
    for(auto const& env : cases)
    {
        auto const& [name, value] = *env.begin();
        std::string const message = error_of(env);
        EXPECT_EQ(message.rfind(name, 0), 0u) << name << "=" << value << ": " << message;
        if(name == "PRICES_CONFIG")
        {
            EXPECT_NE(message.find(bad), std::string::npos) << message;
        }
    }
}

// --- the protocol ----------------------------------------------------------------------

TEST(FeedUnit, kit_HistoryStartsWithTheStartPricesAndKeepsTheLast1000Points)
{
    price_settings settings;
    settings.seed = 4;
    price_feed feed(settings, 1000);
    ASSERT_EQ(feed.history().size(), 1u);
    EXPECT_EQ(feed.history().front().time, 1000);
    EXPECT_EQ(feed.history().front().prices, (std::vector<double>{20, 20}));

    for(std::int64_t t = 1; t <= 1200; ++t)
        feed.tick(1000 + t);
    ASSERT_EQ(feed.history().size(), price_feed::history_capacity);
    EXPECT_EQ(feed.history().front().time, 1000 + 201);  // the oldest 201 points are gone
    EXPECT_EQ(feed.history().back().time, 1000 + 1200);
}

TEST(FeedUnit, kit_MessagesFollowTheDocumentedSchema)
{
    price_settings settings;
    settings.seed = 4;
    price_feed feed(settings, 1700000000000);
    auto const history = nlohmann::json::parse(*feed.history_message());
    EXPECT_EQ(history.dump(),
              R"({"points":[{"prices":[{"name":"Princesstårta","price":20.0},{"name":"Mandel kubb","price":20.0}],"time":1700000000000}],"type":"history"})");
    // Keys in the documented order, for people who read the traffic.
    EXPECT_EQ(feed.history_message()->rfind(R"({"type":"history","points":[{"time":1700000000000,"prices":[)", 0), 0u)
        << *feed.history_message();

    auto const text = feed.tick(1700000005000);
    EXPECT_EQ(text->rfind(R"({"type":"prices","time":1700000005000,"prices":[{"name":"Princesstårta","price":)", 0), 0u)
        << *text;
    auto const tick = nlohmann::json::parse(*text);
    ASSERT_EQ(tick["prices"].size(), 2u);
    EXPECT_EQ(tick["prices"][0]["price"].get<double>(), feed.history().back().prices[0]);
    EXPECT_EQ(tick["prices"][1]["name"], "Mandel kubb");
}

TEST(FeedUnit, kit_TheHistoryMessageIsSharedUntilTheNextTick)
{
    price_settings settings;
    settings.seed = 4;
    price_feed feed(settings, 0);
    auto const first = feed.history_message();
    EXPECT_EQ(feed.history_message(), first) << "two clients share one serialized history";
    feed.tick(1);
    auto const second = feed.history_message();
    EXPECT_NE(second, first);
    EXPECT_EQ(nlohmann::json::parse(*second)["points"].size(), 2u);
}

// --- the send queue: a full queue loses its oldest ticks, not its client ---------------

namespace {

outgoing_message queued(std::string text, bool tick)
{
    return {std::make_shared<std::string const>(std::move(text)), false, tick};
}

}  // namespace

TEST(SendQueueUnit, kit_ANewTickPushesOutTheOldestWaitingTickNeverTheHistory)
{
    send_queue queue(1000, 1000, 2);
    EXPECT_TRUE(queue.push(queued("history", false), false).accepted);
    EXPECT_TRUE(queue.push(queued("t1", true), false).accepted);
    EXPECT_TRUE(queue.push(queued("t2", true), false).accepted);
    auto const third = queue.push(queued("t3", true), false);
    EXPECT_TRUE(third.accepted);
    EXPECT_TRUE(third.dropped);
    EXPECT_EQ(queue.size(), 3u);
    EXPECT_EQ(*queue.front().data, "history");
    queue.pop();
    EXPECT_EQ(*queue.front().data, "t2");
}

TEST(SendQueueUnit, kit_TheTickBeingWrittenStays)
{
    send_queue queue(1000, 1000, 1);
    EXPECT_TRUE(queue.push(queued("t1", true), false).accepted);
    // t1 is being written: only t2 waits, and t3 pushes out t2, not t1.
    EXPECT_TRUE(queue.push(queued("t2", true), true).accepted);
    EXPECT_TRUE(queue.push(queued("t3", true), true).dropped);
    EXPECT_EQ(*queue.front().data, "t1");
    queue.pop();
    EXPECT_EQ(*queue.front().data, "t3");
    EXPECT_EQ(queue.bytes(), 2u);
}

