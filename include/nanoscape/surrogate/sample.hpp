#pragma once
/// @file A labelled structure: what the reference calculator said about a cluster.

#include <optional>
#include <vector>

#include <Eigen/Core>

#include "nanoscape/geometry/cluster.hpp"

namespace nanoscape {

/// A cluster with its reference energy and, optionally, forces.
struct Sample {
    Cluster cluster;                         ///< species and positions (Angstrom)
    double energy = 0.0;                     ///< reference total energy (eV)
    std::optional<Eigen::Matrix3Xd> forces;  ///< reference forces (eV/Angstrom), 3 x N
};

/// Distinct species over all samples, sorted by Z.
[[nodiscard]] std::vector<Species> unique_species(const std::vector<Sample>& samples);

}  // namespace nanoscape
