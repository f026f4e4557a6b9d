/**
 * @file
 * @brief The broadcast rules (broadcast_rules.hpp), as tests.
 */
#include "broadcast_rules.hpp"

#include <algorithm>
#include <array>
#include <csignal>
#include <optional>
#include <vector>

using namespace harness;

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(BroadcastRules);

namespace {

/** True when @p text starts with @p prefix. */
bool starts_with(std::string const& text, std::string const& prefix)
{
    return text.compare(0, prefix.size(), prefix) == 0;
}

/** Receives one message and checks that it is text starting with @p prefix. */
void expect_text(ws_client& client, std::string const& prefix, char const* who)
{
    auto m = client.receive();
    ASSERT_TRUE(m) << who << " expected '" << prefix << "...' and got nothing (" << client.state() << ")";
    EXPECT_FALSE(m->binary) << who << " expected '" << prefix << "...' as text, got a binary message";
    EXPECT_TRUE(starts_with(m->data, prefix)) << who << " expected '" << prefix << "...', got '"
                                              << m->data.substr(0, 80) << "'";
}

/** Receives messages until a text that starts with @p prefix, skipping others; false if none came. */
bool receive_until(ws_client& client, std::string const& prefix, std::vector<std::string>* seen = nullptr)
{
    for(;;)
    {
        auto m = client.receive();
        if(!m)
            return false;
        if(seen != nullptr)
            seen->push_back(m->binary ? "<binary>" : m->data.substr(0, 80));
        if(!m->binary && starts_with(m->data, prefix))
            return true;
    }
}

/** Everything in @p seen, quoted, for a failure message. */
std::string listed(std::vector<std::string> const& seen)
{
    std::string text;
    for(auto const& item : seen)
        text += (text.empty() ? "'" : ", '") + item + "'";
    return text.empty() ? "nothing" : text;
}

/**
 * Connects three clients a, b, c in that order and takes what the server sends them on
 * connecting (the greetings, whatever their words), so that each test starts from quiet clients.
 */
std::array<std::unique_ptr<ws_client>, 3> three_clients(program_ref const& p, server const& s)
{
    auto a = p.connect_or_throw(s);
    auto b = p.connect_or_throw(s);
    auto c = p.connect_or_throw(s);
    EXPECT_TRUE(settled({a.get(), b.get(), c.get()}));
    return {std::move(a), std::move(b), std::move(c)};
}

/**
 * Receives messages until one the test sent: a binary one when @p binary_only, else one that
 * is not a greeting or goodbye of SPEC.md's words (those come when clients come and go).
 */
std::optional<message> receive_data(ws_client& client, bool binary_only = false)
{
    for(;;)
    {
        auto m = client.receive();
        if(!m || m->binary ||
           (!binary_only && !(starts_with(m->data, "New client connected (") ||
                              starts_with(m->data, "Client disconnected ("))))
            return m;
    }
}

/** @p n bytes that carry @p tag at the start, so that a swapped or cut message shows. */
std::string tagged(std::string const& tag, std::size_t n)
{
    std::string data = tag;
    data.resize(n, '.');
    return data;
}

}  // namespace

TEST_P(BroadcastRules, article_GreetsTheOthersWithTheCountThatIncludesTheNewClient)
{
    auto s = GetParam().start();
    auto a = GetParam().connect_or_throw(*s);
    a->ping();  // the server has taken a in once it answers a's ping
    auto b = GetParam().connect_or_throw(*s);
    // a's first message is about b: nobody is greeted about themselves.
    expect_text(*a, "New client connected (2)", "a");
    auto c = GetParam().connect_or_throw(*s);
    expect_text(*a, "New client connected (3)", "a");
    expect_text(*b, "New client connected (3)", "b");
    // c is told nothing about the clients that were there before it: its first message is a's.
    ASSERT_TRUE(a->send_text("first from a"));
    auto first = c->receive();
    ASSERT_TRUE(first) << "c got nothing (" << c->state() << ")";
    EXPECT_EQ(first->data, "first from a") << "c must be told nothing about the clients before it";
}

