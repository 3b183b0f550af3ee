#pragma once
/// @file Rigid rotations of clusters and the atom-to-atom match of two clusters of one geometry.

#include <optional>
#include <vector>

#include <Eigen/Core>

#include "nanoscape/core/rng.hpp"
#include "nanoscape/geometry/cluster.hpp"

namespace nanoscape {

/// A rotation matrix drawn uniformly from SO(3) (a uniform random unit quaternion, Shoemake,
/// Graphics Gems III (1992) p. 124). Three uniform draws from `rng`.
[[nodiscard]] Eigen::Matrix3d random_rotation(Rng& rng);

/// A point drawn uniformly in the unit ball (rejection from the cube [-1, 1]^3).
[[nodiscard]] Eigen::Vector3d random_in_unit_ball(Rng& rng);

/// A unit vector drawn uniformly on the sphere (random_in_unit_ball, normalised; points within
/// 1e-3 of the centre are drawn again).
[[nodiscard]] Eigen::Vector3d random_direction(Rng& rng);

/// Whether `b` is `a` rotated and its atoms renumbered, ignoring species: if so, match[i] is
/// the atom of b at atom i of a, every atom within `tolerance` (Angstrom) of its image after
/// the best rotation found; nullopt otherwise. Both clusters are compared about their
/// centroids; proper rotations only (a mirror image does not match unless it is also a
/// rotation). Method: the atom of a farthest from the centroid and the one most nearly
/// perpendicular to it fix a frame; every pair of atoms of b at the same radii and distance
/// (within `tolerance`) is tried as their image, and the first frame that maps every atom of a
/// onto a distinct atom of b wins. Cost O(k^2 N^2) for k atoms of b at those radii (symmetric
/// clusters); a mismatch usually fails at the first atoms tried.
[[nodiscard]] std::optional<std::vector<int>> match_geometry(const Cluster& a, const Cluster& b, double tolerance);

}  // namespace nanoscape
