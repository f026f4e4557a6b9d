/**
 * @file
 * @brief The `main` of every step's test program: runs GoogleTest, writes JUnit
 *        XML for teachers, and ends with the line `<step>: N passed, M failed`.
 */
#include <gtest/gtest.h>

#include <iostream>
#include <string>

namespace {

/** Prints the one summary line a student (and a teacher's script) looks for. */
class summary_printer : public testing::EmptyTestEventListener
{
    void OnTestProgramEnd(testing::UnitTest const& unit) override
    {
        std::cout << KIT_STEP << ": " << unit.successful_test_count() << " passed, "
                  << unit.failed_test_count() << " failed" << std::endl;
    }
};

}  // namespace

int main(int argc, char** argv)
{
    // JUnit XML lands in build/test-results/ unless the caller chose another place.
    testing::GTEST_FLAG(output) = "xml:" KIT_RESULTS_DIR "/" KIT_STEP ".xml";
    testing::InitGoogleTest(&argc, argv);
    testing::UnitTest::GetInstance()->listeners().Append(new summary_printer);
    return RUN_ALL_TESTS();
}
