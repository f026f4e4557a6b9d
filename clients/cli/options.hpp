/**
 * @file
 * @brief wsclient's command line: the server's URL and the options, checked
 *        before anything connects, with one clear message for each mistake.
 */
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

/** What the user asked for on the command line. */
struct options
{
    std::string host;                                            ///< from the URL, without brackets
    std::string port = "80";                                     ///< from the URL, 80 when it names none
    std::string target = "/";                                    ///< path and query from the URL
    std::string url;                                             ///< the URL as given
    std::vector<std::string> protocols;                          ///< offers for Sec-WebSocket-Protocol, in order
    std::optional<std::string> origin;                           ///< the Origin header to send
    std::vector<std::pair<std::string, std::string>> headers;    ///< more request headers
    std::chrono::milliseconds wait{500};                         ///< after end of input: close once this long quiet
    bool help = false;                                           ///< --help: print the usage and stop
};

/** A mistake on the command line; main() prints it with the usage. */
struct usage_error : std::runtime_error
{
    using std::runtime_error::runtime_error;
};

/** How to call wsclient. */
inline char const* const usage_text =
    "usage: wsclient ws://host[:port][/path] [options]\n"
    "\n"
    "Sends each line of stdin as a text message and prints each message that\n"
    "arrives as '< text'. At the end of input (Ctrl-D) it waits until the\n"
    "server has been quiet for a moment (--wait), then closes; Ctrl-C closes at once.\n"
    "\n"
    "options:\n"
    "  --protocol NAME      offer a subprotocol (repeat to offer several, in order)\n"
    "  --origin ORIGIN      send this Origin header (a browser sends its page's origin)\n"
    "  --header 'Name: v'   send one more request header (may repeat)\n"
    "  --wait MS            after end of input, close once nothing has arrived for\n"
    "                       MS milliseconds (default 500; 0 closes at once)\n"
    "  --help               print this and exit\n"
    "\n"
    "exit status: 0 after a normal close (1000 or 1001), 1 when the connection fails\n"
    "or closes otherwise, 2 for a mistake on the command line.\n";

/**
 * Splits a `ws://host[:port][/path]` URL into @p out's host, port and target.
 * @throws usage_error for anything else (wss:// included: this client has no TLS)
 */
inline void parse_url(std::string const& url, options& out)
{
    std::string const scheme = "ws://";
    if(url.rfind("wss://", 0) == 0)
        throw usage_error("wss:// is not supported (this client speaks plain ws:// only): " + url);
    if(url.rfind(scheme, 0) != 0)
        throw usage_error("the URL must start with ws://, got '" + url + "'");
    std::string rest = url.substr(scheme.size());

    // The target is everything from the first '/' or '?' on; the authority comes before it.
    auto const slash = rest.find_first_of("/?");
    std::string authority = rest.substr(0, slash);
    if(slash != std::string::npos)
        out.target = rest[slash] == '/' ? rest.substr(slash) : "/" + rest.substr(slash);
    if(authority.find('@') != std::string::npos)
        throw usage_error("user names in the URL are not supported: " + url);

    // "[::1]:8080" is an IPv6 address with a port; "localhost:1337" a name with one.
    std::string port;
    if(!authority.empty() && authority.front() == '[')
    {
        auto const close = authority.find(']');
        if(close == std::string::npos)
            throw usage_error("missing ']' in the URL's IPv6 address: " + url);
        out.host = authority.substr(1, close - 1);
        std::string const after = authority.substr(close + 1);
        if(!after.empty() && after.front() != ':')
            throw usage_error("unexpected text after the IPv6 address: " + url);
        if(!after.empty())
            port = after.substr(1);
    }
    else
    {
        auto const colon = authority.find(':');
        out.host = authority.substr(0, colon);
        if(colon != std::string::npos)
            port = authority.substr(colon + 1);
    }
    if(out.host.empty())
        throw usage_error("the URL names no host: " + url);
    if(!port.empty())
    {
        // A port is 1..65535 in digits, nothing else.
        if(port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
           std::stoul(port) == 0 || std::stoul(port) > 65535)
            throw usage_error("not a port number: '" + port + "' in " + url);
        out.port = port;
    }
    out.url = url;
}

/**
 * Reads the command line.
 * @throws usage_error with what is wrong
 */
inline options parse_options(std::vector<std::string> const& args)
{
    options out;
    bool have_url = false;
    for(std::size_t i = 0; i < args.size(); ++i)
    {
        std::string const& arg = args[i];
        // Every option but --help takes a value: the next argument.
        auto value = [&]() -> std::string {
            if(i + 1 >= args.size())
                throw usage_error("option " + arg + " needs a value");
            return args[++i];
        };
        if(arg == "--help" || arg == "-h")
            out.help = true;
        else if(arg == "--protocol")
        {
            std::string name = value();
            if(name.empty() || name.find_first_of(" ,\t") != std::string::npos)
                throw usage_error("a protocol name is one token, without spaces or commas: '" + name + "'");
            out.protocols.push_back(std::move(name));
        }
        else if(arg == "--wait")
        {
            std::string const ms = value();
            if(ms.empty() || ms.size() > 7 || ms.find_first_not_of("0123456789") != std::string::npos)
                throw usage_error("--wait takes milliseconds, 0 to 9999999, got '" + ms + "'");
            out.wait = std::chrono::milliseconds(std::stol(ms));
        }
        else if(arg == "--origin")
            out.origin = value();
        else if(arg == "--header")
        {
            std::string const header = value();
            auto const colon = header.find(':');
            if(colon == std::string::npos || colon == 0)
                throw usage_error("a header looks like 'Name: value', got '" + header + "'");
            std::string field = header.substr(colon + 1);
            field.erase(0, field.find_first_not_of(' '));
            out.headers.emplace_back(header.substr(0, colon), field);
        }
        else if(arg.rfind("-", 0) == 0)
            throw usage_error("unknown option " + arg);
        else if(have_url)
            throw usage_error("only one URL, please (got '" + out.url + "' and '" + arg + "')");
        else
        {
            parse_url(arg, out);
            have_url = true;
        }
    }
    if(!have_url && !out.help)
        throw usage_error("no URL given");
    return out;
}
