#pragma once
/// @file Starting structures of nanoalloy clusters: Mackay icosahedra, Ino and Marks decahedra,
/// octahedra, truncated octahedra and cuboctahedra (complete, or cut to any size), random compact
/// clusters, with species placed at random or as a core-shell.
///
/// Shapes and parametrisation (nearest-neighbour distance d; counts checked against ASE 3.22
/// `ase.cluster`, see tests/unit/test_motifs.cpp and tools/ase_motif_reference.py):
/// - icosahedron, K shells: 1 + sum_{k=1..K} (10 k^2 + 2) = 13, 55, 147, 309, 561, 923 atoms
///   (ASE `Icosahedron(s, K + 1)`). d is the mean of the radial and the in-shell spacing, which
///   differ by 5% (the strain of the Mackay motif).
/// - decahedron, K shells: the Ino decahedron with square (100) facets, ASE `Decahedron(s, K + 1,
///   K + 1, 0)`: 13, 55, 147, 309, 561 atoms. Any decahedron by shape (p, q, r) as in ASE
///   `Decahedron(s, p, q, r)`: p - 1 + r bonds from the five-fold axis to the (100) facets,
///   p + q - 1 + 2r atoms on the axis, Marks re-entrant notches of depth r at the twin planes
///   (LJ75 = (2, 2, 1); q = 1, r = 0 gives the regular decahedra 7, 23, 54, 105, ...). Five
///   fcc segments with the axis spacing exactly d; closing the 7.35 deg wedge gap stretches the
///   bonds across the twin planes' ring to 1.018 d (as in ASE).
/// - octahedron, K shells: regular fcc octahedron with K bonds (K + 1 atoms) along an edge,
///   ASE `Octahedron(s, K + 1, 0)`: 6, 19, 44, 85, 146, 231 atoms.
/// - truncated_octahedron, K shells: the regular truncated octahedron (all edges K + 1 atoms),
///   ASE `Octahedron(s, 3K + 1, K)`: 38 (the LJ38 global minimum), 201, 586, 1289 atoms. Any
///   truncation by shape (length, cutoff), ASE `Octahedron(s, length, cutoff)`: an octahedron
///   with `length` atoms per edge and `cutoff` (100) layers cut off every vertex, for example
///   (5, 1) = 79, (6, 2) = 116, (6, 1) = 140, (7, 2) = 201, (7, 1) = 225, (8, 2) = 314.
/// - cuboctahedron, K shells: ASE `Octahedron(s, 2K + 1, K)`: 13, 55, 147, 309, 561 atoms.
/// - random: no shells; a compact connected cluster of N atoms (see build_cluster).
/// fcc motifs (octahedra, truncated octahedra, cuboctahedra) are unstrained: every bond is d.
///
/// A request with `size` N (instead of shells) takes the smallest complete motif with at least
/// N atoms (for truncated octahedra: of all truncations (length, cutoff) with 1 <= cutoff <
/// (length - 1) / 2, so 38, 79, 116, 140, 201, 225, 260, 314, ...) and keeps the N sites closest
/// to its centre; ties in distance (a partly filled outer shell) are broken at random by the
/// Rng, so different seeds give different incomplete shells.

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "nanoscape/core/rng.hpp"
#include "nanoscape/geometry/cluster.hpp"

