/**
 * @file
 * @brief The subprotocol rules (subprotocol_rules.hpp), as tests.
 */
#include "subprotocol_rules.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>
#include <regex>
#include <string>
#include <tuple>
#include <vector>

using namespace harness;

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SubprotocolRules);

namespace {

/**
 * Opens one client per entry of @p offers, in order, and takes the greetings they get
 * (settled(): the greeting's words are a test of their own), so the tests start with every
 * inbox empty.
 */
std::vector<std::unique_ptr<ws_client>> open_clients(program_ref const& p, server const& s,
                                                     std::vector<std::vector<std::string>> const& offers)
{
    std::vector<std::unique_ptr<ws_client>> clients;
    std::vector<ws_client*> all;
    for(auto const& offer : offers)
    {
        clients.push_back(ws_client::connect_or_throw(s.port(), p.offering(offer)));
        all.push_back(clients.back().get());
    }
    EXPECT_TRUE(settled(all));
    return clients;
}

/** Seconds between @p iso (ISO 8601 UTC, `2026-11-27T13:46:15.123Z`) and now; -1 when not that form. */
long long seconds_from_now(std::string const& iso)
{
    std::smatch m;
    static std::regex const form(R"(^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{3}Z$)");
    if(!std::regex_match(iso, m, form))
        return -1;
    std::tm utc{};
    utc.tm_year = std::stoi(m[1]) - 1900;
    utc.tm_mon = std::stoi(m[2]) - 1;
    utc.tm_mday = std::stoi(m[3]);
    utc.tm_hour = std::stoi(m[4]);
    utc.tm_min = std::stoi(m[5]);
    utc.tm_sec = std::stoi(m[6]);
    long long const then = timegm(&utc);
    long long const now = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch()).count();
    return then > now ? then - now : now - then;
}

/**
 * Receives one message on a `json` client and checks that it is exactly
 * `{"timestamp": <ISO 8601 UTC, about now>, "data": <text>}`.
 * @return the data, or nothing (after a test failure) when the message is not of that form
 */
std::optional<std::string> receive_json_data(ws_client& client)
{
    auto const got = client.receive();
    if(!got)
    {
        ADD_FAILURE() << "a json client received nothing (" << client.state() << ")";
        return std::nullopt;
    }
    EXPECT_FALSE(got->binary) << "JSON travels in text frames";
    auto const document = nlohmann::json::parse(got->data, nullptr, false);
    if(!document.is_object() || document.size() != 2 || !document.contains("timestamp") ||
       !document.contains("data") || !document["timestamp"].is_string() || !document["data"].is_string())
    {
        ADD_FAILURE() << "expected {\"timestamp\": \"…\", \"data\": \"…\"}, got " << got->data;
        return std::nullopt;
    }
    long long const off = seconds_from_now(document["timestamp"].get<std::string>());
    EXPECT_GE(off, 0) << "timestamp is not ISO 8601 UTC with milliseconds: " << document["timestamp"];
    EXPECT_LT(off, 300) << "timestamp is not about now: " << document["timestamp"];
    return document["data"].get<std::string>();
}

/** Receives one text message and returns its text (empty, after a test failure, if none came). */
std::string receive_text(ws_client& client)
{
    auto const got = client.receive();
    EXPECT_TRUE(got) << "expected a message, got nothing (" << client.state() << ")";
    if(!got)
        return {};
    EXPECT_FALSE(got->binary) << "expected a text message, got a binary one";
    return got->data;
}

}  // namespace

// --- negotiation ----------------------------------------------------------------

namespace {

/** One subprotocol offer and the name the server must choose ("": none, no header). */
struct offer_case
{
    std::vector<std::string> offers;
    char const* chosen;
};

/** Connects with each offer of @p cases and checks the 101 and its Sec-WebSocket-Protocol. */
void expect_choices(program_ref const& p, server const& s, std::vector<offer_case> const& cases)
{
    for(auto const& c : cases)
    {
        std::string offer;
        for(auto const& o : c.offers)
            offer += (offer.empty() ? "" : ",") + o;
        auto client = ws_client::connect(s.port(), p.offering(c.offers));
        // RFC 6455 §4.2.2: the server still answers 101; without a header when it picked none.
        ASSERT_TRUE(client->result().upgraded) << offer << ": " << describe(client->result());
        EXPECT_EQ(client->result().status, 101) << offer;
        auto const& headers = client->result().headers;
        auto const header = headers.find("sec-websocket-protocol");
        if(*c.chosen == '\0')
        {
            EXPECT_EQ(header, headers.end()) << offer << ": got '" << header->second << "'";
        }
        else
        {
            ASSERT_NE(header, headers.end()) << offer << ": the 101 names no protocol, expected " << c.chosen;
            EXPECT_EQ(header->second, c.chosen) << offer;
        }
    }
}

}  // namespace

