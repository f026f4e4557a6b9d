/**
 * @file
 * @brief The subprotocols this server speaks, `text` and `json`: choosing one
 *        from a client's offers, and what each one looks like on the wire.
 *
 * A client offers subprotocols in its handshake (`Sec-WebSocket-Protocol: json, text`,
 * RFC 6455 §1.9 and §4.1); the server picks one and names it in the 101 answer.
 * The article's `handleProtocols()` does this in the `ws` module. This file is
 * that logic in C++, kept free of Beast and the network so that a unit test can
 * check it line by line.
 */
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

/** What one connection speaks. */
enum class subprotocol
{
    none,  ///< the client offered nothing this server knows: plain text, and no header in the 101
    text,  ///< `text`: messages are plain text both ways
    json,  ///< `json`: the client receives `{"timestamp": …, "data": …}` and may send JSON
};

/** The name used in the handshake and the greeting: `text`, `json`, or `none`. */
inline std::string_view name_of(subprotocol protocol)
{
    switch(protocol)
    {
    case subprotocol::text: return "text";
    case subprotocol::json: return "json";
    case subprotocol::none: break;
    }
    return "none";
}

/**
 * Splits the values of every `Sec-WebSocket-Protocol` line of a handshake into
 * the offered names, in the client's order. A client may send one line
 * (`json, text`) or several; spaces and tabs around the commas do not count,
 * and empty items (`json,,text`) are skipped as HTTP's list rule says.
 */
inline std::vector<std::string> parse_offers(std::vector<std::string_view> const& header_values)
{
    std::vector<std::string> offers;
    for(std::string_view value : header_values)
    {
        std::size_t start = 0;
        while(start <= value.size())
        {
            std::size_t end = value.find(',', start);
            if(end == std::string_view::npos)
                end = value.size();
            std::string_view item = value.substr(start, end - start);
            start = end + 1;
            // Whitespace around an item is only layout.
            while(!item.empty() && (item.front() == ' ' || item.front() == '\t'))
                item.remove_prefix(1);
            while(!item.empty() && (item.back() == ' ' || item.back() == '\t'))
                item.remove_suffix(1);
            if(!item.empty())
                offers.emplace_back(item);
        }
    }
    return offers;
}

/**
 * Picks the subprotocol for a connection: the first offer, in the client's
 * order, that this server knows. Names compare exactly (`JSON` is not `json`).
 * @return subprotocol::none when nothing was offered or nothing offered is known
 */
subprotocol choose_subprotocol(std::vector<std::string> const& offers);

/** Writes @p when as ISO 8601 in UTC with milliseconds, e.g. `2026-11-27T13:46:15.123Z`. */
inline std::string iso8601_utc(std::chrono::system_clock::time_point when)
{
    using namespace std::chrono;
    auto const millis = duration_cast<milliseconds>(when.time_since_epoch()).count();
    // Whole seconds go through the C calendar functions; the milliseconds are added by hand.
    std::time_t seconds = static_cast<std::time_t>(millis / 1000);
    long long rest = millis % 1000;
    if(rest < 0)  // before 1970, the remainder is negative
    {
        seconds -= 1;
        rest += 1000;
    }
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::size_t const length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
    char tail[8];
    std::snprintf(tail, sizeof tail, ".%03lldZ", rest);
    return std::string(text, length) + tail;
}

/** Serializes @p document as one compact line; bytes that are not UTF-8 become U+FFFD, never an exception. */
inline std::string to_wire(nlohmann::ordered_json const& document)
{
    return document.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

/** The answer a `json` client gets when its message is JSON of the wrong shape. */
inline std::string error_message(std::string_view why)
{
    return to_wire(nlohmann::ordered_json{{"error", why}});
}

/**
 * One text that the server sends to several clients, in the form each
 * receiver's subprotocol asks for. Each form is built once, on first use, and
 * shared by every receiver of that subprotocol — a broadcast to a thousand
 * `json` clients serializes the JSON once, not a thousand times, and `text` and
 * plain clients share the very bytes that arrived.
 */
class outgoing_text
{
public:
    /** The text to send and the moment it is sent (for the `json` form's timestamp). */
    explicit outgoing_text(std::shared_ptr<std::string const> text,
                           std::chrono::system_clock::time_point when = std::chrono::system_clock::now())
        : plain_(std::move(text)), when_(when)
    {
    }

    /** As above, for a text made here (a greeting, a goodbye). */
    explicit outgoing_text(std::string text,
                           std::chrono::system_clock::time_point when = std::chrono::system_clock::now())
        : outgoing_text(std::make_shared<std::string const>(std::move(text)), when)
    {
    }

    /** The message for a receiver that speaks @p receiver; the same object for every such receiver. */
    std::shared_ptr<std::string const> for_receiver(subprotocol receiver);

private:
    std::shared_ptr<std::string const> plain_;
    std::chrono::system_clock::time_point when_;
    std::shared_ptr<std::string const> json_;
};

/** What the server makes of one text message from a client. */
struct incoming_text
{
    std::string text;   ///< the text to pass on to the others (when error is empty)
    std::string error;  ///< why the message is refused; it then goes to nobody

    /** True when the message is to be broadcast. */
    bool ok() const { return error.empty(); }
};

/**
 * Reads a text message from a client that speaks @p sender.
 * `text` and plain clients send text, which passes on as it is. A `json`
 * client may send plain text too, or a JSON object with a string `data`, whose
 * value passes on; any other JSON (an array, a number, an object without a
 * string `data`) is refused with a reason.
 */
inline incoming_text read_incoming(subprotocol sender, std::string message)
{
    if(sender != subprotocol::json)
        return {std::move(message), {}};
    // Text that does not parse as JSON is plain text, as the spec allows.
    auto const document = nlohmann::json::parse(message, nullptr, /*allow_exceptions=*/false);
    if(document.is_discarded())
        return {std::move(message), {}};
    if(!document.is_object())
        return {{}, "expected plain text or a JSON object with a string 'data', got a JSON " +
                        std::string(document.type_name())};
    auto const data = document.find("data");
    if(data == document.end())
        return {{}, "the JSON object has no 'data'"};
    if(!data->is_string())
        return {{}, "'data' must be a string, not " + std::string(data->type_name())};
    return {data->get<std::string>(), {}};
}
