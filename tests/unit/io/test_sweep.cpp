// Composition sweeps: the schedule, the seeds, and the hull a sweep finds against the exact
// hull of every one of the 2^13 homotops of a 13-atom icosahedron (fixed geometry).

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "nanoscape/geometry/builders.hpp"
#include "nanoscape/io/potential_loader.hpp"
#include "nanoscape/io/sweep.hpp"
#include "nanoscape/io/xyz.hpp"

namespace nanoscape {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

fs::path work_directory(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / fmt::format("nanoscape_sweep_{}_{}", name, ::getpid());
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

RunOverrides output_to(const fs::path& dir) {
    RunOverrides o;
    o.output = dir.string();
    return o;
}

TEST(SweepSchedule, PureEndsFirstThenInwardFromBothSides) {
    const SweepSchedule s = sweep_schedule({0, 1, 2, 3, 4, 5}, true);
    ASSERT_EQ(s.waves.size(), 3u);
    EXPECT_EQ(s.waves[0], (std::vector<int>{0, 5}));
    EXPECT_EQ(s.waves[1], (std::vector<int>{1, 4}));
    EXPECT_EQ(s.waves[2], (std::vector<int>{2, 3}));
    EXPECT_EQ(s.seed_source(0), -1);
    EXPECT_EQ(s.seed_source(5), -1);
    EXPECT_EQ(s.seed_source(1), 0);
    EXPECT_EQ(s.seed_source(4), 5);
    EXPECT_EQ(s.seed_source(2), 1);
    EXPECT_EQ(s.seed_source(3), 4);
    EXPECT_EQ(s.order, (std::vector<int>{0, 5, 1, 4, 2, 3}));

    const SweepSchedule odd = sweep_schedule({0, 3, 6, 9, 12}, true);  // a range with a step
    ASSERT_EQ(odd.waves.size(), 3u);
    EXPECT_EQ(odd.waves[2], (std::vector<int>{6}));
    EXPECT_EQ(odd.seed_source(6), 3);
    EXPECT_EQ(odd.seed_source(9), 12);

    const SweepSchedule free = sweep_schedule({0, 1, 2, 3, 4}, false);  // no seeds: one wave inside
    ASSERT_EQ(free.waves.size(), 2u);
    EXPECT_EQ(free.waves[1], (std::vector<int>{1, 2, 3}));
    EXPECT_EQ(free.seed_source(2), -1);

    const SweepSchedule ends = sweep_schedule({0, 2}, true);
    ASSERT_EQ(ends.waves.size(), 1u);
    EXPECT_EQ(ends.order, (std::vector<int>{0, 2}));
}

TEST(SweepSeeds, ChangeSpecies_ChangesExactlyCountAtomsAndKeepsTheGeometry) {
    Cluster c = make_icosahedron(2, 2.8, 47);  // Ag55
    for (std::size_t i = 0; i < 13; ++i) c.species[i] = 29;
    Rng rng = make_stream(5, StreamKey{"test", 0, 0, 0});
    const Cluster d = change_species(c, 47, 29, 4, rng);
    EXPECT_EQ(d.count(29), 17u);
    EXPECT_EQ(d.count(47), 38u);
    EXPECT_EQ(d.positions, c.positions);
    for (std::size_t i = 0; i < 13; ++i) EXPECT_EQ(d.species[i], 29);  // Cu stays Cu
    EXPECT_THROW((void)change_species(c, 29, 47, 14, rng), InputError);
}

struct System {
    std::string potential_table;  // [potential] of the run file
    std::string spec;             // the same for load_potential_spec
    std::string a, b;
};

// Writes a 13-atom icosahedron start file and a homotop_mc sweep over it (relax = false).
fs::path write_sweep(const fs::path& work, const System& sys, const Potential& potential, const std::string& extra = {}) {
    const Species a = species_from_symbol(sys.a), b = species_from_symbol(sys.b);
    XyzFrame frame;
    frame.cluster = make_icosahedron(1, potential.pair_distance(a, b), a);
    write_xyz((work / "ico13.xyz").string(), {frame});
    const fs::path run = work / "sweep.toml";
    std::ofstream(run) << fmt::format(
        "[system]\nelements = [\"{}\", \"{}\"]\nsize = 13\nseed = 11\nstart = \"ico13.xyz\"\n\n{}\n\n"
        "[search]\ndriver = \"homotop_mc\"\ntemperature = 1500.0\nschedule = \"geometric\"\nfinal_temperature = 20.0\n"
        "anneal_blocks = 250\nsweeps_per_block = 2.0\nmax_steps = 300\n\n[sweep]\ncompositions = \"all\"\n{}\n",
        sys.a, sys.b, sys.potential_table, extra);
    return run;
}

std::vector<System> systems() {
    const std::string gupta = std::string(NANOSCAPE_SOURCE_DIR) + "/inputs/potentials/gupta_ptpd_johnston.toml";
    return {System{fmt::format("[potential]\ntype = \"gupta\"\nparameters = \"{}\"", gupta), gupta, "Pt", "Pd"},
            System{"[potential]\ntype = \"emt\"", "emt", "Pt", "Au"}};
}

TEST(Sweep, HomotopMcOnTheIcosahedron_GivesTheExhaustiveHullExactly) {
    for (const System& sys : systems()) {
        SCOPED_TRACE(sys.a + sys.b);
        const auto potential = load_potential_spec(sys.spec, "");
        const fs::path work = work_directory("exhaustive_" + sys.b);
        const fs::path run = write_sweep(work, sys, *potential);
        const RunConfig config = load_run_config(run.string(), output_to(work / "out"));
        SweepRunner sweep(config, RunDirectoryMode::fresh, 2);
        EXPECT_EQ(sweep.run(nullptr), "finished");

        // Every homotop of the same geometry, enumerated: the lowest energy per count of A.
        const Species a = species_from_symbol(sys.a), b = species_from_symbol(sys.b);
        Cluster ico = make_icosahedron(1, potential->pair_distance(a, b), a);
        std::vector<double> lowest(14, std::numeric_limits<double>::infinity());
        for (unsigned mask = 0; mask < (1u << 13); ++mask) {
            int n = 0;
            for (std::size_t i = 0; i < 13; ++i) {
                const bool is_a = ((mask >> i) & 1u) != 0;
                ico.species[i] = is_a ? a : b;
                n += is_a ? 1 : 0;
            }
            lowest[static_cast<std::size_t>(n)] = std::min(lowest[static_cast<std::size_t>(n)], potential->energy(ico));
        }
        std::vector<CompositionEnergy> exhaustive;
        for (int n = 0; n <= 13; ++n) exhaustive.push_back({n, lowest[static_cast<std::size_t>(n)]});
        const ConvexHull exact = convex_hull(13, exhaustive, 1e-6);

        const HullInput input = read_hull_input({(work / "out").string()});
        ASSERT_EQ(input.elements, (std::vector<Species>{a, b}));
        const ConvexHull found = hull_of(input, 1e-6);
        ASSERT_EQ(found.rows.size(), exact.rows.size());
        for (std::size_t k = 0; k < exact.rows.size(); ++k) {
            SCOPED_TRACE(k);
            EXPECT_EQ(found.rows[k].n, exact.rows[k].n);
            EXPECT_NEAR(found.rows[k].energy, exact.rows[k].energy, 1e-9);
            EXPECT_NEAR(found.rows[k].excess_energy, exact.rows[k].excess_energy, 1e-9);
            EXPECT_EQ(found.rows[k].on_hull, exact.rows[k].on_hull);
            EXPECT_EQ(found.rows[k].vertex, exact.rows[k].vertex);
        }
        // The files say the same: hull.csv has a row per composition, hull.xyz the hull's structures.
        const std::string csv = read_text(work / "out" / "hull.csv");
        EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 15);
        std::size_t on_hull = 0;
        for (const auto& r : exact.rows) on_hull += r.on_hull ? 1 : 0;
        EXPECT_EQ(read_xyz((work / "out" / "hull.xyz").string()).size(), on_hull);
        const auto summary = nlohmann::json::parse(read_text(work / "out" / "summary.json"));
        EXPECT_EQ(summary.at("status"), "finished");
        EXPECT_EQ(summary.at("compositions").size(), 14u);
        long evaluations = 0;
        for (const auto& c : summary.at("compositions")) evaluations += c.at("reference_evaluations").get<long>();
        EXPECT_EQ(summary.at("reference_evaluations").get<long>(), evaluations);
        EXPECT_FALSE(read_text(work / "out" / "hull_history.csv").empty());
        fs::remove_all(work);
    }
}

// The files a sweep leaves that must not depend on threads or interruptions.
std::string results_of(const fs::path& out) {
    std::string text = read_text(out / "hull.csv") + read_text(out / "hull_history.csv");
    const auto summary = nlohmann::json::parse(read_text(out / "summary.json"));
    for (const auto& c : summary.at("compositions"))
        text += fmt::format("{} {} {} {}\n", c.at("formula").get<std::string>(), c.at("best_energy").dump(),
                            c.at("reference_evaluations").get<long>(), c.at("steps").get<long>());
    return text;
}

TEST(Sweep, ResultsDoNotDependOnTheThreadCountOrOnAnInterruption) {
    const System sys = systems().front();
    const auto potential = load_potential_spec(sys.spec, "");
    const fs::path work = work_directory("threads");
    // Each composition's walk starts from its neighbour's best: the seeds decide the results.
    const fs::path run = write_sweep(work, sys, *potential);
    const RunConfig one = load_run_config(run.string(), output_to(work / "one"));
    const RunConfig two = load_run_config(run.string(), output_to(work / "two"));
    const RunConfig cut = load_run_config(run.string(), output_to(work / "cut"));
    {
        SweepRunner s(one, RunDirectoryMode::fresh, 1);
        ASSERT_EQ(s.run(nullptr), "finished");
    }
    {
        SweepRunner s(two, RunDirectoryMode::fresh, 2);
        ASSERT_EQ(s.run(nullptr), "finished");
    }
    EXPECT_EQ(results_of(work / "one"), results_of(work / "two"));

    // Interrupted once the third wave's compositions have checkpoints, then resumed.
    std::atomic<bool> stop{false};
    std::atomic<bool> done{false};
    std::thread watcher([&] {
        const fs::path mark = work / "cut" / "compositions" / "Pd11Pt2" / "checkpoint" / "state.json";
        while (!done && !fs::exists(mark)) std::this_thread::sleep_for(std::chrono::microseconds(200));
        stop = true;
    });
    std::string first;
    {
        SweepRunner s(cut, RunDirectoryMode::fresh, 2);
        first = s.run(&stop);
    }
    done = true;
    watcher.join();
    if (first == "interrupted") {
        const auto summary = nlohmann::json::parse(read_text(work / "cut" / "summary.json"));
        EXPECT_EQ(summary.at("status"), "interrupted");
        EXPECT_LT(summary.at("compositions_finished").get<int>(), 14);
    }
    const RunConfig again = load_run_config(run.string(), output_to(work / "cut"));
    {
        SweepRunner s(again, RunDirectoryMode::resume, 2);
        ASSERT_EQ(s.run(nullptr), "finished");
    }
    EXPECT_EQ(results_of(work / "cut"), results_of(work / "one"));

    // A resume refuses another sweep's checkpoint, naming what differs.
    {
        std::string text = read_text(run);
        text.replace(text.find("compositions = \"all\""), 20, "compositions = [0, 4, 13]");
        std::ofstream(work / "other.toml") << text;
    }
    const RunConfig other = load_run_config((work / "other.toml").string(), output_to(work / "cut"));
    try {
        SweepRunner s(other, RunDirectoryMode::resume, 2);
        FAIL() << "resumed another sweep";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("compositions"), std::string::npos) << e.what();
    }
    EXPECT_THROW(SweepRunner(one, RunDirectoryMode::fresh, 1), InputError);  // a sweep is there
    fs::remove_all(work);
}