TEST_P(SubprotocolRules, article_ChoosesTheClientsFirstKnownOffer)
{
    auto s = GetParam().start();
    expect_choices(GetParam(), *s,
                   {{{"text"}, "text"},
                    {{"json"}, "json"},
                    {{"json", "text"}, "json"},
                    {{"text", "json"}, "text"},
                    {{"soap", "json"}, "json"},
                    {{"soap", "wamp", "text", "json"}, "text"}});
}

TEST_P(SubprotocolRules, article_LogsTheProtocolsEachClientOffers)
{
    // The article logs the offers as a JavaScript array prints: joined with commas.
    auto s = GetParam().start();
    for(std::vector<std::string> const& offers : {std::vector<std::string>{"json", "text"}, {"soap", "text"}})
    {
        auto client = ws_client::connect(s->port(), GetParam().offering(offers));
        std::string const line = "Incoming protocol requests '" + offers[0] + "," + offers[1] + "'.\n";
        EXPECT_TRUE(s->wait_for_output(line)) << "expected the line '" << line << "'; it printed: " << s->printed();
    }
}

TEST_P(SubprotocolRules, spec_NamesNoProtocolForNoOfferOrOnlyUnknownOnes)
{
    // The article's server refuses these (ws 3 answers 401 when handleProtocols says false);
    // SPEC.md, as RFC 6455, lets them connect as plain clients.
    auto s = GetParam().start();
    expect_choices(GetParam(), *s,
                   {{{}, ""}, {{"soap"}, ""}, {{"soap", "mqtt"}, ""}, {{"JSON", "Text"}, ""}, {{"jsonx", "tex"}, ""}});
}

TEST_P(SubprotocolRules, article_ClientsOfOneProtocolGetItsForm)
{
    // The article formats a message by its sender's protocol (with Date()), SPEC.md by each
    // receiver's (with ISO 8601): where sender and receiver share a protocol, both agree.
    for(std::string const protocol : {"json", "text"})
    {
        auto s = GetParam().start();
        auto a = ws_client::connect_or_throw(s->port(), GetParam().offering({protocol}));
        auto b = ws_client::connect_or_throw(s->port(), GetParam().offering({protocol}));
        ASSERT_TRUE(settled({a.get(), b.get()})) << protocol;
        for(auto [from, to, text] : {std::tuple{a.get(), b.get(), "hello from a"}, std::tuple{b.get(), a.get(), "<b>hi</b> from b"}})
        {
            ASSERT_TRUE(from->send_text(text));
            auto const got = to->receive();
            ASSERT_TRUE(got) << protocol << ": nothing arrived (" << to->state() << ")";
            EXPECT_FALSE(got->binary) << protocol;
            if(protocol == "text")
            {
                EXPECT_EQ(got->data, text);
                continue;
            }
            auto const document = nlohmann::json::parse(got->data, nullptr, false);
            ASSERT_TRUE(document.is_object()) << "a json client gets JSON: " << got->data;
            EXPECT_EQ(document.value("data", std::string("(none)")), text) << got->data;
            EXPECT_TRUE(document.contains("timestamp") && document["timestamp"].is_string()) << got->data;
        }
    }
}

