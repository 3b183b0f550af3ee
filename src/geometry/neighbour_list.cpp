#include "nanoscape/geometry/neighbour_list.hpp"

#include <algorithm>

namespace nanoscape {

CellGrid::CellGrid(const Eigen::Matrix3Xd& x, double cutoff) : cutoff2_(cutoff * cutoff) {
    const int n = static_cast<int>(x.cols());
    atoms_.resize(static_cast<std::size_t>(n));
    // Few atoms or no cutoff: one cell, i.e. the plain double loop over pairs.
    if (!std::isfinite(cutoff) || n < 64) {
        for (int i = 0; i < n; ++i) atoms_[i] = i;
        cell_start_ = {0, n};
        sorted_ = x;
        return;
    }
    const Eigen::Vector3d lo = x.rowwise().minCoeff();
    const Eigen::Vector3d extent = x.rowwise().maxCoeff() - lo;
    // Edge >= cutoff; grown while the grid would have more than ~2N cells (exploded clusters).
    double edge = cutoff;
    for (;;) {
        long cells = 1;
        for (int k = 0; k < 3; ++k) {
            dims_[k] = std::max(1L, static_cast<long>(std::floor(extent[k] / edge)) + 1);
            cells *= dims_[k];
        }
        if (cells <= 2L * n + 27) break;
        edge *= 1.5;
    }
    const long n_cells = dims_[0] * dims_[1] * dims_[2];
    // Counting sort of atoms by cell.
    std::vector<long> cell_of(static_cast<std::size_t>(n));
    cell_start_.assign(static_cast<std::size_t>(n_cells) + 1, 0);
    for (int i = 0; i < n; ++i) {
        std::array<long, 3> c{};
        for (int k = 0; k < 3; ++k)
            c[k] = std::min(dims_[k] - 1, static_cast<long>((x(k, i) - lo[k]) / edge));
        cell_of[i] = (c[2] * dims_[1] + c[1]) * dims_[0] + c[0];
        ++cell_start_[cell_of[i] + 1];
    }
    for (long c = 0; c < n_cells; ++c) cell_start_[c + 1] += cell_start_[c];
    std::vector<int> fill(cell_start_.begin(), cell_start_.end() - 1);
    for (int i = 0; i < n; ++i) atoms_[fill[cell_of[i]]++] = i;
    sorted_.resize(3, n);
    for (int slot = 0; slot < n; ++slot) sorted_.col(slot) = x.col(atoms_[slot]);
}

std::vector<NeighbourPair> build_half_neighbour_list(const Eigen::Matrix3Xd& positions, double cutoff) {
    std::vector<NeighbourPair> pairs;
    CellGrid(positions, cutoff).for_each_pair([&](int i, int j, const Eigen::Vector3d& d, double r) {
        pairs.push_back({i, j, r, d});
    });
    return pairs;
}

}  // namespace nanoscape