namespace nanoscape {

/// Structural motif of a starting cluster.
enum class Motif { icosahedron, decahedron, octahedron, truncated_octahedron, cuboctahedron, random };

/// How species are placed on the sites of a motif.
enum class Ordering {
    random,     ///< a uniformly random permutation of the species (from the Rng)
    core_shell  ///< sites sorted by distance from the centre; the first species fills the innermost
};

/// A composition: species and atom counts, in the order the user gave them (core-shell puts
/// the first species in the core, the next one around it, and so on).
using Composition = std::vector<std::pair<Species, int>>;

/// Nearest-neighbour distance (Angstrom) of a pair of species: a Potential's pair_distance or
/// default_pair_distance.
using PairDistance = std::function<double(Species, Species)>;

/// Largest cluster build_cluster makes (atoms): larger requests are an InputError.
inline constexpr std::int64_t max_build_atoms = 1'000'000;

/// What to build. Exactly one of `shells`, `size` and `shape` is given (> 0 / non-empty).
struct BuildRequest {
    Motif motif = Motif::icosahedron;  ///< the structural motif
    int shells = 0;                    ///< complete motif with this many shells (see file comment)
    int size = 0;                      ///< number of atoms: the `size` sites of a complete motif closest to its centre
    /// Explicit shape: {p, q, r} for a decahedron (ASE Decahedron), {length} for an octahedron,
    /// {length, cutoff} for a truncated octahedron (ASE Octahedron); other motifs take none.
    std::vector<int> shape;
    Composition composition;               ///< species and counts; the counts sum to the number of atoms
    Ordering ordering = Ordering::random;  ///< placement of the species on the sites
};

/// Builds the requested cluster, centred at the origin (centroid), atoms sorted by distance
/// from the centre. Geometric motifs are scaled to the nearest-neighbour distance
/// d = sum_{a,b} x_a x_b pair_distance(a, b) (Angstrom; x = atom fractions of the composition):
/// one d for the whole cluster, the starting point a relaxation refines. `random`: atoms are
/// added one at a time, each 1.0 d to 1.1 d from a randomly chosen earlier atom (so the cluster
/// is connected), at least 0.9 d from all others, inside a sphere holding 1.2 d^3 per atom
/// (compact; widened by 5% whenever placements keep failing). `rng` draws the random motif, the
/// tie breaks of `size` cuts and the random ordering: the same request, distances and Rng
/// state give the same cluster. Throws InputError for an inconsistent request (counts that do
/// not sum to the motif's size, shells with `random`, a bad shape, ...).
[[nodiscard]] Cluster build_cluster(const BuildRequest& request, const PairDistance& pair_distance, Rng& rng);

/// Number of atoms the request asks for: `size`, or the atom count of the complete motif given
/// by `shells` or `shape`. Throws InputError if not exactly one of them is given or they are
/// invalid for the motif, or the count exceeds max_build_atoms. Ignores the composition.
[[nodiscard]] std::int64_t requested_size(const BuildRequest& request);

/// The shape a request asks for, in words, for messages: "a 3-shell icosahedron", "a decahedron
/// (p, q, r) = (2, 2, 1)", "a 100-atom cut of a 147-atom cuboctahedron".
[[nodiscard]] std::string describe_request(const BuildRequest& request);

/// Atom count of the complete motif with `shells` shells (>= 1); see the file comment. Throws
/// InputError for `random` (it has no shells), shells < 1, or more than max_build_atoms atoms.
[[nodiscard]] std::int64_t motif_size(Motif motif, int shells);

/// Magic numbers of a motif up to `max_atoms`, ascending: the sizes the `size` cut chooses
/// from (for truncated octahedra every truncation, not only the K-shell ones). Empty for random.
[[nodiscard]] std::vector<std::int64_t> complete_sizes(Motif motif, std::int64_t max_atoms);

/// Sites (3 x N, units of the nearest-neighbour distance) of the complete K-shell motif,
/// centred at the origin. Throws InputError as motif_size.
[[nodiscard]] Eigen::Matrix3Xd motif_sites(Motif motif, int shells);

/// Sites of a decahedron as ASE's Decahedron(p, q, r) (p >= 1, q >= 1, r >= 0), nearest-
/// neighbour distance 1 along the five-fold axis (the z axis), centred at the origin.
[[nodiscard]] Eigen::Matrix3Xd decahedron_sites(int p, int q, int r);

/// Sites of an fcc octahedron with `length` atoms per edge and `cutoff` (100) layers removed at
/// each vertex, as ASE's Octahedron(length, cutoff) (length >= 1, 0 <= 2 cutoff <= length - 1);
/// nearest-neighbour distance 1, cube axes along x, y, z, centred at the origin.
[[nodiscard]] Eigen::Matrix3Xd octahedron_sites(int length, int cutoff);

/// Atom count of octahedron_sites(length, cutoff): (2 L^3 + L) / 3 - c (c + 1) (2 c + 1).
[[nodiscard]] std::int64_t octahedron_size(int length, int cutoff);

/// Default nearest-neighbour distance of a pair when no potential is given (Angstrom): the sum
/// of the covalent radii (Cordero et al. 2008), i.e. 2 r_cov for a like pair. For the fcc
/// transition metals this is within 6% of the bulk nearest-neighbour distance (Cu 2.64 vs
/// 2.56, Ag 2.90 vs 2.89, Au 2.72 vs 2.88, Pd 2.78 vs 2.75, Pt 2.72 vs 2.77, Ni 2.48 vs 2.49),
/// with no systematic bias, so no metallic scale factor is applied; Al and Pb are 18% short.
[[nodiscard]] double default_pair_distance(Species a, Species b);

/// Composition-weighted mean pair distance sum_{a,b} x_a x_b pair_distance(a, b) (Angstrom).
/// Throws InputError for an empty composition or a non-positive / non-finite distance.
[[nodiscard]] double mean_pair_distance(const Composition& composition, const PairDistance& pair_distance);

/// Parses a motif name ("icosahedron", "truncated-octahedron" = "truncated_octahedron", case
/// ignored). Throws InputError naming the closest valid name ("did you mean ...").
[[nodiscard]] Motif parse_motif(const std::string& name);
/// Canonical name of a motif ("truncated_octahedron").
[[nodiscard]] std::string to_string(Motif motif);
/// All motif names, in the order of the enum.
[[nodiscard]] std::vector<std::string> motif_names();

/// Parses "random" or "core-shell" (= "core_shell"). Throws InputError with "did you mean".
[[nodiscard]] Ordering parse_ordering(const std::string& name);
/// "random" or "core-shell".
[[nodiscard]] std::string to_string(Ordering ordering);

/// Parses "Pt=74,Au=73" (spaces allowed around items): element symbols with positive counts,
/// each species once. Throws InputError naming the bad item (unknown elements with the closest
/// symbol).
[[nodiscard]] Composition parse_composition(const std::string& text);
/// "Pt=74,Au=73".
[[nodiscard]] std::string to_string(const Composition& composition);
/// Total number of atoms of a composition.
[[nodiscard]] std::int64_t composition_size(const Composition& composition);

}  // namespace nanoscape
