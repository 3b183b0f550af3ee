#include "nanoscape/search/problem.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include "nanoscape/geometry/builders.hpp"
#include "nanoscape/geometry/motifs.hpp"

namespace nanoscape {

std::string SearchProblem::formula() const {
    return species_only(species).formula();
}

std::uint64_t SearchProblem::composition_key() const {
    std::map<Species, std::uint64_t> counts;
    for (const Species z : species) ++counts[z];
    // SplitMix64 chained over (Z, count) in order of Z: equal compositions give equal keys.
    std::uint64_t key = 0x9E3779B97F4A7C15ULL;
    for (const auto& [z, n] : counts) key = splitmix64(key ^ ((static_cast<std::uint64_t>(z) << 40) | n));
    return key;
}

Rng SearchProblem::stream(std::string_view purpose, std::uint64_t index, std::uint64_t round) const {
    // Replica 0 keeps the key of a run without replicas, so replicas = 1 is the plain run.
    const std::uint64_t key = replica == 0 ? composition_key() : splitmix64(composition_key() ^ splitmix64(replica));
    return make_stream(seed, StreamKey{purpose, key, index, round});
}

double SearchProblem::bond_length() const { return largest_pair_distance(species, *potential); }

Cluster SearchProblem::start_structure(std::uint64_t index, Rng& rng) const {
    if (!start.structures.empty()) {
        Cluster c = start.structures[index % start.structures.size()];
        std::vector<Species> mine = species, theirs = c.species;
        std::sort(mine.begin(), mine.end());
        std::sort(theirs.begin(), theirs.end());
        if (start.reassign_species && mine != theirs) {
            shuffle(std::span<Species>(mine), rng);
            c.species = std::move(mine);
        }
        return c;
    }
    if (start.kind != "random") {
        BuildRequest request;
        request.motif = parse_motif(start.kind);
        request.size = static_cast<int>(species.size());
        for (const Species z : start.element_order) {
            const auto n = std::count(species.begin(), species.end(), z);
            if (n > 0) request.composition.emplace_back(z, static_cast<int>(n));
        }
        request.ordering = start.core_shell ? Ordering::core_shell : Ordering::random;
        return build_cluster(request, [&](Species a, Species b) { return potential->pair_distance(a, b); }, rng);
    }
    return random_structure(rng);
}

Cluster SearchProblem::initial_structure(std::uint64_t index, Rng& rng) const {
    if (index < start.seeds.size()) return start.seeds[index];
    return start_structure(index, rng);
}

Cluster SearchProblem::random_structure(Rng& rng) const {
    // Species in random order (Fisher-Yates on our own stream), then a compact random cluster.
    std::vector<Species> order = species;
    shuffle(std::span<Species>(order), rng);
    const double d = largest_pair_distance(order, *potential);
    return make_random_cluster(order, 0.85 * d, 1.25 * d, rng);
}

}  // namespace nanoscape
