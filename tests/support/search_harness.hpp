#pragma once
// Runs searches in memory for the regression tests (no files written).

#include <algorithm>
#include <cmath>
#include <functional>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "nanoscape/io/potential_loader.hpp"
#include "nanoscape/io/toml_reader.hpp"
#include "nanoscape/relax/relaxer.hpp"
#include "nanoscape/search/driver.hpp"
#include "nanoscape/search/engine.hpp"
#include "nanoscape/search/screening.hpp"

namespace nanoscape::testing {

class NullObserver final : public RunObserver {
public:
    void on_row(const TraceRow&, const SearchEngine&) override {}
    void on_checkpoint(const SearchEngine&) override {}
    void on_finish(const SearchEngine&) override {}
    void on_error(const SearchEngine&, const std::string&) override {}
};

// Keeps every trace row and the driver's report.
class RowCollector final : public RunObserver {
public:
    void on_row(const TraceRow& row, const SearchEngine&) override { rows.push_back(row); }
    void on_checkpoint(const SearchEngine&) override {}
    void on_finish(const SearchEngine& engine) override { report = engine.driver().report(); }
    void on_error(const SearchEngine&, const std::string&) override {}
    std::vector<TraceRow> rows;
    nlohmann::json report;
};

// Cambridge Cluster Database LJ global minima (tests/data/lj_cambridge_gm.csv, a copy of
// shared/data/lj_cambridge_gm.csv), keyed by N.
inline const std::map<int, double>& lj_global_minima() {
    static const std::map<int, double> table = [] {
        std::map<int, double> t;
        std::ifstream in(std::string(NANOSCAPE_SOURCE_DIR) + "/tests/data/lj_cambridge_gm.csv");
        std::string line;
        while (std::getline(in, line)) {
            if (line.empty() || line[0] == '#' || line[0] == 'N') continue;
            std::istringstream row(line);
            std::string n, e;
            std::getline(row, n, ',');
            std::getline(row, e, ',');
            t[std::stoi(n)] = std::stod(e);
        }
        return t;
    }();
    return table;
}

// A [search] table from TOML text (the keys a run file would hold).
inline ParameterTable search_table(const std::string& toml) {
    return parse_toml("[search]\n" + toml, "test.toml").get_table("search");
}

// Everything one in-memory search needs.
struct SearchSetup {
    std::unique_ptr<Potential> potential;
    SearchProblem problem;
    EngineSettings engine;
    RelaxOptions relax;
    std::string search;  // [search] keys (TOML)
    // [surrogate] and [screening] keys (TOML): with a surrogate the search is screened.
    std::string surrogate, screening;
};

// What a search left.
struct SearchOutcome {
    SearchProgress progress;
    MinimaArchive archive;
    std::vector<TraceRow> rows;        // every trace row
    nlohmann::json report;             // Driver::report()
    std::vector<std::string> columns;  // Driver::trace_columns(), the names of TraceRow::extra
    nlohmann::json evaluator_report;   // Evaluator::report() (screening figures)

    // Index of the driver column `name` in TraceRow::extra (throws if there is none).
    [[nodiscard]] std::size_t column(const std::string& name) const {
        const auto it = std::find(columns.begin(), columns.end(), name);
        if (it == columns.end()) throw std::out_of_range("no trace column " + name);
        return static_cast<std::size_t>(it - columns.begin());
    }
};

inline SearchOutcome run_in_memory(const SearchSetup& setup, int threads = 0) {
    const auto relaxer = create_relaxer(ParameterTable("relax"));
    const auto driver = create_driver(search_table(setup.search), setup.problem);
    std::unique_ptr<Evaluator> evaluator =
        std::make_unique<LocalEvaluator>(*setup.problem.potential, *relaxer, setup.relax, threads);
    if (!setup.surrogate.empty()) {
        ScreeningSettings screening =
            read_screening_settings(parse_toml("[screening]\n" + setup.screening, "test.toml").get_table("screening"));
        screening.seed = setup.problem.seed;
        evaluator = make_screening_evaluator(std::move(evaluator),
                                             parse_toml("[surrogate]\n" + setup.surrogate, "test.toml").get_table("surrogate"),
                                             screening, unique_species(setup.problem.species), *setup.problem.potential,
                                             *relaxer, setup.relax, threads);
    }
    SearchEngine engine(setup.problem, setup.engine, *driver, *evaluator, nullptr);
    RowCollector observer;
    engine.run(observer);
    return {engine.progress(), engine.archive(), std::move(observer.rows), std::move(observer.report),
            driver->trace_columns(), evaluator->report()};
}

// A problem of `n` atoms of `species` on `potential`.
inline SearchSetup setup_for(std::unique_ptr<Potential> potential, std::vector<Species> species, std::uint64_t seed) {
    SearchSetup s;
    s.potential = std::move(potential);
    s.problem.species = std::move(species);
    s.problem.seed = seed;
    s.problem.potential = s.potential.get();
    return s;
}

// Basin hopping for LJ_N (inputs/lj38.toml's settings), stopped at the Cambridge energy.
inline SearchSetup lj_setup(int n, std::uint64_t seed, long max_steps, int walkers = 2) {
    SearchSetup s = setup_for(load_potential_spec("lj", ""),
                              std::vector<Species>(static_cast<std::size_t>(n), species_from_symbol("Ar")), seed);
    s.relax.fmax = 1e-4;
    s.engine.stop.max_steps = max_steps;
    s.engine.stop.target_energy = lj_global_minima().at(n);
    s.engine.stop.target_tolerance = 2e-6;  // the table's rounding and tolerance
    s.search = fmt::format("walkers = {}\ntemperature = 0.8\nstep_size = {}\nmoves = {{ displacement = 0.9, surface = 0.1 }}\n",
                           walkers, 0.35 * std::pow(2.0, 1.0 / 6.0));
    return s;
}

// Seeds 1..`seeds` of `setup(seed)`: how many reach the target, and the median relaxations to
// the first hit over those that do (one line per seed printed, prefixed by `label`).
struct SeedHits {
    int reached = 0;
    long median_relaxations = 0;
};

inline SeedHits seeds_to_target(const std::function<SearchSetup(std::uint64_t)>& setup, int seeds,
                                const std::string& label) {
    std::vector<long> relaxations;
    for (std::uint64_t seed = 1; seed <= static_cast<std::uint64_t>(seeds); ++seed) {
        const auto out = run_in_memory(setup(seed));
        if (out.progress.target_reached) relaxations.push_back(out.progress.relaxations_to_target);
        fmt::print("{} seed {:>2}: {}\n", label, seed,
                   out.progress.target_reached ? fmt::format("{} relaxations to the GM", out.progress.relaxations_to_target)
                                               : std::string("not reached"));
    }
    std::sort(relaxations.begin(), relaxations.end());
    return {static_cast<int>(relaxations.size()), relaxations.empty() ? 0 : relaxations[relaxations.size() / 2]};
}

// The genetic algorithm with its defaults for LJ_N (relaxation and stop as lj_setup).
inline SearchSetup lj_ga_setup(int n, std::uint64_t seed, long max_steps) {
    SearchSetup s = lj_setup(n, seed, max_steps);
    s.search = "driver = \"genetic_algorithm\"\n";
    return s;
}

}  // namespace nanoscape::testing
