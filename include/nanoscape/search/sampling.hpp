#pragma once
/// @file Labelled data sets for training surrogates: structures of one composition and motif,
/// each labelled with the energy and forces of a reference Potential.
///
/// Four kinds of structure, all drawn from the motif of a BuildRequest (geometry/motifs.hpp):
/// - homotop: a random chemical ordering of the motif's ideal (unrelaxed) sites;
/// - perturbed: a random homotop with every atom displaced by a ~ N(0, a^2 I_3) truncated at
///   |delta| <= 3a, where the amplitude a (Angstrom) is drawn per structure uniformly from
///   [0, perturbation]: a data set spanning small and large distortions rather than one width;
/// - relaxation: snapshots along one local relaxation (Relaxer) that starts from a random homotop
///   perturbed with the full amplitude a = perturbation. Every structure the relaxer evaluates
///   is recorded; the `snapshots` frames kept are those whose energies are closest to
///   `snapshots` targets evenly spaced between the start's energy and the lowest energy reached
///   (so a trajectory contributes the whole energy range, not mostly near-converged frames);
/// - random: a random compact cluster (Motif::random, same composition) partially relaxed for
///   a number of relaxer steps drawn uniformly from 1..random_relax_steps (0: not relaxed), which
///   removes the worst contacts of a random packing but keeps it far from any minimum.
///
/// Determinism: structures are numbered g = 0, 1, ... over the requests in order and, within a
/// request, the kinds in the order homotop, perturbed, relaxation, random. Structure g draws its
/// random numbers from make_stream(seed, g); the snapshots of one relaxation share the stream of
/// its first snapshot. Work items run in parallel (OpenMP) and the result is identical for any
/// thread count.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "nanoscape/geometry/motifs.hpp"
#include "nanoscape/potentials/potential.hpp"
#include "nanoscape/relax/relaxer.hpp"
#include "nanoscape/surrogate/sample.hpp"

namespace nanoscape {

/// How a sampled structure was made (see the file comment).
enum class SampleKind { homotop, perturbed, relaxation, random };

/// "homotop", "perturbed", "relaxation", "random".
[[nodiscard]] std::string to_string(SampleKind kind);
/// Every kind name, in the order of the enum.
[[nodiscard]] std::vector<std::string> sample_kind_names();
/// Parses a kind name (case ignored). Throws InputError naming the closest valid name.
[[nodiscard]] SampleKind parse_sample_kind(const std::string& name);

/// Number of structures of each kind (per composition).
struct SampleCounts {
    std::size_t homotop = 0;     ///< random orderings of the ideal motif
    std::size_t perturbed = 0;   ///< random orderings with Gaussian displacements
    std::size_t relaxation = 0;  ///< snapshots along local relaxations
    std::size_t random = 0;      ///< partially relaxed random compact clusters

    /// The count of one kind (mutable).
    [[nodiscard]] std::size_t& at(SampleKind kind);
    /// The count of one kind.
    [[nodiscard]] std::size_t at(SampleKind kind) const;
    /// Sum over the kinds.
    [[nodiscard]] std::size_t total() const { return homotop + perturbed + relaxation + random; }
};

/// `total` structures split as evenly as possible over `kinds` (each at most once): every kind
/// gets total / k, and the first total % k kinds in the given order one more. Throws
/// InputError for an empty list or a kind given twice.
[[nodiscard]] SampleCounts split_count(std::size_t total, const std::vector<SampleKind>& kinds);

/// Settings of generate_samples.
struct SamplingOptions {
    SampleCounts counts;        ///< structures of each kind, for every request
    double perturbation = 0.1;  ///< largest displacement amplitude a (Angstrom, >= 0)
    int snapshots = 5;          ///< frames kept per relaxation trajectory (>= 1)
    int random_relax_steps = 20;  ///< random clusters: relaxer steps drawn from 1..this; 0 = unrelaxed
    std::string relaxer = "lbfgs";  ///< relaxer registry key for relaxation and random
    /// Relaxation settings; max_steps bounds a relaxation trajectory (the default 1000 is
    /// enough for perturbed motifs up to a few hundred atoms to reach fmax).
    RelaxOptions relax = [] {
        RelaxOptions o;
        o.max_steps = 1000;
        o.check_fragments = false;  // a data set does not care whether a snapshot is connected
        return o;
    }();
    std::uint64_t seed = 0;  ///< run seed of the random streams
    int threads = 0;         ///< OpenMP threads; <= 0: the OpenMP default
    /// Called (serialised, from worker threads) after each work item with the number of
    /// structures done and the total; may be empty; must not throw.
    std::function<void(std::size_t done, std::size_t total)> progress;
};

/// One labelled structure and how it was made.
struct SampledStructure {
    Sample sample;                          ///< cluster (Angstrom), energy (eV), forces (eV/Angstrom)
    SampleKind kind = SampleKind::homotop;  ///< how the structure was made
    std::size_t request = 0;                ///< index of the BuildRequest it belongs to
    std::uint64_t index = 0;                ///< global structure number g (see the file comment)
    std::uint64_t stream = 0;               ///< make_stream id it drew from (g, or the trajectory's first g)
    /// Standard deviation per Cartesian component of the displacement (Angstrom): drawn for
    /// perturbed, `perturbation` for the start of a relaxation, 0 otherwise.
    double amplitude = 0.0;
    /// relaxation: number of potential evaluations of the trajectory before this frame (0 =
    /// the start); random: relaxer steps taken; 0 otherwise.
    long relax_evaluations = 0;
};

/// Generates options.counts structures of each kind for every request and labels them with
/// `potential` (energy and forces). The requests give motif, size or shells or shape, and
/// composition; their `ordering` is ignored (orderings are always random). Output order: by
/// request, then kind (homotop, perturbed, relaxation, random), then structure number.
/// Throws InputError for invalid options, a request build_cluster rejects or a species the
/// potential has no parameters for (all checked before any work), and Error if the potential
/// returns a non-finite energy or force.
[[nodiscard]] std::vector<SampledStructure> generate_samples(std::span<const BuildRequest> requests,
                                                             const Potential& potential,
                                                             const SamplingOptions& options);

}  // namespace nanoscape
