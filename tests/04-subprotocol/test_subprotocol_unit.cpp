/**
 * @file
 * @brief Unit tests of 04-subprotocol's pure logic (subprotocol.hpp): reading the
 *        offers, choosing one, and the form each receiver gets. No network here.
 */
#include "../../04-subprotocol/subprotocol.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using strings = std::vector<std::string>;

/** One handshake's Sec-WebSocket-Protocol lines and what the server makes of them. */
struct offer_case
{
    char const* what;
    std::vector<std::string_view> header_lines;
    strings offers;
    subprotocol chosen;
};

}  // namespace

TEST(SubprotocolUnit, kit_ReadsTheOffersAndChoosesTheClientsFirstKnownOne)
{
    offer_case const cases[] = {
        {"no header at all", {}, {}, subprotocol::none},
        {"empty header", {""}, {}, subprotocol::none},
        {"only commas and spaces", {" , ,\t,"}, {}, subprotocol::none},
        {"text", {"text"}, {"text"}, subprotocol::text},
        {"json", {"json"}, {"json"}, subprotocol::json},
        {"client prefers json", {"json, text"}, {"json", "text"}, subprotocol::json},
        {"client prefers text", {"text, json"}, {"text", "json"}, subprotocol::text},
        {"unknown first, then json", {"chat.v2, json"}, {"chat.v2", "json"}, subprotocol::json},
        {"only unknown offers", {"chat, superchat"}, {"chat", "superchat"}, subprotocol::none},
        {"no spaces", {"soap,json,text"}, {"soap", "json", "text"}, subprotocol::json},
        {"tabs and many spaces", {" \tjson  ,\t text "}, {"json", "text"}, subprotocol::json},
        {"empty items between commas", {"json,,text,"}, {"json", "text"}, subprotocol::json},
        {"several header lines keep their order", {"soap", "text", "json"},
         {"soap", "text", "json"}, subprotocol::text},
        {"lines with lists", {"soap, wamp", "json, text"}, {"soap", "wamp", "json", "text"},
         subprotocol::json},
        {"names compare exactly: case", {"JSON, Text"}, {"JSON", "Text"}, subprotocol::none},
        {"names compare exactly: no prefix", {"jsonx, textual, tex"}, {"jsonx", "textual", "tex"},
         subprotocol::none},
        {"names compare exactly: quotes stay", {"\"json\""}, {"\"json\""}, subprotocol::none},
        {"space inside a name is not split", {"js on"}, {"js on"}, subprotocol::none},
    };
    for(auto const& c : cases)
    {
        strings const offers = parse_offers(c.header_lines);
        EXPECT_EQ(offers, c.offers) << c.what;
        EXPECT_EQ(choose_subprotocol(offers), c.chosen) << c.what;
    }
}

TEST(SubprotocolUnit, kit_NamesAreTextJsonAndNoneForAPlainClient)
{
    EXPECT_EQ(name_of(subprotocol::text), "text");
    EXPECT_EQ(name_of(subprotocol::json), "json");
    EXPECT_EQ(name_of(subprotocol::none), "none");
}

TEST(SubprotocolUnit, kit_TimestampIsIso8601InUtcWithMilliseconds)
{
    using namespace std::chrono;
    struct
    {
        long long millis;
        char const* text;
    } const cases[] = {
        {0, "1970-01-01T00:00:00.000Z"},
        {1, "1970-01-01T00:00:00.001Z"},
        {-1, "1969-12-31T23:59:59.999Z"},
        {951782400000, "2000-02-29T00:00:00.000Z"},       // a leap day
        {1795786575123, "2026-11-27T13:36:15.123Z"},
        {4102444799999, "2099-12-31T23:59:59.999Z"},
    };
    for(auto const& c : cases)
        EXPECT_EQ(iso8601_utc(system_clock::time_point(milliseconds(c.millis))), c.text) << c.millis;
}

TEST(SubprotocolUnit, kit_EachReceiverGetsItsOwnFormBuiltOncePerBroadcast)
{
    using namespace std::chrono;
    outgoing_text message("Hej \"alla\" <b>", system_clock::time_point(milliseconds(1000)));

    auto const plain = message.for_receiver(subprotocol::none);
    auto const text = message.for_receiver(subprotocol::text);
    auto const json = message.for_receiver(subprotocol::json);
    EXPECT_EQ(*plain, "Hej \"alla\" <b>");
    EXPECT_EQ(*text, "Hej \"alla\" <b>");
    EXPECT_EQ(*json, R"({"timestamp":"1970-01-01T00:00:01.000Z","data":"Hej \"alla\" <b>"})");

    // Serialized once per form: every receiver of a form shares one string.
    EXPECT_EQ(plain.get(), text.get());
    EXPECT_EQ(json.get(), message.for_receiver(subprotocol::json).get());
    EXPECT_EQ(plain.get(), message.for_receiver(subprotocol::none).get());
}

