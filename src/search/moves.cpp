#include "nanoscape/search/moves.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nanoscape/core/error.hpp"
#include "nanoscape/geometry/neighbour_list.hpp"

namespace nanoscape {

namespace {

Eigen::Vector3d random_in_unit_sphere(Rng& rng) {
    for (;;) {
        const Eigen::Vector3d v(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1));
        if (v.squaredNorm() <= 1.0) return v;
    }
}

Eigen::Vector3d random_unit_vector(Rng& rng) {
    for (;;) {
        const Eigen::Vector3d v = random_in_unit_sphere(rng);
        const double n = v.norm();
        if (n > 1e-3) return v / n;
    }
}

}  // namespace

std::vector<int> coordination_numbers(const Cluster& cluster, const Potential& potential, double factor) {
    std::vector<int> cn(cluster.size(), 0);
    const double cutoff = factor * largest_pair_distance(cluster.species, potential);
    CellGrid(cluster.positions, cutoff).for_each_pair([&](int i, int j, const Eigen::Vector3d&, double r) {
        if (r < factor * potential.pair_distance(cluster.species[i], cluster.species[j])) {
            ++cn[i];
            ++cn[j];
        }
    });
    return cn;
}

void DisplacementMove::apply(Cluster& cluster, Rng& rng, const MoveContext& context) const {
    for (Eigen::Index i = 0; i < cluster.positions.cols(); ++i)
        cluster.positions.col(i) += context.step_size * random_in_unit_sphere(rng);
}

void SurfaceMove::apply(Cluster& cluster, Rng& rng, const MoveContext& context) const {
    const Potential& potential = *context.potential;
    const auto n = static_cast<int>(cluster.size());
    const int moved = 1 + static_cast<int>(rng.below(static_cast<std::uint64_t>(max_atoms_)));
    for (int m = 0; m < moved; ++m) {
        const auto cn = coordination_numbers(cluster, potential);
        // The least-coordinated atom (ties: a random one among them).
        const int lowest = *std::min_element(cn.begin(), cn.end());
        std::vector<int> candidates;
        for (int i = 0; i < n; ++i)
            if (cn[i] == lowest) candidates.push_back(i);
        const int atom = candidates[rng.below(candidates.size())];
        const Species z = cluster.species[atom];

        // Candidate sites: one bond length from a random surface atom (coordination below the
        // maximum), not closer than 0.85 bonds to anyone; keep the best-coordinated site.
        const int highest = *std::max_element(cn.begin(), cn.end());
        std::vector<int> surface;
        for (int i = 0; i < n; ++i)
            if (i != atom && cn[i] < highest) surface.push_back(i);
        if (surface.empty()) return;
        Eigen::Vector3d best_site = cluster.positions.col(atom);
        int best_neighbours = -1;
        for (int t = 0; t < trials_; ++t) {
            const int anchor = surface[rng.below(surface.size())];
            const double bond = potential.pair_distance(z, cluster.species[anchor]);
            const Eigen::Vector3d site = cluster.positions.col(anchor) + bond * random_unit_vector(rng);
            int neighbours = 0;
            bool clash = false;
            for (int j = 0; j < n && !clash; ++j) {
                if (j == atom) continue;
                const double b = potential.pair_distance(z, cluster.species[j]);
                const double r = (cluster.positions.col(j) - site).norm();
                if (r < 0.85 * b) clash = true;
                else if (r < 1.25 * b) ++neighbours;
            }
            if (!clash && neighbours > best_neighbours) {
                best_neighbours = neighbours;
                best_site = site;
            }
        }
        if (best_neighbours > lowest) cluster.positions.col(atom) = best_site;
    }
}

bool SwapMove::applicable(const Cluster& cluster) const { return cluster.unique_species().size() > 1; }

void SwapMove::apply(Cluster& cluster, Rng& rng, const MoveContext&) const {
    const auto n = cluster.size();
    if (!applicable(cluster)) return;
    const std::size_t i = rng.below(n);
    std::vector<std::size_t> others;
    for (std::size_t j = 0; j < n; ++j)
        if (cluster.species[j] != cluster.species[i]) others.push_back(j);
    const std::size_t j = others[rng.below(others.size())];
    std::swap(cluster.species[i], cluster.species[j]);
}

std::vector<std::string> move_names() { return {"displacement", "surface", "swap"}; }

std::unique_ptr<Move> create_move(const std::string& name) {
    if (name == "displacement") return std::make_unique<DisplacementMove>();
    if (name == "surface") return std::make_unique<SurfaceMove>();
    if (name == "swap") return std::make_unique<SwapMove>();
    throw InputError(fmt::format("unknown move '{}'{}; moves: {}", name, did_you_mean(name, move_names()),
                                 fmt::join(move_names(), ", ")));
}

}  // namespace nanoscape
