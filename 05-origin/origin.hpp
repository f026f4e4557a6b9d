/**
 * @file
 * @brief Which web pages may open a WebSocket to this server: the `Origin`
 *        header parsed into scheme, host and port, and compared with an allow-list.
 *
 * A browser puts the origin of the page that runs the script into every
 * WebSocket handshake (`Origin: https://dbwebb.se`, RFC 6454 §7, RFC 6455 §4.1).
 * The article's `verifyClient` callback looks at it; this file is the C++ side of
 * that decision, kept free of Beast and the network so that a unit test can
 * throw every hostile origin at it.
 *
 * The rules, strict on purpose (a browser never sends anything else):
 * - an origin is `scheme://host` or `scheme://host:port`, nothing before the
 *   host (no user-info), nothing after the port (no path, query or fragment);
 * - only `http` and `https` pages can be allowed; `null` (a `file://` page, a
 *   sandboxed frame) and every other scheme are refused;
 * - scheme and host compare case-insensitively, everything else exactly: no
 *   prefix, suffix or look-alike matches, and `127.0.0.2` is not `127.0.0.1`;
 * - a missing port means the scheme's default (80 for http, 443 for https).
 */
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

/** One origin, or one entry of the allow-list (which may allow any port). */
struct origin_pattern
{
    std::string scheme;                ///< "http" or "https", in lower case
    std::string host;                  ///< "localhost", "127.0.0.1", "[::1]", in lower case
    std::optional<std::uint16_t> port; ///< the port; in an allow-list entry, empty means any port

    /** The entry written back as text, e.g. `http://localhost:*` or `https://dbwebb.se:443`. */
    std::string to_string() const
    {
        return scheme + "://" + host + ":" + (port ? std::to_string(*port) : std::string("*"));
    }
};

/** The answer to "may this handshake go on?", with the reason for a refusal. */
struct origin_decision
{
    bool allowed = false;  ///< true: go on with the upgrade
    std::string why;       ///< for a refusal: what was wrong, in a sentence
};

/**
 * Writes @p text so that it is safe to print on one log line: bytes that are not
 * printable ASCII (control characters, UTF-8 of look-alike letters) become `\xNN`.
 */
inline std::string printable(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for(unsigned char c : text)
    {
        if(c >= 0x20 && c < 0x7f && c != '\\')
        {
            out += static_cast<char>(c);
            continue;
        }
        // Hidden bytes are where tricks hide, so the log shows every one of them.
        char escaped[5];
        std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
        out += escaped;
    }
    return out;
}

