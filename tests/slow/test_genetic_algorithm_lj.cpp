// Long statistical checks of the genetic algorithm (label "slow": `tools/test.sh --slow`).

#include <gtest/gtest.h>

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "support/search_harness.hpp"

namespace nanoscape {
namespace {

// LJ38 (double funnel) over 20 seeds, the GA's defaults, a budget of 20 000 children.
TEST(GaLj38Seeds, TwentySeeds_AtLeastNineteenReachGlobalMinimum) {
    constexpr long budget = 20000;
    std::vector<long> relaxations;
    int reached = 0;
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        const auto out = testing::run_in_memory(testing::lj_ga_setup(38, seed, budget));
        if (out.progress.target_reached) {
            ++reached;
            relaxations.push_back(out.progress.relaxations_to_target);
        }
        fmt::print("GA LJ38 seed {:>2}: {}\n", seed,
                   out.progress.target_reached ? fmt::format("{} relaxations to the GM", out.progress.relaxations_to_target)
                                               : std::string("not reached"));
    }
    std::sort(relaxations.begin(), relaxations.end());
    const long median = relaxations.empty() ? 0 : relaxations[relaxations.size() / 2];
    fmt::print("GA LJ38: {} of 20 seeds reached -173.928427 within {} children; median relaxations to the first hit {}\n",
               reached, budget, median);
    EXPECT_GE(reached, 19);
}

// Every LJ_N, N = 3..80, reaches its Cambridge energy with the better of the GA (first, budget
// ga_budget children) and basin hopping (if the GA missed; budget bh_budget steps, 2 walkers).
TEST(LjSweepGaOrBh, SizesThreeToEighty_EveryCambridgeEnergyReached) {
    constexpr long ga_budget = 20000;
    constexpr long bh_budget = 20000;
    std::vector<int> missed, by_bh;
    for (int n = 3; n <= 80; ++n) {
        auto out = testing::run_in_memory(testing::lj_ga_setup(n, 1, ga_budget));
        std::string who = "GA";
        if (!out.progress.target_reached) {
            out = testing::run_in_memory(testing::lj_setup(n, 1, bh_budget));
            who = "BH";
            if (out.progress.target_reached) by_bh.push_back(n);
        }
        if (!out.progress.target_reached) missed.push_back(n);
        fmt::print("LJ{:<3} {:>12.6f} (table {:>12.6f})  {} {:>6} relaxations  {}\n", n, out.archive.best_energy(),
                   testing::lj_global_minima().at(n), who,
                   out.progress.target_reached ? out.progress.relaxations_to_target
                                               : out.progress.counts.reference_relaxations,
                   out.progress.target_reached ? "reached" : "MISSED");
    }
    fmt::print("LJ3-80: reached by the GA within {} children or basin hopping within {} steps, all but: {}; by basin "
               "hopping only: {}\n", ga_budget, bh_budget, fmt::join(missed, " "), fmt::join(by_bh, " "));
    EXPECT_TRUE(missed.empty()) << fmt::format("missed {}", fmt::join(missed, " "));
}

}  // namespace
}  // namespace nanoscape
