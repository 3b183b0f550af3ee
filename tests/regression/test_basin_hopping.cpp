// End-to-end searches with fixed seeds against known global minima.

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "nanoscape/geometry/bond_graph.hpp"
#include "nanoscape/search/moves.hpp"
#include "support/search_harness.hpp"

namespace nanoscape {
namespace {

struct LjCase {
    int n;
    long max_steps;
};

class LjGlobalMinimum : public ::testing::TestWithParam<LjCase> {};

TEST_P(LjGlobalMinimum, BasinHopping_ReachesCambridgeEnergy) {
    const auto [n, max_steps] = GetParam();
    const auto lj = load_potential_spec("lj", "");
    const SearchState state = testing::run_in_memory(testing::lj_settings(n, 2026, max_steps), *lj);
    ASSERT_FALSE(state.archive.empty());
    EXPECT_TRUE(state.target_reached) << "LJ" << n << " best " << state.archive.minima().front().energy;
    EXPECT_NEAR(state.archive.minima().front().energy, testing::lj_global_minima().at(n), 2e-6);
    RecordProperty("relaxations_to_target", std::to_string(state.relaxations_to_target));
}

INSTANTIATE_TEST_SUITE_P(Cambridge, LjGlobalMinimum,
                         ::testing::Values(LjCase{13, 500}, LjCase{19, 1000}, LjCase{26, 2000}, LjCase{38, 10000},
                                           LjCase{55, 2000}),
                         [](const auto& info) { return "LJ" + std::to_string(info.param.n); });

TEST(BasinHopping, Pt13Gupta_ReachesTheIcosahedron) {
    // Cleri-Rosato Pt: the relaxed Mackay icosahedron is -64.91633912 eV (pele test_gupta.py).
    const auto gupta = load_potential_spec("gupta", "");
    SearchSettings s;
    s.species.assign(13, species_from_symbol("Pt"));
    s.seed = 3;
    s.relax.fmax = 1e-5;
    s.stop.max_steps = 300;
    s.stop.target_energy = -64.91633912;
    s.stop.target_tolerance = 1e-6;
    s.basin_hopping.walkers = 2;
    s.basin_hopping.temperature = 0.1;
    s.basin_hopping.step_size = 0.35 * 2.775;
    const SearchState state = testing::run_in_memory(s, *gupta);
    EXPECT_TRUE(state.target_reached);
    EXPECT_NEAR(state.archive.minima().front().energy, -64.91633912, 1e-6);
}

TEST(BasinHopping, Ag27Cu7Ferrando_EndsCoreShellWithCuInside) {
    // Rossi et al., PRL 93, 105503 (2004): Ag-Cu core-shell polyicosahedra. Every Cu atom must be
    // fully surrounded (12 neighbours) and closer to the centre than every Ag atom.
    const auto gupta = load_potential_spec(std::string(NANOSCAPE_SOURCE_DIR) + "/inputs/potentials/gupta_agcu_ferrando.toml", "");
    const Species ag = species_from_symbol("Ag"), cu = species_from_symbol("Cu");
    SearchSettings s;
    s.species.assign(27, ag);
    s.species.insert(s.species.end(), 7, cu);
    s.seed = 42;
    s.relax.fmax = 1e-3;
    s.stop.max_steps = 3000;
    s.basin_hopping.walkers = 2;
    s.basin_hopping.temperature = 0.1;
    s.basin_hopping.step_size = 0.35 * 2.89;
    s.basin_hopping.moves = {{"displacement", 0.5}, {"surface", 0.2}, {"swap", 0.3}};
    const SearchState state = testing::run_in_memory(s, *gupta);
    Cluster best = state.archive.minima().front().cluster;
    best.center();
    RecordProperty("best_energy", fmt::format("{:.8f}", state.archive.minima().front().energy));
    // Neighbours within 3.4 A: between the first (2.56-2.89 A) and second (>= 3.6 A) shells
    // of every pair type of this potential.
    std::vector<int> cn(best.size(), 0);
    for (std::size_t i = 0; i < best.size(); ++i)
        for (std::size_t j = 0; j < best.size(); ++j)
            if (i != j && (best.positions.col(static_cast<Eigen::Index>(i)) - best.positions.col(static_cast<Eigen::Index>(j))).norm() < 3.4)
                ++cn[i];
    double cu_max_r = 0, ag_min_r = 1e9;
    for (std::size_t i = 0; i < best.size(); ++i) {
        const double r = best.positions.col(static_cast<Eigen::Index>(i)).norm();
        if (best.species[i] == cu) {
            EXPECT_EQ(cn[i], 12) << "Cu atom " << i << " is not fully surrounded";
            cu_max_r = std::max(cu_max_r, r);
        } else {
            ag_min_r = std::min(ag_min_r, r);
        }
    }
    EXPECT_LT(cu_max_r, ag_min_r);
}

TEST(BasinHopping, Results_DoNotDependOnThreadCount) {
    const auto lj = load_potential_spec("lj", "");
    SearchSettings s = testing::lj_settings(19, 5, 60, 3);
    s.stop.target_energy.reset();
    const auto relaxer = create_relaxer(ParameterTable("relax"));
    std::vector<std::vector<double>> energies;
    for (int threads : {1, 2}) {
        testing::NullObserver observer;
        SearchState state;
        run_search(SearchEnvironment{s, *lj, *relaxer, threads}, observer, state, false);
        std::vector<double> e;
        for (const auto& m : state.archive.minima()) e.push_back(m.energy);
        e.push_back(static_cast<double>(state.evaluations));
        energies.push_back(e);
    }
    EXPECT_EQ(energies[0], energies[1]);
}

TEST(BasinHopping, MaxEvaluations_StopsTheRun) {
    const auto lj = load_potential_spec("lj", "");
    SearchSettings s = testing::lj_settings(38, 1, 100000);
    s.stop.target_energy.reset();
    s.stop.max_evaluations = 5000;
    const SearchState state = testing::run_in_memory(s, *lj);
    EXPECT_EQ(state.stop_reason, "max_evaluations");
    EXPECT_GE(state.evaluations, 5000);
    EXPECT_LT(state.evaluations, 5000 + 2 * 5000);  // at most one more round of 2 relaxations
}

}  // namespace
}  // namespace nanoscape
