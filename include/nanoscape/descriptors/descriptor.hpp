#pragma once
/// @file The descriptor interface: a fixed-length, rotation-, translation- and
/// permutation-invariant feature vector per atom, with its analytic Jacobian.
///
/// A descriptor maps the environment of atom i (the atoms within cutoff() of it) to
/// G_i in R^F (F = size()). Models built on descriptors (surrogate/) predict a local energy
/// eps(G_i) and E = sum_i eps(G_i) (review, eq. 1). Forces and the gradient of the predicted
/// variance follow by the chain rule: dE/dx_j = sum_i (dG_i/dx_j)^T deps/dG_i, which
/// backpropagate() evaluates from the Jacobians a descriptor stores per centre atom.
///
/// Element resolution: a descriptor is built for a fixed, sorted list of species (those of
/// the system); features are resolved by neighbour species, so a cluster containing another
/// element is rejected with InputError. The centre atom's own species is not part of G_i:
/// models keep one local-energy function per centre species.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "nanoscape/core/parameters.hpp"
#include "nanoscape/core/registry.hpp"
#include "nanoscape/geometry/cluster.hpp"

namespace nanoscape {

/// dG_i/dx for one centre atom i: only atoms within the cutoff of i change G_i.
struct DescriptorJacobian {
    /// Atoms whose displacement changes G_i; atoms[0] is the centre i itself.
    std::vector<std::size_t> atoms;
    /// F x 3*atoms.size(): columns 3k, 3k+1, 3k+2 hold dG_i/dx, dG_i/dy, dG_i/dz of atom
    /// atoms[k] (feature units per Angstrom).
    Eigen::MatrixXd values;
};

/// Adds sum_i (dG_i/dx)^T weights.col(i) to `gradient` (3 x N, resized and zeroed if its size
/// differs from the cluster's): the gradient with respect to positions of any scalar L whose
/// derivative with respect to the features is dL/dG = weights (F x N).
void backpropagate(const std::vector<DescriptorJacobian>& jacobians, const Eigen::MatrixXd& weights,
                   Eigen::Matrix3Xd& gradient);

class Descriptor {
public:
    virtual ~Descriptor() = default;

    /// Registry key ("symmetry_functions", "soap", "nbody").
    [[nodiscard]] virtual std::string type() const = 0;
    /// One line for logs: key, size and main parameters.
    [[nodiscard]] virtual std::string description() const = 0;
    /// Radius of the atomic environment (Angstrom).
    [[nodiscard]] virtual double cutoff() const = 0;
    /// Species the features are resolved by, sorted by Z.
    [[nodiscard]] virtual const std::vector<Species>& species() const = 0;
    /// Number of features per atom, F.
    [[nodiscard]] virtual std::size_t size() const = 0;
    /// The resolved settings, defaults filled in, so that create_descriptor(settings(),
    /// species()) builds an identical descriptor (saved with models).
    [[nodiscard]] virtual ParameterTable settings() const = 0;

    /// Features of every atom: `features` is resized to F x N. If `jacobians` is given it is
    /// resized to N and receives dG_i/dx for each centre. Throws InputError if the cluster
    /// has a species outside species(). Thread-safe.
    virtual void compute(const Cluster& cluster, Eigen::MatrixXd& features,
                         std::vector<DescriptorJacobian>* jacobians) const = 0;
};

/// One registered descriptor.
struct DescriptorEntry {
    std::string key;      ///< value of `type` in a `descriptor = { ... }` table
    std::string summary;  ///< one line for docs and messages
    /// Builds the descriptor from its table (keys validated by the factory, defaults for
    /// every key) for the given species (sorted by Z, at least one).
    std::function<std::unique_ptr<Descriptor>(const ParameterTable&, const std::vector<Species>&)> create;
};

/// All registered descriptors, in registration order.
[[nodiscard]] const Registry<DescriptorEntry>& descriptor_registry();
/// Builds the descriptor described by `table` (its `type` selects the entry; `fallback_type`
/// is used when the table has no `type`). Throws InputError naming the closest key.
[[nodiscard]] std::unique_ptr<Descriptor> create_descriptor(const ParameterTable& table,
                                                            const std::vector<Species>& species,
                                                            const std::string& fallback_type);

}  // namespace nanoscape
