#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "nanoscape/search/basin_hopping.hpp"
#include "nanoscape/search/driver.hpp"
#include "nanoscape/search/genetic_algorithm.hpp"
#include "nanoscape/search/homotop_mc.hpp"
#include "nanoscape/search/random_search.hpp"

namespace nanoscape {

nlohmann::json Driver::report() const { return nullptr; }

const Registry<DriverEntry>& driver_registry() {
    // One line per driver: key, summary, its own [search] keys, factory, example keys, the key
    // of its batch size. The first is the default.
    static const Registry<DriverEntry> registry("driver", "drivers", {
        {"basin_hopping", "Metropolis walk over local minima with adaptive moves (Wales & Doye 1997)",
         basin_hopping_keys(), make_basin_hopping, "walkers = 3\nreseed_after = 100\ntrials = 2", "trials"},
        {"genetic_algorithm", "steady-state GA: cut-and-splice crossover, mutations, duplicate control (Deaven & Ho 1995)",
         genetic_algorithm_keys(), make_genetic_algorithm,
         "population = 6\noffspring = 4\nislands = 2\nmigration_interval = 1\nmigration_count = 1", "offspring"},
        {"homotop_mc", "Metropolis swaps (or species changes) of the chemical ordering on a fixed motif, local energy updates, annealing, parallel tempering",
         homotop_mc_keys(), make_homotop_mc, "temperature = [300.0, 600.0]\nsweeps_per_block = 0.5", ""},
        {"random_search", "relax independent random (or motif) starting structures and keep the best: the baseline",
         random_search_keys(), make_random_search, "batch = 4", "batch"},
    });
    return registry;
}

const std::vector<std::string>& engine_search_keys() {
    static const std::vector<std::string> keys{"driver",          "max_steps",        "max_evaluations",
                                               "max_wall_time",   "target_energy",    "target_tolerance",
                                               "keep_minima",     "energy_tolerance", "fingerprint_tolerance",
                                               "replicas"};
    return keys;
}

std::unique_ptr<Driver> create_driver(const ParameterTable& search, const SearchProblem& problem) {
    const auto& registry = driver_registry();
    const std::string key = search.get_string("driver", registry.entries().front().key);
    const DriverEntry* entry = registry.find(key);
    if (!entry) throw search.error("driver", registry.unknown_message(key));
    std::vector<std::string> allowed = engine_search_keys();
    allowed.insert(allowed.end(), entry->keys.begin(), entry->keys.end());
    for (const auto& k : search.keys()) {
        if (std::find(allowed.begin(), allowed.end(), k) != allowed.end()) continue;
        // A key of another driver is a likely slip (a copied run file): say so.
        for (const auto& other : registry)
            if (std::find(other.keys.begin(), other.keys.end(), k) != other.keys.end())
                throw search.error(k, fmt::format("is a key of driver {}, not of {}", other.key, entry->key));
    }
    search.allow_only(allowed);
    return entry->create(search, problem);
}

}  // namespace nanoscape