namespace origin_detail {

/** ASCII lower case, the only case folding an origin needs (browsers send hosts as punycode). */
inline std::string lower(std::string_view text)
{
    std::string out(text);
    for(char& c : out)
        if(c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

/** True for a letter or digit of ASCII. */
inline bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/** Checks a host name or IPv4 address: dot-separated labels of letters, digits, '-' and '_'.
 *  @return what is wrong with it, or an empty string when nothing is */
inline std::string name_problem(std::string_view host)
{
    if(host.empty())
        return "the host is empty";
    if(host.size() > 253)
        return "the host is too long";
    std::size_t label = 0;
    for(char c : host)
    {
        if(c == '.')
        {
            // "localhost." and "a..b" have an empty label: not a name a browser sends.
            if(label == 0)
                return "the host has an empty label (a stray or trailing dot)";
            label = 0;
            continue;
        }
        if(!is_alnum(c) && c != '-' && c != '_')
            return "the host contains '" + printable(std::string(1, c)) + "'";
        if(++label > 63)
            return "a label of the host is longer than 63 characters";
    }
    if(label == 0)
        return "the host has an empty label (a stray or trailing dot)";
    return {};
}

/** Checks a bracketed IPv6 literal such as `[::1]` (hex digits, ':' and '.' inside).
 *  @return what is wrong with it, or an empty string when nothing is */
inline std::string ipv6_problem(std::string_view host)
{
    if(host.size() < 4)  // "[::]" is the shortest
        return "the IPv6 address is too short";
    for(char c : host.substr(1, host.size() - 2))
    {
        bool const hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if(!hex && c != ':' && c != '.')
            return "the IPv6 address contains '" + printable(std::string(1, c)) + "'";
    }
    return {};
}

/** Checks a port written the way a browser writes it: 1 to 65535, digits only, no leading zero.
 *  @return what is wrong with it, or an empty string when nothing is */
inline std::string port_problem(std::string_view text)
{
    if(text.empty())
        return "the port after ':' is empty";
    if(text.size() > 5 || text.find_first_not_of("0123456789") != std::string_view::npos)
        return "the port '" + printable(text) + "' is not a number from 1 to 65535";
    if(text[0] == '0')
        return "the port '" + std::string(text) + "' has a leading zero";
    if(std::stoul(std::string(text)) > 65535)
        return "the port " + std::string(text) + " is larger than 65535";
    return {};
}

/**
 * Parses an origin into @p out; the work behind parse_origin().
 * @return what is wrong with @p text, or an empty string when it is a valid origin
 */
std::string origin_problem(std::string_view text, bool allow_any_port, origin_pattern& out);

}  // namespace origin_detail

/**
 * Parses an origin (`http://localhost:8080`) or, when @p allow_any_port is true,
 * an allow-list entry that may say `*` for the port (`http://localhost:*`).
 * @param text           the text, exactly as received (no whitespace is trimmed)
 * @param allow_any_port accept `:*` as "any port"
 * @param why            set to the reason when the text is refused
 * @return the parts, with the scheme's default port filled in, or nothing when refused
 */
inline std::optional<origin_pattern> parse_origin(std::string_view text, bool allow_any_port,
                                                  std::string& why)
{
    origin_pattern result;
    why = origin_detail::origin_problem(text, allow_any_port, result);
    if(!why.empty())
        return std::nullopt;
    return result;
}

/** True when the origin @p actual is what the allow-list entry @p allowed allows. */
bool origin_matches(origin_pattern const& allowed, origin_pattern const& actual);

/**
 * The server's rule for the `Origin` header: an allow-list of origins, and
 * whether a handshake without an `Origin` (not from a browser) may go on.
 */
class origin_policy
{
public:
    /** The kit's defaults: local pages on any port, and the course's site. */
    static char constexpr default_list[] =
        "http://localhost:*,http://127.0.0.1:*,https://dbwebb.se,http://dbwebb.se";

    /**
     * Builds the policy from the two environment variables' values (nullptr when unset).
     * @param allowed_origins  `DBWEBB_ALLOWED_ORIGINS`: comma-separated entries; replaces the defaults
     * @param allow_no_origin  `DBWEBB_ALLOW_NO_ORIGIN`: `1` allows a handshake without `Origin`, `0` refuses it
     * @throws std::runtime_error naming the variable and the entry when a value is not understood
     */
    static origin_policy from_environment(char const* allowed_origins, char const* allow_no_origin)
    {
        origin_policy policy;
        bool const given = allowed_origins != nullptr && *allowed_origins != '\0';
        std::string_view const list = given ? allowed_origins : default_list;
        // Each entry is checked now, so that a typo stops the server at start, not a student later.
        std::size_t start = 0;
        while(start <= list.size())
        {
            std::size_t end = list.find(',', start);
            if(end == std::string_view::npos)
                end = list.size();
            std::string_view entry = list.substr(start, end - start);
            start = end + 1;
            while(!entry.empty() && (entry.front() == ' ' || entry.front() == '\t'))
                entry.remove_prefix(1);
            while(!entry.empty() && (entry.back() == ' ' || entry.back() == '\t'))
                entry.remove_suffix(1);
            if(entry.empty())
                continue;  // "a,,b" and a trailing comma are harmless
            std::string why;
            auto pattern = parse_origin(entry, /*allow_any_port=*/true, why);
            if(!pattern)
                throw std::runtime_error("DBWEBB_ALLOWED_ORIGINS: '" + printable(entry) +
                                         "' is not an origin: " + why);
            policy.allowed_.push_back(std::move(*pattern));
        }
        if(policy.allowed_.empty())
            throw std::runtime_error("DBWEBB_ALLOWED_ORIGINS names no origin");

        std::string_view const missing = allow_no_origin ? allow_no_origin : "";
        if(missing == "1")
            policy.allow_missing_ = true;
        else if(!missing.empty() && missing != "0")
            throw std::runtime_error("DBWEBB_ALLOW_NO_ORIGIN='" + printable(missing) +
                                     "' must be 1 (allow) or 0 (refuse)");
        return policy;
    }

    /**
     * Decides on a handshake from the values of its `Origin` header lines
     * (none when the header is missing).
     */
    origin_decision check(std::vector<std::string_view> const& origin_values) const;

    /** The allow-list, as parsed. */
    std::vector<origin_pattern> const& allowed() const { return allowed_; }
    /** True when a handshake without `Origin` may go on. */
    bool allow_missing() const { return allow_missing_; }

private:
    std::vector<origin_pattern> allowed_;
    bool allow_missing_ = false;
};