namespace {

/** Three clients; a sends one message, b and c get it as it was sent, and a does not. */
void expect_passed_on_but_not_back(program_ref const& p, std::string const& data, bool binary)
{
    auto s = p.start();
    auto [a, b, c] = three_clients(p, *s);
    ASSERT_TRUE(binary ? a->send_binary(data) : a->send_text(data));
    for(auto* receiver : {b.get(), c.get()})
    {
        auto got = receiver->receive();
        ASSERT_TRUE(got) << "a's message did not arrive (" << receiver->state() << ")";
        EXPECT_EQ(got->binary, binary) << "the frame type changed";
        EXPECT_EQ(got->data, data);
    }
    // Had a been sent its own message, it would come before b's.
    ASSERT_TRUE(b->send_text("from b"));
    auto next = a->receive();
    ASSERT_TRUE(next) << "b's message did not reach a (" << a->state() << ")";
    EXPECT_EQ(next->data, "from b") << "a got something before b's message: its own message back?";
}

}  // namespace

TEST_P(BroadcastRules, article_SendsEveryMessageToEveryOtherClientButNotBackToTheSender)
{
    expect_passed_on_but_not_back(GetParam(), "hello from a, åäö", /*binary=*/false);
}

TEST_P(BroadcastRules, spec_PassesABinaryMessageOnAsBinary)
{
    // The article sends only text; SPEC.md keeps each message's frame type.
    expect_passed_on_but_not_back(GetParam(), std::string("\x00\x01\xfe\xff binary", 11), /*binary=*/true);
}

TEST_P(BroadcastRules, article_LogsWhatEachClientSent)
{
    auto s = GetParam().start();
    auto [a, b, c] = three_clients(GetParam(), *s);
    ASSERT_TRUE(a->send_text("hello everyone"));
    EXPECT_TRUE(s->wait_for_output("Received: hello everyone\n"))
        << "expected 'Received: hello everyone'; it printed: " << s->printed();
}

TEST_P(BroadcastRules, article_LogsEachBroadcastWithItsCounts)
{
    auto s = GetParam().start();
    auto [a, b, c] = three_clients(GetParam(), *s);
    std::size_t const before = s->output().size();  // settling the clients was broadcast too
    ASSERT_TRUE(a->send_text("hello everyone"));
    ASSERT_TRUE(b->receive()) << "a's message did not reach b (" << b->state() << ")";
    EXPECT_TRUE(s->wait_for_output("Broadcasted data to 2 (3) clients.\n", patience, before))
        << "expected 'Broadcasted data to 2 (3) clients.' (sent to 2 of 3); it printed: " << s->printed(before);
}

TEST_P(BroadcastRules, spec_TellsTheOthersWhenAClientLeavesOrVanishes)
{
    auto s = GetParam().start();
    auto [a, b, c] = three_clients(GetParam(), *s);
    ASSERT_TRUE(c->close(1000, "bye"));
    expect_text(*a, "Client disconnected (2)", "a");
    expect_text(*b, "Client disconnected (2)", "b");
    // A client that is just gone, without a close frame, is noticed too.
    b->drop();
    expect_text(*a, "Client disconnected (1)", "a");
    // And the server goes on: a newcomer's message reaches a.
    auto d = GetParam().connect_or_throw(*s);
    d->ping();
    ASSERT_TRUE(d->send_text("from d"));
    auto from_d = receive_data(*a);
    ASSERT_TRUE(from_d) << "a newcomer's message did not reach a (" << a->state() << ")";
    EXPECT_EQ(from_d->data, "from d");
}

namespace {

/**
 * Two clients send 200 messages each, as fast as they can, and a third must get all 400, each
 * sender's in the order sent; with @p mixed some of them are binary and must stay binary.
 */
void expect_each_senders_order(program_ref const& p, bool mixed)
{
    auto s = p.start({{"DBWEBB_LOG", "quiet"}});
    auto [a, b, c] = three_clients(p, *s);
    for(int i = 0; i < 200; ++i)
    {
        std::string const tag_a = "a" + std::to_string(i);
        std::string const tag_b = "b" + std::to_string(i);
        ASSERT_TRUE(mixed && i % 2 == 1 ? a->send_binary(tag_a) : a->send_text(tag_a));
        ASSERT_TRUE(mixed && i % 3 == 0 ? b->send_binary(tag_b) : b->send_text(tag_b));
    }
    int next_a = 0;
    int next_b = 0;
    while(next_a < 200 || next_b < 200)
    {
        auto m = receive_data(*c);
        ASSERT_TRUE(m) << "c stopped at a" << next_a << ", b" << next_b << " (" << c->state() << ")";
        bool const from_a = !m->data.empty() && m->data[0] == 'a';
        int& next = from_a ? next_a : next_b;
        EXPECT_EQ(m->data, (from_a ? "a" : "b") + std::to_string(next)) << "out of order, or not the test's";
        if(mixed)
        {
            EXPECT_EQ(m->binary, from_a ? next % 2 == 1 : next % 3 == 0) << m->data << ": frame type changed";
        }
        ++next;
    }
}

}  // namespace