// With screening, each composition's model starts from the training points of the composition
// that seeds it (share_training): exactly the last share_training points of that one's pool,
// the same on any number of threads and after an interruption; share_training = 0 shares none.
TEST(Sweep, SharedTraining_FollowsTheSeedChainReproducibly) {
    const System sys = systems().back();  // EMT Pt-Au
    const auto potential = load_potential_spec(sys.spec, "");
    const fs::path work = work_directory("share");
    const auto sweep_file = [&](long share) {
        return write_sweep(work, sys, *potential,
                           fmt::format("polish_passes = 0\n"
                                       "share_training = {}\n[surrogate]\ntype = \"mapped\"\n[screening]\n"
                                       "initial_design = 4\n",
                                       share));
    };
    RunOverrides o = output_to(work / "one");
    o.max_steps = 10;
    const fs::path run = sweep_file(8);
    const RunConfig one = load_run_config(run.string(), o);
    {
        SweepRunner s(one, RunDirectoryMode::fresh, 1);
        ASSERT_EQ(s.run(nullptr), "finished");
    }
    const auto composition = [&](const fs::path& out, const std::string& formula) {
        return nlohmann::json::parse(read_text(out / "compositions" / formula / "summary.json"));
    };
    // The chains from both ends (formulas in alphabetical order).
    const std::vector<std::vector<std::string>> chains = {{"Au13", "Au12Pt", "Au11Pt2", "Au10Pt3", "Au9Pt4"},
                                                          {"Pt13", "AuPt12", "Au2Pt11", "Au3Pt10", "Au4Pt9"}};
    for (const auto& chain : chains) {
        EXPECT_EQ(composition(work / "one", chain[0]).at("training_inherited").get<long>(), 0);
        for (std::size_t k = 1; k < chain.size(); ++k) {
            SCOPED_TRACE(chain[k]);
            const long source_pool = composition(work / "one", chain[k - 1]).at("training_pool_size").get<long>();
            const auto mine = composition(work / "one", chain[k]);
            EXPECT_EQ(mine.at("training_inherited").get<long>(), std::min(8L, source_pool));
            // Its pool: what it inherited, then one reference point per block.
            EXPECT_EQ(mine.at("training_pool_size").get<long>(),
                      mine.at("training_inherited").get<long>() + mine.at("verified_candidates").get<long>());
        }
    }
    EXPECT_EQ(composition(work / "one", "Au9Pt4").at("training_inherited").get<long>(), 8);

    // Two threads, and an interruption once a middle composition has a checkpoint: the same.
    o.output = (work / "cut").string();
    const RunConfig cut = load_run_config(run.string(), o);
    std::atomic<bool> stop{false}, done{false};
    std::thread watcher([&] {
        const fs::path mark = work / "cut" / "compositions" / "Au11Pt2" / "checkpoint" / "state.json";
        while (!done && !fs::exists(mark)) std::this_thread::sleep_for(std::chrono::microseconds(200));
        stop = true;
    });
    {
        SweepRunner s(cut, RunDirectoryMode::fresh, 2);
        (void)s.run(&stop);
    }
    done = true;
    watcher.join();
    {
        const RunConfig again = load_run_config(run.string(), o);  // SweepRunner keeps a reference
        SweepRunner s(again, RunDirectoryMode::resume, 2);
        ASSERT_EQ(s.run(nullptr), "finished");
    }
    EXPECT_EQ(results_of(work / "cut"), results_of(work / "one"));
    for (const auto& chain : chains)
        for (const auto& formula : chain)
            EXPECT_EQ(composition(work / "cut", formula).at("training_inherited"),
                      composition(work / "one", formula).at("training_inherited"))
                << formula;

    // share_training is part of the sweep's identity; 0 shares nothing.
    const fs::path none = sweep_file(0);
    o.output = (work / "cut").string();
    const RunConfig other = load_run_config(none.string(), o);
    EXPECT_THROW(SweepRunner(other, RunDirectoryMode::resume, 1), InputError);
    o.output = (work / "none").string();
    const RunConfig unshared = load_run_config(none.string(), o);
    {
        SweepRunner s(unshared, RunDirectoryMode::fresh, 2);
        ASSERT_EQ(s.run(nullptr), "finished");
    }
    for (const auto& chain : chains)
        for (const auto& formula : chain)
            EXPECT_EQ(composition(work / "none", formula).at("training_inherited").get<long>(), 0) << formula;
    fs::remove_all(work);
}

