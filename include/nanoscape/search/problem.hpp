#pragma once
/// @file What a search is about: the composition, the run seed, how starting structures are
/// made, and the reference potential's bond lengths. Shared read-only by the engine, every
/// driver and every move.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nanoscape/core/rng.hpp"
#include "nanoscape/geometry/cluster.hpp"
#include "nanoscape/potentials/potential.hpp"

namespace nanoscape {

/// How starting structures are made.
struct StartSettings {
    std::string kind = "random";         ///< "random", "file" or a motif name (geometry/motifs.hpp)
    std::string file;                    ///< for kind == "file": the extended-XYZ file
    std::vector<Cluster> structures;     ///< for kind == "file": its frames (used in turn)
    bool core_shell = false;             ///< motif starts: species fill the sites from the centre out
    std::vector<Species> element_order;  ///< order of the species for core_shell ([system] elements)
    /// Structures offered before the configured starts (a composition sweep's neighbours'
    /// best, with atoms changed to this composition): initial_structure(i) is seeds[i] for
    /// i < seeds.size(). Not part of a checkpoint's identity.
    std::vector<Cluster> seeds;
    /// A start file may hold another composition of the same size (a sweep reassigns species).
    bool reassign_species = false;
};

/// The system a search explores.
struct SearchProblem {
    std::vector<Species> species;          ///< the composition, one species per atom, sorted by Z
    std::uint64_t seed = 1;                ///< run seed: every random stream derives from it
    /// Replica of a run with `replicas` in [search] (io/replicas.hpp): its streams are keyed on
    /// it too, so replicas of one seed are independent searches; replica 0 is the plain run.
    std::uint64_t replica = 0;
    StartSettings start;                   ///< starting structures
    const Potential* potential = nullptr;  ///< the reference potential (bond lengths, defaults)
    /// One composition of a composition sweep: a driver given a composition it has nothing
    /// to search (homotop_mc on a pure cluster) evaluates its starting structures and stops
    /// instead of refusing the run.
    bool sweep = false;

    /// Chemical formula, e.g. "Ag27Cu7".
    [[nodiscard]] std::string formula() const;
    /// A number that identifies the composition (species and counts) in random-stream keys,
    /// so searches of different compositions of one sweep never share a stream.
    [[nodiscard]] std::uint64_t composition_key() const;
    /// The random stream of this run for `purpose`, walker / candidate `index` and `round`
    /// (make_stream with the composition, and the replica if not 0, in the key).
    [[nodiscard]] Rng stream(std::string_view purpose, std::uint64_t index, std::uint64_t round = 0) const;
    /// Largest pair distance of the composition on the reference potential (Angstrom).
    [[nodiscard]] double bond_length() const;
    /// A starting structure: frame `index` of start.structures (cycling), a motif cut to the
    /// composition (random or core-shell ordering), or a random compact cluster spaced by the
    /// potential's pair distances with the species in random order. Draws only from `rng`.
    /// With start.reassign_species, a frame of another composition gets this composition's
    /// species in random order.
    [[nodiscard]] Cluster start_structure(std::uint64_t index, Rng& rng) const;
    /// The first structure of walker / member `index`: start.seeds[index] if there is one,
    /// else start_structure(index, rng). Drivers call it for their initial candidates and
    /// start_structure for later restarts (a reseed must not return the same seed).
    [[nodiscard]] Cluster initial_structure(std::uint64_t index, Rng& rng) const;
    /// A random compact cluster of the composition, spaced by the potential's pair distances
    /// (0.85 to 1.25 of the largest), with the species in random order. Draws only from `rng`.
    [[nodiscard]] Cluster random_structure(Rng& rng) const;
};

}  // namespace nanoscape
