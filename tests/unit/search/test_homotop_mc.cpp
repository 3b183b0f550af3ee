// Homotop Monte Carlo against exhaustive enumeration: the lowest homotop of 13-atom icosahedra,
// and exact Boltzmann averages (canonical, semi-grand-canonical, parallel tempering) computed
// over every configuration. Chemical-order descriptors of known structures.

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "nanoscape/geometry/builders.hpp"
#include "nanoscape/geometry/chemical_order.hpp"
#include "nanoscape/relax/lbfgs.hpp"
#include "nanoscape/search/homotop_mc.hpp"
#include "support/search_harness.hpp"

namespace nanoscape {
namespace {

std::string potential_file(const std::string& name) {
    return std::string(NANOSCAPE_SOURCE_DIR) + "/inputs/potentials/" + name;
}

using McRun = testing::SearchOutcome;

// A homotop_mc run on the fixed geometry `start` (its species give the composition).
// With `surrogate` ([surrogate] keys) the run is screened ([screening] keys `screening`).
McRun run_mc(const Potential& potential, const Cluster& start, const std::vector<Species>& elements, std::uint64_t seed,
             long steps, const std::string& keys, int threads = 1, const std::string& surrogate = "",
             const std::string& screening = "") {
    testing::SearchSetup setup;
    setup.problem.species = start.species;
    setup.problem.seed = seed;
    setup.problem.potential = &potential;  // the evaluator's too (run_in_memory)
    std::sort(setup.problem.species.begin(), setup.problem.species.end());
    setup.problem.start.kind = "file";
    setup.problem.start.structures = {start};
    setup.problem.start.element_order = elements;
    setup.engine.stop.max_steps = steps;
    setup.engine.archive.capacity = 20;
    setup.relax.fmax = 1e-4;
    setup.search = "driver = \"homotop_mc\"\n" + keys;
    setup.surrogate = surrogate;
    setup.screening = screening;
    return testing::run_in_memory(setup, threads);
}

// Every way to put `k` atoms of `minority` on the 13 sites (the rest `majority`).
std::vector<std::vector<Species>> homotops(std::size_t n, std::size_t k, Species minority, Species majority) {
    std::vector<std::vector<Species>> out;
    std::vector<int> pick(n, 0);
    std::fill(pick.end() - static_cast<long>(k), pick.end(), 1);
    do {
        std::vector<Species> z(n);
        for (std::size_t i = 0; i < n; ++i) z[i] = pick[i] ? minority : majority;
        out.push_back(z);
    } while (std::next_permutation(pick.begin(), pick.end()));
    return out;
}

Cluster icosahedron13(const Potential& potential, Species a, Species b) {
    return make_icosahedron(1, potential.pair_distance(a, b), a);
}

// Mean of a driver column over the block rows of one replica after `skip` blocks, and its
// standard error from 20 batch means (blocks are correlated).
std::pair<double, double> block_mean(const McRun& run, const std::string& name, int walker, std::size_t skip) {
    const std::size_t c = run.column(name);
    std::vector<double> x;
    for (const auto& row : run.rows)
        if (row.step > 0 && row.walker == walker) x.push_back(row.extra[c]);
    x.erase(x.begin(), x.begin() + static_cast<long>(std::min(skip, x.size())));
    const std::size_t batches = 20, per = x.size() / batches;
    std::vector<double> means;
    for (std::size_t b = 0; b < batches; ++b)
        means.push_back(std::accumulate(x.begin() + static_cast<long>(b * per), x.begin() + static_cast<long>((b + 1) * per), 0.0) / per);
    const double mean = std::accumulate(means.begin(), means.end(), 0.0) / batches;
    double var = 0.0;
    for (double m : means) var += (m - mean) * (m - mean);
    return {mean, std::sqrt(var / (batches - 1) / batches)};
}

// Exact Boltzmann average of f over configurations with energies e at temperature t (K),
// weights exp(-(e - mu n) / kT).
double boltzmann_average(const std::vector<double>& e, const std::vector<double>& f, const std::vector<double>& n, double mu,
                         double t) {
    const double beta = 1.0 / (boltzmann_ev_per_k * t);
    double lo = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < e.size(); ++i) lo = std::min(lo, e[i] - mu * n[i]);
    double z = 0.0, s = 0.0;
    for (std::size_t i = 0; i < e.size(); ++i) {
        const double w = std::exp(-beta * (e[i] - mu * n[i] - lo));
        z += w;
        s += w * f[i];
    }
    return s / z;
}

TEST(ChemicalOrder, IcosahedraShellsBondsAndSurface) {
    const Species cu = species_from_symbol("Cu"), ag = species_from_symbol("Ag");
    const auto d = [](Species, Species) { return 1.0; };
    const Cluster ico13 = make_icosahedron(1, 1.0, cu);
    const ChemicalOrder o13 = chemical_order(ico13, {cu}, d);
    EXPECT_EQ(o13.bonds, std::vector<long>{42});  // 12 to the centre, 30 edges
    EXPECT_EQ(o13.shell_size, (std::vector<int>{12, 1}));
    Cluster ico147 = make_icosahedron(3, 1.0, ag);
    // Core-shell: the 55 inner atoms Cu, the 92 surface atoms Ag.
    const Eigen::Vector3d centre = ico147.centroid();
    std::vector<std::size_t> order(ico147.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](auto a, auto b) {
        return (ico147.positions.col(a) - centre).norm() < (ico147.positions.col(b) - centre).norm();
    });
    for (std::size_t k = 0; k < 55; ++k) ico147.species[order[k]] = cu;
    const ChemicalOrder o = chemical_order(ico147, {ag, cu}, d);
    EXPECT_EQ(o.shell_size, (std::vector<int>{92, 42, 12, 1}));
    EXPECT_EQ(o.bond_names(), (std::vector<std::string>{"Ag_Ag", "Ag_Cu", "Cu_Cu"}));
    EXPECT_DOUBLE_EQ(o.surface_fraction[0], 1.0);
    EXPECT_DOUBLE_EQ(o.surface_fraction[1], 0.0);
    EXPECT_DOUBLE_EQ(o.shell_fraction[1][1], 1.0);
    // Bonds against a direct count of every pair within the nearest-neighbour distance.
    long direct = 0;
    for (std::size_t i = 0; i < ico147.size(); ++i)
        for (std::size_t j = i + 1; j < ico147.size(); ++j)
            direct += (ico147.positions.col(i) - ico147.positions.col(j)).norm() < nearest_neighbour_factor;
    EXPECT_EQ(o.bonds[0] + o.bonds[1] + o.bonds[2], direct);
    EXPECT_EQ(o.bonds[2], chemical_order(make_icosahedron(2, 1.0, cu), {cu}, d).bonds[0]);  // the Cu55 core
}

