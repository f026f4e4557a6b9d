/**
 * @file
 * @brief The `main` of every step's test program: picks the tests of one grading level
 *        (and program), runs them — several at once when asked — writes JUnit XML for
 *        teachers, and ends with the lines `<step> levels: article P/T, spec P/T, kit P/T`
 *        and `<step>: N passed, M failed`.
 *
 * Compiled once for all the test programs: each one finds its step in its own name
 * (`test-02-echo` runs the tests of `02-echo`).
 *
 * A test's grading level is the first word of its name: `article_`, `spec_` or `kit_`
 * (SPEC.md, "Grading levels"). The levels nest, so `KIT_LEVEL=spec` runs the `article` and
 * the `spec` tests. A test without a level is an error of the kit, reported before anything runs.
 *
 * Environment (set by tools/run-tests):
 * - `KIT_LEVEL`    article, spec or kit (the default: everything)
 * - `KIT_PROGRAM`  only the tests of one program, e.g. `server-express`
 * - `KIT_JOBS`     tests at once (default 1). Every test starts its own servers on ports of
 *                  its own, so they do not depend on each other; each runs in a process of
 *                  its own, so one that crashes or hangs costs only itself.
 * - `KIT_TEST_TIMEOUT_S`  the most one test may take (default 60): then it fails, and every
 *                  program it started is ended.
 *
 * A suite whose name ends in `Unit` tests the kit's own code, not a running program: it is left
 * out when `SERVER_CMD` or a `SERVER_CMD_<PROGRAM>` names another program to grade.
 */
#include "harness.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

/** The environment of this process (POSIX), where the SERVER_CMD variables are looked for. */
extern char** environ;

namespace {

using clock_type = std::chrono::steady_clock;

/** The three grading levels, in the order they nest. */
constexpr std::array<char const*, 3> levels = {"article", "spec", "kit"};

/** The step a test program belongs to: its file name without the folder and "test-". */
std::string step_of(char const* program)
{
    std::string name = program;
    name = name.substr(name.find_last_of('/') + 1);
    std::string const prefix = "test-";
    return name.compare(0, prefix.size(), prefix) == 0 ? name.substr(prefix.size()) : name;
}

/** An environment variable, or @p otherwise when it is not set or empty. */
std::string env_or(char const* name, std::string otherwise)
{
    char const* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? std::string(value) : otherwise;
}

/**
 * The level of a test (0 article, 1 spec, 2 kit) from its name, or -1 when it names none.
 * In a step without an article level (06), what the shared rules call `article` is `spec`.
 */
int level_of(std::string const& test_name)
{
    for(std::size_t i = 0; i < levels.size(); ++i)
    {
        std::string const prefix = std::string(levels[i]) + "_";
        if(test_name.compare(0, prefix.size(), prefix) == 0)
            return i == 0 && harness::no_article_level() ? 1 : static_cast<int>(i);
    }
    return -1;
}

/** GoogleTest's `*` and `?` wildcards, for one pattern of a `--gtest_filter`. */
bool matches(char const* pattern, char const* name)
{
    if(*pattern == '\0')
        return *name == '\0';
    if(*pattern == '*')
        return matches(pattern + 1, name) || (*name != '\0' && matches(pattern, name + 1));
    return *name != '\0' && (*pattern == '?' || *pattern == *name) && matches(pattern + 1, name + 1);
}

/** True when @p name passes a `--gtest_filter` (positive patterns, then `-` and negative ones). */
bool passes_filter(std::string const& filter, std::string const& name)
{
    auto const dash = filter.find('-');
    std::string const positive = dash == std::string::npos ? filter : filter.substr(0, dash);
    std::string const negative = dash == std::string::npos ? "" : filter.substr(dash + 1);
    auto any = [&](std::string const& list) {
        std::stringstream patterns(list);
        std::string pattern;
        while(std::getline(patterns, pattern, ':'))
            if(matches(pattern.c_str(), name.c_str()))
                return true;
        return false;
    };
    return (positive.empty() || any(positive)) && !any(negative);
}

/** True when the environment names another program to test than the kit's own (grading). */
bool grading_another_program()
{
    for(char** e = environ; *e != nullptr; ++e)
        if(std::strncmp(*e, "SERVER_CMD", 10) == 0 && std::strchr(*e, '=')[1] != '\0')
            return true;
    return false;
}

/** True for a suite of unit tests of the kit's own code (its name ends in `Unit`). */
bool is_unit_suite(std::string const& suite)
{
    return suite.size() >= 4 && suite.compare(suite.size() - 4, 4, "Unit") == 0;
}

/** `server-ws-http` as its tests are filed: `ServerWsHttp`. */
std::string camel_case(std::string const& program)
{
    std::string out;
    bool upper = true;
    for(char c : program)
    {
        if(c == '-')
        {
            upper = true;
            continue;
        }
        out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
        upper = false;
    }
    return out;
}

/** One test as the runner sees it. */
struct test_entry
{
    std::string suite;      ///< "Server/Echo"
    std::string name;       ///< "article_TextComesBack/0"
    int level = -1;         ///< index into levels
    bool passed = false;    ///< after it ran
    std::string output;     ///< what it printed, from `[ RUN ]` on (parallel runs)
    std::string testcase;   ///< its `<testcase>` element of the JUnit XML (parallel runs)
    double seconds = 0;     ///< how long it took

