/**
 * @file
 * @brief The client-files rules (client_files_rules.hpp): the browser clients
 *        are served under `/clients/`, with content types, folder index pages,
 *        and a 404 for every path that tries to leave the folder.
 */
#include "client_files_rules.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <vector>

using namespace harness;
namespace fs = std::filesystem;

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ClientFilesRules);

namespace {

/** Text that exists only outside the served folder: no answer may ever contain it. */
constexpr char secret[] = "TOP-SECRET-outside-the-clients-folder";

/**
 * A folder of clients made for one test, with a secret beside it and symlinks
 * that point out of it; removed again at the end of the test.
 */
struct client_folder
{
    fs::path top;      ///< the test's own temporary folder
    fs::path clients;  ///< top/clients: what the server serves
    std::string png;   ///< the bytes of a small binary file, NUL bytes included

    client_folder()
    {
        std::random_device random;
        top = fs::temp_directory_path() / ("kit-clients-" + std::to_string(random()));
        clients = top / "clients";
        fs::create_directories(clients / "page");
        fs::create_directories(clients / "empty");
        write(top / "secret.txt", secret);
        write(clients / "index.html", "<!doctype html><title>index</title>");
        write(clients / "page" / "index.html", "<!doctype html><title>page</title>");
        write(clients / "page" / "client.js", "console.log('page');");
        write(clients / "style.css", "body { color: black; }");
        write(clients / "data.json", "{\"a\": 1}");
        write(clients / "picture.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
        png = std::string("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
        write(clients / "picture.png", png);
        write(clients / "unknown.xyz", "???");
        write(clients / ".hidden", secret);
        // Links out of the folder (a file and a folder), and one that stays inside.
        fs::create_symlink(top / "secret.txt", clients / "leak.txt");
        fs::create_directory_symlink(top, clients / "leakdir");
        fs::create_symlink(clients / "style.css", clients / "alias.css");
    }

    ~client_folder()
    {
        std::error_code ec;
        fs::remove_all(top, ec);
    }

    static void write(fs::path const& file, std::string const& content)
    {
        std::ofstream(file, std::ios::binary) << content;
    }

    /** The environment that points a server at this folder. */
    server::environment env() const { return {{"DBWEBB_CLIENTS_DIR", clients.string()}}; }
};

/** Sends exactly @p request_line (no encoding by any client library) and returns the whole answer. */
std::string raw_request(std::uint16_t port, std::string const& request_line)
{
    raw_socket socket(port);
    if(!socket.send(request_line + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"))
        return {};
    return socket.read_all();
}

}  // namespace

TEST_P(ClientFilesRules, spec_PrintsTheBrowserClientLineAfterTheReadyLine)
{
    auto s = GetParam().program.start();
    std::string const line = "Browser client: http://localhost:" + std::to_string(s->port()) +
                             "/clients/" + GetParam().page + "/";
    ASSERT_TRUE(s->wait_for_output(line)) << "expected the line '" << line << "'; it printed: " << s->printed();
    // After the ready line, where there is one (its words are a test of their own).
    std::string const out = s->output();
    if(auto const ready = out.find("Server is listening on"); ready != std::string::npos)
    {
        EXPECT_LT(ready, out.find(line)) << "the browser client's line comes after the ready line: " << out;
    }
}

TEST_P(ClientFilesRules, kit_ServesTheKitsClientsIndexByDefault)
{
    auto s = GetParam().program.start();
    auto res = http_get(s->port(), "/clients/");
    EXPECT_EQ(res.status, 200) << res.error;
    EXPECT_EQ(res.headers["content-type"].rfind("text/html", 0), 0u) << res.headers["content-type"];
    EXPECT_NE(res.body.find("<"), std::string::npos);
}

TEST_P(ClientFilesRules, spec_ServesFilesWithTypesABrowserAccepts)
{
    client_folder folder;
    auto s = GetParam().program.start(folder.env());
    // A browser runs a script only with a JavaScript type and applies a stylesheet only as
    // text/css; for JSON and unknown files only the bytes matter.
    struct expected
    {
        char const* path;
        std::vector<std::string> types;  // any of these; none: any type
        std::string body;
    };
    std::vector<std::string> const javascript = {"text/javascript", "application/javascript",
                                                 "application/x-javascript", "text/ecmascript",
                                                 "application/ecmascript"};
    expected const cases[] = {
        {"/clients/index.html", {"text/html"}, "<!doctype html><title>index</title>"},
        {"/clients/page/client.js", javascript, "console.log('page');"},
        {"/clients/style.css", {"text/css"}, "body { color: black; }"},
        {"/clients/data.json", {}, "{\"a\": 1}"},
        {"/clients/picture.svg", {"image/svg+xml"}, "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"},
        {"/clients/picture.png", {"image/png"}, folder.png},
        {"/clients/unknown.xyz", {}, "???"},
        {"/clients/style.css?v=2", {"text/css"}, "body { color: black; }"},
    };
    for(auto const& c : cases)
    {
        auto res = http_get(s->port(), c.path);
        EXPECT_EQ(res.status, 200) << c.path << " " << res.error;
        std::string const type = res.headers["content-type"];
        bool const fits = c.types.empty() || std::any_of(c.types.begin(), c.types.end(), [&](std::string const& t) {
                              return type.rfind(t, 0) == 0;
                          });
        EXPECT_TRUE(fits) << c.path << ": " << type;
        EXPECT_EQ(res.body, c.body) << c.path;
    }
}

TEST_P(ClientFilesRules, kit_ServesFilesWithTheKitsContentTypes)
{
    client_folder folder;
    auto s = GetParam().program.start(folder.env());
    struct expected
    {
        char const* path;
        char const* type;
        std::string body;
    };
    expected const cases[] = {
        {"/clients/page/client.js", "text/javascript", "console.log('page');"},
        {"/clients/data.json", "application/json", "{\"a\": 1}"},
        {"/clients/unknown.xyz", "application/octet-stream", "???"},
        {"/clients/alias.css", "text/css", "body { color: black; }"},  // a link that stays inside
    };
    for(auto const& c : cases)
    {
        auto res = http_get(s->port(), c.path);
        EXPECT_EQ(res.status, 200) << c.path << " " << res.error;
        EXPECT_EQ(res.headers["content-type"].rfind(c.type, 0), 0u)
            << c.path << ": " << res.headers["content-type"];
        EXPECT_EQ(res.body, c.body) << c.path;
    }
}

TEST_P(ClientFilesRules, spec_AFolderServesItsIndexHtml)
{
    client_folder folder;
    auto s = GetParam().program.start(folder.env());
    auto page = http_get(s->port(), "/clients/page/");
    EXPECT_EQ(page.status, 200);
    EXPECT_EQ(page.body, "<!doctype html><title>page</title>");
    EXPECT_EQ(page.headers["content-type"].rfind("text/html", 0), 0u);
    auto top = http_get(s->port(), "/clients/");
    EXPECT_EQ(top.body, "<!doctype html><title>index</title>");
}

TEST_P(ClientFilesRules, kit_AFolderWithoutItsSlashIsRedirectedToIt)
{
    client_folder folder;
    auto s = GetParam().program.start(folder.env());
    // Without the slash, relative links in the page would point one folder too high.
    for(auto const& [from, to] : {std::pair<std::string, std::string>{"/clients/page", "/clients/page/"},
                                  {"/clients", "/clients/"}})
    {
        auto res = http_get(s->port(), from);
        EXPECT_EQ(res.status / 100, 3) << from;
        EXPECT_EQ(res.headers["location"], to) << from;
    }
}

TEST_P(ClientFilesRules, kit_WhatIsNotThereIs404)
{
    client_folder folder;
    auto s = GetParam().program.start(folder.env());
    for(std::string path : {"/clients/missing.html", "/clients/empty/", "/clients/page/missing.js",
                            "/clients/index.html/", "/clients/%zz", "/clients/%4"})
    {
        auto res = http_get(s->port(), path);
        EXPECT_EQ(res.status, 404) << path;
    }
}

TEST_P(ClientFilesRules, spec_HeadGivesTheHeadersWithoutTheBody)
{
    client_folder folder;
    auto s = GetParam().program.start(folder.env());
    std::string const answer = raw_request(s->port(), "HEAD /clients/style.css HTTP/1.1");
    EXPECT_EQ(status_of(answer), 200) << answer;
    EXPECT_TRUE(std::regex_search(answer, std::regex("[Cc]ontent-[Ll]ength: 22\r\n"))) << answer;
    EXPECT_EQ(answer.substr(answer.find("\r\n\r\n") + 4), "") << "HEAD has no body";
}

namespace {

/** Requests that try to leave the clients folder by its path alone, byte for byte. */
std::vector<std::string> escapes(client_folder const& folder)
{
    std::string const outside = (folder.top / "secret.txt").string();
    return {
        "/clients/../secret.txt",
        "/clients/%2e%2e/secret.txt",
        "/clients/%2E%2E/secret.txt",
        "/clients/.%2e/secret.txt",
        "/clients/..%2fsecret.txt",
        "/clients/..%2Fsecret.txt",
        "/clients/%2e%2e%2fsecret.txt",
        "/clients/page/../../secret.txt",
        "/clients/page/%2e%2e/%2e%2e/secret.txt",
        "/clients/..\\secret.txt",
        "/clients/..%5csecret.txt",
        "/clients/%252e%252e/secret.txt",   // encoded twice: must not be decoded twice
        "/clients/" + outside,             // an absolute path after the prefix (`//top/...`)
        "/clients/%2f" + outside.substr(1),
        "/clients/..",
        "/clients/%2e%2e",
    };
}

/** Requests that reach outside by a link in the folder, or a file that is not meant to be served. */
std::vector<std::string> kit_refusals()
{
    return {
        "/clients/leak.txt",                // a symlink to a file outside
        "/clients/leakdir/secret.txt",      // a symlink to a folder outside
        "/clients/leakdir/",
        "/clients/.hidden",
        "/clients/leak.txt%00.png",
        "/clients/leak.txt%00",
    };
}

}  // namespace

TEST_P(ClientFilesRules, spec_NoPathGetsOutOfTheClientsFolder)
{
    client_folder folder;
    auto s = GetParam().program.start(folder.env());
    // Any answer will do (express.static says 403 or 400, the app may answer too) but the file.
    for(auto const& target : escapes(folder))
    {
        std::string const answer = raw_request(s->port(), "GET " + target + " HTTP/1.1");
        EXPECT_EQ(answer.find(secret), std::string::npos) << target << " leaked the file:\n" << answer;
    }
    // Targets that are not under /clients/ at all get the program's own answer, never the file.
    for(std::string const& target : {std::string("/../secret.txt"),
                                      std::string("http://127.0.0.1/clients/../secret.txt"),
                                      (folder.top / "secret.txt").string()})
    {
        std::string const answer = raw_request(s->port(), "GET " + target + " HTTP/1.1");
        EXPECT_EQ(answer.find(secret), std::string::npos) << target << " leaked the file:\n" << answer;
    }
    // And the server still serves what it should.
    EXPECT_EQ(http_get(s->port(), "/clients/style.css").status, 200);
}

TEST_P(ClientFilesRules, kit_EveryRefusedPathIs404AndNoLinkLeadsOut)
{
    client_folder folder;
    auto s = GetParam().program.start(folder.env());
    auto targets = escapes(folder);
    auto const more = kit_refusals();
    targets.insert(targets.end(), more.begin(), more.end());
    for(auto const& target : targets)
    {
        std::string const answer = raw_request(s->port(), "GET " + target + " HTTP/1.1");
        EXPECT_EQ(status_of(answer), 404) << target << "\n" << answer;
        EXPECT_EQ(answer.find(secret), std::string::npos) << target << " leaked the file:\n" << answer;
    }
}

TEST_P(ClientFilesRules, spec_AClientsFolderThatIsNotThereIsABadStart)
{
    auto const& p = GetParam().program;
    auto s = server::launch(p.step, p.program, {{"DBWEBB_CLIENTS_DIR", "/no/such/folder/for/clients"}});
    auto ended = s->wait_exit();
    ASSERT_TRUE(ended) << "a server without its clients folder must stop, not hang";
    EXPECT_NE(ended->status, 0);
    EXPECT_NE(s->errors().find("DBWEBB_CLIENTS_DIR"), std::string::npos) << s->printed_errors();
}