// A weak search (two short blocks per composition, no seeds) leaves compositions above their
// lowest homotop; the neighbour polish carries better orderings across, the same on any number
// of threads, and every figure it reports is what it says.
TEST(Sweep, NeighbourPolish_ImprovesAWeakSweepHonestlyAndReproducibly) {
    const System sys = systems().back();  // EMT Pt-Au
    const auto potential = load_potential_spec(sys.spec, "");
    const fs::path work = work_directory("polish");
    fs::path run = write_sweep(work, sys, *potential, "seeds = 0\npolish_passes = 10\npolish_variants = 6\n");
    {
        std::string text = read_text(run);
        text.replace(text.find("max_steps = 300"), 15, "max_steps = 2  ");
        text.replace(text.find("sweeps_per_block = 2.0"), 22, "sweeps_per_block = 0.1");
        std::ofstream(run) << text;
    }
    std::string first;
    for (const int threads : {1, 2}) {
        const fs::path out = work / fmt::format("j{}", threads);
        const RunConfig config = load_run_config(run.string(), output_to(out));
        SweepRunner sweep(config, RunDirectoryMode::fresh, threads);
        ASSERT_EQ(sweep.run(nullptr), "finished");
        const std::string results = results_of(out);
        if (first.empty()) first = results;
        EXPECT_EQ(results, first) << "threads " << threads;
    }
    // Interrupted once a polish pass has written its first improvement, then resumed: the same.
    {
        std::atomic<bool> stop{false}, done{false};
        const fs::path cut = work / "cut";
        std::thread watcher([&] {
            const auto polished = [&] {
                std::error_code ec;
                for (const auto& e : fs::directory_iterator(cut / "compositions", ec))
                    if (fs::exists(e.path() / "polish.xyz")) return true;
                return false;
            };
            while (!done && !polished()) std::this_thread::sleep_for(std::chrono::microseconds(100));
            stop = true;
        });
        const RunConfig config = load_run_config(run.string(), output_to(cut));
        std::string status;
        {
            SweepRunner sweep(config, RunDirectoryMode::fresh, 2);
            status = sweep.run(&stop);
        }
        done = true;
        watcher.join();
        // (Under a heavy load the watcher may see the file only after the last pass.)
        if (status == "interrupted") {
            const auto partial = nlohmann::json::parse(read_text(cut / "summary.json"));
            EXPECT_EQ(partial.at("status"), "interrupted");
            EXPECT_LT(partial.at("polish_passes").get<int>(), 6);
        } else {
            EXPECT_EQ(status, "finished");
        }
        const RunConfig again = load_run_config(run.string(), output_to(cut));
        SweepRunner sweep(again, RunDirectoryMode::resume, 1);
        ASSERT_EQ(sweep.run(nullptr), "finished");
        EXPECT_EQ(results_of(cut), first);
    }
    const fs::path out = work / "j1";
    const auto summary = nlohmann::json::parse(read_text(out / "summary.json"));
    int improved = 0;
    long search = 0, polish = 0;
    for (const auto& c : summary.at("compositions")) {
        const double best = c.at("best_energy").get<double>(), searched = c.at("search_best_energy").get<double>();
        EXPECT_LE(best, searched);
        search += c.at("reference_evaluations").get<long>() - c.at("polish_evaluations").get<long>();
        polish += c.at("polish_evaluations").get<long>();
        if (c.at("polish").is_null()) continue;
        ++improved;
        EXPECT_LT(best, searched);
        // The polished structure is what it claims: its energy, its composition, the geometry kept.
        const auto frames = read_xyz((out / "compositions" / c.at("formula").get<std::string>() / "polish.xyz").string());
        ASSERT_EQ(frames.size(), 1u);
        EXPECT_NEAR(potential->energy(frames[0].cluster), best, 1e-9);
        EXPECT_EQ(frames[0].cluster.formula(), c.at("formula").get<std::string>());
    }
    EXPECT_GE(improved, 1);
    EXPECT_GT(polish, 0);
    EXPECT_EQ(summary.at("polish_evaluations").get<long>(), polish);
    EXPECT_EQ(summary.at("reference_evaluations").get<long>(), search + polish);
    EXPECT_GE(summary.at("polish_passes").get<int>(), 2);  // at least one improving pass, then one without
    // The hull files take the polished energies.
    const ConvexHull hull = hull_of(read_hull_input({out.string()}), 1e-6);
    for (const auto& c : summary.at("compositions")) {
        const int n = c.at("n").at(sys.a).get<int>();
        for (const auto& r : hull.rows) {
            if (r.n == n) {
                EXPECT_NEAR(r.energy, c.at("best_energy").get<double>(), 1e-9);
            }
        }
    }
    fs::remove_all(work);
}