TEST(HomotopMcSettings, AnnealingSchedules) {
    HomotopMcSettings s;
    s.temperatures = {1000.0, 2000.0};
    s.final_temperature = 10.0;
    s.anneal_blocks = 101;  // blocks 0..100: f = b / 100
    s.schedule = TemperatureSchedule::linear;
    EXPECT_DOUBLE_EQ(s.temperature(0, 0), 1000.0);
    EXPECT_DOUBLE_EQ(s.temperature(0, 50), 505.0);
    EXPECT_NEAR(s.temperature(1, 100), 20.0, 1e-9);  // every replica scaled by the same factor
    EXPECT_NEAR(s.temperature(0, 1000), 10.0, 1e-9);
    s.schedule = TemperatureSchedule::geometric;
    EXPECT_NEAR(s.temperature(0, 50), 100.0, 1e-9);
    EXPECT_NEAR(s.temperature(1, 25), 2000.0 * std::pow(0.01, 0.25), 1e-9);
}

// The lowest homotop of 13-atom icosahedra with 3, 4 and 6 minority atoms, fixed geometry,
// for Gupta Pt-Pd and EMT Pt-Au, against every homotop enumerated.
TEST(HomotopMc, FindsLowestHomotopOf13AtomIcosahedra) {
    struct System {
        std::string spec, a, b;
    };
    for (const System& sys : {System{potential_file("gupta_ptpd_johnston.toml"), "Pt", "Pd"}, System{"emt", "Pt", "Au"}}) {
        const auto potential = load_potential_spec(sys.spec, "");
        const Species a = species_from_symbol(sys.a), b = species_from_symbol(sys.b);
        for (std::size_t k : {3, 4, 6}) {
            Cluster ico = icosahedron13(*potential, a, b);
            double lowest = std::numeric_limits<double>::infinity();
            for (const auto& z : homotops(13, k, b, a)) {
                ico.species = z;
                lowest = std::min(lowest, potential->energy(ico));
            }
            for (std::uint64_t seed : {1, 2, 3}) {
                ico.species = homotops(13, k, b, a).front();
                const McRun run = run_mc(*potential, ico, {a, b}, seed, 300,
                                         "temperature = 1500.0\nschedule = \"geometric\"\nfinal_temperature = 20.0\n"
                                         "anneal_blocks = 250\nsweeps_per_block = 2.0\n");
                EXPECT_NEAR(run.archive.best_energy(), lowest, 1e-9)
                    << sys.spec << " " << sys.a << 13 - k << sys.b << k << " seed " << seed;
                EXPECT_EQ(run.progress.counts.reference_relaxations, 0);
                EXPECT_EQ(run.progress.counts.local_updates, 300 * 26);
            }
        }
    }
}

