#include "nanoscape/search/crossover.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>

#include <fmt/format.h>

#include "nanoscape/core/error.hpp"
#include "nanoscape/geometry/alignment.hpp"
#include "nanoscape/geometry/neighbour_list.hpp"

namespace nanoscape {

void repair_composition(Cluster& cluster, const std::vector<Species>& target, const std::vector<double>& priority) {
    if (target.size() != cluster.size() || priority.size() != cluster.size())
        throw Error(fmt::format("repair_composition: {} atoms, {} target species, {} priorities", cluster.size(),
                                target.size(), priority.size()));
    // excess[z] > 0: too many atoms of z; < 0: too few.
    std::map<Species, long> excess;
    for (const Species z : cluster.species) ++excess[z];
    for (const Species z : target) --excess[z];
    std::vector<Species> missing;  // one entry per atom to create, in order of Z
    for (const auto& [z, e] : excess)
        for (long k = 0; k < -e; ++k) missing.push_back(z);
    if (missing.empty()) return;
    std::vector<std::size_t> order(cluster.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    // Stable: equal priorities keep atom order, so the repair is deterministic.
    std::stable_sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return priority[i] < priority[j]; });
    std::size_t next = 0;
    for (const std::size_t i : order) {
        if (next == missing.size()) break;
        long& e = excess[cluster.species[i]];
        if (e <= 0) continue;
        --e;
        cluster.species[i] = missing[next++];
    }
}

namespace {

// The parents about their centroids in random orientations: the cut plane(s) are then normal to z.
Eigen::Matrix3Xd rotated(const Cluster& c, Rng& rng) {
    const Eigen::Matrix3d r = random_rotation(rng);
    return r * (c.positions.colwise() - c.centroid());
}

// Smallest ratio r_ij / pair_distance over pairs with one atom from each parent, where it is
// below `limit`; infinity if no pair is (a pair below the limit is closer than limit x the
// largest pair distance, so a cell grid of that cutoff finds every one: linear in N).
double closest_approach(const Cluster& child, const std::vector<char>& from_a, const Potential& potential, double limit) {
    double lowest = std::numeric_limits<double>::infinity();
    if (!(limit > 0)) return lowest;
    const double cutoff = limit * largest_pair_distance(child.species, potential);
    CellGrid(child.positions, cutoff).for_each_pair([&](int i, int j, const Eigen::Vector3d&, double r) {
        if (from_a[static_cast<std::size_t>(i)] == from_a[static_cast<std::size_t>(j)]) return;
        lowest = std::min(lowest, r / potential.pair_distance(child.species[static_cast<std::size_t>(i)],
                                                              child.species[static_cast<std::size_t>(j)]));
    });
    return lowest;
}

}  // namespace

CutAndSplice::CutAndSplice(int planes, int attempts, double min_distance)
    : planes_(planes), attempts_(attempts), min_distance_(min_distance) {
    if (planes_ != 1 && planes_ != 2) throw Error(fmt::format("cut and splice with {} planes", planes_));
}

std::string CutAndSplice::describe() const {
    return fmt::format("{} (closest approach {} pair distances, {} orientations)", name(), min_distance_, attempts_);
}