TEST(Sweep, RunFileErrors_NameTheKey) {
    const fs::path work = work_directory("errors");
    const auto check = [&](const std::string& system, const std::string& sweep, const std::string& search,
                           const std::string& expected) {
        std::ofstream(work / "bad.toml") << fmt::format(
            "[system]\n{}\n[potential]\ntype = \"emt\"\n[search]\n{}\n[sweep]\n{}\n", system, search, sweep);
        try {
            (void)load_run_config((work / "bad.toml").string());
            ADD_FAILURE() << "accepted: " << sweep << " / " << system;
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
        }
    };
    const std::string ok = "elements = [\"Pt\", \"Au\"]\nsize = 13";
    check(ok, "compositions = [0, 14]", "", "outside 0..13");
    check(ok, "compositions = [1.5]", "", "whole numbers");
    check(ok, "compositions = { from = 0, to = 13, step = 0 }", "", "step");
    check(ok, "compositions = { from = 9, to = 3 }", "", "from");
    check(ok, "compositions = \"most\"", "", "\"all\"");
    check(ok, "compositoins = \"all\"", "", "compositions");
    check(ok, "", "target_energy = -40.0", "target_energy");
    check("elements = [\"Pt\", \"Au\"]\ncomposition = { Pt = 6, Au = 7 }", "", "", "size");
    check("elements = [\"Pt\"]\nsize = 13", "", "", "two elements");
    check("elements = [\"Pt\", \"Au\", \"Cu\"]\nsize = 13", "", "", "two elements");
    check("elements = [\"Pt\", \"Au\"]", "", "", "size");
    fs::remove_all(work);
}