// Screened homotop Monte Carlo on a fixed geometry: random homotops as the model's design, then
// blocks of swaps on the model's mu - kappa sigma, each block's lowest configuration verified by
// one reference single point. Ag42Cu13 on the 55-atom Mackay icosahedron (Gupta, Ferrando): the
// lowest homotop is the core-shell ordering (13 Cu inside; Rossi et al., PRL 93, 105503
// (2004)), one of C(55, 13) ~ 1e12 orderings, which plain homotop Monte Carlo reaches after tens
// of thousands of swap energies (docs/screening.md). Screened with the mapped pair model and with
// ridge, every seed reaches it within 40 reference calls; no trial touches the reference, and
// the model's energies are counted as surrogate predictions.
TEST(HomotopMc, Screened_ReachesTheCoreShellOrderingOfAgCu55WithinFortyReferenceCalls) {
    const auto potential = load_potential_spec(potential_file("gupta_agcu_ferrando.toml"), "");
    const Species ag = species_from_symbol("Ag"), cu = species_from_symbol("Cu");
    Cluster ico = make_icosahedron(2, potential->pair_distance(ag, ag), ag);
    // The 13 atoms nearest the centre are the core (centre and first shell).
    std::vector<std::size_t> order(ico.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    const Eigen::Vector3d centre = ico.positions.rowwise().mean();
    std::sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) {
        return (ico.positions.col(static_cast<long>(i)) - centre).norm() < (ico.positions.col(static_cast<long>(j)) - centre).norm();
    });
    for (std::size_t k = 0; k < 13; ++k) ico.species[order[k]] = cu;
    const double core_shell = potential->energy(ico);
    // A start with the Cu atoms on the surface: the walk has to find the core.
    std::fill(ico.species.begin(), ico.species.end(), ag);
    for (std::size_t k = 0; k < 13; ++k) ico.species[order[order.size() - 1 - k]] = cu;
    const std::string keys = "temperature = 800.0\nschedule = \"geometric\"\nfinal_temperature = 10.0\n"
                             "anneal_blocks = 30\nsweeps_per_block = 10.0\n";
    for (const char* model : {"mapped"}) {
        for (std::uint64_t seed : {1, 2, 3}) {
            const McRun run = run_mc(*potential, ico, {ag, cu}, seed, 40, keys, 2, fmt::format("type = \"{}\"\n", model),
                                     "initial_design = 10\n");
            const auto& c = run.progress.counts;
            EXPECT_NEAR(run.archive.best_energy(), core_shell, 1e-9) << model << " seed " << seed;
            // One reference single point per row (start, design, verified blocks), nothing else.
            EXPECT_EQ(c.reference_evaluations, static_cast<long>(run.rows.size())) << model;
            EXPECT_EQ(c.reference_evaluations, 41) << model;
            EXPECT_EQ(c.reference_relaxations, 0);
            EXPECT_EQ(c.local_updates, 0) << model;
            // 30 screened blocks of 550 trials on the model, each from a fresh walker (one more).
            EXPECT_GE(c.surrogate_predictions, 30 * 551) << model;
            long designs = 0, on_model = 0;
            for (const auto& row : run.rows) {
                designs += row.move == "design";
                on_model += row.move == "swap_block";
            }
            EXPECT_EQ(designs, 9) << model;  // the start is the first of the 10
            EXPECT_EQ(on_model, 31) << model;
            EXPECT_EQ(run.evaluator_report.at("verified_candidates").get<long>(), 41);
            EXPECT_LT(run.evaluator_report.at("screening_error_mae").get<double>(), 0.5) << model;
        }
    }
}

