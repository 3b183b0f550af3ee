// The genetic algorithm's parts: alignment of homotops, cut-and-splice and its composition
// repair, every registered move (composition kept, finite, state round trip), fitness and
// selection statistics, and the driver on LJ13 and on an exhaustively enumerated homotop set.

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include <Eigen/LU>
#include <nlohmann/json.hpp>

#include "nanoscape/core/rng.hpp"
#include "nanoscape/geometry/alignment.hpp"
#include "nanoscape/geometry/builders.hpp"
#include "nanoscape/io/potential_loader.hpp"
#include "nanoscape/search/crossover.hpp"
#include "nanoscape/search/genetic_algorithm.hpp"
#include "support/search_harness.hpp"

namespace nanoscape {
namespace {

std::map<Species, int> composition(const Cluster& c) {
    std::map<Species, int> out;
    for (const Species z : c.species) ++out[z];
    return out;
}

std::map<Species, int> composition(const std::vector<Species>& s) { return composition(species_only(s)); }

// Ag-Cu on the Ferrando Gupta potential: a 55-atom Mackay icosahedron with 20 Cu at random sites.
class AlloyTest : public ::testing::Test {
protected:
    void SetUp() override {
        potential_ = load_potential_spec(std::string(NANOSCAPE_SOURCE_DIR) + "/inputs/potentials/gupta_agcu_ferrando.toml", "");
        cluster_ = make_icosahedron(2, 2.8, species_from_symbol("Ag"));
        Rng rng(5);
        std::vector<std::size_t> sites(cluster_.size());
        std::iota(sites.begin(), sites.end(), std::size_t{0});
        for (std::size_t k = 0; k < 20; ++k) {
            std::swap(sites[k], sites[k + rng.below(sites.size() - k)]);
            cluster_.species[sites[k]] = species_from_symbol("Cu");
        }
        problem_.species = cluster_.species;
        std::sort(problem_.species.begin(), problem_.species.end());
        problem_.potential = potential_.get();
    }
    std::unique_ptr<Potential> potential_;
    SearchProblem problem_;
    Cluster cluster_;
};

TEST_F(AlloyTest, MatchGeometry_RecoversARotationAndRenumbering) {
    Rng rng(11);
    for (int trial = 0; trial < 10; ++trial) {
        const Eigen::Matrix3d r = random_rotation(rng);
        ASSERT_NEAR((r * r.transpose() - Eigen::Matrix3d::Identity()).norm(), 0.0, 1e-12);
        ASSERT_NEAR(r.determinant(), 1.0, 1e-12);
        std::vector<int> perm(cluster_.size());
        std::iota(perm.begin(), perm.end(), 0);
        for (std::size_t i = perm.size(); i > 1; --i) std::swap(perm[i - 1], perm[rng.below(i)]);
        // b's atom perm[i] is a's atom i, rotated, shifted and jittered by up to 0.05 A.
        Cluster b = cluster_;
        const Eigen::Vector3d shift(1.0, -2.0, 0.5);
        for (std::size_t i = 0; i < cluster_.size(); ++i) {
            const auto j = static_cast<Eigen::Index>(perm[i]);
            b.positions.col(j) = r * cluster_.positions.col(static_cast<Eigen::Index>(i)) + shift +
                                 0.05 * three_draws<Eigen::Vector3d>([&] { return rng.uniform(-1, 1); }) / std::sqrt(3.0);
            b.species[static_cast<std::size_t>(j)] = cluster_.species[i];
        }
        const auto match = match_geometry(cluster_, b, 0.3);
        ASSERT_TRUE(match.has_value()) << "trial " << trial;
        // The icosahedron is symmetric: any symmetry-equivalent match is right if it maps
        // every atom onto an atom at its rotated place; check the distances are kept.
        for (std::size_t i = 0; i < cluster_.size(); ++i)
            for (std::size_t k = i + 1; k < cluster_.size(); k += 7) {
                const double da = (cluster_.positions.col(static_cast<Eigen::Index>(i)) -
                                   cluster_.positions.col(static_cast<Eigen::Index>(k))).norm();
                const double db = (b.positions.col((*match)[i]) - b.positions.col((*match)[k])).norm();
                EXPECT_NEAR(da, db, 0.11);
            }
    }
}

TEST_F(AlloyTest, MatchGeometry_RefusesAnotherGeometry) {
    Cluster other = cluster_;
    other.positions.col(54) += Eigen::Vector3d(1.2, 0.0, 0.0);  // one vertex atom moved off its site
    EXPECT_FALSE(match_geometry(cluster_, other, 0.3).has_value());
    Rng rng(3);
    const Cluster random = make_random_cluster(cluster_.species, 2.4, 3.5, rng);
    EXPECT_FALSE(match_geometry(cluster_, random, 0.3).has_value());
}

TEST_F(AlloyTest, RepairComposition_RelabelsTheLowestPriorityAtomsOfTheExcessElement) {
    Cluster c = cluster_;
    const Species ag = species_from_symbol("Ag"), cu = species_from_symbol("Cu");
    std::vector<Species> target = c.species;
    // Three Ag too many: the three Ag with the lowest priorities must become Cu.
    std::vector<std::size_t> ag_sites;
    for (std::size_t i = 0; i < c.size(); ++i)
        if (c.species[i] == cu && ag_sites.size() < 3) {
            c.species[i] = ag;
            ag_sites.push_back(i);
        }
    std::vector<double> priority(c.size(), 1.0);
    for (const std::size_t i : ag_sites) priority[i] = 0.1;
    repair_composition(c, target, priority);
    EXPECT_EQ(c.species, target);
}

TEST_F(AlloyTest, CutAndSplice_ChildrenHaveTheCompositionAndNoOverlaps) {
    Rng rng(17);
    const Cluster other = make_random_cluster(cluster_.species, 2.4, 3.5, rng);
    for (const auto& key : crossover_registry().keys()) {
        const auto op = crossover_registry().get(key).create(ParameterTable("c"), problem_);
        for (int k = 0; k < 50; ++k) {
            const Cluster child = op->apply(cluster_, other, problem_.species, rng, MoveContext{potential_.get(), &problem_});
            ASSERT_EQ(child.size(), cluster_.size());
            EXPECT_EQ(composition(child), composition(problem_.species)) << key;
            EXPECT_TRUE(child.positions.allFinite());
            EXPECT_LT(child.centroid().norm(), 1e-9);
            EXPECT_GT(closest_pair(child).distance, 0.3 * 2.5) << key;  // no two atoms on top of each other
        }
    }
}

TEST_F(AlloyTest, CutAndSplice_OfAClusterWithItselfAlignedKeepsEveryAtom) {
    // One plane, same parent twice in the same orientation would rebuild it; with random
    // orientations the child still has all N atoms, half from each copy.
    Rng rng(2);
    CutAndSplice op(1, 1, 0.0);
    const Cluster child = op.apply(cluster_, cluster_, problem_.species, rng, MoveContext{potential_.get(), &problem_});
    EXPECT_EQ(child.size(), cluster_.size());
}

TEST_F(AlloyTest, HomotopCrossover_KeepsTheGeometryAndMixesTheOrderings) {
    Cluster b = cluster_;
    Rng rng(8);
    std::vector<Species> shuffled = b.species;
    for (std::size_t i = shuffled.size(); i > 1; --i) std::swap(shuffled[i - 1], shuffled[rng.below(i)]);
    b.species = shuffled;
    const auto match = match_geometry(cluster_, b, 0.3);
    ASSERT_TRUE(match.has_value());
    for (int k = 0; k < 20; ++k) {
        const Cluster child = homotop_crossover(cluster_, b, *match, problem_.species, rng);
        EXPECT_EQ(composition(child), composition(problem_.species));
        EXPECT_TRUE(match_geometry(cluster_, child, 0.01).has_value());
        EXPECT_NE(child.species, cluster_.species);
    }
}

TEST_F(AlloyTest, EveryMove_KeepsTheCompositionAndItsStateRoundTrips) {
    Rng rng(23);
    // A random cluster: on the perfect icosahedron the surface move has no better site to offer.
    const Cluster base = make_random_cluster(cluster_.species, 2.4, 3.5, rng);
    for (const auto& key : move_registry().keys()) {
        auto move = move_registry().get(key).create(ParameterTable("m"), problem_);
        ASSERT_TRUE(move->applicable(base)) << key;
        for (int k = 0; k < 20; ++k) {
            Cluster c = base;
            move->apply(c, rng, MoveContext{potential_.get(), &problem_});
            ASSERT_EQ(c.size(), base.size()) << key;
            EXPECT_EQ(composition(c), composition(problem_.species)) << key;
            EXPECT_TRUE(c.positions.allFinite()) << key;
            EXPECT_TRUE(c.positions != base.positions || c.species != base.species) << key << " changed nothing";
            move->report(k % 2 == 0);
        }
        auto copy = move->clone();
        const auto state = move->save_state();
        copy->load_state(state);
        EXPECT_EQ(copy->save_state(), state) << key;
        EXPECT_EQ(copy->describe(), move->describe()) << key;
    }
}

TEST_F(AlloyTest, MirrorMove_MakesAMirrorSymmetricGeometry) {
    // Every atom of the lower half is an image of an atom of the upper half through one plane:
    // a pure cluster (no repair) must then match its own mirror image.
    Cluster c = cluster_;
    std::fill(c.species.begin(), c.species.end(), species_from_symbol("Ag"));
    Rng rng(4);
    MirrorMove().apply(c, rng, MoveContext{potential_.get(), &problem_});
    EXPECT_GT(closest_pair(c).distance, 0.85 * potential_->pair_distance(c.species[0], c.species[0]) - 1e-9);
}

TEST_F(AlloyTest, TwistMove_KeepsEveryDistanceToTheCentroid) {
    Cluster c = cluster_;
    const Eigen::Vector3d center = c.centroid();
    Rng rng(6);
    TwistMove().apply(c, rng, MoveContext{potential_.get(), &problem_});
    for (Eigen::Index i = 0; i < c.positions.cols(); ++i)
        EXPECT_NEAR((c.positions.col(i) - center).norm(), (cluster_.positions.col(i) - center).norm(), 1e-9);
}

TEST(Fitness, ScaledEnergyFunctionsMatchTheirFormulas) {
    const std::vector<double> e{-10.0, -7.5, -5.0};
    const auto ex = population_fitness(e, FitnessFunction::exponential, 3.0);
    EXPECT_DOUBLE_EQ(ex[0], 1.0);
    EXPECT_DOUBLE_EQ(ex[1], std::exp(-1.5));
    EXPECT_DOUBLE_EQ(ex[2], std::exp(-3.0));
    const auto lin = population_fitness(e, FitnessFunction::linear, 3.0);
    EXPECT_DOUBLE_EQ(lin[1], 1.0 - 0.35);
    EXPECT_DOUBLE_EQ(lin[2], 0.3);
    const auto th = population_fitness(e, FitnessFunction::tanh, 3.0);
    EXPECT_DOUBLE_EQ(th[0], 0.5 * (1.0 + std::tanh(1.0)));
    EXPECT_DOUBLE_EQ(th[1], 0.5);
    const auto flat = population_fitness(std::vector<double>{2.0, 2.0}, FitnessFunction::exponential, 3.0);
    EXPECT_EQ(flat, (std::vector<double>{1.0, 1.0}));
}

TEST(Selection, RouletteAndTournamentFrequenciesMatchTheirProbabilities) {
    const std::vector<double> f{4.0, 2.0, 1.0, 1.0};
    Rng rng(99);
    constexpr int draws = 80000;
    std::vector<int> roulette(4, 0), tournament(4, 0);
    for (int k = 0; k < draws; ++k) {
        ++roulette[select_roulette(f, rng)];
        ++tournament[select_tournament(f, 2, rng)];
    }
    for (std::size_t i = 0; i < 4; ++i) EXPECT_NEAR(roulette[i] / double(draws), f[i] / 8.0, 0.01);
    // Size 2 of 4 distinct: member 0 wins whenever drawn (prob 1/2); member 1 when drawn
    // without 0 (2 of the 6 pairs -> 1/3); members 2 and 3 tie: the first drawn wins, so
    // each wins the pair {2, 3} half the time (1/12 each).
    EXPECT_NEAR(tournament[0] / double(draws), 0.5, 0.01);
    EXPECT_NEAR(tournament[1] / double(draws), 1.0 / 3.0, 0.01);
    EXPECT_NEAR(tournament[2] / double(draws), 1.0 / 12.0, 0.01);
}

TEST(GeneticAlgorithm, Lj13_ReachesTheIcosahedronAndThePopulationHasNoCopies) {
    auto setup = testing::lj_setup(13, 3, 400);
    setup.search = "driver = \"genetic_algorithm\"\npopulation = 10\noffspring = 4\n";
    const auto relaxer = create_relaxer(ParameterTable("relax"));
    const auto driver = create_driver(testing::search_table(setup.search), setup.problem);
    LocalEvaluator evaluator(*setup.potential, *relaxer, setup.relax, 1);
    SearchEngine engine(setup.problem, setup.engine, *driver, evaluator, nullptr);
    testing::NullObserver observer;
    engine.run(observer);
    EXPECT_TRUE(engine.progress().target_reached);
    EXPECT_NEAR(engine.archive().best_energy(), -44.326801, 2e-6);
    const auto& ga = dynamic_cast<const GeneticAlgorithm&>(*driver);
    const auto& pop = ga.population();
    ASSERT_GE(pop.size(), 2u);
    for (std::size_t i = 0; i < pop.size(); ++i) {
        if (i > 0) {
            EXPECT_LE(pop[i - 1].energy, pop[i].energy);
        }
        for (std::size_t j = i + 1; j < pop.size(); ++j)
            EXPECT_FALSE(same_minimum(engine.archive().settings(), pop[i].energy, pop[i].fingerprint, pop[j].energy,
                                      pop[j].fingerprint));
    }
}

// stall_generations stops the run; restart_after replaces the population (new starts drawn)
// and a single-frame start file gives one start, not a population of copies.
TEST(GeneticAlgorithm, StallStopsRestartRenewsAndOneFrameGivesOneStart) {
    const auto run = [](const std::string& keys, long steps, bool one_frame) {
        auto setup = testing::lj_setup(13, 5, steps);
        setup.engine.stop.target_energy.reset();
        if (one_frame) {
            Rng rng(1);
            setup.problem.start.kind = "file";
            setup.problem.start.structures = {setup.problem.random_structure(rng)};
        }
        setup.search = "driver = \"genetic_algorithm\"\npopulation = 5\noffspring = 5\n" + keys;
        const auto relaxer = create_relaxer(ParameterTable("relax"));
        auto driver = create_driver(testing::search_table(setup.search), setup.problem);
        LocalEvaluator evaluator(*setup.potential, *relaxer, setup.relax, 1);
        SearchEngine engine(setup.problem, setup.engine, *driver, evaluator, nullptr);
        testing::NullObserver observer;
        engine.run(observer);
        return std::make_pair(engine.progress(), driver->save_state());
    };
    // LJ13's icosahedron is found within a few generations; then nothing improves.
    const auto [stalled, s1] = run("stall_generations = 3\n", 5000, false);
    EXPECT_EQ(stalled.stop_reason, "stall_generations");
    EXPECT_LT(stalled.steps, 5000);
    EXPECT_EQ(s1.at("stall").get<long>(), 3);
    const auto [renewed, s2] = run("restart_after = 2\n", 200, false);
    EXPECT_GT(s2.at("restarts").get<long>(), 0);
    EXPECT_EQ(s2.at("starts").get<long>(), 5 * (1 + s2.at("restarts").get<long>()));
    const auto [single, s3] = run("", 10, true);
    EXPECT_EQ(s3.at("starts").get<long>(), 1);
    EXPECT_EQ(single.counts.reference_relaxations, 1 + 10);
}

// Islands: island 0 draws what a run without islands draws; each island keeps its own
// population of distinct members; the search still reaches LJ13's icosahedron; the trace names
// the island of every child.
TEST(GeneticAlgorithm, Islands_Island0IsThePlainGaAndEveryIslandIsAPopulationOfItsOwn) {
    auto setup = testing::lj_setup(13, 3, 400);
    const std::string keys = "driver = \"genetic_algorithm\"\npopulation = 8\noffspring = 4\n";
    const auto plain = create_driver(testing::search_table(keys), setup.problem);
    const auto islands = create_driver(
        testing::search_table(keys + "islands = 3\nmigration_interval = 1\nmigration_count = 1\n"), setup.problem);
    MinimaArchive archive;
    SearchProgress progress;
    const SearchView view{setup.problem, archive, progress};
    const auto a = plain->propose(view, 100);
    const auto b = islands->propose(view, 100);
    ASSERT_EQ(a.size(), 8u);
    ASSERT_EQ(b.size(), 24u);  // a population of starts per island
    for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].cluster.positions, b[i].cluster.positions) << i;
    // The other islands start elsewhere.
    EXPECT_NE(b[0].cluster.positions, b[8].cluster.positions);
    EXPECT_NE(b[8].cluster.positions, b[16].cluster.positions);