TEST_P(SubprotocolRules, spec_SeveralProtocolHeaderLinesAreOneListInTheClientsOrder)
{
    auto s = GetParam().start();
    struct
    {
        std::vector<std::string> lines;
        char const* chosen;
    } const cases[] = {
        {{"soap", "json, text"}, "json"},
        {{"soap ,\ttext", "json"}, "text"},
        {{"soap", "mqtt"}, ""},
    };
    for(auto const& c : cases)
    {
        // handshake_request() writes each header once, so the extra lines go in by hand.
        std::string request = handshake_request("/");
        std::string extra;
        for(auto const& line : c.lines)
            extra += "Sec-WebSocket-Protocol: " + line + "\r\n";
        request.insert(request.size() - 2, extra);
        raw_socket socket(s->port());
        ASSERT_TRUE(socket.send(request));
        std::string const answer = socket.read_until("\r\n\r\n");
        EXPECT_EQ(status_of(answer), 101) << answer;
        std::smatch m;
        bool const named = std::regex_search(answer, m, std::regex("\r\nSec-WebSocket-Protocol: *([^\r]*)\r\n",
                                                                    std::regex::icase));
        if(*c.chosen == '\0')
        {
            EXPECT_FALSE(named) << answer;
        }
        else
        {
            ASSERT_TRUE(named) << answer;
            EXPECT_EQ(m[1].str(), c.chosen) << answer;
        }
    }
}

// --- greetings --------------------------------------------------------------------

TEST_P(SubprotocolRules, spec_GreetingNamesTheNewClientsProtocol)
{
    auto s = GetParam().start();
    auto plain = ws_client::connect_or_throw(s->port(), GetParam().offering({}));
    auto json = ws_client::connect_or_throw(s->port(), GetParam().offering({"json"}));
    EXPECT_EQ(receive_text(*plain), "New client connected (2) using 'json'.");

    struct
    {
        std::vector<std::string> offers;
        char const* name;
    } const arrivals[] = {
        {{"text"}, "text"},
        {{"soap", "json"}, "json"},
        {{}, "none"},
        {{"soap"}, "none"},
    };
    std::vector<std::unique_ptr<ws_client>> others;
    int count = 2;
    for(auto const& arrival : arrivals)
    {
        others.push_back(ws_client::connect_or_throw(s->port(), GetParam().offering(arrival.offers)));
        ++count;
        std::string const greeting = "New client connected (" + std::to_string(count) +
                                     ") using '" + arrival.name + "'.";
        // The plain client reads the text, the json client the same text inside JSON.
        EXPECT_EQ(receive_text(*plain), greeting);
        EXPECT_EQ(receive_json_data(*json), greeting);
        for(auto& other : others)
            if(other != others.back())
                other->receive();  // earlier arrivals hear of this one too
    }
}

TEST_P(SubprotocolRules, spec_GoodbyeReachesJsonClientsAsJson)
{
    auto s = GetParam().start();
    auto clients = open_clients(GetParam(), *s, {{"json"}, {}});
    ASSERT_TRUE(clients[1]->close());
    EXPECT_EQ(receive_json_data(*clients[0]), "Client disconnected (1).");
}

// --- what each client receives ----------------------------------------------------------

TEST_P(SubprotocolRules, spec_EachReceiverGetsTheFormOfItsOwnProtocol)
{
    auto s = GetParam().start();
    auto clients = open_clients(GetParam(), *s, {{}, {"text"}, {"json"}, {"json"}});
    auto& plain = *clients[0];
    auto& text = *clients[1];
    auto& json = *clients[2];
    auto& json2 = *clients[3];

    // Every sender, whatever its own protocol: each receiver gets its own form.
    std::string const message = "Hej <b>\"alla\"</b> \xc3\xa5\xc3\xa4\xc3\xb6 {\"data\": 1}";
    ASSERT_TRUE(plain.send_text(message));
    EXPECT_EQ(receive_text(text), message);
    EXPECT_EQ(receive_json_data(json), message);
    EXPECT_EQ(receive_json_data(json2), message);

    ASSERT_TRUE(text.send_text("from text"));
    EXPECT_EQ(receive_text(plain), "from text");
    EXPECT_EQ(receive_json_data(json), "from text");
    EXPECT_EQ(receive_json_data(json2), "from text");

    ASSERT_TRUE(json.send_text("from json, as plain text"));
    EXPECT_EQ(receive_text(plain), "from json, as plain text");
    EXPECT_EQ(receive_text(text), "from json, as plain text");
    EXPECT_EQ(receive_json_data(json2), "from json, as plain text");

    // Nobody got a message of their own back.
    for(auto* client : {&plain, &text, &json, &json2})
        EXPECT_FALSE(client->receive(200ms)) << "an extra message arrived";
}

