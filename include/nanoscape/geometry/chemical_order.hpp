#pragma once
/// @file Chemical-ordering descriptors of a nanoalloy: nearest-neighbour bonds per element
/// pair, surface composition and the composition of each shell from the surface inward.
///
/// Nearest neighbours: atoms of species a and b closer than (1 + sqrt 2)/2 = 1.207 times their
/// pair distance d_ab (midway between the first and second fcc shells, so the strained shells
/// of icosahedra still count as bonded). Surface atoms: coordination <= 10 (a bulk or
/// subsurface site has 12; vertices, edges and facets of fcc, decahedral and icosahedral
/// clusters 6 to 9). Shells: 0 is the surface, shell k + 1 the atoms bonded to shell k and not
/// yet in a shell (breadth-first from the surface), so a Mackay icosahedron of 147 atoms gives
/// shells of 92, 42, 12 and 1 atoms. Atoms the search never reaches (an isolated fragment
/// without surface) are put in the last shell.

#include <functional>
#include <string>
#include <vector>

#include "nanoscape/geometry/cluster.hpp"

namespace nanoscape {

/// Ordering descriptors of one cluster, for a fixed list of elements.
struct ChemicalOrder {
    std::vector<Species> elements;          ///< the elements, in the order of every table below
    /// Nearest-neighbour bonds per unordered element pair (a <= b in element order):
    /// (0,0), (0,1), ..., (0,n-1), (1,1), ... ; bond_names() has their names.
    std::vector<long> bonds;
    std::vector<double> surface_fraction;   ///< per element: fraction of the surface sites it occupies
    std::vector<int> shell_size;            ///< atoms per shell, shell 0 = surface
    /// [shell][element]: fraction of the shell's sites the element occupies.
    std::vector<std::vector<double>> shell_fraction;

    /// "Ag_Ag", "Ag_Cu", "Cu_Cu": the names of `bonds`, in order.
    [[nodiscard]] std::vector<std::string> bond_names() const;
};

/// Descriptors of `cluster` (its species must be among `elements`); `pair_distance` gives d_ab
/// (Angstrom). Linear in N (cell lists).
[[nodiscard]] ChemicalOrder chemical_order(const Cluster& cluster, const std::vector<Species>& elements,
                                           const std::function<double(Species, Species)>& pair_distance);

/// Nearest-neighbour factor: bonded if r < bond_factor x d_ab.
inline constexpr double nearest_neighbour_factor = 1.2071067811865475;
/// Coordination at or below which an atom is a surface atom.
inline constexpr int surface_coordination = 10;

}  // namespace nanoscape
