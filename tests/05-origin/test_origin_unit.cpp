/**
 * @file
 * @brief Unit tests of 05-origin's pure logic (origin.hpp): parsing the Origin
 *        header and matching it against the allow-list, with the hostile cases
 *        a look-alike page or a hand-made request would try. No network here.
 */
#include "../../05-origin/origin.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

/** One Origin value and whether the default policy lets it through. */
struct origin_case
{
    char const* what;
    std::string origin;
    bool allowed;
};

/** The policy with no environment variables set. */
origin_policy defaults() { return origin_policy::from_environment(nullptr, nullptr); }

/** Checks one handshake that carries exactly one Origin line. */
origin_decision check_one(origin_policy const& policy, std::string const& origin)
{
    return policy.check({origin});
}

}  // namespace

TEST(OriginUnit, kit_DefaultListAllowsLocalPagesOnAnyPortAndTheCourseSite)
{
    origin_case const cases[] = {
        {"localhost", "http://localhost", true},
        {"localhost with a port", "http://localhost:1337", true},
        {"localhost, another port", "http://localhost:8080", true},
        {"localhost, highest port", "http://localhost:65535", true},
        {"localhost, explicit default port", "http://localhost:80", true},
        {"127.0.0.1", "http://127.0.0.1", true},
        {"127.0.0.1 with a port", "http://127.0.0.1:5500", true},
        {"dbwebb.se over https", "https://dbwebb.se", true},
        {"dbwebb.se over https, explicit 443", "https://dbwebb.se:443", true},
        {"dbwebb.se over http", "http://dbwebb.se", true},
        // Scheme and host are case-insensitive (RFC 6454 §4, RFC 3986 §3.1 and §3.2.2).
        {"upper-case scheme and host", "HTTP://LOCALHOST", true},
        {"mixed case", "hTTps://DbWebb.SE", true},
    };
    auto const policy = defaults();
    for(auto const& c : cases)
    {
        auto const decision = check_one(policy, c.origin);
        EXPECT_EQ(decision.allowed, c.allowed) << c.what << " (" << c.origin << "): " << decision.why;
    }
}

TEST(OriginUnit, kit_DefaultListRefusesHostileAndLookAlikeOrigins)
{
    origin_case const cases[] = {
        // Look-alike hosts: prefixes, suffixes, other labels.
        {"suffix domain", "http://localhost.evil.com", false},
        {"prefix with dash", "http://evil-localhost", false},
        {"prefix without dash", "http://evillocalhost", false},
        {"course site as subdomain", "https://dbwebb.se.evil.com", false},
        {"course site as suffix", "https://evildbwebb.se", false},
        {"subdomain of course site", "https://www.dbwebb.se", false},
        {"course site with other tld", "https://dbwebb.se.com", false},
        {"loopback as subdomain", "http://127.0.0.1.evil.com", false},
        {"punycode look-alike", "http://xn--lcalhost-9wa", false},
        {"punycode course site", "https://xn--dbwbb-fsa.se", false},
        {"cyrillic o in localhost", "http://l\xd0\xbe" "calhost", false},
        {"fullwidth letters", "http://\xef\xbd\x8c\xef\xbd\x8f" "calhost", false},
        {"trailing dot", "http://localhost.", false},
        {"trailing dot on course site", "https://dbwebb.se.", false},
        {"double dot", "http://127.0.0..1", false},
        // User-info: "http://localhost@evil.com" is a page on evil.com.
        {"user-info, evil host", "http://localhost@evil.com", false},
        {"user-info, good host", "http://evil.com@localhost", false},
        {"user and password", "http://a:b@localhost", false},
        {"empty user-info", "http://@localhost", false},
        // Ports glued on, or odd.
        {"port glued to host", "http://localhost8080", false},
        {"course site with a port", "https://dbwebb.se:8443", false},
        {"http port on https site", "https://dbwebb.se:80", false},
        {"empty port", "http://localhost:", false},
        {"port zero", "http://localhost:0", false},
        {"port too big", "http://localhost:65536", false},
        {"port far too big", "http://localhost:99999999999", false},
        {"port not a number", "http://localhost:http", false},
        {"port with sign", "http://localhost:+80", false},
        {"port with leading zero", "http://localhost:080", false},
        {"two ports", "http://localhost:80:81", false},
        {"wildcard port is only for the list", "http://localhost:*", false},
        // Paths, queries, fragments: URLs, not origins.
        {"trailing slash", "http://localhost/", false},
        {"path", "http://localhost:1337/clients/", false},
        {"query", "http://localhost?x=1", false},
        {"fragment", "http://localhost#top", false},
        {"backslash", "http://localhost\\@evil.com", false},
        // Opaque and other schemes.
        {"null", "null", false},
        {"NULL", "NULL", false},
        {"empty", "", false},
        {"file page", "file://", false},
        {"file path", "file:///home/me/index.html", false},
        {"ws scheme", "ws://localhost", false},
        {"wss scheme", "wss://dbwebb.se", false},
        {"browser extension", "chrome-extension://abcdefghijklmnopabcdefghijklmnop", false},
        {"ftp", "ftp://localhost", false},
        {"https localhost is not in the list", "https://localhost", false},
        {"no scheme", "localhost", false},
        {"no scheme, port", "localhost:1337", false},
        {"scheme-relative", "//localhost", false},
        {"one slash", "http:/localhost", false},
        {"no host", "http://", false},
        {"port only", "http://:80", false},
        // Other loopback addresses and spellings of 127.0.0.1: not on the list, so refused.
        {"127.0.0.2", "http://127.0.0.2", false},
        {"IPv6 loopback", "http://[::1]", false},
        {"IPv6 loopback with port", "http://[::1]:1337", false},
        {"IPv4-mapped IPv6", "http://[::ffff:127.0.0.1]", false},
        {"127.1", "http://127.1", false},
        {"decimal 127.0.0.1", "http://2130706433", false},
        {"hex 127.0.0.1", "http://0x7f.0.0.1", false},
        {"zero-padded 127.0.0.1", "http://127.000.000.001", false},
        {"0.0.0.0", "http://0.0.0.0", false},
        // Whitespace and several values in one line.
        {"leading space", " http://localhost", false},
        {"trailing space", "http://localhost ", false},
        {"space inside", "http://local host", false},
        {"tab", "http://localhost\t", false},
        {"two origins, comma", "http://localhost, http://evil.com", false},
        {"two origins, space", "http://localhost http://evil.com", false},
        {"NUL byte", std::string("http://localhost\0.evil.com", 26), false},
        {"percent-encoded", "http://local%68ost", false},
        {"unclosed IPv6", "http://[::1", false},
        {"junk after IPv6", "http://[::1]x", false},
    };
    auto const policy = defaults();
    for(auto const& c : cases)
    {
        auto const decision = check_one(policy, c.origin);
        EXPECT_EQ(decision.allowed, c.allowed) << c.what << " (" << printable(c.origin) << ")";
        if(!decision.allowed)
        {
            EXPECT_FALSE(decision.why.empty()) << c.what;
        }
    }
}