    std::string full() const { return suite + "." + name; }
};

/** Prints the two lines a student (and a teacher's script) looks for. */
void print_summary(std::string const& step, std::vector<test_entry> const& tests)
{
    std::array<int, 3> passed{}, total{};
    int failed = 0;
    for(auto const& t : tests)
    {
        ++total[static_cast<std::size_t>(t.level)];
        if(t.passed)
            ++passed[static_cast<std::size_t>(t.level)];
        else
            ++failed;
    }
    std::cout << step << " levels:";
    for(std::size_t i = 0; i < levels.size(); ++i)
        std::cout << (i ? ", " : " ") << levels[i] << " " << passed[i] << "/" << total[i];
    std::cout << "\n"
              << step << ": " << (passed[0] + passed[1] + passed[2]) << " passed, " << failed
              << " failed" << std::endl;
}

/** Records each test's level in the JUnit XML, and ends a test that takes too long. */
class level_recorder : public testing::EmptyTestEventListener
{
public:
    /** A recorder that gives each test at most @p limit. */
    explicit level_recorder(std::chrono::seconds limit) : limit_(limit)
    {
        watchdog_ = std::thread([this] { watch(); });
        watchdog_.detach();  // it ends with the process
    }

private:
    void OnTestStart(testing::TestInfo const& info) override
    {
        int const level = level_of(info.name());
        testing::Test::RecordProperty("level", level >= 0 ? levels[static_cast<std::size_t>(level)] : "none");
        started_.store(clock_type::now().time_since_epoch().count());
    }

    void OnTestEnd(testing::TestInfo const&) override { started_.store(0); }

    // A test that hangs (a server that accepts and never answers, a test's own bug) would
    // stop the whole run: end it, and the programs it started, after the limit.
    void watch()
    {
        for(;;)
        {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));  // a watchdog's tick
            auto const since = started_.load();
            if(since != 0 && clock_type::now().time_since_epoch().count() - since >
                                 std::chrono::duration_cast<clock_type::duration>(limit_).count())
            {
                std::cout << "\nThe test took longer than " << limit_.count()
                          << " s: ended, with every program it started." << std::endl;
                harness::end_all_programs();
                std::_Exit(1);
            }
        }
    }

    std::chrono::seconds limit_;
    std::atomic<clock_type::rep> started_{0};
    std::thread watchdog_;
};

/** Text for an XML attribute or CDATA-free element. */
std::string xml_escape(std::string const& text)
{
    std::string out;
    for(char c : text)
    {
        switch(c)
        {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default:
            if(static_cast<unsigned char>(c) >= 0x20 || c == '\n' || c == '\t')
                out += c;
        }
    }
    return out;
}

