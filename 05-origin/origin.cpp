/**
 * @file
 * @brief Parsing an origin, comparing two, and the rule for a handshake: the lessons of origin.hpp.
 *
 * The functions of origin.hpp that hold this step's lab gaps (docs/lab.md) are defined
 * here rather than in the header that every file of the step includes, so that an edit
 * of them recompiles this one small file.
 */
#include "origin.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

std::string origin_detail::origin_problem(std::string_view text, bool allow_any_port, origin_pattern& out)
{
    if(text.empty())
        return "the origin is empty";
    if(text == "null")
        return "the origin is 'null' (a file:// page or a sandboxed frame)";
    // Spaces, control characters and non-ASCII letters never occur in a browser's
    // origin (hosts travel as punycode), and look-alike tricks need them.
    for(unsigned char c : text)
        if(c <= 0x20 || c >= 0x7f)
            return "the origin contains a space, a control character or a non-ASCII byte";

    auto const separator = text.find("://");
    if(separator == std::string_view::npos)
        return "the origin has no '://'";
    out.scheme = lower(text.substr(0, separator));
    if(out.scheme != "http" && out.scheme != "https")
        return "the scheme '" + printable(out.scheme) + "' is not http or https";

    std::string_view const authority = text.substr(separator + 3);
    // [lab:no-url] An origin is scheme://host[:port] and nothing more: return a reason when the
    //   authority holds a path, query or fragment ('/', '?', '#': then it is a URL), or
    //   user-info ('@': "http://localhost@evil.com" is evil.com to a browser).
    // An origin ends at its port: a path, query or fragment means this is a URL, not an origin.
    if(authority.find_first_of("/?#") != std::string_view::npos)
        return "an origin has no path, query or fragment";
    // "http://localhost@evil.com" is evil.com to a browser: an origin never has user-info.
    if(authority.find('@') != std::string_view::npos)
        return "an origin has no user name or password ('@')";
    // [lab:no-url]

    // Split host and port; an IPv6 host carries its own ':' inside brackets.
    std::string_view host = authority;
    std::optional<std::string_view> port_text;
    std::string problem;
    if(!authority.empty() && authority.front() == '[')
    {
        auto const close = authority.find(']');
        if(close == std::string_view::npos)
            return "the IPv6 address has no ']'";
        host = authority.substr(0, close + 1);
        std::string_view const rest = authority.substr(close + 1);
        if(!rest.empty() && rest.front() != ':')
            return "only a port may follow the host";
        if(!rest.empty())
            port_text = rest.substr(1);
        problem = ipv6_problem(host);
    }
    else
    {
        auto const colon = authority.find(':');
        if(colon != std::string_view::npos)
        {
            host = authority.substr(0, colon);
            port_text = authority.substr(colon + 1);
        }
        problem = name_problem(host);
    }
    if(!problem.empty())
        return problem;
    out.host = lower(host);

    // No port: the scheme's default, so that http://localhost and http://localhost:80 are one origin.
    if(!port_text)
        out.port = static_cast<std::uint16_t>(out.scheme == "https" ? 443 : 80);
    else if(allow_any_port && *port_text == "*")
        out.port = std::nullopt;
    else if(problem = port_problem(*port_text); problem.empty())
        out.port = static_cast<std::uint16_t>(std::stoul(std::string(*port_text)));
    return problem;
}

bool origin_matches(origin_pattern const& allowed, origin_pattern const& actual)
{
    // [lab:match] True when scheme and host are equal (both are lower case already) and the
    //   port is too, unless the entry allows any port (its port is empty): whole strings,
    //   compared for equality, so that no prefix, suffix or substring ever matches.
    return allowed.scheme == actual.scheme && allowed.host == actual.host &&
           (!allowed.port || allowed.port == actual.port);
    // [lab:match]
}

origin_decision origin_policy::check(std::vector<std::string_view> const& origin_values) const
{
    if(origin_values.empty())
    {
        // [lab:no-origin] No Origin header: not from a browser. Allow it only when
        //   allow_missing_ (DBWEBB_ALLOW_NO_ORIGIN=1); else refuse, saying how to allow it.
        if(allow_missing_)
            return {true, {}};
        return {false, "The handshake has no Origin header (set DBWEBB_ALLOW_NO_ORIGIN=1 to allow that)."};
        // [lab:no-origin]
    }
    // RFC 6454 §7.3: a browser sends one Origin; two are someone trying which one we read.
    if(origin_values.size() > 1)
        return {false, "The handshake has more than one Origin header."};
    std::string why;
    auto const origin = parse_origin(origin_values.front(), /*allow_any_port=*/false, why);
    if(!origin)
        return {false, "The origin is not valid: " + why + "."};
    for(auto const& allowed : allowed_)
        if(origin_matches(allowed, *origin))
            return {true, {}};
    return {false, "The origin '" + printable(origin_values.front()) + "' is not allowed."};
}
