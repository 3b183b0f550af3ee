#pragma once
// The accuracy benchmark data: Pt-Au 38 with EMT; random homotops of the truncated
// octahedron, perturbed homotops and relaxation snapshots (search/sampling.hpp).

#include <cmath>
#include <vector>

#include "nanoscape/search/sampling.hpp"
#include "nanoscape/surrogate/surrogate.hpp"
#include "support/surrogate_data.hpp"

namespace nanoscape::test {

/// `per_kind` homotops, perturbed homotops (up to 0.15 A) and relaxation snapshots of
/// Pt_{n_pt} Au_{38 - n_pt} truncated octahedra, labelled with EMT.
inline std::vector<Sample> ptau38_dataset(std::size_t per_kind, std::uint64_t seed, int n_pt = 19) {
    const auto emt = make_emt();
    BuildRequest request;
    request.motif = Motif::truncated_octahedron;
    request.size = 38;
    request.composition = {{78, n_pt}, {79, 38 - n_pt}};
    SamplingOptions options;
    options.counts.homotop = per_kind;
    options.counts.perturbed = per_kind;
    options.counts.relaxation = per_kind;
    options.perturbation = 0.15;
    options.seed = seed;
    std::vector<Sample> samples;
    for (auto& s : generate_samples(std::span<const BuildRequest>(&request, 1), *emt, options))
        samples.push_back(std::move(s.sample));
    return samples;
}

struct Accuracy {
    double mae_per_atom = 0;  // eV/atom
    double coverage1 = 0;
    double coverage2 = 0;
};

inline Accuracy accuracy(const Surrogate& model, const std::vector<Sample>& test) {
    Accuracy a;
    for (const auto& s : test) {
        const Prediction p = model.predict(s.cluster);
        const double err = std::abs(p.energy - s.energy);
        a.mae_per_atom += err / static_cast<double>(s.cluster.size());
        a.coverage1 += err <= p.sigma() ? 1 : 0;
        a.coverage2 += err <= 2 * p.sigma() ? 1 : 0;
    }
    const auto n = static_cast<double>(test.size());
    a.mae_per_atom /= n;
    a.coverage1 /= n;
    a.coverage2 /= n;
    return a;
}

}  // namespace nanoscape::test
