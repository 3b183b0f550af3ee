#include "nanoscape/surrogate/surrogate_potential.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "nanoscape/core/elements.hpp"

namespace nanoscape {

SurrogatePotential::SurrogatePotential(std::shared_ptr<const Surrogate> model, std::string source,
                                       std::map<std::pair<Species, Species>, double> pair_distances)
    : model_(std::move(model)), source_(std::move(source)), pair_distances_(std::move(pair_distances)) {
    if (!model_ || !model_->ready()) throw Error(fmt::format("the model {} is not trained", source_));
}

std::string SurrogatePotential::description() const {
    return fmt::format("surrogate {} from {} ({} training structures)", model_->type(), source_,
                       model_->training_size());
}

double SurrogatePotential::pair_distance(Species a, Species b) const {
    const auto key = a <= b ? std::pair{a, b} : std::pair{b, a};
    if (const auto it = pair_distances_.find(key); it != pair_distances_.end()) return it->second;
    return element(a).covalent_radius + element(b).covalent_radius;
}

double SurrogatePotential::compute(const Cluster& cluster, Eigen::Matrix3Xd* forces, Eigen::VectorXd* atom_energies) const {
    const Prediction p = model_->predict(cluster, forces, nullptr);
    if (atom_energies)
        *atom_energies = Eigen::VectorXd::Constant(static_cast<Eigen::Index>(cluster.size()),
                                                   p.energy / static_cast<double>(std::max<std::size_t>(cluster.size(), 1)));
    return p.energy;
}

}  // namespace nanoscape