    setup.search = keys + "islands = 3\nmigration_interval = 1\nmigration_count = 1\n";
    const auto relaxer = create_relaxer(ParameterTable("relax"));
    const auto driver = create_driver(testing::search_table(setup.search), setup.problem);
    LocalEvaluator evaluator(*setup.potential, *relaxer, setup.relax, 1);
    SearchEngine engine(setup.problem, setup.engine, *driver, evaluator, nullptr);
    testing::RowCollector observer;
    engine.run(observer);
    EXPECT_TRUE(engine.progress().target_reached);
    EXPECT_NEAR(engine.archive().best_energy(), -44.326801, 2e-6);
    const auto& ga = dynamic_cast<const GeneticAlgorithm&>(*driver);
    for (std::size_t k = 0; k < 3; ++k) {
        const auto& pop = ga.population(k);
        ASSERT_GE(pop.size(), 2u) << "island " << k;
        for (std::size_t i = 0; i < pop.size(); ++i)
            for (std::size_t j = i + 1; j < pop.size(); ++j)
                EXPECT_FALSE(same_minimum(engine.archive().settings(), pop[i].energy, pop[i].fingerprint, pop[j].energy,
                                          pop[j].fingerprint));
    }
    const auto columns = driver->trace_columns();
    ASSERT_EQ(columns.back(), "island");
    std::set<double> seen;
    for (const auto& row : observer.rows) seen.insert(row.extra.back());
    EXPECT_EQ(seen, (std::set<double>{0.0, 1.0, 2.0}));
}

