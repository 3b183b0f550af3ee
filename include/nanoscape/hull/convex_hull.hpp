#pragma once
/// @file Excess energies of a binary nanoalloy and their lower convex hull.
///
///     Delta(A_(N-n) B_n) = E(A_(N-n) B_n) - ((N-n)/N) E(A_N) - (n/N) E(B_N)
///
/// with E(A_N), E(B_N) the energies of the pure N-atom clusters (Ferrando, Jellinek &
/// Johnston, Chem. Rev. 108, 845 (2008)). The lower convex hull of Delta against n marks the
/// compositions stable against separating into their neighbours on the hull. The hull is exact:
/// Andrew's monotone chain over the integer n, so ties in n keep the lowest energy and
/// collinear points lie on the hull (distance 0) without being corners.
/// Depends on core only.

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

namespace nanoscape {

/// One composition: n atoms of B out of N, and the best energy found (eV).
struct CompositionEnergy {
    int n = 0;             ///< atoms of the second element B (0..N)
    double energy = 0.0;   ///< eV
};

/// One composition on or above the hull.
struct HullRow {
    int n = 0;                       ///< atoms of B
    double x = 0.0;                  ///< n / N
    double energy = 0.0;             ///< eV
    double excess_energy = 0.0;      ///< Delta, eV
    double distance_to_hull = 0.0;   ///< Delta minus the hull at n, eV (>= 0)
    bool on_hull = false;            ///< distance_to_hull <= the tolerance
    bool vertex = false;             ///< a corner of the hull (on_hull and not between two others)
};

/// The hull of a set of compositions of one size N.
struct ConvexHull {
    int size = 0;                 ///< N
    double reference_a = 0.0;     ///< E(A_N), eV
    double reference_b = 0.0;     ///< E(B_N), eV
    std::vector<HullRow> rows;    ///< one per distinct n (the lowest energy of each), by n
    /// The hull's value (eV of excess energy) at n, interpolated between its corners.
    [[nodiscard]] double at(double n) const;
    /// The corners, by n.
    [[nodiscard]] std::vector<HullRow> vertices() const;
};

/// Lower convex hull corners of the points (x[i], y[i]), as indices sorted by x: for equal x
/// the lowest y; points on a straight edge are not corners. Empty for no points.
[[nodiscard]] std::vector<std::size_t> lower_hull_vertices(std::span<const double> x, std::span<const double> y);

/// Excess energies and the hull of compositions of an N-atom cluster. Both pure compositions
/// (n = 0 and n = N) must be among `energies` (they are the references); several entries of one
/// n keep the lowest. `tolerance` (eV) decides on_hull. Throws InputError if a pure end is
/// missing or n is outside 0..N.
[[nodiscard]] ConvexHull convex_hull(int size, std::span<const CompositionEnergy> energies, double tolerance = 1e-9);

}  // namespace nanoscape