// Canonical sampling: block-end walker energies average to the exact Boltzmann average over
// the 715 homotops of Pt9Pd4, at two temperatures exchanged by parallel tempering.
TEST(HomotopMc, CanonicalAndParallelTempering_SampleTheBoltzmannDistribution) {
    const auto potential = load_potential_spec(potential_file("gupta_ptpd_johnston.toml"), "");
    const Species pt = species_from_symbol("Pt"), pd = species_from_symbol("Pd");
    Cluster ico = icosahedron13(*potential, pt, pd);
    std::vector<double> e, zero;
    for (const auto& z : homotops(13, 4, pd, pt)) {
        ico.species = z;
        e.push_back(potential->energy(ico));
        zero.push_back(0.0);
    }
    ico.species = homotops(13, 4, pd, pt).front();
    const std::vector<double> temperatures{700.0, 1400.0};
    const McRun run = run_mc(*potential, ico, {pt, pd}, 5, 2 * 20000, "temperature = [700.0, 1400.0]\nsweeps_per_block = 1.0\n");
    for (int r = 0; r < 2; ++r) {
        const double exact = boltzmann_average(e, e, zero, 0.0, temperatures[static_cast<std::size_t>(r)]);
        const auto [mean, se] = block_mean(run, "walker_energy", r, 200);
        EXPECT_NEAR(mean, exact, 4.0 * se + 1e-4) << "T = " << temperatures[static_cast<std::size_t>(r)] << " K, se " << se;
        EXPECT_GT(std::abs(exact - *std::min_element(e.begin(), e.end())), 20.0 * se) << "the test must discriminate";
    }
    EXPECT_GT(run.report.at("exchanges_accepted").get<long>(), 100);
}

// Semi-grand-canonical sampling: the mean number of Pd atoms against the exact average over all
// 2^13 configurations, at a delta_mu near the balance point.
TEST(HomotopMc, SemiGrandCanonical_SamplesTheExactComposition) {
    const auto potential = load_potential_spec(potential_file("gupta_ptpd_johnston.toml"), "");
    const Species pt = species_from_symbol("Pt"), pd = species_from_symbol("Pd");
    Cluster ico = icosahedron13(*potential, pt, pd);
    std::vector<double> e, n;
    for (std::uint32_t mask = 0; mask < (1u << 13); ++mask) {
        for (std::size_t i = 0; i < 13; ++i) ico.species[i] = (mask >> i) & 1u ? pd : pt;
        e.push_back(potential->energy(ico));
        n.push_back(static_cast<double>(std::popcount(mask)));
    }
    const double balance = (e.back() - e.front()) / 13.0;  // (E(Pd13) - E(Pt13)) / 13
    const double t = 1000.0;
    for (double mu : {balance - 0.05, balance + 0.05}) {
        ico.species = homotops(13, 4, pd, pt).front();
        const McRun run = run_mc(*potential, ico, {pt, pd}, 9, 20000,
                                 fmt::format("mode = \"semi_grand_canonical\"\ndelta_mu = {}\ntemperature = {}\n"
                                             "equilibration_blocks = 100\n",
                                             mu, t));
        const double exact = boltzmann_average(e, n, n, mu, t);
        const auto [mean, se] = block_mean(run, "n_Pd", 0, 100);
        EXPECT_NEAR(mean, exact, 4.0 * se + 1e-3) << "delta_mu " << mu;
        const double reported = run.report.at("replicas")[0].at("mean_n_Pd").get<double>();
        EXPECT_NEAR(reported, exact, 4.0 * se + 1e-3) << "delta_mu " << mu;
        EXPECT_GT(exact, 0.5);
        EXPECT_LT(exact, 12.5);
    }
}

