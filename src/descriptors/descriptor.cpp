#include "nanoscape/descriptors/descriptor.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace nanoscape {

void backpropagate(const std::vector<DescriptorJacobian>& jacobians, const Eigen::MatrixXd& weights,
                   Eigen::Matrix3Xd& gradient) {
    const auto n = static_cast<Eigen::Index>(jacobians.size());
    if (gradient.cols() != n) gradient = Eigen::Matrix3Xd::Zero(3, n);
    for (Eigen::Index i = 0; i < n; ++i) {
        const auto& jac = jacobians[static_cast<std::size_t>(i)];
        // One GEMV per centre: the row vector w_i^T J_i holds the gradient of every atom in
        // the environment of i.
        const Eigen::RowVectorXd g = weights.col(i).transpose() * jac.values;
        for (std::size_t k = 0; k < jac.atoms.size(); ++k)
            gradient.col(static_cast<Eigen::Index>(jac.atoms[k])) +=
                g.segment(3 * static_cast<Eigen::Index>(k), 3).transpose();
    }
}

std::unique_ptr<Descriptor> create_descriptor(const ParameterTable& table, const std::vector<Species>& species,
                                              const std::string& fallback_type) {
    const std::string key = table.get_string("type", fallback_type);
    const auto* entry = descriptor_registry().find(key);
    if (!entry)
        throw InputError(table.where("type"), fmt::format("[{}] {}", table.name(), descriptor_registry().unknown_message(key)));
    if (species.empty()) throw InputError(table.where(), "a descriptor needs at least one species");
    return entry->create(table, species);
}

}  // namespace nanoscape