TEST_P(BroadcastRules, article_KeepsEachSendersOrder)
{
    expect_each_senders_order(GetParam(), /*mixed=*/false);
}

TEST_P(BroadcastRules, spec_KeepsEachSendersOrderAndFrameTypes)
{
    expect_each_senders_order(GetParam(), /*mixed=*/true);
}

TEST_P(BroadcastRules, article_TwoHundredClientsEachGetEveryBroadcastOnceAndInOrder)
{
    auto s = GetParam().start({{"DBWEBB_LOG", "quiet"}});
    std::vector<std::unique_ptr<ws_client>> clients;
    std::vector<ws_client*> all;
    for(int i = 0; i < 200; ++i)
    {
        clients.push_back(GetParam().connect_or_throw(*s));
        all.push_back(clients.back().get());
    }
    // Client i is greeted once for each client after it: take those as they come.
    ASSERT_TRUE(settled(all));
    // Two senders; everyone else must get all of both, once each, each sender in order.
    for(int k = 0; k < 10; ++k)
    {
        ASSERT_TRUE(clients[0]->send_text("x" + std::to_string(k)));
        ASSERT_TRUE(clients[1]->send_text("y" + std::to_string(k)));
    }
    ASSERT_TRUE(clients[0]->send_text("x-end"));
    ASSERT_TRUE(clients[1]->send_text("y-end"));
    for(int i = 2; i < 200; ++i)
    {
        std::vector<std::string> from_x, from_y;
        while(from_x.empty() || from_x.back() != "x-end" || from_y.empty() || from_y.back() != "y-end")
        {
            auto m = clients[i]->receive();
            ASSERT_TRUE(m) << "client " << i << " got only " << from_x.size() << " + " << from_y.size()
                           << " of 11 + 11 messages (" << clients[i]->state() << ")";
            (m->data[0] == 'x' ? from_x : from_y).push_back(m->data);
            ASSERT_LE(from_x.size() + from_y.size(), 22u) << "client " << i << ": a duplicate";
        }
        for(int k = 0; k < 10; ++k)
        {
            EXPECT_EQ(from_x[k], "x" + std::to_string(k)) << "client " << i;
            EXPECT_EQ(from_y[k], "y" + std::to_string(k)) << "client " << i;
        }
    }
    // The two senders got each other's messages, and not their own.
    auto first_for_0 = receive_data(*clients[0]);
    ASSERT_TRUE(first_for_0) << "client 0 got nothing from client 1 (" << clients[0]->state() << ")";
    EXPECT_EQ(first_for_0->data, "y0") << "client 0's first message must be client 1's first";
}

namespace {

/** What happened to a client that never read while two others talked (stuck_client()). */
struct stuck_outcome
{
    long grown_kib = 0;                ///< how much the server's resident memory grew meanwhile
    std::optional<close_info> closed;  ///< the close the stuck client read at last
};

/**
 * One client never reads (its TCP window closes, then its send queue of 1 MiB fills) while
 * two others send each other 4000 messages of 8 KiB — held for the stuck client without a
 * cap, 64 MiB. Each message must reach the other at once, whatever the stuck one does.
 * They go in rounds of 32 each way (256 KiB, a quarter of the queue's cap, so a or b never
 * has more waiting for it than a correct server may hold): 125 round trips instead of 4000,
 * which on a busy machine is the difference between seconds and half a minute.
 */
stuck_outcome stuck_client(program_ref const& p)
{
    stuck_outcome outcome;
    auto s = p.start({{"DBWEBB_LOG", "quiet"}, {"DBWEBB_SEND_QUEUE_BYTES", "1048576"}});
    auto stuck = p.connect_or_throw(*s);
    auto a = p.connect_or_throw(*s);
    auto b = p.connect_or_throw(*s);
    EXPECT_TRUE(settled({a.get(), b.get()}));
    long const before = s->resident_kib();
    int const count = 4000;
    int const round = 32;
    for(int first = 0; first < count; first += round)
    {
        int const last = std::min(count, first + round);
        for(int i = first; i < last; ++i)
        {
            EXPECT_TRUE(a->send_binary(tagged("a" + std::to_string(i), 8192))) << i;
            EXPECT_TRUE(b->send_binary(tagged("b" + std::to_string(i), 8192))) << i;
        }
        for(int i = first; i < last; ++i)
        {
            auto at_b = receive_data(*b, /*binary_only=*/true);
            auto at_a = receive_data(*a, /*binary_only=*/true);
            if(!at_a || !at_b)
            {
                ADD_FAILURE() << "message " << i << " did not arrive promptly";
                return outcome;
            }
            if(at_b->data != tagged("a" + std::to_string(i), 8192) || at_a->data != tagged("b" + std::to_string(i), 8192))
            {
                ADD_FAILURE() << "message " << i << " came out of order or changed";
                return outcome;
            }
        }
    }
    outcome.grown_kib = s->resident_kib() - before;
    // The stuck client was given up on (whether the others were told is a test of its own).
    EXPECT_TRUE(a->send_binary("still here"));
    auto const last = receive_data(*b, /*binary_only=*/true);
    EXPECT_TRUE(last && last->data == "still here") << "a's last message did not reach b";
    // One that did closed it: when it finally reads, it gets what was sent before, then the close.
    outcome.closed = stuck->wait_close(10000ms);
    return outcome;
}

}  // namespace

