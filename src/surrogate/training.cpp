#include "nanoscape/surrogate/training.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include <Eigen/Dense>
#include <fmt/format.h>

#include "nanoscape/core/error.hpp"
#include "nanoscape/core/parallel.hpp"

namespace nanoscape {

std::vector<Eigen::MatrixXd> compute_features(const Descriptor& descriptor, std::span<const Sample> samples) {
    std::vector<Eigen::MatrixXd> features(samples.size());
    // Each sample writes only its own slot, so the result is independent of the schedule.
    parallel_for(static_cast<std::int64_t>(samples.size()), ParallelOptions{0, 4, 2}, [&](std::int64_t s) {
        try {
            descriptor.compute(samples[static_cast<std::size_t>(s)].cluster, features[static_cast<std::size_t>(s)],
                               nullptr);
        } catch (const std::exception& e) {
            throw InputError(fmt::format("sample {}: {}", s + 1, e.what()));
        }
    });
    return features;
}

Eigen::VectorXd fit_element_energies(std::span<const Sample> samples, const std::vector<Species>& species) {
    const auto n = static_cast<Eigen::Index>(samples.size());
    const auto m = static_cast<Eigen::Index>(species.size());
    Eigen::MatrixXd counts = Eigen::MatrixXd::Zero(n, m);
    Eigen::VectorXd energies(n);
    for (Eigen::Index s = 0; s < n; ++s) {
        const auto& sample = samples[static_cast<std::size_t>(s)];
        for (Eigen::Index z = 0; z < m; ++z)
            counts(s, z) = static_cast<double>(sample.cluster.count(species[static_cast<std::size_t>(z)]));
        energies(s) = sample.energy;
    }
    // Normal equations with a relative ridge: exact enough for a handful of columns, and the
    // ridge picks the equal split when compositions do not vary.
    Eigen::MatrixXd a = counts.transpose() * counts;
    const double ridge = 1e-8 * std::max(a.diagonal().maxCoeff(), 1.0);
    a.diagonal().array() += ridge;
    return a.ldlt().solve(counts.transpose() * energies);
}

double element_energy_sum(const Cluster& cluster, const std::vector<Species>& species,
                          const Eigen::VectorXd& element_energies) {
    double sum = 0.0;
    for (std::size_t z = 0; z < species.size(); ++z)
        sum += static_cast<double>(cluster.count(species[z])) * element_energies(static_cast<Eigen::Index>(z));
    return sum;
}

void check_samples(std::span<const Sample> samples, const std::vector<Species>& species) {
    if (samples.empty()) throw InputError("no training structures");
    for (std::size_t s = 0; s < samples.size(); ++s) {
        const auto& sample = samples[s];
        if (!std::isfinite(sample.energy))
            throw InputError(fmt::format("training structure {}: energy is not finite", s + 1));
        if (sample.forces && sample.forces->cols() != static_cast<Eigen::Index>(sample.cluster.size()))
            throw InputError(fmt::format("training structure {}: {} force columns for {} atoms", s + 1,
                                         sample.forces->cols(), sample.cluster.size()));
        for (const Species z : sample.cluster.species)
            if (std::find(species.begin(), species.end(), z) == species.end())
                throw InputError(fmt::format("training structure {}: element {} is not one of the model's species",
                                             s + 1, symbol(z)));
    }
}

}  // namespace nanoscape