TEST_P(SubprotocolRules, spec_JsonClientsDataObjectPassesOnAsItsText)
{
    auto s = GetParam().start();
    auto clients = open_clients(GetParam(), *s, {{"json"}, {}, {"text"}, {"json"}});
    struct
    {
        char const* sent;
        char const* passed_on;
    } const cases[] = {
        {R"({"data": "hi"})", "hi"},
        {R"({"data":"with \"quotes\" and \u00e5"})", "with \"quotes\" and \xc3\xa5"},
        {R"({"data": "", "extra": [1, 2]})", ""},
        {R"( {"data":"{\"data\":\"nested\"}"} )", R"({"data":"nested"})"},
    };
    for(auto const& c : cases)
    {
        ASSERT_TRUE(clients[0]->send_text(c.sent));
        EXPECT_EQ(receive_text(*clients[1]), c.passed_on) << c.sent;
        EXPECT_EQ(receive_text(*clients[2]), c.passed_on) << c.sent;
        EXPECT_EQ(receive_json_data(*clients[3]), c.passed_on) << c.sent;
    }
}

TEST_P(SubprotocolRules, spec_OtherJsonFromAJsonClientGetsAnErrorToItAloneAndNothingIsBroadcast)
{
    auto s = GetParam().start();
    auto clients = open_clients(GetParam(), *s, {{"json"}, {}, {"json"}});
    auto& sender = *clients[0];
    char const* const wrong[] = {
        "[1, 2]", "42", "true", "null", R"("just a string")", "{}", R"({"data": 5})",
        R"({"data": null})", R"({"data": ["a"]})", R"({"text": "hi"})", R"({"Data": "hi"})",
    };
    int n = 0;
    for(char const* message : wrong)
    {
        ASSERT_TRUE(sender.send_text(message));
        auto const got = sender.receive();
        ASSERT_TRUE(got) << message << ": the sender must get an error back";
        auto const document = nlohmann::json::parse(got->data, nullptr, false);
        ASSERT_TRUE(document.is_object()) << got->data;
        EXPECT_EQ(document.size(), 1u) << got->data;
        ASSERT_TRUE(document.contains("error") && document["error"].is_string()) << got->data;
        EXPECT_FALSE(document["error"].get<std::string>().empty());
        // Nothing went to the others: the next thing they receive is the marker that follows.
        std::string const marker = "marker " + std::to_string(++n);
        ASSERT_TRUE(sender.send_text(marker));
        EXPECT_EQ(receive_text(*clients[1]), marker) << "after " << message;
        EXPECT_EQ(receive_json_data(*clients[2]), marker) << "after " << message;
    }
    // The sender stays connected and is heard.
    EXPECT_TRUE(sender.is_open());
}

TEST_P(SubprotocolRules, spec_TextAndPlainClientsJsonIsJustText)
{
    auto s = GetParam().start();
    auto clients = open_clients(GetParam(), *s, {{"text"}, {}, {"json"}});
    for(std::string const message : {R"({"data": "x"})", "[1, 2]", "42"})
    {
        ASSERT_TRUE(clients[0]->send_text(message));
        EXPECT_EQ(receive_text(*clients[1]), message);
        EXPECT_EQ(receive_json_data(*clients[2]), message);
        ASSERT_TRUE(clients[1]->send_text(message));
        EXPECT_EQ(receive_text(*clients[0]), message);
        EXPECT_EQ(receive_json_data(*clients[2]), message);
    }
    EXPECT_FALSE(clients[0]->receive(200ms)) << "a text client gets no error for JSON";
}

TEST_P(SubprotocolRules, spec_BinaryPassesUnchangedToEveryProtocol)
{
    auto s = GetParam().start();
    auto clients = open_clients(GetParam(), *s, {{}, {"text"}, {"json"}});
    std::string const bytes("\x00\x01\xff{\"data\":1}", 13);
    for(std::size_t from = 0; from < clients.size(); ++from)
    {
        ASSERT_TRUE(clients[from]->send_binary(bytes));
        for(std::size_t to = 0; to < clients.size(); ++to)
        {
            if(to == from)
                continue;
            auto const got = clients[to]->receive();
            ASSERT_TRUE(got) << from << " -> " << to;
            EXPECT_TRUE(got->binary) << from << " -> " << to;
            EXPECT_EQ(got->data, bytes) << from << " -> " << to;
        }
    }
}