TEST(OriginUnit, kit_ParsesSchemeHostAndPortWithDefaultPorts)
{
    struct
    {
        char const* text;
        char const* scheme;
        char const* host;
        int port;  // -1: any
    } const cases[] = {
        {"http://localhost", "http", "localhost", 80},
        {"https://dbwebb.se", "https", "dbwebb.se", 443},
        {"HTTPS://DBWEBB.SE:8443", "https", "dbwebb.se", 8443},
        {"http://127.0.0.1:1", "http", "127.0.0.1", 1},
        {"http://[::1]:1337", "http", "[::1]", 1337},
        {"http://[FE80::1]", "http", "[fe80::1]", 80},
        {"http://my_host-1.example", "http", "my_host-1.example", 80},
    };
    for(auto const& c : cases)
    {
        std::string why;
        auto const parsed = parse_origin(c.text, false, why);
        ASSERT_TRUE(parsed) << c.text << ": " << why;
        EXPECT_EQ(parsed->scheme, c.scheme) << c.text;
        EXPECT_EQ(parsed->host, c.host) << c.text;
        ASSERT_TRUE(parsed->port) << c.text;
        EXPECT_EQ(*parsed->port, c.port) << c.text;
    }
    std::string why;
    auto const any = parse_origin("http://localhost:*", true, why);
    ASSERT_TRUE(any) << why;
    EXPECT_FALSE(any->port) << "'*' in a list entry means any port";
    EXPECT_EQ(any->to_string(), "http://localhost:*");
}

TEST(OriginUnit, kit_RefusalsSayWhatIsWrong)
{
    struct
    {
        char const* text;
        char const* says;
    } const cases[] = {
        {"null", "'null'"},
        {"http://localhost@evil.com", "user"},
        {"http://localhost/", "path"},
        {"ftp://localhost", "scheme 'ftp'"},
        {"http://localhost:", "port"},
        {"http://localhost:70000", "65535"},
        {"http://localhost.", "trailing dot"},
        {"http://l\xd0\xbe" "calhost", "non-ASCII"},
    };
    for(auto const& c : cases)
    {
        std::string why;
        EXPECT_FALSE(parse_origin(c.text, false, why)) << c.text;
        EXPECT_NE(why.find(c.says), std::string::npos) << c.text << ": " << why;
    }
}