// relax = "accepted": the walker moves on relaxed structures and reaches the lowest relaxed
// homotop of Pt10Pd3 (every relaxed homotop enumerated); relax = "best": the archive holds
// relaxed structures only, at least as low as the relaxed lowest unrelaxed homotop.
TEST(HomotopMc, RelaxModes_ReachRelaxedMinima) {
    const auto potential = load_potential_spec(potential_file("gupta_ptpd_johnston.toml"), "");
    const Species pt = species_from_symbol("Pt"), pd = species_from_symbol("Pd");
    Cluster ico = icosahedron13(*potential, pt, pd);
    Lbfgs relaxer(LbfgsParameters{});
    RelaxOptions options;
    options.fmax = 1e-4;
    double lowest_relaxed = std::numeric_limits<double>::infinity(), lowest_unrelaxed = lowest_relaxed;
    double relaxed_of_lowest_unrelaxed = 0.0;
    for (const auto& z : homotops(13, 3, pd, pt)) {
        ico.species = z;
        const double unrelaxed = potential->energy(ico);
        Cluster c = ico;
        const double relaxed = relaxer.relax(c, *potential, options).energy;
        lowest_relaxed = std::min(lowest_relaxed, relaxed);
        if (unrelaxed < lowest_unrelaxed) {
            lowest_unrelaxed = unrelaxed;
            relaxed_of_lowest_unrelaxed = relaxed;
        }
    }
    ico.species = homotops(13, 3, pd, pt).front();
    const McRun accepted = run_mc(*potential, ico, {pt, pd}, 4, 300, "relax = \"accepted\"\ntemperature = 800.0\n");
    EXPECT_NEAR(accepted.archive.best_energy(), lowest_relaxed, 1e-6);
    const McRun best = run_mc(*potential, ico, {pt, pd}, 4, 300,
                              "relax = \"best\"\ntemperature = 1000.0\nschedule = \"linear\"\nfinal_temperature = 50.0\n"
                              "anneal_blocks = 250\n");
    EXPECT_LE(best.archive.best_energy(), relaxed_of_lowest_unrelaxed + 1e-6);
    long relax_rows = 0;
    for (const auto& row : best.rows) relax_rows += row.status == EvaluationStatus::converged;
    EXPECT_EQ(best.progress.counts.reference_relaxations, relax_rows);
    for (const auto& m : best.archive.minima()) EXPECT_NE(m.move, "check");
}

// Replicas run in parallel: the same results on 1 and 2 threads.
TEST(HomotopMc, SameResultsForAnyThreadCount) {
    const auto potential = load_potential_spec("emt", "");
    const Species pt = species_from_symbol("Pt"), au = species_from_symbol("Au");
    Cluster ico = make_icosahedron(3, potential->pair_distance(pt, au), pt);
    for (std::size_t i = 0; i < ico.size(); i += 2) ico.species[i] = au;
    const std::string keys = "temperature = [300.0, 500.0, 800.0, 1200.0]\nsweeps_per_block = 0.5\n";
    const McRun one = run_mc(*potential, ico, {pt, au}, 3, 200, keys, 1);
    const McRun two = run_mc(*potential, ico, {pt, au}, 3, 200, keys, 2);
    ASSERT_EQ(one.rows.size(), two.rows.size());
    for (std::size_t i = 0; i < one.rows.size(); ++i) {
        EXPECT_EQ(one.rows[i].energy, two.rows[i].energy) << i;
        ASSERT_EQ(one.rows[i].extra.size(), two.rows[i].extra.size());
        for (std::size_t c = 0; c < one.rows[i].extra.size(); ++c)
            if (!std::isnan(one.rows[i].extra[c])) {
                EXPECT_EQ(one.rows[i].extra[c], two.rows[i].extra[c]) << i << " " << c;
            }
    }
}

