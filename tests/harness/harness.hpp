/**
 * @file
 * @brief The black-box test harness: start a step's program, talk to it over
 *        real sockets, stop it.
 *
 * Test files include only this header. It names no Beast or httplib type, so a
 * test file compiles in a second or two; the heavy code lives in harness.cpp.
 *
 * Which program runs: the step's own build (`build/<step>/<program>`) unless
 * the environment names another start command, so the same tests can grade any
 * implementation — `SERVER_CMD_<PROGRAM>` (the program's name in capitals, `-`
 * as `_`, for example `SERVER_CMD_SERVER_HTTP`) for one program, or
 * `SERVER_CMD` for every program of the step.
 */
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace harness {

using namespace std::chrono_literals;
/** Every wait in the harness is bounded by one of these. */
using duration = std::chrono::milliseconds;

/**
 * How long a test waits for something that should happen at once (a reply, a log line):
 * on loopback that takes milliseconds, so three seconds leave room for a loaded machine.
 */
inline constexpr duration patience = 3000ms;

/**
 * The time a wait may take: @p timeout, or at most a quarter of a second once the running
 * test has failed. A failed test cannot pass again, so its later waits only add detail to
 * its messages; a server that fails many checks is graded in seconds, not minutes.
 */
duration bounded(duration timeout);

/** How a program ended after stop(). */
struct exit_info
{
    bool exited = false;     ///< it ended by itself (not killed by the harness after the timeout)
    int status = -1;         ///< its exit status, when it exited
    int signal = 0;          ///< the signal that ended it, if one did
    duration took{0};        ///< from SIGTERM to exit
};

/**
 * A step program running as a child process. Destroying it kills the program (and every
 * process it started in its process group) if it still runs.
 *
 * The harness chooses a free port and passes it in `DBWEBB_PORT`, as a student types
 * `DBWEBB_PORT=8080 node server.js`: a server that prints the port it was given is right.
 */
class server
{
public:
    /** Extra environment for the program, on top of `DBWEBB_PORT=<a free port>`. */
    using environment = std::map<std::string, std::string>;

    /**
     * Starts @p program of @p step (for example "02-echo", "server-express") with
     * `DBWEBB_PORT` set to a free port (unless @p env sets it) and @p env, waits for its
     * ready line, then until the port takes a connection (the article's standalone server
     * prints its line a moment before it listens). When the program ends before its ready
     * line, as it does when another process took the port in between, it is started once
     * more on another port.
     * @throws std::runtime_error (with the program's output) when it does not get ready in
     *         time, or ends first.
     */
    static std::unique_ptr<server> start(std::string const& step, std::string const& program,
                                         environment env = {}, duration timeout = 10000ms);

    /**
     * Starts a program without waiting for a ready line (for tests of a bad start).
     * Use wait_exit() to see how it ends.
     */
    static std::unique_ptr<server> launch(std::string const& step, std::string const& program,
                                          environment env = {});

    ~server();
    server(server const&) = delete;
    server& operator=(server const&) = delete;

    /** The port from the ready line. */
    std::uint16_t port() const { return port_; }
    /** The port the harness gave in `DBWEBB_PORT` (0 when the test set `DBWEBB_PORT` itself). */
    std::uint16_t given_port() const { return given_port_; }
    /** True once the program has ended (its output can no longer change). */
    bool ended() const;
    /** The process id. */
    int pid() const { return pid_; }
    /** Everything the program printed on stdout so far. */
    std::string output() const;
    /** Everything the program printed on stderr so far. */
    std::string errors() const;
    /**
     * The end of what the program printed on stdout (after position @p from), at most about
     * 1 KiB, for a failure message: a server that prints without end must not flood the report.
     */
    std::string printed(std::size_t from = 0) const;
    /** The end of what the program printed on stderr, as printed() does for stdout. */
    std::string printed_errors() const;
    /**
     * Waits until stdout contains @p text (after position @p from); true if it did in time.
     * False at once when the program has ended without printing it.
     */
    bool wait_for_output(std::string const& text, duration timeout = patience,
                         std::size_t from = 0) const;
    /** Counts how often @p text occurs in stdout so far. */
    std::size_t count_output(std::string const& text) const;

    /** Sends SIGTERM and waits up to @p timeout for the exit; kills it after that. */
    exit_info stop(duration timeout = 5000ms);
    /** Waits up to @p timeout for the program to exit by itself. */
    std::optional<exit_info> wait_exit(duration timeout = patience);
    /** Sends @p signal to the program. */
    void send_signal(int signal);
    /** The resident memory in KiB (from /proc) of the program and every process it started, or 0. */
    long resident_kib() const;

    struct impl;  ///< internal state (pipes, reader thread)

private:
    explicit server(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
    int pid_ = -1;
    std::uint16_t port_ = 0;
    std::uint16_t given_port_ = 0;
};

/**
 * True in the test program of a step that has no `article` level (SPEC.md: 06's article
 * example uses socket.io, which a native WebSocket test cannot grade). There the shared
 * rules' `article_` tests count as `spec`. Set it with KIT_NO_ARTICLE_LEVEL() in rules.hpp.
 */
bool& no_article_level();

/**
 * Ends (SIGKILL) every program the harness started that still runs, with all it started in
 * turn. For the test runner's watchdog, when a test takes too long to end by itself.
 */
void end_all_programs();

/**
 * A TCP port that is free on every interface now, outside the range the kernel hands out
 * to outgoing connections, so that a client's socket does not take it before the server does.
 */
std::uint16_t free_port();

/** The start command the harness will use for a program (for messages and docs). */
std::string command_for(std::string const& step, std::string const& program);

/** One WebSocket message as received. */
struct message
{
    bool binary = false;     ///< a binary frame (else text)
    std::string data;        ///< the payload
};

/** What the server sent when it closed the connection (or how it went away). */
struct close_info
{
    int code = 0;            ///< the close code (1000, 1001, 1009, …); 1006 when the TCP connection just ended
    std::string reason;      ///< the reason text in the close frame
};

/** How to open a WebSocket. */
struct ws_options
{
    std::string path = "/";                          ///< request target
    std::vector<std::string> protocols;              ///< Sec-WebSocket-Protocol offers, in order
    std::optional<std::string> origin;               ///< Origin header
    std::map<std::string, std::string> headers;      ///< any other request headers
    std::size_t max_message = 64 * 1024 * 1024;      ///< the client's own receive limit
};

/** The server's answer to a handshake. */
struct handshake_result
{
    bool upgraded = false;                           ///< 101 and a valid WebSocket accept
    int status = 0;                                  ///< HTTP status of the answer; 0: no answer came
    std::map<std::string, std::string> headers;      ///< answer headers, names in lower case
    std::string body;                                ///< answer body (for a refusal)
    std::string error;                               ///< what went wrong, if not upgraded
};

/** The handshake's outcome in words for a failure message: "status 403 (…)", or why there was no answer. */
std::string describe(handshake_result const& result);

/**
 * A WebSocket client. Every operation is bounded by a timeout. The sends and close() answer
 * with a GoogleTest result that says, when they fail, what became of the connection, so that
 * `ASSERT_TRUE(c->send_text("hi"))` explains itself.
 */
class ws_client
{
public:
    /**
     * Opens a WebSocket to 127.0.0.1:@p port. Check result().upgraded (or use
     * connect_or_throw()) to see whether the server accepted.
     */
    static std::unique_ptr<ws_client> connect(std::uint16_t port, ws_options options = {},
                                              duration timeout = patience);
    /** As connect(), but throws std::runtime_error when the handshake fails. */
    static std::unique_ptr<ws_client> connect_or_throw(std::uint16_t port, ws_options options = {},
                                                       duration timeout = patience);
    ~ws_client();

    /** The handshake's answer. */
    handshake_result const& result() const;
    /** The subprotocol the server chose (empty if none). */
    std::string protocol() const;

    /** Sends a text message; false if it could not be sent in time. */
    testing::AssertionResult send_text(std::string const& text, duration timeout = patience);
    /** Sends a binary message; false if it could not be sent in time. */
    testing::AssertionResult send_binary(std::string const& data, duration timeout = patience);
    /** Sends one message as several frames of at most @p fragment bytes each. */
    testing::AssertionResult send_fragmented(std::string const& data, bool binary, std::size_t fragment,
                         duration timeout = patience);
    /**
     * Sends a text frame without checking that it is valid UTF-8 (to test the
     * server's check).
     */
    testing::AssertionResult send_raw_text(std::string const& bytes, duration timeout = patience);

    /** Waits up to @p timeout for the next message; nothing when none came or the connection closed. */
    std::optional<message> receive(duration timeout = patience);
    /**
     * Sends a ping and waits (reading, keeping what arrives) for the pong: true once the server
     * reads this connection, which it does only after it has taken the client in. A test waits
     * with it for that instead of for a log line whose words it does not check.
     */
    bool ping(duration timeout = patience);
    /** Takes the messages that arrived and were not received yet (wait_close() keeps them). */
    std::vector<message> drain();
    /** Waits up to @p timeout for the server to close; the close code, or nothing if still open. */
    std::optional<close_info> wait_close(duration timeout = patience);
    /** True until the connection has closed or failed. */
    bool is_open() const;
    /** Starts the closing handshake with @p code and waits (bounded) for the server's answer. */
    testing::AssertionResult close(int code = 1000, std::string const& reason = "", duration timeout = patience);
    /** Drops the TCP connection at once, without a close frame (a vanished client). */
    void drop();
    /** How the connection ended, once it has. */
    std::optional<close_info> closed() const;
    /**
     * The connection's state in words, for a failure message after receive() gave nothing:
     * "open, nothing arrived" or how it closed ("closed by the server: 1009 'too big'").
     */
    std::string state() const;

    struct impl;  ///< internal state (Beast stream)

private:
    explicit ws_client(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

/** An HTTP answer. */
struct http_response
{
    int status = 0;                                  ///< 0 when there was no answer
    std::map<std::string, std::string> headers;      ///< names in lower case
    std::string body;                                ///< the answer's body
    std::string error;                               ///< why there was no answer
};

/** GET @p path from 127.0.0.1:@p port with cpp-httplib. */
http_response http_get(std::uint16_t port, std::string const& path,
                       std::map<std::string, std::string> headers = {}, duration timeout = patience);
/** Sends any method with cpp-httplib (for example "POST", "PUT"). */
http_response http_request(std::uint16_t port, std::string const& method, std::string const& path,
                           std::string const& body = "",
                           std::map<std::string, std::string> headers = {},
                           duration timeout = patience);

/** A plain TCP connection, for bytes no well-behaved client would send. */
class raw_socket
{
public:
    /** Connects to 127.0.0.1:@p port; throws std::runtime_error when it cannot. */
    explicit raw_socket(std::uint16_t port, duration timeout = patience);
    ~raw_socket();
    raw_socket(raw_socket const&) = delete;
    raw_socket& operator=(raw_socket const&) = delete;

    /** Sends all of @p bytes; false on error. */
    bool send(std::string const& bytes);
    /**
     * Sends all of @p bytes within @p timeout; false on error or when the peer stops
     * taking them in time. The connection stays open either way (unlike ws_client's
     * sends), so a test can keep a client that the server cannot write to.
     */
    bool send(std::string const& bytes, duration timeout);
    /**
     * Sends as much of @p bytes as the peer takes within @p timeout; returns how many bytes
     * went out (all of them, or fewer when it stopped taking them or on error), so that a
     * caller can go on where it stopped.
     */
    std::size_t send_part(std::string_view bytes, duration timeout);
    /** Reads until @p text appears, the peer closes, or @p timeout passes; returns all read so far. */
    std::string read_until(std::string const& text, duration timeout = patience);
    /** Reads until the peer closes or @p timeout passes; returns all read so far. */
    std::string read_all(duration timeout = patience);
    /** True when the peer has closed the connection (seen by a read). */
    bool peer_closed() const { return peer_closed_; }
    /** Waits up to @p timeout for the peer to close; true if it did. */
    bool wait_peer_close(duration timeout = patience);

private:
    int fd_ = -1;
    bool peer_closed_ = false;
    std::string received_;
};

/** A complete valid WebSocket handshake request for @p path, with room for changes. */
std::string handshake_request(std::string const& path = "/",
                              std::map<std::string, std::string> const& changes = {},
                              std::string const& method = "GET");

/** Builds one masked client frame (as RFC 6455 §5.2 lays it out). */
std::string client_frame(int opcode, std::string const& payload, bool fin = true,
                         bool masked = true);

/** The HTTP status code at the start of @p answer ("HTTP/1.1 400 …" gives 400), or 0. */
int status_of(std::string const& answer);

/** The path of a file in the build tree, e.g. `build_path("clients/cli/wsclient")`. */
std::string build_path(std::string const& relative);

/**
 * Any program run with arguments, its stdin a connection the test writes to and
 * its stdout and stderr collected (a client such as wsclient, not a server).
 * Destroying it kills the program if it still runs.
 */
class child
{
public:
    /**
     * Starts @p path with @p args and our environment plus @p env.
     * @throws std::runtime_error when @p path is not an executable file.
     */
    static std::unique_ptr<child> run(std::string const& path, std::vector<std::string> const& args,
                                      std::map<std::string, std::string> const& env = {});
    ~child();
    child(child const&) = delete;
    child& operator=(child const&) = delete;

    /** Writes @p text to the program's stdin; false when it has stopped reading. */
    bool write(std::string const& text);
    /** Closes the program's stdin (end of input, as Ctrl-D in a terminal). */
    void close_input();
    /** Everything the program printed on stdout so far. */
    std::string output() const;
    /** Everything the program printed on stderr so far. */
    std::string errors() const;
    /** Waits until stdout contains @p text (after position @p from); true if it did in time. */
    bool wait_for_output(std::string const& text, duration timeout = patience, std::size_t from = 0) const;
    /** Waits until stderr contains @p text; true if it did in time. */
    bool wait_for_errors(std::string const& text, duration timeout = patience) const;
    /** Waits up to @p timeout for the program to exit by itself. */
    std::optional<exit_info> wait_exit(duration timeout = patience);
    /** The process id (to send it a signal, as Ctrl-C in a terminal does). */
    int pid() const;

private:
    explicit child(std::unique_ptr<server::impl> p, int input);
    std::unique_ptr<server::impl> impl_;
    int input_ = -1;
};

}  // namespace harness
