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
    const auto hits = testing::seeds_to_target([](std::uint64_t seed) { return testing::lj_ga_setup(38, seed, budget); },
                                               20, "GA LJ38");
    fmt::print("GA LJ38: {} of 20 seeds reached -173.928427 within {} children; median relaxations to the first hit {}\n",
               hits.reached, budget, hits.median_relaxations);
    EXPECT_GE(hits.reached, 19);
}

// The better of the GA (first, budget ga_budget children) and basin hopping (if the GA missed;
// bh_budget steps, 2 walkers) on LJ_N for N in [first, last]; returns the sizes neither reached.
std::vector<int> sweep(int first, int last, long ga_budget, long bh_budget) {
    std::vector<int> missed, by_bh;
    for (int n = first; n <= last; ++n) {
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
    fmt::print("LJ{}-{}: reached by the GA within {} children or basin hopping within {} steps, all but: {}; by basin "
               "hopping only: {}\n", first, last, ga_budget, bh_budget, fmt::join(missed, " "), fmt::join(by_bh, " "));
    return missed;
}

// Every LJ_N, N = 3..80, but the Marks decahedra 75-77 (below): the GA alone reached all 75 on
// 2026-12-01 (median 142 relaxations, at most 9 619 for LJ78).
TEST(LjSweepGaOrBh, SizesThreeToEightyButMarksDecahedra_EveryCambridgeEnergyReached) {
    std::vector<int> missed = sweep(3, 74, 20000, 20000);
    const auto rest = sweep(78, 80, 20000, 20000);
    missed.insert(missed.end(), rest.begin(), rest.end());
    EXPECT_TRUE(missed.empty()) << fmt::format("missed {}", fmt::join(missed, " "));
}

// LJ75-77, the Marks-decahedral double funnels: issue 10 asks for them and they are not reached
// yet (2026-12-01: neither the GA in 20 000 children nor basin hopping in 20 000 steps, seed 1;
// the GA reached LJ75 in 1 of 4 seeds within 40 000 children). Disabled so the slow suite stays
// a regression guard; run it with --gtest_also_run_disabled_tests.
TEST(LjSweepGaOrBh, DISABLED_MarksDecahedra75To77_CambridgeEnergiesReached) {
    const auto missed = sweep(75, 77, 20000, 20000);
    EXPECT_TRUE(missed.empty()) << fmt::format("missed {}", fmt::join(missed, " "));
}

}  // namespace
}  // namespace nanoscape
