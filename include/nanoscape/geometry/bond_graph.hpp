#pragma once
/// @file Bond graph of a cluster (Boost.Graph): which atoms are bonded, how many fragments.

#include <functional>
#include <vector>

#include "nanoscape/geometry/cluster.hpp"

namespace nanoscape {

/// Bond length criterion: atoms of species a and b are bonded when closer than this (Angstrom).
using BondCutoff = std::function<double(Species a, Species b)>;

/// Bonded pairs (i < j) of the cluster under `bond_cutoff`.
[[nodiscard]] std::vector<std::pair<int, int>> find_bonds(const Cluster& cluster,
                                                          const BondCutoff& bond_cutoff);

/// Connected component of every atom in the bond graph (0-based labels, in order of the
/// lowest atom index of each component).
[[nodiscard]] std::vector<int> fragment_labels(const Cluster& cluster,
                                               const BondCutoff& bond_cutoff);

/// Number of connected fragments (1 for an intact cluster).
[[nodiscard]] int count_fragments(const Cluster& cluster, const BondCutoff& bond_cutoff);

/// Default criterion: 1.3 x the sum of covalent radii (Cordero 2008), a common choice for metals.
[[nodiscard]] double covalent_bond_cutoff(Species a, Species b);

}  // namespace nanoscape
