// End-to-end searches with fixed seeds against known global minima.

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "nanoscape/geometry/bond_graph.hpp"
#include "nanoscape/io/run_config.hpp"
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
    const auto out = testing::run_in_memory(testing::lj_setup(n, 2026, max_steps));
    ASSERT_FALSE(out.archive.empty());
    EXPECT_TRUE(out.progress.target_reached) << "LJ" << n << " best " << out.archive.best_energy();
    EXPECT_NEAR(out.archive.best_energy(), testing::lj_global_minima().at(n), 2e-6);
    RecordProperty("relaxations_to_target", std::to_string(out.progress.relaxations_to_target));
}

INSTANTIATE_TEST_SUITE_P(Cambridge, LjGlobalMinimum,
                         ::testing::Values(LjCase{13, 500}, LjCase{19, 1000}, LjCase{26, 2000}, LjCase{38, 10000},
                                           LjCase{55, 2000}),
                         [](const auto& info) { return "LJ" + std::to_string(info.param.n); });

TEST(BasinHopping, Pt13Gupta_ReachesTheIcosahedron) {
    // Cleri-Rosato Pt: the relaxed Mackay icosahedron is -64.91633912 eV (pele test_gupta.py).
    auto s = testing::setup_for(load_potential_spec("gupta", ""), std::vector<Species>(13, species_from_symbol("Pt")), 3);
    s.relax.fmax = 1e-5;
    s.engine.stop.max_steps = 300;
    s.engine.stop.target_energy = -64.91633912;
    s.engine.stop.target_tolerance = 1e-6;
    s.search = fmt::format("walkers = 2\ntemperature = 0.1\nstep_size = {}\n", 0.35 * 2.775);
    const auto out = testing::run_in_memory(s);
    EXPECT_TRUE(out.progress.target_reached);
    EXPECT_NEAR(out.archive.best_energy(), -64.91633912, 1e-6);
}

TEST(BasinHopping, QuickstartAg27Cu7_EndsCoreShellWithCuInside) {
    // The README's quickstart (inputs/quickstart.toml, seed 42): Rossi et al., PRL 93, 105503
    // (2004), Ag-Cu core-shell polyicosahedra. It must reach its target, and the structure must
    // be core-shell: every Cu atom fully surrounded (12 neighbours) and closer to the centre
    // than every Ag atom.
    const RunConfig config = load_run_config(std::string(NANOSCAPE_SOURCE_DIR) + "/inputs/quickstart.toml");
    LocalEvaluator evaluator(*config.potential, *config.relaxer, config.relax, 0);
    SearchEngine engine(config.problem, config.engine, *config.driver, evaluator, nullptr);
    testing::NullObserver observer;
    engine.run(observer);
    EXPECT_TRUE(engine.progress().target_reached) << "best " << engine.archive().best_energy();
    const Species cu = species_from_symbol("Cu");
    Cluster best = engine.archive().minima().front().cluster;
    best.center();
    RecordProperty("best_energy", fmt::format("{:.8f}", engine.archive().best_energy()));
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
    auto s = testing::lj_setup(19, 5, 60, 3);
    s.engine.stop.target_energy.reset();
    std::vector<std::vector<double>> energies;
    for (int threads : {1, 2}) {
        const auto out = testing::run_in_memory(s, threads);
        std::vector<double> e;
        for (const auto& m : out.archive.minima()) e.push_back(m.energy);
        e.push_back(static_cast<double>(out.progress.counts.reference_evaluations));
        energies.push_back(e);
    }
    EXPECT_EQ(energies[0], energies[1]);
}

TEST(BasinHopping, MaxEvaluations_StopsTheRun) {
    auto s = testing::lj_setup(38, 1, 100000);
    s.engine.stop.target_energy.reset();
    s.engine.stop.max_evaluations = 5000;
    const auto out = testing::run_in_memory(s);
    EXPECT_EQ(out.progress.stop_reason, "max_evaluations");
    EXPECT_GE(out.progress.counts.reference_evaluations, 5000);
    EXPECT_LT(out.progress.counts.reference_evaluations, 5000 + 2 * 5000);  // at most one more round of 2 relaxations
}

}  // namespace
}  // namespace nanoscape