TEST(Sweep, SpreadBatches_OnlyWhenTheWaveLeavesRanksIdleAndTheBatchesGainMoreThanTheWave) {
    // The model of docs/scale.md: a wave of W compositions on R ranks of T threads runs them one
    // after another, each batch of B calls over the ranks, only if W < R and
    // s = min(R T, B) / min(T, B) > W.
    const fs::path work = work_directory("spread");
    const auto config = [&](const std::string& search, const std::string& extra) {
        std::ofstream(work / "run.toml") << fmt::format(
            "[system]\nelements = [\"Pt\", \"Au\"]\nsize = 13\n[potential]\ntype = \"emt\"\n[search]\n{}\n{}\n"
            "[sweep]\ncompositions = \"all\"\n",
            search, extra);
        return load_run_config((work / "run.toml").string());
    };
    const RunConfig ga = config("driver = \"genetic_algorithm\"\noffspring = 8", "");  // B = 8
    EXPECT_FALSE(spread_batches(ga, 1, 1, 1));  // no MPI
    EXPECT_TRUE(spread_batches(ga, 2, 1, 1));   // s = 2 > 1
    EXPECT_FALSE(spread_batches(ga, 2, 1, 2));  // the wave fills the ranks
    EXPECT_TRUE(spread_batches(ga, 4, 1, 2));   // s = 4 > 2
    EXPECT_TRUE(spread_batches(ga, 16, 1, 7));  // s = 8 > 7
    EXPECT_FALSE(spread_batches(ga, 16, 1, 8));  // s = 8, not more than the wave
    EXPECT_FALSE(spread_batches(ga, 2, 8, 1));  // one rank's threads already take the batch
    EXPECT_TRUE(spread_batches(ga, 4, 2, 1));   // s = 8 / 2 = 4
    const RunConfig islands = config("driver = \"genetic_algorithm\"\noffspring = 4\nislands = 4", "");  // B = 16
    EXPECT_TRUE(spread_batches(islands, 16, 1, 15));
    const RunConfig walker = config("driver = \"basin_hopping\"", "");  // B = 1
    EXPECT_FALSE(spread_batches(walker, 8, 1, 1));
    const RunConfig walkers = config("driver = \"basin_hopping\"\nwalkers = 2\ntrials = 2", "");  // B = 4
    EXPECT_TRUE(spread_batches(walkers, 8, 1, 3));
    EXPECT_FALSE(spread_batches(walkers, 8, 1, 4));
    // Screening verifies `verify` of each batch with the reference: that is what the ranks share.
    const RunConfig screened =
        config("driver = \"genetic_algorithm\"\noffspring = 8",
               "[surrogate]\ntype = \"ridge\"\n[screening]\ncandidates = 24\nverify = 2");
    EXPECT_TRUE(spread_batches(screened, 4, 1, 1));
    EXPECT_FALSE(spread_batches(screened, 4, 1, 2));
    const RunConfig homotop = config("driver = \"homotop_mc\"", "");
    EXPECT_FALSE(spread_batches(homotop, 8, 1, 1));  // its Monte Carlo runs in the driver, on one rank
    fs::remove_all(work);
}

