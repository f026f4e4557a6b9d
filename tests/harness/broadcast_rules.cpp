/**
 * @file
 * @brief The broadcast rules (broadcast_rules.hpp), as tests.
 */
#include "broadcast_rules.hpp"

using namespace harness;

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(BroadcastRules);