TEST_P(BroadcastRules, spec_AStuckClientNeverHoldsUpTheOthersAndIsClosedWhenItsQueueIsFull)
{
    auto const outcome = stuck_client(GetParam());
    ASSERT_TRUE(outcome.closed) << "the stuck client was never closed: a server that holds everything "
                                   "for a client that does not read grows without bound";
    EXPECT_TRUE(outcome.closed->code == 1008 || outcome.closed->code == 1013)
        << "close " << outcome.closed->code << " " << outcome.closed->reason;
}

TEST_P(BroadcastRules, kit_AStuckClientCostsBoundedMemoryAndIsClosedWith1008)
{
    auto const outcome = stuck_client(GetParam());
    EXPECT_LT(outcome.grown_kib, 32 * 1024) << "resident memory grew by " << outcome.grown_kib << " KiB";
    ASSERT_TRUE(outcome.closed);
    EXPECT_EQ(outcome.closed->code, 1008) << outcome.closed->reason;
}

TEST_P(BroadcastRules, spec_DropsAPeerThatDoesNotAnswerPingsAndTellsTheOthers)
{
    auto s = GetParam().start({{"DBWEBB_PING_INTERVAL_MS", "300"}});
    auto a = GetParam().connect_or_throw(*s);
    // This client never reads, so it never answers a ping (Beast answers only while reading).
    auto silent = GetParam().connect_or_throw(*s);
    // a keeps reading (and so answers pings); the silent one is dropped after two intervals,
    // and a hears of it (after its greeting, whatever that says).
    std::vector<std::string> seen;
    EXPECT_TRUE(receive_until(*a, "Client disconnected (1)", &seen))
        << "a was not told that the silent client was dropped; a got " << listed(seen) << " (" << a->state() << ")";
    EXPECT_TRUE(a->is_open()) << "a client that answers pings stays: " << a->state();
}

TEST_P(BroadcastRules, spec_SigtermWhileAWriteIsStuckClosesTheOthersWith1001AndExitsZero)
{
    // A queue large enough that the stuck client is not given up on before the signal.
    auto s = GetParam().start({{"DBWEBB_LOG", "quiet"}, {"DBWEBB_SEND_QUEUE_BYTES", "67108864"},
                               {"DBWEBB_SEND_QUEUE_MESSAGES", "100000"}});
    auto stuck = GetParam().connect_or_throw(*s);
    auto a = GetParam().connect_or_throw(*s);
    auto b = GetParam().connect_or_throw(*s);
    ASSERT_TRUE(settled({a.get(), b.get()}));
    // 24 MiB for a client that reads nothing: far more than TCP's buffers take, so the
    // server's write to it cannot finish.
    for(int i = 0; i < 3000; ++i)
        ASSERT_TRUE(a->send_binary(tagged("a" + std::to_string(i), 8192))) << i;
    for(int i = 0; i < 3000; ++i)
        ASSERT_TRUE(receive_data(*b, /*binary_only=*/true)) << "b got only " << i << " of 3000 (" << b->state() << ")";
    // The close frame must wait behind the stuck write, and the server must neither wait
    // for that write nor crash (a second write on the stream would trip Beast's assertion
    // in a Debug build: SIGABRT).
    s->send_signal(SIGTERM);
    auto closed_a = a->wait_close(2000ms);
    auto closed_b = b->wait_close(2000ms);
    ASSERT_TRUE(closed_a && closed_b) << "every open client must be closed within 2 s of SIGTERM";
    EXPECT_EQ(closed_a->code, 1001) << "expected 1001 (going away): " << a->state();
    EXPECT_EQ(closed_b->code, 1001) << "expected 1001 (going away): " << b->state();
    auto ended = s->wait_exit(2000ms);
    ASSERT_TRUE(ended) << "the server must exit within 2 s of SIGTERM";
    EXPECT_TRUE(ended->exited) << "ended by signal " << ended->signal;
    EXPECT_EQ(ended->status, 0);
}

