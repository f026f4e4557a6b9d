/**
 * @file
 * @brief The kit's load generator: drives an echo or broadcast server over loopback, checks every
 *        message it measures, and prints throughput, latency and the server's CPU and memory.
 *
 * Modes (one per run, all single-threaded and asynchronous, every run bounded in time and count):
 * - `echo`: C connections, each keeping W messages of S bytes in flight (or, with `--rate`, a
 *   steady total rate): messages per second and the round trip's percentiles;
 * - `broadcast`: N receivers and one sender that keeps W messages in flight: deliveries per second
 *   and the send-to-receive latency's percentiles; each receiver must get every message once, in order;
 * - `idle`: N connections that only stay open: the server's memory per connection.
 *
 * With `--server-pid` it reads the server's CPU time (/proc/PID/stat) and memory
 * (/proc/PID/status) around the measured window. It always reports its own CPU time, so a
 * saturated generator shows. The last line of its output is `RESULT {json}` for the driver.
 */
#include "connection.hpp"

#include <boost/asio/steady_timer.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using clock_type = std::chrono::steady_clock;  ///< the clock of every timestamp

namespace {

/** What one run does, from the command line. */
struct options
{
    std::string mode;                 ///< echo, broadcast or idle
    std::string host = "127.0.0.1";   ///< loopback only
    unsigned short port = 0;          ///< the server's port (required)
    long server_pid = 0;              ///< the server's process, for its CPU and memory (0: not measured)
    std::size_t connections = 50;     ///< echo and idle: how many connections
    std::size_t receivers = 1000;     ///< broadcast: how many receivers
    std::size_t inflight = 16;        ///< messages in flight per connection (echo), or in all (broadcast)
    std::size_t size = 32;            ///< bytes per message
    double rate = 0;                  ///< echo: a steady total rate in messages/s instead of a full window
    double warmup = 1;                ///< seconds run before measuring
    double duration = 5;              ///< seconds measured
    std::size_t max_messages = 20'000'000;  ///< the measured window also ends after this many
    std::size_t parallel = 64;        ///< upgrades in progress at once while connecting
    double timeout = 120;             ///< seconds before the whole run is abandoned
};

[[noreturn]] void usage(std::string const& why)
{
    std::cerr << "loadgen: " << why << "\n"
              << "usage: loadgen echo|broadcast|idle --port P [--server-pid PID]\n"
                 "         [--connections C] [--receivers N] [--inflight W] [--size S] [--rate R]\n"
                 "         [--warmup SEC] [--duration SEC] [--max-messages M] [--parallel K] [--timeout SEC]\n";
    std::exit(64);
}

options parse_options(int argc, char** argv)
{
    options o;
    if(argc < 2)
        usage("which mode?");
    o.mode = argv[1];
    if(o.mode != "echo" && o.mode != "broadcast" && o.mode != "idle")
        usage("unknown mode '" + o.mode + "'");
    for(int i = 2; i < argc; i += 2)
    {
        std::string const name = argv[i];
        if(i + 1 >= argc)
            usage(name + " needs a value");
        std::string const value = argv[i + 1];
        // Every value is a number; a typo must stop the run, not measure something else.
        double number = 0;
        try
        {
            std::size_t end = 0;
            number = std::stod(value, &end);
            if(end != value.size() || number < 0)
                throw std::invalid_argument(value);
        }
        catch(std::exception const&)
        {
            usage(name + " '" + value + "' is not a non-negative number");
        }
        auto const whole = static_cast<std::size_t>(number);
        if(name == "--port") o.port = static_cast<unsigned short>(whole);
        else if(name == "--server-pid") o.server_pid = static_cast<long>(whole);
        else if(name == "--connections") o.connections = whole;
        else if(name == "--receivers") o.receivers = whole;
        else if(name == "--inflight") o.inflight = whole;
        else if(name == "--size") o.size = whole;
        else if(name == "--rate") o.rate = number;
        else if(name == "--warmup") o.warmup = number;
        else if(name == "--duration") o.duration = number;
        else if(name == "--max-messages") o.max_messages = whole;
        else if(name == "--parallel") o.parallel = whole;
        else if(name == "--timeout") o.timeout = number;
        else usage("unknown option " + name);
    }
    if(o.port == 0)
        usage("--port is required");
    if(o.connections == 0 || o.receivers == 0 || o.inflight == 0 || o.parallel == 0 || o.duration <= 0)
        usage("counts and --duration must be above zero");
    return o;
}

/** CPU seconds (user + system, all threads) that process @p pid has used; -1 when unreadable. */
double process_cpu_seconds(long pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if(!std::getline(in, line))
        return -1;
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    std::istringstream fields(line.substr(line.rfind(')') + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for(int i = 3; i <= 15 && fields >> field; ++i)
    {
        if(i == 14) utime = std::stoull(field);
        if(i == 15) stime = std::stoull(field);
    }
    return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

/** Resident memory of process @p pid in KiB (VmRSS); -1 when unreadable. */
long process_rss_kib(long pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while(std::getline(in, line))
        if(line.rfind("VmRSS:", 0) == 0)
            return std::stol(line.substr(6));
    return -1;
}

/** CPU seconds this generator has used. */
double own_cpu_seconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto const seconds = [](timeval t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

/** Latency samples of one window, in nanoseconds. */
class latencies
{
public:
    /** Records one sample. */
    void add(clock_type::duration d)
    {
        auto const ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
        samples_.push_back(static_cast<std::uint32_t>(std::clamp<long long>(ns, 0, 0xFFFFFFFF)));
    }

    /** The @p q quantile (0..1) in microseconds; 0 without samples. */
    double quantile_us(double q)
    {
        if(samples_.empty())
            return 0;
        auto const k = std::min(samples_.size() - 1, static_cast<std::size_t>(q * double(samples_.size())));
        std::nth_element(samples_.begin(), samples_.begin() + static_cast<long>(k), samples_.end());
        return samples_[k] / 1000.0;
    }

    /** The number of samples. */
    std::size_t count() const { return samples_.size(); }

private:
    std::vector<std::uint32_t> samples_;
};

/** Writes the payload of message @p seq from sender @p from: recognisable, and different each time. */
void make_payload(std::string& out, std::size_t from, std::uint64_t seq, std::size_t size)
{
    static constexpr char hex[] = "0123456789abcdef";
    out.resize(size);
    // "c<from> s<seq> " in fixed-width hex, then letters that shift with seq.
    char head[24];
    head[0] = 'c';
    for(int i = 0; i < 5; ++i)
        head[1 + i] = hex[(from >> (4 * (4 - i))) & 15];
    head[6] = ' ';
    head[7] = 's';
    for(int i = 0; i < 12; ++i)
        head[8 + i] = hex[(seq >> (4 * (11 - i))) & 15];
    head[20] = ' ';
    std::size_t const n = std::min<std::size_t>(size, 21);
    std::copy(head, head + n, out.begin());
    for(std::size_t i = n; i < size; ++i)
        out[i] = static_cast<char>('a' + (seq + i) % 26);
}

/** A server's own announcement (03-broadcast and the Node server greet and say goodbye). */
bool is_announcement(std::string_view payload)
{
    auto const starts = [&](std::string_view prefix) { return payload.substr(0, prefix.size()) == prefix; };
    return starts("New client connected (") || starts("Client disconnected (");
}

/** What every mode shares: connections, the phases of a run, the measured window, the report. */
class generator : public connection_events
{
public:
    /** A run with options @p o on @p ioc. */
    generator(net::io_context& ioc, options o)
        : ioc_(ioc), opt_(std::move(o)), hub_{ioc, *this, {}, {}, 16 * 1024}, phase_timer_(ioc), deadline_(ioc)
    {
    }

    /** Creates @p count connections and opens the first @p first of them; the io_context runs the rest. */
    void start(std::size_t count, std::size_t first)
    {
        // The whole run has a deadline: a hung server must not hang the benchmark.
        deadline_.expires_after(seconds(opt_.timeout));
        deadline_.async_wait([this](beast::error_code ec) {
            if(!ec)
                abort("timed out after " + std::to_string(opt_.timeout) + " s in phase " + phase_name_, 2);
        });
        endpoint_ = tcp::endpoint(net::ip::make_address(opt_.host), opt_.port);
        for(std::size_t i = 0; i < count; ++i)
            connections_.push_back(std::make_unique<connection>(hub_, i));
        phase_name_ = "connect";
        connect_more(first);
    }

    /** The process exit status: 0, 1 when a check failed, 2 on timeout. */
    int status() const { return status_; }

    void on_open(connection& c) override
    {
        ++opened_;
        opened_now(c);
        if(opened_ == target_open_)
            all_open();
        else
            connect_more(target_open_);
    }

    void on_failure(connection& c, std::string const& what) override
    {
        abort("connection " + std::to_string(c.id()) + ": " + what, 1);
    }

    void on_closed(connection& /*c*/) override
    {
        if(++closed_ == opened_)
            report();
    }

protected:
    static clock_type::duration seconds(double s)
    {
        return std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(s));
    }

    /** Called for each connection as it opens. */
    virtual void opened_now(connection& /*c*/) {}
    /** Called once every connection asked for is open. */
    virtual void all_open() = 0;
    /** Called when the measured window ends: stop sending, wait for what is in flight. */
    virtual void window_ended() = 0;
    /** Adds this mode's figures to the report. */
    virtual void add_results(std::map<std::string, std::string>& r) = 0;

    /** Opens connections until @p total are open or opening, at most `parallel` at once. */
    void connect_more(std::size_t total)
    {
        target_open_ = total;
        while(started_ < total && started_ - opened_ < opt_.parallel)
            connections_[started_++]->start(endpoint_, opt_.host + ":" + std::to_string(opt_.port));
    }

    /** Runs @p warmup seconds, then the measured window of `duration` seconds. */
    void start_window()
    {
        phase_name_ = "warm-up";
        phase_timer_.expires_after(seconds(opt_.warmup));
        phase_timer_.async_wait([this](beast::error_code ec) {
            if(ec)
                return;
            begin_measuring();
            phase_timer_.expires_after(seconds(opt_.duration));
            phase_timer_.async_wait([this](beast::error_code ec) {
                if(!ec)
                    end_measuring();
            });
        });
    }

    void begin_measuring()
    {
        phase_name_ = "measure";
        measuring_ = true;
        window_start_ = clock_type::now();
        own_cpu_start_ = own_cpu_seconds();
        if(opt_.server_pid)
            server_cpu_start_ = process_cpu_seconds(opt_.server_pid);
    }

    /** Ends the window (at its time, or early at --max-messages). */
    void end_measuring()
    {
        if(!measuring_)
            return;
        measuring_ = false;
        window_end_ = clock_type::now();
        own_cpu_end_ = own_cpu_seconds();
        if(opt_.server_pid)
            server_cpu_end_ = process_cpu_seconds(opt_.server_pid);
        phase_timer_.cancel();
        phase_name_ = "drain";
        window_ended();
    }

    /** Everything sent has come back: close every connection, then report. */
    void finish()
    {
        phase_name_ = "close";
        for(auto& c : connections_)
            c->close();
        hub_.flush_all();
        // A server that does not answer close frames must not hold the report back for long.
        phase_timer_.expires_after(std::chrono::seconds(3));
        phase_timer_.async_wait([this](beast::error_code ec) {
            if(!ec)
                report();
        });
    }

    /** Counts one measured message; ends the window early at --max-messages. */
    void count_measured()
    {
        if(++measured_ >= opt_.max_messages)
            end_measuring();
    }

    void abort(std::string const& why, int status)
    {
        if(status_ != 0 || reported_)
            return;
        std::cerr << "loadgen: FAILED: " << why << std::endl;
        status_ = status;
        std::cout << "RESULT {\"ok\":false,\"mode\":\"" << opt_.mode << "\",\"error\":\"" << escape(why) << "\"}"
                  << std::endl;
        ioc_.stop();
    }

    static std::string escape(std::string const& s)
    {
        std::string out;
        for(char ch : s)
        {
            if(ch == '"' || ch == '\\')
                out += '\\';
            out += (static_cast<unsigned char>(ch) < 0x20) ? ' ' : ch;
        }
        return out;
    }

    static std::string number(double v)
    {
        char text[64];
        std::snprintf(text, sizeof text, "%.6g", v);
        return text;
    }

    double window_seconds() const { return std::chrono::duration<double>(window_end_ - window_start_).count(); }

    net::io_context& ioc_;
    options opt_;
    connection_hub hub_;
    std::vector<std::unique_ptr<connection>> connections_;
    net::steady_timer phase_timer_;
    bool measuring_ = false;
    std::size_t measured_ = 0;
    latencies latency_;

private:
    void report()
    {
        if(reported_ || status_ != 0)
            return;
        reported_ = true;
        std::map<std::string, std::string> r;
        r["mode"] = "\"" + opt_.mode + "\"";
        r["ok"] = "true";
        double const window = window_seconds();
        r["window_s"] = number(window);
        r["messages"] = std::to_string(measured_);
        r["per_second"] = number(window > 0 ? double(measured_) / window : 0);
        r["samples"] = std::to_string(latency_.count());
        r["p50_us"] = number(latency_.quantile_us(0.50));
        r["p99_us"] = number(latency_.quantile_us(0.99));
        r["p999_us"] = number(latency_.quantile_us(0.999));
        r["max_us"] = number(latency_.quantile_us(1.0));
        double const own = own_cpu_end_ - own_cpu_start_;
        r["gen_cpu_s"] = number(own);
        r["gen_cpu_pct"] = number(window > 0 ? 100 * own / window : 0);
        if(opt_.server_pid && server_cpu_start_ >= 0 && server_cpu_end_ >= 0)
        {
            double const server = server_cpu_end_ - server_cpu_start_;
            r["server_cpu_s"] = number(server);
            r["server_cpu_pct"] = number(window > 0 ? 100 * server / window : 0);
            r["server_cpu_us_per_msg"] = number(measured_ ? 1e6 * server / double(measured_) : 0);
        }
        add_results(r);
        if(r["ok"] != "true")
            status_ = 1;
        // One line a person reads, and one line the driver parses.
        std::cerr << "loadgen " << opt_.mode << ": " << r["messages"] << " in " << r["window_s"] << " s = "
                  << r["per_second"] << "/s, p50 " << r["p50_us"] << " us, p99 " << r["p99_us"]
                  << " us, generator CPU " << r["gen_cpu_pct"] << "%" << std::endl;
        std::string json = "{";
        for(auto const& [key, value] : r)
            json += (json.size() > 1 ? "," : "") + ("\"" + key + "\":" + value);
        std::cout << "RESULT " << json << "}" << std::endl;
        ioc_.stop();
    }

    tcp::endpoint endpoint_;
    net::steady_timer deadline_;
    std::string phase_name_;
    std::size_t started_ = 0;
    std::size_t opened_ = 0;
    std::size_t closed_ = 0;
    std::size_t target_open_ = 0;
    int status_ = 0;
    bool reported_ = false;
    clock_type::time_point window_start_{}, window_end_{};
    double own_cpu_start_ = 0, own_cpu_end_ = 0;
    double server_cpu_start_ = -1, server_cpu_end_ = -1;
};

/** Echo: every connection sends, every message must come back unchanged and in order. */
class echo_run : public generator
{
public:
    /** An echo run with @p o. */
    echo_run(net::io_context& ioc, options o) : generator(ioc, std::move(o)), ticker_(ioc), state_(opt_.connections) {}

    /** Opens the connections; sending starts when all are open. */
    void run() { start(opt_.connections, opt_.connections); }

    void on_message(connection& c, bool text, std::string_view payload) override
    {
        auto& st = state_[c.id()];
        if(!text)
            return on_failure(c, "an echo came back as binary");
        if(st.sent.empty())
            return on_failure(c, "a message came back that was never sent");
        // The echo must be exactly the oldest message in flight: not lost, not reordered, not changed.
        make_payload(expected_, c.id(), st.next_receive, opt_.size);
        if(payload != expected_)
            return on_failure(c, "echo of message " + std::to_string(st.next_receive) +
                                     " differs: got '" + std::string(payload.substr(0, 40)) + "'");
        auto const now = clock_type::now();
        auto const rtt = now - st.sent.front();
        st.sent.pop_front();
        ++st.next_receive;
        --in_flight_;
        if(measuring_)
        {
            latency_.add(rtt);
            count_measured();
        }
        // Closed loop: each answer makes room for the next message.
        if(sending_ && opt_.rate == 0)
            send(c);
        if(!sending_ && in_flight_ == 0)
            finish();
    }

private:
    struct connection_state
    {
        std::uint64_t next_send = 0;
        std::uint64_t next_receive = 0;
        std::deque<clock_type::time_point> sent;
    };

    void all_open() override
    {
        sending_ = true;
        start_window();
        if(opt_.rate == 0)
        {
            // Fill every connection's window; answers keep it full.
            for(auto& c : connections_)
                for(std::size_t i = 0; i < opt_.inflight; ++i)
                    send(*c);
            hub_.flush_all();
            return;
        }
        rate_start_ = clock_type::now();
        tick();
    }

    /** Steady rate: each tick sends what the schedule says is due by now, round robin. */
    void tick()
    {
        auto const now = clock_type::now();
        auto const due = static_cast<std::uint64_t>(opt_.rate * std::chrono::duration<double>(now - rate_start_).count());
        while(scheduled_ < due)
        {
            ++scheduled_;
            auto& c = *connections_[next_connection_];
            next_connection_ = (next_connection_ + 1) % connections_.size();
            // A connection with too much in flight skips its turn; the report shows the rate reached.
            if(state_[c.id()].sent.size() >= opt_.inflight)
            {
                if(measuring_)
                    ++skipped_;
                continue;
            }
            send(c);
        }
        hub_.flush_all();
        ticker_.expires_at(now + std::chrono::microseconds(100));
        ticker_.async_wait([this](beast::error_code ec) {
            if(!ec && sending_)
                tick();
        });
    }

    void send(connection& c)
    {
        auto& st = state_[c.id()];
        make_payload(outgoing_, c.id(), st.next_send++, opt_.size);
        st.sent.push_back(clock_type::now());
        ++in_flight_;
        c.send_text(outgoing_);
    }

    void window_ended() override
    {
        sending_ = false;
        ticker_.cancel();
        if(in_flight_ == 0)
            finish();
    }

    void add_results(std::map<std::string, std::string>& r) override
    {
        r["connections"] = std::to_string(opt_.connections);
        r["inflight"] = std::to_string(opt_.inflight);
        r["size"] = std::to_string(opt_.size);
        r["rate_target"] = number(opt_.rate);
        r["skipped"] = std::to_string(skipped_);
    }

    net::steady_timer ticker_;
    std::vector<connection_state> state_;
    std::string outgoing_, expected_;
    std::size_t in_flight_ = 0;
    std::size_t skipped_ = 0;
    bool sending_ = false;
    clock_type::time_point rate_start_{};
    std::uint64_t scheduled_ = 0;
    std::size_t next_connection_ = 0;
};

/** Broadcast: one sender, N receivers; every receiver must get every message once, in order. */
class broadcast_run : public generator
{
public:
    /** A broadcast run with @p o. */
    broadcast_run(net::io_context& ioc, options o)
        : generator(ioc, std::move(o)), next_receive_(opt_.receivers), window_(opt_.inflight)
    {
    }

    /** Opens the receivers, then the sender. */
    void run() { start(opt_.receivers + 1, opt_.receivers); }

    void on_message(connection& c, bool text, std::string_view payload) override
    {
        // Greetings and farewells come from the server itself: not part of the measurement.
        if(is_announcement(payload))
        {
            ++announcements_;
            return;
        }
        if(c.id() == sender_id())
            return on_failure(c, "the sender got its own message back");
        if(!text)
            return on_failure(c, "a broadcast arrived as binary");
        auto& next = next_receive_[c.id()];
        if(next >= next_send_)
            return on_failure(c, "more messages arrived than were sent (a duplicate?)");
        auto& slot = window_[next % window_.size()];
        if(payload != slot.payload)
            return on_failure(c, "receiver got '" + std::string(payload.substr(0, 40)) + "' where message " +
                                     std::to_string(next) + " was due (lost, duplicated or reordered)");
        ++next;
        if(measuring_)
        {
            latency_.add(clock_type::now() - slot.sent);
            count_measured();
        }
        // When the last receiver has it, the message leaves the window and the next can go.
        if(++slot.received == opt_.receivers)
        {
            while(oldest_ < next_send_ && window_[oldest_ % window_.size()].received == opt_.receivers)
                ++oldest_;
            fill_window();
            if(!sending_ && oldest_ == next_send_)
                finish();
        }
    }

private:
    struct slot_type
    {
        std::string payload;
        clock_type::time_point sent{};
        std::size_t received = 0;
    };

    std::size_t sender_id() const { return opt_.receivers; }

    void all_open() override
    {
        if(!sender_started_)
        {
            // Every receiver is in; now the sender joins (and every receiver is greeted once more).
            sender_started_ = true;
            connect_more(opt_.receivers + 1);
            return;
        }
        sending_ = true;
        start_window();
        fill_window();
        hub_.flush_all();
    }

    void fill_window()
    {
        while(sending_ && next_send_ - oldest_ < window_.size())
        {
            auto& slot = window_[next_send_ % window_.size()];
            make_payload(slot.payload, sender_id(), next_send_, opt_.size);
            slot.received = 0;
            slot.sent = clock_type::now();
            ++next_send_;
            connections_[sender_id()]->send_text(slot.payload);
        }
    }

    void window_ended() override
    {
        sending_ = false;
        if(oldest_ == next_send_)
            finish();
    }

    void add_results(std::map<std::string, std::string>& r) override
    {
        r["receivers"] = std::to_string(opt_.receivers);
        r["inflight"] = std::to_string(opt_.inflight);
        r["size"] = std::to_string(opt_.size);
        r["broadcasts"] = std::to_string(next_send_);
        r["announcements"] = std::to_string(announcements_);
        // Every receiver must have got every message that was sent.
        for(std::size_t i = 0; i < opt_.receivers; ++i)
            if(next_receive_[i] != next_send_)
            {
                r["ok"] = "false";
                r["error"] = "\"receiver " + std::to_string(i) + " got " + std::to_string(next_receive_[i]) +
                             " of " + std::to_string(next_send_) + "\"";
                break;
            }
    }

    std::vector<std::uint64_t> next_receive_;
    std::vector<slot_type> window_;
    std::uint64_t next_send_ = 0;
    std::uint64_t oldest_ = 0;
    std::size_t announcements_ = 0;
    bool sending_ = false;
    bool sender_started_ = false;
};

/** Idle: N connections that stay open; the server's memory before and after, per connection. */
class idle_run : public generator
{
public:
    /** An idle run with @p o. */
    idle_run(net::io_context& ioc, options o) : generator(ioc, std::move(o)), poll_(ioc), answered_(opt_.connections)
    {
        // Idle connections read little: small buffers keep the generator's own memory down.
        hub_.read_size = 512;
    }

    /** Reads the server's memory, then opens the connections. */
    void run()
    {
        if(opt_.server_pid)
            rss_before_ = process_rss_kib(opt_.server_pid);
        start(opt_.connections, opt_.connections);
    }

    void on_message(connection& c, bool text, std::string_view payload) override
    {
        // After the memory is read, each connection proves it is still served: one echo each.
        make_payload(expected_, c.id(), 0, opt_.size);
        if(!text || payload != expected_ || answered_[c.id()])
            return on_failure(c, "the check message did not come back as sent");
        answered_[c.id()] = true;
        // Every connection has talked once and waits again: its memory may not stay higher.
        if(++answers_ == opt_.connections)
            settle(0, -1, rss_used_, [this] { finish(); });
    }

private:
    void all_open() override
    {
        // Let the server settle: read its memory until it stops changing (bounded).
        begin_measuring();
        settle(0, -1, rss_after_, [this] { end_measuring(); });
    }

    // Reads the server's memory into @p rss every 200 ms until it stops changing (at most
    // 5 s), then calls @p done.
    void settle(int round, long previous, long& rss, std::function<void()> done)
    {
        rss = opt_.server_pid ? process_rss_kib(opt_.server_pid) : 0;
        bool const stable = previous >= 0 && std::labs(rss - previous) * 200 <= std::max(previous, 1L);
        if((stable && round >= 4) || round >= 25)
            return done();
        poll_.expires_after(std::chrono::milliseconds(200));
        poll_.async_wait([this, round, &rss, done = std::move(done)](beast::error_code ec) mutable {
            if(!ec)
                settle(round + 1, rss, rss, std::move(done));
        });
    }

    void window_ended() override
    {
        for(auto& c : connections_)
        {
            make_payload(outgoing_, c->id(), 0, opt_.size);
            c->send_text(outgoing_);
        }
        hub_.flush_all();
    }

    void add_results(std::map<std::string, std::string>& r) override
    {
        r["connections"] = std::to_string(opt_.connections);
        r["rss_before_kib"] = std::to_string(rss_before_);
        r["rss_after_kib"] = std::to_string(rss_after_);
        r["rss_per_connection_kib"] =
            number(double(rss_after_ - rss_before_) / double(opt_.connections));
        r["rss_used_kib"] = std::to_string(rss_used_);
        r["rss_used_per_connection_kib"] =
            number(double(rss_used_ - rss_before_) / double(opt_.connections));
    }

    net::steady_timer poll_;
    std::vector<bool> answered_;
    std::size_t answers_ = 0;
    std::string outgoing_, expected_;
    long rss_before_ = -1;
    long rss_after_ = -1;
    long rss_used_ = -1;  // after every connection has sent one message and had its echo
};

/** Lets this process open as many sockets as the hard limit allows (idle runs open thousands). */
void raise_file_limit()
{
    rlimit limit{};
    if(getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

}  // namespace

int main(int argc, char** argv)
{
    options const opt = parse_options(argc, argv);
    raise_file_limit();
    net::io_context ioc(1);
    // One mode per run; each object lives until the io_context stops.
    if(opt.mode == "echo")
    {
        echo_run run(ioc, opt);
        run.run();
        ioc.run();
        return run.status();
    }
    if(opt.mode == "broadcast")
    {
        broadcast_run run(ioc, opt);
        run.run();
        ioc.run();
        return run.status();
    }
    idle_run run(ioc, opt);
    run.run();
    ioc.run();
    return run.status();
}
