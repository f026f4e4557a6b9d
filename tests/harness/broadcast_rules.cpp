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
    ASSERT_TRUE(m) << who << " expected '" << prefix << "...' and got nothing";
    EXPECT_FALSE(m->binary) << who;
    EXPECT_TRUE(starts_with(m->data, prefix)) << who << " expected '" << prefix << "...', got '"
                                              << m->data.substr(0, 80) << "'";
}

/**
 * Connects three clients a, b, c in that order and reads the greetings the
 * earlier ones get (a: two, b: one), so that each test starts from quiet clients.
 */
std::array<std::unique_ptr<ws_client>, 3> three_clients(program_ref const& p, server const& s)
{
    auto a = p.connect_or_throw(s);
    auto b = p.connect_or_throw(s);
    auto c = p.connect_or_throw(s);
    expect_text(*a, "New client connected (2)", "a");
    expect_text(*a, "New client connected (3)", "a");
    expect_text(*b, "New client connected (3)", "b");
    return {std::move(a), std::move(b), std::move(c)};
}

/**
 * Receives messages until one that is not a greeting or goodbye (those may come
 * between at any time); the ones skipped are added to @p skipped if given.
 */
std::optional<message> receive_data(ws_client& client, std::vector<std::string>* skipped = nullptr)
{
    for(;;)
    {
        auto m = client.receive();
        if(!m || m->binary || !(starts_with(m->data, "New client connected (") ||
                                starts_with(m->data, "Client disconnected (")))
            return m;
        if(skipped != nullptr)
            skipped->push_back(m->data);
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
    ASSERT_TRUE(s->wait_for_output("Connection received"));
    auto b = GetParam().connect_or_throw(*s);
    // a's first message is about b: nobody is greeted about themselves.
    expect_text(*a, "New client connected (2)", "a");
    auto c = GetParam().connect_or_throw(*s);
    expect_text(*a, "New client connected (3)", "a");
    expect_text(*b, "New client connected (3)", "b");
    // c is told nothing about the clients that were there before it: its first message is a's.
    ASSERT_TRUE(a->send_text("first from a"));
    auto first = c->receive();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->data, "first from a");
}

TEST_P(BroadcastRules, article_SendsEveryMessageToEveryOtherClientButNotBackToTheSender)
{
    auto s = GetParam().start();
    auto [a, b, c] = three_clients(GetParam(), *s);

    std::string const bytes("\x00\x01\xfe\xff binary", 11);
    ASSERT_TRUE(a->send_text("hello from a, åäö"));
    ASSERT_TRUE(a->send_binary(bytes));
    for(auto* receiver : {b.get(), c.get()})
    {
        auto text = receiver->receive();
        auto binary = receiver->receive();
        ASSERT_TRUE(text && binary);
        EXPECT_FALSE(text->binary);
        EXPECT_EQ(text->data, "hello from a, åäö");
        EXPECT_TRUE(binary->binary);
        EXPECT_EQ(binary->data, bytes);
    }
    EXPECT_TRUE(s->wait_for_output("Broadcasted data to 2 (3) clients.")) << s->output();
    // Had a been sent its own messages, they would come before b's.
    ASSERT_TRUE(b->send_text("from b"));
    auto next = a->receive();
    ASSERT_TRUE(next);
    EXPECT_EQ(next->data, "from b");
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
    EXPECT_TRUE(s->wait_for_output("Closing connection: 1006")) << s->output();
    // And the server goes on: a newcomer is announced to a.
    auto d = GetParam().connect_or_throw(*s);
    expect_text(*a, "New client connected (2)", "a");
}

