#include "nanoscape/geometry/cluster.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "nanoscape/core/error.hpp"
#include "nanoscape/geometry/neighbour_list.hpp"

namespace nanoscape {

Cluster::Cluster(Eigen::Matrix3Xd positions_in, std::vector<Species> species_in)
    : positions(std::move(positions_in)), species(std::move(species_in)) {
    if (static_cast<std::size_t>(positions.cols()) != species.size())
        throw InputError(fmt::format("cluster has {} positions but {} species", positions.cols(),
                                     species.size()));
}

std::vector<Species> unique_species(const std::vector<Species>& species) {
    std::vector<Species> out(species);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::vector<Species> Cluster::unique_species() const { return nanoscape::unique_species(species); }

std::size_t Cluster::count(Species z) const {
    return static_cast<std::size_t>(std::count(species.begin(), species.end(), z));
}

std::string Cluster::formula() const {
    std::map<std::string, std::size_t> counts;
    for (Species z : species) ++counts[symbol(z)];
    std::string out;
    for (const auto& [sym, n] : counts) out += n == 1 ? sym : fmt::format("{}{}", sym, n);
    return out;
}

Cluster species_only(const std::vector<Species>& species) {
    return Cluster(Eigen::Matrix3Xd::Zero(3, static_cast<Eigen::Index>(species.size())), species);
}

Eigen::Vector3d Cluster::centroid() const {
    if (positions.cols() == 0) return Eigen::Vector3d::Zero();
    return positions.rowwise().mean();
}

void Cluster::center() { positions.colwise() -= centroid(); }

void validate_cluster(const Cluster& cluster, const std::string& what) {
    if (cluster.size() == 0) throw InputError(fmt::format("{}: the cluster has no atoms", what));
    if (static_cast<std::size_t>(cluster.positions.cols()) != cluster.size())
        throw InputError(fmt::format("{}: {} positions but {} species", what,
                                     cluster.positions.cols(), cluster.size()));
    for (Eigen::Index i = 0; i < cluster.positions.cols(); ++i)
        if (!cluster.positions.col(i).allFinite())
            throw InputError(fmt::format("{}: atom {} has a non-finite coordinate", what, i + 1));
    for (Species z : cluster.species) (void)element(z);
}

ClosestPair closest_pair(const Cluster& cluster) {
    ClosestPair best{std::numeric_limits<double>::infinity(), 0, 0};
    if (cluster.size() < 2) return best;
    // Grow the search radius until some pair is found: linear for any reasonable cluster.
    for (double radius = 3.0;; radius *= 4.0) {
        const auto pairs = build_half_neighbour_list(cluster.positions, radius);
        for (const auto& p : pairs)
            if (p.r < best.distance) best = {p.r, static_cast<std::size_t>(p.i),
                                              static_cast<std::size_t>(p.j)};
        if (!pairs.empty() || !std::isfinite(radius)) return best;
    }
}

}  // namespace nanoscape
