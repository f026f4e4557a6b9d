/**
 * @file
 * @brief The harness's heavy half: processes, Beast's WebSocket client,
 *        cpp-httplib's HTTP client and plain sockets.
 */
#include "harness.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <httplib.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <gtest/gtest.h>
#include <fstream>
#include <iterator>
#include <mutex>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

extern char** environ;

namespace harness {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using clock = std::chrono::steady_clock;

duration bounded(duration timeout)
{
    return testing::Test::HasFailure() ? std::min(timeout, duration(250ms)) : timeout;
}

// ---------------------------------------------------------------------------
// Processes

namespace {

std::string env_name_for(std::string const& program)
{
    std::string name = "SERVER_CMD_";
    for(char c : program)
        name += (c == '-' || c == '.') ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return name;
}

std::string override_for(std::string const& program)
{
    if(char const* own = std::getenv(env_name_for(program).c_str()); own != nullptr && *own != '\0')
        return own;
    if(char const* all = std::getenv("SERVER_CMD"); all != nullptr && *all != '\0')
        return all;
    return {};
}

std::string build_dir()
{
    // Absolute, since the programs run in working folders of their own.
    if(char const* dir = std::getenv("KIT_BUILD_DIR"); dir != nullptr && *dir != '\0')
        return std::filesystem::absolute(dir).string();
    return KIT_BUILD_DIR;
}

// The process groups of the programs that run now, for end_all_programs().
std::mutex groups_mutex;
std::set<int> groups;

// Our own environment with @p changes on top, as NAME=value entries for execve.
std::vector<std::string> environment_with(std::map<std::string, std::string> const& changes)
{
    std::map<std::string, std::string> vars;
    for(char** e = environ; *e != nullptr; ++e)
    {
        std::string entry = *e;
        auto eq = entry.find('=');
        if(eq != std::string::npos)
            vars[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    for(auto const& [k, v] : changes)
        vars[k] = v;
    std::vector<std::string> flat;
    for(auto const& [k, v] : vars)
        flat.push_back(k + "=" + v);
    return flat;
}

}  // namespace

bool& no_article_level()
{
    static bool none = false;
    return none;
}

void end_all_programs()
{
    std::lock_guard<std::mutex> lock(groups_mutex);
    for(int group : groups)
        ::kill(-group, SIGKILL);
}

std::string command_for(std::string const& step, std::string const& program)
{
    std::string const custom = override_for(program);
    return custom.empty() ? build_dir() + "/" + step + "/" + program : custom;
}

namespace {

/** The last @p n bytes of @p text, marked as cut when they are not all of it. */
std::string tail(std::string const& text, std::size_t n = 1200)
{
    if(text.size() <= n)
        return text;
    return "[…]" + text.substr(text.size() - n);
}

/** Quotes a program's output for a failure message: its end on lines of its own, or "nothing". */
std::string quoted(std::string const& text)
{
    if(text.empty())
        return "nothing";
    std::string end = tail(text);
    while(!end.empty() && end.back() == '\n')
        end.pop_back();
    return "\n" + end;
}

}  // namespace

/** The most the harness keeps of what one program prints on one stream. */
constexpr std::size_t output_cap = 4u << 20;

struct server::impl
{
    int pid = -1;
    int out_fd = -1;
    int err_fd = -1;
    mutable std::mutex mutex;
    mutable std::condition_variable changed;
    std::string out;
    std::string err;
    bool eof = false;  // both pipes closed: the program (and all it started) has ended
    bool reaped = false;
    bool end_expected = false;  // the test stopped it, signalled it or waited for its end
    std::string command;        // how it was started, for messages
    std::string workdir;        // its working folder, of its own (removed with it)
    exit_info info;
    std::thread reader;

    ~impl()
    {
        {
            std::lock_guard<std::mutex> lock(groups_mutex);
            groups.erase(pid);
        }
        if(pid > 0 && !reaped)
        {
            ::kill(-pid, SIGKILL);  // the whole process group the harness started
            ::waitpid(pid, nullptr, 0);
        }
        else if(pid > 0)
            ::kill(-pid, SIGKILL);  // anything the program left behind in its group
        if(reader.joinable())
            reader.join();
        if(out_fd >= 0)
            ::close(out_fd);
        if(err_fd >= 0)
            ::close(err_fd);
        if(!workdir.empty())
        {
            std::error_code ignored;
            std::filesystem::remove_all(workdir, ignored);  // and whatever the program left in it
        }
    }

    // A copy of what the program printed so far on one stream (out or err).
    std::string copy(std::string impl::*stream) const
    {
        std::lock_guard<std::mutex> lock(mutex);
        return this->*stream;
    }

    // Waits until stdout contains text (after position from), at most timeout; gives up
    // at once when the program has ended, since nothing more can come then.
    bool wait_for(std::string const& text, duration timeout, std::size_t from) const
    {
        std::unique_lock<std::mutex> lock(mutex);
        changed.wait_for(lock, bounded(timeout), [&] { return eof || has(text, from); });
        return has(text, from);
    }

    // True when stdout contains text after position from (call with the mutex held).
    bool has(std::string const& text, std::size_t from) const
    {
        return out.size() >= from && out.find(text, from) != std::string::npos;
    }

    // Copies the program's stdout and stderr into memory until both pipes close.
    void read_loop()
    {
        pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
        int open_fds = 2;
        char chunk[4096];
        while(open_fds > 0)
        {
            if(::poll(fds, 2, 200) < 0 && errno != EINTR)
                break;
            for(int i = 0; i < 2; ++i)
            {
                if(fds[i].fd < 0 || fds[i].revents == 0)
                    continue;
                ssize_t n = ::read(fds[i].fd, chunk, sizeof chunk);
                if(n <= 0)
                {
                    fds[i].fd = -1;
                    --open_fds;
                    continue;
                }
                std::lock_guard<std::mutex> lock(mutex);
                // A program that prints without end must not fill the test's memory: keep
                // the first few MiB of each stream (and say so), read and drop the rest.
                std::string& kept = i == 0 ? out : err;
                if(kept.size() < output_cap)
                {
                    kept.append(chunk, std::min(static_cast<std::size_t>(n), output_cap - kept.size()));
                    if(kept.size() == output_cap)
                        kept += "\n[the harness kept only the first 4 MiB of this output]\n";
                }
                changed.notify_all();
            }
        }
        std::lock_guard<std::mutex> lock(mutex);
        eof = true;
        changed.notify_all();
    }

    bool try_reap(int options)
    {
        if(reaped)
            return true;
        int status = 0;
        pid_t r = ::waitpid(pid, &status, options);
        if(r != pid)
            return false;
        reaped = true;
        if(WIFEXITED(status))
        {
            info.exited = true;
            info.status = WEXITSTATUS(status);
        }
        else if(WIFSIGNALED(status))
            info.signal = WTERMSIG(status);
        return true;
    }
};

namespace {

/**
 * Starts the program @p words[0] with the arguments @p words, in a process group of
 * its own (so the harness can end all of it), with @p env on top of our environment;
 * a thread copies its stdout and stderr into memory.
 * @param input when not null, the program's stdin becomes one end of a socket pair and
 *              the other end is stored here: a write after the program ended then fails
 *              with an error (MSG_NOSIGNAL) instead of a SIGPIPE that would end the test
 */
std::unique_ptr<server::impl> spawn(std::vector<std::string> words,
                                    std::map<std::string, std::string> const& env, int* input,
                                    std::string const& workdir = {})
{
    std::vector<std::string> flat = environment_with(env);
    std::vector<char*> envp;
    for(auto& e : flat)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    std::vector<char*> argv;
    for(auto& w : words)
        argv.push_back(w.data());
    argv.push_back(nullptr);

    int in[2] = {-1, -1}, out[2], err[2];
    if((input != nullptr && ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0) ||
       ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
        throw std::runtime_error("pipe failed");
    pid_t pid = ::fork();
    if(pid < 0)
        throw std::runtime_error("fork failed");
    if(pid == 0)
    {
        // The child: its own process group, our pipes as its stdin (if any), stdout and stderr;
        // it is killed when the test program ends, even by a crash.
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if(input != nullptr)
            ::dup2(in[1], 0);
        ::dup2(out[1], 1);
        ::dup2(err[1], 2);
        if(!workdir.empty() && ::chdir(workdir.c_str()) != 0)
            ::_exit(126);
        ::execve(argv[0], argv.data(), envp.data());
        std::fprintf(stderr, "harness: cannot run %s: %s\n", argv[0], std::strerror(errno));
        ::_exit(127);
    }
    ::setpgid(pid, pid);
    if(input != nullptr)
    {
        ::close(in[1]);
        *input = in[0];
    }
    ::close(out[1]);
    ::close(err[1]);
    {
        std::lock_guard<std::mutex> lock(groups_mutex);
        groups.insert(pid);
    }
    auto p = std::make_unique<server::impl>();
    p->pid = pid;
    p->out_fd = out[0];
    p->err_fd = err[0];
    p->reader = std::thread([raw = p.get()] { raw->read_loop(); });
    return p;
}

}  // namespace

server::server(std::unique_ptr<impl> p) : impl_(std::move(p)), pid_(impl_->pid) {}

server::~server()
{
    // A test that failed because the server crashed says so, with the end of what it printed:
    // "nothing arrived" alone would send a student looking in the wrong place.
    if(!testing::Test::HasFailure() || impl_->end_expected)
        return;
    {
        // A crash closes the test's connections a moment before the process is gone: wait
        // for that moment (briefly, and only in a test that failed).
        std::unique_lock<std::mutex> lock(impl_->mutex);
        impl_->changed.wait_for(lock, 300ms, [&] { return impl_->eof; });
    }
    if(!ended())
        return;
    impl_->try_reap(WNOHANG);
    auto const& info = impl_->info;
    std::string const how = info.exited ? "with exit status " + std::to_string(info.status)
                            : info.signal != 0 ? "by signal " + std::to_string(info.signal) + " (" +
                                                     strsignal(info.signal) + ")"
                                               : std::string("");
    ADD_FAILURE() << "Note: '" << impl_->command << "' ended during this test " << how
                  << ", which may be why it failed.\nThe end of its stderr: " << quoted(errors())
                  << "\nThe end of its stdout: " << quoted(output());
}

namespace {

/**
 * Claims @p port for this test process: a lock on a file named for it, which the process holds
 * until it ends. Tests run side by side (and test runs of other checkouts) then never hand out
 * the same port. That matters because a server counts as ready once its port accepts: were two
 * tests given one port, the second's server would fail to listen while its test talked to the
 * first's. False when another process holds the port (or this one had it already).
 */
bool claim(std::uint16_t port)
{
    static std::string const dir =
        (std::filesystem::temp_directory_path() / ("kit-ports-" + std::to_string(::getuid()))).string();
    ::mkdir(dir.c_str(), 0700);
    int const fd = ::open((dir + "/" + std::to_string(port)).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if(fd < 0)
        return true;  // no folder to coordinate in: the bind check below is all there is
    if(::flock(fd, LOCK_EX | LOCK_NB) != 0)
    {
        ::close(fd);
        return false;
    }
    return true;  // the descriptor stays open, and the lock held, until the process ends
}

}  // namespace

std::uint16_t free_port()
{
    // Below the kernel's range for outgoing connections (32768 and up by default), chosen at
    // random, and claimed (claim()) so that test programs running side by side never share one.
    static std::mt19937 random(std::random_device{}());
    std::uniform_int_distribution<int> pick(20000, 32000);
    for(int attempt = 0; attempt < 200; ++attempt)
    {
        auto const port = static_cast<std::uint16_t>(pick(random));
        if(!claim(port))
            continue;
        // Free for IPv4 and, where the machine has it, IPv6: Node listens on both.
        int const v4 = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a4{};
        a4.sin_family = AF_INET;
        a4.sin_port = htons(port);
        bool free = v4 >= 0 && ::bind(v4, reinterpret_cast<sockaddr*>(&a4), sizeof a4) == 0;
        if(v4 >= 0)
            ::close(v4);
        int const v6 = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if(free && v6 >= 0)
        {
            sockaddr_in6 a6{};
            a6.sin6_family = AF_INET6;
            a6.sin6_port = htons(port);
            a6.sin6_addr = in6addr_any;
            free = ::bind(v6, reinterpret_cast<sockaddr*>(&a6), sizeof a6) == 0;
        }
        if(v6 >= 0)
            ::close(v6);
        if(free)
            return port;
    }
    throw std::runtime_error("no free port found");
}

namespace {

/**
 * @p command with each word that names a file or folder relative to where the tests run made
 * absolute (`node server.js` -> `node /home/me/echo/server.js`), so that the program can run in
 * a working folder of its own; a first word without `/` is left to the shell's PATH. Nothing
 * when the command has quotes or other shell syntax, whose words this cannot tell apart: such
 * a command runs where the tests run, as typed.
 */
std::optional<std::string> with_absolute_paths(std::string const& command)
{
    if(command.find_first_of("\\'\"$`*?;&|<>(){}~#") != std::string::npos)
        return std::nullopt;
    std::error_code ec;
    auto const here = std::filesystem::current_path(ec);
    if(ec)
        return std::nullopt;
    std::istringstream words(command);
    std::string word, result;
    for(bool first = true; words >> word; first = false)
    {
        bool const relative = word[0] != '/' && word[0] != '-' && word.find('=') == std::string::npos;
        if(relative && (!first || word.find('/') != std::string::npos) && ::access((here / word).c_str(), F_OK) == 0)
            word = (here / word).lexically_normal().string();
        result += (result.empty() ? "" : " ") + word;
    }
    return result;
}

}  // namespace

std::unique_ptr<server> server::launch(std::string const& step, std::string const& program,
                                       environment env)
{
    std::string const custom = override_for(program);
    std::string const binary = build_dir() + "/" + step + "/" + program;
    if(custom.empty() && ::access(binary.c_str(), X_OK) != 0)
        throw std::runtime_error("no program " + binary + " (build the step first)");

    // The child's environment: ours, then the test's own settings, then a free port and
    // loopback (where the test did not choose them).
    std::uint16_t given = 0;
    if(env.find("DBWEBB_PORT") == env.end())
    {
        given = free_port();
        env.emplace("DBWEBB_PORT", std::to_string(given));
    }
    env.emplace("DBWEBB_HOST", "127.0.0.1");
    std::vector<std::string> words{binary};
    auto const absolute = custom.empty() ? std::optional<std::string>(binary) : with_absolute_paths(custom);
    if(!custom.empty())
        words = {"/bin/sh", "-c", "exec " + absolute.value_or(custom)};
    // The program runs in a folder of its own, so that nothing it writes (a Node server given
    // DBWEBB_PORT=http makes a Unix socket named `http` where it runs) lands in the kit's tree.
    std::string workdir;
    if(absolute)
    {
        workdir = (std::filesystem::temp_directory_path() / "kit-server-XXXXXX").string();
        if(::mkdtemp(workdir.data()) == nullptr)
            throw std::runtime_error("cannot make a working folder " + workdir + ": " + std::strerror(errno));
    }
    std::unique_ptr<server::impl> p;
    try
    {
        p = spawn(std::move(words), env, nullptr, workdir);
    }
    catch(...)
    {
        std::error_code ignored;
        if(!workdir.empty())
            std::filesystem::remove(workdir, ignored);
        throw;
    }
    p->workdir = workdir;
    p->command = custom.empty() ? binary : custom;
    std::unique_ptr<server> s(new server(std::move(p)));
    s->given_port_ = given;
    return s;
}

namespace {

/** True when something accepts TCP connections on 127.0.0.1:@p port now. */
bool accepts(std::uint16_t port)
{
    try
    {
        raw_socket probe(port, 1000ms);
        return true;
    }
    catch(std::exception const&)
    {
        return false;
    }
}

// The processes of a family: @p root and everything it started (defined below, with /proc).
std::vector<pid_t> family_of(pid_t root);

/** The TCP ports that @p root or a process it started listens on (from /proc), in order. */
std::set<std::uint16_t> listening_ports(pid_t root)
{
    // The inodes of the family's sockets, from the links in /proc/<pid>/fd.
    std::set<std::string> inodes;
    for(pid_t pid : family_of(root))
    {
        std::error_code ec;
        std::string const fds = "/proc/" + std::to_string(pid) + "/fd";
        for(std::filesystem::directory_iterator e(fds, ec), end; !ec && e != end; e.increment(ec))
        {
            std::error_code link_ec;
            std::string const target = std::filesystem::read_symlink(e->path(), link_ec).string();
            if(!link_ec && target.compare(0, 8, "socket:[") == 0)
                inodes.insert(target.substr(8, target.size() - 9));
        }
    }
    // The listening sockets (state 0A) of the machine, by inode: "sl local rem st … inode".
    std::set<std::uint16_t> ports;
    for(char const* table : {"/proc/net/tcp", "/proc/net/tcp6"})
    {
        std::ifstream in(table);
        std::string line;
        std::getline(in, line);  // the column names
        while(std::getline(in, line))
        {
            std::istringstream fields(line);
            std::string sl, local, remote, state, skip, inode;
            fields >> sl >> local >> remote >> state;
            for(int i = 0; i < 5; ++i)
                fields >> skip;  // tx:rx, tr:when, retrnsmt, uid, timeout
            fields >> inode;
            auto const colon = local.rfind(':');
            if(state == "0A" && colon != std::string::npos && inodes.count(inode) != 0)
                ports.insert(static_cast<std::uint16_t>(std::stoul(local.substr(colon + 1), nullptr, 16)));
        }
    }
    return ports;
}

/**
 * Where the tests of one run leave a note that a program does not listen on the port it is
 * given, so that its later tests say so in one line instead of colliding on the port it
 * takes instead (`KIT_RUN_DIR`, set by the test runner for the tests of one run; none when
 * the tests run in one process, which keeps the note in memory).
 */
std::string note_file(std::string const& step, std::string const& program)
{
    char const* dir = std::getenv("KIT_RUN_DIR");
    return dir != nullptr && *dir != '\0' ? std::string(dir) + "/" + step + "." + program + ".port-note" : "";
}

std::mutex notes_mutex;
std::map<std::string, std::string> notes;  // step/program -> why it does not listen where told

void leave_note(std::string const& step, std::string const& program, std::string const& why)
{
    std::lock_guard<std::mutex> lock(notes_mutex);
    notes[step + "/" + program] = why;
    if(std::string const file = note_file(step, program); !file.empty())
        std::ofstream(file) << why;
}

std::string note_for(std::string const& step, std::string const& program)
{
    std::lock_guard<std::mutex> lock(notes_mutex);
    if(auto it = notes.find(step + "/" + program); it != notes.end())
        return it->second;
    std::string const file = note_file(step, program);
    if(file.empty())
        return {};
    std::ifstream in(file);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/** The port a test asked for in @p env (DBWEBB_PORT), or 0 when it is not a port number. */
std::uint16_t asked_port(server::environment const& env)
{
    auto const it = env.find("DBWEBB_PORT");
    if(it == env.end() || it->second.empty() ||
       !std::all_of(it->second.begin(), it->second.end(), [](unsigned char c) { return std::isdigit(c); }))
        return 0;
    long const n = std::atol(it->second.c_str());
    return n > 0 && n < 65536 ? static_cast<std::uint16_t>(n) : 0;
}

}  // namespace

std::unique_ptr<server> server::start(std::string const& step, std::string const& program,
                                      environment env, duration timeout)
{
    // SPEC.md: a server is ready when it prints `Server is listening on <port>` or when the port
    // it was given accepts a connection, whichever comes first (students reword the line).
    static std::regex const ready(R"(Server is listening on (\d+))");
    std::string const command = command_for(step, program);
    bool const harness_port = env.find("DBWEBB_PORT") == env.end();
    if(std::string const note = note_for(step, program); harness_port && !note.empty())
        throw std::runtime_error(note + " (found by an earlier test of this run; not started again)");
    for(int attempt = 1;; ++attempt)
    {
        auto s = launch(step, program, env);
        std::uint16_t const port = harness_port ? s->given_port_ : asked_port(env);
        auto const deadline = clock::now() + timeout;
        std::optional<std::uint16_t> printed;  // the port of the ready line, once it came
        bool ended = false;
        while(clock::now() < deadline)
        {
            {
                std::unique_lock<std::mutex> lock(s->impl_->mutex);
                std::smatch m;
                if(!printed && std::regex_search(s->impl_->out, m, ready))
                    printed = static_cast<std::uint16_t>(std::min(65535L, std::atol(m[1].str().c_str())));
                ended = s->impl_->eof;
            }
            // With a port of its own: ready when it accepts there. With DBWEBB_PORT=0 (a kit
            // extra): the ready line names the port, which then must accept.
            std::uint16_t const probe = port != 0 ? port : printed.value_or(0);
            if(probe != 0 && accepts(probe))
            {
                s->port_ = probe;
                return s;
            }
            if(ended)
                break;
            // A refused connect answers at once: look again soon, or as soon as it prints.
            std::unique_lock<std::mutex> lock(s->impl_->mutex);
            s->impl_->changed.wait_for(lock, 20ms);
        }

        // Not ready: say why, in the words a student can act on.
        std::string const out = s->output();
        std::string const err = s->errors();
        std::set<std::uint16_t> const elsewhere = ended ? std::set<std::uint16_t>{} : listening_ports(s->pid_);
        std::smatch in_use;
        bool const collided = std::regex_search(err, in_use, std::regex(R"(EADDRINUSE[^\n]*?:(\d+))"));
        std::string where;  // where it listens instead, when it does not use the port given
        if(!elsewhere.empty() && port != 0 && elsewhere.count(port) == 0)
            where = "it listens on port " + std::to_string(*elsewhere.begin()) + " instead";
        else if(collided && port != 0 && in_use[1].str() != std::to_string(port))
            where = "it tried to listen on port " + in_use[1].str() +
                    " instead, which was taken (EADDRINUSE: by a copy of it that another test started?)";
        std::string why = "'" + command + "' did not get ready";
        if(!where.empty())
            why += ": it does not listen on the port given in DBWEBB_PORT (" + std::to_string(port) + "); " + where;
        else if(port != 0)
            why += ": nothing accepted a connection on the port given in DBWEBB_PORT (" + std::to_string(port) +
                   ")" + (printed ? " although it printed the ready line" : " and it printed no ready line") +
                   (ended ? "" : " within " + std::to_string(timeout.count()) + " ms");
        else
            why += ": it printed no line 'Server is listening on <port>' within " + std::to_string(timeout.count()) + " ms";
        if(ended)
        {
            auto const info = s->wait_exit(500ms);
            why += "; it ended" + (info && info->exited ? " with exit status " + std::to_string(info->status)
                                   : info && info->signal != 0 ? " by signal " + std::to_string(info->signal)
                                                               : std::string());
        }
        why += ".\nIts stdout: " + quoted(out) + "\nIts stderr: " + quoted(err);
        s.reset();
        if(!where.empty() && harness_port)
            leave_note(step, program, "'" + command + "' does not listen on the port given in DBWEBB_PORT: " + where);
        // Another program may have taken the port the harness chose in between: try another once.
        if(ended && attempt < 2 && harness_port && where.empty())
            continue;
        throw std::runtime_error(why);
    }
}

bool server::ended() const
{
    {
        std::lock_guard<std::mutex> lock(impl_->mutex);
        if(impl_->eof)
            return true;
    }
    return impl_->try_reap(WNOHANG);
}

std::string server::output() const { return impl_->copy(&server::impl::out); }

std::string server::errors() const { return impl_->copy(&server::impl::err); }

std::string server::printed(std::size_t from) const
{
    std::string const out = output();
    return quoted(from < out.size() ? out.substr(from) : std::string());
}

std::string server::printed_errors() const { return quoted(errors()); }

bool server::wait_for_output(std::string const& text, duration timeout, std::size_t from) const
{
    return impl_->wait_for(text, timeout, from);
}

std::size_t server::count_output(std::string const& text) const
{
    std::lock_guard<std::mutex> lock(impl_->mutex);
    std::size_t count = 0;
    for(auto at = impl_->out.find(text); at != std::string::npos; at = impl_->out.find(text, at + 1))
        ++count;
    return count;
}

void server::send_signal(int signal)
{
    impl_->end_expected = true;
    if(!impl_->reaped)
        ::kill(pid_, signal);
}

std::optional<exit_info> server::wait_exit(duration timeout)
{
    impl_->end_expected = true;
    timeout = bounded(timeout);
    auto const deadline = clock::now() + timeout;
    while(!impl_->try_reap(WNOHANG))
    {
        if(clock::now() >= deadline)
            return std::nullopt;
        std::this_thread::sleep_for(5ms);  // polling waitpid: there is no waitpid with a timeout
    }
    if(impl_->reader.joinable())
        impl_->reader.join();  // collect the last output
    return impl_->info;
}

exit_info server::stop(duration timeout)
{
    auto const begin = clock::now();
    send_signal(SIGTERM);
    auto info = wait_exit(timeout);
    if(!info)
    {
        ::kill(-pid_, SIGKILL);
        impl_->try_reap(0);
        if(impl_->reader.joinable())
            impl_->reader.join();
        exit_info killed = impl_->info;
        killed.exited = false;
        killed.took = std::chrono::duration_cast<duration>(clock::now() - begin);
        return killed;
    }
    info->took = std::chrono::duration_cast<duration>(clock::now() - begin);
    return *info;
}

namespace {

// The text of a file of /proc, or "" when it cannot be read: a process may end while it is read
// (reading then fails with ESRCH, which std::ifstream would throw), so plain read() is used.
std::string proc_file(std::string const& path)
{
    std::string text;
    int const fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if(fd < 0)
        return text;
    char chunk[4096];
    for(ssize_t n; (n = ::read(fd, chunk, sizeof chunk)) > 0;)
        text.append(chunk, static_cast<std::size_t>(n));
    ::close(fd);
    return text;
}

// The resident memory of one process in KiB, or 0.
long process_rss_kib(pid_t pid)
{
    std::string const status = proc_file("/proc/" + std::to_string(pid) + "/status");
    auto const at = status.find("\nVmRSS:");
    return at == std::string::npos ? 0 : std::atol(status.c_str() + at + 7);
}

// The parent of every process there is, from /proc/<pid>/stat ("pid (name) state ppid …"; the
// name may hold spaces and parentheses, so the fields start after the last ')').
std::vector<std::pair<pid_t, pid_t>> process_parents()
{
    std::vector<std::pair<pid_t, pid_t>> parents;
    std::error_code ec;
    for(std::filesystem::directory_iterator entry("/proc", ec), end; !ec && entry != end; entry.increment(ec))
    {
        std::string const name = entry->path().filename().string();
        if(name.empty() || !std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isdigit(c); }))
            continue;
        std::string const text = proc_file("/proc/" + name + "/stat");
        auto const close = text.rfind(')');
        if(close == std::string::npos)
            continue;
        std::istringstream fields(text.substr(close + 1));
        char state = 0;
        pid_t ppid = 0;
        if(fields >> state >> ppid)
            parents.emplace_back(static_cast<pid_t>(std::atol(name.c_str())), ppid);
    }
    return parents;
}

std::vector<pid_t> family_of(pid_t root)
{
    std::vector<pid_t> family{root};
    auto const parents = process_parents();
    for(std::size_t i = 0; i < family.size(); ++i)
        for(auto const& [pid, ppid] : parents)
            if(ppid == family[i])
                family.push_back(pid);
    return family;
}

}  // namespace

long server::resident_kib() const
{
    // The program and everything it started: a start command may be a wrapper (a sandbox, a
    // shell that does not exec) around the server, whose memory is what the tests mean.
    long total = 0;
    for(pid_t pid : family_of(pid_))
        total += process_rss_kib(pid);
    return total;
}

// ---------------------------------------------------------------------------
// WebSocket client

struct ws_client::impl
{
    net::io_context ioc;
    websocket::stream<beast::tcp_stream> ws{ioc};
    beast::flat_buffer buffer;
    handshake_result result;
    bool reading = false;
    std::deque<message> inbox;
    std::optional<close_info> closed;

    // Runs the io_context until done() or the deadline; true when done() holds.
    template<class Done>
    bool run_until(Done done, duration timeout)
    {
        auto const deadline = clock::now() + timeout;
        while(!done())
        {
            if(ioc.stopped())
                ioc.restart();
            if(ioc.run_one_until(deadline) == 0 && (clock::now() >= deadline || ioc.stopped()))
                return done();
        }
        return true;
    }

    // Ends the connection's pending operations and lets their handlers run.
    void abort()
    {
        beast::error_code ec;
        beast::get_lowest_layer(ws).socket().close(ec);
        ioc.restart();
        ioc.poll();
        if(!closed)
            closed = close_info{1006, "aborted by the test"};
    }

    void start_read()
    {
        if(reading || closed)
            return;
        reading = true;
        ws.async_read(buffer, [this](beast::error_code ec, std::size_t n) {
            reading = false;
            if(ec)
            {
                // A close frame that arrived counts even when the TCP teardown after it
                // failed: Beast 1.74's server teardown reads once and closes, so a client
                // still sending when the server closes (1009 mid-message) gets a reset.
                if(ec == websocket::error::closed || (!closed && ws.reason().code != websocket::close_code::none))
                    closed = close_info{static_cast<int>(ws.reason().code),
                                        std::string(ws.reason().reason.c_str())};
                else if(!closed)
                    closed = close_info{1006, ec.message()};
                return;
            }
            inbox.push_back({!ws.got_text(), beast::buffers_to_string(buffer.data())});
            buffer.consume(n);
        });
    }

    // Sends one message as several frames (ws_client::send_fragmented()).
    bool write_fragmented(std::string const& data, bool binary, std::size_t fragment, duration timeout);
    // Starts the closing handshake and waits for the server's answer (ws_client::close()).
    bool close(int code, std::string const& reason, duration timeout);

    bool write(std::string const& data, bool binary, duration timeout)
    {
        timeout = bounded(timeout);
        if(closed)
            return false;
        ws.binary(binary);
        bool done = false;
        beast::error_code result_ec;
        ws.async_write(net::buffer(data), [&](beast::error_code ec, std::size_t) {
            done = true;
            result_ec = ec;
        });
        if(!run_until([&] { return done; }, timeout))
        {
            abort();
            return false;
        }
        return !result_ec;
    }
};

ws_client::ws_client(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

ws_client::~ws_client()
{
    impl_->abort();
}

std::unique_ptr<ws_client> ws_client::connect(std::uint16_t port, ws_options options, duration timeout)
{
    timeout = bounded(timeout);
    auto p = std::make_unique<impl>();
    auto& ws = p->ws;
    auto& lowest = beast::get_lowest_layer(ws);
    bool done = false;
    beast::error_code connect_ec;
    lowest.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                         [&](beast::error_code ec) {
                             done = true;
                             connect_ec = ec;
                         });
    if(!p->run_until([&] { return done; }, timeout) || connect_ec)
    {
        p->result.error = connect_ec ? connect_ec.message() : "connect timed out";
        p->abort();
        return std::unique_ptr<ws_client>(new ws_client(std::move(p)));
    }

    // As browsers do: no Nagle delay. Beast masks a client's message in 4 KiB pieces, and
    // with Nagle each piece after the first would wait for the server's delayed ACK (~40 ms).
    beast::error_code nodelay_ec;
    lowest.socket().set_option(tcp::no_delay(true), nodelay_ec);
    ws.read_message_max(options.max_message);
    ws.auto_fragment(false);
    ws.set_option(websocket::stream_base::decorator([options](websocket::request_type& req) {
        if(!options.protocols.empty())
        {
            std::string offer;
            for(auto const& protocol : options.protocols)
                offer += (offer.empty() ? "" : ", ") + protocol;
            req.set(beast::http::field::sec_websocket_protocol, offer);
        }
        if(options.origin)
            req.set(beast::http::field::origin, *options.origin);
        for(auto const& [name, value] : options.headers)
            req.set(name, value);
    }));

    websocket::response_type res;
    done = false;
    beast::error_code hs_ec;
    ws.async_handshake(res, "127.0.0.1:" + std::to_string(port), options.path,
                       [&](beast::error_code ec) {
                           done = true;
                           hs_ec = ec;
                       });
    bool const finished = p->run_until([&] { return done; }, timeout);
    // Beast's response starts as a 200: it holds the server's answer only when one was read,
    // which is so when the handshake worked or failed on what the answer said (an error of
    // Beast's WebSocket category); a dropped connection or a timeout got no answer at all.
    bool const answered =
        finished && (!hs_ec || hs_ec.category() == make_error_code(websocket::error::upgrade_declined).category());
    p->result.status = answered ? static_cast<int>(res.result_int()) : 0;
    for(auto const& field : res)
    {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        p->result.headers[name] = std::string(field.value());
    }
    p->result.body = res.body();
    if(!finished || hs_ec)
    {
        p->result.error = !finished ? "no answer to the handshake within " + std::to_string(timeout.count()) + " ms"
                          : answered ? hs_ec.message()
                                     : "no answer to the handshake: " + hs_ec.message();
        p->abort();
    }
    else
        p->result.upgraded = true;
    return std::unique_ptr<ws_client>(new ws_client(std::move(p)));
}

std::unique_ptr<ws_client> ws_client::connect_or_throw(std::uint16_t port, ws_options options,
                                                       duration timeout)
{
    auto client = connect(port, std::move(options), timeout);
    if(!client->result().upgraded)
        throw std::runtime_error("WebSocket handshake failed: " + describe(client->result()));
    return client;
}

handshake_result const& ws_client::result() const { return impl_->result; }

std::string describe(handshake_result const& result)
{
    if(result.upgraded)
        return "upgraded (101)";
    if(result.status == 0)
        return result.error;
    std::string text = "status " + std::to_string(result.status) + " (" + result.error + ")";
    if(!result.body.empty())
        text += ", body '" + result.body.substr(0, 200) + "'";
    return text;
}

std::string ws_client::protocol() const
{
    auto it = impl_->result.headers.find("sec-websocket-protocol");
    return it == impl_->result.headers.end() ? std::string() : it->second;
}

namespace {

/** A send's or close's outcome for GoogleTest: on failure, what became of the connection. */
testing::AssertionResult explained(bool ok, ws_client const& client, char const* what)
{
    if(ok)
        return testing::AssertionSuccess();
    return testing::AssertionFailure() << what << " failed: " << client.state();
}

}  // namespace

testing::AssertionResult ws_client::send_text(std::string const& text, duration timeout)
{
    return explained(impl_->write(text, false, timeout), *this, "sending a text message");
}

testing::AssertionResult ws_client::send_binary(std::string const& data, duration timeout)
{
    return explained(impl_->write(data, true, timeout), *this, "sending a binary message");
}

testing::AssertionResult ws_client::send_raw_text(std::string const& bytes, duration timeout)
{
    // Beast checks UTF-8 only on what it receives, so this goes out as it is.
    return explained(impl_->write(bytes, false, timeout), *this, "sending a text message");
}

testing::AssertionResult ws_client::send_fragmented(std::string const& data, bool binary, std::size_t fragment,
                                                    duration timeout)
{
    return explained(impl_->write_fragmented(data, binary, fragment, timeout), *this, "sending a fragmented message");
}

testing::AssertionResult ws_client::close(int code, std::string const& reason, duration timeout)
{
    return explained(impl_->close(code, reason, timeout), *this, "the closing handshake");
}

bool ws_client::impl::write_fragmented(std::string const& data, bool binary, std::size_t fragment,
                                       duration timeout)
{
    timeout = bounded(timeout);
    auto& p = *this;
    if(p.closed || fragment == 0)
        return false;
    p.ws.binary(binary);
    for(std::size_t at = 0; at < data.size() || at == 0; at += fragment)
    {
        std::size_t const n = std::min(fragment, data.size() - at);
        bool const fin = at + n >= data.size();
        bool done = false;
        beast::error_code result_ec;
        p.ws.async_write_some(fin, net::buffer(data.data() + at, n),
                              [&](beast::error_code ec, std::size_t) {
                                  done = true;
                                  result_ec = ec;
                              });
        if(!p.run_until([&] { return done; }, timeout))
        {
            p.abort();
            return false;
        }
        if(result_ec)
            return false;
        if(fin)
            break;
    }
    return true;
}

std::optional<message> ws_client::receive(duration timeout)
{
    timeout = bounded(timeout);
    auto& p = *impl_;
    if(p.inbox.empty())
    {
        p.start_read();
        p.run_until([&] { return !p.inbox.empty() || (p.closed && !p.reading); }, timeout);
    }
    if(p.inbox.empty())
        return std::nullopt;
    message m = std::move(p.inbox.front());
    p.inbox.pop_front();
    return m;
}

std::vector<message> ws_client::drain()
{
    std::vector<message> taken(std::make_move_iterator(impl_->inbox.begin()),
                               std::make_move_iterator(impl_->inbox.end()));
    impl_->inbox.clear();
    return taken;
}

bool ws_client::ping(duration timeout)
{
    timeout = bounded(timeout);
    auto& p = *impl_;
    if(p.closed)
        return false;
    bool pong = false;
    bool sent = false;
    beast::error_code ping_ec;
    p.ws.control_callback([&](websocket::frame_type kind, beast::string_view) {
        pong = pong || kind == websocket::frame_type::pong;
    });
    p.ws.async_ping({}, [&](beast::error_code ec) {
        sent = true;
        ping_ec = ec;
    });
    p.start_read();  // the pong arrives through a read; messages before it stay in the inbox
    p.run_until([&] { return (sent && (pong || ping_ec)) || (p.closed && !p.reading); }, timeout);
    bool const answered = pong;
    if(!sent)
        p.abort();  // a ping still in flight refers to this frame's variables
    p.ws.control_callback();
    return answered;
}

std::string ws_client::state() const
{
    auto const& closed = impl_->closed;
    if(!closed)
        return "the connection is open and nothing arrived";
    if(closed->code == 1006)
        return "the connection ended without a close frame (1006)";
    return "the server closed the connection with " + std::to_string(closed->code) +
           (closed->reason.empty() ? std::string() : " '" + closed->reason + "'");
}

std::optional<close_info> ws_client::wait_close(duration timeout)
{
    timeout = bounded(timeout);
    auto& p = *impl_;
    // Read (and keep) messages until the close frame arrives.
    auto const deadline = clock::now() + timeout;
    while(!p.closed && clock::now() < deadline)
    {
        p.start_read();
        p.run_until([&] { return !p.reading; },
                    std::chrono::duration_cast<duration>(deadline - clock::now()));
    }
    return p.closed;
}

bool ws_client::is_open() const { return !impl_->closed && impl_->result.upgraded; }

bool ws_client::impl::close(int code, std::string const& reason, duration timeout)
{
    timeout = bounded(timeout);
    auto& p = *this;
    if(p.closed)
        return false;
    bool done = false;
    beast::error_code result_ec;
    p.ws.async_close(websocket::close_reason(static_cast<websocket::close_code>(code), reason),
                     [&](beast::error_code ec) {
                         done = true;
                         result_ec = ec;
                     });
    bool const finished = p.run_until([&] { return done && !p.reading; }, timeout);
    if(!p.closed)
        p.closed = close_info{static_cast<int>(p.ws.reason().code),
                              std::string(p.ws.reason().reason.c_str())};
    if(!finished)
        p.abort();
    return finished && !result_ec;
}

void ws_client::drop()
{
    auto& socket = beast::get_lowest_layer(impl_->ws).socket();
    beast::error_code ec;
    // Linger 0 makes close() send a reset: the client is just gone, as when a laptop sleeps.
    socket.set_option(net::socket_base::linger(true, 0), ec);
    impl_->abort();
}

std::optional<close_info> ws_client::closed() const { return impl_->closed; }

// ---------------------------------------------------------------------------
// HTTP client

http_response http_request(std::uint16_t port, std::string const& method, std::string const& path,
                           std::string const& body, std::map<std::string, std::string> headers,
                           duration timeout)
{
    timeout = bounded(timeout);
    httplib::Client client("127.0.0.1", port);
    client.set_url_encode(false);  // send the path exactly as the test wrote it
    client.set_connection_timeout(timeout);
    client.set_read_timeout(timeout);
    client.set_write_timeout(timeout);
    httplib::Request req;
    req.method = method;
    req.path = path;
    req.body = body;
    for(auto const& [name, value] : headers)
        req.headers.emplace(name, value);
    auto result = client.send(req);
    http_response out;
    if(!result)
    {
        out.error = httplib::to_string(result.error());
        return out;
    }
    out.status = result->status;
    out.body = result->body;
    for(auto const& [name, value] : result->headers)
    {
        std::string lower = name;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        out.headers[lower] = value;
    }
    return out;
}

http_response http_get(std::uint16_t port, std::string const& path,
                       std::map<std::string, std::string> headers, duration timeout)
{
    return http_request(port, "GET", path, "", std::move(headers), timeout);
}

// ---------------------------------------------------------------------------
// Plain sockets

raw_socket::raw_socket(std::uint16_t port, duration timeout)
{
    timeout = bounded(timeout);
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if(fd_ < 0)
        throw std::runtime_error("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    // A constructor that throws runs no destructor: close the socket before each throw.
    auto fail = [&](std::string const& why) {
        ::close(fd_);
        fd_ = -1;
        throw std::runtime_error("connect to port " + std::to_string(port) + " failed: " + why);
    };
    if(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS)
        fail(std::strerror(errno));
    pollfd pfd{fd_, POLLOUT, 0};
    int error = 0;
    socklen_t len = sizeof error;
    if(::poll(&pfd, 1, static_cast<int>(timeout.count())) != 1)
        fail("no answer within " + std::to_string(timeout.count()) + " ms");
    if(::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0)
        fail(std::strerror(error));
}

raw_socket::~raw_socket()
{
    if(fd_ >= 0)
        ::close(fd_);
}

bool raw_socket::send(std::string const& bytes)
{
    return send(bytes, patience);
}

bool raw_socket::send(std::string const& bytes, duration timeout)
{
    return send_part(bytes, timeout) == bytes.size();
}

std::size_t raw_socket::send_part(std::string_view bytes, duration timeout)
{
    timeout = bounded(timeout);
    std::size_t sent = 0;
    auto const deadline = clock::now() + timeout;
    while(sent < bytes.size())
    {
        ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if(n > 0)
        {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && clock::now() < deadline)
        {
            pollfd pfd{fd_, POLLOUT, 0};
            ::poll(&pfd, 1, 100);
            continue;
        }
        break;
    }
    return sent;
}

std::string raw_socket::read_until(std::string const& text, duration timeout)
{
    timeout = bounded(timeout);
    auto const deadline = clock::now() + timeout;
    while(!peer_closed_ && (text.empty() || received_.find(text) == std::string::npos))
    {
        auto const left = std::chrono::duration_cast<duration>(deadline - clock::now()).count();
        if(left <= 0)
            break;
        pollfd pfd{fd_, POLLIN, 0};
        if(::poll(&pfd, 1, static_cast<int>(left)) <= 0)
            continue;
        char chunk[4096];
        ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
        if(n > 0)
            received_.append(chunk, static_cast<std::size_t>(n));
        else if(n == 0 || (errno != EAGAIN && errno != EINTR))
            peer_closed_ = true;
    }
    return received_;
}

std::string raw_socket::read_all(duration timeout)
{
    return read_until("", timeout);
}

bool raw_socket::wait_peer_close(duration timeout)
{
    read_until("", timeout);
    return peer_closed_;
}

std::string handshake_request(std::string const& path,
                              std::map<std::string, std::string> const& changes,
                              std::string const& method)
{
    std::map<std::string, std::string> headers = {
        {"Host", "127.0.0.1"},
        {"Upgrade", "websocket"},
        {"Connection", "Upgrade"},
        {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},  // RFC 6455's own example key
        {"Sec-WebSocket-Version", "13"},
    };
    for(auto const& [name, value] : changes)
    {
        if(value.empty())
            headers.erase(name);
        else
            headers[name] = value;
    }
    std::string req = method + " " + path + " HTTP/1.1\r\n";
    for(auto const& [name, value] : headers)
        req += name + ": " + value + "\r\n";
    return req + "\r\n";
}

std::string client_frame(int opcode, std::string const& payload, bool fin, bool masked)
{
    std::string frame;
    frame += static_cast<char>((fin ? 0x80 : 0x00) | (opcode & 0x0f));
    std::size_t const n = payload.size();
    char const mask_bit = masked ? static_cast<char>(0x80) : 0;
    if(n < 126)
        frame += static_cast<char>(mask_bit | static_cast<char>(n));
    else if(n < 65536)
    {
        frame += static_cast<char>(mask_bit | 126);
        frame += static_cast<char>((n >> 8) & 0xff);
        frame += static_cast<char>(n & 0xff);
    }
    else
    {
        frame += static_cast<char>(mask_bit | 127);
        for(int shift = 56; shift >= 0; shift -= 8)
            frame += static_cast<char>((static_cast<std::uint64_t>(n) >> shift) & 0xff);
    }
    if(!masked)
        return frame + payload;
    char const key[4] = {0x12, 0x34, 0x56, 0x78};
    frame.append(key, 4);
    for(std::size_t i = 0; i < n; ++i)
        frame += static_cast<char>(payload[i] ^ key[i % 4]);
    return frame;
}

int status_of(std::string const& answer)
{
    static std::regex const status_line(R"(^HTTP/1\.[01] (\d{3}))");
    std::smatch m;
    return std::regex_search(answer, m, status_line) ? std::stoi(m[1].str()) : 0;
}

// ---------------------------------------------------------------------------
// Other programs (clients) with stdin

std::string build_path(std::string const& relative)
{
    return build_dir() + "/" + relative;
}

child::child(std::unique_ptr<server::impl> p, int input) : impl_(std::move(p)), input_(input) {}

child::~child()
{
    close_input();
}

std::unique_ptr<child> child::run(std::string const& path, std::vector<std::string> const& args,
                                  std::map<std::string, std::string> const& env)
{
    if(::access(path.c_str(), X_OK) != 0)
        throw std::runtime_error("no program " + path + " (build it first)");
    std::vector<std::string> words{path};
    words.insert(words.end(), args.begin(), args.end());
    int input = -1;
    auto p = spawn(std::move(words), env, &input);
    return std::unique_ptr<child>(new child(std::move(p), input));
}

bool child::write(std::string const& text)
{
    std::size_t done = 0;
    while(done < text.size())
    {
        ssize_t n = ::send(input_, text.data() + done, text.size() - done, MSG_NOSIGNAL);
        if(n < 0 && errno == EINTR)
            continue;
        if(n <= 0)
            return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

void child::close_input()
{
    if(input_ >= 0)
        ::close(input_);
    input_ = -1;
}

std::string child::output() const { return impl_->copy(&server::impl::out); }

std::string child::errors() const { return impl_->copy(&server::impl::err); }

bool child::wait_for_output(std::string const& text, duration timeout, std::size_t from) const
{
    return impl_->wait_for(text, timeout, from);
}

bool child::wait_for_errors(std::string const& text, duration timeout) const
{
    timeout = bounded(timeout);
    std::unique_lock<std::mutex> lock(impl_->mutex);
    return impl_->changed.wait_for(lock, timeout, [&] { return impl_->err.find(text) != std::string::npos; });
}

int child::pid() const
{
    return impl_->pid;
}

std::optional<exit_info> child::wait_exit(duration timeout)
{
    timeout = bounded(timeout);
    auto const deadline = clock::now() + timeout;
    while(!impl_->try_reap(WNOHANG))
    {
        if(clock::now() >= deadline)
            return std::nullopt;
        std::this_thread::sleep_for(5ms);  // polling waitpid: there is no waitpid with a timeout
    }
    if(impl_->reader.joinable())
        impl_->reader.join();  // collect the last output
    return impl_->info;
}

}  // namespace harness