TEST_P(BroadcastRules, article_KeepsEachSendersOrderAndFrameTypes)
{
    auto s = GetParam().start({{"DBWEBB_LOG", "quiet"}});
    auto a = GetParam().connect_or_throw(*s);
    auto b = GetParam().connect_or_throw(*s);
    auto c = GetParam().connect_or_throw(*s);
    for(int i = 0; i < 200; ++i)
    {
        std::string const tag_a = "a" + std::to_string(i);
        std::string const tag_b = "b" + std::to_string(i);
        ASSERT_TRUE(i % 2 == 0 ? a->send_text(tag_a) : a->send_binary(tag_a));
        ASSERT_TRUE(i % 3 == 0 ? b->send_binary(tag_b) : b->send_text(tag_b));
    }
    // c gets all 400, and each sender's 200 in the order sent.
    int next_a = 0;
    int next_b = 0;
    while(next_a < 200 || next_b < 200)
    {
        auto m = receive_data(*c);
        ASSERT_TRUE(m) << "c stopped at a" << next_a << ", b" << next_b;
        if(m->data[0] == 'a')
        {
            EXPECT_EQ(m->data, "a" + std::to_string(next_a));
            EXPECT_EQ(m->binary, next_a % 2 == 1) << m->data;
            ++next_a;
        }
        else
        {
            EXPECT_EQ(m->data, "b" + std::to_string(next_b));
            EXPECT_EQ(m->binary, next_b % 3 == 0) << m->data;
            ++next_b;
        }
    }
}

TEST_P(BroadcastRules, article_TwoHundredClientsEachGetEveryBroadcastOnceAndInOrder)
{
    auto s = GetParam().start({{"DBWEBB_LOG", "quiet"}});
    std::vector<std::unique_ptr<ws_client>> clients;
    for(int i = 0; i < 200; ++i)
        clients.push_back(GetParam().connect_or_throw(*s));
    // Client i is greeted once for each client after it: drain those, in order.
    for(int i = 0; i < 200; ++i)
        for(int n = i + 2; n <= 200; ++n)
        {
            auto m = clients[i]->receive();
            ASSERT_TRUE(m) << "client " << i << " greeting for client " << n;
            ASSERT_TRUE(starts_with(m->data, "New client connected (" + std::to_string(n) + ")"))
                << "client " << i << ": " << m->data;
        }
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
            ASSERT_TRUE(m) << "client " << i << " got " << from_x.size() << " + " << from_y.size();
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
    ASSERT_TRUE(first_for_0);
    EXPECT_EQ(first_for_0->data, "y0");
}

namespace {

/** What happened to a client that never read while two others talked (stuck_client()). */
struct stuck_outcome
{
    long grown_kib = 0;                ///< how much the server's resident memory grew meanwhile
    bool others_told = false;          ///< the others got `Client disconnected (2)`
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
    long const before = s->resident_kib();
    int const count = 4000;
    int const round = 32;
    std::vector<std::string> told_b;
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
            auto at_b = receive_data(*b, &told_b);
            auto at_a = receive_data(*a);
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
    // The stuck client was given up on, and the others were told.
    EXPECT_TRUE(a->send_text("still here"));
    auto last = receive_data(*b, &told_b);
    EXPECT_TRUE(last && last->data == "still here");
    outcome.others_told = std::find_if(told_b.begin(), told_b.end(), [](std::string const& t) {
                              return starts_with(t, "Client disconnected (2)");
                          }) != told_b.end();
    // A server that never gave up on the stuck client has failed here already (and the wait
    // below is short then); one that did closed it: when it finally reads, it gets what was
    // sent before, then the close.
    EXPECT_TRUE(outcome.others_told) << "b was not told that the stuck client is gone";
    outcome.closed = stuck->wait_close(10000ms);
    return outcome;
}

}  // namespace

TEST_P(BroadcastRules, spec_AStuckClientNeverHoldsUpTheOthersAndIsClosedWhenItsQueueIsFull)
{
    auto const outcome = stuck_client(GetParam());
    ASSERT_TRUE(outcome.closed) << "the stuck client was never closed";
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
    expect_text(*a, "New client connected (2)", "a");
    // a keeps reading (and so answers pings); the silent one is dropped after two intervals.
    expect_text(*a, "Client disconnected (1)", "a");
    EXPECT_TRUE(s->wait_for_output("Closing connection: 1006")) << s->output();
    EXPECT_TRUE(a->is_open()) << "a client that answers pings stays";
}

