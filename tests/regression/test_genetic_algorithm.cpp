// The genetic algorithm on the alloys of the structures/ table: it must reach basin hopping's
// global minimum of Ag27Cu7 (Ferrando Gupta) and, on Pt19Au19 (EMT) with the same budget and
// start, end at or below basin hopping's best.

#include <gtest/gtest.h>

#include <fstream>

#include <fmt/format.h>

#include "nanoscape/io/potential_loader.hpp"
#include "nanoscape/io/xyz.hpp"
#include "support/search_harness.hpp"

namespace nanoscape {
namespace {

std::vector<Species> composition(const char* a, int na, const char* b, int nb) {
    std::vector<Species> s(static_cast<std::size_t>(na), species_from_symbol(a));
    s.insert(s.end(), static_cast<std::size_t>(nb), species_from_symbol(b));
    std::sort(s.begin(), s.end());
    return s;
}

TEST(GeneticAlgorithm, Ag27Cu7Ferrando_ReachesTheGlobalMinimumOfStructures) {
    // structures/ag27cu7_ferrando_gm.xyz: -90.165963 eV, found by basin hopping in 5 363 relaxations.
    const std::string file = std::string(NANOSCAPE_SOURCE_DIR) + "/inputs/potentials/gupta_agcu_ferrando.toml";
    auto s = testing::setup_for(load_potential_spec(file, ""), composition("Ag", 27, "Cu", 7), 1);
    s.relax.fmax = 1e-3;
    s.engine.stop.max_steps = 3000;
    s.engine.stop.target_energy = -90.165963;
    s.engine.stop.target_tolerance = 1e-5;
    s.search = "driver = \"genetic_algorithm\"\n";
    const auto out = testing::run_in_memory(s);
    EXPECT_TRUE(out.progress.target_reached) << "best " << out.archive.best_energy();
    RecordProperty("relaxations_to_target", static_cast<int>(out.progress.relaxations_to_target));
}

TEST(GeneticAlgorithm, Pt19Au19Emt_EndsAtOrBelowBasinHoppingsBest) {
    // inputs/ptau38.toml's system: random homotops of the truncated octahedron as starts, the
    // same number of relaxations for both drivers.
    constexpr long steps = 2000;
    auto make = [&](const std::string& search, long max_steps) {
        auto s = testing::setup_for(load_potential_spec("emt", ""), composition("Pt", 19, "Au", 19), 7);
        s.problem.start.kind = "truncated_octahedron";
        s.problem.start.element_order = {species_from_symbol("Pt"), species_from_symbol("Au")};
        s.relax.fmax = 1e-3;
        s.engine.stop.max_steps = max_steps;
        s.search = search;
        return s;
    };
    const auto bh = testing::run_in_memory(
        make("walkers = 2\ntemperature = 0.1\nreseed_after = 200\nmoves = { displacement = 0.4, surface = 0.1, swap = 0.5 }\n",
             steps));
    // The GA's starting population (20 relaxations) comes out of its steps, so both spend
    // the same number of relaxations.
    const auto ga = testing::run_in_memory(make("driver = \"genetic_algorithm\"\n", steps - 20 + 2));
    ASSERT_EQ(ga.progress.counts.reference_relaxations, bh.progress.counts.reference_relaxations);
    fmt::print("Pt19Au19 EMT, {} relaxations: GA best {:.6f} eV, basin hopping best {:.6f} eV\n",
               ga.progress.counts.reference_relaxations, ga.archive.best_energy(), bh.archive.best_energy());
    EXPECT_LE(ga.archive.best_energy(), bh.archive.best_energy() + 1e-6);
}

}  // namespace
}  // namespace nanoscape
