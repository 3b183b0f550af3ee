#pragma once
/// @file Pair search in a finite cluster with cell lists (linear in N for compact clusters).

#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include <Eigen/Core>

namespace nanoscape {

/// Infinity, the "no cutoff" value.
inline constexpr double no_cutoff = std::numeric_limits<double>::infinity();

/// One unordered pair i < j closer than the cutoff, with d = x_j - x_i (Angstrom).
struct NeighbourPair {
    int i;              ///< first atom
    int j;              ///< second atom, j > i
    double r;           ///< |d|, Angstrom
    Eigen::Vector3d d;  ///< x_j - x_i, Angstrom
};

/// Atoms binned into cubic cells of edge >= cutoff, so a pair search visits only the 27
/// surrounding cells: O(N) for a compact cluster. The number of cells is capped near N, so a
/// sparse or exploded cluster cannot make the grid huge. With an infinite cutoff (or very few
/// atoms) the grid is a single cell and every pair is visited.
class CellGrid {
public:
    /// Bins `positions` (3 x N, Angstrom) for pairs closer than `cutoff`.
    CellGrid(const Eigen::Matrix3Xd& positions, double cutoff);

    /// Calls f(i, j, d, r) once for every pair i < j with r = |x_j - x_i| < cutoff,
    /// d = x_j - x_i, in an order fixed by the positions (so sums are reproducible).
    template <class F>
    void for_each_pair(F&& f) const;

private:
    double cutoff2_;
    std::array<long, 3> dims_{1, 1, 1};
    std::vector<int> cell_start_;  // slots of cell c: cell_start_[c] .. cell_start_[c+1]
    std::vector<int> atoms_;       // atom index of each slot
    // Positions copied in slot order: the pair loop then reads memory sequentially, which
    // matters once the cluster no longer fits in cache (10^5 atoms). Exact copies, so the
    // results do not depend on the layout.
    Eigen::Matrix3Xd sorted_;
};

/// All pairs closer than `cutoff` (Angstrom), each once (see CellGrid).
[[nodiscard]] std::vector<NeighbourPair> build_half_neighbour_list(
    const Eigen::Matrix3Xd& positions, double cutoff);

template <class F>
void CellGrid::for_each_pair(F&& f) const {
    const auto visit = [&](int p, int q) {  // slots
        const Eigen::Vector3d d = sorted_.col(q) - sorted_.col(p);
        const double r2 = d.squaredNorm();
        if (r2 >= cutoff2_) return;
        const int a = atoms_[p], b = atoms_[q];
        if (a < b)
            f(a, b, d, std::sqrt(r2));
        else
            f(b, a, Eigen::Vector3d(-d), std::sqrt(r2));
    };
    for (long cz = 0; cz < dims_[2]; ++cz)
        for (long cy = 0; cy < dims_[1]; ++cy)
            for (long cx = 0; cx < dims_[0]; ++cx) {
                const long home = (cz * dims_[1] + cy) * dims_[0] + cx;
                for (long dz = -1; dz <= 1; ++dz)
                    for (long dy = -1; dy <= 1; ++dy)
                        for (long dx = -1; dx <= 1; ++dx) {
                            const long nx = cx + dx, ny = cy + dy, nz = cz + dz;
                            if (nx < 0 || ny < 0 || nz < 0 || nx >= dims_[0] || ny >= dims_[1] ||
                                nz >= dims_[2])
                                continue;
                            const long other = (nz * dims_[1] + ny) * dims_[0] + nx;
                            if (other < home) continue;  // each pair of cells once
                            for (int p = cell_start_[home]; p < cell_start_[home + 1]; ++p) {
                                const int q0 = other == home ? p + 1 : cell_start_[other];
                                for (int q = q0; q < cell_start_[other + 1]; ++q) visit(p, q);
                            }
                        }
            }
}

}  // namespace nanoscape