TEST_P(BroadcastRules, spec_PassesOnAFragmentedMessageAndOneOfExactlyTheLimit)
{
    auto s = GetParam().start({{"DBWEBB_LOG", "quiet"}, {"DBWEBB_MAX_MESSAGE", "65536"}});
    auto a = GetParam().connect_or_throw(*s);
    auto b = GetParam().connect_or_throw(*s);
    ASSERT_TRUE(settled({a.get(), b.get()}));
    std::string const fragmented = tagged("fragmented", 10000);
    ASSERT_TRUE(a->send_fragmented(fragmented, /*binary=*/false, 999));
    std::string const at_limit = tagged("at the limit", 65536);
    ASSERT_TRUE(a->send_binary(at_limit));
    auto first = receive_data(*b);
    auto second = receive_data(*b);
    ASSERT_TRUE(first && second) << "b got " << (first ? 1 : 0) << " of 2 messages (" << b->state() << ")";
    EXPECT_FALSE(first->binary);
    EXPECT_EQ(first->data, fragmented) << "the fragmented message, put together";
    EXPECT_TRUE(second->binary);
    EXPECT_EQ(second->data, at_limit) << "the message of exactly DBWEBB_MAX_MESSAGE bytes";
    // One byte over: that client is closed with 1009.
    a->send_binary(tagged("over", 65537));
    auto closed = a->wait_close();
    ASSERT_TRUE(closed) << "one byte over DBWEBB_MAX_MESSAGE must close the connection: " << a->state();
    EXPECT_EQ(closed->code, 1009) << a->state();
}

TEST_P(BroadcastRules, spec_InvalidUtf8ClosesThatClientWith1007AndIsNotPassedOn)
{
    auto s = GetParam().start();
    auto a = GetParam().connect_or_throw(*s);
    auto b = GetParam().connect_or_throw(*s);
    ASSERT_TRUE(settled({a.get(), b.get()}));
    ASSERT_TRUE(a->send_raw_text("bad \xff byte"));
    auto closed = a->wait_close();
    ASSERT_TRUE(closed) << "invalid UTF-8 must close the connection: " << a->state();
    EXPECT_EQ(closed->code, 1007) << a->state();
    // b never gets the bad bytes: what it reads before a newcomer's message holds none of them.
    auto c = GetParam().connect_or_throw(*s);
    std::vector<std::vector<message>> before;
    ASSERT_TRUE(settled({b.get(), c.get()}, &before));
    for(auto const& m : before[0])
        EXPECT_EQ(m.data.find("bad "), std::string::npos) << "the bad message was passed on: " << m.data;
}

TEST_P(BroadcastRules, spec_QuietModeDropsTheReceivedAndBroadcastedLinesOnly)
{
    auto s = GetParam().start({{"DBWEBB_LOG", "quiet"}});
    auto a = GetParam().connect_or_throw(*s);
    auto b = GetParam().connect_or_throw(*s);
    ASSERT_TRUE(settled({a.get(), b.get()}));
    ASSERT_TRUE(a->send_text("not logged"));
    ASSERT_TRUE(receive_data(*b)) << "a's message did not reach b (" << b->state() << ")";
    ASSERT_TRUE(a->close(1000, "done"));
    EXPECT_TRUE(s->wait_for_output("Closing connection: 1000 done"));
    std::string const out = s->output();
    EXPECT_NE(out.find("Connection received"), std::string::npos) << s->printed();
    // Whatever words a log line would use, the message itself must not be in the output.
    EXPECT_EQ(out.find("not logged"), std::string::npos) << s->printed();
    EXPECT_EQ(out.find("Received:"), std::string::npos) << s->printed();
    EXPECT_EQ(out.find("Broadcasted data"), std::string::npos) << s->printed();
}
