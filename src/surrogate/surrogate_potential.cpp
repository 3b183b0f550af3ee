#include "nanoscape/surrogate/surrogate_potential.hpp"

#include <fmt/format.h>

namespace nanoscape {

SurrogatePotential::SurrogatePotential(std::shared_ptr<const Surrogate> model, std::string source,
                                       PairDistances pair_distances)
    : model_(std::move(model)), source_(std::move(source)), pair_distances_(std::move(pair_distances)) {
    if (!model_ || !model_->ready()) throw Error(fmt::format("the model {} is not trained", source_));
}

std::string SurrogatePotential::description() const {
    return fmt::format("surrogate {} from {} ({} training structures)", model_->type(), source_,
                       model_->training_size());
}

double SurrogatePotential::pair_distance(Species a, Species b) const {
    return given_or_covalent_distance(pair_distances_, a, b);
}

double SurrogatePotential::compute(const Cluster& cluster, Eigen::Matrix3Xd* forces, Eigen::VectorXd* atom_energies) const {
    const Prediction p = model_->predict(cluster, forces, nullptr);
    if (atom_energies) *atom_energies = equal_partition(p.energy, cluster.size());
    return p.energy;
}

}  // namespace nanoscape