TEST(SubprotocolUnit, kit_PlainReceiversShareTheBytesThatArrived)
{
    auto const arrived = std::make_shared<std::string const>("as it came");
    outgoing_text message(arrived);
    EXPECT_EQ(message.for_receiver(subprotocol::text).get(), arrived.get());
    EXPECT_EQ(message.for_receiver(subprotocol::none).get(), arrived.get());
    EXPECT_NE(message.for_receiver(subprotocol::json).get(), arrived.get());
}

TEST(SubprotocolUnit, kit_JsonFormKeepsUnicodeAndControlCharactersIntact)
{
    outgoing_text message(std::string("Prinsesst\xc3\xa5rta\n\t\x01 \xf0\x9f\x8e\x82", 22));
    auto const parsed = nlohmann::json::parse(*message.for_receiver(subprotocol::json));
    EXPECT_EQ(parsed.at("data").get<std::string>(), std::string("Prinsesst\xc3\xa5rta\n\t\x01 \xf0\x9f\x8e\x82", 22));
    EXPECT_TRUE(parsed.at("timestamp").is_string());
}

namespace {

/** One message from a client and what the server makes of it. */
struct incoming_case
{
    char const* what;
    subprotocol sender;
    std::string message;
    std::string passed_on;  ///< the text broadcast, when accepted
    bool refused;           ///< true: an error goes back to the sender, nothing is broadcast
};

}  // namespace

TEST(SubprotocolUnit, kit_ReadsWhatEachKindOfClientSends)
{
    incoming_case const cases[] = {
        // text and plain clients: every text passes on unchanged, JSON or not.
        {"text client, text", subprotocol::text, "hello", "hello", false},
        {"text client, JSON passes as text", subprotocol::text, R"({"data":1})", R"({"data":1})", false},
        {"plain client, JSON array", subprotocol::none, "[1,2]", "[1,2]", false},
        {"plain client, empty", subprotocol::none, "", "", false},
        // json clients: plain text, or an object with a string data.
        {"json client, plain text", subprotocol::json, "hello there", "hello there", false},
        {"json client, empty message", subprotocol::json, "", "", false},
        {"json client, not quite JSON is text", subprotocol::json, "{data: hi}", "{data: hi}", false},
        {"json client, cut-off JSON is text", subprotocol::json, R"({"data": "hi")", R"({"data": "hi")", false},
        {"json client, data", subprotocol::json, R"({"data": "hi"})", "hi", false},
        {"json client, data and more fields", subprotocol::json, R"({"data":"hi","from":"me"})", "hi", false},
        {"json client, empty data", subprotocol::json, R"({"data":""})", "", false},
        {"json client, escapes decoded", subprotocol::json, R"({"data":"a\"b\u00e5"})", "a\"b\xc3\xa5", false},
        {"json client, whitespace around", subprotocol::json, " \n{ \"data\" : \"x\" }\n", "x", false},
        {"json client, data is a number", subprotocol::json, R"({"data": 42})", "", true},
        {"json client, data is null", subprotocol::json, R"({"data": null})", "", true},
        {"json client, data is an object", subprotocol::json, R"({"data": {"data": "x"}})", "", true},
        {"json client, no data", subprotocol::json, R"({"text": "hi"})", "", true},
        {"json client, Data is not data", subprotocol::json, R"({"Data": "hi"})", "", true},
        {"json client, empty object", subprotocol::json, "{}", "", true},
        {"json client, array", subprotocol::json, R"(["hi"])", "", true},
        {"json client, number", subprotocol::json, "42", "", true},
        {"json client, string", subprotocol::json, R"("hi")", "", true},
        {"json client, true", subprotocol::json, "true", "", true},
        {"json client, null", subprotocol::json, "null", "", true},
    };
    for(auto const& c : cases)
    {
        incoming_text const result = read_incoming(c.sender, c.message);
        EXPECT_EQ(!result.ok(), c.refused) << c.what << ": " << result.error;
        if(c.refused)
        {
            EXPECT_FALSE(result.error.empty()) << c.what;
        }
        else
        {
            EXPECT_EQ(result.text, c.passed_on) << c.what;
        }
    }
}

TEST(SubprotocolUnit, kit_ErrorMessageIsAJsonObjectWithTheReason)
{
    auto const refused = read_incoming(subprotocol::json, "[1]");
    ASSERT_FALSE(refused.ok());
    auto const parsed = nlohmann::json::parse(error_message(refused.error));
    ASSERT_TRUE(parsed.is_object());
    EXPECT_EQ(parsed.size(), 1u);
    EXPECT_EQ(parsed.at("error").get<std::string>(), refused.error);
    EXPECT_EQ(error_message("a \"quoted\" why"), R"({"error":"a \"quoted\" why"})");
}

TEST(SubprotocolUnit, kit_DeeplyNestedJsonIsRefusedWithoutACrash)
{
    // A hostile json client can send deep nesting; the parser must cope.
    std::string const deep = std::string(100000, '[') + std::string(100000, ']');
    EXPECT_FALSE(read_incoming(subprotocol::json, deep).ok());
    std::string const deep_object = R"({"data":)" + std::string(50000, '[') + std::string(50000, ']') + "}";
    EXPECT_FALSE(read_incoming(subprotocol::json, deep_object).ok());
}