TEST_P(BroadcastRules, spec_SigtermWhileAWriteIsStuckClosesTheOthersWith1001AndExitsZero)
{
    // A queue large enough that the stuck client is not given up on before the signal.
    auto s = GetParam().start({{"DBWEBB_LOG", "quiet"}, {"DBWEBB_SEND_QUEUE_BYTES", "67108864"},
                               {"DBWEBB_SEND_QUEUE_MESSAGES", "100000"}});
    auto stuck = GetParam().connect_or_throw(*s);
    auto a = GetParam().connect_or_throw(*s);
    auto b = GetParam().connect_or_throw(*s);
    // 24 MiB for a client that reads nothing: far more than TCP's buffers take, so the
    // server's write to it cannot finish.
    for(int i = 0; i < 3000; ++i)
        ASSERT_TRUE(a->send_binary(tagged("a" + std::to_string(i), 8192))) << i;
    for(int i = 0; i < 3000; ++i)
        ASSERT_TRUE(receive_data(*b)) << "b got only " << i;
    // The close frame must wait behind the stuck write, and the server must neither wait
    // for that write nor crash (a second write on the stream would trip Beast's assertion
    // in a Debug build: SIGABRT).
    s->send_signal(SIGTERM);
    auto closed_a = a->wait_close(2000ms);
    auto closed_b = b->wait_close(2000ms);
    ASSERT_TRUE(closed_a && closed_b);
    EXPECT_EQ(closed_a->code, 1001);
    EXPECT_EQ(closed_b->code, 1001);
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
    expect_text(*a, "New client connected (2)", "a");
    std::string const fragmented = tagged("fragmented", 10000);
    ASSERT_TRUE(a->send_fragmented(fragmented, /*binary=*/false, 999));
    std::string const at_limit = tagged("at the limit", 65536);
    ASSERT_TRUE(a->send_binary(at_limit));
    auto first = receive_data(*b);
    auto second = receive_data(*b);
    ASSERT_TRUE(first && second);
    EXPECT_FALSE(first->binary);
    EXPECT_EQ(first->data, fragmented);
    EXPECT_TRUE(second->binary);
    EXPECT_EQ(second->data, at_limit);
    // One byte over: that client is closed with 1009, and b is told it left.
    a->send_binary(tagged("over", 65537));
    auto closed = a->wait_close();
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->code, 1009) << closed->reason;
    expect_text(*b, "Client disconnected (1)", "b");
}

TEST_P(BroadcastRules, spec_InvalidUtf8ClosesThatClientWith1007AndIsNotPassedOn)
{
    auto s = GetParam().start();
    auto a = GetParam().connect_or_throw(*s);
    auto b = GetParam().connect_or_throw(*s);
    expect_text(*a, "New client connected (2)", "a");
    ASSERT_TRUE(a->send_raw_text("bad \xff byte"));
    auto closed = a->wait_close();
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->code, 1007);
    // b hears only that a left, not the bad bytes.
    expect_text(*b, "Client disconnected (1)", "b");
}

TEST_P(BroadcastRules, spec_QuietModeDropsTheReceivedAndBroadcastedLinesOnly)
{
    auto s = GetParam().start({{"DBWEBB_LOG", "quiet"}});
    auto a = GetParam().connect_or_throw(*s);
    auto b = GetParam().connect_or_throw(*s);
    expect_text(*a, "New client connected (2)", "a");
    ASSERT_TRUE(a->send_text("not logged"));
    ASSERT_TRUE(receive_data(*b));
    ASSERT_TRUE(a->close(1000, "done"));
    EXPECT_TRUE(s->wait_for_output("Closing connection: 1000 done"));
    std::string const out = s->output();
    EXPECT_NE(out.find("Connection received"), std::string::npos) << out;
    EXPECT_EQ(out.find("Received:"), std::string::npos) << out;
    EXPECT_EQ(out.find("Broadcasted data"), std::string::npos) << out;
}
