#pragma once
// Labelled Pt-Au data for surrogate tests: perturbed truncated-octahedron homotops
// (search/sampling.hpp), labelled with EMT (the reference potential ASE also ships).

#include <memory>
#include <span>
#include <vector>

#include "nanoscape/geometry/motifs.hpp"
#include "nanoscape/potentials/registry.hpp"
#include "nanoscape/search/sampling.hpp"
#include "nanoscape/surrogate/sample.hpp"

namespace nanoscape::test {

inline std::unique_ptr<Potential> make_emt() {
    ParameterTable t("potential");
    t.set("type", ParameterValue::of("emt"));
    return create_potential(t);
}

/// A random homotop of Pt(n/2) Au(n - n/2) on the n sites of `motif` closest to its centre, at
/// the default pair distances; `make_stream(seed, n)` draws the ordering (benchmark probes).
inline Cluster ptau_homotop(Motif motif, int n, std::uint64_t seed) {
    BuildRequest request;
    request.motif = motif;
    request.size = n;
    request.composition = {{78, n / 2}, {79, n - n / 2}};
    Rng rng = make_stream(seed, static_cast<std::uint64_t>(n));
    return build_cluster(request, default_pair_distance, rng);
}

/// `count` samples of `size` Pt/Au atoms (n_pt Pt) on a truncated octahedron cut, random
/// homotops displaced by Gaussian noise of up to `amplitude` Angstrom; EMT energies and forces.
inline std::vector<Sample> make_ptau_samples(int count, std::uint64_t seed, int size = 38, int n_pt = 19,
                                             double amplitude = 0.15) {
    const auto emt = make_emt();
    BuildRequest request;
    request.motif = Motif::truncated_octahedron;
    request.size = size;
    request.composition = {{78, n_pt}, {79, size - n_pt}};
    SamplingOptions options;
    options.counts.perturbed = static_cast<std::size_t>(count);
    options.perturbation = amplitude;
    options.seed = seed;
    std::vector<Sample> samples;
    for (auto& s : generate_samples(std::span<const BuildRequest>(&request, 1), *emt, options))
        samples.push_back(std::move(s.sample));
    return samples;
}

}  // namespace nanoscape::test