Cluster CutAndSplice::apply(const Cluster& a, const Cluster& b, const std::vector<Species>& target, Rng& rng,
                            const MoveContext& context) const {
    const auto n = static_cast<Eigen::Index>(a.size());
    if (b.size() != a.size() || target.size() != a.size())
        throw Error(fmt::format("crossover of clusters of {} and {} atoms to {}", a.size(), b.size(), target.size()));
    const int planes = n < 3 ? 1 : planes_;
    Cluster best;
    double best_approach = -1.0;
    for (int attempt = 0; attempt < attempts_; ++attempt) {
        const Eigen::Matrix3Xd pa = rotated(a, rng);
        const Eigen::Matrix3Xd pb = rotated(b, rng);
        std::vector<Eigen::Index> ra(static_cast<std::size_t>(n));
        std::iota(ra.begin(), ra.end(), Eigen::Index{0});
        std::stable_sort(ra.begin(), ra.end(), [&](auto i, auto j) { return pa(2, i) < pa(2, j); });
        // Parent A's atoms by rank in z: [lo, hi) go to the child. One plane through the
        // centroid: the atoms above z = 0; two planes: a random slab of a quarter to three
        // quarters of the atoms, strictly inside.
        Eigen::Index lo = 0, hi = n;
        double z1 = -std::numeric_limits<double>::infinity(), z2 = 0.0;
        if (planes == 1) {
            lo = std::count_if(ra.begin(), ra.end(), [&](auto i) { return pa(2, i) <= 0.0; });
            lo = std::clamp<Eigen::Index>(lo, 1, n - 1);
            z2 = std::numeric_limits<double>::infinity();
            z1 = 0.5 * (pa(2, ra[static_cast<std::size_t>(lo - 1)]) + pa(2, ra[static_cast<std::size_t>(lo)]));
        } else {
            const Eigen::Index kmin = std::max<Eigen::Index>(1, n / 4), kmax = std::max(kmin, std::min(n - 2, 3 * n / 4));
            const auto k = kmin + static_cast<Eigen::Index>(rng.below(static_cast<std::uint64_t>(kmax - kmin + 1)));
            lo = 1 + static_cast<Eigen::Index>(rng.below(static_cast<std::uint64_t>(n - 1 - k)));
            hi = lo + k;
            z1 = 0.5 * (pa(2, ra[static_cast<std::size_t>(lo - 1)]) + pa(2, ra[static_cast<std::size_t>(lo)]));
            z2 = 0.5 * (pa(2, ra[static_cast<std::size_t>(hi - 1)]) + pa(2, ra[static_cast<std::size_t>(hi)]));
        }
        // Distance outside the slab [z1, z2] (negative inside): A gives the inside, B the
        // atoms farthest outside.
        const auto outside = [&](double z) { return std::max(z1 - z, z - z2); };
        std::vector<Eigen::Index> rb(static_cast<std::size_t>(n));
        std::iota(rb.begin(), rb.end(), Eigen::Index{0});
        std::stable_sort(rb.begin(), rb.end(), [&](auto i, auto j) { return outside(pb(2, i)) > outside(pb(2, j)); });
        Cluster child;
        child.positions.resize(3, n);
        child.species.resize(static_cast<std::size_t>(n));
        std::vector<char> from_a(static_cast<std::size_t>(n), 0);
        std::vector<double> priority(static_cast<std::size_t>(n));
        Eigen::Index m = 0;
        for (Eigen::Index r = lo; r < hi; ++r, ++m) {
            const auto i = ra[static_cast<std::size_t>(r)];
            child.positions.col(m) = pa.col(i);
            child.species[static_cast<std::size_t>(m)] = a.species[static_cast<std::size_t>(i)];
            from_a[static_cast<std::size_t>(m)] = 1;
            priority[static_cast<std::size_t>(m)] = -outside(pa(2, i));
        }
        for (std::size_t r = 0; m < n; ++r, ++m) {
            const auto j = rb[r];
            child.positions.col(m) = pb.col(j);
            child.species[static_cast<std::size_t>(m)] = b.species[static_cast<std::size_t>(j)];
            priority[static_cast<std::size_t>(m)] = outside(pb(2, j));
        }
        repair_composition(child, target, priority);
        const double approach =
            context.potential ? closest_approach(child, from_a, *context.potential, min_distance_) : 1.0;
        if (approach > best_approach) {
            best_approach = approach;
            best = std::move(child);
        }
        if (best_approach >= min_distance_) break;
    }
    best.center();
    return best;
}

Cluster homotop_crossover(const Cluster& a, const Cluster& b, const std::vector<int>& match,
                          const std::vector<Species>& target, Rng& rng) {
    const Eigen::Vector3d c = a.centroid();
    Cluster child = a;
    for (int attempt = 0; attempt < 8; ++attempt) {
        const Eigen::Vector3d normal = random_direction(rng);
        child = a;
        std::vector<double> priority(a.size());
        bool same_as_b = true;
        for (std::size_t i = 0; i < a.size(); ++i) {
            const double s = (a.positions.col(static_cast<Eigen::Index>(i)) - c).dot(normal);
            priority[i] = std::abs(s);
            if (s < 0) child.species[i] = b.species[static_cast<std::size_t>(match[i])];
        }
        repair_composition(child, target, priority);
        for (std::size_t i = 0; i < a.size() && same_as_b; ++i)
            same_as_b = child.species[i] == b.species[static_cast<std::size_t>(match[i])];
        if (child.species != a.species && !same_as_b) break;
    }
    child.center();
    return child;
}

namespace {

std::unique_ptr<Crossover> make_cut_and_splice(int planes, const ParameterTable& t) {
    const int attempts = static_cast<int>(t.get_integer_in("attempts", 20, 1, 10000));
    const double min_distance = t.get_real("min_distance", 0.7);
    if (!(min_distance >= 0.0 && min_distance < 2.0))
        throw t.error("min_distance", fmt::format("must be in [0, 2) pair distances, got {}", min_distance));
    return std::make_unique<CutAndSplice>(planes, attempts, min_distance);
}

}  // namespace

const Registry<CrossoverEntry>& crossover_registry() {
    // One line per crossover: key, summary, parameter keys, factory.
    static const Registry<CrossoverEntry> registry("crossover", "crossovers", {
        {"one_plane", "Deaven-Ho cut and splice: a random plane through the centroids of two randomly rotated parents",
         {"attempts", "min_distance"},
         [](const ParameterTable& t, const SearchProblem&) { return make_cut_and_splice(1, t); }},
        {"two_plane", "cut and splice with two parallel planes: a slab of one parent, the rest of the other",
         {"attempts", "min_distance"},
         [](const ParameterTable& t, const SearchProblem&) { return make_cut_and_splice(2, t); }},
    });
    return registry;
}

}  // namespace nanoscape