// Migration, with results given by hand: after each island's first generation the best member
// of island 0 enters island 1 (it beats island 1's worst), and island 1's best, worse than every
// member of island 0, does not enter it; the checkpoint holds every island and restores it.
TEST(GeneticAlgorithm, Islands_MigrationSendsTheBestAroundTheRing) {
    auto setup = testing::lj_setup(13, 3, 400);
    const std::string keys = "driver = \"genetic_algorithm\"\npopulation = 3\noffspring = 3\nislands = 2\n"
                             "migration_interval = 1\nmigration_count = 1\n";
    auto driver = create_driver(testing::search_table(keys), setup.problem);
    MinimaArchive archive;
    SearchProgress progress;
    const SearchView view{setup.problem, archive, progress};
    const auto answer = [](const std::vector<Candidate>& batch, const std::vector<double>& energies) {
        std::vector<Evaluation> out(batch.size());
        for (std::size_t i = 0; i < batch.size(); ++i) {
            out[i].cluster = batch[i].cluster;
            out[i].energy = energies[i];
            out[i].status = EvaluationStatus::converged;
        }
        return out;
    };
    const auto starts = driver->propose(view, 100);
    ASSERT_EQ(starts.size(), 6u);
    (void)driver->update(starts, answer(starts, {-10, -9, -8, -5, -4, -3}), view);
    const auto& ga = dynamic_cast<const GeneticAlgorithm&>(*driver);
    EXPECT_EQ(ga.migrants_accepted(), 0);
    const auto children = driver->propose(view, 100);
    ASSERT_EQ(children.size(), 6u);
    (void)driver->update(children, answer(children, {0, 0, 0, 0, 0, 0}), view);  // one generation each, none enters
    EXPECT_EQ(ga.migrants_accepted(), 1);
    ASSERT_EQ(ga.population(1).size(), 3u);
    EXPECT_EQ(ga.population(1).front().energy, -10.0);
    EXPECT_EQ(ga.population(1).back().energy, -4.0);
    EXPECT_EQ(ga.population(0).front().energy, -10.0);
    EXPECT_EQ(ga.population(0).back().energy, -8.0);

    const nlohmann::json state = nlohmann::json::parse(driver->save_state().dump());
    ASSERT_EQ(state.at("islands").size(), 1u);
    auto restored = create_driver(testing::search_table(keys), setup.problem);
    restored->load_state(state, setup.problem);
    EXPECT_EQ(restored->save_state(), driver->save_state());
    // A checkpoint of another island count is refused.
    auto three = create_driver(testing::search_table("driver = \"genetic_algorithm\"\npopulation = 3\noffspring = 3\n"
                                                     "islands = 3\n"),
                               setup.problem);
    EXPECT_THROW(three->load_state(state, setup.problem), InputError);
}

