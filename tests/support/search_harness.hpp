#pragma once
// Runs searches in memory for the regression tests (no files written).

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "nanoscape/io/potential_loader.hpp"
#include "nanoscape/relax/relaxer.hpp"
#include "nanoscape/search/runner.hpp"

namespace nanoscape::testing {

class NullObserver final : public RunObserver {
public:
    void on_step(const StepRecord&, const SearchState&) override {}
    void on_checkpoint(const SearchState&) override {}
    void on_finish(const SearchState&) override {}
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

// Settings for a Lennard-Jones basin-hopping run of N atoms.
inline SearchSettings lj_settings(int n, std::uint64_t seed, long max_steps, int walkers = 2) {
    SearchSettings s;
    s.species.assign(static_cast<std::size_t>(n), species_from_symbol("Ar"));
    s.seed = seed;
    s.relax.fmax = 1e-4;
    s.stop.max_steps = max_steps;
    s.stop.target_energy = lj_global_minima().at(n);
    s.stop.target_tolerance = 2e-6;  // the table's rounding and tolerance
    s.basin_hopping.walkers = walkers;
    s.basin_hopping.temperature = 0.8;
    s.basin_hopping.step_size = 0.35 * std::pow(2.0, 1.0 / 6.0);
    s.basin_hopping.moves = {{"displacement", 0.9}, {"surface", 0.1}};
    return s;
}

inline SearchState run_in_memory(const SearchSettings& settings, const Potential& potential) {
    const auto relaxer = create_relaxer(ParameterTable("relax"));
    NullObserver observer;
    SearchState state;
    const SearchEnvironment env{settings, potential, *relaxer, 0};
    run_search(env, observer, state, false);
    return state;
}

}  // namespace nanoscape::testing