// A semi-grand-canonical run changes its composition: its checkpoint (archive of several
// compositions) restores, and the restored run ends as the uninterrupted one; a checkpoint of
// other driver settings is refused naming them.
TEST(HomotopMc, SemiGrandCanonicalCheckpoint_RestoresExactly) {
    const auto potential = load_potential_spec("emt", "");
    const Species pt = species_from_symbol("Pt"), au = species_from_symbol("Au");
    Cluster start = make_icosahedron(2, potential->pair_distance(pt, au), pt);
    SearchProblem problem;
    problem.species = start.species;
    problem.seed = 4;
    problem.potential = potential.get();
    problem.start.kind = "file";
    problem.start.structures = {start};
    problem.start.element_order = {pt, au};
    const std::string keys = "driver = \"homotop_mc\"\nmode = \"semi_grand_canonical\"\ndelta_mu = [-0.3, -0.1]\n"
                             "temperature = 800.0\n";
    Lbfgs relaxer(LbfgsParameters{});
    const auto run_to = [&](long steps, const nlohmann::json* from, nlohmann::json* checkpoint, const std::string& k) {
        EngineSettings settings;
        settings.stop.max_steps = steps;
        const auto driver = create_driver(testing::search_table(k), problem);
        LocalEvaluator evaluator(*potential, relaxer, RelaxOptions{}, 1);
        SearchEngine engine(problem, settings, *driver, evaluator, nullptr);
        if (from) engine.restore(*from, "test checkpoint");
        testing::NullObserver observer;
        engine.run(observer);
        if (checkpoint) *checkpoint = engine.checkpoint();
        return std::make_pair(engine.archive().best_energy(), driver->report().dump());
    };
    nlohmann::json half;
    (void)run_to(60, nullptr, &half, keys);
    const auto resumed = run_to(120, &half, nullptr, keys);
    const auto whole = run_to(120, nullptr, nullptr, keys);
    EXPECT_EQ(resumed.first, whole.first);
    EXPECT_EQ(resumed.second, whole.second);
    try {
        (void)run_to(120, &half, nullptr, keys + "sweeps_per_block = 2.0\n");
        ADD_FAILURE() << "a checkpoint of other settings was accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("sweeps_per_block"), std::string::npos) << e.what();
    }
}

TEST(HomotopMc, BadKeys_AreInputErrorsNamingTheKey) {
    const auto potential = load_potential_spec("emt", "");
    SearchProblem problem;
    problem.species = {species_from_symbol("Pt"), species_from_symbol("Au")};
    problem.potential = potential.get();
    problem.start.element_order = {species_from_symbol("Pt"), species_from_symbol("Au")};
    const std::vector<std::pair<const char*, const char*>> cases{
        {"relax = true", "relax"}, {"relax = \"bset\"", "relax"}, {"temperature = 0.1", "kelvin"},
        {"temperature = -5.0", "temperature"}, {"schedule = \"cubic\"", "schedule"},
        {"schedule = \"linear\"", "final_temperature"}, {"mode = \"grand\"", "mode"}, {"delta_mu = 0.1", "delta_mu"},
        {"mode = \"semi_grand_canonical\"", "delta_mu"}, {"sweeps_per_block = 0.0", "sweeps_per_block"},
        {"final_temperature = 10.0", "final_temperature"}, {"temperature = []", "temperature"}};
    for (const auto& [keys, named] : cases) {
        try {
            (void)create_driver(testing::search_table(fmt::format("driver = \"homotop_mc\"\n{}\n", keys)), problem);
            ADD_FAILURE() << keys << " was accepted";
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find(named), std::string::npos) << keys << ": " << e.what();
        }
    }
    problem.species = {species_from_symbol("Pt"), species_from_symbol("Pt")};
    EXPECT_THROW((void)create_driver(testing::search_table("driver = \"homotop_mc\"\n"), problem), InputError);
}

}  // namespace
}  // namespace nanoscape