// Every homotop of Ag10Cu3 on a 13-atom Gupta icosahedron (286) relaxed in the test: the GA with
// swap mutations and homotop crossovers only, from one icosahedral homotop, must reach the lowest.
TEST(GeneticAlgorithm, Ag10Cu3Icosahedron_FindsTheLowestOfEveryEnumeratedHomotop) {
    const std::string file = std::string(NANOSCAPE_SOURCE_DIR) + "/inputs/potentials/gupta_agcu_ferrando.toml";
    const Species ag = species_from_symbol("Ag"), cu = species_from_symbol("Cu");
    const Cluster ico = make_icosahedron(1, 2.75, ag);
    std::vector<Candidate> homotops;
    for (int a = 0; a < 13; ++a)
        for (int b = a + 1; b < 13; ++b)
            for (int c = b + 1; c < 13; ++c) {
                Candidate h;
                h.cluster = ico;
                h.cluster.species[a] = h.cluster.species[b] = h.cluster.species[c] = cu;
                homotops.push_back(h);
            }
    ASSERT_EQ(homotops.size(), 286u);
    std::vector<Species> species(10, ag);
    species.insert(species.begin(), 3, cu);
    auto setup = testing::setup_for(load_potential_spec(file, ""), species, 4);
    std::sort(setup.problem.species.begin(), setup.problem.species.end());
    const auto relaxer = create_relaxer(ParameterTable("relax"));
    double lowest = std::numeric_limits<double>::infinity();
    {
        LocalEvaluator all(*setup.potential, *relaxer, setup.relax, 0);
        for (const auto& e : all.evaluate(homotops))
            if (e.ok()) lowest = std::min(lowest, e.energy);
    }
    Cluster start = homotops.front().cluster;  // Cu on the centre and two adjacent vertices
    setup.problem.start.kind = "file";
    setup.problem.start.structures = {start};
    setup.engine.stop.max_steps = 400;
    setup.engine.stop.target_energy = lowest;
    setup.engine.stop.target_tolerance = 1e-6;
    setup.search = "driver = \"genetic_algorithm\"\npopulation = 6\noffspring = 4\nmoves = { swap = 1 }\n";
    const auto out = testing::run_in_memory(setup, 1);
    EXPECT_TRUE(out.progress.target_reached) << "best " << out.archive.best_energy() << " vs " << lowest;
    EXPECT_GE(out.archive.best_energy(), lowest - 1e-6);  // nothing below the enumerated minimum
}

}  // namespace
}  // namespace nanoscape