TEST(OriginUnit, kit_HandshakeWithoutOriginIsRefusedUnlessAllowed)
{
    EXPECT_FALSE(defaults().check({}).allowed);
    EXPECT_NE(defaults().check({}).why.find("DBWEBB_ALLOW_NO_ORIGIN"), std::string::npos);
    EXPECT_FALSE(origin_policy::from_environment(nullptr, "0").check({}).allowed);
    EXPECT_FALSE(origin_policy::from_environment(nullptr, "").check({}).allowed);
    auto const lenient = origin_policy::from_environment(nullptr, "1");
    EXPECT_TRUE(lenient.check({}).allowed);
    // Allowing a missing Origin does not allow a bad one.
    EXPECT_FALSE(lenient.check({"null"}).allowed);
    EXPECT_FALSE(lenient.check({"http://evil.com"}).allowed);
    EXPECT_TRUE(lenient.check({"http://localhost:1337"}).allowed);
}

TEST(OriginUnit, kit_TwoOriginHeaderLinesAreRefusedEvenIfBothAreAllowed)
{
    auto const policy = defaults();
    EXPECT_FALSE(policy.check({"http://localhost", "http://localhost"}).allowed);
    EXPECT_FALSE(policy.check({"http://evil.com", "http://localhost"}).allowed);
    EXPECT_FALSE(policy.check({"http://localhost", "http://evil.com"}).allowed);
}

TEST(OriginUnit, kit_EnvironmentListReplacesTheDefaults)
{
    auto const policy = origin_policy::from_environment(
        " https://app.example.com , http://localhost:3000,http://[::1]:*,", nullptr);
    ASSERT_EQ(policy.allowed().size(), 3u);
    origin_case const cases[] = {
        {"listed https", "https://app.example.com", true},
        {"listed https, explicit port", "https://app.example.com:443", true},
        {"listed https over http", "http://app.example.com", false},
        {"listed port", "http://localhost:3000", true},
        {"other port", "http://localhost:3001", false},
        {"no port means 80", "http://localhost", false},
        {"ipv6 any port", "http://[::1]:8080", true},
        {"ipv6 spelled out is another text", "http://[0:0:0:0:0:0:0:1]:8080", false},
        {"default no longer listed", "https://dbwebb.se", false},
        {"127.0.0.1 no longer listed", "http://127.0.0.1:3000", false},
    };
    for(auto const& c : cases)
        EXPECT_EQ(check_one(policy, c.origin).allowed, c.allowed) << c.what << " (" << c.origin << ")";
}

TEST(OriginUnit, kit_EmptyEnvironmentListMeansTheDefaults)
{
    auto const policy = origin_policy::from_environment("", nullptr);
    EXPECT_EQ(policy.allowed().size(), 4u);
    EXPECT_TRUE(check_one(policy, "https://dbwebb.se").allowed);
}

TEST(OriginUnit, kit_BadEnvironmentValuesStopTheServerWithAClearMessage)
{
    struct
    {
        char const* allowed;
        char const* no_origin;
        char const* message_names;
    } const cases[] = {
        {"localhost", nullptr, "'localhost'"},
        {"http://localhost/", nullptr, "path"},
        {"null", nullptr, "'null'"},
        {"http://*.dbwebb.se", nullptr, "'*'"},
        {"*", nullptr, "'*'"},
        {"http://localhost:*, ftp://x", nullptr, "'ftp://x'"},
        {" , ,", nullptr, "names no origin"},
        {nullptr, "yes", "DBWEBB_ALLOW_NO_ORIGIN='yes'"},
        {nullptr, "true", "DBWEBB_ALLOW_NO_ORIGIN"},
    };
    for(auto const& c : cases)
    {
        try
        {
            origin_policy::from_environment(c.allowed, c.no_origin);
            ADD_FAILURE() << "accepted " << (c.allowed ? c.allowed : "") << " / "
                          << (c.no_origin ? c.no_origin : "");
        }
        catch(std::runtime_error const& e)
        {
            std::string const message = e.what();
            EXPECT_NE(message.find(c.message_names), std::string::npos) << message;
            if(c.allowed)
            {
                EXPECT_NE(message.find("DBWEBB_ALLOWED_ORIGINS"), std::string::npos) << message;
            }
        }
    }
}

TEST(OriginUnit, kit_PrintableEscapesWhatALogLineShouldNotCarry)
{
    EXPECT_EQ(printable("http://localhost"), "http://localhost");
    EXPECT_EQ(printable("a\nb"), "a\\x0ab");
    EXPECT_EQ(printable("l\xd0\xbe"), "l\\xd0\\xbe");
    EXPECT_EQ(printable("a\\b"), "a\\x5cb");
}
