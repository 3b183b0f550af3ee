#pragma once
// Every potential nanoscape ships, for the tests that must hold for all of them: each registry
// key with its default parameters, and each parameter file in inputs/potentials/ (every
// variant). A new potential or parameter file is picked up without touching the tests.

#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "nanoscape/core/rng.hpp"
#include "nanoscape/geometry/builders.hpp"
#include "nanoscape/io/potential_loader.hpp"
#include "nanoscape/io/toml_reader.hpp"
#include "nanoscape/potentials/registry.hpp"

namespace nanoscape::testing {

struct PotentialCase {
    std::string name;     // readable test-name suffix
    std::string spec;     // SPEC for load_potential_spec
    std::string variant;  // may be empty
};

// gtest prints parameters of failed tests with this.
inline void PrintTo(const PotentialCase& c, std::ostream* os) { *os << c.name; }

inline std::vector<PotentialCase> all_potential_cases() {
    std::vector<PotentialCase> cases;
    for (const auto& entry : potential_registry()) cases.push_back({"key_" + entry.key, entry.key, ""});
    const std::filesystem::path dir = std::filesystem::path(NANOSCAPE_SOURCE_DIR) / "inputs" / "potentials";
    std::vector<std::filesystem::path> files;
    for (const auto& f : std::filesystem::directory_iterator(dir))
        if (f.path().extension() == ".toml") files.push_back(f.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        const auto variants = read_toml_file(f.string()).get_string_array("variants");
        if (variants.empty()) cases.push_back({"file_" + f.stem().string(), f.string(), ""});
        for (const auto& v : variants) cases.push_back({"file_" + f.stem().string() + "_" + v, f.string(), v});
    }
    return cases;
}

// Species to test a potential with: up to two species whose pair is covered (a random
// two-species cluster exercises the cross terms); any element ("Cu") if it takes all.
inline std::vector<Species> test_species(const Potential& potential) {
    const auto supported = potential.supported_species();
    if (supported.empty()) return {species_from_symbol("Cu"), species_from_symbol("Ag")};
    for (Species a : supported)
        for (Species b : supported) {
            if (b <= a) continue;
            Cluster dimer(Eigen::Matrix3Xd::Zero(3, 2), {a, b});
            try {
                dimer.positions(0, 1) = potential.pair_distance(a, b);
                (void)potential.energy(dimer);
                return {a, b};
            } catch (const InputError&) {
            }
        }
    return {supported.front()};
}

// A compact random cluster of n atoms mixing `species`, spaced for the potential.
inline Cluster random_cluster_for(const Potential& potential, const std::vector<Species>& species, int n,
                                  std::uint64_t seed) {
    Rng rng = make_stream(seed, 0);
    std::vector<Species> z;
    for (int i = 0; i < n; ++i) z.push_back(species[static_cast<std::size_t>(rng.below(species.size()))]);
    const double d = largest_pair_distance(species, potential);
    return make_random_cluster(z, 0.85 * d, 1.25 * d, rng);
}

}  // namespace nanoscape::testing
