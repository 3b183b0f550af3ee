#pragma once
/// @file Cluster: a finite (non-periodic) set of atoms.

#include <string>
#include <vector>

#include <Eigen/Core>

#include "nanoscape/core/elements.hpp"

namespace nanoscape {

/// Atomic positions (Angstrom; reduced units for Lennard-Jones) and species of a cluster.
struct Cluster {
    Eigen::Matrix3Xd positions;    ///< 3 x N, one column per atom, Angstrom
    std::vector<Species> species;  ///< N atomic numbers

    Cluster() = default;
    /// Throws InputError if the number of columns and species differ.
    Cluster(Eigen::Matrix3Xd positions, std::vector<Species> species);

    /// Number of atoms.
    [[nodiscard]] std::size_t size() const { return species.size(); }
    /// Distinct species, sorted by Z.
    [[nodiscard]] std::vector<Species> unique_species() const;
    /// Number of atoms of species z.
    [[nodiscard]] std::size_t count(Species z) const;
    /// Chemical formula with symbols in alphabetical order, e.g. "Ag27Cu7", "Pt13".
    [[nodiscard]] std::string formula() const;
    /// Mean position (Angstrom).
    [[nodiscard]] Eigen::Vector3d centroid() const;
    /// Translates the cluster so its centroid is at the origin.
    void center();
};

/// A cluster of `species` with every atom at the origin, for what needs only the species of a
/// Cluster (its formula, Potential::check_species, Move::applicable).
[[nodiscard]] Cluster species_only(const std::vector<Species>& species);

/// Distinct species of `species`, sorted by Z.
[[nodiscard]] std::vector<Species> unique_species(const std::vector<Species>& species);

/// Throws InputError if sizes disagree, a coordinate is not finite or the cluster is empty.
/// `what` names the source for the message (for example a file name).
void validate_cluster(const Cluster& cluster, const std::string& what);

/// Smallest interatomic distance and the pair (i, j) it belongs to; {inf, 0, 0} for N < 2.
struct ClosestPair {
    double distance;  ///< Angstrom
    std::size_t i;    ///< first atom
    std::size_t j;    ///< second atom
};
/// Closest pair of atoms (cell lists, linear in N).
[[nodiscard]] ClosestPair closest_pair(const Cluster& cluster);

}  // namespace nanoscape
