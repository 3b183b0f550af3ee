#include "nanoscape/hull/convex_hull.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <fmt/format.h>

#include "nanoscape/core/error.hpp"

namespace nanoscape {

std::vector<std::size_t> lower_hull_vertices(std::span<const double> x, std::span<const double> y) {
    std::vector<std::size_t> order(x.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] != x[b] ? x[a] < x[b] : y[a] < y[b]; });
    // For equal x only the lowest point can be on the lower hull.
    order.erase(std::unique(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] == x[b]; }),
                order.end());
    // Andrew's monotone chain, lower part: drop the last corner while it does not make a strict
    // left (counter-clockwise) turn, so collinear points are not corners.
    std::vector<std::size_t> hull;
    for (std::size_t p : order) {
        while (hull.size() >= 2) {
            const std::size_t a = hull[hull.size() - 2], b = hull.back();
            const double cross = (x[b] - x[a]) * (y[p] - y[a]) - (y[b] - y[a]) * (x[p] - x[a]);
            if (cross > 0.0) break;
            hull.pop_back();
        }
        hull.push_back(p);
    }
    return hull;
}

double ConvexHull::at(double n) const {
    const auto v = vertices();
    if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
    if (n <= v.front().n) return v.front().excess_energy;
    for (std::size_t k = 1; k < v.size(); ++k)
        if (n <= v[k].n) {
            const double t = (n - v[k - 1].n) / static_cast<double>(v[k].n - v[k - 1].n);
            return v[k - 1].excess_energy + t * (v[k].excess_energy - v[k - 1].excess_energy);
        }
    return v.back().excess_energy;
}

std::vector<HullRow> ConvexHull::vertices() const {
    std::vector<HullRow> out;
    for (const auto& r : rows)
        if (r.vertex) out.push_back(r);
    return out;
}

ConvexHull convex_hull(int size, std::span<const CompositionEnergy> energies, double tolerance) {
    if (size < 1) throw InputError(fmt::format("convex hull: the cluster size must be >= 1, got {}", size));
    // The lowest energy of each composition.
    std::vector<std::optional<double>> best(static_cast<std::size_t>(size) + 1);
    for (const auto& c : energies) {
        if (c.n < 0 || c.n > size)
            throw InputError(fmt::format("convex hull: composition n = {} is outside 0..{}", c.n, size));
        if (!std::isfinite(c.energy)) continue;
        auto& b = best[static_cast<std::size_t>(c.n)];
        if (!b || c.energy < *b) b = c.energy;
    }
    if (!best.front() || !best.back())
        throw InputError(fmt::format("convex hull: the pure clusters (n = 0 and n = {}) are the references and "
                                     "must both have an energy",
                                     size));
    ConvexHull hull;
    hull.size = size;
    hull.reference_a = *best.front();
    hull.reference_b = *best.back();
    std::vector<double> x, y;
    for (int n = 0; n <= size; ++n) {
        const auto& b = best[static_cast<std::size_t>(n)];
        if (!b) continue;
        HullRow r;
        r.n = n;
        r.x = static_cast<double>(n) / size;
        r.energy = *b;
        // Delta = E - ((N-n)/N) E_A - (n/N) E_B
        r.excess_energy = *b - (1.0 - r.x) * hull.reference_a - r.x * hull.reference_b;
        hull.rows.push_back(r);
        x.push_back(n);
        y.push_back(r.excess_energy);
    }
    for (std::size_t v : lower_hull_vertices(x, y)) hull.rows[v].vertex = true;
    for (auto& r : hull.rows) {
        r.distance_to_hull = std::max(0.0, r.excess_energy - hull.at(r.n));
        r.on_hull = r.vertex || r.distance_to_hull <= tolerance;
    }
    return hull;
}

}  // namespace nanoscape
