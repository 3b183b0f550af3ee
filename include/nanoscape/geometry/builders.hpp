#pragma once
/// @file Simple cluster builders: Mackay icosahedra, spherical fcc cuts, random compact clusters.

#include "nanoscape/core/rng.hpp"
#include "nanoscape/geometry/cluster.hpp"

namespace nanoscape {

/// Mackay icosahedron with `shells` shells around a central atom: 1, 13, 55, 147, 309, ...
/// (1 + sum_k (10 k^2 + 2)) atoms, all of species `z`. Shell k is an icosahedron of edge
/// k * d_t with d_t the in-shell spacing; radial spacing d_r = 0.951 d_t (the strain of the
/// Mackay motif). `nn_distance` (Angstrom) is the mean of d_r and d_t.
[[nodiscard]] Cluster make_icosahedron(int shells, double nn_distance, Species z);

/// All sites of an fcc lattice (cubic lattice constant `a`, Angstrom) within `radius` of a
/// lattice site placed at the origin, all of species `z`.
[[nodiscard]] Cluster make_fcc_sphere(double a, double radius, Species z);

/// A compact random cluster of `species.size()` atoms: atoms are added one by one inside a
/// sphere sized for a close-packed density, each at least `min_distance` (Angstrom) from all
/// others and within `max_bond` of some atom (so the cluster is connected).
[[nodiscard]] Cluster make_random_cluster(const std::vector<Species>& species, double min_distance,
                                          double max_bond, Rng& rng);

}  // namespace nanoscape