/** The `<testcase …>…</testcase>` element in a one-test JUnit file, or "" when there is none. */
std::string testcase_of(std::string const& xml)
{
    auto const begin = xml.find("<testcase ");
    if(begin == std::string::npos)
        return {};
    auto const tag_end = xml.find('>', begin);
    if(tag_end == std::string::npos)
        return {};
    if(xml[tag_end - 1] == '/')
        return xml.substr(begin, tag_end + 1 - begin);
    auto const end = xml.find("</testcase>", tag_end);
    return end == std::string::npos ? std::string() : xml.substr(begin, end + 11 - begin);
}

/** A file's whole content ("" when it cannot be read). */
std::string slurp(std::string const& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream all;
    all << in.rdbuf();
    return all.str();
}

/** The part of a test program's output that belongs to its one test: from `[ RUN ]` on. */
std::string test_part(std::string const& output)
{
    auto const run = output.find("[ RUN      ]");
    if(run == std::string::npos)
        return output;
    for(char const* end : {"\n[       OK ]", "\n[  FAILED  ]", "\n[  SKIPPED ]"})
    {
        auto const at = output.find(end, run);
        if(at != std::string::npos)
            return output.substr(run, output.find('\n', at + 1) + 1 - run);
    }
    return output.substr(run);
}

/** A test running in a process of its own. */
struct running
{
    pid_t pid = -1;
    int out = -1;
    std::size_t index = 0;
    std::string output;
    clock_type::time_point started;
};

/**
 * Runs every test of @p tests in a process of its own (this program with a filter that
 * names it), @p jobs at once, and fills in their results.
 */
void run_in_parallel(std::vector<test_entry>& tests, std::size_t jobs, std::string const& results_dir,
                     bool brief, bool fail_fast)
{
    std::string const self = "/proc/self/exe";
    std::string const scratch = results_dir + "/.parts-" + std::to_string(::getpid());
    ::mkdir(results_dir.c_str(), 0755);
    ::mkdir(scratch.c_str(), 0755);
    std::vector<running> active;
    std::size_t next = 0;
    bool stop = false;  // --gtest_fail_fast: no more tests start after one failed

    auto start_one = [&](std::size_t index) {
        int fds[2];
        if(::pipe2(fds, O_CLOEXEC) != 0)
            throw std::runtime_error("pipe failed");
        std::string const filter = "--gtest_filter=" + tests[index].full();
        std::string const output = "--gtest_output=xml:" + scratch + "/" + std::to_string(index) + ".xml";
        pid_t const pid = ::fork();
        if(pid < 0)
            throw std::runtime_error("fork failed");
        if(pid == 0)
        {
            ::dup2(fds[1], 1);
            ::dup2(fds[1], 2);
            ::setenv("KIT_CHILD", "1", 1);
            ::setenv("KIT_RUN_DIR", scratch.c_str(), 1);  // notes the tests of this run share
            char const* argv[] = {self.c_str(), filter.c_str(), output.c_str(), "--gtest_color=no", nullptr};
            ::execv(self.c_str(), const_cast<char* const*>(argv));
            std::_Exit(127);
        }
        ::close(fds[1]);
        active.push_back({pid, fds[0], index, {}, clock_type::now()});
    };

    auto finish = [&](running& r) {
        int status = 0;
        ::waitpid(r.pid, &status, 0);
        ::close(r.out);
        auto& t = tests[r.index];
        t.seconds = std::chrono::duration<double>(clock_type::now() - r.started).count();
        std::string const xml_path = scratch + "/" + std::to_string(r.index) + ".xml";
        t.testcase = testcase_of(slurp(xml_path));
        ::unlink(xml_path.c_str());
        t.passed = WIFEXITED(status) && WEXITSTATUS(status) == 0 && !t.testcase.empty() &&
                   t.testcase.find("<failure") == std::string::npos;
        t.output = test_part(r.output);
        if(t.testcase.empty())
        {
            // It ended without writing its result: a crash, or the watchdog's end.
            std::string const why = WIFSIGNALED(status)
                                        ? "the test program was ended by signal " + std::to_string(WTERMSIG(status))
                                        : "the test program ended (status " + std::to_string(WEXITSTATUS(status)) +
                                              ") without a result";
            t.output += "\n" + why + "\n[  FAILED  ] " + t.full() + "\n";
            std::ostringstream element;
            element << "<testcase name=\"" << xml_escape(t.name) << "\" status=\"run\" result=\"completed\" time=\""
                    << t.seconds << "\" classname=\"" << xml_escape(t.suite) << "\">\n"
                    << "      <properties>\n        <property name=\"level\" value=\""
                    << levels[static_cast<std::size_t>(t.level)] << "\"/>\n      </properties>\n"
                    << "      <failure message=\"" << xml_escape(why) << "\" type=\"\">"
                    << xml_escape(r.output) << "</failure>\n    </testcase>";
            t.testcase = element.str();
        }
        if(!brief || !t.passed)
            std::cout << t.output << std::flush;
        stop = stop || (fail_fast && !t.passed);
    };

    while(!active.empty() || (!stop && next < tests.size()))
    {
        while(!stop && active.size() < jobs && next < tests.size())
            start_one(next++);
        std::vector<pollfd> fds;
        for(auto const& r : active)
            fds.push_back({r.out, POLLIN, 0});
        ::poll(fds.data(), fds.size(), 500);
        for(std::size_t i = 0; i < active.size();)
        {
            char chunk[8192];
            ssize_t n = 0;
            if(fds[i].revents != 0)
                n = ::read(active[i].out, chunk, sizeof chunk);
            if(n > 0 && active[i].output.size() < (4u << 20))  // a program that prints without end
                active[i].output.append(chunk, static_cast<std::size_t>(n));
            if(fds[i].revents != 0 && n <= 0)
            {
                finish(active[i]);
                active.erase(active.begin() + static_cast<std::ptrdiff_t>(i));
                fds.erase(fds.begin() + static_cast<std::ptrdiff_t>(i));
                continue;
            }
            ++i;
        }
    }
    std::error_code ignored;
    std::filesystem::remove_all(scratch, ignored);  // with the notes the tests left there
    tests.resize(next);  // what did not start (after a failure, with fail_fast) did not run
}

