#pragma once
// Labelled Pt-Au data for surrogate tests: truncated-octahedron homotops with Gaussian
// perturbations, labelled with EMT (the reference potential ASE also ships).

#include <memory>
#include <vector>

#include "nanoscape/core/rng.hpp"
#include "nanoscape/geometry/motifs.hpp"
#include "nanoscape/potentials/registry.hpp"
#include "nanoscape/surrogate/sample.hpp"

namespace nanoscape::test {

inline std::unique_ptr<Potential> make_emt() {
    ParameterTable t("potential");
    t.set("type", ParameterValue::of("emt"));
    return create_potential(t);
}

/// `count` samples of `size` Pt/Au atoms (n_pt Pt) on a truncated octahedron cut, random
/// homotops displaced by Gaussian noise of up to `amplitude` Angstrom; EMT energies and forces.
inline std::vector<Sample> make_ptau_samples(int count, std::uint64_t seed, int size = 38, int n_pt = 19,
                                             double amplitude = 0.15) {
    const auto emt = make_emt();
    std::vector<Sample> samples;
    for (int k = 0; k < count; ++k) {
        Rng rng = make_stream(seed, static_cast<std::uint64_t>(k));
        BuildRequest request;
        request.motif = Motif::truncated_octahedron;
        request.size = size;
        request.composition = {{78, n_pt}, {79, size - n_pt}};
        request.ordering = Ordering::random;
        Sample s;
        s.cluster = build_cluster(request, [&](Species a, Species b) { return emt->pair_distance(a, b); }, rng);
        const double a = amplitude * rng.uniform();
        for (Eigen::Index i = 0; i < s.cluster.positions.cols(); ++i)
            for (int d = 0; d < 3; ++d) s.cluster.positions(d, i) += a * rng.normal();
        Eigen::Matrix3Xd forces;
        s.energy = emt->energy_and_forces(s.cluster, forces);
        s.forces = forces;
        samples.push_back(std::move(s));
    }
    return samples;
}

}  // namespace nanoscape::test
