/**
 * @file
 * @brief Checks a WebSocket opening handshake before Beast accepts it.
 *
 * A browser asks for a WebSocket with an ordinary HTTP GET that carries
 * `Upgrade: websocket` (RFC 6455 §4.1). Beast 1.74 checks most of that request
 * itself, but it takes any `Sec-WebSocket-Key` of up to 24 characters; RFC 6455
 * §4.2.1 says the key must be the base64 of 16 random bytes. So every step
 * checks the whole request here and answers a bad one with a 4xx, never a 101.
 */
#pragma once

#include <boost/beast/http.hpp>

#include <optional>
#include <string>

namespace beast = boost::beast;
namespace http = beast::http;

/** The HTTP request type every step reads: a small string body is all a client may send. */
using request_type = http::request<http::string_body>;
/** The HTTP response type every step answers with. */
using response_type = http::response<http::string_body>;

/** True when @p key is 24 characters of base64 that decode to 16 bytes, as RFC 6455 §4.2.1 asks. */
inline bool is_valid_websocket_key(beast::string_view key)
{
    // 16 bytes are 128 bits: 22 base64 characters (132 bits) and two '=' of padding.
    if(key.size() != 24 || key.substr(22) != "==")
        return false;
    for(char c : key.substr(0, 22))
    {
        bool const base64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '+' || c == '/';
        if(!base64)
            return false;
    }
    return true;
}

/** True when the request asks to switch to WebSocket at all (it names `websocket` in `Upgrade`). */
inline bool wants_websocket(request_type const& req)
{
    auto const it = req.find(http::field::upgrade);
    return it != req.end() && http::token_list{it->value()}.exists("websocket");
}

/** Builds a short plain-text error answer to @p req. */
inline response_type error_response(request_type const& req, http::status status,
                                    std::string const& why)
{
    response_type res{status, req.version()};
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.keep_alive(false);  // after a failed handshake the client should start over
    res.body() = why + "\n";
    res.prepare_payload();
    return res;
}

/**
 * Checks a request that wants a WebSocket (see wants_websocket()).
 * @return nothing when the handshake may go on, or the 4xx answer that refuses it.
 */
inline std::optional<response_type> check_handshake(request_type const& req)
{
    if(req.method() != http::verb::get)
    {
        auto res = error_response(req, http::status::method_not_allowed,
                                  "A WebSocket handshake must be a GET request.");
        res.set(http::field::allow, "GET");
        return res;
    }
    if(req.version() < 11)
        return error_response(req, http::status::bad_request,
                              "A WebSocket handshake needs HTTP/1.1.");
    auto const connection = req.find(http::field::connection);
    if(connection == req.end() || !http::token_list{connection->value()}.exists("upgrade"))
        return error_response(req, http::status::bad_request,
                              "The Connection header must name 'Upgrade'.");
    if(req.find(http::field::host) == req.end())
        return error_response(req, http::status::bad_request, "The Host header is missing.");
    auto const key = req.find(http::field::sec_websocket_key);
    if(key == req.end() || !is_valid_websocket_key(key->value()))
        return error_response(req, http::status::bad_request,
                              "Sec-WebSocket-Key must be the base64 of 16 bytes.");
    auto const version = req.find(http::field::sec_websocket_version);
    if(version == req.end() || version->value() != "13")
    {
        // RFC 6455 §4.4: say which version this server speaks.
        auto res = error_response(req, http::status::upgrade_required,
                                  "This server speaks WebSocket version 13.");
        res.set(http::field::sec_websocket_version, "13");
        return res;
    }
    return std::nullopt;
}