/** Writes the JUnit XML of a parallel run: one `<testsuite>` per suite, in the order they ran. */
void write_junit(std::string const& path, std::vector<test_entry> const& tests)
{
    std::vector<std::string> order;
    std::map<std::string, std::vector<test_entry const*>> by_suite;
    double total_time = 0;
    int failures = 0;
    for(auto const& t : tests)
    {
        if(by_suite.find(t.suite) == by_suite.end())
            order.push_back(t.suite);
        by_suite[t.suite].push_back(&t);
        total_time += t.seconds;
        failures += t.passed ? 0 : 1;
    }
    std::ofstream xml(path);
    xml << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites tests=\"" << tests.size()
        << "\" failures=\"" << failures << "\" disabled=\"0\" errors=\"0\" time=\"" << total_time
        << "\" name=\"AllTests\">\n";
    for(auto const& suite : order)
    {
        auto const& members = by_suite[suite];
        int suite_failures = 0;
        double suite_time = 0;
        for(auto const* t : members)
        {
            suite_failures += t->passed ? 0 : 1;
            suite_time += t->seconds;
        }
        xml << "  <testsuite name=\"" << xml_escape(suite) << "\" tests=\"" << members.size()
            << "\" failures=\"" << suite_failures << "\" disabled=\"0\" skipped=\"0\" errors=\"0\" time=\""
            << suite_time << "\">\n";
        for(auto const* t : members)
            xml << "    " << t->testcase << "\n";
        xml << "  </testsuite>\n";
    }
    xml << "</testsuites>\n";
}

}  // namespace