TEST(HullCommandInput, MergesRunDirectoriesAndRefusesMixedSizes) {
    const fs::path work = work_directory("merge");
    const auto best = [&](const std::string& dir, const std::vector<Species>& species, double energy) {
        fs::create_directories(work / dir);
        XyzFrame f;
        f.cluster = make_icosahedron(1, 2.8, 78);
        f.cluster.species = species;
        f.energy = energy;
        write_xyz((work / dir / "best.xyz").string(), {f});
    };
    std::vector<Species> pt(13, 78), au(13, 79), mixed(13, 78);
    for (std::size_t i = 0; i < 6; ++i) mixed[i] = 79;
    best("pt", pt, -70.0);
    best("au", au, -40.0);
    best("mix", mixed, -58.0);
    best("mix_worse", mixed, -57.0);
    const HullInput in = read_hull_input({(work / "pt").string(), (work / "au").string(), (work / "mix").string(),
                                          (work / "mix_worse").string()});
    ASSERT_EQ(in.bests.size(), 3u);  // the lower of the two Pt7Au6
    const ConvexHull hull = hull_of(in);
    // Elements ascending by Z (Pt, Au) without a sweep summary: n counts Pt.
    ASSERT_EQ(hull.rows.size(), 3u);
    EXPECT_EQ(hull.rows[1].n, 7);
    EXPECT_NEAR(hull.rows[1].excess_energy, -58.0 - 7.0 / 13 * -70.0 - 6.0 / 13 * -40.0, 1e-12);
    EXPECT_THROW((void)hull_of(read_hull_input({(work / "pt").string(), (work / "mix").string()})), InputError);
    fs::create_directories(work / "big");
    XyzFrame f;
    f.cluster = make_icosahedron(2, 2.8, 78);
    f.energy = -100.0;
    write_xyz((work / "big" / "best.xyz").string(), {f});
    EXPECT_THROW((void)read_hull_input({(work / "pt").string(), (work / "big").string()}), InputError);
    EXPECT_THROW((void)read_hull_input({(work / "nothing").string()}), InputError);
    fs::remove_all(work);
}

}  // namespace
}  // namespace nanoscape
