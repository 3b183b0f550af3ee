// Long statistical checks of basin hopping (label "slow": `tools/test.sh --slow`).

#include <gtest/gtest.h>

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "support/search_harness.hpp"

namespace nanoscape {
namespace {

// LJ_N for N = 3..60 with one fixed budget per size: how many reach the Cambridge energy.
TEST(LjSweep, SizesThreeToSixty_ReachCambridgeEnergiesWithinBudget) {
    constexpr long budget = 4000;  // basin-hopping steps (2 walkers), stopped early at the target
    int reached = 0, total = 0;
    std::vector<int> missed;
    for (int n = 3; n <= 60; ++n) {
        const auto out = testing::run_in_memory(testing::lj_setup(n, 11, budget));
        ++total;
        if (out.progress.target_reached) {
            ++reached;
        } else {
            missed.push_back(n);
        }
        fmt::print("LJ{:<3} {:>12.6f} (table {:>12.6f})  {:>5} relaxations  {}\n", n, out.archive.best_energy(),
                   testing::lj_global_minima().at(n),
                   out.progress.target_reached ? out.progress.relaxations_to_target
                                               : out.progress.counts.reference_relaxations,
                   out.progress.target_reached ? "reached" : "MISSED");
    }
    fmt::print("LJ sweep: {} of {} sizes reached the Cambridge energy within {} steps; missed: {}\n", reached, total,
               budget, fmt::join(missed, " "));
    RecordProperty("reached", reached);
    EXPECT_GE(reached, total - 1);  // all sizes but at most one double-funnel case
}

// LJ38 (double funnel) over 20 seeds with the budget of inputs/lj38.toml.
TEST(Lj38Seeds, TwentySeeds_AtLeastNineteenReachGlobalMinimum) {
    constexpr long budget = 20000;
    const auto hits = testing::seeds_to_target([](std::uint64_t seed) { return testing::lj_setup(38, seed, budget); }, 20,
                                               "LJ38");
    fmt::print("LJ38: {} of 20 seeds reached -173.928427 within {} steps; median relaxations to the first hit {}\n",
               hits.reached, budget, hits.median_relaxations);
    EXPECT_GE(hits.reached, 19);
}

}  // namespace
}  // namespace nanoscape
