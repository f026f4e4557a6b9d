/**
 * @file
 * @brief The `main` of every step's test program: runs GoogleTest, writes JUnit
 *        XML for teachers, and ends with the line `<step>: N passed, M failed`.
 *
 * Compiled once for all the test programs: each one finds its step in its own
 * name (`test-02-echo` runs the tests of `02-echo`).
 */
#include <gtest/gtest.h>

#include <iostream>
#include <string>
#include <utility>

namespace {

/** The step a test program belongs to: its file name without the folder and "test-". */
std::string step_of(char const* program)
{
    std::string name = program;
    name = name.substr(name.find_last_of('/') + 1);
    std::string const prefix = "test-";
    return name.compare(0, prefix.size(), prefix) == 0 ? name.substr(prefix.size()) : name;
}

/** Prints the one summary line a student (and a teacher's script) looks for. */
class summary_printer : public testing::EmptyTestEventListener
{
public:
    /** A printer for the tests of @p step. */
    explicit summary_printer(std::string step) : step_(std::move(step)) {}

private:
    void OnTestProgramEnd(testing::UnitTest const& unit) override
    {
        std::cout << step_ << ": " << unit.successful_test_count() << " passed, "
                  << unit.failed_test_count() << " failed" << std::endl;
    }

    std::string step_;
};

}  // namespace

int main(int argc, char** argv)
{
    std::string const step = step_of(argv[0]);
    // JUnit XML lands in build/test-results/ unless the caller chose another place.
    testing::GTEST_FLAG(output) = "xml:" KIT_RESULTS_DIR "/" + step + ".xml";
    testing::InitGoogleTest(&argc, argv);
    testing::UnitTest::GetInstance()->listeners().Append(new summary_printer(step));
    return RUN_ALL_TESTS();
}