int main(int argc, char** argv)
{
    std::string const step = step_of(argv[0]);
    bool const child = std::getenv("KIT_CHILD") != nullptr;
    std::string const results_dir = env_or("KIT_RESULTS_DIR", KIT_RESULTS_DIR);
    // JUnit XML lands in build/test-results/ unless the caller chose another place.
    testing::GTEST_FLAG(output) = "xml:" + results_dir + "/" + step + ".xml";
    testing::InitGoogleTest(&argc, argv);
    auto& unit = *testing::UnitTest::GetInstance();
    unit.listeners().Append(new level_recorder(std::chrono::seconds(std::atoi(env_or("KIT_TEST_TIMEOUT_S", "60").c_str()))));
    if(child || testing::GTEST_FLAG(list_tests))
        return RUN_ALL_TESTS();

    // The level asked for, and the levels it takes in.
    std::string const level = env_or("KIT_LEVEL", "kit");
    auto const asked = std::find(levels.begin(), levels.end(), level);
    if(asked == levels.end())
    {
        std::cerr << step << ": KIT_LEVEL must be article, spec or kit, not '" << level << "'\n";
        return 2;
    }
    int const highest = static_cast<int>(asked - levels.begin());
    std::string const program = env_or("KIT_PROGRAM", "");
    std::string const camel = camel_case(program);

    // Every test that passes the user's filter, the level and the program.
    std::vector<test_entry> tests;
    std::vector<std::string> unlevelled;
    std::string const user_filter = testing::GTEST_FLAG(filter);
    bool const units = !grading_another_program();
    for(int i = 0; i < unit.total_test_suite_count(); ++i)
    {
        auto const* suite = unit.GetTestSuite(i);
        for(int j = 0; j < suite->total_test_count(); ++j)
        {
            auto const* info = suite->GetTestInfo(j);
            test_entry t{suite->name(), info->name(), level_of(info->name()), false, {}, {}, 0};
            if(t.level < 0)
            {
                unlevelled.push_back(t.full());
                continue;
            }
            bool const of_program = program.empty() || t.suite == camel ||
                                    t.suite.compare(0, camel.size() + 1, camel + "/") == 0;
            if(t.level <= highest && of_program && (units || !is_unit_suite(t.suite)) &&
               passes_filter(user_filter, t.full()))
                tests.push_back(std::move(t));
        }
    }
    if(!unlevelled.empty())
    {
        for(auto const& name : unlevelled)
            std::cerr << step << ": the test " << name << " has no grading level "
                      << "(its name must start with article_, spec_ or kit_)\n";
        return 2;
    }

    std::size_t const jobs = static_cast<std::size_t>(std::max(1, std::atoi(env_or("KIT_JOBS", "1").c_str())));
    if(jobs == 1 || tests.size() <= 1)
    {
        // One process, the tests one after the other: GoogleTest's own run, with exact names.
        std::string exact;
        for(auto const& t : tests)
            exact += (exact.empty() ? "" : ":") + t.full();
        testing::GTEST_FLAG(filter) = exact.empty() ? "-*" : exact;
        int const code = RUN_ALL_TESTS();
        for(auto& t : tests)
            for(int i = 0; i < unit.total_test_suite_count(); ++i)
                for(int j = 0; j < unit.GetTestSuite(i)->total_test_count(); ++j)
                {
                    auto const* info = unit.GetTestSuite(i)->GetTestInfo(j);
                    if(t.suite == unit.GetTestSuite(i)->name() && t.name == info->name())
                        t.passed = info->result()->Passed();
                }
        print_summary(step, tests);
        return code;
    }

    auto const began = clock_type::now();
    std::cout << "[==========] Running " << tests.size() << " tests of " << step << ", " << jobs
              << " at once, level " << level << ".\n" << std::flush;
    bool const brief = testing::GTEST_FLAG(brief);
    run_in_parallel(tests, jobs, results_dir, brief, testing::GTEST_FLAG(fail_fast));
    // The XML goes where --gtest_output says (a folder: <step>.xml in it), as in GoogleTest's own run.
    std::string xml = testing::GTEST_FLAG(output);
    xml = xml.compare(0, 4, "xml:") == 0 ? xml.substr(4) : results_dir + "/" + step + ".xml";
    if(!xml.empty() && xml.back() == '/')
        xml += step + ".xml";
    write_junit(xml, tests);
    auto const took = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - began);
    std::cout << "[==========] " << tests.size() << " tests ran. (" << took.count() << " ms total)\n";
    int failed = 0;
    for(auto const& t : tests)
        if(!t.passed)
        {
            std::cout << "[  FAILED  ] " << t.full() << "\n";
            ++failed;
        }
    print_summary(step, tests);
    return failed == 0 ? 0 : 1;
}
